"""``net.dhcp``: every DHCP server that answers a DISCOVER on the LAN, and what each offers.

Active: one broadcast DHCPDISCOVER (and one retry after 2 s when nobody answered) on the session's
interface, with scapy, then listening at most 4 s in all. The DISCOVER never leads anywhere: homediag
never sends a REQUEST, so no lease is taken. Its client MAC (``chaddr``) is a locally administered MAC
derived stably from the interface's MAC, so a server keeps offering the same address to the same
computer instead of reserving a new one each run (nmap's warning about random client MACs); the frame
itself leaves from the interface's real MAC (Wi-Fi drops foreign source MACs) with the BOOTP broadcast
flag set, so the offers come back as broadcasts.

Every server that answers is listed with its offer (server identifier, offered address, routers, DNS
servers, lease time, domain). Without raw sockets there is no way to send a DISCOVER: the probe ends
``not_permitted``.
"""

from __future__ import annotations

import random

from pydantic import Field

from homediag.core.devices import normalise_mac
from homediag.core.errors import NotApplicable, NotPermitted
from homediag.core.facts import Fact, Privacy
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import Privilege, ProbeArgs, ProbeSpec, Risk
from homediag.net.dhcp import OfferEntry, build_discover, is_dhcp_reply, offers_from, probe_client_mac
from homediag.net.l2 import BPF_DHCP_CLIENT, Send, exchange_in

MAX_LISTEN_S = 4.0
RETRY_AFTER_S = 2.0


class DhcpArgs(ProbeArgs):
    """Arguments of ``net.dhcp`` (config: ``probes.net.dhcp``)."""

    listen_s: float = Field(MAX_LISTEN_S, description="Seconds to listen (at most 4)")


class DhcpProbe(Probe):
    """Every DHCP server on the LAN, from one DISCOVER."""

    spec = ProbeSpec(
        id="net.dhcp",
        summary="Every DHCP server that answers a DISCOVER, and what each offers",
        risk=Risk.ACTIVE,
        timeout_s=8.0,
        needs=("interface.name", "interface.mac"),
        provides=(
            Fact("dhcp.server_count", int, "DHCP servers that answered one DISCOVER within 4 s"),
            Fact(
                "dhcp.servers",
                list[str],
                "Server identifiers of the DHCP servers that answered",
                not_judged="evidence detail of dhcp.server_count, which is judged",
            ),
            Fact(
                "dhcp.offers",
                list[OfferEntry],
                "Each server's offer: server, MAC, address, routers, DNS, lease, domain",
                privacy=Privacy.PSEUDONYMISE,
                not_judged="evidence detail of the offers (dhcp.offers_dns and dhcp.server_count are judged)",
            ),
            Fact("dhcp.offers_dns", bool, "Every offer carries the DNS servers option (null: no offer)"),
            Fact(
                "dhcp.first_offer_ms",
                float,
                "Time from the DISCOVER to the first offer",
                unit="ms",
                not_judged="no threshold yet: a slow but working DHCP server is no fault by itself",
            ),
        ),
        privilege=Privilege.RAW_SOCKET,
        fallback=(
            "no fallback: a DHCP DISCOVER can only be sent with raw sockets, so the probe ends not_permitted"
        ),
        args=DhcpArgs,
        description=(
            "Broadcasts one DHCPDISCOVER with scapy on the session's interface (one retry after 2 s "
            "when nobody answered) and lists every server that offers within 4 s: server identifier, "
            "offered address, routers, DNS servers, lease time, domain. The client MAC is a fixed, "
            "locally administered MAC derived from the interface's, so servers do not reserve a new "
            "address each run. Never sends a REQUEST or RELEASE and never takes a lease. On Wi-Fi, an "
            "access point that turns DHCP broadcasts into unicasts by client MAC may drop the offers "
            "meant for that MAC."
        ),
    )

    def applicable(self, ctx: ProbeContext) -> str | None:
        """Not applicable without an Ethernet-like interface."""
        if not ctx.fact("interface.name"):
            return _("there is no network interface to ask on")
        if normalise_mac(str(ctx.fact("interface.mac") or "")) is None:
            return _("the interface has no MAC address (not an Ethernet or Wi-Fi link)")
        return None

    async def run(self, ctx: ProbeContext) -> None:
        """Broadcast the DISCOVER, collect the offers."""
        iface = str(ctx.fact("interface.name") or "")
        interface_mac = normalise_mac(str(ctx.fact("interface.mac") or ""))
        if not iface or interface_mac is None:
            raise NotApplicable(_("there is no Ethernet-like interface to ask on"))
        if not ctx.session.privileged:
            raise NotPermitted(
                _(
                    "sending a DHCP DISCOVER needs raw sockets (run as root or administrator); "
                    "there is no unprivileged way to ask the DHCP servers"
                )
            )
        # HOOK(dhcp-leases): the current lease (server, address, expiry) is readable from the OS lease
        # files; their parser (homediag/net/os/dhcp_leases.py) is written on another branch.
        # Once merged, read the lease here (ctx.system.read_text) and observe it as its own facts.
        listen = max(0.5, min(ctx.args_as(DhcpArgs).listen_s, MAX_LISTEN_S, ctx.remaining() - 0.5))
        client_mac = probe_client_mac(interface_mac, iface)
        xid = random.getrandbits(32)
        frame = build_discover(interface_mac, client_mac, xid)
        sends = [Send(0.0, frame)]
        if listen > RETRY_AFTER_S:
            sends.append(Send(RETRY_AFTER_S, frame, unless_answered=True))
        ctx.using(_("DHCPDISCOVER on {iface}").format(iface=iface))
        heard = await exchange_in(
            ctx, iface, sends, listen, lambda f: is_dhcp_reply(f, xid), kernel_filter=BPF_DHCP_CLIENT
        )
        if heard.truncated:
            ctx.limit("dhcp answers")
        offers, malformed = offers_from(heard, client_mac)
        servers = [str(offer.server) for _at, offer in offers]
        evidence = _("{n} DHCP servers answered {sent} DISCOVER(s) within {s:g} s").format(
            n=len(servers), sent=heard.sent, s=listen
        )
        if servers:
            evidence += ": " + ", ".join(servers)
        if malformed:
            evidence += _("; {n} unreadable answers").format(n=malformed)
        ctx.observe("dhcp.server_count", len(servers), evidence=evidence)
        ctx.observe("dhcp.servers", sorted(servers))
        ctx.observe("dhcp.offers", [offer.as_json() for _at, offer in offers])
        if offers:
            without = [str(o.server) for _at, o in offers if not o.has_dns_option]
            ctx.observe(
                "dhcp.offers_dns",
                not without,
                evidence=_("no DNS server option from {servers}").format(servers=", ".join(without))
                if without
                else None,
            )
            ctx.observe("dhcp.first_offer_ms", round(offers[0][0] * 1000.0, 1))
        else:
            ctx.observe("dhcp.offers_dns", None, evidence=_("no offer to look at"))
            ctx.observe("dhcp.first_offer_ms", None, evidence=_("no offer"))
