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

# shellcheck source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
SERVICE=stripe-mock

BASE_DIR="${STRIPE_MOCK_DIR:-$ROOT_DIR/var/stripe-mock}"
PORT="${STRIPE_MOCK_PORT:-12111}"
HTTPS_PORT="${STRIPE_MOCK_HTTPS_PORT:-12112}"
START_TIMEOUT="${STRIPE_MOCK_START_TIMEOUT:-30}"
URL="http://$HOST:$PORT"
# Any well-formed test-mode secret key is accepted by stripe-mock.
TEST_KEY=sk_test_123

BIN_DIR="$BASE_DIR/bin"
BIN="$BIN_DIR/stripe-mock"
STAMP_FILE="$BIN_DIR/.version"
LOG_FILE="$BASE_DIR/server.log"
PID_FILE="$BASE_DIR/server.pid"
PORT_FILE="$BASE_DIR/server.ports"
INSTALL_LOG="$BASE_DIR/install.log"

# ---------------------------------------------------------------- checks

require_go() {
    command -v go >/dev/null 2>&1 \
        || die "go not found on PATH: Go 1.22+ is needed once to build stripe-mock $STRIPE_MOCK_VERSION into $BIN_DIR (apt-get install golang-go, or add /usr/local/go/bin to PATH)"
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
    local tmp="$BIN_DIR.tmp" t0=$SECONDS
    fresh_dir "$tmp"
    log "building $MODULE@$STRIPE_MOCK_VERSION with $(go version | awk '{print $3}') into $BIN_DIR (first time: ~27 MB of modules) ..."
    run_logged "$tmp" "go install $MODULE@$STRIPE_MOCK_VERSION" \
        env GOBIN="$tmp" go install "$MODULE@$STRIPE_MOCK_VERSION"
    [[ -x "$tmp/stripe-mock" ]] || die "go install succeeded but $tmp/stripe-mock is missing"
    echo "$STRIPE_MOCK_VERSION" >"$tmp/.version"
    replace_dir "$tmp" "$BIN_DIR" "installed $BIN ($STRIPE_MOCK_VERSION) in $((SECONDS - t0))s"
}

# ---------------------------------------------------------------- process helpers

# Prints the pid of our server if the pid file points at a live stripe-mock started from $BIN;
# removes a stale pid file.
running_pid() { live_pid "$BIN"; }

# True if the server on HTTP port $1 answers a list request with JSON.
answers() {
    local body
    body="$(curl -s --max-time 3 -H "Authorization: Bearer $TEST_KEY" \
        "http://$HOST:$1/v1/payment_intents?limit=1" 2>/dev/null)" || return 1
    [[ "$body" =~ \"object\":\ *\"list\" ]]
}

# Probe of wait_ready: whether the server answers on $PORT.
server_ready() { answers "$PORT"; }

# Probe of service_status: whether the server on port $1 answers.
status_probe() {
    if answers "$1"; then
        echo "$STRIPE_MOCK_VERSION, answering"
    else
        echo "$STRIPE_MOCK_VERSION, not answering"
        return 1
    fi
}

# ---------------------------------------------------------------- commands

cmd_start() {
    check_ports
    require_curl
    mkdir -p "$BASE_DIR"
    reuse_running "$PORT $HTTPS_PORT" server_ready "$START_TIMEOUT" && return 0
    require_free_ports "STRIPE_MOCK_PORT / STRIPE_MOCK_HTTPS_PORT" "$PORT" "$HTTPS_PORT"

    is_installed || cmd_install

    log "starting stripe-mock $STRIPE_MOCK_VERSION on $URL (HTTPS on $HOST:$HTTPS_PORT, log $LOG_FILE) ..."
    # PORT in the environment would only matter without -http-addr, but keep it out anyway.
    launch "$PORT $HTTPS_PORT" server_ready "$START_TIMEOUT" \
        env -u PORT "$BIN" -http-addr "$HOST:$PORT" -https-addr "$HOST:$HTTPS_PORT"
    echo "$URL"
}

cmd_stop() { stop_service 10; }

# exit 0: running and answering; 1: running but not answering; 3: not running
cmd_status() { service_status status_probe "$STRIPE_MOCK_VERSION, not answering"; }

run_command "$@"
