#!/usr/bin/env bash
# Verifies the images pushed by build-images.sh: inspects each index (inspect-index.py: two platforms, numeric
# non-root user, no shell, OCI labels with this version and revision), then pulls and runs every architecture
# (arm64 under qemu-user-static) from the registry, by digest:
#   sidecar:  read-only root file system, /tmp as tmpfs, user 1001; waits for GET /health = 200 and reports the time
#             from container start to that first answer, and Quarkus' own start-up time.
#   operator: run against a Kubernetes API server (a local control plane that this script starts and stops, or
#             VERIFY_KUBECONFIG=<file> with admin rights), the CRD installed; it must answer GET /q/health/ready = 200
#             and then reconcile a HealthCheck: its Deployment created and the resource's Ready condition True. Each
#             architecture uses its own namespace (HealthCheck and leader-election Lease), removed afterwards.
#   hack/images/verify-images.sh          (after build-images.sh; reads IMAGES_CACHE/last-build.env)
# Settings: APPS, ARCHES (what is run; the index must hold INDEX_ARCHES, default amd64 arm64), REGISTRY, TLS_VERIFY as for build-images.sh; TIMEOUT_AMD64 (90s), TIMEOUT_ARM64 (600s) per step.
# A sidecar image with an AOT cache (AOT_CACHE_ARCHES, from build-images.sh) must start with it: it runs with
# -XX:AOTMode=on (no start without the cache) and its log must say "Opened AOT cache".
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
# The architectures whose sidecar image has an AOT cache (build-images.sh records them).
AOT_CACHE_ARCHES="${AOT_CACHE_ARCHES-$( [[ -f "$SUMMARY" ]] && sed -n 's/^AOT_CACHE_ARCHES=//p' "$SUMMARY")}"
RESULTS="$IMAGES_CACHE/last-verify.txt"
CONTAINERS=()
STARTED_CLUSTER=""
KUBECONFIG_COPY=""
cleanup() {
    for c in "${CONTAINERS[@]}"; do podman rm -f "$c" >/dev/null 2>&1 || true; done
    [[ -n "$KUBECONFIG_COPY" ]] && rm -f "$KUBECONFIG_COPY"
    if [[ -n "$STARTED_CLUSTER" ]]; then HC_CLUSTER_DIR="$STARTED_CLUSTER" "$REPO_ROOT/hack/local-cluster.sh" purge >&2 || true; fi
}
trap cleanup EXIT

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b - a}'; }

passed=0; failed=0
result() { # ok|fail message
    if [[ "$1" == ok ]]; then passed=$((passed + 1)); echo "ok   $2"; else failed=$((failed + 1)); echo "FAIL $2"; fi
    echo "$1 $2" >>"$RESULTS"
}
: >"$RESULTS"

# The operator needs an API server with the CRD: VERIFY_KUBECONFIG, or a local control plane started here.
if [[ " $APPS " == *" operator "* ]]; then
    K8S_BIN="$("$REPO_ROOT/hack/build-control-plane.sh" | tail -n 1)"
    kubectl_() { "$K8S_BIN/kubectl" --kubeconfig "$VERIFY_KUBECONFIG" "$@"; }
    if [[ -z "${VERIFY_KUBECONFIG:-}" ]]; then
        STARTED_CLUSTER="$(mktemp -d "${TMPDIR:-/tmp}/verify-images-cluster.XXXXXX")"
        log "starting a local control plane in $STARTED_CLUSTER for the operator"
        HC_NODE=kwok HC_CLUSTER_DIR="$STARTED_CLUSTER" "$REPO_ROOT/hack/local-cluster.sh" up >&2
        VERIFY_KUBECONFIG="$STARTED_CLUSTER/kubeconfig"
    fi
    # The operator runs as uid 1001 and the kubeconfig is the caller's (mode 600): hand it a readable copy.
    KUBECONFIG_COPY="$(mktemp "${TMPDIR:-/tmp}/verify-images-kubeconfig.XXXXXX")"
    cp "$VERIFY_KUBECONFIG" "$KUBECONFIG_COPY" && chmod 644 "$KUBECONFIG_COPY"
    kubectl_ apply -f "$REPO_ROOT/crds/" >&2
    # Right after the create the CRD may have no conditions yet, and kubectl wait then fails at once instead of
    # waiting: ask again (60 s in all).
    for attempt in $(seq 1 12); do
        kubectl_ wait --for=condition=Established --timeout=5s crd/healthchecks.healthcheck-operator.dev >&2 && break
        ((attempt < 12)) || die "the HealthCheck CRD was not Established within 60 s"
        sleep 1
    done
fi

# Polls until GET <url> answers 200 or the container stops or <timeout> seconds pass; sets CODE and STATE.
wait_for_200() { # container url timeout
    local started; started="$(now)"
    CODE=000; STATE=""
    while :; do
        CODE="$(curl -s -o "$IMAGES_CACHE/verify-body.txt" -w '%{http_code}' --max-time 2 "$2" || true)"
        [[ "$CODE" == 200 ]] && return 0
        STATE="$(podman inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$1")"
        [[ "$STATE" == exited* || "$STATE" == stopped* ]] && return 1
        awk -v e="$(elapsed "$started" "$(now)")" -v t="$3" 'BEGIN {exit !(e > t)}' && return 1
        sleep 0.1
    done
}

