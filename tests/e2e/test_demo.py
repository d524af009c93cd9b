"""`vpclab demo`: the walkthrough run by the built binary — with a lab of its own, kept in a
data directory that `vpclab serve` serves again, and against a running lab — checked step by
step: which steps pass traffic, which are refused, and the explanation of each refusal."""

import json
import os
import pty
import re
import subprocess
import tempfile

import pytest

from conftest import BINARY, Lab

# What the note says each step does: (outcome, the refusal's explanation code).
EXPECTED = {
    "1.1": ("done", None),
    "1.2": ("done", None),
    "2.1": ("refused", "NO_ROUTE_TO_DESTINATION"),
    "3.1": ("done", None),
    "3.2": ("allowed", None),
    "4.1": ("done", None),
    "4.2": ("allowed", None),
    "4.3": ("refused", "AccessDenied"),
    "5.1": ("done", None),
    "5.2": ("allowed", None),
    "5.3": ("refused", "AccessDenied"),
    "6.1": ("done", None),
    "6.2": ("done", None),
    "6.3": ("refused", "BAD_STATE"),
    "6.4": ("done", None),
    "6.5": ("allowed", None),
    "6.6": ("refused", "ELBV2_LISTENER_PORT_RESTRICTION"),
    "7.1": ("done", None),
}

STEP_LINE = re.compile(r"^  (\d+\.\d+) (allowed|refused|done|failed|skipped) +(.+)$")
WHY_LINE = re.compile(r"^ {8}why +(\S+) at (.+)$")


def run_demo(*args, env=None, timeout=120):
    full_env = dict(os.environ, **(env or {}))
    full_env.pop("NO_COLOR", None)
    return subprocess.run([BINARY, "demo", *args], env=full_env, capture_output=True, text=True, timeout=timeout)


def parse_plain(text):
    """The narration, step by step: {id: {outcome, title, tried, saw, why, component, message}}."""
    steps, current, field = {}, None, None
    for line in text.splitlines():
        m = STEP_LINE.match(line)
        if m:
            current = {"outcome": m[2], "title": m[3], "tried": "", "saw": [], "why": None,
                       "component": None, "message": "", "unexpected": None}
            steps[m[1]] = current
            field = None
            continue
        if current is None or not line.startswith(" " * 8):
            current = None if not line.strip() or not line.startswith(" ") else current
            continue
        body = line[8:]
        w = WHY_LINE.match(line)
        if w:
            current["why"], current["component"], field = w[1], w[2], "message"
        elif body.startswith("tried "):
            current["tried"], field = body[6:].strip(), "tried"
        elif body.startswith("saw "):
            current["saw"].append(body[4:].strip())
            field = "saw"
        elif body.startswith("UNEXPECTED:"):
            current["unexpected"] = body[len("UNEXPECTED:"):].strip()
        elif field == "saw":
            current["saw"].append(body.strip())
        elif field == "message":
            current["message"] += body.strip()
    return steps


@pytest.fixture(scope="module")
def plain():
    p = run_demo()
    return p, parse_plain(p.stdout)


