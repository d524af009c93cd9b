//! VPC Flow Logs: which traffic of a VPC, subnet or network interface is recorded, in
//! which format, and where the records go.
//!
//! The lab delivers to two destinations:
//! - `s3`: a bucket of the lab's own S3 (`arn:aws:s3:::bucket[/prefix]`), in AWS's
//!   object layout (`AWSLogs/<account>/vpcflowlogs/<region>/<yyyy>/<mm>/<dd>/…log.gz`);
//! - `cloud-watch-logs`: the lab has no CloudWatch Logs, so a log group is a FILE,
//!   `<data-dir>/flow-logs/<log-group-name>.log` (a `/` in the name makes directories),
//!   one record per line after a header line of field names.
//!
//! `kinesis-data-firehose` is refused. The model only keeps the configuration; writing
//! records is `vpclab-dataplane`'s `flowlog` module.

use serde::{Deserialize, Serialize};

use crate::err::{Error, Kind, Result};
use crate::ids::*;
use crate::lab::{Caller, Lab, Tags, Timestamp};
use crate::region::{AccountId, Region};
use crate::tags::{owned, validate_tags};

/// The format a flow log gets when none is given: AWS's version-2 default format.
pub const DEFAULT_LOG_FORMAT: &str = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}";

/// Every field a flow log record can carry, with the record version that introduced it
/// (AWS's "Flow log records" reference, versions 2–8). A record's `${version}` is the
/// highest version among its format's fields.
pub const FLOW_LOG_FIELDS: &[(&str, u8)] = &[
    ("version", 2),
    ("account-id", 2),
    ("interface-id", 2),
    ("srcaddr", 2),
    ("dstaddr", 2),
    ("srcport", 2),
    ("dstport", 2),
    ("protocol", 2),
    ("packets", 2),
    ("bytes", 2),
    ("start", 2),
    ("end", 2),
    ("action", 2),
    ("log-status", 2),
    ("vpc-id", 3),
    ("subnet-id", 3),
    ("instance-id", 3),
    ("tcp-flags", 3),
    ("type", 3),
    ("pkt-srcaddr", 3),
    ("pkt-dstaddr", 3),
    ("region", 4),
    ("az-id", 4),
    ("sublocation-type", 4),
    ("sublocation-id", 4),
    ("pkt-src-aws-service", 5),
    ("pkt-dst-aws-service", 5),
    ("flow-direction", 5),
    ("traffic-path", 5),
    ("ecs-cluster-arn", 7),
    ("ecs-cluster-name", 7),
    ("ecs-container-instance-arn", 7),
    ("ecs-container-instance-id", 7),
    ("ecs-container-id", 7),
    ("ecs-second-container-id", 7),
    ("ecs-service-name", 7),
    ("ecs-task-definition-arn", 7),
    ("ecs-task-arn", 7),
    ("ecs-task-id", 7),
    ("reject-reason", 8),
];

/// The field names of a log format (`${a} ${b}` → `["a", "b"]`), or the first token that
/// is not a known `${field}`.
pub fn log_format_fields(format: &str) -> std::result::Result<Vec<&str>, &str> {
    format
        .split_whitespace()
        .map(|token| {
            token
                .strip_prefix("${")
                .and_then(|t| t.strip_suffix('}'))
                .filter(|name| FLOW_LOG_FIELDS.iter().any(|(f, _)| f == name))
                .ok_or(token)
        })
        .collect()
}

/// The record version of a format: the highest version of its fields (2 at least).
pub fn log_format_version(format: &str) -> u8 {
    format
        .split_whitespace()
        .filter_map(|t| t.strip_prefix("${")?.strip_suffix('}'))
        .filter_map(|name| FLOW_LOG_FIELDS.iter().find(|(f, _)| *f == name))
        .map(|(_, v)| *v)
        .max()
        .unwrap_or(2)
        .max(2)
}

/// AWS's `TrafficType`: which decisions a flow log records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TrafficType {
    /// Accepted traffic only.
    Accept,
    /// Rejected traffic only.
    Reject,
    /// Both.
    All,
}

