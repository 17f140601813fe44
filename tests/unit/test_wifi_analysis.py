"""Wi-Fi analysis: channels, congestion, best channel, band steering, rate model, security."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from homediag.net.os.wifi_types import (
    Band,
    PhyMode,
    Security,
    WifiLink,
    WifiNetwork,
)
from homediag.net.wifi.analysis import (
    DFS_PENALTY,
    ChannelPlan,
    SecurityClass,
    best_channel,
    best_channels,
    candidate_channels,
    channel_span,
    congestion_scores,
    expected_rate,
    link_rate_ratio,
    phy_rate_mbps,
    plan_for_country,
    plan_for_networks,
    security_class,
    signal_weight,
    stuck_on_24ghz,
)

_counter = itertools.count(1)


def net(
    channel: int,
    signal: float | None = -60.0,
    *,
    band: Band | None = None,
    width: int | None = 20,
    ssid: str = "neighbour",
    bssid: str | None = None,
    security: Security = Security.WPA2,
) -> WifiNetwork:
    """A scanned network; every call gets its own radio unless ``bssid`` says otherwise."""
    if bssid is None:
        n = next(_counter)
        bssid = f"02:{n >> 8 & 0xFF:02x}:{n & 0xFF:02x}:00:00:01"
    return WifiNetwork(
        ssid=ssid,
        bssid=bssid,
        band=band,
        channel=channel,
        width_mhz=width,
        signal_dbm=signal,
        security=security,
    )


def scores(networks: list[WifiNetwork], band: Band, **kwargs: Any) -> dict[int, float]:
    return {s.channel: s.score for s in congestion_scores(networks, band, **kwargs)}


# --- geometry ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("band", "channel", "width", "center", "span"),
    [
        (Band.GHZ_2_4, 6, 20, None, (2426.0, 2448.0)),
        (Band.GHZ_2_4, 1, 40, None, (2401.0, 2443.0)),
        (Band.GHZ_2_4, 11, 40, None, (2431.0, 2473.0)),
        (Band.GHZ_2_4, 6, 40, 2427, (2406.0, 2448.0)),
        (Band.GHZ_5, 44, 20, None, (5210.0, 5230.0)),
        (Band.GHZ_5, 44, 80, None, (5170.0, 5250.0)),
        (Band.GHZ_5, 149, 80, None, (5735.0, 5815.0)),
        (Band.GHZ_5, 116, 160, None, (5490.0, 5650.0)),
        (Band.GHZ_6, 37, 160, None, (6105.0, 6265.0)),
        (Band.GHZ_6, 37, 320, None, (5945.0, 6265.0)),
        (Band.GHZ_6, 37, 320, 6265, (6105.0, 6425.0)),
        (Band.GHZ_2_4, 99, 20, None, None),
    ],
    ids=[
        "2g-20",
        "2g-40-above",
        "2g-40-below",
        "2g-40-centre-known",
        "5g-20",
        "5g-80-block",
        "5g-80-unii3",
        "5g-160",
        "6g-160",
        "6g-320-1",
        "6g-320-2-by-centre",
        "no-such-channel",
    ],
)
def test_channel_span(
    band: Band,
    channel: int,
    width: int,
    center: int | None,
    span: tuple[float, float] | None,
) -> None:
    assert channel_span(band, channel, width, center) == span


@pytest.mark.parametrize("distance", range(0, 11))
def test_24ghz_channels_overlap_within_four(distance: int) -> None:
    result = scores([net(1)], Band.GHZ_2_4, channels=[1 + distance])
    overlapping = distance <= 4
    assert (result[1 + distance] > 0) is overlapping
    if overlapping:
        assert result[1 + distance] == pytest.approx((22 - 5 * distance) / 22, abs=1e-3)


# --- congestion ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("signal", "weight"),
    [
        (None, 0.5),
        (-95.0, 0.0),
        (-90.0, 0.0),
        (-82.0, 8 / 30),
        (-75.0, 0.5),
        (-60.0, 1.0),
        (-35.0, 1.0),
    ],
    ids=["unknown", "inaudible", "floor", "preamble-detect", "mid", "full", "very-strong"],
)
def test_signal_weight(signal: float | None, weight: float) -> None:
    assert signal_weight(signal) == pytest.approx(weight)


def test_stronger_neighbour_counts_more() -> None:
    weak = scores([net(6, -85.0)], Band.GHZ_2_4)[6]
    strong = scores([net(6, -62.0)], Band.GHZ_2_4)[6]
    assert 0 < weak < strong <= 1.0


@pytest.mark.parametrize(
    ("neighbour_channel", "candidate", "share"),
    [(48, 36, 0.25), (48, 48, 1.0), (40, 44, 0.25), (52, 36, 0.0)],
    ids=["on-our-secondary", "on-our-primary", "other-secondary", "next-block"],
)
def test_5ghz_primary_counts_fully_secondary_by_bandwidth(
    neighbour_channel: int, candidate: int, share: float
) -> None:
    result = scores([net(neighbour_channel, -50.0)], Band.GHZ_5, width_mhz=80, channels=[candidate])
    assert result[candidate] == pytest.approx(share)


def test_bonded_neighbour_covers_its_whole_block() -> None:
    wide = net(36, -50.0, width=80)
    assert scores([wide], Band.GHZ_5, channels=[36, 40, 44, 48, 52]) == {
        36: 1.0,
        40: 1.0,
        44: 1.0,
        48: 1.0,
        52: 0.0,
    }


def test_virtual_access_points_of_one_radio_count_once() -> None:
    same_radio = [
        net(6, -60.0, bssid="02:35:1a:90:56:03", ssid="a"),
        net(6, -60.0, bssid="06:35:1a:90:56:04", ssid="b"),
        net(6, -70.0, bssid="02:35:1a:90:56:0f", ssid="c"),
    ]
    other_radio = [net(6, -60.0, bssid="02:99:1a:90:56:03")]
    assert scores(same_radio, Band.GHZ_2_4)[6] == pytest.approx(1.0)
    assert scores(same_radio + other_radio, Band.GHZ_2_4)[6] == pytest.approx(2.0)


def test_own_access_point_can_be_excluded() -> None:
    own = net(11, -40.0, bssid="02:00:00:00:00:01")
    assert scores([own], Band.GHZ_2_4)[11] == 1.0
    assert scores([own], Band.GHZ_2_4, exclude_bssids=["02:00:00:00:00:01"])[11] == 0.0


def test_other_bands_and_unplaced_networks_are_ignored() -> None:
    others = [net(36), WifiNetwork(ssid="x", bssid="02:00:00:00:00:09", band=Band.GHZ_2_4)]
    assert set(scores(others, Band.GHZ_2_4).values()) == {0.0}


# --- channel plans and best channel -------------------------------------------------------------


@pytest.mark.parametrize(
    ("band", "width", "plan", "channels"),
    [
        (Band.GHZ_2_4, 20, ChannelPlan.COMMON, (1, 6, 11)),
        (
            Band.GHZ_5,
            80,
            ChannelPlan.COMMON,
            (36, 40, 44, 48, 52, 56, 60, 64, 100, 104, 108, 112, 116, 120, 124, 128),
        ),
        (
            Band.GHZ_5,
            80,
            ChannelPlan.FCC,
            (
                36,
                40,
                44,
                48,
                52,
                56,
                60,
                64,
                100,
                104,
                108,
                112,
                116,
                120,
                124,
                128,
                132,
                136,
                140,
                144,
                149,
                153,
                157,
                161,
            ),
        ),
        (
            Band.GHZ_5,
            160,
            ChannelPlan.COMMON,
            (36, 40, 44, 48, 52, 56, 60, 64, 100, 104, 108, 112, 116, 120, 124, 128),
        ),
        (Band.GHZ_6, 160, ChannelPlan.COMMON, (5, 21, 37, 53, 69, 85)),
        (Band.GHZ_6, 320, ChannelPlan.FCC, (5, 21, 37, 53, 69, 85, 101, 117, 133, 149, 165, 181)),
    ],
    ids=["2g", "5g-80-common", "5g-80-fcc", "5g-160-common", "6g-160-common", "6g-320-fcc"],
)
def test_candidate_channels(
    band: Band, width: int, plan: ChannelPlan, channels: tuple[int, ...]
) -> None:
    assert candidate_channels(band, width, plan) == channels


@pytest.mark.parametrize(
    ("country", "plan"),
    [
        ("US", ChannelPlan.FCC),
        ("ca", ChannelPlan.FCC),
        ("DE", ChannelPlan.COMMON),
        (None, ChannelPlan.COMMON),
    ],
)
def test_plan_for_country(country: str | None, plan: ChannelPlan) -> None:
    assert plan_for_country(country) is plan


@pytest.mark.parametrize(
    ("countries", "plan"),
    [
        (["US", "US", "DE"], ChannelPlan.FCC),
        (["DE", "de", "US"], ChannelPlan.COMMON),
        ([], ChannelPlan.COMMON),
    ],
    ids=["mostly-us", "mostly-de", "none-announced"],
)
def test_plan_for_networks(countries: list[str], plan: ChannelPlan) -> None:
    networks = [WifiNetwork(ssid="x", channel=1, country=code) for code in countries]
    networks.append(WifiNetwork(ssid="y", channel=6))
    assert plan_for_networks(networks) is plan


@pytest.mark.parametrize(
    ("neighbours", "current", "best"),
    [
        ([net(1), net(1), net(6)], None, 11),
        ([net(11), net(11), net(6)], None, 1),
        ([], 6, 6),
        ([], None, 1),
        ([net(3, -50.0)], 11, 11),
    ],
    ids=["crowded-1-and-6", "crowded-11-and-6", "empty-stay", "empty-lowest", "overlap-on-3"],
)
def test_best_channel_24ghz(neighbours: list[WifiNetwork], current: int | None, best: int) -> None:
    advice = best_channel(neighbours, Band.GHZ_2_4, current_channel=current)
    assert advice is not None
    assert advice.best.channel == best


def test_best_channel_reports_the_current_one_even_off_plan() -> None:
    advice = best_channel([net(3, -50.0)], Band.GHZ_2_4, current_channel=3)
    assert advice is not None and advice.current is not None
    assert (advice.current.channel, advice.current.score) == (3, 1.0)
    assert advice.best.channel == 11


@pytest.mark.parametrize(
    ("signal_on_48", "best", "dfs"),
    [(-84.0, 48, False), (-66.0, 52, True)],
    ids=["slightly-used-unii1-beats-dfs", "busy-unii1-loses-to-dfs"],
)
def test_dfs_needs_a_clear_margin(signal_on_48: float, best: int, dfs: bool) -> None:
    busy = [net(36, -50.0), net(40, -50.0), net(44, -50.0), net(48, signal_on_48)]
    advice = best_channel(busy, Band.GHZ_5, width_mhz=20)
    assert advice is not None
    assert (advice.best.channel, advice.best.dfs) == (best, dfs)
    assert DFS_PENALTY == 0.5


def test_best_channels_per_band() -> None:
    neighbours = [net(1), net(6), net(36, width=80), net(37, band=Band.GHZ_6, width=160)]
    advice = best_channels(neighbours, current={Band.GHZ_2_4: 1})
    assert set(advice) == {Band.GHZ_2_4, Band.GHZ_5, Band.GHZ_6}
    assert advice[Band.GHZ_2_4].best.channel == 11
    assert advice[Band.GHZ_2_4].current is not None
    assert advice[Band.GHZ_5].best.channel not in (36, 40, 44, 48)
    assert advice[Band.GHZ_5].best.width_mhz == 80
    assert advice[Band.GHZ_6].best.channel not in (37, 53)


# --- band steering -------------------------------------------------------------------------------

LINK_24 = WifiLink(ssid="home", channel=6, signal_dbm=-55.0, security=Security.WPA2)


@pytest.mark.parametrize(
    ("link", "neighbours", "expected"),
    [
        (LINK_24, [net(36, -65.0, ssid="home")], 0),
        (LINK_24, [net(36, -75.0, ssid="home")], None),
        (LINK_24, [net(36, -60.0, ssid="other")], None),
        (LINK_24, [net(36, -69.0, ssid="home"), net(37, -58.0, ssid="home", band=Band.GHZ_6)], 1),
        (LINK_24, [net(36, -50.0, ssid="home", security=Security.OPEN)], None),
        (WifiLink(ssid="home", channel=44, signal_dbm=-55.0), [net(36, -50.0, ssid="home")], None),
        (WifiLink(channel=6, signal_dbm=-55.0), [net(36, -50.0, ssid="home")], None),
    ],
    ids=[
        "usable-5ghz-twin",
        "5ghz-twin-too-weak",
        "other-network",
        "strongest-alternative-6ghz",
        "open-twin-of-protected-network",
        "already-on-5ghz",
        "ssid-unknown",
    ],
)
def test_stuck_on_24ghz(
    link: WifiLink, neighbours: list[WifiNetwork], expected: int | None
) -> None:
    result = stuck_on_24ghz(link, neighbours)
    assert result is (None if expected is None else neighbours[expected])


# --- rate model ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "width", "nss", "mcs", "rate"),
    [
        (PhyMode.N, 20, 1, 7, 65.0),
        (PhyMode.N, 40, 2, 7, 270.0),
        (PhyMode.N, 80, 1, 7, 135.0),
        (PhyMode.AC, 80, 1, 9, 390.0),
        (PhyMode.AC, 160, 2, 9, 1560.0),
        (PhyMode.AX, 80, 1, 11, 600.5),
        (PhyMode.AX, 160, 2, 11, 2401.96),
        (PhyMode.BE, 320, 1, 13, 2882.35),
    ],
    ids=[
        "ht20",
        "ht40-2ss",
        "ht-capped-at-40",
        "vht80",
        "vht160-2ss",
        "he80",
        "he160-2ss",
        "eht320",
    ],
)
def test_phy_rate(mode: PhyMode, width: int, nss: int, mcs: int, rate: float) -> None:
    assert phy_rate_mbps(mode, width, nss, mcs) == pytest.approx(rate, abs=0.05)


def test_phy_rate_refuses_legacy_and_unknown_mcs() -> None:
    with pytest.raises(ValueError):
        phy_rate_mbps(PhyMode.G, 20, 1, 0)
    with pytest.raises(ValueError):
        phy_rate_mbps(PhyMode.AX, 20, 1, 14)


@pytest.mark.parametrize(
    ("link", "mcs", "rate", "basis", "assumed"),
    [
        (
            WifiLink(phy_mode=PhyMode.AC, width_mhz=80, nss=2, signal_dbm=-50.0),
            9,
            780.0,
            "rssi",
            (),
        ),
        (
            WifiLink(phy_mode=PhyMode.AC, width_mhz=80, nss=2, signal_dbm=-60.0),
            5,
            468.0,
            "rssi",
            (),
        ),
        (WifiLink(phy_mode=PhyMode.AC, width_mhz=80, nss=1, signal_dbm=-95.0), 0, 29.2, "rssi", ()),
        (
            WifiLink(phy_mode=PhyMode.AX, signal_dbm=-40.0, noise_dbm=-70.0),
            7,
            86.0,
            "snr",
            ("width", "nss"),
        ),
        (WifiLink(phy_mode=PhyMode.N, width_mhz=20, nss=1, signal_dbm=-40.0), 7, 65.0, "rssi", ()),
        (WifiLink(phy_mode=PhyMode.G, signal_dbm=-68.0), None, 36.0, "rssi", ("width", "nss")),
        (WifiLink(phy_mode=PhyMode.B, signal_dbm=-80.0), None, 5.5, "rssi", ("width", "nss")),
    ],
    ids=[
        "vht80-strong",
        "vht80-medium",
        "vht80-below-sensitivity",
        "he-snr-limited",
        "ht20-strong",
        "legacy-g",
        "legacy-b",
    ],
)
def test_expected_rate(
    link: WifiLink, mcs: int | None, rate: float, basis: str, assumed: tuple[str, ...]
) -> None:
    estimate = expected_rate(link)
    assert estimate is not None
    assert (estimate.mcs, estimate.expected_mbps, estimate.basis, estimate.assumed) == (
        mcs,
        pytest.approx(rate, abs=0.1),
        basis,
        assumed,
    )


@pytest.mark.parametrize(
    "link",
    [WifiLink(signal_dbm=-50.0), WifiLink(phy_mode=PhyMode.AC)],
    ids=["no-mode", "no-signal"],
)
def test_expected_rate_needs_mode_and_signal(link: WifiLink) -> None:
    assert expected_rate(link) is None


@pytest.mark.parametrize(
    ("tx", "rx", "ratio"),
    [(390.0, 780.0, 1.0), (78.0, None, 0.1), (None, 6.0, 0.008), (None, None, None)],
    ids=["full-rate", "tenth", "idle-rx-only", "no-rates"],
)
def test_link_rate_ratio(tx: float | None, rx: float | None, ratio: float | None) -> None:
    link = WifiLink(
        phy_mode=PhyMode.AC,
        width_mhz=80,
        nss=2,
        signal_dbm=-50.0,
        tx_rate_mbps=tx,
        rx_rate_mbps=rx,
    )
    assert link_rate_ratio(link) == ratio


# --- security ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("security", "cipher", "klass", "insecure"),
    [
        (Security.OPEN, None, SecurityClass.OPEN, True),
        (Security.WEP, "WEP-104", SecurityClass.WEP, True),
        (Security.WPA_TKIP, "TKIP", SecurityClass.TKIP_ONLY, True),
        (Security.WPA2, "TKIP", SecurityClass.TKIP_ONLY, True),
        (Security.ENTERPRISE, "TKIP", SecurityClass.TKIP_ONLY, True),
        (Security.WPA2, "TKIP CCMP", SecurityClass.SECURE, False),
        (Security.WPA2, "AES,TKIP", SecurityClass.SECURE, False),
        (Security.WPA2, None, SecurityClass.SECURE, False),
        (Security.WPA3, "GCMP-256", SecurityClass.SECURE, False),
        (Security.WPA2_WPA3, "CCMP", SecurityClass.SECURE, False),
        (Security.OWE, "CCMP", SecurityClass.SECURE, False),
        (Security.ENTERPRISE, "CCMP", SecurityClass.SECURE, False),
        (Security.UNKNOWN, None, SecurityClass.UNKNOWN, False),
    ],
    ids=[
        "open",
        "wep",
        "wpa1",
        "wpa2-tkip-only",
        "enterprise-tkip-only",
        "wpa2-mixed",
        "macos-mixed",
        "wpa2-cipher-unknown",
        "wpa3",
        "transition",
        "owe",
        "enterprise",
        "unknown",
    ],
)
def test_security_class(
    security: Security, cipher: str | None, klass: SecurityClass, insecure: bool
) -> None:
    result = security_class(security, cipher)
    assert (result, result.insecure) == (klass, insecure)
