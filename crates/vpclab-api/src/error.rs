//! AWS errors as the wire carries them: a code, a message, an HTTP status, and the
//! protocol's XML shape.

use std::borrow::Cow;

use crate::ec2::wire::{QueryError, escape_into};

/// An error answered to a client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// AWS's code (`InvalidVpcID.NotFound`).
    pub code: Cow<'static, str>,
    /// The message.
    pub message: String,
    /// The HTTP status (400 for client errors, 500 for ours).
    pub status: u16,
}

impl ApiError {
    /// A client error (400).
    pub fn new(code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> ApiError {
        ApiError {
            code: code.into(),
            message: message.into(),
            status: 400,
        }
    }

    /// Our failure (500 `InternalError`); the client may retry.
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError {
            code: "InternalError".into(),
            message: message.into(),
            status: 500,
        }
    }

    /// The action is not one this service offers (`InvalidAction`).
    pub fn invalid_action(action: &str) -> ApiError {
        ApiError::new(
            "InvalidAction",
            format!("The action {action} is not valid for this web service."),
        )
    }

    /// `DryRunOperation`: the request would have succeeded (HTTP 412, as AWS answers).
    pub fn dry_run() -> ApiError {
        ApiError {
            code: "DryRunOperation".into(),
            message: "Request would have succeeded, but DryRun flag is set.".into(),
            status: 412,
        }
    }

    /// `InvalidParameterValue`.
    pub fn invalid_value(message: impl Into<String>) -> ApiError {
        ApiError::new("InvalidParameterValue", message)
    }

    /// EC2's error document.
    pub fn ec2_xml(&self, request_id: &str) -> String {
        let mut out = String::with_capacity(256);
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>");
        escape_into(&self.code, &mut out);
        out.push_str("</Code><Message>");
        escape_into(&self.message, &mut out);
        out.push_str("</Message></Error></Errors><RequestID>");
        out.push_str(request_id);
        out.push_str("</RequestID></Response>");
        out
    }

    /// The query protocol's error document (STS, ELBv2).
    pub fn query_xml(&self, namespace: &str, request_id: &str) -> String {
        let mut out = String::with_capacity(256);
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse xmlns=\"");
        out.push_str(namespace);
        out.push_str("\"><Error><Type>");
        out.push_str(if self.status >= 500 {
            "Receiver"
        } else {
            "Sender"
        });
        out.push_str("</Type><Code>");
        escape_into(&self.code, &mut out);
        out.push_str("</Code><Message>");
        escape_into(&self.message, &mut out);
        out.push_str("</Message></Error><RequestId>");
        out.push_str(request_id);
        out.push_str("</RequestId></ErrorResponse>");
        out
    }
}

impl From<vpclab_model::Error> for ApiError {
    fn from(e: vpclab_model::Error) -> Self {
        ApiError::new(e.code(), e.to_string())
    }
}

impl From<QueryError> for ApiError {
    fn from(e: QueryError) -> Self {
        match e {
            QueryError::Missing(_) => ApiError::new("MissingParameter", e.to_string()),
            QueryError::Invalid { .. } => ApiError::new("InvalidParameterValue", e.to_string()),
        }
    }
}

impl From<vpclab_store::StoreError> for ApiError {
    fn from(e: vpclab_store::StoreError) -> Self {
        ApiError::internal(format!("The lab could not save the change: {e}"))
    }
}
