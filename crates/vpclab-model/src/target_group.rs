//! ELBv2 target groups for network load balancers: Create/Modify/DeleteTargetGroup, their
//! attributes (ModifyTargetGroupAttributes), Register/DeregisterTargets, and what the
//! lab needs to answer DescribeTargetHealth and to carry traffic to a target: the host
//! address a target's port is bound to (the instance tag `vpclab:port:<port>`).

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use serde::{Deserialize, Serialize};

use crate::err::Result;
use crate::ids::*;
use crate::lab::{Caller, Lab, Tags};
use crate::load_balancer::{
    ElbProtocol, LoadBalancer, TargetGroupArn, check_elb_name, check_elb_tags, elb_error,
    elb_owned, invalid_configuration, is_private_target_range, validation,
};
use crate::region::{AccountId, Region};
use crate::tags::owned;
use crate::{Instance, InstanceState};

/// The tag that binds an instance's (or interface's) port to a host address:
/// `vpclab:port:<port>` = `127.0.0.1:<hostport>`.
pub const PORT_TAG_PREFIX: &str = "vpclab:port:";

/// What a target group's targets are named by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TargetType {
    /// Instance ids.
    Instance,
    /// IPv4 addresses.
    Ip,
}

impl TargetType {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetType::Instance => "instance",
            TargetType::Ip => "ip",
        }
    }
}

/// A target group's health check settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCheck {
    /// `HealthCheckEnabled`.
    pub enabled: bool,
    /// `TCP` (the default), `HTTP` or `HTTPS`.
    pub protocol: ElbProtocol,
    /// A port, or `None` for `traffic-port` (each target's own port).
    pub port: Option<u16>,
    /// The path (HTTP and HTTPS checks).
    pub path: Option<String>,
    /// `HealthCheckIntervalSeconds` (5–300; default 30).
    pub interval_seconds: u32,
    /// `HealthCheckTimeoutSeconds` (2–120; default 10, 6 for HTTP).
    pub timeout_seconds: u32,
    /// `HealthyThresholdCount` (2–10; default 5).
    pub healthy_threshold_count: u32,
    /// `UnhealthyThresholdCount` (2–10; default 2).
    pub unhealthy_threshold_count: u32,
    /// `Matcher.HttpCode` (HTTP and HTTPS checks; default `200-399`).
    pub matcher: Option<String>,
}

impl HealthCheck {
    /// AWS's defaults for a network load balancer's target group.
    fn defaults(protocol: ElbProtocol) -> HealthCheck {
        let http = matches!(protocol, ElbProtocol::Http | ElbProtocol::Https);
        HealthCheck {
            enabled: true,
            protocol,
            port: None,
            path: http.then(|| "/".to_owned()),
            interval_seconds: 30,
            timeout_seconds: if protocol == ElbProtocol::Http { 6 } else { 10 },
            healthy_threshold_count: 5,
            unhealthy_threshold_count: 2,
            matcher: http.then(|| "200-399".to_owned()),
        }
    }

    /// The `HealthCheckPort` wire value: `traffic-port` or the port.
    pub fn port_text(&self) -> String {
        self.port
            .map_or_else(|| "traffic-port".to_owned(), |p| p.to_string())
    }
}

/// A target group's attributes, typed; defaults as AWS sets them for network load
/// balancers' target groups.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetGroupAttributes {
    /// `proxy_protocol_v2.enabled` (default false).
    pub proxy_protocol_v2: bool,
    /// `preserve_client_ip.enabled`: AWS's default is true for instance targets and for
    /// ip targets over UDP and TCP_UDP, false for ip targets over TCP and TLS.
    pub preserve_client_ip: bool,
    /// `deregistration_delay.timeout_seconds` (0–3600, default 300).
    pub deregistration_delay_timeout_seconds: u32,
    /// `deregistration_delay.connection_termination.enabled` (default false).
    pub connection_termination: bool,
    /// `stickiness.enabled` (default false).
    pub stickiness_enabled: bool,
    /// `stickiness.type` (`source_ip`, the only type for network load balancers).
    pub stickiness_type: String,
    /// The other attributes network load balancers' target groups have, by key, with
    /// their values as given (defaults as AWS shows them).
    pub other: BTreeMap<String, String>,
}

/// The keys of [`TargetGroupAttributes::other`] and their defaults.
const OTHER_ATTRIBUTES: &[(&str, &str)] = &[
    (
        "load_balancing.cross_zone.enabled",
        "use_load_balancer_configuration",
    ),
    (
        "target_health_state.unhealthy.connection_termination.enabled",
        "true",
    ),
    (
        "target_health_state.unhealthy.draining_interval_seconds",
        "0",
    ),
    (
        "target_group_health.dns_failover.minimum_healthy_targets.count",
        "1",
    ),
    (
        "target_group_health.dns_failover.minimum_healthy_targets.percentage",
        "off",
    ),
    (
        "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count",
        "1",
    ),
    (
        "target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage",
        "off",
    ),
];

