//! VPC peering: Create/Accept/Reject/DeleteVpcPeeringConnection, expiry, cross-account
//! peering, and the state of routes through a connection.

mod common;

use common::*;
use vpclab_model::*;

const WEEK: i64 = 7 * 24 * 3600;

struct World {
    lab: Lab,
    a: Caller,
    b: Caller,
    /// A's VPC, 10.0.0.0/16.
    va: VpcId,
    /// B's VPC, 10.1.0.0/16.
    vb: VpcId,
}

fn world() -> World {
    let (mut lab, a, b) = lab2();
    let va = vpc(&mut lab, &a, "10.0.0.0/16");
    let vb = vpc(&mut lab, &b, "10.1.0.0/16");
    World { lab, a, b, va, vb }
}

fn status(lab: &Lab, pcx: &VpcPeeringConnectionId) -> PeeringStatusCode {
    lab.vpc_peering_connection(pcx.as_str())
        .unwrap()
        .status
        .code
}

fn at(c: &Caller, seconds: i64) -> Caller {
    Caller {
        now: T0.plus_seconds(seconds),
        ..c.clone()
    }
}

#[test]
fn a_request_waits_for_the_accepter_for_a_week() {
    let mut w = world();
    let pcx = peering(&mut w.lab, &w.a, &w.va, &w.vb, B);
    assert_consistent(&w.lab);
    let p = w.lab.vpc_peering_connection(pcx.as_str()).unwrap();
    assert_eq!(p.status.code, PeeringStatusCode::PendingAcceptance);
    assert_eq!(p.status.code.as_str(), "pending-acceptance");
    assert_eq!(p.status.message, format!("Pending Acceptance by {B}"));
    assert_eq!(p.expiration_time, Some(T0.plus_seconds(WEEK)));
    assert_eq!(p.owner_id, account(A));
    assert_eq!(
        (
            p.requester.owner_id.clone(),
            p.requester.vpc_id.clone(),
            p.requester.region.name()
        ),
        (account(A), w.va.clone(), "us-east-1")
    );
    assert_eq!(
        (p.accepter.owner_id.clone(), p.accepter.vpc_id.clone()),
        (account(B), w.vb.clone())
    );
    assert_eq!(
        p.other_side(&w.va).map(|s| s.vpc_id.clone()),
        Some(w.vb.clone())
    );
    assert_eq!(
        p.other_side(&w.vb).map(|s| s.vpc_id.clone()),
        Some(w.va.clone())
    );
    // Both owners see it; a third account does not.
    assert!(w.lab.visible_peering(&w.b, pcx.as_str()).is_ok());
    assert_eq!(
        w.lab
            .visible_peering(&caller(C), pcx.as_str())
            .unwrap_err()
            .code(),
        "InvalidVpcPeeringConnectionID.NotFound"
    );
}

#[test]
fn only_the_accepter_accepts_and_routes_become_active() {
    let mut w = world();
    let (lab, a, b) = (&mut w.lab, &w.a, &w.b);
    let pcx = peering(lab, a, &w.va, &w.vb, B);
    let rt_a = main_rt(lab, &w.va);
    let rt_b = main_rt(lab, &w.vb);
    // A route may point at a pending connection; it carries nothing yet.
    lab.create_route(a, rt_a.as_str(), &via_pcx("10.1.0.0/16", &pcx))
        .unwrap();
    assert_eq!(
        route_state(lab, &rt_a, "10.1.0.0/16"),
        RouteState::Blackhole
    );
    // AWS: only the owner of the accepter VPC can accept.
    assert_refused(lab, "OperationNotPermitted", |l| {
        l.accept_vpc_peering_connection(a, pcx.as_str())
    });
    assert_refused(lab, "InvalidVpcPeeringConnectionID.NotFound", |l| {
        l.accept_vpc_peering_connection(&caller(C), pcx.as_str())
    });
    lab.accept_vpc_peering_connection(b, pcx.as_str()).unwrap();
    assert_consistent(lab);
    let p = lab.vpc_peering_connection(pcx.as_str()).unwrap();
    assert_eq!(
        (p.status.code, p.status.message.as_str()),
        (PeeringStatusCode::Active, "Active")
    );
    assert_eq!(p.expiration_time, None);
    assert_eq!(route_state(lab, &rt_a, "10.1.0.0/16"), RouteState::Active);
    // The accepter routes back through the same connection.
    lab.create_route(b, rt_b.as_str(), &via_pcx("10.0.0.0/16", &pcx))
        .unwrap();
    assert_eq!(route_state(lab, &rt_b, "10.0.0.0/16"), RouteState::Active);
    // AWS: accepting twice is an invalid transition.
    assert_refused(lab, "InvalidStateTransition", |l| {
        l.accept_vpc_peering_connection(b, pcx.as_str())
    });
    assert_refused(lab, "InvalidStateTransition", |l| {
        l.reject_vpc_peering_connection(b, pcx.as_str())
    });
}

