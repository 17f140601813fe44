"""The shapes of structured facts that more than one probe reads.

A probe declares each fact it provides with its type (:class:`homediag.core.facts.Fact`); when another
probe reads that fact, both need the shape of its items, and probes never import each other: such
shapes live here. A reader gets typed values with ``ctx.fact_as("discovery.devices", list[DeviceEntry])``
(checked against the shape), the provider's ``ctx.observe`` refuses a value that does not fit.

Shapes used only by the probe that provides them live in that probe's module; shapes a protocol client
of ``homediag.net`` builds live beside it.
"""

from __future__ import annotations

from typing import NotRequired, Required

from typing_extensions import TypedDict

from homediag.core.facts import record


@record
class InterfaceEntry(TypedDict):
    """An ``interface.all`` item: one network interface of this computer."""

    name: str
    up: bool | None
    kind: str
    """``wired``, ``wireless``, ``virtual``, ``loopback`` or ``unknown``."""
    ipv4: list[str]
    ipv6: list[str]


@record
class DeviceEntry(TypedDict):
    """A ``discovery.devices`` item: one merged device, with what saw it."""

    id: str
    ip: str | None
    mac: str | None
    vendor: str | None
    kind: str
    kind_because: str | None
    names: list[str]
    model: str | None
    random_mac: bool
    seen_by: list[str]
    """``arp``, ``mdns``, ``ssdp``, ``names``, ``unicast`` (or another source's probe id)."""
    services: list[str]


def answered_by_unicast(entry: DeviceEntry) -> bool:
    """Whether a device answered something sent to it alone (ARP, unicast DNS-SD or M-SEARCH)."""
    return bool({"arp", "unicast"} & set(entry["seen_by"]))


def announced(entry: DeviceEntry) -> bool:
    """Whether a device was heard by multicast (mDNS or SSDP)."""
    return bool({"mdns", "ssdp"} & set(entry["seen_by"]))


@record
class NameEntry(TypedDict):
    """A ``names.reverse_dns`` or ``names.netbios`` item: an address and its name."""

    ip: str
    name: str


@record
class PrintQueue(TypedDict):
    """A ``printer.queues`` item: one print queue of this computer and where it prints to."""

    name: str
    uri: str | None
    scheme: str | None
    host: str | None
    port: int | None
    network: bool
    status: NotRequired[str]
    """Windows only: the queue's status as Get-Printer says it."""


SilentPeer = TypedDict("SilentPeer", {"ip": str, "name": str | None, "kind": str, "from": list[str]})
"""A ``lan.silent_peers`` item: a LAN device known from DNS, the baseline or a print queue that did not
answer, with the kind its names suggest and where it is known from (``dns``, ``baseline``, ``print
queue``). (``from`` is a Python keyword: the functional form of TypedDict.)"""
record(SilentPeer)


@record
class Supply(TypedDict):
    """An ``ipp.supplies`` item: one marker supply of a printer (levels in %, None when unknown)."""

    name: str
    type: str | None
    color: str | None
    level: int | None
    low: int | None
    high: int | None
    is_low: bool


@record
class MediaInfo(TypedDict, total=False):
    """A ``media.info`` value: what a cast, AirPlay or DLNA device says about itself."""

    protocols: Required[list[str]]
    name: str
    model: str
    manufacturer: str
    build: str
    busy: bool
    airplay_version: str
    password: bool
