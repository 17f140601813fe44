"""Pure Wi-Fi analysis on parsed links and scans: channel congestion, the best channel per band,
band steering, the rate a link should reach, and how safe its security is.

Nothing here touches the network or judges: it computes the numbers the ``wifi`` probes report as
facts (a congestion score, a rate ratio, a security class) and that playbooks then judge.

Sources of the constants
------------------------
Clause-level references; table numbers move between editions of the standard.

- Channel centre frequencies and the 5/6 GHz bonding blocks: IEEE 802.11-2020 Annex E (operating
  classes). 6 GHz preferred scanning channels (PSC, every fourth 20 MHz channel from 5):
  IEEE 802.11ax-2021, 6 GHz band operation.
- 2.4 GHz overlap: an 802.11b/g transmission occupies about 22 MHz (the DSSS transmit spectrum
  mask, IEEE 802.11-2020 clause 15/16), channels are 5 MHz apart, so two 20 MHz channels overlap
  unless they are 5 or more channels apart: 1, 6 and 11 are the only three that never touch.
- Deferral thresholds: an OFDM station must detect a 20 MHz preamble at -82 dBm and defer to any
  energy above -62 dBm (IEEE 802.11-2020 clause 17, CCA requirements).
- Receiver minimum sensitivity per MCS at 20 MHz (-82 dBm for MCS 0 ... -64 for MCS 7, -59/-57 for
  the 256-QAM MCS 8/9, -54/-52 for the 1024-QAM MCS 10/11): the "receiver minimum input
  sensitivity" tables of IEEE 802.11-2020 clause 19 (HT) and 21 (VHT) and IEEE 802.11ax-2021
  clause 27 (HE). The 4096-QAM MCS 12/13 of 802.11be (-49/-46 dBm) continue the same 3 dB steps
  and are approximate. Each doubling of the width needs 3 dB more (the same tables). Legacy
  rates: IEEE 802.11-2020 clause 17 (OFDM, -82 dBm at 6 Mbit/s ... -65 dBm at 54 Mbit/s) and the
  HR/DSSS clause (-76 dBm at 11 Mbit/s); the lower DSSS steps are approximate.
- The SNR a rate needs: the standard's sensitivities assume a 10 dB noise figure on the thermal
  floor of a 20 MHz channel (-174 dBm/Hz + 73 dB = -101 dBm, so -91 dBm with the noise figure):
  the SNR behind each sensitivity is ``sensitivity + 91`` dB (27 dB for MCS 7, 34 dB for MCS 9),
  2-4 dB above the usual vendor tables. Real receivers also beat the minimum sensitivities, so
  the model expects *less* than a good link reaches: a low ratio means a real shortfall.
- PHY rates: data subcarriers x bits per symbol x coding rate / symbol time, with the subcarrier
  counts of the HT, VHT and HE PHY clauses (52/108/234/468 for HT/VHT at 20-160 MHz,
  234/468/980/1960/3920 for HE/EHT at 20-320 MHz), the long guard interval for HT/VHT (4.0 us
  symbols) and 0.8 us for HE/EHT (13.6 us symbols). Checks: VHT80 MCS 9 1SS short GI 433.3,
  HE80 MCS 11 1SS 600.5, EHT320 MCS 13 1SS 2882.4 Mbit/s.
- Weak signal -70 dBm, "usable" 5/6 GHz alternative at -70 dBm or better:
docs/probes-and-playbooks.md#thresholds.
- Insecure: open, WEP and TKIP (IEEE 802.11-2020 deprecates WEP and TKIP; the Wi-Fi Alliance has
  not certified TKIP-only or WEP networks since 2014/2015); ChromeOS's HasSecureWiFiConnection
  treats open and WEP as insecure the same way (as Windows, NetSpot and WiFi Analyzer do).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from homediag.net.os.wifi_types import (
    Band,
    PhyMode,
    Security,
    WifiLink,
    WifiNetwork,
    channel_to_frequency,
)

# --- channel geometry ---------------------------------------------------------------------------

DSSS_WIDTH_MHZ = 22.0
"""Spectrum a 20 MHz transmission occupies on 2.4 GHz (see the module docstring)."""

_BLOCK_BASE = {Band.GHZ_5: (36, 149), Band.GHZ_6: (1,)}


def _block_start(band: Band, channel: int, width: int) -> int:
    """First 20 MHz channel of the fixed bonding block of ``width`` that holds ``channel``."""
    step = width // 5
    bases = _BLOCK_BASE[band]
    base = max((b for b in bases if b <= channel), default=bases[0])
    return base + ((channel - base) // step) * step


def channel_span(
    band: Band, channel: int, width_mhz: int | None = 20, center_mhz: int | None = None
) -> tuple[float, float] | None:
    """Frequencies (low, high) in MHz a BSS with this primary channel and width occupies.

    On 5 and 6 GHz a bonded channel is one of the fixed blocks the primary channel belongs to
    (36-48 for 80 MHz on channel 44). On 2.4 GHz a 40 MHz channel goes above the primary on
    channels 1-7 and below on 8-13 unless the centre is known (the usual HT40+/HT40- split).
    """
    width = width_mhz or 20
    primary = channel_to_frequency(band, channel)
    if primary is None:
        return None
    if band is Band.GHZ_2_4:
        half = DSSS_WIDTH_MHZ / 2
        if width < 40:
            return primary - half, primary + half
        center = center_mhz if center_mhz is not None else primary + (10 if channel <= 7 else -10)
        return center - 10 - half, center + 10 + half
    if width <= 20:
        return primary - 10.0, primary + 10.0
    if center_mhz is not None and abs(center_mhz - primary) < width / 2:
        return center_mhz - width / 2, center_mhz + width / 2
    start = channel_to_frequency(band, _block_start(band, channel, width))
    if start is None:
        return primary - 10.0, primary + 10.0
    return start - 10.0, start - 10.0 + width


def overlap_mhz(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Width of the intersection of two frequency ranges."""
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def _primary_span(band: Band, channel: int) -> tuple[float, float] | None:
    return channel_span(band, channel, 20)


