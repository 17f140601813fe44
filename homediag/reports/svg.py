"""Shapes for the inline SVG of the HTML report (network map and charts), drawn by our own code.

Charts are a few rectangles, lines and labels; a charting library would bring JavaScript or a large
dependency into a report that must open offline under a strict Content-Security-Policy. Shapes carry
numbers and text only: the template writes them out with autoescaping, so no label coming from a
device can become markup. Tags and attribute names are checked against a fixed list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TAGS = frozenset({"rect", "line", "circle", "text", "polyline", "path", "ellipse"})
ATTRIBUTES = frozenset(
    {"x", "y", "width", "height", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "points", "d",
     "class", "text-anchor"}
)  # fmt: skip


def _fmt(value: float | str) -> str:
    if isinstance(value, str):
        return value
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


@dataclass(frozen=True)
class Shape:
    """One SVG element: a tag, its attributes, an optional text content and tooltip."""

    tag: str
    attrs: tuple[tuple[str, str], ...]
    text: str = ""
    title: str = ""

    def __post_init__(self) -> None:
        if self.tag not in TAGS:
            raise ValueError(f"SVG tag not allowed: {self.tag}")
        for name, _value in self.attrs:
            if name not in ATTRIBUTES:
                raise ValueError(f"SVG attribute not allowed: {name}")


def shape(tag: str, text: str = "", title: str = "", **attrs: float | str) -> Shape:
    """A shape; keyword ``cls`` becomes ``class`` and ``anchor`` becomes ``text-anchor``."""
    named = {"cls": "class", "anchor": "text-anchor"}
    pairs = tuple((named.get(k, k), _fmt(v)) for k, v in attrs.items())
    return Shape(tag, pairs, text, title)


@dataclass(frozen=True)
class Figure:
    """An SVG picture: its size, an accessible label, and its shapes in drawing order."""

    width: int
    height: int
    label: str
    shapes: tuple[Shape, ...] = field(default_factory=tuple)
