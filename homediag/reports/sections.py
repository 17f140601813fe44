"""The plainer parts of a report view: labels, meta, trace, evaluation errors, privacy, baseline.

Helpers of :mod:`homediag.reports.compose`; each reads the report and words its part through the seam
(:class:`~homediag.reports.texts.Say`), every value made inert.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from homediag.core.i18n import N_
from homediag.core.model import Report
from homediag.core.outcomes import outcome_word
from homediag.reports.labels import KIND_LABELS, TRACE_ACTION_LABELS
from homediag.reports.sanitize import inert
from homediag.reports.texts import Say, TextKind, TextRef
from homediag.reports.view import BaselineView, EvaluationError, Labels, Meta, Privacy, TraceLine

MAX_BASELINE_LINES = 20


def labels(say: Say) -> Labels:
    """The fixed words of a report."""
    return Labels(
        title=say(N_("Network diagnosis")),
        verdict=say(N_("Verdict")),
        verdict_colon=say(N_("Verdict:")),
        next_step_colon=say(N_("Next step:")),
        faults=say(N_("What is wrong")),
        advisories=say(N_("Worth fixing")),
        advisories_intro=say(N_("These cause no problem by themselves, but are worth fixing.")),
        together_colon=say(N_("together:")),
        evidence=say(N_("Evidence")),
        evidence_against=say(N_("Evidence against")),
        what_to_do=say(N_("What to do")),
        ruled_out=say(N_("Ruled out")),
        decided_by=say(N_("decided by")),
        open_causes=say(N_("Not checked")),
        devices=say(N_("Devices")),
        kind=say(N_("Kind")),
        name=say(N_("Name")),
        names=say(N_("Names")),
        address=say(N_("Address")),
        mac=say(N_("MAC address")),
        mac_short=say(N_("MAC")),
        vendor=say(N_("Vendor")),
        services=say(N_("Services")),
        no_devices=say(N_("No devices were found.")),
        map=say(N_("Network map")),
        charts=say(N_("Measurements in pictures")),
        measurements=say(N_("Measurements")),
        measurement=say(N_("Measurement")),
        about=say(N_("About")),
        value=say(N_("Value")),
        timeline=say(N_("Timeline")),
        questions=say(N_("Questions")),
        question=say(N_("Question")),
        answer=say(N_("Answer")),
        trace=say(N_("How homediag narrowed it down")),
        errors=say(N_("Rules that could not be evaluated")),
        checks_run=say(N_("Checks run")),
        checks_failed=say(N_("Checks that did not run or finish")),
        check=say(N_("Check")),
        outcome=say(N_("Outcome")),
        time=say(N_("Time")),
        note=say(N_("Note")),
        baseline=say(N_("Since the earlier report")),
        technician_note=say(N_("Technician's note")),
        technician_note_colon=say(N_("Technician's note:")),
        raw=say(N_("Raw observations")),
        fact=say(N_("Fact")),
        source=say(N_("Source")),
        date=say(N_("Date:")),
        customer=say(N_("Customer:")),
        site=say(N_("Site:")),
        ticket=say(N_("Ticket:")),
        privacy=say(N_("Privacy:")),
        for_technicians=say(N_("for technicians")),
        colon=say.colon,
    )


def meta(report: Report) -> Meta:
    """When the report was made, for whom."""
    m = report.meta
    return Meta(
        date=inert(report.finished_at[:16].replace("T", " "), 20) + " UTC",
        customer=inert(m.customer, 120) if m.customer else None,
        site=inert(m.site, 120) if m.site else None,
        ticket=inert(m.ticket, 60) if m.ticket else None,
        note=inert(m.note, 4000, keep_newlines=True) if m.note else None,
        technician=report.context.audience == "technician",
    )


def privacy(report: Report, say: Say) -> Privacy:
    """What the reader may do with the report, and what redaction replaced."""
    full = report.privacy_level != "redacted"
    if full:
        return Privacy(say(N_("This report contains private details of the network: do not share it.")), True)
    note = say(
        N_(
            "Private details (device names, network names, MAC and public addresses) are replaced "
            "by tokens; this report can be shared."
        )
    )
    if not report.redaction:
        replaced = say(N_("Nothing needed replacing."))
    else:
        counts = ", ".join(f"{inert(k, 30)} {v}" for k, v in sorted(report.redaction.items()))
        replaced = say(N_("Replaced: {counts}")).format(counts=counts)
    return Privacy(note, False, replaced)


# --- trace --------------------------------------------------------------------------------------------


def trace_lines(report: Report, say: Say) -> tuple[TraceLine, ...]:
    """The engine's steps, one line each: test, outcome, what it ruled in or out, an error."""
    lines = []
    for index, step in enumerate(report.trace, start=1):
        n = _step_number(step, index)
        raw_action = str(step.get("action") or "")
        known = TRACE_ACTION_LABELS.get(raw_action)
        action = say(known) if known is not None else inert(raw_action, 30)
        parts: list[str] = []
        test, outcome = step.get("test"), step.get("outcome")
        if test:
            parts.append(
                say(N_("{test} gave {outcome}")).format(
                    test=inert(test, 60), outcome=inert(outcome_word(str(outcome), say.lang), 60)
                )
                if outcome is not None
                else inert(test, 60)
            )
        ruled_out = _codes(say, step.get("ruled_out"))
        if ruled_out:
            parts.append(say(N_("ruled out {codes}")).format(codes=", ".join(ruled_out)))
        ruled_in = _codes(say, step.get("ruled_in"))
        if ruled_in:
            parts.append(say(N_("points to {codes}")).format(codes=", ".join(ruled_in)))
        note = step.get("note")
        if note:
            parts.append(inert(say.texts.text(TextRef(TextKind.TRACE_NOTE, str(note), index=n)), 200))
        error = inert(step.get("error"), 300) if step.get("error") else None
        if error:
            parts.append(say(N_("could not be evaluated: {error}")).format(error=error))
        lines.append(TraceLine(n, action, say.semicolon.join(parts) or action, error))
    return tuple(lines)


