"""The terminal summary, with rich: the verdict and the next step first, then what is wrong and why.

Order: verdict (one sentence, the next step), the problems with their evidence and remedies, the causes
ruled out and why, the devices, the measurements, checks that did not finish; ``verbose`` adds every
check run and the elimination trace. It reads the report alone (never runs a probe) and prints through
the console it is given; every value passes through :func:`inert` (no control, escape, bidi or
zero-width characters) and is escaped for rich markup.
"""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from homediag.core.i18n import _
from homediag.core.model import Finding, FindingStatus, Outcome, Report
from homediag.reports import summary
from homediag.reports.devices import devices_table
from homediag.reports.diff import Change, ReportDiff
from homediag.reports.sanitize import inert
from homediag.reports.summary import Tone

_STATUS_STYLE = {
    FindingStatus.CONFIRMED: "bold red",
    FindingStatus.LIKELY: "red",
    FindingStatus.POSSIBLE: "yellow",
    FindingStatus.RULED_OUT: "green",
    FindingStatus.DEFERRED: "cyan",
    FindingStatus.NOT_TESTED: "dim",
}
_TONE_STYLE = {Tone.PROBLEM: "bold red", Tone.WARNING: "bold yellow", Tone.OK: "bold green"}
_OUTCOME_STYLE = {
    Outcome.OK: "green",
    Outcome.TIMEOUT: "red",
    Outcome.ERROR: "red",
    Outcome.CANCELLED: "red",
    Outcome.NOT_PERMITTED: "yellow",
}


def _safe(value: object, max_chars: int = 120) -> str:
    return escape(inert(value, max_chars))


def verdict(report: Report) -> tuple[str, str]:
    """One sentence and its rich style: the top problem, no problem, or what stopped the run."""
    result = summary.verdict(report)
    return result.sentence, _TONE_STYLE[result.tone]


def _verdict_panel(report: Report) -> Panel:
    result = summary.verdict(report)
    body = Text(inert(result.sentence, 200), style=_TONE_STYLE[result.tone])
    if result.next_step:
        body.append("\n")
        body.append(_("Next step") + ": ", style="bold")
        body.append(inert(result.next_step, 200))
    if result.more_problems:
        body.append("\n")
        body.append(_("and {n} more problem(s), below").format(n=result.more_problems), style="dim")
    subtitle = summary.complaint_label(report.complaint)
    return Panel(body, title=_("Verdict"), subtitle=escape(subtitle), expand=False)


def _finding_block(report: Report, finding: Finding) -> RenderableType:
    head = Text()
    head.append(f"{summary.status_label(finding.status)} {summary.percent(finding.probability)}  ",
                style=_STATUS_STYLE[finding.status])  # fmt: skip
    head.append(inert(finding.title, 200), style="bold")
    head.append(f"  [{inert(finding.code, 60)}]", style="dim")
    lines: list[RenderableType] = [head]
    if finding.members:
        lines.append(Text("  " + _("together") + ": " + ", ".join(inert(m, 60) for m in finding.members),
                          style="dim"))  # fmt: skip
    if finding.subject:
        lines.append(Text("  " + summary.subject_label(report, finding.subject), style="dim"))
    if finding.explanation:
        lines.append(Text("  " + inert(finding.explanation, 600)))
    for item in finding.evidence[:6]:
        lines.append(Text("  + " + inert(item.text, 200), style="red"))
    for item in finding.evidence_against[:6]:
        lines.append(Text("  − " + inert(item.text, 200), style="green"))
    for number, remedy in enumerate(finding.remedies[:5], start=1):
        flags = ", ".join(summary.remedy_flags(remedy))
        line = Text(f"  {number}. ")
        line.append(inert(remedy.title, 200), style="bold")
        line.append(f" ({flags})", style="dim")
        lines.append(line)
        for step in remedy.steps[:8]:
            lines.append(Text("     - " + inert(step, 200)))
    return Group(*lines)


def _ruled_out(report: Report) -> RenderableType | None:
    eliminated = summary.ruled_out(report)
    if not eliminated:
        return None
    lines: list[RenderableType] = [Text(_("Ruled out"), style="bold")]
    for item in eliminated:
        line = Text("  ✓ ", style="green")
        line.append(item.sentence)
        lines.append(line)
    return Group(*lines)


def _measurements(report: Report) -> Table | None:
    shown = summary.measurements(report)
    if not shown:
        return None
    table = Table(title=_("Measurements"), title_justify="left")
    table.add_column(_("Measurement"))
    table.add_column(_("About"))
    table.add_column(_("Value"), justify="right")
    for m in shown:
        table.add_row(_safe(m.label), _safe(m.about, 60), _safe(m.value, 80))
    return table


