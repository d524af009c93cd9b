//! Network ACL evaluation: stateless, lowest rule number first, first match decides,
//! the closing `*` entry denies.

use vpclab_model::{NetworkAcl, NetworkAclEntry, RuleAction};

use crate::flow::Header;

/// The entry that decides the packet: the first, by rule number, whose protocol, block
/// (the remote address: the destination going out, the source coming in) and ports
/// match. `None` only if the ACL has no closing entry for this address family.
pub fn deciding_entry<'a>(
    acl: &'a NetworkAcl,
    egress: bool,
    header: &Header,
) -> Option<&'a NetworkAclEntry> {
    let remote = if egress {
        header.destination
    } else {
        header.source
    };
    let protocol = header.protocol_number();
    // Entries are kept sorted by direction and rule number.
    acl.entries.iter().filter(|e| e.egress == egress).find(|e| {
        e.cidr.contains(&remote)
            && e.protocol.covers(protocol)
            && match e.port_range {
                None => true,
                Some(r) if e.protocol.is_icmp() => {
                    r.admits_icmp(header.destination_port as u8, header.source_port as u8)
                }
                Some(r) => r.contains(header.destination_port),
            }
    })
}

/// Whether the ACL lets the packet through in that direction.
pub fn allows(acl: &NetworkAcl, egress: bool, header: &Header) -> bool {
    deciding_entry(acl, egress, header).is_some_and(|e| e.rule_action == RuleAction::Allow)
}
