//! The AWS services a VPC can reach: their names, their public address ranges in each
//! region, and which kinds of VPC endpoint serve them.
//!
//! S3 and DynamoDB use AWS's real prefix-list ids and CIDRs where they are known (from
//! real `describe-prefix-lists` captures); other regions and services get consistent
//! made-up ranges inside AWS-like space, one per region and service.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::OnceLock;

use ipnet::{IpNet, Ipv4Net};

use crate::region::Region;

/// One AWS service the lab knows.
#[derive(Debug)]
pub struct AwsService {
    /// The short name in `com.amazonaws.<region>.<name>`: `s3`, `sts`, `ecr.api`.
    pub name: &'static str,
    /// Whether a gateway VPC endpoint serves it (only S3 and DynamoDB).
    pub gateway: bool,
    /// Whether an interface VPC endpoint serves it.
    pub interface: bool,
}

/// The services of every region's catalogue (`DescribeVpcEndpointServices`), in AWS's order.
pub static SERVICES: &[AwsService] = &[
    AwsService {
        name: "athena",
        gateway: false,
        interface: true,
    },
    AwsService {
        name: "autoscaling",
        gateway: false,
        interface: true,
    },
    AwsService {
        name: "cloudformation",
        gateway: false,
        interface: true,
    },
    AwsService {
        name: "cloudtrail",
        gateway: false,
        interface: true,
    },
    AwsService {
        name: "codebuild",
        gateway: false,
        interface: true,
    },
    AwsService {
        name: "dynamodb",
        gateway: true,
        interface: true,
    },
    AwsService {
        name: "ec2",
        gateway: false,
        interface: true,
    },
    AwsService {
        name: "ec2messages",
        gateway: false,
        interface: true,
    },
    AwsService {
        name: "ecr.api",
        gateway: false,
        interface: true,
    },
    AwsService {
        name: "ecr.dkr",
        gateway: false,
        interface: true,
    },
    AwsService {
        name: "ecs",
        gateway: false,
        interface: true,
    },
    AwsService {
        name: "elasticloadbalancing",
        gateway: false,
        interface: true,
    },
    AwsService {
        name: "events",
        gateway: false,
        interface: true,
    },
    AwsService {
        name: "execute-api",
        gateway: false,
        interface: true,
    },
    AwsService {
        name: "kms",
        gateway: false,
        interface: true,
    },
    AwsService {
        name: "lambda",
        gateway: false,
        interface: true,
    },
    AwsService {
        name: "logs",
        gateway: false,
        interface: true,
    },
    AwsService {
        name: "monitoring",
        gateway: false,
        interface: true,
    },
    AwsService {
        name: "s3",
        gateway: true,
        interface: true,
    },
    AwsService {
        name: "secretsmanager",
        gateway: false,
        interface: true,
    },
    AwsService {
        name: "sns",
        gateway: false,
        interface: true,
    },
    AwsService {
        name: "sqs",
        gateway: false,
        interface: true,
    },
    AwsService {
        name: "ssm",
        gateway: false,
        interface: true,
    },
    AwsService {
        name: "ssmmessages",
        gateway: false,
        interface: true,
    },
    AwsService {
        name: "sts",
        gateway: false,
        interface: true,
    },
];

