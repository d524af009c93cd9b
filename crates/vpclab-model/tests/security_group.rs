//! Security groups: Create/DeleteSecurityGroup, Authorize/Revoke ingress and egress,
//! references to groups in the same VPC and across an active peering connection.

mod common;

use common::*;
use vpclab_model::*;

struct World {
    lab: Lab,
    a: Caller,
    vpc: VpcId,
    web: SecurityGroupId,
}

fn world() -> World {
    let (mut lab, a) = lab();
    let vpc = vpc(&mut lab, &a, "10.0.0.0/16");
    let web = sg(&mut lab, &a, &vpc, "web");
    World { lab, a, vpc, web }
}

fn group(lab: &Lab, id: &SecurityGroupId) -> SecurityGroup {
    lab.security_group(id.as_str()).unwrap().clone()
}

fn pair(id: &SecurityGroupId) -> UserIdGroupPair {
    UserIdGroupPair {
        group_id: Some(id.to_string()),
        ..UserIdGroupPair::default()
    }
}

fn from_group(protocol: &str, from: i32, to: i32, id: &SecurityGroupId) -> IpPermission {
    IpPermission {
        ip_protocol: protocol.into(),
        from_port: Some(from),
        to_port: Some(to),
        user_id_group_pairs: vec![pair(id)],
        ..IpPermission::default()
    }
}

#[test]
fn new_group_allows_all_egress_and_no_ingress() {
    let w = world();
    let g = group(&w.lab, &w.web);
    assert_eq!(g.group_name, "web");
    assert_eq!(g.description, "test group");
    assert_eq!(g.vpc_id, w.vpc);
    assert!(!g.is_default());
    assert_eq!(g.ingress().count(), 0);
    let egress: Vec<_> = g
        .egress()
        .map(|r| (r.protocol, r.ports, r.peer.clone()))
        .collect();
    assert_eq!(
        egress,
        vec![(IpProtocol::All, None, RulePeer::Cidr(net("0.0.0.0/0")))]
    );
    // With IPv6 in the VPC, egress to ::/0 too.
    let (mut lab, a) = (w.lab, w.a);
    let v6 = vpc_v6(&mut lab, &a, "10.1.0.0/16");
    let g6 = sg(&mut lab, &a, &v6, "web");
    let peers: Vec<_> = group(&lab, &g6).egress().map(|r| r.peer.clone()).collect();
    assert_eq!(
        peers,
        vec![
            RulePeer::Cidr(net("0.0.0.0/0")),
            RulePeer::Cidr(net("::/0"))
        ]
    );
}

#[test]
fn create_security_group_refusals() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let v = w.vpc.to_string();
    let create = |l: &mut Lab, name: &str, desc: &str| {
        l.create_security_group(a, Some(v.as_str()), name, desc, Tags::new())
    };
    assert_refused(lab, "InvalidGroup.Reserved", |l| create(l, "default", "d"));
    assert_refused(lab, "InvalidGroup.Reserved", |l| create(l, "DEFAULT", "d"));
    assert_refused(lab, "InvalidGroup.Duplicate", |l| create(l, "web", "d"));
    assert_refused(lab, "InvalidParameterValue", |l| create(l, "sg-web", "d"));
    assert_refused(lab, "MissingParameter", |l| create(l, "", "d"));
    assert_refused(lab, "MissingParameter", |l| create(l, "db", ""));
    let long = "x".repeat(256);
    assert_refused(lab, "InvalidParameterValue", |l| create(l, &long, "d"));
    assert_refused(lab, "InvalidParameterValue", |l| create(l, "db", &long));
    assert_refused(lab, "InvalidVpcID.NotFound", |l| {
        l.create_security_group(a, Some(&missing("vpc")), "db", "d", Tags::new())
    });
    assert_refused(lab, "VPCIdNotSpecified", |l| {
        l.create_security_group(a, None, "db", "d", Tags::new())
    });
    assert_refused(lab, "InvalidParameterValue", |l| {
        l.create_security_group(a, Some(v.as_str()), "db", "d", tags(&[("aws:x", "y")]))
    });
    // The same name is fine in another VPC.
    let other = vpc(lab, a, "10.1.0.0/16");
    sg(lab, a, &other, "web");
}

