//! The world, its accounts, and the network resources of a VPC.

use std::net::IpAddr;

use vpclab_model::*;

use crate::{ACCOUNT, OTHER_ACCOUNT, S3_SERVICE};

/// A lab with two accounts and no default VPCs, and a caller for each account.
pub struct World {
    /// The lab every helper builds in.
    pub lab: Lab,
    /// The caller of [`ACCOUNT`], which the helpers without `_as` act as.
    pub caller: Caller,
    /// The caller of [`OTHER_ACCOUNT`], in the same region at the same time.
    pub other: Caller,
}

/// Where a route sends its traffic.
pub enum To<'a> {
    /// An internet gateway.
    Igw(&'a InternetGatewayId),
    /// A NAT gateway.
    Nat(&'a NatGatewayId),
    /// A VPC peering connection.
    Pcx(&'a VpcPeeringConnectionId),
    /// A network interface.
    Eni(&'a NetworkInterfaceId),
    /// An egress-only internet gateway.
    Eigw(&'a EgressOnlyInternetGatewayId),
}

/// The `Name` tag `name`, or no tags.
fn name_tag(name: Option<&str>) -> Tags {
    name.map(|n| Tags::from([("Name".to_owned(), n.to_owned())]))
        .unwrap_or_default()
}

impl World {
    /// A lab whose ids come from `seed`, with [`ACCOUNT`] and [`OTHER_ACCOUNT`] in the
    /// default region.
    pub fn new(seed: u64) -> World {
        let mut lab = Lab::new(seed);
        let account = AccountId::parse(ACCOUNT).expect("ACCOUNT is an account id");
        let other = AccountId::parse(OTHER_ACCOUNT).expect("OTHER_ACCOUNT is an account id");
        lab.add_account_without_default_vpcs(&account);
        lab.add_account_without_default_vpcs(&other);
        let caller = Caller::new(
            account,
            Region::default_region(),
            Timestamp(1_700_000_000_000),
        );
        World {
            lab,
            other: Caller {
                account: other,
                ..caller.clone()
            },
            caller,
        }
    }

    /// A VPC with `cidr`.
    pub fn vpc(&mut self, cidr: &str) -> VpcId {
        let c = self.caller.clone();
        self.vpc_as(&c, cidr, None)
    }

    /// A VPC with `cidr` created by `caller`, with a `Name` tag if given.
    pub fn vpc_as(&mut self, caller: &Caller, cidr: &str, name: Option<&str>) -> VpcId {
        self.lab
            .create_vpc(
                caller,
                CreateVpc {
                    cidr_block: cidr.into(),
                    tags: name_tag(name),
                    ..Default::default()
                },
            )
            .expect("create the VPC")
    }

    /// A subnet of `vpc` with `cidr`, in the zone the lab picks.
    pub fn subnet(&mut self, vpc: &VpcId, cidr: &str) -> SubnetId {
        let c = self.caller.clone();
        self.subnet_as(&c, vpc, cidr, None, None)
    }

    /// A subnet of `vpc` with `cidr` in availability zone `zone`.
    pub fn subnet_in(&mut self, vpc: &VpcId, cidr: &str, zone: &str) -> SubnetId {
        let c = self.caller.clone();
        self.subnet_as(&c, vpc, cidr, Some(zone), None)
    }

    /// A subnet of `vpc` with `cidr` created by `caller`, in `zone` and with a `Name` tag
    /// if given.
    pub fn subnet_as(
        &mut self,
        caller: &Caller,
        vpc: &VpcId,
        cidr: &str,
        zone: Option<&str>,
        name: Option<&str>,
    ) -> SubnetId {
        self.lab
            .create_subnet(
                caller,
                CreateSubnet {
                    vpc_id: vpc.to_string(),
                    cidr_block: cidr.into(),
                    availability_zone: zone.map(str::to_owned),
                    tags: name_tag(name),
                    ..Default::default()
                },
            )
            .expect("create the subnet")
    }

    /// A new route table of `vpc` associated with `subnets`.
    pub fn route_table(&mut self, vpc: &VpcId, subnets: &[&SubnetId]) -> RouteTableId {
        let c = self.caller.clone();
        self.route_table_as(&c, vpc, subnets)
    }

    /// A new route table of `vpc` created by `caller`, associated with `subnets`.
    pub fn route_table_as(
        &mut self,
        caller: &Caller,
        vpc: &VpcId,
        subnets: &[&SubnetId],
    ) -> RouteTableId {
        let rt = self
            .lab
            .create_route_table(caller, vpc.as_str(), Tags::new())
            .expect("create the route table");
        for s in subnets {
            self.lab
                .associate_route_table(caller, rt.as_str(), s.as_str())
                .expect("associate the route table with the subnet");
        }
        rt
    }

    /// An internet gateway attached to `vpc`.
    pub fn igw(&mut self, vpc: &VpcId) -> InternetGatewayId {
        let igw = self
            .lab
            .create_internet_gateway(&self.caller, Tags::new())
            .expect("create the internet gateway");
        self.lab
            .attach_internet_gateway(&self.caller, igw.as_str(), vpc.as_str())
            .expect("attach the internet gateway");
        igw
    }

    /// A route in `rt` for `destination` (a CIDR) to `to`.
    pub fn route(&mut self, rt: &RouteTableId, destination: &str, to: To<'_>) {
        let c = self.caller.clone();
        self.route_as(&c, rt, destination, to)
    }

    /// A route in `rt` for `destination` (a CIDR) to `to`, created by `caller`.
    pub fn route_as(&mut self, caller: &Caller, rt: &RouteTableId, destination: &str, to: To<'_>) {
        let mut spec = RouteSpec::to(destination);
        match to {
            To::Igw(id) => spec.gateway_id = Some(id.to_string()),
            To::Nat(id) => spec.nat_gateway_id = Some(id.to_string()),
            To::Pcx(id) => spec.vpc_peering_connection_id = Some(id.to_string()),
            To::Eni(id) => spec.network_interface_id = Some(id.to_string()),
            To::Eigw(id) => spec.egress_only_internet_gateway_id = Some(id.to_string()),
        }
        self.lab
            .create_route(caller, rt.as_str(), &spec)
            .expect("create the route");
    }

    /// A security group of `vpc` named `name`, with a new group's rules (all out, none in).
    pub fn sg(&mut self, vpc: &VpcId, name: &str) -> SecurityGroupId {
        let c = self.caller.clone();
        self.sg_as(&c, vpc, name)
    }

    /// A security group of `vpc` named `name`, created by `caller`.
    pub fn sg_as(&mut self, caller: &Caller, vpc: &VpcId, name: &str) -> SecurityGroupId {
        self.lab
            .create_security_group(caller, Some(vpc.as_str()), name, "test group", Tags::new())
            .expect("create the security group")
    }

    /// A security group of `vpc` named `name`, created by `caller`, admitting TCP `port`
    /// from `cidr`.
    pub fn sg_admitting(
        &mut self,
        caller: &Caller,
        vpc: &VpcId,
        name: &str,
        port: u16,
        cidr: &str,
    ) -> SecurityGroupId {
        let sg = self.sg_as(caller, vpc, name);
        let port = i32::from(port);
        self.allow_in_as(caller, &sg, IpPermission::tcp(port, port, cidr));
        sg
    }

    /// Adds the inbound `permission` to `sg`.
    pub fn allow_in(&mut self, sg: &SecurityGroupId, permission: IpPermission) {
        let c = self.caller.clone();
        self.allow_in_as(&c, sg, permission)
    }

    /// Adds the inbound `permission` to `sg`, as `caller`.
    pub fn allow_in_as(&mut self, caller: &Caller, sg: &SecurityGroupId, permission: IpPermission) {
        self.lab
            .authorize_security_group_rules(caller, sg.as_str(), false, &[permission])
            .expect("authorize the inbound rule");
    }

    /// An instance in `subnet` in `groups`, with a
    /// public address if `public_ip`.
    pub fn instance(
        &mut self,
        subnet: &SubnetId,
        public_ip: bool,
        groups: &[&SecurityGroupId],
    ) -> InstanceId {
        let c = self.caller.clone();
        self.instance_as(&c, subnet, public_ip, groups, None)
    }

    /// An instance launched by `caller` in `subnet` in `groups`, with a public address if
    /// `public_ip` and a `Name` tag if given.
    pub fn instance_as(
        &mut self,
        caller: &Caller,
        subnet: &SubnetId,
        public_ip: bool,
        groups: &[&SecurityGroupId],
        name: Option<&str>,
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
                    tags: name_tag(name),
                    ..Default::default()
                },
            )
            .expect("run the instance");
        ids.into_iter().next().expect("one instance launched")
    }

    /// The primary network interface of `instance`.
    pub fn eni_of(&self, instance: &InstanceId) -> &NetworkInterface {
        let i = self
            .lab
            .instance(instance.as_str())
            .expect("the instance exists");
        self.lab
            .network_interface(i.primary_network_interface_id.as_str())
            .expect("the instance's primary interface exists")
    }

    /// The primary private address of `instance`.
    pub fn private_ip(&self, instance: &InstanceId) -> IpAddr {
        IpAddr::V4(self.eni_of(instance).primary_private_ip())
    }

    /// The public address of `instance`, if it has one.
    pub fn public_ip(&self, instance: &InstanceId) -> Option<IpAddr> {
        self.eni_of(instance).public_ip().map(IpAddr::V4)
    }

    /// A NAT gateway in `subnet` on a new Elastic IP, and that address.
    pub fn nat(&mut self, subnet: &SubnetId) -> (NatGatewayId, IpAddr) {
        let eip = self
            .lab
            .allocate_address(&self.caller, Tags::new())
            .expect("allocate the Elastic IP");
        let public = self
            .lab
            .address(eip.as_str())
            .expect("the Elastic IP exists")
            .public_ip;
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
            .expect("create the NAT gateway");
        (nat, IpAddr::V4(public))
    }

    /// A gateway endpoint of `vpc` for S3, on `tables`.
    pub fn s3_gateway_endpoint(&mut self, vpc: &VpcId, tables: &[&RouteTableId]) -> VpcEndpointId {
        self.lab
            .create_vpc_endpoint(
                &self.caller,
                CreateVpcEndpoint {
                    vpc_id: vpc.to_string(),
                    service_name: S3_SERVICE.into(),
                    route_table_ids: tables.iter().map(|t| t.to_string()).collect(),
                    ..Default::default()
                },
            )
            .expect("create the S3 gateway endpoint")
    }

    /// An active peering connection between two VPCs of the world's own account.
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
            .expect("request the peering connection");
        self.lab
            .accept_vpc_peering_connection(&self.caller, pcx.as_str())
            .expect("accept the peering connection");
        pcx
    }
}
