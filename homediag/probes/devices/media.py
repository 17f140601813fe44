"""``devices.media``: what a TV, streaming stick, speaker or media server says about itself.

Safe. Per media device:

- Google Cast (``_googlecast._tcp``): the TXT record (``fn`` name, ``md`` model, ``ve``, ``st`` busy) and
  one GET of the device's own info endpoint ``http://<ip>:8008/setup/eureka_info`` (name, model,
  manufacturer, build), 64 KiB and 4 s at most;
- AirPlay (``_airplay._tcp``) and AirPlay audio (``_raop._tcp``): the TXT records only (``model``,
  ``srcvers``, ``pw``/``pk`` password flags, ``am``), no request;
- DLNA/UPnP renderers and servers: the device types the SSDP description already gave, no request.

Records per device (subject ``device:<id>``) its protocols, name, model and build, and whether it
answered the info request.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from homediag.core.devices import service, subject_of
from homediag.core.facts import Fact, Privacy
from homediag.core.i18n import _
from homediag.core.model import Device
from homediag.core.probe import Probe, ProbeContext
from homediag.core.records import MediaInfo
from homediag.core.spec import DeviceMatcher, ProbeArgs, ProbeSpec, Risk
from homediag.net.http import FetchFailed, fetch_json
from homediag.net.text import text

CAST_PORT = 8008
UPNP_PROTOCOLS = (
    (":device:mediarenderer:", "dlna-renderer"),
    (":device:mediaserver:", "dlna-server"),
    ("dial-multiscreen-org:device:dial", "dial"),
)


def protocols(device: Device) -> list[str]:
    """The media protocols ``device`` offers."""
    found: list[str] = []
    if service(device, "_googlecast._tcp") is not None:
        found.append("cast")
    if service(device, "_airplay._tcp") is not None:
        found.append("airplay")
    if service(device, "_raop._tcp") is not None:
        found.append("airplay-audio")
    types = " ".join(s.type.lower() for s in device.services)
    found += [name for marker, name in UPNP_PROTOCOLS if marker in types]
    return found


def txt_info(device: Device) -> dict[str, Any]:
    """Name, model and flags the TXT records give."""
    info: dict[str, Any] = {}
    cast = service(device, "_googlecast._tcp")
    if cast is not None:
        info.update(
            {
                "name": text(cast.txt.get("fn")),
                "model": text(cast.txt.get("md")),
                "busy": cast.txt.get("st") == "1",
            }
        )
    airplay = service(device, "_airplay._tcp") or service(device, "_raop._tcp")
    if airplay is not None:
        txt = airplay.txt
        info.setdefault("model", text(txt.get("model") or txt.get("am")))
        info["airplay_version"] = text(txt.get("srcvers") or txt.get("vs"), 32)
        info["password"] = txt.get("pw", "").lower() in ("1", "true") or None
    return {k: v for k, v in info.items() if v is not None}


class MediaArgs(ProbeArgs):
    """Arguments of ``devices.media`` (config: ``probes.devices.media``)."""

    cast_port: int = Field(CAST_PORT, description="HTTP port of the cast info endpoint")


class MediaProbe(Probe):
    """Cast, AirPlay and DLNA devices."""

    spec = ProbeSpec(
        id="devices.media",
        summary="What a cast, AirPlay or DLNA device says about itself",
        risk=Risk.SAFE,
        timeout_s=6.0,
        needs=("discovery.devices",),
        provides=(
            Fact(
                "media.info",
                MediaInfo,
                "What a media device says about itself: protocols, name, model, build (subject: device)",
                privacy=Privacy.PSEUDONYMISE,
            ),
            Fact(
                "media.answered",
                bool,
                "The device answered its cast info endpoint or UPnP description (subject: device)",
            ),
        ),
        matchers=(
            DeviceMatcher(mdns_type="_googlecast._tcp"),
            DeviceMatcher(mdns_type="_airplay._tcp"),
            DeviceMatcher(mdns_type="_raop._tcp"),
            DeviceMatcher(ssdp_st="urn:schemas-upnp-org:device:MediaRenderer"),
            DeviceMatcher(ssdp_st="urn:dial-multiscreen-org:device:dial"),
            DeviceMatcher(kind="media"),
        ),
        args=MediaArgs,
        description=(
            "Reads the TXT records of Google Cast and AirPlay devices and the UPnP device types of "
            "DLNA renderers and servers; for a cast device, one GET of its info endpoint on port 8008 "
            "(64 KiB, 4 s at most). Never starts, controls or casts anything."
        ),
    )

    async def run(self, ctx: ProbeContext) -> None:
        """Describe one media device."""
        device = ctx.target
        if device is None:
            return
        subject = subject_of(device)
        info: dict[str, Any] = {"protocols": protocols(device), **txt_info(device)}
        answered: bool | None = None
        why = _("announced only: nothing to ask")
        if "cast" in info["protocols"] and device.ip:
            url = f"http://{device.ip}:{int(ctx.args_as(MediaArgs).cast_port)}/setup/eureka_info"
            try:
                data = await fetch_json(ctx, url)
            except FetchFailed as exc:
                answered, why = False, _("cast info endpoint: {error}").format(error=exc)
            else:
                answered, why = True, _("the cast info endpoint answered")
                raw_details, raw_build = data.get("device_info"), data.get("build_info")
                details: dict[str, Any] = raw_details if isinstance(raw_details, dict) else {}
                build: dict[str, Any] = raw_build if isinstance(raw_build, dict) else {}
                info.update(
                    {
                        k: v
                        for k, v in {
                            "name": text(data.get("name")) or info.get("name"),
                            "model": text(details.get("model_name") or details.get("product_name"))
                            or info.get("model"),
                            "manufacturer": text(details.get("manufacturer")),
                            "build": text(build.get("cast_build_revision"), 32),
                        }.items()
                        if v
                    }
                )
        elif {"dlna-renderer", "dlna-server", "dial"} & set(info["protocols"]):
            answered = any(s in device.sources for s in ("discovery.ssdp", "discovery.unicast"))
            why = _("answered the SSDP search") if answered else why
        ctx.observe("media.info", info, subject=subject, evidence=", ".join(info["protocols"]) or None)
        ctx.observe("media.answered", answered, subject=subject, evidence=why)
