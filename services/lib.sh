# Shared by the scripts that run a local service for the tests and the demo (opensearch.sh,
# stripe-mock.sh). Source it after setting SERVICE (the name in messages), HOST and LOG_FILE.

log() { echo "$SERVICE: $*" >&2; }

die() {
    echo "$SERVICE: ERROR: $*" >&2
    exit 1
}

# Whether something listens on $HOST:$1 (bash's /dev/tcp: works without nc/ss/lsof).
port_in_use() {
    (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

show_log_tail() {
    if [[ -f "$LOG_FILE" ]]; then
        echo "----- last 40 lines of $LOG_FILE -----" >&2
        tail -n 40 "$LOG_FILE" >&2
        echo "--------------------------------------" >&2
    fi
}

# stop_process PID SECONDS: SIGTERM, wait up to SECONDS, then SIGKILL; dies if it will not go.
stop_process() {
    local pid="$1" seconds="$2" i
    log "stopping (pid $pid) ..."
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < seconds * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    log "still alive after ${seconds}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    die "could not stop pid $pid"
}

# pid_from_file PIDFILE WORD...: the pid in PIDFILE if that process is alive and its command line
# holds every WORD (ours, not a recycled pid); prints nothing otherwise.
pid_from_file() {
    local file="$1" pid args word
    shift
    [[ -f "$file" ]] || return 0
    pid="$(cat "$file" 2>/dev/null || true)"
    [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 0
    if [[ -r "/proc/$pid/cmdline" ]]; then
        args="$(tr '\0' ' ' <"/proc/$pid/cmdline")"
    else
        args="$(ps -p "$pid" -o args= 2>/dev/null || true)"
    fi
    for word in "$@"; do
        [[ "$args" == *"$word"* ]] || return 0
    done
    echo "$pid"
}
