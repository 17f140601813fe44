"""Parser of ``system_profiler SPAirPortDataType -json`` (macOS): interfaces, link and neighbours.

Sample (abridged)::

    {"SPAirPortDataType": [{"spairport_airport_interfaces": [{
        "_name": "en0",
        "spairport_status_information": "spairport_status_connected",
        "spairport_wireless_mac_address": "02:00:00:00:00:20",
        "spairport_current_network_information": {
            "_name": "example-net",
            "spairport_network_channel": "36 (5GHz, 80MHz)",
            "spairport_network_phymode": "802.11ax",
            "spairport_network_rate": 1201,
            "spairport_network_mcs": 11,
            "spairport_security_mode": "spairport_security_mode_wpa3_transition",
            "spairport_signal_noise": "-52 dBm / -94 dBm"},
        "spairport_airport_other_local_wireless_networks": [
            {"_name": "neighbour", "spairport_network_channel": "6 (2GHz, 20MHz)",
             "spairport_security_mode": "spairport_security_mode_wpa2_personal"}]}]}]}

Formats differ by macOS version: before macOS 13 the channel is a number or ``149,+1`` and networks
carry ``spairport_network_bssid``; later versions print ``6 (2GHz, 20MHz)`` and no BSSID, and from
macOS 14 SSIDs are ``<redacted>`` or missing without Location Services permission. A noise of
``0 dBm`` means "not measured". Unknown keys (a publisher's added ``TestDescription``) are ignored.
"""

from __future__ import annotations

import json
import re
from typing import Any

from homediag.net.errors import ParseError
from homediag.net.os._wifi_common import (
    SCAN_MAX_CHARS,
    check_text,
    first_int,
    first_number,
    plausible_dbm,
    security_from_words,
)
from homediag.net.os.wifi_types import (
    BssType,
    ConnectionState,
    Limitation,
    Security,
    SsidHiddenReason,
    WifiLink,
    WifiNetwork,
    WifiScan,
    WifiSnapshot,
    band_for_channel,
    band_from_label,
    channel_to_frequency,
    clean_ssid,
    normalise_mac,
    parse_phy_mode,
    split_ht_mcs,
)

_STATUS = {
    "spairport_status_connected": ConnectionState.CONNECTED,
    "spairport_status_disconnected": ConnectionState.DISCONNECTED,
    "spairport_status_inactive": ConnectionState.DISCONNECTED,
    "spairport_status_off": ConnectionState.RADIO_OFF,
}


def parse_system_profiler_airport(text: str) -> WifiSnapshot:
    """Read ``system_profiler SPAirPortDataType -json``."""
    text = check_text(text, SCAN_MAX_CHARS, "system_profiler")
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise ParseError(f"system_profiler: not JSON ({str(error)[:80]})") from error
    sections = document.get("SPAirPortDataType") if isinstance(document, dict) else None
    if not isinstance(sections, list):
        raise ParseError("system_profiler: no SPAirPortDataType list")
    links: list[WifiLink] = []
    networks: list[WifiNetwork] = []
    limitations: list[Limitation] = []
    for section in sections:
        if not isinstance(section, dict):
            continue
        interfaces = section.get("spairport_airport_interfaces")
        for interface in interfaces if isinstance(interfaces, list) else []:
            if not isinstance(interface, dict):
                continue
            link = _link(interface)
            links.append(link)
            limitations.extend(link.limitations)
            others = interface.get("spairport_airport_other_local_wireless_networks")
            for entry in others if isinstance(others, list) else []:
                if isinstance(entry, dict):
                    networks.append(_network(entry, interface=link.interface))
    if any(net.ssid_hidden_reason is SsidHiddenReason.REDACTED for net in networks):
        limitations.append(Limitation.LOCATION_PERMISSION)
    interfaces_seen = {net.interface for net in networks}
    return WifiSnapshot(
        links=tuple(links),
        scan=WifiScan(
            networks=tuple(networks),
            interface=interfaces_seen.pop() if len(interfaces_seen) == 1 else None,
            limitations=tuple(dict.fromkeys(limitations)),
        ),
    )


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


_CHANNEL_TEXT_RE = re.compile(r"^\s*(\d{1,3})(?:\s*,\s*([+-]?\d{1,3}))?(?:\s*\(([^)]*)\))?\s*$")


