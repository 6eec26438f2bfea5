"""The smallest end-to-end check: the guide's first example, unmodified, against a private server."""


def test_first_example_prints_the_default_reply(run_example, understudy, api_key):
    proc = run_example("text_prompt.py")
    assert 'You said: "Tell me a short joke about programming."' in proc.stdout
    # The request arrived with the SDK's own headers and was journaled under the test's key.
    [entry] = understudy.journal(api_key, route="interactions.create")
    assert entry["status"] == 200
    assert entry["body"] == {"model": "gemini-3-flash-preview", "input": "Tell me a short joke about programming."}
