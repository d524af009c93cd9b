//! The proxies an exec'd program's connections enter the lab through: SOCKS5 (CONNECT,
//! with host names: `socks5h`) and HTTP (CONNECT, and absolute-URI requests), both on
//! 127.0.0.1. The program proves which instance it runs in with a token the server issued
//! to `vpclab exec` (the proxy password), never with a guessable id.

use std::collections::HashMap;
use std::future::Future;
use std::io::Write as _;
use std::net::SocketAddr;
use std::ops::Deref;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use vpclab_model::{InstanceId, Lab};
use vpclab_reach::RequestContext;

use crate::decide::{Decision, Target, decide};
use crate::flowlog::unix_now;

/// Bytes moved per read when relaying a connection: large enough that a bulk transfer
/// costs few system calls (tokio's default is 8 KiB).
const RELAY_BUFFER: usize = 256 * 1024;

/// A boxed error, as bodies carry them.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The body of every answer the proxies give.
pub type ProxyBody = UnsyncBoxBody<Bytes, BoxError>;

/// A future a backend answers with.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Read access to the lab (the server's state).
pub trait LabView: Send + Sync + 'static {
    /// The lab, read-locked for as long as the guard lives.
    fn lab(&self) -> Box<dyn Deref<Target = Lab> + '_>;
}

/// An AWS service the lab serves (S3), called with the request context the trace
/// computed for the connection the request came on.
pub trait ServiceBackend: Send + Sync + 'static {
    /// Answers one HTTP request.
    fn call(
        &self,
        req: Request<Incoming>,
        context: RequestContext,
    ) -> BoxFuture<Response<ProxyBody>>;
}

/// Who a connection comes from: an instance, as a token says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The instance.
    pub instance_id: InstanceId,
    /// Its account.
    pub account: String,
}

/// The data plane: proxies, decisions, forwarding.
pub struct Dataplane {
    lab: Arc<dyn LabView>,
    tokens: Mutex<HashMap<String, Identity>>,
    services: HashMap<String, Arc<dyn ServiceBackend>>,
    events: PathBuf,
    ca: Option<crate::tls::LocalCa>,
    accounting: Arc<crate::accounting::Accounting>,
}

fn body(text: impl Into<Bytes>) -> ProxyBody {
    Full::new(text.into())
        .map_err(|e| match e {})
        .boxed_unsync()
}

fn answer(status: StatusCode, text: impl Into<String>) -> Response<ProxyBody> {
    let mut resp = Response::new(body(text.into()));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp
}

/// A fresh token: 32 random bytes, hex.
fn fresh_token() -> std::io::Result<String> {
    let mut raw = [0u8; 32];
    getrandom::fill(&mut raw).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(raw.iter().map(|b| format!("{b:02x}")).collect())
}

impl Dataplane {
    /// A data plane over `lab`, forwarding AWS service connections to `services` (by
    /// service name), writing each exec session's refusals under `events`.
    pub fn new(
        lab: Arc<dyn LabView>,
        services: HashMap<String, Arc<dyn ServiceBackend>>,
        events: PathBuf,
        ca: Option<crate::tls::LocalCa>,
        accounting: Arc<crate::accounting::Accounting>,
    ) -> Dataplane {
        Dataplane {
            lab,
            tokens: Mutex::new(HashMap::new()),
            services,
            events,
            ca,
            accounting,
        }
    }

    /// Issues a token for a program that runs as `identity`.
    pub fn issue_token(&self, identity: Identity) -> std::io::Result<String> {
        let token = fresh_token()?;
        self.tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(token.clone(), identity);
        Ok(token)
    }

    /// Forgets a token (the exec'd program ended).
    pub fn revoke_token(&self, token: &str) -> bool {
        self.tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(token)
            .is_some()
    }

    /// Where the refusals of a session are written, one line each, for `vpclab exec`
    /// to show on the program's standard error.
    pub fn events_path(&self, token: &str) -> PathBuf {
        self.events.join(format!("{token}.log"))
    }

