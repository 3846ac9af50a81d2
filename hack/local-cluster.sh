#!/usr/bin/env bash
# shellcheck disable=SC2034 # settings read by the parts it sources (hack/local-cluster/*.sh)
# A local Kubernetes cluster: etcd, kube-apiserver, kube-controller-manager and
# kube-scheduler on 127.0.0.1, and one node, either
#   real  (default) containerd, the kubelet, a bridge for pod traffic (10.244.0.0/24 on
#         hc-br0), kube-proxy (iptables) and CoreDNS as host processes: pods really run.
#         Images come from the local registry on 127.0.0.1:5000 (hack/images) or are
#         imported (the pause and demo-upstream images are built here). One real node
#         per machine; a second cluster refuses and names the first.
#   kwok  fake nodes (kwok-node-0, ...) whose Pods become Running and Ready without
#         running anything. Chosen automatically, with the reason, when this machine
#         cannot run containers.
# Binaries come from hack/build-control-plane.sh (built on first use, then cached;
# HC_K8S_BIN_DIR is honoured there). Each component lives in hack/local-cluster/*.sh.
#
# Usage: hack/local-cluster.sh up|down|status|env|purge
#   up      start everything (idempotent), wait for /readyz and Ready nodes
#   down    stop every process started by "up" (safe to call twice); state is kept
#   status  show processes, API server readiness and nodes; exit 1 if not running
#   env     print "export KUBECONFIG=..." (and "# node: real|kwok"); use: eval "$(hack/local-cluster.sh env)"
#   purge   down, then delete the state directory (certificates, etcd data, logs)
#
# Environment:
#   HC_CLUSTER_DIR        state dir (default ${XDG_CACHE_HOME:-$HOME/.cache}/healthcheck-operator/local-cluster)
#   HC_NODE               real (default) or kwok; kept in the state dir for the next "up"
#   HC_KWOK_NODES         number of fake nodes (default 1)
#   HC_APISERVER_PORT     fixed API server port (default: a free port, kept across restarts)
#   HC_PORT_MIN, HC_PORT_MAX  the range the free ports are picked from (default: 10000 to the ephemeral range)
#   HC_UP_TIMEOUT         seconds to wait for readiness (default 120)
#
# State dir layout: kubeconfig (admin), pki/, etcd/ (data), logs/*.log, run/*.pid, ports.env, node.env;
# a real node also keeps /var/lib/healthcheck-operator-node/<id> and /run/healthcheck-operator-node/<id>.
set -euo pipefail

HACK_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CLUSTER_DIR="${HC_CLUSTER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/healthcheck-operator/local-cluster}"
PKI="$CLUSTER_DIR/pki"
LOGS="$CLUSTER_DIR/logs"
RUN="$CLUSTER_DIR/run"
KUBECONFIG_FILE="$CLUSTER_DIR/kubeconfig"
KWOK_NODES=${HC_KWOK_NODES:-1}
TIMEOUT=${HC_UP_TIMEOUT:-120}
SERVICE_CIDR=10.96.0.0/16
SERVICE_IP=10.96.0.1   # first IP of SERVICE_CIDR: the "kubernetes" Service
KWOK_POD_CIDR=10.244.0.1/16   # kwok hands out Pod IPs from this address on
CONTROL_PLANE=(etcd kube-apiserver kube-controller-manager kube-scheduler)

# shellcheck source-path=SCRIPTDIR
{
  . "$HACK_DIR/local-cluster/lib.sh"
  . "$HACK_DIR/local-cluster/pki.sh"
  . "$HACK_DIR/local-cluster/etcd.sh"
  . "$HACK_DIR/local-cluster/apiserver.sh"
  . "$HACK_DIR/local-cluster/controllers.sh"
  . "$HACK_DIR/local-cluster/kwok.sh"
  . "$HACK_DIR/local-cluster/images.sh"
  . "$HACK_DIR/local-cluster/node.sh"
  . "$HACK_DIR/local-cluster/containerd.sh"
  . "$HACK_DIR/local-cluster/kubelet.sh"
}

