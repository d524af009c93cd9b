//! Subnets: CreateSubnet, DeleteSubnet, ModifySubnetAttribute,
//! Associate/DisassociateSubnetCidrBlock, reserved addresses and free-address counts.

mod common;

use common::*;
use vpclab_model::*;

fn create(vpc: &VpcId, cidr: &str) -> CreateSubnet {
    CreateSubnet {
        vpc_id: vpc.to_string(),
        cidr_block: cidr.into(),
        ..CreateSubnet::default()
    }
}

#[test]
fn new_subnet_uses_main_route_table_and_default_nacl() {
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let s = subnet_in(&mut lab, &a, &v, "10.0.1.0/24", "us-east-1c");
    let subnet = lab.subnet(s.as_str()).unwrap();
    assert_eq!(subnet.vpc_id, v);
    assert_eq!(subnet.cidr_block, "10.0.1.0/24".parse().unwrap());
    assert_eq!(subnet.availability_zone, "us-east-1c");
    assert_eq!(subnet.availability_zone_id, "use1-az3");
    assert!(!subnet.map_public_ip_on_launch);
    assert!(!subnet.assign_ipv6_address_on_creation);
    assert!(!subnet.default_for_az);
    // AWS: a subnet without an explicit association uses the VPC's main route table.
    assert_eq!(route_table_of(&lab, &s), main_rt(&lab, &v));
    // AWS: a new subnet is associated with the VPC's default network ACL.
    let acl = lab.network_acl_for_subnet(&s).unwrap();
    assert_eq!(acl.id, lab.vpc(v.as_str()).unwrap().default_network_acl_id);
    assert_eq!(acl.associations.len(), 1);
    assert_eq!(acl.associations[0].subnet_id, s);
    assert!(acl.associations[0].id.as_str().starts_with("aclassoc-"));
    assert_eq!(
        lab.subnet_containing(lab.vpc(v.as_str()).unwrap(), ip("10.0.1.77"))
            .map(|x| x.id.clone()),
        Some(s.clone())
    );
    assert!(
        lab.subnet_containing(lab.vpc(v.as_str()).unwrap(), ip("10.0.2.1"))
            .is_none()
    );
}

#[test]
fn zone_can_be_named_by_id_or_left_to_the_lab() {
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let by_id = lab
        .create_subnet(
            &a,
            CreateSubnet {
                availability_zone_id: Some("use1-az2".into()),
                ..create(&v, "10.0.1.0/24")
            },
        )
        .unwrap();
    assert_eq!(
        lab.subnet(by_id.as_str()).unwrap().availability_zone,
        "us-east-1b"
    );
    let unnamed = lab.create_subnet(&a, create(&v, "10.0.2.0/24")).unwrap();
    assert_eq!(
        lab.subnet(unnamed.as_str()).unwrap().availability_zone,
        "us-east-1a"
    );
    let west = caller_in(A, "eu-west-1");
    let w = vpc(&mut lab, &west, "10.0.0.0/16");
    let ws = lab.create_subnet(&west, create(&w, "10.0.1.0/24")).unwrap();
    let s = lab.subnet(ws.as_str()).unwrap();
    assert_eq!(
        (
            s.availability_zone.as_str(),
            s.availability_zone_id.as_str()
        ),
        ("eu-west-1a", "euw1-az1")
    );
    assert_consistent(&lab);
}

#[test]
fn aws_reserves_five_addresses_per_subnet() {
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let s = subnet(&mut lab, &a, &v, "10.0.1.0/24");
    let sn = lab.subnet(s.as_str()).unwrap().clone();
    // Network address, VPC router, DNS, future use, and broadcast.
    for reserved in ["10.0.1.0", "10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.255"] {
        assert!(sn.is_reserved(ip4(reserved)), "{reserved}");
    }
    for usable in ["10.0.1.4", "10.0.1.100", "10.0.1.254"] {
        assert!(!sn.is_reserved(ip4(usable)), "{usable}");
    }
    assert_eq!(sn.first_usable(), ip4("10.0.1.4"));
    assert_eq!(sn.usable_ipv4_count(), 251);
    assert_eq!(available(&lab, &s), 251);
    let s28 = subnet(&mut lab, &a, &v, "10.0.2.0/28");
    assert_eq!(available(&lab, &s28), 11);
    let w = vpc(&mut lab, &a, "10.1.0.0/16");
    let s16 = subnet(&mut lab, &a, &w, "10.1.0.0/16");
    assert_eq!(available(&lab, &s16), 65531);
}

