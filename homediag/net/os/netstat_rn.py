"""Parse ``netstat -rn`` output of macOS and FreeBSD (the BSD routing table).

Sample (macOS)::

    Routing tables

    Internet:
    Destination        Gateway            Flags           Netif Expire
    default            192.0.2.1          UGScg             en0
    127                127.0.0.1          UCS               lo0
    192.0.2            link#6             UCS               en0      !
    192.0.2.1          2:0:5e:0:53:1      UHLWIir           en0   1177

    Internet6:
    Destination                 Gateway                     Flags         Netif Expire
    default                     fe80::%utun0                UGcIg         utun0
    fe80::%en0/64               link#6                      UCI             en0

Uses jc's ``netstat`` parser, which reads the real macOS output correctly, once per section:
fed the whole text, jc drops the ``Internet:`` / ``Internet6:`` headings, so ``default`` and
``link#6`` rows lose their address family. This module splits the sections, hands each to jc,
and turns the rows into :class:`BsdRoute` values: BSD shorthand destinations (``127``,
``192.0.2``, ``10.0.2/24``, ``fe80::%en0/64``) become networks; MAC gateways of cloned host
routes become normalised MACs. A gateway that is an interface name (``utun3``: a VPN's route, often
its half-default ``0/1`` and ``128.0/1`` pair) is kept as ``gateway_interface``:
:func:`full_tunnel_routes` finds the routes that send all traffic into a tunnel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network
from typing import Any

import jc

from homediag.net.errors import ParseError
from homediag.net.os._common import (
    IPAddress,
    IPNetwork,
    check_text,
    is_blank,
    iter_lines,
    normalise_mac,
    parse_int,
    parse_ip,
    parse_network,
)


@dataclass(frozen=True, slots=True)
class BsdRoute:
    """One row of the BSD routing table."""

    destination: IPNetwork
    destination_text: str
    """The destination as printed (``192.0.2``, ``fe80::%en0/64``)."""
    gateway: IPAddress | None = None
    gateway_link: str | None = None
    """``link#6``: the destination is on the link of interface index 6."""
    gateway_mac: str | None = None
    """Cloned host routes (ARP / NDP entries) name the neighbour's MAC as their gateway."""
    gateway_interface: str | None = None
    """A gateway written as an interface name (``utun3``): point-to-point links such as VPN tunnels."""
    flags: str = ""
    interface: str | None = None
    expire_s: int | None = None
    refs: int | None = None
    use: int | None = None

    @property
    def is_default(self) -> bool:
        """Whether this is a default route."""
        return self.destination.prefixlen == 0

    @property
    def family(self) -> int:
        """4 or 6."""
        return self.destination.version

    @property
    def via_gateway(self) -> bool:
        """The ``G`` flag: traffic goes through a router."""
        return "G" in self.flags


def default_routes(routes: list[BsdRoute], family: int = 4) -> list[BsdRoute]:
    """Default routes of ``family`` that go through a gateway address, in table order.

    BSD has no route metrics; with several defaults (a VPN's ``utun`` and the LAN's ``en0``), the
    interface-scoped ones carry the ``I`` flag and the unscoped first one is what the system uses.
    """
    found = [r for r in routes if r.is_default and r.family == family and r.gateway is not None]
    return sorted(found, key=lambda route: "I" in route.flags)


TUNNEL_PREFIXES = ("utun", "tun", "tap", "ppp", "ipsec", "wg", "gpd", "zt", "tailscale", "nordlynx")
"""Interface names of VPN and tunnel drivers (macOS utun, OpenVPN tun/tap, PPP, IPsec, WireGuard,
GlobalProtect, ZeroTier, Tailscale, NordLynx)."""


def is_tunnel_interface(name: str | None) -> bool:
    """Whether ``name`` is the interface of a VPN or tunnel driver."""
    return bool(name) and str(name).lower().startswith(TUNNEL_PREFIXES)


def full_tunnel_routes(routes: list[BsdRoute], family: int = 4) -> list[BsdRoute]:
    """Unscoped routes that send all traffic of ``family`` into a tunnel interface.

    A VPN takes the default route, or (OpenVPN's ``redirect-gateway def1``, WireGuard's
    ``AllowedIPs = 0.0.0.0/0`` on macOS) the two halves ``0/1`` and ``128.0/1``, which win over the
    LAN's default by being more specific. Interface-scoped rows (flag ``I``) do not carry general traffic.
    """
    found: list[BsdRoute] = []
    for route in routes:
        if route.family != family or route.destination.prefixlen > 1 or "I" in route.flags:
            continue
        if is_tunnel_interface(route.interface) or is_tunnel_interface(route.gateway_interface):
            found.append(route)
    return found


