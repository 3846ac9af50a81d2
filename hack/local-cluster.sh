#!/usr/bin/env bash
# A local Kubernetes control plane without containers, listening on 127.0.0.1 only:
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok, which
# plays the kubelet of fake nodes (kwok-node-0, ...) so that scheduled Pods become
# Running and Ready without running anything. Binaries come from
# hack/build-control-plane.sh (built on first use, then cached; HC_K8S_BIN_DIR
# is honoured there).
#
# Usage: hack/local-cluster.sh up|down|status|env|purge
#   up      start everything (idempotent), wait for /readyz and Ready nodes
#   down    stop every process started by "up" (safe to call twice); state is kept
#   status  show processes, API server readiness and nodes; exit 1 if not running
#   env     print "export KUBECONFIG=..."; use: eval "$(hack/local-cluster.sh env)"
#   purge   down, then delete the state directory (certificates, etcd data, logs)
#
# Environment:
#   HC_CLUSTER_DIR        state dir (default ${XDG_CACHE_HOME:-$HOME/.cache}/healthcheck-operator/local-cluster)
#   HC_KWOK_NODES         number of fake nodes (default 1)
#   HC_APISERVER_PORT     fixed API server port (default: a free port, kept across restarts)
#   HC_UP_TIMEOUT         seconds to wait for readiness (default 120)
#
# State dir layout: kubeconfig (admin), pki/, etcd/ (data), logs/*.log, run/*.pid, ports.env
set -euo pipefail

HACK_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CLUSTER_DIR="${HC_CLUSTER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/healthcheck-operator/local-cluster}"
PKI="$CLUSTER_DIR/pki"
LOGS="$CLUSTER_DIR/logs"
RUN="$CLUSTER_DIR/run"
KUBECONFIG_FILE="$CLUSTER_DIR/kubeconfig"
NODES=${HC_KWOK_NODES:-1}
TIMEOUT=${HC_UP_TIMEOUT:-120}
SERVICE_CIDR=10.96.0.0/16
SERVICE_IP=10.96.0.1   # first IP of SERVICE_CIDR: the "kubernetes" Service
POD_CIDR=10.244.0.1/16   # kwok hands out Pod IPs from this address on
# Start order; "down" stops them in reverse.
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

