//! Internet gateways (Create, Attach, Detach, Delete, DescribeInternetGateways) and
//! egress-only internet gateways (Create, Describe, DeleteEgressOnlyInternetGateway).

use vpclab_model::{
    Caller, EgressOnlyInternetGateway, EgressOnlyInternetGatewayId, InternetGateway,
    InternetGatewayId, Kind, Operation, Outcome,
};

use super::describe::{
    Filters, check_ids, ids_or_page, is_tag_filter, one, page, tag_filter, tag_set, wanted,
};
use super::route_table::check_max_results;
use super::shapes;
use super::tags::from_specs;
use super::wire::{FromQuery, Query};
use super::{Handler, Plan};
use crate::error::ApiError;

/// The actions of this module.
pub const ACTIONS: &[(&str, Handler)] = &[
    ("CreateInternetGateway", create_internet_gateway),
    ("AttachInternetGateway", attach_internet_gateway),
    ("DetachInternetGateway", detach_internet_gateway),
    ("DeleteInternetGateway", delete_internet_gateway),
    ("DescribeInternetGateways", describe_internet_gateways),
    (
        "CreateEgressOnlyInternetGateway",
        create_egress_only_internet_gateway,
    ),
    (
        "DescribeEgressOnlyInternetGateways",
        describe_egress_only_internet_gateways,
    ),
    (
        "DeleteEgressOnlyInternetGateway",
        delete_egress_only_internet_gateway,
    ),
];

/// AWS shows an internet gateway's attachment as `available` (not `attached`, which is
/// what an egress-only gateway's attachment says).
const IGW_ATTACHED: &str = "available";
/// An egress-only gateway's attachment state.
const EIGW_ATTACHED: &str = "attached";

/// An internet gateway as the wire shows it; a detached one has an empty attachment set.
pub fn internet_gateway_shape(igw: &InternetGateway) -> shapes::InternetGateway {
    shapes::InternetGateway {
        internet_gateway_id: Some(igw.id.to_string()),
        owner_id: Some(igw.owner_id.to_string()),
        attachments: Some(
            igw.attachment
                .iter()
                .map(|vpc| shapes::InternetGatewayAttachment {
                    state: Some(IGW_ATTACHED.into()),
                    vpc_id: Some(vpc.to_string()),
                })
                .collect(),
        ),
        tags: tag_set(&igw.tags),
    }
}

/// An egress-only internet gateway as the wire shows it: always attached to its VPC.
pub fn egress_only_internet_gateway_shape(
    g: &EgressOnlyInternetGateway,
) -> shapes::EgressOnlyInternetGateway {
    shapes::EgressOnlyInternetGateway {
        egress_only_internet_gateway_id: Some(g.id.to_string()),
        attachments: Some(vec![shapes::InternetGatewayAttachment {
            state: Some(EIGW_ATTACHED.into()),
            vpc_id: Some(g.vpc_id.to_string()),
        }]),
        tags: tag_set(&g.tags),
    }
}

/// DescribeInternetGateways' filters (AWS's documented names).
const IGW_FILTERS: &[&str] = &[
    "attachment.state",
    "attachment.vpc-id",
    "internet-gateway-id",
    "owner-id",
];

fn igw_filter(igw: &InternetGateway, name: &str) -> Option<Vec<String>> {
    match name {
        // AWS: "Present only if a VPC is attached."
        "attachment.state" => Some(igw.attachment.iter().map(|_| IGW_ATTACHED.into()).collect()),
        "attachment.vpc-id" => Some(igw.attachment.iter().map(|v| v.to_string()).collect()),
        "internet-gateway-id" => one(&igw.id),
        "owner-id" => one(&igw.owner_id),
        other => tag_filter(&igw.tags, other),
    }
}

fn create_internet_gateway(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::CreateInternetGatewayRequest::from_query(q, "")?;
    let op = Operation::CreateInternetGateway {
        tags: from_specs(&req.tag_specifications, "internet-gateway")?,
    };
    Ok(Plan::write(op, |lab, outcome| {
        let internet_gateway = match &outcome {
            Outcome::Created(id) => lab.internet_gateway(id).map(internet_gateway_shape),
            _ => None,
        };
        Ok(shapes::CreateInternetGatewayResult { internet_gateway })
    }))
}

fn attach_internet_gateway(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::AttachInternetGatewayRequest::from_query(q, "")?;
    Ok(Plan::write_returning_true(
        Operation::AttachInternetGateway {
            internet_gateway_id: req.internet_gateway_id,
            vpc_id: req.vpc_id,
        },
    ))
}

