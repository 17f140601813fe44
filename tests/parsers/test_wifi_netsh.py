"""``netsh wlan`` parsers on recorded English, German and French outputs."""

from __future__ import annotations

from typing import Any

import pytest

from homediag.net.errors import ParseError
from homediag.net.os.netsh_wlan import parse_netsh_interfaces, parse_netsh_networks
from homediag.net.os.wifi_types import (
    Band,
    BssType,
    ConnectionState,
    Limitation,
    PhyMode,
    Security,
    SsidHiddenReason,
)
from tests.parsers.wifi_support import own_fixture


def fields(value: object, expected: dict[str, Any]) -> dict[str, Any]:
    return {name: getattr(value, name) for name in expected}


INTERFACE_CASES: dict[str, list[dict[str, Any]]] = {
    "en-two-interfaces.txt": [
        dict(
            interface="Wi-Fi",
            state=ConnectionState.CONNECTED,
            ssid="example-6e",
            bssid="02:00:00:00:00:92",
            band=Band.GHZ_6,
            channel=37,
            frequency_mhz=6135,
            phy_mode=PhyMode.BE,
            security=Security.WPA3,
            cipher="GCMP-256",
            rx_rate_mbps=2882.0,
            tx_rate_mbps=2401.9,
            signal_percent=96,
            signal_dbm=-52.0,
            mac="02:00:00:00:00:91",
            driver="Example Wi-Fi 7 Adapter",
        ),
        dict(interface="Wi-Fi 2", state=ConnectionState.DISCONNECTED, ssid=None, channel=None),
    ],
    "en-radio-off.txt": [dict(state=ConnectionState.RADIO_OFF)],
    "de-disconnected.txt": [
        dict(interface="WLAN", state=ConnectionState.DISCONNECTED, mac="02:00:00:00:00:95")
    ],
    "de-wpa2-tkip.txt": [
        dict(
            state=ConnectionState.CONNECTED,
            band=Band.GHZ_2_4,
            channel=13,
            phy_mode=PhyMode.G,
            security=Security.WPA_TKIP,
            security_raw="WPA2-Personal",
            cipher="TKIP",
            bss_type=BssType.INFRASTRUCTURE,
            rx_rate_mbps=54.0,
            tx_rate_mbps=48.0,
            signal_dbm=-79.5,
        )
    ],
    "fr-connected-nbsp.txt": [
        dict(
            interface="Wi-Fi",
            state=ConnectionState.CONNECTED,
            ssid="réseau-maison",
            bssid="02:00:00:00:00:99",
            band=Band.GHZ_2_4,
            channel=6,
            phy_mode=PhyMode.AX,
            security=Security.WPA3,
            security_raw="WPA3-Personnel",
            rx_rate_mbps=286.8,
            tx_rate_mbps=573.5,
            signal_percent=62,
            driver="Adaptateur Wi-Fi d’exemple",
        )
    ],
    "en-no-interface.txt": [],
    "en-location-permission.txt": [
        dict(state=ConnectionState.UNKNOWN, limitations=(Limitation.LOCATION_PERMISSION,))
    ],
}


@pytest.mark.parametrize("name", INTERFACE_CASES)
def test_netsh_interfaces(name: str) -> None:
    links = parse_netsh_interfaces(own_fixture("netsh-wlan-show-interfaces", name))
    expected = INTERFACE_CASES[name]
    assert [fields(link, case) for link, case in zip(links, expected, strict=True)] == expected


def test_netsh_interfaces_rejects_other_text() -> None:
    with pytest.raises(ParseError):
        parse_netsh_interfaces("The following command was not found: wlan show interface.\n")


def test_netsh_interfaces_connected_without_ssid_line_is_withheld() -> None:
    text = "    Name : Wi-Fi\n    State : connected\n    Signal : 80%\n"
    (link,) = parse_netsh_interfaces(text)
    assert link.ssid_hidden_reason is SsidHiddenReason.NOT_REPORTED
    assert link.limitations == (Limitation.LOCATION_PERMISSION,)


def test_netsh_networks_english_6ghz_wpa3_enterprise_hidden_wep() -> None:
    scan = parse_netsh_networks(
        own_fixture("netsh-wlan-show-networks-bssid", "en-6ghz-wpa3-hidden.txt")
    )
    assert (scan.interface, scan.reported_count) == ("Wi-Fi", 4)
    rows = [
        (
            net.ssid,
            net.ssid_hidden_reason,
            net.bssid,
            net.band,
            net.channel,
            net.phy_mode,
            net.security,
        )
        for net in scan.networks
    ]
    assert rows == [
        ("example-6e", None, "02:00:00:00:00:a1", Band.GHZ_6, 37, PhyMode.BE, Security.WPA3),
        ("example-6e", None, "02:00:00:00:00:a2", Band.GHZ_5, 44, PhyMode.AX, Security.WPA3),
        (
            "example-corp",
            None,
            "02:00:00:00:00:a3",
            Band.GHZ_5,
            100,
            PhyMode.AC,
            Security.ENTERPRISE,
        ),
        (
            None,
            SsidHiddenReason.NOT_BROADCAST,
            "02:00:00:00:00:a4",
            Band.GHZ_2_4,
            1,
            PhyMode.N,
            Security.WPA2,
        ),
        ("old-printer", None, "02:00:00:00:00:a5", Band.GHZ_2_4, 11, PhyMode.G, Security.WEP),
    ]
    first = scan.networks[0]
    assert (first.station_count, first.channel_utilization_pct, first.signal_dbm) == (3, 9.0, -52.0)


def test_netsh_networks_german_without_bssid_mode() -> None:
    scan = parse_netsh_networks(
        own_fixture("netsh-wlan-show-networks-bssid", "de-no-bssid-mode.txt")
    )
    assert [(net.ssid, net.bssid, net.security, net.cipher) for net in scan.networks] == [
        ("heimnetz", None, Security.WPA2, "CCMP"),
        ("gastnetz", None, Security.OPEN, "Keine"),
    ]
    assert (scan.interface, scan.reported_count) == ("WLAN", 2)


def test_netsh_networks_french_two_interfaces_with_no_break_spaces() -> None:
    scan = parse_netsh_networks(
        own_fixture("netsh-wlan-show-networks-bssid", "fr-two-interfaces-nbsp.txt")
    )
    assert scan.interface is None, "two interfaces: none is the scan's own"
    assert scan.reported_count == 2
    assert [(n.interface, n.bssid, n.band, n.channel, n.signal_percent) for n in scan.networks] == [
        ("Wi-Fi", "02:00:00:00:00:b1", Band.GHZ_5, 36, 55),
        ("Wi-Fi 2", "02:00:00:00:00:b2", Band.GHZ_2_4, 6, 81),
    ]
    assert (scan.networks[0].station_count, scan.networks[0].channel_utilization_pct) == (2, 20.0)


def test_netsh_networks_location_permission() -> None:
    scan = parse_netsh_networks(
        own_fixture("netsh-wlan-show-networks-bssid", "en-location-permission.txt")
    )
    assert (scan.networks, scan.limitations) == ((), (Limitation.LOCATION_PERMISSION,))


def test_netsh_networks_rejects_other_text() -> None:
    with pytest.raises(ParseError):
        parse_netsh_networks("The following command was not found: wlan show network.\n")