#[test]
fn rejected_connection_carries_nothing_and_can_be_requested_again() {
    let mut w = world();
    let (lab, a, b) = (&mut w.lab, &w.a, &w.b);
    let pcx = peering(lab, a, &w.va, &w.vb, B);
    let rt_a = main_rt(lab, &w.va);
    lab.create_route(a, rt_a.as_str(), &via_pcx("10.1.0.0/16", &pcx))
        .unwrap();
    assert_refused(lab, "OperationNotPermitted", |l| {
        l.reject_vpc_peering_connection(a, pcx.as_str())
    });
    lab.reject_vpc_peering_connection(b, pcx.as_str()).unwrap();
    assert_eq!(status(lab, &pcx), PeeringStatusCode::Rejected);
    assert_eq!(
        route_state(lab, &rt_a, "10.1.0.0/16"),
        RouteState::Blackhole
    );
    assert_refused(lab, "InvalidStateTransition", |l| {
        l.accept_vpc_peering_connection(b, pcx.as_str())
    });
    assert_refused(lab, "InvalidStateTransition", |l| {
        l.delete_vpc_peering_connection(a, pcx.as_str())
    });
    // No route can be made through a rejected connection.
    let rt_b = main_rt(lab, &w.vb);
    assert_refused(lab, "InvalidParameterValue", |l| {
        l.create_route(b, rt_b.as_str(), &via_pcx("10.0.0.0/16", &pcx))
    });
    let again = peering(lab, a, &w.va, &w.vb, B);
    assert_ne!(again, pcx);
    assert_consistent(lab);
}

#[test]
fn deleting_an_active_connection_blackholes_its_routes() {
    let mut w = world();
    let (lab, a, b) = (&mut w.lab, &w.a, &w.b);
    let pcx = peering(lab, a, &w.va, &w.vb, B);
    lab.accept_vpc_peering_connection(b, pcx.as_str()).unwrap();
    let rt_a = main_rt(lab, &w.va);
    lab.create_route(a, rt_a.as_str(), &via_pcx("10.1.0.0/16", &pcx))
        .unwrap();
    // AWS: either owner may delete an active connection.
    lab.delete_vpc_peering_connection(b, pcx.as_str()).unwrap();
    assert_eq!(status(lab, &pcx), PeeringStatusCode::Deleted);
    assert_eq!(
        route_state(lab, &rt_a, "10.1.0.0/16"),
        RouteState::Blackhole
    );
    assert_refused(lab, "InvalidStateTransition", |l| {
        l.delete_vpc_peering_connection(a, pcx.as_str())
    });
    assert_consistent(lab);
}

#[test]
fn a_pending_request_is_deleted_by_the_requester_and_rejected_by_the_accepter() {
    let mut w = world();
    let (lab, a, b) = (&mut w.lab, &w.a, &w.b);
    let pcx = peering(lab, a, &w.va, &w.vb, B);
    assert_refused(lab, "InvalidStateTransition", |l| {
        l.delete_vpc_peering_connection(b, pcx.as_str())
    });
    lab.delete_vpc_peering_connection(a, pcx.as_str()).unwrap();
    let p = lab.vpc_peering_connection(pcx.as_str()).unwrap();
    assert_eq!(
        (p.status.code, p.expiration_time),
        (PeeringStatusCode::Deleted, None)
    );
}

