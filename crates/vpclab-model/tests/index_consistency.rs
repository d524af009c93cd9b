//! Random sequences of control-plane operations (many of which are refused) keep the
//! lab coherent: after every step the incrementally kept index equals a rebuilt one, a
//! serde round trip gives the same lab, a refused operation changed nothing, and the
//! structural rules AWS guarantees hold (one main route table per VPC, one network ACL
//! per subnet, one route per destination, endpoint routes where the endpoint says, …).
//!
//! Kept to a few seconds (48 cases); `PROPTEST_CASES=2000 cargo test -p vpclab-model
//! --test index_consistency` searches harder.

mod common;

use std::collections::{BTreeSet, HashSet};

use common::*;
use proptest::prelude::*;
use vpclab_model::*;

/// One operation, with small numbers that pick among the ids created so far.
#[derive(Clone, Debug)]
enum Op {
    CreateVpc {
        cidr: u8,
        ipv6: bool,
        other_account: bool,
    },
    DeleteVpc(u8),
    AssociateVpcCidr {
        vpc: u8,
        cidr: u8,
        ipv6: bool,
    },
    DisassociateVpcCidr(u8),
    CreateSubnet {
        vpc: u8,
        cidr: u8,
        az: u8,
    },
    DeleteSubnet(u8),
    CreateEni {
        subnet: u8,
        secondaries: u8,
    },
    DeleteEni(u8),
    AttachEni {
        eni: u8,
        instance: u8,
    },
    DetachEni(u8),
    AssignPrivateIp {
        eni: u8,
        count: u8,
    },
    UnassignPrivateIp(u8),
    RunInstances {
        subnet: u8,
        count: u8,
        public: bool,
    },
    StopInstance(u8),
    StartInstance(u8),
    TerminateInstance(u8),
    AllocateEip,
    ReleaseEip(u8),
    AssociateEip {
        eip: u8,
        instance: u8,
        to_eni: bool,
    },
    DisassociateEip(u8),
    AttachNewIgw(u8),
    DetachIgw(u8),
    DeleteIgw(u8),
    CreateRouteTable(u8),
    DeleteRouteTable(u8),
    AssociateRouteTable {
        rt: u8,
        subnet: u8,
    },
    DisassociateRouteTable(u8),
    MakeMain(u8),
    CreateRoute {
        rt: u8,
        dest: u8,
        target: u8,
        pick: u8,
    },
    DeleteRoute {
        rt: u8,
        dest: u8,
    },
    CreateNat {
        subnet: u8,
        eip: u8,
        private: bool,
    },
    DeleteNat(u8),
    CreateNlb {
        subnet: u8,
        eip: u8,
        internet: bool,
    },
    DeleteNlb(u8),
    CreateEndpoint {
        vpc: u8,
        rt: u8,
        dynamodb: bool,
    },
    ModifyEndpoint {
        ep: u8,
        add: u8,
        remove: u8,
    },
    DeleteEndpoint(u8),
    CreatePeering {
        vpc: u8,
        peer: u8,
    },
    AcceptPeering(u8),
    RejectPeering(u8),
    DeletePeering(u8),
    CreateSg(u8),
    AuthorizeSg {
        sg: u8,
        peer: u8,
    },
    DeleteSg(u8),
    CreateAcl(u8),
    ReplaceAclAssociation {
        subnet: u8,
        acl: u8,
    },
    DeleteAcl(u8),
    Tick(u8),
}

const KINDS: u8 = 48;

