//! Route tables: CreateRouteTable, DescribeRouteTables, DeleteRouteTable,
//! Associate/DisassociateRouteTable, ReplaceRouteTableAssociation, and routes
//! (CreateRoute, ReplaceRoute, DeleteRoute).

use vpclab_model::{
    AssociationTarget, Caller, Kind, Lab, Operation, Outcome, Route, RouteDestination, RouteOrigin,
    RouteSpec, RouteState, RouteTable, RouteTableAssociation, RouteTableId, RouteTarget,
};

use super::describe::{
    Filters, check_ids, flag, ids_or_page, is_tag_filter, one, page, tag_filter, tag_set, wanted,
};
use super::shapes;
use super::tags::from_specs;
use super::wire::{FromQuery, Query};
use super::{Handler, Plan};
use crate::error::ApiError;

/// The actions of this module.
pub const ACTIONS: &[(&str, Handler)] = &[
    ("CreateRouteTable", create_route_table),
    ("DescribeRouteTables", describe_route_tables),
    ("DeleteRouteTable", delete_route_table),
    ("AssociateRouteTable", associate_route_table),
    ("DisassociateRouteTable", disassociate_route_table),
    (
        "ReplaceRouteTableAssociation",
        replace_route_table_association,
    ),
    ("CreateRoute", create_route),
    ("ReplaceRoute", replace_route),
    ("DeleteRoute", delete_route),
];

/// Checks `MaxResults` against an action's own bounds, for the Describe actions whose
/// upper bound is not [`page`]'s 1000 (DescribeRouteTables: 5–100,
/// DescribeEgressOnlyInternetGateways: 5–255, as botocore's model gives them).
pub fn check_max_results(max_results: Option<i32>, min: i32, max: i32) -> Result<(), ApiError> {
    match max_results {
        Some(n) if !(min..=max).contains(&n) => Err(ApiError::invalid_value(format!(
            "Value ( {n} ) for parameter maxResults is invalid. Parameter must be between {min} and {max}."
        ))),
        _ => Ok(()),
    }
}

fn association_state() -> Option<shapes::RouteTableAssociationState> {
    Some(shapes::RouteTableAssociationState {
        state: Some("associated".into()),
        status_message: None,
    })
}

fn association_shape(rt: &RouteTable, a: &RouteTableAssociation) -> shapes::RouteTableAssociation {
    let (main, subnet_id) = match &a.target {
        AssociationTarget::Main => (true, None),
        AssociationTarget::Subnet(s) => (false, Some(s.to_string())),
    };
    shapes::RouteTableAssociation {
        main: Some(main),
        route_table_association_id: Some(a.id.to_string()),
        route_table_id: Some(rt.id.to_string()),
        subnet_id,
        association_state: association_state(),
        ..Default::default()
    }
}

fn origin(route: &Route) -> &'static str {
    match route.origin {
        RouteOrigin::CreateRouteTable => "CreateRouteTable",
        RouteOrigin::CreateRoute => "CreateRoute",
    }
}

fn route_state(lab: &Lab, rt: &RouteTable, route: &Route) -> &'static str {
    match lab.route_state(rt, route) {
        RouteState::Active => "active",
        RouteState::Blackhole => "blackhole",
    }
}

