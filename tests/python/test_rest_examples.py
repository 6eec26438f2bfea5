"""The guide's REST (curl) examples, run with curl from tests/python/examples/rest.

Each .sh file is a verbatim copy of the seed page's REST sample. What the tests change, and only in
the command they run: the host `https://generativelanguage.googleapis.com` becomes the test server's
address, and the placeholders (`INTERACTION_ID`, `FUNCTION_CALL_ID`, `<YOUR_INTERACTION_ID>`) become
real ids. Follow-up commands that the guide ships commented out ("# curl …", to be filled in by the
reader) are run with their leading "# " removed. `$GEMINI_API_KEY` comes from the environment, as the
guide expects.
"""
from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess

import pytest

from sse_frames import parse_sse, rebuild

REST = pathlib.Path(__file__).resolve().parent / "examples" / "rest"
HOST = "https://generativelanguage.googleapis.com"
DEFAULT = "I am Understudy's default reply for gemini-3-flash-preview"

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")


def commands(name: str) -> list[str]:
    """The curl commands of a sample, in order; commented-out follow-ups uncommented."""
    out = []
    for paragraph in (REST / name).read_text().split("\n\n"):
        lines = paragraph.strip("\n").split("\n")
        first = next(i for i, line in enumerate(lines) if line.lstrip("# ").startswith("curl "))
        body = lines[first:]
        if body[0].startswith("#"):
            assert all(line.startswith("#") for line in body), paragraph
            body = [line[2:] if line.startswith("# ") else line[1:] for line in body]
        out.append("\n".join(body))
    return out


@pytest.fixture
def curl(understudy, api_key):
    def run(command: str, **placeholders: str) -> bytes:
        assert HOST in command
        command = command.replace(HOST, understudy.base_url)
        for placeholder, value in placeholders.items():
            assert placeholder in command, placeholder
            command = command.replace(placeholder, value)
        env = {k: v for k, v in os.environ.items() if k not in ("GOOGLE_API_KEY",)}
        env["GEMINI_API_KEY"] = api_key
        proc = subprocess.run(["bash", "-c", command], env=env, capture_output=True, timeout=60)
        assert proc.returncode == 0, proc.stderr.decode()
        return proc.stdout

    return run


def as_json(stdout: bytes) -> dict:
    body = json.loads(stdout)
    assert "error" not in body, body
    return body


def test_the_samples_are_the_guide_verbatim():
    # Every sample targets Google's host and is read with its placeholders intact.
    for path in sorted(REST.glob("*.sh")):
        for command in commands(path.name):
            assert command.startswith(("curl ", " curl ")) and HOST in command, path.name


def test_text_prompt(curl):
    [command] = commands("text_prompt.sh")
    body = as_json(curl(command))
    assert body["status"] == "completed"
    assert body["outputs"][-1]["text"] == f'You said: "Tell me a short joke about programming." {DEFAULT} and saw 1 turn of context.'


def test_stateful_conversation(curl):
    first_cmd, second_cmd = commands("stateful_conversation.sh")
    first = as_json(curl(first_cmd))
    second = as_json(curl(second_cmd, INTERACTION_ID=first["id"]))
    assert second["previous_interaction_id"] == first["id"]
    assert second["outputs"][-1]["text"] == f'You said: "What is my name?" {DEFAULT} and saw 3 turns of context.'


def test_get_interaction(curl):
    [create] = commands("text_prompt.sh")
    created = as_json(curl(create))
    [command] = commands("get_interaction.sh")
    assert as_json(curl(command, **{"<YOUR_INTERACTION_ID>": created["id"]})) == created


def test_stateless_conversation(curl):
    [command] = commands("stateless_conversation.sh")
    body = as_json(curl(command))
    assert body["outputs"][-1]["text"] == (
        f'You said: "What is the most famous landmark in the second one?" {DEFAULT} and saw 3 turns of context.')


def test_deep_research_create_and_poll(curl):
    create, poll = commands("deep_research.sh")
    started = as_json(curl(create))
    assert started["status"] == "in_progress" and started["agent"] == "deep-research-pro-preview-12-2025"
    assert [as_json(curl(poll, INTERACTION_ID=started["id"]))["status"] for _ in range(3)] == [
        "in_progress", "completed", "completed"]
    final = as_json(curl(poll, INTERACTION_ID=started["id"]))
    assert final["outputs"][-1]["type"] == "text" and final["outputs"][-1]["text"]


def test_function_calling(curl):
    create, answer = commands("function_calling.sh")
    first = as_json(curl(create))
    assert first["status"] == "requires_action"
    [call] = [o for o in first["outputs"] if o["type"] == "function_call"]
    assert call["name"] == "get_weather" and isinstance(call["arguments"]["location"], str)
    second = as_json(curl(answer, INTERACTION_ID=first["id"], FUNCTION_CALL_ID=call["id"]))
    assert second["status"] == "completed"
    assert second["outputs"][-1]["text"] == 'Thanks. get_weather returned "The weather in Paris is sunny.".'


def test_streaming_with_alt_sse(curl):
    [command] = commands("streaming.sh")
    events = parse_sse(curl(command))
    final = events[-1]["interaction"]
    assert events[-1]["event_type"] == "interaction.complete" and final["status"] == "completed"
    assert rebuild(events) == final["outputs"]
    assert final["outputs"][-1]["text"] == f'You said: "Explain quantum entanglement in simple terms." {DEFAULT} and saw 1 turn of context.'


def test_generation_config(curl, understudy, api_key):
    [command] = commands("generation_config.sh")
    body = as_json(curl(command))
    assert body["outputs"][-1]["text"].startswith('You said: "Tell me a story about a brave knight."')
    assert "with low thinking" in body["outputs"][0]["summary"][0]["text"]
    [entry] = understudy.journal(api_key, route="interactions.create")
    assert entry["body"]["generation_config"] == {"temperature": 0.7, "max_output_tokens": 500, "thinking_level": "low"}


def test_thinking(curl):
    [command] = commands("thinking.sh")
    body = as_json(curl(command))
    thought, text = body["outputs"]
    assert thought["type"] == "thought" and thought["signature"]
    assert "with high thinking" in thought["summary"][0]["text"]
    assert text["text"].startswith('You said: "Solve this step by step: What is 15% of 240?"')
    assert body["usage"]["total_reasoning_tokens"] > 0
