#!/usr/bin/env python3
"""The operator at scale, on the local control plane (hack/local-cluster.sh, kwok fake nodes).

First the floor: the same objects the operator would make (a HealthCheck, a Deployment whose pod template
carries the checks file, and a Service each) created by kubectl alone, without the operator, in a namespace of their own; the time until all
those Deployments are available is what this machine's control plane needs anyway. Then the operator: N
HealthChecks created in batches, and measured: time from the create request to each one's Deployment (p50,
p99), time until all are Ready=True, the operator's API writes per HealthCheck from the first create until all
are Healthy, operator RSS, live heap and CPU at N, status writes per minute at steady state when nothing changes
(goal: 0), and the duration of one health poll and of a poll round. kwok pods run nothing, so the sidecars' /health
is served by bench/fleet-upstream, on a port of its own per HealthCheck (each HealthCheck's spec.port): the
operator pays a connection per target, as against real sidecars. A share of them (--blackholed-percent, 10 by
default) get ports whose connection attempts are dropped (an iptables rule of the run's own, as behind a
default-deny NetworkPolicy): those must not be Healthy, and every other one must still be polled within its
period. Then an upgrade (--upgrade-window): the operator restarted with another default sidecar image, and the
sidecar Deployments it rolls onto that image counted, per minute (healthcheck.rollout.max-per-minute paces
them). Also prints where the CPU went between
the first create and the last Ready: every control-plane process, the operator, and how busy the whole machine
was (on a small machine they all share the same cores). Progress is followed through `kubectl get --watch`
streams, not by polling, so that the harness itself adds little load.

Writes are read from the API server's `apiserver_request_total` (by verb, group, resource and subresource)
before and after each run. The counter does not say who wrote, so the operator's share is what the operator
run wrote to the kinds the operator writes (HealthChecks, ConfigMaps, Deployments, Services, ServiceAccounts,
NetworkPolicies, events.k8s.io Events) beyond what the floor run wrote to them per object (the
controller-manager's and the scheduler's writes to the same kinds), less the harness's own creates.

The last line of the output is one JSON object with the figures, to compare run to run.

  bench/bench_operator.py                # N=1000, writes --out if given
  bench/bench_operator.py --smoke        # N=20 and short windows, for `make test` (no goals judged)

Everything binds to 127.0.0.1, every process started is stopped (the control plane too), and every
wait is bounded in time.
"""
import argparse
import datetime
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from benchlib import emit_report, free_port, percentile, print_log_tail, rss_mib

