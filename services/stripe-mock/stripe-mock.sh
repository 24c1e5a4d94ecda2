#!/usr/bin/env bash
# Local stripe-mock (Stripe's official API mock, built from its OpenAPI spec) for the card-payment tests.
#
#   services/stripe-mock/stripe-mock.sh install|start|stop|restart|status|url
#
# The binary is built from the Go module proxy with `go install github.com/stripe/stripe-mock@VERSION`
# (needs Go 1.22+ on PATH); nothing is installed system-wide. State lives under var/stripe-mock/ at the
# repository root:
#   bin/stripe-mock          the binary (GOBIN), bin/.version = the module version it was built from
#   server.log               stdout/stderr of the server (truncated at every start)
#   server.pid               pid of the server, server.ports = "<http port> <https port>" it was started with
#   install.log              output of the last `go install`
# The Go module and build caches are Go's defaults (GOMODCACHE=$(go env GOMODCACHE), usually ~/go/pkg/mod,
# and GOCACHE, usually ~/.cache/go-build): the module cache is read-only on disk, so keeping it under var/
# would break a plain `rm -rf var`. Set GOMODCACHE / GOCACHE in the environment to put them elsewhere.
# A cold install downloads ~27 MB of modules and builds a ~33 MB binary (about 20 s on 2 cores).
#
# Environment:
#   STRIPE_MOCK_PORT           HTTP port, default 12111 (bound on 127.0.0.1 only)
#   STRIPE_MOCK_HTTPS_PORT     HTTPS port (self-signed certificate), default 12112 (127.0.0.1 only)
#   STRIPE_MOCK_START_TIMEOUT  seconds to wait for the server to answer, default 30
#   STRIPE_MOCK_DIR            state directory, default <repo>/var/stripe-mock
#
# stdout carries only results (start and url print the HTTP URL, status one line), so
# `URL=$(services/stripe-mock/stripe-mock.sh start)` works; messages go to stderr.
# status exits 0 if answering, 1 if running but not answering, 3 if not running.
#
# stripe-mock is stateless: it validates each request against the OpenAPI spec and answers with canned
# fixtures, reflecting top-level scalar parameters (amount, currency, ...) on create; nothing is stored.
set -euo pipefail

# Newest version the Go module proxy serves here (go list -m -versions github.com/stripe/stripe-mock).
STRIPE_MOCK_VERSION=v0.203.0
MODULE=github.com/stripe/stripe-mock

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT_DIR="$(cd "$SCRIPT_DIR/../.." && pwd -P)"

BASE_DIR="${STRIPE_MOCK_DIR:-$ROOT_DIR/var/stripe-mock}"
PORT="${STRIPE_MOCK_PORT:-12111}"
HTTPS_PORT="${STRIPE_MOCK_HTTPS_PORT:-12112}"
START_TIMEOUT="${STRIPE_MOCK_START_TIMEOUT:-30}"
HOST=127.0.0.1
URL="http://$HOST:$PORT"
# Any well-formed test-mode secret key is accepted by stripe-mock.
TEST_KEY=sk_test_123

BIN_DIR="$BASE_DIR/bin"
BIN="$BIN_DIR/stripe-mock"
STAMP_FILE="$BIN_DIR/.version"
LOG_FILE="$BASE_DIR/server.log"
PID_FILE="$BASE_DIR/server.pid"
PORTS_FILE="$BASE_DIR/server.ports"
INSTALL_LOG="$BASE_DIR/install.log"

SERVICE=stripe-mock
# shellcheck source=../lib.sh
source "$SCRIPT_DIR/../lib.sh"

# ---------------------------------------------------------------- checks

require_go() {
    command -v go >/dev/null 2>&1 \
        || die "go not found on PATH: Go 1.22+ is needed once to build stripe-mock $STRIPE_MOCK_VERSION into $BIN_DIR (apt-get install golang-go, or add /usr/local/go/bin to PATH)"
}

require_curl() {
    command -v curl >/dev/null 2>&1 || die "curl not found: it is needed to check that the server answers"
}

check_ports() {
    local p
    for p in "$PORT" "$HTTPS_PORT"; do
        [[ "$p" =~ ^[0-9]+$ ]] && ((p >= 1 && p <= 65535)) \
            || die "STRIPE_MOCK_PORT and STRIPE_MOCK_HTTPS_PORT must be port numbers, got '$p'"
    done
    [[ "$PORT" != "$HTTPS_PORT" ]] || die "STRIPE_MOCK_PORT and STRIPE_MOCK_HTTPS_PORT must differ (both $PORT)"
}

# ---------------------------------------------------------------- install

is_installed() {
    [[ -x "$BIN" && -f "$STAMP_FILE" && "$(cat "$STAMP_FILE")" == "$STRIPE_MOCK_VERSION" ]]
}

