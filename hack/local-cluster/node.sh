# shellcheck shell=bash
# shellcheck disable=SC2034 # settings used by the other parts of hack/local-cluster.sh
# A real node for the local cluster (sourced by hack/local-cluster.sh): containerd, the kubelet, a bridge for
# pod traffic, kube-proxy and CoreDNS as host processes. The bridge, kube-proxy's iptables chains, the kubepods
# cgroups and /var/run/netns are machine-wide, so one real node runs per machine: a second cluster refuses.
#
# Pod traffic stays on the bridge: pods get 10.244.0.0/24, the bridge's address 10.244.0.1 is the node's
# InternalIP, where the API server, the kubelet and CoreDNS answer pods. Nothing is masqueraded to the outside.

NODE_NAME=local-node
NODE_BRIDGE=hc-br0
NODE_POD_CIDR=10.244.0.0/24
NODE_IP=10.244.0.1
NODE_DNS_IP=$NODE_IP
NODE_CNI_NETWORK=healthcheck-local
NODE_PACKAGES=(containerd runc containernetworking-plugins iptables conntrack iproute2)
# Held around apt-get by the scripts of this repository that install packages while others may (hack/images too).
APT_LOCK=/run/lock/healthcheck-operator-apt.lock
# Machine-wide: which cluster dir owns the real node.
NODE_HOME=/run/healthcheck-operator-node
NODE_OWNER_FILE=$NODE_HOME/owner
# Per cluster, short paths (unix sockets have a 108-byte limit, cluster dirs under target/ are long).
NODE_ID=$(printf '%s' "$CLUSTER_DIR" | sha256sum | cut -c1-8)
NODE_ROOT=/var/lib/healthcheck-operator-node/$NODE_ID   # containerd's images, the kubelet's pods, CNI config
NODE_RUN=$NODE_HOME/$NODE_ID                            # containerd state and socket
CONTAINERD_SOCKET=$NODE_RUN/containerd.sock
NODE_COMPONENTS=(containerd kubelet kube-proxy coredns)
EXE["containerd"]=/usr/bin/containerd

ctr_() { ctr --address "$CONTAINERD_SOCKET" -n k8s.io "$@"; }

# ---------------------------------------------------------------- preflight

install_node_packages() {
  local missing=() p
  for p in "${NODE_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  command -v apt-get >/dev/null 2>&1 || { log "cannot install ${missing[*]}: no apt-get"; return 1; }
  log "installing ${missing[*]} (apt-get)"
  # Two clusters may start at once (make test: the cluster tests' and the end-to-end tier's), and the images lane
  # installs its tools meanwhile: one apt-get at a time (APT_LOCK), and dpkg's own lock waited for, not failed on.
  local lock status=0
  mkdir -p "${APT_LOCK%/*}"
  exec {lock}>"$APT_LOCK"
  flock -w 900 "$lock" || { log "another apt-get held $APT_LOCK for 15 minutes"; return 1; }
  { apt-get -o DPkg::Lock::Timeout=600 update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
      "${missing[@]}"; } >"$LOGS/apt-get.log" 2>&1 || status=$?
  exec {lock}>&-
  ((status == 0)) || { log "apt-get failed, see $LOGS/apt-get.log"; return 1; }
}

# Can this machine run a container at all? runc runs a static program in a bundle of its own, and an overlay
# mount is tried where containerd keeps its snapshots. Prints why not on failure.
node_can_run_containers() {
  local dir id="hc-preflight-$NODE_ID" rc=0
  ((EUID == 0)) || { echo "not root"; return 1; }
  install_node_packages || { echo "the packages ${NODE_PACKAGES[*]} are missing"; return 1; }
  [[ -x "$PAUSE_BIN" ]] || { echo "no pause program at $PAUSE_BIN"; return 1; }
  mkdir -p "$NODE_ROOT"
  dir=$(mktemp -d "$NODE_ROOT/.preflight.XXXXXX")
  mkdir -p "$dir/lower" "$dir/upper" "$dir/work" "$dir/merged" "$dir/bundle/rootfs"
  if ! mount -t overlay overlay -o "lowerdir=$dir/lower,upperdir=$dir/upper,workdir=$dir/work" "$dir/merged" 2>"$dir/err"; then
    echo "overlay mount failed: $(cat "$dir/err")"
    rm -rf "$dir"
    return 1
  fi
  umount "$dir/merged"
  cp "$PAUSE_BIN" "$dir/bundle/rootfs/pause"
  (cd "$dir/bundle" && runc spec)
  sed -i -e 's/"terminal": true/"terminal": false/' -e 's/"sh"/"\/pause"/' "$dir/bundle/config.json"
  if timeout 20 runc --root "$dir/runc" run --detach --bundle "$dir/bundle" "$id" >"$dir/err" 2>&1; then
    timeout 10 runc --root "$dir/runc" kill "$id" KILL >/dev/null 2>&1 || true
  else
    echo "runc cannot run a container: $(tail -n 3 "$dir/err")"
    rc=1
  fi
  timeout 10 runc --root "$dir/runc" delete --force "$id" >/dev/null 2>&1 || true
  rm -rf "$dir"
  return "$rc"
}

