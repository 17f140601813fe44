"""``discovery.names``: names of LAN devices from reverse DNS, NetBIOS and readable DHCP leases.

Safe. Runs beside the ARP sweep (it follows ``arp.hosts``) and names what it found:

- **reverse DNS** (PTR) from the resolvers this computer uses. Home routers name their DHCP clients
  (``Annas-iPhone.fritz.box``); when a resolver lies inside the local subnet (the router), every
  address of the subnet is asked, as ``nmap -sL`` does, so devices the router knows but that stay silent
  are named too (``names.reverse_dns``). A resolver outside the subnet is only asked about devices that
  answered, and never more than 256 of them;
- **NetBIOS** node status (UDP 137) of devices that answered and have no name yet (Windows PCs, Samba,
  NAS): one datagram each, answers parsed strictly (:mod:`homediag.net.netbios`);
- **DHCP leases** a DHCP server on this computer keeps (dnsmasq, Pi-hole, OpenWrt), when readable.

Asking the whole subnet needs nothing from the sweep, so it starts at once (with a slow resolver it
took seconds after the sweep, on the way to the device probes); what needs the answering devices waits
for the sweep's end. Names join devices by address; addresses that only have a name become no device
here (``net.peers`` asks whether they answer).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress

from pydantic import Field
from typing_extensions import TypedDict

from homediag.core.devices import device_id
from homediag.core.facts import Fact, Privacy, record
from homediag.core.i18n import _
from homediag.core.model import Device, DeviceEvidence
from homediag.core.probe import Probe, ProbeContext
from homediag.core.records import NameEntry
from homediag.core.spec import ProbeArgs, ProbeSpec, Risk
from homediag.net.addressing import no_lan_reason, require_lan
from homediag.net.dns import reverse_lookup
from homediag.net.errors import ParseError
from homediag.net.netbios import netbios_names

SOURCE = "discovery.names"
MAX_PTR_QUERIES = 1024
MAX_OFFSUBNET_QUERIES = 256
LEASE_FILES = (
    "/var/lib/misc/dnsmasq.leases",
    "/var/lib/dnsmasq/dnsmasq.leases",
    "/etc/pihole/dhcp.leases",
    "/tmp/dhcp.leases",  # noqa: S108 - OpenWrt keeps its dnsmasq leases there
)


@record
class LeaseName(TypedDict):
    """A ``names.dhcp_leases`` item: a lease of a DHCP server on this computer that carries a name."""

    ip: str
    mac: str | None
    name: str


def host_label(name: str) -> str:
    """The first label of a DNS name (``iPhone-1.fritz.box.`` -> ``iPhone-1``)."""
    return name.rstrip(".").split(".", 1)[0][:63]


class NamesArgs(ProbeArgs):
    """Arguments of ``discovery.names`` (config: ``probes.discovery.names``)."""

    ptr_timeout_s: float = Field(1.0, description="Seconds to wait for each PTR answer")
    netbios: bool = Field(True, description="Ask devices without a name for their NetBIOS name")


class NamesProbe(Probe):
    """Device names from reverse DNS, NetBIOS and DHCP leases."""

    spec = ProbeSpec(
        id="discovery.names",
        summary="Names of LAN devices from reverse DNS, NetBIOS and readable DHCP leases",
        risk=Risk.SAFE,
        timeout_s=16.0,
        needs=("interface.ipv4", "interface.subnet", "dns.resolvers"),
        follows=("arp.hosts",),
        provides=(
            Fact(
                "names.reverse_dns",
                list[NameEntry],
                "Names the local resolver gives LAN addresses (PTR): address, name",
                privacy=Privacy.PSEUDONYMISE,
            ),
            Fact(
                "names.netbios",
                list[NameEntry],
                "NetBIOS names of LAN hosts: address, name",
                privacy=Privacy.PSEUDONYMISE,
                not_judged="names for the device list; nothing to judge",
            ),
            Fact(
                "names.dhcp_leases",
                list[LeaseName],
                "Host names in DHCP lease files this computer can read: address, MAC, name",
                privacy=Privacy.PSEUDONYMISE,
                not_judged="names for the device list; nothing to judge",
            ),
        ),
        args=NamesArgs,
        tags=("discovery",),
        description=(
            "Asks the resolvers this computer uses for the PTR names of LAN addresses: every address "
            "of the subnet (at most 1024) when a resolver is inside the subnet, as home routers name "
            "their DHCP clients; otherwise only devices that answered (at most 256). Sends one NetBIOS "
            "node status request (UDP 137) to each answering device still without a name, and reads "
            "the lease files of a local dnsmasq. Parses answers strictly; never sends anything else."
        ),
    )

    def applicable(self, ctx: ProbeContext) -> str | None:
        """Not applicable without an IPv4 subnet, or on loopback."""
        return no_lan_reason(ctx)

    async def run(self, ctx: ProbeContext) -> None:
        """Name what discovery found."""
        args = ctx.args_as(NamesArgs)
        own, subnet = require_lan(ctx)

        async def answering_devices() -> set[ipaddress.IPv4Address]:
            async for _item in ctx.follow("arp.hosts"):  # the sweep's end: every device that answered
                pass
            found = {
                ipaddress.IPv4Address(a)
                for d in ctx.known.devices()
                for a in d.addresses
                if _ipv4_in(a, subnet)
            }
            found.discard(own)
            return found

        resolvers = ctx.fact_as("dns.resolvers", list[str]) or []
        local = [r for r in resolvers if _ipv4_in(r, subnet)]
        timeout = max(0.2, min(args.ptr_timeout_s, 2.0, ctx.remaining() / 3))
        ptr: dict[ipaddress.IPv4Address, str] = {}
        if local:
            targets = [a for a in subnet.hosts() if a != own][:MAX_PTR_QUERIES]
            ptr, answering = await asyncio.gather(
                reverse_lookup(ctx, targets, local[0], timeout_s=timeout), answering_devices()
            )
            how = _("{n} of {total} addresses have a PTR name at {resolver}").format(
                n=len(ptr), total=len(targets), resolver=local[0]
            )
        elif resolvers:
            answering = await answering_devices()
            targets = sorted(answering)[:MAX_OFFSUBNET_QUERIES]
            ptr = await reverse_lookup(ctx, targets, resolvers[0], timeout_s=timeout)
            how = _("{n} of {total} devices have a PTR name at {resolver}").format(
                n=len(ptr), total=len(targets), resolver=resolvers[0]
            )
        else:
            answering = await answering_devices()
            how = _("no resolver to ask")
        ctx.observe(
            "names.reverse_dns",
            [NameEntry(ip=str(a), name=n) for a, n in sorted(ptr.items())],
            evidence=how,
        )
        named = {a for a in answering if a in ptr}
        nb: dict[ipaddress.IPv4Address, str] = {}
        if args.netbios and ctx.remaining() > 1.0:
            unnamed = sorted(answering - named - self._mdns_named(ctx))
            nb = await netbios_names(ctx, unnamed, listen_s=min(0.8, ctx.remaining() - 0.5))
            ctx.observe(
                "names.netbios",
                [NameEntry(ip=str(a), name=n) for a, n in sorted(nb.items())],
                evidence=_("{n} of {total} unnamed devices answered NetBIOS").format(
                    n=len(nb), total=len(unnamed)
                ),
            )
        else:
            ctx.observe("names.netbios", None, evidence=_("not asked"))
        leases = self._leases(ctx, subnet)
        ctx.observe(
            "names.dhcp_leases", leases, evidence=_("{n} named leases readable").format(n=len(leases))
        )
        self._sightings(ctx, answering, ptr, nb, leases)

    @staticmethod
    def _mdns_named(ctx: ProbeContext) -> set[ipaddress.IPv4Address]:
        out: set[ipaddress.IPv4Address] = set()
        for device in ctx.known.devices():
            if device.names and device.ip:
                with contextlib.suppress(ValueError):
                    out.add(ipaddress.IPv4Address(device.ip))
        return out

    @staticmethod
    def _leases(ctx: ProbeContext, subnet: ipaddress.IPv4Network) -> list[LeaseName]:
        from homediag.net.os.dhcp_leases import parse_dnsmasq_leases

        out: list[LeaseName] = []
        for path in LEASE_FILES:
            text = ctx.system.read_text(path)
            if not text:
                continue
            try:
                leases = parse_dnsmasq_leases(text)
            except ParseError:
                continue
            for lease in leases:
                if lease.hostname and isinstance(lease.ip, ipaddress.IPv4Address) and lease.ip in subnet:
                    out.append({"ip": str(lease.ip), "mac": lease.mac, "name": lease.hostname[:63]})
        return out[:1024]

    @staticmethod
    def _sightings(
        ctx: ProbeContext,
        answering: set[ipaddress.IPv4Address],
        ptr: dict[ipaddress.IPv4Address, str],
        netbios: dict[ipaddress.IPv4Address, str],
        leases: list[LeaseName],
    ) -> None:
        names: dict[ipaddress.IPv4Address, list[tuple[str, str]]] = {}
        for address, name in ptr.items():
            names.setdefault(address, []).append(
                (host_label(name), _("reverse DNS: {name}").format(name=name))
            )
        for address, name in netbios.items():
            names.setdefault(address, []).append((name, _("NetBIOS name")))
        for lease in leases:
            with contextlib.suppress(ValueError):
                address = ipaddress.IPv4Address(lease["ip"])
                names.setdefault(address, []).append((lease["name"], _("DHCP lease")))
        for address in sorted(answering):
            found = names.get(address)
            if not found:
                continue
            ctx.add_device(
                Device(
                    id=device_id(None, str(address)),
                    ip=str(address),
                    addresses=(str(address),),
                    names=tuple(dict.fromkeys(n for n, _why in found if n)),
                    evidence=tuple(DeviceEvidence(SOURCE, "named", why) for _n, why in found),
                    sources=(SOURCE,),
                )
            )


def _ipv4_in(text: str, subnet: ipaddress.IPv4Network) -> bool:
    try:
        return ipaddress.IPv4Address(text) in subnet
    except ValueError:
        return False
