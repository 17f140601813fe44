"""net.interfaces on recorded systems (no real interface is read)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from homediag.core.model import Outcome
from homediag.core.spec import Platform
from homediag.probes.net.interfaces import InterfacesProbe, resolvers_from_resolv_conf
from homediag.testing import RecordedSystem, run_probe

LO = {"inet": [{"addr": "127.0.0.1", "netmask": "255.0.0.0"}], "link": [{"addr": "00:00:00:00:00:00"}]}


def home_system(**overrides: object) -> RecordedSystem:
    values: dict[str, object] = {
        "addresses": {
            "lo": LO,
            "eth0": {
                "inet": [{"addr": "192.0.2.10", "netmask": "255.255.255.0"}],
                "inet6": [
                    {"addr": "fe80::200:5eff:fe00:5310%eth0", "netmask": "ffff:ffff:ffff:ffff::/64"},
                    {"addr": "2001:db8::10", "netmask": "ffff:ffff:ffff:ffff::/64"},
                ],
                "link": [{"addr": "00:00:5e:00:53:10"}],
            },
            "wlan0": {"link": [{"addr": "02:00:5e:00:53:11"}]},
        },
        "default_gateways": {"inet": ("192.0.2.1", "eth0"), "inet6": ("fe80::1%eth0", "eth0")},
        "files": {
            "/etc/resolv.conf": (
                "# generated\nsearch example\nnameserver 192.0.2.53\nnameserver 2001:db8::53\n"
            ),
            "/sys/class/net/eth0/operstate": "up\n",
            "/sys/class/net/eth0/carrier": "1\n",
            "/sys/class/net/eth0/device/vendor": "0x8086\n",
            "/sys/class/net/wlan0/operstate": "down\n",
            "/sys/class/net/wlan0/wireless/x": "",
            "/sys/class/net/lo/operstate": "unknown\n",
        },
    }
    values.update(overrides)
    return RecordedSystem(**values)  # type: ignore[arg-type]


def test_the_interface_of_the_default_route() -> None:
    outcome = asyncio.run(run_probe(InterfacesProbe, system=home_system()))
    assert outcome.result.outcome is Outcome.OK
    assert outcome.value("interface.name") == "eth0"
    assert outcome.value("interface.up") is True
    assert outcome.value("interface.kind") == "wired"
    assert outcome.value("interface.mac") == "00:00:5e:00:53:10"
    assert outcome.value("interface.ipv4") == ["192.0.2.10/24"]
    assert outcome.value("interface.ipv6") == ["fe80::200:5eff:fe00:5310/64", "2001:db8::10/64"]
    assert outcome.value("interface.subnet") == "192.0.2.0/24"
    assert outcome.value("interface.apipa") is False
    assert outcome.value("gateway.ipv4") == "192.0.2.1"
    assert outcome.value("gateway.ipv6") == "fe80::1"
    assert outcome.value("dns.resolvers") == ["192.0.2.53", "2001:db8::53"]
    kinds = {i["name"]: i["kind"] for i in outcome.value("interface.all")}  # type: ignore[union-attr]
    assert kinds == {"eth0": "wired", "lo": "loopback", "wlan0": "wireless"}


def test_apipa_only_address() -> None:
    system = home_system()
    system.addresses = {
        **system.addresses,
        "eth0": {"inet": [{"addr": "169.254.17.3", "netmask": "255.255.0.0"}]},
    }
    system.default_gateways = {}
    outcome = asyncio.run(run_probe(InterfacesProbe, system=system, interface="eth0"))
    assert outcome.value("interface.apipa") is True
    assert outcome.value("interface.has_ipv4") is False
    assert outcome.value("interface.subnet") is None
    assert outcome.value("gateway.ipv4") is None


def test_no_default_route_picks_the_first_interface_that_is_up() -> None:
    outcome = asyncio.run(run_probe(InterfacesProbe, system=home_system(default_gateways={})))
    assert outcome.value("interface.name") == "eth0"
    assert outcome.value("gateway.ipv4") is None


def test_a_named_interface_that_does_not_exist_is_an_error() -> None:
    outcome = asyncio.run(run_probe(InterfacesProbe, system=home_system(), interface="eth9"))
    assert outcome.result.outcome is Outcome.ERROR
    assert "eth9" in (outcome.result.reason or "")


def test_resolv_conf_parsing() -> None:
    text = "nameserver 192.0.2.53 # router\nnameserver bogus\nnameserver 192.0.2.53\n; nameserver 192.0.2.9\n"
    assert resolvers_from_resolv_conf(text) == ["192.0.2.53"]


PARSER_FIXTURES = Path(__file__).parent.parent / "parsers" / "fixtures"


def test_linux_os_view_adds_link_state_duplicates_and_default_routes() -> None:
    system = home_system()
    system.addresses = {
        **system.addresses,
        "eth1": {"inet": [{"addr": "169.254.23.5", "netmask": "255.255.0.0"}]},
    }
    outcome = asyncio.run(
        run_probe(
            InterfacesProbe,
            system=system,
            interface="eth1",
            commands={
                ("ip", "-j", "addr"): (PARSER_FIXTURES / "ip-j-addr" / "multi.txt").read_text(),
                ("ip", "-4", "route"): (PARSER_FIXTURES / "ip-route" / "several-defaults.txt").read_text(),
            },
        )
    )
    assert outcome.value("interface.duplicate_address") is True  # dadfailed on eth1's IPv6 address
    assert outcome.value("interface.default_routes") == 2
    assert outcome.value("interface.up") is True


def test_windows_os_view_reads_ipconfig() -> None:
    system = RecordedSystem(
        addresses={
            "{GUID-1}": {
                "inet": [{"addr": "192.0.2.50", "netmask": "255.255.255.0"}],
                "link": [{"addr": "02:00:5e:00:53:05"}],
            }
        },
        default_gateways={"inet": ("192.0.2.1", "{GUID-1}")},
    )
    outcome = asyncio.run(
        run_probe(
            InterfacesProbe,
            system=system,
            platform=Platform.WINDOWS,
            commands={
                ("ipconfig", "/all"): (PARSER_FIXTURES / "ipconfig-all" / "en-US-duplicate.txt").read_text()
            },
        )
    )
    assert outcome.value("interface.duplicate_address") is True
    assert outcome.value("dns.resolvers") == ["192.0.2.53"]
    assert outcome.value("interface.dhcp_enabled") is False
    assert outcome.value("interface.up") is True
