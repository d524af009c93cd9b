//! Instances: no virtual machine, only what the network sees — a primary interface in a
//! subnet, a state, and a public address while running.

use serde::{Deserialize, Serialize};

use crate::err::{Error, Kind, Result};
use crate::ids::*;
use crate::lab::{Caller, Lab, Tags, Timestamp};
use crate::network_interface::{NetworkInterfaceAttachment, NewInterface};
use crate::region::{AccountId, Region};
use crate::tags::{owned, validate_tags};
use crate::{InterfaceType, PublicIpAssociation};

/// An instance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instance {
    /// `i-…`.
    pub id: InstanceId,
    /// The owning account.
    pub owner_id: AccountId,
    /// Its region.
    pub region: Region,
    /// Its tags.
    pub tags: Tags,
    /// The RunInstances call that made it.
    pub reservation_id: ReservationId,
    /// The AMI id as given.
    pub image_id: String,
    /// `t3.micro`, …
    pub instance_type: String,
    /// The key pair name as given.
    pub key_name: Option<String>,
    /// Its state.
    pub state: InstanceState,
    /// Why it last changed state (AWS's `StateTransitionReason`).
    pub state_transition_reason: String,
    /// Its VPC.
    pub vpc_id: VpcId,
    /// Its primary interface's subnet.
    pub subnet_id: SubnetId,
    /// Its zone.
    pub availability_zone: String,
    /// The primary interface (device index 0).
    pub primary_network_interface_id: NetworkInterfaceId,
    /// Whether it gets an auto-assigned public address when it starts.
    pub auto_public_ip: bool,
    /// When it was last launched or started.
    pub launch_time: Timestamp,
    /// Its launch index within the reservation.
    pub ami_launch_index: u32,
}

/// AWS's instance states.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InstanceState {
    /// Launching.
    Pending,
    /// Running.
    Running,
    /// Shutting down before termination.
    ShuttingDown,
    /// Gone; still described for a while.
    Terminated,
    /// Stopping.
    Stopping,
    /// Stopped.
    Stopped,
}

impl InstanceState {
    /// AWS's state name.
    pub fn name(self) -> &'static str {
        match self {
            InstanceState::Pending => "pending",
            InstanceState::Running => "running",
            InstanceState::ShuttingDown => "shutting-down",
            InstanceState::Terminated => "terminated",
            InstanceState::Stopping => "stopping",
            InstanceState::Stopped => "stopped",
        }
    }

    /// AWS's state code.
    pub fn code(self) -> u16 {
        match self {
            InstanceState::Pending => 0,
            InstanceState::Running => 16,
            InstanceState::ShuttingDown => 32,
            InstanceState::Terminated => 48,
            InstanceState::Stopping => 64,
            InstanceState::Stopped => 80,
        }
    }
}

owned!(Instance);

/// The parameters of RunInstances.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RunInstances {
    /// The AMI id (recorded, not checked beyond its shape).
    pub image_id: String,
    /// The instance type (default `m1.small`, as AWS).
    pub instance_type: Option<String>,
    /// How many at least.
    pub min_count: u32,
    /// How many at most (the lab launches this many when the subnet has room; 0: `min_count`).
    pub max_count: u32,
    /// The subnet (default: the default VPC's default subnet in `availability_zone`, or
    /// its first one).
    pub subnet_id: Option<String>,
    /// `Placement.AvailabilityZone`: the zone to launch in (the subnet's, if one is given).
    #[serde(default)]
    pub availability_zone: Option<String>,
    /// Security group ids.
    pub security_group_ids: Vec<String>,
    /// Security group names (default VPC only).
    pub security_groups: Vec<String>,
    /// The primary private address (only when launching one instance).
    pub private_ip_address: Option<String>,
    /// Override the subnet's `MapPublicIpOnLaunch`.
    pub associate_public_ip_address: Option<bool>,
    /// How many IPv6 addresses.
    pub ipv6_address_count: Option<u32>,
    /// The key pair name.
    pub key_name: Option<String>,
    /// Tags for the instances.
    pub tags: Tags,
    /// Tags for their primary interfaces (`TagSpecification` of type
    /// `network-interface`).
    #[serde(default)]
    pub interface_tags: Tags,
}

/// A state change reported by Start/Stop/TerminateInstances.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceStateChange {
    /// The instance.
    pub instance_id: InstanceId,
    /// Its state before.
    pub previous_state: InstanceState,
    /// Its state now.
    pub current_state: InstanceState,
}

