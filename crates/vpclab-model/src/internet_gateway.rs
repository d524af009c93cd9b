//! Internet gateways (attach and detach) and egress-only internet gateways (IPv6 out only).

use serde::{Deserialize, Serialize};

use crate::err::{Error, Kind, Result};
use crate::ids::*;
use crate::lab::{Caller, Lab, Tags};
use crate::region::{AccountId, Region};
use crate::tags::{owned, validate_tags};

/// An internet gateway.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InternetGateway {
    /// `igw-…`.
    pub id: InternetGatewayId,
    /// The owning account.
    pub owner_id: AccountId,
    /// Its region.
    pub region: Region,
    /// Its tags.
    pub tags: Tags,
    /// The VPC it is attached to.
    pub attachment: Option<VpcId>,
}

/// An egress-only internet gateway: IPv6 traffic out of its VPC, and replies, but no
/// connection from the internet in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EgressOnlyInternetGateway {
    /// `eigw-…`.
    pub id: EgressOnlyInternetGatewayId,
    /// The owning account.
    pub owner_id: AccountId,
    /// Its region.
    pub region: Region,
    /// Its tags.
    pub tags: Tags,
    /// The VPC it serves (always attached).
    pub vpc_id: VpcId,
}

owned!(InternetGateway, EgressOnlyInternetGateway);

impl Lab {
    /// CreateInternetGateway: a detached gateway.
    pub fn create_internet_gateway(
        &mut self,
        caller: &Caller,
        tags: Tags,
    ) -> Result<InternetGatewayId> {
        validate_tags(&tags)?;
        let mine = self
            .internet_gateways
            .values()
            .filter(|g| g.owner_id == caller.account && g.region == caller.region)
            .count();
        if mine >= self.quotas.internet_gateways_per_region {
            return Err(Error::LimitExceeded {
                code: "InternetGatewayLimitExceeded",
                message: "The maximum number of internet gateways has been reached.".into(),
            });
        }
        let id: InternetGatewayId = self.mint();
        self.internet_gateways.insert(
            id.clone(),
            InternetGateway {
                id: id.clone(),
                owner_id: caller.account.clone(),
                region: caller.region,
                tags,
                attachment: None,
            },
        );
        Ok(id)
    }

    /// DeleteInternetGateway: only once detached.
    pub fn delete_internet_gateway(&mut self, caller: &Caller, igw_id: &str) -> Result<()> {
        let igw = Lab::owned(
            &self.internet_gateways,
            caller,
            Kind::InternetGateway,
            igw_id,
            InternetGatewayId::parse,
        )?;
        if igw.attachment.is_some() {
            return Err(Error::DependencyViolation(format!(
                "The internetGateway '{igw_id}' has dependencies and cannot be deleted."
            )));
        }
        let id = igw.id.clone();
        self.internet_gateways.shift_remove(&id);
        Ok(())
    }

    /// AttachInternetGateway: a gateway serves one VPC, a VPC has one gateway.
    pub fn attach_internet_gateway(
        &mut self,
        caller: &Caller,
        igw_id: &str,
        vpc_id: &str,
    ) -> Result<()> {
        let igw = Lab::owned(
            &self.internet_gateways,
            caller,
            Kind::InternetGateway,
            igw_id,
            InternetGatewayId::parse,
        )?;
        let vpc = Lab::owned(&self.vpcs, caller, Kind::Vpc, vpc_id, VpcId::parse)?;
        if let Some(attached) = &igw.attachment {
            return Err(Error::AlreadyAssociated(format!(
                "resource {igw_id} is already attached to network {attached}"
            )));
        }
        if let Some(other) = self.internet_gateway_of(&vpc.id) {
            return Err(Error::AlreadyAssociated(format!(
                "Network {vpc_id} already has an internet gateway attached ({})",
                other.id
            )));
        }
        let (igw, vpc) = (igw.id.clone(), vpc.id.clone());
        if let Some(g) = self.internet_gateways.get_mut(&igw) {
            g.attachment = Some(vpc);
        }
        Ok(())
    }

    /// DetachInternetGateway: refused while instances of the VPC hold public addresses,
    /// as AWS refuses it.
    pub fn detach_internet_gateway(
        &mut self,
        caller: &Caller,
        igw_id: &str,
        vpc_id: &str,
    ) -> Result<()> {
        let igw = Lab::owned(
            &self.internet_gateways,
            caller,
            Kind::InternetGateway,
            igw_id,
            InternetGatewayId::parse,
        )?;
        let vpc = Lab::owned(&self.vpcs, caller, Kind::Vpc, vpc_id, VpcId::parse)?;
        if igw.attachment.as_ref() != Some(&vpc.id) {
            return Err(Error::GatewayNotAttached(format!(
                "resource {igw_id} is not attached to network {vpc_id}"
            )));
        }
        let mapped = self
            .network_interfaces
            .values()
            .any(|e| e.vpc_id == vpc.id && e.private_ips.iter().any(|p| p.association.is_some()));
        if mapped {
            return Err(Error::DependencyViolation(format!(
                "Network {vpc_id} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway."
            )));
        }
        let igw = igw.id.clone();
        if let Some(g) = self.internet_gateways.get_mut(&igw) {
            g.attachment = None;
        }
        Ok(())
    }

    /// CreateEgressOnlyInternetGateway.
    pub fn create_egress_only_internet_gateway(
        &mut self,
        caller: &Caller,
        vpc_id: &str,
        tags: Tags,
    ) -> Result<EgressOnlyInternetGatewayId> {
        let vpc = Lab::owned(&self.vpcs, caller, Kind::Vpc, vpc_id, VpcId::parse)?
            .id
            .clone();
        validate_tags(&tags)?;
        let id: EgressOnlyInternetGatewayId = self.mint();
        self.egress_only_internet_gateways.insert(
            id.clone(),
            EgressOnlyInternetGateway {
                id: id.clone(),
                owner_id: caller.account.clone(),
                region: caller.region,
                tags,
                vpc_id: vpc,
            },
        );
        Ok(id)
    }

    /// DeleteEgressOnlyInternetGateway (routes to it become blackholes).
    pub fn delete_egress_only_internet_gateway(&mut self, caller: &Caller, id: &str) -> Result<()> {
        let g = Lab::owned(
            &self.egress_only_internet_gateways,
            caller,
            Kind::EgressOnlyInternetGateway,
            id,
            EgressOnlyInternetGatewayId::parse,
        )?;
        let id = g.id.clone();
        self.egress_only_internet_gateways.shift_remove(&id);
        Ok(())
    }
}
