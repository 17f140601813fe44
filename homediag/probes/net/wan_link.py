"""``net.wan_link``: the router's own view of its internet connection, from its UPnP IGD.

Safe: three read-only requests to the IGD that ``discovery.ssdp`` found, only on the IGD's own address
inside the local subnet. One GET of its description (1 MiB cap) for the control URL of its
WANCommonInterfaceConfig service, then two SOAP actions that change nothing (answers capped at 64 KiB,
5 s each, parsed in a killable process with no XML entities):

- ``WANIPConnection:GetStatusInfo`` (else ``WANPPPConnection``): ConnectionStatus, LastConnectionError and
  Uptime of the WAN connection;
- ``WANCommonInterfaceConfig:GetCommonLinkProperties``: PhysicalLinkStatus of the WAN link, its access
  type and the layer-1 up and down maximum bit rates (the line's sync rates on a DSL modem).

It observes what the router says, not verdicts: a router that reports ``Disconnected`` or a physical link
``Down`` while the gateway answers points at the line, not at the LAN; the playbooks decide. Values
outside the UPnP vocabulary are not observed (the evidence says what came).
"""

from __future__ import annotations

import ipaddress
import re

from homediag.core.facts import Fact
from homediag.core.http import HttpError
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import ProbeSpec, Risk
from homediag.core.worker import WorkerError
from homediag.net.upnp.devices import WanService
from homediag.net.upnp.igd import (
    COMMON_INTERFACE_RE,
    MAX_SOAP_BYTES,
    SERVICE_TYPE_RE,
    ActionReply,
    build_action,
    control_url_allowed,
    parse_action_response,
)
from homediag.net.upnp.ssdp import fetch_description

CONNECTION_STATUSES = frozenset(
    {"Unconfigured", "Connecting", "Connected", "PendingDisconnect", "Disconnecting", "Disconnected"}
)
LINK_STATUSES = frozenset({"Up", "Down", "Initializing", "Unavailable"})
ACCESS_TYPES = frozenset({"DSL", "POTS", "Cable", "Ethernet", "Other"})
CONNECTION_ERROR_RE = re.compile(r"^ERROR_[A-Z_]{1,40}$")
MAX_UPTIME_S = 20 * 365 * 24 * 3600
MAX_BIT_RATE = 10**12
SOAP_TIMEOUT_S = 5.0


class WanLinkProbe(Probe):
    """The WAN connection status and link rates the router's UPnP IGD reports."""

    spec = ProbeSpec(
        id="net.wan_link",
        summary="The router's WAN connection status, uptime and link rates, from its UPnP IGD",
        risk=Risk.SAFE,
        timeout_s=15.0,
        needs=(
            "upnp.igd_present",
            "upnp.igd_location",
            "upnp.igd_address",
            "upnp.igd_wan_services",
            "interface.subnet",
        ),
        provides=(
            Fact(
                "wan.connection_status",
                str,
                "The IGD's WAN connection status (Connected, Connecting, Disconnected, Unconfigured...)",
                not_judged=(
                    "not judged yet: net.wan_link is new (issue 17); the router's own WAN status would "
                    "confirm wan.down"
                ),
            ),
            Fact(
                "wan.last_connection_error",
                str,
                "Why the WAN connection last failed (ERROR_NONE when not)",
                not_judged="not judged yet: net.wan_link is new; evidence for a wan.down finding",
            ),
            Fact(
                "wan.uptime_s",
                int,
                "Time since the WAN connection came up, as the IGD reports it",
                unit="s",
                not_judged="not judged yet: net.wan_link is new; a short uptime would point at line resyncs",
            ),
            Fact(
                "wan.physical_link_status",
                str,
                "The WAN link's physical status (Up, Down, Initializing...)",
                not_judged="not judged yet: net.wan_link is new; 'Down' would confirm wan.down",
            ),
            Fact(
                "wan.access_type",
                str,
                "The WAN access type the IGD declares (DSL, Cable, Ethernet...)",
                not_judged="context: the line's kind (DSL, cable...)",
            ),
            Fact(
                "wan.max_up_mbps",
                float,
                "Layer-1 upstream maximum bit rate of the WAN link",
                unit="Mbit/s",
                not_judged=(
                    "not judged yet: net.wan_link is new; the sync rate against the plan would tell a slow "
                    "line apart"
                ),
            ),
            Fact(
                "wan.max_down_mbps",
                float,
                "Layer-1 downstream maximum bit rate of the WAN link",
                unit="Mbit/s",
                not_judged=(
                    "not judged yet: net.wan_link is new; the sync rate against the plan would tell a slow "
                    "line apart"
                ),
            ),
        ),
        description=(
            "Asks the router's UPnP Internet Gateway Device two read-only SOAP actions: "
            "WANIPConnection (or WANPPPConnection) GetStatusInfo for the connection status, last "
            "connection error and uptime, and WANCommonInterfaceConfig GetCommonLinkProperties (control "
            "URL from one GET of the IGD's description) for the physical link status, access type and "
            "layer-1 maximum bit rates. Only URLs on the IGD's own address inside the local subnet; "
            "answers capped at 64 KiB and 5 s, parsed without XML entities. Never sends an action that "
            "changes anything (no port mappings)."
        ),
    )

    def applicable(self, ctx: ProbeContext) -> str | None:
        """Not applicable without an IGD (or when the SSDP search did not run)."""
        present = ctx.fact("upnp.igd_present")
        if present is None:
            return _("the SSDP search for an IGD did not run or failed")
        if present is not True:
            return _("no UPnP IGD answered")
        return None

    async def run(self, ctx: ProbeContext) -> None:
        """Ask both actions and observe what the IGD said."""
        igd = str(ctx.fact("upnp.igd_address") or "")
        subnet = ctx.fact("interface.subnet")
        services = ctx.fact_as("upnp.igd_wan_services", list[WanService]) or []
        connection = next(
            (
                s
                for s in services
                if SERVICE_TYPE_RE.match(s["service_type"])
                and control_url_allowed(s["control_url"], igd, subnet)
            ),
            None,
        )
        ctx.using(_("UPnP IGD at {address}").format(address=igd[:40]))
        await self._status(ctx, connection)
        await self._link(ctx, igd, subnet)

    async def _status(self, ctx: ProbeContext, service: WanService | None) -> None:
        facts = ("wan.connection_status", "wan.last_connection_error", "wan.uptime_s")
        if service is None:
            for fact in facts:
                ctx.observe(fact, None, evidence=_("the IGD offers no WAN connection service to ask"))
            return
        reply, problem = await _ask(ctx, service["service_type"], service["control_url"], "GetStatusInfo")
        if reply is None:
            for fact in facts:
                ctx.observe(fact, None, evidence=problem)
            return
        values = reply.values
        _observe_word(ctx, "wan.connection_status", values.get("NewConnectionStatus"), CONNECTION_STATUSES)
        error = values.get("NewLastConnectionError")
        if error is not None and CONNECTION_ERROR_RE.match(error):
            ctx.observe("wan.last_connection_error", error)
        else:
            ctx.observe("wan.last_connection_error", None, evidence=_unexpected(error))
        uptime = _number(values.get("NewUptime"), MAX_UPTIME_S)
        ctx.observe(
            "wan.uptime_s",
            uptime,
            evidence=None if uptime is not None else _unexpected(values.get("NewUptime")),
        )

    async def _link(self, ctx: ProbeContext, igd: str, subnet: object) -> None:
        facts = ("wan.physical_link_status", "wan.access_type", "wan.max_up_mbps", "wan.max_down_mbps")
        found, problem = await _common_interface(ctx, igd, subnet)
        reply: ActionReply | None = None
        if found is not None:
            reply, problem = await _ask(ctx, found[0], found[1], "GetCommonLinkProperties")
        if reply is None:
            for fact in facts:
                ctx.observe(fact, None, evidence=problem)
            return
        values = reply.values
        _observe_word(ctx, "wan.physical_link_status", values.get("NewPhysicalLinkStatus"), LINK_STATUSES)
        _observe_word(ctx, "wan.access_type", values.get("NewWANAccessType"), ACCESS_TYPES)
        for fact, key in (
            ("wan.max_up_mbps", "NewLayer1UpstreamMaxBitRate"),
            ("wan.max_down_mbps", "NewLayer1DownstreamMaxBitRate"),
        ):
            rate = _number(values.get(key), MAX_BIT_RATE)
            if rate is None:
                ctx.observe(fact, None, evidence=_unexpected(values.get(key)))
            else:
                ctx.observe(fact, round(rate / 1e6, 3))