# The node of this state dir: HC_NODE, else what the last "up" chose, else real.
NODE_MODE=${HC_NODE:-}
if [[ -z "$NODE_MODE" && -f "$CLUSTER_DIR/node.env" ]]; then
  NODE_MODE=$(sed -n 's/^NODE_MODE=//p' "$CLUSTER_DIR/node.env")
fi
NODE_MODE=${NODE_MODE:-real}
[[ "$NODE_MODE" == real || "$NODE_MODE" == kwok ]] || die "HC_NODE=$NODE_MODE: use real or kwok"
set_components() {
  # Start order; "down" stops them in reverse.
  if [[ "$NODE_MODE" == real ]]; then
    COMPONENTS=("${CONTROL_PLANE[@]}" "${NODE_COMPONENTS[@]}")
  else
    COMPONENTS=("${CONTROL_PLANE[@]}" kwok)
  fi
}
set_components

# Ports are kept in ports.env and reused on the next "up" when still free, so the
# kubeconfig stays valid and etcd's stored peer URL does not change.
PORT_NAMES=(ETCD_PORT ETCD_PEER_PORT KCM_PORT SCHEDULER_PORT KWOK_PORT KUBELET_PORT KUBELET_HEALTHZ_PORT
  KUBE_PROXY_METRICS_PORT KUBE_PROXY_HEALTHZ_PORT COREDNS_HEALTH_PORT COREDNS_READY_PORT)
choose_ports() {
  local name APISERVER_PORT="" "${PORT_NAMES[@]/%/=}"
  # shellcheck disable=SC1091
  [[ -f "$CLUSTER_DIR/ports.env" ]] && . "$CLUSTER_DIR/ports.env"
  if [[ -n "${HC_APISERVER_PORT:-}" ]]; then
    ! port_in_use "$HC_APISERVER_PORT" || die "HC_APISERVER_PORT=$HC_APISERVER_PORT is in use"
    APISERVER_PORT=$HC_APISERVER_PORT
    PICKED+="$APISERVER_PORT "
  else
    pick_port APISERVER_PORT "$APISERVER_PORT"
  fi
  for name in "${PORT_NAMES[@]}"; do pick_port "$name" "${!name}"; done
  for name in APISERVER_PORT "${PORT_NAMES[@]}"; do echo "$name=${!name}"; done >"$CLUSTER_DIR/ports.env"
}

# A real node unless this machine cannot run containers (then kwok, with the reason) or HC_NODE=kwok.
choose_node() {
  local why
  [[ "$NODE_MODE" == real ]] || return 0
  build_node_images
  if ! why=$(node_can_run_containers); then
    [[ "${HC_NODE:-}" != real ]] || die "HC_NODE=real, but this machine cannot run containers: $why"
    log "this machine cannot run containers ($why): using kwok's fake node instead (HC_NODE=kwok)"
    NODE_MODE=kwok
    set_components
  fi
}

start_node() {
  if [[ "$NODE_MODE" == kwok ]]; then
    start_kwok
    return 0
  fi
  write_cni_config
  start_containerd
  import_node_images
  start_kubelet
  start_kube_proxy
  start_coredns
  wait_for "CoreDNS ready" curl -fsS --max-time 2 "http://127.0.0.1:$COREDNS_READY_PORT/ready"
}

# Stops the node's pods through the kubelet while it still runs (so the CNI plugin releases their network),
# bounded; cleanup_node removes whatever is left either way.
drain_node() {
  local deadline
  pid_of kubelet >/dev/null && pid_of kube-apiserver >/dev/null || return 0
  stop_component kube-controller-manager   # no new pods for the ones deleted here
  stop_component kube-scheduler
  kubectl_ delete pods --all --all-namespaces --grace-period=0 --force --wait=false >/dev/null 2>&1 || true
  deadline=$((SECONDS + 30))
  while ((SECONDS < deadline)) && [[ -n "$(ctr_ tasks ls -q 2>/dev/null)" ]]; do sleep 0.5; done
}

