//! Internet gateways, egress-only internet gateways, Elastic IPs and NAT gateways.

mod common;

use common::*;
use vpclab_model::*;

// ---------------------------------------------------------------- internet gateways

#[test]
fn internet_gateway_is_created_detached_and_attaches_to_one_vpc() {
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let igw = lab
        .create_internet_gateway(&a, tags(&[("Name", "edge")]))
        .unwrap();
    let g = lab.internet_gateway(igw.as_str()).unwrap();
    assert_eq!(g.attachment, None);
    assert_eq!(g.owner_id, account(A));
    assert!(lab.internet_gateway_of(&v).is_none());
    lab.attach_internet_gateway(&a, igw.as_str(), v.as_str())
        .unwrap();
    assert_eq!(
        lab.internet_gateway(igw.as_str()).unwrap().attachment,
        Some(v.clone())
    );
    assert_eq!(lab.internet_gateway_of(&v).map(|g| g.id.clone()), Some(igw));
    assert_consistent(&lab);
}

#[test]
fn attach_internet_gateway_refusals() {
    let (mut lab, a, b) = lab2();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let w = vpc(&mut lab, &a, "10.1.0.0/16");
    let igw = igw_attached(&mut lab, &a, &v);
    // AWS: a gateway serves one VPC...
    assert_refused(&mut lab, "Resource.AlreadyAssociated", |l| {
        l.attach_internet_gateway(&a, igw.as_str(), w.as_str())
    });
    // ...and a VPC has one gateway.
    let second = lab.create_internet_gateway(&a, Tags::new()).unwrap();
    assert_refused(&mut lab, "Resource.AlreadyAssociated", |l| {
        l.attach_internet_gateway(&a, second.as_str(), v.as_str())
    });
    assert_refused(&mut lab, "InvalidInternetGatewayID.NotFound", |l| {
        l.attach_internet_gateway(&a, &missing("igw"), w.as_str())
    });
    assert_refused(&mut lab, "InvalidInternetGatewayId.Malformed", |l| {
        l.attach_internet_gateway(&a, "igw-!", w.as_str())
    });
    assert_refused(&mut lab, "InvalidVpcID.NotFound", |l| {
        l.attach_internet_gateway(&a, second.as_str(), &missing("vpc"))
    });
    assert_refused(&mut lab, "InvalidInternetGatewayID.NotFound", |l| {
        l.attach_internet_gateway(&b, second.as_str(), w.as_str())
    });
    assert_refused(&mut lab, "InvalidParameterValue", |l| {
        l.create_internet_gateway(&a, tags(&[("aws:x", "")]))
    });
}

#[test]
fn detach_and_delete_internet_gateway() {
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let w = vpc(&mut lab, &a, "10.1.0.0/16");
    let igw = igw_attached(&mut lab, &a, &v);
    // AWS: an attached gateway cannot be deleted.
    assert_refused(&mut lab, "DependencyViolation", |l| {
        l.delete_internet_gateway(&a, igw.as_str())
    });
    assert_refused(&mut lab, "Gateway.NotAttached", |l| {
        l.detach_internet_gateway(&a, igw.as_str(), w.as_str())
    });
    lab.detach_internet_gateway(&a, igw.as_str(), v.as_str())
        .unwrap();
    assert!(lab.internet_gateway_of(&v).is_none());
    assert_refused(&mut lab, "Gateway.NotAttached", |l| {
        l.detach_internet_gateway(&a, igw.as_str(), v.as_str())
    });
    lab.delete_internet_gateway(&a, igw.as_str()).unwrap();
    assert!(lab.internet_gateway(igw.as_str()).is_none());
    assert_refused(&mut lab, "InvalidInternetGatewayID.NotFound", |l| {
        l.delete_internet_gateway(&a, igw.as_str())
    });
}

#[test]
fn detach_is_refused_while_the_vpc_has_mapped_public_addresses() {
    // AWS: "Network vpc-… has some mapped public address(es). Please unmap those public
    // address(es) before detaching the gateway."
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let s = subnet(&mut lab, &a, &v, "10.0.1.0/24");
    let igw = igw_attached(&mut lab, &a, &v);
    let i = public_instance(&mut lab, &a, &s);
    assert!(public_ip_of(&lab, &i).is_some());
    assert_refused(&mut lab, "DependencyViolation", |l| {
        l.detach_internet_gateway(&a, igw.as_str(), v.as_str())
    });
    // Stopping releases the auto-assigned address; then an Elastic IP blocks it again.
    lab.stop_instances(&a, &[i.to_string()]).unwrap();
    let alloc = eip(&mut lab, &a);
    let assoc = associate_eip(&mut lab, &a, &alloc, &i);
    assert_refused(&mut lab, "DependencyViolation", |l| {
        l.detach_internet_gateway(&a, igw.as_str(), v.as_str())
    });
    lab.disassociate_address(&a, assoc.as_str()).unwrap();
    lab.detach_internet_gateway(&a, igw.as_str(), v.as_str())
        .unwrap();
    assert_consistent(&lab);
}

