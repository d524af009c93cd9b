//! Every control-plane change as data: an [`Operation`] can be logged, replayed and
//! applied with [`Lab::apply`], which is how the store makes the lab durable (an
//! append-only log of the operations that succeeded, plus snapshots).
//!
//! `apply` is deterministic: the same lab, caller, time and operation give the same
//! result and the same new ids. A refused operation changes nothing — not even the id
//! generator — so a log holding only the accepted operations replays exactly.

use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

use crate::err::{Error, Result};
use crate::*;

/// A control-plane change, with everything needed to apply it again.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "PascalCase")]
#[allow(missing_docs)]
pub enum Operation {
    /// Adds an account with its default VPCs.
    AddAccount {
        account: AccountId,
    },
    /// Changes the quotas (as AWS's Service Quotas raises them).
    SetQuotas(Quotas),
    /// S3 CreateBucket in `region`.
    CreateBucket {
        bucket: String,
        region: Region,
    },
    /// S3 DeleteBucket (`empty`: the store found no object in it).
    DeleteBucket {
        bucket: String,
        empty: bool,
    },
    /// S3 PutBucketPolicy (a policy already parsed by the API layer).
    PutBucketPolicy {
        bucket: String,
        policy: String,
    },
    /// S3 DeleteBucketPolicy.
    DeleteBucketPolicy {
        bucket: String,
    },
    CreateVpc(CreateVpc),
    CreateDefaultVpc,
    DeleteVpc {
        vpc_id: String,
    },
    ModifyVpcAttribute {
        vpc_id: String,
        attribute: VpcAttribute,
    },
    AssociateVpcCidrBlock {
        vpc_id: String,
        cidr_block: Option<String>,
        amazon_provided_ipv6_cidr_block: bool,
    },
    DisassociateVpcCidrBlock {
        association_id: String,
    },
    CreateSubnet(CreateSubnet),
    DeleteSubnet {
        subnet_id: String,
    },
    ModifySubnetAttribute {
        subnet_id: String,
        attribute: SubnetAttribute,
    },
    AssociateSubnetCidrBlock {
        subnet_id: String,
        ipv6_cidr_block: String,
    },
    DisassociateSubnetCidrBlock {
        association_id: String,
    },
    CreateRouteTable {
        vpc_id: String,
        tags: Tags,
    },
    DeleteRouteTable {
        route_table_id: String,
    },
    AssociateRouteTable {
        route_table_id: String,
        subnet_id: String,
    },
    DisassociateRouteTable {
        association_id: String,
    },
    ReplaceRouteTableAssociation {
        association_id: String,
        route_table_id: String,
    },
    CreateRoute {
        route_table_id: String,
        spec: RouteSpec,
    },
    ReplaceRoute {
        route_table_id: String,
        spec: RouteSpec,
    },
    DeleteRoute {
        route_table_id: String,
        spec: RouteSpec,
    },
    CreateInternetGateway {
        tags: Tags,
    },
    DeleteInternetGateway {
        internet_gateway_id: String,
    },
    AttachInternetGateway {
        internet_gateway_id: String,
        vpc_id: String,
    },
    DetachInternetGateway {
        internet_gateway_id: String,
        vpc_id: String,
    },
    CreateEgressOnlyInternetGateway {
        vpc_id: String,
        tags: Tags,
    },
    DeleteEgressOnlyInternetGateway {
        egress_only_internet_gateway_id: String,
    },
    AllocateAddress {
        tags: Tags,
    },
    ReleaseAddress {
        allocation_id: String,
    },
    AssociateAddress(AssociateAddress),
    DisassociateAddress {
        association_id_or_ip: String,
    },
    CreateNatGateway(CreateNatGateway),
    DeleteNatGateway {
        nat_gateway_id: String,
    },
    CreateNetworkInterface(CreateNetworkInterface),
    DeleteNetworkInterface {
        network_interface_id: String,
    },
    AttachNetworkInterface {
        network_interface_id: String,
        instance_id: String,
        device_index: u32,
    },
    DetachNetworkInterface {
        attachment_id: String,
    },
    ModifyNetworkInterfaceAttribute {
        network_interface_id: String,
        attribute: NetworkInterfaceAttribute,
    },
    AssignPrivateIpAddresses {
        network_interface_id: String,
        addresses: Vec<String>,
        count: u32,
    },
    UnassignPrivateIpAddresses {
        network_interface_id: String,
        addresses: Vec<String>,
    },
    RunInstances(RunInstances),
    StopInstances {
        instance_ids: Vec<String>,
    },
    StartInstances {
        instance_ids: Vec<String>,
    },
    TerminateInstances {
        instance_ids: Vec<String>,
    },
    CreateSecurityGroup {
        vpc_id: Option<String>,
        group_name: String,
        description: String,
        tags: Tags,
    },
    DeleteSecurityGroup {
        group: String,
    },
    AuthorizeSecurityGroupRules {
        group: String,
        is_egress: bool,
        permissions: Vec<IpPermission>,
        /// Tags for each new rule (`TagSpecification` of type `security-group-rule`).
        #[serde(default, skip_serializing_if = "Tags::is_empty")]
        tags: Tags,
    },
    RevokeSecurityGroupRules {
        group: String,
        is_egress: bool,
        permissions: Vec<IpPermission>,
        rule_ids: Vec<String>,
    },
    CreateNetworkAcl {
        vpc_id: String,
        tags: Tags,
    },
    DeleteNetworkAcl {
        network_acl_id: String,
    },
    CreateNetworkAclEntry {
        network_acl_id: String,
        spec: NetworkAclEntrySpec,
    },
    ReplaceNetworkAclEntry {
        network_acl_id: String,
        spec: NetworkAclEntrySpec,
    },
    DeleteNetworkAclEntry {
        network_acl_id: String,
        rule_number: i32,
        egress: bool,
    },
    ReplaceNetworkAclAssociation {
        association_id: String,
        network_acl_id: String,
    },
    CreateManagedPrefixList(CreateManagedPrefixList),
    ModifyManagedPrefixList {
        prefix_list_id: String,
        change: ModifyManagedPrefixList,
    },
    DeleteManagedPrefixList {
        prefix_list_id: String,
    },
    CreateVpcEndpoint(CreateVpcEndpoint),
    ModifyVpcEndpoint {
        vpc_endpoint_id: String,
        change: ModifyVpcEndpoint,
    },
    DeleteVpcEndpoints {
        vpc_endpoint_ids: Vec<String>,
    },
    CreateVpcEndpointServiceConfiguration(CreateVpcEndpointServiceConfiguration),
    ModifyVpcEndpointServiceConfiguration {
        service_id: String,
        change: ModifyVpcEndpointServiceConfiguration,
    },
    DeleteVpcEndpointServiceConfigurations {
        service_ids: Vec<String>,
    },
    /// The lab verifies a private DNS name at once (it has no public DNS to look in).
    StartVpcEndpointServicePrivateDnsVerification {
        service_id: String,
    },
    ModifyVpcEndpointServicePermissions {
        service_id: String,
        add_allowed_principals: Vec<String>,
        remove_allowed_principals: Vec<String>,
    },
    AcceptVpcEndpointConnections {
        service_id: String,
        vpc_endpoint_ids: Vec<String>,
    },
    RejectVpcEndpointConnections {
        service_id: String,
        vpc_endpoint_ids: Vec<String>,
    },
    CreateVpcPeeringConnection {
        vpc_id: String,
        peer_vpc_id: String,
        peer_owner_id: Option<String>,
        peer_region: Option<String>,
        tags: Tags,
    },
    AcceptVpcPeeringConnection {
        vpc_peering_connection_id: String,
    },
    RejectVpcPeeringConnection {
        vpc_peering_connection_id: String,
    },
    DeleteVpcPeeringConnection {
        vpc_peering_connection_id: String,
    },
    ExpireVpcPeeringConnections,
    CreateFlowLogs(CreateFlowLogs),
    DeleteFlowLogs {
        flow_log_ids: Vec<String>,
    },
    CreateTags {
        resource_ids: Vec<String>,
        tags: Tags,
    },
    DeleteTags {
        resource_ids: Vec<String>,
        keys: Vec<TagFilter>,
    },
    /// A CloudFormation stack deployed (after the operations that made its resources).
    RecordStack(Box<CloudFormationStack>),
    /// A CloudFormation stack taken down (after the operations that deleted its resources).
    ForgetStack {
        name: String,
    },
    /// CreateNetworkInsightsPath.
    CreateNetworkInsightsPath(CreateNetworkInsightsPath),
    /// DeleteNetworkInsightsPath.
    DeleteNetworkInsightsPath {
        network_insights_path_id: String,
    },
    /// StartNetworkInsightsAnalysis, with the finding worked out for the path.
    StartNetworkInsightsAnalysis {
        network_insights_path_id: String,
        network_path_found: bool,
        finding: String,
        tags: Tags,
    },
    /// DeleteNetworkInsightsAnalysis.
    DeleteNetworkInsightsAnalysis {
        network_insights_analysis_id: String,
    },
    /// ELBv2 CreateLoadBalancer (network load balancers).
    CreateLoadBalancer(CreateLoadBalancer),
    /// ELBv2 DeleteLoadBalancer.
    DeleteLoadBalancer {
        load_balancer_arn: String,
    },
    /// ELBv2 ModifyLoadBalancerAttributes: `(key, value)` pairs.
    ModifyLoadBalancerAttributes {
        load_balancer_arn: String,
        attributes: Vec<(String, String)>,
    },
    /// ELBv2 SetSecurityGroups.
    SetLoadBalancerSecurityGroups {
        load_balancer_arn: String,
        security_groups: Vec<String>,
        /// `EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic`, when given.
        #[serde(default)]
        enforce_on_private_link: Option<bool>,
    },
    /// ELBv2 CreateTargetGroup.
    CreateTargetGroup(CreateTargetGroup),
    /// ELBv2 ModifyTargetGroup (health check settings).
    ModifyTargetGroup {
        target_group_arn: String,
        health_check: HealthCheckSettings,
    },
    /// ELBv2 DeleteTargetGroup.
    DeleteTargetGroup {
        target_group_arn: String,
    },
    /// ELBv2 ModifyTargetGroupAttributes: `(key, value)` pairs.
    ModifyTargetGroupAttributes {
        target_group_arn: String,
        attributes: Vec<(String, String)>,
    },
    /// ELBv2 RegisterTargets.
    RegisterTargets {
        target_group_arn: String,
        targets: Vec<TargetDescription>,
    },
    /// ELBv2 DeregisterTargets.
    DeregisterTargets {
        target_group_arn: String,
        targets: Vec<TargetDescription>,
    },
    /// ELBv2 CreateListener.
    CreateListener(CreateListener),
    /// ELBv2 ModifyListener.
    ModifyListener {
        listener_arn: String,
        change: ModifyListener,
    },
    /// ELBv2 DeleteListener.
    DeleteListener {
        listener_arn: String,
    },
    /// ELBv2 AddTags on load balancers, target groups and listeners.
    AddTags {
        resource_arns: Vec<String>,
        tags: Tags,
    },
    /// ELBv2 RemoveTags.
    RemoveTags {
        resource_arns: Vec<String>,
        tag_keys: Vec<String>,
    },
}

