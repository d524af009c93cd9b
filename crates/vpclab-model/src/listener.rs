//! ELBv2 listeners of network load balancers: Create/Modify/DeleteListener. A listener
//! takes a port and a protocol (TCP, TLS, UDP, TCP_UDP) and forwards to one target group
//! of its load balancer's VPC; a target group serves at most one load balancer.

use serde::{Deserialize, Serialize};

use crate::err::Result;
use crate::lab::{Caller, Lab, Tags};
use crate::load_balancer::{
    ElbProtocol, ListenerArn, LoadBalancer, LoadBalancerArn, TargetGroupArn, check_elb_tags,
    elb_error, elb_owned, invalid_configuration, validation,
};
use crate::region::{AccountId, Region};
use crate::tags::owned;

/// AWS's default security policy for new TLS listeners.
pub const DEFAULT_SSL_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/// A listener.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listener {
    /// Its ARN.
    pub arn: ListenerArn,
    /// Its load balancer.
    pub load_balancer_arn: LoadBalancerArn,
    /// The owning account.
    pub owner_id: AccountId,
    /// Its region.
    pub region: Region,
    /// Its tags.
    pub tags: Tags,
    /// The port it listens on.
    pub port: u16,
    /// TCP, TLS, UDP or TCP_UDP.
    pub protocol: ElbProtocol,
    /// The target group its default action forwards to.
    pub target_group_arn: TargetGroupArn,
    /// Certificate ARNs (TLS listeners), the default first.
    pub certificates: Vec<String>,
    /// The security policy (TLS listeners).
    pub ssl_policy: Option<String>,
    /// `AlpnPolicy` (TLS listeners).
    pub alpn_policy: Vec<String>,
}

owned!(Listener);

/// One `DefaultActions.member.N`: for a network load balancer, a `forward` to one target
/// group, named directly or through `ForwardConfig`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListenerAction {
    /// `Type` (`forward`).
    pub action_type: String,
    /// `TargetGroupArn`.
    pub target_group_arn: Option<String>,
    /// `ForwardConfig.TargetGroups.member.N.TargetGroupArn`.
    pub forward_target_group_arns: Vec<String>,
}

/// The parameters of CreateListener.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CreateListener {
    /// `LoadBalancerArn`.
    pub load_balancer_arn: String,
    /// `Protocol`.
    pub protocol: Option<String>,
    /// `Port`.
    pub port: Option<i64>,
    /// `DefaultActions`.
    pub default_actions: Vec<ListenerAction>,
    /// `Certificates.member.N.CertificateArn`.
    pub certificates: Vec<String>,
    /// `SslPolicy`.
    pub ssl_policy: Option<String>,
    /// `AlpnPolicy.member.N`.
    pub alpn_policy: Vec<String>,
    /// Tags.
    pub tags: Tags,
}

/// The parameters of ModifyListener: what is given replaces what the listener has.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ModifyListener {
    /// `Protocol`.
    pub protocol: Option<String>,
    /// `Port`.
    pub port: Option<i64>,
    /// `DefaultActions` (empty: unchanged).
    pub default_actions: Vec<ListenerAction>,
    /// `Certificates` (empty: unchanged).
    pub certificates: Vec<String>,
    /// `SslPolicy`.
    pub ssl_policy: Option<String>,
    /// `AlpnPolicy` (empty: unchanged).
    pub alpn_policy: Vec<String>,
}

/// AWS's protocol compatibility for network load balancers: a listener's protocol and the
/// target group protocols it can forward to.
pub fn compatible(listener: ElbProtocol, target_group: ElbProtocol) -> bool {
    use ElbProtocol::*;
    matches!(
        (listener, target_group),
        (Tcp, Tcp | TcpUdp) | (Tls, Tcp | Tls) | (Udp, Udp | TcpUdp) | (TcpUdp, TcpUdp)
    )
}

