"""Parsers of Windows ``netsh wlan show interfaces`` and ``netsh wlan show networks mode=bssid``.

Windows prints both in the user's language. Labels are looked up in English, German and French
tables after normalisation (NFC, no-break spaces as spaces: French puts U+00A0 before the colon and
inside ``2,4 GHz``; typographic apostrophes as ``'``; casefolded). Values that carry meaning in
words (the state, the authentication) have their own tables; numbers accept a decimal comma.

Sample of ``netsh wlan show interfaces`` (German)::

    Es ist 1 Schnittstelle auf dem System vorhanden:

        Name                   : WLAN
        Beschreibung           : Example Wireless Adapter
        Physische Adresse      : 02:00:00:00:00:30
        Status                 : Verbunden
        SSID                   : example-net
        AP BSSID               : 02:00:00:00:00:31
        Bereich                : 5 GHz
        Kanal                  : 116
        Funktyp                : 802.11ac
        Authentifizierung      : WPA2-Personal
        Verschlüsselungsverfahren : CCMP
        Empfangsrate (MBit/s)  : 300
        Übertragungsrate (MBit/s) : 300
        Signal                 : 43%

Sample of ``netsh wlan show networks mode=bssid`` (French, ``␣`` is U+00A0)::

    Nom de l’interface : Wi-Fi
    Actuellement 1 réseaux sont visibles.
    SSID 1␣: example-net
        Type de réseau          : Infrastructure
        Authentification        : WPA3-Personnel
        Chiffrement             : CCMP
        BSSID 1                 : 02:00:00:00:00:32
             Signal             : 40%
             Type de radio      : 802.11ax
             Bande              : 2,4␣GHz
             Canal              : 6

Signal percentages become dBm as docs/probes-and-playbooks.md#thresholds says (percent / 2 - 100). Windows 11
24H2 refuses both
commands without Location Services permission; the parsers then report
:attr:`Limitation.LOCATION_PERMISSION`. Written by hand: jc has no ``netsh`` parser.
"""

from __future__ import annotations

import re
import unicodedata

from homediag.net.errors import ParseError
from homediag.net.os._wifi_common import (
    LINK_MAX_CHARS,
    SCAN_MAX_CHARS,
    check_text,
    first_int,
    first_number,
    security_from_words,
)
from homediag.net.os.wifi_types import (
    BssType,
    ConnectionState,
    Limitation,
    SsidHiddenReason,
    WifiLink,
    WifiNetwork,
    WifiScan,
    band_for_channel,
    band_from_label,
    clean_ssid,
    dbm_from_windows_percent,
    normalise_label,
    normalise_mac,
    parse_phy_mode,
)

_LABELS: dict[str, str] = {
    # interface
    "name": "name",
    "nom": "name",
    "description": "description",
    "beschreibung": "description",
    "physical address": "mac",
    "physische adresse": "mac",
    "adresse physique": "mac",
    "state": "state",
    "status": "state",
    "état": "state",
    "ssid": "ssid",
    "bssid": "bssid",
    "ap bssid": "bssid",
    "band": "band",
    "bereich": "band",
    "bande": "band",
    "channel": "channel",
    "kanal": "channel",
    "canal": "channel",
    "network type": "network_type",
    "netzwerktyp": "network_type",
    "type de réseau": "network_type",
    "radio type": "radio",
    "funktyp": "radio",
    "type de radio": "radio",
    "authentication": "auth",
    "authentifizierung": "auth",
    "authentification": "auth",
    "cipher": "cipher",
    "verschlüsselungsverfahren": "cipher",
    "encryption": "cipher",
    "verschlüsselung": "cipher",
    "chiffrement": "cipher",
    "signal": "signal",
    "profile": "profile",
    "profil": "profile",
    "radio status": "radio_status",
    "funkstatus": "radio_status",
    "état de la radio": "radio_status",
    # networks
    "interface name": "interface",
    "schnittstellenname": "interface",
    "nom de l'interface": "interface",
    "connected stations": "stations",
    "verbundene stationen": "stations",
    "stations connectées": "stations",
    "channel utilization": "utilization",
    "kanalnutzung": "utilization",
    "utilisation du canal": "utilization",
}
_LABEL_PREFIXES: tuple[tuple[str, str], ...] = (
    ("receive rate", "rx"),
    ("empfangsrate", "rx"),
    ("réception", "rx"),
    ("transmit rate", "tx"),
    ("übertragungsrate", "tx"),
    ("transmission", "tx"),
    ("point d'accès", "bssid"),
)

