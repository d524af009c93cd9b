//! A small signed client for the lab: vpclab's own API (`/_vpclab/…`, JSON), the query
//! APIs (EC2, ELBv2, STS: a form `POST /`, an XML answer), S3's REST calls, and requests
//! sent through the lab's HTTP proxy as an exec session's instance — what the `vpclab`
//! CLI uses to drive a running server, signed with SigV4 like any AWS request.

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::sigv4::Signer;

/// Where the server is and whose keys to sign with.
#[derive(Clone, Debug)]
pub struct Client {
    /// `host:port` (the scheme is http; the lab listens on loopback).
    pub authority: String,
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// The region to ask in.
    pub region: String,
}

/// A failed call: the server's error, or no server.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server could not be reached.
    #[error("cannot reach vpclab at {0}: {1} (is `vpclab serve` running?)")]
    Unreachable(String, String),
    /// The server answered with an error.
    #[error("{code}: {message}")]
    Api {
        /// The error code.
        code: String,
        /// The message.
        message: String,
    },
}

/// The query-protocol services the client calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryService {
    /// EC2 (`Version=2016-11-15`).
    Ec2,
    /// ELBv2 (`elasticloadbalancing`, `Version=2015-12-01`).
    Elbv2,
    /// STS (`Version=2011-06-15`).
    Sts,
}

impl QueryService {
    /// The credential scope's service name.
    pub fn scope(self) -> &'static str {
        match self {
            QueryService::Ec2 => "ec2",
            QueryService::Elbv2 => "elasticloadbalancing",
            QueryService::Sts => "sts",
        }
    }

    /// The API version every request names.
    pub fn version(self) -> &'static str {
        match self {
            QueryService::Ec2 => "2016-11-15",
            QueryService::Elbv2 => crate::elbv2::VERSION,
            QueryService::Sts => "2011-06-15",
        }
    }
}

/// An HTTP answer, whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// The `Content-Type` header (empty when absent).
    pub content_type: String,
    /// The body.
    pub body: Bytes,
}

impl Reply {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The AWS error the body carries (EC2's, the query protocol's or S3's XML shape).
    pub fn aws_error(&self) -> Option<ClientError> {
        aws_error(&self.text())
    }
}

/// An exec session's way into the lab: its HTTP proxy and the token that makes a
/// connection the instance's (the proxy password, user `vpclab`).
#[derive(Clone, Debug)]
pub struct ProxySession {
    /// The HTTP proxy (`host:port`).
    pub http: String,
    /// The session's token.
    pub token: String,
}

impl ProxySession {
    /// The `Proxy-Authorization` header's value: Basic `vpclab:<token>`.
    pub fn authorization(&self) -> String {
        let credentials = format!("vpclab:{}", self.token);
        format!(
            "Basic {}",
            base64_simd::STANDARD.encode_to_string(credentials.as_bytes())
        )
    }

    /// A plain GET of an absolute `http://` URL through the proxy, as the instance.
    pub async fn get(&self, url: &str) -> Result<Reply, ClientError> {
        let auth = self.authorization();
        let host = url
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        let request = Request::builder()
            .method("GET")
            .uri(url)
            .header("host", host)
            .header("proxy-authorization", auth)
            .body(Full::new(Bytes::new()))
            .map_err(|e| ClientError::Unreachable(self.http.clone(), e.to_string()))?;
        send(&self.http, request).await
    }

