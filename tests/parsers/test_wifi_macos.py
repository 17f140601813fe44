"""macOS parsers (``airport -I/-s``, ``system_profiler``, ``wdutil``) on recorded outputs,
including the states that limit a run: airport removed, no root, no Location Services."""

from __future__ import annotations

from ipaddress import ip_address
from typing import Any

import pytest

from homediag.net.errors import ParseError
from homediag.net.os.airport import parse_airport_info, parse_airport_scan
from homediag.net.os.system_profiler_airport import parse_system_profiler_airport
from homediag.net.os.wdutil import parse_wdutil_info
from homediag.net.os.wifi_types import (
    Band,
    ConnectionState,
    Limitation,
    PhyMode,
    Security,
    SsidHiddenReason,
)
from tests.parsers.wifi_support import own_fixture


def fields(value: object, expected: dict[str, Any]) -> dict[str, Any]:
    return {name: getattr(value, name) for name in expected}


AIRPORT_INFO_CASES: dict[str, dict[str, Any]] = {
    "disconnected.txt": dict(
        state=ConnectionState.DISCONNECTED,
        ssid=None,
        channel=None,
        security=Security.UNKNOWN,
        limitations=(),
    ),
    "radio-off.txt": dict(state=ConnectionState.RADIO_OFF, limitations=()),
    "redacted.txt": dict(
        state=ConnectionState.CONNECTED,
        ssid=None,
        ssid_hidden_reason=SsidHiddenReason.REDACTED,
        bssid=None,
        security=Security.WPA3,
        channel=149,
        width_mhz=80,
        mcs=9,
        nss=2,
        limitations=(Limitation.LOCATION_PERMISSION,),
    ),
    "deprecated.txt": dict(state=ConnectionState.UNKNOWN, limitations=(Limitation.TOOL_REMOVED,)),
}


@pytest.mark.parametrize("name", AIRPORT_INFO_CASES)
def test_airport_info(name: str) -> None:
    link = parse_airport_info(own_fixture("airport-I", name))
    expected = AIRPORT_INFO_CASES[name]
    assert fields(link, expected) == expected


def test_airport_info_empty_ssid_on_a_running_link_is_withheld_not_hidden() -> None:
    text = "agrCtlRSSI: -60\nstate: running\nBSSID: \nSSID: \nchannel: 6\n"
    link = parse_airport_info(text)
    assert link.ssid_hidden_reason is SsidHiddenReason.NOT_REPORTED
    assert link.limitations == (Limitation.LOCATION_PERMISSION,)


def test_airport_info_rejects_other_text() -> None:
    with pytest.raises(ParseError):
        parse_airport_info("zsh: no such file or directory: airport\n")


def test_airport_info_jc_failure_becomes_parse_error() -> None:
    with pytest.raises(ParseError):
        parse_airport_info("no colon on this line\n")


def test_airport_scan_hidden_utf8_and_wpa3() -> None:
    scan = parse_airport_scan(own_fixture("airport-s", "hidden-and-utf8.txt"))
    rows = [
        (net.ssid, net.ssid_hidden_reason, net.bssid, net.signal_dbm, net.channel, net.security)
        for net in scan.networks
    ]
    assert rows == [
        ("Café-5GHz", None, "02:00:00:00:00:61", -70.0, 36, Security.WPA2_WPA3),
        (None, SsidHiddenReason.NOT_BROADCAST, "02:00:00:00:00:62", -64.0, 6, Security.WPA2),
        ("日本語のネットワーク", None, "02:00:00:00:00:63", -81.0, 11, Security.WPA_TKIP),
        ("example-6e", None, "02:00:00:00:00:64", -59.0, 44, Security.WPA3),
        ("old printer", None, "02:00:00:00:00:65", -88.0, 1, Security.WEP),
    ]
    secondary = scan.networks[3]
    assert (secondary.width_mhz, secondary.center_mhz) == (40, 5230)
    assert scan.networks[4].phy_mode is PhyMode.G
    assert scan.limitations == ()


def test_airport_scan_without_bssids_needs_location_permission() -> None:
    scan = parse_airport_scan(own_fixture("airport-s", "no-bssid.txt"))
    assert [(net.ssid, net.bssid, net.channel) for net in scan.networks] == [
        ("example-net", None, 1),
        ("Terminus 1", None, 44),
    ]
    assert scan.limitations == (Limitation.LOCATION_PERMISSION,)


def test_airport_scan_deprecated_tool() -> None:
    scan = parse_airport_scan(own_fixture("airport-s", "deprecated.txt"))
    assert (scan.networks, scan.limitations) == ((), (Limitation.TOOL_REMOVED,))


def test_airport_scan_rejects_broken_rows() -> None:
    header = " " * 28 + "SSID BSSID             RSSI CHANNEL HT CC SECURITY (auth/unicast/group)\n"
    with pytest.raises(ParseError, match="unreadable row"):
        parse_airport_scan(header + "garbage row\n")


