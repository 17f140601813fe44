"""``iwconfig`` and ``nmcli device wifi list`` parsers on recorded outputs."""

from __future__ import annotations

from typing import Any

import pytest

from homediag.net.errors import ParseError
from homediag.net.os.iwconfig import parse_iwconfig
from homediag.net.os.nmcli_wifi import (
    nmcli_active_link,
    parse_nmcli_wifi_list,
    split_terse,
)
from homediag.net.os.wifi_types import (
    Band,
    ConnectionState,
    Security,
    SsidHiddenReason,
)
from tests.parsers.wifi_support import own_fixture


def fields(value: object, expected: dict[str, Any]) -> dict[str, Any]:
    return {name: getattr(value, name) for name in expected}


IWCONFIG_CASES: dict[str, dict[str, Any]] = {
    "wlan0": dict(state=ConnectionState.DISCONNECTED, ssid=None, bssid=None, tx_power_dbm=22.0),
    "wlan1": dict(
        state=ConnectionState.CONNECTED,
        ssid='café "net"',
        bssid="02:00:00:00:00:41",
        band=Band.GHZ_2_4,
        channel=6,
        tx_rate_mbps=72.2,
        signal_dbm=-36.0,
        noise_dbm=-95.0,
        snr_db=59.0,
        power_save=False,
        link_quality_pct=100.0,
    ),
    "wlan2": dict(
        state=ConnectionState.CONNECTED,
        ssid=None,
        ssid_hidden_reason=SsidHiddenReason.NOT_BROADCAST,
        band=Band.GHZ_5,
        channel=100,
        tx_rate_mbps=1200.0,
        signal_dbm=None,
        signal_percent=45,
    ),
    "mon0": dict(state=ConnectionState.UNKNOWN, mode="Monitor", channel=1),
}


@pytest.mark.parametrize("interface", IWCONFIG_CASES)
def test_iwconfig_multi_interface(interface: str) -> None:
    links = {
        link.interface: link
        for link in parse_iwconfig(own_fixture("iwconfig", "multi-interface.txt"))
    }
    assert set(links) == set(IWCONFIG_CASES), "interfaces without wireless extensions are left out"
    expected = IWCONFIG_CASES[interface]
    assert fields(links[interface], expected) == expected


@pytest.mark.parametrize(
    "text",
    ["", "lo        no wireless extensions.\n\n"],
    ids=["empty", "no-wireless-interface"],
)
def test_iwconfig_without_wireless_interface_is_empty(text: str) -> None:
    assert parse_iwconfig(text) == ()


def test_iwconfig_rejects_other_text() -> None:
    with pytest.raises(ParseError):
        parse_iwconfig("   iwconfig: command not found\n")


NMCLI_CASES: dict[str, dict[str, Any]] = {
    "02:00:00:00:00:51": dict(
        interface="wlan0",
        associated=True,
        ssid="example-6e",
        band=Band.GHZ_6,
        channel=37,
        security=Security.WPA3,
        max_rate_mbps=2401.0,
        signal_percent=82,
        signal_dbm=-50.8,
    ),
    "02:00:00:00:00:52": dict(security=Security.WPA2_WPA3, band=Band.GHZ_5, cipher="CCMP"),
    "02:00:00:00:00:53": dict(security=Security.ENTERPRISE, security_raw="WPA2 802.1X"),
    "02:00:00:00:00:54": dict(security=Security.OWE),
    "02:00:00:00:00:55": dict(security=Security.WEP, cipher=None),
    "02:00:00:00:00:56": dict(security=Security.OPEN, security_raw=""),
    "02:00:00:00:00:57": dict(ssid=None, ssid_hidden_reason=SsidHiddenReason.NOT_BROADCAST),
    "02:00:00:00:00:58": dict(ssid="a:b\\c", security=Security.WPA_TKIP, cipher="TKIP"),
    "02:00:00:00:00:59": dict(interface="wlan1", associated=True, band=Band.GHZ_2_4),
}


@pytest.mark.parametrize("bssid", NMCLI_CASES)
def test_nmcli_two_devices(bssid: str) -> None:
    scan = parse_nmcli_wifi_list(own_fixture("nmcli-t-dev-wifi-list", "two-devices.txt"))
    by_bssid = {net.bssid: net for net in scan.networks}
    expected = NMCLI_CASES[bssid]
    assert fields(by_bssid[bssid], expected) == expected


def test_nmcli_active_link_per_device() -> None:
    scan = parse_nmcli_wifi_list(own_fixture("nmcli-t-dev-wifi-list", "two-devices.txt"))
    assert scan.interface is None, "two devices: no single interface"
    wlan0 = nmcli_active_link(scan, "wlan0")
    wlan1 = nmcli_active_link(scan, "wlan1")
    assert wlan0 is not None and wlan1 is not None
    assert (wlan0.bssid, wlan0.state, wlan0.security) == (
        "02:00:00:00:00:51",
        ConnectionState.CONNECTED,
        Security.WPA3,
    )
    assert wlan1.bssid == "02:00:00:00:00:59"
    assert nmcli_active_link(scan, "wlan7") is None


@pytest.mark.parametrize(
    ("line", "fields_"),
    [
        ("a:b:c", ["a", "b", "c"]),
        ("x\\:y:z", ["x:y", "z"]),
        ("back\\\\slash:", ["back\\slash", ""]),
        ("::", ["", "", ""]),
        ("trailing\\", ["trailing\\"]),
    ],
    ids=["plain", "escaped-colon", "escaped-backslash", "empty-fields", "dangling-escape"],
)
def test_nmcli_split_terse(line: str, fields_: list[str]) -> None:
    assert split_terse(line) == fields_


def test_nmcli_rejects_rows_with_other_field_counts() -> None:
    with pytest.raises(ParseError, match="line 1 has 3 fields"):
        parse_nmcli_wifi_list("yes:x:y\n", ["ACTIVE", "SSID"])


def test_nmcli_rejects_unknown_field_names() -> None:
    with pytest.raises(ParseError, match="unknown fields"):
        parse_nmcli_wifi_list("", ["ACTIVE", "COLOUR"])


def test_nmcli_without_security_column_uses_the_flags() -> None:
    scan = parse_nmcli_wifi_list(
        "no:n:02\\:00\\:00\\:00\\:00\\:01:(none):pair_ccmp group_ccmp psk sae\n",
        ["ACTIVE", "SSID", "BSSID", "WPA-FLAGS", "RSN-FLAGS"],
    )
    assert scan.networks[0].security is Security.WPA2_WPA3
