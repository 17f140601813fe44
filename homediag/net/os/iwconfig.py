"""Parser of ``iwconfig`` (Linux wireless extensions, the fallback where ``iw`` is missing).

Sample (one block per interface; interfaces without wireless extensions say so in one line)::

    lo        no wireless extensions.

    wlan0     IEEE 802.11  ESSID:"example-net"
              Mode:Managed  Frequency:5.18 GHz  Access Point: 02:00:00:00:00:01
              Bit Rate=433.3 Mb/s   Tx-Power=22 dBm
              Retry short limit:7   RTS thr:off   Fragment thr:off
              Power Management:on
              Link Quality=58/70  Signal level=-52 dBm
              Rx invalid nwid:0  Rx invalid crypt:0  Rx invalid frag:0
              Tx excessive retries:0  Invalid misc:1766   Missed beacon:0

The protocol after the interface name (``IEEE 802.11bgn``, ``IEEE 802.11AC``) gives the PHY mode (the
newest generation it names); a quality written as a bare number (``Link Quality:0``, some vendor drivers)
is kept; a positive signal level is kept and flagged (``Limitation.IMPLAUSIBLE_SIGNAL``).

Written by hand: jc's ``iwconfig`` parser returns nothing at all for a disconnected interface
(``ESSID:off/any``), for SSIDs with characters outside its allowed set (quotes, UTF-8), for the
``Bit Rate:72.2 Mb/s`` form vendor drivers print, and it ignores ``Noise level``.
"""

from __future__ import annotations

import re

from homediag.net.errors import ParseError
from homediag.net.os._iw_common import unescape_ssid
from homediag.net.os._wifi_common import (
    LINK_MAX_CHARS,
    check_text,
    first_int,
    first_number,
    plausible_dbm,
    reported_dbm,
)
from homediag.net.os.wifi_types import (
    ConnectionState,
    Limitation,
    PhyMode,
    SsidHiddenReason,
    WifiLink,
    frequency_to_channel,
    normalise_mac,
)

_BLOCK_START_RE = re.compile(r"^(\S+)\s+(.*)$")
_ESSID_RE = re.compile(r'ESSID:(?:"(.*?)"(?=\s{2,}|\s*$|\s+Nickname:)|(off/any|off|any))')
LINE_MAX_CHARS = 4096
"""iwconfig lines are under 100 characters; longer ones are refused rather than searched."""
_MODE_RE = re.compile(r"Mode:(\S+)")
_FREQ_RE = re.compile(r"Frequency[:=](\d{1,2}(?:\.\d{1,4})?)\s*GHz")
_CHANNEL_RE = re.compile(r"Channel[:=\s](\d{1,3})")
_AP_RE = re.compile(r"Access Point:\s*(\S+)")
_RATE_RE = re.compile(r"Bit Rate[:=](\d{1,6}(?:\.\d{1,3})?)\s*([kMG])b/s")
_TXPOWER_RE = re.compile(r"Tx-Power[:=](-?\d{1,3})\s*dBm")
_POWER_MGMT_RE = re.compile(r"Power Management[:=]\s*(on|off)", re.IGNORECASE)
_QUALITY_RE = re.compile(r"Link Quality[:=](\d{1,4})(?:/(\d{1,4}))?")
_PROTOCOL_RE = re.compile(r"^(?:IEEE\s+)?802\.11([A-Za-z]{1,8})\b")
_PROTOCOL_MODES = (
    ("be", PhyMode.BE),
    ("ax", PhyMode.AX),
    ("ac", PhyMode.AC),
    ("n", PhyMode.N),
    ("g", PhyMode.G),
    ("a", PhyMode.A),
    ("b", PhyMode.B),
)
_SIGNAL_RE = re.compile(r"Signal level[:=](-?\d{1,4})(?:\s*dBm|/(\d{1,4}))")
_NOISE_RE = re.compile(r"Noise level[:=](-?\d{1,4})\s*dBm")
_RATE_SCALE = {"k": 0.001, "M": 1.0, "G": 1000.0}


