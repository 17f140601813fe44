"""Parser of ``iw dev IF station dump`` (Linux): per-peer counters, signal and rates.

On a client the one station is the access point. Sample::

    Station 02:00:00:00:00:01 (on wlan0)
            inactive time:  1304 ms
            rx bytes:       2841960
            rx packets:     18452
            tx bytes:       1162271
            tx packets:     6218
            tx retries:     612
            tx failed:      2
            beacon loss:    0
            signal:         -52 [-54, -56] dBm
            signal avg:     -51 [-53, -55] dBm
            tx bitrate:     866.7 MBit/s VHT-MCS 9 80MHz short GI VHT-NSS 2
            rx bitrate:     780.0 MBit/s VHT-MCS 8 80MHz short GI VHT-NSS 2
            expected throughput:    500.0Mbps
            authorized:     yes
            associated:     yes
            connected time: 1502 seconds

A block whose header carries a placeholder instead of the address (``Station <redacted> (on wlan0)``,
as users paste it into bug reports) is kept with no MAC; a signal of 0 dBm or more, which some drivers
report, is kept and flagged (``Limitation.IMPLAUSIBLE_SIGNAL``).

Written by hand: jc has no parser for ``iw station dump``.
"""

from __future__ import annotations

import re

from homediag.net.errors import ParseError
from homediag.net.os._iw_common import best_rate, parse_bitrate
from homediag.net.os._wifi_common import (
    LINK_MAX_CHARS,
    check_text,
    first_int,
    first_number,
    reported_dbm,
)
from homediag.net.os.wifi_types import Limitation, WifiStation, normalise_mac

_STATION_RE = re.compile(r"^Station\s+(\S.{0,60}?)(?:\s+\(on\s+([^)\s]+)\))?\s*$")
_FIELD_RE = re.compile(r"^\s+([A-Za-z][A-Za-z/ \[\]]*?):\s*(.*)$")


def parse_iw_station_dump(text: str) -> tuple[WifiStation, ...]:
    """Read ``iw dev IF station dump`` (or ``station get``): one value per ``Station`` block."""
    text = check_text(text, LINK_MAX_CHARS, "iw station dump")
    blocks: list[tuple[str | None, str | None, dict[str, str]]] = []
    current: dict[str, str] | None = None
    for line in text.splitlines():
        header = _STATION_RE.match(line)
        if header:
            mac = normalise_mac(header.group(1))  # None for a placeholder: the block is kept
            current = {}
            blocks.append((mac, header.group(2), current))
            continue
        field = _FIELD_RE.match(line)
        if current is not None and field and field.group(1).lower() not in current:
            current[field.group(1).lower()] = field.group(2).strip()
    if not blocks and text.strip():
        raise ParseError("iw station dump: no 'Station' block found")
    return tuple(_station(mac, interface, fields) for mac, interface, fields in blocks)


def _yes(value: str | None) -> bool | None:
    if value is None:
        return None
    return value.strip().lower() == "yes"


def _station(mac: str | None, interface: str | None, fields: dict[str, str]) -> WifiStation:
    tx = parse_bitrate(fields["tx bitrate"]) if "tx bitrate" in fields else None
    rx = parse_bitrate(fields["rx bitrate"]) if "rx bitrate" in fields else None
    best = best_rate(tx, rx)
    signal, odd = reported_dbm(first_number(fields.get("signal")))
    signal_avg, odd_avg = reported_dbm(first_number(fields.get("signal avg")))
    return WifiStation(
        mac=mac,
        interface=interface,
        signal_dbm=signal,
        signal_avg_dbm=signal_avg,
        limitations=(Limitation.IMPLAUSIBLE_SIGNAL,) if odd or odd_avg else (),
        guard_interval_ns=best.guard_interval_ns if best else None,
        tx_rate_mbps=tx.rate_mbps if tx else None,
        rx_rate_mbps=rx.rate_mbps if rx else None,
        phy_mode=best.phy_mode if best else None,
        width_mhz=best.width_mhz if best and best.phy_mode else None,
        mcs=best.mcs if best else None,
        nss=best.nss if best else None,
        tx_packets=first_int(fields.get("tx packets")),
        rx_packets=first_int(fields.get("rx packets")),
        tx_retries=first_int(fields.get("tx retries")),
        tx_failed=first_int(fields.get("tx failed")),
        beacon_loss=first_int(fields.get("beacon loss")),
        connected_time_s=first_int(fields.get("connected time")),
        inactive_ms=first_int(fields.get("inactive time")),
        expected_throughput_mbps=first_number(fields.get("expected throughput")),
        authorized=_yes(fields.get("authorized")),
        associated=_yes(fields.get("associated")),
    )
