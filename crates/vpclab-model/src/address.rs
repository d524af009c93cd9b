//! Elastic IP addresses: allocate from the region's pool, associate with an interface's
//! private address, disassociate, release.

use std::net::{IpAddr, Ipv4Addr};

use serde::{Deserialize, Serialize};

use crate::err::{Error, Kind, Result};
use crate::ids::*;
use crate::lab::{Caller, Lab, Tags};
use crate::region::{AccountId, Region};
use crate::tags::{owned, validate_tags};
use crate::{InterfaceType, PublicIpAssociation};

/// An Elastic IP address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// `eipalloc-…`.
    pub allocation_id: AllocationId,
    /// The owning account.
    pub owner_id: AccountId,
    /// Its region.
    pub region: Region,
    /// Its tags.
    pub tags: Tags,
    /// The public address.
    pub public_ip: Ipv4Addr,
    /// Where it is associated, if anywhere.
    pub association: Option<AddressAssociation>,
}

/// Where an Elastic IP is associated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressAssociation {
    /// `eipassoc-…`.
    pub association_id: AddressAssociationId,
    /// The interface.
    pub network_interface_id: NetworkInterfaceId,
    /// The interface's private address it maps to.
    pub private_ip: Ipv4Addr,
}

owned!(Address);

/// Where AssociateAddress should put the address.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct AssociateAddress {
    /// The allocation (or its public address, the form EC2-Classic used).
    pub allocation_id: String,
    /// An instance (its primary interface's primary address).
    pub instance_id: Option<String>,
    /// An interface.
    pub network_interface_id: Option<String>,
    /// The interface's private address (default: its primary one).
    pub private_ip_address: Option<String>,
    /// `AllowReassociation`. AWS (EC2-VPC-only accounts): "Reassociation is automatic,
    /// but you can specify false to ensure the operation fails if the Elastic IP address
    /// is already associated with another resource." `None` is the automatic default.
    pub allow_reassociation: Option<bool>,
}

impl Lab {
    /// AllocateAddress: the next free address of the region's public pool.
    pub fn allocate_address(&mut self, caller: &Caller, tags: Tags) -> Result<AllocationId> {
        validate_tags(&tags)?;
        let mine = self
            .addresses
            .values()
            .filter(|a| a.owner_id == caller.account && a.region == caller.region)
            .count();
        if mine >= self.quotas.elastic_ips_per_region {
            return Err(Error::LimitExceeded {
                code: "AddressLimitExceeded",
                message: "The maximum number of addresses has been reached.".into(),
            });
        }
        let public_ip = self.next_public_ip(caller.region)?;
        let id: AllocationId = self.mint();
        self.index
            .public_ips_in_use
            .entry(caller.region)
            .or_default()
            .insert(public_ip);
        self.addresses.insert(
            id.clone(),
            Address {
                allocation_id: id.clone(),
                owner_id: caller.account.clone(),
                region: caller.region,
                tags,
                public_ip,
                association: None,
            },
        );
        Ok(id)
    }

    /// The lowest free address of the region's public pool (Elastic IPs and auto-assigned
    /// public addresses share it).
    pub(crate) fn next_public_ip(&self, region: Region) -> Result<Ipv4Addr> {
        let pool = region.public_ipv4_pool();
        let used = self.index.public_ips_in_use.get(&region);
        let Some(base) = pool.hosts().nth(1) else {
            return Err(Error::LimitExceeded {
                code: "AddressLimitExceeded",
                message: "The region's public address pool is empty.".into(),
            });
        };
        let gap = || {
            pool.hosts()
                .skip(1)
                .find(|ip| used.is_none_or(|u| !u.contains(ip)))
        };
        // Addresses are handed out lowest first, so the used set is usually exactly
        // `base..=last`: then the answer is `last + 1`, without a scan of the pool.
        let free = match used.and_then(|u| Some((u, u.first()?, u.last()?))) {
            None => Some(base),
            Some((u, first, last))
                if *first == base && u32::from(*last) - u32::from(base) + 1 == u.len() as u32 =>
            {
                Some(Ipv4Addr::from(u32::from(*last) + 1))
                    .filter(|ip| pool.contains(ip) && *ip != pool.broadcast())
            }
            Some(_) => gap(),
        };
        free.ok_or_else(|| Error::LimitExceeded {
            code: "AddressLimitExceeded",
            message: "The region's public address pool is exhausted.".into(),
        })
    }

