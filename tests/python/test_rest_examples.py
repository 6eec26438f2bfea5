"""The guide's REST (curl) examples, run with curl from tests/python/examples/rest.

Each .sh file is a verbatim copy of one of the seed page's REST samples, and every REST sample of the
page has a copy (test_the_samples_are_the_guide_verbatim). What the tests change, and only in the
command they run, never in the copy:

* the host `https://generativelanguage.googleapis.com` becomes the test server's address;
* placeholders become real values: ids from an earlier answer (`INTERACTION_ID`, `FUNCTION_CALL_ID`,
  `<YOUR_INTERACTION_ID>`, `FILE_URI`), and the guide's remote URLs (`YOUR_URL`, the GitHub picture,
  the demo MCP server) become the loopback stand-ins of conftest.py, which serve fixtures/ and a
  weather MCP server;
* follow-up commands that the guide ships commented out ("# curl …", to be filled in by the reader)
  are run with their leading "# " removed.

`$GEMINI_API_KEY` comes from the environment, as the guide expects. Commands run with bash in a fresh
directory, so files a sample writes (the speech sample's audio) land there.
"""
from __future__ import annotations

import ast
import base64
import io
import json
import os
import pathlib
import re
import shlex
import shutil
import subprocess
import sys
import wave

import jsonschema
import pytest

from conftest import FIXTURES, guide_text
from sse_frames import parse_sse, rebuild

REST = pathlib.Path(__file__).resolve().parent / "examples" / "rest"
HOST = "https://generativelanguage.googleapis.com"
DEFAULT = "I am Understudy's default reply for gemini-3-flash-preview"

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")


# Reading the samples ------------------------------------------------------------------------------

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


def intended_payload(command: str) -> str:
    """The JSON a sample means to send: the text of its `-d '…'` argument, from `{` to the closing `}`."""
    start = command.index("-d '") + len("-d '")
    return command[start:command.index("\n}'", start) + 2]


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


# Running them ---------------------------------------------------------------------------------------

@pytest.fixture
def shell(understudy, api_key, tmp_path):
    """Runs a sample's command with bash in tmp_path against the test server; returns the process.
    `path` is put in front of PATH (for stand-ins of tools the machine lacks)."""

    def run(command: str, path: tuple[pathlib.Path, ...] = (), **placeholders: str) -> subprocess.CompletedProcess:
        assert HOST in command
        command = command.replace(HOST, understudy.base_url)
        for placeholder, value in placeholders.items():
            assert placeholder in command, placeholder
            command = command.replace(placeholder, value)
        env = {k: v for k, v in os.environ.items() if k not in ("GOOGLE_API_KEY",)}
        env.update(GEMINI_API_KEY=api_key, LC_ALL="C")
        env["PATH"] = os.pathsep.join([*map(str, path), env.get("PATH", "")])
        return subprocess.run(["bash", "-c", command], env=env, cwd=tmp_path, capture_output=True, timeout=60)

    return run


@pytest.fixture
def curl(shell):
    """Runs a sample's command, which must succeed; returns what it printed."""

    def run(command: str, **placeholders: str) -> bytes:
        proc = shell(command, **placeholders)
        assert proc.returncode == 0, proc.stderr.decode()
        return proc.stdout

    return run


def as_json(stdout: bytes) -> dict:
    body = json.loads(stdout)
    assert "error" not in body, body
    return body


def as_error(stdout: bytes, status: str) -> dict:
    """Google's error shape, {"error": {"code", "message", "status"}}; returns the inner object."""
    error = json.loads(stdout)["error"]
    assert set(error) >= {"code", "message", "status"} and error["status"] == status, error
    return error


def of_type(body: dict, kind: str) -> list[dict]:
    return [o for o in body["outputs"] if o["type"] == kind]


def kinds(body: dict) -> list[str]:
    """The output block types, thoughts left out (any model may think first)."""
    return [o["type"] for o in body["outputs"] if o["type"] != "thought"]


def sent(understudy, api_key) -> dict:
    """The body of the one create request the test made, as the server received it."""
    [create] = understudy.journal(api_key, route="interactions.create")
    return create["body"]


def png(data: str):
    """Decodes a base64 PNG with Pillow: checks the signature and chunk CRCs, then inflates the pixels."""
    from PIL import Image

    raw = base64.b64decode(data, validate=True)
    assert raw.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(raw)) as im:
        im.verify()
    im = Image.open(io.BytesIO(raw))
    im.load()
    assert im.format == "PNG"
    return im


