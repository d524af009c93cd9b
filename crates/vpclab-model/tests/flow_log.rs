//! VPC Flow Logs: CreateFlowLogs, DeleteFlowLogs, and flow logs going with their resource.

mod common;

use common::*;
use vpclab_model::*;

fn to_s3(resource_type: &str, ids: &[&str], arn: &str) -> CreateFlowLogs {
    CreateFlowLogs {
        resource_type: resource_type.into(),
        resource_ids: strings(ids),
        traffic_type: Some("ALL".into()),
        log_destination_type: Some("s3".into()),
        log_destination: Some(arn.into()),
        ..CreateFlowLogs::default()
    }
}

fn to_file(resource_type: &str, ids: &[&str], group: &str) -> CreateFlowLogs {
    CreateFlowLogs {
        resource_type: resource_type.into(),
        resource_ids: strings(ids),
        traffic_type: Some("REJECT".into()),
        log_group_name: Some(group.into()),
        deliver_logs_permission_arn: Some("arn:aws:iam::111111111111:role/flow".into()),
        ..CreateFlowLogs::default()
    }
}

fn with_bucket() -> (Lab, Caller, VpcId) {
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    lab.create_bucket(&a, "flow-bucket", a.region).unwrap();
    (lab, a, v)
}

#[test]
fn s3_flow_log_has_aws_defaults() {
    let (mut lab, a, v) = with_bucket();
    let mut req = to_s3("VPC", &[v.as_str()], "arn:aws:s3:::flow-bucket/team/");
    req.tags = tags(&[("Name", "fl")]);
    let out = lab.create_flow_logs(&a, &req).unwrap();
    assert!(out.unsuccessful.is_empty());
    assert_eq!(out.flow_log_ids.len(), 1);
    let f = lab.flow_log(out.flow_log_ids[0].as_str()).unwrap();
    assert!(f.id.as_str().starts_with("fl-0"));
    assert_eq!(f.resource_id, v.as_str());
    assert_eq!(f.traffic_type, TrafficType::All);
    assert_eq!(f.log_format, DEFAULT_LOG_FORMAT);
    assert_eq!(f.max_aggregation_interval, 600);
    assert_eq!(f.log_destination_arn, "arn:aws:s3:::flow-bucket/team/");
    assert_eq!(f.destination.type_str(), "s3");
    match &f.destination {
        LogDestination::S3 { bucket, prefix, .. } => {
            assert_eq!((bucket.as_str(), prefix.as_str()), ("flow-bucket", "team"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(f.tags, tags(&[("Name", "fl")]));
    assert_eq!(f.creation_time, a.now);
    assert_eq!(f.deliver_logs_status(), "SUCCESS");
}

#[test]
fn cloud_watch_logs_flow_log_names_its_group_and_arn() {
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let s = subnet(&mut lab, &a, &v, "10.0.1.0/24");
    let mut req = to_file("Subnet", &[s.as_str()], "/aws/vpc/flows");
    req.log_format = Some("${version}  ${vpc-id} ${srcaddr}".into());
    req.max_aggregation_interval = Some(60);
    let out = lab.create_flow_logs(&a, &req).unwrap();
    let f = lab.flow_log(out.flow_log_ids[0].as_str()).unwrap();
    assert_eq!(f.log_group_name(), Some("/aws/vpc/flows"));
    assert_eq!(
        f.log_destination_arn,
        format!("arn:aws:logs:us-east-1:{A}:log-group:/aws/vpc/flows")
    );
    assert_eq!(f.log_format, "${version} ${vpc-id} ${srcaddr}");
    assert_eq!(log_format_version(&f.log_format), 3);
    assert_eq!(f.max_aggregation_interval, 60);
    // The group may also be named by its ARN.
    let mut by_arn = to_file("VPC", &[v.as_str()], "x");
    by_arn.log_group_name = None;
    by_arn.log_destination = Some(format!("arn:aws:logs:us-east-1:{A}:log-group:other:*"));
    let out = lab.create_flow_logs(&a, &by_arn).unwrap();
    let f = lab.flow_log(out.flow_log_ids[0].as_str()).unwrap();
    assert_eq!(f.log_group_name(), Some("other"));
}

#[test]
fn missing_or_foreign_resources_are_unsuccessful_items() {
    let (mut lab, a, b) = lab2();
    let va = vpc(&mut lab, &a, "10.0.0.0/16");
    let vb = vpc(&mut lab, &b, "10.1.0.0/16");
    lab.create_bucket(&a, "flow-bucket", a.region).unwrap();
    let req = to_s3(
        "VPC",
        &[va.as_str(), "vpc-12345678", vb.as_str(), "subnet-12345678"],
        "arn:aws:s3:::flow-bucket",
    );
    let out = lab.create_flow_logs(&a, &req).unwrap();
    assert_eq!(out.flow_log_ids.len(), 1);
    let codes: Vec<(&str, &str)> = out
        .unsuccessful
        .iter()
        .map(|(id, e)| (id.as_str(), e.code()))
        .collect();
    assert_eq!(
        codes,
        [
            ("vpc-12345678", "InvalidVpcID.NotFound"),
            (vb.as_str(), "InvalidVpcID.NotFound"),
            ("subnet-12345678", "InvalidVpcID.Malformed"),
        ]
    );
    assert_eq!(lab.flow_logs().count(), 1);
}

#[test]
fn a_missing_bucket_is_unsuccessful_per_resource() {
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let out = lab
        .create_flow_logs(&a, &to_s3("VPC", &[v.as_str()], "arn:aws:s3:::nope-bucket"))
        .unwrap();
    assert!(out.flow_log_ids.is_empty());
    assert_eq!(out.unsuccessful[0].1.code(), "400");
    assert_eq!(
        out.unsuccessful[0].1.to_string(),
        "LogDestination: nope-bucket does not exist."
    );
    assert_eq!(lab.flow_logs().count(), 0);
}

#[test]
fn bad_parameters_refuse_the_whole_call_and_change_nothing() {
    let (mut lab, a, v) = with_bucket();
    let ok = to_s3("VPC", &[v.as_str()], "arn:aws:s3:::flow-bucket");
    let cases: Vec<(&str, CreateFlowLogs)> = vec![
        (
            "InvalidParameterValue",
            CreateFlowLogs {
                resource_type: "Vpc".into(),
                ..ok.clone()
            },
        ),
        (
            "InvalidParameter",
            CreateFlowLogs {
                resource_type: "TransitGateway".into(),
                ..ok.clone()
            },
        ),
        (
            "MissingParameter",
            CreateFlowLogs {
                traffic_type: None,
                ..ok.clone()
            },
        ),
        (
            "InvalidParameterValue",
            CreateFlowLogs {
                traffic_type: Some("SOME".into()),
                ..ok.clone()
            },
        ),
        (
            "InvalidParameter",
            CreateFlowLogs {
                max_aggregation_interval: Some(300),
                ..ok.clone()
            },
        ),
        (
            "InvalidParameter",
            CreateFlowLogs {
                log_format: Some("${version} ${nonsense}".into()),
                ..ok.clone()
            },
        ),
        (
            "InvalidParameter",
            CreateFlowLogs {
                log_format: Some("version srcaddr".into()),
                ..ok.clone()
            },
        ),
        (
            "InvalidParameter",
            CreateFlowLogs {
                log_destination_type: Some("kinesis-data-firehose".into()),
                ..ok.clone()
            },
        ),
        (
            "InvalidParameterValue",
            CreateFlowLogs {
                log_destination_type: Some("ftp".into()),
                ..ok.clone()
            },
        ),
        (
            "InvalidParameter",
            CreateFlowLogs {
                log_destination: Some("flow-bucket".into()),
                ..ok.clone()
            },
        ),
        (
            "InvalidParameter",
            CreateFlowLogs {
                log_destination: None,
                ..ok.clone()
            },
        ),
        (
            "InvalidParameter",
            CreateFlowLogs {
                log_destination: Some("arn:aws:s3:::flow-bucket/AWSLogs".into()),
                ..ok.clone()
            },
        ),
        (
            "InvalidParameter",
            CreateFlowLogs {
                log_group_name: Some("g".into()),
                ..ok.clone()
            },
        ),
        (
            "InvalidParameter",
            CreateFlowLogs {
                deliver_logs_permission_arn: Some("arn:aws:iam::1:role/x".into()),
                ..ok.clone()
            },
        ),
        (
            "InvalidParameter",
            CreateFlowLogs {
                file_format: Some("parquet".into()),
                ..ok.clone()
            },
        ),
        (
            "InvalidParameter",
            CreateFlowLogs {
                deliver_logs_permission_arn: None,
                ..to_file("VPC", &[v.as_str()], "g")
            },
        ),
        (
            "InvalidParameter",
            CreateFlowLogs {
                log_group_name: None,
                ..to_file("VPC", &[v.as_str()], "g")
            },
        ),
        (
            "InvalidParameter",
            CreateFlowLogs {
                log_destination: Some("arn:aws:logs:us-east-1:1:log-group:g".into()),
                ..to_file("VPC", &[v.as_str()], "g")
            },
        ),
        (
            "InvalidParameter",
            to_file("VPC", &[v.as_str()], "../../etc/passwd"),
        ),
        (
            "InvalidParameter",
            to_file("VPC", &[v.as_str()], "bad name"),
        ),
        (
            "InvalidParameterValue",
            CreateFlowLogs {
                tags: tags(&[("aws:x", "y")]),
                ..ok.clone()
            },
        ),
    ];
    for (code, req) in cases {
        assert_refused(&mut lab, code, |lab| lab.create_flow_logs(&a, &req));
        assert_refused(&mut lab, code, |lab| {
            lab.apply(&a, &Operation::CreateFlowLogs(req.clone()))
        });
    }
}

#[test]
fn the_same_resource_and_destination_twice_is_refused() {
    let (mut lab, a, v) = with_bucket();
    let req = to_s3("VPC", &[v.as_str()], "arn:aws:s3:::flow-bucket");
    lab.create_flow_logs(&a, &req).unwrap();
    assert_refused(&mut lab, "FlowLogAlreadyExists", |lab| {
        lab.create_flow_logs(&a, &req)
    });
    // Another destination for the same VPC is a second flow log.
    let other = to_s3("VPC", &[v.as_str()], "arn:aws:s3:::flow-bucket/other");
    assert_eq!(
        lab.create_flow_logs(&a, &other).unwrap().flow_log_ids.len(),
        1
    );
}

#[test]
fn delete_answers_unknown_ids_as_unsuccessful() {
    let (mut lab, a, b) = lab2();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    lab.create_bucket(&a, "flow-bucket", a.region).unwrap();
    let out = lab
        .create_flow_logs(&a, &to_s3("VPC", &[v.as_str()], "arn:aws:s3:::flow-bucket"))
        .unwrap();
    let fl = out.flow_log_ids[0].to_string();
    // Another account cannot see it.
    let failed = lab.delete_flow_logs(&b, std::slice::from_ref(&fl));
    assert_eq!(failed[0].1.code(), "InvalidFlowLogId.NotFound");
    assert!(lab.flow_log(&fl).is_some());
    let failed = lab.delete_flow_logs(&a, &strings(&[&fl, "fl-12345678", "x"]));
    let codes: Vec<_> = failed
        .iter()
        .map(|(id, e)| (id.as_str(), e.code()))
        .collect();
    assert_eq!(
        codes,
        [
            ("fl-12345678", "InvalidFlowLogId.NotFound"),
            ("x", "InvalidFlowLogId.Malformed")
        ]
    );
    assert!(lab.flow_log(&fl).is_none());
}

#[test]
fn a_flow_log_goes_with_its_resource_and_replays() {
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let s = subnet(&mut lab, &a, &v, "10.0.1.0/24");
    let e = eni(&mut lab, &a, &s);
    let op =
        |kind: &str, id: &str| Operation::CreateFlowLogs(to_file(kind, &[id], &format!("g-{id}")));
    for (kind, id) in [
        ("VPC", v.as_str()),
        ("Subnet", s.as_str()),
        ("NetworkInterface", e.as_str()),
    ] {
        let Outcome::FlowLogs(out) = lab.apply(&a, &op(kind, id)).unwrap() else {
            panic!("no flow logs")
        };
        assert_eq!(out.flow_log_ids.len(), 1, "{kind}");
    }
    assert_eq!(lab.flow_logs().count(), 3);
    let first = lab.flow_logs().next().unwrap().id.to_string();
    lab.apply(
        &a,
        &Operation::CreateTags {
            resource_ids: vec![first],
            tags: tags(&[("team", "net")]),
        },
    )
    .unwrap();
    assert_eq!(
        lab.flow_logs().next().unwrap().tags,
        tags(&[("team", "net")])
    );
    lab.apply(
        &a,
        &Operation::DeleteNetworkInterface {
            network_interface_id: e.to_string(),
        },
    )
    .unwrap();
    let left: Vec<_> = lab.flow_logs().map(|f| f.resource_id.clone()).collect();
    assert_eq!(left, [v.to_string(), s.to_string()]);
    // Stored and loaded, the flow logs come back.
    let json = serde_json::to_string(&lab).unwrap();
    let back: Lab = serde_json::from_str(&json).unwrap();
    assert_eq!(back.flow_logs().count(), 2);
}

#[test]
fn formats_are_checked_field_by_field() {
    assert_eq!(log_format_fields(DEFAULT_LOG_FORMAT).unwrap().len(), 14);
    assert_eq!(log_format_version(DEFAULT_LOG_FORMAT), 2);
    assert_eq!(log_format_version("${flow-direction} ${srcaddr}"), 5);
    assert_eq!(log_format_fields("${srcaddr} ${nope}"), Err("${nope}"));
    assert_eq!(log_format_fields("${srcaddr}x"), Err("${srcaddr}x"));
}
