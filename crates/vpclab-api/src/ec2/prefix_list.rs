//! Prefix lists: DescribePrefixLists (AWS's service lists), DescribeManagedPrefixLists,
//! Create/Modify/DeleteManagedPrefixList, GetManagedPrefixListEntries.

use vpclab_model::{
    Caller, CreateManagedPrefixList, Kind, Lab, ManagedPrefixList, ModifyManagedPrefixList,
    Operation, Outcome, PrefixListId,
};

use super::describe::{Filters, check_ids, is_tag_filter, one, page, tag_filter, tag_set, wanted};
use super::security_group::ec2_arn;
use super::shapes;
use super::tags::from_specs;
use super::wire::{FromQuery, Query};
use super::{Handler, Plan};
use crate::error::ApiError;

/// The actions of this module.
pub const ACTIONS: &[(&str, Handler)] = &[
    ("DescribePrefixLists", describe_prefix_lists),
    ("DescribeManagedPrefixLists", describe_managed_prefix_lists),
    ("CreateManagedPrefixList", create_managed_prefix_list),
    ("ModifyManagedPrefixList", modify_managed_prefix_list),
    ("DeleteManagedPrefixList", delete_managed_prefix_list),
    (
        "GetManagedPrefixListEntries",
        get_managed_prefix_list_entries,
    ),
];

/// A managed prefix list as the wire shows it, in `state`. AWS's own lists show owner
/// `AWS`, an ARN with account `aws`, and no `MaxEntries` or `Version`; `Tags` is always
/// present (AWS shows `[]`).
pub fn managed_prefix_list_shape(
    list: &ManagedPrefixList,
    state: &str,
) -> shapes::ManagedPrefixList {
    let aws = list.is_aws_managed();
    shapes::ManagedPrefixList {
        prefix_list_id: Some(list.id.to_string()),
        address_family: Some(list.address_family.as_str().to_owned()),
        state: Some(state.to_owned()),
        prefix_list_arn: Some(ec2_arn(
            list.region.name(),
            if aws { "aws" } else { list.owner_id.as_str() },
            "prefix-list",
            list.id.as_str(),
        )),
        prefix_list_name: Some(list.name.clone()),
        max_entries: list
            .max_entries
            .filter(|_| !aws)
            .and_then(|m| i32::try_from(m).ok()),
        version: (!aws).then(|| i64::try_from(list.version).unwrap_or(i64::MAX)),
        tags: Some(tag_set(&list.tags).unwrap_or_default()),
        owner_id: Some(list.owner_id.to_string()),
        ..Default::default()
    }
}

/// The state a settled list shows: `create-complete` until its first change,
/// `modify-complete` after (the lab applies changes at once).
fn settled_state(list: &ManagedPrefixList) -> &'static str {
    if list.version > 1 {
        "modify-complete"
    } else {
        "create-complete"
    }
}

/// One page of `items` with `MaxResults` between `min` and `max` (AWS's bounds for the
/// prefix-list actions are 1–100, where `describe::page` knows only 1000). A helper any
/// module with such bounds can use.
pub fn page_within<T>(
    items: Vec<T>,
    max_results: Option<i32>,
    next_token: &Option<String>,
    min: i32,
    max: i32,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    if let Some(n) = max_results
        && !(min..=max).contains(&n)
    {
        return Err(ApiError::invalid_value(format!(
            "Value ( {n} ) for parameter maxResults is invalid. Parameter must be between {min} and {max}."
        )));
    }
    page(items, max_results, next_token, min)
}

fn visible(caller: &Caller, list: &ManagedPrefixList) -> bool {
    list.region == caller.region && (list.is_aws_managed() || list.owner_id == caller.account)
}

const PREFIX_LIST_FILTERS: &[&str] = &["prefix-list-id", "prefix-list-name"];

fn describe_prefix_lists(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DescribePrefixListsRequest::from_query(q, "")?;
    let filters = Filters::new(&req.filters);
    filters.check(|n| PREFIX_LIST_FILTERS.contains(&n))?;
    let caller = caller.clone();
    Ok(Plan::read(move |lab| {
        // AWS: DescribePrefixLists shows the AWS services' lists of the region only.
        let service = |l: &ManagedPrefixList| l.is_aws_managed() && l.region == caller.region;
        check_ids(
            &req.prefix_list_ids,
            Kind::PrefixList,
            |id| PrefixListId::parse(id).is_some(),
            |id| lab.prefix_list(id).is_some_and(service),
        )?;
        let found = filters.keep(
            lab.prefix_lists()
                .filter(|l| service(l) && wanted(&req.prefix_list_ids, l.id.as_str())),
            |l, name| match name {
                "prefix-list-id" => one(&l.id),
                "prefix-list-name" => one(&l.name),
                _ => None,
            },
        )?;
        let (lists, next_token) = page(found, req.max_results, &req.next_token, 5)?;
        Ok(shapes::DescribePrefixListsResult {
            prefix_lists: Some(
                lists
                    .into_iter()
                    .map(|l| shapes::PrefixList {
                        prefix_list_id: Some(l.id.to_string()),
                        prefix_list_name: Some(l.name.clone()),
                        cidrs: Some(l.cidrs().map(|c| c.to_string()).collect()),
                    })
                    .collect(),
            ),
            next_token,
        })
    }))
}

