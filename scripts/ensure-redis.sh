#!/usr/bin/env bash
# The integration tests (tests/real) start their own redis-server on loopback. Installs Debian's
# redis-server with apt-get when it is missing and we may; otherwise says exactly what to do.
# Only the binary is needed: the tests never use the system service.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "redis-server is missing: install Debian's redis-server (apt-get install redis-server)." >&2
    exit 1
  fi
fi
echo "Installing Debian's redis-server for the integration tests..." >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
command -v redis-server >/dev/null 2>&1 || { echo "apt-get installed redis-server but it is not on PATH" >&2; exit 1; }
