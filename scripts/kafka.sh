#!/usr/bin/env bash
# Single-node Apache Kafka 4.x (KRaft, broker+controller in one JVM) for development and tests.
#
#   bash scripts/kafka.sh start     fetch Kafka if needed, format storage if needed, start, wait until it answers
#   bash scripts/kafka.sh stop      SIGTERM, wait, then SIGKILL; idempotent
#   bash scripts/kafka.sh restart   stop + start (data is kept)
#   bash scripts/kafka.sh status    exit 0 if our broker runs and answers a metadata request, 1 otherwise
#   bash scripts/kafka.sh reset     stop and wipe the data dir (the next start formats a fresh cluster)
#   bash scripts/kafka.sh fetch     only download Kafka into the cache (e.g. to warm a CI machine)
#   bash scripts/kafka.sh logs [N]  print the last N (default 50) lines of the broker log
#
# No Docker: Kafka and all its runtime dependencies come from Maven Central through Maven
# (org.apache.kafka:kafka_2.13 plus the log4j2 SLF4J binding), and run on the machine's Java 17+.
# Once fetched, the cache is reused and no network is needed.
#
# Environment (all optional):
#   KAFKA_VERSION          Kafka release from Maven Central          (default 4.1.0, as in docker-compose.yml)
#   KAFKA_PORT             PLAINTEXT listener on 127.0.0.1           (default 9092)
#   KAFKA_CONTROLLER_PORT  KRaft controller listener on 127.0.0.1    (default KAFKA_PORT+1)
#   HYDRAWATCH_CACHE       cache root                                (default $HOME/.cache/hydrawatch)
#   KAFKA_DATA_DIR         data dir: storage, config, log, pid       (default $HYDRAWATCH_CACHE/kafka-data-$KAFKA_PORT)
#   KAFKA_START_TIMEOUT    seconds `start` waits for the broker      (default 90)
#   KAFKA_STOP_TIMEOUT     seconds `stop` waits after SIGTERM        (default 30)
#   KAFKA_HEAP_OPTS        JVM heap options                          (default "-Xms256m -Xmx1g")
#   KAFKA_OPTS             extra JVM options
#   KAFKA_LOG_LEVEL        root log4j2 level                         (default INFO)
#   JAVA                   java binary (default $JAVA_HOME/bin/java, else java on PATH)
#   KAFKA_PROBE            how to check the broker answers: auto | python | java (default auto:
#                          kafka-python from the repo venv if importable, else a Java AdminClient probe)
set -euo pipefail

KAFKA_VERSION="${KAFKA_VERSION:-4.1.0}"
SCALA_BINARY="2.13"
DEPENDENCY_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

CACHE_ROOT="${HYDRAWATCH_CACHE:-${HOME}/.cache/hydrawatch}"
KAFKA_HOME="${CACHE_ROOT}/kafka-${KAFKA_VERSION}"
KAFKA_LIBS="${KAFKA_HOME}/libs"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_HOST="127.0.0.1"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx1g}"
KAFKA_OPTS="${KAFKA_OPTS:-}"
KAFKA_LOG_LEVEL="${KAFKA_LOG_LEVEL:-INFO}"
KAFKA_PROBE="${KAFKA_PROBE:-auto}"

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "${SCRIPT_DIR}/.." && pwd)"

log() { printf '[kafka.sh] %s\n' "$*"; }
err() { printf '[kafka.sh] ERROR: %s\n' "$*" >&2; }
die() {
    err "$*"
    exit 1
}

