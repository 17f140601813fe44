"""``net.vpn``: is a VPN up on this computer, and does it take the traffic to the internet.

Passive: asks the operating system, sends nothing.

- Linux: ``ip -o route get`` for the first internet check target (the kernel's own choice, policy
  routing included: wg-quick's table 51820 never shows in ``ip route``), and NetworkManager's active
  connections (``vpn``, ``wireguard``, ``tun``);
- macOS: ``netstat -rn`` (a default or the two half-default routes ``0/1`` and ``128.0/1`` into a
  ``utun``/``tun``/``ppp`` interface) and ``scutil --nc list`` (a VPN service ``Connected``);
- Windows: ``route print`` (half-default routes, or a default route on a VPN adapter) and
  ``ipconfig /all`` (PPP and tunnel adapters, adapters whose driver is a VPN's: WireGuard, Wintun,
  TAP-Windows, AnyConnect, GlobalProtect, FortiClient, NordLynx).

A VPN that takes every packet sends the internet through the office or the provider's servers (slow,
or nothing when it is down) and may hide the devices at home.
"""

from __future__ import annotations

import ipaddress

from homediag.core.errors import NotApplicable
from homediag.core.facts import Fact, Privacy
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import Platform, ProbeSpec, Risk
from homediag.net.errors import ParseError
from homediag.net.os.netstat_rn import is_tunnel_interface

VPN_DRIVER_WORDS = (
    "vpn", "wireguard", "wintun", "tap-windows", "openvpn", "anyconnect", "pangp", "globalprotect",
    "fortinet", "forticlient", "nordlynx", "juniper", "pulse secure", "sonicwall", "checkpoint", "zerotier",
    "tailscale", "wan miniport",
)  # fmt: skip
"""Words in the description of a Windows adapter that a VPN client installed."""
HALF_DEFAULTS = (ipaddress.IPv4Network("0.0.0.0/1"), ipaddress.IPv4Network("128.0.0.0/1"))


class VpnProbe(Probe):
    """A VPN on this computer, and whether the internet goes through it."""

    spec = ProbeSpec(
        id="net.vpn",
        summary="Whether a VPN is up on this computer and takes the traffic to the internet",
        risk=Risk.PASSIVE,
        timeout_s=8.0,
        provides=(
            Fact(
                "vpn.active",
                bool,
                "A VPN connection is up on this computer",
                not_judged="a VPN that is up harms nothing by itself: vpn.default_route is judged",
            ),
            Fact("vpn.default_route", bool, "Traffic to the internet goes into the VPN tunnel"),
            Fact(
                "vpn.interface",
                str,
                "The tunnel interface that carries the internet traffic",
                not_judged="detail of vpn.default_route, which is judged",
            ),
            Fact(
                "vpn.name",
                str,
                "The VPN connection's name",
                privacy=Privacy.PSEUDONYMISE,
                not_judged="detail of vpn.default_route, which is judged",
            ),
        ),
        binaries=("ip", "nmcli", "netstat", "scutil", "route", "ipconfig"),
        description=(
            "Reads the routing decision and the VPN connections of this computer: ip route get and "
            "NetworkManager on Linux, netstat -rn and scutil --nc list on macOS, route print and ipconfig "
            "/all on Windows. A default or half-default route (0/1 and 128/1) into a tunnel interface "
            "means the VPN takes the internet traffic. Sends nothing."
        ),
    )

    async def run(self, ctx: ProbeContext) -> None:
        """Observe the VPN state for this platform."""
        platform = ctx.session.platform
        if platform is Platform.LINUX:
            active, default, interface, name = await _linux(ctx)
        elif platform is Platform.MACOS:
            active, default, interface, name = await _macos(ctx)
        elif platform is Platform.WINDOWS:
            active, default, interface, name = await _windows(ctx)
        else:
            raise NotApplicable(_("this operating system is not supported"))
        evidence = None
        if default:
            evidence = _("the default route goes into the tunnel {interface}").format(
                interface=interface or "?"
            )
        ctx.observe("vpn.active", active or default, evidence=evidence)
        ctx.observe("vpn.default_route", default, evidence=evidence)
        ctx.observe("vpn.interface", interface)
        ctx.observe("vpn.name", name)


