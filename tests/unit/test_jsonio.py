"""Strict JSON and atomic writes."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from homediag.core.jsonio import atomic_write, dumps, loads, sweep_temp_files


def _strict(text: str) -> object:
    def refuse(name: str) -> object:
        raise ValueError(name)

    return json.loads(text, parse_constant=refuse)


def test_nan_infinity_and_lone_surrogates_become_valid_json() -> None:
    text = dumps({"down": math.nan, "up": math.inf, "name": "printer\udcff"})
    data = _strict(text)
    assert data == {"down": None, "up": None, "name": "printer\ufffd"}
    text.encode("utf-8")  # encodable: no lone surrogate left


def test_loads_refuses_nan() -> None:
    with pytest.raises(ValueError):
        loads('{"x": NaN}')


def test_atomic_write_sets_mode_and_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    atomic_write(target, '{"a": 1}', mode=0o600)
    assert target.read_text() == '{"a": 1}'
    assert (target.stat().st_mode & 0o777) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_sweep_removes_leftovers(tmp_path: Path) -> None:
    (tmp_path / ".homediag-abc.tmp").write_text("half")
    (tmp_path / "keep.json").write_text("{}")
    assert sweep_temp_files(tmp_path) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["keep.json"]


WRITER = """
import sys
from homediag.core.jsonio import atomic_write
path, n = sys.argv[1], int(sys.argv[2])
blob = '{"big": "' + 'x' * 2_000_000 + '", "n": %d}'
for i in range(n, n + 1000):
    atomic_write(path, blob % i)
"""


def test_a_killed_writer_never_leaves_a_truncated_report(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    atomic_write(target, '{"big": "", "n": -1}')
    for attempt in range(25):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(target), str(attempt * 1000)])
        time.sleep(0.05 + (attempt % 5) * 0.03)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        data = _strict(target.read_text())
        assert isinstance(data, dict) and "n" in data
    sweep_temp_files(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]
