"""The terminal summary, with rich: the verdict and the next step first, then what is wrong and why.

It formats a :class:`~homediag.reports.view.ReportView` and nothing else. Order: verdict (one sentence,
the next step), why the report is incomplete, the faults with their evidence and remedies, the
advisories, the causes ruled out, the devices, the measurements, the timeline, checks that did not
finish; ``verbose`` adds every check run and the elimination trace, technicians see the rules that
could not be evaluated. Every value of the view is inert already; here it is escaped for rich markup
(or put in a :class:`~rich.text.Text`, which takes no markup).
"""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from homediag.reports.devices import devices_table
from homediag.reports.view import DiffView, FindingView, OutageTable, ReportView, RunStyle, RunView, Tone

_STATUS_STYLE = {
    "confirmed": "bold red",
    "likely": "red",
    "possible": "yellow",
    "ruled_out": "green",
    "deferred": "cyan",
    "not_tested": "dim",
}
_TONE_STYLE = {Tone.PROBLEM: "bold red", Tone.WARNING: "bold yellow", Tone.OK: "bold green"}
_RUN_STYLE = {RunStyle.OK: "green", RunStyle.BAD: "red", RunStyle.OTHER: "yellow"}
_REMEDY_STYLE = {"fixed": "green", "not_fixed": "red", "could_not_verify": "yellow"}


def _verdict_panel(view: ReportView) -> Panel:
    verdict = view.verdict
    body = Text(verdict.sentence, style=_TONE_STYLE[verdict.tone])
    if verdict.next_step:
        body.append("\n")
        body.append(view.labels.next_step_colon + " ", style="bold")
        body.append(verdict.next_step)
    if verdict.more:
        body.append("\n")
        body.append(verdict.more, style="dim")
    return Panel(body, title=escape(view.labels.verdict), subtitle=escape(view.complaint), expand=False)


def _finding_block(view: ReportView, finding: FindingView) -> RenderableType:
    head = Text()
    status = finding.status_label + (f" {finding.probability}" if finding.probability else "")
    head.append(status + "  ", style=_STATUS_STYLE.get(finding.status, ""))
    head.append(finding.title, style="bold")
    head.append(f"  [{finding.code}]", style="dim")
    lines: list[RenderableType] = [head]
    if finding.together:
        lines.append(_indented(f"{view.labels.together_colon} {', '.join(finding.together)}", 2, "dim"))
    if finding.about:
        lines.append(_indented(finding.about, 2, "dim"))
    if finding.seen:
        lines.append(_indented(finding.seen, 2, "yellow"))
    if finding.explanation:
        lines.append(_indented(finding.explanation, 2))
    if finding.details:
        lines.append(_indented(finding.details, 2, "italic"))
    for item in finding.evidence[:6]:
        lines.append(_indented("+ " + item.text, 2, "red", hang=2))
    for item in finding.evidence_against[:6]:
        lines.append(_indented("− " + item.text, 2, "green", hang=2))
    for number, remedy in enumerate(finding.remedies[:5], start=1):
        line = Text(f"{number}. ")
        line.append(remedy.title, style="bold")
        line.append(f" ({remedy.flags})", style="dim")
        if remedy.outcome:
            line.append(" — ")
            line.append(remedy.outcome, style=_REMEDY_STYLE.get(remedy.outcome_key or "", "dim"))
        lines.append(_indented(line, 2, hang=len(f"{number}. ")))
        for step in remedy.steps[:8]:
            lines.append(_indented("- " + step, 5, hang=2))
    return Group(*lines)


def _ruled_out(view: ReportView) -> RenderableType | None:
    if not view.ruled_out:
        return None
    lines: list[RenderableType] = [Text(view.labels.ruled_out, style="bold")]
    for item in view.ruled_out:
        line = Text("✓ ", style="green")
        line.append(item.sentence)
        lines.append(_indented(line, 2, hang=2))
    return Group(*lines)


def _measurements(view: ReportView) -> Table | None:
    if not view.measurements:
        return None
    labels = view.labels
    table = Table(title=escape(labels.measurements), title_justify="left")
    table.add_column(escape(labels.measurement))
    table.add_column(escape(labels.about))
    table.add_column(escape(labels.value), justify="right")
    for m in view.measurements:
        table.add_row(escape(m.label), escape(m.about), escape(m.value))
    return table


def _outages(table: OutageTable | None) -> RenderableType | None:
    if table is None:
        return None
    if not table.rows:
        return _section(table.title, [table.note, table.empty])
    out = Table(title=escape(table.title), title_justify="left", caption=escape(table.note))
    for column in table.columns:
        out.add_column(escape(column))
    for row in table.rows:
        out.add_row(*(escape(cell) for cell in row))
    return out


def _runs_table(view: ReportView, runs: tuple[RunView, ...], title: str) -> Table | None:
    if not runs:
        return None
    labels = view.labels
    table = Table(title=escape(title), title_justify="left")
    table.add_column(escape(labels.check))
    table.add_column(escape(labels.outcome))
    table.add_column(escape(labels.time), justify="right")
    table.add_column(escape(labels.note), style="dim")
    for run in runs:
        table.add_row(escape(run.probe), Text(run.outcome, style=_RUN_STYLE[run.style]), run.time,
                      escape(run.note))  # fmt: skip
    return table


