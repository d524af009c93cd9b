//! Route tables: routes, the undeletable local routes, associations with subnets and the
//! main association, and the derived `blackhole` state of routes whose target is gone.

use std::fmt;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::cidr::{parse_ipv4_cidr, parse_ipv6_cidr};
use crate::err::{Error, Kind, Result};
use crate::ids::*;
use crate::lab::{Caller, Lab, Tags};
use crate::region::{AccountId, Region};
use crate::tags::{owned, validate_tags};

/// A route table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteTable {
    /// `rtb-…`.
    pub id: RouteTableId,
    /// The owning account.
    pub owner_id: AccountId,
    /// Its region.
    pub region: Region,
    /// Its tags.
    pub tags: Tags,
    /// The VPC it belongs to.
    pub vpc_id: VpcId,
    /// Its routes, in the order they were added (lookup does not depend on order).
    pub routes: Vec<Route>,
    /// Its associations: subnets, and `Main` when it is the VPC's main table.
    pub associations: Vec<RouteTableAssociation>,
}

owned!(RouteTable);

/// One route.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    /// Where the route leads: a CIDR block or a managed prefix list.
    pub destination: RouteDestination,
    /// Where matching traffic goes.
    pub target: RouteTarget,
    /// How it came to be.
    pub origin: RouteOrigin,
}

/// A route's destination.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RouteDestination {
    /// An IPv4 or IPv6 CIDR block.
    Cidr(IpNet),
    /// Every CIDR of a managed prefix list.
    PrefixList(PrefixListId),
}

impl fmt::Display for RouteDestination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteDestination::Cidr(c) => write!(f, "{c}"),
            RouteDestination::PrefixList(p) => write!(f, "{p}"),
        }
    }
}

/// A route's target.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RouteTarget {
    /// The VPC itself.
    Local,
    /// An internet gateway.
    InternetGateway(InternetGatewayId),
    /// An egress-only internet gateway (IPv6).
    EgressOnlyInternetGateway(EgressOnlyInternetGatewayId),
    /// A NAT gateway.
    NatGateway(NatGatewayId),
    /// A gateway VPC endpoint (its routes are managed by the endpoint).
    VpcEndpoint(VpcEndpointId),
    /// A VPC peering connection.
    VpcPeeringConnection(VpcPeeringConnectionId),
    /// A network interface (of an instance, or a middlebox appliance).
    NetworkInterface(NetworkInterfaceId),
}

impl fmt::Display for RouteTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteTarget::Local => f.write_str("local"),
            RouteTarget::InternetGateway(id) => write!(f, "{id}"),
            RouteTarget::EgressOnlyInternetGateway(id) => write!(f, "{id}"),
            RouteTarget::NatGateway(id) => write!(f, "{id}"),
            RouteTarget::VpcEndpoint(id) => write!(f, "{id}"),
            RouteTarget::VpcPeeringConnection(id) => write!(f, "{id}"),
            RouteTarget::NetworkInterface(id) => write!(f, "{id}"),
        }
    }
}

/// How a route came to be (AWS's `Origin`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RouteOrigin {
    /// Made with the table: the local routes.
    CreateRouteTable,
    /// Added by CreateRoute or by a gateway endpoint.
    CreateRoute,
}

/// A route's state: `blackhole` when its target is gone or not usable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RouteState {
    /// Traffic can use it.
    Active,
    /// Its target is gone (deleted NAT, detached IGW, terminated instance, …).
    Blackhole,
}

impl Route {
    /// The local route for one of the VPC's blocks.
    pub fn local(cidr: IpNet) -> Route {
        Route {
            destination: RouteDestination::Cidr(cidr),
            target: RouteTarget::Local,
            origin: RouteOrigin::CreateRouteTable,
        }
    }
}

/// A route table association.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteTableAssociation {
    /// `rtbassoc-…`.
    pub id: RouteTableAssociationId,
    /// What the table is associated with.
    pub target: AssociationTarget,
}

