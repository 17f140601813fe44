"""What every command shares: state from the root options, consoles, one-line errors, output files."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

from homediag.core.exitcodes import ExitCode
from homediag.core.i18n import _

if TYPE_CHECKING:
    from rich.console import Console

    from homediag.core.config import Config


class ListFormat(StrEnum):
    """Formats of listing commands."""

    TEXT = "text"
    JSON = "json"


@dataclass
class CliState:
    """Options given before the command (``homediag --config FILE diagnose``)."""

    config: Path | None = None


def state(ctx: typer.Context) -> CliState:
    """The root state, also when a command is invoked without the root callback (tests)."""
    root = ctx.find_root()
    obj = root.obj if root is not None else None
    return obj if isinstance(obj, CliState) else CliState()


def load_config(ctx: typer.Context, explicit: Path | None) -> Config:
    """The configuration named on this command, else on the root, else the default chain."""
    from homediag.core.config import load_config as load

    return load(explicit or state(ctx).config)


def console(*, stderr: bool = False) -> Console:
    """A rich console; colour follows the terminal and ``NO_COLOR``; plain when piped."""
    from rich.console import Console

    no_color = bool(os.environ.get("NO_COLOR"))
    return Console(stderr=stderr, no_color=no_color, highlight=False, soft_wrap=False)


def fail(message: str, code: ExitCode, *, hint: str | None = None) -> NoReturn:
    """Print a one-line error (and an optional hint) to stderr and exit with ``code``."""
    text = message.splitlines()[0] if message else _("unknown error")
    sys.stderr.write(_("homediag: error: {message}").format(message=text) + "\n")
    if hint:
        sys.stderr.write(hint + "\n")
    sys.stderr.flush()
    raise SystemExit(int(code))


def echo_json(text: str) -> None:
    """Print a JSON document to stdout."""
    sys.stdout.write(text)
    if not text.endswith("\n"):
        sys.stdout.write("\n")
    sys.stdout.flush()


def write_output(path: Path, content: str, *, private: bool = False) -> None:
    """Write a report file atomically (mode 0600 for unredacted reports)."""
    from homediag.core.jsonio import atomic_write

    try:
        atomic_write(path, content, mode=0o600 if private else 0o644)
    except OSError as exc:
        fail(
            _("cannot write {path}: {error}").format(path=path, error=exc.strerror or exc),
            ExitCode.USAGE,
        )
