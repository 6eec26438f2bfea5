"""Shared fixtures for the Python suite: a private Understudy server and ways to talk to it.

The suite runs under one google-genai version at a time (scripts/test.sh runs it once per venv).
Every test gets its own API key, so every test is its own tenant: its own interactions, clock,
journal and scenario progress, with nothing to clean up between tests.
"""
from __future__ import annotations

import functools
import hashlib
import http.server
import json
import os
import pathlib
import subprocess
import sys
import threading
import urllib.error
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = pathlib.Path(__file__).resolve().parent / "examples"
FIXTURES = ROOT / "fixtures"
BIN = os.environ.get("UNDERSTUDY_BIN", str(ROOT / ".build" / "debug" / "understudy"))
SEED = 7
GUIDE_NAME = "000_eaa5e912ccb539b5.txt"


def guide_text() -> str | None:
    """The API guide the examples are copied from (shared/seeds beside this checkout), or None."""
    candidates = [ROOT.parent / "shared" / "seeds", ROOT.parents[1] / "shared" / "seeds", pathlib.Path("/work/shared/seeds")]
    return next(((d / GUIDE_NAME).read_text() for d in candidates if (d / GUIDE_NAME).exists()), None)


class Understudy:
    """A running server plus helpers for its admin API (see README, "Admin API")."""

    def __init__(self, process: subprocess.Popen, base_url: str):
        self.process = process
        self.base_url = base_url

    def request(self, method: str, path: str, body=None, headers=None, raw: bytes | None = None):
        """Sends a raw HTTP request; returns (status, headers, parsed JSON or text)."""
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.base_url + path, data=data, method=method)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        if data is not None and "Content-Type" not in (headers or {}):
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                payload = resp.read()
                status, hdrs = resp.status, dict(resp.headers)
        except urllib.error.HTTPError as e:
            payload, status, hdrs = e.read(), e.code, dict(e.headers)
        text = payload.decode("utf-8", "replace")
        try:
            return status, hdrs, json.loads(text)
        except ValueError:
            return status, hdrs, text

    def admin(self, method: str, path: str, body=None, tenant: str | None = None):
        sep = "&" if "?" in path else "?"
        full = f"/_understudy/{path.lstrip('/')}" + (f"{sep}tenant={tenant}" if tenant else "")
        status, _, payload = self.request(method, full, body)
        assert status == 200, f"admin {method} {path} -> {status}: {payload}"
        return payload

    def journal(self, tenant: str, **filters) -> list[dict]:
        query = "&".join(f"{k}={v}" for k, v in filters.items())
        return self.admin("GET", "journal" + (f"?{query}" if query else ""), tenant=tenant)["requests"]

    def advance(self, tenant: str, duration: str) -> dict:
        return self.admin("POST", "clock/advance", {"duration": duration}, tenant=tenant)

    def load_scenarios(self, text: str, name: str | None = None) -> list[str]:
        path = "/_understudy/scenarios" + (f"?name={name}" if name else "")
        status, _, payload = self.request("POST", path, raw=text.encode(), headers={"Content-Type": "application/yaml"})
        assert status == 200, f"loading scenarios -> {status}: {payload}"
        return payload["loaded"]


def start_server(*extra: str, seed: int = SEED, data: str = ":memory:") -> Understudy:
    """Starts `understudy serve` on a free port and waits for its first stdout line."""
    args = [BIN, "serve", "--port", "0", "--data", str(data), "--seed", str(seed), *extra]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline()
    if "http://" not in line:
        process.kill()
        raise RuntimeError(f"server did not start: {line!r}")
    base_url = "http://" + line.split("http://", 1)[1].split()[0]
    return Understudy(process, base_url)


def stop_server(server: Understudy) -> int:
    """SIGTERM, then SIGKILL after 10 s; returns the exit status."""
    server.process.terminate()
    try:
        code = server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        code = server.process.wait()
    if server.process.stdout:
        server.process.stdout.close()
    return code


@pytest.fixture(scope="session")
def understudy():
    server = start_server()
    yield server
    stop_server(server)


@pytest.fixture
def api_key(request) -> str:
    """A key (= tenant) unique to the test, stable across runs."""
    digest = hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:12]
    return f"test-{digest}"


