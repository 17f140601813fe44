"""Parser of ``nmcli --terse --fields ... device wifi list`` (NetworkManager, Linux).

Sample, for the fields ``ACTIVE,SSID,BSSID,MODE,CHAN,FREQ,SIGNAL,SECURITY,WPA-FLAGS,RSN-FLAGS``::

    no:example:02\\:00\\:00\\:00\\:00\\:01:Infra:11:2462 MHz:100:WPA2:(none):pair_ccmp psk
    yes:example:02\\:00\\:00\\:00\\:00\\:02:Infra:36:5180 MHz:75:WPA2 WPA3:(none):pair_ccmp sae
    no::02\\:00\\:00\\:00\\:00\\:03:Infra:100:5500 MHz:30:WPA2:(none):pair_ccmp psk

Terse mode separates fields with ``:`` and escapes ``:`` and ``\\`` inside values with a backslash.
The caller passes the field list it asked for (:data:`NMCLI_WIFI_FIELDS` is a good one): the output
does not name its columns. The row marked ``yes`` (``ACTIVE``) or ``*`` (``IN-USE``) is the
access point the device is connected to; :func:`nmcli_active_link` turns it into a link.

Written by hand: jc's ``nmcli`` parser reads only the default column set of ``nmcli -t device
wifi list`` and fails on any other (it raises on the recorded output above, which has no RATE or
BARS column but FREQ and the WPA/RSN flags that tell TKIP from CCMP).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from homediag.net.errors import ParseError
from homediag.net.os._wifi_common import SCAN_MAX_CHARS, check_text, first_int, first_number
from homediag.net.os.wifi_types import (
    BssType,
    Security,
    WifiLink,
    WifiNetwork,
    WifiScan,
    clean_ssid,
    dbm_from_networkmanager_percent,
    frequency_to_channel,
    link_from_network,
    normalise_mac,
)

NMCLI_WIFI_FIELDS: tuple[str, ...] = (
    "ACTIVE",
    "SSID",
    "BSSID",
    "MODE",
    "CHAN",
    "FREQ",
    "RATE",
    "SIGNAL",
    "SECURITY",
    "WPA-FLAGS",
    "RSN-FLAGS",
    "DEVICE",
)
"""Fields every NetworkManager since 1.2 knows; pass them to ``nmcli -t -f`` and to the parser."""

_KNOWN_FIELDS = frozenset(
    {
        *NMCLI_WIFI_FIELDS,
        "NAME",
        "SSID-HEX",
        "BARS",
        "IN-USE",
        "DBUS-PATH",
        "BANDWIDTH",
    }
)


def split_terse(line: str) -> list[str]:
    """The fields of one ``nmcli -t`` line, with ``\\:`` and ``\\\\`` unescaped."""
    fields: list[str] = []
    current: list[str] = []
    escaped = False
    for char in line:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ":":
            fields.append("".join(current))
            current = []
        else:
            current.append(char)
    if escaped:
        current.append("\\")
    fields.append("".join(current))
    return fields


def parse_nmcli_wifi_list(text: str, fields: Sequence[str] = NMCLI_WIFI_FIELDS) -> WifiScan:
    """Read ``nmcli -t -f FIELDS device wifi list`` for the ``fields`` the command asked for."""
    text = check_text(text, SCAN_MAX_CHARS, "nmcli wifi list")
    names = [name.strip().upper() for name in fields]
    unknown = [name for name in names if name not in _KNOWN_FIELDS]
    if unknown or not names:
        raise ParseError(f"nmcli wifi list: unknown fields {unknown}")
    networks: list[WifiNetwork] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        values = split_terse(line)
        if len(values) != len(names):
            raise ParseError(
                f"nmcli wifi list: line {number} has {len(values)} fields, expected {len(names)}"
            )
        networks.append(_network(dict(zip(names, values, strict=True))))
    devices = {net.interface for net in networks}
    return WifiScan(
        networks=tuple(networks),
        interface=devices.pop() if len(devices) == 1 else None,
    )


def nmcli_active_link(scan: WifiScan, interface: str | None = None) -> WifiLink | None:
    """The link of ``interface`` (or of the only device) from the row marked active, if any."""
    for network in scan.networks:
        if network.associated and (interface is None or network.interface in (None, interface)):
            return link_from_network(network, interface=interface)
    return None


_FLAG_CIPHERS = {
    "pair_wep40": "WEP-40",
    "pair_wep104": "WEP-104",
    "pair_tkip": "TKIP",
    "pair_ccmp": "CCMP",
}


def _network(row: dict[str, str]) -> WifiNetwork:
    ssid, hidden = clean_ssid(None if row.get("SSID") == "--" else row.get("SSID", ""))
    if "SSID" not in row:
        ssid, hidden = None, None
    freq = first_number(row.get("FREQ"))
    found = frequency_to_channel(freq) if freq is not None else None
    percent = first_int(row.get("SIGNAL"))
    if percent is not None and not 0 <= percent <= 100:
        percent = None
    wpa_flags = _flags(row.get("WPA-FLAGS"))
    rsn_flags = _flags(row.get("RSN-FLAGS"))
    pairwise = [_FLAG_CIPHERS[flag] for flag in (*rsn_flags, *wpa_flags) if flag in _FLAG_CIPHERS]
    active = row.get("ACTIVE", "").strip().lower() in ("yes", "ja", "oui")
    in_use = row.get("IN-USE", "").strip() == "*"
    mode = row.get("MODE", "").strip().lower()
    width = first_int(row.get("BANDWIDTH"))
    return WifiNetwork(
        interface=row.get("DEVICE") or None,
        associated=active or in_use,
        ssid=ssid,
        ssid_hidden_reason=hidden,
        bssid=normalise_mac(row.get("BSSID")),
        frequency_mhz=round(freq) if freq is not None and found else None,
        channel=first_int(row.get("CHAN")) if not found else None,
        width_mhz=width if width in (20, 40, 80, 160, 320) else None,
        signal_percent=percent,
        signal_dbm=dbm_from_networkmanager_percent(percent) if percent is not None else None,
        security=_security(row.get("SECURITY"), wpa_flags, rsn_flags),
        security_raw=row.get("SECURITY"),
        cipher=" ".join(dict.fromkeys(pairwise)) or None,
        bss_type={
            "infra": BssType.INFRASTRUCTURE,
            "ad-hoc": BssType.AD_HOC,
            "mesh": BssType.MESH,
        }.get(mode),
        max_rate_mbps=first_number(row.get("RATE")),
    )


def _flags(value: str | None) -> list[str]:
    if not value or value.strip() in ("(none)", "--"):
        return []
    return value.split()


def _security(value: str | None, wpa_flags: list[str], rsn_flags: list[str]) -> Security:
    """Security from nmcli's SECURITY words (WPA1 WPA2 WPA3 802.1X WEP OWE) and the flags."""
    words = set(re.split(r"\s+", (value or "").strip().upper())) - {""}
    flags = {flag.lower() for flag in (*wpa_flags, *rsn_flags)}
    if "802.1X" in words or "802.1x" in flags or "eap_suite_b_192" in flags:
        return Security.ENTERPRISE
    wpa3 = "WPA3" in words or "sae" in flags
    wpa2 = "WPA2" in words or "psk" in {flag.lower() for flag in rsn_flags}
    if wpa3 and wpa2:
        return Security.WPA2_WPA3
    if wpa3:
        return Security.WPA3
    if "OWE" in words or "owe" in flags:
        return Security.OWE
    if wpa2:
        return Security.WPA2
    if "WPA1" in words or wpa_flags:
        return Security.WPA_TKIP
    if "WEP" in words:
        return Security.WEP
    if value is None:
        return Security.UNKNOWN
    return Security.OPEN if not words or words == {"--"} else Security.UNKNOWN
