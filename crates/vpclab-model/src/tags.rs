//! Tags on every resource: CreateTags, DeleteTags, and `TagSpecification` on creates.

use crate::err::{Error, Kind, Result};
use crate::ids::*;
use crate::lab::{Caller, Lab, Tags};
use serde::{Deserialize, Serialize};

/// AWS's quota: 50 user tags per resource.
const MAX_TAGS: usize = 50;

/// Checks tags as AWS does: keys 1–128 characters, values up to 256, no `aws:` prefix.
pub fn validate_tags(tags: &Tags) -> Result<()> {
    for (key, value) in tags {
        if key.is_empty() || key.chars().count() > 128 {
            return Err(Error::InvalidParameterValue(format!(
                "Tag key exceeds the maximum length of 128 characters or is empty: {key}"
            )));
        }
        if value.chars().count() > 256 {
            return Err(Error::InvalidParameterValue(format!(
                "Tag value exceeds the maximum length of 256 characters for key {key}"
            )));
        }
        if key.to_ascii_lowercase().starts_with("aws:") {
            return Err(Error::InvalidParameterValue(
                "Tag keys starting with 'aws:' are reserved for internal use".into(),
            ));
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(Error::InvalidParameterValue(format!(
            "The number of tags exceeds the limit of {MAX_TAGS}."
        )));
    }
    Ok(())
}

/// A tag key to delete, optionally only when it has a given value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagFilter {
    /// The key.
    pub key: String,
    /// Delete only if the value is this one.
    pub value: Option<String>,
}

