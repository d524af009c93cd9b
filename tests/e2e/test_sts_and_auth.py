"""STS and SigV4: who the caller is, and who is refused."""

import botocore.exceptions
import pytest

from conftest import error_code


def test_get_caller_identity_names_the_default_account(lab):
    ident = lab.client("sts").get_caller_identity()
    assert ident["Account"] == "000000000000"
    assert ident["Arn"] == "arn:aws:iam::000000000000:root"


def test_the_cli_works_with_the_documented_default_key(lab):
    _, out = lab.aws("sts", "get-caller-identity")
    assert out["Account"] == "000000000000"


def test_a_wrong_secret_is_signature_does_not_match(lab):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lab.client("ec2", secret="not-the-secret").describe_vpcs()
    assert error_code(e) == "SignatureDoesNotMatch"


def test_an_unknown_key_is_auth_failure_for_ec2_and_invalid_token_for_sts(lab):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lab.client("ec2", key="AKIAUNKNOWN").describe_vpcs()
    assert error_code(e) == "AuthFailure"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lab.client("sts", key="AKIAUNKNOWN").get_caller_identity()
    assert error_code(e) == "InvalidClientTokenId"


def test_a_key_added_while_serving_works_and_sees_only_its_own_account(lab, unique):
    lab.add_key("222233334444", f"AKIA{unique.upper()}", "s3cret")
    other = lab.client("ec2", key=f"AKIA{unique.upper()}", secret="s3cret")
    assert lab.client("sts", key=f"AKIA{unique.upper()}", secret="s3cret").get_caller_identity()["Account"] == "222233334444"
    mine = lab.client("ec2").create_vpc(CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
    theirs = [v["VpcId"] for v in other.describe_vpcs()["Vpcs"]]
    assert mine not in theirs
    # Like every new account, it has a default VPC.
    assert [v["CidrBlock"] for v in other.describe_vpcs()["Vpcs"] if v["IsDefault"]] == ["172.31.0.0/16"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        other.delete_vpc(VpcId=mine)
    assert error_code(e) == "InvalidVpcID.NotFound"


def test_an_unsigned_request_is_refused(lab):
    import urllib.request
    import urllib.error

    req = urllib.request.Request(lab.endpoint + "/?Action=DescribeVpcs&Version=2016-11-15")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req)
    assert e.value.code in (400, 401, 403)
    assert b"MissingAuthenticationToken" in e.value.read()


def _signed_at(lab, minutes_ago, service="ec2", body="Action=DescribeVpcs&Version=2016-11-15"):
    """A request signed by botocore with its clock set `minutes_ago` in the past."""
    import datetime
    import urllib.request
    from unittest import mock

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    then = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=minutes_ago)
    req = AWSRequest(method="POST", url=lab.endpoint + "/", data=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    # botocore takes the signing time from `get_current_datetime` (naive UTC).
    with mock.patch("botocore.auth.get_current_datetime", return_value=then.replace(tzinfo=None)):
        SigV4Auth(Credentials("test", "test"), service, "us-east-1").add_auth(req)
    r = urllib.request.Request(lab.endpoint + "/", data=body.encode(), headers=dict(req.headers.items()), method="POST")
    try:
        with urllib.request.urlopen(r) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_a_request_signed_more_than_fifteen_minutes_away_is_expired(lab):
    import urllib.error  # noqa: F401 - used by _signed_at

    status, body = _signed_at(lab, 10)
    assert status == 200, body
    status, body = _signed_at(lab, 20)
    assert status == 400 and "<Code>RequestExpired</Code>" in body, body
    status, body = _signed_at(lab, -20)
    assert status == 400 and "<Code>RequestExpired</Code>" in body, body
    # STS words it its own way.
    status, body = _signed_at(lab, 20, service="sts", body="Action=GetCallerIdentity&Version=2011-06-15")
    assert status == 403 and "<Code>SignatureDoesNotMatch</Code>" in body and "expired" in body.lower(), body


def test_a_presigned_get_is_accepted_for_ec2(lab):
    import urllib.request

    from botocore.auth import SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    req = AWSRequest(method="GET", url=lab.endpoint + "/?Action=DescribeVpcs&Version=2016-11-15")
    SigV4QueryAuth(Credentials("test", "test"), "ec2", "us-east-1", expires=60).add_auth(req)
    with urllib.request.urlopen(req.url) as resp:
        assert resp.status == 200
        assert b"<vpcSet>" in resp.read()


def test_keys_and_quotas_from_the_configuration_file():
    import os
    import tempfile

    from conftest import Lab

    data = tempfile.mkdtemp(prefix="vpclab-e2e-config-")
    with open(os.path.join(data, "config.toml"), "w") as f:
        f.write('[[keys]]\naccount = "333344445555"\naccess_key_id = "AKIACONFIGFILE"\nsecret_access_key = "from-file"\n\n'
                "[quotas]\nvpcs-per-region = 7\n")
    lab = Lab(data_dir=data).start()
    try:
        assert lab.client("sts", key="AKIACONFIGFILE", secret="from-file").get_caller_identity()["Account"] == "333344445555"
        ec2 = lab.client("ec2")
        for i in range(6):
            ec2.create_vpc(CidrBlock=f"10.{i}.0.0/16")
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.create_vpc(CidrBlock="10.9.0.0/16")
        assert error_code(e) == "VpcLimitExceeded", "the default VPC and six more make seven"
    finally:
        lab.cleanup()