async def _common_interface(
    ctx: ProbeContext, igd: str, subnet: object
) -> tuple[tuple[str, str] | None, str]:
    """The WANCommonInterfaceConfig service type and control URL from the IGD's description, or why not."""
    location = str(ctx.fact("upnp.igd_location") or "")
    if not control_url_allowed(location, igd, subnet):
        return None, _("the IGD's description is not on its own address: not fetched")
    described = await fetch_description(ctx, location, ipaddress.IPv4Address(igd))
    if described.description is None:
        return None, _("the IGD's description is unreadable: {error}").format(
            error=(described.error or "")[:120]
        )
    for service in described.description.root.all_services():
        if (
            service.service_type
            and COMMON_INTERFACE_RE.match(service.service_type)
            and service.control_url
            and control_url_allowed(service.control_url, igd, subnet)
        ):
            return (service.service_type, service.control_url), ""
    return None, _("the IGD declares no WANCommonInterfaceConfig service to ask")


async def _ask(ctx: ProbeContext, service_type: str, url: str, action: str) -> tuple[ActionReply | None, str]:
    """Send the read-only ``action``; its reply, or None and why not (one line)."""
    body, headers = build_action(service_type, action)
    try:
        response = await ctx.http(
            url,
            method="POST",
            content=body,
            headers=headers,
            timeout_s=SOAP_TIMEOUT_S,
            max_bytes=MAX_SOAP_BYTES + 1,
            follow_redirects=False,
        )
    except TimeoutError:
        return None, _("{action}: no answer within 5 s").format(action=action)
    except HttpError as exc:
        return None, f"{action}: {exc}"[:160]
    if response.truncated or len(response.body) > MAX_SOAP_BYTES:
        return None, _("{action}: answer larger than 64 KiB").format(action=action)
    try:
        reply: ActionReply = await ctx.parse_untrusted(parse_action_response, response.body, action)
    except (TimeoutError, WorkerError) as exc:
        return None, _("{action}: unreadable answer (HTTP {status}): {error}").format(
            action=action, status=response.status, error=str(exc)[:100]
        )
    if not reply.ok:
        return None, _("{action}: error {code} {text}").format(
            action=action, code=reply.fault_code or "", text=reply.fault_description or ""
        )
    return reply, ""


def _observe_word(ctx: ProbeContext, fact: str, value: str | None, allowed: frozenset[str]) -> None:
    if value in allowed:
        ctx.observe(fact, value)
    else:
        ctx.observe(fact, None, evidence=_unexpected(value))


def _number(text: str | None, ceiling: int) -> int | None:
    if text is None or not text.isascii() or not text.isdigit() or len(text) > 15:
        return None
    value = int(text)
    return value if value <= ceiling else None


def _unexpected(value: str | None) -> str:
    if value is None:
        return _("not in the IGD's answer")
    return _("an unexpected value: {value}").format(value=repr(value[:40]))