/// Keys application load balancers' target groups have, which a network load balancer's
/// target group refuses as unsupported (not as unknown).
const APPLICATION_ONLY_ATTRIBUTES: &[&str] = &[
    "slow_start.duration_seconds",
    "load_balancing.algorithm.type",
    "load_balancing.algorithm.anomaly_mitigation",
    "stickiness.lb_cookie.duration_seconds",
    "stickiness.app_cookie.cookie_name",
    "stickiness.app_cookie.duration_seconds",
    "lambda.multi_value_headers.enabled",
    "target_failover.on_deregistration",
    "target_failover.on_unhealthy",
];

impl TargetGroupAttributes {
    fn defaults(target_type: TargetType, protocol: ElbProtocol) -> Self {
        TargetGroupAttributes {
            proxy_protocol_v2: false,
            // AWS: "If the target group type is IP address and the target group protocol
            // is TCP or TLS, the default is disabled. Otherwise, the default is enabled."
            preserve_client_ip: !(target_type == TargetType::Ip
                && matches!(protocol, ElbProtocol::Tcp | ElbProtocol::Tls)),
            deregistration_delay_timeout_seconds: 300,
            connection_termination: false,
            stickiness_enabled: false,
            stickiness_type: "source_ip".to_owned(),
            other: OTHER_ATTRIBUTES
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    /// Every attribute as DescribeTargetGroupAttributes lists it: `(key, value)`.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = vec![
            (
                "proxy_protocol_v2.enabled".into(),
                self.proxy_protocol_v2.to_string(),
            ),
            (
                "preserve_client_ip.enabled".into(),
                self.preserve_client_ip.to_string(),
            ),
            (
                "deregistration_delay.timeout_seconds".into(),
                self.deregistration_delay_timeout_seconds.to_string(),
            ),
            (
                "deregistration_delay.connection_termination.enabled".into(),
                self.connection_termination.to_string(),
            ),
            (
                "stickiness.enabled".into(),
                self.stickiness_enabled.to_string(),
            ),
            ("stickiness.type".into(), self.stickiness_type.clone()),
        ];
        out.extend(self.other.iter().map(|(k, v)| (k.clone(), v.clone())));
        out
    }

    /// Applies `(key, value)` pairs to a copy, checking each as AWS does.
    fn with(&self, protocol: ElbProtocol, pairs: &[(String, String)]) -> Result<Self> {
        let mut next = self.clone();
        for (key, value) in pairs {
            let flag = || -> Result<bool> {
                match value.as_str() {
                    "true" => Ok(true),
                    "false" => Ok(false),
                    _ => Err(validation(format!(
                        "Target group attribute '{key}' must be 'true' or 'false'"
                    ))),
                }
            };
            match key.as_str() {
                "proxy_protocol_v2.enabled" => next.proxy_protocol_v2 = flag()?,
                "preserve_client_ip.enabled" => next.preserve_client_ip = flag()?,
                "deregistration_delay.connection_termination.enabled" => {
                    next.connection_termination = flag()?
                }
                "stickiness.enabled" => next.stickiness_enabled = flag()?,
                "deregistration_delay.timeout_seconds" => {
                    next.deregistration_delay_timeout_seconds = value
                        .parse::<u32>()
                        .ok()
                        .filter(|s| *s <= 3600)
                        .ok_or_else(|| {
                            validation(format!(
                                "Target group attribute '{key}' must be an integer between 0 and 3600"
                            ))
                        })?
                }
                "stickiness.type" => {
                    if value != "source_ip" {
                        return Err(invalid_configuration(format!(
                            "Stickiness type '{value}' is not supported for target groups with the {protocol} protocol; valid value: source_ip"
                        )));
                    }
                    next.stickiness_type = value.clone();
                }
                k if next.other.contains_key(k) => {
                    if value.is_empty() {
                        return Err(validation(format!(
                            "Target group attribute '{key}' cannot be empty"
                        )));
                    }
                    next.other.insert(key.clone(), value.clone());
                }
                k if APPLICATION_ONLY_ATTRIBUTES.contains(&k) => {
                    return Err(invalid_configuration(format!(
                        "Target group attribute key '{key}' is not supported on target groups with the {protocol} protocol"
                    )));
                }
                _ => {
                    return Err(validation(format!(
                        "Target group attribute key '{key}' is not recognized"
                    )));
                }
            }
        }
        // AWS: PROXY protocol v2 needs a TCP stream to prepend its header to.
        if next.proxy_protocol_v2 && matches!(protocol, ElbProtocol::Udp | ElbProtocol::TcpUdp) {
            return Err(invalid_configuration(format!(
                "Proxy protocol v2 is not supported for target groups with the {protocol} protocol"
            )));
        }
        Ok(next)
    }
}

