"""The Markdown report for tickets: renders well on GitHub and in ticket systems that speak Markdown.

Verdict first, then the problems with their evidence and remedies, the causes ruled out, the devices,
the measurements, the trace and the checks run. Every value is made inert and escaped so that it stays
text: ASCII punctuation that Markdown gives meaning to is backslash-escaped, and anything a renderer
could turn into a link (``http://``, ``www.``, an e-mail address) is put in a code span, where no
Markdown applies — so a device named ``[x](http://evil)`` or ``![](http://beacon)`` shows as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from homediag.core.i18n import _
from homediag.core.model import EvidenceItem, Finding, Report
from homediag.reports import summary
from homediag.reports.sanitize import inert

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~&])")
_LINE_START = re.compile(r"^(\s*)(#{1,6}(?=\s|$)|[+\-](?=\s|$)|=+\s*$|>|\d{1,9}(?=[.)](?:\s|$)))")
_LINKISH = re.compile(
    r"(?i)(?:\b(?:[a-z][a-z0-9+.-]{1,15}):(?://)?\S+|\bwww\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"
)
MAX_RAW_VALUE = 256


def code(value: object, max_chars: int = 120) -> str:
    """``value`` as an inline code span (nothing inside is interpreted; pipes escaped for tables)."""
    text = inert(value, max_chars)
    if not text:
        return ""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or text.startswith(" ") else ""
    body = text.replace("|", "\\|")
    return f"{fence}{pad}{body}{pad}{fence}"


def text(value: object, max_chars: int = 256) -> str:
    """``value`` as plain Markdown text: escaped, with anything link-like put in a code span."""
    raw = inert(value, max_chars)
    out: list[str] = []
    position = 0
    for match in _LINKISH.finditer(raw):
        out.append(_SPECIAL.sub(r"\\\1", raw[position : match.start()]))
        out.append(code(match.group(0), max_chars))
        position = match.end()
    out.append(_SPECIAL.sub(r"\\\1", raw[position:]))
    escaped = "".join(out)
    # A line that starts with #, -, +, =, > or "1." would become a heading, list or quote.
    start = _LINE_START.match(escaped)
    if start is not None:
        lead, mark = start.group(1), start.group(2)
        if mark.isdigit():
            rest = escaped[start.end() :]
            return f"{lead}{mark}\\{rest}"
        return f"{lead}\\{escaped[len(lead) :]}"
    return escaped


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return [*lines, ""]


def _evidence(items: Sequence[EvidenceItem], sign: str) -> list[str]:
    lines = []
    for item in items[:20]:
        ratio = f" (×{summary.number(item.likelihood_ratio, 2)})" if item.likelihood_ratio is not None else ""
        lines.append(f"- {sign} {text(item.text)}{ratio}")
    return lines


def _finding(report: Report, finding: Finding) -> list[str]:
    lines = [
        f"### {text(finding.title, 200)} — {summary.status_label(finding.status)}, "
        f"{summary.percent(finding.probability)}",
        "",
    ]
    about = code(finding.code, 60)
    if finding.members:
        about += " — " + _("together") + ": " + ", ".join(code(m, 60) for m in finding.members[:8])
    if finding.subject:
        about += " — " + text(summary.subject_label(report, finding.subject), 80)
    lines += [about, ""]
    if finding.explanation:
        lines += [text(finding.explanation, 1000), ""]
    if finding.details and report.context.audience == "technician":
        lines += [f"*{text(finding.details, 1000)}*", ""]
    if finding.evidence or finding.evidence_against:
        lines += ["**" + _("Evidence") + "**", ""]
        lines += _evidence(finding.evidence, "+")
        lines += _evidence(finding.evidence_against, "−")
        lines.append("")
    if finding.remedies:
        lines += ["**" + _("What to do") + "**", ""]
        for number, remedy in enumerate(finding.remedies[:10], start=1):
            flags = ", ".join(summary.remedy_flags(remedy))
            lines.append(f"{number}. {text(remedy.title, 200)} ({flags})")
            lines += [f"   - {text(step)}" for step in remedy.steps[:20]]
        lines.append("")
    return lines


def render_markdown(report: Report, lang: str | None = None) -> str:
    """The Markdown report of ``report`` in ``lang`` (default: the current language)."""
    with summary.language(lang):
        return "\n".join(_render(report)).rstrip() + "\n"


def _render(report: Report) -> list[str]:
    verdict = summary.verdict(report)
    lines = [
        "# " + _("Network diagnosis") + f" — {text(summary.complaint_label(report.complaint))}",
        "",
        "**" + _("Verdict") + f":** {text(verdict.sentence, 200)}",
        "",
    ]
    if verdict.next_step:
        lines += ["**" + _("Next step") + f":** {text(verdict.next_step, 200)}", ""]
    if verdict.more_problems:
        lines += [_("and {n} more problem(s), below").format(n=verdict.more_problems), ""]
    meta = [(_("Date"), text(report.finished_at[:16].replace("T", " ") + " UTC"))]
    if report.meta.customer:
        meta.append((_("Customer"), text(report.meta.customer, 120)))
    if report.meta.site:
        meta.append((_("Site"), text(report.meta.site, 120)))
    if report.meta.ticket:
        meta.append((_("Ticket"), text(report.meta.ticket, 60)))
    meta.append((_("Privacy"), text(summary.privacy_note(report))))
    lines += [f"> **{label}:** {value}  " for label, value in meta]
    lines.append("")

    found = summary.problems(report)
    if found:
        lines += ["## " + _("What is wrong"), ""]
        for finding in found:
            lines += _finding(report, finding)
    eliminated = summary.ruled_out(report)
    if eliminated:
        lines += ["## " + _("Ruled out"), ""]
        for item in eliminated:
            decided = " — " + _("decided by") + f" {code(item.decided_by, 60)}" if item.decided_by else ""
            lines.append(f"- {text(item.sentence, 500)} {code(item.code, 60)}{decided}")
        lines.append("")
    pending = summary.open_causes(report)
    if pending:
        lines += ["## " + _("Not checked"), ""]
        lines += [
            f"- {text(f.title, 200)} ({summary.status_label(f.status)}) {code(f.code, 60)}" for f in pending
        ]
        lines.append("")

    lines += ["## " + _("Devices") + f" ({len(report.devices)})", ""]
    if report.devices:
        lines += _table(
            [_("Kind"), _("Name"), _("Address"), _("MAC address"), _("Vendor"), _("Services")],
            (
                [
                    text(summary.kind_label(d.kind)),
                    ", ".join(code(n, 80) for n in d.names[:3]),
                    code(d.ip or "", 64),
                    code(d.mac or "", 40),
                    text(d.vendor or "", 60),
                    ", ".join(code(t, 60) for t in sorted({s.type for s in d.services})[:6]),
                ]
                for d in report.devices
            ),
        )
    else:
        lines += [_("No devices were found."), ""]

    shown = summary.measurements(report)
    if shown:
        lines += ["## " + _("Measurements"), ""]
        lines += _table(
            [_("Measurement"), _("About"), _("Value")],
            ([text(m.label), text(m.about, 80), text(m.value, 80)] for m in shown),
        )
    steps = summary.trace_lines(report)
    if steps:
        lines += ["## " + _("How homediag narrowed it down"), ""]
        lines += [f"{step.n}. *{text(step.action, 30)}* {text(step.text, 500)}" for step in steps]
        lines.append("")
    if report.questions:
        lines += ["## " + _("Questions"), ""]
        lines += _table(
            [_("Question"), _("Answer")],
            (
                [
                    text(q.text),
                    text(q.answers.get(q.answer, q.answer), 100) if q.answer is not None else _("not asked"),
                ]
                for q in report.questions
            ),
        )
    lines += ["## " + _("Checks run"), ""]
    lines += _table(
        [_("Check"), _("Outcome"), _("Time"), _("Note")],
        (
            [
                code(r.probe + (f" @ {r.target}" if r.target else ""), 80),
                text(summary.outcome_label(r.outcome)),
                f"{summary.number(r.duration_s, 2)} s",
                text((r.error.message if r.error else None) or r.reason or r.method or "", 200),
            ]
            for r in report.probe_runs
        ),
    )
    if report.meta.note:
        lines += ["## " + _("Technician's note"), ""]
        note = inert(report.meta.note, 4000, keep_newlines=True)
        lines += [f"> {text(line, 2000)}" for line in note.splitlines()]
        lines.append("")
    if report.observations:
        lines += ["## " + _("Raw observations"), ""]
        lines += _table(
            [_("Fact"), _("About"), _("Value"), _("Source")],
            (
                [
                    code(o.fact, 80),
                    code(o.subject, 80),
                    code(summary.format_value(o.value, o.unit), MAX_RAW_VALUE),
                    code(o.source, 60),
                ]
                for o in report.observations
            ),
        )
    footer = summary.redaction_summary(report)
    lines += ["---", ""]
    if footer:
        lines += [f"*{text(footer, 400)}*  "]
    lines.append(
        "*"
        + text(
            _("homediag {version} · report schema {schema} · run {run}").format(
                version=report.tool_version or "?", schema="1", run=report.run_id
            ),
            200,
        )
        + "*"
    )
    return lines
