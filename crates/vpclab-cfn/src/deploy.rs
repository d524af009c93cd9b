//! Deployment: a template's resources created in a [`Lab`] through the model's operations,
//! and deleted again.
//!
//! Each resource becomes one or more [`Operation`]s applied with [`Lab::apply`]; every
//! operation applied is listed in [`Stack::applied`] so that a server can journal them and
//! replay them. A failure rolls the whole stack back, as CloudFormation does: the lab is
//! restored to the clone taken before the first operation.
//!
//! Where this departs from CloudFormation:
//! - Resources are created one at a time in dependency order (CloudFormation works in
//!   parallel); the result is the same, the ids are deterministic.
//! - A failed deployment leaves no trace: the lab is restored as a whole (no delete
//!   operations are applied, so nothing of it is to be journaled), where CloudFormation
//!   deletes what it created and keeps the failed stack's events.
//! - Types vpclab does not model are refused, or with `skip_unsupported` recorded as
//!   skipped, with `Ref` and every `Fn::GetAtt` giving `skipped-<LogicalId>`.
//! - Properties the lab cannot honour and that change the network's behaviour are refused
//!   (e.g. `TransitGatewayId` on a route, `VpnGatewayId` on an attachment, `DnsOptions` on an
//!   endpoint, canned bucket ACLs, `SourceDestCheck: false`); properties that do not (user
//!   data, bucket encryption, versioning, lifecycle, …) and unknown property names are ignored.
//!   S3's `PublicAccessBlockConfiguration` is ignored too: the lab does not model it.
//! - Generated names (buckets, security groups, load balancers, target groups) end with a
//!   hash of the stack id and logical id instead of a random suffix, so a replay agrees.
//! - Deleting a bucket assumes it is empty; the server, which holds the objects, must
//!   refuse a non-empty one as S3 does.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vpclab_model::{
    Caller, CreateNatGateway, CreateSubnet, CreateVpc, CreateVpcEndpoint, IpPermission, Lab,
    NetworkAclEntrySpec, Operation, Outcome, RouteSpec, SubnetAttribute, Tags, UserIdGroupPair,
    VpcAttribute,
};

use crate::template::scalar_string;
use crate::{CfnError, Context, Evaluator, Resolved, Template};

/// The resource types [`deploy`] creates.
const SUPPORTED: &[&str] = &[
    "AWS::EC2::VPC",
    "AWS::EC2::VPCCidrBlock",
    "AWS::EC2::Subnet",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::EgressOnlyInternetGateway",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::EC2::RouteTable",
    "AWS::EC2::Route",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::EIP",
    "AWS::EC2::NatGateway",
    "AWS::EC2::NetworkAcl",
    "AWS::EC2::NetworkAclEntry",
    "AWS::EC2::SubnetNetworkAclAssociation",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::SecurityGroupEgress",
    "AWS::EC2::VPCEndpoint",
    "AWS::EC2::Instance",
    "AWS::S3::Bucket",
    "AWS::S3::BucketPolicy",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::EC2::VPCEndpointService",
    "AWS::EC2::VPCEndpointServicePermissions",
];

/// How to deploy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeployOptions {
    /// Other stacks' exports, by export name, for `Fn::ImportValue`.
    pub imports: BTreeMap<String, String>,
    /// Skip resource types vpclab does not model instead of refusing the template.
    pub skip_unsupported: bool,
}

/// What became of one resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResourceStatus {
    /// Created in the lab.
    Created,
    /// Not created; why.
    Skipped(String),
}

/// One resource of a deployed stack.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StackResource {
    /// Its logical id in the template.
    pub logical_id: String,
    /// Its type, e.g. `AWS::EC2::VPC`.
    pub resource_type: String,
    /// What `Ref` gives for it.
    pub physical_id: String,
    /// Created or skipped.
    pub status: ResourceStatus,
    /// Its `Fn::GetAtt` attributes as they were when the stack finished deploying.
    pub attributes: BTreeMap<String, Value>,
    /// The operations that delete it, in order ([`undeploy`] applies them); none with
    /// `DeletionPolicy: Retain`.
    pub undo: Vec<Operation>,
    /// The lab's id of what was created: the physical id, except for an EIP (whose `Ref`
    /// is its address and whose id is its allocation id).
    pub resource_id: String,
}

/// A deployed stack; a server keeps it (it serializes) to take the stack down later.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Stack {
    /// Its resources in the order they were created.
    pub resources: Vec<StackResource>,
    /// Its outputs' values, by output name.
    pub outputs: BTreeMap<String, String>,
    /// Its exports: export name to value.
    pub exports: BTreeMap<String, String>,
    /// Every operation applied, in order, to journal and replay.
    pub applied: Vec<Operation>,
}

impl Stack {
    /// The resource with this logical id.
    pub fn resource(&self, logical_id: &str) -> Option<&StackResource> {
        self.resources.iter().find(|r| r.logical_id == logical_id)
    }
}

/// Deploys `template` into `lab` as `caller`: parameters from `given`, pseudo parameters
/// from `context`. On any failure the lab is left exactly as it was.
pub fn deploy(
    lab: &mut Lab,
    caller: &Caller,
    template: &Template,
    given: &BTreeMap<String, String>,
    context: &Context,
    options: &DeployOptions,
) -> Result<Stack, CfnError> {
    let parameters = template.parameters(given)?;
    let conditions = template.conditions(&parameters, context)?;
    let order = template.order(&conditions)?;
    let evaluator = Evaluator::new(template, &parameters, context, &conditions);

    let mut unsupported: Vec<String> = order
        .iter()
        .filter_map(|id| template.resources.get(id))
        .map(|r| r.resource_type.clone())
        .filter(|t| !SUPPORTED.contains(&t.as_str()))
        .collect();
    unsupported.sort();
    unsupported.dedup();
    if !unsupported.is_empty() && !options.skip_unsupported {
        return Err(CfnError::Unsupported(unsupported));
    }

    let before = lab.clone();
    let mut run = Run {
        lab,
        caller,
        applied: Vec::new(),
        context,
    };
    match run.deploy_all(template, &evaluator, &order, options) {
        Ok(stack) => Ok(stack),
        Err(e) => {
            // CloudFormation rolls back a stack that fails to create.
            *run.lab = before;
            Err(e)
        }
    }
}

/// Deletes the stack's created resources, last created first; one already gone counts as
/// deleted. Returns the operations applied. On a failure the lab is left as it was.
pub fn undeploy(lab: &mut Lab, caller: &Caller, stack: &Stack) -> Result<Vec<Operation>, CfnError> {
    let before = lab.clone();
    let mut applied = Vec::new();
    for resource in stack.resources.iter().rev() {
        for op in &resource.undo {
            match lab.apply(caller, op) {
                Ok(_) => applied.push(op.clone()),
                // AWS: CloudFormation's delete handlers count a resource already gone as
                // deleted.
                Err(e) if e.code().contains("NotFound") => {}
                Err(e) => {
                    *lab = before;
                    return Err(model_error(resource, op, &e));
                }
            }
        }
    }
    Ok(applied)
}

fn model_error(resource: &StackResource, op: &Operation, e: &vpclab_model::Error) -> CfnError {
    CfnError::Resource {
        logical_id: resource.logical_id.clone(),
        resource_type: resource.resource_type.clone(),
        operation: op.name().to_string(),
        code: e.code().to_string(),
        message: e.to_string(),
    }
}

