"""Parse ``arp -a`` output of Linux (net-tools), macOS, FreeBSD and Windows (any language).

Samples::

    ? (192.0.2.1) at 02:00:5e:00:53:01 [ether] on eth0                      # Linux
    router.example (192.0.2.1) at 02:00:5e:00:53:01 [ether] PERM on eth0
    ? (192.0.2.9) at <incomplete> on eth0
    ? (192.0.2.1) at 2:0:5e:0:53:1 on en0 ifscope [ethernet]                # macOS
    ? (192.0.2.2) at (incomplete) on en0 ifscope [ethernet]
    ? (192.0.2.3) at 02:00:5e:00:53:03 on em0 expires in 942 seconds [ethernet]   # FreeBSD

    Interface: 192.0.2.10 --- 0xb                                           # Windows
      Internet Address      Physical Address      Type
      192.0.2.1             02-00-5e-00-53-01     dynamic
      192.0.2.255           ff-ff-ff-ff-ff-ff     static

Hand-written, not jc: jc's ``arp`` parser has no Windows support (it raises ``IndexError`` on it),
reads ``[ether] PERM on eth0`` with ``on`` as the interface, and one short line makes it raise
instead of returning the other entries. Windows blocks are recognised by their shape
(``ADDRESS --- 0xINDEX``, rows of address, MAC, word), not their localised labels
(``Schnittstelle:``, ``Interface :``); only the Type word is looked up
(:data:`~homediag.net.os._windows_labels.ARP_TYPES`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from ipaddress import IPv4Address

from homediag.net.errors import ParseError
from homediag.net.os._common import (
    check_text,
    is_blank,
    iter_lines,
    normalise_mac,
    parse_int,
    parse_ipv4,
    text_or_none,
)
from homediag.net.os._windows_labels import ARP_TYPES, label_key


class ArpKind(StrEnum):
    """How an entry got into the table."""

    DYNAMIC = "dynamic"
    STATIC = "static"
    """Permanent: ``PERM`` (Linux), ``permanent`` (BSD), ``static`` (Windows)."""
    INCOMPLETE = "incomplete"
    """Asked, not answered: no MAC (``<incomplete>``, ``(incomplete)``, Windows ``invalid``)."""
    UNKNOWN = "unknown"
    """A Windows type word that is in no table (another language)."""


@dataclass(frozen=True, slots=True)
class ArpEntry:
    """One entry of the ARP table."""

    ip: IPv4Address
    mac: str | None
    kind: ArpKind = ArpKind.DYNAMIC
    interface: str | None = None
    """Interface name (Unix); ``None`` on Windows, which names the interface by address."""
    interface_ip: IPv4Address | None = None
    """Windows: the address of the interface block the entry is in."""
    interface_index: int | None = None
    """Windows: the interface index of the block header (``0xb`` -> 11)."""
    hostname: str | None = None
    hw_type: str | None = None
    expires_s: int | None = None
    published: bool = False
    """Proxy-ARP entry this host answers for (``PUB``, ``published``)."""

    @property
    def permanent(self) -> bool:
        """A static entry that never expires."""
        return self.kind is ArpKind.STATIC


# Unix: NAME (ADDRESS) at MAC|<incomplete>|(incomplete) [rest...]
_UNIX = re.compile(r"(\S+) \(([0-9.]{7,15})\) at (\S+)(.*)")
_WINDOWS_HEADER = re.compile(r"\S.*?([0-9.]{7,15}) +-{3} +(0x[0-9a-fA-F]{1,8})\s*$")
_DOTTED = re.compile(r"\d\.\d+\.\d+\.\d")
_INCOMPLETE = frozenset({"<incomplete>", "(incomplete)", "incomplete"})


def _unix_entry(match: re.Match[str]) -> ArpEntry | None:
    name, address, hw, rest = match.groups()
    ip = parse_ipv4(address)
    if ip is None:
        return None
    mac = None
    kind = ArpKind.DYNAMIC
    if hw in _INCOMPLETE:
        kind = ArpKind.INCOMPLETE
    else:
        mac = normalise_mac(hw)
        if mac is None:
            return None
    tokens = rest.split()
    interface = None
    hw_type = None
    expires = None
    published = False
    index = 0
    while index < len(tokens):
        word = tokens[index]
        if word.startswith("[") and word.endswith("]"):
            hw_type = word[1:-1] or None
        elif word == "on" and index + 1 < len(tokens):
            interface = tokens[index + 1]
            index += 1
        elif word in ("PERM", "permanent") and kind is not ArpKind.INCOMPLETE:
            kind = ArpKind.STATIC
        elif word in ("PUB", "published"):
            published = True
        elif word == "expires" and tokens[index + 1 : index + 2] == ["in"]:
            expires = parse_int(tokens[index + 2]) if index + 2 < len(tokens) else None
            index += 2
        index += 1
    return ArpEntry(
        ip=ip,
        mac=mac,
        kind=kind,
        interface=interface,
        hostname=text_or_none(name),
        hw_type=hw_type,
        expires_s=expires,
        published=published,
    )


def _windows_row(tokens: list[str], block: tuple[IPv4Address, int] | None) -> ArpEntry | None:
    ip = parse_ipv4(tokens[0])
    if ip is None or len(tokens) < 2:
        return None
    mac = normalise_mac(tokens[1])
    type_words = tokens[2:] if mac is not None else tokens[1:]
    if mac is None and normalise_mac(tokens[1], octets=(1, 2, 3, 4, 5)) is not None:
        return None  # a cut-off MAC: this row is truncated
    meaning = ARP_TYPES.get(label_key(" ".join(type_words))) if type_words else None
    kind = {
        "dynamic": ArpKind.DYNAMIC,
        "static": ArpKind.STATIC,
        "invalid": ArpKind.INCOMPLETE,
    }.get(meaning or "", ArpKind.UNKNOWN)
    if mac == "00:00:00:00:00:00":
        mac = None
        kind = ArpKind.INCOMPLETE
    if mac is None and kind is not ArpKind.INCOMPLETE:
        return None
    return ArpEntry(
        ip=ip,
        mac=mac,
        kind=kind,
        interface_ip=block[0] if block else None,
        interface_index=block[1] if block else None,
    )


def parse_arp_a(text: str) -> list[ArpEntry]:
    """Parse ``arp -a`` output of Linux, macOS, BSD or Windows.

    Unreadable lines are skipped. Text with no entry and no Windows interface block raises
    :class:`ParseError`, except a one-line "no entries" message mentioning ARP.
    """
    check_text(text, "arp -a")
    entries: list[ArpEntry] = []
    block: tuple[IPv4Address, int] | None = None
    blocks = 0
    unread: list[str] = []
    for line in iter_lines(text):
        stripped = line.strip()
        if not stripped:
            continue
        if match := _UNIX.match(stripped):
            entry = _unix_entry(match)
        elif header := _WINDOWS_HEADER.match(line):
            address = parse_ipv4(header.group(1))
            index = parse_int(header.group(2), base=16)
            block = (address, index) if address is not None and index is not None else None
            blocks += 1
            continue
        elif line[:1].isspace():
            entry = _windows_row(stripped.split(), block)
        else:
            entry = None
        if entry is None:
            unread.append(stripped)
        else:
            entries.append(entry)
    if not entries and not blocks and not is_blank(text):
        if len(unread) == 1 and "arp" in unread[0].casefold() and not _DOTTED.search(unread[0]):
            return []  # "No ARP Entries Found." / "Keine ARP-Einträge gefunden."
        if unread:
            raise ParseError("arp -a: no line could be read")
    return entries
