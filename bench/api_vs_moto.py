#!/usr/bin/env python3
"""Measures `vpclab serve` against `moto_server` on the same workload, side by side.

Both servers get the same pre-signed requests (SigV4 headers computed by botocore before
the clock starts), sent as raw HTTP/1.1 over keep-alive connections from several client
processes, so the figures measure the servers, not the client:

  CreateVpc x2000; DescribeVpcs with 1,000 VPCs present x500 (moto: x40 by default, each
  takes seconds); CreateVpcEndpoint (gateway, S3) x500.

It also reports each server's idle memory (RSS after start) and how long after start the
first request is answered. vpclab runs with durable writes (every acknowledged write is
committed to its SQLite log); moto keeps everything in memory.

Usage: bench/api_vs_moto.py [--vpclab target/release/vpclab] [--moto .venv/bin/moto_server]
       [--clients 8]
Needs boto3 and moto[server] in the Python that runs it.
"""

import argparse
import http.client
import multiprocessing
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

REGION = "us-east-1"
CREDS = Credentials("test", "test")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def signed(port, params):
    """A pre-signed EC2 POST: (body, headers)."""
    body = urllib.parse.urlencode({**params, "Version": "2016-11-15"})
    req = AWSRequest(method="POST", url=f"http://127.0.0.1:{port}/", data=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(CREDS, "ec2", REGION).add_auth(req)
    return body.encode(), dict(req.headers.items())


def raw(port, body, headers):
    """The request's bytes, serialized once before the clock starts."""
    head = f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    head += f"Content-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


def read_response(sock, buf):
    """Reads one HTTP/1.1 response with a Content-Length body; returns (status, body,
    leftover bytes, whether the server closes the connection). Minimal on purpose: the
    client must cost far less than the servers."""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("server closed the connection")
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    status = int(head[9:12])
    length, close = 0, False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection" and value.strip().lower() == b"close":
            close = True
    if len(rest) < length:
        # Collect into one buffer: concatenating bytes would copy the body many times.
        body = bytearray(rest)
        while len(body) < length:
            chunk = sock.recv(max(65536, length - len(body)))
            if not chunk:
                raise ConnectionError("server closed the connection")
            body += chunk
        rest = bytes(body)
    return status, rest[:length], rest[length:], close


def send_all(args):
    """One client process: sends its requests in order over one keep-alive connection;
    returns the latency of each (seconds) and how many failed."""
    port, requests = args
    payloads = [raw(port, body, headers) for body, headers in requests]

    def connect():
        s = socket.create_connection(("127.0.0.1", port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return s

    sock = connect()
    latencies, failed, buf = [], 0, b""
    for payload in payloads:
        t = time.perf_counter()
        sock.sendall(payload)
        status, data, buf, close = read_response(sock, buf)
        if close:
            # moto's server closes after every answer; reconnecting is its cost.
            sock.close()
            sock, buf = connect(), b""
        latencies.append(time.perf_counter() - t)
        if status != 200:
            failed += 1
            if failed == 1:
                print(f"  first failure ({status}): {data[:300]!r}", file=sys.stderr)
    sock.close()
    return latencies, failed


def run(port, requests, clients):
    """Sends `requests` from `clients` processes at once; returns (throughput/s, median
    latency ms, failures)."""
    print(f"  {len(requests)} requests from {clients} clients…", file=sys.stderr, flush=True)
    shards = [(port, requests[i::clients]) for i in range(clients)]
    with multiprocessing.Pool(clients) as pool:
        t = time.perf_counter()
        results = pool.map(send_all, shards)
        elapsed = time.perf_counter() - t
    latencies = [x for r in results for x in r[0]]
    failed = sum(r[1] for r in results)
    return len(requests) / elapsed, statistics.median(latencies) * 1e3, failed


class Server:
    def __init__(self, name, argv, port, env=None):
        self.name, self.port = name, port
        started = time.perf_counter()
        self.proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        body, headers = signed(port, {"Action": "DescribeVpcs"})
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"{name} exited at start")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                conn.request("POST", "/", body=body, headers=headers)
                status = conn.getresponse().status
                if status == 200:
                    break
                raise SystemExit(f"{name} answered {status} to its first request")
            except OSError:
                time.sleep(0.002)
        self.first_request_ms = (time.perf_counter() - started) * 1e3
        time.sleep(0.5)
        self.idle_rss = rss_mib(self.proc.pid)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def signed_in(port, region, params):
    global REGION
    saved, REGION = REGION, region
    try:
        return signed(port, params)
    finally:
        REGION = saved


def workload(server, clients, describes):
    print(f"{server.name}: started in {server.first_request_ms:.0f} ms, {server.idle_rss:.1f} MiB", file=sys.stderr, flush=True)
    port = server.port
    out = {"idle RSS (MiB)": server.idle_rss, "first request (ms)": server.first_request_ms}
    creates = [signed(port, {"Action": "CreateVpc", "CidrBlock": "10.0.0.0/16"}) for _ in range(2000)]
    out["CreateVpc x2000"] = run(port, creates, clients)
    # DescribeVpcs with exactly 1,000 VPCs present: us-west-2's default VPC and 999 more
    # (made untimed, in a region the creates above did not touch).
    setup = [signed_in(port, "us-west-2", {"Action": "CreateVpc", "CidrBlock": "10.1.0.0/16"}) for _ in range(999)]
    run(port, setup, clients)
    listing = [signed_in(port, "us-west-2", {"Action": "DescribeVpcs"}) for _ in range(describes)]
    out[f"DescribeVpcs (1,000 VPCs) x{describes}"] = run(port, listing, clients)
    vpc = first_vpc(port)
    endpoints = [
        signed(port, {"Action": "CreateVpcEndpoint", "VpcId": vpc, "ServiceName": "com.amazonaws.us-east-1.s3", "VpcEndpointType": "Gateway"})
        for _ in range(500)
    ]
    out["CreateVpcEndpoint x500"] = run(port, endpoints, clients)
    return out


def first_vpc(port):
    body, headers = signed(port, {"Action": "DescribeVpcs", "MaxResults": "5"})
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("POST", "/", body=body, headers=headers)
    text = conn.getresponse().read().decode()
    start = text.index("<vpcId>") + len("<vpcId>")
    return text[start:text.index("</vpcId>", start)]


def main():
    p = argparse.ArgumentParser()
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    p.add_argument("--vpclab", default=os.path.join(here, "target", "release", "vpclab"))
    p.add_argument("--moto", default=os.path.join(os.path.dirname(sys.executable), "moto_server"))
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--describes", type=int, default=500, help="DescribeVpcs requests for vpclab")
    p.add_argument("--moto-describes", type=int, default=40,
                   help="DescribeVpcs requests for moto (each takes seconds; throughput is per request either way)")
    a = p.parse_args()

    results = {}
    data = tempfile.mkdtemp(prefix="vpclab-bench-")
    try:
        port = free_port()
        vpclab = Server("vpclab", [a.vpclab, "serve", "--listen", f"127.0.0.1:{port}", "--data-dir", data,
                                   "--quota", "vpcs-per-region=100000"], port)
        try:
            results["vpclab"] = workload(vpclab, a.clients, a.describes)
        finally:
            vpclab.stop()
        port = free_port()
        moto = Server("moto", [a.moto, "-p", str(port)], port)
        try:
            results["moto"] = workload(moto, a.clients, a.moto_describes)
        finally:
            moto.stop()
    finally:
        shutil.rmtree(data, ignore_errors=True)

    v, m = results["vpclab"], results["moto"]
    print(f"{'':40} {'vpclab':>22} {'moto':>22} {'ratio':>8}")
    for key, mkey in zip(v, m):
        if isinstance(v[key], tuple):
            (vt, vl, vf), (mt, ml, mf) = v[key], m[mkey]
            print(f"{key:40} {vt:9.0f}/s {vl:7.2f} ms {mt:9.0f}/s {ml:7.2f} ms {vt / mt:7.1f}x"
                  + (f"  (failures: vpclab {vf}, moto {mf})" if vf or mf else ""))
        else:
            print(f"{key:40} {v[key]:20.1f}   {m[mkey]:20.1f}")


if __name__ == "__main__":
    main()
