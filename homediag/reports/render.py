"""One entry point for every format a report can be written in (text, JSON, Markdown, HTML).

A human format builds the report's view once (:func:`~homediag.reports.compose.build_view`) and hands
it to its renderer, which only formats it; JSON is the canonical document itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from homediag.core.model import Device, Report
from homediag.reports.compose import ViewOptions, build_view
from homediag.reports.formats import SUFFIXES, Format
from homediag.reports.texts import Texts
from homediag.reports.view import ReportView

__all__ = [
    "SUFFIXES",
    "Format",
    "format_view",
    "print_devices",
    "print_diff",
    "print_report",
    "render",
    "view_of",
]

if TYPE_CHECKING:
    from rich.console import Console

    from homediag.reports.diff import ReportDiff


def view_of(
    report: Report, *, lang: str | None = None, options: ViewOptions | None = None, texts: Texts | None = None
) -> ReportView:
    """The view of ``report`` (texts in ``lang``, default the current language)."""
    return build_view(report, lang=lang, options=options, texts=texts)


def format_view(view: ReportView, fmt: Format) -> str:
    """``view`` in a human format (text, Markdown or HTML)."""
    match fmt:
        case Format.MARKDOWN:
            from homediag.reports.markdown import render_markdown

            return render_markdown(view)
        case Format.HTML:
            from homediag.reports.html import render_html

            return render_html(view)
        case Format.TEXT:
            from homediag.reports.terminal import text_of

            return text_of(view)
    raise ValueError(f"not a human format: {fmt}")


def render(
    report: Report,
    fmt: Format,
    *,
    lang: str | None = None,
    options: ViewOptions | None = None,
    texts: Texts | None = None,
) -> str:
    """``report`` as a document in ``fmt`` (texts for people in ``lang``, default the current one)."""
    if fmt is Format.JSON:
        from homediag.reports.document import dump_report

        return dump_report(report)
    return format_view(view_of(report, lang=lang, options=options, texts=texts), fmt)


def print_report(
    report: Report,
    console: Console,
    *,
    verbose: bool = True,
    lang: str | None = None,
    options: ViewOptions | None = None,
    texts: Texts | None = None,
) -> None:
    """Print the terminal summary of ``report`` to ``console`` (``verbose``: every check and the trace)."""
    from homediag.reports.terminal import print_view

    print_view(view_of(report, lang=lang, options=options, texts=texts), console, verbose=verbose)


def print_diff(
    diff: ReportDiff, console: Console, *, lang: str | None = None, titles: Texts | None = None
) -> None:
    """Print ``report diff``'s table of changes to ``console`` (``titles``: the texts the findings' titles
    are rebuilt with, default as stored)."""
    from homediag.core.i18n import current_language
    from homediag.reports.diffview import diff_view
    from homediag.reports.terminal import render_diff
    from homediag.reports.texts import Say, StoredTexts

    say = Say(titles or StoredTexts(lang or current_language()))
    console.print(render_diff(diff_view(diff, say)))


def print_devices(devices: Sequence[Device], console: Console, *, lang: str | None = None) -> None:
    """Print the device table of ``homediag scan``."""
    from homediag.core.i18n import N_, current_language
    from homediag.reports.compose import device_rows
    from homediag.reports.devices import devices_table
    from homediag.reports.sections import labels
    from homediag.reports.texts import Say, StoredTexts

    say = Say(StoredTexts(lang or current_language()))
    rows = device_rows(devices, say.texts)
    title = say(N_("Devices ({n})")).format(n=len(rows))
    console.print(devices_table(rows, title, labels(say)))
