//! Route tables: Create/DeleteRouteTable, (Dis)AssociateRouteTable,
//! ReplaceRouteTableAssociation, Create/Replace/DeleteRoute and route states.

mod common;

use common::*;
use vpclab_model::*;

struct Net {
    lab: Lab,
    a: Caller,
    vpc: VpcId,
    subnet: SubnetId,
    igw: InternetGatewayId,
    main: RouteTableId,
    rt: RouteTableId,
}

/// A VPC 10.0.0.0/16 with a subnet, an attached internet gateway and a custom table.
fn net_with_igw() -> Net {
    let (mut lab, a) = lab();
    let vpc = vpc(&mut lab, &a, "10.0.0.0/16");
    let subnet = subnet(&mut lab, &a, &vpc, "10.0.1.0/24");
    let igw = igw_attached(&mut lab, &a, &vpc);
    let main = main_rt(&lab, &vpc);
    let rt = lab
        .create_route_table(&a, vpc.as_str(), Tags::new())
        .unwrap();
    Net {
        lab,
        a,
        vpc,
        subnet,
        igw,
        main,
        rt,
    }
}

#[test]
fn new_route_table_has_the_vpc_local_routes_and_no_association() {
    let (mut lab, a) = lab();
    let v = vpc_v6(&mut lab, &a, "10.0.0.0/16");
    lab.associate_vpc_cidr_block(&a, v.as_str(), Some("10.1.0.0/16"), false)
        .unwrap();
    let rt = lab
        .create_route_table(&a, v.as_str(), tags(&[("Name", "private")]))
        .unwrap();
    let table = lab.route_table(rt.as_str()).unwrap();
    assert_eq!(table.vpc_id, v);
    assert!(table.associations.is_empty());
    assert_eq!(table.tags.get("Name").map(String::as_str), Some("private"));
    let block = lab.vpc(v.as_str()).unwrap().ipv6_cidr_block_associations[0].cidr;
    assert_eq!(
        routes(&lab, &rt),
        pairs(&[
            ("10.0.0.0/16", "local"),
            ("10.1.0.0/16", "local"),
            (&block.to_string(), "local"),
        ])
    );
    assert!(
        table
            .routes
            .iter()
            .all(|r| r.origin == RouteOrigin::CreateRouteTable)
    );
    // The main table is still the VPC's first one.
    assert_ne!(main_rt(&lab, &v), rt);
    assert_refused(&mut lab, "InvalidVpcID.NotFound", |l| {
        l.create_route_table(&a, &missing("vpc"), Tags::new())
    });
    assert_refused(&mut lab, "InvalidParameterValue", |l| {
        l.create_route_table(&a, v.as_str(), tags(&[("", "empty key")]))
    });
}

#[test]
fn associating_a_table_makes_the_subnet_use_it_and_disassociating_returns_to_main() {
    let mut n = net_with_igw();
    let (lab, a) = (&mut n.lab, &n.a);
    assert_eq!(route_table_of(lab, &n.subnet), n.main);
    let assoc = lab
        .associate_route_table(a, n.rt.as_str(), n.subnet.as_str())
        .unwrap();
    assert_consistent(lab);
    assert!(assoc.as_str().starts_with("rtbassoc-"));
    assert_eq!(route_table_of(lab, &n.subnet), n.rt);
    let table = lab.route_table(n.rt.as_str()).unwrap();
    assert_eq!(table.associations.len(), 1);
    assert_eq!(table.associations[0].id, assoc);
    assert_eq!(
        table.associations[0].target,
        AssociationTarget::Subnet(n.subnet.clone())
    );
    lab.disassociate_route_table(a, assoc.as_str()).unwrap();
    assert_consistent(lab);
    assert_eq!(route_table_of(lab, &n.subnet), n.main);
    assert!(
        lab.route_table(n.rt.as_str())
            .unwrap()
            .associations
            .is_empty()
    );
    assert_refused(lab, "InvalidAssociationID.NotFound", |l| {
        l.disassociate_route_table(a, assoc.as_str())
    });
}