/// What a route table association binds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AssociationTarget {
    /// The table is its VPC's main table.
    Main,
    /// A subnet uses the table.
    Subnet(SubnetId),
}

/// The parameters of CreateRoute and ReplaceRoute, as on the wire.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RouteSpec {
    /// An IPv4 destination.
    pub destination_cidr_block: Option<String>,
    /// An IPv6 destination.
    pub destination_ipv6_cidr_block: Option<String>,
    /// A managed prefix list destination.
    pub destination_prefix_list_id: Option<String>,
    /// An internet gateway (`igw-…`), or `local` (ReplaceRoute only, to restore the local target).
    pub gateway_id: Option<String>,
    /// An egress-only internet gateway.
    pub egress_only_internet_gateway_id: Option<String>,
    /// A NAT gateway.
    pub nat_gateway_id: Option<String>,
    /// A network interface.
    pub network_interface_id: Option<String>,
    /// An instance (its only network interface).
    pub instance_id: Option<String>,
    /// A VPC peering connection.
    pub vpc_peering_connection_id: Option<String>,
    /// A Gateway Load Balancer endpoint.
    pub vpc_endpoint_id: Option<String>,
    /// ReplaceRoute: restore the local target.
    pub local_target: bool,
}

impl RouteSpec {
    /// A spec for `destination` (IPv4, IPv6 or `pl-…`).
    pub fn to(destination: &str) -> RouteSpec {
        let mut spec = RouteSpec::default();
        if destination.starts_with("pl-") {
            spec.destination_prefix_list_id = Some(destination.into());
        } else if destination.contains(':') {
            spec.destination_ipv6_cidr_block = Some(destination.into());
        } else {
            spec.destination_cidr_block = Some(destination.into());
        }
        spec
    }
}

impl Lab {
    /// CreateRouteTable: a table with the VPC's local routes.
    pub fn create_route_table(
        &mut self,
        caller: &Caller,
        vpc_id: &str,
        tags: Tags,
    ) -> Result<RouteTableId> {
        let vpc = Lab::owned(&self.vpcs, caller, Kind::Vpc, vpc_id, VpcId::parse)?
            .id
            .clone();
        validate_tags(&tags)?;
        Ok(self.insert_route_table(caller, &vpc, tags))
    }

    pub(crate) fn insert_route_table(
        &mut self,
        caller: &Caller,
        vpc_id: &VpcId,
        tags: Tags,
    ) -> RouteTableId {
        let id: RouteTableId = self.mint();
        let routes = self
            .vpcs
            .get(vpc_id)
            .map(|v| v.cidrs().map(Route::local).collect())
            .unwrap_or_default();
        self.route_tables.insert(
            id.clone(),
            RouteTable {
                id: id.clone(),
                owner_id: caller.account.clone(),
                region: caller.region,
                tags,
                vpc_id: vpc_id.clone(),
                routes,
                associations: Vec::new(),
            },
        );
        id
    }

    /// DeleteRouteTable: refused for the main table and for a table subnets use.
    pub fn delete_route_table(&mut self, caller: &Caller, route_table_id: &str) -> Result<()> {
        let rt = Lab::owned(
            &self.route_tables,
            caller,
            Kind::RouteTable,
            route_table_id,
            RouteTableId::parse,
        )?;
        if !rt.associations.is_empty() {
            return Err(Error::DependencyViolation(format!(
                "The routeTable '{route_table_id}' has dependencies and cannot be deleted."
            )));
        }
        let id = rt.id.clone();
        for e in self.vpc_endpoints.values_mut() {
            e.route_table_ids.remove(&id);
        }
        self.route_tables.shift_remove(&id);
        Ok(())
    }

