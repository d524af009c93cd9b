//! Elastic network interfaces: private addresses drawn from the subnet, public mappings,
//! security groups, source/destination check, attachments.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};

use crate::cidr::parse_ip;
use crate::err::{Error, Kind, Result};
use crate::ids::*;
use crate::lab::{Caller, Lab, Tags, Timestamp, index_eni, unindex_eni};
use crate::region::{AccountId, Region};
use crate::tags::{owned, validate_tags};

/// A network interface.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkInterface {
    /// `eni-…`.
    pub id: NetworkInterfaceId,
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
    /// Its subnet's zone.
    pub availability_zone: String,
    /// A free-form description.
    pub description: String,
    /// What kind of interface it is.
    pub interface_type: InterfaceType,
    /// Whether an AWS service manages it (NAT gateway, endpoint, load balancer).
    pub requester_managed: bool,
    /// Its security groups.
    pub groups: Vec<SecurityGroupId>,
    /// Its private IPv4 addresses; exactly one is primary.
    pub private_ips: Vec<PrivateIp>,
    /// Its IPv6 addresses.
    pub ipv6_addresses: Vec<Ipv6Addr>,
    /// Whether traffic not addressed to or from it is dropped (on by default; off for
    /// NAT instances and appliances).
    pub source_dest_check: bool,
    /// The instance it is attached to.
    pub attachment: Option<NetworkInterfaceAttachment>,
    /// Its MAC address.
    pub mac_address: String,
}

/// One private IPv4 address of an interface.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivateIp {
    /// The address.
    pub address: Ipv4Addr,
    /// Whether it is the interface's primary address.
    pub primary: bool,
    /// The public address mapped to it.
    pub association: Option<PublicIpAssociation>,
}

/// A public IPv4 address mapped to a private one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicIpAssociation {
    /// The public address.
    pub public_ip: Ipv4Addr,
    /// The Elastic IP, or `None` for an auto-assigned public address.
    pub allocation_id: Option<AllocationId>,
    /// The Elastic IP association.
    pub association_id: Option<AddressAssociationId>,
    /// `amazon` for auto-assigned addresses, else the Elastic IP's account.
    pub ip_owner_id: String,
}

/// An interface's attachment to an instance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkInterfaceAttachment {
    /// `eni-attach-…`.
    pub attachment_id: AttachmentId,
    /// The instance.
    pub instance_id: InstanceId,
    /// The device index; 0 is the primary interface.
    pub device_index: u32,
    /// Whether terminating the instance deletes the interface.
    pub delete_on_termination: bool,
    /// When it was attached (AWS's `AttachTime`).
    #[serde(default)]
    pub attach_time: Timestamp,
}

/// AWS's `InterfaceType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InterfaceType {
    /// An ordinary interface.
    Interface,
    /// A NAT gateway's.
    NatGateway,
    /// An interface VPC endpoint's.
    VpcEndpoint,
    /// A network load balancer's.
    NetworkLoadBalancer,
}

impl InterfaceType {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            InterfaceType::Interface => "interface",
            InterfaceType::NatGateway => "nat_gateway",
            InterfaceType::VpcEndpoint => "vpc_endpoint",
            InterfaceType::NetworkLoadBalancer => "network_load_balancer",
        }
    }
}

owned!(NetworkInterface);

impl NetworkInterface {
    /// The primary private IPv4 address.
    pub fn primary_private_ip(&self) -> Ipv4Addr {
        self.private_ips
            .iter()
            .find(|p| p.primary)
            .or(self.private_ips.first())
            .map_or(Ipv4Addr::UNSPECIFIED, |p| p.address)
    }

