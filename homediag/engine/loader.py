"""Strict YAML loading for playbooks and answer files, keeping the line of every value.

A playbook is a small YAML document such as::

    id: no-internet
    version: 1
    tests:
      - id: ask_other_devices
        outcomes: ["yes", "no"]     # strings, quoted or not

PyYAML's safe loader follows YAML 1.1, where ``yes``, ``no``, ``on`` and ``off`` become booleans,
``012`` is an octal number and ``1:30`` a sexagesimal one; an outcome written ``no`` would silently
turn into ``False``. So this module composes the node tree with PyYAML's ``BaseLoader`` (which
resolves nothing) and resolves plain scalars itself by the YAML 1.2 core schema: only
``true``/``false`` are booleans, only ``null``/``~``/empty are null, numbers are decimal (or
``0x``/``0o``), everything else is a string. Quoted scalars are always strings. PyYAML has no YAML
1.2 mode and ruamel.yaml would be one more dependency for this small job, hence the hand-written
resolution.

Also refused: duplicate keys, aliases (``*anchor``: they make documents that expand exponentially),
custom tags, non-string keys, documents larger than :data:`MAX_BYTES` or nested deeper than
:data:`MAX_DEPTH`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from homediag.core.errors import PlaybookError

MAX_BYTES = 1_000_000

# libyaml's composer when PyYAML was built with it (about ten times faster), else the Python one;
# both resolve nothing, so resolution stays ours.
_LOADER: type[yaml.BaseLoader] | type[yaml.CBaseLoader] = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
MAX_DEPTH = 64
MAX_INT_DIGITS = 30
"""Integers with more digits are refused (Python would need seconds, or refuse, to convert them)."""

PathKey = tuple[str | int, ...]

_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"

_NULL_RE = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL_TRUE_RE = re.compile(r"^(?:true|True|TRUE)$")
_BOOL_FALSE_RE = re.compile(r"^(?:false|False|FALSE)$")
_INT_RE = re.compile(r"^[-+]?[0-9]+$")
_HEX_RE = re.compile(r"^0x[0-9a-fA-F]+$")
_OCT_RE = re.compile(r"^0o[0-7]+$")
_FLOAT_RE = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF_RE = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN_RE = re.compile(r"^\.(?:nan|NaN|NAN)$")


class LoadError(PlaybookError):
    """A document cannot be loaded; says which file and, where known, which line."""

    def __init__(self, source: str, line: int | None, reason: str) -> None:
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {reason}")
        self.source = source
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class Document:
    """A loaded YAML document with the line of every key and item (1-based)."""

    data: Any
    source: str
    lines: Mapping[PathKey, int] = field(default_factory=dict)

    def line_of(self, path: PathKey) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        probe = tuple(path)
        while True:
            line = self.lines.get(probe)
            if line is not None:
                return line
            if not probe:
                return None
            probe = probe[:-1]

    def where(self, path: PathKey) -> str:
        """``file:line`` for ``path`` (just the file when no line is known)."""
        line = self.line_of(path)
        return f"{self.source}:{line}" if line is not None else self.source


class NumberTooLong(ValueError):
    """A plain scalar reads as an integer with more than :data:`MAX_INT_DIGITS` digits."""


def resolve_plain(text: str) -> Any:
    """The value of a plain (unquoted) scalar by the YAML 1.2 core schema.

    Raises :class:`NumberTooLong` for an integer of more than :data:`MAX_INT_DIGITS` digits.
    """
    if len(text) > MAX_INT_DIGITS + 2 and (_INT_RE.match(text) or _HEX_RE.match(text) or _OCT_RE.match(text)):
        raise NumberTooLong(text[:20])
    if _NULL_RE.match(text):
        return None
    if _BOOL_TRUE_RE.match(text):
        return True
    if _BOOL_FALSE_RE.match(text):
        return False
    if _INT_RE.match(text):
        return int(text, 10)
    if _HEX_RE.match(text):
        return int(text[2:], 16)
    if _OCT_RE.match(text):
        return int(text[2:], 8)
    if _FLOAT_RE.match(text):
        return float(text)
    if _INF_RE.match(text):
        return float("-inf") if text.startswith("-") else float("inf")
    if _NAN_RE.match(text):
        return float("nan")
    return text


class _Builder:
    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: dict[PathKey, int] = {}
        self._seen: set[int] = set()

    def fail(self, node: Node, message: str) -> LoadError:
        return LoadError(self.source, node.start_mark.line + 1, message)

    def _plain(self, node: Node, text: str) -> Any:
        try:
            return resolve_plain(text)
        except NumberTooLong:
            raise self.fail(node, f"a number with more than {MAX_INT_DIGITS} digits") from None

    def build(self, node: Node, path: PathKey, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise self.fail(node, f"nested deeper than {MAX_DEPTH} levels")
        if id(node) in self._seen:
            raise self.fail(node, "aliases (*name) are not allowed in playbooks")
        self._seen.add(id(node))
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, ScalarNode):
            if node.tag != _STR_TAG:
                raise self.fail(node, f"custom tags are not allowed ({node.tag})")
            if not node.style:  # None (Python parser) or "" (libyaml): plain
                return self._plain(node, node.value)
            return node.value
        if isinstance(node, SequenceNode):
            if node.tag != _SEQ_TAG:
                raise self.fail(node, f"custom tags are not allowed ({node.tag})")
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            if node.tag != _MAP_TAG:
                raise self.fail(node, f"custom tags are not allowed ({node.tag})")
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode):
                    raise self.fail(key_node, "keys must be plain strings")
                key = key_node.value if key_node.style else self._plain(key_node, key_node.value)
                if not isinstance(key, str):
                    raise self.fail(
                        key_node,
                        f"key {key_node.value!r} reads as {type(key).__name__}; quote it to make it a string",
                    )
                if key in result:
                    raise self.fail(key_node, f"duplicate key {key!r}")
                self.lines[(*path, key)] = key_node.start_mark.line + 1
                result[key] = self.build(value_node, (*path, key), depth + 1)
            return result
        raise self.fail(node, "unsupported YAML node")  # pragma: no cover


def load_text(text: str, source: str = "<playbook>") -> Document:
    """Parse one YAML document strictly; raise ``PlaybookError`` naming ``source`` and the line."""
    if len(text.encode("utf-8", "replace")) > MAX_BYTES:
        raise LoadError(source, None, f"larger than {MAX_BYTES} bytes")
    loader = _LOADER(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else None
            problem = exc.problem or exc.context or "invalid YAML"
            raise LoadError(source, line, f"not valid YAML: {problem}") from None
        except yaml.YAMLError as exc:
            raise LoadError(source, None, f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()
    if node is None:
        return Document(data=None, source=source)
    builder = _Builder(source)
    data = builder.build(node, (), 0)
    return Document(data=data, source=source, lines=builder.lines)


def load_file(path: Path, *, source: str | None = None) -> tuple[Document, bytes]:
    """Read and parse ``path``; also return its bytes (reports store their sha256)."""
    name = source or str(path)
    raw = read_capped(path, name)
    return load_bytes(raw, name), raw


def read_capped(path: Path, source: str) -> bytes:
    """The bytes of ``path``, at most :data:`MAX_BYTES` (more is a ``LoadError``, not read)."""
    try:
        with Path(path).open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise LoadError(source, None, f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise LoadError(source, None, f"larger than {MAX_BYTES} bytes")
    return raw


def load_bytes(raw: bytes, source: str) -> Document:
    """Parse UTF-8 YAML bytes strictly."""
    if len(raw) > MAX_BYTES:
        raise LoadError(source, None, f"larger than {MAX_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise LoadError(source, None, "not UTF-8 text") from None
    return load_text(text, source)
