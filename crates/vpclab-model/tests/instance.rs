//! Instances: RunInstances, Stop/Start/TerminateInstances, public addresses, and the
//! routes that depend on an instance's state.

mod common;

use common::*;
use vpclab_model::*;

struct World {
    lab: Lab,
    a: Caller,
    vpc: VpcId,
    subnet: SubnetId,
}

fn world() -> World {
    let (mut lab, a) = lab();
    let vpc = vpc(&mut lab, &a, "10.0.0.0/16");
    let subnet = subnet(&mut lab, &a, &vpc, "10.0.1.0/24");
    igw_attached(&mut lab, &a, &vpc);
    World {
        lab,
        a,
        vpc,
        subnet,
    }
}

#[test]
fn run_instances_launches_running_instances_with_a_primary_interface() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let g = sg(lab, a, &w.vpc, "app");
    let (reservation, ids) = lab
        .run_instances(
            a,
            RunInstances {
                instance_type: Some("t3.micro".into()),
                key_name: Some("kp".into()),
                security_group_ids: vec![g.to_string()],
                tags: tags(&[("Name", "web")]),
                ..run(&w.subnet)
            },
        )
        .unwrap();
    assert_consistent(lab);
    assert!(reservation.as_str().starts_with("r-"));
    assert_eq!(ids.len(), 1);
    let i = lab.instance(ids[0].as_str()).unwrap().clone();
    assert_eq!(i.state, InstanceState::Running);
    assert_eq!((i.state.name(), i.state.code()), ("running", 16));
    assert_eq!(i.reservation_id, reservation);
    assert_eq!(i.image_id, AMI);
    assert_eq!(i.instance_type, "t3.micro");
    assert_eq!(i.key_name.as_deref(), Some("kp"));
    assert_eq!(
        (i.vpc_id.clone(), i.subnet_id.clone()),
        (w.vpc.clone(), w.subnet.clone())
    );
    assert_eq!(i.availability_zone, "us-east-1a");
    assert_eq!(i.launch_time, T0);
    assert_eq!(i.ami_launch_index, 0);
    assert_eq!(i.tags.get("Name").map(String::as_str), Some("web"));
    assert!(!i.auto_public_ip);
    let eni = primary_eni(lab, &i.id);
    assert_eq!(eni.id, i.primary_network_interface_id);
    assert_eq!(eni.primary_private_ip(), ip4("10.0.1.4"));
    assert_eq!(eni.groups, vec![g]);
    assert_eq!(
        eni.public_ip(),
        None,
        "the subnet does not map public addresses"
    );
    let att = eni.attachment.clone().unwrap();
    assert_eq!(
        (att.instance_id, att.device_index, att.delete_on_termination),
        (i.id.clone(), 0, true)
    );
    // AWS's default instance type when none is given.
    let j = instance(lab, a, &w.subnet);
    assert_eq!(lab.instance(j.as_str()).unwrap().instance_type, "m1.small");
}

#[test]
fn max_count_launches_that_many_in_one_reservation() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let (reservation, ids) = lab
        .run_instances(
            a,
            RunInstances {
                min_count: 1,
                max_count: 3,
                ..run(&w.subnet)
            },
        )
        .unwrap();
    assert_consistent(lab);
    assert_eq!(ids.len(), 3);
    let facts: Vec<_> = ids
        .iter()
        .map(|id| {
            let i = lab.instance(id.as_str()).unwrap();
            assert_eq!(i.reservation_id, reservation);
            (i.ami_launch_index, private_ip_of(lab, id))
        })
        .collect();
    assert_eq!(
        facts,
        vec![
            (0, ip4("10.0.1.4")),
            (1, ip4("10.0.1.5")),
            (2, ip4("10.0.1.6"))
        ]
    );
    assert_eq!(available(lab, &w.subnet), 248);
}

#[test]
fn run_instances_launches_what_fits_between_min_and_max() {
    // AWS: "If you specify a maximum that is more instances than Amazon EC2 can launch …
    // Amazon EC2 launches the largest possible number of instances above the specified
    // minimum count." Here free addresses are the capacity.
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let small = subnet(lab, a, &w.vpc, "10.0.2.0/28");
    let (_, ids) = lab
        .run_instances(
            a,
            RunInstances {
                min_count: 2,
                max_count: 20,
                ..run(&small)
            },
        )
        .unwrap();
    assert_eq!(ids.len(), 11);
    assert_eq!(available(lab, &small), 0);
    assert_consistent(lab);
    assert_refused(lab, "InsufficientFreeAddressesInSubnet", |l| {
        l.run_instances(a, run(&small))
    });
}

