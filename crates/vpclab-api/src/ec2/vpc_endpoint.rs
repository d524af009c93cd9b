//! VPC endpoints (gateway endpoints, and interface endpoints for AWS's services and for
//! endpoint services): CreateVpcEndpoint, DescribeVpcEndpoints, ModifyVpcEndpoint,
//! DeleteVpcEndpoints, and the services a caller may connect to,
//! DescribeVpcEndpointServices: AWS's catalogue and the endpoint services that admit it.

use vpclab_model::aws_service::{AwsService, SERVICES};
use vpclab_model::{
    Caller, CreateVpcEndpoint, DnsOptionsSpecification, Kind, Lab, ModifyVpcEndpoint, Operation,
    Outcome, Region, VpcEndpoint, VpcEndpointId, VpcEndpointServiceConfiguration,
};
use vpclab_policy::{Policy, PolicyKind};

use super::describe::{Filters, check_ids, is_tag_filter, one, page, tag_filter, tag_set, wanted};
use super::endpoint_service::service_detail_shape;
use super::network_interface::group_identifiers;
use super::shapes;
use super::tags::from_specs;
use super::wire::{FromQuery, Query, Timestamp};
use super::{Handler, Plan};
use crate::error::ApiError;

/// The actions of this module.
pub const ACTIONS: &[(&str, Handler)] = &[
    ("CreateVpcEndpoint", create_vpc_endpoint),
    ("DescribeVpcEndpoints", describe_vpc_endpoints),
    ("ModifyVpcEndpoint", modify_vpc_endpoint),
    ("DeleteVpcEndpoints", delete_vpc_endpoints),
    (
        "DescribeVpcEndpointServices",
        describe_vpc_endpoint_services,
    ),
];

/// A VPC endpoint as the wire shows it. A gateway endpoint shows the empty lists and the
/// `false` flags AWS shows for it (no subnets, groups, interfaces or DNS entries); an
/// interface endpoint its subnets, groups (with their names), interfaces, DNS entries,
/// private DNS, IP address type and DNS options.
pub fn vpc_endpoint_shape(lab: &Lab, e: &VpcEndpoint) -> shapes::VpcEndpoint {
    shapes::VpcEndpoint {
        vpc_endpoint_id: Some(e.id.to_string()),
        vpc_endpoint_type: Some(e.vpc_endpoint_type.as_str().to_owned()),
        vpc_id: Some(e.vpc_id.to_string()),
        service_name: Some(e.service_name.clone()),
        state: Some(e.state.as_str().to_owned()),
        policy_document: Some(e.policy_document.clone()),
        route_table_ids: Some(e.route_table_ids.iter().map(ToString::to_string).collect()),
        subnet_ids: Some(e.subnet_ids.iter().map(ToString::to_string).collect()),
        groups: Some(
            group_identifiers(lab, &e.groups)
                .into_iter()
                .map(|g| shapes::SecurityGroupIdentifier {
                    group_id: g.group_id,
                    group_name: g.group_name,
                })
                .collect(),
        ),
        ip_address_type: e.ip_address_type.clone(),
        dns_options: e.dns_options.as_ref().map(|o| shapes::DnsOptions {
            dns_record_ip_type: Some(o.dns_record_ip_type.clone()),
            private_dns_only_for_inbound_resolver_endpoint: o
                .private_dns_only_for_inbound_resolver_endpoint,
            ..Default::default()
        }),
        private_dns_enabled: Some(e.private_dns_enabled),
        requester_managed: Some(false),
        network_interface_ids: Some(
            e.network_interface_ids
                .iter()
                .map(ToString::to_string)
                .collect(),
        ),
        dns_entries: Some(
            e.dns_entries
                .iter()
                .map(|d| shapes::DnsEntry {
                    dns_name: Some(d.dns_name.clone()),
                    hosted_zone_id: Some(d.hosted_zone_id.clone()),
                })
                .collect(),
        ),
        creation_timestamp: Some(Timestamp(e.creation_timestamp.0)),
        tags: Some(tag_set(&e.tags).unwrap_or_default()),
        owner_id: Some(e.owner_id.to_string()),
        ..Default::default()
    }
}

/// Checks an endpoint policy with `vpclab-policy` before any change. AWS answers a
/// document it cannot use with `InvalidPolicyDocument` ("The Policy Document is not
/// valid. …").
fn check_policy(doc: &Option<String>) -> Result<(), ApiError> {
    if let Some(doc) = doc {
        Policy::parse(doc, PolicyKind::Endpoint).map_err(|e| {
            ApiError::new(
                "InvalidPolicyDocument",
                format!("The Policy Document is not valid. {e}"),
            )
        })?;
    }
    Ok(())
}

