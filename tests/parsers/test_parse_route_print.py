"""``route print`` in German and French, without a default route, several, and truncated."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, ip_network

import pytest

from homediag.net.errors import ParseError
from homediag.net.os.route_print import InterfaceListEntry, parse_route_print
from tests.parsers.real_outputs import own_fixture


def test_german_on_link_words_persistent_default_metric_and_wrapped_ipv6() -> None:
    result = parse_route_print(own_fixture("route-print", "de-DE.txt"))
    assert result.interfaces == (
        InterfaceListEntry(11, "02:00:5e:00:53:01", "Intel(R) Ethernet Connection I219-V"),
        InterfaceListEntry(14, "00:00:00:00:00:00:00:e0", "Microsoft ISATAP Adapter #2"),
        InterfaceListEntry(1, None, "Software Loopback Interface 1"),
    )
    (default,) = result.default_routes(4)
    assert (default.gateway, default.interface, default.metric) == (
        IPv4Address("192.0.2.1"),
        IPv4Address("192.0.2.10"),
        25,
    )
    on_link = [r for r in result.routes if r.family == 4 and r.on_link]
    assert len(on_link) == 3  # "Auf Verbindung"
    assert [(str(r.destination), r.gateway, r.metric) for r in result.persistent_routes] == [
        ("0.0.0.0/0", IPv4Address("192.0.2.254"), None),  # metric "Standard"
        ("203.0.113.0/24", IPv4Address("192.0.2.253"), 5),
    ]
    v6 = [r for r in result.routes if r.family == 6]
    assert [(str(r.destination), r.gateway, r.interface_index) for r in v6] == [
        ("::/0", IPv6Address("fe80::1"), 11),
        ("::1/128", None, 1),
        ("2001:db8:0:1:24b4:9398:1a69:664/128", None, 11),
        ("fe80::/64", None, 11),
    ]
    assert [r.gateway for r in result.default_routes(6)] == [IPv6Address("fe80::1")]


def test_french() -> None:
    result = parse_route_print(own_fixture("route-print", "fr-FR.txt"))
    assert [r.gateway for r in result.default_routes()] == [IPv4Address("198.51.100.1")]
    assert [(r.gateway, r.metric) for r in result.persistent_routes] == [
        (IPv4Address("198.51.100.9"), None)  # "Par défaut"
    ]
    assert len([r for r in result.routes if r.family == 6]) == 2


def test_no_default_route() -> None:
    result = parse_route_print(own_fixture("route-print", "no-default.txt"))
    assert result.default_routes() == []
    assert ip_network("169.254.0.0/16") in [r.destination for r in result.routes]


def test_several_defaults_lowest_metric_first_and_cut_rows_dropped() -> None:
    result = parse_route_print(own_fixture("route-print", "several-defaults-truncated.txt"))
    assert [(r.gateway, r.metric) for r in result.default_routes()] == [
        (IPv4Address("192.0.2.1"), 25),
        (IPv4Address("198.51.100.1"), 35),
    ]
    destinations = [str(r.destination) for r in result.routes]
    assert "198.51.100.0/24" not in destinations  # its interface column was cut
    assert destinations[-1] == "::/0"  # the IPv6 row cut before its gateway is dropped
    assert result.persistent_routes == ()


def test_empty_and_garbage() -> None:
    assert parse_route_print("").routes == ()
    with pytest.raises(ParseError):
        parse_route_print("The requested operation requires elevation.")
