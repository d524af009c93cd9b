//! Network load balancers: a connection to a load balancer's address passes its listener
//! for the port and its target group, then goes from the load balancer's node to a target
//! in the node's zone, where the target's groups decide.

mod common;

use common::*;
use vpclab_model::*;
use vpclab_reach::{ComponentKind, Delivery};

struct Net {
    w: World,
    client: InstanceId,
    app: InstanceId,
    app_sg: SecurityGroupId,
    lb: LoadBalancerArn,
    tg: TargetGroupArn,
}

/// VPC 10.0.0.0/16, one subnet: a client, an app instance whose group admits 8080 from
/// the VPC, an internal NLB listening on TCP 80 forwarding to the app's 8080.
fn network() -> Net {
    let mut w = World::new();
    let vpc = w.vpc("10.0.0.0/16");
    let subnet = w.subnet(&vpc, "10.0.1.0/24");
    let app_sg = w.sg(&vpc, "app");
    w.allow_in(&app_sg, IpPermission::tcp(8080, 8080, "10.0.0.0/16"));
    let client = w.instance(&subnet, false, &[]);
    let app = w.instance(&subnet, false, &[&app_sg]);
    let c = w.caller.clone();
    let lb = w
        .lab
        .create_load_balancer(
            &c,
            CreateLoadBalancer {
                name: "svc".into(),
                subnets: vec![subnet.to_string()],
                scheme: Some("internal".into()),
                load_balancer_type: Some("network".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let tg = w
        .lab
        .create_target_group(
            &c,
            CreateTargetGroup {
                name: "app".into(),
                protocol: Some("TCP".into()),
                port: Some(8080),
                vpc_id: Some(vpc.to_string()),
                target_type: Some("instance".into()),
                ..Default::default()
            },
        )
        .unwrap();
    w.lab
        .register_targets(
            &c,
            tg.as_str(),
            &[TargetDescription {
                id: app.to_string(),
                ..Default::default()
            }],
        )
        .unwrap();
    w.lab
        .create_listener(
            &c,
            CreateListener {
                load_balancer_arn: lb.to_string(),
                protocol: Some("TCP".into()),
                port: Some(80),
                default_actions: vec![ListenerAction {
                    action_type: "forward".into(),
                    target_group_arn: Some(tg.to_string()),
                    ..Default::default()
                }],
                ..Default::default()
            },
        )
        .unwrap();
    Net {
        w,
        client,
        app,
        app_sg,
        lb,
        tg,
    }
}

fn lb_address(n: &Net) -> std::net::IpAddr {
    let lb = n.w.lab.load_balancer(n.lb.as_str()).unwrap();
    let eni =
        n.w.lab
            .network_interface(lb.network_interface_ids[0].as_str())
            .unwrap();
    std::net::IpAddr::V4(eni.primary_private_ip())
}

#[test]
fn the_listener_forwards_to_the_target_port_and_the_client_address_is_preserved() {
    let n = network();
    let t = n.w.tcp(&n.client, lb_address(&n), 80);
    match delivered(&t) {
        Delivery::LoadBalancerTarget {
            instance_id,
            port,
            seen_source,
            target_group_arn,
            vpc_endpoint_id,
            ..
        } => {
            assert_eq!(instance_id.as_deref(), Some(n.app.as_str()));
            assert_eq!(*port, 8080);
            // Instance targets keep the client's address by default.
            assert_eq!(*seen_source, n.w.private_ip(&n.client));
            assert_eq!(target_group_arn, n.tg.as_str());
            assert!(vpc_endpoint_id.is_none());
        }
        other => panic!("{other:?}"),
    }
    let kinds: Vec<_> = t.forward.iter().map(|h| h.component.kind).collect();
    for k in [
        ComponentKind::LoadBalancer,
        ComponentKind::Listener,
        ComponentKind::TargetGroup,
        ComponentKind::Instance,
    ] {
        assert!(kinds.contains(&k), "{k:?} missing from {t}");
    }
    assert!(!t.reverse.is_empty());
}

#[test]
fn a_port_without_a_listener_is_refused_at_the_load_balancer() {
    let n = network();
    let t = n.w.tcp(&n.client, lb_address(&n), 443);
    let r = refused(&t, "ELBV2_LISTENER_PORT_RESTRICTION");
    assert_eq!(r.component.id, n.lb.as_str());
    assert!(r.explanation.contains("TCP 80"), "{}", r.explanation);
}

#[test]
fn the_target_group_decides_after_the_listener() {
    let mut n = network();
    // Without a rule for the target port, the app's group refuses the load balancer.
    let c = n.w.caller.clone();
    n.w.lab
        .revoke_security_group_rules(
            &c,
            n.app_sg.as_str(),
            false,
            &[IpPermission::tcp(8080, 8080, "10.0.0.0/16")],
            &[],
        )
        .unwrap();
    let t = n.w.tcp(&n.client, lb_address(&n), 80);
    refused(&t, "SG_HAS_NO_RULES");
    // No target at all: the listener's group is empty.
    n.w.lab
        .deregister_targets(
            &c,
            n.tg.as_str(),
            &[TargetDescription {
                id: n.app.to_string(),
                ..Default::default()
            }],
        )
        .unwrap();
    refused(
        &n.w.tcp(&n.client, lb_address(&n), 80),
        "ELBV2_LISTENER_HAS_NO_TG",
    );
}