/// `SubnetConfigurations` (addresses chosen per subnet) is not served: the lab picks each
/// interface's address.
fn refuse_subnet_configurations<T>(given: &Option<T>) -> Result<(), ApiError> {
    match given {
        Some(_) => Err(ApiError::new(
            "InvalidParameter",
            "Subnet configurations are not served by the lab; it picks each interface's address.",
        )),
        None => Ok(()),
    }
}

/// `DnsOptions` as the model takes it. The private-DNS preferences belong to VPC Lattice
/// endpoints (`ServiceNetwork`, `Resource`), which AWS refuses them without.
fn dns_options(
    given: Option<shapes::DnsOptionsSpecification>,
) -> Result<Option<DnsOptionsSpecification>, ApiError> {
    let Some(o) = given else { return Ok(None) };
    if o.private_dns_preference.is_some() || o.private_dns_specified_domains.is_some() {
        return Err(ApiError::new(
            "InvalidParameter",
            "PrivateDnsPreference and PrivateDnsSpecifiedDomains are only supported for ServiceNetwork and Resource type VPC Endpoints.",
        ));
    }
    Ok(Some(DnsOptionsSpecification {
        dns_record_ip_type: o.dns_record_ip_type,
        private_dns_only_for_inbound_resolver_endpoint: o
            .private_dns_only_for_inbound_resolver_endpoint,
    }))
}

fn create_vpc_endpoint(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::CreateVpcEndpointRequest::from_query(q, "")?;
    let service_name = req.service_name.clone().ok_or_else(|| {
        ApiError::new(
            "MissingParameter",
            "The request must contain the parameter ServiceName",
        )
    })?;
    refuse_subnet_configurations(&req.subnet_configurations)?;
    check_policy(&req.policy_document)?;
    let op = Operation::CreateVpcEndpoint(CreateVpcEndpoint {
        vpc_id: req.vpc_id,
        service_name,
        vpc_endpoint_type: req.vpc_endpoint_type,
        route_table_ids: req.route_table_ids.unwrap_or_default(),
        policy_document: req.policy_document,
        tags: from_specs(&req.tag_specifications, "vpc-endpoint")?,
        subnet_ids: req.subnet_ids.unwrap_or_default(),
        security_group_ids: req.security_group_ids.unwrap_or_default(),
        private_dns_enabled: req.private_dns_enabled,
        dns_options: dns_options(req.dns_options)?,
        ip_address_type: req.ip_address_type,
    });
    let client_token = req.client_token;
    Ok(Plan::write(op, move |lab, outcome| {
        let Outcome::Created(id) = outcome else {
            return Err(ApiError::internal("no endpoint was created"));
        };
        Ok(shapes::CreateVpcEndpointResult {
            vpc_endpoint: lab.vpc_endpoint(&id).map(|e| vpc_endpoint_shape(lab, e)),
            client_token,
        })
    }))
}

/// AWS's documented filters of DescribeVpcEndpoints (tag filters aside).
const VPC_ENDPOINT_FILTERS: &[&str] = &[
    "ip-address-type",
    "service-name",
    "service-region",
    "vpc-id",
    "vpc-endpoint-id",
    "vpc-endpoint-state",
    "vpc-endpoint-type",
];

fn vpc_endpoint_filter(e: &VpcEndpoint, name: &str) -> Option<Vec<String>> {
    match name {
        // A gateway endpoint has no IP address type (it has no interfaces).
        "ip-address-type" => Some(e.ip_address_type.iter().cloned().collect()),
        "service-name" => one(&e.service_name),
        "service-region" => one(e.region.name()),
        "vpc-id" => one(&e.vpc_id),
        "vpc-endpoint-id" => one(&e.id),
        "vpc-endpoint-state" => one(e.state.as_str()),
        "vpc-endpoint-type" => one(e.vpc_endpoint_type.as_str()),
        other => tag_filter(&e.tags, other),
    }
}

/// AWS: "If the value is greater than 1,000, we return only 1,000 items" — the endpoint
/// actions cap `MaxResults` instead of refusing it; below 1 is refused.
pub(crate) fn capped(max_results: Option<i32>) -> Result<Option<i32>, ApiError> {
    match max_results {
        Some(n) if n < 1 => Err(ApiError::invalid_value(format!(
            "Value ( {n} ) for parameter maxResults is invalid. Parameter must be greater than 0."
        ))),
        Some(n) => Ok(Some(n.min(1000))),
        None => Ok(None),
    }
}