# --- channel plans ------------------------------------------------------------------------------


class ChannelPlan(StrEnum):
    """Which channels a recommendation may use."""

    COMMON = "common"
    """Legal in Europe and North America alike: 5 GHz UNII-1 and the DFS channels 52-140,
    6 GHz up to channel 93 (5945-6425 MHz, the European allocation)."""
    FCC = "fcc"
    """United States and Canada: adds UNII-3 (149-165), channel 144 and all of 6 GHz."""


_FCC_COUNTRIES = frozenset({"US", "CA", "MX", "PR"})


def plan_for_country(country: str | None) -> ChannelPlan:
    """The channel plan for a country code an access point announces (``US``, ``DE``...)."""
    return ChannelPlan.FCC if (country or "").upper() in _FCC_COUNTRIES else ChannelPlan.COMMON


def plan_for_networks(networks: Iterable[WifiNetwork]) -> ChannelPlan:
    """The channel plan of the country most access points in range announce (COMMON if none)."""
    counts = Counter(net.country.upper() for net in networks if net.country)
    return plan_for_country(counts.most_common(1)[0][0]) if counts else ChannelPlan.COMMON


DFS_CHANNELS = frozenset(range(52, 145, 4))
"""5 GHz channels that need radar detection (UNII-2A 52-64 and UNII-2C 100-144)."""
PSC_CHANNELS = tuple(range(5, 234, 16))
"""6 GHz preferred scanning channels: clients find access points there first."""


def allowed_channels(band: Band, plan: ChannelPlan = ChannelPlan.COMMON) -> tuple[int, ...]:
    """Every 20 MHz channel the plan allows on ``band``."""
    if band is Band.GHZ_2_4:
        return tuple(range(1, 12)) if plan is ChannelPlan.FCC else tuple(range(1, 14))
    if band is Band.GHZ_5:
        common = (36, 40, 44, 48, 52, 56, 60, 64, *range(100, 141, 4))
        return (*common, 144, 149, 153, 157, 161, 165) if plan is ChannelPlan.FCC else common
    return tuple(range(1, 234, 4)) if plan is ChannelPlan.FCC else tuple(range(1, 94, 4))


