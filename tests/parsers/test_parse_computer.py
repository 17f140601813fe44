"""The parsers of what the computer itself does: the defect list of issue 18 (systemd-resolved, paused
CUPS queues, macOS routes through a tunnel and old ``scutil`` reachability, the Wi-Fi fields) and the
settings that block a computer (VPN, proxy, firewall and network profile, spooler, offline queues).

Fixtures are written from the documented formats with documentation addresses; German and French
variants where the command is translated. Hostile variants: every entry point is also fuzzed in
``test_fuzz_entry_points.py``; the named ones here are the shapes seen in the wild.
"""

from __future__ import annotations

from ipaddress import ip_address, ip_network

import pytest

from homediag.net.errors import ParseError
from homediag.net.os.iw_link import parse_iw_link
from homediag.net.os.iw_station import parse_iw_station_dump
from homediag.net.os.iwconfig import parse_iwconfig
from homediag.net.os.linux_firewall import NeedsRoot, parse_nft_ruleset, parse_ufw_status
from homediag.net.os.linux_vpn import parse_ip_route_get, parse_nmcli_active
from homediag.net.os.lpstat_status import QueueState, parse_lpstat_o, parse_lpstat_p, parse_lpstat_r
from homediag.net.os.netstat_rn import default_routes, full_tunnel_routes, parse_netstat_rn
from homediag.net.os.resolvectl import parse_resolvectl_status
from homediag.net.os.scutil_dns import parse_scutil_dns
from homediag.net.os.scutil_nc import parse_scutil_nc_list
from homediag.net.os.scutil_proxy import parse_scutil_proxy
from homediag.net.os.socketfilterfw import parse_block_all, parse_global_state
from homediag.net.os.wifi_types import Limitation, PhyMode
from homediag.net.os.windows_netsettings import (
    NetworkCategory,
    parse_get_service,
    parse_net_connection_profile,
    parse_net_firewall_profile,
)
from homediag.net.os.windows_printers import parse_win32_printer
from homediag.net.os.windows_proxy import parse_internet_settings, parse_winhttp_proxy
from tests.parsers.real_outputs import OWN_FIXTURES


def fixture(command: str, name: str) -> str:
    return (OWN_FIXTURES / command / name).read_text(encoding="utf-8")


# --- systemd-resolved ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "interface", "upstream", "mode"),
    [
        ("ubuntu-22.04-wifi.txt", "wlp2s0", ["192.0.2.1", "2001:db8:1::1"], "stub"),
        (
            "ubuntu-18.04-systemd-resolve.txt",
            "wlp2s0",
            ["198.51.100.53", "198.51.100.54", "2001:db8::53"],
            None,
        ),
        # a VPN claiming ~. takes every name, whatever the Wi-Fi's servers are
        ("vpn-split.txt", "wlp2s0", ["198.51.100.53", "2001:db8:5::53"], "stub"),
    ],
)
def test_resolvectl_gives_the_servers_behind_the_stub(
    name: str, interface: str, upstream: list[str], mode: str | None
) -> None:
    status = parse_resolvectl_status(fixture("resolvectl-status", name))
    assert [str(a) for a in status.upstream(interface)] == upstream
    assert status.resolv_conf_mode == mode


@pytest.mark.parametrize(
    "text",
    ["Failed to get global data: Unit dbus-org.freedesktop.resolve1.service not found.\n", "", "Link x"],
)
def test_resolvectl_without_sections_is_an_error(text: str) -> None:
    with pytest.raises(ParseError):
        parse_resolvectl_status(text)


# --- CUPS queue states and jobs -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "en-long.txt",
            {
                "Office_Laser": (QueueState.IDLE, None, ()),
                "Keller": (QueueState.DISABLED, "Paused", ("paused",)),
                "Buero_Inkjet": (QueueState.DISABLED, "reason unknown", ()),
                "Foto": (QueueState.PRINTING, None, ()),
            },
        ),
        (
            "en-short-reason.txt",
            {
                "Office_Laser": (QueueState.IDLE, None, ()),
                "Keller": (QueueState.DISABLED, "Toner leer, bitte wechseln", ()),
                "Halle": (QueueState.HOLDING, None, ()),
            },
        ),
        (
            "de.txt",
            {"Office_Laser": (QueueState.IDLE, None, ()), "Keller": (QueueState.DISABLED, "Angehalten", ())},
        ),
        (
            "fr.txt",
            {"Office_Laser": (QueueState.IDLE, None, ()), "Keller": (QueueState.DISABLED, "En pause", ())},
        ),
        ("no-destinations.txt", {}),
    ],
)
def test_lpstat_p_reads_states_and_reasons(name: str, expected: dict[str, tuple[object, ...]]) -> None:
    queues = parse_lpstat_p(fixture("lpstat-p", name))
    assert {q.name: (q.state, q.message, q.reasons) for q in queues} == expected
    assert {q.name for q in queues if q.paused} == {
        n for n, (state, _m, r) in expected.items() if state in (QueueState.DISABLED, QueueState.HOLDING) or r
    }


