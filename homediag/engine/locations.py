"""Where the built-in playbooks are (a module of its own: the guided flow's menu needs the place
without the cost of importing the validation machinery)."""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path


def builtin_location() -> Traversable:
    """Where the built-in playbooks are: the wheel's ``homediag/_playbooks`` or the repository's."""
    packaged = resources.files("homediag") / "_playbooks"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "playbooks"
