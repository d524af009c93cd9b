//! What the data plane remembers of each decision: a VPC Flow Logs record (version 2) in
//! the lab's own log (`<data-dir>/flow-logs/lab.log`, read by `vpclab flow-logs`), the
//! same record for every EC2 flow log that captures it, and byte counters per NAT
//! gateway and VPC endpoint (what the cost estimates scale to a month).

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
use vpclab_reach::{ComponentKind, Delivery, Trace};

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

/// The data plane's records.
pub struct Accounting {
    lab_log: PathBuf,
    counters_path: PathBuf,
    writer: Option<Arc<FlowLogWriter>>,
    counters: Mutex<BTreeMap<String, Counter>>,
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
        let counters_path = data_dir.join("flow-logs").join("counters.json");
        let counters = std::fs::read(&counters_path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        Accounting {
            lab_log: lab_log_path(data_dir),
            counters_path,
            writer,
            counters: Mutex::new(counters),
            file: Mutex::new(None),
        }
    }

    /// Delivers every buffered flow log record now (the server stops).
    pub async fn flush(&self) -> Result<usize, crate::proxy::BoxError> {
        match &self.writer {
            Some(w) => w.flush().await,
            None => Ok(0),
        }
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
            let mut changed = false;
            for hop in &trace.forward {
                if matches!(
                    hop.component.kind,
                    ComponentKind::NatGateway | ComponentKind::VpcEndpoint
                ) {
                    let c = counters.entry(hop.component.id.clone()).or_default();
                    c.bytes += bytes_out + bytes_in;
                    c.flows += 1;
                    changed = true;
                }
            }
            if changed && let Ok(text) = serde_json::to_vec(&*counters) {
                // Written whole to a temporary file and renamed: never half a file.
                let tmp = self.counters_path.with_extension("json.tmp");
                if let Some(dir) = self.counters_path.parent() {
                    let _ = std::fs::create_dir_all(dir);
                }
                if std::fs::write(&tmp, text).is_ok() {
                    let _ = std::fs::rename(&tmp, &self.counters_path);
                }
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
