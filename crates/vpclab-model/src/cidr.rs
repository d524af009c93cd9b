//! Reading CIDR blocks from requests, with AWS's errors.

use std::net::IpAddr;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use crate::err::{Error, Result};

/// Reads a canonical IPv4 CIDR block (`10.0.0.0/16`; `10.0.0.1/16` is refused as AWS does).
pub fn parse_ipv4_cidr(parameter: &str, s: &str) -> Result<Ipv4Net> {
    match s.trim().parse::<Ipv4Net>() {
        Ok(net) if net.network() == net.addr() => Ok(net),
        _ => Err(Error::invalid_value(
            parameter,
            s,
            "This is not a valid CIDR block.",
        )),
    }
}

/// Reads a canonical IPv6 CIDR block.
pub fn parse_ipv6_cidr(parameter: &str, s: &str) -> Result<Ipv6Net> {
    match s.trim().parse::<Ipv6Net>() {
        Ok(net) if net.network() == net.addr() => Ok(net),
        _ => Err(Error::invalid_value(
            parameter,
            s,
            "This is not a valid IPv6 CIDR block.",
        )),
    }
}

/// Reads a canonical CIDR block of either family.
pub fn parse_cidr(parameter: &str, s: &str) -> Result<IpNet> {
    match s.trim().parse::<IpNet>() {
        Ok(net) if net.network() == net.addr() => Ok(net),
        _ => Err(Error::invalid_value(
            parameter,
            s,
            "This is not a valid CIDR block.",
        )),
    }
}

/// Reads a single IP address.
pub fn parse_ip(parameter: &str, s: &str) -> Result<IpAddr> {
    s.trim()
        .parse()
        .map_err(|_| Error::invalid_value(parameter, s, "This is not a valid IP address."))
}

/// Whether two networks share any address.
pub fn overlaps(a: &IpNet, b: &IpNet) -> bool {
    a.contains(b) || b.contains(a)
}

/// Whether two IPv4 networks share any address.
pub fn overlaps_v4(a: &Ipv4Net, b: &Ipv4Net) -> bool {
    a.contains(b) || b.contains(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_blocks_only() {
        assert!(parse_ipv4_cidr("cidrBlock", "10.0.0.0/16").is_ok());
        let e = parse_ipv4_cidr("cidrBlock", "10.0.0.1/16").unwrap_err();
        assert_eq!(e.code(), "InvalidParameterValue");
        assert!(e.to_string().contains("10.0.0.1/16"));
        assert!(parse_ipv4_cidr("cidrBlock", "10.0.0.0/33").is_err());
        assert!(parse_ipv4_cidr("cidrBlock", "nonsense").is_err());
        assert!(parse_ipv6_cidr("ipv6CidrBlock", "2600:1f18::/56").is_ok());
    }

    #[test]
    fn overlap() {
        let a: Ipv4Net = "10.0.0.0/16".parse().unwrap();
        let b: Ipv4Net = "10.0.5.0/24".parse().unwrap();
        let c: Ipv4Net = "10.1.0.0/16".parse().unwrap();
        assert!(overlaps_v4(&a, &b) && overlaps_v4(&b, &a));
        assert!(!overlaps_v4(&a, &c));
    }
}
