"""Running an async job from the CLI: signal handling, progress display, interruption.

SIGINT, SIGTERM and SIGHUP cancel the job so that ``finally`` blocks run and the partial report can be
written; while it is written, a second signal is noted and a third exits at once, with the first one's
code (130, 143, 129). Before the job (start-up) a signal ends the command at once
(``homediag._signals``). The job's progress is drawn on
stderr with rich when stderr is a terminal, and not at all when it is piped or the terminal is dumb.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from homediag import _signals
from homediag.core.exitcodes import SIGNAL_EXIT
from homediag.core.model import ProbeResult

HANDLED_SIGNALS = tuple(
    s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None
)


class Interrupted:
    """Which signal ended the job, if any."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self.extra = 0
        """Signals after the first one."""

    @property
    def name(self) -> str | None:
        """``SIGINT``, ``SIGTERM`` or ``SIGHUP``."""
        return signal.Signals(self.signum).name if self.signum is not None else None

    @property
    def exit_code(self) -> int | None:
        """128 + the signal number, as shells report it."""
        return int(SIGNAL_EXIT[self.signum]) if self.signum is not None else None


def _exit_now(signum: int, _frame: Any = None) -> None:
    os._exit(int(SIGNAL_EXIT.get(signum, 128 + signum)))


def run_job(
    job: Callable[[], Awaitable[None]],
    *,
    on_interrupt: Callable[[], Awaitable[None]] | None = None,
) -> Interrupted:
    """Run ``job`` until it finishes or a signal cancels it; return what interrupted it."""
    interrupted = Interrupted()

    async def supervisor() -> None:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None

        def handle(signum: int) -> None:
            if interrupted.signum is not None:
                # A second signal must not lose the partial report being written (it used to exit
                # at once); a third one ends the process (_signals.ESCAPE_AFTER).
                interrupted.extra += 1
                if interrupted.extra + 1 >= _signals.ESCAPE_AFTER:
                    _exit_now(interrupted.signum)
                return
            interrupted.signum = signum
            task.cancel()

        installed = []
        for signum in HANDLED_SIGNALS:
            try:
                loop.add_signal_handler(signum, handle, signum)
                installed.append(signum)
            except (NotImplementedError, RuntimeError, ValueError):  # Windows, non-main thread
                pass
        try:
            await job()
        except asyncio.CancelledError:
            if interrupted.signum is None:
                raise
            if on_interrupt is not None:
                await asyncio.shield(on_interrupt())
        finally:
            # From here on the report is written: signals are noted, not acted on (_signals.defer).
            # Blocked while the handlers change hands, so that none meets the default action.
            blocked = _block(installed)
            try:
                for signum in installed:
                    loop.remove_signal_handler(signum)
                if _signals.state.installed:
                    _signals.defer(interrupted.signum, 1 + interrupted.extra if interrupted.signum else 0)
                elif interrupted.signum is not None:  # in-process use: the old way
                    for signum in installed:
                        signal.signal(signum, _exit_now)
            finally:
                _unblock(blocked)

    try:
        asyncio.run(supervisor())
    except KeyboardInterrupt:  # a signal before the loop's handlers were installed (in-process use)
        interrupted.signum = signal.SIGINT
    return interrupted


def _block(signals: list[int]) -> set[int] | None:
    if not signals or not hasattr(signal, "pthread_sigmask"):
        return None
    return set(signal.pthread_sigmask(signal.SIG_BLOCK, signals))


def _unblock(previous: set[int] | None) -> None:
    if previous is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def stray_threads() -> bool:
    """Whether a probe thread is still running (abandoned at its deadline)."""
    return any(t.name.startswith("probe ") and t.is_alive() for t in threading.enumerate())


def finish(code: int) -> None:
    """Exit with ``code``; skip waiting for abandoned probe threads, which could hang at exit.

    A signal that arrived while the (complete) report was written makes the exit code its own: the
    report is whole, but the user asked to stop."""
    late = _signals.pending()
    if late is not None and code not in _signals.EXIT_CODES.values():
        code = _signals.exit_code(late)
    sys.stdout.flush()
    sys.stderr.flush()
    if stray_threads():
        os._exit(code)
    raise SystemExit(code)


class RichProgress:
    """A progress display of probe runs on stderr (a ``ProgressHook``)."""

    def __init__(self) -> None:
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        from homediag.cli.common import console

        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console(stderr=True),
            transient=True,
        )
        self._tasks: dict[str, Any] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def pause(self) -> None:
        """Step aside while the user answers a question."""
        self._progress.stop()

    def resume(self) -> None:
        """Show the display again."""
        self._progress.start()

    def started(self, label: str) -> None:
        """A probe started."""
        with self._lock:
            self._tasks[label] = self._progress.add_task(label, total=None)

    def finished(self, result: ProbeResult) -> None:
        """A probe ended."""
        with self._lock:
            for label, task_id in list(self._tasks.items()):
                if label == result.probe or label.startswith(f"{result.probe} @"):
                    self._progress.remove_task(task_id)
                    del self._tasks[label]
                    break


def progress_display(enabled: bool) -> tuple[RichProgress | None, AbstractContextManager[Any]]:
    """A progress hook and its context when ``enabled`` and stderr is a terminal that can redraw a line
    (not ``TERM=dumb``), else nothing."""
    if not enabled or not sys.stderr.isatty() or os.environ.get("TERM", "") in {"dumb", "unknown"}:
        return None, nullcontext()
    display = RichProgress()
    return display, display
