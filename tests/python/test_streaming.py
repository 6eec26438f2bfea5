"""Streaming through the official SDK: the create stream, its replay, resumption from every event,
clients that die mid-stream, requires_action in a stream, and streams attached to background runs."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import urllib.parse

import pytest

from google.genai import _interactions as gi

SDK = tuple(int(p) for p in __import__("google.genai", fromlist=["__version__"]).__version__.split(".")[:2])
MODEL = "gemini-3-flash-preview"
WEATHER = {
    "type": "function", "name": "get_weather",
    "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]},
}
LONG = " ".join(f"word{i:03d}" for i in range(120))  # a long prompt: the default reply quotes it

pytestmark = pytest.mark.usefixtures("strict_warnings")


def dump(events) -> list[dict]:
    return [e.model_dump(exclude_none=True, mode="json") for e in events]


def texts(events) -> str:
    return "".join(e.delta.text for e in events if e.event_type == "content.delta" and e.delta.type == "text")


def test_create_stream_event_sequence(client):
    events = list(client.interactions.create(model=MODEL, input="Stream this please", stream=True))
    kinds = [e.event_type for e in events]
    assert kinds[:2] == ["interaction.start", "interaction.status_update"]
    assert kinds[-2:] == ["interaction.status_update", "interaction.complete"]
    assert [e.event_id for e in events] == [f"evt_{n:04d}" for n in range(1, len(events) + 1)]
    start, complete = events[0], events[-1]
    assert start.interaction.status == "in_progress" and start.interaction.id == complete.interaction.id
    assert events[-2].status == "completed" and complete.interaction.status == "completed"
    # Block indexes: thought (0) then text (1); every start has its stop.
    starts = [(e.index, e.content.type) for e in events if e.event_type == "content.start"]
    assert starts == [(0, "thought"), (1, "text")]
    assert [e.index for e in events if e.event_type == "content.stop"] == [0, 1]
    deltas0 = [e.delta.type for e in events if e.event_type == "content.delta" and e.index == 0]
    assert deltas0 == ["thought_summary", "thought_signature"]
    final = complete.interaction
    assert texts(events) == final.outputs[-1].text
    assert 'You said: "Stream this please"' in final.outputs[-1].text
    assert final.usage.total_tokens > 0


def test_get_stream_replays_the_create_stream_exactly(client):
    created = list(client.interactions.create(model=MODEL, input=LONG, stream=True))
    interaction_id = created[0].interaction.id
    replayed = list(client.interactions.get(interaction_id, stream=True))
    assert dump(replayed) == dump(created)
    # And the non-streaming GET equals the final interaction of the stream.
    assert client.interactions.get(interaction_id).model_dump(mode="json") == created[-1].interaction.model_dump(mode="json")


def test_resume_from_every_event_position(client):
    full = dump(client.interactions.create(model=MODEL, input=LONG, stream=True))
    interaction_id = full[0]["interaction"]["id"]
    assert len(full) > 10
    for position, event in enumerate(full, start=1):
        rest = dump(client.interactions.get(interaction_id, stream=True, last_event_id=event["event_id"]))
        assert rest == full[position:], f"resume after {event['event_id']}"


def test_resume_with_an_unknown_event_id_is_rejected(client):
    created = client.interactions.create(model=MODEL, input="x")
    for bad in ["evt_9999", "nonsense", "evt_0", "evt_1"]:
        with pytest.raises(gi.BadRequestError) as info:
            list(client.interactions.get(created.id, stream=True, last_event_id=bad))
        assert "last_event_id" in info.value.body["error"]["message"]


def test_last_event_id_without_stream_is_rejected(client):
    created = client.interactions.create(model=MODEL, input="x")
    with pytest.raises(gi.BadRequestError) as info:
        client.interactions.get(created.id, last_event_id="evt_0001")
    assert "last_event_id" in info.value.body["error"]["message"]


def test_stream_of_a_store_false_interaction_cannot_be_resumed(client):
    events = list(client.interactions.create(model=MODEL, input="ephemeral", stream=True, store=False))
    assert events[-1].interaction.status == "completed"
    with pytest.raises(gi.NotFoundError):
        list(client.interactions.get(events[0].interaction.id, stream=True))


DRIP = "name: drip\nmatch: {input_contains: drip please}\nreply:\n  text: \"%s\"\n  stream: {drip: 20ms, chunk_size: 8}\n" % (
    " ".join(f"piece{i:03d}" for i in range(60)))


def load(understudy, key, text, name):
    status, _, payload = understudy.request("POST", f"/_understudy/scenarios?tenant={key}&name={name}", raw=text.encode(),
                                            headers={"Content-Type": "application/yaml"})
    assert status == 200, payload


KILLED_CLIENT = textwrap.dedent("""
    import sys, warnings
    warnings.simplefilter("ignore")
    from google import genai
    client = genai.Client()
    for event in client.interactions.create(model="gemini-3-flash-preview", input="drip please", stream=True):
        line = {"event_id": event.event_id, "type": event.event_type}
        if event.event_type == "interaction.start":
            line["id"] = event.interaction.id
        print(repr(line), flush=True)
