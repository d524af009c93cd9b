//! VPC endpoints. Gateway endpoints (S3, DynamoDB) add `pl-… → vpce-…` to each route table
//! they are associated with and remove it when disassociated or deleted; users cannot
//! edit those routes. Every endpoint carries a policy (default: full access).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::aws_service::AwsService;
use crate::err::{Error, Kind, Result};
use crate::ids::*;
use crate::lab::{Caller, Lab, Tags, Timestamp};
use crate::region::{AccountId, Region};
use crate::tags::{owned, validate_tags};
use crate::{Route, RouteDestination, RouteOrigin, RouteTarget};

/// The policy a gateway endpoint gets when none is given, as AWS writes it.
pub const DEFAULT_GATEWAY_POLICY: &str = r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;

/// A VPC endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VpcEndpoint {
    /// `vpce-…`.
    pub id: VpcEndpointId,
    /// The owning account.
    pub owner_id: AccountId,
    /// Its region.
    pub region: Region,
    /// Its tags.
    pub tags: Tags,
    /// Its VPC.
    pub vpc_id: VpcId,
    /// `com.amazonaws.us-east-1.s3`.
    pub service_name: String,
    /// Gateway, Interface, …
    pub vpc_endpoint_type: VpcEndpointType,
    /// Its state.
    pub state: VpcEndpointState,
    /// Its policy document (JSON text).
    pub policy_document: String,
    /// Route tables it adds its route to (gateway endpoints).
    pub route_table_ids: BTreeSet<RouteTableId>,
    /// When it was created.
    pub creation_timestamp: Timestamp,
}

owned!(VpcEndpoint);

/// AWS's `VpcEndpointType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum VpcEndpointType {
    /// A gateway endpoint: a route-table target.
    Gateway,
    /// An interface endpoint: interfaces in subnets.
    Interface,
}

impl VpcEndpointType {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            VpcEndpointType::Gateway => "Gateway",
            VpcEndpointType::Interface => "Interface",
        }
    }
}

/// AWS's endpoint states (lower camel case on the wire).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum VpcEndpointState {
    /// Waiting for the service provider.
    PendingAcceptance,
    /// Being set up.
    Pending,
    /// Usable.
    Available,
    /// Being deleted.
    Deleting,
    /// Deleted.
    Deleted,
    /// The provider rejected it.
    Rejected,
    /// Setting it up failed.
    Failed,
}

impl VpcEndpointState {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            VpcEndpointState::PendingAcceptance => "pendingAcceptance",
            VpcEndpointState::Pending => "pending",
            VpcEndpointState::Available => "available",
            VpcEndpointState::Deleting => "deleting",
            VpcEndpointState::Deleted => "deleted",
            VpcEndpointState::Rejected => "rejected",
            VpcEndpointState::Failed => "failed",
        }
    }
}

/// The parameters of CreateVpcEndpoint.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CreateVpcEndpoint {
    /// The VPC.
    pub vpc_id: String,
    /// `com.amazonaws.<region>.s3`, …
    pub service_name: String,
    /// `Gateway` (the default) or `Interface`.
    pub vpc_endpoint_type: Option<String>,
    /// Route tables (gateway endpoints).
    pub route_table_ids: Vec<String>,
    /// A policy document (default: full access).
    pub policy_document: Option<String>,
    /// Tags.
    pub tags: Tags,
}

/// The parameters of ModifyVpcEndpoint.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ModifyVpcEndpoint {
    /// Route tables to add the endpoint's route to.
    pub add_route_table_ids: Vec<String>,
    /// Route tables to remove it from.
    pub remove_route_table_ids: Vec<String>,
    /// A new policy.
    pub policy_document: Option<String>,
    /// Go back to the default policy.
    pub reset_policy: bool,
}

/// Checks that a policy document is a JSON object. The policy's meaning is checked by
/// `vpclab-policy` at the API layer; the model only refuses what is not a document.
fn check_policy_document(doc: &str) -> Result<()> {
    match serde_json::from_str::<serde_json::Value>(doc) {
        Ok(serde_json::Value::Object(_)) => Ok(()),
        _ => Err(Error::Coded {
            code: "InvalidPolicyDocument",
            message: "The policy document is not valid JSON.".into(),
        }),
    }
}

