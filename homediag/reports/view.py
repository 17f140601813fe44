"""The view of a report: everything a human rendering shows, worked out and made inert once.

:func:`homediag.reports.compose.build_view` builds a :class:`ReportView` from a prepared (redacted or
not) report; the terminal, Markdown and HTML renderers only format it — none of them reads the report.
Every string here is already in the reader's language and inert (no control, bidi or zero-width
characters, length capped); each renderer still escapes for its own medium (rich markup, Markdown,
HTML autoescape). Every value is frozen.

The order of the fields is the order of a report: verdict and next step, what kept the run from being
complete, the faults (with evidence for and against, remedies), the advisories (their own section),
the causes ruled out and those not checked, the devices, the measurements and charts, the timeline,
the questions, the trace, the checks run, the baseline comparison, the note, privacy and the footer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from homediag.reports.svg import Figure


class Tone(StrEnum):
    """How the verdict should look: a problem, a warning (partial), or all well."""

    PROBLEM = "problem"
    WARNING = "warning"
    OK = "ok"


class RunStyle(StrEnum):
    """How a check's outcome should look."""

    OK = "ok"
    BAD = "bad"
    """Failed, timed out or cancelled: the report is incomplete."""
    OTHER = "other"
    """Not applicable, skipped or not permitted."""


@dataclass(frozen=True)
class Labels:
    """The fixed words of a report (headings, table headers), in the view's language.

    Labels that end in ``:`` carry their punctuation (French puts a no-break space before it).
    """

    title: str
    verdict: str
    verdict_colon: str
    next_step_colon: str
    faults: str
    advisories: str
    advisories_intro: str
    together_colon: str
    evidence: str
    evidence_against: str
    what_to_do: str
    ruled_out: str
    decided_by: str
    open_causes: str
    devices: str
    kind: str
    name: str
    names: str
    address: str
    mac: str
    mac_short: str
    vendor: str
    services: str
    no_devices: str
    map: str
    charts: str
    measurements: str
    measurement: str
    about: str
    value: str
    timeline: str
    questions: str
    question: str
    answer: str
    trace: str
    errors: str
    checks_run: str
    checks_failed: str
    check: str
    outcome: str
    time: str
    note: str
    baseline: str
    technician_note: str
    technician_note_colon: str
    raw: str
    fact: str
    source: str
    date: str
    customer: str
    site: str
    ticket: str
    privacy: str
    for_technicians: str
    colon: str = ":"
    """A colon as the language sets it after a word (French: ``\u00a0:``), where a renderer joins two
    parts."""


@dataclass(frozen=True)
class Verdict:
    """The one sentence at the top, and what to do next."""

    sentence: str
    tone: Tone
    next_step: str | None = None
    more: str | None = None
    """``and 2 more problem(s), below`` / ``2 thing(s) worth fixing, below``; None when nothing follows."""


@dataclass(frozen=True)
class EvidenceLine:
    """One piece of evidence, with its weight when the report has it (``×40``)."""

    text: str
    ratio: str | None = None


@dataclass(frozen=True)
class RemedyView:
    """A step that fixes a cause: who may do it, its steps, and what happened when it was offered."""

    title: str
    flags: str
    """``safe to do yourself, interrupts the network or the device``."""
    steps: tuple[str, ...] = ()
    outcome: str | None = None
    """What happened when it was offered (``done: the check afterwards passed``); None when it was not."""
    outcome_key: str | None = None
    """The outcome's stable name (``fixed``), for styles."""


@dataclass(frozen=True)
class FindingView:
    """A fault or an advisory as the reader sees it."""

    code: str
    status: str
    """The status's stable name (``confirmed``), for styles."""
    status_label: str
    title: str
    probability: str | None = None
    """``97 %``; None for advisories, which are judged from direct observation."""
    explanation: str = ""
    details: str = ""
    """For technicians (empty in views for customers)."""
    about: str = ""
    """The device or part it concerns (``printer-1``), when the report names it."""
    together: tuple[str, ...] = ()
    """Member codes of a fault that shows only when these hold together."""
    evidence: tuple[EvidenceLine, ...] = ()
    evidence_against: tuple[EvidenceLine, ...] = ()
    remedies: tuple[RemedyView, ...] = ()
    seen: str | None = None
    """``Comes and goes — seen 19:02:10–19:09:40 +0100`` for a fault a watch saw only at times."""


@dataclass(frozen=True)
class RuledOutView:
    """A cause eliminated, and the evidence that decided it (once)."""

    title: str
    code: str
    reason: str
    sentence: str
    """``<title> — ruled out: <reason>``."""
    decided_by: str | None = None


@dataclass(frozen=True)
class OpenCauseView:
    """A cause that could not be judged (deferred or not tested)."""

    title: str
    code: str
    status_label: str
    details: str = ""


@dataclass(frozen=True)
class DeviceRow:
    """One device as the device tables show it."""

    kind: str
    names: tuple[str, ...]
    """Up to three of its names."""
    address: str
    mac: str
    random_mac: bool
    vendor: str
    services: tuple[str, ...]
    """The types of up to six services it offers (``_ipp._tcp``), sorted."""


