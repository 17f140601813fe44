"""Round-trip measurements to one host: raw ICMP echo, the system ``ping``, or TCP connects.

The method depends on what this computer allows (docs/architecture.md#safety-of-scanning):

1. **Raw ICMP** (root or administrator): echo requests on a raw socket, paced, each matched to its reply by
   identifier, sequence and source. A dozen lines of ICMP are simpler and faster here than scapy's
   ``sr()``, which costs half a second to import and a sniffer thread per call; scapy stays for ARP and
   DHCP, where building frames by hand would be the larger risk.
2. **System ping** (unprivileged, where ``ping`` exists: it carries the privilege itself). Unprivileged
   ICMP datagram sockets are not used: ``net.ipv4.ping_group_range`` often forbids them.
3. **TCP connect** to a few ports: a SYN-ACK or a RST both prove the host answered. It cannot tell a host
   that is down from one that drops TCP, which the result says.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import errno
import ipaddress
import itertools
import math
import os
import random
import socket
import statistics
import struct
import time
from collections.abc import Sequence
from dataclasses import dataclass

from homediag.core.probe import ProbeContext
from homediag.net.os.ping import parse_ping

ICMP_ECHO_REQUEST = 8
ICMP_ECHO_REPLY = 0
STRAGGLER_MIN_S = 0.3
TCP_PORTS = (53, 80, 443)
"""Ports tried for TCP round trips; never a printer port (9100-9107, 515, 9999)."""


@dataclass(frozen=True)
class EchoSeries:
    """Round trips in ms, one per request, None where no answer came."""

    method: str
    samples: tuple[float | None, ...]
    note: str | None = None

    @property
    def sent(self) -> int:
        """Requests sent."""
        return len(self.samples)

    @property
    def received(self) -> int:
        """Answers received."""
        return sum(1 for s in self.samples if s is not None)


@dataclass(frozen=True)
class EchoStats:
    """Loss, mean, max and jitter of a series."""

    loss_pct: float
    rtt_ms: float | None
    rtt_max_ms: float | None
    jitter_ms: float | None


def summarise(samples: tuple[float | None, ...]) -> EchoStats:
    """Loss in percent, mean and max round trip, and jitter (mean difference of consecutive answers)."""
    answered = [s for s in samples if s is not None]
    loss = 100.0 * (len(samples) - len(answered)) / len(samples) if samples else 100.0
    if not answered:
        return EchoStats(loss_pct=round(loss, 2), rtt_ms=None, rtt_max_ms=None, jitter_ms=None)
    diffs = [abs(b - a) for a, b in itertools.pairwise(answered)]
    return EchoStats(
        loss_pct=round(loss, 2),
        rtt_ms=round(statistics.fmean(answered), 3),
        rtt_max_ms=round(max(answered), 3),
        jitter_ms=round(statistics.fmean(diffs), 3) if diffs else 0.0,
    )


def icmp_checksum(data: bytes) -> int:
    """The Internet checksum (RFC 1071) of ``data``."""
    if len(data) % 2:
        data += b"\x00"
    total = int(sum(struct.unpack(f"!{len(data) // 2}H", data)))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def echo_request(ident: int, seq: int, payload: bytes | None = None) -> bytes:
    """An ICMP echo request with ``ident``, ``seq`` and ``payload`` (default: a send time and a tag)."""
    if payload is None:
        payload = struct.pack("!d", time.monotonic()) + b"homediag"
    header = struct.pack("!BBHHH", ICMP_ECHO_REQUEST, 0, 0, ident, seq)
    checksum = icmp_checksum(header + payload)
    return struct.pack("!BBHHH", ICMP_ECHO_REQUEST, 0, checksum, ident, seq) + payload


def parse_echo_reply(packet: bytes, ident: int) -> tuple[str, int] | None:
    """(source address, sequence) of an ICMP echo reply with our identifier in an IPv4 packet."""
    if len(packet) < 28:
        return None
    ihl = (packet[0] & 0x0F) * 4
    if ihl < 20 or len(packet) < ihl + 8:
        return None
    icmp_type, _code, _sum, reply_id, seq = struct.unpack("!BBHHH", packet[ihl : ihl + 8])
    if icmp_type != ICMP_ECHO_REPLY or reply_id != ident:
        return None
    return socket.inet_ntoa(packet[12:16]), seq


async def raw_icmp(target: str, count: int, interval_s: float, timeout_s: float) -> EchoSeries:
    """Echo requests on a raw socket (needs root); raises PermissionError without it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    sock.setblocking(False)
    loop = asyncio.get_running_loop()
    ident = (os.getpid() ^ random.getrandbits(16)) & 0xFFFF
    sent_at: dict[int, float] = {}
    rtts: dict[int, float] = {}
    done = asyncio.Event()

    def on_readable() -> None:
        while True:
            try:
                packet = sock.recv(2048)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            now = time.monotonic()
            parsed = parse_echo_reply(packet, ident)
            if parsed is None or parsed[0] != target:
                continue
            seq = parsed[1]
            if seq in sent_at and seq not in rtts:
                rtts[seq] = (now - sent_at[seq]) * 1000.0
                if len(rtts) == count:
                    done.set()

    loop.add_reader(sock.fileno(), on_readable)
    try:
        for seq in range(1, count + 1):
            sent_at[seq] = time.monotonic()
            with contextlib.suppress(OSError):  # "network unreachable": counts as lost
                sock.sendto(echo_request(ident, seq), (target, 0))
            if seq < count:
                await asyncio.sleep(interval_s)
        # Wait for the stragglers: at most timeout_s, but once answers came, no longer than a few
        # times the slowest of them (a reply that late is lost for any use), so a lossy path does not
        # cost the whole timeout every time.
        wait_until = time.monotonic() + timeout_s
        while not done.is_set():
            now = time.monotonic()
            limit = wait_until
            if rtts:
                limit = min(limit, sent_at[count] + straggler_wait_s(max(rtts.values()), timeout_s))
            if now >= limit:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), min(limit - now, 0.05))
    finally:
        loop.remove_reader(sock.fileno())
        sock.close()
    return EchoSeries("raw ICMP", tuple(rtts.get(seq) for seq in range(1, count + 1)))


