"""``ip route`` / ``ip -j route``: defaults, families, multipath, route types, bad lines."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, ip_network

import pytest

from homediag.net.errors import ParseError
from homediag.net.os.ip_route import (
    NextHop,
    RouteType,
    default_routes,
    parse_ip_route,
    parse_ip_route_json,
)
from tests.parsers.real_outputs import own_fixture


def test_empty_output_is_an_empty_table() -> None:
    assert parse_ip_route(own_fixture("ip-route", "empty.txt")) == []


def test_several_default_routes_lowest_metric_first() -> None:
    routes = parse_ip_route(own_fixture("ip-route", "several-defaults.txt"))
    defaults = default_routes(routes)
    assert [(str(r.gateway), r.dev, r.metric) for r in defaults] == [
        ("192.0.2.1", "eth0", 100),
        ("198.51.100.1", "wlan0", 600),
    ]
    assert defaults[0].source == IPv4Address("192.0.2.10")
    assert defaults[0].protocol == "dhcp"


def test_no_default_route_and_linkdown() -> None:
    routes = parse_ip_route(own_fixture("ip-route", "no-default.txt"))
    assert default_routes(routes) == []
    assert routes[0].linkdown
    assert routes[0].metric == 0  # omitted metric is the kernel's 0


def test_ipv6_routes_default_family_from_gateway_or_pref() -> None:
    routes = parse_ip_route(own_fixture("ip-route", "ipv6.txt"))
    defaults = default_routes(routes, family=6)
    assert [(r.gateway, r.dev) for r in defaults] == [
        (IPv6Address("fe80::200:5eff:fe00:5301"), "eth0"),
        (None, "wg0"),  # "default dev wg0 ... pref medium": IPv6 by its router preference
    ]
    assert defaults[0].expires_s == 1788
    assert defaults[0].mtu == 1492
    assert defaults[0].preference == "medium"
    assert default_routes(routes, family=4) == []


def test_ipv6_hint_for_bare_default() -> None:
    (route,) = parse_ip_route("default dev ppp0 scope link", ipv6=True)
    assert route.destination == ip_network("::/0")
    (route,) = parse_ip_route("default dev ppp0 scope link")
    assert route.destination == ip_network("0.0.0.0/0")


def test_multipath_default_route_keeps_its_next_hops() -> None:
    routes = parse_ip_route(own_fixture("ip-route", "multipath.txt"))
    (default,) = default_routes(routes)
    assert default.gateway is None
    assert default.nexthops == (
        NextHop(IPv4Address("192.0.2.1"), "eth0", 1),
        NextHop(IPv4Address("198.51.100.1"), "eth1", 2, frozenset({"linkdown"})),
    )
    assert default.gateways == (IPv4Address("192.0.2.1"), IPv4Address("198.51.100.1"))
    assert len(routes) == 2


@pytest.mark.parametrize(
    ("destination", "route_type", "table"),
    [
        ("127.0.0.0/8", RouteType.LOCAL, "local"),
        ("192.0.2.255/32", RouteType.BROADCAST, "local"),
        ("192.0.2.10/32", RouteType.LOCAL, "local"),
        ("203.0.113.0/24", RouteType.UNREACHABLE, None),
        ("198.51.100.0/24", RouteType.BLACKHOLE, None),
    ],
)
def test_route_types_of_table_all(destination: str, route_type: RouteType, table: str) -> None:
    routes = parse_ip_route(own_fixture("ip-route", "table-all.txt"))
    (route,) = [r for r in routes if r.destination == ip_network(destination)]
    assert route.type is route_type
    assert route.table == table
    assert [r.gateway for r in default_routes(routes)] == [IPv4Address("192.0.2.1")]


def test_garbage_and_cut_lines_are_skipped() -> None:
    routes = parse_ip_route(own_fixture("ip-route", "garbage-and-truncated.txt"))
    assert [str(r.destination) for r in routes] == ["0.0.0.0/0", "192.0.2.0/24"]


def test_json_output() -> None:
    routes = parse_ip_route(own_fixture("ip-route", "json.txt"))
    assert routes == parse_ip_route_json(own_fixture("ip-route", "json.txt"))
    # the multipath default (metric 50) wins over the plain one (metric 100)
    assert [r.gateway for r in default_routes(routes, 4)] == [None, IPv4Address("192.0.2.1")]
    assert default_routes(routes, 4)[0].nexthops[0].gateway == IPv4Address("198.51.100.1")
    assert routes[1].linkdown
    assert routes[2].type is RouteType.UNREACHABLE
    assert [r.gateway for r in default_routes(routes, 6)] == [IPv6Address("fe80::1")]


@pytest.mark.parametrize(
    "text",
    ["not a route table", "default via", "[1, 2", "{}", "[[[[[[[[[[" * 1000],
    ids=["words", "cut-keyword", "cut-json", "json-object", "deep-json"],
)
def test_unreadable_output_raises_parse_error(text: str) -> None:
    with pytest.raises(ParseError):
        parse_ip_route(text)