#[test]
fn groups_of_the_default_vpc_can_be_named() {
    let (mut lab, a) = lab_with_default_vpcs();
    let g = lab
        .create_security_group(&a, None, "ssh", "ssh in", Tags::new())
        .unwrap();
    let vpc = lab.default_vpc(&account(A), a.region).unwrap().id.clone();
    assert_eq!(lab.security_group(g.as_str()).unwrap().vpc_id, vpc);
    assert_eq!(lab.find_security_group(&a, "ssh").unwrap().id, g);
    lab.authorize_security_group_rules(&a, "ssh", false, &[IpPermission::tcp(22, 22, "0.0.0.0/0")])
        .unwrap();
    assert_eq!(group(&lab, &g).ingress().count(), 1);
    // Names of groups in other VPCs are not found.
    let other = vpc_id_with_group(&mut lab, &a);
    assert_eq!(
        lab.find_security_group(&a, "elsewhere").unwrap_err().code(),
        "InvalidGroup.NotFound"
    );
    assert!(lab.security_group(other.as_str()).is_some());
    assert_refused(&mut lab, "CannotDelete", |l| {
        l.delete_security_group(&a, "default")
    });
    lab.delete_security_group(&a, "ssh").unwrap();
    assert!(lab.security_group(g.as_str()).is_none());
}

fn vpc_id_with_group(lab: &mut Lab, a: &Caller) -> SecurityGroupId {
    let v = vpc(lab, a, "10.0.0.0/16");
    sg(lab, a, &v, "elsewhere")
}

#[test]
fn authorize_adds_one_rule_per_peer_with_its_own_id() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let db = sg(lab, a, &w.vpc, "db");
    let added = lab
        .authorize_security_group_rules(
            a,
            db.as_str(),
            false,
            &[
                IpPermission {
                    ip_protocol: "tcp".into(),
                    from_port: Some(5432),
                    to_port: Some(5432),
                    ip_ranges: vec![
                        ("10.0.1.0/24".into(), Some("app".into())),
                        ("10.0.2.0/24".into(), None),
                    ],
                    ipv6_ranges: vec![("2600:1f18::/56".into(), None)],
                    prefix_list_ids: vec![(S3_PL_USE1.into(), None)],
                    user_id_group_pairs: vec![pair(&w.web)],
                },
                IpPermission {
                    ip_protocol: "icmp".into(),
                    from_port: Some(8),
                    to_port: Some(-1),
                    ip_ranges: vec![("0.0.0.0/0".into(), None)],
                    ..IpPermission::default()
                },
                IpPermission::all("192.168.0.0/16"),
            ],
        )
        .unwrap();
    assert_consistent(lab);
    assert_eq!(added.len(), 7);
    assert!(
        added
            .iter()
            .all(|r| r.id.as_str().starts_with("sgr-") && !r.is_egress)
    );
    let ids: std::collections::BTreeSet<_> = added.iter().map(|r| r.id.clone()).collect();
    assert_eq!(ids.len(), 7);
    let g = group(lab, &db);
    let ingress: Vec<_> = g.ingress().cloned().collect();
    assert_eq!(ingress, added);
    let pg = PortRange {
        from: 5432,
        to: 5432,
    };
    assert_eq!(
        ingress
            .iter()
            .map(|r| (r.protocol, r.ports, r.peer.to_string()))
            .collect::<Vec<_>>(),
        vec![
            (IpProtocol::TCP, Some(pg), "10.0.1.0/24".to_owned()),
            (IpProtocol::TCP, Some(pg), "10.0.2.0/24".to_owned()),
            (IpProtocol::TCP, Some(pg), "2600:1f18::/56".to_owned()),
            (IpProtocol::TCP, Some(pg), S3_PL_USE1.to_owned()),
            (IpProtocol::TCP, Some(pg), w.web.to_string()),
            (
                IpProtocol::ICMP,
                Some(PortRange { from: 8, to: -1 }),
                "0.0.0.0/0".to_owned()
            ),
            (IpProtocol::All, None, "192.168.0.0/16".to_owned()),
        ]
    );
    assert_eq!(ingress[0].description.as_deref(), Some("app"));
    assert_eq!(
        ingress[4].peer,
        RulePeer::Group(GroupReference {
            group_id: w.web.clone(),
            user_id: account(A),
            vpc_peering_connection_id: None,
        })
    );
    // Egress is a separate list.
    let out = lab
        .authorize_security_group_rules(
            a,
            db.as_str(),
            true,
            &[IpPermission::tcp(443, 443, "0.0.0.0/0")],
        )
        .unwrap();
    assert!(out[0].is_egress);
    assert_eq!(group(lab, &db).egress().count(), 2);
}