    /// AssociateRouteTable: the subnet uses this table instead of the main one.
    pub fn associate_route_table(
        &mut self,
        caller: &Caller,
        route_table_id: &str,
        subnet_id: &str,
    ) -> Result<RouteTableAssociationId> {
        let rt = Lab::owned(
            &self.route_tables,
            caller,
            Kind::RouteTable,
            route_table_id,
            RouteTableId::parse,
        )?;
        let subnet = Lab::owned(
            &self.subnets,
            caller,
            Kind::Subnet,
            subnet_id,
            SubnetId::parse,
        )?;
        if rt.vpc_id != subnet.vpc_id {
            return Err(Error::InvalidParameterValue(format!(
                "Route table {route_table_id} and subnet {subnet_id} belong to different networks"
            )));
        }
        if self.index.subnet_route_table.contains_key(&subnet.id) {
            return Err(Error::AlreadyAssociated(format!(
                "the specified association for route table {route_table_id} conflicts with an existing association"
            )));
        }
        let (rt_id, subnet_id) = (rt.id.clone(), subnet.id.clone());
        let assoc: RouteTableAssociationId = self.mint();
        if let Some(rt) = self.route_tables.get_mut(&rt_id) {
            rt.associations.push(RouteTableAssociation {
                id: assoc.clone(),
                target: AssociationTarget::Subnet(subnet_id.clone()),
            });
        }
        self.index.subnet_route_table.insert(subnet_id, rt_id);
        Ok(assoc)
    }

    /// Finds the caller's route table association `association_id`: (table, association).
    fn find_rtb_association(
        &self,
        caller: &Caller,
        association_id: &str,
    ) -> Result<(RouteTableId, RouteTableAssociation)> {
        if RouteTableAssociationId::parse(association_id).is_none() {
            return Err(Error::Malformed {
                kind: Kind::Association,
                id: association_id.into(),
            });
        }
        self.route_tables
            .values()
            .filter(|rt| rt.owner_id == caller.account && rt.region == caller.region)
            .find_map(|rt| {
                rt.associations
                    .iter()
                    .find(|a| a.id.as_str() == association_id)
                    .map(|a| (rt.id.clone(), a.clone()))
            })
            .ok_or_else(|| Error::not_found(Kind::Association, association_id))
    }

    /// DisassociateRouteTable: the subnet goes back to the main table. The main
    /// association itself cannot be removed.
    pub fn disassociate_route_table(
        &mut self,
        caller: &Caller,
        association_id: &str,
    ) -> Result<()> {
        let (rt_id, assoc) = self.find_rtb_association(caller, association_id)?;
        let AssociationTarget::Subnet(subnet) = assoc.target else {
            return Err(Error::InvalidParameterValue(format!(
                "cannot disassociate the main route table association {association_id}"
            )));
        };
        if let Some(rt) = self.route_tables.get_mut(&rt_id) {
            rt.associations.retain(|a| a.id != assoc.id);
        }
        self.index.subnet_route_table.remove(&subnet);
        Ok(())
    }

    /// ReplaceRouteTableAssociation: points a subnet association (or the main association,
    /// which makes `route_table_id` the VPC's main table) at another table of the same VPC.
    pub fn replace_route_table_association(
        &mut self,
        caller: &Caller,
        association_id: &str,
        route_table_id: &str,
    ) -> Result<RouteTableAssociationId> {
        let (old_rt, assoc) = self.find_rtb_association(caller, association_id)?;
        let new_rt = Lab::owned(
            &self.route_tables,
            caller,
            Kind::RouteTable,
            route_table_id,
            RouteTableId::parse,
        )?;
        let old_vpc = self.route_tables.get(&old_rt).map(|r| r.vpc_id.clone());
        if old_vpc.as_ref() != Some(&new_rt.vpc_id) {
            return Err(Error::InvalidParameterValue(format!(
                "Route table {route_table_id} belongs to a different network than association {association_id}"
            )));
        }
        let (new_rt, vpc) = (new_rt.id.clone(), new_rt.vpc_id.clone());
        let new_assoc: RouteTableAssociationId = self.mint();
        if let Some(rt) = self.route_tables.get_mut(&old_rt) {
            rt.associations.retain(|a| a.id != assoc.id);
        }
        if let Some(rt) = self.route_tables.get_mut(&new_rt) {
            rt.associations.push(RouteTableAssociation {
                id: new_assoc.clone(),
                target: assoc.target.clone(),
            });
        }
        match assoc.target {
            AssociationTarget::Main => self.index.main_route_table.insert(vpc, new_rt),
            AssociationTarget::Subnet(s) => self.index.subnet_route_table.insert(s, new_rt),
        };
        Ok(new_assoc)
    }

