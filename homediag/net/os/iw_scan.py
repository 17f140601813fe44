"""Parser of ``iw dev IF scan`` and ``iw dev IF scan dump`` (Linux): every BSS in range.

Sample (abridged; real output has many more elements per BSS)::

    BSS 02:00:00:00:00:01(on wlan0) -- associated
            last seen: 710.456s [boottime]
            TSF: 0 usec (0d, 00:00:00)
            freq: 5180
            beacon interval: 100 TUs
            capability: ESS Privacy SpectrumMgmt ShortSlotTime (0x1511)
            signal: -52.00 dBm
            last seen: 0 ms ago
            SSID: example-net
            RSN:     * Version: 1
                     * Group cipher: CCMP
                     * Pairwise ciphers: CCMP
                     * Authentication suites: PSK SAE
            HT operation:
                     * primary channel: 36
                     * secondary channel offset: above
            VHT operation:
                     * channel width: 1 (80 MHz)
                     * center freq segment 1: 42

Written by hand: jc's ``iw_scan`` parser (marked beta) loses its place in real outputs. On the
recorded outputs in ``shared/fixtures/real-outputs/iw-dev-scan`` it files the SSID of a BSS under
``information_elements_from_probe_response_frame_ssid`` and, after an ``Extended capabilities``
list, returns the signal of the next BSS as a string under ``extended_capabilities_signal``.

Elements are found by their indentation: a line indented like the first line after ``BSS`` starts
an element, deeper lines belong to it (tabs or the spaces a paste turned them into both work).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from homediag.net.errors import ParseError
from homediag.net.os._iw_common import legacy_mode, unescape_ssid
from homediag.net.os._wifi_common import (
    SCAN_MAX_CHARS,
    check_text,
    first_int,
    first_number,
    plausible_dbm,
    security_from_akms,
)
from homediag.net.os.wifi_types import (
    Band,
    BssType,
    PhyMode,
    Security,
    SsidHiddenReason,
    WifiNetwork,
    WifiScan,
    channel_to_frequency,
    frequency_to_channel,
    normalise_mac,
)

_BSS_RE = re.compile(r"^BSS\s+([0-9a-fA-F:]{11,17})\s*(?:\(on\s+([^)\s]+)\))?\s*(?:--\s*(\w+))?")
_ELEMENT_RE = re.compile(r"^([A-Za-z0-9][^:]{0,80}):\s?(.*)$")
_ITEM_RE = re.compile(r"^\*?\s*([A-Za-z0-9][^:]{0,80}):\s*(.*)$")


@dataclass
class _Element:
    value: str
    items: list[str] = field(default_factory=list)

    def item(self, name: str) -> str | None:
        """The value of ``* name: value`` (or ``name: value``) among the element's lines."""
        wanted = name.lower()
        for line in [self.value, *self.items]:
            match = _ITEM_RE.match(line.strip())
            if match and match.group(1).strip().lower() == wanted:
                return match.group(2).strip()
        return None


def parse_iw_scan(text: str) -> WifiScan:
    """Read ``iw dev IF scan`` or ``iw dev IF scan dump``."""
    text = check_text(text, SCAN_MAX_CHARS, "iw scan")
    blocks: list[tuple[re.Match[str], list[str]]] = []
    for line in text.splitlines():
        header = _BSS_RE.match(line)
        if header:
            blocks.append((header, []))
        elif blocks:
            blocks[-1][1].append(line)
    if not blocks:
        if text.strip() and not text.strip().lower().startswith("scan aborted"):
            raise ParseError("iw scan: no 'BSS' block found")
        return WifiScan()
    networks = [net for header, lines in blocks if (net := _network(header, lines)) is not None]
    interfaces = {net.interface for net in networks}
    return WifiScan(
        networks=tuple(networks),
        interface=interfaces.pop() if len(interfaces) == 1 else None,
    )


def _indent(line: str) -> int:
    return len(line.expandtabs(8)) - len(line.expandtabs(8).lstrip())


def _elements(lines: list[str]) -> dict[str, _Element]:
    """The elements of one BSS by lower-case name (the first of each name wins)."""
    result: dict[str, _Element] = {}
    base: int | None = None
    current: _Element | None = None
    for line in lines:
        if not line.strip():
            continue
        depth = _indent(line)
        if base is None:
            base = depth
        if depth <= base:
            match = _ELEMENT_RE.match(line.strip())
            if match is None:
                current = None
                continue
            name = match.group(1).strip().lower()
            current = _Element(value=match.group(2))
            result.setdefault(name, current)
        elif current is not None:
            current.items.append(line.strip())
    return result


