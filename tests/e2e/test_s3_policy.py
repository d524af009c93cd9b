"""Bucket policies end to end through boto3 and the aws CLI: Put/Get/DeleteBucketPolicy, and
authorization as AWS does it. From the host a request is a public-internet request (no
aws:SourceVpce), so the seed's "only through this endpoint" policy refuses it; requests that
carry an endpoint's context come from the lab's data plane and are tested at the entry point
(crates/vpclab-api/tests/s3_access.rs). Every refusal is checked for its AWS code and for the
state it leaves unchanged."""

import json
import urllib.error
import urllib.request

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import error_code

OTHER_ACCOUNT = "222233334444"
OTHER_KEY = ("AKIAOTHERPOLICYTEST", "other-policy-secret")


@pytest.fixture
def s3(lab):
    return lab.client("s3")


@pytest.fixture(scope="module")
def other(lab):
    """A client of a second account (its root user)."""
    lab.add_key(OTHER_ACCOUNT, *OTHER_KEY)
    return lab.client("s3", key=OTHER_KEY[0], secret=OTHER_KEY[1])


@pytest.fixture
def anonymous(lab):
    """An unsigned client, as a browser or curl would ask."""
    return boto3.client(
        "s3",
        endpoint_url=lab.endpoint,
        region_name="us-east-1",
        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}),
    )


@pytest.fixture
def bucket(s3, unique):
    name = f"policy-{unique}"
    s3.create_bucket(Bucket=name)
    return name


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def both(bucket):
    return [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]


def denied(call, *args, **kwargs):
    """Runs a call that must be refused with S3's AccessDenied (403)."""
    with pytest.raises(ClientError) as e:
        call(*args, **kwargs)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403, e.value.response
    # HEAD answers carry no body: botocore then reports the status as the code.
    assert error_code(e) in ("AccessDenied", "403"), e.value.response
    return e


def test_the_seed_policy_denies_requests_from_the_host(s3, lab, bucket):
    s3.put_object(Bucket=bucket, Key="before.txt", Body=b"kept")
    # The seed's statement, as in the data-science reference architecture's template (key
    # spelled `aws:sourceVpce`: condition keys are case-insensitive).
    seed = policy(
        {
            "Sid": "DenyUnlessVpce",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": both(bucket),
            "Condition": {"StringNotEquals": {"aws:sourceVpce": "vpce-0a1b2c3d4e5f60718"}},
        }
    )
    s3.put_bucket_policy(Bucket=bucket, Policy=seed)

    e = denied(s3.get_object, Bucket=bucket, Key="before.txt")
    assert "DenyUnlessVpce" in e.value.response["Error"]["Message"]
    denied(s3.put_object, Bucket=bucket, Key="after.txt", Body=b"refused")
    denied(s3.list_objects_v2, Bucket=bucket)
    denied(s3.head_bucket, Bucket=bucket)
    denied(s3.delete_object, Bucket=bucket, Key="before.txt")
    code, stderr = lab.aws("s3", "ls", f"s3://{bucket}", check=False)
    assert code != 0 and "AccessDenied" in stderr

    # The owner's root still reads and removes the policy; nothing else changed.
    assert s3.get_bucket_policy(Bucket=bucket)["Policy"] == seed
    s3.delete_bucket_policy(Bucket=bucket)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert keys == ["before.txt"]
    assert s3.get_object(Bucket=bucket, Key="before.txt")["Body"].read() == b"kept"


def test_a_cross_account_reader_is_denied_until_the_policy_allows_it(s3, other, bucket):
    s3.put_object(Bucket=bucket, Key="reports/q1.csv", Body=b"a,b\n")
    denied(other.get_object, Bucket=bucket, Key="reports/q1.csv")
    denied(other.list_objects_v2, Bucket=bucket)
    # Nor can it give itself access.
    grab = policy({"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": both(bucket)})
    denied(other.put_bucket_policy, Bucket=bucket, Policy=grab)
    with pytest.raises(ClientError) as e:
        s3.get_bucket_policy(Bucket=bucket)
    assert error_code(e) == "NoSuchBucketPolicy"

    reader = policy(
        {
            "Sid": "Reader",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": both(bucket),
        }
    )
    s3.put_bucket_policy(Bucket=bucket, Policy=reader)
    assert other.get_object(Bucket=bucket, Key="reports/q1.csv")["Body"].read() == b"a,b\n"
    listed = other.list_objects_v2(Bucket=bucket, Prefix="reports/")
    assert [o["Key"] for o in listed["Contents"]] == ["reports/q1.csv"]
    other.head_bucket(Bucket=bucket)

    # Reading is all it grants.
    denied(other.put_object, Bucket=bucket, Key="reports/q2.csv", Body=b"x")
    denied(other.delete_object, Bucket=bucket, Key="reports/q1.csv")
    denied(other.get_bucket_policy, Bucket=bucket)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == ["reports/q1.csv"]

    # AWS: an allowed identity outside the owner's account gets 405 on the policy itself.
    everything = policy(
        {"Effect": "Allow", "Principal": {"AWS": OTHER_ACCOUNT}, "Action": "s3:*", "Resource": both(bucket)}
    )
    s3.put_bucket_policy(Bucket=bucket, Policy=everything)
    with pytest.raises(ClientError) as e:
        other.delete_bucket_policy(Bucket=bucket)
    assert error_code(e) == "MethodNotAllowed"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 405
    assert s3.get_bucket_policy(Bucket=bucket)["Policy"] == everything


