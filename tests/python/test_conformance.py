"""The conformance runner, run on its reference drivers, and server mode run on Understudy.

The faulty driver proves the checks can fail: exactly the cases it breaks must fail.
"""
from __future__ import annotations

import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import time

import pytest

from conftest import BIN, ROOT, start_server, stop_server

DRIVERS = ROOT / "conformance" / "drivers"
ALL_CASES = {"CORE-001", "CORE-002", "CORE-003", "CORE-004", "CORE-005", "TOOLS-001", "TOOLS-002", "STREAM-001",
             "STREAM-002", "BG-001", "BG-002", "RES-001", "RES-002", "RES-003", "FWD-001", "FWD-002"}


def conform(tmp_path, driver: str, *extra: str):
    report = tmp_path / "report.json"
    junit = tmp_path / "report.xml"
    proc = subprocess.run(
        [BIN, "conform", "--client", f"{sys.executable} {DRIVERS / driver / 'driver.py'}", "--suite", str(ROOT / "conformance" / "suite"),
         "--json", str(report), "--junit", str(junit), *extra],
        capture_output=True, text=True, timeout=600, cwd=ROOT)
    outcomes = {c["id"]: c["outcome"] for c in json.loads(report.read_text())["cases"]} if report.exists() else {}
    return proc, outcomes, report, junit


def test_the_official_sdk_passes_every_case(tmp_path):
    proc, outcomes, _, junit = conform(tmp_path, "python-genai")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert set(outcomes) == ALL_CASES
    assert set(outcomes.values()) == {"passed"}, outcomes
    assert 'failures="0"' in junit.read_text()


def test_the_raw_http_driver_passes_its_subset_and_skips_the_rest(tmp_path):
    proc, outcomes, _, _ = conform(tmp_path, "raw-http")
    assert proc.returncode == 0, proc.stdout
    skipped = {k for k, v in outcomes.items() if v == "skipped"}
    passed = {k for k, v in outcomes.items() if v == "passed"}
    assert passed == {"CORE-001", "CORE-002", "CORE-005", "STREAM-001", "RES-001", "RES-002", "RES-003", "FWD-001", "FWD-002"}
    assert skipped == ALL_CASES - passed


FAULTY_BREAKS = {"TOOLS-001", "TOOLS-002", "STREAM-002", "RES-001"}


def test_the_faulty_driver_fails_exactly_the_cases_it_breaks(tmp_path):
    proc, outcomes, report, _ = conform(tmp_path, "faulty")
    assert proc.returncode == 1
    failed = {k for k, v in outcomes.items() if v == "failed"}
    assert failed == FAULTY_BREAKS
    assert all(v == "passed" for k, v in outcomes.items() if k not in FAULTY_BREAKS)
    # Each failure says what was expected, which requests broke it, and how to fix it.
    cases = {c["id"]: c for c in json.loads(report.read_text())["cases"]}
    resumed = next(c for c in cases["STREAM-002"]["checks"] if c["id"] == "STREAM-002.resumed")
    assert resumed["outcome"] == "failed" and "last_event_id" in resumed["hint"]
    waited = next(c for c in cases["RES-001"]["checks"] if c["id"] == "RES-001.waited")
    assert "retry-after" in waited["message"] and waited["requests"][0].startswith("#1 POST /v1beta/interactions")


