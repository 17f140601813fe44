"""SIGINT, SIGTERM and SIGHUP from the first instant: exit 130, 143 or 129, never a traceback.

This module sits outside ``homediag/cli`` because it must be importable before anything else:
importing ``homediag.cli`` loads the translations, and ``homediag.cli.app`` loads typer and every
command module, a quarter of a second in which a Ctrl-C used to print a traceback. It imports only the
standard library. The console script and ``python -m homediag`` (``homediag/__main__.py``) call
:func:`install` first of all; nothing else does, so importing homediag as a library (or in tests)
leaves the process's signal handlers alone.

Three phases:

- **starting** (the default): nothing has been written; a signal raises :class:`Interrupt`, which the
  CLI turns into one line ("interrupted ... before a report was written") and the exit code.
- **running**: ``homediag.cli.runtime.run_job`` hands the signals to the asyncio loop; the first one
  cancels the checks so that the partial report can be written.
- **finishing** (:func:`defer`): the report is being written; further signals are noted, not acted on,
  so that a second Ctrl-C in quick succession cannot lose the report. The exit code is the first
  signal's. A third signal ends the process at once (files are written atomically, so even then no
  half-written report is left, only the one before or none).
"""

from __future__ import annotations

import os
import signal
from types import FrameType

HANDLED: tuple[int, ...] = tuple(
    s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None
)
EXIT_CODES = {int(signal.SIGINT): 130, int(signal.SIGTERM): 143}
if hasattr(signal, "SIGHUP"):
    EXIT_CODES[int(signal.SIGHUP)] = 129
ESCAPE_AFTER = 3
"""The signal that ends a deferred phase at once (counting the first)."""


class Interrupt(BaseException):
    """A signal arrived before the checks started (or in a command that runs none)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        """``SIGINT``, ``SIGTERM`` or ``SIGHUP``."""
        return signal.Signals(self.signum).name

    @property
    def exit_code(self) -> int:
        """128 + the signal number, as shells report it."""
        return exit_code(self.signum)


class _State:
    installed = False
    deferring = False
    first: int | None = None
    """The first signal of the deferred phase (or of the run it follows)."""
    count = 0


state = _State()


def exit_code(signum: int) -> int:
    """128 + ``signum`` (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP)."""
    return EXIT_CODES.get(signum, 128 + signum)


def _handler(signum: int, _frame: FrameType | None) -> None:
    if not state.deferring:
        raise Interrupt(signum)
    state.count += 1
    if state.first is None:
        state.first = signum
    if state.count >= ESCAPE_AFTER:
        os._exit(exit_code(state.first))


def install() -> None:
    """Handle SIGINT, SIGTERM and SIGHUP from now on (the entry point calls this first)."""
    for signum in HANDLED:
        signal.signal(signum, _handler)
    state.installed = True


def defer(first: int | None = None, count: int = 0) -> None:
    """Enter the finishing phase: signals are noted from now on (``first``, ``count``: those the run
    already had). Does nothing unless :func:`install` was called, or when deferring already."""
    if not state.installed or state.deferring:
        return
    state.deferring = True
    state.first = first
    state.count = count
    for signum in HANDLED:
        signal.signal(signum, _handler)


def pending() -> int | None:
    """The signal that arrived while deferring, if any."""
    return state.first if state.deferring else None


def quiet_exit() -> None:
    """From here to the end of the process no signal is delivered (it would meet the default action
    once the interpreter has restored it while shutting down); the exit code stays ours. Does nothing
    unless :func:`install` was called."""
    if state.installed and hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, HANDLED)


def interrupt_in(exc: BaseException) -> Interrupt | None:
    """The :class:`Interrupt` behind ``exc``, if any: Python wraps an exception raised in some places
    (``__set_name__`` while a class is created during an import) in a ``RuntimeError``."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, Interrupt):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None
