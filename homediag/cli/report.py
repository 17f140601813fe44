"""``homediag report render | show``: reports rendered from the JSON document alone."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from homediag.cli.common import console, echo_json, write_output
from homediag.core.i18n import _

app = typer.Typer(help=_("Render and show saved reports."), no_args_is_help=True)


class RenderFormat(StrEnum):
    """Formats ``report render`` can write."""

    TEXT = "text"
    JSON = "json"


@app.command()
def render(
    file: Annotated[Path, typer.Argument(help=_("A homediag JSON report."))],
    format_: Annotated[RenderFormat, typer.Option("--format", help=_("Output format."))] = RenderFormat.TEXT,
    output: Annotated[Path | None, typer.Option("--output", "-o", help=_("Write to this file."))] = None,
) -> None:
    """Render a saved report in another format."""
    from homediag.cli.diagnose import render_text
    from homediag.reports.document import dump_report, load_report
    from homediag.reports.terminal import print_report

    report = load_report(file)
    if format_ is RenderFormat.JSON:
        content = dump_report(report)
        if output is None:
            echo_json(content)
        else:
            write_output(output, content, private=report.privacy_level == "full")
        return
    if output is None:
        print_report(report, console())
    else:
        write_output(output, render_text(report))


@app.command()
def show(file: Annotated[Path, typer.Argument(help=_("A homediag JSON report."))]) -> None:
    """Show a saved report's summary in the terminal."""
    from homediag.reports.document import load_report
    from homediag.reports.terminal import print_report

    print_report(load_report(file), console())