/// What an applied operation produced.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Nothing beyond success.
    Done,
    /// The id of what was created (a VPC, an association, an attachment, …).
    Created(String),
    /// RunInstances: the reservation and its instances.
    Reservation(ReservationId, Vec<InstanceId>),
    /// Start/Stop/TerminateInstances.
    StateChanges(Vec<InstanceStateChange>),
    /// AuthorizeSecurityGroupIngress/Egress: the rules added.
    Rules(Vec<SecurityGroupRule>),
    /// RevokeSecurityGroupIngress/Egress.
    Revoked(Revoked),
    /// AssignPrivateIpAddresses.
    Addresses(Vec<Ipv4Addr>),
    /// ModifyManagedPrefixList: the new version.
    Version(u64),
    /// DeleteVpcEndpoints (and the other bulk actions): the ones that could not be done.
    Unsuccessful(Vec<(String, Error)>),
    /// ModifyVpcEndpointServicePermissions: the principals added.
    AddedPrincipals(Vec<AllowedPrincipal>),
    /// DisassociateVpcCidrBlock: the VPC and the block that went.
    Disassociated {
        /// The VPC.
        vpc_id: String,
        /// The block.
        cidr: ipnet::IpNet,
    },
    /// Peering connections that expired.
    Expired(Vec<VpcPeeringConnectionId>),
    /// DisassociateSubnetCidrBlock: the subnet and the IPv6 block that went.
    SubnetCidrDisassociated {
        /// The subnet.
        subnet_id: SubnetId,
        /// The block.
        cidr: ipnet::Ipv6Net,
    },
    /// DeleteSecurityGroup: the id of the group that went (the request may name it).
    Deleted(String),
    /// DeleteManagedPrefixList: the list as it was, which AWS's answer shows.
    PrefixList(Box<ManagedPrefixList>),
    /// CreateFlowLogs: the flow logs created and the resources that got none.
    FlowLogs(FlowLogsCreated),
}