Seen = tuple[bool, bool, str | None, str | None]


async def _linux(ctx: ProbeContext) -> Seen:
    from homediag.net.os.linux_vpn import parse_ip_route_get, parse_nmcli_active

    vpn_devices: dict[str, str] = {}
    active = False
    name: str | None = None
    if ctx.which("nmcli"):
        shown = await ctx.run_command(
            ["nmcli", "-t", "-f", "NAME,UUID,TYPE,DEVICE", "connection", "show", "--active"], timeout_s=4.0
        )
        try:
            connections = parse_nmcli_active(shown.stdout) if shown.ok else ()
        except ParseError:
            connections = ()
        for connection in connections:
            if connection.vpn:
                active = True
                name = name or connection.name
                if connection.device and connection.type != "vpn":  # a vpn plugin names the Wi-Fi device
                    vpn_devices[connection.device] = connection.name
    if not ctx.which("ip"):
        return active, False, None, name
    target = next(iter(ctx.config.internet.ping_targets), "192.0.2.1")
    chosen = await ctx.run_command(["ip", "-o", "route", "get", str(target)], timeout_s=3.0)
    try:
        device = parse_ip_route_get(chosen.stdout).device if chosen.ok else None
    except ParseError:
        device = None
    default = device is not None and (device in vpn_devices or is_tunnel_interface(device))
    if default and device in vpn_devices:
        name = vpn_devices[device]
    return active or default, default, device if default else None, name


async def _macos(ctx: ProbeContext) -> Seen:
    from homediag.net.os.netstat_rn import full_tunnel_routes, parse_netstat_rn
    from homediag.net.os.scutil_nc import parse_scutil_nc_list

    routes = await ctx.run_command(["netstat", "-rn"], timeout_s=4.0)
    try:
        tunnel = full_tunnel_routes(parse_netstat_rn(routes.stdout)) if routes.ok else []
    except ParseError:
        tunnel = []
    services = await ctx.run_command(["scutil", "--nc", "list"], timeout_s=4.0)
    try:
        connected = [s for s in parse_scutil_nc_list(services.stdout) if s.connected] if services.ok else []
    except ParseError:
        connected = []
    interface = next((r.interface or r.gateway_interface for r in tunnel), None)
    name = connected[0].name if connected else None
    return bool(connected) or bool(tunnel), bool(tunnel), interface, name


async def _windows(ctx: ProbeContext) -> Seen:
    from homediag.net.os.ipconfig import AdapterKind, MediaState, parse_ipconfig
    from homediag.net.os.route_print import parse_route_print

    shown = await ctx.run_command(["ipconfig", "/all"], timeout_s=5.0)
    try:
        adapters = parse_ipconfig(shown.stdout).adapters if shown.ok else ()
    except ParseError:
        adapters = ()
    vpn_adapters = [
        a
        for a in adapters
        if a.media_state is not MediaState.DISCONNECTED
        and a.ipv4
        and (
            a.kind in (AdapterKind.PPP, AdapterKind.TUNNEL)
            or any(word in f"{a.name} {a.description or ''}".casefold() for word in VPN_DRIVER_WORDS)
        )
    ]
    by_address = {entry.interface.ip: a for a in vpn_adapters for entry in a.ipv4}
    table = await ctx.run_command(["route", "print", "-4"], timeout_s=5.0)
    try:
        routes = parse_route_print(table.stdout).routes if table.ok else ()
    except ParseError:
        routes = ()
    carrier = None
    for route in routes:
        if route.destination.version != 4 or route.destination.prefixlen > 1:
            continue
        if route.destination in HALF_DEFAULTS or route.interface in by_address:
            carrier = by_address.get(route.interface) if route.interface is not None else None
            carrier = carrier or (vpn_adapters[0] if vpn_adapters else None)
            if route.destination in HALF_DEFAULTS or carrier is not None:
                break
    default = carrier is not None or any(r.destination in HALF_DEFAULTS for r in routes)
    adapter = carrier or (vpn_adapters[0] if vpn_adapters else None)
    name = adapter.name if adapter is not None else None
    return bool(vpn_adapters) or default, default, name if default else None, name
