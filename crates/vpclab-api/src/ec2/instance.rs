//! Instances (no VM: an instance is its interfaces and its state): RunInstances,
//! DescribeInstances, TerminateInstances, StopInstances, StartInstances.

use vpclab_model::{
    Caller, Instance, InstanceId, InstanceState, InstanceStateChange, Kind, Lab, NetworkInterface,
    Operation, Outcome, RunInstances, Tags,
};

use super::describe::{
    Filters, check_ids, ids_or_page, is_tag_filter, page, tag_filter, tag_set, wanted,
};
use super::network_interface::{
    count, group_identifiers, mine, network_interface_filter, public_dns_name, time_text, unserved,
    wire_time,
};
use super::shapes;
use super::tags::from_specs;
use super::wire::{FromQuery, Query};
use super::{Handler, Plan};
use crate::error::ApiError;

/// The actions of this module.
pub const ACTIONS: &[(&str, Handler)] = &[
    ("RunInstances", run_instances),
    ("DescribeInstances", describe_instances),
    ("TerminateInstances", terminate_instances),
    ("StopInstances", stop_instances),
    ("StartInstances", start_instances),
];

/// What every lab instance is, as DescribeInstances reports it: an EBS-backed HVM
/// x86_64 Linux instance on AWS's defaults.
const ARCHITECTURE: &str = "x86_64";
const ROOT_DEVICE_NAME: &str = "/dev/xvda";
const ROOT_DEVICE_TYPE: &str = "ebs";
const HYPERVISOR: &str = "xen";
const VIRTUALIZATION_TYPE: &str = "hvm";
const PLATFORM_DETAILS: &str = "Linux/UNIX";
const USAGE_OPERATION: &str = "RunInstances";

/// AWS's state reason for an instance its user stopped or terminated.
const USER_SHUTDOWN: (&str, &str) = (
    "Client.UserInitiatedShutdown",
    "Client.UserInitiatedShutdown: User initiated shutdown",
);

fn state_shape(s: InstanceState) -> shapes::InstanceState {
    shapes::InstanceState {
        code: Some(i32::from(s.code())),
        name: Some(s.name().into()),
    }
}

fn state_reason(i: &Instance) -> Option<(&'static str, &'static str)> {
    matches!(i.state, InstanceState::Stopped | InstanceState::Terminated).then_some(USER_SHUTDOWN)
}

/// The interfaces attached to an instance, by device index.
fn interfaces<'a>(lab: &'a Lab, i: &Instance) -> Vec<&'a NetworkInterface> {
    let mut out: Vec<&NetworkInterface> = lab
        .network_interfaces()
        .filter(|e| e.attachment.as_ref().is_some_and(|a| a.instance_id == i.id))
        .collect();
    out.sort_by_key(|e| e.attachment.as_ref().map_or(0, |a| a.device_index));
    out
}

/// The instance's primary interface, while it has one: AWS describes a terminated
/// instance with no network details.
fn primary<'a>(lab: &'a Lab, i: &Instance) -> Option<&'a NetworkInterface> {
    if i.state == InstanceState::Terminated {
        return None;
    }
    lab.network_interface(i.primary_network_interface_id.as_str())
}

fn tenancy(lab: &Lab, i: &Instance) -> String {
    match lab.vpc(i.vpc_id.as_str()) {
        Some(v) if v.instance_tenancy == "dedicated" => "dedicated".into(),
        _ => "default".into(),
    }
}

