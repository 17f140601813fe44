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

Raw sockets and TCP connects go through the context (``ctx.icmp().echo`` is :func:`raw_icmp` in a live
run; ``ctx.tcp().connect``), so a recording replays every method.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import ipaddress
import itertools
import math
import os
import random
import socket
import statistics
import struct
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from homediag.core.io import EchoSeries
from homediag.core.probe import ProbeContext
from homediag.net.os.ping import parse_ping

ICMP_ECHO_REQUEST = 8
ICMP_ECHO_REPLY = 0
STRAGGLER_MIN_S = 0.3
TCP_PORTS = (53, 80, 443)
"""Ports tried for TCP round trips; never a printer port (9100-9107, 515, 9999)."""


@dataclass(frozen=True)
class EchoStats:
    """Loss, mean, max and jitter of a series."""

    loss_pct: float
    rtt_ms: float | None
    rtt_max_ms: float | None
    jitter_ms: float | None


def summarise(samples: tuple[float | None, ...]) -> EchoStats:
    """Loss in percent, mean and max round trip, and jitter (:func:`jitter`)."""
    answered = [s for s in samples if s is not None]
    loss = 100.0 * (len(samples) - len(answered)) / len(samples) if samples else 100.0
    if not answered:
        return EchoStats(loss_pct=round(loss, 2), rtt_ms=None, rtt_max_ms=None, jitter_ms=None)
    value = jitter(answered)
    return EchoStats(
        loss_pct=round(loss, 2),
        rtt_ms=round(statistics.fmean(answered), 3),
        rtt_max_ms=round(max(answered), 3),
        jitter_ms=round(value, 3) if value is not None else 0.0,
    )


SPIKE_FACTOR = 4.0
"""A round trip this many times the median consecutive difference above both neighbours ..."""
SPIKE_MIN_MS = 5.0
"""... and at least this much above them is an isolated spike."""
SPIKE_SHARE = 0.1
"""At most this share of the answers is left out as isolated spikes (at least one from 10 answers)."""


def isolated_spikes(rtts: Sequence[float]) -> list[int]:
    """Indexes of isolated spikes: single answers far above both neighbours (one late reply, a
    scheduling hiccup of a loaded computer), at most :data:`SPIKE_SHARE` of them, the highest first.

    Steady variation is hardly ever a spike: for normally distributed delay, fewer than 1 answer in
    1 000 is taken for one, and the jitter comes out 0.5 % lower on average (2 000 simulated series of
    20 and of 60). Late answers that come often are no spikes either (the median difference grows with
    them); the cap means a path where more than a tenth of the answers come late is still jittery."""
    if len(rtts) < 10:
        return []
    diffs = [abs(b - a) for a, b in itertools.pairwise(rtts)]
    bar = max(SPIKE_MIN_MS, SPIKE_FACTOR * statistics.median(diffs))
    found = [
        i
        for i in range(1, len(rtts) - 1)
        if rtts[i] - rtts[i - 1] > bar and rtts[i] - rtts[i + 1] > bar
    ]
    found.sort(key=lambda i: -rtts[i])
    return sorted(found[: int(len(rtts) * SPIKE_SHARE)])


def jitter(rtts: Sequence[float]) -> float | None:
    """Mean difference of consecutive round trips (RFC 3550's measure, unsmoothed), with isolated
    spikes (:func:`isolated_spikes`) left out: one late reply among 20 would otherwise add twice its
    delay / 19 (a 300 ms hiccup: 30 ms, the threshold). None for fewer than two answers."""
    spikes = set(isolated_spikes(rtts))
    kept = [r for i, r in enumerate(rtts) if i not in spikes]
    diffs = [abs(b - a) for a, b in itertools.pairwise(kept)]
    return statistics.fmean(diffs) if diffs else None