/// A target registered with a target group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisteredTarget {
    /// An instance id (`i-…`) or an IPv4 address, as the group's target type says.
    pub id: String,
    /// The port traffic goes to.
    pub port: u16,
    /// The zone as registered: for ip targets outside the VPC, `all`; else none given.
    pub availability_zone: Option<String>,
}

impl RegisteredTarget {
    /// The instance id, for an instance target.
    pub fn instance_id(&self) -> Option<InstanceId> {
        InstanceId::parse(&self.id)
    }

    /// The address, for an ip target.
    pub fn ip(&self) -> Option<Ipv4Addr> {
        self.id.parse().ok()
    }
}

/// A target group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetGroup {
    /// Its ARN.
    pub arn: TargetGroupArn,
    /// Its name, unique per account and region.
    pub name: String,
    /// The owning account.
    pub owner_id: AccountId,
    /// Its region.
    pub region: Region,
    /// Its tags.
    pub tags: Tags,
    /// TCP, TLS, UDP or TCP_UDP.
    pub protocol: ElbProtocol,
    /// The port its targets get traffic on unless registered with another.
    pub port: u16,
    /// Its VPC.
    pub vpc_id: VpcId,
    /// Instance or ip.
    pub target_type: TargetType,
    /// `ipv4`.
    pub ip_address_type: String,
    /// Its health check.
    pub health_check: HealthCheck,
    /// Its attributes.
    pub attributes: TargetGroupAttributes,
    /// Its targets, in registration order.
    pub targets: Vec<RegisteredTarget>,
}

owned!(TargetGroup);

/// The parameters of CreateTargetGroup.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CreateTargetGroup {
    /// The name.
    pub name: String,
    /// `Protocol`.
    pub protocol: Option<String>,
    /// `Port`.
    pub port: Option<i64>,
    /// `VpcId`.
    pub vpc_id: Option<String>,
    /// `TargetType` (default `instance`).
    pub target_type: Option<String>,
    /// `IpAddressType` (`ipv4`).
    pub ip_address_type: Option<String>,
    /// The health check settings given.
    pub health_check: HealthCheckSettings,
    /// Tags.
    pub tags: Tags,
}

/// Health check settings a request gives (CreateTargetGroup, ModifyTargetGroup); what is
/// not given keeps its value (or AWS's default).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HealthCheckSettings {
    /// `HealthCheckEnabled`.
    pub enabled: Option<bool>,
    /// `HealthCheckProtocol`.
    pub protocol: Option<String>,
    /// `HealthCheckPort`: `traffic-port` or a port.
    pub port: Option<String>,
    /// `HealthCheckPath`.
    pub path: Option<String>,
    /// `HealthCheckIntervalSeconds`.
    pub interval_seconds: Option<i64>,
    /// `HealthCheckTimeoutSeconds`.
    pub timeout_seconds: Option<i64>,
    /// `HealthyThresholdCount`.
    pub healthy_threshold_count: Option<i64>,
    /// `UnhealthyThresholdCount`.
    pub unhealthy_threshold_count: Option<i64>,
    /// `Matcher.HttpCode`.
    pub matcher: Option<String>,
}

/// One `Targets.member.N` of RegisterTargets and DeregisterTargets.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TargetDescription {
    /// An instance id or an IPv4 address.
    pub id: String,
    /// The port (default: the group's).
    pub port: Option<i64>,
    /// `AvailabilityZone` (ip targets; `all` for addresses outside the VPC).
    pub availability_zone: Option<String>,
}

/// Why a target is or is not health-checked, before any connection is tried: what
/// DescribeTargetHealth needs from the model. The API layer turns `Probe` into `healthy`
/// or `unhealthy` by trying a TCP connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetHealthBasis {
    /// `unused` / `Target.NotInUse`: no listener forwards to the group, or the target is
    /// in a zone the load balancer is not enabled in.
    NotInUse,
    /// `unused` / `Target.InvalidState`: the instance is stopped (or on its way).
    InvalidState,
    /// `unavailable` / `Target.HealthCheckDisabled`.
    HealthCheckDisabled,
    /// Checked: connect to this host address; `None` when nothing is bound to the checked
    /// port (`unhealthy` / `Target.FailedHealthChecks`).
    Probe(Option<SocketAddr>),
}

fn in_range(what: &str, v: Option<i64>, lo: i64, hi: i64) -> Result<Option<u32>> {
    match v {
        None => Ok(None),
        Some(n) if (lo..=hi).contains(&n) => Ok(u32::try_from(n).ok()),
        Some(n) => Err(validation(format!(
            "{what} '{n}' must be between '{lo}' and '{hi}'"
        ))),
    }
}