impl Operation {
    /// The operation's name (`CreateVpc`), as logs print it.
    pub fn name(&self) -> &'static str {
        macro_rules! names {
            ($($v:ident),*) => { match self { $(Operation::$v { .. } => stringify!($v),)* } };
        }
        names!(
            AddAccount,
            SetQuotas,
            CreateBucket,
            DeleteBucket,
            PutBucketPolicy,
            DeleteBucketPolicy,
            CreateVpc,
            CreateDefaultVpc,
            DeleteVpc,
            ModifyVpcAttribute,
            AssociateVpcCidrBlock,
            DisassociateVpcCidrBlock,
            CreateSubnet,
            DeleteSubnet,
            ModifySubnetAttribute,
            AssociateSubnetCidrBlock,
            DisassociateSubnetCidrBlock,
            CreateRouteTable,
            DeleteRouteTable,
            AssociateRouteTable,
            DisassociateRouteTable,
            ReplaceRouteTableAssociation,
            CreateRoute,
            ReplaceRoute,
            DeleteRoute,
            CreateInternetGateway,
            DeleteInternetGateway,
            AttachInternetGateway,
            DetachInternetGateway,
            CreateEgressOnlyInternetGateway,
            DeleteEgressOnlyInternetGateway,
            AllocateAddress,
            ReleaseAddress,
            AssociateAddress,
            DisassociateAddress,
            CreateNatGateway,
            DeleteNatGateway,
            CreateNetworkInterface,
            DeleteNetworkInterface,
            AttachNetworkInterface,
            DetachNetworkInterface,
            ModifyNetworkInterfaceAttribute,
            AssignPrivateIpAddresses,
            UnassignPrivateIpAddresses,
            RunInstances,
            StopInstances,
            StartInstances,
            TerminateInstances,
            CreateSecurityGroup,
            DeleteSecurityGroup,
            AuthorizeSecurityGroupRules,
            RevokeSecurityGroupRules,
            CreateNetworkAcl,
            DeleteNetworkAcl,
            CreateNetworkAclEntry,
            ReplaceNetworkAclEntry,
            DeleteNetworkAclEntry,
            ReplaceNetworkAclAssociation,
            CreateManagedPrefixList,
            ModifyManagedPrefixList,
            DeleteManagedPrefixList,
            CreateVpcEndpoint,
            ModifyVpcEndpoint,
            DeleteVpcEndpoints,
            CreateVpcEndpointServiceConfiguration,
            ModifyVpcEndpointServiceConfiguration,
            DeleteVpcEndpointServiceConfigurations,
            StartVpcEndpointServicePrivateDnsVerification,
            ModifyVpcEndpointServicePermissions,
            AcceptVpcEndpointConnections,
            RejectVpcEndpointConnections,
            CreateVpcPeeringConnection,
            AcceptVpcPeeringConnection,
            RejectVpcPeeringConnection,
            DeleteVpcPeeringConnection,
            ExpireVpcPeeringConnections,
            CreateFlowLogs,
            DeleteFlowLogs,
            CreateTags,
            DeleteTags,
            RecordStack,
            ForgetStack,
            CreateNetworkInsightsPath,
            DeleteNetworkInsightsPath,
            StartNetworkInsightsAnalysis,
            DeleteNetworkInsightsAnalysis,
            CreateLoadBalancer,
            DeleteLoadBalancer,
            ModifyLoadBalancerAttributes,
            SetLoadBalancerSecurityGroups,
            CreateTargetGroup,
            ModifyTargetGroup,
            DeleteTargetGroup,
            ModifyTargetGroupAttributes,
            RegisterTargets,
            DeregisterTargets,
            CreateListener,
            ModifyListener,
            DeleteListener,
            AddTags,
            RemoveTags
        )
    }
}

