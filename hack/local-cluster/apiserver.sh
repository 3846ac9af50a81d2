# shellcheck shell=bash
# kube-apiserver of the local cluster (sourced by hack/local-cluster.sh).

start_apiserver() {
  local network=(--bind-address=127.0.0.1 --advertise-address=127.0.0.1 --endpoint-reconciler-type=none)
  # --endpoint-reconciler-type=none: the "kubernetes" Service would need an
  # endpoint address, and 127.0.0.1 is rejected as one (loopback).
  if [[ "$NODE_MODE" == real ]]; then
    # Pods reach the API server on the bridge (the "kubernetes" Service points there); setup_bridge guards
    # the port so that only loopback and the bridge connect.
    network=(--bind-address=0.0.0.0 --advertise-address="$NODE_IP"
      "--kubelet-preferred-address-types=InternalIP,Hostname"
      --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt"
      --kubelet-client-key="$PKI/apiserver-kubelet-client.key")
  fi
  start_component kube-apiserver \
    "${network[@]}" --secure-port="$APISERVER_PORT" \
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
    --profiling=false
  wait_for "kube-apiserver /readyz" kubectl_ get --raw=/readyz
}