    fn identity(&self, token: &str) -> Option<Identity> {
        self.tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(token)
            .cloned()
    }

    /// The decision on a connection from `who` to `host:port`.
    pub fn decide(&self, who: &Identity, host: &str, port: u16) -> Decision {
        let lab = self.lab.lab();
        decide(&lab, &who.instance_id, host, port)
    }

    /// Records a connection in the flow logs and counters.
    fn account(
        &self,
        who: &Identity,
        trace: &vpclab_reach::Trace,
        accepted: bool,
        bytes: (u64, u64),
        start: i64,
    ) {
        let lab = self.lab.lab();
        self.accounting
            .record(&lab, who, trace, accepted, bytes, start);
    }

    /// The data plane's records (flow logs, counters).
    pub fn accounting(&self) -> &crate::accounting::Accounting {
        &self.accounting
    }

    fn report(&self, token: &str, who: &Identity, host: &str, port: u16, why: &str) {
        let line = format!(
            "vpclab: {} → {host}:{port} refused: {why}\n",
            who.instance_id.as_str()
        );
        if std::fs::create_dir_all(&self.events).is_ok()
            && let Ok(mut f) = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(self.events_path(token))
        {
            let _ = f.write_all(line.as_bytes());
        }
    }

    /// Serves SOCKS5 on `listener` until the process ends.
    pub async fn serve_socks(self: Arc<Self>, listener: TcpListener) {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let me = Arc::clone(&self);
            tokio::spawn(async move {
                let _ = me.socks_session(stream).await;
            });
        }
    }

    async fn socks_session(&self, stream: TcpStream) -> Result<(), BoxError> {
        use fast_socks5::server::Socks5ServerProtocol;
        use fast_socks5::{ReplyError, Socks5Command, util::target_addr::TargetAddr};
        let mut token = String::new();
        let (proto, who) = Socks5ServerProtocol::accept_password_auth(stream, |_user, pass| {
            token = pass.clone();
            self.identity(&pass)
        })
        .await?;
        let Some(who) = who else {
            return Ok(());
        };
        let (proto, command, target) = proto.read_command().await?;
        if command != Socks5Command::TCPConnect {
            proto.reply_error(&ReplyError::CommandNotSupported).await?;
            return Ok(());
        }
        let (host, port) = match &target {
            TargetAddr::Ip(addr) => (addr.ip().to_string(), addr.port()),
            TargetAddr::Domain(name, port) => (name.clone(), *port),
        };
        let start = unix_now();
        let decision = self.decide(&who, &host, port);
        let Some(target) = decision.target.clone() else {
            let why = decision.explanation().unwrap_or_default();
            self.report(&token, &who, &host, port, &why);
            self.account(&who, &decision.trace, false, (0, 0), start);
            let code = socks_code(&decision);
            proto.reply_error(&code).await?;
            return Ok(());
        };
        let bound = SocketAddr::from(([0, 0, 0, 0], 0));
        match target {
            Target::Unbound { reached, port } => {
                self.report(&token, &who, &host, port, &format!("the network admits the flow, but nothing listens on {reached} port {port} (bind it with the tag vpclab:port:{port} = 127.0.0.1:<hostport>)"));
                self.account(&who, &decision.trace, true, (0, 0), start);
                proto.reply_error(&ReplyError::ConnectionRefused).await?;
            }
            Target::Bound {
                address, preamble, ..
            } => match connect_bound(address, &preamble).await {
                Ok(mut upstream) => {
                    let mut client = proto.reply_success(bound).await?;
                    let moved = relay(&mut client, &mut upstream).await;
                    self.account(&who, &decision.trace, true, moved, start);
                }
                Err(e) => {
                    self.report(&token, &who, &host, port, &format!("the network admits the flow, but the bound address {address} refused: {e}"));
                    self.account(&who, &decision.trace, true, (0, 0), start);
                    proto.reply_error(&ReplyError::ConnectionRefused).await?;
                }
            },
            target => {
                let client = proto.reply_success(bound).await?;
                let moved = self.serve_target(client, target, &host, port).await;
                self.account(&who, &decision.trace, true, moved, start);
            }
        }
        Ok(())
    }

    /// Serves the HTTP proxy on `listener` until the process ends.
    pub async fn serve_http(self: Arc<Self>, listener: TcpListener) {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let me = Arc::clone(&self);
            tokio::spawn(async move {
                let service = service_fn(move |req| {
                    let me = Arc::clone(&me);
                    async move { Ok::<_, std::convert::Infallible>(me.http_request(req).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .with_upgrades()
                    .await;
            });
        }
    }

    fn http_identity(&self, req: &Request<Incoming>) -> Option<(String, Identity)> {
        let value = req
            .headers()
            .get(hyper::header::PROXY_AUTHORIZATION)?
            .to_str()
            .ok()?;
        let encoded = value.strip_prefix("Basic ")?.trim();
        let decoded = base64_simd::STANDARD.decode_to_vec(encoded).ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (_, token) = text.split_once(':')?;
        let who = self.identity(token)?;
        Some((token.to_owned(), who))
    }

    async fn http_request(self: Arc<Self>, req: Request<Incoming>) -> Response<ProxyBody> {
        let Some((token, who)) = self.http_identity(&req) else {
            let mut resp = answer(
                StatusCode::PROXY_AUTHENTICATION_REQUIRED,
                "vpclab: this proxy carries the connections of `vpclab exec`; its token is the proxy password\n",
            );
            resp.headers_mut().insert(
                hyper::header::PROXY_AUTHENTICATE,
                hyper::header::HeaderValue::from_static("Basic realm=\"vpclab\""),
            );
            return resp;
        };
        let connect = req.method() == Method::CONNECT;
        let authority = req.uri().authority().cloned();
        let Some(authority) = authority else {
            return answer(
                StatusCode::BAD_REQUEST,
                "vpclab: a proxy request needs an absolute URI or CONNECT host:port\n",
            );
        };
        let default_port = if req.uri().scheme_str() == Some("https") {
            443
        } else {
            80
        };
        let host = authority.host().to_owned();
        let port = authority
            .port_u16()
            .unwrap_or(if connect { 443 } else { default_port });
        let start = unix_now();
        let decision = self.decide(&who, &host, port);
        let Some(target) = decision.target.clone() else {
            let why = decision.explanation().unwrap_or_default();
            self.report(&token, &who, &host, port, &why);
            self.account(&who, &decision.trace, false, (0, 0), start);
            return answer(
                StatusCode::FORBIDDEN,
                format!(
                    "vpclab: {} → {host}:{port} refused\n{}\n",
                    who.instance_id.as_str(),
                    decision.trace
                ),
            );
        };
        if let Target::Unbound { reached, port } = &target {
            let why = format!(
                "the network admits the flow, but nothing listens on {reached} port {port} (bind it with the tag vpclab:port:{port} = 127.0.0.1:<hostport>)"
            );
            self.report(&token, &who, &host, *port, &why);
            self.account(&who, &decision.trace, true, (0, 0), start);
            return answer(StatusCode::BAD_GATEWAY, format!("vpclab: {why}\n"));
        }
        if connect {
            let mut upstream = None;
            if let Target::Bound {
                address, preamble, ..
            } = &target
            {
                match connect_bound(*address, preamble).await {
                    Ok(s) => upstream = Some(s),
                    Err(e) => {
                        let why = format!("the bound address {address} refused: {e}");
                        self.report(&token, &who, &host, port, &why);
                        self.account(&who, &decision.trace, true, (0, 0), start);
                        return answer(StatusCode::BAD_GATEWAY, format!("vpclab: {why}\n"));
                    }
                }
            }
            let me = Arc::clone(&self);
            tokio::spawn(async move {
                let Ok(upgraded) = hyper::upgrade::on(req).await else {
                    return;
                };
                let moved = match upstream {
                    Some(up) => relay_upgraded(upgraded, up).await,
                    None => {
                        me.serve_target(TokioIo::new(upgraded), target, &host, port)
                            .await
                    }
                };
                me.account(&who, &decision.trace, true, moved, start);
            });
            return Response::new(body(Bytes::new()));
        }
        // An absolute-URI request: answered here, per target; its bytes are its head as
        // HTTP/1.1 writes it plus the body the request and the answer declare.
        let sent = request_head_len(&req) + content_length(req.headers());
        let resp = match target {
            Target::Internet { seen_source, .. } => {
                answer(StatusCode::OK, format!("{seen_source}\n"))
            }
            Target::Service {
                service, context, ..
            } => match self.services.get(&service) {
                Some(backend) => backend.call(req, context).await,
                None => answer(
                    StatusCode::BAD_GATEWAY,
                    format!("vpclab: the lab does not serve {service}\n"),
                ),
            },
            Target::Bound {
                address, preamble, ..
            } => forward_http(req, address, &preamble).await,
            Target::Unbound { .. } => answer(StatusCode::BAD_GATEWAY, "vpclab: nothing listens\n"),
        };
        let received = response_head_len(&resp)
            + match content_length(resp.headers()) {
                0 => hyper::body::Body::size_hint(resp.body())
                    .exact()
                    .unwrap_or(0),
                n => n,
            };
        self.account(&who, &decision.trace, true, (sent, received), start);
        resp
    }

    /// The lab's certificate authority, whose bundle `vpclab exec` hands to programs.
    pub fn ca(&self) -> Option<&crate::tls::LocalCa> {
        self.ca.as_ref()
    }

    /// Serves an admitted connection whose target the lab answers itself: the echo
    /// internet, or an AWS service. On port 443 the lab terminates TLS with its own CA
    /// (a certificate for the name the client asked for), as the real endpoint would.
    async fn serve_target<S>(&self, stream: S, target: Target, host: &str, port: u16) -> (u64, u64)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let stream = crate::accounting::Counted::new(stream);
        let (read, written) = stream.counters();
        self.serve_counted(stream, target, host, port).await;
        (
            read.load(std::sync::atomic::Ordering::Relaxed),
            written.load(std::sync::atomic::Ordering::Relaxed),
        )
    }

    async fn serve_counted<S>(&self, stream: S, target: Target, host: &str, port: u16)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        if port == 443 {
            let Some(ca) = &self.ca else {
                return;
            };
            let handshake =
                tokio::time::timeout(std::time::Duration::from_secs(10), ca.accept(stream, host))
                    .await;
            let Ok(Ok((tls, _name))) = handshake else {
                return;
            };
            self.serve_plain(tls, target).await;
        } else {
            self.serve_plain(stream, target).await;
        }
    }

    async fn serve_plain<S>(&self, stream: S, target: Target)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        match target {
            Target::Internet { seen_source, .. } => echo(stream, seen_source).await,
            Target::Service {
                service, context, ..
            } => {
                if let Some(backend) = self.services.get(&service).cloned() {
                    serve_backend(stream, backend, context).await;
                }
            }
            Target::Bound { .. } | Target::Unbound { .. } => {}
        }
    }
}

