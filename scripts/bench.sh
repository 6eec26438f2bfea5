#!/usr/bin/env bash
# Throughput benchmark of a release build (not a test; nothing here fails on a slow machine).
#
#   (a) GET /_understudy/hello           the ceiling: same HTTP stack, no engine, no storage
#   (b) POST /v1beta/interactions        non-streaming create with store (bench/create.lua)
#   (c) GET /v1beta/interactions/{id}    by id, cycling over 256 stored interactions (bench/get.lua)
#   then a streaming run: time to first event and events/s for a long reply (bench/stream_client.py)
#
# Each wrk run: wrk -t2 -c32 -d${BENCH_DURATION:-10s} --latency. Prints req/s, p50, p99 and the
# ratios create/hello (target >= 40 %) and get/hello (target >= 70 %), plus the machine's load.
# (c) runs before (b) on a quiet server; get_old repeats it after (b), when those interactions are
# older than the read cache's 50,000 newest records.
# Environment: BENCH_DURATION (default 10s), BENCH_CONNECTIONS (32), BENCH_SKIP_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."

UNDERSTUDY_BENCH=1 scripts/setup-system.sh
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  echo "== swift build -c release --product understudy" >&2
  swift build -c release --product understudy >&2
fi
BIN="$(swift build -c release --show-bin-path)/understudy"
DURATION=${BENCH_DURATION:-10s}
CONNS=${BENCH_CONNECTIONS:-32}
PY=$(command -v python3)

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

"$BIN" serve --port 0 --data "$work/bench.sqlite" --seed 7 >"$work/stdout" 2>"$work/stderr" &
server_pid=$!
for _ in $(seq 1 100); do
  grep -q "http://" "$work/stdout" 2>/dev/null && break
  sleep 0.1
done
URL=$(grep -o 'http://[0-9.:]*' "$work/stdout" | head -1)
[ -n "$URL" ] || { echo "server did not start" >&2; cat "$work/stderr" >&2; exit 1; }
echo "server $URL (pid $server_pid, data $work/bench.sqlite)"

declare -A RPS P50 P99 ERR
run() {  # name, wrk args…
  local name=$1; shift
  # A short warm-up, then the measured run.
  wrk -t2 -c"$CONNS" -d2s "$@" >/dev/null 2>&1 || true
  local out
  out=$(wrk -t2 -c"$CONNS" -d"$DURATION" --latency "$@")
  echo "$out" >"$work/wrk-$name.txt"
  RPS[$name]=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  P50[$name]=$(awk '$1 == "50%" {print $2}' <<<"$out")
  P99[$name]=$(awk '$1 == "99%" {print $2}' <<<"$out")
  local non2xx socket
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")
  socket=$(awk '/Socket errors:/ {print}' <<<"$out")
  ERR[$name]="${non2xx:-0} non-2xx${socket:+; $socket}"
  alive "$name"
}
alive() {  # the server must survive every run
  if ! kill -0 "$server_pid" 2>/dev/null; then
    wait "$server_pid"; local code=$?
    echo "SERVER DIED during '$1' (exit status $code); last lines of its stderr:" >&2
    tail -30 "$work/stderr" >&2
    cp "$work/stderr" "${BENCH_CRASH_LOG:-/tmp/understudy-bench-crash.log}" 2>/dev/null || true
    server_pid=""
    exit 1
  fi
}

make_ids() {  # file: 256 new stored interactions of the benchmark's key
"$PY" - "$URL" >"$1" <<'EOF'
import json, sys, urllib.request
for i in range(256):
    req = urllib.request.Request(sys.argv[1] + "/v1beta/interactions", method="POST",
        data=json.dumps({"model": "gemini-3-flash-preview", "input": f"stored interaction {i}"}).encode(),
        headers={"Content-Type": "application/json", "x-goog-api-key": "bench-key"})
    print(json.load(urllib.request.urlopen(req))["id"])
EOF
}

make_ids "$work/ids"
export BENCH_IDS="$work/ids"
echo "load before: $(uptime)"
run hello "$URL/_understudy/hello"
run get -s bench/get.lua "$URL/v1beta/interactions"
run create -s bench/create.lua "$URL/v1beta/interactions"
# GET again on the same ids after the create run: with more than 50,000 newer interactions they have
# left the store's read cache and come from SQLite, which is also still absorbing the create burst.
run get_old -s bench/get.lua "$URL/v1beta/interactions"
echo "load after:  $(uptime)"

printf '\n%-8s %12s %10s %10s   %s\n' "case" "req/s" "p50" "p99" "errors"
for name in hello create get get_old; do
  printf '%-8s %12s %10s %10s   %s\n' "$name" "${RPS[$name]}" "${P50[$name]}" "${P99[$name]}" "${ERR[$name]}"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b > 0 ? 100 * a / b : 0) }'; }
c=$(ratio "${RPS[create]}" "${RPS[hello]}")
g=$(ratio "${RPS[get]}" "${RPS[hello]}")
echo
echo "create/hello: ${c} % (target >= 40 %) $([ "$c" -ge 40 ] && echo met || echo MISSED)"
echo "get/hello:    ${g} % (target >= 70 %) $([ "$g" -ge 70 ] && echo met || echo MISSED)"
echo
"$PY" bench/stream_client.py "$URL" 7
alive stream
echo "load at end: $(uptime)"
