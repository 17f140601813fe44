"""The HTML report: one self-contained file that opens offline in any browser and prints well.

Rendered with jinja2 and autoescaping from the report alone. It has no script and loads nothing: styles
are inline, the network map and charts are inline SVG drawn by :mod:`~homediag.reports.charts` and
:mod:`~homediag.reports.netmap`, and a Content-Security-Policy forbids everything else. Every string
that came from a device is made inert (no control, bidi or zero-width characters; length capped) and
escaped by the template.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from homediag.core.i18n import _, current_language
from homediag.core.model import EvidenceItem, Finding, Outcome, Remedy, Report
from homediag.reports import charts, summary
from homediag.reports.netmap import network_map
from homediag.reports.sanitize import inert

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
MAX_RAW_VALUE = 256


@cache
def _environment() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=PackageLoader("homediag.reports", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )


def _labels() -> dict[str, str]:
    return {
        "title": _("Network diagnosis"),
        "next_step": _("Next step"),
        "map": _("Network map"),
        "findings": _("What is wrong"),
        "together": _("together"),
        "evidence": _("Evidence"),
        "evidence_against": _("Evidence against"),
        "what_to_do": _("What to do"),
        "ruled_out": _("Ruled out"),
        "decided_by": _("decided by"),
        "open_causes": _("Not checked"),
        "charts": _("Measurements in pictures"),
        "measurements": _("Measurements"),
        "measurement": _("Measurement"),
        "about": _("About"),
        "value": _("Value"),
        "trace": _("How homediag narrowed it down"),
        "questions": _("Questions"),
        "question": _("Question"),
        "answer": _("Answer"),
        "devices": _("Devices"),
        "kind": _("Kind"),
        "name": _("Name"),
        "address": _("Address"),
        "mac": _("MAC address"),
        "vendor": _("Vendor"),
        "services": _("Services"),
        "no_devices": _("No devices were found."),
        "checks": _("Checks run"),
        "probe": _("Check"),
        "outcome": _("Outcome"),
        "time": _("Time"),
        "note": _("Note"),
        "technician_note": _("Technician's note"),
        "raw": _("Raw observations"),
        "fact": _("Fact"),
        "source": _("Source"),
    }


def _evidence(items: tuple[EvidenceItem, ...]) -> list[dict[str, Any]]:
    return [
        {
            "text": inert(e.text, 256),
            "likelihood_ratio": e.likelihood_ratio,
            "ratio": summary.number(e.likelihood_ratio, 2) if e.likelihood_ratio is not None else "",
        }
        for e in items[:20]
    ]


def _remedy(remedy: Remedy) -> dict[str, Any]:
    return {
        "title": inert(remedy.title, 200),
        "flags": ", ".join(summary.remedy_flags(remedy)),
        "steps": [inert(s, 256) for s in remedy.steps[:20]],
    }


def _finding(report: Report, finding: Finding) -> dict[str, Any]:
    return {
        "code": inert(finding.code, 60),
        "status": finding.status.value,
        "status_label": summary.status_label(finding.status),
        "probability": summary.percent(finding.probability),
        "title": inert(finding.title, 200),
        "explanation": inert(finding.explanation, 1000),
        "details": inert(finding.details, 1000),
        "about": summary.subject_label(report, finding.subject) if finding.subject else "",
        "members": [inert(m, 60) for m in finding.members[:8]],
        "evidence": _evidence(finding.evidence),
        "evidence_against": _evidence(finding.evidence_against),
        "remedies": [_remedy(r) for r in finding.remedies[:10]],
    }


def _raw_value(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return inert(text, MAX_RAW_VALUE)


def context(report: Report) -> dict[str, Any]:
    """Everything the template shows, as plain strings and numbers (the language is the current one)."""
    verdict = summary.verdict(report)
    meta_items = [report.finished_at[:16].replace("T", " ") + " UTC"]
    if report.meta.customer:
        meta_items.append(_("Customer: {value}").format(value=inert(report.meta.customer, 120)))
    if report.meta.site:
        meta_items.append(_("Site: {value}").format(value=inert(report.meta.site, 120)))
    if report.meta.ticket:
        meta_items.append(_("Ticket: {value}").format(value=inert(report.meta.ticket, 60)))
    if report.context.audience == "technician":
        meta_items.append(_("for technicians"))
    figures = [charts.latency_chart(report), charts.round_trip_chart(report),
               charts.speed_chart(report), charts.wifi_chart(report)]  # fmt: skip
    bad = {Outcome.ERROR, Outcome.TIMEOUT, Outcome.CANCELLED}
    return {
        "L": _labels(),
        "lang": current_language(),
        "csp": CSP,
        "complaint": summary.complaint_label(report.complaint),
        "meta": meta_items,
        "verdict": {
            "sentence": verdict.sentence,
            "tone": verdict.tone.value,
            "next_step": verdict.next_step,
            "more_problems": verdict.more_problems,
        },
        "more_problems": _("and {n} more problem(s), below").format(n=verdict.more_problems),
        "privacy": summary.privacy_note(report),
        "full": report.privacy_level != "redacted",
        "audience": report.context.audience,
        "netmap": network_map(report),
        "problems": [_finding(report, f) for f in summary.problems(report)],
        "ruled_out": [
            {
                "sentence": r.sentence,
                "code": inert(r.code, 60),
                "decided_by": inert(r.decided_by, 60) if r.decided_by else None,
            }
            for r in summary.ruled_out(report)
        ],
        "open_causes": [_finding(report, f) for f in summary.open_causes(report)],
        "charts": [f for f in figures if f is not None],
        "measurements": summary.measurements(report),
        "trace": summary.trace_lines(report),
        "questions": [
            {
                "text": inert(q.text, 256),
                "answer": inert(q.answers.get(q.answer, q.answer), 100)
                if q.answer is not None
                else _("not asked"),
            }
            for q in report.questions
        ],
        "devices": [
            {
                "kind": summary.kind_label(d.kind),
                "name": ", ".join(inert(n, 80) for n in d.names[:3]) or "—",
                "address": inert(d.ip or "", 64),
                "mac": inert(d.mac or "", 40),
                "vendor": inert(d.vendor or "", 60),
                "services": inert(", ".join(sorted({s.type for s in d.services})[:6]), 200),
            }
            for d in report.devices
        ],
        "runs": [
            {
                "probe": inert(r.probe + (f" @ {r.target}" if r.target else ""), 80),
                "outcome": summary.outcome_label(r.outcome),
                "cls": "ok" if r.outcome is Outcome.OK else ("bad" if r.outcome in bad else "other"),
                "time": f"{summary.number(r.duration_s, 2)} s",
                "note": inert((r.error.message if r.error else None) or r.reason or r.method or "", 200),
            }
            for r in report.probe_runs
        ],
        "note": inert(report.meta.note, 4000, keep_newlines=True) if report.meta.note else "",
        "observations": [
            {
                "fact": inert(o.fact, 80),
                "subject": inert(o.subject, 80),
                "value": _raw_value(o.value) + (f" {inert(o.unit, 12)}" if o.unit else ""),
                "source": inert(o.source, 60),
            }
            for o in report.observations
        ],
        "footer": [
            summary.redaction_summary(report) or summary.privacy_note(report),
            _("homediag {version} · report schema {schema} · run {run}").format(
                version=inert(report.tool_version or "?", 30),
                schema="1",
                run=inert(report.run_id, 40),
            ),
        ],
    }


def render_html(report: Report, lang: str | None = None) -> str:
    """The HTML report of ``report`` in ``lang`` (default: the current language)."""
    with summary.language(lang):
        return str(_environment().get_template("report.html.j2").render(**context(report)))