def test_the_owner_root_recovers_from_a_policy_that_locks_everyone_out(s3, lab, bucket):
    lockout = policy(
        {"Sid": "Lockout", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": both(bucket)}
    )
    s3.put_bucket_policy(Bucket=bucket, Policy=lockout)
    denied(s3.put_object, Bucket=bucket, Key="k", Body=b"x")
    denied(s3.get_bucket_location, Bucket=bucket)
    denied(s3.delete_bucket, Bucket=bucket)
    assert bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]]

    # Get, put and delete of the policy stay with the owner's root, through either client.
    assert s3.get_bucket_policy(Bucket=bucket)["Policy"] == lockout
    lab.aws("s3api", "put-bucket-policy", "--bucket", bucket, "--policy", lockout)
    lab.aws("s3api", "delete-bucket-policy", "--bucket", bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"


MALFORMED = [
    ("not json", "Policies must be valid JSON and the first byte must be '{'"),
    (
        '{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::BUCKET/*"}]}',
        "Missing required field Principal",
    ),
    (
        '{"Statement":[{"Effect":"allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::BUCKET/*"}]}',
        "Invalid effect: allow",
    ),
    (
        '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::some-other-bucket/*"}]}',
        "Policy has invalid resource",
    ),
    (
        '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}',
        "Policy has invalid resource",
    ),
    (
        '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::BUCKET"}]}',
        "Action does not apply to any resource(s) in statement",
    ),
    (
        '{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::BUCKET/*","Condition":{"StringEqualz":{"aws:SourceVpce":"vpce-1"}}}]}',
        "Invalid Condition type : StringEqualz",
    ),
]


@pytest.mark.parametrize("document,message", MALFORMED)
def test_a_malformed_policy_is_refused_and_the_old_one_stays(s3, bucket, document, message):
    old = policy(
        {"Sid": "Old", "Effect": "Allow", "Principal": {"AWS": OTHER_ACCOUNT}, "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}
    )
    s3.put_bucket_policy(Bucket=bucket, Policy=old)
    with pytest.raises(ClientError) as e:
        s3.put_bucket_policy(Bucket=bucket, Policy=document.replace("BUCKET", bucket))
    assert error_code(e) == "MalformedPolicy"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert e.value.response["Error"]["Message"] == message
    assert s3.get_bucket_policy(Bucket=bucket)["Policy"] == old


def test_the_aws_cli_sees_malformed_policy(lab, s3, bucket):
    code, stderr = lab.aws("s3api", "put-bucket-policy", "--bucket", bucket, "--policy", '{"Statement":[]}', check=False)
    assert code != 0
    assert "MalformedPolicy" in stderr and "Statement is empty" in stderr
    with pytest.raises(ClientError) as e:
        s3.get_bucket_policy(Bucket=bucket)
    assert error_code(e) == "NoSuchBucketPolicy"


def test_policy_operations_answer_as_s3(s3, lab, bucket, unique):
    with pytest.raises(ClientError) as e:
        s3.get_bucket_policy(Bucket=bucket)
    assert error_code(e) == "NoSuchBucketPolicy"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    # Deleting a policy that is not there succeeds, as on AWS.
    deleted = s3.delete_bucket_policy(Bucket=bucket)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204

    document = policy(
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/public/*"}
    )
    put = s3.put_bucket_policy(Bucket=bucket, Policy=document)
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 204
    _, got = lab.aws("s3api", "get-bucket-policy", "--bucket", bucket)
    assert json.loads(got["Policy"]) == json.loads(document)
    s3.delete_bucket_policy(Bucket=bucket)
    with pytest.raises(ClientError) as e:
        s3.get_bucket_policy(Bucket=bucket)
    assert error_code(e) == "NoSuchBucketPolicy"

    missing = f"policy-missing-{unique}"
    for call in (s3.get_bucket_policy, s3.delete_bucket_policy):
        with pytest.raises(ClientError) as e:
            call(Bucket=missing)
        assert error_code(e) == "NoSuchBucket"
    with pytest.raises(ClientError) as e:
        s3.put_bucket_policy(Bucket=missing, Policy=document)
    assert error_code(e) == "NoSuchBucket"


def test_anonymous_requests_need_a_policy_for_everyone(s3, lab, anonymous, bucket, unique):
    s3.put_object(Bucket=bucket, Key="public/index.html", Body=b"<h1>hi</h1>")
    s3.put_object(Bucket=bucket, Key="private/notes.txt", Body=b"secret")
    denied(anonymous.get_object, Bucket=bucket, Key="public/index.html")
    denied(anonymous.list_objects_v2, Bucket=bucket)
    denied(anonymous.list_buckets)
    made = f"anonymous-{unique}"
    denied(anonymous.create_bucket, Bucket=made)
    with pytest.raises(ClientError) as e:
        s3.head_bucket(Bucket=made)
    assert error_code(e) == "404"

    public = policy(
        {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/public/*"}
    )
    s3.put_bucket_policy(Bucket=bucket, Policy=public)
    assert anonymous.get_object(Bucket=bucket, Key="public/index.html")["Body"].read() == b"<h1>hi</h1>"
    with urllib.request.urlopen(f"{lab.endpoint}/{bucket}/public/index.html") as plain:
        assert plain.read() == b"<h1>hi</h1>"
    denied(anonymous.get_object, Bucket=bucket, Key="private/notes.txt")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(f"{lab.endpoint}/{bucket}/private/notes.txt")
    assert e.value.code == 403 and b"<Code>AccessDenied</Code>" in e.value.read()
    denied(anonymous.put_object, Bucket=bucket, Key="public/defaced.html", Body=b"x")
    denied(anonymous.delete_bucket_policy, Bucket=bucket)
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"])
    assert keys == ["private/notes.txt", "public/index.html"]
    assert s3.get_bucket_policy(Bucket=bucket)["Policy"] == public


def test_delete_objects_answers_each_refused_key(s3, bucket):
    for key in ("keep/a", "tmp/b"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    keep = policy(
        {"Sid": "Keep", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": f"arn:aws:s3:::{bucket}/keep/*"}
    )
    s3.put_bucket_policy(Bucket=bucket, Policy=keep)
    answer = s3.delete_objects(
        Bucket=bucket, Delete={"Objects": [{"Key": "keep/a"}, {"Key": "tmp/b"}]}
    )
    assert [d["Key"] for d in answer["Deleted"]] == ["tmp/b"]
    assert [(e["Key"], e["Code"]) for e in answer["Errors"]] == [("keep/a", "AccessDenied")]
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == ["keep/a"]


def test_a_copy_needs_read_access_to_its_source(s3, other, bucket, unique):
    s3.put_object(Bucket=bucket, Key="source.bin", Body=b"payload")
    target = f"policy-target-{unique}"
    other.create_bucket(Bucket=target)
    source = {"Bucket": bucket, "Key": "source.bin"}
    denied(other.copy_object, Bucket=target, Key="copy.bin", CopySource=source)
    assert "Contents" not in other.list_objects_v2(Bucket=target)
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=policy(
            {"Effect": "Allow", "Principal": {"AWS": OTHER_ACCOUNT}, "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}
        ),
    )
    other.copy_object(Bucket=target, Key="copy.bin", CopySource=source)
    assert other.get_object(Bucket=target, Key="copy.bin")["Body"].read() == b"payload"


def test_conditions_see_the_host_as_the_public_internet(s3, bucket):
    # The listener marks host requests with aws:SourceIp = the peer (127.0.0.1), and plain
    # HTTP as aws:SecureTransport false.
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=policy(
            {"Sid": "NotFromLoopback", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*", "Condition": {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}},
            {"Sid": "TlsForReads", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        ),
    )
    e = denied(s3.put_object, Bucket=bucket, Key="k", Body=b"x")
    assert "NotFromLoopback" in e.value.response["Error"]["Message"]
    e = denied(s3.get_object, Bucket=bucket, Key="k")
    assert "TlsForReads" in e.value.response["Error"]["Message"]
    s3.list_objects_v2(Bucket=bucket)
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=policy(
            {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*", "Condition": {"NotIpAddress": {"aws:SourceIp": "127.0.0.0/8"}}}
        ),
    )
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