def _channel(value: Any) -> tuple[int | None, Any, int | None, int | None]:
    """Channel, band, width and centre frequency of ``6``, ``"149,+1"``, ``"37 (6GHz, 160MHz)"``."""
    text = _text(value)
    match = _CHANNEL_TEXT_RE.match(text) if text is not None else None
    if match is None:
        return None, None, None, None
    channel = int(match.group(1))
    details = match.group(3) or ""
    band = band_from_label(details) or band_for_channel(channel)
    width_match = re.search(r"(\d{2,3})\s*MHz", details)
    width = int(width_match.group(1)) if width_match else None
    center = None
    offset = match.group(2)
    if offset in ("+1", "-1", "1"):
        width = 40
        if band is not None:
            center = channel_to_frequency(band, channel + (-2 if offset == "-1" else 2))
    return channel, band, width, center


def _signal_noise(value: Any) -> tuple[float | None, float | None]:
    text = _text(value) or ""
    parts = text.split("/")
    signal = plausible_dbm(first_number(parts[0])) if parts and parts[0].strip() else None
    noise = plausible_dbm(first_number(parts[1])) if len(parts) > 1 else None
    return signal, noise


def _security(value: Any) -> Security:
    """Security of ``spairport_security_mode_wpa2_personal`` and the like (or ``WPA2 Personal``)."""
    return security_from_words((_text(value) or "").removeprefix("spairport_security_mode_"))


def _common(entry: dict[str, Any]) -> dict[str, Any]:
    """Fields links and networks share."""
    raw_name = entry.get("_name")
    ssid, hidden = clean_ssid(_text(raw_name))
    channel, band, width, center = _channel(entry.get("spairport_network_channel"))
    signal, noise = _signal_noise(entry.get("spairport_signal_noise"))
    bssid_text = _text(entry.get("spairport_network_bssid"))
    country = _text(entry.get("spairport_network_country_code"))
    network_type = _text(entry.get("spairport_network_type")) or ""
    security_raw = _text(entry.get("spairport_security_mode"))
    return {
        "ssid": ssid,
        "ssid_hidden_reason": hidden,
        "bssid": normalise_mac(bssid_text),
        "channel": channel,
        "band": band,
        "width_mhz": width,
        "center_mhz": center,
        "signal_dbm": signal,
        "noise_dbm": noise,
        "phy_mode": parse_phy_mode(_text(entry.get("spairport_network_phymode"))),
        "security": _security(security_raw),
        "security_raw": security_raw,
        "country": country if country and len(country) == 2 else None,
        "bss_type": BssType.AD_HOC
        if network_type.endswith("ibss")
        else (BssType.INFRASTRUCTURE if network_type.endswith("station") else None),
    }


def _network(entry: dict[str, Any], *, interface: str | None) -> WifiNetwork:
    return WifiNetwork(interface=interface, **_common(entry))


def _link(interface: dict[str, Any]) -> WifiLink:
    name = _text(interface.get("_name"))
    status = _text(interface.get("spairport_status_information"))
    state = _STATUS.get(status or "", ConnectionState.UNKNOWN)
    current = interface.get("spairport_current_network_information")
    fields: dict[str, Any] = {}
    limitations: list[Limitation] = []
    if state is ConnectionState.CONNECTED and isinstance(current, dict):
        fields = _common(current)
        rate = first_number(_text(current.get("spairport_network_rate")))
        fields["tx_rate_mbps"] = rate
        fields["mcs"], fields["nss"] = split_ht_mcs(
            fields["phy_mode"], first_int(_text(current.get("spairport_network_mcs"))), None
        )
        if fields["ssid_hidden_reason"] is SsidHiddenReason.NOT_BROADCAST:
            # macOS shows the joined network's name even when it is not broadcast, so an empty
            # one on a connected interface is withheld, not hidden by the access point.
            fields["ssid_hidden_reason"] = SsidHiddenReason.NOT_REPORTED
        if fields["ssid_hidden_reason"] is not None:
            limitations.append(Limitation.LOCATION_PERMISSION)
    card = _text(interface.get("spairport_wireless_card_type"))
    firmware = _text(interface.get("spairport_wireless_firmware_version"))
    return WifiLink(
        interface=name,
        state=state,
        mac=normalise_mac(_text(interface.get("spairport_wireless_mac_address"))),
        driver=" / ".join(part.splitlines()[0] for part in (card, firmware) if part) or None,
        limitations=tuple(limitations),
        **fields,
    )