fn instance_interface(lab: &Lab, e: &NetworkInterface) -> shapes::InstanceNetworkInterface {
    let assoc =
        |a: &vpclab_model::PublicIpAssociation| shapes::InstanceNetworkInterfaceAssociation {
            ip_owner_id: Some(a.ip_owner_id.clone()),
            public_dns_name: Some(public_dns_name(lab, e, a.public_ip).unwrap_or_default()),
            public_ip: Some(a.public_ip.to_string()),
            ..Default::default()
        };
    let primary_ip = e.primary_private_ip();
    shapes::InstanceNetworkInterface {
        association: e
            .private_ips
            .iter()
            .find(|p| p.primary)
            .and_then(|p| p.association.as_ref())
            .map(assoc),
        attachment: e
            .attachment
            .as_ref()
            .map(|a| shapes::InstanceNetworkInterfaceAttachment {
                attach_time: Some(wire_time(a.attach_time)),
                attachment_id: Some(a.attachment_id.to_string()),
                delete_on_termination: Some(a.delete_on_termination),
                device_index: Some(i32::try_from(a.device_index).unwrap_or(i32::MAX)),
                status: Some("attached".into()),
                network_card_index: Some(0),
                ..Default::default()
            }),
        description: Some(e.description.clone()),
        groups: Some(group_identifiers(lab, &e.groups)),
        ipv6_addresses: Some(
            e.ipv6_addresses
                .iter()
                .map(|a| shapes::InstanceIpv6Address {
                    ipv6_address: Some(a.to_string()),
                    is_primary_ipv6: Some(false),
                })
                .collect(),
        ),
        mac_address: Some(e.mac_address.clone()),
        network_interface_id: Some(e.id.to_string()),
        owner_id: Some(e.owner_id.to_string()),
        private_dns_name: Some(Lab::private_dns_name(e.region, primary_ip)),
        private_ip_address: Some(primary_ip.to_string()),
        private_ip_addresses: Some(
            e.private_ips
                .iter()
                .map(|p| shapes::InstancePrivateIpAddress {
                    association: p.association.as_ref().map(assoc),
                    primary: Some(p.primary),
                    private_dns_name: Some(Lab::private_dns_name(e.region, p.address)),
                    private_ip_address: Some(p.address.to_string()),
                })
                .collect(),
        ),
        source_dest_check: Some(e.source_dest_check),
        status: Some("in-use".into()),
        subnet_id: Some(e.subnet_id.to_string()),
        vpc_id: Some(e.vpc_id.to_string()),
        interface_type: Some(e.interface_type.as_str().into()),
        ..Default::default()
    }
}

/// An instance as the wire shows it.
pub fn instance_shape(lab: &Lab, i: &Instance) -> shapes::Instance {
    let eni = primary(lab, i);
    let private_ip = eni.map(|e| e.primary_private_ip());
    let public_ip = eni.and_then(|e| e.public_ip());
    let zone_id = lab
        .subnet(i.subnet_id.as_str())
        .map(|s| s.availability_zone_id.clone());
    let live = i.state != InstanceState::Terminated;
    shapes::Instance {
        instance_id: Some(i.id.to_string()),
        image_id: Some(i.image_id.clone()),
        instance_type: Some(i.instance_type.clone()),
        state: Some(state_shape(i.state)),
        state_transition_reason: Some(i.state_transition_reason.clone()),
        state_reason: state_reason(i).map(|(code, message)| shapes::StateReason {
            code: Some(code.into()),
            message: Some(message.into()),
        }),
        key_name: i.key_name.clone(),
        ami_launch_index: Some(i32::try_from(i.ami_launch_index).unwrap_or(i32::MAX)),
        launch_time: Some(wire_time(i.launch_time)),
        placement: Some(shapes::Placement {
            availability_zone: Some(i.availability_zone.clone()),
            availability_zone_id: zone_id,
            group_name: Some(String::new()),
            tenancy: Some(tenancy(lab, i)),
            ..Default::default()
        }),
        // AWS: "PrivateDnsName … an empty string" once terminated, and "PublicDnsName …
        // an empty string … if the instance is not running" or has no public address.
        private_dns_name: Some(
            private_ip
                .map(|ip| Lab::private_dns_name(i.region, ip))
                .unwrap_or_default(),
        ),
        private_ip_address: private_ip.map(|ip| ip.to_string()),
        public_dns_name: Some(
            eni.zip(public_ip)
                .and_then(|(e, ip)| public_dns_name(lab, e, ip))
                .unwrap_or_default(),
        ),
        public_ip_address: public_ip.map(|ip| ip.to_string()),
        subnet_id: live.then(|| i.subnet_id.to_string()),
        vpc_id: live.then(|| i.vpc_id.to_string()),
        network_interfaces: Some(if live {
            interfaces(lab, i)
                .into_iter()
                .map(|e| instance_interface(lab, e))
                .collect()
        } else {
            Vec::new()
        }),
        security_groups: Some(
            eni.map(|e| group_identifiers(lab, &e.groups))
                .unwrap_or_default(),
        ),
        source_dest_check: eni.map(|e| e.source_dest_check),
        tags: tag_set(&i.tags),
        architecture: Some(ARCHITECTURE.into()),
        root_device_name: Some(ROOT_DEVICE_NAME.into()),
        root_device_type: Some(ROOT_DEVICE_TYPE.into()),
        hypervisor: Some(HYPERVISOR.into()),
        virtualization_type: Some(VIRTUALIZATION_TYPE.into()),
        monitoring: Some(shapes::Monitoring {
            state: Some("disabled".into()),
            ..Default::default()
        }),
        ebs_optimized: Some(false),
        ena_support: Some(true),
        product_codes: Some(Vec::new()),
        platform_details: Some(PLATFORM_DETAILS.into()),
        usage_operation: Some(USAGE_OPERATION.into()),
        usage_operation_update_time: Some(wire_time(i.launch_time)),
        capacity_reservation_specification: Some(
            shapes::CapacityReservationSpecificationResponse {
                capacity_reservation_preference: Some("open".into()),
                ..Default::default()
            },
        ),
        hibernation_options: Some(shapes::HibernationOptions {
            configured: Some(false),
        }),
        enclave_options: Some(shapes::EnclaveOptions {
            enabled: Some(false),
        }),
        private_dns_name_options: Some(shapes::PrivateDnsNameOptionsResponse {
            hostname_type: Some("ip-name".into()),
            enable_resource_name_dns_a_record: Some(false),
            enable_resource_name_dns_aaaa_record: Some(false),
        }),
        ..Default::default()
    }
}

