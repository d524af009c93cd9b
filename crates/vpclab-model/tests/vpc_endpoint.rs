//! Gateway VPC endpoints: CreateVpcEndpoint, ModifyVpcEndpoint, DeleteVpcEndpoints and
//! the `pl-… → vpce-…` routes they manage.

mod common;

use common::*;
use vpclab_model::*;

struct World {
    lab: Lab,
    a: Caller,
    vpc: VpcId,
    main: RouteTableId,
    private: RouteTableId,
}

fn world() -> World {
    let (mut lab, a) = lab();
    let vpc = vpc(&mut lab, &a, "10.0.0.0/16");
    let main = main_rt(&lab, &vpc);
    let private = lab
        .create_route_table(&a, vpc.as_str(), Tags::new())
        .unwrap();
    World {
        lab,
        a,
        vpc,
        main,
        private,
    }
}

fn gateway(vpc: &VpcId, service: &str, tables: &[&RouteTableId]) -> CreateVpcEndpoint {
    CreateVpcEndpoint {
        vpc_id: vpc.to_string(),
        service_name: service.into(),
        route_table_ids: tables.iter().map(|t| t.to_string()).collect(),
        ..CreateVpcEndpoint::default()
    }
}

fn endpoint_routes(lab: &Lab, rt: &RouteTableId) -> Vec<(String, String)> {
    routes(lab, rt)
        .into_iter()
        .filter(|(d, _)| d.starts_with("pl-"))
        .collect()
}

#[test]
fn gateway_endpoint_adds_its_prefix_list_route_to_each_table() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let e = s3_endpoint(lab, a, &w.vpc, &[&w.main, &w.private]);
    let ep = lab.vpc_endpoint(e.as_str()).unwrap().clone();
    assert_eq!(ep.vpc_id, w.vpc);
    assert_eq!(ep.service_name, "com.amazonaws.us-east-1.s3");
    assert_eq!(ep.vpc_endpoint_type, VpcEndpointType::Gateway);
    assert_eq!(ep.state, VpcEndpointState::Available);
    assert_eq!(ep.state.as_str(), "available");
    // AWS: the default policy allows everything.
    assert_eq!(ep.policy_document, DEFAULT_GATEWAY_POLICY);
    assert_eq!(ep.creation_timestamp, T0);
    assert_eq!(ep.route_table_ids.iter().cloned().collect::<Vec<_>>(), {
        let mut v = vec![w.main.clone(), w.private.clone()];
        v.sort();
        v
    });
    for rt in [&w.main, &w.private] {
        assert_eq!(endpoint_routes(lab, rt), pairs(&[(S3_PL_USE1, e.as_str())]));
        let route = lab
            .route_table(rt.as_str())
            .unwrap()
            .routes
            .iter()
            .find(|r| r.target == RouteTarget::VpcEndpoint(e.clone()))
            .cloned()
            .unwrap();
        assert_eq!(
            route.destination,
            RouteDestination::PrefixList(PrefixListId::new_unchecked(S3_PL_USE1))
        );
        assert_eq!(route_state(lab, rt, S3_PL_USE1), RouteState::Active);
    }
    assert_consistent(lab);
}

