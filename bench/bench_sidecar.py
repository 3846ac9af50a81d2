#!/usr/bin/env python3
"""Side-by-side benchmark: the probe sidecar (as shipped) against the reference Go health server.

Per round and per server, a fresh process: the server pinned to one CPU, wrk pinned to the other;
time from exec to the first 200, idle RSS, a warm-up, a measured `wrk --latency` run, loaded RSS.
Rounds are interleaved (reference, sidecar, sidecar with checks, reference, ...) because these
machines are noisy: only ratios from the same run mean something.

  bench/bench_sidecar.py                 # full run, prints a markdown table and writes --out
  bench/bench_sidecar.py --smoke         # one short round of each, for `make test` (no goals judged)
  bench/bench_sidecar.py --baseline DIR  # also a second build (a checkout of an earlier commit, packaged),
                                         # interleaved in the same rounds: before/after from one run

"As shipped" means the image's settings: a JDK 25 (`--java`; by default one under /usr/lib/jvm, as the image runs
Debian's 25), `sidecar/jvm.options` plus `sidecar/jvm-25.options`, and an AOT cache trained on that JVM the way the
image build trains its own (`bench/train-class-archive.sh`; `--no-aot-cache` to run without). `--java java` on a JDK
17 runs the JDK 17 settings (jvm.options alone, no cache). BENCH_SIDECAR_EXTRA_JVM_FLAGS adds flags after the
shipped ones (the training run gets them too, so a cache matches the flags it is used with).

Bytes allocated per request (sidecar only) come from the JVM's own counter
(`jvm_gc_memory_allocated_bytes_total`, which the JVM adds to at every collection): a `jcmd GC.run` just before
and just after the measured run makes the difference between the two readings exact, whatever the heap size.

Everything binds to 127.0.0.1, every process started is stopped, and every loop is bounded in time.
"""
import argparse
import glob
import http.server
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from benchlib import anon_rss_mib, emit_report, free_port, rss_mib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIDECAR_APP = os.path.join(ROOT, "sidecar", "target", "quarkus-app")
SERVER_CPU, LOAD_CPU = "1", "0"
JCMD = ["jcmd"]  # the one of --java (a jcmd attaches only to a JVM of its own version)
START_TIMEOUT_S = 60

GOALS = {  # the fleet-scale issue's goals for the sidecar pod, JVM mode on this 2-core machine
    "rps_ratio_min": 1.0,
    "p99_ratio_max": 2.0,
    "loaded_rss_mib_max": 64,
    "idle_rss_mib_max": 48,
    "first200_ms_max": 1000,
}


class Upstream:
    """A local HTTP server the sidecar's checks probe (the "10 checks" variant)."""

    def __init__(self):
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = b'{"status":"UP"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self):
        return self.server.server_address[1]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def checks_file(directory, upstream_port, count=10):
    path = os.path.join(directory, "checks.json")
    # periodSeconds 2 is the shortest period the schema allows (timeoutSeconds >= 1 must stay below it).
    checks = [{"name": f"upstream-{i}", "httpGet": {"url": f"http://127.0.0.1:{upstream_port}/ready/{i}",
                                                     "jsonBody": [{"path": "$.status", "equals": "UP"}]}}
              for i in range(count)]
    with open(path, "w") as f:
        json.dump({"periodSeconds": 2, "timeoutSeconds": 1, "checks": checks}, f)
    return path


def build(reference_bin):
    subprocess.run(["go", "build", "-o", reference_bin, "."], cwd=os.path.join(ROOT, "bench", "reference"),
                   check=True)
    if not os.path.exists(os.path.join(SIDECAR_APP, "quarkus-run.jar")):
        subprocess.run(["mvn", "-B", "-q", "-ntp", "-pl", "sidecar", "-am", "package", "-DskipTests"], cwd=ROOT, check=True)


def java_feature_version(java):
    """25 for a JDK 25, 17 for a JDK 17: from `java -version`."""
    out = subprocess.run([java, "-version"], capture_output=True, text=True, check=True).stderr
    return int(re.search(r'version "(\d+)', out).group(1))


def jvm_options(root, java):
    """The options a build ships for this JVM: sidecar/jvm.options, plus sidecar/jvm-<version>.options where the
    build has one (the image build appends it the same way)."""
    options = [f"@{os.path.join(root, 'sidecar', 'jvm.options')}"]
    versioned = os.path.join(root, "sidecar", f"jvm-{java_feature_version(java)}.options")
    if os.path.exists(versioned):
        options.append(f"@{versioned}")
    # Extra flags to try against the shipped ones (e.g. "-XX:TieredStopAtLevel=1"); empty by default.
    return options + os.environ.get("BENCH_SIDECAR_EXTRA_JVM_FLAGS", "").split()


