//! Tags: CreateTags, DeleteTags, and the tag checks every create applies to its
//! TagSpecification.

mod common;

use common::*;
use vpclab_model::*;

fn tag_map(lab: &Lab, c: &Caller, id: &str) -> Tags {
    lab.tags_of(c, id).unwrap().clone()
}

/// One resource of every taggable kind, all A's.
fn everything(lab: &mut Lab, a: &Caller) -> Vec<String> {
    let v = vpc(lab, a, "10.0.0.0/16");
    let s = subnet(lab, a, &v, "10.0.1.0/24");
    let igw = igw_attached(lab, a, &v);
    let eigw = lab
        .create_egress_only_internet_gateway(a, v.as_str(), Tags::new())
        .unwrap();
    let rt = lab.create_route_table(a, v.as_str(), Tags::new()).unwrap();
    let i = instance(lab, a, &s);
    let e = eni(lab, a, &s);
    let x = eip(lab, a);
    let y = eip(lab, a);
    let n = nat(lab, a, &s, &y);
    let g = sg(lab, a, &v, "tagged");
    let acl = lab.create_network_acl(a, v.as_str(), Tags::new()).unwrap();
    let pl = lab
        .create_managed_prefix_list(
            a,
            CreateManagedPrefixList {
                name: "pl".into(),
                address_family: "IPv4".into(),
                max_entries: 1,
                ..CreateManagedPrefixList::default()
            },
        )
        .unwrap();
    let ep = s3_endpoint(lab, a, &v, &[]);
    let w = vpc(lab, a, "10.1.0.0/16");
    let pcx = peering(lab, a, &v, &w, A);
    vec![
        v.to_string(),
        s.to_string(),
        igw.to_string(),
        eigw.to_string(),
        rt.to_string(),
        i.to_string(),
        e.to_string(),
        x.to_string(),
        n.to_string(),
        g.to_string(),
        acl.to_string(),
        pl.to_string(),
        ep.to_string(),
        pcx.to_string(),
    ]
}

#[test]
fn create_and_delete_tags_on_every_kind_of_resource() {
    let (mut lab, a) = lab();
    let ids = everything(&mut lab, &a);
    lab.create_tags(&a, &ids, &tags(&[("env", "test"), ("Name", "x")]))
        .unwrap();
    for id in &ids {
        assert_eq!(
            tag_map(&lab, &a, id),
            tags(&[("env", "test"), ("Name", "x")]),
            "{id}"
        );
    }
    // Overwrite one value, keep the other.
    lab.create_tags(&a, &ids[..1], &tags(&[("Name", "y")]))
        .unwrap();
    assert_eq!(
        tag_map(&lab, &a, &ids[0]),
        tags(&[("env", "test"), ("Name", "y")])
    );
    // Delete by key, and by key and value (only where the value matches).
    lab.delete_tags(
        &a,
        &ids,
        &[
            TagFilter {
                key: "Name".into(),
                value: Some("x".into()),
            },
            TagFilter {
                key: "env".into(),
                value: None,
            },
        ],
    )
    .unwrap();
    assert_eq!(tag_map(&lab, &a, &ids[0]), tags(&[("Name", "y")]));
    for id in &ids[1..] {
        assert!(tag_map(&lab, &a, id).is_empty(), "{id}");
    }
    // AWS: DeleteTags without tags deletes them all.
    lab.delete_tags(&a, &ids[..1], &[]).unwrap();
    assert!(tag_map(&lab, &a, &ids[0]).is_empty());
    assert_consistent(&lab);
}

#[test]
fn an_empty_value_filter_deletes_only_empty_values() {
    // AWS: "If you specify a tag key with an empty string as the tag value, we delete the
    // tag only if its value is an empty string."
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16").to_string();
    lab.create_tags(
        &a,
        std::slice::from_ref(&v),
        &tags(&[("k", "v"), ("e", "")]),
    )
    .unwrap();
    let empty = |key: &str| TagFilter {
        key: key.into(),
        value: Some(String::new()),
    };
    lab.delete_tags(&a, std::slice::from_ref(&v), &[empty("k"), empty("e")])
        .unwrap();
    assert_eq!(tag_map(&lab, &a, &v), tags(&[("k", "v")]));
}