impl TrafficType {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TrafficType::Accept => "ACCEPT",
            TrafficType::Reject => "REJECT",
            TrafficType::All => "ALL",
        }
    }

    /// Whether a flow log of this type records a decision (`accepted` or not).
    pub fn records(self, accepted: bool) -> bool {
        match self {
            TrafficType::All => true,
            TrafficType::Accept => accepted,
            TrafficType::Reject => !accepted,
        }
    }
}

/// Where a flow log's records go.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LogDestination {
    /// A bucket of the lab's S3, and an optional key prefix (a "subfolder").
    S3 {
        /// The bucket name.
        bucket: String,
        /// The prefix without its trailing `/` (empty: none).
        prefix: String,
        /// Hive-compatible partitions (`aws-account-id=…/aws-service=vpcflowlogs/…`).
        hive_compatible_partitions: bool,
        /// One folder per hour under the day.
        per_hour_partition: bool,
    },
    /// A CloudWatch Logs log group, which the lab writes to the file
    /// `<data-dir>/flow-logs/<log-group-name>.log`.
    CloudWatchLogs {
        /// The log group name.
        log_group_name: String,
    },
}

impl LogDestination {
    /// AWS's `LogDestinationType` spelling.
    pub fn type_str(&self) -> &'static str {
        match self {
            LogDestination::S3 { .. } => "s3",
            LogDestination::CloudWatchLogs { .. } => "cloud-watch-logs",
        }
    }
}

/// A flow log (`fl-…`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowLog {
    /// `fl-…`.
    pub id: FlowLogId,
    /// The owning account.
    pub owner_id: AccountId,
    /// Its region.
    pub region: Region,
    /// Its tags.
    pub tags: Tags,
    /// The VPC, subnet or network interface it watches.
    pub resource_id: String,
    /// Which decisions it records.
    pub traffic_type: TrafficType,
    /// Where the records go.
    pub destination: LogDestination,
    /// The ARN AWS shows as `LogDestination` (S3 bucket ARN or log group ARN).
    pub log_destination_arn: String,
    /// The record format (`${field} ${field} …`).
    pub log_format: String,
    /// 60 or 600 seconds.
    pub max_aggregation_interval: u32,
    /// The IAM role given for CloudWatch Logs delivery (kept, not used by the lab).
    pub deliver_logs_permission_arn: Option<String>,
    /// When it was created.
    pub creation_time: Timestamp,
}

owned!(FlowLog);

impl FlowLog {
    /// AWS's `DeliverLogsStatus`: the lab's destinations always accept records.
    pub fn deliver_logs_status(&self) -> &'static str {
        "SUCCESS"
    }

    /// The log group name (CloudWatch Logs destinations).
    pub fn log_group_name(&self) -> Option<&str> {
        match &self.destination {
            LogDestination::CloudWatchLogs { log_group_name } => Some(log_group_name),
            LogDestination::S3 { .. } => None,
        }
    }
}

/// The parameters of CreateFlowLogs, as the request gives them.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CreateFlowLogs {
    /// `VPC`, `Subnet` or `NetworkInterface`.
    pub resource_type: String,
    /// The resources to watch.
    pub resource_ids: Vec<String>,
    /// `ACCEPT`, `REJECT` or `ALL`.
    pub traffic_type: Option<String>,
    /// `cloud-watch-logs` (the default), `s3` or `kinesis-data-firehose`.
    pub log_destination_type: Option<String>,
    /// The destination's ARN.
    pub log_destination: Option<String>,
    /// The log group (CloudWatch Logs), instead of `log_destination`.
    pub log_group_name: Option<String>,
    /// The IAM role for CloudWatch Logs delivery.
    pub deliver_logs_permission_arn: Option<String>,
    /// The record format (default: [`DEFAULT_LOG_FORMAT`]).
    pub log_format: Option<String>,
    /// 60 or 600 (the default).
    pub max_aggregation_interval: Option<i32>,
    /// S3 `FileFormat` (`plain-text` only in the lab).
    pub file_format: Option<String>,
    /// S3 hive-compatible partitions.
    pub hive_compatible_partitions: bool,
    /// S3 per-hour partitions.
    pub per_hour_partition: bool,
    /// Tags (`TagSpecification` of type `vpc-flow-log`).
    pub tags: Tags,
}

