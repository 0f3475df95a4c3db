#!/usr/bin/env bash
# The integration tests (tests/real) start their own redis-server on loopback. Installs Debian's
# redis-server with apt-get when it is missing and we may; otherwise says exactly what to do.
# Only the binary is needed: the tests never use the system service.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then exit 0; fi
bash "$(dirname "$0")/apt-install.sh" "redis-server (integration tests)" redis-server
command -v redis-server >/dev/null 2>&1 || { echo "apt-get installed redis-server but it is not on PATH" >&2; exit 1; }
