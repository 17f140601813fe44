"""``net.interfaces``: the interface homediag works on, its addresses, default gateway and resolvers.

Passive: reads local state only, sends nothing. netifaces gives the portable view (interfaces, addresses,
default gateways); the operating system's own tools add what netifaces cannot see, parsed by the pure
parsers in ``homediag/net/os``:

- Linux: ``/sys/class/net`` (link state, kind), ``ip -j addr`` (duplicate address detection failures),
  ``ip route`` (how many default routes), ``/etc/resolv.conf``; where that names only systemd-resolved's
  stub (``127.0.0.53``), the servers behind it from ``resolvectl status`` (else
  ``/run/systemd/resolve/resolv.conf``), so that DNS is tested where names really go;
- Windows: ``ipconfig /all`` (media state, DHCP, DNS servers, addresses marked duplicate);
- macOS: ``scutil --dns`` (resolvers), ``netstat -rn`` (default route).

The interface is the one named with ``--interface``, else the one of the default IPv4 route, else of the
default IPv6 route, else the first interface that is up and not loopback.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from homediag.core.errors import ProbeFailure
from homediag.core.facts import Fact, Privacy
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.records import InterfaceEntry
from homediag.core.spec import ProbeSpec, Risk
from homediag.net.errors import ParseError
from homediag.net.os.resolv_conf import parse_resolv_conf as _parse_resolv_conf

APIPA = ipaddress.IPv4Network("169.254.0.0/16")
SYSTEMD_STUBS = frozenset({"127.0.0.53", "127.0.0.54"})
"""systemd-resolved's stub listeners; names sent there go on to the servers ``resolvectl`` shows."""


@dataclass(frozen=True)
class InterfaceInfo:
    """What the probe learns about one interface."""

    name: str
    up: bool | None
    kind: str
    mac: str | None
    ipv4: tuple[ipaddress.IPv4Interface, ...]
    ipv6: tuple[ipaddress.IPv6Interface, ...]

    def as_json(self) -> InterfaceEntry:
        """The summary stored in ``interface.all``."""
        return {
            "name": self.name,
            "up": self.up,
            "kind": self.kind,
            "ipv4": [str(a) for a in self.ipv4],
            "ipv6": [str(a) for a in self.ipv6],
        }


def resolvers_from_resolv_conf(text: str) -> list[str]:
    """Nameserver addresses from resolv.conf text, in order, as the resolver library uses them."""
    try:
        return list(dict.fromkeys(str(address) for address in _parse_resolv_conf(text).nameservers))
    except ParseError:
        return []


