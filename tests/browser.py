"""Headless Chromium (Debian's package) for the HTML report tests: a screenshot and the rendered DOM.

Chromium runs in a network namespace of its own (only loopback inside) when this machine can make one,
with every background service switched off: a report must need nothing from outside, and a test must
send nothing outside.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from PIL import Image, ImageStat

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
WINDOW = (1280, 2000)


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    skip_or_fail("chromium is not installed (run-tests installs it: homediag/lab/debian-packages.txt)")


def _isolation() -> list[str]:
    unshare = shutil.which("unshare")
    if unshare and os.geteuid() == 0 and subprocess.run([unshare, "--net", "true"]).returncode == 0:
        return [unshare, "--net"]
    return []


def _run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    command = [*_isolation(), _chromium(), *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=120, env={**os.environ, "HOME": str(tmp_path)}
    )


def screenshot(page: Path, tmp_path: Path) -> Image.Image:
    """A screenshot of ``page`` at :data:`WINDOW` size, checked not to be blank."""
    png = tmp_path / f"{page.stem}.png"
    shot = _run([f"--screenshot={png}", f"--window-size={WINDOW[0]},{WINDOW[1]}", page.as_uri()], tmp_path)
    assert png.is_file(), shot.stderr[-2000:]
    with Image.open(png) as image:
        loaded = image.convert("RGB")
    assert loaded.size == WINDOW
    assert ImageStat.Stat(loaded.convert("L")).stddev[0] > 10, "the screenshot is blank"
    return loaded


def red_pixels_near_the_top(image: Image.Image, height: int = 300) -> int:
    """How many clearly red pixels the top ``height`` pixels hold (a problem verdict is drawn in red)."""
    top = image.crop((0, 0, image.size[0], height)).tobytes()
    pixels = zip(top[0::3], top[1::3], top[2::3], strict=True)
    return sum(1 for r, g, b in pixels if r > 150 and g < 120 and b < 120)


def dom(page: Path, tmp_path: Path) -> str:
    """The DOM Chromium renders for ``page``."""
    done = _run(["--dump-dom", page.as_uri()], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout
