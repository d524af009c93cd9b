//! Template text (JSON or YAML) to a tree of `serde_json::Value`s, with YAML's short-form
//! tags rewritten to CloudFormation's long form (`!Ref X` → `{"Ref": "X"}`).

use std::borrow::Cow;

use indexmap::IndexMap;
use saphyr::{Scalar, ScalarStyle, Tag, Yaml, YamlLoader};
use serde::Deserialize;
use serde_json::{Map, Number, Value};

use crate::CfnError;

/// A top-level section as read: a mapping keeps its keys in template order (the order
/// resources are created in when nothing else decides), anything else is a plain value.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum Section {
    Map(IndexMap<String, Value>),
    Other(Value),
}

/// Reads a template's top level, in order. JSON when the text is a JSON object, else YAML.
pub(crate) fn read(text: &str) -> Result<IndexMap<String, Section>, CfnError> {
    if text.trim_start().starts_with('{') {
        match serde_json::from_str::<IndexMap<String, Section>>(text) {
            Ok(top) => return Ok(top),
            // A YAML flow mapping also starts with `{`; only if YAML fails too is it an error.
            Err(json) => return read_yaml(text).map_err(|_| CfnError::Syntax(json.to_string())),
        }
    }
    read_yaml(text)
}

fn read_yaml(text: &str) -> Result<IndexMap<String, Section>, CfnError> {
    let mut parser = saphyr_parser::Parser::new_from_str(text);
    let mut loader = YamlLoader::<Yaml>::default();
    // Scalars are resolved below, where an empty plain scalar can become null.
    loader.early_parse(false);
    parser
        .load(&mut loader, false)
        .map_err(|e| CfnError::Syntax(e.to_string()))?;
    let Some(document) = loader.into_documents().into_iter().next() else {
        return Err(CfnError::Format("the template is empty".into()));
    };
    let Yaml::Mapping(top) = document else {
        return Err(CfnError::Format(
            "a template is a mapping of sections".into(),
        ));
    };
    let mut sections = IndexMap::new();
    for (key, value) in &top {
        let name = key_string(key)?;
        let section = match value {
            Yaml::Mapping(entries) => {
                let mut map = IndexMap::new();
                for (key, value) in entries {
                    map.insert(key_string(key)?, to_json(value)?);
                }
                Section::Map(map)
            }
            other => Section::Other(to_json(other)?),
        };
        sections.insert(name, section);
    }
    Ok(sections)
}

/// A mapping key as the string CloudFormation sees (`80: x` has the key "80").
fn key_string(key: &Yaml<'_>) -> Result<String, CfnError> {
    match to_json(key)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Null => Ok(String::new()),
        _ => Err(CfnError::Format("a mapping key must be a scalar".into())),
    }
}

/// One YAML node as JSON, short-form tags turned to their long form.
pub(crate) fn to_json(node: &Yaml<'_>) -> Result<Value, CfnError> {
    Ok(match node {
        Yaml::Representation(text, style, tag) => {
            match tag.as_deref().filter(|t| !t.is_yaml_core_schema()) {
                Some(tag) => long_form(tag, scalar(text, *style, None)?)?,
                None => scalar(text, *style, tag.as_ref())?,
            }
        }
        Yaml::Value(value) => scalar_json(value),
        Yaml::Sequence(items) => Value::Array(items.iter().map(to_json).collect::<Result<_, _>>()?),
        Yaml::Mapping(entries) => {
            let mut map = Map::new();
            for (key, value) in entries {
                map.insert(key_string(key)?, to_json(value)?);
            }
            Value::Object(map)
        }
        Yaml::Tagged(tag, inner) => long_form(tag, to_json(inner)?)?,
        Yaml::Alias(_) | Yaml::BadValue => {
            return Err(CfnError::Syntax(
                "an alias or value that could not be read".into(),
            ));
        }
    })
}

/// A scalar under YAML 1.2's core schema (where an empty plain scalar is null and `True`,
/// `TRUE` are booleans too).
fn scalar(text: &str, style: ScalarStyle, tag: Option<&Cow<'_, Tag>>) -> Result<Value, CfnError> {
    if style == ScalarStyle::Plain && tag.is_none() {
        match text {
            "" | "~" | "null" | "Null" | "NULL" => return Ok(Value::Null),
            "true" | "True" | "TRUE" => return Ok(Value::Bool(true)),
            "false" | "False" | "FALSE" => return Ok(Value::Bool(false)),
            _ => {}
        }
    }
    Scalar::parse_from_cow_and_metadata(Cow::Borrowed(text), style, tag)
        .map(|s| scalar_json(&s))
        .ok_or_else(|| CfnError::Syntax(format!("'{text}' does not fit its tag")))
}

fn scalar_json(scalar: &Scalar<'_>) -> Value {
    match scalar {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Bool(*b),
        Scalar::Integer(i) => Value::Number((*i).into()),
        Scalar::FloatingPoint(f) => Number::from_f64(f.into_inner())
            .map_or_else(|| Value::String(f.to_string()), Value::Number),
        Scalar::String(s) => Value::String(s.to_string()),
    }
}

