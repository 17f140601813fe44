"""IPP (RFC 8010): a Get-Printer-Attributes request, and a strict decoder of the answer.

A response, in hex (RFC 8010 §3.1)::

    0200 0000 00000001                    version 2.0, status successful-ok, request id 1
    01                                    operation-attributes-tag
    47 0012 attributes-charset 0005 utf-8 value tag charset, name length, name, value length, value
    04                                    printer-attributes-tag
    23 000d printer-state 0004 00000005   enum 5 = stopped
    44 0015 printer-state-reasons 0006 paused
    44 0000 0012 media-empty-warning      an empty name: another value of the same attribute
    34 000c printer-supply ... 0000       begCollection, then memberAttrName (4a) / value pairs
    37 0000 0000                          endCollection
    03                                    end-of-attributes-tag

Hand-written, because the IPP library that exists (pyipp) loops forever on a negative value length
and reads unbounded bodies (docs/hostile-input.md#limits): every length here is checked to be non-negative and
inside the buffer, the body is at most 256 KiB, at most 4096 values are read and collections nest at
most 8 deep. Anything else raises :class:`IppError`. Still, callers run :func:`parse_response` in a
killable worker (``ProbeContext.parse_untrusted``), as for every parser of device data.

Only Get-Printer-Attributes (operation 0x000B) is ever built: homediag never sends a print job.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any

from homediag.net.errors import ParseError

GET_PRINTER_ATTRIBUTES = 0x000B
MAX_BODY = 256 * 1024
MAX_VALUES = 4096
MAX_DEPTH = 8
MAX_TEXT = 1024

TAG_OPERATION = 0x01
TAG_END = 0x03
TAG_PRINTER = 0x04
TAG_UNSUPPORTED = 0x05
BEG_COLLECTION = 0x34
END_COLLECTION = 0x37
MEMBER_NAME = 0x4A
EXTENSION = 0x7F

REQUESTED = (
    "printer-state",
    "printer-state-reasons",
    "printer-state-message",
    "printer-is-accepting-jobs",
    "printer-make-and-model",
    "printer-name",
    "printer-info",
    "printer-location",
    "printer-uuid",
    "printer-uri-supported",
    "marker-names",
    "marker-types",
    "marker-colors",
    "marker-levels",
    "marker-low-levels",
    "marker-high-levels",
    "printer-supply",
    "printer-supply-description",
)
"""What homediag asks for: state, identity and supplies."""

PRINTER_STATES = {3: "idle", 4: "processing", 5: "stopped"}


class IppError(ParseError):
    """Not a well-formed IPP response (or one past the caps)."""


@dataclass(frozen=True)
class IppResponse:
    """A decoded response: status and the printer attributes (name -> values)."""

    version: tuple[int, int]
    status: int
    request_id: int
    attributes: dict[str, list[Any]] = field(default_factory=dict)
    """Printer (and operation) attributes; collections are dicts of member -> values."""

    @property
    def ok(self) -> bool:
        """successful-ok and its variants (0x0000-0x00FF)."""
        return self.status < 0x0100

    def first(self, name: str) -> Any:
        """The first value of ``name``, or None."""
        values = self.attributes.get(name)
        return values[0] if values else None


def _attribute(tag: int, name: str, value: bytes) -> bytes:
    encoded = name.encode("utf-8")
    return bytes([tag]) + struct.pack("!H", len(encoded)) + encoded + struct.pack("!H", len(value)) + value


def build_get_printer_attributes(printer_uri: str, request_id: int = 1) -> bytes:
    """The Get-Printer-Attributes request for ``printer_uri`` (IPP/2.0, ``requested-attributes``)."""
    body = bytearray(struct.pack("!BBHI", 2, 0, GET_PRINTER_ATTRIBUTES, request_id))
    body.append(TAG_OPERATION)
    body += _attribute(0x47, "attributes-charset", b"utf-8")
    body += _attribute(0x48, "attributes-natural-language", b"en")
    body += _attribute(0x45, "printer-uri", printer_uri.encode("utf-8"))
    body += _attribute(0x42, "requesting-user-name", b"homediag")
    for index, name in enumerate(REQUESTED):
        body += _attribute(0x44, "requested-attributes" if index == 0 else "", name.encode("ascii"))
    body.append(TAG_END)
    return bytes(body)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.values = 0

    def byte(self) -> int:
        if self.pos >= len(self.data):
            raise IppError("truncated: no end-of-attributes tag")
        value = self.data[self.pos]
        self.pos += 1
        return value

    def length(self, what: str) -> int:
        if self.pos + 2 > len(self.data):
            raise IppError(f"truncated {what} length")
        value = int(struct.unpack_from("!h", self.data, self.pos)[0])
        self.pos += 2
        if value < 0:
            raise IppError(f"negative {what} length")
        if self.pos + value > len(self.data):
            raise IppError(f"{what} length past the end of the message")
        return value

    def take(self, count: int) -> bytes:
        chunk = self.data[self.pos : self.pos + count]
        self.pos += count
        return chunk


def _text(raw: bytes) -> str:
    text = raw[:MAX_TEXT].decode("utf-8", "replace")
    return "".join(ch for ch in text if ch.isprintable())


def decode_value(tag: int, raw: bytes) -> Any:
    """One value by its tag (RFC 8011 §5.1 syntaxes); unknown tags give their bytes as hex."""
    if tag in (0x21, 0x23):  # integer, enum
        if len(raw) != 4:
            raise IppError("integer value is not 4 bytes")
        return struct.unpack("!i", raw)[0]
    if tag == 0x22:  # boolean
        if len(raw) != 1:
            raise IppError("boolean value is not 1 byte")
        return raw != b"\x00"
    if tag == 0x33:  # rangeOfInteger
        if len(raw) != 8:
            raise IppError("rangeOfInteger is not 8 bytes")
        low, high = struct.unpack("!ii", raw)
        return [low, high]
    if tag == 0x32:  # resolution
        if len(raw) != 9:
            raise IppError("resolution is not 9 bytes")
        x, y, unit = struct.unpack("!iiB", raw)
        return [x, y, unit]
    if tag == 0x31:  # dateTime
        if len(raw) != 11:
            raise IppError("dateTime is not 11 bytes")
        year, month, day, hour, minute, second = struct.unpack("!HBBBBB", raw[:7])
        return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}"
    if tag in (0x35, 0x36):  # textWithLanguage, nameWithLanguage
        if len(raw) < 4:
            raise IppError("with-language value too short")
        (lang_len,) = struct.unpack_from("!h", raw, 0)
        if lang_len < 0 or 2 + lang_len + 2 > len(raw):
            raise IppError("bad language length")
        (text_len,) = struct.unpack_from("!h", raw, 2 + lang_len)
        start = 4 + lang_len
        if text_len < 0 or start + text_len > len(raw):
            raise IppError("bad text length")
        return _text(raw[start : start + text_len])
    if 0x40 <= tag <= 0x5F or tag == 0x30:  # character strings, octetString
        return _text(raw)
    if 0x10 <= tag <= 0x1F:  # out-of-band: unsupported, unknown, no-value
        return None
    return raw[:64].hex()


def _collection(reader: _Reader, depth: int) -> dict[str, list[Any]]:
    if depth > MAX_DEPTH:
        raise IppError(f"collections nested deeper than {MAX_DEPTH}")
    members: dict[str, list[Any]] = {}
    current: str | None = None
    while True:
        tag = reader.byte()
        if tag < 0x10:
            raise IppError("group ended inside a collection")
        if tag == EXTENSION:
            raise IppError("extension tags are not supported")
        reader.take(reader.length("name"))  # member values have empty names
        value_len = reader.length("value")
        raw = reader.take(value_len)
        reader.values += 1
        if reader.values > MAX_VALUES:
            raise IppError(f"more than {MAX_VALUES} values")
        if tag == END_COLLECTION:
            return members
        if tag == MEMBER_NAME:
            current = _text(raw)[:128]
            members.setdefault(current, [])
            continue
        if current is None:
            raise IppError("collection value without a member name")
        value = _collection(reader, depth + 1) if tag == BEG_COLLECTION else decode_value(tag, raw)
        members[current].append(value)


def parse_response(data: bytes) -> IppResponse:
    """Decode an IPP response; raise :class:`IppError` for anything malformed or past the caps."""
    if len(data) > MAX_BODY:
        raise IppError("response larger than 256 KiB")
    if len(data) < 9:
        raise IppError("shorter than an IPP header")
    major, minor, status, request_id = struct.unpack_from("!BBHI", data, 0)
    if major not in (1, 2):
        raise IppError(f"unknown IPP version {major}.{minor}")
    reader = _Reader(data)
    reader.pos = 8
    attributes: dict[str, list[Any]] = {}
    group: int | None = None
    current: str | None = None
    while True:
        tag = reader.byte()
        if tag == TAG_END:
            break
        if tag < 0x10:
            group = tag
            current = None
            continue
        if group is None:
            raise IppError("attribute outside a group")
        if tag == EXTENSION:
            raise IppError("extension tags are not supported")
        name_len = reader.length("name")
        name = _text(reader.take(name_len))[:128]
        value_len = reader.length("value")
        raw = reader.take(value_len)
        reader.values += 1
        if reader.values > MAX_VALUES:
            raise IppError(f"more than {MAX_VALUES} values")
        if name:
            current = name
        elif current is None:
            raise IppError("additional value without an attribute")
        if tag in (END_COLLECTION, MEMBER_NAME):
            raise IppError("collection tag outside a collection")
        value = _collection(reader, 1) if tag == BEG_COLLECTION else decode_value(tag, raw)
        if group in (TAG_PRINTER, TAG_OPERATION):
            attributes.setdefault(current, []).append(value)
    return IppResponse((major, minor), status, request_id, attributes)
