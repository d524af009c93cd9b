//! CloudFormation stacks the lab deployed: the record of what a template made (each
//! resource's physical id), its outputs and exports, so the stack can be listed, its
//! exports imported by other stacks, and the stack taken down. The resources themselves
//! are made and deleted by the ordinary operations, journaled one by one; this record is
//! journaled after them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::err::{Error, Result};
use crate::lab::{Caller, Lab, Timestamp};
use crate::region::{AccountId, Region};
use crate::tags::owned;

/// A deployed stack.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CloudFormationStack {
    /// `arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid>`.
    pub stack_id: String,
    /// Its name, unique per account and region.
    pub name: String,
    /// The owning account.
    pub owner_id: AccountId,
    /// Its region.
    pub region: Region,
    /// When it was created.
    pub created: Timestamp,
    /// The parameter values it was deployed with.
    pub parameters: BTreeMap<String, String>,
    /// What it made, in the order it made them.
    pub resources: Vec<StackResource>,
    /// Its outputs.
    pub outputs: BTreeMap<String, String>,
    /// Its exports (name → value), which other stacks import.
    pub exports: BTreeMap<String, String>,
}

owned!(CloudFormationStack);

/// One resource of a stack.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StackResource {
    /// Its logical id in the template.
    pub logical_id: String,
    /// `AWS::EC2::VPC`, …
    pub resource_type: String,
    /// What the lab made (an id, an ARN, a name).
    pub physical_id: String,
    /// Why it was not made, when the lab does not model its type.
    pub skipped: Option<String>,
    /// The lab's id of what was made (the physical id, but an EIP's allocation id).
    #[serde(default)]
    pub resource_id: String,
    /// The operations that delete it, in order (none when the template retains it).
    #[serde(default)]
    pub undo: Vec<crate::Operation>,
}

fn stack_error(code: &'static str, message: String) -> Error {
    Error::Coded { code, message }
}

impl Lab {
    /// The caller's stack named `name`.
    pub fn stack_named(&self, caller: &Caller, name: &str) -> Option<&CloudFormationStack> {
        self.stacks
            .values()
            .find(|s| s.owner_id == caller.account && s.region == caller.region && s.name == name)
    }

    /// Every export of the caller's stacks in the caller's region (name → value).
    pub fn stack_exports(&self, caller: &Caller) -> BTreeMap<String, String> {
        self.stacks
            .values()
            .filter(|s| s.owner_id == caller.account && s.region == caller.region)
            .flat_map(|s| s.exports.clone())
            .collect()
    }

    /// Records a deployed stack. AWS: a name is taken once per account and region, and an
    /// export name once.
    pub fn record_stack(&mut self, caller: &Caller, stack: &CloudFormationStack) -> Result<()> {
        if self.stack_named(caller, &stack.name).is_some()
            || self.stacks.contains_key(&stack.stack_id)
        {
            return Err(stack_error(
                "AlreadyExistsException",
                format!("Stack [{}] already exists", stack.name),
            ));
        }
        let taken = self.stack_exports(caller);
        if let Some(name) = stack.exports.keys().find(|n| taken.contains_key(*n)) {
            return Err(stack_error(
                "ValidationError",
                format!("Export with name {name} is already exported by another stack"),
            ));
        }
        let mut record = stack.clone();
        record.owner_id = caller.account.clone();
        record.region = caller.region;
        self.stacks.insert(record.stack_id.clone(), record);
        Ok(())
    }

    /// Forgets a stack whose resources are gone. AWS: a stack whose exports another stack
    /// imports cannot go (the caller checks imports; the lab keeps no import record).
    pub fn forget_stack(&mut self, caller: &Caller, name: &str) -> Result<()> {
        let id = self
            .stack_named(caller, name)
            .map(|s| s.stack_id.clone())
            .ok_or_else(|| {
                stack_error(
                    "ValidationError",
                    format!("Stack with id {name} does not exist"),
                )
            })?;
        self.stacks.shift_remove(&id);
        Ok(())
    }
}
