//! A small world builder over the model's public operations, for trace tests.
#![allow(dead_code)]

use std::net::IpAddr;

use vpclab_model::*;
use vpclab_reach::{Destination, Flow, Source, Trace, trace};

pub const ACCOUNT: &str = "111111111111";
pub const OTHER_ACCOUNT: &str = "222222222222";

/// An S3 address in us-east-1 (inside pl-63a5400a's 52.216.0.0/15).
pub fn s3_ip() -> IpAddr {
    "52.216.8.10".parse().unwrap()
}

pub struct World {
    pub lab: Lab,
    pub caller: Caller,
}

pub enum To<'a> {
    Igw(&'a InternetGatewayId),
    Nat(&'a NatGatewayId),
    Pcx(&'a VpcPeeringConnectionId),
    Eni(&'a NetworkInterfaceId),
    Eigw(&'a EgressOnlyInternetGatewayId),
}

impl World {
    pub fn new() -> World {
        let mut lab = Lab::new(42);
        let account = AccountId::parse(ACCOUNT).unwrap();
        lab.add_account_without_default_vpcs(&account);
        lab.add_account_without_default_vpcs(&AccountId::parse(OTHER_ACCOUNT).unwrap());
        World {
            lab,
            caller: Caller::new(
                account,
                Region::default_region(),
                Timestamp(1_700_000_000_000),
            ),
        }
    }

    pub fn as_other(&self) -> Caller {
        Caller {
            account: AccountId::parse(OTHER_ACCOUNT).unwrap(),
            ..self.caller.clone()
        }
    }

    pub fn vpc(&mut self, cidr: &str) -> VpcId {
        let c = self.caller.clone();
        self.vpc_as(&c, cidr)
    }

    pub fn vpc_as(&mut self, caller: &Caller, cidr: &str) -> VpcId {
        self.lab
            .create_vpc(
                caller,
                CreateVpc {
                    cidr_block: cidr.into(),
                    ..Default::default()
                },
            )
            .unwrap()
    }

    pub fn subnet(&mut self, vpc: &VpcId, cidr: &str) -> SubnetId {
        let c = self.caller.clone();
        self.subnet_as(&c, vpc, cidr)
    }

    pub fn subnet_as(&mut self, caller: &Caller, vpc: &VpcId, cidr: &str) -> SubnetId {
        self.lab
            .create_subnet(
                caller,
                CreateSubnet {
                    vpc_id: vpc.to_string(),
                    cidr_block: cidr.into(),
                    ..Default::default()
                },
            )
            .unwrap()
    }

    /// A new route table associated with `subnets`.
    pub fn route_table(&mut self, vpc: &VpcId, subnets: &[&SubnetId]) -> RouteTableId {
        let c = self.caller.clone();
        self.route_table_as(&c, vpc, subnets)
    }

    pub fn route_table_as(
        &mut self,
        caller: &Caller,
        vpc: &VpcId,
        subnets: &[&SubnetId],
    ) -> RouteTableId {
        let rt = self
            .lab
            .create_route_table(caller, vpc.as_str(), Tags::new())
            .unwrap();
        for s in subnets {
            self.lab
                .associate_route_table(caller, rt.as_str(), s.as_str())
                .unwrap();
        }
        rt
    }

    pub fn igw(&mut self, vpc: &VpcId) -> InternetGatewayId {
        let igw = self
            .lab
            .create_internet_gateway(&self.caller, Tags::new())
            .unwrap();
        self.lab
            .attach_internet_gateway(&self.caller, igw.as_str(), vpc.as_str())
            .unwrap();
        igw
    }

    pub fn route(&mut self, rt: &RouteTableId, destination: &str, to: To<'_>) {
        let c = self.caller.clone();
        self.route_as(&c, rt, destination, to)
    }

    pub fn route_as(&mut self, caller: &Caller, rt: &RouteTableId, destination: &str, to: To<'_>) {
        let mut spec = RouteSpec::to(destination);
        match to {
            To::Igw(id) => spec.gateway_id = Some(id.to_string()),
            To::Nat(id) => spec.nat_gateway_id = Some(id.to_string()),
            To::Pcx(id) => spec.vpc_peering_connection_id = Some(id.to_string()),
            To::Eni(id) => spec.network_interface_id = Some(id.to_string()),
            To::Eigw(id) => spec.egress_only_internet_gateway_id = Some(id.to_string()),
        }
        self.lab.create_route(caller, rt.as_str(), &spec).unwrap();
    }

    pub fn sg(&mut self, vpc: &VpcId, name: &str) -> SecurityGroupId {
        self.lab
            .create_security_group(
                &self.caller,
                Some(vpc.as_str()),
                name,
                "test group",
                Tags::new(),
            )
            .unwrap()
    }

    pub fn allow_in(&mut self, sg: &SecurityGroupId, permission: IpPermission) {
        let c = self.caller.clone();
        self.lab
            .authorize_security_group_rules(&c, sg.as_str(), false, &[permission])
            .unwrap();
    }

    pub fn instance(
        &mut self,
        subnet: &SubnetId,
        public_ip: bool,
        groups: &[&SecurityGroupId],
    ) -> InstanceId {
        let c = self.caller.clone();
        self.instance_as(&c, subnet, public_ip, groups)
    }

    pub fn instance_as(
        &mut self,
        caller: &Caller,
        subnet: &SubnetId,
        public_ip: bool,
        groups: &[&SecurityGroupId],
    ) -> InstanceId {
        let (_, ids) = self
            .lab
            .run_instances(
                caller,
                RunInstances {
                    image_id: "ami-12345678".into(),
                    min_count: 1,
                    max_count: 1,
                    subnet_id: Some(subnet.to_string()),
                    security_group_ids: groups.iter().map(|g| g.to_string()).collect(),
                    associate_public_ip_address: Some(public_ip),
                    ..Default::default()
                },
            )
            .unwrap();
        ids.into_iter().next().unwrap()
    }

    pub fn eni_of(&self, instance: &InstanceId) -> &NetworkInterface {
        let i = self.lab.instance(instance.as_str()).unwrap();
        self.lab
            .network_interface(i.primary_network_interface_id.as_str())
            .unwrap()
    }

    pub fn private_ip(&self, instance: &InstanceId) -> IpAddr {
        IpAddr::V4(self.eni_of(instance).primary_private_ip())
    }

    pub fn public_ip(&self, instance: &InstanceId) -> Option<IpAddr> {
        self.eni_of(instance).public_ip().map(IpAddr::V4)
    }

    pub fn nat(&mut self, subnet: &SubnetId) -> (NatGatewayId, IpAddr) {
        let eip = self
            .lab
            .allocate_address(&self.caller, Tags::new())
            .unwrap();
        let public = self.lab.address(eip.as_str()).unwrap().public_ip;
        let nat = self
            .lab
            .create_nat_gateway(
                &self.caller,
                CreateNatGateway {
                    subnet_id: subnet.to_string(),
                    allocation_id: Some(eip.to_string()),
                    ..Default::default()
                },
            )
            .unwrap();
        (nat, IpAddr::V4(public))
    }

    pub fn s3_endpoint(&mut self, vpc: &VpcId, tables: &[&RouteTableId]) -> VpcEndpointId {
        self.lab
            .create_vpc_endpoint(
                &self.caller,
                CreateVpcEndpoint {
                    vpc_id: vpc.to_string(),
                    service_name: "com.amazonaws.us-east-1.s3".into(),
                    route_table_ids: tables.iter().map(|t| t.to_string()).collect(),
                    ..Default::default()
                },
            )
            .unwrap()
    }

    pub fn peer(&mut self, a: &VpcId, b: &VpcId) -> VpcPeeringConnectionId {
        let pcx = self
            .lab
            .create_vpc_peering_connection(
                &self.caller,
                a.as_str(),
                b.as_str(),
                None,
                None,
                Tags::new(),
            )
            .unwrap();
        self.lab
            .accept_vpc_peering_connection(&self.caller, pcx.as_str())
            .unwrap();
        pcx
    }

    pub fn tcp(&self, from: &InstanceId, to: impl Into<Destination>, port: u16) -> Trace {
        trace(
            &self.lab,
            &Flow::tcp(Source::Instance(from.clone()), to.into(), port),
        )
    }

    pub fn inbound_from_internet(&self, from: &str, to: IpAddr, port: u16) -> Trace {
        trace(
            &self.lab,
            &Flow::tcp(
                Source::Internet(from.parse().unwrap()),
                Destination::Address(to),
                port,
            ),
        )
    }
}

/// Asserts the trace was refused with `code`, and returns the refusal.
#[track_caller]
pub fn refused<'t>(t: &'t Trace, code: &str) -> &'t vpclab_reach::Refusal {
    match t.refusal() {
        Some(r) if r.code.as_str() == code => r,
        _ => panic!("expected a refusal with {code}, got:\n{t}"),
    }
}

/// Asserts the trace was delivered.
#[track_caller]
pub fn delivered(t: &Trace) -> &vpclab_reach::Delivery {
    match t.delivery() {
        Some(d) => d,
        None => panic!("expected delivery, got:\n{t}"),
    }
}
