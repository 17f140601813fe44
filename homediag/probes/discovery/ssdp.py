"""``discovery.ssdp``: UPnP devices that answer an SSDP search, and the router's UPnP IGD.

Safe: one ``M-SEARCH`` for ``ssdp:all`` and one for the Internet Gateway Device (each sent twice, 0.25 s
apart, MX 1) on the session's interface, multicast TTL 2, then one GET of each device description. Everything
that comes back is treated as hostile (see :mod:`homediag.net.upnp.ssdp`).

Each LOCATION becomes one device sighting (address, names from ``friendlyName``, vendor from
``manufacturer``, model, services typed by ST, ``deviceType`` and ``serviceType``, a kind where the device
type says it). USNs, UDNs and serial numbers identify a device or a home: they stay out of the device
record and go into the ``ssdp.devices`` fact, which redaction pseudonymises.
"""

from __future__ import annotations

from pydantic import Field

from homediag.core.errors import ProbeFailure
from homediag.core.facts import Fact, Privacy
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import ProbeArgs, ProbeSpec, Risk
from homediag.net.addressing import no_lan_reason, require_lan
from homediag.net.upnp.devices import (
    LocationAnomalyEntry,
    SsdpDeviceEntry,
    WanService,
    device_record,
    device_sighting,
    is_igd,
    wan_services,
)
from homediag.net.upnp.ssdp import (
    DEFAULT_MX,
    DESCRIBE_BUDGET_S,
    ST_ALL,
    ST_IGD,
    Described,
    SearchResult,
    describe,
    search,
)


class SsdpDiscoveryArgs(ProbeArgs):
    """Arguments of ``discovery.ssdp`` (config: ``probes.discovery.ssdp``)."""

    mx: int = Field(DEFAULT_MX, description="MX of the M-SEARCH: devices answer within this many seconds")
    describe: bool = Field(True, description="Fetch and parse each device description (LOCATION)")
    describe_budget_s: float = Field(
        DESCRIBE_BUDGET_S, description="Total seconds for all description fetches"
    )


class SsdpDiscoveryProbe(Probe):
    """UPnP devices found by SSDP, with their descriptions."""

    spec = ProbeSpec(
        id="discovery.ssdp",
        summary="UPnP devices that answer an SSDP search, and the router's UPnP IGD",
        risk=Risk.SAFE,
        timeout_s=16.0,
        needs=("interface.ipv4", "interface.subnet", "gateway.ipv4"),
        provides=(
            Fact("ssdp.responders", int, "Distinct addresses that answered an SSDP search"),
            Fact(
                "ssdp.devices",
                list[SsdpDeviceEntry],
                "Each LOCATION: address, USNs, STs, server, UDN, serial, names, model",
                privacy=Privacy.PSEUDONYMISE,
                not_judged="raw answers; the device summaries and upnp.igd_present judge what they mean",
            ),
            Fact(
                "ssdp.location_anomalies",
                list[LocationAnomalyEntry],
                "LOCATIONs refused (another host, a name, loopback...) with the reason",
                not_judged="hostile-input evidence kept for the technician; a refused answer is no fault",
            ),
            Fact(
                "ssdp.dropped",
                int,
                "SSDP answers dropped as malformed or oversized",
                not_judged="hostile-input evidence kept for the technician; a dropped answer is no fault",
            ),
            Fact("upnp.igd_present", bool, "An Internet Gateway Device answered the SSDP search"),
            Fact("upnp.igd_location", str, "Description URL of the IGD"),
            Fact("upnp.igd_address", str, "LAN address of the IGD"),
            Fact(
                "upnp.igd_wan_services",
                list[WanService],
                "The IGD's WANIPConnection/WANPPPConnection services and control URLs",
            ),
        ),
        args=SsdpDiscoveryArgs,
        tags=("discovery",),
        description=(
            "Sends an SSDP M-SEARCH (ssdp:all and InternetGatewayDevice, each twice) with multicast TTL 2 "
            "from the session's interface and listens until MX (1 s) + 0.4 s after the second search. "
            "Each device description is fetched only from the answering address inside the local "
            "subnet (never a name, loopback or another host), capped at 1 MiB with a total deadline, "
            "at most 4 at a time, and parsed "
            "with defusedxml under element and depth caps in a killable worker. Never sends SOAP "
            "actions, subscribes to events or changes anything on a device."
        ),
    )

    def applicable(self, ctx: ProbeContext) -> str | None:
        """Not applicable without an IPv4 subnet on the interface, or on loopback."""
        return no_lan_reason(ctx)

    async def run(self, ctx: ProbeContext) -> None:
        """Search, describe, and record devices and the IGD."""
        args = ctx.args_as(SsdpDiscoveryArgs)
        address, subnet = require_lan(ctx)
        mx = max(1, min(args.mx, 5))
        try:
            result = await search(ctx, address, subnet, targets=(ST_ALL, ST_IGD), mx=mx)
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
        if args.describe:
            described = await describe(ctx, result, subnet, budget_s=args.describe_budget_s)
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
        refused: list[LocationAnomalyEntry] = [
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
