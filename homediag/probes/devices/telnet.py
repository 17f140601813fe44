"""``devices.telnet``: devices that offer Telnet (TCP port 23).

Active: one TCP connection attempt to port 23 of every device discovery found (at most 256; 32 at a
time, at most 100 per second, 1.5 s each). A completed handshake is closed at once: nothing is read or
sent, no banner is grabbed, no login is tried.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import time

from homediag.core.devices import ROLE_SELF
from homediag.core.facts import Fact
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import ProbeSpec, Risk

TELNET_PORT = 23
MAX_TARGETS = 256
CONCURRENCY = 32
PER_SECOND = 100.0


async def port_open(ctx: ProbeContext, address: str, port: int, *, timeout_s: float) -> bool:
    """Whether a TCP handshake with ``address:port`` (``ctx.tcp()``) completes within ``timeout_s``
    (then closed)."""
    return (await ctx.tcp().connect(address, port, timeout_s)).ok


class TelnetProbe(Probe):
    """Telnet offered on the LAN."""

    spec = ProbeSpec(
        id="devices.telnet",
        summary="Which devices accept connections on the Telnet port 23",
        risk=Risk.ACTIVE,
        timeout_s=8.0,
        needs=("discovery.devices",),
        provides=(
            Fact(
                "security.telnet_open",
                list[str],
                "Addresses that accept TCP connections on the Telnet port 23",
            ),
            Fact(
                "security.telnet_checked",
                int,
                "Devices whose Telnet port was tried",
                not_judged="coverage of the Telnet check: security.telnet_open is judged",
            ),
        ),
        description=(
            "Attempts one TCP connection to port 23 of every discovered device (at most 256; 32 at a "
            "time, 100 per second, 1.5 s each) and closes it at once. Reads and sends nothing: no "
            "banner, no login."
        ),
    )

    async def run(self, ctx: ProbeContext) -> None:
        """Try port 23 everywhere."""
        targets: list[str] = []
        for device in ctx.known.devices():
            if device.ip and not any(e.claim == ROLE_SELF for e in device.evidence):
                with contextlib.suppress(ValueError):
                    ipaddress.IPv4Address(device.ip)
                    targets.append(device.ip)
        targets = sorted(set(targets), key=ipaddress.IPv4Address)
        if len(targets) > MAX_TARGETS:
            targets = targets[:MAX_TARGETS]
            ctx.limit("telnet targets")
        semaphore = asyncio.Semaphore(CONCURRENCY)
        timeout = max(0.3, min(1.5, ctx.remaining() / 3))
        started = time.monotonic()
        open_: list[str] = []

        async def one(index: int, address: str) -> None:
            delay = started + index / PER_SECOND - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            async with semaphore:
                if await port_open(ctx, address, TELNET_PORT, timeout_s=timeout):
                    open_.append(address)

        await asyncio.gather(*(one(i, a) for i, a in enumerate(targets)))
        open_.sort(key=ipaddress.IPv4Address)
        ctx.observe(
            "security.telnet_open",
            open_,
            evidence=(
                _("Telnet (port 23) accepted at {ips}").format(ips=", ".join(open_[:5]))
                if open_
                else _("none of {n} devices accepts Telnet").format(n=len(targets))
            ),
        )
        ctx.observe("security.telnet_checked", len(targets))
