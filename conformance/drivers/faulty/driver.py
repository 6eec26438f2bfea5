"""A deliberately faulty driver: the python-genai driver with three classic client bugs.

It exists to prove that the conformance checks can fail. Exactly these cases must fail:
  TOOLS-001, TOOLS-002  answers function calls with a wrong call_id
  STREAM-002            does not resume a broken stream (keeps what it got)
  RES-001               retries 429s at once, ignoring Retry-After (a retry storm)
Everything else behaves like the reference driver.
"""
from __future__ import annotations

import json
import os
import pathlib
import sys
import urllib.error
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "python-genai"))
import driver as reference  # noqa: E402


class FaultyDriver(reference.Driver):
    def call_id_for(self, call):
        return call.id + "-wrong"

    def resume(self, interaction_id, texts, events):
        pass  # bug: never resumes

    def action_create(self):
        if os.environ.get("UNDERSTUDY_CASE") != "RES-001":
            return super().action_create()
        # bug: a hand-written retry loop that ignores Retry-After and hammers the server
        url = os.environ["GOOGLE_GEMINI_BASE_URL"] + "/v1beta/interactions"
        body = json.dumps({"model": self.params["model"], "input": self.params["input"]}).encode()
        for _ in range(10):
            request = urllib.request.Request(url, data=body, method="POST", headers={
                "Content-Type": "application/json", "x-goog-api-key": os.environ["GEMINI_API_KEY"]})
            try:
                with urllib.request.urlopen(request) as response:
                    answer = json.loads(response.read())
                    self.report["text"] = "".join(o.get("text", "") for o in answer.get("outputs", []) if o.get("type") == "text")
                    return
            except urllib.error.HTTPError as e:
                if e.code != 429:
                    raise


def main() -> int:
    params = json.loads(os.environ.get("UNDERSTUDY_CASE_PARAMS", "{}"))
    report = FaultyDriver(params).run()
    with open(os.environ["UNDERSTUDY_REPORT"], "w") as f:
        json.dump(report, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
