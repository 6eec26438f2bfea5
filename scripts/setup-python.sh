#!/usr/bin/env bash
# Creates the Python virtual environments the test suite needs (idempotent):
#   .venv-sdk155  google-genai 1.55.0 (the first SDK with client.interactions)
#   .venv-sdk175  google-genai 1.75.0 (the newest 1.x)
# Each also gets pytest, jsonschema, pillow and hypothesis for the tests' own checks.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
EXTRA="pytest==9.0.3 jsonschema==4.26.0 pillow hypothesis==6.155.2 hypothesis-jsonschema requests"
for pair in "sdk155:1.55.0" "sdk175:1.75.0"; do
  name=${pair%%:*}; version=${pair##*:}
  venv=".venv-$name"
  stamp="$venv/.understudy-$version"
  if [ -f "$stamp" ]; then continue; fi
  echo "setting up $venv (google-genai==$version)" >&2
  rm -rf "$venv"
  "$PYTHON" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "google-genai==$version" $EXTRA
  touch "$stamp"
done
