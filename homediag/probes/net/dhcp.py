"""``net.dhcp``: every DHCP server that answers a DISCOVER on the LAN, what each offers, and whether
the offers fit the network this computer is on.

Active: a broadcast DHCPDISCOVER on the session's interface, with scapy, retransmitted the way DHCP
clients do when the network is slow (after 1 s, 2 s and 4 s: the backoff grows), so a router that
answers late, or only answers a retransmission because it first pings the address it means to offer
(dnsmasq's check), is still heard. Every offer is collected, a second server's included, until no new
server answered for a quiet period (2 s) after the last new one (a server answering each retransmission
again does not count as new). The quiet period starts only once an offer that fits the network this
computer uses came (its router has answered): a rogue server that answers first does not end the
listening before the slower real router is heard. Without such an offer, the listening ends at the total
deadline (6 s). The DISCOVER never leads anywhere: homediag never sends a REQUEST, so no lease is taken.
Its client MAC (``chaddr``) is a locally administered MAC derived stably from the interface's MAC, so a
server keeps offering the same address to the same computer instead of reserving a new one each run
(nmap's warning about random client MACs); the frame itself leaves from the interface's real MAC (Wi-Fi
drops foreign source MACs) with the BOOTP broadcast flag set, so the offers come back as broadcasts.
Retransmissions keep the transaction id, as clients do.

Every server that answers is listed with its offer (server identifier, offered address, routers, DNS
servers, lease time, domain). Each offer is checked against the network the computer uses: an offered
address outside the interface's subnet, or routers that do not include the computer's default gateway,
mean a server that hands out another network than the one this computer is on (a travel router, a
second router plugged in the wrong way round). That check does not need the second server to answer in
time: a rogue server that answers first while the real router is slow is caught by it too.

Without raw sockets there is no way to send a DISCOVER: the probe ends ``not_permitted``.
"""

from __future__ import annotations

import ipaddress
from functools import partial

from pydantic import Field

from homediag.core.devices import normalise_mac
from homediag.core.errors import NotApplicable, NotPermitted
from homediag.core.facts import Fact, Privacy
from homediag.core.i18n import _
from homediag.core.io import Send
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import Privilege, ProbeArgs, ProbeSpec, Risk
from homediag.net.dhcp import (
    DhcpOffer,
    DhcpParseError,
    OfferEntry,
    build_discover,
    is_dhcp_reply,
    offers_from,
    parse_dhcp_offer,
    probe_client_mac,
    reply_source,
)
from homediag.net.l2 import BPF_DHCP_CLIENT, exchange_in

MAX_LISTEN_S = 8.0
"""The longest total deadline the ``listen_s`` argument may set."""
LISTEN_S = 6.0
"""Total deadline: how long to wait when nobody answers."""
RETRANSMIT_AT_S = (1.0, 2.0, 4.0)
"""Retransmissions of the DISCOVER, seconds after the first: 1 s, 1 s and 2 s apart. dnsmasq, which
pings an address before offering it, ignores the DISCOVERs that come while its ping waits (about a
second) and answers the next one."""
QUIET_S = 2.0
"""The listening ends once no new offer came for this long after the last one."""


class DhcpArgs(ProbeArgs):
    """Arguments of ``net.dhcp`` (config: ``probes.net.dhcp``)."""

    listen_s: float = Field(LISTEN_S, description="Total seconds to listen when nobody answers (at most 8)")
    quiet_s: float = Field(QUIET_S, description="The listening ends this long after the last new offer")