#[test]
fn overlapping_cidrs_make_the_request_fail() {
    // AWS: "You cannot create a VPC peering connection between VPCs that have matching or
    // overlapping IPv4 CIDR blocks" — the request is created in state `failed`.
    let mut w = world();
    let (lab, a, b) = (&mut w.lab, &w.a, &w.b);
    let same = vpc(lab, b, "10.0.128.0/17");
    let pcx = peering(lab, a, &w.va, &same, B);
    let p = lab.vpc_peering_connection(pcx.as_str()).unwrap();
    assert_eq!(p.status.code, PeeringStatusCode::Failed);
    assert_eq!(p.expiration_time, None);
    assert!(p.status.message.contains("Overlapping CIDRs"));
    assert_refused(lab, "InvalidStateTransition", |l| {
        l.accept_vpc_peering_connection(b, pcx.as_str())
    });
    assert_refused(lab, "InvalidStateTransition", |l| {
        l.delete_vpc_peering_connection(a, pcx.as_str())
    });
    // A failed request does not block a new one (which fails the same way).
    let again = peering(lab, a, &w.va, &same, B);
    assert_eq!(status(lab, &again), PeeringStatusCode::Failed);
}

#[test]
fn a_block_added_while_pending_that_overlaps_stops_the_accept() {
    let mut w = world();
    let (lab, a, b) = (&mut w.lab, &w.a, &w.b);
    let pcx = peering(lab, a, &w.va, &w.vb, B);
    lab.associate_vpc_cidr_block(b, w.vb.as_str(), Some("10.0.0.0/24"), false)
        .unwrap();
    assert_refused(lab, "InvalidParameterValue", |l| {
        l.accept_vpc_peering_connection(b, pcx.as_str())
    });
    assert_eq!(status(lab, &pcx), PeeringStatusCode::PendingAcceptance);
}

#[test]
fn an_unaccepted_request_expires_after_seven_days() {
    let mut w = world();
    let (lab, a, b) = (&mut w.lab, &w.a, &w.b);
    let pcx = peering(lab, a, &w.va, &w.vb, B);
    let late = at(b, WEEK + 1);
    // The refusal leaves the connection as it was; expiry is the clock's business.
    assert_refused(lab, "InvalidStateTransition", |l| {
        l.accept_vpc_peering_connection(&late, pcx.as_str())
    });
    assert_refused(lab, "InvalidStateTransition", |l| {
        l.reject_vpc_peering_connection(&late, pcx.as_str())
    });
    assert_refused(lab, "InvalidStateTransition", |l| {
        l.delete_vpc_peering_connection(&at(a, WEEK + 1), pcx.as_str())
    });
    let p = lab.vpc_peering_connection(pcx.as_str()).unwrap().clone();
    assert_eq!(
        p.status_at(T0.plus_seconds(WEEK)),
        PeeringStatusCode::PendingAcceptance
    );
    assert_eq!(
        p.status_at(T0.plus_seconds(WEEK + 1)),
        PeeringStatusCode::Expired
    );
    // An expired request does not block a new one between the same VPCs.
    let again = lab
        .create_vpc_peering_connection(
            &at(a, WEEK + 1),
            w.va.as_str(),
            w.vb.as_str(),
            Some(B),
            None,
            Tags::new(),
        )
        .unwrap();
    // The clock moves the old request to `expired`; the new one is still pending.
    let expired = lab.expire_vpc_peering_connections(T0.plus_seconds(WEEK + 1));
    assert_eq!(expired, vec![pcx.clone()]);
    assert_eq!(status(lab, &pcx), PeeringStatusCode::Expired);
    assert_eq!(status(lab, &again), PeeringStatusCode::PendingAcceptance);
    assert!(
        lab.expire_vpc_peering_connections(T0.plus_seconds(WEEK + 1))
            .is_empty()
    );
    assert_consistent(lab);
}

#[test]
fn a_request_accepted_on_its_last_second_becomes_active() {
    let mut w = world();
    let pcx = peering(&mut w.lab, &w.a, &w.va, &w.vb, B);
    w.lab
        .accept_vpc_peering_connection(&at(&w.b, WEEK), pcx.as_str())
        .unwrap();
    assert_eq!(status(&w.lab, &pcx), PeeringStatusCode::Active);
    // An active connection never expires.
    assert!(
        w.lab
            .expire_vpc_peering_connections(T0.plus_seconds(2 * WEEK))
            .is_empty()
    );
    assert_eq!(status(&w.lab, &pcx), PeeringStatusCode::Active);
}