/// `!Name value` → CloudFormation's long form of the function.
fn long_form(tag: &Tag, value: Value) -> Result<Value, CfnError> {
    if tag.handle != "!" {
        return Err(CfnError::Syntax(format!(
            "unknown tag {}{}",
            tag.handle, tag.suffix
        )));
    }
    let (key, value) = match tag.suffix.as_str() {
        "Ref" => ("Ref".to_string(), value),
        "Condition" => ("Condition".to_string(), value),
        // The string form names the attribute after the first dot: `!GetAtt VPC.CidrBlock`.
        "GetAtt" => match value {
            Value::String(s) => match s.split_once('.') {
                Some((resource, attribute)) => (
                    "Fn::GetAtt".to_string(),
                    serde_json::json!([resource, attribute]),
                ),
                None => {
                    return Err(CfnError::Format(format!(
                        "!GetAtt {s} names no attribute: write !GetAtt Resource.Attribute"
                    )));
                }
            },
            other => ("Fn::GetAtt".to_string(), other),
        },
        // `!GetAZs` alone means the stack's region, as `!GetAZs ''` does.
        "GetAZs" if value.is_null() => ("Fn::GetAZs".to_string(), Value::String(String::new())),
        name @ ("Sub" | "Join" | "Select" | "Split" | "GetAZs" | "If" | "Equals" | "And" | "Or"
        | "Not" | "FindInMap" | "Base64" | "Cidr" | "ImportValue" | "Transform"
        | "Length" | "ToJsonString"
        // Rule functions, kept for the Rules section (not evaluated).
        | "ValueOf" | "ValueOfAll" | "EachMemberEquals" | "EachMemberIn" | "Contains"
        | "RefAll") => (format!("Fn::{name}"), value),
        other => return Err(CfnError::Syntax(format!("unknown tag !{other}"))),
    };
    let mut map = Map::new();
    map.insert(key, value);
    Ok(Value::Object(map))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn yaml(text: &str) -> Value {
        let mut parser = saphyr_parser::Parser::new_from_str(text);
        let mut loader = YamlLoader::<Yaml>::default();
        loader.early_parse(false);
        parser.load(&mut loader, false).unwrap();
        to_json(&loader.into_documents()[0]).unwrap()
    }

    #[test]
    fn short_forms_become_long_forms() {
        assert_eq!(yaml("!Ref VPC"), json!({"Ref": "VPC"}));
        assert_eq!(
            yaml("!GetAtt EIP.AllocationId"),
            json!({"Fn::GetAtt": ["EIP", "AllocationId"]})
        );
        // Split at the first dot only.
        assert_eq!(
            yaml("!GetAtt Stack.Outputs.VpcId"),
            json!({"Fn::GetAtt": ["Stack", "Outputs.VpcId"]})
        );
        assert_eq!(
            yaml("!GetAtt [VPC, CidrBlock]"),
            json!({"Fn::GetAtt": ["VPC", "CidrBlock"]})
        );
        assert_eq!(yaml("!GetAZs"), json!({"Fn::GetAZs": ""}));
        assert_eq!(yaml("!GetAZs ''"), json!({"Fn::GetAZs": ""}));
        assert_eq!(
            yaml("!Select [0, !GetAZs ]"),
            json!({"Fn::Select": [0, {"Fn::GetAZs": ""}]})
        );
        assert_eq!(yaml("!Condition HasNat"), json!({"Condition": "HasNat"}));
        assert_eq!(
            yaml("!If [HasNat, !Ref Nat, !Ref 'AWS::NoValue']"),
            json!({"Fn::If": ["HasNat", {"Ref": "Nat"}, {"Ref": "AWS::NoValue"}]})
        );
        assert_eq!(
            yaml("!Sub\n  - '${A}-x'\n  - A: !ImportValue b\n"),
            json!({"Fn::Sub": ["${A}-x", {"A": {"Fn::ImportValue": "b"}}]})
        );
        assert_eq!(
            yaml("{'Fn::ImportValue': !Sub '${Parent}-VPC'}"),
            json!({"Fn::ImportValue": {"Fn::Sub": "${Parent}-VPC"}})
        );
    }

    #[test]
    fn scalars_keep_cloudformations_meaning() {
        assert_eq!(
            yaml(
                "Version: 2012-10-17\nN: 42\nF: 1.5\nB: true\nT: TRUE\nS: '42'\nQ: 'true'\nY: yes\nE:\n"
            ),
            json!({"Version": "2012-10-17", "N": 42, "F": 1.5, "B": true, "T": true, "S": "42", "Q": "true", "Y": "yes", "E": null})
        );
    }

    #[test]
    fn unknown_tags_are_refused() {
        let mut parser = saphyr_parser::Parser::new_from_str("!Frobnicate x");
        let mut loader = YamlLoader::<Yaml>::default();
        loader.early_parse(false);
        parser.load(&mut loader, false).unwrap();
        assert!(to_json(&loader.into_documents()[0]).is_err());
    }
}
