"""Helpers shared by the parsers of network command output: size caps, addresses, MACs, numbers.

Every parser treats its input as hostile: the whole text is capped (:data:`MAX_TEXT_CHARS`), lines
longer than :data:`MAX_LINE_CHARS` are skipped as garbage before any pattern sees them, numbers have
a digit cap, and nothing here raises anything but :class:`ParseError`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from ipaddress import (
    IPv4Address,
    IPv4Interface,
    IPv4Network,
    IPv6Address,
    IPv6Interface,
    IPv6Network,
    ip_address,
    ip_interface,
    ip_network,
)
from typing import Any

from homediag.net.errors import ParseError

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network
IPInterface = IPv4Interface | IPv6Interface

MAX_TEXT_CHARS = 2 * 1024 * 1024
"""Command output longer than this is refused. The largest real outputs (an ARP table of a /22,
``route print`` of a machine with many VPN adapters) are around 100 KB; the cap bounds the worst
hostile input to well under a second and a few tens of MB (see ``benchmarks/bench_parsers_net.py``).
"""

MAX_LINE_CHARS = 4096
"""Longer lines are skipped unread (no real line of these commands comes near it)."""

_MAX_DIGITS = 20
_ADDRESS_START = frozenset("0123456789abcdefABCDEF:")
_HEX_PAIR = re.compile(r"[0-9a-fA-F]{1,2}")
_PLAIN_HEX = re.compile(r"[0-9a-fA-F]+")


def check_text(text: object, what: str) -> str:
    """Return ``text`` if it is a string within the size cap, else raise :class:`ParseError`."""
    if not isinstance(text, str):
        raise ParseError(f"{what}: expected text, got {type(text).__name__}")
    if len(text) > MAX_TEXT_CHARS:
        raise ParseError(f"{what}: output of {len(text)} characters is over the cap of {MAX_TEXT_CHARS}")
    return text


def iter_lines(text: str) -> Iterator[str]:
    """The lines of ``text`` (any line ending), without over-long lines."""
    for line in text.splitlines():
        if len(line) <= MAX_LINE_CHARS:
            yield line


def parse_port(text: str | None) -> int | None:
    """A port number 1-65535 written in ASCII digits (``"²"`` is a digit to ``str.isdigit``, not
    to ``int``), else ``None``."""
    if text is None or not 1 <= len(text) <= 5 or not (text.isascii() and text.isdigit()):
        return None
    port = int(text)
    return port if 0 < port < 65536 else None


def is_blank(text: str) -> bool:
    """Whether ``text`` holds nothing but whitespace."""
    return not text.strip()


def parse_int(text: str | None, *, base: int = 10) -> int | None:
    """An integer written with at most 20 digits (an optional sign), else ``None``."""
    if text is None:
        return None
    digits = text.strip()
    body = digits[1:] if digits[:1] in ("+", "-") else digits
    if base == 16 and body[:2].lower() == "0x":
        body = body[2:]
    if not body or len(body) > _MAX_DIGITS:
        return None
    if base == 10 and not body.isascii():
        return None
    if base == 10 and not body.isdigit():
        return None
    if base == 16 and not _PLAIN_HEX.fullmatch(body):
        return None
    try:
        value = int(body, base)
    except ValueError:
        return None
    return -value if digits.startswith("-") else value


def parse_ip(text: str | None) -> IPAddress | None:
    """An IPv4 or IPv6 address (IPv6 may carry a ``%zone``), else ``None``."""
    if not text or len(text) > 80:
        return None
    text = text.strip()
    if text[:1] not in _ADDRESS_START:
        return None  # cheap refusal: ipaddress raising on every word is slow
    try:
        return ip_address(text)
    except ValueError:
        return None


def parse_ipv4(text: str | None) -> IPv4Address | None:
    """An IPv4 address, else ``None``."""
    address = parse_ip(text)
    return address if isinstance(address, IPv4Address) else None


def parse_ipv6(text: str | None) -> IPv6Address | None:
    """An IPv6 address (with an optional ``%zone``), else ``None``."""
    address = parse_ip(text)
    return address if isinstance(address, IPv6Address) else None


def parse_network(text: str | None) -> IPNetwork | None:
    """A network in CIDR form (host bits allowed and cleared), or a bare address as a host route."""
    if not text or len(text) > 100:
        return None
    text = text.strip()
    if text[:1] not in _ADDRESS_START:
        return None
    try:
        return ip_network(text, strict=False)
    except ValueError:
        return None


def parse_interface(text: str | None) -> IPInterface | None:
    """An address with its prefix (``192.0.2.10/24``), else ``None``."""
    if not text or len(text) > 100:
        return None
    text = text.strip()
    if text[:1] not in _ADDRESS_START:
        return None
    try:
        return ip_interface(text)
    except ValueError:
        return None


def interface_from_mask(address: IPv4Address, mask: IPv4Address | None) -> IPv4Interface:
    """``address`` with the prefix of a dotted ``mask``; a missing or invalid mask gives /32."""
    if mask is None:
        return IPv4Interface(address)
    try:
        return IPv4Interface(f"{address}/{mask}")
    except ValueError:
        return IPv4Interface(address)


def normalise_mac(text: str | None, *, octets: tuple[int, ...] = (6,)) -> str | None:
    """A hardware address in lower-case colon form, else ``None``.

    Reads ``AA-BB-CC-DD-EE-FF``, ``aa:bb:cc:dd:ee:ff``, ``aa bb cc dd ee ff`` (Windows
    ``route print``), ``aabb.ccdd.eeff``, ``aabbccddeeff`` and the unpadded octets that macOS
    and BSD print (``0:1e:c9:5:a:b``). ``octets`` lists the lengths accepted: EUI-48 by default;
    ``(6, 8)`` also accepts the 8-byte addresses of Windows tunnel adapters.
    """
    if not text:
        return None
    value = text.strip()
    if not value or len(value) > 64:
        return None
    parts: list[str]
    if any(sep in value for sep in ":- "):
        parts = re.split(r"[:\- ]", value)
        if not all(_HEX_PAIR.fullmatch(part) for part in parts):
            return None
    else:
        plain = value.replace(".", "")
        if "." in value and not all(len(chunk) == 4 for chunk in value.split(".")):
            return None
        if not _PLAIN_HEX.fullmatch(plain) or len(plain) % 2:
            return None
        parts = [plain[i : i + 2] for i in range(0, len(plain), 2)]
    if len(parts) not in octets:
        return None
    return ":".join(part.lower().zfill(2) for part in parts)


def text_or_none(value: str | None) -> str | None:
    """``value`` stripped, or ``None`` when empty or a placeholder such as ``--``."""
    if value is None:
        return None
    stripped = value.strip()
    if not stripped or stripped in ("--", "?", "*", "(null)"):
        return None
    return stripped


def load_json_array(text: str, what: str) -> list[Any]:
    """The items of a JSON array printed by a command; :class:`ParseError` if there are none.

    Truncated output (``[{...}, {...}, {"ifna``) keeps the items that arrived whole. Deep nesting
    (``[[[[...``) makes :mod:`json` raise ``RecursionError``; that is a ParseError too.
    """
    try:
        data = json.loads(text)
    except RecursionError:
        raise ParseError(f"{what}: JSON nested too deeply") from None
    except ValueError:
        items = _json_prefix_items(text)
        if not items:
            raise ParseError(f"{what}: not valid JSON") from None
        return items
    if not isinstance(data, list):
        raise ParseError(f"{what}: expected a JSON array")
    return data


def _json_prefix_items(text: str) -> list[Any]:
    """The complete items at the start of a truncated JSON array."""
    decoder = json.JSONDecoder()
    stripped = text.lstrip()
    if not stripped.startswith("["):
        return []
    index = 1
    items: list[Any] = []
    while True:
        while index < len(stripped) and stripped[index] in " \t\r\n,":
            index += 1
        if index >= len(stripped) or stripped[index] == "]":
            return items
        try:
            item, index = decoder.raw_decode(stripped, index)
        except (ValueError, RecursionError):
            return items
        items.append(item)
