#!/usr/bin/env python3
"""The status page at scale: GET /api/v1/healthchecks and GET / with N HealthChecks in the operator's cache.

Starts the local control plane (hack/local-cluster.sh, kwok), creates N HealthChecks spread over namespaces, and
runs the packaged operator as a standby: a Lease held by someone else keeps it from reconciling (nothing here is
about reconciling, and N sidecar Deployments would swamp a small machine), while its informer caches every
HealthCheck as on the leader. Then measures, one request at a time on one keep-alive connection: the first page
(limit 100), the largest page (limit 500), a page in the middle (continue), one namespace, a health filter that
matches nothing, and the page itself; p50 / p99 of each, and the operator's heap (after a full GC) and RSS.
Anonymous access (HEALTHCHECK_STATUS_PAGE_ANONYMOUS=all): this measures listing, not the API server's reviews,
which are cached per person for 10 s.

  bench/bench_status_page.py                 # N=10000
  bench/bench_status_page.py --smoke         # N=50, a few requests: proves it runs (nothing judged)

Everything binds to 127.0.0.1, every process started is stopped (the control plane too), every wait is bounded.
"""
import argparse
import datetime
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from benchlib import emit_report, free_port, percentile, print_log_tail, rss_mib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OPERATOR_JAR = os.path.join(ROOT, "operator", "target", "quarkus-app", "quarkus-run.jar")
OPERATOR_JVM_OPTIONS = os.path.join(ROOT, "operator", "jvm.options")
MEMORY_LIMIT_MIB = 768  # deploy/deployment.yaml
LEASE = "healthcheck-operator-leader"


def log(message):
    print(f"[bench-status-page] {message}", file=sys.stderr, flush=True)


