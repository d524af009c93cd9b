"""An acknowledged write survives `kill -9`, and nothing is half-applied."""

import threading
import time

import botocore.exceptions

from conftest import ROOMY, Lab


def test_acknowledged_writes_survive_kill_9():
    lab = Lab(quotas=ROOMY).start()
    acked = {}
    failures = []
    stop = threading.Event()

    # Clients first: making a botocore client takes a while and does not overlap well.
    clients = [lab.client("ec2") for _ in range(6)]

    def worker(n):
        ec2 = clients[n]
        i = 0
        while not stop.is_set() and i < 10_000:
            try:
                vpc = ec2.create_vpc(
                    CidrBlock=f"10.{n * 40 + i // 256}.{i % 256}.0/24",
                    TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "n", "Value": f"{n}-{i}"}]}],
                )["Vpc"]["VpcId"]
                acked[vpc] = f"{n}-{i}"
                ec2.create_tags(Resources=[vpc], Tags=[{"Key": "second", "Value": "yes"}])
                acked[vpc] += "+second"
            except (botocore.exceptions.EndpointConnectionError, botocore.exceptions.ConnectionClosedError):
                return
            except Exception as e:  # noqa: BLE001 - any other failure is the test's failure
                failures.append(repr(e))
                return
            i += 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    time.sleep(2.0)
    assert any(t.is_alive() for t in threads), "the kill must land while writes are in flight"
    lab.kill9()
    stop.set()
    for t in threads:
        t.join()
    assert not failures, failures
    assert len(acked) > 20, "the load ran before the kill"

    lab.start()
    try:
        ec2 = lab.client("ec2")
        vpcs = {v["VpcId"]: v for p in ec2.get_paginator("describe_vpcs").paginate() for v in p["Vpcs"]}
        for vpc, label in acked.items():
            assert vpc in vpcs, f"acknowledged {vpc} is gone"
            tags = {t["Key"]: t["Value"] for t in vpcs[vpc].get("Tags", [])}
            # The create carried its tag in the same operation: never one without the other.
            assert tags["n"] == label.split("+")[0]
            if label.endswith("+second"):
                assert tags.get("second") == "yes", f"acknowledged tag on {vpc} is gone"
        for vpc in vpcs.values():
            if not vpc["IsDefault"]:
                assert "n" in {t["Key"] for t in vpc.get("Tags", [])}, f"{vpc['VpcId']} is half-made"
        # And the lab still takes writes after the restart.
        ec2.create_vpc(CidrBlock="10.250.0.0/16")
    finally:
        lab.cleanup()