impl Lab {
    /// RunInstances: `max_count` instances (or as many as the subnet has addresses for,
    /// if that is at least `min_count`), each with a primary interface in the subnet,
    /// running at once; returns the reservation and the instances.
    pub fn run_instances(
        &mut self,
        caller: &Caller,
        req: RunInstances,
    ) -> Result<(ReservationId, Vec<InstanceId>)> {
        validate_tags(&req.tags)?;
        validate_tags(&req.interface_tags)?;
        if req.image_id.is_empty() {
            return Err(Error::MissingParameter("ImageId".into()));
        }
        if !req.image_id.starts_with("ami-") {
            return Err(Error::Coded {
                code: "InvalidAMIID.Malformed",
                message: format!("Invalid id: \"{}\" (expecting \"ami-...\")", req.image_id),
            });
        }
        // 0 stands for "not given" (1, or MinCount for MaxCount); AWS requires both.
        let min = req.min_count.max(1);
        let max = if req.max_count == 0 {
            min
        } else {
            req.max_count
        };
        if min > max {
            return Err(Error::InvalidParameterValue(
                "MinCount must be less than or equal to MaxCount".into(),
            ));
        }
        let subnet = match &req.subnet_id {
            Some(s) => Lab::owned(&self.subnets, caller, Kind::Subnet, s, SubnetId::parse)?.clone(),
            None => {
                let vpc = self
                    .default_vpc(&caller.account, caller.region)
                    .ok_or_else(|| Error::Coded {
                        code: "VPCIdNotSpecified",
                        message: "No default VPC for this user".into(),
                    })?;
                self.subnets
                    .values()
                    .filter(|s| s.vpc_id == vpc.id && s.default_for_az)
                    .filter(|s| {
                        req.availability_zone
                            .as_ref()
                            .is_none_or(|z| &s.availability_zone == z)
                    })
                    .min_by(|a, b| a.availability_zone.cmp(&b.availability_zone))
                    .cloned()
                    .ok_or_else(|| match &req.availability_zone {
                        Some(z) => Error::InvalidParameterValue(format!(
                            "Invalid availability zone: [{z}]"
                        )),
                        None => Error::InvalidParameterValue(
                            "The default VPC has no default subnet.".into(),
                        ),
                    })?
            }
        };
        // AWS: an instance lives in its subnet's zone; a different Placement zone is refused.
        if let Some(z) = req
            .availability_zone
            .as_ref()
            .filter(|z| **z != subnet.availability_zone)
        {
            return Err(Error::InvalidParameterValue(format!(
                "The subnet {} is in {}, not in the requested availability zone {z}.",
                subnet.id, subnet.availability_zone
            )));
        }
        let mut group_ids = req.security_group_ids.clone();
        if !req.security_groups.is_empty() {
            let is_default_vpc = self.vpcs.get(&subnet.vpc_id).is_some_and(|v| v.is_default);
            if req.subnet_id.is_some() && !is_default_vpc {
                return Err(Error::InvalidParameterCombination(
                    "The parameter groupName cannot be used with the parameter subnet".into(),
                ));
            }
            for name in &req.security_groups {
                let g = self
                    .security_groups
                    .values()
                    .find(|g| &g.group_name == name && g.vpc_id == subnet.vpc_id)
                    .ok_or_else(|| Error::NotFound {
                        kind: Kind::SecurityGroup,
                        id: name.clone(),
                    })?;
                group_ids.push(g.id.to_string());
            }
        }
        let groups = self.resolve_interface_groups(caller, &subnet.vpc_id, &group_ids)?;
        if req.private_ip_address.is_some() && max > 1 {
            return Err(Error::InvalidParameterCombination(
                "Cannot specify a private IP address when launching more than one instance.".into(),
            ));
        }
        let wanted: Vec<String> = req.private_ip_address.iter().cloned().collect();
        let first =
            self.pick_private_ips(&subnet, &wanted, if wanted.is_empty() { 1 } else { 0 })?;
        // AWS: "If you specify a maximum that is more instances than Amazon EC2 can launch
        // …, Amazon EC2 launches the largest possible number of instances above the
        // specified minimum count"; below the minimum, none. Free addresses are the
        // capacity here.
        let free = self.available_ip_address_count(&subnet);
        let count = u32::try_from(free).unwrap_or(u32::MAX).min(max);
        if count < min {
            return Err(Error::InsufficientFreeAddressesInSubnet(
                subnet.id.to_string(),
            ));
        }
        let ipv6_count = req
            .ipv6_address_count
            .unwrap_or(u32::from(subnet.assign_ipv6_address_on_creation));
        if ipv6_count > 0 && subnet.ipv6_cidr_block_associations.is_empty() {
            return Err(Error::InvalidParameterValue(format!(
                "Subnet {} has no IPv6 CIDR block.",
                subnet.id
            )));
        }
        let auto_public_ip = req
            .associate_public_ip_address
            .unwrap_or(subnet.map_public_ip_on_launch);
        // Checked: launch now.
        let reservation: ReservationId = self.mint();
        let mut launched = Vec::new();
        for n in 0..count {
            let private_ips = if n == 0 {
                first.clone()
            } else {
                self.pick_private_ips(&subnet, &[], 1)?
            };
            let ipv6_addresses = self.pick_ipv6(&subnet, ipv6_count as usize)?;
            let eni = self.insert_interface(
                caller,
                NewInterface {
                    subnet_id: subnet.id.clone(),
                    description: String::new(),
                    interface_type: InterfaceType::Interface,
                    requester_managed: false,
                    groups: groups.clone(),
                    private_ips,
                    ipv6_addresses,
                    tags: req.interface_tags.clone(),
                },
            );
            let id: InstanceId = self.mint();
            let attachment_id = self.mint();
            self.update_interface(&eni, |e| {
                e.attachment = Some(NetworkInterfaceAttachment {
                    attachment_id,
                    instance_id: id.clone(),
                    device_index: 0,
                    delete_on_termination: true,
                    attach_time: caller.now,
                });
            });
            self.instances.insert(
                id.clone(),
                Instance {
                    id: id.clone(),
                    owner_id: caller.account.clone(),
                    region: caller.region,
                    tags: req.tags.clone(),
                    reservation_id: reservation.clone(),
                    image_id: req.image_id.clone(),
                    instance_type: req
                        .instance_type
                        .clone()
                        .unwrap_or_else(|| "m1.small".into()),
                    key_name: req.key_name.clone(),
                    state: InstanceState::Running,
                    state_transition_reason: String::new(),
                    vpc_id: subnet.vpc_id.clone(),
                    subnet_id: subnet.id.clone(),
                    availability_zone: subnet.availability_zone.clone(),
                    primary_network_interface_id: eni.clone(),
                    auto_public_ip,
                    launch_time: caller.now,
                    ami_launch_index: n,
                },
            );
            if auto_public_ip {
                self.assign_auto_public_ip(caller.region, &eni)?;
            }
            launched.push(id);
        }
        Ok((reservation, launched))
    }

