//! Subnets: a block of a VPC in one availability zone, with AWS's five reserved addresses.

use std::net::{IpAddr, Ipv4Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde::{Deserialize, Serialize};

use crate::cidr::{overlaps, parse_ipv4_cidr, parse_ipv6_cidr};
use crate::err::{Error, Kind, Result};
use crate::ids::*;
use crate::lab::{Caller, Lab, Tags, remove_from_set};
use crate::region::{AccountId, AvailabilityZone, Region};
use crate::tags::{owned, validate_tags};

/// A subnet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subnet {
    /// `subnet-…`.
    pub id: SubnetId,
    /// The owning account.
    pub owner_id: AccountId,
    /// Its region.
    pub region: Region,
    /// Its tags.
    pub tags: Tags,
    /// The VPC it belongs to.
    pub vpc_id: VpcId,
    /// Its IPv4 block.
    pub cidr_block: Ipv4Net,
    /// Its IPv6 /64 blocks.
    pub ipv6_cidr_block_associations: Vec<SubnetIpv6CidrBlock>,
    /// `us-east-1a`.
    pub availability_zone: String,
    /// `use1-az1`.
    pub availability_zone_id: String,
    /// Instances launched here get a public IPv4 address unless they ask otherwise.
    pub map_public_ip_on_launch: bool,
    /// Network interfaces created here get an IPv6 address.
    pub assign_ipv6_address_on_creation: bool,
    /// Whether this is its zone's default subnet.
    pub default_for_az: bool,
}

/// An IPv6 block of a subnet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubnetIpv6CidrBlock {
    /// `subnet-cidr-assoc-…`.
    pub association_id: SubnetCidrAssociationId,
    /// The /64.
    pub cidr: Ipv6Net,
}

owned!(Subnet);

impl Subnet {
    /// Every CIDR block, IPv4 then IPv6.
    pub fn cidrs(&self) -> impl Iterator<Item = IpNet> + '_ {
        std::iter::once(IpNet::V4(self.cidr_block)).chain(
            self.ipv6_cidr_block_associations
                .iter()
                .map(|b| IpNet::V6(b.cidr)),
        )
    }

    /// Whether `ip` is inside the subnet.
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.cidrs().any(|c| c.contains(&ip))
    }

    /// The number of IPv4 addresses instances may use: the block minus AWS's five.
    pub fn usable_ipv4_count(&self) -> u64 {
        (1u64 << (32 - self.cidr_block.prefix_len())).saturating_sub(5)
    }

    /// Whether AWS reserves `ip`: the network address, the router (+1), the DNS server
    /// (+2), the address kept for future use (+3), and the broadcast address.
    pub fn is_reserved(&self, ip: Ipv4Addr) -> bool {
        let base = u32::from(self.cidr_block.network());
        let n = u32::from(ip);
        n.wrapping_sub(base) <= 3 || ip == self.cidr_block.broadcast()
    }

    /// The first address instances may use (network + 4).
    pub fn first_usable(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.cidr_block.network()).saturating_add(4))
    }
}

/// The parameters of CreateSubnet.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CreateSubnet {
    /// The VPC.
    pub vpc_id: String,
    /// The IPv4 block, `/16` to `/28`, inside a block of the VPC.
    pub cidr_block: String,
    /// An IPv6 /64 inside the VPC's /56.
    pub ipv6_cidr_block: Option<String>,
    /// The zone by name (`us-east-1a`).
    pub availability_zone: Option<String>,
    /// The zone by id (`use1-az1`).
    pub availability_zone_id: Option<String>,
    /// Tags from `TagSpecification`.
    pub tags: Tags,
}

/// A subnet attribute for ModifySubnetAttribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SubnetAttribute {
    /// `MapPublicIpOnLaunch`.
    MapPublicIpOnLaunch(bool),
    /// `AssignIpv6AddressOnCreation`.
    AssignIpv6AddressOnCreation(bool),
}

