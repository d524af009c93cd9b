//! The walkthrough: the steps as data (what each shows and what the note says happens),
//! and how each is carried out — through the lab's public APIs only (signed EC2, ELBv2,
//! STS and S3 requests, vpclab's own `/_vpclab/…` calls) and real traffic through the
//! lab's proxy as an instance, never by touching the model.

use std::collections::BTreeMap;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use vpclab_api::client::{Client, Element, ProxySession, QueryService};

use super::report::{Explanation, Observed, Outcome, Passage, passage};

/// The lab's region; the world's zones and S3's regional name follow from it.
const REGION: &str = "us-east-1";
/// S3's regional name, as the instances ask for it.
const S3_HOST: &str = "s3.us-east-1.amazonaws.com";
/// A public address on the lab's "internet": its echo service answers with the source
/// address it saw.
const ECHO: &str = "http://93.184.216.34/";
/// Any image id: an instance in the lab is its interface and its state.
const AMI: &str = "ami-0123456789abcdef0";
/// The object the consumer's bucket holds.
const OBJECT_KEY: &str = "reports/2024-q1.csv";
/// What the provider's application answers.
pub const PROVIDER_HELLO: &str = "hello from the provider";
/// The load balancer's listener port (the provider's application listens on 8080).
const LISTENER_PORT: u16 = 80;
/// A port the load balancer has no listener on.
const NO_LISTENER_PORT: u16 = 8443;

/// One step of the walkthrough.
#[derive(Clone, Copy, Debug)]
pub struct Step {
    /// Its id, `<section>.<n>`.
    pub id: &'static str,
    /// What it shows.
    pub title: &'static str,
    /// How the note says it turns out.
    pub expect: Outcome,
    /// For a refusal, the explanation code the note expects.
    pub expect_code: Option<&'static str>,
}

impl Step {
    /// Its section's number (the id's first part).
    pub fn section(&self) -> u8 {
        self.id
            .split('.')
            .next()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }
}

const fn step(id: &'static str, title: &'static str, expect: Outcome) -> Step {
    Step {
        id,
        title,
        expect,
        expect_code: None,
    }
}

const fn refused(id: &'static str, title: &'static str, code: &'static str) -> Step {
    Step {
        id,
        title,
        expect: Outcome::Refused,
        expect_code: Some(code),
    }
}

/// The sections' titles, by number.
pub const SECTIONS: &[(u8, &str)] = &[
    (
        1,
        "A private instance and a bucket (the consumer's account)",
    ),
    (2, "No route to S3"),
    (3, "A gateway endpoint"),
    (4, "A bucket that admits only that endpoint"),
    (5, "The NAT alternative"),
    (6, "PrivateLink: a service in another account"),
    (7, "What each path costs"),
];

/// The steps, in order, with what the note says each does.
pub const STEPS: &[Step] = &[
    step(
        "1.1",
        "The consumer builds a VPC with a private subnet (its own route table, no internet route) and an instance in it",
        Outcome::Done,
    ),
    step(
        "1.2",
        "The consumer creates a bucket with an object",
        Outcome::Done,
    ),
    refused(
        "2.1",
        "The private instance lists the bucket",
        "NO_ROUTE_TO_DESTINATION",
    ),
    step(
        "3.1",
        "The consumer adds an S3 gateway endpoint to the private route table",
        Outcome::Done,
    ),
    step(
        "3.2",
        "The private instance lists the bucket through the endpoint",
        Outcome::Allowed,
    ),
    step(
        "4.1",
        "The consumer's bucket policy denies every request that does not come through that endpoint",
        Outcome::Done,
    ),
    step(
        "4.2",
        "The private instance lists the bucket through the endpoint",
        Outcome::Allowed,
    ),
    refused(
        "4.3",
        "The same credentials from a laptop (outside the VPC) list the bucket",
        "AccessDenied",
    ),
    step(
        "5.1",
        "The consumer adds a public subnet with an internet gateway, a NAT gateway with an Elastic IP, and a second private subnet routed to the NAT, with an instance",
        Outcome::Done,
    ),
    step(
        "5.2",
        "The NAT instance reaches the internet",
        Outcome::Allowed,
    ),
    refused(
        "5.3",
        "The NAT instance lists the bucket through the NAT",
        "AccessDenied",
    ),
    step(
        "6.1",
        "The provider (another account) puts an application behind a network load balancer and offers it as an endpoint service (acceptance required) to the consumer's account",
        Outcome::Done,
    ),
    step(
        "6.2",
        "The consumer creates an interface endpoint to the service in its private subnet",
        Outcome::Done,
    ),
    refused(
        "6.3",
        "The private instance connects to the endpoint",
        "BAD_STATE",
    ),
    step(
        "6.4",
        "The provider accepts the endpoint connection",
        Outcome::Done,
    ),
    step(
        "6.5",
        "The private instance connects to the endpoint again",
        Outcome::Allowed,
    ),
    refused(
        "6.6",
        "The private instance connects to a port the load balancer has no listener on",
        "ELBV2_LISTENER_PORT_RESTRICTION",
    ),
    step(
        "7.1",
        "The monthly cost of 1000 GB of S3 traffic through the NAT and through the gateway endpoint",
        Outcome::Done,
    ),
];

