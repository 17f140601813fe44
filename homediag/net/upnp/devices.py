"""UPnP devices as homediag records them: a device sighting per LOCATION (no USN, UDN or serial in it),
the ``ssdp.devices`` entry (with them: pseudonymised), the device kind a description says, and the
router's Internet Gateway Device with its WAN connection services.
"""

from __future__ import annotations

from typing import NotRequired

from typing_extensions import TypedDict

from homediag.core.devices import device_id
from homediag.core.facts import record
from homediag.core.model import Device, DeviceEvidence, DeviceKind, Service
from homediag.net.upnp.description import UpnpDevice
from homediag.net.upnp.ssdp import ST_ALL, Described

SOURCE = "discovery.ssdp"
IGD_DEVICE = ":device:InternetGatewayDevice:"
WAN_SERVICES = (":service:WANIPConnection:", ":service:WANPPPConnection:")

_KIND_BY_DEVICE_TYPE: tuple[tuple[str, DeviceKind], ...] = (
    (IGD_DEVICE, DeviceKind.ROUTER),
    (":device:MediaRenderer:", DeviceKind.MEDIA),
    (":device:MediaServer:", DeviceKind.MEDIA),
    ("dial-multiscreen-org:device:dial:", DeviceKind.MEDIA),
    (":device:ZonePlayer:", DeviceKind.SPEAKER),
    (":device:Printer:", DeviceKind.PRINTER),
    (":device:DigitalSecurityCamera:", DeviceKind.CAMERA),
)
_KIND_BY_MODEL: tuple[tuple[str, DeviceKind], ...] = (("hue bridge", DeviceKind.HUB),)
_UNINFORMATIVE_ST = ("upnp:rootdevice", ST_ALL)


def kind_of(root: UpnpDevice | None, sts: list[str]) -> tuple[DeviceKind, str | None]:
    """The device kind a description or the search targets say, with the type that said it."""
    types = [d.device_type for d in root.walk() if d.device_type] if root is not None else []
    for candidate in (*types, *sts):
        for marker, kind in _KIND_BY_DEVICE_TYPE:
            if marker.lower() in candidate.lower():
                return kind, candidate
    if root is not None:
        for marker, kind in _KIND_BY_MODEL:
            if marker in (root.model_name or "").lower():
                return kind, root.model_name
    return DeviceKind.UNKNOWN, None


def is_igd(described: Described) -> bool:
    """Whether this LOCATION is an Internet Gateway Device (by description, else by its answers)."""
    if described.description is not None:
        root = described.description.root
        if any(IGD_DEVICE in (d.device_type or "") for d in root.walk()):
            return True
        if any(any(marker in (s.service_type or "") for marker in WAN_SERVICES) for s in root.all_services()):
            return True
    return any(
        IGD_DEVICE in (r.st or "") or any(marker in (r.st or "") for marker in WAN_SERVICES)
        for r in described.responses
    )


@record
class WanService(TypedDict):
    """An ``upnp.igd_wan_services`` item: a WAN connection service of the IGD and its control URL."""

    service_type: str
    control_url: str


@record
class SsdpDeviceEntry(TypedDict):
    """An ``ssdp.devices`` item: one LOCATION, its answers and (when described) what it says it is."""

    ip: str
    location: str
    usns: list[str]
    sts: list[str]
    server: str | None
    described: bool
    error: str | None
    device_type: NotRequired[str | None]
    friendly_name: NotRequired[str | None]
    manufacturer: NotRequired[str | None]
    model_name: NotRequired[str | None]
    model_number: NotRequired[str | None]
    serial_number: NotRequired[str | None]
    udn: NotRequired[str | None]
    embedded: NotRequired[list[str | None]]
    anomalies: NotRequired[list[str]]


@record
class LocationAnomalyEntry(TypedDict):
    """An ``ssdp.location_anomalies`` item: a LOCATION that was refused, and why."""

    sender: str
    location: str
    reason: str | None


def wan_services(described: Described) -> list[WanService]:
    """WANIPConnection / WANPPPConnection services of an IGD with usable control URLs (IP first)."""
    if described.description is None:
        return []
    found: list[WanService] = []
    for marker in WAN_SERVICES:
        for service in described.description.root.all_services():
            if service.service_type and marker in service.service_type and service.control_url:
                found.append({"service_type": service.service_type, "control_url": service.control_url})
    return found


def device_sighting(described: Described) -> Device:
    """The device record for one LOCATION (no USN, UDN or serial in it)."""
    root = described.description.root if described.description is not None else None
    sts = [
        r.st
        for r in described.responses
        if r.st and r.st not in _UNINFORMATIVE_ST and not r.st.lower().startswith("uuid:")
    ]
    types: list[str] = list(sts)
    if root is not None:
        for device in root.walk():
            if device.device_type:
                types.append(device.device_type)
            types.extend(s.service_type for s in device.services if s.service_type)
    services = tuple(
        Service(type=t, source=SOURCE, url=described.location or None) for t in dict.fromkeys(types)
    )
    kind, because = kind_of(root, sts)
    evidence: list[DeviceEvidence] = [
        DeviceEvidence(SOURCE, "answered SSDP", described.responses[0].server or "")
    ]
    if because is not None:
        evidence.append(DeviceEvidence(SOURCE, f"kind={kind.value}", because))
    names = tuple(n for n in [root.friendly_name if root else None] if n)
    ip = str(described.sender)
    return Device(
        id=device_id(None, ip),
        ip=ip,
        addresses=(ip,),
        vendor=root.manufacturer if root else None,
        kind=kind,
        names=names,
        services=services,
        model=root.model_name if root else None,
        evidence=tuple(evidence),
        sources=(SOURCE,),
    )


def device_record(described: Described) -> SsdpDeviceEntry:
    """The ``ssdp.devices`` entry for one LOCATION (personal identifiers included: pseudonymised)."""
    root = described.description.root if described.description is not None else None
    entry: SsdpDeviceEntry = {
        "ip": str(described.sender),
        "location": described.location,
        "usns": sorted({r.usn for r in described.responses if r.usn}),
        "sts": sorted({r.st for r in described.responses if r.st}),
        "server": described.responses[0].server,
        "described": root is not None,
        "error": described.error,
    }
    if root is not None:
        entry["device_type"] = root.device_type
        entry["friendly_name"] = root.friendly_name
        entry["manufacturer"] = root.manufacturer
        entry["model_name"] = root.model_name
        entry["model_number"] = root.model_number
        entry["serial_number"] = root.serial_number
        entry["udn"] = root.udn
        entry["embedded"] = [d.device_type for d in root.walk()][1:]
        if described.description is not None and described.description.anomalies:
            entry["anomalies"] = list(described.description.anomalies)
    return entry
