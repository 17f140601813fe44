"""``devices.media_summary``: media devices for the ``cast`` playbook.

Passive. Which cast, AirPlay and DLNA devices (and devices whose kind is TV/media or speaker) are on the
LAN, which were heard by multicast, whether any answers unicast, and whether one the network is known
to have (the baseline, the local DNS names) stays silent.
"""

from __future__ import annotations

from typing import Any

from homediag.core.devices import announced, answered_by_unicast, dicts
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import ProbeSpec, Risk

MEDIA_KINDS = ("media", "speaker")
MEDIA_SERVICES = (
    "_googlecast._tcp",
    "_airplay._tcp",
    "_raop._tcp",
    ":device:mediarenderer:",
    "dial-multiscreen-org",
)


def offers_media(entry: dict[str, Any]) -> bool:
    """Whether a ``discovery.devices`` entry offers a media protocol (cast, AirPlay, DLNA renderer)."""
    types = " ".join(str(s).lower() for s in entry.get("services") or [])
    return any(marker in types for marker in MEDIA_SERVICES)


def is_media(entry: dict[str, Any]) -> bool:
    """Whether a ``discovery.devices`` entry is a TV or speaker, or offers a media protocol."""
    return entry.get("kind") in MEDIA_KINDS or offers_media(entry)


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
        provides=("cast.devices", "cast.announced", "cast.found", "cast.reachable", "cast.known_silent"),
        description=(
            "Sums up the media devices (cast, AirPlay, DLNA, and devices of kind media or speaker): "
            "which were heard by multicast, which answer unicast, and which known ones (baseline, "
            "local DNS) are silent. Sends nothing."
        ),
    )

    async def run(self, ctx: ProbeContext) -> None:
        """Sum up."""
        media = [d for d in dicts(ctx.fact("discovery.devices")) if is_media(d)]
        infos = {o.subject: o.value for o in ctx.known.all("media.info") if isinstance(o.value, dict)}
        listed = [
            {
                "id": d.get("id"),
                "ip": d.get("ip"),
                "kind": d.get("kind"),
                "name": (infos.get(f"device:{d.get('id')}") or {}).get("name")
                or (d.get("names") or [None])[0],
                "protocols": (infos.get(f"device:{d.get('id')}") or {}).get("protocols", []),
                "offers": offers_media(d),
                "announced": announced(d),
                "unicast": answered_by_unicast(d),
            }
            for d in media
        ]
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
        silent = [p for p in dicts(ctx.fact("lan.silent_peers")) if p.get("kind") in MEDIA_KINDS]
        missing = [m for m in dicts(ctx.fact("baseline.missing_devices")) if m.get("kind") in MEDIA_KINDS]
        ips = sorted({str(p.get("ip")) for p in [*silent, *missing]})
        ctx.observe(
            "cast.known_silent",
            bool(ips),
            evidence=_("known media devices do not answer: {ips}").format(ips=", ".join(ips[:4]))
            if ips
            else None,
        )