/// Who makes a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// The consumer's account (the private instance, the bucket, the endpoints).
    Consumer,
    /// The provider's account (the load balancer and the endpoint service).
    Provider,
}

/// The world as the steps build it: the two accounts' clients, the ids learnt so far,
/// and the exec sessions open.
pub struct World {
    consumer: Client,
    provider: Client,
    /// What the steps learnt, by name (`vpc`, `private-instance`, `bucket`, …).
    known: BTreeMap<&'static str, String>,
    sessions: BTreeMap<String, ProxySession>,
    /// Makes this run's names (bucket, load balancer) unique in a shared lab.
    suffix: String,
    /// The host port of the provider's application (the demo serves it in-process).
    provider_port: u16,
}

type Tried = Result<Observed, String>;

impl World {
    /// A world driven with these clients; `suffix` makes names unique; the provider's
    /// application listens on 127.0.0.1:`provider_port`.
    pub fn new(consumer: Client, provider: Client, suffix: String, provider_port: u16) -> World {
        World {
            consumer,
            provider,
            known: BTreeMap::new(),
            sessions: BTreeMap::new(),
            suffix,
            provider_port,
        }
    }

    /// Carries out a step.
    pub async fn perform(&mut self, id: &str) -> Observed {
        let tried = match id {
            "1.1" => self.private_world().await,
            "1.2" => self.bucket().await,
            "2.1" | "3.2" | "4.2" => self.list_bucket_from("private-instance").await,
            "3.1" => self.gateway_endpoint().await,
            "4.1" => self.lock_bucket().await,
            "4.3" => self.list_bucket_from_laptop().await,
            "5.1" => self.nat_path().await,
            "5.2" => self.reach_internet().await,
            "5.3" => self.list_bucket_from("nat-instance").await,
            "6.1" => self.endpoint_service().await,
            "6.2" => self.interface_endpoint().await,
            "6.3" | "6.5" => self.connect_to_service(LISTENER_PORT).await,
            "6.4" => self.accept().await,
            "6.6" => self.connect_to_service(NO_LISTENER_PORT).await,
            "7.1" => self.cost().await,
            other => Err(format!("no step {other}")),
        };
        tried.unwrap_or_else(|why| Observed::failed("", why))
    }

    /// What a step learnt, or why the step cannot go on.
    fn id(&self, name: &str) -> Result<String, String> {
        self.known
            .get(name)
            .cloned()
            .ok_or_else(|| format!("no {name}: an earlier step did not make it"))
    }

    fn learn(&mut self, name: &'static str, value: &str) -> String {
        self.known.insert(name, value.to_owned());
        value.to_owned()
    }

    fn client(&self, who: Who) -> &Client {
        match who {
            Who::Consumer => &self.consumer,
            Who::Provider => &self.provider,
        }
    }

    /// An EC2 call; its error names the action.
    async fn ec2(
        &self,
        who: Who,
        action: &str,
        params: &[(&str, &str)],
    ) -> Result<Element, String> {
        self.call(who, QueryService::Ec2, action, params).await
    }

    async fn call(
        &self,
        who: Who,
        service: QueryService,
        action: &str,
        params: &[(&str, &str)],
    ) -> Result<Element, String> {
        self.client(who)
            .query(service, action, params)
            .await
            .map_err(|e| format!("{} {action}: {e}", service.scope()))
    }

    /// An ELBv2 call as the provider (owned values: ARNs and names are built per run).
    async fn elbv2(&self, action: &str, params: Vec<(&str, String)>) -> Result<Element, String> {
        let borrowed: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.call(Who::Provider, QueryService::Elbv2, action, &borrowed)
            .await
    }

    /// The text of the first element named `name` in an answer, or an error naming what
    /// is missing.
    fn field(doc: &Element, name: &str) -> Result<String, String> {
        doc.find(name)
            .map(str::to_owned)
            .ok_or_else(|| format!("the answer to {} has no {name}", doc.name))
    }

    /// The account a client's key belongs to (STS GetCallerIdentity).
    pub async fn account(&self, who: Who) -> Result<String, String> {
        let doc = self
            .call(who, QueryService::Sts, "GetCallerIdentity", &[])
            .await?;
        Self::field(&doc, "Account")
    }

    async fn create(
        &self,
        who: Who,
        action: &str,
        params: &[(&str, &str)],
        id: &str,
    ) -> Result<String, String> {
        let doc = self.ec2(who, action, params).await?;
        Self::field(&doc, id)
    }

