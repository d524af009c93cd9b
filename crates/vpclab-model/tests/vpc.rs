//! VPCs: CreateVpc, CreateDefaultVpc, DeleteVpc, ModifyVpcAttribute,
//! Associate/DisassociateVpcCidrBlock.

mod common;

use common::*;
use ipnet::IpNet;
use vpclab_model::*;

fn create(cidr: &str) -> CreateVpc {
    CreateVpc {
        cidr_block: cidr.into(),
        ..CreateVpc::default()
    }
}

#[test]
fn new_vpc_has_main_route_table_with_only_the_local_route() {
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let vpc = lab.vpc(v.as_str()).unwrap();
    assert_eq!(vpc.cidr_block(), "10.0.0.0/16".parse().unwrap());
    assert_eq!(vpc.owner_id, account(A));
    assert_eq!(vpc.region.name(), "us-east-1");
    assert!(!vpc.is_default);
    // AWS: enableDnsSupport is on and enableDnsHostnames off for a non-default VPC.
    assert!(vpc.enable_dns_support);
    assert!(!vpc.enable_dns_hostnames);
    assert_eq!(vpc.instance_tenancy, "default");
    // AWS: the Amazon DNS server is the VPC's network address plus two.
    assert_eq!(vpc.dns_server(), ip4("10.0.0.2"));

    let rt = lab.main_route_table(&v).unwrap();
    assert_eq!(rt.vpc_id, v);
    assert_eq!(rt.routes, vec![Route::local(net("10.0.0.0/16"))]);
    assert_eq!(rt.routes[0].origin, RouteOrigin::CreateRouteTable);
    assert_eq!(rt.associations.len(), 1);
    assert_eq!(rt.associations[0].target, AssociationTarget::Main);
    assert_eq!(
        route_state(&lab, &rt.id.clone(), "10.0.0.0/16"),
        RouteState::Active
    );
    let tables: Vec<_> = lab.route_tables().filter(|t| t.vpc_id == v).collect();
    assert_eq!(tables.len(), 1, "only the main route table");
}

#[test]
fn new_vpc_has_default_nacl_allowing_all_then_star_deny() {
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let acl_id = lab.vpc(v.as_str()).unwrap().default_network_acl_id.clone();
    let acl = lab.network_acl(acl_id.as_str()).unwrap();
    assert!(acl.is_default);
    assert_eq!(acl.vpc_id, v);
    let entries: Vec<_> = acl
        .entries
        .iter()
        .map(|e| {
            (
                e.egress,
                e.rule_number,
                e.rule_action,
                e.protocol,
                e.cidr.to_string(),
            )
        })
        .collect();
    assert_eq!(
        entries,
        vec![
            (
                false,
                100,
                RuleAction::Allow,
                IpProtocol::All,
                "0.0.0.0/0".into()
            ),
            (
                false,
                DEFAULT_RULE_V4,
                RuleAction::Deny,
                IpProtocol::All,
                "0.0.0.0/0".into()
            ),
            (
                true,
                100,
                RuleAction::Allow,
                IpProtocol::All,
                "0.0.0.0/0".into()
            ),
            (
                true,
                DEFAULT_RULE_V4,
                RuleAction::Deny,
                IpProtocol::All,
                "0.0.0.0/0".into()
            ),
        ]
    );
    assert!(acl.associations.is_empty());
    assert_eq!(lab.network_acls().filter(|x| x.vpc_id == v).count(), 1);
}

#[test]
fn new_vpc_has_default_sg_admitting_its_members_and_all_egress() {
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let sg_id = lab
        .vpc(v.as_str())
        .unwrap()
        .default_security_group_id
        .clone();
    let g = lab.security_group(sg_id.as_str()).unwrap();
    assert_eq!(g.group_name, "default");
    assert!(g.is_default());
    assert_eq!(g.vpc_id, v);
    let ingress: Vec<_> = g.ingress().collect();
    assert_eq!(ingress.len(), 1);
    assert_eq!(ingress[0].protocol, IpProtocol::All);
    assert_eq!(
        ingress[0].peer,
        RulePeer::Group(GroupReference {
            group_id: sg_id.clone(),
            user_id: account(A),
            vpc_peering_connection_id: None,
        })
    );
    let egress: Vec<_> = g.egress().collect();
    assert_eq!(egress.len(), 1);
    assert_eq!(egress[0].protocol, IpProtocol::All);
    assert_eq!(egress[0].peer, RulePeer::Cidr(net("0.0.0.0/0")));
    // Each rule has its own sgr- id.
    assert_ne!(ingress[0].id, egress[0].id);
    assert!(ingress[0].id.as_str().starts_with("sgr-"));
}

