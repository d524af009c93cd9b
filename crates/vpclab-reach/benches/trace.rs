//! How fast `trace` answers and how fast the model changes, on a large network:
//! 500 VPCs, 10,000 subnets, 50,000 interfaces (instances), 5,000 security groups of 20
//! rules each. Targets: one trace ≤ 20 µs, one mutation ≤ 100 µs, the network ≤ 500 MB.
//!
//! Run with `cargo bench -p vpclab-reach --bench trace`; it prints the network's peak
//! memory (VmHWM) before the timings.

use std::hint::black_box;
use std::net::IpAddr;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use vpclab_model::*;
use vpclab_reach::{Destination, Flow, Source, trace};

const VPCS: usize = 500;
const SUBNETS_PER_VPC: usize = 20;
const ENIS_PER_SUBNET: usize = 5;
const GROUPS_PER_VPC: usize = 10;
const RULES_PER_GROUP: usize = 20;

/// A small deterministic generator (splitmix64), so every run builds the same network.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

struct Network {
    lab: Lab,
    caller: Caller,
    /// Each VPC's instances.
    instances: Vec<Vec<InstanceId>>,
    route_tables: Vec<RouteTableId>,
}

fn build() -> Network {
    let mut lab = Lab::new(7);
    lab.quotas.vpcs_per_region = VPCS + 10;
    lab.quotas.elastic_ips_per_region = VPCS * 2;
    lab.quotas.internet_gateways_per_region = VPCS + 10;
    let account = AccountId::parse("123456789012").unwrap();
    lab.add_account_without_default_vpcs(&account);
    let caller = Caller::new(account, Region::default_region(), Timestamp(0));
    let mut rng = Rng(1);
    let mut instances = Vec::with_capacity(VPCS);
    let mut route_tables = Vec::new();
    for v in 0..VPCS {
        let cidr = format!("10.{}.{}.0/19", v / 8, (v % 8) * 32);
        let vpc = lab
            .create_vpc(
                &caller,
                CreateVpc {
                    cidr_block: cidr,
                    ..Default::default()
                },
            )
            .unwrap();
        let igw = lab.create_internet_gateway(&caller, Tags::new()).unwrap();
        lab.attach_internet_gateway(&caller, igw.as_str(), vpc.as_str())
            .unwrap();
        let public_rt = lab
            .create_route_table(&caller, vpc.as_str(), Tags::new())
            .unwrap();
        let mut to_igw = RouteSpec::to("0.0.0.0/0");
        to_igw.gateway_id = Some(igw.to_string());
        lab.create_route(&caller, public_rt.as_str(), &to_igw)
            .unwrap();
        let private_rt = lab
            .create_route_table(&caller, vpc.as_str(), Tags::new())
            .unwrap();
        route_tables.push(public_rt.clone());
        route_tables.push(private_rt.clone());
        let base = lab
            .vpc(vpc.as_str())
            .unwrap()
            .cidr_block()
            .network()
            .octets();
        let groups: Vec<SecurityGroupId> = (0..GROUPS_PER_VPC)
            .map(|g| {
                lab.create_security_group(
                    &caller,
                    Some(vpc.as_str()),
                    &format!("g{g}"),
                    "bench",
                    Tags::new(),
                )
                .unwrap()
            })
            .collect();
        for g in &groups {
            let permissions: Vec<IpPermission> = (0..RULES_PER_GROUP)
                .map(|r| match r % 4 {
                    0 => IpPermission::tcp(
                        1000 + r as i32,
                        1000 + r as i32,
                        &format!("10.{}.0.0/16", rng.below(64)),
                    ),
                    1 => IpPermission {
                        ip_protocol: "tcp".into(),
                        from_port: Some(2000 + r as i32),
                        to_port: Some(2000 + r as i32),
                        user_id_group_pairs: vec![UserIdGroupPair {
                            group_id: Some(groups[rng.below(GROUPS_PER_VPC)].to_string()),
                            ..Default::default()
                        }],
                        ..Default::default()
                    },
                    2 => IpPermission {
                        ip_protocol: "tcp".into(),
                        from_port: Some(3000 + r as i32),
                        to_port: Some(3000 + r as i32),
                        prefix_list_ids: vec![("pl-63a5400a".into(), None)],
                        ..Default::default()
                    },
                    _ => IpPermission::tcp(4000 + r as i32, 4100 + r as i32, "192.168.0.0/16"),
                })
                .collect();
            lab.authorize_security_group_rules(
                &caller,
                g.as_str(),
                false,
                &permissions[..RULES_PER_GROUP - 1],
            )
            .unwrap();
        }
        let mut vpc_instances = Vec::with_capacity(SUBNETS_PER_VPC * ENIS_PER_SUBNET);
        for s in 0..SUBNETS_PER_VPC {
            let third = base[2] as usize + s;
            let subnet = lab
                .create_subnet(
                    &caller,
                    CreateSubnet {
                        vpc_id: vpc.to_string(),
                        cidr_block: format!("{}.{}.{third}.0/24", base[0], base[1]),
                        ..Default::default()
                    },
                )
                .unwrap();
            let rt = if s % 2 == 0 { &public_rt } else { &private_rt };
            lab.associate_route_table(&caller, rt.as_str(), subnet.as_str())
                .unwrap();
            for _ in 0..ENIS_PER_SUBNET {
                let group = groups[rng.below(GROUPS_PER_VPC)].to_string();
                let (_, ids) = lab
                    .run_instances(
                        &caller,
                        RunInstances {
                            image_id: "ami-12345678".into(),
                            min_count: 1,
                            max_count: 1,
                            subnet_id: Some(subnet.to_string()),
                            security_group_ids: vec![group],
                            associate_public_ip_address: Some(s % 2 == 0),
                            ..Default::default()
                        },
                    )
                    .unwrap();
                vpc_instances.extend(ids);
            }
        }
        instances.push(vpc_instances);
    }
    Network {
        lab,
        caller,
        instances,
        route_tables,
    }
}