const MANAGED_PREFIX_LIST_FILTERS: &[&str] = &["owner-id", "prefix-list-id", "prefix-list-name"];

fn describe_managed_prefix_lists(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DescribeManagedPrefixListsRequest::from_query(q, "")?;
    let filters = Filters::new(&req.filters);
    filters.check(|n| MANAGED_PREFIX_LIST_FILTERS.contains(&n) || is_tag_filter(n))?;
    let caller = caller.clone();
    Ok(Plan::read(move |lab| {
        check_ids(
            &req.prefix_list_ids,
            Kind::PrefixList,
            |id| PrefixListId::parse(id).is_some(),
            |id| lab.prefix_list(id).is_some_and(|l| visible(&caller, l)),
        )?;
        let found = filters.keep(
            lab.prefix_lists()
                .filter(|l| visible(&caller, l) && wanted(&req.prefix_list_ids, l.id.as_str())),
            |l, name| match name {
                "owner-id" => one(&l.owner_id),
                "prefix-list-id" => one(&l.id),
                "prefix-list-name" => one(&l.name),
                other => tag_filter(&l.tags, other),
            },
        )?;
        let (lists, next_token) = page_within(found, req.max_results, &req.next_token, 1, 100)?;
        Ok(shapes::DescribeManagedPrefixListsResult {
            prefix_lists: Some(
                lists
                    .into_iter()
                    .map(|l| managed_prefix_list_shape(l, settled_state(l)))
                    .collect(),
            ),
            next_token,
        })
    }))
}

fn create_managed_prefix_list(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::CreateManagedPrefixListRequest::from_query(q, "")?;
    let op = Operation::CreateManagedPrefixList(CreateManagedPrefixList {
        name: req.prefix_list_name,
        address_family: req.address_family,
        max_entries: i64::from(req.max_entries),
        entries: req
            .entries
            .into_iter()
            .flatten()
            .map(|e| (e.cidr, e.description))
            .collect(),
        tags: from_specs(&req.tag_specifications, "prefix-list")?,
    });
    Ok(Plan::write(op, |lab, outcome| {
        let Outcome::Created(id) = outcome else {
            return Err(ApiError::internal("no prefix list was created"));
        };
        Ok(shapes::CreateManagedPrefixListResult {
            prefix_list: lab
                .prefix_list(&id)
                .map(|l| managed_prefix_list_shape(l, "create-complete")),
        })
    }))
}

fn modify_managed_prefix_list(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::ModifyManagedPrefixListRequest::from_query(q, "")?;
    let current_version = match req.current_version {
        Some(v) => Some(u64::try_from(v).map_err(|_| {
            ApiError::invalid_value(format!(
                "Value ({v}) for parameter currentVersion is invalid."
            ))
        })?),
        None => None,
    };
    let id = req.prefix_list_id.clone();
    let op = Operation::ModifyManagedPrefixList {
        prefix_list_id: req.prefix_list_id,
        change: ModifyManagedPrefixList {
            current_version,
            name: req.prefix_list_name,
            add_entries: req
                .add_entries
                .into_iter()
                .flatten()
                .map(|e| (e.cidr, e.description))
                .collect(),
            remove_entries: req
                .remove_entries
                .into_iter()
                .flatten()
                .map(|e| e.cidr)
                .collect(),
            max_entries: req.max_entries.map(i64::from),
        },
    };
    Ok(Plan::write(op, move |lab, _| {
        Ok(shapes::ModifyManagedPrefixListResult {
            prefix_list: lab
                .prefix_list(&id)
                .map(|l| managed_prefix_list_shape(l, "modify-complete")),
        })
    }))
}

fn delete_managed_prefix_list(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DeleteManagedPrefixListRequest::from_query(q, "")?;
    let op = Operation::DeleteManagedPrefixList {
        prefix_list_id: req.prefix_list_id,
    };
    Ok(Plan::write(op, |_: &Lab, outcome| {
        let Outcome::PrefixList(list) = outcome else {
            return Err(ApiError::internal("no prefix list was deleted"));
        };
        Ok(shapes::DeleteManagedPrefixListResult {
            prefix_list: Some(managed_prefix_list_shape(&list, "delete-complete")),
        })
    }))
}

fn get_managed_prefix_list_entries(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::GetManagedPrefixListEntriesRequest::from_query(q, "")?;
    let caller = caller.clone();
    Ok(Plan::read(move |lab| {
        let list = lab.visible_prefix_list(&caller, &req.prefix_list_id)?;
        let version = match req.target_version {
            None => list.version,
            Some(v) => u64::try_from(v).unwrap_or(0),
        };
        let entries = list
            .entries_at(version)
            .ok_or_else(|| {
                ApiError::invalid_value(format!(
                    "The prefix list {} has no version {version}.",
                    list.id
                ))
            })?
            .iter()
            .map(|e| shapes::PrefixListEntry {
                cidr: Some(e.cidr.to_string()),
                description: e.description.clone(),
            })
            .collect();
        let (entries, next_token) = page_within(entries, req.max_results, &req.next_token, 1, 100)?;
        Ok(shapes::GetManagedPrefixListEntriesResult {
            entries: Some(entries),
            next_token,
        })
    }))
}