#[test]
fn vpc_with_amazon_ipv6_gets_a_56_with_local_route_nacl_and_sg_entries() {
    let (mut lab, a) = lab();
    let v = vpc_v6(&mut lab, &a, "10.0.0.0/16");
    assert_consistent(&lab);
    let vpc = lab.vpc(v.as_str()).unwrap().clone();
    assert_eq!(vpc.ipv6_cidr_block_associations.len(), 1);
    let block = vpc.ipv6_cidr_block_associations[0].cidr;
    assert_eq!(block.prefix_len(), 56);
    assert!(a.region.ipv6_pool().contains(&block));
    let rt = main_rt(&lab, &v);
    assert_eq!(
        routes(&lab, &rt),
        pairs(&[("10.0.0.0/16", "local"), (&block.to_string(), "local")])
    );
    // AWS: the default network ACL gets rule 101 allowing ::/0 and the IPv6 `*` deny.
    let acl = lab
        .network_acl(vpc.default_network_acl_id.as_str())
        .unwrap();
    for egress in [false, true] {
        let numbers: Vec<u16> = acl
            .entries
            .iter()
            .filter(|e| e.egress == egress)
            .map(|e| e.rule_number)
            .collect();
        assert_eq!(numbers, vec![100, 101, DEFAULT_RULE_V4, DEFAULT_RULE_V6]);
    }
    let v6_allow = acl.entries.iter().find(|e| e.rule_number == 101).unwrap();
    assert_eq!(v6_allow.cidr, net("::/0"));
    assert_eq!(v6_allow.rule_action, RuleAction::Allow);
    // AWS: the default security group also allows all IPv6 egress.
    let g = lab
        .security_group(vpc.default_security_group_id.as_str())
        .unwrap();
    let egress: Vec<_> = g.egress().map(|r| r.peer.clone()).collect();
    assert_eq!(
        egress,
        vec![
            RulePeer::Cidr(net("0.0.0.0/0")),
            RulePeer::Cidr(net("::/0"))
        ]
    );
    // A second VPC gets another /56.
    let w = vpc_v6(&mut lab, &a, "10.1.0.0/16");
    let other = lab.vpc(w.as_str()).unwrap().ipv6_cidr_block_associations[0].cidr;
    assert_ne!(other, block);
    assert_consistent(&lab);
}

#[test]
fn default_vpc_is_172_31_16_with_a_20_default_subnet_per_zone_and_an_igw_route() {
    let (lab, a) = lab_with_default_vpcs();
    assert_consistent(&lab);
    let vpc = lab.default_vpc(&account(A), a.region).unwrap().clone();
    assert!(vpc.is_default);
    assert_eq!(vpc.cidr_block(), "172.31.0.0/16".parse().unwrap());
    // AWS: DNS host names are on in a default VPC.
    assert!(vpc.enable_dns_hostnames && vpc.enable_dns_support);

    let mut subnets: Vec<_> = lab.subnets().filter(|s| s.vpc_id == vpc.id).collect();
    subnets.sort_by(|x, y| x.availability_zone.cmp(&y.availability_zone));
    let layout: Vec<_> = subnets
        .iter()
        .map(|s| (s.availability_zone.as_str(), s.cidr_block.to_string()))
        .collect();
    assert_eq!(
        layout,
        vec![
            ("us-east-1a", "172.31.0.0/20".to_owned()),
            ("us-east-1b", "172.31.16.0/20".to_owned()),
            ("us-east-1c", "172.31.32.0/20".to_owned()),
            ("us-east-1d", "172.31.48.0/20".to_owned()),
            ("us-east-1e", "172.31.64.0/20".to_owned()),
            ("us-east-1f", "172.31.80.0/20".to_owned()),
        ]
    );
    for s in &subnets {
        assert!(s.default_for_az && s.map_public_ip_on_launch, "{}", s.id);
        // A /20 has 4096 addresses, minus AWS's five reserved ones.
        assert_eq!(lab.available_ip_address_count(s), 4091);
        assert_eq!(
            lab.network_acl_for_subnet(&s.id).unwrap().id,
            vpc.default_network_acl_id
        );
    }

    let igw = lab.internet_gateway_of(&vpc.id).unwrap().id.clone();
    let rt = main_rt(&lab, &vpc.id);
    assert_eq!(
        routes(&lab, &rt),
        pairs(&[("172.31.0.0/16", "local"), ("0.0.0.0/0", igw.as_str())])
    );
    assert_eq!(route_state(&lab, &rt, "0.0.0.0/0"), RouteState::Active);
}

