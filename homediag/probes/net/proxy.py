"""``net.proxy``: does this computer send web traffic through a proxy or a PAC script.

Passive: reads the settings, never contacts the proxy.

- Windows: the user's settings (``reg query HKCU\\...\\Internet Settings``: ``ProxyEnable``,
  ``ProxyServer``, ``AutoConfigURL``; what browsers use) and the system's (``netsh winhttp show
  proxy``; what services and updates use), any language;
- macOS: ``scutil --proxy`` (the current network service's HTTP/HTTPS/SOCKS proxy and PAC URL);
- Linux: GNOME's settings (``gsettings get org.gnome.system.proxy mode``, then the host or the PAC
  URL); other desktops and the ``http_proxy`` variables of shells are not read.

A proxy left behind by an old office network, an adware or a parental-control tool is a classic
"no internet in the browser, but the rest works".
"""

from __future__ import annotations

from homediag.core.errors import NotApplicable
from homediag.core.facts import Fact, Privacy
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import Platform, ProbeSpec, Risk
from homediag.net.errors import ParseError
from homediag.net.os.windows_proxy import ProxySettings

INTERNET_SETTINGS = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings"


class ProxyProbe(Probe):
    """The proxy and PAC settings of this computer."""

    spec = ProbeSpec(
        id="net.proxy",
        summary="Whether web traffic of this computer goes through a proxy or a PAC script",
        risk=Risk.PASSIVE,
        timeout_s=8.0,
        provides=(
            Fact("proxy.configured", bool, "A proxy server or a PAC script is set on this computer"),
            Fact(
                "proxy.server",
                str,
                "The proxy server (host:port)",
                privacy=Privacy.PSEUDONYMISE,
                not_judged="detail of proxy.configured, which is judged",
            ),
            Fact(
                "proxy.pac",
                bool,
                "A proxy auto-configuration (PAC) script is set",
                not_judged="detail of proxy.configured, which is judged",
            ),
            Fact(
                "proxy.system",
                bool,
                "The system-wide proxy (Windows WinHTTP) is set",
                not_judged="detail of proxy.configured, which is judged",
            ),
        ),
        binaries=("reg", "netsh", "scutil", "gsettings"),
        description=(
            "Reads the proxy settings: the user's Internet Settings and netsh winhttp on Windows, scutil "
            "--proxy on macOS, GNOME's proxy settings on Linux. Never contacts the proxy."
        ),
    )

    async def run(self, ctx: ProbeContext) -> None:
        """Observe the proxy settings for this platform."""
        platform = ctx.session.platform
        system: bool | None = None
        if platform is Platform.WINDOWS:
            user = await _reg_settings(ctx)
            system_settings = await _winhttp(ctx)
            system = system_settings.configured if system_settings is not None else None
            settings = user if user is not None and user.configured else (system_settings or user)
        elif platform is Platform.MACOS:
            settings = await _scutil(ctx)
        elif platform is Platform.LINUX:
            settings = await _gsettings(ctx)
        else:
            raise NotApplicable(_("this operating system is not supported"))
        if settings is None:
            raise NotApplicable(_("the proxy settings could not be read"))
        evidence = None
        if settings.configured:
            evidence = _("proxy {server}").format(server=settings.server or settings.pac_url or "?")
        ctx.observe("proxy.configured", settings.configured, evidence=evidence)
        ctx.observe("proxy.server", settings.server)
        ctx.observe("proxy.pac", settings.pac_url is not None)
        ctx.observe("proxy.system", system)


async def _reg_settings(ctx: ProbeContext) -> ProxySettings | None:
    from homediag.net.os.windows_proxy import parse_internet_settings

    result = await ctx.run_command(["reg", "query", INTERNET_SETTINGS], timeout_s=4.0)
    try:
        return parse_internet_settings(result.stdout) if result.ok else None
    except ParseError:
        return None


async def _winhttp(ctx: ProbeContext) -> ProxySettings | None:
    from homediag.net.os.windows_proxy import parse_winhttp_proxy

    result = await ctx.run_command(["netsh", "winhttp", "show", "proxy"], timeout_s=4.0)
    try:
        return parse_winhttp_proxy(result.stdout) if result.ok else None
    except ParseError:
        return None


async def _scutil(ctx: ProbeContext) -> ProxySettings | None:
    from homediag.net.os.scutil_proxy import parse_scutil_proxy

    result = await ctx.run_command(["scutil", "--proxy"], timeout_s=4.0)
    try:
        return parse_scutil_proxy(result.stdout).settings() if result.ok else None
    except ParseError:
        return None


async def _gsettings(ctx: ProbeContext) -> ProxySettings | None:
    if not ctx.which("gsettings"):
        return None

    async def get(schema: str, key: str) -> str | None:
        result = await ctx.run_command(["gsettings", "get", schema, key], timeout_s=3.0)
        value = result.stdout.strip().strip("'\"") if result.ok else None
        return value or None

    mode = await get("org.gnome.system.proxy", "mode")
    if mode is None:
        return None
    if mode == "manual":
        host = await get("org.gnome.system.proxy.https", "host") or await get(
            "org.gnome.system.proxy.http", "host"
        )
        return ProxySettings(server=host)
    if mode == "auto":
        return ProxySettings(pac_url=await get("org.gnome.system.proxy", "autoconfig-url") or "wpad")
    return ProxySettings()
