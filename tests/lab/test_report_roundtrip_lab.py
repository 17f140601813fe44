"""Round trip on real runs: a checkup in every lab scenario, then every command that reads reports.

``homediag diagnose`` (a checkup, non-interactive) runs in the lab's client as a user would run it: it
prints its redacted JSON report (``--format json``) and saves a copy in the data directory. Outside the lab
(these commands touch no network) ``report show``, ``report render`` to every format, ``report diff``
against the healthy run and ``diagnose --from`` read both, through the CLI's own entry point: each must
exit as documented, and every JSON it writes must be schema-valid and read back again.

Lean on purpose (issue 11: about 4 minutes of CI): one session lab, faults switched with ``lab_faults``;
the scenarios that combine two faults are left out (each of their faults has its own scenario).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from homediag.cli.app import main
from homediag.lab.scenario import list_scenarios, load_scenario
from homediag.reports.document import load_report, validation_errors

pytestmark = pytest.mark.lab

SCENARIOS = [name for name in list_scenarios() if len(load_scenario(name).faults) <= 1]
RUN_TIMEOUT_S = 120.0


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the runs of this module keep their reports (the healthy one is compared with all)."""
    return tmp_path_factory.mktemp("roundtrip")


def checkup_in_lab(lab: Any, where: Path) -> tuple[Path, Path]:
    """Run a checkup in the lab's client: the JSON it printed, and the copy it saved."""
    where.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "homediag", "diagnose", "--non-interactive", "--format", "json"]
    proc = lab.client_exec(argv, env={"XDG_DATA_HOME": str(where / "data")}, timeout=RUN_TIMEOUT_S)
    assert proc.returncode in (0, 1, 2), f"exit {proc.returncode}: {proc.stderr[-2000:]}"
    printed = where / "report.json"
    printed.write_text(proc.stdout, encoding="utf-8")
    saved = sorted((where / "data" / "homediag" / "reports").glob("*.json"))
    assert len(saved) == 1, proc.stderr[-2000:]
    return printed, saved[0]


def homediag(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    captured = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 0), captured.out, captured.err


def read_everything(report: Path, healthy: Path, out_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, shown, err = homediag(capsys, "report", "show", str(report), "--lang", "en")
    assert code == 0 and "Traceback" not in err, err
    assert shown.strip()
    for suffix in (".json", ".md", ".html", ".txt"):
        target = out_dir / f"rendered{suffix}"
        code, _out, err = homediag(capsys, "report", "render", str(report), "-o", str(target), "--note", "x")
        assert code == 0, err
        assert target.stat().st_size > 0
    rendered = out_dir / "rendered.json"
    assert validation_errors(json.loads(rendered.read_text())) == []
    load_report(rendered)
    code, diff, err = homediag(capsys, "report", "diff", str(healthy), str(report), "--format", "json")
    assert code == 0, err
    assert set(json.loads(diff)) >= {"findings", "devices"}
    replayed = out_dir / "replayed.json"
    args = ("diagnose", "--from", str(report), "--non-interactive", "-o", str(replayed))
    code, _out, err = homediag(capsys, *args)
    assert code in (0, 1, 2) and "Traceback" not in err, err
    assert validation_errors(json.loads(replayed.read_text())) == []
    code, _out, err = homediag(capsys, "report", "diff", str(report), str(replayed))
    assert code == 0, err


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_reader_reads_a_lab_checkup(
    name: str,
    lab_faults: Callable[..., AbstractContextManager[Any]],
    runs: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    healthy = runs / "healthy" / "report.json"
    if name != "healthy" and not healthy.exists():
        pytest.fail("the healthy checkup runs first (it is the first scenario)")
    scenario = load_scenario(name)
    with lab_faults(*scenario.faults) as lab:
        report, saved = checkup_in_lab(lab, runs / name)
    # Outside the lab: nothing below touches the network. Tokens and data stay in the test's folders.
    monkeypatch.setenv("HOMEDIAG_CONFIG_DIR", str(runs / name / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(runs / name / "reader-data"))
    for written in (report, saved):
        document = json.loads(written.read_text())
        assert validation_errors(document) == [] and document["privacy_level"] == "redacted"
    read_everything(report, healthy if healthy.exists() else report, runs / name, capsys)
    # The saved copy is the same document written another way: shown and compared, not all again.
    code, _out, err = homediag(capsys, "report", "show", str(saved))
    assert code == 0, err
    code, _out, err = homediag(capsys, "report", "diff", str(saved), str(report), "--format", "json")
    assert code == 0, err
