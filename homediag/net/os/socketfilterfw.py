"""Parse the macOS application firewall's state: ``socketfilterfw --getglobalstate`` and
``--getblockall`` (``/usr/libexec/ApplicationFirewall/socketfilterfw``, no root needed to read).

Samples (the wording changed across macOS versions; never translated)::

    Firewall is enabled. (State = 1)
    Firewall is disabled. (State = 0)
    Firewall is blocking all non-essential incoming connections.   (macOS 14+, "block all" on)
    Block all DISABLED!                                          (older macOS)
    Firewall has block all state set to disabled.                (macOS 13)

"Block all incoming connections" still lets Bonjour, DHCP and IPsec in (Apple's documentation of the
setting), so it does not hide printers by itself; it does block answers to SSDP and WS-Discovery.
"""

from __future__ import annotations

import re

from homediag.net.errors import ParseError
from homediag.net.os._common import check_text

_STATE_RE = re.compile(r"\(State\s*=\s*([0-2])\)")


def parse_global_state(text: str) -> bool:
    """Whether the application firewall is on (``State = 1`` or ``2``)."""
    check_text(text, "socketfilterfw --getglobalstate")
    match = _STATE_RE.search(text)
    if match:
        return match.group(1) != "0"
    lowered = text.casefold()
    if "firewall is enabled" in lowered:
        return True
    if "firewall is disabled" in lowered:
        return False
    raise ParseError(f"socketfilterfw: no firewall state: {text.strip()[:80]!r}")


def parse_block_all(text: str) -> bool:
    """Whether "Block all incoming connections" is set."""
    check_text(text, "socketfilterfw --getblockall")
    lowered = text.casefold()
    if "block all disabled" in lowered or "set to disabled" in lowered or "is disabled" in lowered:
        return False
    if (
        "block all enabled" in lowered
        or "set to enabled" in lowered
        or "blocking all non-essential" in lowered
    ):
        return True
    raise ParseError(f"socketfilterfw: no block-all state: {text.strip()[:80]!r}")
