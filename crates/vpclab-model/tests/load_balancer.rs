//! ELBv2 network load balancers, target groups and listeners: creation with AWS's
//! shapes (ARNs, DNS names, requester-managed interfaces, public addresses), every
//! refusal with the lab unchanged, targets and their bindings, health bases, tags, and
//! accounts that cannot see each other's resources.

mod common;

use std::net::SocketAddr;

use common::*;
use vpclab_model::*;

struct World {
    lab: Lab,
    a: Caller,
    vpc: VpcId,
    /// Subnets in us-east-1a, 1b, and a second one in 1a.
    subnets: [SubnetId; 3],
}

fn world() -> World {
    let (mut lab, a, _b) = lab2();
    let vpc = vpc(&mut lab, &a, "10.0.0.0/16");
    igw_attached(&mut lab, &a, &vpc);
    let subnets = [
        subnet_in(&mut lab, &a, &vpc, "10.0.1.0/24", "us-east-1a"),
        subnet_in(&mut lab, &a, &vpc, "10.0.2.0/24", "us-east-1b"),
        subnet_in(&mut lab, &a, &vpc, "10.0.3.0/24", "us-east-1a"),
    ];
    World {
        lab,
        a,
        vpc,
        subnets,
    }
}

fn nlb(name: &str, scheme: &str, subnets: &[&SubnetId]) -> CreateLoadBalancer {
    CreateLoadBalancer {
        name: name.into(),
        subnets: subnets.iter().map(|s| s.to_string()).collect(),
        scheme: Some(scheme.into()),
        load_balancer_type: Some("network".into()),
        ..CreateLoadBalancer::default()
    }
}

fn tg(name: &str, vpc: &VpcId, target_type: &str) -> CreateTargetGroup {
    CreateTargetGroup {
        name: name.into(),
        protocol: Some("TCP".into()),
        port: Some(80),
        vpc_id: Some(vpc.to_string()),
        target_type: Some(target_type.into()),
        ..CreateTargetGroup::default()
    }
}

fn forward(tg: &TargetGroupArn) -> Vec<ListenerAction> {
    vec![ListenerAction {
        action_type: "forward".into(),
        target_group_arn: Some(tg.to_string()),
        ..ListenerAction::default()
    }]
}

fn listener(lb: &LoadBalancerArn, port: i64, tg: &TargetGroupArn) -> CreateListener {
    CreateListener {
        load_balancer_arn: lb.to_string(),
        protocol: Some("TCP".into()),
        port: Some(port),
        default_actions: forward(tg),
        ..CreateListener::default()
    }
}

fn target(id: &str, port: Option<i64>) -> TargetDescription {
    TargetDescription {
        id: id.into(),
        port,
        availability_zone: None,
    }
}

/// Applies `op` through `Lab::apply` (as the API does) and answers the created ARN.
fn apply(lab: &mut Lab, c: &Caller, op: Operation) -> String {
    let out = lab.apply(c, &op).unwrap();
    assert_consistent(lab);
    match out {
        Outcome::Created(id) => id,
        other => format!("{other:?}"),
    }
}

#[test]
fn internal_nlb_has_aws_shapes_and_one_node_interface_per_zone() {
    let World {
        mut lab,
        a,
        vpc,
        subnets,
    } = world();
    let arn = lab
        .create_load_balancer(&a, nlb("web", "internal", &[&subnets[0], &subnets[1]]))
        .unwrap();
    assert_consistent(&lab);
    let lb = lab.load_balancer(arn.as_str()).unwrap().clone();
    let hex = arn.as_str().rsplit('/').next().unwrap().to_owned();
    assert_eq!(hex.len(), 16);
    assert_eq!(
        arn.as_str(),
        format!("arn:aws:elasticloadbalancing:us-east-1:{A}:loadbalancer/net/web/{hex}")
    );
    assert_eq!(
        lb.dns_name,
        format!("web-{hex}.elb.us-east-1.amazonaws.com")
    );
    assert_eq!(lb.canonical_hosted_zone_id, "Z26RNL4JYFTOTI");
    assert_eq!(lb.state, LoadBalancerState::Active);
    assert_eq!(lb.vpc_id, vpc);
    assert_eq!(lb.scheme, Scheme::Internal);
    assert_eq!(lb.load_balancer_type(), "network");
    assert_eq!(lb.availability_zones.len(), 2);
    assert_eq!(lb.network_interface_ids.len(), 2);
    assert!(lb.security_groups.is_empty());
    for (z, s) in lb.availability_zones.iter().zip(&subnets) {
        assert_eq!(&z.subnet_id, s);
        let eni = lab
            .network_interface(z.network_interface_id.as_str())
            .unwrap();
        assert_eq!(eni.interface_type, InterfaceType::NetworkLoadBalancer);
        assert_eq!(eni.description, format!("ELB net/web/{hex}"));
        assert!(eni.requester_managed);
        assert_eq!(eni.requester_id(), Some("amazon-elb"));
        assert_eq!(eni.subnet_id, *s);
        assert_eq!(eni.primary_private_ip(), z.private_ipv4_address);
        assert_eq!(eni.public_ip(), None);
        assert_eq!(z.ip_address, None);
        assert!(eni.groups.is_empty());
        assert_eq!(
            lab.load_balancer_of_interface(eni.id.as_str())
                .map(|l| &l.arn),
            Some(&arn)
        );
    }
    assert_eq!(lb.availability_zones[0].zone_name, "us-east-1a");
    assert_eq!(lb.availability_zones[0].zone_id, "use1-az1");
    // Users cannot delete or change a node's interface.
    let eni = lb.network_interface_ids[0].to_string();
    assert_refused(&mut lab, "InvalidNetworkInterface.InUse", |l| {
        l.delete_network_interface(&a, &eni)
    });
    // The subnet cannot go while the node is in it.
    let s = subnets[0].to_string();
    assert_refused(&mut lab, "DependencyViolation", |l| l.delete_subnet(&a, &s));
}

