"""Parse NetworkManager ``nmcli device show`` output (padded or terse ``-t``), in any locale.

Sample::

    GENERAL.DEVICE:                         wlan0
    GENERAL.TYPE:                           wifi
    GENERAL.HWADDR:                         02:00:5E:00:53:01
    GENERAL.MTU:                            1500
    GENERAL.STATE:                          100 (verbunden)
    GENERAL.CONNECTION:                     Home
    IP4.ADDRESS[1]:                         192.0.2.10/24
    IP4.GATEWAY:                            192.0.2.1
    IP4.ROUTE[1]:                           dst = 0.0.0.0/0, nh = 192.0.2.1, mt = 600
    IP4.DNS[1]:                             192.0.2.1
    IP6.GATEWAY:                            --

Hand-written, not jc: jc's ``nmcli`` parser reads the real outputs, but one line without a colon
makes it raise ``AttributeError``/``ValueError`` and lose every device, it turns values with a dot
into floats (``IP4.DOMAIN[1]: 1.2``), and it leaves localised states with a space
(``20 (nicht verfügbar)``) unsplit. Field names are not translated; the state is read from its
number, so the locale does not matter. Terse output escapes colons in values (``fe80\\:\\:1``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from ipaddress import IPv4Address, IPv4Interface, IPv6Address, IPv6Interface

from homediag.net.errors import ParseError
from homediag.net.os._common import (
    IPAddress,
    IPNetwork,
    check_text,
    is_blank,
    iter_lines,
    normalise_mac,
    parse_int,
    parse_interface,
    parse_ip,
    parse_network,
    text_or_none,
)


class NmDeviceState(StrEnum):
    """NetworkManager device states (``NMDeviceState``), named by their English words."""

    UNKNOWN = "unknown"
    UNMANAGED = "unmanaged"
    UNAVAILABLE = "unavailable"
    """No carrier, radio off, or firmware missing."""
    DISCONNECTED = "disconnected"
    PREPARE = "prepare"
    CONFIG = "config"
    NEED_AUTH = "need-auth"
    """Waiting for a secret, such as a wrong or missing Wi-Fi password."""
    IP_CONFIG = "ip-config"
    """Waiting for an address (DHCP)."""
    IP_CHECK = "ip-check"
    SECONDARIES = "secondaries"
    CONNECTED = "connected"
    DEACTIVATING = "deactivating"
    FAILED = "failed"

    @classmethod
    def from_code(cls, code: int | None) -> NmDeviceState:
        """The state of an ``NMDeviceState`` number (``100`` -> connected)."""
        return _STATE_CODES.get(code if code is not None else -1, cls.UNKNOWN)


_STATE_CODES = {
    0: NmDeviceState.UNKNOWN,
    10: NmDeviceState.UNMANAGED,
    20: NmDeviceState.UNAVAILABLE,
    30: NmDeviceState.DISCONNECTED,
    40: NmDeviceState.PREPARE,
    50: NmDeviceState.CONFIG,
    60: NmDeviceState.NEED_AUTH,
    70: NmDeviceState.IP_CONFIG,
    80: NmDeviceState.IP_CHECK,
    90: NmDeviceState.SECONDARIES,
    100: NmDeviceState.CONNECTED,
    110: NmDeviceState.DEACTIVATING,
    120: NmDeviceState.FAILED,
}


@dataclass(frozen=True, slots=True)
class NmRoute:
    """One ``IP4.ROUTE[n]`` / ``IP6.ROUTE[n]`` value."""

    destination: IPNetwork
    next_hop: IPAddress | None
    """``None`` for on-link routes (``nh = 0.0.0.0`` or ``::``)."""
    metric: int | None = None
    table: int | None = None


@dataclass(frozen=True, slots=True)
class NmDevice:
    """One device block of ``nmcli device show``."""

    device: str
    type: str | None = None
    mac: str | None = None
    mtu: int | None = None
    state: NmDeviceState = NmDeviceState.UNKNOWN
    state_code: int | None = None
    state_text: str | None = None
    """The state words as printed, in the user's language."""
    connection: str | None = None
    ip4_addresses: tuple[IPv4Interface, ...] = ()
    ip4_gateway: IPv4Address | None = None
    ip4_routes: tuple[NmRoute, ...] = ()
    ip4_dns: tuple[IPAddress, ...] = ()
    ip4_domains: tuple[str, ...] = ()
    ip6_addresses: tuple[IPv6Interface, ...] = ()
    ip6_gateway: IPv6Address | None = None
    ip6_routes: tuple[NmRoute, ...] = ()
    ip6_dns: tuple[IPAddress, ...] = ()
    ip6_domains: tuple[str, ...] = ()
    extras: tuple[tuple[str, str], ...] = ()
    """Every other field, as (name, value): ``WIRED-PROPERTIES.CARRIER``, ``DHCP4.OPTION[3]``..."""

    @property
    def connected(self) -> bool:
        """Whether NetworkManager has the device fully up."""
        return self.state is NmDeviceState.CONNECTED


