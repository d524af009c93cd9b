//! Resource ids: one newtype per kind, spelled as AWS spells them (`vpc-0a1b…`).
//!
//! Ids are minted by [`IdGen`], a deterministic generator: the same seed and the same
//! sequence of operations give the same ids, which keeps golden files and diagrams stable.

use std::borrow::Borrow;
use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta] $name:ident = $prefix:literal;)*) => {$(
        #[$doc]
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The prefix AWS puts before the hex part of this kind of id.
            pub const PREFIX: &'static str = $prefix;

            /// Accepts `s` when it has this kind's prefix followed by 8 or 17 hex digits,
            /// as AWS's short and long ids do.
            pub fn parse(s: &str) -> Option<Self> {
                let hex = s.strip_prefix($prefix)?.strip_prefix('-')?;
                let ok = matches!(hex.len(), 8 | 17) && hex.bytes().all(|b| b.is_ascii_hexdigit());
                ok.then(|| Self(s.to_owned()))
            }

            /// Wraps an id without checking it, for ids read from trusted storage.
            pub fn new_unchecked(s: impl Into<String>) -> Self {
                Self(s.into())
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Minted for $name {
            const PREFIX: &'static str = $prefix;
            fn from_minted(s: String) -> Self {
                Self(s)
            }
        }
    )*};
}

id_type! {
    /// `vpc-…`
    VpcId = "vpc";
    /// `vpc-cidr-assoc-…`: the association of a CIDR block with a VPC.
    VpcCidrAssociationId = "vpc-cidr-assoc";
    /// `subnet-…`
    SubnetId = "subnet";
    /// `subnet-cidr-assoc-…`: the association of an IPv6 CIDR block with a subnet.
    SubnetCidrAssociationId = "subnet-cidr-assoc";
    /// `rtb-…`
    RouteTableId = "rtb";
    /// `rtbassoc-…`: a route table's association with a subnet, or its main association.
    RouteTableAssociationId = "rtbassoc";
    /// `igw-…`
    InternetGatewayId = "igw";
    /// `eigw-…`
    EgressOnlyInternetGatewayId = "eigw";
    /// `eipalloc-…`: an Elastic IP address allocation.
    AllocationId = "eipalloc";
    /// `eipassoc-…`: the association of an Elastic IP with a network interface.
    AddressAssociationId = "eipassoc";
    /// `nat-…`
    NatGatewayId = "nat";
    /// `eni-…`
    NetworkInterfaceId = "eni";
    /// `eni-attach-…`
    AttachmentId = "eni-attach";
    /// `i-…`
    InstanceId = "i";
    /// `r-…`: the reservation a RunInstances call creates.
    ReservationId = "r";
    /// `sg-…`
    SecurityGroupId = "sg";
    /// `sgr-…`
    SecurityGroupRuleId = "sgr";
    /// `acl-…`
    NetworkAclId = "acl";
    /// `aclassoc-…`
    NetworkAclAssociationId = "aclassoc";
    /// `pl-…`
    PrefixListId = "pl";
    /// `vpce-…`
    VpcEndpointId = "vpce";
    /// `vpce-svc-…`: a VPC endpoint service (PrivateLink, provider side).
    VpcEndpointServiceId = "vpce-svc";
    /// `vpce-svc-perm-…`: one allowed principal of an endpoint service.
    ServicePermissionId = "vpce-svc-perm";
    /// `vpce-con-…`: an endpoint's connection to an endpoint service.
    VpcEndpointConnectionId = "vpce-con";
    /// `pcx-…`
    VpcPeeringConnectionId = "pcx";
    /// `fl-…`: a flow log.
    FlowLogId = "fl";
    /// `nip-…`: a network insights path (Reachability Analyzer).
    NetworkInsightsPathId = "nip";
    /// `nia-…`: a network insights analysis.
    NetworkInsightsAnalysisId = "nia";
}

/// A kind of id that [`IdGen`] can mint.
pub trait Minted: Sized {
    /// The prefix before the hex digits.
    const PREFIX: &'static str;
    /// Wraps freshly minted text.
    fn from_minted(s: String) -> Self;
}

/// Mints AWS-shaped ids (`<prefix>-0` followed by 16 hex digits) from a seed and a counter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdGen {
    seed: u64,
    counter: u64,
}

impl IdGen {
    /// A generator whose ids depend only on `seed` and on how many ids came before.
    pub fn new(seed: u64) -> Self {
        Self { seed, counter: 0 }
    }

    /// The next id of kind `T`.
    pub fn mint<T: Minted>(&mut self) -> T {
        T::from_minted(format!("{}-0{:016x}", T::PREFIX, self.next_u64()))
    }

    /// The next 64 pseudo-random bits (splitmix64 over the counter: well spread, and the
    /// sequence never repeats within 2^64 draws, so minted ids are unique).
    pub fn next_u64(&mut self) -> u64 {
        self.counter = self.counter.wrapping_add(1);
        let mut z = self
            .seed
            .wrapping_add(self.counter.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_ids_have_aws_shape_and_parse_back() {
        let mut ids = IdGen::new(7);
        let vpc: VpcId = ids.mint();
        assert!(vpc.as_str().starts_with("vpc-0"));
        assert_eq!(vpc.as_str().len(), "vpc-".len() + 17);
        assert_eq!(VpcId::parse(vpc.as_str()), Some(vpc));
    }

    #[test]
    fn same_seed_same_ids_and_no_repeats() {
        let mut a = IdGen::new(1);
        let mut b = IdGen::new(1);
        let xs: Vec<SubnetId> = (0..1000).map(|_| a.mint()).collect();
        let ys: Vec<SubnetId> = (0..1000).map(|_| b.mint()).collect();
        assert_eq!(xs, ys);
        let unique: std::collections::HashSet<_> = xs.iter().collect();
        assert_eq!(unique.len(), xs.len());
    }

    #[test]
    fn parse_rejects_wrong_prefix_and_bad_hex() {
        assert!(VpcId::parse("vpc-12345678").is_some());
        assert!(VpcId::parse("subnet-12345678").is_none());
        assert!(VpcId::parse("vpc-1234567").is_none());
        assert!(VpcId::parse("vpc-1234567g").is_none());
        assert!(VpcCidrAssociationId::parse("vpc-cidr-assoc-0123456789abcdef0").is_some());
        assert!(AttachmentId::parse("eni-attach-0123456789abcdef0").is_some());
        assert!(NetworkInterfaceId::parse("eni-attach-0123456789abcdef0").is_none());
        // Endpoint services and endpoints share the `vpce` stem without being confused.
        assert!(VpcEndpointServiceId::parse("vpce-svc-0123456789abcdef0").is_some());
        assert!(VpcEndpointId::parse("vpce-svc-0123456789abcdef0").is_none());
        assert!(VpcEndpointServiceId::parse("vpce-0123456789abcdef0").is_none());
        assert!(VpcEndpointServiceId::parse("vpce-svc-perm-0123456789abcdef0").is_none());
        assert!(ServicePermissionId::parse("vpce-svc-perm-0123456789abcdef0").is_some());
    }
}
