//! VPC Flow Logs on the data plane: a [`FlowRecord`] per decision, rendered in each
//! capturing flow log's format and delivered to its destination.
//!
//! - A `cloud-watch-logs` flow log writes to the FILE
//!   `<data-dir>/flow-logs/<log-group-name>.log` (the lab has no CloudWatch Logs; a `/` in
//!   the group name makes directories, a leading `/` is dropped): a header line of field
//!   names when the file is new, then one record per line, appended at once.
//! - An `s3` flow log buffers its records and hands them, gzipped, to an [`ObjectSink`]
//!   (the lab's S3) under AWS's key layout
//!   `[prefix/]AWSLogs/<account>/vpcflowlogs/<region>/<yyyy>/<mm>/<dd>/<account>_vpcflowlogs_<region>_<flow-log-id>_<yyyymmddTHHmmZ>_<hash>.log.gz`,
//!   header line first, once the buffer is as old as the flow log's aggregation interval
//!   or on [`FlowLogWriter::flush`].
//!
//! The field names and versions follow AWS's "Flow log records" reference; a value the
//! lab does not know is written `-`, as AWS writes an absent field.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs::OpenOptions;
use std::future::Future;
use std::io::Write as _;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use vpclab_model::{FlowLog, Lab, LogDestination, log_format_fields, log_format_version};

use crate::proxy::BoxError;

/// ACCEPT or REJECT: what the network decided for a flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowAction {
    /// The flow was let through.
    Accept,
    /// The flow was refused.
    Reject,
}

/// AWS's `log-status`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogStatus {
    /// Data is logging normally.
    #[default]
    Ok,
    /// No traffic during the aggregation interval.
    NoData,
    /// Some records were skipped.
    SkipData,
}

/// AWS's `flow-direction`, relative to the interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowDirection {
    /// Traffic arriving at the interface.
    Ingress,
    /// Traffic leaving it.
    Egress,
}

/// One flow log record: what the lab knows of a flow at one network interface. Absent
/// values are written `-`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlowRecord {
    /// The account that owns the interface (`account-id`).
    pub account_id: String,
    /// `interface-id` (`eni-…`).
    pub interface_id: Option<String>,
    /// `srcaddr`.
    pub srcaddr: Option<IpAddr>,
    /// `dstaddr`.
    pub dstaddr: Option<IpAddr>,
    /// `srcport`.
    pub srcport: Option<u16>,
    /// `dstport`.
    pub dstport: Option<u16>,
    /// `protocol`: the IANA number (6 TCP, 17 UDP, 1 ICMP).
    pub protocol: Option<u8>,
    /// `packets`.
    pub packets: u64,
    /// `bytes`.
    pub bytes: u64,
    /// `start`: Unix seconds of the first packet.
    pub start: i64,
    /// `end`: Unix seconds of the last packet.
    pub end: i64,
    /// `action` (none with `NODATA`).
    pub action: Option<FlowAction>,
    /// `log-status`.
    pub log_status: LogStatus,
    /// `vpc-id` (looked up from the interface when absent).
    pub vpc_id: Option<String>,
    /// `subnet-id` (looked up from the interface when absent).
    pub subnet_id: Option<String>,
    /// `instance-id`.
    pub instance_id: Option<String>,
    /// `tcp-flags`: the OR of the flags seen (SYN 2, FIN 1, RST 4, SYN-ACK 18).
    pub tcp_flags: Option<u8>,
    /// `pkt-srcaddr` (defaults to `srcaddr`).
    pub pkt_srcaddr: Option<IpAddr>,
    /// `pkt-dstaddr` (defaults to `dstaddr`).
    pub pkt_dstaddr: Option<IpAddr>,
    /// `region`.
    pub region: Option<String>,
    /// `az-id` (`use1-az1`).
    pub az_id: Option<String>,
    /// `pkt-src-aws-service` (`S3`, `AMAZON`, …).
    pub pkt_src_aws_service: Option<String>,
    /// `pkt-dst-aws-service`.
    pub pkt_dst_aws_service: Option<String>,
    /// `flow-direction`.
    pub flow_direction: Option<FlowDirection>,
    /// `traffic-path` for egress (1 same VPC, 2 IGW/gateway endpoint, 3 VGW, 4 peering,
    /// 5 local gateway, 7 NAT/TGW, 8 …).
    pub traffic_path: Option<u8>,
    /// `reject-reason` (AWS writes `BPA` for Block Public Access).
    pub reject_reason: Option<String>,
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref()
        .map_or_else(|| "-".to_owned(), ToString::to_string)
}

