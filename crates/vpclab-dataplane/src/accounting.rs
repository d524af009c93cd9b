//! What the data plane remembers of each decision: a VPC Flow Logs record (version 2) in
//! the lab's own log (`<data-dir>/flow-logs/lab.log`, read by `vpclab flow-logs`), the
//! same record for every EC2 flow log that captures it, byte counters per NAT gateway
//! and VPC endpoint, and bytes per (instance, destination, port) with when they were seen
//! (what `vpclab cost` re-traces and scales to a month).

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use vpclab_model::{DEFAULT_LOG_FORMAT, Lab};
use vpclab_reach::{ComponentKind, Delivery, Destination, Trace};

use crate::flowlog::{FlowAction, FlowDirection, FlowLogWriter, FlowRecord, header_line, unix_now};
use crate::proxy::Identity;

/// Bytes and flows through one NAT gateway or VPC endpoint.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counter {
    /// Bytes both ways.
    pub bytes: u64,
    /// Connections.
    pub flows: u64,
}

/// Bytes one instance exchanged with one destination (as the program asked for it: a
/// name or an address) on one port, over the connections the data plane admitted, and
/// when: enough for a cost estimate to trace the flow again and scale it to a month.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowCounter {
    /// The instance the connections came from.
    pub instance_id: String,
    /// The destination as asked.
    pub destination: String,
    /// The destination port.
    pub port: u16,
    /// Bytes the instance sent.
    pub bytes_out: u64,
    /// Bytes the instance received.
    pub bytes_in: u64,
    /// Connections admitted.
    pub connections: u64,
    /// When the first connection started (ms since the Unix epoch).
    pub first_seen_ms: i64,
    /// When the last connection ended (ms since the Unix epoch).
    pub last_seen_ms: i64,
}

/// A flow counter's key: instance, destination as asked, port.
type FlowKey = (String, String, u16);

/// Counters kept in memory and in a JSON file beside the lab log. The file is rewritten
/// whole by [`Accounting::persist`] (every second, and when the server stops), never on
/// a connection's path: these are measurements, not acknowledged writes, and a `kill -9`
/// loses at most the last second of them.
struct Kept<T> {
    value: T,
    path: PathBuf,
    dirty: bool,
}

impl<T: Serialize + serde::de::DeserializeOwned + Default> Kept<T> {
    fn load(path: PathBuf) -> Kept<T> {
        let value = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        Kept {
            value,
            path,
            dirty: false,
        }
    }

    fn persist(&mut self) {
        if self.dirty
            && let Ok(text) = serde_json::to_vec(&self.value)
        {
            write_whole(&self.path, &text);
            self.dirty = false;
        }
    }
}

/// The data plane's records.
pub struct Accounting {
    lab_log: PathBuf,
    writer: Option<Arc<FlowLogWriter>>,
    counters: Mutex<Kept<BTreeMap<String, Counter>>>,
    /// Kept as a list in flows.json.
    flows: Mutex<Kept<Vec<FlowCounter>>>,
    /// Where each flow is in `flows`.
    flow_index: Mutex<std::collections::HashMap<FlowKey, usize>>,
    /// The lab log, kept open (a record per connection must not cost an open).
    file: Mutex<Option<std::fs::File>>,
}

/// A TCP segment's payload on a typical path (1500-byte MTU), to estimate packets.
const SEGMENT: u64 = 1448;

/// The lab's own flow log: every decision of the data plane.
pub fn lab_log_path(data_dir: &Path) -> PathBuf {
    data_dir.join("flow-logs").join("lab.log")
}

impl Accounting {
    /// Records kept under `data_dir`; EC2 flow logs delivered through `writer`.
    /// The counters are kept in `<data-dir>/flow-logs/counters.json` and read back here,
    /// so a restart does not forget the traffic a cost estimate scales.
    pub fn new(data_dir: &Path, writer: Option<Arc<FlowLogWriter>>) -> Accounting {
        let counters = Kept::load(data_dir.join("flow-logs").join("counters.json"));
        // Beside counters.json, kept the same way.
        let flows: Kept<Vec<FlowCounter>> =
            Kept::load(data_dir.join("flow-logs").join("flows.json"));
        let flow_index = flows
            .value
            .iter()
            .enumerate()
            .map(|(i, f)| ((f.instance_id.clone(), f.destination.clone(), f.port), i))
            .collect();
        Accounting {
            lab_log: lab_log_path(data_dir),
            writer,
            counters: Mutex::new(counters),
            flows: Mutex::new(flows),
            flow_index: Mutex::new(flow_index),
            file: Mutex::new(None),
        }
    }