    /// The caller's Elastic IP named by an allocation id, or by its public address when
    /// `id_or_ip` reads as an IPv4 address (anything else is an allocation id, malformed
    /// or not).
    fn address_by_id_or_ip(&self, caller: &Caller, id_or_ip: &str) -> Result<&Address> {
        if id_or_ip.parse::<Ipv4Addr>().is_ok() {
            return self.find_address(caller, id_or_ip);
        }
        Lab::owned(
            &self.addresses,
            caller,
            Kind::Allocation,
            id_or_ip,
            AllocationId::parse,
        )
    }

    /// Finds the caller's Elastic IP by allocation id or by public address.
    pub fn find_address(&self, caller: &Caller, allocation_id_or_ip: &str) -> Result<&Address> {
        if allocation_id_or_ip.starts_with("eipalloc-") {
            return Lab::owned(
                &self.addresses,
                caller,
                Kind::Allocation,
                allocation_id_or_ip,
                AllocationId::parse,
            );
        }
        let ip: Ipv4Addr = allocation_id_or_ip.parse().map_err(|_| Error::Malformed {
            kind: Kind::Address,
            id: allocation_id_or_ip.into(),
        })?;
        self.addresses
            .values()
            .find(|a| {
                a.public_ip == ip && a.owner_id == caller.account && a.region == caller.region
            })
            .ok_or_else(|| Error::not_found(Kind::Address, allocation_id_or_ip))
    }

    /// ReleaseAddress, by allocation id (or, in the form EC2-Classic used, by public
    /// address): only when not associated.
    pub fn release_address(&mut self, caller: &Caller, allocation_id_or_ip: &str) -> Result<()> {
        let a = self.address_by_id_or_ip(caller, allocation_id_or_ip)?;
        if a.association.is_some() {
            return Err(Error::IpAddressInUse(format!(
                "The address with allocation id [{}] is in use.",
                a.allocation_id
            )));
        }
        let (id, ip) = (a.allocation_id.clone(), a.public_ip);
        crate::lab::remove_from_set(&mut self.index.public_ips_in_use, &caller.region, &ip);
        self.addresses.shift_remove(&id);
        Ok(())
    }