#[test]
fn associate_route_table_refusals() {
    let mut n = net_with_igw();
    let (lab, a) = (&mut n.lab, &n.a);
    let b = caller(B);
    lab.add_account_without_default_vpcs(&account(B));
    lab.associate_route_table(a, n.rt.as_str(), n.subnet.as_str())
        .unwrap();
    let other_rt = lab
        .create_route_table(a, n.vpc.as_str(), Tags::new())
        .unwrap();
    // AWS: a subnet has one explicit association at a time.
    assert_refused(lab, "Resource.AlreadyAssociated", |l| {
        l.associate_route_table(a, other_rt.as_str(), n.subnet.as_str())
    });
    assert_refused(lab, "Resource.AlreadyAssociated", |l| {
        l.associate_route_table(a, n.rt.as_str(), n.subnet.as_str())
    });
    // A table of another VPC.
    let w = vpc(lab, a, "10.1.0.0/16");
    let w_rt = main_rt(lab, &w);
    let fresh = subnet(lab, a, &n.vpc, "10.0.2.0/24");
    assert_refused(lab, "InvalidParameterValue", |l| {
        l.associate_route_table(a, w_rt.as_str(), fresh.as_str())
    });
    assert_refused(lab, "InvalidRouteTableID.NotFound", |l| {
        l.associate_route_table(a, &missing("rtb"), fresh.as_str())
    });
    assert_refused(lab, "InvalidRouteTableId.Malformed", |l| {
        l.associate_route_table(a, "rtb-nope", fresh.as_str())
    });
    assert_refused(lab, "InvalidSubnetID.NotFound", |l| {
        l.associate_route_table(a, n.rt.as_str(), &missing("subnet"))
    });
    assert_refused(lab, "InvalidRouteTableID.NotFound", |l| {
        l.associate_route_table(&b, n.rt.as_str(), fresh.as_str())
    });
}

#[test]
fn the_main_association_cannot_be_disassociated_but_can_be_replaced() {
    let mut n = net_with_igw();
    let (lab, a) = (&mut n.lab, &n.a);
    let main_assoc = lab.route_table(n.main.as_str()).unwrap().associations[0]
        .id
        .clone();
    // AWS: "cannot disassociate the main route table association".
    assert_refused(lab, "InvalidParameterValue", |l| {
        l.disassociate_route_table(a, main_assoc.as_str())
    });
    let new_assoc = lab
        .replace_route_table_association(a, main_assoc.as_str(), n.rt.as_str())
        .unwrap();
    assert_consistent(lab);
    assert_ne!(new_assoc, main_assoc);
    assert_eq!(main_rt(lab, &n.vpc), n.rt);
    // Subnets without an explicit association follow the new main table.
    assert_eq!(route_table_of(lab, &n.subnet), n.rt);
    assert_eq!(
        lab.route_table(n.rt.as_str()).unwrap().associations[0].target,
        AssociationTarget::Main
    );
    // The former main table is now an ordinary, deletable table.
    assert!(
        lab.route_table(n.main.as_str())
            .unwrap()
            .associations
            .is_empty()
    );
    lab.delete_route_table(a, n.main.as_str()).unwrap();
    assert_consistent(lab);
}

#[test]
fn replace_route_table_association_moves_a_subnet_between_tables() {
    let mut n = net_with_igw();
    let (lab, a) = (&mut n.lab, &n.a);
    let assoc = lab
        .associate_route_table(a, n.rt.as_str(), n.subnet.as_str())
        .unwrap();
    let rt2 = lab
        .create_route_table(a, n.vpc.as_str(), Tags::new())
        .unwrap();
    let new_assoc = lab
        .replace_route_table_association(a, assoc.as_str(), rt2.as_str())
        .unwrap();
    assert_consistent(lab);
    assert_eq!(route_table_of(lab, &n.subnet), rt2);
    assert!(
        lab.route_table(n.rt.as_str())
            .unwrap()
            .associations
            .is_empty()
    );
    assert_refused(lab, "InvalidAssociationID.NotFound", |l| {
        l.replace_route_table_association(a, assoc.as_str(), n.rt.as_str())
    });
    let w = vpc(lab, a, "10.1.0.0/16");
    let w_rt = main_rt(lab, &w);
    assert_refused(lab, "InvalidParameterValue", |l| {
        l.replace_route_table_association(a, new_assoc.as_str(), w_rt.as_str())
    });
    assert_refused(lab, "InvalidAssociationID.Malformed", |l| {
        l.replace_route_table_association(a, "rtbassoc-x", rt2.as_str())
    });
    assert_refused(lab, "InvalidRouteTableID.NotFound", |l| {
        l.replace_route_table_association(a, new_assoc.as_str(), &missing("rtb"))
    });
}

