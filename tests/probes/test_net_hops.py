"""The router at hop 2 (net.nat's upstream router): ICMP answers parsed from crafted packets, the Linux
error-queue record, and real paths through two routers in network namespaces, with and without root."""

from __future__ import annotations

import asyncio
import socket
import struct

import pytest

from homediag.net.hops import (
    ICMP_TIME_EXCEEDED,
    HopAnswer,
    HopResult,
    hop_request,
    parse_extended_error,
    parse_icmp_answer,
)
from homediag.probes.net import nat
from homediag.probes.net.nat import NatProbe
from homediag.testing import run_probe
from tests.netns import Topology, require_netns

TARGET = "203.0.113.10"
ROUTER = "192.0.2.1"
IDENT = 0x4D2


def ipv4(src: str, dst: str, payload: bytes, proto: int = 1) -> bytes:
    header = struct.pack(
        "!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0, 64, proto, 0,
        socket.inet_aton(src), socket.inet_aton(dst),
    )
    return header + payload


def time_exceeded(router: str, quoted_dst: str, ident: int, seq: int) -> bytes:
    ours = ipv4("198.51.100.2", quoted_dst, hop_request(ident, seq)[:8])
    icmp = struct.pack("!BBHI", ICMP_TIME_EXCEEDED, 0, 0, 0) + ours
    return ipv4(router, "198.51.100.2", icmp)


def echo_reply(source: str, ident: int, seq: int) -> bytes:
    return ipv4(source, "198.51.100.2", struct.pack("!BBHHH", 0, 0, 0, ident, seq) + b"homediag-hop")


ANSWERS = [
    ("time exceeded quoting our request", time_exceeded(ROUTER, TARGET, IDENT, 2),
     (HopAnswer(ROUTER, False), 2)),
    ("the target's echo reply", echo_reply(TARGET, IDENT, 1), (HopAnswer(TARGET, True), 1)),
    ("someone else's request", time_exceeded(ROUTER, TARGET, IDENT + 1, 2), None),
    ("our id towards another target", time_exceeded(ROUTER, "203.0.113.99", IDENT, 2), None),
    ("an echo reply from another host", echo_reply("203.0.113.99", IDENT, 1), None),
    ("truncated quote", time_exceeded(ROUTER, TARGET, IDENT, 2)[:40], None),
    ("not IPv4", b"\x60" + bytes(60), None),
    ("empty", b"", None),
]


@pytest.mark.parametrize(("case", "packet", "expected"), ANSWERS, ids=[a[0] for a in ANSWERS])
def test_icmp_answers(case: str, packet: bytes, expected: tuple[HopAnswer, int] | None) -> None:
    assert parse_icmp_answer(packet, IDENT, TARGET) == expected


def test_extended_error_names_the_offending_router() -> None:
    record = struct.pack("=IBBBBII", 113, 2, ICMP_TIME_EXCEEDED, 0, 0, 0, 0)
    offender = struct.pack("=H", socket.AF_INET) + b"\x00\x00" + socket.inet_aton(ROUTER) + bytes(8)
    assert parse_extended_error(record + offender) == (2, ICMP_TIME_EXCEEDED, 0, ROUTER)
    assert parse_extended_error(record) == (2, ICMP_TIME_EXCEEDED, 0, None)
    assert parse_extended_error(record[:10]) is None


def test_without_a_gateway_nothing_is_sent() -> None:
    outcome = asyncio.run(
        run_probe(NatProbe, facts={"upnp.igd_present": False, "interface.subnet": None, "gateway.ipv4": None},
                  args={"public_ip": False})
    )
    assert outcome.value("nat.upstream_address") is None
    assert outcome.value("nat.upstream_class") is None
    assert "no default gateway" in (outcome.observations("nat.upstream_address")[0].evidence or "")


def two_routers(topo: Topology, upstream_lan: str) -> str:
    """client - home router - upstream router - internet; the upstream router's LAN is
    ``upstream_lan`` (x.y.z.0/24: .1 upstream, .2 home). Returns the client namespace."""
    client, home, upstream, internet = topo.add_ns("c"), topo.add_ns("h"), topo.add_ns("u"), topo.add_ns("i")
    net = upstream_lan.rsplit(".", 1)[0]
    topo.link(client, home, ["198.51.100.2/24"], ["198.51.100.1/24"])
    topo.link(home, upstream, [f"{net}.2/24"], [f"{net}.1/24"])
    topo.link(upstream, internet, ["203.0.113.1/24"], [f"{TARGET}/24"])
    for router in (home, upstream):
        topo.run(router, ["sysctl", "-qw", "net.ipv4.ip_forward=1"])
    topo.run(client, ["ip", "route", "add", "default", "via", "198.51.100.1"])
    topo.run(home, ["ip", "route", "add", "default", "via", f"{net}.1"])
    topo.run(upstream, ["ip", "route", "add", "198.51.100.0/24", "via", f"{net}.2"])
    topo.run(internet, ["ip", "route", "add", "default", "via", "203.0.113.1"])
    return client


CLIENT_FACTS = {
    "upnp.igd_present": False,
    "interface.subnet": "198.51.100.0/24",
    "gateway.ipv4": "198.51.100.1",
}
PATHS = [("double NAT", "192.168.178.0", "private"), ("carrier NAT", "100.80.12.0", "cgnat")]