_KEY = re.compile(r"([A-Z0-9][A-Z0-9_\-]{0,40}(?:\.[A-Z0-9_\-]{1,60})+)(?:\[(\d{1,5})\])?")
_STATE = re.compile(r"(\d{1,4})(?:\s*\((.*)\))?")


def _unescape(value: str) -> str:
    return value.replace("\\:", ":").replace("\\\\", "\\")


def _route(value: str) -> NmRoute | None:
    parts: dict[str, str] = {}
    for item in value.split(","):
        key, sep, val = item.partition("=")
        if sep:
            parts[key.strip()] = val.strip()
    destination = parse_network(parts.get("dst"))
    if destination is None:
        return None
    hop = parse_ip(parts.get("nh"))
    return NmRoute(
        destination=destination,
        next_hop=None if hop is None or hop.is_unspecified else hop,
        metric=parse_int(parts.get("mt")),
        table=parse_int(parts.get("table")),
    )


class _Block:
    def __init__(self) -> None:
        self.fields: list[tuple[str, str, str]] = []  # (key without index, name as printed, value)

    def one(self, key: str) -> str | None:
        for name, _, value in self.fields:
            if name == key:
                return text_or_none(value)
        return None

    def all(self, key: str) -> list[str]:
        values = (text_or_none(value) for name, _, value in self.fields if name == key)
        return [value for value in values if value is not None]

    def device(self) -> NmDevice | None:
        name = self.one("GENERAL.DEVICE")
        if name is None:
            return None
        state_code = None
        state_text = None
        state = _STATE.fullmatch(self.one("GENERAL.STATE") or "")
        if state:
            state_code = parse_int(state.group(1))
            state_text = state.group(2)
        ip4 = [parse_interface(value) for value in self.all("IP4.ADDRESS")]
        ip6 = [parse_interface(value) for value in self.all("IP6.ADDRESS")]
        gateway4 = parse_ip(self.one("IP4.GATEWAY"))
        gateway6 = parse_ip(self.one("IP6.GATEWAY"))
        routes4 = [_route(value) for value in self.all("IP4.ROUTE")]
        routes6 = [_route(value) for value in self.all("IP6.ROUTE")]
        dns4 = [parse_ip(value) for value in self.all("IP4.DNS")]
        dns6 = [parse_ip(value) for value in self.all("IP6.DNS")]
        mac = normalise_mac(self.one("GENERAL.HWADDR"))
        return NmDevice(
            device=name,
            type=self.one("GENERAL.TYPE"),
            mac=None if mac == "00:00:00:00:00:00" else mac,
            mtu=parse_int(self.one("GENERAL.MTU")),
            state=NmDeviceState.from_code(state_code),
            state_code=state_code,
            state_text=state_text,
            connection=self.one("GENERAL.CONNECTION"),
            ip4_addresses=tuple(a for a in ip4 if isinstance(a, IPv4Interface)),
            ip4_gateway=gateway4 if isinstance(gateway4, IPv4Address) else None,
            ip4_routes=tuple(r for r in routes4 if r is not None),
            ip4_dns=tuple(a for a in dns4 if a is not None),
            ip4_domains=tuple(self.all("IP4.DOMAIN")),
            ip6_addresses=tuple(a for a in ip6 if isinstance(a, IPv6Interface)),
            ip6_gateway=gateway6 if isinstance(gateway6, IPv6Address) else None,
            ip6_routes=tuple(r for r in routes6 if r is not None),
            ip6_dns=tuple(a for a in dns6 if a is not None),
            ip6_domains=tuple(self.all("IP6.DOMAIN")),
            extras=tuple(
                (printed, value)
                for name, printed, value in self.fields
                if name not in _KNOWN and not name.startswith(("IP4.", "IP6."))
            ),
        )


_KNOWN = frozenset(
    {
        "GENERAL.DEVICE",
        "GENERAL.TYPE",
        "GENERAL.HWADDR",
        "GENERAL.MTU",
        "GENERAL.STATE",
        "GENERAL.CONNECTION",
    }
)


def parse_nmcli_dev_show(text: str) -> list[NmDevice]:
    """Parse ``nmcli device show`` or ``nmcli -t device show``.

    A block starts at ``GENERAL.DEVICE``. Lines that are not ``NAME[n]: value`` are skipped;
    non-blank text without a single device raises :class:`ParseError`.
    """
    check_text(text, "nmcli device show")
    blocks: list[_Block] = []
    for line in iter_lines(text):
        name, sep, value = line.partition(":")
        if not sep:
            continue
        match = _KEY.fullmatch(name.strip())
        if not match:
            continue
        key = match.group(1)
        if key == "GENERAL.DEVICE" or not blocks:
            blocks.append(_Block())
        blocks[-1].fields.append((key, match.group(0), _unescape(value).strip()))
    devices = [device for block in blocks if (device := block.device()) is not None]
    if not devices and not is_blank(text):
        raise ParseError("nmcli device show: no device could be read")
    return devices
