"""``homediag report render | show | diff``: reports rendered from the JSON document alone."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from homediag.cli import output as out
from homediag.cli.common import console, echo_json
from homediag.cli.output import Customer, Devices, Format, Lang, NoRedact, Note, Site, Ticket
from homediag.core.i18n import _

app = typer.Typer(help=_("Render, show and compare saved reports."), no_args_is_help=True)


class DiffFormat(StrEnum):
    """Formats ``report diff`` can write."""

    TEXT = "text"
    JSON = "json"


@app.command(help=_("Render a saved report as text, JSON, Markdown or HTML (redacted unless --no-redact)."))
def render(
    file: Annotated[Path, typer.Argument(help=_("A homediag JSON report."))],
    format_: Annotated[
        Format | None,
        typer.Option("--format", help=_("Output format (default: text, or by --output suffix).")),
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help=_("Write to this file."))] = None,
    no_redact: NoRedact = False,
    lang: Lang = None,
    devices: Devices = False,
    customer: Customer = None,
    site: Site = None,
    ticket: Ticket = None,
    note: Note = None,
) -> None:
    """Render a saved report as text, JSON, Markdown or HTML (redacted unless --no-redact)."""
    from homediag.reports.document import load_report

    language = out.use_language(lang)
    report = out.with_meta(load_report(file), customer=customer, site=site, ticket=ticket, note=note)
    report = out.prepare(report, redact=not no_redact)
    out.show(report, out.choose_format(output, format_), output, lang=language, verbose=True, devices=devices)


@app.command(help=_("Show a saved report's summary in the terminal (paged when longer than the screen)."))
def show(
    file: Annotated[Path, typer.Argument(help=_("A homediag JSON report."))],
    no_redact: NoRedact = False,
    lang: Lang = None,
    devices: Devices = False,
) -> None:
    """Show a saved report's summary in the terminal (through a pager when it is longer than the
    screen)."""
    from homediag.reports.document import load_report

    language = out.use_language(lang)
    report = out.prepare(load_report(file), redact=not no_redact)
    out.page(report, lang=language, devices=devices)


@app.command(
    help=_(
        "Compare two reports of one network: devices that came or went, findings resolved or new, "
        "measurements that changed."
    )
)
def diff(
    old: Annotated[Path, typer.Argument(help=_("The earlier report."))],
    new: Annotated[Path, typer.Argument(help=_("The later report."))],
    format_: Annotated[DiffFormat, typer.Option("--format", help=_("Output format."))] = DiffFormat.TEXT,
    no_redact: NoRedact = False,
    lang: Lang = None,
) -> None:
    """Compare two reports of one network: devices that came or went, findings resolved or new,
    measurements that changed."""
    from homediag.core.jsonio import dumps
    from homediag.reports.diff import diff_reports
    from homediag.reports.document import load_report
    from homediag.reports.render import print_diff

    language = out.use_language(lang)
    before = out.prepare(load_report(old), redact=not no_redact)
    after = out.prepare(load_report(new), redact=not no_redact)
    result = diff_reports(before, after)
    if format_ is DiffFormat.JSON:
        echo_json(dumps(result.to_json()))
        return
    print_diff(result, console(), lang=language, titles=out.texts_for(after, language))