#[test]
fn every_region_gets_a_default_vpc_and_adding_an_account_twice_changes_nothing() {
    let (mut lab, a) = lab_with_default_vpcs();
    let defaults: Vec<_> = lab.vpcs().filter(|v| v.is_default).collect();
    assert_eq!(defaults.len(), Region::all().count());
    let west1 = lab.default_vpc(&account(A), region("us-west-1")).unwrap();
    assert_eq!(
        lab.subnets().filter(|s| s.vpc_id == west1.id).count(),
        2,
        "us-west-1 has two zones"
    );
    let before = snapshot(&lab);
    lab.add_account(&account(A), T0);
    assert_eq!(snapshot(&lab), before);
    assert!(lab.has_account(&account(A)));
    assert!(!lab.has_account(&account(B)));
    assert!(lab.default_vpc(&account(B), a.region).is_none());
}

#[test]
fn create_default_vpc_is_refused_while_one_exists_and_works_after_deleting_it() {
    let (mut lab, a) = lab_with_default_vpcs();
    assert_refused(&mut lab, "DefaultVpcAlreadyExists", |l| {
        l.create_default_vpc(&a)
    });
    // Tear the default VPC down as a user would, then ask for a new one.
    let vpc = lab.default_vpc(&account(A), a.region).unwrap().clone();
    let subnets: Vec<_> = lab
        .subnets()
        .filter(|s| s.vpc_id == vpc.id)
        .map(|s| s.id.clone())
        .collect();
    for s in subnets {
        lab.delete_subnet(&a, s.as_str()).unwrap();
    }
    let igw = lab.internet_gateway_of(&vpc.id).unwrap().id.clone();
    lab.detach_internet_gateway(&a, igw.as_str(), vpc.id.as_str())
        .unwrap();
    lab.delete_internet_gateway(&a, igw.as_str()).unwrap();
    lab.delete_vpc(&a, vpc.id.as_str()).unwrap();
    assert!(lab.default_vpc(&account(A), a.region).is_none());
    let again = lab.create_default_vpc(&a).unwrap();
    assert_ne!(again, vpc.id);
    assert_eq!(
        lab.default_vpc(&account(A), a.region).map(|v| v.id.clone()),
        Some(again)
    );
    assert_consistent(&lab);
}

#[test]
fn create_vpc_refuses_bad_cidrs_tenancy_and_tags() {
    let (mut lab, a) = lab();
    // Not canonical, not a CIDR, not IPv4.
    for bad in ["10.0.0.1/16", "nonsense", "10.0.0.0/33", "2600::/56"] {
        assert_refused(&mut lab, "InvalidParameterValue", |l| {
            l.create_vpc(&a, create(bad))
        });
    }
    // AWS: /16 to /28 only, and not in reserved ranges.
    for bad in [
        "10.0.0.0/15",
        "10.0.0.0/29",
        "127.0.0.0/16",
        "169.254.0.0/16",
        "224.0.0.0/16",
        "0.0.0.0/16",
    ] {
        assert_refused(&mut lab, "InvalidVpc.Range", |l| {
            l.create_vpc(&a, create(bad))
        });
    }
    assert_refused(&mut lab, "InvalidParameterValue", |l| {
        l.create_vpc(
            &a,
            CreateVpc {
                instance_tenancy: Some("host".into()),
                ..create("10.0.0.0/16")
            },
        )
    });
    assert_refused(&mut lab, "InvalidParameterValue", |l| {
        l.create_vpc(
            &a,
            CreateVpc {
                tags: tags(&[("aws:reserved", "x")]),
                ..create("10.0.0.0/16")
            },
        )
    });
    // The extremes of the allowed sizes are accepted.
    vpc(&mut lab, &a, "10.0.0.0/16");
    vpc(&mut lab, &a, "192.168.0.0/28");
}

