//! S3 authorization through the lab's internal entry point, [`S3Gateway::call`], with the
//! origins the data plane will hand it: from the host (the public internet), through a VPC
//! endpoint (`aws:SourceVpce`, `aws:SourceVpc`, `aws:VpcSourceIp`), over a NAT. Requests are
//! signed with SigV4 like any client's; each refusal is checked for S3's code and for the
//! state it leaves unchanged.

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use bytes::Bytes;
use http_body_util::BodyExt;
use vpclab_api::s3::{Origin, S3Gateway};
use vpclab_api::server::now_ms;
use vpclab_api::sigv4::Signer;
use vpclab_api::state::State;
use vpclab_api::{ServeConfig, Server};
use vpclab_model::{AccountId, Caller, CreateVpcEndpoint, Operation, Outcome, Region, Timestamp};
use vpclab_reach::RequestContext;
use vpclab_store::AccessKey;

const OWNER: &str = "111122223333";
const OTHER: &str = "444455556666";
/// The default key (`test`/`test`) belongs to OWNER; `other`/`other` to OTHER.
const OWNER_KEY: Option<(&str, &str)> = Some(("test", "test"));
const OTHER_KEY: Option<(&str, &str)> = Some(("other", "other"));
const ANONYMOUS: Option<(&str, &str)> = None;

/// A lab server (bound, not serving: requests go straight to its S3 gateway) on a data
/// directory of its own.
struct TestLab {
    _server: Server,
    gateway: S3Gateway,
    state: Arc<State>,
    dir: PathBuf,
}

impl Drop for TestLab {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

static LABS: AtomicU32 = AtomicU32::new(0);

async fn lab() -> TestLab {
    let dir = std::env::temp_dir().join(format!(
        "vpclab-s3-access-{}-{}",
        std::process::id(),
        LABS.fetch_add(1, Ordering::Relaxed)
    ));
    let account = |a: &str| AccountId::parse(a).expect("a valid account id");
    let config = ServeConfig {
        listen: "127.0.0.1:0".parse().expect("an address"),
        data_dir: dir.clone(),
        database_url: None,
        default_account: account(OWNER),
        keys: vec![AccessKey {
            access_key_id: "other".into(),
            secret_access_key: "other".into(),
            account_id: account(OTHER),
        }],
        quotas: Vec::new(),
        socks_listen: "127.0.0.1:0".parse().expect("an address"),
        http_proxy_listen: "127.0.0.1:0".parse().expect("an address"),
    };
    let server = Server::bind(&config).await.expect("the lab starts");
    TestLab {
        gateway: server.s3_gateway(),
        state: server.state(),
        _server: server,
        dir,
    }
}

/// An answer: status, S3 error code (if the body has one), body.
#[derive(Debug)]
struct Answer {
    status: u16,
    code: Option<String>,
    body: String,
}

impl Answer {
    fn denied(&self) -> bool {
        self.status == 403
    }
}

fn internet() -> Origin {
    Origin::Internet("127.0.0.1".parse().expect("an address"))
}

fn through(vpce: &str, vpc: &str, ip: &str) -> Origin {
    Origin::Lab(RequestContext {
        source_vpce: Some(vpce.to_owned()),
        source_vpc: Some(vpc.to_owned()),
        vpc_source_ip: Some(ip.parse().expect("an address")),
        source_ip: None,
    })
}

impl TestLab {
    /// Sends `method path?query` with `body`, signed with `key` (unsigned when `None`).
    async fn send(
        &self,
        method: &str,
        target: &str,
        body: &[u8],
        headers: &[(&str, &str)],
        key: Option<(&str, &str)>,
        origin: Origin,
    ) -> Answer {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let host = "127.0.0.1:4566";
        let mut request = hyper::Request::builder()
            .method(method)
            .uri(target)
            .header("host", host)
            .header("content-length", body.len().to_string());
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        if let Some((id, secret)) = key {
            let signer = Signer {
                access_key_id: id,
                secret_access_key: secret,
                region: "us-east-1",
                service: "s3",
            };
            let mut signed_headers = vec![("host", host)];
            signed_headers.extend_from_slice(headers);
            for (k, v) in signer.sign(method, path, query, &signed_headers, body, now_ms()) {
                request = request.header(k, v);
            }
        }
        let request = request
            .body(s3s::Body::from(Bytes::copy_from_slice(body)))
            .expect("a request");
        let response = self.gateway.call(request, origin).await;
        let status = response.status().as_u16();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        let code = body
            .split_once("<Code>")
            .and_then(|(_, rest)| rest.split_once("</Code>"))
            .map(|(code, _)| code.to_owned());
        Answer { status, code, body }
    }

