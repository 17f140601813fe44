"""``devices.security_summary``: admin pages served in the clear and MQTT brokers open to anyone.

Passive: reads ``devices.admin_page`` and ``devices.mqtt`` per device and records the two LAN-wide
facts the security checks of ``checkup`` and ``smart-home`` judge.
"""

from __future__ import annotations

from homediag.core.facts import Fact
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.records import DeviceEntry
from homediag.core.spec import ProbeSpec, Risk
from homediag.net.addressing import no_inventory_reason


class SecuritySummaryProbe(Probe):
    """Security facts for playbooks."""

    spec = ProbeSpec(
        id="devices.security_summary",
        summary="Admin pages served over plain HTTP, and MQTT brokers that accept anyone",
        risk=Risk.PASSIVE,
        timeout_s=2.0,
        needs=("discovery.devices", "admin.http", "mqtt.anonymous"),
        provides=(
            Fact(
                "security.admin_http",
                list[str],
                "Addresses whose admin page is served over plain HTTP without a redirect to HTTPS",
            ),
            Fact(
                "security.mqtt_anonymous",
                bool,
                "An MQTT broker accepted a client without credentials (null: no broker checked)",
            ),
        ),
        description=(
            "Lists the devices whose admin page is served over plain HTTP without a redirect to HTTPS, "
            "and whether any MQTT broker accepted a client without credentials. Sends nothing."
        ),
    )

    def applicable(self, ctx: ProbeContext) -> str | None:
        """Not applicable when no discovery searched the LAN."""
        return no_inventory_reason(ctx)

    async def run(self, ctx: ProbeContext) -> None:
        """Sum up."""
        devices = ctx.fact_as("discovery.devices", list[DeviceEntry]) or []
        ips = {f"device:{d['id']}": str(d["ip"]) for d in devices}
        plain = [ips.get(o.subject, o.subject) for o in ctx.known.all("admin.http") if o.value == "page"]
        ctx.observe(
            "security.admin_http",
            sorted(plain),
            evidence=(
                _("an admin page is served over plain HTTP at {ips}").format(ips=", ".join(sorted(plain)))
                if plain
                else _("{n} admin pages checked, none served without TLS").format(
                    n=len(ctx.known.all("admin.http"))
                )
            ),
        )
        brokers = ctx.known.all("mqtt.anonymous")
        open_ = [ips.get(o.subject, o.subject) for o in brokers if o.value is True]
        checked = [o for o in brokers if o.value is not None]
        ctx.observe(
            "security.mqtt_anonymous",
            bool(open_) if checked else None,
            evidence=(
                "; ".join(o.evidence or "" for o in brokers if o.value is True)
                or "; ".join(o.evidence or "" for o in brokers)
                or _("no MQTT broker found")
            )[:300],
        )
