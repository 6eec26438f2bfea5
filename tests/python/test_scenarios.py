"""The scenario library and the scenario features, driven through the official SDK.

Every scenario under scenarios/ is exercised here: the edge cases are loaded for the test's own key
(the way a test author isolates them), the guide scenarios by a server started with
`--scenarios scenarios/guide`.
"""
from __future__ import annotations

import json
import pathlib
import socket
import subprocess
import urllib.parse

import pytest

from conftest import BIN as BIN_PATH, ROOT, start_server, stop_server

EDGE = ROOT / "scenarios" / "edge-cases"
MODEL = "gemini-3-flash-preview"


def load_for(understudy, key, name):
    text = (EDGE / f"{name}.yaml").read_text()
    status, _, payload = understudy.request(
        "POST", f"/_understudy/scenarios?tenant={key}&name={name}", raw=text.encode(),
        headers={"Content-Type": "application/yaml"})
    assert status == 200, payload
    return payload


def errors_module():
    from google.genai import _interactions
    return _interactions


def test_rate_limited_then_success_is_retried_by_the_sdk(understudy, api_key, client):
    load_for(understudy, api_key, "rate-limited-then-success")
    interaction = client.interactions.create(model=MODEL, input="hi")
    assert interaction.outputs[-1].text.startswith("Third time lucky")
    journal = understudy.journal(api_key, route="interactions.create")
    assert [e["status"] for e in journal] == [429, 429, 200]
    # The 429s carried Google's error body and the retry hints.
    status, headers, body = understudy.request(
        "POST", "/v1beta/interactions", {"model": MODEL, "input": "x"},
        headers={"x-goog-api-key": api_key + "-raw", "x-understudy-scenario": "rate-limited-then-success"})
    assert status == 400  # not loaded for that key: the header names no visible scenario
    assert "names no loaded scenario" in body["error"]["message"]


def test_rate_limit_error_body_and_headers(understudy, api_key):
    load_for(understudy, api_key, "rate-limited-then-success")
    status, headers, body = understudy.request(
        "POST", "/v1beta/interactions", {"model": MODEL, "input": "x"}, headers={"x-goog-api-key": api_key})
    assert status == 429
    assert headers.get("retry-after-ms") == "10"
    assert body["error"]["status"] == "RESOURCE_EXHAUSTED" and body["error"]["code"] == 429
    types = [d["@type"] for d in body["error"]["details"]]
    assert "type.googleapis.com/google.rpc.RetryInfo" in types
    assert "type.googleapis.com/google.rpc.QuotaFailure" in types


def test_server_error_mid_chain_is_retried_and_keeps_the_chain(understudy, api_key, client):
    load_for(understudy, api_key, "server-error-mid-chain")
    first = client.interactions.create(model=MODEL, input="one")
    assert first.outputs[-1].text == "Turn one."
    second = client.interactions.create(model=MODEL, input="two", previous_interaction_id=first.id)
    assert second.outputs[-1].text.startswith("Turn two")
    assert first.id in second.outputs[-1].text
    creates = understudy.journal(api_key, route="interactions.create")
    assert [e["status"] for e in creates] == [200, 500, 200]
    assert creates[1]["body"]["previous_interaction_id"] == creates[2]["body"]["previous_interaction_id"] == first.id


def test_stream_cut_and_resume_delivers_the_whole_text(understudy, api_key, client):
    load_for(understudy, api_key, "stream-cut-and-resume")
    seen, last, interaction_id = [], None, None
    with pytest.raises(Exception):
        for event in client.interactions.create(model=MODEL, input="go", stream=True):
            last = event.event_id
            if event.event_type == "interaction.start":
                interaction_id = event.interaction.id
            if event.event_type == "content.delta" and event.delta.type == "text":
                seen.append(event.delta.text)
    assert last == "evt_0005"
    for event in client.interactions.get(interaction_id, stream=True, last_event_id=last):
        if event.event_type == "content.delta" and event.delta.type == "text":
            seen.append(event.delta.text)
    final = client.interactions.get(interaction_id)
    assert "".join(seen) == final.outputs[-1].text
    assert final.status == "completed"


