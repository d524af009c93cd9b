//! vpclab's own API, beside AWS's: questions only a lab can answer (`reach`), as JSON,
//! on the same listener and signed like any AWS request (credential scope service
//! `vpclab`), so only the lab's keys can ask and each account asks about its own.

use serde::{Deserialize, Serialize};
use vpclab_model::{Caller, InstanceId, Lab, NetworkInterfaceId, Owned};
use vpclab_reach::{Destination, Flow, Protocol, Source, Trace};

use crate::error::ApiError;
use crate::server::Answer;
use crate::state::State;

/// `POST /_vpclab/reach`: may this flow pass, and why (not)?
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ReachRequest {
    /// `i-…`, `eni-…`, or `internet:<address>`.
    pub from: String,
    /// An address or a name (resolved as the source's VPC resolves it).
    pub to: String,
    /// The destination port (for ICMP, the type; default 8, echo).
    pub port: Option<u16>,
    /// `tcp` (default), `udp` or `icmp`.
    pub protocol: Option<String>,
}

/// The answer: the trace as data, and as text for people.
#[derive(Clone, Debug, Serialize)]
pub struct ReachAnswer {
    /// The trace.
    pub trace: Trace,
    /// The trace as `vpclab reach` prints it.
    pub text: String,
}

/// Answers a request to vpclab's own API.
pub async fn dispatch(
    state: &State,
    caller: &Caller,
    method: &str,
    path: &str,
    body: &[u8],
) -> Result<Answer, ApiError> {
    match (method, path) {
        ("POST", "/_vpclab/reach") => {
            let req: ReachRequest = serde_json::from_slice(body).map_err(|e| {
                ApiError::new(
                    "InvalidRequest",
                    format!("The request is not a reach question: {e}"),
                )
            })?;
            let lab = state.read();
            let flow = flow(&lab, caller, &req)?;
            let trace = vpclab_reach::trace(&lab, &flow);
            let text = trace.to_string();
            let body = serde_json::to_string(&ReachAnswer { trace, text })
                .map_err(|e| ApiError::internal(e.to_string()))?;
            Ok(Answer::json(body))
        }
        ("POST", "/_vpclab/diagram") => crate::diagram::diagram(state, caller, body),
        ("POST", "/_vpclab/exec") => exec_start(state, caller, body),
        ("POST", "/_vpclab/dig") => dig(state, caller, body),
        ("POST", "/_vpclab/flow-logs") => flow_logs(state, caller),
        ("POST", "/_vpclab/cost") => crate::cost::cost(state, caller, body),
        ("POST", "/_vpclab/stacks/up") => crate::stacks::up(state, caller, body).await,
        ("POST", "/_vpclab/stacks/down") => crate::stacks::down(state, caller, body).await,
        ("POST", "/_vpclab/stacks/list") => crate::stacks::list(state, caller),
        ("POST", "/_vpclab/exec/end") => {
            let req: ExecEnd = parse(body)?;
            let gone = state
                .dataplane()
                .is_some_and(|d| d.revoke_token(&req.token));
            Ok(Answer::json(
                serde_json::json!({ "ended": gone }).to_string(),
            ))
        }
        _ => Err(ApiError {
            code: "NotFound".into(),
            message: format!("No vpclab API at {method} {path}"),
            status: 404,
        }),
    }
}

/// `POST /_vpclab/exec`: a token for a program that will run inside an instance.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ExecRequest {
    /// The instance (`i-…`), the caller's.
    pub instance: String,
}

/// The answer: the token, where the proxies listen, where refusals are written.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ExecAnswer {
    /// The proxy password that makes a connection the instance's.
    pub token: String,
    /// The instance.
    pub instance: String,
    /// The SOCKS5 proxy (`host:port`).
    pub socks: String,
    /// The HTTP proxy (`host:port`).
    pub http: String,
    /// The file the session's refusals are appended to.
    pub events: String,
    /// The lab CA's bundle (PEM), for programs to trust the lab's TLS.
    pub ca_bundle: Option<String>,
}

