#!/usr/bin/env bash
# Verifies the images pushed by build-images.sh: inspects each index (inspect-index.py: two platforms, numeric
# non-root user, no shell, OCI labels with this version and revision), then pulls and runs every architecture
# (arm64 under qemu-user-static) from the registry, by digest:
#   sidecar:  read-only root file system, /tmp as tmpfs, user 1001; waits for GET /health = 200 and reports the time
#             from container start to that first answer, and Quarkus' own start-up time.
#   operator: started with no Kubernetes API server reachable (or against VERIFY_KUBECONFIG, see below); it must
#             boot (Quarkus and the Operator SDK start, the reconciler is registered) and then stop with a clear
#             connection error. With VERIFY_KUBECONFIG=<file> (an API server on this machine, CRD installed) it must
#             answer GET /q/health/ready = 200 instead (admin credentials, Lease in VERIFY_NAMESPACE=default).
#             Use it with ARCHES=amd64: under qemu the TLS traffic to the API server is too slow for the client's
#             timeouts (measured: the arm64 operator's event loops block for seconds and it gives up).
#   hack/images/verify-images.sh          (after build-images.sh; reads IMAGES_CACHE/last-build.env)
# Settings: APPS, ARCHES (what is run; the index must hold INDEX_ARCHES, default amd64 arm64), REGISTRY, TLS_VERIFY as for build-images.sh; TIMEOUT_AMD64 (90s), TIMEOUT_ARM64 (600s).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_tools podman skopeo python3 curl

APPS="${APPS:-$APPS_DEFAULT}"
ARCHES="${ARCHES:-$ARCHES_DEFAULT}"
VERSION="$(project_version)"
# The revision the images were built from (build-images.sh records it): the work tree may have moved since.
SUMMARY="$IMAGES_CACHE/last-build.env"
REVISION_EXPECTED="${REVISION:-$( [[ -f "$SUMMARY" ]] && sed -n 's/^REVISION=//p' "$SUMMARY" || project_revision)}"
BASE="${BASE:-$( [[ -f "$SUMMARY" ]] && sed -n 's/^BASE=//p' "$SUMMARY" || echo debian)}"
RESULTS="$IMAGES_CACHE/last-verify.txt"
CONTAINERS=()
cleanup() { for c in "${CONTAINERS[@]}"; do podman rm -f "$c" >/dev/null 2>&1 || true; done; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b - a}'; }

passed=0; failed=0
result() { # ok|fail message
    if [[ "$1" == ok ]]; then passed=$((passed + 1)); echo "ok   $2"; else failed=$((failed + 1)); echo "FAIL $2"; fi
    echo "$1 $2" >>"$RESULTS"
}
: >"$RESULTS"

shell_flag=()
[[ "$BASE" == temurin ]] && shell_flag=(--allow-shell)

