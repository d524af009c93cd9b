//! Tags: CreateTags, DeleteTags, DescribeTags, and `TagSpecification.N` on creates.

use vpclab_model::{Caller, Lab, Operation, Owned, TagFilter, Tags};

use super::describe::{Filters, one, page};
use super::shapes;
use super::wire::FromQuery;
use super::wire::Query;
use super::{Handler, Plan};
use crate::error::ApiError;

/// The actions of this module.
pub const ACTIONS: &[(&str, Handler)] = &[
    ("CreateTags", create_tags),
    ("DeleteTags", delete_tags),
    ("DescribeTags", describe_tags),
];

/// The tags of a create's `TagSpecification.N` for `resource_type` (`vpc`, `subnet`, …).
/// AWS refuses a specification for another type of resource.
pub fn from_specs(
    specs: &Option<Vec<shapes::TagSpecification>>,
    resource_type: &str,
) -> Result<Tags, ApiError> {
    let mut tags = Tags::new();
    for spec in specs.iter().flatten() {
        let kind = spec.resource_type.as_deref().unwrap_or("");
        if kind != resource_type {
            return Err(ApiError::invalid_value(format!(
                "'{kind}' is not a valid taggable resource type for this operation."
            )));
        }
        for t in spec.tags.iter().flatten() {
            tags.insert(
                t.key.clone().unwrap_or_default(),
                t.value.clone().unwrap_or_default(),
            );
        }
    }
    vpclab_model::validate_tags(&tags)?;
    Ok(tags)
}

fn create_tags(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::CreateTagsRequest::from_query(q, "")?;
    let tags: Tags = req
        .tags
        .iter()
        .map(|t| {
            (
                t.key.clone().unwrap_or_default(),
                t.value.clone().unwrap_or_default(),
            )
        })
        .collect();
    Ok(Plan::write_returning_true(Operation::CreateTags {
        resource_ids: req.resources,
        tags,
    }))
}

fn delete_tags(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DeleteTagsRequest::from_query(q, "")?;
    let keys = req
        .tags
        .iter()
        .flatten()
        .map(|t| TagFilter {
            key: t.key.clone().unwrap_or_default(),
            value: t.value.clone(),
        })
        .collect();
    Ok(Plan::write_returning_true(Operation::DeleteTags {
        resource_ids: req.resources,
        keys,
    }))
}

const TAG_FILTERS: &[&str] = &["key", "resource-id", "resource-type", "value"];

fn describe_tags(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DescribeTagsRequest::from_query(q, "")?;
    let filters = Filters::new(&req.filters);
    filters.check(|n| TAG_FILTERS.contains(&n))?;
    let caller = caller.clone();
    Ok(Plan::read(move |lab| {
        let mut out = Vec::new();
        for (id, kind, tags) in tagged(lab, &caller) {
            for (k, v) in tags {
                let keep = filters.matches(|name| match name {
                    "key" => one(k),
                    "value" => one(v),
                    "resource-id" => one(&id),
                    "resource-type" => one(kind),
                    _ => None,
                })?;
                if keep {
                    out.push(shapes::TagDescription {
                        key: Some(k.clone()),
                        value: Some(v.clone()),
                        resource_id: Some(id.clone()),
                        resource_type: Some(kind.to_owned()),
                    });
                }
            }
        }
        let (tags, next_token) = page(out, req.max_results, &req.next_token, 5)?;
        Ok(shapes::DescribeTagsResult {
            tags: Some(tags),
            next_token,
        })
    }))
}

/// Every resource of the caller's that can carry tags, with AWS's resource type name.
fn tagged<'a>(lab: &'a Lab, caller: &Caller) -> Vec<(String, &'static str, &'a Tags)> {
    fn mine<T: Owned>(caller: &Caller, r: &T) -> bool {
        r.owner() == &caller.account && r.region() == caller.region
    }
    let mut out: Vec<(String, &'static str, &'a Tags)> = Vec::new();
    macro_rules! collect {
        ($($iter:ident, $kind:literal, $id:ident;)*) => {$(
            out.extend(lab.$iter().filter(|r| mine(caller, *r)).map(|r| (r.$id.to_string(), $kind, &r.tags)));
        )*};
    }
    collect! {
        vpcs, "vpc", id;
        subnets, "subnet", id;
        route_tables, "route-table", id;
        internet_gateways, "internet-gateway", id;
        egress_only_internet_gateways, "egress-only-internet-gateway", id;
        addresses, "elastic-ip", allocation_id;
        nat_gateways, "natgateway", id;
        network_interfaces, "network-interface", id;
        instances, "instance", id;
        security_groups, "security-group", id;
        network_acls, "network-acl", id;
        prefix_lists, "prefix-list", id;
        vpc_endpoints, "vpc-endpoint", id;
        vpc_endpoint_services, "vpc-endpoint-service", id;
        vpc_peering_connections, "vpc-peering-connection", id;
        flow_logs, "vpc-flow-log", id;
        network_insights_paths, "network-insights-path", id;
        network_insights_analyses, "network-insights-analysis", id;
    }
    out.retain(|(_, _, tags)| !tags.is_empty());
    out
}
