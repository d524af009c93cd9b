"""End-to-end fixtures: a real `vpclab serve` on a free loopback port, and the real
clients (boto3 and the `aws` CLI) pointed at it with the documented default key."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import boto3
import pytest
from botocore.config import Config

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("VPCLAB_BIN", os.path.join(ROOT, "target", "debug", "vpclab"))
REGION = "us-east-1"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """One `vpclab serve` process with its own data directory."""

    def __init__(self, data_dir=None, default_account="000000000000", quotas=()):
        self.quotas = list(quotas)
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="vpclab-e2e-")
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.default_account = default_account
        self.proc = None

    def start(self):
        env = dict(os.environ, VPCLAB_DATA_DIR=self.data_dir)
        self.proc = subprocess.Popen(
            [BINARY, "serve", "--listen", f"127.0.0.1:{self.port}", "--default-account", self.default_account]
            + [arg for q in self.quotas for arg in ("--quota", q)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"vpclab serve exited: {self.proc.stderr.read().decode()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("vpclab serve did not start listening")

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def client(self, service, region=REGION, key="test", secret="test", validate=True):
        """A boto3 client; `validate=False` lets a test send what botocore would refuse
        to send, to check the server refuses it too."""
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id=key,
            aws_secret_access_key=secret,
            config=Config(retries={"max_attempts": 1}, parameter_validation=validate),
        )

    def add_key(self, account, key, secret):
        env = dict(os.environ, VPCLAB_DATA_DIR=self.data_dir)
        subprocess.run(
            [BINARY, "account", "add-key", "--account", account, "--access-key-id", key, "--secret-access-key", secret],
            env=env,
            check=True,
        )

    def aws_text(self, *args, region=REGION):
        """Runs the real `aws` CLI and returns its standard output as text (for commands
        like `aws s3 ls` that do not print JSON)."""
        p = self._run_aws(args, region)
        if p.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed: {p.stderr}")
        return p.stdout

    def _run_aws(self, args, region):
        env = dict(
            os.environ,
            AWS_ACCESS_KEY_ID="test",
            AWS_SECRET_ACCESS_KEY="test",
            AWS_DEFAULT_REGION=region,
            AWS_PAGER="",
            AWS_CONFIG_FILE="/dev/null",
            AWS_SHARED_CREDENTIALS_FILE="/dev/null",
        )
        aws = os.path.join(os.path.dirname(sys.executable), "aws")
        return subprocess.run(
            [aws, "--endpoint-url", self.endpoint, "--output", "json", *args],
            env=env,
            capture_output=True,
            text=True,
        )

    def aws(self, *args, region=REGION, check=True):
        """Runs the real `aws` CLI against the lab; returns (exit code, parsed JSON or
        stderr text)."""
        p = self._run_aws(args, region)
        if check and p.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed: {p.stderr}")
        if p.returncode == 0:
            return 0, (json.loads(p.stdout) if p.stdout.strip() else {})
        return p.returncode, p.stderr


@pytest.fixture(scope="session")
def lab():
    """One lab for the whole session: tests make their own resources (unique names) and
    never assume it is empty. Its quotas are raised, as a team would raise them, so that
    tests do not run out; the quota tests use `fresh_lab`, with AWS's defaults."""
    lab = Lab(quotas=ROOMY).start()
    yield lab
    lab.cleanup()


ROOMY = [
    "vpcs-per-region=10000",
    "elastic-ips-per-region=10000",
    "internet-gateways-per-region=10000",
    "nat-gateways-per-zone=10000",
]


@pytest.fixture
def roomy_lab():
    """A lab of its own with raised quotas."""
    lab = Lab(quotas=ROOMY).start()
    yield lab
    lab.cleanup()


@pytest.fixture
def fresh_lab():
    """A lab of its own, for tests that count or restart."""
    lab = Lab().start()
    yield lab
    lab.cleanup()


@pytest.fixture
def ec2(lab):
    return lab.client("ec2")


@pytest.fixture
def unique():
    return uuid.uuid4().hex[:10]


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]
