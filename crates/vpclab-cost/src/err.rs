//! What can be wrong with a cost question: each variant is one AWS error code, so the
//! server answers it as AWS would answer a bad request, and nothing changes.

/// A question the estimate cannot answer as asked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CostError {
    /// A value is out of range or names nothing the caller owns (`InvalidParameterValue`).
    #[error("{0}")]
    InvalidParameterValue(String),
    /// The request does not read as a cost question (`InvalidRequest`).
    #[error("{0}")]
    InvalidRequest(String),
}

impl CostError {
    /// AWS's error code.
    pub fn code(&self) -> &'static str {
        match self {
            CostError::InvalidParameterValue(_) => "InvalidParameterValue",
            CostError::InvalidRequest(_) => "InvalidRequest",
        }
    }

    pub(crate) fn value(message: impl Into<String>) -> CostError {
        CostError::InvalidParameterValue(message.into())
    }
}
