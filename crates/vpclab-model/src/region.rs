//! Accounts, regions and availability zones: the lab's fixed geography.

use std::fmt;
use std::net::Ipv4Addr;

use ipnet::{Ipv4Net, Ipv6Net};
use serde::{Deserialize, Serialize};

use crate::err::{Error, Result};

/// A 12-digit AWS account id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccountId(String);

impl AccountId {
    /// Accepts exactly twelve ASCII digits.
    pub fn parse(s: &str) -> Result<Self> {
        if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(Error::invalid_value(
                "accountId",
                s,
                "An account id has 12 digits.",
            ))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The owner AWS's own resources (its managed prefix lists) show: `AWS`.
    pub fn aws() -> Self {
        Self("AWS".to_owned())
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One region the lab knows, with its availability zones.
#[derive(Debug)]
pub struct RegionInfo {
    /// `us-east-1`.
    pub name: &'static str,
    /// The prefix of its zone ids, `use1`.
    pub zone_id_prefix: &'static str,
    /// Zone letters in order: `us-east-1a` has zone id `use1-az1`, and so on.
    pub zone_letters: &'static str,
    /// The suffix of EC2 private DNS names: `ec2.internal` in us-east-1,
    /// `<region>.compute.internal` elsewhere.
    pub private_dns_suffix: &'static str,
    /// The `N` in this region's made-up address blocks; unique per region.
    pub index: u8,
}

/// Every region the lab serves. Zone letters follow what a new account sees.
pub static REGIONS: &[RegionInfo] = &[
    RegionInfo {
        name: "us-east-1",
        zone_id_prefix: "use1",
        zone_letters: "abcdef",
        private_dns_suffix: "ec2.internal",
        index: 0,
    },
    RegionInfo {
        name: "us-east-2",
        zone_id_prefix: "use2",
        zone_letters: "abc",
        private_dns_suffix: "us-east-2.compute.internal",
        index: 1,
    },
    RegionInfo {
        name: "us-west-1",
        zone_id_prefix: "usw1",
        zone_letters: "ab",
        private_dns_suffix: "us-west-1.compute.internal",
        index: 2,
    },
    RegionInfo {
        name: "us-west-2",
        zone_id_prefix: "usw2",
        zone_letters: "abcd",
        private_dns_suffix: "us-west-2.compute.internal",
        index: 3,
    },
    RegionInfo {
        name: "ca-central-1",
        zone_id_prefix: "cac1",
        zone_letters: "abd",
        private_dns_suffix: "ca-central-1.compute.internal",
        index: 4,
    },
    RegionInfo {
        name: "eu-west-1",
        zone_id_prefix: "euw1",
        zone_letters: "abc",
        private_dns_suffix: "eu-west-1.compute.internal",
        index: 5,
    },
    RegionInfo {
        name: "eu-west-2",
        zone_id_prefix: "euw2",
        zone_letters: "abc",
        private_dns_suffix: "eu-west-2.compute.internal",
        index: 6,
    },
    RegionInfo {
        name: "eu-west-3",
        zone_id_prefix: "euw3",
        zone_letters: "abc",
        private_dns_suffix: "eu-west-3.compute.internal",
        index: 7,
    },
    RegionInfo {
        name: "eu-central-1",
        zone_id_prefix: "euc1",
        zone_letters: "abc",
        private_dns_suffix: "eu-central-1.compute.internal",
        index: 8,
    },
    RegionInfo {
        name: "eu-north-1",
        zone_id_prefix: "eun1",
        zone_letters: "abc",
        private_dns_suffix: "eu-north-1.compute.internal",
        index: 9,
    },
    RegionInfo {
        name: "ap-northeast-1",
        zone_id_prefix: "apne1",
        zone_letters: "acd",
        private_dns_suffix: "ap-northeast-1.compute.internal",
        index: 10,
    },
    RegionInfo {
        name: "ap-southeast-1",
        zone_id_prefix: "apse1",
        zone_letters: "abc",
        private_dns_suffix: "ap-southeast-1.compute.internal",
        index: 11,
    },
    RegionInfo {
        name: "ap-southeast-2",
        zone_id_prefix: "apse2",
        zone_letters: "abc",
        private_dns_suffix: "ap-southeast-2.compute.internal",
        index: 12,
    },
    RegionInfo {
        name: "ap-south-1",
        zone_id_prefix: "aps1",
        zone_letters: "abc",
        private_dns_suffix: "ap-south-1.compute.internal",
        index: 13,
    },
    RegionInfo {
        name: "sa-east-1",
        zone_id_prefix: "sae1",
        zone_letters: "abc",
        private_dns_suffix: "sa-east-1.compute.internal",
        index: 14,
    },
];

/// The region requests go to when they name none.
pub const DEFAULT_REGION: &str = "us-east-1";

/// A region the lab knows (`us-east-1`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Region(&'static RegionInfo);

impl PartialEq for RegionInfo {
    fn eq(&self, other: &Self) -> bool {
        self.index == other.index
    }
}
impl Eq for RegionInfo {}
impl PartialOrd for RegionInfo {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for RegionInfo {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.index.cmp(&other.index)
    }
}
impl std::hash::Hash for RegionInfo {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.index.hash(state);
    }
}

/// One availability zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AvailabilityZone {
    /// `us-east-1a`.
    pub name: String,
    /// `use1-az1`.
    pub zone_id: String,
    /// The region it is in.
    pub region: Region,
}

impl Region {
    /// The region called `name`, if the lab serves it.
    pub fn find(name: &str) -> Option<Region> {
        REGIONS.iter().find(|r| r.name == name).map(Region)
    }