is_port_number() { [[ "$1" =~ ^[0-9]+$ ]] && ((10#$1 >= 1 && 10#$1 <= 65535)); }
is_port_number "${KAFKA_PORT}" || die "KAFKA_PORT must be a TCP port number, got '${KAFKA_PORT}'"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((10#${KAFKA_PORT} + 1))}"
is_port_number "${KAFKA_CONTROLLER_PORT}" || die "KAFKA_CONTROLLER_PORT must be a TCP port number, got '${KAFKA_CONTROLLER_PORT}'"
[[ "${KAFKA_CONTROLLER_PORT}" != "${KAFKA_PORT}" ]] || die "KAFKA_CONTROLLER_PORT must differ from KAFKA_PORT (${KAFKA_PORT})"
[[ "${KAFKA_START_TIMEOUT}" =~ ^[0-9]+$ ]] || die "KAFKA_START_TIMEOUT must be a number of seconds"
[[ "${KAFKA_STOP_TIMEOUT}" =~ ^[0-9]+$ ]] || die "KAFKA_STOP_TIMEOUT must be a number of seconds"

KAFKA_DATA_DIR="${KAFKA_DATA_DIR:-${CACHE_ROOT}/kafka-data-${KAFKA_PORT}}"
STORAGE_DIR="${KAFKA_DATA_DIR}/kraft-logs"
SERVER_PROPERTIES="${KAFKA_DATA_DIR}/server.properties"
LOG4J2_PROPERTIES="${KAFKA_DATA_DIR}/log4j2.properties"
LOG4J2_TOOLS_PROPERTIES="${KAFKA_DATA_DIR}/log4j2-tools.properties"
PID_FILE="${KAFKA_DATA_DIR}/kafka.pid"
LOG_FILE="${KAFKA_DATA_DIR}/kafka.log"
BOOTSTRAP="${KAFKA_HOST}:${KAFKA_PORT}"

if [[ -n "${JAVA:-}" ]]; then
    :
elif [[ -n "${JAVA_HOME:-}" && -x "${JAVA_HOME}/bin/java" ]]; then
    JAVA="${JAVA_HOME}/bin/java"
else
    JAVA="java"
fi

now() { date +%s; }

# ---------------------------------------------------------------------------------------------
# Fetching Kafka from Maven Central
# ---------------------------------------------------------------------------------------------

kafka_is_cached() {
    [[ -f "${KAFKA_HOME}/.complete" && -f "${KAFKA_LIBS}/kafka_${SCALA_BINARY}-${KAFKA_VERSION}.jar" ]]
}

# Prints the version part of the first jar in $1 named <artifact>-<version>.jar.
jar_version() {
    local dir="$1" artifact="$2" jar
    for jar in "${dir}/${artifact}"-[0-9]*.jar; do
        [[ -e "${jar}" ]] || continue
        jar="${jar##*/}"
        jar="${jar#"${artifact}"-}"
        printf '%s\n' "${jar%.jar}"
        return 0
    done
    return 1
}

fetch_kafka() {
    if kafka_is_cached; then
        return 0
    fi
    command -v mvn >/dev/null 2>&1 || die "Kafka ${KAFKA_VERSION} is not in the cache (${KAFKA_HOME}) and Maven (mvn) is not installed to fetch it"
    command -v "${JAVA}" >/dev/null 2>&1 || die "java not found (set JAVA or JAVA_HOME); Kafka ${KAFKA_VERSION} needs Java 17+"

    mkdir -p "${CACHE_ROOT}"
    local started work
    started="$(now)"
    work="$(mktemp -d "${CACHE_ROOT}/.kafka-fetch.XXXXXX")"
    # shellcheck disable=SC2064  # expand now: $work is local
    trap "rm -rf '${work}'" EXIT
    log "fetching org.apache.kafka:kafka_${SCALA_BINARY}:${KAFKA_VERSION} and its runtime dependencies from Maven Central ..."

    cat >"${work}/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- throwaway pom generated by hydrawatch scripts/kafka.sh to resolve a Kafka broker classpath -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>hydrawatch.dev</groupId>
  <artifactId>kafka-broker-classpath</artifactId>
  <version>${KAFKA_VERSION}</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_${SCALA_BINARY}</artifactId>
      <version>${KAFKA_VERSION}</version>
    </dependency>
  </dependencies>
</project>
EOF
    # kafka_2.13's pom lists the broker modules (kafka-server, kafka-raft, kafka-metadata,
    # kafka-storage, coordinators, jackson, log4j-core, ...) as runtime dependencies.
    mvn -B -q -f "${work}/pom.xml" "${DEPENDENCY_PLUGIN}:copy-dependencies" \
        -DincludeScope=runtime -DoutputDirectory="${work}/libs" >"${work}/mvn.log" 2>&1 || {
        cat "${work}/mvn.log" >&2
        die "Maven could not resolve org.apache.kafka:kafka_${SCALA_BINARY}:${KAFKA_VERSION} (is Maven Central reachable?)"
    }
    [[ -f "${work}/libs/kafka_${SCALA_BINARY}-${KAFKA_VERSION}.jar" ]] || {
        cat "${work}/mvn.log" >&2
        die "Maven resolved no kafka_${SCALA_BINARY}-${KAFKA_VERSION}.jar"
    }
    # What the pom does not bring: the SLF4J -> log4j2 binding (Kafka's own distribution ships
    # it in libs/); without it the broker and the storage tool log nothing at all.
    local log4j_version slf4j_version binding
    log4j_version="$(jar_version "${work}/libs" log4j-core)" || die "no log4j-core among Kafka's runtime dependencies; cannot pick the SLF4J binding"
    slf4j_version="$(jar_version "${work}/libs" slf4j-api)" || slf4j_version="1"
    if [[ "${slf4j_version}" == 1.* ]]; then binding="log4j-slf4j-impl"; else binding="log4j-slf4j2-impl"; fi
    mvn -B -q -f "${work}/pom.xml" "${DEPENDENCY_PLUGIN}:copy" \
        -Dartifact="org.apache.logging.log4j:${binding}:${log4j_version}" \
        -DoutputDirectory="${work}/libs" >>"${work}/mvn.log" 2>&1 || {
        cat "${work}/mvn.log" >&2
        die "Maven could not fetch org.apache.logging.log4j:${binding}:${log4j_version}"
    }

    printf 'kafka_%s %s\nfetched %s\n' "${SCALA_BINARY}" "${KAFKA_VERSION}" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"${work}/VERSION"
    rm -rf "${KAFKA_HOME}"
    mkdir -p "${KAFKA_HOME}"
    mv "${work}/libs" "${KAFKA_LIBS}"
    mv "${work}/VERSION" "${KAFKA_HOME}/VERSION"
    touch "${KAFKA_HOME}/.complete"
    rm -rf "${work}"
    trap - EXIT
    log "fetched Kafka ${KAFKA_VERSION} ($(find "${KAFKA_LIBS}" -name '*.jar' | wc -l | tr -d ' ') jars) into ${KAFKA_HOME} in $(($(now) - started)) s"
}

# ---------------------------------------------------------------------------------------------
# Process bookkeeping
# ---------------------------------------------------------------------------------------------

proc_cmdline() {
    local pid="$1"
    if [[ -r "/proc/${pid}/cmdline" ]]; then
        tr '\0' ' ' <"/proc/${pid}/cmdline" 2>/dev/null || true
    else
        ps -p "${pid}" -o args= 2>/dev/null || true
    fi
}

# True if $1 is a live process running our broker (guards against a recycled pid).
is_our_broker() {
    local pid="$1" cmd
    [[ "${pid}" =~ ^[0-9]+$ ]] || return 1
    kill -0 "${pid}" 2>/dev/null || return 1
    cmd="$(proc_cmdline "${pid}")"
    [[ "${cmd}" == *kafka.Kafka* && "${cmd}" == *"${SERVER_PROPERTIES}"* ]]
}

# Prints the pid of our running broker, or returns 1.
broker_pid() {
    local pid=""
    if [[ -f "${PID_FILE}" ]]; then
        pid="$(tr -d '[:space:]' <"${PID_FILE}" 2>/dev/null || true)"
        if is_our_broker "${pid}"; then
            printf '%s\n' "${pid}"
            return 0
        fi
    fi
    # Pid file lost or stale: look for a JVM started with exactly our server.properties.
    command -v pgrep >/dev/null 2>&1 || return 1
    for pid in $(pgrep -f -- "kafka[.]Kafka ${SERVER_PROPERTIES}" 2>/dev/null || true); do
        if is_our_broker "${pid}"; then
            if [[ -d "${KAFKA_DATA_DIR}" ]]; then printf '%s\n' "${pid}" >"${PID_FILE}"; fi
            printf '%s\n' "${pid}"
            return 0
        fi
    done
    return 1
}

port_open() {
    (exec 3<>"/dev/tcp/${KAFKA_HOST}/$1") 2>/dev/null
}

# ---------------------------------------------------------------------------------------------
# "Does it answer?" probes: a metadata request, not just an open port
# ---------------------------------------------------------------------------------------------

PYTHON_FOR_PROBE=""
find_probe_python() {
    local candidate
    for candidate in "${REPO_ROOT}/.venv/bin/python" "${VIRTUAL_ENV:+${VIRTUAL_ENV}/bin/python}" python3; do
        [[ -n "${candidate}" ]] || continue
        command -v "${candidate}" >/dev/null 2>&1 || continue
        if "${candidate}" -c 'import kafka' >/dev/null 2>&1; then
            PYTHON_FOR_PROBE="${candidate}"
            return 0
        fi
    done
    return 1
}

probe_python() {
    "${PYTHON_FOR_PROBE}" - "${BOOTSTRAP}" >/dev/null 2>&1 <<'PY'
import logging
import sys

logging.disable(logging.CRITICAL)
from kafka import KafkaAdminClient

admin = KafkaAdminClient(
    bootstrap_servers=sys.argv[1],
    client_id="hydrawatch-kafka-sh-probe",
    request_timeout_ms=5000,
    bootstrap_timeout_ms=5000,
)
try:
    admin.list_topics()
finally:
    admin.close()
PY
}

probe_java() {
    local probe_dir="${KAFKA_HOME}/probe"
    if [[ ! -f "${probe_dir}/KafkaProbe.java" ]]; then
        mkdir -p "${probe_dir}"
        cat >"${probe_dir}/KafkaProbe.java" <<'JAVA'
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** Exits 0 if the broker at args[0] answers a metadata (list topics + describe cluster) request. */
public class KafkaProbe {
    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "hydrawatch-kafka-sh-probe");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "8000");
        try (Admin admin = Admin.create(props)) {
            admin.listTopics().names().get(8, TimeUnit.SECONDS);
            admin.describeCluster().nodes().get(8, TimeUnit.SECONDS);
        }
    }
}
JAVA
    fi
    # Java 11+ runs a single source file directly (no javac step, nothing to cache).
    "${JAVA}" -Xmx128m -cp "${KAFKA_LIBS}/*" \
        "${probe_dir}/KafkaProbe.java" "${BOOTSTRAP}" >/dev/null 2>&1
}

PROBE_KIND=""
choose_probe() {
    [[ -z "${PROBE_KIND}" ]] || return 0
    case "${KAFKA_PROBE}" in
    python)
        find_probe_python || die "KAFKA_PROBE=python but no python with kafka-python importable was found"
        PROBE_KIND=python
        ;;
    java) PROBE_KIND=java ;;
    auto) if find_probe_python; then PROBE_KIND=python; else PROBE_KIND=java; fi ;;
    *) die "KAFKA_PROBE must be auto, python or java, got '${KAFKA_PROBE}'" ;;
    esac
}

