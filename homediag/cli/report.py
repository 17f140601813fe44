"""``homediag report render | show | diff``: reports rendered from the JSON document alone."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from homediag.cli.common import console, echo_json, write_output
from homediag.core.i18n import _

if TYPE_CHECKING:
    from homediag.core.model import Report

app = typer.Typer(help=_("Render, show and compare saved reports."), no_args_is_help=True)


class RenderFormat(StrEnum):
    """Formats ``report render`` can write."""

    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"
    HTML = "html"


class DiffFormat(StrEnum):
    """Formats ``report diff`` can write."""

    TEXT = "text"
    JSON = "json"


class LangOption(StrEnum):
    """Values of ``--lang``."""

    EN = "en"
    DE = "de"
    FR = "fr"


NoRedact = Annotated[
    bool,
    typer.Option(
        "--no-redact",
        help=_("Keep private details (full record, for local use only; files get mode 0600)."),
    ),
]
Lang = Annotated[LangOption | None, typer.Option("--lang", help=_("Language (default: the system's)."))]


def _language(lang: LangOption | None) -> str:
    from homediag.core.i18n import set_language, system_language

    language = lang.value if lang is not None else system_language()
    set_language(language)
    return language


def _prepared(report: Report, no_redact: bool) -> Report:
    from homediag.reports.redact import for_output

    shared, warnings = for_output(report, redact_report=not no_redact)
    for warning in warnings:
        sys.stderr.write(_("homediag: warning: {message}").format(message=warning) + "\n")
    return shared


@app.command()
def render(
    file: Annotated[Path, typer.Argument(help=_("A homediag JSON report."))],
    format_: Annotated[
        RenderFormat | None,
        typer.Option("--format", help=_("Output format (default: text, or by --output suffix).")),
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help=_("Write to this file."))] = None,
    no_redact: NoRedact = False,
    lang: Lang = None,
    customer: Annotated[str | None, typer.Option("--customer", help=_("Customer name."))] = None,
    site: Annotated[str | None, typer.Option("--site", help=_("Site or address."))] = None,
    ticket: Annotated[str | None, typer.Option("--ticket", help=_("Ticket number."))] = None,
    note: Annotated[str | None, typer.Option("--note", help=_("Technician's note."))] = None,
) -> None:
    """Render a saved report as text, JSON, Markdown or HTML (redacted unless --no-redact)."""
    import dataclasses

    from homediag.reports.document import load_report
    from homediag.reports.render import SUFFIXES, Format, render

    language = _language(lang)
    report = load_report(file)
    given = {"customer": customer, "site": site, "ticket": ticket, "note": note}
    extra = {k: v for k, v in given.items() if v}
    if extra:
        report = dataclasses.replace(report, meta=dataclasses.replace(report.meta, **extra))
    report = _prepared(report, no_redact)
    if format_ is not None:
        fmt = Format(format_.value)
    elif output is not None:
        fmt = SUFFIXES.get(output.suffix.lower(), Format.TEXT)
    else:
        fmt = Format.TEXT
    if output is None:
        if fmt is Format.TEXT:
            from homediag.reports.terminal import print_report

            print_report(report, console(), lang=language)
        elif fmt is Format.JSON:
            echo_json(render(report, fmt))
        else:
            sys.stdout.write(render(report, fmt, lang=language))
        return
    write_output(output, render(report, fmt, lang=language), private=report.privacy_level == "full")


@app.command()
def show(
    file: Annotated[Path, typer.Argument(help=_("A homediag JSON report."))],
    no_redact: NoRedact = False,
    lang: Lang = None,
) -> None:
    """Show a saved report's summary in the terminal."""
    from homediag.reports.document import load_report
    from homediag.reports.terminal import print_report

    language = _language(lang)
    report = _prepared(load_report(file), no_redact)
    print_report(report, console(), verbose=False, lang=language)


@app.command()
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
    from homediag.reports.terminal import render_diff

    _language(lang)
    before = _prepared(load_report(old), no_redact)
    after = _prepared(load_report(new), no_redact)
    result = diff_reports(before, after)
    if format_ is DiffFormat.JSON:
        echo_json(dumps(result.to_json()))
        return
    console().print(render_diff(result))
