"""``iw`` parsers on recorded outputs: link, dev/info, station dump and scan."""

from __future__ import annotations

from typing import Any

import pytest

from homediag.net.errors import ParseError
from homediag.net.os._iw_common import parse_bitrate, unescape_ssid
from homediag.net.os.iw_info import parse_iw_info
from homediag.net.os.iw_link import parse_iw_link
from homediag.net.os.iw_scan import parse_iw_scan
from homediag.net.os.iw_station import parse_iw_station_dump
from homediag.net.os.wifi_types import (
    Band,
    BssType,
    ConnectionState,
    PhyMode,
    Security,
    SsidHiddenReason,
)
from tests.parsers.wifi_support import own_fixture


def fields(value: object, expected: dict[str, Any]) -> dict[str, Any]:
    """The attributes of ``value`` named in ``expected``, for one readable comparison."""
    return {name: getattr(value, name) for name in expected}


LINK_CASES = {
    "vht-5ghz.txt": dict(
        interface="wlp2s0",
        state=ConnectionState.CONNECTED,
        ssid="example-net",
        bssid="02:00:00:00:00:01",
        band=Band.GHZ_5,
        channel=36,
        frequency_mhz=5180,
        signal_dbm=-48.0,
        rx_rate_mbps=866.7,
        tx_rate_mbps=780.0,
        phy_mode=PhyMode.AC,
        width_mhz=80,
        mcs=9,
        nss=2,
        rx_packets=569,
        tx_packets=78,
        dtim_period=1,
        beacon_interval_tu=100,
    ),
    "he-6ghz.txt": dict(
        band=Band.GHZ_6,
        channel=37,
        frequency_mhz=6135,
        phy_mode=PhyMode.AX,
        width_mhz=160,
        mcs=11,
        nss=2,
        rx_bytes=812345678,
    ),
    "eht-320-utf8-ssid.txt": dict(
        ssid="café 📶",
        band=Band.GHZ_6,
        channel=33,
        phy_mode=PhyMode.BE,
        width_mhz=320,
        mcs=13,
        nss=1,
        rx_rate_mbps=2882.4,
    ),
    "ht-2ghz-weak.txt": dict(
        band=Band.GHZ_2_4,
        channel=6,
        signal_dbm=-78.0,
        phy_mode=PhyMode.N,
        # rx "MCS 9" (13 Mbit/s) is MCS 1 on two streams and wins over tx MCS 0.
        mcs=1,
        nss=2,
        width_mhz=20,
    ),
    "disconnected.txt": dict(
        state=ConnectionState.DISCONNECTED, ssid=None, bssid=None, signal_dbm=None
    ),
}


@pytest.mark.parametrize("name", LINK_CASES)
def test_iw_link(name: str) -> None:
    link = parse_iw_link(own_fixture("iw-dev-link", name), interface="wlan9")
    expected = LINK_CASES[name]
    assert fields(link, expected) == expected


def test_iw_link_disconnected_keeps_the_interface_the_caller_named() -> None:
    assert parse_iw_link("Not connected.\n", interface="wlan3").interface == "wlan3"


def test_iw_link_without_ssid_line_reads_as_hidden() -> None:
    link = parse_iw_link("Connected to 02:00:00:00:00:01 (on wlan0)\n\tfreq: 2412\n")
    assert (link.ssid, link.ssid_hidden_reason) == (None, SsidHiddenReason.NOT_BROADCAST)


def test_iw_link_rejects_other_text() -> None:
    with pytest.raises(ParseError):
        parse_iw_link("command failed: No such device (-19)\n")