/// A route as the wire shows it: its destination in the field of its kind, and its
/// target in the field of the target's kind. AWS shows the local route, internet
/// gateways and gateway endpoints all as `GatewayId`, and a route to an interface
/// attached to an instance with the instance and its owner too.
pub fn route_shape(lab: &Lab, rt: &RouteTable, route: &Route) -> shapes::Route {
    let mut out = shapes::Route {
        origin: Some(origin(route).into()),
        state: Some(route_state(lab, rt, route).into()),
        ..Default::default()
    };
    match &route.destination {
        RouteDestination::Cidr(ipnet::IpNet::V4(c)) => {
            out.destination_cidr_block = Some(c.to_string())
        }
        RouteDestination::Cidr(ipnet::IpNet::V6(c)) => {
            out.destination_ipv6_cidr_block = Some(c.to_string())
        }
        RouteDestination::PrefixList(p) => out.destination_prefix_list_id = Some(p.to_string()),
    }
    match &route.target {
        RouteTarget::Local => out.gateway_id = Some("local".into()),
        RouteTarget::InternetGateway(id) => out.gateway_id = Some(id.to_string()),
        RouteTarget::VpcEndpoint(id) => out.gateway_id = Some(id.to_string()),
        RouteTarget::EgressOnlyInternetGateway(id) => {
            out.egress_only_internet_gateway_id = Some(id.to_string())
        }
        RouteTarget::NatGateway(id) => out.nat_gateway_id = Some(id.to_string()),
        RouteTarget::VpcPeeringConnection(id) => {
            out.vpc_peering_connection_id = Some(id.to_string())
        }
        RouteTarget::NetworkInterface(id) => {
            out.network_interface_id = Some(id.to_string());
            if let Some(instance) = lab
                .network_interface(id.as_str())
                .and_then(|eni| lab.instance_of(eni))
            {
                out.instance_id = Some(instance.id.to_string());
                out.instance_owner_id = Some(instance.owner_id.to_string());
            }
        }
    }
    out
}

/// A route table as the wire shows it.
pub fn route_table_shape(lab: &Lab, rt: &RouteTable) -> shapes::RouteTable {
    shapes::RouteTable {
        route_table_id: Some(rt.id.to_string()),
        vpc_id: Some(rt.vpc_id.to_string()),
        owner_id: Some(rt.owner_id.to_string()),
        routes: Some(rt.routes.iter().map(|r| route_shape(lab, rt, r)).collect()),
        associations: Some(
            rt.associations
                .iter()
                .map(|a| association_shape(rt, a))
                .collect(),
        ),
        // The lab has no virtual private gateways, so nothing propagates.
        propagating_vgws: Some(Vec::new()),
        tags: tag_set(&rt.tags),
    }
}

/// DescribeRouteTables' filters (AWS's documented names).
const ROUTE_TABLE_FILTERS: &[&str] = &[
    "association.gateway-id",
    "association.route-table-association-id",
    "association.route-table-id",
    "association.subnet-id",
    "association.main",
    "owner-id",
    "route-table-id",
    "route.destination-cidr-block",
    "route.destination-ipv6-cidr-block",
    "route.destination-prefix-list-id",
    "route.egress-only-internet-gateway-id",
    "route.gateway-id",
    "route.instance-id",
    "route.nat-gateway-id",
    "route.transit-gateway-id",
    "route.origin",
    "route.state",
    "route.vpc-peering-connection-id",
    "vpc-id",
];

/// A route table's values for DescribeRouteTables' filters: the association and route
/// filters collect the values of every association and every route (a table matches when
/// any of them does).
fn route_table_filter(lab: &Lab, rt: &RouteTable, name: &str) -> Option<Vec<String>> {
    let routes = || rt.routes.iter().map(|r| route_shape(lab, rt, r));
    let from_routes = |field: fn(shapes::Route) -> Option<String>| {
        Some(routes().filter_map(field).collect::<Vec<_>>())
    };
    let assocs = || rt.associations.iter();
    match name {
        // The lab has no gateway (edge) associations.
        "association.gateway-id" => Some(Vec::new()),
        "association.route-table-association-id" => {
            Some(assocs().map(|a| a.id.to_string()).collect())
        }
        "association.route-table-id" => Some(assocs().map(|_| rt.id.to_string()).collect()),
        "association.subnet-id" => Some(
            assocs()
                .filter_map(|a| match &a.target {
                    AssociationTarget::Subnet(s) => Some(s.to_string()),
                    AssociationTarget::Main => None,
                })
                .collect(),
        ),
        // AWS: "Route tables that do not have an association ID are not returned": a
        // table without associations has no value for `association.main`.
        "association.main" => Some(
            assocs()
                .filter_map(|a| flag(a.target == AssociationTarget::Main))
                .flatten()
                .collect(),
        ),
        "owner-id" => one(&rt.owner_id),
        "route-table-id" => one(&rt.id),
        "route.destination-cidr-block" => from_routes(|r| r.destination_cidr_block),
        "route.destination-ipv6-cidr-block" => from_routes(|r| r.destination_ipv6_cidr_block),
        "route.destination-prefix-list-id" => from_routes(|r| r.destination_prefix_list_id),
        "route.egress-only-internet-gateway-id" => {
            from_routes(|r| r.egress_only_internet_gateway_id)
        }
        "route.gateway-id" => from_routes(|r| r.gateway_id),
        "route.instance-id" => from_routes(|r| r.instance_id),
        "route.nat-gateway-id" => from_routes(|r| r.nat_gateway_id),
        "route.transit-gateway-id" => from_routes(|r| r.transit_gateway_id),
        "route.origin" => from_routes(|r| r.origin),
        "route.state" => from_routes(|r| r.state),
        "route.vpc-peering-connection-id" => from_routes(|r| r.vpc_peering_connection_id),
        "vpc-id" => one(&rt.vpc_id),
        other => tag_filter(&rt.tags, other),
    }
}