fn port_value(what: &str, v: i64) -> Result<u16> {
    u16::try_from(v)
        .ok()
        .filter(|p| *p >= 1)
        .ok_or_else(|| validation(format!("{what} '{v}' must be between '1' and '65535'")))
}

impl HealthCheck {
    /// This check with `s` applied, checked as AWS does.
    fn with(&self, s: &HealthCheckSettings) -> Result<HealthCheck> {
        let mut h = self.clone();
        if let Some(p) = &s.protocol {
            let proto = ElbProtocol::parse(p)
                .filter(|p| matches!(p, ElbProtocol::Tcp | ElbProtocol::Http | ElbProtocol::Https))
                .ok_or_else(|| {
                    validation(format!(
                        "Health check protocol '{p}' is not supported; valid values: TCP, HTTP, HTTPS"
                    ))
                })?;
            if proto != h.protocol {
                let d = HealthCheck::defaults(proto);
                h.protocol = proto;
                h.path = d.path;
                h.matcher = d.matcher;
            }
        }
        if let Some(e) = s.enabled {
            h.enabled = e;
        }
        if let Some(p) = &s.port {
            h.port = if p == "traffic-port" {
                None
            } else {
                let n: i64 = p.parse().map_err(|_| {
                    validation(format!(
                        "Health check port '{p}' must be 'traffic-port' or a port number"
                    ))
                })?;
                Some(port_value("Health check port", n)?)
            };
        }
        let http = matches!(h.protocol, ElbProtocol::Http | ElbProtocol::Https);
        if let Some(path) = &s.path {
            if !http {
                return Err(invalid_configuration(
                    "A health check path can only be given for HTTP and HTTPS health checks",
                ));
            }
            if !path.starts_with('/') || path.len() > 1024 {
                return Err(validation(format!(
                    "Health check path '{path}' must start with '/' and be at most 1024 characters"
                )));
            }
            h.path = Some(path.clone());
        }
        if let Some(m) = &s.matcher {
            if !http {
                return Err(invalid_configuration(
                    "A health check matcher can only be given for HTTP and HTTPS health checks",
                ));
            }
            h.matcher = Some(m.clone());
        }
        if let Some(v) = in_range("Health check interval", s.interval_seconds, 5, 300)? {
            h.interval_seconds = v;
        }
        if let Some(v) = in_range("Health check timeout", s.timeout_seconds, 2, 120)? {
            h.timeout_seconds = v;
        }
        if let Some(v) = in_range("Healthy threshold count", s.healthy_threshold_count, 2, 10)? {
            h.healthy_threshold_count = v;
        }
        if let Some(v) = in_range(
            "Unhealthy threshold count",
            s.unhealthy_threshold_count,
            2,
            10,
        )? {
            h.unhealthy_threshold_count = v;
        }
        if h.timeout_seconds > h.interval_seconds {
            return Err(validation(format!(
                "Health check timeout '{}' must be smaller than or equal to the interval '{}'",
                h.timeout_seconds, h.interval_seconds
            )));
        }
        Ok(h)
    }
}