    /// Opens a TCP connection to `host:port` through the proxy (HTTP CONNECT), as the
    /// instance: the tunnel when the lab admits it, or the proxy's answer (a refusal is a
    /// 403 whose body is the trace).
    pub async fn connect(
        &self,
        host: &str,
        port: u16,
    ) -> Result<Result<TcpStream, Reply>, ClientError> {
        let fail =
            |e: &dyn std::fmt::Display| ClientError::Unreachable(self.http.clone(), e.to_string());
        let mut stream = TcpStream::connect(&self.http).await.map_err(|e| fail(&e))?;
        let head = format!(
            "CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\nProxy-Authorization: {}\r\n\r\n",
            self.authorization()
        );
        stream
            .write_all(head.as_bytes())
            .await
            .map_err(|e| fail(&e))?;
        // The answer's head, byte by byte: after a 200 the tunnel's bytes follow at once,
        // and none of them may be swallowed here.
        let mut answer = Vec::new();
        while !answer.ends_with(b"\r\n\r\n") {
            if answer.len() > 64 * 1024 {
                return Err(fail(&"the proxy's answer has no end of head"));
            }
            let byte = stream.read_u8().await.map_err(|e| fail(&e))?;
            answer.push(byte);
        }
        let head = String::from_utf8_lossy(&answer).into_owned();
        let (status, content_type, length) = parse_head(&head).ok_or_else(|| {
            fail(&format!(
                "not an HTTP answer: {}",
                head.lines().next().unwrap_or_default()
            ))
        })?;
        if (200..300).contains(&status) {
            return Ok(Ok(stream));
        }
        let mut body = vec![0; length.unwrap_or(0).min(1 << 20)];
        if length.is_some() {
            stream.read_exact(&mut body).await.map_err(|e| fail(&e))?;
        } else {
            body.clear();
            let _ = stream.read_to_end(&mut body).await;
        }
        Ok(Err(Reply {
            status,
            content_type,
            body: Bytes::from(body),
        }))
    }
}

/// Status, content type and content length of an HTTP/1.1 answer's head.
fn parse_head(head: &str) -> Option<(u16, String, Option<usize>)> {
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let mut content_type = String::new();
    let mut length = None;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if name.eq_ignore_ascii_case("content-type") {
            content_type = value.trim().to_owned();
        } else if name.eq_ignore_ascii_case("content-length") {
            length = value.trim().parse().ok();
        }
    }
    Some((status, content_type, length))
}

/// Sends one request on a fresh connection to `authority` and reads the whole answer.
async fn send(authority: &str, request: Request<Full<Bytes>>) -> Result<Reply, ClientError> {
    let unreachable =
        |e: &dyn std::fmt::Display| ClientError::Unreachable(authority.to_owned(), e.to_string());
    let stream = TcpStream::connect(authority)
        .await
        .map_err(|e| unreachable(&e))?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| unreachable(&e))?;
    tokio::spawn(conn);
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| unreachable(&e))?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| unreachable(&e))?
        .to_bytes();
    Ok(Reply {
        status,
        content_type,
        body,
    })
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

impl Client {
    /// A client for `endpoint` (`http://127.0.0.1:4566` or `127.0.0.1:4566`).
    pub fn new(
        endpoint: &str,
        access_key_id: &str,
        secret_access_key: &str,
        region: &str,
    ) -> Client {
        let authority = endpoint
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        Client {
            authority,
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            region: region.into(),
        }
    }

    /// The headers to send for a request signed for `service`: the given ones (`host`
    /// among them; all are signed), then the signature's.
    fn signed_headers(
        &self,
        service: &str,
        method: &str,
        path: &str,
        query: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Vec<(String, String)> {
        let signer = Signer {
            access_key_id: &self.access_key_id,
            secret_access_key: &self.secret_access_key,
            region: &self.region,
            service,
        };
        let signed = signer.sign(method, path, query, headers, body, now_ms());
        headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .chain(signed)
            .collect()
    }

    /// A request to the lab's listener, signed for `service`.
    fn lab_request(
        &self,
        service: &str,
        method: &str,
        path: &str,
        query: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Result<Request<Full<Bytes>>, ClientError> {
        let mut with_host = vec![("host", self.authority.as_str())];
        with_host.extend_from_slice(headers);
        let all = self.signed_headers(service, method, path, query, &with_host, &body);
        let uri = if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{query}")
        };
        let mut request = Request::builder().method(method).uri(uri);
        for (k, v) in &all {
            request = request.header(k.as_str(), v.as_str());
        }
        request
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| ClientError::Unreachable(self.authority.clone(), e.to_string()))
    }

    /// Calls a query-protocol action (`POST /`, form-encoded `Action=…&Version=…` and
    /// `params`) and returns the answer's document; an error answer is
    /// [`ClientError::Api`] with AWS's code and message.
    pub async fn query(
        &self,
        service: QueryService,
        action: &str,
        params: &[(&str, &str)],
    ) -> Result<Element, ClientError> {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("Action", action)
            .append_pair("Version", service.version());
        for (k, v) in params {
            form.append_pair(k, v);
        }
        let body = form.finish().into_bytes();
        let request = self.lab_request(
            service.scope(),
            "POST",
            "/",
            "",
            &[(
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8",
            )],
            body,
        )?;
        let reply = send(&self.authority, request).await?;
        if !reply.is_success() {
            return Err(reply.aws_error().unwrap_or_else(|| http_error(&reply)));
        }
        Element::parse(&reply.text())
    }

