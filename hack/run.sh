#!/usr/bin/env bash
# `make run`: the operator against the current kube context; when no context is reachable, against a
# local control plane (hack/local-cluster.sh) that it starts, with the CRD installed and the examples
# applied. Ctrl-C stops everything this script started.
#
# Environment: KUBECONFIG (as kubectl uses it), HC_RUN_LOCAL=1 to use the local control plane even when a
# context is reachable.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JAR="$ROOT/operator/target/quarkus-app/quarkus-run.jar"
log() { printf '[run] %s\n' "$*" >&2; }

log "building the operator (mvn package, tests skipped)"
(cd "$ROOT" && mvn -B -q -ntp -pl operator -am package -DskipTests)

started_cluster=""
operator_pid=""
cleanup() {
  trap - INT TERM EXIT
  if [[ -n "$operator_pid" ]] && kill -0 "$operator_pid" 2>/dev/null; then
    log "stopping the operator"
    kill -TERM "$operator_pid" 2>/dev/null || true
    wait "$operator_pid" 2>/dev/null || true
  fi
  if [[ -n "$started_cluster" ]]; then
    log "stopping the local control plane"
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
  log "no reachable kube context: starting a local control plane (first run builds it from source: minutes)"
  BIN=$("$ROOT/hack/build-control-plane.sh" | tail -1)
  "$ROOT/hack/local-cluster.sh" up
  started_cluster=1
  eval "$("$ROOT/hack/local-cluster.sh" env)"
  KUBECTL=("$BIN/kubectl")
  "${KUBECTL[@]}" apply -f "$ROOT/crds/"
  hint="$BIN/kubectl --kubeconfig $KUBECONFIG get hc -A"
fi

# Outside a pod the leader-election Lease namespace cannot be inferred: keep it in "default" unless told.
HEALTHCHECK_LEADER_ELECTION_LEASE_NAMESPACE="${HEALTHCHECK_LEADER_ELECTION_LEASE_NAMESPACE:-default}" \
  java -jar "$JAR" &
operator_pid=$!

if [[ -n "$started_cluster" ]]; then
  for ns in $(grep -h '^  namespace:' "$ROOT"/examples/*.yaml | awk '{print $2}' | sort -u); do
    "${KUBECTL[@]}" create namespace "$ns" --dry-run=client -o yaml | "${KUBECTL[@]}" apply -f -
  done
  "${KUBECTL[@]}" apply -f "$ROOT/examples/"
fi

cat >&2 <<MSG

[run] The operator is running (pid $operator_pid). In another terminal:
        $hint
        $hint -o wide -w
      Ctrl-C stops the operator$( [[ -n "$started_cluster" ]] && echo " and the local control plane").
MSG
if [[ -n "$started_cluster" ]]; then
  cat >&2 <<'MSG'
      Note: the local control plane fakes its node (kwok), so sidecar pods are reported Ready but run nothing:
      Ready=True is real, the health of the upstreams stays Unknown there.
MSG
fi
wait "$operator_pid"
