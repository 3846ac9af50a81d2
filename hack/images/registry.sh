#!/usr/bin/env bash
# A local OCI registry (Debian's docker-registry, the CNCF distribution registry) on 127.0.0.1 only.
#   hack/images/registry.sh start|stop|status
# Data, config, log and pid live under IMAGES_CACHE/registry; LOCAL_REGISTRY_ADDR (127.0.0.1:5000) sets the address.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DIR="$IMAGES_CACHE/registry"
PIDFILE="$DIR/registry.pid"
mkdir -p "$DIR/data"

answering() { curl -fs -o /dev/null --max-time 2 "http://$LOCAL_REGISTRY_ADDR/v2/"; }
running_pid() { [[ -f "$PIDFILE" ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null && cat "$PIDFILE"; }

case "${1:-}" in
start)
    if answering; then log "registry already answering on $LOCAL_REGISTRY_ADDR"; exit 0; fi
    require_tools docker-registry curl
    cat >"$DIR/config.yml" <<CONF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $DIR/data
  delete:
    enabled: true
http:
  addr: $LOCAL_REGISTRY_ADDR
CONF
    setsid docker-registry serve "$DIR/config.yml" >"$DIR/registry.log" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
    for _ in $(seq 1 50); do answering && { log "registry started on $LOCAL_REGISTRY_ADDR (pid $(cat "$PIDFILE"))"; exit 0; }; sleep 0.2; done
    tail "$DIR/registry.log" >&2
    die "registry did not start"
    ;;
stop)
    if pid="$(running_pid)"; then
        kill "$pid"
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        log "registry stopped (pid $pid)"
    else
        log "registry not running (from $PIDFILE)"
    fi
    rm -f "$PIDFILE"
    ;;
status)
    if answering; then echo "answering on $LOCAL_REGISTRY_ADDR (pid $(running_pid || echo "not ours"))"; else echo "not answering on $LOCAL_REGISTRY_ADDR"; exit 1; fi
    ;;
*) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