impl Lab {
    /// CreateSubnet: checks the zone, that the block is /16–/28 inside the VPC and overlaps
    /// no other subnet, and associates the VPC's default network ACL.
    pub fn create_subnet(&mut self, caller: &Caller, req: CreateSubnet) -> Result<SubnetId> {
        let vpc = Lab::owned(&self.vpcs, caller, Kind::Vpc, &req.vpc_id, VpcId::parse)?.clone();
        validate_tags(&req.tags)?;
        let zone = match (&req.availability_zone, &req.availability_zone_id) {
            (Some(name), _) => caller.region.zone(name).filter(|z| &z.name == name),
            (None, Some(id)) => caller.region.zone(id).filter(|z| &z.zone_id == id),
            // AWS picks a zone; the lab picks the first, so results are repeatable.
            (None, None) => caller.region.zones().next(),
        };
        let zone = zone.ok_or_else(|| {
            let given = req.availability_zone.clone().or(req.availability_zone_id.clone()).unwrap_or_default();
            let names: Vec<String> = caller.region.zones().map(|z| z.name).collect();
            Error::invalid_value(
                "availabilityZone",
                given,
                &format!("Subnets can currently only be created in the following availability zones: {}.", names.join(", ")),
            )
        })?;
        let cidr = parse_ipv4_cidr("cidrBlock", &req.cidr_block)?;
        let inside = vpc
            .cidr_block_associations
            .iter()
            .any(|b| b.cidr.contains(&cidr));
        if !(16..=28).contains(&cidr.prefix_len()) || !inside {
            return Err(Error::InvalidSubnetRange(cidr.to_string()));
        }
        let siblings: Vec<&Subnet> = self
            .index
            .vpc_subnets
            .get(&vpc.id)
            .into_iter()
            .flatten()
            .filter_map(|s| self.subnets.get(s))
            .collect();
        if siblings
            .iter()
            .any(|s| overlaps(&IpNet::V4(s.cidr_block), &IpNet::V4(cidr)))
        {
            return Err(Error::InvalidSubnetConflict(cidr.to_string()));
        }
        let ipv6 = match &req.ipv6_cidr_block {
            Some(s) => Some(self.check_subnet_ipv6(&vpc, s, &siblings)?),
            None => None,
        };
        Ok(self.insert_subnet(caller, &vpc.id, cidr, ipv6, &zone, req.tags))
    }

    fn check_subnet_ipv6(
        &self,
        vpc: &crate::Vpc,
        s: &str,
        siblings: &[&Subnet],
    ) -> Result<Ipv6Net> {
        let v6 = parse_ipv6_cidr("ipv6CidrBlock", s)?;
        let inside = vpc
            .ipv6_cidr_block_associations
            .iter()
            .any(|b| b.cidr.contains(&v6));
        if v6.prefix_len() != 64 || !inside {
            return Err(Error::InvalidSubnetRange(v6.to_string()));
        }
        let clash = siblings
            .iter()
            .flat_map(|s| s.ipv6_cidr_block_associations.iter())
            .any(|b| overlaps(&IpNet::V6(b.cidr), &IpNet::V6(v6)));
        if clash {
            return Err(Error::InvalidSubnetConflict(v6.to_string()));
        }
        Ok(v6)
    }

    pub(crate) fn insert_subnet(
        &mut self,
        caller: &Caller,
        vpc_id: &VpcId,
        cidr: Ipv4Net,
        ipv6: Option<Ipv6Net>,
        zone: &AvailabilityZone,
        tags: Tags,
    ) -> SubnetId {
        let id: SubnetId = self.mint();
        let ipv6_cidr_block_associations = ipv6
            .map(|cidr| SubnetIpv6CidrBlock {
                association_id: self.mint(),
                cidr,
            })
            .into_iter()
            .collect();
        self.subnets.insert(
            id.clone(),
            Subnet {
                id: id.clone(),
                owner_id: caller.account.clone(),
                region: caller.region,
                tags,
                vpc_id: vpc_id.clone(),
                cidr_block: cidr,
                ipv6_cidr_block_associations,
                availability_zone: zone.name.clone(),
                availability_zone_id: zone.zone_id.clone(),
                map_public_ip_on_launch: false,
                assign_ipv6_address_on_creation: false,
                default_for_az: false,
            },
        );
        self.index
            .vpc_subnets
            .entry(vpc_id.clone())
            .or_default()
            .insert(id.clone());
        if let Some(acl) = self
            .vpcs
            .get(vpc_id)
            .map(|v| v.default_network_acl_id.clone())
        {
            self.associate_network_acl_internal(&acl, &id);
        }
        id
    }

    /// DeleteSubnet: refused while any network interface is in it; drops its route table
    /// and network ACL associations.
    pub fn delete_subnet(&mut self, caller: &Caller, subnet_id: &str) -> Result<()> {
        let subnet = Lab::owned(
            &self.subnets,
            caller,
            Kind::Subnet,
            subnet_id,
            SubnetId::parse,
        )?
        .clone();
        if self
            .index
            .subnet_addresses
            .get(&subnet.id)
            .is_some_and(|a| !a.is_empty())
        {
            return Err(Error::DependencyViolation(format!(
                "The subnet '{subnet_id}' has dependencies and cannot be deleted."
            )));
        }
        if let Some(rt) = self.index.subnet_route_table.remove(&subnet.id)
            && let Some(rt) = self.route_tables.get_mut(&rt)
        {
            rt.associations
                .retain(|a| a.target != crate::AssociationTarget::Subnet(subnet.id.clone()));
        }
        if let Some(acl) = self.index.subnet_network_acl.remove(&subnet.id)
            && let Some(acl) = self.network_acls.get_mut(&acl)
        {
            acl.associations.retain(|a| a.subnet_id != subnet.id);
        }
        remove_from_set(&mut self.index.vpc_subnets, &subnet.vpc_id, &subnet.id);
        self.subnets.shift_remove(&subnet.id);
        Ok(())
    }