impl Lab {
    /// CreateTags: adds or overwrites tags on each resource. All ids are checked first,
    /// so either every resource is tagged or none is.
    pub fn create_tags(
        &mut self,
        caller: &Caller,
        resource_ids: &[String],
        tags: &Tags,
    ) -> Result<()> {
        validate_tags(tags)?;
        for id in resource_ids {
            let existing = self.tags_of(caller, id)?;
            let mut merged = existing.clone();
            merged.extend(tags.iter().map(|(k, v)| (k.clone(), v.clone())));
            validate_tags(&merged)?;
        }
        for id in resource_ids {
            let t = self.tags_mut(caller, id)?;
            t.extend(tags.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        Ok(())
    }

    /// DeleteTags: removes the keys (only where the value matches, when one is given).
    pub fn delete_tags(
        &mut self,
        caller: &Caller,
        resource_ids: &[String],
        keys: &[TagFilter],
    ) -> Result<()> {
        for id in resource_ids {
            self.tags_of(caller, id)?;
        }
        for id in resource_ids {
            let t = self.tags_mut(caller, id)?;
            if keys.is_empty() {
                t.clear();
            }
            for f in keys {
                if f.value.is_none() || t.get(&f.key) == f.value.as_ref() {
                    t.remove(&f.key);
                }
            }
        }
        Ok(())
    }

    /// The tags of the caller's resource `id`, whatever its kind.
    pub fn tags_of(&self, caller: &Caller, id: &str) -> Result<&Tags> {
        macro_rules! look {
            ($($ty:ty, $field:ident, $kind:expr;)*) => {
                $(if <$ty>::parse(id).is_some() {
                    return Lab::owned(&self.$field, caller, $kind, id, <$ty>::parse).map(|r| &r.tags);
                })*
            };
        }
        look! {
            VpcId, vpcs, Kind::Vpc;
            SubnetId, subnets, Kind::Subnet;
            RouteTableId, route_tables, Kind::RouteTable;
            InternetGatewayId, internet_gateways, Kind::InternetGateway;
            EgressOnlyInternetGatewayId, egress_only_internet_gateways, Kind::EgressOnlyInternetGateway;
            AllocationId, addresses, Kind::Allocation;
            NatGatewayId, nat_gateways, Kind::NatGateway;
            NetworkInterfaceId, network_interfaces, Kind::NetworkInterface;
            InstanceId, instances, Kind::Instance;
            SecurityGroupId, security_groups, Kind::SecurityGroup;
            NetworkAclId, network_acls, Kind::NetworkAcl;
            PrefixListId, prefix_lists, Kind::PrefixList;
            VpcEndpointId, vpc_endpoints, Kind::VpcEndpoint;
            VpcEndpointServiceId, vpc_endpoint_services, Kind::VpcEndpointService;
            FlowLogId, flow_logs, Kind::FlowLog;
            NetworkInsightsPathId, network_insights_paths, Kind::NetworkInsightsPath;
            NetworkInsightsAnalysisId, network_insights_analyses, Kind::NetworkInsightsAnalysis;
        }
        if VpcPeeringConnectionId::parse(id).is_some() {
            return self.visible_peering(caller, id).map(|p| &p.tags);
        }
        if SecurityGroupRuleId::parse(id).is_some() {
            static NONE: Tags = Tags::new();
            return self
                .group_of_rule(caller, id)
                .map(|g| g.rule_tags.get(id).unwrap_or(&NONE));
        }
        Err(invalid_id(id))
    }

    fn tags_mut(&mut self, caller: &Caller, id: &str) -> Result<&mut Tags> {
        // Ownership was checked by `tags_of`; this only finds the map.
        self.tags_of(caller, id)?;
        // A rule's tags live in its group (before the other kinds: the borrow of a
        // conditional return would outlive the rest).
        if let Some(rule) = SecurityGroupRuleId::parse(id) {
            let group = self.group_of_rule(caller, id)?.id.clone();
            return self
                .security_groups
                .get_mut(&group)
                .map(|g| g.rule_tags.entry(rule).or_default())
                .ok_or_else(|| Error::not_found(Kind::SecurityGroupRule, id));
        }
        macro_rules! find {
            ($($ty:ty, $field:ident;)*) => {
                $(if <$ty>::parse(id).is_some() {
                    if let Some(r) = self.$field.get_mut(id) {
                        return Ok(&mut r.tags);
                    }
                })*
            };
        }
        find! {
            VpcId, vpcs;
            SubnetId, subnets;
            RouteTableId, route_tables;
            InternetGatewayId, internet_gateways;
            EgressOnlyInternetGatewayId, egress_only_internet_gateways;
            AllocationId, addresses;
            NatGatewayId, nat_gateways;
            NetworkInterfaceId, network_interfaces;
            InstanceId, instances;
            SecurityGroupId, security_groups;
            NetworkAclId, network_acls;
            PrefixListId, prefix_lists;
            VpcEndpointId, vpc_endpoints;
            VpcEndpointServiceId, vpc_endpoint_services;
            VpcPeeringConnectionId, vpc_peering_connections;
            FlowLogId, flow_logs;
            NetworkInsightsPathId, network_insights_paths;
            NetworkInsightsAnalysisId, network_insights_analyses;
        }
        Err(invalid_id(id))
    }
}

/// AWS's answer to CreateTags/DeleteTags for an id it cannot read as any taggable kind
/// (unknown prefix, or a known prefix with a malformed rest): `InvalidID`.
fn invalid_id(id: &str) -> Error {
    Error::Coded {
        code: "InvalidID",
        message: format!("The ID '{id}' is not valid"),
    }
}

/// Implements [`Owned`] for resources with `owner_id` and `region` fields.
macro_rules! owned {
    ($($ty:ty),*) => {$(
        impl crate::lab::Owned for $ty {
            fn owner(&self) -> &crate::region::AccountId {
                &self.owner_id
            }
            fn region(&self) -> crate::region::Region {
                self.region
            }
        }
    )*};
}
pub(crate) use owned;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_and_oversized_tags_are_refused() {
        let mut t = Tags::new();
        t.insert("aws:cloudformation:stack-name".into(), "x".into());
        assert_eq!(
            validate_tags(&t).unwrap_err().code(),
            "InvalidParameterValue"
        );
        let mut t = Tags::new();
        t.insert("k".repeat(129), "v".into());
        assert!(validate_tags(&t).is_err());
        let mut t = Tags::new();
        t.insert("Name".into(), "v".repeat(257));
        assert!(validate_tags(&t).is_err());
        let t: Tags = (0..51).map(|i| (format!("k{i}"), String::new())).collect();
        assert!(validate_tags(&t).is_err());
    }
}
