"""SIGINT, SIGTERM and SIGHUP during ``diagnose`` still write a schema-valid partial report; at any
other moment (start-up included) they end it with 130/143/129 and one line, never a traceback.

These tests need a network namespace of their own (``unshare``); under CI (``CI`` set, root, Linux)
they fail instead of skipping when they cannot run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from homediag.reports.document import validation_errors
from tests.cli.conftest import HOMEDIAG, PREFIX
from tests.support import skip_or_fail

SIGNALS = [(signal.SIGINT, 130, "SIGINT"), (signal.SIGTERM, 143, "SIGTERM"), (signal.SIGHUP, 129, "SIGHUP")]


def _require_isolation() -> list[str]:
    if os.environ.get("CI") and not (sys.platform.startswith("linux") and os.geteuid() == 0):
        pytest.fail("CI must run the signal tests as root on Linux")
    if PREFIX is None:
        skip_or_fail("this machine cannot create a network namespace for the command under test")
    return PREFIX


@pytest.fixture
def slow_config(tmp_path: Path) -> Path:
    config = tmp_path / "slow.yaml"
    config.write_text(
        "probes:\n"
        "  net.gateway: {target: 127.0.0.1, count: 150, interval_s: 0.05}\n"
        "  net.dns: {servers: ['127.0.0.1:5399'], timeout_s: 2.0}\n"
    )
    return config


def _start(config: Path, out: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    argv = [*_require_isolation(), *HOMEDIAG, "diagnose", "--config", str(config), "--interface", "lo",
            "--non-interactive", "--output", str(out)]  # fmt: skip
    return subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_until_pinging(proc: subprocess.Popen[str], timeout: float = 60.0) -> None:
    """Return once ``net.gateway`` sends its echoes: an ICMP socket shows in the process's network
    namespace (``/proc/PID/net/raw`` as root, ``/proc/PID/net/icmp`` without). A fixed sleep was not
    enough on a loaded machine, where start-up alone can take longer than two seconds."""
    deadline = time.monotonic() + timeout
    tables = [Path(f"/proc/{proc.pid}/net/{name}") for name in ("raw", "icmp")]
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        for table in tables:
            try:
                if len(table.read_text().splitlines()) > 1:
                    time.sleep(0.2)
                    return
            except OSError:
                pass
        time.sleep(0.02)
    pytest.fail("net.gateway did not start pinging in time")


@pytest.mark.parametrize(("signum", "code", "name"), SIGNALS)
def test_a_signal_writes_the_partial_report(
    signum: int, code: int, name: str, tmp_path: Path, isolated_env: dict[str, str], slow_config: Path
) -> None:
    out = tmp_path / "partial.json"
    proc = _start(slow_config, out, isolated_env)
    _wait_until_pinging(proc)
    sent = time.monotonic()
    proc.send_signal(signum)
    _stdout, stderr = proc.communicate(timeout=30)
    assert time.monotonic() - sent < 5, "the partial report took too long"
    assert proc.returncode == code, stderr
    assert "Traceback" not in stderr
    document = json.loads(out.read_text())
    assert validation_errors(document) == []
    assert document["complete"] is False
    assert document["interrupted_by"] == name
    outcomes = {run["probe"]: run["outcome"] for run in document["probe_runs"]}
    assert outcomes["net.interfaces"] == "ok"
    assert outcomes["net.gateway"] == "cancelled"
    assert any(o["fact"] == "interface.name" for o in document["observations"])


def _wait_for_homediags_handlers(proc: subprocess.Popen[str], timeout: float = 20.0) -> None:
    """Return once homediag's first line has installed its signal handlers.

    Python catches no SIGTERM of its own, so the SIGTERM bit of ``SigCgt`` in ``/proc/PID/status``
    turns on when :mod:`homediag._signals` installs its handlers. Before that, the interpreter is still
    starting (on a loaded machine, for well over 0.1 s), where Python's own handling stands and nothing
    homediag does can change it: the moments this test checks are counted from there.
    """
    mask = 1 << (int(signal.SIGTERM) - 1)
    status = Path(f"/proc/{proc.pid}/status")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return
        try:
            caught = next(line for line in status.read_text().splitlines() if line.startswith("SigCgt:"))
        except (OSError, StopIteration):
            return
        if int(caught.split()[1], 16) & mask:
            return
        time.sleep(0.002)
    pytest.fail("homediag did not install its signal handlers in time")


@pytest.mark.parametrize(("signum", "code", "name"), SIGNALS)
@pytest.mark.parametrize("delay", [0.0, 0.05, 0.15, 0.3])
def test_a_signal_during_start_up_ends_in_one_line(
    signum: int, code: int, name: str, delay: float, tmp_path: Path, isolated_env: dict[str, str],
    slow_config: Path,
) -> None:  # fmt: skip
    # It used to print a traceback (SIGINT while typer and the commands were imported) or die without
    # a word (SIGTERM, SIGHUP). Moments are counted from homediag's first line (see
    # _wait_for_homediags_handlers): before it, Python's default handling stands.
    out = tmp_path / "early.json"
    proc = _start(slow_config, out, isolated_env)
    _wait_for_homediags_handlers(proc)
    time.sleep(delay)
    proc.send_signal(signum)
    _stdout, stderr = proc.communicate(timeout=30)
    assert "Traceback" not in stderr
    assert proc.returncode == code, stderr
    if out.exists():
        document = json.loads(out.read_text())
        assert validation_errors(document) == [] and document["interrupted_by"] == name
    else:
        assert stderr.strip().splitlines() == [f"homediag: interrupted by {name} before a report was written"]


@pytest.mark.parametrize("gap", [0.0, 0.02])
def test_a_second_signal_does_not_lose_the_report(
    gap: float, tmp_path: Path, isolated_env: dict[str, str], slow_config: Path
) -> None:
    out = tmp_path / "partial.json"
    proc = _start(slow_config, out, isolated_env)
    _wait_until_pinging(proc)
    proc.send_signal(signal.SIGINT)
    time.sleep(gap)
    proc.send_signal(signal.SIGTERM)
    _stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr  # the first signal's code
    assert "Traceback" not in stderr
    document = json.loads(out.read_text())
    assert validation_errors(document) == [] and document["interrupted_by"] == "SIGINT"


def test_a_third_signal_ends_at_once_and_leaves_no_half_file(
    tmp_path: Path, isolated_env: dict[str, str], slow_config: Path
) -> None:
    out = tmp_path / "partial.json"
    proc = _start(slow_config, out, isolated_env)
    _wait_until_pinging(proc)
    for _ in range(3):
        proc.send_signal(signal.SIGINT)
    _stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130 and "Traceback" not in stderr
    if out.exists():  # written before the third arrived: whole, never half
        assert validation_errors(json.loads(out.read_text())) == []


def test_an_interrupt_wrapped_by_python_is_still_an_interrupt(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Python 3.11 wraps an exception raised in __set_name__ (a class created while a module is
    # imported) in a RuntimeError: a Ctrl-C there once ended in "internal error", exit 3.
    from homediag import _signals
    from homediag.cli import app

    def wrapped(**_kwargs: object) -> None:
        try:
            raise _signals.Interrupt(signal.SIGINT)
        except _signals.Interrupt as stop:
            raise RuntimeError("Error calling __set_name__") from stop

    monkeypatch.setattr(app, "app", wrapped)
    with pytest.raises(SystemExit) as exited:
        app.main(["report", "show", "x.json"])
    assert exited.value.code == 130
    assert capsys.readouterr().err == "homediag: interrupted by SIGINT before a report was written\n"