#[test]
fn free_address_count_follows_interfaces_and_secondary_addresses() {
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let s = subnet(&mut lab, &a, &v, "10.0.1.0/24");
    let i = instance(&mut lab, &a, &s);
    assert_eq!(available(&lab, &s), 250);
    let e = eni(&mut lab, &a, &s);
    assert_eq!(available(&lab, &s), 249);
    lab.assign_private_ip_addresses(&a, e.as_str(), &[], 2)
        .unwrap();
    assert_eq!(available(&lab, &s), 247);
    lab.delete_network_interface(&a, e.as_str()).unwrap();
    assert_eq!(available(&lab, &s), 250);
    lab.terminate_instances(&a, &[i.to_string()]).unwrap();
    assert_eq!(available(&lab, &s), 251);
    assert_consistent(&lab);
}

#[test]
fn create_subnet_refusals_leave_the_lab_unchanged() {
    let (mut lab, a, b) = lab2();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    subnet(&mut lab, &a, &v, "10.0.1.0/24");
    let code = |lab: &mut Lab, code: &str, req: CreateSubnet| {
        assert_refused(lab, code, |l| l.create_subnet(&a, req));
    };
    code(
        &mut lab,
        "InvalidVpcID.NotFound",
        create(&VpcId::new_unchecked(missing("vpc")), "10.0.2.0/24"),
    );
    code(
        &mut lab,
        "InvalidVpcID.Malformed",
        create(&VpcId::new_unchecked("vpc-1"), "10.0.2.0/24"),
    );
    // A zone of another region, an unknown zone, or a zone id that does not match.
    for az in ["us-west-2a", "us-east-1z"] {
        code(
            &mut lab,
            "InvalidParameterValue",
            CreateSubnet {
                availability_zone: Some(az.into()),
                ..create(&v, "10.0.2.0/24")
            },
        );
    }
    code(
        &mut lab,
        "InvalidParameterValue",
        CreateSubnet {
            availability_zone_id: Some("us-east-1a".into()),
            ..create(&v, "10.0.2.0/24")
        },
    );
    code(&mut lab, "InvalidParameterValue", create(&v, "10.0.2.1/24"));
    code(&mut lab, "InvalidParameterValue", create(&v, "garbage"));
    // AWS: inside a VPC block, /16 to /28.
    code(&mut lab, "InvalidSubnet.Range", create(&v, "10.1.0.0/24"));
    code(&mut lab, "InvalidSubnet.Range", create(&v, "10.0.2.0/29"));
    code(&mut lab, "InvalidSubnet.Range", create(&v, "10.0.0.0/15"));
    // AWS: subnets of a VPC never overlap.
    code(
        &mut lab,
        "InvalidSubnet.Conflict",
        create(&v, "10.0.1.0/24"),
    );
    code(
        &mut lab,
        "InvalidSubnet.Conflict",
        create(&v, "10.0.1.128/25"),
    );
    code(
        &mut lab,
        "InvalidSubnet.Conflict",
        create(&v, "10.0.0.0/16"),
    );
    code(
        &mut lab,
        "InvalidParameterValue",
        CreateSubnet {
            tags: tags(&[("aws:x", "y")]),
            ..create(&v, "10.0.2.0/24")
        },
    );
    // Another account cannot put a subnet in A's VPC.
    assert_refused(&mut lab, "InvalidVpcID.NotFound", |l| {
        l.create_subnet(&b, create(&v, "10.0.2.0/24"))
    });
}