/// What CreateFlowLogs did: the flow logs created, and the resources that got none
/// with their error (AWS's `Unsuccessful`).
#[derive(Clone, Debug, PartialEq)]
pub struct FlowLogsCreated {
    /// The new flow logs, in the order of the request's resources.
    pub flow_log_ids: Vec<FlowLogId>,
    /// Resource id → why it got no flow log.
    pub unsuccessful: Vec<(String, Error)>,
}

fn invalid_parameter(message: impl Into<String>) -> Error {
    Error::Coded {
        code: "InvalidParameter",
        message: message.into(),
    }
}

/// AWS's CloudWatch Logs log group names: 1–512 of `[.\-_/#A-Za-z0-9]`. The lab also
/// refuses `.`/`..` path components, since the name becomes a file path.
fn check_log_group_name(name: &str) -> Result<()> {
    let chars_ok = name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b".-_/#".contains(&b));
    let path_ok = name
        .split('/')
        .filter(|c| !c.is_empty())
        .all(|c| c != "." && c != "..")
        && name.split('/').any(|c| !c.is_empty());
    if name.is_empty() || name.len() > 512 || !chars_ok || !path_ok {
        return Err(invalid_parameter(format!(
            "LogGroupName '{name}' is invalid: 1-512 characters of letters, digits, '.', '-', '_', '/', '#' (and, in the lab, no '.' or '..' path component)."
        )));
    }
    Ok(())
}

impl Lab {
    /// The caller's flow log `id`.
    pub fn owned_flow_log(&self, caller: &Caller, id: &str) -> Result<&FlowLog> {
        Lab::owned(&self.flow_logs, caller, Kind::FlowLog, id, FlowLogId::parse)
    }

    /// CreateFlowLogs: one flow log per resource. The request's parameters are checked
    /// first (an error refuses the whole call); then each resource that is missing, not
    /// the caller's, or whose bucket is missing is answered in `unsuccessful` and the
    /// others get their flow log.
    pub fn create_flow_logs(
        &mut self,
        caller: &Caller,
        req: &CreateFlowLogs,
    ) -> Result<FlowLogsCreated> {
        validate_tags(&req.tags)?;
        let (kind, parse): (Kind, fn(&str) -> bool) = match req.resource_type.as_str() {
            "VPC" => (Kind::Vpc, |s| VpcId::parse(s).is_some()),
            "Subnet" => (Kind::Subnet, |s| SubnetId::parse(s).is_some()),
            "NetworkInterface" => (Kind::NetworkInterface, |s| {
                NetworkInterfaceId::parse(s).is_some()
            }),
            "TransitGateway" | "TransitGatewayAttachment" | "RegionalNatGateway" => {
                return Err(invalid_parameter(format!(
                    "ResourceType {} is not served by the lab: flow logs watch a VPC, Subnet or NetworkInterface.",
                    req.resource_type
                )));
            }
            other => return Err(Error::invalid_value("ResourceType", other, "")),
        };
        if req.resource_ids.is_empty() {
            return Err(Error::MissingParameter("ResourceId".into()));
        }
        let traffic_type = match req.traffic_type.as_deref() {
            Some("ACCEPT") => TrafficType::Accept,
            Some("REJECT") => TrafficType::Reject,
            Some("ALL") => TrafficType::All,
            Some(other) => return Err(Error::invalid_value("TrafficType", other, "")),
            // AWS: TrafficType is required for VPC, subnet and network interface logs.
            None => return Err(Error::MissingParameter("TrafficType".into())),
        };
        let max_aggregation_interval = match req.max_aggregation_interval {
            None | Some(600) => 600,
            Some(60) => 60,
            Some(_) => {
                return Err(invalid_parameter(
                    "Invalid Flow Log Max Aggregation Interval",
                ));
            }
        };
        let log_format = match req.log_format.as_deref() {
            None => DEFAULT_LOG_FORMAT.to_owned(),
            Some(f) => {
                if f.trim().is_empty() {
                    return Err(invalid_parameter(
                        "LogFormat must contain at least one field.",
                    ));
                }
                if let Err(token) = log_format_fields(f) {
                    return Err(invalid_parameter(format!(
                        "Unknown fields provided in LogFormat: {token}. A field is written ${{name}} with a name from the flow log record reference."
                    )));
                }
                f.split_whitespace().collect::<Vec<_>>().join(" ")
            }
        };
        let (destination, arn) = self.flow_log_destination(caller, req)?;
        let mut resources: Vec<&String> = Vec::new();
        for id in &req.resource_ids {
            if !resources.contains(&id) {
                resources.push(id);
            }
        }
        // AWS: a second flow log with the same resource and destination is refused.
        for id in &resources {
            if self.flow_logs.values().any(|f| {
                &&f.resource_id == id
                    && f.log_destination_arn == arn
                    && f.owner_id == caller.account
            }) {
                return Err(Error::Coded {
                    code: "FlowLogAlreadyExists",
                    message: "Error. There is an existing Flow Log with the same configuration and log destination.".into(),
                });
            }
        }
        let mut out = FlowLogsCreated {
            flow_log_ids: Vec::new(),
            unsuccessful: Vec::new(),
        };
        for id in resources {
            if let Err(e) = self.check_flow_log_resource(caller, kind, parse, id) {
                out.unsuccessful.push((id.clone(), e));
                continue;
            }
            if let LogDestination::S3 { bucket, .. } = &destination
                && self.bucket(bucket).is_none()
            {
                // AWS answers a missing bucket per resource, with the code "400".
                out.unsuccessful.push((
                    id.clone(),
                    Error::Coded {
                        code: "400",
                        message: format!("LogDestination: {bucket} does not exist."),
                    },
                ));
                continue;
            }
            let fl: FlowLogId = self.mint();
            self.flow_logs.insert(
                fl.clone(),
                FlowLog {
                    id: fl.clone(),
                    owner_id: caller.account.clone(),
                    region: caller.region,
                    tags: req.tags.clone(),
                    resource_id: id.clone(),
                    traffic_type,
                    destination: destination.clone(),
                    log_destination_arn: arn.clone(),
                    log_format: log_format.clone(),
                    max_aggregation_interval,
                    deliver_logs_permission_arn: req.deliver_logs_permission_arn.clone(),
                    creation_time: caller.now,
                },
            );
            out.flow_log_ids.push(fl);
        }
        Ok(out)
    }