/// What `Ref`, `Fn::GetAtt` and `Fn::ImportValue` see while a stack deploys.
struct Deployed<'a> {
    lab: &'a Lab,
    resources: &'a [StackResource],
    imports: &'a BTreeMap<String, String>,
}

impl Resolved for Deployed<'_> {
    fn reference(&self, logical_id: &str) -> Option<String> {
        self.resources
            .iter()
            .find(|r| r.logical_id == logical_id)
            .map(|r| r.physical_id.clone())
    }

    fn attribute(&self, logical_id: &str, attribute: &str) -> Option<Value> {
        let r = self.resources.iter().find(|r| r.logical_id == logical_id)?;
        if let ResourceStatus::Skipped(_) = r.status {
            return Some(Value::String(r.physical_id.clone()));
        }
        attributes(self.lab, r).remove(attribute)
    }

    fn import(&self, export_name: &str) -> Option<String> {
        self.imports.get(export_name).cloned()
    }
}

/// Why a resource could not be created, before it is placed at its logical id.
enum Failure {
    /// The lab refused the operation named.
    Model(&'static str, Box<vpclab_model::Error>),
    Property(String),
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure::Property(message)
    }
}

/// A resource once created: what `Ref` gives, the lab's id, and how to delete it.
struct Created {
    physical_id: String,
    key: String,
    undo: Vec<Operation>,
}

impl Created {
    fn new(id: impl Into<String>, undo: Vec<Operation>) -> Self {
        let id = id.into();
        Created {
            physical_id: id.clone(),
            key: id,
            undo,
        }
    }
}

struct Run<'a> {
    lab: &'a mut Lab,
    caller: &'a Caller,
    applied: Vec<Operation>,
    context: &'a Context,
}

impl Run<'_> {
    fn deploy_all(
        &mut self,
        template: &Template,
        evaluator: &Evaluator<'_>,
        order: &[String],
        options: &DeployOptions,
    ) -> Result<Stack, CfnError> {
        let mut resources: Vec<StackResource> = Vec::new();
        for logical_id in order {
            let Some(resource) = template.resources.get(logical_id) else {
                continue;
            };
            let resource_type = resource.resource_type.clone();
            if !SUPPORTED.contains(&resource_type.as_str()) {
                resources.push(StackResource {
                    logical_id: logical_id.clone(),
                    physical_id: format!("skipped-{logical_id}"),
                    resource_id: String::new(),
                    status: ResourceStatus::Skipped(format!(
                        "vpclab does not model {resource_type}"
                    )),
                    resource_type,
                    attributes: BTreeMap::new(),
                    undo: Vec::new(),
                });
                continue;
            }
            let properties = {
                let deployed = Deployed {
                    lab: self.lab,
                    resources: &resources,
                    imports: &options.imports,
                };
                evaluator.resolve_properties(logical_id, &deployed)?
            };
            let props = Props(&properties);
            let created = self
                .create(&resource_type, logical_id, &props)
                .map_err(|f| match f {
                    Failure::Model(operation, e) => CfnError::Resource {
                        logical_id: logical_id.clone(),
                        resource_type: resource_type.clone(),
                        operation: operation.to_string(),
                        code: e.code().to_string(),
                        message: e.to_string(),
                    },
                    Failure::Property(message) => CfnError::Property {
                        logical_id: logical_id.clone(),
                        resource_type: resource_type.clone(),
                        message,
                    },
                })?;
            // AWS: a resource with DeletionPolicy Retain outlives its stack.
            let retain = resource.deletion_policy.as_deref() == Some("Retain");
            resources.push(StackResource {
                logical_id: logical_id.clone(),
                resource_type,
                physical_id: created.physical_id,
                resource_id: created.key,
                status: ResourceStatus::Created,
                attributes: BTreeMap::new(),
                undo: if retain { Vec::new() } else { created.undo },
            });
        }
        for r in &mut resources {
            if r.status == ResourceStatus::Created {
                r.attributes = attributes(self.lab, r);
            }
        }
        let deployed = Deployed {
            lab: self.lab,
            resources: &resources,
            imports: &options.imports,
        };
        let mut outputs = BTreeMap::new();
        let mut exports = BTreeMap::new();
        for output in evaluator.resolve_outputs(&deployed)? {
            let value = output_string(&output.value);
            if let Some(name) = output.export_name {
                exports.insert(name, value.clone());
            }
            outputs.insert(output.name, value);
        }
        Ok(Stack {
            resources,
            outputs,
            exports,
            applied: std::mem::take(&mut self.applied),
        })
    }

    /// Applies `op`, recording it.
    fn apply(&mut self, op: Operation) -> Result<Outcome, Failure> {
        match self.lab.apply(self.caller, &op) {
            Ok(outcome) => {
                self.applied.push(op);
                Ok(outcome)
            }
            Err(e) => Err(Failure::Model(op.name(), Box::new(e))),
        }
    }

    /// Applies `op` and returns the id it created.
    fn create_id(&mut self, op: Operation) -> Result<String, Failure> {
        match self.apply(op)? {
            Outcome::Created(id) => Ok(id),
            Outcome::Reservation(_, ids) => ids
                .first()
                .map(|i| i.to_string())
                .ok_or_else(|| Failure::Property("no instance was launched".into())),
            other => Err(Failure::Property(format!(
                "unexpected outcome from the lab: {other:?}"
            ))),
        }
    }

    fn create(
        &mut self,
        resource_type: &str,
        logical_id: &str,
        p: &Props,
    ) -> Result<Created, Failure> {
        match resource_type {
            "AWS::EC2::VPC" => self.vpc(p),
            "AWS::EC2::VPCCidrBlock" => self.vpc_cidr_block(p),
            "AWS::EC2::Subnet" => self.subnet(p),
            "AWS::EC2::InternetGateway" => {
                p.refuse(&[])?;
                let id = self.create_id(Operation::CreateInternetGateway { tags: p.tags()? })?;
                Ok(Created::new(
                    id.clone(),
                    vec![Operation::DeleteInternetGateway {
                        internet_gateway_id: id,
                    }],
                ))
            }
            "AWS::EC2::EgressOnlyInternetGateway" => {
                let vpc_id = p.required("VpcId")?;
                let id = self.create_id(Operation::CreateEgressOnlyInternetGateway {
                    vpc_id,
                    tags: Tags::new(),
                })?;
                Ok(Created::new(
                    id.clone(),
                    vec![Operation::DeleteEgressOnlyInternetGateway {
                        egress_only_internet_gateway_id: id,
                    }],
                ))
            }
            "AWS::EC2::VPCGatewayAttachment" => {
                p.refuse(&["VpnGatewayId"])?;
                let internet_gateway_id = p.required("InternetGatewayId")?;
                let vpc_id = p.required("VpcId")?;
                self.apply(Operation::AttachInternetGateway {
                    internet_gateway_id: internet_gateway_id.clone(),
                    vpc_id: vpc_id.clone(),
                })?;
                // CloudFormation's physical id for an attachment: `IGW|<vpc-id>`.
                Ok(Created::new(
                    format!("IGW|{vpc_id}"),
                    vec![Operation::DetachInternetGateway {
                        internet_gateway_id,
                        vpc_id,
                    }],
                ))
            }
            "AWS::EC2::RouteTable" => {
                let id = self.create_id(Operation::CreateRouteTable {
                    vpc_id: p.required("VpcId")?,
                    tags: p.tags()?,
                })?;
                Ok(Created::new(
                    id.clone(),
                    vec![Operation::DeleteRouteTable { route_table_id: id }],
                ))
            }
            "AWS::EC2::Route" => self.route(p),
            "AWS::EC2::SubnetRouteTableAssociation" => {
                let id = self.create_id(Operation::AssociateRouteTable {
                    route_table_id: p.required("RouteTableId")?,
                    subnet_id: p.required("SubnetId")?,
                })?;
                Ok(Created::new(
                    id.clone(),
                    vec![Operation::DisassociateRouteTable { association_id: id }],
                ))
            }
            "AWS::EC2::EIP" => self.eip(p),
            "AWS::EC2::NatGateway" => {
                p.refuse(&[
                    "SecondaryAllocationIds",
                    "SecondaryPrivateIpAddresses",
                    "SecondaryPrivateIpAddressCount",
                ])?;
                let id = self.create_id(Operation::CreateNatGateway(CreateNatGateway {
                    subnet_id: p.required("SubnetId")?,
                    connectivity_type: p.string("ConnectivityType")?,
                    allocation_id: p.string("AllocationId")?,
                    private_ip_address: p.string("PrivateIpAddress")?,
                    tags: p.tags()?,
                }))?;
                Ok(Created::new(
                    id.clone(),
                    vec![Operation::DeleteNatGateway { nat_gateway_id: id }],
                ))
            }
            "AWS::EC2::NetworkAcl" => {
                let id = self.create_id(Operation::CreateNetworkAcl {
                    vpc_id: p.required("VpcId")?,
                    tags: p.tags()?,
                })?;
                Ok(Created::new(
                    id.clone(),
                    vec![Operation::DeleteNetworkAcl { network_acl_id: id }],
                ))
            }
            "AWS::EC2::NetworkAclEntry" => self.network_acl_entry(p),
            "AWS::EC2::SubnetNetworkAclAssociation" => self.subnet_network_acl_association(p),
            "AWS::EC2::SecurityGroup" => self.security_group(logical_id, p),
            "AWS::EC2::SecurityGroupIngress" => self.security_group_rule(p, false),
            "AWS::EC2::SecurityGroupEgress" => self.security_group_rule(p, true),
            "AWS::EC2::VPCEndpoint" => self.vpc_endpoint(p),
            "AWS::EC2::Instance" => self.instance(p),
            "AWS::S3::Bucket" => self.bucket(logical_id, p),
            "AWS::ElasticLoadBalancingV2::LoadBalancer" => self.load_balancer(logical_id, p),
            "AWS::ElasticLoadBalancingV2::TargetGroup" => self.target_group(logical_id, p),
            "AWS::ElasticLoadBalancingV2::Listener" => self.listener(p),
            "AWS::EC2::VPCEndpointService" => {
                p.refuse(&["GatewayLoadBalancerArns", "ContactEmail"])?;
                let id = self.create_id(Operation::CreateVpcEndpointServiceConfiguration(
                    vpclab_model::CreateVpcEndpointServiceConfiguration {
                        acceptance_required: p.bool("AcceptanceRequired")?,
                        private_dns_name: None,
                        network_load_balancer_arns: p.strings("NetworkLoadBalancerArns")?,
                        gateway_load_balancer_arns: Vec::new(),
                        supported_ip_address_types: p.strings("SupportedIpAddressTypes")?,
                        supported_regions: p.strings("SupportedRegions")?,
                        tags: p.tags()?,
                    },
                ))?;
                Ok(Created::new(
                    id.clone(),
                    vec![Operation::DeleteVpcEndpointServiceConfigurations {
                        service_ids: vec![id],
                    }],
                ))
            }
            "AWS::EC2::VPCEndpointServicePermissions" => {
                let service_id = p.required("ServiceId")?;
                let principals = p.strings("AllowedPrincipals")?;
                self.apply(Operation::ModifyVpcEndpointServicePermissions {
                    service_id: service_id.clone(),
                    add_allowed_principals: principals.clone(),
                    remove_allowed_principals: Vec::new(),
                })?;
                Ok(Created::new(
                    service_id.clone(),
                    vec![Operation::ModifyVpcEndpointServicePermissions {
                        service_id,
                        add_allowed_principals: Vec::new(),
                        remove_allowed_principals: principals,
                    }],
                ))
            }
            "AWS::S3::BucketPolicy" => {
                let bucket = p.required("Bucket")?;
                let policy = match p.get("PolicyDocument") {
                    Some(Value::String(s)) => s.clone(),
                    Some(v) => v.to_string(),
                    None => return Err("Property PolicyDocument is required".to_string().into()),
                };
                self.apply(Operation::PutBucketPolicy {
                    bucket: bucket.clone(),
                    policy,
                })?;
                Ok(Created::new(
                    bucket.clone(),
                    vec![Operation::DeleteBucketPolicy { bucket }],
                ))
            }
            other => Err(Failure::Property(format!("vpclab does not model {other}"))),
        }
    }

    fn vpc(&mut self, p: &Props) -> Result<Created, Failure> {
        p.refuse(&["Ipv4IpamPoolId", "Ipv4NetmaskLength"])?;
        let id = self.create_id(Operation::CreateVpc(CreateVpc {
            cidr_block: p.required("CidrBlock")?,
            amazon_provided_ipv6_cidr_block: false,
            instance_tenancy: p.string("InstanceTenancy")?,
            tags: p.tags()?,
        }))?;
        // AWS's defaults: DNS support on, DNS hostnames off.
        if let Some(on) = p.bool("EnableDnsSupport")?
            && !on
        {
            self.apply(Operation::ModifyVpcAttribute {
                vpc_id: id.clone(),
                attribute: VpcAttribute::EnableDnsSupport(false),
            })?;
        }
        if let Some(on) = p.bool("EnableDnsHostnames")?
            && on
        {
            self.apply(Operation::ModifyVpcAttribute {
                vpc_id: id.clone(),
                attribute: VpcAttribute::EnableDnsHostnames(true),
            })?;
        }
        Ok(Created::new(
            id.clone(),
            vec![Operation::DeleteVpc { vpc_id: id }],
        ))
    }

    fn vpc_cidr_block(&mut self, p: &Props) -> Result<Created, Failure> {
        p.refuse(&[
            "Ipv4IpamPoolId",
            "Ipv4NetmaskLength",
            "Ipv6IpamPoolId",
            "Ipv6NetmaskLength",
            "Ipv6Pool",
            "Ipv6CidrBlock",
        ])?;
        let id = self.create_id(Operation::AssociateVpcCidrBlock {
            vpc_id: p.required("VpcId")?,
            cidr_block: p.string("CidrBlock")?,
            amazon_provided_ipv6_cidr_block: p
                .bool("AmazonProvidedIpv6CidrBlock")?
                .unwrap_or(false),
        })?;
        Ok(Created::new(
            id.clone(),
            vec![Operation::DisassociateVpcCidrBlock { association_id: id }],
        ))
    }

    fn subnet(&mut self, p: &Props) -> Result<Created, Failure> {
        p.refuse(&[
            "Ipv4IpamPoolId",
            "Ipv4NetmaskLength",
            "Ipv6IpamPoolId",
            "Ipv6NetmaskLength",
            "Ipv6Native",
            "OutpostArn",
            "EnableDns64",
        ])?;
        let id = self.create_id(Operation::CreateSubnet(CreateSubnet {
            vpc_id: p.required("VpcId")?,
            cidr_block: p.required("CidrBlock")?,
            ipv6_cidr_block: p.string("Ipv6CidrBlock")?,
            availability_zone: p.string("AvailabilityZone")?,
            availability_zone_id: p.string("AvailabilityZoneId")?,
            tags: p.tags()?,
        }))?;
        if p.bool("MapPublicIpOnLaunch")? == Some(true) {
            self.apply(Operation::ModifySubnetAttribute {
                subnet_id: id.clone(),
                attribute: SubnetAttribute::MapPublicIpOnLaunch(true),
            })?;
        }
        if p.bool("AssignIpv6AddressOnCreation")? == Some(true) {
            self.apply(Operation::ModifySubnetAttribute {
                subnet_id: id.clone(),
                attribute: SubnetAttribute::AssignIpv6AddressOnCreation(true),
            })?;
        }
        Ok(Created::new(
            id.clone(),
            vec![Operation::DeleteSubnet { subnet_id: id }],
        ))
    }

    fn route(&mut self, p: &Props) -> Result<Created, Failure> {
        p.refuse(&[
            "TransitGatewayId",
            "CarrierGatewayId",
            "LocalGatewayId",
            "CoreNetworkArn",
        ])?;
        let route_table_id = p.required("RouteTableId")?;
        let spec = RouteSpec {
            destination_cidr_block: p.string("DestinationCidrBlock")?,
            destination_ipv6_cidr_block: p.string("DestinationIpv6CidrBlock")?,
            destination_prefix_list_id: p.string("DestinationPrefixListId")?,
            gateway_id: p.string("GatewayId")?,
            egress_only_internet_gateway_id: p.string("EgressOnlyInternetGatewayId")?,
            nat_gateway_id: p.string("NatGatewayId")?,
            network_interface_id: p.string("NetworkInterfaceId")?,
            instance_id: p.string("InstanceId")?,
            vpc_peering_connection_id: p.string("VpcPeeringConnectionId")?,
            vpc_endpoint_id: p.string("VpcEndpointId")?,
            local_target: false,
        };
        let destination = spec
            .destination_cidr_block
            .clone()
            .or_else(|| spec.destination_ipv6_cidr_block.clone())
            .or_else(|| spec.destination_prefix_list_id.clone())
            .unwrap_or_default();
        let delete = RouteSpec {
            destination_cidr_block: spec.destination_cidr_block.clone(),
            destination_ipv6_cidr_block: spec.destination_ipv6_cidr_block.clone(),
            destination_prefix_list_id: spec.destination_prefix_list_id.clone(),
            ..RouteSpec::default()
        };
        self.apply(Operation::CreateRoute {
            route_table_id: route_table_id.clone(),
            spec,
        })?;
        Ok(Created::new(
            format!("{route_table_id}|{destination}"),
            vec![Operation::DeleteRoute {
                route_table_id,
                spec: delete,
            }],
        ))
    }

    fn eip(&mut self, p: &Props) -> Result<Created, Failure> {
        p.refuse(&["PublicIpv4Pool", "TransferAddress", "IpamPoolId", "Address"])?;
        if let Some(domain) = p.string("Domain")?
            && domain != "vpc"
        {
            return Err(Failure::Property(format!(
                "Domain {domain}: vpclab has only VPC addresses (Domain vpc)"
            )));
        }
        let allocation_id = self.create_id(Operation::AllocateAddress { tags: p.tags()? })?;
        let mut undo = vec![Operation::ReleaseAddress {
            allocation_id: allocation_id.clone(),
        }];
        if let Some(instance_id) = p.string("InstanceId")? {
            let association = self.create_id(Operation::AssociateAddress(
                vpclab_model::AssociateAddress {
                    allocation_id: allocation_id.clone(),
                    instance_id: Some(instance_id),
                    network_interface_id: None,
                    private_ip_address: None,
                    allow_reassociation: None,
                },
            ))?;
            undo.insert(
                0,
                Operation::DisassociateAddress {
                    association_id_or_ip: association,
                },
            );
        }
        let public_ip = self
            .lab
            .address(&allocation_id)
            .map(|a| a.public_ip.to_string())
            .unwrap_or_default();
        // AWS: `Ref` on an EIP gives its public address.
        Ok(Created {
            physical_id: public_ip,
            key: allocation_id,
            undo,
        })
    }

    fn network_acl_entry(&mut self, p: &Props) -> Result<Created, Failure> {
        let network_acl_id = p.required("NetworkAclId")?;
        let rule_number = p
            .int("RuleNumber")?
            .ok_or_else(|| "Property RuleNumber is required".to_string())?;
        let egress = p.bool("Egress")?.unwrap_or(false);
        let ports = p.object("PortRange");
        let icmp = p.object("Icmp");
        let spec = NetworkAclEntrySpec {
            rule_number,
            egress,
            protocol: p.required("Protocol")?,
            rule_action: p.required("RuleAction")?,
            cidr_block: p.string("CidrBlock")?,
            ipv6_cidr_block: p.string("Ipv6CidrBlock")?,
            port_from: ports.int("From")?,
            port_to: ports.int("To")?,
            icmp_type: icmp.int("Type")?,
            icmp_code: icmp.int("Code")?,
        };
        self.apply(Operation::CreateNetworkAclEntry {
            network_acl_id: network_acl_id.clone(),
            spec,
        })?;
        Ok(Created::new(
            format!("{network_acl_id}|{rule_number}|{egress}"),
            vec![Operation::DeleteNetworkAclEntry {
                network_acl_id,
                rule_number,
                egress,
            }],
        ))
    }

    fn subnet_network_acl_association(&mut self, p: &Props) -> Result<Created, Failure> {
        let subnet_id = p.required("SubnetId")?;
        let network_acl_id = p.required("NetworkAclId")?;
        // EC2 has no "associate": a subnet always has a network ACL, so CloudFormation
        // replaces the subnet's current association and puts it back on delete.
        let (previous_acl, association_id) = self
            .lab
            .network_acls()
            .find_map(|acl| {
                acl.associations
                    .iter()
                    .find(|a| a.subnet_id.to_string() == subnet_id)
                    .map(|a| (acl.id.to_string(), a.id.to_string()))
            })
            .ok_or_else(|| format!("The subnet ID '{subnet_id}' does not exist"))?;
        let id = self.create_id(Operation::ReplaceNetworkAclAssociation {
            association_id,
            network_acl_id,
        })?;
        Ok(Created::new(
            id.clone(),
            vec![Operation::ReplaceNetworkAclAssociation {
                association_id: id,
                network_acl_id: previous_acl,
            }],
        ))
    }

    fn security_group(&mut self, logical_id: &str, p: &Props) -> Result<Created, Failure> {
        // CloudFormation names a group `<stack>-<LogicalId>-<suffix>` when GroupName is
        // absent.
        let group_name = match p.string("GroupName")? {
            Some(name) => name,
            None => generated_name(
                &self.context.stack_name,
                &self.context.stack_id,
                logical_id,
                255,
            ),
        };
        let id = self.create_id(Operation::CreateSecurityGroup {
            vpc_id: p.string("VpcId")?,
            group_name,
            description: p.required("GroupDescription")?,
            tags: p.tags()?,
        })?;
        let ingress = p.list("SecurityGroupIngress");
        if !ingress.is_empty() {
            let permissions = ingress
                .iter()
                .map(|r| permission(&Props(r), false))
                .collect::<Result<Vec<_>, String>>()?;
            self.apply(Operation::AuthorizeSecurityGroupRules {
                group: id.clone(),
                is_egress: false,
                permissions,
                tags: Tags::new(),
            })?;
        }
        let egress = p.list("SecurityGroupEgress");
        if !egress.is_empty() {
            // AWS: the group's own rules replace the default allow-all egress rule.
            let permissions = egress
                .iter()
                .map(|r| permission(&Props(r), true))
                .collect::<Result<Vec<_>, String>>()?;
            self.apply(Operation::RevokeSecurityGroupRules {
                group: id.clone(),
                is_egress: true,
                permissions: vec![IpPermission::all("0.0.0.0/0")],
                rule_ids: Vec::new(),
            })?;
            self.apply(Operation::AuthorizeSecurityGroupRules {
                group: id.clone(),
                is_egress: true,
                permissions,
                tags: Tags::new(),
            })?;
        }
        Ok(Created::new(
            id.clone(),
            vec![Operation::DeleteSecurityGroup { group: id }],
        ))
    }

    fn security_group_rule(&mut self, p: &Props, is_egress: bool) -> Result<Created, Failure> {
        let group = match p.string("GroupId")? {
            Some(g) => g,
            None if !is_egress => p.required("GroupName")?,
            None => return Err("GroupId is required".to_string().into()),
        };
        let permission = permission(p, is_egress)?;
        let outcome = self.apply(Operation::AuthorizeSecurityGroupRules {
            group: group.clone(),
            is_egress,
            permissions: vec![permission],
            tags: Tags::new(),
        })?;
        let rule_ids: Vec<String> = match outcome {
            Outcome::Rules(rules) => rules.iter().map(|r| r.id.to_string()).collect(),
            _ => Vec::new(),
        };
        let id = rule_ids.first().cloned().unwrap_or_default();
        Ok(Created::new(
            id,
            vec![Operation::RevokeSecurityGroupRules {
                group,
                is_egress,
                permissions: Vec::new(),
                rule_ids,
            }],
        ))
    }

    fn vpc_endpoint(&mut self, p: &Props) -> Result<Created, Failure> {
        p.refuse(&[
            "DnsOptions",
            "ResourceConfigurationArn",
            "ServiceNetworkArn",
        ])?;
        let policy_document = match p.get("PolicyDocument") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(v) => Some(v.to_string()),
        };
        let id = self.create_id(Operation::CreateVpcEndpoint(CreateVpcEndpoint {
            vpc_id: p.required("VpcId")?,
            service_name: p.required("ServiceName")?,
            // CloudFormation's default type is Gateway.
            vpc_endpoint_type: Some(
                p.string("VpcEndpointType")?
                    .unwrap_or_else(|| "Gateway".to_string()),
            ),
            route_table_ids: p.strings("RouteTableIds")?,
            policy_document,
            tags: p.tags()?,
            subnet_ids: p.strings("SubnetIds")?,
            security_group_ids: p.strings("SecurityGroupIds")?,
            private_dns_enabled: p.bool("PrivateDnsEnabled")?,
            dns_options: None,
            ip_address_type: p.string("IpAddressType")?,
        }))?;
        Ok(Created::new(
            id.clone(),
            vec![Operation::DeleteVpcEndpoints {
                vpc_endpoint_ids: vec![id],
            }],
        ))
    }
}