cmd_install() {
    if is_installed; then
        log "$MODULE@$STRIPE_MOCK_VERSION already installed in $BIN_DIR"
        return 0
    fi
    require_go
    mkdir -p "$BASE_DIR"
    local tmp="$BASE_DIR/bin.tmp" t0=$SECONDS
    rm -rf "$tmp"
    mkdir -p "$tmp"
    log "building $MODULE@$STRIPE_MOCK_VERSION with $(go version | awk '{print $3}') into $BIN_DIR (first time: ~27 MB of modules) ..."
    if ! GOBIN="$tmp" go install "$MODULE@$STRIPE_MOCK_VERSION" >"$INSTALL_LOG" 2>&1; then
        tail -n 40 "$INSTALL_LOG" >&2 || true
        rm -rf "$tmp"
        die "go install $MODULE@$STRIPE_MOCK_VERSION failed (full output: $INSTALL_LOG)"
    fi
    [[ -x "$tmp/stripe-mock" ]] || die "go install succeeded but $tmp/stripe-mock is missing"
    echo "$STRIPE_MOCK_VERSION" >"$tmp/.version"
    rm -rf "$BIN_DIR"
    mv "$tmp" "$BIN_DIR"
    log "installed $BIN ($STRIPE_MOCK_VERSION) in $((SECONDS - t0))s"
    if [[ -n "$(running_pid)" ]]; then
        log "note: a server is running the old binary; run '$0 restart'"
    fi
}

# ---------------------------------------------------------------- process helpers

# Prints the pid of our server if the pid file points at a live stripe-mock started from $BIN;
# removes a stale pid file.
running_pid() {
    local pid
    pid="$(pid_from_file "$PID_FILE" "$BIN")"
    if [[ -n "$pid" ]]; then
        echo "$pid"
    else
        rm -f "$PID_FILE" "$PORTS_FILE"
    fi
}

# True if the server on HTTP port $1 answers a list request with JSON.
answers() {
    local body
    body="$(curl -s --max-time 3 -H "Authorization: Bearer $TEST_KEY" \
        "http://$HOST:$1/v1/payment_intents?limit=1" 2>/dev/null)" || return 1
    [[ "$body" =~ \"object\":\ *\"list\" ]]
}

# Waits until the server (pid $1) answers on $PORT.
wait_answering() {
    local pid="$1" deadline=$((SECONDS + START_TIMEOUT))
    while :; do
        if ! kill -0 "$pid" 2>/dev/null; then
            show_log_tail
            rm -f "$PID_FILE" "$PORTS_FILE"
            die "stripe-mock (pid $pid) exited during startup; see $LOG_FILE"
        fi
        answers "$PORT" && return 0
        if ((SECONDS >= deadline)); then
            show_log_tail
            die "stripe-mock (pid $pid) did not answer on $URL within ${START_TIMEOUT}s; it is still running, stop it with '$0 stop'"
        fi
        sleep 0.2
    done
}

# ---------------------------------------------------------------- commands

cmd_start() {
    check_ports
    require_curl
    mkdir -p "$BASE_DIR"

    local pid
    pid="$(running_pid)"
    if [[ -n "$pid" ]]; then
        local old_ports
        old_ports="$(cat "$PORTS_FILE" 2>/dev/null || echo "$PORT $HTTPS_PORT")"
        [[ "$old_ports" == "$PORT $HTTPS_PORT" ]] \
            || die "stripe-mock is already running (pid $pid) on ports $old_ports, not $PORT $HTTPS_PORT; stop it first with '$0 stop'"
        wait_answering "$pid"
        log "already running (pid $pid)"
        echo "$URL"
        return 0
    fi

    local p
    for p in "$PORT" "$HTTPS_PORT"; do
        if port_in_use "$p"; then
            die "port $p on $HOST is already in use by another process (not our server: no live pid in $PID_FILE); set STRIPE_MOCK_PORT / STRIPE_MOCK_HTTPS_PORT"
        fi
    done

    is_installed || cmd_install

    log "starting stripe-mock $STRIPE_MOCK_VERSION on $URL (HTTPS on $HOST:$HTTPS_PORT, log $LOG_FILE) ..."
    local launcher=(nohup)
    command -v setsid >/dev/null 2>&1 && launcher=(setsid nohup)
    (
        cd "$BASE_DIR"
        # PORT in the environment would only matter without -http-addr, but keep it out anyway.
        exec env -u PORT "${launcher[@]}" "$BIN" \
            -http-addr "$HOST:$PORT" -https-addr "$HOST:$HTTPS_PORT" \
            >"$LOG_FILE" 2>&1 </dev/null
    ) &
    pid=$!
    echo "$pid" >"$PID_FILE"
    echo "$PORT $HTTPS_PORT" >"$PORTS_FILE"

    local t0=$SECONDS
    wait_answering "$pid"
    log "started (pid $pid) in $((SECONDS - t0))s"
    echo "$URL"
}

cmd_stop() {
    local pid
    pid="$(running_pid)"
    if [[ -z "$pid" ]]; then
        log "not running"
        return 0
    fi
    stop_process "$pid" 10
    rm -f "$PID_FILE" "$PORTS_FILE"
    log "stopped"
}

# exit 0: running and answering; 1: running but not answering; 3: not running
cmd_status() {
    local pid port
    pid="$(running_pid)"
    if [[ -z "$pid" ]]; then
        echo "not running"
        return 3
    fi
    port="$(cut -d' ' -f1 "$PORTS_FILE" 2>/dev/null || echo "$PORT")"
    if command -v curl >/dev/null 2>&1 && answers "$port"; then
        echo "running (pid $pid) at http://$HOST:$port, $STRIPE_MOCK_VERSION, answering"
        return 0
    fi
    echo "running (pid $pid) at http://$HOST:$port, $STRIPE_MOCK_VERSION, not answering"
    return 1
}

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