def test_background_job_failed(understudy, api_key, client):
    load_for(understudy, api_key, "background-job-failed")
    created = client.interactions.create(model=MODEL, input="job", background=True)
    assert created.status == "in_progress"
    statuses = [client.interactions.get(created.id).status for _ in range(3)]
    assert statuses == ["in_progress", "failed", "failed"]
    # The stream of the failed job carries the error event before the final status.
    kinds = [e.event_type for e in client.interactions.get(created.id, stream=True)]
    assert kinds[-3:] == ["error", "interaction.status_update", "interaction.complete"]


def test_background_job_cancelled(understudy, api_key, client):
    load_for(understudy, api_key, "background-job-cancelled")
    created = client.interactions.create(model=MODEL, input="job", background=True)
    assert client.interactions.get(created.id).status == "in_progress"
    assert client.interactions.cancel(created.id).status == "cancelled"
    assert client.interactions.get(created.id).status == "cancelled"
    with pytest.raises(errors_module().BadRequestError):
        client.interactions.cancel(created.id)


def test_expired_previous_interaction(understudy, api_key, client):
    load_for(understudy, api_key, "expired-previous-interaction")
    first = client.interactions.create(model=MODEL, input="x")
    with pytest.raises(errors_module().NotFoundError) as info:
        client.interactions.create(model=MODEL, input="y", previous_interaction_id=first.id)
    assert "previous_interaction_id" in str(info.value)
    with pytest.raises(errors_module().NotFoundError):
        client.interactions.get(first.id)


def test_requires_action_with_two_parallel_calls(understudy, api_key, client):
    load_for(understudy, api_key, "requires-action-parallel-calls")
    first = client.interactions.create(model=MODEL, input="weather and time?")
    assert first.status == "requires_action"
    calls = [o for o in first.outputs if o.type == "function_call"]
    assert [c.name for c in calls] == ["get_weather", "get_time"]
    one = [{"type": "function_result", "call_id": calls[0].id, "name": "get_weather", "result": "sunny"}]
    with pytest.raises(errors_module().BadRequestError):
        client.interactions.create(model=MODEL, previous_interaction_id=first.id, input=one)
    both = one + [{"type": "function_result", "call_id": calls[1].id, "name": "get_time", "result": "10:00"}]
    done = client.interactions.create(model=MODEL, previous_interaction_id=first.id, input=both)
    assert done.status == "completed"
    assert done.outputs[-1].text == "In Paris: sunny; local time 10:00."


def test_thought_signatures_required_in_stateless_mode(understudy, api_key, client):
    load_for(understudy, api_key, "thought-signatures-stateless")
    history = [{"role": "user", "content": "Weather in Berlin?"}]
    first = client.interactions.create(model=MODEL, input=history)
    call = next(o for o in first.outputs if o.type == "function_call")
    result = {"role": "user", "content": [{"type": "function_result", "call_id": call.id, "name": call.name, "result": "cloudy"}]}
    # Without the thought block that carries the signature: refused, naming the call.
    stripped = [o for o in first.outputs if o.type != "thought"]
    with pytest.raises(errors_module().BadRequestError) as info:
        client.interactions.create(model=MODEL, input=history + [{"role": "model", "content": stripped}, result])
    assert "thought_signature" in str(info.value)
    # Unchanged: accepted, and the scenario's second step answers.
    done = client.interactions.create(model=MODEL, input=history + [{"role": "model", "content": first.outputs}, result])
    assert done.outputs[-1].text == "Berlin: cloudy"


def test_unknown_future_content_type_is_carried(understudy, api_key, client):
    load_for(understudy, api_key, "unknown-future-content-type")
    interaction = client.interactions.create(model=MODEL, input="x")
    assert [o.type for o in interaction.outputs] == ["thought", "hologram", "text"]
    assert interaction.outputs[-1].text == "The text after an unknown block."


