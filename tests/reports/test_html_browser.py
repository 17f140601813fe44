"""The HTML report in a real browser: headless Chromium renders it offline (``tests/browser.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from homediag.reports.redact import redact
from homediag.reports.tokens import TokenStore
from tests.browser import dom, red_pixels_near_the_top, screenshot
from tests.reports.conftest import FIXED_KEY, fixture, render_html


@pytest.mark.slow
def test_html_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    report = redact(fixture("printer-paused"), TokenStore(FIXED_KEY))
    page = tmp_path / "report.html"
    page.write_text(render_html(report), encoding="utf-8")
    image = screenshot(page, tmp_path)
    assert red_pixels_near_the_top(image) > 200  # the verdict box is drawn in red tones near the top
    rendered = dom(page, tmp_path)
    assert "The printer is paused" in rendered
    assert "Resume the printer" in rendered
    assert "<svg" in rendered


@pytest.mark.slow
def test_a_checkup_with_a_fault_and_two_advisories_leads_with_the_fault(tmp_path: Path) -> None:
    report = redact(fixture("checkup-advisories"), TokenStore(FIXED_KEY))
    page = tmp_path / "checkup.html"
    page.write_text(render_html(report, "en"), encoding="utf-8")
    image = screenshot(page, tmp_path)
    assert red_pixels_near_the_top(image) > 200  # the fault's verdict box is red
    rendered = dom(page, tmp_path)
    verdict = rendered[rendered.index('id="verdict"') :]
    assert verdict.index("The printer is paused") < verdict.index("Worth fixing")
    assert verdict.index("Worth fixing") < verdict.index("An admin page is served without encryption")
    assert 'class="hop fault"' not in rendered and rendered.count('class="node fault"') == 1
