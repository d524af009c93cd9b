//! Shared helpers for the model's integration tests: labs with one or two accounts,
//! callers, builders for the usual resources, and the "refused and unchanged" check.

#![allow(dead_code)]

use std::fmt::Debug;
use std::net::{IpAddr, Ipv4Addr};

use vpclab_model::*;

/// The first test account.
pub const A: &str = "111111111111";
/// The second test account.
pub const B: &str = "222222222222";
/// A third account that owns nothing.
pub const C: &str = "333333333333";
/// The time every test starts at (2023-11-14T22:13:20Z).
pub const T0: Timestamp = Timestamp(1_700_000_000_000);
/// An AMI id of the right shape.
pub const AMI: &str = "ami-0123456789abcdef0";
/// AWS's real S3 prefix list in us-east-1.
pub const S3_PL_USE1: &str = "pl-63a5400a";

pub fn account(id: &str) -> AccountId {
    AccountId::parse(id).unwrap()
}

pub fn region(name: &str) -> Region {
    Region::parse(name).unwrap()
}

/// `account` calling us-east-1 at `T0`.
pub fn caller(account_id: &str) -> Caller {
    Caller::new(account(account_id), Region::default_region(), T0)
}

/// `account` calling `region` at `T0`.
pub fn caller_in(account_id: &str, region_name: &str) -> Caller {
    Caller::new(account(account_id), region(region_name), T0)
}

/// A lab with account A and no default VPCs (the usual starting point).
pub fn lab() -> (Lab, Caller) {
    let mut lab = Lab::new(7);
    lab.add_account_without_default_vpcs(&account(A));
    (lab, caller(A))
}

/// A lab with accounts A and B, no default VPCs.
pub fn lab2() -> (Lab, Caller, Caller) {
    let mut lab = Lab::new(7);
    lab.add_account_without_default_vpcs(&account(A));
    lab.add_account_without_default_vpcs(&account(B));
    (lab, caller(A), caller(B))
}

/// A lab with account A as AWS gives it: a default VPC in every region.
pub fn lab_with_default_vpcs() -> (Lab, Caller) {
    let mut lab = Lab::new(7);
    lab.add_account(&account(A), T0);
    (lab, caller(A))
}

/// The lab as stored: everything but the derived index.
pub fn snapshot(lab: &Lab) -> serde_json::Value {
    serde_json::to_value(lab).unwrap()
}

/// The incrementally kept index equals one rebuilt from scratch.
#[track_caller]
pub fn assert_consistent(lab: &Lab) {
    assert_eq!(
        lab.index(),
        &lab.compute_index(),
        "incremental index differs from the rebuilt one"
    );
}

/// Runs an operation that must be refused with AWS error `code`, and checks that it left
/// the lab exactly as it was (resources, id counter and index). Returns the error.
#[track_caller]
pub fn assert_refused<T: Debug>(
    lab: &mut Lab,
    code: &str,
    op: impl FnOnce(&mut Lab) -> Result<T>,
) -> Error {
    let before = snapshot(lab);
    let index_before = lab.index().clone();
    let err = match op(lab) {
        Ok(v) => panic!("expected {code}, but the operation succeeded with {v:?}"),
        Err(e) => e,
    };
    assert_eq!(err.code(), code, "wrong error code; message: {err}");
    assert_eq!(
        snapshot(lab),
        before,
        "a refused operation changed the lab ({err})"
    );
    assert_eq!(
        lab.index(),
        &index_before,
        "a refused operation changed the index"
    );
    assert_consistent(lab);
    err
}

