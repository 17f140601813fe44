"""The guided flow's logic (``homediag.app.guide``) on the real playbooks, with a scripted customer: what
it says before the first fix, the answers it offers, the verdicts, and how it ends."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

from homediag.app.guide import (
    DONT_KNOW,
    EndingKind,
    GuidedFlow,
    Screen,
    checking_words,
    ending,
    handover_summary,
    menu_screen,
    question_screen,
)
from homediag.app.playbooks import load_playbooks
from homediag.app.registry import load_registry
from homediag.core.i18n import set_language
from homediag.core.model import FindingStatus, Observation, RemedyOutcome, Report
from homediag.engine.diagnose import diagnose
from homediag.engine.menu import read_menu
from homediag.engine.questions import QuestionKind, QuestionSpec
from homediag.engine.sources import Refreshed
from tests.reports.conftest import fixture

PLAYBOOKS = load_playbooks()
MENU = {entry.complaint: entry for entry in read_menu()}

PAUSED = {
    "printer.found": True,
    "printer.announced": True,
    "printer.reachable": True,
    "printer.state": "stopped",
    "printer.state_reasons": ["paused"],
    "printer.supply_low": False,
    "printer.known_silent": False,
    "lan.peers_reachable": True,
    "lan.multicast_gap": 0,
    "printer.queue_address_ok": True,
    "printer.queue_moved": False,
    "lan.outside_subnet": [],
}


class Printer:
    """A live fact source of a printer (paused by default); measured again, it says what ``again``
    says."""

    replay = False

    def __init__(self, again: Mapping[str, Any], first: Mapping[str, Any] = PAUSED) -> None:
        self.first = dict(first)
        self.again = dict(again)

    async def obtain(self, facts: Iterable[str]) -> list[Observation]:
        return [
            Observation(fact=f, value=self.first[f], source="test", evidence=_detail(self.first[f]))
            for f in facts
            if f in self.first
        ]

    def can_obtain(self, fact: str) -> bool:
        return fact in self.first

    def cost_s(self, fact: str) -> float:
        return 0.1

    def missing_reason(self, fact: str) -> str | None:
        return None if fact in self.first else "no probe provides it"

    def on_demand(self, fact: str) -> bool:
        return False

    def asked_for(self, fact: str) -> bool:
        return False

    async def refresh(self, facts: Iterable[str]) -> Refreshed:
        values = {**self.first, **self.again}
        fresh = [Observation(fact=f, value=values[f], source="test") for f in facts if f in values]
        return Refreshed(tuple(fresh))


def _detail(value: Any) -> str | None:
    """The detail a probe gives with a list of reasons, as the printer probe does ("paused")."""
    return ", ".join(map(str, value)) if isinstance(value, list) and value else None


class Customer:
    """A scripted customer: answers each screen by its name, in order; keeps what it saw."""

    def __init__(self, answers: Mapping[str, list[str | None]]) -> None:
        self.answers = {name: list(keys) for name, keys in answers.items()}
        self.seen: list[Screen] = []
        self.cancelled = False

    def choose(self, screen: Screen) -> str | None:
        self.seen.append(screen)
        queue = self.answers.get(screen.name, [])
        return queue.pop(0) if queue else None

    def show(self, screen: Screen) -> None:
        self.seen.append(screen)

    def cancel(self) -> None:
        self.cancelled = True


def run_printer(customer: Customer, again: Mapping[str, Any], lang: str = "en") -> GuidedFlow:
    flow = GuidedFlow(customer, MENU["printer"], lang)
    facts = Printer(again)
    set_language(lang)
    try:
        asyncio.run(diagnose("printer", facts=facts, questioner=flow, playbooks=PLAYBOOKS, lang=lang))
    finally:
        set_language("en")
    return flow


def test_before_the_first_fix_the_customer_hears_what_was_found() -> None:
    customer = Customer({"remedy": ["done"]})
    flow = run_printer(customer, {"printer.state": "idle", "printer.state_reasons": []})
    offer = customer.seen[0]
    assert offer.name == "remedy"
    text = offer.text()
    assert text.index("Most likely: The printer is paused") < text.index("Try this: Resume the printer")
    assert "What points to it:" in text and "Ruled out:" in text
    assert "Printer alerts: paused" in text.splitlines()  # as the report says it: not "paused (paused)"
    assert "It disturbs nothing else." in text
    assert [o.label for o in offer.options] == ["Done", "Skip", "I can't"]
    assert [s.name for s in customer.seen] == ["remedy", "verifying", "verdict"]
    assert customer.seen[-1].text() == "Fixed: the printer prints again."
    assert [(r.remedy, r.outcome) for r in flow.results] == [("resume_printer", RemedyOutcome.FIXED)]


def test_still_not_working_then_the_next_fix_names_the_next_suspect() -> None:
    customer = Customer({"remedy": ["done", "cannot", "skip", "skip", "skip"]})
    flow = run_printer(customer, {})  # resumed, but it stays stopped
    verdicts = [s.text() for s in customer.seen if s.name == "verdict"]
    assert verdicts == ["Still not working.\nThat step did not fix it."]
    offers = [s for s in customer.seen if s.name == "remedy"]
    assert len(offers) >= 2
    second = offers[1].text()
    assert "Most likely:" not in second and "Ruled out:" not in second  # said once, not again
    assert flow.results[0].outcome is RemedyOutcome.NOT_FIXED


def test_in_german_the_answers_and_the_verdict_are_german() -> None:
    customer = Customer({"remedy": ["done"]})
    run_printer(customer, {"printer.state": "idle", "printer.state_reasons": []}, lang="de")
    offer = customer.seen[0]
    assert "Am wahrscheinlichsten: Der Drucker ist angehalten" in offer.text()
    assert [o.label for o in offer.options] == ["Erledigt", "Überspringen", "Das kann ich nicht"]
    assert customer.seen[-1].text() == "Behoben: der Drucker druckt wieder."


@pytest.mark.parametrize(("choice", "answer"), [(DONT_KNOW, None), ("no", "no")])
def test_a_question_offers_i_dont_know_which_leaves_it_unanswered(choice: str, answer: str | None) -> None:
    test = PLAYBOOKS.get("printer").test("same_network")
    question = QuestionSpec.of_test(test, "printer", QuestionKind.QUESTION)
    customer = Customer({"question": [choice]})
    flow = GuidedFlow(customer, MENU["printer"], "fr")
    set_language("fr")
    try:
        assert asyncio.run(flow.ask(question, "fr")) == answer
    finally:
        set_language("en")
    (screen,) = customer.seen
    assert screen.blocks[0].heading == question.text_in("fr")
    assert [o.label for o in screen.options] == ["Oui", "Non, ou je ne sais pas", "Je ne sais pas"]


def test_the_menu_screen_lists_the_problems() -> None:
    screen = menu_screen(read_menu(), "fr")
    assert screen.options[0].label == "Internet ne marche pas"
    assert screen.options[-1].key == "checkup"


def test_every_built_in_probe_is_described_in_words() -> None:
    for probe_id in load_registry(plugins=False).probes:
        assert checking_words(probe_id) != "Checking", probe_id


# --- the end -------------------------------------------------------------------------------------


def with_outcome(report: Report, remedy_id: str, outcome: RemedyOutcome) -> Report:
    findings = tuple(
        dataclasses.replace(
            f,
            remedies=tuple(
                dataclasses.replace(r, outcome=outcome) if r.id == remedy_id else r for r in f.remedies
            ),
        )
        for f in report.findings
    )
    return dataclasses.replace(report, findings=findings)


SAVED = Path("/data/homediag/reports/report-1-printer.json")


def test_fixed_ends_with_what_fixed_it_and_where_the_report_is() -> None:
    report = with_outcome(fixture("printer-paused"), "resume-printer", RemedyOutcome.FIXED)
    end = ending(report, MENU["printer"], lang="en", saved=SAVED, playbooks=PLAYBOOKS)
    assert end.kind is EndingKind.FIXED and end.summary is None
    text = end.screen.text()
    assert "What fixed it: Resume the printer" in text and str(SAVED) in text
    assert [o.key for o in end.screen.options] == ["details", "finish"]


def test_not_fixed_ends_with_the_escalation_the_summary_and_the_report() -> None:
    report = with_outcome(fixture("printer-paused"), "resume-printer", RemedyOutcome.NOT_FIXED)
    end = ending(report, MENU["printer"], lang="en", saved=SAVED, playbooks=PLAYBOOKS)
    assert end.kind is EndingKind.ESCALATE and end.summary is not None
    text = end.screen.text()
    assert "Hand over to a technician or the printer's support" in text
    assert end.summary in text and str(SAVED) in text
    lines = end.summary.splitlines()
    assert lines[0] == "Problem: The printer does not print"
    assert lines[1].startswith("Most likely cause: ") and "[printer.stopped]" in lines[1]
    assert lines[2].startswith("Also possible: ") and lines[2].endswith("(11%)")
    assert any(line.startswith("Ruled out: ") for line in lines)
    assert "Tried: Resume the printer: did not fix it" in lines
    assert lines[-1].startswith(f"Report: {report.run_id}")


def test_the_summary_in_german() -> None:
    report = with_outcome(fixture("printer-paused"), "resume-printer", RemedyOutcome.SKIPPED)
    set_language("de")
    try:
        summary = handover_summary(report, MENU["printer"].text_in("de"))
    finally:
        set_language("en")
    assert summary.startswith("Anliegen: Der Drucker druckt nicht\nWahrscheinlichste Ursache: ")
    assert "Versucht: Resume the printer: übersprungen" in summary  # the fixture's title is English


@pytest.mark.parametrize(
    ("change", "kind"),
    [
        ({"interrupted_by": "SIGINT", "complete": False}, EndingKind.INTERRUPTED),
        ({"not_applicable": "no wireless interface"}, EndingKind.NOT_APPLICABLE),
    ],
    ids=["interrupted", "does not apply"],
)
def test_other_endings(change: dict[str, Any], kind: EndingKind) -> None:
    report = dataclasses.replace(fixture("printer-paused"), **change)
    end = ending(report, MENU["printer"], lang="en", saved=SAVED, playbooks=PLAYBOOKS)
    assert end.kind is kind and end.summary is None and str(SAVED) in end.screen.text()


def test_a_checkup_without_problems_ends_plainly_and_a_complaint_without_one_escalates() -> None:
    healthy = fixture("printer-resumed")
    assert healthy.top_finding() is None
    checkup = ending(healthy, MENU["checkup"], lang="en", saved=None, playbooks=PLAYBOOKS)
    assert checkup.kind is EndingKind.NO_PROBLEM
    assert "The report could not be saved" in checkup.screen.text()
    complaint = ending(healthy, MENU["printer"], lang="en", saved=SAVED, playbooks=PLAYBOOKS)
    assert complaint.kind is EndingKind.ESCALATE
    assert "The checks found no cause they can name" in complaint.screen.text()
    assert complaint.summary is not None and "Tried: nothing yet" in complaint.summary


def test_the_summary_names_every_cause_ruled_out() -> None:
    report = fixture("printer-paused")
    ruled = [f for f in report.findings if f.status is FindingStatus.RULED_OUT]
    assert len(ruled) == 3
    end = ending(report, MENU["printer"], lang="en", saved=SAVED, playbooks=PLAYBOOKS)
    assert all(f.title in (end.summary or "") for f in ruled)  # the summary names every one


def test_a_question_with_its_own_i_dont_know_gets_no_second_one() -> None:
    # no-internet's "do other devices reach the internet?" offers "I don't know" itself (an outcome
    # the playbook weighs); the flow's own one beside it was the same words twice.
    def label(en: str) -> dict[str, str]:
        return {"en": en, "de": en + " (de)", "fr": en + " (fr)"}

    question = QuestionSpec(
        id="other_devices",
        playbook="no-internet",
        kind=QuestionKind.QUESTION,
        text=label("Do other devices reach the internet?"),
        answers=(("yes", label("Yes")), ("no", label("No")), ("unsure", label("I don't know"))),
    )
    keys = [option.key for option in question_screen(question, "en").options]
    assert keys == ["yes", "no", "unsure"]
    plain = dataclasses.replace(question, answers=question.answers[:2])
    assert [option.key for option in question_screen(plain, "en").options] == ["yes", "no", "dont_know"]
