"""Writing and printing reports from the CLI: one path for ``diagnose`` and ``report render``.

Everything homediag prints or writes is redacted unless ``--no-redact`` (then files get mode 0600); the
format is the one asked for, else the one the output file's suffix says, else text.
"""

from __future__ import annotations

import dataclasses
import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from homediag.cli.common import console, echo_json, write_output
from homediag.core.i18n import _
from homediag.reports.formats import SUFFIXES, Format

__all__ = ["Format"]  # re-exported: the CLI options use it

if TYPE_CHECKING:
    from homediag.core.model import Report
    from homediag.reports.texts import Texts


class LangOption(StrEnum):
    """Values of ``--lang``."""

    EN = "en"
    DE = "de"
    FR = "fr"


Lang = Annotated[LangOption | None, typer.Option("--lang", help=_("Language (default: the system's)."))]
NoRedact = Annotated[
    bool,
    typer.Option(
        "--no-redact",
        help=_("Keep private details (full record, for local use only; files get mode 0600)."),
    ),
]


Devices = Annotated[
    bool,
    typer.Option("--devices", help=_("List every device of the network, not only those the findings name.")),
]
Customer = Annotated[str | None, typer.Option("--customer", help=_("Customer name."))]
Site = Annotated[str | None, typer.Option("--site", help=_("Site or address."))]
Ticket = Annotated[str | None, typer.Option("--ticket", help=_("Ticket number."))]
Note = Annotated[str | None, typer.Option("--note", help=_("Technician's note."))]


def use_language(lang: LangOption | None) -> str:
    """Switch texts to ``--lang``, else the system's language; return the language used."""
    from homediag.core.i18n import set_language, system_language

    language = lang.value if lang is not None else system_language()
    set_language(language)
    return language


def choose_format(output: Path | None, given: Format | None) -> Format:
    """The format asked for, else the one the output file's suffix says, else text."""
    if given is not None:
        return given
    if output is None:
        return Format.TEXT
    return SUFFIXES.get(output.suffix.lower(), Format.TEXT)


def with_meta(report: Report, **fields: str | None) -> Report:
    """``report`` with the customer/site/ticket/note fields given on the command line."""
    given = {key: value for key, value in fields.items() if value}
    if not given:
        return report
    return dataclasses.replace(report, meta=dataclasses.replace(report.meta, **given))


def prepare(report: Report, *, redact: bool) -> Report:
    """The report as it may leave this computer: redacted unless ``redact`` is False."""
    from homediag.reports.redact import for_output

    shared, warnings = for_output(report, redact_report=redact)
    for warning in warnings:
        sys.stderr.write(_("homediag: warning: {message}").format(message=warning) + "\n")
    return shared


def texts_for(report: Report, lang: str | None = None) -> Texts:
    """The texts of ``report`` rebuilt in ``lang`` (default: the current language) from this
    installation's playbooks; as stored, with a warning, when the playbooks cannot be loaded."""
    from homediag.app.texts import report_texts
    from homediag.core.errors import PlaybookError
    from homediag.core.i18n import current_language
    from homediag.reports.texts import StoredTexts

    language = lang or current_language()
    try:
        return report_texts(report, language)
    except PlaybookError as exc:
        sys.stderr.write(
            _(
                "homediag: warning: the findings are shown as recorded: the playbooks cannot be loaded "
                "({error})"
            ).format(error=exc)
            + "\n"
        )
        return StoredTexts(language, recorded=report.context.lang)


def show(
    report: Report,
    fmt: Format,
    output: Path | None,
    *,
    lang: str | None = None,
    verbose: bool = False,
    devices: bool = False,
) -> None:
    """Print the (prepared) report in ``fmt``, or write it to ``output`` (``verbose``: the terminal
    summary also lists every check and the trace; ``devices``: every device, whatever the complaint)."""
    from homediag.reports.compose import ViewOptions

    options = ViewOptions(all_devices=devices)
    private = report.privacy_level == "full"
    from homediag.reports.render import render

    texts = texts_for(report, lang) if fmt is not Format.JSON else None
    if output is not None:
        write_output(output, render(report, fmt, lang=lang, options=options, texts=texts), private=private)
        return
    if fmt is Format.TEXT:
        from homediag.reports.render import print_report

        print_report(report, console(), verbose=verbose, lang=lang, options=options, texts=texts)
    elif fmt is Format.JSON:
        echo_json(render(report, fmt))
    else:
        sys.stdout.write(render(report, fmt, lang=lang, options=options, texts=texts))


def page(report: Report, *, lang: str | None = None, devices: bool = False) -> None:
    """Print the summary of ``report`` (``report show``): through a pager when it is longer than the
    terminal, never when piped or on a dumb terminal.

    rich's pager hands the text to ``$PAGER`` (else ``less``). As git does, ``LESS`` defaults to
    ``FRX``: colours pass (``R``), a page that fits ends at once (``F``), the text stays on the
    screen afterwards (``X``). Colours go to the pager only when ``less`` will show them.
    """
    import os

    from homediag.reports.compose import ViewOptions
    from homediag.reports.render import view_of
    from homediag.reports.terminal import render as render_view

    out = console()
    texts = texts_for(report, lang)
    view = view_of(report, lang=lang, options=ViewOptions(all_devices=devices), texts=texts)
    summary = render_view(view, verbose=False)
    if not out.is_interactive or len(out.render_lines(summary, pad=False)) <= out.height:
        out.print(summary)
        return
    os.environ.setdefault("LESS", "FRX")
    colour = out.color_system is not None and "R" in os.environ["LESS"].upper()
    with out.pager(styles=colour):
        out.print(summary)


def reports_dir() -> Path:
    """Where reports are kept when no ``--output`` is given."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("homediag")) / "reports"


def save_copy(report: Report) -> Path | None:
    """Keep the (prepared) JSON report in the user's data directory; None, with a warning, on failure."""
    from homediag.core.jsonio import atomic_write, sweep_temp_files
    from homediag.reports.render import render

    directory = reports_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        sweep_temp_files(directory)
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        path = directory / f"report-{stamp}-{report.complaint or 'checkup'}.json"
        private = report.privacy_level == "full"
        atomic_write(path, render(report, Format.JSON), mode=0o600 if private else 0o644)
    except OSError as exc:
        sys.stderr.write(
            _("homediag: warning: could not save the report: {error}").format(error=exc.strerror or exc)
            + "\n"
        )
        return None
    return path
