#!/usr/bin/env bash
# Profiles the release server under one benchmark load with perf and prints the hottest frames
# (inclusive, demangled). Usage: bench/profile.sh create|get|hello [dwarf]
# Needs a release build (scripts/bench.sh makes one), wrk and perf. Not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
case_name=${1:-create}
callgraph="-g"
[ "${2:-}" = dwarf ] && callgraph="--call-graph dwarf,16384"
BIN="$(swift build -c release --show-bin-path)/understudy"
work=$(mktemp -d)
"$BIN" serve --port 0 --data "$work/bench.sqlite" --seed 7 >"$work/stdout" 2>"$work/stderr" &
PID=$!
trap 'kill -TERM $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do grep -q http:// "$work/stdout" && break; sleep 0.1; done
URL=$(grep -o 'http://[0-9.:]*' "$work/stdout" | head -1)
python3 - "$URL" >"$work/ids" <<'EOF'
import json, sys, urllib.request
for i in range(256):
    req = urllib.request.Request(sys.argv[1] + "/v1beta/interactions", method="POST",
        data=json.dumps({"model": "gemini-3-flash-preview", "input": f"stored interaction {i}"}).encode(),
        headers={"Content-Type": "application/json", "x-goog-api-key": "bench-key"})
    print(json.load(urllib.request.urlopen(req))["id"])
EOF
case "$case_name" in
  create) args=(-s bench/create.lua "$URL/v1beta/interactions") ;;
  get) args=(-s bench/get.lua "$URL/v1beta/interactions") ;;
  *) args=("$URL/_understudy/hello") ;;
esac
BENCH_IDS="$work/ids" wrk -t2 -c32 -d12s "${args[@]}" >"$work/wrk.txt" &
WPID=$!
sleep 2
# shellcheck disable=SC2086
perf record -F 499 $callgraph -p "$PID" -o "$work/perf.data" -- sleep 8 >/dev/null 2>&1
wait $WPID
grep Requests "$work/wrk.txt"
perf script -i "$work/perf.data" 2>/dev/null >"$work/script.txt"
python3 - "$work/script.txt" <<'EOF'
import collections, subprocess, sys
blocks = [b for b in open(sys.argv[1]).read().split("\n\n") if b.strip()]
inclusive = collections.Counter()
for block in blocks:
    frames = {l.strip().split(" ", 1)[1].rsplit(" (", 1)[0].split("+0x")[0] for l in block.strip().split("\n")[1:] if " " in l.strip()}
    inclusive.update(frames)
keys = [k for k, _ in inclusive.most_common(400)]
names = subprocess.run(["swift", "demangle", "--simplified"], input="\n".join(keys), capture_output=True, text=True).stdout.split("\n")
print(f"{len(blocks)} samples; hottest frames (inclusive):")
shown = set()
for key, name in zip(keys, names):
    if name in shown or not any(t in key for t in ("Understudy", "GRDB", "sqlite3", "JSON", "pread", "pwrite", "fdatasync", "writev", "llhttp")):
        continue
    shown.add(name)
    print(f"{100 * inclusive[key] / len(blocks):5.1f}%  {name[:150]}")
    if len(shown) >= 40:
        break
EOF
