"""SIGINT, SIGTERM and SIGHUP during ``diagnose`` still write a schema-valid partial report."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from homediag.reports.document import validation_errors
from tests.cli.conftest import HOMEDIAG, PREFIX


@pytest.mark.parametrize(
    ("signum", "code", "name"),
    [(signal.SIGINT, 130, "SIGINT"), (signal.SIGTERM, 143, "SIGTERM"), (signal.SIGHUP, 129, "SIGHUP")],
)
def test_a_signal_writes_the_partial_report(
    signum: int, code: int, name: str, tmp_path: Path, isolated_env: dict[str, str]
) -> None:
    if PREFIX is None:
        pytest.skip("this machine cannot create a network namespace for the command under test")
    config = tmp_path / "slow.yaml"
    config.write_text(
        "probes:\n"
        "  net.gateway: {target: 127.0.0.1, count: 150, interval_s: 0.05}\n"
        "  net.dns: {servers: ['127.0.0.1:5399'], timeout_s: 2.0}\n"
    )
    out = tmp_path / "partial.json"
    proc = subprocess.Popen(
        [
            *PREFIX,
            *HOMEDIAG,
            "diagnose",
            "--config",
            str(config),
            "--interface",
            "lo",
            "--non-interactive",
            "--output",
            str(out),
        ],
        env=isolated_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(2.0)
    assert proc.poll() is None, proc.communicate()
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
