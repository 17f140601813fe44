"""Parse DHCP lease files of Linux clients, and the dnsmasq lease file of a router.

Samples::

    # dhclient: /var/lib/dhcp/dhclient.leases (dates in UTC, or "epoch N" with db-time-format local)
    lease {
      interface "eth0";
      fixed-address 192.0.2.10;
      option subnet-mask 255.255.255.0;
      option routers 192.0.2.1;
      option domain-name-servers 192.0.2.1,198.51.100.53;
      option dhcp-server-identifier 192.0.2.1;
      option domain-name "example.test";
      renew 2 2024/01/16 03:12:45;
      expire 2 2024/01/16 16:50:22;
    }

    # systemd-networkd: /run/systemd/netif/leases/IFINDEX, and NetworkManager's internal client:
    # /var/lib/NetworkManager/internal-UUID-IFACE.lease (the same writer, sd_dhcp_lease_save)
    ADDRESS=192.0.2.10
    NETMASK=255.255.255.0
    ROUTER=192.0.2.1
    SERVER_ADDRESS=192.0.2.1
    LIFETIME=86400
    DNS=192.0.2.1 198.51.100.53
    DOMAINNAME=example.test

    # dnsmasq: /var/lib/misc/dnsmasq.leases (expiry epoch, MAC, address, name, client id)
    1705374765 02:00:5e:00:53:10 192.0.2.10 laptop 01:02:00:5e:00:53:10
    0 02:00:5e:00:53:11 192.0.2.11 * *
    duid 00:01:00:01:2c:cf:19:eb:02:00:5e:00:53:01
    1705374765 305419896 2001:db8::10 phone 00:01:00:01:2c:cf:19:eb:02:00:5e:00:53:12

Hand-written: jc has no parser for any of these files. busybox ``udhcpc`` writes no lease file
(it hands the lease to its script in environment variables), so there is nothing to read for it.
The systemd files say "This is private data. Do not parse."; they are read leniently and only
for diagnosis (unknown keys are kept in ``options``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from ipaddress import IPv4Address, IPv4Interface, IPv6Address

from homediag.net.errors import ParseError
from homediag.net.os._common import (
    IPAddress,
    check_text,
    interface_from_mask,
    is_blank,
    iter_lines,
    normalise_mac,
    parse_int,
    parse_ip,
    parse_ipv4,
    text_or_none,
)

MAX_NESTING = 8
"""Deeper ``{`` nesting than this in dhclient.leases is hostile, not a lease."""


class LeaseSource(StrEnum):
    """Which client wrote the lease."""

    DHCLIENT = "dhclient"
    SYSTEMD = "systemd"
    """systemd-networkd, or NetworkManager's internal DHCP client (same file format)."""


@dataclass(frozen=True, slots=True)
class ClientLease:
    """A lease this machine's DHCP client holds (or held)."""

    source: LeaseSource
    interface: str | None = None
    address: IPAddress | None = None
    subnet_mask: IPv4Address | None = None
    routers: tuple[IPAddress, ...] = ()
    dns_servers: tuple[IPAddress, ...] = ()
    domain_name: str | None = None
    search_domains: tuple[str, ...] = ()
    server: IPAddress | None = None
    """The DHCP server that gave the lease (server identifier)."""
    hostname: str | None = None
    lease_time_s: int | None = None
    renew: datetime | None = None
    """UTC; dhclient only (systemd files hold no absolute times)."""
    rebind: datetime | None = None
    expire: datetime | None = None
    options: tuple[tuple[str, str], ...] = ()
    """Every other option or key, as printed."""

    @property
    def interface_address(self) -> IPv4Interface | None:
        """The IPv4 address with the prefix of its subnet mask."""
        if isinstance(self.address, IPv4Address):
            return interface_from_mask(self.address, self.subnet_mask)
        return None

    def expired(self, now: datetime) -> bool | None:
        """Whether the lease has expired at ``now`` (UTC-aware); ``None`` when unknown."""
        return None if self.expire is None else self.expire <= now


@dataclass(frozen=True, slots=True)
class DnsmasqLease:
    """One lease a dnsmasq server handed out."""

    ip: IPAddress
    expires: datetime | None
    """UTC; ``None`` for an infinite lease (expiry 0)."""
    mac: str | None = None
    """IPv4 leases: the client's MAC. IPv6 leases have none (see ``iaid`` and ``client_id``)."""
    hostname: str | None = None
    client_id: str | None = None
    iaid: int | None = None


# --- dhclient.leases -------------------------------------------------------------------------


class _Syntax(Exception):
    """dhclient.leases text that breaks the grammar."""


_TOKEN = re.compile(r'\s+|#[^\n]*|[{};]|"(?:[^"\\\n]|\\.)*"|[^\s{};"#]+|.')


def _tokens(text: str) -> Iterator[str]:
    """Words, quoted strings (with their quotes), and the punctuation ``{ } ;``."""
    for match in _TOKEN.finditer(text):
        piece = match.group()
        if piece[0].isspace() or piece[0] == "#":
            continue
        if piece == '"':
            raise _Syntax  # a string that never ends on its line
        yield piece


@dataclass
class _Statement:
    words: list[str]
    block: list[_Statement] | None = None
    closed: bool = True
    """False for a block cut off before its closing brace (truncated file)."""


def _statements(tokens: Iterator[str], depth: int = 0) -> tuple[list[_Statement], bool]:
    """Statements up to a closing brace (``True``) or the end of the pieces (``False``)."""
    if depth > MAX_NESTING:
        raise _Syntax
    statements: list[_Statement] = []
    words: list[str] = []
    for piece in tokens:
        if piece == ";":
            if words:
                statements.append(_Statement(words))
            words = []
        elif piece == "{":
            block, closed = _statements(tokens, depth + 1)
            statements.append(_Statement(words, block, closed))
            words = []
            if not closed:
                return statements, False
        elif piece == "}":
            return statements, True
        else:
            words.append(piece)
    return statements, False


def _unquote(word: str) -> str:
    if len(word) >= 2 and word[0] == word[-1] == '"':
        return word[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return word


def _addresses(words: list[str]) -> tuple[IPAddress, ...]:
    found = (parse_ip(part) for word in words for part in word.split(","))
    return tuple(address for address in found if address is not None)


def _dhclient_date(words: list[str]) -> datetime | None:
    """``2 2024/01/16 03:12:45`` (UTC) or ``epoch 1705374765``; ``never`` and the rest -> None."""
    if len(words) >= 2 and words[0] == "epoch":
        seconds = parse_int(words[1])
        if seconds is None:
            return None
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if len(words) >= 3:
        try:
            return datetime.strptime(f"{words[1]} {words[2]}", "%Y/%m/%d %H:%M:%S").replace(tzinfo=UTC)
        except ValueError:
            return None
    return None


def _dhclient_lease(block: list[_Statement]) -> ClientLease:
    fields: dict[str, list[str]] = {}
    others: list[tuple[str, str]] = []
    for statement in block:
        if statement.block is not None or not statement.words:
            continue
        words = statement.words
        if words[0] == "option" and len(words) >= 2:
            fields.setdefault("option " + words[1], words[2:])
            others.append((words[1], " ".join(_unquote(w) for w in words[2:])))
        else:
            fields.setdefault(words[0], words[1:])

    def one(key: str) -> str | None:
        values = fields.get(key)
        return _unquote(values[0]) if values else None

    search = [_unquote(w.rstrip(",")).rstrip(".") for w in fields.get("option domain-search", [])]
    known = {"subnet-mask", "routers", "domain-name-servers", "domain-name", "domain-search"}
    known |= {"dhcp-server-identifier", "host-name", "dhcp-lease-time"}
    return ClientLease(
        source=LeaseSource.DHCLIENT,
        interface=one("interface"),
        address=parse_ip(one("fixed-address")),
        subnet_mask=parse_ipv4(one("option subnet-mask")),
        routers=_addresses(fields.get("option routers", [])),
        dns_servers=_addresses(fields.get("option domain-name-servers", [])),
        domain_name=text_or_none(one("option domain-name")),
        search_domains=tuple(name for name in search if name),
        server=parse_ip(one("option dhcp-server-identifier")),
        hostname=text_or_none(one("option host-name")),
        lease_time_s=parse_int(one("option dhcp-lease-time")),
        renew=_dhclient_date(fields.get("renew", [])),
        rebind=_dhclient_date(fields.get("rebind", [])),
        expire=_dhclient_date(fields.get("expire", [])),
        options=tuple((name, value) for name, value in others if name not in known),
    )


def _dhclient_lease6(block: list[_Statement]) -> ClientLease:
    addresses: list[IPAddress] = []
    expire: datetime | None = None
    dns: tuple[IPAddress, ...] = ()
    search: list[str] = []
    interface = None
    for statement in block:
        words = statement.words
        if not words:
            continue
        if words[0] == "interface" and len(words) > 1:
            interface = _unquote(words[1])
        elif words[:2] == ["option", "dhcp6.name-servers"]:
            dns = _addresses(words[2:])
        elif words[:2] == ["option", "dhcp6.domain-search"]:
            search = [_unquote(word.rstrip(",")).rstrip(".") for word in words[2:]]
        elif words[0] in ("ia-na", "ia-ta") and statement.block is not None:
            starts = None
            for inner in statement.block:
                if inner.words[:1] == ["starts"] and len(inner.words) > 1:
                    starts = parse_int(inner.words[1])
                if inner.words[:1] == ["iaaddr"] and inner.block is not None:
                    address = parse_ip(inner.words[1]) if len(inner.words) > 1 else None
                    if isinstance(address, IPv6Address):
                        addresses.append(address)
                    life = next(
                        (
                            parse_int(s.words[1])
                            for s in inner.block
                            if s.words[:1] == ["max-life"] and len(s.words) > 1
                        ),
                        None,
                    )
                    if starts is not None and life is not None:
                        try:
                            expire = datetime.fromtimestamp(starts, UTC) + timedelta(seconds=life)
                        except (OverflowError, OSError, ValueError):
                            expire = None
    return ClientLease(
        source=LeaseSource.DHCLIENT,
        interface=interface,
        address=addresses[0] if addresses else None,
        dns_servers=dns,
        search_domains=tuple(name for name in search if name),
        expire=expire,
    )


def parse_dhclient_leases(text: str) -> list[ClientLease]:
    """Parse a dhclient (ISC) lease file: every ``lease`` and ``lease6`` block, oldest first.

    dhclient appends; the last lease of an interface is its current one
    (:func:`latest_by_interface`). A file cut in the middle of a block keeps the blocks before
    it and drops the cut one. Nesting deeper than :data:`MAX_NESTING` or an
    unterminated string raises :class:`ParseError`, as does non-blank text without any lease.
    """
    check_text(text, "dhclient.leases")
    try:
        statements, _ = _statements(_tokens(text))
    except _Syntax:
        raise ParseError("dhclient.leases: broken nesting or quoting") from None
    leases: list[ClientLease] = []
    for statement in statements:
        if statement.block is None or not statement.words or not statement.closed:
            continue  # a lease cut off by truncation is not the current lease of anything
        if statement.words[0] == "lease":
            leases.append(_dhclient_lease(statement.block))
        elif statement.words[0] == "lease6":
            leases.append(_dhclient_lease6(statement.block))
    if not leases and not is_blank(text):
        raise ParseError("dhclient.leases: no lease could be read")
    return leases


def latest_by_interface(leases: list[ClientLease]) -> dict[str | None, ClientLease]:
    """The last lease of each interface (dhclient appends newer leases at the end)."""
    latest: dict[str | None, ClientLease] = {}
    for lease in leases:
        latest[lease.interface] = lease
    return latest


# --- systemd-networkd / NetworkManager internal ---------------------------------------------


def parse_networkd_lease(text: str, *, interface: str | None = None) -> ClientLease:
    """Parse a systemd-networkd lease file, or a NetworkManager ``internal-*.lease`` file.

    The interface is not in the file (its name or index is in the file name): pass it in.
    Raises :class:`ParseError` when no ``KEY=value`` line is found.
    """
    check_text(text, "DHCP lease")
    values: dict[str, str] = {}
    for line in iter_lines(text):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        key, sep, value = stripped.partition("=")
        if sep and key.replace("_", "").isalnum() and key.isupper():
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            values[key] = value
    if not values:
        if is_blank(text):
            return ClientLease(source=LeaseSource.SYSTEMD, interface=interface)
        raise ParseError("DHCP lease: no KEY=value line could be read")
    known = {"ADDRESS", "NETMASK", "ROUTER", "DNS", "DOMAINNAME", "DOMAIN_SEARCH_LIST"}
    known |= {"SERVER_ADDRESS", "HOSTNAME", "LIFETIME"}
    return ClientLease(
        source=LeaseSource.SYSTEMD,
        interface=interface,
        address=parse_ip(values.get("ADDRESS")),
        subnet_mask=parse_ipv4(values.get("NETMASK")),
        routers=_addresses(values.get("ROUTER", "").split()),
        dns_servers=_addresses(values.get("DNS", "").split()),
        domain_name=text_or_none(values.get("DOMAINNAME")),
        search_domains=tuple(values.get("DOMAIN_SEARCH_LIST", "").split()),
        server=parse_ip(values.get("SERVER_ADDRESS")),
        hostname=text_or_none(values.get("HOSTNAME")),
        lease_time_s=parse_int(values.get("LIFETIME")),
        options=tuple((key, value) for key, value in values.items() if key not in known),
    )


parse_networkmanager_lease = parse_networkd_lease
"""NetworkManager's internal DHCP client writes its leases with systemd's code: same format."""


# --- dnsmasq.leases --------------------------------------------------------------------------


def _epoch(text: str) -> datetime | None:
    seconds = parse_int(text)
    if seconds is None or seconds <= 0:
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def parse_dnsmasq_leases(text: str) -> list[DnsmasqLease]:
    """Parse dnsmasq's lease file (IPv4 and IPv6 leases; the ``duid`` line is skipped).

    Unreadable lines are skipped; non-blank text without a single lease raises
    :class:`ParseError`.
    """
    check_text(text, "dnsmasq.leases")
    leases: list[DnsmasqLease] = []
    unread = 0
    for line in iter_lines(text):
        words = line.split()
        if not words or words[0] == "duid":
            continue
        if len(words) < 4 or parse_int(words[0]) is None:
            unread += 1
            continue
        ip = parse_ip(words[2])
        if ip is None:
            unread += 1
            continue
        hostname = text_or_none(words[3])
        client_id = text_or_none(words[4]) if len(words) > 4 else None
        if isinstance(ip, IPv6Address):
            leases.append(
                DnsmasqLease(
                    ip=ip,
                    expires=_epoch(words[0]),
                    hostname=hostname,
                    client_id=client_id,
                    iaid=parse_int(words[1]),
                )
            )
            continue
        mac = normalise_mac(words[1])
        if mac is None and "-" in words[1]:
            mac = normalise_mac(words[1].split("-", 1)[1])  # "6-aa:bb:..." non-Ethernet type
        leases.append(
            DnsmasqLease(ip=ip, expires=_epoch(words[0]), mac=mac, hostname=hostname, client_id=client_id)
        )
    if not leases and unread:
        raise ParseError("dnsmasq.leases: no lease could be read")
    return leases
