"""Parser of ``sudo wdutil info`` (macOS 12+): the Wi-Fi link and the addressing around it.

Sample (sections between rulers of U+2014 EM DASH; a line starting with ``:`` continues a list)::

    ————————————————————————————————————————————————————————————————————
    NETWORK
    ————————————————————————————————————————————————————————————————————
        Primary IPv4         : en0 (Wi-Fi / 00000000-0000-0000-0000-000000000000)
                             : 192.0.2.10
        DNS Addresses        : 192.0.2.1
    ————————————————————————————————————————————————————————————————————
    WIFI
    ————————————————————————————————————————————————————————————————————
        Interface Name       : en0
        Power                : On [On]
        Op Mode              : STA
        SSID                 : <redacted>
        BSSID                : <redacted>
        RSSI                 : -63 dBm
        CCA                  : 18 %
        Noise                : -97 dBm
        Tx Rate              : 162.0 Mbps
        Security             : WPA2 Personal
        PHY Mode             : 11ax
        MCS Index            : 8
        Guard Interval       : 1600
        NSS                  : 2
        Channel              : 2g11/20
        Country Code         : US

``wdutil`` only answers to root (:attr:`Limitation.NEEDS_ROOT` when it refuses) and macOS redacts
the SSID and BSSID without Location Services permission. macOS 12 prints the channel as
``144 (40 MHz, DFS)`` instead of ``5g144/40``. Written by hand: jc has no ``wdutil`` parser.
"""

from __future__ import annotations

import re
from ipaddress import IPv4Address, IPv6Address, ip_address

from homediag.net.errors import ParseError
from homediag.net.os._wifi_common import (
    LINK_MAX_CHARS,
    check_text,
    first_int,
    first_number,
    plausible_dbm,
    security_from_words,
)
from homediag.net.os.wifi_types import (
    Band,
    ConnectionState,
    Limitation,
    SsidHiddenReason,
    WdutilInfo,
    WifiLink,
    band_for_channel,
    clean_ssid,
    is_redacted,
    normalise_mac,
    parse_phy_mode,
    split_ht_mcs,
)

_RULER_RE = re.compile(r"^\s*[\u2014\u2013\-=_]{8,}\s*$")
_CHANNEL_NEW_RE = re.compile(r"^([256])g(\d{1,3})/(\d{2,3})$")
_CHANNEL_OLD_RE = re.compile(r"^(\d{1,3})\s*(?:\((\d{2,3})\s*MHz[^)]*\))?")
_BANDS = {"2": Band.GHZ_2_4, "5": Band.GHZ_5, "6": Band.GHZ_6}


def _sections(text: str) -> dict[str, dict[str, list[str]]]:
    """Section title -> field name -> values (continuation lines add values)."""
    sections: dict[str, dict[str, list[str]]] = {}
    lines = text.splitlines()
    current: dict[str, list[str]] | None = None
    last_key: str | None = None
    for index, line in enumerate(lines):
        if _RULER_RE.match(line):
            continue
        previous_ruler = index > 0 and _RULER_RE.match(lines[index - 1])
        next_ruler = index + 1 < len(lines) and _RULER_RE.match(lines[index + 1])
        if previous_ruler and next_ruler:
            current = sections.setdefault(line.strip().upper(), {})
            last_key = None
            continue
        if current is None:
            continue
        label, separator, rest = line.partition(":")
        if not separator:
            continue
        key, value = label.strip().lower(), rest.strip()
        if key:
            current.setdefault(key, []).append(value)
            last_key = key
        elif last_key is not None:
            current[last_key].append(value)
    return sections


def _address(text: str) -> IPv4Address | IPv6Address | None:
    try:
        words = text.split(maxsplit=1)
        return ip_address(words[0].split("%", maxsplit=1)[0]) if words else None
    except ValueError:
        return None


def _addresses(values: list[str]) -> tuple[IPv4Address | IPv6Address, ...]:
    return tuple(address for value in values if (address := _address(value)) is not None)


