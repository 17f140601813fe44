"""Address classes and the scan-safety check: pure functions over ``ipaddress`` objects.

Two questions about addresses come up all over homediag, and each has one answer here:

- **What kind of address is this?** (:func:`classify_address`) — for NAT classification: is the router's
  WAN address public, private (RFC 1918: a second router does NAT), carrier-grade NAT (100.64.0.0/10),
  link-local, or no address at all? The documentation ranges (192.0.2.0/24, 198.51.100.0/24,
  203.0.113.0/24, 2001:db8::/32) count as **public** here, although Python's ``ipaddress`` calls them
  private: labs use them for their internet (docs/architecture.md#safety-of-scanning).
- **May this subnet be scanned?** (:func:`check_scan_target`) — only private subnets (RFC 1918), with the
  documentation ranges allowed as test ranges; at most a /22 unless the user allows larger ones, never
  larger than a /16; public ranges, carrier-grade NAT space, loopback, link-local and IPv6 are refused.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING

from homediag.core.errors import NotApplicable, ScanRefused
from homediag.core.i18n import _

if TYPE_CHECKING:
    from homediag.core.probe import ProbeContext

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
"""Shared address space for carrier-grade NAT (RFC 6598)."""
RFC1918 = (
    ipaddress.IPv4Network("10.0.0.0/8"),
    ipaddress.IPv4Network("172.16.0.0/12"),
    ipaddress.IPv4Network("192.168.0.0/16"),
)
DOCUMENTATION_V4 = (
    ipaddress.IPv4Network("192.0.2.0/24"),
    ipaddress.IPv4Network("198.51.100.0/24"),
    ipaddress.IPv4Network("203.0.113.0/24"),
)
"""TEST-NET-1/2/3 (RFC 5737): public for NAT classification, allowed as scan test ranges."""
DOCUMENTATION_V6 = ipaddress.IPv6Network("2001:db8::/32")
UNIQUE_LOCAL_V6 = ipaddress.IPv6Network("fc00::/7")

ABSOLUTE_MAX_PREFIX = 16
"""No subnet larger than a /16 is ever scanned, even with ``--allow-large-subnet``."""


class AddressClass(StrEnum):
    """What kind of address an address is, for NAT classification (a fact of the world, not a verdict)."""

    PUBLIC = "public"
    """Globally routable (documentation ranges included: labs use them as their internet)."""
    PRIVATE = "private"
    """RFC 1918 (IPv4) or unique local (IPv6): behind another NAT router when it is a WAN address."""
    CGNAT = "cgnat"
    """100.64.0.0/10, the provider's carrier-grade NAT."""
    LINK_LOCAL = "link-local"
    """169.254.0.0/16 or fe80::/10: no address was assigned."""
    LOOPBACK = "loopback"
    RESERVED = "reserved"
    """Multicast, 0.0.0.0/8, 240.0.0.0/4, benchmarking and protocol ranges: not a usable unicast address."""
    NONE = "none"
    """No address: empty, or the unspecified address 0.0.0.0 / ::."""


def parse_address(text: str | None) -> IPAddress | None:
    """An IPv4 or IPv6 address from text (surrounding white space and an IPv6 zone are ignored).

    Returns None for an empty value; raises ``ValueError`` for text that is not an address. Only the
    canonical dotted-quad form of IPv4 is accepted (``127.1`` and ``2130706433`` are not addresses).
    """
    if text is None:
        return None
    value = text.strip()
    if not value:
        return None
    if len(value) > 64:
        raise ValueError("too long for an IP address")
    return ipaddress.ip_address(value.split("%", 1)[0])


def classify_address(address: IPAddress | None) -> AddressClass:
    """The class of ``address`` (None is :attr:`AddressClass.NONE`)."""
    if address is None or address.is_unspecified:
        return AddressClass.NONE
    if isinstance(address, ipaddress.IPv6Address):
        return _classify_v6(address)
    return _classify_v4(address)


def _classify_v4(address: ipaddress.IPv4Address) -> AddressClass:
    if address.is_loopback:
        return AddressClass.LOOPBACK
    if address.is_link_local:
        return AddressClass.LINK_LOCAL
    if address.is_multicast:  # ipaddress calls 224.0.0.0/4 "global"
        return AddressClass.RESERVED
    if address in CGNAT:
        return AddressClass.CGNAT
    if any(address in net for net in DOCUMENTATION_V4):
        return AddressClass.PUBLIC
    if any(address in net for net in RFC1918):
        return AddressClass.PRIVATE
    if address.is_global:
        return AddressClass.PUBLIC
    return AddressClass.RESERVED


def _classify_v6(address: ipaddress.IPv6Address) -> AddressClass:
    mapped = address.ipv4_mapped
    if mapped is not None:
        return classify_address(mapped)
    if address.is_loopback:
        return AddressClass.LOOPBACK
    if address.is_link_local:
        return AddressClass.LINK_LOCAL
    if address.is_multicast:
        return AddressClass.RESERVED
    if address in DOCUMENTATION_V6:
        return AddressClass.PUBLIC
    if address in UNIQUE_LOCAL_V6:
        return AddressClass.PRIVATE
    if address.is_global:
        return AddressClass.PUBLIC
    return AddressClass.RESERVED


def classify_text(text: str | None) -> AddressClass:
    """The class of an address given as text; text that is not an address is :attr:`AddressClass.NONE`."""
    try:
        return classify_address(parse_address(text))
    except ValueError:
        return AddressClass.NONE