/// Peak resident memory of this process so far, from /proc (Linux).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn benches(c: &mut Criterion) {
    let before = peak_rss_mib();
    let started = Instant::now();
    let mut net = build();
    let counts = (
        net.lab.vpcs().count(),
        net.lab.subnets().count(),
        net.lab.network_interfaces().count(),
        net.lab.security_groups().count(),
        net.lab
            .security_groups()
            .map(|g| g.rules.len())
            .sum::<usize>(),
    );
    println!(
        "network: {} VPCs, {} subnets, {} interfaces, {} security groups with {} rules; built in {:.1?}",
        counts.0,
        counts.1,
        counts.2,
        counts.3,
        counts.4,
        started.elapsed()
    );
    if let (Some(b), Some(a)) = (before, peak_rss_mib()) {
        println!(
            "peak memory: {a:.0} MiB (process), {:.0} MiB for the network",
            a - b
        );
    }

    let mut rng = Rng(99);
    let all: Vec<(usize, usize)> = (0..VPCS)
        .flat_map(|v| (0..SUBNETS_PER_VPC * ENIS_PER_SUBNET).map(move |i| (v, i)))
        .collect();
    let mut group = c.benchmark_group("trace");
    group.bench_function("between two random interfaces", |b| {
        b.iter(|| {
            let (va, ia) = all[rng.below(all.len())];
            let (vb, ib) = all[rng.below(all.len())];
            let to = net
                .lab
                .instance(net.instances[vb][ib].as_str())
                .unwrap()
                .primary_network_interface_id
                .clone();
            let ip = IpAddr::V4(
                net.lab
                    .network_interface(to.as_str())
                    .unwrap()
                    .primary_private_ip(),
            );
            let flow = Flow::tcp(
                Source::Instance(net.instances[va][ia].clone()),
                Destination::Address(ip),
                1000,
            );
            black_box(trace(&net.lab, &flow))
        })
    });
    group.bench_function("between two random interfaces of one VPC", |b| {
        b.iter(|| {
            let v = rng.below(VPCS);
            let from = &net.instances[v][rng.below(net.instances[v].len())];
            let to = &net.instances[v][rng.below(net.instances[v].len())];
            let eni = net
                .lab
                .instance(to.as_str())
                .unwrap()
                .primary_network_interface_id
                .clone();
            let ip = IpAddr::V4(
                net.lab
                    .network_interface(eni.as_str())
                    .unwrap()
                    .primary_private_ip(),
            );
            let flow = Flow::tcp(
                Source::Instance(from.clone()),
                Destination::Address(ip),
                2000 + rng.below(20) as u16,
            );
            black_box(trace(&net.lab, &flow))
        })
    });
    group.bench_function("from a random interface to S3 by name", |b| {
        b.iter(|| {
            let v = rng.below(VPCS);
            let from = &net.instances[v][rng.below(net.instances[v].len())];
            let flow = Flow::tcp(
                Source::Instance(from.clone()),
                Destination::Name("s3.us-east-1.amazonaws.com".into()),
                443,
            );
            black_box(trace(&net.lab, &flow))
        })
    });
    group.finish();

    let mut group = c.benchmark_group("mutation");
    // Each route table with its VPC's internet gateway, as a route target.
    let targets: Vec<(RouteTableId, String)> = net
        .route_tables
        .iter()
        .map(|rt| {
            let vpc = net.lab.route_table(rt.as_str()).unwrap().vpc_id.clone();
            (
                rt.clone(),
                net.lab.internet_gateway_of(&vpc).unwrap().id.to_string(),
            )
        })
        .collect();
    let mut n: u32 = 0;
    group.bench_function("create a route", |b| {
        b.iter(|| {
            n += 1;
            // Fresh /32 destinations in 198.18.0.0/15 (the benchmarking range), spread
            // over the route tables so none grows large.
            let dest = std::net::Ipv4Addr::from(0xC612_0000u32 + n);
            let (rt, igw) = &targets[n as usize % targets.len()];
            let mut spec = RouteSpec::to(&format!("{dest}/32"));
            spec.gateway_id = Some(igw.clone());
            net.lab
                .create_route(&net.caller, rt.as_str(), &spec)
                .unwrap();
        })
    });
    let groups: Vec<SecurityGroupId> = net
        .lab
        .security_groups()
        .filter(|g| !g.is_default())
        .map(|g| g.id.clone())
        .collect();
    let mut k: usize = 0;
    // Authorize then revoke, so every group stays under AWS's 60-rule quota however many
    // iterations criterion runs: the figure is for the pair.
    group.bench_function("authorize and revoke a security group rule", |b| {
        b.iter(|| {
            k += 1;
            let g = &groups[k % groups.len()];
            let p = IpPermission::tcp(10000, 10000, "172.16.0.0/12");
            black_box(
                net.lab
                    .authorize_security_group_rules(
                        &net.caller,
                        g.as_str(),
                        false,
                        std::slice::from_ref(&p),
                    )
                    .unwrap(),
            );
            black_box(
                net.lab
                    .revoke_security_group_rules(&net.caller, g.as_str(), false, &[p], &[])
                    .unwrap(),
            )
        })
    });
    let subnets: Vec<SubnetId> = net.lab.subnets().map(|s| s.id.clone()).collect();
    let mut m: usize = 0;
    group.bench_function("launch an instance", |b| {
        b.iter(|| {
            m += 1;
            let subnet = &subnets[m % subnets.len()];
            let run = RunInstances {
                image_id: "ami-12345678".into(),
                min_count: 1,
                max_count: 1,
                subnet_id: Some(subnet.to_string()),
                ..Default::default()
            };
            black_box(net.lab.run_instances(&net.caller, run).unwrap())
        })
    });
    group.finish();
}

criterion_group! {
    name = trace_benches;
    config = Criterion::default().sample_size(50).measurement_time(std::time::Duration::from_secs(4));
    targets = benches
}
criterion_main!(trace_benches);