#[test]
fn internet_facing_nodes_get_public_addresses_from_mapping_or_aws() {
    let World {
        mut lab,
        a,
        subnets,
        ..
    } = world();
    let alloc = eip(&mut lab, &a);
    let public = lab.address(alloc.as_str()).unwrap().public_ip;
    let req = CreateLoadBalancer {
        subnet_mappings: vec![
            SubnetMapping {
                subnet_id: subnets[0].to_string(),
                allocation_id: Some(alloc.to_string()),
                ..SubnetMapping::default()
            },
            SubnetMapping {
                subnet_id: subnets[1].to_string(),
                ..SubnetMapping::default()
            },
        ],
        ..nlb("pub", "internet-facing", &[])
    };
    let arn = lab.create_load_balancer(&a, req).unwrap();
    assert_consistent(&lab);
    let lb = lab.load_balancer(arn.as_str()).unwrap().clone();
    assert_eq!(lb.scheme, Scheme::InternetFacing);
    let z0 = &lb.availability_zones[0];
    assert_eq!(z0.ip_address, Some(public));
    assert_eq!(z0.allocation_id.as_ref(), Some(&alloc));
    let addr = lab.address(alloc.as_str()).unwrap();
    assert_eq!(
        addr.association.as_ref().map(|x| &x.network_interface_id),
        Some(&z0.network_interface_id)
    );
    let z1 = &lb.availability_zones[1];
    let auto = z1.ip_address.expect("an AWS-assigned address");
    assert_ne!(auto, public);
    let eni1 = lab
        .network_interface(z1.network_interface_id.as_str())
        .unwrap();
    assert_eq!(eni1.public_ip(), Some(auto));
    assert_eq!(
        lab.eni_by_public_ip(auto).map(|e| &e.id),
        Some(&z1.network_interface_id)
    );

    // The load balancer holds its Elastic IP and its nodes' addresses.
    let assoc = addr
        .association
        .as_ref()
        .unwrap()
        .association_id
        .to_string();
    assert_refused(&mut lab, "OperationNotPermitted", |l| {
        l.disassociate_address(&a, &assoc)
    });
    let i = instance(&mut lab, &a, &subnets[0]);
    assert_refused(&mut lab, "OperationNotPermitted", |l| {
        l.associate_address(
            &a,
            &AssociateAddress {
                allocation_id: alloc.to_string(),
                instance_id: Some(i.to_string()),
                ..AssociateAddress::default()
            },
        )
    });
    let other = eip(&mut lab, &a);
    let node = z1.network_interface_id.to_string();
    assert_refused(&mut lab, "InvalidParameterValue", |l| {
        l.associate_address(
            &a,
            &AssociateAddress {
                allocation_id: other.to_string(),
                network_interface_id: Some(node),
                ..AssociateAddress::default()
            },
        )
    });
    assert_refused(&mut lab, "InvalidIPAddress.InUse", |l| {
        l.release_address(&a, alloc.as_str())
    });

    // Deleting frees the Elastic IP and the interfaces.
    lab.delete_load_balancer(&a, arn.as_str()).unwrap();
    assert_consistent(&lab);
    assert!(lab.load_balancer(arn.as_str()).is_none());
    assert!(lab.address(alloc.as_str()).unwrap().association.is_none());
    for eni in &lb.network_interface_ids {
        assert!(lab.network_interface(eni.as_str()).is_none());
        assert!(lab.load_balancer_of_interface(eni.as_str()).is_none());
    }
    // AWS: deleting what does not exist succeeds; a malformed ARN does not.
    lab.delete_load_balancer(&a, arn.as_str()).unwrap();
    assert_refused(&mut lab, "ValidationError", |l| {
        l.delete_load_balancer(&a, "not-an-arn")
    });
}

