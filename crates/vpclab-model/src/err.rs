//! Control-plane errors. Each variant maps to one AWS error code; the message is the
//! one AWS writes where we know it.

use std::fmt;

/// The kind of a resource, used to spell AWS's "not found" and "malformed" codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A VPC.
    Vpc,
    /// A subnet.
    Subnet,
    /// A route table.
    RouteTable,
    /// An association (route table, network ACL, VPC CIDR or Elastic IP).
    Association,
    /// An internet gateway.
    InternetGateway,
    /// An egress-only internet gateway.
    EgressOnlyInternetGateway,
    /// A gateway named as a route target (`GatewayId`).
    Gateway,
    /// An Elastic IP allocation.
    Allocation,
    /// An Elastic IP address named by its address.
    Address,
    /// A NAT gateway (as a route target).
    NatGatewayTarget,
    /// A NAT gateway (in its own API).
    NatGateway,
    /// A network interface.
    NetworkInterface,
    /// A network interface attachment.
    Attachment,
    /// An instance.
    Instance,
    /// A security group.
    SecurityGroup,
    /// A security group rule.
    SecurityGroupRule,
    /// A network ACL.
    NetworkAcl,
    /// A managed prefix list.
    PrefixList,
    /// A VPC endpoint.
    VpcEndpoint,
    /// A VPC endpoint service (`vpce-svc-…`).
    VpcEndpointService,
    /// A VPC peering connection.
    VpcPeeringConnection,
    /// An availability zone.
    AvailabilityZone,
    /// A flow log.
    FlowLog,
    /// A network insights path.
    NetworkInsightsPath,
    /// A network insights analysis.
    NetworkInsightsAnalysis,
}

