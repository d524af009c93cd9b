//! Where a stack is deployed: the values of the pseudo parameters.

use serde_json::Value;

/// The stack's surroundings, for pseudo parameters (`AWS::Region`, …) and `Fn::GetAZs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    /// `AWS::Region`, e.g. `us-east-1`.
    pub region: String,
    /// `AWS::AccountId`.
    pub account_id: String,
    /// `AWS::StackName`.
    pub stack_name: String,
    /// `AWS::StackId`, an ARN.
    pub stack_id: String,
    /// The region's Availability Zones, in order, for `Fn::GetAZs`.
    pub availability_zones: Vec<String>,
}

/// Whether `name` is one of CloudFormation's pseudo parameters.
pub fn is_pseudo_parameter(name: &str) -> bool {
    matches!(
        name,
        "AWS::Region"
            | "AWS::AccountId"
            | "AWS::StackName"
            | "AWS::StackId"
            | "AWS::Partition"
            | "AWS::URLSuffix"
            | "AWS::NoValue"
            | "AWS::NotificationARNs"
    )
}

impl Context {
    /// The value of a pseudo parameter; `None` for `AWS::NoValue` (it removes what holds it)
    /// and for names that are not pseudo parameters.
    pub fn pseudo_parameter(&self, name: &str) -> Option<Value> {
        let text = |s: &str| Some(Value::String(s.to_string()));
        match name {
            "AWS::Region" => text(&self.region),
            "AWS::AccountId" => text(&self.account_id),
            "AWS::StackName" => text(&self.stack_name),
            "AWS::StackId" => text(&self.stack_id),
            // vpclab serves the commercial partition only.
            "AWS::Partition" => text("aws"),
            "AWS::URLSuffix" => text("amazonaws.com"),
            "AWS::NotificationARNs" => Some(Value::Array(Vec::new())),
            _ => None,
        }
    }
}
