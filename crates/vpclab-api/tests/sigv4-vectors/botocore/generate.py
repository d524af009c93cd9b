#!/usr/bin/env python3
"""Regenerates botocore-requests.json: requests signed by botocore, the library under the
`aws` CLI and boto3, for vpclab's SigV4 verifier to check (tests/sigv4_botocore.rs).

Two sources, both at a fixed clock (2026-01-15T12:34:56Z) with fixed credentials:

* botocore's signers applied directly to hand-built requests (SigV4Auth, SigV4QueryAuth,
  S3SigV4Auth, S3SigV4QueryAuth), for the cases a client library is unlikely to produce on
  its own (a `Date` header, odd characters everywhere);
* real boto3 clients (EC2, STS, ELBv2, S3) whose requests are captured just before they
  would be sent, so the fixtures carry every header, encoding and payload marker that
  botocore's whole pipeline produces.

Run with a Python that has boto3 (any recent version):

    python3 crates/vpclab-api/tests/sigv4-vectors/botocore/generate.py

The output records, for each request: method, raw path and query as sent, headers as sent,
the body, how the server should pass the body to the verifier ("bytes", or "unread" for an
S3 body it would stream), the key pair, the server time to verify at, and what
verification must report.
"""

import datetime
import itertools
import json
import pathlib
import sys
import uuid
from unittest import mock
from urllib.parse import urlsplit

import boto3
import botocore
import botocore.auth
from botocore.awsrequest import AWSRequest, AWSResponse
from botocore.config import Config
from botocore.credentials import Credentials

ACCESS_KEY = "AKIAVPCLABEXAMPLE"
SECRET_KEY = "vpclab/Secret+Key/For/SigV4/Tests0123456"
SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLE//////////wEaDEXAMPLE+token/with=padding=="
SIGNED_AT = datetime.datetime(2026, 1, 15, 12, 34, 56)
# Verify a little later than signing, as a server would.
NOW = "20260115T123501Z"
ENDPOINT = "http://127.0.0.1:4566"
OUT = pathlib.Path(__file__).with_name("botocore-requests.json")


def text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def fixture(name, description, prepared, service, payload="bytes", expect=None):
    """A fixture from a prepared request, as the server would receive it."""
    url = urlsplit(prepared.url)
    body = prepared.body
    if body is None:
        body = b""
    elif hasattr(body, "read"):
        stream = body
        position = stream.tell()
        body = stream.read()
        stream.seek(position)
    if isinstance(body, str):
        body = body.encode("utf-8")
    headers = []
    for key, value in prepared.headers.items():
        # Not signed (botocore never signs User-Agent); pinned so the file is reproducible.
        if key.lower() == "user-agent":
            value = "botocore (vpclab sigv4 fixture)"
        headers.append([text(key), text(value)])
    # http.client adds Host from the URL when it sends the request.
    if not any(k.lower() == "host" for k, _ in headers):
        headers.append(["Host", url.netloc])
    return {
        "name": name,
        "description": description,
        "method": prepared.method,
        "path": url.path,
        "query": url.query,
        "headers": headers,
        "body": body.decode("utf-8"),
        "payload": payload,
        "access_key_id": ACCESS_KEY,
        "secret_access_key": SECRET_KEY,
        "now": NOW,
        "expect": dict({"service": service, "region": "us-east-1"}, **(expect or {})),
    }


def signed(auth, method, url, data=None, headers=None, context=None):
    request = AWSRequest(method=method, url=url, data=data, headers=headers or {})
    request.context.update(context or {})
    auth.add_auth(request)
    return request.prepare()