fn describe_vpc_endpoints(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DescribeVpcEndpointsRequest::from_query(q, "")?;
    let filters = Filters::new(&req.filters);
    filters.check(|n| VPC_ENDPOINT_FILTERS.contains(&n) || is_tag_filter(n))?;
    let max_results = capped(req.max_results)?;
    let caller = caller.clone();
    Ok(Plan::read(move |lab| {
        let mine = |e: &VpcEndpoint| e.owner_id == caller.account && e.region == caller.region;
        check_ids(
            &req.vpc_endpoint_ids,
            Kind::VpcEndpoint,
            |id| VpcEndpointId::parse(id).is_some(),
            |id| lab.vpc_endpoint(id).is_some_and(mine),
        )?;
        let found = filters.keep(
            lab.vpc_endpoints()
                .filter(|e| mine(e) && wanted(&req.vpc_endpoint_ids, e.id.as_str())),
            |e, name| vpc_endpoint_filter(e, name),
        )?;
        let (endpoints, next_token) = page(found, max_results, &req.next_token, 1)?;
        Ok(shapes::DescribeVpcEndpointsResult {
            vpc_endpoints: Some(
                endpoints
                    .into_iter()
                    .map(|e| vpc_endpoint_shape(lab, e))
                    .collect(),
            ),
            next_token,
        })
    }))
}

fn modify_vpc_endpoint(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::ModifyVpcEndpointRequest::from_query(q, "")?;
    refuse_subnet_configurations(&req.subnet_configurations)?;
    check_policy(&req.policy_document)?;
    Ok(Plan::write(
        Operation::ModifyVpcEndpoint {
            vpc_endpoint_id: req.vpc_endpoint_id,
            change: ModifyVpcEndpoint {
                add_route_table_ids: req.add_route_table_ids.unwrap_or_default(),
                remove_route_table_ids: req.remove_route_table_ids.unwrap_or_default(),
                policy_document: req.policy_document,
                reset_policy: req.reset_policy.unwrap_or(false),
                add_subnet_ids: req.add_subnet_ids.unwrap_or_default(),
                remove_subnet_ids: req.remove_subnet_ids.unwrap_or_default(),
                add_security_group_ids: req.add_security_group_ids.unwrap_or_default(),
                remove_security_group_ids: req.remove_security_group_ids.unwrap_or_default(),
                private_dns_enabled: req.private_dns_enabled,
                dns_options: dns_options(req.dns_options)?,
                ip_address_type: req.ip_address_type,
            },
        },
        |_, _| {
            Ok(shapes::ModifyVpcEndpointResult {
                r#return: Some(true),
            })
        },
    ))
}

fn delete_vpc_endpoints(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DeleteVpcEndpointsRequest::from_query(q, "")?;
    let op = Operation::DeleteVpcEndpoints {
        vpc_endpoint_ids: req.vpc_endpoint_ids,
    };
    Ok(Plan::write(op, |_, outcome| {
        let Outcome::Unsuccessful(failed) = outcome else {
            return Err(ApiError::internal("no deletion was attempted"));
        };
        // AWS answers every id: the ones that failed come back with their error, and an
        // empty `Unsuccessful` means all went.
        Ok(shapes::DeleteVpcEndpointsResult {
            unsuccessful: Some(
                failed
                    .into_iter()
                    .map(|(id, err)| shapes::UnsuccessfulItem {
                        resource_id: Some(id),
                        error: Some(shapes::UnsuccessfulItemError {
                            code: Some(err.code().to_owned()),
                            message: Some(err.to_string()),
                        }),
                    })
                    .collect(),
            ),
        })
    }))
}

/// One entry of DescribeVpcEndpointServices: an entry of AWS's catalogue, or an endpoint
/// service that admits the caller.
enum ServiceEntry<'a> {
    Aws(CatalogueEntry),
    Provided(&'a VpcEndpointServiceConfiguration),
}

