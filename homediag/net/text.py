"""Text from devices, made short and printable before it goes into an observation."""

from __future__ import annotations


def text(value: object, limit: int = 128) -> str | None:
    """A short printable string of a JSON value (or TXT value), or None."""
    if value is None or isinstance(value, dict | list):
        return None
    out = "".join(ch for ch in str(value) if ch.isprintable())[:limit]
    return out or None
