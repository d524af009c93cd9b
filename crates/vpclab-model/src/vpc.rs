//! VPCs: CIDR blocks, DNS attributes, the default VPC, and what a VPC brings with it
//! (main route table, default network ACL, default security group).

use std::net::Ipv4Addr;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde::{Deserialize, Serialize};

use crate::cidr::{overlaps_v4, parse_ipv4_cidr};
use crate::err::{Error, Kind, Result};
use crate::ids::*;
use crate::lab::{Caller, Lab, Tags};
use crate::region::{AccountId, Region};
use crate::tags::{owned, validate_tags};
use crate::{AssociationTarget, Route, RouteDestination, RouteOrigin, RouteTarget};

/// A VPC.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vpc {
    /// `vpc-…`.
    pub id: VpcId,
    /// The owning account.
    pub owner_id: AccountId,
    /// Its region.
    pub region: Region,
    /// Its tags.
    pub tags: Tags,
    /// IPv4 CIDR blocks; the first is the primary block.
    pub cidr_block_associations: Vec<VpcCidrBlock>,
    /// Amazon-provided IPv6 /56 blocks.
    pub ipv6_cidr_block_associations: Vec<VpcIpv6CidrBlock>,
    /// Whether this is the region's default VPC for the account.
    pub is_default: bool,
    /// `enableDnsSupport`: the Amazon DNS server answers in this VPC.
    pub enable_dns_support: bool,
    /// `enableDnsHostnames`: instances get DNS host names.
    pub enable_dns_hostnames: bool,
    /// `default` or `dedicated`.
    pub instance_tenancy: String,
    /// The VPC's default security group.
    pub default_security_group_id: SecurityGroupId,
    /// The VPC's default network ACL.
    pub default_network_acl_id: NetworkAclId,
}

/// An IPv4 CIDR block of a VPC.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VpcCidrBlock {
    /// `vpc-cidr-assoc-…`.
    pub association_id: VpcCidrAssociationId,
    /// The block.
    pub cidr: Ipv4Net,
}

/// An IPv6 CIDR block of a VPC.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VpcIpv6CidrBlock {
    /// `vpc-cidr-assoc-…`.
    pub association_id: VpcCidrAssociationId,
    /// The /56 block.
    pub cidr: Ipv6Net,
}

owned!(Vpc);

impl Vpc {
    /// The primary IPv4 CIDR block.
    pub fn cidr_block(&self) -> Ipv4Net {
        self.cidr_block_associations
            .first()
            .map(|b| b.cidr)
            .unwrap_or_default()
    }

    /// Every CIDR block, IPv4 then IPv6.
    pub fn cidrs(&self) -> impl Iterator<Item = IpNet> + '_ {
        self.cidr_block_associations
            .iter()
            .map(|b| IpNet::V4(b.cidr))
            .chain(
                self.ipv6_cidr_block_associations
                    .iter()
                    .map(|b| IpNet::V6(b.cidr)),
            )
    }

    /// Whether `ip` is inside one of the VPC's CIDR blocks.
    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        self.cidrs().any(|c| c.contains(&ip))
    }

    /// Whether the VPC has an IPv6 block.
    pub fn has_ipv6(&self) -> bool {
        !self.ipv6_cidr_block_associations.is_empty()
    }

    /// The address of the Amazon DNS server: the VPC's primary network plus two.
    pub fn dns_server(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.cidr_block().network()).saturating_add(2))
    }
}

/// The parameters of CreateVpc.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CreateVpc {
    /// The primary IPv4 block, `/16` to `/28`.
    pub cidr_block: String,
    /// Ask Amazon for an IPv6 /56.
    pub amazon_provided_ipv6_cidr_block: bool,
    /// `default` (the default) or `dedicated`.
    pub instance_tenancy: Option<String>,
    /// Tags from `TagSpecification`.
    pub tags: Tags,
}

/// A VPC attribute for ModifyVpcAttribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum VpcAttribute {
    /// `enableDnsSupport`.
    EnableDnsSupport(bool),
    /// `enableDnsHostnames`.
    EnableDnsHostnames(bool),
}