fn listener_protocol(text: &str) -> Result<ElbProtocol> {
    match ElbProtocol::parse(text) {
        Some(p) if p.is_network() => Ok(p),
        Some(_) => Err(elb_error(
            "UnsupportedProtocol",
            format!("Protocol '{text}' is not supported for load balancers of type 'network'"),
        )),
        None => Err(validation(format!(
            "Protocol '{text}' is not valid; valid values: TCP, TLS, UDP, TCP_UDP"
        ))),
    }
}

fn listener_port(v: i64) -> Result<u16> {
    u16::try_from(v)
        .ok()
        .filter(|p| *p >= 1)
        .ok_or_else(|| validation(format!("Port '{v}' must be between '1' and '65535'")))
}

/// The one target group ARN of a network load balancer's default actions.
fn forward_target(actions: &[ListenerAction]) -> Result<String> {
    let [action] = actions else {
        return Err(if actions.is_empty() {
            validation("A default action must be specified")
        } else {
            elb_error(
                "TooManyActions",
                "A network load balancer's listener has exactly one default action",
            )
        });
    };
    if action.action_type != "forward" {
        return Err(elb_error(
            "InvalidLoadBalancerAction",
            format!(
                "The action type '{}' is not valid for a network load balancer; use 'forward'",
                action.action_type
            ),
        ));
    }
    let mut arns: Vec<&String> = action.target_group_arn.iter().collect();
    for a in &action.forward_target_group_arns {
        if !arns.contains(&a) {
            arns.push(a);
        }
    }
    match arns.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(validation(
            "A forward action must name a target group (TargetGroupArn or ForwardConfig)",
        )),
        _ => Err(elb_error(
            "InvalidLoadBalancerAction",
            "A network load balancer's forward action can name only one target group",
        )),
    }
}

fn check_certificates(protocol: ElbProtocol, certificates: &[String]) -> Result<()> {
    if protocol == ElbProtocol::Tls && certificates.is_empty() {
        return Err(validation(
            "A certificate must be specified for TLS listeners",
        ));
    }
    for c in certificates {
        // The lab has no ACM; any ACM or IAM server certificate ARN is taken as it is.
        if !(c.starts_with("arn:aws:acm:") || c.starts_with("arn:aws:iam:")) {
            return Err(elb_error(
                "CertificateNotFound",
                format!("Certificate '{c}' not found"),
            ));
        }
    }
    Ok(())
}

fn check_ssl_policy(policy: &str) -> Result<()> {
    if policy.starts_with("ELBSecurityPolicy-") {
        Ok(())
    } else {
        Err(elb_error(
            "SSLPolicyNotFound",
            format!("SSL policy '{policy}' not found"),
        ))
    }
}

impl Lab {
    /// The caller's listener with this ARN (`ListenerNotFound` otherwise).
    pub fn owned_listener(&self, caller: &Caller, arn: &str) -> Result<&Listener> {
        elb_owned(
            &self.listeners,
            caller,
            arn,
            ListenerArn::parse,
            ListenerArn::WHAT,
            "ListenerNotFound",
        )
    }

    /// The listeners of `lb`, in creation order.
    pub fn listeners_of<'a>(&'a self, lb: &'a LoadBalancer) -> impl Iterator<Item = &'a Listener> {
        self.listeners
            .values()
            .filter(move |l| l.load_balancer_arn == lb.arn)
    }

