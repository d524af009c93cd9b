//! A parsed template: its sections as typed data, intrinsic functions left as JSON values.

use indexmap::IndexMap;
use serde_json::Value;

use crate::CfnError;
use crate::text::{self, Section};

/// A CloudFormation template, read but not yet evaluated.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// `AWSTemplateFormatVersion`, if given.
    pub format_version: Option<String>,
    /// `Description`, if given.
    pub description: Option<String>,
    /// `Parameters`, in template order.
    pub parameters: IndexMap<String, Parameter>,
    /// `Mappings`: map name → top-level key → second-level key → value.
    pub mappings: IndexMap<String, Value>,
    /// `Conditions`: name → condition function, unevaluated.
    pub conditions: IndexMap<String, Value>,
    /// `Resources`, in template order.
    pub resources: IndexMap<String, Resource>,
    /// `Outputs`, in template order.
    pub outputs: IndexMap<String, Output>,
    /// `Rules`, kept as written; vpclab does not evaluate them.
    pub rules: IndexMap<String, Value>,
}

/// One entry of `Parameters`. Every value is kept as the string CloudFormation receives.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Parameter {
    /// `Type`: `String`, `Number`, `CommaDelimitedList`, `List<Number>`, `AWS::EC2::VPC::Id`, …
    pub parameter_type: String,
    /// `Default`.
    pub default: Option<String>,
    /// `AllowedValues`; empty when any value is allowed.
    pub allowed_values: Vec<String>,
    /// `AllowedPattern`, matched against the whole value.
    pub allowed_pattern: Option<String>,
    /// `MinLength`.
    pub min_length: Option<u64>,
    /// `MaxLength`.
    pub max_length: Option<u64>,
    /// `MinValue`.
    pub min_value: Option<f64>,
    /// `MaxValue`.
    pub max_value: Option<f64>,
    /// `ConstraintDescription`: replaces the message of a broken constraint, as on AWS.
    pub constraint_description: Option<String>,
    /// `Description`.
    pub description: Option<String>,
}

/// One entry of `Resources`.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// `Type`, e.g. `AWS::EC2::VPC`.
    pub resource_type: String,
    /// `Properties`, unevaluated; an empty object when absent.
    pub properties: Value,
    /// `DependsOn`, written as a string or a list.
    pub depends_on: Vec<String>,
    /// `Condition`: the resource exists only when this condition holds.
    pub condition: Option<String>,
    /// `DeletionPolicy`, if given.
    pub deletion_policy: Option<String>,
}

/// One entry of `Outputs`.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    /// `Value`, unevaluated.
    pub value: Value,
    /// `Export.Name`, unevaluated.
    pub export_name: Option<Value>,
    /// `Condition`: the output exists only when this condition holds.
    pub condition: Option<String>,
    /// `Description`, if given.
    pub description: Option<String>,
}

impl Template {
    /// Parses a template written in JSON or YAML (short-form tags become the long form).
    pub fn parse(text: &str) -> Result<Template, CfnError> {
        let mut sections = text::read(text)?;
        if let Some(transform) = sections.shift_remove("Transform") {
            let named = match transform {
                Section::Other(v) => v.to_string(),
                Section::Map(m) => format!("{m:?}"),
            };
            return Err(CfnError::Transform(named));
        }
        let mut template = Template {
            format_version: None,
            description: None,
            parameters: IndexMap::new(),
            mappings: IndexMap::new(),
            conditions: IndexMap::new(),
            resources: IndexMap::new(),
            outputs: IndexMap::new(),
            rules: IndexMap::new(),
        };
        for (name, section) in sections {
            match name.as_str() {
                "AWSTemplateFormatVersion" => {
                    template.format_version = Some(text_of(&name, other(&name, section)?)?)
                }
                "Description" => {
                    template.description = Some(text_of(&name, other(&name, section)?)?)
                }
                "Parameters" => {
                    for (id, body) in map(&name, section)? {
                        let parameter = parameter(&id, &body)?;
                        template.parameters.insert(id, parameter);
                    }
                }
                "Mappings" => template.mappings = map(&name, section)?,
                "Conditions" => template.conditions = map(&name, section)?,
                "Resources" => {
                    for (id, body) in map(&name, section)? {
                        let resource = resource(&id, &body)?;
                        template.resources.insert(id, resource);
                    }
                }
                "Outputs" => {
                    for (id, body) in map(&name, section)? {
                        let output = output(&id, &body)?;
                        template.outputs.insert(id, output);
                    }
                }
                "Rules" => template.rules = map(&name, section)?,
                // Metadata is for tools; it changes nothing in a stack.
                "Metadata" => {}
                other => {
                    return Err(CfnError::Format(format!(
                        "Invalid template property or properties [{other}]"
                    )));
                }
            }
        }
        if template.resources.is_empty() {
            return Err(CfnError::Format(
                "At least one Resources member must be defined.".into(),
            ));
        }
        Ok(template)
    }
}

fn map(name: &str, section: Section) -> Result<IndexMap<String, Value>, CfnError> {
    match section {
        Section::Map(m) => Ok(m),
        Section::Other(Value::Null) => Ok(IndexMap::new()),
        Section::Other(_) => Err(CfnError::Format(format!("{name} must be a mapping"))),
    }
}