    /// Delivers every buffered flow log record now and writes the counters (the server
    /// stops).
    pub async fn flush(&self) -> Result<usize, crate::proxy::BoxError> {
        self.persist();
        match &self.writer {
            Some(w) => w.flush().await,
            None => Ok(0),
        }
    }

    /// Writes the counters that changed since the last call to their files.
    pub fn persist(&self) {
        self.counters
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .persist();
        self.flows
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .persist();
    }

    /// Runs [`Accounting::persist`] every second, off the runtime's threads.
    pub fn spawn_persister(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let me = Arc::clone(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
            loop {
                tick.tick().await;
                let me = Arc::clone(&me);
                let _ = tokio::task::spawn_blocking(move || me.persist()).await;
            }
        })
    }

    /// The lab's own flow log file.
    pub fn lab_log(&self) -> &Path {
        &self.lab_log
    }

    /// The counters so far, by NAT gateway or endpoint id.
    pub fn counters(&self) -> BTreeMap<String, Counter> {
        self.counters
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .value
            .clone()
    }

    /// Bytes per (instance, destination as asked, port) so far, for every instance.
    pub fn flows(&self) -> Vec<FlowCounter> {
        self.flows
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .value
            .clone()
    }

    /// Records one connection from `who`, refused or carried (`bytes_out` from the
    /// instance, `bytes_in` to it), between `start` and now.
    pub fn record(
        &self,
        lab: &Lab,
        who: &Identity,
        trace: &Trace,
        accepted: bool,
        (bytes_out, bytes_in): (u64, u64),
        start: i64,
    ) {
        let end = unix_now();
        let header = trace
            .forward
            .first()
            .map(|h| h.outbound)
            .or_else(|| trace.refusal().map(|r| r.header));
        let instance = lab.instance(who.instance_id.as_str());
        let eni =
            instance.and_then(|i| lab.network_interface(i.primary_network_interface_id.as_str()));
        let (packets, bytes) = if accepted {
            let bytes = bytes_out + bytes_in;
            // The handshake and teardown, plus full segments each way.
            (
                6 + bytes_out.div_ceil(SEGMENT) + bytes_in.div_ceil(SEGMENT),
                bytes + 6 * 60,
            )
        } else {
            // A refused connection is its first packet (a SYN), dropped.
            (1, 60)
        };
        let action = if accepted {
            FlowAction::Accept
        } else {
            FlowAction::Reject
        };
        let record = FlowRecord {
            account_id: who.account.clone(),
            interface_id: eni.map(|e| e.id.to_string()),
            srcaddr: header.as_ref().map(|h| h.source),
            dstaddr: header.as_ref().map(|h| h.destination),
            srcport: header.as_ref().map(|h| h.source_port),
            dstport: header.as_ref().map(|h| h.destination_port),
            protocol: Some(6),
            packets,
            bytes,
            start,
            end: end.max(start),
            action: Some(action),
            vpc_id: instance.map(|i| i.vpc_id.to_string()),
            subnet_id: instance.map(|i| i.subnet_id.to_string()),
            instance_id: Some(who.instance_id.to_string()),
            pkt_srcaddr: header.as_ref().map(|h| h.source),
            pkt_dstaddr: header.as_ref().map(|h| h.destination),
            region: instance.map(|i| i.region.name().to_owned()),
            flow_direction: Some(FlowDirection::Egress),
            reject_reason: None,
            ..FlowRecord::default()
        };
        self.append_lab_log(&record);
        if let Some(w) = &self.writer {
            let _ = w.record(lab, &record);
            // The receiving interface, when the flow reached one, logs it too (inbound).
            if accepted
                && let Some(Delivery::NetworkInterface {
                    network_interface_id,
                    instance_id,
                    ..
                }) = trace.delivery()
                && let Some(dst) = lab.network_interface(network_interface_id)
            {
                let inbound = FlowRecord {
                    account_id: dst.owner_id.to_string(),
                    interface_id: Some(network_interface_id.clone()),
                    vpc_id: Some(dst.vpc_id.to_string()),
                    subnet_id: Some(dst.subnet_id.to_string()),
                    instance_id: instance_id.clone(),
                    flow_direction: Some(FlowDirection::Ingress),
                    ..record.clone()
                };
                let _ = w.record(lab, &inbound);
            }
        }
        if accepted {
            let mut counters = self.counters.lock().unwrap_or_else(|e| e.into_inner());
            for hop in &trace.forward {
                if matches!(
                    hop.component.kind,
                    ComponentKind::NatGateway | ComponentKind::VpcEndpoint
                ) {
                    let c = counters.value.entry(hop.component.id.clone()).or_default();
                    c.bytes += bytes_out + bytes_in;
                    c.flows += 1;
                    counters.dirty = true;
                }
            }
            drop(counters);
            self.count_flow(who, trace, (bytes_out, bytes_in), start);
        }
    }

    /// Adds an admitted connection to its (instance, destination, port) counter.
    fn count_flow(&self, who: &Identity, trace: &Trace, (out, back): (u64, u64), start: i64) {
        let destination = match &trace.flow.destination {
            Destination::Name(name) => name.clone(),
            Destination::Address(ip) => ip.to_string(),
        };
        let instance_id = who.instance_id.to_string();
        let port = trace.flow.port;
        let started = start.saturating_mul(1000);
        let ended = unix_now_ms().max(started);
        let mut flows = self.flows.lock().unwrap_or_else(|e| e.into_inner());
        let mut index = self.flow_index.lock().unwrap_or_else(|e| e.into_inner());
        let key = (instance_id, destination, port);
        flows.dirty = true;
        match index.get(&key).and_then(|&i| flows.value.get_mut(i)) {
            Some(f) => {
                f.bytes_out += out;
                f.bytes_in += back;
                f.connections += 1;
                f.first_seen_ms = f.first_seen_ms.min(started);
                f.last_seen_ms = f.last_seen_ms.max(ended);
            }
            None => {
                let (instance_id, destination, port) = key.clone();
                index.insert(key, flows.value.len());
                flows.value.push(FlowCounter {
                    instance_id,
                    destination,
                    port,
                    bytes_out: out,
                    bytes_in: back,
                    connections: 1,
                    first_seen_ms: started,
                    last_seen_ms: ended,
                });
            }
        }
    }

    fn append_lab_log(&self, record: &FlowRecord) {
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        let mut text = String::new();
        if file.is_none() {
            if let Some(dir) = self.lab_log.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            let fresh = !self.lab_log.exists();
            *file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.lab_log)
                .ok();
            if fresh {
                text.push_str(&header_line(DEFAULT_LOG_FORMAT));
                text.push('\n');
            }
        }
        text.push_str(&record.format(DEFAULT_LOG_FORMAT));
        text.push('\n');
        if let Some(f) = file.as_mut() {
            let _ = f.write_all(text.as_bytes());
        }
    }
}

