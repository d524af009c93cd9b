//! Parameter values: what the caller gave, else the default, checked against the constraints.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use serde_json::Value;

use crate::CfnError;
use crate::template::{Parameter, Template};

/// A parameter's value as `Ref` returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParameterValue {
    /// `String`, `Number` (a `Ref` to a number gives a string, as on AWS), `AWS::EC2::…::Id`, …
    Text(String),
    /// `CommaDelimitedList`, `List<Number>`, `List<AWS::EC2::…::Id>`.
    List(Vec<String>),
}

impl ParameterValue {
    /// The value as JSON: a string, or an array of strings for list types.
    pub fn to_json(&self) -> Value {
        match self {
            ParameterValue::Text(s) => Value::String(s.clone()),
            ParameterValue::List(items) => {
                Value::Array(items.iter().cloned().map(Value::String).collect())
            }
        }
    }
}

/// Every parameter of a template with its value, in template order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Parameters {
    values: IndexMap<String, ParameterValue>,
}

impl Parameters {
    /// The value of the parameter `name`, if the template declares it.
    pub fn get(&self, name: &str) -> Option<&ParameterValue> {
        self.values.get(name)
    }

    /// The parameters and their values, in template order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ParameterValue)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v))
    }
}

/// `SSM::Parameter::Value<…>` parameters name an SSM parameter; the value lives in SSM.
const SSM_PREFIX: &str = "AWS::SSM::Parameter::Value<";

impl Template {
    /// The value of every parameter: the given one, else the default, checked against
    /// `AllowedValues`, `AllowedPattern` (the whole value must match, as on AWS),
    /// `MinLength`/`MaxLength` and `MinValue`/`MaxValue`. vpclab cannot check that an
    /// `AWS::EC2::…::Id` names a resource that exists; it takes the id as given.
    /// `AWS::SSM::Parameter::Value<…>` parameters need a given value: vpclab has no SSM.
    pub fn parameters(&self, given: &BTreeMap<String, String>) -> Result<Parameters, CfnError> {
        let unknown: Vec<String> = given
            .keys()
            .filter(|name| !self.parameters.contains_key(*name))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(CfnError::UnknownParameters(unknown));
        }
        let mut missing = Vec::new();
        let mut values = IndexMap::new();
        for (name, parameter) in &self.parameters {
            let ssm = parameter.parameter_type.starts_with(SSM_PREFIX);
            let raw = match (given.get(name), &parameter.default) {
                (Some(value), _) => value.clone(),
                (None, Some(_)) if ssm => {
                    return Err(CfnError::SsmParameter {
                        name: name.clone(),
                        parameter_type: parameter.parameter_type.clone(),
                    });
                }
                (None, Some(default)) => default.clone(),
                (None, None) => {
                    missing.push(name.clone());
                    continue;
                }
            };
            let value = if ssm {
                // Taken as given; the inner type only says whether it is a list.
                let inner = &parameter.parameter_type[SSM_PREFIX.len()..];
                if inner.starts_with("List<") || inner.starts_with("CommaDelimitedList") {
                    ParameterValue::List(split_list(&raw))
                } else {
                    ParameterValue::Text(raw)
                }
            } else {
                check(name, parameter, &raw)?
            };
            values.insert(name.clone(), value);
        }
        if !missing.is_empty() {
            return Err(CfnError::MissingParameters(missing));
        }
        Ok(Parameters { values })
    }
}

/// A list parameter's members: split at commas, each member space trimmed (AWS's rule).
fn split_list(raw: &str) -> Vec<String> {
    if raw.is_empty() {
        return Vec::new();
    }
    raw.split(',').map(|s| s.trim().to_string()).collect()
}