impl Lab {
    /// CreateTargetGroup for a network load balancer: TCP, TLS, UDP or TCP_UDP; instance
    /// or ip targets; AWS's health check defaults (TCP to the traffic port, every 30 s).
    /// Idempotent as AWS documents it: the same name with the same settings answers the
    /// existing group; with other settings, `DuplicateTargetGroupName`.
    pub fn create_target_group(
        &mut self,
        caller: &Caller,
        req: CreateTargetGroup,
    ) -> Result<TargetGroupArn> {
        check_elb_name("Target group", &req.name)?;
        let target_type = match req.target_type.as_deref().unwrap_or("instance") {
            "instance" => TargetType::Instance,
            "ip" => TargetType::Ip,
            t @ ("alb" | "lambda") => {
                return Err(invalid_configuration(format!(
                    "vpclab serves target groups of network load balancers with instance and ip targets; target type '{t}' is not supported"
                )));
            }
            other => {
                return Err(validation(format!(
                    "Target type '{other}' is not valid; valid values: instance, ip, lambda, alb"
                )));
            }
        };
        let protocol_text = req
            .protocol
            .as_deref()
            .ok_or_else(|| validation("A protocol must be specified"))?;
        let protocol = match ElbProtocol::parse(protocol_text) {
            Some(p) if p.is_network() => p,
            Some(_) | None if matches!(protocol_text, "HTTP" | "HTTPS" | "GENEVE") => {
                return Err(invalid_configuration(format!(
                    "vpclab serves target groups of network load balancers (TCP, TLS, UDP, TCP_UDP); protocol '{protocol_text}' is not supported"
                )));
            }
            _ => {
                return Err(validation(format!(
                    "Protocol '{protocol_text}' is not valid; valid values: TCP, TLS, UDP, TCP_UDP"
                )));
            }
        };
        let port = port_value(
            "Port",
            req.port
                .ok_or_else(|| validation("A port must be specified"))?,
        )?;
        match req.ip_address_type.as_deref().unwrap_or("ipv4") {
            "ipv4" => {}
            other => {
                return Err(invalid_configuration(format!(
                    "vpclab's target groups are ipv4 only; IP address type '{other}' is not supported"
                )));
            }
        }
        let vpc_text = req
            .vpc_id
            .as_deref()
            .ok_or_else(|| validation("A VPC ID must be specified"))?;
        let vpc_id = self
            .vpcs
            .get(vpc_text)
            .filter(|v| v.owner_id == caller.account && v.region == caller.region)
            .map(|v| v.id.clone())
            .ok_or_else(|| validation(format!("The VPC ID '{vpc_text}' is not found")))?;
        check_elb_tags(&req.tags)?;
        // AWS: the health check of a UDP group is TCP (UDP cannot be checked).
        let check_protocol = req
            .health_check
            .protocol
            .as_deref()
            .and_then(ElbProtocol::parse)
            .filter(|p| matches!(p, ElbProtocol::Http | ElbProtocol::Https))
            .unwrap_or(ElbProtocol::Tcp);
        let health_check = HealthCheck::defaults(check_protocol).with(&req.health_check)?;

        let existing = self.target_groups.values().find(|t| {
            t.owner_id == caller.account && t.region == caller.region && t.name == req.name
        });
        if let Some(tg) = existing {
            if tg.protocol == protocol
                && tg.port == port
                && tg.vpc_id == vpc_id
                && tg.target_type == target_type
                && tg.health_check == health_check
            {
                return Ok(tg.arn.clone());
            }
            return Err(elb_error(
                "DuplicateTargetGroupName",
                format!(
                    "A target group with the same name '{}' exists, but with different settings",
                    req.name
                ),
            ));
        }
        let arn = TargetGroupArn::new_unchecked(format!(
            "arn:aws:elasticloadbalancing:{}:{}:targetgroup/{}/{:016x}",
            caller.region.name(),
            caller.account,
            req.name,
            self.ids.next_u64()
        ));
        self.target_groups.insert(
            arn.clone(),
            TargetGroup {
                arn: arn.clone(),
                name: req.name,
                owner_id: caller.account.clone(),
                region: caller.region,
                tags: req.tags,
                protocol,
                port,
                vpc_id,
                target_type,
                ip_address_type: "ipv4".into(),
                health_check,
                attributes: TargetGroupAttributes::defaults(target_type, protocol),
                targets: Vec::new(),
            },
        );
        Ok(arn)
    }

    /// The caller's target group with this ARN (`TargetGroupNotFound` otherwise).
    pub fn owned_target_group(&self, caller: &Caller, arn: &str) -> Result<&TargetGroup> {
        elb_owned(
            &self.target_groups,
            caller,
            arn,
            TargetGroupArn::parse,
            TargetGroupArn::WHAT,
            "TargetGroupNotFound",
        )
    }

    /// ModifyTargetGroup: the health check settings.
    pub fn modify_target_group(
        &mut self,
        caller: &Caller,
        arn: &str,
        change: &HealthCheckSettings,
    ) -> Result<()> {
        let tg = self.owned_target_group(caller, arn)?;
        let next = tg.health_check.with(change)?;
        let key = tg.arn.clone();
        if let Some(t) = self.target_groups.get_mut(&key) {
            t.health_check = next;
        }
        Ok(())
    }

    /// DeleteTargetGroup: refused (`ResourceInUse`) while a listener forwards to it. Like
    /// DeleteLoadBalancer, a group that does not exist (for the caller) is no error: the
    /// API lists no not-found error for it.
    pub fn delete_target_group(&mut self, caller: &Caller, arn: &str) -> Result<()> {
        let tg = match self.owned_target_group(caller, arn) {
            Ok(tg) => tg,
            Err(e) if e.code() == "TargetGroupNotFound" => return Ok(()),
            Err(e) => return Err(e),
        };
        if self
            .listeners
            .values()
            .any(|l| l.target_group_arn == tg.arn)
        {
            return Err(elb_error(
                "ResourceInUse",
                format!("Target group '{arn}' is currently in use by a listener or a rule"),
            ));
        }
        let key = tg.arn.clone();
        self.target_groups.shift_remove(&key);
        Ok(())
    }

    /// ModifyTargetGroupAttributes: every pair is checked before any applies.
    pub fn modify_target_group_attributes(
        &mut self,
        caller: &Caller,
        arn: &str,
        pairs: &[(String, String)],
    ) -> Result<()> {
        let tg = self.owned_target_group(caller, arn)?;
        let next = tg.attributes.with(tg.protocol, pairs)?;
        let key = tg.arn.clone();
        if let Some(t) = self.target_groups.get_mut(&key) {
            t.attributes = next;
        }
        Ok(())
    }

