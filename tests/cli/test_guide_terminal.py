"""The guided flow's terminal face: ``homediag`` alone on a terminal opens the menu; arrow keys and
numbers choose; a dumb terminal gets plain numbered prompts and no escape codes; ``NO_COLOR`` and 60
columns; meaning never by colour alone; Ctrl-C at the menu.

Process tests run ``homediag`` on a pseudo-terminal in a network namespace of its own (nothing it could
send leaves), and never go past the menu: no check runs.
"""

from __future__ import annotations

import fcntl
import io
import os
import pty
import re
import select
import signal
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Iterator

import pytest
from rich.console import Console

from homediag.app.guide import Block, LineStyle, Option, Screen, Tone
from homediag.cli.guide import DOWN, END, ENTER, UP, TerminalGuide, WordsProgress, parse_keys
from homediag.core.model import Outcome, ProbeResult
from tests.cli.conftest import HOMEDIAG, PREFIX
from tests.support import skip_or_fail

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")
"""An SGR sequence that sets a foreground or background colour."""
MENU_FIRST = "1) The internet does not work"


class Pty:
    """``homediag`` on a pseudo-terminal of ``cols`` columns."""

    def __init__(self, args: list[str], env: dict[str, str], *, cols: int = 80) -> None:
        if PREFIX is None:
            skip_or_fail(
                "this machine cannot create a network namespace (unshare) for the command under test"
            )
        self.master, self.slave = pty.openpty()
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, cols, 0, 0))
        self.proc = subprocess.Popen(
            [*PREFIX, *HOMEDIAG, *args],
            stdin=self.slave,
            stdout=self.slave,
            stderr=self.slave,
            env={**env, "COLUMNS": str(cols)},
            close_fds=True,
        )
        self.output = b""

    def read_until(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while text not in self.text() and time.monotonic() < deadline:
            ready, _w, _x = select.select([self.master], [], [], 0.1)
            if ready:
                try:
                    self.output += os.read(self.master, 65536)
                except OSError:
                    break
        assert text in self.text(), self.text()[-3000:]
        return self.text()

    def text(self) -> str:
        return self.output.decode("utf-8", errors="replace")

    def type(self, data: bytes) -> None:
        os.write(self.master, data)

    def finish(self, timeout: float = 30.0) -> int:
        code = self.proc.wait(timeout=timeout)
        while select.select([self.master], [], [], 0.2)[0]:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                break
            if not chunk:
                break
            self.output += chunk
        return code

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def terminal_env(isolated_env: dict[str, str]) -> dict[str, str]:
    return {**isolated_env, "TERM": "xterm-256color", "LANGUAGE": "en", "NO_COLOR": ""}


@pytest.fixture
def open_pty() -> Iterator[list[Pty]]:
    opened: list[Pty] = []
    yield opened
    for term in opened:
        term.close()


def start(opened: list[Pty], env: dict[str, str], *args: str, cols: int = 80) -> Pty:
    term = Pty(list(args), env, cols=cols)
    opened.append(term)
    return term


def test_homediag_alone_on_a_terminal_opens_the_menu(
    open_pty: list[Pty], terminal_env: dict[str, str]
) -> None:
    term = start(open_pty, terminal_env)
    shown = term.read_until("Arrow keys and Enter, or the number.")
    assert "What is wrong? Choose the problem." in shown and f"› {MENU_FIRST}" in shown
    term.type(b"\x04")  # end of input: nothing chosen, nothing checked
    assert term.finish() == 0
    assert "Nothing chosen; nothing was checked." in term.text()


def test_without_a_terminal_homediag_alone_prints_the_help_and_guide_refuses(
    isolated_env: dict[str, str],
) -> None:
    alone = subprocess.run(
        HOMEDIAG, capture_output=True, text=True, env=isolated_env, stdin=subprocess.DEVNULL
    )
    assert alone.returncode == 4 and "Usage: homediag" in alone.stdout and "guide" in alone.stdout
    guide = subprocess.run(
        [*HOMEDIAG, "guide"], capture_output=True, text=True, env=isolated_env, stdin=subprocess.DEVNULL
    )
    assert guide.returncode == 4
    assert "the guided check needs a terminal" in guide.stderr


def test_a_dumb_terminal_gets_plain_numbered_prompts_and_no_escape_codes(
    open_pty: list[Pty], terminal_env: dict[str, str]
) -> None:
    term = start(open_pty, {**terminal_env, "TERM": "dumb"}, "guide")
    term.read_until("Type a number from 1 to 9 and press Enter: ")
    term.type(b"twelve\n")
    term.read_until("Please type a number from the list.")
    term.type(b"\x04")
    assert term.finish() == 0
    text = term.text()
    assert "\x1b" not in text  # no colour, no cursor movement, no redraw
    assert f"  {MENU_FIRST}" in text and "  9) Check everything" in text


def test_no_color_and_sixty_columns(open_pty: list[Pty], terminal_env: dict[str, str]) -> None:
    term = start(open_pty, {**terminal_env, "NO_COLOR": "1", "LANGUAGE": "de"}, cols=60)
    term.read_until("Pfeiltasten und Eingabetaste, oder die Nummer.")
    term.type(b"\x04")
    assert term.finish() == 0
    text = term.text()
    assert not COLOUR.search(text)
    lines = [ANSI.sub("", line) for line in text.replace("\r", "").split("\n")]
    assert max(len(line) for line in lines) <= 60, max(lines, key=len)
    assert any("6) Ich kann mein Handy nicht auf dem Fernseher zeigen" in line for line in lines)


def test_ctrl_c_at_the_menu_ends_with_one_line_and_restores_the_terminal(
    open_pty: list[Pty], terminal_env: dict[str, str]
) -> None:
    term = start(open_pty, terminal_env)
    term.read_until("Arrow keys and Enter, or the number.")
    term.proc.send_signal(signal.SIGINT)
    assert term.finish() == 130
    assert "interrupted by SIGINT before a report was written" in term.text()
    assert "Traceback" not in term.text()
    assert termios.tcgetattr(term.slave)[3] & termios.ECHO  # echo is back on


# --- the selector and the drawing, in-process ----------------------------------------------------


class Keys:
    """A pseudo-terminal whose slave end a TerminalGuide reads keys from."""

    def __init__(self) -> None:
        self.master, self.slave = pty.openpty()

    def press(self, data: bytes) -> None:
        os.write(self.master, data)

    def close(self) -> None:
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def keys() -> Iterator[Keys]:
    pair = Keys()
    yield pair
    pair.close()


def guide(
    keys: Keys, *, plain: bool, width: int = 60, colour: bool = True
) -> tuple[TerminalGuide, io.StringIO]:
    out = io.StringIO()
    console = Console(
        file=out,
        width=width,
        force_terminal=not plain,
        color_system="standard" if colour else None,
        no_color=not colour,
    )
    return TerminalGuide(plain=plain, console=console, keys_fd=keys.slave, out=out, width=width), out


CHOICES = Screen(
    "question",
    (Block(heading="Is the printer on?"),),
    (Option("a", "Yes"), Option("b", "No"), Option("c", "I don't know")),
)


HINT = "Arrow keys and Enter, or the number."


def choose_typing(
    ui: TerminalGuide, out: io.StringIO, keys: Keys, screen: Screen, typed: bytes
) -> str | None:
    """``ui.choose(screen)`` with ``typed`` pressed once the choices are on the screen, as a person
    would (keys typed earlier meet a terminal still in line mode, where Ctrl-D is no key)."""
    result: list[str | None] = []
    worker = threading.Thread(target=lambda: result.append(ui.choose(screen)), daemon=True)
    worker.start()
    deadline = time.monotonic() + 5
    while HINT not in out.getvalue() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert HINT in out.getvalue(), out.getvalue()
    keys.press(typed)
    worker.join(5)
    if worker.is_alive():
        ui.cancel()
        worker.join(2)
        pytest.fail(f"choose() still waiting after {typed!r}")
    return result[0]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (b"\x1b[B\x1b[B\r", "c"),  # down, down, Enter (all at once, as a fast typist sends them)
        (b"\x1bOB\r", "b"),  # application cursor mode
        (b"\x1b[A\r", "c"),  # up from the first wraps to the last
        (b"2", "b"),  # a number takes that answer at once
        (b"x\r", "a"),  # other keys are ignored; Enter takes the highlighted one
        (b"x\x04", None),  # end of input (Ctrl-D)
    ],
    ids=["arrows", "application arrows", "wrap", "number", "other keys", "end"],
)
def test_arrow_keys_and_numbers_choose(keys: Keys, typed: bytes, expected: str | None) -> None:
    ui, out = guide(keys, plain=False)
    assert choose_typing(ui, out, keys, CHOICES, typed) == expected
    assert termios.tcgetattr(keys.slave)[3] & termios.ICANON  # the terminal is back to lines