#[test]
fn group_can_be_named_by_name_within_its_vpc() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let db = sg(lab, a, &w.vpc, "db");
    lab.authorize_security_group_rules(
        a,
        db.as_str(),
        false,
        &[IpPermission {
            ip_protocol: "tcp".into(),
            from_port: Some(5432),
            to_port: Some(5432),
            user_id_group_pairs: vec![UserIdGroupPair {
                group_name: Some("web".into()),
                ..UserIdGroupPair::default()
            }],
            ..IpPermission::default()
        }],
    )
    .unwrap();
    let peer = group(lab, &db).ingress().next().unwrap().peer.clone();
    assert_eq!(peer.to_string(), w.web.to_string());
}

#[test]
fn authorize_refusals_add_nothing() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let web = w.web.to_string();
    lab.authorize_security_group_rules(a, &web, false, &[IpPermission::tcp(22, 22, "10.0.0.0/8")])
        .unwrap();
    let refuse = |lab: &mut Lab, code: &str, perms: Vec<IpPermission>| {
        assert_refused(lab, code, |l| {
            l.authorize_security_group_rules(a, &web, false, &perms)
        });
    };
    // AWS: the same rule twice is a duplicate, the description aside.
    refuse(
        lab,
        "InvalidPermission.Duplicate",
        vec![IpPermission::tcp(22, 22, "10.0.0.0/8")],
    );
    refuse(
        lab,
        "InvalidPermission.Duplicate",
        vec![
            IpPermission::tcp(80, 80, "0.0.0.0/0"),
            IpPermission::tcp(80, 80, "0.0.0.0/0"),
        ],
    );
    // The default egress rule is there already.
    assert_refused(lab, "InvalidPermission.Duplicate", |l| {
        l.authorize_security_group_rules(a, &web, true, &[IpPermission::all("0.0.0.0/0")])
    });
    // A good permission followed by a bad one: nothing is added.
    refuse(
        lab,
        "InvalidParameterValue",
        vec![
            IpPermission::tcp(80, 80, "0.0.0.0/0"),
            IpPermission::tcp(90, 80, "0.0.0.0/0"),
        ],
    );
    refuse(
        lab,
        "InvalidParameterValue",
        vec![IpPermission {
            to_port: None,
            ..IpPermission::tcp(80, 80, "0.0.0.0/0")
        }],
    );
    refuse(
        lab,
        "InvalidParameterValue",
        vec![IpPermission::tcp(0, 70000, "0.0.0.0/0")],
    );
    refuse(
        lab,
        "InvalidParameterValue",
        vec![IpPermission::tcp(80, 80, "0.0.0.1/0")],
    );
    refuse(
        lab,
        "InvalidParameterValue",
        vec![IpPermission {
            ip_protocol: "tcpx".into(),
            ..IpPermission::tcp(80, 80, "0.0.0.0/0")
        }],
    );
    refuse(
        lab,
        "InvalidParameterValue",
        vec![IpPermission {
            ip_protocol: "icmp".into(),
            from_port: Some(300),
            to_port: Some(0),
            ip_ranges: vec![("0.0.0.0/0".into(), None)],
            ..IpPermission::default()
        }],
    );
    refuse(
        lab,
        "InvalidPrefixListID.NotFound",
        vec![IpPermission {
            ip_protocol: "-1".into(),
            prefix_list_ids: vec![(missing("pl"), None)],
            ..IpPermission::default()
        }],
    );
    refuse(
        lab,
        "InvalidGroup.NotFound",
        vec![from_group(
            "tcp",
            1,
            2,
            &SecurityGroupId::new_unchecked(missing("sg")),
        )],
    );
    refuse(
        lab,
        "InvalidGroupId.Malformed",
        vec![from_group(
            "tcp",
            1,
            2,
            &SecurityGroupId::new_unchecked("sg-zz"),
        )],
    );
    refuse(
        lab,
        "MissingParameter",
        vec![IpPermission {
            ip_protocol: "-1".into(),
            user_id_group_pairs: vec![UserIdGroupPair::default()],
            ..IpPermission::default()
        }],
    );
    // A permission without any peer adds nothing and is refused.
    refuse(
        lab,
        "MissingParameter",
        vec![IpPermission {
            ip_protocol: "-1".into(),
            ..IpPermission::default()
        }],
    );
    refuse(lab, "MissingParameter", vec![]);
    assert_refused(lab, "InvalidGroup.NotFound", |l| {
        l.authorize_security_group_rules(
            a,
            &missing("sg"),
            false,
            &[IpPermission::all("0.0.0.0/0")],
        )
    });
}