    /// Checks that `lb` may forward to the caller's target group `tg_arn` with a listener of
    /// `protocol`: same VPC, compatible protocols, no other load balancer using it.
    fn check_forward(
        &self,
        caller: &Caller,
        lb: &LoadBalancer,
        protocol: ElbProtocol,
        tg_arn: &str,
    ) -> Result<TargetGroupArn> {
        let tg = self.owned_target_group(caller, tg_arn)?;
        if tg.vpc_id != lb.vpc_id {
            return Err(invalid_configuration(format!(
                "Target group '{tg_arn}' is in VPC '{}', not in the load balancer's VPC '{}'",
                tg.vpc_id, lb.vpc_id
            )));
        }
        if !compatible(protocol, tg.protocol) {
            return Err(elb_error(
                "IncompatibleProtocols",
                format!(
                    "The listener protocol '{protocol}' is not compatible with the protocol '{}' of target group '{tg_arn}'",
                    tg.protocol
                ),
            ));
        }
        let elsewhere = self
            .listeners
            .values()
            .any(|l| l.target_group_arn == tg.arn && l.load_balancer_arn != lb.arn);
        if elsewhere {
            return Err(elb_error(
                "TargetGroupAssociationLimit",
                format!(
                    "The following target groups cannot be associated with more than one load balancer: {tg_arn}"
                ),
            ));
        }
        Ok(tg.arn.clone())
    }

    /// CreateListener. Idempotent as AWS documents it: the same settings on a port answer
    /// the existing listener; other settings on a taken port, `DuplicateListener`.
    pub fn create_listener(&mut self, caller: &Caller, req: CreateListener) -> Result<ListenerArn> {
        let lb = self
            .owned_load_balancer(caller, &req.load_balancer_arn)?
            .clone();
        let protocol = listener_protocol(
            req.protocol
                .as_deref()
                .ok_or_else(|| validation("A listener protocol must be specified"))?,
        )?;
        let port = listener_port(
            req.port
                .ok_or_else(|| validation("A listener port must be specified"))?,
        )?;
        let tg_arn = forward_target(&req.default_actions)?;
        let target_group_arn = self.check_forward(caller, &lb, protocol, &tg_arn)?;
        check_certificates(protocol, &req.certificates)?;
        let ssl_policy = match (protocol, &req.ssl_policy) {
            (ElbProtocol::Tls, Some(p)) => {
                check_ssl_policy(p)?;
                Some(p.clone())
            }
            (ElbProtocol::Tls, None) => Some(DEFAULT_SSL_POLICY.to_owned()),
            (_, Some(_)) => {
                return Err(validation(
                    "An SSL policy can only be given for TLS listeners",
                ));
            }
            (_, None) => None,
        };
        check_elb_tags(&req.tags)?;
        if let Some(l) = self.listeners_of(&lb).find(|l| l.port == port) {
            if l.protocol == protocol && l.target_group_arn == target_group_arn {
                return Ok(l.arn.clone());
            }
            return Err(elb_error(
                "DuplicateListener",
                format!("A listener already exists on port {port} of this load balancer"),
            ));
        }
        if self.listeners_of(&lb).count() >= 50 {
            return Err(elb_error(
                "TooManyListeners",
                "The quota of 50 listeners per load balancer has been reached",
            ));
        }
        let arn = ListenerArn::new_unchecked(format!(
            "arn:aws:elasticloadbalancing:{}:{}:listener/{}/{:016x}",
            caller.region.name(),
            caller.account,
            lb.resource_id(),
            self.ids.next_u64()
        ));
        self.listeners.insert(
            arn.clone(),
            Listener {
                arn: arn.clone(),
                load_balancer_arn: lb.arn.clone(),
                owner_id: caller.account.clone(),
                region: caller.region,
                tags: req.tags,
                port,
                protocol,
                target_group_arn,
                certificates: req.certificates,
                ssl_policy,
                alpn_policy: req.alpn_policy,
            },
        );
        Ok(arn)
    }

