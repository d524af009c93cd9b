//! Network ACLs: Create/DeleteNetworkAcl, Create/Replace/DeleteNetworkAclEntry,
//! ReplaceNetworkAclAssociation.

mod common;

use common::*;
use vpclab_model::*;

struct World {
    lab: Lab,
    a: Caller,
    vpc: VpcId,
    subnet: SubnetId,
    acl: NetworkAclId,
}

fn world() -> World {
    let (mut lab, a) = lab();
    let vpc = vpc(&mut lab, &a, "10.0.0.0/16");
    let subnet = subnet(&mut lab, &a, &vpc, "10.0.1.0/24");
    let acl = lab
        .create_network_acl(&a, vpc.as_str(), Tags::new())
        .unwrap();
    World {
        lab,
        a,
        vpc,
        subnet,
        acl,
    }
}

/// (egress, rule number, action) of every entry, in stored order.
fn entries(lab: &Lab, acl: &NetworkAclId) -> Vec<(bool, u16, RuleAction)> {
    lab.network_acl(acl.as_str())
        .unwrap()
        .entries
        .iter()
        .map(|e| (e.egress, e.rule_number, e.rule_action))
        .collect()
}

fn entry(lab: &Lab, acl: &NetworkAclId, egress: bool, n: u16) -> NetworkAclEntry {
    lab.network_acl(acl.as_str())
        .unwrap()
        .entries
        .iter()
        .find(|e| e.egress == egress && e.rule_number == n)
        .cloned()
        .unwrap()
}

fn tcp(n: i32, egress: bool, action: &str, cidr: &str, ports: (i32, i32)) -> NetworkAclEntrySpec {
    NetworkAclEntrySpec::new(n, egress, action, "6", cidr, Some(ports))
}

#[test]
fn a_custom_acl_denies_everything_until_entries_are_added() {
    let w = world();
    let acl = w.lab.network_acl(w.acl.as_str()).unwrap();
    assert!(!acl.is_default);
    assert_eq!(acl.vpc_id, w.vpc);
    assert!(acl.associations.is_empty());
    assert_eq!(
        entries(&w.lab, &w.acl),
        vec![
            (false, DEFAULT_RULE_V4, RuleAction::Deny),
            (true, DEFAULT_RULE_V4, RuleAction::Deny)
        ]
    );
    assert!(
        acl.entries
            .iter()
            .all(|e| e.is_default_rule() && e.protocol == IpProtocol::All)
    );
    // In a VPC with IPv6 the IPv6 `*` deny is there too.
    let (mut lab, a) = (w.lab, w.a);
    let v6 = vpc_v6(&mut lab, &a, "10.1.0.0/16");
    let acl6 = lab
        .create_network_acl(&a, v6.as_str(), Tags::new())
        .unwrap();
    assert_eq!(
        entries(&lab, &acl6),
        vec![
            (false, DEFAULT_RULE_V4, RuleAction::Deny),
            (false, DEFAULT_RULE_V6, RuleAction::Deny),
            (true, DEFAULT_RULE_V4, RuleAction::Deny),
            (true, DEFAULT_RULE_V6, RuleAction::Deny),
        ]
    );
    assert_eq!(entry(&lab, &acl6, false, DEFAULT_RULE_V6).cidr, net("::/0"));
    assert_refused(&mut lab, "InvalidVpcID.NotFound", |l| {
        l.create_network_acl(&a, &missing("vpc"), Tags::new())
    });
}