def _section(title: str, lines: list[str], style: str = "") -> RenderableType:
    return Group(Text(title, style="bold"), *(_indented(line, 2, style) for line in lines))


def _indented(text: str | Text, indent: int, style: str = "", *, hang: int = 0) -> RenderableType:
    """``text`` indented by ``indent`` columns, its wrapped lines by ``hang`` more (under the text after
    a bullet), so that a narrow terminal keeps the shape of the summary."""
    body = text if isinstance(text, Text) else Text(text, style=style)
    if not hang:
        return Padding(body, (0, 0, 0, indent), expand=False)
    first, rest = body[:hang], body[hang:]
    table = Table.grid(padding=0)
    table.add_column(no_wrap=True, width=hang)
    table.add_column()
    table.add_row(first, rest)
    return Padding(table, (0, 0, 0, indent), expand=False)


def render(view: ReportView, *, verbose: bool = True) -> RenderableType:
    """The whole summary as one rich renderable."""
    labels = view.labels
    parts: list[RenderableType] = [_verdict_panel(view)]
    if view.incomplete:
        parts.append(Text(view.incomplete, style="yellow"))
    parts += [Text(note, style="italic yellow") for note in view.notes]
    if view.faults:
        parts.append(Text(labels.faults, style="bold underline"))
        parts += [_finding_block(view, f) for f in view.faults]
    if view.advisories:
        parts.append(Text(labels.advisories, style="bold underline"))
        parts.append(Text(labels.advisories_intro, style="dim"))
        parts += [_finding_block(view, f) for f in view.advisories]
    eliminated = _ruled_out(view)
    if eliminated is not None:
        parts.append(eliminated)
    if view.devices.shown:
        parts.append(devices_table(view.devices.rows, view.devices.title, labels))
    if view.devices.hidden_note:
        parts.append(Text(view.devices.hidden_note, style="dim"))
    measured = _measurements(view)
    if measured is not None:
        parts.append(measured)
    for table in (view.outages, view.speedtests):
        outages = _outages(table)
        if outages is not None:
            parts.append(outages)
    if view.timeline:
        parts.append(_section(labels.timeline, [f"{e.time}  {e.text}" for e in view.timeline]))
    if view.baseline is not None:
        parts.append(_section(labels.baseline, [view.baseline.summary, *view.baseline.lines]))
    runs = _runs_table(view, view.runs, labels.checks_run) if verbose else _runs_table(
        view, view.failed_runs, labels.checks_failed)  # fmt: skip
    if runs is not None:
        parts.append(runs)
    if view.errors:
        parts.append(_section(labels.errors, [e.sentence for e in view.errors], "yellow"))
    if verbose and view.trace:
        steps = [f"{s.n}. {s.action}{labels.colon} {s.text}" for s in view.trace]
        parts.append(_section(labels.trace, steps))
    if view.meta.note:
        parts.append(Text(f"{labels.technician_note_colon} {view.meta.note}", style="italic"))
    privacy = view.privacy
    parts.append(Text(privacy.redaction or privacy.note, style="bold red" if privacy.full else "dim"))
    return Group(*parts)


def verdict(view: ReportView) -> tuple[str, str]:
    """The verdict sentence and its rich style."""
    return view.verdict.sentence, _TONE_STYLE[view.verdict.tone]


def print_view(view: ReportView, console: Console, *, verbose: bool = True) -> None:
    """Print the summary of ``view`` to ``console``."""
    console.print(render(view, verbose=verbose))


def text_of(view: ReportView, *, width: int = 100, verbose: bool = True) -> str:
    """The summary as plain text (no colour, no escape sequences), for files and tests."""
    import io

    capture = Console(record=True, width=width, no_color=True, file=io.StringIO(), highlight=False)
    print_view(view, capture, verbose=verbose)
    return capture.export_text()


_CHANGE_STYLE = {"came": "green", "went": "red", "changed": "yellow", "resolved": "green", "new": "red"}


def render_diff(view: DiffView) -> RenderableType:
    """The diff of two reports as one rich renderable."""
    parts: list[RenderableType] = [Text(view.heading, style="bold")]
    parts += [Text(w, style="yellow") for w in view.warnings]
    if view.nothing_changed:
        parts.append(Text(view.nothing_changed, style="green"))
    for diff_table in view.tables:
        table = Table(title=escape(diff_table.title), title_justify="left")
        for column in diff_table.columns:
            table.add_column(escape(column))
        for row in diff_table.rows:
            cells = [escape(cell) for cell in row.cells]
            if row.change:
                table.add_row(Text(row.change, style=_CHANGE_STYLE.get(row.change_key, "")), *cells)
            else:
                table.add_row(*cells)
        parts.append(table)
    return Group(*parts)
