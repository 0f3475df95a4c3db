#!/usr/bin/env bash
# Browser tests drive Debian's chromium (Playwright cannot download its own browser here).
# Installs it with apt-get when it is missing and we may; otherwise says exactly what to do.
set -euo pipefail
browser="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$browser" ]; then exit 0; fi
if [ -n "${CHROMIUM_PATH:-}" ]; then
  echo "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file." >&2
  exit 1
fi
bash "$(dirname "$0")/apt-install.sh" "chromium (browser tests; or set CHROMIUM_PATH)" chromium
[ -x "$browser" ] || { echo "apt-get installed chromium but $browser is not there" >&2; exit 1; }