#[test]
fn entries_are_kept_in_rule_number_order_per_direction() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    lab.create_network_acl_entry(
        a,
        w.acl.as_str(),
        &tcp(200, false, "allow", "0.0.0.0/0", (443, 443)),
    )
    .unwrap();
    lab.create_network_acl_entry(
        a,
        w.acl.as_str(),
        &tcp(100, false, "deny", "192.0.2.0/24", (0, 65535)),
    )
    .unwrap();
    // Rule numbers are per direction: 100 may exist both ways.
    lab.create_network_acl_entry(
        a,
        w.acl.as_str(),
        &tcp(100, true, "allow", "0.0.0.0/0", (1024, 65535)),
    )
    .unwrap();
    lab.create_network_acl_entry(
        a,
        w.acl.as_str(),
        &NetworkAclEntrySpec {
            icmp_type: Some(8),
            icmp_code: Some(-1),
            ..NetworkAclEntrySpec::new(150, false, "ALLOW", "icmp", "0.0.0.0/0", None)
        },
    )
    .unwrap();
    lab.create_network_acl_entry(
        a,
        w.acl.as_str(),
        &NetworkAclEntrySpec::new(160, false, "allow", "-1", "::/0", None),
    )
    .unwrap();
    assert_eq!(
        entries(lab, &w.acl),
        vec![
            (false, 100, RuleAction::Deny),
            (false, 150, RuleAction::Allow),
            (false, 160, RuleAction::Allow),
            (false, 200, RuleAction::Allow),
            (false, DEFAULT_RULE_V4, RuleAction::Deny),
            (true, 100, RuleAction::Allow),
            (true, DEFAULT_RULE_V4, RuleAction::Deny),
        ]
    );
    let https = entry(lab, &w.acl, false, 200);
    assert_eq!(https.protocol, IpProtocol::TCP);
    assert_eq!(https.port_range, Some(PortRange { from: 443, to: 443 }));
    assert_eq!(https.cidr, net("0.0.0.0/0"));
    let ping = entry(lab, &w.acl, false, 150);
    assert_eq!(
        (ping.protocol, ping.port_range),
        (IpProtocol::ICMP, Some(PortRange { from: 8, to: -1 }))
    );
    let all6 = entry(lab, &w.acl, false, 160);
    assert_eq!(
        (all6.protocol, all6.port_range, all6.cidr),
        (IpProtocol::All, None, net("::/0"))
    );
    assert_consistent(lab);
}

#[test]
fn create_network_acl_entry_refusals() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    lab.create_network_acl_entry(
        a,
        w.acl.as_str(),
        &tcp(100, false, "allow", "0.0.0.0/0", (80, 80)),
    )
    .unwrap();
    let acl = w.acl.to_string();
    let refuse = |lab: &mut Lab, code: &str, spec: NetworkAclEntrySpec| {
        assert_refused(lab, code, |l| l.create_network_acl_entry(a, &acl, &spec));
    };
    refuse(
        lab,
        "NetworkAclEntryAlreadyExists",
        tcp(100, false, "deny", "10.0.0.0/8", (1, 2)),
    );
    // AWS: rule numbers 1-32766; 32767 and up are the `*` entries.
    for n in [0, 32767, 32768, -5] {
        refuse(
            lab,
            "InvalidParameterValue",
            tcp(n, false, "allow", "0.0.0.0/0", (80, 80)),
        );
    }
    // AWS: TCP/UDP need a port range, ICMP a type and code.
    refuse(
        lab,
        "InvalidParameterValue",
        NetworkAclEntrySpec::new(110, false, "allow", "tcp", "0.0.0.0/0", None),
    );
    refuse(
        lab,
        "InvalidParameterValue",
        NetworkAclEntrySpec::new(110, false, "allow", "1", "0.0.0.0/0", None),
    );
    refuse(
        lab,
        "InvalidParameterValue",
        tcp(110, false, "allow", "0.0.0.0/0", (90, 80)),
    );
    refuse(
        lab,
        "InvalidParameterValue",
        tcp(110, false, "maybe", "0.0.0.0/0", (80, 80)),
    );
    refuse(
        lab,
        "InvalidParameterValue",
        tcp(110, false, "allow", "0.0.0.1/0", (80, 80)),
    );
    refuse(
        lab,
        "InvalidParameterValue",
        NetworkAclEntrySpec::new(110, false, "allow", "bogus", "0.0.0.0/0", None),
    );
    refuse(
        lab,
        "InvalidParameterValue",
        NetworkAclEntrySpec {
            cidr_block: Some("::/0".into()),
            ipv6_cidr_block: None,
            ..NetworkAclEntrySpec::new(110, false, "allow", "-1", "0.0.0.0/0", None)
        },
    );
    refuse(
        lab,
        "InvalidParameterCombination",
        NetworkAclEntrySpec {
            ipv6_cidr_block: Some("::/0".into()),
            ..NetworkAclEntrySpec::new(110, false, "allow", "-1", "0.0.0.0/0", None)
        },
    );
    refuse(
        lab,
        "MissingParameter",
        NetworkAclEntrySpec {
            cidr_block: None,
            ..NetworkAclEntrySpec::new(110, false, "allow", "-1", "0.0.0.0/0", None)
        },
    );
    assert_refused(lab, "InvalidNetworkAclID.NotFound", |l| {
        l.create_network_acl_entry(
            a,
            &missing("acl"),
            &tcp(110, false, "allow", "0.0.0.0/0", (80, 80)),
        )
    });
    assert_refused(lab, "InvalidNetworkAclID.Malformed", |l| {
        l.create_network_acl_entry(a, "acl-", &tcp(110, false, "allow", "0.0.0.0/0", (80, 80)))
    });
}

