//! Reachability Analyzer's resources: paths (checked when created) and analyses (kept as
//! the finding they were given).

mod common;

use common::*;
use vpclab_model::*;

fn path(source: &str, destination: Option<&str>, port: Option<i32>) -> CreateNetworkInsightsPath {
    CreateNetworkInsightsPath {
        source: source.into(),
        destination: destination.map(Into::into),
        protocol: "tcp".into(),
        destination_port: port,
        ..Default::default()
    }
}

#[test]
fn a_path_names_its_ends_by_id_or_arn_and_its_analyses_keep_their_finding() {
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let s = subnet(&mut lab, &a, &v, "10.0.1.0/24");
    let from = instance(&mut lab, &a, &s);
    let to = instance(&mut lab, &a, &s);
    let arn = format!("arn:aws:ec2:us-east-1:{}:instance/{to}", a.account);
    let id = lab
        .create_network_insights_path(&a, &path(from.as_str(), Some(&arn), Some(443)))
        .unwrap();
    let p = lab.network_insights_path(id.as_str()).unwrap();
    assert_eq!(p.destination.as_deref(), Some(to.as_str()));
    assert_eq!(p.destination_port, 443);
    assert_eq!(
        p.arn(),
        format!(
            "arn:aws:ec2:us-east-1:{}:network-insights-path/{id}",
            a.account
        )
    );
    let analysis = lab
        .start_network_insights_analysis(&a, id.as_str(), true, "trace:{}", &Tags::new())
        .unwrap();
    let kept = lab.network_insights_analysis(analysis.as_str()).unwrap();
    assert_eq!(
        (kept.finding.as_str(), kept.network_path_found),
        ("trace:{}", true)
    );
    // Not while it has analyses; then it goes.
    assert_refused(&mut lab, "DependencyViolation", |lab| {
        lab.delete_network_insights_path(&a, id.as_str())
    });
    lab.delete_network_insights_analysis(&a, analysis.as_str())
        .unwrap();
    lab.delete_network_insights_path(&a, id.as_str()).unwrap();
    assert!(lab.network_insights_paths().next().is_none());
    assert_consistent(&lab);
}

#[test]
fn bad_paths_are_refused_with_aws_codes_and_change_nothing() {
    let (mut lab, a) = lab();
    let other = caller("222222222222");
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let s = subnet(&mut lab, &a, &v, "10.0.1.0/24");
    let from = instance(&mut lab, &a, &s);
    let to = instance(&mut lab, &a, &s);
    let mut icmp = path(from.as_str(), Some(to.as_str()), Some(1));
    icmp.protocol = "icmp".into();
    for (req, code) in [
        (icmp, "InvalidParameterValue"),
        (
            path(from.as_str(), Some(to.as_str()), None),
            "MissingParameter",
        ),
        (
            path(from.as_str(), Some(to.as_str()), Some(65536)),
            "InvalidParameterValue",
        ),
        (
            path(from.as_str(), None, Some(22)),
            "InvalidParameterCombination",
        ),
        (
            path(s.as_str(), Some(to.as_str()), Some(22)),
            "InvalidParameterValue",
        ),
        (
            path(from.as_str(), Some("i-0123456789abcdef0"), Some(22)),
            "InvalidInstanceID.NotFound",
        ),
    ] {
        assert_refused(&mut lab, code, |lab| {
            lab.create_network_insights_path(&a, &req)
        });
    }
    // Another account's instance is not found for this caller.
    assert_refused(&mut lab, "InvalidInstanceID.NotFound", |lab| {
        lab.create_network_insights_path(&other, &path(from.as_str(), Some(to.as_str()), Some(22)))
    });
    // An internet gateway destination needs the host's address.
    let igw = igw_attached(&mut lab, &a, &v);
    assert_refused(&mut lab, "InvalidParameterCombination", |lab| {
        lab.create_network_insights_path(&a, &path(from.as_str(), Some(igw.as_str()), Some(443)))
    });
    assert_refused(&mut lab, "InvalidNetworkInsightsPathId.NotFound", |lab| {
        lab.start_network_insights_analysis(&a, "nip-0123456789abcdef0", false, "", &Tags::new())
    });
    assert_refused(&mut lab, "InvalidNetworkInsightsPathId.Malformed", |lab| {
        lab.start_network_insights_analysis(&a, "nip-x", false, "", &Tags::new())
    });
}
