#!/usr/bin/env python3
"""Heap per 1,000 HealthChecks of the operator's caches of the objects it applies (a sidecar Deployment and its
Service each) and of the HealthChecks themselves, as the API server serves them and as the operator keeps them:
of an owned object only the operator's own server-side apply entry of managedFields, as a compact field set
(OwnedObjectItemStore); of a HealthCheck no managedFields at all. The objects are the ones a bench-operator run
made (bench/cache-footprint/served-*.json, with the managedFields of the operator, the controller-manager and the
client that created the HealthCheck).
No cluster: the operator jar's classes parse N copies each way, and the heap in use after full collections is
compared with the heap before. One JVM per variant, the serial collector, as the operator image runs.

  bench/bench_cache_footprint.py            # N=2000
  bench/bench_cache_footprint.py --smoke    # N=200, for `make test` (nothing judged)

The last line is one JSON object with the figures.
"""
import argparse
import glob
import json
import os
import subprocess
import sys

from benchlib import emit_report

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HERE = os.path.join(ROOT, "bench", "cache-footprint")
APP = os.environ.get("BENCH_OPERATOR_APP", os.path.join(ROOT, "operator", "target", "quarkus-app"))
FIELD_MANAGER = "healthcheck"  # the operator's (the controller's name), as in the served managedFields


# The objects each cache holds per HealthCheck: the owned ones (OwnedObjectItemStore) and the HealthCheck itself.
GROUPS = [("owned", "sidecar Deployment + Service", ["served-deployment.json", "served-service.json"]),
          ("healthcheck", "HealthCheck", ["served-healthcheck.json"])]


def heap_per_1000(variant, count, files):
    classpath = ":".join([os.path.join(APP, "app", "*"), os.path.join(APP, "lib", "main", "*")])
    run = subprocess.run(["java", "-Xmx1g", "-XX:+UseSerialGC", "-cp", classpath,
                          os.path.join(HERE, "CacheFootprint.java"), variant, str(count), FIELD_MANAGER,
                          *[os.path.join(HERE, f) for f in files]],
                         capture_output=True, text=True, timeout=300)
    if run.returncode != 0:
        sys.exit(f"bench: CacheFootprint {variant} failed:\n{run.stderr[-2000:]}")
    return float(run.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.smoke:
        args.count = 200
    if not glob.glob(os.path.join(APP, "app", "*.jar")):
        subprocess.run(["mvn", "-B", "-q", "-ntp", "-pl", "operator", "-am", "package", "-DskipTests"],
                       cwd=ROOT, check=True)
    rows, figures = [], {"count": args.count}
    for key, name, files in GROUPS:
        served = heap_per_1000("served", args.count, files)
        stored = heap_per_1000("stored", args.count, files)
        rows.append(f"| {name} | {served:.1f} | {stored:.1f} ({stored / served:.2f}x) |")
        figures[f"{key}_served_mib_per_1000"] = round(served, 1)
        figures[f"{key}_stored_mib_per_1000"] = round(stored, 1)
    report = "\n".join([
        f"Command: `bench/bench_cache_footprint.py --count {args.count}`"
        + (" (smoke run)" if args.smoke else "") + "; the objects of bench/cache-footprint/.", "",
        "| cached per HealthCheck | MiB per 1,000 as served (every manager's managedFields, parsed maps) "
        "| as the operator keeps them |", "| --- | --- | --- |", *rows, "",
        json.dumps(figures)])
    emit_report(report, args.out)


if __name__ == "__main__":
    main()