fn check(name: &str, parameter: &Parameter, raw: &str) -> Result<ParameterValue, CfnError> {
    let refuse = |message: String| CfnError::InvalidParameter {
        name: name.to_string(),
        message: match &parameter.constraint_description {
            Some(description) => format!("failed to satisfy constraint: {description}"),
            None => message,
        },
    };
    let kind = parameter.parameter_type.as_str();
    let (is_list, member_type) = match kind.strip_prefix("List<").and_then(|k| k.strip_suffix('>'))
    {
        Some(member) => (true, member),
        None if kind == "CommaDelimitedList" => (true, "String"),
        None => (false, kind),
    };
    if member_type != "String" && member_type != "Number" && !member_type.starts_with("AWS::") {
        return Err(CfnError::InvalidParameter {
            name: name.to_string(),
            message: format!("has an unknown type {kind}"),
        });
    }
    let members = if is_list {
        split_list(raw)
    } else {
        vec![raw.to_string()]
    };
    let pattern = match &parameter.allowed_pattern {
        Some(p) => Some(regex::Regex::new(&format!("^(?:{p})$")).map_err(|e| {
            CfnError::Format(format!(
                "Parameter {name}: AllowedPattern is not a regular expression: {e}"
            ))
        })?),
        None => None,
    };
    for member in &members {
        if member_type == "Number" {
            let number: f64 = member
                .trim()
                .parse()
                .map_err(|_| refuse("must be a number".into()))?;
            if let Some(min) = parameter.min_value.filter(|min| number < *min) {
                return Err(refuse(format!("must be a number not less than {min}")));
            }
            if let Some(max) = parameter.max_value.filter(|max| number > *max) {
                return Err(refuse(format!("must be a number not greater than {max}")));
            }
        }
        if !parameter.allowed_values.is_empty() && !parameter.allowed_values.contains(member) {
            return Err(refuse("must be one of AllowedValues".into()));
        }
    }
    // Length and pattern apply to the value as given (a list parameter's whole string).
    let length = raw.chars().count() as u64;
    if let Some(min) = parameter.min_length.filter(|min| length < *min) {
        return Err(refuse(format!("must contain at least {min} characters")));
    }
    if let Some(max) = parameter.max_length.filter(|max| length > *max) {
        return Err(refuse(format!("must contain at most {max} characters")));
    }
    if let Some(pattern) = pattern.filter(|p| !p.is_match(raw)) {
        return Err(refuse(format!(
            "must match pattern {}",
            pattern
                .as_str()
                .trim_start_matches("^(?:")
                .trim_end_matches(")$")
        )));
    }
    Ok(if is_list {
        ParameterValue::List(members)
    } else {
        ParameterValue::Text(raw.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(parameters: &str) -> Template {
        Template::parse(&format!(
            "Parameters:\n{parameters}\nResources:\n  Vpc:\n    Type: AWS::EC2::VPC\n"
        ))
        .unwrap()
    }

    fn given(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_apply_and_given_values_win() {
        let t = template(
            "  A: {Type: String, Default: x}\n  B: {Type: Number, Default: 10}\n  C: {Type: String, Default: x}",
        );
        let p = t.parameters(&given(&[("C", "y")])).unwrap();
        assert_eq!(p.get("A"), Some(&ParameterValue::Text("x".into())));
        assert_eq!(p.get("B"), Some(&ParameterValue::Text("10".into())));
        assert_eq!(p.get("C"), Some(&ParameterValue::Text("y".into())));
    }

    #[test]
    fn list_types_split_and_trim() {
        let t = template(
            "  L: {Type: CommaDelimitedList, Default: 'a, b,c'}\n  N: {Type: 'List<Number>', Default: '1,2'}\n  S: {Type: 'List<AWS::EC2::Subnet::Id>'}",
        );
        let p = t.parameters(&given(&[("S", "subnet-1,subnet-2")])).unwrap();
        assert_eq!(
            p.get("L").unwrap().to_json(),
            serde_json::json!(["a", "b", "c"])
        );
        assert_eq!(p.get("N").unwrap().to_json(), serde_json::json!(["1", "2"]));
        assert_eq!(
            p.get("S").unwrap().to_json(),
            serde_json::json!(["subnet-1", "subnet-2"])
        );
    }

    #[test]
    fn a_missing_value_is_refused_in_cloudformations_words() {
        let t = template(
            "  A: {Type: String}\n  B: {Type: String, Default: b}\n  C: {Type: 'AWS::EC2::VPC::Id'}",
        );
        let err = t.parameters(&given(&[])).unwrap_err();
        assert_eq!(
            err,
            CfnError::MissingParameters(vec!["A".into(), "C".into()])
        );
        assert_eq!(err.to_string(), "Parameters: [A, C] must have values");
    }

    #[test]
    fn an_unknown_parameter_is_refused() {
        let t = template("  A: {Type: String, Default: a}");
        assert_eq!(
            t.parameters(&given(&[("Z", "z")])).unwrap_err().to_string(),
            "Parameters: [Z] do not exist in the template"
        );
    }

    #[test]
    fn allowed_values_are_enforced() {
        let t = template("  Az: {Type: Number, Default: 2, AllowedValues: [2, 3, 4]}");
        assert!(t.parameters(&given(&[("Az", "3")])).is_ok());
        assert_eq!(
            t.parameters(&given(&[("Az", "5")]))
                .unwrap_err()
                .to_string(),
            "Parameter 'Az' must be one of AllowedValues"
        );
    }

    #[test]
    fn constraint_description_replaces_the_message() {
        let t = template(
            "  Az: {Type: String, Default: a, AllowedValues: [a], ConstraintDescription: 'pick a'}",
        );
        assert_eq!(
            t.parameters(&given(&[("Az", "b")]))
                .unwrap_err()
                .to_string(),
            "Parameter 'Az' failed to satisfy constraint: pick a"
        );
    }

    #[test]
    fn pattern_lengths_and_bounds_are_enforced() {
        let t = template(
            "  Cidr: {Type: String, Default: 10.0.0.0/16, AllowedPattern: '(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})'}\n  Name: {Type: String, Default: ab, MinLength: 2, MaxLength: 3}\n  Count: {Type: Number, Default: 1, MinValue: 1, MaxValue: 4}",
        );
        assert!(t.parameters(&given(&[])).is_ok());
        let refused = |k: &str, v: &str| t.parameters(&given(&[(k, v)])).unwrap_err().to_string();
        // The whole value must match, not a part of it.
        assert_eq!(
            refused("Cidr", "x10.0.0.0/16"),
            "Parameter 'Cidr' must match pattern (\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})"
        );
        assert_eq!(
            refused("Name", "a"),
            "Parameter 'Name' must contain at least 2 characters"
        );
        assert_eq!(
            refused("Name", "abcd"),
            "Parameter 'Name' must contain at most 3 characters"
        );
        assert_eq!(
            refused("Count", "0"),
            "Parameter 'Count' must be a number not less than 1"
        );
        assert_eq!(
            refused("Count", "5"),
            "Parameter 'Count' must be a number not greater than 4"
        );
        assert_eq!(
            refused("Count", "two"),
            "Parameter 'Count' must be a number"
        );
    }

    #[test]
    fn ssm_parameters_need_a_value() {
        let t = template(
            "  Ami: {Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: /aws/service/ami}",
        );
        assert!(matches!(
            t.parameters(&given(&[])),
            Err(CfnError::SsmParameter { .. })
        ));
        let p = t.parameters(&given(&[("Ami", "ami-123")])).unwrap();
        assert_eq!(p.get("Ami"), Some(&ParameterValue::Text("ami-123".into())));
    }
}