/// DescribeInstances' filters: every name AWS documents. Those about things the lab does
/// not model (volumes, kernels, capacity reservations, host ids, …) match nothing, as on
/// AWS for an instance without them.
const INSTANCE_FILTERS: &[&str] = &[
    "affinity",
    "architecture",
    "availability-zone",
    "availability-zone-id",
    "block-device-mapping.attach-time",
    "block-device-mapping.delete-on-termination",
    "block-device-mapping.device-name",
    "block-device-mapping.status",
    "block-device-mapping.volume-id",
    "boot-mode",
    "capacity-reservation-id",
    "capacity-reservation-specification.capacity-reservation-preference",
    "capacity-reservation-specification.capacity-reservation-target.capacity-reservation-id",
    "capacity-reservation-specification.capacity-reservation-target.capacity-reservation-resource-group-arn",
    "client-token",
    "current-instance-boot-mode",
    "dns-name",
    "ebs-optimized",
    "ena-support",
    "enclave-options.enabled",
    "hibernation-options.configured",
    "host-id",
    "hypervisor",
    "iam-instance-profile.arn",
    "iam-instance-profile.id",
    "image-id",
    "instance-id",
    "instance-lifecycle",
    "instance-state-code",
    "instance-state-name",
    "instance-type",
    "instance.group-id",
    "instance.group-name",
    "ip-address",
    "ipv6-address",
    "kernel-id",
    "key-name",
    "launch-index",
    "launch-time",
    "maintenance-options.auto-recovery",
    "metadata-options.http-endpoint",
    "metadata-options.http-protocol-ipv4",
    "metadata-options.http-protocol-ipv6",
    "metadata-options.http-put-response-hop-limit",
    "metadata-options.http-tokens",
    "metadata-options.instance-metadata-tags",
    "metadata-options.state",
    "monitoring-state",
    "network-interface.addresses.association.allocation-id",
    "network-interface.addresses.association.association-id",
    "network-interface.addresses.association.carrier-ip",
    "network-interface.addresses.association.customer-owned-ip",
    "network-interface.addresses.association.ip-owner-id",
    "network-interface.addresses.association.public-dns-name",
    "network-interface.addresses.association.public-ip",
    "network-interface.addresses.primary",
    "network-interface.addresses.private-dns-name",
    "network-interface.addresses.private-ip-address",
    "network-interface.association.allocation-id",
    "network-interface.association.association-id",
    "network-interface.association.carrier-ip",
    "network-interface.association.customer-owned-ip",
    "network-interface.association.ip-owner-id",
    "network-interface.association.public-dns-name",
    "network-interface.association.public-ip",
    "network-interface.attachment.attach-time",
    "network-interface.attachment.attachment-id",
    "network-interface.attachment.delete-on-termination",
    "network-interface.attachment.device-index",
    "network-interface.attachment.instance-id",
    "network-interface.attachment.instance-owner-id",
    "network-interface.attachment.network-card-index",
    "network-interface.attachment.status",
    "network-interface.availability-zone",
    "network-interface.deny-all-igw-traffic",
    "network-interface.description",
    "network-interface.group-id",
    "network-interface.group-name",
    "network-interface.ipv4-prefixes.ipv4-prefix",
    "network-interface.ipv6-address",
    "network-interface.ipv6-addresses.ipv6-address",
    "network-interface.ipv6-addresses.is-primary-ipv6",
    "network-interface.ipv6-native",
    "network-interface.ipv6-prefixes.ipv6-prefix",
    "network-interface.mac-address",
    "network-interface.network-interface-id",
    "network-interface.operator.managed",
    "network-interface.operator.principal",
    "network-interface.outpost-arn",
    "network-interface.owner-id",
    "network-interface.private-dns-name",
    "network-interface.private-ip-address",
    "network-interface.public-dns-name",
    "network-interface.requester-id",
    "network-interface.requester-managed",
    "network-interface.status",
    "network-interface.source-dest-check",
    "network-interface.subnet-id",
    "network-interface.tag-key",
    "network-interface.tag-value",
    "network-interface.vpc-id",
    "network-performance-options.bandwidth-weighting",
    "operator.managed",
    "operator.principal",
    "outpost-arn",
    "owner-id",
    "placement-group-name",
    "placement-partition-number",
    "platform",
    "platform-details",
    "private-dns-name",
    "private-dns-name-options.enable-resource-name-dns-a-record",
    "private-dns-name-options.enable-resource-name-dns-aaaa-record",
    "private-dns-name-options.hostname-type",
    "private-ip-address",
    "product-code",
    "product-code.type",
    "ramdisk-id",
    "reason",
    "requester-id",
    "reservation-id",
    "root-device-name",
    "root-device-type",
    "source-dest-check",
    "spot-instance-request-id",
    "state-reason-code",
    "state-reason-message",
    "subnet-id",
    "tenancy",
    "tpm-support",
    "usage-operation",
    "usage-operation-update-time",
    "virtualization-type",
    "vpc-id",
];

