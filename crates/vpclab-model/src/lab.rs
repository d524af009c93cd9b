//! The lab: every account's resources in every region, and the indices that keep
//! lookups fast as the network grows.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::{IpAddr, Ipv4Addr};

use serde::{Deserialize, Serialize};

use crate::err::{Error, Kind, Result};
use crate::ids::*;
use crate::region::{AccountId, Region};
use crate::*;

/// Milliseconds since the Unix epoch. The model has no clock: callers pass time in.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// `self` plus `seconds`.
    pub fn plus_seconds(self, seconds: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(seconds.saturating_mul(1000)))
    }

    /// ISO 8601 in UTC with milliseconds, as AWS writes times:
    /// `2017-09-05T20:41:28.000Z`.
    pub fn iso8601(self) -> String {
        let (days, rem) = (self.0.div_euclid(86_400_000), self.0.rem_euclid(86_400_000));
        let (y, m, d) = civil_from_days(days);
        let (h, min, s, milli) = (
            rem / 3_600_000,
            rem / 60_000 % 60,
            rem / 1000 % 60,
            rem % 1000,
        );
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{milli:03}Z")
    }
}

/// The civil date of a day count since 1970-01-01 (Howard Hinnant's algorithm; a date
/// library would be a dependency for one small function).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Who makes a control-plane call, where, and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// The calling account.
    pub account: AccountId,
    /// The region the call is addressed to.
    pub region: Region,
    /// The time of the call.
    pub now: Timestamp,
}

impl Caller {
    /// A caller in `account` and `region` at time `now`.
    pub fn new(account: AccountId, region: Region, now: Timestamp) -> Self {
        Self {
            account,
            region,
            now,
        }
    }
}

/// Where the lab keeps each kind of resource: by id, in creation order. A hash map
/// because the data plane looks resources up by id on every flow (an ordered map of
/// string ids spent most of a trace comparing them); insertion-ordered so that listings
/// are stable and repeatable.
pub type Table<K, V> = indexmap::IndexMap<K, V>;

/// Resource tags: key → value, keys unique.
pub type Tags = BTreeMap<String, String>;

/// The whole lab: accounts, and every resource of every account in every region.
///
/// Resources are stored by id; each carries its owner and region, and the operations
/// (`create_vpc`, …, in the resource modules) only let a caller see and touch its own.
/// The derived [`Index`] is maintained by every operation and rebuilt on load.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Lab {
    pub(crate) ids: IdGen,
    pub(crate) accounts: BTreeSet<AccountId>,
    pub(crate) vpcs: Table<VpcId, Vpc>,
    pub(crate) subnets: Table<SubnetId, Subnet>,
    pub(crate) route_tables: Table<RouteTableId, RouteTable>,
    pub(crate) internet_gateways: Table<InternetGatewayId, InternetGateway>,
    pub(crate) egress_only_internet_gateways:
        Table<EgressOnlyInternetGatewayId, EgressOnlyInternetGateway>,
    pub(crate) addresses: Table<AllocationId, Address>,
    pub(crate) nat_gateways: Table<NatGatewayId, NatGateway>,
    pub(crate) network_interfaces: Table<NetworkInterfaceId, NetworkInterface>,
    pub(crate) instances: Table<InstanceId, Instance>,
    pub(crate) security_groups: Table<SecurityGroupId, SecurityGroup>,
    pub(crate) network_acls: Table<NetworkAclId, NetworkAcl>,
    pub(crate) prefix_lists: Table<PrefixListId, ManagedPrefixList>,
    pub(crate) vpc_endpoints: Table<VpcEndpointId, VpcEndpoint>,
    /// VPC endpoint services (PrivateLink, provider side).
    #[serde(default)]
    pub(crate) vpc_endpoint_services: Table<VpcEndpointServiceId, VpcEndpointServiceConfiguration>,
    pub(crate) vpc_peering_connections: Table<VpcPeeringConnectionId, VpcPeeringConnection>,
    /// VPC flow logs.
    #[serde(default)]
    pub(crate) flow_logs: Table<FlowLogId, FlowLog>,
    /// CloudFormation stacks the lab deployed, by stack id.
    #[serde(default)]
    pub(crate) stacks: Table<String, CloudFormationStack>,
    /// Reachability Analyzer's paths.
    #[serde(default)]
    pub(crate) network_insights_paths: Table<NetworkInsightsPathId, NetworkInsightsPath>,
    /// Reachability Analyzer's analyses.
    #[serde(default)]
    pub(crate) network_insights_analyses: Table<NetworkInsightsAnalysisId, NetworkInsightsAnalysis>,
    /// S3 buckets, by name (a global namespace).
    #[serde(default)]
    pub(crate) buckets: Table<String, Bucket>,
    /// ELBv2 load balancers (network load balancers), by ARN.
    #[serde(default)]
    pub(crate) load_balancers: Table<LoadBalancerArn, LoadBalancer>,
    /// ELBv2 target groups, by ARN.
    #[serde(default)]
    pub(crate) target_groups: Table<TargetGroupArn, TargetGroup>,
    /// ELBv2 listeners, by ARN.
    #[serde(default)]
    pub(crate) listeners: Table<ListenerArn, Listener>,
    /// The account quotas this lab enforces.
    #[serde(default)]
    pub quotas: Quotas,
    #[serde(skip)]
    pub(crate) index: Index,
}