#[test]
fn create_vpc_keeps_tags_and_dedicated_tenancy() {
    let (mut lab, a) = lab();
    let v = lab
        .create_vpc(
            &a,
            CreateVpc {
                instance_tenancy: Some("dedicated".into()),
                tags: tags(&[("Name", "prod")]),
                ..create("10.0.0.0/16")
            },
        )
        .unwrap();
    let vpc = lab.vpc(v.as_str()).unwrap();
    assert_eq!(vpc.instance_tenancy, "dedicated");
    assert_eq!(vpc.tags.get("Name").map(String::as_str), Some("prod"));
}

#[test]
fn vpc_quota_is_five_per_account_and_region() {
    let (mut lab, a, b) = lab2();
    for i in 0..5 {
        vpc(&mut lab, &a, &format!("10.{i}.0.0/16"));
    }
    assert_refused(&mut lab, "VpcLimitExceeded", |l| {
        l.create_vpc(&a, create("10.9.0.0/16"))
    });
    // Other accounts and other regions have their own quota.
    vpc(&mut lab, &b, "10.9.0.0/16");
    vpc(&mut lab, &caller_in(A, "eu-west-1"), "10.9.0.0/16");
}

#[test]
fn default_vpc_counts_toward_the_vpc_quota() {
    let (mut lab, a) = lab_with_default_vpcs();
    for i in 0..4 {
        vpc(&mut lab, &a, &format!("10.{i}.0.0/16"));
    }
    assert_refused(&mut lab, "VpcLimitExceeded", |l| {
        l.create_vpc(&a, create("10.9.0.0/16"))
    });
}

#[test]
fn delete_vpc_removes_it_with_its_main_table_default_acl_and_default_sg() {
    let (mut lab, a) = lab();
    let keep = vpc(&mut lab, &a, "10.1.0.0/16");
    let v = vpc_v6(&mut lab, &a, "10.0.0.0/16");
    let vpc = lab.vpc(v.as_str()).unwrap().clone();
    let block = vpc.ipv6_cidr_block_associations[0].cidr;
    let rt = main_rt(&lab, &v);
    lab.delete_vpc(&a, v.as_str()).unwrap();
    assert_consistent(&lab);
    assert!(lab.vpc(v.as_str()).is_none());
    assert!(lab.route_table(rt.as_str()).is_none());
    assert!(lab.main_route_table(&v).is_none());
    assert!(
        lab.network_acl(vpc.default_network_acl_id.as_str())
            .is_none()
    );
    assert!(
        lab.security_group(vpc.default_security_group_id.as_str())
            .is_none()
    );
    assert!(lab.route_tables().all(|t| t.vpc_id == keep));
    assert!(lab.security_groups().all(|g| g.vpc_id == keep));
    // The IPv6 block went back to the pool: the next VPC gets it.
    let w = vpc_v6(&mut lab, &a, "10.2.0.0/16");
    assert_eq!(
        lab.vpc(w.as_str()).unwrap().ipv6_cidr_block_associations[0].cidr,
        block
    );
}

#[test]
fn delete_vpc_refuses_unknown_malformed_and_foreign_vpcs() {
    let (mut lab, a, b) = lab2();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    assert_refused(&mut lab, "InvalidVpcID.NotFound", |l| {
        l.delete_vpc(&a, &missing("vpc"))
    });
    assert_refused(&mut lab, "InvalidVpcID.Malformed", |l| {
        l.delete_vpc(&a, "vpc-xyz")
    });
    assert_refused(&mut lab, "InvalidVpcID.Malformed", |l| {
        l.delete_vpc(&a, v.as_str().replace("vpc-", "subnet-").as_str())
    });
    // Another account, or the same account in another region, cannot see it.
    assert_refused(&mut lab, "InvalidVpcID.NotFound", |l| {
        l.delete_vpc(&b, v.as_str())
    });
    assert_refused(&mut lab, "InvalidVpcID.NotFound", |l| {
        l.delete_vpc(&caller_in(A, "us-west-2"), v.as_str())
    });
}

