"""S3 objects end to end through boto3 and the aws CLI: put/get/head/delete, ranges,
conditions, metadata, copy, listings (prefix, delimiter, pagination, URL encoding),
multipart uploads, presigned URLs, durability."""

import base64
import hashlib
import os
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import Lab, error_code

MiB = 1024 * 1024


@pytest.fixture
def s3(lab):
    return lab.client("s3")


@pytest.fixture
def bucket(s3, unique):
    name = f"objects-{unique}"
    s3.create_bucket(Bucket=name)
    return name


def keys_of(s3, bucket):
    out = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        out += [o["Key"] for o in page.get("Contents", [])]
    return out


def test_put_get_head_with_metadata(s3, bucket):
    body = b"hello from the lab\n" * 100
    put = s3.put_object(
        Bucket=bucket,
        Key="docs/hello.txt",
        Body=body,
        ContentType="text/plain",
        CacheControl="max-age=60",
        ContentDisposition="attachment",
        ContentLanguage="en",
        Metadata={"Owner": "alice", "purpose": "test"},
    )
    md5 = hashlib.md5(body).hexdigest()
    assert put["ETag"] == f'"{md5}"'

    got = s3.get_object(Bucket=bucket, Key="docs/hello.txt")
    assert got["Body"].read() == body
    assert got["ETag"] == f'"{md5}"'
    assert got["ContentType"] == "text/plain"
    assert got["ContentLength"] == len(body)
    assert got["CacheControl"] == "max-age=60"
    assert got["ContentDisposition"] == "attachment"
    assert got["ContentLanguage"] == "en"
    assert got["Metadata"] == {"owner": "alice", "purpose": "test"}
    assert got["AcceptRanges"] == "bytes"

    head = s3.head_object(Bucket=bucket, Key="docs/hello.txt")
    assert head["ContentLength"] == len(body)
    assert head["ETag"] == f'"{md5}"'
    assert head["Metadata"] == {"owner": "alice", "purpose": "test"}
    assert head["LastModified"] == got["LastModified"]


def test_default_content_type_and_empty_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key="empty", Body=b"")
    got = s3.get_object(Bucket=bucket, Key="empty")
    assert got["Body"].read() == b""
    assert got["ContentType"] == "binary/octet-stream"
    assert got["ETag"] == '"d41d8cd98f00b204e9800998ecf8427e"'


def test_overwrite_replaces_bytes_and_metadata(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"one", Metadata={"v": "1"})
    s3.put_object(Bucket=bucket, Key="k", Body=b"second")
    got = s3.get_object(Bucket=bucket, Key="k")
    assert got["Body"].read() == b"second"
    assert got["Metadata"] == {}


def test_response_header_overrides(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ContentType="text/plain")
    got = s3.get_object(Bucket=bucket, Key="k", ResponseContentType="application/json",
                        ResponseContentDisposition="inline")
    assert got["ContentType"] == "application/json"
    assert got["ContentDisposition"] == "inline"


def test_missing_key_bucket_and_head(s3, bucket, unique):
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="nope")
    assert error_code(e) == "NoSuchKey"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=f"missing-{unique}", Key="k")
    assert error_code(e) == "NoSuchBucket"
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="nope")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=f"missing-{unique}", Key="k", Body=b"x")
    assert error_code(e) == "NoSuchBucket"


def test_ranged_reads(s3, bucket):
    body = bytes(range(256)) * 40
    s3.put_object(Bucket=bucket, Key="r", Body=body)
    cases = {"bytes=0-9": body[0:10], "bytes=100-199": body[100:200], "bytes=-5": body[-5:],
             "bytes=10235-": body[10235:], "bytes=10000-99999": body[10000:]}
    for header, expected in cases.items():
        got = s3.get_object(Bucket=bucket, Key="r", Range=header)
        assert got["Body"].read() == expected, header
        assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
        assert got["ContentLength"] == len(expected)
        start = len(body) - len(expected) if header.startswith("bytes=-") else int(header[6:].split("-")[0])
        assert got["ContentRange"] == f"bytes {start}-{start + len(expected) - 1}/{len(body)}"
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="r", Range="bytes=20000-20010")
    assert error_code(e) == "InvalidRange"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 416


def test_read_conditions(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="c", Body=b"conditional")
    etag = put["ETag"]
    assert s3.get_object(Bucket=bucket, Key="c", IfMatch=etag)["Body"].read() == b"conditional"
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="c", IfMatch='"0000"')
    assert error_code(e) == "PreconditionFailed"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="c", IfNoneMatch=etag)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    modified = s3.head_object(Bucket=bucket, Key="c")["LastModified"]
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="c", IfModifiedSince=modified)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304


