//! Name resolution as the Amazon DNS server of a VPC answers it (or as the public
//! internet does, when no VPC is given).

use std::net::{IpAddr, Ipv4Addr};

use crate::aws_service::parse_service_host;
use crate::ids::{VpcEndpointId, VpcId};
use crate::lab::Lab;
use crate::vpc_endpoint::dns_name_matches;
use crate::{Vpc, VpcEndpoint};

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
    /// An interface endpoint's address: one of its own names
    /// (`vpce-…-x1y2z3w4.sts.us-east-1.vpce.amazonaws.com`, or
    /// `vpce-…-x1y2z3w4.vpce-svc-….us-east-1.vpce.amazonaws.com` for an endpoint service,
    /// answered anywhere, as AWS's public DNS does), or, inside its VPC with private DNS
    /// on, the service's own name (`sts.us-east-1.amazonaws.com`, or an endpoint service's
    /// verified private DNS name, which answers nowhere else).
    InterfaceEndpoint {
        /// The endpoint.
        endpoint: VpcEndpointId,
        /// The address of one of its network interfaces: the zone's for a zonal name,
        /// else the first.
        address: IpAddr,
    },
}

impl Resolution {
    /// The address the name resolved to.
    pub fn address(&self) -> IpAddr {
        match self {
            Resolution::AwsService { address, .. }
            | Resolution::PrivateDnsName(address)
            | Resolution::PublicDnsName(address)
            | Resolution::Literal(address)
            | Resolution::InterfaceEndpoint { address, .. } => *address,
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
    /// An interface endpoint's regional or zonal name (`[*.]vpce-<id>-<suffix>[-<zone>].
    /// <service>.<region>.vpce.amazonaws.com`): its zone's interface for a zonal name, its
    /// first for the regional one.
    fn resolve_endpoint_name(&self, name: &str) -> Option<Resolution> {
        let rest = name.strip_suffix(".vpce.amazonaws.com")?;
        let label = rest.split('.').find(|l| l.starts_with("vpce-"))?;
        let hex = label.strip_prefix("vpce-")?.split('-').next()?;
        let e = self
            .vpc_endpoints
            .get(format!("vpce-{hex}").as_str())
            .filter(|e| e.is_interface())?;
        // The entries are the regional name, then one zonal name per subnet in order.
        let k = e
            .dns_entries
            .iter()
            .take(1 + e.subnet_ids.len())
            .position(|d| dns_name_matches(&d.dns_name, name))?;
        let addresses = self.vpc_endpoint_addresses(e);
        let address = match k {
            0 => addresses.first(),
            zonal => addresses.get(zonal - 1),
        }?;
        Some(Resolution::InterfaceEndpoint {
            endpoint: e.id.clone(),
            address: *address,
        })
    }

    /// The interface endpoint of `vpc` whose private DNS holds `name`.
    fn private_dns_endpoint(&self, vpc: &Vpc, name: &str) -> Option<&VpcEndpoint> {
        self.vpc_endpoints.values().find(|e| {
            e.vpc_id == vpc.id
                && e.is_interface()
                && e.answers_private_dns_in_vpc()
                && e.private_dns_names()
                    .iter()
                    .any(|p| dns_name_matches(p, name))
        })
    }

    /// Resolves `name` as the Amazon DNS server of `vpc` would (or as public DNS would,
    /// for `None`). A VPC with `enableDnsSupport` off resolves nothing; EC2 host names
    /// resolve only where `enableDnsHostnames` is on. Interface endpoints' own names
    /// resolve everywhere; the names an endpoint's private DNS holds resolve to it only
    /// inside its VPC (with host names on), and publicly everywhere else.
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
        if let Some(r) = self.resolve_endpoint_name(&name) {
            return Some(r);
        }
        // AWS: an interface endpoint's private hosted zone answers inside its VPC, where
        // DNS support and host names are both on.
        if let Some(v) = vpc.filter(|v| v.enable_dns_hostnames)
            && let Some(e) = self.private_dns_endpoint(v, &name)
        {
            let address = self.vpc_endpoint_addresses(e).into_iter().next()?;
            return Some(Resolution::InterfaceEndpoint {
                endpoint: e.id.clone(),
                address,
            });
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        AccountId, Caller, CreateSubnet, CreateVpc, CreateVpcEndpoint, ModifyVpcEndpoint, Region,
        SubnetId, Timestamp, VpcAttribute,
    };

    struct World {
        lab: Lab,
        c: Caller,
        vpc: VpcId,
        other: VpcId,
        a: SubnetId,
        b: SubnetId,
    }

    fn subnet(lab: &mut Lab, c: &Caller, vpc: &VpcId, cidr: &str, az: &str) -> SubnetId {
        lab.create_subnet(
            c,
            CreateSubnet {
                vpc_id: vpc.to_string(),
                cidr_block: cidr.into(),
                availability_zone: Some(az.into()),
                ..CreateSubnet::default()
            },
        )
        .unwrap()
    }

    fn vpc(lab: &mut Lab, c: &Caller, cidr: &str) -> VpcId {
        let v = lab
            .create_vpc(
                c,
                CreateVpc {
                    cidr_block: cidr.into(),
                    ..CreateVpc::default()
                },
            )
            .unwrap();
        lab.modify_vpc_attribute(c, v.as_str(), VpcAttribute::EnableDnsHostnames(true))
            .unwrap();
        v
    }

    /// A VPC with DNS support and host names on and subnets in two zones, and a second VPC.
    fn world() -> World {
        let c = Caller::new(
            AccountId::parse("111111111111").unwrap(),
            Region::default_region(),
            Timestamp(1_700_000_000_000),
        );
        let mut lab = Lab::new(7);
        lab.add_account_without_default_vpcs(&c.account);
        let v = vpc(&mut lab, &c, "10.0.0.0/16");
        let other = vpc(&mut lab, &c, "10.1.0.0/16");
        let a = subnet(&mut lab, &c, &v, "10.0.1.0/24", "us-east-1a");
        let b = subnet(&mut lab, &c, &v, "10.0.2.0/24", "us-east-1b");
        World {
            lab,
            c,
            vpc: v,
            other,
            a,
            b,
        }
    }

    fn interface(w: &mut World, service: &str, private_dns: Option<bool>) -> VpcEndpointId {
        w.lab
            .create_vpc_endpoint(
                &w.c,
                CreateVpcEndpoint {
                    vpc_id: w.vpc.to_string(),
                    service_name: format!("com.amazonaws.us-east-1.{service}"),
                    vpc_endpoint_type: Some("Interface".into()),
                    subnet_ids: vec![w.a.to_string(), w.b.to_string()],
                    private_dns_enabled: private_dns,
                    ..CreateVpcEndpoint::default()
                },
            )
            .unwrap()
    }

    fn eni_ips(lab: &Lab, e: &VpcEndpointId) -> Vec<IpAddr> {
        lab.vpc_endpoint_addresses(lab.vpc_endpoint(e.as_str()).unwrap())
    }

    #[test]
    fn private_dns_answers_the_service_name_with_the_endpoint_inside_its_vpc_only() {
        let mut w = world();
        let e = interface(&mut w, "sts", None);
        let ips = eni_ips(&w.lab, &e);
        assert_eq!(ips.len(), 2);
        let name = "sts.us-east-1.amazonaws.com";
        assert_eq!(
            w.lab.resolve(Some(&w.vpc), name),
            Some(Resolution::InterfaceEndpoint {
                endpoint: e.clone(),
                address: ips[0],
            })
        );
        // Another VPC and the public internet still get the public address.
        for vpc in [Some(&w.other), None] {
            assert!(matches!(
                w.lab.resolve(vpc, name),
                Some(Resolution::AwsService { service: "sts", .. })
            ));
        }
        // Without host names, the private hosted zone does not answer.
        w.lab
            .modify_vpc_attribute(
                &w.c,
                w.vpc.as_str(),
                VpcAttribute::EnableDnsHostnames(false),
            )
            .unwrap();
        assert!(matches!(
            w.lab.resolve(Some(&w.vpc), name),
            Some(Resolution::AwsService { .. })
        ));
    }

    #[test]
    fn private_dns_off_leaves_the_public_name_public() {
        let mut w = world();
        let e = interface(&mut w, "sts", Some(false));
        assert!(matches!(
            w.lab.resolve(Some(&w.vpc), "sts.us-east-1.amazonaws.com"),
            Some(Resolution::AwsService { .. })
        ));
        w.lab
            .modify_vpc_endpoint(
                &w.c,
                e.as_str(),
                ModifyVpcEndpoint {
                    private_dns_enabled: Some(true),
                    ..ModifyVpcEndpoint::default()
                },
            )
            .unwrap();
        assert_eq!(
            w.lab
                .resolve(Some(&w.vpc), "STS.us-east-1.amazonaws.com.")
                .map(|r| r.address()),
            eni_ips(&w.lab, &e).first().copied()
        );
    }

    #[test]
    fn endpoint_names_resolve_anywhere_zonal_names_to_their_zone() {
        let mut w = world();
        let e = interface(&mut w, "sts", Some(false));
        let ips = eni_ips(&w.lab, &e);
        let entries = w.lab.vpc_endpoint(e.as_str()).unwrap().dns_entries.clone();
        let (regional, zonal_a, zonal_b) = (
            &entries[0].dns_name,
            &entries[1].dns_name,
            &entries[2].dns_name,
        );
        assert!(zonal_b.contains("-us-east-1b.sts.us-east-1.vpce.amazonaws.com"));
        for vpc in [None, Some(&w.vpc), Some(&w.other)] {
            assert_eq!(
                w.lab.resolve(vpc, regional).map(|r| r.address()),
                Some(ips[0])
            );
            assert_eq!(
                w.lab.resolve(vpc, zonal_a).map(|r| r.address()),
                Some(ips[0])
            );
            assert_eq!(
                w.lab.resolve(vpc, zonal_b).map(|r| r.address()),
                Some(ips[1])
            );
        }
        // A made-up suffix or zone is no name at all.
        let wrong = regional.replacen(
            &w.lab.vpc_endpoint(e.as_str()).unwrap().dns_suffix,
            "zzzzzzzz",
            1,
        );
        assert_eq!(w.lab.resolve(None, &wrong), None);
        // Gone with the endpoint.
        assert!(
            w.lab
                .delete_vpc_endpoints(&w.c, &[e.to_string()])
                .is_empty()
        );
        assert_eq!(w.lab.resolve(None, regional), None);
    }

    #[test]
    fn s3_private_dns_covers_buckets_and_its_vpce_names_are_wildcards() {
        let mut w = world();
        // S3's interface endpoints keep private DNS off unless asked.
        let e = interface(&mut w, "s3", None);
        let ep = w.lab.vpc_endpoint(e.as_str()).unwrap().clone();
        assert!(!ep.private_dns_enabled);
        assert!(ep.dns_entries[0].dns_name.starts_with("*.vpce-"));
        let ips = eni_ips(&w.lab, &e);
        let bucket_name = ep.dns_entries[0].dns_name.replacen('*', "bucket", 1);
        assert_eq!(
            w.lab.resolve(None, &bucket_name).map(|r| r.address()),
            Some(ips[0])
        );
        // The wildcard needs a label before it.
        assert_eq!(w.lab.resolve(None, &ep.dns_entries[0].dns_name[2..]), None);
        assert!(matches!(
            w.lab
                .resolve(Some(&w.vpc), "my-bucket.s3.us-east-1.amazonaws.com"),
            Some(Resolution::AwsService { service: "s3", .. })
        ));
        // All the way private (no inbound-resolver-only option): every S3 name in the VPC.
        w.lab
            .modify_vpc_endpoint(
                &w.c,
                e.as_str(),
                ModifyVpcEndpoint {
                    private_dns_enabled: Some(true),
                    dns_options: Some(crate::DnsOptionsSpecification {
                        private_dns_only_for_inbound_resolver_endpoint: Some(false),
                        ..Default::default()
                    }),
                    ..ModifyVpcEndpoint::default()
                },
            )
            .unwrap();
        for name in [
            "s3.us-east-1.amazonaws.com",
            "my-bucket.s3.us-east-1.amazonaws.com",
            "my.dotted.bucket.s3.us-east-1.amazonaws.com",
            "s3-control.us-east-1.amazonaws.com",
        ] {
            assert_eq!(
                w.lab.resolve(Some(&w.vpc), name),
                Some(Resolution::InterfaceEndpoint {
                    endpoint: e.clone(),
                    address: ips[0]
                }),
                "{name}"
            );
        }
        // The legacy global name is not covered (AWS: not supported by PrivateLink).
        assert!(matches!(
            w.lab.resolve(Some(&w.vpc), "s3.amazonaws.com"),
            Some(Resolution::AwsService { .. })
        ));
    }

    #[test]
    fn inbound_resolver_only_private_dns_leaves_in_vpc_queries_to_the_gateway() {
        let mut w = world();
        w.lab
            .create_vpc_endpoint(
                &w.c,
                CreateVpcEndpoint {
                    vpc_id: w.vpc.to_string(),
                    service_name: "com.amazonaws.us-east-1.s3".into(),
                    ..CreateVpcEndpoint::default()
                },
            )
            .unwrap();
        let e = interface(&mut w, "s3", Some(true));
        let ep = w.lab.vpc_endpoint(e.as_str()).unwrap();
        assert_eq!(
            ep.dns_options
                .as_ref()
                .and_then(|o| o.private_dns_only_for_inbound_resolver_endpoint),
            Some(true)
        );
        assert!(!ep.answers_private_dns_in_vpc());
        assert!(matches!(
            w.lab
                .resolve(Some(&w.vpc), "bucket.s3.us-east-1.amazonaws.com"),
            Some(Resolution::AwsService { .. })
        ));
    }

    #[test]
    fn endpoint_by_eni_address_finds_the_endpoint_behind_an_answer() {
        let mut w = world();
        let e = interface(&mut w, "sts", None);
        let ip = w
            .lab
            .resolve(Some(&w.vpc), "sts.us-east-1.amazonaws.com")
            .unwrap()
            .address();
        assert_eq!(
            w.lab.endpoint_by_eni_address(&w.vpc, ip).map(|e| &e.id),
            Some(&e)
        );
        assert_eq!(w.lab.endpoint_by_eni_address(&w.other, ip), None);
    }
}
