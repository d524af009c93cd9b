//! Route lookup: longest prefix match over a table's routes, prefix lists expanded.

use std::net::IpAddr;

use ipnet::IpNet;
use vpclab_model::{Lab, Route, RouteDestination, RouteTable};

/// The route `table` uses for `destination`, and the block of it that matched.
///
/// Keep the routes that match, pick the most specific; at equal length a CIDR route
/// beats a prefix-list route (AWS: "a static route to the same CIDR beats the
/// prefix-list route").
pub fn lookup<'a>(
    lab: &Lab,
    table: &'a RouteTable,
    destination: IpAddr,
) -> Option<(&'a Route, IpNet)> {
    table
        .routes
        .iter()
        .filter_map(|route| matching_block(lab, route, destination).map(|net| (route, net)))
        .max_by_key(|(route, net)| {
            (
                net.prefix_len(),
                matches!(route.destination, RouteDestination::Cidr(_)),
            )
        })
}

/// The most specific block of `route`'s destination that holds `destination`.
fn matching_block(lab: &Lab, route: &Route, destination: IpAddr) -> Option<IpNet> {
    match &route.destination {
        RouteDestination::Cidr(net) => net.contains(&destination).then_some(*net),
        RouteDestination::PrefixList(id) => lab
            .prefix_list(id.as_str())?
            .cidrs()
            .filter(|net| net.contains(&destination))
            .max_by_key(|net| net.prefix_len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vpclab_model::{AccountId, Caller, CreateVpc, Region, RouteSpec, RouteTarget, Timestamp};

    fn lab_with_table() -> (Lab, Caller, String) {
        let mut lab = Lab::new(1);
        let account = AccountId::parse("111111111111").unwrap();
        lab.add_account_without_default_vpcs(&account);
        let caller = Caller::new(account, Region::default_region(), Timestamp(0));
        let vpc = lab
            .create_vpc(
                &caller,
                CreateVpc {
                    cidr_block: "10.0.0.0/16".into(),
                    ..Default::default()
                },
            )
            .unwrap();
        let rt = lab
            .create_route_table(&caller, vpc.as_str(), Default::default())
            .unwrap();
        (lab, caller, rt.to_string())
    }

    #[test]
    fn the_local_route_catches_the_vpc_and_nothing_else() {
        let (lab, _, rt) = lab_with_table();
        let table = lab.route_table(&rt).unwrap();
        let (route, net) = lookup(&lab, table, "10.0.3.4".parse().unwrap()).unwrap();
        assert_eq!(route.target, RouteTarget::Local);
        assert_eq!(net.to_string(), "10.0.0.0/16");
        assert!(lookup(&lab, table, "10.1.0.1".parse().unwrap()).is_none());
    }

    #[test]
    fn longest_prefix_wins_and_cidr_beats_prefix_list_at_equal_length() {
        let (mut lab, caller, rt) = lab_with_table();
        let vpc = lab.route_table(&rt).unwrap().vpc_id.to_string();
        let igw = lab
            .create_internet_gateway(&caller, Default::default())
            .unwrap();
        lab.attach_internet_gateway(&caller, igw.as_str(), &vpc)
            .unwrap();
        let mut spec = RouteSpec::to("0.0.0.0/0");
        spec.gateway_id = Some(igw.to_string());
        lab.create_route(&caller, &rt, &spec).unwrap();
        // A customer prefix list holding 52.216.0.0/15 exactly, next to a /15 static route.
        let pl = lab
            .create_managed_prefix_list(
                &caller,
                vpclab_model::CreateManagedPrefixList {
                    name: "s3ish".into(),
                    address_family: "IPv4".into(),
                    max_entries: 5,
                    entries: vec![("52.216.0.0/15".into(), None)],
                    tags: Default::default(),
                },
            )
            .unwrap();
        let mut by_list = RouteSpec::to(pl.as_str());
        by_list.gateway_id = Some(igw.to_string());
        lab.create_route(&caller, &rt, &by_list).unwrap();
        let table = lab.route_table(&rt).unwrap();
        let (route, _) = lookup(&lab, table, "52.217.1.1".parse().unwrap()).unwrap();
        assert!(
            matches!(route.destination, RouteDestination::PrefixList(_)),
            "the /15 list beats 0.0.0.0/0"
        );
        let mut static_route = RouteSpec::to("52.216.0.0/15");
        static_route.gateway_id = Some(igw.to_string());
        lab.create_route(&caller, &rt, &static_route).unwrap();
        let table = lab.route_table(&rt).unwrap();
        let (route, _) = lookup(&lab, table, "52.217.1.1".parse().unwrap()).unwrap();
        assert_eq!(
            route.destination.to_string(),
            "52.216.0.0/15",
            "static beats list at equal length"
        );
    }
}