_STATES: dict[str, ConnectionState] = {
    "connected": ConnectionState.CONNECTED,
    "verbunden": ConnectionState.CONNECTED,
    "connecté": ConnectionState.CONNECTED,
    "disconnected": ConnectionState.DISCONNECTED,
    "getrennt": ConnectionState.DISCONNECTED,
    "nicht verbunden": ConnectionState.DISCONNECTED,
    "déconnecté": ConnectionState.DISCONNECTED,
    "disconnecting": ConnectionState.DISCONNECTED,
    "authenticating": ConnectionState.CONNECTING,
    "associating": ConnectionState.CONNECTING,
    "discovering": ConnectionState.CONNECTING,
    "connecting": ConnectionState.CONNECTING,
    "authentifizierung": ConnectionState.CONNECTING,
    "zuordnung": ConnectionState.CONNECTING,
    "wird verbunden": ConnectionState.CONNECTING,
    "authentification": ConnectionState.CONNECTING,
    "association": ConnectionState.CONNECTING,
    "connexion": ConnectionState.CONNECTING,
}
_RADIO_OFF_WORDS = frozenset({"off", "aus", "désactivé", "desactive", "désactivée"})
_NO_INTERFACE_RE = re.compile(
    r"no wireless interface|keine drahtlose schnittstelle|aucune interface sans fil|wlansvc",
    re.IGNORECASE,
)
_LOCATION_RE = re.compile(r"\b(location|standort|localisation|emplacement)", re.IGNORECASE)
_SPACES = "[\\s\u00a0\u202f]"
_SSID_RE = re.compile(rf"^{_SPACES}*SSID{_SPACES}+\d+{_SPACES}*:{_SPACES}?(.*)$")
_BSSID_RE = re.compile(rf"^{_SPACES}*BSSID{_SPACES}+\d+{_SPACES}*:{_SPACES}*(\S*)")


def _key(label: str) -> str | None:
    normal = normalise_label(label)
    if normal in _LABELS:
        return _LABELS[normal]
    for prefix, key in _LABEL_PREFIXES:
        if normal.startswith(prefix):
            return key
    return None


def _split(line: str) -> tuple[str, str] | None:
    """``label : value`` with the label normalised to a key, or None for other lines."""
    label, separator, value = line.partition(":")
    if not separator:
        return None
    key = _key(label)
    if key is None:
        return None
    return key, value.strip().replace("\u00a0", " ").replace("\u202f", " ")


def _clean_text(text: str) -> str:
    return unicodedata.normalize("NFC", text.replace("\r", ""))


def _percent(value: str | None) -> int | None:
    number = first_int(value)
    return number if number is not None and 0 <= number <= 100 else None


def _state(value: str | None) -> ConnectionState:
    return _STATES.get(normalise_label(value or ""), ConnectionState.UNKNOWN)


def _bss_type(value: str | None) -> BssType | None:
    normal = normalise_label(value or "")
    if normal.startswith("infra"):
        return BssType.INFRASTRUCTURE
    if "hoc" in normal:
        return BssType.AD_HOC
    return None


def parse_netsh_interfaces(text: str) -> tuple[WifiLink, ...]:
    """Read ``netsh wlan show interfaces``: one link per wireless interface.

    With no wireless interface (or the WLAN service stopped) the result is empty. When Windows
    withholds everything for lack of Location Services permission, the result is one link in the
    ``UNKNOWN`` state that carries :attr:`Limitation.LOCATION_PERMISSION`.
    """
    text = _clean_text(check_text(text, LINK_MAX_CHARS, "netsh wlan show interfaces"))
    blocks: list[dict[str, str]] = []
    last_key: str | None = None
    for line in text.splitlines():
        field = _split(line)
        if field is None:
            if blocks and last_key == "radio_status" and line.strip():
                blocks[-1][last_key] += " / " + line.strip()
            continue
        key, value = field
        if key == "name":
            blocks.append({})
        if blocks and key not in blocks[-1]:
            blocks[-1][key] = value
        last_key = key
    if not blocks:
        if _NO_INTERFACE_RE.search(text) or not text.strip():
            return ()
        if _LOCATION_RE.search(text):
            return (WifiLink(limitations=(Limitation.LOCATION_PERMISSION,)),)
        raise ParseError("netsh wlan show interfaces: no interface block found")
    return tuple(_interface(block) for block in blocks)


def _interface(block: dict[str, str]) -> WifiLink:
    state = _state(block.get("state"))
    radio = set(normalise_label(block.get("radio_status", "")).replace("/", " ").split())
    if radio & _RADIO_OFF_WORDS and state is not ConnectionState.CONNECTED:
        state = ConnectionState.RADIO_OFF
    connected = state is ConnectionState.CONNECTED
    limitations: tuple[Limitation, ...] = ()
    ssid: str | None = None
    hidden: SsidHiddenReason | None = None
    if connected:
        ssid, hidden = clean_ssid(block.get("ssid"))
        if hidden is SsidHiddenReason.NOT_REPORTED:
            limitations = (Limitation.LOCATION_PERMISSION,)
    percent = _percent(block.get("signal")) if connected else None
    channel = first_int(block.get("channel")) if connected else None
    band = band_from_label(block.get("band")) if connected else None
    if band is None and channel is not None:
        band = band_for_channel(channel)
    auth = block.get("auth") if connected else None
    cipher = block.get("cipher") if connected else None
    return WifiLink(
        interface=block.get("name") or None,
        driver=block.get("description") or None,
        mac=normalise_mac(block.get("mac")),
        state=state,
        ssid=ssid,
        ssid_hidden_reason=hidden,
        bssid=normalise_mac(block.get("bssid")) if connected else None,
        band=band,
        channel=channel,
        bss_type=_bss_type(block.get("network_type")) if connected else None,
        phy_mode=parse_phy_mode(block.get("radio")) if connected else None,
        security=security_from_words(auth, cipher=cipher),
        security_raw=auth or None,
        cipher=cipher or None,
        rx_rate_mbps=first_number(block.get("rx")) if connected else None,
        tx_rate_mbps=first_number(block.get("tx")) if connected else None,
        signal_percent=percent,
        signal_dbm=dbm_from_windows_percent(percent) if percent is not None else None,
        limitations=limitations,
    )