    /// Gives an interface's primary address an auto-assigned public address.
    pub(crate) fn assign_auto_public_ip(
        &mut self,
        region: Region,
        eni: &NetworkInterfaceId,
    ) -> Result<()> {
        let public_ip = self.next_public_ip(region)?;
        let Some(primary) = self
            .network_interfaces
            .get(eni)
            .map(|e| e.primary_private_ip())
        else {
            return Ok(());
        };
        let has_eip = self
            .network_interfaces
            .get(eni)
            .and_then(|e| e.public_ip())
            .is_some();
        if has_eip {
            return Ok(());
        }
        self.set_public_association(
            eni,
            primary,
            Some(PublicIpAssociation {
                public_ip,
                allocation_id: None,
                association_id: None,
                ip_owner_id: "amazon".into(),
            }),
        );
        Ok(())
    }

    /// Releases an interface's auto-assigned public addresses (on stop and terminate).
    fn release_auto_public_ips(&mut self, eni: &NetworkInterfaceId) {
        self.update_interface(eni, |e| {
            for p in &mut e.private_ips {
                if p.association
                    .as_ref()
                    .is_some_and(|a| a.allocation_id.is_none())
                {
                    p.association = None;
                }
            }
        });
    }

    fn own_instances(&self, caller: &Caller, ids: &[String]) -> Result<Vec<InstanceId>> {
        ids.iter()
            .map(|id| {
                Lab::owned(
                    &self.instances,
                    caller,
                    Kind::Instance,
                    id,
                    InstanceId::parse,
                )
                .map(|i| i.id.clone())
            })
            .collect()
    }

    /// StopInstances: the auto-assigned public address is released, as on AWS.
    pub fn stop_instances(
        &mut self,
        caller: &Caller,
        ids: &[String],
    ) -> Result<Vec<InstanceStateChange>> {
        let ids = self.own_instances(caller, ids)?;
        for id in &ids {
            let state = self.instances.get(id).map(|i| i.state);
            if matches!(
                state,
                Some(InstanceState::Terminated | InstanceState::ShuttingDown)
            ) {
                return Err(Error::IncorrectInstanceState(format!(
                    "This instance '{id}' is not in a state from which it can be stopped."
                )));
            }
        }
        let mut changes = Vec::new();
        for id in ids {
            let Some(i) = self.instances.get_mut(&id) else {
                continue;
            };
            let previous = i.state;
            i.state = InstanceState::Stopped;
            i.state_transition_reason = "User initiated".into();
            let eni = i.primary_network_interface_id.clone();
            self.release_auto_public_ips(&eni);
            changes.push(InstanceStateChange {
                instance_id: id,
                previous_state: previous,
                current_state: InstanceState::Stopped,
            });
        }
        Ok(changes)
    }

