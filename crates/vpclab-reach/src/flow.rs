//! What is asked: a flow from a source to a destination, and the packet headers it becomes.

use std::fmt;
use std::net::{IpAddr, SocketAddr};

use serde::{Deserialize, Serialize};
use vpclab_model::{InstanceId, NetworkInterfaceId};

/// The source port a flow uses when none is given: the first IANA ephemeral port, inside
/// every common ephemeral range (Linux 32768–60999, Windows 49152–65535, NAT 1024–65535).
pub const DEFAULT_SOURCE_PORT: u16 = 49152;

/// A question: may this flow pass?
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flow {
    /// Where it starts.
    pub source: Source,
    /// Where it goes.
    pub destination: Destination,
    /// TCP, UDP or ICMP.
    pub protocol: Protocol,
    /// The destination port (for ICMP, the ICMP type: 8 is echo request).
    pub port: u16,
    /// The source port (for ICMP, the ICMP code).
    pub source_port: u16,
}

impl Flow {
    /// A TCP flow to `port`.
    pub fn tcp(source: Source, destination: Destination, port: u16) -> Flow {
        Flow {
            source,
            destination,
            protocol: Protocol::Tcp,
            port,
            source_port: DEFAULT_SOURCE_PORT,
        }
    }

    /// A UDP flow to `port`.
    pub fn udp(source: Source, destination: Destination, port: u16) -> Flow {
        Flow {
            source,
            destination,
            protocol: Protocol::Udp,
            port,
            source_port: DEFAULT_SOURCE_PORT,
        }
    }

    /// An ICMP echo request (ping).
    pub fn ping(source: Source, destination: Destination) -> Flow {
        Flow {
            source,
            destination,
            protocol: Protocol::Icmp,
            port: 8,
            source_port: 0,
        }
    }
}

/// Where a flow starts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Source {
    /// An instance (from its primary interface's primary address).
    Instance(InstanceId),
    /// A network interface (from its primary address).
    NetworkInterface(NetworkInterfaceId),
    /// A host on the internet with this address.
    Internet(IpAddr),
}

/// Where a flow goes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Destination {
    /// An address.
    Address(IpAddr),
    /// A name, resolved as the source's VPC resolves it.
    Name(String),
}

impl From<IpAddr> for Destination {
    fn from(ip: IpAddr) -> Self {
        Destination::Address(ip)
    }
}

impl From<&str> for Destination {
    fn from(s: &str) -> Self {
        match s.parse() {
            Ok(ip) => Destination::Address(ip),
            Err(_) => Destination::Name(s.to_owned()),
        }
    }
}

/// The transport protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Protocol {
    /// TCP (6).
    Tcp,
    /// UDP (17).
    Udp,
    /// ICMP (1) or ICMPv6 (58), by the address family.
    Icmp,
}

impl Protocol {
    /// The IP protocol number for a packet of this family.
    pub fn number(self, ipv6: bool) -> u8 {
        match self {
            Protocol::Tcp => 6,
            Protocol::Udp => 17,
            Protocol::Icmp if ipv6 => 58,
            Protocol::Icmp => 1,
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Icmp => "icmp",
        })
    }
}

/// A packet's header as a component sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Header {
    /// Source address.
    pub source: IpAddr,
    /// Destination address.
    pub destination: IpAddr,
    /// Transport protocol.
    pub protocol: Protocol,
    /// Source port (ICMP: code).
    pub source_port: u16,
    /// Destination port (ICMP: type).
    pub destination_port: u16,
}

impl Header {
    /// The IP protocol number.
    pub fn protocol_number(&self) -> u8 {
        self.protocol.number(self.destination.is_ipv6())
    }

    /// The reply to this packet: addresses and ports swapped (an ICMP echo request's reply
    /// is an echo reply, type 0).
    pub fn reply(&self) -> Header {
        match self.protocol {
            Protocol::Icmp => Header {
                source: self.destination,
                destination: self.source,
                protocol: self.protocol,
                source_port: 0,
                destination_port: if self.destination_port == 8 {
                    0
                } else {
                    self.destination_port
                },
            },
            _ => Header {
                source: self.destination,
                destination: self.source,
                protocol: self.protocol,
                source_port: self.destination_port,
                destination_port: self.source_port,
            },
        }
    }

    /// The same header with another source address.
    pub fn with_source(self, source: IpAddr) -> Header {
        Header { source, ..self }
    }

    /// The same header with another destination address.
    pub fn with_destination(self, destination: IpAddr) -> Header {
        Header {
            destination,
            ..self
        }
    }
}

impl fmt::Display for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.protocol {
            Protocol::Icmp => write!(
                f,
                "{} → {} icmp type {} code {}",
                self.source, self.destination, self.destination_port, self.source_port
            ),
            p => write!(
                f,
                "{} → {} {p}",
                SocketAddr::new(self.source, self.source_port),
                SocketAddr::new(self.destination, self.destination_port)
            ),
        }
    }
}
