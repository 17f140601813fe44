"""The guided flow: a customer picks the problem in plain words, the checks run, the safe fixes are
offered one at a time and each is verified; it ends fixed, or with the report and a summary for the
technician.

One diagnosis path: the flow runs :class:`~homediag.app.diagnose.DiagnosisRun` exactly as ``diagnose``
does, and is itself the run's questioner (:class:`GuidedFlow`): the engine decides what to ask and which
remedy to offer next, and hears back "done", "skip" or "I can't"; as a
:class:`~homediag.engine.questions.RemedyListener` the flow hears each verifier's verdict and says
"Fixed" or "Still not working".

What the customer sees is worked out here as :class:`~homediag.app.screens.Screen` values (texts in
their language, no terminal codes), and drawn by a :class:`~homediag.app.screens.GuideUI`: the
terminal's is ``homediag.cli.guide``. The first screens (menu, start) are in ``app.screens``, which
stays light: the menu comes before the engine is imported. Nothing here prints, reads a key or exits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from homediag.app.screens import (
    Block,
    GuideUI,
    LineStyle,
    Option,
    Screen,
    Tone,
    menu_screen,
    start_screen,
)
from homediag.core.i18n import N_, _, current_language
from homediag.core.model import FindingStatus, RemedyOutcome, Report
from homediag.engine.questions import CANNOT, DONE, SKIP, QuestionKind, QuestionSpec, RemedyResult
from homediag.reports.focus import tidy
from homediag.reports.labels import STATUS_LABELS

if TYPE_CHECKING:
    from homediag.core.model import Finding
    from homediag.engine.catalog import PlaybookSet
    from homediag.engine.menu import MenuEntry

__all__ = [
    "Block",
    "Ending",
    "EndingKind",
    "GuideUI",
    "GuidedFlow",
    "LineStyle",
    "Option",
    "Screen",
    "Tone",
    "ending",
    "handover_summary",
    "menu_screen",
    "start_screen",
]

DONT_KNOW = "dont_know"
UNSURE_ANSWERS = frozenset({"unsure", "unknown", "dont_know", "not_sure"})
"""Answer keys with which a playbook's question already offers "I don't know" itself."""
"""The answer every question offers besides its own: the engine goes on without one."""
DETAILS = "details"
FINISH = "finish"
CHECKUP = "checkup"
MAX_EVIDENCE = 2
"""Evidence lines shown for the most likely cause before the first remedy."""
MAX_RULED_OUT = 4
"""Causes ruled out that are named before the first remedy (then: "and N more")."""
ALSO = 0.1
"""Other causes the summary names as also possible, from this probability on."""


# --- the words -----------------------------------------------------------------------------------

CHECKING_WORDS = {
    "net.interfaces": N_("Looking at this computer's connection"),
    "net.gateway": N_("Checking the way to the router"),
    "net.dhcp": N_("Asking the router for an address"),
    "net.dns": N_("Checking that names of websites can be looked up"),
    "net.internet": N_("Checking the way to the internet"),
    "net.ipv6": N_("Checking IPv6"),
    "net.mtu": N_("Checking that large packets get through"),
    "net.nat": N_("Checking the internet address"),
    "net.throughput": N_("Measuring the speed of the internet line"),
    "net.arp_conflict": N_("Checking that no other device uses this computer's address"),
    "net.peers": N_("Checking that devices at home reach each other"),
    "discovery.baseline": N_("Comparing with an earlier report"),
    "devices.print_queues": N_("Looking at this computer's printers"),
    "devices.printer_ipp": N_("Asking the printer how it is"),
    "devices.printer_summary": N_("Asking the printer how it is"),
    "devices.media": N_("Looking for the TV and other media devices"),
    "devices.media_summary": N_("Looking for the TV and other media devices"),
    "wifi.link": N_("Checking the Wi-Fi connection"),
    "wifi.neighbours": N_("Looking at the Wi-Fi networks nearby"),
}
CHECKING_FAMILIES = {
    "discovery": N_("Looking for the devices at home"),
    "devices": N_("Asking the devices at home"),
    "net": N_("Checking the connection"),
    "wifi": N_("Checking the Wi-Fi"),
}
SMART_HOME = frozenset(
    {"devices.hue", "devices.homekit", "devices.matter", "devices.mqtt", "devices.smarthome_summary"}
)
SECURITY = frozenset({"devices.admin_page", "devices.telnet", "devices.security_summary"})


