#!/usr/bin/env bash
# The one command that runs every test: Swift unit and integration tests, then the Python suite with
# the official google-genai SDK at 1.55.0 and at the newest 1.x. Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-system.sh
scripts/setup-python.sh
echo "== swift build" >&2
swift build --build-tests
echo "== swift test" >&2
swift test --skip-build
export UNDERSTUDY_BIN="$PWD/.build/debug/understudy"
for venv in .venv-sdk155 .venv-sdk175; do
  echo "== python suite with $("$venv/bin/python" -c 'import google.genai as g; print("google-genai", g.__version__)')" >&2
  "$venv/bin/python" -m pytest -q tests/python "$@"
done