    /// Like [`Region::find`], with AWS's error for an unknown region.
    pub fn parse(name: &str) -> Result<Region> {
        Region::find(name).ok_or_else(|| {
            Error::invalid_value("region", name, "The region is not one the lab serves.")
        })
    }

    /// us-east-1.
    pub fn default_region() -> Region {
        Region(&REGIONS[0])
    }

    /// Every region the lab serves.
    pub fn all() -> impl Iterator<Item = Region> {
        REGIONS.iter().map(Region)
    }

    /// `us-east-1`.
    pub fn name(self) -> &'static str {
        self.0.name
    }

    /// The static facts about this region.
    pub fn info(self) -> &'static RegionInfo {
        self.0
    }

    /// Its availability zones, in order.
    pub fn zones(self) -> impl Iterator<Item = AvailabilityZone> {
        let info = self.0;
        info.zone_letters
            .chars()
            .enumerate()
            .map(move |(i, letter)| AvailabilityZone {
                name: format!("{}{letter}", info.name),
                zone_id: format!("{}-az{}", info.zone_id_prefix, i + 1),
                region: self,
            })
    }

    /// The zone named `name` (`us-east-1a`) or with zone id `name` (`use1-az1`).
    pub fn zone(self, name: &str) -> Option<AvailabilityZone> {
        self.zones().find(|z| z.name == name || z.zone_id == name)
    }

    /// The made-up public IPv4 pool this region draws public addresses and Elastic IPs
    /// from (a /16 per region in EC2's space).
    pub fn public_ipv4_pool(self) -> Ipv4Net {
        // 54.160.0.0/11 is EC2's in reality; one /16 per region keeps the lab's pools
        // apart from each other and from the service ranges.
        Ipv4Net::new(Ipv4Addr::new(54, 160 + self.0.index, 0, 0), 16).unwrap_or_default()
    }

    /// The Amazon IPv6 pool VPC /56 blocks come from (`2600:1f18:<n>::/40` per region).
    pub fn ipv6_pool(self) -> Ipv6Net {
        let addr =
            std::net::Ipv6Addr::new(0x2600, 0x1f18, u16::from(self.0.index) << 8, 0, 0, 0, 0, 0);
        Ipv6Net::new(addr, 40).unwrap_or_default()
    }
}

impl fmt::Debug for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Region({})", self.0.name)
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.name)
    }
}

impl Serialize for Region {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.0.name)
    }
}

impl<'de> Deserialize<'de> for Region {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Region::find(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown region {name}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_have_names_and_ids() {
        let r = Region::parse("us-east-1").unwrap();
        let zones: Vec<_> = r.zones().collect();
        assert_eq!(zones.len(), 6);
        assert_eq!(zones[0].name, "us-east-1a");
        assert_eq!(zones[0].zone_id, "use1-az1");
        assert_eq!(
            r.zone("use1-az2").map(|z| z.name),
            Some("us-east-1b".to_owned())
        );
        assert!(r.zone("us-west-2a").is_none());
    }

    #[test]
    fn unknown_region_is_refused() {
        assert_eq!(
            Region::parse("mars-north-1").unwrap_err().code(),
            "InvalidParameterValue"
        );
    }

    #[test]
    fn account_ids_are_twelve_digits() {
        assert!(AccountId::parse("000000000000").is_ok());
        assert!(AccountId::parse("12345678901").is_err());
        assert!(AccountId::parse("12345678901a").is_err());
    }

    #[test]
    fn region_pools_do_not_overlap() {
        let pools: Vec<_> = Region::all().map(|r| r.public_ipv4_pool()).collect();
        for (i, a) in pools.iter().enumerate() {
            for b in &pools[i + 1..] {
                assert!(!a.contains(b) && !b.contains(a));
            }
        }
    }
}
