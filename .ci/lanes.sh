#!/usr/bin/env bash
# Runs independent parts of `make test` side by side: much of their time is waiting (image pushes, a control plane
# starting, qemu), not this machine's two cores.
#
#   .ci/lanes.sh NAME 'COMMAND' [NAME 'COMMAND' ...]
#
# Each lane is one shell command line (parts that depend on each other go into one lane, joined with &&), run in
# its own process group, its output in its own log: target/ci-lanes/NAME.log (tail -f it to follow a lane). The
# logs are not interleaved: while lanes run, a line every 2 minutes says which still run; when all have ended, each
# lane's log is printed whole, one after the other, then each lane's status and duration. The exit status is
# non-zero when any lane failed. Interrupted, it stops the lanes it started (by process group).
set -euo pipefail

(( $# >= 2 && $# % 2 == 0 )) || { echo "usage: $0 NAME 'COMMAND' [NAME 'COMMAND' ...]" >&2; exit 2; }

LOG_DIR="${CI_LANES_LOG_DIR:-target/ci-lanes}"
mkdir -p "$LOG_DIR"

names=() pids=() starts=()
stop_lanes() {
    for pid in "${pids[@]}"; do
        kill -TERM -- "-$pid" 2>/dev/null || true
    done
}
trap 'stop_lanes; exit 130' INT TERM

while (( $# )); do
    name=$1 command=$2
    shift 2
    [[ $name =~ ^[a-z0-9-]+$ ]] || { echo "lane name '$name': use a-z, 0-9 and -" >&2; stop_lanes; exit 2; }
    log="$LOG_DIR/$name.log"
    rm -f "$LOG_DIR/$name.status" "$LOG_DIR/$name.status.times"
    # setsid: the lane and everything it starts form one process group, which stop_lanes can end as a whole.
    # shellcheck disable=SC2016 # expanded by the lane's shell
    # `times` (a builtin: no subshell, whose own clock would start at zero) adds the CPU time of the processes the
    # lane ran and waited for. Daemons a lane starts in the background and stops by signal (a control plane, a
    # kubelet, containers under podman) are not among them: the figure is a lower bound.
    setsid bash -c 'start=$SECONDS; status=0; bash -c "$1" || status=$?
        times >"$2.times"; echo "$status $(( SECONDS - start ))" >"$2"; exit "$status"' lane "$command" \
        "$LOG_DIR/$name.status" \
        </dev/null >"$log" 2>&1 &
    names+=("$name") pids+=("$!") starts+=("$SECONDS")
    echo "lane $name started (pid $!, log $log): $command"
done

# A line every HEARTBEAT seconds while lanes run (the last line of each running lane's log), so a CI job that
# kills silent jobs keeps this one, and a person watching sees which lane is still busy.
HEARTBEAT="${CI_LANES_HEARTBEAT_SECONDS:-120}"
next_beat=$(( SECONDS + HEARTBEAT ))
while :; do
    running=()
    for i in "${!pids[@]}"; do
        kill -0 "${pids[$i]}" 2>/dev/null && running+=("$i")
    done
    (( ${#running[@]} )) || break
    if (( SECONDS >= next_beat )); then
        for i in "${running[@]}"; do
            last=$(tail -n 1 "$LOG_DIR/${names[$i]}.log" 2>/dev/null | cut -c 1-160)
            echo "lane ${names[$i]} running for $(( SECONDS - starts[i] )) s: $last"
        done
        next_beat=$(( SECONDS + HEARTBEAT ))
    fi
    sleep 5
done

failed=() summary=()
for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || true
    name=${names[$i]}
    read -r status seconds <"$LOG_DIR/$name.status" 2>/dev/null || { status="unknown (killed?)" seconds="?"; }
    echo "===== lane $name: $LOG_DIR/$name.log ====="
    cat "$LOG_DIR/$name.log"
    # The second line of `times`: user and system time of the lane's children, as 1m2.345s 0m6.789s.
    cpu=$(awk 'NR == 2 { total = 0; for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); total += t[1] * 60 + t[2] }
        printf "%.0f", total }' "$LOG_DIR/$name.status.times" 2>/dev/null || true)
    summary+=("lane $name: status $status after $seconds s, at least ${cpu:-?} s of CPU")
    [[ $status == 0 ]] || failed+=("$name")
done
printf '%s\n' "${summary[@]}" "all lanes ended after $SECONDS s"
if (( ${#failed[@]} )); then
    echo "FAILED lanes: ${failed[*]} (logs above and in $LOG_DIR/)" >&2
    exit 1
fi