/// Per-account, per-region quotas. The defaults are AWS's default quotas; like AWS's
/// Service Quotas, they can be raised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quotas {
    /// VPCs per region (AWS default: 5).
    pub vpcs_per_region: usize,
    /// Elastic IPs per region (AWS default: 5).
    pub elastic_ips_per_region: usize,
    /// Internet gateways per region (AWS default: 5).
    #[serde(default = "five")]
    pub internet_gateways_per_region: usize,
    /// NAT gateways per availability zone (AWS default: 5).
    #[serde(default = "five")]
    pub nat_gateways_per_zone: usize,
}

fn five() -> usize {
    5
}

impl Quotas {
    /// The quotas' names, as `set` takes them.
    pub const NAMES: &'static [&'static str] = &[
        "vpcs-per-region",
        "elastic-ips-per-region",
        "internet-gateways-per-region",
        "nat-gateways-per-zone",
    ];

    /// Sets the quota called `name` (one of [`Quotas::NAMES`]).
    pub fn set(&mut self, name: &str, value: usize) -> std::result::Result<(), String> {
        let slot = match name {
            "vpcs-per-region" => &mut self.vpcs_per_region,
            "elastic-ips-per-region" => &mut self.elastic_ips_per_region,
            "internet-gateways-per-region" => &mut self.internet_gateways_per_region,
            "nat-gateways-per-zone" => &mut self.nat_gateways_per_zone,
            other => {
                return Err(format!(
                    "unknown quota {other}; known: {}",
                    Quotas::NAMES.join(", ")
                ));
            }
        };
        *slot = value;
        Ok(())
    }
}

impl Default for Quotas {
    fn default() -> Self {
        Quotas {
            vpcs_per_region: 5,
            elastic_ips_per_region: 5,
            internet_gateways_per_region: 5,
            nat_gateways_per_zone: 5,
        }
    }
}

/// Lookups derived from the resources, kept up to date by every operation so that no
/// change re-indexes the whole network. [`Lab::rebuild_index`] recomputes it from scratch
/// (after loading, and in tests that check the incremental upkeep).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Index {
    /// Each VPC's main route table.
    pub(crate) main_route_table: HashMap<VpcId, RouteTableId>,
    /// How many VPCs each account has in each region (for the VPC quota).
    pub(crate) vpcs_per_owner: HashMap<(AccountId, Region), usize>,
    /// The subnets of each VPC.
    pub(crate) vpc_subnets: HashMap<VpcId, BTreeSet<SubnetId>>,
    /// Each subnet's explicitly associated route table.
    pub(crate) subnet_route_table: HashMap<SubnetId, RouteTableId>,
    /// Each subnet's network ACL.
    pub(crate) subnet_network_acl: HashMap<SubnetId, NetworkAclId>,
    /// The private addresses in use in each subnet.
    pub(crate) subnet_addresses: HashMap<SubnetId, BTreeSet<IpAddr>>,
    /// The ENI holding each private address (IPv4 and IPv6) of each VPC.
    pub(crate) eni_by_private_ip: HashMap<VpcId, HashMap<IpAddr, NetworkInterfaceId>>,
    /// The ENI holding each public IPv4 address (auto-assigned or Elastic IP).
    pub(crate) eni_by_public_ip: HashMap<Ipv4Addr, NetworkInterfaceId>,
    /// Public IPv4 addresses taken (Elastic IPs and auto-assigned ones), per region.
    pub(crate) public_ips_in_use: HashMap<Region, BTreeSet<Ipv4Addr>>,
    /// IPv6 /56 blocks handed to VPCs.
    pub(crate) ipv6_blocks_in_use: BTreeSet<ipnet::Ipv6Net>,
    /// The interface endpoint each endpoint network interface belongs to.
    pub(crate) endpoint_by_interface: HashMap<NetworkInterfaceId, VpcEndpointId>,
    /// The load balancer each load balancer node's network interface belongs to.
    pub(crate) load_balancer_by_interface: HashMap<NetworkInterfaceId, LoadBalancerArn>,
}