def test_the_narration_says_which_steps_pass_and_which_are_refused_and_why(plain):
    p, steps = plain
    assert "\x1b[" not in p.stdout, "no colour when piped"
    for step, (outcome, code) in EXPECTED.items():
        assert step in steps, (step, p.stdout)
        assert steps[step]["outcome"] == outcome, (step, steps[step])
        assert steps[step]["why"] == code, (step, steps[step])
        assert steps[step]["unexpected"] is None, (step, steps[step])
    # 2: the private route table has no route to S3's address.
    s = steps["2.1"]
    assert s["component"].startswith("rtb-") and s["component"].endswith("(route table)"), s
    assert "has no route to" in s["message"], s
    assert "through the lab's proxy" in s["tried"] and "list-type=2" in s["tried"], s
    # 3: DescribeRouteTables shows the endpoint's route; the listing shows the object.
    route = [line for line in steps["3.1"]["saw"] if line.startswith("DescribeRouteTables")]
    assert route and re.search(r": pl-[0-9a-f]+ → vpce-[0-9a-f]+ ", route[0]), steps["3.1"]
    assert "reports/2024-q1.csv" in steps["3.2"]["saw"][0]
    assert "reports/2024-q1.csv" in steps["4.2"]["saw"][0]
    # 4 and 5: the bucket policy refuses the host and the NAT (no aws:SourceVpce).
    for step in ("4.3", "5.3"):
        assert steps[step]["component"].startswith("s3://vpclab-demo-"), steps[step]
        assert "bucket policy" in steps[step]["message"], steps[step]
        assert "s3:ListBucket" in steps[step]["message"], steps[step]
    assert "not through the lab's network" in steps["4.3"]["tried"]
    # 5: the echo saw the NAT gateway's Elastic IP, as DescribeAddresses names it.
    eip = re.search(r"eipalloc-[0-9a-f]+ = (\S+) \(DescribeAddresses\)", "\n".join(steps["5.1"]["saw"]))[1]
    assert steps["5.2"]["saw"] == [f"the echo saw {eip} = the NAT gateway's Elastic IP ({eip}, DescribeAddresses)"]
    # 6: pending, refused for its state; accepted, the provider answers; no listener on 8443.
    assert re.match(r"vpce-[0-9a-f]+ state pendingAcceptance$", steps["6.2"]["saw"][0]), steps["6.2"]
    assert steps["6.3"]["component"].endswith("(VPC endpoint)") and "pendingAcceptance" in steps["6.3"]["message"]
    assert re.match(r"vpce-[0-9a-f]+ state available$", steps["6.4"]["saw"][0]), steps["6.4"]
    assert steps["6.5"]["saw"] == ["HTTP/1.1 200 OK: hello from the provider"]
    assert steps["6.6"]["component"].endswith("(load balancer)"), steps["6.6"]
    assert "listens on TCP 80 only" in steps["6.6"]["message"], steps["6.6"]
    assert "as account 111111111111" in steps["6.1"]["tried"]


def test_the_demo_ends_with_the_cost_comparison_and_exits_0(plain):
    """The last step prices 1,000 GB a month of S3 traffic on each path (`POST /_vpclab/cost`,
    us-east-1 list prices): through the NAT, $45.00 of processing (1,000 × $0.045) plus the
    NAT's hours (730 × $0.045 = $32.85) and its Elastic IP (730 × $0.005 = $3.65), all of
    which a gateway endpoint would save: $81.50; through the gateway endpoint, $0."""
    p, steps = plain
    assert steps["7.1"]["outcome"] == "done", (steps["7.1"], p.stderr)
    saw = "\n".join(steps["7.1"]["saw"])
    assert "A gateway endpoint instead of the NAT gateway saves $81.50 a month." in saw, saw
    assert "The lab already takes the cheapest way (gateway endpoint)." in saw, saw
    assert re.search(r"now NAT gateway +\$81\.50", saw), saw
    assert re.search(r"now gateway endpoint +\$0\.00", saw), saw
    assert p.returncode == 0, p.stderr
    assert "every step turned out as the note says (18 steps)" in p.stdout


def test_a_surprise_names_its_step_and_fails_the_demo(lab):
    """The provider's key is the consumer's own: PrivateLink between two accounts cannot be
    built, the steps that build on it are skipped, and the exit status says so."""
    p = run_demo("--endpoint", lab.endpoint, "--provider-access-key-id", "test",
                 "--provider-secret-access-key", "test")
    steps = parse_plain(p.stdout)
    assert p.returncode == 1, p.stdout + p.stderr
    assert "step 6.1" in p.stderr and "consumer's account" in p.stderr, p.stderr
    assert steps["6.1"]["outcome"] == "failed"
    for step in ("6.2", "6.3", "6.4", "6.5", "6.6", "7.1"):
        assert steps[step]["outcome"] == "skipped", (step, steps[step])
    for step in ("2.1", "3.2", "4.3", "5.2", "5.3"):
        assert steps[step]["outcome"] == EXPECTED[step][0], (step, steps[step])


def test_json_has_every_step_with_its_outcome_and_explanation():
    p = run_demo("--json")
    doc = json.loads(p.stdout)
    assert doc["consumer_account"] == "000000000000"
    by_id = {s["id"]: s for s in doc["steps"]}
    assert list(by_id) == list(EXPECTED)
    for step, (outcome, code) in EXPECTED.items():
        s = by_id[step]
        assert (s["outcome"], s["expected"], s["as_expected"]) == (outcome, outcome, True), s
        if code:
            assert s["explanation"]["code"] == code, s
            assert s["explanation"]["component"] and s["explanation"]["message"], s
        else:
            assert s["explanation"] is None, s
        assert s["action"], s
    assert by_id["2.1"]["explanation"]["component"].endswith("(route table)")
    assert by_id["6.3"]["explanation"]["component"].endswith("(VPC endpoint)")
    # The document's verdict agrees with the exit status.
    assert doc["as_expected"] == (p.returncode == 0)