    /// An S3 REST call to the lab's listener (path style: `/bucket`, `/bucket/key`), as a
    /// program on the host makes it — from the lab's point of view, from the internet.
    /// The answer whatever its status: S3's errors are [`Reply::aws_error`].
    pub async fn s3(
        &self,
        method: &str,
        path: &str,
        query: &str,
        body: Vec<u8>,
    ) -> Result<Reply, ClientError> {
        let request = self.lab_request("s3", method, path, query, &[], body)?;
        send(&self.authority, request).await
    }

    /// An S3 REST call sent through the lab's HTTP proxy as an exec session's instance,
    /// to S3's regional name over plain HTTP (`http://s3.<region>.amazonaws.com/…`), signed
    /// as the AWS CLI signs it. The answer is S3's, or the proxy's refusal (a 403 whose
    /// body is the trace).
    pub async fn s3_through(
        &self,
        proxy: &ProxySession,
        method: &str,
        path: &str,
        query: &str,
        body: Vec<u8>,
    ) -> Result<Reply, ClientError> {
        let host = format!("s3.{}.amazonaws.com", self.region);
        let all = self.signed_headers("s3", method, path, query, &[("host", &host)], &body);
        let uri = match query {
            "" => format!("http://{host}{path}"),
            q => format!("http://{host}{path}?{q}"),
        };
        let mut request = Request::builder()
            .method(method)
            .uri(uri)
            .header("proxy-authorization", proxy.authorization());
        for (k, v) in &all {
            request = request.header(k.as_str(), v.as_str());
        }
        let request = request
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| ClientError::Unreachable(proxy.http.clone(), e.to_string()))?;
        send(&proxy.http, request).await
    }

    /// POSTs `body` (JSON) to `path`, returns the JSON answer.
    pub async fn post_json(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<serde_json::Value, ClientError> {
        let payload = serde_json::to_vec(body)
            .map_err(|e| ClientError::Unreachable(self.authority.clone(), e.to_string()))?;
        let request = self.lab_request(
            "vpclab",
            "POST",
            path,
            "",
            &[("content-type", "application/json")],
            payload,
        )?;
        let reply = send(&self.authority, request).await?;
        let json: serde_json::Value =
            serde_json::from_slice(&reply.body).map_err(|_| http_error(&reply))?;
        if !reply.is_success() {
            let field = |k: &str| {
                json.get(k)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            return Err(ClientError::Api {
                code: field("code"),
                message: field("message"),
            });
        }
        Ok(json)
    }
}

/// An answer that is not the document expected: its status and the start of its body.
fn http_error(reply: &Reply) -> ClientError {
    ClientError::Api {
        code: format!("HTTP {}", reply.status),
        message: reply.text().chars().take(300).collect(),
    }
}

/// The error an AWS XML error document carries: EC2's
/// `<Response><Errors><Error><Code>…`, the query protocol's `<ErrorResponse><Error>…` or
/// S3's `<Error><Code>…`. `None` when the text is not such a document.
pub fn aws_error(xml: &str) -> Option<ClientError> {
    let doc = Element::parse(xml).ok()?;
    let error = if doc.name == "Error" {
        &doc
    } else {
        doc.descendants("Error").into_iter().next()?
    };
    let code = error.child("Code")?.text.clone();
    let message = error
        .child("Message")
        .map(|m| m.text.clone())
        .unwrap_or_default();
    Some(ClientError::Api { code, message })
}

/// An XML element, as much of it as a client reads: its local name (namespace prefixes
/// dropped), its text, its child elements. Attributes are not kept: AWS's answers carry
/// their data in elements.
///
/// A tree rather than a serde mapping: the client reads a handful of fields from a
/// dozen different answers, and a path per field is shorter than a type per answer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Element {
    /// The local name (`vpcId`).
    pub name: String,
    /// The text directly inside it, references resolved.
    pub text: String,
    /// The child elements, in order.
    pub children: Vec<Element>,
}