fn other(name: &str, section: Section) -> Result<Value, CfnError> {
    match section {
        Section::Other(v) => Ok(v),
        Section::Map(_) => Err(CfnError::Format(format!("{name} must not be a mapping"))),
    }
}

fn text_of(name: &str, value: Value) -> Result<String, CfnError> {
    scalar_string(&value).ok_or_else(|| CfnError::Format(format!("{name} must be a string")))
}

/// A scalar as the string CloudFormation would receive (`80` → "80", `true` → "true").
pub(crate) fn scalar_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn object<'v>(
    kind: &str,
    id: &str,
    body: &'v Value,
) -> Result<&'v serde_json::Map<String, Value>, CfnError> {
    body.as_object()
        .ok_or_else(|| CfnError::Format(format!("{kind} {id} must be a mapping")))
}

fn parameter(id: &str, body: &Value) -> Result<Parameter, CfnError> {
    let body = object("Parameter", id, body)?;
    let field_string = |key: &str| -> Result<Option<String>, CfnError> {
        match body.get(key) {
            None | Some(Value::Null) => Ok(None),
            // A list default of a list parameter is the comma-joined string CloudFormation takes.
            Some(Value::Array(items)) => items
                .iter()
                .map(scalar_string)
                .collect::<Option<Vec<_>>>()
                .map(|items| Some(items.join(",")))
                .ok_or_else(|| CfnError::Format(format!("Parameter {id}: {key} must be a string"))),
            Some(v) => scalar_string(v)
                .map(Some)
                .ok_or_else(|| CfnError::Format(format!("Parameter {id}: {key} must be a string"))),
        }
    };
    let field_number =
        |key: &str| -> Result<Option<f64>, CfnError> {
            match field_string(key)? {
                None => Ok(None),
                Some(s) => s.trim().parse::<f64>().map(Some).map_err(|_| {
                    CfnError::Format(format!("Parameter {id}: {key} must be a number"))
                }),
            }
        };
    let field_count = |key: &str| -> Result<Option<u64>, CfnError> {
        match field_number(key)? {
            Some(n) if n >= 0.0 && n.fract() == 0.0 => Ok(Some(n as u64)),
            Some(_) => Err(CfnError::Format(format!(
                "Parameter {id}: {key} must be a whole number"
            ))),
            None => Ok(None),
        }
    };
    let parameter_type = field_string("Type")?
        .ok_or_else(|| CfnError::Format(format!("Parameter {id} must have a Type")))?;
    let allowed_values = match body.get("AllowedValues") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(values)) => values
            .iter()
            .map(scalar_string)
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                CfnError::Format(format!(
                    "Parameter {id}: AllowedValues must be a list of strings"
                ))
            })?,
        Some(_) => {
            return Err(CfnError::Format(format!(
                "Parameter {id}: AllowedValues must be a list"
            )));
        }
    };
    Ok(Parameter {
        parameter_type,
        default: field_string("Default")?,
        allowed_values,
        allowed_pattern: field_string("AllowedPattern")?,
        min_length: field_count("MinLength")?,
        max_length: field_count("MaxLength")?,
        min_value: field_number("MinValue")?,
        max_value: field_number("MaxValue")?,
        constraint_description: field_string("ConstraintDescription")?,
        description: field_string("Description")?,
    })
}

fn resource(id: &str, body: &Value) -> Result<Resource, CfnError> {
    let body = object("Resource", id, body)?;
    let resource_type = body
        .get("Type")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            CfnError::Format(format!(
                "[/Resources/{id}] Every Resources object must contain a Type member."
            ))
        })?
        .to_string();
    let depends_on = match body.get("DependsOn") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                CfnError::Format(format!("Resource {id}: DependsOn must name resources"))
            })?,
        Some(_) => {
            return Err(CfnError::Format(format!(
                "Resource {id}: DependsOn must be a string or a list of strings"
            )));
        }
    };
    let properties = match body.get("Properties") {
        None | Some(Value::Null) => Value::Object(serde_json::Map::new()),
        Some(p @ Value::Object(_)) => p.clone(),
        Some(_) => {
            return Err(CfnError::Format(format!(
                "Resource {id}: Properties must be a mapping"
            )));
        }
    };
    Ok(Resource {
        resource_type,
        properties,
        depends_on,
        condition: optional_name(id, body, "Condition")?,
        deletion_policy: optional_name(id, body, "DeletionPolicy")?,
    })
}

fn optional_name(
    id: &str,
    body: &serde_json::Map<String, Value>,
    key: &str,
) -> Result<Option<String>, CfnError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(CfnError::Format(format!("{id}: {key} must be a string"))),
    }
}

fn output(id: &str, body: &Value) -> Result<Output, CfnError> {
    let body = object("Output", id, body)?;
    let value = body
        .get("Value")
        .cloned()
        .ok_or_else(|| CfnError::Format(format!("Output {id} must have a Value")))?;
    let export_name =
        match body.get("Export") {
            None | Some(Value::Null) => None,
            Some(Value::Object(export)) => Some(export.get("Name").cloned().ok_or_else(|| {
                CfnError::Format(format!("Output {id}: Export must have a Name"))
            })?),
            Some(_) => {
                return Err(CfnError::Format(format!(
                    "Output {id}: Export must be a mapping"
                )));
            }
        };
    Ok(Output {
        value,
        export_name,
        condition: optional_name(id, body, "Condition")?,
        description: body.get("Description").and_then(scalar_string),
    })
}