def straggler_wait_s(slowest_ms: float, timeout_s: float) -> float:
    """How long to wait after the last request once answers came: three times the slowest round
    trip seen, at least 0.3 s, at most ``timeout_s``."""
    return min(timeout_s, max(STRAGGLER_MIN_S, 3.0 * slowest_ms / 1000.0))


async def system_ping(
    ctx: ProbeContext, target: str, count: int, interval_s: float, timeout_s: float
) -> EchoSeries:
    """The system ``ping`` (unprivileged); its output parsed by structure, in any language."""
    platform = ctx.session.platform.value if ctx.session.platform else "linux"
    wait = max(1, round(timeout_s))
    if platform == "windows":
        argv = ["ping", "-n", str(count), "-w", str(wait * 1000), target]
    elif platform == "macos":
        argv = [
            "ping",
            "-n",
            "-c",
            str(count),
            "-i",
            f"{interval_s:g}",
            "-W",
            str(wait * 1000),
            target,
        ]
    else:
        argv = ["ping", "-n", "-c", str(count), "-i", f"{interval_s:g}", "-W", str(wait), target]
    budget = count * interval_s + timeout_s + 2.0
    result = await ctx.run_command(argv, timeout_s=budget)
    parsed = parse_ping(result.stdout)
    first_seq = 0 if platform == "macos" or parsed.zero_based else 1
    by_seq = {r.seq: r.rtt_ms for r in parsed.replies if r.seq is not None}
    if by_seq:
        samples = tuple(by_seq.get(first_seq + i) for i in range(count))
    else:
        rtts = [r.rtt_ms for r in parsed.replies][:count]
        samples = tuple([*rtts, *([None] * (count - len(rtts)))])
    note = None
    if result.returncode not in (0, 1) and not parsed.replies:
        note = (
            (result.stderr or result.stdout).strip().splitlines()[0][:200]
            if (result.stderr or result.stdout).strip()
            else f"ping exited with {result.returncode}"
        )
    return EchoSeries("system ping", samples, note)


async def _tcp_rtt(target: str, port: int, timeout_s: float) -> float | None:
    loop = asyncio.get_running_loop()
    family = socket.AF_INET6 if ipaddress.ip_address(target).version == 6 else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setblocking(False)
    started = time.monotonic()
    try:
        async with asyncio.timeout(timeout_s):
            await loop.sock_connect(sock, (target, port))
    except ConnectionRefusedError:
        pass  # a RST is an answer
    except TimeoutError:
        return None
    except OSError as exc:
        if exc.errno in (errno.ECONNREFUSED, errno.ECONNRESET):
            pass
        else:
            return None
    finally:
        sock.close()
    return (time.monotonic() - started) * 1000.0