pub fn tags(pairs: &[(&str, &str)]) -> Tags {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

pub fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

pub fn ip4(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

pub fn net(s: &str) -> ipnet::IpNet {
    s.parse().unwrap()
}

pub fn strings(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|s| (*s).to_owned()).collect()
}

// ---------------------------------------------------------------- builders

pub fn vpc(lab: &mut Lab, c: &Caller, cidr: &str) -> VpcId {
    let id = lab
        .create_vpc(
            c,
            CreateVpc {
                cidr_block: cidr.into(),
                ..CreateVpc::default()
            },
        )
        .unwrap();
    assert_consistent(lab);
    id
}

pub fn vpc_v6(lab: &mut Lab, c: &Caller, cidr: &str) -> VpcId {
    lab.create_vpc(
        c,
        CreateVpc {
            cidr_block: cidr.into(),
            amazon_provided_ipv6_cidr_block: true,
            ..CreateVpc::default()
        },
    )
    .unwrap()
}

/// A subnet in `<region>a`.
pub fn subnet(lab: &mut Lab, c: &Caller, vpc: &VpcId, cidr: &str) -> SubnetId {
    subnet_in(lab, c, vpc, cidr, &format!("{}a", c.region.name()))
}

pub fn subnet_in(lab: &mut Lab, c: &Caller, vpc: &VpcId, cidr: &str, az: &str) -> SubnetId {
    let id = lab
        .create_subnet(
            c,
            CreateSubnet {
                vpc_id: vpc.to_string(),
                cidr_block: cidr.into(),
                availability_zone: Some(az.into()),
                ..CreateSubnet::default()
            },
        )
        .unwrap();
    assert_consistent(lab);
    id
}

/// The first /64 of the VPC's IPv6 block.
pub fn first_v6_64(lab: &Lab, vpc: &VpcId, n: u16) -> String {
    let block = lab.vpc(vpc.as_str()).unwrap().ipv6_cidr_block_associations[0].cidr;
    let mut seg = block.network().segments();
    seg[3] += n;
    format!("{}/64", std::net::Ipv6Addr::from(seg))
}

pub fn igw_attached(lab: &mut Lab, c: &Caller, vpc: &VpcId) -> InternetGatewayId {
    let igw = lab.create_internet_gateway(c, Tags::new()).unwrap();
    lab.attach_internet_gateway(c, igw.as_str(), vpc.as_str())
        .unwrap();
    igw
}

pub fn run(subnet: &SubnetId) -> RunInstances {
    RunInstances {
        image_id: AMI.into(),
        min_count: 1,
        max_count: 1,
        subnet_id: Some(subnet.to_string()),
        ..RunInstances::default()
    }
}

pub fn instance(lab: &mut Lab, c: &Caller, subnet: &SubnetId) -> InstanceId {
    let (_, ids) = lab.run_instances(c, run(subnet)).unwrap();
    assert_consistent(lab);
    ids.into_iter().next().unwrap()
}

pub fn public_instance(lab: &mut Lab, c: &Caller, subnet: &SubnetId) -> InstanceId {
    let (_, ids) = lab
        .run_instances(
            c,
            RunInstances {
                associate_public_ip_address: Some(true),
                ..run(subnet)
            },
        )
        .unwrap();
    assert_consistent(lab);
    ids.into_iter().next().unwrap()
}

pub fn eni(lab: &mut Lab, c: &Caller, subnet: &SubnetId) -> NetworkInterfaceId {
    let id = lab
        .create_network_interface(
            c,
            CreateNetworkInterface {
                subnet_id: subnet.to_string(),
                ..CreateNetworkInterface::default()
            },
        )
        .unwrap();
    assert_consistent(lab);
    id
}

pub fn eip(lab: &mut Lab, c: &Caller) -> AllocationId {
    lab.allocate_address(c, Tags::new()).unwrap()
}

pub fn associate_eip(
    lab: &mut Lab,
    c: &Caller,
    alloc: &AllocationId,
    instance: &InstanceId,
) -> AddressAssociationId {
    let id = lab
        .associate_address(
            c,
            &AssociateAddress {
                allocation_id: alloc.to_string(),
                instance_id: Some(instance.to_string()),
                ..AssociateAddress::default()
            },
        )
        .unwrap();
    assert_consistent(lab);
    id
}

pub fn nat(lab: &mut Lab, c: &Caller, subnet: &SubnetId, alloc: &AllocationId) -> NatGatewayId {
    let id = lab
        .create_nat_gateway(
            c,
            CreateNatGateway {
                subnet_id: subnet.to_string(),
                allocation_id: Some(alloc.to_string()),
                ..CreateNatGateway::default()
            },
        )
        .unwrap();
    assert_consistent(lab);
    id
}

pub fn s3_endpoint(
    lab: &mut Lab,
    c: &Caller,
    vpc: &VpcId,
    tables: &[&RouteTableId],
) -> VpcEndpointId {
    let id = lab
        .create_vpc_endpoint(
            c,
            CreateVpcEndpoint {
                vpc_id: vpc.to_string(),
                service_name: format!("com.amazonaws.{}.s3", c.region.name()),
                route_table_ids: tables.iter().map(|t| t.to_string()).collect(),
                ..CreateVpcEndpoint::default()
            },
        )
        .unwrap();
    assert_consistent(lab);
    id
}

pub fn sg(lab: &mut Lab, c: &Caller, vpc: &VpcId, name: &str) -> SecurityGroupId {
    lab.create_security_group(c, Some(vpc.as_str()), name, "test group", Tags::new())
        .unwrap()
}

/// A pending peering from `vpc` (the caller's) to `peer` of `peer_owner`.
pub fn peering(
    lab: &mut Lab,
    c: &Caller,
    vpc: &VpcId,
    peer: &VpcId,
    peer_owner: &str,
) -> VpcPeeringConnectionId {
    lab.create_vpc_peering_connection(
        c,
        vpc.as_str(),
        peer.as_str(),
        Some(peer_owner),
        None,
        Tags::new(),
    )
    .unwrap()
}

// ---------------------------------------------------------------- lookups

pub fn main_rt(lab: &Lab, vpc: &VpcId) -> RouteTableId {
    lab.main_route_table(vpc).unwrap().id.clone()
}

pub fn route_table_of(lab: &Lab, subnet: &SubnetId) -> RouteTableId {
    let s = lab.subnet(subnet.as_str()).unwrap();
    lab.route_table_for_subnet(s).unwrap().id.clone()
}

/// A table's routes as `(destination, target)` text, in the table's order.
pub fn routes(lab: &Lab, rt: &RouteTableId) -> Vec<(String, String)> {
    lab.route_table(rt.as_str())
        .unwrap()
        .routes
        .iter()
        .map(|r| (r.destination.to_string(), r.target.to_string()))
        .collect()
}

pub fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

/// The state of the route to `destination` in `rt`.
pub fn route_state(lab: &Lab, rt: &RouteTableId, destination: &str) -> RouteState {
    let table = lab.route_table(rt.as_str()).unwrap();
    let route = table
        .routes
        .iter()
        .find(|r| r.destination.to_string() == destination)
        .unwrap_or_else(|| panic!("no route to {destination} in {rt}"));
    lab.route_state(table, route)
}

pub fn primary_eni<'a>(lab: &'a Lab, instance: &InstanceId) -> &'a NetworkInterface {
    let i = lab.instance(instance.as_str()).unwrap();
    lab.network_interface(i.primary_network_interface_id.as_str())
        .unwrap()
}

