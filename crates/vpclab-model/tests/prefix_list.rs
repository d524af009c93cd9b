//! Managed prefix lists: AWS-managed lists, Create/Modify/DeleteManagedPrefixList, and
//! their use as route destinations and security group peers.

mod common;

use common::*;
use vpclab_model::*;

fn create(name: &str, entries: &[&str]) -> CreateManagedPrefixList {
    CreateManagedPrefixList {
        name: name.into(),
        address_family: "IPv4".into(),
        max_entries: 3,
        entries: entries.iter().map(|c| ((*c).to_owned(), None)).collect(),
        tags: Tags::new(),
    }
}

fn cidrs(lab: &Lab, pl: &PrefixListId) -> Vec<String> {
    lab.prefix_list(pl.as_str())
        .unwrap()
        .cidrs()
        .map(|c| c.to_string())
        .collect()
}

#[test]
fn aws_managed_lists_exist_per_region_and_are_read_only() {
    let (mut lab, a) = lab();
    let s3 = lab.visible_prefix_list(&a, S3_PL_USE1).unwrap().clone();
    assert!(s3.is_aws_managed());
    assert_eq!(s3.owner_id.as_str(), "AWS");
    assert_eq!(s3.name, "com.amazonaws.us-east-1.s3");
    assert_eq!(s3.address_family, AddressFamily::Ipv4);
    assert!(s3.cidrs().any(|c| c == net("52.216.0.0/15")));
    let ddb = lab.visible_prefix_list(&a, "pl-02cd2c6b").unwrap();
    assert_eq!(ddb.name, "com.amazonaws.us-east-1.dynamodb");
    // Each region has its own lists; us-east-1's is not visible from us-west-2.
    let west = caller_in(A, "us-west-2");
    assert_eq!(
        lab.visible_prefix_list(&west, S3_PL_USE1)
            .unwrap_err()
            .code(),
        "InvalidPrefixListID.NotFound"
    );
    assert_eq!(
        lab.visible_prefix_list(&west, "pl-68a54001").unwrap().name,
        "com.amazonaws.us-west-2.s3"
    );
    assert_eq!(
        lab.prefix_lists().filter(|l| l.is_aws_managed()).count(),
        2 * Region::all().count()
    );
    assert_refused(&mut lab, "OperationNotPermitted", |l| {
        l.modify_managed_prefix_list(
            &a,
            S3_PL_USE1,
            ModifyManagedPrefixList {
                name: Some("mine".into()),
                ..ModifyManagedPrefixList::default()
            },
        )
    });
    assert_refused(&mut lab, "OperationNotPermitted", |l| {
        l.delete_managed_prefix_list(&a, S3_PL_USE1)
    });
    assert_refused(&mut lab, "InvalidPrefixListId.Malformed", |l| {
        l.delete_managed_prefix_list(&a, "pl-xyz")
    });
}

#[test]
fn create_managed_prefix_list_starts_at_version_one() {
    let (mut lab, a, b) = lab2();
    let pl = lab
        .create_managed_prefix_list(
            &a,
            CreateManagedPrefixList {
                entries: vec![("10.0.0.0/8".into(), Some("corp".into()))],
                tags: tags(&[("team", "net")]),
                ..create("office", &[])
            },
        )
        .unwrap();
    let list = lab.prefix_list(pl.as_str()).unwrap();
    assert!(!list.is_aws_managed());
    assert_eq!(list.owner_id, account(A));
    assert_eq!(list.version, 1);
    assert_eq!(list.max_entries, Some(3));
    assert_eq!(list.entries[0].description.as_deref(), Some("corp"));
    assert_eq!(cidrs(&lab, &pl), vec!["10.0.0.0/8"]);
    // Another account does not see it.
    assert_eq!(
        lab.visible_prefix_list(&b, pl.as_str()).unwrap_err().code(),
        "InvalidPrefixListID.NotFound"
    );
    let v6 = lab
        .create_managed_prefix_list(
            &a,
            CreateManagedPrefixList {
                address_family: "IPv6".into(),
                ..create("v6", &["2001:db8::/32"])
            },
        )
        .unwrap();
    assert_eq!(
        lab.prefix_list(v6.as_str()).unwrap().address_family,
        AddressFamily::Ipv6
    );
}