#[test]
fn delete_vpc_refuses_while_anything_depends_on_it() {
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let dep = |lab: &mut Lab| {
        assert_refused(lab, "DependencyViolation", |l| l.delete_vpc(&a, v.as_str()));
    };

    let s = subnet(&mut lab, &a, &v, "10.0.1.0/24");
    dep(&mut lab);
    lab.delete_subnet(&a, s.as_str()).unwrap();

    let igw = igw_attached(&mut lab, &a, &v);
    dep(&mut lab);
    lab.detach_internet_gateway(&a, igw.as_str(), v.as_str())
        .unwrap();

    let eigw = lab
        .create_egress_only_internet_gateway(&a, v.as_str(), Tags::new())
        .unwrap();
    dep(&mut lab);
    lab.delete_egress_only_internet_gateway(&a, eigw.as_str())
        .unwrap();

    let g = sg(&mut lab, &a, &v, "web");
    dep(&mut lab);
    lab.delete_security_group(&a, g.as_str()).unwrap();

    let acl = lab.create_network_acl(&a, v.as_str(), Tags::new()).unwrap();
    dep(&mut lab);
    lab.delete_network_acl(&a, acl.as_str()).unwrap();

    let rt = lab.create_route_table(&a, v.as_str(), Tags::new()).unwrap();
    dep(&mut lab);
    lab.delete_route_table(&a, rt.as_str()).unwrap();

    let main = main_rt(&lab, &v);
    let e = s3_endpoint(&mut lab, &a, &v, &[&main]);
    dep(&mut lab);
    assert!(lab.delete_vpc_endpoints(&a, &[e.to_string()]).is_empty());

    lab.delete_vpc(&a, v.as_str()).unwrap();
    assert_consistent(&lab);
}

#[test]
fn delete_vpc_is_refused_while_a_nat_gateway_is_not_deleted() {
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let s = subnet(&mut lab, &a, &v, "10.0.1.0/24");
    // No internet gateway: a public NAT gateway is created `failed`, with no interface,
    // so its subnet can go while the NAT gateway itself remains.
    let alloc = eip(&mut lab, &a);
    let n = nat(&mut lab, &a, &s, &alloc);
    assert_eq!(
        lab.nat_gateway(n.as_str()).unwrap().state,
        NatGatewayState::Failed
    );
    lab.delete_subnet(&a, s.as_str()).unwrap();
    assert_refused(&mut lab, "DependencyViolation", |l| {
        l.delete_vpc(&a, v.as_str())
    });
    lab.delete_nat_gateway(&a, n.as_str()).unwrap();
    lab.delete_vpc(&a, v.as_str()).unwrap();
}

#[test]
fn delete_vpc_deletes_its_live_peering_connections() {
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let w = vpc(&mut lab, &a, "10.1.0.0/16");
    let pcx = peering(&mut lab, &a, &v, &w, A);
    lab.accept_vpc_peering_connection(&a, pcx.as_str()).unwrap();
    let w_rt = main_rt(&lab, &w);
    lab.create_route(&a, w_rt.as_str(), &via_pcx("10.0.0.0/16", &pcx))
        .unwrap();
    assert_eq!(route_state(&lab, &w_rt, "10.0.0.0/16"), RouteState::Active);
    lab.delete_vpc(&a, v.as_str()).unwrap();
    assert_eq!(
        lab.vpc_peering_connection(pcx.as_str())
            .unwrap()
            .status
            .code,
        PeeringStatusCode::Deleted
    );
    // The peer's route through the connection is now a blackhole.
    assert_eq!(
        route_state(&lab, &w_rt, "10.0.0.0/16"),
        RouteState::Blackhole
    );
    assert_consistent(&lab);
}

#[test]
fn modify_vpc_attribute_toggles_dns_and_needs_dns_support_for_host_names() {
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    lab.modify_vpc_attribute(&a, v.as_str(), VpcAttribute::EnableDnsHostnames(true))
        .unwrap();
    assert!(lab.vpc(v.as_str()).unwrap().enable_dns_hostnames);
    // AWS: host names need DNS support.
    assert_refused(&mut lab, "InvalidParameterValue", |l| {
        l.modify_vpc_attribute(&a, v.as_str(), VpcAttribute::EnableDnsSupport(false))
    });
    lab.modify_vpc_attribute(&a, v.as_str(), VpcAttribute::EnableDnsHostnames(false))
        .unwrap();
    lab.modify_vpc_attribute(&a, v.as_str(), VpcAttribute::EnableDnsSupport(false))
        .unwrap();
    let vpc = lab.vpc(v.as_str()).unwrap();
    assert!(!vpc.enable_dns_support && !vpc.enable_dns_hostnames);
    assert_refused(&mut lab, "InvalidParameterValue", |l| {
        l.modify_vpc_attribute(&a, v.as_str(), VpcAttribute::EnableDnsHostnames(true))
    });
    assert_refused(&mut lab, "InvalidVpcID.NotFound", |l| {
        l.modify_vpc_attribute(&a, &missing("vpc"), VpcAttribute::EnableDnsSupport(true))
    });
}

