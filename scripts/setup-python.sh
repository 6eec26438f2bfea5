#!/usr/bin/env bash
# Creates the Python virtual environments the test suite needs (idempotent):
#   .venv-sdk155  google-genai 1.55.0 (the first SDK with client.interactions)
#   .venv-sdk175  google-genai 1.75.0 (the newest 1.x)
# Each also gets pytest (+ pytest-timeout), jsonschema, pillow and hypothesis for the tests' own checks.
# A venv is rebuilt when the package list changes (its stamp file names a hash of the list).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
EXTRA="pytest==9.0.3 pytest-timeout==2.4.0 jsonschema==4.26.0 pillow hypothesis==6.155.2 hypothesis-jsonschema requests"
for pair in "sdk155:1.55.0" "sdk175:1.75.0"; do
  name=${pair%%:*}; version=${pair##*:}
  venv=".venv-$name"
  list_hash=$(printf '%s %s' "$version" "$EXTRA" | sha256sum | cut -c1-12)
  stamp="$venv/.understudy-$version-$list_hash"
  if [ -f "$stamp" ] && "$venv/bin/python" -c 'import google.genai, pytest' 2>/dev/null; then continue; fi
  echo "setting up $venv (google-genai==$version)" >&2
  rm -rf "$venv"
  "$PYTHON" -m venv "$venv"
  # Retries: a fresh machine's first contact with the package index can be flaky.
  for attempt in 1 2 3; do
    if "$venv/bin/pip" install --quiet --disable-pip-version-check --retries 5 --timeout 60 \
        "google-genai==$version" $EXTRA </dev/null; then
      break
    fi
    [ "$attempt" = 3 ] && { echo "pip install failed for $venv" >&2; exit 1; }
    echo "pip install failed (attempt $attempt), retrying" >&2
    sleep 5
  done
  touch "$stamp"
done