/// `POST /_vpclab/exec/end`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ExecEnd {
    /// The session's token.
    pub token: String,
}

fn parse<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            "InvalidRequest",
            format!("The request does not read as expected: {e}"),
        )
    })
}

fn exec_start(state: &State, caller: &Caller, body: &[u8]) -> Result<Answer, ApiError> {
    let req: ExecRequest = parse(body)?;
    let (Some(dataplane), Some(proxies)) = (state.dataplane(), state.proxies()) else {
        return Err(ApiError::new(
            "InvalidRequest",
            "This server runs no data plane.",
        ));
    };
    let identity = {
        let lab = state.read();
        match lab.instance(&req.instance) {
            Some(i) if i.owner() == &caller.account && i.region() == caller.region => {
                vpclab_dataplane::Identity {
                    instance_id: InstanceId::new_unchecked(req.instance.clone()),
                    account: caller.account.to_string(),
                }
            }
            _ => {
                return Err(vpclab_model::Error::not_found(
                    vpclab_model::Kind::Instance,
                    &req.instance,
                )
                .into());
            }
        }
    };
    let token = dataplane
        .issue_token(identity)
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let answer = ExecAnswer {
        events: dataplane.events_path(&token).display().to_string(),
        ca_bundle: dataplane
            .ca()
            .map(|ca| ca.bundle_path().display().to_string()),
        token,
        instance: req.instance,
        socks: proxies.socks.to_string(),
        http: proxies.http.to_string(),
    };
    let body = serde_json::to_string(&answer).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(Answer::json(body))
}

/// `POST /_vpclab/dig`: a name, as the Amazon DNS server of an instance's VPC answers it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DigRequest {
    /// The instance (`i-…`), the caller's.
    pub instance: String,
    /// The name.
    pub name: String,
}

/// The answer: the address, or none (NXDOMAIN, or no DNS at all in that VPC).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DigAnswer {
    /// The name asked.
    pub name: String,
    /// The address, if the name resolves.
    pub address: Option<String>,
    /// What kind of name it is (`aws-service s3 us-east-1`, `private-dns-name`, …).
    pub kind: Option<String>,
    /// Whether the VPC has DNS resolution on (off: nothing resolves).
    pub dns_support: bool,
}

fn dig(state: &State, caller: &Caller, body: &[u8]) -> Result<Answer, ApiError> {
    let req: DigRequest = parse(body)?;
    let lab = state.read();
    let instance = match lab.instance(&req.instance) {
        Some(i) if i.owner() == &caller.account && i.region() == caller.region => i,
        _ => {
            return Err(vpclab_model::Error::not_found(
                vpclab_model::Kind::Instance,
                &req.instance,
            )
            .into());
        }
    };
    let dns_support = lab
        .vpc(instance.vpc_id.as_str())
        .is_some_and(|v| v.enable_dns_support);
    let resolution = lab.resolve(Some(&instance.vpc_id), &req.name);
    let kind = resolution.as_ref().map(|r| match r {
        vpclab_model::Resolution::AwsService {
            service, region, ..
        } => format!("aws-service {service} {}", region.name()),
        vpclab_model::Resolution::PrivateDnsName(_) => "private-dns-name".to_owned(),
        vpclab_model::Resolution::PublicDnsName(_) => "public-dns-name".to_owned(),
        vpclab_model::Resolution::Literal(_) => "address".to_owned(),
        vpclab_model::Resolution::InterfaceEndpoint { endpoint, .. } => {
            format!("interface-endpoint {endpoint}")
        }
    });
    let answer = DigAnswer {
        name: req.name,
        address: resolution.map(|r| r.address().to_string()),
        kind,
        dns_support,
    };
    let body = serde_json::to_string(&answer).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(Answer::json(body))
}

