"""Thinking through the official SDK: thought blocks, summaries per thinking_level and
thinking_summaries, signatures, reasoning-token usage."""
from __future__ import annotations

import pytest

MODEL = "gemini-3-flash-preview"

pytestmark = pytest.mark.usefixtures("strict_warnings")


def reasoning_tokens(usage) -> int:
    # SDK 1.55 names it total_reasoning_tokens, SDK >= 1.58 total_thought_tokens; the server sends both.
    dumped = usage.model_dump()
    value = dumped.get("total_thought_tokens") or dumped.get("total_reasoning_tokens")
    if value is None:
        value = (usage.model_extra or {}).get("total_reasoning_tokens")
    return value or 0


@pytest.mark.parametrize("level", ["minimal", "low", "medium", "high"])
@pytest.mark.parametrize("summaries", [None, "auto", "none"])
def test_thinking_levels_and_summaries(client, level, summaries):
    config = {"thinking_level": level}
    if summaries:
        config["thinking_summaries"] = summaries
    interaction = client.interactions.create(model=MODEL, input="What is 15% of 240?", generation_config=config)
    thought, text = interaction.outputs
    assert thought.type == "thought" and text.type == "text"
    assert thought.signature  # always present
    if summaries == "none" or level == "minimal":
        assert not thought.summary
    else:
        [summary] = thought.summary
        assert summary.type == "text" and f"with {level} thinking" in summary.text
    assert reasoning_tokens(interaction.usage) > 0


def test_thinking_by_default_on_thinking_models(client):
    for model in ["gemini-3-flash-preview", "gemini-3-pro-preview", "gemini-2.5-flash", "gemini-2.5-pro"]:
        interaction = client.interactions.create(model=model, input="hello")
        assert interaction.outputs[0].type == "thought" and interaction.outputs[0].signature, model
        assert reasoning_tokens(interaction.usage) > 0, model


def test_no_thinking_on_flash_lite_by_default(client):
    interaction = client.interactions.create(model="gemini-2.5-flash-lite", input="hello")
    assert [o.type for o in interaction.outputs] == ["text"]
    assert reasoning_tokens(interaction.usage) == 0


def test_usage_adds_up(client):
    interaction = client.interactions.create(model=MODEL, input="Count my tokens",
                                             generation_config={"thinking_level": "high"})
    u = interaction.usage
    assert u.total_tokens == u.total_input_tokens + u.total_output_tokens + reasoning_tokens(u) + (u.total_tool_use_tokens or 0)


def test_streamed_thought_carries_summary_and_signature(client):
    events = list(client.interactions.create(model=MODEL, input="Think out loud", stream=True,
                                             generation_config={"thinking_summaries": "auto"}))
    deltas = [e.delta for e in events if e.event_type == "content.delta" and e.index == 0]
    assert [d.type for d in deltas] == ["thought_summary", "thought_signature"]
    final = events[-1].interaction.outputs[0]
    assert deltas[0].content.text == final.summary[0].text
    assert deltas[1].signature == final.signature


def test_signatures_are_deterministic_per_content(client):
    a = client.interactions.create(model=MODEL, input="same question")
    b = client.interactions.create(model=MODEL, input="other question")
    assert a.outputs[0].signature != b.outputs[0].signature
