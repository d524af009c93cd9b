//! Network load balancers: a connection to a load balancer's address passes its listener
//! for the port and its target group, then goes from the load balancer's node to a target
//! in the node's zone, where the target's groups decide.

use vpclab_model::*;
use vpclab_reach::{ComponentKind, Delivery};
use vpclab_testkit::*;

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
    let mut w = World::new(42);
    let vpc = w.vpc("10.0.0.0/16");
    let subnet = w.subnet(&vpc, "10.0.1.0/24");
    let app_sg = w.sg(&vpc, "app");
    w.allow_in(&app_sg, IpPermission::tcp(8080, 8080, "10.0.0.0/16"));
    let client = w.instance(&subnet, false, &[]);
    let app = w.instance(&subnet, false, &[&app_sg]);
    let (lb, tg) = w.network_load_balancer("svc", &vpc, &[&subnet], &[&app], 8080);
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

// ---- PrivateLink ----

struct Link {
    n: Net,
    consumer: Caller,
    client: InstanceId,
    endpoint: VpcEndpointId,
    endpoint_sg: SecurityGroupId,
    service: VpcEndpointServiceId,
}

/// The provider's network above as an endpoint service (acceptance required) for the
/// other account, whose VPC has the same CIDR and an interface endpoint admitting TCP 80.
fn link() -> Link {
    let mut n = network();
    let consumer = n.w.other.clone();
    let service = n.w.endpoint_service(&n.lb, &consumer);
    let vpc = n.w.vpc_as(&consumer, "10.0.0.0/16", None);
    let subnet = n.w.subnet_as(&consumer, &vpc, "10.0.1.0/24", None, None);
    let endpoint_sg =
        n.w.sg_admitting(&consumer, &vpc, "to-svc", 80, "10.0.0.0/16");
    let client = n.w.instance_as(&consumer, &subnet, false, &[], None);
    let service_name = n.w.service_name(&service);
    let endpoint =
        n.w.interface_endpoint(&consumer, &vpc, &service_name, &[&subnet], &[&endpoint_sg]);
    Link {
        n,
        consumer,
        client,
        endpoint,
        endpoint_sg,
        service,
    }
}

fn endpoint_address(l: &Link) -> std::net::IpAddr {
    l.n.w.endpoint_address(&l.endpoint)
}

#[test]
fn privatelink_waits_for_acceptance_then_reaches_the_target_from_the_load_balancer() {
    let mut l = link();
    let t = l.n.w.tcp(&l.client, endpoint_address(&l), 80);
    let r = refused(&t, "BAD_STATE");
    assert_eq!(r.component.id, l.endpoint.as_str());
    assert!(
        r.explanation.contains("pendingAcceptance"),
        "{}",
        r.explanation
    );
    let c = l.n.w.caller.clone();
    let failed =
        l.n.w
            .lab
            .accept_vpc_endpoint_connections(&c, l.service.as_str(), &[l.endpoint.to_string()])
            .unwrap();
    assert!(failed.is_empty());
    let t = l.n.w.tcp(&l.client, endpoint_address(&l), 80);
    let lb_ip = lb_address(&l.n);
    match delivered(&t) {
        Delivery::LoadBalancerTarget {
            instance_id,
            seen_source,
            client,
            vpc_endpoint_id,
            port,
            ..
        } => {
            assert_eq!(instance_id.as_deref(), Some(l.n.app.as_str()));
            assert_eq!(*port, 8080);
            // Through PrivateLink the target sees the load balancer, never the client.
            assert_eq!(*seen_source, lb_ip);
            assert_eq!(client.0, l.n.w.private_ip(&l.client));
            assert_eq!(vpc_endpoint_id.as_deref(), Some(l.endpoint.as_str()));
        }
        other => panic!("{other:?}"),
    }
    let ids: Vec<&str> = t.forward.iter().map(|h| h.component.id.as_str()).collect();
    for id in [
        l.endpoint.as_str(),
        l.service.as_str(),
        l.n.lb.as_str(),
        l.n.tg.as_str(),
        l.n.app.as_str(),
    ] {
        assert!(ids.contains(&id), "{id} missing from {t}");
    }
    // A port without a listener, then a rejected connection.
    refused(
        &l.n.w.tcp(&l.client, endpoint_address(&l), 443),
        "ENI_SG_RULES_MISMATCH",
    );
    let consumer = l.consumer.clone();
    l.n.w
        .lab
        .authorize_security_group_rules(
            &consumer,
            l.endpoint_sg.as_str(),
            false,
            &[IpPermission::tcp(443, 443, "10.0.0.0/16")],
        )
        .unwrap();
    let t = l.n.w.tcp(&l.client, endpoint_address(&l), 443);
    let r = refused(&t, "ELBV2_LISTENER_PORT_RESTRICTION");
    assert_eq!(r.component.id, l.n.lb.as_str());
    l.n.w
        .lab
        .reject_vpc_endpoint_connections(&c, l.service.as_str(), &[l.endpoint.to_string()])
        .unwrap();
    let t = l.n.w.tcp(&l.client, endpoint_address(&l), 80);
    assert!(refused(&t, "BAD_STATE").explanation.contains("rejected"));
}