#[test]
fn a_table_holds_one_endpoint_route_per_service() {
    // AWS: a route table can have only one route to a service's prefix list.
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    s3_endpoint(lab, a, &w.vpc, &[&w.main]);
    let dup = gateway(&w.vpc, "com.amazonaws.us-east-1.s3", &[&w.main]);
    assert_refused(lab, "RouteAlreadyExists", |l| l.create_vpc_endpoint(a, dup));
    // A second S3 endpoint for other tables, and DynamoDB in the same table, are fine.
    let e2 = s3_endpoint(lab, a, &w.vpc, &[&w.private]);
    let ddb = lab
        .create_vpc_endpoint(
            a,
            gateway(&w.vpc, "com.amazonaws.us-east-1.dynamodb", &[&w.main]),
        )
        .unwrap();
    assert_eq!(
        endpoint_routes(lab, &w.private),
        pairs(&[(S3_PL_USE1, e2.as_str())])
    );
    assert_eq!(endpoint_routes(lab, &w.main).len(), 2);
    assert!(endpoint_routes(lab, &w.main).contains(&("pl-02cd2c6b".to_owned(), ddb.to_string())));
    // And one endpoint cannot add its route to a table that has another's.
    assert_refused(lab, "RouteAlreadyExists", |l| {
        l.modify_vpc_endpoint(
            a,
            e2.as_str(),
            ModifyVpcEndpoint {
                add_route_table_ids: vec![w.main.to_string()],
                ..ModifyVpcEndpoint::default()
            },
        )
    });
}

#[test]
fn users_cannot_create_replace_or_delete_an_endpoint_route() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let igw = igw_attached(lab, a, &w.vpc);
    s3_endpoint(lab, a, &w.vpc, &[&w.main]);
    assert_refused(lab, "RouteAlreadyExists", |l| {
        l.create_route(a, w.main.as_str(), &via_igw(S3_PL_USE1, &igw))
    });
    assert_refused(lab, "InvalidParameterValue", |l| {
        l.replace_route(a, w.main.as_str(), &via_igw(S3_PL_USE1, &igw))
    });
    assert_refused(lab, "InvalidParameterValue", |l| {
        l.delete_route(a, w.main.as_str(), &RouteSpec::to(S3_PL_USE1))
    });
    // Static routes to CIDRs inside the prefix list are the user's own business.
    lab.create_route(a, w.main.as_str(), &via_igw("52.216.0.0/15", &igw))
        .unwrap();
}

#[test]
fn a_user_route_to_the_prefix_list_blocks_the_endpoint() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let igw = igw_attached(lab, a, &w.vpc);
    lab.create_route(a, w.private.as_str(), &via_igw(S3_PL_USE1, &igw))
        .unwrap();
    let req = gateway(&w.vpc, "com.amazonaws.us-east-1.s3", &[&w.private]);
    assert_refused(lab, "RouteAlreadyExists", |l| l.create_vpc_endpoint(a, req));
}

#[test]
fn modify_adds_and_removes_route_tables_and_replaces_or_resets_the_policy() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let e = s3_endpoint(lab, a, &w.vpc, &[&w.main]);
    let policy =
        r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}"#;
    lab.modify_vpc_endpoint(
        a,
        e.as_str(),
        ModifyVpcEndpoint {
            add_route_table_ids: vec![w.private.to_string(), w.main.to_string()],
            remove_route_table_ids: vec![w.main.to_string()],
            policy_document: Some(policy.into()),
            ..ModifyVpcEndpoint::default()
        },
    )
    .unwrap();
    assert_consistent(lab);
    let ep = lab.vpc_endpoint(e.as_str()).unwrap();
    assert_eq!(
        ep.route_table_ids.iter().cloned().collect::<Vec<_>>(),
        vec![w.private.clone()]
    );
    assert_eq!(ep.policy_document, policy);
    assert!(endpoint_routes(lab, &w.main).is_empty());
    assert_eq!(
        endpoint_routes(lab, &w.private),
        pairs(&[(S3_PL_USE1, e.as_str())])
    );
    lab.modify_vpc_endpoint(
        a,
        e.as_str(),
        ModifyVpcEndpoint {
            reset_policy: true,
            ..ModifyVpcEndpoint::default()
        },
    )
    .unwrap();
    assert_eq!(
        lab.vpc_endpoint(e.as_str()).unwrap().policy_document,
        DEFAULT_GATEWAY_POLICY
    );
}

