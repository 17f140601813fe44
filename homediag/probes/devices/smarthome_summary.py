"""``devices.smarthome_summary``: smart-home hubs and devices for the ``smart-home`` playbook.

Passive. Which hubs and smart-home devices (Hue, HomeKit, Matter, MQTT brokers, devices of kind hub or
iot) are on the LAN, which were heard by multicast, whether any answers unicast, and whether one the
network is known to have (the baseline, the local DNS names) stays silent.
"""

from __future__ import annotations

from typing import Any

from homediag.core.devices import announced, answered_by_unicast, dicts
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import ProbeSpec, Risk

SMART_KINDS = ("hub", "iot")
PROTOCOLS = (
    ("_hue._tcp", "hue"),
    ("_hap._tcp", "homekit"),
    ("_matter._tcp", "matter"),
    ("_matterc._udp", "matter"),
    ("_mqtt._tcp", "mqtt"),
    ("_home-assistant._tcp", "home-assistant"),
)


def protocols(entry: dict[str, Any]) -> list[str]:
    """The smart-home protocols a ``discovery.devices`` entry announces."""
    types = {str(s) for s in entry.get("services") or []}
    return sorted({name for marker, name in PROTOCOLS if marker in types})


class SmarthomeSummaryProbe(Probe):
    """Smart-home facts for playbooks."""

    spec = ProbeSpec(
        id="devices.smarthome_summary",
        summary="Which smart-home hubs and devices are announced, answer unicast, or stay silent",
        risk=Risk.PASSIVE,
        timeout_s=2.0,
        needs=(
            "discovery.devices",
            "hue.answered",
            "homekit.paired",
            "matter.commissionable",
            "lan.silent_peers",
            "baseline.missing_devices",
        ),
        provides=("smarthome.hubs", "smarthome.announced", "smarthome.reachable", "smarthome.known_silent"),
        description=(
            "Sums up the smart-home devices (Hue, HomeKit, Matter, MQTT, devices of kind hub or iot): "
            "which were heard by multicast, which answer unicast, which known ones (baseline, local "
            "DNS) are silent. Sends nothing."
        ),
    )

    async def run(self, ctx: ProbeContext) -> None:
        """Sum up."""
        found = [
            d for d in dicts(ctx.fact("discovery.devices")) if d.get("kind") in SMART_KINDS or protocols(d)
        ]
        listed = [
            {
                "id": d.get("id"),
                "ip": d.get("ip"),
                "kind": d.get("kind"),
                "name": (d.get("names") or [None])[0],
                "protocols": protocols(d),
                "announced": announced(d),
                "unicast": answered_by_unicast(d),
            }
            for d in found
        ]
        heard = [h for h in listed if h["announced"]]
        ctx.observe(
            "smarthome.hubs",
            listed,
            evidence=", ".join(f"{h['name'] or h['ip']} ({h['kind']})" for h in listed[:5])
            or _("none found"),
        )
        ctx.observe(
            "smarthome.announced",
            len(heard),
            evidence=_("{n} of {total} smart-home devices heard by mDNS or SSDP").format(
                n=len(heard), total=len(listed)
            ),
        )
        answering = [h for h in listed if h["unicast"]]
        ctx.observe(
            "smarthome.reachable",
            bool(answering) if listed else None,
            evidence=_("{n} answer unicast").format(n=len(answering))
            if listed
            else _("no smart-home device known"),
        )
        silent = [p for p in dicts(ctx.fact("lan.silent_peers")) if p.get("kind") in SMART_KINDS]
        missing = [m for m in dicts(ctx.fact("baseline.missing_devices")) if m.get("kind") in SMART_KINDS]
        ips = sorted({str(p.get("ip")) for p in [*silent, *missing]})
        ctx.observe(
            "smarthome.known_silent",
            bool(ips),
            evidence=_("known smart-home devices do not answer: {ips}").format(ips=", ".join(ips[:4]))
            if ips
            else None,
        )