#[test]
fn the_provider_cannot_open_connections_back_to_the_consumer() {
    let l = link();
    // The endpoint's address means nothing in the provider's VPC (the same CIDR): it
    // reaches no interface there, or one of the provider's own.
    let t = l.n.w.tcp(&l.n.app, endpoint_address(&l), 80);
    if let Some(Delivery::NetworkInterface {
        network_interface_id,
        ..
    }) = t.delivery()
    {
        let eni = l.n.w.lab.network_interface(network_interface_id).unwrap();
        assert_eq!(eni.owner_id, l.n.w.caller.account);
    }
    assert!(!t.hops().any(|h| h.component.id == l.endpoint.as_str()));
}

#[test]
fn a_node_reaches_other_zones_only_with_cross_zone_load_balancing() {
    let mut w = World::new(42);
    let vpc = w.vpc("10.0.0.0/16");
    let c = w.caller.clone();
    let a = w.subnet_in(&vpc, "10.0.1.0/24", "us-east-1a");
    let b = w.subnet_in(&vpc, "10.0.2.0/24", "us-east-1b");
    let client = w.instance(&a, false, &[]);
    let app = w.instance(&b, false, &[]);
    let (lb, _) = w.network_load_balancer("zones", &vpc, &[&a, &b], &[&app], 80);
    // The node in us-east-1a, where no target is.
    let node_a = {
        let lb = w.lab.load_balancer(lb.as_str()).unwrap();
        let zone = lb
            .availability_zones
            .iter()
            .find(|z| z.zone_name == "us-east-1a")
            .unwrap();
        let eni = w
            .lab
            .network_interface(zone.network_interface_id.as_str())
            .unwrap();
        std::net::IpAddr::V4(eni.primary_private_ip())
    };
    let t = w.tcp(&client, node_a, 80);
    refused(&t, "ELBV2_NO_TARGETS_IN_AZ");
    w.lab
        .modify_load_balancer_attributes(
            &c,
            lb.as_str(),
            &[("load_balancing.cross_zone.enabled".into(), "true".into())],
        )
        .unwrap();
    match delivered(&w.tcp(&client, node_a, 80)) {
        Delivery::LoadBalancerTarget { instance_id, .. } => {
            assert_eq!(instance_id.as_deref(), Some(app.as_str()))
        }
        other => panic!("{other:?}"),
    }
}