impl Default for Lab {
    fn default() -> Self {
        Lab::new(0)
    }
}

macro_rules! getters {
    ($($one:ident, $all:ident, $field:ident: $id:ty => $ty:ty;)*) => {$(
        #[doc = concat!("The resource with this id, whoever owns it.")]
        pub fn $one(&self, id: &str) -> Option<&$ty> {
            self.$field.get(id)
        }

        #[doc = concat!("Every resource of this kind, in creation order.")]
        pub fn $all(&self) -> impl Iterator<Item = &$ty> {
            self.$field.values()
        }
    )*};
}

impl Lab {
    /// An empty lab whose ids derive from `seed`.
    pub fn new(seed: u64) -> Self {
        Lab {
            ids: IdGen::new(seed),
            accounts: BTreeSet::new(),
            vpcs: Table::default(),
            subnets: Table::default(),
            route_tables: Table::default(),
            internet_gateways: Table::default(),
            egress_only_internet_gateways: Table::default(),
            addresses: Table::default(),
            nat_gateways: Table::default(),
            network_interfaces: Table::default(),
            instances: Table::default(),
            security_groups: Table::default(),
            network_acls: Table::default(),
            prefix_lists: crate::prefix_list::aws_managed_prefix_lists(),
            vpc_endpoints: Table::default(),
            vpc_endpoint_services: Table::default(),
            vpc_peering_connections: Table::default(),
            flow_logs: Table::default(),
            network_insights_paths: Table::default(),
            stacks: Table::default(),
            network_insights_analyses: Table::default(),
            buckets: Table::default(),
            load_balancers: Table::default(),
            target_groups: Table::default(),
            listeners: Table::default(),
            quotas: Quotas::default(),
            index: Index::default(),
        }
    }

    /// Adds `account`, with a default VPC in every region as AWS gives a new account.
    /// Adding an account twice changes nothing.
    pub fn add_account(&mut self, account: &AccountId, now: Timestamp) {
        if !self.accounts.insert(account.clone()) {
            return;
        }
        for region in Region::all() {
            let caller = Caller::new(account.clone(), region, now);
            // Cannot fail: a new account has no default VPC yet and 172.31.0.0/16 is valid.
            let _ = self.create_default_vpc(&caller);
        }
    }

    /// Adds `account` with no default VPCs (for tests and benchmarks that build their own).
    pub fn add_account_without_default_vpcs(&mut self, account: &AccountId) {
        self.accounts.insert(account.clone());
    }

    /// Whether the lab knows `account`.
    pub fn has_account(&self, account: &AccountId) -> bool {
        self.accounts.contains(account)
    }

    /// The accounts the lab knows.
    pub fn accounts(&self) -> impl Iterator<Item = &AccountId> {
        self.accounts.iter()
    }

    getters! {
        vpc, vpcs, vpcs: VpcId => Vpc;
        subnet, subnets, subnets: SubnetId => Subnet;
        route_table, route_tables, route_tables: RouteTableId => RouteTable;
        internet_gateway, internet_gateways, internet_gateways: InternetGatewayId => InternetGateway;
        egress_only_internet_gateway, egress_only_internet_gateways, egress_only_internet_gateways: EgressOnlyInternetGatewayId => EgressOnlyInternetGateway;
        address, addresses, addresses: AllocationId => Address;
        nat_gateway, nat_gateways, nat_gateways: NatGatewayId => NatGateway;
        network_interface, network_interfaces, network_interfaces: NetworkInterfaceId => NetworkInterface;
        instance, instances, instances: InstanceId => Instance;
        security_group, security_groups, security_groups: SecurityGroupId => SecurityGroup;
        network_acl, network_acls, network_acls: NetworkAclId => NetworkAcl;
        prefix_list, prefix_lists, prefix_lists: PrefixListId => ManagedPrefixList;
        vpc_endpoint, vpc_endpoints, vpc_endpoints: VpcEndpointId => VpcEndpoint;
        vpc_endpoint_service, vpc_endpoint_services, vpc_endpoint_services: VpcEndpointServiceId => VpcEndpointServiceConfiguration;
        vpc_peering_connection, vpc_peering_connections, vpc_peering_connections: VpcPeeringConnectionId => VpcPeeringConnection;
        flow_log, flow_logs, flow_logs: FlowLogId => FlowLog;
        network_insights_path, network_insights_paths, network_insights_paths: NetworkInsightsPathId => NetworkInsightsPath;
        stack, stacks, stacks: String => CloudFormationStack;
        network_insights_analysis, network_insights_analyses, network_insights_analyses: NetworkInsightsAnalysisId => NetworkInsightsAnalysis;
        load_balancer, load_balancers, load_balancers: LoadBalancerArn => LoadBalancer;
        target_group, target_groups, target_groups: TargetGroupArn => TargetGroup;
        listener, listeners, listeners: ListenerArn => Listener;
    }

