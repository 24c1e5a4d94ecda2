# Shared by the scripts that run a local service for the tests and the demo (opensearch.sh,
# stripe-mock.sh). Source it first: it sets ROOT_DIR and HOST. Then set:
#   SERVICE    the name in messages
#   URL        where the service listens (what start and url print)
#   PORT       its HTTP port
#   BASE_DIR   the state directory (the process runs there)
#   LOG_FILE   stdout/stderr of the process
#   PID_FILE   pid of the process
#   PORT_FILE  the port(s) it was started with, space-separated, HTTP port first
#   INSTALL_LOG  output of the last install
#   EXIT_HINT  (optional) added to the message when the process exits during startup
# The script then defines cmd_install, cmd_start, cmd_stop, cmd_status and running_pid (mostly
# by calling the functions below) and ends with `run_command "$@"`.

# The repository root (state lives under var/ there) and the address every service binds.
ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
HOST=127.0.0.1

log() { echo "$SERVICE: $*" >&2; }

die() {
    echo "$SERVICE: ERROR: $*" >&2
    exit 1
}

require_curl() {
    command -v curl >/dev/null 2>&1 || die "curl not found: it is needed to check that $SERVICE answers"
}

# Whether something listens on $HOST:$1 (bash's /dev/tcp: works without nc/ss/lsof).
port_in_use() {
    (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

# require_free_ports HINT PORT...: dies if another process listens on one of the PORTs; HINT says
# which setting moves them.
require_free_ports() {
    local hint="$1" p
    shift
    for p in "$@"; do
        if port_in_use "$p"; then
            die "port $p on $HOST is already in use by another process (not our $SERVICE: no live pid in $PID_FILE); set $hint"
        fi
    done
}

show_log_tail() {
    if [[ -f "$LOG_FILE" ]]; then
        echo "----- last 40 lines of $LOG_FILE -----" >&2
        tail -n 40 "$LOG_FILE" >&2
        echo "--------------------------------------" >&2
    fi
}

# ---------------------------------------------------------------- install

# run_logged TMP WHAT CMD...: runs CMD with its output in $INSTALL_LOG; if it fails, shows the end of
# that log, removes the half-built TMP and dies saying WHAT failed.
run_logged() {
    local tmp="$1" what="$2"
    shift 2
    if ! "$@" >"$INSTALL_LOG" 2>&1; then
        tail -n 40 "$INSTALL_LOG" >&2 || true
        rm -rf "$tmp"
        die "$what failed (full output: $INSTALL_LOG)"
    fi
}

# fresh_dir DIR: creates DIR empty (with its parents).
fresh_dir() {
    rm -rf "$1"
    mkdir -p "$1"
}

# replace_dir TMP DEST MESSAGE: puts the freshly built TMP in place of DEST, logs MESSAGE and notes
# when a running process still uses the old files.
replace_dir() {
    rm -rf "$2"
    mv "$1" "$2"
    log "$3"
    if [[ -n "$(running_pid)" ]]; then
        log "note: $SERVICE is running with the old files; run '$0 restart'"
    fi
}

# ---------------------------------------------------------------- process

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

# live_pid WORD...: the pid in $PID_FILE if it is our live process (see pid_from_file); otherwise
# prints nothing and removes the stale $PID_FILE and $PORT_FILE.
live_pid() {
    local pid
    pid="$(pid_from_file "$PID_FILE" "$@")"
    if [[ -n "$pid" ]]; then
        echo "$pid"
    else
        rm -f "$PID_FILE" "$PORT_FILE"
    fi
}

# started_ports: the port(s) the running process was started with ($PORT_FILE), default $PORT.
started_ports() {
    cat "$PORT_FILE" 2>/dev/null || echo "$PORT"
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

# wait_ready PID SECONDS PROBE: waits until `PROBE PID` succeeds (PROBE may die itself, and may set
# WAIT_NOTE for the timeout message). Dies, showing the end of the log, if the process exits first
# (adding $EXIT_HINT to the message) or after SECONDS.
wait_ready() {
    local pid="$1" seconds="$2" probe="$3" deadline=$((SECONDS + $2))
    WAIT_NOTE=""
    while :; do
        if ! kill -0 "$pid" 2>/dev/null; then
            show_log_tail
            rm -f "$PID_FILE" "$PORT_FILE"
            die "$SERVICE (pid $pid) exited during startup; see $LOG_FILE${EXIT_HINT:-}"
        fi
        "$probe" "$pid" && return 0
        if ((SECONDS >= deadline)); then
            show_log_tail
            die "$SERVICE (pid $pid) was not ready on $URL within ${seconds}s$WAIT_NOTE; it is still running, stop it with '$0 stop'"
        fi
        sleep 0.25
    done
}

# reuse_running PORTS PROBE SECONDS: if our process already runs, dies unless it was started with
# PORTS, waits until it is ready (wait_ready) and prints $URL; returns 1 if it does not run.
reuse_running() {
    local ports="$1" probe="$2" seconds="$3" pid old
    pid="$(running_pid)"
    [[ -n "$pid" ]] || return 1
    old="$(started_ports)"
    if [[ "$old" != "$ports" ]]; then
        die "$SERVICE is already running (pid $pid) on port(s) $old, not $ports; stop it first with '$0 stop'"
    fi
    wait_ready "$pid" "$seconds" "$probe"
    log "already running (pid $pid)"
    echo "$URL"
}

# launch PORTS PROBE SECONDS CMD...: starts CMD in $BASE_DIR detached from this shell (setsid if
# available, nohup) with its output in $LOG_FILE, records its pid and PORTS, waits until it is ready
# (wait_ready) and logs the time it took. Sets LAUNCHED_PID.
launch() {
    local ports="$1" probe="$2" seconds="$3" t0=$SECONDS launcher=(nohup)
    shift 3
    command -v setsid >/dev/null 2>&1 && launcher=(setsid nohup)
    (
        cd "$BASE_DIR"
        exec "${launcher[@]}" "$@" >"$LOG_FILE" 2>&1 </dev/null
    ) &
    LAUNCHED_PID=$!
    echo "$LAUNCHED_PID" >"$PID_FILE"
    echo "$ports" >"$PORT_FILE"
    wait_ready "$LAUNCHED_PID" "$seconds" "$probe"
    log "started (pid $LAUNCHED_PID) in $((SECONDS - t0))s"
}

# ---------------------------------------------------------------- commands

# stop_service SECONDS: the stop command (stop_process with SECONDS before SIGKILL).
stop_service() {
    local pid
    pid="$(running_pid)"
    if [[ -z "$pid" ]]; then
        log "not running"
        return 0
    fi
    stop_process "$pid" "$1"
    rm -f "$PID_FILE" "$PORT_FILE"
    log "stopped"
}

# service_status PROBE FALLBACK: the status command. Prints one line; returns 0 if running and
# `PROBE PORT` succeeds, 1 if running but PROBE fails, 3 if not running. PROBE prints the end of the
# line (the health); it is only called when curl is available, else the end is FALLBACK.
service_status() {
    local probe="$1" fallback="$2" pid port state rc=0
    pid="$(running_pid)"
    if [[ -z "$pid" ]]; then
        echo "not running"
        return 3
    fi
    port="$(started_ports)"
    port="${port%% *}"
    if command -v curl >/dev/null 2>&1; then
        state="$("$probe" "$port")" || rc=1
    else
        state="$fallback"
        rc=1
    fi
    echo "running (pid $pid) at http://$HOST:$port, $state"
    return "$rc"
}

# run_command COMMAND: runs the script's command (install|start|stop|restart|status|url).
run_command() {
    case "${1:-}" in
        install) cmd_install ;;
        start) cmd_start ;;
        stop) cmd_stop ;;
        restart) cmd_stop && cmd_start ;;
        status) cmd_status ;;
        url) echo "$URL" ;;
        *)
            echo "usage: $0 {install|start|stop|restart|status|url}" >&2
            exit 2
            ;;
    esac
}