impl Lab {
    /// CreateVpcEndpoint for a gateway endpoint: the service must offer gateway endpoints
    /// in the VPC's region; each route table gets `pl-… → vpce-…`, one per service.
    pub fn create_vpc_endpoint(
        &mut self,
        caller: &Caller,
        req: CreateVpcEndpoint,
    ) -> Result<VpcEndpointId> {
        let vpc = Lab::owned(&self.vpcs, caller, Kind::Vpc, &req.vpc_id, VpcId::parse)?
            .id
            .clone();
        validate_tags(&req.tags)?;
        let endpoint_type = match req.vpc_endpoint_type.as_deref().unwrap_or("Gateway") {
            "Gateway" => VpcEndpointType::Gateway,
            "Interface" => VpcEndpointType::Interface,
            other => return Err(Error::invalid_value("VpcEndpointType", other, "")),
        };
        let service = AwsService::from_service_name(&req.service_name)
            .filter(|(region, _)| *region == caller.region)
            .map(|(_, s)| s)
            .ok_or_else(|| Error::InvalidServiceName(req.service_name.clone()))?;
        if endpoint_type == VpcEndpointType::Interface {
            return Err(Error::InvalidParameterValue(format!(
                "Interface endpoints for {} are not served by this lab yet; create a Gateway endpoint.",
                req.service_name
            )));
        }
        if !service.gateway {
            return Err(Error::InvalidParameterValue(format!(
                "The Vpc Endpoint Service '{}' does not support endpoint type Gateway.",
                req.service_name
            )));
        }
        let policy = req
            .policy_document
            .clone()
            .unwrap_or_else(|| DEFAULT_GATEWAY_POLICY.to_owned());
        check_policy_document(&policy)?;
        let pl = service
            .prefix_list_id(caller.region)
            .map(PrefixListId::new_unchecked)
            .ok_or_else(|| Error::InvalidServiceName(req.service_name.clone()))?;
        let tables = self.endpoint_route_tables(caller, &vpc, &req.route_table_ids, &pl)?;
        let id: VpcEndpointId = self.mint();
        self.add_endpoint_routes(&id, &pl, &tables);
        self.vpc_endpoints.insert(
            id.clone(),
            VpcEndpoint {
                id: id.clone(),
                owner_id: caller.account.clone(),
                region: caller.region,
                tags: req.tags,
                vpc_id: vpc,
                service_name: req.service_name,
                vpc_endpoint_type: endpoint_type,
                state: VpcEndpointState::Available,
                policy_document: policy,
                route_table_ids: tables.into_iter().collect(),
                creation_timestamp: caller.now,
            },
        );
        Ok(id)
    }

    /// Checks route tables for a gateway endpoint: the caller's, in the endpoint's VPC,
    /// with no route to the service's prefix list yet.
    fn endpoint_route_tables(
        &self,
        caller: &Caller,
        vpc: &VpcId,
        ids: &[String],
        pl: &PrefixListId,
    ) -> Result<Vec<RouteTableId>> {
        let mut out: Vec<RouteTableId> = Vec::new();
        for id in ids {
            let rt = Lab::owned(
                &self.route_tables,
                caller,
                Kind::RouteTable,
                id,
                RouteTableId::parse,
            )?;
            if &rt.vpc_id != vpc {
                return Err(Error::InvalidParameterValue(format!(
                    "route table {id} is not in vpc {vpc}"
                )));
            }
            if rt
                .routes
                .iter()
                .any(|r| r.destination == RouteDestination::PrefixList(pl.clone()))
            {
                return Err(Error::EndpointRouteConflict {
                    route_table: id.clone(),
                    prefix_list: pl.to_string(),
                });
            }
            if !out.contains(&rt.id) {
                out.push(rt.id.clone());
            }
        }
        Ok(out)
    }