def test_lpstat_o_counts_held_jobs() -> None:
    jobs = parse_lpstat_o(fixture("lpstat-o", "en-long.txt"))
    assert [(j.id, j.queue, j.held) for j in jobs] == [
        ("Office_Laser-42", "Office_Laser", True),
        ("Keller-43", "Keller", False),
        ("Keller-44", "Keller", False),
    ]


@pytest.mark.parametrize(
    ("text", "running"),
    [
        ("scheduler is running\n", True),
        ("scheduler is not running\n", False),
        ("Scheduler läuft\n", True),
        ("?", None),
    ],
)
def test_lpstat_r(text: str, running: bool | None) -> None:
    assert parse_lpstat_r(text) is running


def test_lpstat_p_garbage_is_an_error() -> None:
    with pytest.raises(ParseError):
        parse_lpstat_p("lpstat: Bad file descriptor\n")


# --- macOS: routes through a tunnel, old reachability, proxy, VPN services, firewall ------------
def test_netstat_keeps_interface_gateways_and_finds_the_full_tunnel() -> None:
    routes = parse_netstat_rn(fixture("netstat-rn", "macos-vpn-half-default.txt"))
    tunnel = full_tunnel_routes(routes)
    assert [(str(r.destination), r.gateway_interface) for r in tunnel] == [
        ("0.0.0.0/1", "utun0"),
        ("128.0.0.0/1", "utun0"),
    ]
    assert [str(r.gateway) for r in default_routes(routes)] == ["192.0.2.1"]


def test_netstat_modern_vpn_default_over_link() -> None:
    routes = parse_netstat_rn(fixture("netstat-rn", "macos-modern-vpn.txt"))
    assert [(r.destination, r.interface) for r in full_tunnel_routes(routes)] == [
        (ip_network("0.0.0.0/0"), "utun3")
    ]


def test_netstat_without_a_tunnel_has_no_full_tunnel() -> None:
    assert full_tunnel_routes(parse_netstat_rn(fixture("netstat-rn", "no-default.txt"))) == []


def test_scutil_dns_reads_old_reachability_words() -> None:
    parsed = parse_scutil_dns(fixture("scutil-dns", "old-words-reach.txt"))
    assert [(r.number, r.reachable) for r in parsed.resolvers] == [
        (1, True),
        (2, None),
        (3, False),
        (4, None),
    ]
    assert [str(a) for a in parsed.nameservers] == ["192.0.2.1", "198.51.100.53"]


@pytest.mark.parametrize(
    ("name", "server", "pac"),
    [
        ("none.txt", None, None),
        ("manual.txt", "proxy.example:8080", None),
        ("pac.txt", None, "http://wpad.example/proxy.pac"),  # the scoped dictionary is not the global one
    ],
)
def test_scutil_proxy(name: str, server: str | None, pac: str | None) -> None:
    settings = parse_scutil_proxy(fixture("scutil-proxy", name)).settings()
    assert (settings.server, settings.pac_url) == (server, pac)


@pytest.mark.parametrize(
    ("name", "connected"),
    [("wireguard-connected.txt", ["Office VPN"]), ("none-connected.txt", []), ("empty.txt", [])],
)
def test_scutil_nc_list(name: str, connected: list[str]) -> None:
    services = parse_scutil_nc_list(fixture("scutil-nc-list", name))
    assert [s.name for s in services if s.connected] == connected


def test_scutil_nc_list_keeps_escaped_quotes() -> None:
    services = parse_scutil_nc_list(fixture("scutil-nc-list", "wireguard-connected.txt"))
    assert services[1].name == 'L2TP "alt"' and services[1].kind == "PPP/L2TP"


