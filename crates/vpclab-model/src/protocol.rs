//! IP protocols and port ranges as security group rules and network ACL entries name them.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::err::{Error, Result};

/// An IP protocol in a rule: all protocols (`-1`) or one protocol number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum IpProtocol {
    /// Every protocol (`-1`, `all`).
    All,
    /// One protocol by number (6 = TCP, 17 = UDP, 1 = ICMP, 58 = ICMPv6).
    Number(u8),
}

impl IpProtocol {
    /// TCP.
    pub const TCP: IpProtocol = IpProtocol::Number(6);
    /// UDP.
    pub const UDP: IpProtocol = IpProtocol::Number(17);
    /// ICMP.
    pub const ICMP: IpProtocol = IpProtocol::Number(1);
    /// ICMPv6.
    pub const ICMPV6: IpProtocol = IpProtocol::Number(58);

    /// Reads AWS's spellings: `-1`, `all`, `tcp`, `udp`, `icmp`, `icmpv6`, or a number 0–255.
    pub fn parse(s: &str) -> Result<Self> {
        let lower = s.trim().to_ascii_lowercase();
        Ok(match lower.as_str() {
            "-1" | "all" => IpProtocol::All,
            "tcp" => IpProtocol::TCP,
            "udp" => IpProtocol::UDP,
            "icmp" => IpProtocol::ICMP,
            "icmpv6" => IpProtocol::ICMPV6,
            n => match n.parse::<u8>() {
                Ok(n) => IpProtocol::Number(n),
                Err(_) => {
                    return Err(Error::InvalidParameterValue(format!(
                        "Invalid value '{s}' for IP protocol. Unknown protocol."
                    )));
                }
            },
        })
    }

    /// Whether ports (or ICMP type and code) qualify this protocol in rules.
    pub fn has_ports(self) -> bool {
        matches!(self, IpProtocol::Number(6 | 17))
    }

    /// Whether this is ICMP or ICMPv6, qualified by type and code.
    pub fn is_icmp(self) -> bool {
        matches!(self, IpProtocol::Number(1 | 58))
    }

    /// How security groups print it: `-1`, `tcp`, `udp`, `icmp`, `icmpv6`, or the number.
    pub fn sg_name(self) -> String {
        match self {
            IpProtocol::All => "-1".into(),
            IpProtocol::Number(6) => "tcp".into(),
            IpProtocol::Number(17) => "udp".into(),
            IpProtocol::Number(1) => "icmp".into(),
            IpProtocol::Number(58) => "icmpv6".into(),
            IpProtocol::Number(n) => n.to_string(),
        }
    }

    /// How network ACLs print it: `-1` or the number.
    pub fn acl_name(self) -> String {
        match self {
            IpProtocol::All => "-1".into(),
            IpProtocol::Number(n) => n.to_string(),
        }
    }

    /// Whether a rule with this protocol covers a packet of protocol `packet`.
    pub fn covers(self, packet: u8) -> bool {
        match self {
            IpProtocol::All => true,
            IpProtocol::Number(n) => n == packet,
        }
    }
}

impl fmt::Display for IpProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.sg_name())
    }
}

/// An inclusive port range, or for ICMP a type (`from`) and code (`to`), `-1` for any.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PortRange {
    /// First port, or ICMP type.
    pub from: i32,
    /// Last port, or ICMP code.
    pub to: i32,
}

impl PortRange {
    /// Every port.
    pub const ALL: PortRange = PortRange { from: 0, to: 65535 };

    /// Whether the range holds `port`.
    pub fn contains(self, port: u16) -> bool {
        self.from <= i32::from(port) && i32::from(port) <= self.to
    }

    /// Whether, read as ICMP type and code, the range admits `icmp_type`/`icmp_code`
    /// (`-1` is a wildcard).
    pub fn admits_icmp(self, icmp_type: u8, icmp_code: u8) -> bool {
        (self.from == -1 || self.from == i32::from(icmp_type))
            && (self.to == -1 || self.to == i32::from(icmp_code))
    }
}

/// Checks a rule's ports against its protocol, as AWS does, and returns what to store:
/// `None` for protocols without ports, the range for TCP/UDP and ICMP.
pub fn validate_ports(
    protocol: IpProtocol,
    from: Option<i32>,
    to: Option<i32>,
) -> Result<Option<PortRange>> {
    match protocol {
        p if p.has_ports() => {
            let (Some(from), Some(to)) = (from, to) else {
                return Err(Error::InvalidParameterValue(format!(
                    "Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange. Protocol {} requires ports.",
                    protocol.sg_name()
                )));
            };
            if !(0..=65535).contains(&from) || !(0..=65535).contains(&to) || from > to {
                return Err(Error::InvalidParameterValue(format!(
                    "Invalid value '{from}-{to}' for portRange. The from port must be less than or equal to the to port, both in 0-65535."
                )));
            }
            Ok(Some(PortRange { from, to }))
        }
        p if p.is_icmp() => {
            let (from, to) = (from.unwrap_or(-1), to.unwrap_or(-1));
            if !(-1..=255).contains(&from) || !(-1..=255).contains(&to) {
                return Err(Error::InvalidParameterValue(format!(
                    "Invalid value '{from}' for icmp type or '{to}' for icmp code."
                )));
            }
            Ok(Some(PortRange { from, to }))
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_aws_spellings() {
        assert_eq!(IpProtocol::parse("-1").unwrap(), IpProtocol::All);
        assert_eq!(IpProtocol::parse("TCP").unwrap(), IpProtocol::TCP);
        assert_eq!(IpProtocol::parse("17").unwrap(), IpProtocol::UDP);
        assert_eq!(IpProtocol::parse("icmpv6").unwrap(), IpProtocol::ICMPV6);
        assert_eq!(
            IpProtocol::parse("bogus").unwrap_err().code(),
            "InvalidParameterValue"
        );
        assert_eq!(IpProtocol::TCP.acl_name(), "6");
        assert_eq!(IpProtocol::TCP.sg_name(), "tcp");
    }

    #[test]
    fn ports_are_required_for_tcp_and_ignored_for_all() {
        assert!(validate_ports(IpProtocol::TCP, Some(22), None).is_err());
        assert!(validate_ports(IpProtocol::TCP, Some(80), Some(22)).is_err());
        assert!(validate_ports(IpProtocol::TCP, Some(0), Some(70000)).is_err());
        assert_eq!(
            validate_ports(IpProtocol::TCP, Some(22), Some(22)).unwrap(),
            Some(PortRange { from: 22, to: 22 })
        );
        assert_eq!(
            validate_ports(IpProtocol::All, Some(1), Some(2)).unwrap(),
            None
        );
        assert_eq!(
            validate_ports(IpProtocol::ICMP, None, None).unwrap(),
            Some(PortRange { from: -1, to: -1 })
        );
    }

    #[test]
    fn icmp_wildcards() {
        let echo = PortRange { from: 8, to: -1 };
        assert!(echo.admits_icmp(8, 0));
        assert!(!echo.admits_icmp(0, 0));
        assert!(PortRange { from: -1, to: -1 }.admits_icmp(3, 4));
    }
}