impl AwsService {
    /// The service called `name` (`s3`).
    pub fn find(name: &str) -> Option<&'static AwsService> {
        SERVICES.iter().find(|s| s.name == name)
    }

    /// `com.amazonaws.<region>.<name>`.
    pub fn service_name(&self, region: Region) -> String {
        format!("com.amazonaws.{}.{}", region.name(), self.name)
    }

    /// The service named `com.amazonaws.<region>.<name>`, with its region.
    pub fn from_service_name(service_name: &str) -> Option<(Region, &'static AwsService)> {
        let rest = service_name.strip_prefix("com.amazonaws.")?;
        let (region, name) = rest.split_once('.')?;
        Some((Region::find(region)?, AwsService::find(name)?))
    }

    /// The service's public address ranges in `region`.
    pub fn cidrs(&self, region: Region) -> Vec<Ipv4Net> {
        if let Some(known) = known_prefix_list(region, self.name) {
            return known.cidrs.iter().filter_map(|c| c.parse().ok()).collect();
        }
        let k = SERVICES
            .iter()
            .position(|s| s.name == self.name)
            .unwrap_or(0) as u8;
        // Made up: 18.<200 + region>.<service>.0/24 — AWS space, one block per service.
        let net = Ipv4Net::new(Ipv4Addr::new(18, 200 + region.info().index, k, 0), 24);
        net.into_iter().collect()
    }

    /// The address the service's public name resolves to in `region`: the first usable
    /// address of its first range, so it always lies inside the service's prefix list.
    pub fn public_address(&self, region: Region) -> IpAddr {
        let first = self.cidrs(region).into_iter().next().unwrap_or_default();
        let base = u32::from(first.network());
        IpAddr::V4(Ipv4Addr::from(base.saturating_add(10)))
    }

    /// The service's part of its endpoint DNS names: the short name with its labels
    /// reversed, as AWS spells it (`sts`, `api.ecr` for `ecr.api`, `dkr.ecr` for `ecr.dkr`).
    pub fn endpoint_label(&self) -> String {
        self.name.rsplit('.').collect::<Vec<_>>().join(".")
    }

    /// The zones whose subnets an interface endpoint for the service may use. The lab's
    /// catalogue offers every AWS service in every zone of the region.
    pub fn availability_zones(&self, region: Region) -> Vec<crate::AvailabilityZone> {
        region.zones().collect()
    }

    /// The names an interface endpoint's private DNS takes over in its VPC (AWS's
    /// `PrivateDnsNames`): the service's regional name, and for S3 its bucket, control and
    /// access-point names (AWS: "Regional bucket endpoints, control endpoints, access point
    /// endpoints"). A leading `*.` stands for any labels before the rest.
    pub fn private_dns_names(&self, region: Region) -> Vec<String> {
        let r = region.name();
        match self.name {
            "s3" => ["s3", "s3-control", "s3-accesspoint"]
                .iter()
                .flat_map(|n| {
                    [
                        format!("{n}.{r}.amazonaws.com"),
                        format!("*.{n}.{r}.amazonaws.com"),
                    ]
                })
                .collect(),
            // Names with one label per registry or API: AWS's records are wildcards.
            "ecr.dkr" | "execute-api" => {
                vec![format!("*.{}.{r}.amazonaws.com", self.endpoint_label())]
            }
            _ => vec![format!("{}.{r}.amazonaws.com", self.endpoint_label())],
        }
    }

    /// The AWS-managed prefix list's id for this service in `region` (gateway services only).
    pub fn prefix_list_id(&self, region: Region) -> Option<String> {
        if !self.gateway {
            return None;
        }
        Some(match known_prefix_list(region, self.name) {
            Some(known) => known.id.to_owned(),
            None => format!(
                "pl-{:08x}",
                fnv1a(self.service_name(region).as_bytes()) as u32
            ),
        })
    }
}

/// AWS's real prefix lists, as `describe-prefix-lists` printed them in real accounts.
struct KnownPrefixList {
    region: &'static str,
    service: &'static str,
    id: &'static str,
    cidrs: &'static [&'static str],
}

static KNOWN_PREFIX_LISTS: &[KnownPrefixList] = &[
    KnownPrefixList {
        region: "us-east-1",
        service: "s3",
        id: "pl-63a5400a",
        cidrs: &[
            "54.231.0.0/17",
            "52.216.0.0/15",
            "3.5.16.0/21",
            "3.5.0.0/20",
        ],
    },
    KnownPrefixList {
        region: "us-east-1",
        service: "dynamodb",
        id: "pl-02cd2c6b",
        cidrs: &["52.94.0.0/22", "52.119.224.0/20"],
    },
    KnownPrefixList {
        region: "us-east-2",
        service: "s3",
        id: "pl-7ba54012",
        cidrs: &[
            "52.219.80.0/20",
            "3.5.128.0/21",
            "52.219.96.0/20",
            "52.92.76.0/22",
        ],
    },
    KnownPrefixList {
        region: "us-east-2",
        service: "dynamodb",
        id: "pl-4ca54025",
        cidrs: &["52.94.4.0/24"],
    },
    KnownPrefixList {
        region: "us-west-2",
        service: "s3",
        id: "pl-68a54001",
        cidrs: &["54.231.160.0/19", "52.218.128.0/17", "52.92.32.0/22"],
    },
    KnownPrefixList {
        region: "us-west-2",
        service: "dynamodb",
        id: "pl-00a54069",
        cidrs: &["52.94.28.0/23", "52.94.10.0/24"],
    },
];

fn known_prefix_list(region: Region, service: &str) -> Option<&'static KnownPrefixList> {
    KNOWN_PREFIX_LISTS
        .iter()
        .find(|k| k.region == region.name() && k.service == service)
}

/// 64-bit FNV-1a: a fixed, dependency-free hash for made-up but stable ids.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Which AWS service in which region owns `ip`, if any.
pub fn service_at(ip: IpAddr) -> Option<(Region, &'static AwsService)> {
    let IpAddr::V4(v4) = ip else { return None };
    service_ranges()
        .iter()
        .find(|(net, _, _)| net.contains(&v4))
        .map(|(_, region, service)| (*region, *service))
}

/// Every service range of every region, computed once: the data plane asks for each flow.
fn service_ranges() -> &'static [(Ipv4Net, Region, &'static AwsService)] {
    static TABLE: OnceLock<Vec<(Ipv4Net, Region, &'static AwsService)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        Region::all()
            .flat_map(|r| {
                SERVICES
                    .iter()
                    .flat_map(move |s| s.cidrs(r).into_iter().map(move |c| (c, r, s)))
            })
            .collect()
    })
}

