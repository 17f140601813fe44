"""``ip -j addr`` and ``ip neigh``: states, flags, APIPA, truncation."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Interface, IPv6Address

import pytest

from homediag.net.errors import ParseError
from homediag.net.os.ip_addr import OperState, parse_ip_addr, parse_ip_addr_json
from homediag.net.os.ip_neigh import NeighbourState, parse_ip_neigh
from tests.parsers.real_outputs import own_fixture


def _by_name(text: str) -> dict:
    return {interface.name: interface for interface in parse_ip_addr_json(text)}


def test_interfaces_states_and_addresses() -> None:
    interfaces = _by_name(own_fixture("ip-j-addr", "multi.txt"))
    assert list(interfaces) == ["lo", "eth0", "wlan0", "eth1", "wg0"]
    lo, eth0, wlan0, eth1, wg0 = interfaces.values()
    assert lo.is_loopback and lo.mac is None
    assert eth0.operstate is OperState.UP and eth0.is_up and eth0.has_carrier
    assert eth0.mac == "02:00:5e:00:53:01"
    assert eth0.ipv4 == (IPv4Interface("192.0.2.10/24"),)
    v4 = eth0.addresses[0]
    assert v4.dynamic and v4.valid_lifetime_s == 85996
    assert v4.broadcast == IPv4Address("192.0.2.255")
    temporary = [a for a in eth0.addresses if a.temporary]
    assert [str(a.address) for a in temporary] == ["2001:db8::a1b2"]
    assert temporary[0].deprecated
    assert eth0.addresses[-1].valid_lifetime_s is None  # forever
    # Wi-Fi up but no carrier
    assert wlan0.is_up and not wlan0.has_carrier and wlan0.operstate is OperState.DOWN
    assert wlan0.addresses == ()
    # self-assigned address and a failed duplicate address detection
    assert eth1.addresses[0].address.is_link_local
    assert eth1.addresses[1].dad_failed and eth1.addresses[1].tentative
    # point-to-point tunnel
    assert wg0.kind == "wireguard" and wg0.mac is None
    assert wg0.addresses[0].peer == IPv4Address("198.51.100.1")


def test_truncated_json_keeps_whole_interfaces() -> None:
    names = [i.name for i in parse_ip_addr(own_fixture("ip-j-addr", "truncated.txt"))]
    assert names == ["lo", "eth0", "wlan0"]


def test_empty_array_and_empty_text() -> None:
    assert parse_ip_addr_json(own_fixture("ip-j-addr", "empty-array.txt")) == []
    assert parse_ip_addr_json("") == []


@pytest.mark.parametrize("text", ["ip: command not found", '{"ifindex": 1}', "[" * 100_000])
def test_not_json_array_raises(text: str) -> None:
    with pytest.raises(ParseError):
        parse_ip_addr_json(text)


def test_entries_with_wrong_types_are_skipped() -> None:
    text = (
        '[{"ifindex":"1","ifname":"lo"},{"ifindex":2,"ifname":"eth0","addr_info":[{"local":7}]},3]'
    )
    (only,) = parse_ip_addr_json(text)
    assert only.name == "eth0" and only.addresses == ()


def test_neighbour_states_flags_and_cut_line() -> None:
    neighbours = parse_ip_neigh(own_fixture("ip-neigh", "states.txt"))
    table = {str(n.ip): n for n in neighbours}
    assert "192.0.2.50" not in table  # the last line was cut inside the MAC
    assert table["192.0.2.1"].states == {NeighbourState.REACHABLE}
    assert table["192.0.2.1"].answered
    assert table["192.0.2.9"].mac is None and not table["192.0.2.9"].answered
    assert table["192.0.2.9"].states == {NeighbourState.FAILED}
    assert table["192.0.2.11"].states == {NeighbourState.INCOMPLETE}
    assert table["192.0.2.20"].states == {NeighbourState.PERMANENT}
    router = table["fe80::200:5eff:fe00:5301"]
    assert router.router and router.mac == "02:00:5e:00:53:01"
    assert table["198.51.100.1"].states == {NeighbourState.STALE}  # "used ... probes" skipped
    assert table["198.51.100.1"].dev == "wlan0"


def test_neighbours_without_dev() -> None:
    neighbours = parse_ip_neigh(own_fixture("ip-neigh", "dev-filtered.txt"))
    assert [(n.dev, n.mac) for n in neighbours] == [
        (None, "02:00:5e:00:53:01"),
        (None, "02:00:5e:00:53:07"),
    ]


def test_neighbours_json() -> None:
    neighbours = parse_ip_neigh(own_fixture("ip-neigh", "json.txt"))
    assert [(str(n.ip), n.router, n.states) for n in neighbours] == [
        ("192.0.2.1", False, {NeighbourState.REACHABLE}),
        ("fe80::200:5eff:fe00:5301", True, {NeighbourState.STALE}),
        ("192.0.2.9", False, {NeighbourState.FAILED}),
    ]
    assert neighbours[1].ip == IPv6Address("fe80::200:5eff:fe00:5301")


def test_neighbour_garbage() -> None:
    assert parse_ip_neigh("") == []
    with pytest.raises(ParseError):
        parse_ip_neigh('Object "neighbour" is unknown, try "ip help".')
