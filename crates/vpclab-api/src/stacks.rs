//! CloudFormation stacks, on vpclab's own API: `POST /_vpclab/stacks/up` deploys a
//! template (parsed here, deployed by `vpclab-cfn` through the model's operations),
//! `/down` takes a stack down, `/list` lists them. The deployment runs in the writer with
//! the lab to itself; every operation it applied is journaled as its own log entry, then
//! the stack's record, so a restart replays the same lab. A failure leaves the lab as it
//! was (CloudFormation's rollback) and answers the failed resource and AWS's error.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use vpclab_cfn::{Context, DeployOptions, ResourceStatus, Template};
use vpclab_model::{Caller, CloudFormationStack, Lab, Operation, StackResource};

use crate::error::ApiError;
use crate::server::Answer;
use crate::state::State;

/// `POST /_vpclab/stacks/up`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UpRequest {
    /// The stack's name.
    pub name: String,
    /// The template, YAML or JSON.
    pub template: String,
    /// Parameter values.
    #[serde(default)]
    pub parameters: BTreeMap<String, String>,
    /// Record resources of types the lab does not model as skipped.
    #[serde(default)]
    pub skip_unsupported: bool,
}

#[derive(Deserialize)]
struct DownRequest {
    name: String,
}

fn invalid(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::new(code, message)
}

fn parse<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        invalid(
            "InvalidRequest",
            format!("The request does not read as expected: {e}"),
        )
    })
}

/// CloudFormation's rule for stack names: a letter, then letters, digits and hyphens,
/// 128 characters at most.
fn check_name(name: &str) -> Result<(), ApiError> {
    let ok = name.len() <= 128
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "ValidationError",
            format!(
                "1 validation error detected: Value '{name}' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*"
            ),
        ))
    }
}