    /// Every private address, IPv4 then IPv6.
    pub fn private_ip_addresses(&self) -> impl Iterator<Item = IpAddr> + '_ {
        self.private_ips
            .iter()
            .map(|p| IpAddr::V4(p.address))
            .chain(self.ipv6_addresses.iter().map(|a| IpAddr::V6(*a)))
    }

    /// Whether `ip` is one of its private addresses.
    pub fn has_private_ip(&self, ip: IpAddr) -> bool {
        self.private_ip_addresses().any(|a| a == ip)
    }

    /// The public address mapped to private address `ip`.
    pub fn public_ip_for(&self, ip: Ipv4Addr) -> Option<Ipv4Addr> {
        self.private_ips
            .iter()
            .find(|p| p.address == ip)
            .and_then(|p| p.association.as_ref())
            .map(|a| a.public_ip)
    }

    /// The public address of the primary private address.
    pub fn public_ip(&self) -> Option<Ipv4Addr> {
        self.public_ip_for(self.primary_private_ip())
    }

    /// AWS's `RequesterId`: the AWS account that manages the interface, for the
    /// interfaces the lab's AWS services create (interface endpoints, load balancers).
    pub fn requester_id(&self) -> Option<&'static str> {
        match self.interface_type {
            InterfaceType::VpcEndpoint => Some(crate::VPC_ENDPOINT_REQUESTER_ID),
            // AWS shows a load balancer node's interface as requested by `amazon-elb`.
            InterfaceType::NetworkLoadBalancer => Some("amazon-elb"),
            _ => None,
        }
    }

    /// The attachment AWS shows for an interface endpoint's or a load balancer node's
    /// interface: `ela-attach-…`, which no user may detach.
    pub fn service_attachment_id(&self) -> Option<String> {
        let hex = self.id.as_str().strip_prefix("eni-")?;
        matches!(
            self.interface_type,
            InterfaceType::VpcEndpoint | InterfaceType::NetworkLoadBalancer
        )
        .then(|| format!("ela-attach-{hex}"))
    }

    /// The `InstanceOwnerId` AWS shows on the attachment of an interface an AWS service
    /// manages: `amazon-aws` for an interface endpoint's, `amazon-elb` for a load
    /// balancer node's.
    pub fn service_attachment_owner(&self) -> Option<&'static str> {
        match self.interface_type {
            InterfaceType::VpcEndpoint => Some("amazon-aws"),
            InterfaceType::NetworkLoadBalancer => Some("amazon-elb"),
            _ => None,
        }
    }

    /// Refuses a user's change to an interface an AWS service manages for an endpoint.
    /// AWS answers `AuthFailure` ("You do not have permission to access the specified
    /// resource"): such interfaces change only through ModifyVpcEndpoint.
    fn check_user_may_modify(&self) -> Result<()> {
        if matches!(
            self.interface_type,
            InterfaceType::VpcEndpoint | InterfaceType::NetworkLoadBalancer
        ) {
            return Err(Error::Coded {
                code: "AuthFailure",
                message: "You do not have permission to access the specified resource.".into(),
            });
        }
        Ok(())
    }

    /// The private address a public address maps to.
    pub fn private_ip_for_public(&self, public: Ipv4Addr) -> Option<Ipv4Addr> {
        self.private_ips
            .iter()
            .find(|p| {
                p.association
                    .as_ref()
                    .is_some_and(|a| a.public_ip == public)
            })
            .map(|p| p.address)
    }
}

/// The parameters of CreateNetworkInterface.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CreateNetworkInterface {
    /// The subnet.
    pub subnet_id: String,
    /// A description.
    pub description: Option<String>,
    /// Security groups (default: the VPC's default group).
    pub groups: Vec<String>,
    /// The primary private address (default: the lowest free one).
    pub private_ip_address: Option<String>,
    /// Further private addresses.
    pub secondary_private_ip_addresses: Vec<String>,
    /// How many further private addresses to pick.
    pub secondary_private_ip_address_count: u32,
    /// How many IPv6 addresses to pick.
    pub ipv6_address_count: Option<u32>,
    /// Tags from `TagSpecification`.
    pub tags: Tags,
}

/// An attribute for ModifyNetworkInterfaceAttribute.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NetworkInterfaceAttribute {
    /// `Description`.
    Description(String),
    /// `SourceDestCheck`.
    SourceDestCheck(bool),
    /// `SecurityGroupId.N`: the interface's whole set of groups.
    Groups(Vec<String>),
}

/// A fully checked request for a new interface, ready to insert.
pub(crate) struct NewInterface {
    pub subnet_id: SubnetId,
    pub description: String,
    pub interface_type: InterfaceType,
    pub requester_managed: bool,
    pub groups: Vec<SecurityGroupId>,
    pub private_ips: Vec<Ipv4Addr>,
    pub ipv6_addresses: Vec<Ipv6Addr>,
    pub tags: Tags,
}