async def tcp_connect(target: str, count: int, interval_s: float, timeout_s: float) -> EchoSeries:
    """Round trips of TCP handshakes to the first port that answers."""
    port = None
    first: float | None = None
    for candidate in TCP_PORTS:
        first = await _tcp_rtt(target, candidate, timeout_s)
        if first is not None:
            port = candidate
            break
    if port is None:
        return EchoSeries(
            "TCP connect",
            tuple([None] * count),
            "no answer on TCP ports 53, 80, 443 (a firewall may drop TCP)",
        )
    samples: list[float | None] = [first]
    for _ in range(count - 1):
        await asyncio.sleep(interval_s)
        samples.append(await _tcp_rtt(target, port, timeout_s))
    return EchoSeries(f"TCP connect (port {port})", tuple(samples))


async def measure(
    ctx: ProbeContext, target: str, *, count: int, interval_s: float, timeout_s: float
) -> EchoSeries:
    """Measure with the best method this computer allows, falling back as the module says."""
    raw_ok = ctx.session.platform is None or ctx.session.platform.value != "windows"
    if ctx.session.privileged and raw_ok and ipaddress.ip_address(target).version == 4:
        try:
            return await raw_icmp(target, count, interval_s, timeout_s)
        except PermissionError:
            pass
    if ctx.which("ping"):
        series = await system_ping(ctx, target, count, max(interval_s, 0.2), timeout_s)
        if series.received or series.note is None:
            return series
    return await tcp_connect(target, count, interval_s, timeout_s)


class LossVerdict(enum.Enum):
    """What a series of echoes says about loss on its path, as far as it goes."""

    CLEAN = "clean"
    LOSSY = "lossy"
    SILENT = "silent"
    """Nothing answered at all (the target drops echo, or the path is down)."""
    OPEN = "open"
    """Not enough samples to tell."""


@dataclass(frozen=True)
class LossTest:
    """Wald's sequential probability ratio test of a path's loss: ``p0`` (a clean path) against ``p1``
    (a lossy one), with error rates ``alpha`` (calling a clean path lossy) and ``beta`` (the reverse).

    With the defaults, 19 answered echoes in a row decide "clean"; two losses in twenty decide
    "lossy"; one loss in twenty leaves it open, and more samples are taken. The probe still reports
    the measured loss; the test only decides when sampling may stop.
    """

    p0: float = 0.005
    p1: float = 0.15
    alpha: float = 0.05
    beta: float = 0.05

    def verdict(self, samples: Sequence[float | None]) -> LossVerdict:
        """The verdict of ``samples`` (None: lost)."""
        n = len(samples)
        lost = sum(1 for s in samples if s is None)
        if n == 0:
            return LossVerdict.OPEN
        if lost == n:
            return LossVerdict.SILENT
        llr = lost * math.log(self.p1 / self.p0) + (n - lost) * math.log((1 - self.p1) / (1 - self.p0))
        if llr >= math.log((1 - self.beta) / self.alpha):
            return LossVerdict.LOSSY
        if llr <= math.log(self.beta / (1 - self.alpha)):
            return LossVerdict.CLEAN
        return LossVerdict.OPEN


def ambiguous(verdicts: Sequence[LossVerdict]) -> bool:
    """Whether more samples are needed: some path is still open, or some paths are clean while
    others lose (loss on the shared path hits every target, so disagreement is a chance result until
    more samples say otherwise). A silent target (one that drops echo) does not count."""
    if LossVerdict.OPEN in verdicts:
        return True
    return LossVerdict.CLEAN in verdicts and LossVerdict.LOSSY in verdicts


def joined(first: EchoSeries, more: EchoSeries) -> EchoSeries:
    """Two series to one target, one after the other."""
    note = "; ".join(n for n in (first.note, more.note) if n) or None
    return EchoSeries(first.method, first.samples + more.samples, note)


async def measure_paths(
    ctx: ProbeContext,
    targets: Sequence[str],
    *,
    min_count: int,
    max_count: int,
    interval_s: float,
    timeout_s: float,
    test: LossTest | None = None,
) -> list[EchoSeries]:
    """Sequential sampling of several paths at once: ``min_count`` echoes to every target together,
    then, only when :func:`ambiguous` says so, more up to ``max_count``. One series per target."""
    test = test or LossTest()
    min_count = max(1, min(min_count, max_count))
    first = list(
        await asyncio.gather(
            *(measure(ctx, t, count=min_count, interval_s=interval_s, timeout_s=timeout_s) for t in targets)
        )
    )
    extra = max_count - min_count
    if extra <= 0 or not ambiguous([test.verdict(s.samples) for s in first]):
        return first
    more = await asyncio.gather(
        *(measure(ctx, t, count=extra, interval_s=interval_s, timeout_s=timeout_s) for t in targets)
    )
    return [joined(a, b) for a, b in zip(first, more, strict=True)]