/// AWS's rule for a VPC's IPv4 blocks: /16 to /28, and not in a reserved range.
fn check_vpc_block(cidr: Ipv4Net) -> Result<()> {
    let reserved: [Ipv4Net; 5] = [
        Ipv4Net::new(Ipv4Addr::new(0, 0, 0, 0), 8).unwrap_or_default(),
        Ipv4Net::new(Ipv4Addr::new(127, 0, 0, 0), 8).unwrap_or_default(),
        Ipv4Net::new(Ipv4Addr::new(169, 254, 0, 0), 16).unwrap_or_default(),
        Ipv4Net::new(Ipv4Addr::new(224, 0, 0, 0), 4).unwrap_or_default(),
        Ipv4Net::new(Ipv4Addr::new(240, 0, 0, 0), 4).unwrap_or_default(),
    ];
    if !(16..=28).contains(&cidr.prefix_len()) || reserved.iter().any(|r| overlaps_v4(r, &cidr)) {
        return Err(Error::InvalidVpcRange(cidr.to_string()));
    }
    Ok(())
}

/// The RFC 1918 block holding `cidr`, if any.
fn rfc1918_family(cidr: Ipv4Net) -> Option<Ipv4Net> {
    ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
        .into_iter()
        .filter_map(|s| s.parse::<Ipv4Net>().ok())
        .find(|f| f.contains(&cidr))
}

/// AWS's table of IPv4 CIDR block association restrictions ("Add an IPv4 CIDR block to
/// your VPC"): whether a VPC whose primary block is `primary` may add `new`.
fn secondary_block_allowed(primary: Ipv4Net, new: Ipv4Net) -> bool {
    let benchmark = Ipv4Net::new(Ipv4Addr::new(198, 19, 0, 0), 16).unwrap_or_default();
    let in_benchmark = |c: Ipv4Net| overlaps_v4(&benchmark, &c);
    match (rfc1918_family(primary), rfc1918_family(new)) {
        // RFC 1918 primary: not another RFC 1918 range, not 198.19.0.0/16.
        (Some(p), Some(n)) => p == n,
        (Some(_), None) => !in_benchmark(new),
        // 198.19.0.0/16 or publicly routable (incl. 100.64.0.0/10) primary: no RFC 1918
        // block; and a public primary may not add 198.19.0.0/16 either.
        (None, Some(_)) => false,
        (None, None) => in_benchmark(primary) || !in_benchmark(new),
    }
}

impl Lab {
    /// CreateVpc: a VPC with its main route table, default network ACL and default
    /// security group.
    pub fn create_vpc(&mut self, caller: &Caller, req: CreateVpc) -> Result<VpcId> {
        let cidr = parse_ipv4_cidr("cidrBlock", &req.cidr_block)?;
        check_vpc_block(cidr)?;
        validate_tags(&req.tags)?;
        let tenancy = req.instance_tenancy.unwrap_or_else(|| "default".into());
        if !matches!(tenancy.as_str(), "default" | "dedicated") {
            return Err(Error::invalid_value("instanceTenancy", &tenancy, ""));
        }
        // Counted from the index, not by a scan: CreateVpc must stay cheap in a lab of
        // thousands of VPCs.
        let count = self
            .index
            .vpcs_per_owner
            .get(&(caller.account.clone(), caller.region))
            .copied()
            .unwrap_or(0);
        if count >= self.quotas.vpcs_per_region {
            return Err(Error::LimitExceeded {
                code: "VpcLimitExceeded",
                message: "The maximum number of VPCs has been reached.".into(),
            });
        }
        let ipv6 = if req.amazon_provided_ipv6_cidr_block {
            Some(self.next_ipv6_block(caller.region)?)
        } else {
            None
        };
        Ok(self.insert_vpc(caller, cidr, ipv6, false, tenancy, req.tags))
    }