#[test]
fn modify_vpc_endpoint_refusals_change_nothing() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let e = s3_endpoint(lab, a, &w.vpc, &[&w.main]);
    let other = vpc(lab, a, "10.1.0.0/16");
    let far = main_rt(lab, &other);
    let id = e.to_string();
    let refuse = |lab: &mut Lab, code: &str, req: ModifyVpcEndpoint| {
        assert_refused(lab, code, |l| l.modify_vpc_endpoint(a, &id, req));
    };
    refuse(
        lab,
        "InvalidParameterValue",
        ModifyVpcEndpoint {
            remove_route_table_ids: vec![w.private.to_string()],
            ..Default::default()
        },
    );
    refuse(
        lab,
        "InvalidParameterValue",
        ModifyVpcEndpoint {
            add_route_table_ids: vec![far.to_string()],
            ..Default::default()
        },
    );
    refuse(
        lab,
        "InvalidRouteTableID.NotFound",
        ModifyVpcEndpoint {
            add_route_table_ids: vec![missing("rtb")],
            ..Default::default()
        },
    );
    refuse(
        lab,
        "InvalidParameterCombination",
        ModifyVpcEndpoint {
            policy_document: Some("{}".into()),
            reset_policy: true,
            ..Default::default()
        },
    );
    // A good table change with a bad policy: nothing happens.
    refuse(
        lab,
        "InvalidPolicyDocument",
        ModifyVpcEndpoint {
            add_route_table_ids: vec![w.private.to_string()],
            policy_document: Some("not json".into()),
            ..Default::default()
        },
    );
    assert_refused(lab, "InvalidVpcEndpointId.NotFound", |l| {
        l.modify_vpc_endpoint(a, &missing("vpce"), ModifyVpcEndpoint::default())
    });
}

#[test]
fn create_vpc_endpoint_refusals() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let other = vpc(lab, a, "10.1.0.0/16");
    let far = main_rt(lab, &other);
    let refuse = |lab: &mut Lab, code: &str, req: CreateVpcEndpoint| {
        assert_refused(lab, code, |l| l.create_vpc_endpoint(a, req));
    };
    // AWS: a gateway endpoint serves only its own region.
    refuse(
        lab,
        "InvalidServiceName",
        gateway(&w.vpc, "com.amazonaws.us-west-2.s3", &[&w.main]),
    );
    refuse(
        lab,
        "InvalidServiceName",
        gateway(&w.vpc, "com.amazonaws.us-east-1.nosuch", &[]),
    );
    refuse(lab, "InvalidServiceName", gateway(&w.vpc, "s3", &[]));
    // Only S3 and DynamoDB have gateway endpoints.
    refuse(
        lab,
        "InvalidParameterValue",
        gateway(&w.vpc, "com.amazonaws.us-east-1.sts", &[]),
    );
    refuse(
        lab,
        "InvalidParameterValue",
        CreateVpcEndpoint {
            vpc_endpoint_type: Some("GatewayLoadBalancer".into()),
            ..gateway(&w.vpc, "com.amazonaws.us-east-1.s3", &[])
        },
    );
    refuse(
        lab,
        "InvalidParameterValue",
        gateway(&w.vpc, "com.amazonaws.us-east-1.s3", &[&far]),
    );
    refuse(
        lab,
        "InvalidRouteTableID.NotFound",
        gateway(
            &w.vpc,
            "com.amazonaws.us-east-1.s3",
            &[&RouteTableId::new_unchecked(missing("rtb"))],
        ),
    );
    refuse(
        lab,
        "InvalidVpcID.NotFound",
        gateway(
            &VpcId::new_unchecked(missing("vpc")),
            "com.amazonaws.us-east-1.s3",
            &[],
        ),
    );
    for bad in ["not json", "[1,2]", "\"text\""] {
        refuse(
            lab,
            "InvalidPolicyDocument",
            CreateVpcEndpoint {
                policy_document: Some(bad.into()),
                ..gateway(&w.vpc, "com.amazonaws.us-east-1.s3", &[&w.main])
            },
        );
    }
    refuse(
        lab,
        "InvalidParameterValue",
        CreateVpcEndpoint {
            tags: tags(&[("aws:z", "")]),
            ..gateway(&w.vpc, "com.amazonaws.us-east-1.s3", &[])
        },
    );
}