impl FlowRecord {
    /// Whether the flow was accepted (a NODATA record counts as neither: `None`).
    pub fn accepted(&self) -> Option<bool> {
        self.action.map(|a| a == FlowAction::Accept)
    }

    /// The value of one field, as AWS writes it (`-` when unknown or absent).
    pub fn field(&self, name: &str, version: u8) -> String {
        match name {
            "version" => version.to_string(),
            "account-id" => {
                if self.account_id.is_empty() {
                    "-".to_owned()
                } else {
                    self.account_id.clone()
                }
            }
            "interface-id" => opt(&self.interface_id),
            "srcaddr" => opt(&self.srcaddr),
            "dstaddr" => opt(&self.dstaddr),
            "srcport" => opt(&self.srcport),
            "dstport" => opt(&self.dstport),
            "protocol" => opt(&self.protocol),
            // AWS: a NODATA record carries no counts or action.
            "packets" if self.log_status == LogStatus::Ok => self.packets.to_string(),
            "bytes" if self.log_status == LogStatus::Ok => self.bytes.to_string(),
            "start" => self.start.to_string(),
            "end" => self.end.to_string(),
            "action" => match self.action {
                Some(FlowAction::Accept) => "ACCEPT".to_owned(),
                Some(FlowAction::Reject) => "REJECT".to_owned(),
                None => "-".to_owned(),
            },
            "log-status" => match self.log_status {
                LogStatus::Ok => "OK",
                LogStatus::NoData => "NODATA",
                LogStatus::SkipData => "SKIPDATA",
            }
            .to_owned(),
            "vpc-id" => opt(&self.vpc_id),
            "subnet-id" => opt(&self.subnet_id),
            "instance-id" => opt(&self.instance_id),
            "tcp-flags" => opt(&self.tcp_flags),
            "type" => match self.srcaddr.or(self.dstaddr) {
                Some(IpAddr::V4(_)) => "IPv4".to_owned(),
                Some(IpAddr::V6(_)) => "IPv6".to_owned(),
                None => "-".to_owned(),
            },
            "pkt-srcaddr" => opt(&self.pkt_srcaddr.or(self.srcaddr)),
            "pkt-dstaddr" => opt(&self.pkt_dstaddr.or(self.dstaddr)),
            "region" => opt(&self.region),
            "az-id" => opt(&self.az_id),
            "pkt-src-aws-service" => opt(&self.pkt_src_aws_service),
            "pkt-dst-aws-service" => opt(&self.pkt_dst_aws_service),
            "flow-direction" => match self.flow_direction {
                Some(FlowDirection::Ingress) => "ingress".to_owned(),
                Some(FlowDirection::Egress) => "egress".to_owned(),
                None => "-".to_owned(),
            },
            "traffic-path" => opt(&self.traffic_path),
            "reject-reason" => opt(&self.reject_reason),
            // sublocation-*, ecs-*: not known to the lab; unknown names likewise.
            _ => "-".to_owned(),
        }
    }

    /// The record as one line of a flow log whose `LogFormat` is `format`.
    pub fn format(&self, format: &str) -> String {
        let version = log_format_version(format);
        let mut out = String::with_capacity(128);
        for (i, token) in format.split_whitespace().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            match token.strip_prefix("${").and_then(|t| t.strip_suffix('}')) {
                Some(name) => out.push_str(&self.field(name, version)),
                None => out.push('-'),
            }
        }
        out
    }
}

