"""``ipconfig /all`` in English, German, French, mangled code pages and a language with no table."""

from __future__ import annotations

from datetime import datetime
from ipaddress import IPv4Address, IPv4Interface, IPv6Address

import pytest

from homediag.net.errors import ParseError
from homediag.net.os.ipconfig import (
    AdapterKind,
    AddressStatus,
    IpconfigAll,
    MediaState,
    NodeType,
    parse_ipconfig,
    parse_lease_date,
)
from tests.parsers.real_outputs import own_fixture


def _parse(name: str) -> IpconfigAll:
    return parse_ipconfig(own_fixture("ipconfig-all", name))


def test_french_with_no_break_spaces_before_colons() -> None:
    result = _parse("fr-FR.txt")
    assert result.hostname == "salon-pc"
    assert result.node_type is NodeType.HYBRID
    assert result.ip_routing_enabled is False
    assert result.dns_suffix_search_list == ("home.example",)
    ethernet, wifi = result.adapters
    assert (ethernet.name, ethernet.kind) == ("Ethernet", AdapterKind.ETHERNET)
    assert ethernet.media_state is MediaState.DISCONNECTED
    assert ethernet.kind_label == "Carte Ethernet"
    assert (wifi.name, wifi.kind) == ("Wi-Fi", AdapterKind.WIRELESS)
    assert wifi.media_state is MediaState.CONNECTED
    assert wifi.mac == "02:00:5e:00:53:02"
    assert wifi.dhcp_enabled is True
    assert [(e.interface, e.status) for e in wifi.ipv4] == [
        (IPv4Interface("192.0.2.23/24"), AddressStatus.PREFERRED)
    ]
    assert [(str(e.address), e.temporary, e.link_local) for e in wifi.ipv6] == [
        ("2001:db8:1::23", False, False),
        ("2001:db8:1::a1b2", True, False),
        ("fe80::200:5eff:fe00:5302%12", False, True),
    ]
    assert wifi.default_gateways == (IPv6Address("fe80::1%12"), IPv4Address("192.0.2.1"))
    assert wifi.dns_servers == (IPv6Address("2001:db8:1::1"), IPv4Address("192.0.2.1"))
    assert wifi.dhcp_server == IPv4Address("192.0.2.1")
    assert wifi.lease_obtained == datetime(2024, 10, 2, 8, 57, 16)
    assert wifi.lease_expires == datetime(2024, 10, 3, 8, 57, 16)
    assert wifi.lease_obtained_text == "mercredi 2 octobre 2024 08:57:16"
    assert wifi.netbios_over_tcpip is True
    assert wifi.dhcpv6_iaid == 165430824
    assert wifi.extras == ()


def test_german_apipa_and_disconnected_tunnel() -> None:
    result = _parse("de-DE-apipa.txt")
    ethernet, tunnel = result.adapters
    assert ethernet.apipa
    assert ethernet.ipv4[0].autoconfigured
    assert ethernet.ipv4[0].interface == IPv4Interface("169.254.83.12/16")
    assert ethernet.default_gateways == ()
    assert len(ethernet.dns_servers) == 3  # the fec0:: placeholders of a DHCP-less adapter
    assert tunnel.kind is AdapterKind.TUNNEL
    assert tunnel.media_state is MediaState.DISCONNECTED
    assert tunnel.mac == "00:00:00:00:00:00:00:e0"
    assert tunnel.dhcp_enabled is False


def test_german_read_with_the_wrong_code_page() -> None:
    result = _parse("de-DE-cp850-read-as-cp1252.txt")
    assert result.primary_dns_suffix == "example.test"  # "Prim„res DNS-Suffix"
    (wlan,) = result.adapters
    assert wlan.kind is AdapterKind.WIRELESS
    assert [e.temporary for e in wlan.ipv6] == [True]  # "Tempor„re IPv6-Adresse"
    assert wlan.lease_expires == datetime(2024, 3, 8, 9, 15)  # "Lease l„uft ab", "M„rz"
    assert wlan.netbios_over_tcpip is True  # "NetBIOS �ber TCP/IP"


def test_english_duplicate_address_several_ipv4_and_ppp() -> None:
    result = _parse("en-US-duplicate.txt")
    assert result.node_type is NodeType.MIXED
    ethernet, ppp = result.adapters
    assert ethernet.duplicate_address
    assert [(str(e.interface), e.status, e.autoconfigured) for e in ethernet.ipv4] == [
        ("192.0.2.50/24", AddressStatus.DUPLICATE, False),
        ("203.0.113.50/25", AddressStatus.PREFERRED, False),
        ("169.254.10.20/16", AddressStatus.PREFERRED, True),
    ]
    assert not ethernet.apipa  # it has routable addresses too
    assert ethernet.primary_wins_server == IPv4Address("192.0.2.5")
    assert ethernet.secondary_wins_server == IPv4Address("192.0.2.6")
    assert ethernet.netbios_over_tcpip is False
    assert ppp.kind is AdapterKind.PPP and ppp.mac is None


def test_truncated_output_keeps_what_arrived() -> None:
    result = _parse("en-US-truncated.txt")
    assert result.hostname == "kitchen"
    wifi, ethernet = result.adapters
    assert wifi.ipv4[0].address == IPv4Address("192.0.2.60")
    assert ethernet.name == "Ethernet 2"
    assert ethernet.mac == "02:00:5e:00:53:07"
    assert ethernet.ipv4 == ()  # its address line was cut


def test_language_without_a_table_is_read_by_shape() -> None:
    result = _parse("es-ES-no-table.txt")
    (adapter,) = result.adapters
    assert adapter.name == "Adaptador de Ethernet Ethernet"
    assert adapter.kind is AdapterKind.UNKNOWN
    assert adapter.mac == "02:00:5e:00:53:08"
    assert adapter.ipv4[0].interface == IPv4Interface("192.0.2.80/24")
    assert adapter.ipv4[0].status is AddressStatus.OTHER
    assert ("Puerta de enlace predeterminada", "192.0.2.1") in adapter.extras


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thursday, September 19, 2024 8:31:30 AM", datetime(2024, 9, 19, 8, 31, 30)),
        ("Thursday, September 19, 2024 12:05:00 AM", datetime(2024, 9, 19, 0, 5)),
        ("Monday, September 23, 2024 2:31:46 PM", datetime(2024, 9, 23, 14, 31, 46)),
        ("Mittwoch, 27. November 2024 19:59:32", datetime(2024, 11, 27, 19, 59, 32)),
        ("mercredi 2 octobre 2024 08:57:16", datetime(2024, 10, 2, 8, 57, 16)),
        ("samedi 31 février 2024 08:00:00", None),
        ("2024-10-02 08:57:16", None),
        ("", None),
    ],
    ids=["en-am", "en-midnight", "en-pm", "de", "fr", "impossible-day", "no-month-name", "empty"],
)
def test_lease_dates(text: str, expected: datetime | None) -> None:
    assert parse_lease_date(text) == expected


def test_empty_and_garbage() -> None:
    assert parse_ipconfig("") == IpconfigAll()
    with pytest.raises(ParseError):
        parse_ipconfig("'ipconfig' is not recognized as an internal or external command")
