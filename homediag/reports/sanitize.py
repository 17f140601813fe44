"""Make untrusted text inert for display: device names are attacker-controlled strings.

:func:`inert` removes C0 and C1 control characters (terminal escape sequences, BEL), bidirectional
overrides and zero-width characters, and truncates. Renderers apply it to every value before their own
escaping (rich markup, HTML autoescape, Markdown escaping).
"""

from __future__ import annotations

import re

MAX_FIELD_CHARS = 256

_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 (keeps \t and \n) and C1, DEL
    "\u200b-\u200f"  # zero-width space/joiners, LRM, RLM
    "\u202a-\u202e"  # bidi embeddings and overrides
    "\u2060-\u2064"  # word joiner, invisible operators
    "\u2066-\u2069"  # bidi isolates
    "\ufeff"  # zero-width no-break space
    "]"
)


def inert(text: object, max_chars: int = MAX_FIELD_CHARS, *, keep_newlines: bool = False) -> str:
    """``text`` without control, bidi and zero-width characters, at most ``max_chars`` long."""
    value = "" if text is None else str(text)
    value = _CONTROL.sub("", value)
    if not keep_newlines:
        value = value.replace("\n", " ").replace("\t", " ")
    if len(value) > max_chars:
        value = value[: max_chars - 1] + "…"
    return value
