# shellcheck shell=bash
# etcd of the local cluster (sourced by hack/local-cluster.sh).

start_etcd() {
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
}