    /// AssociateAddress: maps the Elastic IP to an interface's private address. The VPC
    /// needs an internet gateway, as on AWS; an address already mapped elsewhere moves
    /// there unless `allow_reassociation` is `Some(false)`; an Elastic IP already on that
    /// private address is disassociated; the interface's auto-assigned public address, if
    /// any, is released. Associating an address where it already is changes nothing.
    pub fn associate_address(
        &mut self,
        caller: &Caller,
        req: &AssociateAddress,
    ) -> Result<AddressAssociationId> {
        let address = self
            .address_by_id_or_ip(caller, &req.allocation_id)?
            .clone();
        let eni_id = match (&req.instance_id, &req.network_interface_id) {
            (Some(i), None) => {
                let instance = Lab::owned(
                    &self.instances,
                    caller,
                    Kind::Instance,
                    i,
                    InstanceId::parse,
                )?;
                if !matches!(
                    instance.state,
                    crate::InstanceState::Running
                        | crate::InstanceState::Stopped
                        | crate::InstanceState::Pending
                ) {
                    return Err(Error::IncorrectInstanceState(format!(
                        "The instance '{i}' is not in a valid state for this operation."
                    )));
                }
                // AWS: with only an InstanceId, "the instance must have exactly one
                // attached network interface".
                if self.attached_interface_count(&instance.id) != 1 {
                    return Err(Error::Coded {
                        code: "InvalidInstanceID",
                        message: format!(
                            "There are multiple interfaces attached to instance '{i}'. Please specify an interface ID for the operation instead."
                        ),
                    });
                }
                instance.primary_network_interface_id.clone()
            }
            (None, Some(e)) => Lab::owned(
                &self.network_interfaces,
                caller,
                Kind::NetworkInterface,
                e,
                NetworkInterfaceId::parse,
            )?
            .id
            .clone(),
            (None, None) => {
                return Err(Error::MissingParameter(
                    "instanceId or networkInterfaceId".into(),
                ));
            }
            (Some(_), Some(_)) => {
                return Err(Error::InvalidParameterCombination(
                    "The parameter instanceId cannot be used with the parameter networkInterfaceId"
                        .into(),
                ));
            }
        };
        let eni = self
            .network_interfaces
            .get(&eni_id)
            .cloned()
            .ok_or_else(|| Error::not_found(Kind::NetworkInterface, &eni_id))?;
        if eni.interface_type == InterfaceType::NatGateway {
            return Err(Error::InvalidParameterValue(format!(
                "The network interface {eni_id} belongs to a NAT gateway; its address is set when the NAT gateway is created."
            )));
        }
        if eni.interface_type == InterfaceType::NetworkLoadBalancer {
            return Err(Error::InvalidParameterValue(format!(
                "The network interface {eni_id} belongs to a load balancer; its address is set by the load balancer's subnet mappings."
            )));
        }
        // An Elastic IP a service holds (a NAT gateway's, a load balancer node's) moves
        // only when the service goes.
        if let Some(owner) = address
            .association
            .as_ref()
            .and_then(|x| self.network_interfaces.get(&x.network_interface_id))
            .and_then(|e| service_holding(e.interface_type))
        {
            return Err(Error::OperationNotPermitted(format!(
                "The address {} is used by {owner} and cannot be moved; delete the {owner_short} instead.",
                address.public_ip,
                owner_short = owner.trim_start_matches("a "),
            )));
        }
        let private_ip = match &req.private_ip_address {
            Some(p) => match crate::cidr::parse_ip("privateIpAddress", p)? {
                IpAddr::V4(v4) if eni.private_ips.iter().any(|x| x.address == v4) => v4,
                _ => {
                    return Err(Error::InvalidParameterValue(format!(
                        "The private IP address {p} is not assigned to network interface {eni_id}"
                    )));
                }
            },
            None => eni.primary_private_ip(),
        };
        if self.internet_gateway_of(&eni.vpc_id).is_none() {
            return Err(Error::GatewayNotAttached(format!(
                "Network {} is not attached to any internet gateway",
                eni.vpc_id
            )));
        }
        // AWS: AssociateAddress is idempotent.
        if let Some(current) = address
            .association
            .as_ref()
            .filter(|x| x.network_interface_id == eni_id && x.private_ip == private_ip)
        {
            return Ok(current.association_id.clone());
        }
        let slot_taken = eni
            .private_ips
            .iter()
            .find(|p| p.address == private_ip)
            .and_then(|p| p.association.as_ref())
            .is_some_and(|a| {
                a.allocation_id.is_some()
                    && a.allocation_id.as_ref() != Some(&address.allocation_id)
            });
        if address.association.is_some() && req.allow_reassociation == Some(false) {
            return Err(Error::AlreadyAssociated(format!(
                "Elastic IP address [{}] is already associated",
                address.allocation_id
            )));
        }
        // Validation done: now mutate.
        if let Some(old) = &address.association {
            self.disassociate_address_internal(&address.allocation_id);
            self.restore_auto_public_ip(&old.network_interface_id, old.private_ip);
        }
        if slot_taken {
            let other = eni
                .private_ips
                .iter()
                .find(|p| p.address == private_ip)
                .and_then(|p| p.association.as_ref())
                .and_then(|a| a.allocation_id.clone());
            if let Some(other) = other {
                self.disassociate_address_internal(&other);
            }
        }
        let association_id: AddressAssociationId = self.mint();
        self.set_public_association(
            &eni_id,
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
                association_id: association_id.clone(),
                network_interface_id: eni_id,
                private_ip,
            });
        }
        Ok(association_id)
    }

    /// DisassociateAddress, by association id (or, for the classic form, public address).
    pub fn disassociate_address(
        &mut self,
        caller: &Caller,
        association_id_or_ip: &str,
    ) -> Result<()> {
        let address = if association_id_or_ip.starts_with("eipassoc-") {
            if AddressAssociationId::parse(association_id_or_ip).is_none() {
                return Err(Error::Malformed {
                    kind: Kind::Association,
                    id: association_id_or_ip.into(),
                });
            }
            self.addresses
                .values()
                .find(|a| {
                    a.owner_id == caller.account
                        && a.region == caller.region
                        && a.association
                            .as_ref()
                            .is_some_and(|x| x.association_id.as_str() == association_id_or_ip)
                })
                .ok_or_else(|| Error::not_found(Kind::Association, association_id_or_ip))?
        } else {
            self.find_address(caller, association_id_or_ip)?
        };
        let Some(assoc) = &address.association else {
            return Err(Error::not_found(Kind::Association, association_id_or_ip));
        };
        let owner = self
            .network_interfaces
            .get(&assoc.network_interface_id)
            .and_then(|e| service_holding(e.interface_type));
        if let Some(owner) = owner {
            return Err(Error::OperationNotPermitted(format!(
                "The address {} is used by {owner} and cannot be disassociated; delete the {} instead.",
                address.public_ip,
                owner.trim_start_matches("a ")
            )));
        }
        let (id, eni, private_ip) = (
            address.allocation_id.clone(),
            assoc.network_interface_id.clone(),
            assoc.private_ip,
        );
        self.disassociate_address_internal(&id);
        self.restore_auto_public_ip(&eni, private_ip);
        Ok(())
    }

    /// AWS: an instance launched with a public IPv4 address loses it to an Elastic IP, and
    /// "when you disassociate the Elastic IP address from your instance, it receives a new
    /// public IPv4 address" — unless it has more than one network interface.
    pub(crate) fn restore_auto_public_ip(
        &mut self,
        eni_id: &NetworkInterfaceId,
        private_ip: Ipv4Addr,
    ) {
        let Some(eni) = self.network_interfaces.get(eni_id) else {
            return;
        };
        let Some(attachment) = eni.attachment.as_ref().filter(|a| a.device_index == 0) else {
            return;
        };
        let eligible = eni.primary_private_ip() == private_ip
            && eni.public_ip().is_none()
            && self
                .instances
                .get(&attachment.instance_id)
                .is_some_and(|i| i.auto_public_ip && i.state == crate::InstanceState::Running)
            && self.attached_interface_count(&attachment.instance_id) == 1;
        if eligible {
            // The disassociation stands even if the pool is exhausted; the instance then
            // simply has no public address.
            let _ = self.assign_auto_public_ip(eni.region, eni_id);
        }
    }

    /// How many interfaces are attached to the instance.
    pub(crate) fn attached_interface_count(&self, instance: &InstanceId) -> usize {
        self.network_interfaces
            .values()
            .filter(|e| {
                e.attachment
                    .as_ref()
                    .is_some_and(|a| &a.instance_id == instance)
            })
            .count()
    }

    /// Drops an Elastic IP's association, wherever it is.
    pub(crate) fn disassociate_address_internal(&mut self, allocation_id: &AllocationId) {
        let Some(assoc) = self
            .addresses
            .get_mut(allocation_id)
            .and_then(|a| a.association.take())
        else {
            return;
        };
        self.set_public_association(&assoc.network_interface_id, assoc.private_ip, None);
    }

    /// Sets (or clears) the public mapping of one private address of an interface,
    /// keeping the index in step. A replaced auto-assigned address returns to the pool.
    pub(crate) fn set_public_association(
        &mut self,
        eni_id: &NetworkInterfaceId,
        private_ip: Ipv4Addr,
        association: Option<PublicIpAssociation>,
    ) {
        self.update_interface(eni_id, |eni| {
            if let Some(slot) = eni.private_ips.iter_mut().find(|p| p.address == private_ip) {
                slot.association = association;
            }
        });
    }
}

/// The AWS service that holds the Elastic IP of an interface of this type, if any.
fn service_holding(t: InterfaceType) -> Option<&'static str> {
    match t {
        InterfaceType::NatGateway => Some("a NAT gateway"),
        InterfaceType::NetworkLoadBalancer => Some("a load balancer"),
        _ => None,
    }
}