#[test]
fn a_group_of_another_vpc_needs_an_active_peering_connection() {
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let w = vpc(&mut lab, &a, "10.1.0.0/16");
    let app = sg(&mut lab, &a, &v, "app");
    let far = sg(&mut lab, &a, &w, "far");
    let perm = [from_group("tcp", 443, 443, &far)];
    assert_refused(&mut lab, "InvalidParameterValue", |l| {
        l.authorize_security_group_rules(&a, app.as_str(), false, &perm)
    });
    let pcx = peering(&mut lab, &a, &v, &w, A);
    // Pending is not enough.
    assert_refused(&mut lab, "InvalidParameterValue", |l| {
        l.authorize_security_group_rules(&a, app.as_str(), false, &perm)
    });
    lab.accept_vpc_peering_connection(&a, pcx.as_str()).unwrap();
    let added = lab
        .authorize_security_group_rules(&a, app.as_str(), false, &perm)
        .unwrap();
    assert_eq!(
        added[0].peer,
        RulePeer::Group(GroupReference {
            group_id: far.clone(),
            user_id: account(A),
            vpc_peering_connection_id: Some(pcx.clone()),
        })
    );
}

#[test]
fn cross_account_group_reference_across_an_active_peering() {
    // AWS: a rule can reference a security group of a peered VPC in another account,
    // naming the group and its owner (UserId).
    let (mut lab, a, b) = lab2();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let w = vpc(&mut lab, &b, "10.1.0.0/16");
    let app = sg(&mut lab, &a, &v, "app");
    let theirs = sg(&mut lab, &b, &w, "clients");
    let perm = |user: Option<&str>| IpPermission {
        user_id_group_pairs: vec![UserIdGroupPair {
            user_id: user.map(str::to_owned),
            ..pair(&theirs)
        }],
        ..from_group("tcp", 443, 443, &theirs)
    };
    let pcx = peering(&mut lab, &a, &v, &w, B);
    lab.accept_vpc_peering_connection(&b, pcx.as_str()).unwrap();
    // Without the owner's account id the group is not A's and cannot be found.
    assert_refused(&mut lab, "InvalidGroup.NotFound", |l| {
        l.authorize_security_group_rules(&a, app.as_str(), false, &[perm(None)])
    });
    assert_refused(&mut lab, "InvalidGroup.NotFound", |l| {
        l.authorize_security_group_rules(&a, app.as_str(), false, &[perm(Some(C))])
    });
    let added = lab
        .authorize_security_group_rules(&a, app.as_str(), false, &[perm(Some(B))])
        .unwrap();
    assert_eq!(
        added[0].peer,
        RulePeer::Group(GroupReference {
            group_id: theirs.clone(),
            user_id: account(B),
            vpc_peering_connection_id: Some(pcx.clone()),
        })
    );
    // The referenced group cannot be deleted by its owner while referenced.
    assert_refused(&mut lab, "DependencyViolation", |l| {
        l.delete_security_group(&b, theirs.as_str())
    });
    // After the peering is deleted the rule stays (a stale reference) and can be revoked.
    lab.delete_vpc_peering_connection(&a, pcx.as_str()).unwrap();
    let revoked = lab
        .revoke_security_group_rules(&a, app.as_str(), false, &[perm(Some(B))], &[])
        .unwrap();
    assert_eq!(revoked.revoked.len(), 1);
    lab.delete_security_group(&b, theirs.as_str()).unwrap();
    assert_consistent(&lab);
}

