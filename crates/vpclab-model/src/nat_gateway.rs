//! NAT gateways: public ones (an Elastic IP, in a subnet, in a VPC with an internet
//! gateway) and private ones; each has a requester-managed interface in its subnet.

use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

use crate::err::{Error, Kind, Result};
use crate::ids::*;
use crate::lab::{Caller, Lab, Tags, Timestamp};
use crate::network_interface::NewInterface;
use crate::region::{AccountId, Region};
use crate::tags::{owned, validate_tags};
use crate::{AddressAssociation, InterfaceType, PublicIpAssociation};

/// A NAT gateway.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NatGateway {
    /// `nat-…`.
    pub id: NatGatewayId,
    /// The owning account.
    pub owner_id: AccountId,
    /// Its region.
    pub region: Region,
    /// Its tags.
    pub tags: Tags,
    /// Its VPC.
    pub vpc_id: VpcId,
    /// Its subnet.
    pub subnet_id: SubnetId,
    /// Public or private.
    pub connectivity_type: ConnectivityType,
    /// Its state.
    pub state: NatGatewayState,
    /// Why it failed, when it did: (code, message).
    pub failure: Option<(String, String)>,
    /// Its interface (gone once deleted).
    pub network_interface_id: Option<NetworkInterfaceId>,
    /// Its private address.
    pub private_ip: Ipv4Addr,
    /// Its Elastic IP (public NAT gateways).
    pub allocation_id: Option<AllocationId>,
    /// Its public address (public NAT gateways).
    pub public_ip: Option<Ipv4Addr>,
    /// When it was created.
    pub create_time: Timestamp,
    /// When it was deleted.
    pub delete_time: Option<Timestamp>,
}

owned!(NatGateway);

/// Public (to the internet through an internet gateway) or private (to other networks).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConnectivityType {
    /// `public`.
    Public,
    /// `private`.
    Private,
}

impl ConnectivityType {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectivityType::Public => "public",
            ConnectivityType::Private => "private",
        }
    }
}

/// AWS's NAT gateway states.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NatGatewayState {
    /// Being created.
    Pending,
    /// Could not be created.
    Failed,
    /// Forwarding traffic.
    Available,
    /// Being deleted.
    Deleting,
    /// Deleted; still described for a while.
    Deleted,
}

impl NatGatewayState {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            NatGatewayState::Pending => "pending",
            NatGatewayState::Failed => "failed",
            NatGatewayState::Available => "available",
            NatGatewayState::Deleting => "deleting",
            NatGatewayState::Deleted => "deleted",
        }
    }
}

/// The parameters of CreateNatGateway.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CreateNatGateway {
    /// The subnet.
    pub subnet_id: String,
    /// `public` (default) or `private`.
    pub connectivity_type: Option<String>,
    /// The Elastic IP (required for public NAT gateways).
    pub allocation_id: Option<String>,
    /// The private address (default: the subnet's lowest free one).
    pub private_ip_address: Option<String>,
    /// Tags.
    pub tags: Tags,
}