#[test]
fn mapping_private_address_is_used_for_internal_nodes() {
    let World {
        mut lab,
        a,
        subnets,
        ..
    } = world();
    let req = CreateLoadBalancer {
        subnet_mappings: vec![SubnetMapping {
            subnet_id: subnets[0].to_string(),
            private_ipv4_address: Some("10.0.1.50".into()),
            ..SubnetMapping::default()
        }],
        ..nlb("fixed", "internal", &[])
    };
    let arn = lab.create_load_balancer(&a, req.clone()).unwrap();
    let lb = lab.load_balancer(arn.as_str()).unwrap();
    assert_eq!(
        lb.availability_zones[0].private_ipv4_address,
        ip4("10.0.1.50")
    );
    // The address is now taken.
    let taken = CreateLoadBalancer {
        name: "other".into(),
        ..req
    };
    assert_refused(&mut lab, "InvalidConfigurationRequest", |l| {
        l.create_load_balancer(&a, taken)
    });
}

#[test]
fn create_load_balancer_refusals_leave_the_lab_unchanged() {
    let World {
        mut lab,
        a,
        vpc,
        subnets,
    } = world();
    let other_vpc = common::vpc(&mut lab, &a, "10.1.0.0/16");
    let other_subnet = subnet_in(&mut lab, &a, &other_vpc, "10.1.1.0/24", "us-east-1b");
    let no_igw_subnet = other_subnet.clone();
    let s0 = &subnets[0];
    let cases: Vec<(&str, CreateLoadBalancer)> = vec![
        ("ValidationError", nlb("-bad", "internal", &[s0])),
        ("ValidationError", nlb(&"a".repeat(33), "internal", &[s0])),
        ("ValidationError", nlb("internal-web", "internal", &[s0])),
        ("ValidationError", nlb("web", "sideways", &[s0])),
        ("ValidationError", nlb("web", "internal", &[])),
        (
            "InvalidConfigurationRequest",
            CreateLoadBalancer {
                load_balancer_type: None,
                ..nlb("web", "internal", &[s0])
            },
        ),
        (
            "InvalidConfigurationRequest",
            CreateLoadBalancer {
                load_balancer_type: Some("gateway".into()),
                ..nlb("web", "internal", &[s0])
            },
        ),
        ("SubnetNotFound", {
            let mut r = nlb("web", "internal", &[s0]);
            r.subnets.push(missing("subnet"));
            r
        }),
        (
            "InvalidConfigurationRequest",
            nlb("web", "internal", &[s0, &subnets[2]]),
        ),
        (
            "InvalidConfigurationRequest",
            nlb("web", "internal", &[s0, &other_subnet]),
        ),
        (
            "InvalidSubnet",
            nlb("web", "internet-facing", &[&no_igw_subnet]),
        ),
        (
            "InvalidSecurityGroup",
            CreateLoadBalancer {
                security_groups: vec![missing("sg")],
                ..nlb("web", "internal", &[s0])
            },
        ),
        (
            "AllocationIdNotFound",
            CreateLoadBalancer {
                subnet_mappings: vec![SubnetMapping {
                    subnet_id: s0.to_string(),
                    allocation_id: Some(missing("eipalloc")),
                    ..SubnetMapping::default()
                }],
                ..nlb("web", "internet-facing", &[])
            },
        ),
        (
            "InvalidConfigurationRequest",
            CreateLoadBalancer {
                subnet_mappings: vec![SubnetMapping {
                    subnet_id: s0.to_string(),
                    private_ipv4_address: Some("10.0.1.10".into()),
                    ..SubnetMapping::default()
                }],
                ..nlb("web", "internet-facing", &[])
            },
        ),
        (
            "InvalidConfigurationRequest",
            CreateLoadBalancer {
                subnet_mappings: vec![SubnetMapping {
                    subnet_id: s0.to_string(),
                    private_ipv4_address: Some("10.0.9.10".into()),
                    ..SubnetMapping::default()
                }],
                ..nlb("web", "internal", &[])
            },
        ),
        (
            "ValidationError",
            CreateLoadBalancer {
                tags: tags(&[("aws:x", "y")]),
                ..nlb("web", "internal", &[s0])
            },
        ),
    ];
    for (code, req) in cases {
        let name = req.name.clone();
        let err = assert_refused(&mut lab, code, |l| {
            l.apply(&a, &Operation::CreateLoadBalancer(req))
        });
        assert!(!err.to_string().is_empty(), "{name}");
    }
    // Another account's subnet is not found.
    let b = caller(B);
    assert_refused(&mut lab, "SubnetNotFound", |l| {
        l.create_load_balancer(&b, nlb("web", "internal", &[s0]))
    });
    // Same name: same settings answer the same load balancer; others are refused.
    let first = lab
        .create_load_balancer(&a, nlb("web", "internal", &[s0]))
        .unwrap();
    let again = lab
        .create_load_balancer(&a, nlb("web", "internal", &[s0]))
        .unwrap();
    assert_eq!(first, again);
    assert_eq!(lab.load_balancers().count(), 1);
    assert_refused(&mut lab, "DuplicateLoadBalancerName", |l| {
        l.create_load_balancer(&a, nlb("web", "internal", &[&subnets[1]]))
    });
    // The other account may use the name in its own VPC.
    let bvpc = common::vpc(&mut lab, &b, "10.0.0.0/16");
    let bs = subnet(&mut lab, &b, &bvpc, "10.0.1.0/24");
    lab.create_load_balancer(&b, nlb("web", "internal", &[&bs]))
        .unwrap();
    let _ = vpc;
}