#[test]
fn delete_route_table_refuses_main_and_associated_tables() {
    let mut n = net_with_igw();
    let (lab, a) = (&mut n.lab, &n.a);
    assert_refused(lab, "DependencyViolation", |l| {
        l.delete_route_table(a, n.main.as_str())
    });
    let assoc = lab
        .associate_route_table(a, n.rt.as_str(), n.subnet.as_str())
        .unwrap();
    assert_refused(lab, "DependencyViolation", |l| {
        l.delete_route_table(a, n.rt.as_str())
    });
    lab.disassociate_route_table(a, assoc.as_str()).unwrap();
    lab.delete_route_table(a, n.rt.as_str()).unwrap();
    assert!(lab.route_table(n.rt.as_str()).is_none());
    assert_refused(lab, "InvalidRouteTableID.NotFound", |l| {
        l.delete_route_table(a, n.rt.as_str())
    });
    assert_consistent(lab);
}

#[test]
fn create_route_to_an_attached_internet_gateway() {
    let mut n = net_with_igw();
    let (lab, a) = (&mut n.lab, &n.a);
    lab.create_route(a, n.rt.as_str(), &via_igw("0.0.0.0/0", &n.igw))
        .unwrap();
    assert_eq!(
        routes(lab, &n.rt),
        pairs(&[("10.0.0.0/16", "local"), ("0.0.0.0/0", n.igw.as_str())])
    );
    let table = lab.route_table(n.rt.as_str()).unwrap();
    assert_eq!(table.routes[1].origin, RouteOrigin::CreateRoute);
    assert_eq!(
        table.routes[1].target,
        RouteTarget::InternetGateway(n.igw.clone())
    );
    assert_eq!(route_state(lab, &n.rt, "0.0.0.0/0"), RouteState::Active);
    // AWS: one route per destination.
    assert_refused(lab, "RouteAlreadyExists", |l| {
        l.create_route(a, n.rt.as_str(), &via_igw("0.0.0.0/0", &n.igw))
    });
    assert_consistent(lab);
}

#[test]
fn create_route_refuses_bad_destinations_and_targets() {
    let mut n = net_with_igw();
    let (lab, a) = (&mut n.lab, &n.a);
    let rt = n.rt.as_str();
    let refuse = |lab: &mut Lab, code: &str, spec: RouteSpec| {
        assert_refused(lab, code, |l| l.create_route(a, rt, &spec));
    };
    let igw = Some(n.igw.to_string());
    refuse(
        lab,
        "MissingParameter",
        RouteSpec {
            gateway_id: igw.clone(),
            ..RouteSpec::default()
        },
    );
    refuse(
        lab,
        "InvalidParameterCombination",
        RouteSpec {
            destination_ipv6_cidr_block: Some("::/0".into()),
            ..via_igw("0.0.0.0/0", &n.igw)
        },
    );
    refuse(lab, "MissingParameter", RouteSpec::to("0.0.0.0/0"));
    refuse(lab, "InvalidParameterValue", via_igw("0.0.0.1/0", &n.igw));
    refuse(lab, "InvalidParameterValue", via_igw("1.2.3.4", &n.igw));
    let s = n.subnet.clone();
    let appliance = eni(lab, a, &s);
    refuse(
        lab,
        "InvalidParameterCombination",
        RouteSpec {
            network_interface_id: Some(appliance.to_string()),
            ..via_igw("0.0.0.0/0", &n.igw)
        },
    );
    refuse(
        lab,
        "InvalidGatewayID.NotFound",
        via_igw(
            "0.0.0.0/0",
            &InternetGatewayId::new_unchecked(missing("igw")),
        ),
    );
    refuse(
        lab,
        "InvalidGatewayID.NotFound",
        via_igw("0.0.0.0/0", &InternetGatewayId::new_unchecked("nonsense")),
    );
    // AWS: "route table and network gateway belong to different networks".
    let loose = lab.create_internet_gateway(a, Tags::new()).unwrap();
    refuse(lab, "InvalidParameterValue", via_igw("0.0.0.0/0", &loose));
    // AWS: only a local route targets `local`; CreateRoute cannot make one.
    refuse(
        lab,
        "InvalidParameterValue",
        RouteSpec {
            gateway_id: Some("local".into()),
            ..RouteSpec::to("192.168.0.0/16")
        },
    );
    // A gateway endpoint is not a CreateRoute target.
    let e = s3_endpoint(lab, a, &n.vpc, &[]);
    refuse(
        lab,
        "InvalidParameterValue",
        RouteSpec {
            gateway_id: Some(e.to_string()),
            ..RouteSpec::to("192.168.0.0/16")
        },
    );
    refuse(
        lab,
        "InvalidParameterValue",
        RouteSpec {
            vpc_endpoint_id: Some(e.to_string()),
            ..RouteSpec::to("192.168.0.0/16")
        },
    );
    refuse(
        lab,
        "InvalidNetworkInterfaceID.NotFound",
        via_eni(
            "0.0.0.0/0",
            &NetworkInterfaceId::new_unchecked(missing("eni")),
        ),
    );
    refuse(
        lab,
        "InvalidInstanceID.NotFound",
        via_instance("0.0.0.0/0", &InstanceId::new_unchecked(missing("i"))),
    );
    refuse(
        lab,
        "InvalidPrefixListID.NotFound",
        via_igw(&missing("pl"), &n.igw),
    );
    refuse(
        lab,
        "InvalidPrefixListId.Malformed",
        RouteSpec {
            destination_prefix_list_id: Some("pl-x".into()),
            gateway_id: igw.clone(),
            ..RouteSpec::default()
        },
    );
    assert_refused(lab, "InvalidRouteTableID.NotFound", |l| {
        l.create_route(a, &missing("rtb"), &via_igw("0.0.0.0/0", &n.igw))
    });
}