#[test]
fn secondary_ipv4_block_adds_a_local_route_to_every_table_and_hosts_subnets() {
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let custom = lab.create_route_table(&a, v.as_str(), Tags::new()).unwrap();
    let assoc = lab
        .associate_vpc_cidr_block(&a, v.as_str(), Some("10.1.0.0/16"), false)
        .unwrap();
    assert_consistent(&lab);
    assert!(assoc.as_str().starts_with("vpc-cidr-assoc-"));
    let cidrs: Vec<_> = lab.vpc(v.as_str()).unwrap().cidrs().collect();
    assert_eq!(cidrs, vec![net("10.0.0.0/16"), net("10.1.0.0/16")]);
    let expected = pairs(&[("10.0.0.0/16", "local"), ("10.1.0.0/16", "local")]);
    assert_eq!(routes(&lab, &main_rt(&lab, &v)), expected);
    assert_eq!(routes(&lab, &custom), expected);
    // A table created afterwards starts with both local routes.
    let later = lab.create_route_table(&a, v.as_str(), Tags::new()).unwrap();
    assert_eq!(routes(&lab, &later), expected);
    subnet(&mut lab, &a, &v, "10.1.2.0/24");
}

#[test]
fn amazon_ipv6_block_later_adds_v6_local_route_and_nacl_entries() {
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let custom_acl = lab.create_network_acl(&a, v.as_str(), Tags::new()).unwrap();
    lab.associate_vpc_cidr_block(&a, v.as_str(), None, true)
        .unwrap();
    assert_consistent(&lab);
    let block = lab.vpc(v.as_str()).unwrap().ipv6_cidr_block_associations[0].cidr;
    assert_eq!(
        routes(&lab, &main_rt(&lab, &v)),
        pairs(&[("10.0.0.0/16", "local"), (&block.to_string(), "local")])
    );
    let default_acl = lab.vpc(v.as_str()).unwrap().default_network_acl_id.clone();
    let numbers = |acl: &NetworkAclId| -> Vec<u16> {
        lab.network_acl(acl.as_str())
            .unwrap()
            .entries
            .iter()
            .filter(|e| !e.egress)
            .map(|e| e.rule_number)
            .collect()
    };
    assert_eq!(
        numbers(&default_acl),
        vec![100, 101, DEFAULT_RULE_V4, DEFAULT_RULE_V6]
    );
    // A custom ACL only gets the IPv6 `*` deny.
    assert_eq!(numbers(&custom_acl), vec![DEFAULT_RULE_V4, DEFAULT_RULE_V6]);
    assert_refused(&mut lab, "CidrLimitExceeded", |l| {
        l.associate_vpc_cidr_block(&a, v.as_str(), None, true)
    });
}

#[test]
fn associate_vpc_cidr_block_refusals() {
    let (mut lab, a, b) = lab2();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    assert_refused(&mut lab, "CidrConflict", |l| {
        l.associate_vpc_cidr_block(&a, v.as_str(), Some("10.0.128.0/17"), false)
    });
    // AWS: a VPC whose primary block is in 10/8 cannot add 172.16/12 or 192.168/16.
    for other_family in ["172.16.0.0/16", "192.168.0.0/16"] {
        assert_refused(&mut lab, "InvalidVpc.Range", |l| {
            l.associate_vpc_cidr_block(&a, v.as_str(), Some(other_family), false)
        });
    }
    // AWS: nor a block from 198.19.0.0/16.
    assert_refused(&mut lab, "InvalidVpc.Range", |l| {
        l.associate_vpc_cidr_block(&a, v.as_str(), Some("198.19.0.0/16"), false)
    });
    assert_refused(&mut lab, "InvalidVpc.Range", |l| {
        l.associate_vpc_cidr_block(&a, v.as_str(), Some("10.1.0.0/29"), false)
    });
    assert_refused(&mut lab, "InvalidParameterValue", |l| {
        l.associate_vpc_cidr_block(&a, v.as_str(), Some("10.1.0.1/16"), false)
    });
    assert_refused(&mut lab, "InvalidParameterCombination", |l| {
        l.associate_vpc_cidr_block(&a, v.as_str(), Some("10.1.0.0/16"), true)
    });
    assert_refused(&mut lab, "InvalidParameterCombination", |l| {
        l.associate_vpc_cidr_block(&a, v.as_str(), None, false)
    });
    assert_refused(&mut lab, "InvalidVpcID.NotFound", |l| {
        l.associate_vpc_cidr_block(&b, v.as_str(), Some("10.1.0.0/16"), false)
    });
    // AWS quota: five IPv4 blocks per VPC, the primary included.
    for i in 1..5 {
        lab.associate_vpc_cidr_block(&a, v.as_str(), Some(&format!("10.{i}.0.0/16")), false)
            .unwrap();
    }
    assert_refused(&mut lab, "CidrLimitExceeded", |l| {
        l.associate_vpc_cidr_block(&a, v.as_str(), Some("10.9.0.0/16"), false)
    });
}