class DhcpProbe(Probe):
    """Every DHCP server on the LAN, from one DISCOVER."""

    spec = ProbeSpec(
        id="net.dhcp",
        summary="Every DHCP server that answers a DISCOVER, and what each offers",
        risk=Risk.ACTIVE,
        timeout_s=10.0,
        needs=("interface.name", "interface.mac", "interface.subnet", "gateway.ipv4"),
        provides=(
            Fact(
                "dhcp.server_count",
                int,
                "DHCP servers that answered the DISCOVER (retransmitted; until 2 s without a new server)",
            ),
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
            Fact(
                "dhcp.offers_match_lan",
                bool,
                "Every offer fits the network this computer uses: an address in its subnet, its default "
                "gateway among the routers (null: no offer, or nothing to compare with)",
            ),
            Fact(
                "dhcp.foreign_servers",
                list[str],
                "DHCP servers whose offer does not fit the network this computer uses",
                not_judged="evidence detail of dhcp.offers_match_lan, which is judged",
            ),
        ),
        privilege=Privilege.RAW_SOCKET,
        fallback=(
            "no fallback: a DHCP DISCOVER can only be sent with raw sockets, so the probe ends not_permitted"
        ),
        args=DhcpArgs,
        description=(
            "Broadcasts a DHCPDISCOVER with scapy on the session's interface, again after 1, 2 and 4 s "
            "as DHCP clients do, and lists every server that offers until 2 s pass without a new offer "
            "(6 s when nobody answers): server identifier, offered address, routers, DNS servers, "
            "lease time, domain; and whether each offer fits the network the computer uses (its subnet "
            "and default gateway). The client MAC is a fixed, locally administered MAC derived from "
            "the interface's, so servers do not reserve a new address each run. Never sends a REQUEST "
            "or RELEASE and never takes a lease. On Wi-Fi, an access point that turns DHCP broadcasts "
            "into unicasts by client MAC may drop the offers meant for that MAC."
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
        args = ctx.args_as(DhcpArgs)
        listen = max(0.5, min(args.listen_s, MAX_LISTEN_S, ctx.remaining() - 0.5))
        quiet = max(0.2, min(args.quiet_s, listen))
        subnet = _network(ctx.fact("interface.subnet"))
        gateway = _address(ctx.fact("gateway.ipv4"))
        client_mac = probe_client_mac(interface_mac, iface)
        xid = ctx.random().getrandbits(32)
        frame = build_discover(interface_mac, client_mac, xid)
        sends = [Send(0.0, frame), *(Send(at, frame) for at in RETRANSMIT_AT_S if at < listen)]
        ctx.using(_("DHCPDISCOVER on {iface}").format(iface=iface))
        heard = await exchange_in(
            ctx,
            iface,
            sends,
            listen,
            lambda f: is_dhcp_reply(f, xid),
            kernel_filter=BPF_DHCP_CLIENT,
            quiet_s=quiet,
            novelty=reply_source,
            settles=partial(fits_lan, client_mac=client_mac, subnet=subnet, gateway=gateway),
        )
        if heard.truncated:
            ctx.limit("dhcp answers")
        offers, malformed = offers_from(heard, client_mac)
        servers = [str(offer.server) for _at, offer in offers]
        evidence = _("{n} DHCP servers answered {sent} DISCOVER(s)").format(n=len(servers), sent=heard.sent)
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
        self._cross_check(ctx, [offer for _at, offer in offers])

    @staticmethod
    def _cross_check(ctx: ProbeContext, offers: list[DhcpOffer]) -> None:
        """Whether each offer fits the network this computer uses (its subnet, its gateway)."""
        subnet = _network(ctx.fact("interface.subnet"))
        gateway = _address(ctx.fact("gateway.ipv4"))
        if not offers:
            ctx.observe("dhcp.offers_match_lan", None, evidence=_("no offer to look at"))
            ctx.observe("dhcp.foreign_servers", [])
            return
        if subnet is None and gateway is None:
            ctx.observe(
                "dhcp.offers_match_lan",
                None,
                evidence=_("this computer has no IPv4 subnet or gateway to compare the offers with"),
            )
            ctx.observe("dhcp.foreign_servers", [])
            return
        foreign: list[str] = []
        reasons: list[str] = []
        for offer in offers:
            why = offer_mismatch(offer, subnet, gateway)
            if why is not None:
                foreign.append(str(offer.server))
                reasons.append(f"{offer.server}: {why}")
        ctx.observe(
            "dhcp.offers_match_lan",
            not foreign,
            evidence="; ".join(reasons)
            if reasons
            else _("every offer is for {subnet} with router {gateway}").format(
                subnet=subnet or "?", gateway=gateway or "?"
            ),
        )
        ctx.observe("dhcp.foreign_servers", sorted(foreign))


def offer_mismatch(
    offer: DhcpOffer, subnet: ipaddress.IPv4Network | None, gateway: ipaddress.IPv4Address | None
) -> str | None:
    """Why ``offer`` does not fit the network this computer uses (``subnet``, ``gateway``), or None."""
    if subnet is not None and offer.offered is not None and offer.offered not in subnet:
        return _("offers {address}, outside this computer's network {subnet}").format(
            address=offer.offered, subnet=subnet
        )
    if gateway is not None and offer.routers and gateway not in offer.routers:
        return _("names router {routers}, not this computer's gateway {gateway}").format(
            routers=", ".join(str(r) for r in offer.routers), gateway=gateway
        )
    return None


def fits_lan(
    frame: bytes,
    *,
    client_mac: str,
    subnet: ipaddress.IPv4Network | None,
    gateway: ipaddress.IPv4Address | None,
) -> bool:
    """Whether ``frame`` is an offer to ``client_mac`` that fits the network this computer uses: the
    router it uses has answered, and the quiet period may start. Without a subnet or gateway to
    compare with (no lease), nothing fits, and the listening lasts the whole deadline."""
    if subnet is None and gateway is None:
        return False
    try:
        offer = parse_dhcp_offer(frame)
    except DhcpParseError:
        return False
    return offer.client_mac == client_mac and offer_mismatch(offer, subnet, gateway) is None


def _network(value: object) -> ipaddress.IPv4Network | None:
    try:
        return ipaddress.IPv4Network(str(value), strict=False) if value else None
    except ValueError:
        return None


def _address(value: object) -> ipaddress.IPv4Address | None:
    try:
        return ipaddress.IPv4Address(str(value)) if value else None
    except ValueError:
        return None