fn create_route_table(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::CreateRouteTableRequest::from_query(q, "")?;
    let client_token = req.client_token.clone();
    let op = Operation::CreateRouteTable {
        vpc_id: req.vpc_id,
        tags: from_specs(&req.tag_specifications, "route-table")?,
    };
    Ok(Plan::write(op, move |lab, outcome| {
        let route_table = match &outcome {
            Outcome::Created(id) => lab.route_table(id).map(|rt| route_table_shape(lab, rt)),
            _ => None,
        };
        Ok(shapes::CreateRouteTableResult {
            route_table,
            client_token,
        })
    }))
}

fn describe_route_tables(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DescribeRouteTablesRequest::from_query(q, "")?;
    ids_or_page(&req.route_table_ids, req.max_results, "routeTableIds")?;
    check_max_results(req.max_results, 5, 100)?;
    let filters = Filters::new(&req.filters);
    filters.check(|n| ROUTE_TABLE_FILTERS.contains(&n) || is_tag_filter(n))?;
    let caller = caller.clone();
    Ok(Plan::read(move |lab| {
        let mine = |r: &&RouteTable| r.owner_id == caller.account && r.region == caller.region;
        check_ids(
            &req.route_table_ids,
            Kind::RouteTable,
            |id| RouteTableId::parse(id).is_some(),
            |id| lab.route_table(id).is_some_and(|r| mine(&r)),
        )?;
        let found = filters.keep(
            lab.route_tables()
                .filter(mine)
                .filter(|r| wanted(&req.route_table_ids, r.id.as_str())),
            |rt, name| route_table_filter(lab, rt, name),
        )?;
        let (tables, next_token) = page(found, req.max_results, &req.next_token, 5)?;
        Ok(shapes::DescribeRouteTablesResult {
            route_tables: Some(
                tables
                    .into_iter()
                    .map(|rt| route_table_shape(lab, rt))
                    .collect(),
            ),
            next_token,
        })
    }))
}

fn delete_route_table(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DeleteRouteTableRequest::from_query(q, "")?;
    Ok(Plan::write_returning_true(Operation::DeleteRouteTable {
        route_table_id: req.route_table_id,
    }))
}

fn associate_route_table(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::AssociateRouteTableRequest::from_query(q, "")?;
    if req.gateway_id.is_some() || req.public_ipv4_pool.is_some() {
        return Err(ApiError::invalid_value(
            "Gateway route tables (GatewayId, PublicIpv4Pool) are not served by the lab; associate a subnet.",
        ));
    }
    let subnet_id = req.subnet_id.ok_or_else(|| {
        ApiError::new(
            "MissingParameter",
            "The request must contain the parameter SubnetId or GatewayId",
        )
    })?;
    let op = Operation::AssociateRouteTable {
        route_table_id: req.route_table_id,
        subnet_id,
    };
    Ok(Plan::write(op, |_, outcome| {
        let Outcome::Created(association_id) = outcome else {
            return Err(ApiError::internal("no association was made"));
        };
        Ok(shapes::AssociateRouteTableResult {
            association_id: Some(association_id),
            association_state: association_state(),
        })
    }))
}

