//! Network interfaces: Create/DeleteNetworkInterface, Attach/Detach,
//! ModifyNetworkInterfaceAttribute, Assign/UnassignPrivateIpAddresses.

mod common;

use common::*;
use vpclab_model::*;

fn create(subnet: &SubnetId) -> CreateNetworkInterface {
    CreateNetworkInterface {
        subnet_id: subnet.to_string(),
        ..CreateNetworkInterface::default()
    }
}

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
    World {
        lab,
        a,
        vpc,
        subnet,
    }
}

#[test]
fn new_interface_takes_the_lowest_free_address_and_the_default_group() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let e = lab
        .create_network_interface(
            a,
            CreateNetworkInterface {
                description: Some("appliance".into()),
                tags: tags(&[("Name", "x")]),
                ..create(&w.subnet)
            },
        )
        .unwrap();
    assert_consistent(lab);
    let iface = lab.network_interface(e.as_str()).unwrap().clone();
    let eni_ = &iface;
    assert_eq!(eni_.vpc_id, w.vpc);
    assert_eq!(eni_.subnet_id, w.subnet);
    assert_eq!(eni_.availability_zone, "us-east-1a");
    assert_eq!(eni_.description, "appliance");
    assert_eq!(eni_.interface_type, InterfaceType::Interface);
    assert!(!eni_.requester_managed);
    assert!(
        eni_.source_dest_check,
        "AWS: source/destination check is on by default"
    );
    assert_eq!(eni_.attachment, None);
    // AWS reserves .0-.3, so the first address handed out is .4.
    assert_eq!(eni_.primary_private_ip(), ip4("10.0.1.4"));
    assert_eq!(eni_.private_ips.len(), 1);
    assert!(eni_.private_ips[0].primary);
    assert!(eni_.ipv6_addresses.is_empty());
    assert_eq!(
        eni_.groups,
        vec![
            lab.vpc(w.vpc.as_str())
                .unwrap()
                .default_security_group_id
                .clone()
        ]
    );
    assert!(eni_.mac_address.starts_with("0e:") && eni_.mac_address.len() == 17);
    assert_eq!(
        lab.eni_by_private_ip(&w.vpc, ip("10.0.1.4"))
            .map(|x| x.id.clone()),
        Some(e.clone())
    );
    // The next one takes .5.
    let f = eni(lab, a, &w.subnet);
    assert_eq!(
        lab.network_interface(f.as_str())
            .unwrap()
            .primary_private_ip(),
        ip4("10.0.1.5")
    );
}

#[test]
fn interface_with_a_named_primary_and_secondary_addresses() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let g = sg(lab, a, &w.vpc, "app");
    let e = lab
        .create_network_interface(
            a,
            CreateNetworkInterface {
                private_ip_address: Some("10.0.1.20".into()),
                secondary_private_ip_addresses: vec!["10.0.1.21".into()],
                secondary_private_ip_address_count: 2,
                groups: vec![g.to_string(), g.to_string()],
                ..create(&w.subnet)
            },
        )
        .unwrap();
    let eni = lab.network_interface(e.as_str()).unwrap();
    let addrs: Vec<_> = eni
        .private_ips
        .iter()
        .map(|p| (p.address, p.primary))
        .collect();
    assert_eq!(
        addrs,
        vec![
            (ip4("10.0.1.20"), true),
            (ip4("10.0.1.21"), false),
            (ip4("10.0.1.4"), false),
            (ip4("10.0.1.5"), false),
        ]
    );
    assert_eq!(eni.groups, vec![g], "duplicate group ids collapse");
    assert_eq!(available(lab, &w.subnet), 247);
    assert_consistent(lab);
}

#[test]
fn named_secondary_addresses_do_not_become_the_primary_address() {
    // Without PrivateIpAddress, AWS picks the primary address itself; the listed
    // secondary addresses stay secondary.
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let e = lab
        .create_network_interface(
            a,
            CreateNetworkInterface {
                secondary_private_ip_addresses: vec!["10.0.1.50".into()],
                ..create(&w.subnet)
            },
        )
        .unwrap();
    let eni = lab.network_interface(e.as_str()).unwrap();
    assert_eq!(eni.primary_private_ip(), ip4("10.0.1.4"));
    let addrs: Vec<_> = eni
        .private_ips
        .iter()
        .map(|p| (p.address, p.primary))
        .collect();
    assert_eq!(
        addrs,
        vec![(ip4("10.0.1.4"), true), (ip4("10.0.1.50"), false)]
    );
}

