"""``ip -6 route`` default routes: recorded from a namespace that learned its route by RA (linux-ra) and
written for the multipath, DHCP and no-route cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from homediag.net.errors import ParseError
from homediag.net.os.ip_route import DefaultHop, default_route_hops, parse_ip_route

FIXTURES = Path(__file__).parent / "fixtures" / "ip-6-route"
R1, R2 = "fe80::200:5eff:fe00:5301", "fe80::200:5eff:fe00:5302"

CASES = [
    ("linux-ra.txt", [DefaultHop(R1, "eth0", "ra", 1024)]),
    (
        "linux-static-multipath.txt",
        [DefaultHop(R1, "eth0", "static", 1024), DefaultHop(R2, "eth1", "static", 1024)],
    ),
    ("linux-no-default.txt", []),
    ("linux-dhcp-unreachable.txt", [DefaultHop(R1, "wlan0", "dhcp", 600)]),
]


@pytest.mark.parametrize(("name", "expected"), CASES, ids=[c[0] for c in CASES])
def test_default_routes(name: str, expected: list[DefaultHop]) -> None:
    assert default_route_hops(parse_ip_route((FIXTURES / name).read_text(), ipv6=True)) == expected


def test_garbage_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        parse_ip_route("\x00garbage\nnot a route table\n", ipv6=True)