fn disassociate_route_table(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DisassociateRouteTableRequest::from_query(q, "")?;
    Ok(Plan::write_returning_true(
        Operation::DisassociateRouteTable {
            association_id: req.association_id,
        },
    ))
}

fn replace_route_table_association(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::ReplaceRouteTableAssociationRequest::from_query(q, "")?;
    let op = Operation::ReplaceRouteTableAssociation {
        association_id: req.association_id,
        route_table_id: req.route_table_id,
    };
    Ok(Plan::write(op, |_, outcome| {
        let Outcome::Created(new_association_id) = outcome else {
            return Err(ApiError::internal("no association was made"));
        };
        Ok(shapes::ReplaceRouteTableAssociationResult {
            new_association_id: Some(new_association_id),
            association_state: association_state(),
        })
    }))
}

/// The targets AWS offers that the lab does not model, named so the refusal says which.
fn refuse_unmodelled_targets(targets: &[(&Option<String>, &str)]) -> Result<(), ApiError> {
    match targets.iter().find(|(v, _)| v.is_some()) {
        Some((_, name)) => Err(ApiError::invalid_value(format!(
            "Route targets of type {name} are not served by the lab."
        ))),
        None => Ok(()),
    }
}

fn create_route(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::CreateRouteRequest::from_query(q, "")?;
    refuse_unmodelled_targets(&[
        (&req.transit_gateway_id, "TransitGatewayId"),
        (&req.local_gateway_id, "LocalGatewayId"),
        (&req.carrier_gateway_id, "CarrierGatewayId"),
        (&req.core_network_arn, "CoreNetworkArn"),
        (&req.odb_network_arn, "OdbNetworkArn"),
    ])?;
    let spec = RouteSpec {
        destination_cidr_block: req.destination_cidr_block,
        destination_ipv6_cidr_block: req.destination_ipv6_cidr_block,
        destination_prefix_list_id: req.destination_prefix_list_id,
        gateway_id: req.gateway_id,
        egress_only_internet_gateway_id: req.egress_only_internet_gateway_id,
        nat_gateway_id: req.nat_gateway_id,
        network_interface_id: req.network_interface_id,
        instance_id: req.instance_id,
        vpc_peering_connection_id: req.vpc_peering_connection_id,
        vpc_endpoint_id: req.vpc_endpoint_id,
        local_target: false,
    };
    Ok(Plan::write_returning_true(Operation::CreateRoute {
        route_table_id: req.route_table_id,
        spec,
    }))
}

fn replace_route(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::ReplaceRouteRequest::from_query(q, "")?;
    refuse_unmodelled_targets(&[
        (&req.transit_gateway_id, "TransitGatewayId"),
        (&req.local_gateway_id, "LocalGatewayId"),
        (&req.carrier_gateway_id, "CarrierGatewayId"),
        (&req.core_network_arn, "CoreNetworkArn"),
        (&req.odb_network_arn, "OdbNetworkArn"),
    ])?;
    let spec = RouteSpec {
        destination_cidr_block: req.destination_cidr_block,
        destination_ipv6_cidr_block: req.destination_ipv6_cidr_block,
        destination_prefix_list_id: req.destination_prefix_list_id,
        gateway_id: req.gateway_id,
        egress_only_internet_gateway_id: req.egress_only_internet_gateway_id,
        nat_gateway_id: req.nat_gateway_id,
        network_interface_id: req.network_interface_id,
        instance_id: req.instance_id,
        vpc_peering_connection_id: req.vpc_peering_connection_id,
        vpc_endpoint_id: req.vpc_endpoint_id,
        local_target: req.local_target == Some(true),
    };
    Ok(Plan::write_returning_true(Operation::ReplaceRoute {
        route_table_id: req.route_table_id,
        spec,
    }))
}

fn delete_route(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DeleteRouteRequest::from_query(q, "")?;
    let spec = RouteSpec {
        destination_cidr_block: req.destination_cidr_block,
        destination_ipv6_cidr_block: req.destination_ipv6_cidr_block,
        destination_prefix_list_id: req.destination_prefix_list_id,
        ..Default::default()
    };
    Ok(Plan::write_returning_true(Operation::DeleteRoute {
        route_table_id: req.route_table_id,
        spec,
    }))
}

