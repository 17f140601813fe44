"""The frozen spec every probe declares beside its code.

A spec says what a probe is (a stable dotted id and one line of summary), how risky it is (exactly one
risk level), where it runs (platforms, privilege and the fallback it uses without it, binaries), what it
needs (fact names) and provides (the declarations of its facts: :class:`~homediag.core.facts.Fact`), which
devices it is for (matchers), its arguments and its timeout. The registry validates specs when probes
register; ``homediag probes explain`` renders them.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from homediag.core.facts import Fact, describe_type

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


class ProbeArgs(BaseModel):
    """A probe's arguments: one field per argument, with its type, default and help (``description``).

    Settable under ``probes.<id>`` in the configuration, validated when the configuration loads (unknown
    keys refused); the probe reads typed values with ``ctx.args_as(TheArgs)``::

        class GatewayArgs(ProbeArgs):
            count: int = Field(30, description="Echo requests to send")
    """

    model_config = ConfigDict(extra="forbid", frozen=True)


class NoArgs(ProbeArgs):
    """The arguments of a probe that has none."""


@dataclass(frozen=True)
class ArgInfo:
    """One argument as the docs show it (``probes explain``)."""

    name: str
    type: str
    default: Any
    help: str


def arg_infos(model: type[ProbeArgs]) -> list[ArgInfo]:
    """The arguments of ``model``, in declaration order."""
    return [
        ArgInfo(
            name=name,
            type=describe_type(field.annotation),
            default=field.get_default(call_default_factory=True),
            help=field.description or "",
        )
        for name, field in model.model_fields.items()
    ]


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
    provides: tuple[Fact, ...]
    """The declarations of the facts this probe provides (and no other probe does)."""
    needs: tuple[str, ...] = ()
    """Facts this probe reads; the runner runs their providers first."""
    follows: tuple[str, ...] = ()
    """Facts this probe reads while their providers still run (:meth:`ProbeContext.follow`): the runner
    starts their providers, then this probe beside them instead of after them; the probe reads what they
    publish as it comes and waits for their end itself (``homediag.core.feeds``)."""
    platforms: tuple[Platform, ...] = ALL_PLATFORMS
    privilege: Privilege = Privilege.NONE
    fallback: str | None = None
    """What the probe does instead when it lacks ``privilege`` (required when privilege is not none)."""
    binaries: tuple[str, ...] = ()
    """External commands it may call; missing ones are reported, not fatal, when a fallback exists."""
    matchers: tuple[DeviceMatcher, ...] = ()
    """Non-empty for device probes: one run per matching device."""
    args: type[ProbeArgs] = NoArgs
    """The model of its arguments (a :class:`ProbeArgs` subclass)."""
    description: str = ""
    """Longer text for ``probes explain``: method, limits, what it never does."""
    tags: tuple[str, ...] = field(default=())

    @property
    def fact_names(self) -> tuple[str, ...]:
        """The names of the facts this probe provides."""
        return tuple(fact.name for fact in self.provides if isinstance(fact, Fact))

    @functools.cached_property
    def _facts(self) -> dict[str, Fact]:
        return {fact.name: fact for fact in self.provides if isinstance(fact, Fact)}

    def fact(self, name: str) -> Fact | None:
        """The declaration of the provided fact ``name``, or None."""
        return self._facts.get(name)

    @property
    def per_device(self) -> bool:
        """Whether the runner schedules this probe once per matching device."""
        return bool(self.matchers)

    def arg_infos(self) -> list[ArgInfo]:
        """Its arguments as the docs show them."""
        return arg_infos(self.args)
