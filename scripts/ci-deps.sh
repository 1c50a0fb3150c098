#!/usr/bin/env bash
# Debian packages the analyst-service tests need: Chromium (driven by Playwright, never a downloaded browser)
# and the PostgreSQL server (scripts/postgres.sh). Idempotent: installs only what is missing.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || [[ -x /usr/bin/chromium ]] || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
fc-list 2>/dev/null | grep -qi dejavu || missing+=(fonts-dejavu-core)

if ((${#missing[@]} == 0)); then
    echo "[ci-deps.sh] chromium and postgresql already installed"
    exit 0
fi
SUDO=""
[[ "$(id -u)" == "0" ]] || SUDO="sudo"
echo "[ci-deps.sh] installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
${SUDO} apt-get update -qq
${SUDO} apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "[ci-deps.sh] installed: ${missing[*]}"