#[test]
fn routes_inside_the_vpc_may_only_target_an_interface() {
    // AWS: a route as specific as or more specific than a VPC block can only target an
    // interface (middlebox routing); an internet gateway is refused.
    let mut n = net_with_igw();
    let (lab, a) = (&mut n.lab, &n.a);
    assert_refused(lab, "InvalidParameterValue", |l| {
        l.create_route(a, n.rt.as_str(), &via_igw("10.0.1.0/24", &n.igw))
    });
    assert_refused(lab, "RouteAlreadyExists", |l| {
        l.create_route(a, n.rt.as_str(), &via_igw("10.0.0.0/16", &n.igw))
    });
    let s = n.subnet.clone();
    let appliance = eni(lab, a, &s);
    lab.create_route(a, n.rt.as_str(), &via_eni("10.0.1.0/24", &appliance))
        .unwrap();
    assert_eq!(
        routes(lab, &n.rt),
        pairs(&[
            ("10.0.0.0/16", "local"),
            ("10.0.1.0/24", appliance.as_str())
        ])
    );
}

#[test]
fn route_to_an_instance_is_stored_as_its_interface() {
    let mut n = net_with_igw();
    let (lab, a) = (&mut n.lab, &n.a);
    let s = n.subnet.clone();
    let i = instance(lab, a, &s);
    let eni_id = primary_eni(lab, &i).id.clone();
    lab.create_route(a, n.rt.as_str(), &via_instance("192.168.0.0/16", &i))
        .unwrap();
    assert_eq!(
        lab.route_table(n.rt.as_str()).unwrap().routes[1].target,
        RouteTarget::NetworkInterface(eni_id.clone())
    );
    assert_eq!(
        route_state(lab, &n.rt, "192.168.0.0/16"),
        RouteState::Active
    );
    // With a second interface attached, the instance alone is ambiguous.
    let second = eni(lab, a, &s);
    lab.attach_network_interface(a, second.as_str(), i.as_str(), 1)
        .unwrap();
    assert_refused(lab, "InvalidParameterValue", |l| {
        l.create_route(a, n.rt.as_str(), &via_instance("172.16.0.0/12", &i))
    });
}

#[test]
fn interfaces_and_instances_of_other_vpcs_are_refused_as_targets() {
    let mut n = net_with_igw();
    let (lab, a) = (&mut n.lab, &n.a);
    let w = vpc(lab, a, "10.1.0.0/16");
    let ws = subnet(lab, a, &w, "10.1.1.0/24");
    let far_eni = eni(lab, a, &ws);
    let far_instance = instance(lab, a, &ws);
    assert_refused(lab, "InvalidParameterValue", |l| {
        l.create_route(a, n.rt.as_str(), &via_eni("192.168.0.0/16", &far_eni))
    });
    assert_refused(lab, "InvalidParameterValue", |l| {
        l.create_route(
            a,
            n.rt.as_str(),
            &via_instance("192.168.0.0/16", &far_instance),
        )
    });
}