/// Writes `text` whole to a temporary file and renames it over `path`: never half a file.
fn write_whole(path: &Path, text: &[u8]) {
    let tmp = path.with_extension("json.tmp");
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if std::fs::write(&tmp, text).is_ok() {
        let _ = std::fs::rename(&tmp, path);
    }
}

fn unix_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// A stream that counts the bytes read from it and written to it.
pub struct Counted<S> {
    inner: S,
    /// Bytes read (from the client: what the instance sent).
    pub read: Arc<AtomicU64>,
    /// Bytes written (to the client: what the instance received).
    pub written: Arc<AtomicU64>,
}

impl<S> Counted<S> {
    /// Counts `inner`'s traffic.
    pub fn new(inner: S) -> Counted<S> {
        Counted {
            inner,
            read: Arc::default(),
            written: Arc::default(),
        }
    }

    /// The counters, to read after the stream is gone.
    pub fn counters(&self) -> (Arc<AtomicU64>, Arc<AtomicU64>) {
        (Arc::clone(&self.read), Arc::clone(&self.written))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Counted<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.inner).poll_read(cx, buf);
        let n = buf.filled().len() - before;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        poll
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Counted<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = &poll {
            self.written.fetch_add(*n as u64, Ordering::Relaxed);
        }
        poll
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[test]
    fn counters_are_read_back_after_a_restart() {
        let dir = tempfile::tempdir().expect("a temp dir");
        std::fs::create_dir_all(dir.path().join("flow-logs")).expect("a dir");
        std::fs::write(
            dir.path().join("flow-logs").join("counters.json"),
            r#"{"nat-0123":{"bytes":42,"flows":2}}"#,
        )
        .expect("written");
        let a = Accounting::new(dir.path(), None);
        assert_eq!(
            a.counters().get("nat-0123"),
            Some(&Counter {
                bytes: 42,
                flows: 2
            })
        );
        assert_eq!(a.lab_log(), dir.path().join("flow-logs").join("lab.log"));
    }