def _step_number(step: Mapping[str, Any], index: int) -> int:
    n = step.get("n")
    return n if isinstance(n, int) and not isinstance(n, bool) else index


def _codes(say: Say, entries: Any) -> list[str]:
    if not isinstance(entries, Sequence) or isinstance(entries, str):
        return []
    codes = []
    for entry in entries[:8]:
        if isinstance(entry, Mapping):
            code = entry.get("code") or entry.get("cause")
            if code:
                ratio = entry.get("likelihood_ratio")
                suffix = (
                    f" (×{say.number(float(ratio), 2)})"
                    if isinstance(ratio, int | float) and not isinstance(ratio, bool)
                    else ""
                )
                codes.append(inert(code, 60) + suffix)
    return codes


def evaluation_errors(report: Report, say: Say) -> tuple[EvaluationError, ...]:
    """The expressions that failed to evaluate (the report is then incomplete), one per trace step."""
    errors = []
    for index, step in enumerate(report.trace, start=1):
        if not step.get("error"):
            continue
        n = _step_number(step, index)
        playbook = inert(step.get("playbook") or "?", 40)
        test = inert(step.get("test") or "?", 60)
        message = inert(step.get("error"), 300)
        sentence = say(N_("Step {n} ({playbook}, test {test}): {error}")).format(
            n=n, playbook=playbook, test=test, error=message
        )
        errors.append(EvaluationError(n, playbook, test, message, sentence))
    return tuple(errors)


# --- baseline -------------------------------------------------------------------------------------------


def baseline(report: Report, say: Say) -> BaselineView | None:
    """What changed since the report given with ``--baseline`` (None without one)."""
    data = report.baseline
    if not isinstance(data, Mapping):
        return None
    when = inert(str(data.get("baseline_time") or data.get("baseline_run") or "?")[:16].replace("T", " "), 20)
    count = data.get("device_count")
    summary = say(N_("Compared with the report of {when} ({n} devices then).")).format(
        when=when, n=count if isinstance(count, int) and not isinstance(count, bool) else "?"
    )
    lines: list[str] = []
    for entry in _entries(data.get("missing_devices")):
        lines.append(say(N_("{kind} {name} ({address}) no longer answers")).format(
            kind=_kind(say, entry.get("kind")), name=inert(entry.get("name") or "", 60),
            address=inert(entry.get("ip") or "—", 46)))  # fmt: skip
    for entry in _entries(data.get("moved_devices")):
        old, new = inert(entry.get("old_ip") or "—", 46), inert(entry.get("new_ip") or "—", 46)
        name = inert(entry.get("name") or "", 60)
        lines.append(say(N_("{kind} {name} moved from {old} to {new}")).format(
            kind=_kind(say, entry.get("kind")), name=name, old=old, new=new))  # fmt: skip
    if not lines and ("missing_devices" in data or "moved_devices" in data):
        lines.append(say(N_("Every device of the earlier report still answers at its address.")))
    return BaselineView(summary, tuple(" ".join(line.split()) for line in lines[:MAX_BASELINE_LINES]))


def _entries(value: Any) -> list[Mapping[str, Any]]:
    if not isinstance(value, list):
        return []
    return [entry for entry in value[:MAX_BASELINE_LINES] if isinstance(entry, Mapping)]


def _kind(say: Say, value: Any) -> str:
    for kind, label in KIND_LABELS.items():
        if kind.value == value:
            return say(label)
    return inert(value or "", 20)