#[test]
fn target_groups_attributes_and_refusals() {
    let World {
        mut lab, a, vpc, ..
    } = world();
    let arn = TargetGroupArn::new_unchecked(apply(
        &mut lab,
        &a,
        Operation::CreateTargetGroup(tg("app", &vpc, "ip")),
    ));
    let g = lab.target_group(arn.as_str()).unwrap().clone();
    assert!(arn.as_str().starts_with(&format!(
        "arn:aws:elasticloadbalancing:us-east-1:{A}:targetgroup/app/"
    )));
    assert_eq!(g.protocol, ElbProtocol::Tcp);
    assert_eq!(g.port, 80);
    assert_eq!(g.target_type, TargetType::Ip);
    assert!(!g.attributes.preserve_client_ip, "ip + TCP: off by default");
    assert!(!g.attributes.proxy_protocol_v2);
    assert_eq!(g.health_check.protocol, ElbProtocol::Tcp);
    assert_eq!(g.health_check.port, None);
    // Idempotent with the same settings, refused with others.
    assert_eq!(
        lab.create_target_group(&a, tg("app", &vpc, "ip")).unwrap(),
        arn
    );
    assert_refused(&mut lab, "DuplicateTargetGroupName", |l| {
        l.create_target_group(&a, tg("app", &vpc, "instance"))
    });
    let inst = lab
        .create_target_group(&a, tg("inst", &vpc, "instance"))
        .unwrap();
    assert!(
        lab.target_group(inst.as_str())
            .unwrap()
            .attributes
            .preserve_client_ip
    );

    for (code, req) in [
        ("ValidationError", tg("bad_name", &vpc, "ip")),
        ("InvalidConfigurationRequest", tg("x", &vpc, "lambda")),
        ("InvalidConfigurationRequest", tg("x", &vpc, "alb")),
        (
            "InvalidConfigurationRequest",
            CreateTargetGroup {
                protocol: Some("HTTP".into()),
                ..tg("x", &vpc, "ip")
            },
        ),
        (
            "ValidationError",
            CreateTargetGroup {
                protocol: Some("SCTP".into()),
                ..tg("x", &vpc, "ip")
            },
        ),
        (
            "ValidationError",
            CreateTargetGroup {
                port: Some(0),
                ..tg("x", &vpc, "ip")
            },
        ),
        (
            "ValidationError",
            CreateTargetGroup {
                port: None,
                ..tg("x", &vpc, "ip")
            },
        ),
        (
            "ValidationError",
            CreateTargetGroup {
                vpc_id: Some(missing("vpc")),
                ..tg("x", &vpc, "ip")
            },
        ),
        (
            "ValidationError",
            CreateTargetGroup {
                health_check: HealthCheckSettings {
                    interval_seconds: Some(1),
                    ..HealthCheckSettings::default()
                },
                ..tg("x", &vpc, "ip")
            },
        ),
    ] {
        assert_refused(&mut lab, code, |l| {
            l.apply(&a, &Operation::CreateTargetGroup(req))
        });
    }

    // Attributes.
    let set = |k: &str, v: &str| vec![(k.to_owned(), v.to_owned())];
    lab.apply(
        &a,
        &Operation::ModifyTargetGroupAttributes {
            target_group_arn: arn.to_string(),
            attributes: set("proxy_protocol_v2.enabled", "true"),
        },
    )
    .unwrap();
    lab.modify_target_group_attributes(
        &a,
        arn.as_str(),
        &set("deregistration_delay.timeout_seconds", "10"),
    )
    .unwrap();
    let g = lab.target_group(arn.as_str()).unwrap();
    assert!(g.attributes.proxy_protocol_v2);
    assert_eq!(g.attributes.deregistration_delay_timeout_seconds, 10);
    let mut both = set("stickiness.enabled", "true");
    both.extend(set("no.such.key", "1"));
    assert_refused(&mut lab, "ValidationError", |l| {
        l.modify_target_group_attributes(&a, arn.as_str(), &both)
    });
    assert!(
        !lab.target_group(arn.as_str())
            .unwrap()
            .attributes
            .stickiness_enabled
    );

    // Health check changes.
    lab.modify_target_group(
        &a,
        arn.as_str(),
        &HealthCheckSettings {
            port: Some("8081".into()),
            interval_seconds: Some(10),
            timeout_seconds: Some(5),
            ..HealthCheckSettings::default()
        },
    )
    .unwrap();
    let h = &lab.target_group(arn.as_str()).unwrap().health_check;
    assert_eq!(
        (h.port, h.interval_seconds, h.timeout_seconds),
        (Some(8081), 10, 5)
    );

    // Another account sees nothing.
    let b = caller(B);
    assert_refused(&mut lab, "TargetGroupNotFound", |l| {
        l.modify_target_group_attributes(&b, arn.as_str(), &set("stickiness.enabled", "true"))
    });
    lab.delete_target_group(&b, arn.as_str()).unwrap();
    assert!(lab.target_group(arn.as_str()).is_some());
    lab.delete_target_group(&a, arn.as_str()).unwrap();
    assert!(lab.target_group(arn.as_str()).is_none());
}

