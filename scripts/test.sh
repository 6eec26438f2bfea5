#!/usr/bin/env bash
# The one command that runs every test: Swift unit and integration tests, then the Python suite with
# the official google-genai SDK at 1.55.0 and at the newest 1.x. Installs what it needs first.
# Every stage runs even if an earlier one failed; the exit status is non-zero if any failed.
# Extra arguments go to pytest (e.g. scripts/test.sh -k streaming).
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONDONTWRITEBYTECODE=1
scripts/setup-system.sh || exit 1
scripts/setup-python.sh || exit 1
echo "== swift build" >&2
swift build --build-tests || exit 1
failed=()
echo "== swift test" >&2
swift test --skip-build || failed+=("swift test")
export UNDERSTUDY_BIN="$PWD/.build/debug/understudy"
for venv in .venv-sdk155 .venv-sdk175; do
  version=$("$venv/bin/python" -c 'import google.genai as g; print(g.__version__)')
  echo "== python suite with google-genai $version" >&2
  # A per-test timeout turns a hang into one failure instead of a stalled CI run.
  "$venv/bin/python" -m pytest -q -p no:cacheprovider --timeout=300 tests/python "$@" </dev/null \
    || failed+=("python suite (google-genai $version)")
done
if [ ${#failed[@]} -gt 0 ]; then
  printf 'FAILED: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "all test stages passed" >&2