def test_conditional_put(s3, bucket):
    s3.put_object(Bucket=bucket, Key="once", Body=b"first", IfNoneMatch="*")
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="once", Body=b"second", IfNoneMatch="*")
    assert error_code(e) == "PreconditionFailed"
    assert s3.get_object(Bucket=bucket, Key="once")["Body"].read() == b"first"


def test_integrity_checks_refuse_and_keep_state(lab, s3, bucket):
    s3.put_object(Bucket=bucket, Key="i", Body=b"original")
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="i", Body=b"changed", ContentMD5=wrong)
    assert error_code(e) == "BadDigest"
    raw = lab.client("s3", validate=False)
    with pytest.raises(ClientError) as e:
        raw.put_object(Bucket=bucket, Key="i", Body=b"changed", ContentMD5="not-base64!")
    assert error_code(e) == "InvalidDigest"
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="i", Body=b"changed", ChecksumCRC32="AAAAAA==")
    assert error_code(e) == "BadDigest"
    assert s3.get_object(Bucket=bucket, Key="i")["Body"].read() == b"original"
    good = base64.b64encode(hashlib.md5(b"changed").digest()).decode()
    s3.put_object(Bucket=bucket, Key="i", Body=b"changed", ContentMD5=good)
    assert s3.get_object(Bucket=bucket, Key="i")["Body"].read() == b"changed"


def test_checksums_are_kept_and_returned(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="sum", Body=b"checksum me", ChecksumAlgorithm="SHA256")
    expected = base64.b64encode(hashlib.sha256(b"checksum me").digest()).decode()
    assert put["ChecksumSHA256"] == expected
    head = s3.head_object(Bucket=bucket, Key="sum", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == expected
    got = s3.get_object(Bucket=bucket, Key="sum", ChecksumMode="ENABLED")
    assert got["Body"].read() == b"checksum me"
    assert got["ChecksumSHA256"] == expected


def test_limits(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="k" * 1025, Body=b"x")
    assert error_code(e) == "KeyTooLongError"
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="meta", Body=b"x", Metadata={"big": "v" * 2100})
    assert error_code(e) == "MetadataTooLarge"
    assert keys_of(s3, bucket) == []


def test_delete_object_and_objects(s3, bucket):
    for k in ["a", "b", "c", "d"]:
        s3.put_object(Bucket=bucket, Key=k, Body=k.encode())
    resp = s3.delete_object(Bucket=bucket, Key="a")
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 204
    # Deleting a key that is not there is not an error.
    assert s3.delete_object(Bucket=bucket, Key="a")["ResponseMetadata"]["HTTPStatusCode"] == 204
    resp = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "b"}, {"Key": "c"}, {"Key": "zzz"}]})
    assert sorted(d["Key"] for d in resp["Deleted"]) == ["b", "c", "zzz"]
    assert "Errors" not in resp
    resp = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "d"}], "Quiet": True})
    assert "Deleted" not in resp
    assert keys_of(s3, bucket) == []


def test_delete_objects_over_1000_keys_is_malformed(s3, bucket):
    s3.put_object(Bucket=bucket, Key="keep", Body=b"x")
    with pytest.raises(ClientError) as e:
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": f"k{i}"} for i in range(1001)] + [{"Key": "keep"}]})
    assert error_code(e) == "MalformedXML"
    assert keys_of(s3, bucket) == ["keep"]


