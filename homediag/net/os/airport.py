"""Parsers of macOS ``airport -I`` (the current link) and ``airport -s`` (a scan).

``airport`` lives in ``/System/Library/PrivateFrameworks/Apple80211.framework/Versions/Current/
Resources/``. Since macOS 14.4 it only prints a deprecation warning; both parsers then report
:attr:`Limitation.TOOL_REMOVED`. Since macOS 13 it leaves BSSIDs empty (and later SSIDs too) unless
the terminal has Location Services permission: :attr:`Limitation.LOCATION_PERMISSION`.

Sample of ``airport -I``::

         agrCtlRSSI: -46
        agrCtlNoise: -87
              state: running
            op mode: station
         lastTxRate: 520
            maxRate: 867
          link auth: wpa2-psk
              BSSID: 02:00:00:00:00:01
               SSID: example-net
                MCS: 5
                NSS: 2
            channel: 44,80

Sample of ``airport -s`` (the SSID column is right-aligned to 32 *bytes*, so it is not a fixed
character column once an SSID has UTF-8 in it: the second row is one character short)::

                             SSID BSSID             RSSI CHANNEL HT CC SECURITY (auth/unicast/group)
                      example-net 02:00:00:00:00:01 -62  3,+1    Y  US WPA2(PSK/AES/AES)
                       Café-5GHz 02:00:00:00:00:02 -70  36      Y  -- WPA(PSK/TKIP/TKIP)

``-I`` is read with jc's ``airport`` parser (it reads the recorded outputs correctly; lines jc
cannot split are dropped first). ``-s`` is written by hand: jc's ``airport_s`` cuts the table at
fixed character columns and shifts every field of a row whose SSID has multi-byte characters; this
parser anchors each row on its BSSID, RSSI and channel instead.
"""

from __future__ import annotations

import re
from typing import Any, cast

import jc

from homediag.net.errors import ParseError
from homediag.net.os._wifi_common import (
    LINK_MAX_CHARS,
    SCAN_MAX_CHARS,
    check_text,
    first_number,
    plausible_dbm,
)
from homediag.net.os.wifi_types import (
    Band,
    ConnectionState,
    Limitation,
    PhyMode,
    Security,
    SsidHiddenReason,
    WifiLink,
    WifiNetwork,
    WifiScan,
    band_for_channel,
    channel_to_frequency,
    clean_ssid,
    is_redacted,
    normalise_mac,
    split_ht_mcs,
)

_DEPRECATED = "airport command line tool is deprecated"
_STATES = {
    "running": ConnectionState.CONNECTED,
    "init": ConnectionState.DISCONNECTED,
    "scanning": ConnectionState.CONNECTING,
    "authenticating": ConnectionState.CONNECTING,
    "associating": ConnectionState.CONNECTING,
    "off": ConnectionState.RADIO_OFF,
}


def parse_airport_info(text: str) -> WifiLink:
    """Read ``airport -I``."""
    text = check_text(text, LINK_MAX_CHARS, "airport -I")
    if _DEPRECATED in text and "agrCtlRSSI" not in text:
        return WifiLink(state=ConnectionState.UNKNOWN, limitations=(Limitation.TOOL_REMOVED,))
    lines = [line for line in text.splitlines() if ":" in line]
    if not lines:
        raise ParseError("airport -I: no 'key: value' lines")
    try:
        fields = cast(dict[str, Any], jc.parse("airport", "\n".join(lines), quiet=True))
    except Exception as error:  # jc raises whatever its code meets on odd input: keep it typed
        raise ParseError(f"airport -I: {error}") from error
    if not isinstance(fields, dict):
        raise ParseError("airport -I: unexpected jc result")
    if str(fields.get("airport", "")).strip().lower() == "off":
        return WifiLink(state=ConnectionState.RADIO_OFF)
    if not any(key in fields for key in ("agrctlrssi", "state", "ssid", "bssid")):
        raise ParseError("airport -I: none of agrCtlRSSI, state, SSID, BSSID found")
    state = _STATES.get(str(fields.get("state", "")).strip().lower(), ConnectionState.UNKNOWN)
    mode = str(fields.get("op_mode", "")).strip() or None
    if state is not ConnectionState.CONNECTED:
        # A link that is not running keeps its last values (channel, "link auth: none"): stale.
        return WifiLink(state=state, mode=mode)
    limitations: list[Limitation] = []
    raw_ssid = fields.get("ssid")
    ssid, hidden = clean_ssid(str(raw_ssid) if raw_ssid is not None else None)
    raw_bssid = str(fields.get("bssid", ""))
    if hidden is SsidHiddenReason.NOT_BROADCAST:
        # airport shows the name of the network joined even when it is not broadcast:
        # an empty SSID on a running link is macOS withholding it.
        hidden = SsidHiddenReason.NOT_REPORTED
    if hidden is not None or not raw_bssid.strip() or is_redacted(raw_bssid):
        limitations.append(Limitation.LOCATION_PERMISSION)
    mcs, nss = split_ht_mcs(None, _integer(fields.get("mcs")), _integer(fields.get("nss")))
    channel, width, center_offset = _channel(str(fields.get("channel", "")), bare_width=20)
    band = band_for_channel(channel) if channel else None
    center = None
    if band is not None and channel is not None and center_offset:
        center = channel_to_frequency(band, channel + center_offset)
    link_auth = str(fields.get("link_auth", "")).strip()
    return WifiLink(
        state=state,
        ssid=ssid,
        ssid_hidden_reason=hidden,
        bssid=normalise_mac(raw_bssid),
        mode=mode,
        signal_dbm=plausible_dbm(_number(fields.get("agrctlrssi"))),
        noise_dbm=plausible_dbm(_number(fields.get("agrctlnoise"))),
        tx_rate_mbps=_number(fields.get("lasttxrate")),
        max_rate_mbps=_number(fields.get("maxrate")),
        mcs=mcs,
        nss=nss,
        guard_interval_ns=_integer(fields.get("guardinterval")),
        channel=channel,
        width_mhz=width,
        center_mhz=center,
        security=_link_auth_security(link_auth),
        security_raw=link_auth or None,
        limitations=tuple(limitations),
    )


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if abs(value) < 1e12 else None
    return first_number(str(value)) if value is not None else None


