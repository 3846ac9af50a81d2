# shellcheck shell=bash
# containerd of the real node (sourced by hack/local-cluster.sh): its own root, state and socket; registry
# hosts so that images come from the local registry on 127.0.0.1 and never from a public one.

LOCAL_REGISTRY=${LOCAL_REGISTRY_ADDR:-127.0.0.1:5000}

write_containerd_config() {
  local hosts=$NODE_ROOT/certs.d
  mkdir -p "$NODE_ROOT/containerd" "$NODE_RUN" "$hosts/$LOCAL_REGISTRY" "$hosts/docker.io"
  # restrict_oom_score_adj: runc cannot lower oom_score_adj without CAP_SYS_RESOURCE, and every sandbox fails
  # with "can't get final child's PID from pipe: EOF" when it tries.
  cat >"$NODE_ROOT/containerd.toml" <<TOML
version = 2
root = "$NODE_ROOT/containerd"
state = "$NODE_RUN/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing"]

[grpc]
  address = "$CONTAINERD_SOCKET"

[ttrpc]
  address = "$NODE_RUN/containerd.sock.ttrpc"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  restrict_oom_score_adj = true
  enable_cdi = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$NODE_ROOT/cni"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$hosts"

[plugins."io.containerd.internal.v1.opt"]
  path = "$NODE_ROOT/opt"
TOML
  # Plain HTTP to the local registry; docker.io (where unqualified names like healthcheck-operator/... point)
  # is served by it too, so nothing is ever pulled from the internet.
  local host
  for host in "$LOCAL_REGISTRY" docker.io; do
    cat >"$hosts/$host/hosts.toml" <<TOML
server = "http://$LOCAL_REGISTRY"

[host."http://$LOCAL_REGISTRY"]
  capabilities = ["pull", "resolve"]
  skip_verify = true
TOML
  done
}

start_containerd() {
  write_containerd_config
  start_component containerd --config "$NODE_ROOT/containerd.toml"
  wait_for "containerd" ctr_ version
}
