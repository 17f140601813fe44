"""Parse Windows ``ipconfig /all`` output in English, German, French (and by structure, others).

Sample (German)::

    Windows-IP-Konfiguration

       Hostname  . . . . . . . . . . . . : laptop
       Knotentyp . . . . . . . . . . . . : Hybrid

    Drahtlos-LAN-Adapter WLAN:

       Verbindungsspezifisches DNS-Suffix: example.test
       Physische Adresse . . . . . . . . : 02-00-5E-00-53-01
       DHCP aktiviert. . . . . . . . . . : Ja
       IPv4-Adresse  . . . . . . . . . . : 192.0.2.10(Bevorzugt)
       Subnetzmaske  . . . . . . . . . . : 255.255.255.0
       Standardgateway . . . . . . . . . : fe80::1%5
                                           192.0.2.1
       DNS-Server  . . . . . . . . . . . : 192.0.2.1

Hand-written, not jc: jc's ``ipconfig`` parser reads none of the German labels (every field lands
in ``extras`` and multi-line DNS servers are split at their colons) and takes the ``%11`` zone of
a link-local address for a prefix length. Structure first: an unindented line ending in a colon
opens an adapter, ``label . . . : value`` is a field (the first colon followed by a space or the
end of the line; French puts a no-break space before it), a line without one continues the field
above. Label meanings, yes/no words, node types and address states come from
:mod:`~homediag.net.os._windows_labels`; a field with an unknown label is read by the
shape of its value where that is unambiguous (``address(status)``, ``255.x.x.x``, a MAC), and
kept in ``extras`` otherwise. A
``Media State`` line means disconnected whatever its words, since Windows prints it only then.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from ipaddress import IPv4Address, IPv4Interface, IPv6Address

from homediag.net.errors import ParseError
from homediag.net.os._common import (
    IPAddress,
    check_text,
    interface_from_mask,
    iter_lines,
    normalise_mac,
    parse_int,
    parse_ip,
    parse_ipv4,
)
from homediag.net.os._windows_labels import (
    ADDRESS_STATUS,
    AFTERNOON,
    IPCONFIG_ADAPTER_KINDS,
    IPCONFIG_LABELS,
    IPCONFIG_TITLES,
    MONTHS,
    MORNING,
    NODE_TYPES,
    YES_NO,
    label_key,
)


class AdapterKind(StrEnum):
    """The adapter type word of the header (``Wireless LAN adapter Wi-Fi:``)."""

    ETHERNET = "ethernet"
    WIRELESS = "wireless"
    TUNNEL = "tunnel"
    PPP = "ppp"
    UNKNOWN = "unknown"


class MediaState(StrEnum):
    """Whether the adapter has a link (Windows prints ``Media State`` only when it has none)."""

    CONNECTED = "connected"
    DISCONNECTED = "disconnected"


class NodeType(StrEnum):
    """NetBIOS node type."""

    HYBRID = "hybrid"
    MIXED = "mixed"
    BROADCAST = "broadcast"
    PEER_TO_PEER = "peer_to_peer"
    UNKNOWN = "unknown"


class AddressStatus(StrEnum):
    """The word in parentheses after an address."""

    PREFERRED = "preferred"
    DEPRECATED = "deprecated"
    DUPLICATE = "duplicate"
    """Another device answers for this address: an address conflict."""
    TENTATIVE = "tentative"
    INVALID = "invalid"
    OTHER = "other"
    """A word in no table (another language)."""


@dataclass(frozen=True, slots=True)
class IPv4Entry:
    """An IPv4 address of an adapter with its mask."""

    interface: IPv4Interface
    status: AddressStatus | None = None
    """``None`` when Windows prints none (Windows XP)."""
    autoconfigured: bool = False
    """APIPA (169.254.0.0/16): DHCP gave no address."""

    @property
    def address(self) -> IPv4Address:
        """The address without its prefix."""
        return self.interface.ip


@dataclass(frozen=True, slots=True)
class IPv6Entry:
    """An IPv6 address of an adapter (link-local ones keep their ``%zone``)."""

    address: IPv6Address
    status: AddressStatus | None = None
    temporary: bool = False
    """A privacy (temporary) address."""

    @property
    def link_local(self) -> bool:
        """Whether the address is link-local (fe80::/10)."""
        return self.address.is_link_local


@dataclass(frozen=True, slots=True)
class Adapter:
    """One adapter section of ``ipconfig /all``."""

    name: str
    kind: AdapterKind = AdapterKind.UNKNOWN
    kind_label: str | None = None
    """The header's type words as printed (``Drahtlos-LAN-Adapter``)."""
    media_state: MediaState = MediaState.CONNECTED
    description: str | None = None
    mac: str | None = None
    """Physical address; 8-byte tunnel addresses are kept too (``00:00:00:00:00:00:00:e0``)."""
    dhcp_enabled: bool | None = None
    autoconfiguration_enabled: bool | None = None
    ipv4: tuple[IPv4Entry, ...] = ()
    ipv6: tuple[IPv6Entry, ...] = ()
    default_gateways: tuple[IPAddress, ...] = ()
    dhcp_server: IPAddress | None = None
    dns_servers: tuple[IPAddress, ...] = ()
    primary_wins_server: IPAddress | None = None
    secondary_wins_server: IPAddress | None = None
    connection_dns_suffix: str | None = None
    connection_dns_suffix_search_list: tuple[str, ...] = ()
    lease_obtained: datetime | None = None
    """Local time of the Windows machine (naive); ``None`` when the date could not be read."""
    lease_expires: datetime | None = None
    lease_obtained_text: str | None = None
    """The lease date as printed, in the user's language."""
    lease_expires_text: str | None = None
    netbios_over_tcpip: bool | None = None
    dhcpv6_iaid: int | None = None
    dhcpv6_client_duid: str | None = None
    extras: tuple[tuple[str, str], ...] = ()
    """Fields whose label is in no table, as (label, value) pairs."""

    @property
    def apipa(self) -> bool:
        """Whether the adapter has only a self-assigned 169.254.x.x IPv4 address."""
        return bool(self.ipv4) and all(entry.address.is_link_local for entry in self.ipv4)

    @property
    def duplicate_address(self) -> bool:
        """Whether Windows marks one of the adapter's addresses as a duplicate (conflict)."""
        entries: tuple[IPv4Entry | IPv6Entry, ...] = (*self.ipv4, *self.ipv6)
        return any(entry.status is AddressStatus.DUPLICATE for entry in entries)


