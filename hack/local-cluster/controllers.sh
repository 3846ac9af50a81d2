# shellcheck shell=bash
# kube-controller-manager and kube-scheduler of the local cluster (sourced by hack/local-cluster.sh).

start_controller_manager() {
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
}

start_scheduler() {
  start_component kube-scheduler \
    --kubeconfig="$CLUSTER_DIR/kube-scheduler.kubeconfig" \
    --authentication-kubeconfig="$CLUSTER_DIR/kube-scheduler.kubeconfig" \
    --authorization-kubeconfig="$CLUSTER_DIR/kube-scheduler.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port="$SCHEDULER_PORT" \
    --leader-elect=false \
    --profiling=false
}