#[test]
fn subnet_ipv6_block_is_a_64_of_the_vpc_56() {
    let (mut lab, a) = lab();
    let v = vpc_v6(&mut lab, &a, "10.0.0.0/16");
    let block = first_v6_64(&lab, &v, 1);
    let s = lab
        .create_subnet(
            &a,
            CreateSubnet {
                ipv6_cidr_block: Some(block.clone()),
                ..create(&v, "10.0.1.0/24")
            },
        )
        .unwrap();
    let subnet = lab.subnet(s.as_str()).unwrap();
    assert_eq!(subnet.ipv6_cidr_block_associations.len(), 1);
    assert_eq!(
        subnet.ipv6_cidr_block_associations[0].cidr.to_string(),
        block
    );
    // Refusals: not a /64, outside the VPC's /56, or the /64 of another subnet.
    let wide = first_v6_64(&lab, &v, 0).replace("/64", "/60");
    for (bad, code) in [
        (wide.as_str(), "InvalidSubnet.Range"),
        ("2001:db8::/64", "InvalidSubnet.Range"),
        (block.as_str(), "InvalidSubnet.Conflict"),
        ("not-v6", "InvalidParameterValue"),
    ] {
        assert_refused(&mut lab, code, |l| {
            l.create_subnet(
                &a,
                CreateSubnet {
                    ipv6_cidr_block: Some(bad.into()),
                    ..create(&v, "10.0.2.0/24")
                },
            )
        });
    }
    // A VPC without IPv6 takes no IPv6 subnet block.
    let w = vpc(&mut lab, &a, "10.1.0.0/16");
    assert_refused(&mut lab, "InvalidSubnet.Range", |l| {
        l.create_subnet(
            &a,
            CreateSubnet {
                ipv6_cidr_block: Some(block.clone()),
                ..create(&w, "10.1.1.0/24")
            },
        )
    });
}

#[test]
fn delete_subnet_drops_its_route_table_and_nacl_associations() {
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let s = subnet(&mut lab, &a, &v, "10.0.1.0/24");
    let rt = lab.create_route_table(&a, v.as_str(), Tags::new()).unwrap();
    lab.associate_route_table(&a, rt.as_str(), s.as_str())
        .unwrap();
    let acl = lab.create_network_acl(&a, v.as_str(), Tags::new()).unwrap();
    let assoc = lab.network_acl_for_subnet(&s).unwrap().associations[0]
        .id
        .clone();
    lab.replace_network_acl_association(&a, assoc.as_str(), acl.as_str())
        .unwrap();
    lab.delete_subnet(&a, s.as_str()).unwrap();
    assert_consistent(&lab);
    assert!(lab.subnet(s.as_str()).is_none());
    assert!(
        lab.route_table(rt.as_str())
            .unwrap()
            .associations
            .is_empty()
    );
    assert!(
        lab.network_acl(acl.as_str())
            .unwrap()
            .associations
            .is_empty()
    );
    // Both can now be deleted.
    lab.delete_route_table(&a, rt.as_str()).unwrap();
    lab.delete_network_acl(&a, acl.as_str()).unwrap();
    assert_consistent(&lab);
}

#[test]
fn delete_subnet_is_refused_while_an_interface_is_in_it() {
    let (mut lab, a, b) = lab2();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let s = subnet(&mut lab, &a, &v, "10.0.1.0/24");
    let e = eni(&mut lab, &a, &s);
    assert_refused(&mut lab, "DependencyViolation", |l| {
        l.delete_subnet(&a, s.as_str())
    });
    lab.delete_network_interface(&a, e.as_str()).unwrap();
    let i = instance(&mut lab, &a, &s);
    assert_refused(&mut lab, "DependencyViolation", |l| {
        l.delete_subnet(&a, s.as_str())
    });
    lab.terminate_instances(&a, &[i.to_string()]).unwrap();
    assert_refused(&mut lab, "InvalidSubnetID.NotFound", |l| {
        l.delete_subnet(&b, s.as_str())
    });
    assert_refused(&mut lab, "InvalidSubnetID.Malformed", |l| {
        l.delete_subnet(&a, "subnet-")
    });
    lab.delete_subnet(&a, s.as_str()).unwrap();
    assert_refused(&mut lab, "InvalidSubnetID.NotFound", |l| {
        l.delete_subnet(&a, s.as_str())
    });
}

