"""The terminal renderer: a verdict first, then findings, measurements and probe runs, with rich.

It reads the report alone (never runs a probe) and prints through the console it is given; every value
that came from a device passes through :func:`inert` and is escaped for rich markup.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from homediag.core.i18n import _
from homediag.core.model import Finding, FindingStatus, Observation, Outcome, Report
from homediag.reports.sanitize import inert

_STATUS_STYLE = {
    FindingStatus.CONFIRMED: "bold red",
    FindingStatus.LIKELY: "red",
    FindingStatus.POSSIBLE: "yellow",
    FindingStatus.RULED_OUT: "green",
    FindingStatus.DEFERRED: "cyan",
    FindingStatus.NOT_TESTED: "dim",
}
_OUTCOME_STYLE = {
    Outcome.OK: "green",
    Outcome.TIMEOUT: "red",
    Outcome.ERROR: "red",
    Outcome.CANCELLED: "red",
    Outcome.NOT_PERMITTED: "yellow",
}


def _safe(value: object, max_chars: int = 120) -> str:
    return escape(inert(value, max_chars))


def format_value(obs: Observation) -> str:
    """An observation's value with its unit, shortened for a table cell."""
    value = obs.value
    if value is None:
        text = "—"
    elif isinstance(value, bool):
        text = _("yes") if value else _("no")
    elif isinstance(value, float):
        text = f"{value:.1f}" if abs(value) >= 10 else f"{value:.3g}"
    elif isinstance(value, list):
        text = ", ".join(str(v) for v in value[:6]) + (" …" if len(value) > 6 else "")
    elif isinstance(value, dict):
        text = ", ".join(f"{k}={v}" for k, v in list(value.items())[:6])
    else:
        text = str(value)
    if obs.unit and value is not None:
        text = f"{text} {obs.unit}"
    return text


def verdict(report: Report) -> tuple[str, str]:
    """One sentence and its style: the top problem, no problem, or what stopped the run."""
    top = report.top_finding()
    if top is not None:
        return inert(top.title, 200), _STATUS_STYLE[top.status]
    failed = [run for run in report.probe_runs if run.outcome.failed]
    if not report.complete:
        return _("The check was interrupted; the results below are partial."), "yellow"
    if failed:
        return _("No problem found, but {n} check(s) could not finish.").format(n=len(failed)), "yellow"
    return _("No problem found."), "green"


def _findings_table(findings: Iterable[Finding]) -> Table:
    table = Table(title=_("Findings"), title_justify="left", expand=False)
    table.add_column(_("Status"))
    table.add_column(_("Problem"))
    table.add_column(_("Code"), style="dim")
    table.add_column(_("Probability"), justify="right")
    for finding in findings:
        table.add_row(
            Text(finding.status.value, style=_STATUS_STYLE[finding.status]),
            _safe(finding.title, 100),
            _safe(finding.code, 60),
            f"{finding.probability:.0%}",
        )
    return table


def _observations_table(observations: Iterable[Observation]) -> Table:
    table = Table(title=_("Measurements"), title_justify="left")
    table.add_column(_("Fact"))
    table.add_column(_("About"))
    table.add_column(_("Value"))
    table.add_column(_("Evidence"), style="dim")
    for obs in observations:
        table.add_row(
            _safe(obs.fact, 60),
            _safe(obs.subject, 40),
            _safe(format_value(obs), 80),
            _safe(obs.evidence or "", 80),
        )
    return table


def _runs_table(report: Report) -> Table:
    table = Table(title=_("Checks run"), title_justify="left")
    table.add_column(_("Probe"))
    table.add_column(_("Outcome"))
    table.add_column(_("Time"), justify="right")
    table.add_column(_("Note"), style="dim")
    for run in report.probe_runs:
        table.add_row(
            _safe(run.probe + (f" @ {run.target}" if run.target else ""), 60),
            Text(run.outcome.value, style=_OUTCOME_STYLE.get(run.outcome, "")),
            f"{run.duration_s:.2f} s",
            _safe(run.reason or run.method or "", 80),
        )
    return table


def render(report: Report, *, verbose: bool = True) -> RenderableType:
    """The whole summary as one rich renderable."""
    sentence, style = verdict(report)
    parts: list[RenderableType] = [Panel(Text(sentence, style=style), title=_("Verdict"), expand=False)]
    shown = [f for f in report.findings if f.status is not FindingStatus.NOT_TESTED]
    if shown:
        parts.append(_findings_table(shown))
    if verbose and report.observations:
        parts.append(_observations_table(report.observations))
    if report.probe_runs:
        parts.append(_runs_table(report))
    return Group(*parts)


def print_report(report: Report, console: Console, *, verbose: bool = True) -> None:
    """Print the summary of ``report`` to ``console``."""
    console.print(render(report, verbose=verbose))