def validate(instance_text: str, schema: dict) -> dict:
    instance = json.loads(instance_text)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(instance)
    return instance


# The copies -----------------------------------------------------------------------------------------

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


def test_every_sample_is_driven_by_a_test():
    tree = ast.parse(pathlib.Path(__file__).read_text())
    named = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    assert {path.name for path in REST.glob("*.sh")} <= named


# Conversation, agents, function calling, streaming, configuration -----------------------------------

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
    assert sent(understudy, api_key)["generation_config"] == {"temperature": 0.7, "max_output_tokens": 500, "thinking_level": "low"}


def test_thinking(curl):
    [command] = commands("thinking.sh")
    body = as_json(curl(command))
    thought, text = body["outputs"]
    assert thought["type"] == "thought" and thought["signature"]
    assert "with high thinking" in thought["summary"][0]["text"]
    assert text["text"].startswith('You said: "Solve this step by step: What is 15% of 240?"')
    assert body["usage"]["total_reasoning_tokens"] > 0


# Multimodal understanding and files ------------------------------------------------------------------

@pytest.mark.parametrize("sample,fixture,kind,mime,prompt", [
    ("multimodal_image.sh", "sample.png", "image", "image/png", "Describe the image."),
    ("multimodal_audio.sh", "sample.wav", "audio", "audio/wav", "What does this audio say?"),
    ("multimodal_video.sh", "sample.mp4", "video", "video/mp4", "What is happening in this video?"),
    ("multimodal_document.sh", "sample.pdf", "document", "application/pdf", "What is this document about?"),
])
def test_multimodal_understanding_by_uri(curl, fixture_server, understudy, api_key, sample, fixture, kind, mime, prompt):
    """`YOUR_URL` becomes a loopback URL serving the fixture; the server fetches it and acknowledges the
    kind, mime type and size it received."""
    [command] = commands(sample)
    url = f"{fixture_server}/{fixture}"
    body = as_json(curl(command, YOUR_URL=url))
    assert body["status"] == "completed" and kinds(body) == ["text"]
    text = body["outputs"][-1]["text"]
    assert text.startswith(f'You said: "{prompt}"')
    size = (FIXTURES / fixture).stat().st_size
    assert f"Attachments: {kind} ({mime}, {size} bytes from {url})." in text
    assert sent(understudy, api_key)["input"][1] == {"type": kind, "uri": url, "mime_type": mime}
    input_modalities = {m["modality"] for m in body["usage"]["input_tokens_by_modality"]}
    assert {"image": "image", "audio": "audio"}.get(kind, "text") in input_modalities


def test_remote_file(curl, fixture_server):
    """The GitHub URL (with its `<github-path>` placeholder) becomes a loopback URL serving the same
    picture. The sample names no mime type; the server takes it from the fetched response."""
    [command] = commands("remote_file.sh")
    url = f"{fixture_server}/cats-and-dogs.jpg"
    body = as_json(curl(command, **{"https://github.com/<github-path>/cats-and-dogs.jpg": url}))
    assert body["status"] == "completed" and kinds(body) == ["text"]
    size = (FIXTURES / "cats-and-dogs.jpg").stat().st_size
    assert f"Attachments: image (image/jpeg, {size} bytes from {url})." in body["outputs"][-1]["text"]


# The upload step the Files API sample assumes ("Requires File API setup"): Google's resumable upload
# protocol, spoken with curl as Google's Files API page does it — metadata in single-quoted JSON, which
# Google's front end accepts. The start request announces size and type and answers an upload URL in
# the x-goog-upload-url header; the bytes go there with "upload, finalize".
UPLOAD = f"""
size=$(wc -c < cats-and-dogs.jpg)
curl -s -D upload-headers.txt -X POST "{HOST}/upload/v1beta/files" \\
-H "x-goog-api-key: $GEMINI_API_KEY" \\
-H "X-Goog-Upload-Protocol: resumable" \\
-H "X-Goog-Upload-Command: start" \\
-H "X-Goog-Upload-Header-Content-Length: $size" \\
-H "X-Goog-Upload-Header-Content-Type: image/jpeg" \\
-H "Content-Type: application/json" \\
-d "{{'file': {{'display_name': 'cats-and-dogs'}}}}" > /dev/null
upload_url=$(grep -i '^x-goog-upload-url:' upload-headers.txt | cut -d' ' -f2 | tr -d '\\r')
curl -s "$upload_url" -H "X-Goog-Upload-Offset: 0" -H "X-Goog-Upload-Command: upload, finalize" \\
--data-binary @cats-and-dogs.jpg
"""
GET_FILE = f'curl -s "{HOST}/v1beta/FILE_NAME" -H "x-goog-api-key: $GEMINI_API_KEY"'


