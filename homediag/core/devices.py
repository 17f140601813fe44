"""Merging device sightings into one identity per device, deciding each device's kind, and matching
devices to device probes.

Discovery probes each report what they saw (ARP: an IP and a MAC; mDNS: names and services; SSDP: a
description; reverse DNS: a name). :func:`merge_devices` joins sightings that share a MAC, or an IP
address when a sighting has no MAC, into one :class:`Device`; the evidence of every source is kept.
Then each merged device gets:

- its **vendor** from the IEEE registry that ``netaddr`` ships (the MAC's OUI, or its MA-M/MA-S block);
  a locally administered (random, private) MAC has no vendor, and a manufacturer string a device
  announces (SSDP ``manufacturer``) is kept only when the MAC says nothing;
- its **kind** from :data:`KIND_RULES`, declared matchers in the manner of Home Assistant's manifests:
  the first rule whose every condition holds decides, and the device carries the rule's reason as
  evidence (``kind=printer: announces _ipp._tcp``). Rules look at what the device announces (service
  types and TXT records), its role on the LAN (the default gateway, this computer), its model, its
  names (host names from reverse DNS, mDNS and DHCP) and, last, its vendor.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from homediag.core.model import Device, DeviceEvidence, DeviceKind, Service
from homediag.core.spec import DeviceMatcher

ROLE_GATEWAY = "default gateway"
"""The evidence claim a discovery probe gives the device that is the default gateway."""
ROLE_SELF = "this computer"
"""The evidence claim of the computer homediag runs on."""
KIND_SOURCE = "kind"
"""The source name of the evidence the kind rules add."""

_KIND_STRENGTH = {kind: rank for rank, kind in enumerate(DeviceKind)}


def normalise_mac(mac: str | None) -> str | None:
    """``AA-BB-CC-DD-EE-FF``, ``aabb.ccdd.eeff`` or ``aabbccddeeff`` -> ``aa:bb:cc:dd:ee:ff``."""
    if not mac:
        return None
    digits = "".join(ch for ch in mac.lower() if ch in "0123456789abcdef")
    if len(digits) != 12:
        return None
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def is_locally_administered(mac: str) -> bool:
    """Whether ``mac`` is a locally administered (often random, private) address."""
    normal = normalise_mac(mac)
    return normal is not None and bool(int(normal[:2], 16) & 0x02)


def device_id(mac: str | None, ip: str | None) -> str:
    """A stable id for a device within one network: from its MAC, else its IP."""
    key = normalise_mac(mac) or ip or "unknown"
    return "dev-" + hashlib.blake2s(key.encode(), digest_size=5).hexdigest()


@functools.cache
def _registry_org(prefix: str) -> str | None:
    import netaddr

    try:
        eui = netaddr.EUI(prefix + ":00:00:00")
    except (netaddr.AddrFormatError, ValueError):
        return None
    for block in ("oui", "iab"):
        try:
            org = str(getattr(eui, block).registration().org).strip()
        except (netaddr.NotRegisteredError, IndexError, AttributeError, ValueError, TypeError):
            continue
        if org:
            return org
    return None


def mac_vendor(mac: str | None) -> str | None:
    """The organisation the IEEE registered ``mac``'s OUI to, or None (random MACs have none)."""
    normal = normalise_mac(mac)
    if normal is None or is_locally_administered(normal) or int(normal[:2], 16) & 0x01:
        return None
    org = _registry_org(normal[:8])
    if org is None:  # MA-M / MA-S blocks are looked up by the longer prefix
        import netaddr

        try:
            org = str(netaddr.EUI(normal).iab.registration().org).strip() or None
        except (netaddr.NotRegisteredError, netaddr.AddrFormatError, IndexError, AttributeError, ValueError):
            org = None
    return org


