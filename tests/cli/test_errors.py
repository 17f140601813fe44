"""Every error ends in one sentence and a documented exit code, never a traceback (issue 11).

Hostile or broken inputs (a deeply nested report, ``schema_version: "².0"``, a 5000-digit integer in a
report, configuration, answers file or playbook) exit 3 (a report homediag cannot read) or 4 (a usage
error); anything unexpected exits 3 with its traceback in a crash file whose path is printed.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from homediag.cli.app import main
from tests.cli.conftest import HOMEDIAG

FIXTURES = Path(__file__).resolve().parents[1] / "reports" / "fixtures"
REPORT = FIXTURES / "printer-paused.json"
DIGITS = "1" * 5000


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, sub in (("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"), ("HOME", "home")):
        monkeypatch.setenv(name, str(tmp_path / sub))
    monkeypatch.delenv("HOMEDIAG_CONFIG", raising=False)
    monkeypatch.delenv("HOMEDIAG_CONFIG_DIR", raising=False)
    return tmp_path


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exited:
        main(args)
    code = exited.value.code
    return (code if isinstance(code, int) else 0), capsys.readouterr().err


def report_text(change: Callable[[dict[str, object]], str | None]) -> str:
    document = json.loads(REPORT.read_text())
    replaced = change(document)
    return replaced if replaced is not None else json.dumps(document, ensure_ascii=False)


def _deep(_doc: dict[str, object]) -> str:
    return "[" * 100_000 + "]" * 100_000


def _deep_value(doc: dict[str, object]) -> None:
    value: list[object] = []
    doc["observations"][0]["value"] = value  # type: ignore[index]
    for _ in range(900):
        inner: list[object] = []
        value.append(inner)
        value = inner


def _superscript(doc: dict[str, object]) -> None:
    doc["schema_version"] = "².0"


def _long_int(doc: dict[str, object]) -> str:
    return json.dumps(doc).replace('"duration_s": 0.02', f'"duration_s": {DIGITS}', 1)


def _huge_float(doc: dict[str, object]) -> str:
    return json.dumps(doc).replace('"duration_s": 0.02', '"duration_s": 1e999', 1)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_deep, "nested deeper than 64 levels"),
        (_deep_value, "nested deeper than 64 levels"),
        (_superscript, "not a homediag report"),
        (_long_int, "more than 30 digits"),
        (_huge_float, "too large to represent"),
    ],
    ids=["deep-json", "deep-value", "superscript-version", "5000-digits", "1e999"],
)
@pytest.mark.parametrize(
    "command", [["report", "show"], ["report", "render", "--format", "json"], ["diagnose", "--from"]]
)
def test_unreadable_reports_exit_3_in_one_sentence(
    home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: Callable[[dict[str, object]], str | None],
    message: str,
    command: list[str],
) -> None:
    path = tmp_path / "hostile.json"
    path.write_text(report_text(change), encoding="utf-8")
    code, err = run([*command, str(path)], capsys)
    assert code == 3, err
    assert err.count("\n") == 1 and err.startswith("homediag: error: ") and message in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("option", "content", "message"),
    [
        ("--config", f"probes: {{net.gateway: {{count: {DIGITS}}}}}\n", "more than 30 digits"),
        ("--config", "a: &x [1, 2]\nb: *x\n", "aliases"),
        ("--config", "a:\n" + "".join(" " * (i + 1) + "a:\n" for i in range(40)), "nested deeper than 32"),
        ("--answers", f"printer/is_on: {DIGITS}\n", "more than 30 digits"),
        ("--answers", "[" * 100_000, "nesting depth"),
    ],
    ids=["config-digits", "config-alias", "config-deep", "answers-digits", "answers-deep"],
)
def test_unusable_config_and_answers_are_usage_errors(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, content: str, message: str
) -> None:
    path = tmp_path / "input.yaml"
    path.write_text(content, encoding="utf-8")
    code, err = run(["diagnose", "--from", str(REPORT), option, str(path)], capsys)
    assert code == 4, err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("probes: {net.gatewy: {cuont: x}}\n", "probes.net.gatewy: no installed probe has this id (did you mean net.gateway?)"),  # noqa: E501
        ("probes: {net.gateway: {cuont: 3}}\n", "probes.net.gateway.cuont: net.gateway has no such argument (its arguments: count, interval_s, timeout_s, target)"),  # noqa: E501
        ("probes: {net.gateway: {count: many}}\n", "probes.net.gateway.count: Input should be a valid integer"),  # noqa: E501
    ],
    ids=["unknown-probe", "unknown-argument", "wrong-type"],
)  # fmt: skip
def test_probe_arguments_are_checked_when_the_config_loads(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(content, encoding="utf-8")
    code, err = run(["diagnose", "--from", str(REPORT), "--config", str(path)], capsys)
    assert code == 4, err
    assert err.count("\n") == 1 and message in err and str(path) in err and "Traceback" not in err


def test_oversized_config_is_refused_unread(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("# " + "x" * 1_100_000 + "\n")
    code, err = run(["diagnose", "--from", str(REPORT), "--config", str(path)], capsys)
    assert code == 4 and "larger than" in err


def test_a_playbook_with_a_5000_digit_prior_is_a_validation_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    playbooks = Path(__file__).resolve().parents[2] / "playbooks"
    text = (playbooks / "printer.yaml").read_text()
    path = tmp_path / "printer.yaml"
    path.write_text(re.sub(r"prior: [0-9.]+", f"prior: {DIGITS}", text, count=1))
    assert DIGITS in path.read_text()
    with pytest.raises(SystemExit) as exited:
        main(["playbooks", "validate", str(path)])
    out = capsys.readouterr()
    assert exited.value.code == 1
    assert "more than 30 digits" in out.out + out.err and "Traceback" not in out.out + out.err


def test_an_unexpected_error_exits_3_with_a_crash_file(tmp_path: Path, isolated_env: dict[str, str]) -> None:
    code = (
        "import sys\n"
        "import homediag.reports.document as document\n"
        "def broken(path):\n"
        "    raise RuntimeError('a bug in homediag')\n"
        "document.load_report = broken\n"
        "from homediag.cli.app import main\n"
        "main(sys.argv[1:])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "report", "show", str(REPORT)],
        capture_output=True, text=True, env=isolated_env, timeout=60,
    )  # fmt: skip
    assert done.returncode == 3
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "internal error occurred (RuntimeError)" in done.stderr
    path = Path(done.stderr.strip().rsplit(" ", 1)[-1])
    assert path.parent == Path(isolated_env["XDG_DATA_HOME"]) / "homediag" / "crashes"
    content = path.read_text()
    assert "Traceback" in content and "a bug in homediag" in content and "report show" in content
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_a_crash_file_that_cannot_be_written_still_gives_one_sentence(
    tmp_path: Path, isolated_env: dict[str, str]
) -> None:
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("")
    env = {**isolated_env, "XDG_DATA_HOME": str(blocked)}
    code = (
        "import sys\n"
        "import homediag.reports.document as document\n"
        "def broken(path):\n"
        "    raise RecursionError('maximum recursion depth exceeded')\n"
        "document.load_report = broken\n"
        "from homediag.cli.app import main\n"
        "main(sys.argv[1:])\n"
    )
    done = subprocess.run([sys.executable, "-c", code, "report", "show", str(REPORT)],
                          capture_output=True, text=True, env=env, timeout=60)  # fmt: skip
    assert done.returncode == 3
    assert done.stderr.count("\n") == 1 and "could not be saved" in done.stderr


def test_the_console_script_reports_errors_the_same_way(isolated_env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "sup.json"
    path.write_text(report_text(_superscript), encoding="utf-8")
    done = subprocess.run([*HOMEDIAG, "report", "show", str(path)], capture_output=True, text=True,
                          env=isolated_env, timeout=60)  # fmt: skip
    assert done.returncode == 3 and done.stderr.startswith("homediag: error: ")
