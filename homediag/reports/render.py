"""One entry point for every format a report can be written in (text, JSON, Markdown, HTML)."""

from __future__ import annotations

from enum import StrEnum

from homediag.core.model import Report


class Format(StrEnum):
    """The formats of a report."""

    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"
    HTML = "html"


SUFFIXES = {
    ".json": Format.JSON,
    ".md": Format.MARKDOWN,
    ".markdown": Format.MARKDOWN,
    ".html": Format.HTML,
    ".htm": Format.HTML,
    ".txt": Format.TEXT,
}


def render(report: Report, fmt: Format, *, lang: str | None = None) -> str:
    """``report`` as a document in ``fmt`` (texts for people in ``lang``, default the current one)."""
    match fmt:
        case Format.JSON:
            from homediag.reports.document import dump_report

            return dump_report(report)
        case Format.MARKDOWN:
            from homediag.reports.markdown import render_markdown

            return render_markdown(report, lang)
        case Format.HTML:
            from homediag.reports.html import render_html

            return render_html(report, lang)
        case _:
            from homediag.reports.terminal import render_text

            return render_text(report, lang=lang)