""")


def test_client_killed_mid_stream_then_resume_completes(understudy, api_key, sdk_env, client, tmp_path):
    load(understudy, api_key, DRIP, "drip")
    script = tmp_path / "killed_client.py"
    script.write_text(KILLED_CLIENT)
    env = {**os.environ, **sdk_env}
    env.pop("GOOGLE_API_KEY", None)
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, env=env)
    seen = []
    try:
        for _ in range(12):
            line = proc.stdout.readline()
            assert line, "the client stopped early"
            seen.append(eval(line))  # noqa: S307 - our own repr output
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    interaction_id, last = seen[0]["id"], seen[-1]["event_id"]
    assert last == "evt_0012"
    rest = list(client.interactions.get(interaction_id, stream=True, last_event_id=last))
    assert rest[0].event_id == "evt_0013" and rest[-1].event_type == "interaction.complete"
    whole = list(client.interactions.get(interaction_id, stream=True))
    assert [e.event_id for e in whole] == [s["event_id"] for s in seen] + [e.event_id for e in rest]
    assert texts(whole) == rest[-1].interaction.outputs[-1].text
    assert rest[-1].interaction.outputs[-1].text.startswith("piece000 piece001")
    # The server is fine and still answers this key.
    assert client.interactions.get(interaction_id).status == "completed"


def raw_stream_request(base_url: str, key: str, body: dict) -> socket.socket:
    url = urllib.parse.urlparse(base_url)
    sock = socket.create_connection((url.hostname, url.port), timeout=30)
    payload = json.dumps(body).encode()
    sock.sendall(b"POST /v1beta/interactions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 + f"x-goog-api-key: {key}\r\nContent-Length: {len(payload)}\r\n\r\n".encode() + payload)
    return sock


def test_raw_socket_closed_mid_stream_then_resume_completes(understudy, api_key, client):
    load(understudy, api_key, DRIP, "drip")
    sock = raw_stream_request(understudy.base_url, api_key, {"model": MODEL, "input": "drip please", "stream": True})
    received = b""
    while received.count(b"\n\n") < 6:  # headers + 5 events
        chunk = sock.recv(4096)
        assert chunk, "server closed early"
        received += chunk
    sock.close()
    head, _, rest = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    start = next(line for line in rest.decode().splitlines() if line.startswith("data: "))
    interaction_id = json.loads(start[6:])["interaction"]["id"]
    events = list(client.interactions.get(interaction_id, stream=True, last_event_id="evt_0003"))
    assert events[0].event_id == "evt_0004" and events[-1].event_type == "interaction.complete"
    assert events[-1].interaction.status == "completed"


def test_requires_action_in_a_stream_then_the_follow_up_streams_the_answer(client):
    events = list(client.interactions.create(model=MODEL, input="Weather in Paris?", tools=[WEATHER], stream=True))
    kinds = [e.event_type for e in events]
    calls = [e for e in events if e.event_type == "content.delta" and e.delta.type == "function_call"]
    assert len(calls) == 1
    call = calls[0].delta
    assert call.name == "get_weather" and isinstance(call.arguments["location"], str) and call.id
    [start] = [e for e in dump(events) if e["event_type"] == "content.start" and e["content"]["type"] == "function_call"]
    assert start["index"] == calls[0].index and start["content"]["id"] == call.id
    assert kinds[-2:] == ["interaction.status_update", "interaction.complete"]
    assert events[-2].status == "requires_action" and events[-1].interaction.status == "requires_action"
    interaction_id = events[0].interaction.id
    follow = list(client.interactions.create(model=MODEL, previous_interaction_id=interaction_id, stream=True, input=[
        {"type": "function_result", "name": "get_weather", "call_id": call.id, "result": "sunny"}]))
    assert follow[-1].interaction.status == "completed"
    assert texts(follow) == 'Thanks. get_weather returned "sunny".' == follow[-1].interaction.outputs[-1].text


def test_content_start_of_a_function_call_parses_as_its_type(client):
    events = list(client.interactions.create(model=MODEL, input="Weather in Paris?", tools=[WEATHER], stream=True))
    starts = [e for e in events if e.event_type == "content.start"]
    assert [type(e).__name__ for e in starts] == ["ContentStart", "ContentStart"]
    assert [e.content.type for e in starts] == ["thought", "function_call"]


def test_background_stream_on_the_agent_delivers_events_live(client):
    events = list(client.interactions.create(agent="deep-research-pro-preview-12-2025", input="Research TPUs.",
                                             background=True, stream=True))
    kinds = [e.event_type for e in events]
    assert kinds[0] == "interaction.start" and events[0].interaction.status == "in_progress"
    assert kinds[-1] == "interaction.complete"
    final = events[-1].interaction
    assert final.status == "completed" and final.agent == "deep-research-pro-preview-12-2025"
    assert [e.event_id for e in events] == [f"evt_{n:04d}" for n in range(1, len(events) + 1)]
    assert texts(events) == final.outputs[-1].text and final.outputs[-1].text
    # The stream equals the stored log.
    assert dump(client.interactions.get(final.id, stream=True)) == dump(events)


def test_stream_attached_to_a_running_background_interaction_follows_it(client):
    created = client.interactions.create(model=MODEL, input="Work in the background", background=True)
    assert created.status == "in_progress" and not created.outputs
    events = list(client.interactions.get(created.id, stream=True))
    assert events[-1].event_type == "interaction.complete"
    assert events[-1].interaction.status == "completed"
    assert 'You said: "Work in the background"' in texts(events)
    assert client.interactions.get(created.id).status == "completed"


def test_requires_action_in_a_background_run(client):
    created = client.interactions.create(model=MODEL, input="Weather?", tools=[WEATHER], background=True)
    assert created.status == "in_progress"
    polled = client.interactions.get(created.id)
    assert polled.status == "requires_action"
    [call] = [o for o in polled.outputs if o.type == "function_call"]
    # Its log carries the call as content events, then the status.
    events = list(client.interactions.get(created.id, stream=True))
    assert any(e.event_type == "content.delta" and e.delta.type == "function_call" and e.delta.id == call.id for e in events)
    assert events[-2].status == "requires_action"
    follow = list(client.interactions.create(model=MODEL, previous_interaction_id=created.id, stream=True, input=[
        {"type": "function_result", "name": call.name, "call_id": call.id, "result": "rain"}]))
    assert texts(follow) == 'Thanks. get_weather returned "rain".'


HELD = "name: held\nreply:\n  background: [{hold: go, note: 'Working on it'}]\n  text: Finished after the hold.\n"


def follow_until(stream, event_id):
    """Reads the SDK stream up to and including `event_id`; returns those events."""
    seen = []
    for event in stream:
        seen.append(event)
        if event.event_id == event_id:
            return seen
    raise AssertionError(f"stream ended before {event_id}: {[e.event_id for e in seen]}")


def test_a_follower_receives_the_rest_live_after_a_hold_is_released(understudy, api_key, client):
    load(understudy, api_key, HELD, "held")
    created = client.interactions.create(model=MODEL, input="x", background=True)
    stream = client.interactions.get(created.id, stream=True)
    # Start, status, and the note (a thought: start, summary, signature, stop) arrive while it is held.
    head = follow_until(stream, "evt_0006")
    assert head[2].event_type == "content.start" and head[3].delta.content.text == "Working on it"
    understudy.admin("POST", "holds/go/release", tenant=api_key)
    tail = list(stream)
    assert tail[-1].event_type == "interaction.complete" and tail[-1].interaction.status == "completed"
    assert texts(tail) == "Finished after the hold."
    assert dump(head + tail) == dump(client.interactions.get(created.id, stream=True))


def test_a_follower_sees_a_cancel(understudy, api_key, client):
    load(understudy, api_key, HELD, "held")
    created = client.interactions.create(model=MODEL, input="x", background=True)
    stream = client.interactions.get(created.id, stream=True, last_event_id="evt_0001")
    follow_until(stream, "evt_0006")
    assert client.interactions.cancel(created.id).status == "cancelled"
    tail = list(stream)
    assert [e.event_type for e in tail] == ["interaction.status_update", "interaction.complete"]
    assert tail[0].status == "cancelled" and tail[1].interaction.status == "cancelled"


def test_a_follower_stream_ends_when_the_interaction_is_deleted(understudy, api_key, client):
    load(understudy, api_key, HELD, "held")
    created = client.interactions.create(model=MODEL, input="x", background=True)
    stream = client.interactions.get(created.id, stream=True)
    follow_until(stream, "evt_0006")
    assert client.interactions.delete(created.id) == {}
    assert [e.event_type for e in stream] == []  # ends without a completion
    with pytest.raises(gi.NotFoundError):
        client.interactions.get(created.id)


def test_resume_from_the_last_event_of_a_finished_stream_is_empty(client):
    events = list(client.interactions.create(model=MODEL, input="x", stream=True))
    assert list(client.interactions.get(events[0].interaction.id, stream=True, last_event_id=events[-1].event_id)) == []
