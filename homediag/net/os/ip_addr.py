"""Parse Linux ``ip -j addr`` (iproute2 JSON) output into interfaces and their addresses.

Sample (one line in reality, wrapped here)::

    [{"ifindex":2,"ifname":"eth0","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,
      "operstate":"UP","link_type":"ether","address":"02:00:5e:00:53:01",
      "addr_info":[{"family":"inet","local":"192.0.2.10","prefixlen":24,"scope":"global",
                    "dynamic":true,"label":"eth0","valid_life_time":86000,
                    "preferred_life_time":86000}]}]

Hand-written on :mod:`json`: jc has no parser for ``ip addr`` (its ``ip_address`` parser reads a
single address string), and the JSON needs none. Also reads ``ip -d -j addr`` (extra keys are
ignored). Truncated JSON keeps the interfaces that arrived whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from ipaddress import IPv4Interface, IPv6Interface
from typing import Any

from homediag.net.errors import ParseError
from homediag.net.os._common import (
    IPAddress,
    IPInterface,
    check_text,
    is_blank,
    load_json_array,
    normalise_mac,
    parse_interface,
    parse_ip,
)

FOREVER = 4294967295
"""The lifetime iproute2 prints for addresses that never expire."""


class OperState(StrEnum):
    """RFC 2863 operational state of a link, as the kernel reports it."""

    UP = "up"
    DOWN = "down"
    UNKNOWN = "unknown"
    """Usual for loopback and tunnels, which have no carrier notion."""
    DORMANT = "dormant"
    """Up but waiting (for example Wi-Fi not yet authenticated)."""
    LOWER_LAYER_DOWN = "lowerlayerdown"
    NOT_PRESENT = "notpresent"
    TESTING = "testing"


@dataclass(frozen=True, slots=True)
class InterfaceAddress:
    """One address of an interface, with its prefix."""

    interface: IPInterface
    scope: str | None = None
    label: str | None = None
    broadcast: IPAddress | None = None
    peer: IPAddress | None = None
    dynamic: bool = False
    """Configured by DHCP or SLAAC (it has a lifetime)."""
    temporary: bool = False
    """An IPv6 privacy address."""
    deprecated: bool = False
    tentative: bool = False
    """IPv6 duplicate address detection still running."""
    dad_failed: bool = False
    """IPv6 duplicate address detection found another host with this address."""
    valid_lifetime_s: int | None = None
    """Seconds left; ``None`` means forever."""
    preferred_lifetime_s: int | None = None

    @property
    def address(self) -> IPAddress:
        """The address without its prefix."""
        return self.interface.ip


@dataclass(frozen=True, slots=True)
class Interface:
    """One network interface of ``ip addr``."""

    index: int
    name: str
    flags: frozenset[str] = frozenset()
    mtu: int | None = None
    operstate: OperState = OperState.UNKNOWN
    link_type: str | None = None
    mac: str | None = None
    """The link-layer address when it is a MAC (``None`` for tunnels and loopback)."""
    kind: str | None = None
    """``linkinfo.info_kind`` of ``ip -d``: ``wireguard``, ``bridge``, ``vlan``, ``tun``..."""
    master: str | None = None
    addresses: tuple[InterfaceAddress, ...] = ()

    @property
    def is_up(self) -> bool:
        """Administratively up (the ``UP`` flag)."""
        return "UP" in self.flags

    @property
    def has_carrier(self) -> bool:
        """The driver reports a link (the ``LOWER_UP`` flag)."""
        return "LOWER_UP" in self.flags

    @property
    def is_loopback(self) -> bool:
        """The loopback interface."""
        return "LOOPBACK" in self.flags or self.link_type == "loopback"

    @property
    def ipv4(self) -> tuple[IPv4Interface, ...]:
        """The IPv4 addresses with their prefixes."""
        return tuple(a.interface for a in self.addresses if isinstance(a.interface, IPv4Interface))

    @property
    def ipv6(self) -> tuple[IPv6Interface, ...]:
        """The IPv6 addresses with their prefixes."""
        return tuple(a.interface for a in self.addresses if isinstance(a.interface, IPv6Interface))


_OPERSTATES = {member.value: member for member in OperState}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _int(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def _lifetime(value: object) -> int | None:
    seconds = _int(value)
    if seconds is None or seconds >= FOREVER:
        return None
    return seconds


def _address(entry: dict[str, Any]) -> InterfaceAddress | None:
    local = _text(entry.get("local"))
    prefix = _int(entry.get("prefixlen"))
    if local is None:
        return None
    interface = parse_interface(f"{local}/{prefix}" if prefix is not None else local)
    if interface is None:
        return None
    return InterfaceAddress(
        interface=interface,
        scope=_text(entry.get("scope")),
        label=_text(entry.get("label")),
        broadcast=parse_ip(_text(entry.get("broadcast"))),
        peer=parse_ip(_text(entry.get("address"))),
        dynamic=entry.get("dynamic") is True,
        temporary=entry.get("temporary") is True,
        deprecated=entry.get("deprecated") is True,
        tentative=entry.get("tentative") is True,
        dad_failed=entry.get("dadfailed") is True,
        valid_lifetime_s=_lifetime(entry.get("valid_life_time")),
        preferred_lifetime_s=_lifetime(entry.get("preferred_life_time")),
    )


def _interface(entry: dict[str, Any]) -> Interface | None:
    index = _int(entry.get("ifindex"))
    name = _text(entry.get("ifname"))
    if index is None or name is None:
        return None
    flags = entry.get("flags")
    addresses: list[InterfaceAddress] = []
    raw_addresses = entry.get("addr_info")
    if isinstance(raw_addresses, list):
        for raw in raw_addresses:
            if isinstance(raw, dict):
                address = _address(raw)
                if address is not None:
                    addresses.append(address)
    linkinfo = entry.get("linkinfo")
    kind = _text(linkinfo.get("info_kind")) if isinstance(linkinfo, dict) else None
    mac = normalise_mac(_text(entry.get("address")))
    if mac == "00:00:00:00:00:00":
        mac = None
    operstate = (_text(entry.get("operstate")) or "unknown").lower()
    return Interface(
        index=index,
        name=name,
        flags=frozenset(f for f in flags if isinstance(f, str)) if isinstance(flags, list) else frozenset(),
        mtu=_int(entry.get("mtu")),
        operstate=_OPERSTATES.get(operstate, OperState.UNKNOWN),
        link_type=_text(entry.get("link_type")),
        mac=mac,
        kind=kind,
        master=_text(entry.get("master")),
        addresses=tuple(addresses),
    )


def parse_ip_addr_json(text: str) -> list[Interface]:
    """Parse ``ip -j addr`` output. Entries that cannot be read are skipped.

    Raises :class:`ParseError` when the text is no JSON array or none of its entries is an
    interface.
    """
    check_text(text, "ip -j addr")
    if is_blank(text):
        return []
    entries = load_json_array(text, "ip -j addr")
    interfaces: list[Interface] = []
    for entry in entries:
        if isinstance(entry, dict):
            interface = _interface(entry)
            if interface is not None:
                interfaces.append(interface)
    if entries and not interfaces:
        raise ParseError("ip -j addr: no entry could be read")
    return interfaces


parse_ip_addr = parse_ip_addr_json
"""``ip addr`` is read in its JSON form only; this name is the one probes look for."""