#[test]
fn rule_quota_is_sixty_per_direction() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let perms: Vec<_> = (0..60)
        .map(|p| IpPermission::tcp(1000 + p, 1000 + p, "0.0.0.0/0"))
        .collect();
    lab.authorize_security_group_rules(a, w.web.as_str(), false, &perms)
        .unwrap();
    assert_refused(lab, "RulesPerSecurityGroupLimitExceeded", |l| {
        l.authorize_security_group_rules(
            a,
            w.web.as_str(),
            false,
            &[IpPermission::tcp(1, 1, "0.0.0.0/0")],
        )
    });
    // Egress has its own 60 (one is the default rule).
    let perms: Vec<_> = (0..59)
        .map(|p| IpPermission::tcp(1000 + p, 1000 + p, "0.0.0.0/0"))
        .collect();
    lab.authorize_security_group_rules(a, w.web.as_str(), true, &perms)
        .unwrap();
    assert_refused(lab, "RulesPerSecurityGroupLimitExceeded", |l| {
        l.authorize_security_group_rules(
            a,
            w.web.as_str(),
            true,
            &[IpPermission::tcp(1, 1, "0.0.0.0/0")],
        )
    });
}

#[test]
fn revoke_by_permission_or_by_rule_id() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let added = lab
        .authorize_security_group_rules(
            a,
            w.web.as_str(),
            false,
            &[
                IpPermission {
                    ip_ranges: vec![("10.0.0.0/8".into(), Some("described".into()))],
                    ..IpPermission::tcp(22, 22, "10.0.0.0/8")
                },
                IpPermission::tcp(443, 443, "0.0.0.0/0"),
            ],
        )
        .unwrap();
    // AWS: "If the security group rule has a description, you do not need to specify the
    // description to revoke the rule."
    let out = lab
        .revoke_security_group_rules(
            a,
            w.web.as_str(),
            false,
            &[IpPermission::tcp(22, 22, "10.0.0.0/8")],
            &[],
        )
        .unwrap();
    assert_eq!(out.revoked.len(), 1);
    assert_eq!(out.revoked[0].id, added[0].id);
    assert!(out.unknown.is_empty());
    let out = lab
        .revoke_security_group_rules(a, w.web.as_str(), false, &[], &[added[1].id.to_string()])
        .unwrap();
    assert_eq!(out.revoked[0].id, added[1].id);
    assert_eq!(group(lab, &w.web).ingress().count(), 0);
    // A rule id of the other direction, or of nothing, is not found.
    let egress_id = group(lab, &w.web).egress().next().unwrap().id.to_string();
    assert_refused(lab, "InvalidSecurityGroupRuleId.NotFound", |l| {
        l.revoke_security_group_rules(
            a,
            w.web.as_str(),
            false,
            &[],
            std::slice::from_ref(&egress_id),
        )
    });
    lab.revoke_security_group_rules(a, w.web.as_str(), true, &[], &[egress_id])
        .unwrap();
    assert_eq!(group(lab, &w.web).rules.len(), 0);
    assert_consistent(lab);
}

#[test]
fn revoke_in_a_non_default_vpc_fails_whole_when_a_permission_matches_nothing() {
    // AWS: "For a non-default VPC, if the values you specify do not match the existing
    // rule's values, an InvalidPermission.NotFound client error is returned, and no rules
    // are revoked."
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    lab.authorize_security_group_rules(
        a,
        w.web.as_str(),
        false,
        &[IpPermission::tcp(22, 22, "10.0.0.0/8")],
    )
    .unwrap();
    assert_refused(lab, "InvalidPermission.NotFound", |l| {
        l.revoke_security_group_rules(
            a,
            w.web.as_str(),
            false,
            &[IpPermission::tcp(80, 80, "10.0.0.0/8")],
            &[],
        )
    });
    assert_refused(lab, "InvalidPermission.NotFound", |l| {
        l.revoke_security_group_rules(
            a,
            w.web.as_str(),
            false,
            &[
                IpPermission::tcp(22, 22, "10.0.0.0/8"),
                IpPermission::tcp(80, 80, "10.0.0.0/8"),
            ],
            &[],
        )
    });
    assert_eq!(group(lab, &w.web).ingress().count(), 1);
}

