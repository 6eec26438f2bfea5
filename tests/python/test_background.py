"""Background runs, cancellation and retention through the official SDK (default timelines, the
tenant's simulated clock moved through the admin API)."""
from __future__ import annotations

import pytest

from google.genai import _interactions as gi

MODEL = "gemini-3-flash-preview"
AGENT = "deep-research-pro-preview-12-2025"

pytestmark = pytest.mark.usefixtures("strict_warnings")


def test_background_model_run_completes_on_the_first_poll(client):
    created = client.interactions.create(model=MODEL, input="Take your time", background=True)
    assert created.status == "in_progress" and not created.outputs
    done = client.interactions.get(created.id)
    assert done.status == "completed" and 'You said: "Take your time"' in done.outputs[-1].text
    assert done.usage.total_tokens > 0


def test_deep_research_completes_on_the_second_poll(client):
    created = client.interactions.create(agent=AGENT, input="Research TPUs.", background=True)
    assert created.status == "in_progress" and created.agent == AGENT and created.model is None
    assert [client.interactions.get(created.id).status for _ in range(3)] == ["in_progress", "completed", "completed"]
    final = client.interactions.get(created.id)
    assert final.outputs[-1].type == "text" and final.outputs[-1].text


def test_background_run_finishes_when_the_clock_moves(understudy, api_key, client):
    created = client.interactions.create(agent=AGENT, input="Research TPUs.", background=True)
    understudy.advance(api_key, "1m")
    assert client.interactions.get(created.id).status == "completed"


def test_cancel_a_running_background_interaction(client):
    created = client.interactions.create(agent=AGENT, input="Research TPUs.", background=True)
    cancelled = client.interactions.cancel(created.id)
    assert cancelled.status == "cancelled" and cancelled.id == created.id
    # It stays cancelled: polls do not finish it.
    assert [client.interactions.get(created.id).status for _ in range(3)] == ["cancelled"] * 3
    events = list(client.interactions.get(created.id, stream=True))
    assert events[-2].status == "cancelled" and events[-1].interaction.status == "cancelled"
    with pytest.raises(gi.BadRequestError) as info:
        client.interactions.cancel(created.id)
    assert info.value.body["error"]["status"] == "FAILED_PRECONDITION"


def test_cancel_of_a_finished_interaction_is_rejected(client):
    created = client.interactions.create(model=MODEL, input="x", background=True)
    assert client.interactions.get(created.id).status == "completed"
    with pytest.raises(gi.BadRequestError) as info:
        client.interactions.cancel(created.id)
    assert "completed" in info.value.body["error"]["message"]
    assert client.interactions.get(created.id).status == "completed"


def test_cancel_of_a_synchronous_interaction_is_rejected(client):
    created = client.interactions.create(model=MODEL, input="x")
    with pytest.raises(gi.BadRequestError):
        client.interactions.cancel(created.id)


def test_cancel_of_an_unknown_interaction_is_not_found(client):
    with pytest.raises(gi.NotFoundError):
        client.interactions.cancel("v1_unknown")


def test_cancelled_interaction_can_start_a_chain(client):
    created = client.interactions.create(agent=AGENT, input="Research TPUs.", background=True)
    client.interactions.cancel(created.id)
    follow = client.interactions.create(model=MODEL, input="Never mind", previous_interaction_id=created.id)
    assert follow.status == "completed"


def test_paid_retention_is_55_days(understudy, api_key, client):
    first = client.interactions.create(model=MODEL, input="remember")
    understudy.advance(api_key, "54d")
    assert client.interactions.get(first.id).status == "completed"
    understudy.advance(api_key, "1d")
    with pytest.raises(gi.NotFoundError):
        client.interactions.get(first.id)
    with pytest.raises(gi.NotFoundError) as info:
        client.interactions.create(model=MODEL, input="again", previous_interaction_id=first.id)
    assert "previous_interaction_id" in info.value.body["error"]["message"]
    assert understudy.admin("GET", "interactions", tenant=api_key)["interaction_ids"] == []


def test_free_tier_retention_is_one_day(understudy, api_key, client):
    understudy.admin("POST", f"tenants/{api_key}/tier", {"tier": "free"})
    first = client.interactions.create(model=MODEL, input="remember briefly")
    understudy.advance(api_key, "23h")
    assert client.interactions.get(first.id).status == "completed"
    understudy.advance(api_key, "1h")
    with pytest.raises(gi.NotFoundError):
        client.interactions.get(first.id)
    with pytest.raises(gi.NotFoundError):
        client.interactions.create(model=MODEL, input="again", previous_interaction_id=first.id)


def test_retention_counts_per_interaction(understudy, api_key, client):
    old = client.interactions.create(model=MODEL, input="old")
    understudy.advance(api_key, "30d")
    new = client.interactions.create(model=MODEL, input="new", previous_interaction_id=old.id)
    understudy.advance(api_key, "26d")
    with pytest.raises(gi.NotFoundError):
        client.interactions.get(old.id)
    # The newer interaction is still there, and can still be continued.
    assert client.interactions.get(new.id).status == "completed"
    assert client.interactions.create(model=MODEL, input="newer", previous_interaction_id=new.id).status == "completed"


def test_tenants_have_their_own_clocks(understudy, api_key, client):
    mine = client.interactions.create(model=MODEL, input="mine")
    understudy.advance(api_key + "-other", "60d")
    assert client.interactions.get(mine.id).status == "completed"
