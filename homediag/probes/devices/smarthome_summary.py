"""``devices.smarthome_summary``: smart-home hubs and devices for the ``smart-home`` playbook.

Passive. Which hubs and smart-home devices (Hue, HomeKit, Matter, MQTT brokers, devices of kind hub or
iot) are on the LAN, which were heard by multicast, whether any answers unicast, and whether one the
network is known to have (the baseline, the local DNS names) stays silent.
"""

from __future__ import annotations

from typing_extensions import TypedDict

from homediag.core.baseline import MissingDevice
from homediag.core.facts import Fact, Privacy, record
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.records import DeviceEntry, SilentPeer, announced, answered_by_unicast
from homediag.core.spec import ProbeSpec, Risk
from homediag.net.addressing import no_inventory_reason

SMART_KINDS = ("hub", "iot")
PROTOCOLS = (
    ("_hue._tcp", "hue"),
    ("_hap._tcp", "homekit"),
    ("_matter._tcp", "matter"),
    ("_matterc._udp", "matter"),
    ("_mqtt._tcp", "mqtt"),
    ("_home-assistant._tcp", "home-assistant"),
)


@record
class SmartDevice(TypedDict):
    """A ``smarthome.hubs`` item: a hub or smart-home device, its protocols and how it was heard."""

    id: str
    ip: str | None
    kind: str
    name: str | None
    protocols: list[str]
    announced: bool
    unicast: bool


def protocols(entry: DeviceEntry) -> list[str]:
    """The smart-home protocols a ``discovery.devices`` entry announces."""
    types = set(entry["services"])
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
        provides=(
            Fact(
                "smarthome.hubs",
                list[SmartDevice],
                "Smart-home hubs and devices: id, address, kind, protocols, heard by multicast, answers",
                privacy=Privacy.PSEUDONYMISE,
            ),
            Fact("smarthome.announced", int, "Smart-home devices heard by multicast"),
            Fact(
                "smarthome.reachable",
                bool,
                "A smart-home hub or device answers unicast (null: none known)",
            ),
            Fact(
                "smarthome.known_silent",
                bool,
                "A hub or smart-home device known from the baseline or the local DNS does not answer",
            ),
        ),
        description=(
            "Sums up the smart-home devices (Hue, HomeKit, Matter, MQTT, devices of kind hub or iot): "
            "which were heard by multicast, which answer unicast, which known ones (baseline, local "
            "DNS) are silent. Sends nothing."
        ),
    )

    def applicable(self, ctx: ProbeContext) -> str | None:
        """Not applicable when no discovery searched the LAN."""
        return no_inventory_reason(ctx)

    async def run(self, ctx: ProbeContext) -> None:
        """Sum up."""
        devices = ctx.fact_as("discovery.devices", list[DeviceEntry]) or []
        found = [d for d in devices if d["kind"] in SMART_KINDS or protocols(d)]
        listed: list[SmartDevice] = [
            {
                "id": d["id"],
                "ip": d["ip"],
                "kind": d["kind"],
                "name": d["names"][0] if d["names"] else None,
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
        peers = ctx.fact_as("lan.silent_peers", list[SilentPeer]) or []
        gone = ctx.fact_as("baseline.missing_devices", list[MissingDevice]) or []
        silent = [p for p in peers if p["kind"] in SMART_KINDS]
        missing = [m for m in gone if m["kind"] in SMART_KINDS]
        ips = sorted({str(p["ip"]) for p in [*silent, *missing]})
        ctx.observe(
            "smarthome.known_silent",
            bool(ips),
            evidence=_("known smart-home devices do not answer: {ips}").format(ips=", ".join(ips[:4]))
            if ips
            else None,
        )