#[test]
fn targets_register_with_aws_checks() {
    let World {
        mut lab,
        a,
        vpc,
        subnets,
    } = world();
    let i1 = instance(&mut lab, &a, &subnets[0]);
    let other_vpc = common::vpc(&mut lab, &a, "10.1.0.0/16");
    let other_subnet = subnet(&mut lab, &a, &other_vpc, "10.1.1.0/24");
    let far = instance(&mut lab, &a, &other_subnet);
    let gone = instance(&mut lab, &a, &subnets[0]);
    lab.terminate_instances(&a, &[gone.to_string()]).unwrap();
    let tgi = lab
        .create_target_group(&a, tg("inst", &vpc, "instance"))
        .unwrap();
    let tgip = lab.create_target_group(&a, tg("ips", &vpc, "ip")).unwrap();

    lab.apply(
        &a,
        &Operation::RegisterTargets {
            target_group_arn: tgi.to_string(),
            targets: vec![target(i1.as_str(), None), target(i1.as_str(), Some(8080))],
        },
    )
    .unwrap();
    // Registering again changes nothing.
    lab.register_targets(&a, tgi.as_str(), &[target(i1.as_str(), None)])
        .unwrap();
    let g = lab.target_group(tgi.as_str()).unwrap();
    assert_eq!(
        g.targets,
        vec![
            RegisteredTarget {
                id: i1.to_string(),
                port: 80,
                availability_zone: None
            },
            RegisteredTarget {
                id: i1.to_string(),
                port: 8080,
                availability_zone: None
            },
        ]
    );
    for (code, t) in [
        ("InvalidTarget", target(far.as_str(), None)),
        ("InvalidTarget", target(gone.as_str(), None)),
        ("InvalidTarget", target(&missing("i"), None)),
        ("ValidationError", target(i1.as_str(), Some(70000))),
        (
            "ValidationError",
            TargetDescription {
                availability_zone: Some("us-east-1a".into()),
                ..target(i1.as_str(), None)
            },
        ),
    ] {
        assert_refused(&mut lab, code, |l| {
            l.register_targets(&a, tgi.as_str(), &[target(i1.as_str(), Some(9)), t])
        });
    }
    let b = caller(B);
    assert_refused(&mut lab, "TargetGroupNotFound", |l| {
        l.register_targets(&b, tgi.as_str(), &[target(i1.as_str(), None)])
    });

    // ip targets: in the VPC; outside it, private ranges with zone `all`.
    lab.register_targets(
        &a,
        tgip.as_str(),
        &[
            target("10.0.1.10", Some(443)),
            TargetDescription {
                availability_zone: Some("all".into()),
                ..target("192.168.1.1", None)
            },
        ],
    )
    .unwrap();
    for (code, t) in [
        ("InvalidTarget", target("8.8.8.8", None)),
        ("ValidationError", target("192.168.1.2", None)),
        ("ValidationError", target("not-an-ip", None)),
        (
            "ValidationError",
            TargetDescription {
                availability_zone: Some("all".into()),
                ..target("10.0.1.11", None)
            },
        ),
    ] {
        assert_refused(&mut lab, code, |l| {
            l.register_targets(&a, tgip.as_str(), &[t])
        });
    }

    // Deregistering.
    assert_refused(&mut lab, "InvalidTarget", |l| {
        l.deregister_targets(&a, tgi.as_str(), &[target(i1.as_str(), Some(81))])
    });
    lab.apply(
        &a,
        &Operation::DeregisterTargets {
            target_group_arn: tgi.to_string(),
            targets: vec![target(i1.as_str(), Some(8080))],
        },
    )
    .unwrap();
    assert_eq!(lab.target_group(tgi.as_str()).unwrap().targets.len(), 1);
}

