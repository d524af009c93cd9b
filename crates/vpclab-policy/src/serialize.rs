//! [`Policy`] → JSON text, in the element order of the IAM grammar (`Version`, `Id`,
//! `Statement`; `Sid`, `Effect`, `Principal`, `Action`, `Resource`, `Condition`).
//!
//! Written by hand rather than through a `serde_json::Map` because the map sorts its keys
//! unless the workspace-wide `preserve_order` feature is on, and a policy read back should look
//! like the one written. Strings are escaped by `serde_json`.

use crate::ast::*;

pub(crate) fn to_json(policy: &Policy) -> String {
    let mut out = String::with_capacity(256);
    out.push('{');
    let mut first = true;
    if let Some(version) = policy.version {
        field(&mut out, &mut first, "Version");
        string(&mut out, version.as_str());
    }
    if let Some(id) = &policy.id {
        field(&mut out, &mut first, "Id");
        string(&mut out, id);
    }
    field(&mut out, &mut first, "Statement");
    out.push('[');
    for (i, statement) in policy.statements.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_statement(&mut out, statement);
    }
    out.push_str("]}");
    out
}

fn write_statement(out: &mut String, s: &Statement) {
    out.push('{');
    let mut first = true;
    if let Some(sid) = &s.sid {
        field(out, &mut first, "Sid");
        string(out, sid);
    }
    field(out, &mut first, "Effect");
    string(out, s.effect.as_str());
    if let Some(p) = &s.principal {
        field(
            out,
            &mut first,
            if p.not { "NotPrincipal" } else { "Principal" },
        );
        match &p.principals {
            Principals::Everyone => string(out, "*"),
            Principals::Map(blocks) => {
                out.push('{');
                let mut first_block = true;
                for block in blocks {
                    field(out, &mut first_block, block.kind.as_str());
                    list(out, block.ids.iter().map(|id| id.raw.as_str()));
                }
                out.push('}');
            }
        }
    }
    field(
        out,
        &mut first,
        if s.action.not { "NotAction" } else { "Action" },
    );
    list(out, s.action.actions.iter().map(String::as_str));
    if let Some(r) = &s.resource {
        field(
            out,
            &mut first,
            if r.not { "NotResource" } else { "Resource" },
        );
        list(out, r.resources.iter().map(|p| p.as_str()));
    }
    if !s.conditions.is_empty() {
        field(out, &mut first, "Condition");
        write_conditions(out, &s.conditions);
    }
    out.push('}');
}

/// Conditions are stored flat, one per (operator, key); the document groups them by operator,
/// in the order each operator first appears.
fn write_conditions(out: &mut String, conditions: &[Condition]) {
    let names: Vec<String> = conditions.iter().map(Condition::operator_name).collect();
    out.push('{');
    let mut first_op = true;
    for (i, name) in names.iter().enumerate() {
        if names[..i].contains(name) {
            continue;
        }
        field(out, &mut first_op, name);
        out.push('{');
        let mut first_key = true;
        for (c, _) in conditions.iter().zip(&names).filter(|(_, n)| *n == name) {
            field(out, &mut first_key, &c.key);
            if c.values.len() == 1 {
                value(out, &c.values[0]);
            } else {
                out.push('[');
                for (j, v) in c.values.iter().enumerate() {
                    if j > 0 {
                        out.push(',');
                    }
                    value(out, v);
                }
                out.push(']');
            }
        }
        out.push('}');
    }
    out.push('}');
}

fn value(out: &mut String, v: &ConditionValue) {
    match v.json {
        JsonType::String => string(out, v.pattern.as_str()),
        // Numbers and booleans were parsed from JSON, so their text is valid JSON.
        JsonType::Number | JsonType::Bool => out.push_str(v.pattern.as_str()),
    }
}

fn field(out: &mut String, first: &mut bool, name: &str) {
    if !*first {
        out.push(',');
    }
    *first = false;
    string(out, name);
    out.push(':');
}

/// One value as a string, several as an array.
fn list<'a>(out: &mut String, items: impl ExactSizeIterator<Item = &'a str>) {
    if items.len() == 1 {
        for item in items {
            string(out, item);
        }
        return;
    }
    out.push('[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        string(out, item);
    }
    out.push(']');
}

fn string(out: &mut String, s: &str) {
    // Serializing a `&str` cannot fail; fall back to an empty string rather than panic.
    out.push_str(&serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned()));
}