    fn check_flow_log_resource(
        &self,
        caller: &Caller,
        kind: Kind,
        parse: fn(&str) -> bool,
        id: &str,
    ) -> Result<()> {
        if !parse(id) {
            return Err(Error::Malformed {
                kind,
                id: id.to_owned(),
            });
        }
        match kind {
            Kind::Vpc => Lab::owned(&self.vpcs, caller, kind, id, VpcId::parse).map(|_| ()),
            Kind::Subnet => {
                Lab::owned(&self.subnets, caller, kind, id, SubnetId::parse).map(|_| ())
            }
            _ => Lab::owned(
                &self.network_interfaces,
                caller,
                kind,
                id,
                NetworkInterfaceId::parse,
            )
            .map(|_| ()),
        }
    }

    /// Reads the destination parameters: the destination and the ARN AWS shows for it.
    fn flow_log_destination(
        &self,
        caller: &Caller,
        req: &CreateFlowLogs,
    ) -> Result<(LogDestination, String)> {
        let file_format = req.file_format.as_deref().unwrap_or("plain-text");
        match req
            .log_destination_type
            .as_deref()
            .unwrap_or("cloud-watch-logs")
        {
            "s3" => {
                if req.log_group_name.is_some() {
                    return Err(invalid_parameter(
                        "LogGroupName is not applicable for s3 delivery; give LogDestination.",
                    ));
                }
                if req.deliver_logs_permission_arn.is_some() {
                    return Err(invalid_parameter(
                        "DeliverLogsPermissionArn is not applicable for s3 delivery.",
                    ));
                }
                match file_format {
                    "plain-text" => {}
                    "parquet" => {
                        return Err(invalid_parameter(
                            "FileFormat parquet is not served by the lab; use plain-text.",
                        ));
                    }
                    other => return Err(Error::invalid_value("FileFormat", other, "")),
                }
                let arn = req.log_destination.as_deref().ok_or_else(|| {
                    invalid_parameter("LogDestination can't be empty if LogDestinationType is s3.")
                })?;
                let path = arn.strip_prefix("arn:aws:s3:::").ok_or_else(|| {
                    invalid_parameter(format!(
                        "LogDestination: {arn} is not an S3 bucket ARN (arn:aws:s3:::bucket[/prefix])."
                    ))
                })?;
                let (bucket, prefix) = path.split_once('/').unwrap_or((path, ""));
                let prefix = prefix.trim_end_matches('/');
                if bucket.is_empty() {
                    return Err(invalid_parameter(format!(
                        "LogDestination: {arn} names no bucket."
                    )));
                }
                // AWS: "You can't use AWSLogs as a subfolder name."
                if prefix.split('/').any(|c| c == "AWSLogs") {
                    return Err(invalid_parameter(
                        "LogDestination: AWSLogs is a reserved subfolder name.",
                    ));
                }
                Ok((
                    LogDestination::S3 {
                        bucket: bucket.to_owned(),
                        prefix: prefix.to_owned(),
                        hive_compatible_partitions: req.hive_compatible_partitions,
                        per_hour_partition: req.per_hour_partition,
                    },
                    arn.to_owned(),
                ))
            }
            "cloud-watch-logs" => {
                if req.file_format.is_some()
                    || req.hive_compatible_partitions
                    || req.per_hour_partition
                {
                    return Err(invalid_parameter(
                        "DestinationOptions are only applicable for s3 delivery.",
                    ));
                }
                // AWS requires the IAM role that lets the service write to CloudWatch Logs.
                if req.deliver_logs_permission_arn.is_none() {
                    return Err(invalid_parameter(
                        "DeliverLogsPermissionArn can't be empty if LogDestinationType is cloud-watch-logs.",
                    ));
                }
                let name = match (&req.log_group_name, &req.log_destination) {
                    (Some(_), Some(_)) => {
                        return Err(invalid_parameter(
                            "Please only provide LogGroupName or only provide LogDestination.",
                        ));
                    }
                    (None, None) => {
                        return Err(invalid_parameter(
                            "LogDestination can't be empty if LogGroupName is not provided.",
                        ));
                    }
                    (Some(name), None) => name.clone(),
                    // arn:aws:logs:<region>:<account>:log-group:<name>[:*]
                    (None, Some(arn)) => arn
                        .strip_prefix("arn:aws:logs:")
                        .and_then(|rest| rest.splitn(3, ':').nth(2))
                        .and_then(|rest| rest.strip_prefix("log-group:"))
                        .map(|n| n.strip_suffix(":*").unwrap_or(n).to_owned())
                        .ok_or_else(|| {
                            invalid_parameter(format!(
                                "LogDestination: {arn} is not a CloudWatch Logs log group ARN."
                            ))
                        })?,
                };
                check_log_group_name(&name)?;
                let arn = format!(
                    "arn:aws:logs:{}:{}:log-group:{name}",
                    caller.region.name(),
                    caller.account
                );
                Ok((
                    LogDestination::CloudWatchLogs {
                        log_group_name: name,
                    },
                    arn,
                ))
            }
            "kinesis-data-firehose" => Err(invalid_parameter(
                "LogDestinationType kinesis-data-firehose is not served by the lab: use s3 (a lab bucket) or cloud-watch-logs (a file in the lab's data directory).",
            )),
            other => Err(Error::invalid_value("LogDestinationType", other, "")),
        }
    }

    /// DeleteFlowLogs: the ids that are not the caller's flow logs come back with their
    /// error (AWS's `Unsuccessful`, `InvalidFlowLogId.NotFound`); the rest are deleted.
    pub fn delete_flow_logs(&mut self, caller: &Caller, ids: &[String]) -> Vec<(String, Error)> {
        let mut unsuccessful = Vec::new();
        for id in ids {
            match self.owned_flow_log(caller, id) {
                Ok(f) => {
                    let fid = f.id.clone();
                    self.flow_logs.shift_remove(&fid);
                }
                Err(e) => unsuccessful.push((id.clone(), e)),
            }
        }
        unsuccessful
    }

    /// Drops the flow logs whose resource is gone: AWS deletes a flow log with the VPC,
    /// subnet or network interface it watches. Run after every applied operation.
    pub(crate) fn drop_orphan_flow_logs(&mut self) {
        if self.flow_logs.is_empty() {
            return;
        }
        let (vpcs, subnets, enis) = (&self.vpcs, &self.subnets, &self.network_interfaces);
        self.flow_logs.retain(|_, f| {
            let id = f.resource_id.as_str();
            vpcs.contains_key(id) || subnets.contains_key(id) || enis.contains_key(id)
        });
    }
}
