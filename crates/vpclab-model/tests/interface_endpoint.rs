//! Interface VPC endpoints for AWS services: CreateVpcEndpoint with `Interface`, its
//! requester-managed network interfaces, DNS entries and private DNS; ModifyVpcEndpoint's
//! subnets, security groups and private DNS; DeleteVpcEndpoints; and every refusal, with
//! the lab unchanged.

mod common;

use common::*;
use vpclab_model::*;

const STS: &str = "com.amazonaws.us-east-1.sts";
const S3: &str = "com.amazonaws.us-east-1.s3";

struct World {
    lab: Lab,
    a: Caller,
    vpc: VpcId,
    /// Subnets in us-east-1a, 1b, 1c, and a second one in 1a.
    subnets: [SubnetId; 4],
}

fn world() -> World {
    let (mut lab, a) = lab();
    let vpc = vpc(&mut lab, &a, "10.0.0.0/16");
    lab.modify_vpc_attribute(&a, vpc.as_str(), VpcAttribute::EnableDnsHostnames(true))
        .unwrap();
    let subnets = [
        subnet_in(&mut lab, &a, &vpc, "10.0.1.0/24", "us-east-1a"),
        subnet_in(&mut lab, &a, &vpc, "10.0.2.0/24", "us-east-1b"),
        subnet_in(&mut lab, &a, &vpc, "10.0.3.0/24", "us-east-1c"),
        subnet_in(&mut lab, &a, &vpc, "10.0.4.0/24", "us-east-1a"),
    ];
    World {
        lab,
        a,
        vpc,
        subnets,
    }
}

fn interface(vpc: &VpcId, service: &str, subnets: &[&SubnetId]) -> CreateVpcEndpoint {
    CreateVpcEndpoint {
        vpc_id: vpc.to_string(),
        service_name: service.into(),
        vpc_endpoint_type: Some("Interface".into()),
        subnet_ids: subnets.iter().map(|s| s.to_string()).collect(),
        ..CreateVpcEndpoint::default()
    }
}

fn create(lab: &mut Lab, a: &Caller, req: CreateVpcEndpoint) -> VpcEndpoint {
    let id = lab.create_vpc_endpoint(a, req).unwrap();
    assert_consistent(lab);
    lab.vpc_endpoint(id.as_str()).unwrap().clone()
}

fn modify(lab: &mut Lab, a: &Caller, e: &VpcEndpoint, change: ModifyVpcEndpoint) -> VpcEndpoint {
    lab.modify_vpc_endpoint(a, e.id.as_str(), change).unwrap();
    assert_consistent(lab);
    lab.vpc_endpoint(e.id.as_str()).unwrap().clone()
}

#[test]
fn an_interface_endpoint_has_one_requester_managed_interface_per_subnet() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let [s1a, s1b, ..] = &w.subnets;
    let default_sg = lab
        .vpc(w.vpc.as_str())
        .unwrap()
        .default_security_group_id
        .clone();
    let e = create(lab, a, interface(&w.vpc, STS, &[s1a, s1b]));
    assert_eq!(e.vpc_endpoint_type, VpcEndpointType::Interface);
    assert_eq!(e.state, VpcEndpointState::Available);
    assert_eq!(e.subnet_ids, vec![s1a.clone(), s1b.clone()]);
    assert_eq!(e.groups, vec![default_sg.clone()]);
    assert_eq!(e.policy_document, DEFAULT_GATEWAY_POLICY);
    assert!(e.route_table_ids.is_empty());
    // AWS's default for an AWS service other than S3 and DynamoDB: private DNS on.
    assert!(e.private_dns_enabled);
    assert_eq!(e.ip_address_type.as_deref(), Some("ipv4"));
    assert_eq!(
        e.dns_options,
        Some(DnsOptions {
            dns_record_ip_type: "ipv4".into(),
            private_dns_only_for_inbound_resolver_endpoint: None
        })
    );
    assert_eq!(e.network_interface_ids.len(), 2);
    for (eni_id, subnet) in e.network_interface_ids.iter().zip([s1a, s1b]) {
        let eni = lab.network_interface(eni_id.as_str()).unwrap();
        assert_eq!(&eni.subnet_id, subnet);
        assert_eq!(eni.interface_type, InterfaceType::VpcEndpoint);
        assert!(eni.requester_managed);
        assert_eq!(eni.requester_id(), Some("727180483921"));
        assert_eq!(eni.description, format!("VPC Endpoint Interface {}", e.id));
        assert_eq!(eni.groups, vec![default_sg.clone()]);
        assert_eq!(eni.private_ips.len(), 1);
        assert!(
            eni.service_attachment_id()
                .unwrap()
                .starts_with("ela-attach-")
        );
        let ip = IpAddr::V4(eni.primary_private_ip());
        assert_eq!(
            lab.endpoint_by_eni_address(&w.vpc, ip).map(|x| &x.id),
            Some(&e.id)
        );
    }
    // The interfaces take addresses from their subnets.
    assert_eq!(available(lab, s1a), 250);
}