@dataclass(frozen=True)
class OsView:
    """What the operating system's own tools say beyond netifaces (None where they could not tell)."""

    up: bool | None = None
    duplicate_address: bool | None = None
    dhcp_enabled: bool | None = None
    dhcp_server: str | None = None
    resolvers: tuple[str, ...] | None = None
    default_routes: int | None = None
    gateway: str | None = None
    source: str = ""
    stub: str | None = None
    """The local stub resolver the system's resolv.conf names, when the resolvers are the ones behind it."""


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
            Fact("interface.name", str, "Interface of the default route, or the one named"),
            Fact("interface.up", bool, "The interface has link (carrier) and is up"),
            Fact("interface.kind", str, "wired, wireless, virtual, loopback or unknown"),
            Fact("interface.mac", str, "MAC address of the interface", privacy=Privacy.PSEUDONYMISE),
            Fact("interface.ipv4", list[str], "IPv4 addresses with prefix length (a.b.c.d/nn)"),
            Fact(
                "interface.ipv6",
                list[str],
                "IPv6 addresses with prefix length",
                privacy=Privacy.PSEUDONYMISE,
            ),
            Fact(
                "interface.apipa",
                bool,
                "The only IPv4 address is link-local 169.254.0.0/16",
                not_judged=(
                    "summed up in interface.has_ipv4 (a 169.254 address is no IPv4 address), which is judged"
                ),
            ),
            Fact("interface.has_ipv4", bool, "A usable (non link-local) IPv4 address is set"),
            Fact("interface.subnet", str, "The IPv4 network of the interface (a.b.c.0/nn)"),
            Fact("interface.all", list[InterfaceEntry], "Every interface: name, up, kind, addresses"),
            Fact(
                "interface.duplicate_address",
                bool,
                "The OS found another device using our address",
                not_judged="the OS's own conflict flag; lan.duplicate_ip from the ARP check is judged",
            ),
            Fact(
                "interface.dhcp_enabled",
                bool,
                "The OS gets the address by DHCP (Windows)",
                not_judged="Windows only, and a static address is no fault by itself",
            ),
            Fact(
                "interface.dhcp_server",
                str,
                "DHCP server of the current lease, where the OS says",
                not_judged="context of the lease; dhcp.server_count judges the servers",
            ),
            Fact("interface.default_routes", int, "How many IPv4 default routes the OS has"),
            Fact("gateway.ipv4", str, "The default IPv4 gateway"),
            Fact("gateway.ipv6", str, "The default IPv6 gateway"),
            Fact("dns.resolvers", list[str], "Configured DNS resolvers, in order"),
            Fact(
                "dns.stub",
                str,
                "The local stub resolver (systemd-resolved) the resolvers sit behind",
                not_judged="the stub is not the resolver: dns.* judge the servers behind it",
            ),
        ),
        binaries=("ip", "ipconfig", "scutil", "netstat", "resolvectl"),
        description=(
            "Reads the operating system's interface table (netifaces), link state and kind (Linux: "
            "/sys/class/net), and the OS's own view: ip addr and ip route on Linux, ipconfig /all on "
            "Windows, scutil --dns and netstat -rn on macOS; resolvers from /etc/resolv.conf where the "
            "OS has nothing better. Sends nothing."
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
        info = infos.get(chosen) if chosen is not None else None
        view = await os_view(ctx, info)

        ctx.observe("interface.all", [infos[name].as_json() for name in sorted(infos)])
        gateway4 = gw4[0] if gw4 is not None and gw4[1] == chosen else view.gateway
        ctx.observe("gateway.ipv4", gateway4, evidence=None if gateway4 else _("no default IPv4 route"))
        if gw6 is not None and gw6[1] == chosen:
            ctx.observe("gateway.ipv6", str(gw6[0]).split("%", 1)[0])
        else:
            ctx.observe("gateway.ipv6", None)
        resolvers = list(view.resolvers) if view.resolvers is not None else self._resolvers(ctx)
        ctx.observe("dns.resolvers", resolvers, evidence=view.source or "/etc/resolv.conf")
        ctx.observe(
            "dns.stub",
            view.stub,
            evidence=_("{stub} forwards to {servers}").format(
                stub=view.stub, servers=", ".join(resolvers) or "-"
            )
            if view.stub
            else None,
        )
        ctx.observe("interface.default_routes", view.default_routes)

        if info is None:
            ctx.observe("interface.name", None, evidence=_("no usable network interface"))
            ctx.observe("interface.up", False)
            ctx.observe("interface.has_ipv4", False)
            return
        usable = [a for a in info.ipv4 if a.ip not in APIPA]
        up = view.up if view.up is not None else info.up
        ctx.observe("interface.name", info.name)
        ctx.observe("interface.up", up, evidence=view.source or None)
        ctx.observe("interface.kind", info.kind)
        ctx.observe("interface.mac", info.mac)
        ctx.observe("interface.ipv4", [str(a) for a in info.ipv4])
        ctx.observe("interface.ipv6", [str(a) for a in info.ipv6])
        ctx.observe("interface.apipa", bool(info.ipv4) and not usable)
        ctx.observe("interface.has_ipv4", bool(usable))
        ctx.observe("interface.subnet", str(usable[0].network) if usable else None)
        ctx.observe("interface.duplicate_address", view.duplicate_address, evidence=view.source or None)
        ctx.observe("interface.dhcp_enabled", view.dhcp_enabled)
        ctx.observe("interface.dhcp_server", view.dhcp_server)

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
        return resolvers_from_resolv_conf(text) if text else []


async def os_view(ctx: ProbeContext, info: InterfaceInfo | None) -> OsView:
    """Ask the operating system's own tools about ``info`` (empty view when they are missing)."""
    platform = ctx.session.platform.value if ctx.session.platform else None
    try:
        if platform == "linux":
            return await _linux_view(ctx, info)
        if platform == "windows":
            return await _windows_view(ctx, info)
        if platform == "macos":
            return await _macos_view(ctx)
    except ParseError:
        pass
    return OsView()


async def _linux_view(ctx: ProbeContext, info: InterfaceInfo | None) -> OsView:
    from homediag.net.os.ip_addr import OperState, parse_ip_addr_json
    from homediag.net.os.ip_route import default_routes, parse_ip_route

    if not ctx.which("ip"):
        return OsView()
    up: bool | None = None
    duplicate: bool | None = None
    if info is not None:
        shown = await ctx.run_command(["ip", "-j", "addr", "show", "dev", info.name], timeout_s=3.0)
        for iface in parse_ip_addr_json(shown.stdout) if shown.ok else []:
            if iface.name == info.name:
                if iface.operstate in (OperState.UP, OperState.DOWN):
                    up = iface.operstate is OperState.UP
                elif "LOWER_UP" in iface.flags or "NO-CARRIER" in iface.flags:
                    up = "LOWER_UP" in iface.flags
                duplicate = any(a.dad_failed for a in iface.addresses)
    routes = await ctx.run_command(["ip", "-4", "route", "show", "default"], timeout_s=3.0)
    count = len(default_routes(parse_ip_route(routes.stdout))) if routes.ok else None
    stub, upstream, source = await _behind_stub(ctx, info)
    return OsView(
        up=up,
        duplicate_address=duplicate,
        default_routes=count,
        resolvers=upstream,
        stub=stub,
        source=source or "ip",
    )


async def _behind_stub(
    ctx: ProbeContext, info: InterfaceInfo | None
) -> tuple[str | None, tuple[str, ...] | None, str]:
    """(stub, the servers behind it, where they came from) when /etc/resolv.conf names only a
    systemd-resolved stub; (None, None, "") otherwise or when nothing tells the servers behind it."""
    from homediag.net.os.resolv_conf import parse_resolv_conf
    from homediag.net.os.resolvectl import parse_resolvectl_status

    text = ctx.system.read_text("/etc/resolv.conf")
    try:
        nameservers = [str(ns) for ns in parse_resolv_conf(text).nameservers] if text else []
    except ParseError:
        return None, None, ""
    if not nameservers or not set(nameservers) <= SYSTEMD_STUBS:
        return None, None, ""
    if ctx.which("resolvectl"):
        shown = await ctx.run_command(["resolvectl", "status"], timeout_s=3.0)
        try:
            upstream = parse_resolvectl_status(shown.stdout).upstream(info.name if info else None)
        except ParseError:
            upstream = ()
        if upstream:
            return nameservers[0], tuple(str(a) for a in upstream), "resolvectl status"
    behind = ctx.system.read_text("/run/systemd/resolve/resolv.conf")
    servers = resolvers_from_resolv_conf(behind) if behind else []
    if servers:
        return nameservers[0], tuple(servers), "/run/systemd/resolve/resolv.conf"
    return None, None, ""


async def _windows_view(ctx: ProbeContext, info: InterfaceInfo | None) -> OsView:
    from homediag.net.os.ipconfig import AddressStatus, MediaState, parse_ipconfig

    result = await ctx.run_command(["ipconfig", "/all"], timeout_s=5.0)
    if not result.ok:
        return OsView()
    adapters = parse_ipconfig(result.stdout).adapters
    wanted_mac = (info.mac or "").lower() if info is not None else ""
    wanted_ips = {a.ip for a in info.ipv4} if info is not None else set()
    adapter = next(
        (
            a
            for a in adapters
            if (wanted_mac and (a.mac or "").lower() == wanted_mac)
            or any(entry.interface.ip in wanted_ips for entry in a.ipv4)
        ),
        None,
    )
    if adapter is None:
        adapter = next((a for a in adapters if a.default_gateways), None)
    if adapter is None:
        return OsView(source="ipconfig /all")
    gateway = next((str(g) for g in adapter.default_gateways if g.version == 4), None)
    return OsView(
        up=adapter.media_state is not MediaState.DISCONNECTED,
        duplicate_address=any(e.status is AddressStatus.DUPLICATE for e in adapter.ipv4),
        dhcp_enabled=adapter.dhcp_enabled,
        dhcp_server=str(adapter.dhcp_server) if adapter.dhcp_server else None,
        resolvers=tuple(str(d) for d in adapter.dns_servers),
        default_routes=sum(1 for g in adapter.default_gateways if g.version == 4),
        gateway=gateway,
        source="ipconfig /all",
    )


async def _macos_view(ctx: ProbeContext) -> OsView:
    from homediag.net.os.netstat_rn import default_routes, parse_netstat_rn
    from homediag.net.os.scutil_dns import parse_scutil_dns

    resolvers: tuple[str, ...] | None = None
    dns = await ctx.run_command(["scutil", "--dns"], timeout_s=5.0)
    if dns.ok:
        parsed = parse_scutil_dns(dns.stdout)
        ordered: list[str] = []
        for resolver in parsed.resolvers:
            if resolver.domain:  # per-domain resolvers (e.g. local) are not the default ones
                continue
            ordered.extend(str(ns) for ns in resolver.nameservers if str(ns) not in ordered)
        resolvers = tuple(ordered)
    routes = await ctx.run_command(["netstat", "-rn"], timeout_s=5.0)
    defaults = default_routes(parse_netstat_rn(routes.stdout)) if routes.ok else []
    gateway = next((str(r.gateway) for r in defaults if r.gateway is not None), None)
    return OsView(
        resolvers=resolvers,
        default_routes=len(defaults) if routes.ok else None,
        gateway=gateway,
        source="scutil --dns",
    )
