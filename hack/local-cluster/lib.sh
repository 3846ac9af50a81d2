# shellcheck shell=bash
# Shared by hack/local-cluster.sh and its components (sourced, not run): logging, the processes the
# cluster starts (by pid file), ports and waiting. Expects CLUSTER_DIR, LOGS, RUN, TIMEOUT and COMPONENTS.

log() { printf '[local-cluster] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------- processes

# The executable of a component: $BIN/<component> unless the component registered another one in EXE.
declare -A EXE=()
exe_of() { echo "${EXE[$1]:-$BIN/$1}"; }

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
  local name=$1 exe
  shift
  exe=$(exe_of "$name")
  # setsid: own session, so the processes outlive this script and are not hit
  # by a Ctrl-C meant for the caller's shell.
  setsid "$exe" "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  local pid=$! i
  echo "$pid" >"$RUN/$name.pid"
  # Until the binary itself runs, pid_of may not recognise the process and take it for dead: the forked
  # shell has another command line, and while setsid execs the binary the command line reads empty.
  # (setsid's own command line names the binary too, so it is the executable that is waited for.)
  for ((i = 0; i < 100; i++)); do
    [[ "/proc/$pid/exe" -ef "$exe" ]] || ! kill -0 "$pid" 2>/dev/null && break
    sleep 0.05
  done
  log "started $name (pid $pid), log: $LOGS/$name.log"
}

running_components() {
  local c n=0
  for c in "${COMPONENTS[@]}"; do pid_of "$c" >/dev/null && n=$((n + 1)); done
  echo "$n"
}

# ---------------------------------------------------------------- ports

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Ports come from below the kernel's ephemeral range: a port in that range can
# be taken at any moment as the local end of an outgoing connection (the API
# server opens many to etcd), and a listener then fails with "address already
# in use" even though nothing listens there.
# HC_PORT_MIN/HC_PORT_MAX narrow the range, for a program that needs other ports of it for itself (the operator
# benchmark's thousands of sidecar ports).
PORT_MIN=${HC_PORT_MIN:-10000}
PORT_MAX=${HC_PORT_MAX:-$(( $(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768) - 1 ))}
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

# ---------------------------------------------------------------- waiting

kubectl_() { "$BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }

# One list, not `kubectl wait --all`: that checks node after node within one timeout, and at a hundred nodes
# its own checks outlast any short timeout. The request has its own deadline, so that a hung API server cannot hold
# wait_for past its own.
all_nodes_ready() {
  local ready
  ready=$(kubectl_ --request-timeout=5s get nodes -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}') || return 1
  [[ -n "$ready" ]] && ! grep -qv '^True$' <<<"$ready"
}

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
