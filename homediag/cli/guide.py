"""``homediag guide`` (and ``homediag`` alone on a terminal): the guided flow's terminal face.

The flow itself - which screens, which questions, which remedy next, how it ends - is
:mod:`homediag.app.guide`; this draws its screens and reads the customer's keys.

Two ways to draw, chosen by the terminal:

- **interactive** (a terminal that can move the cursor): choices are a list with a marker on the
  highlighted one (``>`` and reverse video: never colour alone); the arrow keys move it, Enter takes
  it, a number key takes that answer at once. A progress line says in words what is being checked.
- **plain** (``TERM=dumb``, for screen readers and simple terminals): nothing is redrawn; choices are
  numbered lines, the customer types a number and Enter; what is being checked comes as one line
  each.

``NO_COLOR`` turns colour off in both; texts wrap to the terminal's width (60 columns work). Keys are
read in a worker thread while the checks go on; Ctrl-C stops the checks and keeps the partial report,
as in ``diagnose``.
"""

from __future__ import annotations

import os
import select
import sys
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer

from homediag import _signals
from homediag.cli.common import load_config
from homediag.cli.output import Lang, use_language
from homediag.core.errors import UsageError
from homediag.core.exitcodes import ExitCode
from homediag.core.i18n import _

if TYPE_CHECKING:
    from rich.console import Console

    from homediag.app.screens import Block, Screen
    from homediag.core.model import ProbeResult

POLL_S = 0.1
"""How often a waiting key reader looks whether it was cancelled."""
UP = "up"
DOWN = "down"
ENTER = "enter"
END = "end"


def register(app: typer.Typer) -> None:
    """Add ``guide`` to ``app``."""

    @app.command(help=_("The guided check: pick the problem, try the safe fixes, book a technician."))
    def guide(
        ctx: typer.Context,
        lang: Lang = None,
        config: Annotated[Path | None, typer.Option("--config", help=_("Configuration file."))] = None,
        interface: Annotated[
            str | None, typer.Option("--interface", help=_("Network interface to check."))
        ] = None,
    ) -> None:
        """The guided check: pick the problem, try the safe fixes, book a technician."""
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise UsageError(_("the guided check needs a terminal; in scripts use 'homediag diagnose'"))
        language = use_language(lang)
        run_guide(ctx, language, config, interface)


def is_plain_terminal() -> bool:
    """Whether to draw without cursor movement: ``TERM=dumb`` (or no ``TERM``)."""
    term = os.environ.get("TERM", "")
    return term in ("", "dumb", "unknown")


def run_guide(ctx: typer.Context, language: str, config: Path | None, interface: str | None) -> None:
    """The flow: menu, checks with remedies, the end; exits with the flow's code."""
    from homediag.app.screens import menu_screen, start_screen
    from homediag.engine.menu import read_menu

    entries = read_menu()
    ui = TerminalGuide(plain=is_plain_terminal())
    preload = Preload(ctx, config)
    ui.on_first_screen = preload.start  # load the rest while the customer reads
    choice = ui.choose(menu_screen(entries, language))
    if choice is None:
        ui.say(_("Nothing chosen; nothing was checked."))
        raise typer.Exit(int(ExitCode.OK))
    entry = next(e for e in entries if e.complaint == choice)
    ui.show(start_screen(entry, language))
    cfg, registry, playbooks = preload.result()
    _run_checks(ui, entry, language, cfg, registry, playbooks, interface)


def _run_checks(
    ui: TerminalGuide,
    entry: Any,
    language: str,
    cfg: Any,
    registry: Any,
    playbooks: Any,
    interface: str | None,
) -> None:
    from homediag.app.diagnose import DiagnosisRun
    from homediag.app.guide import DETAILS, EndingKind, GuidedFlow, ending
    from homediag.cli.diagnose import exit_code_for
    from homediag.cli.output import Format, prepare, save_copy, show
    from homediag.cli.runtime import finish, run_job
    from homediag.core.session import Audience, Session

    for problem in registry.errors:
        sys.stderr.write(_("homediag: warning: {message}").format(message=problem) + "\n")
    session = Session.detect(
        config=cfg, interface=interface, audience=Audience.CUSTOMER, lang=language, interactive=True
    )
    flow = GuidedFlow(ui, entry, language)
    progress = WordsProgress(ui)
    ui.display = progress
    run = DiagnosisRun(
        session, registry, complaint=entry.complaint, progress=progress, questioner=flow, playbooks=playbooks
    )
    with progress:
        interrupted = run_job(run.execute, on_interrupt=run.runner.abort)
    ui.display = None
    report = prepare(run.report(interrupted_by=interrupted.name), redact=True)
    saved = save_copy(report)
    end = ending(report, entry, lang=language, saved=saved, playbooks=playbooks)
    if interrupted.exit_code is not None:
        ui.show(end.screen)
        finish(interrupted.exit_code)
    if end.screen.options:
        if ui.choose(end.screen) == DETAILS:
            show(report, Format.TEXT, None, lang=language, verbose=True)
    else:
        ui.show(end.screen)
    if end.kind in (EndingKind.FIXED, EndingKind.NOT_APPLICABLE):
        finish(int(ExitCode.OK))
    finish(int(exit_code_for(report)))


