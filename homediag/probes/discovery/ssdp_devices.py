"""``discovery.ssdp``: UPnP devices that answer an SSDP search, and the router's UPnP IGD.

Safe: one ``M-SEARCH`` for ``ssdp:all`` and one for the Internet Gateway Device (each sent twice, 0.5 s
apart) on the session's interface, multicast TTL 2, then one GET of each device description. Everything
that comes back is treated as hostile (see :mod:`homediag.probes.discovery.ssdp`).

Each LOCATION becomes one device sighting (address, names from ``friendlyName``, vendor from
``manufacturer``, model, services typed by ST, ``deviceType`` and ``serviceType``, a kind where the device
type says it). USNs, UDNs and serial numbers identify a device or a home: they stay out of the device
record and go into the ``ssdp.devices`` fact, which redaction pseudonymises.
"""

from __future__ import annotations

from homediag.core.devices import device_id
from homediag.core.errors import ProbeFailure
from homediag.core.i18n import _
from homediag.core.model import Device, DeviceEvidence, DeviceKind, Service
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import ProbeArg, ProbeSpec, Risk
from homediag.probes.discovery.ssdp import (
    DESCRIBE_BUDGET_S,
    ST_ALL,
    ST_IGD,
    Described,
    SearchResult,
    describe,
    search,
)
from homediag.probes.discovery.upnp_description import UpnpDevice
from homediag.probes.net.addressing import no_lan_reason, require_lan

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


def wan_services(described: Described) -> list[dict[str, str]]:
    """WANIPConnection / WANPPPConnection services of an IGD with usable control URLs (IP first)."""
    if described.description is None:
        return []
    found: list[dict[str, str]] = []
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


def device_record(described: Described) -> dict[str, object]:
    """The ``ssdp.devices`` entry for one LOCATION (personal identifiers included: pseudonymised)."""
    root = described.description.root if described.description is not None else None
    record: dict[str, object] = {
        "ip": str(described.sender),
        "location": described.location,
        "usns": sorted({r.usn for r in described.responses if r.usn}),
        "sts": sorted({r.st for r in described.responses if r.st}),
        "server": described.responses[0].server,
        "described": root is not None,
        "error": described.error,
    }
    if root is not None:
        record.update(
            {
                "device_type": root.device_type,
                "friendly_name": root.friendly_name,
                "manufacturer": root.manufacturer,
                "model_name": root.model_name,
                "model_number": root.model_number,
                "serial_number": root.serial_number,
                "udn": root.udn,
                "embedded": [d.device_type for d in root.walk()][1:],
            }
        )
        if described.description is not None and described.description.anomalies:
            record["anomalies"] = list(described.description.anomalies)
    return record


