"""Core behaviour through the official SDK: chaining, stateless history and thought signatures,
function results, storage, validation errors and deletion (default responder, no scenarios)."""
from __future__ import annotations

import pytest

from google.genai import _interactions as gi

MODEL = "gemini-3-flash-preview"
WEATHER = {
    "type": "function", "name": "get_weather", "description": "Gets the weather for a given location.",
    "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]},
}

pytestmark = pytest.mark.usefixtures("strict_warnings")


def text_of(interaction) -> str:
    return interaction.outputs[-1].text


def poll_until_done(client, interaction_id, limit=10):
    for _ in range(limit):
        interaction = client.interactions.get(interaction_id)
        if interaction.status != "in_progress":
            return interaction
    raise AssertionError(f"{interaction_id} still in_progress after {limit} polls")


def message(error: gi.APIStatusError) -> str:
    return error.body["error"]["message"] if isinstance(error.body, dict) and "error" in error.body else str(error.body)


# Chaining: only inputs and outputs are inherited.

def test_chain_does_not_inherit_the_system_instruction(client):
    first = client.interactions.create(model=MODEL, input="Ahoy", system_instruction="Answer like a pirate.")
    assert 'System instruction: "Answer like a pirate."' in text_of(first)
    second = client.interactions.create(model=MODEL, input="And now?", previous_interaction_id=first.id)
    assert second.previous_interaction_id == first.id and second.id != first.id
    assert 'You said: "And now?"' in text_of(second)
    assert "saw 3 turns of context" in text_of(second)
    assert "System instruction" not in text_of(second)
    third = client.interactions.create(model=MODEL, input="Again", previous_interaction_id=second.id,
                                       system_instruction="Be brief.")
    assert 'System instruction: "Be brief."' in text_of(third) and "pirate" not in text_of(third)
    assert "saw 5 turns of context" in text_of(third)


def test_chain_does_not_inherit_tools(client):
    first = client.interactions.create(model=MODEL, input="Weather in Paris?", tools=[WEATHER])
    assert first.status == "requires_action"
    [call] = [o for o in first.outputs if o.type == "function_call"]
    assert call.name == "get_weather" and isinstance(call.arguments["location"], str)
    # The answer to the call, without tools: the model uses the result.
    second = client.interactions.create(model=MODEL, previous_interaction_id=first.id, input=[
        {"type": "function_result", "name": "get_weather", "call_id": call.id, "result": "sunny"}])
    assert second.status == "completed"
    assert text_of(second) == 'Thanks. get_weather returned "sunny".'
    # A further turn without tools cannot call the function…
    third = client.interactions.create(model=MODEL, input="And tomorrow?", previous_interaction_id=second.id)
    assert third.status == "completed" and not [o for o in third.outputs if o.type == "function_call"]
    # …and with tools sent again it does.
    fourth = client.interactions.create(model=MODEL, input="And tomorrow?", previous_interaction_id=second.id,
                                        tools=[WEATHER])
    assert fourth.status == "requires_action"
    assert [o.name for o in fourth.outputs if o.type == "function_call"] == ["get_weather"]


def test_chain_does_not_inherit_the_generation_config(client):
    first = client.interactions.create(model=MODEL, input="Think a little",
                                       generation_config={"thinking_level": "low"})
    assert "with low thinking" in first.outputs[0].summary[0].text
    second = client.interactions.create(model=MODEL, input="Think again", previous_interaction_id=first.id)
    # The default level (high) applies again.
    assert "with high thinking" in second.outputs[0].summary[0].text


def test_chain_of_a_model_turn_after_a_deep_research_run(client):
    run = client.interactions.create(agent="deep-research-pro-preview-12-2025", input="Research TPUs.", background=True)
    with pytest.raises(gi.BadRequestError) as info:  # still in progress: cannot continue yet
        client.interactions.create(model=MODEL, input="Summarize", previous_interaction_id=run.id)
    assert "previous_interaction_id" in message(info.value)
    poll_until_done(client, run.id)
    follow = client.interactions.create(model=MODEL, input="Summarize", previous_interaction_id=run.id)
    assert follow.status == "completed" and "saw 3 turns of context" in text_of(follow)


