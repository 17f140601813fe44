"""The HTML report in a real browser: headless Chromium (Debian's package) renders it offline.

Chromium runs in a network namespace of its own (only loopback inside) when this machine can make one,
with every background service switched off: the report must need nothing from outside, and the test
must send nothing outside.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from homediag.reports.html import render_html
from homediag.reports.redact import redact
from homediag.reports.tokens import TokenStore
from tests.reports.conftest import FIXED_KEY, fixture
from tests.support import skip_or_fail

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    skip_or_fail("chromium is not installed (homediag/lab/debian-packages.txt lists it; run-tests installs it)")


def _isolation() -> list[str]:
    unshare = shutil.which("unshare")
    if unshare and os.geteuid() == 0 and subprocess.run([unshare, "--net", "true"]).returncode == 0:
        return [unshare, "--net"]
    return []


def _run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    command = [*_isolation(), _chromium(), *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env={**os.environ, "HOME": str(tmp_path)})


@pytest.mark.slow
def test_html_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    report = redact(fixture("printer-paused"), TokenStore(FIXED_KEY))
    page = tmp_path / "report.html"
    page.write_text(render_html(report), encoding="utf-8")
    png = tmp_path / "shot.png"
    shot = _run([f"--screenshot={png}", "--window-size=1280,2000", page.as_uri()], tmp_path)
    assert png.is_file(), shot.stderr[-2000:]
    with Image.open(png) as image:
        assert image.size == (1280, 2000)
        stats = ImageStat.Stat(image.convert("L"))
        assert stats.stddev[0] > 10, "the screenshot is blank"
        # the verdict box is drawn in red tones near the top
        top = image.convert("RGB").crop((0, 0, 1280, 300)).tobytes()
        pixels = zip(top[0::3], top[1::3], top[2::3], strict=True)
        reds = sum(1 for r, g, b in pixels if r > 150 and g < 120 and b < 120)
        assert reds > 200
    dom = _run(["--dump-dom", page.as_uri()], tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "The printer is paused" in dom.stdout
    assert "Resume the printer" in dom.stdout
    assert "<svg" in dom.stdout