impl Run<'_> {
    fn load_balancer(&mut self, logical_id: &str, p: &Props) -> Result<Created, Failure> {
        p.refuse(&[
            "EnablePrefixForIpv6SourceNat",
            "MinimumLoadBalancerCapacity",
        ])?;
        let name = match p.string("Name")? {
            Some(name) => name,
            None => generated_name(
                &self.context.stack_name,
                &self.context.stack_id,
                logical_id,
                32,
            ),
        };
        let subnet_mappings = p
            .list("SubnetMappings")
            .iter()
            .map(|m| {
                let m = Props(m);
                Ok(vpclab_model::SubnetMapping {
                    subnet_id: m.required("SubnetId")?,
                    allocation_id: m.string("AllocationId")?,
                    private_ipv4_address: m.string("PrivateIPv4Address")?,
                    ipv6_address: m.string("IPv6Address")?,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let arn = self.create_id(Operation::CreateLoadBalancer(
            vpclab_model::CreateLoadBalancer {
                name,
                subnets: p.strings("Subnets")?,
                subnet_mappings,
                security_groups: p.strings("SecurityGroups")?,
                scheme: p.string("Scheme")?,
                // CloudFormation's default is `application`, which the lab refuses clearly.
                load_balancer_type: Some(p.string("Type")?.unwrap_or_else(|| "application".into())),
                ip_address_type: p.string("IpAddressType")?,
                tags: p.tags()?,
            },
        ))?;
        let attributes = key_values(p, "LoadBalancerAttributes")?;
        if !attributes.is_empty() {
            self.apply(Operation::ModifyLoadBalancerAttributes {
                load_balancer_arn: arn.clone(),
                attributes,
            })?;
        }
        Ok(Created::new(
            arn.clone(),
            vec![Operation::DeleteLoadBalancer {
                load_balancer_arn: arn,
            }],
        ))
    }

    fn target_group(&mut self, logical_id: &str, p: &Props) -> Result<Created, Failure> {
        let name = match p.string("Name")? {
            Some(name) => name,
            None => generated_name(
                &self.context.stack_name,
                &self.context.stack_id,
                logical_id,
                32,
            ),
        };
        let health_check = vpclab_model::HealthCheckSettings {
            enabled: p.bool("HealthCheckEnabled")?,
            protocol: p.string("HealthCheckProtocol")?,
            port: p.string("HealthCheckPort")?,
            path: p.string("HealthCheckPath")?,
            interval_seconds: p.int("HealthCheckIntervalSeconds")?.map(i64::from),
            timeout_seconds: p.int("HealthCheckTimeoutSeconds")?.map(i64::from),
            healthy_threshold_count: p.int("HealthyThresholdCount")?.map(i64::from),
            unhealthy_threshold_count: p.int("UnhealthyThresholdCount")?.map(i64::from),
            matcher: p.object("Matcher").string("HttpCode")?,
        };
        let arn = self.create_id(Operation::CreateTargetGroup(
            vpclab_model::CreateTargetGroup {
                name,
                protocol: p.string("Protocol")?,
                port: p.int("Port")?.map(i64::from),
                vpc_id: p.string("VpcId")?,
                target_type: p.string("TargetType")?,
                ip_address_type: p.string("IpAddressType")?,
                health_check,
                tags: p.tags()?,
            },
        ))?;
        let attributes = key_values(p, "TargetGroupAttributes")?;
        if !attributes.is_empty() {
            self.apply(Operation::ModifyTargetGroupAttributes {
                target_group_arn: arn.clone(),
                attributes,
            })?;
        }
        let targets = p
            .list("Targets")
            .iter()
            .map(|t| {
                let t = Props(t);
                Ok(vpclab_model::TargetDescription {
                    id: t.required("Id")?,
                    port: t.int("Port")?.map(i64::from),
                    availability_zone: t.string("AvailabilityZone")?,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        if !targets.is_empty() {
            self.apply(Operation::RegisterTargets {
                target_group_arn: arn.clone(),
                targets,
            })?;
        }
        Ok(Created::new(
            arn.clone(),
            vec![Operation::DeleteTargetGroup {
                target_group_arn: arn,
            }],
        ))
    }

    fn listener(&mut self, p: &Props) -> Result<Created, Failure> {
        p.refuse(&["MutualAuthentication"])?;
        let default_actions = p
            .list("DefaultActions")
            .iter()
            .map(|a| {
                let a = Props(a);
                let forward = a.object("ForwardConfig");
                Ok(vpclab_model::ListenerAction {
                    action_type: a.required("Type")?,
                    target_group_arn: a.string("TargetGroupArn")?,
                    forward_target_group_arns: forward
                        .list("TargetGroups")
                        .iter()
                        .map(|t| Props(t).required("TargetGroupArn"))
                        .collect::<Result<Vec<_>, String>>()?,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let certificates = p
            .list("Certificates")
            .iter()
            .map(|c| Props(c).required("CertificateArn"))
            .collect::<Result<Vec<_>, String>>()?;
        let arn = self.create_id(Operation::CreateListener(vpclab_model::CreateListener {
            load_balancer_arn: p.required("LoadBalancerArn")?,
            protocol: p.string("Protocol")?,
            port: p.int("Port")?.map(i64::from),
            default_actions,
            certificates,
            ssl_policy: p.string("SslPolicy")?,
            alpn_policy: p.strings("AlpnPolicy")?,
            tags: Tags::new(),
        }))?;
        Ok(Created::new(
            arn.clone(),
            vec![Operation::DeleteListener { listener_arn: arn }],
        ))
    }

    fn bucket(&mut self, logical_id: &str, p: &Props) -> Result<Created, Failure> {
        // The lab has no bucket ACLs: a canned ACL that grants more than the owner would let
        // requests through that the lab would refuse.
        if let Some(acl) = p.string("AccessControl")?
            && acl != "Private"
            && acl != "BucketOwnerFullControl"
        {
            return Err(format!("vpclab does not model bucket ACLs (AccessControl {acl})").into());
        }
        let name = match p.string("BucketName")? {
            Some(name) => name,
            None => {
                generated_bucket_name(&self.context.stack_name, &self.context.stack_id, logical_id)
            }
        };
        self.apply(Operation::CreateBucket {
            bucket: name.clone(),
            region: self.caller.region,
        })?;
        // The lab does not see the objects (the store keeps them); the server must refuse a
        // non-empty bucket's deletion as S3 does.
        Ok(Created::new(
            name.clone(),
            vec![Operation::DeleteBucket {
                bucket: name,
                empty: true,
            }],
        ))
    }

    fn instance(&mut self, p: &Props) -> Result<Created, Failure> {
        // UserData, IamInstanceProfile, BlockDeviceMappings, … do not change the network:
        // they are ignored. What would is refused.
        p.refuse(&[
            "Ipv6Addresses",
            "LaunchTemplate",
            "ElasticGpuSpecifications",
        ])?;
        if p.bool("SourceDestCheck")? == Some(false) {
            return Err("vpclab does not support SourceDestCheck false"
                .to_string()
                .into());
        }
        let mut req = vpclab_model::RunInstances {
            image_id: p.required("ImageId")?,
            instance_type: p.string("InstanceType")?,
            min_count: 1,
            max_count: 1,
            subnet_id: p.string("SubnetId")?,
            availability_zone: p.string("AvailabilityZone")?,
            security_group_ids: p.strings("SecurityGroupIds")?,
            security_groups: p.strings("SecurityGroups")?,
            private_ip_address: p.string("PrivateIpAddress")?,
            associate_public_ip_address: None,
            ipv6_address_count: p.int("Ipv6AddressCount")?.map(|n| n.max(0) as u32),
            key_name: p.string("KeyName")?,
            tags: p.tags()?,
            interface_tags: Tags::new(),
        };
        // The common NetworkInterfaces form: one interface at device index 0 that the
        // instance creates, which is what RunInstances' own parameters express.
        let interfaces = p.list("NetworkInterfaces");
        match interfaces.as_slice() {
            [] => {}
            [one] => {
                let n = Props(one);
                n.refuse(&[
                    "NetworkInterfaceId",
                    "SecondaryPrivateIpAddressCount",
                    "PrivateIpAddresses",
                    "Ipv6Addresses",
                ])?;
                if n.int("DeviceIndex")?.unwrap_or(0) != 0 {
                    return Err("vpclab supports one network interface at DeviceIndex 0"
                        .to_string()
                        .into());
                }
                if let Some(subnet) = n.string("SubnetId")? {
                    req.subnet_id = Some(subnet);
                }
                let groups = n.strings("GroupSet")?;
                if !groups.is_empty() {
                    req.security_group_ids = groups;
                }
                if let Some(ip) = n.string("PrivateIpAddress")? {
                    req.private_ip_address = Some(ip);
                }
                req.associate_public_ip_address = n.bool("AssociatePublicIpAddress")?;
                if let Some(count) = n.int("Ipv6AddressCount")? {
                    req.ipv6_address_count = Some(count.max(0) as u32);
                }
            }
            _ => {
                return Err("vpclab supports one network interface per instance"
                    .to_string()
                    .into());
            }
        }
        let id = self.create_id(Operation::RunInstances(req))?;
        Ok(Created::new(
            id.clone(),
            vec![Operation::TerminateInstances {
                instance_ids: vec![id],
            }],
        ))
    }
}

/// The name CloudFormation gives a bucket without `BucketName`:
/// `<stack>-<logical id>-<12 hex>`, lowercased and at most 63 characters. CloudFormation's
/// suffix is random; ours is a hash of the stack id (which holds a UUID) and the logical id,
/// so a replay gives the same name.
fn generated_bucket_name(stack_name: &str, stack_id: &str, logical_id: &str) -> String {
    generated_name(stack_name, stack_id, logical_id, 63).to_ascii_lowercase()
}

/// `<stack>-<logical id>-<12 hex>` in at most `max` characters (at least 26), as
/// CloudFormation names what the template leaves unnamed.
fn generated_name(stack_name: &str, stack_id: &str, logical_id: &str, max: usize) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in stack_id.bytes().chain([0]).chain(logical_id.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let suffix = format!("{:012x}", hash & 0xffff_ffff_ffff);
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .collect()
    };
    // Two dashes and the suffix leave `max - 14` for the names, split between them.
    let room = max.saturating_sub(14);
    let stack: String = clean(stack_name).chars().take(room / 2).collect();
    let logical: String = clean(logical_id).chars().take(room - stack.len()).collect();
    format!("{stack}-{logical}-{suffix}")
}

/// A security group rule of CloudFormation's shape as the model's permission.
fn permission(r: &Props, is_egress: bool) -> Result<IpPermission, String> {
    let (prefix_list, group, group_name, group_owner) = if is_egress {
        (
            "DestinationPrefixListId",
            "DestinationSecurityGroupId",
            None,
            None,
        )
    } else {
        (
            "SourcePrefixListId",
            "SourceSecurityGroupId",
            Some("SourceSecurityGroupName"),
            Some("SourceSecurityGroupOwnerId"),
        )
    };
    let description = r.string("Description")?;
    let mut p = IpPermission {
        ip_protocol: r.required("IpProtocol")?,
        from_port: r.int("FromPort")?,
        to_port: r.int("ToPort")?,
        ..IpPermission::default()
    };
    if let Some(cidr) = r.string("CidrIp")? {
        p.ip_ranges.push((cidr, description.clone()));
    }
    if let Some(cidr) = r.string("CidrIpv6")? {
        p.ipv6_ranges.push((cidr, description.clone()));
    }
    if let Some(pl) = r.string(prefix_list)? {
        p.prefix_list_ids.push((pl, description.clone()));
    }
    let group_id = r.string(group)?;
    let group_name = match group_name {
        Some(key) => r.string(key)?,
        None => None,
    };
    if group_id.is_some() || group_name.is_some() {
        p.user_id_group_pairs.push(UserIdGroupPair {
            group_id,
            group_name,
            user_id: match group_owner {
                Some(key) => r.string(key)?,
                None => None,
            },
            description,
        });
    }
    Ok(p)
}

/// A resource's resolved properties, read the way CloudFormation reads them: numbers and
/// booleans may be written as strings.
struct Props<'a>(&'a Value);

impl Props<'_> {
    fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }

    fn object(&self, key: &str) -> Props<'_> {
        static NULL: Value = Value::Null;
        Props(self.get(key).unwrap_or(&NULL))
    }

    fn list(&self, key: &str) -> Vec<Value> {
        match self.get(key) {
            Some(Value::Array(items)) => items.clone(),
            _ => Vec::new(),
        }
    }

    fn string(&self, key: &str) -> Result<Option<String>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => scalar_string(v)
                .map(Some)
                .ok_or_else(|| format!("{key} must be a string, not {v}")),
        }
    }

    fn required(&self, key: &str) -> Result<String, String> {
        self.string(key)?
            .ok_or_else(|| format!("Property {key} is required"))
    }

    fn bool(&self, key: &str) -> Result<Option<bool>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(v) => Err(format!("{key} must be a boolean, not {v}")),
        }
    }

    fn int(&self, key: &str) -> Result<Option<i32>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => scalar_string(v)
                .and_then(|s| s.trim().parse::<i32>().ok())
                .map(Some)
                .ok_or_else(|| format!("{key} must be an integer, not {v}")),
        }
    }

    fn strings(&self, key: &str) -> Result<Vec<String>, String> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    scalar_string(v).ok_or_else(|| format!("{key} must list strings, not {v}"))
                })
                .collect(),
            Some(v) => Err(format!("{key} must be a list, not {v}")),
        }
    }

    fn tags(&self) -> Result<Tags, String> {
        let mut tags = Tags::new();
        for tag in self.list("Tags") {
            let t = Props(&tag);
            tags.insert(t.required("Key")?, t.string("Value")?.unwrap_or_default());
        }
        Ok(tags)
    }

    /// Refuses properties that would change the network's behaviour in ways the lab
    /// does not model.
    fn refuse(&self, keys: &[&str]) -> Result<(), String> {
        match keys.iter().find(|k| self.get(k).is_some()) {
            Some(key) => Err(format!("vpclab does not support the property {key}")),
            None => Ok(()),
        }
    }
}