#[test]
fn modify_subnet_attribute_sets_public_ip_mapping_and_ipv6_assignment() {
    let (mut lab, a) = lab();
    let v = vpc_v6(&mut lab, &a, "10.0.0.0/16");
    let s4 = subnet(&mut lab, &a, &v, "10.0.1.0/24");
    lab.modify_subnet_attribute(&a, s4.as_str(), SubnetAttribute::MapPublicIpOnLaunch(true))
        .unwrap();
    assert!(lab.subnet(s4.as_str()).unwrap().map_public_ip_on_launch);
    // AWS: AssignIpv6AddressOnCreation needs an IPv6 block on the subnet.
    assert_refused(&mut lab, "InvalidParameterValue", |l| {
        l.modify_subnet_attribute(
            &a,
            s4.as_str(),
            SubnetAttribute::AssignIpv6AddressOnCreation(true),
        )
    });
    let block = first_v6_64(&lab, &v, 0);
    lab.associate_subnet_cidr_block(&a, s4.as_str(), &block)
        .unwrap();
    lab.modify_subnet_attribute(
        &a,
        s4.as_str(),
        SubnetAttribute::AssignIpv6AddressOnCreation(true),
    )
    .unwrap();
    assert!(
        lab.subnet(s4.as_str())
            .unwrap()
            .assign_ipv6_address_on_creation
    );
    // Turning it off never needs a block.
    lab.modify_subnet_attribute(
        &a,
        s4.as_str(),
        SubnetAttribute::AssignIpv6AddressOnCreation(false),
    )
    .unwrap();
    assert_refused(&mut lab, "InvalidSubnetID.NotFound", |l| {
        l.modify_subnet_attribute(
            &a,
            &missing("subnet"),
            SubnetAttribute::MapPublicIpOnLaunch(true),
        )
    });
}

#[test]
fn associate_and_disassociate_subnet_ipv6_block() {
    let (mut lab, a) = lab();
    let v = vpc_v6(&mut lab, &a, "10.0.0.0/16");
    let s = subnet(&mut lab, &a, &v, "10.0.1.0/24");
    let other = subnet(&mut lab, &a, &v, "10.0.2.0/24");
    let block = first_v6_64(&lab, &v, 3);
    let assoc = lab
        .associate_subnet_cidr_block(&a, s.as_str(), &block)
        .unwrap();
    assert!(assoc.as_str().starts_with("subnet-cidr-assoc-"));
    assert_refused(&mut lab, "CidrLimitExceeded", |l| {
        l.associate_subnet_cidr_block(&a, s.as_str(), &first_v6_64(&l.clone(), &v, 4))
    });
    assert_refused(&mut lab, "InvalidSubnet.Conflict", |l| {
        l.associate_subnet_cidr_block(&a, other.as_str(), &block)
    });
    assert_refused(&mut lab, "InvalidSubnet.Range", |l| {
        l.associate_subnet_cidr_block(&a, other.as_str(), "2001:db8::/64")
    });
    lab.modify_subnet_attribute(
        &a,
        s.as_str(),
        SubnetAttribute::AssignIpv6AddressOnCreation(true),
    )
    .unwrap();
    // An interface holding an IPv6 address of the block keeps it associated.
    let e = eni(&mut lab, &a, &s);
    let v6 = lab
        .network_interface(e.as_str())
        .unwrap()
        .ipv6_addresses
        .clone();
    assert_eq!(v6.len(), 1, "AssignIpv6AddressOnCreation gives one address");
    assert_refused(&mut lab, "DependencyViolation", |l| {
        l.disassociate_subnet_cidr_block(&a, assoc.as_str())
    });
    lab.delete_network_interface(&a, e.as_str()).unwrap();
    let (gone_from, gone) = lab
        .disassociate_subnet_cidr_block(&a, assoc.as_str())
        .unwrap();
    assert_eq!((gone_from, gone.to_string()), (s.clone(), block.clone()));
    let subnet = lab.subnet(s.as_str()).unwrap();
    assert!(subnet.ipv6_cidr_block_associations.is_empty());
    // Without a block the subnet cannot keep assigning IPv6 addresses.
    assert!(!subnet.assign_ipv6_address_on_creation);
    assert_refused(&mut lab, "InvalidAssociationID.NotFound", |l| {
        l.disassociate_subnet_cidr_block(&a, assoc.as_str())
    });
    assert_refused(&mut lab, "InvalidAssociationID.Malformed", |l| {
        l.disassociate_subnet_cidr_block(&a, "subnet-cidr-assoc-zz")
    });
    // The freed /64 can go to the other subnet.
    lab.associate_subnet_cidr_block(&a, other.as_str(), &block)
        .unwrap();
    assert_consistent(&lab);
}