def test_copy_object(s3, bucket, unique):
    s3.put_object(Bucket=bucket, Key="src", Body=b"copy me", ContentType="text/plain", Metadata={"a": "1"})
    src_etag = s3.head_object(Bucket=bucket, Key="src")["ETag"]
    out = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    assert out["CopyObjectResult"]["ETag"] == src_etag
    got = s3.get_object(Bucket=bucket, Key="dst")
    assert got["Body"].read() == b"copy me"
    assert got["Metadata"] == {"a": "1"}
    assert got["ContentType"] == "text/plain"

    other = f"copy-target-{unique}"
    s3.create_bucket(Bucket=other)
    s3.copy_object(Bucket=other, Key="x", CopySource=f"{bucket}/src", MetadataDirective="REPLACE",
                   Metadata={"b": "2"}, ContentType="application/octet-stream")
    got = s3.get_object(Bucket=other, Key="x")
    assert got["Body"].read() == b"copy me"
    assert got["Metadata"] == {"b": "2"}

    # Deleting the source leaves the copy intact (they share no state).
    s3.delete_object(Bucket=bucket, Key="src")
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == b"copy me"

    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "dst"})
    assert error_code(e) == "InvalidRequest"
    # Replacing the metadata in place is allowed.
    s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "dst"},
                   MetadataDirective="REPLACE", Metadata={"c": "3"})
    assert s3.head_object(Bucket=bucket, Key="dst")["Metadata"] == {"c": "3"}
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="y", CopySource={"Bucket": bucket, "Key": "gone"})
    assert error_code(e) == "NoSuchKey"
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="y", CopySource={"Bucket": bucket, "Key": "dst"},
                       CopySourceIfMatch='"nope"')
    assert error_code(e) == "PreconditionFailed"
    assert "y" not in keys_of(s3, bucket)


def test_copy_from_an_access_point_or_an_outpost_is_refused(s3, bucket):
    """The lab serves no access points and no Outposts: a copy source naming an access
    point names one that does not exist (NoSuchAccessPoint, 404); an Outposts ARN is not a
    source the regional endpoint copies from (InvalidArgument, 400). Nothing is written."""
    s3.put_object(Bucket=bucket, Key="src", Body=b"x")
    access_point = "arn:aws:s3:us-east-1:000000000000:accesspoint/my-ap/object/src"
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="from-ap", CopySource=access_point)
    assert error_code(e) == "NoSuchAccessPoint"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert "my-ap" in e.value.response["Error"]["Message"]
    outpost = "arn:aws:s3-outposts:us-east-1:000000000000:outpost/op-01ac5d28a6a232904/object/src"
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="from-outpost", CopySource=outpost)
    assert error_code(e) == "InvalidArgument"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "op-01ac5d28a6a232904" in e.value.response["Error"]["Message"]
    assert keys_of(s3, bucket) == ["src"]


def test_list_v2_prefix_delimiter_pagination(s3, bucket):
    keys = ["a/1", "a/2", "a/b/3", "b/4", "c", "d e+f", "ü/umlaut", "x%y"]
    for k in keys:
        s3.put_object(Bucket=bucket, Key=k, Body=b".")
    assert keys_of(s3, bucket) == sorted(keys, key=lambda k: k.encode())

    top = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in top["CommonPrefixes"]] == ["a/", "b/", "ü/"]
    assert [o["Key"] for o in top["Contents"]] == ["c", "d e+f", "x%y"]
    assert top["KeyCount"] == 6

    under_a = s3.list_objects_v2(Bucket=bucket, Prefix="a/", Delimiter="/")
    assert [o["Key"] for o in under_a["Contents"]] == ["a/1", "a/2"]
    assert [p["Prefix"] for p in under_a["CommonPrefixes"]] == ["a/b/"]
    assert under_a["Prefix"] == "a/"

    # Pages of two, keys and prefixes counted together.
    seen, token = [], None
    while True:
        kwargs = {"Bucket": bucket, "Delimiter": "/", "MaxKeys": 2}
        if token:
            kwargs["ContinuationToken"] = token
        page = s3.list_objects_v2(**kwargs)
        entries = [p["Prefix"] for p in page.get("CommonPrefixes", [])] + [o["Key"] for o in page.get("Contents", [])]
        assert len(entries) <= 2
        seen += entries
        if not page["IsTruncated"]:
            break
        token = page["NextContinuationToken"]
    assert sorted(seen) == sorted(["a/", "b/", "ü/", "c", "d e+f", "x%y"])

    after = s3.list_objects_v2(Bucket=bucket, StartAfter="b/4")
    assert [o["Key"] for o in after["Contents"]] == ["c", "d e+f", "x%y", "ü/umlaut"]
    assert s3.list_objects_v2(Bucket=bucket, Prefix="zz")["KeyCount"] == 0
    owner = s3.list_objects_v2(Bucket=bucket, Prefix="c", FetchOwner=True)["Contents"][0]
    assert owner["Owner"]["ID"] == "000000000000"
    assert owner["Size"] == 1 and owner["StorageClass"] == "STANDARD"
    with pytest.raises(ClientError) as e:
        s3.list_objects_v2(Bucket=bucket, ContinuationToken="not-a-token")
    assert error_code(e) == "InvalidArgument"


