"""``net.firewall``: does a firewall on this computer keep devices at home out of its sight.

Passive: reads the firewall's settings, read-only; never changes a rule.

- Windows: ``Get-NetConnectionProfile`` (the category of the connected network: a network marked
  Public has network discovery off, so printers and casts do not show) and ``Get-NetFirewallProfile``
  (whether that profile's firewall is on and blocks inbound traffic);
- macOS: the application firewall (``socketfilterfw --getglobalstate`` / ``--getblockall``); "block
  all incoming connections" drops the answers of SSDP and WS-Discovery (Bonjour still gets through);
- Linux: ``ufw status verbose``, else ``nft list ruleset``: a default inbound policy of deny/drop
  drops the unicast answers devices send to a discovery (both need root; without it the facts stay
  unknown and say so).
"""

from __future__ import annotations

from homediag.core.errors import NotApplicable
from homediag.core.facts import Fact
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import Platform, ProbeSpec, Risk
from homediag.net.errors import ParseError

POWERSHELL = ("powershell", "-NoProfile", "-NonInteractive", "-Command")
SOCKETFILTERFW = "/usr/libexec/ApplicationFirewall/socketfilterfw"


class FirewallProbe(Probe):
    """The host firewall and, on Windows, the network profile."""

    spec = ProbeSpec(
        id="net.firewall",
        summary="Whether a firewall or a Public network profile on this computer hides devices at home",
        risk=Risk.PASSIVE,
        timeout_s=10.0,
        needs=("interface.name",),
        provides=(
            Fact(
                "firewall.enabled",
                bool,
                "A host firewall is on",
                not_judged="a firewall that is on hides nothing by itself: firewall.hides_lan is judged",
            ),
            Fact(
                "firewall.blocks_inbound",
                bool,
                "The host firewall drops unsolicited inbound traffic",
                not_judged="detail of firewall.hides_lan, which is judged",
            ),
            Fact(
                "network.profile",
                str,
                "Windows network category of the connection: public, private, domain",
                not_judged="detail of firewall.hides_lan, which is judged",
            ),
            Fact(
                "firewall.hides_lan",
                bool,
                "This computer's firewall or network profile hides devices at home",
            ),
        ),
        binaries=("powershell", "socketfilterfw", "ufw", "nft"),
        description=(
            "Reads the host firewall's state, never changes it: Get-NetConnectionProfile and "
            "Get-NetFirewallProfile on Windows, the application firewall on macOS, ufw or nftables' "
            "default input policy on Linux (root needed there)."
        ),
    )

    async def run(self, ctx: ProbeContext) -> None:
        """Observe the firewall for this platform."""
        platform = ctx.session.platform
        if platform is Platform.WINDOWS:
            await _windows(ctx)
        elif platform is Platform.MACOS:
            await _macos(ctx)
        elif platform is Platform.LINUX:
            await _linux(ctx)
        else:
            raise NotApplicable(_("this operating system is not supported"))


async def _windows(ctx: ProbeContext) -> None:
    from homediag.net.os.windows_netsettings import (
        NetworkCategory,
        parse_net_connection_profile,
        parse_net_firewall_profile,
    )

    profiles_out = await ctx.run_command(
        [*POWERSHELL, "Get-NetConnectionProfile | Format-List"], timeout_s=5.0
    )
    firewall_out = await ctx.run_command([*POWERSHELL, "Get-NetFirewallProfile | Format-List"], timeout_s=5.0)
    try:
        profiles = parse_net_connection_profile(profiles_out.stdout) if profiles_out.ok else ()
        firewalls = {p.name.casefold(): p for p in parse_net_firewall_profile(firewall_out.stdout)}
    except ParseError as exc:
        raise NotApplicable(_("the firewall settings could not be read: {error}").format(error=exc)) from None
    interface = ctx.fact("interface.name")
    profile = next((p for p in profiles if p.interface_alias == interface), None)
    profile = profile or next((p for p in profiles if p.ipv4_connectivity == "Internet"), None)
    profile = profile or (profiles[0] if profiles else None)
    category = profile.category if profile is not None else None
    firewall = firewalls.get(category.value if category is not None else "")
    if category is NetworkCategory.DOMAIN:
        firewall = firewalls.get("domain")
    enabled = firewall.enabled if firewall is not None else None
    blocks = firewall.blocks_inbound if firewall is not None else None
    public = category is NetworkCategory.PUBLIC
    evidence = None
    if public:
        evidence = _("Windows treats this network as Public: network discovery is off")
    ctx.observe("network.profile", category.value if category is not None else None, evidence=evidence)
    ctx.observe("firewall.enabled", enabled)
    ctx.observe("firewall.blocks_inbound", blocks)
    ctx.observe("firewall.hides_lan", None if category is None else public, evidence=evidence)
    ctx.using("Get-NetConnectionProfile, Get-NetFirewallProfile")


async def _macos(ctx: ProbeContext) -> None:
    from homediag.net.os.socketfilterfw import parse_block_all, parse_global_state

    state = await ctx.run_command([SOCKETFILTERFW, "--getglobalstate"], timeout_s=4.0)
    block = await ctx.run_command([SOCKETFILTERFW, "--getblockall"], timeout_s=4.0)
    try:
        enabled = parse_global_state(state.stdout)
        block_all = parse_block_all(block.stdout) if block.ok else None
    except ParseError as exc:
        raise NotApplicable(_("the firewall settings could not be read: {error}").format(error=exc)) from None
    blocks = enabled and block_all is True
    evidence = _("the firewall blocks all incoming connections") if blocks else None
    ctx.observe("firewall.enabled", enabled)
    ctx.observe("firewall.blocks_inbound", blocks if block_all is not None or not enabled else None)
    ctx.observe("network.profile", None)
    ctx.observe("firewall.hides_lan", blocks, evidence=evidence)
    ctx.using("socketfilterfw")


async def _linux(ctx: ProbeContext) -> None:
    from homediag.net.os.linux_firewall import HostFirewall, NeedsRoot, parse_nft_ruleset, parse_ufw_status

    found: HostFirewall | None = None
    needs_root = False
    for binary, argv, parse in (
        ("ufw", ["ufw", "status", "verbose"], parse_ufw_status),
        ("nft", ["nft", "list", "ruleset"], parse_nft_ruleset),
    ):
        if not ctx.which(binary):
            continue
        result = await ctx.run_command(argv, timeout_s=4.0)
        try:
            found = parse(result.stdout or result.stderr)
        except NeedsRoot:
            needs_root = True
            continue
        except ParseError:
            continue
        if found.active:
            break
    if found is None:
        if needs_root:
            ctx.observe("firewall.enabled", None, evidence=_("reading the firewall needs root"))
            ctx.observe("firewall.hides_lan", None, evidence=_("reading the firewall needs root"))
            return
        raise NotApplicable(_("no firewall tool (ufw, nft) to read"))
    evidence = None
    if found.blocks_inbound:
        evidence = _("{tool} drops incoming traffic by default").format(tool=found.tool)
    ctx.observe("firewall.enabled", found.active)
    ctx.observe("firewall.blocks_inbound", found.blocks_inbound, evidence=evidence)
    ctx.observe("network.profile", None)
    ctx.observe("firewall.hides_lan", found.blocks_inbound, evidence=evidence)
    ctx.using(found.tool)
