"""The guided flow's menu of problems, from the playbooks' ``guide`` blocks, read fast.

Each playbook with a ``guide`` block is one entry: its complaint, its place in the menu, the problem in
the customer's words (``guide.menu``, else the playbook's title) and what works again once fixed
(``guide.fixed``)::

    title: {en: The printer does not print, de: ..., fr: ...}
    complaints: [printer]
    guide:
      position: 5
      fixed: {en: the printer prints again, de: ..., fr: ...}

The menu is the guided flow's first screen and must come at once: validating every playbook (schema,
lint, compiled CEL) takes the better part of a second, so :func:`read_menu` reads only the top-level
``id``, ``title``, ``complaints`` and ``guide`` blocks of each built-in file, with the strict loader, and
checks their shape itself. The full validation follows once the customer chose; :func:`menu_of` gives
the same entries from validated playbooks (a test keeps the two equal).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING, Any

from homediag.core.errors import PlaybookError
from homediag.engine.loader import MAX_BYTES, load_bytes
from homediag.engine.locations import builtin_location

if TYPE_CHECKING:
    from homediag.engine.model import PlaybookModel

SUFFIXES = (".yaml", ".yml")
HEADER_KEYS = frozenset({"id", "title", "complaints", "guide"})
_TOP_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*)\s*:")
LANGUAGES = ("en", "de", "fr")


@dataclass(frozen=True)
class MenuEntry:
    """One problem the customer can pick."""

    complaint: str
    playbook: str
    position: int
    text: Mapping[str, str]
    """The problem in plain words, by language."""
    fixed: Mapping[str, str]
    """What works again once fixed ("the printer prints again"), by language."""

    def text_in(self, lang: str) -> str:
        """The problem in ``lang`` (English when missing)."""
        return self.text.get(lang) or self.text.get("en", self.complaint)

    def fixed_in(self, lang: str) -> str:
        """What works again, in ``lang`` (English when missing)."""
        return self.fixed.get(lang) or self.fixed.get("en", "")


def menu_of(playbooks: Iterable[PlaybookModel]) -> list[MenuEntry]:
    """The menu of validated playbooks: those with a ``guide`` block, by position."""
    entries = []
    for model in playbooks:
        spec = model.spec
        if spec.guide is None:
            continue
        entries.append(
            MenuEntry(
                complaint=spec.complaints[0],
                playbook=spec.id,
                position=spec.guide.position,
                text=dict(spec.guide.menu or spec.title),
                fixed=dict(spec.guide.fixed),
            )
        )
    return sorted(entries, key=lambda e: (e.position, e.complaint))


def read_menu(location: Traversable | None = None) -> list[MenuEntry]:
    """The menu of the built-in playbooks (or those in ``location``), from their headers only.

    Raise :class:`PlaybookError` naming the file when a header cannot be read or has the wrong shape.
    """
    root = location if location is not None else builtin_location()
    entries = []
    for child in sorted(root.iterdir(), key=lambda c: c.name):
        if not (child.is_file() and child.name.endswith(SUFFIXES)):
            continue
        raw = child.read_bytes()
        if len(raw) > MAX_BYTES:
            raise PlaybookError(f"{child.name}: larger than {MAX_BYTES} bytes")
        entry = _entry(header_of(raw.decode("utf-8", errors="replace")), child.name)
        if entry is not None:
            entries.append(entry)
    return sorted(entries, key=lambda e: (e.position, e.complaint))


def header_of(text: str) -> str:
    """The top-level ``id``, ``title``, ``complaints`` and ``guide`` blocks of a playbook's text.

    A top-level block starts at a line with a key in the first column and runs to the next such line;
    comments and indented lines belong to the block they are in.
    """
    kept: list[str] = []
    keep = False
    for line in text.splitlines():
        match = _TOP_KEY.match(line)
        if match:
            keep = match.group(1) in HEADER_KEYS
        elif line.startswith(("---", "...")):
            keep = False
        if keep:
            kept.append(line)
    return "\n".join(kept) + "\n"


def _entry(header: str, source: str) -> MenuEntry | None:
    data = load_bytes(header.encode(), source).data
    if not isinstance(data, dict):
        raise PlaybookError(f"{source}: no playbook header")
    guide = data.get("guide")
    if guide is None:
        return None
    complaints = data.get("complaints")
    if not isinstance(guide, dict) or not isinstance(complaints, list) or not complaints:
        raise PlaybookError(f"{source}: guide and complaints must be a mapping and a list")
    position = guide.get("position")
    if not isinstance(position, int) or isinstance(position, bool):
        raise PlaybookError(f"{source}: guide.position must be a whole number")
    return MenuEntry(
        complaint=str(complaints[0]),
        playbook=str(data.get("id")),
        position=position,
        text=_text(guide.get("menu") or data.get("title"), source, "guide.menu or title"),
        fixed=_text(guide.get("fixed"), source, "guide.fixed"),
    )


def _text(value: Any, source: str, what: str) -> dict[str, str]:
    if not isinstance(value, dict) or any(not isinstance(value.get(lang), str) for lang in LANGUAGES):
        raise PlaybookError(f"{source}: {what} needs en, de and fr texts")
    return {lang: value[lang] for lang in LANGUAGES}