impl Kind {
    /// AWS's code for "no such resource".
    pub fn not_found_code(self) -> &'static str {
        match self {
            Kind::Vpc => "InvalidVpcID.NotFound",
            Kind::Subnet => "InvalidSubnetID.NotFound",
            Kind::RouteTable => "InvalidRouteTableID.NotFound",
            Kind::Association => "InvalidAssociationID.NotFound",
            Kind::InternetGateway => "InvalidInternetGatewayID.NotFound",
            Kind::EgressOnlyInternetGateway => "InvalidEgressOnlyInternetGatewayId.NotFound",
            Kind::Gateway => "InvalidGatewayID.NotFound",
            Kind::Allocation => "InvalidAllocationID.NotFound",
            Kind::Address => "InvalidAddress.NotFound",
            Kind::NatGatewayTarget => "InvalidNatGatewayID.NotFound",
            Kind::NatGateway => "NatGatewayNotFound",
            Kind::NetworkInterface => "InvalidNetworkInterfaceID.NotFound",
            Kind::Attachment => "InvalidAttachmentID.NotFound",
            Kind::Instance => "InvalidInstanceID.NotFound",
            Kind::SecurityGroup => "InvalidGroup.NotFound",
            Kind::SecurityGroupRule => "InvalidSecurityGroupRuleId.NotFound",
            Kind::NetworkAcl => "InvalidNetworkAclID.NotFound",
            Kind::PrefixList => "InvalidPrefixListID.NotFound",
            Kind::VpcEndpoint => "InvalidVpcEndpointId.NotFound",
            Kind::VpcEndpointService => "InvalidVpcEndpointServiceId.NotFound",
            Kind::VpcPeeringConnection => "InvalidVpcPeeringConnectionID.NotFound",
            Kind::AvailabilityZone => "InvalidParameterValue",
            Kind::FlowLog => "InvalidFlowLogId.NotFound",
            Kind::NetworkInsightsPath => "InvalidNetworkInsightsPathId.NotFound",
            Kind::NetworkInsightsAnalysis => "InvalidNetworkInsightsAnalysisId.NotFound",
        }
    }

    /// AWS's code for an id of the wrong shape.
    pub fn malformed_code(self) -> &'static str {
        match self {
            Kind::Vpc => "InvalidVpcID.Malformed",
            Kind::Subnet => "InvalidSubnetID.Malformed",
            Kind::RouteTable => "InvalidRouteTableId.Malformed",
            Kind::Association => "InvalidAssociationID.Malformed",
            Kind::InternetGateway => "InvalidInternetGatewayId.Malformed",
            Kind::EgressOnlyInternetGateway => "InvalidEgressOnlyInternetGatewayId.Malformed",
            Kind::Gateway => "InvalidGatewayId.Malformed",
            Kind::Allocation => "InvalidAllocationID.Malformed",
            Kind::Address => "InvalidAddress.Malformed",
            Kind::NatGatewayTarget => "InvalidNatGatewayID.Malformed",
            // AWS's NAT gateway API spells its pair without the `Invalid…ID.` form:
            // `NatGatewayNotFound` and `NatGatewayMalformed`.
            Kind::NatGateway => "NatGatewayMalformed",
            Kind::NetworkInterface => "InvalidNetworkInterfaceID.Malformed",
            Kind::Attachment => "InvalidAttachmentID.Malformed",
            Kind::Instance => "InvalidInstanceID.Malformed",
            Kind::SecurityGroup => "InvalidGroupId.Malformed",
            Kind::SecurityGroupRule => "InvalidSecurityGroupRuleId.Malformed",
            Kind::NetworkAcl => "InvalidNetworkAclID.Malformed",
            Kind::PrefixList => "InvalidPrefixListId.Malformed",
            Kind::VpcEndpoint => "InvalidVpcEndpointId.Malformed",
            // AWS's spelling, doubled `Id` and all.
            Kind::VpcEndpointService => "InvalidVpcEndpointServiceIdId.Malformed",
            Kind::VpcPeeringConnection => "InvalidVpcPeeringConnectionId.Malformed",
            Kind::AvailabilityZone => "InvalidParameterValue",
            Kind::FlowLog => "InvalidFlowLogId.Malformed",
            Kind::NetworkInsightsPath => "InvalidNetworkInsightsPathId.Malformed",
            Kind::NetworkInsightsAnalysis => "InvalidNetworkInsightsAnalysisId.Malformed",
        }
    }

    /// How AWS names this kind inside its "does not exist" messages.
    fn message_name(self) -> &'static str {
        match self {
            Kind::Vpc => "vpc ID",
            Kind::Subnet => "subnet ID",
            Kind::RouteTable => "routeTable ID",
            Kind::Association => "association ID",
            Kind::InternetGateway => "internetGateway ID",
            Kind::EgressOnlyInternetGateway => "egressOnlyInternetGateway ID",
            Kind::Gateway => "gateway ID",
            Kind::Allocation => "allocation ID",
            Kind::Address => "address",
            Kind::NatGatewayTarget | Kind::NatGateway => "natGateway ID",
            Kind::NetworkInterface => "networkInterface ID",
            Kind::Attachment => "attachment ID",
            Kind::Instance => "instance ID",
            Kind::SecurityGroup => "security group",
            Kind::SecurityGroupRule => "security group rule ID",
            Kind::NetworkAcl => "networkAcl ID",
            Kind::PrefixList => "prefix list ID",
            Kind::VpcEndpoint => "Vpc Endpoint Id",
            Kind::VpcEndpointService => "VpcEndpointService Id",
            Kind::VpcPeeringConnection => "vpcPeeringConnection ID",
            Kind::AvailabilityZone => "availability zone",
            Kind::FlowLog => "flow log ID",
            Kind::NetworkInsightsPath => "network insights path ID",
            Kind::NetworkInsightsAnalysis => "network insights analysis ID",
        }
    }
}