impl ServiceEntry<'_> {
    fn service_name(&self) -> String {
        match self {
            ServiceEntry::Aws(e) => e.service_name(),
            ServiceEntry::Provided(s) => s.service_name.clone(),
        }
    }

    fn region(&self) -> Region {
        match self {
            ServiceEntry::Aws(e) => e.region,
            ServiceEntry::Provided(s) => s.region,
        }
    }

    fn filter(&self, caller: &Caller, name: &str) -> Option<Vec<String>> {
        match self {
            ServiceEntry::Aws(e) => e.filter(name),
            ServiceEntry::Provided(s) => match name {
                "owner" => one(&s.owner_id),
                "service-name" => one(&s.service_name),
                "service-region" => one(s.region.name()),
                "service-type" => one(s.service_type()),
                "supported-ip-address-types" => Some(s.supported_ip_address_types.clone()),
                // Its tags are its owner's to see.
                other if s.owner_id == caller.account => tag_filter(&s.tags, other),
                other => tag_filter(&vpclab_model::Tags::new(), other),
            },
        }
    }

    fn detail(&self, lab: &Lab, caller: &Caller) -> shapes::ServiceDetail {
        match self {
            ServiceEntry::Aws(e) => e.detail(),
            ServiceEntry::Provided(s) => service_detail_shape(lab, caller, s),
        }
    }
}

/// One entry of AWS's service catalogue: a service and one endpoint type it offers.
#[derive(Clone, Copy)]
struct CatalogueEntry {
    service: &'static AwsService,
    region: Region,
    gateway: bool,
}

impl CatalogueEntry {
    fn service_name(&self) -> String {
        self.service.service_name(self.region)
    }

    fn service_type(&self) -> &'static str {
        if self.gateway { "Gateway" } else { "Interface" }
    }

    /// AWS's services have ids like any endpoint service; the lab makes up a stable one.
    fn service_id(&self) -> String {
        let h = format!("{}/{}", self.service_name(), self.service_type())
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            });
        format!("vpce-svc-0{:016x}", h)
    }

    /// The names an interface endpoint's private DNS takes over (none for a gateway).
    fn private_dns_names(&self) -> Vec<String> {
        if self.gateway {
            return Vec::new();
        }
        self.service.private_dns_names(self.region)
    }

    /// AWS's single `PrivateDnsName`: the wildcard where the service has one
    /// (`*.s3.us-east-1.amazonaws.com`), else its name.
    fn private_dns_name(&self) -> Option<String> {
        let names = self.private_dns_names();
        names
            .iter()
            .find(|n| n.starts_with("*."))
            .or(names.first())
            .cloned()
    }

    fn detail(&self) -> shapes::ServiceDetail {
        let zones: Vec<_> = self.region.zones().collect();
        let private_dns_name = self.private_dns_name();
        let private_dns_names = self.private_dns_names();
        let base = if self.gateway {
            format!("{}.{}.amazonaws.com", self.service.name, self.region.name())
        } else {
            format!(
                "{}.{}.vpce.amazonaws.com",
                self.service.endpoint_label(),
                self.region.name()
            )
        };
        shapes::ServiceDetail {
            service_name: Some(self.service_name()),
            service_id: Some(self.service_id()),
            service_type: Some(vec![shapes::ServiceTypeDetail {
                service_type: Some(self.service_type().to_owned()),
            }]),
            service_region: Some(self.region.name().to_owned()),
            availability_zones: Some(zones.iter().map(|z| z.name.clone()).collect()),
            availability_zone_ids: Some(zones.iter().map(|z| z.zone_id.clone()).collect()),
            owner: Some("amazon".to_owned()),
            base_endpoint_dns_names: Some(vec![base]),
            private_dns_names: (!private_dns_names.is_empty()).then(|| {
                private_dns_names
                    .into_iter()
                    .map(|n| shapes::PrivateDnsDetails {
                        private_dns_name: Some(n),
                    })
                    .collect()
            }),
            private_dns_name_verification_state: private_dns_name
                .as_ref()
                .map(|_| "verified".to_owned()),
            private_dns_name,
            vpc_endpoint_policy_supported: Some(true),
            acceptance_required: Some(false),
            manages_vpc_endpoints: Some(false),
            tags: Some(Vec::new()),
            supported_ip_address_types: Some(vec!["ipv4".to_owned()]),
            payer_responsibility: None,
        }
    }

    fn filter(&self, name: &str) -> Option<Vec<String>> {
        match name {
            "owner" => one("amazon"),
            "service-name" => one(self.service_name()),
            "service-region" => one(self.region.name()),
            "service-type" => one(self.service_type()),
            "supported-ip-address-types" => one("ipv4"),
            // AWS's services carry no tags.
            other => tag_filter(&vpclab_model::Tags::new(), other),
        }
    }
}

/// The region's catalogue, in `SERVICES` order; a service with both kinds of endpoint
/// appears twice, its gateway entry first.
fn catalogue(region: Region) -> Vec<CatalogueEntry> {
    SERVICES
        .iter()
        .flat_map(|service| {
            [true, false]
                .into_iter()
                .filter(|gateway| {
                    if *gateway {
                        service.gateway
                    } else {
                        service.interface
                    }
                })
                .map(move |gateway| CatalogueEntry {
                    service,
                    region,
                    gateway,
                })
        })
        .collect()
}

