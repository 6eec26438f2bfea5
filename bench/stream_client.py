"""Streaming benchmark client (raw sockets, no SDK): time to first event and events per second.

Usage: stream_client.py BASE_URL [RUNS]. Each run POSTs a streaming create whose default reply quotes
a long prompt (so it streams many text deltas), reads the SSE body to its end, and records the time
from sending the request to the first complete event block, the total time and the event count.
Prints the median of the runs.
"""
from __future__ import annotations

import json
import socket
import statistics
import sys
import time
import urllib.parse

PROMPT = " ".join(f"token{i:05d}" for i in range(4000))  # ~40 kB: ~1,700 text deltas at 24 chars


def one_run(host: str, port: int, key: str) -> tuple[float, float, int]:
    body = json.dumps({"model": "gemini-3-flash-preview", "input": PROMPT, "stream": True, "store": True}).encode()
    request = (f"POST /v1beta/interactions HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
               f"x-goog-api-key: {key}\r\nConnection: close\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
    sock = socket.create_connection((host, port), timeout=60)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    t0 = time.perf_counter()
    sock.sendall(request)
    buf = b""
    first = None
    while True:
        chunk = sock.recv(1 << 16)
        if not chunk:
            break
        buf += chunk
        if first is None:
            body_start = buf.find(b"\r\n\r\n")
            data = buf.find(b"data: ", body_start) if body_start >= 0 else -1
            if data >= 0 and buf.find(b"\n\n", data) >= 0:
                first = time.perf_counter() - t0
    total = time.perf_counter() - t0
    sock.close()
    head, _, rest = buf.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head[:200]
    body = dechunk(rest) if b"transfer-encoding: chunked" in head.lower() else rest
    blocks = [b for b in body.split(b"\n\n") if b.strip()]
    assert blocks and b"interaction.complete" in blocks[-1], "stream did not complete"
    return first or total, total, len(blocks)


def dechunk(data: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(data):
        end = data.index(b"\r\n", i)
        size = int(data[i:end].split(b";")[0], 16)
        if size == 0:
            break
        out += data[end + 2:end + 2 + size]
        i = end + 2 + size + 2
    return bytes(out)


def main() -> None:
    url = urllib.parse.urlparse(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    results = [one_run(url.hostname, url.port, f"bench-stream-{i}") for i in range(runs)]
    ttfe = statistics.median(r[0] for r in results) * 1000
    total = statistics.median(r[1] for r in results)
    events = statistics.median(r[2] for r in results)
    rate = statistics.median(r[2] / r[1] for r in results)
    print(f"stream: {int(events)} events per reply, median of {runs} runs: "
          f"time to first event {ttfe:.2f} ms, whole stream {total * 1000:.1f} ms, {rate:,.0f} events/s")


if __name__ == "__main__":
    main()