# One real node per machine: claims it for this cluster dir, or dies naming the cluster that has it.
claim_node() {
  local owner
  mkdir -p "$NODE_HOME"
  exec 8>"$NODE_HOME/.lock"
  flock 8
  if [[ -f "$NODE_OWNER_FILE" ]]; then
    owner=$(cat "$NODE_OWNER_FILE")
    if [[ "$owner" != "$CLUSTER_DIR" ]]; then
      if node_processes_alive "$owner"; then
        flock -u 8
        die "the real node of another cluster ($owner) runs on this machine; its bridge, iptables chains and
cgroups are machine-wide. Stop it (HC_CLUSTER_DIR=$owner $0 down) or start this cluster with HC_NODE=kwok"
      fi
      log "the real node of $owner is not running any more: removing what it left behind"
      cleanup_node "$(printf '%s' "$owner" | sha256sum | cut -c1-8)"
    fi
  fi
  echo "$CLUSTER_DIR" >"$NODE_OWNER_FILE"
  flock -u 8
}

# True unless the machine's real node belongs to another cluster that still runs: only then may this cluster
# remove machine-wide things (the bridge, chains, kubepods cgroups).
may_clean_node() {
  local owner
  [[ -f "$NODE_OWNER_FILE" ]] || return 0
  owner=$(cat "$NODE_OWNER_FILE")
  [[ "$owner" == "$CLUSTER_DIR" ]] || ! node_processes_alive "$owner"
}

node_processes_alive() { # <cluster dir>: does a node component of that cluster still run?
  local c f pid
  for c in "${NODE_COMPONENTS[@]}"; do
    f="$1/run/$c.pid"
    [[ -f "$f" ]] && pid=$(cat "$f") && [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && return 0
  done
  return 1
}

# ---------------------------------------------------------------- network

setup_bridge() {
  if ! ip link show "$NODE_BRIDGE" >/dev/null 2>&1; then
    ip link add "$NODE_BRIDGE" type bridge
  fi
  ip addr replace "$NODE_IP/24" dev "$NODE_BRIDGE"
  ip link set "$NODE_BRIDGE" up
  # Service addresses never leave through the default route, even when no rule of kube-proxy matches.
  ip route replace "$SERVICE_CIDR" dev "$NODE_BRIDGE" src "$NODE_IP"
  # A pod reaching a Service whose endpoint is another pod on the bridge is routed through the host.
  if [[ ! -f "$NODE_RUN/ip_forward.saved" ]]; then cat /proc/sys/net/ipv4/ip_forward >"$NODE_RUN/ip_forward.saved"; fi
  echo 1 >/proc/sys/net/ipv4/ip_forward
  # The API server listens on every address (the pods reach it on the bridge): only loopback and the bridge
  # may connect.
  iptables -N HC-APISERVER 2>/dev/null || iptables -F HC-APISERVER
  iptables -A HC-APISERVER -i lo -j RETURN
  iptables -A HC-APISERVER -i "$NODE_BRIDGE" -j RETURN
  iptables -A HC-APISERVER -j DROP
  iptables -C INPUT -p tcp --dport "$APISERVER_PORT" -j HC-APISERVER 2>/dev/null \
    || iptables -I INPUT -p tcp --dport "$APISERVER_PORT" -j HC-APISERVER
  ip6tables -N HC-APISERVER 2>/dev/null || ip6tables -F HC-APISERVER
  ip6tables -A HC-APISERVER -i lo -j RETURN
  ip6tables -A HC-APISERVER -j DROP
  ip6tables -C INPUT -p tcp --dport "$APISERVER_PORT" -j HC-APISERVER 2>/dev/null \
    || ip6tables -I INPUT -p tcp --dport "$APISERVER_PORT" -j HC-APISERVER
}

write_cni_config() {
  mkdir -p "$NODE_ROOT/cni"
  cat >"$NODE_ROOT/cni/10-$NODE_CNI_NETWORK.conflist" <<CNI
{
  "cniVersion": "0.4.0",
  "name": "$NODE_CNI_NETWORK",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$NODE_BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{"subnet": "$NODE_POD_CIDR", "gateway": "$NODE_IP"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "loopback"}
  ]
}
CNI
}

