//! Name resolution as the Amazon DNS server of a VPC answers it (or as the public
//! internet does, when no VPC is given).

use std::net::{IpAddr, Ipv4Addr};

use crate::aws_service::parse_service_host;
use crate::ids::VpcId;
use crate::lab::Lab;

/// How a name was resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// An AWS service's public name (`s3.us-east-1.amazonaws.com`), resolved to an
    /// address in the service's published ranges.
    AwsService {
        /// The service's short name (`s3`).
        service: &'static str,
        /// The region that serves it.
        region: crate::Region,
        /// The address.
        address: IpAddr,
    },
    /// An EC2 private DNS name (`ip-10-0-1-5.ec2.internal`).
    PrivateDnsName(IpAddr),
    /// An EC2 public DNS name (`ec2-54-1-2-3.compute-1.amazonaws.com`); inside the
    /// instance's own VPC it resolves to the private address, as on AWS.
    PublicDnsName(IpAddr),
    /// A literal address.
    Literal(IpAddr),
}

impl Resolution {
    /// The address the name resolved to.
    pub fn address(&self) -> IpAddr {
        match self {
            Resolution::AwsService { address, .. }
            | Resolution::PrivateDnsName(address)
            | Resolution::PublicDnsName(address)
            | Resolution::Literal(address) => *address,
        }
    }
}

/// Reads the address out of `ip-10-0-1-5.<suffix>` or `ec2-54-1-2-3.<suffix>`.
fn dashed_address(label: &str, prefix: &str) -> Option<Ipv4Addr> {
    let rest = label.strip_prefix(prefix)?;
    let parts: Vec<u8> = rest
        .split('-')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    match parts.as_slice() {
        [a, b, c, d] => Some(Ipv4Addr::new(*a, *b, *c, *d)),
        _ => None,
    }
}

impl Lab {
    /// Resolves `name` as the Amazon DNS server of `vpc` would (or as public DNS would,
    /// for `None`). A VPC with `enableDnsSupport` off resolves nothing; EC2 host names
    /// resolve only where `enableDnsHostnames` is on.
    pub fn resolve(&self, vpc: Option<&VpcId>, name: &str) -> Option<Resolution> {
        if let Ok(ip) = name.parse::<IpAddr>() {
            return Some(Resolution::Literal(ip));
        }
        let vpc = match vpc {
            Some(id) => Some(self.vpc(id.as_str())?),
            None => None,
        };
        if vpc.is_some_and(|v| !v.enable_dns_support) {
            return None;
        }
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        if let Some(s) = parse_service_host(&name) {
            return Some(Resolution::AwsService {
                service: s.service.name,
                region: s.region,
                address: s.service.public_address(s.region),
            });
        }
        let (first, suffix) = name.split_once('.')?;
        if let Some(ip) = dashed_address(first, "ip-") {
            let vpc = vpc.filter(|v| v.enable_dns_hostnames)?;
            let ok = suffix == vpc.region.info().private_dns_suffix
                && self.eni_by_private_ip(&vpc.id, IpAddr::V4(ip)).is_some();
            return ok.then_some(Resolution::PrivateDnsName(IpAddr::V4(ip)));
        }
        if let Some(ip) = dashed_address(first, "ec2-") {
            let eni = self.eni_by_public_ip(ip)?;
            let region = eni.region;
            let expected = Lab::public_dns_name(region, ip);
            if expected != name {
                return None;
            }
            // Inside the instance's own VPC (with host names on), AWS answers the private
            // address; everywhere else, the public one.
            return Some(match vpc {
                Some(v) if v.id == eni.vpc_id && v.enable_dns_hostnames => {
                    let private = eni.private_ip_for_public(ip).unwrap_or(ip);
                    Resolution::PublicDnsName(IpAddr::V4(private))
                }
                _ => Resolution::PublicDnsName(IpAddr::V4(ip)),
            });
        }
        None
    }
}