fn created(id: impl ToString) -> Outcome {
    Outcome::Created(id.to_string())
}

impl Lab {
    /// Applies `op` for `caller`. On `Err` the lab is exactly as before, id generator
    /// included, so only the operations that returned `Ok` need logging for a replay.
    pub fn apply(&mut self, caller: &Caller, op: &Operation) -> Result<Outcome> {
        let ids = self.ids.clone();
        let outcome = self.apply_unlogged(caller, op);
        if outcome.is_err() {
            self.ids = ids;
        } else {
            // AWS deletes a flow log with the resource it watches.
            self.drop_orphan_flow_logs();
        }
        outcome
    }

    fn apply_unlogged(&mut self, c: &Caller, op: &Operation) -> Result<Outcome> {
        use Operation as O;
        Ok(match op {
            O::AddAccount { account } => {
                self.add_account(account, c.now);
                Outcome::Done
            }
            O::SetQuotas(quotas) => {
                self.quotas = quotas.clone();
                Outcome::Done
            }
            O::CreateBucket { bucket, region } => self
                .create_bucket(c, bucket, *region)
                .map(|()| Outcome::Done)?,
            O::DeleteBucket { bucket, empty } => {
                self.delete_bucket(bucket, *empty).map(|()| Outcome::Done)?
            }
            O::PutBucketPolicy { bucket, policy } => self
                .put_bucket_policy(bucket, policy)
                .map(|()| Outcome::Done)?,
            O::DeleteBucketPolicy { bucket } => {
                self.delete_bucket_policy(bucket).map(|()| Outcome::Done)?
            }
            O::CreateVpc(req) => created(self.create_vpc(c, req.clone())?),
            O::CreateDefaultVpc => created(self.create_default_vpc(c)?),
            O::DeleteVpc { vpc_id } => self.delete_vpc(c, vpc_id).map(|()| Outcome::Done)?,
            O::ModifyVpcAttribute { vpc_id, attribute } => self
                .modify_vpc_attribute(c, vpc_id, *attribute)
                .map(|()| Outcome::Done)?,
            O::AssociateVpcCidrBlock {
                vpc_id,
                cidr_block,
                amazon_provided_ipv6_cidr_block,
            } => created(self.associate_vpc_cidr_block(
                c,
                vpc_id,
                cidr_block.as_deref(),
                *amazon_provided_ipv6_cidr_block,
            )?),
            O::DisassociateVpcCidrBlock { association_id } => {
                let (vpc_id, cidr) = self.disassociate_vpc_cidr_block(c, association_id)?;
                Outcome::Disassociated {
                    vpc_id: vpc_id.to_string(),
                    cidr,
                }
            }
            O::CreateSubnet(req) => created(self.create_subnet(c, req.clone())?),
            O::DeleteSubnet { subnet_id } => {
                self.delete_subnet(c, subnet_id).map(|()| Outcome::Done)?
            }
            O::ModifySubnetAttribute {
                subnet_id,
                attribute,
            } => self
                .modify_subnet_attribute(c, subnet_id, *attribute)
                .map(|()| Outcome::Done)?,
            O::AssociateSubnetCidrBlock {
                subnet_id,
                ipv6_cidr_block,
            } => created(self.associate_subnet_cidr_block(c, subnet_id, ipv6_cidr_block)?),
            O::DisassociateSubnetCidrBlock { association_id } => {
                let (subnet_id, cidr) = self.disassociate_subnet_cidr_block(c, association_id)?;
                Outcome::SubnetCidrDisassociated { subnet_id, cidr }
            }
            O::CreateRouteTable { vpc_id, tags } => {
                created(self.create_route_table(c, vpc_id, tags.clone())?)
            }
            O::DeleteRouteTable { route_table_id } => self
                .delete_route_table(c, route_table_id)
                .map(|()| Outcome::Done)?,
            O::AssociateRouteTable {
                route_table_id,
                subnet_id,
            } => created(self.associate_route_table(c, route_table_id, subnet_id)?),
            O::DisassociateRouteTable { association_id } => self
                .disassociate_route_table(c, association_id)
                .map(|()| Outcome::Done)?,
            O::ReplaceRouteTableAssociation {
                association_id,
                route_table_id,
            } => {
                created(self.replace_route_table_association(c, association_id, route_table_id)?)
            }
            O::CreateRoute {
                route_table_id,
                spec,
            } => self
                .create_route(c, route_table_id, spec)
                .map(|()| Outcome::Done)?,
            O::ReplaceRoute {
                route_table_id,
                spec,
            } => self
                .replace_route(c, route_table_id, spec)
                .map(|()| Outcome::Done)?,
            O::DeleteRoute {
                route_table_id,
                spec,
            } => self
                .delete_route(c, route_table_id, spec)
                .map(|()| Outcome::Done)?,
            O::CreateInternetGateway { tags } => {
                created(self.create_internet_gateway(c, tags.clone())?)
            }
            O::DeleteInternetGateway {
                internet_gateway_id,
            } => self
                .delete_internet_gateway(c, internet_gateway_id)
                .map(|()| Outcome::Done)?,
            O::AttachInternetGateway {
                internet_gateway_id,
                vpc_id,
            } => self
                .attach_internet_gateway(c, internet_gateway_id, vpc_id)
                .map(|()| Outcome::Done)?,
            O::DetachInternetGateway {
                internet_gateway_id,
                vpc_id,
            } => self
                .detach_internet_gateway(c, internet_gateway_id, vpc_id)
                .map(|()| Outcome::Done)?,
            O::CreateEgressOnlyInternetGateway { vpc_id, tags } => {
                created(self.create_egress_only_internet_gateway(c, vpc_id, tags.clone())?)
            }
            O::DeleteEgressOnlyInternetGateway {
                egress_only_internet_gateway_id,
            } => self
                .delete_egress_only_internet_gateway(c, egress_only_internet_gateway_id)
                .map(|()| Outcome::Done)?,
            O::AllocateAddress { tags } => created(self.allocate_address(c, tags.clone())?),
            O::ReleaseAddress { allocation_id } => self
                .release_address(c, allocation_id)
                .map(|()| Outcome::Done)?,
            O::AssociateAddress(req) => created(self.associate_address(c, req)?),
            O::DisassociateAddress {
                association_id_or_ip,
            } => self
                .disassociate_address(c, association_id_or_ip)
                .map(|()| Outcome::Done)?,
            O::CreateNatGateway(req) => created(self.create_nat_gateway(c, req.clone())?),
            O::DeleteNatGateway { nat_gateway_id } => self
                .delete_nat_gateway(c, nat_gateway_id)
                .map(|()| Outcome::Done)?,
            O::CreateNetworkInterface(req) => {
                created(self.create_network_interface(c, req.clone())?)
            }
            O::DeleteNetworkInterface {
                network_interface_id,
            } => self
                .delete_network_interface(c, network_interface_id)
                .map(|()| Outcome::Done)?,
            O::AttachNetworkInterface {
                network_interface_id,
                instance_id,
                device_index,
            } => created(self.attach_network_interface(
                c,
                network_interface_id,
                instance_id,
                *device_index,
            )?),
            O::DetachNetworkInterface { attachment_id } => self
                .detach_network_interface(c, attachment_id)
                .map(|()| Outcome::Done)?,
            O::ModifyNetworkInterfaceAttribute {
                network_interface_id,
                attribute,
            } => self
                .modify_network_interface_attribute(c, network_interface_id, attribute.clone())
                .map(|()| Outcome::Done)?,
            O::AssignPrivateIpAddresses {
                network_interface_id,
                addresses,
                count,
            } => Outcome::Addresses(self.assign_private_ip_addresses(
                c,
                network_interface_id,
                addresses,
                *count,
            )?),
            O::UnassignPrivateIpAddresses {
                network_interface_id,
                addresses,
            } => self
                .unassign_private_ip_addresses(c, network_interface_id, addresses)
                .map(|()| Outcome::Done)?,
            O::RunInstances(req) => {
                let (reservation, instances) = self.run_instances(c, req.clone())?;
                Outcome::Reservation(reservation, instances)
            }
            O::StopInstances { instance_ids } => {
                Outcome::StateChanges(self.stop_instances(c, instance_ids)?)
            }
            O::StartInstances { instance_ids } => {
                Outcome::StateChanges(self.start_instances(c, instance_ids)?)
            }
            O::TerminateInstances { instance_ids } => {
                Outcome::StateChanges(self.terminate_instances(c, instance_ids)?)
            }
            O::CreateSecurityGroup {
                vpc_id,
                group_name,
                description,
                tags,
            } => created(self.create_security_group(
                c,
                vpc_id.as_deref(),
                group_name,
                description,
                tags.clone(),
            )?),
            O::DeleteSecurityGroup { group } => {
                let id = self.find_security_group(c, group)?.id.to_string();
                self.delete_security_group(c, group)?;
                Outcome::Deleted(id)
            }
            O::AuthorizeSecurityGroupRules {
                group,
                is_egress,
                permissions,
                tags,
            } => {
                // Checked first: nothing may change once the rules are in.
                validate_tags(tags)?;
                let rules =
                    self.authorize_security_group_rules(c, group, *is_egress, permissions)?;
                self.tag_new_rules(&rules, tags);
                Outcome::Rules(rules)
            }
            O::RevokeSecurityGroupRules {
                group,
                is_egress,
                permissions,
                rule_ids,
            } => Outcome::Revoked(self.revoke_security_group_rules(
                c,
                group,
                *is_egress,
                permissions,
                rule_ids,
            )?),
            O::CreateNetworkAcl { vpc_id, tags } => {
                created(self.create_network_acl(c, vpc_id, tags.clone())?)
            }
            O::DeleteNetworkAcl { network_acl_id } => self
                .delete_network_acl(c, network_acl_id)
                .map(|()| Outcome::Done)?,
            O::CreateNetworkAclEntry {
                network_acl_id,
                spec,
            } => self
                .create_network_acl_entry(c, network_acl_id, spec)
                .map(|()| Outcome::Done)?,
            O::ReplaceNetworkAclEntry {
                network_acl_id,
                spec,
            } => self
                .replace_network_acl_entry(c, network_acl_id, spec)
                .map(|()| Outcome::Done)?,
            O::DeleteNetworkAclEntry {
                network_acl_id,
                rule_number,
                egress,
            } => self
                .delete_network_acl_entry(c, network_acl_id, *rule_number, *egress)
                .map(|()| Outcome::Done)?,
            O::ReplaceNetworkAclAssociation {
                association_id,
                network_acl_id,
            } => {
                created(self.replace_network_acl_association(c, association_id, network_acl_id)?)
            }
            O::CreateManagedPrefixList(req) => {
                created(self.create_managed_prefix_list(c, req.clone())?)
            }
            O::ModifyManagedPrefixList {
                prefix_list_id,
                change,
            } => Outcome::Version(self.modify_managed_prefix_list(
                c,
                prefix_list_id,
                change.clone(),
            )?),
            O::DeleteManagedPrefixList { prefix_list_id } => {
                let list = self.visible_prefix_list(c, prefix_list_id)?.clone();
                self.delete_managed_prefix_list(c, prefix_list_id)?;
                Outcome::PrefixList(Box::new(list))
            }
            O::CreateVpcEndpoint(req) => created(self.create_vpc_endpoint(c, req.clone())?),
            O::ModifyVpcEndpoint {
                vpc_endpoint_id,
                change,
            } => self
                .modify_vpc_endpoint(c, vpc_endpoint_id, change.clone())
                .map(|()| Outcome::Done)?,
            O::DeleteVpcEndpoints { vpc_endpoint_ids } => {
                Outcome::Unsuccessful(self.delete_vpc_endpoints(c, vpc_endpoint_ids))
            }
            O::CreateVpcEndpointServiceConfiguration(req) => {
                created(self.create_vpc_endpoint_service_configuration(c, req.clone())?)
            }
            O::ModifyVpcEndpointServiceConfiguration { service_id, change } => self
                .modify_vpc_endpoint_service_configuration(c, service_id, change.clone())
                .map(|()| Outcome::Done)?,
            O::DeleteVpcEndpointServiceConfigurations { service_ids } => Outcome::Unsuccessful(
                self.delete_vpc_endpoint_service_configurations(c, service_ids),
            ),
            O::StartVpcEndpointServicePrivateDnsVerification { service_id } => self
                .start_vpc_endpoint_service_private_dns_verification(c, service_id)
                .map(|()| Outcome::Done)?,
            O::ModifyVpcEndpointServicePermissions {
                service_id,
                add_allowed_principals,
                remove_allowed_principals,
            } => Outcome::AddedPrincipals(self.modify_vpc_endpoint_service_permissions(
                c,
                service_id,
                add_allowed_principals,
                remove_allowed_principals,
            )?),
            O::AcceptVpcEndpointConnections {
                service_id,
                vpc_endpoint_ids,
            } => Outcome::Unsuccessful(self.accept_vpc_endpoint_connections(
                c,
                service_id,
                vpc_endpoint_ids,
            )?),
            O::RejectVpcEndpointConnections {
                service_id,
                vpc_endpoint_ids,
            } => Outcome::Unsuccessful(self.reject_vpc_endpoint_connections(
                c,
                service_id,
                vpc_endpoint_ids,
            )?),
            O::CreateVpcPeeringConnection {
                vpc_id,
                peer_vpc_id,
                peer_owner_id,
                peer_region,
                tags,
            } => created(self.create_vpc_peering_connection(
                c,
                vpc_id,
                peer_vpc_id,
                peer_owner_id.as_deref(),
                peer_region.as_deref(),
                tags.clone(),
            )?),
            O::AcceptVpcPeeringConnection {
                vpc_peering_connection_id,
            } => self
                .accept_vpc_peering_connection(c, vpc_peering_connection_id)
                .map(|()| Outcome::Done)?,
            O::RejectVpcPeeringConnection {
                vpc_peering_connection_id,
            } => self
                .reject_vpc_peering_connection(c, vpc_peering_connection_id)
                .map(|()| Outcome::Done)?,
            O::DeleteVpcPeeringConnection {
                vpc_peering_connection_id,
            } => self
                .delete_vpc_peering_connection(c, vpc_peering_connection_id)
                .map(|()| Outcome::Done)?,
            O::ExpireVpcPeeringConnections => {
                Outcome::Expired(self.expire_vpc_peering_connections(c.now))
            }
            O::CreateFlowLogs(req) => Outcome::FlowLogs(self.create_flow_logs(c, req)?),
            O::DeleteFlowLogs { flow_log_ids } => {
                Outcome::Unsuccessful(self.delete_flow_logs(c, flow_log_ids))
            }
            O::CreateTags { resource_ids, tags } => self
                .create_tags(c, resource_ids, tags)
                .map(|()| Outcome::Done)?,
            O::DeleteTags { resource_ids, keys } => self
                .delete_tags(c, resource_ids, keys)
                .map(|()| Outcome::Done)?,
            O::RecordStack(stack) => self.record_stack(c, stack).map(|()| Outcome::Done)?,
            O::ForgetStack { name } => self.forget_stack(c, name).map(|()| Outcome::Done)?,
            O::CreateNetworkInsightsPath(req) => {
                created(self.create_network_insights_path(c, req)?)
            }
            O::DeleteNetworkInsightsPath {
                network_insights_path_id,
            } => self
                .delete_network_insights_path(c, network_insights_path_id)
                .map(|()| Outcome::Done)?,
            O::StartNetworkInsightsAnalysis {
                network_insights_path_id,
                network_path_found,
                finding,
                tags,
            } => created(self.start_network_insights_analysis(
                c,
                network_insights_path_id,
                *network_path_found,
                finding,
                tags,
            )?),
            O::DeleteNetworkInsightsAnalysis {
                network_insights_analysis_id,
            } => self
                .delete_network_insights_analysis(c, network_insights_analysis_id)
                .map(|()| Outcome::Done)?,
            O::CreateLoadBalancer(req) => created(self.create_load_balancer(c, req.clone())?),
            O::DeleteLoadBalancer { load_balancer_arn } => self
                .delete_load_balancer(c, load_balancer_arn)
                .map(|()| Outcome::Done)?,
            O::ModifyLoadBalancerAttributes {
                load_balancer_arn,
                attributes,
            } => self
                .modify_load_balancer_attributes(c, load_balancer_arn, attributes)
                .map(|()| Outcome::Done)?,
            O::SetLoadBalancerSecurityGroups {
                load_balancer_arn,
                security_groups,
                enforce_on_private_link,
            } => self
                .set_load_balancer_security_groups(
                    c,
                    load_balancer_arn,
                    security_groups,
                    *enforce_on_private_link,
                )
                .map(|()| Outcome::Done)?,
            O::CreateTargetGroup(req) => created(self.create_target_group(c, req.clone())?),
            O::ModifyTargetGroup {
                target_group_arn,
                health_check,
            } => self
                .modify_target_group(c, target_group_arn, health_check)
                .map(|()| Outcome::Done)?,
            O::DeleteTargetGroup { target_group_arn } => self
                .delete_target_group(c, target_group_arn)
                .map(|()| Outcome::Done)?,
            O::ModifyTargetGroupAttributes {
                target_group_arn,
                attributes,
            } => self
                .modify_target_group_attributes(c, target_group_arn, attributes)
                .map(|()| Outcome::Done)?,
            O::RegisterTargets {
                target_group_arn,
                targets,
            } => self
                .register_targets(c, target_group_arn, targets)
                .map(|()| Outcome::Done)?,
            O::DeregisterTargets {
                target_group_arn,
                targets,
            } => self
                .deregister_targets(c, target_group_arn, targets)
                .map(|()| Outcome::Done)?,
            O::CreateListener(req) => created(self.create_listener(c, req.clone())?),
            O::ModifyListener {
                listener_arn,
                change,
            } => self
                .modify_listener(c, listener_arn, change)
                .map(|()| Outcome::Done)?,
            O::DeleteListener { listener_arn } => self
                .delete_listener(c, listener_arn)
                .map(|()| Outcome::Done)?,
            O::AddTags {
                resource_arns,
                tags,
            } => self
                .add_tags(c, resource_arns, tags)
                .map(|()| Outcome::Done)?,
            O::RemoveTags {
                resource_arns,
                tag_keys,
            } => self
                .remove_tags(c, resource_arns, tag_keys)
                .map(|()| Outcome::Done)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller() -> Caller {
        Caller::new(
            AccountId::parse("111111111111").unwrap(),
            Region::default_region(),
            Timestamp(1000),
        )
    }

    #[test]
    fn operations_survive_json_and_replay_to_the_same_lab() {
        let c = caller();
        let ops = vec![
            Operation::AddAccount {
                account: c.account.clone(),
            },
            Operation::CreateVpc(CreateVpc {
                cidr_block: "10.0.0.0/16".into(),
                ..Default::default()
            }),
        ];
        let mut a = Lab::new(3);
        let mut log = Vec::new();
        for op in &ops {
            a.apply(&c, op).unwrap();
            log.push(serde_json::to_string(op).unwrap());
        }
        let vpc = a.vpcs().find(|v| !v.is_default).unwrap().id.to_string();
        let more = [
            Operation::CreateSubnet(CreateSubnet {
                vpc_id: vpc.clone(),
                cidr_block: "10.0.1.0/24".into(),
                ..Default::default()
            }),
            Operation::CreateSubnet(CreateSubnet {
                vpc_id: vpc.clone(),
                cidr_block: "10.0.1.0/25".into(),
                ..Default::default()
            }),
            Operation::CreateInternetGateway { tags: Tags::new() },
        ];
        for op in &more {
            if a.apply(&c, op).is_ok() {
                log.push(serde_json::to_string(op).unwrap());
            }
        }
        assert_eq!(
            log.len(),
            4,
            "the overlapping subnet was refused and not logged"
        );
        let mut b = Lab::new(3);
        for line in &log {
            let op: Operation = serde_json::from_str(line).unwrap();
            b.apply(&c, &op).unwrap();
        }
        assert_eq!(
            serde_json::to_value(&a).unwrap(),
            serde_json::to_value(&b).unwrap()
        );
    }

    #[test]
    fn a_refused_operation_leaves_the_id_generator_alone() {
        let c = caller();
        let mut lab = Lab::new(9);
        lab.apply(
            &c,
            &Operation::AddAccount {
                account: c.account.clone(),
            },
        )
        .unwrap();
        let before = serde_json::to_value(&lab).unwrap();
        let bad = Operation::CreateVpc(CreateVpc {
            cidr_block: "10.0.0.0/8".into(),
            ..Default::default()
        });
        assert_eq!(lab.apply(&c, &bad).unwrap_err().code(), "InvalidVpc.Range");
        assert_eq!(serde_json::to_value(&lab).unwrap(), before);
    }
}
