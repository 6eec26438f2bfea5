"""Behaviour switches of `understudy serve` (README "Flags"), each on a private server, seen by the
official SDK and on the wire: SSE framing variants, error style, cancel quirk, usage field names,
signature policy, chunk size, free keys, poll counts."""
from __future__ import annotations

import json
import warnings

import pytest

from google.genai import _interactions as gi

from conftest import start_server, stop_server
from sse_frames import rebuild

MODEL = "gemini-3-flash-preview"
SDK = tuple(int(p) for p in __import__("google.genai", fromlist=["__version__"]).__version__.split(".")[:2])
WEATHER = {"type": "function", "name": "get_weather",
           "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}}

pytestmark = pytest.mark.usefixtures("strict_warnings")


@pytest.fixture
def private(api_key, monkeypatch):
    """start(*flags) -> (server, SDK client) for a private server; stopped after the test."""
    servers = []

    def start(*flags):
        from google import genai

        server = start_server(*flags)
        servers.append(server)
        monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", server.base_url)
        monkeypatch.setenv("GEMINI_API_KEY", api_key)
        monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
        warnings.filterwarnings("ignore", message="Interactions usage is experimental")
        return server, genai.Client()

    yield start
    for server in servers:
        assert stop_server(server) == 0


def raw_stream(server, key, body) -> str:
    status, headers, text = server.request("POST", "/v1beta/interactions", {**body, "stream": True},
                                           headers={"x-goog-api-key": key})
    assert status == 200 and headers["Content-Type"].startswith("text/event-stream")
    return text


@pytest.mark.parametrize("flags", [["--sse-done"], ["--no-sse-event-lines"], ["--sse-id-lines"],
                                   ["--sse-done", "--sse-id-lines", "--no-sse-event-lines"]])
def test_sse_framing_switches(private, api_key, flags):
    server, client = private(*flags)
    text = raw_stream(server, api_key, {"model": MODEL, "input": "framing"})
    blocks = text[:-2].split("\n\n")
    done = "--sse-done" in flags
    assert (blocks[-1] == "data: [DONE]") == done
    events = []
    for block in blocks[:-1] if done else blocks:
        lines = block.split("\n")
        assert any(l.startswith("event: ") for l in lines) == ("--no-sse-event-lines" not in flags)
        ids = [l for l in lines if l.startswith("id: ")]
        data = [l for l in lines if l.startswith("data: ")]
        assert len(data) == 1
        event = json.loads(data[0][6:])
        assert ids == ([f"id: {event['event_id']}"] if "--sse-id-lines" in flags else [])
        events.append(event)
    assert rebuild(events) == events[-1]["interaction"]["outputs"]
    # The SDK reads each variant to the same events.
    sdk_events = list(client.interactions.create(model=MODEL, input="framing", stream=True))
    assert sdk_events[-1].event_type == "interaction.complete"
    assert "".join(e.delta.text for e in sdk_events if e.event_type == "content.delta" and e.delta.type == "text") \
        == sdk_events[-1].interaction.outputs[-1].text


def test_interactions_error_style(private, api_key):
    server, client = private("--error-style", "interactions")
    status, _, body = server.request("POST", "/v1beta/interactions", {"model": MODEL, "input": "x", "foo": 1},
                                     headers={"x-goog-api-key": api_key})
    assert status == 400
    assert body["error"]["code"] == "invalid_request" and "foo" in body["error"]["message"]
    assert "status" not in body["error"]
    # The SDK only looks at the HTTP status.
    with pytest.raises(gi.BadRequestError):
        client.interactions.create(model=MODEL, input="x", generation_config={"temperature": "hot"})
    with pytest.raises(gi.NotFoundError):
        client.interactions.get("v1_unknown")


def test_cancel_unimplemented(private):
    server, client = private("--cancel", "unimplemented")
    created = client.interactions.create(agent="deep-research-pro-preview-12-2025", input="x", background=True)
    with pytest.raises(gi.NotFoundError) as info:
        client.interactions.cancel(created.id)
    assert info.value.body["error"]["message"] == "Method not found."
    assert client.interactions.get(created.id).status == "in_progress"


@pytest.mark.parametrize("field", ["reasoning", "thought", "both"])
def test_thought_tokens_field(private, api_key, field):
    server, client = private("--thought-tokens-field", field)
    status, _, body = server.request("POST", "/v1beta/interactions", {"model": MODEL, "input": "x"},
                                     headers={"x-goog-api-key": api_key})
    usage = body["usage"]
    assert ("total_reasoning_tokens" in usage) == (field in ("reasoning", "both"))
    assert ("total_thought_tokens" in usage) == (field in ("thought", "both"))
    value = usage.get("total_reasoning_tokens", usage.get("total_thought_tokens"))
    assert value > 0
    assert usage["total_tokens"] == usage["total_input_tokens"] + usage["total_output_tokens"] + value + usage.get("total_tool_use_tokens", 0)
    sdk_usage = client.interactions.get(body["id"]).usage
    # Each SDK reads the field it knows, and keeps the other as an extra attribute.
    known = "total_reasoning_tokens" if SDK < (1, 58) else "total_thought_tokens"
    if known in usage:
        assert getattr(sdk_usage, known) == value


@pytest.mark.parametrize("policy, model, accepted", [
    ("lenient", MODEL, True), ("strict", "gemini-2.5-flash", False), ("by-model", "gemini-2.5-flash", True)])
def test_signature_policies(private, policy, model, accepted):
    server, client = private("--signatures", policy)
    history = [{"role": "user", "content": "Weather?"}]
    first = client.interactions.create(model=model, input=history, tools=[WEATHER])
    call = next(o for o in first.outputs if o.type == "function_call")
    stripped = [o for o in first.outputs if o.type != "thought"]
    follow = history + [{"role": "model", "content": stripped},
                        {"role": "user", "content": [{"type": "function_result", "call_id": call.id, "name": call.name, "result": "ok"}]}]
    if accepted:
        assert client.interactions.create(model=model, input=follow).status == "completed"
    else:
        with pytest.raises(gi.BadRequestError):
            client.interactions.create(model=model, input=follow)


def test_chunk_size(private):
    server, client = private("--chunk-size", "5")
    events = list(client.interactions.create(model=MODEL, input="chunk me into small pieces", stream=True))
    pieces = [e.delta.text for e in events if e.event_type == "content.delta" and e.delta.type == "text"]
    assert all(len(p) <= 5 for p in pieces) and len(pieces) > 10
    assert "".join(pieces) == events[-1].interaction.outputs[-1].text


def test_free_key_flag(private, api_key):
    server, client = private("--free-key", api_key)
    created = client.interactions.create(model=MODEL, input="x")
    server.advance(api_key, "1d")
    with pytest.raises(gi.NotFoundError):
        client.interactions.get(created.id)


def test_default_tier_free_and_poll_counts(private, api_key):
    server, client = private("--default-tier", "free", "--background-polls", "3", "--agent-polls", "1")
    bg = client.interactions.create(model=MODEL, input="x", background=True)
    assert [client.interactions.get(bg.id).status for _ in range(3)] == ["in_progress", "in_progress", "completed"]
    agent = client.interactions.create(agent="deep-research-pro-preview-12-2025", input="x", background=True)
    assert client.interactions.get(agent.id).status == "completed"
    server.advance(api_key, "25h")
    with pytest.raises(gi.NotFoundError):
        client.interactions.get(bg.id)
