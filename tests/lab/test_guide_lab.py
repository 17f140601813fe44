"""The guided flow in the lab, driven in a terminal as a person would (tmux send-keys, capture-pane):
a paused printer resumed and verified, in English and in German; an internet outage the customer cannot
fix ends with the summary for the technician and the saved report."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from homediag.lab.lab import Lab
from tests.lab.tmux import Terminal

pytestmark = pytest.mark.lab

LabFaults = Callable[..., AbstractContextManager[Lab]]


@pytest.fixture
def terminal(request: pytest.FixtureRequest) -> Iterator[Terminal]:
    callspec = getattr(request.node, "callspec", None)
    case = f"-{callspec.id}" if callspec is not None else ""
    term = Terminal(f"guide-{request.node.originalname[5:35]}{case}")  # en and de apart
    try:
        yield term
    finally:
        term.close()


def start_guide(term: Terminal, lab: Lab, tmp_path: Path, **env: str) -> Path:
    """``homediag`` with no arguments, in the lab's client, on a terminal; returns the reports folder."""
    data = tmp_path / "data"
    extra = {
        "TERM": "screen",
        "XDG_DATA_HOME": str(data),
        "HOMEDIAG_CONFIG_DIR": str(tmp_path / "config"),
        "LANGUAGE": "en",
        **env,
    }
    term.start(lab.client_argv([sys.executable, "-m", "homediag"]), lab.client_env(extra))
    return data / "homediag" / "reports"


def saved_report(reports: Path) -> dict[str, Any]:
    (path,) = reports.glob("report-*.json")
    report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return report


def remedy_outcomes(report: dict[str, Any]) -> dict[str, str | None]:
    return {r["id"]: r.get("outcome") for f in report["findings"] for r in f["remedies"]}


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        pytest.param(
            "en",
            {
                "menu": r"› 1\) The internet does not work",
                "found": r"Most likely: The printer is paused",
                "offer": r"Try this: Resume the printer",
                "done": r"› 1\) Done",
                "fixed": r"Fixed: the printer prints again\.",
                "finish": r"2\) Finish",
            },
            id="en",
        ),
        pytest.param(
            "de",
            {
                "menu": r"› 1\) Das Internet funktioniert nicht",
                "found": r"Am wahrscheinlichsten: Der Drucker ist angehalten",
                "offer": r"Versuchen Sie: Den Drucker fortsetzen",
                "done": r"› 1\) Erledigt",
                "fixed": r"Behoben: der Drucker druckt wieder\.",
                "finish": r"2\) Beenden",
            },
            id="de",
        ),
    ],
)
def test_a_paused_printer_is_resumed_and_the_flow_checks_that_it_prints(
    lab_faults: LabFaults, terminal: Terminal, tmp_path: Path, lang: str, texts: dict[str, str]
) -> None:
    with lab_faults("printer-paused") as lab:
        reports = start_guide(terminal, lab, tmp_path, LANGUAGE=lang)
        terminal.wait_for(texts["menu"], timeout=30)
        if lang == "en":
            terminal.keys("Down", "Down", "Down", "Down", "Enter")  # the arrow keys
        else:
            terminal.keys("5")  # a number
        shown = terminal.wait_for(texts["done"])  # the first remedy, its answers
        assert re.search(texts["found"], shown) and re.search(texts["offer"], shown)
        lab.fault_remove("printer-paused")  # the customer resumes the printer
        terminal.keys("Enter")  # "Done" is highlighted
        terminal.wait_for(texts["fixed"])
        terminal.wait_for(texts["finish"])
        terminal.keys("2")
        assert terminal.exit_code() == 0
    report = saved_report(reports)
    assert remedy_outcomes(report)["resume_printer"] == "fixed"
    stopped = next(f for f in report["findings"] if f["code"] == "printer.stopped")
    assert (stopped["status"], stopped["decided_by"]) == ("confirmed", "remedy:resume_printer")
    assert report["privacy_level"] == "redacted" and report["context"]["lang"] == lang


def test_an_internet_outage_the_customer_cannot_fix_ends_with_the_summary_and_the_report(
    lab_faults: LabFaults, terminal: Terminal, tmp_path: Path
) -> None:
    with lab_faults("wan-down") as lab:
        reports = start_guide(terminal, lab, tmp_path)
        terminal.wait_for(r"› 1\) The internet does not work", timeout=30)
        terminal.keys("Enter")
        shown = terminal.wait_for(r"› 1\) Done|reach the internet right now\?")
        if "› 1) Done" not in shown:
            # a question only the customer can answer (other devices?), its own "I don't know" once
            assert shown.count("I don't know") == 1, shown
            terminal.keys("2")  # no, they have no internet either
            shown = terminal.wait_for(r"› 1\) Done")
        assert "Try this: Restart the router" in shown
        assert "What it disturbs: Everyone at home will be offline for about 3 minutes" in shown
        terminal.keys("1")  # restarted, but the line stays down
        terminal.wait_for(r"Still not working\.")
        end = terminal.wait_for(r"1\) Show the details for the technician")
        terminal.keys("1")  # the technician's details: the report as diagnose shows it
        details = terminal.wait_for(r"Verdict")
        assert terminal.exit_code() == 1
    summary = end[end.index("Summary to paste") :]
    assert "Problem: The internet does not work" in summary
    assert "Most likely cause: The internet line is down" in summary and "[wan.down]" in summary
    assert "Tried: Restart the router: did not fix it" in summary
    report = saved_report(reports)
    assert f"The report is saved (private details removed):\n{reports}/report-" in end
    assert remedy_outcomes(report)["restart_router"] == "not_fixed"
    assert report["run_id"] in summary
    assert "wan.down" in details


def test_ctrl_c_during_the_checks_keeps_the_partial_report(
    lab: Lab, terminal: Terminal, tmp_path: Path
) -> None:
    reports = start_guide(terminal, lab, tmp_path)
    terminal.wait_for(r"› 1\) The internet does not work", timeout=30)
    terminal.keys("9")  # check everything: the longest run
    terminal.wait_for(r"Checking: Check everything")
    terminal.wait_for(r"(Looking|Checking|Asking)[^\n]*\.\.\.")  # the progress: the checks run
    terminal.keys("C-c")  # as the customer presses it
    end = terminal.wait_for(r"Stopped\. What was checked so far is in the report\.")
    assert terminal.exit_code() == 130
    assert "Traceback" not in end
    report = saved_report(reports)
    assert report["interrupted_by"] == "SIGINT" and report["complete"] is False
    assert f"The report is saved (private details removed):\n{reports}/report-" in end