@dataclass(frozen=True)
class KindRule:
    """A declared matcher for a device kind: every condition given must hold.

    Regular expressions are searched case-insensitively. ``service`` matches a service type (mDNS type
    such as ``_ipp._tcp`` or a UPnP device/service type); ``txt`` is ``(key, pattern)`` on the TXT record
    of a service of that type (of any service without ``service``).
    """

    kind: DeviceKind
    because: str
    """Why, in a few words (becomes the evidence detail)."""
    service: str | None = None
    txt: tuple[str, str] | None = None
    role: str | None = None
    """An evidence claim such as :data:`ROLE_GATEWAY`."""
    model: str | None = None
    name: str | None = None
    vendor: str | None = None

    def holds(self, device: Device) -> bool:
        """Whether every condition of this rule holds for ``device``."""
        services = device.services
        if self.service is not None:
            wanted = self.service.lower()
            services = tuple(s for s in services if wanted in s.type.lower().rstrip("."))
            if not services:
                return False
        if self.txt is not None:
            key, pattern = self.txt
            if not any(_search(pattern, s.txt.get(key, "")) for s in services if key in s.txt):
                return False
        if self.role is not None and not any(e.claim == self.role for e in device.evidence):
            return False
        if self.model is not None and not _search(self.model, device.model or ""):
            return False
        if self.name is not None and not any(_search(self.name, n) for n in device.names):
            return False
        return self.vendor is None or _search(self.vendor, device.vendor or "")


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _search(pattern: str, text: str) -> bool:
    return _compiled(pattern).search(text[:256]) is not None


_K = DeviceKind
_TV = r"(?:^|[^a-z])(?:tv|television|bravia|roku|fire-?tv|apple-?tv|chromecast)(?:[^a-z]|$)"
KIND_RULES: tuple[KindRule, ...] = (
    # Its role on the LAN says the most.
    KindRule(_K.COMPUTER, "runs homediag", role=ROLE_SELF),
    KindRule(_K.ROUTER, "is the default gateway", role=ROLE_GATEWAY),
    # What it announces (mDNS service types, UPnP device types).
    KindRule(_K.PRINTER, "announces _ipp._tcp", service="_ipp._tcp"),
    KindRule(_K.PRINTER, "announces _ipps._tcp", service="_ipps._tcp"),
    KindRule(_K.PRINTER, "announces _printer._tcp (LPD)", service="_printer._tcp"),
    KindRule(_K.PRINTER, "announces _pdl-datastream._tcp", service="_pdl-datastream._tcp"),
    KindRule(_K.PRINTER, "is a UPnP printer", service=":device:printer:"),
    KindRule(_K.HUB, "announces _hue._tcp (Hue bridge)", service="_hue._tcp"),
    KindRule(_K.HUB, "is a HomeKit bridge (ci=2)", service="_hap._tcp", txt=("ci", r"^2$")),
    KindRule(_K.HUB, "announces _home-assistant._tcp", service="_home-assistant._tcp"),
    KindRule(_K.HUB, "runs an MQTT broker (_mqtt._tcp)", service="_mqtt._tcp"),
    KindRule(_K.NAS, "is made by a NAS maker", vendor=r"synology|qnap|buffalo|drobo"),
    KindRule(
        _K.SPEAKER,
        "a Google cast speaker",
        service="_googlecast._tcp",
        txt=("md", r"google home|home mini|nest mini|nest audio|home max|speaker"),
    ),
    KindRule(_K.MEDIA, "announces _googlecast._tcp", service="_googlecast._tcp"),
    KindRule(_K.SPEAKER, "announces _sonos._tcp", service="_sonos._tcp"),
    KindRule(_K.SPEAKER, "is a Sonos ZonePlayer", service=":device:zoneplayer:"),
    KindRule(
        _K.SPEAKER, "an AirPlay speaker (HomePod)", service="_airplay._tcp", txt=("model", r"audioaccessory")
    ),
    KindRule(_K.MEDIA, "an Apple TV", service="_airplay._tcp", txt=("model", r"appletv")),
    KindRule(_K.COMPUTER, "a Mac", service="_airplay._tcp", txt=("model", r"mac|imac")),
    KindRule(_K.MEDIA, "announces _airplay._tcp", service="_airplay._tcp"),
    KindRule(_K.SPEAKER, "announces AirPlay audio (_raop._tcp)", service="_raop._tcp"),
    KindRule(_K.MEDIA, "is a DIAL (cast) device", service="dial-multiscreen-org:device:dial"),
    KindRule(_K.MEDIA, "is a UPnP media renderer", service=":device:mediarenderer:"),
    KindRule(_K.MEDIA, "is a UPnP media server", service=":device:mediaserver:"),
    KindRule(_K.CAMERA, "is a UPnP camera", service=":device:digitalsecuritycamera:"),
    KindRule(_K.HUB, "a Hue bridge by its model", model=r"hue bridge|bsb00\d"),
    KindRule(_K.IOT, "announces _hap._tcp (HomeKit)", service="_hap._tcp"),
    KindRule(_K.IOT, "announces _matter._tcp (Matter)", service="_matter._tcp"),
    KindRule(_K.IOT, "announces _matterc._udp (Matter)", service="_matterc._udp"),
    KindRule(_K.IOT, "announces _esphomelib._tcp", service="_esphomelib._tcp"),
    KindRule(_K.ROUTER, "is a UPnP Internet Gateway Device", service=":device:internetgatewaydevice:"),
    # Its names (host names from DHCP, reverse DNS, mDNS), as people and makers name devices.
    KindRule(_K.PHONE, "named like a phone", name=r"iphone|android|galaxy|pixel|phone|ipad|tablet"),
    KindRule(
        _K.PRINTER,
        "named like a printer",
        name=r"printer|laserjet|officejet|deskjet|pixma|brother-|epson|canon-",
    ),
    KindRule(_K.CAMERA, "named like a camera", name=r"(?:^|[^a-z])(?:cam|camera|doorbell|ipcam)(?:[^a-z]|$)"),
    KindRule(_K.SPEAKER, "named like a speaker", name=r"sonos|echo|homepod|speaker|alexa"),
    KindRule(_K.MEDIA, "named like a TV or player", name=_TV),
    KindRule(_K.NAS, "named like a NAS", name=r"(?:^|[^a-z])nas(?:[^a-z]|$)|diskstation|synology"),
    KindRule(_K.HUB, "named like a hub", name=r"homeassistant|hassio|(?:^|[^a-z])(?:hub|bridge)(?:[^a-z]|$)"),
    KindRule(
        _K.IOT,
        "named like a smart-home device",
        name=r"plug|bulb|thermostat|sensor|tasmota|shelly|esp-|espressif|(?:^|[^a-z])light(?:[^a-z]|$)",
    ),
    KindRule(
        _K.COMPUTER,
        "named like a computer",
        name=r"macbook|imac|laptop|desktop|notebook|thinkpad|workstation|(?:^|[^a-z])pc(?:[^a-z]|$)",
    ),
    KindRule(_K.ROUTER, "named like a router", name=r"fritz|router|openwrt|gateway|speedport"),
    # Last, makers that make one kind of thing.
    KindRule(_K.HUB, "made by Philips Lighting/Signify", vendor=r"philips lighting|signify"),
    KindRule(_K.SPEAKER, "made by Sonos", vendor=r"^sonos"),
    KindRule(_K.PRINTER, "made by Brother", vendor=r"^brother industries"),
    KindRule(_K.IOT, "made by a smart-plug chip maker", vendor=r"espressif|tuya|shelly|sonoff"),
    KindRule(_K.ROUTER, "made by a router maker", vendor=r"^avm |ubiquiti|mikrotik"),
)
"""Kind rules, in order: the first rule that holds decides a device's kind."""