@dataclass(frozen=True, slots=True)
class IpconfigAll:
    """The whole ``ipconfig /all`` output."""

    hostname: str | None = None
    primary_dns_suffix: str | None = None
    node_type: NodeType | None = None
    ip_routing_enabled: bool | None = None
    wins_proxy_enabled: bool | None = None
    dns_suffix_search_list: tuple[str, ...] = ()
    adapters: tuple[Adapter, ...] = ()


_KINDS = {
    "ethernet": AdapterKind.ETHERNET,
    "wireless": AdapterKind.WIRELESS,
    "tunnel": AdapterKind.TUNNEL,
    "ppp": AdapterKind.PPP,
    "unknown": AdapterKind.UNKNOWN,
}
_NODE_TYPES = {member.value: member for member in NodeType}
_STATUSES = {member.value: member for member in AddressStatus}
_WITH_STATUS = re.compile(r"(\S+?)\s*\(([^()]{1,40})\)$")
_SPACES = " \t\u00a0\u202f\u2007"
_LEADER = _SPACES + "."


def _split_field(stripped: str) -> tuple[str, str] | None:
    """``label . . . : value`` -> (label, value); ``None`` when the line has no label separator.

    The separator is the first colon, and only when a space or the end of the line follows it: a
    colon glued to more text (``fec0:0:0:ffff::1%1``) makes the line a continuation value.
    """
    index = stripped.find(":")
    if index <= 0:
        return None
    if index + 1 < len(stripped) and stripped[index + 1] not in _SPACES:
        return None
    label = stripped[:index].rstrip(_LEADER)  # str.rstrip: linear, unlike a regex ending in +$
    if not label:
        return None
    return label, stripped[index + 1 :].strip(_SPACES)


def _status(word: str | None) -> AddressStatus | None:
    if word is None:
        return None
    meaning = ADDRESS_STATUS.get(label_key(word))
    return _STATUSES[meaning] if meaning else AddressStatus.OTHER


def _address_and_status(value: str) -> tuple[IPAddress | None, AddressStatus | None]:
    match = _WITH_STATUS.match(value)
    if match:
        return parse_ip(match.group(1)), _status(match.group(2))
    return parse_ip(value), None


def _bool(value: str) -> bool | None:
    meaning = YES_NO.get(label_key(value))
    return None if meaning is None else meaning == "yes"