    /// The route table a subnet uses: its explicit association, else its VPC's main table.
    pub fn route_table_for_subnet(&self, subnet: &Subnet) -> Option<&RouteTable> {
        let id = self
            .index
            .subnet_route_table
            .get(&subnet.id)
            .or_else(|| self.index.main_route_table.get(&subnet.vpc_id))?;
        self.route_tables.get(id)
    }

    /// The VPC's main route table.
    pub fn main_route_table(&self, vpc: &VpcId) -> Option<&RouteTable> {
        self.route_tables.get(self.index.main_route_table.get(vpc)?)
    }

    /// The network ACL a subnet is associated with.
    pub fn network_acl_for_subnet(&self, subnet: &SubnetId) -> Option<&NetworkAcl> {
        self.network_acls
            .get(self.index.subnet_network_acl.get(subnet)?)
    }

    /// The ENI that holds private address `ip` in `vpc`.
    pub fn eni_by_private_ip(&self, vpc: &VpcId, ip: IpAddr) -> Option<&NetworkInterface> {
        let id = self.index.eni_by_private_ip.get(vpc)?.get(&ip)?;
        self.network_interfaces.get(id)
    }

    /// The ENI that holds public IPv4 address `ip` (auto-assigned or an Elastic IP).
    pub fn eni_by_public_ip(&self, ip: Ipv4Addr) -> Option<&NetworkInterface> {
        self.network_interfaces
            .get(self.index.eni_by_public_ip.get(&ip)?)
    }

    /// The subnet of `vpc` whose CIDR holds `ip` (subnets of a VPC never overlap).
    pub fn subnet_containing(&self, vpc: &Vpc, ip: IpAddr) -> Option<&Subnet> {
        self.index
            .vpc_subnets
            .get(&vpc.id)?
            .iter()
            .filter_map(|id| self.subnets.get(id))
            .find(|s| s.contains(ip))
    }

    /// How many private addresses of the subnet are free (AWS's `AvailableIpAddressCount`).
    pub fn available_ip_address_count(&self, subnet: &Subnet) -> u64 {
        let used = self
            .index
            .subnet_addresses
            .get(&subnet.id)
            .map_or(0, |s| s.iter().filter(|ip| ip.is_ipv4()).count() as u64);
        subnet.usable_ipv4_count().saturating_sub(used)
    }

    /// The internet gateway attached to `vpc`, if any.
    pub fn internet_gateway_of(&self, vpc: &VpcId) -> Option<&InternetGateway> {
        self.internet_gateways
            .values()
            .find(|igw| igw.attachment.as_ref() == Some(vpc))
    }

    /// The instance an ENI is attached to, if any.
    pub fn instance_of(&self, eni: &NetworkInterface) -> Option<&Instance> {
        self.instances
            .get(eni.attachment.as_ref()?.instance_id.as_str())
    }

    /// Recomputes every index from the resources, as after loading from storage.
    pub fn rebuild_index(&mut self) {
        self.index = self.compute_index();
    }