    /// Checks targets for `tg` and resolves their ports; `registering` also checks that
    /// each target exists where AWS requires it.
    fn resolve_targets(
        &self,
        caller: &Caller,
        tg: &TargetGroup,
        targets: &[TargetDescription],
        registering: bool,
    ) -> Result<Vec<RegisteredTarget>> {
        if targets.is_empty() {
            return Err(validation("At least one target must be specified"));
        }
        let mut out: Vec<RegisteredTarget> = Vec::new();
        for t in targets {
            let port = match t.port {
                Some(p) => port_value("Port", p)?,
                None => tg.port,
            };
            let zone = t.availability_zone.clone();
            if registering {
                match tg.target_type {
                    TargetType::Instance => self.check_instance_target(caller, tg, t)?,
                    TargetType::Ip => self.check_ip_target(tg, t)?,
                }
            }
            let r = RegisteredTarget {
                id: t.id.clone(),
                port,
                availability_zone: zone,
            };
            if !out.contains(&r) {
                out.push(r);
            }
        }
        Ok(out)
    }

    fn check_instance_target(
        &self,
        caller: &Caller,
        tg: &TargetGroup,
        t: &TargetDescription,
    ) -> Result<()> {
        if t.availability_zone.is_some() {
            return Err(validation(
                "An Availability Zone cannot be specified for targets of target type 'instance'",
            ));
        }
        let instance = self
            .instances
            .get(t.id.as_str())
            .filter(|i| i.owner_id == caller.account && i.region == caller.region)
            .ok_or_else(|| {
                elb_error(
                    "InvalidTarget",
                    format!("The following targets are not valid instances: '{}'", t.id),
                )
            })?;
        if instance.vpc_id != tg.vpc_id {
            return Err(elb_error(
                "InvalidTarget",
                format!(
                    "The following targets are not in the target group's VPC '{}': '{}'",
                    tg.vpc_id, t.id
                ),
            ));
        }
        if matches!(
            instance.state,
            InstanceState::Terminated | InstanceState::ShuttingDown
        ) {
            return Err(elb_error(
                "InvalidTarget",
                format!(
                    "The following targets are not in a valid state: '{}' is {}",
                    t.id,
                    instance.state.name()
                ),
            ));
        }
        Ok(())
    }

    /// AWS: an ip target is an address of the group's VPC, or, with AvailabilityZone
    /// `all`, an address of RFC 1918 or RFC 6598 (100.64.0.0/10) outside it (reached
    /// through peering, a transit gateway or a VPN). Public addresses are refused.
    fn check_ip_target(&self, tg: &TargetGroup, t: &TargetDescription) -> Result<()> {
        let ip: Ipv4Addr = t.id.parse().map_err(|_| {
            validation(format!(
                "The IP address '{}' is not a valid IPv4 address",
                t.id
            ))
        })?;
        let in_vpc = self.vpcs.get(&tg.vpc_id).is_some_and(|v| {
            v.cidr_block_associations
                .iter()
                .any(|b| b.cidr.contains(&ip))
        });
        match t.availability_zone.as_deref() {
            _ if !is_private_target_range(IpAddr::V4(ip)) && !in_vpc => Err(elb_error(
                "InvalidTarget",
                format!(
                    "The IP address '{ip}' is not within the target group's VPC or a private address range (RFC 1918, RFC 6598)"
                ),
            )),
            Some("all") if in_vpc => Err(validation(format!(
                "The Availability Zone 'all' can only be given for IP addresses outside the VPC '{}'",
                tg.vpc_id
            ))),
            Some("all") => Ok(()),
            None if in_vpc => Ok(()),
            None => Err(validation(format!(
                "The IP address '{ip}' is outside the VPC '{}'; the Availability Zone must be 'all'",
                tg.vpc_id
            ))),
            Some(z) => {
                if tg.region.zone(z).is_none() {
                    return Err(validation(format!(
                        "The Availability Zone '{z}' is not valid in {}",
                        tg.region.name()
                    )));
                }
                if !in_vpc {
                    return Err(validation(format!(
                        "The IP address '{ip}' is outside the VPC '{}'; the Availability Zone must be 'all'",
                        tg.vpc_id
                    )));
                }
                Ok(())
            }
        }
    }

    /// RegisterTargets: instance targets must be the caller's instances in the group's
    /// VPC and not terminated; ip targets as [`Lab::check_ip_target`] says. A target
    /// registered again (same id and port) stays once.
    pub fn register_targets(
        &mut self,
        caller: &Caller,
        arn: &str,
        targets: &[TargetDescription],
    ) -> Result<()> {
        let tg = self.owned_target_group(caller, arn)?;
        let new = self.resolve_targets(caller, tg, targets, true)?;
        let key = tg.arn.clone();
        if let Some(t) = self.target_groups.get_mut(&key) {
            for r in new {
                if !t.targets.iter().any(|x| x.id == r.id && x.port == r.port) {
                    t.targets.push(r);
                }
            }
        }
        Ok(())
    }

