//! The HTTP server: one listener for every service, each request authenticated by its
//! SigV4 signature and routed by the service its credential scope names.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Either, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use vpclab_model::{AccountId, Caller, Region, Timestamp};
use vpclab_store::{AccessKey, Objects, Store};

use crate::error::ApiError;
use crate::s3::{Origin, S3Gateway, is_s3_request};
use crate::sigv4::{self, AccessKeySecret, Credentials, Payload, SignedRequest};
use crate::state::State;
use crate::{admin, ec2, elbv2, sts};

/// The documented default key pair, as other local AWS emulators use it.
pub const DEFAULT_ACCESS_KEY: &str = "test";
/// The default key's secret.
pub const DEFAULT_SECRET_KEY: &str = "test";
/// The default account.
pub const DEFAULT_ACCOUNT: &str = "000000000000";

/// The largest request body accepted for the query protocols.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// How `vpclab serve` is set up.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// Where to listen (127.0.0.1:4566 by default).
    pub listen: SocketAddr,
    /// Where the database lives.
    pub data_dir: PathBuf,
    /// A database URL instead of the data directory's SQLite file.
    pub database_url: Option<String>,
    /// The account of the default key.
    pub default_account: AccountId,
    /// More access keys to accept.
    pub keys: Vec<AccessKey>,
    /// Quotas to raise (or lower) from AWS's defaults: (name, value).
    pub quotas: Vec<(String, usize)>,
    /// Where the SOCKS5 proxy of `vpclab exec` listens (port 0: any free port).
    pub socks_listen: SocketAddr,
    /// Where the HTTP proxy of `vpclab exec` listens (port 0: any free port).
    pub http_proxy_listen: SocketAddr,
}

/// A running server.
pub struct Server {
    /// The address it listens on.
    pub local_addr: SocketAddr,
    state: Arc<State>,
    s3: S3Gateway,
    listener: TcpListener,
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

impl Server {
    /// Opens the store, loads the lab, and binds the listener.
    pub async fn bind(
        config: &ServeConfig,
    ) -> Result<Server, Box<dyn std::error::Error + Send + Sync>> {
        let store = match &config.database_url {
            Some(url) => Store::open_url(url).await?,
            None => {
                std::fs::create_dir_all(&config.data_dir)?;
                Store::open_file(&config.data_dir.join("vpclab.db")).await?
            }
        };
        let fresh_seed = (now_ms() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let seed = store.seed(fresh_seed).await?;
        let loaded = store.load(seed).await?;
        for (seq, why) in &loaded.skipped {
            eprintln!("vpclab: log entry {seq} skipped: {why}");
        }
        store
            .put_access_key(&AccessKey {
                access_key_id: DEFAULT_ACCESS_KEY.into(),
                secret_access_key: DEFAULT_SECRET_KEY.into(),
                account_id: config.default_account.clone(),
            })
            .await?;
        for k in &config.keys {
            store.put_access_key(k).await?;
        }
        let keys: HashMap<String, AccessKeySecret> = store
            .access_keys()
            .await?
            .into_iter()
            .map(|k| {
                (
                    k.access_key_id,
                    AccessKeySecret {
                        secret_access_key: k.secret_access_key,
                        account_id: k.account_id.to_string(),
                    },
                )
            })
            .collect();
        let listener = TcpListener::bind(config.listen).await?;
        let local_addr = listener.local_addr()?;
        let mut quotas = loaded.lab.quotas.clone();
        for (name, value) in &config.quotas {
            quotas.set(name, *value)?;
        }
        let change = quotas != loaded.lab.quotas;
        let objects = Objects::open(&store, &config.data_dir.join("objects")).await?;
        let state = State::start(
            loaded,
            seed,
            store,
            objects,
            keys,
            config.default_account.clone(),
        );
        if change {
            let caller = Caller::new(
                config.default_account.clone(),
                Region::default_region(),
                Timestamp(now_ms()),
            );
            let op = vpclab_model::Operation::SetQuotas(quotas);
            state
                .write(caller, op, Box::new(|_, _| Ok(String::new())))
                .await
                .map_err(|e| e.message)?;
        }
        let s3 = S3Gateway::new(Arc::clone(&state));
        crate::live::start(
            &state,
            s3.clone(),
            config.socks_listen,
            config.http_proxy_listen,
            &config.data_dir,
        )
        .await?;
        Ok(Server {
            local_addr,
            state,
            s3,
            listener,
        })
    }

    /// The lab's S3, for the data plane to hand it requests that arrived through the
    /// lab (with the context their trace computed).
    pub fn s3_gateway(&self) -> S3Gateway {
        self.s3.clone()
    }

    /// The server's state: the lab, its writer and its keys (for the data plane and for
    /// tests that set up resources without going through the wire).
    pub fn state(&self) -> Arc<State> {
        Arc::clone(&self.state)
    }

    /// Serves until `shutdown` resolves, then snapshots the lab.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        let Server {
            state,
            listener,
            s3,
            ..
        } = self;
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                _ = &mut shutdown => break,
                accepted = listener.accept() => {
                    let Ok((stream, peer)) = accepted else { continue };
                    let _ = stream.set_nodelay(true);
                    let state = Arc::clone(&state);
                    let s3 = s3.clone();
                    tokio::spawn(async move {
                        let service = service_fn(move |req| handle(Arc::clone(&state), s3.clone(), peer, req));
                        let _ = http1::Builder::new().keep_alive(true).serve_connection(TokioIo::new(stream), service).await;
                    });
                }
            }
        }
        // Flow log records still buffered for S3 are delivered before the server goes.
        if let Some(dataplane) = state.dataplane()
            && let Err(e) = dataplane.accounting().flush().await
        {
            eprintln!("vpclab: flow logs not delivered on shutdown: {e}");
        }
        if let Err(e) = state.snapshot().await {
            eprintln!(
                "vpclab: could not save a snapshot on shutdown: {}",
                e.message
            );
        }
    }
}