def parse_lease_date(text: str | None) -> datetime | None:
    """Read a lease date as ipconfig prints it in English, German or French; else ``None``.

    ``Thursday, September 19, 2024 8:31:30 AM``, ``Mittwoch, 27. November 2024 19:59:32`` and
    ``mercredi 2 octobre 2024 08:57:16`` all work: the month name says which number is the day.
    """
    if not text or len(text) > 120:
        return None
    month = None
    numbers: list[int] = []
    clock: list[int] = []
    half: str | None = None
    # Words are runs of anything but spaces, digits and punctuation, so that a month name mangled
    # by a wrong code page ("M„rz") stays one word.
    for token in re.findall(r"[0-9]{1,4}(?::[0-9]{1,2}){1,2}|[0-9]{1,4}|[^\s0-9.,:;/]+", text):
        if ":" in token:
            clock = [int(part) for part in token.split(":")]
        elif token.isascii() and token.isdigit():
            numbers.append(int(token))
        elif token.casefold() in AFTERNOON or token.casefold() in MORNING:
            half = "pm" if token.casefold() in AFTERNOON else "am"
        elif month is None and label_key(token) in MONTHS:
            month = MONTHS[label_key(token)]
    years = [n for n in numbers if n >= 1000]
    days = [n for n in numbers if 1 <= n <= 31]
    if month is None or len(years) != 1 or len(days) != 1 or len(clock) < 2:
        return None
    hour, minute = clock[0], clock[1]
    second = clock[2] if len(clock) > 2 else 0
    if half == "pm" and hour < 12:
        hour += 12
    elif half == "am" and hour == 12:
        hour = 0
    try:
        return datetime(years[0], month, days[0], hour, minute, second)
    except ValueError:
        return None


def _header(stripped: str) -> tuple[str, AdapterKind, str | None]:
    title = stripped.rstrip(_SPACES + ":").rstrip(_SPACES)
    for prefix, kind in IPCONFIG_ADAPTER_KINDS:
        if title.casefold().startswith(prefix.casefold() + " "):
            return title[len(prefix) :].strip(_SPACES), _KINDS[kind], title[: len(prefix)]
    return title, AdapterKind.UNKNOWN, None


class _Section:
    """The fields of one section, in order, while it is being read."""

    def __init__(self, header: str | None) -> None:
        self.header = header
        self.fields: list[tuple[str, list[str]]] = []  # (meaning or "?label", values)

    def add(self, meaning: str, value: str) -> None:
        self.fields.append((meaning, [value] if value else []))

    def extend_last(self, value: str) -> bool:
        if not self.fields:
            return False
        self.fields[-1][1].append(value)
        return True

    def first(self, meaning: str) -> str | None:
        for name, values in self.fields:
            if name == meaning and values:
                return values[0]
        return None

    def all(self, meaning: str) -> list[str]:
        return [value for name, values in self.fields if name == meaning for value in values]

    def has(self, meaning: str) -> bool:
        return any(name == meaning for name, _ in self.fields)


def _addresses(values: list[str]) -> tuple[IPAddress, ...]:
    found = (_address_and_status(value)[0] for value in values)
    return tuple(address for address in found if address is not None)


def _ip_entries(section: _Section) -> tuple[tuple[IPv4Entry, ...], tuple[IPv6Entry, ...]]:
    ipv4: list[IPv4Entry] = []
    ipv6: list[IPv6Entry] = []
    pending: tuple[IPv4Address, AddressStatus | None, bool] | None = None

    def flush(mask: IPv4Address | None) -> None:
        nonlocal pending
        if pending is not None:
            address, status, auto = pending
            interface = interface_from_mask(address, mask)
            ipv4.append(IPv4Entry(interface=interface, status=status, autoconfigured=auto))
        pending = None

    for meaning, values in section.fields:
        if not values:
            continue
        if meaning in ("ipv4_address", "autoconfiguration_ipv4_address"):
            flush(None)
            address, status = _address_and_status(values[0])
            if isinstance(address, IPv4Address):
                auto = meaning == "autoconfiguration_ipv4_address" or address.is_link_local
                pending = (address, status, auto)
        elif meaning == "subnet_mask":
            flush(parse_ipv4(values[0]))
        elif meaning in ("ipv6_address", "temporary_ipv6_address", "link_local_ipv6_address"):
            address, status = _address_and_status(values[0])
            if isinstance(address, IPv6Address):
                temporary = meaning == "temporary_ipv6_address"
                ipv6.append(IPv6Entry(address=address, status=status, temporary=temporary))
    flush(None)
    return tuple(ipv4), tuple(ipv6)


