# shellcheck shell=bash
# kwok: fake nodes (kwok-node-0, ...) whose scheduled Pods become Running and Ready without running anything
# (sourced by hack/local-cluster.sh). HC_KWOK_NODES sets their number.

start_kwok() {
  local stage_args=() f i
  for f in "$HACK_DIR"/kwok/stages/*.yaml; do stage_args+=(--config="$f"); done
  start_component kwok \
    --kubeconfig="$CLUSTER_DIR/kwok.kubeconfig" \
    "${stage_args[@]}" \
    --manage-all-nodes=false \
    --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --node-lease-duration-seconds=40 \
    --cidr="$KWOK_POD_CIDR" \
    --node-ip=10.0.0.1 \
    --server-address="127.0.0.1:$KWOK_PORT"
  # --node-lease-duration-seconds: kwok renews a Lease per node, which is what
  # the node lifecycle controller checks; without it nodes turn NotReady after ~40 s.

  # One apply for all nodes: a kubectl process per node took minutes for the hundred a 10,000-pod bench needs.
  for ((i = 0; i < KWOK_NODES; i++)); do
    printf -- '---\n'
    sed "s/__NAME__/kwok-node-$i/g" "$HACK_DIR/kwok/node.yaml"
  done | kubectl_ apply -f - >/dev/null
}