# Stateless history and thought signatures.

def stateless_call(client, model=MODEL):
    history = [{"role": "user", "content": "Weather in Berlin?"}]
    first = client.interactions.create(model=model, input=history, tools=[WEATHER])
    assert first.status == "requires_action"
    call = next(o for o in first.outputs if o.type == "function_call")
    result = {"role": "user", "content": [{"type": "function_result", "call_id": call.id, "name": call.name, "result": "cloudy"}]}
    return history, first, call, result


def test_stateless_history_with_thoughts_is_accepted(client):
    history, first, call, result = stateless_call(client)
    assert [o.type for o in first.outputs] == ["thought", "function_call"]
    assert first.outputs[0].signature
    done = client.interactions.create(model=MODEL, input=history + [{"role": "model", "content": first.outputs}, result])
    assert done.status == "completed" and text_of(done) == 'Thanks. get_weather returned "cloudy".'


def test_tampered_thought_signature_is_rejected_naming_the_field(client):
    history, first, call, result = stateless_call(client)
    model_turn = [o.model_dump(exclude_none=True) for o in first.outputs]
    signature = model_turn[0]["signature"]
    model_turn[0]["signature"] = signature[:-4] + ("AAAA" if not signature.endswith("AAAA") else "BBBB")
    with pytest.raises(gi.BadRequestError) as info:
        client.interactions.create(model=MODEL, input=history + [{"role": "model", "content": model_turn}, result])
    assert info.value.status_code == 400
    assert info.value.body["error"]["status"] == "INVALID_ARGUMENT"
    assert "input[1].content[0].signature" in message(info.value)


def test_signature_of_other_content_is_rejected(client):
    history, first, call, result = stateless_call(client)
    model_turn = [o.model_dump(exclude_none=True) for o in first.outputs]
    model_turn[1]["arguments"] = {"location": "Somewhere else entirely"}
    with pytest.raises(gi.BadRequestError) as info:
        client.interactions.create(model=MODEL, input=history + [{"role": "model", "content": model_turn}, result])
    assert "input[1].content[0].signature" in message(info.value)


def test_function_call_without_its_thought_is_rejected_on_gemini_3(client):
    history, first, call, result = stateless_call(client)
    stripped = [o for o in first.outputs if o.type != "thought"]
    with pytest.raises(gi.BadRequestError) as info:
        client.interactions.create(model=MODEL, input=history + [{"role": "model", "content": stripped}, result])
    assert "input[1].content[0]" in message(info.value)
    assert "thought_signature" in message(info.value)


def test_function_call_without_its_thought_is_accepted_on_gemini_2_5(client):
    history, first, call, result = stateless_call(client, model="gemini-2.5-flash")
    stripped = [o for o in first.outputs if o.type != "thought"]
    done = client.interactions.create(model="gemini-2.5-flash", input=history + [{"role": "model", "content": stripped}, result])
    assert done.status == "completed" and text_of(done) == 'Thanks. get_weather returned "cloudy".'


def test_function_result_with_a_wrong_call_id_is_rejected(client):
    first = client.interactions.create(model=MODEL, input="Weather?", tools=[WEATHER])
    call = next(o for o in first.outputs if o.type == "function_call")
    with pytest.raises(gi.BadRequestError) as info:
        client.interactions.create(model=MODEL, previous_interaction_id=first.id, input=[
            {"type": "function_result", "name": "get_weather", "call_id": "not-" + call.id, "result": "sunny"}])
    assert "input[0].call_id" in message(info.value) and call.id in message(info.value)
    # The right id still works afterwards.
    done = client.interactions.create(model=MODEL, previous_interaction_id=first.id, input=[
        {"type": "function_result", "name": "get_weather", "call_id": call.id, "result": "sunny"}])
    assert done.status == "completed"