/// An AWS service host name resolved to its service and region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceName {
    /// The region the name is served from.
    pub region: Region,
    /// The service.
    pub service: &'static AwsService,
    /// For S3 virtual-hosted names (`<bucket>.s3.<region>.amazonaws.com`), the bucket.
    pub bucket: Option<String>,
}

impl PartialEq for AwsService {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}
impl Eq for AwsService {}

/// Reads an AWS service host name: `s3.us-east-1.amazonaws.com`, `s3.amazonaws.com`
/// (us-east-1), `bucket.s3.us-west-2.amazonaws.com`, `s3.dualstack.<region>.amazonaws.com`,
/// `sts.amazonaws.com` (the global endpoint, served from us-east-1), `<service>.<region>.amazonaws.com`.
pub fn parse_service_host(host: &str) -> Option<ServiceName> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let rest = host.strip_suffix(".amazonaws.com")?;
    let labels: Vec<&str> = rest.split('.').collect();
    let us_east_1 = Region::default_region();
    // Find the service label: the rightmost label that names a service, so that bucket
    // names with dots before `s3` stay part of the bucket.
    let (service_at, service) = labels.iter().enumerate().rev().find_map(|(i, l)| {
        let two = labels.get(i + 1).map(|next| format!("{l}.{next}"));
        two.as_deref()
            .and_then(AwsService::find)
            .or_else(|| AwsService::find(l))
            .map(|s| (i, s))
    })?;
    let after = &labels[service_at + service.name.split('.').count()..];
    let region = match after {
        [] => us_east_1,
        ["dualstack"] => us_east_1,
        ["dualstack", r] | [r] => Region::find(r)?,
        _ => return None,
    };
    let bucket = (service_at > 0).then(|| labels[..service_at].join("."));
    if bucket.is_some() && service.name != "s3" {
        return None;
    }
    Some(ServiceName {
        region,
        service,
        bucket,
    })
}

/// The prefix-list CIDRs as generic networks.
pub fn cidrs_as_ipnets(cidrs: &[Ipv4Net]) -> Vec<IpNet> {
    cidrs.iter().copied().map(IpNet::V4).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(name: &str) -> Region {
        Region::find(name).unwrap()
    }

    #[test]
    fn s3_in_us_east_1_uses_aws_real_prefix_list() {
        let s3 = AwsService::find("s3").unwrap();
        assert_eq!(
            s3.prefix_list_id(region("us-east-1")).as_deref(),
            Some("pl-63a5400a")
        );
        assert!(
            s3.cidrs(region("us-east-1"))
                .contains(&"52.216.0.0/15".parse().unwrap())
        );
        assert_eq!(
            AwsService::find("sts")
                .unwrap()
                .prefix_list_id(region("us-east-1")),
            None
        );
    }

    #[test]
    fn made_up_prefix_lists_are_stable_and_distinct() {
        let s3 = AwsService::find("s3").unwrap();
        let a = s3.prefix_list_id(region("eu-west-1")).unwrap();
        assert_eq!(a, s3.prefix_list_id(region("eu-west-1")).unwrap());
        assert_ne!(a, s3.prefix_list_id(region("eu-central-1")).unwrap());
        assert!(a.starts_with("pl-") && a.len() == 11);
    }

    #[test]
    fn public_address_lies_in_the_service_range_and_maps_back() {
        for r in Region::all() {
            for s in SERVICES {
                let ip = s.public_address(r);
                assert_eq!(
                    service_at(ip).map(|(rr, ss)| (rr, ss.name)),
                    Some((r, s.name))
                );
            }
        }
    }

    #[test]
    fn parses_service_hosts() {
        let n = parse_service_host("s3.us-west-2.amazonaws.com").unwrap();
        assert_eq!(
            (n.region.name(), n.service.name, n.bucket),
            ("us-west-2", "s3", None)
        );
        let n = parse_service_host("s3.amazonaws.com").unwrap();
        assert_eq!(n.region.name(), "us-east-1");
        let n = parse_service_host("my.dotted.bucket.s3.eu-west-1.amazonaws.com").unwrap();
        assert_eq!(n.bucket.as_deref(), Some("my.dotted.bucket"));
        assert_eq!(n.region.name(), "eu-west-1");
        let n = parse_service_host("ecr.api.us-east-2.amazonaws.com").unwrap();
        assert_eq!(n.service.name, "ecr.api");
        let n = parse_service_host("s3.dualstack.us-east-2.amazonaws.com").unwrap();
        assert_eq!(n.region.name(), "us-east-2");
        assert!(parse_service_host("example.com").is_none());
        assert!(parse_service_host("nosuch.us-east-1.amazonaws.com").is_none());
        assert!(parse_service_host("bucket.sts.us-east-1.amazonaws.com").is_none());
    }
}