def test_violation_of_an_expectation_is_a_400_and_journaled(understudy, api_key, client):
    load_for(understudy, api_key, "requires-action-parallel-calls")
    first = client.interactions.create(model=MODEL, input="x")
    calls = [o for o in first.outputs if o.type == "function_call"]
    wrong = [{"type": "function_result", "call_id": c.id, "name": c.name, "result": "r"} for c in calls]
    # Answer the calls in a stateless follow-up that drops one result: the server rejects it.
    with pytest.raises(errors_module().BadRequestError):
        client.interactions.create(model=MODEL, previous_interaction_id=first.id, input=wrong[:1])
    failed = understudy.journal(api_key, status=400)
    assert failed and failed[-1]["route"] == "interactions.create"


def test_strict_scenarios_report_near_misses(understudy, api_key):
    scenario = "name: only-paris\nmatch: {input_contains: Paris, model: gemini-2.5-flash}\nreply: {text: Paris!}\n"
    status, _, _ = understudy.request("POST", f"/_understudy/scenarios?tenant={api_key}", raw=scenario.encode())
    assert status == 200
    status, _, body = understudy.request(
        "POST", "/v1beta/interactions", {"model": MODEL, "input": "Berlin"},
        headers={"x-goog-api-key": api_key, "x-understudy-strict": "true"})
    assert status == 400 and body["error"]["status"] == "FAILED_PRECONDITION"
    message = body["error"]["message"]
    assert "only-paris" in message and "does not contain 'Paris'" in message and "scenario wants 'gemini-2.5-flash'" in message
    status, _, body = understudy.request(
        "POST", "/v1beta/interactions", {"model": "gemini-2.5-flash", "input": "Paris?"},
        headers={"x-goog-api-key": api_key, "x-understudy-strict": "true"})
    assert status == 200 and body["outputs"][-1]["text"] == "Paris!"


def test_hold_released_through_the_admin_api(understudy, api_key, client):
    scenario = "name: held\nreply:\n  background: [{hold: go}]\n  text: released\n"
    understudy.request("POST", f"/_understudy/scenarios?tenant={api_key}", raw=scenario.encode())
    created = client.interactions.create(model=MODEL, input="x", background=True)
    assert [client.interactions.get(created.id).status for _ in range(3)] == ["in_progress"] * 3
    understudy.admin("POST", "holds/go/release", tenant=api_key)
    final = client.interactions.get(created.id)
    assert final.status == "completed" and final.outputs[-1].text == "released"


def test_clock_drives_timelines_and_retention(understudy, api_key, client):
    scenario = "name: slow\nreply:\n  background: [{after: 30m}]\n  text: late\n"
    understudy.request("POST", f"/_understudy/scenarios?tenant={api_key}", raw=scenario.encode())
    created = client.interactions.create(model=MODEL, input="x", background=True)
    assert client.interactions.get(created.id).status == "in_progress"
    understudy.advance(api_key, "31m")
    assert client.interactions.get(created.id).status == "completed"
    understudy.advance(api_key, "55d")
    with pytest.raises(errors_module().NotFoundError):
        client.interactions.get(created.id)
    assert understudy.admin("GET", "interactions", tenant=api_key)["interaction_ids"] == []


def test_loading_a_broken_scenario_reports_every_problem(understudy, api_key):
    broken = "name: broken\nmach: {}\nreply:\n  outputs:\n    - {type: function_call, nam: x}\n  stream: {delay: soon}\n"
    status, _, body = understudy.request("POST", f"/_understudy/scenarios?tenant={api_key}", raw=broken.encode())
    assert status == 400
    problems = [d for d in body["error"]["details"] if d["@type"] == "type.understudy.dev/ScenarioProblem"]
    assert {p["line"] for p in problems} >= {2, 5, 6}
    assert all(p["fix"] for p in problems)


def test_lint_command(tmp_path):
    good = subprocess.run([str(ROOT / ".build/debug/understudy"), "scenarios", "lint", str(ROOT / "scenarios")],
                          capture_output=True, text=True)
    assert good.returncode == 0 and good.stdout.startswith("ok:")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nreply:\n  text: [unclosed\n")
    out = subprocess.run([str(ROOT / ".build/debug/understudy"), "scenarios", "lint", str(bad)], capture_output=True, text=True)
    assert out.returncode == 1
    assert f"{bad}:4:1: error: YAML syntax error" in out.stdout


# The guide scenarios, loaded for everyone at start, answering the guide's prompts.

@pytest.fixture(scope="module")
def guide_server():
    server = start_server("--scenarios", str(ROOT / "scenarios" / "guide"))
    yield server
    stop_server(server)


@pytest.fixture
def guide_client(guide_server, api_key, monkeypatch):
    import warnings
    from google import genai
    warnings.filterwarnings("ignore", message="Interactions usage is experimental")
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", guide_server.base_url)
    monkeypatch.setenv("GEMINI_API_KEY", api_key)
    return genai.Client()


def test_guide_stateful_name_is_remembered_by_chain_position(guide_client):
    first = guide_client.interactions.create(model=MODEL, input="Hi, my name is Phil.")
    second = guide_client.interactions.create(model=MODEL, input="What is my name?", previous_interaction_id=first.id)
    assert second.outputs[-1].text == "Your name is Phil."
    # Without the chain, the same question is not step 2 (no guessing from message text).
    alone = guide_client.interactions.create(model=MODEL, input="What is my name?")
    assert alone.outputs[-1].text != "Your name is Phil."


def test_guide_scripted_answers(guide_client):
    assert "light attracts bugs" in guide_client.interactions.create(model=MODEL, input="Tell me a short joke about programming.").outputs[-1].text
    history = [{"role": "user", "content": "What are the three largest cities in Spain?"}]
    first = guide_client.interactions.create(model=MODEL, input=history)
    assert "Madrid" in first.outputs[-1].text
    history += [{"role": "model", "content": first.outputs}, {"role": "user", "content": "What is the most famous landmark in the second one?"}]
    assert "Sagrada" in guide_client.interactions.create(model=MODEL, input=history).outputs[-1].text
    assert "36" in guide_client.interactions.create(model=MODEL, input="Solve this step by step: What is 15% of 240?").outputs[-1].text
    story = guide_client.interactions.create(model=MODEL, input="Tell me a story about a brave knight.",
                                             generation_config={"temperature": 0.7, "thinking_level": "low"})
    assert "Sir Aldric" in story.outputs[-1].text
    text = "".join(e.delta.text for e in guide_client.interactions.create(model=MODEL, input="Explain quantum entanglement in simple terms.", stream=True)
                   if e.event_type == "content.delta" and e.delta.type == "text")
    assert text.startswith("Quantum entanglement links two particles")


def test_guide_tools(guide_client):
    weather = {"type": "function", "name": "get_weather", "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}}
    first = guide_client.interactions.create(model=MODEL, input="What is the weather in Paris?", tools=[weather])
    call = next(o for o in first.outputs if o.type == "function_call")
    assert call.arguments == {"location": "Paris"}
    second = guide_client.interactions.create(model=MODEL, previous_interaction_id=first.id, input=[
        {"type": "function_result", "name": call.name, "call_id": call.id, "result": "The weather in Paris is sunny."}])
    assert second.outputs[-1].text.startswith("The weather in Paris is sunny.")
    meeting = {"type": "function", "name": "schedule_meeting", "parameters": {"type": "object", "properties": {"attendees": {"type": "array", "items": {"type": "string"}}}, "required": ["attendees"]}}
    history = [{"role": "user", "content": [{"type": "text", "text": "Schedule a meeting for 2025-11-01 at 10 am with Peter and Amir about the Next Gen API."}]}]
    step1 = guide_client.interactions.create(model=MODEL, input=history, tools=[meeting])
    call = next(o for o in step1.outputs if o.type == "function_call")
    history += [{"role": "model", "content": step1.outputs},
                {"role": "user", "content": [{"type": "function_result", "name": call.name, "call_id": call.id, "result": "Meeting scheduled successfully."}]}]
    assert "booked" in guide_client.interactions.create(model=MODEL, input=history).outputs[-1].text
    search = guide_client.interactions.create(model=MODEL, input="Who won the last Super Bowl?", tools=[{"type": "google_search"}])
    assert [o.type for o in search.outputs] == ["google_search_call", "google_search_result", "text"]
    code = guide_client.interactions.create(model=MODEL, input="Calculate the 50th Fibonacci number.", tools=[{"type": "code_execution"}])
    assert "12,586,269,025" in code.outputs[-1].text
    url = guide_client.interactions.create(model=MODEL, input="Summarize the content of https://www.wikipedia.org/", tools=[{"type": "url_context"}])
    assert url.outputs[1].result[0].status == "success"


def test_guide_deep_research(guide_client):
    created = guide_client.interactions.create(
        input="Research the history of the Google TPUs with a focus on 2025 and 2026.",
        agent="deep-research-pro-preview-12-2025", background=True)
    first = guide_client.interactions.get(created.id)
    assert first.status == "in_progress"
    assert first.outputs[0].summary[0].text.startswith("Planning")
    final = guide_client.interactions.get(created.id)
    assert final.status == "completed" and final.outputs[-1].text.startswith("# Google TPUs")


# Scenario semantics a demanding test author relies on (each of these failed before it was fixed).

WEATHER = {"type": "function", "name": "get_weather", "parameters": {"type": "object", "properties": {"location": {"type": "string"}}}}


def load_text(understudy, key, text, expect=200):
    status, _, payload = understudy.request("POST", f"/_understudy/scenarios?tenant={key}", raw=text.encode(),
                                            headers={"Content-Type": "application/yaml"})
    assert status == expect, payload
    return payload


@pytest.mark.parametrize("model", ["gemini-2.5-flash", MODEL])
def test_a_one_reply_function_call_scenario_does_not_answer_its_own_follow_ups(understudy, api_key, client, model):
    load_text(understudy, api_key, "name: m-tools\nmatch: {tools: [get_weather], input_contains: weather}\n"
              "reply:\n  outputs:\n    - {type: function_call, name: get_weather, arguments: {location: Paris}}\n")
    first = client.interactions.create(model=model, input="what's the weather", tools=[WEATHER])
    assert first.status == "requires_action"
    call = next(o for o in first.outputs if o.type == "function_call")
    result = {"type": "function_result", "call_id": call.id, "name": call.name, "result": "sunny"}
    second = client.interactions.create(model=model, previous_interaction_id=first.id, tools=[WEATHER], input=[result])
    assert second.status == "completed"
    assert second.outputs[-1].text == 'Thanks. get_weather returned "sunny".'
    # Stateless, replaying the model turn exactly as received (on Gemini 3 it carries a signed thought).
    history = [{"role": "user", "content": "what's the weather"},
               {"role": "model", "content": [o.model_dump(exclude_none=True) for o in first.outputs]},
               {"role": "user", "content": [result]}]
    third = client.interactions.create(model=model, tools=[WEATHER], input=history)
    assert third.status == "completed" and third.outputs[-1].text.startswith("Thanks. get_weather returned")
    creates = understudy.journal(api_key, route="interactions.create")
    assert [(e.get("scenario"), e.get("step")) for e in creates] == [("m-tools", 1), (None, None), (None, None)]


def test_scripted_calls_on_gemini_3_replay_statelessly_like_the_real_model(understudy, api_key, client):
    load_text(understudy, api_key, "name: call\nreply:\n  outputs:\n    - {type: function_call, name: get_weather, arguments: {location: Paris}}\n")
    first = client.interactions.create(model=MODEL, input="weather?", tools=[WEATHER])
    assert [o.type for o in first.outputs] == ["thought", "function_call"]
    assert first.outputs[0].signature and not first.outputs[0].summary
    call = first.outputs[1]
    done = client.interactions.create(model=MODEL, tools=[WEATHER], input=[
        {"role": "user", "content": "weather?"},
        {"role": "model", "content": [o.model_dump(exclude_none=True) for o in first.outputs]},
        {"role": "user", "content": [{"type": "function_result", "call_id": call.id, "name": call.name, "result": "sunny"}]}])
    assert done.status == "completed"
    # Without the inserted thought the server still refuses, as the real one does.
    with pytest.raises(errors_module().BadRequestError) as info:
        client.interactions.create(model=MODEL, tools=[WEATHER], input=[
            {"role": "user", "content": "weather?"},
            {"role": "model", "content": [call.model_dump(exclude_none=True)]},
            {"role": "user", "content": [{"type": "function_result", "call_id": call.id, "name": call.name, "result": "sunny"}]}])
    assert "thought_signature" in str(info.value)


def test_readme_content_block_example_loads_and_pairs_results_with_calls(understudy, api_key):
    readme = (ROOT / "scenarios" / "README.md").read_text()
    block = readme.split("```yaml\noutputs:\n", 1)[1].split("```", 1)[0]
    text = "name: readme-blocks\nreply:\n  outputs:\n" + "".join("  " + line + "\n" for line in block.splitlines())
    load_text(understudy, api_key, text)
    status, _, body = understudy.request("POST", "/v1beta/interactions", {"model": "gemini-2.5-flash", "input": "x"},
                                         headers={"x-goog-api-key": api_key})
    assert status == 200, body
    outputs = body["outputs"]
    by_id = {o["id"]: o["type"] for o in outputs if "id" in o}
    for o in outputs:
        if o["type"].endswith("_result") and o["type"] != "file_search_result":
            assert by_id.get(o["call_id"]) == o["type"].replace("_result", "_call"), o


def test_get_one_scenario_shows_definition_source_and_progress(understudy, api_key, client):
    load_text(understudy, api_key, "name: two-steps\ndescription: d\nsteps:\n  - reply: {text: one}\n  - reply: {text: two}\n")
    first = client.interactions.create(model=MODEL, input="a")
    status, _, body = understudy.request("GET", f"/_understudy/scenarios/two-steps?tenant={api_key}")
    assert status == 200, body
    assert body["definition"]["steps"][1]["reply"] == {"text": "two"}
    assert body["source"] == "admin-api" and body["tenant"] == api_key and body["scope"] == "tenant"
    progress = body["progress"][api_key]
    assert progress["steps_answered"] == [1, 0]
    assert progress["conversations"] == [{"started_by": first.id, "step": 1, "last_interaction_id": first.id, "finished": False}]
    status, _, body = understudy.request("GET", f"/_understudy/scenarios/no-such?tenant={api_key}")
    assert status == 404 and body["error"]["status"] == "NOT_FOUND" and body["error"]["code"] == 404
    assert "two-steps" in body["error"]["message"]


def test_strictness_is_per_key_and_the_header_overrides_it_both_ways(understudy, api_key):
    other = api_key + "-other"
    load_text(understudy, api_key, "name: only-paris\nmatch: {input_contains: Paris}\nreply: {text: Paris!}\n")
    assert understudy.admin("POST", "scenarios/strict", {"strict": True}, tenant=api_key) == {"strict": True, "scope": "tenant", "tenant": api_key}
    body = {"model": MODEL, "input": "Berlin"}
    status, _, err = understudy.request("POST", "/v1beta/interactions", body, headers={"x-goog-api-key": api_key})
    assert status == 400 and err["error"]["status"] == "FAILED_PRECONDITION"
    assert "only-paris" in err["error"]["message"] and '(input: "Berlin")' in err["error"]["message"]
    assert understudy.request("POST", "/v1beta/interactions", body, headers={"x-goog-api-key": other})[0] == 200
    assert understudy.request("POST", "/v1beta/interactions", body, headers={"x-goog-api-key": api_key, "x-understudy-strict": "false"})[0] == 200
    status, _, err = understudy.request("POST", "/v1beta/interactions", body, headers={"x-goog-api-key": other, "x-understudy-strict": "true"})
    assert status == 400 and "No scenario is loaded" not in err["error"]["message"]
    status, _, err = understudy.request("POST", "/v1beta/interactions", body, headers={"x-goog-api-key": other, "x-understudy-strict": "yes"})
    assert status == 400 and "x-understudy-strict" in err["error"]["message"]
    assert understudy.admin("GET", "scenarios", tenant=api_key)["strict"] is True
    assert understudy.admin("GET", "scenarios", tenant=other)["strict"] is False


def test_listing_with_a_tenant_shows_what_that_key_may_use(understudy, api_key):
    load_text(understudy, api_key, "name: mine-only\nreply: {text: x}\n")
    load_text(understudy, api_key + "-b", "name: theirs-only\nreply: {text: y}\n")
    listed = understudy.admin("GET", "scenarios", tenant=api_key)["scenarios"]
    names = [s["name"] for s in listed]
    assert "mine-only" in names and "theirs-only" not in names
    assert names[0] == "mine-only" and listed[0]["scope"] == "tenant"
    everything = [s["name"] for s in understudy.admin("GET", "scenarios")["scenarios"]]
    assert "mine-only" in everything and "theirs-only" in everything


def test_strict_with_a_faults_only_scenario_selected_says_so(understudy, api_key):
    load_text(understudy, api_key, "name: slow-only\nfaults: [{latency: 1ms}]\n")
    status, _, err = understudy.request("POST", "/v1beta/interactions", {"model": MODEL, "input": "x"},
                                        headers={"x-goog-api-key": api_key, "x-understudy-scenario": "slow-only", "x-understudy-strict": "true"})
    assert status == 400
    assert "'slow-only' selected by the header 'x-understudy-scenario' has no reply or steps" in err["error"]["message"]


def test_hold_release_answers_404_for_unknown_holds_and_remembers_early_releases(understudy, api_key, client):
    load_text(understudy, api_key, "name: held\nreply:\n  background: [{hold: go}]\n  text: released\n")
    status, _, err = understudy.request("POST", f"/_understudy/holds/og/release?tenant={api_key}")
    assert status == 404 and err["error"]["status"] == "NOT_FOUND" and "Holds declared for this key: go." in err["error"]["message"]
    status, _, err = understudy.request("POST", f"/_understudy/holds/go/release?tenant={api_key}-wrong")
    assert status == 404 and "loaded for other keys: " in err["error"]["message"] and api_key in err["error"]["message"]
    # Released before the job exists: remembered for the next job, which does not wait.
    early = understudy.admin("POST", "holds/go/release", tenant=api_key)
    assert early["pending"] is True and early["interactions"] == [] and early["pending_releases"] == 1
    assert client.interactions.create(model=MODEL, input="x", background=True).status == "completed"
    # Used up: the next job waits until released, and the release names it.
    job = client.interactions.create(model=MODEL, input="x", background=True)
    assert client.interactions.get(job.id).status == "in_progress"
    release = understudy.admin("POST", "holds/go/release", tenant=api_key)
    assert release["interactions"] == [job.id] and release["pending"] is False
    assert client.interactions.get(job.id).status == "completed"
    # Reset forgets a remembered release.
    understudy.admin("POST", "holds/go/release", tenant=api_key)
    understudy.admin("POST", "reset", tenant=api_key)
    assert client.interactions.create(model=MODEL, input="x", background=True).status == "in_progress"


def test_journal_has_scenario_and_step_separately_and_violations_show_what_came(understudy, api_key, client):
    load_text(understudy, api_key, "name: thanks\nsteps:\n  - reply: {text: one}\n  - expect: {input_contains: thanks}\n    reply: {text: two}\n")
    first = client.interactions.create(model=MODEL, input="hello")
    with pytest.raises(errors_module().BadRequestError) as info:
        client.interactions.create(model=MODEL, input="no way", previous_interaction_id=first.id)
    assert info.value.body["error"]["message"] == "Scenario 'thanks' step 2: expected the input to contain 'thanks', got \"no way\"."
    second = client.interactions.create(model=MODEL, input="thanks!", previous_interaction_id=first.id)
    assert second.outputs[-1].text == "two"
    creates = understudy.journal(api_key, route="interactions.create")
    assert [(e["status"], e.get("scenario"), e.get("step")) for e in creates] == [(200, "thanks", 1), (400, "thanks", 2), (200, "thanks", 2)]
    assert "got \"no way\"" in creates[1]["violation"]
    assert [e["status"] for e in understudy.journal(api_key, scenario="thanks", step=2)] == [400, 200]
    assert [e["status"] for e in understudy.journal(api_key, scenario="thanks%231")] == [200]
    # A streamed create is journaled with its scenario and step too.
    assert [e.event_type for e in client.interactions.create(model=MODEL, input="hello", stream=True)][-1] == "interaction.complete"
    streamed = understudy.journal(api_key, route="interactions.create")[-1]
    assert streamed["streamed"] and (streamed["scenario"], streamed["step"]) == ("thanks", 1)


def test_a_failed_run_carries_its_error_only_in_the_stream(understudy, api_key, client):
    load_text(understudy, api_key, "name: boom\nreply:\n  error: {code: deadline_exceeded, message: It broke.}\n")
    failed = client.interactions.create(model=MODEL, input="x")
    assert failed.status == "failed"
    status, _, raw = understudy.request("GET", f"/v1beta/interactions/{failed.id}", headers={"x-goog-api-key": api_key})
    assert status == 200 and "error" not in raw
    errors = [e for e in client.interactions.get(failed.id, stream=True) if e.event_type == "error"]
    assert [(e.error.code, e.error.message) for e in errors] == [("deadline_exceeded", "It broke.")]
    load_text(understudy, api_key, "name: numeric\nreply:\n  error: {code: 500}\n", expect=400)


def test_lint_reports_every_problem_plainly_sorted_with_a_fix(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("scenarios:\n  - name: same\n    reply: {text: a, stream: {cut_after: -1}}\n  - name: same\n"
                   "    match: {input_contain: x, nth: 0}\n    reply:\n      outputs: [{type: document, fixture: ../README.md}]\n"
                   "    faults: [{status: 429, times: -1, skip: -2, retry_after_ms: -10}]\n")
    out = subprocess.run([BIN_PATH, "scenarios", "lint", "--fixtures", str(ROOT / "fixtures"), str(bad)], capture_output=True, text=True)
    assert out.returncode == 1
    lines = out.stdout.splitlines()
    errors = [l for l in lines if ": error: " in l]
    assert len(errors) == 8, out.stdout
    assert all(lines[lines.index(e) + 1].startswith("    fix: ") for e in errors)
    places = [tuple(int(x) for x in e.split(": error:")[0].rsplit(":", 2)[1:]) for e in errors]
    assert places == sorted(places)
    assert "TYPE_" not in out.stdout and "Cannot find field" not in out.stdout
    assert f"{bad}:4:5: error: Scenario name 'same' is used twice: here and at {bad}:2:5." in out.stdout
    assert "leaves the fixtures directory" in out.stdout and "Did you mean 'input_contains'?" in out.stdout
    assert lines[-1] == "8 problem(s) in 1 file(s)"


def test_serve_refuses_broken_files_with_only_the_problems(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nreply: {text: a, stream: {chunk_size: 0}}\n")
    out = subprocess.run([BIN_PATH, "serve", "--port", "0", "--data", ":memory:", "--scenarios", str(bad)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    assert out.stdout == ""
    assert f"{bad}:2:27: error: 'reply.stream.chunk_size' must be 1 or more, got 0." in out.stderr
    assert "USAGE" not in out.stderr.upper() and "--help" not in out.stderr


def test_journal_names_the_injected_fault_and_logs_a_dropped_connection_as_499(understudy, api_key, client):
    load_text(understudy, api_key, "name: flaky\nfaults:\n  - {on: get, status: 500, times: 1}\n  - {drop_connection: true, times: 1}\nreply: {text: fine}\n")
    assert client.interactions.create(model=MODEL, input="x").outputs[-1].text == "fine"  # the SDK retries the drop
    creates = understudy.journal(api_key, route="interactions.create")
    assert [e["status"] for e in creates] == [499, 200]
    assert creates[0]["fault"] == {"scenario": "flaky", "index": 2} and creates[0]["scenario"] == "flaky"
    assert "fault" not in creates[1] and (creates[1]["scenario"], creates[1]["step"]) == ("flaky", 1)


def test_the_readme_lint_example_is_what_lint_prints(tmp_path):
    readme = (ROOT / "scenarios" / "README.md").read_text()
    section = readme.split("For `my-scenarios/weather.yaml`", 1)[1]
    source = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    expected = section.split("lint says:\n\n```\n", 1)[1].split("```", 1)[0].splitlines()
    (tmp_path / "my-scenarios").mkdir()
    (tmp_path / "my-scenarios" / "weather.yaml").write_text(source)
    out = subprocess.run([BIN_PATH, "scenarios", "lint", "--fixtures", "fixtures", "my-scenarios/"], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 1
    assert out.stdout.splitlines() == expected[1:]