broker_answers() {
    port_open "${KAFKA_PORT}" || return 1
    choose_probe
    if [[ "${PROBE_KIND}" == python ]]; then probe_python; else probe_java; fi
}

# ---------------------------------------------------------------------------------------------
# Config and storage
# ---------------------------------------------------------------------------------------------

write_configs() {
    mkdir -p "${KAFKA_DATA_DIR}" "${STORAGE_DIR}"
    cat >"${SERVER_PROPERTIES}" <<EOF
# Generated by scripts/kafka.sh on every start; edits are overwritten.
# Single-node KRaft: this JVM is both broker and (sole, static) controller.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@${KAFKA_HOST}:${KAFKA_CONTROLLER_PORT}
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://${KAFKA_HOST}:${KAFKA_PORT},CONTROLLER://${KAFKA_HOST}:${KAFKA_CONTROLLER_PORT}
advertised.listeners=PLAINTEXT://${KAFKA_HOST}:${KAFKA_PORT}
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=${STORAGE_DIR}

# One node: every internal topic has a single replica.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
default.replication.factor=1
min.insync.replicas=1

# Development conveniences.
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
delete.topic.enable=true
num.partitions=4
num.recovery.threads.per.data.dir=1
log.retention.hours=168
EOF
    cat >"${LOG4J2_PROPERTIES}" <<EOF
# Generated by scripts/kafka.sh: everything goes to stdout, which the script sends to kafka.log.
status = warn
name = hydrawatch-kafka
appender.stdout.type = Console
appender.stdout.name = STDOUT
appender.stdout.layout.type = PatternLayout
appender.stdout.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = ${KAFKA_LOG_LEVEL}
rootLogger.appenderRef.stdout.ref = STDOUT
logger.statechange.name = state.change.logger
logger.statechange.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.authorizer.name = kafka.authorizer.logger
logger.authorizer.level = WARN
EOF
    # The storage tool would otherwise dump its whole config at INFO into kafka.log.
    sed 's/^rootLogger.level = .*/rootLogger.level = WARN/' "${LOG4J2_PROPERTIES}" >"${LOG4J2_TOOLS_PROPERTIES}"
}

