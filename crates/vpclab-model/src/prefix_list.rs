//! Managed prefix lists: AWS's own (one per gateway service and region, read-only) and
//! customer-managed ones, versioned, usable as route destinations and rule peers.

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::aws_service::SERVICES;
use crate::cidr::parse_cidr;
use crate::err::{Error, Kind, Result};
use crate::ids::*;
use crate::lab::{Caller, Lab, Tags};
use crate::region::{AccountId, Region};
use crate::tags::{owned, validate_tags};

/// A managed prefix list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedPrefixList {
    /// `pl-…`.
    pub id: PrefixListId,
    /// The owner: an account, or `AWS` for AWS-managed lists.
    pub owner_id: AccountId,
    /// Its region.
    pub region: Region,
    /// Its tags.
    pub tags: Tags,
    /// `com.amazonaws.us-east-1.s3`, or the customer's name.
    pub name: String,
    /// IPv4 or IPv6.
    pub address_family: AddressFamily,
    /// The most entries it may hold (AWS-managed lists: none stated).
    pub max_entries: Option<u32>,
    /// Bumped on every change.
    pub version: u64,
    /// Its entries.
    pub entries: Vec<PrefixListEntry>,
    /// The entries of its earlier versions, oldest first (GetManagedPrefixListEntries
    /// reads them with `TargetVersion`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub previous_versions: Vec<(u64, Vec<PrefixListEntry>)>,
}

owned!(ManagedPrefixList);

impl ManagedPrefixList {
    /// Whether AWS manages it.
    pub fn is_aws_managed(&self) -> bool {
        self.owner_id.as_str() == "AWS"
    }

    /// Its CIDR blocks.
    pub fn cidrs(&self) -> impl Iterator<Item = IpNet> + '_ {
        self.entries.iter().map(|e| e.cidr)
    }

    /// Its entries as they were at `version`, if it had that version.
    pub fn entries_at(&self, version: u64) -> Option<&[PrefixListEntry]> {
        if version == self.version {
            return Some(&self.entries);
        }
        self.previous_versions
            .iter()
            .find(|(v, _)| *v == version)
            .map(|(_, e)| e.as_slice())
    }
}

/// One entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrefixListEntry {
    /// The block.
    pub cidr: IpNet,
    /// A description.
    pub description: Option<String>,
}

/// IPv4 or IPv6.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AddressFamily {
    /// `IPv4`.
    Ipv4,
    /// `IPv6`.
    Ipv6,
}

impl AddressFamily {
    /// Reads `IPv4` or `IPv6`.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "IPv4" => Ok(AddressFamily::Ipv4),
            "IPv6" => Ok(AddressFamily::Ipv6),
            _ => Err(Error::invalid_value(
                "addressFamily",
                s,
                "Allowed values: IPv4, IPv6.",
            )),
        }
    }

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AddressFamily::Ipv4 => "IPv4",
            AddressFamily::Ipv6 => "IPv6",
        }
    }
}

/// Every region's AWS-managed prefix lists (one per gateway-endpoint service).
pub(crate) fn aws_managed_prefix_lists() -> crate::lab::Table<PrefixListId, ManagedPrefixList> {
    let mut out = crate::lab::Table::default();
    for region in Region::all() {
        for service in SERVICES.iter().filter(|s| s.gateway) {
            let Some(id) = service.prefix_list_id(region) else {
                continue;
            };
            let id = PrefixListId::new_unchecked(id);
            let entries = service
                .cidrs(region)
                .into_iter()
                .map(|c| PrefixListEntry {
                    cidr: IpNet::V4(c),
                    description: None,
                })
                .collect();
            out.insert(
                id.clone(),
                ManagedPrefixList {
                    id,
                    owner_id: AccountId::aws(),
                    region,
                    tags: Tags::new(),
                    name: service.service_name(region),
                    address_family: AddressFamily::Ipv4,
                    max_entries: None,
                    version: 1,
                    entries,
                    previous_versions: Vec::new(),
                },
            );
        }
    }
    out
}

