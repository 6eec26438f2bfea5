"""Helpers for raw SSE bodies: strict framing checks and rebuilding outputs from deltas."""
from __future__ import annotations

import json


def parse_sse(payload: bytes) -> list[dict]:
    """Checks the framing of a whole SSE body and returns the event payloads."""
    text = payload.decode("utf-8")
    assert text.endswith("\n\n") and "\r" not in text
    blocks = text[:-2].split("\n\n")
    events = []
    for block in blocks:
        lines = block.split("\n")
        data = [l for l in lines if l.startswith("data:")]
        assert len(data) == 1, block
        assert not [l for l in lines if l.startswith(("id:", ":", "retry:"))], block
        assert all(l.startswith(("event: ", "data: ")) for l in lines), block
        raw = data[0][len("data: "):]
        event = json.loads(raw)
        assert json.dumps(event, separators=(",", ":"), sort_keys=True, ensure_ascii=False) == raw, "not compact JSON"
        assert event["event_id"] and event["event_type"]
        events.append(event)
        named = [l[len("event: "):] for l in lines if l.startswith("event: ")]
        assert named in ([], [event["event_type"]])
    return events


def rebuild(events: list[dict]) -> list[dict]:
    blocks: dict[int, dict] = {}
    for e in events:
        if e["event_type"] == "content.start":
            blocks[e["index"]] = dict(e["content"])
        elif e["event_type"] == "content.delta":
            b, d = blocks[e["index"]], dict(e["delta"])
            kind = d.pop("type")
            if kind == "text":
                b["text"] = b.get("text", "") + d["text"]
                if "annotations" in d:
                    b["annotations"] = d["annotations"]
            elif kind == "thought_summary":
                b.setdefault("summary", []).append(d["content"])
            elif kind == "thought_signature":
                b["signature"] = d["signature"]
            else:
                assert kind == b["type"]
                b.update(d)
    return [blocks[i] for i in sorted(blocks)]