#[test]
fn dns_entries_are_regional_zonal_then_private() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let [s1a, s1b, ..] = &w.subnets;
    let e = create(lab, a, interface(&w.vpc, STS, &[s1a, s1b]));
    let names: Vec<&str> = e.dns_entries.iter().map(|d| d.dns_name.as_str()).collect();
    let stem = format!("{}-{}", e.id, e.dns_suffix);
    assert_eq!(e.dns_suffix.len(), 8);
    assert!(
        e.dns_suffix
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    );
    assert_eq!(
        names,
        [
            format!("{stem}.sts.us-east-1.vpce.amazonaws.com").as_str(),
            &format!("{stem}-us-east-1a.sts.us-east-1.vpce.amazonaws.com"),
            &format!("{stem}-us-east-1b.sts.us-east-1.vpce.amazonaws.com"),
            "sts.us-east-1.amazonaws.com",
        ]
    );
    // AWS's hosted zone for us-east-1's vpce names; the private name sits in its own zone.
    assert!(
        e.dns_entries[..3]
            .iter()
            .all(|d| d.hosted_zone_id == "Z7HUB22UULQXV")
    );
    assert_ne!(e.dns_entries[3].hosted_zone_id, "Z7HUB22UULQXV");
    assert!(e.dns_entries[3].hosted_zone_id.starts_with('Z'));
    // S3's names are wildcards; its private DNS is off by default.
    let s3 = create(lab, a, interface(&w.vpc, S3, &[s1a]));
    assert!(!s3.private_dns_enabled);
    assert_eq!(
        s3.dns_options
            .as_ref()
            .and_then(|o| o.private_dns_only_for_inbound_resolver_endpoint),
        Some(false)
    );
    let names: Vec<&str> = s3.dns_entries.iter().map(|d| d.dns_name.as_str()).collect();
    let stem = format!("*.{}-{}", s3.id, s3.dns_suffix);
    assert_eq!(
        names,
        [
            format!("{stem}.s3.us-east-1.vpce.amazonaws.com").as_str(),
            &format!("{stem}-us-east-1a.s3.us-east-1.vpce.amazonaws.com"),
        ]
    );
    // ECR's API: AWS spells the label `api.ecr`.
    let ecr = create(
        lab,
        a,
        CreateVpcEndpoint {
            private_dns_enabled: Some(false),
            ..interface(&w.vpc, "com.amazonaws.us-east-1.ecr.api", &[])
        },
    );
    assert!(
        ecr.dns_entries[0]
            .dns_name
            .ends_with(".api.ecr.us-east-1.vpce.amazonaws.com")
    );
    assert!(ecr.network_interface_ids.is_empty());
}

