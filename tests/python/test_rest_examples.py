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
import re
import shutil
import subprocess

import pytest

from conftest import guide_text
from sse_frames import parse_sse, rebuild

REST = pathlib.Path(__file__).resolve().parent / "examples" / "rest"
HOST = "https://generativelanguage.googleapis.com"
DEFAULT = "I am Understudy's default reply for gemini-3-flash-preview"

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")


def commands(name: str) -> list[str]:
    """The curl commands of a sample, in order; commented-out follow-ups uncommented. Paragraphs with
    no curl in them (the Files API sample opens with a comment about the upload step) are prose."""
    out = []
    for paragraph in (REST / name).read_text().split("\n\n"):
        lines = paragraph.strip("\n").split("\n")
        first = next((i for i, line in enumerate(lines) if line.lstrip("# ").startswith("curl ")), None)
        if first is None:
            assert all(line.startswith("#") for line in lines), paragraph
            continue
        body = lines[first:]
        if body[0].startswith("#"):
            assert all(line.startswith("#") for line in body), paragraph
            body = [line[2:] if line.startswith("# ") else line[1:] for line in body]
        out.append("\n".join(body))
    return out


def guide_rest_sections(guide: str) -> list[str]:
    """The guide's REST samples: the lines after each line reading exactly "REST", up to the next line
    of prose or heading (those start with a capital letter; no line of a sample does)."""
    lines = guide.split("\n")
    sections = []
    for i, line in enumerate(lines):
        if line != "REST":
            continue
        body = []
        for following in lines[i + 1:]:
            if re.match(r"[A-ZÄÖÜ]", following):
                break
            body.append(following)
        sections.append("\n".join(body).strip("\n"))
    return sections


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
    guide = guide_text()
    if guide is None:
        pytest.skip("the guide (shared/seeds/000_eaa5e912ccb539b5.txt) is not beside this checkout")
    # Each copy is one whole REST section of the guide, and each REST section has a copy.
    sections = guide_rest_sections(guide)
    assert len(sections) == 26
    copies = {path.name: path.read_text().rstrip("\n") for path in REST.glob("*.sh")}
    for name, text in copies.items():
        assert text in sections, f"{name} is not one of the guide's REST samples as written"
    missing = [s.split("\n")[:8] for s in sections if s not in copies.values()]
    assert not missing, f"REST samples without a copy in {REST}: {missing}"
    assert len(set(copies.values())) == len(copies)


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