    /// CreateDefaultVpc: 172.31.0.0/16 with a /20 default subnet in each zone, an internet
    /// gateway, and `0.0.0.0/0 → igw` in the main route table, as AWS builds it.
    pub fn create_default_vpc(&mut self, caller: &Caller) -> Result<VpcId> {
        if self.default_vpc(&caller.account, caller.region).is_some() {
            return Err(Error::DefaultVpcAlreadyExists);
        }
        let cidr = Ipv4Net::new(Ipv4Addr::new(172, 31, 0, 0), 16).unwrap_or_default();
        let vpc_id = self.insert_vpc(caller, cidr, None, true, "default".into(), Tags::new());
        if let Some(vpc) = self.vpcs.get_mut(&vpc_id) {
            vpc.enable_dns_hostnames = true;
        }
        let igw = self.create_internet_gateway(caller, Tags::new())?;
        self.attach_internet_gateway(caller, igw.as_str(), vpc_id.as_str())?;
        let main = self.index.main_route_table.get(&vpc_id).cloned();
        if let Some(rt) = main.and_then(|id| self.route_tables.get_mut(&id)) {
            rt.routes.push(Route {
                destination: RouteDestination::Cidr(IpNet::V4(Ipv4Net::default())),
                target: RouteTarget::InternetGateway(igw),
                origin: RouteOrigin::CreateRoute,
            });
        }
        for (i, zone) in caller.region.zones().enumerate() {
            let third = u8::try_from(i * 16).unwrap_or(0);
            let cidr = Ipv4Net::new(Ipv4Addr::new(172, 31, third, 0), 20).unwrap_or_default();
            let subnet = self.insert_subnet(caller, &vpc_id, cidr, None, &zone, Tags::new());
            if let Some(s) = self.subnets.get_mut(&subnet) {
                s.default_for_az = true;
                s.map_public_ip_on_launch = true;
            }
        }
        Ok(vpc_id)
    }

    /// The account's default VPC in `region`.
    pub fn default_vpc(&self, account: &AccountId, region: Region) -> Option<&Vpc> {
        self.vpcs
            .values()
            .find(|v| v.is_default && &v.owner_id == account && v.region == region)
    }

    fn insert_vpc(
        &mut self,
        caller: &Caller,
        cidr: Ipv4Net,
        ipv6: Option<Ipv6Net>,
        is_default: bool,
        tenancy: String,
        tags: Tags,
    ) -> VpcId {
        let id: VpcId = self.mint();
        let association_id = self.mint();
        let ipv6_cidr_block_associations = ipv6
            .map(|cidr| VpcIpv6CidrBlock {
                association_id: self.mint(),
                cidr,
            })
            .into_iter()
            .collect::<Vec<_>>();
        let sg_id: SecurityGroupId = self.mint();
        let acl_id: NetworkAclId = self.mint();
        let vpc = Vpc {
            id: id.clone(),
            owner_id: caller.account.clone(),
            region: caller.region,
            tags,
            cidr_block_associations: vec![VpcCidrBlock {
                association_id,
                cidr,
            }],
            ipv6_cidr_block_associations,
            is_default,
            enable_dns_support: true,
            enable_dns_hostnames: false,
            instance_tenancy: tenancy,
            default_security_group_id: sg_id.clone(),
            default_network_acl_id: acl_id.clone(),
        };
        if let Some(v6) = ipv6 {
            self.index.ipv6_blocks_in_use.insert(v6);
        }
        self.vpcs.insert(id.clone(), vpc);
        *self
            .index
            .vpcs_per_owner
            .entry((caller.account.clone(), caller.region))
            .or_default() += 1;
        let main = self.insert_route_table(caller, &id, Tags::new());
        let main_assoc = self.mint();
        if let Some(rt) = self.route_tables.get_mut(&main) {
            rt.associations.push(crate::RouteTableAssociation {
                id: main_assoc,
                target: AssociationTarget::Main,
            });
        }
        self.index.main_route_table.insert(id.clone(), main);
        self.insert_default_network_acl(caller, &id, acl_id);
        self.insert_default_security_group(caller, &id, sg_id);
        id
    }