const SERVICE_FILTERS: &[&str] = &[
    "owner",
    "service-name",
    "service-region",
    "service-type",
    "supported-ip-address-types",
];

fn describe_vpc_endpoint_services(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DescribeVpcEndpointServicesRequest::from_query(q, "")?;
    let filters = Filters::new(&req.filters);
    filters.check(|n| SERVICE_FILTERS.contains(&n) || is_tag_filter(n))?;
    let max_results = capped(req.max_results)?;
    let caller = caller.clone();
    Ok(Plan::read(move |lab| {
        let all: Vec<ServiceEntry> = catalogue(caller.region)
            .into_iter()
            .map(ServiceEntry::Aws)
            .chain(
                lab.visible_endpoint_services(&caller)
                    .map(ServiceEntry::Provided),
            )
            .collect();
        // AWS: a name that is not in the catalogue (nor a service that admits the caller)
        // is `InvalidServiceName`.
        for name in req.service_names.iter().flatten() {
            if !all.iter().any(|e| &e.service_name() == name) {
                return Err(vpclab_model::Error::InvalidServiceName(name.clone()).into());
            }
        }
        let regions = req.service_regions.as_ref().filter(|r| !r.is_empty());
        let found = filters.keep(
            all.into_iter().filter(|e| {
                wanted(&req.service_names, &e.service_name())
                    && regions.is_none_or(|r| r.iter().any(|r| r == e.region().name()))
            }),
            |e, name| e.filter(&caller, name),
        )?;
        let (entries, next_token) = page(found, max_results, &req.next_token, 1)?;
        let mut names: Vec<String> = Vec::new();
        for e in &entries {
            let n = e.service_name();
            if !names.contains(&n) {
                names.push(n);
            }
        }
        Ok(shapes::DescribeVpcEndpointServicesResult {
            service_names: Some(names),
            service_details: Some(entries.iter().map(|e| e.detail(lab, &caller)).collect()),
            next_token,
        })
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_is_in_the_catalogue_as_gateway_and_interface() {
        let us_east_1 = Region::default_region();
        let s3: Vec<_> = catalogue(us_east_1)
            .into_iter()
            .filter(|e| e.service.name == "s3")
            .collect();
        assert_eq!(
            s3.iter().map(|e| e.service_type()).collect::<Vec<_>>(),
            ["Gateway", "Interface"]
        );
        let gw = s3[0].detail();
        assert_eq!(
            gw.base_endpoint_dns_names,
            Some(vec!["s3.us-east-1.amazonaws.com".to_owned()])
        );
        assert_eq!(gw.private_dns_name, None);
        assert_ne!(s3[0].service_id(), s3[1].service_id());
        // S3's interface endpoints take over its bucket, control and access-point names.
        let interface = s3[1].detail();
        assert_eq!(
            interface.private_dns_name.as_deref(),
            Some("*.s3.us-east-1.amazonaws.com")
        );
        assert_eq!(interface.private_dns_names.map(|n| n.len()), Some(6));
        let ecr = catalogue(us_east_1)
            .into_iter()
            .find(|e| e.service.name == "ecr.api")
            .unwrap()
            .detail();
        assert_eq!(
            ecr.base_endpoint_dns_names,
            Some(vec!["api.ecr.us-east-1.vpce.amazonaws.com".to_owned()])
        );
        let sts = catalogue(us_east_1)
            .into_iter()
            .find(|e| e.service.name == "sts")
            .unwrap()
            .detail();
        assert_eq!(
            sts.private_dns_name.as_deref(),
            Some("sts.us-east-1.amazonaws.com")
        );
        assert_eq!(sts.service_id.unwrap().len(), "vpce-svc-".len() + 17);
    }

    #[test]
    fn policies_are_checked_before_the_change() {
        assert!(check_policy(&None).is_ok());
        assert!(check_policy(&Some(vpclab_model::DEFAULT_GATEWAY_POLICY.to_owned())).is_ok());
        assert_eq!(
            check_policy(&Some("{not json".into())).unwrap_err().code,
            "InvalidPolicyDocument"
        );
        // Endpoint policies need a Principal.
        assert_eq!(
            check_policy(&Some(
                r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#.into()
            ))
            .unwrap_err()
            .code,
            "InvalidPolicyDocument"
        );
    }
}
