"""``net.mtu``: the largest packet that crosses the path to an internet target, and whether routers say
so when a packet is too large.

Safe: at most 14 echo requests with "don't fragment" (DF) set, to one configured internet target:
one small (576 bytes, which every IPv4 path carries), one of the interface's MTU (normally 1500), up to
three more of that size while they vanish without a word (a lossy link must not pass for a black
hole), then the size a fragmentation-needed named (if any), 1280, and a binary search in the half
that remains (exact to the byte above 1280).
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

from pydantic import Field

from homediag.core.errors import NotApplicable, NotPermitted
from homediag.core.facts import Fact
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import Privilege, ProbeArgs, ProbeSpec, Risk
from homediag.net.mtu import FULL_TRIES, MAX_PROBES, SMALL, PingSender, Probe1, RawSender, Sender, search
from homediag.net.os._common import parse_int


class MtuArgs(ProbeArgs):
    """Arguments of ``net.mtu`` (config: ``probes.net.mtu``)."""

    target: str = Field("", description="Measure to this IPv4 address (default: the first ping target)")
    wait_s: float = Field(1.0, description="Seconds to wait for each answer")


class MtuProbe(Probe):
    """Path MTU to an internet target, and whether fragmentation-needed comes back."""

    spec = ProbeSpec(
        id="net.mtu",
        summary="The path MTU to an internet target and whether routers report packets too large",
        risk=Risk.SAFE,
        timeout_s=20.0,
        needs=("interface.name",),
        provides=(
            Fact(
                "mtu.target",
                str,
                "The internet address the path MTU was measured to",
                not_judged="context of the MTU measurement",
            ),
            Fact("mtu.small_ok", bool, "A small (576-byte) packet with DF set got an answer"),
            Fact("mtu.full_ok", bool, "A full-size (1500-byte) packet with DF set got an answer"),
            Fact(
                "mtu.path_mtu",
                int,
                "Largest packet with DF set (IP total length) that got an answer",
                unit="bytes",
                not_judged=(
                    "the black hole is judged from mtu.full_ok and mtu.frag_needed; the size is evidence"
                ),
            ),
            Fact(
                "mtu.frag_needed",
                bool,
                "An ICMP fragmentation-needed message came back for a packet that was too large",
            ),
            Fact(
                "mtu.reported_mtu",
                int,
                "The next-hop MTU a fragmentation-needed message named",
                unit="bytes",
                not_judged="evidence detail of mtu.frag_needed",
            ),
            Fact(
                "mtu.probes_sent",
                int,
                "Packets sent to measure the path MTU",
                not_judged="coverage of the MTU measurement",
            ),
        ),
        privilege=Privilege.RAW_SOCKET,
        fallback="the system ping with DF set (ping -M do / -D / -f), one packet per run",
        binaries=("ping",),
        args=MtuArgs,
        description=(
            f"Sends at most {MAX_PROBES} echo requests with the don't-fragment flag to one internet "
            f"target: {SMALL} bytes, the interface's MTU (up to {FULL_TRIES} times while it vanishes "
            "without a word), then a binary "
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
        wait = max(0.2, min(ctx.args_as(MtuArgs).wait_s, 3.0))
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

    def _sender(self, ctx: ProbeContext, target: str) -> Sender:
        linux = ctx.session.platform is None or ctx.session.platform.value == "linux"
        if ctx.session.privileged and linux:
            with contextlib.suppress(PermissionError, OSError):
                return RawSender(ctx, target)
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
    args = ctx.args_as(MtuArgs)
    candidates = [args.target] if args.target else list(ctx.config.internet.ping_targets)
    for text in candidates:
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            continue
        if address.version == 4:
            return str(address)
    return None