    /// A subnet in `zone` with its own route table; returns (subnet, route table).
    async fn subnet_with_table(
        &self,
        who: Who,
        vpc: &str,
        cidr: &str,
        zone: &str,
    ) -> Result<(String, String), String> {
        let subnet = self
            .create(
                who,
                "CreateSubnet",
                &[
                    ("VpcId", vpc),
                    ("CidrBlock", cidr),
                    ("AvailabilityZone", zone),
                ],
                "subnetId",
            )
            .await?;
        let table = self
            .create(who, "CreateRouteTable", &[("VpcId", vpc)], "routeTableId")
            .await?;
        self.ec2(
            who,
            "AssociateRouteTable",
            &[("RouteTableId", &table), ("SubnetId", &subnet)],
        )
        .await?;
        Ok((subnet, table))
    }

    /// RunInstances with one instance; returns (instance, private address).
    async fn run_instance(
        &self,
        who: Who,
        extra: &[(&str, &str)],
    ) -> Result<(String, String), String> {
        let mut params = vec![("ImageId", AMI), ("MinCount", "1"), ("MaxCount", "1")];
        params.extend_from_slice(extra);
        let doc = self.ec2(who, "RunInstances", &params).await?;
        Ok((
            Self::field(&doc, "instanceId")?,
            Self::field(&doc, "privateIpAddress")?,
        ))
    }

    /// 1.1: VPC, private subnet with its own route table, an instance.
    async fn private_world(&mut self) -> Tried {
        let c = Who::Consumer;
        let vpc = self
            .create(c, "CreateVpc", &[("CidrBlock", "10.0.0.0/16")], "vpcId")
            .await?;
        self.learn("vpc", &vpc);
        let zone = format!("{REGION}a");
        let (subnet, table) = self
            .subnet_with_table(c, &vpc, "10.0.1.0/24", &zone)
            .await?;
        self.learn("private-subnet", &subnet);
        self.learn("private-route-table", &table);
        let (instance, address) = self.run_instance(c, &[("SubnetId", &subnet)]).await?;
        self.learn("private-instance", &instance);
        Ok(Observed::done(
            "EC2 CreateVpc, CreateSubnet, CreateRouteTable, AssociateRouteTable, RunInstances",
            vec![
                format!("{vpc} 10.0.0.0/16"),
                format!(
                    "{subnet} 10.0.1.0/24 in {zone}, its own route table {table} (only the local route)"
                ),
                format!("{instance} at {address}, no public address"),
            ],
        ))
    }

    /// 1.2: a bucket and an object, from the host (as `aws s3 mb` and `aws s3 cp` would).
    async fn bucket(&mut self) -> Tried {
        let bucket = format!("vpclab-demo-{}", self.suffix);
        let body = b"region,revenue\nus-east-1,42\n".to_vec();
        let size = body.len();
        for (path, body) in [
            (format!("/{bucket}"), Vec::new()),
            (format!("/{bucket}/{OBJECT_KEY}"), body),
        ] {
            let reply = self
                .consumer
                .s3("PUT", &path, "", body)
                .await
                .map_err(|e| e.to_string())?;
            if !reply.is_success() {
                return Err(format!(
                    "S3 PUT {path}: HTTP {}: {}",
                    reply.status,
                    reply.text()
                ));
            }
        }
        self.learn("bucket", &bucket);
        Ok(Observed::done(
            "S3 CreateBucket, PutObject (from the host)",
            vec![format!("s3://{bucket}/{OBJECT_KEY} ({size} bytes)")],
        ))
    }

    /// The exec session of an instance (opened once), as `vpclab exec` opens it.
    async fn session(&mut self, instance: &str) -> Result<ProxySession, String> {
        if let Some(s) = self.sessions.get(instance) {
            return Ok(s.clone());
        }
        let answer = self
            .consumer
            .post_json(
                "/_vpclab/exec",
                &serde_json::json!({ "instance": instance }),
            )
            .await
            .map_err(|e| format!("POST /_vpclab/exec: {e}"))?;
        let exec: vpclab_api::admin::ExecAnswer =
            serde_json::from_value(answer).map_err(|e| format!("POST /_vpclab/exec: {e}"))?;
        let session = ProxySession {
            http: exec.http,
            token: exec.token,
        };
        self.sessions.insert(instance.to_owned(), session.clone());
        Ok(session)
    }

    /// Ends the exec sessions (`/_vpclab/exec/end`), as `vpclab exec` does when its
    /// program exits.
    pub async fn end_sessions(&mut self) {
        for (_, session) in std::mem::take(&mut self.sessions) {
            let _ = self
                .consumer
                .post_json(
                    "/_vpclab/exec/end",
                    &serde_json::json!({ "token": session.token }),
                )
                .await;
        }
    }

