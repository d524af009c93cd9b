#!/usr/bin/env python3
"""Measures the lab's S3 against moto's S3 (`moto_server`) on the same workload, side by
side in one run:

  PutObject of 1 MiB objects; GetObject of those objects (throughput and median latency,
  raw HTTP/1.1 keep-alive requests signed before the clock starts, from several client
  processes, bodies sent from one shared buffer); then one 1 GiB PutObject streamed in
  1 MiB chunks, with the server's peak RSS (VmHWM) before and after. When `wrk` is
  installed, PUT and GET are also measured with it (a C client: on a small machine the
  Python clients take much of the CPU).

vpclab writes every object durably (file and directory synced, metadata committed) before
it answers; moto keeps objects in memory (or spools them to temporary files).

Usage: bench/s3_vs_moto.py [--vpclab target/release/vpclab] [--moto .venv/bin/moto_server]
       [--clients 4] [--objects 1000] [--moto-objects 300] [--big-mib 1024]
Needs boto3 and moto[server] in the Python that runs it.
"""

import argparse
import multiprocessing
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from api_vs_moto import Server, free_port, read_response, rss_mib  # noqa: E402

REGION = "us-east-1"
CREDS = Credentials("test", "test")
MiB = 1024 * 1024
BUCKET = "bench-bucket"


def s3_head(port, method, path, length=0):
    """The head of a signed S3 request (the payload unsigned, as SDKs send over TLS)."""
    url = f"http://127.0.0.1:{port}{path}"
    headers = {"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"}
    if method == "PUT":
        headers["Content-Length"] = str(length)
    req = AWSRequest(method=method, url=url, headers=headers)
    SigV4Auth(CREDS, "s3", REGION).add_auth(req)
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in req.headers.items())
    if method != "PUT":
        head += "Content-Length: 0\r\n"
    return (head + "\r\n").encode()


