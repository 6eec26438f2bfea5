"""Raw HTTP probes (http.client and sockets, no SDK): error bodies, routing, auth, SSE framing,
tenant isolation, determinism across servers, persistence across restarts, concurrency, shutdown."""
from __future__ import annotations

import http.client
import json
import signal
import socket
import threading
import time
import urllib.parse

import pytest

from conftest import start_server, stop_server
from sse_frames import parse_sse, rebuild

MODEL = "gemini-3-flash-preview"
WEATHER = {"type": "function", "name": "get_weather",
           "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}}


def call(base_url: str, method: str, path: str, body=None, headers=None, raw: bytes | None = None):
    """One request on a fresh connection: (status, headers, raw body bytes)."""
    url = urllib.parse.urlparse(base_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    hdrs = {"Content-Type": "application/json", **(headers or {})}
    try:
        conn.request(method, path, body=data, headers=hdrs)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def api(base_url, key, method, path, body=None, headers=None, raw=None):
    return call(base_url, method, path, body, {"x-goog-api-key": key, **(headers or {})}, raw)


def google_error(status: int, payload: bytes, http_status: int, status_name: str | None = None) -> dict:
    assert status == http_status, payload
    body = json.loads(payload)
    assert set(body) == {"error"}
    error = body["error"]
    assert {"code", "message", "status"} <= set(error)
    assert error["code"] == http_status and isinstance(error["message"], str) and error["message"]
    if status_name:
        assert error["status"] == status_name
    return error


def create(base_url, key, body, headers=None):
    return api(base_url, key, "POST", "/v1beta/interactions", body, headers)


# Error bodies naming the field.

@pytest.mark.parametrize("raw, field_hint", [
    (b'{"model": "gemini-3-flash-preview", "input": ', "JSON"),
    (b'{"model": "gemini-3-flash-preview" "input": "x"}', "JSON"),
    (b"not json at all", "JSON"),
    (b"", "JSON"),
    (b"[1, 2]", "object"),
])
def test_malformed_json(understudy, api_key, raw, field_hint):
    error = google_error(*api(understudy.base_url, api_key, "POST", "/v1beta/interactions", raw=raw)[::2], 400, "INVALID_ARGUMENT")
    assert "Invalid JSON payload received" in error["message"] and field_hint in error["message"]


@pytest.mark.parametrize("body, field", [
    ({"model": MODEL, "input": "x", "foo": 1}, "foo"),
    ({"model": MODEL, "input": "x", "generation_config": {"foo": 1}}, "generation_config.foo"),
    ({"model": MODEL, "input": [{"type": "text", "text": "x", "foo": 1}]}, "input[0].foo"),
    ({"model": MODEL, "input": [{"role": "user", "content": [{"type": "text", "text": "x", "bar": 2}]}]}, "input[0].content[0].bar"),
    ({"model": MODEL, "input": "x", "tools": [{**WEATHER, "colour": "red"}]}, "tools[0].colour"),
])
def test_unknown_fields_are_named(understudy, api_key, body, field):
    status, _, payload = create(understudy.base_url, api_key, body)
    error = google_error(status, payload, 400, "INVALID_ARGUMENT")
    name = field.rsplit(".", 1)[-1]
    assert f'Unknown name "{name}"' in error["message"]
    violations = [v for d in error.get("details", []) for v in d.get("fieldViolations", [])]
    assert [v["field"] for v in violations] == [field]


@pytest.mark.parametrize("body, field", [
    ({"model": 5, "input": "x"}, "model"),
    ({"model": MODEL, "input": "x", "store": "yes"}, "store"),
    ({"model": MODEL, "input": "x", "generation_config": {"temperature": "hot"}}, "generation_config.temperature"),
    ({"model": MODEL, "input": 42}, "input"),
    ({"model": MODEL, "input": "x", "tools": {"type": "function"}}, "tools"),
    ({"model": MODEL, "input": "x", "generation_config": {"max_output_tokens": 1.5}}, "generation_config.max_output_tokens"),
])
def test_wrong_types_are_named(understudy, api_key, body, field):
    status, _, payload = create(understudy.base_url, api_key, body)
    error = google_error(status, payload, 400, "INVALID_ARGUMENT")
    assert f"'{field}'" in error["message"]


@pytest.mark.parametrize("body, field", [
    ({"model": MODEL, "input": "x", "generation_config": {"thinking_level": "extreme"}}, "generation_config.thinking_level"),
    ({"model": MODEL, "input": "x", "generation_config": {"thinking_summaries": "sometimes"}}, "generation_config.thinking_summaries"),
    ({"model": MODEL, "input": [{"role": "robot", "content": "x"}]}, "input[0].role"),
])
def test_bad_enum_values_are_named(understudy, api_key, body, field):
    status, _, payload = create(understudy.base_url, api_key, body)
    error = google_error(status, payload, 400, "INVALID_ARGUMENT")
    assert f"'{field}'" in error["message"]


def test_missing_input(understudy, api_key):
    status, _, payload = create(understudy.base_url, api_key, {"model": MODEL})
    error = google_error(status, payload, 400, "INVALID_ARGUMENT")
    assert "'input'" in error["message"]


def test_missing_model_and_agent(understudy, api_key):
    status, _, payload = create(understudy.base_url, api_key, {"input": "x"})
    error = google_error(status, payload, 400, "INVALID_ARGUMENT")
    assert "model" in error["message"] and "agent" in error["message"]


def test_oversized_body_is_400_payload_size_exceeds_the_limit(understudy, api_key):
    # As Google's front end answers it: 400 INVALID_ARGUMENT "Request payload size exceeds the limit".
    url = urllib.parse.urlparse(understudy.base_url)
    size = 21 * 1024 * 1024
    sock = socket.create_connection((url.hostname, url.port), timeout=30)
    head = (f"POST /v1beta/interactions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"x-goog-api-key: {api_key}\r\nContent-Length: {size}\r\n\r\n").encode()
    sock.sendall(head)
    chunk = b"a" * (1024 * 1024)
    try:
        for _ in range(21):
            sock.sendall(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server may answer and close before reading everything
    response = b""
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                break
            response += data
            if b"\r\n\r\n" in response:
                head_part, _, rest = response.partition(b"\r\n\r\n")
                length = int(next(l.split(b":")[1] for l in head_part.split(b"\r\n") if l.lower().startswith(b"content-length")))
                if len(rest) >= length:
                    break
    except ConnectionResetError:
        pass
    sock.close()
    head_part, _, rest = response.partition(b"\r\n\r\n")
    assert head_part.startswith(b"HTTP/1.1 400"), response[:200]
    error = google_error(400, rest, 400, "INVALID_ARGUMENT")
    assert error["message"] == "Request payload size exceeds the limit: 20971520 bytes."


def test_body_just_under_the_limit_is_accepted(understudy, api_key):
    text = "b" * (19 * 1024 * 1024)
    status, _, payload = create(understudy.base_url, api_key, {"model": MODEL, "input": text, "store": False})
    assert status == 200, payload[:300]


# Routing and auth.

@pytest.mark.parametrize("method, path", [
    ("GET", "/v1beta/models"),
    ("POST", "/v1beta/interaction"),
    ("GET", "/"),
    ("POST", "/v1beta/interactions/abc/cancel/now"),
])
def test_unknown_route_is_404(understudy, api_key, method, path):
    status, _, payload = api(understudy.base_url, api_key, method, path, raw=b"{}" if method == "POST" else None)
    google_error(status, payload, 404, "NOT_FOUND")


@pytest.mark.parametrize("method, path, allowed", [
    ("GET", "/v1beta/interactions", "POST"),
    ("PUT", "/v1beta/interactions", "POST"),
    ("POST", "/v1beta/interactions/abc", "GET, DELETE"),
    ("GET", "/v1beta/interactions/abc/cancel", "POST"),
])
def test_wrong_method_is_404_method_not_found(understudy, api_key, method, path, allowed):
    # Google's errors pair each code with its canonical status and have no 405: a method the path does
    # not have is answered like an unknown path. The Allow header names the methods it does have.
    status, headers, payload = api(understudy.base_url, api_key, method, path, raw=b"{}" if method in ("POST", "PUT") else None)
    error = google_error(status, payload, 404, "NOT_FOUND")
    assert error["message"].startswith("Method not found.") and method in error["message"]
    assert headers.get("allow") == allowed


def test_missing_key_is_403(understudy):
    status, _, payload = call(understudy.base_url, "POST", "/v1beta/interactions", {"model": MODEL, "input": "x"})
    error = google_error(status, payload, 403, "PERMISSION_DENIED")
    assert "API Key" in error["message"]
    status, _, payload = call(understudy.base_url, "GET", "/v1beta/interactions/abc")
    google_error(status, payload, 403, "PERMISSION_DENIED")
    status, _, payload = call(understudy.base_url, "POST", "/v1beta/interactions", {"model": MODEL, "input": "x"},
                              {"x-goog-api-key": ""})
    google_error(status, payload, 403, "PERMISSION_DENIED")


def test_key_in_the_query(understudy, api_key):
    status, _, payload = call(understudy.base_url, "POST", f"/v1beta/interactions?key={api_key}", {"model": MODEL, "input": "q"})
    assert status == 200
    created = json.loads(payload)
    # The same key as a header sees it: one tenant.
    status, _, payload = api(understudy.base_url, api_key, "GET", f"/v1beta/interactions/{created['id']}")
    assert status == 200 and json.loads(payload) == created
    # The header wins over the query.
    status, _, _ = call(understudy.base_url, "GET", f"/v1beta/interactions/{created['id']}?key={api_key}",
                        headers={"x-goog-api-key": api_key + "-other"})
    assert status == 404


def raw_request(base_url: str, request: bytes) -> tuple[bytes, bytes]:
    url = urllib.parse.urlparse(base_url)
    with socket.create_connection((url.hostname, url.port), timeout=30) as sock:
        sock.sendall(request)
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return head, body


def test_duplicate_user_agent_headers_are_tolerated(understudy, api_key):
    body = json.dumps({"model": MODEL, "input": "two agents"}).encode()
    head, payload = raw_request(understudy.base_url, (
        "POST /v1beta/interactions HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\nContent-Type: application/json\r\n"
        "User-Agent: GeminiNextGenAPIClient/Python 1.55.0\r\n"
        f"x-goog-api-key: {api_key}\r\n"
        "user-agent: google-genai-sdk/1.55.0 gl-python/3.11.7\r\n"
        f"Connection: close\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body)
    assert head.startswith(b"HTTP/1.1 200"), head
    assert 'You said: \\"two agents\\"' in payload.decode()
    [entry] = understudy.journal(api_key, route="interactions.create")
    # Both lines arrived, in order (the journal keeps headers as [name, value] pairs).
    agents = [v for k, v in entry["headers"] if k.lower() == "user-agent"]
    assert agents == ["GeminiNextGenAPIClient/Python 1.55.0", "google-genai-sdk/1.55.0 gl-python/3.11.7"]


def test_alt_sse_is_accepted_and_ignored(understudy, api_key):
    status, headers, payload = api(understudy.base_url, api_key, "POST", "/v1beta/interactions?alt=sse", {"model": MODEL, "input": "x"})
    assert status == 200 and headers["content-type"].startswith("application/json")
    assert json.loads(payload)["status"] == "completed"
    status, headers, payload = api(understudy.base_url, api_key, "POST", "/v1beta/interactions?alt=json",
                                   {"model": MODEL, "input": "x", "stream": True})
    assert status == 200 and headers["content-type"].startswith("text/event-stream")
    status, headers, payload = api(understudy.base_url, api_key, "POST", "/v1beta/interactions?alt=sse",
                                   {"model": MODEL, "input": "x", "stream": True})
    assert status == 200 and headers["content-type"].startswith("text/event-stream")
    # GET with alt=sse but no stream=true: a plain JSON resource.
    interaction_id = parse_sse(payload)[0]["interaction"]["id"]
    status, headers, payload = api(understudy.base_url, api_key, "GET", f"/v1beta/interactions/{interaction_id}?alt=sse")
    assert status == 200 and json.loads(payload)["id"] == interaction_id


def test_revision_header_and_v1_paths_are_refused_clearly(understudy, api_key):
    body = {"model": MODEL, "input": "x"}
    for path, headers in [("/v1beta/interactions", {"Api-Revision": "2026-05-20"}), ("/v1/interactions", {})]:
        status, _, payload = api(understudy.base_url, api_key, "POST", path, body, headers)
        error = google_error(status, payload, 400)
        assert "2026-05-20" in error["message"] and "steps" in error["message"]
    # GETs on /v1 too, before any lookup.
    status, _, payload = api(understudy.base_url, api_key, "GET", "/v1/interactions/abc")
    assert "2026-05-20" in google_error(status, payload, 400)["message"]
    # An unknown revision is named.
    status, _, payload = api(understudy.base_url, api_key, "POST", "/v1beta/interactions", body, {"Api-Revision": "2099-01-01"})
    assert "2099-01-01" in google_error(status, payload, 400, "INVALID_ARGUMENT")["message"]
    # The explicit legacy revision and v1alpha are served.
    status, _, _ = api(understudy.base_url, api_key, "POST", "/v1beta/interactions", body, {"Api-Revision": "2026-05-07"})
    assert status == 200
    status, _, _ = api(understudy.base_url, api_key, "POST", "/v1alpha/interactions", body)
    assert status == 200


def test_include_input_on_get(understudy, api_key):
    status, _, payload = create(understudy.base_url, api_key, {"model": MODEL, "input": "Echo my input"})
    created = json.loads(payload)
    assert "input" not in created
    status, _, payload = api(understudy.base_url, api_key, "GET", f"/v1beta/interactions/{created['id']}?include_input=true")
    with_input = json.loads(payload)
    assert status == 200 and "Echo my input" in json.dumps(with_input["input"])
    status, _, payload = api(understudy.base_url, api_key, "GET", f"/v1beta/interactions/{created['id']}?include_input=false")
    assert "input" not in json.loads(payload)


# SSE framing.

@pytest.mark.parametrize("body", [
    {"model": MODEL, "input": "Explain quantum entanglement in simple terms. " * 5, "stream": True},
    {"model": MODEL, "input": "Weather?", "tools": [WEATHER], "stream": True},
    {"model": "gemini-2.5-flash-lite", "input": "ünïcödé ✓ \"quoted\" \\ back", "stream": True},
    {"agent": "deep-research-pro-preview-12-2025", "input": "Research TPUs.", "background": True, "stream": True},
])
def test_sse_framing_and_deltas(understudy, api_key, body):
    status, headers, payload = create(understudy.base_url, api_key, body)
    assert status == 200 and headers["content-type"].startswith("text/event-stream")
    events = parse_sse(payload)
    assert [e["event_id"] for e in events] == [f"evt_{n:04d}" for n in range(1, len(events) + 1)]
    assert events[-1]["event_type"] == "interaction.complete"
    final = events[-1]["interaction"]
    assert rebuild(events) == final["outputs"]
    indexes = [e["index"] for e in events if e["event_type"] == "content.start"]
    assert indexes == list(range(len(final["outputs"])))
    # The GET replay is byte-identical.
    status, _, replay = api(understudy.base_url, api_key, "GET", f"/v1beta/interactions/{final['id']}?stream=true")
    assert status == 200 and replay == payload


# Tenant isolation.

def test_another_keys_interaction_is_not_found(understudy, api_key):
    other = api_key + "-intruder"
    status, _, payload = create(understudy.base_url, api_key, {"model": MODEL, "input": "private"})
    interaction_id = json.loads(payload)["id"]
    for method, path, body in [("GET", f"/v1beta/interactions/{interaction_id}", None),
                               ("GET", f"/v1beta/interactions/{interaction_id}?stream=true", None),
                               ("DELETE", f"/v1beta/interactions/{interaction_id}", None),
                               ("POST", f"/v1beta/interactions/{interaction_id}/cancel", None),
                               ("POST", "/v1beta/interactions", {"model": MODEL, "input": "x", "previous_interaction_id": interaction_id})]:
        status, _, payload = api(understudy.base_url, other, method, path, body)
        google_error(status, payload, 404, "NOT_FOUND")
    status, _, _ = api(understudy.base_url, api_key, "GET", f"/v1beta/interactions/{interaction_id}")
    assert status == 200


# Determinism across servers.

def scripted_session(base_url: str) -> list[bytes]:
    """A fixed sequence of requests; returns every response body."""
    key = "determinism-key"
    bodies = []

    def go(method, path, body=None):
        status, _, payload = api(base_url, key, method, path, body)
        bodies.append(payload)
        return json.loads(payload) if payload and not payload.startswith(b"event:") else None

    first = go("POST", "/v1beta/interactions", {"model": MODEL, "input": "Hi, my name is Phil."})
    second = go("POST", "/v1beta/interactions", {"model": MODEL, "input": "What is my name?", "previous_interaction_id": first["id"]})
    call_turn = go("POST", "/v1beta/interactions", {"model": MODEL, "input": "Weather?", "tools": [WEATHER]})
    fc = next(o for o in call_turn["outputs"] if o["type"] == "function_call")
    go("POST", "/v1beta/interactions", {"model": MODEL, "previous_interaction_id": call_turn["id"],
                                        "input": [{"type": "function_result", "call_id": fc["id"], "name": fc["name"], "result": "sunny"}]})
    go("POST", "/v1beta/interactions", {"model": MODEL, "input": "stream me", "stream": True})
    bg = go("POST", "/v1beta/interactions", {"agent": "deep-research-pro-preview-12-2025", "input": "TPUs", "background": True})
    go("GET", f"/v1beta/interactions/{bg['id']}")
    go("GET", f"/v1beta/interactions/{bg['id']}")
    go("GET", f"/v1beta/interactions/{second['id']}")
    go("GET", f"/v1beta/interactions/{bg['id']}?stream=true")
    return bodies


def test_same_seed_gives_byte_identical_responses():
    runs = []
    for seed in (7, 7, 8):
        server = start_server(seed=seed)
        try:
            runs.append(scripted_session(server.base_url))
        finally:
            stop_server(server)
    assert runs[0] == runs[1]
    ids = [json.loads(b)["id"] for b in (runs[0][0], runs[2][0])]
    assert ids[0] != ids[1]
    assert runs[0] != runs[2]
    # Apart from ids and signatures the other seed answers alike: same statuses, same texts.
    a, c = json.loads(runs[0][1]), json.loads(runs[2][1])
    assert a["outputs"][-1]["text"] == c["outputs"][-1]["text"] and a["status"] == c["status"]


# Persistence, concurrency, shutdown.

def test_restart_on_the_same_data_file_serves_every_interaction(tmp_path):
    data = tmp_path / "understudy.sqlite"
    key = "restart-key"
    server = start_server(data=str(data))
    acknowledged: dict[str, bytes] = {}
    try:
        for i in range(5):
            status, _, payload = create(server.base_url, key, {"model": MODEL, "input": f"message {i}"})
            assert status == 200
            acknowledged[json.loads(payload)["id"]] = payload
        first = next(iter(acknowledged))
        status, _, payload = create(server.base_url, key, {"model": MODEL, "input": "chained", "previous_interaction_id": first})
        chained = json.loads(payload)["id"]
        acknowledged[chained] = payload
        status, _, stream = create(server.base_url, key, {"model": MODEL, "input": "streamed", "stream": True})
        streamed = parse_sse(stream)[0]["interaction"]["id"]
        status, _, payload = create(server.base_url, key, {"agent": "deep-research-pro-preview-12-2025", "input": "TPUs", "background": True})
        running = json.loads(payload)["id"]
        status, _, _ = api(server.base_url, key, "GET", f"/v1beta/interactions/{running}")  # one poll of two
        gone = json.loads(create(server.base_url, key, {"model": MODEL, "input": "delete me"})[2])["id"]
        assert api(server.base_url, key, "DELETE", f"/v1beta/interactions/{gone}")[0] == 200
    finally:
        assert stop_server(server) == 0
    server = start_server(data=str(data))
    try:
        for interaction_id, body in acknowledged.items():
            status, _, payload = api(server.base_url, key, "GET", f"/v1beta/interactions/{interaction_id}")
            assert status == 200 and payload == body
        status, _, replay = api(server.base_url, key, "GET", f"/v1beta/interactions/{streamed}?stream=true")
        assert replay == stream
        # The background run goes on where it was: the second poll finishes it.
        status, _, payload = api(server.base_url, key, "GET", f"/v1beta/interactions/{running}")
        assert json.loads(payload)["status"] == "completed"
        assert api(server.base_url, key, "GET", f"/v1beta/interactions/{gone}")[0] == 404
        # New interactions get new ids (no reuse after a restart).
        status, _, payload = create(server.base_url, key, {"model": MODEL, "input": "after restart", "previous_interaction_id": chained})
        assert status == 200 and json.loads(payload)["id"] not in acknowledged
    finally:
        assert stop_server(server) == 0


def test_sixteen_concurrent_clients_lose_nothing(understudy, api_key):
    results: list[tuple[str, str, bytes]] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(n: int):
        key = api_key if n % 2 == 0 else f"{api_key}-{n}"
        previous = None
        try:
            for i in range(8):
                body = {"model": MODEL, "input": f"client {n} message {i}"}
                if previous and i % 3:
                    body["previous_interaction_id"] = previous
                status, _, payload = create(understudy.base_url, key, body)
                if status != 200:
                    errors.append(f"{n}/{i}: create {status} {payload[:200]!r}")
                    continue
                previous = json.loads(payload)["id"]
                status, _, got = api(understudy.base_url, key, "GET", f"/v1beta/interactions/{previous}")
                if status != 200 or got != payload:
                    errors.append(f"{n}/{i}: get {status}")
                with lock:
                    results.append((key, previous, payload))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(f"{n}: {e!r}")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors[:5]
    assert len(results) == 16 * 8
    assert len({r[1] for r in results}) == len(results)
    for key in {r[0] for r in results}:
        stored = set(understudy.admin("GET", "interactions", tenant=key)["interaction_ids"])
        assert stored == {r[1] for r in results if r[0] == key}
    for key, interaction_id, payload in results:
        status, _, got = api(understudy.base_url, key, "GET", f"/v1beta/interactions/{interaction_id}")
        assert status == 200 and got == payload


def test_sigterm_exits_zero_with_an_open_stream(api_key):
    server = start_server()
    try:
        held = "name: held\nreply:\n  background: [{hold: never}]\n  text: never\n"
        server.request("POST", f"/_understudy/scenarios?tenant={api_key}", raw=held.encode(),
                       headers={"Content-Type": "application/yaml"})
        status, _, payload = create(server.base_url, api_key, {"model": MODEL, "input": "wait", "background": True})
        interaction_id = json.loads(payload)["id"]
        url = urllib.parse.urlparse(server.base_url)
        sock = socket.create_connection((url.hostname, url.port), timeout=30)
        sock.sendall((f"GET /v1beta/interactions/{interaction_id}?stream=true HTTP/1.1\r\nHost: x\r\n"
                      f"x-goog-api-key: {api_key}\r\n\r\n").encode())
        received = b""
        while b"evt_0002" not in received:
            chunk = sock.recv(65536)
            assert chunk
            received += chunk
        server.process.send_signal(signal.SIGTERM)
        code = server.process.wait(timeout=20)
        assert code == 0
        # The stream was closed by the server.
        sock.settimeout(10)
        rest = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        sock.close()
        assert b"interaction.complete" not in rest
    finally:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait()
        server.process.stdout.close()


# HTTP/1.1 details that real clients rely on.

def test_chunked_request_body_is_accepted(understudy, api_key):
    body = json.dumps({"model": MODEL, "input": "sent in chunks"}).encode()
    chunks = b"".join(hex(len(part))[2:].encode() + b"\r\n" + part + b"\r\n" for part in (body[:10], body[10:])) + b"0\r\n\r\n"
    head, payload = raw_request(understudy.base_url, (
        "POST /v1beta/interactions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"x-goog-api-key: {api_key}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode() + chunks)
    assert head.startswith(b"HTTP/1.1 200")
    assert b"sent in chunks" in payload


def test_pipelined_requests_on_one_connection(understudy, api_key):
    status, _, payload = create(understudy.base_url, api_key, {"model": MODEL, "input": "pipelined"})
    interaction_id = json.loads(payload)["id"]
    one = f"GET /v1beta/interactions/{interaction_id} HTTP/1.1\r\nHost: x\r\nx-goog-api-key: {api_key}\r\n\r\n"
    last = f"GET /v1beta/interactions/nope HTTP/1.1\r\nHost: x\r\nx-goog-api-key: {api_key}\r\nConnection: close\r\n\r\n"
    head, rest = raw_request(understudy.base_url, (one * 3 + last).encode())
    everything = head + b"\r\n\r\n" + rest
    assert everything.count(b"HTTP/1.1 200 OK") == 3 and everything.count(b"HTTP/1.1 404") == 1
    assert everything.count(payload) == 3


def test_expect_100_continue_is_answered(understudy, api_key):
    body = json.dumps({"model": MODEL, "input": "x", "store": False}).encode()
    url = urllib.parse.urlparse(understudy.base_url)
    with socket.create_connection((url.hostname, url.port), timeout=30) as sock:
        sock.sendall((f"POST /v1beta/interactions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      f"x-goog-api-key: {api_key}\r\nExpect: 100-continue\r\nContent-Length: {len(body)}\r\n"
                      "Connection: close\r\n\r\n").encode())
        sock.settimeout(3)
        try:
            interim = sock.recv(64)
        except socket.timeout:
            interim = b""
        sock.settimeout(30)
        sock.sendall(body)
        rest = b""
        while chunk := sock.recv(65536):
            rest += chunk
    assert interim.startswith(b"HTTP/1.1 100"), interim
    assert b"HTTP/1.1 200" in rest


def test_a_reset_tenant_reissuing_an_id_is_answered_with_the_new_interaction(understudy, api_key):
    # GET answers are printed once per revision and reused; a reset lets the same id be issued again for
    # other content, and GET must then answer the new interaction, not the bytes printed before.
    def create_and_get(text):
        status, _, payload = create(understudy.base_url, api_key, {"model": MODEL, "input": text})
        assert status == 200
        interaction_id = json.loads(payload)["id"]
        status, _, got = api(understudy.base_url, api_key, "GET", f"/v1beta/interactions/{interaction_id}")
        assert status == 200 and got == payload
        return interaction_id, json.loads(got)

    first_id, first = create_and_get("the first life of this id")
    understudy.admin("POST", "reset", tenant=api_key)
    second_id, second = create_and_get("the second life of this id")
    assert second_id == first_id  # ids follow the tenant's sequence, which the reset restarted
    assert "second life" in second["outputs"][-1]["text"] and "first life" in first["outputs"][-1]["text"]