#[cfg(test)]
mod tests {
    use vpclab_model::{AccountId, CreateVpc, Region, Tags, Timestamp};

    use super::*;

    fn caller() -> Caller {
        Caller::new(
            AccountId::parse("000000000000").unwrap(),
            Region::default_region(),
            Timestamp(0),
        )
    }

    /// A VPC with a main table, one more table with a route to an attached gateway.
    fn lab() -> (Lab, String, String, String) {
        let c = caller();
        let mut lab = Lab::new(1);
        lab.add_account_without_default_vpcs(&c.account);
        let vpc = lab
            .create_vpc(
                &c,
                CreateVpc {
                    cidr_block: "10.0.0.0/16".into(),
                    ..Default::default()
                },
            )
            .unwrap();
        let rtb = lab
            .create_route_table(&c, vpc.as_str(), Tags::new())
            .unwrap();
        let igw = lab.create_internet_gateway(&c, Tags::new()).unwrap();
        lab.attach_internet_gateway(&c, igw.as_str(), vpc.as_str())
            .unwrap();
        let mut spec = RouteSpec::to("0.0.0.0/0");
        spec.gateway_id = Some(igw.to_string());
        lab.create_route(&c, rtb.as_str(), &spec).unwrap();
        (lab, vpc.to_string(), rtb.to_string(), igw.to_string())
    }

    #[test]
    fn local_and_gateway_routes_show_as_gateway_ids_with_origin_and_state() {
        let (mut lab, vpc, rtb, igw) = lab();
        let shape = |lab: &Lab| {
            let rt = lab.route_table(&rtb).unwrap();
            route_table_shape(lab, rt).routes.unwrap_or_default()
        };
        let routes = shape(&lab);
        let summary: Vec<_> = routes
            .iter()
            .map(|r| {
                (
                    r.destination_cidr_block.as_deref(),
                    r.gateway_id.as_deref(),
                    r.origin.as_deref(),
                    r.state.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    Some("10.0.0.0/16"),
                    Some("local"),
                    Some("CreateRouteTable"),
                    Some("active")
                ),
                (
                    Some("0.0.0.0/0"),
                    Some(igw.as_str()),
                    Some("CreateRoute"),
                    Some("active")
                ),
            ]
        );
        lab.detach_internet_gateway(&caller(), &igw, &vpc).unwrap();
        assert_eq!(shape(&lab)[1].state.as_deref(), Some("blackhole"));
    }

    #[test]
    fn association_main_has_no_value_for_a_table_without_associations() {
        let (lab, vpc, rtb, _) = lab();
        let main = lab
            .main_route_table(&vpclab_model::VpcId::new_unchecked(vpc))
            .unwrap();
        assert_eq!(
            route_table_filter(&lab, main, "association.main"),
            Some(vec!["true".to_owned()])
        );
        let lone = lab.route_table(&rtb).unwrap();
        assert_eq!(
            route_table_filter(&lab, lone, "association.main"),
            Some(Vec::new())
        );
        assert_eq!(route_table_filter(&lab, lone, "route.target"), None);
    }

    #[test]
    fn max_results_bounds_are_the_actions_own() {
        assert!(check_max_results(Some(100), 5, 100).is_ok());
        assert!(check_max_results(None, 5, 100).is_ok());
        for n in [4, 101] {
            let e = check_max_results(Some(n), 5, 100).unwrap_err();
            assert_eq!(e.code, "InvalidParameterValue");
            assert!(e.message.contains("between 5 and 100"), "{}", e.message);
        }
    }

    #[test]
    fn targets_the_lab_does_not_model_are_refused_by_name() {
        let q = Query::from_pairs([
            ("RouteTableId", "rtb-12345678"),
            ("DestinationCidrBlock", "0.0.0.0/0"),
            ("TransitGatewayId", "tgw-12345678"),
        ]);
        let Err(e) = create_route(&caller(), &q) else {
            panic!("accepted a transit gateway target")
        };
        assert_eq!(e.code, "InvalidParameterValue");
        assert!(e.message.contains("TransitGatewayId"), "{}", e.message);
    }
}