def _integer(value: object) -> int | None:
    number = _number(value)
    return int(number) if number is not None else None


_CHANNEL_RE = re.compile(r"^\s*(\d{1,3})(?:\s*,\s*([+-]?\d{1,3}))?\s*$")


def _channel(text: str, *, bare_width: int | None) -> tuple[int | None, int | None, int]:
    """Primary channel, width and centre offset (in channel numbers) of ``36``, ``3,+1``, ``44,80``.

    A bare channel number means 20 MHz in ``airport -I`` but says nothing in ``airport -s``, which
    prints ``48`` for an access point that ``-I`` shows as ``48,80``: ``bare_width`` tells which.
    """
    match = _CHANNEL_RE.match(text)
    if match is None:
        return None, None, 0
    channel = int(match.group(1))
    extra = match.group(2)
    if extra is None:
        return channel, bare_width, 0
    if extra in ("+1", "-1", "1"):
        return channel, 40, 2 if extra != "-1" else -2
    width = int(extra)
    return channel, width if width in (20, 40, 80, 160, 320) else None, 0


def _link_auth_security(value: str) -> Security:
    """Security from ``link auth``: none, wep, wpa-psk, wpa2-psk, wpa2 (802.1X), wpa3-sae..."""
    auth = value.strip().lower()
    if not auth:
        return Security.UNKNOWN
    if auth in ("none", "open"):
        return Security.OPEN
    if "owe" in auth:
        return Security.OWE
    if "wep" in auth:
        return Security.WEP
    if "sae" in auth or "wpa3" in auth:
        return Security.WPA2_WPA3 if "transition" in auth or "wpa2" in auth else Security.WPA3
    if "psk" in auth:
        return Security.WPA2 if "wpa2" in auth else Security.WPA_TKIP
    if auth.startswith("wpa") or "802.1x" in auth or auth == "leap":
        return Security.ENTERPRISE
    return Security.UNKNOWN


ROW_MAX_CHARS = 1000
"""An ``airport -s`` row is under 200 characters; longer ones are refused rather than searched."""
_MAC_TOKEN_RE = re.compile(r"(?:[0-9a-fA-F]{1,2}:){5}[0-9a-fA-F]{1,2}")
_RSSI_TOKEN_RE = re.compile(r"-\d{1,3}")
_CHANNEL_TOKEN_RE = re.compile(r"\d{1,3}(?:,[+-]?\d{1,3})?")
_SECURITY_TOKEN_RE = re.compile(r"([A-Za-z0-9]{1,16})\(([^)]*)\)")


def _split_row(line: str) -> dict[str, str | None] | None:
    """SSID, BSSID, RSSI, channel, HT, CC and security of one row, anchored on the RSSI column.

    The SSID may contain spaces and the BSSID may be blank, so the row is read as tokens: the
    first ``RSSI CHANNEL HT CC`` run of tokens marks the columns, the token before it is the BSSID
    if it looks like one, everything before is the SSID and everything after the security.
    """
    tokens = [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"\S+", line)]
    for index in range(len(tokens) - 3):
        rssi, channel, ht, cc = (token[2] for token in tokens[index : index + 4])
        if (
            _RSSI_TOKEN_RE.fullmatch(rssi)
            and _CHANNEL_TOKEN_RE.fullmatch(channel)
            and ht in ("Y", "N")
            and len(cc) <= 3
        ):
            before = tokens[index - 1] if index > 0 else None
            bssid = before[2] if before and _MAC_TOKEN_RE.fullmatch(before[2]) else None
            ssid_end = before[0] if bssid and before else tokens[index][0]
            return {
                "ssid": line[:ssid_end].strip(),
                "bssid": bssid,
                "rssi": rssi,
                "channel": channel,
                "ht": ht,
                "cc": cc,
                "security": line[tokens[index + 3][1] :].strip(),
            }
    return None