#[test]
fn ipv6_addresses_come_from_the_subnet_64() {
    let (mut lab, a) = lab();
    let v = vpc_v6(&mut lab, &a, "10.0.0.0/16");
    let block = first_v6_64(&lab, &v, 0);
    let s = lab
        .create_subnet(
            &a,
            CreateSubnet {
                vpc_id: v.to_string(),
                cidr_block: "10.0.1.0/24".into(),
                ipv6_cidr_block: Some(block.clone()),
                ..CreateSubnet::default()
            },
        )
        .unwrap();
    let e = lab
        .create_network_interface(
            &a,
            CreateNetworkInterface {
                ipv6_address_count: Some(2),
                ..create(&s)
            },
        )
        .unwrap();
    let eni = lab.network_interface(e.as_str()).unwrap().clone();
    assert_eq!(eni.ipv6_addresses.len(), 2);
    let net64: ipnet::Ipv6Net = block.parse().unwrap();
    assert!(eni.ipv6_addresses.iter().all(|x| net64.contains(x)));
    assert_ne!(eni.ipv6_addresses[0], eni.ipv6_addresses[1]);
    assert!(eni.has_private_ip(std::net::IpAddr::V6(eni.ipv6_addresses[1])));
    assert_eq!(
        lab.eni_by_private_ip(&v, std::net::IpAddr::V6(eni.ipv6_addresses[0]))
            .map(|x| x.id.clone()),
        Some(e)
    );
    // IPv6 addresses do not count against the IPv4 free-address count.
    assert_eq!(available(&lab, &s), 250);
    // Another interface gets other addresses.
    let f = lab
        .create_network_interface(
            &a,
            CreateNetworkInterface {
                ipv6_address_count: Some(1),
                ..create(&s)
            },
        )
        .unwrap();
    let other = lab.network_interface(f.as_str()).unwrap().ipv6_addresses[0];
    assert!(!eni.ipv6_addresses.contains(&other));
    assert_consistent(&lab);
}

#[test]
fn create_network_interface_refusals() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    eni(lab, a, &w.subnet); // takes .4
    let other_vpc = vpc(lab, a, "10.1.0.0/16");
    let foreign_sg = sg(lab, a, &other_vpc, "elsewhere");
    let refuse = |lab: &mut Lab, code: &str, req: CreateNetworkInterface| {
        assert_refused(lab, code, |l| l.create_network_interface(a, req));
    };
    let with_ip = |ip: &str| CreateNetworkInterface {
        private_ip_address: Some(ip.into()),
        ..create(&w.subnet)
    };
    refuse(lab, "InvalidParameterValue", with_ip("10.0.2.10"));
    // AWS: the first four addresses and the last one are reserved.
    for reserved in ["10.0.1.0", "10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.255"] {
        refuse(lab, "InvalidParameterValue", with_ip(reserved));
    }
    refuse(lab, "InvalidIPAddress.InUse", with_ip("10.0.1.4"));
    refuse(lab, "InvalidParameterValue", with_ip("fe80::1"));
    refuse(lab, "InvalidParameterValue", with_ip("ten"));
    refuse(
        lab,
        "InvalidIPAddress.InUse",
        CreateNetworkInterface {
            secondary_private_ip_addresses: vec!["10.0.1.9".into()],
            ..with_ip("10.0.1.9")
        },
    );
    refuse(
        lab,
        "InvalidParameterValue",
        CreateNetworkInterface {
            groups: vec![foreign_sg.to_string()],
            ..create(&w.subnet)
        },
    );
    refuse(
        lab,
        "InvalidGroup.NotFound",
        CreateNetworkInterface {
            groups: vec![missing("sg")],
            ..create(&w.subnet)
        },
    );
    let six: Vec<String> = (0..6)
        .map(|k| sg(lab, a, &w.vpc, &format!("g{k}")).to_string())
        .collect();
    refuse(
        lab,
        "SecurityGroupsPerInterfaceLimitExceeded",
        CreateNetworkInterface {
            groups: six,
            ..create(&w.subnet)
        },
    );
    refuse(
        lab,
        "InvalidParameterValue",
        CreateNetworkInterface {
            ipv6_address_count: Some(1),
            ..create(&w.subnet)
        },
    );
    refuse(
        lab,
        "InvalidSubnetID.NotFound",
        create(&SubnetId::new_unchecked(missing("subnet"))),
    );
    refuse(
        lab,
        "InvalidParameterValue",
        CreateNetworkInterface {
            tags: tags(&[("aws:a", "b")]),
            ..create(&w.subnet)
        },
    );
}

