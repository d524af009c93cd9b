//! The EC2 API: the query protocol, the shapes botocore describes, and the actions.

pub mod shapes;
pub mod wire;