def test_list_v1_markers(s3, bucket):
    for k in ["a/1", "a/2", "b", "c/1", "d"]:
        s3.put_object(Bucket=bucket, Key=k, Body=b".")
    page = s3.list_objects(Bucket=bucket, MaxKeys=2)
    assert [o["Key"] for o in page["Contents"]] == ["a/1", "a/2"]
    assert page["IsTruncated"] is True
    assert "NextMarker" not in page
    page = s3.list_objects(Bucket=bucket, Marker="a/2")
    assert [o["Key"] for o in page["Contents"]] == ["b", "c/1", "d"]
    page = s3.list_objects(Bucket=bucket, Delimiter="/", MaxKeys=2)
    assert [p["Prefix"] for p in page["CommonPrefixes"]] == ["a/"]
    assert page["NextMarker"] == "b"
    page = s3.list_objects(Bucket=bucket, Delimiter="/", Marker="a/")
    assert [p["Prefix"] for p in page.get("CommonPrefixes", [])] == ["c/"]
    assert [o["Key"] for o in page["Contents"]] == ["b", "d"]
    all_keys = []
    for p in s3.get_paginator("list_objects").paginate(Bucket=bucket, PaginationConfig={"PageSize": 1}):
        all_keys += [o["Key"] for o in p.get("Contents", [])]
    assert all_keys == ["a/1", "a/2", "b", "c/1", "d"]


def test_multipart_upload_lifecycle(s3, bucket):
    part1 = os.urandom(5 * MiB)
    part2 = os.urandom(1234)
    up = s3.create_multipart_upload(Bucket=bucket, Key="big", ContentType="video/mp4", Metadata={"m": "1"})
    uid = up["UploadId"]
    listed = s3.list_multipart_uploads(Bucket=bucket)
    assert [u["UploadId"] for u in listed["Uploads"]] == [uid]
    assert listed["Uploads"][0]["Key"] == "big"
    e1 = s3.upload_part(Bucket=bucket, Key="big", UploadId=uid, PartNumber=1, Body=part1)["ETag"]
    e2 = s3.upload_part(Bucket=bucket, Key="big", UploadId=uid, PartNumber=2, Body=part2)["ETag"]
    assert e1 == f'"{hashlib.md5(part1).hexdigest()}"'
    parts = s3.list_parts(Bucket=bucket, Key="big", UploadId=uid)
    assert [(p["PartNumber"], p["Size"], p["ETag"]) for p in parts["Parts"]] == [(1, 5 * MiB, e1), (2, 1234, e2)]
    page = s3.list_parts(Bucket=bucket, Key="big", UploadId=uid, MaxParts=1)
    assert page["IsTruncated"] is True and page["NextPartNumberMarker"] == 1
    assert [p["PartNumber"] for p in s3.list_parts(Bucket=bucket, Key="big", UploadId=uid,
                                                   PartNumberMarker=1)["Parts"]] == [2]

    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": 2, "ETag": e2}, {"PartNumber": 1, "ETag": e1}]})
    assert error_code(e) == "InvalidPartOrder"
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": '"ffff"'}]})
    assert error_code(e) == "InvalidPart"
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": 2, "ETag": e2}, {"PartNumber": 3, "ETag": e2}]})
    assert error_code(e) == "InvalidPart"
    # The upload is still there after each refusal.
    assert len(s3.list_parts(Bucket=bucket, Key="big", UploadId=uid)["Parts"]) == 2

    done = s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=uid, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
    digests = hashlib.md5(hashlib.md5(part1).digest() + hashlib.md5(part2).digest()).hexdigest()
    assert done["ETag"] == f'"{digests}-2"'
    got = s3.get_object(Bucket=bucket, Key="big")
    assert got["Body"].read() == part1 + part2
    assert got["ContentType"] == "video/mp4"
    assert got["Metadata"] == {"m": "1"}
    assert got["PartsCount"] == 2
    # One part at a time, as parallel downloaders read it.
    second = s3.get_object(Bucket=bucket, Key="big", PartNumber=2)
    assert second["Body"].read() == part2
    assert second["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert second["ContentRange"] == f"bytes {5 * MiB}-{5 * MiB + 1233}/{5 * MiB + 1234}"
    assert second["PartsCount"] == 2
    assert s3.head_object(Bucket=bucket, Key="big", PartNumber=1)["ContentLength"] == 5 * MiB
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="big", PartNumber=3)
    assert error_code(e) == "InvalidPartNumber"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 416
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket)
    with pytest.raises(ClientError) as e:
        s3.list_parts(Bucket=bucket, Key="big", UploadId=uid)
    assert error_code(e) == "NoSuchUpload"


