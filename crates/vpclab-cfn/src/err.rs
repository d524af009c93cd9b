//! The ways a template can be refused, worded as CloudFormation words them where we know it.

/// Why a template, its parameters or one of its values was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CfnError {
    /// The text is neither JSON nor YAML.
    #[error("Template format error: {0}")]
    Syntax(String),
    /// The text parses but is not a CloudFormation template (a section of the wrong shape, …).
    #[error("Template format error: {0}")]
    Format(String),
    /// The template declares a `Transform`, which vpclab does not expand.
    #[error("vpclab does not expand transforms: the template declares Transform {0}")]
    Transform(String),
    /// Parameters without a value and without a default.
    #[error("Parameters: [{}] must have values", .0.join(", "))]
    MissingParameters(Vec<String>),
    /// Values given for parameters the template does not declare.
    #[error("Parameters: [{}] do not exist in the template", .0.join(", "))]
    UnknownParameters(Vec<String>),
    /// A parameter's value breaks one of its constraints.
    #[error("Parameter '{name}' {message}")]
    InvalidParameter {
        /// The parameter's logical name.
        name: String,
        /// What is wrong, e.g. "must be one of AllowedValues".
        message: String,
    },
    /// An `AWS::SSM::Parameter::Value<…>` parameter without a given value: vpclab has no SSM.
    #[error(
        "Parameter '{name}' of type {parameter_type} names an SSM parameter; vpclab does not read SSM, give the parameter's value"
    )]
    SsmParameter {
        /// The parameter's logical name.
        name: String,
        /// Its declared type.
        parameter_type: String,
    },
    /// A condition names a condition the template does not declare, or conditions refer to
    /// each other in a circle.
    #[error("Template format error: {0}")]
    Condition(String),
    /// References to names that are neither resources, parameters nor pseudo parameters.
    #[error(
        "Template format error: Unresolved resource dependencies [{}] in the Resources block of the template",
        .0.join(", ")
    )]
    UnresolvedDependencies(Vec<String>),
    /// Resources that depend on each other in a circle.
    #[error("Circular dependency between resources: [{}]", .0.join(", "))]
    CircularDependency(Vec<String>),
    /// An intrinsic function could not be evaluated.
    #[error("Template error: {}{message}", at.as_ref().map(|a| format!("{a}: ")).unwrap_or_default())]
    Intrinsic {
        /// Where: the resource's logical id, `Outputs.<name>` or `Conditions.<name>`; `None`
        /// when the value was resolved on its own.
        at: Option<String>,
        /// What went wrong, e.g. "Fn::Select cannot select nonexistent value at index 3".
        message: String,
    },
    /// Resource types vpclab does not model, refused before anything is applied.
    #[error(
        "vpclab does not model these resource types: [{}] (deploy with skip_unsupported to skip them)",
        .0.join(", ")
    )]
    Unsupported(Vec<String>),
    /// A resource's properties ask for something vpclab cannot do faithfully.
    #[error("{logical_id} ({resource_type}): {message}")]
    Property {
        /// The resource's logical id.
        logical_id: String,
        /// Its type.
        resource_type: String,
        /// What is wrong.
        message: String,
    },
    /// The lab refused an operation while creating or deleting a resource.
    #[error(
        "{logical_id} ({resource_type}): Resource handler returned message: \"{message}\" (Service: {operation}, ErrorCode: {code})"
    )]
    Resource {
        /// The resource's logical id.
        logical_id: String,
        /// Its type.
        resource_type: String,
        /// The model operation that failed, e.g. `CreateSubnet`.
        operation: String,
        /// AWS's error code, e.g. `InvalidSubnet.Range`.
        code: String,
        /// AWS's message.
        message: String,
    },
}

impl CfnError {
    /// An intrinsic function's failure, not yet placed in the template.
    pub(crate) fn intrinsic(message: impl Into<String>) -> Self {
        CfnError::Intrinsic {
            at: None,
            message: message.into(),
        }
    }

    /// Places an intrinsic function's failure at `at` (a logical id) unless already placed.
    pub(crate) fn at(self, place: &str) -> Self {
        match self {
            CfnError::Intrinsic { at: None, message } => CfnError::Intrinsic {
                at: Some(place.to_string()),
                message,
            },
            other => other,
        }
    }
}