// ---------------------------------------------------------------- egress-only

#[test]
fn egress_only_gateway_routes_ipv6_only_and_its_deletion_blackholes_them() {
    let (mut lab, a) = lab();
    let v = vpc_v6(&mut lab, &a, "10.0.0.0/16");
    let eigw = lab
        .create_egress_only_internet_gateway(&a, v.as_str(), Tags::new())
        .unwrap();
    assert_eq!(
        lab.egress_only_internet_gateway(eigw.as_str())
            .unwrap()
            .vpc_id,
        v
    );
    let rt = main_rt(&lab, &v);
    lab.create_route(&a, rt.as_str(), &via_eigw("::/0", &eigw))
        .unwrap();
    assert_eq!(route_state(&lab, &rt, "::/0"), RouteState::Active);
    // AWS: an egress-only internet gateway is for IPv6 only.
    assert_refused(&mut lab, "InvalidParameterValue", |l| {
        l.create_route(&a, rt.as_str(), &via_eigw("0.0.0.0/0", &eigw))
    });
    let w = vpc_v6(&mut lab, &a, "10.1.0.0/16");
    let w_rt = main_rt(&lab, &w);
    assert_refused(&mut lab, "InvalidParameterValue", |l| {
        l.create_route(&a, w_rt.as_str(), &via_eigw("::/0", &eigw))
    });
    lab.delete_egress_only_internet_gateway(&a, eigw.as_str())
        .unwrap();
    assert_eq!(route_state(&lab, &rt, "::/0"), RouteState::Blackhole);
    assert_refused(
        &mut lab,
        "InvalidEgressOnlyInternetGatewayId.NotFound",
        |l| l.delete_egress_only_internet_gateway(&a, eigw.as_str()),
    );
    assert_refused(&mut lab, "InvalidVpcID.NotFound", |l| {
        l.create_egress_only_internet_gateway(&a, &missing("vpc"), Tags::new())
    });
    assert_consistent(&lab);
}

// ---------------------------------------------------------------- Elastic IPs

#[test]
fn allocate_address_draws_distinct_addresses_from_the_region_pool() {
    let (mut lab, a) = lab();
    let x = eip(&mut lab, &a);
    let y = eip(&mut lab, &a);
    let (ax, ay) = (
        lab.address(x.as_str()).unwrap().clone(),
        lab.address(y.as_str()).unwrap().clone(),
    );
    assert_ne!(ax.public_ip, ay.public_ip);
    let pool = a.region.public_ipv4_pool();
    assert!(pool.contains(&ax.public_ip) && pool.contains(&ay.public_ip));
    assert_eq!(ax.association, None);
    assert_eq!(ax.owner_id, account(A));
    let west = caller_in(A, "us-west-2");
    let z = eip(&mut lab, &west);
    assert!(
        west.region
            .public_ipv4_pool()
            .contains(&lab.address(z.as_str()).unwrap().public_ip)
    );
    // Found by allocation id or by address.
    assert_eq!(
        lab.find_address(&a, &ax.public_ip.to_string())
            .unwrap()
            .allocation_id,
        x
    );
    assert_eq!(
        lab.find_address(&a, x.as_str()).unwrap().public_ip,
        ax.public_ip
    );
    assert_eq!(
        lab.find_address(&a, "54.0.0.1").unwrap_err().code(),
        "InvalidAddress.NotFound"
    );
    assert_eq!(
        lab.find_address(&a, "not-an-ip").unwrap_err().code(),
        "InvalidAddress.Malformed"
    );
    assert_consistent(&lab);
}

#[test]
fn elastic_ip_quota_is_five_per_region() {
    let (mut lab, a) = lab();
    for _ in 0..5 {
        eip(&mut lab, &a);
    }
    assert_refused(&mut lab, "AddressLimitExceeded", |l| {
        l.allocate_address(&a, Tags::new())
    });
    eip(&mut lab, &caller_in(A, "eu-west-1"));
}