fn decode((kind, p, flag): (u8, [u8; 4], bool)) -> Op {
    let [a, b, c, d] = p;
    match kind {
        0 => Op::CreateVpc {
            cidr: a,
            ipv6: flag,
            other_account: b % 4 == 0,
        },
        1 => Op::DeleteVpc(a),
        2 => Op::AssociateVpcCidr {
            vpc: a,
            cidr: b,
            ipv6: flag,
        },
        3 => Op::DisassociateVpcCidr(a),
        4 => Op::CreateSubnet {
            vpc: a,
            cidr: b,
            az: c,
        },
        5 => Op::DeleteSubnet(a),
        6 => Op::CreateEni {
            subnet: a,
            secondaries: b % 3,
        },
        7 => Op::DeleteEni(a),
        8 => Op::AttachEni {
            eni: a,
            instance: b,
        },
        9 => Op::DetachEni(a),
        10 => Op::AssignPrivateIp {
            eni: a,
            count: b % 3,
        },
        11 => Op::UnassignPrivateIp(a),
        12 => Op::RunInstances {
            subnet: a,
            count: b % 3,
            public: flag,
        },
        13 => Op::StopInstance(a),
        14 => Op::StartInstance(a),
        15 => Op::TerminateInstance(a),
        16 => Op::AllocateEip,
        17 => Op::ReleaseEip(a),
        18 => Op::AssociateEip {
            eip: a,
            instance: b,
            to_eni: flag,
        },
        19 => Op::DisassociateEip(a),
        20 => Op::AttachNewIgw(a),
        21 => Op::DetachIgw(a),
        22 => Op::DeleteIgw(a),
        23 => Op::CreateRouteTable(a),
        24 => Op::DeleteRouteTable(a),
        25 => Op::AssociateRouteTable { rt: a, subnet: b },
        26 => Op::DisassociateRouteTable(a),
        27 => Op::MakeMain(a),
        28 => Op::CreateRoute {
            rt: a,
            dest: b,
            target: c,
            pick: d,
        },
        29 => Op::DeleteRoute { rt: a, dest: b },
        30 => Op::CreateNat {
            subnet: a,
            eip: b,
            private: flag,
        },
        31 => Op::DeleteNat(a),
        32 => Op::CreateEndpoint {
            vpc: a,
            rt: b,
            dynamodb: flag,
        },
        33 => Op::ModifyEndpoint {
            ep: a,
            add: b,
            remove: c,
        },
        34 => Op::DeleteEndpoint(a),
        35 => Op::CreatePeering { vpc: a, peer: b },
        36 => Op::AcceptPeering(a),
        37 => Op::RejectPeering(a),
        38 => Op::DeletePeering(a),
        39 => Op::CreateSg(a),
        40 => Op::AuthorizeSg { sg: a, peer: b },
        41 => Op::DeleteSg(a),
        42 => Op::CreateAcl(a),
        43 => Op::ReplaceAclAssociation { subnet: a, acl: b },
        44 => Op::DeleteAcl(a),
        46 => Op::CreateNlb {
            subnet: a,
            eip: b,
            internet: flag,
        },
        47 => Op::DeleteNlb(a),
        _ => Op::Tick(a),
    }
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(
        (0..KINDS, any::<[u8; 4]>(), any::<bool>()).prop_map(decode),
        1..48,
    )
}

/// Everything created so far (deleted ids stay: operations on them must be refused).
#[derive(Default)]
struct Pools {
    vpcs: Vec<String>,
    vpc_cidr_assocs: Vec<String>,
    subnets: Vec<String>,
    enis: Vec<String>,
    attachments: Vec<String>,
    instances: Vec<String>,
    eips: Vec<String>,
    eip_assocs: Vec<String>,
    igws: Vec<(String, String)>,
    rtbs: Vec<String>,
    rtb_assocs: Vec<String>,
    nats: Vec<String>,
    nlbs: Vec<String>,
    endpoints: Vec<String>,
    pcxs: Vec<String>,
    sgs: Vec<String>,
    acls: Vec<String>,
}

/// The `i`-th id of a pool (cycling), or a well-formed id nobody has.
fn pick(pool: &[String], i: u8, prefix: &str) -> String {
    if pool.is_empty() {
        missing(prefix)
    } else {
        pool[usize::from(i) % pool.len()].clone()
    }
}

const VPC_CIDRS: [&str; 5] = [
    "10.0.0.0/16",
    "10.1.0.0/16",
    "10.0.0.0/24",
    "192.168.0.0/24",
    "172.16.0.0/28",
];
const SECONDARY_CIDRS: [&str; 4] = [
    "10.2.0.0/16",
    "10.0.1.0/24",
    "192.168.1.0/24",
    "100.64.0.0/16",
];
const ROUTE_DESTINATIONS: [&str; 6] = [
    "0.0.0.0/0",
    "::/0",
    "192.168.50.0/24",
    "10.0.5.0/24",
    "10.99.0.0/16",
    S3_PL_USE1,
];

struct Runner {
    lab: Lab,
    a: Caller,
    b: Caller,
    now: Timestamp,
    pools: Pools,
}

