"""Connectivity diagnosis end to end: for every lab scenario of a connectivity fault, ``homediag
diagnose`` runs inside the lab's client exactly as a user would run it (non-interactive, JSON) and must
name the scenario's expected problem code as the top finding, confirmed or likely; on the healthy lab
no problem may reach those statuses; both two-fault scenarios must name both causes.

One diagnose run per scenario; the faults are switched with ``lab_faults`` on the session's lab.
Reports go to a temporary data directory, not the user's.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from homediag.lab import plan
from homediag.lab.scenario import Scenario, list_scenarios, load_scenario
from homediag.lab.switches import RATE_FAULTS

pytestmark = pytest.mark.lab

CONNECTIVITY_CODES = frozenset(
    {
        "link.no-connection",
        "dhcp.no-lease",
        "dhcp.rogue-server",
        "ip.conflict",
        "gateway.unreachable",
        "lan.packet-loss",
        "wan.down",
        "wan.packet-loss",
        "wan.slow",
        "wan.bufferbloat",
        "wan.double-nat",
        "wan.cgnat",
        "wan.mtu-blackhole",
        "wan.captive-portal",
        "wan.udp-blocked",
        "wan.web-blocked",
        "wan.web-slow",
        "wan.high-jitter",
        "dns.no-resolver",
        "dns.server-unreachable",
        "dns.slow",
        "dns.hijack",
        "ipv6.broken",
        "upnp.igd-unavailable",
    }
)
"""The codes the connectivity playbooks name (printer, device and security codes belong elsewhere)."""
PROBLEM = ("confirmed", "likely")
PING_TARGET = str(plan.PING_TARGETS[0])
QUIET_RTT_MS = 20.0
RUN_TIMEOUT_S = 90.0


def _connectivity(name: str) -> bool:
    scenario = load_scenario(name)
    return not scenario.faults or bool(set(scenario.expect.codes) & CONNECTIVITY_CODES)


SCENARIOS = [name for name in list_scenarios() if _connectivity(name)]


def diagnose_in_lab(lab: Any, scenario: Scenario, data_dir: Path) -> dict[str, Any]:
    """Run ``homediag diagnose <complaint>`` in the lab client; the report as JSON."""
    argv = [sys.executable, "-m", "homediag", "diagnose"]
    if scenario.complaint != "checkup":
        argv.append(scenario.complaint)
    argv += ["--non-interactive", "--format", "json", "--no-redact"]
    proc = lab.client_exec(argv, env={"XDG_DATA_HOME": str(data_dir)}, timeout=RUN_TIMEOUT_S)
    assert proc.returncode in (0, 1, 2), f"exit {proc.returncode}: {proc.stderr[-2000:]}"
    report: dict[str, Any] = json.loads(proc.stdout)
    return report


def wait_for_a_quiet_line(lab: Any, limit_s: float = 20.0) -> None:
    """Wait until the internet answers with an idle round trip again. A speed test of the previous
    scenario leaves TCP segments that the fault switch dropped: they are sent again for a few seconds,
    into the new scenario's shaped line, where they would raise its "idle" latency."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        out = lab.client_exec(["ping", "-n", "-c", "3", "-i", "0.2", "-q", PING_TARGET], timeout=10).stdout
        match = re.search(r"= [\d.]+/([\d.]+)/", out)
        if match and float(match.group(1)) < QUIET_RTT_MS:
            return
        time.sleep(0.5)


def problems(report: dict[str, Any]) -> list[tuple[str, str, float]]:
    """(code, status, probability) of the confirmed and likely findings, most probable first."""
    found = [(f["code"], f["status"], f["probability"]) for f in report["findings"] if f["status"] in PROBLEM]
    return sorted(found, key=lambda item: (-item[2], item[1] != "confirmed", item[0]))


def describe(report: dict[str, Any]) -> str:
    head = [(f["code"], f["status"], f["probability"]) for f in report["findings"][:6]]
    runs = [(r["probe"], r["outcome"]) for r in report["probe_runs"] if r["outcome"] != "ok"]
    return f"findings {head}; probes not ok {runs}"


@pytest.mark.parametrize("name", SCENARIOS)
def test_connectivity_scenario(
    name: str, lab_faults: Callable[..., AbstractContextManager[Any]], tmp_path: Path
) -> None:
    scenario = load_scenario(name)
    with lab_faults(*scenario.faults) as lab:
        if set(scenario.faults) & RATE_FAULTS:
            wait_for_a_quiet_line(lab)
        report = diagnose_in_lab(lab, scenario, tmp_path)
    found = problems(report)
    codes = {code for code, _status, _p in found}
    if not scenario.faults:
        assert found == [], describe(report)
    elif scenario.expect.top is not None:
        assert found, describe(report)
        assert found[0][0] == scenario.expect.top, describe(report)
    else:  # two faults: both named, the printer half of a checkup included
        assert set(scenario.expect.codes) <= codes, describe(report)
    assert report["complaint"] == scenario.complaint


def test_wifi_in_the_lab_says_plainly_there_is_no_wireless_interface(lab: Any, tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "homediag", "diagnose", "wifi", "--non-interactive"]
    env = {"XDG_DATA_HOME": str(tmp_path), "COLUMNS": "200"}
    text = lab.client_exec(argv, env=env, timeout=RUN_TIMEOUT_S)
    assert text.returncode == 0, text.stderr
    assert "no wireless interface" in text.stdout
    as_json = lab.client_exec([*argv, "--format", "json"], env=env, timeout=RUN_TIMEOUT_S)
    assert as_json.returncode == 0, as_json.stderr
    report = json.loads(as_json.stdout)
    assert "no wireless interface" in report["not_applicable"]
    assert report["findings"] == []
    assert {r["probe"] for r in report["probe_runs"]} <= {"net.interfaces", "wifi.link"}