    /// The next free Amazon IPv6 /56 in the region's pool.
    fn next_ipv6_block(&mut self, region: Region) -> Result<Ipv6Net> {
        let pool = region.ipv6_pool();
        pool.subnets(56)
            .map_err(|_| Error::InvalidParameterValue("no IPv6 pool".into()))?
            .find(|b| !self.index.ipv6_blocks_in_use.contains(b))
            .ok_or_else(|| Error::LimitExceeded {
                code: "InsufficientCidrBlocks",
                message: "There are not enough free IPv6 CIDR blocks in this region.".into(),
            })
    }

    /// DeleteVpc: only an empty VPC can go; its main route table, default network ACL and
    /// default security group go with it, and its peering connections are deleted.
    pub fn delete_vpc(&mut self, caller: &Caller, vpc_id: &str) -> Result<()> {
        let vpc = Lab::owned(&self.vpcs, caller, Kind::Vpc, vpc_id, VpcId::parse)?.clone();
        let dependency = || {
            Error::DependencyViolation(format!(
                "The vpc '{vpc_id}' has dependencies and cannot be deleted."
            ))
        };
        let has_subnet = self
            .index
            .vpc_subnets
            .get(&vpc.id)
            .is_some_and(|s| !s.is_empty());
        let has_igw = self.internet_gateway_of(&vpc.id).is_some();
        let has_eigw = self
            .egress_only_internet_gateways
            .values()
            .any(|g| g.vpc_id == vpc.id);
        let has_sg = self
            .security_groups
            .values()
            .any(|g| g.vpc_id == vpc.id && g.id != vpc.default_security_group_id);
        let has_acl = self
            .network_acls
            .values()
            .any(|a| a.vpc_id == vpc.id && a.id != vpc.default_network_acl_id);
        let main = self.index.main_route_table.get(&vpc.id).cloned();
        let has_rtb = self
            .route_tables
            .values()
            .any(|r| r.vpc_id == vpc.id && Some(&r.id) != main.as_ref());
        let has_endpoint = self
            .vpc_endpoints
            .values()
            .any(|e| e.vpc_id == vpc.id && e.state != crate::VpcEndpointState::Deleted);
        let has_nat = self
            .nat_gateways
            .values()
            .any(|n| n.vpc_id == vpc.id && n.state != crate::NatGatewayState::Deleted);
        if has_subnet
            || has_igw
            || has_eigw
            || has_sg
            || has_acl
            || has_rtb
            || has_endpoint
            || has_nat
        {
            return Err(dependency());
        }
        for pcx in self.vpc_peering_connections.values_mut() {
            if pcx.requester.vpc_id != vpc.id && pcx.accepter.vpc_id != vpc.id {
                continue;
            }
            // Live connections go with the VPC; a request already past its acceptance
            // window stays what it is: expired.
            match pcx.status_at(caller.now) {
                crate::PeeringStatusCode::PendingAcceptance | crate::PeeringStatusCode::Active => {
                    pcx.status = crate::PeeringStatus::deleted(caller.now);
                }
                crate::PeeringStatusCode::Expired => pcx.status = crate::PeeringStatus::expired(),
                _ => {}
            }
        }
        if let Some(main) = main {
            self.route_tables.shift_remove(&main);
        }
        self.index.main_route_table.remove(&vpc.id);
        self.network_acls.shift_remove(&vpc.default_network_acl_id);
        self.security_groups
            .shift_remove(&vpc.default_security_group_id);
        for b in &vpc.ipv6_cidr_block_associations {
            self.index.ipv6_blocks_in_use.remove(&b.cidr);
        }
        self.vpcs.shift_remove(&vpc.id);
        let key = (vpc.owner_id.clone(), vpc.region);
        if let Some(n) = self.index.vpcs_per_owner.get_mut(&key) {
            *n -= 1;
            if *n == 0 {
                self.index.vpcs_per_owner.remove(&key);
            }
        }
        Ok(())
    }

