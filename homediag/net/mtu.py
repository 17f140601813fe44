"""Path MTU discovery: echo requests with "don't fragment" set, and the bounded search over their sizes.

Two senders, by what this computer allows (``net.mtu`` picks one): :class:`RawSender` (raw ICMP with
``IP_MTU_DISCOVER = IP_PMTUDISC_PROBE``, Linux, root; ``ctx.icmp().df_socket``, :class:`LiveDfSocket`
in a live run) and :class:`PingSender` (the system ``ping`` with
DF set, one packet per run). :func:`search` sends at most 14 packets: 576 bytes, the interface MTU
(up to four times while it vanishes without a word), the size a fragmentation-needed named, 1280, then a
binary search. Sizes are IP packet sizes (an echo payload is 28 bytes smaller).
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import struct
import time
from dataclasses import dataclass

from homediag.core.errors import NotPermitted
from homediag.core.i18n import _
from homediag.core.io import DfProbe
from homediag.core.probe import ProbeContext
from homediag.net.echo import ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST, echo_request
from homediag.net.os.df_ping import parse_df_ping

SMALL = 576
IPV6_MIN = 1280
MAX_PROBES = 14
FULL_TRIES = 4
"""Full-size packets sent before their silence counts: on a link losing 10 % each way two tries
passed for a black hole about once in 28 runs (bench1.4: wan.mtu-blackhole confirmed beside
lan.packet-loss), four about once in 770. A real black hole costs the extra waits."""
HEADERS = 28
"""IPv4 header (20) plus ICMP echo header (8)."""
IP_MTU_DISCOVER = 10
IP_PMTUDISC_PROBE = 3
ICMP_UNREACHABLE = 3
ICMP_FRAG_NEEDED = 4


Probe1 = DfProbe
"""What one DF packet of ``size`` bytes got back (:class:`homediag.core.io.DfProbe`)."""


@dataclass(frozen=True)
class MtuResult:
    """The search's conclusion."""

    small_ok: bool
    full_ok: bool | None
    path_mtu: int | None
    frag_needed: bool | None
    reported_mtu: int | None
    probes: tuple[Probe1, ...]
    exact: bool
    """The search closed in on one size (False when the packet budget ran out first)."""


class Sender:
    """Sends one DF echo of a given IP size and says what came back."""

    method = ""

    async def send(self, size: int, wait_s: float) -> Probe1:
        raise NotImplementedError

    def close(self) -> None:
        """Release the socket, if any."""


class RawSender(Sender):
    """Raw ICMP with IP_PMTUDISC_PROBE (Linux, root), through ``ctx.icmp().df_socket``: ``OSError`` or
    ``PermissionError`` when it cannot be opened."""

    method = "raw ICMP with DF"

    def __init__(self, ctx: ProbeContext, target: str) -> None:
        self.socket = ctx.icmp().df_socket(target)

    def close(self) -> None:
        """Close the raw socket."""
        self.socket.close()

    async def send(self, size: int, wait_s: float) -> Probe1:
        """One echo request of ``size`` IP bytes; its reply or a fragmentation-needed."""
        return await self.socket.send(size, wait_s)