/// A list of `{Key, Value}` pairs (load balancer and target group attributes).
fn key_values(p: &Props, key: &str) -> Result<Vec<(String, String)>, String> {
    p.list(key)
        .iter()
        .map(|kv| {
            let kv = Props(kv);
            Ok((kv.required("Key")?, kv.string("Value")?.unwrap_or_default()))
        })
        .collect()
}

/// An output's value as the string CloudFormation shows (lists joined with commas).
fn output_string(value: &Value) -> String {
    match value {
        Value::Array(items) => items
            .iter()
            .map(output_string)
            .collect::<Vec<_>>()
            .join(","),
        other => scalar_string(other).unwrap_or_else(|| other.to_string()),
    }
}

/// A created resource's `Fn::GetAtt` attributes, read from the lab as it is now.
fn attributes(lab: &Lab, r: &StackResource) -> BTreeMap<String, Value> {
    let mut a = BTreeMap::new();
    let id = r.resource_id.as_str();
    match r.resource_type.as_str() {
        "AWS::EC2::VPC" => {
            if let Some(vpc) = lab.vpc(id) {
                let first = vpc.cidr_block_associations.first();
                a.insert("VpcId".into(), json!(id));
                a.insert(
                    "CidrBlock".into(),
                    json!(first.map(|c| c.cidr.to_string()).unwrap_or_default()),
                );
                a.insert(
                    "CidrBlockAssociations".into(),
                    json!(
                        vpc.cidr_block_associations
                            .iter()
                            .map(|c| c.association_id.to_string())
                            .collect::<Vec<_>>()
                    ),
                );
                a.insert(
                    "Ipv6CidrBlocks".into(),
                    json!(
                        vpc.ipv6_cidr_block_associations
                            .iter()
                            .map(|c| c.cidr.to_string())
                            .collect::<Vec<_>>()
                    ),
                );
                a.insert(
                    "DefaultSecurityGroup".into(),
                    json!(vpc.default_security_group_id.to_string()),
                );
                a.insert(
                    "DefaultNetworkAcl".into(),
                    json!(vpc.default_network_acl_id.to_string()),
                );
            }
        }
        "AWS::EC2::Subnet" => {
            if let Some(s) = lab.subnet(id) {
                a.insert("SubnetId".into(), json!(id));
                a.insert("VpcId".into(), json!(s.vpc_id.to_string()));
                a.insert("AvailabilityZone".into(), json!(s.availability_zone));
                a.insert("AvailabilityZoneId".into(), json!(s.availability_zone_id));
                a.insert("CidrBlock".into(), json!(s.cidr_block.to_string()));
                a.insert(
                    "Ipv6CidrBlocks".into(),
                    json!(
                        s.ipv6_cidr_block_associations
                            .iter()
                            .map(|c| c.cidr.to_string())
                            .collect::<Vec<_>>()
                    ),
                );
                if let Some(acl) = lab.network_acl_for_subnet(&s.id)
                    && let Some(assoc) = acl.associations.iter().find(|x| x.subnet_id == s.id)
                {
                    a.insert(
                        "NetworkAclAssociationId".into(),
                        json!(assoc.id.to_string()),
                    );
                }
            }
        }
        "AWS::EC2::InternetGateway" => {
            a.insert("InternetGatewayId".into(), json!(id));
        }
        "AWS::EC2::EgressOnlyInternetGateway" => {
            a.insert("Id".into(), json!(id));
        }
        "AWS::EC2::RouteTable" => {
            a.insert("RouteTableId".into(), json!(id));
        }
        "AWS::EC2::NetworkAcl" => {
            a.insert("Id".into(), json!(id));
        }
        "AWS::EC2::SubnetNetworkAclAssociation" => {
            a.insert("AssociationId".into(), json!(id));
        }
        "AWS::EC2::SubnetRouteTableAssociation" => {
            a.insert("Id".into(), json!(id));
        }
        "AWS::EC2::EIP" => {
            if let Some(addr) = lab.address(id) {
                a.insert("AllocationId".into(), json!(id));
                a.insert("PublicIp".into(), json!(addr.public_ip.to_string()));
            }
        }
        "AWS::EC2::NatGateway" => {
            a.insert("NatGatewayId".into(), json!(id));
        }
        "AWS::EC2::SecurityGroup" => {
            if let Some(g) = lab.security_group(id) {
                a.insert("GroupId".into(), json!(id));
                a.insert("VpcId".into(), json!(g.vpc_id.to_string()));
            }
        }
        "AWS::EC2::SecurityGroupIngress" | "AWS::EC2::SecurityGroupEgress" => {
            a.insert("Id".into(), json!(id));
        }
        "AWS::EC2::VPCEndpoint" => {
            if let Some(e) = lab.vpc_endpoint(id) {
                a.insert("Id".into(), json!(id));
                a.insert(
                    "CreationTimestamp".into(),
                    json!(e.creation_timestamp.iso8601()),
                );
                // AWS gives each DNS entry as `<hosted zone>:<dns name>`.
                a.insert(
                    "DnsEntries".into(),
                    json!(
                        e.dns_entries
                            .iter()
                            .map(|d| format!("{}:{}", d.hosted_zone_id, d.dns_name))
                            .collect::<Vec<_>>()
                    ),
                );
                a.insert(
                    "NetworkInterfaceIds".into(),
                    json!(
                        e.network_interface_ids
                            .iter()
                            .map(|n| n.to_string())
                            .collect::<Vec<_>>()
                    ),
                );
            }
        }
        "AWS::EC2::Instance" => {
            if let Some(i) = lab.instance(id) {
                a.insert("InstanceId".into(), json!(id));
                a.insert("AvailabilityZone".into(), json!(i.availability_zone));
                a.insert("VpcId".into(), json!(i.vpc_id.to_string()));
                if let Some(eni) = lab.network_interface(i.primary_network_interface_id.as_ref()) {
                    let ip = eni.primary_private_ip();
                    a.insert("PrivateIp".into(), json!(ip.to_string()));
                    a.insert(
                        "PrivateDnsName".into(),
                        json!(vpclab_model::Lab::private_dns_name(i.region, ip)),
                    );
                    if let Some(public) = eni.public_ip() {
                        a.insert("PublicIp".into(), json!(public.to_string()));
                    }
                }
            }
        }
        "AWS::ElasticLoadBalancingV2::LoadBalancer" => {
            if let Some(lb) = lab.load_balancer(id) {
                a.insert("LoadBalancerArn".into(), json!(id));
                a.insert("LoadBalancerName".into(), json!(lb.name));
                a.insert("DNSName".into(), json!(lb.dns_name));
                a.insert(
                    "CanonicalHostedZoneID".into(),
                    json!(lb.canonical_hosted_zone_id),
                );
                // `net/<name>/<id>`: the ARN after `loadbalancer/`.
                if let Some((_, full)) = id.split_once(":loadbalancer/") {
                    a.insert("LoadBalancerFullName".into(), json!(full));
                }
                a.insert(
                    "SecurityGroups".into(),
                    json!(
                        lb.security_groups
                            .iter()
                            .map(|g| g.to_string())
                            .collect::<Vec<_>>()
                    ),
                );
            }
        }
        "AWS::ElasticLoadBalancingV2::TargetGroup" => {
            if let Some(tg) = lab.target_group(id) {
                a.insert("TargetGroupArn".into(), json!(id));
                a.insert("TargetGroupName".into(), json!(tg.name));
                if let Some((_, full)) = id.split_once(":targetgroup/") {
                    a.insert(
                        "TargetGroupFullName".into(),
                        json!(format!("targetgroup/{full}")),
                    );
                }
                let load_balancers: Vec<String> = lab
                    .listeners()
                    .filter(|l| l.target_group_arn.to_string() == id)
                    .map(|l| l.load_balancer_arn.to_string())
                    .collect();
                a.insert("LoadBalancerArns".into(), json!(load_balancers));
            }
        }
        "AWS::ElasticLoadBalancingV2::Listener" => {
            a.insert("ListenerArn".into(), json!(id));
        }
        "AWS::EC2::VPCEndpointService" => {
            a.insert("ServiceId".into(), json!(id));
        }
        "AWS::S3::Bucket" => {
            if let Some(b) = lab.bucket(id) {
                let region = b.region.name();
                a.insert("Arn".into(), json!(format!("arn:aws:s3:::{id}")));
                a.insert("DomainName".into(), json!(format!("{id}.s3.amazonaws.com")));
                a.insert(
                    "RegionalDomainName".into(),
                    json!(format!("{id}.s3.{region}.amazonaws.com")),
                );
                a.insert(
                    "DualStackDomainName".into(),
                    json!(format!("{id}.s3.dualstack.{region}.amazonaws.com")),
                );
                a.insert(
                    "WebsiteURL".into(),
                    json!(format!("http://{id}.s3-website-{region}.amazonaws.com")),
                );
            }
        }
        _ => {}
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_formats_aws_timestamps() {
        assert_eq!(
            vpclab_model::Timestamp(1_700_000_000_000).iso8601(),
            "2023-11-14T22:13:20.000Z"
        );
        assert_eq!(
            vpclab_model::Timestamp(0).iso8601(),
            "1970-01-01T00:00:00.000Z"
        );
    }

    #[test]
    fn generated_names_fit_and_are_stable() {
        let id = "arn:aws:cloudformation:us-east-1:1:stack/s/51af3dc0-da77-11e4-872e-1234567db123";
        let name = generated_name(
            "a-very-long-stack-name-indeed",
            id,
            "NetworkLoadBalancer",
            32,
        );
        assert_eq!(name.len(), 32);
        assert_eq!(
            name,
            generated_name(
                "a-very-long-stack-name-indeed",
                id,
                "NetworkLoadBalancer",
                32
            )
        );
        assert_ne!(
            name,
            generated_name("a-very-long-stack-name-indeed", id, "Other", 32)
        );
        let bucket = generated_bucket_name("My Stack", id, "Logs");
        assert!(bucket.starts_with("my-stack-logs-"), "{bucket}");
        assert!(bucket.len() <= 63);
    }

    #[test]
    fn properties_read_strings_as_numbers_and_booleans() {
        let v = json!({"N": "100", "B": "true", "F": false, "L": ["a", 1]});
        let p = Props(&v);
        assert_eq!(p.int("N"), Ok(Some(100)));
        assert_eq!(p.bool("B"), Ok(Some(true)));
        assert_eq!(p.bool("F"), Ok(Some(false)));
        assert_eq!(p.strings("L"), Ok(vec!["a".to_string(), "1".to_string()]));
        assert!(p.bool("N").is_err());
        assert_eq!(p.required("X"), Err("Property X is required".to_string()));
    }
}