/// An error from a control-plane operation. The operation left the lab unchanged.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The named resource does not exist (for this account and region).
    #[error("The {} '{id}' does not exist", kind.message_name())]
    NotFound {
        /// What kind of resource was named.
        kind: Kind,
        /// The id as given.
        id: String,
    },
    /// An id does not have the shape of its kind.
    #[error("Invalid id: \"{id}\"")]
    Malformed {
        /// What kind of id was expected.
        kind: Kind,
        /// The id as given.
        id: String,
    },
    /// A parameter has a value AWS does not accept.
    #[error("{0}")]
    InvalidParameterValue(String),
    /// Parameters that cannot be given together, or a needed one missing from a set.
    #[error("{0}")]
    InvalidParameterCombination(String),
    /// A required parameter is missing.
    #[error("The request must contain the parameter {0}")]
    MissingParameter(String),
    /// Something still depends on the resource.
    #[error("{0}")]
    DependencyViolation(String),
    /// A VPC CIDR block is not a valid size or range (`InvalidVpc.Range`).
    #[error("The CIDR '{0}' is invalid.")]
    InvalidVpcRange(String),
    /// A subnet CIDR block is outside the VPC or not /16–/28 (`InvalidSubnet.Range`).
    #[error("The CIDR '{0}' is invalid.")]
    InvalidSubnetRange(String),
    /// A subnet CIDR block overlaps another subnet (`InvalidSubnet.Conflict`).
    #[error("The CIDR '{0}' conflicts with another subnet")]
    InvalidSubnetConflict(String),
    /// A CIDR block to add overlaps one the VPC has (`CidrConflict`).
    #[error("{0}")]
    CidrConflict(String),
    /// A route with the same destination exists (`RouteAlreadyExists`).
    #[error("The route identified by {0} already exists.")]
    RouteAlreadyExists(String),
    /// No route with that destination (`InvalidRoute.NotFound`).
    #[error("no route with destination-cidr-block {destination} in route table {route_table}")]
    RouteNotFound {
        /// The destination asked for.
        destination: String,
        /// The table searched.
        route_table: String,
    },
    /// The route's target cannot be used that way (`InvalidRoute.InvalidState`).
    #[error("{0}")]
    RouteInvalidState(String),
    /// The resource is already associated or attached (`Resource.AlreadyAssociated`).
    #[error("{0}")]
    AlreadyAssociated(String),
    /// A gateway is not attached to the VPC named, or the VPC has none (`Gateway.NotAttached`).
    #[error("{0}")]
    GatewayNotAttached(String),
    /// A security group name is taken in this VPC (`InvalidGroup.Duplicate`).
    #[error("The security group '{name}' already exists for VPC '{vpc}'")]
    GroupDuplicate {
        /// The name.
        name: String,
        /// The VPC.
        vpc: String,
    },
    /// `default` is not a name users may give a security group (`InvalidGroup.Reserved`).
    #[error("The security group 'default' is reserved")]
    GroupReserved,
    /// The default security group cannot be deleted (`CannotDelete`).
    #[error("the specified group: \"{0}\" name: \"default\" cannot be deleted by a user")]
    CannotDelete(String),
    /// A security group rule already exists (`InvalidPermission.Duplicate`).
    #[error("the specified rule \"{0}\" already exists")]
    PermissionDuplicate(String),
    /// No such security group rule (`InvalidPermission.NotFound`).
    #[error("The specified rule does not exist in this security group.")]
    PermissionNotFound,
    /// A network ACL entry number is taken (`NetworkAclEntryAlreadyExists`).
    #[error("The network acl entry identified by {0} already exists.")]
    NetworkAclEntryAlreadyExists(u16),
    /// No network ACL entry with that number (`InvalidNetworkAclEntry.NotFound`).
    #[error("The network acl entry identified by {0} does not exist.")]
    NetworkAclEntryNotFound(u16),
    /// The address is taken or in use (`InvalidIPAddress.InUse`).
    #[error("{0}")]
    IpAddressInUse(String),
    /// The subnet has no free address (`InsufficientFreeAddressesInSubnet`).
    #[error(
        "There are not enough free addresses in subnet '{0}' to satisfy the requested number of instances."
    )]
    InsufficientFreeAddressesInSubnet(String),
    /// The resource is in the wrong state for this call (`IncorrectState`).
    #[error("{0}")]
    IncorrectState(String),
    /// The instance is in the wrong state for this call (`IncorrectInstanceState`).
    #[error("{0}")]
    IncorrectInstanceState(String),
    /// The peering connection cannot move to the asked state (`InvalidStateTransition`).
    #[error("Invalid state transition for {id}, attempted to transition from {from} to {to}")]
    InvalidStateTransition {
        /// The peering connection.
        id: String,
        /// Its state now.
        from: String,
        /// The state asked for.
        to: String,
    },
    /// The caller may not do this to this resource (`OperationNotPermitted`).
    #[error("{0}")]
    OperationNotPermitted(String),
    /// The caller is not authorized for this resource (`UnauthorizedOperation`).
    #[error("You are not authorized to perform this operation. {0}")]
    Unauthorized(String),
    /// The service name is not a known endpoint service (`InvalidServiceName`).
    #[error("The Vpc Endpoint Service '{0}' does not exist")]
    InvalidServiceName(String),
    /// The endpoint already routes this service in that route table (`RouteAlreadyExists`
    /// is what AWS answers; kept apart to give the endpoint's own message).
    #[error(
        "route table {route_table} already has a route with destination-prefix-list-id {prefix_list}"
    )]
    EndpointRouteConflict {
        /// The route table.
        route_table: String,
        /// The service's prefix list.
        prefix_list: String,
    },
    /// A quota was reached (`<Resource>LimitExceeded`).
    #[error("{message}")]
    LimitExceeded {
        /// AWS's code, such as `VpcLimitExceeded`.
        code: &'static str,
        /// The message.
        message: String,
    },
    /// Any other AWS error, with its code.
    #[error("{message}")]
    Coded {
        /// AWS's code, such as `InvalidAMIID.Malformed`.
        code: &'static str,
        /// The message.
        message: String,
    },
    /// A prefix list's entries conflict or exceed its size (`PrefixListMaxEntriesExceeded`…).
    #[error("{0}")]
    PrefixListVersionMismatch(String),
    /// The default VPC exists already (`DefaultVpcAlreadyExists`).
    #[error("A Default VPC already exists for this account in this region.")]
    DefaultVpcAlreadyExists,
}