#[test]
fn min_count_above_max_count_is_refused() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    assert_refused(lab, "InvalidParameterValue", |l| {
        l.run_instances(
            a,
            RunInstances {
                min_count: 3,
                max_count: 2,
                ..run(&w.subnet)
            },
        )
    });
    // More than fits at the minimum launches nothing.
    let small = subnet(lab, a, &w.vpc, "10.0.2.0/28");
    assert_refused(lab, "InsufficientFreeAddressesInSubnet", |l| {
        l.run_instances(
            a,
            RunInstances {
                min_count: 12,
                max_count: 12,
                ..run(&small)
            },
        )
    });
}

#[test]
fn run_instances_refusals() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let refuse = |lab: &mut Lab, code: &str, req: RunInstances| {
        assert_refused(lab, code, |l| l.run_instances(a, req));
    };
    refuse(
        lab,
        "MissingParameter",
        RunInstances {
            image_id: String::new(),
            ..run(&w.subnet)
        },
    );
    refuse(
        lab,
        "InvalidAMIID.Malformed",
        RunInstances {
            image_id: "img-1".into(),
            ..run(&w.subnet)
        },
    );
    refuse(
        lab,
        "InvalidParameterCombination",
        RunInstances {
            private_ip_address: Some("10.0.1.10".into()),
            max_count: 2,
            ..run(&w.subnet)
        },
    );
    refuse(
        lab,
        "InvalidParameterValue",
        RunInstances {
            private_ip_address: Some("10.0.1.255".into()),
            ..run(&w.subnet)
        },
    );
    refuse(
        lab,
        "InvalidParameterValue",
        RunInstances {
            ipv6_address_count: Some(1),
            ..run(&w.subnet)
        },
    );
    refuse(
        lab,
        "InvalidSubnetID.NotFound",
        RunInstances {
            subnet_id: Some(missing("subnet")),
            ..run(&w.subnet)
        },
    );
    refuse(
        lab,
        "InvalidGroup.NotFound",
        RunInstances {
            security_group_ids: vec![missing("sg")],
            ..run(&w.subnet)
        },
    );
    // AWS: group names go with the default VPC, not with a subnet of another VPC.
    refuse(
        lab,
        "InvalidParameterCombination",
        RunInstances {
            security_groups: vec!["default".into()],
            ..run(&w.subnet)
        },
    );
    refuse(
        lab,
        "InvalidParameterValue",
        RunInstances {
            tags: tags(&[("aws:x", "1")]),
            ..run(&w.subnet)
        },
    );
    // Without a subnet the default VPC is used; this account has none.
    refuse(
        lab,
        "VPCIdNotSpecified",
        RunInstances {
            subnet_id: None,
            ..run(&w.subnet)
        },
    );
    let i = instance(lab, a, &w.subnet);
    let taken = private_ip_of(lab, &i).to_string();
    refuse(
        lab,
        "InvalidIPAddress.InUse",
        RunInstances {
            private_ip_address: Some(taken),
            ..run(&w.subnet)
        },
    );
}

#[test]
fn without_a_subnet_instances_go_to_the_default_vpc_with_a_public_address() {
    let (mut lab, a) = lab_with_default_vpcs();
    let (_, ids) = lab
        .run_instances(
            &a,
            RunInstances {
                image_id: AMI.into(),
                min_count: 1,
                max_count: 1,
                security_groups: vec!["default".into()],
                ..RunInstances::default()
            },
        )
        .unwrap();
    assert_consistent(&lab);
    let i = lab.instance(ids[0].as_str()).unwrap().clone();
    let vpc = lab.default_vpc(&account(A), a.region).unwrap().clone();
    assert_eq!(i.vpc_id, vpc.id);
    assert_eq!(i.availability_zone, "us-east-1a");
    assert_eq!(private_ip_of(&lab, &i.id), ip4("172.31.0.4"));
    // AWS: default subnets map public addresses on launch.
    assert!(i.auto_public_ip);
    let public = public_ip_of(&lab, &i.id).unwrap();
    assert!(a.region.public_ipv4_pool().contains(&public));
    let mapping = primary_eni(&lab, &i.id).private_ips[0]
        .association
        .clone()
        .unwrap();
    assert_eq!(
        (mapping.allocation_id, mapping.ip_owner_id.as_str()),
        (None, "amazon")
    );
    assert_eq!(
        lab.eni_by_public_ip(public).map(|e| e.id.clone()),
        Some(i.primary_network_interface_id.clone())
    );
    assert_eq!(
        primary_eni(&lab, &i.id).groups,
        vec![vpc.default_security_group_id.clone()]
    );
    assert_refused(&mut lab, "InvalidGroup.NotFound", |l| {
        l.run_instances(
            &a,
            RunInstances {
                image_id: AMI.into(),
                security_groups: vec!["nosuch".into()],
                ..RunInstances::default()
            },
        )
    });
}