#[test]
fn peering_within_one_account() {
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let w2 = vpc(&mut lab, &a, "10.1.0.0/16");
    let pcx = lab
        .create_vpc_peering_connection(&a, v.as_str(), w2.as_str(), None, None, Tags::new())
        .unwrap();
    assert_eq!(
        lab.vpc_peering_connection(pcx.as_str())
            .unwrap()
            .accepter
            .owner_id,
        account(A)
    );
    lab.accept_vpc_peering_connection(&a, pcx.as_str()).unwrap();
    assert_eq!(status(&lab, &pcx), PeeringStatusCode::Active);
}

#[test]
fn create_vpc_peering_connection_refusals() {
    let mut w = world();
    let (lab, a, b) = (&mut w.lab, &w.a, &w.b);
    let (va, vb) = (w.va.to_string(), w.vb.to_string());
    let mine = vpc(lab, a, "10.2.0.0/16").to_string();
    let create = |l: &mut Lab,
                  c: &Caller,
                  vpc: &str,
                  peer: &str,
                  owner: Option<&str>,
                  region: Option<&str>| {
        l.create_vpc_peering_connection(c, vpc, peer, owner, region, Tags::new())
    };
    assert_refused(lab, "InvalidParameterValue", |l| {
        create(l, a, &va, &va, None, None)
    });
    // The lab peers within a region only.
    assert_refused(lab, "InvalidParameterValue", |l| {
        create(l, a, &va, &vb, Some(B), Some("us-west-2"))
    });
    assert_refused(lab, "InvalidParameterValue", |l| {
        create(l, a, &va, &vb, Some(B), Some("mars-1"))
    });
    assert_refused(lab, "InvalidParameterValue", |l| {
        create(l, a, &va, &vb, Some("12"), None)
    });
    // The peer VPC must belong to the named owner (default: the caller).
    assert_refused(lab, "InvalidVpcID.NotFound", |l| {
        create(l, a, &va, &vb, None, None)
    });
    assert_refused(lab, "InvalidVpcID.NotFound", |l| {
        create(l, a, &va, &vb, Some(C), None)
    });
    assert_refused(lab, "InvalidVpcID.Malformed", |l| {
        create(l, a, &va, "vpc-q", Some(B), None)
    });
    assert_refused(lab, "InvalidVpcID.NotFound", |l| {
        create(l, b, &va, &vb, Some(B), None)
    });
    assert_refused(lab, "InvalidParameterValue", |l| {
        l.create_vpc_peering_connection(a, &va, &vb, Some(B), None, tags(&[("aws:q", "")]))
    });
    // AWS: one live connection per pair of VPCs, whichever side asked.
    create(lab, a, &va, &vb, Some(B), Some("us-east-1")).unwrap();
    assert_refused(lab, "VpcPeeringConnectionAlreadyExists", |l| {
        create(l, a, &va, &vb, Some(B), None)
    });
    assert_refused(lab, "VpcPeeringConnectionAlreadyExists", |l| {
        create(l, b, &vb, &va, Some(A), None)
    });
    create(lab, a, &mine, &vb, Some(B), None).unwrap();
    assert_refused(lab, "InvalidVpcPeeringConnectionId.Malformed", |l| {
        l.accept_vpc_peering_connection(b, "pcx-zz")
    });
    assert_refused(lab, "InvalidVpcPeeringConnectionID.NotFound", |l| {
        l.delete_vpc_peering_connection(a, &missing("pcx"))
    });
}

#[test]
fn deleting_a_vpc_deletes_live_connections_and_leaves_expired_ones_expired() {
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let w = vpc(&mut lab, &a, "10.1.0.0/16");
    let x = vpc(&mut lab, &a, "10.2.0.0/16");
    let old = peering(&mut lab, &a, &v, &w, A);
    let later = at(&a, WEEK + 10);
    let fresh = lab
        .create_vpc_peering_connection(&later, v.as_str(), x.as_str(), None, None, Tags::new())
        .unwrap();
    lab.delete_vpc(&later, v.as_str()).unwrap();
    assert_eq!(status(&lab, &old), PeeringStatusCode::Expired);
    assert_eq!(status(&lab, &fresh), PeeringStatusCode::Deleted);
    assert_consistent(&lab);
}
