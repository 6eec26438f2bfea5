"""Conformance driver for the official Python SDK (google-genai).

Reads the case from the environment (UNDERSTUDY_CASE, UNDERSTUDY_CASE_PARAMS), does what the case's
`action` asks with the SDK configured only by GOOGLE_GEMINI_BASE_URL and GEMINI_API_KEY, and writes its
report to UNDERSTUDY_REPORT. See conformance/README.md for the protocol.
"""
from __future__ import annotations

import json
import os
import sys
import time
import warnings

warnings.filterwarnings("ignore", message="Interactions usage is experimental")

from google import genai  # noqa: E402
from google.genai import _interactions  # noqa: E402

TERMINAL = {"completed", "failed", "cancelled", "requires_action", "incomplete"}


def text_of(interaction) -> str:
    return "".join(o.text for o in (interaction.outputs or []) if getattr(o, "type", None) == "text" and getattr(o, "text", None))


class Driver:
    def __init__(self, params: dict):
        self.params = params
        self.client = genai.Client()
        self.report: dict = {"status": "ok", "interaction_ids": []}

    def create(self, **kwargs):
        interaction = self.client.interactions.create(model=self.params["model"], **kwargs)
        self.report["interaction_ids"].append(interaction.id)
        return interaction

    # Actions ------------------------------------------------------------------------------------

    def action_create(self):
        interaction = self.create(input=self.params["input"])
        self.report["text"] = text_of(interaction)

    def action_chain(self):
        previous = None
        for prompt in self.params["inputs"]:
            kwargs = {"input": prompt}
            if previous is not None:
                kwargs["previous_interaction_id"] = previous.id
            previous = self.create(**kwargs)
        self.report["text"] = text_of(previous)

    def action_stateless(self):
        history = []
        interaction = None
        for prompt in self.params["inputs"]:
            history.append({"role": "user", "content": prompt})
            interaction = self.create(input=history)
            history.append({"role": "model", "content": interaction.outputs})
        self.report["text"] = text_of(interaction)

    def action_store_false(self):
        history = []
        interaction = None
        for prompt in self.params["inputs"]:
            history.append({"role": "user", "content": prompt})
            interaction = self.create(input=history, store=False)
            history.append({"role": "model", "content": interaction.outputs})
        self.report["text"] = text_of(interaction)

    def function_results(self, calls):
        results = self.params.get("results", {})
        return [{"type": "function_result", "name": c.name, "call_id": self.call_id_for(c), "result": results.get(c.name, "ok")} for c in calls]

    def call_id_for(self, call):
        return call.id

    def action_function_calling(self):
        tools = self.params["tools"]
        interaction = self.create(input=self.params["input"], tools=tools)
        while interaction.status == "requires_action":
            calls = [o for o in interaction.outputs if o.type == "function_call"]
            interaction = self.create(previous_interaction_id=interaction.id, input=self.function_results(calls), tools=tools)
        self.report["text"] = text_of(interaction)

    def consume(self, stream, texts, events):
        interaction_id = None
        for event in stream:
            events.append(event.event_type)
            self.last_event_id = getattr(event, "event_id", None) or self.last_event_id
            if event.event_type == "interaction.start":
                interaction_id = event.interaction.id
            elif event.event_type == "content.delta" and getattr(event.delta, "type", None) == "text":
                texts.append(event.delta.text)
        return interaction_id

    def action_stream(self):
        texts, events = [], []
        self.last_event_id = None
        interaction_id = self.consume(self.client.interactions.create(model=self.params["model"], input=self.params["input"], stream=True), texts, events)
        self.report["interaction_ids"].append(interaction_id)
        self.report["text"] = "".join(texts)
        self.report["events"] = events

    def resume(self, interaction_id, texts, events):
        self.consume(self.client.interactions.get(interaction_id, stream=True, last_event_id=self.last_event_id), texts, events)

    def action_stream_resume(self):
        texts, events = [], []
        self.last_event_id = None
        interaction_id = None
        try:
            stream = self.client.interactions.create(model=self.params["model"], input=self.params["input"], stream=True)
            for event in stream:
                events.append(event.event_type)
                self.last_event_id = event.event_id or self.last_event_id
                if event.event_type == "interaction.start":
                    interaction_id = event.interaction.id
                elif event.event_type == "content.delta" and getattr(event.delta, "type", None) == "text":
                    texts.append(event.delta.text)
        except Exception as e:  # the connection broke: resume where we were
            self.report["notes"] = f"stream broke after {self.last_event_id}: {type(e).__name__}"
            self.resume(interaction_id, texts, events)
        self.report["interaction_ids"].append(interaction_id)
        self.report["text"] = "".join(texts)
        self.report["events"] = events

    def action_background_poll(self):
        created = self.create(input=self.params["input"], background=True)
        interval = float(self.params.get("poll_interval", 1))
        while True:
            interaction = self.client.interactions.get(created.id)
            if interaction.status in TERMINAL:
                break
            time.sleep(interval)
        self.report["text"] = text_of(interaction)
        self.report["final_status"] = interaction.status

    def action_background_cancel(self):
        created = self.create(input=self.params["input"], background=True)
        self.client.interactions.get(created.id)
        cancelled = self.client.interactions.cancel(created.id)
        self.report["final_status"] = cancelled.status

    # Running ------------------------------------------------------------------------------------

    def run(self):
        action = self.params.get("action")
        handler = getattr(self, f"action_{action}", None)
        if handler is None:
            return {"status": "unsupported", "notes": f"no handler for action {action!r}"}
        try:
            handler()
        except _interactions.APIStatusError as e:
            self.report["error"] = {"status_code": e.status_code, "message": str(e)}
            if not self.params.get("expect_error"):
                self.report["status"] = "error"
        return self.report


def main() -> int:
    params = json.loads(os.environ.get("UNDERSTUDY_CASE_PARAMS", "{}"))
    report = Driver(params).run()
    with open(os.environ["UNDERSTUDY_REPORT"], "w") as f:
        json.dump(report, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