def parse_airport_scan(text: str) -> WifiScan:
    """Read ``airport -s``."""
    text = check_text(text, SCAN_MAX_CHARS, "airport -s")
    lines = text.splitlines()
    header = next((i for i, line in enumerate(lines) if re.search(r"\bSSID\s+BSSID\b", line)), None)
    if header is None:
        if _DEPRECATED in text:
            return WifiScan(limitations=(Limitation.TOOL_REMOVED,))
        if not text.strip() or text.strip().lower().startswith("no networks found"):
            return WifiScan()
        raise ParseError("airport -s: no 'SSID BSSID RSSI' header found")
    networks: list[WifiNetwork] = []
    missing_bssid = False
    for line in lines[header + 1 :]:
        if not line.strip():
            continue
        row = _split_row(line) if len(line) <= ROW_MAX_CHARS else None
        if row is None:
            raise ParseError(f"airport -s: unreadable row {line[:80]!r}")
        networks.append(_row(row))
        missing_bssid = missing_bssid or row["bssid"] is None
    limitations = (Limitation.LOCATION_PERMISSION,) if missing_bssid else ()
    return WifiScan(networks=tuple(networks), limitations=limitations)


def _row(row: dict[str, str | None]) -> WifiNetwork:
    ssid, hidden = clean_ssid(row["ssid"] or "")
    channel, width, offset = _channel(row["channel"] or "", bare_width=None)
    band = band_for_channel(channel) if channel else None
    center = None
    if band is not None and channel is not None:
        center = channel_to_frequency(band, channel + offset) if width == 40 else None
    country = row["cc"] or ""
    security, cipher = _scan_security(row["security"] or "")
    legacy = PhyMode.G if band is Band.GHZ_2_4 else PhyMode.A
    return WifiNetwork(
        ssid=ssid,
        ssid_hidden_reason=hidden,
        bssid=normalise_mac(row["bssid"]),
        signal_dbm=plausible_dbm(float(row["rssi"] or "0")),
        channel=channel,
        band=band,
        width_mhz=width,
        center_mhz=center,
        phy_mode=legacy if row["ht"] == "N" and band is not None else None,
        country=country if len(country) == 2 and country != "--" else None,
        security=security,
        security_raw=row["security"] or None,
        cipher=cipher,
    )


def _scan_security(text: str) -> tuple[Security, str | None]:
    """Security and unicast ciphers from ``WPA(PSK/AES,TKIP/TKIP) WPA2(PSK/AES/AES)``."""
    value = text.strip()
    upper = value.upper()
    if not value:
        return Security.UNKNOWN, None
    if upper == "NONE":
        return Security.OPEN, None
    if upper == "WEP":
        return Security.WEP, "WEP"
    matches = [_SECURITY_TOKEN_RE.fullmatch(word) for word in value.split()]
    tokens = [(m.group(1), m.group(2)) for m in matches if m is not None]
    if not tokens:
        return Security.UNKNOWN, None
    auths: set[str] = set()
    ciphers: dict[str, list[str]] = {}
    for name, inner in tokens:
        parts = inner.split("/")
        auths.update(auth.strip().upper() for auth in parts[0].split(","))
        if len(parts) > 1:
            ciphers[name.upper()] = [c.strip().upper() for c in parts[1].split(",") if c.strip()]
    rsn_names = [name.upper() for name, _ in tokens if name.upper() in ("WPA2", "WPA3", "RSN")]
    rsn_ciphers = [cipher for name in rsn_names for cipher in ciphers.get(name, [])]
    if any("802.1X" in auth or "EAP" in auth for auth in auths):
        security = Security.ENTERPRISE
    elif any("SAE" in auth for auth in auths) and "PSK" in auths:
        security = Security.WPA2_WPA3
    elif any("SAE" in auth for auth in auths):
        security = Security.WPA3
    elif "OWE" in auths:
        security = Security.OWE
    elif rsn_names and (not rsn_ciphers or any(c in ("AES", "CCMP", "GCMP") for c in rsn_ciphers)):
        security = Security.WPA2
    else:
        security = Security.WPA_TKIP
    chosen = next((name for name in rsn_names if name in ciphers), next(iter(ciphers), None))
    cipher = " ".join(ciphers[chosen]) if chosen else None
    return security, cipher or None
