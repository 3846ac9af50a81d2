#!/usr/bin/env bash
# `make run`: the operator against the current kube context; when no context is reachable, against a
# local cluster (hack/local-cluster.sh) that it starts, with the CRD installed and the examples applied
# (on a real node also the demo upstream of examples/demo-upstream/, so examples/demo.yaml turns Healthy).
# On a real node the sidecar image comes from the local registry: it is built and pushed there first
# (hack/images/build-images.sh, this machine's architecture only).
# Ctrl-C stops everything this script started (the local registry keeps running: hack/images/registry.sh stop).
#
# Environment: KUBECONFIG (as kubectl uses it), HC_RUN_LOCAL=1 to use the local cluster even when a
# context is reachable, HC_NODE=kwok for a fake node (nothing runs in the pods, health stays Unknown).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JAR="$ROOT/operator/target/quarkus-app/quarkus-run.jar"
log() { printf '[run] %s\n' "$*" >&2; }

log "building the operator and the sidecar (mvn package, tests skipped)"
(cd "$ROOT" && mvn -B -q -ntp -pl operator,sidecar -am package -DskipTests)

started_cluster=""
node=""
operator_pid=""
cleanup() {
  trap - INT TERM EXIT
  if [[ -n "$operator_pid" ]] && kill -0 "$operator_pid" 2>/dev/null; then
    log "stopping the operator"
    kill -TERM "$operator_pid" 2>/dev/null || true
    wait "$operator_pid" 2>/dev/null || true
  fi
  if [[ -n "$started_cluster" ]]; then
    log "stopping the local cluster"
    "$ROOT/hack/local-cluster.sh" down || true
  fi
}
trap cleanup INT TERM EXIT

context_reachable() {
  command -v kubectl >/dev/null 2>&1 || return 1
  kubectl config current-context >/dev/null 2>&1 || return 1
  kubectl --request-timeout=5s get --raw /readyz >/dev/null 2>&1
}

if [[ "${HC_RUN_LOCAL:-0}" != "1" ]] && context_reachable; then
  log "using kube context '$(kubectl config current-context)'"
  KUBECTL=(kubectl)
  hint="kubectl get hc -A"
else
  log "no reachable kube context: starting a local cluster (first run builds it from source: minutes)"
  BIN=$("$ROOT/hack/build-control-plane.sh" | tail -1)
  "$ROOT/hack/local-cluster.sh" up
  started_cluster=1
  eval "$("$ROOT/hack/local-cluster.sh" env)"
  node=$("$ROOT/hack/local-cluster.sh" env | sed -n 's/^# node: //p')
  if [[ "$node" == real ]]; then
    log "pushing the sidecar image to the local registry, where the node pulls it from"
    APPS=sidecar ARCHES=$(uname -m | sed -e 's/x86_64/amd64/' -e 's/aarch64/arm64/') SKIP_MAVEN=1 \
      "$ROOT/hack/images/build-images.sh" >/dev/null
  fi
  KUBECTL=("$BIN/kubectl")
  "${KUBECTL[@]}" apply -f "$ROOT/crds/"
  hint="$BIN/kubectl --kubeconfig $KUBECONFIG get hc -A"
fi

# Outside a pod the leader-election Lease namespace cannot be inferred: keep it in "default" unless told.
# The image's JVM settings, sized by the memory limit of deploy/deployment.yaml rather than by this machine's RAM.
HEALTHCHECK_LEADER_ELECTION_LEASE_NAMESPACE="${HEALTHCHECK_LEADER_ELECTION_LEASE_NAMESPACE:-default}" \
  java @"$ROOT/operator/jvm.options" -XX:MaxRAM=768m -jar "$JAR" &
operator_pid=$!

if [[ -n "$started_cluster" ]]; then
  while read -r ns; do
    "${KUBECTL[@]}" create namespace "$ns" --dry-run=client -o yaml | "${KUBECTL[@]}" apply -f -
  done < <(grep -h '^  namespace:' "$ROOT"/examples/*.yaml | awk '{print $2}' | sort -u)
  # The Secrets the examples' comments tell a user to create first (a random value each), so that those examples
  # get Ready too instead of SecretNotFound.
  while read -r ns name key; do
    "${KUBECTL[@]}" -n "$ns" get secret "$name" >/dev/null 2>&1 ||
      "${KUBECTL[@]}" -n "$ns" create secret generic "$name" \
        --from-literal="$key=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')" >/dev/null
  done < <(sed -nE 's/^#   kubectl -n ([a-z0-9-]+) create secret generic ([a-z0-9.-]+) --from-literal=([A-Za-z0-9._-]+)=.*/\1 \2 \3/p' \
             "$ROOT"/examples/*.yaml)
  if [[ "$node" == real ]]; then "${KUBECTL[@]}" apply -f "$ROOT/examples/demo-upstream/"; fi
  "${KUBECTL[@]}" apply -f "$ROOT/examples/"
fi

cat >&2 <<MSG

[run] The operator is running (pid $operator_pid). In another terminal:
        $hint
        $hint -o wide -w
      Ctrl-C stops the operator$( [[ -n "$started_cluster" ]] && echo " and the local control plane").
MSG
if [[ -n "$started_cluster" && "$node" == real ]]; then
  cat >&2 <<'MSG'
      The demo upstream (examples/demo-upstream/) makes the HealthCheck demo Healthy; break it and heal it:
        kubectl -n demo port-forward deploy/demo-upstream 18080:8080 &
        curl -X POST localhost:18080/break     # demo turns Unhealthy
        curl -X POST localhost:18080/heal      # and Healthy again
MSG
elif [[ -n "$started_cluster" ]]; then
  cat >&2 <<'MSG'
      Note: the local cluster fakes its node (kwok), so sidecar pods are reported Ready but run nothing:
      Ready=True is real, the health of the upstreams stays Unknown there.
MSG
fi
wait "$operator_pid"