    /// 2.1, 3.2, 4.2, 5.3: ListObjectsV2 from an instance, through the lab's proxy.
    async fn list_bucket_from(&mut self, instance_name: &'static str) -> Tried {
        let instance = self.id(instance_name)?;
        let bucket = self.id("bucket")?;
        let session = self.session(&instance).await?;
        let action = format!(
            "{instance}: GET http://{S3_HOST}/{bucket}?list-type=2 (ListObjectsV2, signed with the consumer's key) through the lab's proxy"
        );
        let reply = self
            .consumer
            .s3_through(
                &session,
                "GET",
                &format!("/{bucket}"),
                "list-type=2",
                Vec::new(),
            )
            .await
            .map_err(|e| e.to_string())?;
        Ok(self.listing(action, reply, &bucket))
    }

    /// 4.3: the same listing straight to the lab's S3, as a laptop would send it.
    async fn list_bucket_from_laptop(&mut self) -> Tried {
        let bucket = self.id("bucket")?;
        let action = format!(
            "the host: GET http://{}/{bucket}?list-type=2 (ListObjectsV2, the same key), not through the lab's network",
            self.consumer.authority
        );
        let reply = self
            .consumer
            .s3("GET", &format!("/{bucket}"), "list-type=2", Vec::new())
            .await
            .map_err(|e| e.to_string())?;
        Ok(self.listing(action, reply, &bucket))
    }

    /// A listing's answer: the keys (the object must be among them), or the refusal.
    fn listing(&self, action: String, reply: vpclab_api::client::Reply, bucket: &str) -> Observed {
        match passage(reply, &format!("s3://{bucket} (S3)")) {
            Passage::Answered(reply) => {
                let keys: Vec<String> = Element::parse(&reply.text())
                    .map(|doc| {
                        doc.descendants("Key")
                            .iter()
                            .map(|k| k.text.clone())
                            .collect()
                    })
                    .unwrap_or_default();
                let problem = (!keys.iter().any(|k| k == OBJECT_KEY))
                    .then(|| format!("the listing does not show {OBJECT_KEY}: {keys:?}"));
                Observed {
                    outcome: Outcome::Allowed,
                    action,
                    details: vec![format!("S3 answered with the keys: {}", keys.join(", "))],
                    explanation: None,
                    problem,
                }
            }
            Passage::Refused(explanation) => refusal(action, explanation),
            Passage::Broken(why) => Observed::failed(action, why),
        }
    }

    /// 3.1: the gateway endpoint, and its route as DescribeRouteTables shows it.
    async fn gateway_endpoint(&mut self) -> Tried {
        let vpc = self.id("vpc")?;
        let table = self.id("private-route-table")?;
        let service = format!("com.amazonaws.{REGION}.s3");
        let endpoint = self
            .create(
                Who::Consumer,
                "CreateVpcEndpoint",
                &[
                    ("VpcEndpointType", "Gateway"),
                    ("VpcId", &vpc),
                    ("ServiceName", &service),
                    ("RouteTableId.1", &table),
                ],
                "vpcEndpointId",
            )
            .await?;
        self.learn("gateway-endpoint", &endpoint);
        let doc = self
            .ec2(
                Who::Consumer,
                "DescribeRouteTables",
                &[("RouteTableId.1", &table)],
            )
            .await?;
        let route = doc
            .items("routeSet")
            .into_iter()
            .find(|r| r.text_at(&["gatewayId"]) == Some(endpoint.as_str()))
            .map(|r| {
                format!(
                    "DescribeRouteTables {table}: {} → {endpoint} (state {})",
                    r.text_at(&["destinationPrefixListId"]).unwrap_or("?"),
                    r.text_at(&["state"]).unwrap_or("?")
                )
            });
        let problem = route
            .is_none()
            .then(|| format!("DescribeRouteTables shows no route to {endpoint} in {table}"));
        Ok(Observed::done(
            format!("EC2 CreateVpcEndpoint (Gateway, {service}, route table {table}), DescribeRouteTables"),
            vec![format!("{endpoint}"), route.unwrap_or_default()],
        )
        .with_problem(problem))
    }

