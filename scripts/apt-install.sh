#!/usr/bin/env bash
# Installs Debian packages with apt-get, as root or through sudo; otherwise says exactly what to
# do. Used by ensure-chromium.sh and ensure-redis.sh.   usage: apt-install.sh WHAT PACKAGE...
set -euo pipefail
what="$1"; shift
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "$what is missing: install Debian's $* (apt-get install $*)." >&2
    exit 1
  fi
fi
echo "Installing Debian's $* for $what..." >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
