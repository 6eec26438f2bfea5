"""The conformance runner, run on its reference drivers, and server mode run on Understudy.

The faulty driver proves the checks can fail: exactly the cases it breaks must fail.
"""
from __future__ import annotations

import json
import subprocess
import sys

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
