"""``net.gateway``: latency, jitter and loss to the default gateway over a short burst.

Safe: a burst of echo requests (30 by default, the gateway loss window of
docs/probes-and-playbooks.md#thresholds) to the gateway only.
Raw ICMP when permitted; otherwise the system ``ping``; otherwise TCP connects (see ``echo.py``).
"""

from __future__ import annotations

import ipaddress

from pydantic import Field

from homediag.core.errors import NotApplicable
from homediag.core.facts import Fact
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import Privilege, ProbeArgs, ProbeSpec, Risk
from homediag.net.echo import measure, summarise


class GatewayArgs(ProbeArgs):
    """Arguments of ``net.gateway`` (config: ``probes.net.gateway``)."""

    count: int = Field(30, description="Echo requests to send")
    interval_s: float = Field(0.02, description="Pause between requests (0.2 s at least for ping)")
    timeout_s: float = Field(1.0, description="How long to wait for the last answer")
    target: str = Field("", description="Measure this address instead of the gateway (tests, labs)")


class GatewayProbe(Probe):
    """Round trips to the default gateway."""

    spec = ProbeSpec(
        id="net.gateway",
        summary="Latency, jitter and loss to the default gateway over a short burst",
        risk=Risk.SAFE,
        timeout_s=15.0,
        needs=("gateway.ipv4",),
        provides=(
            Fact("gateway.reachable", bool, "The default gateway answered at least once"),
            Fact("gateway.loss_pct", float, "Share of probes to the gateway that got no answer", unit="%"),
            Fact("gateway.rtt_ms", float, "Mean round trip to the gateway", unit="ms"),
            Fact(
                "gateway.rtt_max_ms",
                float,
                "Highest round trip to the gateway",
                unit="ms",
                not_judged="detail of gateway.rtt_ms and gateway.loss_pct, which are judged",
            ),
            Fact(
                "gateway.jitter_ms",
                float,
                "Mean difference of consecutive round trips, isolated spikes left out",
                unit="ms",
                not_judged="LAN jitter without loss harms nothing at home; internet.jitter_ms is judged",
            ),
            Fact(
                "gateway.samples_ms",
                list[float | None],
                "Round trips of each probe (null when lost)",
                unit="ms",
                not_judged=(
                    "the raw series behind gateway.loss_pct and gateway.rtt_ms (for the report's chart)"
                ),
            ),
        ),
        privilege=Privilege.RAW_SOCKET,
        fallback="the system ping, else TCP connects to ports 53/80/443 of the gateway",
        binaries=("ping",),
        args=GatewayArgs,
        description=(
            "Sends a short paced burst of ICMP echo requests to the default gateway and reports loss, "
            "mean and highest round trip and jitter. Never targets anything but the gateway."
        ),
    )

    def applicable(self, ctx: ProbeContext) -> str | None:
        """Not applicable without a default gateway."""
        if not (ctx.args_as(GatewayArgs).target or ctx.fact("gateway.ipv4")):
            return _("there is no default gateway")
        return None

    async def run(self, ctx: ProbeContext) -> None:
        """Send the burst and observe the statistics."""
        args = ctx.args_as(GatewayArgs)
        target = str(args.target or ctx.fact("gateway.ipv4"))
        try:
            ipaddress.ip_address(target)
        except ValueError:
            raise NotApplicable(
                _("the gateway address {value} is not an IP address").format(value=target[:60])
            ) from None
        count = max(1, min(args.count, 200))
        series = await measure(
            ctx,
            target,
            count=count,
            interval_s=args.interval_s,
            timeout_s=args.timeout_s,
        )
        ctx.using(series.method)
        stats = summarise(series.samples)
        evidence = _("{received} of {sent} answered ({method})").format(
            received=series.received, sent=series.sent, method=series.method
        )
        if series.note:
            evidence += f"; {series.note}"
        ctx.observe("gateway.reachable", series.received > 0, evidence=evidence)
        ctx.observe("gateway.loss_pct", stats.loss_pct, evidence=evidence)
        ctx.observe("gateway.rtt_ms", stats.rtt_ms)
        ctx.observe("gateway.rtt_max_ms", stats.rtt_max_ms)
        ctx.observe("gateway.jitter_ms", stats.jitter_ms)
        ctx.observe("gateway.samples_ms", [None if s is None else round(s, 3) for s in series.samples])