# Polls until the HealthCheck <ns>/verify has a Deployment and Ready=True, or <timeout> seconds pass.
wait_for_reconciled() { # namespace timeout
    local started; started="$(now)"
    while :; do
        if kubectl_ -n "$1" get deployment verify-healthcheck >/dev/null 2>&1 &&
           [[ "$(kubectl_ -n "$1" get healthcheck verify -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" == True ]]; then
            return 0
        fi
        awk -v e="$(elapsed "$started" "$(now)")" -v t="$2" 'BEGIN {exit !(e > t)}' && return 1
        sleep 0.5
    done
}

verify_health_check() { # namespace: the HealthCheck the operator must reconcile
    cat <<YAML
apiVersion: healthcheck-operator.dev/v1alpha1
kind: HealthCheck
metadata:
  name: verify
  namespace: $1
spec:
  checks:
    - name: db
      tcpSocket:
        host: db.$1.svc
        port: 5432
YAML
}

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
        run_args=(--name "$name" --platform "linux/$arch" --network host --read-only --tmpfs "/tmp:rw,size=64m")
        if [[ "$app" == sidecar ]]; then
            run_args+=(-e "SIDECAR_PORT=$port")
            # The image's AOT cache must be the one its JVM uses: AOTMode=on makes the JVM stop instead of starting
            # without it (the image's own default, auto, would start slower but silently), and the log says so.
            aot=""
            [[ " $AOT_CACHE_ARCHES " == *" $arch "* ]] && aot=1
            [[ -z "$aot" ]] || run_args+=(-e "JDK_JAVA_OPTIONS=-XX:AOTMode=on -Xlog:aot=info")
            path=/health
        else
            namespace="verify-images-$arch"
            kubectl_ create namespace "$namespace" >/dev/null
            run_args+=(-e "QUARKUS_HTTP_PORT=$port" -v "$KUBECONFIG_COPY:/kubeconfig:ro" -e KUBECONFIG=/kubeconfig
                       -e "HEALTHCHECK_LEADER_ELECTION_LEASE_NAMESPACE=$namespace")
            # Emulated (qemu) and on a busy machine, a connection to the API server can take longer than the client's
            # 10 s default; the informers then fail to start and the operator exits. Not a fault of the image.
            [[ "$arch" == amd64 ]] || run_args+=(-e "QUARKUS_KUBERNETES_CLIENT_CONNECTION_TIMEOUT=PT60S"
                                                 -e "QUARKUS_KUBERNETES_CLIENT_REQUEST_TIMEOUT=PT60S")
            path=/q/health/ready
        fi
        podman create -q "${run_args[@]}" "$REGISTRY/$repo@$digest" >/dev/null
        CONTAINERS+=("$name")
        t0="$(now)"
        podman start "$name" >/dev/null
        if wait_for_200 "$name" "http://127.0.0.1:$port$path" "$timeout_s"; then
            t1="$(now)"
            hpid="$(podman top "$name" hpid 2>/dev/null | sed -n 2p | tr -d ' ' || true)"
            user="$(awk '/^Uid:/ {print $2}' "/proc/$hpid/status" 2>/dev/null || true)"
            logs="$(podman logs "$name" 2>&1 || true)"
            started="$(grep -o 'started in [0-9.]*s' <<<"$logs" | head -1 | sed 's/started in //; s/s$//' || true)"
            answered="GET $path = 200 after $(elapsed "$t0" "$t1")s from container start (Quarkus: started in ${started:-?}s; process uid ${user:-?})"
            if [[ "$app" == sidecar && -n "$aot" ]] && ! grep -q 'Opened AOT cache' <<<"$logs"; then
                result fail "$app/$arch: $answered, but the log does not say the AOT cache was opened: $(grep -i aot <<<"$logs" | tail -3 | cut -c1-200)"
            elif [[ "$app" == sidecar ]]; then
                aot_note=""
                [[ -z "$aot" ]] || aot_note=" ($(grep -o 'Opened AOT cache [^ ]*' <<<"$logs" | head -1), -XX:AOTMode=on)"
                result ok "$app/$arch: $answered$aot_note; body: $(head -c 160 "$IMAGES_CACHE/verify-body.txt" | tr -d '\n')"
            else
                verify_health_check "$namespace" | kubectl_ apply -f - >/dev/null
                t2="$(now)"
                if wait_for_reconciled "$namespace" "$timeout_s"; then
                    result ok "$app/$arch: $answered; HealthCheck $namespace/verify reconciled (Deployment created, Ready=True) $(elapsed "$t2" "$(now)")s after it was applied"
                else
                    result fail "$app/$arch: $answered, but HealthCheck $namespace/verify not reconciled within ${timeout_s}s: $(kubectl_ -n "$namespace" get healthcheck verify -o jsonpath='{.status.conditions}' 2>&1 | cut -c1-300); log tail: $(podman logs "$name" 2>&1 | tail -3 | cut -c1-200)"
                fi
            fi
        else
            result fail "$app/$arch: no 200 from $path (last code $CODE, state ${STATE:-running}); log tail: $(podman logs "$name" 2>&1 | tail -5 | cut -c1-200)"
        fi
        if [[ "$app" == operator ]]; then kubectl_ delete namespace "$namespace" --wait=false >/dev/null 2>&1 || true; fi
        podman rm -f "$name" >/dev/null 2>&1 || true
    done
done
echo "$passed passed, $failed failed"
log "results in $RESULTS"
((failed == 0))
