#!/usr/bin/env bash
# Runs the whole test suite with the real services it needs: Debian's Chromium and PostgreSQL
# (scripts/ci-deps.sh installs them when missing), a throwaway PostgreSQL cluster (scripts/postgres.sh) and a
# single-node Kafka broker (scripts/kafka.sh). Services started here are stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
export PATH="$PWD/$BIN:$PATH"

cleanup() {
  bash scripts/kafka.sh stop >/dev/null 2>&1 || true
  bash scripts/postgres.sh stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

bash scripts/ci-deps.sh
HYDRAWATCH_TEST_PG_URL="$(bash scripts/postgres.sh start | tail -1)"
export HYDRAWATCH_TEST_PG_URL
bash scripts/kafka.sh start
"$BIN/python" -m pytest "$@"