#[test]
fn public_primary_block_cannot_add_rfc1918_blocks() {
    // AWS: a VPC whose primary block is publicly routable (or 100.64.0.0/10) may add
    // other public blocks but no RFC 1918 block and no 198.19.0.0/16 block.
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "100.64.0.0/16");
    for restricted in [
        "10.0.0.0/16",
        "172.16.0.0/16",
        "192.168.0.0/16",
        "198.19.0.0/16",
    ] {
        assert_refused(&mut lab, "InvalidVpc.Range", |l| {
            l.associate_vpc_cidr_block(&a, v.as_str(), Some(restricted), false)
        });
    }
    lab.associate_vpc_cidr_block(&a, v.as_str(), Some("100.65.0.0/16"), false)
        .unwrap();
    // And a VPC in 198.19.0.0/16 may not add RFC 1918 blocks.
    let w = vpc(&mut lab, &a, "198.19.0.0/16");
    assert_refused(&mut lab, "InvalidVpc.Range", |l| {
        l.associate_vpc_cidr_block(&a, w.as_str(), Some("10.0.0.0/16"), false)
    });
}

#[test]
fn secondary_block_may_not_cover_an_existing_route_destination() {
    // AWS: "The CIDR block must not be the same or larger than a destination CIDR range in
    // a route in any of the VPC route tables." Otherwise the local route would collide.
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.2.0.0/16");
    let igw = igw_attached(&mut lab, &a, &v);
    let custom = lab.create_route_table(&a, v.as_str(), Tags::new()).unwrap();
    lab.create_route(&a, custom.as_str(), &via_igw("10.0.0.0/24", &igw))
        .unwrap();
    for covering in ["10.0.0.0/24", "10.0.0.0/16"] {
        assert_refused(&mut lab, "CidrConflict", |l| {
            l.associate_vpc_cidr_block(&a, v.as_str(), Some(covering), false)
        });
    }
    // A smaller block inside the route's range is allowed.
    lab.associate_vpc_cidr_block(&a, v.as_str(), Some("10.0.0.0/25"), false)
        .unwrap();
    assert_eq!(
        routes(&lab, &custom),
        pairs(&[
            ("10.2.0.0/16", "local"),
            ("10.0.0.0/24", igw.as_str()),
            ("10.0.0.0/25", "local"),
        ])
    );
    assert_consistent(&lab);
}

#[test]
fn disassociate_secondary_block_removes_its_local_routes() {
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let assoc = lab
        .associate_vpc_cidr_block(&a, v.as_str(), Some("10.1.0.0/16"), false)
        .unwrap();
    let custom = lab.create_route_table(&a, v.as_str(), Tags::new()).unwrap();
    lab.disassociate_vpc_cidr_block(&a, assoc.as_str()).unwrap();
    assert_consistent(&lab);
    assert_eq!(lab.vpc(v.as_str()).unwrap().cidrs().count(), 1);
    for rt in [main_rt(&lab, &v), custom] {
        assert_eq!(routes(&lab, &rt), pairs(&[("10.0.0.0/16", "local")]));
    }
    assert_refused(&mut lab, "InvalidAssociationID.NotFound", |l| {
        l.disassociate_vpc_cidr_block(&a, assoc.as_str())
    });
}

