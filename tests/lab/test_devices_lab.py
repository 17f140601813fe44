"""Devices end to end on the lab: discovery finds every device with its kind and vendor, each device
scenario's expected problem is the top finding, a baseline makes an unplugged printer ``printer.offline``,
``report diff`` and the HTML report work on real runs, and a hostile device neither crashes, hangs nor
slows the run beyond its deadlines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from homediag.app.registry import load_registry
from homediag.lab.lab import Lab
from homediag.lab.scenario import Role, load_scenario
from tests.browser import dom, red_pixels_near_the_top, screenshot
from tests.conftest import require_lab

pytestmark = pytest.mark.lab

HOMEDIAG = [sys.executable, "-m", "homediag"]
PROBLEM = ("confirmed", "likely")


def run_homediag(
    lab: Lab, *args: str, env: dict[str, str] | None = None, timeout: float = 120.0
) -> subprocess.CompletedProcess[str]:
    return lab.client_exec([*HOMEDIAG, *args], env=env, timeout=timeout)


def diagnose(lab: Lab, complaint: str, *extra: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    proc = run_homediag(
        lab, "diagnose", complaint, "--non-interactive", "--format", "json", "--no-redact", *extra, env=env
    )
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    report: dict[str, Any] = json.loads(proc.stdout)
    return report


def top(report: dict[str, Any]) -> dict[str, Any] | None:
    problems = [f for f in report["findings"] if f["status"] in PROBLEM]
    return max(problems, key=lambda f: f["probability"]) if problems else None


def observed(report: dict[str, Any], fact: str, subject: str = "local") -> Any:
    for obs in report["observations"]:
        if obs["fact"] == fact and obs["subject"] == subject:
            return obs["value"]
    raise KeyError(fact)


def test_scan_finds_every_lab_device_with_its_kind_and_vendor(lab: Lab) -> None:
    proc = run_homediag(lab, "scan", "--format", "json")
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = {d["ip"]: d for d in json.loads(proc.stdout)["devices"]}
    expected = lab.scenario.present_devices([])
    wrong = [
        (
            key,
            str(dev.ip),
            dev.kind.value,
            found.get(str(dev.ip), {}).get("kind"),
            found.get(str(dev.ip), {}).get("vendor"),
        )
        for key, dev in expected.items()
        if found.get(str(dev.ip), {}).get("kind") != dev.kind.value
        or found.get(str(dev.ip), {}).get("vendor") != dev.vendor
        or found.get(str(dev.ip), {}).get("mac") != dev.mac
    ]
    assert wrong == []
    assert len(found) == len(expected)
    printer = found["10.77.0.10"]
    assert {e["claim"] for e in printer["evidence"]} >= {"answered ARP", "announced by mDNS", "kind=printer"}


DEVICE_SCENARIOS = [
    "printer-paused",
    "printer-moved",
    "client-isolation",
    "multicast-blocked",
    "lan-ip-conflict",
    "mqtt-anonymous",
    "admin-http",
]


@pytest.mark.parametrize("name", DEVICE_SCENARIOS)
def test_device_scenario_names_the_expected_problem_first(
    name: str, lab_faults: Callable[..., AbstractContextManager[Lab]]
) -> None:
    scenario = load_scenario(name)
    assert scenario.complaint is not None and scenario.expect.top is not None
    with lab_faults(*scenario.faults) as lab:
        report = diagnose(lab, scenario.complaint)
    first = top(report)
    assert first is not None, [(f["code"], f["status"], f["probability"]) for f in report["findings"][:5]]
    assert first["code"] == scenario.expect.top, (first["code"], first["status"], first["probability"])
    assert report["complete"] is True


def test_an_unplugged_printer_is_offline_against_a_redacted_baseline(
    lab: Lab, lab_faults: Callable[..., AbstractContextManager[Lab]], tmp_path: Path
) -> None:
    env = {"HOMEDIAG_CONFIG_DIR": str(tmp_path / "config")}  # one installation's redaction tokens
    baseline = tmp_path / "before.json"
    proc = run_homediag(lab, "diagnose", "printer", "--non-interactive", "--output", str(baseline), env=env)
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    before = json.loads(baseline.read_text())
    assert before["privacy_level"] == "redacted"
    with lab_faults("printer-offline") as faulty:
        report = diagnose(faulty, "printer", "--baseline", str(baseline), env=env)
    first = top(report)
    assert first is not None and first["code"] == "printer.offline", report["findings"][:3]
    missing = report["baseline"]["missing_devices"]
    assert [(m["kind"], m["ip"]) for m in missing] == [("printer", "10.77.0.10")]
    assert missing[0]["id"].startswith("printer-")  # compared by this installation's token


def test_report_diff_of_a_paused_then_resumed_printer(
    lab: Lab, lab_faults: Callable[..., AbstractContextManager[Lab]], tmp_path: Path
) -> None:
    env = {"HOMEDIAG_CONFIG_DIR": str(tmp_path / "config")}
    before, after = tmp_path / "paused.json", tmp_path / "resumed.json"
    with lab_faults("printer-paused") as faulty:
        proc = run_homediag(
            faulty, "diagnose", "printer", "--non-interactive", "--output", str(before), env=env
        )
        assert proc.returncode == 1, proc.stderr[-3000:]
    proc = run_homediag(lab, "diagnose", "printer", "--non-interactive", "--output", str(after), env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    diff = run_homediag(lab, "report", "diff", str(before), str(after), "--format", "json")
    assert diff.returncode == 0, diff.stderr[-3000:]
    changes = json.loads(diff.stdout)
    stopped = [f for f in changes["findings"] if f["code"] == "printer.stopped"]
    assert stopped and stopped[0]["change"] == "resolved"
    states = [m for m in changes["measurements"] if m["fact"] == "printer.state"]
    assert states and (states[0]["before"], states[0]["after"]) == ("stopped", "idle")
    html = tmp_path / "paused.html"
    html_args = ["--format", "html", "--lang", "en", "--output", str(html)]
    render = run_homediag(lab, "report", "render", str(before), *html_args)
    assert render.returncode == 0, render.stderr[-3000:]
    image = screenshot(html, tmp_path)
    assert red_pixels_near_the_top(image) > 200  # the problem verdict, in red, at the top
    rendered = dom(html, tmp_path)
    assert "The printer is paused" in rendered  # the verdict sentence
    assert "10.77.0.10" in rendered and "<svg" in rendered
    assert "Brother Industries" in rendered


INTERACTIVE_CLIENT = Path(__file__).with_name("interactive_client.py")
INTERACTIVE_TIMEOUT_S = 180.0


def test_a_printer_resumed_when_the_remedy_is_offered_is_verified_by_its_probe(
    lab_faults: Callable[..., AbstractContextManager[Lab]], tmp_path: Path
) -> None:
    """An interactive run on a paused printer: when the remedy is offered, the user (this test)
    resumes the printer and says done; the verifier runs the printer probe again and confirms it."""
    report_path = tmp_path / "interactive.json"
    request = {"complaint": "printer", "audience": "customer", "report": str(report_path)}
    asked: list[str] = []
    with lab_faults("printer-paused") as lab, (tmp_path / "stderr.txt").open("w") as stderr:
        argv = lab.client_argv([sys.executable, str(INTERACTIVE_CLIENT), json.dumps(request)])
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env=lab.client_env(),
        )
        assert proc.stdin is not None and proc.stdout is not None
        try:
            while line := proc.stdout.readline():
                if not line.startswith("QUESTION "):
                    continue
                question = json.loads(line.removeprefix("QUESTION "))
                asked.append(question["id"])
                answer = None
                if question["id"] == "remedy:resume_printer":
                    lab.fault_remove("printer-paused")  # the user resumes the printer
                    answer = "done"
                proc.stdin.write(json.dumps(answer) + "\n")
                proc.stdin.flush()
            proc.wait(timeout=INTERACTIVE_TIMEOUT_S)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert proc.returncode == 0, (tmp_path / "stderr.txt").read_text()[-3000:]
    assert "remedy:resume_printer" in asked, asked
    report = json.loads(report_path.read_text())
    stopped = next(f for f in report["findings"] if f["code"] == "printer.stopped")
    assert (stopped["status"], stopped["decided_by"]) == ("confirmed", "remedy:resume_printer")
    assert {r["id"]: r.get("outcome") for r in stopped["remedies"]}["resume_printer"] == "fixed"
    states = [o["value"] for o in report["observations"] if o["fact"] == "printer.state"]
    assert states == ["stopped", "idle"]  # measured again, kept beside the first measurement
    verified = [s for s in report["trace"] if s["action"] == "remedy" and s.get("test") == "resume_printer"]
    assert [s["outcome"] for s in verified] == ["verified"]


# --- the hostile device -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_lab() -> Any:
    require_lab()
    lab = Lab(f"x{os.getpid() % 10_000_000}")
    lab.down()
    lab.up("hostile-device")
    try:
        yield lab
    finally:
        lab.down()


def test_a_hostile_device_neither_crashes_nor_hangs_the_checkup(hostile_lab: Lab) -> None:
    started = time.monotonic()
    report = diagnose(hostile_lab, "checkup")
    elapsed = time.monotonic() - started
    timeouts = {spec.id: spec.timeout_s for spec in load_registry().specs()}
    late = [
        (run["probe"], run["duration_s"])
        for run in report["probe_runs"]
        if run["duration_s"] > timeouts[run["probe"]] + 1.0
    ]
    assert late == []
    broken = [
        (r["probe"], r["outcome"], r.get("reason"))
        for r in report["probe_runs"]
        if r["outcome"] in ("error", "timeout")
    ]
    assert broken == []
    assert elapsed < 45.0
    assert report["complete"] is True and top(report) is None
    kinds = {d["ip"]: d["kind"] for d in report["devices"]}
    scenario = hostile_lab.scenario
    for _key, dev in scenario.present_devices([]).items():
        assert kinds.get(str(dev.ip)) == dev.kind.value, (dev.ip, dev.kind.value, kinds.get(str(dev.ip)))
    evil = next(dev for _key, dev in scenario.by_role(Role.HOSTILE))
    evil_id = next(d["id"] for d in report["devices"] if d["ip"] == str(evil.ip))
    assert observed(report, "ipp.answered", f"device:{evil_id}") is False  # its broken frame, refused
    real = next(d["id"] for d in report["devices"] if d["ip"] == "10.77.0.10")
    assert observed(report, "ipp.state", f"device:{real}") == "idle"  # the rest of the report is intact
    refused = {a["location"]: a["reason"] for a in observed(report, "ssdp.location_anomalies")}
    assert "http://127.0.0.1:1900/rootDesc.xml" in refused
    assert "http://10.77.0.1:5000/rootDesc.xml" in refused  # another device's LOCATION is not fetched
    router = next(d for d in report["devices"] if d["ip"] == "10.77.0.1")
    assert "FRITZ!Box 7590" in router["names"]  # ... and does not hide the router's own description
    text = json.dumps(report)
    assert "\\u001b" not in text and "\x1b" not in text  # no terminal escape from a device reaches it


def test_a_hostile_device_keeps_the_scan_within_its_deadlines(hostile_lab: Lab) -> None:
    started = time.monotonic()
    proc = run_homediag(hostile_lab, "scan", "--format", "json")
    elapsed = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr[-3000:]
    devices = json.loads(proc.stdout)["devices"]
    assert len(devices) == len(hostile_lab.scenario.present_devices([]))
    assert elapsed < 30.0