def test_iw_dev_lists_every_interface_with_its_phy() -> None:
    interfaces = parse_iw_info(own_fixture("iw-dev-info", "iw-dev-multi.txt"))
    assert [(i.interface, i.phy_index, i.mode) for i in interfaces] == [
        ("wlan1", 1, "managed"),
        ("wlp2s0", 0, "managed"),
    ]
    idle, connected = interfaces
    assert (idle.ssid, idle.channel, idle.mac) == (None, None, "02:00:00:00:00:11")
    assert idle.as_link().state is ConnectionState.DISCONNECTED
    assert fields(connected, {"ssid": 0, "channel": 0, "width_mhz": 0, "center_mhz": 0}) == {
        "ssid": "example-net",
        "channel": 36,
        "width_mhz": 80,
        "center_mhz": 5210,
    }
    link = connected.as_link()
    assert (link.state, link.band, link.tx_power_dbm) == (
        ConnectionState.CONNECTED,
        Band.GHZ_5,
        22.0,
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "single-6ghz.txt",
            dict(interface="wlan0", band=Band.GHZ_6, channel=37, width_mhz=160, center_mhz=6185),
        ),
        (
            "ap-2ghz.txt",
            dict(mode="AP", ssid=" lead and trail ", band=Band.GHZ_2_4, channel=6, width_mhz=20),
        ),
    ],
    ids=["6ghz-160mhz", "access-point-escaped-spaces"],
)
def test_iw_info_single(name: str, expected: dict[str, Any]) -> None:
    (interface,) = parse_iw_info(own_fixture("iw-dev-info", name))
    assert fields(interface, expected) == expected


def test_iw_info_ap_interface_is_not_a_client_link() -> None:
    (interface,) = parse_iw_info(own_fixture("iw-dev-info", "ap-2ghz.txt"))
    assert interface.as_link().state is ConnectionState.UNKNOWN


def test_iw_station_dump_client() -> None:
    (station,) = parse_iw_station_dump(own_fixture("iw-station-dump", "client-he.txt"))
    expected = dict(
        mac="02:00:00:00:00:01",
        interface="wlan0",
        signal_dbm=-52.0,
        signal_avg_dbm=-51.0,
        tx_rate_mbps=1200.9,
        rx_rate_mbps=960.7,
        phy_mode=PhyMode.AX,
        width_mhz=80,
        mcs=11,
        nss=2,
        tx_retries=612,
        tx_failed=2,
        beacon_loss=0,
        connected_time_s=1502,
        inactive_ms=1304,
        expected_throughput_mbps=500.0,
        authorized=True,
        associated=True,
    )
    assert fields(station, expected) == expected
    link = station.as_link()
    assert (link.bssid, link.signal_dbm, link.state) == (
        "02:00:00:00:00:01",
        -51.0,
        ConnectionState.CONNECTED,
    )


def test_iw_station_dump_two_stations() -> None:
    first, second = parse_iw_station_dump(own_fixture("iw-station-dump", "ap-two-stations.txt"))
    # rx "MCS 15 short GI" (HT, two streams) beats tx "MCS 7".
    assert (first.phy_mode, first.mcs, first.nss, first.rx_rate_mbps) == (PhyMode.N, 7, 2, 144.4)
    assert (second.phy_mode, second.tx_rate_mbps, second.authorized) == (None, 1.0, False)


SCAN_CASES: dict[str, dict[str, Any]] = {
    "02:00:00:00:00:31": dict(
        associated=True,
        ssid="example-6e",
        band=Band.GHZ_6,
        channel=37,
        width_mhz=160,
        center_mhz=6185,
        phy_mode=PhyMode.AX,
        security=Security.WPA3,
        station_count=2,
        channel_utilization_pct=20.0,
    ),
    "02:00:00:00:00:32": dict(
        band=Band.GHZ_5,
        channel=36,
        width_mhz=80,
        center_mhz=5210,
        phy_mode=PhyMode.AC,
        security=Security.WPA2_WPA3,
        country="DE",
    ),
    "02:00:00:00:00:33": dict(ssid="example-corp", security=Security.ENTERPRISE, width_mhz=20),
    "02:00:00:00:00:34": dict(
        ssid=None, ssid_hidden_reason=SsidHiddenReason.NOT_BROADCAST, security=Security.WPA2
    ),
    "02:00:00:00:00:35": dict(ssid="legacy-wep", security=Security.WEP, phy_mode=PhyMode.B),
    "02:00:00:00:00:36": dict(security=Security.OWE, band=Band.GHZ_5, channel=149),
    "02:00:00:00:00:37": dict(security=Security.WPA_TKIP, cipher="TKIP", phy_mode=PhyMode.G),
    "02:00:00:00:00:38": dict(
        phy_mode=PhyMode.BE,
        width_mhz=320,
        center_mhz=6265,
        security=Security.WPA3,
        cipher="GCMP-256 CCMP",
    ),
    "02:00:00:00:00:39": dict(
        ssid="guest ",
        associated=False,
        security=Security.OPEN,
        width_mhz=40,
        center_mhz=2422,
        bss_type=BssType.INFRASTRUCTURE,
    ),
}


