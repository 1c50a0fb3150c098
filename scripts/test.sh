#!/usr/bin/env bash
# Runs the whole test suite with the real services it needs: Kafka (scripts/kafka.sh) and, where the suite
# has them, PostgreSQL and Chromium. Services started here are stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
export PATH="$PWD/$BIN:$PATH"

cleanup() {
  bash scripts/kafka.sh stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

bash scripts/kafka.sh start
"$BIN/python" -m pytest "$@"