def candidate_channels(
    band: Band, width_mhz: int = 20, plan: ChannelPlan = ChannelPlan.COMMON
) -> tuple[int, ...]:
    """Primary channels worth recommending for ``width_mhz``: 1/6/11 on 2.4 GHz; on 5 GHz every
    primary whose whole bonding block is allowed; on 6 GHz the PSC channels that fit."""
    if band is Band.GHZ_2_4:
        return (1, 6, 11)
    allowed = set(allowed_channels(band, plan))
    pool = PSC_CHANNELS if band is Band.GHZ_6 else tuple(sorted(allowed))
    result = []
    for channel in pool:
        if channel not in allowed:
            continue
        if width_mhz > 20:
            start = _block_start(band, channel, width_mhz)
            if any(start + 4 * i not in allowed for i in range(width_mhz // 20)):
                continue
        result.append(channel)
    return tuple(result)


# --- congestion ---------------------------------------------------------------------------------

SIGNAL_FLOOR_DBM = -90.0
"""A neighbour this weak or weaker is below what receivers decode: it costs no airtime."""
SIGNAL_FULL_DBM = -60.0
"""A neighbour this strong or stronger defers us whenever it transmits (beyond the -62 dBm
energy-detect threshold, with a little margin for the access point sitting elsewhere)."""
UNKNOWN_SIGNAL_WEIGHT = 0.5
"""Weight of a neighbour whose signal the tool did not report (macOS 15 for most networks)."""
DFS_PENALTY = 0.5
"""Score a DFS channel must beat a non-DFS one by: radar events force sudden channel changes and
every start waits out a channel availability check (60 s, 10 min on the weather-radar channels)."""


def signal_weight(signal_dbm: float | None) -> float:
    """How much one neighbour radio counts, from 0 (inaudible) to 1 (always heard).

    Linear in dB between :data:`SIGNAL_FLOOR_DBM` and :data:`SIGNAL_FULL_DBM`. Deferral itself is
    all-or-nothing at the client, but the access point and the other clients sit elsewhere, so a
    neighbour heard at -82 dBm here is heard by some of them and not by others: a ramp models that
    uncertainty better than a step. Power (mW) weighting would let one -40 dBm neighbour outweigh a
    hundred at -70 dBm, although each of those takes airtime too.
    """
    if signal_dbm is None:
        return UNKNOWN_SIGNAL_WEIGHT
    ramp = (signal_dbm - SIGNAL_FLOOR_DBM) / (SIGNAL_FULL_DBM - SIGNAL_FLOOR_DBM)
    return min(1.0, max(0.0, ramp))


@dataclass(frozen=True)
class ChannelScore:
    """Congestion of one candidate channel."""

    band: Band
    channel: int
    width_mhz: int
    score: float
    """Sum over neighbour radios of signal weight x overlap (see :func:`congestion_scores`)."""
    radios: int
    """Neighbour radios that overlap the channel at all."""
    dfs: bool


@dataclass(frozen=True)
class _Radio:
    band: Band
    span: tuple[float, float]
    weight: float


def _radio_key(network: WifiNetwork) -> tuple[object, ...]:
    """One physical radio: virtual access points of one radio (a guest SSID beside the main one)
    share the channel and the middle four octets of their BSSIDs, vendors vary the first octet
    (locally administered bit) or the last one. Entries without a BSSID count on their own."""
    if network.bssid is None:
        return (id(network),)
    octets = network.bssid.split(":")
    return (network.band, network.channel, tuple(octets[1:5]))


def _radios(networks: Iterable[WifiNetwork], band: Band, exclude_bssids: Iterable[str]) -> list[_Radio]:
    excluded = {bssid.lower() for bssid in exclude_bssids}
    best: dict[tuple[object, ...], _Radio] = {}
    for network in networks:
        if network.band is not band or network.channel is None:
            continue
        if network.bssid is not None and network.bssid in excluded:
            continue
        span = channel_span(band, network.channel, network.width_mhz, network.center_mhz)
        if span is None:
            continue
        radio = _Radio(band=band, span=span, weight=signal_weight(network.signal_dbm))
        key = _radio_key(network)
        if key not in best or radio.weight > best[key].weight:
            best[key] = radio
    return list(best.values())


def congestion_scores(
    networks: Iterable[WifiNetwork],
    band: Band,
    *,
    width_mhz: int = 20,
    channels: Sequence[int] | None = None,
    plan: ChannelPlan = ChannelPlan.COMMON,
    exclude_bssids: Iterable[str] = (),
) -> tuple[ChannelScore, ...]:
    """Congestion score of each candidate channel on ``band`` for a network ``width_mhz`` wide.

    ``score = sum over neighbour radios of weight(signal) x share``, where ``weight`` is
    :func:`signal_weight` (a stronger neighbour counts more, up to 1) and ``share`` is 1 when the
    neighbour's channel covers our primary 20 MHz channel (we must defer to it completely) and
    otherwise the share of our channel's bandwidth it covers (it only takes the secondary channels,
    or, on 2.4 GHz, overlaps partly: 0.77 one channel apart, 0.09 four apart, 0 from five on).
    A score of 1 is one strong co-channel neighbour; two at -75 dBm also make 1.

    Virtual access points of one radio count once (the strongest); ``exclude_bssids`` leaves out
    the user's own access point. ``channels`` defaults to :func:`candidate_channels`.
    """
    radios = _radios(networks, band, exclude_bssids)
    candidates = channels if channels is not None else candidate_channels(band, width_mhz, plan)
    scores = []
    for channel in candidates:
        span = channel_span(band, channel, width_mhz)
        primary = _primary_span(band, channel)
        if span is None or primary is None:
            continue
        total = 0.0
        count = 0
        for radio in radios:
            covered = overlap_mhz(radio.span, span)
            if covered <= 0:
                continue
            count += 1
            on_primary = band is not Band.GHZ_2_4 and overlap_mhz(radio.span, primary) > 0
            share = 1.0 if on_primary else covered / (span[1] - span[0])
            total += radio.weight * share
        scores.append(
            ChannelScore(
                band=band,
                channel=channel,
                width_mhz=width_mhz,
                score=round(total, 3),
                radios=count,
                dfs=band is Band.GHZ_5 and _block_has_dfs(channel, width_mhz),
            )
        )
    return tuple(scores)


def _block_has_dfs(channel: int, width_mhz: int) -> bool:
    if width_mhz <= 20:
        return channel in DFS_CHANNELS
    start = _block_start(Band.GHZ_5, channel, width_mhz)
    return any(start + 4 * i in DFS_CHANNELS for i in range(width_mhz // 20))


@dataclass(frozen=True)
class ChannelAdvice:
    """The current channel's score next to the best one on the same band."""

    band: Band
    best: ChannelScore
    current: ChannelScore | None
    ranking: tuple[ChannelScore, ...]
    """Every candidate, best first."""


def best_channel(
    networks: Iterable[WifiNetwork],
    band: Band,
    *,
    width_mhz: int = 20,
    current_channel: int | None = None,
    plan: ChannelPlan = ChannelPlan.COMMON,
    exclude_bssids: Iterable[str] = (),
) -> ChannelAdvice | None:
    """The least congested candidate channel on ``band``.

    Ranked by score, a DFS channel paying :data:`DFS_PENALTY`; ties go to the current channel (no
    pointless move), then to non-DFS, then to the lower channel. None when the plan has no
    candidate for this width.
    """
    networks = list(networks)
    scores = congestion_scores(networks, band, width_mhz=width_mhz, plan=plan, exclude_bssids=exclude_bssids)
    if not scores:
        return None
    ranking = tuple(
        sorted(
            scores,
            key=lambda s: (
                round(s.score + (DFS_PENALTY if s.dfs else 0.0), 3),
                s.channel != current_channel,
                s.dfs,
                s.channel,
            ),
        )
    )
    current = None
    if current_channel is not None:
        current = next((s for s in scores if s.channel == current_channel), None)
        if current is None:
            measured = congestion_scores(
                networks,
                band,
                width_mhz=width_mhz,
                channels=(current_channel,),
                exclude_bssids=exclude_bssids,
            )
            current = measured[0] if measured else None
    return ChannelAdvice(band=band, best=ranking[0], current=current, ranking=ranking)


def best_channels(
    networks: Iterable[WifiNetwork],
    *,
    widths: dict[Band, int] | None = None,
    current: dict[Band, int] | None = None,
    plan: ChannelPlan = ChannelPlan.COMMON,
    exclude_bssids: Iterable[str] = (),
) -> dict[Band, ChannelAdvice]:
    """:func:`best_channel` for each band (20 MHz on 2.4 GHz, 80 MHz on 5 and 6 GHz by default)."""
    networks = list(networks)
    excluded = list(exclude_bssids)
    chosen_widths = {Band.GHZ_2_4: 20, Band.GHZ_5: 80, Band.GHZ_6: 80, **(widths or {})}
    result = {}
    for band in Band:
        advice = best_channel(
            networks,
            band,
            width_mhz=chosen_widths[band],
            current_channel=(current or {}).get(band),
            plan=plan,
            exclude_bssids=excluded,
        )
        if advice is not None:
            result[band] = advice
    return result


# --- band steering ------------------------------------------------------------------------------

USABLE_SIGNAL_DBM = -70.0
"""A 5 or 6 GHz access point at least this strong is a better home than 2.4 GHz
(docs/probes-and-playbooks.md#thresholds: weaker
than -70 dBm is a weak signal)."""


def stuck_on_24ghz(
    link: WifiLink, neighbours: Iterable[WifiNetwork], *, usable_dbm: float = USABLE_SIGNAL_DBM
) -> WifiNetwork | None:
    """The strongest 5/6 GHz access point of the same network when the link sits on 2.4 GHz.

    "The same network" is the same SSID (and not an open twin of a protected network). Returns None
    when the link is not on 2.4 GHz, when its SSID is unknown (hidden or redacted), or when no such
    access point reaches ``usable_dbm``.
    """
    if link.band is not Band.GHZ_2_4 or link.ssid is None:
        return None
    link_open = security_class(link.security, link.cipher) is SecurityClass.OPEN
    candidates = [
        net
        for net in neighbours
        if net.ssid == link.ssid
        and net.band in (Band.GHZ_5, Band.GHZ_6)
        and net.signal_dbm is not None
        and net.signal_dbm >= usable_dbm
        and (link_open or security_class(net.security, net.cipher) is not SecurityClass.OPEN)
    ]
    return max(candidates, key=lambda net: net.signal_dbm or -200.0, default=None)


# --- expected rate ------------------------------------------------------------------------------

SENSITIVITY_20MHZ_DBM = (-82, -79, -77, -74, -70, -66, -65, -64, -59, -57, -54, -52, -49, -46)
"""Minimum input sensitivity for MCS 0-13 at 20 MHz (sources in the module docstring)."""
SNR_OFFSET_DB = 91.0
"""SNR needed by an MCS = its 20 MHz sensitivity + this (see the module docstring)."""
_MAX_MCS = {PhyMode.N: 7, PhyMode.AC: 9, PhyMode.AX: 11, PhyMode.BE: 13}
_MAX_WIDTH = {PhyMode.N: 40, PhyMode.AC: 160, PhyMode.AX: 160, PhyMode.BE: 320}
_BITS = (1, 2, 2, 4, 4, 6, 6, 6, 8, 8, 10, 10, 12, 12)
_CODING = (
    *(1 / 2, 1 / 2, 3 / 4, 1 / 2, 3 / 4, 2 / 3, 3 / 4, 5 / 6),
    *(3 / 4, 5 / 6, 3 / 4, 5 / 6, 3 / 4, 5 / 6),
)
_SUBCARRIERS_HT = {20: 52, 40: 108, 80: 234, 160: 468}
_SUBCARRIERS_HE = {20: 234, 40: 468, 80: 980, 160: 1960, 320: 3920}
_SYMBOL_US_HT = 4.0
_SYMBOL_US_HE = 13.6
_OFDM_LEGACY = (
    (54.0, -65),
    (48.0, -66),
    (36.0, -70),
    (24.0, -74),
    (18.0, -77),
    (12.0, -79),
    (9.0, -81),
    (6.0, -82),
)
_DSSS_LEGACY = ((11.0, -76), (5.5, -80), (2.0, -84), (1.0, -88))


def phy_rate_mbps(phy_mode: PhyMode, width_mhz: int, nss: int, mcs: int) -> float:
    """Data rate of an HT/VHT/HE/EHT MCS (long guard interval for HT/VHT, 0.8 us for HE/EHT)."""
    if phy_mode.legacy or not 0 <= mcs < len(_BITS):
        raise ValueError(f"no MCS {mcs} rate for 802.11{phy_mode.value}")
    he = phy_mode in (PhyMode.AX, PhyMode.BE)
    table = _SUBCARRIERS_HE if he else _SUBCARRIERS_HT
    width = max((w for w in table if w <= min(width_mhz, _MAX_WIDTH[phy_mode])), default=20)
    symbol = _SYMBOL_US_HE if he else _SYMBOL_US_HT
    return nss * table[width] * _BITS[mcs] * _CODING[mcs] / symbol


@dataclass(frozen=True)
class RateEstimate:
    """The PHY rate a link should reach, and from what."""

    expected_mbps: float
    phy_mode: PhyMode
    width_mhz: int
    nss: int
    mcs: int | None
    """None for legacy rates."""
    basis: Literal["snr", "rssi"]
    assumed: tuple[str, ...]
    """What the link did not say and the model assumed (``width``, ``nss``)."""


def expected_rate(link: WifiLink, *, nss: int | None = None) -> RateEstimate | None:
    """The highest rate the link's mode, width and signal allow, or None without mode and signal.

    Uses the SNR when the noise is known, else the signal against the receiver sensitivities. Width
    defaults to 20 MHz and the number of spatial streams to 1 when the link does not tell them
    (both assumptions lower the expectation, so they cannot cause a false "low rate").
    """
    mode = link.phy_mode
    signal = link.signal_dbm
    if mode is None or signal is None:
        return None
    basis: Literal["snr", "rssi"] = "snr" if link.snr_db is not None else "rssi"
    # The SNR basis turns the SNR into the signal a receiver at the standard's noise floor sees.
    level = link.snr_db - SNR_OFFSET_DB if link.snr_db is not None else signal
    assumed: list[str] = []
    width = link.width_mhz
    if width is None:
        width = 20
        assumed.append("width")
    streams = nss or link.nss
    if streams is None:
        streams = 1
        assumed.append("nss")
    if mode.legacy:
        table = _DSSS_LEGACY if mode is PhyMode.B else _OFDM_LEGACY
        rate = next((r for r, sensitivity in table if level >= sensitivity), table[-1][0])
        return RateEstimate(rate, mode, 20, 1, None, basis, tuple(assumed))
    width = min(width, _MAX_WIDTH[mode])
    penalty = 3.0 * math.log2(max(width, 20) / 20)
    best = 0
    for mcs in range(_MAX_MCS[mode] + 1):
        if level >= SENSITIVITY_20MHZ_DBM[mcs] + penalty:
            best = mcs
    rate = phy_rate_mbps(mode, width, streams, best)
    return RateEstimate(round(rate, 1), mode, width, streams, best, basis, tuple(assumed))


def link_rate_ratio(link: WifiLink) -> float | None:
    """Actual rate / expected rate (for ``wifi.low-rate``), or None when either is unknown.

    The actual rate is the higher of the transmit and receive rates. Idle links drop to low rates
    (``iw`` often shows 6 Mbit/s on a quiet 5 GHz link): a probe should read the rate while some
    traffic flows, or check the packet counters, before a low ratio means anything.
    """
    rates = [rate for rate in (link.tx_rate_mbps, link.rx_rate_mbps) if rate is not None]
    estimate = expected_rate(link)
    if not rates or estimate is None or estimate.expected_mbps <= 0:
        return None
    return round(max(rates) / estimate.expected_mbps, 3)


# --- security -----------------------------------------------------------------------------------


class SecurityClass(StrEnum):
    """Whether a network's protection is acceptable today (``wifi.insecure``)."""

    SECURE = "secure"
    OPEN = "open"
    """No encryption at all (Enhanced Open / OWE does not count: it encrypts)."""
    WEP = "wep"
    TKIP_ONLY = "tkip-only"
    """WPA (first generation) or a network whose only cipher is TKIP."""
    UNKNOWN = "unknown"

    @property
    def insecure(self) -> bool:
        """Whether this calls for ``wifi.insecure``."""
        return self in (SecurityClass.OPEN, SecurityClass.WEP, SecurityClass.TKIP_ONLY)


def security_class(security: Security, cipher: str | None = None) -> SecurityClass:
    """Classify a network's security; ``cipher`` (the tool's pairwise cipher names) catches a WPA2
    network that offers TKIP only."""
    if security is Security.OPEN:
        return SecurityClass.OPEN
    if security is Security.WEP:
        return SecurityClass.WEP
    if security is Security.WPA_TKIP:
        return SecurityClass.TKIP_ONLY
    if security is Security.UNKNOWN:
        return SecurityClass.UNKNOWN
    tokens = set(re.split(r"[\s/,+-]+", (cipher or "").lower())) - {""}
    if "tkip" in tokens and not tokens & {"ccmp", "aes", "gcmp", "gcmp-256", "ccmp-256"}:
        return SecurityClass.TKIP_ONLY
    return SecurityClass.SECURE