def checking_words(probe_id: str) -> str:
    """What a probe checks, in the customer's words and language (for the progress display)."""
    if probe_id in SMART_HOME:
        return _("Looking at the smart-home devices")
    if probe_id in SECURITY:
        return _("Checking the security settings of the router and devices")
    words = CHECKING_WORDS.get(probe_id) or CHECKING_FAMILIES.get(probe_id.partition(".")[0])
    return _(words) if words else _("Checking")


OUTCOME_WORDS = {
    RemedyOutcome.FIXED: N_("{step}: fixed it"),
    RemedyOutcome.NOT_FIXED: N_("{step}: did not fix it"),
    RemedyOutcome.SKIPPED: N_("{step}: skipped"),
    RemedyOutcome.OFFERED: N_("{step}: offered, not done"),
    RemedyOutcome.COULD_NOT_VERIFY: N_("{step}: done, could not check whether it worked"),
}


def status_label(status: FindingStatus) -> str:
    """The status word of a finding, in the current language (the report's own words)."""
    return _(STATUS_LABELS[status])


def percent(probability: float) -> str:
    """A probability as a percentage, for the current language."""
    from babel.numbers import format_percent

    text: str = format_percent(probability, locale=current_language())
    return text


# --- screens -------------------------------------------------------------------------------------


def question_screen(question: QuestionSpec, lang: str) -> Screen:
    """A question the probes cannot answer, with "I don't know"."""
    options = [Option(key, label) for key, label in question.answer_labels(lang)]
    own_unsure = any(key in UNSURE_ANSWERS for key, _label in question.answers)
    if question.kind is not QuestionKind.EXPERIMENT and not own_unsure:
        options.append(Option(DONT_KNOW, _("I don't know")))
    lines = tuple(question.steps_in(lang))
    return Screen(
        name="question",
        blocks=(Block(heading=question.text_in(lang), lines=lines, style=LineStyle.NUMBERED),),
        options=tuple(options),
    )


def found_blocks(finding: Finding, *, first: bool) -> list[Block]:
    """What was found: the most likely cause in plain words, and what points at it."""
    status = status_label(finding.status)
    if first:
        heading = _("Most likely: {title} ({status}, {percent})")
    else:
        heading = _("Next most likely: {title} ({status}, {percent})")
    text = heading.format(title=finding.title, status=status, percent=percent(finding.probability))
    blocks = [Block(heading=text, lines=(finding.explanation,) if finding.explanation else (), tone=Tone.BAD)]
    evidence = tuple(tidy(e.text) for e in finding.evidence[:MAX_EVIDENCE])  # as the report says it
    if evidence:
        blocks.append(Block(heading=_("What points to it:"), lines=evidence, style=LineStyle.BULLETS))
    return blocks


def ruled_out_block(findings: Iterable[Finding]) -> Block | None:
    """The causes already ruled out, by title (the first few, and how many more)."""
    titles = [f.title for f in findings if f.status is FindingStatus.RULED_OUT]
    if not titles:
        return None
    shown = titles[:MAX_RULED_OUT]
    if len(titles) > len(shown):
        shown.append(_("and {n} more").format(n=len(titles) - len(shown)))
    return Block(heading=_("Ruled out:"), lines=tuple(shown), style=LineStyle.BULLETS, tone=Tone.GOOD)


def remedy_screen(question: QuestionSpec, lang: str, *, announce: bool, first: bool) -> Screen:
    """A safe fix offered: what was found (when the suspect is new), the steps, what it disturbs."""
    offer = question.offer
    blocks: list[Block] = []
    if offer is not None and announce:
        target = offer.target_finding()
        if target is not None:
            blocks.extend(found_blocks(target, first=first))
            if first:
                ruled_out = ruled_out_block(offer.findings)
                if ruled_out is not None:
                    blocks.append(ruled_out)
    blocks.append(
        Block(
            heading=_("Try this: {title}").format(title=question.text_in(lang)),
            lines=tuple(question.steps_in(lang)),
            style=LineStyle.NUMBERED,
        )
    )
    disrupts = offer.disrupts_in(lang) if offer is not None else None
    if disrupts:
        consent = Block(
            heading=_("What it disturbs: {what}").format(what=disrupts),
            lines=(_("Go ahead only if that is all right now."),),
            tone=Tone.WARN,
        )
    else:
        consent = Block(lines=(_("It disturbs nothing else."),))
    blocks.append(consent)
    blocks.append(Block(lines=(_("When you have done it, choose Done; I then check whether it worked."),)))
    labels = dict(question.answer_labels(lang))
    options = tuple(Option(key, labels[key]) for key in (DONE, SKIP, CANNOT) if key in labels)
    return Screen(name="remedy", blocks=tuple(blocks), options=options)


