"""NetBIOS node status (NBSTAT, RFC 1002 4.2.17/4.2.18): the request, a strict parser of the answer, and
:func:`netbios_names`, which asks a list of hosts.

An answer from a Windows PC or a Samba server, in hex::

    1a2b 8400 0000 0001 0000 0000          id, flags (response, authoritative), 1 answer
    20 434b414141...4141 00               the name "*" encoded (32 bytes), root label
    0021 0001 00000000 0041               type NBSTAT, class IN, TTL, RDLENGTH 65
    03                                     three names follow, 18 bytes each:
    4f46464943452d5043202020202020 00 0400 "OFFICE-PC      " suffix 0x00 (workstation), flags
    574f524b47524f5550202020202020 00 8400 "WORKGROUP      " suffix 0x00, group flag set
    4f46464943452d5043202020202020 20 0400 "OFFICE-PC      " suffix 0x20 (file server)
    02005e005301                           the host's MAC

Hand-written: no maintained Python library parses node status answers without also sending its own
queries (scapy's NBNS layers would dissect hostile bytes with a general dissector). Everything is
checked against the datagram's length: compressed names, counts past the end and RDLENGTH overruns are
errors, never loops.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import struct
import time
from collections.abc import Iterable
from dataclasses import dataclass

from homediag.core.probe import ProbeContext
from homediag.net.errors import ParseError

NBSTAT = 0x0021
CLASS_IN = 0x0001
MAX_DATAGRAM = 1500
GROUP_FLAG = 0x8000
WORKSTATION = 0x00
NETBIOS_PORT = 137
MAX_NETBIOS = 256


def encode_name(name: str = "*", suffix: int = 0) -> bytes:
    """The first-level encoding of a NetBIOS name (RFC 1001 14.1), as one 32-byte label."""
    raw = name.encode("ascii")[:15].ljust(15, b"\0" if name == "*" else b" ") + bytes([suffix])
    encoded = bytearray()
    for byte in raw:
        encoded += bytes([0x41 + (byte >> 4), 0x41 + (byte & 0x0F)])
    return bytes([32]) + bytes(encoded) + b"\0"


def build_request(transaction_id: int) -> bytes:
    """A node status request for the wildcard name ``*``."""
    header = struct.pack("!HHHHHH", transaction_id & 0xFFFF, 0x0000, 1, 0, 0, 0)
    return header + encode_name("*") + struct.pack("!HH", NBSTAT, CLASS_IN)


@dataclass(frozen=True)
class NodeName:
    """One name of the node's name table."""

    name: str
    suffix: int
    group: bool


@dataclass(frozen=True)
class NodeStatus:
    """A parsed node status answer."""

    transaction_id: int
    names: tuple[NodeName, ...]
    mac: str | None

    @property
    def host_name(self) -> str | None:
        """The unique workstation name (suffix 0x00, not a group), if any."""
        for entry in self.names:
            if entry.suffix == WORKSTATION and not entry.group and entry.name:
                return entry.name
        return None


def parse_node_status(data: bytes) -> NodeStatus:
    """Parse a node status answer; raise :class:`ParseError` for anything malformed."""
    if len(data) > MAX_DATAGRAM:
        raise ParseError("NBSTAT: datagram too large")
    if len(data) < 12:
        raise ParseError("NBSTAT: shorter than a header")
    transaction_id, flags, _qd, answers, _ns, _ar = struct.unpack_from("!HHHHHH", data, 0)
    if not flags & 0x8000:
        raise ParseError("NBSTAT: not a response")
    if answers < 1:
        raise ParseError("NBSTAT: no answer record")
    pos = 12
    length = data[pos] if pos < len(data) else -1
    if length != 32 or pos + 1 + 32 + 1 > len(data) or data[pos + 33] != 0:
        raise ParseError("NBSTAT: the answer name is not one 32-byte label")
    pos += 34
    if pos + 10 > len(data):
        raise ParseError("NBSTAT: truncated resource record")
    rtype, rclass, _ttl, rdlength = struct.unpack_from("!HHIH", data, pos)
    pos += 10
    if rtype != NBSTAT or rclass != CLASS_IN:
        raise ParseError("NBSTAT: not a node status record")
    if pos + rdlength > len(data) or rdlength < 1:
        raise ParseError("NBSTAT: RDLENGTH past the end of the datagram")
    end = pos + rdlength
    count = data[pos]
    pos += 1
    if pos + count * 18 > end:
        raise ParseError("NBSTAT: more names than the record holds")
    names: list[NodeName] = []
    for _index in range(count):
        raw = data[pos : pos + 15]
        suffix = data[pos + 15]
        (name_flags,) = struct.unpack_from("!H", data, pos + 16)
        pos += 18
        text = raw.decode("latin-1").rstrip(" \0")
        text = "".join(ch for ch in text if ch.isprintable())
        names.append(NodeName(text, suffix, bool(name_flags & GROUP_FLAG)))
    mac = None
    if pos + 6 <= end:
        octets = data[pos : pos + 6]
        if any(octets):
            mac = ":".join(f"{b:02x}" for b in octets)
    return NodeStatus(transaction_id, tuple(names), mac)


async def netbios_names(
    ctx: ProbeContext,
    addresses: Iterable[ipaddress.IPv4Address],
    *,
    listen_s: float,
    port: int = NETBIOS_PORT,
) -> dict[ipaddress.IPv4Address, str]:
    """NetBIOS workstation names of ``addresses``: one node status request each (a ``ctx.udp()``
    socket), answers for ``listen_s``."""
    targets = list(addresses)[:MAX_NETBIOS]
    if not targets:
        return {}
    sock = ctx.udp().open(bind="0.0.0.0")  # noqa: S104 - an ephemeral port for the answers
    rng = ctx.random()
    found: dict[ipaddress.IPv4Address, str] = {}
    ids: dict[ipaddress.IPv4Address, int] = {}
    try:
        for index, target in enumerate(targets):
            ids[target] = (rng.getrandbits(16) + index) & 0xFFFF
            with contextlib.suppress(OSError):
                await sock.send(build_request(ids[target]), str(target), port)
            await asyncio.sleep(0.002)
        deadline = time.monotonic() + listen_s
        while len(found) < len(targets):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                datagram = await sock.receive(remaining, 2048)
            except OSError:
                continue
            if datagram is None:
                break
            try:
                address = ipaddress.IPv4Address(datagram.host)
                status = parse_node_status(datagram.data)
            except (ValueError, ParseError):
                continue
            if ids.get(address) != status.transaction_id:
                continue
            name = status.host_name
            if name:
                found[address] = name
    finally:
        sock.close()
    return found
