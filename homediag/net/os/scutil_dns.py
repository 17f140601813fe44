"""Parse macOS ``scutil --dns`` output: the resolvers the system really uses.

Sample::

    DNS configuration

    resolver #1
      search domain[0] : example.test
      nameserver[0] : 192.0.2.53
      nameserver[1] : 2001:db8::53
      if_index : 14 (en0)
      flags    : Request A records, Request AAAA records
      reach    : 0x00000002 (Reachable)

    resolver #2
      domain   : local
      options  : mdns
      timeout  : 5
      flags    : Request A records
      reach    : 0x00000000 (Not Reachable)
      order    : 300000

    DNS configuration (for scoped queries)

    resolver #1
      nameserver[0] : 192.0.2.53
      if_index : 14 (en0)
      flags    : Scoped, Request A records
      reach    : 0x00000002 (Reachable)

Hand-written: jc has no ``scutil`` parser. Reachability is read from the ``reach`` flag bits
(``kSCNetworkReachabilityFlagsReachable`` = 0x2), not from the words after them. Older macOS (10.6 to
10.9) prints only the words (``reach : Reachable,Directly Reachable Address``, ``reach : Not
Reachable``): they are turned back into the same bits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from homediag.net.errors import ParseError
from homediag.net.os._common import (
    IPAddress,
    check_text,
    iter_lines,
    parse_int,
    parse_ip,
)

REACHABLE_FLAG = 0x2
"""``kSCNetworkReachabilityFlagsReachable``."""
_REACH_WORDS = {
    "transient connection": 0x1,
    "reachable": REACHABLE_FLAG,
    "connection required": 0x4,
    "connection on traffic": 0x8,
    "connection automatic": 0x8,
    "intervention required": 0x10,
    "connection on demand": 0x20,
    "local address": 0x10000,
    "directly reachable address": 0x20000,
    "wwan": 0x40000,
}
"""``SCNetworkReachability`` flag names as older ``scutil`` prints them."""


def reach_flags(text: str) -> int | None:
    """The flag bits of a ``reach`` value: ``0x00000002 (Reachable)`` or the words alone."""
    head = text.split(" ", 1)[0]
    if head.startswith("0x"):
        return parse_int(head, base=16)
    words = [word.strip().casefold() for word in text.split(",") if word.strip()]
    if not words:
        return None
    if words == ["not reachable"]:
        return 0
    known = [_REACH_WORDS.get(word) for word in words]
    if any(bit is None for bit in known):
        return None  # words this parser does not know: unknown, not guessed
    return sum(bit for bit in known if bit is not None)


@dataclass(frozen=True, slots=True)
class Resolver:
    """One ``resolver #N`` block."""

    number: int
    scoped: bool = False
    """From the ``(for scoped queries)`` section: used only for queries bound to an interface."""
    domain: str | None = None
    """Only names under this domain go to this resolver (``local``, a VPN's domain...)."""
    search_domains: tuple[str, ...] = ()
    nameservers: tuple[IPAddress, ...] = ()
    if_index: int | None = None
    interface: str | None = None
    flags: tuple[str, ...] = ()
    reach: int | None = None
    """The reachability flag bits."""
    order: int | None = None
    options: tuple[str, ...] = ()
    timeout_s: int | None = None
    port: int | None = None

    @property
    def reachable(self) -> bool | None:
        """Whether the nameservers are reachable; ``None`` when ``reach`` is missing."""
        return None if self.reach is None else bool(self.reach & REACHABLE_FLAG)

    @property
    def supplemental(self) -> bool:
        """A resolver for some domains only (the ``Supplemental`` flag, or a ``domain``)."""
        return "Supplemental" in self.flags or self.domain is not None

    @property
    def mdns(self) -> bool:
        """A multicast DNS resolver (``options : mdns``)."""
        return "mdns" in self.options


@dataclass(frozen=True, slots=True)
class ScutilDns:
    """The two sections of ``scutil --dns``."""

    resolvers: tuple[Resolver, ...] = ()
    scoped_resolvers: tuple[Resolver, ...] = ()

    @property
    def default_resolver(self) -> Resolver | None:
        """The resolver for names no other resolver claims: the first general one with servers."""
        for resolver in self.resolvers:
            if resolver.nameservers and not resolver.supplemental and not resolver.mdns:
                return resolver
        return None

    @property
    def nameservers(self) -> tuple[IPAddress, ...]:
        """The nameservers of the default resolver (empty when there is none)."""
        default = self.default_resolver
        return default.nameservers if default else ()


_RESOLVER = re.compile(r"resolver #(\d{1,6})")
_FIELD = re.compile(r"([A-Za-z_ ]{1,40}?)(?:\[(\d{1,4})\])?\s*:\s?(.*)")
_IF_INDEX = re.compile(r"(\d{1,10})(?:\s*\((.{1,64})\))?")


class _Block:
    def __init__(self, number: int, scoped: bool) -> None:
        self.number = number
        self.scoped = scoped
        self.values: dict[str, list[str]] = {}

    def add(self, key: str, value: str) -> None:
        self.values.setdefault(key, []).append(value)

    def one(self, key: str) -> str | None:
        values = self.values.get(key)
        return values[0] if values else None

    def resolver(self) -> Resolver:
        nameservers = [parse_ip(value) for value in self.values.get("nameserver", [])]
        if_index = None
        interface = None
        match = _IF_INDEX.fullmatch(self.one("if_index") or "")
        if match:
            if_index = parse_int(match.group(1))
            interface = match.group(2)
        reach_text = self.one("reach") or ""
        flags = [f.strip() for f in (self.one("flags") or "").split(",") if f.strip()]
        options = (self.one("options") or "").split()
        return Resolver(
            number=self.number,
            scoped=self.scoped or "Scoped" in flags,
            domain=self.one("domain"),
            search_domains=tuple(self.values.get("search domain", [])),
            nameservers=tuple(ns for ns in nameservers if ns is not None),
            if_index=if_index,
            interface=interface,
            flags=tuple(flags),
            reach=reach_flags(reach_text),
            order=parse_int(self.one("order")),
            options=tuple(options),
            timeout_s=parse_int(self.one("timeout")),
            port=parse_int(self.one("port")),
        )


def parse_scutil_dns(text: str) -> ScutilDns:
    """Parse ``scutil --dns``.

    Lines that fit nothing are skipped; text with such lines and no resolver at all raises
    :class:`ParseError` (headings alone, or ``No DNS configuration available``, give none).
    """
    check_text(text, "scutil --dns")
    blocks: list[_Block] = []
    headings = 0
    unread = 0
    scoped = False
    for line in iter_lines(text):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("No DNS configuration"):
            continue  # "No DNS configuration available": no resolver at all
        if stripped.startswith("DNS configuration"):
            headings += 1
            # The second heading is "DNS configuration (for scoped queries)".
            scoped = headings > 1 or "scoped" in stripped.casefold()
            continue
        if match := _RESOLVER.fullmatch(stripped):
            blocks.append(_Block(int(match.group(1)), scoped))
            continue
        field = _FIELD.fullmatch(stripped)
        if field and blocks:
            blocks[-1].add(field.group(1).strip(), field.group(3).strip())
        else:
            unread += 1
    if not blocks and unread:
        raise ParseError("scutil --dns: no resolver could be read")
    resolvers = [block.resolver() for block in blocks]
    return ScutilDns(
        resolvers=tuple(r for r in resolvers if not r.scoped),
        scoped_resolvers=tuple(r for r in resolvers if r.scoped),
    )