/// `POST /_vpclab/flow-logs`: the data plane's decisions the caller's instances made,
/// as VPC Flow Logs version-2 records, and the byte counters of the caller's NAT gateways
/// and VPC endpoints.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FlowLogsAnswer {
    /// The header line (field names).
    pub header: String,
    /// The records, oldest first.
    pub records: Vec<String>,
    /// Bytes and connections per NAT gateway and VPC endpoint.
    pub counters: std::collections::BTreeMap<String, vpclab_dataplane::accounting::Counter>,
}

fn flow_logs(state: &State, caller: &Caller) -> Result<Answer, ApiError> {
    let Some(dataplane) = state.dataplane() else {
        return Err(ApiError::new(
            "InvalidRequest",
            "This server runs no data plane.",
        ));
    };
    let path = dataplane.accounting().lab_log();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(ApiError::internal(e.to_string())),
    };
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default().to_owned();
    let account = caller.account.to_string();
    // The second field of a version-2 record is the account.
    let records = lines
        .filter(|l| l.split(' ').nth(1) == Some(account.as_str()))
        .map(str::to_owned)
        .collect();
    let lab = state.read();
    let counters = dataplane
        .accounting()
        .counters()
        .into_iter()
        .filter(|(id, _)| {
            let mine = |owner: &vpclab_model::AccountId| owner == &caller.account;
            lab.nat_gateway(id).is_some_and(|n| mine(n.owner()))
                || lab.vpc_endpoint(id).is_some_and(|e| mine(e.owner()))
        })
        .collect();
    let answer = FlowLogsAnswer {
        header,
        records,
        counters,
    };
    let body = serde_json::to_string(&answer).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(Answer::json(body))
}

/// The flow a reach question asks about; the source must be the caller's.
pub(crate) fn flow(lab: &Lab, caller: &Caller, req: &ReachRequest) -> Result<Flow, ApiError> {
    let mine = |r: &dyn Owned| r.owner() == &caller.account && r.region() == caller.region;
    let source = if let Some(ip) = req.from.strip_prefix("internet:") {
        Source::Internet(
            ip.parse()
                .map_err(|_| ApiError::invalid_value(format!("{ip} is not an address")))?,
        )
    } else if req.from.starts_with("i-") {
        match lab.instance(&req.from) {
            Some(i) if mine(i) => Source::Instance(InstanceId::new_unchecked(req.from.clone())),
            _ => {
                return Err(vpclab_model::Error::not_found(
                    vpclab_model::Kind::Instance,
                    &req.from,
                )
                .into());
            }
        }
    } else if req.from.starts_with("eni-") {
        match lab.network_interface(&req.from) {
            Some(e) if mine(e) => {
                Source::NetworkInterface(NetworkInterfaceId::new_unchecked(req.from.clone()))
            }
            _ => {
                return Err(vpclab_model::Error::not_found(
                    vpclab_model::Kind::NetworkInterface,
                    &req.from,
                )
                .into());
            }
        }
    } else {
        return Err(ApiError::invalid_value(format!(
            "--from {} is not an instance (i-…), a network interface (eni-…) or internet:<address>",
            req.from
        )));
    };
    let protocol = match req.protocol.as_deref().unwrap_or("tcp") {
        "tcp" => Protocol::Tcp,
        "udp" => Protocol::Udp,
        "icmp" => Protocol::Icmp,
        other => {
            return Err(ApiError::invalid_value(format!(
                "protocol {other}: use tcp, udp or icmp"
            )));
        }
    };
    let destination = Destination::from(req.to.as_str());
    Ok(match protocol {
        Protocol::Icmp => Flow {
            port: req.port.unwrap_or(8),
            ..Flow::ping(source, destination)
        },
        Protocol::Tcp => Flow::tcp(source, destination, req.port.unwrap_or(443)),
        Protocol::Udp => Flow::udp(source, destination, req.port.unwrap_or(53)),
    })
}