#[test]
fn revoke_in_the_default_vpc_reports_unknown_permissions_without_error() {
    // AWS: "For a default VPC, if the values you specify do not match the existing rule's
    // values, no error is returned, and the output describes the security group rules that
    // were not revoked."
    let (mut lab, a) = lab_with_default_vpcs();
    let g = lab
        .create_security_group(&a, None, "ssh", "ssh", Tags::new())
        .unwrap();
    lab.authorize_security_group_rules(
        &a,
        g.as_str(),
        false,
        &[IpPermission::tcp(22, 22, "10.0.0.0/8")],
    )
    .unwrap();
    let out = lab
        .revoke_security_group_rules(
            &a,
            g.as_str(),
            false,
            &[
                IpPermission::tcp(22, 22, "10.0.0.0/8"),
                IpPermission::tcp(80, 80, "10.0.0.0/8"),
            ],
            &[],
        )
        .unwrap();
    assert_eq!(out.revoked.len(), 1);
    assert_eq!(out.unknown.len(), 1);
    assert_eq!(out.unknown[0].ports, Some(PortRange { from: 80, to: 80 }));
    let before = snapshot(&lab);
    let out = lab
        .revoke_security_group_rules(
            &a,
            g.as_str(),
            false,
            &[IpPermission::tcp(80, 80, "10.0.0.0/8")],
            &[],
        )
        .unwrap();
    assert!(out.revoked.is_empty());
    assert_eq!(out.unknown.len(), 1);
    assert_eq!(snapshot(&lab), before);
}

#[test]
fn delete_security_group_refusals() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let default = lab
        .vpc(w.vpc.as_str())
        .unwrap()
        .default_security_group_id
        .clone();
    // AWS: the default group cannot be deleted by a user.
    assert_refused(lab, "CannotDelete", |l| {
        l.delete_security_group(a, default.as_str())
    });
    // In use by an interface.
    let s = subnet(lab, a, &w.vpc, "10.0.1.0/24");
    let e = lab
        .create_network_interface(
            a,
            CreateNetworkInterface {
                subnet_id: s.to_string(),
                groups: vec![w.web.to_string()],
                ..CreateNetworkInterface::default()
            },
        )
        .unwrap();
    assert_refused(lab, "DependencyViolation", |l| {
        l.delete_security_group(a, w.web.as_str())
    });
    lab.delete_network_interface(a, e.as_str()).unwrap();
    // Referenced by another group's rule.
    let db = sg(lab, a, &w.vpc, "db");
    lab.authorize_security_group_rules(
        a,
        db.as_str(),
        false,
        &[from_group("tcp", 5432, 5432, &w.web)],
    )
    .unwrap();
    assert_refused(lab, "DependencyViolation", |l| {
        l.delete_security_group(a, w.web.as_str())
    });
    lab.revoke_security_group_rules(
        a,
        db.as_str(),
        false,
        &[from_group("tcp", 5432, 5432, &w.web)],
        &[],
    )
    .unwrap();
    // A group referencing itself can go.
    lab.authorize_security_group_rules(a, w.web.as_str(), false, &[from_group("-1", 0, 0, &w.web)])
        .unwrap();
    lab.delete_security_group(a, w.web.as_str()).unwrap();
    assert!(lab.security_group(w.web.as_str()).is_none());
    assert_refused(lab, "InvalidGroup.NotFound", |l| {
        l.delete_security_group(a, w.web.as_str())
    });
    assert_refused(lab, "InvalidGroupId.Malformed", |l| {
        l.delete_security_group(a, "sg-1")
    });
    // Names only work in the default VPC; this account has none.
    assert_refused(lab, "InvalidGroup.NotFound", |l| {
        l.delete_security_group(a, "db")
    });
    assert_consistent(lab);
}

