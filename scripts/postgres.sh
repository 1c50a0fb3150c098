#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for development and tests (Debian's postgresql package; no Docker).
#
#   bash scripts/postgres.sh start    initdb if needed, start on 127.0.0.1:$PG_PORT, print the URL (last line)
#   bash scripts/postgres.sh stop     fast shutdown; idempotent
#   bash scripts/postgres.sh status   exit 0 if our server answers, 1 otherwise
#   bash scripts/postgres.sh url      print the SQLAlchemy URL
#   bash scripts/postgres.sh reset    stop and delete the cluster
#
# The server runs as a non-root user: the invoking user, or (when run as root) PG_USER (default: postgres,
# created by the Debian package). It listens on 127.0.0.1 only, with a random password kept in the data dir,
# and favours speed over durability (fsync off): never put data you care about in it.
#
# Environment: PG_PORT (55432), PG_DATA_DIR (/tmp/hydrawatch-pg-$PG_PORT: password + data/), PG_USER (postgres),
#              PG_DB (hydrawatch), PG_BIN (newest /usr/lib/postgresql/*/bin).
# Tests: export HYDRAWATCH_TEST_PG_URL="$(bash scripts/postgres.sh start | tail -1)"
set -euo pipefail

PG_PORT="${PG_PORT:-55432}"
PG_ROOT="${PG_DATA_DIR:-/tmp/hydrawatch-pg-${PG_PORT}}"
PG_DATA_DIR="${PG_ROOT}/data"
PASSWORD_FILE="${PG_ROOT}/password"
PG_DB="${PG_DB:-hydrawatch}"
PG_ROLE="hydrawatch"
log() { printf '[postgres.sh] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ "${PG_PORT}" =~ ^[0-9]+$ ]] || die "PG_PORT must be a number"
if [[ -z "${PG_BIN:-}" ]]; then
    PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
fi
[[ -n "${PG_BIN}" && -x "${PG_BIN}/initdb" ]] || die "PostgreSQL server binaries not found: install Debian's postgresql (bash scripts/ci-deps.sh)"

if [[ "$(id -u)" == "0" ]]; then
    PG_USER="${PG_USER:-postgres}"
    id "${PG_USER}" >/dev/null 2>&1 || die "user ${PG_USER} does not exist (it comes with Debian's postgresql package)"
    as_pg() { runuser -u "${PG_USER}" -- "$@"; }
else
    PG_USER="$(id -un)"
    as_pg() { "$@"; }
fi

password() { cat "${PASSWORD_FILE}"; }
url() { printf 'postgresql+psycopg://%s:%s@127.0.0.1:%s/%s\n' "${PG_ROLE}" "$(password)" "${PG_PORT}" "${PG_DB}"; }
running() { [[ -f "${PG_DATA_DIR}/PG_VERSION" ]] && as_pg "${PG_BIN}/pg_ctl" -D "${PG_DATA_DIR}" status >/dev/null 2>&1; }
answers() { PGPASSWORD="$(password)" "${PG_BIN}/psql" -h 127.0.0.1 -p "${PG_PORT}" -U "${PG_ROLE}" -d postgres -Atqc 'SELECT 1' >/dev/null 2>&1; }

init_cluster() {
    log "initialising a cluster in ${PG_DATA_DIR} (owner ${PG_USER})"
    rm -rf "${PG_DATA_DIR}"
    mkdir -p "${PG_DATA_DIR}"
    chmod 700 "${PG_ROOT}" "${PG_DATA_DIR}"
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "${PASSWORD_FILE}"
    chown -R "${PG_USER}" "${PG_ROOT}"
    as_pg "${PG_BIN}/initdb" -D "${PG_DATA_DIR}" -U "${PG_ROLE}" --pwfile="${PASSWORD_FILE}" \
        --auth-host=scram-sha-256 --auth-local=scram-sha-256 -E UTF8 --no-locale >/dev/null
    cat >> "${PG_DATA_DIR}/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = ${PG_PORT}
unix_socket_directories = '${PG_DATA_DIR}'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
CONF
}

start() {
    if running && answers; then
        url
        return 0
    fi
    [[ -f "${PG_DATA_DIR}/PG_VERSION" ]] || init_cluster
    as_pg "${PG_BIN}/pg_ctl" -D "${PG_DATA_DIR}" -l "${PG_DATA_DIR}/server.log" -w -t 60 start >/dev/null \
        || { tail -20 "${PG_DATA_DIR}/server.log" >&2 || true; die "the server did not start"; }
    local exists
    exists="$(PGPASSWORD="$(password)" "${PG_BIN}/psql" -h 127.0.0.1 -p "${PG_PORT}" -U "${PG_ROLE}" -d postgres -Atqc \
        "SELECT 1 FROM pg_database WHERE datname = '${PG_DB}'")"
    if [[ "${exists}" != "1" ]]; then
        PGPASSWORD="$(password)" "${PG_BIN}/createdb" -h 127.0.0.1 -p "${PG_PORT}" -U "${PG_ROLE}" "${PG_DB}"
    fi
    log "PostgreSQL $("${PG_BIN}/postgres" --version | awk '{print $3}') on 127.0.0.1:${PG_PORT}"
    url
}

stop() {
    if running; then
        as_pg "${PG_BIN}/pg_ctl" -D "${PG_DATA_DIR}" -m fast -w -t 60 stop >/dev/null
        log "stopped"
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) running && answers ;;
    url) [[ -f "${PASSWORD_FILE}" ]] || die "no cluster in ${PG_ROOT}: run start"; url ;;
    reset) stop; rm -rf "${PG_ROOT}"; log "deleted ${PG_ROOT}" ;;
    *) die "usage: $0 start|stop|status|url|reset" ;;
esac