@pytest.mark.parametrize("bssid", SCAN_CASES)
def test_iw_scan_own_fixture(bssid: str) -> None:
    scan = parse_iw_scan(own_fixture("iw-dev-scan", "mixed-security-and-bands.txt"))
    by_bssid = {net.bssid: net for net in scan.networks}
    expected = SCAN_CASES[bssid]
    assert fields(by_bssid[bssid], expected) == expected


def test_iw_scan_marks_one_associated_bss_and_the_interface() -> None:
    scan = parse_iw_scan(own_fixture("iw-dev-scan", "mixed-security-and-bands.txt"))
    assert len(scan.networks) == 9
    assert scan.interface == "wlan0"
    assert scan.associated is not None and scan.associated.bssid == "02:00:00:00:00:31"


def test_iw_scan_aborted_is_an_empty_scan() -> None:
    assert parse_iw_scan(own_fixture("iw-dev-scan", "scan-aborted.txt")).networks == ()


def test_iw_scan_rejects_text_without_bss() -> None:
    with pytest.raises(ParseError):
        parse_iw_scan("command failed: Operation not permitted (-1)\n")


def test_iw_scan_old_numeric_sae_selector_reads_as_sae() -> None:
    text = (
        "BSS 02:00:00:00:00:01(on wlan0)\n\tfreq: 2412\n\tSSID: x\n"
        "\tRSN:\t * Version: 1\n\t\t * Pairwise ciphers: CCMP\n"
        "\t\t * Authentication suites: PSK 00-0f-ac:8\n"
    )
    assert parse_iw_scan(text).networks[0].security is Security.WPA2_WPA3


@pytest.mark.parametrize(
    ("text", "rate", "mode", "mcs", "nss", "width"),
    [
        ("54.0 MBit/s", 54.0, None, None, None, None),
        ("144.4 MBit/s MCS 15 short GI", 144.4, PhyMode.N, 7, 2, 20),
        ("300.0 MBit/s MCS 15 40MHz short GI", 300.0, PhyMode.N, 7, 2, 40),
        ("866.7 MBit/s VHT-MCS 9 80MHz short GI VHT-NSS 2", 866.7, PhyMode.AC, 9, 2, 80),
        ("1200.9 MBit/s 80MHz HE-MCS 11 HE-NSS 2 HE-GI 0 HE-DCM 0", 1200.9, PhyMode.AX, 11, 2, 80),
        ("2882.4 MBit/s 320MHz EHT-MCS 13 EHT-NSS 1 EHT-GI 0", 2882.4, PhyMode.BE, 13, 1, 320),
        ("1733.3 MBit/s VHT-MCS 9 80P80MHz VHT-NSS 2", 1733.3, PhyMode.AC, 9, 2, 160),
    ],
    ids=["legacy", "ht-2ss", "ht40", "vht80", "he80", "eht320", "vht-80p80"],
)
def test_iw_bitrate(
    text: str,
    rate: float,
    mode: PhyMode | None,
    mcs: int | None,
    nss: int | None,
    width: int | None,
) -> None:
    info = parse_bitrate(text)
    assert (info.rate_mbps, info.phy_mode, info.mcs, info.nss, info.width_mhz) == (
        rate,
        mode,
        mcs,
        nss,
        width,
    )


@pytest.mark.parametrize(
    ("text", "ssid", "reason"),
    [
        ("plain", "plain", None),
        ("caf\\xc3\\xa9", "café", None),
        ("\\x20spaced\\x20", " spaced ", None),
        ("back\\x5cslash", "back\\slash", None),
        ("\\x00\\x00\\x00", None, SsidHiddenReason.NOT_BROADCAST),
        ("", None, SsidHiddenReason.NOT_BROADCAST),
        ("bell\\x07", "bell\ufffd", None),
        ("\\xff\\xfe", "\ufffd\ufffd", None),
    ],
    ids=["plain", "utf8", "edge-spaces", "backslash", "nul", "empty", "control", "not-utf8"],
)
def test_iw_ssid_unescape(text: str, ssid: str | None, reason: SsidHiddenReason | None) -> None:
    assert unescape_ssid(text) == (ssid, reason)