#[test]
fn create_refusals_change_nothing() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let [s1a, s1b, _, s1a2] = &w.subnets;
    let other = vpc(lab, a, "10.9.0.0/16");
    let far_subnet = subnet(lab, a, &other, "10.9.1.0/24");
    let far_sg = sg(lab, a, &other, "far");
    let rt = main_rt(lab, &w.vpc);
    // One subnet per zone.
    refuse(
        lab,
        "InvalidParameter",
        interface(&w.vpc, STS, &[s1a, s1a2]),
    );
    refuse(
        lab,
        "InvalidParameter",
        interface(&w.vpc, STS, &[&far_subnet]),
    );
    refuse(
        lab,
        "InvalidSubnetID.NotFound",
        interface(&w.vpc, STS, &[&SubnetId::new_unchecked(missing("subnet"))]),
    );
    refuse(
        lab,
        "InvalidParameterValue",
        CreateVpcEndpoint {
            security_group_ids: vec![far_sg.to_string()],
            ..interface(&w.vpc, STS, &[s1a])
        },
    );
    refuse(
        lab,
        "InvalidGroup.NotFound",
        CreateVpcEndpoint {
            security_group_ids: vec![missing("sg")],
            ..interface(&w.vpc, STS, &[s1a])
        },
    );
    // Gateway-only and interface-only parameters.
    refuse(
        lab,
        "InvalidParameter",
        CreateVpcEndpoint {
            route_table_ids: vec![rt.to_string()],
            ..interface(&w.vpc, STS, &[s1a])
        },
    );
    refuse(
        lab,
        "InvalidParameter",
        CreateVpcEndpoint {
            subnet_ids: vec![s1a.to_string()],
            ..CreateVpcEndpoint {
                vpc_id: w.vpc.to_string(),
                service_name: S3.into(),
                ..CreateVpcEndpoint::default()
            }
        },
    );
    // Private DNS needs DNS host names; STS's default asks for it.
    let plain = vpc(lab, a, "10.8.0.0/16");
    let plain_subnet = subnet(lab, a, &plain, "10.8.1.0/24");
    let err = refuse(
        lab,
        "InvalidParameter",
        interface(&plain, STS, &[&plain_subnet]),
    );
    assert!(err.to_string().contains("enableDnsHostnames"), "{err}");
    // S3 private DNS reserved to inbound resolvers (its default) needs a gateway endpoint.
    let err = refuse(
        lab,
        "InvalidParameter",
        CreateVpcEndpoint {
            private_dns_enabled: Some(true),
            ..interface(&w.vpc, S3, &[s1a])
        },
    );
    assert!(
        err.to_string().contains("must have a Gateway endpoint"),
        "{err}"
    );
    // The inbound-resolver option is S3's and DynamoDB's only.
    refuse(
        lab,
        "InvalidParameter",
        CreateVpcEndpoint {
            dns_options: Some(DnsOptionsSpecification {
                private_dns_only_for_inbound_resolver_endpoint: Some(false),
                ..Default::default()
            }),
            ..interface(&w.vpc, STS, &[s1a])
        },
    );
    for (ip_type, record_type) in [(Some("dualstack"), None), (None, Some("ipv6"))] {
        refuse(
            lab,
            "InvalidParameter",
            CreateVpcEndpoint {
                ip_address_type: ip_type.map(Into::into),
                dns_options: record_type.map(|t| DnsOptionsSpecification {
                    dns_record_ip_type: Some(t.into()),
                    ..Default::default()
                }),
                ..interface(&w.vpc, STS, &[s1a])
            },
        );
    }
    // Two endpoints cannot both hold the service's names in one VPC.
    create(lab, a, interface(&w.vpc, STS, &[s1b]));
    let err = refuse(lab, "InvalidParameter", interface(&w.vpc, STS, &[s1a]));
    assert!(
        err.to_string()
            .contains("conflicting DNS domain for sts.us-east-1.amazonaws.com")
    );
    // Without private DNS a second one is fine.
    create(
        lab,
        a,
        CreateVpcEndpoint {
            private_dns_enabled: Some(false),
            ..interface(&w.vpc, STS, &[s1a])
        },
    );
}

fn refuse(lab: &mut Lab, code: &str, req: CreateVpcEndpoint) -> Error {
    let a = caller(A);
    assert_refused(lab, code, |lab| lab.create_vpc_endpoint(&a, req))
}

#[test]
fn a_full_subnet_refuses_the_endpoint() {
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let tiny = subnet_in(&mut lab, &a, &v, "10.0.0.0/28", "us-east-1a");
    for _ in 0..11 {
        eni(&mut lab, &a, &tiny);
    }
    let roomy = subnet_in(&mut lab, &a, &v, "10.0.1.0/24", "us-east-1b");
    assert_refused(&mut lab, "InsufficientFreeAddressesInSubnet", |lab| {
        lab.create_vpc_endpoint(
            &a,
            CreateVpcEndpoint {
                private_dns_enabled: Some(false),
                ..interface(&v, STS, &[&roomy, &tiny])
            },
        )
    });
}