@pytest.mark.parametrize(
    ("name", "parser", "value"),
    [
        ("global-on.txt", parse_global_state, True),
        ("global-off.txt", parse_global_state, False),
        ("blockall-on-14.txt", parse_block_all, True),
        ("blockall-off-old.txt", parse_block_all, False),
        ("blockall-off-13.txt", parse_block_all, False),
    ],
)
def test_socketfilterfw(name: str, parser: object, value: bool) -> None:
    assert callable(parser)
    assert parser(fixture("socketfilterfw", name)) is value


# --- Wi-Fi fields ------------------------------------------------------------------------------
def test_iw_station_dump_keeps_a_block_with_a_placeholder_mac() -> None:
    (station,) = parse_iw_station_dump(fixture("iw-station-dump", "placeholder-mac.txt"))
    assert station.mac is None
    assert (station.signal_avg_dbm, station.tx_rate_mbps, station.guard_interval_ns) == (-60.0, 300.0, 400)


def test_iw_station_dump_keeps_and_flags_a_positive_signal() -> None:
    (station,) = parse_iw_station_dump(fixture("iw-station-dump", "positive-dbm.txt"))
    assert station.signal_dbm == 18.0
    assert station.limitations == (Limitation.IMPLAUSIBLE_SIGNAL,)
    assert station.as_link().limitations == (Limitation.IMPLAUSIBLE_SIGNAL,)


@pytest.mark.parametrize(
    ("name", "guard_ns"),
    [("vht-5ghz.txt", 400), ("ht-2ghz-weak.txt", 800), ("he-6ghz.txt", 800), ("disconnected.txt", None)],
)
def test_iw_link_stores_the_guard_interval(name: str, guard_ns: int | None) -> None:
    assert parse_iw_link(fixture("iw-dev-link", name)).guard_interval_ns == guard_ns


def test_iwconfig_bgn_protocol_sets_the_mode_and_a_bare_zero_quality_is_kept() -> None:
    (link,) = parse_iwconfig(fixture("iwconfig", "rtl-bgn-quality-zero.txt"))
    assert link.phy_mode is PhyMode.N
    assert link.link_quality_pct == 0.0
    assert link.signal_dbm is None  # "Signal level:0" is the driver's "unknown"
    assert link.limitations == ()


def test_iwconfig_positive_signal_is_kept_and_flagged() -> None:
    (link,) = parse_iwconfig(fixture("iwconfig", "positive-signal.txt"))
    assert (link.phy_mode, link.signal_dbm, link.limitations) == (
        PhyMode.AC,
        12.0,
        (Limitation.IMPLAUSIBLE_SIGNAL,),
    )


@pytest.mark.parametrize(
    ("protocol", "mode"),
    [("IEEE 802.11", None), ("IEEE 802.11abgn", PhyMode.N), ("IEEE 802.11g", PhyMode.G),
     ("IEEE 802.11b", PhyMode.B), ("IEEE 802.11AX", PhyMode.AX), ("unassociated", None)],
)  # fmt: skip
def test_iwconfig_protocol_words(protocol: str, mode: PhyMode | None) -> None:
    (link,) = parse_iwconfig(f'wlan0     {protocol}  ESSID:"x"\n          Mode:Managed\n')
    assert link.phy_mode is mode


# --- Linux: the way to the internet, VPN connections, host firewall -----------------------------
@pytest.mark.parametrize(
    ("name", "device", "table"),
    [("wireguard.txt", "wg0", "51820"), ("lan.txt", "wlp2s0", None), ("openvpn.txt", "tun0", None)],
)
def test_ip_route_get(name: str, device: str, table: str | None) -> None:
    choice = parse_ip_route_get(fixture("ip-route-get", name))
    assert (choice.device, choice.table, choice.destination) == (device, table, ip_address("203.0.113.7"))


def test_ip_route_get_unreachable_is_an_error() -> None:
    with pytest.raises(ParseError):
        parse_ip_route_get("RTNETLINK answers: Network is unreachable\n")


def test_nmcli_active_connections_unescape_and_type() -> None:
    connections = parse_nmcli_active(fixture("nmcli-con-active", "wireguard-and-vpn.txt"))
    assert [(c.name, c.vpn) for c in connections] == [("Heimnetz", False), ("wg0", True), ("Büro: VPN", True)]