    /// DeregisterTargets: each target (id and port) must be registered (`InvalidTarget`).
    /// The lab drains at once: `deregistration_delay` is recorded, not waited for.
    pub fn deregister_targets(
        &mut self,
        caller: &Caller,
        arn: &str,
        targets: &[TargetDescription],
    ) -> Result<()> {
        let tg = self.owned_target_group(caller, arn)?;
        let gone = self.resolve_targets(caller, tg, targets, false)?;
        let missing: Vec<&str> = gone
            .iter()
            .filter(|g| !tg.targets.iter().any(|x| x.id == g.id && x.port == g.port))
            .map(|g| g.id.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(elb_error(
                "InvalidTarget",
                format!(
                    "The following targets are not registered in target group '{arn}': '{}'",
                    missing.join("', '")
                ),
            ));
        }
        let key = tg.arn.clone();
        if let Some(t) = self.target_groups.get_mut(&key) {
            t.targets
                .retain(|x| !gone.iter().any(|g| g.id == x.id && g.port == x.port));
        }
        Ok(())
    }

    /// The load balancers whose listeners forward to `tg` (at most one, by AWS's rule).
    pub fn load_balancers_of_target_group(&self, tg: &TargetGroup) -> Vec<&LoadBalancer> {
        let mut out: Vec<&LoadBalancer> = Vec::new();
        for l in self.listeners.values() {
            if l.target_group_arn == tg.arn
                && let Some(lb) = self.load_balancers.get(&l.load_balancer_arn)
                && !out.iter().any(|x| x.arn == lb.arn)
            {
                out.push(lb);
            }
        }
        out
    }

    /// The instance a target stands for: an instance target's instance, or the instance
    /// whose interface holds an ip target's address in the group's VPC.
    pub fn target_instance(
        &self,
        tg: &TargetGroup,
        target: &RegisteredTarget,
    ) -> Option<&Instance> {
        match tg.target_type {
            TargetType::Instance => self.instances.get(target.id.as_str()),
            TargetType::Ip => {
                let eni = self.eni_by_private_ip(&tg.vpc_id, IpAddr::V4(target.ip()?))?;
                self.instance_of(eni)
            }
        }
    }

    /// The zone a target is in: its instance's, or the zone of the subnet holding its
    /// address; `None` for ip targets outside the VPC (registered with zone `all`).
    pub fn target_zone(&self, tg: &TargetGroup, target: &RegisteredTarget) -> Option<String> {
        match tg.target_type {
            TargetType::Instance => self
                .instances
                .get(target.id.as_str())
                .map(|i| i.availability_zone.clone()),
            TargetType::Ip => {
                let vpc = self.vpcs.get(&tg.vpc_id)?;
                self.subnet_containing(vpc, IpAddr::V4(target.ip()?))
                    .map(|s| s.availability_zone.clone())
            }
        }
    }

    /// The host address `port` of an instance (or of a bare interface) is bound to: the
    /// tag `vpclab:port:<port>` = `127.0.0.1:<hostport>` on the instance, else on the
    /// interface. The one reading of bindings, for the data plane and target health.
    pub fn port_binding(
        &self,
        instance_id: Option<&str>,
        network_interface_id: Option<&str>,
        port: u16,
    ) -> Option<SocketAddr> {
        let tag = format!("{PORT_TAG_PREFIX}{port}");
        instance_id
            .and_then(|id| self.instances.get(id))
            .and_then(|i| i.tags.get(&tag))
            .or_else(|| {
                network_interface_id
                    .and_then(|id| self.network_interfaces.get(id))
                    .and_then(|e| e.tags.get(&tag))
            })
            .and_then(|v| v.trim().parse().ok())
    }

    /// The host address `port` of a target is bound to: the tag on its instance, else on
    /// the interface holding an ip target's address.
    pub fn target_port_binding(
        &self,
        tg: &TargetGroup,
        target: &RegisteredTarget,
        port: u16,
    ) -> Option<SocketAddr> {
        let instance = self.target_instance(tg, target).map(|i| i.id.as_str());
        let eni = match (tg.target_type, target.ip()) {
            (TargetType::Ip, Some(ip)) => self
                .eni_by_private_ip(&tg.vpc_id, IpAddr::V4(ip))
                .map(|e| e.id.as_str()),
            _ => None,
        };
        self.port_binding(instance, eni, port)
    }

    /// The host address traffic to `target` goes to: its port's binding.
    pub fn target_binding(
        &self,
        tg: &TargetGroup,
        target: &RegisteredTarget,
    ) -> Option<SocketAddr> {
        self.target_port_binding(tg, target, target.port)
    }

