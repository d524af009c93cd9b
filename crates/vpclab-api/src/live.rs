//! The server's side of live traffic: the data plane reads the lab through the server's
//! state and hands S3 requests that arrived through the lab to the lab's S3, with the
//! request context of the trace that admitted their connection.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::ops::Deref;
use std::path::Path;
use std::sync::Arc;

use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::{Request, Response};
use tokio::net::TcpListener;
use vpclab_dataplane::proxy::BoxFuture;
use vpclab_dataplane::{BoxError, Dataplane, LabView, ProxyBody, ServiceBackend};
use vpclab_model::Lab;
use vpclab_reach::RequestContext;

use crate::s3::{Origin, S3Gateway};
use crate::state::State;

/// The lab as the data plane reads it.
struct StateView(Arc<State>);

impl LabView for StateView {
    fn lab(&self) -> Box<dyn Deref<Target = Lab> + '_> {
        Box::new(self.0.read())
    }
}

/// The lab's S3 behind the data plane.
struct S3Backend(S3Gateway);

impl ServiceBackend for S3Backend {
    fn call(
        &self,
        req: Request<Incoming>,
        context: RequestContext,
    ) -> BoxFuture<Response<ProxyBody>> {
        let gateway = self.0.clone();
        Box::pin(async move {
            let resp = gateway
                .call(req.map(s3s::Body::from), Origin::Lab(context))
                .await;
            resp.map(|b| b.map_err(|e| -> BoxError { e }).boxed_unsync())
        })
    }
}

/// The lab's query APIs (STS, EC2) behind the data plane: the same handler as the
/// listener's, as a request from the instance's address.
struct QueryBackend {
    state: Arc<State>,
    s3: S3Gateway,
}

impl ServiceBackend for QueryBackend {
    fn call(
        &self,
        req: Request<Incoming>,
        context: RequestContext,
    ) -> BoxFuture<Response<ProxyBody>> {
        let state = Arc::clone(&self.state);
        let s3 = self.s3.clone();
        let peer = SocketAddr::new(
            context
                .source_ip
                .or(context.vpc_source_ip)
                .unwrap_or(std::net::IpAddr::from([127, 0, 0, 1])),
            0,
        );
        Box::pin(async move {
            let resp = match crate::server::handle(state, s3, peer, req).await {
                Ok(r) => r,
                Err(never) => match never {},
            };
            resp.map(|b| b.map_err(|e| -> BoxError { e }).boxed_unsync())
        })
    }
}

/// Delivers flow log files into the lab's S3 (as AWS's log delivery service writes them:
/// not subject to the bucket's policy, which on AWS names that service).
struct LabObjects(Arc<State>);

impl vpclab_dataplane::flowlog::ObjectSink for LabObjects {
    fn put(
        &self,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), BoxError>> + Send + '_>>
    {
        let bucket = bucket.to_owned();
        let key = key.to_owned();
        Box::pin(async move {
            if self.0.read().bucket(&bucket).is_none() {
                return Err(format!("the flow log bucket {bucket} does not exist").into());
            }
            let objects = self.0.objects();
            let mut writer = objects.writer().await?;
            writer.write(bytes::Bytes::from(body)).await?;
            let blob = writer.finish().await?;
            let record = vpclab_store::ObjectRecord {
                bucket,
                key,
                blob: blob.id.clone(),
                size: blob.size,
                etag: blob.md5_hex(),
                meta: vpclab_store::ObjectMeta {
                    content_type: Some("application/x-gzip".into()),
                    ..Default::default()
                },
                last_modified: crate::server::now_ms(),
            };
            objects.put(&record).await?;
            Ok(())
        })
    }
}

/// The proxies' addresses.
#[derive(Clone, Copy, Debug)]
pub struct Proxies {
    /// SOCKS5.
    pub socks: SocketAddr,
    /// HTTP (CONNECT and absolute URIs).
    pub http: SocketAddr,
}

/// Starts the data plane: binds the proxies and serves them in the background.
pub async fn start(
    state: &Arc<State>,
    s3: S3Gateway,
    socks: SocketAddr,
    http: SocketAddr,
    data_dir: &Path,
) -> std::io::Result<Proxies> {
    let socks_listener = TcpListener::bind(socks).await?;
    let http_listener = TcpListener::bind(http).await?;
    let proxies = Proxies {
        socks: socks_listener.local_addr()?,
        http: http_listener.local_addr()?,
    };
    let mut services: HashMap<String, Arc<dyn ServiceBackend>> = HashMap::new();
    services.insert("s3".into(), Arc::new(S3Backend(s3.clone())));
    let query: Arc<dyn ServiceBackend> = Arc::new(QueryBackend {
        state: Arc::clone(state),
        s3,
    });
    services.insert("sts".into(), Arc::clone(&query));
    services.insert("ec2".into(), query);
    // The lab's own certificate authority, kept in the data directory so that programs
    // that trusted it once keep trusting it.
    let ca_dir = data_dir.join("ca");
    let ca = tokio::task::spawn_blocking(move || {
        vpclab_dataplane::tls::LocalCa::load_or_create(&ca_dir)
    })
    .await
    .map_err(std::io::Error::other)?
    .map_err(std::io::Error::other)?;
    let writer = Arc::new(vpclab_dataplane::flowlog::FlowLogWriter::new(
        data_dir,
        Arc::new(LabObjects(Arc::clone(state))),
    ));
    writer.spawn_flusher();
    let accounting = Arc::new(vpclab_dataplane::accounting::Accounting::new(
        data_dir,
        Some(writer),
    ));
    accounting.spawn_persister();
    let dataplane = Arc::new(Dataplane::new(
        Arc::new(StateView(Arc::clone(state))),
        services,
        data_dir.join("exec"),
        Some(ca),
        accounting,
    ));
    state.set_dataplane(Arc::clone(&dataplane));
    state.set_proxies(proxies);
    tokio::spawn(Arc::clone(&dataplane).serve_socks(socks_listener));
    tokio::spawn(dataplane.serve_http(http_listener));
    Ok(proxies)
}