def test_files_api(curl, tmp_path):
    """The sample assumes a FILE_URI from an upload it does not show; the test uploads the guide's
    picture with curl first, waits until the file is ACTIVE (as the Python sample does), then runs the
    sample with FILE_URI set to the uploaded file's uri."""
    picture = FIXTURES / "cats-and-dogs.jpg"
    shutil.copy(picture, tmp_path / "cats-and-dogs.jpg")
    file = as_json(curl(UPLOAD))["file"]
    assert file["state"] == "PROCESSING" and file["mimeType"] == "image/jpeg"
    assert int(file["sizeBytes"]) == picture.stat().st_size and file["displayName"] == "cats-and-dogs"
    [command] = commands("files_api.sh")
    # Used before processing is over, the file is refused, naming the field.
    early = as_error(curl(command, FILE_URI=file["uri"]), "FAILED_PRECONDITION")
    assert early["code"] == 400 and "input[0].uri" in early["message"]
    for _ in range(10):  # the Python sample's "Wait for processing" loop
        if as_json(curl(GET_FILE, FILE_NAME=file["name"]))["state"] == "ACTIVE":
            break
    else:
        pytest.fail(f"{file['name']} never became ACTIVE")
    body = as_json(curl(command, FILE_URI=file["uri"]))
    assert body["status"] == "completed" and kinds(body) == ["text"]
    text = body["outputs"][-1]["text"]
    assert text.startswith('You said: "Describe what you see."')
    assert f"Attachments: image (image/jpeg, {picture.stat().st_size} bytes, Files API {file['name']})." in text


# Multimodal generation -----------------------------------------------------------------------------

def test_image_generation(curl):
    [command] = commands("image_generation.sh")
    body = as_json(curl(command))
    # Only the IMAGE modality was asked for: every output is an image.
    assert body["status"] == "completed" and kinds(body) == ["image"]
    [image] = of_type(body, "image")
    assert image["mime_type"] == "image/png"
    im = png(image["data"])
    assert im.size == (1024, 1024) and im.mode == "RGB"


def test_image_config(curl):
    [command] = commands("image_config.sh")
    body = as_json(curl(command))
    assert body["status"] == "completed"
    [image] = of_type(body, "image")
    assert image["mime_type"] == "image/png"
    assert png(image["data"]).size == (1152, 2048)  # 9:16 at 2k: the long side is 2048


FFMPEG_STAND_IN = f"""#!{sys.executable}
# Stand-in for the guide's one ffmpeg call, `ffmpeg -f s16le -ar RATE -ac CHANNELS -i IN OUT.wav`:
# wraps raw 16-bit little-endian PCM in a WAV header, as ffmpeg does.
import sys, wave
args, out = sys.argv[1:-1], sys.argv[-1]
opts = dict(zip(args[::2], args[1::2]))
assert opts["-f"] == "s16le" and out.endswith(".wav"), sys.argv
with open(opts["-i"], "rb") as f, wave.open(out, "wb") as w:
    w.setnchannels(int(opts["-ac"]))
    w.setsampwidth(2)
    w.setframerate(int(opts["-ar"]))
    w.writeframes(f.read())
"""


