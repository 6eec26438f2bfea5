#!/usr/bin/env bash
# Installs the system packages the build, the tests and the benchmarks need, if missing (Debian/Ubuntu):
# libsqlite3-dev and zlib1g-dev (the build), curl and jq (the REST example tests; the guide's speech sample
# pipes through jq), wrk (only with UNDERSTUDY_BENCH=1).
# Works as root or through sudo; never prompts (no stdin in CI).
set -euo pipefail
need=()
dpkg -s libsqlite3-dev >/dev/null 2>&1 || need+=(libsqlite3-dev)
dpkg -s zlib1g-dev >/dev/null 2>&1 || need+=(zlib1g-dev)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v jq >/dev/null 2>&1 || need+=(jq)
if [ "${UNDERSTUDY_BENCH:-0}" = 1 ]; then command -v wrk >/dev/null 2>&1 || need+=(wrk); fi
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}" >&2
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      SUDO="sudo -n"
    else
      echo "error: need root or sudo to install ${need[*]}" >&2
      exit 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq </dev/null
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" </dev/null
fi