impl Element {
    /// Parses a document into its root element.
    pub fn parse(xml: &str) -> Result<Element, ClientError> {
        use quick_xml::events::Event;
        let bad = |why: String| ClientError::Api {
            code: "MalformedAnswer".into(),
            message: format!("the answer is not XML: {why}"),
        };
        let mut reader = quick_xml::Reader::from_str(xml);
        // The open elements, innermost last; the root is the first one opened.
        let mut open: Vec<Element> = Vec::new();
        loop {
            match reader.read_event().map_err(|e| bad(e.to_string()))? {
                Event::Start(start) => open.push(Element {
                    name: String::from_utf8_lossy(start.local_name().as_ref()).into_owned(),
                    ..Element::default()
                }),
                Event::Empty(start) => {
                    let element = Element {
                        name: String::from_utf8_lossy(start.local_name().as_ref()).into_owned(),
                        ..Element::default()
                    };
                    match open.last_mut() {
                        Some(parent) => parent.children.push(element),
                        None => return Ok(element),
                    }
                }
                Event::End(_) => {
                    let done = open
                        .pop()
                        .ok_or_else(|| bad("an unopened element closes".into()))?;
                    match open.last_mut() {
                        Some(parent) => parent.children.push(done),
                        None => return Ok(done),
                    }
                }
                Event::Text(text) => {
                    if let Some(current) = open.last_mut() {
                        current
                            .text
                            .push_str(&text.decode().map_err(|e| bad(e.to_string()))?);
                    }
                }
                Event::CData(data) => {
                    if let Some(current) = open.last_mut() {
                        current
                            .text
                            .push_str(&data.decode().map_err(|e| bad(e.to_string()))?);
                    }
                }
                // Since quick-xml 0.38, `&amp;` and `&#38;` arrive as events of their own.
                Event::GeneralRef(reference) => {
                    let resolved = match reference
                        .resolve_char_ref()
                        .map_err(|e| bad(e.to_string()))?
                    {
                        Some(c) => c.to_string(),
                        None => {
                            let name = reference.decode().map_err(|e| bad(e.to_string()))?;
                            quick_xml::escape::resolve_predefined_entity(&name)
                                .ok_or_else(|| bad(format!("unknown entity &{name};")))?
                                .to_owned()
                        }
                    };
                    if let Some(current) = open.last_mut() {
                        current.text.push_str(&resolved);
                    }
                }
                Event::Eof => return Err(bad("the document ends before its root closes".into())),
                _ => {}
            }
        }
    }

    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The element at a path of child names (`["vpc", "vpcId"]`).
    pub fn at(&self, path: &[&str]) -> Option<&Element> {
        path.iter().try_fold(self, |e, name| e.child(name))
    }

    /// The text at a path of child names, when the path leads somewhere.
    pub fn text_at(&self, path: &[&str]) -> Option<&str> {
        self.at(path).map(|e| e.text.as_str())
    }

    /// Every element named `name` below this one, depth first, in document order.
    pub fn descendants(&self, name: &str) -> Vec<&Element> {
        let mut found = Vec::new();
        for child in &self.children {
            if child.name == name {
                found.push(child);
            }
            found.extend(child.descendants(name));
        }
        found
    }

    /// The text of the first element named `name` below this one.
    pub fn find(&self, name: &str) -> Option<&str> {
        self.descendants(name).first().map(|e| e.text.as_str())
    }