/// A stack id as CloudFormation spells it, its last part shaped like a UUID and derived
/// from the account, region, name and time, so that replaying the journal gives it again.
fn stack_id(caller: &Caller, name: &str) -> String {
    let digest = Sha256::digest(format!(
        "{}/{}/{name}/{}",
        caller.account,
        caller.region.name(),
        caller.now.0
    ));
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!(
        "arn:aws:cloudformation:{}:{}:stack/{name}/{}-{}-{}-{}-{}",
        caller.region.name(),
        caller.account,
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn stack_json(s: &CloudFormationStack) -> serde_json::Value {
    serde_json::json!({
        "name": s.name,
        "stack_id": s.stack_id,
        "resources": s.resources.iter().map(|r| serde_json::json!({
            "logical_id": r.logical_id,
            "resource_type": r.resource_type,
            "physical_id": r.physical_id,
            "skipped": r.skipped,
        })).collect::<Vec<_>>(),
        "outputs": s.outputs,
        "exports": s.exports,
        "parameters": s.parameters,
    })
}

/// Answers `POST /_vpclab/stacks/up`.
pub async fn up(state: &State, caller: &Caller, body: &[u8]) -> Result<Answer, ApiError> {
    let req: UpRequest = parse(body)?;
    check_name(&req.name)?;
    let template =
        Template::parse(&req.template).map_err(|e| invalid("ValidationError", e.to_string()))?;
    let who = caller.clone();
    let answer = state
        .run(
            caller.clone(),
            Box::new(move |lab: &mut Lab| {
                if lab.stack_named(&who, &req.name).is_some() {
                    return Err(invalid(
                        "AlreadyExistsException",
                        format!("Stack [{}] already exists", req.name),
                    ));
                }
                let id = stack_id(&who, &req.name);
                let context = Context {
                    region: who.region.name().to_owned(),
                    account_id: who.account.to_string(),
                    stack_name: req.name.clone(),
                    stack_id: id.clone(),
                    availability_zones: who.region.zones().map(|z| z.name).collect(),
                };
                let options = DeployOptions {
                    imports: lab.stack_exports(&who),
                    skip_unsupported: req.skip_unsupported,
                };
                let deployed =
                    vpclab_cfn::deploy(lab, &who, &template, &req.parameters, &context, &options)
                        .map_err(|e| invalid("ValidationError", e.to_string()))?;
                let record = CloudFormationStack {
                    stack_id: id,
                    name: req.name.clone(),
                    owner_id: who.account.clone(),
                    region: who.region,
                    created: who.now,
                    parameters: req.parameters.clone(),
                    resources: deployed
                        .resources
                        .iter()
                        .map(|r| StackResource {
                            logical_id: r.logical_id.clone(),
                            resource_type: r.resource_type.clone(),
                            physical_id: r.physical_id.clone(),
                            skipped: match &r.status {
                                ResourceStatus::Skipped(why) => Some(why.clone()),
                                ResourceStatus::Created => None,
                            },
                            resource_id: r.resource_id.clone(),
                            undo: r.undo.clone(),
                        })
                        .collect(),
                    outputs: deployed.outputs.clone(),
                    exports: deployed.exports.clone(),
                };
                let record_op = Operation::RecordStack(Box::new(record.clone()));
                // On an error the writer puts the lab back, the stack's resources too.
                lab.apply(&who, &record_op)?;
                let mut ops = deployed.applied;
                ops.push(record_op);
                Ok((ops, stack_json(&record).to_string()))
            }),
        )
        .await?;
    Ok(Answer::json(answer))
}

/// Answers `POST /_vpclab/stacks/down`: deletes what the stack made, newest first, then
/// forgets it; if any of it cannot go, nothing goes.
pub async fn down(state: &State, caller: &Caller, body: &[u8]) -> Result<Answer, ApiError> {
    let req: DownRequest = parse(body)?;
    let who = caller.clone();
    let answer = state
        .run(
            caller.clone(),
            Box::new(move |lab: &mut Lab| {
                let record = lab.stack_named(&who, &req.name).cloned().ok_or_else(|| {
                    invalid(
                        "ValidationError",
                        format!("Stack with id {} does not exist", req.name),
                    )
                })?;
                // All or nothing: a resource that cannot go (something outside the stack
                // still uses it) leaves the whole stack as it was (the writer puts the lab
                // back on an error), and says which.
                let mut ops = vpclab_cfn::undeploy(lab, &who, &deployed_of(&record))
                    .map_err(|e| invalid("ValidationError", e.to_string()))?;
                let forget = Operation::ForgetStack {
                    name: req.name.clone(),
                };
                lab.apply(&who, &forget)?;
                ops.push(forget);
                let deleted = record
                    .resources
                    .iter()
                    .filter(|r| r.skipped.is_none())
                    .count();
                Ok((
                    ops,
                    serde_json::json!({ "name": req.name, "deleted": deleted }).to_string(),
                ))
            }),
        )
        .await?;
    Ok(Answer::json(answer))
}

/// The stack as `vpclab-cfn` takes it down, from the lab's record of it.
fn deployed_of(record: &CloudFormationStack) -> vpclab_cfn::Stack {
    vpclab_cfn::Stack {
        resources: record
            .resources
            .iter()
            .map(|r| vpclab_cfn::StackResource {
                logical_id: r.logical_id.clone(),
                resource_type: r.resource_type.clone(),
                physical_id: r.physical_id.clone(),
                status: match &r.skipped {
                    Some(why) => ResourceStatus::Skipped(why.clone()),
                    None => ResourceStatus::Created,
                },
                attributes: BTreeMap::new(),
                undo: r.undo.clone(),
                resource_id: r.resource_id.clone(),
            })
            .collect(),
        outputs: record.outputs.clone(),
        exports: record.exports.clone(),
        applied: Vec::new(),
    }
}

/// Answers `POST /_vpclab/stacks/list`.
pub fn list(state: &State, caller: &Caller) -> Result<Answer, ApiError> {
    let lab = state.read();
    let stacks: Vec<serde_json::Value> = lab
        .stacks()
        .filter(|s| s.owner_id == caller.account && s.region == caller.region)
        .map(stack_json)
        .collect();
    Ok(Answer::json(
        serde_json::json!({ "stacks": stacks }).to_string(),
    ))
}