def bsd_destination(text: str, family: int) -> IPNetwork | None:
    """A BSD shorthand destination as a network.

    ``default`` -> ``0.0.0.0/0`` (or ``::/0``); ``127`` -> ``127.0.0.0/8``; ``192.0.2`` ->
    ``192.0.2.0/24``; ``10.0.2/23`` -> ``10.0.2.0/23``; ``192.0.2.7`` -> a host route;
    ``fe80::%en0/64`` -> ``fe80::/64`` (the zone is the interface, kept in the row).
    """
    if text == "default":
        return IPv6Network("::/0") if family == 6 else IPv4Network("0.0.0.0/0")
    address, _, prefix = text.partition("/")
    if "%" in address:
        address = address.split("%", 1)[0]
    if family == 6 or ":" in address:
        return parse_network(f"{address}/{prefix}" if prefix else address)
    octets = address.split(".")
    if not 1 <= len(octets) <= 4 or not all(o.isdigit() and len(o) <= 3 for o in octets):
        return None
    padded = ".".join(octets + ["0"] * (4 - len(octets)))
    length = prefix if prefix else str(8 * len(octets))
    return parse_network(f"{padded}/{length}")


def _row(entry: dict[str, Any], family: int | None) -> BsdRoute | None:
    destination_text = entry.get("destination")
    gateway_text = entry.get("gateway")
    if not isinstance(destination_text, str) or not isinstance(gateway_text, str):
        return None
    row_family = family or (6 if ":" in destination_text or ":" in gateway_text else 4)
    if family is None and destination_text != "default" and "." in destination_text:
        row_family = 4
    destination = bsd_destination(destination_text, row_family)
    if destination is None:
        return None
    gateway = parse_ip(gateway_text)
    link = gateway_text if gateway_text.startswith("link#") else None
    mac = normalise_mac(gateway_text) if gateway is None and link is None else None
    via_interface = (
        gateway_text
        if gateway is None and link is None and mac is None and _IFNAME_RE.match(gateway_text)
        else None
    )
    if gateway is None and link is None and mac is None and via_interface is None:
        return None
    flags = entry.get("route_flags")
    iface = entry.get("iface")
    expire = entry.get("expire")
    return BsdRoute(
        destination=destination,
        destination_text=destination_text,
        gateway=gateway,
        gateway_link=link,
        gateway_mac=mac,
        gateway_interface=via_interface,
        flags=flags if isinstance(flags, str) else "",
        interface=iface if isinstance(iface, str) and iface else None,
        expire_s=parse_int(expire) if isinstance(expire, str) else None,
        refs=_number(entry.get("route_refs")),
        use=_number(entry.get("use")),
    )


_IFNAME_RE = re.compile(r"^[a-z][a-z0-9]{0,14}\d$")


def _number(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        return parse_int(value)
    return None


def _jc_rows(lines: list[str]) -> list[dict[str, Any]]:
    """jc's netstat parser on one section; nothing when jc cannot read it."""
    text = "\n".join(["Routing tables", *lines])
    try:
        rows = jc.parse("netstat", text, quiet=True)
    except Exception:  # noqa: BLE001 -- third-party parser on hostile text: any failure = unread
        return []
    if not isinstance(rows, list):
        return []
    return [row for row in rows if isinstance(row, dict) and row.get("kind") == "route"]


def parse_netstat_rn(text: str) -> list[BsdRoute]:
    """Parse ``netstat -rn`` (also ``-rnf inet`` / ``inet6``) of macOS or FreeBSD.

    Rows that cannot be read are skipped; non-blank text with no readable row raises
    :class:`ParseError`.
    """
    check_text(text, "netstat -rn")
    if is_blank(text):
        return []
    sections: list[tuple[int | None, list[str]]] = [(None, [])]
    for line in iter_lines(text):
        stripped = line.strip()
        if not stripped or stripped.startswith("Routing tables"):
            continue
        if stripped in ("Internet:", "Internet6:"):
            sections.append((6 if stripped == "Internet6:" else 4, []))
        elif stripped.endswith(":") and " " not in stripped:
            sections.append((-1, []))  # another family (AppleTalk...): skipped
        else:
            sections[-1][1].append(line.rstrip())
    routes: list[BsdRoute] = []
    for family, lines in sections:
        if family == -1 or not lines:
            continue
        for entry in _jc_rows(lines):
            route = _row(entry, family)
            if route is not None:
                routes.append(route)
    if not routes:
        raise ParseError("netstat -rn: no route could be read")
    return routes