#[test]
fn associate_public_ip_address_overrides_the_subnet_setting() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let on = public_instance(lab, a, &w.subnet);
    assert!(public_ip_of(lab, &on).is_some());
    lab.modify_subnet_attribute(
        a,
        w.subnet.as_str(),
        SubnetAttribute::MapPublicIpOnLaunch(true),
    )
    .unwrap();
    let (_, ids) = lab
        .run_instances(
            a,
            RunInstances {
                associate_public_ip_address: Some(false),
                ..run(&w.subnet)
            },
        )
        .unwrap();
    assert_eq!(public_ip_of(lab, &ids[0]), None);
    let by_subnet = instance(lab, a, &w.subnet);
    assert!(public_ip_of(lab, &by_subnet).is_some());
    assert_ne!(public_ip_of(lab, &by_subnet), public_ip_of(lab, &on));
}

#[test]
fn stopping_releases_the_auto_assigned_address_and_starting_gives_a_new_one() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let i = public_instance(lab, a, &w.subnet);
    let first = public_ip_of(lab, &i).unwrap();
    let rt = main_rt(lab, &w.vpc);
    lab.create_route(a, rt.as_str(), &via_instance("192.168.0.0/16", &i))
        .unwrap();
    assert_eq!(route_state(lab, &rt, "192.168.0.0/16"), RouteState::Active);

    let changes = lab.stop_instances(a, &[i.to_string()]).unwrap();
    assert_consistent(lab);
    assert_eq!(
        changes,
        vec![InstanceStateChange {
            instance_id: i.clone(),
            previous_state: InstanceState::Running,
            current_state: InstanceState::Stopped,
        }]
    );
    let inst = lab.instance(i.as_str()).unwrap();
    assert_eq!(inst.state, InstanceState::Stopped);
    assert_eq!(inst.state_transition_reason, "User initiated");
    // AWS: the public IPv4 address is released on stop...
    assert_eq!(public_ip_of(lab, &i), None);
    assert!(lab.eni_by_public_ip(first).is_none());
    // ...its private address is kept...
    assert_eq!(private_ip_of(lab, &i), ip4("10.0.1.4"));
    // ...and a route through the stopped instance is a blackhole.
    assert_eq!(
        route_state(lab, &rt, "192.168.0.0/16"),
        RouteState::Blackhole
    );

    // The released address goes back to the pool (someone else takes it here).
    let x = eip(lab, a);
    assert_eq!(lab.address(x.as_str()).unwrap().public_ip, first);

    let later = Caller {
        now: T0.plus_seconds(60),
        ..a.clone()
    };
    let changes = lab.start_instances(&later, &[i.to_string()]).unwrap();
    assert_consistent(lab);
    assert_eq!(changes[0].previous_state, InstanceState::Stopped);
    assert_eq!(changes[0].current_state, InstanceState::Running);
    let inst = lab.instance(i.as_str()).unwrap();
    assert_eq!(inst.launch_time, T0.plus_seconds(60));
    assert_eq!(inst.state_transition_reason, "");
    let second = public_ip_of(lab, &i).expect("a new public address on start");
    assert_ne!(second, first);
    assert_eq!(route_state(lab, &rt, "192.168.0.0/16"), RouteState::Active);
}

#[test]
fn an_elastic_ip_survives_stop_and_start() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let i = public_instance(lab, a, &w.subnet);
    let x = eip(lab, a);
    associate_eip(lab, a, &x, &i);
    let ip = lab.address(x.as_str()).unwrap().public_ip;
    lab.stop_instances(a, &[i.to_string()]).unwrap();
    assert_eq!(public_ip_of(lab, &i), Some(ip));
    lab.start_instances(a, &[i.to_string()]).unwrap();
    assert_eq!(public_ip_of(lab, &i), Some(ip));
    // Only the Elastic IP: no extra auto-assigned address appeared.
    let mapped = primary_eni(lab, &i)
        .private_ips
        .iter()
        .filter(|p| p.association.is_some())
        .count();
    assert_eq!(mapped, 1);
    assert_consistent(lab);
}