/// The provider's network with its load balancer in a security group ("nlb") that admits
/// TCP 80 only from the provider's "clients" group, whose instance has the same address
/// as the consumer's client (both VPCs are 10.0.0.0/16), offered through PrivateLink.
struct Guarded {
    w: World,
    consumer: Caller,
    client: InstanceId,
    provider_client: InstanceId,
    lb: LoadBalancerArn,
    nlb_sg: SecurityGroupId,
    endpoint: VpcEndpointId,
}

fn guarded() -> Guarded {
    let mut w = World::new(42);
    let vpc = w.vpc("10.0.0.0/16");
    let subnet = w.subnet(&vpc, "10.0.1.0/24");
    let app_sg = w.sg(&vpc, "app");
    w.allow_in(&app_sg, IpPermission::tcp(8080, 8080, "10.0.0.0/16"));
    let clients = w.sg(&vpc, "clients");
    let nlb_sg = w.sg(&vpc, "nlb");
    w.allow_in(
        &nlb_sg,
        IpPermission {
            ip_protocol: "tcp".into(),
            from_port: Some(80),
            to_port: Some(80),
            user_id_group_pairs: vec![UserIdGroupPair {
                group_id: Some(clients.to_string()),
                ..Default::default()
            }],
            ..Default::default()
        },
    );
    let provider_client = w.instance(&subnet, false, &[&clients]);
    let app = w.instance(&subnet, false, &[&app_sg]);
    let (lb, _) =
        w.network_load_balancer_in_groups("svc", &vpc, &[&subnet], &[&app], 8080, &[&nlb_sg]);
    let consumer = w.other.clone();
    let service = w.endpoint_service(&lb, &consumer);
    let cvpc = w.vpc_as(&consumer, "10.0.0.0/16", None);
    let csubnet = w.subnet_as(&consumer, &cvpc, "10.0.1.0/24", None, None);
    let endpoint_sg = w.sg_admitting(&consumer, &cvpc, "to-svc", 80, "10.0.0.0/16");
    let client = w.instance_as(&consumer, &csubnet, false, &[], None);
    let service_name = w.service_name(&service);
    let endpoint = w.interface_endpoint(
        &consumer,
        &cvpc,
        &service_name,
        &[&csubnet],
        &[&endpoint_sg],
    );
    let c = w.caller.clone();
    w.lab
        .accept_vpc_endpoint_connections(&c, service.as_str(), &[endpoint.to_string()])
        .unwrap();
    Guarded {
        w,
        consumer,
        client,
        provider_client,
        lb,
        nlb_sg,
        endpoint,
    }
}

#[test]
fn the_load_balancers_groups_judge_privatelink_traffic_by_the_clients_address() {
    let mut g = guarded();
    assert_eq!(
        g.w.private_ip(&g.client),
        g.w.private_ip(&g.provider_client)
    );
    let to_endpoint = |g: &Guarded| g.w.tcp(&g.client, g.w.endpoint_address(&g.endpoint), 80);
    // The provider's own client passes (its group is named); the consumer's, at the same
    // address but in another VPC, is no member of any provider group.
    let lb = g.w.lab.load_balancer(g.lb.as_str()).unwrap().clone();
    let node =
        g.w.lab
            .network_interface(lb.network_interface_ids[0].as_str())
            .unwrap();
    let node_ip = std::net::IpAddr::V4(node.primary_private_ip());
    delivered(&g.w.tcp(&g.provider_client, node_ip, 80));
    let t = to_endpoint(&g);
    let r = refused(&t, "ENI_SG_RULES_MISMATCH");
    assert_eq!(r.component.id, g.nlb_sg.as_str());
    assert!(r.explanation.contains("PrivateLink"), "{}", r.explanation);
    assert_eq!(r.header.source, g.w.private_ip(&g.client));
    // Admitting the client's address admits the connection, through the group.
    let c = g.w.caller.clone();
    let client_cidr = format!("{}/32", g.w.private_ip(&g.client));
    g.w.allow_in(&g.nlb_sg, IpPermission::tcp(80, 80, &client_cidr));
    let t = to_endpoint(&g);
    delivered(&t);
    assert!(t.hops().any(|h| h.component.id == g.nlb_sg.as_str()), "{t}");
    // Turned off, the groups no longer judge PrivateLink traffic: a group with no rule
    // lets it through.
    let vpc = lb.vpc_id.clone();
    let empty = g.w.sg(&vpc, "empty");
    g.w.lab
        .set_load_balancer_security_groups(&c, g.lb.as_str(), &[empty.to_string()], Some(false))
        .unwrap();
    delivered(&to_endpoint(&g));
    // On again (the groups kept), the empty group refuses it.
    g.w.lab
        .set_load_balancer_security_groups(&c, g.lb.as_str(), &[empty.to_string()], Some(true))
        .unwrap();
    assert_eq!(
        refused(&to_endpoint(&g), "SG_HAS_NO_RULES").component.id,
        empty.as_str()
    );
    // The nodes carry the new groups for direct traffic too.
    refused(&g.w.tcp(&g.provider_client, node_ip, 80), "SG_HAS_NO_RULES");
    let _ = &g.consumer;
}

