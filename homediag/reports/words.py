"""The seam as the view builder uses it: every text of a report for people, made inert and capped.

:class:`Words` names each text by what it is made of (:class:`~homediag.reports.texts.TextRef`), asks
the view's :class:`~homediag.reports.texts.Texts` for it, and makes the answer inert. The helpers
below word devices the same way everywhere (tables, the map, "about" lines).
"""

from __future__ import annotations

from homediag.core.i18n import N_
from homediag.core.model import Device, EvidenceItem, Finding, Remedy, Report
from homediag.reports import focus
from homediag.reports.labels import KIND_LABELS
from homediag.reports.sanitize import inert
from homediag.reports.texts import Say, TextKind, TextRef, Texts
from homediag.reports.view import DeviceRow

TITLE_CHARS = 200
TEXT_CHARS = 1000
LINE_CHARS = 256


class Words:
    """The texts of one report, through the seam."""

    def __init__(self, report: Report, texts: Texts) -> None:
        self.report = report
        self.texts = texts
        self.say = Say(texts)
        self.technician = report.context.audience == "technician"
        self.tests = focus.advisory_tests(report)
        """The tests that are evidence for an advisory (:func:`homediag.reports.focus.advisory_tests`)."""

    def text(self, ref: TextRef, cap: int = LINE_CHARS) -> str:
        """A text for people through the seam, made inert and capped."""
        return inert(self.texts.text(ref), cap)

    def _finding_ref(self, kind: TextKind, finding: Finding, stored: str) -> TextRef:
        return TextRef(kind, stored, playbook=finding.playbook, code=finding.code, cause=finding.cause)

    def title(self, finding: Finding) -> str:
        """The finding's title."""
        return self.text(self._finding_ref(TextKind.FINDING_TITLE, finding, finding.title), TITLE_CHARS)

    def evidence_text(self, finding: Finding, item: EvidenceItem) -> str:
        """One piece of evidence, without a detail that repeats it."""
        ref = TextRef(TextKind.EVIDENCE, item.text, playbook=finding.playbook, code=finding.code,
                      cause=finding.cause, test=item.test, outcome=item.outcome, fact=item.fact,
                      detail=item.detail, value=item.value, unit=item.unit)  # fmt: skip
        return focus.tidy(self.text(ref))

    def remedy_title(self, finding: Finding, remedy: Remedy) -> str:
        """The remedy's title."""
        ref = TextRef(TextKind.REMEDY_TITLE, remedy.title, playbook=finding.playbook, code=finding.code,
                      cause=finding.cause, remedy=remedy.id)  # fmt: skip
        return self.text(ref, TITLE_CHARS)

    def details(self, finding: Finding) -> str:
        """Technician details (empty for customers)."""
        if not self.technician or not finding.details:
            return ""
        return self.text(self._finding_ref(TextKind.FINDING_DETAILS, finding, finding.details), TEXT_CHARS)

    def subject(self, finding: Finding) -> str:
        """A readable "about" for the finding's subject (empty when it has none)."""
        return self.subject_of(finding.subject) if finding.subject else ""

    def subject_of(self, subject: str) -> str:
        """A readable "about" for an observation's or a finding's subject."""
        if not subject or subject == "local":
            return self.say(N_("this computer"))
        if subject == "gateway":
            return self.say(N_("router"))
        kind, _sep, rest = subject.partition(":")
        if kind == "device":
            for device in self.report.devices:
                if device.id == rest:
                    return device_label(self.say, device)
        return inert(subject, 60)


def kind_label(say: Say, device: Device) -> str:
    """The kind of ``device`` in words."""
    return say(KIND_LABELS[device.kind])


def device_label(say: Say, device: Device) -> str:
    """What to call a device: its first name, else its vendor and kind."""
    if device.names:
        return inert(device.names[0], 60)
    if device.vendor:
        return f"{inert(device.vendor, 40)} {kind_label(say, device)}"
    return kind_label(say, device)


def device_row(say: Say, device: Device) -> DeviceRow:
    """``device`` as a row of the device tables."""
    return DeviceRow(
        kind=kind_label(say, device),
        names=tuple(inert(n, 80) for n in device.names[:3]),
        address=inert(device.ip or "", 64),
        mac=inert(device.mac or "", 40),
        random_mac=device.random_mac,
        vendor=inert(device.vendor or "", 60),
        services=tuple(inert(t, 60) for t in sorted({s.type for s in device.services})[:6]),
    )


def as_sentence(text: str) -> str:
    """``text`` as a sentence: a capital first letter and a full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?", ")", "…")) else text + "."
