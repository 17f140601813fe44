"""Build the view of a report (:class:`~homediag.reports.view.ReportView`) once, for every renderer.

:func:`build_view` reads the prepared report (redacted, or full with ``--no-redact``) and works out
what each human rendering shows, in this order: the verdict (the top *fault*, never an advisory) and
the next step, why the report is incomplete, the faults, the advisories, the causes ruled out (each
with its deciding evidence once) and those not checked, the devices (all of them for a checkup, a
technician or ``--devices``; else those the findings name), the network map and charts, the
measurements, questions, trace, evaluation errors (technicians), checks run, baseline comparison, note
and privacy. :mod:`homediag.reports.focus` decides what matters; this module words it.

Every text for people passes the seam (:class:`~homediag.reports.texts.Texts`) and is then made inert
and capped here, once: renderers escape for their medium and nothing else.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from homediag.core.i18n import N_, current_language
from homediag.core.model import (
    Device,
    EvidenceItem,
    Finding,
    FindingStatus,
    Observation,
    Outcome,
    ProbeRun,
    Remedy,
    Report,
)
from homediag.reports import charts, focus, sections, watchview
from homediag.reports.labels import (
    COMPLAINT_LABELS,
    FACT_LABELS,
    OUTCOME_LABELS,
    REMEDY_OUTCOME_LABELS,
    STATUS_LABELS,
    VALUE_LABELS,
)
from homediag.reports.netmap import network_map
from homediag.reports.sanitize import inert
from homediag.reports.svg import Figure
from homediag.reports.texts import Say, StoredTexts, TextKind, TextRef, Texts
from homediag.reports.verdict import incomplete, verdict
from homediag.reports.view import (
    DeviceRow,
    DevicesView,
    EvidenceLine,
    FindingView,
    MeasurementView,
    OpenCauseView,
    QuestionView,
    RawObservation,
    RemedyView,
    ReportView,
    RuledOutView,
    RunStyle,
    RunView,
)
from homediag.reports.words import (
    LINE_CHARS,
    TEXT_CHARS,
    Words,
    as_sentence,
    device_label,
    device_row,
    kind_label,
)

MAX_EVIDENCE = 20
MAX_REMEDIES = 10
MAX_STEPS = 20
CHARTS = (
    watchview.timeline_chart,
    charts.latency_chart,
    charts.round_trip_chart,
    charts.speed_chart,
    charts.wifi_chart,
)
_BAD_RUNS = frozenset({Outcome.ERROR, Outcome.TIMEOUT, Outcome.CANCELLED})


@dataclass(frozen=True)
class ViewOptions:
    """What the reader asked to see."""

    all_devices: bool = False
    """``--devices``: the whole device table, whatever the complaint."""


def build_view(
    report: Report, *, texts: Texts | None = None, lang: str | None = None, options: ViewOptions | None = None
) -> ReportView:
    """The view of ``report`` with texts from ``texts`` (default: as stored, labels in ``lang``, else
    the current language)."""
    source = texts or StoredTexts(lang or current_language(), recorded=report.context.lang)
    view = _Composer(report, source, options or ViewOptions()).view()
    return dataclasses.replace(view, notes=tuple(inert(note, TEXT_CHARS) for note in source.notes()))


def device_rows(devices: Sequence[Device], texts: Texts | None = None) -> tuple[DeviceRow, ...]:
    """Rows of a device table (``homediag scan``), labelled through ``texts``."""
    say = Say(texts or StoredTexts(current_language()))
    return tuple(device_row(say, d) for d in devices)


class _Composer(Words):
    """Works one report into its view (one instance per view)."""

    def __init__(self, report: Report, texts: Texts, options: ViewOptions) -> None:
        super().__init__(report, texts)
        self.options = options

    # --- the whole view -------------------------------------------------------------------------------

    def view(self) -> ReportView:
        """The view."""
        report, say = self.report, self.say
        faults, advisories = focus.faults(report), focus.advisories(report)
        complaint = self.complaint()
        devices = self.devices([*faults, *advisories])
        return ReportView(
            lang=say.lang,
            labels=sections.labels(say),
            complaint=complaint,
            heading=say(N_("Network diagnosis — {complaint}")).format(complaint=complaint),
            meta=sections.meta(report),
            verdict=verdict(self, faults, advisories),
            incomplete=incomplete(report, say),
            faults=tuple(self.finding(f) for f in faults),
            advisories=tuple(self.finding(f, advisory=True) for f in advisories),
            ruled_out=tuple(
                self.ruled_out(f) for f in report.findings if f.status is FindingStatus.RULED_OUT
            ),
            open_causes=tuple(
                OpenCauseView(self.title(f), inert(f.code, 60), say(STATUS_LABELS[f.status]), self.details(f))
                for f in focus.open_causes(report)
            ),
            devices=devices,
            network_map=self.network_map({d.id for f in [*faults, *advisories] for d in self.named(f)}),
            measurements=self.measurements(),
            charts=tuple(figure for draw in CHARTS if (figure := draw(report, say)) is not None),
            outages=watchview.outages(report, say),
            speedtests=watchview.speedtests(report, say),
            questions=self.questions(),
            trace=sections.trace_lines(report, say),
            errors=sections.evaluation_errors(report, say) if self.technician else (),
            runs=tuple(self.run(r) for r in report.probe_runs),
            raw=self.raw(),
            privacy=sections.privacy(report, say),
            footer=say(N_("homediag {version} · report schema {schema} · run {run}")).format(
                version=inert(report.tool_version or "?", 30), schema="1", run=inert(report.run_id, 40)
            ),
            baseline=sections.baseline(report, say),
        )

    def complaint(self) -> str:
        """The complaint's name: its playbook's title as the report records it, else our own word."""
        name = self.report.complaint or "checkup"
        stored = ""
        for ref in self.report.playbooks:
            if ref.id == name and ref.title:
                stored = ref.title.get(self.say.lang) or ref.title.get("en") or ""
                break
        if not stored:
            stored = self.say(COMPLAINT_LABELS[name]) if name in COMPLAINT_LABELS else name
        return self.text(TextRef(TextKind.COMPLAINT, stored, playbook=name), 120)

    # --- findings -------------------------------------------------------------------------------------

    def finding(self, finding: Finding, *, advisory: bool = False) -> FindingView:
        """A fault or an advisory."""
        say = self.say
        shown = focus.evidence(finding, self.tests)
        explanation = self._finding_ref(TextKind.FINDING_EXPLANATION, finding, finding.explanation)
        return FindingView(
            code=inert(finding.code, 60),
            status=finding.status.value,
            status_label=say(STATUS_LABELS[finding.status]),
            title=self.title(finding),
            probability=None if advisory else say.percent(finding.probability),
            explanation=self.text(explanation, TEXT_CHARS) if finding.explanation else "",
            details=self.details(finding),
            about=self.subject(finding),
            together=tuple(inert(m, 60) for m in focus.together(finding)[:8]),
            evidence=self.evidence_lines(finding, shown.for_),
            evidence_against=self.evidence_lines(finding, shown.against),
            remedies=tuple(self.remedy(finding, r) for r in finding.remedies[:MAX_REMEDIES]),
            seen=watchview.seen(say, finding),
        )

    def evidence_lines(self, finding: Finding, items: Sequence[EvidenceItem]) -> tuple[EvidenceLine, ...]:
        """Evidence lines, each once."""
        lines: dict[str, EvidenceLine] = {}
        for item in items[:MAX_EVIDENCE]:
            text = self.evidence_text(finding, item)
            ratio = self.say.number(item.likelihood_ratio, 2) if item.likelihood_ratio is not None else None
            lines.setdefault(text, EvidenceLine(text, ratio))
        return tuple(lines.values())

    def remedy(self, finding: Finding, remedy: Remedy) -> RemedyView:
        """A remedy with who may do it and what happened when it was offered."""
        say = self.say
        flags = [say(N_("safe to do yourself")) if remedy.safe_for_customer else say(N_("for technicians"))]
        if remedy.needs_consent:
            flags.append(say(N_("ask the owner first")))
        if remedy.disruptive:
            flags.append(say(N_("interrupts the network or the device")))
        if remedy.costs_money:
            flags.append(say(N_("costs money")))
        refs = (
            TextRef(TextKind.REMEDY_STEP, step, playbook=finding.playbook, code=finding.code,
                    cause=finding.cause, remedy=remedy.id, index=i)
            for i, step in enumerate(remedy.steps[:MAX_STEPS])
        )  # fmt: skip
        steps = tuple(self.text(ref) for ref in refs)
        outcome = remedy.outcome
        return RemedyView(
            title=self.remedy_title(finding, remedy),
            flags=", ".join(flags),
            steps=steps,
            outcome=say(REMEDY_OUTCOME_LABELS[outcome]) if outcome is not None else None,
            outcome_key=outcome.value if outcome is not None else None,
        )

    def ruled_out(self, finding: Finding) -> RuledOutView:
        """An eliminated cause with the evidence that decided it, once."""
        say = self.say
        title = self.title(finding)
        shown = focus.evidence(finding, self.tests)
        item = focus.deciding(finding, shown)
        test = item.test if item is not None and item.test else finding.decided_by
        if test in self.tests and finding.code not in self.tests[test]:
            test = None  # an advisory's test decides nothing about another finding
        decided_by = inert(test, 60) if test else None
        if item is not None:
            reason = as_sentence(self.evidence_text(finding, item))
        elif decided_by:
            reason = say(N_("The test {test} decided it.")).format(test=decided_by)
        else:
            reason = say(N_("The evidence speaks against it."))
        sentence = say(N_("{title} — ruled out: {reason}")).format(title=title, reason=reason)
        return RuledOutView(title, inert(finding.code, 60), reason, sentence, decided_by)

    def named(self, finding: Finding) -> list[Device]:
        """The devices ``finding`` names."""
        return focus.named_devices(self.report, finding, focus.evidence(finding, self.tests))

    # --- devices, map, measurements ----------------------------------------------------------------

    def devices(self, listed: Sequence[Finding]) -> DevicesView:
        """Every device for a checkup, a technician or ``--devices``; else those the findings name."""
        report, say = self.report, self.say
        total = len(report.devices)
        every = self.options.all_devices or (report.complaint or "checkup") == "checkup" or self.technician
        if every:
            rows = tuple(device_row(say, d) for d in report.devices)
            return DevicesView(say(N_("Devices ({n})")).format(n=total), rows, total)
        named = focus.devices_of_interest(report, listed, self.tests)
        hidden = total - len(named)
        note = None
        if hidden:
            note = say.ngettext(
                "{n} other device on the network is not shown.",
                "{n} other devices on the network are not shown.",
                hidden,
            ).format(n=hidden)
        title = say(N_("Devices concerned ({n} of {total})")).format(n=len(named), total=total)
        return DevicesView(title, tuple(device_row(say, d) for d in named), total, note)

    def network_map(self, first: set[str]) -> Figure:
        """The network map, the broken parts marked."""
        say = self.say
        return network_map(
            self.report.devices,
            focus.broken_parts(self.report, self.tests),
            say,
            interface=self.report.context.interface,
            label=lambda d: device_label(say, d),
            kind_label=lambda d: kind_label(say, d),
            first=frozenset(first),
        )

    def measurements(self) -> tuple[MeasurementView, ...]:
        """The measurements people care about, labelled, in a fixed order: one row per measurement, and
        a value measured again (a fix verified) as ``before → after``."""
        order = {fact: i for i, fact in enumerate(FACT_LABELS)}
        series: dict[tuple[str, str], list[Observation]] = {}
        for o in self.report.observations:  # in the order they were made
            if o.fact in FACT_LABELS and not isinstance(o.value, list | dict):
                series.setdefault((o.fact, o.subject), []).append(o)
        rows = sorted(series.items(), key=lambda item: (order[item[0][0]], item[0][1]))
        return tuple(
            MeasurementView(
                label=self.say(FACT_LABELS[fact]),
                about=self.subject_of(subject),
                value=self._measured(taken[0])
                if self._measured(taken[0]) == self._measured(taken[-1])
                else f"{self._measured(taken[0])} → {self._measured(taken[-1])}",
                fact=fact,
            )
            for (fact, subject), taken in rows
        )

    def _measured(self, o: Observation) -> str:
        if isinstance(o.value, str) and (o.fact, o.value) in VALUE_LABELS:
            return self.say(VALUE_LABELS[(o.fact, o.value)])
        return self.say.value(o.value, o.unit)

    # --- the rest -------------------------------------------------------------------------------------

    def questions(self) -> tuple[QuestionView, ...]:
        """The questions and their answers."""
        say = self.say
        views = []
        for q in self.report.questions:
            text = self.text(TextRef(TextKind.QUESTION, q.text, question=q.id))
            if q.answer is None:
                answer = say(N_("not asked"))
            else:
                stored = q.answers.get(q.answer, q.answer)
                answer = self.text(TextRef(TextKind.ANSWER, stored, question=q.id, outcome=q.answer), 100)
            views.append(QuestionView(text, answer))
        return tuple(views)

    def run(self, run: ProbeRun) -> RunView:
        """One probe run."""
        note = (run.error.message if run.error else None) or run.reason or run.method or ""
        style = RunStyle.OK if run.outcome is Outcome.OK else (
            RunStyle.BAD if run.outcome in _BAD_RUNS else RunStyle.OTHER
        )  # fmt: skip
        return RunView(
            probe=inert(run.probe + (f" @ {run.target}" if run.target else ""), 80),
            outcome=self.say(OUTCOME_LABELS[run.outcome]),
            style=style,
            time=f"{self.say.number(run.duration_s, 2)} s",
            note=self.text(TextRef(TextKind.RUN_NOTE, note), 200) if note else "",
        )

    def raw(self) -> tuple[RawObservation, ...]:
        """Every observation as stored."""
        return tuple(
            RawObservation(
                fact=inert(o.fact, 80),
                subject=inert(o.subject, 80),
                value=inert(self.say.value(o.value, o.unit), LINE_CHARS),
                raw=_raw_value(o.value) + (f" {inert(o.unit, 12)}" if o.unit else ""),
                source=inert(o.source, 60),
            )
            for o in self.report.observations
        )


def _raw_value(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return inert(text, LINE_CHARS)
