//! The Conditions block, evaluated once per stack.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use serde_json::Value;

use crate::CfnError;
use crate::context::Context;
use crate::intrinsic::{Evaluator, Resolved};
use crate::parameters::Parameters;
use crate::template::{Template, scalar_string};

/// Whether each of a template's conditions holds, in template order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Conditions {
    values: IndexMap<String, bool>,
}

impl Conditions {
    /// Whether the condition `name` holds; an unknown name is a template error.
    pub fn holds(&self, name: &str) -> Result<bool, CfnError> {
        self.values
            .get(name)
            .copied()
            .ok_or_else(|| CfnError::Condition(format!("Unresolved condition dependency {name}")))
    }

    /// The conditions and whether each holds, in template order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, bool)> {
        self.values.iter().map(|(k, v)| (k.as_str(), *v))
    }
}

/// Conditions cannot see resources: every answer is "unknown".
struct NoResources;

impl Resolved for NoResources {
    fn reference(&self, _: &str) -> Option<String> {
        None
    }
    fn attribute(&self, _: &str, _: &str) -> Option<Value> {
        None
    }
    fn import(&self, _: &str) -> Option<String> {
        None
    }
}

impl Template {
    /// Evaluates every condition (`Fn::Equals`, `Fn::And`, `Fn::Or`, `Fn::Not`, `Condition`,
    /// over parameters, pseudo parameters and mappings). Also checks that every resource's
    /// and output's `Condition` names a declared condition.
    pub fn conditions(
        &self,
        parameters: &Parameters,
        context: &Context,
    ) -> Result<Conditions, CfnError> {
        let none = Conditions::default();
        let evaluator = Evaluator::for_conditions(self, parameters, context, &none);
        let mut memo = BTreeMap::new();
        let mut values = IndexMap::new();
        for name in self.conditions.keys() {
            let holds = named(self, &evaluator, name, &mut memo)
                .map_err(|e| e.at(&format!("Conditions.{name}")))?;
            values.insert(name.clone(), holds);
        }
        let conditions = Conditions { values };
        let named_by = self
            .resources
            .iter()
            .filter_map(|(id, r)| r.condition.as_ref().map(|c| (id, c)))
            .chain(
                self.outputs
                    .iter()
                    .filter_map(|(id, o)| o.condition.as_ref().map(|c| (id, c))),
            );
        for (id, condition) in named_by {
            if !conditions.values.contains_key(condition) {
                return Err(CfnError::Condition(format!(
                    "Unresolved condition dependency {condition} in {id}"
                )));
            }
        }
        Ok(conditions)
    }
}

/// Evaluates the condition `name`, memoised; `None` in the memo marks one being evaluated.
fn named(
    template: &Template,
    evaluator: &Evaluator<'_>,
    name: &str,
    memo: &mut BTreeMap<String, Option<bool>>,
) -> Result<bool, CfnError> {
    match memo.get(name) {
        Some(Some(holds)) => return Ok(*holds),
        Some(None) => {
            return Err(CfnError::Condition(format!(
                "Circular condition dependency involving {name}"
            )));
        }
        None => {}
    }
    let body = template
        .conditions
        .get(name)
        .ok_or_else(|| CfnError::Condition(format!("Unresolved condition dependency {name}")))?;
    memo.insert(name.to_string(), None);
    let holds = evaluator.truth(body, &NoResources, &mut |other| {
        named(template, evaluator, other, memo)
    })?;
    memo.insert(name.to_string(), Some(holds));
    Ok(holds)
}

impl Evaluator<'_> {
    /// A condition function's truth; `lookup` answers `{"Condition": name}`.
    pub(crate) fn truth(
        &self,
        value: &Value,
        resources: &dyn Resolved,
        lookup: &mut dyn FnMut(&str) -> Result<bool, CfnError>,
    ) -> Result<bool, CfnError> {
        let (function, argument) = match value {
            Value::Bool(b) => return Ok(*b),
            Value::Object(map) if map.len() == 1 => map
                .iter()
                .next()
                .map(|(k, v)| (k.as_str(), v))
                .unwrap_or(("", value)),
            _ => ("", value),
        };
        let list = |min: usize, max: usize| -> Result<&Vec<Value>, CfnError> {
            match argument {
                Value::Array(items) if (min..=max).contains(&items.len()) => Ok(items),
                _ => Err(CfnError::intrinsic(format!(
                    "{function} takes a list of {min} to {max} conditions, got {argument}"
                ))),
            }
        };
        match function {
            "Condition" => {
                let name = argument
                    .as_str()
                    .ok_or_else(|| CfnError::intrinsic("Condition takes a condition's name"))?;
                lookup(name)
            }
            "Fn::Equals" => {
                let a = list(2, 2)?;
                let left = self.resolve(&a[0], resources)?;
                let right = self.resolve(&a[1], resources)?;
                Ok(same(&left, &right))
            }
            "Fn::Not" => Ok(!self.truth(&list(1, 1)?[0], resources, lookup)?),
            "Fn::And" => {
                for c in list(2, 10)? {
                    if !self.truth(c, resources, lookup)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            "Fn::Or" => {
                for c in list(2, 10)? {
                    if self.truth(c, resources, lookup)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            // A condition may also be a string naming another one (inside Fn::And …).
            _ => match value.as_str() {
                Some(name) => lookup(name),
                None => Err(CfnError::intrinsic(format!(
                    "expected a condition function (Fn::Equals, Fn::And, Fn::Or, Fn::Not, Condition), got {value}"
                ))),
            },
        }
    }
}

/// Fn::Equals compares values as CloudFormation's strings: `!Equals [!Ref Count, 2]` holds
/// when the Number parameter Count is 2.
fn same(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        _ => match (scalar_string(left), scalar_string(right)) {
            (Some(a), Some(b)) => a == b,
            _ => left == right,
        },
    }
}