impl Lab {
    /// CreateNetworkInterface.
    pub fn create_network_interface(
        &mut self,
        caller: &Caller,
        req: CreateNetworkInterface,
    ) -> Result<NetworkInterfaceId> {
        let subnet = Lab::owned(
            &self.subnets,
            caller,
            Kind::Subnet,
            &req.subnet_id,
            SubnetId::parse,
        )?
        .clone();
        validate_tags(&req.tags)?;
        let groups = self.resolve_interface_groups(caller, &subnet.vpc_id, &req.groups)?;
        let mut wanted = Vec::new();
        if let Some(p) = &req.private_ip_address {
            wanted.push(p.clone());
        }
        wanted.extend(req.secondary_private_ip_addresses.iter().cloned());
        let mut private_ips = self.pick_private_ips(
            &subnet,
            &wanted,
            req.secondary_private_ip_address_count as usize
                + usize::from(req.private_ip_address.is_none()),
        )?;
        // Without a named primary address, the first picked address is the primary one:
        // the named secondary addresses stay secondary (the first address is primary).
        if req.private_ip_address.is_none() && wanted.len() < private_ips.len() {
            let primary = private_ips.remove(wanted.len());
            private_ips.insert(0, primary);
        }
        let ipv6_count = req
            .ipv6_address_count
            .unwrap_or(u32::from(subnet.assign_ipv6_address_on_creation));
        let ipv6_addresses = self.pick_ipv6(&subnet, ipv6_count as usize)?;
        Ok(self.insert_interface(
            caller,
            NewInterface {
                subnet_id: subnet.id.clone(),
                description: req.description.unwrap_or_default(),
                interface_type: InterfaceType::Interface,
                requester_managed: false,
                groups,
                private_ips,
                ipv6_addresses,
                tags: req.tags,
            },
        ))
    }

    /// Checks security group ids for an interface in `vpc`; none means the default group.
    pub(crate) fn resolve_interface_groups(
        &self,
        caller: &Caller,
        vpc: &VpcId,
        ids: &[String],
    ) -> Result<Vec<SecurityGroupId>> {
        if ids.is_empty() {
            return Ok(self
                .vpcs
                .get(vpc)
                .map(|v| vec![v.default_security_group_id.clone()])
                .unwrap_or_default());
        }
        let mut out: Vec<SecurityGroupId> = Vec::new();
        for id in ids {
            let g = Lab::owned(
                &self.security_groups,
                caller,
                Kind::SecurityGroup,
                id,
                SecurityGroupId::parse,
            )?;
            if &g.vpc_id != vpc {
                return Err(Error::InvalidParameterValue(format!(
                    "Security group {id} and the interface's subnet belong to different networks ({vpc})."
                )));
            }
            if !out.contains(&g.id) {
                out.push(g.id.clone());
            }
        }
        if out.len() > 5 {
            return Err(Error::LimitExceeded {
                code: "SecurityGroupsPerInterfaceLimitExceeded",
                message: "The maximum number of security groups per interface has been reached."
                    .into(),
            });
        }
        Ok(out)
    }

    /// Checks the asked-for addresses and picks `extra` more: the lowest free addresses
    /// past AWS's reserved ones.
    pub(crate) fn pick_private_ips(
        &self,
        subnet: &crate::Subnet,
        wanted: &[String],
        extra: usize,
    ) -> Result<Vec<Ipv4Addr>> {
        let used = self.index.subnet_addresses.get(&subnet.id);
        let mut chosen: Vec<Ipv4Addr> = Vec::new();
        for w in wanted {
            let ip = match parse_ip("privateIpAddress", w)? {
                IpAddr::V4(v4) => v4,
                IpAddr::V6(_) => {
                    return Err(Error::invalid_value(
                        "privateIpAddress",
                        w,
                        "This is not an IPv4 address.",
                    ));
                }
            };
            if !subnet.cidr_block.contains(&ip) {
                return Err(Error::InvalidParameterValue(format!(
                    "Address {ip} does not fall within the subnet's address range"
                )));
            }
            if subnet.is_reserved(ip) {
                return Err(Error::InvalidParameterValue(format!(
                    "Address {ip} is in subnet's reserved address range"
                )));
            }
            if used.is_some_and(|u| u.contains(&IpAddr::V4(ip))) || chosen.contains(&ip) {
                return Err(Error::IpAddressInUse(format!("Address {ip} is in use.")));
            }
            chosen.push(ip);
        }
        let mut candidate = u32::from(subnet.first_usable());
        let last = u32::from(subnet.cidr_block.broadcast());
        let mut picked = 0;
        while picked < extra {
            if candidate >= last {
                return Err(Error::InsufficientFreeAddressesInSubnet(
                    subnet.id.to_string(),
                ));
            }
            let ip = Ipv4Addr::from(candidate);
            if !used.is_some_and(|u| u.contains(&IpAddr::V4(ip))) && !chosen.contains(&ip) {
                chosen.push(ip);
                picked += 1;
            }
            candidate += 1;
        }
        Ok(chosen)
    }