#[test]
fn modify_moves_subnets_and_groups_and_their_interfaces() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let [s1a, s1b, s1c, s1a2] = &w.subnets;
    let e = create(lab, a, interface(&w.vpc, STS, &[s1a, s1b]));
    let (eni_a, eni_b) = (
        e.network_interface_ids[0].clone(),
        e.network_interface_ids[1].clone(),
    );
    // Swap 1a's subnet in one call, drop 1b, add 1c.
    let e = modify(
        lab,
        a,
        &e,
        ModifyVpcEndpoint {
            add_subnet_ids: vec![s1a2.to_string(), s1c.to_string()],
            remove_subnet_ids: vec![s1a.to_string(), s1b.to_string()],
            ..ModifyVpcEndpoint::default()
        },
    );
    assert_eq!(e.subnet_ids, vec![s1a2.clone(), s1c.clone()]);
    assert_eq!(e.network_interface_ids.len(), 2);
    assert!(lab.network_interface(eni_a.as_str()).is_none());
    assert!(lab.network_interface(eni_b.as_str()).is_none());
    assert_eq!(available(lab, s1a), 251);
    let zonal: Vec<_> = e.dns_entries[1..3]
        .iter()
        .map(|d| d.dns_name.clone())
        .collect();
    assert!(zonal[0].contains("-us-east-1a.") && zonal[1].contains("-us-east-1c."));
    // Groups: added and removed on every interface; the last one cannot go.
    let default_sg = e.groups[0].clone();
    let web = sg(lab, a, &w.vpc, "web");
    let e = modify(
        lab,
        a,
        &e,
        ModifyVpcEndpoint {
            add_security_group_ids: vec![web.to_string()],
            remove_security_group_ids: vec![default_sg.to_string()],
            ..ModifyVpcEndpoint::default()
        },
    );
    assert_eq!(e.groups, vec![web.clone()]);
    for eni in &e.network_interface_ids {
        assert_eq!(
            lab.network_interface(eni.as_str()).unwrap().groups,
            vec![web.clone()]
        );
    }
    let err = assert_refused(lab, "InvalidParameter", |lab| {
        lab.modify_vpc_endpoint(
            a,
            e.id.as_str(),
            ModifyVpcEndpoint {
                remove_security_group_ids: vec![web.to_string()],
                ..ModifyVpcEndpoint::default()
            },
        )
    });
    assert!(err.to_string().contains("at least one Security Group"));
    // A used group cannot be deleted; neither can a subnet holding an interface.
    assert_refused(lab, "DependencyViolation", |lab| {
        lab.delete_security_group(a, web.as_str())
    });
    assert_refused(lab, "DependencyViolation", |lab| {
        lab.delete_subnet(a, s1c.as_str())
    });
    // Private DNS off, then the policy, then back on.
    let e = modify(
        lab,
        a,
        &e,
        ModifyVpcEndpoint {
            private_dns_enabled: Some(false),
            policy_document: Some(r#"{"Statement":[]}"#.into()),
            ..ModifyVpcEndpoint::default()
        },
    );
    assert!(!e.private_dns_enabled);
    assert_eq!(e.dns_entries.len(), 3);
    assert_eq!(e.policy_document, r#"{"Statement":[]}"#);
    let e = modify(
        lab,
        a,
        &e,
        ModifyVpcEndpoint {
            private_dns_enabled: Some(true),
            reset_policy: true,
            ..ModifyVpcEndpoint::default()
        },
    );
    assert!(e.private_dns_enabled);
    assert_eq!(e.dns_entries.len(), 4);
    assert_eq!(e.policy_document, DEFAULT_GATEWAY_POLICY);
}

#[test]
fn modify_refusals_change_nothing() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let [s1a, s1b, s1c, s1a2] = &w.subnets;
    let e = create(lab, a, interface(&w.vpc, STS, &[s1a, s1b]));
    let rt = main_rt(lab, &w.vpc);
    let other = vpc(lab, a, "10.9.0.0/16");
    let far_subnet = subnet(lab, a, &other, "10.9.1.0/24");
    let far_sg = sg(lab, a, &other, "far");
    let loose_sg = sg(lab, a, &w.vpc, "loose");
    let cases: Vec<(&str, ModifyVpcEndpoint)> = vec![
        (
            "InvalidParameter",
            ModifyVpcEndpoint {
                add_subnet_ids: vec![s1a2.to_string()],
                ..Default::default()
            },
        ),
        (
            "InvalidParameter",
            ModifyVpcEndpoint {
                add_subnet_ids: vec![far_subnet.to_string()],
                ..Default::default()
            },
        ),
        (
            "InvalidSubnetID.NotFound",
            ModifyVpcEndpoint {
                add_subnet_ids: vec![s1c.to_string(), missing("subnet")],
                ..Default::default()
            },
        ),
        (
            "InvalidSubnetID.Malformed",
            ModifyVpcEndpoint {
                remove_subnet_ids: vec!["subnet-x".into()],
                ..Default::default()
            },
        ),
        (
            "InvalidParameterValue",
            ModifyVpcEndpoint {
                remove_subnet_ids: vec![s1c.to_string()],
                ..Default::default()
            },
        ),
        (
            "InvalidParameterValue",
            ModifyVpcEndpoint {
                remove_security_group_ids: vec![loose_sg.to_string()],
                ..Default::default()
            },
        ),
        (
            "InvalidParameterValue",
            ModifyVpcEndpoint {
                add_security_group_ids: vec![far_sg.to_string()],
                ..Default::default()
            },
        ),
        (
            "InvalidParameter",
            ModifyVpcEndpoint {
                add_route_table_ids: vec![rt.to_string()],
                ..Default::default()
            },
        ),
        (
            "InvalidParameter",
            ModifyVpcEndpoint {
                ip_address_type: Some("ipv6".into()),
                ..Default::default()
            },
        ),
        (
            "InvalidPolicyDocument",
            ModifyVpcEndpoint {
                add_subnet_ids: vec![s1c.to_string()],
                policy_document: Some("nope".into()),
                ..Default::default()
            },
        ),
    ];
    for (code, change) in cases {
        assert_refused(lab, code, |lab| {
            lab.modify_vpc_endpoint(a, e.id.as_str(), change)
        });
    }
    // A second endpoint for STS cannot turn private DNS on while the first holds it.
    let quiet = create(
        lab,
        a,
        CreateVpcEndpoint {
            private_dns_enabled: Some(false),
            ..interface(&w.vpc, STS, &[s1c])
        },
    );
    assert_refused(lab, "InvalidParameter", |lab| {
        lab.modify_vpc_endpoint(
            a,
            quiet.id.as_str(),
            ModifyVpcEndpoint {
                private_dns_enabled: Some(true),
                ..Default::default()
            },
        )
    });
}