#[test]
fn replace_route_changes_the_target() {
    let mut n = net_with_igw();
    let (lab, a) = (&mut n.lab, &n.a);
    let s = n.subnet.clone();
    let appliance = eni(lab, a, &s);
    lab.create_route(a, n.rt.as_str(), &via_igw("0.0.0.0/0", &n.igw))
        .unwrap();
    lab.replace_route(a, n.rt.as_str(), &via_eni("0.0.0.0/0", &appliance))
        .unwrap();
    assert_eq!(
        routes(lab, &n.rt),
        pairs(&[("10.0.0.0/16", "local"), ("0.0.0.0/0", appliance.as_str())])
    );
    // AWS: ReplaceRoute needs an existing route ("Use CreateRoute instead").
    assert_refused(lab, "InvalidParameterValue", |l| {
        l.replace_route(a, n.rt.as_str(), &via_igw("192.168.0.0/16", &n.igw))
    });
    // A non-local route cannot become `local`.
    assert_refused(lab, "InvalidParameterValue", |l| {
        l.replace_route(
            a,
            n.rt.as_str(),
            &RouteSpec {
                local_target: true,
                ..RouteSpec::to("0.0.0.0/0")
            },
        )
    });
    assert_refused(lab, "MissingParameter", |l| {
        l.replace_route(a, n.rt.as_str(), &RouteSpec::to("0.0.0.0/0"))
    });
    assert_consistent(lab);
}

#[test]
fn the_local_route_can_point_at_an_appliance_and_back_but_nowhere_else() {
    let mut n = net_with_igw();
    let (lab, a) = (&mut n.lab, &n.a);
    let s = n.subnet.clone();
    let appliance = eni(lab, a, &s);
    lab.replace_route(a, n.rt.as_str(), &via_eni("10.0.0.0/16", &appliance))
        .unwrap();
    let table = lab.route_table(n.rt.as_str()).unwrap();
    assert_eq!(
        table.routes[0].target,
        RouteTarget::NetworkInterface(appliance.clone())
    );
    assert_eq!(table.routes[0].origin, RouteOrigin::CreateRouteTable);
    assert_refused(lab, "InvalidParameterValue", |l| {
        l.replace_route(a, n.rt.as_str(), &via_igw("10.0.0.0/16", &n.igw))
    });
    // Back to `local`, by LocalTarget or by GatewayId=local.
    lab.replace_route(
        a,
        n.rt.as_str(),
        &RouteSpec {
            local_target: true,
            ..RouteSpec::to("10.0.0.0/16")
        },
    )
    .unwrap();
    assert_eq!(routes(lab, &n.rt), pairs(&[("10.0.0.0/16", "local")]));
    lab.replace_route(a, n.rt.as_str(), &via_eni("10.0.0.0/16", &appliance))
        .unwrap();
    lab.replace_route(
        a,
        n.rt.as_str(),
        &RouteSpec {
            gateway_id: Some("local".into()),
            ..RouteSpec::to("10.0.0.0/16")
        },
    )
    .unwrap();
    assert_eq!(routes(lab, &n.rt), pairs(&[("10.0.0.0/16", "local")]));
}

#[test]
fn delete_route_removes_user_routes_but_never_the_local_route() {
    let mut n = net_with_igw();
    let (lab, a) = (&mut n.lab, &n.a);
    lab.create_route(a, n.rt.as_str(), &via_igw("0.0.0.0/0", &n.igw))
        .unwrap();
    lab.delete_route(a, n.rt.as_str(), &RouteSpec::to("0.0.0.0/0"))
        .unwrap();
    assert_eq!(routes(lab, &n.rt), pairs(&[("10.0.0.0/16", "local")]));
    assert_refused(lab, "InvalidRoute.NotFound", |l| {
        l.delete_route(a, n.rt.as_str(), &RouteSpec::to("0.0.0.0/0"))
    });
    // AWS: "cannot remove local route".
    assert_refused(lab, "InvalidParameterValue", |l| {
        l.delete_route(a, n.rt.as_str(), &RouteSpec::to("10.0.0.0/16"))
    });
    assert_refused(lab, "MissingParameter", |l| {
        l.delete_route(a, n.rt.as_str(), &RouteSpec::default())
    });
    assert_consistent(lab);
}

