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
