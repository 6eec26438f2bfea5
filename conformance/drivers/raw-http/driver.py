"""A minimal conformance driver that speaks HTTP directly (standard library only).

It shows how little a client needs: a JSON POST with the key header, SSE parsing, error bodies.
It implements the actions create, chain, stream and reports "unsupported" for the rest.
"""
from __future__ import annotations

import http.client
import json
import os
import sys
import time
import urllib.parse

BASE = urllib.parse.urlsplit(os.environ["GOOGLE_GEMINI_BASE_URL"])
KEY = os.environ["GEMINI_API_KEY"]


class APIError(Exception):
    def __init__(self, status: int, body: dict):
        self.status, self.body = status, body
        super().__init__(body.get("error", {}).get("message", str(body)))


def post(path: str, body: dict, attempts: int = 4):
    """Returns the HTTP response (for streams) after checking the status. 429 and 5xx answers are
    retried up to `attempts` requests in all, waiting retry-after-ms / retry-after when given, else
    0.5 s, 1 s, 2 s."""
    for attempt in range(attempts):
        conn = http.client.HTTPConnection(BASE.hostname, BASE.port, timeout=30)
        conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json", "x-goog-api-key": KEY})
        response = conn.getresponse()
        if response.status < 400:
            return response
        error = APIError(response.status, json.loads(response.read() or b"{}"))
        retryable = response.status == 429 or response.status >= 500
        if response.getheader("x-should-retry") in ("true", "false"):
            retryable = response.getheader("x-should-retry") == "true"
        if not retryable or attempt == attempts - 1:
            raise error
        delay = 0.5 * 2 ** attempt
        if response.getheader("retry-after-ms"):
            delay = float(response.getheader("retry-after-ms")) / 1000
        elif response.getheader("retry-after"):
            delay = float(response.getheader("retry-after"))
        time.sleep(min(delay, 60))
    raise AssertionError("unreachable")


def create(body: dict) -> dict:
    return json.loads(post("/v1beta/interactions", body).read())


def text_of(interaction: dict) -> str:
    return "".join(o.get("text", "") for o in interaction.get("outputs", []) if o.get("type") == "text")


def sse_events(response):
    """Yields the JSON payload of each event: blank-line separated blocks, data: lines joined."""
    data = []
    for raw in response:
        line = raw.decode("utf-8").rstrip("\r\n")
        if not line:
            if data:
                yield json.loads("\n".join(data))
                data = []
        elif line.startswith("data:"):
            data.append(line[5:].lstrip())
    if data:
        yield json.loads("\n".join(data))


def run(params: dict) -> dict:
    report = {"status": "ok", "interaction_ids": []}
    action = params.get("action")
    try:
        if action == "create":
            answer = create({"model": params["model"], "input": params["input"]})
            report["interaction_ids"].append(answer["id"])
            report["text"] = text_of(answer)
        elif action == "chain":
            previous = None
            for prompt in params["inputs"]:
                body = {"model": params["model"], "input": prompt}
                if previous:
                    body["previous_interaction_id"] = previous["id"]
                previous = create(body)
                report["interaction_ids"].append(previous["id"])
            report["text"] = text_of(previous)
        elif action == "stream":
            texts, events = [], []
            response = post("/v1beta/interactions", {"model": params["model"], "input": params["input"], "stream": True})
            for event in sse_events(response):
                kind = event.get("event_type")
                events.append(kind)
                if kind == "content.delta" and event.get("delta", {}).get("type") == "text":
                    texts.append(event["delta"]["text"])
            report["text"], report["events"] = "".join(texts), events
        else:
            return {"status": "unsupported", "notes": f"the raw HTTP driver does not implement {action!r}"}
    except APIError as e:
        report["error"] = {"status_code": e.status, "message": str(e)}
        if not params.get("expect_error"):
            report["status"] = "error"
    return report


if __name__ == "__main__":
    result = run(json.loads(os.environ.get("UNDERSTUDY_CASE_PARAMS", "{}")))
    with open(os.environ["UNDERSTUDY_REPORT"], "w") as f:
        json.dump(result, f)