impl Runner {
    /// Two accounts with a small network already built (through the same operations),
    /// so that random operations find things to act on.
    fn new() -> Self {
        let (lab, a, b) = lab2();
        let mut r = Runner {
            lab,
            a,
            b,
            now: T0,
            pools: Pools::default(),
        };
        let seed = [
            Op::CreateVpc {
                cidr: 0,
                ipv6: true,
                other_account: false,
            }, // vpc 0: 10.0.0.0/16
            Op::CreateVpc {
                cidr: 1,
                ipv6: false,
                other_account: false,
            }, // vpc 1: 10.1.0.0/16
            Op::CreateVpc {
                cidr: 3,
                ipv6: false,
                other_account: true,
            }, // vpc 2: B's 192.168.0.0/24
            Op::CreateSubnet {
                vpc: 0,
                cidr: 0,
                az: 0,
            },
            Op::CreateSubnet {
                vpc: 0,
                cidr: 1,
                az: 1,
            },
            Op::CreateSubnet {
                vpc: 1,
                cidr: 0,
                az: 0,
            },
            Op::AttachNewIgw(0),
            Op::AllocateEip,
            Op::AllocateEip,
            Op::RunInstances {
                subnet: 0,
                count: 1,
                public: true,
            },
            Op::CreateEni {
                subnet: 0,
                secondaries: 1,
            },
            Op::CreateRouteTable(0),
            Op::CreateRouteTable(1),
            Op::CreateSg(0),
            Op::CreateSg(1),
            Op::CreateAcl(0),
            Op::CreatePeering { vpc: 0, peer: 2 },
            Op::CreatePeering { vpc: 1, peer: 0 },
        ];
        for op in &seed {
            if let Err(e) = r.apply(op) {
                panic!("seeding {op:?}: {e}");
            }
        }
        r
    }

    fn caller(&self) -> Caller {
        Caller {
            now: self.now,
            ..self.a.clone()
        }
    }

    fn caller_b(&self) -> Caller {
        Caller {
            now: self.now,
            ..self.b.clone()
        }
    }

