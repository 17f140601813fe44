"""Pieces of ``iw`` output that several ``iw`` commands print the same way.

Bit rates, as ``iw`` formats them in ``link`` and ``station dump`` (iw's ``parse_bitrate``)::

    54.0 MBit/s
    144.4 MBit/s MCS 15 short GI
    866.7 MBit/s VHT-MCS 9 80MHz short GI VHT-NSS 2
    1200.9 MBit/s 80MHz HE-MCS 11 HE-NSS 2 HE-GI 0 HE-DCM 0
    2882.4 MBit/s 320MHz EHT-MCS 13 EHT-NSS 1 EHT-GI 0

SSIDs, as iw's ``print_ssid_escaped`` writes them: printable ASCII as is, a space as is unless first
or last, every other byte (UTF-8, backslash, NUL) as ``\\xNN``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from homediag.net.os.wifi_types import Band, PhyMode, SsidHiddenReason, clean_ssid

_ESCAPE_RE = re.compile(r"\\x([0-9a-fA-F]{2})")


def unescape_ssid(text: str) -> tuple[str | None, SsidHiddenReason | None]:
    """The SSID iw printed with ``\\xNN`` escapes, decoded as UTF-8, or why it is hidden."""
    raw = bytearray()
    position = 0
    for match in _ESCAPE_RE.finditer(text):
        raw += text[position : match.start()].encode("utf-8", "replace")
        raw.append(int(match.group(1), 16))
        position = match.end()
    raw += text[position:].encode("utf-8", "replace")
    if raw and not raw.strip(b"\x00"):
        return None, SsidHiddenReason.NOT_BROADCAST
    return clean_ssid(raw.decode("utf-8", "replace"))


@dataclass(frozen=True)
class RateInfo:
    """One ``tx bitrate`` / ``rx bitrate`` value."""

    rate_mbps: float | None
    phy_mode: PhyMode | None
    """n/ac/ax/be from the MCS kind; None for a legacy rate (the band decides a/b/g)."""
    mcs: int | None = None
    nss: int | None = None
    width_mhz: int | None = None
    short_gi: bool = False
    guard_interval_ns: int | None = None
    """400 for an HT/VHT ``short GI``, else 800; HE and EHT print ``HE-GI 0/1/2`` (0.8/1.6/3.2 us)."""


_RATE_RE = re.compile(r"^\s*(\d{1,6}(?:\.\d{1,3})?)\s*MBit/s", re.IGNORECASE)
_WIDTH_RE = re.compile(r"\b(40|80|160|320|80P80)MHz\b", re.IGNORECASE)
_KIND_MCS_RE = re.compile(r"\b(EHT|HE|VHT)-MCS\s+(\d{1,3})\b")
_KIND_NSS_RE = re.compile(r"\b(EHT|HE|VHT)-NSS\s+(\d{1,2})\b")
_HT_MCS_RE = re.compile(r"(?<![-\w])MCS\s+(\d{1,3})\b")
_KIND_MODE = {"EHT": PhyMode.BE, "HE": PhyMode.AX, "VHT": PhyMode.AC}
_KIND_GI_RE = re.compile(r"\b(?:EHT|HE)-GI\s+([0-2])\b")
_HE_GI_NS = {0: 800, 1: 1600, 2: 3200}


def _guard_interval(text: str, kind: str | None) -> int:
    if kind in ("HE", "EHT"):
        match = _KIND_GI_RE.search(text)
        return _HE_GI_NS[int(match.group(1))] if match else 800
    return 400 if "short GI" in text else 800


def parse_bitrate(text: str) -> RateInfo:
    """Read a bit rate value of ``iw`` (see the module docstring for the forms)."""
    match = _RATE_RE.match(text)
    rate = float(match.group(1)) if match else None
    width_match = _WIDTH_RE.search(text)
    width: int | None = None
    if width_match:
        width = 160 if width_match.group(1).upper() == "80P80" else int(width_match.group(1))
    kind = _KIND_MCS_RE.search(text)
    if kind:
        nss_match = _KIND_NSS_RE.search(text)
        return RateInfo(
            rate_mbps=rate,
            phy_mode=_KIND_MODE[kind.group(1)],
            mcs=int(kind.group(2)),
            nss=int(nss_match.group(2)) if nss_match else None,
            width_mhz=width or 20,
            short_gi="short GI" in text,
            guard_interval_ns=_guard_interval(text, kind.group(1)),
        )
    ht = _HT_MCS_RE.search(text)
    if ht:
        index = int(ht.group(1))
        return RateInfo(
            rate_mbps=rate,
            phy_mode=PhyMode.N,
            mcs=index % 8 if index < 32 else index,
            nss=index // 8 + 1 if index < 32 else None,
            width_mhz=width or 20,
            short_gi="short GI" in text,
            guard_interval_ns=_guard_interval(text, None),
        )
    return RateInfo(rate_mbps=rate, phy_mode=None, width_mhz=width)


_DSSS_RATES = frozenset({1.0, 2.0, 5.5, 11.0})


def legacy_mode(band: Band | None, rates: list[float]) -> PhyMode | None:
    """The legacy mode of a non-HT rate: a on 5/6 GHz, b for DSSS rates on 2.4 GHz, else g."""
    if band is None:
        return None
    if band is not Band.GHZ_2_4:
        return PhyMode.A
    if rates and all(rate in _DSSS_RATES for rate in rates):
        return PhyMode.B
    return PhyMode.G


def best_rate(*infos: RateInfo | None) -> RateInfo | None:
    """The rate of the newest generation among ``infos`` (then the fastest)."""
    present = [info for info in infos if info is not None]
    if not present:
        return None
    return max(
        present,
        key=lambda info: (
            info.phy_mode.rank if info.phy_mode else -1,
            info.rate_mbps or 0.0,
        ),
    )