    /// CreateRoute.
    pub fn create_route(
        &mut self,
        caller: &Caller,
        route_table_id: &str,
        spec: &RouteSpec,
    ) -> Result<()> {
        // Borrowed, not cloned: a mutation must not copy the table (the benchmark's
        // target is 100 µs for one change in a network of 50,000 interfaces).
        let rt = Lab::owned(
            &self.route_tables,
            caller,
            Kind::RouteTable,
            route_table_id,
            RouteTableId::parse,
        )?;
        let destination = self.route_destination(caller, spec)?;
        if let Some(existing) = rt.routes.iter().find(|r| r.destination == destination) {
            if let RouteTarget::VpcEndpoint(e) = &existing.target {
                return Err(Error::EndpointRouteConflict {
                    route_table: format!("{} (managed by {e})", rt.id),
                    prefix_list: destination.to_string(),
                });
            }
            return Err(Error::RouteAlreadyExists(destination.to_string()));
        }
        let target = self.route_target(caller, rt, &destination, spec, false)?;
        self.check_more_specific_than_local(rt, &destination, &target)?;
        let id = rt.id.clone();
        if let Some(rt) = self.route_tables.get_mut(&id) {
            rt.routes.push(Route {
                destination,
                target,
                origin: RouteOrigin::CreateRoute,
            });
        }
        Ok(())
    }

    /// ReplaceRoute: a new target for an existing route. Local routes take only an
    /// interface (middlebox routing) or `local`; endpoint routes are the endpoint's.
    pub fn replace_route(
        &mut self,
        caller: &Caller,
        route_table_id: &str,
        spec: &RouteSpec,
    ) -> Result<()> {
        let rt = Lab::owned(
            &self.route_tables,
            caller,
            Kind::RouteTable,
            route_table_id,
            RouteTableId::parse,
        )?
        .clone();
        let destination = self.route_destination(caller, spec)?;
        let Some(pos) = rt.routes.iter().position(|r| r.destination == destination) else {
            return Err(Error::InvalidParameterValue(format!(
                "There is no route defined for '{destination}' in the route table. Use CreateRoute instead."
            )));
        };
        let existing = &rt.routes[pos];
        if let RouteTarget::VpcEndpoint(e) = &existing.target {
            return Err(Error::InvalidParameterValue(format!(
                "The route to {destination} in {} is managed by VPC endpoint {e}; change the endpoint's route tables instead.",
                rt.id
            )));
        }
        let target = self.route_target(
            caller,
            &rt,
            &destination,
            spec,
            existing.origin == RouteOrigin::CreateRouteTable,
        )?;
        if existing.origin == RouteOrigin::CreateRouteTable
            && !matches!(
                target,
                RouteTarget::Local | RouteTarget::NetworkInterface(_)
            )
        {
            return Err(Error::InvalidParameterValue(format!(
                "The local route {destination} can only target a network interface or local."
            )));
        }
        if target == RouteTarget::Local && existing.origin != RouteOrigin::CreateRouteTable {
            return Err(Error::InvalidParameterValue(format!(
                "Only a local route can target local; {destination} is not a local route."
            )));
        }
        self.check_more_specific_than_local(&rt, &destination, &target)?;
        if let Some(rt) = self.route_tables.get_mut(&rt.id) {
            rt.routes[pos].target = target;
        }
        Ok(())
    }