log() { printf '[local-cluster] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------- processes

pid_of() { # <component>: prints the pid if that process is still ours and alive
  local f="$RUN/$1.pid" pid
  [[ -f "$f" ]] || return 1
  pid=$(cat "$f")
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  # Guard against a recycled pid: the process must still run our binary.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "/$1 " || return 1
  echo "$pid"
}

stop_component() { # <component>
  local pid i
  if pid=$(pid_of "$1"); then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do  # up to 10 s for a clean shutdown
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "$1 (pid $pid) did not stop, killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    log "stopped $1 (pid $pid)"
  fi
  rm -f "$RUN/$1.pid"
}

stop_all() {
  local i
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
    stop_component "${COMPONENTS[i]}"
  done
}

start_component() { # <component> <args...>
  local name=$1
  shift
  # setsid: own session, so the processes outlive this script and are not hit
  # by a Ctrl-C meant for the caller's shell.
  setsid "$BIN/$name" "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  local pid=$! i
  echo "$pid" >"$RUN/$name.pid"
  # Until the binary itself runs, pid_of may not recognise the process and take it for dead: the forked
  # shell has another command line, and while setsid execs the binary the command line reads empty.
  # (setsid's own command line names the binary too, so it is the executable that is waited for.)
  for ((i = 0; i < 100; i++)); do
    [[ "/proc/$pid/exe" -ef "$BIN/$name" ]] || ! kill -0 "$pid" 2>/dev/null && break
    sleep 0.05
  done
  log "started $name (pid $pid), log: $LOGS/$name.log"
}

# ---------------------------------------------------------------- ports

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Ports come from below the kernel's ephemeral range: a port in that range can
# be taken at any moment as the local end of an outgoing connection (the API
# server opens many to etcd), and a listener then fails with "address already
# in use" even though nothing listens there.
PORT_MIN=10000
PORT_MAX=$(( $(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768) - 1 ))
((PORT_MAX > PORT_MIN + 1000)) || PORT_MAX=$((PORT_MIN + 10000))
PICKED=" "
usable_port() { # <port>: outside the ephemeral range, not listened on, not picked yet
  (($1 >= PORT_MIN && $1 <= PORT_MAX)) && ! port_in_use "$1" && [[ "$PICKED" != *" $1 "* ]]
}
pick_port() { # <variable> [preferred port]: sets the variable to a usable port
  local -n picked_port=$1
  local p=${2:-}
  if [[ -z "$p" ]] || ! usable_port "$p"; then
    for _ in $(seq 200); do
      p=$((PORT_MIN + RANDOM % (PORT_MAX - PORT_MIN)))
      usable_port "$p" && break
      p=""
    done
  fi
  [[ -n "$p" ]] || die "no free port found between $PORT_MIN and $PORT_MAX"
  PICKED+="$p "
  # shellcheck disable=SC2034 # assigned through the nameref
  picked_port=$p
}

# Ports are kept in ports.env and reused on the next "up" when still free, so the
# kubeconfig stays valid and etcd's stored peer URL does not change.
choose_ports() {
  local ETCD_PORT="" ETCD_PEER_PORT="" APISERVER_PORT="" KCM_PORT="" SCHEDULER_PORT="" KWOK_PORT=""
  # shellcheck disable=SC1091
  [[ -f "$CLUSTER_DIR/ports.env" ]] && . "$CLUSTER_DIR/ports.env"
  if [[ -n "${HC_APISERVER_PORT:-}" ]]; then
    ! port_in_use "$HC_APISERVER_PORT" || die "HC_APISERVER_PORT=$HC_APISERVER_PORT is in use"
    APISERVER_PORT=$HC_APISERVER_PORT
    PICKED+="$APISERVER_PORT "
  else
    pick_port APISERVER_PORT "$APISERVER_PORT"
  fi
  pick_port ETCD_PORT "$ETCD_PORT"
  pick_port ETCD_PEER_PORT "$ETCD_PEER_PORT"
  pick_port KCM_PORT "$KCM_PORT"
  pick_port SCHEDULER_PORT "$SCHEDULER_PORT"
  pick_port KWOK_PORT "$KWOK_PORT"
  cat >"$CLUSTER_DIR/ports.env" <<EOF
ETCD_PORT=$ETCD_PORT
ETCD_PEER_PORT=$ETCD_PEER_PORT
APISERVER_PORT=$APISERVER_PORT
KCM_PORT=$KCM_PORT
SCHEDULER_PORT=$SCHEDULER_PORT
KWOK_PORT=$KWOK_PORT
EOF
}

# ---------------------------------------------------------------- certificates

# Signs a certificate with the cluster CA (or $CA). <name> <subject> <extensions>
sign_cert() {
  local name=$1 subj=$2 ext=$3 ca=${CA:-ca}
  openssl req -new -newkey rsa:2048 -nodes -keyout "$PKI/$name.key" -subj "$subj" \
    -out "$PKI/$name.csr" 2>/dev/null
  printf '%s\n' "$ext" >"$PKI/$name.ext"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/$ca.crt" -CAkey "$PKI/$ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$PKI/$name.ext"
}

# Generated once per state dir and kept, so kubeconfigs survive down/up.
PKI_FILES=(ca admin apiserver kube-controller-manager kube-scheduler kwok front-proxy-ca front-proxy-client)
ensure_pki() {
  local f missing=0
  for f in "${PKI_FILES[@]}"; do [[ -f "$PKI/$f.crt" ]] || missing=1; done
  [[ -f "$PKI/.complete" && -f "$PKI/sa.key" && $missing == 0 ]] && return 0
  command -v openssl >/dev/null 2>&1 || die "openssl is required"
  log "generating certificates in $PKI"
  rm -rf "$PKI"
  mkdir -p "$PKI"
  chmod 700 "$PKI"
  openssl req -x509 -new -newkey rsa:2048 -nodes -keyout "$PKI/ca.key" -out "$PKI/ca.crt" \
    -days 3650 -sha256 -subj "/CN=healthcheck-operator-local-ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  sign_cert apiserver "/CN=kube-apiserver" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:$SERVICE_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  local client="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
  sign_cert admin "/O=system:masters/CN=kubernetes-admin" "$client"
  # Identities with the built-in RBAC roles of these components.
  sign_cert kube-controller-manager "/CN=system:kube-controller-manager" "$client"
  sign_cert kube-scheduler "/CN=system:kube-scheduler" "$client"
  # kwok updates Node and Pod status and node Leases on behalf of fake kubelets.
  sign_cert kwok "/O=system:masters/CN=kwok" "$client"
  # Front-proxy (request header) CA and client: the apiserver's aggregation layer
  # authenticates with it, and kube-controller-manager/kube-scheduler expect its CA
  # in kube-system/extension-apiserver-authentication (they log errors without it).
  openssl req -x509 -new -newkey rsa:2048 -nodes -keyout "$PKI/front-proxy-ca.key" -out "$PKI/front-proxy-ca.crt" \
    -days 3650 -sha256 -subj "/CN=healthcheck-operator-local-front-proxy-ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  CA=front-proxy-ca sign_cert front-proxy-client "/CN=front-proxy-client" "$client"
  # Service account token signing keypair.
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$PKI/sa.key" 2>/dev/null
  openssl pkey -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  touch "$PKI/.complete"
}

write_kubeconfig() { # <file> <client cert name>
  local b64="base64 -w0"
  cat >"$1.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: healthcheck-local
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority-data: $($b64 <"$PKI/ca.crt")
users:
- name: $2
  user:
    client-certificate-data: $($b64 <"$PKI/$2.crt")
    client-key-data: $($b64 <"$PKI/$2.key")
contexts:
- name: healthcheck-local
  context:
    cluster: healthcheck-local
    user: $2
current-context: healthcheck-local
EOF
  chmod 600 "$1.tmp"
  mv -f "$1.tmp" "$1"
}

# ---------------------------------------------------------------- waiting

kubectl_() { "$BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }

wait_for() { # <description> <command...>: polls until the command succeeds
  local what=$1 deadline=$((SECONDS + TIMEOUT)) c
  shift
  until "$@" >/dev/null 2>&1; do
    for c in "${COMPONENTS[@]}"; do
      if [[ -f "$RUN/$c.pid" ]] && ! pid_of "$c" >/dev/null; then
        die "$c exited while waiting for $what; last lines of $LOGS/$c.log:
$(tail -n 20 "$LOGS/$c.log" 2>/dev/null)"
      fi
    done
    ((SECONDS < deadline)) || die "timed out after ${TIMEOUT}s waiting for $what"
    sleep 0.5
  done
}

# ---------------------------------------------------------------- commands

running_components() {
  local c n=0
  for c in "${COMPONENTS[@]}"; do pid_of "$c" >/dev/null && n=$((n + 1)); done
  echo "$n"
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
    stop_all
  fi

  BIN=$("$HACK_DIR/build-control-plane.sh" | tail -n 1)
  [[ -x "$BIN/kube-apiserver" ]] || die "no kube-apiserver in $BIN"
  mkdir -p "$CLUSTER_DIR" "$LOGS" "$RUN"
  ensure_pki
  choose_ports
  # shellcheck disable=SC1091
  . "$CLUSTER_DIR/ports.env"
  write_kubeconfig "$KUBECONFIG_FILE" admin
  write_kubeconfig "$CLUSTER_DIR/kube-controller-manager.kubeconfig" kube-controller-manager
  write_kubeconfig "$CLUSTER_DIR/kube-scheduler.kubeconfig" kube-scheduler
  write_kubeconfig "$CLUSTER_DIR/kwok.kubeconfig" kwok

  # Anything that fails from here on stops what was started.
  trap 'rc=$?; if ((rc != 0)); then log "startup failed, stopping what was started"; stop_all; fi' EXIT

  printf '\n===== %s up =====\n' "$(date -u +%FT%TZ)" | tee -a "$LOGS"/{etcd,kube-apiserver,kube-controller-manager,kube-scheduler,kwok}.log >/dev/null

  start_component etcd \
    --name=local --data-dir="$CLUSTER_DIR/etcd" \
    --listen-client-urls="http://127.0.0.1:$ETCD_PORT" \
    --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster="local=http://127.0.0.1:$ETCD_PEER_PORT" \
    --unsafe-no-fsync=true
  # --unsafe-no-fsync: a throw-away dev cluster, and fsync latency dominates
  # apiserver write latency on shared CI disks.
  wait_for "etcd" port_in_use "$ETCD_PORT"

  start_component kube-apiserver \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$APISERVER_PORT" \
    --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
    --client-ca-file="$PKI/ca.crt" \
    --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" \
    --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User \
    --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --proxy-client-cert-file="$PKI/front-proxy-client.crt" \
    --proxy-client-key-file="$PKI/front-proxy-client.key" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$PKI/sa.pub" \
    --service-account-signing-key-file="$PKI/sa.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --authorization-mode=Node,RBAC \
    --enable-admission-plugins=NodeRestriction \
    --allow-privileged=true \
    --endpoint-reconciler-type=none \
    --profiling=false
  # --endpoint-reconciler-type=none: the "kubernetes" Service would need an
  # endpoint address, and 127.0.0.1 is rejected as one (loopback).
  wait_for "kube-apiserver /readyz" kubectl_ get --raw=/readyz

  start_component kube-controller-manager \
    --kubeconfig="$CLUSTER_DIR/kube-controller-manager.kubeconfig" \
    --authentication-kubeconfig="$CLUSTER_DIR/kube-controller-manager.kubeconfig" \
    --authorization-kubeconfig="$CLUSTER_DIR/kube-controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port="$KCM_PORT" \
    --leader-elect=false \
    --use-service-account-credentials=true \
    --service-account-private-key-file="$PKI/sa.key" \
    --root-ca-file="$PKI/ca.crt" \
    --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --cluster-name=healthcheck-local \
    --kube-api-qps=100 --kube-api-burst=200 \
    --profiling=false
  # --kube-api-qps: each controller's client is limited to 20 requests/s by default; with a thousand
  # Deployments created at once the deployment controller alone needs minutes to write their statuses.

  start_component kube-scheduler \
    --kubeconfig="$CLUSTER_DIR/kube-scheduler.kubeconfig" \
    --authentication-kubeconfig="$CLUSTER_DIR/kube-scheduler.kubeconfig" \
    --authorization-kubeconfig="$CLUSTER_DIR/kube-scheduler.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port="$SCHEDULER_PORT" \
    --leader-elect=false \
    --profiling=false

  local stage_args=() f
  for f in "$HACK_DIR"/kwok/stages/*.yaml; do stage_args+=(--config="$f"); done
  start_component kwok \
    --kubeconfig="$CLUSTER_DIR/kwok.kubeconfig" \
    "${stage_args[@]}" \
    --manage-all-nodes=false \
    --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --node-lease-duration-seconds=40 \
    --cidr="$POD_CIDR" \
    --node-ip=10.0.0.1 \
    --server-address="127.0.0.1:$KWOK_PORT"
  # --node-lease-duration-seconds: kwok renews a Lease per node, which is what
  # the node lifecycle controller checks; without it nodes turn NotReady after ~40 s.

  local i
  for ((i = 0; i < NODES; i++)); do
    sed "s/__NAME__/kwok-node-$i/g" "$HACK_DIR/kwok/node.yaml" | kubectl_ apply -f - >/dev/null
  done
  wait_for "nodes Ready" kubectl_ wait --for=condition=Ready node --all --timeout=2s
  # Pods need the "default" ServiceAccount, which the controller-manager creates.
  wait_for "default ServiceAccount" kubectl_ -n default get serviceaccount default

  trap - EXIT
  log "up in $((SECONDS - start))s: API server https://127.0.0.1:$APISERVER_PORT, $NODES kwok node(s)"
  cmd_env
}

cmd_down() {
  if [[ ! -d "$RUN" ]]; then
    log "not running ($CLUSTER_DIR)"
    return 0
  fi
  stop_all
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
}

cmd_purge() {
  cmd_down
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