#[test]
fn deleting_an_endpoint_removes_its_routes_and_reports_failures_per_id() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let e = s3_endpoint(lab, a, &w.vpc, &[&w.main, &w.private]);
    let unsuccessful =
        lab.delete_vpc_endpoints(a, &[e.to_string(), missing("vpce"), "vpce-bad".into()]);
    assert_consistent(lab);
    let codes: Vec<_> = unsuccessful
        .iter()
        .map(|(id, err)| (id.clone(), err.code()))
        .collect();
    assert_eq!(
        codes,
        vec![
            (missing("vpce"), "InvalidVpcEndpointId.NotFound"),
            ("vpce-bad".to_owned(), "InvalidVpcEndpointId.Malformed"),
        ]
    );
    assert!(lab.vpc_endpoint(e.as_str()).is_none());
    for rt in [&w.main, &w.private] {
        assert_eq!(routes(lab, rt), pairs(&[("10.0.0.0/16", "local")]));
    }
    // With the routes gone, the tables take a new endpoint again.
    s3_endpoint(lab, a, &w.vpc, &[&w.main]);
}

#[test]
fn deleting_a_route_table_takes_it_off_the_endpoint() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let e = s3_endpoint(lab, a, &w.vpc, &[&w.main, &w.private]);
    lab.delete_route_table(a, w.private.as_str()).unwrap();
    let ep = lab.vpc_endpoint(e.as_str()).unwrap();
    assert_eq!(
        ep.route_table_ids.iter().cloned().collect::<Vec<_>>(),
        vec![w.main.clone()]
    );
    // Removing the deleted table from the endpoint now fails: it is not a table any more.
    assert_refused(lab, "InvalidRouteTableID.NotFound", |l| {
        l.modify_vpc_endpoint(
            a,
            e.as_str(),
            ModifyVpcEndpoint {
                remove_route_table_ids: vec![w.private.to_string()],
                ..ModifyVpcEndpoint::default()
            },
        )
    });
}

#[test]
fn endpoints_in_other_regions_use_their_region_prefix_list() {
    let (mut lab, _) = lab();
    let west = caller_in(A, "us-west-2");
    let v = vpc(&mut lab, &west, "10.0.0.0/16");
    let rt = main_rt(&lab, &v);
    let e = s3_endpoint(&mut lab, &west, &v, &[&rt]);
    assert_eq!(
        endpoint_routes(&lab, &rt),
        pairs(&[("pl-68a54001", e.as_str())])
    );
    // A region without a known id gets a stable made-up one, and it is a real list.
    let eu = caller_in(A, "eu-west-1");
    let v = vpc(&mut lab, &eu, "10.0.0.0/16");
    let rt = main_rt(&lab, &v);
    s3_endpoint(&mut lab, &eu, &v, &[&rt]);
    let (pl, _) = endpoint_routes(&lab, &rt).pop().unwrap();
    let list = lab.visible_prefix_list(&eu, &pl).unwrap();
    assert_eq!(list.name, "com.amazonaws.eu-west-1.s3");
}

#[test]
fn an_endpoint_route_is_active_only_while_the_endpoint_is_available() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let e = s3_endpoint(lab, a, &w.vpc, &[&w.main]);
    let table = lab.route_table(w.main.as_str()).unwrap().clone();
    let route = table
        .routes
        .iter()
        .find(|r| r.target == RouteTarget::VpcEndpoint(e.clone()))
        .unwrap()
        .clone();
    assert_eq!(lab.route_state(&table, &route), RouteState::Active);
    lab.delete_vpc_endpoints(a, &[e.to_string()]);
    // Were the route left behind, it would be a blackhole.
    assert_eq!(lab.route_state(&table, &route), RouteState::Blackhole);
}