    /// DeleteRoute: local routes and endpoint routes cannot be deleted this way.
    pub fn delete_route(
        &mut self,
        caller: &Caller,
        route_table_id: &str,
        spec: &RouteSpec,
    ) -> Result<()> {
        let rt = Lab::owned(
            &self.route_tables,
            caller,
            Kind::RouteTable,
            route_table_id,
            RouteTableId::parse,
        )?
        .clone();
        let destination = self.route_destination(caller, spec)?;
        let Some(pos) = rt.routes.iter().position(|r| r.destination == destination) else {
            return Err(Error::RouteNotFound {
                destination: destination.to_string(),
                route_table: rt.id.to_string(),
            });
        };
        match &rt.routes[pos] {
            r if r.origin == RouteOrigin::CreateRouteTable => {
                return Err(Error::InvalidParameterValue(format!(
                    "cannot remove local route {destination} in route table {}",
                    rt.id
                )));
            }
            Route {
                target: RouteTarget::VpcEndpoint(e),
                ..
            } => {
                return Err(Error::InvalidParameterValue(format!(
                    "The route to {destination} in {} is managed by VPC endpoint {e}; change the endpoint's route tables instead.",
                    rt.id
                )));
            }
            _ => {}
        }
        if let Some(rt) = self.route_tables.get_mut(&rt.id) {
            rt.routes.remove(pos);
        }
        Ok(())
    }

    /// Reads the destination of a route spec: exactly one of the three kinds.
    fn route_destination(&self, caller: &Caller, spec: &RouteSpec) -> Result<RouteDestination> {
        match (&spec.destination_cidr_block, &spec.destination_ipv6_cidr_block, &spec.destination_prefix_list_id) {
            (Some(v4), None, None) => Ok(RouteDestination::Cidr(IpNet::V4(parse_ipv4_cidr("destinationCidrBlock", v4)?))),
            (None, Some(v6), None) => Ok(RouteDestination::Cidr(IpNet::V6(parse_ipv6_cidr("destinationIpv6CidrBlock", v6)?))),
            (None, None, Some(pl)) => {
                let list = self.visible_prefix_list(caller, pl)?;
                Ok(RouteDestination::PrefixList(list.id.clone()))
            }
            (None, None, None) => Err(Error::MissingParameter(
                "destinationCidrBlock, destinationIpv6CidrBlock or destinationPrefixListId".into(),
            )),
            _ => Err(Error::InvalidParameterCombination(
                "Exactly one of destinationCidrBlock, destinationIpv6CidrBlock and destinationPrefixListId may be given.".into(),
            )),
        }
    }