#[test]
fn create_managed_prefix_list_refusals() {
    let (mut lab, a) = lab();
    let refuse = |lab: &mut Lab, code: &str, req: CreateManagedPrefixList| {
        assert_refused(lab, code, |l| l.create_managed_prefix_list(&a, req));
    };
    refuse(&mut lab, "MissingParameter", create("", &[]));
    refuse(
        &mut lab,
        "InvalidParameterValue",
        create("com.amazonaws.mine", &[]),
    );
    refuse(
        &mut lab,
        "InvalidParameterValue",
        CreateManagedPrefixList {
            address_family: "ipv4".into(),
            ..create("x", &[])
        },
    );
    refuse(
        &mut lab,
        "InvalidParameterValue",
        CreateManagedPrefixList {
            max_entries: 0,
            ..create("x", &[])
        },
    );
    refuse(
        &mut lab,
        "InvalidParameterValue",
        CreateManagedPrefixList {
            max_entries: 1001,
            ..create("x", &[])
        },
    );
    refuse(
        &mut lab,
        "PrefixListMaxEntriesExceeded",
        create(
            "x",
            &["10.0.0.0/8", "11.0.0.0/8", "12.0.0.0/8", "13.0.0.0/8"],
        ),
    );
    refuse(
        &mut lab,
        "InvalidParameterValue",
        create("x", &["2001:db8::/32"]),
    );
    refuse(
        &mut lab,
        "InvalidParameterValue",
        create("x", &["10.0.0.0/8", "10.0.0.0/8"]),
    );
    refuse(
        &mut lab,
        "InvalidParameterValue",
        create("x", &["10.0.0.1/8"]),
    );
    refuse(
        &mut lab,
        "InvalidParameterValue",
        CreateManagedPrefixList {
            tags: tags(&[("aws:t", "")]),
            ..create("x", &[])
        },
    );
}

#[test]
fn modifying_entries_needs_the_current_version_and_bumps_it() {
    let (mut lab, a) = lab();
    let pl = lab
        .create_managed_prefix_list(&a, create("office", &["10.0.0.0/8"]))
        .unwrap();
    let v = lab
        .modify_managed_prefix_list(
            &a,
            pl.as_str(),
            ModifyManagedPrefixList {
                current_version: Some(1),
                add_entries: vec![("192.168.0.0/16".into(), None)],
                remove_entries: vec!["10.0.0.0/8".into()],
                ..ModifyManagedPrefixList::default()
            },
        )
        .unwrap();
    assert_eq!(v, 2);
    assert_eq!(cidrs(&lab, &pl), vec!["192.168.0.0/16"]);
    // Renaming alone does not change the entries, so not the version.
    let v = lab
        .modify_managed_prefix_list(
            &a,
            pl.as_str(),
            ModifyManagedPrefixList {
                name: Some("hq".into()),
                ..ModifyManagedPrefixList::default()
            },
        )
        .unwrap();
    assert_eq!(v, 2);
    assert_eq!(lab.prefix_list(pl.as_str()).unwrap().name, "hq");
    // Adding an entry that is there updates its description.
    lab.modify_managed_prefix_list(
        &a,
        pl.as_str(),
        ModifyManagedPrefixList {
            current_version: Some(2),
            add_entries: vec![("192.168.0.0/16".into(), Some("lab".into()))],
            ..ModifyManagedPrefixList::default()
        },
    )
    .unwrap();
    let list = lab.prefix_list(pl.as_str()).unwrap();
    assert_eq!((list.version, list.entries.len()), (3, 1));
    assert_eq!(list.entries[0].description.as_deref(), Some("lab"));
}

