//! VPC peering connections: CreateVpcPeeringConnection, AcceptVpcPeeringConnection,
//! RejectVpcPeeringConnection, DeleteVpcPeeringConnection, DescribeVpcPeeringConnections.
//! A connection is visible to both owners, as on AWS; its tags are its requester's.

use vpclab_model::{
    Caller, Lab, Operation, Outcome, PeeringSide, PeeringStatusCode, Timestamp,
    VpcPeeringConnection,
};

use super::describe::{Filters, is_tag_filter, page, tag_filter, tag_set, wanted};
use super::network_interface::{time_text, unserved, wire_time};
use super::shapes;
use super::tags::from_specs;
use super::wire::{FromQuery, Query};
use super::{Handler, Plan};
use crate::error::ApiError;

/// The actions of this module.
pub const ACTIONS: &[(&str, Handler)] = &[
    ("CreateVpcPeeringConnection", create_vpc_peering_connection),
    ("AcceptVpcPeeringConnection", accept_vpc_peering_connection),
    ("RejectVpcPeeringConnection", reject_vpc_peering_connection),
    ("DeleteVpcPeeringConnection", delete_vpc_peering_connection),
    (
        "DescribeVpcPeeringConnections",
        describe_vpc_peering_connections,
    ),
];

/// Whether `caller` may see the connection: either side's owner, in its region.
fn visible(caller: &Caller, p: &VpcPeeringConnection) -> bool {
    p.region == caller.region
        && (p.requester.owner_id == caller.account || p.accepter.owner_id == caller.account)
}

/// The status message for a code the clock has moved on (an overdue request reads as
/// expired before the lab records it).
fn status_message(p: &VpcPeeringConnection, code: PeeringStatusCode) -> String {
    if code == p.status.code {
        p.status.message.clone()
    } else {
        "Expired".to_owned()
    }
}

/// One side as the wire shows it. AWS: "CIDR block information is only returned when
/// describing an active VPC peering connection" — for the accepter; the requester's
/// blocks are shown from the request on.
fn side(
    lab: &Lab,
    s: &PeeringSide,
    with_cidrs: bool,
    active: bool,
) -> shapes::VpcPeeringConnectionVpcInfo {
    let vpc = lab.vpc(s.vpc_id.as_str()).filter(|_| with_cidrs);
    let v6: Vec<shapes::Ipv6CidrBlock> = vpc
        .map(|v| {
            v.ipv6_cidr_block_associations
                .iter()
                .map(|b| shapes::Ipv6CidrBlock {
                    ipv6_cidr_block: Some(b.cidr.to_string()),
                })
                .collect()
        })
        .unwrap_or_default();
    shapes::VpcPeeringConnectionVpcInfo {
        cidr_block: vpc.map(|v| v.cidr_block().to_string()),
        cidr_block_set: vpc.map(|v| {
            v.cidr_block_associations
                .iter()
                .map(|b| shapes::CidrBlock {
                    cidr_block: Some(b.cidr.to_string()),
                })
                .collect()
        }),
        ipv6_cidr_block_set: (!v6.is_empty()).then_some(v6),
        owner_id: Some(s.owner_id.to_string()),
        peering_options: active.then(|| shapes::VpcPeeringConnectionOptionsDescription {
            allow_dns_resolution_from_remote_vpc: Some(false),
            allow_egress_from_local_classic_link_to_remote_vpc: Some(false),
            allow_egress_from_local_vpc_to_remote_classic_link: Some(false),
            ..Default::default()
        }),
        vpc_id: Some(s.vpc_id.to_string()),
        region: Some(s.region.name().into()),
    }
}

/// A peering connection as `caller` sees it at `now`.
pub fn peering_shape(
    lab: &Lab,
    caller: &Caller,
    p: &VpcPeeringConnection,
    now: Timestamp,
) -> shapes::VpcPeeringConnection {
    let code = p.status_at(now);
    let active = code == PeeringStatusCode::Active;
    shapes::VpcPeeringConnection {
        accepter_vpc_info: Some(side(lab, &p.accepter, active, active)),
        expiration_time: p.expiration_time.map(wire_time),
        requester_vpc_info: Some(side(lab, &p.requester, true, active)),
        status: Some(shapes::VpcPeeringConnectionStateReason {
            code: Some(code.as_str().into()),
            message: Some(status_message(p, code)),
        }),
        // Tags belong to the account that set them: the requester's are not shown to the
        // accepter.
        tags: if p.owner_id == caller.account {
            tag_set(&p.tags)
        } else {
            None
        },
        vpc_peering_connection_id: Some(p.id.to_string()),
        ..Default::default()
    }
}

