//! `Fn::Cidr`: carve a block into equal subnets, in order.

use ipnet::IpNet;

use crate::CfnError;

/// The first `count` subnets of `block` with `bits` host bits each (a /(32-bits) in IPv4, a
/// /(128-bits) in IPv6), in address order, as AWS documents `Fn::Cidr`.
pub(crate) fn cidr(block: &str, count: u64, bits: u64) -> Result<Vec<String>, CfnError> {
    let net: IpNet = block
        .trim()
        .parse()
        .map_err(|_| CfnError::intrinsic(format!("Fn::Cidr: '{block}' is not a CIDR block")))?;
    let net = net.trunc();
    // AWS: the count is 1 to 256.
    if !(1..=256).contains(&count) {
        return Err(CfnError::intrinsic(format!(
            "Fn::Cidr: the count must be from 1 to 256, not {count}"
        )));
    }
    let width = u64::from(net.max_prefix_len());
    let prefix = width
        .checked_sub(bits)
        .filter(|p| bits > 0 && *p >= u64::from(net.prefix_len()))
        .ok_or_else(|| {
            CfnError::intrinsic(format!("Fn::Cidr: {bits} host bits do not fit in {net}"))
        })?;
    let subnets: Vec<String> = net
        .subnets(prefix as u8)
        .map_err(|e| CfnError::intrinsic(format!("Fn::Cidr: {e}")))?
        .take(count as usize)
        .map(|s| s.to_string())
        .collect();
    if (subnets.len() as u64) < count {
        return Err(CfnError::intrinsic(format!(
            "Fn::Cidr: {net} holds only {} subnets of /{prefix}, not {count}",
            subnets.len()
        )));
    }
    Ok(subnets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_documented_example() {
        // AWS's example: !Cidr [ "192.168.0.0/24", 6, 5 ]
        assert_eq!(
            cidr("192.168.0.0/24", 6, 5).unwrap(),
            [
                "192.168.0.0/27",
                "192.168.0.32/27",
                "192.168.0.64/27",
                "192.168.0.96/27",
                "192.168.0.128/27",
                "192.168.0.160/27"
            ]
        );
    }

    #[test]
    fn ipv6_blocks_carve_into_64s() {
        assert_eq!(
            cidr("2600:1f18:1234:5600::/56", 4, 64).unwrap(),
            [
                "2600:1f18:1234:5600::/64",
                "2600:1f18:1234:5601::/64",
                "2600:1f18:1234:5602::/64",
                "2600:1f18:1234:5603::/64"
            ]
        );
    }

    #[test]
    fn too_many_or_too_large_subnets_are_refused() {
        assert!(cidr("10.0.0.0/24", 9, 5).is_err());
        assert!(cidr("10.0.0.0/24", 1, 9).is_err());
        assert!(cidr("10.0.0.0/24", 0, 5).is_err());
        assert!(cidr("not a block", 1, 5).is_err());
    }
}