fn detach_internet_gateway(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DetachInternetGatewayRequest::from_query(q, "")?;
    Ok(Plan::write_returning_true(
        Operation::DetachInternetGateway {
            internet_gateway_id: req.internet_gateway_id,
            vpc_id: req.vpc_id,
        },
    ))
}

fn delete_internet_gateway(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DeleteInternetGatewayRequest::from_query(q, "")?;
    Ok(Plan::write_returning_true(
        Operation::DeleteInternetGateway {
            internet_gateway_id: req.internet_gateway_id,
        },
    ))
}

fn describe_internet_gateways(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DescribeInternetGatewaysRequest::from_query(q, "")?;
    ids_or_page(
        &req.internet_gateway_ids,
        req.max_results,
        "internetGatewayIds",
    )?;
    let filters = Filters::new(&req.filters);
    filters.check(|n| IGW_FILTERS.contains(&n) || is_tag_filter(n))?;
    let caller = caller.clone();
    Ok(Plan::read(move |lab| {
        let mine = |g: &&InternetGateway| g.owner_id == caller.account && g.region == caller.region;
        check_ids(
            &req.internet_gateway_ids,
            Kind::InternetGateway,
            |id| InternetGatewayId::parse(id).is_some(),
            |id| lab.internet_gateway(id).is_some_and(|g| mine(&g)),
        )?;
        let found = filters.keep(
            lab.internet_gateways()
                .filter(mine)
                .filter(|g| wanted(&req.internet_gateway_ids, g.id.as_str())),
            |igw, name| igw_filter(igw, name),
        )?;
        let (igws, next_token) = page(found, req.max_results, &req.next_token, 5)?;
        Ok(shapes::DescribeInternetGatewaysResult {
            internet_gateways: Some(igws.into_iter().map(internet_gateway_shape).collect()),
            next_token,
        })
    }))
}

fn create_egress_only_internet_gateway(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::CreateEgressOnlyInternetGatewayRequest::from_query(q, "")?;
    let client_token = req.client_token.clone();
    let op = Operation::CreateEgressOnlyInternetGateway {
        vpc_id: req.vpc_id,
        tags: from_specs(&req.tag_specifications, "egress-only-internet-gateway")?,
    };
    Ok(Plan::write(op, move |lab, outcome| {
        let egress_only_internet_gateway = match &outcome {
            Outcome::Created(id) => lab
                .egress_only_internet_gateway(id)
                .map(egress_only_internet_gateway_shape),
            _ => None,
        };
        Ok(shapes::CreateEgressOnlyInternetGatewayResult {
            client_token,
            egress_only_internet_gateway,
        })
    }))
}

fn describe_egress_only_internet_gateways(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DescribeEgressOnlyInternetGatewaysRequest::from_query(q, "")?;
    check_max_results(req.max_results, 5, 255)?;
    let filters = Filters::new(&req.filters);
    // AWS documents only the tag filters for this action.
    filters.check(is_tag_filter)?;
    let caller = caller.clone();
    Ok(Plan::read(move |lab| {
        let mine = |g: &&EgressOnlyInternetGateway| {
            g.owner_id == caller.account && g.region == caller.region
        };
        check_ids(
            &req.egress_only_internet_gateway_ids,
            Kind::EgressOnlyInternetGateway,
            |id| EgressOnlyInternetGatewayId::parse(id).is_some(),
            |id| {
                lab.egress_only_internet_gateway(id)
                    .is_some_and(|g| mine(&g))
            },
        )?;
        let found = filters.keep(
            lab.egress_only_internet_gateways()
                .filter(mine)
                .filter(|g| wanted(&req.egress_only_internet_gateway_ids, g.id.as_str())),
            |g, name| tag_filter(&g.tags, name),
        )?;
        let (gateways, next_token) = page(found, req.max_results, &req.next_token, 5)?;
        Ok(shapes::DescribeEgressOnlyInternetGatewaysResult {
            egress_only_internet_gateways: Some(
                gateways
                    .into_iter()
                    .map(egress_only_internet_gateway_shape)
                    .collect(),
            ),
            next_token,
        })
    }))
}

fn delete_egress_only_internet_gateway(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DeleteEgressOnlyInternetGatewayRequest::from_query(q, "")?;
    Ok(Plan::write(
        Operation::DeleteEgressOnlyInternetGateway {
            egress_only_internet_gateway_id: req.egress_only_internet_gateway_id,
        },
        // AWS answers this one with `returnCode`, not `return`.
        |_, _| {
            Ok(shapes::DeleteEgressOnlyInternetGatewayResult {
                return_code: Some(true),
            })
        },
    ))
}
