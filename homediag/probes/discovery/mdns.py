"""``discovery.mdns``: services announced by multicast DNS (DNS-SD), with their TXT records.

Safe: an mDNS browse from the session's interface address with python-zeroconf. It asks for every
service type on the link (``_services._dns-sd._udp.local.``) and, at once, for the types homediag's
device probes care about (so a short window is enough); every type that answers gets a browser of its
own. The browse ends when the answers stop (1 s at least, then 0.6 s without a new type or instance,
3 s at most); then every instance is resolved (SRV, TXT, addresses), from zeroconf's cache
where the announcements already carried them.

Every byte is hostile (docs/hostile-input.md#limits): zeroconf parses the packets and drops malformed ones
(compression loops, overruns, oversized packets); homediag adds its own caps on what it keeps: at most
4096 instances and 64 services per address, 8 KiB of TXT per address (longer values are cut), 256
service types, and a browse window of at most 5 s. A name is never taken as identity: services are
attached to the address that the SRV/A records give.
"""

from __future__ import annotations

import ipaddress

from pydantic import Field

from homediag.core.errors import ProbeFailure
from homediag.core.facts import Fact, Privacy
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import ProbeArgs, ProbeSpec, Risk
from homediag.net.addressing import no_lan_reason, require_lan
from homediag.net.mdns import BROWSE_QUIET_S, MdnsServiceEntry, service_entry, sightings


class MdnsDiscoveryArgs(ProbeArgs):
    """Arguments of ``discovery.mdns`` (config: ``probes.discovery.mdns``)."""

    browse_s: float = Field(3.0, description="Seconds to listen for announcements at most (at most 5)")
    quiet_s: float = Field(
        BROWSE_QUIET_S,
        description="The browse ends once nothing new was heard for this long (after 1 s at least)",
    )
    resolve_s: float = Field(2.0, description="Seconds to resolve instances not fully announced")


class MdnsDiscoveryProbe(Probe):
    """Services announced by mDNS."""

    spec = ProbeSpec(
        id="discovery.mdns",
        summary="Services that devices announce by multicast DNS, with their TXT records",
        risk=Risk.SAFE,
        timeout_s=10.0,
        needs=("interface.ipv4", "interface.subnet"),
        provides=(
            Fact(
                "mdns.services",
                list[MdnsServiceEntry],
                "DNS-SD instances heard by multicast: type, name, address, port, host, TXT",
                privacy=Privacy.PSEUDONYMISE,
                not_judged="raw announcements; the device summaries judge what they mean",
            ),
            Fact(
                "mdns.service_types",
                list[str],
                "Service types announced on the LAN (_ipp._tcp...)",
                not_judged="context: which services the LAN announces",
            ),
            Fact("mdns.responders", int, "Distinct addresses that answered the mDNS browse"),
        ),
        args=MdnsDiscoveryArgs,
        tags=("discovery",),
        description=(
            "Browses mDNS from the session's interface with python-zeroconf: every service type "
            "(_services._dns-sd._udp.local.) and the types device probes use, then resolves each "
            "instance's SRV, TXT and address records. zeroconf drops malformed packets; homediag keeps "
            "at most 4096 instances, 64 services and 8 KiB of TXT per address, 256 types, and listens "
            "until the answers stop (0.6 s without news after 1 s), at most 5 s. Sends only mDNS "
            "queries; never registers a service or answers for one."
        ),
    )

    def applicable(self, ctx: ProbeContext) -> str | None:
        """Not applicable without an IPv4 subnet, or on loopback."""
        return no_lan_reason(ctx)

    async def run(self, ctx: ProbeContext) -> None:
        """Browse, resolve, record."""
        args = ctx.args_as(MdnsDiscoveryArgs)
        own, subnet = require_lan(ctx)
        browse_s = max(0.5, min(args.browse_s, 5.0, ctx.remaining() - 2.0))
        resolve_s = max(0.2, min(args.resolve_s, 3.0))
        ctx.using(_("mDNS browse from {address}").format(address=own))
        try:
            found = await ctx.mdns().browse(
                str(own), browse_s, resolve_s, quiet_s=max(0.2, min(args.quiet_s, browse_s))
            )
        except OSError as exc:
            raise ProbeFailure(
                _("cannot browse mDNS from {address}: {error}").format(address=own, error=exc.strerror or exc)
            ) from None
        instances, types, truncated = list(found.instances), set(found.types), found.truncated
        instances = [i for i in instances if any(_in(a, subnet) for a in i.addresses)]
        devices, capped = sightings(instances)
        if truncated:
            ctx.limit("mdns instances")
        if capped:
            ctx.limit("mdns services per device")
        for device in devices:
            ctx.add_device(device)
        ctx.observe(
            "mdns.services",
            [service_entry(i) for i in instances],
            evidence=_("{n} service instances of {t} types").format(n=len(instances), t=len(types)),
        )
        ctx.observe("mdns.service_types", sorted(types))
        ctx.observe(
            "mdns.responders",
            len(devices),
            evidence=_("{n} devices answered the mDNS browse").format(n=len(devices)),
        )


def _in(address: str, subnet: ipaddress.IPv4Network) -> bool:
    try:
        return ipaddress.IPv4Address(address) in subnet
    except ValueError:
        return False