#[test]
fn s3_private_dns_for_inbound_resolvers_needs_and_keeps_the_gateway_endpoint() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let [s1a, ..] = &w.subnets;
    let e = create(lab, a, interface(&w.vpc, S3, &[s1a]));
    // Turning private DNS on defaults the option to true: a gateway endpoint is needed.
    let turn_on = ModifyVpcEndpoint {
        private_dns_enabled: Some(true),
        ..Default::default()
    };
    assert_refused(lab, "InvalidParameter", |lab| {
        lab.modify_vpc_endpoint(a, e.id.as_str(), turn_on.clone())
    });
    let rt = main_rt(lab, &w.vpc);
    let gw = s3_endpoint(lab, a, &w.vpc, &[&rt]);
    let e = modify(lab, a, &e, turn_on);
    assert!(e.private_dns_enabled);
    assert!(!e.answers_private_dns_in_vpc());
    assert_eq!(e.dns_entries.len(), 2 + 6);
    // The gateway endpoint stays while the option holds.
    let failed = lab.delete_vpc_endpoints(a, &[gw.to_string()]);
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].1.code(), "InvalidParameter");
    assert!(lab.vpc_endpoint(gw.as_str()).is_some());
    let e = modify(
        lab,
        a,
        &e,
        ModifyVpcEndpoint {
            dns_options: Some(DnsOptionsSpecification {
                private_dns_only_for_inbound_resolver_endpoint: Some(false),
                ..Default::default()
            }),
            ..Default::default()
        },
    );
    assert!(e.answers_private_dns_in_vpc());
    assert!(lab.delete_vpc_endpoints(a, &[gw.to_string()]).is_empty());
}

