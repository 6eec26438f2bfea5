"""The guide's multimodal, generation, structured-output, built-in tool, Computer Use, MCP and Files API
examples, run as written (remote URLs replaced by local stand-ins serving fixtures/), plus checks of what
they produced with independent decoders and validators.
"""
from __future__ import annotations

import base64
import io
import json
import wave

import jsonschema
import pytest

from conftest import FIXTURES


# Multimodal understanding --------------------------------------------------------------------

@pytest.mark.parametrize("example,fixture,kind,mime", [
    ("multimodal_image.py", "sample.png", "image", "image/png"),
    ("multimodal_audio.py", "sample.wav", "audio", "audio/wav"),
    ("multimodal_video.py", "sample.mp4", "video", "video/mp4"),
    ("multimodal_document.py", "sample.pdf", "document", "application/pdf"),
])
def test_multimodal_examples_acknowledge_what_they_sent(run_example, fixture_server, example, fixture, kind, mime):
    proc = run_example(example, substitutions={"YOUR_URL": f"{fixture_server}/{fixture}"})
    size = (FIXTURES / fixture).stat().st_size
    assert f"Attachments: {kind} ({mime}, {size} bytes from {fixture_server}/{fixture})" in proc.stdout


def test_multimodal_example_with_the_placeholder_url_is_acknowledged_without_fetching(run_example):
    proc = run_example("multimodal_image.py")
    assert "Attachments: image (image/png, from YOUR_URL)" in proc.stdout


def test_inline_media_is_measured_and_counted_per_modality(client):
    png = base64.b64encode((FIXTURES / "sample.png").read_bytes()).decode()
    wav = base64.b64encode((FIXTURES / "sample.wav").read_bytes()).decode()
    interaction = client.interactions.create(model="gemini-3-flash-preview", input=[
        {"type": "text", "text": "Describe both."},
        {"type": "image", "data": png, "mime_type": "image/png"},
        {"type": "audio", "data": wav, "mime_type": "audio/wav"},
    ])
    text = interaction.outputs[-1].text
    assert f"image (image/png, {(FIXTURES / 'sample.png').stat().st_size} bytes inline)" in text
    assert f"audio (audio/wav, {(FIXTURES / 'sample.wav').stat().st_size} bytes inline)" in text
    modalities = {m.modality: m.tokens for m in interaction.usage.input_tokens_by_modality}
    assert modalities["image"] == 258 and modalities["audio"] > 0 and modalities["text"] > 0


def test_bad_mime_type_is_refused_naming_the_field(client):
    from google.genai import _interactions
    with pytest.raises(_interactions.BadRequestError) as info:
        client.interactions.create(model="gemini-3-flash-preview", input=[{"type": "image", "uri": "x", "mime_type": "image/svg"}])
    assert "input[0].mime_type" in str(info.value)


def test_remote_file_example(run_example, fixture_server):
    proc = run_example("remote_file.py", substitutions={
        "https://github.com/<github-path>/cats-and-dogs.jpg": f"{fixture_server}/cats-and-dogs.jpg"})
    assert "image (image/jpeg" in proc.stdout


def test_files_api_example(run_example, fixture_server, understudy, api_key):
    proc = run_example("files_api.py", substitutions={
        "https://github.com/philschmid/gemini-samples/raw/refs/heads/main/assets/cats-and-dogs.jpg": f"{fixture_server}/cats-and-dogs.jpg"})
    size = (FIXTURES / "cats-and-dogs.jpg").stat().st_size
    assert f"image (image/jpeg, {size} bytes, Files API files/" in proc.stdout


def test_files_lifecycle_and_expiry(client, understudy, api_key, tmp_path):
    from google.genai import errors
    path = tmp_path / "doc.pdf"
    path.write_bytes((FIXTURES / "sample.pdf").read_bytes())
    file = client.files.upload(file=str(path))
    assert file.state.name == "PROCESSING" and file.size_bytes == path.stat().st_size and file.mime_type == "application/pdf"
    # Using a file that is still processing is refused, naming the field.
    from google.genai import _interactions
    with pytest.raises(_interactions.BadRequestError) as info:
        client.interactions.create(model="gemini-3-flash-preview", input=[{"type": "document", "uri": file.uri}])
    assert "input[0].uri" in str(info.value)
    assert client.files.get(name=file.name).state.name == "PROCESSING"
    assert client.files.get(name=file.name).state.name == "ACTIVE"
    assert [f.name for f in client.files.list()] == [file.name]
    understudy.advance(api_key, "49h")
    with pytest.raises(errors.APIError):
        client.files.get(name=file.name)
    assert list(client.files.list()) == []


