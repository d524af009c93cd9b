//! What happens to one connection an instance opens: the reach engine's trace, and where
//! the lab sends an admitted connection. Pure: the lab in, a decision out — so the proxy
//! enforces exactly what `vpclab reach` answers for the same flow.

use std::net::{IpAddr, SocketAddr};

pub use vpclab_model::PORT_TAG_PREFIX;
use vpclab_model::{InstanceId, Lab, Region};
use vpclab_reach::{Delivery, Destination, Flow, RequestContext, Source, Trace};

/// Where an admitted connection goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// An AWS service the lab serves (S3), with the request context the trace computed.
    Service {
        /// The service (`s3`).
        service: String,
        /// Its region.
        region: Region,
        /// The policy context keys of requests arriving this way.
        context: RequestContext,
    },
    /// Another instance's port, bound to this host address.
    Bound {
        /// The instance.
        instance_id: String,
        /// The host address its port is bound to.
        address: SocketAddr,
        /// What the connection starts with: a load balancer's PROXY protocol v2 header,
        /// or nothing.
        preamble: Vec<u8>,
    },
    /// An instance (or interface) that passes the flow but has nothing bound to the port:
    /// a closed port.
    Unbound {
        /// What was reached (an instance or a network interface id).
        reached: String,
        /// The port.
        port: u16,
    },
    /// The internet: in the lab, the echo service, which sees this source address.
    Internet {
        /// The public address connected to.
        address: IpAddr,
        /// The source address the far end sees (a public IP, a NAT's Elastic IP).
        seen_source: IpAddr,
    },
}

/// The decision on one connection.
#[derive(Clone, Debug)]
pub struct Decision {
    /// The trace (delivered or dropped, and why).
    pub trace: Trace,
    /// Where the connection goes, when admitted.
    pub target: Option<Target>,
}

impl Decision {
    /// Whether the connection is admitted.
    pub fn admitted(&self) -> bool {
        self.target.is_some()
    }

    /// Why the connection is refused, in one line (the trace's explanation and code).
    pub fn explanation(&self) -> Option<String> {
        let refusal = self.trace.refusal()?;
        Some(format!(
            "{} at {}: {}",
            refusal.code.as_str(),
            refusal.component,
            refusal.explanation
        ))
    }
}

/// Decides a TCP connection from `instance` to `host:port`, `host` a name (resolved as the
/// instance's VPC resolves it) or an address.
pub fn decide(lab: &Lab, instance: &InstanceId, host: &str, port: u16) -> Decision {
    let flow = Flow::tcp(
        Source::Instance(instance.clone()),
        Destination::from(host.trim_start_matches('[').trim_end_matches(']')),
        port,
    );
    let trace = vpclab_reach::trace(lab, &flow);
    let target = trace
        .delivery()
        .map(|delivery| target_of(lab, &trace, delivery, port));
    Decision { trace, target }
}

fn target_of(lab: &Lab, trace: &Trace, delivery: &Delivery, port: u16) -> Target {
    match delivery {
        Delivery::AwsService {
            service, region, ..
        } => Target::Service {
            service: service.clone(),
            region: *region,
            context: trace.context.clone().unwrap_or_default(),
        },
        Delivery::Internet {
            address,
            seen_source,
        } => Target::Internet {
            address: *address,
            seen_source: *seen_source,
        },
        Delivery::NetworkInterface {
            network_interface_id,
            instance_id,
            ..
        } => bound_port(
            lab,
            network_interface_id,
            instance_id.as_deref(),
            port,
            Vec::new(),
        ),
        Delivery::LoadBalancerTarget {
            network_interface_id,
            instance_id,
            address,
            port: target_port,
            proxy_protocol_v2,
            client,
            vpc_endpoint_id,
            ..
        } => {
            // A header that cannot be built (never, for addresses of one family) leaves
            // the connection without one rather than refusing it.
            let preamble = if *proxy_protocol_v2 {
                crate::proxy_protocol::header(
                    SocketAddr::new(client.0, client.1),
                    SocketAddr::new(*address, *target_port),
                    vpc_endpoint_id.as_deref(),
                )
                .unwrap_or_default()
            } else {
                Vec::new()
            };
            bound_port(
                lab,
                network_interface_id,
                instance_id.as_deref(),
                *target_port,
                preamble,
            )
        }
    }
}

/// Where a connection to `port` of an instance (or a bare interface) goes: the host
/// address the tag `vpclab:port:<port>` binds it to, or nowhere.
fn bound_port(
    lab: &Lab,
    network_interface_id: &str,
    instance_id: Option<&str>,
    port: u16,
    preamble: Vec<u8>,
) -> Target {
    let bound = lab.port_binding(instance_id, Some(network_interface_id), port);
    let reached = instance_id.unwrap_or(network_interface_id).to_owned();
    match bound {
        Some(address) => Target::Bound {
            instance_id: reached,
            address,
            preamble,
        },
        None => Target::Unbound { reached, port },
    }
}