#[test]
fn tagging_is_all_or_nothing() {
    let (mut lab, a, b) = lab2();
    let mine = vpc(&mut lab, &a, "10.0.0.0/16").to_string();
    let theirs = vpc(&mut lab, &b, "10.0.0.0/16").to_string();
    let t = tags(&[("k", "v")]);
    // Another account's resource is not found, and nothing is tagged.
    assert_refused(&mut lab, "InvalidVpcID.NotFound", |l| {
        l.create_tags(&a, &[mine.clone(), theirs.clone()], &t)
    });
    assert_refused(&mut lab, "InvalidVpcID.NotFound", |l| {
        l.delete_tags(&a, &[mine.clone(), theirs.clone()], &[])
    });
    assert_refused(&mut lab, "InvalidVpcID.NotFound", |l| {
        l.create_tags(&a, &[mine.clone(), missing("vpc")], &t)
    });
    // AWS: "InvalidID: The ID '…' is not valid" for ids it cannot read, whatever the prefix.
    for unreadable in ["vpc-1", "eni-attach-0123456789abcdef0", "something"] {
        let err = assert_refused(&mut lab, "InvalidID", |l| {
            l.create_tags(&a, &[mine.clone(), unreadable.into()], &t)
        });
        assert_eq!(
            err.to_string(),
            format!("The ID '{unreadable}' is not valid")
        );
    }
    // AWS-managed prefix lists are not the caller's to tag.
    assert_refused(&mut lab, "InvalidPrefixListID.NotFound", |l| {
        l.create_tags(&a, &[S3_PL_USE1.into()], &t)
    });
}

#[test]
fn tag_rules_are_aws_rules() {
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16").to_string();
    let ids = std::slice::from_ref(&v);
    for bad in [
        tags(&[("aws:cloudformation:stack-name", "s")]),
        tags(&[("AWS:x", "s")]),
        tags(&[("", "s")]),
        tags(&[(&"k".repeat(129), "s")]),
        tags(&[("k", &"v".repeat(257))]),
    ] {
        assert_refused(&mut lab, "InvalidParameterValue", |l| {
            l.create_tags(&a, ids, &bad)
        });
    }
    // The longest key and value are fine.
    lab.create_tags(&a, ids, &tags(&[(&"k".repeat(128), &"v".repeat(256))]))
        .unwrap();
    // AWS: at most 50 tags per resource, counting those already there.
    let forty_nine: Tags = (0..49).map(|i| (format!("k{i}"), String::new())).collect();
    lab.create_tags(&a, ids, &forty_nine).unwrap();
    assert_eq!(tag_map(&lab, &a, &v).len(), 50);
    assert_refused(&mut lab, "InvalidParameterValue", |l| {
        l.create_tags(&a, ids, &tags(&[("one-more", "")]))
    });
    // Overwriting an existing key does not add one.
    lab.create_tags(&a, ids, &tags(&[("k0", "changed")]))
        .unwrap();
}

#[test]
fn both_owners_of_a_peering_connection_can_tag_it() {
    let (mut lab, a, b) = lab2();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let w = vpc(&mut lab, &b, "10.1.0.0/16");
    let pcx = peering(&mut lab, &a, &v, &w, B).to_string();
    lab.create_tags(
        &b,
        std::slice::from_ref(&pcx),
        &tags(&[("side", "accepter")]),
    )
    .unwrap();
    assert_eq!(tag_map(&lab, &a, &pcx), tags(&[("side", "accepter")]));
    assert_refused(&mut lab, "InvalidVpcPeeringConnectionID.NotFound", |l| {
        l.create_tags(&caller(C), std::slice::from_ref(&pcx), &tags(&[("x", "y")]))
    });
}

#[test]
fn tag_specifications_on_creates_are_checked_before_anything_is_made() {
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let s = subnet(&mut lab, &a, &v, "10.0.1.0/24");
    let bad = tags(&[("aws:reserved", "x")]);
    let code = "InvalidParameterValue";
    assert_refused(&mut lab, code, |l| {
        l.create_internet_gateway(&a, bad.clone())
    });
    assert_refused(&mut lab, code, |l| l.allocate_address(&a, bad.clone()));
    assert_refused(&mut lab, code, |l| {
        l.create_route_table(&a, v.as_str(), bad.clone())
    });
    assert_refused(&mut lab, code, |l| {
        l.create_network_acl(&a, v.as_str(), bad.clone())
    });
    assert_refused(&mut lab, code, |l| {
        l.create_egress_only_internet_gateway(&a, v.as_str(), bad.clone())
    });
    assert_refused(&mut lab, code, |l| {
        l.create_security_group(&a, Some(v.as_str()), "g", "d", bad.clone())
    });
    assert_refused(&mut lab, code, |l| {
        l.run_instances(
            &a,
            RunInstances {
                tags: bad.clone(),
                ..run(&s)
            },
        )
    });
    assert_refused(&mut lab, code, |l| {
        l.create_network_interface(
            &a,
            CreateNetworkInterface {
                subnet_id: s.to_string(),
                tags: bad.clone(),
                ..CreateNetworkInterface::default()
            },
        )
    });
    // Tags given on create land on the resource.
    let igw = lab
        .create_internet_gateway(&a, tags(&[("Name", "edge")]))
        .unwrap();
    assert_eq!(tag_map(&lab, &a, igw.as_str()), tags(&[("Name", "edge")]));
}