/// Relays bytes both ways between two sockets until both directions are closed, and
/// returns (client → upstream, upstream → client) byte counts.
///
/// The bytes move through a kernel pipe with splice(2) and never enter user space: a
/// copy through a buffer here cost half the throughput of a direct loopback connection.
/// `tokio-splice2` wraps the system calls (the pipe and splice need `unsafe`, which our
/// crates do not write).
async fn relay(client: &mut TcpStream, upstream: &mut TcpStream) -> (u64, u64) {
    match tokio_splice2::copy_bidirectional(client, upstream).await {
        Ok(moved) => (moved.tx as u64, moved.rx as u64),
        // No pipe to be had (descriptors exhausted): copy through user space instead.
        Err(_) => {
            tokio::io::copy_bidirectional_with_sizes(client, upstream, RELAY_BUFFER, RELAY_BUFFER)
                .await
                .unwrap_or_default()
        }
    }
}

/// Relays an HTTP CONNECT tunnel: with splice when the upgraded connection is the
/// client's TCP stream itself (hyper hands it back, with what it read past the request),
/// through user space otherwise.
async fn relay_upgraded(upgraded: hyper::upgrade::Upgraded, mut upstream: TcpStream) -> (u64, u64) {
    match upgraded.downcast::<TokioIo<TcpStream>>() {
        Ok(parts) => {
            let early = parts.read_buf.len() as u64;
            if early > 0 && upstream.write_all(&parts.read_buf).await.is_err() {
                return (0, 0);
            }
            let mut client = parts.io.into_inner();
            let (sent, received) = relay(&mut client, &mut upstream).await;
            (sent + early, received)
        }
        Err(upgraded) => {
            let mut client = TokioIo::new(upgraded);
            tokio::io::copy_bidirectional_with_sizes(
                &mut client,
                &mut upstream,
                RELAY_BUFFER,
                RELAY_BUFFER,
            )
            .await
            .unwrap_or_default()
        }
    }
}