#[test]
fn released_address_returns_to_the_pool() {
    let (mut lab, a, b) = lab2();
    let x = eip(&mut lab, &a);
    let ip = lab.address(x.as_str()).unwrap().public_ip;
    assert_refused(&mut lab, "InvalidAllocationID.NotFound", |l| {
        l.release_address(&b, x.as_str())
    });
    lab.release_address(&a, x.as_str()).unwrap();
    assert!(lab.address(x.as_str()).is_none());
    assert_refused(&mut lab, "InvalidAllocationID.NotFound", |l| {
        l.release_address(&a, x.as_str())
    });
    assert_refused(&mut lab, "InvalidAllocationID.Malformed", |l| {
        l.release_address(&a, "eipalloc-1")
    });
    let y = eip(&mut lab, &b);
    assert_eq!(lab.address(y.as_str()).unwrap().public_ip, ip);
    assert_consistent(&lab);
}

struct Public {
    lab: Lab,
    a: Caller,
    vpc: VpcId,
    subnet: SubnetId,
    igw: InternetGatewayId,
}

fn public_net() -> Public {
    let (mut lab, a) = lab();
    let vpc = vpc(&mut lab, &a, "10.0.0.0/16");
    let subnet = subnet(&mut lab, &a, &vpc, "10.0.1.0/24");
    let igw = igw_attached(&mut lab, &a, &vpc);
    Public {
        lab,
        a,
        vpc,
        subnet,
        igw,
    }
}

#[test]
fn associating_an_elastic_ip_maps_it_to_the_primary_address_and_frees_the_auto_one() {
    let mut p = public_net();
    let (lab, a) = (&mut p.lab, &p.a);
    let i = public_instance(lab, a, &p.subnet);
    let auto = public_ip_of(lab, &i).unwrap();
    let x = eip(lab, a);
    let ip = lab.address(x.as_str()).unwrap().public_ip;
    let assoc = associate_eip(lab, a, &x, &i);
    assert!(assoc.as_str().starts_with("eipassoc-"));
    let eni = primary_eni(lab, &i).clone();
    assert_eq!(eni.public_ip(), Some(ip));
    let mapping = eni.private_ips[0].association.clone().unwrap();
    assert_eq!(mapping.allocation_id, Some(x.clone()));
    assert_eq!(mapping.association_id, Some(assoc.clone()));
    assert_eq!(mapping.ip_owner_id, A);
    assert_eq!(
        lab.address(x.as_str()).unwrap().association,
        Some(AddressAssociation {
            association_id: assoc,
            network_interface_id: eni.id.clone(),
            private_ip: eni.primary_private_ip(),
        })
    );
    assert_eq!(
        lab.eni_by_public_ip(ip).map(|e| e.id.clone()),
        Some(eni.id.clone())
    );
    // AWS: the auto-assigned public address is released.
    assert!(lab.eni_by_public_ip(auto).is_none());
    assert_refused(lab, "InvalidIPAddress.InUse", |l| {
        l.release_address(a, x.as_str())
    });
}

#[test]
fn elastic_ip_needs_an_internet_gateway_on_the_vpc() {
    // AWS: "Network vpc-… is not attached to any internet gateway".
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let s = subnet(&mut lab, &a, &v, "10.0.1.0/24");
    let i = instance(&mut lab, &a, &s);
    let x = eip(&mut lab, &a);
    assert_refused(&mut lab, "Gateway.NotAttached", |l| {
        l.associate_address(
            &a,
            &AssociateAddress {
                allocation_id: x.to_string(),
                instance_id: Some(i.to_string()),
                ..AssociateAddress::default()
            },
        )
    });
    igw_attached(&mut lab, &a, &v);
    associate_eip(&mut lab, &a, &x, &i);
}

#[test]
fn elastic_ip_on_a_secondary_private_address_of_an_interface() {
    let mut p = public_net();
    let (lab, a) = (&mut p.lab, &p.a);
    let e = eni(lab, a, &p.subnet);
    let added = lab
        .assign_private_ip_addresses(a, e.as_str(), &["10.0.1.50".into()], 0)
        .unwrap();
    assert_eq!(added, vec![ip4("10.0.1.50")]);
    let x = eip(lab, a);
    let ip = lab.address(x.as_str()).unwrap().public_ip;
    lab.associate_address(
        a,
        &AssociateAddress {
            allocation_id: x.to_string(),
            network_interface_id: Some(e.to_string()),
            private_ip_address: Some("10.0.1.50".into()),
            ..AssociateAddress::default()
        },
    )
    .unwrap();
    let iface = lab.network_interface(e.as_str()).unwrap();
    assert_eq!(iface.public_ip_for(ip4("10.0.1.50")), Some(ip));
    assert_eq!(
        iface.public_ip(),
        None,
        "the primary address has no public mapping"
    );
    assert_eq!(iface.private_ip_for_public(ip), Some(ip4("10.0.1.50")));
    assert_consistent(lab);
}