@dataclass(frozen=True)
class DevicesView:
    """The device table: every device, or only those the findings name."""

    title: str
    rows: tuple[DeviceRow, ...]
    total: int
    """How many devices the report holds."""
    hidden_note: str | None = None
    """``12 other devices are not shown`` when only the named ones are listed."""

    @property
    def shown(self) -> bool:
        """Whether a table is shown at all."""
        return bool(self.rows)


@dataclass(frozen=True)
class MeasurementView:
    """One measurement worth showing, with a label people understand."""

    label: str
    about: str
    value: str
    fact: str


@dataclass(frozen=True)
class TimelineEntry:
    """One moment of a long watch (``homediag watch``): when, what happened, how it looked."""

    time: str
    text: str
    tone: Tone = Tone.OK


@dataclass(frozen=True)
class OutageTable:
    """The outages and degradations of a watch (``homediag watch``), for the provider."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str
    """``Watched 2026-03-01 19:00–23:00 +0100; 3 event(s).``"""
    empty: str
    """What to say when nothing happened."""


@dataclass(frozen=True)
class QuestionView:
    """A question for the user and the answer given (or ``not asked``)."""

    text: str
    answer: str


@dataclass(frozen=True)
class TraceLine:
    """One step of the engine's reasoning, in one line."""

    n: int
    action: str
    text: str
    error: str | None = None
    """The expression that failed to evaluate at this step."""


@dataclass(frozen=True)
class EvaluationError:
    """An expression of a playbook that could not be evaluated (technician detail)."""

    step: int
    playbook: str
    test: str
    message: str
    sentence: str
    """``Step 4 (printer, test queue_moved): <message>``."""


@dataclass(frozen=True)
class RunView:
    """One probe run."""

    probe: str
    outcome: str
    style: RunStyle
    time: str
    note: str


@dataclass(frozen=True)
class RawObservation:
    """One observation as stored (the raw table of Markdown and HTML)."""

    fact: str
    subject: str
    value: str
    """Formatted for people (Markdown)."""
    raw: str
    """The JSON value (HTML)."""
    source: str


@dataclass(frozen=True)
class BaselineView:
    """What changed since the report given with ``--baseline``."""

    summary: str
    """``Compared with the report of 2026-03-01 09:00 (14 devices).``"""
    lines: tuple[str, ...] = ()
    """One line per device that vanished or moved."""


@dataclass(frozen=True)
class Meta:
    """Who and what the report is for, and when it was made."""

    date: str
    customer: str | None = None
    site: str | None = None
    ticket: str | None = None
    note: str | None = None
    technician: bool = False


@dataclass(frozen=True)
class Privacy:
    """What the reader may do with the report."""

    note: str
    full: bool
    """Whether the report holds private details (``--no-redact``)."""
    redaction: str | None = None
    """What redaction replaced, per class (None for full reports)."""


@dataclass(frozen=True)
class ReportView:
    """Everything a human rendering of one report shows, in the reader's language, made inert."""

    lang: str
    labels: Labels
    complaint: str
    heading: str
    """``Network diagnosis — The printer does not print``."""
    meta: Meta
    verdict: Verdict
    incomplete: str | None
    """A plain sentence on why the report is incomplete; None when it is complete."""
    faults: tuple[FindingView, ...]
    advisories: tuple[FindingView, ...]
    ruled_out: tuple[RuledOutView, ...]
    open_causes: tuple[OpenCauseView, ...]
    devices: DevicesView
    network_map: Figure
    measurements: tuple[MeasurementView, ...]
    charts: tuple[Figure, ...]
    questions: tuple[QuestionView, ...]
    trace: tuple[TraceLine, ...]
    errors: tuple[EvaluationError, ...]
    """Evaluation errors, for technicians (empty in views for customers)."""
    runs: tuple[RunView, ...]
    raw: tuple[RawObservation, ...]
    privacy: Privacy
    footer: str
    baseline: BaselineView | None = None
    timeline: tuple[TimelineEntry, ...] = ()
    """Filled by ``homediag watch``; empty for one-off runs."""
    outages: OutageTable | None = None
    """The events of a watch report (None for one-off runs)."""
    speedtests: OutageTable | None = None
    """The speed tests of a watch report (None when it ran none)."""
    notes: tuple[str, ...] = field(default_factory=tuple)
    """Notes on how the view was built (e.g. texts shown as stored because their playbook is unknown)."""

    @property
    def technician(self) -> bool:
        """Whether the report is for a technician."""
        return self.meta.technician

    @property
    def failed_runs(self) -> tuple[RunView, ...]:
        """Checks that did not run or finish."""
        return tuple(run for run in self.runs if run.style is not RunStyle.OK)


# --- report diff ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffRow:
    """One row of a diff table: how it changed (word and stable name), then its cells."""

    change: str
    change_key: str
    """``came``, ``went``, ``changed``, ``resolved``, ``new``: for styles."""
    cells: tuple[str, ...]


@dataclass(frozen=True)
class DiffTable:
    """One table of a diff: findings, devices or measurements."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[DiffRow, ...]


@dataclass(frozen=True)
class DiffView:
    """``report diff`` for people: a heading, warnings, the tables of what changed."""

    heading: str
    warnings: tuple[str, ...]
    tables: tuple[DiffTable, ...]
    nothing_changed: str | None
    """``Nothing changed.`` when nothing did, else None."""
