#!/usr/bin/env bash
# Writes a class archive or AOT cache of the sidecar from one training run, the way the image build trains its own
# (hack/images/build-images.sh): a start, then the requests a sidecar without checks serves (/health, its live and
# ready views, a 404, /metrics), then SIGTERM; the JVM writes the archive as it exits.
#   bench/train-class-archive.sh java /tmp/sidecar.jsa -XX:ArchiveClassesAtExit                 # JDK 17 AppCDS
#   bench/train-class-archive.sh /usr/lib/jvm/temurin-25-jdk-amd64/bin/java /tmp/sidecar.aot -XX:AOTCacheOutput \
#       @sidecar/jvm.options @sidecar/jvm-25.options                                              # JDK 25 AOT cache
# JVM options after the third argument replace the default (@sidecar/jvm.options): train with the flags the runs
# will use, since the JVM refuses a cache made with another GC or object-header layout. An archive is only used with
# the same class path: the jar is SIDECAR_ROOT/sidecar/target/quarkus-app/quarkus-run.jar (SIDECAR_ROOT: this
# checkout unless given), the one bench/bench_sidecar.py runs.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SIDECAR_ROOT="${SIDECAR_ROOT:-$ROOT}"
JAVA="${1:?java executable}"
ARCHIVE="${2:?archive file to write}"
FLAG="${3:?-XX:ArchiveClassesAtExit or -XX:AOTCacheOutput}"
shift 3
OPTIONS=("$@")
((${#OPTIONS[@]} > 0)) || OPTIONS=("@$SIDECAR_ROOT/sidecar/jvm.options")
# The AOT cache's dump copies all class metadata (about 33 MiB here) inside the metaspace and class-space limits,
# which the sidecar's own caps leave no room for; the image build trains with the same two.
[[ "$FLAG" == -XX:AOTCacheOutput ]] && OPTIONS+=(-XX:CompressedClassSpaceSize=64m -XX:MaxMetaspaceSize=128m)
PORT="${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}"
URL="http://127.0.0.1:$PORT"

rm -f "$ARCHIVE"
MALLOC_ARENA_MAX=2 SIDECAR_PORT="$PORT" QUARKUS_HTTP_HOST=127.0.0.1 \
    "$JAVA" "${OPTIONS[@]}" "$FLAG=$ARCHIVE" -jar "$SIDECAR_ROOT/sidecar/target/quarkus-app/quarkus-run.jar" \
    >"$ARCHIVE.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 300); do
    curl -sf "$URL/health" >/dev/null && break
    sleep 0.1
done
for _ in $(seq 50); do
    curl -s "$URL/health" "$URL/health" "$URL/health/live" "$URL/health/ready" "$URL/nope" >/dev/null || true
done
for _ in $(seq 5); do curl -s -o /dev/null "$URL/metrics" || true; done
kill "$pid"
# Bounded: writing the archive takes a few seconds; give up after two minutes.
for _ in $(seq 1200); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
trap - EXIT
rm -f "$ARCHIVE.config"
[[ -s "$ARCHIVE" ]] || { echo "no archive written; see $ARCHIVE.log" >&2; exit 1; }
ls -l "$ARCHIVE" >&2
