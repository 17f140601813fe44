"""Merging device sightings into one identity per device, and matching devices to device probes.

Discovery probes each report what they saw (ARP: an IP and a MAC; mDNS: names and services; SSDP: a
description). :func:`merge_devices` joins sightings that share a MAC, or an IP address when a sighting has
no MAC, into one :class:`Device`; the evidence of every source is kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from homediag.core.model import Device, DeviceEvidence, DeviceKind, Service
from homediag.core.spec import DeviceMatcher

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
    final = [
        Device(
            **{
                **d.__dict__,
                "id": device_id(d.mac, d.ip or (d.addresses[0] if d.addresses else None)),
            }
        )
        for d in groups
    ]
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