class Preload:
    """The configuration, the probes and the validated playbooks, loaded in a background thread while
    the menu is shown (about a second of work the customer does not wait for)."""

    def __init__(self, ctx: typer.Context, config: Path | None) -> None:
        self._config = config
        self._ctx = ctx
        self._thread: threading.Thread | None = None
        self._value: tuple[Any, Any, Any] | None = None
        self._error: BaseException | None = None

    def start(self) -> None:
        """Start loading (once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._load, name="guide preload", daemon=True)
            self._thread.start()

    def _load(self) -> None:
        try:
            from homediag.app.playbooks import load_playbooks
            from homediag.app.registry import load_registry

            cfg = load_config(self._ctx, self._config)
            registry = load_registry(cfg)
            self._value = (cfg, registry, load_playbooks(catalogue=registry.catalogue()))
        except BaseException as exc:  # noqa: BLE001 - raised again in the main thread
            self._error = exc

    def result(self) -> tuple[Any, Any, Any]:
        """What was loaded (loading now when it had not started); its error raised here."""
        self.start()
        assert self._thread is not None
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._value is not None
        return self._value


class TerminalGuide:
    """Draws the flow's screens on the terminal and reads the customer's choices (a ``GuideUI``)."""

    def __init__(
        self,
        *,
        plain: bool,
        console: Console | None = None,
        keys_fd: int | None = None,
        out: TextIO | None = None,
        width: int | None = None,
    ) -> None:
        from homediag.cli.common import console as make_console

        self.plain = plain
        self.console = console or make_console()
        self.keys_fd = sys.stdin.fileno() if keys_fd is None else keys_fd
        self.out = out or sys.stdout
        self._width = width
        self.display: WordsProgress | None = None
        self.on_first_screen: Any = None
        """Called once, when the first screen's choices are all drawn (the preload starts then)."""
        self._cancelled = threading.Event()
        self.marker = ">" if plain or not _can_encode("›", self.out) else "›"
        """The sign before the highlighted answer (never colour alone)."""

    @property
    def width(self) -> int:
        """Columns to wrap to."""
        if self._width is not None:
            return self._width
        return max(20, self.console.width)

    # --- GuideUI ---------------------------------------------------------------------------------
    def show(self, screen: Screen) -> None:
        """Draw ``screen``."""
        with self._paused():
            self._draw_blocks(screen.blocks)

    def choose(self, screen: Screen) -> str | None:
        """Draw ``screen`` and read a choice; None at end of input or when cancelled."""
        self._cancelled.clear()
        with self._paused():
            self._draw_blocks(screen.blocks)
            if self.plain:
                index = self._choose_plain(len(screen.options), [o.label for o in screen.options])
            else:
                index = self._choose_interactive([o.label for o in screen.options])
        return None if index is None else screen.options[index].key

    def cancel(self) -> None:
        """Stop waiting for a key (the checks were interrupted)."""
        self._cancelled.set()

    def say(self, text: str) -> None:
        """One plain line."""
        from rich.text import Text

        self.console.print(Text(_inert(text)))

    # --- drawing -----------------------------------------------------------------------------------
    @contextmanager
    def _paused(self) -> Iterator[None]:
        display = self.display
        if display is not None:
            display.pause()
        try:
            yield
        finally:
            if display is not None:
                display.resume()

    def _draw_blocks(self, blocks: tuple[Block, ...]) -> None:
        from rich.table import Table
        from rich.text import Text

        from homediag.app.screens import LineStyle

        self.console.print()
        for block in blocks:
            style = _TONE_STYLES.get(block.tone.value, "")
            if block.heading:
                self.console.print(Text(_inert(block.heading), style=f"bold {style}".strip()))
            if not block.lines:
                continue
            if block.style is LineStyle.VERBATIM:
                for line in block.lines:
                    self.console.print(Text(_inert(line)), soft_wrap=True)
                continue
            grid = Table.grid(padding=(0, 1))
            grid.add_column(no_wrap=True)
            grid.add_column(overflow="fold")
            for number, line in enumerate(block.lines, start=1):
                if block.style is LineStyle.NUMBERED:
                    mark = f"  {number}."
                elif block.style is LineStyle.BULLETS:
                    mark = "  -"
                else:
                    mark = " "
                grid.add_row(mark, Text(_inert(line)))
            self.console.print(grid)
        self.console.file.flush()

    def _option_lines(self, labels: list[str], selected: int | None) -> list[str]:
        lines = []
        for index, label in enumerate(labels):
            mark = self.marker if index == selected else " "
            head = f"{mark} {index + 1}) "
            wrapped = textwrap.wrap(
                _inert(label), width=max(10, self.width - 1), initial_indent=head,
                subsequent_indent=" " * len(head),
            ) or [head]  # fmt: skip
            if index == selected and not self.plain:
                wrapped = [f"\x1b[7m{line}\x1b[0m" for line in wrapped]
            lines.extend(wrapped)
        return lines

    def _drawn(self) -> None:
        """The first screen is all on the terminal: start what waits for it (once)."""
        if self.on_first_screen is not None:
            started, self.on_first_screen = self.on_first_screen, None
            started()

    def _write(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()

    def _choose_interactive(self, labels: list[str]) -> int | None:
        with _cbreak(self.keys_fd):  # before the choices are drawn: a key pressed at once counts
            return self._select(labels)

    def _select(self, labels: list[str]) -> int | None:
        selected = 0
        hint = _("Arrow keys and Enter, or the number.")
        hint = _fit(hint, self.width)
        drawn = [*self._option_lines(labels, selected), hint]
        self._write("\n".join(drawn) + "\n")
        self._drawn()
        typed = ""
        chosen: int | None = None
        for key in self._keys():
            if key == END:
                break
            if key in (UP, DOWN):
                selected = (selected + (1 if key == DOWN else -1)) % len(labels)
                typed = ""
            elif key == ENTER:
                chosen = selected
            elif key.isdigit():
                typed = (typed + key) if len(labels) > 9 else key
                number = int(typed)
                if 1 <= number <= len(labels):
                    selected = number - 1
                    if len(labels) <= 9 or number * 10 > len(labels):
                        chosen = selected
                else:
                    typed = ""
            else:
                continue
            # redraw the choices in place: up over what was drawn, clear, draw again
            if chosen is None:
                lines = [*self._option_lines(labels, selected), hint]
            else:  # what was chosen stays on the screen, the other choices go
                lines = [f"{self.marker} {chosen + 1}) {_fit(_inert(labels[chosen]), self.width - 6)}"]
            self._write(f"\x1b[{len(drawn)}F\x1b[J" + "\n".join(lines) + "\n")
            drawn = lines
            if chosen is not None:
                return chosen
        return None

    def _choose_plain(self, count: int, labels: list[str]) -> int | None:
        self._write("\n".join(self._option_lines(labels, None)) + "\n")
        prompt = _("Type a number from 1 to {n} and press Enter: ").format(n=count)
        for _attempt in range(20):
            self._write(prompt)
            self._drawn()
            line = self._read_line()
            if line is None:
                self._write("\n")
                return None
            text = line.strip()
            if text.isdigit() and 1 <= int(text) <= count:
                return int(text) - 1
            self._write(_("Please type a number from the list.") + "\n")
        return None

    # --- reading -----------------------------------------------------------------------------------
    def _waiting(self) -> bool:
        """Whether to keep waiting for the customer (not cancelled, no signal arrived meanwhile)."""
        return not self._cancelled.is_set() and _signals.pending() is None

    def _read_some(self) -> bytes | None:
        """What the customer typed next (None: cancelled or end of input)."""
        while self._waiting():
            ready, _w, _x = select.select([self.keys_fd], [], [], POLL_S)
            if ready:
                data = os.read(self.keys_fd, 64)
                return data or None
        return None

    def _read_line(self) -> str | None:
        buffered = b""
        while b"\n" not in buffered:
            data = self._read_some()
            if data is None or b"\x04" in data:
                return None
            buffered += data
        return buffered.split(b"\n", 1)[0].decode("utf-8", errors="replace")

    def _keys(self) -> Iterator[str]:
        while True:
            data = self._read_some()
            if data is None:
                yield END
                return
            yield from parse_keys(data.decode("utf-8", errors="replace"))


def parse_keys(text: str) -> Iterator[str]:
    """The keys in what a terminal sent: arrows (both cursor modes), Enter, digits, end of input."""
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\x1b":
            rest = text[i + 1 : i + 2]
            if rest in ("[", "O"):
                j = i + 2
                while j < len(text) and not (text[j].isalpha() or text[j] == "~"):
                    j += 1
                final = text[j] if j < len(text) else ""
                yield {"A": UP, "B": DOWN}.get(final, "other")
                i = j + 1
                continue
            yield "other"
        elif char in ("\r", "\n"):
            yield ENTER
        elif char == "\x04":
            yield END
        elif char.isdigit():
            yield char
        elif char in ("k", "K"):
            yield UP
        elif char in ("j", "J"):
            yield DOWN
        else:
            yield "other"
        i += 1


@contextmanager
def _cbreak(fd: int) -> Iterator[None]:
    """Keys one by one, without echo (Ctrl-C still interrupts); the terminal restored afterwards.
    Switched at once (TCSANOW), so keys typed ahead are kept."""
    import termios
    import tty

    try:
        old = termios.tcgetattr(fd)
    except termios.error:  # not a terminal (tests feed a pipe): nothing to switch
        yield
        return
    tty.setcbreak(fd, termios.TCSANOW)
    try:
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSANOW, old)