#[test]
fn rule_quota_is_twenty_per_direction_and_family_counting_the_star_rule() {
    // AWS quota "Rules per network ACL": 20, one-way, enforced separately for IPv4 and
    // IPv6 rules, and including the default deny rule.
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    for n in 1..=19 {
        lab.create_network_acl_entry(
            a,
            w.acl.as_str(),
            &tcp(n, false, "allow", "0.0.0.0/0", (80, 80)),
        )
        .unwrap();
    }
    assert_refused(lab, "NetworkAclEntryLimitExceeded", |l| {
        l.create_network_acl_entry(
            a,
            w.acl.as_str(),
            &tcp(20, false, "allow", "0.0.0.0/0", (80, 80)),
        )
    });
    // The other direction and the other family have their own room.
    lab.create_network_acl_entry(
        a,
        w.acl.as_str(),
        &tcp(20, true, "allow", "0.0.0.0/0", (80, 80)),
    )
    .unwrap();
    lab.create_network_acl_entry(
        a,
        w.acl.as_str(),
        &tcp(20, false, "allow", "::/0", (80, 80)),
    )
    .unwrap();
}

#[test]
fn replace_and_delete_entries() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    lab.create_network_acl_entry(
        a,
        w.acl.as_str(),
        &tcp(100, false, "allow", "0.0.0.0/0", (80, 80)),
    )
    .unwrap();
    lab.replace_network_acl_entry(
        a,
        w.acl.as_str(),
        &tcp(100, false, "deny", "10.0.0.0/8", (22, 22)),
    )
    .unwrap();
    let e = entry(lab, &w.acl, false, 100);
    assert_eq!(
        (e.rule_action, e.cidr, e.port_range),
        (
            RuleAction::Deny,
            net("10.0.0.0/8"),
            Some(PortRange { from: 22, to: 22 })
        )
    );
    // AWS: replacing needs an existing entry with that number in that direction.
    assert_refused(lab, "InvalidNetworkAclEntry.NotFound", |l| {
        l.replace_network_acl_entry(
            a,
            w.acl.as_str(),
            &tcp(100, true, "deny", "10.0.0.0/8", (22, 22)),
        )
    });
    assert_refused(lab, "InvalidNetworkAclEntry.NotFound", |l| {
        l.delete_network_acl_entry(a, w.acl.as_str(), 100, true)
    });
    // The `*` entries stay.
    assert_refused(lab, "InvalidParameterValue", |l| {
        l.delete_network_acl_entry(a, w.acl.as_str(), 32767, false)
    });
    lab.delete_network_acl_entry(a, w.acl.as_str(), 100, false)
        .unwrap();
    assert_eq!(
        entries(lab, &w.acl),
        vec![
            (false, DEFAULT_RULE_V4, RuleAction::Deny),
            (true, DEFAULT_RULE_V4, RuleAction::Deny)
        ]
    );
    assert_refused(lab, "InvalidNetworkAclEntry.NotFound", |l| {
        l.delete_network_acl_entry(a, w.acl.as_str(), 100, false)
    });
    // The default ACL's rule 100 can be changed like any other.
    let default = lab
        .vpc(w.vpc.as_str())
        .unwrap()
        .default_network_acl_id
        .clone();
    lab.replace_network_acl_entry(
        a,
        default.as_str(),
        &NetworkAclEntrySpec::new(100, false, "deny", "-1", "0.0.0.0/0", None),
    )
    .unwrap();
    assert_eq!(
        entry(lab, &default, false, 100).rule_action,
        RuleAction::Deny
    );
}