def _runs_table(report: Report, *, only_problems: bool) -> Table | None:
    runs = [r for r in report.probe_runs if not only_problems or r.outcome is not Outcome.OK]
    if not runs:
        return None
    table = Table(title=_("Checks run") if not only_problems else _("Checks that did not run or finish"),
                  title_justify="left")  # fmt: skip
    table.add_column(_("Check"))
    table.add_column(_("Outcome"))
    table.add_column(_("Time"), justify="right")
    table.add_column(_("Note"), style="dim")
    for run in runs:
        table.add_row(
            _safe(run.probe + (f" @ {run.target}" if run.target else ""), 60),
            Text(summary.outcome_label(run.outcome), style=_OUTCOME_STYLE.get(run.outcome, "")),
            f"{summary.number(run.duration_s, 2)} s",
            _safe((run.error.message if run.error else None) or run.reason or run.method or "", 80),
        )
    return table


def render(report: Report, *, verbose: bool = True) -> RenderableType:
    """The whole summary as one rich renderable (in the current language)."""
    parts: list[RenderableType] = [_verdict_panel(report)]
    found = summary.problems(report)
    if found:
        parts.append(Text(_("What is wrong"), style="bold underline"))
        parts += [_finding_block(report, f) for f in found]
    eliminated = _ruled_out(report)
    if eliminated is not None:
        parts.append(eliminated)
    if report.devices:
        parts.append(devices_table(report.devices))
    measured = _measurements(report)
    if measured is not None:
        parts.append(measured)
    runs = _runs_table(report, only_problems=not verbose)
    if runs is not None:
        parts.append(runs)
    if verbose:
        steps = summary.trace_lines(report)
        if steps:
            lines: list[RenderableType] = [Text(_("How homediag narrowed it down"), style="bold")]
            lines += [Text(f"  {s.n}. {inert(s.action, 30)}: {inert(s.text, 300)}") for s in steps]
            parts.append(Group(*lines))
    if report.meta.note:
        parts.append(Text(_("Technician's note") + ": " + inert(report.meta.note, 2000), style="italic"))
    note = summary.redaction_summary(report) or summary.privacy_note(report)
    parts.append(Text(note, style="dim" if report.privacy_level == "redacted" else "bold red"))
    return Group(*parts)


def render_diff(diff: ReportDiff) -> RenderableType:
    """The diff of two reports as one rich renderable (in the current language)."""
    labels = {
        Change.CAME: (_("came"), "green"),
        Change.WENT: (_("went"), "red"),
        Change.CHANGED: (_("changed"), "yellow"),
        Change.RESOLVED: (_("resolved"), "green"),
        Change.NEW: (_("new"), "red"),
    }
    old = inert(diff.old_time[:16].replace("T", " "), 20)
    new = inert(diff.new_time[:16].replace("T", " "), 20)
    head = Text(_("Changes from {old} to {new}").format(old=old, new=new), style="bold")
    parts: list[RenderableType] = [head]
    parts += [Text(inert(w, 200), style="yellow") for w in diff.warnings]
    if diff.empty:
        parts.append(Text(_("Nothing changed."), style="green"))
        return Group(*parts)
    if diff.findings:
        table = Table(title=_("Findings"), title_justify="left")
        for column in (_("Change"), _("Problem"), _("Code"), _("Before"), _("After")):
            table.add_column(column)
        for f in diff.findings:
            word, style = labels[f.change]
            table.add_row(Text(word, style=style), _safe(f.title, 80), _safe(f.code, 60),
                          _status_word(f.before), _status_word(f.after))  # fmt: skip
        parts.append(table)
    if diff.devices:
        table = Table(title=_("Devices"), title_justify="left")
        for column in (_("Change"), _("Name"), _("Kind"), _("Details")):
            table.add_column(column)
        for d in diff.devices:
            word, style = labels[d.change]
            table.add_row(Text(word, style=style), _safe(d.name, 60), _safe(d.kind, 20),
                          _safe("; ".join(d.details), 120))  # fmt: skip
        parts.append(table)
    if diff.measurements:
        table = Table(title=_("Measurements that changed"), title_justify="left")
        for column in (_("Fact"), _("About"), _("Before"), _("After"), _("Change")):
            table.add_column(column)
        for m in diff.measurements:
            moved = f"{m.relative:+.0%}" if m.relative is not None else ""
            before = _safe(summary.format_value(m.before, m.unit))
            after = _safe(summary.format_value(m.after, m.unit))
            table.add_row(_safe(m.fact, 60), _safe(m.subject, 40), before, after, moved)
        parts.append(table)
    return Group(*parts)


def _status_word(status: str | None) -> str:
    if status is None:
        return "—"
    try:
        return summary.status_label(FindingStatus(status))
    except ValueError:
        return _safe(status, 30)


def print_report(report: Report, console: Console, *, verbose: bool = True, lang: str | None = None) -> None:
    """Print the summary of ``report`` to ``console`` (in ``lang``, default the current language)."""
    with summary.language(lang):
        console.print(render(report, verbose=verbose))


def render_text(report: Report, *, lang: str | None = None, width: int = 100) -> str:
    """The summary as plain text (no colour, no escape sequences), for files and tests."""
    import io

    capture = Console(record=True, width=width, no_color=True, file=io.StringIO(), highlight=False)
    print_report(report, capture, lang=lang)
    return capture.export_text()