#[test]
fn disassociate_secondary_block_also_removes_a_local_route_pointed_at_an_appliance() {
    // Middlebox routing: the local route of a block may target an interface. When the
    // block goes, so does its local route, whatever it targets.
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    let s = subnet(&mut lab, &a, &v, "10.0.1.0/24");
    let appliance = eni(&mut lab, &a, &s);
    let assoc = lab
        .associate_vpc_cidr_block(&a, v.as_str(), Some("10.1.0.0/16"), false)
        .unwrap();
    let rt = main_rt(&lab, &v);
    lab.replace_route(&a, rt.as_str(), &via_eni("10.1.0.0/16", &appliance))
        .unwrap();
    lab.disassociate_vpc_cidr_block(&a, assoc.as_str()).unwrap();
    assert_eq!(routes(&lab, &rt), pairs(&[("10.0.0.0/16", "local")]));
}

#[test]
fn disassociate_vpc_cidr_block_refusals() {
    let (mut lab, a, b) = lab2();
    let v = vpc_v6(&mut lab, &a, "10.0.0.0/16");
    let primary = lab.vpc(v.as_str()).unwrap().cidr_block_associations[0]
        .association_id
        .clone();
    assert_refused(&mut lab, "InvalidParameterValue", |l| {
        l.disassociate_vpc_cidr_block(&a, primary.as_str())
    });
    let second = lab
        .associate_vpc_cidr_block(&a, v.as_str(), Some("10.1.0.0/16"), false)
        .unwrap();
    subnet(&mut lab, &a, &v, "10.1.0.0/24");
    assert_refused(&mut lab, "DependencyViolation", |l| {
        l.disassociate_vpc_cidr_block(&a, second.as_str())
    });
    // The IPv6 block cannot go while a subnet has a /64 of it.
    let v6 = lab.vpc(v.as_str()).unwrap().ipv6_cidr_block_associations[0]
        .association_id
        .clone();
    let block64 = first_v6_64(&lab, &v, 0);
    lab.create_subnet(
        &a,
        CreateSubnet {
            vpc_id: v.to_string(),
            cidr_block: "10.0.5.0/24".into(),
            ipv6_cidr_block: Some(block64),
            ..CreateSubnet::default()
        },
    )
    .unwrap();
    assert_refused(&mut lab, "DependencyViolation", |l| {
        l.disassociate_vpc_cidr_block(&a, v6.as_str())
    });
    assert_refused(&mut lab, "InvalidAssociationID.NotFound", |l| {
        l.disassociate_vpc_cidr_block(&b, second.as_str())
    });
    assert_refused(&mut lab, "InvalidAssociationID.NotFound", |l| {
        l.disassociate_vpc_cidr_block(&a, &missing("vpc-cidr-assoc"))
    });
    assert_refused(&mut lab, "InvalidAssociationID.Malformed", |l| {
        l.disassociate_vpc_cidr_block(&a, "vpc-cidr-assoc-nothex")
    });
}

#[test]
fn disassociating_the_ipv6_block_frees_it_and_its_local_route() {
    let (mut lab, a) = lab();
    let v = vpc_v6(&mut lab, &a, "10.0.0.0/16");
    let b6 = lab.vpc(v.as_str()).unwrap().ipv6_cidr_block_associations[0].clone();
    lab.disassociate_vpc_cidr_block(&a, b6.association_id.as_str())
        .unwrap();
    assert_consistent(&lab);
    assert!(!lab.vpc(v.as_str()).unwrap().has_ipv6());
    assert_eq!(
        routes(&lab, &main_rt(&lab, &v)),
        pairs(&[("10.0.0.0/16", "local")])
    );
    // The freed /56 is handed out again.
    let w = vpc_v6(&mut lab, &a, "10.1.0.0/16");
    assert_eq!(
        lab.vpc(w.as_str()).unwrap().ipv6_cidr_block_associations[0].cidr,
        b6.cidr
    );
}

#[test]
fn vpc_helpers_report_blocks_and_containment() {
    let (mut lab, a) = lab();
    let v = vpc(&mut lab, &a, "10.0.0.0/16");
    lab.associate_vpc_cidr_block(&a, v.as_str(), Some("10.1.0.0/16"), false)
        .unwrap();
    let vpc = lab.vpc(v.as_str()).unwrap();
    assert!(vpc.contains(ip("10.1.2.3")));
    assert!(!vpc.contains(ip("10.2.0.1")));
    let with_ids: Vec<IpNet> = vpc.cidrs_with_associations().map(|(_, c)| c).collect();
    assert_eq!(with_ids, vec![net("10.0.0.0/16"), net("10.1.0.0/16")]);
    // The DNS server stays on the primary block.
    assert_eq!(vpc.dns_server(), ip4("10.0.0.2"));
}
