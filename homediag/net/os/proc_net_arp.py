"""Parse ``/proc/net/arp``, the Linux kernel's neighbour table, readable without ``ip`` or ``arp``::

    IP address       HW type     Flags       HW address            Mask     Device
    192.0.2.1        0x1         0x2         00:00:5e:00:53:01     *        eth0
    192.0.2.7        0x1         0x0         00:00:00:00:00:00     *        eth0

Flags ``0x2`` (ATF_COM) marks a completed entry: the host answered. An incomplete one (``0x0``, MAC
all zeros) is a host that was asked and stayed silent.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Address

from homediag.net.errors import ParseError
from homediag.net.os._common import check_text, iter_lines, normalise_mac, parse_int, parse_ipv4

_ATF_COM = 0x2
MAX_ENTRIES = 65_536


@dataclass(frozen=True)
class ProcArpEntry:
    """One row of the table."""

    ip: IPv4Address
    mac: str | None
    """None for an incomplete entry."""
    device: str
    complete: bool


def parse_proc_net_arp(text: str) -> list[ProcArpEntry]:
    """The rows of ``/proc/net/arp``; :class:`ParseError` when the header is missing."""
    check_text(text, "/proc/net/arp")
    lines = iter_lines(text)
    header = next(lines, "")
    if not header.startswith("IP address"):
        raise ParseError("/proc/net/arp: no header line")
    entries: list[ProcArpEntry] = []
    for line in lines:
        fields = line.split()
        if len(fields) != 6:
            continue
        ip = parse_ipv4(fields[0])
        flags = parse_int(fields[2], base=16)
        if ip is None or flags is None:
            continue
        complete = bool(flags & _ATF_COM)
        mac = normalise_mac(fields[3]) if complete else None
        if mac == "00:00:00:00:00:00":
            mac = None
        complete = complete and mac is not None
        entries.append(ProcArpEntry(ip=ip, mac=mac, device=fields[5][:32], complete=complete))
        if len(entries) >= MAX_ENTRIES:
            break
    return entries
