"""The guided flow's screens as values, and the first two screens (the menu, "Checking: ...").

Light on purpose: the menu is the flow's first screen and comes before the engine, the runner or the
report model are imported (``homediag.app.guide`` holds the rest of the flow).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from homediag.core.i18n import _

if TYPE_CHECKING:
    from collections.abc import Sequence

    from homediag.engine.menu import MenuEntry


class Tone(StrEnum):
    """What a block means; the text says it too (never colour alone)."""

    INFO = "info"
    GOOD = "good"
    BAD = "bad"
    WARN = "warn"


class LineStyle(StrEnum):
    """How a block's lines are set."""

    PLAIN = "plain"
    NUMBERED = "numbered"
    BULLETS = "bullets"
    VERBATIM = "verbatim"
    """Lines to copy as they are (no indent; the terminal wraps them, so a copy has no breaks)."""


@dataclass(frozen=True)
class Block:
    """A heading and lines of text."""

    heading: str | None = None
    lines: tuple[str, ...] = ()
    style: LineStyle = LineStyle.PLAIN
    tone: Tone = Tone.INFO


@dataclass(frozen=True)
class Option:
    """One answer the customer can choose."""

    key: str
    label: str


@dataclass(frozen=True)
class Screen:
    """What the customer sees at one step: blocks of text, and the answers when it asks."""

    name: str
    """Which step (``menu``, ``question``, ``remedy``, ``verdict``, ``end``...): for tests and logs."""
    blocks: tuple[Block, ...]
    options: tuple[Option, ...] = ()

    def text(self) -> str:
        """Everything on the screen as plain text (for logs and tests)."""
        out: list[str] = []
        for block in self.blocks:
            if block.heading:
                out.append(block.heading)
            out.extend(block.lines)
        out.extend(f"{n}) {o.label}" for n, o in enumerate(self.options, start=1))
        return "\n".join(out)


class GuideUI(Protocol):
    """Draws screens and reads the customer's choice (the terminal's: ``homediag.cli.guide``)."""

    def choose(self, screen: Screen) -> str | None:
        """Show ``screen`` and wait for one of its options; its key, or None when there is no answer
        (end of input, or :meth:`cancel`). Called from a worker thread while checks run."""
        ...

    def show(self, screen: Screen) -> None:
        """Show ``screen`` (no answer wanted)."""
        ...

    def cancel(self) -> None:
        """Stop waiting in :meth:`choose` (the run was interrupted)."""
        ...


def menu_screen(entries: Sequence[MenuEntry], lang: str) -> Screen:
    """The first screen: the problems in plain words."""
    return Screen(
        name="menu",
        blocks=(Block(heading=_("What is wrong? Choose the problem.")),),
        options=tuple(Option(e.complaint, e.text_in(lang)) for e in entries),
    )


def start_screen(entry: MenuEntry, lang: str) -> Screen:
    """Said once the problem is chosen, before the checks run."""
    return Screen(
        name="start",
        blocks=(
            Block(
                heading=_("Checking: {problem}").format(problem=entry.text_in(lang)),
                lines=(
                    _("This takes about a minute. I ask only what the checks cannot see for themselves."),
                ),
            ),
        ),
    )