def is_test_range(network: ipaddress.IPv4Network) -> bool:
    """Whether ``network`` lies inside a documentation range (allowed as a scan test range)."""
    return any(network.subnet_of(doc) for doc in DOCUMENTATION_V4)


def check_scan_target(
    network: ipaddress.IPv4Network
    | ipaddress.IPv6Network
    | ipaddress.IPv4Interface
    | ipaddress.IPv6Interface
    | str,
    allow_large: bool = False,
    max_prefix: int = 22,
) -> ipaddress.IPv4Network:
    """Return ``network`` as an IPv4 network when it may be scanned; raise ``ScanRefused`` otherwise.

    Allowed: subnets inside one RFC 1918 block (10/8, 172.16/12, 192.168/16) or one documentation range,
    of at most ``max_prefix`` (a /22 by default), or of at most a /16 with ``allow_large``. Host bits
    are ignored (``192.168.1.23/24`` is the ``192.168.1.0/24`` subnet).
    """
    parsed = _as_network(network)
    if isinstance(parsed, ipaddress.IPv6Network):
        raise ScanRefused(_("{network}: IPv6 subnets are never swept").format(network=parsed))
    if not 8 <= max_prefix <= 32:
        raise ScanRefused(
            _("the largest subnet to scan must be between /8 and /32, not /{prefix}").format(
                prefix=max_prefix
            )
        )
    if parsed.subnet_of(CGNAT) or parsed.overlaps(CGNAT):
        raise ScanRefused(
            _("{network} is carrier-grade NAT space (100.64.0.0/10), not a home subnet").format(
                network=parsed
            )
        )
    allowed = any(parsed.subnet_of(block) for block in RFC1918) or is_test_range(parsed)
    if not allowed:
        raise ScanRefused(
            _("{network} is not a private subnet: only local private subnets are scanned").format(
                network=parsed
            )
        )
    if parsed.prefixlen < ABSOLUTE_MAX_PREFIX:
        raise ScanRefused(
            _("{network} is larger than a /{limit}: never scanned").format(
                network=parsed, limit=ABSOLUTE_MAX_PREFIX
            )
        )
    if parsed.prefixlen < max_prefix and not allow_large:
        raise ScanRefused(
            _("{network} is larger than a /{limit}: scan it only with --allow-large-subnet").format(
                network=parsed, limit=max_prefix
            )
        )
    return parsed


def _as_network(
    value: ipaddress.IPv4Network
    | ipaddress.IPv6Network
    | ipaddress.IPv4Interface
    | ipaddress.IPv6Interface
    | str,
) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    if isinstance(value, ipaddress.IPv4Interface | ipaddress.IPv6Interface):
        return value.network
    if isinstance(value, ipaddress.IPv4Network | ipaddress.IPv6Network):
        return value
    try:
        return ipaddress.ip_network(str(value).strip(), strict=False)
    except ValueError:
        raise ScanRefused(_("{value} is not a subnet").format(value=str(value)[:60])) from None


def own_address(addresses: Sequence[str] | None) -> ipaddress.IPv4Address | None:
    """The first usable IPv4 address of ``interface.ipv4`` (``a.b.c.d/nn`` texts)."""
    for text in addresses or ():
        try:
            interface = ipaddress.IPv4Interface(text)
        except ValueError:
            continue
        if not (interface.ip.is_loopback or interface.ip.is_unspecified):
            return interface.ip
    return None


LanAddress = tuple[ipaddress.IPv4Address, ipaddress.IPv4Network]
"""This computer's IPv4 address on the LAN and the LAN's subnet."""


def interface_address(addresses: Sequence[str] | None, subnet_text: str | None) -> LanAddress | None:
    """The interface address inside the session's subnet (facts ``interface.ipv4``/``.subnet``)."""
    if subnet_text is None or addresses is None:
        return None
    try:
        subnet = ipaddress.IPv4Network(subnet_text, strict=False)
    except ValueError:
        return None
    for text in addresses:
        try:
            interface = ipaddress.IPv4Interface(str(text))
        except ValueError:
            continue
        if interface.ip in subnet:
            return interface.ip, subnet
    return None


def _lan(ctx: ProbeContext) -> tuple[LanAddress | None, str | None]:
    found = interface_address(ctx.fact_as("interface.ipv4", list[str]), ctx.fact_as("interface.subnet", str))
    if found is None:
        return None, _("the interface has no IPv4 subnet")
    if found[0].is_loopback:
        return None, _("the interface is loopback: there is no LAN")
    return found, None


def no_lan_reason(ctx: ProbeContext) -> str | None:
    """Why a LAN probe does not apply here (no IPv4 subnet, or loopback), or None when it does."""
    return _lan(ctx)[1]


def no_inventory_reason(ctx: ProbeContext) -> str | None:
    """Why a summary of the LAN's devices does not apply: no discovery searched the LAN (no IPv4
    subnet), so "no printer found" would be a claim nobody checked."""
    if ctx.fact("discovery.devices") is None:
        return _("the LAN was not searched for devices")
    return None


def require_lan(ctx: ProbeContext) -> LanAddress:
    """This computer's LAN address and subnet; :class:`NotApplicable` when there is none."""
    found, reason = _lan(ctx)
    if found is None:
        raise NotApplicable(reason or "")
    return found
