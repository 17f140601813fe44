"""Why each network parser uses jc or not: jc's own parsers checked against the same outputs.

Each module's docstring says why jc was used or set aside. These tests keep those reasons true:
if a newer jc reads one of these outputs correctly, its test fails, and the hand-written parser
should be reconsidered in favour of jc.
"""

from __future__ import annotations

import jc
import pytest

from homediag.net.os.netstat_rn import parse_netstat_rn
from tests.parsers.real_outputs import own_fixture


def test_jc_ipconfig_misses_german_labels_and_misreads_zones() -> None:
    text = own_fixture("ipconfig-all", "de-DE-apipa.txt")
    result = jc.parse("ipconfig", text, quiet=True)
    assert result["host_name"] is None  # "Hostname" is not read
    english = own_fixture("ipconfig-all", "en-US-duplicate.txt")
    adapter = jc.parse("ipconfig", english, quiet=True)["adapters"][0]
    assert adapter["link_local_ipv6_addresses"][0]["prefix_length"] == 4  # the "%4" zone


def test_jc_route_print_reads_nothing_in_german() -> None:
    result = jc.parse("route_print", own_fixture("route-print", "de-DE.txt"), quiet=True)
    assert result["ipv4_route_table"]["active_routes"] == []


def test_jc_arp_fails_on_windows_and_on_one_short_line() -> None:
    with pytest.raises(IndexError):
        jc.parse("arp", own_fixture("arp-a", "windows-de.txt"), quiet=True)
    with pytest.raises(IndexError):
        jc.parse("arp", "garbage\n? (192.0.2.1) at 02:00:5e:00:53:01 [ether] on eth0", quiet=True)
    perm = jc.parse("arp", "? (192.0.2.1) at 02:00:5e:00:53:01 [ether] PERM on eth0", quiet=True)
    assert perm[0]["iface"] == "on"


def test_jc_ip_route_reads_the_route_type_as_destination() -> None:
    (route,) = jc.parse("ip_route", "none default via 192.0.2.1 dev eth0 metric 0", quiet=True)
    assert route["ip"] == "none"


def test_jc_nmcli_loses_every_device_on_one_bad_line() -> None:
    text = own_fixture("nmcli-dev-show", "de-locale.txt") + "a line without colon\n"
    with pytest.raises(ValueError):
        jc.parse("nmcli", text, quiet=True)


def test_jc_resolve_conf_raises_on_a_bare_nameserver_and_joins_search_lines() -> None:
    with pytest.raises(IndexError):
        jc.parse("resolve_conf", "nameserver\nnameserver 192.0.2.53\n", quiet=True)
    result = jc.parse("resolve_conf", "search a.example\nsearch b.example\n", quiet=True)
    assert result["search"] == ["a.example", "b.example"]  # resolv.conf(5): the last one wins


def test_jc_netstat_reads_bsd_routes_but_loses_the_family_of_default() -> None:
    text = own_fixture("netstat-rn", "macos-modern-vpn.txt")
    rows = jc.parse("netstat", text, quiet=True)
    defaults = [row for row in rows if row.get("destination") == "default"]
    assert len(defaults) == 5  # IPv4 and IPv6 defaults, indistinguishable by destination
    ours = [route for route in parse_netstat_rn(text) if route.is_default]
    assert sorted(route.family for route in ours) == [4, 4, 4, 6, 6]
