//! The record of a deployed CloudFormation stack: one name per account and region, one
//! owner per export, forgotten by name.

mod common;

use std::collections::BTreeMap;

use common::*;
use vpclab_model::*;

fn stack(c: &Caller, name: &str, export: &str) -> CloudFormationStack {
    CloudFormationStack {
        stack_id: format!(
            "arn:aws:cloudformation:us-east-1:{}:stack/{name}/x",
            c.account
        ),
        name: name.into(),
        owner_id: account("111111111111"),
        region: region("us-east-1"),
        created: Timestamp(0),
        parameters: BTreeMap::new(),
        resources: Vec::new(),
        outputs: BTreeMap::new(),
        exports: BTreeMap::from([(export.to_owned(), "vpc-1".to_owned())]),
    }
}

#[test]
fn names_and_exports_are_taken_once_and_a_stack_is_forgotten_by_name() {
    let (mut lab, a) = lab();
    let other = caller("222222222222");
    lab.record_stack(&a, &stack(&a, "net", "net-VPC")).unwrap();
    assert_eq!(
        lab.stack_exports(&a).get("net-VPC").map(String::as_str),
        Some("vpc-1")
    );
    assert_refused(&mut lab, "AlreadyExistsException", |lab| {
        lab.record_stack(&a, &stack(&a, "net", "other-VPC"))
    });
    assert_refused(&mut lab, "ValidationError", |lab| {
        lab.record_stack(&a, &stack(&a, "net2", "net-VPC"))
    });
    // Another account has its own names and exports.
    lab.record_stack(&other, &stack(&other, "net", "net-VPC"))
        .unwrap();
    // The same stack id twice is refused, never overwritten.
    assert_refused(&mut lab, "AlreadyExistsException", |lab| {
        let same_id = CloudFormationStack {
            name: "again".into(),
            ..stack(&a, "net", "again-VPC")
        };
        lab.record_stack(&other, &same_id)
    });
    assert!(lab.stack_named(&other, "net").is_some());
    assert_refused(&mut lab, "ValidationError", |lab| {
        lab.forget_stack(&a, "nope")
    });
    lab.forget_stack(&a, "net").unwrap();
    assert!(lab.stack_named(&a, "net").is_none());
    assert!(lab.stack_named(&other, "net").is_some());
}