static REQUEST_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A request id shaped like AWS's (a UUID).
fn request_id() -> String {
    let n = REQUEST_COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut z = n
        .wrapping_add(now_ms() as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 31)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let hi = z;
    let lo = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB) ^ n;
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        (hi >> 32) as u32,
        (hi >> 16) as u16,
        hi as u16 & 0xfff,
        (lo >> 48) as u16 & 0xfff,
        lo & 0xffff_ffff_ffff
    )
}

/// Adapts the server's key table to the verifier.
struct Keys(Option<(String, AccessKeySecret)>);

impl Credentials for Keys {
    fn secret_for(&self, access_key_id: &str) -> Option<AccessKeySecret> {
        self.0
            .as_ref()
            .filter(|(id, _)| id == access_key_id)
            .map(|(_, s)| s.clone())
    }
}

/// The access key a request claims, from its Authorization header or presigned query.
fn claimed_key(headers: &[(&str, &str)], query: &str) -> Option<String> {
    let from_header = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
        .and_then(|(_, v)| v.split("Credential=").nth(1))
        .and_then(|c| c.split('/').next())
        .map(str::to_owned);
    from_header.or_else(|| {
        form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "X-Amz-Credential")
            .and_then(|(_, v)| v.split('/').next().map(str::to_owned))
    })
}

/// A response: status, content type, body.
pub struct Answer {
    status: u16,
    content_type: &'static str,
    body: String,
}

impl Answer {
    /// A JSON document (vpclab's own API).
    pub fn json(body: String) -> Answer {
        Answer {
            status: 200,
            content_type: "application/json",
            body,
        }
    }

    /// An XML document.
    pub fn xml(body: String) -> Answer {
        Answer {
            status: 200,
            content_type: "text/xml;charset=UTF-8",
            body,
        }
    }
}

/// A response body: a small document, or an S3 body (streamed).
pub type ResponseBody = Either<Full<Bytes>, s3s::Body>;

pub(crate) async fn handle(
    state: Arc<State>,
    s3: S3Gateway,
    peer: SocketAddr,
    req: Request<Incoming>,
) -> Result<Response<ResponseBody>, Infallible> {
    // S3 streams its bodies: it is routed before anything reads the body. A request from
    // the listener comes from the host, which is the public internet to the lab.
    if is_s3_request(req.method(), req.uri(), req.headers()) {
        let req = req.map(s3s::Body::from);
        let resp = s3.call(req, Origin::Internet(peer.ip())).await;
        return Ok(resp.map(Either::Right));
    }
    let request_id = request_id();
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            let e = ApiError::new("RequestEntityTooLarge", "The request body is too large.");
            return Ok(respond(
                Answer {
                    status: 413,
                    content_type: "text/xml",
                    body: e.ec2_xml(&request_id),
                },
                &request_id,
            ));
        }
    };
    let answer = route(&state, &parts, &body, &request_id).await;
    Ok(respond(answer, &request_id))
}

fn respond(answer: Answer, request_id: &str) -> Response<ResponseBody> {
    Response::builder()
        .status(StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("content-type", answer.content_type)
        .header("x-amzn-requestid", request_id)
        .header("server", "vpclab")
        .body(Either::Left(Full::new(Bytes::from(answer.body))))
        .unwrap_or_else(|_| Response::new(Either::Left(Full::new(Bytes::new()))))
}

/// Which service a request is for, from its credential scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Service {
    Ec2,
    Sts,
    /// ELBv2 (`elasticloadbalancing` in the credential scope).
    Elbv2,
    /// vpclab's own API (`/_vpclab/…`).
    Vpclab,
}

