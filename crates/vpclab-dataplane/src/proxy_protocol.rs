//! PROXY protocol v2 headers, as a Network Load Balancer sends them to the targets of a
//! target group with `proxy_protocol_v2.enabled`: the client's address and port, and for
//! a connection that came through PrivateLink, the VPC endpoint's id in AWS's own TLV
//! (type `0xEA`, subtype `0x01`, then the id in ASCII).

use std::net::SocketAddr;

use ppp::v2::{Builder, Command, Protocol, Version};

/// AWS's TLV type (`PP2_TYPE_AWS`).
pub const PP2_TYPE_AWS: u8 = 0xEA;
/// AWS's subtype for the VPC endpoint id (`PP2_SUBTYPE_AWS_VPCE_ID`).
pub const PP2_SUBTYPE_AWS_VPCE_ID: u8 = 0x01;

/// The header a TCP connection from `source` to `destination` starts with.
pub fn header(
    source: SocketAddr,
    destination: SocketAddr,
    vpc_endpoint_id: Option<&str>,
) -> std::io::Result<Vec<u8>> {
    let mut builder = Builder::with_addresses(
        Version::Two | Command::Proxy,
        Protocol::Stream,
        (source, destination),
    );
    if let Some(id) = vpc_endpoint_id {
        let mut value = Vec::with_capacity(1 + id.len());
        value.push(PP2_SUBTYPE_AWS_VPCE_ID);
        value.extend_from_slice(id.as_bytes());
        builder = builder.write_tlv(PP2_TYPE_AWS, &value)?;
    }
    builder.build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ppp::v2::{Addresses, Header};

    #[test]
    fn carries_the_client_and_the_endpoint_id() {
        let client: SocketAddr = "10.1.1.5:49152".parse().unwrap();
        let target: SocketAddr = "10.0.1.9:8080".parse().unwrap();
        let bytes = header(client, target, Some("vpce-0a1b2c3d4e5f60718")).unwrap();
        let parsed = Header::try_from(bytes.as_slice()).unwrap();
        assert_eq!(parsed.command, Command::Proxy);
        match parsed.addresses {
            Addresses::IPv4(a) => {
                assert_eq!(a.source_address.to_string(), "10.1.1.5");
                assert_eq!((a.source_port, a.destination_port), (49152, 8080));
            }
            other => panic!("{other:?}"),
        }
        let tlvs: Vec<_> = parsed.tlvs().collect::<Result<_, _>>().unwrap();
        assert_eq!(tlvs.len(), 1);
        assert_eq!(tlvs[0].kind, PP2_TYPE_AWS);
        assert_eq!(tlvs[0].value[0], PP2_SUBTYPE_AWS_VPCE_ID);
        assert_eq!(&tlvs[0].value[1..], b"vpce-0a1b2c3d4e5f60718");
        assert_eq!(parsed.as_bytes().len(), bytes.len());
    }

    #[test]
    fn without_an_endpoint_there_is_no_tlv() {
        let bytes = header(
            "192.0.2.1:1000".parse().unwrap(),
            "10.0.1.9:80".parse().unwrap(),
            None,
        )
        .unwrap();
        let parsed = Header::try_from(bytes.as_slice()).unwrap();
        assert_eq!(parsed.tlvs().count(), 0);
        // 16 bytes of fixed header, 12 of IPv4 addresses and ports.
        assert_eq!(bytes.len(), 28);
    }
}
