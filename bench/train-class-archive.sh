#!/usr/bin/env bash
# Writes a class archive of the sidecar from one training run, for the start-time alternatives in BENCHMARKS.md:
#   bench/train-class-archive.sh java /tmp/sidecar.jsa -XX:ArchiveClassesAtExit         # JDK 17 AppCDS
#   bench/train-class-archive.sh /usr/lib/jvm/temurin-25-jdk-amd64/bin/java /tmp/sidecar.aot -XX:AOTCacheOutput
# The archive is written when the JVM exits; it holds what the run loaded: a start, /health, /metrics and a 404.
# The jar path is the one bench/bench_sidecar.py uses, since an archive is only used with the same class path.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
JAVA="${1:?java executable}"
ARCHIVE="${2:?archive file to write}"
FLAG="${3:?-XX:ArchiveClassesAtExit or -XX:AOTCacheOutput}"
PORT="${PORT:-18990}"

rm -f "$ARCHIVE"
MALLOC_ARENA_MAX=2 SIDECAR_PORT="$PORT" QUARKUS_HTTP_HOST=127.0.0.1 \
    "$JAVA" "@$ROOT/sidecar/jvm.options" "$FLAG=$ARCHIVE" -jar "$ROOT/sidecar/target/quarkus-app/quarkus-run.jar" \
    >"$ARCHIVE.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 300); do
    curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break
    sleep 0.1
done
for _ in $(seq 100); do
    curl -s "http://127.0.0.1:$PORT/health" "http://127.0.0.1:$PORT/metrics" "http://127.0.0.1:$PORT/nope" >/dev/null
done
kill "$pid"
# Bounded: writing the archive takes a few seconds; give up after a minute.
for _ in $(seq 600); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
trap - EXIT
[[ -s "$ARCHIVE" ]] || { echo "no archive written; see $ARCHIVE.log" >&2; exit 1; }
ls -l "$ARCHIVE"
