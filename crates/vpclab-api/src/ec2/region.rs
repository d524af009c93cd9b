//! Regions and availability zones: DescribeRegions, DescribeAvailabilityZones.
//!
//! The lab's geography is fixed (`vpclab_model::region`): every region is enabled for
//! every account, so `AllRegions` and `AllAvailabilityZones` change nothing.

use vpclab_model::{AvailabilityZone, Caller, Region};

use super::describe::{Filters, one};
use super::shapes;
use super::wire::{FromQuery, Query};
use super::{Handler, Plan};
use crate::error::ApiError;

/// The actions of this module.
pub const ACTIONS: &[(&str, Handler)] = &[
    ("DescribeRegions", describe_regions),
    ("DescribeAvailabilityZones", describe_availability_zones),
];

/// Every region the lab serves is open to every account, as AWS's older regions are.
const OPT_IN_NOT_REQUIRED: &str = "opt-in-not-required";

/// A region's EC2 endpoint host, `ec2.us-east-1.amazonaws.com`.
pub fn endpoint(region: Region) -> String {
    format!("ec2.{}.amazonaws.com", region.name())
}

fn region_shape(region: Region) -> shapes::Region {
    shapes::Region {
        region_name: Some(region.name().to_owned()),
        endpoint: Some(endpoint(region)),
        opt_in_status: Some(OPT_IN_NOT_REQUIRED.into()),
        ..Default::default()
    }
}

/// An availability zone as the wire shows it. AWS gives a zone of a region that needs
/// no opt-in the region's name as `GroupName` and `NetworkBorderGroup`.
pub fn zone_shape(zone: &AvailabilityZone) -> shapes::AvailabilityZone {
    let region = zone.region.name().to_owned();
    shapes::AvailabilityZone {
        opt_in_status: Some(OPT_IN_NOT_REQUIRED.into()),
        messages: Some(Vec::new()),
        region_name: Some(region.clone()),
        zone_name: Some(zone.name.clone()),
        zone_id: Some(zone.zone_id.clone()),
        group_name: Some(region.clone()),
        network_border_group: Some(region),
        zone_type: Some("availability-zone".into()),
        state: Some("available".into()),
        ..Default::default()
    }
}

/// DescribeRegions' filters (AWS's documented names).
const REGION_FILTERS: &[&str] = &["endpoint", "opt-in-status", "region-name"];

fn region_filter(region: Region, name: &str) -> Option<Vec<String>> {
    match name {
        "endpoint" => one(endpoint(region)),
        "opt-in-status" => one(OPT_IN_NOT_REQUIRED),
        "region-name" => one(region.name()),
        _ => None,
    }
}

fn describe_regions(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DescribeRegionsRequest::from_query(q, "")?;
    let filters = Filters::new(&req.filters);
    filters.check(|n| REGION_FILTERS.contains(&n))?;
    let names = req.region_names.unwrap_or_default();
    // AWS: `Invalid region: [mars-north-1]` when a named region does not exist.
    if let Some(bad) = names.iter().find(|n| Region::find(n).is_none()) {
        return Err(ApiError::invalid_value(format!("Invalid region: [{bad}]")));
    }
    Ok(Plan::read(move |_| {
        let mut regions = Vec::new();
        for region in Region::all() {
            if !names.is_empty() && !names.iter().any(|n| n == region.name()) {
                continue;
            }
            if filters.matches(|name| region_filter(region, name))? {
                regions.push(region_shape(region));
            }
        }
        Ok(shapes::DescribeRegionsResult {
            regions: Some(regions),
        })
    }))
}

/// DescribeAvailabilityZones' filters (AWS's documented names). The lab has only
/// availability zones: no Local or Wavelength zones, so no parent zones, and zone groups
/// named after their region.
const ZONE_FILTERS: &[&str] = &[
    "group-long-name",
    "group-name",
    "message",
    "opt-in-status",
    "parent-zone-id",
    "parent-zone-name",
    "region-name",
    "state",
    "zone-id",
    "zone-name",
    "zone-type",
];

fn zone_filter(zone: &AvailabilityZone, name: &str) -> Option<Vec<String>> {
    match name {
        "group-name" | "region-name" => one(zone.region.name()),
        "opt-in-status" => one(OPT_IN_NOT_REQUIRED),
        "state" => one("available"),
        "zone-id" => one(&zone.zone_id),
        "zone-name" => one(&zone.name),
        "zone-type" => one("availability-zone"),
        // Values the lab's zones do not have: no long group names, messages or parents.
        "group-long-name" | "message" | "parent-zone-id" | "parent-zone-name" => Some(Vec::new()),
        _ => None,
    }
}

fn describe_availability_zones(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DescribeAvailabilityZonesRequest::from_query(q, "")?;
    let filters = Filters::new(&req.filters);
    filters.check(|n| ZONE_FILTERS.contains(&n))?;
    let names = req.zone_names.unwrap_or_default();
    let ids = req.zone_ids.unwrap_or_default();
    let region = caller.region;
    // AWS answers a zone that is not in the caller's region as it answers an unknown one.
    if let Some(bad) = names.iter().find(|n| region.zones().all(|z| &z.name != *n)) {
        return Err(ApiError::invalid_value(format!(
            "Invalid availability zone: [{bad}]"
        )));
    }
    if let Some(bad) = ids
        .iter()
        .find(|i| region.zones().all(|z| &z.zone_id != *i))
    {
        return Err(ApiError::invalid_value(format!(
            "Invalid availability zone ID: [{bad}]"
        )));
    }
    Ok(Plan::read(move |_| {
        let mut zones = Vec::new();
        for zone in region.zones() {
            // A zone asked for by its name or by its id is wanted.
            let named = names.is_empty() && ids.is_empty()
                || names.contains(&zone.name)
                || ids.contains(&zone.zone_id);
            if named && filters.matches(|name| zone_filter(&zone, name))? {
                zones.push(zone_shape(&zone));
            }
        }
        Ok(shapes::DescribeAvailabilityZonesResult {
            availability_zones: Some(zones),
        })
    }))
}