    /// ModifyVpcAttribute: DNS support and DNS host names (host names need DNS support).
    pub fn modify_vpc_attribute(
        &mut self,
        caller: &Caller,
        vpc_id: &str,
        attribute: VpcAttribute,
    ) -> Result<()> {
        let vpc = Lab::owned(&self.vpcs, caller, Kind::Vpc, vpc_id, VpcId::parse)?;
        let (support, hostnames) = match attribute {
            VpcAttribute::EnableDnsSupport(v) => (v, vpc.enable_dns_hostnames),
            VpcAttribute::EnableDnsHostnames(v) => (vpc.enable_dns_support, v),
        };
        // AWS: DNS host names can only be on while DNS resolution (support) is on.
        if hostnames && !support {
            return Err(Error::InvalidParameterValue(
                "enableDnsHostnames cannot be enabled while enableDnsSupport is disabled.".into(),
            ));
        }
        let id = vpc.id.clone();
        if let Some(vpc) = self.vpcs.get_mut(&id) {
            vpc.enable_dns_support = support;
            vpc.enable_dns_hostnames = hostnames;
        }
        Ok(())
    }

    /// AssociateVpcCidrBlock: a secondary IPv4 block (same RFC 1918 family rules as AWS,
    /// no overlap, at most five) or an Amazon-provided IPv6 /56. Adds the local route to
    /// every route table of the VPC.
    pub fn associate_vpc_cidr_block(
        &mut self,
        caller: &Caller,
        vpc_id: &str,
        cidr_block: Option<&str>,
        amazon_provided_ipv6_cidr_block: bool,
    ) -> Result<VpcCidrAssociationId> {
        let vpc = Lab::owned(&self.vpcs, caller, Kind::Vpc, vpc_id, VpcId::parse)?.clone();
        let destination = match (cidr_block, amazon_provided_ipv6_cidr_block) {
            (Some(s), false) => {
                let cidr = parse_ipv4_cidr("cidrBlock", s)?;
                check_vpc_block(cidr)?;
                if vpc
                    .cidr_block_associations
                    .iter()
                    .any(|b| overlaps_v4(&b.cidr, &cidr))
                {
                    return Err(Error::CidrConflict(format!(
                        "The CIDR '{cidr}' conflicts with another CIDR block of vpc '{vpc_id}'"
                    )));
                }
                // AWS: which ranges a VPC may add depends on its primary block's range
                // (RFC 1918 ranges do not mix, nor with 198.19.0.0/16 or public blocks).
                if !secondary_block_allowed(vpc.cidr_block(), cidr) {
                    return Err(Error::InvalidVpcRange(cidr.to_string()));
                }
                // AWS: "The CIDR block must not be the same or larger than a destination
                // CIDR range in a route in any of the VPC route tables" (its local route
                // would collide with that route).
                let covered = self
                    .route_tables
                    .values()
                    .filter(|rt| rt.vpc_id == vpc.id)
                    .flat_map(|rt| rt.routes.iter())
                    .find_map(|r| match r.destination {
                        RouteDestination::Cidr(IpNet::V4(d)) if cidr.contains(&d) => Some(d),
                        _ => None,
                    });
                if let Some(d) = covered {
                    return Err(Error::CidrConflict(format!(
                        "The CIDR '{cidr}' is the same as or larger than the destination {d} of a route in a route table of vpc '{vpc_id}'"
                    )));
                }
                if vpc.cidr_block_associations.len() >= 5 {
                    return Err(Error::LimitExceeded {
                        code: "CidrLimitExceeded",
                        message: format!(
                            "This network '{vpc_id}' has met its maximum number of allowed CIDRs: 5"
                        ),
                    });
                }
                IpNet::V4(cidr)
            }
            (None, true) => {
                if vpc.has_ipv6() {
                    return Err(Error::LimitExceeded {
                        code: "CidrLimitExceeded",
                        message: format!(
                            "This network '{vpc_id}' has met its maximum number of allowed IPv6 CIDRs: 1"
                        ),
                    });
                }
                IpNet::V6(self.next_ipv6_block(caller.region)?)
            }
            _ => {
                return Err(Error::InvalidParameterCombination(
                    "Exactly one of CidrBlock and AmazonProvidedIpv6CidrBlock must be given."
                        .into(),
                ));
            }
        };
        let association_id: VpcCidrAssociationId = self.mint();
        if let Some(v) = self.vpcs.get_mut(&vpc.id) {
            match destination {
                IpNet::V4(cidr) => v.cidr_block_associations.push(VpcCidrBlock {
                    association_id: association_id.clone(),
                    cidr,
                }),
                IpNet::V6(cidr) => {
                    v.ipv6_cidr_block_associations.push(VpcIpv6CidrBlock {
                        association_id: association_id.clone(),
                        cidr,
                    });
                    self.index.ipv6_blocks_in_use.insert(cidr);
                }
            }
        }
        for rt in self
            .route_tables
            .values_mut()
            .filter(|r| r.vpc_id == vpc.id)
        {
            rt.routes.push(Route::local(destination));
        }
        if destination.addr().is_ipv6() {
            self.add_ipv6_default_entries(&vpc.id);
        }
        Ok(association_id)
    }

