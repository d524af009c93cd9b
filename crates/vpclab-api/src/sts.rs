//! STS: `GetCallerIdentity`, enough for clients and tools that ask who they are.

use vpclab_model::Caller;

use crate::ec2::wire::{Query, escape_into};
use crate::error::ApiError;
use crate::server::Answer;
use crate::sigv4::Verified;

/// STS's XML namespace.
pub const NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// Answers an STS request.
pub fn dispatch(
    caller: &Caller,
    verified: &Verified,
    q: &Query,
    request_id: &str,
) -> Result<Answer, ApiError> {
    let action = q
        .get("Action")
        .ok_or_else(|| ApiError::new("MissingAction", "Missing Action"))?;
    match action {
        "GetCallerIdentity" => Ok(Answer::xml(get_caller_identity(
            caller, verified, request_id,
        ))),
        other => Err(ApiError::invalid_action(other)),
    }
}

fn get_caller_identity(caller: &Caller, verified: &Verified, request_id: &str) -> String {
    let account = caller.account.as_str();
    // The lab's keys are the accounts' root credentials, as AWS's own root keys are.
    let arn = format!("arn:aws:iam::{account}:root");
    let mut out = String::with_capacity(512);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<GetCallerIdentityResponse xmlns=\"");
    out.push_str(NAMESPACE);
    out.push_str("\"><GetCallerIdentityResult><Arn>");
    escape_into(&arn, &mut out);
    out.push_str("</Arn><UserId>");
    escape_into(account, &mut out);
    out.push_str("</UserId><Account>");
    escape_into(account, &mut out);
    out.push_str("</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>");
    out.push_str(request_id);
    out.push_str("</RequestId></ResponseMetadata></GetCallerIdentityResponse>");
    let _ = verified;
    out
}
