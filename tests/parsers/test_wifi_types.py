"""The shared Wi-Fi vocabulary: conversions and derived values."""

from __future__ import annotations

import pytest

from homediag.net.os._wifi_common import security_from_words
from homediag.net.os.wifi_types import (
    Band,
    ConnectionState,
    Limitation,
    PhyMode,
    Security,
    SsidHiddenReason,
    WifiLink,
    WifiNetwork,
    band_for_channel,
    band_from_label,
    channel_to_frequency,
    clean_ssid,
    dbm_from_networkmanager_percent,
    dbm_from_windows_percent,
    frequency_to_channel,
    link_from_network,
    normalise_mac,
    parse_phy_mode,
    split_ht_mcs,
)


@pytest.mark.parametrize(
    ("text", "mac"),
    [
        ("02:00:00:00:00:01", "02:00:00:00:00:01"),
        ("02-00-00-00-00-0A", "02:00:00:00:00:0a"),
        ("31:23:3:1a:9f:1d", "31:23:03:1a:9f:1d"),
        ("020000000001", "02:00:00:00:00:01"),
        (" 02:00:00:00:00:01 ", "02:00:00:00:00:01"),
        ("00:00:00:00:00:00", None),
        ("<redacted>", None),
        ("", None),
        ("02:00:00:00:00", None),
        ("02:00-00:00:00:01", None),
        (None, None),
    ],
    ids=[
        "colons",
        "dashes-upper",
        "unpadded-macos",
        "bare-hex",
        "spaces",
        "all-zero",
        "redacted",
        "empty",
        "five-octets",
        "mixed-separators",
        "none",
    ],
)
def test_normalise_mac(text: str | None, mac: str | None) -> None:
    assert normalise_mac(text) == mac


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("home", ("home", None)),
        ("", (None, SsidHiddenReason.NOT_BROADCAST)),
        ("\x00\x00\x00", (None, SsidHiddenReason.NOT_BROADCAST)),
        ("<hidden>", (None, SsidHiddenReason.NOT_BROADCAST)),
        ("<redacted>", (None, SsidHiddenReason.REDACTED)),
        ("<SSID Redacted>", (None, SsidHiddenReason.REDACTED)),
        (None, (None, SsidHiddenReason.NOT_REPORTED)),
        ("\x1b[31mred", ("\ufffd[31mred", None)),
        ("x" * 40, ("x" * 32, None)),
    ],
    ids=[
        "plain",
        "empty",
        "nul",
        "kernel-hidden",
        "redacted",
        "ssid-redacted",
        "not-printed",
        "terminal-escape",
        "too-long",
    ],
)
def test_clean_ssid(raw: str | None, expected: tuple[str | None, SsidHiddenReason | None]) -> None:
    assert clean_ssid(raw) == expected


@pytest.mark.parametrize(
    ("frequency", "expected"),
    [
        (2412, (Band.GHZ_2_4, 1)),
        (2472, (Band.GHZ_2_4, 13)),
        (2484, (Band.GHZ_2_4, 14)),
        (5180, (Band.GHZ_5, 36)),
        (5885, (Band.GHZ_5, 177)),
        (5935, (Band.GHZ_6, 2)),
        (5955, (Band.GHZ_6, 1)),
        (7115, (Band.GHZ_6, 233)),
        (6135.0, (Band.GHZ_6, 37)),
        (2413, None),
        (60480, None),
    ],
    ids=[
        "ch1",
        "ch13",
        "ch14-japan",
        "ch36",
        "ch177",
        "6ghz-ch2",
        "6ghz-ch1",
        "6ghz-ch233",
        "float",
        "off-grid",
        "60ghz",
    ],
)
def test_frequency_to_channel(frequency: float, expected: tuple[Band, int] | None) -> None:
    assert frequency_to_channel(frequency) == expected
    if expected is not None:
        assert channel_to_frequency(*expected) == round(frequency)


@pytest.mark.parametrize(
    ("channel", "band"),
    [
        (1, Band.GHZ_2_4),
        (14, Band.GHZ_2_4),
        (36, Band.GHZ_5),
        (165, Band.GHZ_5),
        (20, None),
        (233, None),
    ],
    ids=["1", "14", "36", "165", "20-unknown", "233-only-6ghz"],
)
def test_band_for_channel(channel: int, band: Band | None) -> None:
    assert band_for_channel(channel) is band


@pytest.mark.parametrize(
    ("label", "band"),
    [
        ("2.4 GHz", Band.GHZ_2_4),
        ("2,4\u00a0GHz", Band.GHZ_2_4),
        ("2GHz", Band.GHZ_2_4),
        ("5 GHz", Band.GHZ_5),
        ("(6GHz, 160MHz)", Band.GHZ_6),
        ("", None),
        ("802.11ax", None),
    ],
    ids=["dot", "french-comma-nbsp", "macos", "5", "macos-details", "empty", "not-a-band"],
)
def test_band_from_label(label: str, band: Band | None) -> None:
    assert band_from_label(label) is band


@pytest.mark.parametrize(
    ("text", "mode"),
    [
        ("802.11ax", PhyMode.AX),
        ("11ac", PhyMode.AC),
        ("802.11a/n/ac/ax", PhyMode.AX),
        ("802.11b/g/n", PhyMode.N),
        ("IEEE 802.11AC", PhyMode.AC),
        ("802.11be", PhyMode.BE),
        ("802.11g", PhyMode.G),
        ("HE", PhyMode.AX),
        ("", None),
        ("IEEE 802.11", None),
    ],
    ids=["ax", "wdutil", "list", "list-n", "iwconfig", "be", "g", "he", "empty", "bare"],
)
def test_parse_phy_mode(text: str, mode: PhyMode | None) -> None:
    assert parse_phy_mode(text) is mode