    /// 4.1: AWS's documented example "Restricting access to a specific VPC endpoint"
    /// (Amazon S3 User Guide, "Controlling access from VPC endpoints with bucket
    /// policies"): deny everything unless `aws:SourceVpce` is the endpoint.
    async fn lock_bucket(&mut self) -> Tried {
        let bucket = self.id("bucket")?;
        let endpoint = self.id("gateway-endpoint")?;
        let policy = serde_json::json!({
            "Version": "2012-10-17",
            "Id": "Policy1415115909152",
            "Statement": [{
                "Sid": "Access-to-specific-VPCE-only",
                "Principal": "*",
                "Action": "s3:*",
                "Effect": "Deny",
                "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")],
                "Condition": {"StringNotEquals": {"aws:SourceVpce": endpoint}}
            }]
        });
        let reply = self
            .consumer
            .s3(
                "PUT",
                &format!("/{bucket}"),
                "policy",
                policy.to_string().into_bytes(),
            )
            .await
            .map_err(|e| e.to_string())?;
        if !reply.is_success() {
            return Err(format!(
                "S3 PutBucketPolicy: HTTP {}: {}",
                reply.status,
                reply.text()
            ));
        }
        Ok(Observed::done(
            "S3 PutBucketPolicy (from the host, as the bucket's owner)",
            vec![format!(
                "Deny s3:* on {bucket} unless aws:SourceVpce = {endpoint}"
            )],
        ))
    }

    /// 5.1: public subnet, internet gateway, NAT gateway with an EIP, a second private
    /// subnet whose default route goes to the NAT, an instance there.
    async fn nat_path(&mut self) -> Tried {
        let c = Who::Consumer;
        let vpc = self.id("vpc")?;
        let zone = format!("{REGION}a");
        let (public, public_table) = self
            .subnet_with_table(c, &vpc, "10.0.100.0/24", &zone)
            .await?;
        let igw = self
            .create(c, "CreateInternetGateway", &[], "internetGatewayId")
            .await?;
        self.ec2(
            c,
            "AttachInternetGateway",
            &[("InternetGatewayId", &igw), ("VpcId", &vpc)],
        )
        .await?;
        self.ec2(
            c,
            "CreateRoute",
            &[
                ("RouteTableId", &public_table),
                ("DestinationCidrBlock", "0.0.0.0/0"),
                ("GatewayId", &igw),
            ],
        )
        .await?;
        let allocation = self
            .create(c, "AllocateAddress", &[("Domain", "vpc")], "allocationId")
            .await?;
        let nat = self
            .create(
                c,
                "CreateNatGateway",
                &[("SubnetId", &public), ("AllocationId", &allocation)],
                "natGatewayId",
            )
            .await?;
        let (private, private_table) = self
            .subnet_with_table(c, &vpc, "10.0.2.0/24", &zone)
            .await?;
        self.ec2(
            c,
            "CreateRoute",
            &[
                ("RouteTableId", &private_table),
                ("DestinationCidrBlock", "0.0.0.0/0"),
                ("NatGatewayId", &nat),
            ],
        )
        .await?;
        let (instance, address) = self.run_instance(c, &[("SubnetId", &private)]).await?;
        self.learn("nat-instance", &instance);
        let addresses = self
            .ec2(c, "DescribeAddresses", &[("AllocationId.1", &allocation)])
            .await?;
        let eip = self.learn("eip", &Self::field(&addresses, "publicIp")?);
        Ok(Observed::done(
            "EC2 CreateSubnet, CreateInternetGateway, AttachInternetGateway, CreateRoute, AllocateAddress, CreateNatGateway, CreateRoute, RunInstances, DescribeAddresses",
            vec![
                format!("{public} 10.0.100.0/24: 0.0.0.0/0 → {igw}"),
                format!("{nat} in {public} with {allocation} = {eip} (DescribeAddresses)"),
                format!(
                    "{private} 10.0.2.0/24: 0.0.0.0/0 → {nat}, no gateway endpoint on its route table {private_table}"
                ),
                format!("{instance} at {address}"),
            ],
        ))
    }

    /// 5.2: the echo service answers with the source it saw: the NAT's Elastic IP.
    async fn reach_internet(&mut self) -> Tried {
        let instance = self.id("nat-instance")?;
        let eip = self.id("eip")?;
        let session = self.session(&instance).await?;
        let action = format!(
            "{instance}: GET {ECHO} through the lab's proxy (the lab's internet echoes the source address it sees)"
        );
        let reply = session.get(ECHO).await.map_err(|e| e.to_string())?;
        Ok(match passage(reply, "the internet") {
            Passage::Answered(reply) => {
                let seen = reply.text().trim().to_owned();
                let problem = (seen != eip).then(|| {
                    format!("the echo saw {seen}, not the NAT gateway's Elastic IP {eip}")
                });
                Observed {
                    outcome: Outcome::Allowed,
                    action,
                    details: vec![format!(
                        "the echo saw {seen}{}",
                        if seen == eip {
                            format!(" = the NAT gateway's Elastic IP ({eip}, DescribeAddresses)")
                        } else {
                            String::new()
                        }
                    )],
                    explanation: None,
                    problem,
                }
            }
            Passage::Refused(e) => refusal(action, e),
            Passage::Broken(why) => Observed::failed(action, why),
        })
    }

    /// 6.1: the provider's application, NLB, target group, listener, endpoint service.
    async fn endpoint_service(&mut self) -> Tried {
        let p = Who::Provider;
        let consumer_account = self.account(Who::Consumer).await?;
        let provider_account = self.account(p).await?;
        if consumer_account == provider_account {
            return Err(format!(
                "the provider's key belongs to the consumer's account {consumer_account}: PrivateLink here is between two accounts"
            ));
        }
        self.learn("provider-account", &provider_account);
        let vpc = self
            .create(p, "CreateVpc", &[("CidrBlock", "10.20.0.0/16")], "vpcId")
            .await?;
        let mut subnets = Vec::new();
        for (cidr, zone) in [("10.20.1.0/24", "a"), ("10.20.2.0/24", "b")] {
            let zone = format!("{REGION}{zone}");
            subnets.push(
                self.create(
                    p,
                    "CreateSubnet",
                    &[
                        ("VpcId", &vpc),
                        ("CidrBlock", cidr),
                        ("AvailabilityZone", &zone),
                    ],
                    "subnetId",
                )
                .await?,
            );
        }
        let group_name = format!("app-{}", self.suffix);
        let group = self
            .create(
                p,
                "CreateSecurityGroup",
                &[
                    ("GroupName", &group_name),
                    ("GroupDescription", "the application: 8080 from the VPC"),
                    ("VpcId", &vpc),
                ],
                "groupId",
            )
            .await?;
        self.ec2(
            p,
            "AuthorizeSecurityGroupIngress",
            &[
                ("GroupId", &group),
                ("IpPermissions.1.IpProtocol", "tcp"),
                ("IpPermissions.1.FromPort", "8080"),
                ("IpPermissions.1.ToPort", "8080"),
                ("IpPermissions.1.IpRanges.1.CidrIp", "10.20.0.0/16"),
            ],
        )
        .await?;
        let binding = format!("127.0.0.1:{}", self.provider_port);
        let (app, app_address) = self
            .run_instance(
                p,
                &[
                    ("SubnetId", &subnets[0]),
                    ("SecurityGroupId.1", &group),
                    ("TagSpecification.1.ResourceType", "instance"),
                    ("TagSpecification.1.Tag.1.Key", "vpclab:port:8080"),
                    ("TagSpecification.1.Tag.1.Value", &binding),
                ],
            )
            .await?;
        let lb = Self::field(
            &self
                .elbv2(
                    "CreateLoadBalancer",
                    vec![
                        ("Name", format!("demo-{}", self.suffix)),
                        ("Type", "network".into()),
                        ("Scheme", "internal".into()),
                        ("Subnets.member.1", subnets[0].clone()),
                        ("Subnets.member.2", subnets[1].clone()),
                    ],
                )
                .await?,
            "LoadBalancerArn",
        )?;
        let tg = Self::field(
            &self
                .elbv2(
                    "CreateTargetGroup",
                    vec![
                        ("Name", format!("demo-app-{}", self.suffix)),
                        ("Protocol", "TCP".into()),
                        ("Port", "8080".into()),
                        ("VpcId", vpc.clone()),
                        ("TargetType", "instance".into()),
                    ],
                )
                .await?,
            "TargetGroupArn",
        )?;
        self.elbv2(
            "RegisterTargets",
            vec![
                ("TargetGroupArn", tg.clone()),
                ("Targets.member.1.Id", app.clone()),
            ],
        )
        .await?;
        let listener = Self::field(
            &self
                .elbv2(
                    "CreateListener",
                    vec![
                        ("LoadBalancerArn", lb.clone()),
                        ("Protocol", "TCP".into()),
                        ("Port", LISTENER_PORT.to_string()),
                        ("DefaultActions.member.1.Type", "forward".into()),
                        ("DefaultActions.member.1.TargetGroupArn", tg.clone()),
                    ],
                )
                .await?,
            "ListenerArn",
        )?;
        let config = self
            .ec2(
                p,
                "CreateVpcEndpointServiceConfiguration",
                &[
                    ("NetworkLoadBalancerArn.1", &lb),
                    ("AcceptanceRequired", "true"),
                ],
            )
            .await?;
        let service_id = self.learn("service-id", &Self::field(&config, "serviceId")?);
        let service_name = self.learn("service-name", &Self::field(&config, "serviceName")?);
        let principal = format!("arn:aws:iam::{consumer_account}:root");
        self.ec2(
            p,
            "ModifyVpcEndpointServicePermissions",
            &[
                ("ServiceId", &service_id),
                ("AddAllowedPrincipals.1", &principal),
            ],
        )
        .await?;
        Ok(Observed::done(
            format!(
                "as account {provider_account}: EC2 CreateVpc, CreateSubnet ×2, CreateSecurityGroup, AuthorizeSecurityGroupIngress, RunInstances; ELBv2 CreateLoadBalancer (network, internal), CreateTargetGroup (TCP 8080), RegisterTargets, CreateListener (TCP {LISTENER_PORT}); EC2 CreateVpcEndpointServiceConfiguration, ModifyVpcEndpointServicePermissions"
            ),
            vec![
                format!(
                    "{vpc} 10.20.0.0/16, {} in {REGION}a, {} in {REGION}b",
                    subnets[0], subnets[1]
                ),
                format!(
                    "{app} at {app_address}, port 8080 bound to {binding} (tag vpclab:port:8080) where the demo's application answers"
                ),
                format!("{lb}"),
                format!("listener TCP {LISTENER_PORT} → target group TCP 8080 ({listener})"),
                format!(
                    "{service_name} ({service_id}), acceptance required, allowed principal {principal}"
                ),
            ],
        ))
    }

    /// 6.2: the consumer's interface endpoint, with a group admitting the listener port.
    async fn interface_endpoint(&mut self) -> Tried {
        let c = Who::Consumer;
        let vpc = self.id("vpc")?;
        let subnet = self.id("private-subnet")?;
        let service_name = self.id("service-name")?;
        let group_name = format!("to-provider-{}", self.suffix);
        let group = self
            .create(
                c,
                "CreateSecurityGroup",
                &[
                    ("GroupName", &group_name),
                    (
                        "GroupDescription",
                        "the endpoint: the listener port from the VPC",
                    ),
                    ("VpcId", &vpc),
                ],
                "groupId",
            )
            .await?;
        self.learn("endpoint-group", &group);
        let port = LISTENER_PORT.to_string();
        self.ec2(
            c,
            "AuthorizeSecurityGroupIngress",
            &[
                ("GroupId", &group),
                ("IpPermissions.1.IpProtocol", "tcp"),
                ("IpPermissions.1.FromPort", &port),
                ("IpPermissions.1.ToPort", &port),
                ("IpPermissions.1.IpRanges.1.CidrIp", "10.0.0.0/16"),
            ],
        )
        .await?;
        let doc = self
            .ec2(
                c,
                "CreateVpcEndpoint",
                &[
                    ("VpcEndpointType", "Interface"),
                    ("VpcId", &vpc),
                    ("ServiceName", &service_name),
                    ("SubnetId.1", &subnet),
                    ("SecurityGroupId.1", &group),
                ],
            )
            .await?;
        let endpoint = self.learn("interface-endpoint", &Self::field(&doc, "vpcEndpointId")?);
        let dns = self.learn("endpoint-dns", &Self::field(&doc, "dnsName")?);
        let state = Self::field(&doc, "state")?;
        let problem = (state != "pendingAcceptance")
            .then(|| format!("the endpoint is {state}, where the note expects pendingAcceptance"));
        Ok(Observed::done(
            format!("EC2 CreateSecurityGroup (TCP {LISTENER_PORT} from 10.0.0.0/16), CreateVpcEndpoint (Interface, {service_name}, {subnet})"),
            vec![format!("{endpoint} state {state}"), format!("DNS name {dns}")],
        )
        .with_problem(problem))
    }

    /// 6.3, 6.5, 6.6: a TCP connection (HTTP CONNECT) to the endpoint's name, then one
    /// HTTP request over it.
    async fn connect_to_service(&mut self, port: u16) -> Tried {
        let instance = self.id("private-instance")?;
        let dns = self.id("endpoint-dns")?;
        if port != LISTENER_PORT {
            // The endpoint's group admits this port too, so that the load balancer, not
            // the group, is what decides.
            let group = self.id("endpoint-group")?;
            let p = port.to_string();
            self.ec2(
                Who::Consumer,
                "AuthorizeSecurityGroupIngress",
                &[
                    ("GroupId", &group),
                    ("IpPermissions.1.IpProtocol", "tcp"),
                    ("IpPermissions.1.FromPort", &p),
                    ("IpPermissions.1.ToPort", &p),
                    ("IpPermissions.1.IpRanges.1.CidrIp", "10.0.0.0/16"),
                ],
            )
            .await?;
        }
        let session = self.session(&instance).await?;
        let action = if port == LISTENER_PORT {
            format!(
                "{instance}: TCP to {dns}:{port} (HTTP CONNECT through the lab's proxy), then GET /"
            )
        } else {
            format!(
                "EC2 AuthorizeSecurityGroupIngress (the endpoint's group admits TCP {port} too); {instance}: TCP to {dns}:{port} (HTTP CONNECT through the lab's proxy)"
            )
        };
        let tunnel = session
            .connect(&dns, port)
            .await
            .map_err(|e| e.to_string())?;
        let mut stream = match tunnel {
            Ok(stream) => stream,
            Err(reply) => {
                return Ok(match passage(reply, &dns) {
                    Passage::Refused(e) => refusal(action, e),
                    Passage::Answered(r) => Observed::failed(
                        action,
                        format!("the proxy answered HTTP {} without a tunnel", r.status),
                    ),
                    Passage::Broken(why) => Observed::failed(action, why),
                });
            }
        };
        let request = format!("GET / HTTP/1.1\r\nHost: {dns}\r\nConnection: close\r\n\r\n");
        let exchange = async {
            stream.write_all(request.as_bytes()).await?;
            let mut answer = Vec::new();
            stream.read_to_end(&mut answer).await?;
            Ok::<_, std::io::Error>(answer)
        };
        let answer = tokio::time::timeout(std::time::Duration::from_secs(10), exchange)
            .await
            .map_err(|_| format!("{dns}:{port}: no answer within 10 s"))?
            .map_err(|e| format!("{dns}:{port}: {e}"))?;
        let text = String::from_utf8_lossy(&answer);
        let status = text.lines().next().unwrap_or_default().to_owned();
        let body = text
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.trim())
            .unwrap_or_default()
            .to_owned();
        let problem = (!body.contains(PROVIDER_HELLO))
            .then(|| format!("the provider's application did not answer: {status} {body}"));
        Ok(Observed {
            outcome: Outcome::Allowed,
            action,
            details: vec![format!("{status}: {body}")],
            explanation: None,
            problem,
        })
    }

    /// 6.4: the provider accepts; the consumer sees the endpoint available.
    async fn accept(&mut self) -> Tried {
        let service = self.id("service-id")?;
        let endpoint = self.id("interface-endpoint")?;
        let doc = self
            .ec2(
                Who::Provider,
                "AcceptVpcEndpointConnections",
                &[("ServiceId", &service), ("VpcEndpointId.1", &endpoint)],
            )
            .await?;
        if let Some(item) = doc.items("unsuccessful").first() {
            return Err(format!(
                "AcceptVpcEndpointConnections: {endpoint} not accepted: {}",
                item.find("message").unwrap_or_default()
            ));
        }
        let described = self
            .ec2(
                Who::Consumer,
                "DescribeVpcEndpoints",
                &[("VpcEndpointId.1", &endpoint)],
            )
            .await?;
        let state = Self::field(&described, "state")?;
        let problem = (state != "available").then(|| {
            format!("the endpoint is {state} after acceptance, where the note expects available")
        });
        Ok(Observed::done(
            format!("as the provider: EC2 AcceptVpcEndpointConnections ({service}, {endpoint}); as the consumer: DescribeVpcEndpoints"),
            vec![format!("{endpoint} state {state}")],
        )
        .with_problem(problem))
    }

    /// 7.1: `POST /_vpclab/cost` with a stated traffic profile.
    async fn cost(&mut self) -> Tried {
        let nat_instance = self.id("nat-instance")?;
        let endpoint_instance = self.id("private-instance")?;
        let flows: Vec<serde_json::Value> = [&nat_instance, &endpoint_instance]
            .iter()
            .map(|from| {
                serde_json::json!({ "from": from, "to": S3_HOST, "port": 443, "gb_per_month": 1000 })
            })
            .collect();
        let action = format!(
            "POST /_vpclab/cost with a traffic profile: 1000 GB/month to S3 from {nat_instance} (through the NAT) and from {endpoint_instance} (through the gateway endpoint)"
        );
        let answer = match self
            .consumer
            .post_json(
                "/_vpclab/cost",
                &serde_json::json!({ "traffic": { "flows": flows } }),
            )
            .await
        {
            Ok(a) => a,
            Err(e) => return Ok(Observed::failed(action, e.to_string())),
        };
        let Some(text) = answer.get("text").and_then(|t| t.as_str()) else {
            return Ok(Observed::failed(action, "the cost answer has no text"));
        };
        Ok(Observed::done(
            action,
            text.lines().map(str::to_owned).collect(),
        ))
    }
}