def direct_cases():
    creds = Credentials(ACCESS_KEY, SECRET_KEY)
    token_creds = Credentials(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN)
    form = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    cases = []

    body = "Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=tag%3AName&Filter.1.Value.1=a%20b%2Bc~%2A%C3%A9"
    cases.append(fixture(
        "ec2-form-post",
        "EC2 query protocol: a form body signed with SigV4Auth",
        signed(botocore.auth.SigV4Auth(creds, "ec2", "us-east-1"), "POST", ENDPOINT + "/", body, form),
        "ec2", expect={"form": "header", "payload": "sha256"}))

    cases.append(fixture(
        "ec2-date-header",
        "EC2 with a Date header instead of X-Amz-Date (botocore writes it with formatdate: '-0000')",
        signed(botocore.auth.SigV4Auth(creds, "ec2", "us-east-1"), "POST", ENDPOINT + "/",
               "Action=DescribeRegions&Version=2016-11-15", dict(form, Date="placeholder")),
        "ec2", expect={"form": "header"}))

    cases.append(fixture(
        "sts-form-post",
        "STS GetCallerIdentity as a form body",
        signed(botocore.auth.SigV4Auth(creds, "sts", "us-east-1"), "POST", ENDPOINT + "/",
               "Action=GetCallerIdentity&Version=2011-06-15", form),
        "sts", expect={"form": "header"}))

    cases.append(fixture(
        "sts-session-token",
        "STS signed with temporary credentials: X-Amz-Security-Token is signed",
        signed(botocore.auth.SigV4Auth(token_creds, "sts", "us-east-1"), "POST", ENDPOINT + "/",
               "Action=GetCallerIdentity&Version=2011-06-15", form),
        "sts", expect={"form": "header", "session_token": SESSION_TOKEN}))

    cases.append(fixture(
        "ec2-get-query",
        "EC2 GET with the action in the query string, parameters needing encoding",
        signed(botocore.auth.SigV4Auth(creds, "ec2", "us-west-2"), "GET",
               ENDPOINT + "/?Version=2016-11-15&Action=DescribeVpcs&Filter.1.Name=tag%3AName&Filter.1.Value.1=%20%21%27%28%29%2A%2B~"),
        "ec2", expect={"form": "header", "region": "us-west-2"}))

    cases.append(fixture(
        "s3-get-encoded-key",
        "S3 GET of key 'a b+c/~.txt': path sent as botocore encodes it, signed once-encoded",
        signed(botocore.auth.S3SigV4Auth(creds, "s3", "us-east-1"), "GET", ENDPOINT + "/bucket/a%20b%2Bc/~.txt"),
        "s3", payload="unread", expect={"form": "header", "payload": "sha256"}))

    cases.append(fixture(
        "s3-get-percent-in-key",
        "S3 GET of key 'a b+c/%7E.txt' (a literal percent sign): '%257E' on the wire",
        signed(botocore.auth.S3SigV4Auth(creds, "s3", "us-east-1"), "GET", ENDPOINT + "/bucket/a%20b%2Bc/%257E.txt"),
        "s3", payload="unread", expect={"form": "header"}))

    cases.append(fixture(
        "s3-list-query",
        "S3 ListObjectsV2 with a prefix needing encoding and a bare-key parameter",
        signed(botocore.auth.S3SigV4Auth(creds, "s3", "us-east-1"), "GET",
               ENDPOINT + "/bucket?list-type=2&prefix=a%20b%2Fc%2A%C3%A9&encoding-type=url&fetch-owner"),
        "s3", payload="unread", expect={"form": "header"}))

    cases.append(fixture(
        "s3-put-body",
        "S3 PUT with a UTF-8 body and user metadata, payload hash signed",
        signed(botocore.auth.S3SigV4Auth(creds, "s3", "eu-west-1"), "PUT",
               ENDPOINT + "/bucket/dir/caf%C3%A9.txt", "h\u00e9llo w\u00f6rld\n".encode("utf-8"),
               {"x-amz-meta-note": "  two  spaces  ", "Content-Type": "text/plain"}),
        "s3", expect={"form": "header", "region": "eu-west-1", "payload": "sha256"}))

    cases.append(fixture(
        "s3-unsigned-payload",
        "S3 PUT over TLS with payload signing off: UNSIGNED-PAYLOAD",
        signed(botocore.auth.S3SigV4Auth(creds, "s3", "us-east-1"), "PUT",
               "https://127.0.0.1:4566/bucket/key", b"data", {"Content-MD5": "jXd/OF09/siBXSD3SWAm3A=="},
               {"client_config": Config(s3={"payload_signing_enabled": False})}),
        "s3", payload="unread", expect={"form": "header", "payload": "unsigned"}))

    presign = signed(botocore.auth.S3SigV4QueryAuth(creds, "s3", "us-east-1", expires=3600), "GET",
                     ENDPOINT + "/bucket/a%20b%2Bc/~.txt")
    cases.append(fixture(
        "s3-presigned-get",
        "S3 presigned GET (S3SigV4QueryAuth, one hour): UNSIGNED-PAYLOAD, signature in the query",
        presign, "s3", payload="unread", expect={"form": "query", "expires_s": 3600, "payload": "unsigned"}))

    presign = signed(botocore.auth.S3SigV4QueryAuth(token_creds, "s3", "us-east-1", expires=604800), "PUT",
                     ENDPOINT + "/bucket/upload.bin")
    cases.append(fixture(
        "s3-presigned-put-token",
        "S3 presigned PUT for a week with temporary credentials",
        presign, "s3", payload="unread",
        expect={"form": "query", "expires_s": 604800, "session_token": SESSION_TOKEN}))

    presign = signed(botocore.auth.SigV4QueryAuth(creds, "sts", "us-east-1", expires=60), "GET",
                     ENDPOINT + "/?Action=GetCallerIdentity&Version=2011-06-15",
                     headers={"x-k8s-aws-id": "my-cluster"})
    cases.append(fixture(
        "sts-presigned-eks-token",
        "STS GetCallerIdentity presigned for a minute with a signed x-k8s-aws-id header (EKS tokens)",
        presign, "sts", expect={"form": "query", "expires_s": 60}))
    return cases