#[test]
fn route_to_a_customer_prefix_list_and_ipv6_routes_are_separate() {
    let mut n = net_with_igw();
    let (lab, a) = (&mut n.lab, &n.a);
    let pl = lab
        .create_managed_prefix_list(
            a,
            CreateManagedPrefixList {
                name: "office".into(),
                address_family: "IPv4".into(),
                max_entries: 5,
                entries: vec![("203.0.113.0/24".into(), None)],
                tags: Tags::new(),
            },
        )
        .unwrap();
    lab.create_route(a, n.rt.as_str(), &via_igw(pl.as_str(), &n.igw))
        .unwrap();
    lab.create_route(a, n.rt.as_str(), &via_igw("::/0", &n.igw))
        .unwrap();
    lab.create_route(a, n.rt.as_str(), &via_igw("0.0.0.0/0", &n.igw))
        .unwrap();
    assert_eq!(
        routes(lab, &n.rt),
        pairs(&[
            ("10.0.0.0/16", "local"),
            (pl.as_str(), n.igw.as_str()),
            ("::/0", n.igw.as_str()),
            ("0.0.0.0/0", n.igw.as_str()),
        ])
    );
    assert_eq!(
        lab.route_table(n.rt.as_str()).unwrap().routes[1].destination,
        RouteDestination::PrefixList(pl.clone())
    );
    assert_refused(lab, "RouteAlreadyExists", |l| {
        l.create_route(a, n.rt.as_str(), &via_igw(pl.as_str(), &n.igw))
    });
}

#[test]
fn routes_to_a_detached_internet_gateway_are_blackholes() {
    let mut n = net_with_igw();
    let (lab, a) = (&mut n.lab, &n.a);
    lab.create_route(a, n.rt.as_str(), &via_igw("0.0.0.0/0", &n.igw))
        .unwrap();
    lab.detach_internet_gateway(a, n.igw.as_str(), n.vpc.as_str())
        .unwrap();
    assert_eq!(route_state(lab, &n.rt, "0.0.0.0/0"), RouteState::Blackhole);
    assert_eq!(route_state(lab, &n.rt, "10.0.0.0/16"), RouteState::Active);
    lab.attach_internet_gateway(a, n.igw.as_str(), n.vpc.as_str())
        .unwrap();
    assert_eq!(route_state(lab, &n.rt, "0.0.0.0/0"), RouteState::Active);
    // Deleted outright, the route stays and stays a blackhole.
    lab.detach_internet_gateway(a, n.igw.as_str(), n.vpc.as_str())
        .unwrap();
    lab.delete_internet_gateway(a, n.igw.as_str()).unwrap();
    assert_eq!(route_state(lab, &n.rt, "0.0.0.0/0"), RouteState::Blackhole);
    assert_eq!(routes(lab, &n.rt).len(), 2);
}

#[test]
fn routes_to_a_detached_or_deleted_interface_are_blackholes() {
    let mut n = net_with_igw();
    let (lab, a) = (&mut n.lab, &n.a);
    let s = n.subnet.clone();
    let i = instance(lab, a, &s);
    let appliance = eni(lab, a, &s);
    lab.create_route(a, n.rt.as_str(), &via_eni("192.168.0.0/16", &appliance))
        .unwrap();
    // A detached, user-managed interface forwards nothing.
    assert_eq!(
        route_state(lab, &n.rt, "192.168.0.0/16"),
        RouteState::Blackhole
    );
    let attachment = lab
        .attach_network_interface(a, appliance.as_str(), i.as_str(), 1)
        .unwrap();
    assert_eq!(
        route_state(lab, &n.rt, "192.168.0.0/16"),
        RouteState::Active
    );
    lab.detach_network_interface(a, attachment.as_str())
        .unwrap();
    assert_eq!(
        route_state(lab, &n.rt, "192.168.0.0/16"),
        RouteState::Blackhole
    );
    lab.delete_network_interface(a, appliance.as_str()).unwrap();
    assert_eq!(
        route_state(lab, &n.rt, "192.168.0.0/16"),
        RouteState::Blackhole
    );
}