#[test]
fn modify_managed_prefix_list_refusals_change_nothing() {
    let (mut lab, a, b) = lab2();
    let pl = lab
        .create_managed_prefix_list(&a, create("office", &["10.0.0.0/8"]))
        .unwrap();
    let id = pl.to_string();
    let refuse = |lab: &mut Lab, code: &str, req: ModifyManagedPrefixList| {
        assert_refused(lab, code, |l| l.modify_managed_prefix_list(&a, &id, req));
    };
    let add = |c: &str| vec![(c.to_owned(), None)];
    refuse(
        &mut lab,
        "MissingParameter",
        ModifyManagedPrefixList {
            add_entries: add("11.0.0.0/8"),
            ..Default::default()
        },
    );
    refuse(
        &mut lab,
        "PrefixListVersionMismatch",
        ModifyManagedPrefixList {
            current_version: Some(7),
            add_entries: add("11.0.0.0/8"),
            ..Default::default()
        },
    );
    refuse(
        &mut lab,
        "InvalidParameterValue",
        ModifyManagedPrefixList {
            current_version: Some(1),
            remove_entries: vec!["12.0.0.0/8".into()],
            ..Default::default()
        },
    );
    // A valid removal with an invalid addition: nothing happens.
    refuse(
        &mut lab,
        "InvalidParameterValue",
        ModifyManagedPrefixList {
            current_version: Some(1),
            remove_entries: vec!["10.0.0.0/8".into()],
            add_entries: add("2001:db8::/32"),
            ..Default::default()
        },
    );
    refuse(
        &mut lab,
        "PrefixListMaxEntriesExceeded",
        ModifyManagedPrefixList {
            current_version: Some(1),
            add_entries: vec![
                ("11.0.0.0/8".into(), None),
                ("12.0.0.0/8".into(), None),
                ("13.0.0.0/8".into(), None),
            ],
            ..Default::default()
        },
    );
    refuse(
        &mut lab,
        "InvalidParameterValue",
        ModifyManagedPrefixList::default().with_max(0),
    );
    refuse(
        &mut lab,
        "InvalidParameterValue",
        ModifyManagedPrefixList::default().with_max(2000),
    );
    // AWS: customer list names may not start with com.amazonaws.
    refuse(
        &mut lab,
        "InvalidParameterValue",
        ModifyManagedPrefixList {
            name: Some("com.amazonaws.x".into()),
            ..Default::default()
        },
    );
    assert_refused(&mut lab, "InvalidPrefixListID.NotFound", |l| {
        l.modify_managed_prefix_list(
            &b,
            &id,
            ModifyManagedPrefixList {
                name: Some("theirs".into()),
                ..Default::default()
            },
        )
    });
}

/// Lets a test state the max-entries value it means in one place.
trait WithMax {
    fn with_max(self, n: i64) -> Self;
}

impl WithMax for ModifyManagedPrefixList {
    fn with_max(self, n: i64) -> Self {
        ModifyManagedPrefixList {
            max_entries: Some(n),
            ..self
        }
    }
}

#[test]
fn shrinking_max_entries_below_the_entry_count_is_refused() {
    let (mut lab, a) = lab();
    let pl = lab
        .create_managed_prefix_list(&a, create("office", &["10.0.0.0/8", "11.0.0.0/8"]))
        .unwrap();
    assert_refused(&mut lab, "PrefixListMaxEntriesExceeded", |l| {
        l.modify_managed_prefix_list(
            &a,
            pl.as_str(),
            ModifyManagedPrefixList::default().with_max(1),
        )
    });
    lab.modify_managed_prefix_list(
        &a,
        pl.as_str(),
        ModifyManagedPrefixList::default().with_max(10),
    )
    .unwrap();
    assert_eq!(lab.prefix_list(pl.as_str()).unwrap().max_entries, Some(10));
}

