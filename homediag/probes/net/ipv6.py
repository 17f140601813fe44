"""``net.ipv6``: is IPv6 configured (a global address and a default route), and does it reach the internet?

Safe: reads the interface's addresses (from ``net.interfaces``) and the kernel's IPv6 routes (Linux:
``ip -6 route show default``, which says whether the route came from a router advertisement, ``proto
ra``; elsewhere the default IPv6 gateway that ``net.interfaces`` found), then sends three echo requests
to each of ``internet.ipv6_targets`` (at most four) with the system ``ping``, falling back to TCP
connects. It does not listen for router advertisements itself: the kernel's state already says what
the advertisements taught it.

``ipv6.broken`` is for the playbooks to judge: ``ipv6.configured`` true and ``ipv6.internet_ok`` false.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Sequence

from pydantic import Field

from homediag.core.facts import Fact, Privacy
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import Privilege, ProbeArgs, ProbeSpec, Risk
from homediag.net.echo import measure, summarise
from homediag.net.errors import ParseError
from homediag.net.os.ip_route import default_route_hops, parse_ip_route

GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")
MAX_TARGETS = 4
ROUTE_SOURCES = {"ra": "ra", "dhcp": "dhcp", "static": "static", "boot": "static", "kernel": "kernel"}


def global_addresses(values: Sequence[object] | None) -> list[ipaddress.IPv6Interface]:
    """Global unicast addresses (2000::/3) among ``interface.ipv6`` values (``addr/prefix`` strings)."""
    found: list[ipaddress.IPv6Interface] = []
    for value in values or ():
        try:
            interface = ipaddress.IPv6Interface(str(value).split("%", 1)[0])
        except ValueError:
            continue
        if interface.ip in GLOBAL_UNICAST:
            found.append(interface)
    return found


class Ipv6Args(ProbeArgs):
    """Arguments of ``net.ipv6`` (config: ``probes.net.ipv6``)."""

    count: int = Field(
        5, description="Echo requests per IPv6 target (5: a line losing a fifth of them still answers one)"
    )
    timeout_s: float = Field(1.0, description="Seconds to wait for the last answer")


class Ipv6Probe(Probe):
    """IPv6 addressing, default route and reachability."""

    spec = ProbeSpec(
        id="net.ipv6",
        summary="Whether IPv6 is configured (global address, default route) and reaches the internet",
        risk=Risk.SAFE,
        timeout_s=12.0,
        needs=("interface.name", "interface.ipv6", "gateway.ipv6"),
        provides=(
            Fact(
                "ipv6.global_addresses",
                list[str],
                "Global unicast IPv6 addresses of the interface",
                privacy=Privacy.DROP,
                not_judged="personal data for the report; ipv6.configured is judged",
            ),
            Fact(
                "ipv6.has_global",
                bool,
                "The interface has a global unicast IPv6 address",
                not_judged="summed up in ipv6.configured, which is judged",
            ),
            Fact(
                "ipv6.default_route",
                bool,
                "An IPv6 default route exists",
                not_judged="summed up in ipv6.configured, which is judged",
            ),
            Fact(
                "ipv6.route_source",
                str,
                "Where the IPv6 default route came from: ra, dhcp, static, kernel, unknown",
                not_judged="context: where the route came from is no fault by itself",
            ),
            Fact("ipv6.configured", bool, "A global IPv6 address and a default route are both set"),
            Fact(
                "ipv6.target_ok",
                bool,
                "This IPv6 target answered (subject: target)",
                not_judged="per-target detail of ipv6.internet_ok, which is judged",
            ),
            Fact(
                "ipv6.target_rtt_ms",
                float,
                "Mean round trip over IPv6 (subject: target)",
                unit="ms",
                not_judged="per-target detail; no threshold for IPv6 round trips",
            ),
            Fact("ipv6.internet_ok", bool, "At least one IPv6 internet target answered"),
        ),
        privilege=Privilege.NONE,
        binaries=("ip", "ping"),
        args=Ipv6Args,
        description=(
            "Reads the interface's global IPv6 addresses and the kernel's IPv6 default route (Linux: ip "
            "-6 route, which tells a route learned from router advertisements), then sends three echo "
            f"requests to each of the first {MAX_TARGETS} internet.ipv6_targets with the system ping "
            "(TCP connects without it). Sends nothing when the interface has no global IPv6 address."
        ),
    )

    async def run(self, ctx: ProbeContext) -> None:
        """Observe addressing, routing and reachability."""
        interface = ctx.fact("interface.name")
        addresses = global_addresses(ctx.fact_as("interface.ipv6", list[str]))
        ctx.observe("ipv6.global_addresses", [str(a) for a in addresses])
        ctx.observe(
            "ipv6.has_global",
            bool(addresses),
            evidence=_("{count} global address(es)").format(count=len(addresses)),
        )
        route, source, route_evidence = await self._default_route(ctx, interface)
        ctx.observe("ipv6.default_route", route, evidence=route_evidence)
        ctx.observe("ipv6.route_source", source)
        configured = bool(addresses) and bool(route)
        ctx.observe("ipv6.configured", configured)
        await self._reach(ctx, bool(addresses))

    async def _default_route(self, ctx: ProbeContext, interface: object) -> tuple[bool, str | None, str]:
        linux = ctx.session.platform is None or ctx.session.platform.value == "linux"
        if linux and ctx.which("ip"):
            result = await ctx.run_command(["ip", "-6", "route", "show", "default"], timeout_s=3.0)
            if result.ok:
                ctx.using("ip -6 route")
                try:
                    routes = default_route_hops(parse_ip_route(result.stdout, ipv6=True))
                except ParseError:
                    routes = []
                mine = [r for r in routes if not isinstance(interface, str) or r.dev == interface]
                if not mine:
                    return False, None, _("no IPv6 default route on this interface")
                first = mine[0]
                source = ROUTE_SOURCES.get(first.proto or "", "unknown")
                return (
                    True,
                    source,
                    _("default via {via} ({proto})").format(via=first.via or "?", proto=first.proto or "?"),
                )
        gateway = ctx.fact("gateway.ipv6")
        if gateway:
            return True, "unknown", _("default gateway {gateway}").format(gateway=gateway)
        return False, None, _("no IPv6 default gateway")

    async def _reach(self, ctx: ProbeContext, has_global: bool) -> None:
        args = ctx.args_as(Ipv6Args)
        targets: list[str] = []
        for text in ctx.config.internet.ipv6_targets[:MAX_TARGETS]:
            try:
                if ipaddress.ip_address(text).version == 6:
                    targets.append(str(ipaddress.ip_address(text)))
            except ValueError:
                continue
        if not has_global or not targets:
            reason = (
                _("not tried: no global IPv6 address")
                if not has_global
                else _("no IPv6 targets are configured")
            )
            ctx.observe("ipv6.internet_ok", None, evidence=reason)
            return
        count = max(1, min(args.count, 10))
        timeout = args.timeout_s
        series = list(
            await asyncio.gather(
                *(measure(ctx, t, count=count, interval_s=0.2, timeout_s=timeout) for t in targets)
            )
        )
        if not any(s.received for s in series):
            # A second look before calling IPv6 broken: the first echoes of a fresh path can go while
            # neighbour discovery settles, and a lossy line can take a whole short series.
            await asyncio.sleep(0.5)
            again = await asyncio.gather(
                *(measure(ctx, t, count=count, interval_s=0.2, timeout_s=timeout) for t in targets)
            )
            series = [b if b.received else a for a, b in zip(series, again, strict=True)]
        methods = sorted({s.method for s in series})
        if methods and ctx.method is None:
            ctx.using(", ".join(methods))
        elif methods:
            ctx.using(f"{ctx.method}; {', '.join(methods)}")
        answered = 0
        for target, result in zip(targets, series, strict=True):
            subject = f"target:{target}"
            evidence = _("{received} of {sent} answered ({method})").format(
                received=result.received, sent=result.sent, method=result.method
            )
            if result.note:
                evidence += f"; {result.note}"
            ctx.observe("ipv6.target_ok", result.received > 0, subject=subject, evidence=evidence)
            ctx.observe("ipv6.target_rtt_ms", summarise(result.samples).rtt_ms, subject=subject)
            answered += result.received > 0
        ctx.observe(
            "ipv6.internet_ok",
            answered > 0,
            evidence=_("{answered} of {total} IPv6 targets answered").format(
                answered=answered, total=len(targets)
            ),
        )
