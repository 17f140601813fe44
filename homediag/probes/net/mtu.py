"""``net.mtu``: the largest packet that crosses the path to an internet target, and whether routers say
so when a packet is too large.

Safe: at most 12 echo requests with "don't fragment" (DF) set, to one configured internet target:
one small (576 bytes, which every IPv4 path carries), one of the interface's MTU (normally 1500), a
second one of that size when the first vanished without a word, then the size a fragmentation-needed
named (if any), 1280, and a binary search in the half that remains (exact to the byte above 1280).
An MTU black hole (``wan.mtu-blackhole``) shows as: small packets answered, large ones vanish, and no
ICMP fragmentation-needed comes back.

Methods, best first:

1. **Raw ICMP** (Linux, root): echo requests on a raw socket with ``IP_MTU_DISCOVER =
   IP_PMTUDISC_PROBE`` (DF set, the kernel's cached path MTU ignored, so every size really goes out);
   the same socket receives the echo replies and any ICMP fragmentation-needed naming our packets;
2. **The system ping**: ``ping -M do -s SIZE -c 1`` (Linux iputils; once the kernel learned a smaller
   path MTU from a fragmentation-needed, larger sizes fail locally with ``mtu=N``, which also proves a
   fragmentation-needed arrived), ``ping -D -s`` (macOS), ``ping -f -l`` (Windows);
3. otherwise ``not_permitted``: no unprivileged way to set DF here.

Sizes are IP packet sizes (an echo payload is 28 bytes smaller). IPv4 only: IPv6 routers never
fragment, and their "packet too big" is a different question.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import random
import socket
import struct
import time
from dataclasses import dataclass

from homediag.core.errors import NotApplicable, NotPermitted
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import Privilege, ProbeArg, ProbeSpec, Risk
from homediag.probes.net.echo import ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST, echo_request
from homediag.probes.parsers._common import parse_int
from homediag.probes.parsers.df_ping import parse_df_ping

SMALL = 576
IPV6_MIN = 1280
MAX_PROBES = 12
HEADERS = 28
"""IPv4 header (20) plus ICMP echo header (8)."""
IP_MTU_DISCOVER = 10
IP_PMTUDISC_PROBE = 3
ICMP_UNREACHABLE = 3
ICMP_FRAG_NEEDED = 4


@dataclass(frozen=True)
class Probe1:
    """What one DF packet of ``size`` bytes got back."""

    size: int
    replied: bool
    frag_needed: bool = False
    reported_mtu: int | None = None
    local: bool = False
    """It never left this computer (larger than the interface or the path MTU the kernel knows)."""
    unsupported: bool = False


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


class _Sender:
    """Sends one DF echo of a given IP size and says what came back."""

    method = ""

    async def send(self, size: int, wait_s: float) -> Probe1:
        raise NotImplementedError

    def close(self) -> None:
        """Release the socket, if any."""


class RawSender(_Sender):
    """Raw ICMP with IP_PMTUDISC_PROBE (Linux, root)."""

    method = "raw ICMP with DF"

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


class PingSender(_Sender):
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


async def search(sender: _Sender, full: int, wait_s: float, max_probes: int = MAX_PROBES) -> MtuResult:
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
        second = await send(full)  # one loss must not pass for a black hole
        if second.replied:
            return result(True, True, full, True)
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


class MtuProbe(Probe):
    """Path MTU to an internet target, and whether fragmentation-needed comes back."""

    spec = ProbeSpec(
        id="net.mtu",
        summary="The path MTU to an internet target and whether routers report packets too large",
        risk=Risk.SAFE,
        timeout_s=20.0,
        needs=("interface.name",),
        provides=(
            "mtu.target",
            "mtu.small_ok",
            "mtu.full_ok",
            "mtu.path_mtu",
            "mtu.frag_needed",
            "mtu.reported_mtu",
            "mtu.probes_sent",
        ),
        privilege=Privilege.RAW_SOCKET,
        fallback="the system ping with DF set (ping -M do / -D / -f), one packet per run",
        binaries=("ping",),
        args=(
            ProbeArg("target", "str", "", "Measure to this IPv4 address (default: the first ping target)"),
            ProbeArg("wait_s", "float", 1.0, "Seconds to wait for each answer"),
        ),
        description=(
            f"Sends at most {MAX_PROBES} echo requests with the don't-fragment flag to one internet "
            f"target: {SMALL} bytes, the interface's MTU (twice when the first vanishes), then a binary "
            "search; reports the largest size answered and whether ICMP fragmentation-needed came "
            "back. IPv4 only; never fragments, never sends to anything but the configured target."
        ),
    )

    def applicable(self, ctx: ProbeContext) -> str | None:
        """Not applicable without an IPv4 internet target."""
        if _target(ctx) is None:
            return _("no IPv4 internet target is configured")
        return None

    async def run(self, ctx: ProbeContext) -> None:
        """Search, then observe."""
        target = _target(ctx)
        if target is None:  # pragma: no cover - applicable() said so
            raise NotApplicable(_("no IPv4 internet target is configured"))
        ctx.observe("mtu.target", target)
        full = self._interface_mtu(ctx)
        wait = max(0.2, min(float(ctx.arg("wait_s")), 3.0))
        sender = self._sender(ctx, target)
        ctx.using(sender.method)
        try:
            async with asyncio.timeout(max(0.1, ctx.remaining() - 0.3)):
                outcome = await search(sender, full, wait)
        finally:
            sender.close()
        sent = len(outcome.probes)
        trail = ", ".join(f"{p.size}:{_verdict(p)}" for p in outcome.probes)
        ctx.observe("mtu.probes_sent", sent, evidence=trail)
        ctx.observe(
            "mtu.small_ok",
            outcome.small_ok,
            evidence=None
            if outcome.small_ok
            else _("{target} did not answer a small packet").format(target=target),
        )
        ctx.observe("mtu.full_ok", outcome.full_ok)
        evidence = None
        if outcome.path_mtu is not None and not outcome.exact:
            evidence = _("at least {mtu} bytes (packet budget used up)").format(mtu=outcome.path_mtu)
            ctx.limit("packets")
        ctx.observe("mtu.path_mtu", outcome.path_mtu, evidence=evidence)
        if outcome.frag_needed is None:
            frag_evidence = _("no packet was too large for the path")
        elif outcome.frag_needed:
            frag_evidence = _("a router reported MTU {mtu}").format(mtu=outcome.reported_mtu)
        else:
            frag_evidence = _("packets larger than {mtu} bytes vanished without a word").format(
                mtu=outcome.path_mtu
            )
        ctx.observe("mtu.frag_needed", outcome.frag_needed, evidence=frag_evidence)
        ctx.observe("mtu.reported_mtu", outcome.reported_mtu)

    def _interface_mtu(self, ctx: ProbeContext) -> int:
        name = ctx.fact("interface.name")
        if isinstance(name, str) and "/" not in name:
            text = ctx.system.read_text(f"/sys/class/net/{name}/mtu", max_bytes=32)
            value = parse_int(text) if text and len(text.strip()) <= 6 else None
            if value is not None:
                return max(SMALL + 2, min(value, 1500))
        return 1500

    def _sender(self, ctx: ProbeContext, target: str) -> _Sender:
        linux = ctx.session.platform is None or ctx.session.platform.value == "linux"
        if ctx.session.privileged and linux:
            with contextlib.suppress(PermissionError, OSError):
                return RawSender(target)
        if ctx.which("ping"):
            return PingSender(ctx, target)
        raise NotPermitted(_("sending packets with the don't-fragment flag needs root or the system ping"))


def _verdict(probe: Probe1) -> str:
    if probe.replied:
        return "ok"
    if probe.frag_needed:
        return "frag-needed"
    return "local" if probe.local else "lost"


def _target(ctx: ProbeContext) -> str | None:
    candidates = [str(ctx.arg("target"))] if ctx.arg("target") else list(ctx.config.internet.ping_targets)
    for text in candidates:
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            continue
        if address.version == 4:
            return str(address)
    return None
