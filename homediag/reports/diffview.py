"""The view of ``report diff`` (:class:`~homediag.reports.view.DiffView`): the changes worded once.

:func:`homediag.reports.diff.diff_reports` finds what changed; this words it through the seam
(:class:`~homediag.reports.texts.Say`), every value made inert, so the terminal only formats it.
"""

from __future__ import annotations

from homediag.core.i18n import N_
from homediag.core.model import FindingStatus
from homediag.reports.diff import Change, DeviceChange, FindingChange, ReportDiff
from homediag.reports.labels import FACT_LABELS, KIND_LABELS, STATUS_LABELS
from homediag.reports.sanitize import inert
from homediag.reports.texts import Say, TextKind, TextRef
from homediag.reports.view import DiffRow, DiffTable, DiffView

CHANGE_WORDS = {
    Change.CAME: N_("came"),
    Change.WENT: N_("went"),
    Change.CHANGED: N_("changed"),
    Change.RESOLVED: N_("resolved"),
    Change.NEW: N_("new"),
}


def diff_view(diff: ReportDiff, say: Say) -> DiffView:
    """What changed from one report to the other, in words."""
    old = inert(diff.old_time[:16].replace("T", " "), 20)
    new = inert(diff.new_time[:16].replace("T", " "), 20)
    heading = say(N_("Changes from {old} to {new}")).format(old=old, new=new)
    warnings = tuple(inert(w, 200) for w in diff.warnings)
    if diff.empty:
        return DiffView(heading, warnings, (), say(N_("Nothing changed.")))
    tables = []
    if diff.findings:
        findings = tuple(
            _row(say, f.change, _title(say, f), inert(f.code, 60), _status(say, f.before),
                 _status(say, f.after))
            for f in diff.findings
        )
        tables.append(_table(say, N_("Findings"), (N_("Change"), N_("Problem"), N_("Code"), N_("Before"),
                                                   N_("After")), findings))  # fmt: skip
    if diff.devices:
        devices = tuple(
            _row(say, d.change, inert(d.name, 60), _kind(say, d.kind), inert(_details(say, d), 120))
            for d in diff.devices
        )
        columns: tuple[str, ...] = (N_("Change"), N_("Name"), N_("Kind"), N_("Details"))
        tables.append(_table(say, N_("Devices"), columns, devices))
    if diff.measurements:
        measurements = tuple(
            DiffRow("", "", (say(FACT_LABELS[m.fact]) if m.fact in FACT_LABELS else inert(m.fact, 60),
                             inert(m.subject, 40), say.value(m.before, m.unit),
                             say.value(m.after, m.unit), _relative(say, m.relative)))
            for m in diff.measurements
        )  # fmt: skip
        columns = (N_("Fact"), N_("About"), N_("Before"), N_("After"), N_("Change"))
        tables.append(_table(say, N_("Measurements that changed"), columns, measurements))
    return DiffView(heading, warnings, tuple(tables), None)


def _table(say: Say, title: str, columns: tuple[str, ...], rows: tuple[DiffRow, ...]) -> DiffTable:
    return DiffTable(say(title), tuple(say(c) for c in columns), rows)


def _row(say: Say, change: Change, *cells: str) -> DiffRow:
    return DiffRow(say(CHANGE_WORDS[change]), change.value, cells)


def _title(say: Say, change: FindingChange) -> str:
    ref = TextRef(TextKind.FINDING_TITLE, change.title, playbook=change.playbook, code=change.code,
                  cause=change.cause)  # fmt: skip
    return inert(say.texts.text(ref), 80)


def _kind(say: Say, kind: str) -> str:
    for known, label in KIND_LABELS.items():
        if known.value == kind:
            return say(label)
    return inert(kind, 20)


_CHANGED = {
    "address": N_("address {old} → {new}"),
    "kind": N_("kind {old} → {new}"),
    "names": N_("names {old} → {new}"),
}


def _details(say: Say, change: DeviceChange) -> str:
    """What changed about a device, in words (a device that came or went: its address)."""
    if not change.changed:
        return say.semicolon.join(change.details)
    parts = []
    for what, before, after in change.changed:
        old, new = (_kind(say, before), _kind(say, after)) if what == "kind" else (before, after)
        parts.append(say(_CHANGED[what]).format(old=old, new=new) if what in _CHANGED else f"{old} → {new}")
    return say.semicolon.join(parts)


def _status(say: Say, status: str | None) -> str:
    if status is None:
        return "—"
    try:
        return say(STATUS_LABELS[FindingStatus(status)])
    except ValueError:
        return inert(status, 30)


def _relative(say: Say, value: float | None) -> str:
    if value is None:
        return ""
    text = say.percent(value)
    return text if value < 0 or text.startswith(("-", "−")) else "+" + text