    /// Reads and checks the target of a route spec for table `rt`.
    fn route_target(
        &self,
        caller: &Caller,
        rt: &RouteTable,
        destination: &RouteDestination,
        spec: &RouteSpec,
        replacing_local: bool,
    ) -> Result<RouteTarget> {
        let given: Vec<&str> = [
            spec.gateway_id.as_deref(),
            spec.egress_only_internet_gateway_id.as_deref(),
            spec.nat_gateway_id.as_deref(),
            spec.network_interface_id.as_deref(),
            spec.instance_id.as_deref(),
            spec.vpc_peering_connection_id.as_deref(),
            spec.vpc_endpoint_id.as_deref(),
            spec.local_target.then_some("local"),
        ]
        .into_iter()
        .flatten()
        .collect();
        if given.len() != 1 {
            return Err(if given.is_empty() {
                Error::MissingParameter(
                    "a route target (gatewayId, natGatewayId, networkInterfaceId, …)".into(),
                )
            } else {
                Error::InvalidParameterCombination("Exactly one route target may be given.".into())
            });
        }
        let ipv6_destination = match destination {
            RouteDestination::Cidr(c) => c.addr().is_ipv6(),
            RouteDestination::PrefixList(p) => self
                .prefix_lists
                .get(p)
                .is_some_and(|l| l.address_family == crate::AddressFamily::Ipv6),
        };
        let different_networks = |what: &str| {
            Error::InvalidParameterValue(format!(
                "route table {} and network gateway {what} belong to different networks",
                rt.id
            ))
        };
        if let Some(g) = &spec.gateway_id {
            if g == "local" || spec.local_target {
                if !replacing_local {
                    return Err(Error::InvalidParameterValue(
                        "Only a local route can target local.".into(),
                    ));
                }
                return Ok(RouteTarget::Local);
            }
            if g.starts_with("vpce-") {
                return Err(Error::InvalidParameterValue(format!(
                    "The gateway ID '{g}' is a VPC endpoint: gateway endpoint routes are added by associating the endpoint with the route table (ModifyVpcEndpoint)."
                )));
            }
            if InternetGatewayId::parse(g).is_none() {
                return Err(Error::not_found(Kind::Gateway, g));
            }
            let igw = Lab::owned(
                &self.internet_gateways,
                caller,
                Kind::Gateway,
                g,
                InternetGatewayId::parse,
            )?;
            if igw.attachment.as_ref() != Some(&rt.vpc_id) {
                return Err(different_networks(g));
            }
            return Ok(RouteTarget::InternetGateway(igw.id.clone()));
        }
        if spec.local_target {
            if !replacing_local {
                return Err(Error::InvalidParameterValue(
                    "Only a local route can target local.".into(),
                ));
            }
            return Ok(RouteTarget::Local);
        }
        if let Some(id) = &spec.egress_only_internet_gateway_id {
            let g = Lab::owned(
                &self.egress_only_internet_gateways,
                caller,
                Kind::EgressOnlyInternetGateway,
                id,
                EgressOnlyInternetGatewayId::parse,
            )?;
            if g.vpc_id != rt.vpc_id {
                return Err(different_networks(id));
            }
            if !ipv6_destination {
                return Err(Error::InvalidParameterValue(format!(
                    "Egress-only internet gateway {id} can only be the target of IPv6 routes."
                )));
            }
            return Ok(RouteTarget::EgressOnlyInternetGateway(g.id.clone()));
        }
        if let Some(id) = &spec.nat_gateway_id {
            let nat = Lab::owned(
                &self.nat_gateways,
                caller,
                Kind::NatGatewayTarget,
                id,
                NatGatewayId::parse,
            )?;
            if matches!(
                nat.state,
                crate::NatGatewayState::Deleted
                    | crate::NatGatewayState::Deleting
                    | crate::NatGatewayState::Failed
            ) {
                return Err(Error::not_found(Kind::NatGatewayTarget, id));
            }
            if nat.vpc_id != rt.vpc_id {
                return Err(different_networks(id));
            }
            if ipv6_destination {
                return Err(Error::InvalidParameterValue(format!(
                    "NAT gateway {id} can only be the target of IPv4 routes."
                )));
            }
            return Ok(RouteTarget::NatGateway(nat.id.clone()));
        }
        if let Some(id) = &spec.network_interface_id {
            let eni = Lab::owned(
                &self.network_interfaces,
                caller,
                Kind::NetworkInterface,
                id,
                NetworkInterfaceId::parse,
            )?;
            if eni.vpc_id != rt.vpc_id {
                return Err(Error::InvalidParameterValue(format!(
                    "route table {} and interface {id} belong to different networks",
                    rt.id
                )));
            }
            return Ok(RouteTarget::NetworkInterface(eni.id.clone()));
        }
        if let Some(id) = &spec.instance_id {
            let instance = Lab::owned(
                &self.instances,
                caller,
                Kind::Instance,
                id,
                InstanceId::parse,
            )?;
            let enis: Vec<&crate::NetworkInterface> = self
                .network_interfaces
                .values()
                .filter(|e| {
                    e.attachment
                        .as_ref()
                        .is_some_and(|a| a.instance_id == instance.id)
                })
                .collect();
            return match enis.as_slice() {
                [eni] if eni.vpc_id == rt.vpc_id => {
                    Ok(RouteTarget::NetworkInterface(eni.id.clone()))
                }
                [_] => Err(Error::InvalidParameterValue(format!(
                    "route table {} and instance {id} belong to different networks",
                    rt.id
                ))),
                _ => Err(Error::InvalidParameterValue(format!(
                    "There are multiple interfaces attached to instance '{id}'. Please specify an interface ID for the operation instead."
                ))),
            };
        }
        if let Some(id) = &spec.vpc_peering_connection_id {
            let pcx = self.visible_peering(caller, id)?;
            if pcx.requester.vpc_id != rt.vpc_id && pcx.accepter.vpc_id != rt.vpc_id {
                return Err(Error::InvalidParameterValue(format!(
                    "route table {} and peering connection {id} belong to different networks",
                    rt.id
                )));
            }
            // A route may name a pending or active connection (it is a blackhole until
            // the connection is active), not a finished one — an overdue request included.
            let status = pcx.status_at(caller.now);
            if !matches!(
                status,
                crate::PeeringStatusCode::PendingAcceptance | crate::PeeringStatusCode::Active
            ) {
                return Err(Error::InvalidParameterValue(format!(
                    "The vpc peering connection {id} is in state {}",
                    status.as_str()
                )));
            }
            return Ok(RouteTarget::VpcPeeringConnection(pcx.id.clone()));
        }
        if let Some(id) = &spec.vpc_endpoint_id {
            Lab::owned(
                &self.vpc_endpoints,
                caller,
                Kind::VpcEndpoint,
                id,
                VpcEndpointId::parse,
            )?;
            return Err(Error::InvalidParameterValue(format!(
                "Only Gateway Load Balancer endpoints can be route targets; {id} is not one."
            )));
        }
        Err(Error::MissingParameter("a route target".into()))
    }

