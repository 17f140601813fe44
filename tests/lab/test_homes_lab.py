"""Drawn homes built for real (root, network namespaces): one home's self-test, and a short fixed-seed
bench so the bench machinery cannot rot. The bench asserts that it works (valid JSON, every trial
scored, homes rebuilt from their seeds), never an accuracy figure: that is benchmarks/lab_accuracy.py."""

from __future__ import annotations

import json
import os

import pytest

from homediag.lab.bench import run_bench
from homediag.lab.home import draw_home
from homediag.lab.lab import Lab
from homediag.lab.selftest import run_selftest
from tests.conftest import require_lab

pytestmark = pytest.mark.lab

HOME_SEED = "sh143"
"""A home unlike the classic lab: 172.20.100.0/24, a cable provider's private hop 2, working IPv6, an
admin page over HTTPS only, DHCP answering after 2 s, Telnet on the NAS, long device names."""
BENCH_SEED = "ci0"
"""Three trials: a single fault, a healthy home and a pair."""


def _lab_id(tag: str) -> str:
    return f"x{os.getpid() % 1_000_000}{tag}"


def test_a_drawn_home_passes_its_selftest():
    require_lab()
    home = draw_home(HOME_SEED)
    assert home.profile.isp.path == "cable" and home.profile.router.ipv6
    assert home.profile.router.admin == "https" and home.profile.telnet == "nas"
    lab = Lab(_lab_id("s"))
    lab.down()
    lab.up(home=HOME_SEED)
    try:
        status = lab.status()
        assert status.home == home.to_json()
        assert status.client_ip == str(home.addresses.client)
        faults = ["wan-down", "double-nat", "ipv6-broken", "admin-http", "dhcp-rogue", "printer-moved"]
        result = run_selftest(lab, faults)
    finally:
        lab.down()
    failures = [f"{r.fault}: {c.what} ({c.detail})" for r in result.results for c in r.checks if not c.passed]
    assert not failures, "\n".join(failures)
    assert [r.fault for r in result.results] == ["healthy", *faults]


def test_a_short_fixed_seed_bench_scores_every_trial(tmp_path):
    require_lab()
    result = run_bench(BENCH_SEED, 3, lab_id=_lab_id("b"))
    data = json.loads(json.dumps(result.to_json()))
    trials = data["trials"]
    assert [t["kind"] for t in trials] == ["single", "healthy", "pair"]
    for trial in trials:
        assert trial["error"] is None, trial
        assert trial["rebuilt"] is True
        assert trial["runs"], trial
        assert {r["complaint"] for r in trial["runs"]} == {trial["complaint"], "checkup"}
        for run in trial["runs"]:
            assert run["error"] is None and run["exit_code"] in (0, 1, 2), run
            assert isinstance(run["ok"], bool)
        scan = trial["scan"]
        assert scan["error"] is None
        assert scan["devices"] == len(draw_home(trial["home_seed"]).scenario.devices)
    summary = data["summary"]
    assert summary["trials"] == 3 and summary["errors"] == []
    assert summary["rebuilt"]["ok"] == 3
    assert summary["healthy_false_alarms"]["n"] == 2
    assert set(summary["per_fault"]) == {f for t in trials for f in t["faults"]}
    assert not Lab(_lab_id("b")).is_up()
