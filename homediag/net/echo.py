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
import errno
import ipaddress
import itertools
import os
import random
import socket
import statistics
import struct
import time
from dataclasses import dataclass

from homediag.core.probe import ProbeContext
from homediag.net.os.ping import parse_ping

ICMP_ECHO_REQUEST = 8
ICMP_ECHO_REPLY = 0
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
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), timeout_s)
    finally:
        loop.remove_reader(sock.fileno())
        sock.close()
    return EchoSeries("raw ICMP", tuple(rtts.get(seq) for seq in range(1, count + 1)))


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