def jitter_near(value: float | None, threshold: float, band: float = 0.5) -> bool:
    """Whether a jitter ``value`` is within ``band`` (a share) of ``threshold`` either way, where the
    chance of a short series landing on the wrong side is real and more samples pay."""
    return value is not None and threshold > 0 and abs(value - threshold) <= band * threshold


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
    sent_wall: dict[int, float] = {}
    rtts: dict[int, float] = {}
    done = asyncio.Event()
    stamped = _kernel_timestamps(sock)

    def on_readable() -> None:
        while True:
            try:
                packet, ancillary, _flags, _address = sock.recvmsg(2048, socket.CMSG_SPACE(16))
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
                late = (now - sent_at[seq]) * 1000.0
                arrived = _received_at(ancillary) if stamped else None
                kernel = None if arrived is None else (arrived - sent_wall[seq]) * 1000.0
                # the kernel's receive time, not when this loop got round to the reply (a loaded
                # computer adds tens of ms there); the loop's own time if the stamp makes no sense
                rtts[seq] = kernel if kernel is not None and 0.0 <= kernel <= late + 1.0 else late
                if len(rtts) == count:
                    done.set()

    loop.add_reader(sock.fileno(), on_readable)
    try:
        for seq in range(1, count + 1):
            sent_wall[seq] = time.time()
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


SO_TIMESTAMP = 29
"""Linux's socket option for receive time stamps (``struct timeval``); Python names no constant."""


def _kernel_timestamps(sock: socket.socket) -> bool:
    """Ask the kernel to stamp every received packet (Linux); whether it agreed."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMP, 1)
    except OSError:
        return False
    return True


def _received_at(ancillary: list[tuple[int, int, bytes]]) -> float | None:
    """The kernel's receive time (wall clock, seconds) from ``recvmsg``'s ancillary data."""
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMP and len(data) >= 16:
            seconds, micros = struct.unpack("@qq", data[:16])
            return float(seconds) + float(micros) / 1e6
    return None


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


async def tcp_connect(
    ctx: ProbeContext, target: str, count: int, interval_s: float, timeout_s: float
) -> EchoSeries:
    """Round trips of TCP handshakes (``ctx.tcp()``) to the first port that answers."""
    client = ctx.tcp()
    port = None
    first: float | None = None
    for candidate in TCP_PORTS:
        first = (await client.connect(target, candidate, timeout_s)).answered_ms
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
        samples.append((await client.connect(target, port, timeout_s)).answered_ms)
    return EchoSeries(f"TCP connect (port {port})", tuple(samples))


async def measure(
    ctx: ProbeContext, target: str, *, count: int, interval_s: float, timeout_s: float
) -> EchoSeries:
    """Measure with the best method this computer allows, falling back as the module says."""
    raw_ok = ctx.session.platform is None or ctx.session.platform.value != "windows"
    if ctx.session.privileged and raw_ok and ipaddress.ip_address(target).version == 4:
        try:
            return await ctx.icmp().echo(target, count, interval_s, timeout_s)
        except PermissionError:
            pass
    if ctx.which("ping"):
        series = await system_ping(ctx, target, count, max(interval_s, 0.2), timeout_s)
        if series.received or series.note is None:
            return series
    return await tcp_connect(ctx, target, count, interval_s, timeout_s)


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
    more_if: Callable[[list[EchoSeries]], bool] | None = None,
) -> list[EchoSeries]:
    """Sequential sampling of several paths at once: ``min_count`` echoes to every target together,
    then, only when :func:`ambiguous` says so (or ``more_if`` of the first series, e.g. a jitter
    near its threshold), more up to ``max_count``. One series per target."""
    test = test or LossTest()
    min_count = max(1, min(min_count, max_count))
    first = list(
        await asyncio.gather(
            *(measure(ctx, t, count=min_count, interval_s=interval_s, timeout_s=timeout_s) for t in targets)
        )
    )
    extra = max_count - min_count
    if extra <= 0:
        return first
    if not ambiguous([test.verdict(s.samples) for s in first]) and not (more_if and more_if(first)):
        return first
    more = await asyncio.gather(
        *(measure(ctx, t, count=extra, interval_s=interval_s, timeout_s=timeout_s) for t in targets)
    )
    return [joined(a, b) for a, b in zip(first, more, strict=True)]