#[test]
fn associate_address_refusals() {
    let mut p = public_net();
    let (lab, a) = (&mut p.lab, &p.a);
    let i = instance(lab, a, &p.subnet);
    let e = eni(lab, a, &p.subnet);
    let x = eip(lab, a);
    let req = |f: fn(&mut AssociateAddress)| {
        let mut r = AssociateAddress {
            allocation_id: x.to_string(),
            ..AssociateAddress::default()
        };
        f(&mut r);
        r
    };
    assert_refused(lab, "MissingParameter", |l| {
        l.associate_address(a, &req(|_| {}))
    });
    let both = AssociateAddress {
        instance_id: Some(i.to_string()),
        network_interface_id: Some(e.to_string()),
        ..req(|_| {})
    };
    assert_refused(lab, "InvalidParameterCombination", |l| {
        l.associate_address(a, &both)
    });
    let foreign_ip = AssociateAddress {
        network_interface_id: Some(e.to_string()),
        private_ip_address: Some("10.0.1.99".into()),
        ..req(|_| {})
    };
    assert_refused(lab, "InvalidParameterValue", |l| {
        l.associate_address(a, &foreign_ip)
    });
    let bad_ip = AssociateAddress {
        private_ip_address: Some("nope".into()),
        ..foreign_ip.clone()
    };
    assert_refused(lab, "InvalidParameterValue", |l| {
        l.associate_address(a, &bad_ip)
    });
    let no_instance = AssociateAddress {
        instance_id: Some(missing("i")),
        ..req(|_| {})
    };
    assert_refused(lab, "InvalidInstanceID.NotFound", |l| {
        l.associate_address(a, &no_instance)
    });
    let no_alloc = AssociateAddress {
        allocation_id: missing("eipalloc"),
        instance_id: Some(i.to_string()),
        ..AssociateAddress::default()
    };
    assert_refused(lab, "InvalidAllocationID.NotFound", |l| {
        l.associate_address(a, &no_alloc)
    });
    lab.terminate_instances(a, &[i.to_string()]).unwrap();
    let terminated = AssociateAddress {
        instance_id: Some(i.to_string()),
        ..req(|_| {})
    };
    assert_refused(lab, "IncorrectInstanceState", |l| {
        l.associate_address(a, &terminated)
    });
}

#[test]
fn instance_with_several_interfaces_needs_an_interface_id() {
    // AWS: "The instance must have exactly one attached network interface" when only
    // InstanceId is given ("There are multiple interfaces attached to instance …").
    let mut p = public_net();
    let (lab, a) = (&mut p.lab, &p.a);
    let i = instance(lab, a, &p.subnet);
    let second = eni(lab, a, &p.subnet);
    lab.attach_network_interface(a, second.as_str(), i.as_str(), 1)
        .unwrap();
    let x = eip(lab, a);
    assert_refused(lab, "InvalidInstanceID", |l| {
        l.associate_address(
            a,
            &AssociateAddress {
                allocation_id: x.to_string(),
                instance_id: Some(i.to_string()),
                ..AssociateAddress::default()
            },
        )
    });
    lab.associate_address(
        a,
        &AssociateAddress {
            allocation_id: x.to_string(),
            network_interface_id: Some(second.to_string()),
            ..AssociateAddress::default()
        },
    )
    .unwrap();
}

#[test]
fn reassociation_is_automatic_unless_refused_explicitly() {
    // AWS (EC2-VPC-only accounts): "Reassociation is automatic, but you can specify false
    // to ensure the operation fails if the Elastic IP address is already associated with
    // another resource."
    let mut p = public_net();
    let (lab, a) = (&mut p.lab, &p.a);
    let i = instance(lab, a, &p.subnet);
    let j = instance(lab, a, &p.subnet);
    let x = eip(lab, a);
    let ip = lab.address(x.as_str()).unwrap().public_ip;
    associate_eip(lab, a, &x, &i);
    let to_j = AssociateAddress {
        allocation_id: x.to_string(),
        instance_id: Some(j.to_string()),
        ..AssociateAddress::default()
    };
    assert_refused(lab, "Resource.AlreadyAssociated", |l| {
        l.associate_address(
            a,
            &AssociateAddress {
                allow_reassociation: Some(false),
                ..to_j.clone()
            },
        )
    });
    let assoc = lab.associate_address(a, &to_j).unwrap();
    assert_consistent(lab);
    assert_eq!(public_ip_of(lab, &i), None);
    assert_eq!(public_ip_of(lab, &j), Some(ip));
    assert_eq!(
        lab.address(x.as_str())
            .unwrap()
            .association
            .as_ref()
            .map(|x| &x.association_id),
        Some(&assoc)
    );
    // AWS: the operation is idempotent; associating again where it already is succeeds,
    // even with AllowReassociation=false.
    let again = lab
        .associate_address(
            a,
            &AssociateAddress {
                allow_reassociation: Some(false),
                ..to_j.clone()
            },
        )
        .unwrap();
    assert_eq!(public_ip_of(lab, &j), Some(ip));
    assert_eq!(
        lab.address(x.as_str())
            .unwrap()
            .association
            .as_ref()
            .map(|x| x.association_id.clone()),
        Some(again)
    );
    assert_consistent(lab);
}

