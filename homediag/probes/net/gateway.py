"""``net.gateway``: latency, jitter and loss to the default gateway over a short burst.

Safe: a burst of echo requests (30 by default, the gateway loss window of
docs/probes-and-playbooks.md#thresholds) to the gateway only.
Raw ICMP when permitted; otherwise the system ``ping``; otherwise TCP connects (see ``echo.py``).
"""

from __future__ import annotations

import ipaddress

from homediag.core.errors import NotApplicable
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import Privilege, ProbeArg, ProbeSpec, Risk
from homediag.probes.net.echo import measure, summarise


class GatewayProbe(Probe):
    """Round trips to the default gateway."""

    spec = ProbeSpec(
        id="net.gateway",
        summary="Latency, jitter and loss to the default gateway over a short burst",
        risk=Risk.SAFE,
        timeout_s=15.0,
        needs=("gateway.ipv4",),
        provides=(
            "gateway.reachable",
            "gateway.loss_pct",
            "gateway.rtt_ms",
            "gateway.rtt_max_ms",
            "gateway.jitter_ms",
            "gateway.samples_ms",
        ),
        privilege=Privilege.RAW_SOCKET,
        fallback="the system ping, else TCP connects to ports 53/80/443 of the gateway",
        binaries=("ping",),
        args=(
            ProbeArg("count", "int", 30, "Echo requests to send"),
            ProbeArg("interval_s", "float", 0.02, "Pause between requests (0.2 s at least for ping)"),
            ProbeArg("timeout_s", "float", 1.0, "How long to wait for the last answer"),
            ProbeArg("target", "str", "", "Measure this address instead of the gateway (tests, labs)"),
        ),
        description=(
            "Sends a short paced burst of ICMP echo requests to the default gateway and reports loss, "
            "mean and highest round trip and jitter. Never targets anything but the gateway."
        ),
    )

    def applicable(self, ctx: ProbeContext) -> str | None:
        """Not applicable without a default gateway."""
        if not (ctx.arg("target") or ctx.fact("gateway.ipv4")):
            return _("there is no default gateway")
        return None

    async def run(self, ctx: ProbeContext) -> None:
        """Send the burst and observe the statistics."""
        target = str(ctx.arg("target") or ctx.fact("gateway.ipv4"))
        try:
            ipaddress.ip_address(target)
        except ValueError:
            raise NotApplicable(
                _("the gateway address {value} is not an IP address").format(value=target[:60])
            ) from None
        count = max(1, min(int(ctx.arg("count")), 200))
        series = await measure(
            ctx,
            target,
            count=count,
            interval_s=float(ctx.arg("interval_s")),
            timeout_s=float(ctx.arg("timeout_s")),
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