@pytest.mark.parametrize(
    ("command", "name", "blocks"),
    [
        ("ufw-status", "active-deny.txt", True),
        ("ufw-status", "inactive.txt", False),
        ("nft-ruleset", "input-drop.txt", True),
        ("nft-ruleset", "accept.txt", False),
    ],
)
def test_linux_firewall_default_policy(command: str, name: str, blocks: bool) -> None:
    parse = parse_ufw_status if command == "ufw-status" else parse_nft_ruleset
    assert parse(fixture(command, name)).blocks_inbound is blocks


def test_ufw_without_root_says_so() -> None:
    with pytest.raises(NeedsRoot):
        parse_ufw_status(fixture("ufw-status", "not-root.txt"))


# --- Windows -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "server", "bypass"),
    [
        ("en-direct.txt", None, None),
        ("de-direct.txt", None, None),
        ("fr-direct.txt", None, None),
        ("en-proxy.txt", "proxy.example:8080", "<local>;*.home.example"),
        ("de-proxy.txt", "http=proxy.example:3128;https=proxy.example:3128", None),
        ("fr-proxy.txt", "proxy.example:8080", "<local>"),
    ],
)
def test_winhttp_proxy_in_any_language(name: str, server: str | None, bypass: str | None) -> None:
    settings = parse_winhttp_proxy(fixture("netsh-winhttp-proxy", name))
    assert (settings.server, settings.bypass, settings.configured) == (server, bypass, server is not None)


@pytest.mark.parametrize(
    ("name", "server", "pac"),
    [
        ("no-proxy.txt", None, None),
        ("manual-proxy.txt", "proxy.example:8080", None),
        # ProxyServer is left behind when the user switches the proxy off: only ProxyEnable counts
        ("pac.txt", None, "http://wpad.example/proxy.pac"),
    ],
)
def test_user_internet_settings(name: str, server: str | None, pac: str | None) -> None:
    settings = parse_internet_settings(fixture("reg-internet-settings", name))
    assert (settings.server, settings.pac_url) == (server, pac)


@pytest.mark.parametrize(
    ("name", "categories"),
    [
        ("de-private.txt", {"WLAN": NetworkCategory.PRIVATE}),
        ("de-public.txt", {"WLAN": NetworkCategory.PUBLIC, "Ethernet 2": NetworkCategory.PUBLIC}),
        ("en-public.txt", {"Wi-Fi": NetworkCategory.PUBLIC}),
        ("fr-private.txt", {"Wi-Fi": NetworkCategory.PRIVATE}),
    ],
)
def test_net_connection_profile(name: str, categories: dict[str, NetworkCategory]) -> None:
    profiles = parse_net_connection_profile(fixture("get-netconnectionprofile", name))
    assert {p.interface_alias: p.category for p in profiles} == categories


def test_firewall_profiles_not_configured_blocks_inbound() -> None:
    profiles = parse_net_firewall_profile(fixture("get-netfirewallprofile", "default-all-on.txt"))
    assert [(p.name, p.enabled, p.blocks_inbound) for p in profiles] == [
        ("Domain", True, True),
        ("Private", True, True),
        ("Public", True, True),
    ]


@pytest.mark.parametrize(("name", "running"), [("running.txt", True), ("stopped.txt", False)])
def test_spooler_service(name: str, running: bool) -> None:
    (service,) = parse_get_service(fixture("get-service-spooler", name))
    assert (service.name, service.running) == ("Spooler", running)


def test_win32_printer_work_offline() -> None:
    printers = parse_win32_printer(fixture("win32-printer", "office-offline.txt"))
    assert [(p.name, p.work_offline) for p in printers] == [
        ("Office Laser", True),
        ("Microsoft Print to PDF", False),
    ]


@pytest.mark.parametrize(
    ("parser", "text"),
    [
        (parse_net_connection_profile, "Get-NetConnectionProfile : Zugriff verweigert\n    + CategoryInfo\n"),
        (parse_winhttp_proxy, ""),
        (
            parse_internet_settings,
            "ERROR: The system was unable to find the specified registry key or value.\n",
        ),
        (parse_win32_printer, "Name : x\n"),
    ],
)
def test_windows_errors_are_parse_errors(parser: object, text: str) -> None:
    assert callable(parser)
    with pytest.raises(ParseError):
        parser(text)
