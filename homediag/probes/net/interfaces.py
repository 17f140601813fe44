"""``net.interfaces``: the interface homediag works on, its addresses, default gateway and resolvers.

Passive: reads local state only (netifaces, ``/sys/class/net``, ``/etc/resolv.conf``), sends nothing.
The interface is the one named with ``--interface``, else the one of the default IPv4 route, else of the
default IPv6 route, else the first interface that is up and not loopback.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from homediag.core.errors import ProbeFailure
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import ProbeSpec, Risk

APIPA = ipaddress.IPv4Network("169.254.0.0/16")


@dataclass(frozen=True)
class InterfaceInfo:
    """What the probe learns about one interface."""

    name: str
    up: bool | None
    kind: str
    mac: str | None
    ipv4: tuple[ipaddress.IPv4Interface, ...]
    ipv6: tuple[ipaddress.IPv6Interface, ...]

    def as_json(self) -> dict[str, object]:
        """The summary stored in ``interface.all``."""
        return {
            "name": self.name,
            "up": self.up,
            "kind": self.kind,
            "ipv4": [str(a) for a in self.ipv4],
            "ipv6": [str(a) for a in self.ipv6],
        }


def parse_resolv_conf(text: str) -> list[str]:
    """Nameserver addresses from resolv.conf text, in order, without duplicates.

    ``nameserver 192.0.2.53`` / ``nameserver 2001:db8::53%eth0`` -> ``["192.0.2.53", "2001:db8::53"]``
    """
    servers: list[str] = []
    for line in text.splitlines():
        parts = line.split("#", 1)[0].split(";", 1)[0].split()
        if len(parts) >= 2 and parts[0] == "nameserver":
            candidate = parts[1].split("%", 1)[0]
            try:
                address = str(ipaddress.ip_address(candidate))
            except ValueError:
                continue
            if address not in servers:
                servers.append(address)
    return servers


def _ipv4_interfaces(entries: list[dict[str, str]]) -> tuple[ipaddress.IPv4Interface, ...]:
    found: list[ipaddress.IPv4Interface] = []
    for entry in entries:
        addr, mask = entry.get("addr"), entry.get("netmask") or "255.255.255.255"
        try:
            found.append(ipaddress.IPv4Interface(f"{addr}/{mask}"))
        except ValueError:
            continue
    return tuple(found)


def _ipv6_interfaces(entries: list[dict[str, str]]) -> tuple[ipaddress.IPv6Interface, ...]:
    found: list[ipaddress.IPv6Interface] = []
    for entry in entries:
        addr = (entry.get("addr") or "").split("%", 1)[0]
        mask = entry.get("netmask") or "128"
        prefix = mask.rsplit("/", 1)[-1] if "/" in mask else mask
        try:
            if ":" in prefix:  # a netmask written as an address
                prefix = str(ipaddress.IPv6Network(f"::/{prefix}").prefixlen)
            found.append(ipaddress.IPv6Interface(f"{addr}/{prefix}"))
        except ValueError:
            continue
    return tuple(found)


class InterfacesProbe(Probe):
    """Interfaces, addresses, default gateway and resolvers."""

    spec = ProbeSpec(
        id="net.interfaces",
        summary="The interface in use, its addresses, the default gateway and the DNS resolvers",
        risk=Risk.PASSIVE,
        timeout_s=5.0,
        provides=(
            "interface.name",
            "interface.up",
            "interface.kind",
            "interface.mac",
            "interface.ipv4",
            "interface.ipv6",
            "interface.apipa",
            "interface.has_ipv4",
            "interface.subnet",
            "interface.all",
            "gateway.ipv4",
            "gateway.ipv6",
            "dns.resolvers",
        ),
        description=(
            "Reads the operating system's interface table (netifaces), link state and kind (Linux: "
            "/sys/class/net) and the resolvers (/etc/resolv.conf). Sends nothing."
        ),
    )

    async def run(self, ctx: ProbeContext) -> None:
        """Observe the interface of the default route (or the named one)."""
        system = ctx.system
        names = system.interfaces()
        infos = {name: self._inspect(ctx, name) for name in names}
        gateways = system.gateways().get("default", {})
        inet, inet6 = system.family("inet"), system.family("inet6")
        gw4 = gateways.get(inet)
        gw6 = gateways.get(inet6)

        chosen = ctx.session.interface
        if chosen is not None and chosen not in infos:
            raise ProbeFailure(_("interface {name} does not exist").format(name=chosen))
        if chosen is None:
            chosen = (gw4 or gw6 or (None, None))[1]
        if chosen is None:
            candidates = [i for i in infos.values() if i.kind != "loopback" and i.up]
            chosen = candidates[0].name if candidates else None

        ctx.observe("interface.all", [infos[name].as_json() for name in sorted(infos)])
        if gw4 is not None and gw4[1] == chosen:
            ctx.observe("gateway.ipv4", gw4[0])
        else:
            ctx.observe("gateway.ipv4", None, evidence=_("no default IPv4 route"))
        if gw6 is not None and gw6[1] == chosen:
            ctx.observe("gateway.ipv6", str(gw6[0]).split("%", 1)[0])
        else:
            ctx.observe("gateway.ipv6", None)

        resolvers = self._resolvers(ctx)
        ctx.observe("dns.resolvers", resolvers)

        if chosen is None:
            ctx.observe("interface.name", None, evidence=_("no usable network interface"))
            ctx.observe("interface.up", False)
            ctx.observe("interface.has_ipv4", False)
            return
        info = infos[chosen]
        usable = [a for a in info.ipv4 if a.ip not in APIPA]
        ctx.observe("interface.name", info.name)
        ctx.observe("interface.up", info.up)
        ctx.observe("interface.kind", info.kind)
        ctx.observe("interface.mac", info.mac)
        ctx.observe("interface.ipv4", [str(a) for a in info.ipv4])
        ctx.observe("interface.ipv6", [str(a) for a in info.ipv6])
        ctx.observe("interface.apipa", bool(info.ipv4) and not usable)
        ctx.observe("interface.has_ipv4", bool(usable))
        ctx.observe("interface.subnet", str(usable[0].network) if usable else None)

    @staticmethod
    def _inspect(ctx: ProbeContext, name: str) -> InterfaceInfo:
        system = ctx.system
        addresses = system.ifaddresses(name)
        link = addresses.get(system.family("link"), [])
        mac = link[0].get("addr") if link else None
        if mac in ("00:00:00:00:00:00", ""):
            mac = None
        ipv4 = _ipv4_interfaces(addresses.get(system.family("inet"), []))
        ipv6 = _ipv6_interfaces(addresses.get(system.family("inet6"), []))
        sys_dir = f"/sys/class/net/{name}"
        up: bool | None = None
        operstate = system.read_text(f"{sys_dir}/operstate")
        if operstate is not None:
            state = operstate.strip()
            carrier = (system.read_text(f"{sys_dir}/carrier") or "").strip()
            up = state == "up" or (state == "unknown" and carrier == "1")
        elif ipv4 or ipv6:
            up = True
        if name == "lo" or any(a.ip.is_loopback for a in ipv4):
            kind = "loopback"
        elif system.exists(f"{sys_dir}/wireless") or system.exists(f"{sys_dir}/phy80211"):
            kind = "wireless"
        elif operstate is not None and not system.exists(f"{sys_dir}/device"):
            kind = "virtual"
        elif operstate is not None:
            kind = "wired"
        else:
            kind = "unknown"
        return InterfaceInfo(name=name, up=up, kind=kind, mac=mac, ipv4=ipv4, ipv6=ipv6)

    @staticmethod
    def _resolvers(ctx: ProbeContext) -> list[str]:
        text = ctx.system.read_text("/etc/resolv.conf")
        return parse_resolv_conf(text) if text else []