def test_files_are_per_key(client, understudy, tmp_path):
    path = tmp_path / "a.png"
    path.write_bytes((FIXTURES / "sample.png").read_bytes())
    file = client.files.upload(file=str(path))
    status, _, body = understudy.request("GET", f"/v1beta/{file.name}", headers={"x-goog-api-key": "somebody-else"})
    assert status == 403 and body["error"]["status"] == "PERMISSION_DENIED"


# Generation -----------------------------------------------------------------------------------

def test_image_generation_example_writes_a_decodable_png(run_example, tmp_path):
    from PIL import Image
    proc = run_example("image_generation.py")
    assert "Generated image with mime_type: image/png" in proc.stdout
    with Image.open(tmp_path / "generated_city.png") as im:
        im.load()
        assert im.size == (1024, 1024) and im.mode == "RGB"


def test_image_config_example_follows_ratio_and_size(run_example, tmp_path):
    from PIL import Image
    run_example("image_config.py")
    with Image.open(tmp_path / "generated_city.png") as im:
        im.load()
        assert im.size == (1152, 2048)  # 9:16 at 2K: the long side is 2048


@pytest.mark.parametrize("ratio,size,expected", [("16:9", "1K", (1024, 576)), ("1:1", "512", (512, 512)), ("21:9", "4K", (4096, 1755)), ("4:5", "2K", (1638, 2048))])
def test_image_sizes(client, ratio, size, expected):
    from PIL import Image
    interaction = client.interactions.create(model="gemini-3-pro-image-preview", input="a lighthouse",
                                             generation_config={"image_config": {"aspect_ratio": ratio, "image_size": size}})
    image = next(o for o in interaction.outputs if o.type == "image")
    with Image.open(io.BytesIO(base64.b64decode(image.data))) as im:
        im.load()
        assert im.size == expected


def test_image_modality_on_a_text_model_is_refused(client):
    from google.genai import _interactions
    with pytest.raises(_interactions.BadRequestError) as info:
        client.interactions.create(model="gemini-3-flash-preview", input="a cat", response_modalities=["IMAGE"])
    assert "response_modalities" in str(info.value)


def test_speech_example_writes_24khz_mono_16bit_audio(run_example, tmp_path):
    proc = run_example("speech.py")
    assert "Generated audio with mime_type: audio/L16;codec=pcm;rate=24000" in proc.stdout
    with wave.open(str(tmp_path / "generated_audio.wav")) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (24000, 1, 2)
        seconds = w.getnframes() / 24000
    assert 2 < seconds < 10  # follows the text's length


def test_multi_speaker_example_and_speaker_checks(run_example, client, tmp_path):
    run_example("../composed/speech_multi_speaker.py")  # composed from the guide's prompt and config
    with wave.open(str(tmp_path / "generated_audio.wav")) as w:
        assert w.getnframes() > 24000
    from google.genai import _interactions
    with pytest.raises(_interactions.BadRequestError) as info:
        client.interactions.create(model="gemini-2.5-flash-preview-tts", input="Alice: hi", response_modalities=["AUDIO"],
                                   generation_config={"speech_config": [{"voice": "Zephyr", "speaker": "Alice"}, {"voice": "Puck", "speaker": "Bob"}]})
    assert "speech_config[1].speaker" in str(info.value)
    with pytest.raises(_interactions.BadRequestError):
        client.interactions.create(model="gemini-2.5-flash-preview-tts", input="hello")  # TTS needs the AUDIO modality


def test_speech_output_echoed_in_stateless_history_is_accepted(client):
    first = client.interactions.create(model="gemini-2.5-flash-preview-tts", input="Say hi", response_modalities=["AUDIO"])
    history = [{"role": "user", "content": "Say hi"}, {"role": "model", "content": first.outputs}, {"role": "user", "content": "Again"}]
    again = client.interactions.create(model="gemini-2.5-flash-preview-tts", input=history, response_modalities=["AUDIO"])
    assert again.outputs[-1].type == "audio"


