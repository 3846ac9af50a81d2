# shellcheck shell=bash
# The kubelet of the real node (sourced by hack/local-cluster.sh), with the settings that work on this kind of
# machine: cgroupfs on cgroup v1, no swap check, authentication by client certificate only.

ensure_node_pki() {
  # The node's identity, as the Node authorizer and NodeRestriction expect it.
  [[ -f "$PKI/kubelet.crt" ]] || sign_cert kubelet "/O=system:nodes/CN=system:node:$NODE_NAME" "$CLIENT_CERT_EXTENSIONS"
  # The API server's identity towards the kubelet (logs, exec, port-forward).
  [[ -f "$PKI/apiserver-kubelet-client.crt" ]] \
    || sign_cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" "$CLIENT_CERT_EXTENSIONS"
  [[ -f "$PKI/kube-proxy.crt" ]] || sign_cert kube-proxy "/CN=system:kube-proxy" "$CLIENT_CERT_EXTENSIONS"
  # CoreDNS reads Services, EndpointSlices, Namespaces and Pods of every namespace.
  [[ -f "$PKI/coredns.crt" ]] || sign_cert coredns "/O=system:masters/CN=coredns" "$CLIENT_CERT_EXTENSIONS"
}

write_kubelet_config() {
  mkdir -p "$NODE_ROOT/kubelet"
  # Pods resolve cluster names only: the cluster has no upstream resolver.
  : >"$NODE_ROOT/resolv.conf"
  cat >"$NODE_ROOT/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: $KUBELET_PORT
healthzBindAddress: 127.0.0.1
healthzPort: $KUBELET_HEALTHZ_PORT
readOnlyPort: 0
containerRuntimeEndpoint: unix://$CONTAINERD_SOCKET
imageServiceEndpoint: unix://$CONTAINERD_SOCKET
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: false
  x509:
    clientCAFile: $PKI/ca.crt
authorization:
  mode: AlwaysAllow
clusterDomain: cluster.local
clusterDNS: [$NODE_DNS_IP]
resolvConf: $NODE_ROOT/resolv.conf
# A shared, busy disk: evict only when it is really full.
evictionHard:
  memory.available: 100Mi
  nodefs.available: 2%
  imagefs.available: 2%
  nodefs.inodesFree: 2%
imageGCHighThresholdPercent: 99
imageGCLowThresholdPercent: 98
serializeImagePulls: false
# Mounted Secrets and ConfigMaps are refreshed when a pod is synced, at the latest every syncFrequency (default
# 1m): 10 s lets a rotated Secret reach the pods of a local cluster within seconds; with a handful of pods the
# extra syncs cost nothing.
syncFrequency: 10s
YAML
}

start_kubelet() {
  write_kubelet_config
  write_kubeconfig "$CLUSTER_DIR/kubelet.kubeconfig" kubelet
  start_component kubelet \
    --config="$NODE_ROOT/kubelet.yaml" \
    --kubeconfig="$CLUSTER_DIR/kubelet.kubeconfig" \
    --root-dir="$NODE_ROOT/kubelet" \
    --cert-dir="$NODE_ROOT/kubelet/pki" \
    --hostname-override="$NODE_NAME" \
    --node-ip="$NODE_IP" \
    --v=1
}

start_kube_proxy() {
  write_kubeconfig "$CLUSTER_DIR/kube-proxy.kubeconfig" kube-proxy
  local masquerade=()
  # Without br_netfilter a reply between two pods on the bridge skips conntrack: masquerade all Service traffic.
  [[ "$(cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null)" == 1 ]] || masquerade=(--masquerade-all)
  start_component kube-proxy \
    --kubeconfig="$CLUSTER_DIR/kube-proxy.kubeconfig" \
    --hostname-override="$NODE_NAME" \
    --proxy-mode=iptables \
    --cluster-cidr="$NODE_POD_CIDR" \
    --nodeport-addresses="$NODE_IP/32" \
    --conntrack-max-per-core=0 \
    --oom-score-adj=0 \
    --bind-address=127.0.0.1 \
    --metrics-bind-address="127.0.0.1:$KUBE_PROXY_METRICS_PORT" \
    --healthz-bind-address="127.0.0.1:$KUBE_PROXY_HEALTHZ_PORT" \
    "${masquerade[@]}"
  # --conntrack-max-per-core=0: leave the machine's conntrack table alone; --oom-score-adj=0: it may not lower it.
}

start_coredns() {
  write_kubeconfig "$CLUSTER_DIR/coredns.kubeconfig" coredns
  cat >"$NODE_ROOT/Corefile" <<COREFILE
.:53 {
    bind $NODE_DNS_IP
    errors
    health 127.0.0.1:$COREDNS_HEALTH_PORT
    ready 127.0.0.1:$COREDNS_READY_PORT
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig $CLUSTER_DIR/coredns.kubeconfig healthcheck-local
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }
    cache 5
}
COREFILE
  start_component coredns -conf "$NODE_ROOT/Corefile"
}