/// DescribeVpcPeeringConnections' filters (AWS's documented names).
const PEERING_FILTERS: &[&str] = &[
    "accepter-vpc-info.cidr-block",
    "accepter-vpc-info.owner-id",
    "accepter-vpc-info.vpc-id",
    "expiration-time",
    "requester-vpc-info.cidr-block",
    "requester-vpc-info.owner-id",
    "requester-vpc-info.vpc-id",
    "status-code",
    "status-message",
    "vpc-peering-connection-id",
];

fn peering_filter(
    shape: &shapes::VpcPeeringConnection,
    tags: &vpclab_model::Tags,
    p: &VpcPeeringConnection,
    name: &str,
) -> Option<Vec<String>> {
    let info = |s: &Option<shapes::VpcPeeringConnectionVpcInfo>,
                f: fn(&shapes::VpcPeeringConnectionVpcInfo) -> Vec<String>| {
        s.as_ref().map(f).unwrap_or_default()
    };
    let cidrs = |i: &shapes::VpcPeeringConnectionVpcInfo| -> Vec<String> {
        i.cidr_block_set
            .iter()
            .flatten()
            .filter_map(|b| b.cidr_block.clone())
            .collect()
    };
    let owner = |i: &shapes::VpcPeeringConnectionVpcInfo| i.owner_id.clone().into_iter().collect();
    let vpc = |i: &shapes::VpcPeeringConnectionVpcInfo| i.vpc_id.clone().into_iter().collect();
    let status = shape.status.as_ref();
    Some(match name {
        "accepter-vpc-info.cidr-block" => info(&shape.accepter_vpc_info, cidrs),
        "accepter-vpc-info.owner-id" => info(&shape.accepter_vpc_info, owner),
        "accepter-vpc-info.vpc-id" => info(&shape.accepter_vpc_info, vpc),
        "requester-vpc-info.cidr-block" => info(&shape.requester_vpc_info, cidrs),
        "requester-vpc-info.owner-id" => info(&shape.requester_vpc_info, owner),
        "requester-vpc-info.vpc-id" => info(&shape.requester_vpc_info, vpc),
        "expiration-time" => p.expiration_time.map(time_text).into_iter().collect(),
        "status-code" => status.and_then(|s| s.code.clone()).into_iter().collect(),
        "status-message" => status.and_then(|s| s.message.clone()).into_iter().collect(),
        "vpc-peering-connection-id" => vec![p.id.to_string()],
        other => return tag_filter(tags, other),
    })
}

fn create_vpc_peering_connection(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::CreateVpcPeeringConnectionRequest::from_query(q, "")?;
    unserved(
        &req.requester_peering_connection_options,
        "RequesterPeeringConnectionOptions",
    )?;
    let peer_vpc_id = req.peer_vpc_id.clone().ok_or_else(|| {
        ApiError::new(
            "MissingParameter",
            "The request must contain the parameter PeerVpcId",
        )
    })?;
    let op = Operation::CreateVpcPeeringConnection {
        vpc_id: req.vpc_id,
        peer_vpc_id,
        peer_owner_id: req.peer_owner_id,
        peer_region: req.peer_region,
        tags: from_specs(&req.tag_specifications, "vpc-peering-connection")?,
    };
    let caller = caller.clone();
    Ok(Plan::write(op, move |lab, outcome| {
        Ok(shapes::CreateVpcPeeringConnectionResult {
            vpc_peering_connection: match outcome {
                Outcome::Created(id) => lab
                    .vpc_peering_connection(&id)
                    .map(|p| peering_shape(lab, &caller, p, caller.now)),
                _ => None,
            },
        })
    }))
}

fn accept_vpc_peering_connection(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::AcceptVpcPeeringConnectionRequest::from_query(q, "")?;
    let id = req.vpc_peering_connection_id.clone();
    let op = Operation::AcceptVpcPeeringConnection {
        vpc_peering_connection_id: req.vpc_peering_connection_id,
    };
    let caller = caller.clone();
    Ok(Plan::write(op, move |lab, _| {
        Ok(shapes::AcceptVpcPeeringConnectionResult {
            vpc_peering_connection: lab
                .vpc_peering_connection(&id)
                .map(|p| peering_shape(lab, &caller, p, caller.now)),
        })
    }))
}

fn reject_vpc_peering_connection(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::RejectVpcPeeringConnectionRequest::from_query(q, "")?;
    Ok(Plan::write_returning_true(
        Operation::RejectVpcPeeringConnection {
            vpc_peering_connection_id: req.vpc_peering_connection_id,
        },
    ))
}

fn delete_vpc_peering_connection(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DeleteVpcPeeringConnectionRequest::from_query(q, "")?;
    Ok(Plan::write_returning_true(
        Operation::DeleteVpcPeeringConnection {
            vpc_peering_connection_id: req.vpc_peering_connection_id,
        },
    ))
}