# Structured output ----------------------------------------------------------------------------

def test_structured_output_examples_validate_with_pydantic(run_example):
    assert "decision=" in run_example("structured_output.py").stdout
    assert "decision=" in run_example("structured_output_tools.py").stdout


def test_structured_output_matches_unseen_schemas(client):
    """An independent validator (jsonschema) over 120 schemas the project never saw (hypothesis-jsonschema
    draws them; a fixed seed keeps the run reproducible)."""
    from hypothesis import HealthCheck, given, settings, strategies as st
    from hypothesis import seed as hypothesis_seed

    leaf = st.sampled_from([
        {"type": "string"}, {"type": "integer", "minimum": -5, "maximum": 500}, {"type": "number", "exclusiveMinimum": 0},
        {"type": "boolean"}, {"enum": ["red", "green", "blue"]}, {"type": "string", "format": "date"},
        {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{2,4}$"}, {"type": "string", "minLength": 5, "maxLength": 8},
        {"type": "integer", "multipleOf": 7, "minimum": 10}, {"const": "fixed"}, {"type": ["string", "null"]},
    ])

    def objects(children):
        return st.builds(lambda props, req, extra: {
            "type": "object", "properties": props, "required": sorted(req & set(props)), "additionalProperties": extra},
            st.dictionaries(st.from_regex(r"[a-z]{1,8}", fullmatch=True), children, min_size=1, max_size=4),
            st.sets(st.from_regex(r"[a-z]{1,8}", fullmatch=True), max_size=4) | st.just(set()), st.booleans())

    def arrays(children):
        return st.builds(lambda items, lo, unique: {"type": "array", "items": items, "minItems": lo, "maxItems": lo + 3, "uniqueItems": unique},
                         children, st.integers(0, 3), st.booleans())

    def unions(children):
        return st.builds(lambda a, b, key: {key: [a, b]}, children, children, st.sampled_from(["anyOf", "oneOf"]))

    schemas = st.recursive(leaf, lambda c: objects(c) | arrays(c) | unions(c), max_leaves=12)
    seen: list[dict] = []

    @hypothesis_seed(20251215)
    @settings(max_examples=120, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(schemas)
    def check(schema):
        schema = {"type": "object", "properties": {"answer": schema}, "required": ["answer"]}
        try:
            jsonschema.Draft202012Validator.check_schema(schema)
            unsatisfiable = False
        except jsonschema.SchemaError:
            return
        interaction = client.interactions.create(model="gemini-2.5-flash", input="Answer in JSON.", response_format=schema)
        instance = json.loads(interaction.outputs[-1].text)
        errors = list(jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).iter_errors(instance))
        # oneOf over overlapping alternatives can be unsatisfiable by any instance; skip those.
        if errors and "oneOf" in json.dumps(schema):
            return
        assert not errors, f"{json.dumps(schema)} → {json.dumps(instance)}: {errors[0].message}"
        seen.append(schema)

    check()
    assert len(seen) >= 60


# Built-in tools, Computer Use, MCP ---------------------------------------------------------------

def test_google_search_example_and_blocks(run_example, client):
    assert "According to the search results" in run_example("google_search.py").stdout
    interaction = client.interactions.create(model="gemini-3-flash-preview", input="Who won the last Super Bowl?", tools=[{"type": "google_search"}])
    call, result, text = interaction.outputs[-3:]
    assert (call.type, result.type, text.type) == ("google_search_call", "google_search_result", "text")
    assert result.call_id == call.id and call.arguments.queries == ["Who won the last Super Bowl?"]
    assert result.result[0].url.startswith("https://example.com/") and interaction.status == "completed"
    annotation = text.annotations[0]
    assert text.text.encode()[annotation.start_index:annotation.end_index].decode().startswith("You said")


def test_code_execution_example_computes_the_fibonacci_number(run_example, client):
    assert "12586269025" in run_example("code_execution.py").stdout
    interaction = client.interactions.create(model="gemini-3-flash-preview", input="What is the factorial of 10?", tools=[{"type": "code_execution"}])
    call, result = [o for o in interaction.outputs if o.type.startswith("code_execution")]
    assert call.arguments.language == "python" and result.call_id == call.id and result.result.strip() == "3628800"


def test_url_context_example(run_example, client):
    assert "I read the page(s) you gave." in run_example("url_context.py").stdout
    interaction = client.interactions.create(model="gemini-3-flash-preview", input="Summarize https://www.wikipedia.org/ please", tools=[{"type": "url_context"}])
    call = next(o for o in interaction.outputs if o.type == "url_context_call")
    assert call.arguments.urls == ["https://www.wikipedia.org/"]


def test_builtin_tool_order_switch():
    from conftest import start_server, stop_server
    server = start_server("--builtin-tool-order", "text-first")
    try:
        status, _, body = server.request("POST", "/v1beta/interactions", {"model": "gemini-2.5-flash", "input": "news?", "tools": [{"type": "google_search"}]},
                                         headers={"x-goog-api-key": "k"})
    finally:
        stop_server(server)
    types = [o["type"] for o in body["outputs"] if o["type"] != "thought"]
    assert status == 200 and types == ["text", "google_search_call", "google_search_result"]


def test_computer_use_example_and_loop(run_example, client):
    assert "open_web_browser" in run_example("computer_use.py").stdout
    tools = [{"type": "computer_use", "environment": "browser", "excludedPredefinedFunctions": ["navigate", "scroll_document"]}]
    interaction = client.interactions.create(model="gemini-2.5-computer-use-preview-10-2025", input="Find a fridge.", tools=tools)
    actions = []
    for _ in range(10):
        if interaction.status != "requires_action":
            break
        call = next(o for o in interaction.outputs if o.type == "function_call")
        actions.append(call.name)
        interaction = client.interactions.create(model="gemini-2.5-computer-use-preview-10-2025", tools=tools, previous_interaction_id=interaction.id,
                                                 input=[{"type": "function_result", "call_id": call.id, "name": call.name, "result": {"url": "https://example.com"}}])
    assert actions == ["open_web_browser", "type_text_at", "click_at"]
    assert interaction.status == "completed"


def test_mcp_example_calls_the_local_server(run_example, mcp_server, client):
    proc = run_example("remote_mcp.py", substitutions={"https://gemini-api-demos.uc.r.appspot.com/mcp": mcp_server})
    assert "The weather_service tool get_forecast answered: Sunny, 21°C" in proc.stdout
    interaction = client.interactions.create(model="gemini-2.5-flash", input="Weather forecast for Paris?",
                                             tools=[{"type": "mcp_server", "name": "weather_service", "url": mcp_server}])
    call, result = interaction.outputs[-3], interaction.outputs[-2]
    assert call.type == "mcp_server_tool_call" and call.server_name == "weather_service" and call.name == "get_forecast"
    assert result.type == "mcp_server_tool_result" and result.call_id == call.id


def test_mcp_limitations_and_unreachable_servers(client):
    from google.genai import _interactions
    with pytest.raises(_interactions.BadRequestError) as info:
        client.interactions.create(model="gemini-2.5-flash", input="x", tools=[{"type": "mcp_server", "name": "weather-service", "url": "http://127.0.0.1:9/mcp"}])
    assert "tools[0].name" in str(info.value) and "snake_case" in str(info.value)
    with pytest.raises(_interactions.BadRequestError):
        client.interactions.create(model="gemini-3-flash-preview", input="x", tools=[{"type": "mcp_server", "name": "w", "url": "http://127.0.0.1:9/mcp"}])
    with pytest.raises(_interactions.BadRequestError):
        client.interactions.create(model="gemini-2.5-flash", input="x", tools=[{"type": "mcp_server", "name": "w", "url": "http://127.0.0.1:9/mcp"}, {"type": "google_search"}])
    failed = client.interactions.create(model="gemini-2.5-flash", input="x", tools=[{"type": "mcp_server", "name": "w", "url": "http://127.0.0.1:9/mcp"}])
    assert failed.status == "failed"
    sse_only = client.interactions.create(model="gemini-2.5-flash", input="x", tools=[{"type": "mcp_server", "name": "w", "url": "http://127.0.0.1:9/sse"}])
    assert sse_only.status == "failed"