def test_system_profiler_macos15_redacted_6ghz() -> None:
    snapshot = parse_system_profiler_airport(
        own_fixture("system-profiler-airport-json", "macos15-redacted-6ghz.json")
    )
    (link,) = snapshot.links
    expected = dict(
        interface="en0",
        state=ConnectionState.CONNECTED,
        ssid=None,
        ssid_hidden_reason=SsidHiddenReason.REDACTED,
        band=Band.GHZ_5,
        channel=149,
        width_mhz=80,
        phy_mode=PhyMode.AX,
        mcs=9,
        nss=None,
        tx_rate_mbps=1201.0,
        security=Security.WPA2_WPA3,
        signal_dbm=-52.0,
        snr_db=42.0,
        country="DE",
        mac="02:00:00:00:00:71",
        limitations=(Limitation.LOCATION_PERMISSION,),
    )
    assert fields(link, expected) == expected
    neighbours = [
        (n.ssid_hidden_reason, n.band, n.channel, n.width_mhz, n.phy_mode, n.security, n.signal_dbm)
        for n in snapshot.scan.networks
    ]
    assert neighbours == [
        (SsidHiddenReason.REDACTED, Band.GHZ_6, 37, 160, PhyMode.AX, Security.WPA3, -60.0),
        (SsidHiddenReason.NOT_REPORTED, Band.GHZ_2_4, 1, 20, PhyMode.N, Security.ENTERPRISE, None),
        (SsidHiddenReason.REDACTED, Band.GHZ_5, 100, 80, PhyMode.BE, Security.OWE, None),
    ]
    assert snapshot.scan.limitations == (Limitation.LOCATION_PERMISSION,)


def test_system_profiler_disconnected_and_radio_off_interfaces() -> None:
    snapshot = parse_system_profiler_airport(
        own_fixture("system-profiler-airport-json", "disconnected-and-off.json")
    )
    assert [(link.interface, link.state, link.ssid) for link in snapshot.links] == [
        ("en0", ConnectionState.DISCONNECTED, None),
        ("en1", ConnectionState.RADIO_OFF, None),
    ]
    assert snapshot.scan.networks == ()


def test_system_profiler_connected_without_a_name_is_withheld() -> None:
    snapshot = parse_system_profiler_airport(
        own_fixture("system-profiler-airport-json", "connected-name-missing.json")
    )
    (link,) = snapshot.links
    assert link.ssid_hidden_reason is SsidHiddenReason.NOT_REPORTED
    assert link.limitations == (Limitation.LOCATION_PERMISSION,)
    assert (link.security, link.noise_dbm, link.mcs, link.nss) == (Security.WEP, None, 7, 2)


@pytest.mark.parametrize(
    "text",
    ["not json", "[]", '{"SPAirPortDataType": {}}', "[" * 100_000],
    ids=["not-json", "wrong-shape", "no-list", "deep-nesting"],
)
def test_system_profiler_rejects(text: str) -> None:
    with pytest.raises(ParseError):
        parse_system_profiler_airport(text)


def test_system_profiler_ignores_odd_values() -> None:
    text = (
        '{"SPAirPortDataType": [1, {"spairport_airport_interfaces": [null, {"_name": 5,'
        ' "spairport_status_information": "spairport_status_connected",'
        ' "spairport_current_network_information": {"_name": ["x"],'
        ' "spairport_network_channel": true, "spairport_signal_noise": {}}}]}]}'
    )
    (link,) = parse_system_profiler_airport(text).links
    assert (link.interface, link.channel, link.signal_dbm) == ("5", None, None)


def test_wdutil_6ghz_wpa3() -> None:
    info = parse_wdutil_info(own_fixture("wdutil-info", "6ghz-wpa3.txt"))
    expected = dict(
        state=ConnectionState.CONNECTED,
        ssid="example-6e",
        bssid="02:00:00:00:00:82",
        band=Band.GHZ_6,
        channel=37,
        width_mhz=160,
        phy_mode=PhyMode.AX,
        security=Security.WPA3,
        mcs=11,
        nss=2,
        tx_rate_mbps=2161.0,
        channel_busy_pct=7.0,
        snr_db=38.0,
        limitations=(),
    )
    assert fields(info.link, expected) == expected
    assert info.ipv4_address == ip_address("192.0.2.23")
    assert info.dns == (ip_address("192.0.2.1"), ip_address("2001:db8::1"))
    assert info.primary_ipv4_interface == "en0"


@pytest.mark.parametrize(
    ("name", "state", "limitations"),
    [
        ("disconnected.txt", ConnectionState.DISCONNECTED, ()),
        ("power-off.txt", ConnectionState.RADIO_OFF, ()),
        ("needs-root.txt", ConnectionState.UNKNOWN, (Limitation.NEEDS_ROOT,)),
    ],
    ids=["disconnected", "power-off", "needs-root"],
)
def test_wdutil_states(name: str, state: ConnectionState, limitations: tuple[Limitation]) -> None:
    info = parse_wdutil_info(own_fixture("wdutil-info", name))
    assert (info.link.state, info.link.limitations) == (state, limitations)
    assert info.link.security is Security.UNKNOWN
    assert info.primary_ipv4_interface is None


def test_wdutil_rejects_other_text() -> None:
    with pytest.raises(ParseError):
        parse_wdutil_info("wdutil: unknown command 'inf'\n")
