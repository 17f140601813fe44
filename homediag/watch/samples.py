"""What one measurement of a watch stores.

A sample is one row of the history: when (Unix time, seconds), what kind of measurement, about which
subject (``gateway``, ``hop2``, ``internet`` targets, a resolver, a URL, the Wi-Fi interface), whether it
succeeded, a number (round trip or answer time in ms, signal in dBm) and a small JSON detail where the
kind needs one (the Wi-Fi link's BSSID, channel and rate; the interface's addresses and gateway).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Any

MAX_INFO_CHARS = 2000
"""A detail longer than this is cut: the history never stores a device's whole answer."""


class Kind(IntEnum):
    """The kind of a sample (stored as its number: the numbers never change)."""

    PING = 1
    """An echo request: ``value`` the round trip in ms, None when lost."""
    DNS = 2
    """A lookup of a fresh name: ``value`` the answer time in ms, ``ok`` whether an answer came."""
    HTTP = 3
    """A connectivity check: ``value`` its time in ms, ``ok`` whether it answered 204 (or 200 empty)."""
    WIFI = 4
    """The Wi-Fi link: ``value`` the signal in dBm, ``ok`` whether associated; info: bssid, channel, rate."""
    LINK = 5
    """The interface and its lease: ``ok`` whether up with an address; info: addresses, gateway, lease."""
    OSLOG = 6
    """A line of the OS's Wi-Fi log: info: what happened (``disconnected``, ``connected``, ``roamed``)."""
    MARK = 7
    """The watch itself: info ``started`` or ``stopped`` (gaps between runs are not outages)."""


class Role(StrEnum):
    """Where a ping target sits on the path."""

    GATEWAY = "gateway"
    HOP2 = "hop2"
    """The first router beyond the home router (the provider's side of the line)."""
    INTERNET = "internet"


@dataclass(frozen=True, slots=True)
class Sample:
    """One measurement."""

    t: float
    """Unix time in seconds."""
    kind: Kind
    subject: str
    """``gateway:192.0.2.1``, ``hop2:198.51.100.9``, ``internet:198.51.100.1``, ``resolver:192.0.2.53``,
    ``url:http://...``, ``if:wlan0``, ``watch``."""
    ok: bool
    value: float | None = None
    info: str | None = None
    """Compact JSON, at most :data:`MAX_INFO_CHARS`."""

    @property
    def role(self) -> str:
        """The part of the subject before the first colon (``gateway``, ``resolver``...)."""
        return self.subject.split(":", 1)[0]

    @property
    def address(self) -> str:
        """The part of the subject after the first colon."""
        return self.subject.split(":", 1)[1] if ":" in self.subject else ""

    def detail(self) -> dict[str, Any]:
        """The info as a dict (empty when there is none or it does not parse)."""
        if not self.info:
            return {}
        try:
            loaded = json.loads(self.info)
        except ValueError:
            return {}
        return loaded if isinstance(loaded, dict) else {}


def info_of(detail: dict[str, Any]) -> str:
    """A detail as compact JSON, capped at :data:`MAX_INFO_CHARS`."""
    text = json.dumps(detail, separators=(",", ":"), sort_keys=True, default=str)
    return text[:MAX_INFO_CHARS]