def classify(device: Device, rules: Sequence[KindRule] = KIND_RULES) -> tuple[DeviceKind, str | None]:
    """The kind ``rules`` give ``device`` and why (None: no rule holds)."""
    for rule in rules:
        if rule.holds(device):
            return rule.kind, rule.because
    return DeviceKind.UNKNOWN, None


def _finalise(device: Device) -> Device:
    vendor = mac_vendor(device.mac) or device.vendor
    evidence = tuple(e for e in device.evidence if e.source != KIND_SOURCE)
    staged = Device(**{**device.__dict__, "vendor": vendor, "evidence": evidence})
    kind, because = classify(staged)
    if kind is DeviceKind.UNKNOWN:
        kind = device.kind  # what a source claimed, when no rule decides
    else:
        evidence = (*evidence, DeviceEvidence(KIND_SOURCE, f"kind={kind.value}", because or ""))
    return Device(
        **{
            **staged.__dict__,
            "kind": kind,
            "evidence": evidence,
            "id": device_id(device.mac, device.ip or (device.addresses[0] if device.addresses else None)),
        }
    )


def _merge_two(a: Device, b: Device) -> Device:
    kind = a.kind
    if a.kind is DeviceKind.UNKNOWN or (
        b.kind is not DeviceKind.UNKNOWN and _KIND_STRENGTH[b.kind] < _KIND_STRENGTH[a.kind]
    ):
        kind = b.kind if b.kind is not DeviceKind.UNKNOWN else a.kind
    services: dict[tuple[str, int | None, str | None], Service] = {}
    for service in (*a.services, *b.services):
        services.setdefault((service.type, service.port, service.name), service)
    return Device(
        id=a.id,
        ip=a.ip or b.ip,
        addresses=tuple(dict.fromkeys((*a.addresses, *b.addresses))),
        mac=a.mac or b.mac,
        vendor=a.vendor or b.vendor,
        kind=kind,
        names=tuple(dict.fromkeys((*a.names, *b.names))),
        services=tuple(services.values()),
        model=a.model or b.model,
        random_mac=a.random_mac or b.random_mac,
        evidence=tuple(dict.fromkeys((*a.evidence, *b.evidence))),
        sources=tuple(dict.fromkeys((*a.sources, *b.sources))),
    )