cmd_up() {
  local start=$SECONDS n
  n=$(running_components)
  if ((n == ${#COMPONENTS[@]})); then
    log "already running ($CLUSTER_DIR)"
    cmd_env
    return 0
  elif ((n > 0)); then
    log "partially running ($n of ${#COMPONENTS[@]} processes): restarting"
    stop_everything
  fi

  local build_args=()
  [[ "$NODE_MODE" == kwok ]] || build_args=(--with-node)
  BIN=$("$HACK_DIR/build-control-plane.sh" "${build_args[@]}" | tail -n 1)
  [[ -x "$BIN/kube-apiserver" ]] || die "no kube-apiserver in $BIN"
  mkdir -p "$CLUSTER_DIR" "$LOGS" "$RUN"
  choose_node
  echo "NODE_MODE=$NODE_MODE" >"$CLUSTER_DIR/node.env"
  ensure_pki
  choose_ports
  # shellcheck disable=SC1091
  . "$CLUSTER_DIR/ports.env"
  if [[ "$NODE_MODE" == real ]]; then
    claim_node
    ensure_node_pki
    # What a crashed run left behind goes first.
    cleanup_node
    mkdir -p "$NODE_RUN"
    setup_bridge
  fi
  write_kubeconfig "$KUBECONFIG_FILE" admin
  write_kubeconfig "$CLUSTER_DIR/kube-controller-manager.kubeconfig" kube-controller-manager
  write_kubeconfig "$CLUSTER_DIR/kube-scheduler.kubeconfig" kube-scheduler
  write_kubeconfig "$CLUSTER_DIR/kwok.kubeconfig" kwok

  # Anything that fails from here on stops what was started.
  trap 'rc=$?; if ((rc != 0)); then log "startup failed, stopping what was started"; stop_everything; fi' EXIT

  local c
  for c in "${COMPONENTS[@]}"; do printf '\n===== %s up =====\n' "$(date -u +%FT%TZ)" >>"$LOGS/$c.log"; done

  start_etcd
  start_apiserver
  start_controller_manager
  start_scheduler
  start_node
  wait_for "nodes Ready" all_nodes_ready
  # Pods need the "default" ServiceAccount, which the controller-manager creates.
  wait_for "default ServiceAccount" kubectl_ -n default get serviceaccount default

  trap - EXIT
  if [[ "$NODE_MODE" == real ]]; then
    log "up in $((SECONDS - start))s: API server https://127.0.0.1:$APISERVER_PORT, real node $NODE_NAME ($NODE_IP)"
  else
    log "up in $((SECONDS - start))s: API server https://127.0.0.1:$APISERVER_PORT, $KWOK_NODES kwok node(s)"
  fi
  cmd_env
}

stop_everything() {
  BIN=${BIN:-$("$HACK_DIR/build-control-plane.sh" --print-bin-dir)}
  if [[ "$NODE_MODE" == real ]] && may_clean_node; then
    drain_node
    stop_all
    cleanup_node
    release_node
  else
    stop_all
  fi
}

cmd_down() {
  if [[ ! -d "$RUN" ]]; then
    log "not running ($CLUSTER_DIR)"
    return 0
  fi
  stop_everything
  log "down"
}

cmd_status() {
  local c pid ok=0
  for c in "${COMPONENTS[@]}"; do
    if pid=$(pid_of "$c"); then
      printf '%-24s running (pid %s)\n' "$c" "$pid"
    else
      printf '%-24s stopped\n' "$c"
      ok=1
    fi
  done
  if ((ok == 0)); then
    BIN=$("$HACK_DIR/build-control-plane.sh" --print-bin-dir)
    # shellcheck disable=SC1091
    . "$CLUSTER_DIR/ports.env"
    printf '%-24s %s\n' "API server" "https://127.0.0.1:$APISERVER_PORT ($(kubectl_ get --raw=/readyz 2>&1 | head -1))"
    printf '%-24s %s\n' "kubeconfig" "$KUBECONFIG_FILE"
    kubectl_ get nodes 2>&1 || ok=1
  fi
  return "$ok"
}

cmd_env() {
  echo "export KUBECONFIG=$KUBECONFIG_FILE"
  echo "# node: $NODE_MODE"
}

cmd_purge() {
  cmd_down
  if [[ "$NODE_MODE" == real ]]; then
    rm -rf "$NODE_ROOT"
  fi
  rm -rf "$CLUSTER_DIR"
  log "deleted $CLUSTER_DIR"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  purge) cmd_purge ;;
  *) sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