def _ipv4(values: list[str] | None) -> IPv4Address | None:
    for value in values or []:
        address = _address(value)
        if isinstance(address, IPv4Address):
            return address
    return None


def _missing(value: str | None) -> bool:
    return value is None or value.strip().lower() in ("", "none", "n/a")


def parse_wdutil_info(text: str) -> WdutilInfo:
    """Read ``wdutil info``."""
    text = check_text(text, LINK_MAX_CHARS, "wdutil info")
    sections = _sections(text)
    wifi = sections.get("WIFI")
    if wifi is None:
        if re.search(r"\b(root|sudo|superuser|privilege)", text, re.IGNORECASE):
            return WdutilInfo(link=WifiLink(limitations=(Limitation.NEEDS_ROOT,)))
        raise ParseError("wdutil info: no WIFI section")

    def get(key: str) -> str | None:
        values = wifi.get(key)
        return values[0] if values else None

    limitations: list[Limitation] = []
    power = (get("power") or "").lower()
    rssi = plausible_dbm(first_number(get("rssi")))
    raw_ssid = get("ssid")
    raw_bssid = get("bssid")
    if power.startswith("off"):
        state = ConnectionState.RADIO_OFF
    elif rssi is not None and (get("op mode") or "").upper() == "STA":
        state = ConnectionState.CONNECTED
    elif rssi is None and _missing(raw_bssid):
        state = ConnectionState.DISCONNECTED
    else:
        state = ConnectionState.UNKNOWN
    connected = state is ConnectionState.CONNECTED
    ssid: str | None = None
    hidden: SsidHiddenReason | None = None
    if connected:
        ssid, hidden = clean_ssid(None if _missing(raw_ssid) else raw_ssid)
        if hidden is not None or (raw_bssid is not None and is_redacted(raw_bssid)):
            limitations.append(Limitation.LOCATION_PERMISSION)
    band, channel, width = _channel(get("channel"))
    phy = parse_phy_mode(get("phy mode"))
    mcs, nss = split_ht_mcs(phy, first_int(get("mcs index")), first_int(get("nss")))
    security_raw = get("security")
    network = sections.get("NETWORK", {})
    primary = [value for value in network.get("primary ipv4") or [] if not _missing(value)]
    mac_text = (get("mac address") or "").split()
    link = WifiLink(
        interface=get("interface name") or None,
        state=state,
        mode=get("op mode") or None,
        ssid=ssid,
        ssid_hidden_reason=hidden,
        bssid=normalise_mac(raw_bssid) if connected else None,
        mac=normalise_mac(mac_text[0]) if mac_text else None,
        signal_dbm=rssi,
        noise_dbm=plausible_dbm(first_number(get("noise"))),
        channel_busy_pct=first_number(get("cca")),
        tx_rate_mbps=first_number(get("tx rate")) if connected else None,
        security=security_from_words(security_raw if connected else None),
        security_raw=(security_raw or None) if connected else None,
        phy_mode=phy,
        mcs=mcs,
        nss=nss,
        guard_interval_ns=first_int(get("guard interval")),
        band=band,
        channel=channel,
        width_mhz=width,
        country=(get("country code") or "").strip() or None,
        limitations=tuple(limitations),
    )
    return WdutilInfo(
        link=link,
        primary_ipv4_interface=primary[0].split()[0] if primary and primary[0].split() else None,
        ipv4_address=_ipv4(wifi.get("ipv4 address")) or _ipv4(primary[1:]),
        ipv4_router=_ipv4(wifi.get("ipv4 router")),
        dns=_addresses(wifi.get("dns", [])),
        dns_addresses=_addresses(network.get("dns addresses", [])),
    )


def _channel(text: str | None) -> tuple[Band | None, int | None, int | None]:
    value = (text or "").strip()
    new = _CHANNEL_NEW_RE.match(value)
    if new:
        return _BANDS[new.group(1)], int(new.group(2)), int(new.group(3))
    old = _CHANNEL_OLD_RE.match(value)
    if old:
        channel = int(old.group(1))
        return band_for_channel(channel), channel, int(old.group(2)) if old.group(2) else None
    return None, None, None