# ---------------------------------------------------------------- cleanup

# Removes what a real node leaves behind once its processes are gone: containers, mounts, network
# namespaces, IP allocations, the bridge, iptables chains and cgroups. <node id> (default: ours)
cleanup_node() {
  local id=${1:-$NODE_ID} root run pid m ns
  root=/var/lib/healthcheck-operator-node/$id
  run=$NODE_HOME/$id
  # Container processes outlive containerd and the kubelet: they are killed through the kubepods cgroups,
  # then the shims that served this node's containerd.
  kill_kubepods_processes
  for pid in $(pgrep -f "containerd-shim-runc-v2 -namespace k8s.io -id [0-9a-f]+ -address $run/" 2>/dev/null); do
    kill -KILL "$pid" 2>/dev/null || true
  done
  # Mounts below our directories, deepest first.
  while IFS= read -r m; do
    umount -l "$m" 2>/dev/null || true
  done < <(awk -v r="$root" -v s="$run" 'index($2, r) == 1 || index($2, s) == 1 { print $2 }' /proc/self/mounts | sort -r)
  # Network namespaces of pods (the CNI plugin names them cni-<uuid>) that no process uses any more; their
  # veths go with them.
  for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^cni-/ { print $1 }'); do
    if [[ -z "$(ip netns pids "$ns" 2>/dev/null)" ]]; then ip netns delete "$ns" 2>/dev/null || true; fi
  done
  rm -rf "/var/lib/cni/networks/$NODE_CNI_NETWORK" "/var/lib/cni/results/$NODE_CNI_NETWORK"-*
  if ip link show "$NODE_BRIDGE" >/dev/null 2>&1; then ip link delete "$NODE_BRIDGE" || true; fi
  cleanup_node_iptables
  if [[ -f "$run/ip_forward.saved" ]]; then cat "$run/ip_forward.saved" >/proc/sys/net/ipv4/ip_forward; fi
  cleanup_kubepods_cgroups
  rm -rf "$run"
}

# Gives the machine's real node up, if this cluster has it.
release_node() {
  if [[ -f "$NODE_OWNER_FILE" && "$(cat "$NODE_OWNER_FILE")" == "$CLUSTER_DIR" ]]; then
    rm -f "$NODE_OWNER_FILE"
  fi
}

kill_kubepods_processes() {
  local pids
  pids=$(find /sys/fs/cgroup/ -path '*/kubepods*' -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u)
  [[ -z "$pids" ]] && return 0
  # shellcheck disable=SC2086 # a list of pids
  kill -KILL $pids 2>/dev/null || true
}

cleanup_node_iptables() {
  local tables table
  # kube-proxy's own chains and rules first, the way it removes them itself.
  if [[ -x "${BIN:-}/kube-proxy" ]]; then
    "$BIN/kube-proxy" --cleanup --proxy-mode=iptables >>"$LOGS/kube-proxy.log" 2>&1 || true
  fi
  # Then whatever is left of ours (HC-APISERVER) and of the kubelet's and kube-proxy's (KUBE-*: canaries,
  # hints, a kube-proxy that died mid-way).
  for tables in iptables ip6tables; do
    for table in filter nat mangle; do
      remove_chains "$tables" "$table" '^(HC-APISERVER|KUBE-)'
    done
  done
}

remove_chains() { # <iptables|ip6tables> <table> <chain name regex>: rules jumping to them, then the chains
  local tables=$1 table=$2 pattern=$3 rule chain chains
  # Rules of the built-in chains (upper case only); rules inside the chains go with them.
  while rule=$("$tables" -t "$table" -S 2>/dev/null | grep -m1 -E -- "^-A [A-Z]+ .*-j ${pattern#^}"); do
    # eval: iptables -S quotes comments with spaces.
    eval "\"$tables\" -t \"$table\" ${rule/-A /-D }" 2>/dev/null || break
  done
  chains=$("$tables" -t "$table" -S 2>/dev/null | awk -v p="$pattern" '$1 == "-N" && $2 ~ p { print $2 }')
  for chain in $chains; do "$tables" -t "$table" -F "$chain" 2>/dev/null || true; done
  for chain in $chains; do "$tables" -t "$table" -X "$chain" 2>/dev/null || true; done
}

# The kubelet's kubepods tree in every cgroup v1 hierarchy (and cgroup v2's unified one), leaves first.
cleanup_kubepods_cgroups() {
  local hierarchy d
  for hierarchy in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    [[ -d "$hierarchy/kubepods" ]] || continue
    while IFS= read -r d; do
      rmdir "$d" 2>/dev/null || true
    done < <(find "$hierarchy/kubepods" -depth -type d)
  done
}
