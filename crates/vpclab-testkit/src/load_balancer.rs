//! Network load balancers, and PrivateLink: an endpoint service in front of one and the
//! interface endpoints that reach it.

use std::net::IpAddr;

use vpclab_model::*;

use crate::World;

impl World {
    /// An internal network load balancer named `name` in `subnets`, with a TCP target
    /// group of the same name on `target_port` in `vpc` holding the instances `targets`,
    /// and a TCP listener on 80 forwarding to it; returns the load balancer and the group.
    pub fn network_load_balancer(
        &mut self,
        name: &str,
        vpc: &VpcId,
        subnets: &[&SubnetId],
        targets: &[&InstanceId],
        target_port: i64,
    ) -> (LoadBalancerArn, TargetGroupArn) {
        self.network_load_balancer_in_groups(name, vpc, subnets, targets, target_port, &[])
    }

    /// [`World::network_load_balancer`], created with the security groups `groups`.
    pub fn network_load_balancer_in_groups(
        &mut self,
        name: &str,
        vpc: &VpcId,
        subnets: &[&SubnetId],
        targets: &[&InstanceId],
        target_port: i64,
        groups: &[&SecurityGroupId],
    ) -> (LoadBalancerArn, TargetGroupArn) {
        let c = self.caller.clone();
        let lb = self
            .lab
            .create_load_balancer(
                &c,
                CreateLoadBalancer {
                    name: name.into(),
                    subnets: subnets.iter().map(|s| s.to_string()).collect(),
                    scheme: Some("internal".into()),
                    load_balancer_type: Some("network".into()),
                    security_groups: groups.iter().map(|g| g.to_string()).collect(),
                    ..Default::default()
                },
            )
            .expect("create the load balancer");
        let tg = self
            .lab
            .create_target_group(
                &c,
                CreateTargetGroup {
                    name: name.into(),
                    protocol: Some("TCP".into()),
                    port: Some(target_port),
                    vpc_id: Some(vpc.to_string()),
                    target_type: Some("instance".into()),
                    ..Default::default()
                },
            )
            .expect("create the target group");
        let descriptions: Vec<TargetDescription> = targets
            .iter()
            .map(|t| TargetDescription {
                id: t.to_string(),
                ..Default::default()
            })
            .collect();
        self.lab
            .register_targets(&c, tg.as_str(), &descriptions)
            .expect("register the targets");
        self.lab
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
            .expect("create the listener");
        (lb, tg)
    }

    /// An endpoint service (acceptance required) in front of the network load balancer
    /// `lb`, which `consumer`'s account may connect to.
    pub fn endpoint_service(
        &mut self,
        lb: &LoadBalancerArn,
        consumer: &Caller,
    ) -> VpcEndpointServiceId {
        let c = self.caller.clone();
        let service = self
            .lab
            .create_vpc_endpoint_service_configuration(
                &c,
                CreateVpcEndpointServiceConfiguration {
                    network_load_balancer_arns: vec![lb.to_string()],
                    ..Default::default()
                },
            )
            .expect("create the endpoint service");
        self.lab
            .modify_vpc_endpoint_service_permissions(
                &c,
                service.as_str(),
                &[format!("arn:aws:iam::{}:root", consumer.account.as_str())],
                &[],
            )
            .expect("allow the consumer");
        service
    }

    /// The service name of the endpoint service `service`.
    pub fn service_name(&self, service: &VpcEndpointServiceId) -> String {
        self.lab
            .vpc_endpoint_service(service.as_str())
            .expect("the endpoint service exists")
            .service_name
            .clone()
    }

    /// An interface endpoint of `vpc` created by `caller` for `service_name` (an AWS
    /// service's or an endpoint service's), in `subnets` with `groups`. Private DNS is
    /// off: tests reach the endpoint by its own names and addresses.
    pub fn interface_endpoint(
        &mut self,
        caller: &Caller,
        vpc: &VpcId,
        service_name: &str,
        subnets: &[&SubnetId],
        groups: &[&SecurityGroupId],
    ) -> VpcEndpointId {
        self.lab
            .create_vpc_endpoint(
                caller,
                CreateVpcEndpoint {
                    vpc_id: vpc.to_string(),
                    service_name: service_name.into(),
                    vpc_endpoint_type: Some("Interface".into()),
                    subnet_ids: subnets.iter().map(|s| s.to_string()).collect(),
                    security_group_ids: groups.iter().map(|g| g.to_string()).collect(),
                    private_dns_enabled: Some(false),
                    ..Default::default()
                },
            )
            .expect("create the interface endpoint")
    }

    /// The address of the first network interface of the interface endpoint `endpoint`.
    pub fn endpoint_address(&self, endpoint: &VpcEndpointId) -> IpAddr {
        let e = self
            .lab
            .vpc_endpoint(endpoint.as_str())
            .expect("the endpoint exists");
        *self
            .lab
            .vpc_endpoint_addresses(e)
            .first()
            .expect("the endpoint has an interface")
    }
}
