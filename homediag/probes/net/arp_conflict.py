"""``net.arp_conflict``: does another device answer for this computer's address, and who answers for the
gateway's?

Active: two RFC 5227 ARP probes for our own IPv4 address (sender IP 0.0.0.0, so no neighbour's cache is
ever changed by them), 250 ms apart, listening 0.75 s; then two ARP requests for the gateway's address,
listening 0.75 s. The gateway requests carry our address as sender — the request the operating system
sends anyway — unless a conflict was just seen, in which case they too go out as probes (sender 0.0.0.0),
so homediag never takes an address away from the device that holds it.

Any ARP packet whose sender is our address with another MAC is a conflict; every distinct MAC that
speaks for the gateway's address is counted. Without raw sockets the probe ends ``not_permitted``: the
operating system's neighbour table keeps one MAC per address and never lists our own, so it cannot show
a conflict.
"""

from __future__ import annotations

import ipaddress

from pydantic import Field

from homediag.core.devices import normalise_mac
from homediag.core.errors import NotApplicable, NotPermitted
from homediag.core.facts import Fact, Privacy
from homediag.core.i18n import _
from homediag.core.io import Exchange, Send
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import Privilege, ProbeArgs, ProbeSpec, Risk
from homediag.net.addressing import own_address
from homediag.net.arp import arp_frames, build_arp_request, claims, macs_speaking_for
from homediag.net.l2 import BPF_ARP, exchange_in

TRIES = 2


class ArpConflictArgs(ProbeArgs):
    """Arguments of ``net.arp_conflict`` (config: ``probes.net.arp_conflict``)."""

    listen_s: float = Field(0.75, description="Seconds to listen after each pair of requests")


class ArpConflictProbe(Probe):
    """Address conflicts on the LAN, by ARP probes."""

    spec = ProbeSpec(
        id="net.arp_conflict",
        summary="Whether another device answers for this computer's IPv4 address or the gateway's",
        risk=Risk.ACTIVE,
        timeout_s=6.0,
        needs=("interface.name", "interface.mac", "interface.ipv4", "gateway.ipv4"),
        provides=(
            Fact("ip.conflict", bool, "Another MAC answered ARP probes for this computer's IPv4 address"),
            Fact(
                "ip.conflict_macs",
                list[str],
                "MACs other than ours that claim our address",
                privacy=Privacy.PSEUDONYMISE,
                not_judged="evidence detail of lan.duplicate_ip (who claims our address)",
            ),
            Fact(
                "gateway.arp_macs",
                list[str],
                "MACs that answered ARP for the gateway's address",
                privacy=Privacy.PSEUDONYMISE,
                not_judged="evidence detail of gateway.arp_mac_count, which is judged",
            ),
            Fact(
                "gateway.arp_mac_count",
                int,
                "How many distinct MACs answered ARP for the gateway's address",
            ),
        ),
        privilege=Privilege.RAW_SOCKET,
        fallback=(
            "no fallback: the OS neighbour table holds one MAC per address and never our own, so it "
            "cannot show a conflict; the probe ends not_permitted"
        ),
        args=ArpConflictArgs,
        description=(
            "Sends two RFC 5227 ARP probes (sender 0.0.0.0) for this computer's own IPv4 address and two "
            "ARP requests for the gateway's, 250 ms apart, on the session's interface only, listening "
            "briefly after each pair. Reports the MACs other than ours that answer for our address and "
            "every MAC that answers for the gateway's. Never announces an address (no gratuitous ARP) "
            "and never changes a neighbour's cache for an address in conflict."
        ),
    )

    def applicable(self, ctx: ProbeContext) -> str | None:
        """Not applicable without an IPv4 address on an Ethernet-like interface."""
        if not ctx.fact("interface.name") or normalise_mac(str(ctx.fact("interface.mac") or "")) is None:
            return _("the interface has no MAC address (not an Ethernet or Wi-Fi link)")
        if own_address(ctx.fact_as("interface.ipv4", list[str])) is None:
            return _("the interface has no IPv4 address")
        return None

    async def run(self, ctx: ProbeContext) -> None:
        """Probe our address, then the gateway's."""
        iface = str(ctx.fact("interface.name") or "")
        mac = normalise_mac(str(ctx.fact("interface.mac") or ""))
        ours = own_address(ctx.fact_as("interface.ipv4", list[str]))
        if mac is None or ours is None:
            raise NotApplicable(_("the interface has no MAC or IPv4 address"))
        if not ctx.session.privileged:
            raise NotPermitted(
                _(
                    "ARP probes need raw sockets (run as root or administrator); the OS neighbour "
                    "table cannot show a conflict: it holds one MAC per address and never our own"
                )
            )
        listen = max(0.3, min(ctx.args_as(ArpConflictArgs).listen_s, 2.0))
        ctx.using(_("ARP probes on {iface}").format(iface=iface))
        unspecified = ipaddress.IPv4Address(0)

        probe = build_arp_request(mac, unspecified, ours)
        heard = await self._exchange(ctx, iface, probe, listen, ours)
        frames, malformed = arp_frames(heard)
        conflict = macs_speaking_for(frames, ours, exclude=mac)
        evidence = _("{sent} ARP probes for {address}: {n} other MACs answered").format(
            sent=heard.sent, address=ours, n=len(conflict)
        )
        if malformed:
            evidence += _("; {n} malformed ARP frames").format(n=malformed)
        ctx.observe("ip.conflict", bool(conflict), evidence=evidence)
        ctx.observe("ip.conflict_macs", conflict)

        gateway_text = ctx.fact("gateway.ipv4")
        try:
            gateway = ipaddress.IPv4Address(str(gateway_text)) if gateway_text else None
        except ValueError:
            gateway = None
        if gateway is None or gateway == ours:
            ctx.observe("gateway.arp_macs", None, evidence=_("no IPv4 gateway to ask for"))
            ctx.observe("gateway.arp_mac_count", None)
            return
        sender = unspecified if conflict else ours
        request = build_arp_request(mac, sender, gateway)
        heard = await self._exchange(ctx, iface, request, listen, gateway)
        frames, _malformed = arp_frames(heard)
        gateway_macs = macs_speaking_for(frames, gateway, exclude=mac)
        ctx.observe(
            "gateway.arp_macs",
            gateway_macs,
            evidence=_("{sent} ARP requests for the gateway {address}: {n} MACs answered").format(
                sent=heard.sent, address=gateway, n=len(gateway_macs)
            ),
        )
        ctx.observe("gateway.arp_mac_count", len(gateway_macs))

    @staticmethod
    async def _exchange(
        ctx: ProbeContext, iface: str, frame: bytes, listen: float, about: ipaddress.IPv4Address
    ) -> Exchange:
        sends = [Send(0.25 * i, frame) for i in range(TRIES)]
        window = min(0.25 * (TRIES - 1) + listen, max(0.1, ctx.remaining() - 0.3))
        return await exchange_in(ctx, iface, sends, window, lambda f: claims(f, about), kernel_filter=BPF_ARP)
