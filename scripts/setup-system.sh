#!/usr/bin/env bash
# Installs the system packages the build and the benchmarks need, if missing (Debian/Ubuntu).
set -euo pipefail
need=()
dpkg -s libsqlite3-dev >/dev/null 2>&1 || need+=(libsqlite3-dev)
if [ "${UNDERSTUDY_BENCH:-0}" = 1 ]; then command -v wrk >/dev/null 2>&1 || need+=(wrk); fi
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq </dev/null
  $SUDO apt-get install -y -qq "${need[@]}" </dev/null
fi