@pytest.fixture
def sdk_env(understudy, api_key, monkeypatch):
    """Points google-genai at the server for code running in this process, the way users do."""
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", understudy.base_url)
    monkeypatch.setenv("GEMINI_API_KEY", api_key)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    return {"GOOGLE_GEMINI_BASE_URL": understudy.base_url, "GEMINI_API_KEY": api_key}


@pytest.fixture
def client(sdk_env):
    """A google-genai client configured only through the environment."""
    import warnings

    from google import genai

    warnings.filterwarnings("ignore", message="Interactions usage is experimental")
    client = genai.Client()
    yield client
    client.close()


@pytest.fixture
def strict_warnings():
    """Turns every warning into an error, except the SDK's own "Interactions usage is experimental"
    notice: the SDK must parse every response without complaint."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", message="Interactions usage is experimental", category=UserWarning)
        yield


@pytest.fixture
def run_example(understudy, api_key, tmp_path):
    """Runs a guide example file from tests/python/examples unmodified, in a fresh interpreter whose
    only configuration is the environment. Returns the completed process (stdout captured)."""

    def run(name: str, timeout: float = 120, extra_env: dict | None = None, expect_ok: bool = True,
            substitutions: dict[str, str] | None = None, prelude: str | None = None):
        """`substitutions` replaces placeholders (e.g. `<YOUR_INTERACTION_ID>`) in a copy of the file;
        `prelude` is prepended to that copy, for guide fragments that continue an earlier example
        (e.g. use `client` without creating it). The file in examples/ itself stays unmodified."""
        env = dict(os.environ)
        env.pop("GOOGLE_API_KEY", None)
        env.update({"GOOGLE_GEMINI_BASE_URL": understudy.base_url, "GEMINI_API_KEY": api_key,
                    "PYTHONWARNINGS": "ignore::UserWarning"})
        env.update(extra_env or {})
        source = EXAMPLES / name
        if substitutions or prelude:
            text = source.read_text()
            for placeholder, value in (substitutions or {}).items():
                assert placeholder in text, f"{name} has no placeholder {placeholder!r}"
                text = text.replace(placeholder, value)
            source = tmp_path / name
            source.write_text((prelude or "") + text)
        proc = subprocess.run([sys.executable, str(source)], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=timeout)
        if expect_ok:
            assert proc.returncode == 0, f"{name} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        return proc

    return run


# Stand-ins for the guide's remote servers ---------------------------------------------------------
# The guide's samples point at public URLs (media to describe, a weather MCP server). The tests replace
# those URLs, only in the command or copy they run, with these loopback servers.

def serve_in_background(handler) -> http.server.ThreadingHTTPServer:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def fixture_server():
    """Serves fixtures/ over HTTP on loopback: the stand-in for the guide's remote media URLs."""
    server = serve_in_background(functools.partial(QuietHandler, directory=str(FIXTURES)))
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


class MCPHandler(http.server.BaseHTTPRequestHandler):
    """A streamable-HTTP MCP server with one weather tool (JSON-RPC over POST)."""

    def log_message(self, *args):
        pass

    def do_POST(self):
        message = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if "id" not in message:
            self.send_response(202)
            self.end_headers()
            return
        method = message["method"]
        if method == "initialize":
            result = {"protocolVersion": "2025-03-26", "capabilities": {"tools": {}}, "serverInfo": {"name": "weather", "version": "1"}}
        elif method == "tools/list":
            result = {"tools": [
                {"name": "get_forecast", "description": "Weather forecast for a city", "inputSchema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}},
                {"name": "get_time", "description": "Current time", "inputSchema": {"type": "object", "properties": {}}},
            ]}
        elif method == "tools/call":
            args = message["params"]["arguments"]
            result = {"content": [{"type": "text", "text": f"Sunny, 21°C ({message['params']['name']} for {args.get('city', '?')})"}]}
        else:
            result = {}
        body = json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": result}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Mcp-Session-Id", "session-1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="session")
def mcp_server():
    """The stand-in for the guide's remote MCP server; its streamable-HTTP endpoint URL."""
    server = serve_in_background(MCPHandler)
    yield f"http://127.0.0.1:{server.server_address[1]}/mcp"
    server.shutdown()
