//! Intrinsic functions: a template value with `Ref`, `Fn::Sub`, … to a plain JSON value.

use serde_json::{Map, Value};

use crate::conditions::Conditions;
use crate::context::{Context, is_pseudo_parameter};
use crate::parameters::Parameters;
use crate::template::{Template, scalar_string};
use crate::{CfnError, cidr};

/// What is known of deployed resources and of other stacks, for `Ref`, `Fn::GetAtt`,
/// `Fn::Sub` and `Fn::ImportValue`.
pub trait Resolved {
    /// The physical id `Ref` gives for the resource `logical_id`, once it exists.
    fn reference(&self, logical_id: &str) -> Option<String>;
    /// The value of `Fn::GetAtt [logical_id, attribute]`, once the resource exists.
    fn attribute(&self, logical_id: &str, attribute: &str) -> Option<Value>;
    /// The value another stack exports as `export_name`.
    fn import(&self, export_name: &str) -> Option<String>;
}

/// An output with its value and export name resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedOutput {
    /// The output's logical name.
    pub name: String,
    /// Its value.
    pub value: Value,
    /// `Export.Name`, if it is exported.
    pub export_name: Option<String>,
}

/// Evaluates a template's intrinsic functions for one stack: its parameter values, its
/// context and its conditions.
#[derive(Debug, Clone, Copy)]
pub struct Evaluator<'a> {
    template: &'a Template,
    parameters: &'a Parameters,
    context: &'a Context,
    conditions: &'a Conditions,
    /// In the Conditions block resources cannot be referred to.
    in_conditions: bool,
}

impl<'a> Evaluator<'a> {
    /// An evaluator for `template` deployed with these parameters, context and conditions.
    pub fn new(
        template: &'a Template,
        parameters: &'a Parameters,
        context: &'a Context,
        conditions: &'a Conditions,
    ) -> Self {
        Evaluator {
            template,
            parameters,
            context,
            conditions,
            in_conditions: false,
        }
    }

    /// The evaluator the Conditions block is evaluated with: no resources, no conditions yet.
    pub(crate) fn for_conditions(
        template: &'a Template,
        parameters: &'a Parameters,
        context: &'a Context,
        conditions: &'a Conditions,
    ) -> Self {
        Evaluator {
            in_conditions: true,
            ..Evaluator::new(template, parameters, context, conditions)
        }
    }

    /// `value` with every intrinsic function evaluated. `AWS::NoValue` removes the key or
    /// list element that holds it; a value that is `AWS::NoValue` as a whole becomes null.
    pub fn resolve(&self, value: &Value, resources: &dyn Resolved) -> Result<Value, CfnError> {
        Ok(self.eval(value, resources)?.unwrap_or(Value::Null))
    }

    /// The resource's `Properties` with every intrinsic function evaluated; errors name it.
    pub fn resolve_properties(
        &self,
        logical_id: &str,
        resources: &dyn Resolved,
    ) -> Result<Value, CfnError> {
        let resource = self
            .template
            .resources
            .get(logical_id)
            .ok_or_else(|| CfnError::UnresolvedDependencies(vec![logical_id.to_string()]))?;
        self.resolve(&resource.properties, resources)
            .map_err(|e| e.at(logical_id))
    }

    /// The outputs whose condition holds, with their values and export names resolved.
    pub fn resolve_outputs(
        &self,
        resources: &dyn Resolved,
    ) -> Result<Vec<ResolvedOutput>, CfnError> {
        let mut resolved = Vec::new();
        for (name, output) in &self.template.outputs {
            if let Some(condition) = &output.condition
                && !self.conditions.holds(condition)?
            {
                continue;
            }
            let at = format!("Outputs.{name}");
            let value = self
                .resolve(&output.value, resources)
                .map_err(|e| e.at(&at))?;
            let export_name = match &output.export_name {
                Some(export) => {
                    let v = self.resolve(export, resources).map_err(|e| e.at(&at))?;
                    Some(scalar_string(&v).ok_or_else(|| {
                        CfnError::intrinsic("Export Name must be a string").at(&at)
                    })?)
                }
                None => None,
            };
            resolved.push(ResolvedOutput {
                name: name.clone(),
                value,
                export_name,
            });
        }
        Ok(resolved)
    }

