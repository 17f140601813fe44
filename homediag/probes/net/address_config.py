"""``net.address_config``: did someone set this computer's address or DNS servers by hand.

Passive: reads the configuration, sends nothing.

- Windows: ``ipconfig /all`` (``DHCP Enabled: No``, via ``interface.dhcp_enabled``);
- Linux: NetworkManager's active connection on the interface (``ipv4.method manual``,
  ``ipv4.ignore-auto-dns yes`` with ``ipv4.dns`` set);
- macOS: ``networksetup -getinfo`` is not read yet: the facts stay unknown there.

A static address from another network (an old router, a hotel) or fixed DNS servers that no longer
answer break the internet of this computer only.
"""

from __future__ import annotations

from homediag.core.facts import Fact
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import Platform, ProbeSpec, Risk
from homediag.net.errors import ParseError


class AddressConfigProbe(Probe):
    """Static address or DNS settings on this computer."""

    spec = ProbeSpec(
        id="net.address_config",
        summary="Whether this computer's IPv4 address or DNS servers are set by hand",
        risk=Risk.PASSIVE,
        timeout_s=6.0,
        platforms=(Platform.LINUX, Platform.WINDOWS),
        needs=("interface.name", "interface.dhcp_enabled"),
        provides=(
            Fact("address.static", bool, "The IPv4 address is set by hand (no DHCP)"),
            Fact("dns.static", bool, "The DNS servers are set by hand, not taken from DHCP"),
            Fact(
                "dns.static_servers",
                list[str],
                "DNS servers set by hand",
                not_judged="detail of dns.static, which is judged",
            ),
        ),
        binaries=("nmcli",),
        description=(
            "Reads whether the address and the DNS servers come from DHCP: ipconfig /all on Windows, "
            "NetworkManager's active connection on Linux."
        ),
    )

    async def run(self, ctx: ProbeContext) -> None:
        """Observe the address configuration."""
        if ctx.session.platform is Platform.WINDOWS:
            dhcp = ctx.fact_as("interface.dhcp_enabled", bool)
            static = None if dhcp is None else not dhcp
            ctx.observe(
                "address.static", static, evidence=_("DHCP is off on this interface") if static else None
            )
            ctx.observe("dns.static", None)
            ctx.observe("dns.static_servers", None)
            return
        await _networkmanager(ctx)


async def _networkmanager(ctx: ProbeContext) -> None:
    from homediag.net.os.linux_vpn import parse_nmcli_active, parse_nmcli_fields

    interface = ctx.fact_as("interface.name", str)
    if not ctx.which("nmcli") or interface is None:
        for fact in ("address.static", "dns.static", "dns.static_servers"):
            ctx.observe(fact, None)
        return
    shown = await ctx.run_command(
        ["nmcli", "-t", "-f", "NAME,UUID,TYPE,DEVICE", "connection", "show", "--active"], timeout_s=3.0
    )
    try:
        connections = parse_nmcli_active(shown.stdout) if shown.ok else ()
    except ParseError:
        connections = ()
    connection = next((c for c in connections if c.device == interface and not c.vpn and c.uuid), None)
    if connection is None or connection.uuid is None:
        for fact in ("address.static", "dns.static", "dns.static_servers"):
            ctx.observe(fact, None)
        return
    detail = await ctx.run_command(
        [
            "nmcli",
            "-t",
            "-f",
            "ipv4.method,ipv4.ignore-auto-dns,ipv4.dns",
            "connection",
            "show",
            connection.uuid,
        ],
        timeout_s=3.0,
    )
    values = parse_nmcli_fields(detail.stdout) if detail.ok else {}
    method = values.get("ipv4.method")
    servers = [s for s in values.get("ipv4.dns", "").replace(",", " ").split() if s and s != "--"]
    ignore_auto = values.get("ipv4.ignore-auto-dns") == "yes"
    static = method == "manual" if method else None
    dns_static = bool(servers) and (ignore_auto or method == "manual") if method else None
    ctx.observe("address.static", static, evidence=_("the address is set by hand") if static else None)
    ctx.observe(
        "dns.static",
        dns_static,
        evidence=_("DNS servers set by hand: {servers}").format(servers=", ".join(servers))
        if dns_static
        else None,
    )
    ctx.observe("dns.static_servers", servers if dns_static else [])
    ctx.using("nmcli")