# The sidecars' ports, reachable ones first, then the blackholed ones: never in the kernel's ephemeral range (an
# outgoing connection may take such a port at any moment) nor where hack/local-cluster.sh picks its free ports
# (from 10000 up to the ephemeral range): above it when they fit, as for the smoke run beside other clusters in
# `make test`; otherwise from 20000, with this run's own cluster told to keep below (HC_PORT_MAX). A fleet-upstream
# process serves at most PORTS_PER_UPSTREAM: each listener and each kept-alive connection is a file descriptor.
def ephemeral_ports():
    """The kernel's range for the local end of outgoing connections (32768-60999 by default)."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low, high = (int(v) for v in f.read().split())
            return low, high
    except OSError:
        return 32768, 60999


EPHEMERAL_LOW, EPHEMERAL_HIGH = ephemeral_ports()
HIGH_FIRST_PORT = EPHEMERAL_HIGH + 1
LOW_FIRST_PORT = 20000
CLUSTER_PORT_MAX = LOW_FIRST_PORT - 1
PORTS_PER_UPSTREAM = 4000
# The default sidecar image of the "upgraded" operator, and the rollout rate it must keep to (the operator's
# default healthcheck.rollout.max-per-minute).
# The reason of the Healthy condition for sidecars that do not answer (HealthReport.REASON_UNREACHABLE).
UNREACHABLE_REASON = "SidecarUnreachable"
UPGRADE_SIDECAR_IMAGE = "healthcheck-operator/healthcheck-sidecar:bench-upgrade"
ROLLOUT_MAX_PER_MINUTE = 50

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# BENCH_OPERATOR_JAR: another build of the operator (a copy of an earlier quarkus-app/), to compare with it.
OPERATOR_JAR = os.environ.get("BENCH_OPERATOR_JAR",
                              os.path.join(ROOT, "operator", "target", "quarkus-app", "quarkus-run.jar"))
OPERATOR_JVM_OPTIONS = os.path.join(ROOT, "operator", "jvm.options")
MEMORY_LIMIT_MIB = 768  # deploy/deployment.yaml
NAMESPACE = "bench"
FLOOR_NAMESPACE = "floor"
# The operator's pod-template annotation that a downwardAPI volume shows the sidecar as its checks file.
CHECKS_ANNOTATION = "healthcheck-operator.dev/checks"
FLOOR_CHECKS_FILE = json.dumps({"version": 1, "checks": [
    {"name": "upstream", "tcpSocket": {"host": "db.example", "port": 5432}}]}, separators=(",", ":"))
PODS_PER_KWOK_NODE = 110
# What the operator writes, as (group, resource, subresource): only writes to these are attributed to it (the
# controller-manager's writes of Deployment status, or of ServiceAccount tokens, are not).
OPERATOR_KINDS = {("healthcheck-operator.dev", "healthchecks", ""), ("healthcheck-operator.dev", "healthchecks", "status"),
                  ("", "configmaps", ""), ("apps", "deployments", ""), ("", "services", ""), ("", "serviceaccounts", ""),
                  ("networking.k8s.io", "networkpolicies", ""), ("events.k8s.io", "events", "")}
# The API server names a create POST and an update PUT, a server-side apply APPLY.
WRITE_VERBS = {"POST", "PUT", "PATCH", "APPLY", "DELETE", "DELETECOLLECTION"}


def log(message):
    print(f"[bench-operator] {message}", file=sys.stderr, flush=True)


class Bench:
    def __init__(self, args):
        self.args = args
        self.workdir = tempfile.mkdtemp(prefix="bench-operator-")
        self.env = dict(os.environ, HC_CLUSTER_DIR=os.path.join(self.workdir, "cluster"), HC_NODE="kwok",
                        HC_PORT_MIN="10000", HC_PORT_MAX=str(CLUSTER_PORT_MAX),
                        HC_KWOK_NODES=str(max(1, -(-args.count // (PODS_PER_KWOK_NODE - 10)))),
                        HC_UP_TIMEOUT=os.environ.get("HC_UP_TIMEOUT", "300"))
        self.processes = []
        self.watches = []
        self.cluster_started = False
        self.blackhole_rule = None
        self.blackholed = blackholed_names(args.count, args.blackholed_percent)
        self.ports = sidecar_ports(args.count, self.blackholed)
        self.first_port = min(self.ports.values(), default=HIGH_FIRST_PORT)
        self.kubectl = None

    # ------------------------------------------------------------------ processes

    def run(self, *command, stdin=None, timeout=300):
        return subprocess.run(command, input=stdin, capture_output=True, text=True, env=self.env,
                              timeout=timeout, check=True).stdout

    def start(self, command, log_name, env=None):
        out = open(os.path.join(self.workdir, log_name), "w")
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=dict(self.env, **(env or {})))
        self.processes.append(process)
        return process

    def close(self):
        for watch in self.watches:
            watch.terminate()
        if self.blackhole_rule:
            subprocess.run(["iptables", "-w", "10", "-D", *self.blackhole_rule], capture_output=True, timeout=30)
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        if self.cluster_started:
            subprocess.run([os.path.join(ROOT, "hack", "local-cluster.sh"), "purge"], env=self.env,
                           capture_output=True, timeout=120)
        shutil.rmtree(self.workdir, ignore_errors=True)

    # ------------------------------------------------------------------ setup

    def setup(self):
        if not os.path.exists(OPERATOR_JAR):
            subprocess.run(["mvn", "-B", "-q", "-ntp", "-pl", "operator", "-am", "package", "-DskipTests"],
                           cwd=ROOT, check=True)
        bin_dir = subprocess.run([os.path.join(ROOT, "hack", "build-control-plane.sh")], capture_output=True,
                                 text=True, check=True).stdout.strip().splitlines()[-1]
        self.kubectl = os.path.join(bin_dir, "kubectl")
        log(f"starting the local control plane with {self.env['HC_KWOK_NODES']} fake nodes")
        self.cluster_started = True
        subprocess.run([os.path.join(ROOT, "hack", "local-cluster.sh"), "up"], env=self.env, check=True,
                       timeout=300)
        self.env["KUBECONFIG"] = os.path.join(self.env["HC_CLUSTER_DIR"], "kubeconfig")
        self.run(self.kubectl, "apply", "-f", os.path.join(ROOT, "crds"))
        self.run(self.kubectl, "create", "namespace", NAMESPACE)
        self.run(self.kubectl, "create", "namespace", FLOOR_NAMESPACE)
        # Pods need the namespace's default ServiceAccount, which the controller-manager creates.
        for namespace in (NAMESPACE, FLOOR_NAMESPACE):
            deadline = time.monotonic() + 60
            while subprocess.run([self.kubectl, "-n", namespace, "get", "serviceaccount", "default"], env=self.env,
                                 capture_output=True).returncode != 0:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"no default ServiceAccount in {namespace} within 60 s")
                time.sleep(0.5)

    def start_upstreams(self):
        """fleet-upstream on the reachable HealthChecks' ports; connection attempts to the others dropped."""
        upstream = os.path.join(self.workdir, "fleet-upstream")
        subprocess.run(["go", "build", "-o", upstream, "."], cwd=os.path.join(ROOT, "bench", "fleet-upstream"),
                       check=True)
        reachable = self.args.count - len(self.blackholed)
        starting = []
        for first in range(0, reachable, PORTS_PER_UPSTREAM):
            ports = min(PORTS_PER_UPSTREAM, reachable - first)
            log_name = f"fleet-upstream-{first}.log"
            starting.append((self.start([upstream, "-first-port", str(self.first_port + first), "-ports", str(ports)],
                                        log_name), log_name))
        for process, log_name in starting:
            path = os.path.join(self.workdir, log_name)
            if not self.wait_until(lambda: process.poll() is not None or "serving" in open(path).read()) \
                    or process.poll() is not None:
                print_log_tail(path)
                raise RuntimeError(f"fleet-upstream did not start (see {log_name} above)")
        remove_stale_blackhole_rules()
        if self.blackholed:
            first = self.first_port + reachable
            last = first + len(self.blackholed) - 1
            # SYNs to these ports vanish: each poll of such a HealthCheck runs into its connect timeout.
            self.blackhole_rule = ["OUTPUT", "-o", "lo", "-p", "tcp", "--syn", "--dport", f"{first}:{last}",
                                   "-m", "comment", "--comment", f"bench-operator-{os.getpid()}", "-j", "DROP"]
            subprocess.run(["iptables", "-w", "10", "-I", *self.blackhole_rule], check=True, timeout=30)

    def start_operator(self, sidecar_image=None, log_name="operator.log"):
        """The operator as shipped; sidecar_image: another default sidecar image, as an operator upgrade brings."""
        self.metrics_port = free_port()
        # As shipped: the image's JVM options (operator/jvm.options), and the 768Mi memory limit of
        # deploy/deployment.yaml as the memory the JVM sizes its heap from.
        # BENCH_OPERATOR_EXTRA_JVM_FLAGS (after them, so they win): a flight recording, a setting under study.
        extra = os.environ.get("BENCH_OPERATOR_EXTRA_JVM_FLAGS", "").split()
        self.operator = self.start(["java", f"-XX:MaxRAM={MEMORY_LIMIT_MIB}m", f"@{OPERATOR_JVM_OPTIONS}", *extra,
                                    "-jar", OPERATOR_JAR], log_name, env={
            "QUARKUS_HTTP_PORT": str(self.metrics_port),
            "QUARKUS_HTTP_HOST": "127.0.0.1",
            # kwok pods run nothing: each HealthCheck's /health is answered on its own port by fleet-upstream.
            "HEALTHCHECK_POLL_MODE": "direct",
            "HEALTHCHECK_POLL_DIRECT_URL_TEMPLATE": "http://127.0.0.1:{port}/health",
            "HEALTHCHECK_POLL_INTERVAL": f"{self.args.poll_interval}s",
            "HEALTHCHECK_LEADER_ELECTION_LEASE_NAMESPACE": "default",
        } | ({"HEALTHCHECK_SIDECAR_IMAGE": sidecar_image} if sidecar_image else {}))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.operator.poll() is not None:
                raise RuntimeError("the operator exited; see its log")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/q/health/ready", timeout=2)
                return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError("the operator did not become ready within 120 s")

    def upgrade(self, window):
        """The operator restarted with another default sidecar image, as an upgrade does: how many sidecar
        Deployments it rolls onto that image within the window, and the most within any 60 s of it."""
        rolled = {}

        def deployment(line, when):
            parts = line.split(" ")
            if len(parts) == 2 and parts[1] == UPGRADE_SIDECAR_IMAGE:
                rolled.setdefault(parts[0], when)
        watch = self.watch("deployments", 'jsonpath={.metadata.name} {.spec.template.spec.containers[0].image}{"\\n"}',
                           deployment)
        self.operator.send_signal(signal.SIGTERM)
        self.operator.wait(timeout=60)
        start = time.monotonic()
        self.start_operator(sidecar_image=UPGRADE_SIDECAR_IMAGE, log_name="operator-upgraded.log")
        # A measuring window from the restart, not a wait for a condition.
        time.sleep(max(0.0, start + window - time.monotonic()))
        watch.terminate()
        times = sorted(t for t in (when - start for when in list(rolled.values())) if t < window)
        return len(times), busiest_minute(times), busiest_minute(self.applied_times(UPGRADE_SIDECAR_IMAGE))

    def applied_times(self, image):
        """When the API server took the operator's apply that put each Deployment on this image: the time of the
        operator's managedFields entry (whole seconds), which a watch's delivery does not shift or bunch."""
        listed = json.loads(self.run(self.kubectl, "-n", NAMESPACE, "get", "deployments", "-o", "json",
                                     "--show-managed-fields", timeout=600))
        times = []
        for item in listed["items"]:
            if item["spec"]["template"]["spec"]["containers"][0]["image"] != image:
                continue
            applied = [e["time"] for e in item["metadata"].get("managedFields", []) if e.get("operation") == "Apply"]
            if applied:
                times.append(datetime.datetime.fromisoformat(applied[0].replace("Z", "+00:00")).timestamp())
        return sorted(times)

    # ------------------------------------------------------------------ measurements

    def watch(self, resource, output, on_line, namespace=NAMESPACE):
        """A `kubectl get --watch` stream of <resource> in a namespace: on_line(line, when) per event. The API server
        ends every watch after its request timeout (30-60 min), and kubectl then exits: the stream is started again,
        and its first lines (the current state of every object) tell what changed in between, at the restart's
        time. The handlers keep the first time they saw a state."""
        watch = Watch(lambda: self.start_stream([self.kubectl, "-n", namespace, "get", resource, "--watch",
                                                 "-o", output]), on_line)
        self.watches.append(watch)
        return watch

    def start_stream(self, command):
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                   env=self.env)
        self.processes.append(process)
        return process

    def follow(self):
        """Starts following Deployments (first appearance) and HealthChecks (Ready condition, health)."""
        self.deployment_seen = {}
        self.ready_at = {}
        self.health = {}
        self.health_reason = {}

        def deployment(line, when):
            if line:
                self.deployment_seen.setdefault(line.rsplit("/", 1)[-1].removesuffix("-healthcheck"), when)

        def health_check(line, when):
            parts = line.split(" ")
            if len(parts) == 4 and parts[0]:
                name, ready, health, reason = parts
                if ready == "True":
                    self.ready_at.setdefault(name, when)
                else:
                    self.ready_at.pop(name, None)
                self.health[name] = health
                self.health_reason[name] = reason
        self.watch("deployments", "name", deployment)
        self.watch("healthchecks", 'jsonpath={.metadata.name} {.status.conditions[?(@.type=="Ready")].status} '
                   '{.status.health} {.status.conditions[?(@.type=="Healthy")].reason}{"\\n"}', health_check)

    def request_counts(self):
        """apiserver_request_total as {(verb, group, resource, subresource): count}, writes only."""
        text = self.run(self.kubectl, "get", "--raw", "/metrics", timeout=60)
        counts = {}
        for line in text.splitlines():
            if not line.startswith("apiserver_request_total{"):
                continue
            labels = dict(re.findall(r'(\w+)="([^"]*)"', line[:line.rindex("}")]))
            if labels.get("verb") not in WRITE_VERBS:
                continue
            key = (labels["verb"], labels.get("group", ""), labels.get("resource", ""), labels.get("subresource", ""))
            counts[key] = counts.get(key, 0) + float(line.rsplit(" ", 1)[1])
        return counts

    def floor(self):
        """The objects of N HealthChecks created by kubectl alone: seconds until all Deployments are available,
        and the writes to the operator's kinds during that time, per object, less kubectl's own creates."""
        available = {}

        def deployment(line, when):
            parts = line.split(" ")
            if len(parts) == 2 and parts[1] == "1":
                available.setdefault(parts[0], when)
        watch = self.watch("deployments", 'jsonpath={.metadata.name} {.status.availableReplicas}{"\\n"}',
                           deployment, namespace=FLOOR_NAMESPACE)
        before = self.request_counts()
        start = time.monotonic()
        own = {}
        for first in range(0, self.args.count, self.args.batch):
            names = [f"hc-{i:04d}" for i in range(first, min(first + self.args.batch, self.args.count))]
            docs = [doc for name in names for doc in floor_objects(name)]
            self.run(self.kubectl, "create", "-f", "-", stdin="\n---\n".join(json.dumps(d) for d in docs))
            for doc in docs:
                key = ("POST", doc["apiVersion"].rpartition("/")[0], doc["kind"].lower() + "s", "")
                own[key] = own.get(key, 0) + 1
        done = self.wait_until(lambda: len(available) >= self.args.count,
                               progress=lambda: f"floor: {len(available)}/{self.args.count} Deployments available")
        floor_s = max(list(available.values())) - start if done else None
        after = self.request_counts()
        watch.terminate()
        # Gone before the operator starts: it reconciles none of them, and its run finds the cluster as empty. The
        # namespace controller and the garbage collector remove thousands of objects at the control plane's pace.
        log("floor: deleting its objects")
        delete_s = max(600, self.args.count // 5)
        self.run(self.kubectl, "delete", "namespace", FLOOR_NAMESPACE, f"--timeout={delete_s}s", timeout=delete_s + 60)
        return floor_s, subtract(subtract(after, before), own)

    def create(self):
        created_at = {}
        start = time.monotonic()
        for first in range(0, self.args.count, self.args.batch):
            names = [f"hc-{i:04d}" for i in range(first, min(first + self.args.batch, self.args.count))]
            docs = "\n---\n".join(json.dumps({
                "apiVersion": "healthcheck-operator.dev/v1alpha1", "kind": "HealthCheck",
                "metadata": {"name": name, "namespace": NAMESPACE},
                "spec": {"port": self.ports[name],
                         "checks": [{"name": "upstream", "tcpSocket": {"host": "db.example", "port": 5432}}]},
            }) for name in names)
            before = time.monotonic()
            self.run(self.kubectl, "create", "-f", "-", stdin=docs)
            for name in names:
                created_at[name] = before  # the create request was sent at or after this instant
        created_s = time.monotonic() - start
        self.wait_until(lambda: len(self.deployment_seen) >= self.args.count,
                        progress=lambda: f"{len(self.deployment_seen)}/{self.args.count} Deployments made")
        latencies = [self.deployment_seen[n] - created_at[n] for n in created_at if n in self.deployment_seen]
        return created_s, latencies, len(created_at) - len(latencies), start

    def wait_until(self, condition, progress=None):
        """Polls condition() until it holds or --ready-timeout passes; progress(): a line logged once a minute."""
        deadline = time.monotonic() + self.args.ready_timeout
        next_progress = time.monotonic() + 60
        while time.monotonic() < deadline:
            if condition():
                return True
            if progress and time.monotonic() >= next_progress:
                log(progress())
                next_progress += 60
            time.sleep(0.2)
        return False

    def wait_ready(self, start):
        if self.wait_until(lambda: len(self.ready_at) >= self.args.count,
                           progress=lambda: f"{len(self.ready_at)}/{self.args.count} Ready"):
            return max(list(self.ready_at.values())) - start, len(self.ready_at)
        return None, len(self.ready_at)

    def wait_healthy(self):
        """Every reachable HealthCheck Healthy, and every blackholed one settled on unreachable (after the
        operator's failure threshold of polls): until then the steady state has not begun."""
        reachable = self.args.count - len(self.blackholed)
        return self.wait_until(lambda: sum(1 for name, h in list(self.health.items())
                                           if h == "Healthy" and name not in self.blackholed) >= reachable
                               and all(self.health_reason.get(name) == UNREACHABLE_REASON for name in self.blackholed),
                               progress=lambda: f"{sum(1 for h in list(self.health.values()) if h == 'Healthy')} Healthy, "
                               f"{sum(1 for n in self.blackholed if self.health_reason.get(n) == UNREACHABLE_REASON)}"
                               f"/{len(self.blackholed)} blackholed unreachable")

    def blackholed_healthy(self):
        """How many blackholed HealthChecks say Healthy (none should), and the health and reason they show."""
        shown = [(self.health.get(name, ""), self.health_reason.get(name, "")) for name in self.blackholed]
        return sum(1 for h, _ in shown if h == "Healthy"), sorted(set(f"{h or '(none)'}/{r or '(none)'}"
                                                                      for h, r in shown))

    # CPU seconds of every process that shares the machine, and of the machine as a whole.
    COMPONENTS = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"]

    def cpu_snapshot(self):
        pids = {"operator": self.operator.pid}
        for name in self.COMPONENTS:
            with open(os.path.join(self.env["HC_CLUSTER_DIR"], "run", f"{name}.pid")) as f:
                pids[name] = int(f.read().strip())
        snapshot = {name: process_cpu_seconds(pid) for name, pid in pids.items()}
        # Part of the operator's CPU: with the serial collector a pause is one thread's CPU time.
        snapshot[OPERATOR_GC] = self.gc_seconds()
        with open("/proc/stat") as f:
            jiffies = [int(v) for v in f.readline().split()[1:]]
        idle = jiffies[3] + jiffies[4]
        snapshot["machine busy"] = (sum(jiffies) - idle) / os.sysconf("SC_CLK_TCK")
        snapshot["machine total"] = sum(jiffies) / os.sysconf("SC_CLK_TCK")
        return snapshot

    def gc_seconds(self):
        """The operator's time in collections so far (jstat's GCT)."""
        # In the C locale: jstat formats its numbers by locale (0,123 in some).
        header, values = subprocess.run(["jstat", "-gc", str(self.operator.pid)], capture_output=True, text=True,
                                        env=dict(self.env, LC_ALL="C"), timeout=60, check=True).stdout.split("\n")[:2]
        return float(dict(zip(header.split(), values.split()))["GCT"])

    def status_writes(self, seconds):
        """Counts every change of any HealthCheck (status writes included) during a quiet window, the operator's CPU
        and its reconciliations (those that find nothing to do cost CPU too) in it."""
        watch = subprocess.Popen([self.kubectl, "-n", NAMESPACE, "get", "healthchecks", "--watch-only",
                                  "--output-watch-events", "-o", "name"], stdout=subprocess.PIPE, text=True,
                                 env=self.env)
        events = []
        reader = threading.Thread(target=lambda: events.extend(watch.stdout), daemon=True)
        reader.start()
        # The counters are read outside the CPU window: a scrape and an attach cost the operator CPU too.
        reconciliations_before = self.reconciliations()[0]
        threads_before = self.threads_started()
        cpu_before = self.cpu_seconds()
        time.sleep(seconds)
        cpu_after = self.cpu_seconds()
        reconciliations = self.reconciliations()[0] - reconciliations_before
        threads = self.threads_started() - threads_before
        watch.terminate()
        watch.wait(timeout=10)
        reader.join(timeout=5)
        return (len(events) * 60.0 / seconds, (cpu_after - cpu_before) / seconds, reconciliations * 60.0 / seconds,
                threads / seconds)

    def threads_started(self):
        """Threads the operator's JVM started so far (its java.threads.started counter)."""
        counters = self.run("jcmd", str(self.operator.pid), "PerfCounter.print", timeout=60)
        return int(re.search(r"^java\.threads\.started=(\d+)$", counters, re.M).group(1))

    def cpu_seconds(self):
        return process_cpu_seconds(self.operator.pid)

    def rss_mib(self):
        return rss_mib(self.operator.pid)

    def live_heap_mib(self, histogram_out=None, quiet=False):
        """Heap in use right after a full collection (what stays live), and the classes that fill it."""
        pid = str(self.operator.pid)
        histogram = self.run("jcmd", pid, "GC.class_histogram", timeout=120)  # a full GC first, by default
        info = self.run("jcmd", pid, "GC.heap_info", timeout=60)
        used_kib = sum(int(k) for k in re.findall(r"used (\d+)K", info.split("Metaspace")[0]))
        lines = histogram.splitlines()
        top = "\n".join(lines[:min(len(lines), 25)])
        if not quiet:
            log(f"live heap {used_kib / 1024:.1f} MiB; largest classes:\n{top}")
        if histogram_out:
            with open(histogram_out, "w") as f:
                f.write(histogram)
        return used_kib / 1024

    def threads(self):
        with open(f"/proc/{self.operator.pid}/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("Threads:"))

    def reconciliations(self):
        """Reconciliations the operator started so far (JOSDK's counter, all its series), and those of them a poll
        asked for, having found a health the status did not show: from one scrape."""
        text = urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/q/metrics", timeout=10).read().decode()

        def total(name):
            return sum(float(m) for m in re.findall(rf"^{name}(?:{{[^}}]*}})? (\S+)$", text, re.M))
        return (total("operator_sdk_reconciliations_started_total"),
                total("healthcheck_operator_poll_reconciliations_total"))

    def poll_stats(self):
        """Mean and max duration of one poll and the targets polled; per lane (sidecars whose last poll answered, and
        unreachable ones), the mean and max poll round and how late the most overdue poll is."""
        text = urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/q/metrics", timeout=10).read().decode()

        def metric(name, lane=None):
            labels = rf"{{[^}}]*lane=\"{lane}\"[^}}]*}}" if lane else r"(?:{[^}]*})?"
            m = re.search(rf"^{name}{labels} (\S+)$", text, re.M)
            return float(m.group(1)) if m else float("nan")

        def mean(timer, lane=None):
            count = metric(f"{timer}_count", lane)
            return metric(f"{timer}_sum", lane) / count if count else float("nan")

        round_timer = "healthcheck_operator_poll_round_seconds"
        return {"poll_mean": mean("healthcheck_operator_poll_duration_seconds"),
                "poll_max": metric("healthcheck_operator_poll_duration_seconds_max"),
                "targets": metric("healthcheck_operator_poll_targets"),
                **{f"{key}_{lane}": value for lane in ("answering", "failing") for key, value in (
                    ("round_mean", mean(round_timer, lane)), ("round_max", metric(f"{round_timer}_max", lane)),
                    ("overdue", metric("healthcheck_operator_poll_overdue_max_seconds", lane)))}}


class Watch:
    """A stream started again whenever it ends, until terminate()."""

    def __init__(self, start, on_line):
        self.stopped = False
        self.lock = threading.Lock()  # a restart and terminate() one after the other, never interleaved
        self.process = start()

        def read():
            while True:
                for line in self.process.stdout:
                    on_line(line.strip(), time.monotonic())
                self.process.wait()
                if self.stopped:
                    return
                log("a watch stream ended; starting it again")
                time.sleep(1)  # not a tight loop if kubectl cannot connect
                with self.lock:
                    if self.stopped:
                        return
                    self.process = start()
        self.reader = threading.Thread(target=read, daemon=True)
        self.reader.start()

    def terminate(self):
        """Ends the stream; once this returns, on_line is not called again."""
        with self.lock:
            self.stopped = True
            self.process.terminate()
        self.reader.join(timeout=10)


def remove_stale_blackhole_rules():
    """Rules a run killed with SIGKILL left behind (their comment names the run's pid, no longer alive): they would
    drop this run's ports."""
    if shutil.which("iptables") is None:
        return
    listed = subprocess.run(["iptables", "-w", "10", "-S", "OUTPUT"], capture_output=True, text=True, timeout=30)
    for rule in listed.stdout.splitlines():
        owner = re.search(r"bench-operator-(\d+)", rule)
        if owner and rule.startswith("-A OUTPUT ") and not os.path.exists(f"/proc/{owner.group(1)}"):
            log(f"removing a rule an earlier run left: {rule}")
            subprocess.run(["iptables", "-w", "10", "-D", *rule.split()[1:]], capture_output=True, timeout=30)


def blackholed_names(count, percent):
    """Every k-th HealthCheck, spread over the run (k = 100 / percent, rounded), none when percent is 0."""
    if not percent:
        return set()
    step = max(1, round(100 / percent))
    return {f"hc-{i:04d}" for i in range(step - 1, count, step)}


def sidecar_ports(count, blackholed):
    """HealthCheck name -> its spec.port: the reachable ones on consecutive ports, the blackholed ones after them."""
    first = HIGH_FIRST_PORT if HIGH_FIRST_PORT + count <= 65536 else LOW_FIRST_PORT
    ports, reachable, dropped = {}, 0, 0
    first_blackholed = first + count - len(blackholed)
    for i in range(count):
        name = f"hc-{i:04d}"
        if name in blackholed:
            ports[name] = first_blackholed + dropped
            dropped += 1
        else:
            ports[name] = first + reachable
            reachable += 1
    if first == LOW_FIRST_PORT and first + count > EPHEMERAL_LOW:
        raise ValueError(f"{count} HealthChecks need ports up to {first + count - 1}: into the ephemeral range")
    return ports


def floor_objects(name):
    """What the operator makes for one HealthCheck, as a plain client would create it (no owner, no labels the
    operator's informers select)."""
    labels = {"app.kubernetes.io/name": "floor-sidecar", "app.kubernetes.io/instance": name}
    return [
        {"apiVersion": "healthcheck-operator.dev/v1alpha1", "kind": "HealthCheck",
         "metadata": {"name": name, "namespace": FLOOR_NAMESPACE},
         "spec": {"checks": [{"name": "upstream", "tcpSocket": {"host": "db.example", "port": 5432}}]}},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": FLOOR_NAMESPACE},
         "spec": {"replicas": 1, "selector": {"matchLabels": labels}, "template": {
             "metadata": {"labels": labels, "annotations": {CHECKS_ANNOTATION: FLOOR_CHECKS_FILE}},
             "spec": {"automountServiceAccountToken": False, "containers": [{
                 "name": "sidecar", "image": "healthcheck-sidecar:floor",
                 "volumeMounts": [{"name": "config", "mountPath": "/etc/healthcheck"}]}],
                 "volumes": [{"name": "config", "downwardAPI": {"items": [{
                     "path": "checks.json",
                     "fieldRef": {"fieldPath": f"metadata.annotations['{CHECKS_ANNOTATION}']"}}]}}]}}}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": FLOOR_NAMESPACE},
         "spec": {"selector": labels, "ports": [{"name": "health", "port": 8080}]}},
    ]


def finite(value, digits=None):
    """For the JSON line, which has no NaN (a lane without a poll round yet, a series the build does not export)."""
    return None if math.isnan(value) else round(value, digits)


def subtract(a, b):
    return {key: a.get(key, 0) - b.get(key, 0) for key in set(a) | set(b)}


def operator_writes(run, floor, count):
    """The operator's writes per HealthCheck by (verb, group, resource, subresource): what the operator run wrote
    to the operator's kinds beyond what the floor run (the same objects without the operator) wrote to them."""
    per_hc = {}
    for key in set(run) | set(floor):
        if key[1:] not in OPERATOR_KINDS:
            continue
        value = (run.get(key, 0) - floor.get(key, 0)) / count
        if abs(value) >= 0.005:
            per_hc[key] = value
    return per_hc


def process_cpu_seconds(pid):
    """User + system CPU time of a process, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# The operator's GC pauses in a cpu_snapshot(): a part of its CPU, shown with it rather than as a process.
OPERATOR_GC = "operator GC pauses"


def busiest_minute(times):
    """The most of these times (seconds, sorted) within any 60 s."""
    return max((sum(1 for u in times if t <= u < t + 60) for t in times), default=0)


def cpu_breakdown(before, after):
    """'kube-apiserver 80 s, ...; machine 95% busy' between two cpu_snapshot()s, biggest first."""
    used = {name: after[name] - before[name] for name in before if not name.startswith("machine")}
    gc = used.pop(OPERATOR_GC, None)
    busy = (after["machine busy"] - before["machine busy"]) / (after["machine total"] - before["machine total"])
    parts = [f"{name} {seconds:.0f} s" + (f" (GC pauses {gc:.0f} s)" if name == "operator" and gc is not None else "")
             for name, seconds in sorted(used.items(), key=lambda kv: -kv[1])]
    return ", ".join(parts) + f"; all {os.cpu_count()} cores {busy * 100:.0f}% busy"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--ready-timeout", type=int, default=600)
    parser.add_argument("--quiet-window", type=int, default=60, help="seconds of steady state to count writes")
    parser.add_argument("--poll-interval", type=int, default=15, help="the operator's default poll period")
    parser.add_argument("--blackholed-percent", type=int, default=10,
                        help="share of HealthChecks whose sidecar port drops connection attempts")
    parser.add_argument("--histogram", help="write the operator's class histogram at N to this file")
    parser.add_argument("--heap-dump", help="and its heap (live objects, HPROF) at N to this file")
    parser.add_argument("--upgrade-window", type=int,
                        help="seconds to count the sidecar rollouts after an upgrade (0: no upgrade; 120, smoke 30)")
    parser.add_argument("--smoke", action="store_true", help="20 HealthChecks, short windows: proves it runs")
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.smoke:
        args.count, args.batch, args.quiet_window, args.ready_timeout, args.poll_interval = 20, 10, 10, 300, 5
        args.upgrade_window = 30 if args.upgrade_window is None else args.upgrade_window
    if args.upgrade_window is None:
        args.upgrade_window = 120
    if not 0 <= args.blackholed_percent < 100:
        sys.exit("bench: --blackholed-percent must be 0..99")
    for tool in ("go", "java", "jcmd", "jstat") + (("iptables",) if args.blackholed_percent else ()):
        if shutil.which(tool) is None:
            sys.exit(f"bench: '{tool}' is not installed")

    # Stopped from outside (a CI lane ended, ^C): the cleanup in `finally` still runs, the iptables rule included.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    bench = Bench(args)
    try:
        bench.setup()
        log(f"floor: the objects of {args.count} HealthChecks created without the operator")
        floor_s, floor_writes = bench.floor()
        bench.start_upstreams()
        bench.start_operator()
        empty_heap = bench.live_heap_mib(quiet=True)  # the operator with no HealthCheck yet
        log(f"creating {args.count} HealthChecks in batches of {args.batch}")
        bench.follow()
        load_before = os.getloadavg()[0]
        cpu_before = bench.cpu_snapshot()
        requests_before = bench.request_counts()
        reconciliations_before, poll_triggered_before = bench.reconciliations()
        created_s, latencies, missing, start = bench.create()
        ready_s, ready = bench.wait_ready(start)
        cpu_used = cpu_breakdown(cpu_before, bench.cpu_snapshot())
        log(f"{ready}/{args.count} Ready; waiting until every reachable one reports Healthy, the others unreachable")
        healthy = bench.wait_healthy()
        own_creates = {("POST", "healthcheck-operator.dev", "healthchecks", ""): args.count}
        run_writes = subtract(subtract(bench.request_counts(), requests_before), own_creates)
        reconciliations_after, poll_triggered_after = bench.reconciliations()
        reconciliations = (reconciliations_after - reconciliations_before) / args.count
        poll_triggered = (poll_triggered_after - poll_triggered_before) / args.count
        load_after = os.getloadavg()[0]
        time.sleep(args.poll_interval * 2)  # let the polls settle into steady state
        writes_per_min, cpu_share, reconciliations_per_min, threads_per_s = bench.status_writes(args.quiet_window)
        rss = bench.rss_mib()
        threads = bench.threads()
        polls = bench.poll_stats()
        blackholed_healthy, blackholed_shown = bench.blackholed_healthy()
        live_heap = bench.live_heap_mib(args.histogram)
        if args.heap_dump:
            if os.path.exists(args.heap_dump):
                os.remove(args.heap_dump)  # the JVM refuses to write over a file
            bench.run("jcmd", str(bench.operator.pid), "GC.heap_dump", os.path.abspath(args.heap_dump), timeout=300)
        if args.upgrade_window:
            log(f"upgrade: the operator restarted with another default sidecar image, {args.upgrade_window} s")
            upgraded, upgrade_busiest_seen, upgrade_busiest = bench.upgrade(args.upgrade_window)
    except Exception:
        print_log_tail(os.path.join(bench.workdir, "operator.log"))
        raise
    finally:
        bench.close()

    if os.environ.get("BENCH_OPERATOR_DEBUG"):
        for name, counts in (("operator run", run_writes), ("floor run", floor_writes)):
            log(f"{name}: " + ", ".join(f"{k}={v:g}" for k, v in sorted(counts.items()) if v))
    writes = operator_writes(run_writes, floor_writes, args.count)
    heap_per_1000 = (live_heap - empty_heap) * 1000 / args.count
    writes_per_hc = sum(writes.values())
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    rows = [
        ("HealthChecks created", f"{args.count} in {created_s:.1f} s (batches of {args.batch})", ""),
        ("create -> Deployment p50 / p99", f"{percentile(latencies, 0.5):.2f} s / {percentile(latencies, 0.99):.2f} s"
         + (f" ({missing} never seen)" if missing else ""), "p99 <= 2 s"),
        ("floor: all Deployments available, no operator", f"{floor_s:.1f} s" if floor_s else "NOT reached", ""),
        ("all Ready=True after", f"{ready_s:.1f} s" if ready_s else f"NOT within {args.ready_timeout} s ({ready} ready)"
         + (f" ({ready_s / floor_s:.2f}x the floor)" if ready_s and floor_s else ""), "<= 1.3x the floor"),
        ("CPU time, first create -> all Ready", cpu_used, ""),
        ("all reachable Healthy, all blackholed unreachable", "yes" if healthy else "no", "yes"),
        (f"blackholed ({len(bench.blackholed)}) said Healthy", f"{blackholed_healthy} (shown: {', '.join(blackholed_shown)})",
         "0"),
        ("operator API writes per HealthCheck, create -> Healthy", f"{writes_per_hc:.2f}", "<= 5"),
        ("reconciliations per HealthCheck, create -> Healthy", f"{reconciliations:.2f} ({poll_triggered:.2f} asked "
         "for by polls)", ""),
        ("load average (1 min) at the first create / at all Healthy", f"{load_before:.1f} / {load_after:.1f}", ""),
        ("object writes per minute, steady state", f"{writes_per_min:.1f}", "0"),
        ("operator RSS at N", f"{rss:.0f} MiB ({threads} threads)", "<= 512 MiB at 10,000"),
        ("operator live heap at N (after a full GC)", f"{live_heap:.0f} MiB: {heap_per_1000:.0f} MiB per 1,000 "
         f"HealthChecks beyond the {empty_heap:.0f} MiB with none", ""),
        ("operator CPU at steady state", f"{cpu_share * 100:.1f}% of one core", ""),
        ("reconciliations per minute, steady state", f"{reconciliations_per_min:.1f}", ""),
        ("threads started per second, steady state", f"{threads_per_s:.1f}", ""),
        ("one poll (mean / max)", f"{polls['poll_mean'] * 1000:.0f} ms / {polls['poll_max'] * 1000:.0f} ms, "
         f"{polls['targets']:.0f} endpoints", "< poll timeout"),
        ("poll round of an answering sidecar (mean since the start / max of the last minutes)",
         f"{polls['round_mean_answering'] * 1000:.0f} ms / {polls['round_max_answering'] * 1000:.0f} ms",
         f"~ poll interval ({args.poll_interval} s)"),
        ("poll round of an unreachable sidecar (mean since the start / max of the last minutes)",
         f"{polls['round_mean_failing'] * 1000:.0f} ms / {polls['round_max_failing'] * 1000:.0f} ms",
         "backoff up to 2 min, plus a wait for a slot"),
        ("most overdue poll, answering / unreachable sidecars",
         f"{polls['overdue_answering']:.1f} s / {polls['overdue_failing']:.1f} s",
         f"answering < poll interval ({args.poll_interval} s)"),
    ] + ([(f"upgrade (new default sidecar image): Deployments rolled within {args.upgrade_window} s",
           f"{upgraded} of {args.count}, at most {upgrade_busiest} in any 60 s by the API server's apply times "
           f"({upgrade_busiest_seen} as the watch saw them)",
           f"<= {ROLLOUT_MAX_PER_MINUTE} per minute")] if args.upgrade_window else [])
    report = "\n".join([
        f"Command: `bench/bench_operator.py --count {args.count} --batch {args.batch} --quiet-window "
        f"{args.quiet_window} --poll-interval {args.poll_interval}` ({'smoke' if args.smoke else 'full'} run); "
        f"Kubernetes 1.35.4 local control plane, {bench.env['HC_KWOK_NODES']} kwok nodes; {java}; operator JVM: "
        f"`operator/jvm.options`, `-XX:MaxRAM={MEMORY_LIMIT_MIB}m`"
        + (f", `{os.environ['BENCH_OPERATOR_EXTRA_JVM_FLAGS']}`" if os.environ.get("BENCH_OPERATOR_EXTRA_JVM_FLAGS") else "")
        + ".", "",
        "| measure | value | goal |", "| --- | --- | --- |"] + [f"| {a} | {b} | {c} |" for a, b, c in rows] + [
        "", "Operator API writes per HealthCheck, first create -> all Healthy (beyond the floor run's):", "",
        "| verb | resource | per HealthCheck |", "| --- | --- | --- |"] + [
        f"| {verb} | {'/'.join(p for p in (group, resource, subresource) if p)} | {value:.2f} |"
        for (verb, group, resource, subresource), value in sorted(writes.items(), key=lambda kv: (kv[0][2], kv[0]))] + [
        "", json.dumps({"count": args.count, "rss_mib": round(rss, 1), "live_heap_mib": round(live_heap, 1),
                        "empty_heap_mib": round(empty_heap, 1), "heap_mib_per_1000": round(heap_per_1000, 1),
                        "blackholed": len(bench.blackholed), "blackholed_healthy": blackholed_healthy,
                        "upgrade_rolled": upgraded if args.upgrade_window else None,
                        "upgrade_max_per_min": upgrade_busiest if args.upgrade_window else None, "ready_s": round(ready_s, 1) if ready_s else None,
                        "floor_s": round(floor_s, 1) if floor_s else None, "writes_per_hc": round(writes_per_hc, 2),
                        "steady_writes_per_min": round(writes_per_min, 1),
                        "steady_reconciles_per_min": round(reconciliations_per_min, 1),
                        "steady_threads_started_per_s": round(threads_per_s, 1),
                        "reconciles_per_hc": round(reconciliations, 2),
                        "poll_triggered_reconciles_per_hc": round(poll_triggered, 2),
                        "poll_round_ms": finite(polls["round_mean_answering"] * 1000),
                        "poll_round_max_ms": finite(polls["round_max_answering"] * 1000),
                        "poll_overdue_s": finite(polls["overdue_answering"], 1),
                        "poll_round_failing_ms": finite(polls["round_mean_failing"] * 1000),
                        "poll_overdue_failing_s": finite(polls["overdue_failing"], 1),
                        "poll_ms": round(polls["poll_mean"] * 1000, 1),
                        "load_avg": [round(load_before, 1), round(load_after, 1)]})])
    emit_report(report, args.out)
    if missing or ready_s is None or not healthy or blackholed_healthy:
        sys.exit(1)


if __name__ == "__main__":
    main()
