"""``homediag report render | show | diff`` and the report options of ``diagnose``, as users run them."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest

from homediag.reports.document import validation_errors
from tests.cli.conftest import Isolated

FIXTURES = Path(__file__).resolve().parents[1] / "reports" / "fixtures"


@pytest.fixture
def paused(tmp_path: Path) -> Path:
    target = tmp_path / "paused.json"
    shutil.copy(FIXTURES / "printer-paused.json", target)
    return target


@pytest.fixture
def resumed(tmp_path: Path) -> Path:
    target = tmp_path / "resumed.json"
    shutil.copy(FIXTURES / "printer-resumed.json", target)
    return target


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(("suffix", "marker"), [(".md", "**Verdict:**"), (".html", "<!DOCTYPE html>"),
                                                 (".json", '"privacy_level": "redacted"'), (".txt", "Verdict")])  # fmt: skip
def test_render_by_suffix_is_redacted_by_default(cli: Isolated, paused: Path, tmp_path: Path, suffix: str,
                                                 marker: str) -> None:  # fmt: skip
    out = tmp_path / f"out{suffix}"
    done = cli("report", "render", str(paused), "--output", str(out), "--lang", "en")
    assert done.returncode == 0, done.stderr
    content = out.read_text()
    assert marker in content
    assert "Annas-iPhone" not in content and "Brother HL-L2350DW series" not in content
    assert mode(out) == 0o644


def test_render_no_redact_is_private(cli: Isolated, paused: Path, tmp_path: Path) -> None:
    out = tmp_path / "full.html"
    done = cli("report", "render", str(paused), "--format", "html", "--no-redact", "-o", str(out), "--lang", "en")
    assert done.returncode == 0, done.stderr
    assert "Annas-iPhone" in out.read_text()
    assert "do not share it" in out.read_text()
    assert mode(out) == 0o600


def test_render_json_to_stdout_validates_and_adds_meta(cli: Isolated, paused: Path) -> None:
    done = cli("report", "render", str(paused), "--format", "json", "--ticket", "T-7", "--site", "Shop 3")
    document = json.loads(done.stdout)
    assert validation_errors(document) == []
    assert document["meta"]["ticket"] == "T-7" and document["meta"]["site"] == "Shop 3"
    assert document["privacy_level"] == "redacted" and document["redaction"]


def test_tokens_are_kept_in_the_config_dir(cli: Isolated, paused: Path, isolated_env: dict[str, str]) -> None:
    first = json.loads(cli("report", "render", str(paused), "--format", "json").stdout)
    second = json.loads(cli("report", "render", str(paused), "--format", "json").stdout)
    assert [d["id"] for d in first["devices"]] == [d["id"] for d in second["devices"]]
    key = Path(isolated_env["XDG_CONFIG_HOME"]) / "homediag" / "redaction.key"
    assert key.is_file() and mode(key) == 0o600


@pytest.mark.parametrize(("lang", "text"), [("de", "Nächster Schritt"), ("fr", "Étape suivante"), ("en", "Next step")])
def test_show_in_three_languages(cli: Isolated, paused: Path, lang: str, text: str) -> None:
    done = cli("report", "show", str(paused), "--lang", lang)
    assert done.returncode == 0, done.stderr
    assert text in done.stdout


def test_a_report_made_in_german_is_shown_and_compared_in_french(cli: Isolated, paused: Path, resumed: Path,
                                                                  tmp_path: Path) -> None:  # fmt: skip
    """Support in Lyon reads what a customer in Zurich made: ``diagnose --from`` (no network) in German,
    then ``report show`` and ``report diff`` in French rebuild the findings from the playbooks."""
    german, after = tmp_path / "de.json", tmp_path / "after.json"
    for source, target in ((paused, german), (resumed, after)):
        made = cli("diagnose", "--from", str(source), "--lang", "de", "--non-interactive", "--output", str(target))
        assert made.returncode in (0, 1), made.stderr
    stored = json.loads(german.read_text("utf-8"))
    assert stored["context"]["lang"] == "de" and stored["schema_version"] == "1.1"
    titles = {f["code"]: f["title"] for f in stored["findings"]}
    assert titles["printer.stopped"] == "Der Drucker ist angehalten"
    shown = cli("report", "show", str(german), "--lang", "fr")
    assert shown.returncode in (0, 1), shown.stderr
    assert "L'imprimante est en pause" in shown.stdout and "Der Drucker" not in shown.stdout
    compared = cli("report", "diff", str(german), str(after), "--lang", "fr")
    assert compared.returncode == 0, compared.stderr
    assert "L'imprimante est en pause" in compared.stdout and "angehalten" not in compared.stdout


def test_language_defaults_to_the_system_locale(cli: Isolated, paused: Path) -> None:
    done = cli("report", "show", str(paused), env={"LANG": "de_DE.UTF-8", "LANGUAGE": ""})
    assert "Nächster Schritt" in done.stdout


def test_diff_before_and_after_a_repair(cli: Isolated, paused: Path, resumed: Path) -> None:
    done = cli("report", "diff", str(paused), str(resumed), "--format", "json")
    assert done.returncode == 0, done.stderr
    diff = json.loads(done.stdout)
    resolved = [f for f in diff["findings"] if f["change"] == "resolved"]
    assert [f["code"] for f in resolved] == ["printer.stopped"]
    changes = {(d["change"], d["kind"]) for d in diff["devices"]}
    assert changes == {("went", "nas"), ("came", "computer")}  # tokens match across the two reports
    facts = {m["fact"] for m in diff["measurements"]}
    assert {"gateway.rtt_ms", "gateway.loss_pct", "printer.state"} <= facts
    assert "Brother HL-L2350DW series" not in done.stdout
    text = cli("report", "diff", str(paused), str(resumed), "--lang", "en")
    assert text.returncode == 0 and "resolved" in text.stdout


def test_diff_of_a_missing_report_is_a_usage_error(cli: Isolated, paused: Path, tmp_path: Path) -> None:
    done = cli("report", "diff", str(paused), str(tmp_path / "nope.json"))
    assert done.returncode == 4 and "report not found" in done.stderr


def test_diagnose_writes_markdown_and_html(run_isolated: Isolated, loopback_config: Path, tmp_path: Path) -> None:
    for name in ("r.md", "r.html"):
        out = tmp_path / name
        done = run_isolated("diagnose", "--config", str(loopback_config), "--interface", "lo",
                            "--non-interactive", "--customer", "Lab", "--output", str(out))  # fmt: skip
        assert done.returncode in (0, 1, 2), done.stderr
        assert mode(out) == 0o644
        assert "Lab" in out.read_text()


@pytest.mark.parametrize(
    "command",
    [("report", "show"), ("report", "render", "--format", "markdown"), ("diagnose", "--non-interactive", "--from")],
)
def test_a_printer_complaint_lists_only_the_printer_unless_devices_is_given(cli: Isolated, paused: Path,
                                                                           command: tuple[str, ...]) -> None:  # fmt: skip
    plain = cli(*command, str(paused), "--lang", "en")
    assert plain.returncode in (0, 1), plain.stderr
    assert "Devices concerned (1 of 6)" in plain.stdout
    assert "5 other devices on the network are not shown." in plain.stdout.replace("\n", " ")
    assert "nas-1" not in plain.stdout.split("Devices concerned")[1].split("other devices")[0]
    every = cli(*command, str(paused), "--lang", "en", "--devices")
    assert every.returncode == plain.returncode, every.stderr
    assert "Devices (6)" in every.stdout and "nas-1" in every.stdout and "not shown" not in every.stdout


def test_devices_is_in_the_help_of_each_command_that_shows_a_report(cli: Isolated) -> None:
    for command in (("diagnose",), ("report", "show"), ("report", "render")):
        done = cli(*command, "--help")
        assert done.returncode == 0 and "--devices" in done.stdout, command