    /// Applies `op`, with the lab's answer.
    fn apply(&mut self, op: &Op) -> Result<(), Error> {
        let c = self.caller();
        let cb = self.caller_b();
        let p = &self.pools;
        let lab = &mut self.lab;
        match *op {
            Op::CreateVpc {
                cidr,
                ipv6,
                other_account,
            } => {
                let who = if other_account { cb } else { c };
                let id = lab.create_vpc(
                    &who,
                    CreateVpc {
                        cidr_block: VPC_CIDRS[usize::from(cidr) % VPC_CIDRS.len()].into(),
                        amazon_provided_ipv6_cidr_block: ipv6,
                        ..CreateVpc::default()
                    },
                )?;
                self.pools.vpcs.push(id.to_string());
            }
            Op::DeleteVpc(v) => lab.delete_vpc(&c, &pick(&p.vpcs, v, "vpc"))?,
            Op::AssociateVpcCidr { vpc, cidr, ipv6 } => {
                let block = SECONDARY_CIDRS[usize::from(cidr) % SECONDARY_CIDRS.len()];
                let id = lab.associate_vpc_cidr_block(
                    &c,
                    &pick(&p.vpcs, vpc, "vpc"),
                    (!ipv6).then_some(block),
                    ipv6,
                )?;
                self.pools.vpc_cidr_assocs.push(id.to_string());
            }
            Op::DisassociateVpcCidr(x) => lab
                .disassociate_vpc_cidr_block(&c, &pick(&p.vpc_cidr_assocs, x, "vpc-cidr-assoc"))
                .map(|_| ())?,
            Op::CreateSubnet { vpc, cidr, az } => {
                let vpc = pick(&p.vpcs, vpc, "vpc");
                // A /26 at one of four offsets of the VPC's primary block (or a made-up one).
                let base = lab
                    .vpc(&vpc)
                    .map(|v| v.cidr_block())
                    .unwrap_or_else(|| "10.0.0.0/16".parse().unwrap());
                let start = u32::from(base.network()) + u32::from(cidr % 4) * 64;
                let block = format!("{}/26", std::net::Ipv4Addr::from(start));
                let zone = ["us-east-1a", "us-east-1b"][usize::from(az % 2)];
                let id = lab.create_subnet(
                    &c,
                    CreateSubnet {
                        vpc_id: vpc,
                        cidr_block: block,
                        availability_zone: Some(zone.into()),
                        ..CreateSubnet::default()
                    },
                )?;
                self.pools.subnets.push(id.to_string());
            }
            Op::DeleteSubnet(s) => lab.delete_subnet(&c, &pick(&p.subnets, s, "subnet"))?,
            Op::CreateEni {
                subnet,
                secondaries,
            } => {
                let id = lab.create_network_interface(
                    &c,
                    CreateNetworkInterface {
                        subnet_id: pick(&p.subnets, subnet, "subnet"),
                        secondary_private_ip_address_count: u32::from(secondaries),
                        ..CreateNetworkInterface::default()
                    },
                )?;
                self.pools.enis.push(id.to_string());
            }
            Op::DeleteEni(e) => lab.delete_network_interface(&c, &pick(&p.enis, e, "eni"))?,
            Op::AttachEni { eni, instance } => {
                let id = lab.attach_network_interface(
                    &c,
                    &pick(&p.enis, eni, "eni"),
                    &pick(&p.instances, instance, "i"),
                    1 + u32::from(instance % 2),
                )?;
                self.pools.attachments.push(id.to_string());
            }
            Op::DetachEni(x) => {
                lab.detach_network_interface(&c, &pick(&p.attachments, x, "eni-attach"))?
            }
            Op::AssignPrivateIp { eni, count } => {
                lab.assign_private_ip_addresses(
                    &c,
                    &pick(&p.enis, eni, "eni"),
                    &[],
                    u32::from(count),
                )?;
            }
            Op::UnassignPrivateIp(e) => {
                let eni = pick(&p.enis, e, "eni");
                let secondaries: Vec<String> = lab
                    .network_interface(&eni)
                    .map(|x| {
                        x.private_ips
                            .iter()
                            .filter(|ip| !ip.primary)
                            .map(|ip| ip.address.to_string())
                            .collect()
                    })
                    .unwrap_or_default();
                lab.unassign_private_ip_addresses(&c, &eni, &secondaries)?;
            }
            Op::RunInstances {
                subnet,
                count,
                public,
            } => {
                let (_, ids) = lab.run_instances(
                    &c,
                    RunInstances {
                        image_id: AMI.into(),
                        min_count: 1,
                        max_count: 1 + u32::from(count),
                        subnet_id: Some(pick(&p.subnets, subnet, "subnet")),
                        associate_public_ip_address: Some(public),
                        ..RunInstances::default()
                    },
                )?;
                self.pools
                    .instances
                    .extend(ids.iter().map(|i| i.to_string()));
            }
            Op::StopInstance(i) => {
                lab.stop_instances(&c, &[pick(&p.instances, i, "i")])?;
            }
            Op::StartInstance(i) => {
                lab.start_instances(&c, &[pick(&p.instances, i, "i")])?;
            }
            Op::TerminateInstance(i) => {
                lab.terminate_instances(&c, &[pick(&p.instances, i, "i")])?;
            }
            Op::AllocateEip => {
                let id = lab.allocate_address(&c, Tags::new())?;
                self.pools.eips.push(id.to_string());
            }
            Op::ReleaseEip(x) => lab.release_address(&c, &pick(&p.eips, x, "eipalloc"))?,
            Op::AssociateEip {
                eip,
                instance,
                to_eni,
            } => {
                let (instance_id, network_interface_id) = if to_eni {
                    (None, Some(pick(&p.enis, instance, "eni")))
                } else {
                    (Some(pick(&p.instances, instance, "i")), None)
                };
                let id = lab.associate_address(
                    &c,
                    &AssociateAddress {
                        allocation_id: pick(&p.eips, eip, "eipalloc"),
                        instance_id,
                        network_interface_id,
                        ..AssociateAddress::default()
                    },
                )?;
                self.pools.eip_assocs.push(id.to_string());
            }
            Op::DisassociateEip(x) => {
                lab.disassociate_address(&c, &pick(&p.eip_assocs, x, "eipassoc"))?
            }
            Op::AttachNewIgw(v) => {
                let vpc = pick(&p.vpcs, v, "vpc");
                // Validate the VPC first so that a refusal leaves no stray gateway.
                if lab.vpc(&vpc).is_none_or(|x| x.owner_id != c.account)
                    || lab
                        .internet_gateway_of(&VpcId::new_unchecked(vpc.clone()))
                        .is_some()
                {
                    let igw = self
                        .pools
                        .igws
                        .first()
                        .map(|g| g.0.clone())
                        .unwrap_or(missing("igw"));
                    lab.attach_internet_gateway(&c, &igw, &vpc)?;
                    return Ok(());
                }
                let igw = lab.create_internet_gateway(&c, Tags::new())?;
                lab.attach_internet_gateway(&c, igw.as_str(), &vpc)?;
                self.pools.igws.push((igw.to_string(), vpc));
            }
            Op::DetachIgw(g) => {
                let (igw, vpc) = self
                    .pools
                    .igws
                    .get(usize::from(g) % self.pools.igws.len().max(1))
                    .cloned()
                    .unwrap_or((missing("igw"), missing("vpc")));
                lab.detach_internet_gateway(&c, &igw, &vpc)?;
            }
            Op::DeleteIgw(g) => {
                let igw = self
                    .pools
                    .igws
                    .get(usize::from(g) % self.pools.igws.len().max(1))
                    .map(|x| x.0.clone())
                    .unwrap_or(missing("igw"));
                lab.delete_internet_gateway(&c, &igw)?;
            }
            Op::CreateRouteTable(v) => {
                let id = lab.create_route_table(&c, &pick(&p.vpcs, v, "vpc"), Tags::new())?;
                self.pools.rtbs.push(id.to_string());
            }
            Op::DeleteRouteTable(r) => lab.delete_route_table(&c, &pick(&p.rtbs, r, "rtb"))?,
            Op::AssociateRouteTable { rt, subnet } => {
                let id = lab.associate_route_table(
                    &c,
                    &pick(&p.rtbs, rt, "rtb"),
                    &pick(&p.subnets, subnet, "subnet"),
                )?;
                self.pools.rtb_assocs.push(id.to_string());
            }
            Op::DisassociateRouteTable(x) => {
                lab.disassociate_route_table(&c, &pick(&p.rtb_assocs, x, "rtbassoc"))?
            }
            Op::MakeMain(r) => {
                let rt = pick(&p.rtbs, r, "rtb");
                let main_assoc = lab
                    .route_table(&rt)
                    .and_then(|t| lab.main_route_table(&t.vpc_id))
                    .and_then(|m| {
                        m.associations
                            .iter()
                            .find(|x| x.target == AssociationTarget::Main)
                    })
                    .map(|x| x.id.to_string())
                    .unwrap_or(missing("rtbassoc"));
                lab.replace_route_table_association(&c, &main_assoc, &rt)?;
            }
            Op::CreateRoute {
                rt,
                dest,
                target,
                pick: which,
            } => {
                let destination = ROUTE_DESTINATIONS[usize::from(dest) % ROUTE_DESTINATIONS.len()];
                let mut spec = RouteSpec::to(destination);
                match target % 6 {
                    0 => {
                        spec.gateway_id = Some(
                            self.pools
                                .igws
                                .get(usize::from(which) % self.pools.igws.len().max(1))
                                .map(|x| x.0.clone())
                                .unwrap_or(missing("igw")),
                        )
                    }
                    1 => spec.nat_gateway_id = Some(pick(&p.nats, which, "nat")),
                    2 => spec.network_interface_id = Some(pick(&p.enis, which, "eni")),
                    3 => spec.instance_id = Some(pick(&p.instances, which, "i")),
                    4 => spec.vpc_peering_connection_id = Some(pick(&p.pcxs, which, "pcx")),
                    _ => spec.local_target = true,
                }
                lab.create_route(&c, &pick(&p.rtbs, rt, "rtb"), &spec)?;
            }
            Op::DeleteRoute { rt, dest } => {
                // One of the table's own routes (local and endpoint routes are refused), or
                // a destination it may not have.
                let rt = pick(&p.rtbs, rt, "rtb");
                let existing: Vec<String> = lab
                    .route_table(&rt)
                    .map(|t| t.routes.iter().map(|r| r.destination.to_string()).collect())
                    .unwrap_or_default();
                let destination = if dest % 2 == 0 && !existing.is_empty() {
                    existing[usize::from(dest / 2) % existing.len()].clone()
                } else {
                    ROUTE_DESTINATIONS[usize::from(dest) % ROUTE_DESTINATIONS.len()].to_owned()
                };
                lab.delete_route(&c, &rt, &RouteSpec::to(&destination))?;
            }
            Op::CreateNat {
                subnet,
                eip,
                private,
            } => {
                let id = lab.create_nat_gateway(
                    &c,
                    CreateNatGateway {
                        subnet_id: pick(&p.subnets, subnet, "subnet"),
                        connectivity_type: Some(if private { "private" } else { "public" }.into()),
                        allocation_id: (!private).then(|| pick(&p.eips, eip, "eipalloc")),
                        ..CreateNatGateway::default()
                    },
                )?;
                self.pools.nats.push(id.to_string());
            }
            Op::DeleteNat(n) => lab.delete_nat_gateway(&c, &pick(&p.nats, n, "nat"))?,
            Op::CreateNlb {
                subnet,
                eip,
                internet,
            } => {
                let n = self.pools.nlbs.len();
                let id = lab.create_load_balancer(
                    &c,
                    CreateLoadBalancer {
                        name: format!("nlb{n}"),
                        load_balancer_type: Some("network".into()),
                        scheme: Some(
                            if internet {
                                "internet-facing"
                            } else {
                                "internal"
                            }
                            .into(),
                        ),
                        subnet_mappings: vec![SubnetMapping {
                            subnet_id: pick(&p.subnets, subnet, "subnet"),
                            allocation_id: (internet && eip % 2 == 0)
                                .then(|| pick(&p.eips, eip / 2, "eipalloc")),
                            ..SubnetMapping::default()
                        }],
                        ..CreateLoadBalancer::default()
                    },
                )?;
                self.pools.nlbs.push(id.to_string());
            }
            Op::DeleteNlb(n) => {
                let arn = self
                    .pools
                    .nlbs
                    .get(usize::from(n) % self.pools.nlbs.len().max(1));
                let arn = arn.cloned().unwrap_or_else(|| "not-an-arn".into());
                lab.delete_load_balancer(&c, &arn)?
            }
            Op::CreateEndpoint { vpc, rt, dynamodb } => {
                let service = if dynamodb { "dynamodb" } else { "s3" };
                let id = lab.create_vpc_endpoint(
                    &c,
                    CreateVpcEndpoint {
                        vpc_id: pick(&p.vpcs, vpc, "vpc"),
                        service_name: format!("com.amazonaws.us-east-1.{service}"),
                        route_table_ids: vec![pick(&p.rtbs, rt, "rtb")],
                        ..CreateVpcEndpoint::default()
                    },
                )?;
                self.pools.endpoints.push(id.to_string());
            }
            Op::ModifyEndpoint { ep, add, remove } => {
                lab.modify_vpc_endpoint(
                    &c,
                    &pick(&p.endpoints, ep, "vpce"),
                    ModifyVpcEndpoint {
                        add_route_table_ids: (add % 2 == 0)
                            .then(|| pick(&p.rtbs, add / 2, "rtb"))
                            .into_iter()
                            .collect(),
                        remove_route_table_ids: (remove % 2 == 0)
                            .then(|| pick(&p.rtbs, remove / 2, "rtb"))
                            .into_iter()
                            .collect(),
                        ..ModifyVpcEndpoint::default()
                    },
                )?;
            }
            Op::DeleteEndpoint(e) => {
                let mut failed = lab.delete_vpc_endpoints(&c, &[pick(&p.endpoints, e, "vpce")]);
                if let Some((_, err)) = failed.pop() {
                    return Err(err);
                }
            }
            Op::CreatePeering { vpc, peer } => {
                let peer_id = pick(&p.vpcs, peer, "vpc");
                let owner = lab.vpc(&peer_id).map(|v| v.owner_id.to_string());
                let id = lab.create_vpc_peering_connection(
                    &c,
                    &pick(&p.vpcs, vpc, "vpc"),
                    &peer_id,
                    owner.as_deref(),
                    None,
                    Tags::new(),
                )?;
                self.pools.pcxs.push(id.to_string());
            }
            Op::AcceptPeering(x) => {
                let pcx = pick(&p.pcxs, x, "pcx");
                // The accepter accepts (A or B); a wrong caller is refused.
                let who = match lab.vpc_peering_connection(&pcx) {
                    Some(pc) if pc.accepter.owner_id == cb.account => cb,
                    _ => c,
                };
                lab.accept_vpc_peering_connection(&who, &pcx)?;
            }
            Op::RejectPeering(x) => {
                let pcx = pick(&p.pcxs, x, "pcx");
                let who = if x % 2 == 0 { cb } else { c };
                lab.reject_vpc_peering_connection(&who, &pcx)?;
            }
            Op::DeletePeering(x) => {
                lab.delete_vpc_peering_connection(&c, &pick(&p.pcxs, x, "pcx"))?
            }
            Op::CreateSg(v) => {
                let name = format!("g{}", self.pools.sgs.len());
                let id = lab.create_security_group(
                    &c,
                    Some(&pick(&p.vpcs, v, "vpc")),
                    &name,
                    "d",
                    Tags::new(),
                )?;
                self.pools.sgs.push(id.to_string());
            }
            Op::AuthorizeSg { sg, peer } => {
                let perm = IpPermission {
                    ip_protocol: "tcp".into(),
                    from_port: Some(443),
                    to_port: Some(443),
                    user_id_group_pairs: vec![UserIdGroupPair {
                        group_id: Some(pick(&p.sgs, peer, "sg")),
                        ..UserIdGroupPair::default()
                    }],
                    ..IpPermission::default()
                };
                lab.authorize_security_group_rules(
                    &c,
                    &pick(&p.sgs, sg, "sg"),
                    peer % 2 == 0,
                    &[perm],
                )?;
            }
            Op::DeleteSg(g) => lab.delete_security_group(&c, &pick(&p.sgs, g, "sg"))?,
            Op::CreateAcl(v) => {
                let id = lab.create_network_acl(&c, &pick(&p.vpcs, v, "vpc"), Tags::new())?;
                self.pools.acls.push(id.to_string());
            }
            Op::ReplaceAclAssociation { subnet, acl } => {
                let subnet = SubnetId::new_unchecked(pick(&p.subnets, subnet, "subnet"));
                let assoc = lab
                    .network_acl_for_subnet(&subnet)
                    .and_then(|a| a.associations.iter().find(|x| x.subnet_id == subnet))
                    .map(|x| x.id.to_string())
                    .unwrap_or(missing("aclassoc"));
                // Odd picks go back to the subnet's default ACL.
                let target = if acl % 2 == 0 {
                    pick(&p.acls, acl / 2, "acl")
                } else {
                    lab.subnet(subnet.as_str())
                        .and_then(|s| lab.vpc(s.vpc_id.as_str()))
                        .map(|v| v.default_network_acl_id.to_string())
                        .unwrap_or(missing("acl"))
                };
                lab.replace_network_acl_association(&c, &assoc, &target)?;
            }
            Op::DeleteAcl(x) => lab.delete_network_acl(&c, &pick(&p.acls, x, "acl"))?,
            Op::Tick(hours) => {
                // Time passes (up to ten days): pending peering requests may expire.
                self.now = self.now.plus_seconds(i64::from(hours) * 3600);
                lab.expire_vpc_peering_connections(self.now);
            }
        }
        Ok(())
    }
}