#[test]
fn the_endpoint_interfaces_are_not_the_users_to_touch() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let [s1a, ..] = &w.subnets;
    let e = create(lab, a, interface(&w.vpc, STS, &[s1a]));
    let eni_id = e.network_interface_ids[0].to_string();
    let attachment = lab
        .network_interface(&eni_id)
        .unwrap()
        .service_attachment_id()
        .unwrap();
    let instance = instance(lab, a, s1a);
    assert_refused(lab, "InvalidParameterValue", |lab| {
        lab.delete_network_interface(a, &eni_id)
    });
    assert_refused(lab, "OperationNotPermitted", |lab| {
        lab.detach_network_interface(a, &attachment)
    });
    assert_refused(lab, "InvalidAttachmentID.NotFound", |lab| {
        lab.detach_network_interface(a, "ela-attach-0123456789abcdef0")
    });
    assert_refused(lab, "OperationNotPermitted", |lab| {
        lab.attach_network_interface(a, &eni_id, instance.as_str(), 1)
    });
    for attribute in [
        NetworkInterfaceAttribute::Description("mine".into()),
        NetworkInterfaceAttribute::SourceDestCheck(false),
    ] {
        assert_refused(lab, "AuthFailure", |lab| {
            lab.modify_network_interface_attribute(a, &eni_id, attribute)
        });
    }
    assert_refused(lab, "AuthFailure", |lab| {
        lab.assign_private_ip_addresses(a, &eni_id, &[], 1)
    });
    // The VPC cannot go while the endpoint is in it.
    assert_refused(lab, "DependencyViolation", |lab| {
        lab.delete_vpc(a, w.vpc.as_str())
    });
}

#[test]
fn delete_takes_the_interfaces_and_frees_subnet_and_group() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let [s1a, s1b, ..] = &w.subnets;
    let web = sg(lab, a, &w.vpc, "web");
    let e = create(
        lab,
        a,
        CreateVpcEndpoint {
            security_group_ids: vec![web.to_string()],
            ..interface(&w.vpc, STS, &[s1a, s1b])
        },
    );
    let ips = lab.vpc_endpoint_addresses(&e);
    assert!(lab.delete_vpc_endpoints(a, &[e.id.to_string()]).is_empty());
    assert_consistent(lab);
    for eni in &e.network_interface_ids {
        assert!(lab.network_interface(eni.as_str()).is_none());
    }
    for ip in ips {
        assert!(lab.endpoint_by_eni_address(&w.vpc, ip).is_none());
    }
    assert_eq!(available(lab, s1a), 251);
    lab.delete_security_group(a, web.as_str()).unwrap();
    lab.delete_subnet(a, s1b.as_str()).unwrap();
    // Private DNS is free again for a new endpoint.
    create(lab, a, interface(&w.vpc, STS, &[s1a]));
}

#[test]
fn operations_replay_to_the_same_endpoint() {
    let mut w = world();
    let a = w.a.clone();
    let op = Operation::CreateVpcEndpoint(interface(&w.vpc, STS, &[&w.subnets[0]]));
    let mut copy = w.lab.clone();
    let text = serde_json::to_string(&op).unwrap();
    w.lab.apply(&a, &op).unwrap();
    copy.apply(&a, &serde_json::from_str(&text).unwrap())
        .unwrap();
    assert_eq!(snapshot(&w.lab), snapshot(&copy));
    // An operation logged before interface endpoints existed still reads.
    let old: Operation = serde_json::from_str(
        r#"{"op":"ModifyVpcEndpoint","vpc_endpoint_id":"vpce-0123456789abcdef0","change":{"add_route_table_ids":[],"remove_route_table_ids":[],"policy_document":null,"reset_policy":true}}"#,
    )
    .unwrap();
    assert!(matches!(old, Operation::ModifyVpcEndpoint { .. }));
}

use std::net::IpAddr;