def default_java():
    """The JVM the image ships (JDK 25) if this machine has one, else java from PATH."""
    if os.environ.get("BENCH_SIDECAR_JAVA"):
        return os.environ["BENCH_SIDECAR_JAVA"]
    candidates = sorted(glob.glob("/usr/lib/jvm/*-25-*/bin/java") + glob.glob("/usr/lib/jvm/*25*/bin/java"))
    return candidates[0] if candidates else "java"


def train_aot_cache(root, java, directory):
    """An AOT cache of this build, trained on this JVM with the flags it runs with, as the image build does."""
    cache = os.path.join(directory, f"sidecar-{abs(hash(root))}.aot")
    subprocess.run([os.path.join(ROOT, "bench", "train-class-archive.sh"), java, cache, "-XX:AOTCacheOutput"]
                   + jvm_options(root, java), env=dict(os.environ, SIDECAR_ROOT=root), check=True,
                   stdout=subprocess.DEVNULL, timeout=300)
    return cache


def server_command(kind, port, reference_bin, config, root=ROOT, java="java", aot_cache=None):
    if kind == "reference":
        return [reference_bin, "-addr", f"127.0.0.1:{port}"], {}
    app = os.path.join(root, "sidecar", "target", "quarkus-app")
    env = {"SIDECAR_PORT": str(port), "QUARKUS_HTTP_HOST": "127.0.0.1", "MALLOC_ARENA_MAX": "2"}
    if config:
        env["SIDECAR_CONFIG_FILE"] = config
    # Each build runs with its own options files: the flags are part of what a commit ships. AOTMode=on: a run
    # that could not use the cache stops instead of measuring a start without it.
    aot = [f"-XX:AOTCache={aot_cache}", "-XX:AOTMode=on"] if aot_cache else []
    return [java] + jvm_options(root, java) + aot + ["-jar", os.path.join(app, "quarkus-run.jar")], env