    fn add_endpoint_routes(
        &mut self,
        endpoint: &VpcEndpointId,
        pl: &PrefixListId,
        tables: &[RouteTableId],
    ) {
        for t in tables {
            if let Some(rt) = self.route_tables.get_mut(t) {
                rt.routes.push(Route {
                    destination: RouteDestination::PrefixList(pl.clone()),
                    target: RouteTarget::VpcEndpoint(endpoint.clone()),
                    origin: RouteOrigin::CreateRoute,
                });
            }
        }
    }

    fn remove_endpoint_routes(&mut self, endpoint: &VpcEndpointId, tables: &[RouteTableId]) {
        for t in tables {
            if let Some(rt) = self.route_tables.get_mut(t) {
                rt.routes
                    .retain(|r| r.target != RouteTarget::VpcEndpoint(endpoint.clone()));
            }
        }
    }

    /// ModifyVpcEndpoint: route tables in and out, the policy replaced or reset.
    pub fn modify_vpc_endpoint(
        &mut self,
        caller: &Caller,
        id: &str,
        req: ModifyVpcEndpoint,
    ) -> Result<()> {
        let e = Lab::owned(
            &self.vpc_endpoints,
            caller,
            Kind::VpcEndpoint,
            id,
            VpcEndpointId::parse,
        )?
        .clone();
        let pl = AwsService::from_service_name(&e.service_name)
            .and_then(|(r, s)| s.prefix_list_id(r))
            .map(PrefixListId::new_unchecked)
            .ok_or_else(|| Error::InvalidServiceName(e.service_name.clone()))?;
        let fresh: Vec<String> = req
            .add_route_table_ids
            .iter()
            .filter(|t| !e.route_table_ids.contains(t.as_str()))
            .cloned()
            .collect();
        let add = self.endpoint_route_tables(caller, &e.vpc_id, &fresh, &pl)?;
        let mut remove = Vec::new();
        for t in &req.remove_route_table_ids {
            let rt = Lab::owned(
                &self.route_tables,
                caller,
                Kind::RouteTable,
                t,
                RouteTableId::parse,
            )?;
            if !e.route_table_ids.contains(&rt.id) {
                return Err(Error::InvalidParameterValue(format!(
                    "Route table {t} is not associated with endpoint {id}"
                )));
            }
            remove.push(rt.id.clone());
        }
        let policy = match (&req.policy_document, req.reset_policy) {
            (Some(_), true) => {
                return Err(Error::InvalidParameterCombination(
                    "PolicyDocument and ResetPolicy cannot be given together.".into(),
                ));
            }
            (Some(doc), false) => {
                check_policy_document(doc)?;
                Some(doc.clone())
            }
            (None, true) => Some(DEFAULT_GATEWAY_POLICY.to_owned()),
            (None, false) => None,
        };
        self.remove_endpoint_routes(&e.id, &remove);
        self.add_endpoint_routes(&e.id, &pl, &add);
        if let Some(ep) = self.vpc_endpoints.get_mut(&e.id) {
            for t in &remove {
                ep.route_table_ids.remove(t);
            }
            ep.route_table_ids.extend(add);
            if let Some(p) = policy {
                ep.policy_document = p;
            }
        }
        Ok(())
    }

    /// DeleteVpcEndpoints: each endpoint and its routes go; the ones that cannot be
    /// deleted come back with their error (AWS's `Unsuccessful`), the rest succeed.
    pub fn delete_vpc_endpoints(
        &mut self,
        caller: &Caller,
        ids: &[String],
    ) -> Vec<(String, Error)> {
        let mut unsuccessful = Vec::new();
        for id in ids {
            match Lab::owned(
                &self.vpc_endpoints,
                caller,
                Kind::VpcEndpoint,
                id,
                VpcEndpointId::parse,
            ) {
                Ok(e) => {
                    let (eid, tables): (VpcEndpointId, Vec<RouteTableId>) =
                        (e.id.clone(), e.route_table_ids.iter().cloned().collect());
                    self.remove_endpoint_routes(&eid, &tables);
                    self.vpc_endpoints.shift_remove(&eid);
                }
                Err(err) => unsuccessful.push((id.clone(), err)),
            }
        }
        unsuccessful
    }
}
