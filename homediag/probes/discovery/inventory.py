"""``discovery.inventory``: the devices every discovery probe found, merged, with their kinds.

Passive: sends nothing. It runs after the other discovery probes (it needs their facts) and records the
merged device list as one fact, so that playbooks, device probes and ``--baseline`` have one place to
start from: every device's id, address, MAC, vendor, kind (with the rule that decided it) and names, and
which discovery methods saw it.
"""

from __future__ import annotations

from collections import Counter

from homediag.core.devices import KIND_SOURCE
from homediag.core.facts import Fact, Privacy
from homediag.core.i18n import _
from homediag.core.model import Device
from homediag.core.probe import Probe, ProbeContext
from homediag.core.records import DeviceEntry
from homediag.core.spec import ProbeSpec, Risk
from homediag.net.addressing import no_lan_reason

SOURCES = {
    "discovery.arp": "arp",
    "discovery.mdns": "mdns",
    "discovery.ssdp": "ssdp",
    "discovery.names": "names",
    "discovery.unicast": "unicast",
}


def summary(device: Device) -> DeviceEntry:
    """The ``discovery.devices`` entry of one device."""
    because = next((e.detail for e in device.evidence if e.source == KIND_SOURCE), None)
    return {
        "id": device.id,
        "ip": device.ip,
        "mac": device.mac,
        "vendor": device.vendor,
        "kind": device.kind.value,
        "kind_because": because,
        "names": list(device.names[:4]),
        "model": device.model,
        "random_mac": device.random_mac,
        "seen_by": sorted({SOURCES.get(s, s) for s in device.sources}),
        "services": sorted({s.type for s in device.services})[:16],
    }


class InventoryProbe(Probe):
    """The merged device list."""

    spec = ProbeSpec(
        id="discovery.inventory",
        summary="The devices every discovery method found, merged, with their kinds",
        risk=Risk.PASSIVE,
        timeout_s=2.0,
        needs=(
            "interface.ipv4",
            "interface.subnet",
            "arp.host_count",
            "mdns.responders",
            "ssdp.responders",
            "names.reverse_dns",
            "lan.multicast_gap",
        ),
        provides=(
            Fact(
                "discovery.devices",
                list[DeviceEntry],
                "Every device found, merged: id, address, MAC, vendor, kind, names, how it was seen",
                privacy=Privacy.PSEUDONYMISE,
            ),
            Fact(
                "discovery.device_count",
                int,
                "How many devices were found",
                not_judged="context: how many devices were found is no fault by itself",
            ),
            Fact(
                "discovery.kinds",
                dict[str, int],
                "How many devices of each kind were found",
                not_judged="context: the mix of devices is no fault by itself",
            ),
        ),
        tags=("discovery",),
        description=(
            "Reads the device sightings of the ARP sweep, the mDNS browse, the SSDP search, the name "
            "lookups and the unicast queries, merged into one record per device (by MAC, else by "
            "address), with the vendor from the IEEE registry and the kind from the declared kind rules. "
            "Sends nothing."
        ),
    )

    def applicable(self, ctx: ProbeContext) -> str | None:
        """Not applicable without an IPv4 subnet: no discovery searched, so there is no inventory (an
        empty one would say "no devices" although nobody looked)."""
        return no_lan_reason(ctx)

    async def run(self, ctx: ProbeContext) -> None:
        """Record the merged list."""
        devices = ctx.known.devices()
        kinds = Counter(d.kind.value for d in devices)
        ctx.observe(
            "discovery.devices",
            [summary(d) for d in devices],
            evidence=_("{n} devices").format(n=len(devices)),
        )
        ctx.observe("discovery.device_count", len(devices))
        ctx.observe(
            "discovery.kinds",
            dict(sorted(kinds.items())),
            evidence=", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items())),
        )