def checking_again_screen() -> Screen:
    """Said right after "Done": the verifier measures again."""
    return Screen(name="verifying", blocks=(Block(lines=(_("Checking whether it worked..."),)),))


def verdict_screen(result: RemedyResult, entry: MenuEntry, lang: str) -> Screen:
    """What the verifier said: fixed, still not working, or could not check."""
    if result.outcome is RemedyOutcome.FIXED:
        block = Block(heading=_("Fixed: {what}.").format(what=entry.fixed_in(lang)), tone=Tone.GOOD)
    elif result.outcome is RemedyOutcome.NOT_FIXED:
        block = Block(
            heading=_("Still not working."),
            lines=(_("That step did not fix it."),),
            tone=Tone.BAD,
        )
    else:
        block = Block(heading=_("Done, but I could not check whether it worked."), tone=Tone.WARN)
    return Screen(name="verdict", blocks=(block,))


# --- the run's questioner ----------------------------------------------------------------------


class GuidedFlow:
    """The questioner of a guided run: asks through the UI, offers remedies in plain words, says each
    verdict. It is interactive: remedies are offered and verified."""

    interactive = True
    source = "interactive"

    def __init__(self, ui: GuideUI, entry: MenuEntry, lang: str) -> None:
        self.ui = ui
        self.entry = entry
        self.lang = lang
        self.results: list[RemedyResult] = []
        """The verdicts of the remedies the customer did, in order."""
        self._announced: str | None = None
        self._offers = 0
        self._lock = asyncio.Lock()

    async def ask(self, question: QuestionSpec, lang: str) -> str | None:
        """Ask the customer; a remedy is shown with what was found when the suspect is new."""
        if question.kind is QuestionKind.REMEDY:
            offer = question.offer
            target = offer.target if offer is not None else None
            announce = target is not None and target != self._announced
            screen = remedy_screen(question, lang, announce=announce, first=self._announced is None)
            if announce:
                self._announced = target
            self._offers += 1
            answer = await self._choose(screen)
            if answer == DONE:
                await self._show(checking_again_screen())
            return answer
        answer = await self._choose(question_screen(question, lang))
        return None if answer == DONT_KNOW else answer

    async def remedy_result(self, result: RemedyResult, lang: str) -> None:
        """Say what the verifier found."""
        self.results.append(result)
        await self._show(verdict_screen(result, self.entry, lang))

    async def _choose(self, screen: Screen) -> str | None:
        async with self._lock:
            try:
                return await asyncio.to_thread(self.ui.choose, screen)
            except asyncio.CancelledError:
                self.ui.cancel()
                raise

    async def _show(self, screen: Screen) -> None:
        async with self._lock:
            await asyncio.to_thread(self.ui.show, screen)


# --- the end -----------------------------------------------------------------------------------


class EndingKind(StrEnum):
    """How the flow ended."""

    FIXED = "fixed"
    ESCALATE = "escalate"
    NO_PROBLEM = "no_problem"
    NOT_APPLICABLE = "not_applicable"
    INTERRUPTED = "interrupted"


@dataclass(frozen=True)
class Ending:
    """The last screen, and the summary to paste into a booking form (escalations)."""

    kind: EndingKind
    screen: Screen
    summary: str | None = None


def fixed_by(report: Report) -> str | None:
    """The title of the remedy whose verifier passed, if any."""
    for finding in report.findings:
        for remedy in finding.remedies:
            if remedy.outcome is RemedyOutcome.FIXED:
                return remedy.title
    return None


def tried(report: Report) -> list[tuple[str, RemedyOutcome]]:
    """Each remedy offered (once, though several findings list it) with what became of it."""
    seen: dict[str, tuple[str, RemedyOutcome]] = {}
    for finding in report.findings:
        for remedy in finding.remedies:
            if remedy.outcome is not None and remedy.id not in seen:
                seen[remedy.id] = (remedy.title, remedy.outcome)
    return list(seen.values())