/// An instance's values for DescribeInstances' filters.
fn instance_filter(lab: &Lab, i: &Instance, name: &str) -> Option<Vec<String>> {
    let eni = primary(lab, i);
    let live = i.state != InstanceState::Terminated;
    let one = |s: &str| vec![s.to_owned()];
    if let Some(rest) = name.strip_prefix("network-interface.") {
        let mut out = Vec::new();
        if live {
            for e in interfaces(lab, i) {
                out.extend(network_interface_filter(lab, e, rest).unwrap_or_default());
            }
        }
        return Some(out);
    }
    Some(match name {
        "architecture" => one(ARCHITECTURE),
        "availability-zone" => vec![i.availability_zone.clone()],
        "availability-zone-id" => lab
            .subnet(i.subnet_id.as_str())
            .map(|s| s.availability_zone_id.clone())
            .into_iter()
            .collect(),
        "capacity-reservation-specification.capacity-reservation-preference" => one("open"),
        "dns-name" => eni
            .and_then(|e| e.public_ip().and_then(|ip| public_dns_name(lab, e, ip)))
            .into_iter()
            .collect(),
        "ebs-optimized" | "hibernation-options.configured" | "enclave-options.enabled" => {
            one("false")
        }
        "ena-support" => one("true"),
        "hypervisor" => one(HYPERVISOR),
        "image-id" => vec![i.image_id.clone()],
        "instance-id" => vec![i.id.to_string()],
        "instance-state-code" => vec![i.state.code().to_string()],
        "instance-state-name" => one(i.state.name()),
        "instance-type" => vec![i.instance_type.clone()],
        "instance.group-id" => eni
            .map(|e| e.groups.iter().map(|g| g.to_string()).collect())
            .unwrap_or_default(),
        "instance.group-name" => eni
            .map(|e| {
                e.groups
                    .iter()
                    .filter_map(|g| lab.security_group(g.as_str()))
                    .map(|g| g.group_name.clone())
                    .collect()
            })
            .unwrap_or_default(),
        "ip-address" => eni
            .and_then(|e| e.public_ip())
            .map(|ip| ip.to_string())
            .into_iter()
            .collect(),
        "ipv6-address" => eni
            .map(|e| e.ipv6_addresses.iter().map(|a| a.to_string()).collect())
            .unwrap_or_default(),
        "key-name" => i.key_name.clone().into_iter().collect(),
        "launch-index" => vec![i.ami_launch_index.to_string()],
        "launch-time" | "usage-operation-update-time" => vec![time_text(i.launch_time)],
        "monitoring-state" => one("disabled"),
        "operator.managed" => one("false"),
        "owner-id" => vec![i.owner_id.to_string()],
        "platform-details" => one(PLATFORM_DETAILS),
        "private-dns-name" => eni
            .map(|e| Lab::private_dns_name(i.region, e.primary_private_ip()))
            .into_iter()
            .collect(),
        "private-dns-name-options.hostname-type" => one("ip-name"),
        "private-dns-name-options.enable-resource-name-dns-a-record"
        | "private-dns-name-options.enable-resource-name-dns-aaaa-record" => one("false"),
        "private-ip-address" => eni
            .map(|e| e.primary_private_ip().to_string())
            .into_iter()
            .collect(),
        "reason" => vec![i.state_transition_reason.clone()],
        "reservation-id" => vec![i.reservation_id.to_string()],
        "root-device-name" => one(ROOT_DEVICE_NAME),
        "root-device-type" => one(ROOT_DEVICE_TYPE),
        "source-dest-check" => eni
            .map(|e| e.source_dest_check.to_string())
            .into_iter()
            .collect(),
        "state-reason-code" => state_reason(i)
            .map(|r| r.0.to_owned())
            .into_iter()
            .collect(),
        "state-reason-message" => state_reason(i)
            .map(|r| r.1.to_owned())
            .into_iter()
            .collect(),
        "subnet-id" => live.then(|| i.subnet_id.to_string()).into_iter().collect(),
        "tenancy" => vec![tenancy(lab, i)],
        "usage-operation" => one(USAGE_OPERATION),
        "virtualization-type" => one(VIRTUALIZATION_TYPE),
        "vpc-id" => live.then(|| i.vpc_id.to_string()).into_iter().collect(),
        other if is_tag_filter(other) => return tag_filter(&i.tags, other),
        other if INSTANCE_FILTERS.contains(&other) => Vec::new(),
        _ => return None,
    })
}