def parse_netsh_networks(text: str) -> WifiScan:
    """Read ``netsh wlan show networks mode=bssid``.

    Without ``mode=bssid`` the output has no BSSID blocks and the result one entry per SSID.
    """
    text = _clean_text(check_text(text, SCAN_MAX_CHARS, "netsh wlan show networks"))
    networks: list[WifiNetwork] = []
    interfaces: list[str] = []
    reported: int | None = None
    interface: str | None = None
    ssid_fields: dict[str, str] | None = None
    bss_fields: dict[str, str] | None = None
    raw_ssid = ""
    bssids_in_ssid = 0
    expect_count = False

    def flush_bss() -> None:
        nonlocal bss_fields
        if ssid_fields is not None and bss_fields is not None:
            networks.append(_bss(raw_ssid, ssid_fields, bss_fields, interface))
        bss_fields = None

    def flush_ssid() -> None:
        nonlocal ssid_fields
        flush_bss()
        if ssid_fields is not None and bssids_in_ssid == 0:
            networks.append(_bss(raw_ssid, ssid_fields, {}, interface))
        ssid_fields = None

    for line in text.splitlines():
        ssid_match = _SSID_RE.match(line)
        if ssid_match:
            flush_ssid()
            raw_ssid = ssid_match.group(1).strip()
            ssid_fields = {}
            bssids_in_ssid = 0
            expect_count = False
            continue
        bssid_match = _BSSID_RE.match(line)
        if bssid_match and ssid_fields is not None:
            flush_bss()
            bss_fields = {"bssid": bssid_match.group(1)}
            bssids_in_ssid += 1
            continue
        field = _split(line)
        if field is None:
            if expect_count and line.strip():
                count = first_int(line)
                if count is not None:
                    reported = (reported or 0) + count
                expect_count = False
            continue
        key, value = field
        if key == "interface":
            flush_ssid()
            interface = value or None
            if interface:
                interfaces.append(interface)
            expect_count = True
            continue
        target = bss_fields if bss_fields is not None else ssid_fields
        if target is not None and key not in target:
            target[key] = value
    flush_ssid()
    if not networks and interface is None:
        if not text.strip() or _NO_INTERFACE_RE.search(text):
            return WifiScan()
        if _LOCATION_RE.search(text):
            return WifiScan(limitations=(Limitation.LOCATION_PERMISSION,))
        raise ParseError("netsh wlan show networks: no interface or SSID block found")
    return WifiScan(
        networks=tuple(networks),
        interface=interfaces[0] if len(set(interfaces)) == 1 else None,
        reported_count=reported,
    )


_UTILIZATION_RE = re.compile(r"\(\s*(\d{1,3})\s*%\s*\)")


def _bss(
    raw_ssid: str, ssid_fields: dict[str, str], fields: dict[str, str], interface: str | None
) -> WifiNetwork:
    ssid, hidden = clean_ssid(raw_ssid)
    percent = _percent(fields.get("signal"))
    channel = first_int(fields.get("channel"))
    band = band_from_label(fields.get("band"))
    if band is None and channel is not None:
        band = band_for_channel(channel)
    utilization = _UTILIZATION_RE.search(fields.get("utilization", ""))
    auth = ssid_fields.get("auth")
    cipher = ssid_fields.get("cipher")
    return WifiNetwork(
        interface=interface,
        ssid=ssid,
        ssid_hidden_reason=hidden,
        bssid=normalise_mac(fields.get("bssid")),
        band=band,
        channel=channel,
        bss_type=_bss_type(ssid_fields.get("network_type")),
        phy_mode=parse_phy_mode(fields.get("radio")),
        security=security_from_words(auth, cipher=cipher),
        security_raw=auth or None,
        cipher=cipher or None,
        signal_percent=percent,
        signal_dbm=dbm_from_windows_percent(percent) if percent is not None else None,
        station_count=first_int(fields.get("stations")),
        channel_utilization_pct=float(utilization.group(1)) if utilization else None,
    )