def handover_summary(report: Report, problem: str) -> str:
    """A short summary to paste into a booking form or a ticket: the problem, what was found and
    ruled out, what was tried, and the report's id (in the current language)."""
    lines = [_("Problem: {problem}").format(problem=problem)]
    problems = sorted(
        (f for f in report.findings if f.status.is_problem or f.status is FindingStatus.POSSIBLE),
        key=lambda f: (-f.probability, f.code),
    )
    if problems:
        top = problems[0]
        lines.append(
            _("Most likely cause: {title} ({status}, {percent}) [{code}]").format(
                title=top.title,
                status=status_label(top.status),
                percent=percent(top.probability),
                code=top.code,
            )
        )
        others = [f"{f.title} ({percent(f.probability)})" for f in problems[1:3] if f.probability >= ALSO]
        if others:
            lines.append(_("Also possible: {causes}").format(causes="; ".join(others)))
    else:
        lines.append(_("Most likely cause: none found by the checks"))
    ruled = [f.title for f in report.findings if f.status is FindingStatus.RULED_OUT]
    if ruled:
        lines.append(_("Ruled out: {causes}").format(causes="; ".join(ruled)))
    attempts = [_(OUTCOME_WORDS[outcome]).format(step=title) for title, outcome in tried(report)]
    lines.append(_("Tried: {steps}").format(steps="; ".join(attempts) if attempts else _("nothing yet")))
    if not report.complete:
        lines.append(_("Note: some checks could not finish; the report says which."))
    report_line = _("Report: {run_id} (homediag {version})")
    lines.append(report_line.format(run_id=report.run_id, version=report.tool_version))
    return "\n".join(lines)


def ending(
    report: Report,
    entry: MenuEntry,
    *,
    lang: str,
    saved: Path | None,
    playbooks: PlaybookSet | None = None,
) -> Ending:
    """The end of the flow: fixed (and what fixed it), or the escalation with the saved report and the
    summary to paste; also nothing found (a checkup), does not apply, or interrupted.

    ``report`` is the report as it was saved (redacted): the summary is made from it.
    """
    where = saved_blocks(saved)
    if report.interrupted_by:
        block = Block(heading=_("Stopped. What was checked so far is in the report."))
        return Ending(EndingKind.INTERRUPTED, Screen("end", (block, *where)))
    remedy = fixed_by(report)
    if remedy is not None:
        block = Block(heading=_("What fixed it: {step}").format(step=remedy), tone=Tone.GOOD)
        return Ending(EndingKind.FIXED, _with_details(Screen("end", (block, *where))))
    if report.not_applicable and report.complete:
        reason = report.not_applicable
        block = Block(heading=_("This check does not apply here: {reason}").format(reason=reason))
        return Ending(EndingKind.NOT_APPLICABLE, Screen("end", (block, *where)))
    top = report.top_finding()
    if top is None and report.complete and entry.complaint == CHECKUP:
        block = Block(heading=_("No problem found."), tone=Tone.GOOD)
        return Ending(EndingKind.NO_PROBLEM, _with_details(Screen("end", (block, *where))))
    summary = handover_summary(report, entry.text_in(lang))
    heading, text = _escalation_texts(entry, playbooks, lang)
    lines = [text] if text else []
    if top is None:
        lines.insert(0, _("The checks found no cause they can name; a technician can look further."))
    blocks = (
        Block(heading=heading, lines=tuple(lines), tone=Tone.WARN),
        Block(
            heading=_("Summary to paste into the booking form or ticket:"),
            lines=tuple(summary.splitlines()),
            style=LineStyle.VERBATIM,
        ),
        *where,
    )
    return Ending(EndingKind.ESCALATE, _with_details(Screen("end", blocks)), summary)


def saved_blocks(saved: Path | None) -> tuple[Block, ...]:
    """Where the report is: its path on a line of its own, to copy."""
    if saved is None:
        return (Block(lines=(_("The report could not be saved (see the warning above)."),), tone=Tone.WARN),)
    return (
        Block(heading=_("The report is saved (private details removed):")),
        Block(lines=(str(saved),), style=LineStyle.VERBATIM),
    )


def _with_details(screen: Screen) -> Screen:
    options = (Option(DETAILS, _("Show the details for the technician")), Option(FINISH, _("Finish")))
    return Screen(screen.name, screen.blocks, options)


def _escalation_texts(entry: MenuEntry, playbooks: PlaybookSet | None, lang: str) -> tuple[str, str | None]:
    if playbooks is not None:
        try:
            escalation = playbooks.get(entry.playbook).spec.escalation
        except KeyError:
            pass
        else:
            title = escalation.title.get(lang) or escalation.title["en"]
            text = escalation.text.get(lang) or escalation.text["en"]
            return title, text
    return _("This needs a technician."), None