#[test]
fn instance_with_two_interfaces_gets_no_new_public_address_on_start() {
    // AWS: a released public address is not replaced "if there is more than one network
    // interface attached to your instance".
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let i = public_instance(lab, a, &w.subnet);
    let second = eni(lab, a, &w.subnet);
    lab.attach_network_interface(a, second.as_str(), i.as_str(), 1)
        .unwrap();
    lab.stop_instances(a, &[i.to_string()]).unwrap();
    lab.start_instances(a, &[i.to_string()]).unwrap();
    assert_eq!(public_ip_of(lab, &i), None);
    assert_consistent(lab);
}

#[test]
fn terminating_deletes_the_primary_interface_and_blackholes_routes() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let i = public_instance(lab, a, &w.subnet);
    let primary = primary_eni(lab, &i).id.clone();
    let keep = eni(lab, a, &w.subnet);
    lab.attach_network_interface(a, keep.as_str(), i.as_str(), 1)
        .unwrap();
    let x = eip(lab, a);
    lab.associate_address(
        a,
        &AssociateAddress {
            allocation_id: x.to_string(),
            network_interface_id: Some(primary.to_string()),
            ..AssociateAddress::default()
        },
    )
    .unwrap();
    let rt = main_rt(lab, &w.vpc);
    lab.create_route(a, rt.as_str(), &via_eni("192.168.0.0/16", &primary))
        .unwrap();
    let changes = lab.terminate_instances(a, &[i.to_string()]).unwrap();
    assert_consistent(lab);
    assert_eq!(changes[0].current_state, InstanceState::Terminated);
    let inst = lab.instance(i.as_str()).unwrap();
    assert_eq!((inst.state.name(), inst.state.code()), ("terminated", 48));
    // AWS: DeleteOnTermination interfaces go, their Elastic IPs stay allocated.
    assert!(lab.network_interface(primary.as_str()).is_none());
    assert_eq!(lab.address(x.as_str()).unwrap().association, None);
    // The attached interface without DeleteOnTermination is detached and kept.
    assert_eq!(
        lab.network_interface(keep.as_str()).unwrap().attachment,
        None
    );
    assert_eq!(
        route_state(lab, &rt, "192.168.0.0/16"),
        RouteState::Blackhole
    );
    // The instance's address is free again (.4); the kept interface still holds its own.
    assert_eq!(available(lab, &w.subnet), 250);
    // Terminating again reports terminated → terminated and changes nothing.
    let before = snapshot(lab);
    let again = lab.terminate_instances(a, &[i.to_string()]).unwrap();
    assert_eq!(again[0].previous_state, InstanceState::Terminated);
    assert_eq!(snapshot(lab), before);
    // A terminated instance cannot be stopped or started.
    assert_refused(lab, "IncorrectInstanceState", |l| {
        l.stop_instances(a, &[i.to_string()])
    });
    assert_refused(lab, "IncorrectInstanceState", |l| {
        l.start_instances(a, &[i.to_string()])
    });
}

#[test]
fn state_changes_are_all_or_nothing() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let i = instance(lab, a, &w.subnet);
    let j = instance(lab, a, &w.subnet);
    lab.terminate_instances(a, &[j.to_string()]).unwrap();
    // One id unknown, malformed or terminated: nothing happens to the others.
    assert_refused(lab, "InvalidInstanceID.NotFound", |l| {
        l.terminate_instances(a, &[i.to_string(), missing("i")])
    });
    assert_refused(lab, "InvalidInstanceID.Malformed", |l| {
        l.stop_instances(a, &[i.to_string(), "i-xyz".into()])
    });
    assert_refused(lab, "IncorrectInstanceState", |l| {
        l.stop_instances(a, &[i.to_string(), j.to_string()])
    });
    let b = caller(B);
    lab.add_account_without_default_vpcs(&account(B));
    assert_refused(lab, "InvalidInstanceID.NotFound", |l| {
        l.stop_instances(&b, &[i.to_string()])
    });
    assert_eq!(
        lab.instance(i.as_str()).unwrap().state,
        InstanceState::Running
    );
}

#[test]
fn dns_names_follow_aws_conventions() {
    let use1 = region("us-east-1");
    let euw1 = region("eu-west-1");
    assert_eq!(
        Lab::private_dns_name(use1, ip4("10.0.1.5")),
        "ip-10-0-1-5.ec2.internal"
    );
    assert_eq!(
        Lab::private_dns_name(euw1, ip4("10.0.1.5")),
        "ip-10-0-1-5.eu-west-1.compute.internal"
    );
    assert_eq!(
        Lab::public_dns_name(use1, ip4("54.160.0.2")),
        "ec2-54-160-0-2.compute-1.amazonaws.com"
    );
    assert_eq!(
        Lab::public_dns_name(euw1, ip4("54.165.0.2")),
        "ec2-54-165-0-2.eu-west-1.compute.amazonaws.com"
    );
}