/// The bytes of header lines as HTTP/1.1 writes them (`name: value\r\n`), and the
/// blank line that ends them.
fn headers_len(headers: &hyper::HeaderMap) -> u64 {
    let lines: usize = headers
        .iter()
        .map(|(k, v)| k.as_str().len() + 2 + v.len() + 2)
        .sum();
    (lines + 2) as u64
}

/// A request's head on the wire: `GET /path?query HTTP/1.1\r\n` and its headers (the
/// origin form the lab's backends receive; the proxy's absolute form is a few bytes more).
/// The headers meant for the proxy (`Proxy-Authorization`, `Proxy-Connection`) end here
/// and are not counted.
fn request_head_len<B>(req: &Request<B>) -> u64 {
    let target = req.uri().path_and_query().map_or(1, |p| p.as_str().len());
    let proxy_only: usize = req
        .headers()
        .iter()
        .filter(|(k, _)| k.as_str().starts_with("proxy-"))
        .map(|(k, v)| k.as_str().len() + 2 + v.len() + 2)
        .sum();
    (req.method().as_str().len() + 1 + target + 11) as u64 + headers_len(req.headers())
        - proxy_only as u64
}

/// A response's head on the wire: `HTTP/1.1 200 OK\r\n` and its headers.
fn response_head_len<B>(resp: &Response<B>) -> u64 {
    let reason = resp.status().canonical_reason().map_or(0, str::len);
    (13 + reason + 2) as u64 + headers_len(resp.headers())
}

