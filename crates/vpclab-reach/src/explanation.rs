//! AWS Reachability Analyzer's explanation codes: why a path is not reachable.
//! We use AWS's codes and invent none where one exists.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An explanation code from AWS Reachability Analyzer's published set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum ExplanationCode {
    BadState,
    BadStateAttachment,
    BadStateRoute,
    Elbv2ListenerHasNoTg,
    Elbv2ListenerPortRestriction,
    Elbv2ListenersMismatch,
    Elbv2NoTargetsInAz,
    EniAddressRestriction,
    EniSgRulesMismatch,
    EniSourceDestCheckRestriction,
    IgwDestinationAddressNotInRfc1918Egress,
    IgwPrivateIpAssociationForIngress,
    IgwPublicIpAssociationForEgress,
    IgwSourceAddressNotInRfc1918Ingress,
    NgwRequiresSourceInVpc,
    NoPossibleDestination,
    NoRouteToDestination,
    PcxRequiresAddressInVpcCidr,
    ProtocolRestriction,
    SgHasNoRules,
    SubnetAclRestriction,
    UnknownDestination,
    VpcLocalRouteCidrRestriction,
    VpceGatewayProtocolRestriction,
    VpceServiceNotInstalledInAz,
}

impl ExplanationCode {
    /// The code as AWS spells it (`NO_ROUTE_TO_DESTINATION`).
    pub fn as_str(self) -> &'static str {
        match self {
            ExplanationCode::BadState => "BAD_STATE",
            ExplanationCode::BadStateAttachment => "BAD_STATE_ATTACHMENT",
            ExplanationCode::BadStateRoute => "BAD_STATE_ROUTE",
            ExplanationCode::Elbv2ListenerHasNoTg => "ELBV2_LISTENER_HAS_NO_TG",
            ExplanationCode::Elbv2ListenerPortRestriction => "ELBV2_LISTENER_PORT_RESTRICTION",
            ExplanationCode::Elbv2ListenersMismatch => "ELBV2_LISTENERS_MISMATCH",
            ExplanationCode::Elbv2NoTargetsInAz => "ELBV2_NO_TARGETS_IN_AZ",
            ExplanationCode::EniAddressRestriction => "ENI_ADDRESS_RESTRICTION",
            ExplanationCode::EniSgRulesMismatch => "ENI_SG_RULES_MISMATCH",
            ExplanationCode::EniSourceDestCheckRestriction => "ENI_SOURCE_DEST_CHECK_RESTRICTION",
            ExplanationCode::IgwDestinationAddressNotInRfc1918Egress => {
                "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS"
            }
            ExplanationCode::IgwPrivateIpAssociationForIngress => {
                "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS"
            }
            ExplanationCode::IgwPublicIpAssociationForEgress => {
                "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS"
            }
            ExplanationCode::IgwSourceAddressNotInRfc1918Ingress => {
                "IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS"
            }
            ExplanationCode::NgwRequiresSourceInVpc => "NGW_REQUIRES_SOURCE_IN_VPC",
            ExplanationCode::NoPossibleDestination => "NO_POSSIBLE_DESTINATION",
            ExplanationCode::NoRouteToDestination => "NO_ROUTE_TO_DESTINATION",
            ExplanationCode::PcxRequiresAddressInVpcCidr => "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR",
            ExplanationCode::ProtocolRestriction => "PROTOCOL_RESTRICTION",
            ExplanationCode::SgHasNoRules => "SG_HAS_NO_RULES",
            ExplanationCode::SubnetAclRestriction => "SUBNET_ACL_RESTRICTION",
            ExplanationCode::UnknownDestination => "UNKNOWN_DESTINATION",
            ExplanationCode::VpcLocalRouteCidrRestriction => "VPC_LOCAL_ROUTE_CIDR_RESTRICTION",
            ExplanationCode::VpceGatewayProtocolRestriction => "VPCE_GATEWAY_PROTOCOL_RESTRICTION",
            ExplanationCode::VpceServiceNotInstalledInAz => "VPCE_SERVICE_NOT_INSTALLED_IN_AZ",
        }
    }

    /// AWS's one-line description of the code.
    pub fn description(self) -> &'static str {
        match self {
            ExplanationCode::BadState => "This component is not in a functional state.",
            ExplanationCode::BadStateAttachment => {
                "The attachment between these components is not in a functional state."
            }
            ExplanationCode::BadStateRoute => "This route is not in a functional state.",
            ExplanationCode::Elbv2ListenerHasNoTg => {
                "This listener is associated with target groups that have no targets."
            }
            ExplanationCode::Elbv2ListenerPortRestriction => {
                "This listener does not accept traffic unless it has the specified destination port."
            }
            ExplanationCode::Elbv2ListenersMismatch => {
                "This load balancer does not have a listener that accepts the traffic."
            }
            ExplanationCode::Elbv2NoTargetsInAz => {
                "The load balancer does not have targets in the specified Availability Zones."
            }
            ExplanationCode::EniAddressRestriction => {
                "This network interface does not allow inbound or outbound traffic unless the source or destination address matches its private IP address."
            }
            ExplanationCode::EniSgRulesMismatch => {
                "This security group has no inbound or outbound rules that apply."
            }
            ExplanationCode::EniSourceDestCheckRestriction => {
                "Network interfaces with source/destination check enabled reject inbound traffic if the destination address does not match one of its private IP addresses, and reject outbound traffic if the source address does not match one of their private IP addresses."
            }
            ExplanationCode::IgwDestinationAddressNotInRfc1918Egress => {
                "Internet gateways reject outbound traffic with destination addresses in the private IP address range (see RFC1918)."
            }
            ExplanationCode::IgwPrivateIpAssociationForIngress => {
                "Internet gateways reject inbound traffic with a destination address that is not the public IP address of a network interface in the VPC with an available attachment."
            }
            ExplanationCode::IgwPublicIpAssociationForEgress => {
                "Traffic can't reach the internet through the internet gateway if the source address is not paired with a public IP address or if the source address does not belong to a network interface in the VPC with an available attachment."
            }
            ExplanationCode::IgwSourceAddressNotInRfc1918Ingress => {
                "Internet gateways reject inbound traffic with source addresses in the private IP address range (see RFC1918)."
            }
            ExplanationCode::NgwRequiresSourceInVpc => {
                "NAT gateways can only transmit traffic that originates from network interfaces within the same VPC. NAT gateways can't transmit traffic that originates from peering connections, VPN connections, or AWS Direct Connect."
            }
            ExplanationCode::NoPossibleDestination => {
                "The network component can't deliver the packet to any possible destination."
            }
            ExplanationCode::NoRouteToDestination => {
                "The route table does not have an applicable route to the destination resource."
            }
            ExplanationCode::PcxRequiresAddressInVpcCidr => {
                "Traffic can traverse this peering connection only if the destination or source address is within the CIDR block of the destination VPC."
            }
            ExplanationCode::ProtocolRestriction => {
                "This component only accepts traffic with specific protocols."
            }
            ExplanationCode::SgHasNoRules => {
                "This security group has no inbound or outbound rules."
            }
            ExplanationCode::SubnetAclRestriction => {
                "Inbound or outbound traffic for a subnet must be admitted by the network ACL for the subnet."
            }
            ExplanationCode::UnknownDestination => {
                "The path can't be extended because the information about the destination is insufficient."
            }
            ExplanationCode::VpcLocalRouteCidrRestriction => {
                "Local routes apply only to packets with a destination address within the VPC CIDR block."
            }
            ExplanationCode::VpceGatewayProtocolRestriction => {
                "VPC gateway endpoints accept only TCP or ICMP ECHO traffic, and emit only TCP or ICMP ECHO reply traffic."
            }
            ExplanationCode::VpceServiceNotInstalledInAz => {
                "The VPC endpoint service is not installed in the specified Availability Zone."
            }
        }
    }
}

impl fmt::Display for ExplanationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