pub fn public_ip_of(lab: &Lab, instance: &InstanceId) -> Option<Ipv4Addr> {
    primary_eni(lab, instance).public_ip()
}

pub fn private_ip_of(lab: &Lab, instance: &InstanceId) -> Ipv4Addr {
    primary_eni(lab, instance).primary_private_ip()
}

pub fn available(lab: &Lab, subnet: &SubnetId) -> u64 {
    lab.available_ip_address_count(lab.subnet(subnet.as_str()).unwrap())
}

/// A route spec to `destination` through the internet gateway `igw`.
pub fn via_igw(destination: &str, igw: &InternetGatewayId) -> RouteSpec {
    RouteSpec {
        gateway_id: Some(igw.to_string()),
        ..RouteSpec::to(destination)
    }
}

pub fn via_nat(destination: &str, nat: &NatGatewayId) -> RouteSpec {
    RouteSpec {
        nat_gateway_id: Some(nat.to_string()),
        ..RouteSpec::to(destination)
    }
}

pub fn via_eni(destination: &str, eni: &NetworkInterfaceId) -> RouteSpec {
    RouteSpec {
        network_interface_id: Some(eni.to_string()),
        ..RouteSpec::to(destination)
    }
}

pub fn via_instance(destination: &str, instance: &InstanceId) -> RouteSpec {
    RouteSpec {
        instance_id: Some(instance.to_string()),
        ..RouteSpec::to(destination)
    }
}

pub fn via_pcx(destination: &str, pcx: &VpcPeeringConnectionId) -> RouteSpec {
    RouteSpec {
        vpc_peering_connection_id: Some(pcx.to_string()),
        ..RouteSpec::to(destination)
    }
}

pub fn via_eigw(destination: &str, eigw: &EgressOnlyInternetGatewayId) -> RouteSpec {
    RouteSpec {
        egress_only_internet_gateway_id: Some(eigw.to_string()),
        ..RouteSpec::to(destination)
    }
}

/// A well-formed id of kind `T` that no resource has.
pub fn missing(prefix: &str) -> String {
    format!("{prefix}-0fffffffffffffff0")
}
