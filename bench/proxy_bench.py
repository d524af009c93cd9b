#!/usr/bin/env python3
"""Measures the data plane in one run: bulk throughput from one instance to another
instance's bound port through each proxy versus a direct loopback connection to the same
host server, and the connect latency each proxy adds over a direct connect: SOCKS5
(greeting, password, CONNECT: three round trips) and HTTP CONNECT (one round trip; the
proxy `HTTPS_PROXY` names, which the aws CLI, boto3 and curl use), each with the reach
decision and the upstream connect.

Beside the lab it measures the floor: `socks_floor` (crates/vpclab-dataplane/examples), the
least a SOCKS5 proxy on the same runtime can do (no decision, no token, no flow log),
driven by the same client against the same sink, so the figures separate what the lab
adds from what this machine's wake-ups and loopback cost. Build it first:
`cargo build --release -p vpclab-dataplane --example socks_floor` (skipped if absent).

Usage: bench/proxy_bench.py [--vpclab target/release/vpclab] [--mib 1024] [--connects 2000] [--runs 5]
Needs boto3 in the Python that runs it.
"""

import argparse
import base64
import os
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

import boto3
from botocore.config import Config

CHUNK = 1 << 20


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """A host TCP server that reads and discards everything and answers each connection
    with the byte count it saw. It runs in its own process: threads in the measuring
    process would compete with the client for the GIL and inflate every round trip."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(512)
        self.port = self.listener.getsockname()[1]
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--sink",
                                      str(self.listener.fileno())], pass_fds=[self.listener.fileno()])
        self.listener.close()

    def close(self):
        self.proc.kill()


def run_sink(fd):
    listener = socket.socket(fileno=fd)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=drain, args=(conn,), daemon=True).start()


def drain(conn):
    buf = bytearray(CHUNK)
    total = 0
    while True:
        n = conn.recv_into(buf)
        if n == 0:
            break
        total += n
    conn.sendall(struct.pack("!Q", total))
    conn.close()


def server_cpu(pid):
    """User plus system CPU seconds the process has used (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu():
    """CPU seconds the whole machine has spent busy (all CPUs; Linux /proc/stat)."""
    with open("/proc/stat") as f:
        ticks = [int(x) for x in f.readline().split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def socks_connect(proxy, token, host, port, stages=None):
    """Opens a SOCKS5 connection to host:port; `stages` collects the time of each step:
    TCP connect to the proxy, greeting, password, CONNECT (decision and upstream connect)."""
    marks = [time.perf_counter()]
    s = socket.create_connection(proxy)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    marks.append(time.perf_counter())
    s.sendall(b"\x05\x01\x02")
    assert s.recv(2) == b"\x05\x02"
    marks.append(time.perf_counter())
    user, pw = b"vpclab", token.encode()
    s.sendall(bytes([1, len(user)]) + user + bytes([len(pw)]) + pw)
    assert s.recv(2) == b"\x01\x00"
    marks.append(time.perf_counter())
    addr = socket.inet_aton(host)
    s.sendall(b"\x05\x01\x00\x01" + addr + struct.pack("!H", port))
    reply = s.recv(10)
    if reply[1] != 0:
        raise SystemExit(f"SOCKS CONNECT refused: code {reply[1]}")
    marks.append(time.perf_counter())
    if stages is not None:
        stages.append([b - a for a, b in zip(marks, marks[1:])])
    return s


def http_connect(proxy, token, host, port, stages=None):
    """Opens an HTTP CONNECT tunnel to host:port; `stages` collects the time of the TCP
    connect to the proxy and of the CONNECT request (decision and upstream connect)."""
    marks = [time.perf_counter()]
    s = socket.create_connection(proxy)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    marks.append(time.perf_counter())
    auth = base64.b64encode(f"vpclab:{token}".encode()).decode()
    s.sendall(f"CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n"
              f"Proxy-Authorization: Basic {auth}\r\n\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(4096)
        if not chunk:
            raise SystemExit("the HTTP proxy closed the connection")
        head += chunk
    if not head.startswith(b"HTTP/1.1 200"):
        raise SystemExit(f"CONNECT refused: {head.splitlines()[0]!r}")
    marks.append(time.perf_counter())
    if stages is not None:
        stages.append([b - a for a, b in zip(marks, marks[1:])])
    return s


def send_bulk(sock, total):
    data = memoryview(os.urandom(CHUNK))
    t = time.perf_counter()
    sent = 0
    while sent < total:
        sock.sendall(data)
        sent += CHUNK
    sock.shutdown(socket.SHUT_WR)
    got = struct.unpack("!Q", sock.recv(8))[0]
    elapsed = time.perf_counter() - t
    sock.close()
    assert got == total, (got, total)
    return total / elapsed / (1 << 20)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--sink":
        return run_sink(int(sys.argv[2]))
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    p = argparse.ArgumentParser()
    p.add_argument("--vpclab", default=os.path.join(here, "target", "release", "vpclab"))
    p.add_argument("--mib", type=int, default=1024)
    p.add_argument("--connects", type=int, default=2000)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--floor", default=os.path.join(here, "target", "release", "examples", "socks_floor"))
    args = p.parse_args()

    data_dir = tempfile.mkdtemp(prefix="vpclab-proxy-bench-")
    port = free_port()
    env = dict(os.environ, VPCLAB_DATA_DIR=data_dir, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
               AWS_DEFAULT_REGION="us-east-1", VPCLAB_ENDPOINT=f"http://127.0.0.1:{port}")
    server = subprocess.Popen([args.vpclab, "serve", "--listen", f"127.0.0.1:{port}"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sink = floor = None
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.02)
        sink = Sink()
        ec2 = boto3.client("ec2", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                           aws_access_key_id="test", aws_secret_access_key="test",
                           config=Config(retries={"max_attempts": 1}))
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
        sg = ec2.create_security_group(GroupName="bench", Description="bench", VpcId=vpc)["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 9000, "ToPort": 9000, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}])
        client = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=subnet,
                                   SecurityGroupIds=[sg])["Instances"][0]["InstanceId"]
        target = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=subnet,
                                   SecurityGroupIds=[sg], TagSpecifications=[{"ResourceType": "instance", "Tags": [
                                       {"Key": "vpclab:port:9000", "Value": f"127.0.0.1:{sink.port}"}]}])["Instances"][0]
        # The session's proxy and token, as `vpclab exec` hands them to a program.
        proc = subprocess.Popen([args.vpclab, "exec", client, "--", "sh", "-c",
                                 'echo "$ALL_PROXY"; echo "$HTTPS_PROXY"; exec sleep 100000'],
                                env=env, stdout=subprocess.PIPE, text=True, start_new_session=True)
        url = proc.stdout.readline().strip()
        http_host = proc.stdout.readline().strip().rstrip("/").rpartition("@")[2]
        http_proxy = (http_host.split(":")[0], int(http_host.split(":")[1]))
        creds, _, hostport = url.removeprefix("socks5h://").rpartition("@")
        token = creds.split(":", 1)[1]
        proxy = (hostport.split(":")[0], int(hostport.split(":")[1]))
        dst = target["PrivateIpAddress"]
        total = args.mib * (1 << 20)
        floor_proxy = None
        if os.path.exists(args.floor):
            floor = subprocess.Popen([args.floor], stdout=subprocess.PIPE, text=True)
            floor_proxy = ("127.0.0.1", int(floor.stdout.readline()))

        # Direct and proxied runs alternate, so that a burst of other load on the machine
        # touches both; the ratio is of the medians.
        directs, proxieds, https, floors, cpus, http_cpus = [], [], [], [], [], []
        direct_machine, proxied_machine = [], []
        for _ in range(args.runs):
            machine = machine_cpu()
            directs.append(send_bulk(socket.create_connection(("127.0.0.1", sink.port)), total))
            direct_machine.append(machine_cpu() - machine)
            cpu, machine = server_cpu(server.pid), machine_cpu()
            proxieds.append(send_bulk(socks_connect(proxy, token, dst, 9000), total))
            cpus.append(server_cpu(server.pid) - cpu)
            proxied_machine.append(machine_cpu() - machine)
            cpu = server_cpu(server.pid)
            https.append(send_bulk(http_connect(http_proxy, token, dst, 9000), total))
            http_cpus.append(server_cpu(server.pid) - cpu)
            if floor_proxy:
                floors.append(send_bulk(socks_connect(floor_proxy, token, "127.0.0.1", sink.port), total))

        def timed(connect, count):
            times = []
            for _ in range(count):
                t = time.perf_counter()
                s = connect()
                times.append(time.perf_counter() - t)
                s.close()
            return times

        # In blocks that alternate, like the bulk runs.
        d, px, hx, fx, stages, http_stages, floor_stages = [], [], [], [], [], [], []
        block = max(1, args.connects // 20)
        for _ in range(0, args.connects, block):
            d += timed(lambda: socket.create_connection(("127.0.0.1", sink.port)), block)
            px += timed(lambda: socks_connect(proxy, token, dst, 9000, stages), block)
            hx += timed(lambda: http_connect(http_proxy, token, dst, 9000, http_stages), block)
            if floor_proxy:
                fx += timed(lambda: socks_connect(floor_proxy, token, "127.0.0.1", sink.port, floor_stages), block)
        os.killpg(proc.pid, signal.SIGKILL)
        md, mp = statistics.median(directs), statistics.median(proxieds)
        runs = lambda xs: "/".join(f"{x:.0f}" for x in xs)
        print(f"bulk {args.mib} MiB to a bound port, median of {args.runs} runs: direct {md:.0f} MiB/s, through "
              f"the SOCKS5 proxy {mp:.0f} MiB/s = {100 * mp / md:.0f}% of direct "
              f"(runs: direct {runs(directs)}, proxied {runs(proxieds)})")
        cpu = statistics.median(cpus)
        print(f"  the server's CPU time relaying {args.mib} MiB: {cpu:.2f} s ({cpu / (args.mib / 1024):.2f} s per GiB)")
        gib = args.mib / 1024
        dm, pm = statistics.median(direct_machine) / gib, statistics.median(proxied_machine) / gib
        cores = os.cpu_count()
        print(f"  the whole machine's CPU time per GiB (sender, sink, kernel, proxy): direct {dm:.2f} s, through "
              f"the proxy {pm:.2f} s; with {cores} CPUs fully busy the proxied path could move at most "
              f"{cores / pm * 1024:.0f} MiB/s = {100 * cores / pm * 1024 / md:.0f}% of this run's direct")
        p50d, p50p = statistics.median(d) * 1e6, statistics.median(px) * 1e6
        p99p = sorted(px)[int(len(px) * 0.99)] * 1e6
        print(f"connect x{args.connects}: direct p50 {p50d:.0f} µs; through the proxy (greeting, password, "
              f"CONNECT, decision, upstream connect) p50 {p50p:.0f} µs, p99 {p99p:.0f} µs; added p50 {p50p - p50d:.0f} µs")
        steps = ", ".join(f"{name} {statistics.median(step) * 1e6:.0f} µs" for name, step in
                          zip(["TCP connect", "greeting", "password", "CONNECT"], zip(*stages)))
        print(f"  p50 of each step through the proxy: {steps}")
        mh = statistics.median(https)
        print(f"HTTP CONNECT: bulk {mh:.0f} MiB/s = {100 * mh / md:.0f}% of direct (runs: {runs(https)}); the "
              f"server's CPU time relaying {args.mib} MiB: {statistics.median(http_cpus):.2f} s")
        p50h = statistics.median(hx) * 1e6
        p99h = sorted(hx)[int(len(hx) * 0.99)] * 1e6
        steps = ", ".join(f"{name} {statistics.median(step) * 1e6:.0f} µs" for name, step in
                          zip(["TCP connect", "CONNECT"], zip(*http_stages)))
        print(f"  connect x{args.connects}: p50 {p50h:.0f} µs, p99 {p99h:.0f} µs; added p50 {p50h - p50d:.0f} µs "
              f"(steps: {steps})")
        if floor_proxy:
            mf, p50f = statistics.median(floors), statistics.median(fx) * 1e6
            steps = ", ".join(f"{name} {statistics.median(step) * 1e6:.0f} µs" for name, step in
                              zip(["TCP connect", "greeting", "password", "CONNECT"], zip(*floor_stages)))
            print(f"floor (socks_floor: the same protocol with no decision, token or flow log): bulk {mf:.0f} MiB/s "
                  f"= {100 * mf / md:.0f}% of direct (runs: {runs(floors)}); connect added p50 {p50f - p50d:.0f} µs; "
                  f"steps: {steps}")
            print(f"what the lab adds over the floor: connect p50 {p50p - p50f:.0f} µs; bulk {100 * mp / mf:.0f}% of the floor")
    finally:
        if sink:
            sink.close()
        if floor:
            floor.kill()
        server.kill()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