class Bench:
    def __init__(self, args):
        self.args = args
        self.workdir = tempfile.mkdtemp(prefix="bench-status-page-")
        self.env = dict(os.environ, HC_CLUSTER_DIR=os.path.join(self.workdir, "cluster"), HC_NODE="kwok")
        self.operator = None
        self.cluster_started = False
        self.stopping = threading.Event()

    def kubectl(self, *arguments, stdin=None, timeout=300):
        return subprocess.run([self.kubectl_path, *arguments], input=stdin, capture_output=True, text=True,
                              env=self.env, timeout=timeout, check=True).stdout

    def setup(self):
        if not os.path.exists(OPERATOR_JAR):
            subprocess.run(["mvn", "-B", "-q", "-ntp", "-pl", "operator", "-am", "package", "-DskipTests"],
                           cwd=ROOT, check=True)
        bin_dir = subprocess.run([os.path.join(ROOT, "hack", "build-control-plane.sh")], capture_output=True,
                                 text=True, check=True).stdout.strip().splitlines()[-1]
        self.kubectl_path = os.path.join(bin_dir, "kubectl")
        log("starting the local control plane")
        self.cluster_started = True
        subprocess.run([os.path.join(ROOT, "hack", "local-cluster.sh"), "up"], env=self.env, check=True,
                       timeout=300, stdout=subprocess.DEVNULL)
        self.env["KUBECONFIG"] = os.path.join(self.env["HC_CLUSTER_DIR"], "kubeconfig")
        self.kubectl("apply", "-f", os.path.join(ROOT, "crds"))
        # Someone else holds the Lease: the operator stays a standby and reconciles nothing.
        self.hold_lease()

    def namespaces(self):
        return [f"team-{i:03d}" for i in range(self.args.namespaces)]

    def create(self):
        names = self.namespaces()
        self.kubectl("create", "-f", "-", stdin="\n---\n".join(json.dumps(
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}) for ns in names))
        start = time.monotonic()
        docs = []
        for i in range(self.args.count):
            docs.append(json.dumps({
                "apiVersion": "healthcheck-operator.dev/v1alpha1", "kind": "HealthCheck",
                "metadata": {"name": f"hc-{i:05d}", "namespace": names[i % len(names)]},
                "spec": {"checks": [
                    {"name": "api", "critical": True, "httpGet": {"url": f"http://svc-{i}.example:8080/ready"}},
                    {"name": "db", "tcpSocket": {"host": f"db-{i}.example", "port": 5432}}]},
            }))
            if len(docs) == self.args.batch or i == self.args.count - 1:
                self.kubectl("create", "-f", "-", stdin="\n---\n".join(docs))
                docs = []
        return time.monotonic() - start

    def start_operator(self):
        self.port = free_port()
        out = open(os.path.join(self.workdir, "operator.log"), "w")
        self.operator = subprocess.Popen(
            ["java", f"-XX:MaxRAM={MEMORY_LIMIT_MIB}m", f"@{OPERATOR_JVM_OPTIONS}", "-jar", OPERATOR_JAR],
            stdout=out, stderr=subprocess.STDOUT, env=dict(self.env, **{
                "QUARKUS_HTTP_PORT": str(self.port),
                "QUARKUS_HTTP_HOST": "127.0.0.1",
                "HEALTHCHECK_LEADER_ELECTION_LEASE_NAMESPACE": "default",
                "HEALTHCHECK_STATUS_PAGE_ANONYMOUS": "all",
                "HEALTHCHECK_POLL_MODE": "direct",
            }))
        deadline = time.monotonic() + self.args.ready_timeout
        while time.monotonic() < deadline:
            if self.operator.poll() is not None:
                raise RuntimeError("the operator exited; see its log")
            try:
                status, body = self.get("/api/v1/healthchecks?limit=1")
                if status == 200 and json.loads(body)["total"] == self.args.count:
                    return
            except OSError:
                self.connection = None
            time.sleep(0.5)
        raise RuntimeError(f"the status page did not list {self.args.count} HealthChecks in time")

    connection = None

    def continue_at(self, position):
        """The continue token whose page starts at about this position (walking pages of up to 500)."""
        token, seen, step = None, 0, max(1, min(500, position))
        while True:
            query = f"limit={step}" + (f"&continue={token}" if token else "")
            answer = json.loads(self.get(f"/api/v1/healthchecks?{query}")[1])
            seen += len(answer["items"])
            if seen >= position or not answer["continue"]:
                return answer["continue"] or token
            token = answer["continue"]

    def hold_lease(self):
        """Renews the Lease as "bench-holder" every few seconds: the client's leader election judges a Lease by
        its renewTime and its own lease duration (15 s), not by the duration the Lease records."""
        def renew():
            while not self.stopping.wait(3):
                self.apply_lease()
        self.apply_lease()
        threading.Thread(target=renew, daemon=True).start()

    def apply_lease(self):
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        self.kubectl("apply", "--server-side", "--force-conflicts", "--field-manager=bench", "-f", "-",
                     stdin=json.dumps({
                         "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                         "metadata": {"name": LEASE, "namespace": "default"},
                         "spec": {"holderIdentity": "bench-holder", "leaseDurationSeconds": 3600,
                                  "acquireTime": now, "renewTime": now}}))

    def get(self, path):
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        self.connection.request("GET", path)
        response = self.connection.getresponse()
        return response.status, response.read()

    def measure(self, path, requests):
        timings = []
        size = 0
        for _ in range(requests):
            before = time.perf_counter()
            status, body = self.get(path)
            timings.append(time.perf_counter() - before)
            if status != 200:
                raise RuntimeError(f"GET {path}: HTTP {status} {body[:200]!r}")
            size = len(body)
        return percentile(timings, 0.5), percentile(timings, 0.99), size

    def heap_mib(self):
        subprocess.run(["jcmd", str(self.operator.pid), "GC.run"], capture_output=True, timeout=60)
        _, body = self.get("/q/metrics")
        used = sum(float(m.group(1)) for m in re.finditer(
            r'^jvm_memory_used_bytes\{[^}]*area="heap"[^}]*\} (\S+)$', body.decode(), re.M))
        return used / 1024 / 1024

    def close(self):
        self.stopping.set()
        if self.operator is not None and self.operator.poll() is None:
            self.operator.send_signal(signal.SIGTERM)
            try:
                self.operator.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.operator.kill()
        if self.cluster_started:
            subprocess.run([os.path.join(ROOT, "hack", "local-cluster.sh"), "purge"], env=self.env,
                           capture_output=True, timeout=120)
        shutil.rmtree(self.workdir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--namespaces", type=int, default=100)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--requests", type=int, default=200, help="requests per measured URL")
    parser.add_argument("--ready-timeout", type=int, default=600)
    parser.add_argument("--smoke", action="store_true", help="50 HealthChecks, 10 requests each: proves it runs")
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.smoke:
        args.count, args.namespaces, args.batch, args.requests = 50, 5, 50, 10
    if shutil.which("java") is None:
        sys.exit("bench: 'java' is not installed")

    bench = Bench(args)
    try:
        bench.setup()
        log(f"creating {args.count} HealthChecks in {args.namespaces} namespaces")
        created_s = bench.create()
        log("starting the operator (standby) and waiting until its cache holds them all")
        start = time.monotonic()
        bench.start_operator()
        listed_s = time.monotonic() - start
        middle = bench.continue_at(args.count // 2)
        urls = [
            ("first page, limit=100", "/api/v1/healthchecks?limit=100"),
            ("largest page, limit=500", "/api/v1/healthchecks?limit=500"),
            ("a page in the middle (continue), limit=100", f"/api/v1/healthchecks?limit=100&continue={middle}"),
            ("one namespace, limit=100", f"/api/v1/healthchecks?namespace={bench.namespaces()[-1]}&limit=100"),
            ("health=Unhealthy (matches none)", "/api/v1/healthchecks?health=Unhealthy"),
            ("the page: GET /", "/"),
        ]
        for _, path in urls:  # warm up: the JIT, the first allocations
            bench.measure(path, max(1, args.requests // 4))
        results = [(label, *bench.measure(path, args.requests)) for label, path in urls]
        heap = bench.heap_mib()
        rss = rss_mib(bench.operator.pid)
    except Exception:
        print_log_tail(os.path.join(bench.workdir, "operator.log"))
        raise
    finally:
        bench.close()

    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    lines = [
        f"Command: `bench/bench_status_page.py --count {args.count} --namespaces {args.namespaces} --requests "
        f"{args.requests}` ({'smoke' if args.smoke else 'full'} run); Kubernetes local control plane (kwok); {java}; "
        f"operator JVM: `operator/jvm.options`, `-XX:MaxRAM={MEMORY_LIMIT_MIB}m`; one client, sequential "
        f"requests on one keep-alive connection. {args.count} HealthChecks created in {created_s:.0f} s; the "
        f"operator listed all of them {listed_s:.0f} s after its start.", "",
        "| request | p50 | p99 | answer size |", "| --- | --- | --- | --- |"]
    lines += [f"| {label} | {p50 * 1000:.1f} ms | {p99 * 1000:.1f} ms | {size / 1024:.0f} KiB |"
              for label, p50, p99, size in results]
    lines += ["", f"Operator heap after a full GC: {heap:.0f} MiB; RSS: {rss:.0f} MiB.", ""]
    report = "\n".join(lines)
    emit_report(report, args.out)


if __name__ == "__main__":
    main()
