"""Every real output of every network command is read correctly.

For each ``<command>/<name>.txt`` in the shared real-outputs folder, the parser's result is
compared, after normalisation, with every key of ``expected`` in the meta file beside it. A key
this test does not know fails the test, so no expectation is ever silently ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from ipaddress import IPv4Address, ip_address, ip_interface, ip_network
from typing import Any

import pytest

from homediag.net.os.arp_a import ArpKind, parse_arp_a
from homediag.net.os.ip_addr import OperState, parse_ip_addr_json
from homediag.net.os.ip_neigh import NeighbourState, parse_ip_neigh
from homediag.net.os.ip_route import RouteType, default_routes, parse_ip_route
from homediag.net.os.ipconfig import (
    Adapter,
    AdapterKind,
    MediaState,
    NodeType,
    parse_ipconfig,
)
from homediag.net.os.lpstat import parse_lpstat_v
from homediag.net.os.netstat_rn import BsdRoute, parse_netstat_rn
from homediag.net.os.netstat_rn import default_routes as bsd_defaults
from homediag.net.os.nmcli_dev_show import parse_nmcli_dev_show
from homediag.net.os.route_print import WindowsRoute, parse_route_print
from homediag.net.os.scutil_dns import Resolver, parse_scutil_dns
from tests.parsers.real_outputs import RealCase, load_real_case, mac, real_case_params

COMMANDS = [
    "arp-a",
    "ip-j-addr",
    "ip-neigh",
    "ip-route",
    "ipconfig-all",
    "lpstat-v",
    "netstat-rn",
    "nmcli-dev-show",
    "route-print",
    "scutil-dns",
]

# Localised words of the meta files, normalised by this test (not by the parser's tables).
ADAPTER_TYPES = {
    "ethernet adapter": AdapterKind.ETHERNET,
    "ethernet-adapter": AdapterKind.ETHERNET,
    "wireless lan adapter": AdapterKind.WIRELESS,
    "drahtlos-lan-adapter": AdapterKind.WIRELESS,
    "tunnel adapter": AdapterKind.TUNNEL,
    "unknown adapter": AdapterKind.UNKNOWN,
}
MEDIA_STATES = {
    "media disconnected": MediaState.DISCONNECTED,
    "medium getrennt": MediaState.DISCONNECTED,
    "média déconnecté": MediaState.DISCONNECTED,
}
NODE_TYPES = {"hybrid": NodeType.HYBRID, "gemischt": NodeType.MIXED, "unknown": NodeType.UNKNOWN}


def _unknown(key: str) -> None:
    pytest.fail(f"expected key {key!r} is not checked by this test: add it")


def _one(items: list[Any], what: str, **match: Any) -> Any:
    found = [item for item in items if all(getattr(item, k) == v for k, v in match.items())]
    assert len(found) == 1, f"{what}: {len(found)} matches for {match}"
    return found[0]


# --- arp -a ----------------------------------------------------------------------------------


def check_arp_a(case: RealCase) -> None:
    entries = parse_arp_a(case.text)

    def check_entry(want: dict[str, Any]) -> None:
        entry = _one(entries, "arp entry", ip=IPv4Address(want["ip"]))
        for key, value in want.items():
            if key == "ip":
                continue
            elif key == "mac":
                assert entry.mac == mac(value)
            elif key == "hostname":
                assert entry.hostname == (None if value in (None, "?") else value)
            elif key == "interface":
                assert entry.interface == value
            elif key == "hwtype":
                assert entry.hw_type == value
            elif key == "permanent":
                assert entry.permanent is value
            elif key == "expires_s":
                assert entry.expires_s == value
            else:
                _unknown(f"entries.{key}")

    for key, value in case.expected.items():
        if key in ("entry_count", "total_entries"):
            assert len(entries) == value
        elif key in ("entries", "complete"):
            for want in value:
                check_entry(want)
        elif key == "incomplete":
            incomplete = [e for e in entries if e.kind is ArpKind.INCOMPLETE]
            assert sorted(str(e.ip) for e in incomplete) == sorted(value)
            assert all(e.mac is None for e in incomplete)
        elif key == "interface_blocks":
            for block in value:
                members = [
                    e
                    for e in entries
                    if e.interface_ip == IPv4Address(block["interface_ip"])
                    and e.interface_index == int(block["index"], 16)
                ]
                assert len(members) == block["entries"], block
        elif key == "dynamic_entries":
            dynamic = {(str(e.ip), e.mac) for e in entries if e.kind is ArpKind.DYNAMIC}
            assert dynamic == {(want["ip"], mac(want["mac"])) for want in value}
        else:
            _unknown(key)


# --- ip -j addr ------------------------------------------------------------------------------


def check_ip_addr(case: RealCase) -> None:
    interfaces = parse_ip_addr_json(case.text)
    for key, value in case.expected.items():
        if key != "interfaces":
            _unknown(key)
        for want in value:
            interface = _one(interfaces, "interface", index=want["ifindex"])
            for field, expected in want.items():
                if field == "ifindex":
                    continue
                elif field == "ifname":
                    assert interface.name == expected
                elif field == "operstate":
                    assert interface.operstate is OperState(expected.lower())
                elif field == "ipv4":
                    assert list(interface.ipv4) == [ip_interface(a) for a in expected]
                elif field == "ipv6":
                    assert list(interface.ipv6) == [ip_interface(a) for a in expected]
                elif field == "ipv6_count":
                    assert len(interface.ipv6) == expected
                else:
                    _unknown(f"interfaces.{field}")


# --- ip neigh --------------------------------------------------------------------------------


def check_ip_neigh(case: RealCase) -> None:
    neighbours = parse_ip_neigh(case.text)
    for key, value in case.expected.items():
        if key != "entries":
            _unknown(key)
        assert len(neighbours) == len(value)
        for neighbour, want in zip(neighbours, value, strict=True):
            for field, expected in want.items():
                if field == "ip":
                    assert neighbour.ip == ip_address(expected)
                elif field == "dev":
                    assert neighbour.dev == expected
                elif field == "lladdr":
                    assert neighbour.mac == mac(expected)
                elif field == "state":
                    assert neighbour.states == {NeighbourState(expected.lower())}
                elif field == "router":
                    assert neighbour.router is expected
                else:
                    _unknown(f"entries.{field}")
            if "router" not in want:
                assert neighbour.router is False


# --- ip route --------------------------------------------------------------------------------


def _check_route_fields(route: Any, want: dict[str, Any]) -> None:
    for field, expected in want.items():
        if field == "dst":
            assert route.destination == ip_network(expected)
        elif field == "gateway":
            assert route.gateway == ip_address(expected)
        elif field == "dev":
            assert route.dev == expected
        elif field == "proto":
            assert route.protocol == expected
        elif field == "scope":
            assert route.scope == expected
        elif field == "src":
            assert route.source == ip_address(expected)
        elif field == "metric":
            assert route.metric == expected
        elif field == "linkdown":
            assert route.linkdown is expected
        elif field == "type":
            assert route.type is RouteType(expected)
        else:
            _unknown(f"route.{field}")


def check_ip_route(case: RealCase) -> None:
    routes = parse_ip_route(case.text)
    for key, value in case.expected.items():
        if key == "default":
            defaults = default_routes(routes)
            if value is None:
                assert defaults == []
            else:
                assert defaults, "no default route read"
                _check_route_fields(defaults[0], value)
        elif key == "routes":
            for want in value:
                route = _one(routes, "route", destination=ip_network(want["dst"]))
                _check_route_fields(route, want)
        elif key == "route_count":
            assert len(routes) == value
        else:
            _unknown(key)


# --- ipconfig /all ---------------------------------------------------------------------------


def _check_adapter(adapter: Adapter, want: dict[str, Any]) -> None:
    global_v6 = [e.address for e in adapter.ipv6 if not e.temporary and not e.link_local]
    for field, expected in want.items():
        if field == "name":
            continue
        elif field == "type":
            assert adapter.kind is ADAPTER_TYPES[expected.lower()]
            assert adapter.kind_label == expected
        elif field == "media_state":
            words = expected.split(" (", 1)[0].lower()
            assert adapter.media_state is MEDIA_STATES[words]
        elif field == "description":
            assert adapter.description == expected
        elif field == "mac":
            assert adapter.mac == mac(expected)
        elif field == "dhcp_enabled":
            assert adapter.dhcp_enabled is expected
        elif field == "ipv4":
            assert [str(e.address) for e in adapter.ipv4] == [expected]
        elif field == "subnet_mask":
            assert [str(e.interface.netmask) for e in adapter.ipv4] == [expected]
        elif field == "ipv6":
            assert global_v6 == [ip_address(a) for a in expected]
        elif field == "temporary_ipv6":
            assert [e.address for e in adapter.ipv6 if e.temporary] == [
                ip_address(a) for a in expected
            ]
        elif field == "link_local_ipv6":
            assert [e.address for e in adapter.ipv6 if e.link_local] == [ip_address(expected)]
        elif field == "default_gateway":
            assert list(adapter.default_gateways) == [ip_address(a) for a in expected]
        elif field == "dhcp_server":
            assert adapter.dhcp_server == ip_address(expected)
        elif field == "dns_servers":
            assert list(adapter.dns_servers) == [ip_address(a) for a in expected]
        elif field == "connection_specific_dns_suffix":
            assert adapter.connection_dns_suffix == expected
        elif field == "primary_wins":
            assert adapter.primary_wins_server == ip_address(expected)
        elif field == "lease_obtained":
            assert adapter.lease_obtained_text == expected
            assert adapter.lease_obtained is not None
        elif field == "lease_expires":
            assert adapter.lease_expires_text == expected
            assert adapter.lease_expires is not None
        else:
            _unknown(f"adapters.{field}")


def check_ipconfig(case: RealCase) -> None:
    result = parse_ipconfig(case.text)
    for key, value in case.expected.items():
        if key == "hostname":
            assert result.hostname == value
        elif key == "node_type":
            assert result.node_type is NODE_TYPES[value.lower()]
        elif key == "dns_suffix_search_list":
            assert list(result.dns_suffix_search_list) == value
        elif key == "primary_dns_suffix":
            assert result.primary_dns_suffix == value
        elif key == "adapter_count":
            assert len(result.adapters) == value
        elif key == "adapters":
            for want in value:
                adapter = _one(list(result.adapters), "adapter", name=want["name"])
                _check_adapter(adapter, want)
        else:
            _unknown(key)


# --- lpstat -v -------------------------------------------------------------------------------


def check_lpstat(case: RealCase) -> None:
    printers = parse_lpstat_v(case.text)
    for key, value in case.expected.items():
        if key != "printers":
            _unknown(key)
        assert len(printers) == len(value)
        for printer, want in zip(printers, value, strict=True):
            for field, expected in want.items():
                assert field in ("name", "uri", "scheme", "host", "port"), field
                assert getattr(printer, field) == expected, field


# --- netstat -rn -----------------------------------------------------------------------------


def _gateway_matches(route: BsdRoute, text: str) -> bool:
    if text.startswith("link#"):
        return route.gateway_link == text
    try:
        return route.gateway == ip_address(text)
    except ValueError:
        return route.gateway_mac == mac(text)


def _check_bsd_route(route: BsdRoute, want: dict[str, Any]) -> None:
    for field, expected in want.items():
        if field == "destination":
            assert route.destination_text == expected
        elif field == "gateway":
            assert _gateway_matches(route, expected), (route, expected)
        elif field == "flags":
            assert route.flags == expected
        elif field == "netif":
            assert route.interface == expected
        elif field == "expire":
            assert route.expire_s == expected
        else:
            _unknown(f"route.{field}")


def check_netstat_rn(case: RealCase) -> None:
    routes = parse_netstat_rn(case.text)
    for key, value in case.expected.items():
        if key in ("default_ipv4", "default_ipv6"):
            defaults = bsd_defaults(routes, 4 if key == "default_ipv4" else 6)
            if value is None:
                assert defaults == []
            else:
                _check_bsd_route(defaults[0], value)
        elif key == "ipv4_route_count":
            assert len([r for r in routes if r.family == 4]) == value
        elif key == "ipv6_route_count":
            assert len([r for r in routes if r.family == 6]) == value
        elif key == "examples":
            for want in value:
                matches = [
                    r
                    for r in routes
                    if r.destination_text == want["destination"]
                    and _gateway_matches(r, want["gateway"])
                ]
                assert len(matches) == 1, want
                _check_bsd_route(matches[0], want)
        else:
            _unknown(key)


# --- nmcli device show -----------------------------------------------------------------------


def check_nmcli(case: RealCase) -> None:
    devices = parse_nmcli_dev_show(case.text)
    for key, value in case.expected.items():
        if key != "devices":
            _unknown(key)
        assert [d.device for d in devices] == [want["device"] for want in value]
        for device, want in zip(devices, value, strict=True):
            for field, expected in want.items():
                if field == "device":
                    continue
                elif field == "type":
                    assert device.type == expected
                elif field == "hwaddr":
                    assert device.mac == mac(expected)
                elif field == "mtu":
                    assert device.mtu == expected
                elif field == "state":
                    code, words = expected.split(" ", 1)
                    assert device.state_code == int(code)
                    assert device.state_text == words.strip("()")
                    assert device.state.value == words.strip("()")
                elif field == "connection":
                    assert device.connection == expected
                elif field in ("ip4_addresses", "ip6_addresses"):
                    assert list(getattr(device, field)) == [ip_interface(a) for a in expected]
                elif field in ("ip4_gateway", "ip6_gateway"):
                    want_gw = None if expected is None else ip_address(expected)
                    assert getattr(device, field) == want_gw
                elif field in ("ip4_dns", "ip6_dns"):
                    assert list(getattr(device, field)) == [ip_address(a) for a in expected]
                elif field == "ip4_domain":
                    assert list(device.ip4_domains) == expected
                else:
                    _unknown(f"devices.{field}")


# --- route print -----------------------------------------------------------------------------


def _check_windows_route(route: WindowsRoute, want: dict[str, Any]) -> None:
    for field, expected in want.items():
        if field in ("destination", "network"):
            assert str(route.destination.network_address) == expected
        elif field == "netmask":
            assert str(route.destination.netmask) == expected
        elif field == "gateway":
            if expected == "On-link":
                assert route.on_link
            else:
                assert route.gateway == ip_address(expected)
        elif field == "interface":
            assert route.interface == ip_address(expected)
        elif field == "metric":
            assert route.metric == expected
        else:
            _unknown(f"route.{field}")


def check_route_print(case: RealCase) -> None:
    result = parse_route_print(case.text)
    v4_active = [r for r in result.routes if r.family == 4]
    for key, value in case.expected.items():
        if key == "interface_list_count":
            assert len(result.interfaces) == value
        elif key == "default_route":
            defaults = result.default_routes(4)
            assert len(defaults) == 1
            _check_windows_route(defaults[0], value)
        elif key == "ipv4_active_routes_count":
            assert len(v4_active) == value
        elif key == "persistent_ipv4":
            persistent = [r for r in result.persistent_routes if r.family == 4]
            assert len(persistent) == len(value)
            for route, want in zip(persistent, value, strict=True):
                _check_windows_route(route, want)
        elif key == "ipv6_persistent":
            assert value == "None"
            assert [r for r in result.persistent_routes if r.family == 6] == []
        elif key == "persistent_routes":
            assert value == "None"
            assert result.persistent_routes == ()
        elif key == "sample_route":
            matches = [
                r
                for r in v4_active
                if str(r.destination.network_address) == value["destination"]
                and str(r.destination.netmask) == value["netmask"]
                and str(r.interface) == value["interface"]
            ]
            assert len(matches) == 1
            _check_windows_route(matches[0], value)
        elif key == "interfaces":
            for want in value:
                entry = _one(list(result.interfaces), "interface", index=want["index"])
                assert entry.mac == (None if want["mac"] is None else mac(want["mac"]))
                assert entry.description == want["description"]
        else:
            _unknown(key)


# --- scutil --dns ----------------------------------------------------------------------------


def _check_resolver(resolver: Resolver, want: dict[str, Any]) -> None:
    for field, expected in want.items():
        if field == "number":
            assert resolver.number == expected
        elif field == "nameservers":
            assert list(resolver.nameservers) == [ip_address(a) for a in expected]
        elif field == "search_domains":
            assert list(resolver.search_domains) == expected
        elif field == "domain":
            assert resolver.domain == expected
        elif field == "if_index":
            assert resolver.if_index == expected
        elif field == "interface":
            assert resolver.interface == expected
        elif field == "flags":
            assert resolver.flags == tuple(f.strip() for f in expected.split(","))
        elif field == "reachable":
            assert resolver.reachable is expected
        elif field == "order":
            assert resolver.order == expected
        else:
            _unknown(f"resolver.{field}")


def check_scutil_dns(case: RealCase) -> None:
    result = parse_scutil_dns(case.text)
    for key, value in case.expected.items():
        if key == "resolvers":
            assert len(result.resolvers) == value
        elif key == "default_resolver":
            assert result.default_resolver is not None
            _check_resolver(result.default_resolver, value)
        elif key == "supplemental":
            for want in value:
                resolver = _one(list(result.resolvers), "resolver", number=want["number"])
                assert resolver.supplemental
                _check_resolver(resolver, want)
        elif key == "mdns_resolvers":
            assert len([r for r in result.resolvers if r.mdns]) == value
        elif key == "scoped_resolvers":
            assert len(result.scoped_resolvers) == len(value)
            for resolver, want in zip(result.scoped_resolvers, value, strict=True):
                assert resolver.scoped
                _check_resolver(resolver, want)
        else:
            _unknown(key)


CHECKS: dict[str, Callable[[RealCase], None]] = {
    "arp-a": check_arp_a,
    "ip-j-addr": check_ip_addr,
    "ip-neigh": check_ip_neigh,
    "ip-route": check_ip_route,
    "ipconfig-all": check_ipconfig,
    "lpstat-v": check_lpstat,
    "netstat-rn": check_netstat_rn,
    "nmcli-dev-show": check_nmcli,
    "route-print": check_route_print,
    "scutil-dns": check_scutil_dns,
}


@pytest.mark.parametrize(("command", "name"), real_case_params(COMMANDS))
def test_real_output_is_read_as_expected(command: str, name: str | None) -> None:
    case = load_real_case(command, name)
    assert case.expected, f"{command}/{name}: meta file has no expectations"
    CHECKS[command](case)