def _adapter(section: _Section) -> Adapter:
    name, kind, kind_label = _header(section.header or "")
    ipv4, ipv6 = _ip_entries(section)
    obtained = section.first("lease_obtained")
    expires = section.first("lease_expires")
    dhcp_server = section.first("dhcp_server")
    primary_wins = section.first("primary_wins_server")
    secondary_wins = section.first("secondary_wins_server")
    iaid = section.first("dhcpv6_iaid")
    return Adapter(
        name=name,
        kind=kind,
        kind_label=kind_label,
        media_state=(MediaState.DISCONNECTED if section.has("media_state") else MediaState.CONNECTED),
        description=section.first("description"),
        mac=normalise_mac(section.first("physical_address"), octets=(6, 8)),
        dhcp_enabled=_bool(section.first("dhcp_enabled") or ""),
        autoconfiguration_enabled=_bool(section.first("autoconfiguration_enabled") or ""),
        ipv4=ipv4,
        ipv6=ipv6,
        default_gateways=_addresses(section.all("default_gateway")),
        dhcp_server=parse_ip(dhcp_server) if dhcp_server else None,
        dns_servers=_addresses(section.all("dns_servers")),
        primary_wins_server=parse_ip(primary_wins) if primary_wins else None,
        secondary_wins_server=parse_ip(secondary_wins) if secondary_wins else None,
        connection_dns_suffix=section.first("connection_dns_suffix"),
        connection_dns_suffix_search_list=tuple(section.all("connection_dns_suffix_search_list")),
        lease_obtained=parse_lease_date(obtained),
        lease_expires=parse_lease_date(expires),
        lease_obtained_text=obtained,
        lease_expires_text=expires,
        netbios_over_tcpip=_bool(section.first("netbios_over_tcpip") or ""),
        dhcpv6_iaid=parse_int(iaid),
        dhcpv6_client_duid=section.first("dhcpv6_client_duid"),
        extras=tuple((name[1:], " ".join(values)) for name, values in section.fields if name[:1] == "?"),
    )


def _meaning_by_shape(value: str) -> str | None:
    """The meaning of a field whose label is in no table, where its value's shape tells.

    Lets a language without a table still give the essentials: ``address(status)`` is an
    address, ``255.x.x.x`` a subnet mask, ``AA-BB-CC-DD-EE-FF`` the physical address. Bare
    addresses (gateway? DNS server? DHCP server?) stay unknown.
    """
    match = _WITH_STATUS.match(value)
    if match:
        address = parse_ip(match.group(1))
        if isinstance(address, IPv4Address):
            return "ipv4_address"
        if isinstance(address, IPv6Address):
            return "link_local_ipv6_address" if address.is_link_local else "ipv6_address"
    if value.startswith("255.") and parse_ipv4(value) is not None:
        return "subnet_mask"
    if "-" in value and normalise_mac(value) is not None:
        return "physical_address"
    return None


def _node_type(value: str | None) -> NodeType | None:
    if value is None:
        return None
    meaning = NODE_TYPES.get(label_key(value))
    return _NODE_TYPES[meaning] if meaning else NodeType.UNKNOWN


def parse_ipconfig(text: str) -> IpconfigAll:
    """Parse ``ipconfig /all`` output (also plain ``ipconfig``, which has fewer fields).

    Lines that fit no field are skipped; text with no field and no adapter raises
    :class:`ParseError`.
    """
    check_text(text, "ipconfig")
    head = _Section(None)
    sections: list[_Section] = []
    current = head
    read = 0
    unread = 0
    for line in iter_lines(text):
        stripped = line.strip(_SPACES)
        if not stripped:
            continue
        indent = len(line) - len(line.lstrip(_SPACES))
        field = _split_field(stripped)
        key = label_key(field[0]) if field else ""
        if field is not None and not field[1] and key not in IPCONFIG_LABELS and indent == 0:
            current = _Section(stripped)
            sections.append(current)
            read += 1
            continue
        if field is None:
            title = indent == 0 and label_key(stripped) in IPCONFIG_TITLES
            if title or (indent > 0 and current.extend_last(stripped)):
                read += 1
            else:
                unread += 1
            continue
        label, value = field
        meaning = IPCONFIG_LABELS.get(key) or _meaning_by_shape(value)
        current.add(meaning if meaning else "?" + label, value)
        read += 1
    if not read and unread:
        raise ParseError("ipconfig: no line could be read")
    node = head.first("node_type")
    return IpconfigAll(
        hostname=head.first("hostname"),
        primary_dns_suffix=head.first("primary_dns_suffix"),
        node_type=_node_type(node),
        ip_routing_enabled=_bool(head.first("ip_routing_enabled") or ""),
        wins_proxy_enabled=_bool(head.first("wins_proxy_enabled") or ""),
        dns_suffix_search_list=tuple(head.all("dns_suffix_search_list")),
        adapters=tuple(_adapter(section) for section in sections),
    )


__all__ = [
    "Adapter",
    "AdapterKind",
    "AddressStatus",
    "IPv4Entry",
    "IPv6Entry",
    "IpconfigAll",
    "MediaState",
    "NodeType",
    "parse_ipconfig",
    "parse_lease_date",
]