def test_a_key_typed_before_the_choices_are_drawn_still_counts(keys: Keys) -> None:
    ui, _out = guide(keys, plain=False)
    keys.press(b"3")  # typed ahead, while the terminal is still in line mode
    assert ui.choose(CHOICES) == "c"


def test_the_highlighted_answer_has_a_marker_not_only_a_colour(keys: Keys) -> None:
    ui, out = guide(keys, plain=False)
    assert choose_typing(ui, out, keys, CHOICES, b"\x1b[B\r") == "b"
    plain = ANSI.sub("", out.getvalue())
    assert f"{ui.marker} 1) Yes\n  2) No" in plain and f"  1) Yes\n{ui.marker} 2) No" in plain
    assert plain.endswith(f"{ui.marker} 2) No\n")  # chosen: only the answer stays
    assert "\x1b[7m" in out.getvalue()  # and in reverse video


def test_a_plain_terminal_reads_a_number_and_asks_again(keys: Keys) -> None:
    ui, out = guide(keys, plain=True, colour=False)
    keys.press(b"7\n3\n")
    assert ui.choose(CHOICES) == "c"
    text = out.getvalue()
    assert "\x1b" not in text
    assert "  1) Yes\n  2) No\n  3) I don't know\n" in text
    assert text.count("Type a number from 1 to 3 and press Enter: ") == 2
    assert "Please type a number from the list." in text


