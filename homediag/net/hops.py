"""The address of one router on the path: a TTL-limited packet, as traceroute's first steps do.

A packet sent with IP time-to-live ``n`` expires at the ``n``-th router, which answers with an ICMP
time-exceeded message from its own address. Hop 2 is the first router beyond the default gateway: a
private address there means a second router in front of the home router (double NAT), an address in
100.64.0.0/10 the provider's carrier-grade NAT. The probes say what they saw; playbooks judge.

Methods, by what this computer allows:

1. **Raw ICMP** (root or administrator, not Windows): echo requests with TTL ``n`` on a raw socket. The
   time-exceeded message quotes the start of our request (RFC 792), so it is matched to us by identifier
   and sequence. What comes back::

       IPv4 header (20+ bytes, source = the router) | ICMP type 11 code 0 | 4 unused bytes |
       our IPv4 header (destination = the target)  | our ICMP echo: type 8, code, checksum, id, seq

2. **UDP with IP_RECVERR** (Linux, no privilege needed, as ``tracepath`` does): a datagram with TTL
   ``n``; the kernel queues the ICMP error on the socket's error queue with the offending router's
   address (``struct sock_extended_err`` followed by a ``sockaddr_in``).
3. Otherwise nothing is sent and the result says why.

Hand-written because it is a few dozen lines of ICMP: scapy's ``sr1`` would cost half a second to import
and a sniffer thread, and no maintained library reads the Linux error queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import random
import socket
import struct
import sys
import time
from dataclasses import dataclass

from homediag.core.i18n import _
from homediag.core.io import HopResult
from homediag.core.probe import ProbeContext
from homediag.net.echo import ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST, echo_request

ICMP_DEST_UNREACHABLE = 3
ICMP_TIME_EXCEEDED = 11
SO_EE_ORIGIN_ICMP = 2
IP_RECVERR = getattr(socket, "IP_RECVERR", 11)
"""Linux's IP_RECVERR (11); Python exposes it on Linux only."""
MSG_ERRQUEUE = getattr(socket, "MSG_ERRQUEUE", 0x2000)
"""Linux's MSG_ERRQUEUE flag of recvmsg."""
UDP_BASE_PORT = 33434
"""Traceroute's customary destination ports: nothing listens there."""
MAX_PACKET = 1500
LINUX: bool = sys.platform.startswith("linux")


@dataclass(frozen=True)
class HopAnswer:
    """Who answered a TTL-limited packet."""

    address: str
    reached: bool
    """True when the target itself answered: the path is shorter than the TTL."""


def hop_request(ident: int, seq: int) -> bytes:
    """An ICMP echo request with ``ident`` and ``seq`` and a short fixed payload."""
    return echo_request(ident, seq, b"homediag-hop")


def _ip_header(packet: bytes) -> tuple[int, str, str] | None:
    """(header length, source, destination) of an IPv4 packet, or None when it is not one."""
    if len(packet) < 20 or packet[0] >> 4 != 4:
        return None
    ihl = (packet[0] & 0x0F) * 4
    if ihl < 20 or len(packet) < ihl:
        return None
    return ihl, socket.inet_ntoa(packet[12:16]), socket.inet_ntoa(packet[16:20])


def parse_icmp_answer(packet: bytes, ident: int, target: str) -> tuple[HopAnswer, int] | None:
    """(who answered, sequence) when ``packet`` (IPv4, as a raw ICMP socket receives it) answers one
    of our echo requests to ``target``: a time-exceeded quoting it, or the target's echo reply."""
    outer = _ip_header(packet)
    if outer is None or len(packet) < outer[0] + 8:
        return None
    ihl, source, _dst = outer
    icmp_type, _code, _sum, word1, word2 = struct.unpack("!BBHHH", packet[ihl : ihl + 8])
    if icmp_type == ICMP_ECHO_REPLY:
        if word1 != ident or source != target:
            return None
        return HopAnswer(source, reached=True), word2
    if icmp_type != ICMP_TIME_EXCEEDED:
        return None
    quoted = packet[ihl + 8 :]
    inner = _ip_header(quoted)
    if inner is None or len(quoted) < inner[0] + 8:
        return None
    inner_ihl, _src, inner_dst = inner
    q_type, _q_code, _q_sum, q_ident, q_seq = struct.unpack("!BBHHH", quoted[inner_ihl : inner_ihl + 8])
    if q_type != ICMP_ECHO_REQUEST or q_ident != ident or inner_dst != target:
        return None
    return HopAnswer(source, reached=False), q_seq