/// `TagSpecification.N` of RunInstances: tags for the instances and for their
/// interfaces. AWS also takes `volume` (and other launch-time types); the lab has no
/// volumes, so those tags have nothing to go on and are dropped.
fn launch_tags(specs: &Option<Vec<shapes::TagSpecification>>) -> Result<(Tags, Tags), ApiError> {
    let of = |kind: &str| -> Option<Vec<shapes::TagSpecification>> {
        Some(
            specs
                .iter()
                .flatten()
                .filter(|s| s.resource_type.as_deref() == Some(kind))
                .cloned()
                .collect(),
        )
    };
    for spec in specs.iter().flatten() {
        let kind = spec.resource_type.as_deref().unwrap_or("");
        if ![
            "instance",
            "network-interface",
            "volume",
            "spot-instances-request",
        ]
        .contains(&kind)
        {
            return Err(ApiError::invalid_value(format!(
                "'{kind}' is not a valid taggable resource type for this operation."
            )));
        }
    }
    // Checked like the others even though nothing carries them.
    from_specs(&of("volume"), "volume")?;
    Ok((
        from_specs(&of("instance"), "instance")?,
        from_specs(&of("network-interface"), "network-interface")?,
    ))
}

/// RunInstances' `NetworkInterface.N`: the lab launches an instance with one interface,
/// made at launch; the members it can honour map onto the launch, the others are refused.
fn apply_interface_spec(
    run: &mut RunInstances,
    specs: &[shapes::InstanceNetworkInterfaceSpecification],
    instance_level: &[(&str, bool)],
) -> Result<(), ApiError> {
    // AWS: "Network interfaces and an instance-level subnet ID / security groups / private
    // IP address may not be specified on the same request".
    if let Some((name, _)) = instance_level.iter().find(|(_, given)| *given) {
        return Err(ApiError::new(
            "InvalidParameterCombination",
            format!(
                "Network interfaces and an instance-level {name} may not be specified on the same request"
            ),
        ));
    }
    let [spec] = specs else {
        return Err(ApiError::invalid_value(
            "The lab launches instances with one network interface (DeviceIndex 0); attach more with AttachNetworkInterface.",
        ));
    };
    match spec.device_index {
        Some(0) => {}
        None => {
            return Err(ApiError::new(
                "InvalidParameterValue",
                "Each network interface requires a device index.",
            ));
        }
        Some(n) => {
            return Err(ApiError::invalid_value(format!(
                "Value ({n}) for parameter DeviceIndex is invalid. The launch interface is at device index 0."
            )));
        }
    }
    let refused = [
        ("NetworkInterfaceId", spec.network_interface_id.is_some()),
        (
            "Description",
            spec.description.as_deref().is_some_and(|d| !d.is_empty()),
        ),
        ("PrivateIpAddresses", spec.private_ip_addresses.is_some()),
        (
            "SecondaryPrivateIpAddressCount",
            spec.secondary_private_ip_address_count
                .is_some_and(|n| n != 0),
        ),
        ("Ipv6Addresses", spec.ipv6_addresses.is_some()),
        ("Ipv4Prefix", spec.ipv4_prefixes.is_some()),
        ("Ipv4PrefixCount", spec.ipv4_prefix_count.is_some()),
        ("Ipv6Prefix", spec.ipv6_prefixes.is_some()),
        ("Ipv6PrefixCount", spec.ipv6_prefix_count.is_some()),
        (
            "AssociateCarrierIpAddress",
            spec.associate_carrier_ip_address == Some(true),
        ),
        (
            "InterfaceType",
            spec.interface_type
                .as_deref()
                .is_some_and(|t| t != "interface"),
        ),
        (
            "NetworkCardIndex",
            spec.network_card_index.is_some_and(|n| n != 0),
        ),
        ("PrimaryIpv6", spec.primary_ipv6 == Some(true)),
        ("EnaSrdSpecification", spec.ena_srd_specification.is_some()),
        (
            "ConnectionTrackingSpecification",
            spec.connection_tracking_specification.is_some(),
        ),
        ("EnaQueueCount", spec.ena_queue_count.is_some()),
        // The launch interface always goes with its instance in the lab.
        (
            "DeleteOnTermination",
            spec.delete_on_termination == Some(false),
        ),
    ];
    if let Some((name, _)) = refused.iter().find(|(_, given)| *given) {
        return Err(ApiError::invalid_value(format!(
            "NetworkInterface.1.{name} is not served by the lab; it launches with DeviceIndex, SubnetId, SecurityGroupId, PrivateIpAddress, AssociatePublicIpAddress and Ipv6AddressCount."
        )));
    }
    run.subnet_id = spec.subnet_id.clone();
    run.security_group_ids = spec.groups.clone().unwrap_or_default();
    run.private_ip_address = spec.private_ip_address.clone();
    run.associate_public_ip_address = spec.associate_public_ip_address;
    if spec.ipv6_address_count.is_some() {
        run.ipv6_address_count = count(spec.ipv6_address_count, "Ipv6AddressCount")?;
    }
    Ok(())
}

