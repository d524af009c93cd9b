//! The order resources are created in: each after everything it refers to.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::CfnError;
use crate::conditions::Conditions;
use crate::context::is_pseudo_parameter;
use crate::intrinsic::{SubPiece, sub_pieces};
use crate::template::Template;

impl Template {
    /// The logical ids of the resources whose `Condition` holds, each after every resource
    /// it refers to (`Ref`, `Fn::GetAtt`, `Fn::Sub`'s `${Res}` and `${Res.Attr}`,
    /// `DependsOn`), ties broken by template order. References in the branch of an `Fn::If`
    /// whose condition is false do not count.
    pub fn order(&self, conditions: &Conditions) -> Result<Vec<String>, CfnError> {
        let mut present = Vec::new();
        for (id, resource) in &self.resources {
            let holds = match &resource.condition {
                Some(c) => conditions.holds(c)?,
                None => true,
            };
            if holds {
                present.push(id.as_str());
            }
        }
        let mut needs: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
        let mut unresolved = BTreeSet::new();
        for id in &present {
            let resource = &self.resources[*id];
            let mut refs = BTreeSet::new();
            self.references(&resource.properties, conditions, &mut refs)?;
            refs.extend(resource.depends_on.iter().cloned());
            // A name that is no present resource: a parameter, a pseudo parameter, or an error
            // (a resource whose condition is false counts as absent, as on AWS).
            refs.retain(|name| {
                if present.contains(&name.as_str()) {
                    return true;
                }
                if !self.parameters.contains_key(name) && !is_pseudo_parameter(name) {
                    unresolved.insert(name.clone());
                }
                false
            });
            needs.insert(id, refs);
        }
        if !unresolved.is_empty() {
            return Err(CfnError::UnresolvedDependencies(
                unresolved.into_iter().collect(),
            ));
        }
        let mut done: BTreeSet<&str> = BTreeSet::new();
        let mut order = Vec::with_capacity(present.len());
        while order.len() < present.len() {
            let next = present.iter().find(|id| {
                !done.contains(**id) && needs[**id].iter().all(|n| done.contains(n.as_str()))
            });
            match next {
                Some(id) => {
                    done.insert(id);
                    order.push(id.to_string());
                }
                None => {
                    let stuck: Vec<&str> = present
                        .iter()
                        .copied()
                        .filter(|id| !done.contains(id))
                        .collect();
                    let circular = stuck
                        .iter()
                        .filter(|id| reaches(&needs, &done, id, id))
                        .map(|id| id.to_string())
                        .collect();
                    return Err(CfnError::CircularDependency(circular));
                }
            }
        }
        Ok(order)
    }

    /// Collects the names `value` refers to; `Fn::If` follows only the branch that holds.
    fn references(
        &self,
        value: &Value,
        conditions: &Conditions,
        into: &mut BTreeSet<String>,
    ) -> Result<(), CfnError> {
        match value {
            Value::Object(map) if map.len() == 1 => {
                let Some((function, argument)) = map.iter().next() else {
                    return Ok(());
                };
                match (function.as_str(), argument) {
                    ("Ref", Value::String(name)) => {
                        into.insert(name.clone());
                    }
                    ("Fn::GetAtt", Value::String(dotted)) => {
                        let id = dotted.split_once('.').map_or(dotted.as_str(), |(id, _)| id);
                        into.insert(id.to_string());
                    }
                    ("Fn::GetAtt", Value::Array(items)) => {
                        if let Some(Value::String(id)) = items.first() {
                            into.insert(id.clone());
                        }
                        for item in items.iter().skip(1) {
                            self.references(item, conditions, into)?;
                        }
                    }
                    ("Fn::Sub", _) => {
                        let (text, variables) = match argument {
                            Value::String(s) => (s.as_str(), None),
                            Value::Array(a) => {
                                (a.first().and_then(Value::as_str).unwrap_or(""), a.get(1))
                            }
                            _ => ("", None),
                        };
                        let local = variables.and_then(Value::as_object);
                        for piece in sub_pieces(text) {
                            if let SubPiece::Variable(name) = piece
                                && !local.is_some_and(|l| l.contains_key(name))
                            {
                                // `${Res.Attr}` refers to Res, unless the whole name is known.
                                let known = self.resources.contains_key(name)
                                    || self.parameters.contains_key(name)
                                    || is_pseudo_parameter(name);
                                let id = if known {
                                    name
                                } else {
                                    name.split_once('.').map_or(name, |(id, _)| id)
                                };
                                into.insert(id.to_string());
                            }
                        }
                        if let Some(variables) = variables {
                            self.references(variables, conditions, into)?;
                        }
                    }
                    ("Fn::If", Value::Array(items)) if items.len() == 3 => {
                        let branch = match items[0].as_str() {
                            Some(c) if conditions.holds(c)? => &items[1],
                            Some(_) => &items[2],
                            None => {
                                return Err(CfnError::intrinsic(
                                    "Fn::If: the first element must name a condition",
                                ));
                            }
                        };
                        self.references(branch, conditions, into)?;
                    }
                    _ => self.references(argument, conditions, into)?,
                }
            }
            Value::Object(map) => {
                for v in map.values() {
                    self.references(v, conditions, into)?;
                }
            }
            Value::Array(items) => {
                for v in items {
                    self.references(v, conditions, into)?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// Whether `from` reaches `target` through resources not yet placed.
fn reaches(
    needs: &BTreeMap<&str, BTreeSet<String>>,
    done: &BTreeSet<&str>,
    from: &str,
    target: &str,
) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<&str> = vec![from];
    while let Some(id) = stack.pop() {
        for next in needs.get(id).into_iter().flatten() {
            if next == target {
                return true;
            }
            if !done.contains(next.as_str()) && seen.insert(next.as_str()) {
                stack.push(next.as_str());
            }
        }
    }
    false
}
