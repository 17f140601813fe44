"""Parser of ``iw dev IF link`` (Linux, nl80211): the current association of one interface.

Sample::

    Connected to 02:00:00:00:00:01 (on wlan0)
            SSID: example-net
            freq: 5180.0
            RX: 93725 bytes (569 packets)
            TX: 10423 bytes (78 packets)
            signal: -48 dBm
            rx bitrate: 866.7 MBit/s VHT-MCS 9 80MHz short GI VHT-NSS 2
            tx bitrate: 780.0 MBit/s VHT-MCS 8 80MHz short GI VHT-NSS 2

            bss flags:      short-slot-time
            dtim period:    1
            beacon int:     100

or ``Not connected.``. Written by hand: jc has no parser for ``iw link``.
"""

from __future__ import annotations

import re

from homediag.net.errors import ParseError
from homediag.net.os._iw_common import best_rate, legacy_mode, parse_bitrate, unescape_ssid
from homediag.net.os._wifi_common import (
    LINK_MAX_CHARS,
    check_text,
    first_int,
    first_number,
    reported_dbm,
)
from homediag.net.os.wifi_types import (
    ConnectionState,
    Limitation,
    SsidHiddenReason,
    WifiLink,
    frequency_to_channel,
    normalise_mac,
)

_HEADER_RE = re.compile(r"^Connected to\s+(\S+)(?:\s+\(on\s+([^)\s]+)\))?", re.MULTILINE)
_NOT_CONNECTED_RE = re.compile(r"^[ \t]*Not connected\.?[ \t]*$", re.MULTILINE)
_FIELD_RE = re.compile(r"^\s+([A-Za-z][A-Za-z ]*?):\s?(.*)$")


def parse_iw_link(text: str, interface: str | None = None) -> WifiLink:
    """Read ``iw dev IF link``. ``interface`` names the interface when the output does not."""
    text = check_text(text, LINK_MAX_CHARS, "iw link")
    header = _HEADER_RE.search(text)
    if header is None:
        if _NOT_CONNECTED_RE.search(text):
            return WifiLink(interface=interface, state=ConnectionState.DISCONNECTED)
        raise ParseError("iw link: neither 'Connected to' nor 'Not connected.' found")
    fields: dict[str, str] = {}
    for line in text[header.end() :].splitlines():
        match = _FIELD_RE.match(line)
        if match and match.group(1).lower() not in fields:
            # iw escapes leading and trailing spaces of an SSID, so stripping loses nothing.
            fields[match.group(1).lower()] = match.group(2).strip()
    ssid: str | None = None
    hidden: SsidHiddenReason | None = SsidHiddenReason.NOT_BROADCAST
    if "ssid" in fields:
        ssid, hidden = unescape_ssid(fields["ssid"])
    freq = first_number(fields.get("freq"))
    found = frequency_to_channel(freq) if freq is not None else None
    band = found[0] if found else None
    rx = parse_bitrate(fields["rx bitrate"]) if "rx bitrate" in fields else None
    tx = parse_bitrate(fields["tx bitrate"]) if "tx bitrate" in fields else None
    best = best_rate(tx, rx)
    phy = best.phy_mode if best else None
    if best is not None and phy is None:
        legacy_rates = [info.rate_mbps for info in (tx, rx) if info and info.rate_mbps is not None]
        phy = legacy_mode(band, legacy_rates)
    signal, implausible = reported_dbm(first_number(fields.get("signal")))
    rx_bytes, rx_packets = _counters(fields.get("rx"))
    tx_bytes, tx_packets = _counters(fields.get("tx"))
    return WifiLink(
        interface=header.group(2) or interface,
        state=ConnectionState.CONNECTED,
        bssid=normalise_mac(header.group(1)),
        ssid=ssid,
        ssid_hidden_reason=hidden,
        frequency_mhz=round(freq) if freq is not None and found else None,
        signal_dbm=signal,
        limitations=(Limitation.IMPLAUSIBLE_SIGNAL,) if implausible else (),
        guard_interval_ns=best.guard_interval_ns if best else None,
        tx_rate_mbps=tx.rate_mbps if tx else None,
        rx_rate_mbps=rx.rate_mbps if rx else None,
        phy_mode=phy,
        width_mhz=best.width_mhz if best and best.phy_mode else None,
        mcs=best.mcs if best else None,
        nss=best.nss if best else None,
        rx_bytes=rx_bytes,
        rx_packets=rx_packets,
        tx_bytes=tx_bytes,
        tx_packets=tx_packets,
        dtim_period=first_int(fields.get("dtim period")),
        beacon_interval_tu=first_int(fields.get("beacon int")),
    )


_COUNTERS_RE = re.compile(r"^(\d{1,20})\s+bytes\s+\((\d{1,20})\s+packets\)")


def _counters(value: str | None) -> tuple[int | None, int | None]:
    match = _COUNTERS_RE.match(value or "")
    if match is None:
        return None, None
    return int(match.group(1)), int(match.group(2))