fn run_instances(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::RunInstancesRequest::from_query(q, "")?;
    // Parameters that change what the network sees, or promise behaviour the lab does not
    // have, are refused; the ones about the machine inside (user data, volumes,
    // monitoring, metadata options, …) are accepted and have no effect.
    unserved(&req.launch_template, "LaunchTemplate")?;
    unserved(&req.ipv6_addresses, "Ipv6Address")?;
    unserved(&req.kernel_id, "KernelId")?;
    unserved(&req.ramdisk_id, "RamdiskId")?;
    unserved(&req.elastic_gpu_specification, "ElasticGpuSpecification")?;
    unserved(
        &req.elastic_inference_accelerators,
        "ElasticInferenceAccelerator",
    )?;
    unserved(&req.instance_market_options, "InstanceMarketOptions")?;
    unserved(
        &req.capacity_reservation_specification,
        "CapacityReservationSpecification",
    )?;
    unserved(&req.license_specifications, "LicenseSpecification")?;
    unserved(&req.secondary_interfaces, "SecondaryInterfaces")?;
    unserved(
        &req.network_performance_options,
        "NetworkPerformanceOptions",
    )?;
    unserved(&req.operator, "Operator")?;
    for (name, on) in [
        (
            "HibernationOptions",
            req.hibernation_options.as_ref().and_then(|h| h.configured),
        ),
        (
            "EnclaveOptions",
            req.enclave_options.as_ref().and_then(|e| e.enabled),
        ),
        ("DisableApiStop", req.disable_api_stop),
        ("DisableApiTermination", req.disable_api_termination),
        ("EnablePrimaryIpv6", req.enable_primary_ipv6),
    ] {
        if on == Some(true) {
            return Err(ApiError::invalid_value(format!(
                "{name} is not served by the lab."
            )));
        }
    }
    let placement = req.placement.clone().unwrap_or_default();
    if let Some(t) = placement.tenancy.as_deref().filter(|t| *t != "default") {
        return Err(ApiError::invalid_value(format!(
            "Value ({t}) for parameter Placement.Tenancy is invalid. The lab launches instances with default tenancy."
        )));
    }
    unserved(
        &placement.group_name.filter(|g| !g.is_empty()),
        "Placement.GroupName",
    )?;
    unserved(&placement.group_id, "Placement.GroupId")?;
    unserved(&placement.host_id, "Placement.HostId")?;
    unserved(&placement.affinity, "Placement.Affinity")?;
    unserved(&placement.partition_number, "Placement.PartitionNumber")?;
    unserved(
        &placement.host_resource_group_arn,
        "Placement.HostResourceGroupArn",
    )?;
    unserved(&placement.spread_domain, "Placement.SpreadDomain")?;
    unserved(
        &placement.availability_zone_id,
        "Placement.AvailabilityZoneId",
    )?;
    // AWS: MinCount and MaxCount are at least 1.
    for (name, n) in [("minCount", req.min_count), ("maxCount", req.max_count)] {
        if n < 1 {
            return Err(ApiError::invalid_value(format!(
                "Value ({n}) for parameter {name} is invalid. Expected a value greater than or equal to 1."
            )));
        }
    }
    let (tags, interface_tags) = launch_tags(&req.tag_specifications)?;
    let mut run = RunInstances {
        image_id: req.image_id.clone().unwrap_or_default(),
        instance_type: req.instance_type.clone(),
        min_count: u32::try_from(req.min_count).unwrap_or(1),
        max_count: u32::try_from(req.max_count).unwrap_or(1),
        subnet_id: req.subnet_id.clone(),
        availability_zone: placement.availability_zone.clone(),
        security_group_ids: req.security_group_ids.clone().unwrap_or_default(),
        security_groups: req.security_groups.clone().unwrap_or_default(),
        private_ip_address: req.private_ip_address.clone(),
        associate_public_ip_address: None,
        ipv6_address_count: count(req.ipv6_address_count, "Ipv6AddressCount")?,
        key_name: req.key_name.clone(),
        tags,
        interface_tags,
    };
    if let Some(specs) = &req.network_interfaces {
        apply_interface_spec(
            &mut run,
            specs,
            &[
                ("subnet ID", req.subnet_id.is_some()),
                (
                    "security groups",
                    req.security_group_ids.is_some() || req.security_groups.is_some(),
                ),
                ("private IP address", req.private_ip_address.is_some()),
                ("IPv6 address count", req.ipv6_address_count.is_some()),
            ],
        )?;
    }
    Ok(Plan::write(Operation::RunInstances(run), |lab, outcome| {
        let Outcome::Reservation(reservation, ids) = outcome else {
            return Err(ApiError::internal("no instances were launched"));
        };
        let instances: Vec<&Instance> = ids
            .iter()
            .filter_map(|id| lab.instance(id.as_str()))
            .collect();
        Ok(reservation_shape(lab, reservation.to_string(), instances))
    }))
}