/// The parameters of CreateManagedPrefixList.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CreateManagedPrefixList {
    /// Its name (not starting with `com.amazonaws`).
    pub name: String,
    /// `IPv4` or `IPv6`.
    pub address_family: String,
    /// The most entries (1–1000).
    pub max_entries: i64,
    /// Its first entries: (CIDR, description).
    pub entries: Vec<(String, Option<String>)>,
    /// Tags.
    pub tags: Tags,
}

/// The parameters of ModifyManagedPrefixList.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ModifyManagedPrefixList {
    /// The version the caller last saw (required when changing entries).
    pub current_version: Option<u64>,
    /// A new name.
    pub name: Option<String>,
    /// Entries to add: (CIDR, description).
    pub add_entries: Vec<(String, Option<String>)>,
    /// CIDRs to remove.
    pub remove_entries: Vec<String>,
    /// A new size limit.
    pub max_entries: Option<i64>,
}

impl Lab {
    /// A prefix list the caller may use: AWS's lists of its region, or its own.
    pub fn visible_prefix_list(&self, caller: &Caller, id: &str) -> Result<&ManagedPrefixList> {
        if PrefixListId::parse(id).is_none() {
            return Err(Error::Malformed {
                kind: Kind::PrefixList,
                id: id.into(),
            });
        }
        match self.prefix_lists.get(id) {
            Some(l)
                if l.region == caller.region
                    && (l.is_aws_managed() || l.owner_id == caller.account) =>
            {
                Ok(l)
            }
            _ => Err(Error::not_found(Kind::PrefixList, id)),
        }
    }

    fn parse_entries(
        family: AddressFamily,
        entries: &[(String, Option<String>)],
    ) -> Result<Vec<PrefixListEntry>> {
        let mut out: Vec<PrefixListEntry> = Vec::new();
        for (cidr, description) in entries {
            let net = parse_cidr("Entry.Cidr", cidr)?;
            if (family == AddressFamily::Ipv4) != net.addr().is_ipv4() {
                return Err(Error::InvalidParameterValue(format!(
                    "The CIDR {cidr} does not match the prefix list's address family {}.",
                    family.as_str()
                )));
            }
            if out.iter().any(|e| e.cidr == net) {
                return Err(Error::InvalidParameterValue(format!(
                    "The CIDR {cidr} is given twice."
                )));
            }
            out.push(PrefixListEntry {
                cidr: net,
                description: description.clone(),
            });
        }
        Ok(out)
    }

    /// CreateManagedPrefixList.
    pub fn create_managed_prefix_list(
        &mut self,
        caller: &Caller,
        req: CreateManagedPrefixList,
    ) -> Result<PrefixListId> {
        validate_tags(&req.tags)?;
        if req.name.is_empty() {
            return Err(Error::MissingParameter("PrefixListName".into()));
        }
        if req.name.starts_with("com.amazonaws") {
            return Err(Error::InvalidParameterValue(
                "Prefix list names cannot start with com.amazonaws.".into(),
            ));
        }
        let family = AddressFamily::parse(&req.address_family)?;
        if !(1..=1000).contains(&req.max_entries) {
            return Err(Error::invalid_value(
                "maxEntries",
                req.max_entries,
                "It must be between 1 and 1000.",
            ));
        }
        let entries = Lab::parse_entries(family, &req.entries)?;
        if entries.len() as i64 > req.max_entries {
            return Err(Error::Coded {
                code: "PrefixListMaxEntriesExceeded",
                message: format!(
                    "The prefix list has {} entries but its maximum is {}.",
                    entries.len(),
                    req.max_entries
                ),
            });
        }
        let id: PrefixListId = self.mint();
        self.prefix_lists.insert(
            id.clone(),
            ManagedPrefixList {
                id: id.clone(),
                owner_id: caller.account.clone(),
                region: caller.region,
                tags: req.tags,
                name: req.name,
                address_family: family,
                max_entries: u32::try_from(req.max_entries).ok(),
                version: 1,
                entries,
                previous_versions: Vec::new(),
            },
        );
        Ok(id)
    }