#[test]
fn a_new_elastic_ip_replaces_the_one_an_instance_already_has() {
    // AWS: "If you associate an Elastic IP address with an instance that has an existing
    // Elastic IP address, the existing address is disassociated from the instance, but
    // remains allocated to your account."
    let mut p = public_net();
    let (lab, a) = (&mut p.lab, &p.a);
    let i = instance(lab, a, &p.subnet);
    let x = eip(lab, a);
    let y = eip(lab, a);
    associate_eip(lab, a, &x, &i);
    associate_eip(lab, a, &y, &i);
    assert_eq!(
        public_ip_of(lab, &i),
        Some(lab.address(y.as_str()).unwrap().public_ip)
    );
    assert_eq!(lab.address(x.as_str()).unwrap().association, None);
    assert!(lab.address(x.as_str()).is_some());
    assert_consistent(lab);
}

#[test]
fn disassociate_address_by_association_id_or_address() {
    let mut p = public_net();
    let (lab, a) = (&mut p.lab, &p.a);
    let i = instance(lab, a, &p.subnet);
    let x = eip(lab, a);
    let ip = lab.address(x.as_str()).unwrap().public_ip;
    let assoc = associate_eip(lab, a, &x, &i);
    lab.disassociate_address(a, assoc.as_str()).unwrap();
    assert_consistent(lab);
    assert_eq!(public_ip_of(lab, &i), None);
    assert_eq!(lab.address(x.as_str()).unwrap().association, None);
    assert!(lab.eni_by_public_ip(ip).is_none());
    assert_refused(lab, "InvalidAssociationID.NotFound", |l| {
        l.disassociate_address(a, assoc.as_str())
    });
    assert_refused(lab, "InvalidAssociationID.Malformed", |l| {
        l.disassociate_address(a, "eipassoc-?")
    });
    // Not associated: nothing to disassociate by address either.
    assert_refused(lab, "InvalidAssociationID.NotFound", |l| {
        l.disassociate_address(a, &ip.to_string())
    });
    associate_eip(lab, a, &x, &i);
    lab.disassociate_address(a, &ip.to_string()).unwrap();
    assert_eq!(public_ip_of(lab, &i), None);
    lab.release_address(a, x.as_str()).unwrap();
    assert_consistent(lab);
}

#[test]
fn disassociating_an_elastic_ip_gives_a_public_instance_a_new_public_address() {
    // AWS: an instance launched with a public IPv4 address loses it when an Elastic IP is
    // associated, and "when you disassociate the Elastic IP address from your instance,
    // it receives a new public IPv4 address".
    let mut p = public_net();
    let (lab, a) = (&mut p.lab, &p.a);
    let i = public_instance(lab, a, &p.subnet);
    let plain = instance(lab, a, &p.subnet);
    let x = eip(lab, a);
    let y = eip(lab, a);
    let assoc = associate_eip(lab, a, &x, &i);
    let plain_assoc = associate_eip(lab, a, &y, &plain);
    lab.disassociate_address(a, assoc.as_str()).unwrap();
    lab.disassociate_address(a, plain_assoc.as_str()).unwrap();
    assert_consistent(lab);
    let fresh = public_ip_of(lab, &i).expect("a new auto-assigned public address");
    assert_ne!(fresh, lab.address(x.as_str()).unwrap().public_ip);
    let mapping = primary_eni(lab, &i).private_ips[0]
        .association
        .clone()
        .unwrap();
    assert_eq!(mapping.allocation_id, None);
    assert_eq!(mapping.ip_owner_id, "amazon");
    // An instance launched without a public address does not get one.
    assert_eq!(public_ip_of(lab, &plain), None);
}

// ---------------------------------------------------------------- NAT gateways

