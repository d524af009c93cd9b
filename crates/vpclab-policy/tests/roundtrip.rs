//! Property: parse → serialize → parse gives the same policy, and serializing again gives the
//! same text. Documents are generated from the IAM grammar, with awkward strings (quotes,
//! backslashes, non-ASCII, `${`) where the grammar allows free text.

use proptest::prelude::*;
use serde_json::{Value, json};
use vpclab_policy::{Policy, PolicyKind};

fn one_or_many(items: impl Strategy<Value = String> + Clone) -> impl Strategy<Value = Value> {
    prop_oneof![
        items.clone().prop_map(Value::String),
        prop::collection::vec(items, 1..4)
            .prop_map(|v| Value::Array(v.into_iter().map(Value::String).collect())),
    ]
}

fn principal() -> impl Strategy<Value = Value> {
    let aws = prop_oneof![
        Just("*".to_owned()),
        Just("111122223333".to_owned()),
        Just("arn:aws:iam::111122223333:root".to_owned()),
        "[a-zA-Z0-9+=,.@_-]{1,10}".prop_map(|n| format!("arn:aws:iam::111122223333:user/{n}")),
        "[a-zA-Z0-9_-]{1,10}".prop_map(|n| format!("arn:aws:iam::444455556666:role/path/{n}")),
        Just("arn:aws:sts::111122223333:assumed-role/Admin/session".to_owned()),
    ];
    prop_oneof![
        Just(json!("*")),
        one_or_many(aws).prop_map(|v| json!({ "AWS": v })),
        one_or_many("[a-z]{1,8}\\.amazonaws\\.com").prop_map(|v| json!({ "Service": v })),
    ]
}

fn action() -> impl Strategy<Value = String> + Clone {
    prop_oneof![
        Just("*".to_owned()),
        "(s3|ec2|kms|execute-api):[A-Za-z*?]{1,10}",
    ]
}

fn resource() -> impl Strategy<Value = String> + Clone {
    prop_oneof![
        Just("*".to_owned()),
        "[a-zA-Z0-9*?/${}:. _'\"\\\\é-]{0,16}".prop_map(|r| format!("arn:aws:s3:::{r}")),
    ]
}

fn condition_value() -> impl Strategy<Value = Value> {
    let scalar = prop_oneof![
        "\\PC{0,10}".prop_map(Value::String),
        "[a-z${}*?' ,:]{0,12}".prop_map(Value::String),
        any::<i32>().prop_map(|n| json!(n)),
        any::<bool>().prop_map(Value::Bool),
    ];
    prop_oneof![
        scalar.clone(),
        prop::collection::vec(scalar, 0..4).prop_map(Value::Array),
    ]
}

fn operator() -> impl Strategy<Value = String> {
    let base = prop::sample::select(vec![
        "StringEquals",
        "StringNotEquals",
        "StringEqualsIgnoreCase",
        "StringLike",
        "StringNotLike",
        "NumericLessThan",
        "NumericGreaterThanEquals",
        "DateLessThan",
        "DateNotEquals",
        "Bool",
        "BinaryEquals",
        "ArnLike",
        "ArnNotEquals",
    ]);
    (
        prop::sample::select(vec!["", "ForAnyValue:", "ForAllValues:"]),
        base,
        any::<bool>(),
    )
        .prop_map(|(q, b, ie)| format!("{q}{b}{}", if ie { "IfExists" } else { "" }))
}

fn condition() -> impl Strategy<Value = Value> {
    prop::collection::btree_map(
        operator(),
        prop::collection::btree_map("(aws|s3):[A-Za-z/-]{1,10}", condition_value(), 1..3),
        0..3,
    )
    .prop_map(|ops| {
        Value::Object(
            ops.into_iter()
                .map(|(op, keys)| (op, Value::Object(keys.into_iter().collect())))
                .collect(),
        )
    })
}

fn statement() -> impl Strategy<Value = Value> {
    (
        prop::option::of("[A-Za-z0-9 ]{0,8}"),
        any::<bool>(),
        principal(),
        any::<bool>(),
        one_or_many(action()),
        any::<bool>(),
        one_or_many(resource()),
        prop::option::of(condition()),
    )
        .prop_map(
            |(sid, allow, principal, not_action, actions, not_resource, resources, condition)| {
                let mut s = serde_json::Map::new();
                if let Some(sid) = sid {
                    s.insert("Sid".into(), json!(sid));
                }
                s.insert("Effect".into(), json!(if allow { "Allow" } else { "Deny" }));
                s.insert("Principal".into(), principal);
                s.insert(
                    if not_action { "NotAction" } else { "Action" }.into(),
                    actions,
                );
                s.insert(
                    if not_resource {
                        "NotResource"
                    } else {
                        "Resource"
                    }
                    .into(),
                    resources,
                );
                if let Some(c) = condition {
                    s.insert("Condition".into(), c);
                }
                Value::Object(s)
            },
        )
}

fn document() -> impl Strategy<Value = String> {
    (
        prop::option::of(prop::sample::select(vec!["2012-10-17", "2008-10-17"])),
        prop::option::of("\\PC{0,6}"),
        prop::collection::vec(statement(), 1..5),
        any::<bool>(),
    )
        .prop_map(|(version, id, statements, as_object)| {
            let mut d = serde_json::Map::new();
            if let Some(v) = version {
                d.insert("Version".into(), json!(v));
            }
            if let Some(id) = id {
                d.insert("Id".into(), json!(id));
            }
            let statement = if as_object && statements.len() == 1 {
                statements.into_iter().next().unwrap_or(Value::Null)
            } else {
                Value::Array(statements)
            };
            d.insert("Statement".into(), statement);
            Value::Object(d).to_string()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parse_serialize_parse_is_stable(doc in document()) {
        let first = Policy::parse(&doc, PolicyKind::Resource);
        // Every generated document follows the grammar, so it must parse.
        prop_assert!(first.is_ok(), "refused {}: {:?}", doc, first.err());
        let Ok(first) = first else { unreachable!() };
        let text = first.to_json();
        let second = Policy::parse(&text, PolicyKind::Resource);
        prop_assert_eq!(second.as_ref().ok(), Some(&first), "re-parse of {}", text);
        let Ok(second) = second else { unreachable!() };
        prop_assert_eq!(second.to_json(), text);
    }

    #[test]
    fn parse_never_panics(text in "\\PC{0,200}") {
        for kind in [PolicyKind::Identity, PolicyKind::Resource, PolicyKind::Endpoint] {
            let _ = Policy::parse(&text, kind);
        }
    }
}