def test_multipart_small_part_abort_and_bad_part_number(lab, s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="small")["UploadId"]
    e1 = s3.upload_part(Bucket=bucket, Key="small", UploadId=uid, PartNumber=1, Body=b"a" * 100)["ETag"]
    e2 = s3.upload_part(Bucket=bucket, Key="small", UploadId=uid, PartNumber=2, Body=b"b" * 100)["ETag"]
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="small", UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
    assert error_code(e) == "EntityTooSmall"
    raw = lab.client("s3", validate=False)
    with pytest.raises(ClientError) as e:
        raw.upload_part(Bucket=bucket, Key="small", UploadId=uid, PartNumber=10001, Body=b"x")
    assert error_code(e) == "InvalidArgument"
    with pytest.raises(ClientError) as e:
        s3.upload_part(Bucket=bucket, Key="other-key", UploadId=uid, PartNumber=1, Body=b"x")
    assert error_code(e) == "NoSuchUpload"
    s3.abort_multipart_upload(Bucket=bucket, Key="small", UploadId=uid)
    with pytest.raises(ClientError) as e:
        s3.abort_multipart_upload(Bucket=bucket, Key="small", UploadId=uid)
    assert error_code(e) == "NoSuchUpload"
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="small")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_list_multipart_uploads_paging_and_prefixes(s3, bucket):
    ids = {}
    for k in ["a/1", "a/2", "b", "c"]:
        ids[k] = s3.create_multipart_upload(Bucket=bucket, Key=k)["UploadId"]
    page = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=2)
    assert [u["Key"] for u in page["Uploads"]] == ["a/1", "a/2"]
    assert page["IsTruncated"] is True
    assert page["NextKeyMarker"] == "a/2" and page["NextUploadIdMarker"] == ids["a/2"]
    rest = s3.list_multipart_uploads(Bucket=bucket, KeyMarker=page["NextKeyMarker"],
                                     UploadIdMarker=page["NextUploadIdMarker"])
    assert [u["Key"] for u in rest["Uploads"]] == ["b", "c"]
    grouped = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in grouped["CommonPrefixes"]] == ["a/"]
    assert [u["Key"] for u in grouped["Uploads"]] == ["b", "c"]
    for k, uid in ids.items():
        s3.abort_multipart_upload(Bucket=bucket, Key=k, UploadId=uid)


def test_100_mib_multipart_through_the_cli_and_ranged_reads(lab, s3, bucket, tmp_path):
    src = tmp_path / "big.bin"
    block = os.urandom(MiB)
    with open(src, "wb") as f:
        for i in range(100):
            f.write(bytes([i]) + block[1:])
    lab.aws_text("s3", "cp", str(src), f"s3://{bucket}/big.bin")
    head = s3.head_object(Bucket=bucket, Key="big.bin")
    assert head["ContentLength"] == 100 * MiB
    assert head["ETag"].endswith('-13"')  # the CLI's 8 MiB parts
    dst = tmp_path / "back.bin"
    lab.aws_text("s3", "cp", f"s3://{bucket}/big.bin", str(dst))
    assert hashlib.sha256(dst.read_bytes()).hexdigest() == hashlib.sha256(src.read_bytes()).hexdigest()
    for start in [0, 50 * MiB - 3, 100 * MiB - 10]:
        got = s3.get_object(Bucket=bucket, Key="big.bin", Range=f"bytes={start}-{start + 9}")
        with open(src, "rb") as f:
            f.seek(start)
            assert got["Body"].read() == f.read(10)


def test_cli_s3_commands(lab, bucket, tmp_path):
    d = tmp_path / "tree"
    (d / "sub").mkdir(parents=True)
    (d / "one.txt").write_text("one")
    (d / "sub" / "two.txt").write_text("two")
    lab.aws_text("s3", "sync", str(d), f"s3://{bucket}/tree")
    code, out = lab.aws("s3api", "list-objects-v2", "--bucket", bucket, "--prefix", "tree/")
    assert sorted(o["Key"] for o in out["Contents"]) == ["tree/one.txt", "tree/sub/two.txt"]
    p = lab.aws_text("s3", "ls", f"s3://{bucket}/tree/")
    assert "PRE sub/" in p and "one.txt" in p
    code, out = lab.aws("s3api", "head-object", "--bucket", bucket, "--key", "tree/one.txt")
    assert out["ContentLength"] == 3
    lab.aws_text("s3", "rm", "--recursive", f"s3://{bucket}/tree")
    code, out = lab.aws("s3api", "list-objects-v2", "--bucket", bucket)
    assert "Contents" not in out
    lab.aws_text("s3", "rb", f"s3://{bucket}")
    code, err = lab.aws("s3api", "head-bucket", "--bucket", bucket, check=False)
    assert code != 0