/// The structural rules of a VPC network, checked after every step.
fn check_invariants(lab: &Lab) -> Result<(), TestCaseError> {
    for vpc in lab.vpcs() {
        let mains: Vec<_> = lab
            .route_tables()
            .filter(|t| t.vpc_id == vpc.id)
            .filter(|t| {
                t.associations
                    .iter()
                    .any(|a| a.target == AssociationTarget::Main)
            })
            .collect();
        prop_assert_eq!(
            mains.len(),
            1,
            "VPC {} must have exactly one main table",
            vpc.id
        );
        prop_assert_eq!(
            lab.main_route_table(&vpc.id).map(|t| &t.id),
            Some(&mains[0].id)
        );
        prop_assert!(
            lab.security_group(vpc.default_security_group_id.as_str())
                .is_some()
        );
        prop_assert!(
            lab.network_acl(vpc.default_network_acl_id.as_str())
                .is_some_and(|a| a.is_default)
        );
    }
    for subnet in lab.subnets() {
        let acls: Vec<_> = lab
            .network_acls()
            .filter(|a| a.associations.iter().any(|x| x.subnet_id == subnet.id))
            .collect();
        prop_assert_eq!(
            acls.len(),
            1,
            "subnet {} must have exactly one network ACL",
            subnet.id
        );
        prop_assert_eq!(&acls[0].vpc_id, &subnet.vpc_id);
        let rt = lab.route_table_for_subnet(subnet);
        prop_assert!(rt.is_some_and(|t| t.vpc_id == subnet.vpc_id));
        prop_assert!(lab.vpc(subnet.vpc_id.as_str()).is_some());
    }
    for table in lab.route_tables() {
        prop_assert!(
            lab.vpc(table.vpc_id.as_str()).is_some(),
            "table {} of a deleted VPC",
            table.id
        );
        let mut seen = HashSet::new();
        for r in &table.routes {
            prop_assert!(
                seen.insert(r.destination.clone()),
                "two routes to {} in {}",
                r.destination,
                table.id
            );
            if let RouteTarget::VpcEndpoint(e) = &r.target {
                let ep = lab.vpc_endpoint(e.as_str());
                prop_assert!(
                    ep.is_some_and(|ep| ep.route_table_ids.contains(&table.id)),
                    "stray endpoint route in {}",
                    table.id
                );
            }
        }
        // Every block of the VPC has its local route.
        if let Some(vpc) = lab.vpc(table.vpc_id.as_str()) {
            for cidr in vpc.cidrs() {
                prop_assert!(
                    table
                        .routes
                        .iter()
                        .any(|r| r.destination == RouteDestination::Cidr(cidr)
                            && r.origin == RouteOrigin::CreateRouteTable)
                );
            }
        }
    }
    for ep in lab.vpc_endpoints() {
        for t in &ep.route_table_ids {
            let table = lab.route_table(t.as_str());
            let routed = table.is_some_and(|t| {
                t.routes
                    .iter()
                    .any(|r| r.target == RouteTarget::VpcEndpoint(ep.id.clone()))
            });
            prop_assert!(routed, "endpoint {} lacks its route in {}", ep.id, t);
        }
    }
    let mut publics = BTreeSet::new();
    for eni in lab.network_interfaces() {
        prop_assert!(
            lab.subnet(eni.subnet_id.as_str()).is_some(),
            "interface {} in a deleted subnet",
            eni.id
        );
        prop_assert_eq!(eni.private_ips.iter().filter(|p| p.primary).count(), 1);
        if let Some(att) = &eni.attachment {
            let inst = lab.instance(att.instance_id.as_str());
            prop_assert!(
                inst.is_some_and(|i| i.state != InstanceState::Terminated),
                "{} attached to a terminated instance",
                eni.id
            );
        }
        for p in &eni.private_ips {
            if let Some(a) = &p.association {
                prop_assert!(
                    publics.insert(a.public_ip),
                    "public address {} twice",
                    a.public_ip
                );
                if let Some(alloc) = &a.allocation_id {
                    let addr = lab.address(alloc.as_str());
                    prop_assert!(
                        addr.is_some_and(|x| x
                            .association
                            .as_ref()
                            .is_some_and(
                                |y| y.network_interface_id == eni.id && y.private_ip == p.address
                            ))
                    );
                }
            }
        }
    }
    for addr in lab.addresses() {
        if let Some(a) = &addr.association {
            let eni = lab.network_interface(a.network_interface_id.as_str());
            prop_assert!(
                eni.is_some_and(|e| e.public_ip_for(a.private_ip) == Some(addr.public_ip))
            );
        }
    }
    for i in lab.instances() {
        let primary = lab.network_interface(i.primary_network_interface_id.as_str());
        if i.state == InstanceState::Terminated {
            prop_assert!(primary.is_none());
        } else {
            let attached = primary.is_some_and(|e| {
                e.attachment
                    .as_ref()
                    .is_some_and(|a| a.device_index == 0 && a.instance_id == i.id)
            });
            prop_assert!(attached, "instance {} lost its primary interface", i.id);
            if i.state == InstanceState::Stopped {
                // AWS: a stopped instance holds no auto-assigned public address.
                let auto = primary.into_iter().flat_map(|e| &e.private_ips).any(|p| {
                    p.association
                        .as_ref()
                        .is_some_and(|a| a.allocation_id.is_none())
                });
                prop_assert!(!auto, "stopped instance {} kept its public address", i.id);
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(48),
        max_shrink_iters: 2000,
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_sequence_keeps_the_lab_coherent(ops in ops()) {
        let mut r = Runner::new();
        // The lab as stored. Serialization is deterministic (tables keep creation order,
        // tags are sorted, the index is not stored), so equal text means an equal lab.
        let mut text = serde_json::to_string(&r.lab).unwrap();
        for op in &ops {
            let before = std::mem::take(&mut text);
            let index_before = r.lab.index().clone();
            let result = r.apply(op);
            text = serde_json::to_string(&r.lab).unwrap();
            if let Err(err) = &result {
                prop_assert!(text == before, "{:?} was refused ({}) but changed the lab", op, err);
                prop_assert_eq!(r.lab.index(), &index_before, "{:?} was refused but changed the index", op);
            }
            prop_assert_eq!(r.lab.index(), &r.lab.compute_index(), "index out of step after {:?}", op);
            // A serde round trip (as storage does) gives the same lab and the same index.
            let mut back: Lab = serde_json::from_str(&text).unwrap();
            back.rebuild_index();
            prop_assert!(serde_json::to_string(&back).unwrap() == text, "round trip changed the lab after {:?}", op);
            prop_assert_eq!(back.index(), r.lab.index());
            check_invariants(&r.lab)?;
        }
    }
}