    /// The index as it should be for the current resources; tests compare it with the
    /// incrementally maintained one.
    pub fn compute_index(&self) -> Index {
        let mut index = Index::default();
        for rt in self.route_tables.values() {
            for a in &rt.associations {
                match &a.target {
                    AssociationTarget::Main => {
                        index
                            .main_route_table
                            .insert(rt.vpc_id.clone(), rt.id.clone());
                    }
                    AssociationTarget::Subnet(s) => {
                        index.subnet_route_table.insert(s.clone(), rt.id.clone());
                    }
                }
            }
        }
        for vpc in self.vpcs.values() {
            *index
                .vpcs_per_owner
                .entry((vpc.owner_id.clone(), vpc.region))
                .or_default() += 1;
        }
        for subnet in self.subnets.values() {
            index
                .vpc_subnets
                .entry(subnet.vpc_id.clone())
                .or_default()
                .insert(subnet.id.clone());
        }
        for acl in self.network_acls.values() {
            for a in &acl.associations {
                index
                    .subnet_network_acl
                    .insert(a.subnet_id.clone(), acl.id.clone());
            }
        }
        for eni in self.network_interfaces.values() {
            index_eni(&mut index, eni);
        }
        for a in self.addresses.values() {
            index
                .public_ips_in_use
                .entry(a.region)
                .or_default()
                .insert(a.public_ip);
        }
        for vpc in self.vpcs.values() {
            for b in &vpc.ipv6_cidr_block_associations {
                index.ipv6_blocks_in_use.insert(b.cidr);
            }
        }
        for e in self.vpc_endpoints.values() {
            for eni in &e.network_interface_ids {
                index
                    .endpoint_by_interface
                    .insert(eni.clone(), e.id.clone());
            }
        }
        for lb in self.load_balancers.values() {
            for eni in &lb.network_interface_ids {
                index
                    .load_balancer_by_interface
                    .insert(eni.clone(), lb.arn.clone());
            }
        }
        index
    }

    /// The index as maintained so far (for tests).
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// Mints a fresh id of kind `T`.
    pub(crate) fn mint<T: Minted>(&mut self) -> T {
        self.ids.mint()
    }

    /// Looks up a resource of `kind` owned by the caller in the caller's region.
    pub(crate) fn owned<'a, K, V>(
        map: &'a Table<K, V>,
        caller: &Caller,
        kind: Kind,
        id: &str,
        parse: fn(&str) -> Option<K>,
    ) -> Result<&'a V>
    where
        K: std::hash::Hash + Eq + std::borrow::Borrow<str>,
        V: Owned,
    {
        if parse(id).is_none() {
            return Err(Error::Malformed {
                kind,
                id: id.to_owned(),
            });
        }
        match map.get(id) {
            Some(v) if v.owner() == &caller.account && v.region() == caller.region => Ok(v),
            _ => Err(Error::not_found(kind, id)),
        }
    }
}

/// Adds an ENI's addresses to the index.
pub(crate) fn index_eni(index: &mut Index, eni: &NetworkInterface) {
    for ip in eni.private_ip_addresses() {
        index
            .eni_by_private_ip
            .entry(eni.vpc_id.clone())
            .or_default()
            .insert(ip, eni.id.clone());
        index
            .subnet_addresses
            .entry(eni.subnet_id.clone())
            .or_default()
            .insert(ip);
    }
    for p in &eni.private_ips {
        if let Some(assoc) = &p.association {
            index
                .eni_by_public_ip
                .insert(assoc.public_ip, eni.id.clone());
            if assoc.allocation_id.is_none() {
                index
                    .public_ips_in_use
                    .entry(eni.region)
                    .or_default()
                    .insert(assoc.public_ip);
            }
        }
    }
}

/// Removes an ENI's addresses from the index.
pub(crate) fn unindex_eni(index: &mut Index, eni: &NetworkInterface) {
    for ip in eni.private_ip_addresses() {
        if let Some(by_ip) = index.eni_by_private_ip.get_mut(&eni.vpc_id) {
            by_ip.remove(&ip);
            if by_ip.is_empty() {
                index.eni_by_private_ip.remove(&eni.vpc_id);
            }
        }
        remove_from_set(&mut index.subnet_addresses, &eni.subnet_id, &ip);
    }
    for p in &eni.private_ips {
        if let Some(assoc) = &p.association {
            index.eni_by_public_ip.remove(&assoc.public_ip);
            if assoc.allocation_id.is_none() {
                remove_from_set(&mut index.public_ips_in_use, &eni.region, &assoc.public_ip);
            }
        }
    }
}

/// A resource with an owner and a region.
pub trait Owned {
    /// The owning account.
    fn owner(&self) -> &AccountId;
    /// The region it lives in.
    fn region(&self) -> Region;
}

/// Removes `value` from the set under `key`, dropping the set when it empties so that an
/// incrementally kept index equals a rebuilt one.
pub(crate) fn remove_from_set<K, V>(map: &mut HashMap<K, BTreeSet<V>>, key: &K, value: &V)
where
    K: std::hash::Hash + Eq,
    V: Ord,
{
    if let Some(set) = map.get_mut(key) {
        set.remove(value);
        if set.is_empty() {
            map.remove(key);
        }
    }
}