#[test]
fn listeners_forward_to_one_compatible_target_group_of_the_vpc() {
    let World {
        mut lab,
        a,
        vpc,
        subnets,
    } = world();
    let lb = lab
        .create_load_balancer(&a, nlb("web", "internal", &[&subnets[0]]))
        .unwrap();
    let lb2 = lab
        .create_load_balancer(&a, nlb("web2", "internal", &[&subnets[1]]))
        .unwrap();
    let g = lab
        .create_target_group(&a, tg("app", &vpc, "instance"))
        .unwrap();
    let udp = lab
        .create_target_group(
            &a,
            CreateTargetGroup {
                protocol: Some("UDP".into()),
                ..tg("dns", &vpc, "instance")
            },
        )
        .unwrap();
    let g2 = lab.create_target_group(&a, tg("app2", &vpc, "ip")).unwrap();
    let other_vpc = common::vpc(&mut lab, &a, "10.1.0.0/16");
    let elsewhere = lab
        .create_target_group(&a, tg("far", &other_vpc, "instance"))
        .unwrap();

    let l = ListenerArn::new_unchecked(apply(
        &mut lab,
        &a,
        Operation::CreateListener(listener(&lb, 80, &g)),
    ));
    let lbv = lab.load_balancer(lb.as_str()).unwrap().clone();
    assert!(l.as_str().starts_with(&format!(
        "arn:aws:elasticloadbalancing:us-east-1:{A}:listener/{}/",
        lbv.resource_id()
    )));
    let got: Vec<&Listener> = lab.listeners_of(&lbv).collect();
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].port, got[0].protocol), (80, ElbProtocol::Tcp));
    assert_eq!(got[0].target_group_arn, g);
    // Same settings again: the same listener.
    assert_eq!(lab.create_listener(&a, listener(&lb, 80, &g)).unwrap(), l);

    let tls_no_cert = CreateListener {
        protocol: Some("TLS".into()),
        ..listener(&lb, 443, &g)
    };
    let http = CreateListener {
        protocol: Some("HTTP".into()),
        ..listener(&lb, 81, &g)
    };
    let fixed = CreateListener {
        default_actions: vec![ListenerAction {
            action_type: "fixed-response".into(),
            ..ListenerAction::default()
        }],
        ..listener(&lb, 82, &g)
    };
    for (code, req) in [
        ("DuplicateListener", listener(&lb, 80, &g2)),
        ("IncompatibleProtocols", listener(&lb, 53, &udp)),
        ("TargetGroupAssociationLimit", listener(&lb2, 80, &g)),
        ("InvalidConfigurationRequest", listener(&lb, 90, &elsewhere)),
        ("ValidationError", listener(&lb, 0, &g)),
        ("ValidationError", tls_no_cert),
        ("UnsupportedProtocol", http),
        ("InvalidLoadBalancerAction", fixed),
        (
            "TargetGroupNotFound",
            listener(
                &lb,
                91,
                &TargetGroupArn::new_unchecked(format!(
                    "arn:aws:elasticloadbalancing:us-east-1:{A}:targetgroup/nope/0123456789abcdef"
                )),
            ),
        ),
        (
            "LoadBalancerNotFound",
            listener(
                &LoadBalancerArn::new_unchecked(format!(
                    "arn:aws:elasticloadbalancing:us-east-1:{A}:loadbalancer/net/nope/0123456789abcdef"
                )),
                80,
                &g,
            ),
        ),
    ] {
        assert_refused(&mut lab, code, |l| {
            l.apply(&a, &Operation::CreateListener(req))
        });
    }
    // A TLS listener with a certificate and AWS's default policy.
    let tls = lab
        .create_listener(
            &a,
            CreateListener {
                protocol: Some("TLS".into()),
                certificates: vec!["arn:aws:acm:us-east-1:111111111111:certificate/x".into()],
                ..listener(&lb, 443, &g)
            },
        )
        .unwrap();
    assert_eq!(
        lab.listener(tls.as_str()).unwrap().ssl_policy.as_deref(),
        Some(DEFAULT_SSL_POLICY)
    );

    // The group is in use: it cannot be deleted.
    assert_refused(&mut lab, "ResourceInUse", |l| {
        l.delete_target_group(&a, g.as_str())
    });
    // ModifyListener moves the port; a taken port is refused.
    let first = l.to_string();
    assert_refused(&mut lab, "DuplicateListener", |x| {
        x.modify_listener(
            &a,
            &first,
            &ModifyListener {
                port: Some(443),
                ..ModifyListener::default()
            },
        )
    });
    lab.apply(
        &a,
        &Operation::ModifyListener {
            listener_arn: l.to_string(),
            change: ModifyListener {
                port: Some(8080),
                ..ModifyListener::default()
            },
        },
    )
    .unwrap();
    assert_eq!(lab.listener(l.as_str()).unwrap().port, 8080);

    // Another account sees no listener.
    let b = caller(B);
    assert_refused(&mut lab, "ListenerNotFound", |x| {
        x.delete_listener(&b, l.as_str())
    });

    // Deleting the load balancer takes its listeners; the group is free again.
    lab.apply(
        &a,
        &Operation::DeleteLoadBalancer {
            load_balancer_arn: lb.to_string(),
        },
    )
    .unwrap();
    assert_consistent(&lab);
    assert!(lab.listener(l.as_str()).is_none() && lab.listener(tls.as_str()).is_none());
    lab.create_listener(&a, listener(&lb2, 80, &g)).unwrap();
    assert_refused(&mut lab, "ListenerNotFound", |x| {
        x.delete_listener(&a, l.as_str())
    });
}