    /// ModifySubnetAttribute.
    pub fn modify_subnet_attribute(
        &mut self,
        caller: &Caller,
        subnet_id: &str,
        attribute: SubnetAttribute,
    ) -> Result<()> {
        let subnet = Lab::owned(
            &self.subnets,
            caller,
            Kind::Subnet,
            subnet_id,
            SubnetId::parse,
        )?;
        if matches!(
            attribute,
            SubnetAttribute::AssignIpv6AddressOnCreation(true)
        ) && subnet.ipv6_cidr_block_associations.is_empty()
        {
            return Err(Error::InvalidParameterValue(format!(
                "Invalid value 'true' for assignIpv6AddressOnCreation. Cannot set assignIpv6AddressOnCreation to true unless the subnet ({subnet_id}) has an IPv6 CIDR block associated with it."
            )));
        }
        let id = subnet.id.clone();
        if let Some(s) = self.subnets.get_mut(&id) {
            match attribute {
                SubnetAttribute::MapPublicIpOnLaunch(v) => s.map_public_ip_on_launch = v,
                SubnetAttribute::AssignIpv6AddressOnCreation(v) => {
                    s.assign_ipv6_address_on_creation = v
                }
            }
        }
        Ok(())
    }

    /// AssociateSubnetCidrBlock: an IPv6 /64 from the VPC's /56.
    pub fn associate_subnet_cidr_block(
        &mut self,
        caller: &Caller,
        subnet_id: &str,
        ipv6_cidr_block: &str,
    ) -> Result<SubnetCidrAssociationId> {
        let subnet = Lab::owned(
            &self.subnets,
            caller,
            Kind::Subnet,
            subnet_id,
            SubnetId::parse,
        )?
        .clone();
        if !subnet.ipv6_cidr_block_associations.is_empty() {
            return Err(Error::LimitExceeded {
                code: "CidrLimitExceeded",
                message: format!(
                    "This subnet '{subnet_id}' has met its maximum number of allowed IPv6 CIDRs: 1"
                ),
            });
        }
        let vpc = self
            .vpcs
            .get(&subnet.vpc_id)
            .cloned()
            .ok_or_else(|| Error::not_found(Kind::Vpc, &subnet.vpc_id))?;
        let siblings: Vec<&Subnet> = self
            .index
            .vpc_subnets
            .get(&vpc.id)
            .into_iter()
            .flatten()
            .filter_map(|s| self.subnets.get(s))
            .collect();
        let v6 = self.check_subnet_ipv6(&vpc, ipv6_cidr_block, &siblings)?;
        let association_id: SubnetCidrAssociationId = self.mint();
        if let Some(s) = self.subnets.get_mut(&subnet.id) {
            s.ipv6_cidr_block_associations.push(SubnetIpv6CidrBlock {
                association_id: association_id.clone(),
                cidr: v6,
            });
        }
        Ok(association_id)
    }

    /// DisassociateSubnetCidrBlock: refused while an interface holds an address in it.
    /// Answers the subnet and the block that went, which AWS's response shows.
    pub fn disassociate_subnet_cidr_block(
        &mut self,
        caller: &Caller,
        association_id: &str,
    ) -> Result<(SubnetId, Ipv6Net)> {
        if SubnetCidrAssociationId::parse(association_id).is_none() {
            return Err(Error::Malformed {
                kind: Kind::Association,
                id: association_id.into(),
            });
        }
        let subnet = self
            .subnets
            .values()
            .find(|s| {
                s.owner_id == caller.account
                    && s.region == caller.region
                    && s.ipv6_cidr_block_associations
                        .iter()
                        .any(|b| b.association_id.as_str() == association_id)
            })
            .cloned()
            .ok_or_else(|| Error::not_found(Kind::Association, association_id))?;
        let in_use = self
            .index
            .subnet_addresses
            .get(&subnet.id)
            .is_some_and(|a| a.iter().any(|ip| ip.is_ipv6()));
        if in_use {
            return Err(Error::DependencyViolation(format!(
                "The subnet '{}' has IPv6 addresses in use and its IPv6 CIDR block cannot be disassociated.",
                subnet.id
            )));
        }
        let cidr = subnet
            .ipv6_cidr_block_associations
            .iter()
            .find(|b| b.association_id.as_str() == association_id)
            .map(|b| b.cidr)
            .ok_or_else(|| Error::not_found(Kind::Association, association_id))?;
        if let Some(s) = self.subnets.get_mut(&subnet.id) {
            s.ipv6_cidr_block_associations
                .retain(|b| b.association_id.as_str() != association_id);
            s.assign_ipv6_address_on_creation = false;
        }
        Ok((subnet.id, cidr))
    }
}