    /// Picks `count` free IPv6 addresses from the subnet's /64.
    pub(crate) fn pick_ipv6(&self, subnet: &crate::Subnet, count: usize) -> Result<Vec<Ipv6Addr>> {
        if count == 0 {
            return Ok(Vec::new());
        }
        let Some(block) = subnet.ipv6_cidr_block_associations.first() else {
            return Err(Error::InvalidParameterValue(format!(
                "Subnet {} has no IPv6 CIDR block; cannot assign IPv6 addresses.",
                subnet.id
            )));
        };
        let used = self.index.subnet_addresses.get(&subnet.id);
        let base = u128::from(block.cidr.network());
        Ok((4u128..)
            .map(|i| Ipv6Addr::from(base + i))
            .filter(|ip| !used.is_some_and(|u| u.contains(&IpAddr::V6(*ip))))
            .take(count)
            .collect())
    }

    /// Inserts a checked interface and indexes its addresses.
    pub(crate) fn insert_interface(
        &mut self,
        caller: &Caller,
        new: NewInterface,
    ) -> NetworkInterfaceId {
        let id: NetworkInterfaceId = self.mint();
        let mac = self.ids.next_u64();
        let (vpc_id, zone) = self
            .subnets
            .get(&new.subnet_id)
            .map(|s| (s.vpc_id.clone(), s.availability_zone.clone()))
            .unwrap_or_else(|| (VpcId::new_unchecked(""), String::new()));
        let eni = NetworkInterface {
            id: id.clone(),
            owner_id: caller.account.clone(),
            region: caller.region,
            tags: new.tags,
            vpc_id,
            subnet_id: new.subnet_id,
            availability_zone: zone,
            description: new.description,
            interface_type: new.interface_type,
            requester_managed: new.requester_managed,
            groups: new.groups,
            private_ips: new
                .private_ips
                .iter()
                .enumerate()
                .map(|(i, a)| PrivateIp {
                    address: *a,
                    primary: i == 0,
                    association: None,
                })
                .collect(),
            ipv6_addresses: new.ipv6_addresses,
            source_dest_check: true,
            attachment: None,
            // A locally administered unicast MAC, like AWS's 0e:…/12:… addresses.
            mac_address: format!(
                "0e:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
                (mac >> 32) as u8,
                (mac >> 24) as u8,
                (mac >> 16) as u8,
                (mac >> 8) as u8,
                mac as u8
            ),
        };
        index_eni(&mut self.index, &eni);
        self.network_interfaces.insert(id.clone(), eni);
        id
    }

    /// Removes an interface and its addresses from the index; its Elastic IPs become
    /// unassociated.
    pub(crate) fn remove_interface(&mut self, id: &NetworkInterfaceId) {
        let Some(eni) = self.network_interfaces.shift_remove(id) else {
            return;
        };
        unindex_eni(&mut self.index, &eni);
        for p in &eni.private_ips {
            if let Some(alloc) = p
                .association
                .as_ref()
                .and_then(|a| a.allocation_id.as_ref())
                && let Some(a) = self.addresses.get_mut(alloc)
            {
                a.association = None;
            }
        }
    }

    /// DeleteNetworkInterface: only a detached interface the caller manages.
    pub fn delete_network_interface(&mut self, caller: &Caller, eni_id: &str) -> Result<()> {
        let eni = Lab::owned(
            &self.network_interfaces,
            caller,
            Kind::NetworkInterface,
            eni_id,
            NetworkInterfaceId::parse,
        )?;
        // AWS refuses an endpoint's interface with InvalidParameterValue ("Network
        // interface '…' is currently in use."): it goes with DeleteVpcEndpoints.
        if eni.interface_type == InterfaceType::VpcEndpoint {
            return Err(Error::InvalidParameterValue(format!(
                "Network interface '{eni_id}' is currently in use."
            )));
        }
        // AWS: "InvalidNetworkInterface.InUse — the specified interface is currently in
        // use and cannot be deleted or attached to another instance."
        if eni.attachment.is_some() || eni.requester_managed {
            return Err(Error::Coded {
                code: "InvalidNetworkInterface.InUse",
                message: format!("Network interface '{eni_id}' is currently in use."),
            });
        }
        let id = eni.id.clone();
        self.remove_interface(&id);
        Ok(())
    }