#[test]
fn a_stale_peered_reference_still_counts_as_a_duplicate() {
    // A rule names a group (id and owner); the peering it went through is not part of the
    // rule's identity. After the peering is replaced, the same rule is a duplicate.
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let w = vpc(&mut lab, &a, "10.1.0.0/16");
    let app = sg(&mut lab, &a, &v, "app");
    let far = sg(&mut lab, &a, &w, "far");
    let perm = [from_group("tcp", 443, 443, &far)];
    let first = peering(&mut lab, &a, &v, &w, A);
    lab.accept_vpc_peering_connection(&a, first.as_str())
        .unwrap();
    lab.authorize_security_group_rules(&a, app.as_str(), false, &perm)
        .unwrap();
    lab.delete_vpc_peering_connection(&a, first.as_str())
        .unwrap();
    let second = peering(&mut lab, &a, &v, &w, A);
    lab.accept_vpc_peering_connection(&a, second.as_str())
        .unwrap();
    assert_refused(&mut lab, "InvalidPermission.Duplicate", |l| {
        l.authorize_security_group_rules(&a, app.as_str(), false, &perm)
    });
    assert_eq!(group(&lab, &app).ingress().count(), 1);
}

#[test]
fn deleting_a_group_by_name_answers_its_id() {
    // DeleteSecurityGroup's answer carries the group's id even when the request named it.
    let mut lab = Lab::new(7);
    lab.add_account(&account(A), T0);
    let a = caller(A);
    let id = lab
        .create_security_group(&a, None, "named", "in the default VPC", Tags::new())
        .unwrap();
    let op = Operation::DeleteSecurityGroup {
        group: "named".into(),
    };
    assert_eq!(
        lab.apply(&a, &op).unwrap(),
        Outcome::Deleted(id.to_string())
    );
    assert!(lab.security_group(id.as_str()).is_none());
    let unknown = lab.apply(&a, &op).unwrap_err();
    assert_eq!(unknown.code(), "InvalidGroup.NotFound");
}

#[test]
fn rules_carry_their_own_tags() {
    // AWS tags rules as `security-group-rule` resources: through the TagSpecification of
    // Authorize*, CreateTags and DeleteTags; a revoked rule's tags go with it.
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let g = sg(&mut lab, &a, &v, "tagged");
    let op = |t: Tags| Operation::AuthorizeSecurityGroupRules {
        group: g.to_string(),
        is_egress: false,
        permissions: vec![IpPermission::tcp(22, 22, "10.0.0.0/8")],
        tags: t,
    };
    assert_refused(&mut lab, "InvalidParameterValue", |l| {
        l.apply(&a, &op(tags(&[("aws:reserved", "x")])))
    });
    let Outcome::Rules(rules) = lab.apply(&a, &op(tags(&[("team", "db")]))).unwrap() else {
        panic!("no rules")
    };
    let rule = rules[0].id.clone();
    assert_eq!(
        lab.tags_of(&a, rule.as_str()).unwrap(),
        &tags(&[("team", "db")])
    );
    lab.create_tags(&a, &strings(&[rule.as_str()]), &tags(&[("Name", "ssh")]))
        .unwrap();
    assert_eq!(
        group(&lab, &g).rule_tags[&rule],
        tags(&[("Name", "ssh"), ("team", "db")])
    );
    // The egress rule has no tags, and another account cannot see the rule.
    let egress = group(&lab, &g).egress().next().unwrap().id.clone();
    assert!(lab.tags_of(&a, egress.as_str()).unwrap().is_empty());
    assert_eq!(
        lab.tags_of(&caller(B), rule.as_str()).unwrap_err().code(),
        "InvalidSecurityGroupRuleId.NotFound"
    );
    lab.revoke_security_group_rules(&a, g.as_str(), false, &[], &strings(&[rule.as_str()]))
        .unwrap();
    assert!(group(&lab, &g).rule_tags.is_empty());
    assert_consistent(&lab);
}