def test_expected_failures_pin_known_gaps_and_report_stale_entries(tmp_path):
    listed = DRIVERS / "faulty" / "expected-failures.yaml"
    proc, outcomes, _, _ = conform(tmp_path, "faulty", "--expected-failures", str(listed))
    assert proc.returncode == 0, proc.stdout
    assert {k for k, v in outcomes.items() if v == "expected-failure"} == FAULTY_BREAKS

    fewer = tmp_path / "fewer.yaml"
    fewer.write_text(listed.read_text().replace("  - id: TOOLS-002\n    reason: answers function calls with a wrong call_id\n", ""))
    proc, outcomes, _, _ = conform(tmp_path, "faulty", "--expected-failures", str(fewer))
    assert proc.returncode == 1 and outcomes["TOOLS-002"] == "failed"

    more = tmp_path / "more.yaml"
    more.write_text(listed.read_text() + "  - id: CORE-001\n    reason: no longer true\n")
    proc, outcomes, _, _ = conform(tmp_path, "faulty", "--expected-failures", str(more))
    assert proc.returncode == 1 and outcomes["CORE-001"] == "stale"
    assert "stale entry" in proc.stdout


def test_only_selects_cases_by_glob_or_level(tmp_path):
    proc, outcomes, _, _ = conform(tmp_path, "python-genai", "--only", "STREAM-*")
    assert set(outcomes) == {"STREAM-001", "STREAM-002"}
    proc, outcomes, _, _ = conform(tmp_path, "python-genai", "--only", "background")
    assert set(outcomes) == {"BG-001", "BG-002"}


@pytest.fixture(scope="module")
def target_server():
    server = start_server()
    yield server
    stop_server(server)