#[test]
fn delete_is_refused_while_a_route_or_a_rule_uses_the_list() {
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let igw = igw_attached(&mut lab, &a, &v);
    let pl = lab
        .create_managed_prefix_list(&a, create("office", &["203.0.113.0/24"]))
        .unwrap();
    let rt = main_rt(&lab, &v);
    lab.create_route(&a, rt.as_str(), &via_igw(pl.as_str(), &igw))
        .unwrap();
    assert_refused(&mut lab, "DependencyViolation", |l| {
        l.delete_managed_prefix_list(&a, pl.as_str())
    });
    lab.delete_route(&a, rt.as_str(), &RouteSpec::to(pl.as_str()))
        .unwrap();
    let g = sg(&mut lab, &a, &v, "office");
    let perm = IpPermission {
        ip_protocol: "tcp".into(),
        from_port: Some(22),
        to_port: Some(22),
        prefix_list_ids: vec![(pl.to_string(), Some("ssh from the office".into()))],
        ..IpPermission::default()
    };
    let added = lab
        .authorize_security_group_rules(&a, g.as_str(), false, &[perm])
        .unwrap();
    assert_eq!(added[0].peer, RulePeer::PrefixList(pl.clone()));
    assert_refused(&mut lab, "DependencyViolation", |l| {
        l.delete_managed_prefix_list(&a, pl.as_str())
    });
    lab.revoke_security_group_rules(&a, g.as_str(), false, &[], &[added[0].id.to_string()])
        .unwrap();
    lab.delete_managed_prefix_list(&a, pl.as_str()).unwrap();
    assert!(lab.prefix_list(pl.as_str()).is_none());
    assert_refused(&mut lab, "InvalidPrefixListID.NotFound", |l| {
        l.delete_managed_prefix_list(&a, pl.as_str())
    });
    assert_consistent(&lab);
}

#[test]
fn deleting_a_list_answers_the_list_as_it_was() {
    let (mut lab, a) = lab();
    let pl = lab
        .create_managed_prefix_list(&a, create("gone", &["10.0.0.0/8"]))
        .unwrap();
    let before = lab.prefix_list(pl.as_str()).unwrap().clone();
    let op = Operation::DeleteManagedPrefixList {
        prefix_list_id: pl.to_string(),
    };
    assert_eq!(
        lab.apply(&a, &op).unwrap(),
        Outcome::PrefixList(Box::new(before))
    );
    assert!(lab.prefix_list(pl.as_str()).is_none());
    assert_eq!(
        lab.apply(&a, &op).unwrap_err().code(),
        "InvalidPrefixListID.NotFound"
    );
}

#[test]
fn earlier_versions_keep_their_entries() {
    let (mut lab, a) = lab();
    let pl = lab
        .create_managed_prefix_list(&a, create("versions", &["10.0.0.0/8"]))
        .unwrap();
    let change = |add: &str, version: u64| ModifyManagedPrefixList {
        current_version: Some(version),
        add_entries: vec![(add.to_owned(), None)],
        ..ModifyManagedPrefixList::default()
    };
    lab.modify_managed_prefix_list(&a, pl.as_str(), change("11.0.0.0/8", 1))
        .unwrap();
    lab.modify_managed_prefix_list(&a, pl.as_str(), change("12.0.0.0/8", 2))
        .unwrap();
    // A rename is no new version.
    lab.modify_managed_prefix_list(
        &a,
        pl.as_str(),
        ModifyManagedPrefixList {
            name: Some("renamed".into()),
            ..ModifyManagedPrefixList::default()
        },
    )
    .unwrap();
    let list = lab.prefix_list(pl.as_str()).unwrap();
    let at = |v| {
        list.entries_at(v)
            .map(|e| e.iter().map(|e| e.cidr.to_string()).collect::<Vec<_>>())
    };
    assert_eq!(list.version, 3);
    assert_eq!(at(1), Some(strings(&["10.0.0.0/8"])));
    assert_eq!(at(2), Some(strings(&["10.0.0.0/8", "11.0.0.0/8"])));
    assert_eq!(
        at(3),
        Some(strings(&["10.0.0.0/8", "11.0.0.0/8", "12.0.0.0/8"]))
    );
    assert_eq!(at(4), None);
    assert_eq!(at(0), None);
}