def parse_extended_error(data: bytes) -> tuple[int, int, int, str | None] | None:
    """(origin, ICMP type, ICMP code, offender address) from an ``IP_RECVERR`` control message:
    ``struct sock_extended_err`` (16 bytes) then the offender's ``sockaddr_in``."""
    if len(data) < 16:
        return None
    _errno, origin, icmp_type, icmp_code, _pad, _info, _data = struct.unpack("=IBBBBII", data[:16])
    offender: str | None = None
    if len(data) >= 24:
        family = struct.unpack("=H", data[16:18])[0]
        if family == socket.AF_INET:
            raw = data[20:24]
            offender = None if raw == b"\x00\x00\x00\x00" else socket.inet_ntoa(raw)
    return origin, icmp_type, icmp_code, offender


async def _raw_icmp(target: str, ttl: int, tries: int, wait_s: float) -> HopResult:
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    sock.setblocking(False)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
    loop = asyncio.get_running_loop()
    ident = (os.getpid() ^ random.getrandbits(16)) & 0xFFFF
    found: asyncio.Future[tuple[HopAnswer, int, float]] = loop.create_future()

    def on_readable() -> None:
        while True:
            try:
                packet = sock.recv(MAX_PACKET)
            except (BlockingIOError, InterruptedError, OSError):
                return
            parsed = parse_icmp_answer(packet, ident, target)
            if parsed is not None and not found.done():
                found.set_result((parsed[0], parsed[1], time.monotonic()))

    loop.add_reader(sock.fileno(), on_readable)
    sent: dict[int, float] = {}
    try:
        for seq in range(1, tries + 1):
            with contextlib.suppress(OSError):  # "network unreachable": counts as no answer
                sent[seq] = time.monotonic()
                sock.sendto(hop_request(ident, seq), (target, 0))
            with contextlib.suppress(TimeoutError):
                answer, answered_seq, at = await asyncio.wait_for(asyncio.shield(found), wait_s)
                start = sent.get(answered_seq)
                rtt = None if start is None else round((at - start) * 1000.0, 3)
                return HopResult(answer.address, answer.reached, "raw ICMP", rtt_ms=rtt)
    finally:
        loop.remove_reader(sock.fileno())
        sock.close()
    return HopResult(None, method="raw ICMP", note=_("no router answered at hop {ttl}").format(ttl=ttl))


def _read_error_queue(sock: socket.socket) -> tuple[int, int, int, str | None] | None:
    try:
        _data, ancdata, _flags, _addr = sock.recvmsg(512, 512, MSG_ERRQUEUE)
    except (BlockingIOError, InterruptedError):
        return None
    except OSError:
        return None
    for level, kind, data in ancdata:
        if level == socket.IPPROTO_IP and kind == IP_RECVERR:
            return parse_extended_error(data)
    return None


async def _udp_recverr(target: str, ttl: int, tries: int, wait_s: float) -> HopResult:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setblocking(False)
    try:
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
        sock.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
        for attempt in range(tries):
            with contextlib.suppress(OSError):
                sock.sendto(b"homediag-hop", (target, UDP_BASE_PORT + ttl + attempt))
            deadline = time.monotonic() + wait_s
            while time.monotonic() < deadline:
                error = _read_error_queue(sock)
                if error is not None:
                    origin, icmp_type, _code, offender = error
                    if origin == SO_EE_ORIGIN_ICMP and offender is not None:
                        if icmp_type == ICMP_TIME_EXCEEDED:
                            return HopResult(offender, False, "UDP (IP_RECVERR)")
                        if icmp_type == ICMP_DEST_UNREACHABLE and offender == target:
                            return HopResult(offender, True, "UDP (IP_RECVERR)")
                await asyncio.sleep(0.02)
    finally:
        sock.close()
    note = _("no router answered at hop {ttl}").format(ttl=ttl)
    return HopResult(None, method="UDP (IP_RECVERR)", note=note)


async def hop_address(
    ctx: ProbeContext,
    target: str,
    ttl: int,
    *,
    privileged: bool,
    windows: bool = False,
    tries: int = 3,
    wait_s: float = 1.0,
) -> HopResult:
    """The address of the router ``ttl`` hops towards ``target`` (IPv4), by the best method allowed
    (through ``ctx.icmp().hop``)."""
    if ipaddress.ip_address(target).version != 4:
        return HopResult(None, note=_("only IPv4 paths are measured"))
    if privileged and not windows:
        with contextlib.suppress(PermissionError):
            return await ctx.icmp().hop(target, ttl, tries, wait_s, raw=True)
    if not LINUX:
        return HopResult(None, note=_("needs administrator rights on this system"))
    return await ctx.icmp().hop(target, ttl, tries, wait_s, raw=False)


async def live_hop(target: str, ttl: int, tries: int, wait_s: float, *, raw: bool) -> HopResult:
    """The live side of ``ctx.icmp().hop``: raw ICMP, or UDP and the error queue."""
    if raw:
        return await _raw_icmp(target, ttl, tries, wait_s)
    return await _udp_recverr(target, ttl, tries, wait_s)