#[test]
fn vpc_dns_resolves_host_names_only_where_aws_would() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let i = public_instance(lab, a, &w.subnet);
    let private = private_ip_of(lab, &i);
    let public = public_ip_of(lab, &i).unwrap();
    let private_name = Lab::private_dns_name(a.region, private);
    let public_name = Lab::public_dns_name(a.region, public);
    // enableDnsHostnames is off in a non-default VPC: no EC2 host names.
    assert_eq!(lab.resolve(Some(&w.vpc), &private_name), None);
    lab.modify_vpc_attribute(a, w.vpc.as_str(), VpcAttribute::EnableDnsHostnames(true))
        .unwrap();
    assert_eq!(
        lab.resolve(Some(&w.vpc), &private_name),
        Some(Resolution::PrivateDnsName(std::net::IpAddr::V4(private)))
    );
    // AWS: inside its own VPC the public name resolves to the private address; outside,
    // to the public one.
    assert_eq!(
        lab.resolve(Some(&w.vpc), &public_name).map(|r| r.address()),
        Some(std::net::IpAddr::V4(private))
    );
    assert_eq!(
        lab.resolve(None, &public_name).map(|r| r.address()),
        Some(std::net::IpAddr::V4(public))
    );
    // AWS service names resolve to the service's public range.
    let s3 = lab
        .resolve(Some(&w.vpc), "s3.us-east-1.amazonaws.com")
        .unwrap();
    assert!(matches!(s3, Resolution::AwsService { service: "s3", .. }));
    // With DNS support off the VPC resolver answers nothing.
    lab.modify_vpc_attribute(a, w.vpc.as_str(), VpcAttribute::EnableDnsHostnames(false))
        .unwrap();
    lab.modify_vpc_attribute(a, w.vpc.as_str(), VpcAttribute::EnableDnsSupport(false))
        .unwrap();
    assert_eq!(
        lab.resolve(Some(&w.vpc), "s3.us-east-1.amazonaws.com"),
        None
    );
    // After stop, the public name no longer exists.
    lab.stop_instances(a, &[i.to_string()]).unwrap();
    assert_eq!(lab.resolve(None, &public_name), None);
}

#[test]
fn interface_tags_and_attach_time_come_from_the_launch() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let (_, ids) = lab
        .run_instances(
            a,
            RunInstances {
                interface_tags: tags(&[("role", "primary")]),
                ..run(&w.subnet)
            },
        )
        .unwrap();
    assert_consistent(lab);
    let i = lab.instance(ids[0].as_str()).unwrap();
    let eni = lab
        .network_interface(i.primary_network_interface_id.as_str())
        .unwrap();
    assert_eq!(eni.tags, tags(&[("role", "primary")]));
    assert!(i.tags.is_empty(), "instance tags are separate");
    let attachment = eni.attachment.as_ref().unwrap();
    assert_eq!(attachment.attach_time, T0);
    // A bad interface tag refuses the whole launch.
    let bad = tags(&[("aws:reserved", "x")]);
    assert_refused(lab, "InvalidParameterValue", |l| {
        l.run_instances(
            a,
            RunInstances {
                interface_tags: bad,
                ..run(&w.subnet)
            },
        )
    });
}

#[test]
fn placement_zone_picks_the_default_subnet_of_that_zone() {
    let (mut lab, a) = lab_with_default_vpcs();
    let (_, ids) = lab
        .run_instances(
            &a,
            RunInstances {
                image_id: AMI.into(),
                min_count: 1,
                max_count: 1,
                availability_zone: Some("us-east-1c".into()),
                ..RunInstances::default()
            },
        )
        .unwrap();
    assert_consistent(&lab);
    let i = lab.instance(ids[0].as_str()).unwrap().clone();
    assert_eq!(i.availability_zone, "us-east-1c");
    assert!(lab.subnet(i.subnet_id.as_str()).unwrap().default_for_az);
    assert_refused(&mut lab, "InvalidParameterValue", |l| {
        l.run_instances(
            &a,
            RunInstances {
                image_id: AMI.into(),
                availability_zone: Some("us-east-1z".into()),
                ..RunInstances::default()
            },
        )
    });
    // With a subnet, the zone must be the subnet's.
    let subnet = i.subnet_id.clone();
    assert_refused(&mut lab, "InvalidParameterValue", |l| {
        l.run_instances(
            &a,
            RunInstances {
                availability_zone: Some("us-east-1a".into()),
                ..run(&subnet)
            },
        )
    });
}