#[test]
fn public_nat_gateway_gets_an_interface_with_its_elastic_ip() {
    let mut p = public_net();
    let (lab, a) = (&mut p.lab, &p.a);
    let x = eip(lab, a);
    let ip = lab.address(x.as_str()).unwrap().public_ip;
    let n = nat(lab, a, &p.subnet, &x);
    let g = lab.nat_gateway(n.as_str()).unwrap().clone();
    assert_eq!(g.state, NatGatewayState::Available);
    assert_eq!(g.connectivity_type, ConnectivityType::Public);
    assert_eq!(
        (g.vpc_id.clone(), g.subnet_id.clone()),
        (p.vpc.clone(), p.subnet.clone())
    );
    assert_eq!(g.private_ip, ip4("10.0.1.4"));
    assert_eq!(g.public_ip, Some(ip));
    assert_eq!(g.allocation_id, Some(x.clone()));
    assert_eq!(g.create_time, T0);
    assert_eq!(g.failure, None);
    let eni = lab
        .network_interface(g.network_interface_id.as_ref().unwrap().as_str())
        .unwrap()
        .clone();
    assert_eq!(eni.interface_type, InterfaceType::NatGateway);
    assert!(eni.requester_managed);
    assert_eq!(eni.public_ip(), Some(ip));
    assert_eq!(eni.primary_private_ip(), ip4("10.0.1.4"));
    assert_eq!(
        lab.address(x.as_str())
            .unwrap()
            .association
            .as_ref()
            .map(|x| x.network_interface_id.clone()),
        Some(eni.id.clone())
    );
    assert_eq!(available(lab, &p.subnet), 250);
    // A route through it is active.
    let rt = main_rt(lab, &p.vpc);
    lab.create_route(a, rt.as_str(), &via_nat("0.0.0.0/0", &n))
        .unwrap();
    assert_eq!(route_state(lab, &rt, "0.0.0.0/0"), RouteState::Active);
    assert_refused(lab, "InvalidParameterValue", |l| {
        l.create_route(a, rt.as_str(), &via_nat("::/0", &n))
    });
    // Its interface and its address are the NAT gateway's own.
    assert_refused(lab, "InvalidNetworkInterface.InUse", |l| {
        l.delete_network_interface(a, eni.id.as_str())
    });
    let assoc = lab
        .address(x.as_str())
        .unwrap()
        .association
        .clone()
        .unwrap();
    assert_refused(lab, "OperationNotPermitted", |l| {
        l.disassociate_address(a, assoc.association_id.as_str())
    });
    assert_refused(lab, "InvalidIPAddress.InUse", |l| {
        l.release_address(a, x.as_str())
    });
    // AWS: the internet gateway cannot be detached while the NAT gateway's address is mapped.
    assert_refused(lab, "DependencyViolation", |l| {
        l.detach_internet_gateway(a, p.igw.as_str(), p.vpc.as_str())
    });
    assert_consistent(lab);
}

#[test]
fn deleting_a_nat_gateway_blackholes_its_routes_and_frees_its_address() {
    let mut p = public_net();
    let (lab, a) = (&mut p.lab, &p.a);
    let x = eip(lab, a);
    let n = nat(lab, a, &p.subnet, &x);
    let eni_id = lab
        .nat_gateway(n.as_str())
        .unwrap()
        .network_interface_id
        .clone()
        .unwrap();
    let rt = main_rt(lab, &p.vpc);
    lab.create_route(a, rt.as_str(), &via_nat("0.0.0.0/0", &n))
        .unwrap();
    lab.delete_nat_gateway(a, n.as_str()).unwrap();
    assert_consistent(lab);
    let g = lab.nat_gateway(n.as_str()).unwrap();
    assert_eq!(g.state, NatGatewayState::Deleted);
    assert_eq!(g.delete_time, Some(T0));
    assert_eq!(g.network_interface_id, None);
    assert!(lab.network_interface(eni_id.as_str()).is_none());
    assert_eq!(route_state(lab, &rt, "0.0.0.0/0"), RouteState::Blackhole);
    assert_eq!(lab.address(x.as_str()).unwrap().association, None);
    assert_eq!(available(lab, &p.subnet), 251);
    assert_refused(lab, "NatGatewayNotFound", |l| {
        l.delete_nat_gateway(a, n.as_str())
    });
    // AWS: a deleted NAT gateway cannot be a route target.
    assert_refused(lab, "InvalidNatGatewayID.NotFound", |l| {
        l.create_route(a, rt.as_str(), &via_nat("192.168.0.0/16", &n))
    });
    // Its Elastic IP can serve a new NAT gateway, and be released once that one is gone.
    let n2 = nat(lab, a, &p.subnet, &x);
    lab.delete_nat_gateway(a, n2.as_str()).unwrap();
    lab.release_address(a, x.as_str()).unwrap();
    assert_consistent(lab);
}