#[test]
fn replace_network_acl_association_moves_a_subnet_to_another_acl() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let default = lab
        .vpc(w.vpc.as_str())
        .unwrap()
        .default_network_acl_id
        .clone();
    let old = lab.network_acl_for_subnet(&w.subnet).unwrap().associations[0]
        .id
        .clone();
    let new = lab
        .replace_network_acl_association(a, old.as_str(), w.acl.as_str())
        .unwrap();
    assert_consistent(lab);
    assert_ne!(new, old);
    assert_eq!(lab.network_acl_for_subnet(&w.subnet).unwrap().id, w.acl);
    assert!(
        lab.network_acl(default.as_str())
            .unwrap()
            .associations
            .is_empty()
    );
    let assocs = &lab.network_acl(w.acl.as_str()).unwrap().associations;
    assert_eq!(assocs.len(), 1);
    assert_eq!(
        (assocs[0].id.clone(), assocs[0].subnet_id.clone()),
        (new.clone(), w.subnet.clone())
    );
    // The old association id is gone.
    assert_refused(lab, "InvalidAssociationID.NotFound", |l| {
        l.replace_network_acl_association(a, old.as_str(), default.as_str())
    });
    assert_refused(lab, "InvalidAssociationID.Malformed", |l| {
        l.replace_network_acl_association(a, "aclassoc-?", default.as_str())
    });
    // An ACL of another VPC.
    let other = vpc(lab, a, "10.1.0.0/16");
    let far = lab
        .create_network_acl(a, other.as_str(), Tags::new())
        .unwrap();
    assert_refused(lab, "InvalidParameterValue", |l| {
        l.replace_network_acl_association(a, new.as_str(), far.as_str())
    });
    assert_refused(lab, "InvalidNetworkAclID.NotFound", |l| {
        l.replace_network_acl_association(a, new.as_str(), &missing("acl"))
    });
    // And back to the default ACL.
    lab.replace_network_acl_association(a, new.as_str(), default.as_str())
        .unwrap();
    assert_eq!(lab.network_acl_for_subnet(&w.subnet).unwrap().id, default);
    assert_consistent(lab);
}

#[test]
fn delete_network_acl_refuses_the_default_and_associated_acls() {
    let mut w = world();
    let (lab, a) = (&mut w.lab, &w.a);
    let default = lab
        .vpc(w.vpc.as_str())
        .unwrap()
        .default_network_acl_id
        .clone();
    assert_refused(lab, "InvalidParameterValue", |l| {
        l.delete_network_acl(a, default.as_str())
    });
    let assoc = lab.network_acl_for_subnet(&w.subnet).unwrap().associations[0]
        .id
        .clone();
    let new = lab
        .replace_network_acl_association(a, assoc.as_str(), w.acl.as_str())
        .unwrap();
    assert_refused(lab, "DependencyViolation", |l| {
        l.delete_network_acl(a, w.acl.as_str())
    });
    lab.replace_network_acl_association(a, new.as_str(), default.as_str())
        .unwrap();
    lab.delete_network_acl(a, w.acl.as_str()).unwrap();
    assert!(lab.network_acl(w.acl.as_str()).is_none());
    assert_refused(lab, "InvalidNetworkAclID.NotFound", |l| {
        l.delete_network_acl(a, w.acl.as_str())
    });
    assert_consistent(lab);
}

#[test]
fn rule_actions_and_protocols_parse_as_aws_spells_them() {
    assert_eq!(RuleAction::parse("Allow").unwrap(), RuleAction::Allow);
    assert_eq!(RuleAction::parse("DENY").unwrap(), RuleAction::Deny);
    assert_eq!(RuleAction::Deny.as_str(), "deny");
    assert_eq!(IpProtocol::parse("udp").unwrap().acl_name(), "17");
    assert_eq!(IpProtocol::All.acl_name(), "-1");
}