def parse_iwconfig(text: str) -> tuple[WifiLink, ...]:
    """Read ``iwconfig``: one link per interface with wireless extensions."""
    text = check_text(text, LINK_MAX_CHARS, "iwconfig")
    blocks: list[tuple[str, list[str]]] = []
    seen_any = False
    for line in text.splitlines():
        if not line.strip():
            continue
        if len(line) > LINE_MAX_CHARS:
            raise ParseError(f"iwconfig: line of {len(line)} characters")
        start = _BLOCK_START_RE.match(line)
        if start:
            seen_any = True
            if "no wireless extensions" in start.group(2):
                continue
            blocks.append((start.group(1), [start.group(2)]))
        elif blocks and line[:1].isspace():
            blocks[-1][1].append(line.strip())
    if not seen_any and text.strip():
        raise ParseError("iwconfig: no interface block found")
    links = [
        _link(name, lines[0], " \n".join(lines))
        for name, lines in blocks
        if "ESSID" in lines[0] or any("Mode:" in line for line in lines)
    ]
    if blocks and not links:
        raise ParseError("iwconfig: interface blocks without wireless fields")
    return tuple(links)


def _link(name: str, first_line: str, body: str) -> WifiLink:
    # The ESSID is on the interface's first line; match once, where it starts.
    position = first_line.find("ESSID:")
    essid = _ESSID_RE.match(first_line, position) if position >= 0 else None
    ssid: str | None = None
    hidden: SsidHiddenReason | None = None
    off = essid is not None and essid.group(2) is not None
    if essid is not None and essid.group(1) is not None:
        ssid, hidden = unescape_ssid(essid.group(1))
    ap = _AP_RE.search(body)
    bssid = normalise_mac(ap.group(1)) if ap else None
    mode = _MODE_RE.search(body)
    mode_name = mode.group(1) if mode else None
    if bssid is not None and not off:
        state = ConnectionState.CONNECTED
    elif off or (ap is not None and bssid is None):
        state = ConnectionState.DISCONNECTED
        ssid, hidden = None, None
    else:
        state = ConnectionState.UNKNOWN
    if state is ConnectionState.CONNECTED and ssid is None and hidden is None:
        hidden = SsidHiddenReason.NOT_BROADCAST
    freq = _FREQ_RE.search(body)
    frequency = round(float(freq.group(1)) * 1000) if freq else None
    if frequency is not None and frequency_to_channel(frequency) is None:
        frequency = None
    channel = _CHANNEL_RE.search(body)
    rate = _RATE_RE.search(body)
    quality = _QUALITY_RE.search(body)
    quality_pct = None
    if quality and quality.group(2) is None and int(quality.group(1)) == 0:
        quality_pct = 0.0  # a bare 0: no scale, but zero is zero on any scale
    elif quality and quality.group(2) is not None and int(quality.group(2)) > 0:
        quality_pct = min(100.0, 100 * int(quality.group(1)) / int(quality.group(2)))
    signal = _SIGNAL_RE.search(body)
    signal_dbm: float | None = None
    signal_percent: int | None = None
    implausible = False
    if signal and signal.group(2) is None:
        signal_dbm, implausible = reported_dbm(float(signal.group(1)))
    elif signal and int(signal.group(2)) == 100:
        signal_percent = min(100, int(signal.group(1)))
    noise = _NOISE_RE.search(body)
    power = _POWER_MGMT_RE.search(body)
    txpower = _TXPOWER_RE.search(body)
    return WifiLink(
        interface=name,
        state=state,
        ssid=ssid,
        ssid_hidden_reason=hidden,
        bssid=bssid,
        mode=mode_name,
        frequency_mhz=frequency,
        channel=first_int(channel.group(1)) if channel and frequency is None else None,
        tx_rate_mbps=float(rate.group(1)) * _RATE_SCALE[rate.group(2)] if rate else None,
        tx_power_dbm=float(txpower.group(1)) if txpower else None,
        power_save=power.group(1).lower() == "on" if power else None,
        link_quality_pct=quality_pct,
        signal_dbm=signal_dbm,
        signal_percent=signal_percent,
        noise_dbm=plausible_dbm(first_number(noise.group(1))) if noise else None,
        phy_mode=_protocol_mode(first_line),
        limitations=(Limitation.IMPLAUSIBLE_SIGNAL,) if implausible else (),
    )


def _protocol_mode(first_line: str) -> PhyMode | None:
    """The newest 802.11 generation the protocol names (``IEEE 802.11bgn`` -> n), or None."""
    match = _PROTOCOL_RE.match(first_line.strip())
    if match is None:
        return None
    letters = match.group(1).lower()
    return next((mode for key, mode in _PROTOCOL_MODES if key in letters), None)
