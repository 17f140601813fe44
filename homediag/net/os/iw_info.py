"""Parser of ``iw dev IF info`` and ``iw dev`` (Linux): wireless interfaces and their channel.

Sample of ``iw dev`` (``iw dev IF info`` prints one ``Interface`` block without the ``phy#`` line)::

    phy#0
            Interface wlp2s0
                    ifindex 3
                    wdev 0x1
                    addr 02:00:00:00:00:10
                    ssid example-net
                    type managed
                    channel 36 (5180 MHz), width: 80 MHz, center1: 5210 MHz
                    txpower 22.00 dBm

Written by hand: jc has no parser for ``iw dev``.
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
)
from homediag.net.os.wifi_types import (
    SsidHiddenReason,
    WifiInterface,
    frequency_to_channel,
    normalise_mac,
)

_PHY_RE = re.compile(r"^phy#(\d{1,6})\s*$")
_INTERFACE_RE = re.compile(r"^\s*Interface\s+(\S+)\s*$")
_CHANNEL_RE = re.compile(
    r"^channel\s+(\d{1,3})\s+\((\d{1,5}(?:\.\d{1,3})?)\s*MHz\)"
    r"(?:,\s*width:\s*(\d{1,3})(?:\+(\d{1,3}))?\s*MHz[^,]*)?"
    r"(?:,\s*center1:\s*(\d{1,5})\s*MHz)?"
)


def parse_iw_info(text: str) -> tuple[WifiInterface, ...]:
    """Read ``iw dev`` or ``iw dev IF info``: one value per ``Interface`` block."""
    text = check_text(text, LINK_MAX_CHARS, "iw dev info")
    result: list[WifiInterface] = []
    phy: int | None = None
    current: dict[str, str] | None = None
    name = ""
    blocks: list[tuple[str, int | None, dict[str, str]]] = []
    for line in text.splitlines():
        phy_match = _PHY_RE.match(line)
        if phy_match:
            phy = int(phy_match.group(1))
            current = None
            continue
        interface_match = _INTERFACE_RE.match(line)
        if interface_match:
            name = interface_match.group(1)
            current = {}
            blocks.append((name, phy, current))
            continue
        if current is None:
            continue
        stripped = line.strip()
        key, _, value = stripped.partition(" ")
        if key and key not in current:
            current[key] = value.strip() if key != "ssid" else value
    if not blocks:
        if text.strip():
            raise ParseError("iw dev info: no 'Interface' block found")
        return ()
    for name, phy_index, fields in blocks:
        result.append(_interface(name, phy_index, fields))
    return tuple(result)


def _interface(name: str, phy: int | None, fields: dict[str, str]) -> WifiInterface:
    ssid: str | None = None
    hidden: SsidHiddenReason | None = None
    if "ssid" in fields:
        ssid, hidden = unescape_ssid(fields["ssid"])
    channel_match = _CHANNEL_RE.match("channel " + fields.get("channel", ""))
    frequency: int | None = None
    width: int | None = None
    center: int | None = None
    if channel_match:
        found = frequency_to_channel(float(channel_match.group(2)))
        frequency = round(float(channel_match.group(2))) if found else None
        if channel_match.group(3):
            width = int(channel_match.group(3)) + int(channel_match.group(4) or 0)
        if channel_match.group(5):
            center = int(channel_match.group(5))
    wiphy = first_int(fields.get("wiphy"))
    ifindex = first_int(fields.get("ifindex"))
    power = first_number(fields.get("txpower"))
    return WifiInterface(
        interface=name,
        mac=normalise_mac(fields.get("addr")),
        mode=fields.get("type") or None,
        phy_index=wiphy if wiphy is not None else phy,
        ifindex=ifindex,
        ssid=ssid,
        ssid_hidden_reason=hidden,
        frequency_mhz=frequency,
        width_mhz=width,
        center_mhz=center,
        tx_power_dbm=power,
    )