#[test]
fn bindings_and_health_bases() {
    let World {
        mut lab,
        a,
        vpc,
        subnets,
    } = world();
    let i1 = instance(&mut lab, &a, &subnets[0]);
    let i2 = instance(&mut lab, &a, &subnets[1]);
    lab.create_tags(
        &a,
        &[i1.to_string()],
        &tags(&[
            ("vpclab:port:80", "127.0.0.1:18080"),
            ("vpclab:port:81", "bad"),
        ]),
    )
    .unwrap();
    let lb = lab
        .create_load_balancer(&a, nlb("web", "internal", &[&subnets[0]]))
        .unwrap();
    let g = lab
        .create_target_group(&a, tg("app", &vpc, "instance"))
        .unwrap();
    lab.register_targets(
        &a,
        g.as_str(),
        &[
            target(i1.as_str(), None),
            target(i1.as_str(), Some(81)),
            target(i2.as_str(), None),
        ],
    )
    .unwrap();
    let basis = |lab: &Lab, n: usize| {
        let group = lab.target_group(g.as_str()).unwrap();
        lab.target_health_basis(group, &group.targets[n])
    };
    let bound: SocketAddr = "127.0.0.1:18080".parse().unwrap();
    assert_eq!(basis(&lab, 0), TargetHealthBasis::NotInUse);
    lab.create_listener(&a, listener(&lb, 80, &g)).unwrap();
    assert_eq!(basis(&lab, 0), TargetHealthBasis::Probe(Some(bound)));
    assert_eq!(
        basis(&lab, 1),
        TargetHealthBasis::Probe(None),
        "unparsable binding"
    );
    // i2 is in us-east-1b, where the load balancer has no node.
    assert_eq!(basis(&lab, 2), TargetHealthBasis::NotInUse);
    {
        let group = lab.target_group(g.as_str()).unwrap();
        assert_eq!(lab.target_binding(group, &group.targets[0]), Some(bound));
    }
    lab.stop_instances(&a, &[i1.to_string()]).unwrap();
    assert_eq!(basis(&lab, 0), TargetHealthBasis::InvalidState);
    lab.start_instances(&a, &[i1.to_string()]).unwrap();
    lab.modify_target_group(
        &a,
        g.as_str(),
        &HealthCheckSettings {
            enabled: Some(false),
            ..HealthCheckSettings::default()
        },
    )
    .unwrap();
    assert_eq!(basis(&lab, 0), TargetHealthBasis::HealthCheckDisabled);

    // An ip target is bound through the instance holding the address.
    let ipg = lab.create_target_group(&a, tg("ips", &vpc, "ip")).unwrap();
    let ip = private_ip_of(&lab, &i1).to_string();
    lab.register_targets(&a, ipg.as_str(), &[target(&ip, None)])
        .unwrap();
    let group = lab.target_group(ipg.as_str()).unwrap();
    assert_eq!(lab.target_binding(group, &group.targets[0]), Some(bound));
    assert_eq!(
        lab.target_instance(group, &group.targets[0]).map(|i| &i.id),
        Some(&i1)
    );
}

#[test]
fn tags_on_every_elb_resource_and_only_for_the_owner() {
    let World {
        mut lab,
        a,
        vpc,
        subnets,
    } = world();
    let lb = lab
        .create_load_balancer(
            &a,
            CreateLoadBalancer {
                tags: tags(&[("team", "net")]),
                ..nlb("web", "internal", &[&subnets[0]])
            },
        )
        .unwrap();
    let g = lab.create_target_group(&a, tg("app", &vpc, "ip")).unwrap();
    let l = lab.create_listener(&a, listener(&lb, 80, &g)).unwrap();
    let arns = vec![lb.to_string(), g.to_string(), l.to_string()];
    lab.apply(
        &a,
        &Operation::AddTags {
            resource_arns: arns.clone(),
            tags: tags(&[("env", "test")]),
        },
    )
    .unwrap();
    for arn in &arns {
        assert_eq!(
            lab.elb_tags_of(&a, arn).unwrap().get("env").unwrap(),
            "test"
        );
    }
    assert_eq!(lab.elb_tags_of(&a, lb.as_str()).unwrap().len(), 2);
    lab.apply(
        &a,
        &Operation::RemoveTags {
            resource_arns: vec![lb.to_string()],
            tag_keys: vec!["team".into(), "absent".into()],
        },
    )
    .unwrap();
    assert_eq!(
        lab.elb_tags_of(&a, lb.as_str()).unwrap(),
        &tags(&[("env", "test")])
    );
    let many: Tags = (0..50).map(|i| (format!("k{i}"), String::new())).collect();
    assert_refused(&mut lab, "TooManyTags", |x| x.add_tags(&a, &arns, &many));
    let b = caller(B);
    assert_refused(&mut lab, "LoadBalancerNotFound", |x| {
        x.add_tags(&b, &arns[..1], &tags(&[("x", "y")]))
    });
    assert_refused(&mut lab, "TargetGroupNotFound", |x| {
        x.remove_tags(&b, &arns[1..2], &["env".into()])
    });
    assert_refused(&mut lab, "ValidationError", |x| {
        x.add_tags(&a, &["arn:aws:s3:::bucket".into()], &tags(&[("x", "y")]))
    });
}

