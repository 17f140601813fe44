"""macOS and BSD: ``netstat -rn`` and ``scutil --dns``."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network

import pytest

from homediag.net.errors import ParseError
from homediag.net.os.netstat_rn import bsd_destination, default_routes, parse_netstat_rn
from homediag.net.os.scutil_dns import parse_scutil_dns
from tests.parsers.real_outputs import own_fixture


@pytest.mark.parametrize(
    ("text", "family", "network"),
    [
        ("default", 4, "0.0.0.0/0"),
        ("default", 6, "::/0"),
        ("127", 4, "127.0.0.0/8"),
        ("169.254", 4, "169.254.0.0/16"),
        ("192.0.2", 4, "192.0.2.0/24"),
        ("10.0.2/23", 4, "10.0.2.0/23"),
        ("192.0.2.7", 4, "192.0.2.7/32"),
        ("fe80::%en0/64", 6, "fe80::/64"),
        ("fe80::1%lo0", 6, "fe80::1/128"),
    ],
)
def test_bsd_shorthand_destinations(text: str, family: int, network: str) -> None:
    assert bsd_destination(text, family) == ip_network(network)


@pytest.mark.parametrize("text", ["1.2.3.4.5", "link#4", "300.1", ""])
def test_bsd_destination_garbage(text: str) -> None:
    assert bsd_destination(text, 4) is None


def test_macos_vpn_defaults_and_cloned_routes() -> None:
    routes = parse_netstat_rn(own_fixture("netstat-rn", "macos-modern-vpn.txt"))
    v4 = default_routes(routes, 4)
    # the link#17 utun default has no gateway address; the unscoped en0 default comes first
    assert [(r.gateway, r.flags) for r in v4] == [
        (IPv4Address("192.0.2.1"), "UGScg"),
        (IPv4Address("192.0.2.1"), "UGScIg"),
    ]
    utun = [r for r in routes if r.is_default and r.interface == "utun3"]
    assert utun[0].gateway_link == "link#17"
    cloned = [r for r in routes if r.destination_text == "192.0.2.1" and r.gateway_mac]
    assert cloned[0].gateway_mac == "00:00:5e:00:53:01" and cloned[0].expire_s == 1177
    v6 = default_routes(routes, 6)
    assert [r.interface for r in v6] == ["en0", "utun0"]  # unscoped before interface-scoped
    assert v6[0].gateway == IPv6Address("fe80::200:5eff:fe00:5301%en0")
    assert len([r for r in routes if r.family == 6]) == 7


def test_freebsd() -> None:
    routes = parse_netstat_rn(own_fixture("netstat-rn", "freebsd.txt"))
    (default,) = default_routes(routes)
    assert (default.gateway, default.interface) == (IPv4Address("192.0.2.1"), "em0")
    assert ip_network("::/96") in [r.destination for r in routes]


def test_no_default_route() -> None:
    routes = parse_netstat_rn(own_fixture("netstat-rn", "no-default.txt"))
    assert default_routes(routes) == []
    assert len(routes) == 3


def test_netstat_garbage() -> None:
    assert parse_netstat_rn("") == []
    with pytest.raises(ParseError):
        parse_netstat_rn("netstat: sysctl: net.route.0.0.dump: Operation not permitted")
    with pytest.raises(ParseError):
        parse_netstat_rn("Routing tables\n\nInternet:\nDestination Gateway Flags\n")


def test_scutil_home_network() -> None:
    result = parse_scutil_dns(own_fixture("scutil-dns", "home.txt"))
    default = result.default_resolver
    assert default is not None and default.number == 1
    assert result.nameservers == (ip_address("192.0.2.1"), ip_address("2001:db8:1::1"))
    assert default.search_domains == ("home.example",)
    assert default.reachable is True
    mdns, corp = result.resolvers[1:]
    assert mdns.mdns and mdns.supplemental and mdns.timeout_s == 5
    assert corp.domain == "corp.example" and corp.port == 5353 and corp.reachable is False
    (scoped,) = result.scoped_resolvers
    assert scoped.scoped and scoped.interface == "en0" and scoped.if_index == 6


def test_scutil_unreachable_and_empty() -> None:
    result = parse_scutil_dns(own_fixture("scutil-dns", "unreachable-server.txt"))
    assert result.default_resolver is not None
    assert result.default_resolver.reachable is False
    empty = parse_scutil_dns(own_fixture("scutil-dns", "no-configuration.txt"))
    assert empty.resolvers == () and empty.default_resolver is None and empty.nameservers == ()
    with pytest.raises(ParseError):
        parse_scutil_dns("scutil: command not found")