def test_server_mode_passes_against_understudy(target_server, tmp_path):
    report = tmp_path / "server.json"
    proc = subprocess.run([BIN, "conform-server", "--base-url", target_server.base_url, "--api-key", "conform-server",
                           "--json", str(report)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    checks = json.loads(report.read_text())["checks"]
    assert len(checks) >= 15 and all(c["passed"] for c in checks)


def test_server_mode_catches_a_framing_fault(tmp_path):
    server = start_server("--sse-id-lines")
    try:
        proc = subprocess.run([BIN, "conform-server", "--base-url", server.base_url, "--api-key", "k"], capture_output=True, text=True, timeout=300)
    finally:
        stop_server(server)
    assert proc.returncode == 1
    assert "SRV-008.framing" in proc.stdout and "id:" in proc.stdout


# --- The runner's own contract: timeouts, selection, expected-failures files, reports, messages. ------------


def run_conform(*args: str, cwd=None, timeout=300):
    """The binary with exactly these arguments (no defaults added); returns the CompletedProcess."""
    return subprocess.run([BIN, "conform", *args], capture_output=True, text=True, timeout=timeout, cwd=cwd or ROOT)


def proc_state(pid: int):
    """The state letter of a process (R, S, Z, …), or None when there is no such process."""
    try:
        stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return stat[stat.rindex(")") + 2:].split()[0]


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes whose process group is pgid."""
    members = []
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue
        rest = fields[fields.rindex(")") + 2:].split()
        if int(rest[2]) == pgid and rest[0] not in ("Z", "X"):
            members.append(int(entry.name))
    return members


def assert_gone(pids, pgid, within=5.0):
    """Every pid and every member of the group has ended (zombies awaiting their reaper count as ended)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        alive = [p for p in pids if proc_state(p) not in (None, "Z", "X")] + group_members(pgid)
        if not alive:
            return
        time.sleep(0.1)
    raise AssertionError(f"still running after the runner ended: {sorted(set(alive))} (group {pgid})")


def sleeping_driver(tmp_path, ignore_term: bool = False) -> tuple[str, pathlib.Path]:
    """A driver that starts a child in its group, records pid, child pid and group, and sleeps ~forever."""
    pids = tmp_path / "pids"
    script = tmp_path / "sleeper.sh"
    script.write_text(
        ("trap '' TERM\n" if ignore_term else "")
        + "sleep 1000 &\n"
        + f"echo \"$$ $! $(cut -d' ' -f5 /proc/$$/stat)\" > {pids}.tmp && mv {pids}.tmp {pids}\n"
        + "sleep 1000\n")
    return f"sh {script}", pids


def read_pids(pids: pathlib.Path):
    driver, child, pgid = (int(x) for x in pids.read_text().split())
    return driver, child, pgid


@pytest.mark.parametrize("ignore_term", [False, True], ids=["sigterm", "sigkill-after-grace"])
def test_the_timeout_kills_the_drivers_whole_process_group(tmp_path, ignore_term):
    command, pids = sleeping_driver(tmp_path, ignore_term)
    report = tmp_path / "r.json"
    started = time.monotonic()
    proc = run_conform("--client", command, "--only", "CORE-001", "--timeout", "2", "--json", str(report), timeout=120)
    elapsed = time.monotonic() - started
    assert proc.returncode == 1, proc.stdout + proc.stderr
    (case,) = json.loads(report.read_text())["cases"]
    assert case["outcome"] == "failed"
    assert "did not finish within 2 s and was killed" in case["note"]
    assert "did not finish within 2 s and was killed" in proc.stdout
    # The driver sleeps 1000 s; the run ends after the timeout (+ the 2 s grace when SIGTERM is ignored).
    assert elapsed < 30, f"the run took {elapsed:.1f} s"
    driver, child, pgid = read_pids(pids)
    assert pgid not in (os.getpgrp(), proc.returncode)  # the driver ran in a process group of its own
    assert_gone([driver, child], pgid)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_an_interrupted_runner_ends_the_running_driver(tmp_path, sig):
    command, pids = sleeping_driver(tmp_path)
    runner = subprocess.Popen([BIN, "conform", "--client", command, "--only", "CORE-001", "--timeout", "300"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while not pids.exists():
            assert time.monotonic() < deadline and runner.poll() is None, "the driver never started"
            time.sleep(0.1)
        driver, child, pgid = read_pids(pids)
        runner.send_signal(sig)
        runner.wait(timeout=20)
    finally:
        if runner.poll() is None:
            runner.kill()
    assert runner.returncode == 128 + sig
    assert_gone([driver, child], pgid)


def test_only_matching_no_case_is_an_error_listing_what_exists(tmp_path):
    report = tmp_path / "r.json"
    proc = run_conform("--client", "true", "--only", "NOPE-*", "--json", str(report))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "NOPE-*" in proc.stderr and "matches no case" in proc.stderr
    assert "CORE-001" in proc.stderr and "STREAM-002" in proc.stderr and "resilience" in proc.stderr
    assert "OK" not in proc.stdout and not report.exists()


def test_an_expected_failures_file_with_unknown_ids_or_keys_is_rejected(tmp_path):
    listed = tmp_path / "xfail.yaml"
    listed.write_text("expected_failures:\n"
                      "  - id: RES-0001.waited\n"
                      "    reason: typo id\n"
                      "  - idd: STREAM-002\n"
                      "  - id: CORE-001.nothing\n"
                      "  - NOPE-009\n")
    proc = run_conform("--client", "true", "--expected-failures", str(listed))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    err = proc.stderr
    assert f"{listed}:2: 'RES-0001.waited' is not a case or check of the suite; did you mean 'RES-001.waited'?" in err
    assert f"{listed}:4: unknown key 'idd'" in err and "did you mean 'id'?" in err
    assert f"{listed}:5: 'CORE-001.nothing'" in err and "CORE-001.driver-ok" in err
    assert f"{listed}:6: 'NOPE-009'" in err
    assert "CORE-001" not in proc.stdout  # nothing ran

    wrong_top = tmp_path / "top.yaml"
    wrong_top.write_text("expected_failure:\n  - id: STREAM-002\n")
    proc = run_conform("--client", "true", "--expected-failures", str(wrong_top))
    assert proc.returncode == 2 and "unknown key 'expected_failure'" in proc.stderr and "expected_failures" in proc.stderr


ENGLISH_SECTIONS = {
    "Basic interactions", "Stateful conversation", "Stateless conversation", "Thought summaries",
    "Data storage and retention", "Limitations", "Breaking changes", "Breaking changes (schemas may change)",
    "Function calling", "Streaming", "Agents", "Agents (polling loop)", "API reference, errors",
    "API reference, rate limits", "API reference, interactions.cancel", "Deep Research guide, reconnecting",
}


def test_guide_labels_are_the_english_guide_section_titles(tmp_path):
    labels = []
    for path in sorted((ROOT / "conformance" / "suite").glob("*.yaml")):
        labels += re.findall(r'^\s+guide: "(.*?) — https://', path.read_text(), re.M)
    assert len(labels) == len(ALL_CASES)
    for label in labels:
        for part in label.split("; "):
            assert part in ENGLISH_SECTIONS, f"guide label {label!r}: {part!r} is not an English guide section"
    readme = (ROOT / "conformance" / "README.md").read_text()
    for german in ("Einfache", "Funktionsaufrufe", "Zustands", "Beschränkungen", "Wichtige Änderungen", "Datenspeicherung"):
        assert german not in readme
    proc, outcomes, report, _ = conform(tmp_path, "raw-http", "--only", "CORE-*")
    guides = [c["guide"] for c in json.loads(report.read_text())["cases"]]
    assert guides and all(g.split(" — ")[0].split("; ")[0] in ENGLISH_SECTIONS for g in guides)


def unpaced_driver(tmp_path) -> str:
    """The SDK driver without sleeps between polls (a SHOULD finding in BG-001)."""
    script = tmp_path / "unpaced.py"
    script.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(DRIVERS / 'python-genai')!r})\n"
        "import driver\n"
        "driver.time.sleep = lambda seconds: None\n"
        "sys.exit(driver.main())\n")
    return f"{sys.executable} {script}"


def test_strict_makes_a_should_finding_read_as_a_failure(tmp_path):
    report = tmp_path / "r.json"
    proc = run_conform("--client", unpaced_driver(tmp_path), "--only", "BG-001", "--json", str(report))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(report.read_text())["cases"][0]["outcome"] == "warned"
    assert "1 warned — OK" in proc.stdout

    proc = run_conform("--client", unpaced_driver(tmp_path), "--only", "BG-001", "--strict", "--json", str(report))
    assert proc.returncode == 1
    (case,) = json.loads(report.read_text())["cases"]
    assert case["outcome"] == "failed"
    assert "--strict" in case["note"] and "BG-001.paced" in case["note"]
    assert re.search(r"^BG-001\s+background\s+failed", proc.stdout, re.M)
    assert "BG-001 FAILED" in proc.stdout and "1 failed — FAILED (failed: BG-001 (--strict" in proc.stdout


def test_the_pacing_finding_names_the_parameter_to_sleep(tmp_path):
    report = tmp_path / "r.json"
    run_conform("--client", unpaced_driver(tmp_path), "--only", "BG-001", "--json", str(report))
    paced = next(c for c in json.loads(report.read_text())["cases"][0]["checks"] if c["id"] == "BG-001.paced")
    assert "poll_interval" in paced["hint"] and "ms apart" in paced["message"]
    assert len(paced["requests"]) == 2  # the two polls that came too close


def test_failure_messages_of_the_faulty_driver_say_what_where_and_how(tmp_path):
    (tmp_path / "tools").mkdir()
    (tmp_path / "res").mkdir()
    _, _, report, _ = conform(tmp_path / "tools", "faulty", "--only", "TOOLS-001")
    _, _, report2, _ = conform(tmp_path / "res", "faulty", "--only", "RES-001")
    tools = json.loads(report.read_text())["cases"][0]
    checks = {c["id"]: c for c in tools["checks"]}
    # A knock-on failure points at its cause instead of giving an unrelated (streaming) hint.
    text = checks["TOOLS-001.text"]
    assert text["outcome"] == "failed" and "content.delta" not in text.get("hint", "")
    assert "follows from TOOLS-001.call-id" in text["message"] and "TOOLS-001.call-id" in text["hint"]
    assert "call_id" in checks["TOOLS-001.call-id"]["hint"]
    # RES-001: the header the server sent, and the tolerance, stated apart.
    res = json.loads(report2.read_text())["cases"][0]
    waited = next(c for c in res["checks"] if c["id"] == "RES-001.waited")
    assert "retry-after: 1" in waited["message"] and "1000 ms" in waited["message"]
    assert "from 900 ms on" in waited["message"] and "100 ms tolerance" in waited["message"]
    assert "900 ms (retry-after)" not in waited["message"]


def test_driver_notes_are_shown_as_the_drivers_not_as_a_hint(tmp_path):
    script = tmp_path / "noted.sh"
    script.write_text("""printf '%s' '{"status": "error", "notes": "Traceback (most recent call last):\\n  File driver.py, line 3\\nTypeError: terminated"}' > "$UNDERSTUDY_REPORT"\n""")
    report = tmp_path / "r.json"
    proc = run_conform("--client", f"sh {script}", "--only", "CORE-001", "--json", str(report))
    assert proc.returncode == 1
    out = proc.stdout
    assert "driver notes (the report's 'notes', written by the driver):" in out
    assert "    | TypeError: terminated" in out
    assert "hint: Traceback" not in out and "hint: TypeError" not in out
    (case,) = json.loads(report.read_text())["cases"]
    assert case["driver_notes"].endswith("TypeError: terminated")
    assert all("Traceback" not in (c.get("hint") or "") for c in case["checks"])


@pytest.mark.parametrize("command, expected", [
    ("true", ["there is no file at $UNDERSTUDY_REPORT"]),
    ("echo 'boom on stderr' >&2; exit 3", ["there is no file at $UNDERSTUDY_REPORT", "exited with code 3", "| boom on stderr"]),
    (": > \"$UNDERSTUDY_REPORT\"", ["is empty"]),
    ("echo '{not json' > \"$UNDERSTUDY_REPORT\"", ["is not JSON (", "it begins \"{not json\\n\""]),
    ("echo '[1, 2]' > \"$UNDERSTUDY_REPORT\"", ["the report is an array, not a JSON object"]),
    ("echo '{\"status\":\"okay\",\"text\":5}' > \"$UNDERSTUDY_REPORT\"",
     ["'status' is \"okay\"; the allowed values are \"ok\", \"error\", \"unsupported\"", "'text' is a number; it must be a string"]),
    ("echo '{\"status\":\"ok\",\"error\":{\"status_code\":\"400\"}}' > \"$UNDERSTUDY_REPORT\"", ["'error.status_code' is a string"]),
], ids=["missing", "crash", "empty", "not-json", "not-object", "bad-status", "bad-error"])
def test_unusable_reports_are_told_apart(tmp_path, command, expected):
    report = tmp_path / "r.json"
    proc = run_conform("--client", command, "--only", "CORE-001", "--json", str(report))
    assert proc.returncode == 1
    for text in expected:
        assert text in proc.stdout, proc.stdout
    (case,) = json.loads(report.read_text())["cases"]
    assert case["outcome"] == "failed"
    text_check = next(c for c in case["checks"] if c["id"] == "CORE-001.text")
    assert "CORE-001.driver-ok" in text_check["message"] and "content.delta" not in text_check.get("hint", "")


def test_an_unusable_report_fails_a_case_without_a_driver_ok_check(tmp_path):
    suite = tmp_path / "suite.yaml"
    suite.write_text("""cases:
  - id: X-001
    level: core
    contract: Only the request count is checked.
    guide: "Basic interactions — https://ai.google.dev/gemini-api/docs/interactions"
    scenario: |
      name: x-001
      reply: {text: "hi"}
    params: {action: create, model: gemini-3-flash-preview, input: "x"}
    checks:
      - {id: any, kind: request_count, with: {route: create, min: 0, max: 5}, expect: "Any number of creates."}
""")
    report = tmp_path / "r.json"
    proc = run_conform("--client", "echo '{not json' > \"$UNDERSTUDY_REPORT\"", "--suite", str(suite), "--json", str(report))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    (case,) = json.loads(report.read_text())["cases"]
    assert case["outcome"] == "failed" and "is not JSON" in case["note"]
    assert all(c["outcome"] == "passed" for c in case["checks"])


def test_a_resume_without_last_event_id_is_described_in_order(tmp_path):
    script = tmp_path / "resume_from_start.py"
    script.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(DRIVERS / 'python-genai')!r})\n"
        "import driver\n"
        "def resume(self, interaction_id, texts, events):\n"
        "    self.consume(self.client.interactions.get(interaction_id, stream=True), texts, events)\n"
        "driver.Driver.resume = resume\n"
        "sys.exit(driver.main())\n")
    report = tmp_path / "r.json"
    proc = run_conform("--client", f"{sys.executable} {script}", "--only", "STREAM-002", "--json", str(report))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    (case,) = json.loads(report.read_text())["cases"]
    resumed = next(c for c in case["checks"] if c["id"] == "STREAM-002.resumed")
    assert "expected last_event_id=evt_0005" in resumed["message"]
    assert "request #2 sent last_event_id=none" in resumed["message"]
    assert [r.split()[0] for r in resumed["requests"]] == ["#1", "#2"]
    assembled = next(c for c in case["checks"] if c["id"] == "STREAM-002.assembled")
    assert "follows from STREAM-002.resumed" in assembled["message"]


