"""``devices.media_summary``: media devices for the ``cast`` playbook.

Passive. Which cast, AirPlay and DLNA devices (and devices whose kind is TV/media or speaker) are on the
LAN, which were heard by multicast, whether any answers unicast, and whether one the network is known
to have (the baseline, the local DNS names) stays silent.
"""

from __future__ import annotations

from typing_extensions import TypedDict

from homediag.core.baseline import MissingDevice
from homediag.core.facts import Fact, Privacy, record
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.records import DeviceEntry, MediaInfo, SilentPeer, announced, answered_by_unicast
from homediag.core.spec import ProbeSpec, Risk
from homediag.net.addressing import no_inventory_reason

MEDIA_KINDS = ("media", "speaker")
MEDIA_SERVICES = (
    "_googlecast._tcp",
    "_airplay._tcp",
    "_raop._tcp",
    ":device:mediarenderer:",
    "dial-multiscreen-org",
)


@record
class CastDevice(TypedDict):
    """A ``cast.devices`` item: a media device, what it offers and how it was heard."""

    id: str
    ip: str | None
    kind: str
    name: str | None
    protocols: list[str]
    offers: bool
    """It offers cast, AirPlay or DLNA (rather than being a TV or speaker by kind only)."""
    announced: bool
    unicast: bool


def offers_media(entry: DeviceEntry) -> bool:
    """Whether a ``discovery.devices`` entry offers a media protocol (cast, AirPlay, DLNA renderer)."""
    types = " ".join(s.lower() for s in entry["services"])
    return any(marker in types for marker in MEDIA_SERVICES)


def is_media(entry: DeviceEntry) -> bool:
    """Whether a ``discovery.devices`` entry is a TV or speaker, or offers a media protocol."""
    return entry["kind"] in MEDIA_KINDS or offers_media(entry)


class MediaSummaryProbe(Probe):
    """Media facts for playbooks."""

    spec = ProbeSpec(
        id="devices.media_summary",
        summary="Which media devices are announced, answer unicast, or stay silent",
        risk=Risk.PASSIVE,
        timeout_s=2.0,
        needs=(
            "discovery.devices",
            "media.info",
            "media.answered",
            "lan.silent_peers",
            "baseline.missing_devices",
        ),
        provides=(
            Fact(
                "cast.devices",
                list[CastDevice],
                "Cast, AirPlay and DLNA devices: id, address, name, protocols, heard by multicast",
                privacy=Privacy.PSEUDONYMISE,
            ),
            Fact("cast.announced", int, "Cast, AirPlay or DLNA devices heard by multicast (mDNS or SSDP)"),
            Fact("cast.found", int, "Devices offering cast, AirPlay or DLNA, found by any means"),
            Fact("cast.reachable", bool, "A cast, AirPlay or DLNA device answers unicast (null: none found)"),
            Fact(
                "cast.known_silent",
                bool,
                "A media device known from the baseline or the local DNS does not answer",
            ),
        ),
        description=(
            "Sums up the media devices (cast, AirPlay, DLNA, and devices of kind media or speaker): "
            "which were heard by multicast, which answer unicast, and which known ones (baseline, "
            "local DNS) are silent. Sends nothing."
        ),
    )

    def applicable(self, ctx: ProbeContext) -> str | None:
        """Not applicable when no discovery searched the LAN."""
        return no_inventory_reason(ctx)

    async def run(self, ctx: ProbeContext) -> None:
        """Sum up."""
        media = [d for d in ctx.fact_as("discovery.devices", list[DeviceEntry]) or [] if is_media(d)]
        infos = dict(ctx.observed_as("media.info", MediaInfo))
        listed: list[CastDevice] = []
        for d in media:
            info = infos.get(f"device:{d['id']}", MediaInfo(protocols=[]))
            listed.append(
                {
                    "id": d["id"],
                    "ip": d["ip"],
                    "kind": d["kind"],
                    "name": info.get("name") or (d["names"][0] if d["names"] else None),
                    "protocols": info["protocols"],
                    "offers": offers_media(d),
                    "announced": announced(d),
                    "unicast": answered_by_unicast(d),
                }
            )
        casting = [m for m in listed if m["offers"]]
        heard = [m for m in casting if m["announced"]]
        where = ", ".join(f"{m['name'] or m['ip']}" for m in listed[:4])
        ctx.observe("cast.devices", listed, evidence=where or _("no media device found"))
        ctx.observe(
            "cast.announced",
            len(heard),
            evidence=_("{n} of {total} cast, AirPlay or DLNA devices heard by mDNS or SSDP").format(
                n=len(heard), total=len(casting)
            ),
        )
        ctx.observe(
            "cast.found",
            len(casting),
            evidence=_("{n} devices offer cast, AirPlay or DLNA").format(n=len(casting)),
        )
        answering = [m for m in casting if m["unicast"]]
        ctx.observe(
            "cast.reachable",
            bool(answering) if casting else None,
            evidence=(
                _("{n} cast devices answer unicast").format(n=len(answering))
                if casting
                else _("no cast device found")
            ),
        )
        peers = ctx.fact_as("lan.silent_peers", list[SilentPeer]) or []
        gone = ctx.fact_as("baseline.missing_devices", list[MissingDevice]) or []
        silent = [p for p in peers if p["kind"] in MEDIA_KINDS]
        missing = [m for m in gone if m["kind"] in MEDIA_KINDS]
        ips = sorted({str(p["ip"]) for p in [*silent, *missing]})
        ctx.observe(
            "cast.known_silent",
            bool(ips),
            evidence=_("known media devices do not answer: {ips}").format(ips=", ".join(ips[:4]))
            if ips
            else None,
        )