fn content_length(headers: &hyper::HeaderMap) -> u64 {
    headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// The SOCKS reply for a refused flow: "not allowed by ruleset" for security groups and
/// network ACLs, "network unreachable" when no route leads there, "host unreachable" when
/// the name does not resolve.
fn socks_code(decision: &Decision) -> fast_socks5::ReplyError {
    use fast_socks5::ReplyError;
    let Some(refusal) = decision.trace.refusal() else {
        return ReplyError::GeneralFailure;
    };
    let code = refusal.code.as_str();
    if code.contains("ROUTE") || code.contains("GATEWAY") {
        ReplyError::NetworkUnreachable
    } else if code.contains("DNS") || code.contains("RESOLV") || code.contains("NAME") {
        ReplyError::HostUnreachable
    } else {
        ReplyError::ConnectionNotAllowed
    }
}

/// HTTP on an admitted connection to an AWS service the lab serves.
async fn serve_backend<S>(stream: S, backend: Arc<dyn ServiceBackend>, context: RequestContext)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |req| {
        let backend = Arc::clone(&backend);
        let context = context.clone();
        async move { Ok::<_, std::convert::Infallible>(backend.call(req, context).await) }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

/// Forwards one absolute-URI request to a bound port (in origin form).
/// Connects to a bound host address and sends what the connection must start with (a
/// load balancer's PROXY protocol header, or nothing).
async fn connect_bound(address: SocketAddr, preamble: &[u8]) -> std::io::Result<TcpStream> {
    let mut upstream = TcpStream::connect(address).await?;
    let _ = upstream.set_nodelay(true);
    if !preamble.is_empty() {
        upstream.write_all(preamble).await?;
    }
    Ok(upstream)
}

async fn forward_http(
    mut req: Request<Incoming>,
    address: SocketAddr,
    preamble: &[u8],
) -> Response<ProxyBody> {
    let fail = |e: String| answer(StatusCode::BAD_GATEWAY, format!("vpclab: {address}: {e}\n"));
    let stream = match connect_bound(address, preamble).await {
        Ok(s) => s,
        Err(e) => return fail(e.to_string()),
    };
    let (mut sender, conn) = match hyper::client::conn::http1::handshake(TokioIo::new(stream)).await
    {
        Ok(x) => x,
        Err(e) => return fail(e.to_string()),
    };
    tokio::spawn(conn);
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".to_owned());
    if let Ok(uri) = path.parse() {
        *req.uri_mut() = uri;
    }
    req.headers_mut().remove(hyper::header::PROXY_AUTHORIZATION);
    match sender.send_request(req).await {
        Ok(resp) => resp.map(|b| b.map_err(|e| Box::new(e) as BoxError).boxed_unsync()),
        Err(e) => fail(e.to_string()),
    }
}

/// The lab's internet: whatever is asked, the answer is the source address the far end
/// saw. An HTTP request gets an HTTP answer; anything else gets the address as a line.
async fn echo<S>(mut stream: S, seen_source: std::net::IpAddr)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    // Read what the client sends first (an HTTP request head), briefly.
    let read = tokio::time::timeout(std::time::Duration::from_millis(500), async {
        loop {
            let n = stream.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            head.extend_from_slice(&buf[..n]);
            if head.windows(4).any(|w| w == b"\r\n\r\n") || head.len() > 65536 {
                break;
            }
        }
        Ok::<_, std::io::Error>(())
    })
    .await;
    let text = format!("{seen_source}\n");
    let looks_http = head
        .split(|b| *b == b' ')
        .next()
        .is_some_and(|m| !m.is_empty() && m.iter().all(u8::is_ascii_uppercase));
    let out = if looks_http && matches!(read, Ok(Ok(()))) {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
            text.len()
        )
    } else {
        text
    };
    let _ = stream.write_all(out.as_bytes()).await;
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_count_as_http1_writes_them() {
        let req = Request::get("http://s3.us-east-1.amazonaws.com/b?list-type=2")
            .header("host", "s3.us-east-1.amazonaws.com")
            .header("x-amz-date", "20261128T000000Z")
            .header("proxy-authorization", "Basic dnBjbGFiOnRva2Vu")
            .body(())
            .expect("a request");
        let wire = "GET /b?list-type=2 HTTP/1.1\r\nhost: s3.us-east-1.amazonaws.com\r\nx-amz-date: 20261128T000000Z\r\n\r\n";
        assert_eq!(request_head_len(&req), wire.len() as u64);
        let resp = Response::builder()
            .status(StatusCode::FORBIDDEN)
            .header("content-length", "5")
            .body(())
            .expect("a response");
        let wire = "HTTP/1.1 403 Forbidden\r\ncontent-length: 5\r\n\r\n";
        assert_eq!(response_head_len(&resp), wire.len() as u64);
    }
}
