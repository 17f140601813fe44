"""``ip -6 route`` default routes: recorded from a namespace that learned its route by RA (linux-ra) and
written for the multipath, DHCP and no-route cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from homediag.probes.parsers.ip_route import DefaultRoute, parse_default_routes

FIXTURES = Path(__file__).parent / "fixtures" / "ip-6-route"
R1, R2 = "fe80::200:5eff:fe00:5301", "fe80::200:5eff:fe00:5302"

CASES = [
    ("linux-ra.txt", [DefaultRoute(R1, "eth0", "ra", 1024)]),
    (
        "linux-static-multipath.txt",
        [DefaultRoute(R1, "eth0", "static", 1024), DefaultRoute(R2, "eth1", "static", 1024)],
    ),
    ("linux-no-default.txt", []),
    ("linux-dhcp-unreachable.txt", [DefaultRoute(R1, "wlan0", "dhcp", 600)]),
]


@pytest.mark.parametrize(("name", "expected"), CASES, ids=[c[0] for c in CASES])
def test_default_routes(name: str, expected: list[DefaultRoute]) -> None:
    assert parse_default_routes((FIXTURES / name).read_text()) == expected


def test_garbage_gives_no_route() -> None:
    assert parse_default_routes("\x00garbage\nnot a route table\n") == []