#[test]
fn the_lab_round_trips_and_replays_with_load_balancers() {
    let World {
        mut lab,
        a,
        vpc,
        subnets,
    } = world();
    let ops = vec![
        Operation::CreateLoadBalancer(nlb("web", "internet-facing", &[&subnets[0], &subnets[1]])),
        Operation::CreateTargetGroup(tg("app", &vpc, "ip")),
    ];
    let mut replica = lab.clone();
    let mut arns = Vec::new();
    for op in &ops {
        arns.push(apply(&mut lab, &a, op.clone()));
        apply(&mut replica, &a, op.clone());
    }
    let l = Operation::CreateListener(listener(
        &LoadBalancerArn::new_unchecked(arns[0].clone()),
        80,
        &TargetGroupArn::new_unchecked(arns[1].clone()),
    ));
    apply(&mut lab, &a, l.clone());
    apply(&mut replica, &a, l);
    assert_eq!(snapshot(&lab), snapshot(&replica));
    let text = serde_json::to_string(&lab).unwrap();
    let mut back: Lab = serde_json::from_str(&text).unwrap();
    back.rebuild_index();
    assert_eq!(back.index(), lab.index());
    assert_eq!(snapshot(&back), snapshot(&lab));
    // Operations themselves round-trip through serde, as the store logs them.
    let op = Operation::ModifyTargetGroupAttributes {
        target_group_arn: arns[1].clone(),
        attributes: vec![("proxy_protocol_v2.enabled".into(), "true".into())],
    };
    let back_op: Operation = serde_json::from_str(&serde_json::to_string(&op).unwrap()).unwrap();
    assert_eq!(back_op.name(), "ModifyTargetGroupAttributes");
}

#[test]
fn load_balancer_attributes_and_deletion_protection() {
    let World {
        mut lab,
        a,
        subnets,
        ..
    } = world();
    let lb = lab
        .create_load_balancer(&a, nlb("web", "internal", &[&subnets[0]]))
        .unwrap();
    let l = lab.load_balancer(lb.as_str()).unwrap();
    assert!(!l.deletion_protection() && !l.cross_zone());
    assert_eq!(l.attributes().len(), LOAD_BALANCER_ATTRIBUTES.len());
    let set = |k: &str, v: &str| vec![(k.to_owned(), v.to_owned())];
    lab.apply(
        &a,
        &Operation::ModifyLoadBalancerAttributes {
            load_balancer_arn: lb.to_string(),
            attributes: set("deletion_protection.enabled", "true"),
        },
    )
    .unwrap();
    assert!(
        lab.load_balancer(lb.as_str())
            .unwrap()
            .deletion_protection()
    );
    assert_refused(&mut lab, "OperationNotPermitted", |x| {
        x.delete_load_balancer(&a, lb.as_str())
    });
    assert_refused(&mut lab, "ValidationError", |x| {
        x.modify_load_balancer_attributes(
            &a,
            lb.as_str(),
            &set("idle_timeout.timeout_seconds", "5"),
        )
    });
    assert_refused(&mut lab, "ValidationError", |x| {
        x.modify_load_balancer_attributes(
            &a,
            lb.as_str(),
            &set("deletion_protection.enabled", "yes"),
        )
    });
    assert_refused(&mut lab, "InvalidConfigurationRequest", |x| {
        x.modify_load_balancer_attributes(&a, lb.as_str(), &set("access_logs.s3.enabled", "true"))
    });
    lab.modify_load_balancer_attributes(
        &a,
        lb.as_str(),
        &set("deletion_protection.enabled", "false"),
    )
    .unwrap();
    lab.delete_load_balancer(&a, lb.as_str()).unwrap();
    assert_consistent(&lab);
}

#[test]
fn a_load_balancer_an_endpoint_service_fronts_cannot_be_deleted() {
    let World {
        mut lab,
        a,
        subnets,
        ..
    } = world();
    let lb = lab
        .create_load_balancer(&a, nlb("svc", "internal", &[&subnets[0]]))
        .unwrap();
    let svc = lab
        .create_vpc_endpoint_service_configuration(
            &a,
            CreateVpcEndpointServiceConfiguration {
                network_load_balancer_arns: vec![lb.to_string()],
                ..CreateVpcEndpointServiceConfiguration::default()
            },
        )
        .unwrap();
    assert_refused(&mut lab, "ResourceInUse", |x| {
        x.delete_load_balancer(&a, lb.as_str())
    });
    assert!(
        lab.delete_vpc_endpoint_service_configurations(&a, &[svc.to_string()])
            .is_empty()
    );
    lab.delete_load_balancer(&a, lb.as_str()).unwrap();
    assert_consistent(&lab);
}