/// The header line of a format: its field names (`version account-id …`), which AWS
/// writes first in every log file it delivers to S3.
pub fn header_line(format: &str) -> String {
    match log_format_fields(format) {
        Ok(fields) => fields.join(" "),
        Err(_) => format
            .split_whitespace()
            .map(|t| t.trim_start_matches("${").trim_end_matches('}'))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// The flow logs that capture `record`: those of its interface, of the interface's
/// subnet and of its VPC, whose traffic type records the record's action. The subnet and
/// VPC come from the record, else from the interface in the lab.
pub fn matching_flow_logs<'a>(lab: &'a Lab, record: &FlowRecord) -> Vec<&'a FlowLog> {
    let eni = record
        .interface_id
        .as_deref()
        .and_then(|id| lab.network_interface(id));
    let subnet = record
        .subnet_id
        .clone()
        .or_else(|| eni.map(|e| e.subnet_id.to_string()));
    let vpc = record
        .vpc_id
        .clone()
        .or_else(|| eni.map(|e| e.vpc_id.to_string()));
    let watched = [
        record.interface_id.as_deref(),
        subnet.as_deref(),
        vpc.as_deref(),
    ];
    lab.flow_logs()
        .filter(|f| watched.contains(&Some(f.resource_id.as_str())))
        // A NODATA record has no action: every flow log records it.
        .filter(|f| record.accepted().is_none_or(|a| f.traffic_type.records(a)))
        .collect()
}

/// Where the lab's S3 takes delivered log files. The server implements it over its
/// object store; tests use a fake.
pub trait ObjectSink: Send + Sync {
    /// Stores `body` as object `key` of `bucket`.
    fn put(
        &self,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
    ) -> Pin<Box<dyn Future<Output = Result<(), BoxError>> + Send + '_>>;
}

/// The file a `cloud-watch-logs` flow log's group is written to:
/// `<data-dir>/flow-logs/<log-group-name>.log`. The model refuses `.`/`..` components,
/// so the path stays under the data directory.
pub fn log_group_file(data_dir: &Path, log_group_name: &str) -> PathBuf {
    let mut path = data_dir.join("flow-logs");
    let parts: Vec<&str> = log_group_name
        .split('/')
        .filter(|c| !c.is_empty() && *c != "." && *c != "..")
        .collect();
    for (i, part) in parts.iter().enumerate() {
        if i + 1 == parts.len() {
            path.push(format!("{part}.log"));
        } else {
            path.push(part);
        }
    }
    path
}

/// The records of a flow log file, without its header line (for `vpclab flow-logs`).
pub fn read_file_records(path: &Path) -> std::io::Result<Vec<String>> {
    let text = std::fs::read_to_string(path)?;
    Ok(text.lines().skip(1).map(str::to_owned).collect())
}

/// An S3 flow log's records not delivered yet.
#[derive(Debug)]
struct Batch {
    bucket: String,
    prefix: String,
    hive: bool,
    per_hour: bool,
    account: String,
    region: String,
    flow_log_id: String,
    header: String,
    interval: i64,
    since: i64,
    lines: Vec<String>,
}

impl Batch {
    /// AWS's object key for this batch delivered at `now` (Unix seconds).
    fn key(&self, now: i64, hash: u32) -> String {
        let t = time::OffsetDateTime::from_unix_timestamp(now)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        let (y, mo, d, h, mi) = (t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute());
        let mut key = String::new();
        if !self.prefix.is_empty() {
            let _ = write!(key, "{}/", self.prefix);
        }
        let (acct, region) = (&self.account, &self.region);
        if self.hive {
            let _ = write!(
                key,
                "AWSLogs/aws-account-id={acct}/aws-service=vpcflowlogs/aws-region={region}/year={y:04}/month={mo:02}/day={d:02}/"
            );
            if self.per_hour {
                let _ = write!(key, "hour={h:02}/");
            }
        } else {
            let _ = write!(
                key,
                "AWSLogs/{acct}/vpcflowlogs/{region}/{y:04}/{mo:02}/{d:02}/"
            );
            if self.per_hour {
                let _ = write!(key, "{h:02}/");
            }
        }
        let _ = write!(
            key,
            "{acct}_vpcflowlogs_{region}_{}_{y:04}{mo:02}{d:02}T{h:02}{mi:02}Z_{hash:08x}.log.gz",
            self.flow_log_id
        );
        key
    }