# Random KRaft cluster id: 16 random bytes, URL-safe base64 without padding (22 chars),
# not starting with '-' (Kafka's own Uuid.randomUuid() avoids that too, for CLI parsing).
new_cluster_id() {
    local id
    while :; do
        id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
        [[ "${id}" == -* || ${#id} -ne 22 ]] || break
    done
    printf '%s\n' "${id}"
}

format_storage_if_needed() {
    [[ ! -f "${STORAGE_DIR}/meta.properties" ]] || return 0
    local cluster_id
    cluster_id="$(new_cluster_id)"
    log "formatting KRaft storage in ${STORAGE_DIR} (cluster id ${cluster_id})"
    if ! "${JAVA}" -Xmx256m -Dlog4j2.configurationFile="${LOG4J2_TOOLS_PROPERTIES}" -cp "${KAFKA_LIBS}/*" \
        kafka.tools.StorageTool format --cluster-id "${cluster_id}" --config "${SERVER_PROPERTIES}" \
        --ignore-formatted >>"${LOG_FILE}" 2>&1; then
        err "formatting the KRaft storage failed; last lines of ${LOG_FILE}:"
        tail -n 30 "${LOG_FILE}" >&2 || true
        exit 1
    fi
}

rotate_log() {
    local max=$((50 * 1024 * 1024)) size
    [[ -f "${LOG_FILE}" ]] || return 0
    size="$(wc -c <"${LOG_FILE}" | tr -d ' ')"
    if ((size > max)); then mv -f "${LOG_FILE}" "${LOG_FILE}.1"; fi
}

# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------

print_log_tail() {
    local n="${1:-40}"
    if [[ -f "${LOG_FILE}" ]]; then
        err "last ${n} lines of ${LOG_FILE}:"
        tail -n "${n}" "${LOG_FILE}" | sed 's/^/    /' >&2
    else
        err "no log file at ${LOG_FILE}"
    fi
}

# Waits until pid $1 answers on KAFKA_PORT; returns 1 (after logging why) if it died or timed out.
wait_until_ready() {
    local pid="$1" started="$2" deadline=$(($2 + KAFKA_START_TIMEOUT))
    while :; do
        if ! kill -0 "${pid}" 2>/dev/null; then
            err "the Kafka broker (pid ${pid}) exited during startup"
            print_log_tail 60
            return 1
        fi
        if broker_answers; then
            return 0
        fi
        if (($(now) >= deadline)); then
            err "the Kafka broker (pid ${pid}) did not answer on ${BOOTSTRAP} within ${KAFKA_START_TIMEOUT} s (KAFKA_START_TIMEOUT)"
            print_log_tail 60
            return 1
        fi
        sleep 1
    done
}

cmd_start() {
    local pid started
    started="$(now)"
    if pid="$(broker_pid)"; then
        if broker_answers; then
            log "Kafka ${KAFKA_VERSION} is already running (pid ${pid}) and answers on ${BOOTSTRAP}"
            return 0
        fi
        log "Kafka is already running (pid ${pid}) but does not answer yet; waiting up to ${KAFKA_START_TIMEOUT} s"
        if wait_until_ready "${pid}" "${started}"; then
            log "Kafka ${KAFKA_VERSION} is ready on ${BOOTSTRAP} (pid ${pid})"
            return 0
        fi
        stop_pid "${pid}"
        exit 1
    fi

    local port
    for port in "${KAFKA_PORT}" "${KAFKA_CONTROLLER_PORT}"; do
        if port_open "${port}"; then
            local hint=""
            if [[ "${port}" == "${KAFKA_PORT}" ]] && broker_answers; then
                hint=" (a Kafka broker not started by this script answers there: docker compose? another KAFKA_DATA_DIR?)"
            fi
            die "port ${KAFKA_HOST}:${port} is already in use${hint}; pick other ports with KAFKA_PORT / KAFKA_CONTROLLER_PORT"
        fi
    done

    fetch_kafka
    "${JAVA}" -version >/dev/null 2>&1 || die "cannot run java ('${JAVA}'); Kafka ${KAFKA_VERSION} needs Java 17+"

    write_configs
    rotate_log
    printf '\n===== %s: kafka.sh start (Kafka %s, port %s, controller port %s) =====\n' \
        "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${KAFKA_VERSION}" "${KAFKA_PORT}" "${KAFKA_CONTROLLER_PORT}" >>"${LOG_FILE}"
    format_storage_if_needed

    local -a jvm_opts launcher=()
    # shellcheck disable=SC2206  # split the option strings on purpose
    jvm_opts=(${KAFKA_HEAP_OPTS} -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true
        -Dlog4j2.configurationFile="${LOG4J2_PROPERTIES}" ${KAFKA_OPTS})
    # Own session, so that Ctrl-C in the calling shell does not take the broker down.
    if command -v setsid >/dev/null 2>&1; then launcher=(setsid); fi
    nohup ${launcher[@]+"${launcher[@]}"} "${JAVA}" "${jvm_opts[@]}" -cp "${KAFKA_LIBS}/*" kafka.Kafka "${SERVER_PROPERTIES}" \
        >>"${LOG_FILE}" 2>&1 </dev/null &
    pid=$!
    printf '%s\n' "${pid}" >"${PID_FILE}"
    log "starting Kafka ${KAFKA_VERSION} (pid ${pid}) on ${BOOTSTRAP}, controller on ${KAFKA_HOST}:${KAFKA_CONTROLLER_PORT}; data in ${KAFKA_DATA_DIR}, log in ${LOG_FILE}"

    if ! wait_until_ready "${pid}" "${started}"; then
        stop_pid "${pid}" || true
        rm -f "${PID_FILE}"
        exit 1
    fi
    log "Kafka ${KAFKA_VERSION} is ready on ${BOOTSTRAP} (pid ${pid}) after $(($(now) - started)) s"
}

# SIGTERM, wait up to KAFKA_STOP_TIMEOUT, then SIGKILL.
stop_pid() {
    local pid="$1" deadline
    kill -TERM "${pid}" 2>/dev/null || return 0
    deadline=$(($(now) + KAFKA_STOP_TIMEOUT))
    while kill -0 "${pid}" 2>/dev/null; do
        if (($(now) >= deadline)); then
            err "Kafka (pid ${pid}) still running ${KAFKA_STOP_TIMEOUT} s after SIGTERM; sending SIGKILL"
            kill -KILL "${pid}" 2>/dev/null || true
            sleep 1
            break
        fi
        sleep 0.5
    done
}

cmd_stop() {
    local pid started
    if ! pid="$(broker_pid)"; then
        rm -f "${PID_FILE}"
        log "Kafka is not running (port ${KAFKA_PORT}, data ${KAFKA_DATA_DIR})"
        return 0
    fi
    started="$(now)"
    log "stopping Kafka (pid ${pid}) ..."
    stop_pid "${pid}"
    if kill -0 "${pid}" 2>/dev/null; then
        die "Kafka (pid ${pid}) is still alive after SIGKILL"
    fi
    rm -f "${PID_FILE}"
    log "Kafka stopped in $(($(now) - started)) s"
}

cmd_status() {
    local pid
    if ! pid="$(broker_pid)"; then
        if port_open "${KAFKA_PORT}"; then
            log "not running from ${KAFKA_DATA_DIR}, but something else listens on ${BOOTSTRAP}"
        else
            log "not running (port ${KAFKA_PORT}, data ${KAFKA_DATA_DIR})"
        fi
        return 1
    fi
    if broker_answers; then
        log "running: Kafka ${KAFKA_VERSION}, pid ${pid}, answers on ${BOOTSTRAP}; data ${KAFKA_DATA_DIR}"
        return 0
    fi
    log "process ${pid} is running but does not answer on ${BOOTSTRAP} (starting, or unhealthy: see ${LOG_FILE})"
    return 1
}

cmd_reset() {
    cmd_stop
    if [[ -d "${KAFKA_DATA_DIR}" ]]; then
        rm -rf "${KAFKA_DATA_DIR}"
        log "wiped ${KAFKA_DATA_DIR}; the next start formats a fresh cluster"
    else
        log "nothing to wipe at ${KAFKA_DATA_DIR}"
    fi
}

cmd_logs() {
    local n="${1:-50}"
    [[ -f "${LOG_FILE}" ]] || die "no log file at ${LOG_FILE}"
    tail -n "${n}" "${LOG_FILE}"
}

usage() {
    sed -n '2,29p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

main() {
    local cmd="${1:-}"
    [[ $# -gt 0 ]] && shift
    case "${cmd}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    restart)
        cmd_stop
        cmd_start
        ;;
    status) cmd_status ;;
    reset) cmd_reset ;;
    fetch)
        if kafka_is_cached; then log "Kafka ${KAFKA_VERSION} is already cached in ${KAFKA_HOME}"; else fetch_kafka; fi
        ;;
    logs) cmd_logs "$@" ;;
    -h | --help | help) usage ;;
    *)
        usage >&2
        exit 2
        ;;
    esac
}

main "$@"
