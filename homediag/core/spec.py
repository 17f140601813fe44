"""The frozen spec every probe declares beside its code.

A spec says what a probe is (a stable dotted id and one line of summary), how risky it is (exactly one
risk level), where it runs (platforms, privilege and the fallback it uses without it, binaries), what it
needs and provides (facts from the catalogue), which devices it is for (matchers), its arguments and its
timeout. The registry validates specs when probes register; ``homediag probes explain`` renders them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

PROBE_ID_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


class Risk(StrEnum):
    """How much a probe may disturb the network, lowest first (docs/probes-and-playbooks.md#probes)."""

    PASSIVE = "passive"
    """Reads local state, sends nothing."""
    SAFE = "safe"
    """Traffic the target expects: a DNS query, an HTTP GET, an mDNS browse, a few pings."""
    ACTIVE = "active"
    """Noticeable load or broadcast: ARP sweep, DHCP DISCOVER, port checks, speed test."""
    INTRUSIVE = "intrusive"
    """May change state on a device; runs only when named with ``--allow``."""

    @property
    def rank(self) -> int:
        """Position in the order passive < safe < active < intrusive."""
        return list(Risk).index(self)

    def allows(self, other: Risk) -> bool:
        """Whether a cap of ``self`` lets a probe of risk ``other`` run."""
        return other.rank <= self.rank


class Privilege(StrEnum):
    """The privilege a probe needs for its best method."""

    NONE = "none"
    RAW_SOCKET = "raw_socket"


class Platform(StrEnum):
    """Operating systems a probe supports."""

    LINUX = "linux"
    MACOS = "macos"
    WINDOWS = "windows"


ALL_PLATFORMS: tuple[Platform, ...] = (Platform.LINUX, Platform.MACOS, Platform.WINDOWS)


@dataclass(frozen=True)
class DeviceMatcher:
    """Which discovered devices a device probe is for (any one field that matches is enough).

    Like Home Assistant's manifests, matchers are data: discovery never imports the probes.
    """

    mdns_type: str | None = None
    """A DNS-SD service type such as ``_ipp._tcp``."""
    ssdp_st: str | None = None
    """An SSDP search target / device type prefix such as ``urn:schemas-upnp-org:device:MediaServer``."""
    oui: str | None = None
    """A MAC prefix ``aa:bb:cc``."""
    kind: str | None = None
    """A device kind (``printer``, ``router``...)."""
    port: int | None = None
    """A TCP port the device is known to offer."""

    def describe(self) -> str:
        """One line for ``probes explain``."""
        parts = [f"{name}={value}" for name, value in self.__dict__.items() if value is not None]
        return ", ".join(parts)


ArgType = Literal["int", "float", "str", "bool", "list"]


@dataclass(frozen=True)
class ProbeArg:
    """One documented argument of a probe with its default (settable under ``probes.<id>`` in config)."""

    name: str
    type: ArgType
    default: object
    help: str


@dataclass(frozen=True)
class ProbeSpec:
    """Everything the runner, the engine and the docs need to know about a probe, without running it."""

    id: str
    """Stable dotted id, e.g. ``net.dns``; never renamed."""
    summary: str
    """One line: what the probe observes."""
    risk: Risk
    timeout_s: float
    """Total deadline of one run, including every retry and parse."""
    provides: tuple[str, ...]
    """Facts from the catalogue this probe provides (and no other probe does)."""
    needs: tuple[str, ...] = ()
    """Facts this probe reads; the runner runs their providers first."""
    platforms: tuple[Platform, ...] = ALL_PLATFORMS
    privilege: Privilege = Privilege.NONE
    fallback: str | None = None
    """What the probe does instead when it lacks ``privilege`` (required when privilege is not none)."""
    binaries: tuple[str, ...] = ()
    """External commands it may call; missing ones are reported, not fatal, when a fallback exists."""
    matchers: tuple[DeviceMatcher, ...] = ()
    """Non-empty for device probes: one run per matching device."""
    args: tuple[ProbeArg, ...] = ()
    description: str = ""
    """Longer text for ``probes explain``: method, limits, what it never does."""
    tags: tuple[str, ...] = field(default=())

    @property
    def per_device(self) -> bool:
        """Whether the runner schedules this probe once per matching device."""
        return bool(self.matchers)

    def arg_defaults(self) -> dict[str, object]:
        """The arguments with their defaults."""
        return {arg.name: arg.default for arg in self.args}