    /// DisassociateVpcCidrBlock: a secondary block with no subnet in it, or the IPv6 block.
    /// Returns the VPC and the block that went.
    pub fn disassociate_vpc_cidr_block(
        &mut self,
        caller: &Caller,
        association_id: &str,
    ) -> Result<(VpcId, IpNet)> {
        if VpcCidrAssociationId::parse(association_id).is_none() {
            return Err(Error::Malformed {
                kind: Kind::Association,
                id: association_id.into(),
            });
        }
        let vpc = self
            .vpcs
            .values()
            .find(|v| {
                v.owner_id == caller.account
                    && v.region == caller.region
                    && v.cidrs_with_associations()
                        .any(|(a, _)| a.as_str() == association_id)
            })
            .cloned()
            .ok_or_else(|| Error::not_found(Kind::Association, association_id))?;
        let (_, cidr) = vpc
            .cidrs_with_associations()
            .find(|(a, _)| a.as_str() == association_id)
            .ok_or_else(|| Error::not_found(Kind::Association, association_id))?;
        if vpc
            .cidr_block_associations
            .first()
            .map(|b| b.association_id.as_str())
            == Some(association_id)
        {
            return Err(Error::InvalidParameterValue(format!(
                "The vpc {} primary cidr block {cidr} cannot be disassociated.",
                vpc.id
            )));
        }
        let in_use = self
            .index
            .vpc_subnets
            .get(&vpc.id)
            .into_iter()
            .flatten()
            .filter_map(|s| self.subnets.get(s))
            .any(|s| s.cidrs().any(|c| crate::cidr::overlaps(&c, &cidr)));
        if in_use {
            return Err(Error::DependencyViolation(format!(
                "The vpc {} currently has a subnet within CIDR block {cidr}",
                vpc.id
            )));
        }
        if let Some(v) = self.vpcs.get_mut(&vpc.id) {
            v.cidr_block_associations
                .retain(|b| b.association_id.as_str() != association_id);
            v.ipv6_cidr_block_associations
                .retain(|b| b.association_id.as_str() != association_id);
        }
        if let IpNet::V6(v6) = cidr {
            self.index.ipv6_blocks_in_use.remove(&v6);
        }
        for rt in self
            .route_tables
            .values_mut()
            .filter(|r| r.vpc_id == vpc.id)
        {
            // The block's local route goes, even when middlebox routing pointed it at an
            // interface (it keeps its CreateRouteTable origin then).
            rt.routes.retain(|r| {
                !(r.origin == RouteOrigin::CreateRouteTable
                    && r.destination == RouteDestination::Cidr(cidr))
            });
        }
        Ok((vpc.id, cidr))
    }
}

impl Vpc {
    /// Each block with its association id.
    pub fn cidrs_with_associations(&self) -> impl Iterator<Item = (&VpcCidrAssociationId, IpNet)> {
        self.cidr_block_associations
            .iter()
            .map(|b| (&b.association_id, IpNet::V4(b.cidr)))
            .chain(
                self.ipv6_cidr_block_associations
                    .iter()
                    .map(|b| (&b.association_id, IpNet::V6(b.cidr))),
            )
    }
}