#[test]
fn public_nat_gateway_in_a_vpc_without_internet_gateway_fails() {
    // AWS: the NAT gateway is created and goes to `failed` with Gateway.NotAttached.
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let s = subnet(&mut lab, &a, &v, "10.0.1.0/24");
    let x = eip(&mut lab, &a);
    let n = nat(&mut lab, &a, &s, &x);
    let g = lab.nat_gateway(n.as_str()).unwrap().clone();
    assert_eq!(g.state, NatGatewayState::Failed);
    assert_eq!(
        g.failure.as_ref().map(|f| f.0.as_str()),
        Some("Gateway.NotAttached")
    );
    assert_eq!(g.network_interface_id, None);
    assert_eq!(g.public_ip, None);
    // It holds neither an interface nor the Elastic IP.
    assert_eq!(available(&lab, &s), 251);
    assert_eq!(lab.address(x.as_str()).unwrap().association, None);
    let rt = main_rt(&lab, &v);
    assert_refused(&mut lab, "InvalidNatGatewayID.NotFound", |l| {
        l.create_route(&a, rt.as_str(), &via_nat("0.0.0.0/0", &n))
    });
    // The Elastic IP is free for a NAT gateway that works.
    igw_attached(&mut lab, &a, &v);
    let ok = nat(&mut lab, &a, &s, &x);
    assert_eq!(
        lab.nat_gateway(ok.as_str()).unwrap().state,
        NatGatewayState::Available
    );
}

#[test]
fn private_nat_gateway_has_no_elastic_ip_and_needs_no_internet_gateway() {
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let s = subnet(&mut lab, &a, &v, "10.0.1.0/24");
    let n = lab
        .create_nat_gateway(
            &a,
            CreateNatGateway {
                subnet_id: s.to_string(),
                connectivity_type: Some("private".into()),
                private_ip_address: Some("10.0.1.100".into()),
                ..CreateNatGateway::default()
            },
        )
        .unwrap();
    let g = lab.nat_gateway(n.as_str()).unwrap();
    assert_eq!(g.state, NatGatewayState::Available);
    assert_eq!(g.connectivity_type, ConnectivityType::Private);
    assert_eq!(g.private_ip, ip4("10.0.1.100"));
    assert_eq!((g.public_ip, g.allocation_id.clone()), (None, None));
    assert_eq!(
        lab.eni_by_private_ip(&v, ip("10.0.1.100"))
            .map(|e| e.interface_type),
        Some(InterfaceType::NatGateway)
    );
    assert_consistent(&lab);
}

#[test]
fn create_nat_gateway_refusals() {
    let mut p = public_net();
    let (lab, a) = (&mut p.lab, &p.a);
    let x = eip(lab, a);
    let req = |f: fn(&mut CreateNatGateway)| {
        let mut r = CreateNatGateway {
            subnet_id: p.subnet.to_string(),
            allocation_id: Some(x.to_string()),
            ..CreateNatGateway::default()
        };
        f(&mut r);
        r
    };
    assert_refused(lab, "MissingParameter", |l| {
        l.create_nat_gateway(a, req(|r| r.allocation_id = None))
    });
    assert_refused(lab, "InvalidParameterCombination", |l| {
        l.create_nat_gateway(a, req(|r| r.connectivity_type = Some("private".into())))
    });
    assert_refused(lab, "InvalidParameterValue", |l| {
        l.create_nat_gateway(a, req(|r| r.connectivity_type = Some("hybrid".into())))
    });
    assert_refused(lab, "InvalidSubnetID.NotFound", |l| {
        l.create_nat_gateway(a, req(|r| r.subnet_id = missing("subnet")))
    });
    assert_refused(lab, "InvalidAllocationID.NotFound", |l| {
        l.create_nat_gateway(a, req(|r| r.allocation_id = Some(missing("eipalloc"))))
    });
    assert_refused(lab, "InvalidParameterValue", |l| {
        l.create_nat_gateway(a, req(|r| r.private_ip_address = Some("10.0.1.1".into())))
    });
    assert_refused(lab, "InvalidParameterValue", |l| {
        l.create_nat_gateway(
            a,
            req(|r| r.tags = [("aws:k".to_owned(), String::new())].into()),
        )
    });
    // An Elastic IP already in use, by an instance or another NAT gateway.
    nat(lab, a, &p.subnet.clone(), &x);
    assert_refused(lab, "Resource.AlreadyAssociated", |l| {
        l.create_nat_gateway(a, req(|_| {}))
    });
    let y = eip(lab, a);
    let s = p.subnet.clone();
    let i = instance(lab, a, &s);
    associate_eip(lab, a, &y, &i);
    let with_y = CreateNatGateway {
        subnet_id: p.subnet.to_string(),
        allocation_id: Some(y.to_string()),
        ..CreateNatGateway::default()
    };
    assert_refused(lab, "Resource.AlreadyAssociated", |l| {
        l.create_nat_gateway(a, with_y)
    });
    // An address already taken in the subnet.
    let z = eip(lab, a);
    let taken = private_ip_of(lab, &i).to_string();
    let clash = CreateNatGateway {
        subnet_id: p.subnet.to_string(),
        allocation_id: Some(z.to_string()),
        private_ip_address: Some(taken),
        ..CreateNatGateway::default()
    };
    assert_refused(lab, "InvalidIPAddress.InUse", |l| {
        l.create_nat_gateway(a, clash)
    });
    assert_refused(lab, "NatGatewayMalformed", |l| {
        l.delete_nat_gateway(a, "nat-1")
    });
    assert_refused(lab, "NatGatewayNotFound", |l| {
        l.delete_nat_gateway(a, &missing("nat"))
    });
}