def hwm_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def send_all(args):
    """One client process: its requests in order over one keep-alive connection."""
    port, heads, body_size, expect = args
    body = os.urandom(body_size) if body_size else b""

    def connect():
        s = socket.create_connection(("127.0.0.1", port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return s

    sock, buf = connect(), b""
    latencies, failed = [], 0
    for head in heads:
        t = time.perf_counter()
        sock.sendall(head)
        if body:
            sock.sendall(body)
        status, data, buf, close = read_response(sock, buf)
        if close:
            sock.close()
            sock, buf = connect(), b""
        latencies.append(time.perf_counter() - t)
        if status != 200 or (expect and len(data) != expect):
            failed += 1
            if failed == 1:
                print(f"  first failure ({status}): {data[:300]!r}", file=sys.stderr)
    sock.close()
    return latencies, failed


def run(port, heads, clients, body_size=0, expect=0):
    shards = [(port, heads[i::clients], body_size, expect) for i in range(clients)]
    with multiprocessing.Pool(clients) as pool:
        t = time.perf_counter()
        results = pool.map(send_all, shards)
        elapsed = time.perf_counter() - t
    latencies = [x for r in results for x in r[0]]
    failed = sum(r[1] for r in results)
    return len(heads) / elapsed, statistics.median(latencies) * 1e3, failed


def request(port, method, path, body=b""):
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(s3_head(port, method, path, len(body)))
    if body:
        sock.sendall(body)
    status, data, _, _ = read_response(sock, b"")
    sock.close()
    return status, data


def put_big(port, size):
    """One PutObject of `size` bytes, streamed in 1 MiB chunks; returns seconds."""
    chunk = memoryview(os.urandom(MiB))
    sock = socket.create_connection(("127.0.0.1", port))
    t = time.perf_counter()
    sock.sendall(s3_head(port, "PUT", f"/{BUCKET}/big-object", size))
    sent = 0
    while sent < size:
        n = min(MiB, size - sent)
        sock.sendall(chunk[:n])
        sent += n
    status, data, _, _ = read_response(sock, b"")
    elapsed = time.perf_counter() - t
    sock.close()
    if status != 200:
        raise SystemExit(f"1 GiB PUT answered {status}: {data[:300]!r}")
    return elapsed


def wrk(port, method, path, body_file, seconds, connections):
    """`wrk` (C, one thread) sending the same signed request over `connections`
    connections for `seconds`: the client costs little, so the server is what is measured.
    Returns (requests/s, median latency ms, non-2xx answers)."""
    head = s3_head(port, method, path, os.path.getsize(body_file) if body_file else 0).decode()
    headers = {}
    for line in head.split("\r\n")[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            if k.lower() not in ("host", "content-length"):
                headers[k] = v.strip()
    lua = "wrk.method = %r\nwrk.path = %r\n" % (method, path)
    lua = lua.replace("'", '"')
    for k, v in headers.items():
        lua += f'wrk.headers["{k}"] = "{v}"\n'
    if body_file:
        lua += f'local f = io.open("{body_file}", "rb")\nwrk.body = f:read("*a")\nf:close()\n'
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(lua)
        script = f.name
    try:
        out = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script, f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, check=True,
        ).stdout
    finally:
        os.unlink(script)
    rate = float(out.split("Requests/sec:")[1].split()[0])
    median = out.split("50%")[1].split()[0]
    ms = float(median[:-2]) if median.endswith("ms") else (float(median[:-2]) / 1000 if median.endswith("us") else float(median[:-1]) * 1000)
    bad = int(out.split("Non-2xx or 3xx responses:")[1].split()[0]) if "Non-2xx" in out else 0
    return rate, ms, bad


def workload(server, clients, objects, big_mib, seconds):
    port = server.port
    print(f"{server.name}: started in {server.first_request_ms:.0f} ms, {server.idle_rss:.1f} MiB", file=sys.stderr, flush=True)
    status, data = request(port, "PUT", f"/{BUCKET}")
    if status != 200:
        raise SystemExit(f"{server.name}: CreateBucket answered {status}: {data[:300]!r}")
    out = {}
    puts = [s3_head(port, "PUT", f"/{BUCKET}/obj-{i}", MiB) for i in range(objects)]
    print(f"  PutObject 1 MiB x{objects}…", file=sys.stderr, flush=True)
    out[f"PutObject 1 MiB x{objects}"] = run(port, puts, clients, body_size=MiB)
    gets = [s3_head(port, "GET", f"/{BUCKET}/obj-{i}") for i in range(objects)]
    print(f"  GetObject 1 MiB x{objects}…", file=sys.stderr, flush=True)
    out[f"GetObject 1 MiB x{objects}"] = run(port, gets, clients, expect=MiB)
    if shutil.which("wrk"):
        body = tempfile.NamedTemporaryFile(delete=False)
        body.write(os.urandom(MiB))
        body.close()
        try:
            print(f"  wrk: PutObject 1 MiB (one key, overwritten) for {seconds} s…", file=sys.stderr, flush=True)
            out["PutObject 1 MiB, wrk"] = wrk(port, "PUT", f"/{BUCKET}/wrk-object", body.name, seconds, clients)
            print(f"  wrk: GetObject 1 MiB for {seconds} s…", file=sys.stderr, flush=True)
            out["GetObject 1 MiB, wrk"] = wrk(port, "GET", f"/{BUCKET}/wrk-object", None, seconds, clients)
        finally:
            os.unlink(body.name)
    before = hwm_mib(server.proc.pid)
    print(f"  PutObject {big_mib} MiB (streamed)…", file=sys.stderr, flush=True)
    seconds = put_big(port, big_mib * MiB)
    out["big"] = (seconds, before, hwm_mib(server.proc.pid), rss_mib(server.proc.pid))
    return out


def main():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    p = argparse.ArgumentParser()
    p.add_argument("--vpclab", default=os.path.join(here, "target", "release", "vpclab"))
    p.add_argument("--moto", default=os.path.join(os.path.dirname(sys.executable), "moto_server"))
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--objects", type=int, default=1000)
    p.add_argument("--moto-objects", type=int, default=300)
    p.add_argument("--big-mib", type=int, default=1024)
    p.add_argument("--seconds", type=int, default=10, help="duration of each wrk run")
    args = p.parse_args()

    results = {}
    data_dir = tempfile.mkdtemp(prefix="vpclab-s3-bench-")
    try:
        port = free_port()
        env = dict(os.environ, VPCLAB_DATA_DIR=data_dir)
        server = Server("vpclab", [args.vpclab, "serve", "--listen", f"127.0.0.1:{port}"], port, env)
        try:
            results["vpclab"] = workload(server, args.clients, args.objects, args.big_mib, args.seconds)
        finally:
            server.stop()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    port = free_port()
    server = Server("moto", [args.moto, "-H", "127.0.0.1", "-p", str(port)], port)
    try:
        results["moto"] = workload(server, args.clients, args.moto_objects, args.big_mib, args.seconds)
    finally:
        server.stop()

    v, m = results["vpclab"], results["moto"]
    print(f"\nS3, {args.clients} client processes (vpclab durable on disk; moto in memory)")
    print(f"{'operation':<28} {'vpclab/s':>10} {'median ms':>10} {'moto/s':>10} {'median ms':>10} {'ratio':>8}")
    for (vname, vres), (mname, mres) in zip(
        [(k, x) for k, x in v.items() if k != "big"], [(k, x) for k, x in m.items() if k != "big"]
    ):
        op = vname.rsplit(" x", 1)[0] if " x" in vname else vname
        print(f"{op:<28} {vres[0]:>10.0f} {vres[1]:>10.2f} {mres[0]:>10.0f} {mres[1]:>10.2f} {vres[0] / mres[0]:>7.1f}x"
              + (f"  (failures: vpclab {vres[2]}, moto {mres[2]})" if vres[2] or mres[2] else ""))
    for name, res in results.items():
        seconds, before, after, rss = res["big"]
        print(f"{name}: PutObject {args.big_mib} MiB streamed in {seconds:.1f} s; peak RSS {before:.0f} MiB before, "
              f"{after:.0f} MiB after (RSS now {rss:.0f} MiB)")


if __name__ == "__main__":
    main()
