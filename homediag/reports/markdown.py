"""The Markdown report for tickets: renders well on GitHub and in ticket systems that speak Markdown.

It formats a :class:`~homediag.reports.view.ReportView` and nothing else. Verdict first, then the
faults with their evidence and remedies, the advisories, the causes ruled out, the devices, the
measurements, the trace and the checks run. Every value of the view is inert already; here it is
escaped so that it stays text: ASCII punctuation that Markdown gives meaning to is backslash-escaped,
and anything a renderer could turn into a link (``http://``, ``www.``, an e-mail address) is put in a
code span, where no Markdown applies — so a device named ``[x](http://evil)`` or
``![](http://beacon)`` shows as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from homediag.reports.sanitize import inert
from homediag.reports.view import EvidenceLine, FindingView, ReportView

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
    lines = ["| " + " | ".join(text(h) for h in header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return [*lines, ""]


def _evidence(items: Sequence[EvidenceLine], sign: str) -> list[str]:
    return [f"- {sign} {text(item.text)}" + (f" (×{item.ratio})" if item.ratio else "") for item in items]


def _finding(view: ReportView, finding: FindingView) -> list[str]:
    labels = view.labels
    status = finding.status_label + (f", {finding.probability}" if finding.probability else "")
    lines = [f"### {text(finding.title, 200)} — {text(status)}", ""]
    about = code(finding.code, 60)
    if finding.together:
        about += f" — {text(labels.together_colon)} " + ", ".join(code(m, 60) for m in finding.together)
    if finding.about:
        about += " — " + text(finding.about, 80)
    lines += [about, ""]
    if finding.seen:
        lines += [f"**{text(finding.seen, 1200)}**", ""]
    if finding.explanation:
        lines += [text(finding.explanation, 1000), ""]
    if finding.details:
        lines += [f"*{text(finding.details, 1000)}*", ""]
    if finding.evidence or finding.evidence_against:
        lines += [f"**{text(labels.evidence)}**", ""]
        lines += _evidence(finding.evidence, "+")
        lines += _evidence(finding.evidence_against, "−")
        lines.append("")
    if finding.remedies:
        lines += [f"**{text(labels.what_to_do)}**", ""]
        for number, remedy in enumerate(finding.remedies, start=1):
            done = f" — *{text(remedy.outcome)}*" if remedy.outcome else ""
            lines.append(f"{number}. {text(remedy.title, 200)} ({text(remedy.flags)}){done}")
            lines += [f"   - {text(step)}" for step in remedy.steps]
        lines.append("")
    return lines


def render_markdown(view: ReportView) -> str:
    """The Markdown report of ``view``."""
    return "\n".join(_render(view)).rstrip() + "\n"


def _render(view: ReportView) -> list[str]:
    labels, verdict, meta = view.labels, view.verdict, view.meta
    lines = [f"# {text(view.heading)}", ""]
    lines += [f"**{text(labels.verdict_colon)}** {text(verdict.sentence, 200)}", ""]
    if verdict.next_step:
        lines += [f"**{text(labels.next_step_colon)}** {text(verdict.next_step, 200)}", ""]
    if verdict.more:
        lines += [text(verdict.more), ""]
    if view.incomplete:
        lines += [f"*{text(view.incomplete, 500)}*", ""]
    for note in view.notes:
        lines += [f"*{text(note, 500)}*", ""]
    items = [(labels.date, meta.date), (labels.customer, meta.customer), (labels.site, meta.site),
             (labels.ticket, meta.ticket), (labels.privacy, view.privacy.note)]  # fmt: skip
    lines += [f"> **{text(label)}** {text(value)}  " for label, value in items if value]
    lines.append("")

    if view.faults:
        lines += ["## " + text(labels.faults), ""]
        for finding in view.faults:
            lines += _finding(view, finding)
    if view.advisories:
        lines += ["## " + text(labels.advisories), "", text(labels.advisories_intro), ""]
        for finding in view.advisories:
            lines += _finding(view, finding)
    if view.ruled_out:
        lines += ["## " + text(labels.ruled_out), ""]
        for item in view.ruled_out:
            decided = f" — {text(labels.decided_by)} {code(item.decided_by, 60)}" if item.decided_by else ""
            lines.append(f"- {text(item.sentence, 500)} {code(item.code, 60)}{decided}")
        lines.append("")
    if view.open_causes:
        lines += ["## " + text(labels.open_causes), ""]
        lines += [f"- {text(c.title, 200)} ({text(c.status_label)}) {code(c.code, 60)}"
                  for c in view.open_causes]  # fmt: skip
        lines.append("")

    devices = view.devices
    lines += ["## " + text(devices.title), ""]
    if devices.rows:
        lines += _table(
            [labels.kind, labels.name, labels.address, labels.mac, labels.vendor, labels.services],
            (
                [text(d.kind), ", ".join(code(n, 80) for n in d.names), code(d.address, 64), code(d.mac, 40),
                 text(d.vendor, 60), ", ".join(code(t, 60) for t in d.services)]
                for d in devices.rows
            ),
        )  # fmt: skip
    if devices.hidden_note:
        lines += [text(devices.hidden_note), ""]
    elif not devices.total:
        lines += [text(labels.no_devices), ""]

    if view.measurements:
        lines += ["## " + text(labels.measurements), ""]
        lines += _table(
            [labels.measurement, labels.about, labels.value],
            ([text(m.label), text(m.about, 80), text(m.value, 80)] for m in view.measurements),
        )
    for table in (view.outages, view.speedtests):
        if table is None:
            continue
        lines += ["## " + text(table.title), "", text(table.note, 400), ""]
        if table.rows:
            rows = ([text(cell, 200) for cell in row] for row in table.rows)
            lines += _table(table.columns, rows)
        else:
            lines += [text(table.empty), ""]
    if view.timeline:
        lines += ["## " + text(labels.timeline), ""]
        lines += [f"- {code(entry.time, 40)} {text(entry.text, 500)}" for entry in view.timeline]
        lines.append("")
    if view.baseline is not None:
        lines += ["## " + text(labels.baseline), "", text(view.baseline.summary), ""]
        lines += [f"- {text(line, 300)}" for line in view.baseline.lines]
        lines.append("")
    if view.trace:
        lines += ["## " + text(labels.trace), ""]
        lines += [f"{step.n}. *{text(step.action, 30)}* {text(step.text, 500)}" for step in view.trace]
        lines.append("")
    if view.errors:
        lines += ["## " + text(labels.errors), ""]
        lines += [f"- {text(error.sentence, 500)}" for error in view.errors]
        lines.append("")
    if view.questions:
        lines += ["## " + text(labels.questions), ""]
        lines += _table([labels.question, labels.answer],
                        ([text(q.text), text(q.answer, 100)] for q in view.questions))  # fmt: skip
    lines += ["## " + text(labels.checks_run), ""]
    lines += _table(
        [labels.check, labels.outcome, labels.time, labels.note],
        ([code(r.probe, 80), text(r.outcome), text(r.time), text(r.note, 200)] for r in view.runs),
    )
    if view.meta.note:
        lines += ["## " + text(labels.technician_note), ""]
        lines += [f"> {text(line, 2000)}" for line in view.meta.note.splitlines()]
        lines.append("")
    if view.raw:
        lines += ["## " + text(labels.raw), ""]
        lines += _table(
            [labels.fact, labels.about, labels.value, labels.source],
            ([code(o.fact, 80), code(o.subject, 80), code(o.value, MAX_RAW_VALUE), code(o.source, 60)]
             for o in view.raw),
        )  # fmt: skip
    lines += ["---", ""]
    if view.privacy.redaction:
        lines += [f"*{text(view.privacy.redaction, 400)}*  "]
    lines.append(f"*{text(view.footer, 200)}*")
    return lines
