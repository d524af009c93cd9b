//! VPC Flow Logs: CreateFlowLogs, DescribeFlowLogs, DeleteFlowLogs. Destinations are the
//! lab's S3 (`s3`) and, for `cloud-watch-logs`, a file per log group in the data
//! directory (see `vpclab_model::LogDestination`).

use vpclab_model::{
    Caller, CreateFlowLogs, FlowLog, FlowLogId, Kind, LogDestination, Operation, Outcome,
};

use super::describe::{Filters, check_ids, is_tag_filter, one, page, tag_filter, tag_set, wanted};
use super::shapes;
use super::tags::from_specs;
use super::wire::{FromQuery, Query, Timestamp};
use super::{Handler, Plan};
use crate::error::ApiError;

/// The actions of this module.
pub const ACTIONS: &[(&str, Handler)] = &[
    ("CreateFlowLogs", create_flow_logs),
    ("DescribeFlowLogs", describe_flow_logs),
    ("DeleteFlowLogs", delete_flow_logs),
];

/// A flow log as the wire shows it.
pub fn flow_log_shape(f: &FlowLog) -> shapes::FlowLog {
    let destination_options = match &f.destination {
        LogDestination::S3 {
            hive_compatible_partitions,
            per_hour_partition,
            ..
        } => Some(shapes::DestinationOptionsResponse {
            file_format: Some("plain-text".to_owned()),
            hive_compatible_partitions: Some(*hive_compatible_partitions),
            per_hour_partition: Some(*per_hour_partition),
        }),
        LogDestination::CloudWatchLogs { .. } => None,
    };
    shapes::FlowLog {
        creation_time: Some(Timestamp(f.creation_time.0)),
        deliver_logs_permission_arn: f.deliver_logs_permission_arn.clone(),
        deliver_logs_status: Some(f.deliver_logs_status().to_owned()),
        flow_log_id: Some(f.id.to_string()),
        flow_log_status: Some("ACTIVE".to_owned()),
        log_group_name: f.log_group_name().map(str::to_owned),
        resource_id: Some(f.resource_id.clone()),
        traffic_type: Some(f.traffic_type.as_str().to_owned()),
        log_destination_type: Some(f.destination.type_str().to_owned()),
        log_destination: Some(f.log_destination_arn.clone()),
        log_format: Some(f.log_format.clone()),
        tags: Some(tag_set(&f.tags).unwrap_or_default()),
        max_aggregation_interval: Some(f.max_aggregation_interval as i32),
        destination_options,
        ..Default::default()
    }
}

/// AWS's `Unsuccessful` items.
fn unsuccessful(failed: Vec<(String, vpclab_model::Error)>) -> Vec<shapes::UnsuccessfulItem> {
    failed
        .into_iter()
        .map(|(id, err)| shapes::UnsuccessfulItem {
            resource_id: Some(id),
            error: Some(shapes::UnsuccessfulItemError {
                code: Some(err.code().to_owned()),
                message: Some(err.to_string()),
            }),
        })
        .collect()
}

fn create_flow_logs(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::CreateFlowLogsRequest::from_query(q, "")?;
    if req.deliver_cross_account_role.is_some() {
        return Err(ApiError::new(
            "InvalidParameter",
            "DeliverCrossAccountRole is not served by the lab: it delivers to its own S3 and files.",
        ));
    }
    let options = req.destination_options.unwrap_or_default();
    let op = Operation::CreateFlowLogs(CreateFlowLogs {
        resource_type: req.resource_type,
        resource_ids: req.resource_ids,
        traffic_type: req.traffic_type,
        log_destination_type: req.log_destination_type,
        log_destination: req.log_destination,
        log_group_name: req.log_group_name,
        deliver_logs_permission_arn: req.deliver_logs_permission_arn,
        log_format: req.log_format,
        max_aggregation_interval: req.max_aggregation_interval,
        file_format: options.file_format,
        hive_compatible_partitions: options.hive_compatible_partitions.unwrap_or(false),
        per_hour_partition: options.per_hour_partition.unwrap_or(false),
        tags: from_specs(&req.tag_specifications, "vpc-flow-log")?,
    });
    let client_token = req.client_token;
    Ok(Plan::write(op, move |_, outcome| {
        let Outcome::FlowLogs(out) = outcome else {
            return Err(ApiError::internal("no flow log was created"));
        };
        Ok(shapes::CreateFlowLogsResult {
            client_token,
            flow_log_ids: Some(out.flow_log_ids.iter().map(ToString::to_string).collect()),
            unsuccessful: Some(unsuccessful(out.unsuccessful)),
        })
    }))
}

/// AWS's documented filters of DescribeFlowLogs (tag filters aside).
const FLOW_LOG_FILTERS: &[&str] = &[
    "deliver-log-status",
    "log-destination-type",
    "flow-log-id",
    "log-group-name",
    "resource-id",
    "traffic-type",
];

fn flow_log_filter(f: &FlowLog, name: &str) -> Option<Vec<String>> {
    match name {
        "deliver-log-status" => one(f.deliver_logs_status()),
        "log-destination-type" => one(f.destination.type_str()),
        "flow-log-id" => one(&f.id),
        "log-group-name" => Some(f.log_group_name().map(str::to_owned).into_iter().collect()),
        "resource-id" => one(&f.resource_id),
        "traffic-type" => one(f.traffic_type.as_str()),
        other => tag_filter(&f.tags, other),
    }
}

fn describe_flow_logs(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DescribeFlowLogsRequest::from_query(q, "")?;
    let filters = Filters::new(&req.filter);
    filters.check(|n| FLOW_LOG_FILTERS.contains(&n) || is_tag_filter(n))?;
    let caller = caller.clone();
    Ok(Plan::read(move |lab| {
        let mine = |f: &FlowLog| f.owner_id == caller.account && f.region == caller.region;
        check_ids(
            &req.flow_log_ids,
            Kind::FlowLog,
            |id| FlowLogId::parse(id).is_some(),
            |id| lab.flow_log(id).is_some_and(mine),
        )?;
        let found = filters.keep(
            lab.flow_logs()
                .filter(|f| mine(f) && wanted(&req.flow_log_ids, f.id.as_str())),
            |f, name| flow_log_filter(f, name),
        )?;
        let (flow_logs, next_token) = page(found, req.max_results, &req.next_token, 1)?;
        Ok(shapes::DescribeFlowLogsResult {
            flow_logs: Some(flow_logs.into_iter().map(flow_log_shape).collect()),
            next_token,
        })
    }))
}

fn delete_flow_logs(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req = shapes::DeleteFlowLogsRequest::from_query(q, "")?;
    let op = Operation::DeleteFlowLogs {
        flow_log_ids: req.flow_log_ids,
    };
    Ok(Plan::write(op, |_, outcome| {
        let Outcome::Unsuccessful(failed) = outcome else {
            return Err(ApiError::internal("no deletion was attempted"));
        };
        Ok(shapes::DeleteFlowLogsResult {
            unsuccessful: Some(unsuccessful(failed)),
        })
    }))
}