    async fn create_bucket(&self, bucket: &str, key: Option<(&str, &str)>) -> Answer {
        self.send("PUT", &format!("/{bucket}"), b"", &[], key, internet())
            .await
    }

    async fn put_policy(&self, bucket: &str, policy: &str, key: Option<(&str, &str)>) -> Answer {
        self.send(
            "PUT",
            &format!("/{bucket}?policy"),
            policy.as_bytes(),
            &[],
            key,
            internet(),
        )
        .await
    }

    async fn get_policy(&self, bucket: &str, key: Option<(&str, &str)>) -> Answer {
        self.send(
            "GET",
            &format!("/{bucket}?policy"),
            b"",
            &[],
            key,
            internet(),
        )
        .await
    }

    async fn head_bucket(&self, bucket: &str, key: Option<(&str, &str)>, origin: Origin) -> Answer {
        self.send("HEAD", &format!("/{bucket}"), b"", &[], key, origin)
            .await
    }

    /// The policy the lab holds for `bucket` (straight from the model).
    fn stored_policy(&self, bucket: &str) -> Option<String> {
        self.state
            .read()
            .bucket(bucket)
            .and_then(|b| b.policy.clone())
    }

    /// Creates a gateway endpoint for S3 in OWNER's default VPC; returns (vpce id, vpc id).
    async fn endpoint(&self, policy: Option<&str>) -> (String, String) {
        let caller = Caller::new(
            AccountId::parse(OWNER).expect("an account"),
            Region::default_region(),
            Timestamp(now_ms()),
        );
        self.state
            .ensure_account(&caller)
            .await
            .expect("the account exists");
        let vpc = self
            .state
            .read()
            .default_vpc(&caller.account, caller.region)
            .map(|v| v.id.to_string())
            .expect("a default VPC");
        let op = Operation::CreateVpcEndpoint(CreateVpcEndpoint {
            vpc_id: vpc.clone(),
            service_name: "com.amazonaws.us-east-1.s3".into(),
            policy_document: policy.map(str::to_owned),
            ..CreateVpcEndpoint::default()
        });
        let id = self
            .state
            .write(
                caller,
                op,
                Box::new(|_, outcome| match outcome {
                    Outcome::Created(id) => Ok(id),
                    other => Err(vpclab_api::error::ApiError::internal(format!("{other:?}"))),
                }),
            )
            .await
            .expect("the endpoint is created");
        (id, vpc)
    }
}

fn policy_for(bucket: &str, statements: &str) -> String {
    let statements = statements.replace("BUCKET", bucket);
    format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#)
}

#[tokio::test]
async fn the_seed_policy_denies_the_host_and_admits_its_endpoint() {
    let lab = lab().await;
    assert_eq!(lab.create_bucket("seed-data", OWNER_KEY).await.status, 200);
    let (vpce, vpc) = lab.endpoint(None).await;
    let (other_vpce, other_vpc) = lab.endpoint(None).await;
    let policy = policy_for(
        "seed-data",
        &format!(
            r#"{{"Sid":"DenyUnlessVpce","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::BUCKET","arn:aws:s3:::BUCKET/*"],"Condition":{{"StringNotEquals":{{"aws:SourceVpce":"{vpce}"}}}}}}"#
        ),
    );
    assert_eq!(
        lab.put_policy("seed-data", &policy, OWNER_KEY).await.status,
        204
    );

    // From the host: the public internet, no aws:SourceVpce.
    let head = lab.head_bucket("seed-data", OWNER_KEY, internet()).await;
    assert_eq!(head.status, 403, "{head:?}");
    let list = lab
        .send(
            "GET",
            "/seed-data?list-type=2",
            b"",
            &[],
            OWNER_KEY,
            internet(),
        )
        .await;
    assert_eq!(
        (list.status, list.code.as_deref()),
        (403, Some("AccessDenied"))
    );
    assert!(
        list.body.contains("DenyUnlessVpce"),
        "the refusal names the statement: {}",
        list.body
    );
    let get = lab
        .send(
            "GET",
            "/seed-data/report.csv",
            b"",
            &[],
            OWNER_KEY,
            internet(),
        )
        .await;
    assert_eq!(get.code.as_deref(), Some("AccessDenied"));

    // The same requests through the endpoint the policy names.
    let inside = through(&vpce, &vpc, "172.31.0.10");
    assert_eq!(
        lab.head_bucket("seed-data", OWNER_KEY, inside.clone())
            .await
            .status,
        200
    );
    let put = lab
        .send(
            "PUT",
            "/seed-data/report.csv",
            b"a,b\n1,2\n",
            &[],
            OWNER_KEY,
            inside.clone(),
        )
        .await;
    assert_eq!(put.status, 200, "{put:?}");
    let get = lab
        .send("GET", "/seed-data/report.csv", b"", &[], OWNER_KEY, inside)
        .await;
    assert_eq!((get.status, get.body.as_str()), (200, "a,b\n1,2\n"));
    let get = lab
        .send(
            "GET",
            "/seed-data/report.csv",
            b"",
            &[],
            OWNER_KEY,
            internet(),
        )
        .await;
    assert_eq!(get.code.as_deref(), Some("AccessDenied"));

    // Another endpoint, or a NAT's public address, is not that endpoint.
    let elsewhere = through(&other_vpce, &other_vpc, "172.31.0.10");
    assert_eq!(
        lab.head_bucket("seed-data", OWNER_KEY, elsewhere)
            .await
            .status,
        403
    );
    let nat = Origin::Lab(RequestContext {
        source_ip: Some("54.0.0.1".parse::<IpAddr>().expect("an address")),
        ..RequestContext::default()
    });
    assert_eq!(
        lab.head_bucket("seed-data", OWNER_KEY, nat).await.status,
        403
    );

    // The owner's root still manages the policy from the host.
    let got = lab.get_policy("seed-data", OWNER_KEY).await;
    assert_eq!((got.status, got.body.as_str()), (200, policy.as_str()));
    let deleted = lab
        .send(
            "DELETE",
            "/seed-data?policy",
            b"",
            &[],
            OWNER_KEY,
            internet(),
        )
        .await;
    assert_eq!(deleted.status, 204);
    assert_eq!(lab.stored_policy("seed-data"), None);
    assert_eq!(
        lab.head_bucket("seed-data", OWNER_KEY, internet())
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn an_endpoint_policy_for_put_on_one_bucket_denies_the_rest() {
    let lab = lab().await;
    for b in ["uploads-a", "elsewhere-b"] {
        assert_eq!(lab.create_bucket(b, OWNER_KEY).await.status, 200);
    }
    let (vpce, vpc) = lab
        .endpoint(Some(
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::uploads-a/*"}]}"#,
        ))
        .await;
    let inside = through(&vpce, &vpc, "172.31.16.5");
    let put = lab
        .send(
            "PUT",
            "/uploads-a/k",
            b"data",
            &[],
            OWNER_KEY,
            inside.clone(),
        )
        .await;
    assert!(!put.denied(), "{put:?}");
    for (method, target) in [
        ("GET", "/uploads-a/k"),
        ("GET", "/elsewhere-b/k"),
        ("PUT", "/elsewhere-b/k"),
        ("GET", "/elsewhere-b?list-type=2"),
        ("GET", "/"),
    ] {
        let answer = lab
            .send(method, target, b"", &[], OWNER_KEY, inside.clone())
            .await;
        assert_eq!(
            (answer.status, answer.code.as_deref()),
            (403, Some("AccessDenied")),
            "{method} {target}: {answer:?}"
        );
        assert!(
            answer.body.contains("VPC endpoint policy"),
            "{}",
            answer.body
        );
    }
    // The endpoint's policy does not apply to requests that do not come through it.
    let get = lab
        .send("GET", "/elsewhere-b/k", b"", &[], OWNER_KEY, internet())
        .await;
    assert!(!get.denied(), "{get:?}");
    assert_eq!(
        lab.head_bucket("elsewhere-b", OWNER_KEY, internet())
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn the_default_endpoint_policy_admits_and_an_unknown_endpoint_does_not() {
    let lab = lab().await;
    assert_eq!(
        lab.create_bucket("via-default", OWNER_KEY).await.status,
        200
    );
    let (vpce, vpc) = lab.endpoint(None).await;
    let head = lab
        .head_bucket("via-default", OWNER_KEY, through(&vpce, &vpc, "172.31.0.7"))
        .await;
    assert_eq!(head.status, 200);
    let unknown = through("vpce-0123456789abcdef0", &vpc, "172.31.0.7");
    let list = lab
        .send(
            "GET",
            "/via-default?list-type=2",
            b"",
            &[],
            OWNER_KEY,
            unknown,
        )
        .await;
    assert_eq!(list.code.as_deref(), Some("AccessDenied"));
    assert!(list.body.contains("does not exist"), "{}", list.body);
}

#[tokio::test]
async fn a_cross_account_reader_is_denied_until_the_policy_allows_it() {
    let lab = lab().await;
    assert_eq!(
        lab.create_bucket("shared-reports", OWNER_KEY).await.status,
        200
    );
    assert_eq!(
        lab.head_bucket("shared-reports", OTHER_KEY, internet())
            .await
            .status,
        403
    );
    let get = lab
        .send(
            "GET",
            "/shared-reports/q1.csv",
            b"",
            &[],
            OTHER_KEY,
            internet(),
        )
        .await;
    assert_eq!(get.code.as_deref(), Some("AccessDenied"));
    // Another account cannot set a policy on a bucket it does not own.
    let grab = policy_for(
        "shared-reports",
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::BUCKET/*"}"#,
    );
    let put = lab.put_policy("shared-reports", &grab, OTHER_KEY).await;
    assert_eq!(
        (put.status, put.code.as_deref()),
        (403, Some("AccessDenied"))
    );
    assert_eq!(lab.stored_policy("shared-reports"), None);

    let grant = policy_for(
        "shared-reports",
        &format!(
            r#"{{"Sid":"Reader","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{OTHER}:root"}},"Action":["s3:ListBucket","s3:GetObject"],"Resource":["arn:aws:s3:::BUCKET","arn:aws:s3:::BUCKET/*"]}}"#
        ),
    );
    assert_eq!(
        lab.put_policy("shared-reports", &grant, OWNER_KEY)
            .await
            .status,
        204
    );
    assert_eq!(
        lab.head_bucket("shared-reports", OTHER_KEY, internet())
            .await
            .status,
        200
    );
    let get = lab
        .send(
            "GET",
            "/shared-reports/q1.csv",
            b"",
            &[],
            OTHER_KEY,
            internet(),
        )
        .await;
    assert!(!get.denied(), "{get:?}");
    // Reading is all the grant gives.
    let put = lab
        .send(
            "PUT",
            "/shared-reports/q2.csv",
            b"x",
            &[],
            OTHER_KEY,
            internet(),
        )
        .await;
    assert_eq!(put.code.as_deref(), Some("AccessDenied"));
    let get_policy = lab.get_policy("shared-reports", OTHER_KEY).await;
    assert_eq!(get_policy.code.as_deref(), Some("AccessDenied"));

    // AWS: an allowed identity outside the owner's account gets 405 on the policy itself.
    let everything = policy_for(
        "shared-reports",
        &format!(
            r#"{{"Effect":"Allow","Principal":{{"AWS":"{OTHER}"}},"Action":"s3:*","Resource":["arn:aws:s3:::BUCKET","arn:aws:s3:::BUCKET/*"]}}"#
        ),
    );
    assert_eq!(
        lab.put_policy("shared-reports", &everything, OWNER_KEY)
            .await
            .status,
        204
    );
    let get_policy = lab.get_policy("shared-reports", OTHER_KEY).await;
    assert_eq!(
        (get_policy.status, get_policy.code.as_deref()),
        (405, Some("MethodNotAllowed"))
    );
    let delete = lab
        .send(
            "DELETE",
            "/shared-reports?policy",
            b"",
            &[],
            OTHER_KEY,
            internet(),
        )
        .await;
    assert_eq!(delete.status, 405);
    assert_eq!(lab.stored_policy("shared-reports"), Some(everything));
}

#[tokio::test]
async fn anonymous_requests_need_a_policy_for_everyone() {
    let lab = lab().await;
    assert_eq!(
        lab.create_bucket("public-site", OWNER_KEY).await.status,
        200
    );
    assert_eq!(
        lab.head_bucket("public-site", ANONYMOUS, internet())
            .await
            .status,
        403
    );
    for (method, target) in [("GET", "/public-site/index.html"), ("GET", "/")] {
        let answer = lab
            .send(method, target, b"", &[], ANONYMOUS, internet())
            .await;
        assert_eq!(
            answer.code.as_deref(),
            Some("AccessDenied"),
            "{method} {target}"
        );
    }
    let create = lab.create_bucket("anonymous-made", ANONYMOUS).await;
    assert_eq!(create.code.as_deref(), Some("AccessDenied"));
    assert!(lab.state.read().bucket("anonymous-made").is_none());

    let public = policy_for(
        "public-site",
        r#"{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::BUCKET","arn:aws:s3:::BUCKET/*"]}"#,
    );
    assert_eq!(
        lab.put_policy("public-site", &public, OWNER_KEY)
            .await
            .status,
        204
    );
    assert_eq!(
        lab.head_bucket("public-site", ANONYMOUS, internet())
            .await
            .status,
        200
    );
    let get = lab
        .send(
            "GET",
            "/public-site/index.html",
            b"",
            &[],
            ANONYMOUS,
            internet(),
        )
        .await;
    assert!(!get.denied(), "{get:?}");
    let put = lab
        .send(
            "PUT",
            "/public-site/index.html",
            b"x",
            &[],
            ANONYMOUS,
            internet(),
        )
        .await;
    assert_eq!(put.code.as_deref(), Some("AccessDenied"));
    let delete = lab
        .send(
            "DELETE",
            "/public-site?policy",
            b"",
            &[],
            ANONYMOUS,
            internet(),
        )
        .await;
    assert_eq!(delete.code.as_deref(), Some("AccessDenied"));
    assert_eq!(lab.stored_policy("public-site"), Some(public));
}

#[tokio::test]
async fn a_bucket_that_does_not_exist_is_no_such_bucket_for_everyone() {
    let lab = lab().await;
    for key in [OWNER_KEY, OTHER_KEY, ANONYMOUS] {
        assert_eq!(
            lab.head_bucket("nowhere-bucket", key, internet())
                .await
                .status,
            404
        );
        for target in [
            "/nowhere-bucket?policy",
            "/nowhere-bucket/k",
            "/nowhere-bucket?list-type=2",
        ] {
            let answer = lab.send("GET", target, b"", &[], key, internet()).await;
            assert_eq!(
                (answer.status, answer.code.as_deref()),
                (404, Some("NoSuchBucket")),
                "{target} {key:?}"
            );
        }
    }
    let put = lab.put_policy("nowhere-bucket", "{}", OWNER_KEY).await;
    assert_eq!(put.code.as_deref(), Some("NoSuchBucket"));
}

#[tokio::test]
async fn bucket_policy_operations_refuse_bad_documents_and_keep_the_old_one() {
    let lab = lab().await;
    assert_eq!(lab.create_bucket("policy-ops", OWNER_KEY).await.status, 200);
    let none = lab.get_policy("policy-ops", OWNER_KEY).await;
    assert_eq!(
        (none.status, none.code.as_deref()),
        (404, Some("NoSuchBucketPolicy"))
    );

    let good = policy_for(
        "policy-ops",
        r#"{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::BUCKET/*"}"#,
    );
    assert_eq!(
        lab.put_policy("policy-ops", &good, OWNER_KEY).await.status,
        204
    );
    for (bad, message) in [
        ("not json", "Policies must be valid JSON"),
        (
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::policy-ops/*"}]}"#,
            "Missing required field Principal",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::another-bucket/*"}]}"#,
            "Policy has invalid resource",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}"#,
            "Policy has invalid resource",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::policy-ops"}]}"#,
            "Action does not apply to any resource(s) in statement",
        ),
    ] {
        let answer = lab.put_policy("policy-ops", bad, OWNER_KEY).await;
        assert_eq!(
            (answer.status, answer.code.as_deref()),
            (400, Some("MalformedPolicy")),
            "{bad}"
        );
        assert!(answer.body.contains(message), "{bad}: {}", answer.body);
        assert_eq!(
            lab.stored_policy("policy-ops").as_deref(),
            Some(good.as_str())
        );
    }
    let got = lab.get_policy("policy-ops", OWNER_KEY).await;
    assert_eq!(got.body, good);

    // A policy that locks everyone out, the owner's root included, for all but the policy.
    let lockout = policy_for(
        "policy-ops",
        r#"{"Sid":"Lockout","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::BUCKET","arn:aws:s3:::BUCKET/*"]}"#,
    );
    assert_eq!(
        lab.put_policy("policy-ops", &lockout, OWNER_KEY)
            .await
            .status,
        204
    );
    assert_eq!(
        lab.head_bucket("policy-ops", OWNER_KEY, internet())
            .await
            .status,
        403
    );
    let delete_bucket = lab
        .send("DELETE", "/policy-ops", b"", &[], OWNER_KEY, internet())
        .await;
    assert_eq!(delete_bucket.code.as_deref(), Some("AccessDenied"));
    assert!(lab.state.read().bucket("policy-ops").is_some());
    assert_eq!(lab.get_policy("policy-ops", OWNER_KEY).await.body, lockout);
    assert_eq!(
        lab.put_policy("policy-ops", &lockout, OWNER_KEY)
            .await
            .status,
        204
    );
    let deleted = lab
        .send(
            "DELETE",
            "/policy-ops?policy",
            b"",
            &[],
            OWNER_KEY,
            internet(),
        )
        .await;
    assert_eq!(deleted.status, 204);
    assert_eq!(lab.stored_policy("policy-ops"), None);
    assert_eq!(
        lab.head_bucket("policy-ops", OWNER_KEY, internet())
            .await
            .status,
        200
    );
    // Deleting a policy that is not there succeeds, as on AWS.
    let again = lab
        .send(
            "DELETE",
            "/policy-ops?policy",
            b"",
            &[],
            OWNER_KEY,
            internet(),
        )
        .await;
    assert_eq!(again.status, 204);
}

#[tokio::test]
async fn conditions_read_the_context_of_the_origin() {
    let lab = lab().await;
    assert_eq!(lab.create_bucket("ctx-keys", OWNER_KEY).await.status, 200);
    let head_from = |ip: &str| Origin::Internet(ip.parse().expect("an address"));

    let office_only = policy_for(
        "ctx-keys",
        r#"{"Effect":"Deny","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::BUCKET","Condition":{"NotIpAddress":{"aws:SourceIp":"127.0.0.0/8"}}}"#,
    );
    assert_eq!(
        lab.put_policy("ctx-keys", &office_only, OWNER_KEY)
            .await
            .status,
        204
    );
    assert_eq!(
        lab.head_bucket("ctx-keys", OWNER_KEY, head_from("127.0.0.1"))
            .await
            .status,
        200
    );
    assert_eq!(
        lab.head_bucket("ctx-keys", OWNER_KEY, head_from("203.0.113.7"))
            .await
            .status,
        403
    );

    let tls_only = policy_for(
        "ctx-keys",
        r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::BUCKET","arn:aws:s3:::BUCKET/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#,
    );
    assert_eq!(
        lab.put_policy("ctx-keys", &tls_only, OWNER_KEY)
            .await
            .status,
        204
    );
    assert_eq!(
        lab.head_bucket("ctx-keys", OWNER_KEY, internet())
            .await
            .status,
        403
    );

    let subnet_only = policy_for(
        "ctx-keys",
        r#"{"Effect":"Deny","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::BUCKET","Condition":{"NotIpAddress":{"aws:VpcSourceIp":"172.31.0.0/20"}}}"#,
    );
    assert_eq!(
        lab.put_policy("ctx-keys", &subnet_only, OWNER_KEY)
            .await
            .status,
        204
    );
    let (vpce, vpc) = lab.endpoint(None).await;
    let inside = |ip: &str| through(&vpce, &vpc, ip);
    assert_eq!(
        lab.head_bucket("ctx-keys", OWNER_KEY, inside("172.31.0.9"))
            .await
            .status,
        200
    );
    assert_eq!(
        lab.head_bucket("ctx-keys", OWNER_KEY, inside("172.31.32.9"))
            .await
            .status,
        403
    );

    let home_only = policy_for(
        "ctx-keys",
        r#"{"Effect":"Deny","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::BUCKET","Condition":{"StringNotLike":{"s3:prefix":"home/*"}}}"#,
    );
    assert_eq!(
        lab.put_policy("ctx-keys", &home_only, OWNER_KEY)
            .await
            .status,
        204
    );
    let home = lab
        .send(
            "GET",
            "/ctx-keys?list-type=2&prefix=home%2Fann%2F",
            b"",
            &[],
            OWNER_KEY,
            internet(),
        )
        .await;
    assert!(!home.denied(), "{home:?}");
    let etc = lab
        .send(
            "GET",
            "/ctx-keys?list-type=2&prefix=etc%2F",
            b"",
            &[],
            OWNER_KEY,
            internet(),
        )
        .await;
    assert_eq!(etc.code.as_deref(), Some("AccessDenied"));

    let by_account = policy_for(
        "ctx-keys",
        &format!(
            r#"{{"Effect":"Deny","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::BUCKET","Condition":{{"StringNotEquals":{{"aws:PrincipalAccount":"{OWNER}"}}}}}}"#
        ),
    );
    assert_eq!(
        lab.put_policy("ctx-keys", &by_account, OWNER_KEY)
            .await
            .status,
        204
    );
    assert_eq!(
        lab.head_bucket("ctx-keys", OWNER_KEY, internet())
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn delete_objects_answers_each_refused_key() {
    let lab = lab().await;
    assert_eq!(lab.create_bucket("keep-some", OWNER_KEY).await.status, 200);
    let keep = policy_for(
        "keep-some",
        r#"{"Sid":"Keep","Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::BUCKET/keep/*"}"#,
    );
    assert_eq!(
        lab.put_policy("keep-some", &keep, OWNER_KEY).await.status,
        204
    );
    for key in ["keep/a", "tmp/b"] {
        let put = lab
            .send(
                "PUT",
                &format!("/keep-some/{key}"),
                b"x",
                &[],
                OWNER_KEY,
                internet(),
            )
            .await;
        assert_eq!(put.status, 200, "{put:?}");
    }
    let delete = |keys: &[&str]| {
        let objects: String = keys
            .iter()
            .map(|k| format!("<Object><Key>{k}</Key></Object>"))
            .collect();
        format!("<Delete>{objects}</Delete>")
    };
    let body = delete(&["keep/a", "tmp/b", "keep/c"]);
    let answer = lab
        .send(
            "POST",
            "/keep-some?delete",
            body.as_bytes(),
            &[],
            OWNER_KEY,
            internet(),
        )
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let errors: Vec<&str> = answer.body.split("<Error>").skip(1).collect();
    assert_eq!(errors.len(), 2, "{}", answer.body);
    for (error, key) in errors.iter().zip(["keep/a", "keep/c"]) {
        assert!(error.contains(&format!("<Key>{key}</Key>")), "{error}");
        assert!(error.contains("<Code>AccessDenied</Code>"), "{error}");
    }
    assert!(
        answer.body.contains("<Deleted><Key>tmp/b</Key>"),
        "{}",
        answer.body
    );
    assert!(
        !answer.body.contains("<Deleted><Key>keep/"),
        "{}",
        answer.body
    );
    let kept = lab
        .send("GET", "/keep-some/keep/a", b"", &[], OWNER_KEY, internet())
        .await;
    assert_eq!(kept.status, 200);
    let gone = lab
        .send("GET", "/keep-some/tmp/b", b"", &[], OWNER_KEY, internet())
        .await;
    assert_eq!(gone.code.as_deref(), Some("NoSuchKey"));

    // Every key refused: the answer is the errors alone.
    let body = delete(&["keep/a"]);
    let answer = lab
        .send(
            "POST",
            "/keep-some?delete",
            body.as_bytes(),
            &[],
            OWNER_KEY,
            internet(),
        )
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body.matches("<Error>").count(), 1, "{}", answer.body);
    assert!(!answer.body.contains("<Deleted>"), "{}", answer.body);

    // S3's limit applies to the request as sent, refused keys included.
    let many: Vec<String> = (0..1001).map(|i| format!("keep/{i}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let body = delete(&many);
    let answer = lab
        .send(
            "POST",
            "/keep-some?delete",
            body.as_bytes(),
            &[],
            OWNER_KEY,
            internet(),
        )
        .await;
    assert_eq!(answer.code.as_deref(), Some("MalformedXML"), "{answer:?}");
}

#[tokio::test]
async fn a_copy_needs_read_access_to_its_source() {
    let lab = lab().await;
    assert_eq!(
        lab.create_bucket("copy-source", OWNER_KEY).await.status,
        200
    );
    assert_eq!(
        lab.create_bucket("copy-target", OTHER_KEY).await.status,
        200
    );
    let source = lab
        .send(
            "PUT",
            "/copy-source/data.bin",
            b"payload",
            &[],
            OWNER_KEY,
            internet(),
        )
        .await;
    assert_eq!(source.status, 200, "{source:?}");
    let copy = [("x-amz-copy-source", "copy-source/data.bin")];
    let answer = lab
        .send(
            "PUT",
            "/copy-target/data.bin",
            b"",
            &copy,
            OTHER_KEY,
            internet(),
        )
        .await;
    assert_eq!(answer.code.as_deref(), Some("AccessDenied"), "{answer:?}");
    assert!(
        answer.body.contains("arn:aws:s3:::copy-source/data.bin"),
        "{}",
        answer.body
    );
    let grant = policy_for(
        "copy-source",
        &format!(
            r#"{{"Effect":"Allow","Principal":{{"AWS":"{OTHER}"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::BUCKET/*"}}"#
        ),
    );
    assert_eq!(
        lab.put_policy("copy-source", &grant, OWNER_KEY)
            .await
            .status,
        204
    );
    let answer = lab
        .send(
            "PUT",
            "/copy-target/data.bin",
            b"",
            &copy,
            OTHER_KEY,
            internet(),
        )
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let copied = lab
        .send(
            "GET",
            "/copy-target/data.bin",
            b"",
            &[],
            OTHER_KEY,
            internet(),
        )
        .await;
    assert_eq!(copied.body, "payload");
    // The source's owner still cannot write into the other account's bucket.
    let answer = lab
        .send(
            "PUT",
            "/copy-target/data.bin",
            b"",
            &copy,
            OWNER_KEY,
            internet(),
        )
        .await;
    assert_eq!(answer.code.as_deref(), Some("AccessDenied"));
}