async fn route(
    state: &State,
    parts: &hyper::http::request::Parts,
    body: &Bytes,
    request_id: &str,
) -> Answer {
    let headers: Vec<(&str, &str)> = parts
        .headers
        .iter()
        .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str(), v)))
        .collect();
    let path = parts.uri.path();
    let query = parts.uri.query().unwrap_or("");
    let now = now_ms();
    // Authenticate: find the claimed key's secret (the store may have learnt new keys),
    // then verify the signature.
    let key = match claimed_key(&headers, query) {
        Some(k) => state.secret_for(&k).await.map(|s| (k, s)),
        None => None,
    };
    let signed = SignedRequest {
        method: parts.method.as_str(),
        path,
        query,
        headers: &headers,
        payload: Payload::Bytes(body),
    };
    let verified = sigv4::verify(&signed, &Keys(key), now);
    let guess_service = || {
        // For errors before we know the service: the form's Version tells STS from EC2.
        if form_has(body, query, "Version", "2011-06-15") {
            Service::Sts
        } else if form_has(body, query, "Version", elbv2::VERSION) {
            Service::Elbv2
        } else {
            Service::Ec2
        }
    };
    let verified = match verified {
        Ok(v) => v,
        Err(e) => {
            let service = guess_service();
            let name = match service {
                Service::Sts => "sts",
                Service::Elbv2 => "elasticloadbalancing",
                _ => "ec2",
            };
            let err = ApiError {
                code: e.code_for(name).into(),
                message: e.message_for(name),
                status: e.http_status_for(name),
            };
            return error_answer(service, &err, request_id);
        }
    };
    let service = match verified.service.as_str() {
        "ec2" => Service::Ec2,
        "sts" => Service::Sts,
        "elasticloadbalancing" => Service::Elbv2,
        "vpclab" => Service::Vpclab,
        other => {
            let err = ApiError::new(
                "UnknownService",
                format!("The lab does not serve {other} on this endpoint yet."),
            );
            return error_answer(Service::Ec2, &err, request_id);
        }
    };
    let region = match Region::find(&verified.region) {
        Some(r) => r,
        None if service != Service::Ec2 => Region::default_region(),
        None => {
            let err = ApiError::new(
                "AuthFailure",
                format!(
                    "The region '{}' is not one the lab serves.",
                    verified.region
                ),
            );
            return error_answer(service, &err, request_id);
        }
    };
    let account = match AccountId::parse(&verified.account_id) {
        Ok(a) => a,
        Err(_) => {
            return error_answer(
                service,
                &ApiError::internal("a key's account id is not valid"),
                request_id,
            );
        }
    };
    let caller = Caller::new(account, region, Timestamp(now));
    if let Err(e) = state.ensure_account(&caller).await {
        return error_answer(service, &e, request_id);
    }
    let mut params = crate::ec2::wire::Query::parse(query.as_bytes());
    if parts.method == hyper::Method::POST {
        for (k, v) in form_urlencoded::parse(body) {
            params.insert(k.into_owned(), v.into_owned());
        }
    }
    let result = match service {
        Service::Ec2 => ec2::dispatch(state, &caller, &params, request_id).await,
        Service::Sts => sts::dispatch(&caller, &verified, &params, request_id),
        Service::Elbv2 => elbv2::dispatch(state, &caller, &params, request_id).await,
        Service::Vpclab => admin::dispatch(state, &caller, parts.method.as_str(), path, body).await,
    };
    match result {
        Ok(answer) => answer,
        Err(e) => error_answer(service, &e, request_id),
    }
}

fn form_has(body: &[u8], query: &str, key: &str, value: &str) -> bool {
    form_urlencoded::parse(body)
        .chain(form_urlencoded::parse(query.as_bytes()))
        .any(|(k, v)| k == key && v == value)
}

fn error_answer(service: Service, e: &ApiError, request_id: &str) -> Answer {
    let body = match service {
        Service::Ec2 => e.ec2_xml(request_id),
        Service::Sts => e.query_xml(sts::NAMESPACE, request_id),
        Service::Elbv2 => e.query_xml(elbv2::NAMESPACE, request_id),
        Service::Vpclab => {
            let body = serde_json::json!({ "code": e.code, "message": e.message, "request_id": request_id });
            return Answer {
                status: e.status,
                content_type: "application/json",
                body: body.to_string(),
            };
        }
    };
    Answer {
        status: e.status,
        content_type: "text/xml;charset=UTF-8",
        body,
    }
}