    /// ModifyListener: port, protocol, default action, certificates, policy.
    pub fn modify_listener(
        &mut self,
        caller: &Caller,
        arn: &str,
        change: &ModifyListener,
    ) -> Result<()> {
        let l = self.owned_listener(caller, arn)?.clone();
        let lb = self
            .load_balancers
            .get(&l.load_balancer_arn)
            .cloned()
            .ok_or_else(|| elb_error("ListenerNotFound", "One or more listeners not found"))?;
        let protocol = match &change.protocol {
            Some(p) => listener_protocol(p)?,
            None => l.protocol,
        };
        let port = match change.port {
            Some(p) => listener_port(p)?,
            None => l.port,
        };
        let tg_arn = if change.default_actions.is_empty() {
            l.target_group_arn.to_string()
        } else {
            forward_target(&change.default_actions)?
        };
        let target_group_arn = self.check_forward(caller, &lb, protocol, &tg_arn)?;
        let certificates = if change.certificates.is_empty() {
            l.certificates.clone()
        } else {
            change.certificates.clone()
        };
        check_certificates(protocol, &certificates)?;
        let ssl_policy = match (protocol, &change.ssl_policy) {
            (ElbProtocol::Tls, Some(p)) => {
                check_ssl_policy(p)?;
                Some(p.clone())
            }
            (ElbProtocol::Tls, None) => l
                .ssl_policy
                .clone()
                .or_else(|| Some(DEFAULT_SSL_POLICY.to_owned())),
            (_, Some(_)) => {
                return Err(validation(
                    "An SSL policy can only be given for TLS listeners",
                ));
            }
            (_, None) => None,
        };
        if self
            .listeners_of(&lb)
            .any(|o| o.port == port && o.arn != l.arn)
        {
            return Err(elb_error(
                "DuplicateListener",
                format!("A listener already exists on port {port} of this load balancer"),
            ));
        }
        if let Some(x) = self.listeners.get_mut(&l.arn) {
            x.protocol = protocol;
            x.port = port;
            x.target_group_arn = target_group_arn;
            x.certificates = if protocol == ElbProtocol::Tls {
                certificates
            } else {
                Vec::new()
            };
            x.ssl_policy = ssl_policy;
            if !change.alpn_policy.is_empty() {
                x.alpn_policy = change.alpn_policy.clone();
            }
        }
        Ok(())
    }

    /// DeleteListener.
    pub fn delete_listener(&mut self, caller: &Caller, arn: &str) -> Result<()> {
        let key = self.owned_listener(caller, arn)?.arn.clone();
        self.listeners.shift_remove(&key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_compatibility() {
        use ElbProtocol::*;
        assert!(compatible(Tcp, Tcp) && compatible(Tcp, TcpUdp));
        assert!(compatible(Tls, Tcp) && compatible(Tls, Tls));
        assert!(compatible(Udp, Udp) && compatible(Udp, TcpUdp));
        assert!(compatible(TcpUdp, TcpUdp));
        assert!(!compatible(Tcp, Udp) && !compatible(Udp, Tcp) && !compatible(TcpUdp, Tcp));
        assert!(!compatible(Tcp, Tls));
    }

    #[test]
    fn default_actions_name_one_target_group() {
        let fwd = |arn: &str| ListenerAction {
            action_type: "forward".into(),
            target_group_arn: Some(arn.into()),
            ..Default::default()
        };
        assert_eq!(forward_target(&[fwd("a")]).unwrap(), "a");
        let same = ListenerAction {
            forward_target_group_arns: vec!["a".into()],
            ..fwd("a")
        };
        assert_eq!(forward_target(&[same]).unwrap(), "a");
        let two = ListenerAction {
            forward_target_group_arns: vec!["b".into()],
            ..fwd("a")
        };
        assert_eq!(
            forward_target(&[two]).unwrap_err().code(),
            "InvalidLoadBalancerAction"
        );
        assert_eq!(forward_target(&[]).unwrap_err().code(), "ValidationError");
        assert_eq!(
            forward_target(&[fwd("a"), fwd("b")]).unwrap_err().code(),
            "TooManyActions"
        );
        let fixed = ListenerAction {
            action_type: "fixed-response".into(),
            ..Default::default()
        };
        assert_eq!(
            forward_target(&[fixed]).unwrap_err().code(),
            "InvalidLoadBalancerAction"
        );
    }
}
