"""The formats a report can be written in, and the file suffixes that choose them.

Apart from :mod:`homediag.reports.render` so that the CLI's options can name them without importing
the renderers (``homediag --help`` stays fast).
"""

from __future__ import annotations

from enum import StrEnum


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