for app in $APPS; do
    repo="$(image_repo "$app")"
    ref="$REGISTRY/$repo:$VERSION"
    log "$app: inspecting $ref"
    if "$IMAGES_DIR/inspect-index.py" "$ref" --tls-verify="$TLS_VERIFY" --version "$VERSION" \
            --revision "$REVISION_EXPECTED" --platforms "$(for a in ${INDEX_ARCHES:-$ARCHES_DEFAULT}; do printf 'linux/%s,' "$a"; done | sed 's/,$//')" \
            "${shell_flag[@]}" | tee "$IMAGES_CACHE/inspect-$app.txt"; then
        result ok "$app: index inspection ($(tail -1 "$IMAGES_CACHE/inspect-$app.txt"))"
    else
        result fail "$app: index inspection ($(tail -1 "$IMAGES_CACHE/inspect-$app.txt"))"
    fi
    index_json="$(skopeo inspect --raw --tls-verify="$TLS_VERIFY" "docker://$ref")"

    for arch in $ARCHES; do
        digest="$(python3 -c 'import json,sys; print([m["digest"] for m in json.loads(sys.argv[1])["manifests"] if m.get("platform",{}).get("architecture")==sys.argv[2]][0])' "$index_json" "$arch")"
        timeout_s=$([[ "$arch" == amd64 ]] && echo "${TIMEOUT_AMD64:-90}" || echo "${TIMEOUT_ARM64:-600}")
        name="verify-$app-$arch-$$"
        port="$(free_port)"
        log "$app/$arch: pulling $repo@$digest"
        podman pull -q --tls-verify="$TLS_VERIFY" --platform "linux/$arch" "$REGISTRY/$repo@$digest" >/dev/null
        run_args=(--name "$name" --platform "linux/$arch" --network host --read-only --tmpfs /tmp:rw,size=64m)
        if [[ "$app" == sidecar ]]; then
            run_args+=(-e "SIDECAR_PORT=$port")
            url="http://127.0.0.1:$port/health"
        else
            run_args+=(-e "QUARKUS_HTTP_PORT=$port")
            if [[ -n "${VERIFY_KUBECONFIG:-}" ]]; then
                # The Lease namespace, as deploy/deployment.yaml sets it from the Pod's namespace.
                run_args+=(-v "$VERIFY_KUBECONFIG:/kubeconfig:ro" -e KUBECONFIG=/kubeconfig
                           -e "KUBERNETES_NAMESPACE=${VERIFY_NAMESPACE:-default}")
                url="http://127.0.0.1:$port/q/health/ready"
            else
                # Nothing listens on port 9 (discard): connections are refused at once.
                run_args+=(-e KUBERNETES_MASTER=https://127.0.0.1:9 -e KUBERNETES_AUTH_TRYKUBECONFIG=false
                           -e KUBERNETES_AUTH_TRYSERVICEACCOUNT=false
                           -e QUARKUS_KUBERNETES_CLIENT_REQUEST_RETRY_BACKOFF_LIMIT=0)
                url=""
            fi
        fi
        podman create -q "${run_args[@]}" "$REGISTRY/$repo@$digest" >/dev/null
        CONTAINERS+=("$name")
        t0="$(now)"
        podman start "$name" >/dev/null
        code=000; t1=""; state=""; user=""
        while :; do
            if [[ -n "$url" ]]; then
                code="$(curl -s -o "$IMAGES_CACHE/verify-body.txt" -w '%{http_code}' --max-time 2 "$url" || true)"
                if [[ "$code" == 200 ]]; then
                    t1="$(now)"
                    hpid="$(podman top "$name" hpid 2>/dev/null | sed -n 2p | tr -d ' ' || true)"
                    user="$(awk '/^Uid:/ {print $2}' "/proc/$hpid/status" 2>/dev/null || true)"
                    break
                fi
            fi
            state="$(podman inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$name")"
            if [[ "$state" == exited* || "$state" == stopped* ]]; then state="exited ${state#* }"; t1="$(now)"; break; fi
            awk -v e="$(elapsed "$t0" "$(now)")" -v t="$timeout_s" 'BEGIN {exit !(e > t)}' && break
            sleep 0.1
        done
        logs="$(podman logs "$name" 2>&1 || true)"
        started="$(grep -o 'started in [0-9.]*s' <<<"$logs" | head -1 | sed 's/started in //; s/s$//' || true)"
        if [[ -n "$url" ]]; then
            if [[ "$code" == 200 ]]; then
                result ok "$app/$arch: GET ${url#http://127.0.0.1:$port} = 200 after $(elapsed "$t0" "$t1")s from container start (Quarkus: started in ${started:-?}s; process uid ${user:-?}); body: $(head -c 160 "$IMAGES_CACHE/verify-body.txt" | tr -d '\n')"
            else
                result fail "$app/$arch: no 200 from $url (last code $code, state ${state:-running}); log tail: $(tail -5 <<<"$logs" | cut -c1-200)"
            fi
        else
            booted="$(grep -c 'Starting operator' <<<"$logs" || true)"
            conn="$(grep -oE 'Connection refused|connect timed out|UnknownHostException' <<<"$logs" | head -1 || true)"
            if [[ "$state" != exited* || "$state" == "exited 0" || "$booted" == 0 || -z "$conn" ]]; then
                result fail "$app/$arch: expected boot then exit on a connection error; state '${state:-running}', booted $booted, error '${conn}'; log tail: $(tail -3 <<<"$logs" | cut -c1-200)"
            else
                # The log's first "Starting operator" line, as epoch seconds: boot time from container start.
                boot_at="$(grep -m1 'Starting operator' <<<"$logs" | awk '{print $1" "$2}' | tr , .)"
                boot_s="$( [[ -n "$boot_at" ]] && elapsed "$t0" "$(date -u -d "$boot_at" +%s.%N)" || echo '?')"
                result ok "$app/$arch: booted (Operator SDK starting, reconciler registered) ${boot_s}s after container start, then exited with code ${state#exited } on '$conn' (no API server) after $(elapsed "$t0" "$t1")s"
            fi
        fi
        podman rm -f "$name" >/dev/null 2>&1 || true
    done
done
echo "$passed passed, $failed failed"
log "results in $RESULTS"
((failed == 0))