    /// AttachNetworkInterface: same zone and VPC as the instance, a free device index.
    pub fn attach_network_interface(
        &mut self,
        caller: &Caller,
        eni_id: &str,
        instance_id: &str,
        device_index: u32,
    ) -> Result<AttachmentId> {
        let eni = Lab::owned(
            &self.network_interfaces,
            caller,
            Kind::NetworkInterface,
            eni_id,
            NetworkInterfaceId::parse,
        )?;
        let instance = Lab::owned(
            &self.instances,
            caller,
            Kind::Instance,
            instance_id,
            InstanceId::parse,
        )?;
        if let Some(a) = &eni.attachment {
            return Err(Error::Coded {
                code: "InvalidNetworkInterface.InUse",
                message: format!(
                    "Interface {eni_id} is currently in use (attached to {}).",
                    a.instance_id
                ),
            });
        }
        if eni.requester_managed {
            return Err(Error::OperationNotPermitted(format!(
                "Interface {eni_id} is managed by AWS."
            )));
        }
        if matches!(
            instance.state,
            crate::InstanceState::Terminated | crate::InstanceState::ShuttingDown
        ) {
            return Err(Error::IncorrectInstanceState(format!(
                "The instance '{instance_id}' is not in a valid state for this operation."
            )));
        }
        if eni.availability_zone != instance.availability_zone || eni.vpc_id != instance.vpc_id {
            return Err(Error::InvalidParameterValue(format!(
                "Interface {eni_id} and instance {instance_id} are not in the same availability zone and VPC."
            )));
        }
        let taken = self.network_interfaces.values().any(|e| {
            e.attachment
                .as_ref()
                .is_some_and(|a| a.instance_id == instance.id && a.device_index == device_index)
        });
        if taken {
            return Err(Error::InvalidParameterValue(format!(
                "Instance '{instance_id}' already has an interface attached at device index '{device_index}'."
            )));
        }
        let (eni, instance) = (eni.id.clone(), instance.id.clone());
        let attachment_id: AttachmentId = self.mint();
        if let Some(e) = self.network_interfaces.get_mut(&eni) {
            e.attachment = Some(NetworkInterfaceAttachment {
                attachment_id: attachment_id.clone(),
                instance_id: instance,
                device_index,
                delete_on_termination: false,
                attach_time: caller.now,
            });
        }
        Ok(attachment_id)
    }

    /// DetachNetworkInterface: not the primary interface (device index 0).
    pub fn detach_network_interface(&mut self, caller: &Caller, attachment_id: &str) -> Result<()> {
        // AWS: an AWS service's attachment (`ela-attach-…`) is not the user's to detach.
        if attachment_id.starts_with("ela-attach-") {
            let known = self.network_interfaces.values().any(|e| {
                e.owner_id == caller.account
                    && e.region == caller.region
                    && e.service_attachment_id().as_deref() == Some(attachment_id)
            });
            return Err(if known {
                Error::OperationNotPermitted(
                    "You are not allowed to manage 'ela-attach' attachments.".into(),
                )
            } else {
                Error::not_found(Kind::Attachment, attachment_id)
            });
        }
        if AttachmentId::parse(attachment_id).is_none() {
            return Err(Error::Malformed {
                kind: Kind::Attachment,
                id: attachment_id.into(),
            });
        }
        let eni = self
            .network_interfaces
            .values()
            .find(|e| {
                e.owner_id == caller.account
                    && e.region == caller.region
                    && e.attachment
                        .as_ref()
                        .is_some_and(|a| a.attachment_id.as_str() == attachment_id)
            })
            .ok_or_else(|| Error::not_found(Kind::Attachment, attachment_id))?;
        if eni.attachment.as_ref().is_some_and(|a| a.device_index == 0) {
            return Err(Error::OperationNotPermitted(
                "The network interface at device index 0 cannot be detached.".into(),
            ));
        }
        let id = eni.id.clone();
        if let Some(e) = self.network_interfaces.get_mut(&id) {
            e.attachment = None;
        }
        Ok(())
    }