impl Error {
    /// AWS's error code for this error, as it appears on the wire.
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotFound { kind, .. } => kind.not_found_code(),
            Error::Malformed { kind, .. } => kind.malformed_code(),
            Error::InvalidParameterValue(_) => "InvalidParameterValue",
            Error::InvalidParameterCombination(_) => "InvalidParameterCombination",
            Error::MissingParameter(_) => "MissingParameter",
            Error::DependencyViolation(_) => "DependencyViolation",
            Error::InvalidVpcRange(_) => "InvalidVpc.Range",
            Error::InvalidSubnetRange(_) => "InvalidSubnet.Range",
            Error::InvalidSubnetConflict(_) => "InvalidSubnet.Conflict",
            Error::CidrConflict(_) => "CidrConflict",
            Error::RouteAlreadyExists(_) | Error::EndpointRouteConflict { .. } => {
                "RouteAlreadyExists"
            }
            Error::RouteNotFound { .. } => "InvalidRoute.NotFound",
            Error::RouteInvalidState(_) => "InvalidRoute.InvalidState",
            Error::AlreadyAssociated(_) => "Resource.AlreadyAssociated",
            Error::GatewayNotAttached(_) => "Gateway.NotAttached",
            Error::GroupDuplicate { .. } => "InvalidGroup.Duplicate",
            Error::GroupReserved => "InvalidGroup.Reserved",
            Error::CannotDelete(_) => "CannotDelete",
            Error::PermissionDuplicate(_) => "InvalidPermission.Duplicate",
            Error::PermissionNotFound => "InvalidPermission.NotFound",
            Error::NetworkAclEntryAlreadyExists(_) => "NetworkAclEntryAlreadyExists",
            Error::NetworkAclEntryNotFound(_) => "InvalidNetworkAclEntry.NotFound",
            Error::IpAddressInUse(_) => "InvalidIPAddress.InUse",
            Error::InsufficientFreeAddressesInSubnet(_) => "InsufficientFreeAddressesInSubnet",
            Error::IncorrectState(_) => "IncorrectState",
            Error::IncorrectInstanceState(_) => "IncorrectInstanceState",
            Error::InvalidStateTransition { .. } => "InvalidStateTransition",
            Error::OperationNotPermitted(_) => "OperationNotPermitted",
            Error::Unauthorized(_) => "UnauthorizedOperation",
            Error::InvalidServiceName(_) => "InvalidServiceName",
            Error::LimitExceeded { code, .. } | Error::Coded { code, .. } => code,
            Error::PrefixListVersionMismatch(_) => "PrefixListVersionMismatch",
            Error::DefaultVpcAlreadyExists => "DefaultVpcAlreadyExists",
        }
    }

    /// "No such resource" for `id` of kind `kind`.
    pub fn not_found(kind: Kind, id: impl fmt::Display) -> Self {
        Error::NotFound {
            kind,
            id: id.to_string(),
        }
    }

    /// `InvalidParameterValue` with AWS's usual "Value (x) for parameter y is invalid." text.
    pub fn invalid_value(parameter: &str, value: impl fmt::Display, why: &str) -> Self {
        let mut message = format!("Value ({value}) for parameter {parameter} is invalid.");
        if !why.is_empty() {
            message.push(' ');
            message.push_str(why);
        }
        Error::InvalidParameterValue(message)
    }
}

/// The result of a control-plane operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_spells_aws_code_and_message() {
        let e = Error::not_found(Kind::Vpc, "vpc-12345678");
        assert_eq!(e.code(), "InvalidVpcID.NotFound");
        assert_eq!(e.to_string(), "The vpc ID 'vpc-12345678' does not exist");
        let e = Error::not_found(Kind::SecurityGroup, "sg-12345678");
        assert_eq!(e.code(), "InvalidGroup.NotFound");
        assert_eq!(
            e.to_string(),
            "The security group 'sg-12345678' does not exist"
        );
    }

    #[test]
    fn invalid_value_message() {
        let e = Error::invalid_value("cidrBlock", "10.0.0.0/8", "");
        assert_eq!(e.code(), "InvalidParameterValue");
        assert_eq!(
            e.to_string(),
            "Value (10.0.0.0/8) for parameter cidrBlock is invalid."
        );
    }
}