    /// The entries of a list: the `item` (EC2) or `member` (query protocol) children of
    /// the first element named `list` below this one.
    pub fn items(&self, list: &str) -> Vec<&Element> {
        self.descendants(list)
            .first()
            .map(|l| {
                l.children
                    .iter()
                    .filter(|c| c.name == "item" || c.name == "member")
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ec2_answer_reads_by_path_and_by_list() {
        // DescribeRouteTables, trimmed: the route a gateway endpoint adds.
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<DescribeRouteTablesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>r-1</requestId>
  <routeTableSet><item>
    <routeTableId>rtb-0a</routeTableId>
    <routeSet>
      <item><destinationCidrBlock>10.0.0.0/16</destinationCidrBlock><gatewayId>local</gatewayId></item>
      <item><destinationPrefixListId>pl-63a5400a</destinationPrefixListId><gatewayId>vpce-0b</gatewayId></item>
    </routeSet>
    <tagSet/>
  </item></routeTableSet>
</DescribeRouteTablesResponse>"#;
        let doc = Element::parse(xml).unwrap();
        assert_eq!(doc.name, "DescribeRouteTablesResponse");
        let tables = doc.items("routeTableSet");
        assert_eq!(tables.len(), 1);
        assert_eq!(tables[0].text_at(&["routeTableId"]), Some("rtb-0a"));
        let routes = tables[0].items("routeSet");
        assert_eq!(routes.len(), 2);
        assert_eq!(
            routes[1].text_at(&["destinationPrefixListId"]),
            Some("pl-63a5400a")
        );
        assert_eq!(routes[1].text_at(&["gatewayId"]), Some("vpce-0b"));
        assert_eq!(routes[0].text_at(&["destinationPrefixListId"]), None);
        // An empty element is an element with no text.
        assert_eq!(tables[0].text_at(&["tagSet"]), Some(""));
        assert_eq!(doc.find("gatewayId"), Some("local"));
        assert_eq!(doc.descendants("gatewayId").len(), 2);
    }

    #[test]
    fn references_and_prefixes_are_resolved() {
        let xml = "<a:Root xmlns:a=\"urn:x\"><a:Key>x &amp; y &#233;&lt;</a:Key><Data><![CDATA[<raw>]]></Data></a:Root>";
        let doc = Element::parse(xml).unwrap();
        assert_eq!(doc.name, "Root");
        assert_eq!(doc.text_at(&["Key"]), Some("x & y é<"));
        assert_eq!(doc.text_at(&["Data"]), Some("<raw>"));
    }

    #[test]
    fn a_query_protocol_list_reads_its_members() {
        let xml = "<CreateLoadBalancerResponse><CreateLoadBalancerResult><LoadBalancers><member>\
                   <LoadBalancerArn>arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/net/demo/1</LoadBalancerArn>\
                   </member></LoadBalancers></CreateLoadBalancerResult></CreateLoadBalancerResponse>";
        let doc = Element::parse(xml).unwrap();
        let lbs = doc.items("LoadBalancers");
        assert_eq!(lbs.len(), 1);
        assert_eq!(
            lbs[0].text_at(&["LoadBalancerArn"]),
            Some("arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/net/demo/1")
        );
    }

    #[test]
    fn broken_documents_are_errors_not_panics() {
        for bad in ["", "<a>", "<a></b>", "not xml", "<a>&bogus;</a>", "</a>"] {
            assert!(Element::parse(bad).is_err(), "{bad:?}");
        }
    }

    fn code_and_message(e: Option<ClientError>) -> Option<(String, String)> {
        match e? {
            ClientError::Api { code, message } => Some((code, message)),
            ClientError::Unreachable(..) => None,
        }
    }

    #[test]
    fn errors_of_every_shape_give_code_and_message() {
        let ec2 = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>InvalidVpcID.NotFound</Code>\
                   <Message>The vpc ID 'vpc-1' does not exist</Message></Error></Errors><RequestID>r</RequestID></Response>";
        assert_eq!(
            code_and_message(aws_error(ec2)),
            Some((
                "InvalidVpcID.NotFound".into(),
                "The vpc ID 'vpc-1' does not exist".into()
            ))
        );
        let query = "<ErrorResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\"><Error>\
                     <Type>Sender</Type><Code>DuplicateLoadBalancerName</Code><Message>A load balancer with the same name &apos;x&apos; exists</Message>\
                     </Error><RequestId>r</RequestId></ErrorResponse>";
        assert_eq!(
            code_and_message(aws_error(query)),
            Some((
                "DuplicateLoadBalancerName".into(),
                "A load balancer with the same name 'x' exists".into()
            ))
        );
        let s3 = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message>\
                  <RequestId>r</RequestId></Error>";
        assert_eq!(
            code_and_message(aws_error(s3)),
            Some(("AccessDenied".into(), "Access Denied".into()))
        );
        // No message still gives the code; no code is not an AWS error; text is not XML.
        assert_eq!(
            code_and_message(aws_error("<Error><Code>NoSuchBucket</Code></Error>")),
            Some(("NoSuchBucket".into(), String::new()))
        );
        assert!(aws_error("<ListBucketResult><Name>b</Name></ListBucketResult>").is_none());
        assert!(aws_error("vpclab: i-1 → s3.us-east-1.amazonaws.com:80 refused").is_none());
    }

    #[test]
    fn proxy_answers_heads_are_read() {
        assert_eq!(
            parse_head(
                "HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: 12\r\n\r\n"
            ),
            Some((403, "text/plain; charset=utf-8".into(), Some(12)))
        );
        assert_eq!(
            parse_head("HTTP/1.1 200 OK\r\n\r\n"),
            Some((200, String::new(), None))
        );
        assert_eq!(parse_head("garbage"), None);
    }

    #[test]
    fn the_proxy_password_is_the_token() {
        let session = ProxySession {
            http: "127.0.0.1:1".into(),
            token: "abc".into(),
        };
        // base64("vpclab:abc") = "dnBjbGFiOmFiYw=="
        assert_eq!(session.authorization(), "Basic dnBjbGFiOmFiYw==");
    }
}