def test_presigned_get(lab, s3, bucket):
    s3.put_object(Bucket=bucket, Key="shared.txt", Body=b"presigned body")
    # botocore's default presigner, SigV4 and the legacy SigV2 query form.
    for cfg in [Config(), Config(signature_version="s3v4"), Config(signature_version="s3")]:
        client = boto3.client("s3", endpoint_url=lab.endpoint, region_name="us-east-1",
                              aws_access_key_id="test", aws_secret_access_key="test", config=cfg)
        url = client.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "shared.txt"},
                                            ExpiresIn=300)
        with urllib.request.urlopen(url) as r:
            assert r.read() == b"presigned body"
        tampered = url.replace("shared.txt", "other.txt")
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(tampered)
        assert e.value.code == 403
    unsigned = f"{lab.endpoint}/{bucket}/shared.txt"
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(unsigned)
    assert e.value.code == 403


def test_delete_bucket_needs_it_empty_and_drops_uploads(s3, unique):
    name = f"to-delete-{unique}"
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="k", Body=b"x")
    with pytest.raises(ClientError) as e:
        s3.delete_bucket(Bucket=name)
    assert error_code(e) == "BucketNotEmpty"
    assert s3.get_object(Bucket=name, Key="k")["Body"].read() == b"x"
    s3.delete_object(Bucket=name, Key="k")
    s3.create_multipart_upload(Bucket=name, Key="pending")
    s3.delete_bucket(Bucket=name)
    s3.create_bucket(Bucket=name)
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=name)
    assert "Contents" not in s3.list_objects_v2(Bucket=name)


def test_acknowledged_put_survives_kill9():
    lab = Lab().start()
    try:
        s3 = lab.client("s3")
        s3.create_bucket(Bucket="durable-objects")
        body = os.urandom(3 * MiB)
        s3.put_object(Bucket="durable-objects", Key="k", Body=body, Metadata={"x": "y"})
        uid = s3.create_multipart_upload(Bucket="durable-objects", Key="mp")["UploadId"]
        etag = s3.upload_part(Bucket="durable-objects", Key="mp", UploadId=uid, PartNumber=1, Body=b"p" * 10)["ETag"]
        lab.kill9()
        lab.start()
        s3 = lab.client("s3")
        got = s3.get_object(Bucket="durable-objects", Key="k")
        assert got["Body"].read() == body
        assert got["Metadata"] == {"x": "y"}
        parts = s3.list_parts(Bucket="durable-objects", Key="mp", UploadId=uid)["Parts"]
        assert [(p["PartNumber"], p["ETag"]) for p in parts] == [(1, etag)]
        blobs = os.listdir(os.path.join(lab.data_dir, "objects", "blobs"))
        assert len(blobs) == 2
    finally:
        lab.cleanup()


def test_virtual_hosted_style(lab, s3, unique):
    """Requests addressed as AWS addresses them (`<bucket>.s3.<region>.amazonaws.com`),
    delivered to the lab as an HTTP proxy would deliver them: the bucket comes from the
    Host header."""
    name = f"vhost-{unique}"
    s3.create_bucket(Bucket=name)
    for region in ["us-east-1", "us-west-2"]:
        client = boto3.client(
            "s3", region_name=region, use_ssl=False, aws_access_key_id="test", aws_secret_access_key="test",
            config=Config(proxies={"http": lab.endpoint}, s3={"addressing_style": "virtual"},
                          retries={"max_attempts": 1}),
        )
        seen = []
        client.meta.events.register("before-send.s3.*", lambda request, **kw: seen.append(request.url))
        client.put_object(Bucket=name, Key=f"hello-{region}.txt", Body=b"virtual")
        assert client.get_object(Bucket=name, Key=f"hello-{region}.txt")["Body"].read() == b"virtual"
        assert seen and all(url.startswith(f"http://{name}.s3.") for url in seen), seen
    assert sorted(keys_of(s3, name)) == ["hello-us-east-1.txt", "hello-us-west-2.txt"]