    fn body(&self) -> Vec<u8> {
        let mut text = String::with_capacity(self.header.len() + 1 + self.lines.len() * 100);
        text.push_str(&self.header);
        text.push('\n');
        for l in &self.lines {
            text.push_str(l);
            text.push('\n');
        }
        gzip(text.as_bytes())
    }
}

/// Delivers flow log records: appends to log group files at once, buffers S3 records
/// and hands them to the [`ObjectSink`] when due (see the module docs).
pub struct FlowLogWriter {
    data_dir: PathBuf,
    sink: Arc<dyn ObjectSink>,
    batches: Mutex<HashMap<String, Batch>>,
    files: Mutex<()>,
    deliveries: std::sync::atomic::AtomicU64,
}

/// Now, in Unix seconds (flow log records' `start`/`end`).
pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl FlowLogWriter {
    /// A writer for the lab whose data directory is `data_dir`, delivering S3 log files
    /// to `sink`.
    pub fn new(data_dir: impl Into<PathBuf>, sink: Arc<dyn ObjectSink>) -> Self {
        FlowLogWriter {
            data_dir: data_dir.into(),
            sink,
            batches: Mutex::new(HashMap::new()),
            files: Mutex::new(()),
            deliveries: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Records `record` in every flow log that captures it (see [`matching_flow_logs`]).
    /// Returns how many flow logs took it. File errors are returned; S3 records are only
    /// buffered here.
    pub fn record(&self, lab: &Lab, record: &FlowRecord) -> std::io::Result<usize> {
        self.record_at(lab, record, unix_now())
    }

    /// [`FlowLogWriter::record`] at a given time (Unix seconds), for tests.
    pub fn record_at(&self, lab: &Lab, record: &FlowRecord, now: i64) -> std::io::Result<usize> {
        let logs = matching_flow_logs(lab, record);
        for f in &logs {
            let line = record.format(&f.log_format);
            match &f.destination {
                LogDestination::CloudWatchLogs { log_group_name } => {
                    self.append(&log_group_file(&self.data_dir, log_group_name), f, &line)?;
                }
                LogDestination::S3 {
                    bucket,
                    prefix,
                    hive_compatible_partitions,
                    per_hour_partition,
                } => {
                    let mut batches = self.batches.lock().unwrap_or_else(|e| e.into_inner());
                    batches
                        .entry(f.id.to_string())
                        .or_insert_with(|| Batch {
                            bucket: bucket.clone(),
                            prefix: prefix.clone(),
                            hive: *hive_compatible_partitions,
                            per_hour: *per_hour_partition,
                            account: f.owner_id.to_string(),
                            region: f.region.name().to_owned(),
                            flow_log_id: f.id.to_string(),
                            header: header_line(&f.log_format),
                            interval: i64::from(f.max_aggregation_interval),
                            since: now,
                            lines: Vec::new(),
                        })
                        .lines
                        .push(line);
                }
            }
        }
        Ok(logs.len())
    }

    fn append(&self, path: &Path, f: &FlowLog, line: &str) -> std::io::Result<()> {
        let _guard = self.files.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = OpenOptions::new().create(true).append(true).open(path)?;
        let mut text = String::new();
        if file.metadata()?.len() == 0 {
            text.push_str(&header_line(&f.log_format));
            text.push('\n');
        }
        text.push_str(line);
        text.push('\n');
        file.write_all(text.as_bytes())
    }

    /// Delivers every S3 batch now. Returns how many log files were written.
    pub async fn flush(&self) -> Result<usize, BoxError> {
        self.deliver(unix_now(), |_| true).await
    }

    /// Delivers the S3 batches as old as their flow log's aggregation interval at `now`
    /// (Unix seconds).
    pub async fn flush_due(&self, now: i64) -> Result<usize, BoxError> {
        self.deliver(now, |b| now - b.since >= b.interval).await
    }

    async fn deliver(&self, now: i64, due: impl Fn(&Batch) -> bool) -> Result<usize, BoxError> {
        let taken: Vec<Batch> = {
            let mut batches = self.batches.lock().unwrap_or_else(|e| e.into_inner());
            let ids: Vec<String> = batches
                .iter()
                .filter(|(_, b)| due(b))
                .map(|(id, _)| id.clone())
                .collect();
            ids.iter().filter_map(|id| batches.remove(id)).collect()
        };
        let mut delivered = 0;
        let mut failed: Option<BoxError> = None;
        let mut back = Vec::new();
        for batch in taken {
            let n = self
                .deliveries
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let key = batch.key(now, fnv(&format!("{}/{now}/{n}", batch.flow_log_id)));
            match self.sink.put(&batch.bucket, &key, batch.body()).await {
                Ok(()) => delivered += 1,
                Err(e) => {
                    failed.get_or_insert(e);
                    back.push(batch);
                }
            }
        }
        if !back.is_empty() {
            // Undelivered records wait for the next flush, ahead of newer ones.
            let mut batches = self.batches.lock().unwrap_or_else(|e| e.into_inner());
            for mut b in back {
                if let Some(newer) = batches.remove(&b.flow_log_id) {
                    b.lines.extend(newer.lines);
                }
                batches.insert(b.flow_log_id.clone(), b);
            }
        }
        match failed {
            Some(e) => Err(e),
            None => Ok(delivered),
        }
    }

    /// Runs [`FlowLogWriter::flush_due`] every second until the writer is dropped
    /// elsewhere and this task is aborted.
    pub fn spawn_flusher(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let me = Arc::clone(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                let _ = me.flush_due(unix_now()).await;
            }
        })
    }
}

