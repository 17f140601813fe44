"""A terminal a test drives as a person would: tmux, keys sent with ``send-keys``, the screen read with
``capture-pane``.

Each :class:`Terminal` runs its own tmux server (``-L`` with a socket name of its own), so it never
touches a developer's tmux sessions, and kills it when closed. The command runs under ``sh -c`` and
prints ``[exit N]`` when it ends (a Ctrl-C too), so the last screen stays readable and the exit code is
known.
When ``HOMEDIAG_SCREENS_DIR`` is set, every screen a test waits for is also written there (the
"screenshots" of a flow, for a human to read).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from tests.support import skip_or_fail

EXIT = re.compile(r"\[exit (\d+)\]")


class Terminal:
    """One tmux pane running one command."""

    def __init__(self, name: str, *, width: int = 80, height: int = 50, screens: Path | None = None) -> None:
        if shutil.which("tmux") is None:
            skip_or_fail("tmux is not installed (run-tests installs it: homediag/lab/debian-packages.txt)")
        self.socket = f"{name}-{os.getpid()}"
        self.width = width
        self.height = height
        self.shots = 0
        self.name = name
        where = os.environ.get("HOMEDIAG_SCREENS_DIR")
        self.screens = Path(where) if where else screens

    def _tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args],
            capture_output=True,
            encoding="utf-8",
            errors="replace",
            check=check,
            timeout=10,
        )

    def start(self, argv: Sequence[str], env: Mapping[str, str]) -> None:
        """Run ``argv`` with ``env`` in a new pane."""
        command = "env -i " + shlex.join([f"{k}={v}" for k, v in env.items()]) + " " + shlex.join(argv)
        # the shell outlives a Ctrl-C (``C-c`` reaches the whole foreground group): its trap runs once
        # the command ended, and the command gets the signal with its default handling
        script = f'trap : INT; {command}; echo "[exit $?]"; sleep 600'
        self._tmux(
            "-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", str(self.width), "-y", str(self.height),
            "sh", "-c", script,
        )  # fmt: skip

    def keys(self, *keys: str) -> None:
        """Press ``keys`` (tmux key names: ``Down``, ``Enter``, ``C-c``; or text)."""
        self._tmux("send-keys", "-t", "t", *keys)

    def text(self) -> str:
        """Everything the pane shows and showed, wrapped lines joined."""
        return self._tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "t").stdout

    def screen(self) -> str:
        """What the pane shows now."""
        return self._tmux("capture-pane", "-p", "-t", "t").stdout

    def wait_for(self, pattern: str, *, timeout: float = 90.0, after: int = 0) -> str:
        """Wait until ``pattern`` (a regular expression) appears in the text past offset ``after``;
        return the whole text. Fail with the screen when it does not."""
        wanted = re.compile(pattern)
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.text()
            if wanted.search(text, after):
                self._keep(pattern)
                return text
            if EXIT.search(text, after) and not wanted.pattern.startswith(r"\[exit"):
                break
            time.sleep(0.2)
        raise AssertionError(f"{pattern!r} did not appear; the terminal shows:\n{text[-4000:]}")

    def exit_code(self, *, timeout: float = 60.0) -> int:
        """The command's exit code, once it ended."""
        match = EXIT.search(self.wait_for(r"\[exit \d+\]", timeout=timeout))
        assert match is not None
        return int(match.group(1))

    def _keep(self, pattern: str) -> None:
        if self.screens is None:
            return
        self.screens.mkdir(parents=True, exist_ok=True)
        self.shots += 1
        label = re.sub(r"[^A-Za-z0-9]+", "-", pattern).strip("-")[:40]
        path = self.screens / f"{self.name}-{self.shots:02d}-{label}.txt"
        path.write_text(self.screen(), encoding="utf-8")

    def close(self) -> None:
        """Kill the pane's tmux server."""
        self._tmux("kill-server", check=False)