def test_function_result_that_answers_no_call_is_rejected(client):
    first = client.interactions.create(model=MODEL, input="Hello")
    with pytest.raises(gi.BadRequestError) as info:
        client.interactions.create(model=MODEL, previous_interaction_id=first.id, input=[
            {"type": "function_result", "name": "get_weather", "call_id": "abc", "result": "sunny"}])
    assert "input[0]" in message(info.value)


# Storage.

def test_store_false_is_answered_but_not_kept(client):
    ephemeral = client.interactions.create(model=MODEL, input="Keep this quiet", store=False)
    assert ephemeral.status == "completed" and ephemeral.id
    assert 'You said: "Keep this quiet"' in text_of(ephemeral)
    with pytest.raises(gi.NotFoundError):
        client.interactions.get(ephemeral.id)
    with pytest.raises(gi.NotFoundError) as info:
        client.interactions.create(model=MODEL, input="next", previous_interaction_id=ephemeral.id)
    assert "previous_interaction_id" in message(info.value)
    with pytest.raises(gi.NotFoundError):
        client.interactions.delete(ephemeral.id)


def test_store_false_with_background_is_rejected(client):
    with pytest.raises(gi.BadRequestError) as info:
        client.interactions.create(model=MODEL, input="x", store=False, background=True)
    assert info.value.body["error"]["status"] == "INVALID_ARGUMENT"
    assert "store" in message(info.value) and "background" in message(info.value)


def test_delete_answers_an_empty_object_then_404(client):
    created = client.interactions.create(model=MODEL, input="forget me")
    assert client.interactions.delete(created.id) == {}
    with pytest.raises(gi.NotFoundError):
        client.interactions.get(created.id)
    with pytest.raises(gi.NotFoundError):
        client.interactions.delete(created.id)
    with pytest.raises(gi.NotFoundError):
        client.interactions.create(model=MODEL, input="x", previous_interaction_id=created.id)


def test_deleting_the_middle_of_a_chain_keeps_the_ends(client):
    first = client.interactions.create(model=MODEL, input="one")
    second = client.interactions.create(model=MODEL, input="two", previous_interaction_id=first.id)
    third = client.interactions.create(model=MODEL, input="three", previous_interaction_id=second.id)
    client.interactions.delete(second.id)
    assert client.interactions.get(first.id).status == "completed"
    assert client.interactions.get(third.id).previous_interaction_id == second.id


# Validation of the target.

def test_model_and_agent_together_are_rejected(client):
    with pytest.raises(gi.BadRequestError) as info:
        client.interactions.create(model=MODEL, agent="deep-research-pro-preview-12-2025", input="x", background=True)
    assert "model" in message(info.value) and "agent" in message(info.value)


def test_unknown_model_is_not_found(client):
    with pytest.raises(gi.NotFoundError) as info:
        client.interactions.create(model="gemini-0-nonexistent", input="x")
    assert info.value.status_code == 404
    assert "models/gemini-0-nonexistent" in message(info.value)
    assert info.value.body["error"]["status"] == "NOT_FOUND"


def test_unknown_agent_is_not_found(client):
    with pytest.raises(gi.NotFoundError) as info:
        client.interactions.create(agent="deep-research-nope", input="x", background=True)
    assert "deep-research-nope" in message(info.value)


def test_agent_without_background_is_rejected(client):
    with pytest.raises(gi.BadRequestError) as info:
        client.interactions.create(agent="deep-research-pro-preview-12-2025", input="x")
    assert "background" in message(info.value)


def test_unknown_interaction_is_not_found(client):
    with pytest.raises(gi.NotFoundError) as info:
        client.interactions.get("v1_doesNotExist")
    error = info.value.body["error"]
    assert info.value.status_code == 404 and error["code"] == 404 and error["status"] == "NOT_FOUND"


