//! Security group evaluation: stateful allow-lists; a packet passes when any rule of any
//! of the interface's groups admits it.

use std::net::IpAddr;

use vpclab_model::{Lab, RulePeer, SecurityGroupId, SecurityGroupRule};

use crate::flow::Header;

/// What a security group knows about the other side of a packet.
pub struct Peer<'a> {
    /// The other side's address as the packet carries it.
    pub address: IpAddr,
    /// The other side's groups, when it is an interface reachable by private address in
    /// this VPC or a peered one (group references match only then).
    pub groups: &'a [SecurityGroupId],
}

/// The first rule of `groups` that admits the packet in the direction given, if any.
/// Ports (and ICMP type/code) are the packet's destination port in both directions.
pub fn admitting_rule<'a>(
    lab: &'a Lab,
    groups: &[SecurityGroupId],
    egress: bool,
    header: &Header,
    peer: &Peer<'_>,
) -> Option<(&'a SecurityGroupId, &'a SecurityGroupRule)> {
    groups
        .iter()
        .filter_map(|g| lab.security_group(g.as_str()))
        .flat_map(|g| g.rules.iter().map(move |r| (&g.id, r)))
        .find(|(_, rule)| rule.is_egress == egress && admits(lab, rule, header, peer))
}

/// Whether the groups have no rules at all in that direction (AWS's `SG_HAS_NO_RULES`).
pub fn has_no_rules(lab: &Lab, groups: &[SecurityGroupId], egress: bool) -> bool {
    groups
        .iter()
        .filter_map(|g| lab.security_group(g.as_str()))
        .all(|g| g.rules.iter().all(|r| r.is_egress != egress))
}

fn admits(lab: &Lab, rule: &SecurityGroupRule, header: &Header, peer: &Peer<'_>) -> bool {
    let protocol = header.protocol_number();
    if !rule.protocol.covers(protocol) {
        return false;
    }
    let ports_ok = match rule.ports {
        None => true,
        Some(range) if rule.protocol.is_icmp() => {
            range.admits_icmp(header.destination_port as u8, header.source_port as u8)
        }
        Some(range) => range.contains(header.destination_port),
    };
    ports_ok
        && match &rule.peer {
            RulePeer::Cidr(net) => net.contains(&peer.address),
            RulePeer::PrefixList(id) => lab
                .prefix_list(id.as_str())
                .is_some_and(|l| l.cidrs().any(|c| c.contains(&peer.address))),
            RulePeer::Group(reference) => peer.groups.contains(&reference.group_id),
        }
}

/// A short text for a rule: `tcp 443 from 10.0.0.0/16`.
pub fn describe(rule: &SecurityGroupRule) -> String {
    let ports = match rule.ports {
        None => String::new(),
        Some(p) if rule.protocol.is_icmp() => format!(" type {} code {}", p.from, p.to),
        Some(p) if p.from == p.to => format!(" {}", p.from),
        Some(p) => format!(" {}-{}", p.from, p.to),
    };
    let protocol = match rule.protocol {
        vpclab_model::IpProtocol::All => "all traffic".to_string(),
        p => p.sg_name(),
    };
    let way = if rule.is_egress { "to" } else { "from" };
    format!("{protocol}{ports} {way} {}", rule.peer)
}