    /// ModifyManagedPrefixList: entry changes need the current version and bump it.
    pub fn modify_managed_prefix_list(
        &mut self,
        caller: &Caller,
        id: &str,
        req: ModifyManagedPrefixList,
    ) -> Result<u64> {
        let list = self.visible_prefix_list(caller, id)?;
        if list.is_aws_managed() {
            return Err(Error::OperationNotPermitted(format!(
                "The prefix list {id} is managed by AWS and cannot be modified."
            )));
        }
        let mut list = list.clone();
        let changes_entries = !req.add_entries.is_empty() || !req.remove_entries.is_empty();
        if changes_entries {
            match req.current_version {
                None => return Err(Error::MissingParameter("CurrentVersion".into())),
                Some(v) if v != list.version => {
                    return Err(Error::PrefixListVersionMismatch(format!(
                        "The prefix list {id} has version {}, not {v}.",
                        list.version
                    )));
                }
                Some(_) => {}
            }
        }
        for cidr in &req.remove_entries {
            let net = parse_cidr("RemoveEntry.Cidr", cidr)?;
            let before = list.entries.len();
            list.entries.retain(|e| e.cidr != net);
            if list.entries.len() == before {
                return Err(Error::InvalidParameterValue(format!(
                    "The CIDR {cidr} is not in prefix list {id}."
                )));
            }
        }
        for e in Lab::parse_entries(list.address_family, &req.add_entries)? {
            match list.entries.iter_mut().find(|x| x.cidr == e.cidr) {
                Some(existing) => existing.description = e.description,
                None => list.entries.push(e),
            }
        }
        if let Some(max) = req.max_entries {
            if !(1..=1000).contains(&max) {
                return Err(Error::invalid_value(
                    "maxEntries",
                    max,
                    "It must be between 1 and 1000.",
                ));
            }
            list.max_entries = u32::try_from(max).ok();
        }
        if list
            .max_entries
            .is_some_and(|m| list.entries.len() > m as usize)
        {
            return Err(Error::Coded {
                code: "PrefixListMaxEntriesExceeded",
                message: format!(
                    "The prefix list {id} would exceed its maximum number of entries."
                ),
            });
        }
        if let Some(name) = req.name {
            // The same rule as CreateManagedPrefixList: AWS keeps `com.amazonaws` names.
            if name.is_empty() || name.starts_with("com.amazonaws") {
                return Err(Error::invalid_value(
                    "PrefixListName",
                    &name,
                    "Prefix list names cannot be empty or start with com.amazonaws.",
                ));
            }
            list.name = name;
        }
        if changes_entries {
            let old = self
                .prefix_lists
                .get(&list.id)
                .map(|l| l.entries.clone())
                .unwrap_or_default();
            list.previous_versions.push((list.version, old));
            list.version += 1;
        }
        let version = list.version;
        self.prefix_lists.insert(list.id.clone(), list);
        Ok(version)
    }

    /// DeleteManagedPrefixList: not while routes or rules use it.
    pub fn delete_managed_prefix_list(&mut self, caller: &Caller, id: &str) -> Result<()> {
        let list = self.visible_prefix_list(caller, id)?;
        if list.is_aws_managed() {
            return Err(Error::OperationNotPermitted(format!(
                "The prefix list {id} is managed by AWS and cannot be deleted."
            )));
        }
        let pl = list.id.clone();
        let in_route = self.route_tables.values().any(|rt| {
            rt.routes
                .iter()
                .any(|r| r.destination == crate::RouteDestination::PrefixList(pl.clone()))
        });
        let in_rule = self.security_groups.values().any(|g| {
            g.rules
                .iter()
                .any(|r| r.peer == crate::RulePeer::PrefixList(pl.clone()))
        });
        if in_route || in_rule {
            return Err(Error::DependencyViolation(format!(
                "The prefix list {id} is in use and cannot be deleted."
            )));
        }
        self.prefix_lists.shift_remove(&pl);
        Ok(())
    }
}
