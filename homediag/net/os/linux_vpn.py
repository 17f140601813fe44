"""Parse what Linux says about the route to the internet and the connections that are up:
``ip -o route get ADDRESS`` and ``nmcli -t -f NAME,UUID,TYPE,DEVICE connection show --active``.

Samples::

    203.0.113.7 dev wg0 table 51820 src 198.51.100.2 uid 1000 \\    cache
    203.0.113.7 via 192.0.2.1 dev wlp2s0 src 192.0.2.23 uid 1000 \\    cache

    Heimnetz:0c6f2d3e-0000-4000-8000-000000000001:802-11-wireless:wlp2s0
    wg0:0c6f2d3e-0000-4000-8000-000000000002:wireguard:wg0
    Office VPN:0c6f2d3e-0000-4000-8000-000000000003:vpn:wlp2s0

``ip route get`` asks the kernel which way a packet would go (policy routing included: wg-quick puts
its default route in table 51820, which ``ip route`` of the main table never shows); it sends
nothing. nmcli's terse mode escapes ``:`` and ``\\`` in values with a backslash. Hand-written: jc
has neither.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from homediag.net.errors import ParseError
from homediag.net.os._common import IPAddress, check_text, is_blank, iter_lines, parse_ip

VPN_CONNECTION_TYPES = frozenset({"vpn", "wireguard", "tun"})
"""NetworkManager connection types of tunnels (``vpn`` covers OpenVPN, IPsec, OpenConnect plugins)."""


@dataclass(frozen=True, slots=True)
class RouteChoice:
    """The kernel's answer to ``ip route get``."""

    destination: IPAddress | None
    device: str | None
    gateway: IPAddress | None = None
    source: IPAddress | None = None
    table: str | None = None


def parse_ip_route_get(text: str) -> RouteChoice:
    """Parse ``ip -o route get ADDRESS``; :class:`ParseError` when no ``dev`` is named (``RTNETLINK
    answers: Network is unreachable``)."""
    check_text(text, "ip route get")
    line = next((ln for ln in iter_lines(text) if ln.strip()), "")
    words = line.replace("\\", " ").split()
    values: dict[str, str] = {}
    for key, value in itertools.pairwise(words):
        if key in ("dev", "via", "src", "table") and key not in values:
            values[key] = value
    if "dev" not in values:
        raise ParseError(f"ip route get: no device in {line.strip()[:80]!r}")
    return RouteChoice(
        destination=parse_ip(words[0]) if words else None,
        device=values["dev"],
        gateway=parse_ip(values.get("via")),
        source=parse_ip(values.get("src")),
        table=values.get("table"),
    )


@dataclass(frozen=True, slots=True)
class NmConnection:
    """One active NetworkManager connection."""

    name: str
    uuid: str | None
    type: str
    device: str | None

    @property
    def vpn(self) -> bool:
        """Whether this is a VPN or tunnel connection."""
        return self.type in VPN_CONNECTION_TYPES


_SPLIT_RE = re.compile(r"(?<!\\):")


def _unescape(value: str) -> str:
    return value.replace("\\:", ":").replace("\\\\", "\\")


def parse_nmcli_active(text: str) -> tuple[NmConnection, ...]:
    """Parse ``nmcli -t -f NAME,UUID,TYPE,DEVICE connection show --active``."""
    check_text(text, "nmcli connection show")
    found: list[NmConnection] = []
    for line in iter_lines(text):
        if not line.strip():
            continue
        fields = [_unescape(f) for f in _SPLIT_RE.split(line)]
        if len(fields) != 4:
            continue
        name, uuid, kind, device = fields
        found.append(NmConnection(name=name, uuid=uuid or None, type=kind.strip(), device=device or None))
    if not found and not is_blank(text):
        raise ParseError(f"nmcli connection show: no connection line: {text.strip()[:80]!r}")
    return tuple(found)


def parse_nmcli_fields(text: str) -> dict[str, str]:
    """Parse ``nmcli -t -f FIELD,... connection show NAME``: ``ipv4.method:manual`` lines."""
    check_text(text, "nmcli connection show NAME")
    values: dict[str, str] = {}
    for line in iter_lines(text):
        key, sep, value = line.partition(":")
        if sep and key.strip():
            values[key.strip()] = _unescape(value.strip())
    return values