impl Lab {
    /// CreateNatGateway. A public NAT gateway in a VPC without an internet gateway is
    /// created `failed` (`Gateway.NotAttached`), as AWS does.
    pub fn create_nat_gateway(
        &mut self,
        caller: &Caller,
        req: CreateNatGateway,
    ) -> Result<NatGatewayId> {
        let subnet = Lab::owned(
            &self.subnets,
            caller,
            Kind::Subnet,
            &req.subnet_id,
            SubnetId::parse,
        )?
        .clone();
        validate_tags(&req.tags)?;
        let connectivity = match req.connectivity_type.as_deref().unwrap_or("public") {
            "public" => ConnectivityType::Public,
            "private" => ConnectivityType::Private,
            other => {
                return Err(Error::invalid_value(
                    "connectivityType",
                    other,
                    "Allowed values: public, private.",
                ));
            }
        };
        let address = match (connectivity, &req.allocation_id) {
            (ConnectivityType::Public, None) => {
                return Err(Error::MissingParameter("AllocationId".into()));
            }
            (ConnectivityType::Private, Some(_)) => {
                return Err(Error::InvalidParameterCombination(
                    "A private NAT gateway cannot have an Elastic IP (AllocationId).".into(),
                ));
            }
            (ConnectivityType::Public, Some(a)) => {
                let address = Lab::owned(
                    &self.addresses,
                    caller,
                    Kind::Allocation,
                    a,
                    AllocationId::parse,
                )?;
                if address.association.is_some() {
                    return Err(Error::AlreadyAssociated(format!(
                        "Elastic IP address [{a}] is already associated"
                    )));
                }
                let in_use = self.nat_gateways.values().any(|n| {
                    n.allocation_id.as_ref() == Some(&address.allocation_id)
                        && !matches!(n.state, NatGatewayState::Deleted | NatGatewayState::Failed)
                });
                if in_use {
                    return Err(Error::AlreadyAssociated(format!(
                        "Elastic IP address [{a}] is already associated"
                    )));
                }
                Some(address.clone())
            }
            (ConnectivityType::Private, None) => None,
        };
        let in_zone = self
            .nat_gateways
            .values()
            .filter(|n| {
                n.owner_id == caller.account
                    && !matches!(n.state, NatGatewayState::Deleted | NatGatewayState::Failed)
                    && self.subnets.get(&n.subnet_id).map(|s| &s.availability_zone)
                        == Some(&subnet.availability_zone)
            })
            .count();
        if in_zone >= self.quotas.nat_gateways_per_zone {
            return Err(Error::LimitExceeded {
                code: "NatGatewayLimitExceeded",
                message: format!(
                    "The maximum number of NAT gateways in {} has been reached.",
                    subnet.availability_zone
                ),
            });
        }
        let wanted: Vec<String> = req.private_ip_address.iter().cloned().collect();
        let private = self.pick_private_ips(&subnet, &wanted, usize::from(wanted.is_empty()))?;
        let private_ip = private.first().copied().unwrap_or(Ipv4Addr::UNSPECIFIED);
        let id: NatGatewayId = self.mint();
        let no_igw = connectivity == ConnectivityType::Public
            && self.internet_gateway_of(&subnet.vpc_id).is_none();
        if no_igw {
            self.nat_gateways.insert(
                id.clone(),
                NatGateway {
                    id: id.clone(),
                    owner_id: caller.account.clone(),
                    region: caller.region,
                    tags: req.tags,
                    vpc_id: subnet.vpc_id.clone(),
                    subnet_id: subnet.id.clone(),
                    connectivity_type: connectivity,
                    state: NatGatewayState::Failed,
                    failure: Some((
                        "Gateway.NotAttached".into(),
                        format!("Network {} has no Internet gateway attached", subnet.vpc_id),
                    )),
                    network_interface_id: None,
                    private_ip,
                    allocation_id: address.as_ref().map(|a| a.allocation_id.clone()),
                    public_ip: None,
                    create_time: caller.now,
                    delete_time: None,
                },
            );
            return Ok(id);
        }
        let eni = self.insert_interface(
            caller,
            NewInterface {
                subnet_id: subnet.id.clone(),
                description: format!("Interface for NAT Gateway {id}"),
                interface_type: InterfaceType::NatGateway,
                requester_managed: true,
                groups: Vec::new(),
                private_ips: private,
                ipv6_addresses: Vec::new(),
                tags: Tags::new(),
            },
        );
        if let Some(address) = &address {
            let association_id: AddressAssociationId = self.mint();
            self.set_public_association(
                &eni,
                private_ip,
                Some(PublicIpAssociation {
                    public_ip: address.public_ip,
                    allocation_id: Some(address.allocation_id.clone()),
                    association_id: Some(association_id.clone()),
                    ip_owner_id: caller.account.to_string(),
                }),
            );
            if let Some(a) = self.addresses.get_mut(&address.allocation_id) {
                a.association = Some(AddressAssociation {
                    association_id,
                    network_interface_id: eni.clone(),
                    private_ip,
                });
            }
        }
        self.nat_gateways.insert(
            id.clone(),
            NatGateway {
                id: id.clone(),
                owner_id: caller.account.clone(),
                region: caller.region,
                tags: req.tags,
                vpc_id: subnet.vpc_id.clone(),
                subnet_id: subnet.id.clone(),
                connectivity_type: connectivity,
                state: NatGatewayState::Available,
                failure: None,
                network_interface_id: Some(eni),
                private_ip,
                allocation_id: address.as_ref().map(|a| a.allocation_id.clone()),
                public_ip: address.as_ref().map(|a| a.public_ip),
                create_time: caller.now,
                delete_time: None,
            },
        );
        Ok(id)
    }

    /// DeleteNatGateway: it becomes `deleted` (routes to it turn to blackholes), its
    /// interface goes and its Elastic IP is freed.
    pub fn delete_nat_gateway(&mut self, caller: &Caller, id: &str) -> Result<()> {
        let nat = Lab::owned(
            &self.nat_gateways,
            caller,
            Kind::NatGateway,
            id,
            NatGatewayId::parse,
        )?
        .clone();
        if nat.state == NatGatewayState::Deleted {
            return Err(Error::not_found(Kind::NatGateway, id));
        }
        if let Some(eni) = &nat.network_interface_id {
            self.remove_interface(eni);
        }
        if let Some(n) = self.nat_gateways.get_mut(&nat.id) {
            n.state = NatGatewayState::Deleted;
            n.delete_time = Some(caller.now);
            n.network_interface_id = None;
        }
        Ok(())
    }
}