    #[test]
    fn flows_are_read_back_after_a_restart() {
        let dir = tempfile::tempdir().expect("a temp dir");
        std::fs::create_dir_all(dir.path().join("flow-logs")).expect("a dir");
        std::fs::write(
            dir.path().join("flow-logs").join("flows.json"),
            r#"[{"instance_id":"i-1","destination":"s3.us-east-1.amazonaws.com","port":443,"bytes_out":10,"bytes_in":20,"connections":1,"first_seen_ms":1000,"last_seen_ms":3000}]"#,
        )
        .expect("written");
        let a = Accounting::new(dir.path(), None);
        let flows = a.flows();
        assert_eq!(flows.len(), 1);
        assert_eq!(flows[0].bytes_in, 20);
        assert_eq!(flows[0].last_seen_ms, 3000);
    }

    #[test]
    fn admitted_connections_add_up_per_destination_and_survive_a_restart() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let a = Accounting::new(dir.path(), None);
        let who = Identity {
            instance_id: vpclab_model::InstanceId::new_unchecked("i-0123456789abcdef0"),
            account: "000000000000".into(),
        };
        let flow = vpclab_reach::Flow::tcp(
            vpclab_reach::Source::Instance(who.instance_id.clone()),
            "s3.us-east-1.amazonaws.com".into(),
            443,
        );
        // The engine's answer does not matter here: only the question is counted.
        let trace = vpclab_reach::trace(&Lab::new(1), &flow);
        a.count_flow(&who, &trace, (100, 1000), 1_700_000_000);
        a.count_flow(&who, &trace, (50, 500), 1_700_000_010);
        // Nothing is written on a connection's path; the persister (or the server's
        // stop) writes.
        assert!(!dir.path().join("flow-logs").join("flows.json").exists());
        a.persist();
        let again = Accounting::new(dir.path(), None).flows();
        assert_eq!(again.len(), 1);
        let f = &again[0];
        assert_eq!(f.destination, "s3.us-east-1.amazonaws.com");
        assert_eq!(f.port, 443);
        assert_eq!((f.bytes_out, f.bytes_in, f.connections), (150, 1500, 2));
        assert_eq!(f.first_seen_ms, 1_700_000_000_000);
        assert!(f.last_seen_ms >= f.first_seen_ms);
    }

    #[tokio::test]
    async fn counted_streams_count_both_ways() {
        let (a, mut b) = tokio::io::duplex(64);
        let mut counted = Counted::new(a);
        let (read, written) = counted.counters();
        counted.write_all(b"hello").await.expect("write");
        b.write_all(b"abc").await.expect("write");
        let mut buf = [0u8; 3];
        counted.read_exact(&mut buf).await.expect("read");
        assert_eq!(written.load(Ordering::Relaxed), 5);
        assert_eq!(read.load(Ordering::Relaxed), 3);
    }
}
