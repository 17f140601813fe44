"""``--speedtest-every`` and the OS's Wi-Fi log during a watch: stored, judged, shown."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from homediag.app.watch import report_from_history
from homediag.core.config import Config, ExpectConfig
from homediag.core.model import Observation, Outcome, ProbeResult, Report
from homediag.core.session import Session
from homediag.core.spec import Platform
from homediag.reports.document import to_document, validation_errors
from homediag.reports.render import Format, render
from homediag.testing import RecordedContext
from homediag.watch import oslog, samplers
from homediag.watch.loop import Schedule, Watcher, speed_record
from homediag.watch.samples import Sample
from homediag.watch.store import SpeedTest, Store
from tests.watch.history import INTERNET, T0, path_samples, write

FIXTURES = Path(__file__).parent / "fixtures"
PROBLEM = ("confirmed", "likely")


def _speed(start: float, down: float, up: float, *, increase: float = 8.0) -> SpeedTest:
    facts = {
        "speedtest.download_mbps": down,
        "speedtest.upload_mbps": up,
        "latency.idle_ms": 10.0,
        "latency.increase_ms": increase,
        "latency.grade": "A",
    }
    return SpeedTest(start, start + 22, True, down, up, facts)


def _history(tmp_path: Path, tests: list[SpeedTest], *, loaded: bool = True) -> Store:
    """Ten healthy minutes; during each speed test the echoes beyond the router rise by 300 ms."""
    store = Store.open(tmp_path / "h.sqlite3")
    samples = path_samples(T0, 600)
    if loaded:
        samples = [
            Sample(s.t, s.kind, s.subject, s.ok, (s.value or 0) + 300.0)
            if s.subject in INTERNET and s.ok and any(t.start <= s.t <= t.end for t in tests)
            else s
            for s in samples
        ]
    write(store, samples)
    for test in tests:
        store.add_speedtest(test)
    return store


def _report(store: Store, config: Config | None = None) -> Report:
    return asyncio.run(report_from_history(store, config=config or Config(), since=T0, until=T0 + 600))


PLAN = Config(expect=ExpectConfig(download_mbps=100.0, upload_mbps=40.0))


def test_one_slow_speed_test_among_good_ones_is_an_intermittent_slow_line_with_its_time(
    tmp_path: Path,
) -> None:
    tests = [_speed(T0 + 60, 94.0, 38.0), _speed(T0 + 300, 11.0, 37.0), _speed(T0 + 500, 95.0, 39.0)]
    report = _report(_history(tmp_path, tests), PLAN)
    problems = {f.code: f for f in report.findings if f.status.value in PROBLEM}
    assert set(problems) == {"wan.slow"}, [(e["kind"], e["start"]) for e in report.watch["events"]]
    finding = problems["wan.slow"]
    assert finding.intermittent and len(finding.windows) == 1
    assert [e["kind"] for e in report.watch["events"]] == ["slow-line"]  # the load made no latency event
    assert [t["download_mbps"] for t in report.watch["speedtests"]] == [94.0, 11.0, 95.0]
    assert validation_errors(to_document(report)) == []


def test_a_line_slow_at_every_speed_test_is_slow_all_along(tmp_path: Path) -> None:
    tests = [_speed(T0 + 60, 9.0, 38.0), _speed(T0 + 400, 10.0, 37.0)]
    report = _report(_history(tmp_path, tests), PLAN)
    problems = {f.code: f for f in report.findings if f.status.value in PROBLEM}
    assert set(problems) == {"wan.slow"}
    assert problems["wan.slow"].intermittent is False


def test_good_speed_tests_give_no_fault_and_the_loaded_echoes_no_event(tmp_path: Path) -> None:
    report = _report(_history(tmp_path, [_speed(T0 + 60, 94.0, 38.0)]), PLAN)
    assert [f.code for f in report.findings if f.status.value in PROBLEM] == []
    assert report.watch["events"] == []
    assert report.complete


def test_the_same_load_without_a_speed_test_is_an_event(tmp_path: Path) -> None:
    # The control of the test above: 300 ms more beyond the router for 22 s is a latency event
    # unless the watch's own speed test made it.
    store = _history(tmp_path, [_speed(T0 + 60, 94.0, 38.0)])
    store._db.execute("DELETE FROM speedtests")
    report = _report(store, PLAN)
    assert [e["kind"] for e in report.watch["events"]] == ["latency"]


def test_a_failed_speed_test_is_loud_in_the_report(tmp_path: Path) -> None:
    failed = speed_record(
        ProbeResult("net.throughput", Outcome.ERROR, 3.0, reason="speed test failed: refused"),
        T0 + 60,
        T0 + 63,
    )
    assert not failed.ok and failed.error == "error: speed test failed: refused"
    report = _report(_history(tmp_path, [failed], loaded=False))
    assert report.complete is False
    (run,) = report.probe_runs
    assert (run.probe, run.outcome, run.reason) == (
        "net.throughput",
        Outcome.ERROR,
        "speed test failed: refused",
    )
    markdown = render(report, Format.MARKDOWN)
    assert "## Speed tests" in markdown and "failed: error: speed test failed: refused" in markdown
    html = render(report, Format.HTML)
    assert 'class="speedtest failed"' in html


def test_speed_tests_show_as_a_table_and_timeline_marks(tmp_path: Path) -> None:
    report = _report(_history(tmp_path, [_speed(T0 + 60, 94.0, 38.0, increase=12.0)]), PLAN)
    text = render(report, Format.TEXT)
    assert "Speed tests" in text and "94 Mbit/s" in text and "+12 ms (A)" in text
    assert 'class="speedtest"' in render(report, Format.HTML)


def test_speed_record_keeps_the_figures_and_drops_the_public_address() -> None:
    result = ProbeResult(
        "net.throughput",
        Outcome.OK,
        21.0,
        observations=(
            Observation("speedtest.download_mbps", 50.5, source="net.throughput"),
            Observation("speedtest.upload_mbps", 10.0, source="net.throughput"),
            Observation("speedtest.public_ip", "203.0.113.9", source="net.throughput"),
        ),
    )
    test = speed_record(result, T0, T0 + 21)
    assert test.ok and test.download_mbps == 50.5 and "speedtest.public_ip" not in test.facts
    broken = speed_record(RuntimeError("worker died"), T0, T0 + 1)
    assert not broken.ok and broken.error == "RuntimeError: worker died"


def test_speed_tests_run_one_at_a_time_and_a_failure_is_stored(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "h.sqlite3")
    running, most, calls = 0, 0, 0

    async def speedtest() -> ProbeResult:
        nonlocal running, most, calls
        calls += 1
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.12)  # longer than the period: the slots in between are skipped
        running -= 1
        if calls == 1:
            raise OSError("network unreachable")
        obs = (Observation("speedtest.download_mbps", 20.0, source="net.throughput"),)
        return ProbeResult("net.throughput", Outcome.OK, 0.12, observations=obs)

    path = samplers.Path(targets=())
    watcher = Watcher(
        store, Session(), path, Schedule(speedtest_every_s=0.05), speedtest=speedtest, follow_os_log=False
    )

    async def main() -> None:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.6):
                await watcher._speedtests()

    asyncio.run(main())
    tests = store.speedtests()
    assert most == 1 and 3 <= len(tests) <= 5
    assert tests[0].ok is False and tests[0].error == "OSError: network unreachable"
    assert all(t.ok and t.download_mbps == 20.0 for t in tests[1:])


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "not a duration"),
        ("abc", "not a duration"),
        ("30s", "at least 1m"),
    ],
)
def test_bad_speedtest_periods_are_usage_errors(tmp_path: Path, value: str, message: str) -> None:
    # Refused before anything is measured or opened: no packet leaves.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "homediag",
            "watch",
            "--history",
            str(tmp_path / "h"),
            "--speedtest-every",
            value,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.returncode == 4, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "h").exists()


# --- the OS's Wi-Fi log -------------------------------------------------------------------------------

DISCONNECT = 1700000020.512
RECONNECT = 1700000032.004
ROAM = 1700000405.25


def test_the_wlan_autoconfig_log_gives_a_disconnect_a_connect_and_a_roam() -> None:
    found = oslog.parse_wevtutil((FIXTURES / "wevtutil-wlan-autoconfig.txt").read_text())
    assert [(s.t, s.detail()["event"]) for s in found] == [
        (DISCONNECT, "disconnected"),
        (RECONNECT, "connected"),
        (ROAM, "roamed"),
    ]
    assert found[2].detail()["bssid"] == "02:00:5e:10:00:02"


def test_the_macos_wifi_log_gives_a_disconnect_a_connect_and_a_roam() -> None:
    found = oslog.parse_macos_log((FIXTURES / "log-show-wifi.txt").read_text())
    assert [(round(s.t, 3), s.detail()["event"]) for s in found] == [
        (DISCONNECT, "disconnected"),
        (RECONNECT, "connected"),
        (ROAM, "roamed"),
    ]


def test_the_log_queries_ask_for_the_watch_window() -> None:
    argv = oslog.windows_argv(T0)
    assert argv[:3] == ["wevtutil", "qe", "Microsoft-Windows-WLAN-AutoConfig/Operational"]
    assert "TimeCreated[@SystemTime>='2023-11-14T22:13:20.000Z']" in argv[3]
    assert argv[4] == "/f:text"
    mac = oslog.macos_argv(T0)
    assert mac[:2] == ["log", "show"] and mac[mac.index("--start") + 1].startswith("2023-11-1")


def _watcher(store: Store, platform: Platform, commands: dict[tuple[str, ...], str]) -> Watcher:
    session = Session(platform=platform)
    ctx = RecordedContext(samplers.WATCH_SPEC, session, deadline=float("inf"), commands=commands)
    watcher = Watcher(store, session, samplers.Path(targets=()), ctx=ctx)
    watcher.log_seen = T0
    return watcher


def test_a_windows_watch_window_with_a_wlan_autoconfig_disconnect_shows_the_event(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "h.sqlite3")
    write(store, path_samples(T0, 600), stop=False)
    log = (FIXTURES / "wevtutil-wlan-autoconfig.txt").read_text()
    watcher = _watcher(store, Platform.WINDOWS, {("wevtutil", "qe"): log})
    assert asyncio.run(watcher.read_os_log()) == 3
    assert asyncio.run(watcher.read_os_log()) == 0  # read again: nothing twice
    store.end_run(T0 + 600)
    report = _report(store)
    events = [(e["kind"], e["start"], e["end"]) for e in report.watch["events"]]
    assert ("wifi-disconnect", "2023-11-14T22:13:40.512Z", "2023-11-14T22:13:52.004Z") in events
    assert ("wifi-roam", "2023-11-14T22:20:05.250Z", "2023-11-14T22:20:05.250Z") in events
    assert "Wi-Fi disconnected" in render(report, Format.MARKDOWN)


def test_a_log_that_cannot_be_read_is_said_in_the_report(tmp_path: Path) -> None:
    from homediag.core.probe import CommandResult

    store = Store.open(tmp_path / "h.sqlite3")
    write(store, path_samples(T0, 60), stop=False)
    refused = CommandResult(("log",), 1, "", "log: Cannot run while sandboxed")
    watcher = _watcher(store, Platform.MACOS, {("log", "show"): refused})  # type: ignore[dict-item]
    assert asyncio.run(watcher.read_os_log()) == 0
    store.end_run(T0 + 60)
    report = asyncio.run(report_from_history(store, config=Config(), since=T0))  # the mark is of now
    assert any("log exited with 1: log: Cannot run while sandboxed" in n for n in report.watch["notes"])
