"""The root command group: help that reads the way users of command-line tools expect.

typer 0.29 shows the Python type of every option as its metavar, flags included (``--help <bool>``,
``--non-interactive <bool>``), and words its own options (``--help``, ``--install-completion``,
``--show-completion``) in English only. Before the first context is made, :class:`RootGroup` walks the
whole command tree once: a flag gets no metavar (it takes no value), a repeatable option names one
value (``--fault FAULT``, not ``<list[str]>``) unless it names its own where it is declared (``--allow
PROBE_ID``), and typer's own options get help texts from our catalogues. The walk costs well under a
millisecond; it imports nothing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, MutableMapping, Sequence
from typing import Any

import typer
from typer._click import Context as ClickContext
from typer.core import TyperGroup, TyperOption

from homediag.core.i18n import N_, _

HELP_OPTION_NAMES = ["-h", "--help"]

# typer's own options, by parameter name, with our wording of their help.
_OWN_HELP = {
    "help": N_("Show this message and exit."),
    "install_completion": N_("Install shell completion for the current shell (bash, zsh, fish, PowerShell)."),
    "show_completion": N_("Show the shell completion script for the current shell, to install it by hand."),
}


class RootGroup(TyperGroup):
    """The ``homediag`` group; tidies the help of every command below it before it runs."""

    _tidied = False

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: ClickContext | None = None,
        **extra: Any,
    ) -> ClickContext:
        """Tidy the command tree (once), then make the context as usual."""
        if not self._tidied:
            tidy(self)
            self._tidied = True
            _size_of_dumb_terminal()
        return super().make_context(info_name, args, parent=parent, **extra)


def tidy(root: Any) -> None:
    """Give every flag below ``root`` no metavar, every repeatable option the name of one value, and
    typer's own options our help texts."""
    for command in _commands(root):
        for param in [*command.params, _help_option(command)]:
            if not isinstance(param, TyperOption):
                continue
            if param.is_flag and param.metavar is None:
                param.metavar = ""  # typer shows the metavar verbatim: nothing for a flag
            elif param.multiple and param.metavar is None and param.name:
                param.metavar = param.name.upper()  # one value per use (``--fault FAULT``), not a list
            if param.name in _OWN_HELP:
                param.help = _(_OWN_HELP[param.name])


def _size_of_dumb_terminal() -> None:
    """On ``TERM=dumb``, rich (typer's help too) assumes 80 x 25 whatever the terminal's size, unless
    both ``COLUMNS`` and ``LINES`` say otherwise; the kernel still knows the size, so pass it on."""
    if os.environ.get("TERM") not in {"dumb", "unknown"}:
        return
    try:
        size = os.get_terminal_size(sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a terminal: rich's own choice stands
        return
    if size.columns > 0 and size.lines > 0:
        os.environ.setdefault("COLUMNS", str(size.columns))
        os.environ.setdefault("LINES", str(size.lines))


def _commands(command: Any) -> Iterator[Any]:
    yield command
    children: MutableMapping[str, Any] | Sequence[Any] = getattr(command, "commands", None) or {}
    for child in children.values() if isinstance(children, MutableMapping) else children:
        yield from _commands(child)


def _help_option(command: Any) -> Any:
    """The command's ``--help`` option, made now (typer makes it lazily and keeps it)."""
    context = typer.Context(command, help_option_names=HELP_OPTION_NAMES)
    return command.get_help_option(context)