def test_speech(shell, understudy, api_key, tmp_path):
    """The sample pipes the answer through jq and base64 into generated_audio.pcm, then converts it
    with ffmpeg. Where ffmpeg is not installed (it is not part of the test setup), a stand-in on PATH
    does that one conversion the same way; the PCM checks below do not depend on it."""
    if shutil.which("jq") is None:
        pytest.skip("the speech sample pipes through jq, which is not installed (scripts/setup-system.sh installs it)")
    [command] = commands("speech.sh")
    path = ()
    if shutil.which("ffmpeg") is None:
        (tmp_path / "bin").mkdir()
        (tmp_path / "bin" / "ffmpeg").write_text(FFMPEG_STAND_IN)
        (tmp_path / "bin" / "ffmpeg").chmod(0o755)
        path = (tmp_path / "bin",)
    proc = shell(command, path=path)
    assert proc.returncode == 0, proc.stderr.decode()
    # The audio block says what the ffmpeg flags assume: 16-bit PCM at 24 kHz.
    [create] = understudy.journal(api_key, route="interactions.create")
    status, _, stored = understudy.request("GET", f"/v1beta/interactions/{create['interaction_id']}",
                                           headers={"x-goog-api-key": api_key})
    assert status == 200 and kinds(stored) == ["audio"]
    assert stored["outputs"][-1]["mime_type"] == "audio/L16;codec=pcm;rate=24000"
    pcm = (tmp_path / "generated_audio.pcm").read_bytes()
    assert pcm == base64.b64decode(stored["outputs"][-1]["data"])
    assert len(pcm) % 2 == 0 and not pcm.startswith(b"RIFF")  # raw samples, no container
    seconds = len(pcm) / 2 / 24000
    assert 2 < seconds < 10  # follows the length of the text
    little = [int.from_bytes(pcm[i:i + 2], "little", signed=True) for i in range(0, len(pcm), 2)]
    big = [int.from_bytes(pcm[i:i + 2], "big", signed=True) for i in range(0, len(pcm), 2)]
    assert max(map(abs, little)) > 1000  # not silence

    def roughness(samples):
        return sum(abs(a - b) for a, b in zip(samples, samples[1:])) / len(samples)

    assert roughness(little) * 4 < roughness(big)  # little-endian (s16le), as the sample decodes it
    with wave.open(str(tmp_path / "generated_audio.wav")) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (24000, 1, 2)
        assert w.readframes(w.getnframes()) == pcm


# Tools --------------------------------------------------------------------------------------------

def test_google_search(curl):
    [command] = commands("google_search.sh")
    body = as_json(curl(command))
    assert body["status"] == "completed"
    assert kinds(body) == ["google_search_call", "google_search_result", "text"]
    [call], [result], [text] = of_type(body, "google_search_call"), of_type(body, "google_search_result"), of_type(body, "text")
    assert call["arguments"]["queries"] == ["Who won the last Super Bowl?"] and result["call_id"] == call["id"]
    urls = [r["url"] for r in result["result"]]
    assert urls and all(u.startswith("https://") for u in urls)
    # The answer cites the results: each annotation is a url_citation over a span of the text's UTF-8 bytes.
    assert text["annotations"]
    encoded = text["text"].encode()
    for annotation in text["annotations"]:
        assert annotation["type"] == "url_citation" and annotation["url"] in urls
        assert 0 <= annotation["start_index"] < annotation["end_index"] <= len(encoded)


def test_code_execution(curl):
    """The answer holds the code the model ran and what it printed; running that code here gives the
    same output, and the 50th Fibonacci number."""
    [command] = commands("code_execution.sh")
    body = as_json(curl(command))
    assert body["status"] == "completed"
    assert kinds(body) == ["code_execution_call", "code_execution_result", "text"]
    [call], [result] = of_type(body, "code_execution_call"), of_type(body, "code_execution_result")
    assert call["arguments"]["language"] == "python" and result["call_id"] == call["id"]
    ran = subprocess.run([sys.executable, "-c", call["arguments"]["code"]], capture_output=True, text=True, timeout=30)
    assert ran.returncode == 0 and ran.stdout == result["result"]
    assert result["result"].strip() == "12586269025"
    assert "12586269025" in body["outputs"][-1]["text"]


def test_url_context(curl):
    """Offline, the page is not read; the server reports the URL it was given as retrieved."""
    [command] = commands("url_context.sh")
    body = as_json(curl(command))
    assert body["status"] == "completed"
    assert kinds(body) == ["url_context_call", "url_context_result", "text"]
    [call], [result] = of_type(body, "url_context_call"), of_type(body, "url_context_result")
    assert call["arguments"]["urls"] == ["https://www.wikipedia.org/"] and result["call_id"] == call["id"]
    assert result["result"] == [{"url": "https://www.wikipedia.org/", "status": "success"}]
    assert body["outputs"][-1]["text"]