// ---------------------------------------------------------------- quotas

#[test]
fn internet_gateways_are_limited_to_five_per_region_and_account() {
    let (mut lab, a, b) = lab2();
    for _ in 0..5 {
        lab.create_internet_gateway(&a, Tags::new()).unwrap();
    }
    assert_refused(&mut lab, "InternetGatewayLimitExceeded", |l| {
        l.create_internet_gateway(&a, Tags::new())
    });
    // Another account, and another region, have their own quota.
    lab.create_internet_gateway(&b, Tags::new()).unwrap();
    let west = Caller {
        region: region("us-west-2"),
        ..a.clone()
    };
    lab.create_internet_gateway(&west, Tags::new()).unwrap();
}

#[test]
fn nat_gateways_are_limited_to_five_per_availability_zone() {
    let (mut lab, a) = lab();
    lab.quotas.elastic_ips_per_region = 10;
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    igw_attached(&mut lab, &a, &v);
    let east_a = subnet_in(&mut lab, &a, &v, "10.0.1.0/24", "us-east-1a");
    let east_b = subnet_in(&mut lab, &a, &v, "10.0.2.0/24", "us-east-1b");
    let mut nats = Vec::new();
    for _ in 0..5 {
        let x = eip(&mut lab, &a);
        nats.push(nat(&mut lab, &a, &east_a, &x));
    }
    let x = eip(&mut lab, &a);
    let sixth = CreateNatGateway {
        subnet_id: east_a.to_string(),
        allocation_id: Some(x.to_string()),
        ..Default::default()
    };
    assert_refused(&mut lab, "NatGatewayLimitExceeded", |l| {
        l.create_nat_gateway(&a, sixth.clone())
    });
    // Another zone has room, and a deleted NAT gateway frees its place.
    nat(&mut lab, &a, &east_b, &x);
    lab.delete_nat_gateway(&a, nats[0].as_str()).unwrap();
    let y = eip(&mut lab, &a);
    nat(&mut lab, &a, &east_a, &y);
}

#[test]
fn an_elastic_ip_can_be_named_by_its_public_address() {
    let mut p = public_net();
    let (lab, a) = (&mut p.lab, &p.a);
    let i = instance(lab, a, &p.subnet);
    let x = eip(lab, a);
    let ip = lab.address(x.as_str()).unwrap().public_ip.to_string();
    // AssociateAddress and ReleaseAddress take the address in place of the allocation
    // id (the form EC2-Classic used; AWS still answers it).
    lab.associate_address(
        a,
        &AssociateAddress {
            allocation_id: ip.clone(),
            instance_id: Some(i.to_string()),
            ..AssociateAddress::default()
        },
    )
    .unwrap();
    assert_consistent(lab);
    assert!(lab.address(x.as_str()).unwrap().association.is_some());
    assert_refused(lab, "InvalidIPAddress.InUse", |l| l.release_address(a, &ip));
    lab.disassociate_address(a, &ip).unwrap();
    assert_refused(lab, "InvalidAddress.NotFound", |l| {
        l.release_address(a, "198.51.100.7")
    });
    lab.release_address(a, &ip).unwrap();
    assert!(lab.address(x.as_str()).is_none());
    assert_refused(lab, "InvalidAddress.NotFound", |l| {
        l.release_address(a, &ip)
    });
    assert_consistent(lab);
}
