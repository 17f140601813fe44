"""Parse one "don't fragment" ping: did it come back, and did anyone say it was too large?

Linux iputils ``ping -M do -s 1472 -c 1`` when a router's next hop is smaller::

    PING 203.0.113.10 (203.0.113.10) 1472(1500) bytes of data.
    From 198.51.100.1 icmp_seq=1 Frag needed and DF set (mtu = 1400)

and when the kernel already knows the path MTU (on stderr)::

    ping: local error: message too long, mtu=1400

macOS ``ping -D -s 1472 -c 1``::

    36 bytes from 198.51.100.1: frag needed and DF set (MTU 1400)

Windows ``ping -f -l 1472 -n 1`` (any language: the line names fragmentation and "DF")::

    Packet needs to be fragmented but DF set.
    Paket müsste fragmentiert werden, DF-Flag ist jedoch gesetzt.

Replies are recognised as in :mod:`homediag.net.os.ping` (a TTL and a time in ms).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from homediag.net.os._common import iter_lines
from homediag.net.os.ping import parse_ping

_FRAG = re.compile(r"frag", re.IGNORECASE)
_DF = re.compile(r"\bDF\b", re.IGNORECASE)
_MTU = re.compile(r"\bmtu\s{0,3}=?\s{0,3}([0-9]{2,6})(?![0-9])", re.IGNORECASE)
_LOCAL = re.compile(r"message too long", re.IGNORECASE)
_UNSUPPORTED = re.compile(
    r"(unrecognized option|invalid option|illegal option|unknown option|usage:)", re.IGNORECASE
)


@dataclass(frozen=True)
class DfPing:
    """What one DF ping showed."""

    replied: bool
    frag_needed: bool
    """Someone on the path sent ICMP fragmentation-needed (Windows: or the packet was too large here)."""
    reported_mtu: int | None
    """The next-hop MTU the message named (or the local MTU of a local error)."""
    local_too_big: bool
    """The packet never left: larger than the interface or the path MTU the kernel already knows."""
    unsupported: bool
    """This ping does not know the DF option (BusyBox)."""


def parse_df_ping(text: str) -> DfPing:
    """Read one DF ping's output (stdout and stderr together)."""
    frag = False
    local = False
    mtu: int | None = None
    unsupported = False
    for number, line in enumerate(iter_lines(text)):
        if number >= 2000:
            break
        word = _FRAG.search(line)
        if word is not None and _DF.search(line, word.end()):  # "frag... DF", in linear time
            frag = True
        elif _LOCAL.search(line):
            local = True
        elif _UNSUPPORTED.search(line):
            unsupported = True
            continue
        else:
            continue
        found = _MTU.search(line)
        if found and mtu is None:
            value = int(found.group(1))
            mtu = value if 68 <= value <= 65535 else None
    replied = bool(parse_ping(text).replies)
    return DfPing(
        replied=replied,
        frag_needed=frag,
        reported_mtu=mtu,
        local_too_big=local,
        unsupported=unsupported and not replied,
    )
