"""Asking the user in the terminal: the interactive questioner of ``diagnose``.

The engine decides what to ask; this only shows it (rich) and reads the answer. Input is read in a
worker thread so the probes keep running, and the progress display pauses while the user reads.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING, Protocol

from homediag.core.i18n import _
from homediag.reports.sanitize import inert

if TYPE_CHECKING:
    from homediag.engine.questions import QuestionSpec


class Pausable(Protocol):
    """A display that must step aside while a question is shown."""

    def pause(self) -> None:
        """Hide the display."""

    def resume(self) -> None:
        """Show it again."""


class TerminalQuestioner:
    """Asks on the terminal; an empty answer or end of input leaves the question unanswered."""

    interactive = True
    source = "interactive"

    def __init__(self, display: Pausable | None = None) -> None:
        self.display = display
        self._lock = asyncio.Lock()

    async def ask(self, question: QuestionSpec, lang: str) -> str | None:
        """Show ``question`` and its numbered answers; return the chosen answer key."""
        async with self._lock:
            if self.display is not None:
                self.display.pause()
            try:
                return await asyncio.to_thread(self._ask, question, lang)
            finally:
                if self.display is not None:
                    self.display.resume()

    @staticmethod
    def _ask(question: QuestionSpec, lang: str) -> str | None:
        from rich.markup import escape

        from homediag.cli.common import console

        out = console(stderr=True)
        out.print()
        out.print(f"[bold]{escape(inert(question.text_in(lang), 500))}[/bold]")
        for number, step in enumerate(question.steps_in(lang), start=1):
            out.print(f"  {number}. {escape(inert(step, 500))}")
        choices = question.answer_labels(lang)
        for number, (_key, label) in enumerate(choices, start=1):
            out.print(f"  [cyan]{number}[/cyan]) {escape(inert(label, 200))}")
        prompt = _("Your answer (1-{n}, Enter to skip): ").format(n=len(choices))
        for _attempt in range(3):
            sys.stderr.write(prompt)
            sys.stderr.flush()
            line = sys.stdin.readline()
            if not line:  # end of input
                return None
            text = line.strip()
            if not text:
                return None
            if text.isdigit() and 1 <= int(text) <= len(choices):
                return choices[int(text) - 1][0]
            keys = {key.lower(): key for key, _label in choices}
            if text.lower() in keys:
                return keys[text.lower()]
            out.print(_("Please type a number from the list."))
        return None
