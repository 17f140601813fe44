"""Multicast DNS (DNS-SD) with python-zeroconf: the browse, TXT records, and one device sighting per
address.

:func:`browse` asks for every service type on the link (``_services._dns-sd._udp.local.``) and, at once,
for the types homediag's device probes care about; every type that answers gets a browser of its own;
after the browse window every instance is resolved (SRV, TXT, addresses), from zeroconf's cache where the
announcements already carried them. zeroconf parses the packets and drops malformed ones; the caps on
what is kept are here: at most 4096 instances and 256 service types per browse, 64 services and 8 KiB of
TXT per address (longer values are cut).
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from typing_extensions import TypedDict

from homediag.core.devices import device_id
from homediag.core.facts import record
from homediag.core.model import Device, DeviceEvidence, Service

SOURCE = "discovery.mdns"
META_QUERY = "_services._dns-sd._udp.local."
WELL_KNOWN_TYPES = (
    "_ipp._tcp.local.",
    "_ipps._tcp.local.",
    "_printer._tcp.local.",
    "_pdl-datastream._tcp.local.",
    "_googlecast._tcp.local.",
    "_airplay._tcp.local.",
    "_raop._tcp.local.",
    "_hap._tcp.local.",
    "_hue._tcp.local.",
    "_matter._tcp.local.",
    "_matterc._udp.local.",
    "_mqtt._tcp.local.",
    "_home-assistant._tcp.local.",
    "_sonos._tcp.local.",
    "_spotify-connect._tcp.local.",
    "_http._tcp.local.",
    "_smb._tcp.local.",
    "_device-info._tcp.local.",
    "_workstation._tcp.local.",
    "_esphomelib._tcp.local.",
)
MAX_TYPES = 256
MAX_INSTANCES = 4096
MAX_SERVICES_PER_ADDRESS = 64
MAX_TXT_PER_ADDRESS = 8 * 1024
MAX_TXT_VALUE = 255
MAX_NAME = 255
MODEL_KEYS = ("md", "model", "ty", "usb_MDL", "product", "modelid", "mdl")


@record
class MdnsServiceEntry(TypedDict):
    """An ``mdns.services`` item: one DNS-SD instance heard by multicast."""

    type: str
    name: str
    ip: str | None
    addresses: list[str]
    port: int | None
    host: str | None
    txt: dict[str, str]


@dataclass(frozen=True)
class Instance:
    """One resolved service instance."""

    type: str
    """``_ipp._tcp`` (without ``.local.``)."""
    name: str
    """The instance label (``Brother HL-L2350DW``)."""
    addresses: tuple[str, ...]
    port: int | None
    host: str | None
    txt: Mapping[str, str] = field(default_factory=dict)

    def as_json(self) -> MdnsServiceEntry:
        """The entry of ``mdns.services``."""
        return {
            "type": self.type,
            "name": self.name,
            "ip": self.addresses[0] if self.addresses else None,
            "addresses": list(self.addresses),
            "port": self.port,
            "host": self.host,
            "txt": dict(self.txt),
        }


def short_type(service_type: str) -> str:
    """``_ipp._tcp.local.`` -> ``_ipp._tcp``."""
    return service_type.rstrip(".").removesuffix(".local")


def instance_label(name: str, service_type: str) -> str:
    """The instance part of a full service name (``Brother._ipp._tcp.local.`` -> ``Brother``)."""
    suffix = "." + service_type.rstrip(".") + "."
    text = name if name.endswith(".") else name + "."
    label = text[: -len(suffix)] if text.endswith(suffix) else name
    return clean(label)


def clean(text: str, limit: int = MAX_NAME) -> str:
    """Printable characters only, cut at ``limit``."""
    return "".join(ch for ch in text if ch.isprintable())[:limit]


def decode_txt(properties: Mapping[bytes, bytes | None]) -> dict[str, str]:
    """TXT properties as text (keys lower-cased as RFC 6763 says they compare; values cut)."""
    out: dict[str, str] = {}
    for key, value in list(properties.items())[:128]:
        name = clean(key.decode("utf-8", "replace"), 64)
        if not name or name in out:
            continue
        out[name] = clean((value or b"").decode("utf-8", "replace"), MAX_TXT_VALUE)
    return out


def is_service_type(name: str) -> bool:
    """Whether ``name`` looks like a DNS-SD service type (``_x._tcp.local.``)."""
    parts = name.rstrip(".").split(".")
    return (
        len(parts) == 3
        and parts[2] == "local"
        and parts[1] in ("_tcp", "_udp")
        and parts[0].startswith("_")
        and 2 <= len(parts[0]) <= 64
    )


def model_of(txt: Mapping[str, str]) -> str | None:
    """The model a TXT record names (``md``, ``model``, ``ty``...), if any."""
    lowered = {key.lower(): value for key, value in txt.items()}
    for key in MODEL_KEYS:
        value = lowered.get(key.lower())
        if value:
            return value[:63]
    return None


def sightings(instances: Iterable[Instance]) -> tuple[list[Device], bool]:
    """One device sighting per address, with its services; and whether a per-address cap was hit."""
    by_address: dict[str, list[Instance]] = {}
    for instance in instances:
        for address in instance.addresses[:1]:
            by_address.setdefault(address, []).append(instance)
    devices: list[Device] = []
    capped = False
    for address, heard in sorted(by_address.items()):
        found = heard[:MAX_SERVICES_PER_ADDRESS]
        capped = capped or len(heard) > MAX_SERVICES_PER_ADDRESS
        services: list[Service] = []
        txt_budget = MAX_TXT_PER_ADDRESS
        for instance in found:
            txt: dict[str, str] = {}
            for key, value in instance.txt.items():
                cost = len(key) + len(value) + 2
                if cost > txt_budget:
                    capped = True
                    break
                txt_budget -= cost
                txt[key] = value
            services.append(
                Service(type=instance.type, port=instance.port, name=instance.name, source=SOURCE, txt=txt)
            )
        names = [instance.name for instance in found]
        names += [i.host.removesuffix(".local.").removesuffix(".local") for i in found if i.host]
        model = next((m for m in (model_of(i.txt) for i in found) if m), None)
        devices.append(
            Device(
                id=device_id(None, address),
                ip=address,
                addresses=(address,),
                names=tuple(dict.fromkeys(n for n in names if n)),
                services=tuple(services),
                model=model,
                evidence=(
                    DeviceEvidence(
                        SOURCE, "announced by mDNS", ", ".join(sorted({s.type for s in services}))
                    ),
                ),
                sources=(SOURCE,),
            )
        )
    return devices, capped


BROWSE_MIN_S = 1.0
"""A browse lasts at least this long: the first queries go out after 20-120 ms, answers to shared
questions come 20-120 ms later (up to 500 ms when a responder's answer was truncated)."""
BROWSE_QUIET_S = 0.6
"""After that, it ends once no new service type or instance came for this long."""


async def browse(
    own: ipaddress.IPv4Address,
    browse_s: float,
    resolve_s: float,
    *,
    quiet_s: float = BROWSE_QUIET_S,
    min_s: float = BROWSE_MIN_S,
) -> tuple[list[Instance], set[str], bool]:
    """Browse from ``own`` until the answers stop (``min_s`` at least, then ``quiet_s`` without
    anything new, ``browse_s`` at most), then resolve for up to ``resolve_s`` seconds.

    Returns the resolved instances, the service types seen (short form) and whether a cap was hit.
    """
    from zeroconf import IPVersion, ServiceStateChange, Zeroconf
    from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

    aiozc = AsyncZeroconf(interfaces=[str(own)], ip_version=IPVersion.V4Only)
    zc: Zeroconf = aiozc.zeroconf
    types: set[str] = set()
    names: dict[tuple[str, str], None] = {}
    truncated = False
    browsers: list[AsyncServiceBrowser] = []

    last_news = time.monotonic()

    def on_change(zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange) -> None:
        nonlocal truncated, last_news
        del zeroconf
        last_news = time.monotonic()
        if state_change is ServiceStateChange.Removed:
            return
        if service_type == META_QUERY:
            if not is_service_type(name) or name in types_full:
                return
            if len(types_full) >= MAX_TYPES:
                truncated = True
                return
            types_full.add(name)
            browsers.append(AsyncServiceBrowser(zc, [name], handlers=[on_change]))
            return
        if len(names) >= MAX_INSTANCES:
            truncated = True
            return
        names.setdefault((service_type, name[:MAX_NAME]), None)

    types_full: set[str] = set(WELL_KNOWN_TYPES)
    try:
        browsers.append(AsyncServiceBrowser(zc, [META_QUERY, *WELL_KNOWN_TYPES], handlers=[on_change]))
        started = time.monotonic()
        while True:
            now = time.monotonic()
            if now - started >= browse_s:
                break
            if now - started >= min_s and now - last_news >= quiet_s:
                break
            await asyncio.sleep(0.05)
        for browser in browsers:
            await browser.async_cancel()
        infos: list[AsyncServiceInfo] = []
        pending: list[AsyncServiceInfo] = []
        for service_type, name in names:
            info = AsyncServiceInfo(service_type, name)
            infos.append(info)
            if not info.load_from_cache(zc):
                pending.append(info)
        if pending:
            timeout_ms = resolve_s * 1000.0
            await asyncio.gather(
                *(info.async_request(zc, timeout_ms) for info in pending), return_exceptions=True
            )
        instances: list[Instance] = []
        for info in infos:
            addresses = tuple(str(a) for a in info.parsed_addresses(IPVersion.V4Only))
            if not addresses and info.port is None:
                continue
            service_type = short_type(info.type)
            types.add(service_type)
            instances.append(
                Instance(
                    type=service_type,
                    name=instance_label(info.name, info.type),
                    addresses=addresses,
                    port=info.port,
                    host=clean(info.server) if info.server else None,
                    txt=decode_txt(info.properties),
                )
            )
        for service_type, _name in names:
            types.add(short_type(service_type))
    finally:
        await aiozc.async_close()
    return instances, types, truncated
