"""Reading the Wi-Fi link and scan results from the operating system's own tools.

Shared by ``wifi.link`` and ``wifi.neighbours``; the parsing is done by the pure parsers in
``homediag/net/os``. Each platform has an order of preference:

- Linux: ``iw dev`` (wireless interfaces), ``iw dev IF link`` + ``iw dev IF info`` + ``iw dev IF station
  dump`` (the link), NetworkManager's ``nmcli`` (security of the link, and the scan list without root),
  ``iw dev IF scan dump`` (cached scan results), ``iw dev IF scan`` (a fresh scan, root only).
- macOS: ``wdutil info`` (root only), ``system_profiler SPAirPortDataType -json`` (link and neighbours;
  SSIDs hidden without Location Services permission), ``airport -I`` / ``-s`` (gone since macOS 14.4).
- Windows: ``netsh wlan show interfaces`` and ``netsh wlan show networks mode=bssid`` (any language).

What limited a run (no root, no location permission, a removed tool) is returned as limitations, so
the probes can say it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from homediag.core.probe import ProbeContext
from homediag.core.records import InterfaceEntry
from homediag.net.errors import ParseError
from homediag.net.os.nmcli_wifi import NMCLI_WIFI_FIELDS, nmcli_active_link, parse_nmcli_wifi_list
from homediag.net.os.wifi_types import WifiLink, WifiScan

AIRPORT = "/System/Library/PrivateFrameworks/Apple80211.framework/Versions/Current/Resources/airport"
NMCLI_FIELDS = ",".join(NMCLI_WIFI_FIELDS)


@dataclass
class WifiView:
    """What the OS tools said: the wireless interfaces, the link, the scan and what limited them."""

    interfaces: list[str] = field(default_factory=list)
    link: WifiLink | None = None
    scan: WifiScan | None = None
    limitations: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def limit(self, text: str) -> None:
        """Note what limited the run (once)."""
        if text not in self.limitations:
            self.limitations.append(text)


def _platform(ctx: ProbeContext) -> str:
    return ctx.session.platform.value if ctx.session.platform else "linux"


def _wireless_from_facts(ctx: ProbeContext) -> list[str]:
    listed = ctx.fact_as("interface.all", list[InterfaceEntry]) or []
    return [entry["name"] for entry in listed if entry["kind"] == "wireless"]


async def read_link(ctx: ProbeContext) -> WifiView:
    """The wireless interfaces and the link of the one in use (or the first connected one)."""
    platform = _platform(ctx)
    if platform == "windows":
        return await _windows_link(ctx)
    if platform == "macos":
        return await _macos(ctx, want_scan=False)
    return await _linux_link(ctx)


async def read_scan(ctx: ProbeContext, interface: str | None) -> WifiView:
    """The networks in range as the OS last saw them (triggering a scan only where allowed)."""
    platform = _platform(ctx)
    if platform == "windows":
        view = WifiView()
        result = await ctx.run_command(["netsh", "wlan", "show", "networks", "mode=bssid"], timeout_s=8.0)
        if result.ok:
            view.scan = _safe(lambda: _netsh_networks(result.stdout))
            view.sources.append("netsh wlan show networks")
        return view
    if platform == "macos":
        return await _macos(ctx, want_scan=True)
    return await _linux_scan(ctx, interface)


def _safe(parse: object) -> WifiScan | None:
    try:
        value = parse()  # type: ignore[operator]
    except ParseError:
        return None
    return value if isinstance(value, WifiScan) else None


def _netsh_networks(text: str) -> WifiScan:
    from homediag.net.os.netsh_wlan import parse_netsh_networks

    return parse_netsh_networks(text)


# --- Linux -------------------------------------------------------------------------------------


async def _linux_link(ctx: ProbeContext) -> WifiView:
    from homediag.net.os.iw_info import parse_iw_info
    from homediag.net.os.iw_link import parse_iw_link
    from homediag.net.os.iw_station import parse_iw_station_dump

    view = WifiView()
    infos = []
    if ctx.which("iw"):
        listed = await ctx.run_command(["iw", "dev"], timeout_s=3.0)
        if listed.ok:
            try:
                infos = list(parse_iw_info(listed.stdout))
            except ParseError:
                infos = []
            view.interfaces = [i.interface for i in infos if i.interface]
            view.sources.append("iw dev")
    if not view.interfaces:
        view.interfaces = _wireless_from_facts(ctx)
    if not view.interfaces:
        return view
    in_use = ctx.fact("interface.name")
    name = in_use if in_use in view.interfaces else view.interfaces[0]
    if not ctx.which("iw"):
        view.limit("iw is not installed: link details unavailable")
        view.link = WifiLink(interface=str(name))
    else:
        link_out = await ctx.run_command(["iw", "dev", str(name), "link"], timeout_s=3.0)
        try:
            link = parse_iw_link(link_out.stdout, str(name))
        except ParseError:
            link = WifiLink(interface=str(name))
        info = next((i for i in infos if i.interface == name), None)
        if info is not None:
            link = link.merged_with(info.as_link())
        stations = await ctx.run_command(["iw", "dev", str(name), "station", "dump"], timeout_s=3.0)
        if stations.ok:
            try:
                parsed = parse_iw_station_dump(stations.stdout)
            except ParseError:
                parsed = ()
            ap = next((s for s in parsed if link.bssid is None or s.mac == link.bssid), None)
            if ap is not None:
                link = link.merged_with(ap.as_link())
        view.link = link
        view.sources.append("iw dev link")
    if ctx.which("nmcli"):
        scan = await _nmcli_scan(ctx, str(name))
        if scan is not None and view.link is not None:
            active = nmcli_active_link(scan, str(name))
            if active is not None:
                view.link = view.link.merged_with(active)
                view.sources.append("nmcli")
    elif view.link is not None and view.link.connected:
        view.limit("NetworkManager (nmcli) is not available: the link's security is unknown")
    driver = ctx.system.read_link(f"/sys/class/net/{name}/device/driver")
    if driver and view.link is not None and view.link.driver is None:
        view.link = view.link.merged_with(WifiLink(interface=str(name), driver=driver.rsplit("/", 1)[-1]))
    return view


async def _nmcli_scan(ctx: ProbeContext, interface: str | None) -> WifiScan | None:
    argv = ["nmcli", "-t", "-f", NMCLI_FIELDS, "dev", "wifi", "list"]
    if interface:
        argv += ["ifname", interface]
    argv += ["--rescan", "no"]
    result = await ctx.run_command(argv, timeout_s=8.0)
    if not result.ok:
        return None
    try:
        return parse_nmcli_wifi_list(result.stdout, NMCLI_WIFI_FIELDS)
    except ParseError:
        return None


async def _linux_scan(ctx: ProbeContext, interface: str | None) -> WifiView:
    from homediag.net.os.iw_scan import parse_iw_scan

    view = WifiView()
    if ctx.which("nmcli"):
        view.scan = await _nmcli_scan(ctx, interface)
        if view.scan is not None:
            view.sources.append("nmcli dev wifi list")
            return view
    if interface and ctx.which("iw"):
        dump = await ctx.run_command(["iw", "dev", interface, "scan", "dump"], timeout_s=5.0)
        scan = _safe(lambda: parse_iw_scan(dump.stdout)) if dump.ok else None
        if scan is not None and scan.networks:
            view.scan = scan
            view.sources.append("iw scan dump")
            return view
        if ctx.session.privileged:
            fresh = await ctx.run_command(["iw", "dev", interface, "scan"], timeout_s=10.0)
            if fresh.ok:
                view.scan = _safe(lambda: parse_iw_scan(fresh.stdout))
                view.sources.append("iw scan")
                return view
        else:
            view.limit("a fresh scan needs root (iw dev IF scan); cached results were empty")
    return view


# --- Windows -----------------------------------------------------------------------------------


async def _windows_link(ctx: ProbeContext) -> WifiView:
    from homediag.net.os.netsh_wlan import parse_netsh_interfaces

    view = WifiView()
    result = await ctx.run_command(["netsh", "wlan", "show", "interfaces"], timeout_s=5.0)
    if not result.ok:
        return view
    try:
        links = parse_netsh_interfaces(result.stdout)
    except ParseError:
        return view
    view.sources.append("netsh wlan show interfaces")
    view.interfaces = [link.interface or "" for link in links]
    view.link = next((link for link in links if link.connected), links[0] if links else None)
    if view.link is not None:
        view.limitations.extend(str(lim.value) for lim in view.link.limitations)
    return view


# --- macOS -------------------------------------------------------------------------------------


async def _macos(ctx: ProbeContext, *, want_scan: bool) -> WifiView:
    from homediag.net.os.airport import parse_airport_info, parse_airport_scan
    from homediag.net.os.system_profiler_airport import parse_system_profiler_airport
    from homediag.net.os.wdutil import parse_wdutil_info

    view = WifiView()
    if not want_scan and ctx.session.privileged and ctx.which("wdutil"):
        result = await ctx.run_command(["wdutil", "info"], timeout_s=8.0)
        if result.ok:
            try:
                info = parse_wdutil_info(result.stdout)
            except ParseError:
                info = None
            if info is not None and info.link.interface:
                view.link = info.link
                view.interfaces = [info.link.interface]
                view.sources.append("wdutil info")
    elif not want_scan:
        view.limit("wdutil info needs root: used system_profiler instead")
    if view.link is None or want_scan:
        result = await ctx.run_command(["system_profiler", "SPAirPortDataType", "-json"], timeout_s=15.0)
        if result.ok:
            try:
                snapshot = parse_system_profiler_airport(result.stdout)
            except ParseError:
                snapshot = None
            if snapshot is not None:
                view.sources.append("system_profiler")
                if view.link is None and snapshot.links:
                    view.link = next((link for link in snapshot.links if link.connected), snapshot.links[0])
                    view.interfaces = [link.interface or "" for link in snapshot.links]
                if snapshot.scan.networks:
                    view.scan = snapshot.scan
                view.limitations.extend(str(lim.value) for lim in snapshot.scan.limitations)
    if (view.link is None or (want_scan and view.scan is None)) and ctx.which(AIRPORT):
        argv = [AIRPORT, "-s"] if want_scan else [AIRPORT, "-I"]
        result = await ctx.run_command(argv, timeout_s=10.0)
        if result.ok:
            try:
                if want_scan:
                    view.scan = parse_airport_scan(result.stdout)
                else:
                    view.link = parse_airport_info(result.stdout)
                view.sources.append("airport")
            except ParseError:
                pass
    if view.link is not None:
        view.limitations.extend(str(lim.value) for lim in view.link.limitations)
    view.limitations = list(dict.fromkeys(view.limitations))
    return view