    /// ModifyNetworkInterfaceAttribute.
    pub fn modify_network_interface_attribute(
        &mut self,
        caller: &Caller,
        eni_id: &str,
        attribute: NetworkInterfaceAttribute,
    ) -> Result<()> {
        let eni = Lab::owned(
            &self.network_interfaces,
            caller,
            Kind::NetworkInterface,
            eni_id,
            NetworkInterfaceId::parse,
        )?
        .clone();
        eni.check_user_may_modify()?;
        let groups = match &attribute {
            NetworkInterfaceAttribute::Groups(ids) if ids.is_empty() => {
                return Err(Error::MissingParameter("SecurityGroupId".into()));
            }
            NetworkInterfaceAttribute::Groups(ids) => {
                Some(self.resolve_interface_groups(caller, &eni.vpc_id, ids)?)
            }
            _ => None,
        };
        if let Some(e) = self.network_interfaces.get_mut(&eni.id) {
            match attribute {
                NetworkInterfaceAttribute::Description(d) => e.description = d,
                NetworkInterfaceAttribute::SourceDestCheck(v) => e.source_dest_check = v,
                NetworkInterfaceAttribute::Groups(_) => e.groups = groups.unwrap_or_default(),
            }
        }
        Ok(())
    }

    /// AssignPrivateIpAddresses: secondary private addresses, named or counted.
    pub fn assign_private_ip_addresses(
        &mut self,
        caller: &Caller,
        eni_id: &str,
        addresses: &[String],
        count: u32,
    ) -> Result<Vec<Ipv4Addr>> {
        let eni = Lab::owned(
            &self.network_interfaces,
            caller,
            Kind::NetworkInterface,
            eni_id,
            NetworkInterfaceId::parse,
        )?
        .clone();
        eni.check_user_may_modify()?;
        let subnet = self
            .subnets
            .get(&eni.subnet_id)
            .cloned()
            .ok_or_else(|| Error::not_found(Kind::Subnet, &eni.subnet_id))?;
        if addresses.is_empty() && count == 0 {
            return Err(Error::MissingParameter(
                "privateIpAddress or secondaryPrivateIpAddressCount".into(),
            ));
        }
        let new = self.pick_private_ips(&subnet, addresses, count as usize)?;
        self.update_interface(&eni.id, |e| {
            e.private_ips.extend(new.iter().map(|a| PrivateIp {
                address: *a,
                primary: false,
                association: None,
            }));
        });
        Ok(new)
    }

    /// UnassignPrivateIpAddresses: secondary addresses only.
    pub fn unassign_private_ip_addresses(
        &mut self,
        caller: &Caller,
        eni_id: &str,
        addresses: &[String],
    ) -> Result<()> {
        let eni = Lab::owned(
            &self.network_interfaces,
            caller,
            Kind::NetworkInterface,
            eni_id,
            NetworkInterfaceId::parse,
        )?
        .clone();
        eni.check_user_may_modify()?;
        if addresses.is_empty() {
            return Err(Error::MissingParameter("privateIpAddress".into()));
        }
        let mut drop: BTreeSet<Ipv4Addr> = BTreeSet::new();
        for a in addresses {
            let slot = eni.private_ips.iter().find(|p| p.address.to_string() == *a);
            match slot {
                Some(p) if !p.primary => {
                    drop.insert(p.address);
                }
                Some(_) => {
                    return Err(Error::InvalidParameterValue(format!(
                        "The primary private address {a} of {eni_id} cannot be unassigned."
                    )));
                }
                None => {
                    return Err(Error::InvalidParameterValue(format!(
                        "Some of the specified addresses are not assigned to interface {eni_id}"
                    )));
                }
            }
        }
        let freed: Vec<AllocationId> = eni
            .private_ips
            .iter()
            .filter(|p| drop.contains(&p.address))
            .filter_map(|p| p.association.as_ref().and_then(|a| a.allocation_id.clone()))
            .collect();
        for alloc in freed {
            self.disassociate_address_internal(&alloc);
        }
        self.update_interface(&eni.id, |e| {
            e.private_ips.retain(|p| !drop.contains(&p.address))
        });
        Ok(())
    }

    /// Changes an interface's addresses with the index kept in step.
    pub(crate) fn update_interface(
        &mut self,
        id: &NetworkInterfaceId,
        change: impl FnOnce(&mut NetworkInterface),
    ) {
        // Changed in place: removing and re-inserting would move the interface to the end
        // of the (creation-ordered) table.
        let Some(eni) = self.network_interfaces.get_mut(id) else {
            return;
        };
        unindex_eni(&mut self.index, eni);
        change(eni);
        index_eni(&mut self.index, eni);
    }
}
