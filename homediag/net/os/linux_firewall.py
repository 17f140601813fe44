"""Parse the default policy of a Linux host firewall, read-only: ``ufw status verbose`` and
``nft list ruleset`` (both need root).

Samples::

    Status: active
    Logging: on (low)
    Default: deny (incoming), allow (outgoing), disabled (routed)
    New profiles: skip

    table inet filter {
            chain input {
                    type filter hook input priority filter; policy drop;
                    ct state established,related accept
            }
    }

homediag runs ufw with ``LC_ALL=C`` (its words are translated otherwise). Only the policy of base
chains hooked to ``input`` counts: that is what drops the unicast answers of devices to a
discovery sent by this computer. Hand-written: jc has no parser for either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from homediag.net.errors import ParseError
from homediag.net.os._common import check_text, is_blank

NEEDS_ROOT_WORDS = ("need to be root", "operation not permitted", "permission denied")


@dataclass(frozen=True, slots=True)
class HostFirewall:
    """What a Linux firewall does with traffic to this computer."""

    tool: str
    active: bool
    inbound_policy: str | None = None
    """``deny``/``reject``/``drop``/``allow``/``accept``: what happens to unsolicited inbound traffic."""

    @property
    def blocks_inbound(self) -> bool:
        """Whether unsolicited inbound traffic is dropped by default."""
        return self.active and self.inbound_policy in ("deny", "reject", "drop")


class NeedsRoot(ParseError):
    """The tool refused to answer without root."""


_UFW_STATUS_RE = re.compile(r"^Status:\s*(active|inactive)\b", re.MULTILINE | re.IGNORECASE)
_UFW_DEFAULT_RE = re.compile(r"^Default:\s*(\w+)\s*\(incoming\)", re.MULTILINE | re.IGNORECASE)


def parse_ufw_status(text: str) -> HostFirewall:
    """Parse ``ufw status verbose``."""
    check_text(text, "ufw status")
    if any(word in text.casefold() for word in NEEDS_ROOT_WORDS):
        raise NeedsRoot("ufw status: needs root")
    status = _UFW_STATUS_RE.search(text)
    if status is None:
        raise ParseError(f"ufw status: no 'Status:' line: {text.strip()[:80]!r}")
    default = _UFW_DEFAULT_RE.search(text)
    return HostFirewall(
        tool="ufw",
        active=status.group(1).lower() == "active",
        inbound_policy=default.group(1).lower() if default else None,
    )


_INPUT_CHAIN_RE = re.compile(r"type\s+filter\s+hook\s+input\b[^;]{0,80};\s*policy\s+(accept|drop)\s*;")


def parse_nft_ruleset(text: str) -> HostFirewall:
    """Parse ``nft list ruleset``: the strictest policy of the base chains hooked to input."""
    check_text(text, "nft list ruleset")
    if any(word in text.casefold() for word in NEEDS_ROOT_WORDS):
        raise NeedsRoot("nft list ruleset: needs root")
    if is_blank(text):
        return HostFirewall(tool="nftables", active=False)
    policies = _INPUT_CHAIN_RE.findall(text)
    if not policies:
        if "table " not in text:
            raise ParseError(f"nft list ruleset: not a ruleset: {text.strip()[:80]!r}")
        return HostFirewall(tool="nftables", active=False)
    policy = "drop" if "drop" in policies else "accept"
    return HostFirewall(tool="nftables", active=True, inbound_policy=policy)
