"""Shared fixtures of the report tests: fixture reports, and token stores that never touch ~/.config."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from homediag.core.i18n import set_language
from homediag.core.model import Report
from homediag.reports.compose import ViewOptions
from homediag.reports.document import load_report
from homediag.reports.render import Format, render
from homediag.reports.tokens import TokenStore

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXED_KEY = bytes(range(32))


def fixture(name: str) -> Report:
    """A fixture report by file stem (``printer-paused``)."""
    return load_report(FIXTURES / f"{name}.json")


def render_text(report: Report, lang: str | None = None, options: ViewOptions | None = None) -> str:
    """The terminal summary of ``report`` as plain text."""
    return render(report, Format.TEXT, lang=lang, options=options)


def render_markdown(report: Report, lang: str | None = None, options: ViewOptions | None = None) -> str:
    """The Markdown report of ``report``."""
    return render(report, Format.MARKDOWN, lang=lang, options=options)


def render_html(report: Report, lang: str | None = None, options: ViewOptions | None = None) -> str:
    """The HTML report of ``report``."""
    return render(report, Format.HTML, lang=lang, options=options)


@pytest.fixture(autouse=True)
def _private_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the redaction key and table at a temp dir; start every test in English."""
    directory = tmp_path / "config"
    monkeypatch.setenv("HOMEDIAG_CONFIG_DIR", str(directory))
    set_language("en")
    yield directory
    set_language("en")


@pytest.fixture
def store() -> TokenStore:
    """A store with a fixed key and an empty table: tokens are the same in every test run."""
    return TokenStore(FIXED_KEY)