def test_the_kept_lab_is_served_again():
    data_dir = tempfile.mkdtemp(prefix="vpclab-demo-kept-")
    p = run_demo("--json", "--data-dir", data_dir)
    doc = json.loads(p.stdout)
    by_id = {s["id"]: s for s in doc["steps"]}
    assert by_id["6.5"]["outcome"] == "allowed", by_id["6.5"]
    echoed = re.match(r"the echo saw (\S+) =", by_id["5.2"]["details"][0])[1]
    lab = Lab(data_dir=data_dir).start()
    try:
        ec2 = lab.client("ec2")
        endpoints = {e["VpcEndpointType"]: e for e in ec2.describe_vpc_endpoints()["VpcEndpoints"]}
        assert endpoints["Gateway"]["ServiceName"] == "com.amazonaws.us-east-1.s3"
        assert endpoints["Gateway"]["State"] == "available"
        assert endpoints["Interface"]["State"] == "available"
        assert [a["PublicIp"] for a in ec2.describe_addresses()["Addresses"]] == [echoed]
        # The provider's key is kept too: its endpoint service names the consumer's endpoint.
        provider = lab.client("ec2", key="demo-provider", secret="demo-provider-secret")
        service = provider.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"][0]
        assert service["ServiceName"] == endpoints["Interface"]["ServiceName"]
        connections = provider.describe_vpc_endpoint_connections()["VpcEndpointConnections"]
        assert [(c["VpcEndpointId"], c["VpcEndpointState"]) for c in connections] == [
            (endpoints["Interface"]["VpcEndpointId"], "available")]
        buckets = [b["Name"] for b in lab.client("s3").list_buckets()["Buckets"]]
        assert len(buckets) == 1 and buckets[0].startswith("vpclab-demo-")
    finally:
        lab.cleanup()


def test_against_a_running_lab_with_its_keys(lab, unique):
    key, secret = f"demo-prov-{unique}", f"demo-prov-secret-{unique}"
    lab.add_key("111111111111", key, secret)
    p = run_demo("--json", "--endpoint", lab.endpoint, env={
        "VPCLAB_DEMO_PROVIDER_ACCESS_KEY_ID": key, "VPCLAB_DEMO_PROVIDER_SECRET_ACCESS_KEY": secret})
    doc = json.loads(p.stdout)
    assert doc["endpoint"] == lab.endpoint and doc["data_dir"] is None
    by_id = {s["id"]: s for s in doc["steps"]}
    for step, (outcome, code) in EXPECTED.items():
        assert by_id[step]["outcome"] == outcome, by_id[step]
        assert (by_id[step]["explanation"] or {}).get("code") == code, by_id[step]
    # The world is in that lab, built as the two accounts.
    bucket = re.search(r"s3://(vpclab-demo-[0-9a-f]+)/", by_id["1.2"]["details"][0])[1]
    assert bucket in [b["Name"] for b in lab.client("s3").list_buckets()["Buckets"]]
    provider = lab.client("ec2", key=key, secret=secret)
    services = provider.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"]
    assert any(s["ServiceName"] in by_id["6.1"]["details"][-1] for s in services)


def test_colour_on_a_terminal_unless_no_color():
    def on_a_terminal(env):
        leader, follower = pty.openpty()
        full_env = dict(os.environ, **env)
        proc = subprocess.Popen([BINARY, "demo"], stdout=follower, stderr=subprocess.DEVNULL, env=full_env)
        os.close(follower)
        out = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        proc.wait(timeout=120)
        os.close(leader)
        return out.decode()

    coloured = on_a_terminal({"NO_COLOR": ""})
    assert "\x1b[33m✗\x1b[0m 2.1 \x1b[33mrefused" in coloured, coloured[:2000]
    assert "\x1b[32m✓\x1b[0m 3.2 \x1b[32mallowed" in coloured
    plain = on_a_terminal({"NO_COLOR": "1"})
    assert "\x1b[" not in plain and "  2.1 refused  " in plain


def test_an_unreachable_lab_is_a_clear_error():
    p = run_demo("--endpoint", "http://127.0.0.1:9")
    assert p.returncode != 0
    assert "cannot reach vpclab at 127.0.0.1:9" in p.stderr, p.stderr
    assert "panicked" not in p.stderr