#[test]
fn security_groups_cannot_be_set_on_a_load_balancer_created_without_them_nor_all_removed() {
    let mut g = guarded();
    let c = g.w.caller.clone();
    let before = g.w.lab.load_balancer(g.lb.as_str()).unwrap().clone();
    let err =
        g.w.lab
            .set_load_balancer_security_groups(&c, g.lb.as_str(), &[], None)
            .unwrap_err();
    assert_eq!(err.code(), "InvalidConfigurationRequest");
    // A group of another VPC.
    let other_vpc = g.w.vpc("10.9.0.0/16");
    let stranger = g.w.sg(&other_vpc, "stranger");
    let err = g
        .w
        .lab
        .set_load_balancer_security_groups(&c, g.lb.as_str(), &[stranger.to_string()], Some(false))
        .unwrap_err();
    assert_eq!(err.code(), "InvalidSecurityGroup");
    // Another account's load balancer is not found.
    let consumer = g.consumer.clone();
    let err = g
        .w
        .lab
        .set_load_balancer_security_groups(&consumer, g.lb.as_str(), &[g.nlb_sg.to_string()], None)
        .unwrap_err();
    assert_eq!(err.code(), "LoadBalancerNotFound");
    assert_eq!(g.w.lab.load_balancer(g.lb.as_str()).unwrap(), &before);
    // A load balancer created without groups never gets any.
    let n = network();
    let mut w = n.w;
    let c = w.caller.clone();
    let vpc = w.lab.load_balancer(n.lb.as_str()).unwrap().vpc_id.clone();
    let sg = w.sg(&vpc, "late");
    let err = w
        .lab
        .set_load_balancer_security_groups(&c, n.lb.as_str(), &[sg.to_string()], None)
        .unwrap_err();
    assert_eq!(err.code(), "InvalidConfigurationRequest");
    assert!(
        w.lab
            .load_balancer(n.lb.as_str())
            .unwrap()
            .security_groups
            .is_empty()
    );
}

#[test]
fn a_trace_reads_back_from_json_as_it_was_written() {
    // Reachability Analyzer's analyses keep the trace as JSON and render it later.
    let g = guarded();
    let lb = g.w.lab.load_balancer(g.lb.as_str()).unwrap();
    let node =
        g.w.lab
            .network_interface(lb.network_interface_ids[0].as_str())
            .unwrap();
    let node_ip = std::net::IpAddr::V4(node.primary_private_ip());
    for t in [
        g.w.tcp(&g.provider_client, node_ip, 80),
        g.w.tcp(&g.client, g.w.endpoint_address(&g.endpoint), 80),
    ] {
        let json = serde_json::to_string(&t).unwrap();
        let back: vpclab_reach::Trace = serde_json::from_str(&json).unwrap();
        assert_eq!(back, t);
    }
}