class SsdpDiscoveryProbe(Probe):
    """UPnP devices found by SSDP, with their descriptions."""

    spec = ProbeSpec(
        id="discovery.ssdp",
        summary="UPnP devices that answer an SSDP search, and the router's UPnP IGD",
        risk=Risk.SAFE,
        timeout_s=16.0,
        needs=("interface.ipv4", "interface.subnet", "gateway.ipv4"),
        provides=(
            "ssdp.responders",
            "ssdp.devices",
            "ssdp.location_anomalies",
            "ssdp.dropped",
            "upnp.igd_present",
            "upnp.igd_location",
            "upnp.igd_address",
            "upnp.igd_wan_services",
        ),
        args=(
            ProbeArg("mx", "int", 3, "MX of the M-SEARCH: devices answer within this many seconds"),
            ProbeArg("describe", "bool", True, "Fetch and parse each device description (LOCATION)"),
            ProbeArg(
                "describe_budget_s",
                "float",
                DESCRIBE_BUDGET_S,
                "Total seconds for all description fetches",
            ),
        ),
        tags=("discovery",),
        description=(
            "Sends an SSDP M-SEARCH (ssdp:all and InternetGatewayDevice, each twice) with multicast TTL 2 "
            "from the session's interface and listens MX + 1 s. Each device description is fetched "
            "only from the answering address inside the local subnet (never a name, loopback or "
            "another host), capped at 1 MiB with a total deadline, at most 4 at a time, and parsed "
            "with defusedxml under element and depth caps in a killable worker. Never sends SOAP "
            "actions, subscribes to events or changes anything on a device."
        ),
    )

    def applicable(self, ctx: ProbeContext) -> str | None:
        """Not applicable without an IPv4 subnet on the interface, or on loopback."""
        return no_lan_reason(ctx)

    async def run(self, ctx: ProbeContext) -> None:
        """Search, describe, and record devices and the IGD."""
        address, subnet = require_lan(ctx)
        mx = max(1, min(int(ctx.arg("mx")), 5))
        try:
            result = await search(address, subnet, targets=(ST_ALL, ST_IGD), mx=mx)
        except OSError as exc:
            raise ProbeFailure(
                _("cannot send an SSDP search from {address}: {error}").format(
                    address=address, error=exc.strerror or exc
                )
            ) from None
        ctx.using(_("SSDP M-SEARCH from {address}").format(address=address))
        if result.truncated:
            ctx.limit("ssdp answers")
        described: list[Described]
        if ctx.arg("describe"):
            described = await describe(ctx, result, subnet, budget_s=float(ctx.arg("describe_budget_s")))
        else:
            described = [
                Described(location, responses[0].sender, responses, error="not fetched")
                for location, responses in result.by_location().items()
            ]
        self._record_devices(ctx, result, described)
        self._record_igd(ctx, described)

    @staticmethod
    def _record_devices(ctx: ProbeContext, result: SearchResult, described: list[Described]) -> None:
        senders = result.senders
        evidence = _("{n} devices answered the SSDP search ({d} datagrams)").format(
            n=len(senders), d=result.datagrams
        )
        ctx.observe("ssdp.responders", len(senders), evidence=evidence)
        ctx.observe("ssdp.devices", [device_record(d) for d in described])
        refused = [
            {"sender": str(d.sender), "location": d.location[:200], "reason": d.error}
            for d in described
            if d.refused
        ]
        refused += [
            {"sender": str(a.sender), "location": a.location, "reason": a.reason}
            for a in result.foreign_claims()
        ]
        ctx.observe(
            "ssdp.location_anomalies",
            refused,
            evidence=_("{n} LOCATIONs refused").format(n=len(refused)) if refused else None,
        )
        dropped = result.malformed + result.oversized
        ctx.observe(
            "ssdp.dropped",
            dropped,
            evidence=_("{m} malformed, {o} oversized, {x} from outside the subnet").format(
                m=result.malformed, o=result.oversized, x=result.outside_subnet
            ),
        )
        seen: set[str] = set()
        for item in described:
            seen.add(str(item.sender))
            ctx.add_device(device_sighting(item))
        for sender in senders:  # answered, but gave no LOCATION
            if str(sender) not in seen:
                responses = tuple(r for r in result.responses if r.sender == sender)
                ctx.add_device(device_sighting(Described("", sender, responses, error="no LOCATION")))

    @staticmethod
    def _record_igd(ctx: ProbeContext, described: list[Described]) -> None:
        gateways = [d for d in described if is_igd(d)]
        gateway_ip = ctx.fact("gateway.ipv4")
        gateways.sort(key=lambda d: (str(d.sender) != gateway_ip, d.description is None, d.location))
        if not gateways:
            ctx.observe(
                "upnp.igd_present",
                False,
                evidence=_("no Internet Gateway Device answered the SSDP search"),
            )
            ctx.observe("upnp.igd_location", None)
            ctx.observe("upnp.igd_address", None)
            ctx.observe("upnp.igd_wan_services", [])
            return
        chosen = gateways[0]
        services = wan_services(chosen)
        if chosen.description is None:
            detail = _("IGD at {location}; description unavailable: {error}").format(
                location=chosen.location, error=chosen.error
            )
        else:
            detail = _("IGD at {location} with {n} WAN connection services").format(
                location=chosen.location, n=len(services)
            )
        ctx.observe("upnp.igd_present", True, evidence=detail)
        ctx.observe("upnp.igd_location", chosen.location)
        ctx.observe("upnp.igd_address", str(chosen.sender))
        ctx.observe("upnp.igd_wan_services", services)