PREDEFINED_BROWSER_ACTIONS = {
    "open_web_browser", "wait_5_seconds", "go_back", "go_forward", "search", "navigate", "click_at", "hover_at",
    "type_text_at", "key_combination", "scroll_document", "scroll_at", "drag_and_drop"}


def test_computer_use(curl, understudy, api_key):
    """The model answers with the first browser action for the client to perform, never the excluded one."""
    [command] = commands("computer_use.sh")
    body = as_json(curl(command))
    assert body["status"] == "requires_action"
    assert kinds(body)[-1] == "function_call"
    [call] = of_type(body, "function_call")
    assert call["name"] in PREDEFINED_BROWSER_ACTIONS - {"drag_and_drop"} and call["id"]
    assert isinstance(call["arguments"], dict)
    assert sent(understudy, api_key)["tools"] == [
        {"type": "computer_use", "environment": "browser", "excludedPredefinedFunctions": ["drag_and_drop"]}]


def test_remote_mcp(curl, mcp_server, understudy, api_key):
    """The demo MCP server's URL becomes the loopback weather MCP server of conftest.py. The sample's
    system instruction is built by the shell from `date +"%du%Bt%Y"` (as written in the guide)."""
    [command] = commands("remote_mcp.sh")
    body = as_json(curl(command, **{"https://gemini-api-demos.uc.r.appspot.com/mcp": mcp_server}))
    assert body["status"] == "completed"
    assert kinds(body) == ["mcp_server_tool_call", "mcp_server_tool_result", "text"]
    [call], [result] = of_type(body, "mcp_server_tool_call"), of_type(body, "mcp_server_tool_result")
    assert call["server_name"] == "weather_service" and call["name"] == "get_forecast"
    assert isinstance(call["arguments"]["city"], str) and result["call_id"] == call["id"]
    # What the MCP server answered reaches the tool result and the final text.
    answer = f"Sunny, 21°C (get_forecast for {call['arguments']['city']})"
    assert answer in json.dumps(result["result"], ensure_ascii=False)
    assert answer in body["outputs"][-1]["text"]
    assert re.fullmatch(r"Today is \d{2}u\w+t\d{4} YYYY-MM-DD>\.", sent(understudy, api_key)["system_instruction"])


# Structured output --------------------------------------------------------------------------------

MODERATION_INPUT = ("Moderate the following content: 'Congratulations! You've won a free cruise. "
                    "Click here to claim your prize: www.definitely-not-a-scam.com'")


def test_structured_output_as_written_is_a_shell_syntax_error(shell, understudy, api_key):
    """The guide's sample cannot run anywhere: the single quotes inside its JSON (around the content to
    moderate, and in "You've") end the shell's single-quoted -d argument, and bash stops at the
    unmatched double quote that follows. Nothing is sent."""
    [command] = commands("structured_output.sh")
    proc = shell(command)
    assert proc.returncode == 2 and b"unexpected EOF" in proc.stderr
    assert understudy.journal(api_key) == []


def test_structured_output_with_its_quoting_repaired(curl, understudy, api_key):
    """The closest faithful run of the sample above: the same command with its -d payload, exactly as
    written, quoted for the shell. The answer's text validates against the sample's schema."""
    [command] = commands("structured_output.sh")
    payload = intended_payload(command)
    repaired = command.replace(f"'{payload}'", shlex.quote(payload))
    body = as_json(curl(repaired))
    assert sent(understudy, api_key) == json.loads(payload)
    assert json.loads(payload)["input"] == MODERATION_INPUT
    assert body["status"] == "completed" and kinds(body) == ["text"]
    decision = validate(body["outputs"][-1]["text"], json.loads(payload)["response_format"])["decision"]
    assert set(decision) >= {"reason", "spam_type"}


def test_structured_output_with_tools(curl):
    """The search runs first; the final text is JSON that validates against the sample's schema."""
    [command] = commands("structured_output_tools.sh")
    body = as_json(curl(command))
    assert body["status"] == "completed"
    assert kinds(body) == ["google_search_call", "google_search_result", "text"]
    [call], [result] = of_type(body, "google_search_call"), of_type(body, "google_search_result")
    assert call["arguments"]["queries"] == ["Who won the last euro?"] and result["call_id"] == call["id"]
    schema = json.loads(intended_payload(command))["response_format"]
    answer = validate(body["outputs"][-1]["text"], schema)
    assert set(answer) <= {"winning_team", "score"}