@pytest.mark.parametrize("privileged", [True, False], ids=["raw-icmp", "udp-recverr"])
@pytest.mark.parametrize(("case", "lan", "klass"), PATHS, ids=[p[0] for p in PATHS])
def test_real_path_in_namespaces(case: str, lan: str, klass: str, privileged: bool) -> None:
    require_netns()
    with Topology() as topo:
        client = two_routers(topo, lan)
        result = topo.run_probe(
            client, "homediag.probes.net.nat:NatProbe",
            args={"public_ip": False},
            facts=CLIENT_FACTS,
            config={"internet": {"ping_targets": [TARGET]}},
            privileged=privileged,
        )
    values, evidence = result["values"], result["evidence"]
    assert isinstance(values, dict) and isinstance(evidence, dict)
    assert result["outcome"] == "ok", result
    assert values[("nat.upstream_address", "local")] == lan.rsplit(".", 1)[0] + ".1"
    assert values[("nat.upstream_class", "local")] == klass
    method = "raw ICMP" if privileged else "UDP (IP_RECVERR)"
    assert method in evidence[("nat.upstream_address", "local")]
    # the whole path: the target (public) answers at hop 3, after the private or shared hop 2
    assert values[("nat.first_public_hop", "local")] == 3
    assert "2 " + klass in evidence[("nat.first_public_hop", "local")]
    extra = values[("nat.hop2_extra_ms", "local")]
    assert (extra is not None) is privileged  # timed with raw ICMP only


PATH_CASES = [
    ("cable: provider's private core", ["192.0.2.1", "10.253.0.1", "198.51.100.9"], 3),
    ("double NAT then a private core", ["192.0.2.1", "192.168.178.1", "10.0.0.1", None, "198.51.100.9"], 5),
    ("public at once", ["192.0.2.1", "198.51.100.9"], 2),
    ("nothing public in reach", ["192.0.2.1", "10.0.0.1", "100.64.0.1", None, None], None),
]


@pytest.mark.parametrize(("case", "addresses", "first"), PATH_CASES, ids=[c[0] for c in PATH_CASES])
def test_first_public_hop(case: str, addresses: list[str | None], first: int | None) -> None:
    hops = [HopResult(a) for a in addresses]
    assert nat._first_public(hops)[0] == first


def test_hop_2_beyond_the_gateway_in_milliseconds() -> None:
    gateway, far, near = HopResult("192.0.2.1", rtt_ms=0.4), HopResult("10.0.0.1", rtt_ms=9.1), HopResult(
        "192.168.178.1", rtt_ms=0.7
    )
    assert nat._hop2_extra(gateway, far)[0] == 8.7
    assert nat._hop2_extra(gateway, near)[0] == 0.3
    assert nat._hop2_extra(HopResult("192.0.2.1"), far)[0] is None  # not timed (no raw ICMP)
    assert nat._hop2_extra(gateway, HopResult("198.51.100.9", reached=True, rtt_ms=5.0))[0] is None


def test_a_provider_line_puts_hop_2_milliseconds_beyond_the_gateway() -> None:
    # A second box in the home answers within about 1 ms of the gateway; a provider's first router is
    # a line away. 4 ms each way on the home router's WAN link stand for the line here.
    require_netns()
    with Topology() as topo:
        client = two_routers(topo, "10.253.0.0")
        home = topo.ns("h")
        route = topo.run(home, ["ip", "-o", "route", "get", "10.253.0.1"]).stdout
        wan_if = route.split(" dev ")[1].split()[0]
        netem = ["tc", "qdisc", "add", "dev", wan_if, "root", "netem", "delay", "4ms"]
        added = topo.run(home, netem, check=False)
        if added.returncode != 0:
            pytest.skip(f"tc netem is not available: {added.stderr.strip()}")
        result = topo.run_probe(
            client, "homediag.probes.net.nat:NatProbe",
            args={"public_ip": False},
            facts=CLIENT_FACTS,
            config={"internet": {"ping_targets": [TARGET]}},
            privileged=True,
        )
    values = result["values"]
    assert isinstance(values, dict), result
    extra = values[("nat.hop2_extra_ms", "local")]
    assert isinstance(extra, float) and extra >= 3.5, result["evidence"]


def test_a_target_two_hops_away_is_reported_as_reached() -> None:
    require_netns()
    with Topology() as topo:
        client, router, internet = topo.add_ns("c"), topo.add_ns("r"), topo.add_ns("i")
        topo.link(client, router, ["198.51.100.2/24"], ["198.51.100.1/24"])
        topo.link(router, internet, ["203.0.113.1/24"], [f"{TARGET}/24"])
        topo.run(router, ["sysctl", "-qw", "net.ipv4.ip_forward=1"])
        topo.run(client, ["ip", "route", "add", "default", "via", "198.51.100.1"])
        topo.run(internet, ["ip", "route", "add", "default", "via", "203.0.113.1"])
        result = topo.run_probe(
            client, "homediag.probes.net.nat:NatProbe",
            args={"public_ip": False},
            facts=CLIENT_FACTS,
            config={"internet": {"ping_targets": [TARGET]}},
            privileged=True,
        )
    values, evidence = result["values"], result["evidence"]
    assert isinstance(values, dict) and isinstance(evidence, dict)
    assert values[("nat.upstream_address", "local")] == TARGET
    assert "target answered" in evidence[("nat.upstream_address", "local")]
