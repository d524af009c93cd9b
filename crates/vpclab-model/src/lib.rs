//! vpclab's network model: AWS's network resources as plain data, and the control-plane
//! operations (`create_vpc`, `create_route`, `authorize_security_group_rules`, …) as
//! methods of [`Lab`] that check their input, change the lab, and answer with AWS's
//! error codes — leaving the lab unchanged when they refuse.
//!
//! No IO and no clock: callers pass the time in through [`Caller`].

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod address;
pub mod aws_service;
mod bucket;
pub mod cidr;
mod dns;
mod endpoint_service;
mod err;
mod flow_log;
pub mod ids;
mod instance;
mod internet_gateway;
mod lab;
mod listener;
mod load_balancer;
mod nat_gateway;
mod network_acl;
mod network_insights;
mod network_interface;
mod operation;
mod peering;
mod prefix_list;
pub mod protocol;
pub mod region;
mod route_table;
mod security_group;
mod stack;
mod subnet;
mod tags;
mod target_group;
mod vpc;
mod vpc_endpoint;

pub use address::{Address, AddressAssociation, AssociateAddress};
pub use bucket::{Bucket, validate_bucket_name};
pub use dns::Resolution;
pub use endpoint_service::{
    AllowedPrincipal, CreateVpcEndpointServiceConfiguration, DnsNameState,
    ModifyVpcEndpointServiceConfiguration, PrincipalType, PrivateDnsNameConfiguration,
    ServiceState, VpcEndpointServiceConfiguration, endpoint_service_name,
};
pub use err::{Error, Kind, Result};
pub use flow_log::{
    CreateFlowLogs, DEFAULT_LOG_FORMAT, FLOW_LOG_FIELDS, FlowLog, FlowLogsCreated, LogDestination,
    TrafficType, log_format_fields, log_format_version,
};
pub use ids::*;
pub use instance::{Instance, InstanceState, InstanceStateChange, RunInstances};
pub use internet_gateway::{EgressOnlyInternetGateway, InternetGateway};
pub use lab::{Caller, Index, Lab, Owned, Quotas, Tags, Timestamp};
pub use listener::{
    CreateListener, DEFAULT_SSL_POLICY, Listener, ListenerAction, ModifyListener, compatible,
};
pub use load_balancer::{
    CreateLoadBalancer, ElbProtocol, LOAD_BALANCER_ATTRIBUTES, ListenerArn, LoadBalancer,
    LoadBalancerArn, LoadBalancerState, LoadBalancerZone, Scheme, SubnetMapping, TargetGroupArn,
    nlb_hosted_zone_id,
};
pub use nat_gateway::{ConnectivityType, CreateNatGateway, NatGateway, NatGatewayState};
pub use network_acl::{
    DEFAULT_RULE_V4, DEFAULT_RULE_V6, NetworkAcl, NetworkAclAssociation, NetworkAclEntry,
    NetworkAclEntrySpec, RuleAction,
};
pub use network_insights::{
    CreateNetworkInsightsPath, NetworkInsightsAnalysis, NetworkInsightsPath, PathEnd,
};
pub use network_interface::{
    CreateNetworkInterface, InterfaceType, NetworkInterface, NetworkInterfaceAttachment,
    NetworkInterfaceAttribute, PrivateIp, PublicIpAssociation,
};
pub use operation::{Operation, Outcome};
pub use peering::{PeeringSide, PeeringStatus, PeeringStatusCode, VpcPeeringConnection};
pub use prefix_list::{
    AddressFamily, CreateManagedPrefixList, ManagedPrefixList, ModifyManagedPrefixList,
    PrefixListEntry,
};
pub use protocol::{IpProtocol, PortRange};
pub use region::{AccountId, AvailabilityZone, Region};
pub use route_table::{
    AssociationTarget, Route, RouteDestination, RouteOrigin, RouteSpec, RouteState, RouteTable,
    RouteTableAssociation, RouteTarget,
};
pub use security_group::{
    GroupReference, IpPermission, Revoked, RulePeer, SecurityGroup, SecurityGroupRule,
    UserIdGroupPair,
};
pub use stack::{CloudFormationStack, StackResource};
pub use subnet::{CreateSubnet, Subnet, SubnetAttribute, SubnetIpv6CidrBlock};
pub use tags::{TagFilter, validate_tags};
pub use target_group::{
    CreateTargetGroup, HealthCheck, HealthCheckSettings, PORT_TAG_PREFIX, RegisteredTarget,
    TargetDescription, TargetGroup, TargetGroupAttributes, TargetHealthBasis, TargetType,
};
pub use vpc::{CreateVpc, Vpc, VpcAttribute, VpcCidrBlock, VpcIpv6CidrBlock};
pub use vpc_endpoint::{
    CreateVpcEndpoint, DEFAULT_GATEWAY_POLICY, DnsEntry, DnsOptions, DnsOptionsSpecification,
    ModifyVpcEndpoint, VPC_ENDPOINT_REQUESTER_ID, VpcEndpoint, VpcEndpointState, VpcEndpointType,
    vpce_hosted_zone_id,
};
