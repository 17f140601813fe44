"""Diagnosis from the history: the engine names faults with their windows; renderers show them."""

from __future__ import annotations

import asyncio
import json
import plistlib
import shutil
import subprocess
from pathlib import Path

import pytest

from homediag.app.watch import current_watch, report_from_history
from homediag.core.config import Config
from homediag.core.model import Report
from homediag.reports.document import from_document, to_document, validation_errors
from homediag.reports.redact import for_output
from homediag.reports.render import Format, render
from homediag.watch import install
from homediag.watch.oslog import parse_iw_event, parse_macos_log, parse_wevtutil
from homediag.watch.store import Store
from tests.watch.history import T0, path_samples, write

PROBLEM = ("confirmed", "likely")


@pytest.fixture(scope="module")
def lab_like_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """Three minutes as the lab test makes them: LAN loss 60-100 s, then slow DNS 100-140 s."""
    store = Store.open(tmp_path_factory.mktemp("h") / "h.sqlite3")
    write(store, path_samples(T0, 180, lan_loss=[(60, 100)], dns_slow=[(100, 140)]))
    report = asyncio.run(report_from_history(store, config=Config(), since=T0, until=T0 + 180))
    store.close()
    return report


def _problems(report: Report) -> dict[str, object]:
    return {f.code: f for f in report.findings if f.status.value in PROBLEM}