class LiveDfSocket:
    """The live side of ``ctx.icmp().df_socket``: a raw ICMP socket with IP_PMTUDISC_PROBE."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        try:
            self.sock.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_PROBE)
        except OSError:
            self.sock.close()
            raise
        self.sock.setblocking(False)
        self.ident = (os.getpid() ^ random.getrandbits(16)) & 0xFFFF
        self.seq = 0

    def close(self) -> None:
        """Close the raw socket."""
        self.sock.close()

    async def send(self, size: int, wait_s: float) -> Probe1:
        """One echo request of ``size`` IP bytes; wait for its reply or a fragmentation-needed."""
        loop = asyncio.get_running_loop()
        self.seq = (self.seq + 1) & 0xFFFF
        payload = bytes(max(0, size - HEADERS))
        packet = echo_request(self.ident, self.seq, payload)
        try:
            await loop.sock_sendto(self.sock, packet, (self.target, 0))
        except OSError:  # EMSGSIZE: larger than the interface
            return Probe1(size, False, local=True)
        deadline = time.monotonic() + wait_s
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return Probe1(size, False)
            try:
                async with asyncio.timeout(remaining):
                    data = await loop.sock_recv(self.sock, 65535)
            except TimeoutError:
                return Probe1(size, False)
            seen = classify_icmp(data, self.ident, self.seq, self.target)
            if seen == "reply":
                return Probe1(size, True)
            if isinstance(seen, tuple):
                return Probe1(size, False, frag_needed=True, reported_mtu=seen[1] or None)


def classify_icmp(packet: bytes, ident: int, seq: int, target: str) -> str | tuple[str, int] | None:
    """``"reply"`` for our echo reply from ``target``; ``("frag", mtu)`` for a fragmentation-needed about
    our request; None for anything else. ``packet`` starts with its IPv4 header."""
    if len(packet) < 28:
        return None
    ihl = (packet[0] & 0x0F) * 4
    if ihl < 20 or len(packet) < ihl + 8:
        return None
    icmp_type, code = packet[ihl], packet[ihl + 1]
    if icmp_type == ICMP_ECHO_REPLY:
        reply_id, reply_seq = struct.unpack_from("!HH", packet, ihl + 4)
        if reply_id == ident and reply_seq == seq and socket.inet_ntoa(packet[12:16]) == target:
            return "reply"
        return None
    if icmp_type == ICMP_UNREACHABLE and code == ICMP_FRAG_NEEDED:
        (mtu,) = struct.unpack_from("!H", packet, ihl + 6)
        inner = ihl + 8
        if len(packet) < inner + 20:
            return None
        inner_ihl = (packet[inner] & 0x0F) * 4
        if inner_ihl < 20 or len(packet) < inner + inner_ihl + 8:
            return None
        if socket.inet_ntoa(packet[inner + 16 : inner + 20]) != target:
            return None
        echo = inner + inner_ihl
        inner_type = packet[echo]
        inner_id, inner_seq = struct.unpack_from("!HH", packet, echo + 4)
        if inner_type == ICMP_ECHO_REQUEST and inner_id == ident and inner_seq == seq:
            return ("frag", int(mtu))
    return None


class PingSender(Sender):
    """The system ping with DF set, one packet per run."""

    method = "system ping with DF"

    def __init__(self, ctx: ProbeContext, target: str) -> None:
        self.ctx = ctx
        self.target = target
        self.platform = ctx.session.platform.value if ctx.session.platform else "linux"

    def argv(self, size: int, wait_s: float) -> list[str]:
        """The command for one DF packet of ``size`` IP bytes."""
        payload = str(max(0, size - HEADERS))
        wait = max(1, round(wait_s))
        if self.platform == "windows":
            return ["ping", "-f", "-l", payload, "-n", "1", "-w", str(wait * 1000), self.target]
        if self.platform == "macos":
            return ["ping", "-D", "-s", payload, "-c", "1", "-W", str(wait * 1000), "-n", self.target]
        return ["ping", "-n", "-M", "do", "-s", payload, "-c", "1", "-W", str(wait), self.target]

    async def send(self, size: int, wait_s: float) -> Probe1:
        """Run ping once and read its verdict."""
        result = await self.ctx.run_command(self.argv(size, wait_s), timeout_s=wait_s + 3.0)
        parsed = parse_df_ping(result.stdout + "\n" + result.stderr)
        return Probe1(
            size,
            parsed.replied,
            frag_needed=parsed.frag_needed,
            reported_mtu=parsed.reported_mtu,
            local=parsed.local_too_big,
            unsupported=parsed.unsupported,
        )


async def search(sender: Sender, full: int, wait_s: float, max_probes: int = MAX_PROBES) -> MtuResult:
    """The bounded search of the module docstring."""
    probes: list[Probe1] = []

    async def send(size: int) -> Probe1:
        probe = await sender.send(size, wait_s)
        probes.append(probe)
        return probe

    def result(small_ok: bool, full_ok: bool | None, lo: int | None, exact: bool) -> MtuResult:
        heard = any(p.frag_needed for p in probes) or any(
            p.local and p.reported_mtu is not None and p.reported_mtu < full for p in probes
        )
        frag: bool | None = heard if full_ok is False else None
        reported = next((p.reported_mtu for p in probes if p.reported_mtu), None)
        return MtuResult(small_ok, full_ok, lo, frag, reported, tuple(probes), exact)

    small = await send(SMALL)
    if small.unsupported:
        raise NotPermitted(_("this ping cannot set the don't-fragment flag"))
    if not small.replied:
        return result(False, None, None, False)
    first = await send(full)
    if first.replied:
        return result(True, True, full, True)
    if not (first.frag_needed or first.local):
        for _retry in range(FULL_TRIES - 1):  # a lost packet must not pass for a black hole
            again = await send(full)
            if again.replied:
                return result(True, True, full, True)
            if again.frag_needed or again.local:
                break
    lo, hi = SMALL, full
    hint = next((p.reported_mtu for p in probes if p.reported_mtu), None)
    if hint is not None and lo < hint < hi:
        probe = await send(hint)
        if probe.replied:
            lo = hint
            hi = min(hi, hint + 1)  # a router said exactly this
        else:
            hi = hint
    if hi - lo > 1 and lo < IPV6_MIN < hi:  # most paths carry 1280 (IPv6's minimum): halve the range
        probe = await send(IPV6_MIN)
        if probe.replied:
            lo = IPV6_MIN
        else:
            hi = IPV6_MIN
    while hi - lo > 1 and len(probes) < max_probes:
        mid = (lo + hi) // 2
        probe = await send(mid)
        if probe.replied:
            lo = mid
        else:
            hi = mid
            if probe.reported_mtu and lo < probe.reported_mtu < hi:
                hi = probe.reported_mtu + 1
    return result(True, False, lo, hi - lo <= 1)