/// A refused passage.
fn refusal(action: String, explanation: Explanation) -> Observed {
    Observed {
        outcome: Outcome::Refused,
        action,
        details: Vec::new(),
        explanation: Some(explanation),
        problem: None,
    }
}

/// The provider's application: a tiny HTTP server on 127.0.0.1 (any free port) that
/// answers every request with [`PROVIDER_HELLO`]; the provider's instance's port 8080 is
/// bound to it.
pub async fn serve_provider_application() -> std::io::Result<u16> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                continue;
            };
            tokio::spawn(async move {
                // The request head, briefly: the answer does not depend on it.
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                let _ = tokio::time::timeout(std::time::Duration::from_secs(5), async {
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 65536 {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                })
                .await;
                let body = format!("{PROVIDER_HELLO}\n");
                let answer = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    Ok(port)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_numbered_in_order_within_known_sections() {
        let mut last = (0u8, 0u8);
        for step in STEPS {
            let (section, n) = step.id.split_once('.').expect("id is <section>.<n>");
            let here: (u8, u8) = (section.parse().unwrap(), n.parse().unwrap());
            assert!(here > last, "{} after {:?}", step.id, last);
            assert_eq!(step.section(), here.0);
            assert!(SECTIONS.iter().any(|(s, _)| *s == here.0), "{}", step.id);
            // A refusal names the code it expects; nothing else does.
            assert_eq!(
                step.expect == Outcome::Refused,
                step.expect_code.is_some(),
                "{}",
                step.id
            );
            last = here;
        }
    }

    #[tokio::test]
    async fn the_provider_application_answers_hello() {
        let port = serve_provider_application().await.unwrap();
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        assert!(
            answer.ends_with("\r\n\r\nhello from the provider\n"),
            "{answer}"
        );
    }
}