def _network(header: re.Match[str], lines: list[str]) -> WifiNetwork | None:
    bssid = normalise_mac(header.group(1))
    if bssid is None:
        return None
    elements = _elements(lines)

    def value(name: str) -> str | None:
        element = elements.get(name)
        return element.value.strip() if element else None

    freq = first_number(value("freq"))
    found = frequency_to_channel(freq) if freq is not None else None
    band = found[0] if found else None
    channel = found[1] if found else first_int(value("ds parameter set"))

    ssid: str | None = None
    hidden: SsidHiddenReason | None = SsidHiddenReason.NOT_BROADCAST
    if "ssid" in elements:
        ssid, hidden = unescape_ssid(elements["ssid"].value.strip())

    signal_text = value("signal") or ""
    signal_dbm = plausible_dbm(first_number(signal_text)) if "dbm" in signal_text.lower() else None
    signal_percent = first_int(signal_text) if signal_text.endswith("/100") else None

    capability = (value("capability") or "").split()
    bss_type = BssType.INFRASTRUCTURE if "ESS" in capability else None
    if "IBSS" in capability:
        bss_type = BssType.AD_HOC
    if "mesh id" in elements:
        bss_type = BssType.MESH

    security, security_raw, cipher = _security(elements, privacy="Privacy" in capability)
    width, center_channel = _width(elements, band)
    center_mhz = channel_to_frequency(band, center_channel) if band is not None and center_channel else None
    load = elements.get("bss load")
    utilisation = first_number(load.item("channel utilisation")) if load else None
    country = (value("country") or "").split()
    return WifiNetwork(
        interface=header.group(2),
        associated=(header.group(3) or "").lower() == "associated",
        bssid=bssid,
        ssid=ssid,
        ssid_hidden_reason=hidden,
        frequency_mhz=round(freq) if freq is not None and found else None,
        band=band,
        channel=channel,
        width_mhz=width,
        center_mhz=center_mhz,
        signal_dbm=signal_dbm,
        signal_percent=signal_percent,
        phy_mode=_phy_mode(elements, band),
        security=security,
        security_raw=security_raw,
        cipher=cipher,
        country=country[0] if country and len(country[0]) == 2 else None,
        bss_type=bss_type,
        station_count=first_int(load.item("station count")) if load else None,
        channel_utilization_pct=(round(utilisation * 100 / 255, 1) if utilisation is not None else None),
    )


def _suites(element: _Element | None, name: str) -> list[str]:
    if element is None:
        return []
    text = element.item(name) or ""
    # "IEEE 802.1X" contains a space: keep it in one piece.
    return re.findall(r"IEEE 802\.1X(?:/[\w-]+)*|\S+", text)


def _security(elements: dict[str, _Element], *, privacy: bool) -> tuple[Security, str, str | None]:
    rsn = elements.get("rsn")
    wpa = elements.get("wpa")
    akms = _suites(rsn, "authentication suites") + _suites(wpa, "authentication suites")
    rsn_pairwise = _suites(rsn, "pairwise ciphers")
    wpa_pairwise = _suites(wpa, "pairwise ciphers")
    security = security_from_akms(
        akms=akms,
        pairwise=rsn_pairwise if rsn is not None else wpa_pairwise,
        rsn=rsn is not None,
        wpa=wpa is not None,
        privacy=privacy,
    )
    parts = []
    # iw's own defaults when an element stops early: TKIP/CCMP ciphers, 802.1X authentication.
    if wpa is not None:
        wpa_akms = " ".join(_suites(wpa, "authentication suites")) or "IEEE 802.1X"
        parts.append(f"WPA {wpa_akms} ({' '.join(wpa_pairwise) or 'TKIP'})")
    if rsn is not None:
        rsn_akms = " ".join(_suites(rsn, "authentication suites")) or "IEEE 802.1X"
        parts.append(f"RSN {rsn_akms} ({' '.join(rsn_pairwise) or 'CCMP'})")
    if not parts:
        parts.append("Privacy (WEP)" if privacy else "open")
    ciphers = list(dict.fromkeys(rsn_pairwise + wpa_pairwise))
    return security, "; ".join(parts), " ".join(ciphers) or None


_CENTER_ITEMS = ("center frequency segment 0", "center frequency segment 1")


def _width(elements: dict[str, _Element], band: Band | None) -> tuple[int | None, int | None]:
    """Operating width and centre channel, from the newest operation element present."""
    eht = elements.get("eht operation")
    if eht is not None:
        width = first_int(eht.item("channel width"))
        seg0 = first_int(eht.item("center frequency segment 0"))
        seg1 = first_int(eht.item("center frequency segment 1"))
        if width:
            return width, (seg1 if width >= 160 and seg1 else seg0)
    he = elements.get("he operation")
    if he is not None and he.item("channel width"):
        text = he.item("channel width") or ""
        width = 160 if "160" in text else first_int(text)
        seg0 = first_int(he.item("center frequency segment 0"))
        seg1 = first_int(he.item("center frequency segment 1"))
        if width:
            return width, (seg1 if width == 160 and seg1 else seg0)
    vht = elements.get("vht operation")
    if vht is not None:
        code = first_int(vht.item("channel width"))
        seg1 = first_int(vht.item("center freq segment 1"))
        seg2 = first_int(vht.item("center freq segment 2"))
        if code == 1 and seg1:
            if seg2 and abs(seg2 - seg1) == 8:
                return 160, seg2
            return (160, seg1) if seg2 else (80, seg1)
        if code in (2, 3) and seg1:
            return 160, seg1
    ht = elements.get("ht operation")
    if ht is not None:
        primary = first_int(ht.item("primary channel"))
        offset = (ht.item("secondary channel offset") or "").lower()
        if primary is not None and offset in ("above", "below"):
            return 40, primary + (2 if offset == "above" else -2)
        return 20, primary
    if band is not None:
        return 20, None
    return None, None


def _phy_mode(elements: dict[str, _Element], band: Band | None) -> PhyMode | None:
    if "eht capabilities" in elements or "eht operation" in elements:
        return PhyMode.BE
    if "he capabilities" in elements or "he operation" in elements:
        return PhyMode.AX
    if "vht capabilities" in elements or "vht operation" in elements:
        return PhyMode.AC
    if "ht capabilities" in elements or "ht operation" in elements:
        return PhyMode.N
    rates: list[float] = []
    for name in ("supported rates", "extended supported rates"):
        element = elements.get(name)
        if element:
            rates += [float(r) for r in re.findall(r"(\d{1,3}(?:\.\d)?)\*?", element.value)]
    return legacy_mode(band, rates)
