"""Linux configuration: ``nmcli device show``, resolv.conf and DHCP lease files."""

from __future__ import annotations

from datetime import UTC, datetime
from ipaddress import IPv4Address, IPv4Interface, IPv6Address, ip_network

import pytest

from homediag.net.errors import ParseError
from homediag.net.os.dhcp_leases import (
    LeaseSource,
    latest_by_interface,
    parse_dhclient_leases,
    parse_dnsmasq_leases,
    parse_networkd_lease,
    parse_networkmanager_lease,
)
from homediag.net.os.nmcli_dev_show import NmDeviceState, parse_nmcli_dev_show
from homediag.net.os.resolv_conf import parse_resolv_conf
from tests.parsers.real_outputs import own_fixture


def test_nmcli_german_states_are_read_from_their_numbers() -> None:
    wlan, eth, p2p = parse_nmcli_dev_show(own_fixture("nmcli-dev-show", "de-locale.txt"))
    assert (wlan.state, wlan.state_text, wlan.connected) == (
        NmDeviceState.CONNECTED,
        "verbunden",
        True,
    )
    assert wlan.connection == "Heimnetz 5 GHz"
    assert wlan.ip4_addresses == (IPv4Interface("192.0.2.23/24"),)
    assert wlan.ip4_gateway == IPv4Address("192.0.2.1")
    assert [(str(r.destination), r.next_hop, r.metric) for r in wlan.ip4_routes] == [
        ("0.0.0.0/0", IPv4Address("192.0.2.1"), 600),
        ("192.0.2.0/24", None, 600),
    ]
    assert wlan.ip6_gateway == IPv6Address("fe80::1")
    assert wlan.ip4_domains == ("home.example",)
    assert (eth.state, eth.state_text) == (NmDeviceState.UNAVAILABLE, "nicht verfügbar")
    assert eth.connection is None and eth.ip4_gateway is None
    assert ("WIRED-PROPERTIES.CARRIER", "aus") in eth.extras
    assert p2p.state is NmDeviceState.DISCONNECTED and p2p.mac is None


def test_nmcli_terse_escaped_colons() -> None:
    (wlan,) = parse_nmcli_dev_show(own_fixture("nmcli-dev-show", "terse.txt"))
    assert wlan.mac == "02:00:5e:00:53:01"
    assert wlan.state is NmDeviceState.NEED_AUTH
    assert [str(a) for a in wlan.ip6_addresses] == ["fe80::200:5eff:fe00:5301/64"]
    assert wlan.ip6_routes[0].destination == ip_network("fe80::/64")
    assert wlan.ip6_routes[0].next_hop is None
    assert wlan.ip4_gateway is None


def test_nmcli_garbage() -> None:
    assert parse_nmcli_dev_show("") == []
    with pytest.raises(ParseError):
        parse_nmcli_dev_show("Error: NetworkManager is not running.")


def test_resolv_conf_systemd_stub() -> None:
    conf = parse_resolv_conf(own_fixture("resolv-conf", "systemd-stub.txt"))
    assert conf.nameservers == (IPv4Address("127.0.0.53"),)
    assert conf.uses_local_stub
    assert conf.search == ("home.example",)
    assert conf.options == (("edns0", None), ("trust-ad", None))
    assert conf.timeout_s == 5


def test_resolv_conf_glibc_rules() -> None:
    conf = parse_resolv_conf(own_fixture("resolv-conf", "many.txt"))
    # the bare and the non-address nameserver lines are invalid; the 4th valid one is ignored
    assert [str(ns) for ns in conf.nameservers] == ["192.0.2.53", "2001:db8::53", "fe80::1%eth0"]
    assert conf.ignored_nameservers == (IPv4Address("198.51.100.53"),)
    assert conf.invalid_lines == ("nameserver", "nameserver not-an-address")
    assert conf.search == ("home.example", "corp.example")  # the last of domain/search wins
    assert conf.option("ndots") == "2" and conf.timeout_s == 3
    assert conf.option("rotate") is None and ("rotate", None) in conf.options
    assert conf.sortlist == ("192.0.2.0/255.255.255.0",)
    assert not conf.uses_local_stub


