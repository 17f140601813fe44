"""Parse macOS ``scutil --nc list``: the VPN services of the network configuration and their state.

Sample::

    Available network connection services in the current set (*=enabled):
    * (Connected) 6A3B2C1D-...-000000000001 VPN (com.wireguard.macos) "Office VPN" [VPN/com.wireguard.macos]
    * (Disconnected) 6A3B2C1D-...-000000000002 PPP --> L2TP "L2TP" [PPP/L2TP]

(service ids shortened here: they are full UUIDs)

The state words are SystemConfiguration's ``SCNetworkConnectionStatus`` names (``Connected``,
``Connecting``, ``Disconnecting``, ``Disconnected``, ``Invalid``), never translated. Hand-written:
jc has no ``scutil`` parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from homediag.net.errors import ParseError
from homediag.net.os._common import check_text, is_blank, iter_lines

_ROW_RE = re.compile(
    r"^(\*?)\s*\((\w{1,20})\)\s+([0-9A-Fa-f-]{36})\s+(.{0,120}?)\s+\"((?:[^\"\\]|\\.){0,200})\"\s*(\[[^\]]{0,120}\])?\s*$"
)


@dataclass(frozen=True, slots=True)
class NetworkConnection:
    """One VPN or dial-up service."""

    name: str
    status: str
    service_id: str
    kind: str
    enabled: bool

    @property
    def connected(self) -> bool:
        """Whether it is connected now."""
        return self.status.casefold() == "connected"


def parse_scutil_nc_list(text: str) -> tuple[NetworkConnection, ...]:
    """Parse ``scutil --nc list``."""
    check_text(text, "scutil --nc list")
    found: list[NetworkConnection] = []
    for line in iter_lines(text):
        match = _ROW_RE.match(line.strip())
        if match:
            found.append(
                NetworkConnection(
                    name=match.group(5).replace('\\"', '"'),
                    status=match.group(2),
                    service_id=match.group(3),
                    kind=(match.group(6) or match.group(4)).strip("[] "),
                    enabled=match.group(1) == "*",
                )
            )
    if not found and not is_blank(text) and "network connection services" not in text:
        raise ParseError(f"scutil --nc list: no service line: {text.strip()[:80]!r}")
    return tuple(found)