    /// `None` stands for `AWS::NoValue`.
    fn eval(&self, value: &Value, resources: &dyn Resolved) -> Result<Option<Value>, CfnError> {
        match value {
            Value::Object(map) => {
                if map.len() == 1
                    && let Some((name, argument)) = map.iter().next()
                    && (name == "Ref" || name.starts_with("Fn::"))
                {
                    return self.function(name, argument, resources);
                }
                let mut out = Map::new();
                for (key, v) in map {
                    if let Some(v) = self.eval(v, resources)? {
                        out.insert(key.clone(), v);
                    }
                }
                Ok(Some(Value::Object(out)))
            }
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    if let Some(v) = self.eval(item, resources)? {
                        out.push(v);
                    }
                }
                Ok(Some(Value::Array(out)))
            }
            other => Ok(Some(other.clone())),
        }
    }

    /// An argument that must evaluate to something (not `AWS::NoValue`).
    fn value(
        &self,
        value: &Value,
        resources: &dyn Resolved,
        function: &str,
    ) -> Result<Value, CfnError> {
        self.eval(value, resources)?.ok_or_else(|| {
            CfnError::intrinsic(format!("{function}: AWS::NoValue is not a value here"))
        })
    }

    fn string(
        &self,
        value: &Value,
        resources: &dyn Resolved,
        function: &str,
    ) -> Result<String, CfnError> {
        let v = self.value(value, resources, function)?;
        scalar_string(&v)
            .ok_or_else(|| CfnError::intrinsic(format!("{function}: expected a string, got {v}")))
    }

    fn list(
        &self,
        value: &Value,
        resources: &dyn Resolved,
        function: &str,
    ) -> Result<Vec<Value>, CfnError> {
        match self.value(value, resources, function)? {
            Value::Array(items) => Ok(items),
            other => Err(CfnError::intrinsic(format!(
                "{function}: expected a list, got {other}"
            ))),
        }
    }

    fn number(
        &self,
        value: &Value,
        resources: &dyn Resolved,
        function: &str,
    ) -> Result<u64, CfnError> {
        let s = self.string(value, resources, function)?;
        s.trim()
            .parse()
            .map_err(|_| CfnError::intrinsic(format!("{function}: '{s}' is not a whole number")))
    }

    fn function(
        &self,
        name: &str,
        argument: &Value,
        resources: &dyn Resolved,
    ) -> Result<Option<Value>, CfnError> {
        let args = |n: usize| -> Result<&Vec<Value>, CfnError> {
            match argument {
                Value::Array(items) if items.len() == n => Ok(items),
                _ => Err(CfnError::intrinsic(format!(
                    "{name} takes a list of {n} elements, got {argument}"
                ))),
            }
        };
        Ok(Some(match name {
            "Ref" => {
                let target = argument.as_str().ok_or_else(|| {
                    CfnError::intrinsic(format!("Ref takes a name, got {argument}"))
                })?;
                return self.reference(target, resources);
            }
            "Fn::GetAtt" => {
                let (id, attribute) = match argument {
                    Value::String(s) => s
                        .split_once('.')
                        .map(|(a, b)| (a.to_string(), b.to_string()))
                        .ok_or_else(|| {
                            CfnError::intrinsic(format!("Fn::GetAtt {s} names no attribute"))
                        })?,
                    _ => {
                        let a = args(2)?;
                        let id = a[0].as_str().ok_or_else(|| {
                            CfnError::intrinsic(
                                "Fn::GetAtt: the first element must be a resource's logical id",
                            )
                        })?;
                        (id.to_string(), self.string(&a[1], resources, name)?)
                    }
                };
                self.attribute(&id, &attribute, resources)?
            }
            "Fn::Sub" => {
                let (text, variables) = match argument {
                    Value::String(s) => (s.as_str(), Map::new()),
                    Value::Array(a) if a.len() == 2 => {
                        let text = a[0].as_str().ok_or_else(|| {
                            CfnError::intrinsic("Fn::Sub: the first element must be a string")
                        })?;
                        let vars = a[1].as_object().ok_or_else(|| {
                            CfnError::intrinsic("Fn::Sub: the second element must be a mapping")
                        })?;
                        let mut resolved = Map::new();
                        for (k, v) in vars {
                            resolved.insert(k.clone(), self.value(v, resources, name)?);
                        }
                        (text, resolved)
                    }
                    _ => {
                        return Err(CfnError::intrinsic(format!(
                            "Fn::Sub takes a string or a list of a string and a mapping, got {argument}"
                        )));
                    }
                };
                Value::String(self.sub(text, &variables, resources)?)
            }
            "Fn::Join" => {
                let a = args(2)?;
                let delimiter = self.string(&a[0], resources, name)?;
                let parts = self
                    .list(&a[1], resources, name)?
                    .iter()
                    .map(|v| {
                        scalar_string(v).ok_or_else(|| {
                            CfnError::intrinsic(format!("Fn::Join: {v} is not a string"))
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Value::String(parts.join(&delimiter))
            }
            "Fn::Select" => {
                let a = args(2)?;
                let index = self.number(&a[0], resources, name)?;
                let list = self.list(&a[1], resources, name)?;
                usize::try_from(index)
                    .ok()
                    .and_then(|i| list.into_iter().nth(i))
                    .ok_or_else(|| {
                        CfnError::intrinsic(format!(
                            "Fn::Select cannot select nonexistent value at index {index}"
                        ))
                    })?
            }
            "Fn::Split" => {
                let a = args(2)?;
                let delimiter = self.string(&a[0], resources, name)?;
                let source = self.string(&a[1], resources, name)?;
                if delimiter.is_empty() {
                    return Err(CfnError::intrinsic(
                        "Fn::Split: the delimiter must not be empty",
                    ));
                }
                Value::Array(
                    source
                        .split(delimiter.as_str())
                        .map(|s| Value::String(s.to_string()))
                        .collect(),
                )
            }
            "Fn::GetAZs" => {
                let region = match argument {
                    Value::Null => String::new(),
                    other => self.string(other, resources, name)?,
                };
                if !region.is_empty() && region != self.context.region {
                    return Err(CfnError::intrinsic(format!(
                        "Fn::GetAZs: vpclab knows the Availability Zones of the stack's region {} only, not {region}",
                        self.context.region
                    )));
                }
                Value::Array(
                    self.context
                        .availability_zones
                        .iter()
                        .cloned()
                        .map(Value::String)
                        .collect(),
                )
            }
            "Fn::If" => {
                let a = args(3)?;
                let condition = a[0].as_str().ok_or_else(|| {
                    CfnError::intrinsic("Fn::If: the first element must name a condition")
                })?;
                let branch = if self.conditions.holds(condition)? {
                    &a[1]
                } else {
                    &a[2]
                };
                return self.eval(branch, resources);
            }
            "Fn::FindInMap" => {
                let a = args(3)?;
                let map = self.string(&a[0], resources, name)?;
                let top = self.string(&a[1], resources, name)?;
                let second = self.string(&a[2], resources, name)?;
                self.template
                    .mappings
                    .get(&map)
                    .and_then(|m| m.get(&top))
                    .and_then(|m| m.get(&second))
                    .cloned()
                    .ok_or_else(|| {
                        CfnError::intrinsic(format!(
                            "Unable to get mapping for {map}::{top}::{second}"
                        ))
                    })?
            }
            "Fn::Base64" => {
                let text = self.string(argument, resources, name)?;
                Value::String(base64_simd::STANDARD.encode_to_string(text.as_bytes()))
            }
            "Fn::Cidr" => {
                let a = args(3)?;
                let block = self.string(&a[0], resources, name)?;
                let count = self.number(&a[1], resources, name)?;
                let bits = self.number(&a[2], resources, name)?;
                Value::Array(
                    cidr::cidr(&block, count, bits)?
                        .into_iter()
                        .map(Value::String)
                        .collect(),
                )
            }
            "Fn::ImportValue" => {
                let export = self.string(argument, resources, name)?;
                Value::String(resources.import(&export).ok_or_else(|| {
                    CfnError::intrinsic(format!("No export named {export} found"))
                })?)
            }
            "Fn::Equals" | "Fn::And" | "Fn::Or" | "Fn::Not" => {
                let mut one = Map::new();
                one.insert(name.to_string(), argument.clone());
                let conditions = self.conditions;
                Value::Bool(
                    self.truth(&Value::Object(one), resources, &mut |c| conditions.holds(c))?,
                )
            }
            "Fn::Length" | "Fn::ToJsonString" | "Fn::Transform" | "Fn::ForEach" => {
                return Err(CfnError::intrinsic(format!(
                    "{name} needs a transform, and vpclab does not expand transforms"
                )));
            }
            other => {
                return Err(CfnError::intrinsic(format!(
                    "vpclab does not know the intrinsic function {other}"
                )));
            }
        }))
    }

    /// `Ref`: a parameter, a pseudo parameter or a resource's physical id.
    fn reference(&self, target: &str, resources: &dyn Resolved) -> Result<Option<Value>, CfnError> {
        if let Some(value) = self.parameters.get(target) {
            return Ok(Some(value.to_json()));
        }
        if is_pseudo_parameter(target) {
            return Ok(self.context.pseudo_parameter(target));
        }
        self.known_resource(target)?;
        resources
            .reference(target)
            .map(|id| Some(Value::String(id)))
            .ok_or_else(|| CfnError::intrinsic(format!("resource {target} has no physical id yet")))
    }

    fn attribute(
        &self,
        id: &str,
        attribute: &str,
        resources: &dyn Resolved,
    ) -> Result<Value, CfnError> {
        self.known_resource(id)?;
        resources.attribute(id, attribute).ok_or_else(|| {
            CfnError::intrinsic(format!(
                "resource {id} does not support attribute type {attribute} in Fn::GetAtt"
            ))
        })
    }

    fn known_resource(&self, id: &str) -> Result<(), CfnError> {
        if !self.template.resources.contains_key(id) {
            return Err(CfnError::UnresolvedDependencies(vec![id.to_string()]));
        }
        if self.in_conditions {
            return Err(CfnError::Condition(format!(
                "Unresolved dependencies [{id}]. Cannot reference resources in the Conditions block of the template"
            )));
        }
        Ok(())
    }

    /// `Fn::Sub`'s text with each `${Name}` replaced: the given variables first, then
    /// parameters, pseudo parameters and resources; `${Res.Attr}` is an attribute.
    fn sub(
        &self,
        text: &str,
        variables: &Map<String, Value>,
        resources: &dyn Resolved,
    ) -> Result<String, CfnError> {
        let mut out = String::with_capacity(text.len());
        for piece in sub_pieces(text) {
            match piece {
                SubPiece::Text(t) => out.push_str(t),
                SubPiece::Variable(name) => {
                    let value = if let Some(v) = variables.get(name) {
                        v.clone()
                    } else if self.parameters.get(name).is_some() || is_pseudo_parameter(name) {
                        self.reference(name, resources)?.unwrap_or(Value::Null)
                    } else if let Some((id, attribute)) = name
                        .split_once('.')
                        .filter(|_| !self.template.resources.contains_key(name))
                    {
                        self.attribute(id, attribute, resources)?
                    } else {
                        self.reference(name, resources)?.unwrap_or(Value::Null)
                    };
                    out.push_str(&scalar_string(&value).ok_or_else(|| {
                        CfnError::intrinsic(format!(
                            "Fn::Sub: ${{{name}}} is {value}, not a string"
                        ))
                    })?);
                }
            }
        }
        Ok(out)
    }
}

/// A piece of an `Fn::Sub` text.
pub(crate) enum SubPiece<'t> {
    Text(&'t str),
    Variable(&'t str),
}

/// Splits `Fn::Sub`'s text at its `${…}` variables; `${!Literal}` is the text `${Literal}`.
pub(crate) fn sub_pieces(text: &str) -> Vec<SubPiece<'_>> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        pieces.push(SubPiece::Text(&rest[..start]));
        let after = &rest[start + 2..];
        if let Some(literal) = after.strip_prefix('!') {
            pieces.push(SubPiece::Text("${"));
            rest = literal;
            continue;
        }
        match after.find('}') {
            Some(end) => {
                pieces.push(SubPiece::Variable(after[..end].trim()));
                rest = &after[end + 1..];
            }
            None => {
                pieces.push(SubPiece::Text(&rest[start..]));
                rest = "";
            }
        }
    }
    pieces.push(SubPiece::Text(rest));
    pieces
}