fn reservation_shape(
    lab: &Lab,
    reservation_id: String,
    instances: Vec<&Instance>,
) -> shapes::Reservation {
    shapes::Reservation {
        reservation_id: Some(reservation_id),
        owner_id: instances.first().map(|i| i.owner_id.to_string()),
        requester_id: None,
        // EC2-Classic's reservation groups: always empty in a VPC.
        groups: Some(Vec::new()),
        instances: Some(
            instances
                .into_iter()
                .map(|i| instance_shape(lab, i))
                .collect(),
        ),
    }
}

fn describe_instances(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DescribeInstancesRequest::from_query(q, "")?;
    // AWS: "You cannot specify this parameter and the instance IDs parameter in the same
    // request."
    ids_or_page(&req.instance_ids, req.max_results, "instanceIds")?;
    let filters = Filters::new(&req.filters);
    filters.check(|n| INSTANCE_FILTERS.contains(&n) || is_tag_filter(n))?;
    let caller = caller.clone();
    Ok(Plan::read(move |lab| {
        check_ids(
            &req.instance_ids,
            Kind::Instance,
            |id| InstanceId::parse(id).is_some(),
            |id| lab.instance(id).is_some_and(|i| mine(&caller, i)),
        )?;
        let found = filters.keep(
            lab.instances()
                .filter(|i| mine(&caller, *i))
                .filter(|i| wanted(&req.instance_ids, i.id.as_str())),
            |i, name| instance_filter(lab, i, name),
        )?;
        let (page, next_token) = page(found, req.max_results, &req.next_token, 5)?;
        // A page lists reservations in the order their first instance comes.
        let mut groups: Vec<(String, Vec<&Instance>)> = Vec::new();
        for i in page {
            let r = i.reservation_id.to_string();
            match groups.iter_mut().find(|(id, _)| *id == r) {
                Some((_, list)) => list.push(i),
                None => groups.push((r, vec![i])),
            }
        }
        Ok(shapes::DescribeInstancesResult {
            reservations: Some(
                groups
                    .into_iter()
                    .map(|(r, list)| reservation_shape(lab, r, list))
                    .collect(),
            ),
            next_token,
        })
    }))
}