#[test]
fn a_full_subnet_has_no_address_left() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let small = subnet(lab, a, &w.vpc, "10.0.2.0/28");
    for _ in 0..11 {
        eni(lab, a, &small);
    }
    assert_eq!(available(lab, &small), 0);
    assert_refused(lab, "InsufficientFreeAddressesInSubnet", |l| {
        l.create_network_interface(a, create(&small))
    });
    // Asking for more than fits is refused as a whole.
    let other = subnet(lab, a, &w.vpc, "10.0.3.0/28");
    assert_refused(lab, "InsufficientFreeAddressesInSubnet", |l| {
        l.create_network_interface(
            a,
            CreateNetworkInterface {
                secondary_private_ip_address_count: 11,
                ..create(&other)
            },
        )
    });
}

#[test]
fn delete_network_interface_frees_its_addresses_and_its_elastic_ip() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    igw_attached(lab, a, &w.vpc);
    let e = eni(lab, a, &w.subnet);
    let x = eip(lab, a);
    let public = lab.address(x.as_str()).unwrap().public_ip;
    lab.associate_address(
        a,
        &AssociateAddress {
            allocation_id: x.to_string(),
            network_interface_id: Some(e.to_string()),
            ..AssociateAddress::default()
        },
    )
    .unwrap();
    lab.delete_network_interface(a, e.as_str()).unwrap();
    assert_consistent(lab);
    assert!(lab.network_interface(e.as_str()).is_none());
    assert!(lab.eni_by_private_ip(&w.vpc, ip("10.0.1.4")).is_none());
    assert!(lab.eni_by_public_ip(public).is_none());
    assert_eq!(lab.address(x.as_str()).unwrap().association, None);
    assert_eq!(available(lab, &w.subnet), 251);
    assert_refused(lab, "InvalidNetworkInterfaceID.NotFound", |l| {
        l.delete_network_interface(a, e.as_str())
    });
    assert_refused(lab, "InvalidNetworkInterfaceID.Malformed", |l| {
        l.delete_network_interface(a, "eni-attach-0123456789abcdef0")
    });
}

#[test]
fn attach_and_detach_a_secondary_interface() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let i = instance(lab, a, &w.subnet);
    let e = eni(lab, a, &w.subnet);
    let attachment = lab
        .attach_network_interface(a, e.as_str(), i.as_str(), 1)
        .unwrap();
    assert!(attachment.as_str().starts_with("eni-attach-"));
    let eni = lab.network_interface(e.as_str()).unwrap();
    let att = eni.attachment.clone().unwrap();
    assert_eq!(att.attachment_id, attachment);
    assert_eq!(att.instance_id, i);
    assert_eq!(att.device_index, 1);
    // AWS: AttachNetworkInterface leaves DeleteOnTermination false.
    assert!(!att.delete_on_termination);
    assert_eq!(att.attach_time, a.now, "AttachTime is the call's time");
    assert_eq!(lab.instance_of(eni).map(|x| x.id.clone()), Some(i.clone()));
    // AWS: an attached interface cannot be deleted.
    assert_refused(lab, "InvalidNetworkInterface.InUse", |l| {
        l.delete_network_interface(a, e.as_str())
    });
    lab.detach_network_interface(a, attachment.as_str())
        .unwrap();
    assert_eq!(lab.network_interface(e.as_str()).unwrap().attachment, None);
    assert_refused(lab, "InvalidAttachmentID.NotFound", |l| {
        l.detach_network_interface(a, attachment.as_str())
    });
    assert_refused(lab, "InvalidAttachmentID.Malformed", |l| {
        l.detach_network_interface(a, "eni-attach-x")
    });
    // The primary interface (device index 0) stays.
    let primary = primary_eni(lab, &i).attachment.clone().unwrap();
    assert_eq!(primary.device_index, 0);
    assert!(primary.delete_on_termination);
    assert_refused(lab, "OperationNotPermitted", |l| {
        l.detach_network_interface(a, primary.attachment_id.as_str())
    });
    assert_consistent(lab);
}