@pytest.mark.parametrize(
    ("mode", "mcs", "nss", "expected"),
    [
        (PhyMode.N, 15, None, (7, 2)),
        (PhyMode.N, 7, None, (7, 1)),
        (None, 23, None, (7, 3)),
        (None, 9, 2, (9, 2)),
        (PhyMode.AX, 11, 2, (11, 2)),
        (PhyMode.N, 40, None, (None, None)),
    ],
    ids=["ht-2ss", "ht-1ss", "unknown-mode-ht-index", "unknown-mode-vht", "he", "out-of-range"],
)
def test_split_ht_mcs(
    mode: PhyMode | None, mcs: int, nss: int | None, expected: tuple[int | None, int | None]
) -> None:
    assert split_ht_mcs(mode, mcs, nss) == expected


@pytest.mark.parametrize(
    ("percent", "windows", "networkmanager"),
    [(0, -100.0, -100.0), (50, -75.0, -70.0), (100, -50.0, -40.0)],
)
def test_percent_scales(percent: int, windows: float, networkmanager: float) -> None:
    assert dbm_from_windows_percent(percent) == windows
    assert dbm_from_networkmanager_percent(percent) == networkmanager


@pytest.mark.parametrize(
    ("words", "cipher", "security"),
    [
        ("WPA2-Personal", "CCMP", Security.WPA2),
        ("WPA2-Personal", "TKIP", Security.WPA_TKIP),
        ("WPA2-Enterprise", "CCMP", Security.ENTERPRISE),
        ("WPA3-Enterprise 192 Bits", "GCMP-256", Security.ENTERPRISE),
        ("WPA3-Personal", "GCMP-256", Security.WPA3),
        ("WPA3-Personnel", None, Security.WPA3),
        ("WPA2/WPA3 Personal", None, Security.WPA2_WPA3),
        ("wpa3_transition", None, Security.WPA2_WPA3),
        ("WPA-Personal", "TKIP", Security.WPA_TKIP),
        ("Open", "WEP", Security.WEP),
        ("Shared", "WEP", Security.WEP),
        ("Offen", "Keine", Security.OPEN),
        ("Ouvrir", "Aucun", Security.OPEN),
        ("None", None, Security.OPEN),
        ("OWE", "CCMP", Security.OWE),
        ("", None, Security.UNKNOWN),
        ("Something new", None, Security.UNKNOWN),
    ],
    ids=[
        "wpa2",
        "wpa2-tkip-only",
        "wpa2-enterprise",
        "wpa3-enterprise",
        "wpa3",
        "wpa3-french",
        "transition",
        "transition-macos",
        "wpa1",
        "open-with-wep-cipher",
        "shared-key",
        "german-open",
        "french-open",
        "wdutil-none",
        "owe",
        "empty",
        "unknown-words",
    ],
)
def test_security_from_words(words: str, cipher: str | None, security: Security) -> None:
    assert security_from_words(words, cipher=cipher) is security


def test_link_derives_band_frequency_and_snr() -> None:
    link = WifiLink(channel=44, signal_dbm=-60.0, noise_dbm=-95.0)
    assert (link.band, link.frequency_mhz, link.snr_db) == (Band.GHZ_5, 5220, 35.0)
    six = WifiLink(band=Band.GHZ_6, channel=37)
    assert six.frequency_mhz == 6135
    from_freq = WifiLink(frequency_mhz=2437)
    assert (from_freq.band, from_freq.channel) == (Band.GHZ_2_4, 6)


def test_link_rejects_a_bssid_that_is_not_one() -> None:
    with pytest.raises(ValueError, match="not a BSSID"):
        WifiLink(bssid="<redacted>")


def test_merged_with_fills_missing_values_and_keeps_own() -> None:
    mine = WifiLink(
        interface="wlan0",
        state=ConnectionState.CONNECTED,
        ssid=None,
        ssid_hidden_reason=SsidHiddenReason.NOT_BROADCAST,
        signal_dbm=-50.0,
        limitations=(Limitation.NEEDS_ROOT,),
    )
    other = WifiLink(
        ssid="home",
        signal_dbm=-70.0,
        width_mhz=80,
        security=Security.WPA2,
        limitations=(Limitation.LOCATION_PERMISSION,),
    )
    merged = mine.merged_with(other)
    assert (merged.ssid, merged.ssid_hidden_reason) == ("home", None)
    assert (merged.signal_dbm, merged.width_mhz, merged.security) == (-50.0, 80, Security.WPA2)
    assert merged.limitations == (Limitation.NEEDS_ROOT, Limitation.LOCATION_PERMISSION)
    assert merged.state is ConnectionState.CONNECTED


def test_merged_with_keeps_own_ssid_over_a_redacted_one() -> None:
    mine = WifiLink(ssid="home")
    other = WifiLink(ssid_hidden_reason=SsidHiddenReason.REDACTED)
    assert mine.merged_with(other).ssid_hidden_reason is None


def test_link_from_network() -> None:
    network = WifiNetwork(
        interface="wlan0",
        associated=True,
        ssid="home",
        bssid="02:00:00:00:00:01",
        channel=36,
        width_mhz=80,
        signal_dbm=-55.0,
        security=Security.WPA3,
    )
    link = link_from_network(network)
    assert (link.state, link.ssid, link.bssid, link.band, link.width_mhz, link.security) == (
        ConnectionState.CONNECTED,
        "home",
        "02:00:00:00:00:01",
        Band.GHZ_5,
        80,
        Security.WPA3,
    )