class Capture:
    """Answers every request of a client with an empty 200 and keeps the first one."""

    def __init__(self):
        self.requests = []

    def __call__(self, request, **kwargs):
        self.requests.append(request)
        return AWSResponse(request.url, 200, {}, mock.Mock(stream=lambda: iter([b""]), content=b""))


def captured(service, call, region="us-east-1", config=None):
    client = boto3.client(
        service, region_name=region, endpoint_url=ENDPOINT,
        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
        config=config or Config(retries={"max_attempts": 1}))
    capture = Capture()
    client.meta.events.register("before-send", capture)
    try:
        call(client)
    except Exception:  # the empty answer does not parse; the request is what we want
        pass
    return capture.requests[0]


def client_cases():
    cases = []
    cases.append(fixture(
        "boto3-ec2-describe-vpcs",
        "boto3 EC2 DescribeVpcs with a filter value needing encoding",
        captured("ec2", lambda c: c.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["a b+c~*\u00e9"]}])),
        "ec2", expect={"form": "header"}))
    cases.append(fixture(
        "boto3-sts-get-caller-identity",
        "boto3 STS GetCallerIdentity",
        captured("sts", lambda c: c.get_caller_identity()),
        "sts", expect={"form": "header"}))
    cases.append(fixture(
        "boto3-elbv2-describe-load-balancers",
        "boto3 ELBv2 DescribeLoadBalancers (signing name elasticloadbalancing)",
        captured("elbv2", lambda c: c.describe_load_balancers(Names=["my-nlb"])),
        "elasticloadbalancing", expect={"form": "header"}))
    cases.append(fixture(
        "boto3-s3-list-objects-v2",
        "boto3 S3 ListObjectsV2 with a prefix needing encoding",
        captured("s3", lambda c: c.list_objects_v2(Bucket="bucket", Prefix="a b/\u00e9*")),
        "s3", payload="unread", expect={"form": "header"}))
    put = captured("s3", lambda c: c.put_object(Bucket="bucket", Key="dir/a b+c/~\u00fc*.txt", Body=b"hello"))
    cases.append(fixture(
        "boto3-s3-put-object",
        "boto3 S3 PutObject of a key needing encoding (botocore's checksum handling decides the payload)",
        put, "s3", payload="unread", expect={"form": "header"}))
    cases.append(fixture(
        "boto3-s3-delete-objects",
        "boto3 S3 DeleteObjects: a POST with ?delete and an XML body",
        captured("s3", lambda c: c.delete_objects(Bucket="bucket", Delete={"Objects": [{"Key": "a"}]})),
        "s3", expect={"form": "header"}))

    def presigned(config):
        client = boto3.client(
            "s3", region_name="us-east-1", endpoint_url=ENDPOINT,
            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, config=config)
        url = client.generate_presigned_url(
            "get_object", Params={"Bucket": "bucket", "Key": "a b+c/~\u00e9.txt"}, ExpiresIn=900)
        return AWSRequest(method="GET", url=url, headers={"Host": urlsplit(url).netloc}).prepare()

    cases.append(fixture(
        "boto3-s3-presigned-url",
        "boto3 generate_presigned_url for GetObject with signature_version='s3v4', fifteen minutes",
        presigned(Config(signature_version="s3v4")), "s3", payload="unread",
        expect={"form": "query", "expires_s": 900}))
    # Without signature_version, botocore presigns S3 URLs for a custom endpoint in
    # us-east-1 with Signature Version 2, which vpclab refuses.
    cases.append(fixture(
        "boto3-s3-presigned-url-sigv2",
        "boto3 generate_presigned_url with the default config: Signature Version 2, refused",
        presigned(None), "s3", payload="unread",
        expect={"error": "UnsupportedAlgorithm", "code": "InvalidRequest"}))
    return cases


def main():
    ids = (uuid.UUID(int=n) for n in itertools.count(1))
    epoch = SIGNED_AT.replace(tzinfo=datetime.timezone.utc).timestamp()
    with mock.patch.object(botocore.auth, "get_current_datetime", lambda *a, **k: SIGNED_AT), \
            mock.patch.object(botocore.auth.time, "time", lambda: epoch), \
            mock.patch.object(uuid, "uuid4", lambda: next(ids)):
        cases = direct_cases() + client_cases()
    document = {
        "generator": "tests/sigv4-vectors/botocore/generate.py",
        "botocore": botocore.__version__,
        "boto3": boto3.__version__,
        "python": sys.version.split()[0],
        "requests": cases,
    }
    OUT.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(cases)} requests to {OUT}")


if __name__ == "__main__":
    main()