def start_server(command, env, port):
    """Starts a server pinned to SERVER_CPU; returns (process, ms from exec to the first 200)."""
    full_env = dict(os.environ, **env)
    started = time.monotonic()
    process = subprocess.Popen(["taskset", "-c", SERVER_CPU] + command, env=full_env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/health"
    while time.monotonic() - started < START_TIMEOUT_S:
        if process.poll() is not None:
            raise RuntimeError(f"{command[0]} exited with {process.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return process, (time.monotonic() - started) * 1000
        except OSError:
            time.sleep(0.002)
    stop(process)
    raise RuntimeError(f"no 200 from {url} within {START_TIMEOUT_S}s")


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wrk(port, seconds, connections):
    out = subprocess.run(["taskset", "-c", LOAD_CPU, "wrk", "--latency", "-t1", f"-c{connections}",
                          f"-d{seconds}s", f"http://127.0.0.1:{port}/health"],
                         capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    p99 = to_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    p50 = to_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    errors = 0
    for pattern in (r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                    r"Non-2xx or 3xx responses: (\d+)"):
        m = re.search(pattern, out)
        if m:
            errors += sum(int(g) for g in m.groups())
    return rps, p50, p99, errors, requests


def allocated_bytes(pid, port):
    """The JVM's allocation counter after a full collection (so nothing allocated is still uncounted)."""
    subprocess.run([JCMD[0], str(pid), "GC.run"], capture_output=True, timeout=30, check=True)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        text = response.read().decode()
    m = re.search(r"^jvm_gc_memory_allocated_bytes_total(?:\{[^}]*\})? (\S+)$", text, re.M)
    if m is None:
        raise RuntimeError("the sidecar's /metrics has no jvm_gc_memory_allocated_bytes_total")
    return float(m.group(1))


def to_ms(text):
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def measure(kind, reference_bin, config, warmup_s, measure_s, connections, root=ROOT, java="java", aot_cache=None):
    port = free_port()
    command, env = server_command(kind, port, reference_bin, config, root, java, aot_cache)
    process, first200 = start_server(command, env, port)
    try:
        time.sleep(1.0)  # idle: started, first request served, nothing else
        idle = rss_mib(process.pid)
        idle_anon = anon_rss_mib(process.pid)
        wrk(port, warmup_s, connections)
        loaded_peak = [0.0]
        done = threading.Event()

        def sample():
            while not done.wait(0.2):
                loaded_peak[0] = max(loaded_peak[0], rss_mib(process.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        before = allocated_bytes(process.pid, port) if kind == "sidecar" else None
        sampler.start()
        rps, p50, p99, errors, requests = wrk(port, measure_s, connections)
        done.set()
        sampler.join()
        loaded = max(loaded_peak[0], rss_mib(process.pid))
        loaded_anon = anon_rss_mib(process.pid)
        # Includes the checks' own work in the "+ checks" variants: that is what the pod pays per request served.
        per_request = ((allocated_bytes(process.pid, port) - before) / max(requests, 1)
                       if before is not None else float("nan"))
        return {"first200_ms": first200, "idle_rss_mib": idle, "rps": rps, "p50_ms": p50, "p99_ms": p99,
                "errors": errors, "loaded_rss_mib": loaded, "bytes_per_request": per_request,
                "idle_anon_mib": idle_anon, "loaded_anon_mib": loaded_anon}
    finally:
        stop(process)


def table(results, variants):
    def med(kind, key):
        return statistics.median(r[key] for r in results[kind])

    def allocation(kind):
        value = med(kind, "bytes_per_request")
        return "n/a" if value != value else f"{value:.0f}"  # NaN: the Go reference has no such counter here

    lines = ["| server | rounds | requests/s | p50 ms | p99 ms | errors | first 200 ms | idle RSS MiB | loaded RSS MiB "
             "| of which private (anon) idle / loaded MiB | allocated bytes/request |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for kind in variants:
        lines.append(f"| {kind} | {len(results[kind])} | {med(kind, 'rps'):.0f} | {med(kind, 'p50_ms'):.2f} | "
                     f"{med(kind, 'p99_ms'):.2f} | {sum(r['errors'] for r in results[kind])} | "
                     f"{med(kind, 'first200_ms'):.0f} | {med(kind, 'idle_rss_mib'):.1f} | "
                     f"{med(kind, 'loaded_rss_mib'):.1f} | {med(kind, 'idle_anon_mib'):.1f} / "
                     f"{med(kind, 'loaded_anon_mib'):.1f} | {allocation(kind)} |")
    lines.append("")
    lines.append("| ours / reference (medians) | requests/s | p99 | first 200 | idle RSS | loaded RSS |")
    lines.append("| --- | --- | --- | --- | --- | --- |")
    for kind in variants[1:]:
        lines.append(f"| {kind} | {med(kind, 'rps') / med('reference', 'rps'):.2f}x | "
                     f"{med(kind, 'p99_ms') / med('reference', 'p99_ms'):.2f}x | "
                     f"{med(kind, 'first200_ms') / med('reference', 'first200_ms'):.1f}x | "
                     f"{med(kind, 'idle_rss_mib') / med('reference', 'idle_rss_mib'):.1f}x | "
                     f"{med(kind, 'loaded_rss_mib') / med('reference', 'loaded_rss_mib'):.1f}x |")
    return "\n".join(lines)


def goals(results):
    def med(key):
        return statistics.median(r[key] for r in results["sidecar"])

    ref_rps = statistics.median(r["rps"] for r in results["reference"])
    ref_p99 = statistics.median(r["p99_ms"] for r in results["reference"])
    rows = [(f"requests/s >= {GOALS['rps_ratio_min']}x reference", med("rps") / ref_rps >= GOALS["rps_ratio_min"], f"{med('rps') / ref_rps:.2f}x"),
            (f"p99 <= {GOALS['p99_ratio_max']}x reference", med("p99_ms") / ref_p99 <= GOALS["p99_ratio_max"], f"{med('p99_ms') / ref_p99:.2f}x"),
            ("zero errors", all(r["errors"] == 0 for k in results for r in results[k]), ""),
            (f"idle RSS <= {GOALS['idle_rss_mib_max']} MiB", med("idle_rss_mib") <= GOALS["idle_rss_mib_max"], f"{med('idle_rss_mib'):.1f} MiB"),
            (f"loaded RSS <= {GOALS['loaded_rss_mib_max']} MiB", med("loaded_rss_mib") <= GOALS["loaded_rss_mib_max"], f"{med('loaded_rss_mib'):.1f} MiB"),
            (f"first 200 <= {GOALS['first200_ms_max']} ms", med("first200_ms") <= GOALS["first200_ms_max"], f"{med('first200_ms'):.0f} ms")]
    lines = ["| goal (sidecar, no checks) | met | measured |", "| --- | --- | --- |"]
    lines += [f"| {name} | {'yes' if ok else 'NO'} | {value} |" for name, ok, value in rows]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=10, help="warm-up seconds per server and round")
    parser.add_argument("--duration", type=int, default=15, help="measured seconds per server and round")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--smoke", action="store_true", help="one 1-second round of each: proves the harness runs")
    parser.add_argument("--out", help="also write the markdown here")
    parser.add_argument("--java", default=default_java(),
                        help="the sidecar's JVM; default: $BENCH_SIDECAR_JAVA, else a JDK 25 under /usr/lib/jvm (the "
                             "image's version), else java from PATH")
    parser.add_argument("--aot-cache", action=argparse.BooleanOptionalAction, default=None,
                        help="train an AOT cache per build on --java first and run with it, as the image does "
                             "(default: on for a JDK 25)")
    parser.add_argument("--baseline", metavar="DIR",
                        help="a checkout of an earlier commit with its sidecar packaged: measured in the same rounds")
    args = parser.parse_args()
    if args.smoke:
        args.rounds, args.warmup, args.duration, args.connections = 1, 1, 1, 4
    jcmd = os.path.join(os.path.dirname(shutil.which(args.java) or args.java), "jcmd")
    for tool in ("go", args.java, jcmd, "wrk", "taskset"):
        if shutil.which(tool) is None:
            sys.exit(f"bench: '{tool}' is not installed (wrk: apt-get install wrk)")

    JCMD[0] = jcmd
    if args.aot_cache is None:
        args.aot_cache = java_feature_version(args.java) >= 25
    load_start = "load average %.1f %.1f %.1f at the start" % os.getloadavg()
    workdir = tempfile.mkdtemp(prefix="bench-sidecar-")
    reference_bin = os.path.join(workdir, "reference")
    build(reference_bin)
    upstream = Upstream()
    try:
        config = checks_file(workdir, upstream.port)
        variants = {"reference": (None, ROOT), "sidecar": (None, ROOT), "sidecar + 10 checks": (config, ROOT)}
        if args.baseline:
            baseline = os.path.abspath(args.baseline)
            if not os.path.exists(os.path.join(baseline, "sidecar", "target", "quarkus-app", "quarkus-run.jar")):
                sys.exit(f"bench: {baseline} has no packaged sidecar (mvn -pl sidecar -am package -DskipTests there)")
            variants["baseline sidecar"] = (None, baseline)
            variants["baseline sidecar + 10 checks"] = (config, baseline)
        roots = {root for _, root in variants.values()} if args.aot_cache else set()
        caches = {root: train_aot_cache(root, args.java, workdir) for root in roots}
        results = {kind: [] for kind in variants}
        for round_number in range(1, args.rounds + 1):
            for kind, (cfg, root) in variants.items():
                result = measure("reference" if kind == "reference" else "sidecar", reference_bin, cfg,
                                 args.warmup, args.duration, args.connections, root, args.java, caches.get(root))
                results[kind].append(result)
                print(f"round {round_number} {kind:22s} load={os.getloadavg()[0]:.1f} " + " ".join(f"{k}={v:.2f}" if isinstance(v, float) else
                                                                     f"{k}={v}" for k, v in result.items()),
                      flush=True)
    finally:
        upstream.close()
        shutil.rmtree(workdir, ignore_errors=True)

    java = subprocess.run([args.java, "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    load = "load average %.1f %.1f %.1f at the end" % os.getloadavg()
    go = subprocess.run(["go", "version"], capture_output=True, text=True).stdout.strip()
    report = "\n".join([
        f"Command: `bench/bench_sidecar.py --rounds {args.rounds} --warmup {args.warmup} --duration {args.duration} "
        f"--connections {args.connections}"
        + f" --java {args.java}" + (" --aot-cache" if args.aot_cache else " --no-aot-cache")
        + (f" --baseline {args.baseline}" if args.baseline else "")
        + f"` ({'smoke' if args.smoke else 'full'} run), {load_start}; {load}; server on CPU {SERVER_CPU}, "
        f"wrk on CPU {LOAD_CPU}; {java}; {go}; sidecar flags: `{' '.join(os.path.relpath(o[1:], ROOT) if o.startswith('@') else o for o in jvm_options(ROOT, args.java))}`"
        + (" with an AOT cache trained on that JVM (`bench/train-class-archive.sh`)" if args.aot_cache else "")
        + ", `MALLOC_ARENA_MAX=2` (as in the image).", "",
        table(results, list(variants)), "", goals(results), ""])
    print()
    emit_report(report, args.out)


if __name__ == "__main__":
    main()