    /// AWS: a route to a block as specific as a VPC block (or more) may only target a
    /// network interface (middlebox routing); the VPC's own blocks already have local routes.
    fn check_more_specific_than_local(
        &self,
        rt: &RouteTable,
        destination: &RouteDestination,
        target: &RouteTarget,
    ) -> Result<()> {
        let RouteDestination::Cidr(dest) = destination else {
            return Ok(());
        };
        let inside_vpc = self
            .vpcs
            .get(&rt.vpc_id)
            .is_some_and(|v| v.cidrs().any(|c| c.contains(dest)));
        if inside_vpc
            && !matches!(
                target,
                RouteTarget::NetworkInterface(_) | RouteTarget::Local
            )
        {
            return Err(Error::InvalidParameterValue(format!(
                "The destination CIDR block {dest} is equal to or more specific than one of this VPC's CIDR blocks. This route can target only an interface or an instance."
            )));
        }
        Ok(())
    }

    /// Whether a route can carry traffic now, or is a `blackhole` because its target is
    /// gone: a detached internet gateway, a deleted NAT gateway or endpoint, a peering
    /// connection that is not active, an interface that is detached or whose instance is
    /// not running.
    pub fn route_state(&self, rt: &RouteTable, route: &Route) -> RouteState {
        let active = match &route.target {
            RouteTarget::Local => true,
            RouteTarget::InternetGateway(id) => self
                .internet_gateways
                .get(id)
                .is_some_and(|g| g.attachment.as_ref() == Some(&rt.vpc_id)),
            RouteTarget::EgressOnlyInternetGateway(id) => {
                self.egress_only_internet_gateways.contains_key(id)
            }
            RouteTarget::NatGateway(id) => self.nat_gateways.get(id).is_some_and(|n| {
                matches!(
                    n.state,
                    crate::NatGatewayState::Available | crate::NatGatewayState::Pending
                )
            }),
            RouteTarget::VpcEndpoint(id) => self
                .vpc_endpoints
                .get(id)
                .is_some_and(|e| e.state == crate::VpcEndpointState::Available),
            RouteTarget::VpcPeeringConnection(id) => self
                .vpc_peering_connections
                .get(id)
                .is_some_and(|p| p.status.code == crate::PeeringStatusCode::Active),
            RouteTarget::NetworkInterface(id) => {
                self.network_interfaces.get(id).is_some_and(|eni| {
                    match &eni.attachment {
                        Some(a) => self
                            .instances
                            .get(&a.instance_id)
                            .is_none_or(|i| i.state == crate::InstanceState::Running),
                        // Requester-managed interfaces (endpoints, load balancers) need no instance.
                        None => eni.requester_managed,
                    }
                })
            }
        };
        if active {
            RouteState::Active
        } else {
            RouteState::Blackhole
        }
    }
}