class WordsProgress:
    """What is being checked, in words (a ``ProgressHook``): a spinner line per kind of check on an
    interactive terminal; one plain line per new kind of check on a plain one. Steps aside while the
    customer reads a question."""

    def __init__(self, ui: TerminalGuide) -> None:
        self.ui = ui
        self._lock = threading.Lock()
        self._running: dict[str, int] = {}
        self._labels: dict[str, str] = {}
        self._said: set[str] = set()
        self._waiting: list[str] = []
        self._paused = False
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}
        if not ui.plain:
            from rich.progress import Progress, SpinnerColumn, TextColumn

            self._progress = Progress(
                SpinnerColumn(), TextColumn("{task.description}"), console=ui.console, transient=True
            )

    def __enter__(self) -> WordsProgress:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def pause(self) -> None:
        """Step aside (a question is shown)."""
        with self._lock:
            self._paused = True
            if self._progress is not None:
                self._progress.stop()

    def resume(self) -> None:
        """Show the checks again."""
        with self._lock:
            self._paused = False
            if self._progress is not None:
                self._progress.start()
            waiting, self._waiting = self._waiting, []
        for words in waiting:
            self._say(words)

    def started(self, label: str) -> None:
        """A check started."""
        from homediag.app.guide import checking_words

        probe = label.split(" @ ", 1)[0]
        words = checking_words(probe)
        with self._lock:
            self._labels[label] = words
            self._running[words] = self._running.get(words, 0) + 1
            if self._progress is not None and words not in self._tasks:
                self._tasks[words] = self._progress.add_task(_inert(words) + "...", total=None)
            if not self.ui.plain or words in self._said:
                return
            self._said.add(words)
            if self._paused:
                self._waiting.append(words)
                return
        self._say(words)

    def finished(self, result: ProbeResult) -> None:
        """A check ended."""
        with self._lock:
            label = next(
                (k for k in self._labels if k == result.probe or k.startswith(f"{result.probe} @")), None
            )
            if label is None:
                return
            words = self._labels.pop(label)
            self._running[words] -= 1
            if self._running[words] <= 0:
                del self._running[words]
                task = self._tasks.pop(words, None)
                if task is not None and self._progress is not None:
                    self._progress.remove_task(task)

    def _say(self, words: str) -> None:
        self.ui.say("- " + words + "...")


_TONE_STYLES = {"good": "green", "bad": "red", "warn": "yellow", "info": ""}


def _inert(text: str) -> str:
    from homediag.reports.sanitize import inert

    return inert(text, 2000)


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


def _can_encode(text: str, stream: TextIO) -> bool:
    try:
        text.encode(getattr(stream, "encoding", None) or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True