#[test]
fn attach_network_interface_refusals() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let i = instance(lab, a, &w.subnet);
    let e = eni(lab, a, &w.subnet);
    let primary = primary_eni(lab, &i).id.clone();
    // Already attached (the instance's own primary interface).
    assert_refused(lab, "InvalidNetworkInterface.InUse", |l| {
        l.attach_network_interface(a, primary.as_str(), i.as_str(), 1)
    });
    // Device index 0 is taken by the primary interface.
    assert_refused(lab, "InvalidParameterValue", |l| {
        l.attach_network_interface(a, e.as_str(), i.as_str(), 0)
    });
    // AWS: the interface and the instance must be in the same availability zone.
    let other_az = subnet_in(lab, a, &w.vpc, "10.0.2.0/24", "us-east-1b");
    let far = eni(lab, a, &other_az);
    assert_refused(lab, "InvalidParameterValue", |l| {
        l.attach_network_interface(a, far.as_str(), i.as_str(), 1)
    });
    // A NAT gateway's interface is AWS's.
    igw_attached(lab, a, &w.vpc);
    let x = eip(lab, a);
    let n = nat(lab, a, &w.subnet, &x);
    let nat_eni = lab
        .nat_gateway(n.as_str())
        .unwrap()
        .network_interface_id
        .clone()
        .unwrap();
    assert_refused(lab, "OperationNotPermitted", |l| {
        l.attach_network_interface(a, nat_eni.as_str(), i.as_str(), 1)
    });
    assert_refused(lab, "InvalidInstanceID.NotFound", |l| {
        l.attach_network_interface(a, e.as_str(), &missing("i"), 1)
    });
    assert_refused(lab, "InvalidNetworkInterfaceID.NotFound", |l| {
        l.attach_network_interface(a, &missing("eni"), i.as_str(), 1)
    });
    lab.terminate_instances(a, &[i.to_string()]).unwrap();
    assert_refused(lab, "IncorrectInstanceState", |l| {
        l.attach_network_interface(a, e.as_str(), i.as_str(), 1)
    });
}

#[test]
fn modify_network_interface_attribute() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let e = eni(lab, a, &w.subnet);
    let g1 = sg(lab, a, &w.vpc, "one");
    let g2 = sg(lab, a, &w.vpc, "two");
    lab.modify_network_interface_attribute(
        a,
        e.as_str(),
        NetworkInterfaceAttribute::SourceDestCheck(false),
    )
    .unwrap();
    lab.modify_network_interface_attribute(
        a,
        e.as_str(),
        NetworkInterfaceAttribute::Description("nat instance".into()),
    )
    .unwrap();
    lab.modify_network_interface_attribute(
        a,
        e.as_str(),
        NetworkInterfaceAttribute::Groups(vec![g2.to_string(), g1.to_string()]),
    )
    .unwrap();
    let eni = lab.network_interface(e.as_str()).unwrap();
    assert!(!eni.source_dest_check);
    assert_eq!(eni.description, "nat instance");
    assert_eq!(eni.groups, vec![g2.clone(), g1.clone()]);
    assert_refused(lab, "MissingParameter", |l| {
        l.modify_network_interface_attribute(
            a,
            e.as_str(),
            NetworkInterfaceAttribute::Groups(vec![]),
        )
    });
    let other = vpc(lab, a, "10.9.0.0/16");
    let far = sg(lab, a, &other, "far");
    assert_refused(lab, "InvalidParameterValue", |l| {
        l.modify_network_interface_attribute(
            a,
            e.as_str(),
            NetworkInterfaceAttribute::Groups(vec![g1.to_string(), far.to_string()]),
        )
    });
    assert_refused(lab, "InvalidNetworkInterfaceID.NotFound", |l| {
        l.modify_network_interface_attribute(
            a,
            &missing("eni"),
            NetworkInterfaceAttribute::SourceDestCheck(true),
        )
    });
}