    /// StartInstances: a stopped instance runs again, with a new auto-assigned public
    /// address if it launched with one.
    pub fn start_instances(
        &mut self,
        caller: &Caller,
        ids: &[String],
    ) -> Result<Vec<InstanceStateChange>> {
        let ids = self.own_instances(caller, ids)?;
        for id in &ids {
            let state = self.instances.get(id).map(|i| i.state);
            if matches!(
                state,
                Some(InstanceState::Terminated | InstanceState::ShuttingDown)
            ) {
                return Err(Error::IncorrectInstanceState(format!(
                    "The instance '{id}' is not in a state from which it can be started."
                )));
            }
        }
        let mut changes = Vec::new();
        for id in ids {
            let Some(i) = self.instances.get_mut(&id) else {
                continue;
            };
            let previous = i.state;
            i.state = InstanceState::Running;
            i.state_transition_reason = String::new();
            if previous != InstanceState::Running {
                i.launch_time = caller.now;
            }
            let (eni, auto) = (i.primary_network_interface_id.clone(), i.auto_public_ip);
            // AWS: a released public address is not replaced "if there is more than one
            // network interface attached to your instance".
            if previous == InstanceState::Stopped && auto && self.attached_interface_count(&id) == 1
            {
                self.assign_auto_public_ip(caller.region, &eni)?;
            }
            changes.push(InstanceStateChange {
                instance_id: id,
                previous_state: previous,
                current_state: InstanceState::Running,
            });
        }
        Ok(changes)
    }

    /// TerminateInstances: interfaces marked delete-on-termination go (their Elastic IPs
    /// are disassociated), others are detached; the instance stays `terminated`.
    pub fn terminate_instances(
        &mut self,
        caller: &Caller,
        ids: &[String],
    ) -> Result<Vec<InstanceStateChange>> {
        let ids = self.own_instances(caller, ids)?;
        let mut changes = Vec::new();
        for id in ids {
            let Some(previous) = self.instances.get(&id).map(|i| i.state) else {
                continue;
            };
            if previous != InstanceState::Terminated {
                let attached: Vec<(NetworkInterfaceId, bool)> = self
                    .network_interfaces
                    .values()
                    .filter_map(|e| {
                        let a = e.attachment.as_ref().filter(|a| a.instance_id == id)?;
                        Some((e.id.clone(), a.delete_on_termination))
                    })
                    .collect();
                for (eni, delete) in attached {
                    if delete {
                        self.remove_interface(&eni);
                    } else {
                        self.release_auto_public_ips(&eni);
                        self.update_interface(&eni, |e| e.attachment = None);
                    }
                }
                if let Some(i) = self.instances.get_mut(&id) {
                    i.state = InstanceState::Terminated;
                    i.state_transition_reason = "User initiated".into();
                }
            }
            changes.push(InstanceStateChange {
                instance_id: id,
                previous_state: previous,
                current_state: InstanceState::Terminated,
            });
        }
        Ok(changes)
    }

    /// The private DNS name AWS gives an instance's address: `ip-10-0-1-5.ec2.internal`
    /// in us-east-1, `ip-10-0-1-5.<region>.compute.internal` elsewhere.
    pub fn private_dns_name(region: Region, ip: std::net::Ipv4Addr) -> String {
        let o = ip.octets();
        format!(
            "ip-{}-{}-{}-{}.{}",
            o[0],
            o[1],
            o[2],
            o[3],
            region.info().private_dns_suffix
        )
    }

    /// The public DNS name AWS gives a public address: `ec2-54-1-2-3.compute-1.amazonaws.com`
    /// in us-east-1, `ec2-….<region>.compute.amazonaws.com` elsewhere.
    pub fn public_dns_name(region: Region, ip: std::net::Ipv4Addr) -> String {
        let o = ip.octets();
        if region.name() == "us-east-1" {
            format!(
                "ec2-{}-{}-{}-{}.compute-1.amazonaws.com",
                o[0], o[1], o[2], o[3]
            )
        } else {
            format!(
                "ec2-{}-{}-{}-{}.{}.compute.amazonaws.com",
                o[0],
                o[1],
                o[2],
                o[3],
                region.name()
            )
        }
    }
}