fn describe_vpc_peering_connections(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DescribeVpcPeeringConnectionsRequest::from_query(q, "")?;
    let filters = Filters::new(&req.filters);
    filters.check(|n| PEERING_FILTERS.contains(&n) || is_tag_filter(n))?;
    let caller = caller.clone();
    Ok(Plan::read(move |lab| {
        for id in req.vpc_peering_connection_ids.iter().flatten() {
            lab.visible_peering(&caller, id)?;
        }
        let mut found = Vec::new();
        for p in lab
            .vpc_peering_connections()
            .filter(|p| visible(&caller, p))
            .filter(|p| wanted(&req.vpc_peering_connection_ids, p.id.as_str()))
        {
            let shape = peering_shape(lab, &caller, p, caller.now);
            let tags = if p.owner_id == caller.account {
                p.tags.clone()
            } else {
                vpclab_model::Tags::new()
            };
            if filters.matches(|name| peering_filter(&shape, &tags, p, name))? {
                found.push(shape);
            }
        }
        let (page, next_token) = page(found, req.max_results, &req.next_token, 5)?;
        Ok(shapes::DescribeVpcPeeringConnectionsResult {
            vpc_peering_connections: Some(page),
            next_token,
        })
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use vpclab_model::{AccountId, CreateVpc, Region};

    fn caller(account: &str, now: i64) -> Caller {
        Caller::new(
            AccountId::parse(account).unwrap_or_else(|e| panic!("{e}")),
            Region::default_region(),
            Timestamp(now),
        )
    }

    /// A pending request between two VPCs of `a`'s, made at time 0.
    fn pending(lab: &mut Lab, a: &Caller) -> String {
        let mut vpc = |cidr: &str| {
            lab.create_vpc(
                a,
                CreateVpc {
                    cidr_block: cidr.into(),
                    ..CreateVpc::default()
                },
            )
            .unwrap_or_else(|e| panic!("{e}"))
        };
        let (x, y) = (vpc("10.1.0.0/16"), vpc("10.2.0.0/16"));
        lab.create_vpc_peering_connection(a, x.as_str(), y.as_str(), None, None, Default::default())
            .unwrap_or_else(|e| panic!("{e}"))
            .to_string()
    }

    #[test]
    fn an_overdue_request_reads_as_expired_before_the_clock_records_it() {
        let a = caller("111111111111", 0);
        let mut lab = Lab::new(1);
        lab.add_account_without_default_vpcs(&a.account);
        let id = pending(&mut lab, &a);
        let p = lab
            .vpc_peering_connection(&id)
            .unwrap_or_else(|| unreachable!());
        let now = peering_shape(&lab, &a, p, Timestamp(0));
        let status = now.status.clone().unwrap_or_default();
        assert_eq!(status.code.as_deref(), Some("pending-acceptance"));
        assert!(now.expiration_time.is_some());
        // AWS: a request not accepted within a week expires.
        let week_and_a_bit = Timestamp(7 * 24 * 3600 * 1000 + 1);
        let later = peering_shape(&lab, &a, p, week_and_a_bit);
        let status = later.status.unwrap_or_default();
        assert_eq!(
            (status.code.as_deref(), status.message.as_deref()),
            (Some("expired"), Some("Expired"))
        );
        let tags = vpclab_model::Tags::new();
        let shape = peering_shape(&lab, &a, p, week_and_a_bit);
        assert_eq!(
            peering_filter(&shape, &tags, p, "status-code"),
            Some(vec!["expired".to_owned()])
        );
        // The accepter's blocks stay hidden until the connection is active.
        assert_eq!(
            peering_filter(&shape, &tags, p, "accepter-vpc-info.cidr-block"),
            Some(vec![])
        );
        assert_eq!(
            peering_filter(&shape, &tags, p, "requester-vpc-info.cidr-block"),
            Some(vec!["10.1.0.0/16".to_owned()])
        );
    }

    #[test]
    fn tags_show_only_to_their_owner() {
        let a = caller("111111111111", 0);
        let b = caller("222222222222", 0);
        let mut lab = Lab::new(1);
        lab.add_account_without_default_vpcs(&a.account);
        let id = pending(&mut lab, &a);
        lab.create_tags(
            &a,
            std::slice::from_ref(&id),
            &[("k".to_owned(), "v".to_owned())].into_iter().collect(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let p = lab
            .vpc_peering_connection(&id)
            .unwrap_or_else(|| unreachable!());
        assert!(peering_shape(&lab, &a, p, Timestamp(0)).tags.is_some());
        assert!(peering_shape(&lab, &b, p, Timestamp(0)).tags.is_none());
    }
}