def _seconds(stamp: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def test_each_fault_is_named_intermittent_with_its_window_and_nothing_else(lab_like_report: Report) -> None:
    problems = _problems(lab_like_report)
    assert set(problems) == {"lan.packet-loss", "dns.slow"}
    for code, (start, end) in {"lan.packet-loss": (60, 100), "dns.slow": (100, 140)}.items():
        finding = problems[code]
        assert finding.intermittent  # type: ignore[attr-defined]
        (window,) = finding.windows  # type: ignore[attr-defined]
        assert abs(_seconds(window.start) - (T0 + start)) < 5
        assert abs(_seconds(window.end) - (T0 + end)) < 5


def test_a_fault_present_all_the_time_is_not_intermittent(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "h.sqlite3")
    write(store, path_samples(T0, 120, dns_slow=[(0, 120)]))
    report = asyncio.run(report_from_history(store, config=Config(), since=T0, until=T0 + 120))
    slow = _problems(report)["dns.slow"]
    assert not slow.intermittent  # type: ignore[attr-defined]


def test_a_healthy_history_gives_no_fault_and_says_nothing_went_wrong(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "h.sqlite3")
    write(store, path_samples(T0, 120))
    report = asyncio.run(report_from_history(store, config=Config(), since=T0, until=T0 + 120))
    assert _problems(report) == {} and report.watch is not None and report.watch["events"] == []
    assert "Nothing went wrong while homediag watched." in render(report, Format.MARKDOWN)


def test_the_watch_report_is_valid_and_survives_redaction_and_reading_back(lab_like_report: Report) -> None:
    document = to_document(lab_like_report)
    assert validation_errors(document) == []
    shared, _warnings = for_output(lab_like_report, redact_report=True)
    again = from_document(json.loads(json.dumps(to_document(shared))))
    assert again.watch is not None
    assert [e["kind"] for e in again.watch["events"] if e["kind"] != "dns-failure"] == ["loss", "dns-slow"]
    assert {f.code for f in again.findings if f.intermittent} == {"lan.packet-loss", "dns.slow"}


def test_markdown_has_the_outage_table_and_html_the_timeline_chart(lab_like_report: Report) -> None:
    markdown = render(lab_like_report, Format.MARKDOWN)
    assert "## Outages and degradations" in markdown
    assert "| between this computer and the router | packet loss |" in markdown
    assert "| DNS only | slow DNS answers | worst 805 ms |" in markdown
    assert markdown.count("Comes and goes — seen") == 2
    html = render(lab_like_report, Format.HTML)
    assert "Timeline of the watch" in html and 'class="event"' in html and '<table class="outages">' in html
    text = render(lab_like_report, Format.TEXT, lang="de")
    assert "Ausfälle und Störungen" in text


def test_the_current_watch_continues_across_a_crash_and_ends_at_a_clean_stop(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "h.sqlite3")
    store.begin_run(T0, 1.0, 1)
    store.end_run(T0 + 100)  # a watch that ended
    store.begin_run(T0 + 200, 1.0, 2)  # killed: no stop
    store.begin_run(T0 + 300, 1.0, 3)  # resumed
    assert current_watch(store.runs()) == T0 + 200


# --- the OS logs and the unit files -------------------------------------------------------------------


def test_iw_event_lines_are_read_and_others_ignored() -> None:
    down = parse_iw_event(
        "1700000000.123456: wlan0 (phy #0): disconnected (by AP) reason: 3: Deauthenticated"
    )
    up = parse_iw_event("1700000002.654321: wlan0 (phy #0): connected to 02:00:00:00:00:02")
    assert down is not None and down.detail() == {"event": "disconnected"} and down.t == 1700000000.123456
    assert up is not None and up.detail() == {"event": "connected"} and up.subject == "if:wlan0"
    assert parse_iw_event("1700000005.000001: wlan0 (phy #0): new station 02:00:00:00:00:03") is None
    assert parse_iw_event("x" * 5000) is None


def test_windows_and_macos_logs_give_connects_and_disconnects() -> None:
    wevt = (
        "Event[0]:\n  Log Name: Microsoft-Windows-WLAN-AutoConfig/Operational\n"
        "  Date: 2023-11-14T22:13:20.1230000Z\n  Event ID: 8003\n"
        "Event[1]:\n  Date: 2023-11-14T22:13:30.0000000Z\n  Event ID: 8001\n"
    )
    assert [s.detail()["event"] for s in parse_wevtutil(wevt)] == ["disconnected", "connected"]
    mac = (
        "2023-11-14 22:13:20.123456+0000  localhost airportd[1]: Disassociated from network\n"
        "2023-11-14 22:13:25.000000+0000  localhost airportd[1]: Associated with network\n"
    )
    assert [s.detail()["event"] for s in parse_macos_log(mac)] == ["disconnected", "connected"]


ARGV = ["/opt/homediag venv/bin/python", "-m", "homediag", "watch", "--interval", "1", "--for", "8h"]


def test_the_launchd_plist_parses_and_runs_the_watch() -> None:
    document = plistlib.loads(install.launchd_plist(ARGV).encode())
    assert document["ProgramArguments"] == ARGV and document["Label"] == install.LABEL


def test_the_windows_task_runs_the_watch_at_logon() -> None:
    line = install.windows_task(["homediag", "watch", "--interval", "1"])
    assert line.startswith('schtasks /Create /TN "homediag watch" /SC ONLOGON')
    assert line.endswith('/TR "homediag watch --interval 1"')


def test_the_systemd_unit_is_valid(tmp_path: Path) -> None:
    unit = install.systemd_unit(ARGV)
    assert 'ExecStart="/opt/homediag venv/bin/python" -m homediag watch --interval 1 --for 8h' in unit
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    python = shutil.which("python3") or "/usr/bin/python3"
    path = tmp_path / install.SERVICE
    path.write_text(install.systemd_unit([python, "-m", "homediag", "watch"]))
    result = subprocess.run([analyze, "verify", "--user", str(path)], capture_output=True, text=True)
    problems = [line for line in result.stderr.splitlines() if install.SERVICE in line]
    assert problems == [], result.stderr


def test_the_unattended_watch_keeps_its_speed_test_period() -> None:
    argv = install.watch_argv(["homediag"], "8h", 1.0, "2h")
    assert argv == ["homediag", "watch", "--interval", "1", "--for", "8h", "--speedtest-every", "2h"]
    assert install.watch_argv(["homediag"], None, 0.5) == ["homediag", "watch", "--interval", "0.5"]