def test_cancel_stops_waiting_and_restores_the_terminal(keys: Keys) -> None:
    ui, _out = guide(keys, plain=False)
    result: list[str | None] = ["not yet"]

    def wait() -> None:
        result[0] = ui.choose(CHOICES)

    worker = threading.Thread(target=wait)
    worker.start()
    time.sleep(0.3)
    ui.cancel()
    worker.join(2)
    assert not worker.is_alive() and result == [None]
    assert termios.tcgetattr(keys.slave)[3] & termios.ECHO


LONG = Screen(
    "remedy",
    (
        Block(
            heading="Most likely: The internet line is down (confirmed, 98%)",
            lines=(
                "The router works, but it has no connection to your provider. "
                "Other devices are affected too.",
            ),
            tone=Tone.BAD,
        ),
        Block(
            heading="Try this: Restart the router",
            lines=(
                "Unplug the router's power for 30 seconds, plug it back in and wait until its lights "
                "are steady (about 3 minutes).",
            ),
            style=LineStyle.NUMBERED,
        ),
        Block(
            heading="What it disturbs: Everyone at home will be offline for about 3 minutes.", tone=Tone.WARN
        ),
    ),
    (Option("done", "Done"), Option("skip", "Skip"), Option("cannot", "I can't")),
)
FIXED = Screen("verdict", (Block(heading="Fixed: the printer prints again.", tone=Tone.GOOD),))
STILL = Screen("verdict", (Block(heading="Still not working.", tone=Tone.BAD),))


@pytest.mark.parametrize("plain", [False, True], ids=["interactive", "plain"])
def test_sixty_columns_hold_every_line(keys: Keys, plain: bool) -> None:
    ui, out = guide(keys, plain=plain, width=60)
    keys.press(b"3" if not plain else b"3\n")
    assert ui.choose(LONG) == "cannot"
    lines = [ANSI.sub("", line) for line in out.getvalue().split("\n")]
    assert max(len(line) for line in lines) <= 60, max(lines, key=len)
    assert any("Unplug the router's power" in line for line in lines)


def test_verdicts_say_it_in_words_and_no_color_drops_the_colour(keys: Keys) -> None:
    coloured, out = guide(keys, plain=False)
    coloured.show(FIXED)
    coloured.show(STILL)
    assert COLOUR.search(out.getvalue())  # colour where allowed...
    bare, bare_out = guide(keys, plain=False, colour=False)
    bare.show(FIXED)
    bare.show(STILL)
    text = bare_out.getvalue()
    assert not COLOUR.search(text)
    assert "Fixed: the printer prints again." in text and "Still not working." in text  # ...the words


def test_the_progress_says_each_kind_of_check_once_on_a_plain_terminal(keys: Keys) -> None:
    ui, out = guide(keys, plain=True, colour=False)
    progress = WordsProgress(ui)
    with progress:
        progress.started("discovery.arp")
        progress.started("discovery.mdns")
        progress.pause()  # a question is on the screen: nothing may be written under it
        progress.started("devices.printer_ipp @ 192.0.2.20")
        assert "printer" not in out.getvalue()
        progress.resume()
        progress.finished(ProbeResult(probe="discovery.arp", outcome=Outcome.OK, duration_s=0.1))
    lines = [line for line in out.getvalue().splitlines() if line]
    assert lines == ["- Looking for the devices at home...", "- Asking the printer how it is..."]


@pytest.mark.parametrize(
    ("text", "keys_"),
    [
        ("\x1b[A\x1b[B\r\n", [UP, DOWN, ENTER, ENTER]),
        ("12\x04", ["1", "2", END]),
        ("\x1b[1;5A", [UP]),
        ("\x1b", ["other"]),
        ("kj", [UP, DOWN]),
    ],
)
def test_parse_keys(text: str, keys_: list[str]) -> None:
    assert list(parse_keys(text)) == keys_