/// FNV-1a, for the random-looking hash part of a log file's name.
fn fnv(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// `data` compressed as one gzip member, as AWS delivers flow log files to S3.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(data);
    encoder.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use vpclab_model::{AccountId, Caller, CreateFlowLogs, CreateSubnet, CreateVpc, Outcome};
    use vpclab_model::{CreateNetworkInterface, DEFAULT_LOG_FORMAT, Operation, Region, Timestamp};

    const T: i64 = 1_700_000_000;

    struct World {
        lab: Lab,
        c: Caller,
        vpc: String,
        subnet: String,
        eni: String,
    }

    fn world() -> World {
        let account = AccountId::parse("111111111111").unwrap();
        let c = Caller::new(
            account.clone(),
            Region::default_region(),
            Timestamp(T * 1000),
        );
        let mut lab = Lab::new(1);
        lab.add_account_without_default_vpcs(&account);
        let created = |o: Outcome| match o {
            Outcome::Created(id) => id,
            other => panic!("{other:?}"),
        };
        let vpc = created(
            lab.apply(
                &c,
                &Operation::CreateVpc(CreateVpc {
                    cidr_block: "10.0.0.0/16".into(),
                    ..Default::default()
                }),
            )
            .unwrap(),
        );
        let subnet = created(
            lab.apply(
                &c,
                &Operation::CreateSubnet(CreateSubnet {
                    vpc_id: vpc.clone(),
                    cidr_block: "10.0.1.0/24".into(),
                    ..Default::default()
                }),
            )
            .unwrap(),
        );
        let eni = created(
            lab.apply(
                &c,
                &Operation::CreateNetworkInterface(CreateNetworkInterface {
                    subnet_id: subnet.clone(),
                    ..Default::default()
                }),
            )
            .unwrap(),
        );
        lab.create_bucket(&c, "logs-bucket", c.region).unwrap();
        World {
            lab,
            c,
            vpc,
            subnet,
            eni,
        }
    }

    fn flow_log(w: &mut World, req: CreateFlowLogs) -> String {
        match w.lab.apply(&w.c, &Operation::CreateFlowLogs(req)).unwrap() {
            Outcome::FlowLogs(out) => out.flow_log_ids[0].to_string(),
            other => panic!("{other:?}"),
        }
    }

    fn to_group(kind: &str, id: &str, traffic: &str, group: &str) -> CreateFlowLogs {
        CreateFlowLogs {
            resource_type: kind.into(),
            resource_ids: vec![id.into()],
            traffic_type: Some(traffic.into()),
            log_group_name: Some(group.into()),
            deliver_logs_permission_arn: Some("arn:aws:iam::111111111111:role/r".into()),
            ..Default::default()
        }
    }

    fn record(w: &World, action: FlowAction) -> FlowRecord {
        FlowRecord {
            account_id: "111111111111".into(),
            interface_id: Some(w.eni.clone()),
            srcaddr: Some("10.0.1.5".parse().unwrap()),
            dstaddr: Some("52.216.0.10".parse().unwrap()),
            srcport: Some(49152),
            dstport: Some(443),
            protocol: Some(6),
            packets: 10,
            bytes: 840,
            start: T,
            end: T + 5,
            action: Some(action),
            ..Default::default()
        }
    }

    #[derive(Default)]
    struct FakeS3 {
        objects: Mutex<Vec<(String, String, Vec<u8>)>>,
    }

    impl ObjectSink for FakeS3 {
        fn put(
            &self,
            bucket: &str,
            key: &str,
            body: Vec<u8>,
        ) -> Pin<Box<dyn Future<Output = Result<(), BoxError>> + Send + '_>> {
            self.objects
                .lock()
                .unwrap()
                .push((bucket.to_owned(), key.to_owned(), body));
            Box::pin(async { Ok(()) })
        }
    }

    fn gunzip(gz: &[u8]) -> Vec<u8> {
        use std::io::Read as _;
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(gz)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn default_format_is_the_v2_line() {
        let w = world();
        let line = record(&w, FlowAction::Accept).format(DEFAULT_LOG_FORMAT);
        assert_eq!(
            line,
            format!(
                "2 111111111111 {} 10.0.1.5 52.216.0.10 49152 443 6 10 840 {T} {} ACCEPT OK",
                w.eni,
                T + 5
            )
        );
    }

    #[test]
    fn custom_formats_take_later_versions_and_dash_the_unknown() {
        let w = world();
        let mut r = record(&w, FlowAction::Reject);
        r.vpc_id = Some(w.vpc.clone());
        r.flow_direction = Some(FlowDirection::Egress);
        let line = r.format(
            "${version} ${vpc-id} ${instance-id} ${type} ${pkt-dstaddr} ${flow-direction} ${action} ${ecs-task-id}",
        );
        assert_eq!(
            line,
            format!("7 {} - IPv4 52.216.0.10 egress REJECT -", w.vpc)
        );
        let mut nodata = r.clone();
        nodata.log_status = LogStatus::NoData;
        nodata.action = None;
        assert_eq!(
            nodata.format("${packets} ${bytes} ${action} ${log-status}"),
            "- - - NODATA"
        );
        assert_eq!(
            header_line(DEFAULT_LOG_FORMAT),
            "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"
        );
    }

    #[test]
    fn matching_takes_the_interface_subnet_and_vpc_logs_of_the_right_traffic_type() {
        let mut w = world();
        let (vpc, subnet, eni) = (w.vpc.clone(), w.subnet.clone(), w.eni.clone());
        let on_vpc = flow_log(&mut w, to_group("VPC", &vpc, "ALL", "a"));
        let on_subnet = flow_log(&mut w, to_group("Subnet", &subnet, "REJECT", "b"));
        let on_eni = flow_log(&mut w, to_group("NetworkInterface", &eni, "ACCEPT", "c"));
        let ids = |action| {
            let mut v: Vec<String> = matching_flow_logs(&w.lab, &record(&w, action))
                .into_iter()
                .map(|f| f.id.to_string())
                .collect();
            v.sort();
            v
        };
        let mut accept = vec![on_vpc.clone(), on_eni];
        accept.sort();
        let mut reject = vec![on_vpc, on_subnet];
        reject.sort();
        assert_eq!(ids(FlowAction::Accept), accept);
        assert_eq!(ids(FlowAction::Reject), reject);
        // Another interface's record is nobody's here.
        let mut stranger = record(&w, FlowAction::Accept);
        stranger.interface_id = Some("eni-0123456789abcdef0".into());
        assert!(matching_flow_logs(&w.lab, &stranger).is_empty());
    }

    #[test]
    fn a_log_group_is_a_file_with_a_header_then_lines() {
        let mut w = world();
        let vpc = w.vpc.clone();
        flow_log(&mut w, to_group("VPC", &vpc, "ALL", "/aws/vpc/flows"));
        let dir = tempfile::tempdir().unwrap();
        let writer = FlowLogWriter::new(dir.path(), Arc::new(FakeS3::default()));
        assert_eq!(
            writer
                .record_at(&w.lab, &record(&w, FlowAction::Accept), T)
                .unwrap(),
            1
        );
        writer
            .record_at(&w.lab, &record(&w, FlowAction::Reject), T)
            .unwrap();
        let path = dir.path().join("flow-logs/aws/vpc/flows.log");
        assert_eq!(log_group_file(dir.path(), "/aws/vpc/flows"), path);
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0], header_line(DEFAULT_LOG_FORMAT));
        assert!(lines[1].ends_with("ACCEPT OK"), "{}", lines[1]);
        assert!(lines[2].ends_with("REJECT OK"), "{}", lines[2]);
        assert_eq!(read_file_records(&path).unwrap().len(), 2);
    }

    #[test]
    fn s3_batches_are_delivered_gzipped_under_aws_keys_when_due() {
        let mut w = world();
        let vpc = w.vpc.clone();
        let fl = flow_log(
            &mut w,
            CreateFlowLogs {
                resource_type: "VPC".into(),
                resource_ids: vec![vpc],
                traffic_type: Some("ALL".into()),
                log_destination_type: Some("s3".into()),
                log_destination: Some("arn:aws:s3:::logs-bucket/team".into()),
                max_aggregation_interval: Some(60),
                ..Default::default()
            },
        );
        let sink = Arc::new(FakeS3::default());
        let dir = tempfile::tempdir().unwrap();
        let writer = FlowLogWriter::new(dir.path(), sink.clone());
        writer
            .record_at(&w.lab, &record(&w, FlowAction::Accept), T)
            .unwrap();
        writer
            .record_at(&w.lab, &record(&w, FlowAction::Reject), T + 10)
            .unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        // Not yet due: nothing delivered.
        assert_eq!(rt.block_on(writer.flush_due(T + 59)).unwrap(), 0);
        assert!(sink.objects.lock().unwrap().is_empty());
        assert_eq!(rt.block_on(writer.flush_due(T + 60)).unwrap(), 1);
        let objects = sink.objects.lock().unwrap().clone();
        let (bucket, key, body) = &objects[0];
        assert_eq!(bucket, "logs-bucket");
        // 1_700_000_060 is 2023-11-14T22:14:20Z.
        let expected = format!(
            "team/AWSLogs/111111111111/vpcflowlogs/us-east-1/2023/11/14/111111111111_vpcflowlogs_us-east-1_{fl}_20231114T2214Z_"
        );
        assert!(key.starts_with(&expected), "{key}");
        assert!(
            key.ends_with(".log.gz") && key.len() == expected.len() + 8 + 7,
            "{key}"
        );
        let text = String::from_utf8(gunzip(body)).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], header_line(DEFAULT_LOG_FORMAT));
        assert_eq!(lines.len(), 3);
        assert!(lines[2].ends_with("REJECT OK"));
        // Delivered once: a second flush has nothing left.
        assert_eq!(rt.block_on(writer.flush()).unwrap(), 0);
    }

    #[test]
    fn gzip_is_well_formed() {
        assert_eq!(gunzip(&gzip(b"")), b"");
        let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let packed = gzip(&big);
        assert!(
            packed.len() < big.len() / 10,
            "compressed: {}",
            packed.len()
        );
        assert_eq!(gunzip(&packed), big);
    }
}