def test_errors_are_the_interactions_exception_classes(client):
    with pytest.raises(gi.APIStatusError) as info:
        client.interactions.create(model=MODEL, input="x", generation_config={"temperature": "hot"})
    assert type(info.value) is gi.BadRequestError
    assert info.value.response.headers["content-type"].startswith("application/json")
    assert "generation_config.temperature" in message(info.value)


def test_sdk_parses_every_kind_of_response_without_warnings(client):
    # strict_warnings turns any warning (pydantic, the SDK's own parsing) into an error.
    interaction = client.interactions.create(model=MODEL, input="hi", tools=[WEATHER])
    client.interactions.get(interaction.id)
    stream = list(client.interactions.create(model=MODEL, input="hi", stream=True))
    assert stream[-1].event_type == "interaction.complete"
    list(client.interactions.get(interaction.id, stream=True))
    bg = client.interactions.create(agent="deep-research-pro-preview-12-2025", input="TPUs", background=True)
    assert poll_until_done(client, bg.id).status == "completed"
    client.interactions.delete(bg.id)
    assert interaction.model_dump(exclude_none=True)["status"] == "requires_action"


def test_async_client(client):
    import asyncio

    async def run():
        # The async client is closed inside the loop that opened its connections; left to the garbage
        # collector, its sockets surface as unraisable ResourceWarnings in whichever test runs next.
        async with client.aio as session:
            aio = session.interactions
            first = await aio.create(model=MODEL, input="async hello")
            second = await aio.create(model=MODEL, input="async again", previous_interaction_id=first.id)
            events = [e async for e in await aio.create(model=MODEL, input="async stream", stream=True)]
            got = await aio.get(second.id)
            replay = [e async for e in await aio.get(events[0].interaction.id, stream=True, last_event_id="evt_0002")]
            deleted = await aio.delete(first.id)
            return first, second, events, got, replay, deleted

    first, second, events, got, replay, deleted = asyncio.run(run())
    assert "saw 3 turns of context" in text_of(second) and got.id == second.id
    assert events[-1].event_type == "interaction.complete"
    assert [e.event_id for e in replay] == [e.event_id for e in events[2:]]
    assert deleted == {}


def test_multi_round_stateless_history_names_the_turn_with_the_bad_signature(client):
    history = []
    for n in range(2):
        history.append({"role": "user", "content": f"Weather, round {n}?"})
        step = client.interactions.create(model=MODEL, input=history, tools=[WEATHER])
        assert step.status == "requires_action", n
        call = next(o for o in step.outputs if o.type == "function_call")
        history += [
            {"role": "model", "content": [o.model_dump(exclude_none=True) for o in step.outputs]},
            {"role": "user", "content": [{"type": "function_result", "call_id": call.id, "name": call.name, "result": f"round {n}"}]},
        ]
        answer = client.interactions.create(model=MODEL, input=history)
        assert answer.status == "completed" and f'"round {n}"' in text_of(answer)
        history.append({"role": "model", "content": [o.model_dump(exclude_none=True) for o in answer.outputs]})
    # user, model(call), user(result), model(answer), user, model(call), user(result), model(answer)
    assert [t["role"] for t in history] == ["user", "model", "user", "model"] * 2
    history.append({"role": "user", "content": "Thanks!"})
    assert "saw 9 turns of context" in text_of(client.interactions.create(model=MODEL, input=history))
    for turn in (1, 3, 5, 7):
        tampered = [dict(t) for t in history]
        content = [dict(c) for c in tampered[turn]["content"]]
        content[0]["signature"] = content[0]["signature"][::-1]
        tampered[turn]["content"] = content
        with pytest.raises(gi.BadRequestError) as info:
            client.interactions.create(model=MODEL, input=tampered)
        assert f"input[{turn}].content[0].signature" in message(info.value)