fn state_changes(changes: Vec<InstanceStateChange>) -> Vec<shapes::InstanceStateChange> {
    changes
        .into_iter()
        .map(|c| shapes::InstanceStateChange {
            instance_id: Some(c.instance_id.to_string()),
            current_state: Some(state_shape(c.current_state)),
            previous_state: Some(state_shape(c.previous_state)),
        })
        .collect()
}

fn changed(outcome: Outcome) -> Result<Vec<shapes::InstanceStateChange>, ApiError> {
    match outcome {
        Outcome::StateChanges(c) => Ok(state_changes(c)),
        _ => Err(ApiError::internal("no state changed")),
    }
}

fn terminate_instances(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::TerminateInstancesRequest::from_query(q, "")?;
    let op = Operation::TerminateInstances {
        instance_ids: req.instance_ids,
    };
    Ok(Plan::write(op, |_, outcome| {
        Ok(shapes::TerminateInstancesResult {
            terminating_instances: Some(changed(outcome)?),
        })
    }))
}

fn stop_instances(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::StopInstancesRequest::from_query(q, "")?;
    if req.hibernate == Some(true) {
        return Err(ApiError::invalid_value(
            "Hibernate is not served by the lab: lab instances have no memory to save.",
        ));
    }
    let op = Operation::StopInstances {
        instance_ids: req.instance_ids,
    };
    Ok(Plan::write(op, |_, outcome| {
        Ok(shapes::StopInstancesResult {
            stopping_instances: Some(changed(outcome)?),
        })
    }))
}

fn start_instances(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::StartInstancesRequest::from_query(q, "")?;
    let op = Operation::StartInstances {
        instance_ids: req.instance_ids,
    };
    Ok(Plan::write(op, |_, outcome| {
        Ok(shapes::StartInstancesResult {
            starting_instances: Some(changed(outcome)?),
        })
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_filter_is_answered_or_matches_nothing() {
        let mut lab = Lab::new(1);
        let caller = Caller::new(
            vpclab_model::AccountId::parse("000000000000").unwrap_or_else(|_| unreachable!()),
            vpclab_model::Region::default_region(),
            vpclab_model::Timestamp(0),
        );
        lab.add_account(&caller.account, caller.now);
        let run = RunInstances {
            image_id: "ami-12345678".into(),
            min_count: 1,
            max_count: 1,
            ..RunInstances::default()
        };
        let (_, ids) = lab
            .run_instances(&caller, run)
            .unwrap_or_else(|e| panic!("{e}"));
        let i = lab
            .instance(ids[0].as_str())
            .unwrap_or_else(|| unreachable!());
        for name in INSTANCE_FILTERS {
            assert!(instance_filter(&lab, i, name).is_some(), "{name}");
        }
        assert_eq!(
            instance_filter(&lab, i, "instance-state-name"),
            Some(vec!["running".to_owned()])
        );
        assert_eq!(
            instance_filter(&lab, i, "network-interface.attachment.device-index"),
            Some(vec!["0".to_owned()])
        );
        assert_eq!(instance_filter(&lab, i, "no-such-filter"), None);
    }

    #[test]
    fn launch_tags_sort_specifications_by_type() {
        let spec = |kind: &str, k: &str| shapes::TagSpecification {
            resource_type: Some(kind.into()),
            tags: Some(vec![shapes::Tag {
                key: Some(k.into()),
                value: Some("v".into()),
            }]),
        };
        let (i, e) = launch_tags(&Some(vec![
            spec("instance", "a"),
            spec("network-interface", "b"),
            spec("volume", "c"),
        ]))
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(i.keys().collect::<Vec<_>>(), ["a"]);
        assert_eq!(e.keys().collect::<Vec<_>>(), ["b"]);
        assert!(launch_tags(&Some(vec![spec("vpc", "x")])).is_err());
    }
}