def test_the_default_suite_is_found_from_any_directory(tmp_path):
    report = tmp_path / "r.json"
    proc = run_conform("--client", f"{sys.executable} {DRIVERS / 'raw-http' / 'driver.py'}", "--only", "CORE-001",
                       "--json", str(report), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"suite: {ROOT / 'conformance' / 'suite'}" in proc.stderr
    assert json.loads(report.read_text())["cases"][0]["outcome"] == "passed"
    proc = run_conform("--client", "true", "--suite", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert proc.returncode == 2 and "No suite at" in proc.stderr and "--suite" in proc.stderr


def test_the_readme_documents_every_parameter_and_check_kind(tmp_path):
    """Every key of UNDERSTUDY_CASE_PARAMS the suite sends, and every check kind, is in the README."""
    dump = tmp_path / "params"
    dump.mkdir()
    recorder = tmp_path / "recorder.sh"
    recorder.write_text(f'printf "%s" "$UNDERSTUDY_CASE_PARAMS" > {dump}/"$UNDERSTUDY_CASE".json\n'
                        'echo \'{"status": "unsupported", "notes": "recording"}\' > "$UNDERSTUDY_REPORT"\n')
    proc = run_conform("--client", f"sh {recorder}")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    readme = (ROOT / "conformance" / "README.md").read_text()
    protocol = readme[readme.index("## The driver protocol"):readme.index("## Writing a driver")]
    actions = {}
    for f in dump.glob("*.json"):
        params = json.loads(f.read_text())
        actions.setdefault(params["action"], set()).update(params)
    assert len(list(dump.glob("*.json"))) == len(ALL_CASES)
    for action, keys in actions.items():
        row = next((line for line in protocol.splitlines() if line.startswith(f"| `{action}`")), None)
        assert row, f"action {action} has no row in the README's protocol table"
        for key in keys - {"action", "model"}:
            assert f"`{key}`" in row, f"{action}: parameter {key} is not documented in its row"
    assert "`model`" in protocol and "`agent`" in protocol
    kinds = set(re.findall(r"kind: (\w+)", "".join(p.read_text() for p in (ROOT / "conformance" / "suite").glob("*.yaml"))))
    checks_section = readme[readme.index("## Check kinds"):]
    for kind in kinds:
        assert f"| `{kind}`" in checks_section, f"check kind {kind} is not documented"