def test_resolv_conf_empty_and_garbage() -> None:
    assert parse_resolv_conf(own_fixture("resolv-conf", "empty.txt")).nameservers == ()
    with pytest.raises(ParseError):
        parse_resolv_conf("<html>not a resolv.conf</html>")


def test_dhclient_leases_latest_per_interface_and_cut_lease() -> None:
    leases = parse_dhclient_leases(own_fixture("dhcp-leases", "dhclient.leases"))
    assert [(lease.interface, str(lease.address)) for lease in leases] == [
        ("eth0", "192.0.2.10"),
        ("eth0", "192.0.2.11"),
        ("eth0", "2001:db8::5"),
    ]  # the wlan0 lease was cut off: dropped
    latest = parse_dhclient_leases(own_fixture("dhcp-leases", "dhclient.leases"))[1]
    assert latest.source is LeaseSource.DHCLIENT
    assert latest.interface_address == IPv4Interface("192.0.2.11/24")
    assert latest.routers == (IPv4Address("192.0.2.1"), IPv4Address("192.0.2.2"))
    assert latest.dns_servers == (IPv4Address("192.0.2.1"), IPv4Address("198.51.100.53"))
    assert latest.search_domains == ("home.example", "corp.example")
    assert latest.hostname == "laptop" and latest.lease_time_s == 86400
    assert latest.renew == datetime(2024, 1, 17, 3, 12, 45, tzinfo=UTC)
    assert latest.expire == datetime(2024, 1, 18, 6, 40, 22, tzinfo=UTC)  # "epoch" form
    assert latest.expired(datetime(2024, 1, 19, tzinfo=UTC)) is True
    assert ("ntp-servers", "192.0.2.1") in latest.options
    v6 = leases[2]
    assert v6.dns_servers == (IPv6Address("2001:db8::53"),)
    assert v6.expire == datetime.fromtimestamp(1705374765 + 7200, UTC)
    assert latest_by_interface(leases)["eth0"] is v6


@pytest.mark.parametrize(
    "text",
    ['lease { interface "eth0 }', "lease {" * 20 + "}" * 20, "not a lease file"],
    ids=["unterminated-string", "too-deep", "words"],
)
def test_dhclient_hostile(text: str) -> None:
    with pytest.raises(ParseError):
        parse_dhclient_leases(text)


def test_networkd_and_networkmanager_leases() -> None:
    lease = parse_networkd_lease(own_fixture("dhcp-leases", "networkd-2"), interface="eth0")
    assert lease.source is LeaseSource.SYSTEMD and lease.interface == "eth0"
    assert lease.interface_address == IPv4Interface("192.0.2.10/24")
    assert lease.dns_servers == (IPv4Address("192.0.2.1"), IPv4Address("198.51.100.53"))
    assert lease.search_domains == ("home.example", "corp.example")
    assert lease.server == IPv4Address("192.0.2.1") and lease.lease_time_s == 3600
    assert ("T1", "1800") in lease.options
    name = "internal-00000000-0000-0000-0000-000000000001-wlan0.lease"
    nm = parse_networkmanager_lease(own_fixture("dhcp-leases", name), interface="wlan0")
    assert nm.routers == (IPv4Address("198.51.100.1"),) and nm.domain_name == "guest.example"
    with pytest.raises(ParseError):
        parse_networkd_lease("garbage without keys")


def test_dnsmasq_leases() -> None:
    leases = parse_dnsmasq_leases(own_fixture("dhcp-leases", "dnsmasq.leases"))
    assert [(str(x.ip), x.mac, x.hostname) for x in leases] == [
        ("192.0.2.10", "02:00:5e:00:53:10", "laptop"),
        ("192.0.2.11", "02:00:5e:00:53:11", None),
        ("192.0.2.12", "02:00:5e:00:53:12", "printer-office"),
        ("2001:db8::10", None, "phone"),
    ]
    assert leases[0].expires == datetime(2024, 1, 16, 3, 12, 45, tzinfo=UTC)
    assert leases[1].expires is None  # infinite
    assert leases[3].iaid == 305419896
    with pytest.raises(ParseError):
        parse_dnsmasq_leases("garbage\nmore garbage")
