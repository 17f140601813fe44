"""net.ipv6: recorded route tables and ping output, and a namespace whose router advertises a prefix
(dnsmasq) in front of an IPv6 "internet" that answers, or drops everything."""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from pathlib import Path

import pytest

from homediag.core.config import parse_config
from homediag.core.probe import CommandResult
from homediag.core.spec import Platform
from homediag.probes.net.ipv6 import Ipv6Probe, global_addresses
from homediag.testing import run_probe
from tests.netns import Topology, require_netns

ROUTES = Path(__file__).parent.parent / "parsers" / "fixtures" / "ip-6-route"
TARGET = "2001:db8:2::10"
CONFIG = parse_config(json.dumps({"internet": {"ipv6_targets": [TARGET]}}))
PING6 = """PING 2001:db8:2::10(2001:db8:2::10) 56 data bytes
64 bytes from 2001:db8:2::10: icmp_seq=1 ttl=63 time=0.079 ms
64 bytes from 2001:db8:2::10: icmp_seq=2 ttl=63 time=0.070 ms
64 bytes from 2001:db8:2::10: icmp_seq=3 ttl=63 time=0.071 ms

--- 2001:db8:2::10 ping statistics ---
3 packets transmitted, 3 received, 0% packet loss, time 203ms
"""
SILENT6 = """PING 2001:db8:2::10(2001:db8:2::10) 56 data bytes

--- 2001:db8:2::10 ping statistics ---
3 packets transmitted, 0 received, 100% packet loss, time 2030ms
"""
FACTS = {
    "interface.name": "eth0",
    "interface.ipv6": ["2001:db8:1:0:200:5eff:fe00:5310/64", "fe80::200:5eff:fe00:5310/64"],
    "gateway.ipv6": "fe80::200:5eff:fe00:5301",
}


def _run(routes: str, ping: str, facts: dict[str, object] | None = None, **kwargs: object):  # type: ignore[no-untyped-def]
    return asyncio.run(
        run_probe(
            Ipv6Probe,
            facts=facts or FACTS,  # type: ignore[arg-type]
            config=CONFIG,
            commands={
                ("ip", "-6", "route"): (ROUTES / routes).read_text(),
                ("ping",): CommandResult(("ping",), 0 if "ttl" in ping else 1, ping, ""),
            },
            **kwargs,  # type: ignore[arg-type]
        )
    )


def test_working_ipv6_learned_from_router_advertisements() -> None:
    outcome = _run("linux-ra.txt", PING6)
    assert outcome.value("ipv6.has_global") is True
    assert outcome.value("ipv6.global_addresses") == ["2001:db8:1:0:200:5eff:fe00:5310/64"]
    assert outcome.value("ipv6.default_route") is True
    assert outcome.value("ipv6.route_source") == "ra"
    assert outcome.value("ipv6.configured") is True
    assert outcome.value("ipv6.target_ok", f"target:{TARGET}") is True
    assert outcome.value("ipv6.internet_ok") is True


def test_configured_but_broken() -> None:
    outcome = _run("linux-ra.txt", SILENT6)
    assert outcome.value("ipv6.configured") is True
    assert outcome.value("ipv6.internet_ok") is False


def test_no_default_route() -> None:
    outcome = _run("linux-no-default.txt", SILENT6)
    assert outcome.value("ipv6.default_route") is False
    assert outcome.value("ipv6.configured") is False


def test_no_global_address_sends_nothing() -> None:
    facts = {**FACTS, "interface.ipv6": ["fe80::200:5eff:fe00:5310/64", "fd00::5/64"]}
    outcome = _run("linux-ra.txt", PING6, facts=facts)
    assert outcome.value("ipv6.has_global") is False
    assert outcome.value("ipv6.internet_ok") is None  # not measured, never "False"
    assert not any(argv[0] == "ping" for argv in outcome.commands_run)


def test_macos_uses_the_gateway_from_net_interfaces() -> None:
    outcome = _run("linux-ra.txt", PING6, platform=Platform.MACOS)
    assert outcome.value("ipv6.default_route") is True
    assert outcome.value("ipv6.route_source") == "unknown"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["2001:db8::1/64", "fe80::1/64", "fd12::1/48", "::1/128"], ["2001:db8::1/64"]),
        (["garbage", 7, None], []),
        (None, []),
    ],
    ids=["mixed", "garbage", "none"],
)
def test_global_addresses(values: object, expected: list[str]) -> None:
    assert [str(a) for a in global_addresses(values)] == expected


@pytest.mark.parametrize("blocked", [False, True], ids=["reachable", "upstream-drops-ipv6"])
def test_router_advertisements_in_namespaces(blocked: bool) -> None:
    require_netns()
    if shutil.which("dnsmasq") is None:
        pytest.skip("dnsmasq is needed to send router advertisements")
    with Topology() as topo:
        client, router, internet = topo.add_ns("c"), topo.add_ns("r"), topo.add_ns("i")
        client_if, router_if = topo.link(client, router, [], ["2001:db8:1::1/64"])
        topo.link(router, internet, ["2001:db8:2::1/64"], [f"{TARGET}/64"])
        topo.run(router, ["sysctl", "-qw", "net.ipv6.conf.all.forwarding=1"])
        topo.run(internet, ["ip", "-6", "route", "add", "default", "via", "2001:db8:2::1"])
        if blocked:
            topo.run(router, ["nft", "add table ip6 hdt"])
            topo.run(router, ["nft", "add chain ip6 hdt hdtfw { type filter hook forward priority 0; }"])
            topo.run(router, ["nft", "add rule ip6 hdt hdtfw drop"])
        topo.spawn(router, [
            "dnsmasq", "--keep-in-foreground", "--port=0", "--enable-ra", "--conf-file=/dev/null",
            "--dhcp-range=2001:db8:1::,ra-only,64,1h", "--ra-param=*,5,600", "--pid-file=",
            f"--interface={router_if}", "--bind-interfaces", "--leasefile-ro",
        ])
        addresses: list[str] = []
        for _ in range(60):
            shown = json.loads(topo.run(client, ["ip", "-j", "-6", "addr", "show", "dev", client_if]).stdout)
            infos = shown[0].get("addr_info", []) if shown else []
            addresses = [f"{a['local']}/{a['prefixlen']}" for a in infos if not a.get("tentative")]
            route = topo.run(client, ["ip", "-6", "route", "show", "default"]).stdout
            if "default" in route and any(a.startswith("2001:") for a in addresses):
                break
            time.sleep(0.2)
        result = topo.run_probe(client, "homediag.probes.net.ipv6:Ipv6Probe",
            facts={"interface.name": client_if, "interface.ipv6": addresses, "gateway.ipv6": None},
            config={"internet": {"ipv6_targets": [TARGET]}},
        )
    values = result["values"]
    assert isinstance(values, dict)
    assert values[("ipv6.route_source", "local")] == "ra"
    assert values[("ipv6.configured", "local")] is True
    assert values[("ipv6.internet_ok", "local")] is (not blocked)