def merge_devices(sightings: Iterable[Device]) -> list[Device]:
    """One Device per physical device.

    Sightings with the same MAC are one device. A sighting without a MAC (mDNS, SSDP) joins the device
    that has its IP address; a MAC-less device adopts the first MAC seen for its address later. Two
    different MACs on one address stay two devices: that is an address conflict, not one device.
    """
    groups: list[Device] = []
    by_mac: dict[str, int] = {}
    by_ip: dict[str, int] = {}
    for raw in sightings:
        mac = normalise_mac(raw.mac)
        addresses = tuple(dict.fromkeys(a for a in (raw.ip, *raw.addresses) if a))
        sighting = Device(
            **{
                **raw.__dict__,
                "id": device_id(mac, raw.ip),
                "mac": mac,
                "addresses": addresses,
                "random_mac": raw.random_mac or (mac is not None and is_locally_administered(mac)),
            }
        )
        index: int | None = None
        if mac is not None:
            index = by_mac.get(mac)
            if index is None:
                index = next(
                    (by_ip[a] for a in addresses if a in by_ip and groups[by_ip[a]].mac is None),
                    None,
                )
        else:
            index = next((by_ip[a] for a in addresses if a in by_ip), None)
        if index is None:
            groups.append(sighting)
            index = len(groups) - 1
        else:
            groups[index] = _merge_two(groups[index], sighting)
        merged = groups[index]
        if merged.mac is not None:
            by_mac[merged.mac] = index
        for address in merged.addresses:
            by_ip.setdefault(address, index)
    final = [_finalise(d) for d in groups]
    return sorted(final, key=lambda d: (_ip_sort_key(d.ip), d.id))


def _ip_sort_key(ip: str | None) -> tuple[int, ...]:
    if not ip:
        return (1 << 16,)
    try:
        return tuple(int(part) for part in ip.split("."))
    except ValueError:
        return (1 << 15,)


def matches(matcher: DeviceMatcher, device: Device) -> bool:
    """Whether ``device`` is one ``matcher`` is for (any declared field that matches)."""
    checks: list[bool] = []
    if matcher.mdns_type is not None:
        wanted = matcher.mdns_type.rstrip(".").removesuffix(".local")
        checks.append(any(s.type.rstrip(".").removesuffix(".local") == wanted for s in device.services))
    if matcher.ssdp_st is not None:
        checks.append(any(s.type.startswith(matcher.ssdp_st) for s in device.services))
    if matcher.oui is not None and device.mac:
        checks.append(device.mac.startswith(matcher.oui.lower()))
    if matcher.kind is not None:
        checks.append(device.kind.value == matcher.kind)
    if matcher.port is not None:
        checks.append(any(s.port == matcher.port for s in device.services))
    return any(checks)


def matching_devices(matchers: Sequence[DeviceMatcher], devices: Iterable[Device]) -> list[Device]:
    """The devices that any of ``matchers`` is for, in order."""
    return [device for device in devices if any(matches(m, device) for m in matchers)]


def with_evidence(device: Device, source: str, claim: str, detail: str = "") -> Device:
    """A copy of ``device`` with one more piece of evidence."""
    return Device(
        **{**device.__dict__, "evidence": (*device.evidence, DeviceEvidence(source, claim, detail))}
    )


def subject_of(device: Device) -> str:
    """The observation subject of a device: ``device:<id>``."""
    return f"device:{device.id}"


def service(device: Device, service_type: str) -> Service | None:
    """The device's first service of ``service_type`` (``_hap._tcp``), if any."""
    wanted = service_type.rstrip(".").removesuffix(".local")
    for item in device.services:
        if item.type.rstrip(".").removesuffix(".local") == wanted:
            return item
    return None