    /// What DescribeTargetHealth needs to know about `target` before trying a connection
    /// (see [`TargetHealthBasis`]).
    pub fn target_health_basis(
        &self,
        tg: &TargetGroup,
        target: &RegisteredTarget,
    ) -> TargetHealthBasis {
        let lbs = self.load_balancers_of_target_group(tg);
        let Some(lb) = lbs.first() else {
            return TargetHealthBasis::NotInUse;
        };
        // AWS: a target in a zone its load balancer is not enabled in is unused (targets
        // registered with zone `all` are reached from every zone).
        if let Some(zone) = self.target_zone(tg, target)
            && target.availability_zone.as_deref() != Some("all")
            && !lb.zone_names().any(|z| z == zone)
        {
            return TargetHealthBasis::NotInUse;
        }
        if let Some(i) = self.target_instance(tg, target)
            && i.state != InstanceState::Running
        {
            return TargetHealthBasis::InvalidState;
        }
        if !tg.health_check.enabled {
            return TargetHealthBasis::HealthCheckDisabled;
        }
        let port = tg.health_check.port.unwrap_or(target.port);
        TargetHealthBasis::Probe(self.target_port_binding(tg, target, port))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nlb_health_check_defaults() {
        let h = HealthCheck::defaults(ElbProtocol::Tcp);
        assert!(h.enabled);
        assert_eq!(h.port_text(), "traffic-port");
        assert_eq!((h.interval_seconds, h.timeout_seconds), (30, 10));
        assert_eq!(
            (h.healthy_threshold_count, h.unhealthy_threshold_count),
            (5, 2)
        );
        assert_eq!((h.path, h.matcher), (None, None));
        let http = HealthCheck::defaults(ElbProtocol::Http);
        assert_eq!(http.timeout_seconds, 6);
        assert_eq!(http.path.as_deref(), Some("/"));
    }

    #[test]
    fn preserve_client_ip_defaults_by_target_type_and_protocol() {
        let d = TargetGroupAttributes::defaults;
        assert!(d(TargetType::Instance, ElbProtocol::Tcp).preserve_client_ip);
        assert!(!d(TargetType::Ip, ElbProtocol::Tcp).preserve_client_ip);
        assert!(!d(TargetType::Ip, ElbProtocol::Tls).preserve_client_ip);
        assert!(d(TargetType::Ip, ElbProtocol::Udp).preserve_client_ip);
    }

    #[test]
    fn attributes_apply_and_refuse() {
        let a = TargetGroupAttributes::defaults(TargetType::Ip, ElbProtocol::Tcp);
        let pair = |k: &str, v: &str| vec![(k.to_owned(), v.to_owned())];
        let b = a
            .with(ElbProtocol::Tcp, &pair("proxy_protocol_v2.enabled", "true"))
            .unwrap();
        assert!(b.proxy_protocol_v2);
        let code = |p: Vec<(String, String)>| a.with(ElbProtocol::Tcp, &p).unwrap_err().code();
        assert_eq!(code(pair("nope.enabled", "true")), "ValidationError");
        assert_eq!(code(pair("stickiness.enabled", "yes")), "ValidationError");
        assert_eq!(
            code(pair("deregistration_delay.timeout_seconds", "3601")),
            "ValidationError"
        );
        assert_eq!(
            code(pair("slow_start.duration_seconds", "30")),
            "InvalidConfigurationRequest"
        );
        let udp = TargetGroupAttributes::defaults(TargetType::Ip, ElbProtocol::Udp);
        assert_eq!(
            udp.with(ElbProtocol::Udp, &pair("proxy_protocol_v2.enabled", "true"))
                .unwrap_err()
                .code(),
            "InvalidConfigurationRequest"
        );
        let keys: Vec<String> = a.to_pairs().into_iter().map(|(k, _)| k).collect();
        assert!(keys.contains(&"preserve_client_ip.enabled".to_owned()));
        assert!(keys.contains(&"load_balancing.cross_zone.enabled".to_owned()));
    }

    #[test]
    fn health_check_ranges() {
        let h = HealthCheck::defaults(ElbProtocol::Tcp);
        let bad = |s: HealthCheckSettings| h.with(&s).unwrap_err().code();
        assert_eq!(
            bad(HealthCheckSettings {
                interval_seconds: Some(4),
                ..Default::default()
            }),
            "ValidationError"
        );
        assert_eq!(
            bad(HealthCheckSettings {
                timeout_seconds: Some(60),
                ..Default::default()
            }),
            "ValidationError"
        );
        assert_eq!(
            bad(HealthCheckSettings {
                path: Some("/x".into()),
                ..Default::default()
            }),
            "InvalidConfigurationRequest"
        );
        let http = h
            .with(&HealthCheckSettings {
                protocol: Some("HTTP".into()),
                port: Some("8080".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(http.path.as_deref(), Some("/"));
        assert_eq!(http.port, Some(8080));
    }
}