#[test]
fn assign_and_unassign_secondary_private_addresses() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let e = eni(lab, a, &w.subnet);
    let named = lab
        .assign_private_ip_addresses(a, e.as_str(), &["10.0.1.30".into()], 1)
        .unwrap();
    assert_eq!(named, vec![ip4("10.0.1.30"), ip4("10.0.1.5")]);
    assert_consistent(lab);
    assert_eq!(
        lab.eni_by_private_ip(&w.vpc, ip("10.0.1.30"))
            .map(|x| x.id.clone()),
        Some(e.clone())
    );
    assert_refused(lab, "MissingParameter", |l| {
        l.assign_private_ip_addresses(a, e.as_str(), &[], 0)
    });
    assert_refused(lab, "InvalidIPAddress.InUse", |l| {
        l.assign_private_ip_addresses(a, e.as_str(), &["10.0.1.30".into()], 0)
    });
    assert_refused(lab, "InvalidParameterValue", |l| {
        l.assign_private_ip_addresses(a, e.as_str(), &["10.0.9.9".into()], 0)
    });
    // AWS: the primary address cannot be unassigned; unknown addresses are refused.
    assert_refused(lab, "InvalidParameterValue", |l| {
        l.unassign_private_ip_addresses(a, e.as_str(), &["10.0.1.4".into()])
    });
    assert_refused(lab, "InvalidParameterValue", |l| {
        l.unassign_private_ip_addresses(a, e.as_str(), &["10.0.1.30".into(), "10.0.1.99".into()])
    });
    lab.unassign_private_ip_addresses(a, e.as_str(), &["10.0.1.30".into()])
        .unwrap();
    assert_consistent(lab);
    let left: Vec<_> = lab
        .network_interface(e.as_str())
        .unwrap()
        .private_ips
        .iter()
        .map(|p| p.address)
        .collect();
    assert_eq!(left, vec![ip4("10.0.1.4"), ip4("10.0.1.5")]);
    assert!(lab.eni_by_private_ip(&w.vpc, ip("10.0.1.30")).is_none());
}

#[test]
fn unassigning_an_address_disassociates_its_elastic_ip() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    igw_attached(lab, a, &w.vpc);
    let e = eni(lab, a, &w.subnet);
    lab.assign_private_ip_addresses(a, e.as_str(), &["10.0.1.30".into()], 0)
        .unwrap();
    let x = eip(lab, a);
    let public = lab.address(x.as_str()).unwrap().public_ip;
    lab.associate_address(
        a,
        &AssociateAddress {
            allocation_id: x.to_string(),
            network_interface_id: Some(e.to_string()),
            private_ip_address: Some("10.0.1.30".into()),
            ..AssociateAddress::default()
        },
    )
    .unwrap();
    lab.unassign_private_ip_addresses(a, e.as_str(), &["10.0.1.30".into()])
        .unwrap();
    assert_consistent(lab);
    assert_eq!(lab.address(x.as_str()).unwrap().association, None);
    assert!(lab.eni_by_public_ip(public).is_none());
}

#[test]
fn listings_keep_creation_order_when_an_interface_changes() {
    // `Lab::network_interfaces` lists in creation order; changing an interface's
    // addresses or public mapping must not move it to the end.
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    igw_attached(lab, a, &w.vpc);
    let first = eni(lab, a, &w.subnet);
    let second = eni(lab, a, &w.subnet);
    lab.assign_private_ip_addresses(a, first.as_str(), &[], 1)
        .unwrap();
    let x = eip(lab, a);
    lab.associate_address(
        a,
        &AssociateAddress {
            allocation_id: x.to_string(),
            network_interface_id: Some(first.to_string()),
            ..AssociateAddress::default()
        },
    )
    .unwrap();
    let order: Vec<_> = lab.network_interfaces().map(|e| e.id.clone()).collect();
    assert_eq!(order, vec![first, second]);
}

#[test]
fn unassign_needs_at_least_one_address() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let e = eni(lab, a, &w.subnet);
    assert_refused(lab, "MissingParameter", |l| {
        l.unassign_private_ip_addresses(a, e.as_str(), &[])
    });
}
