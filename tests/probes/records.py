"""Tiny builders of the structured facts probes read, complete with the defaults a run would write."""

from __future__ import annotations

from typing import Any


def device_entry(id: str, ip: str | None = None, kind: str = "unknown", **fields: Any) -> dict[str, Any]:
    """A ``discovery.devices`` item."""
    return {
        "id": id,
        "ip": ip,
        "mac": None,
        "vendor": None,
        "kind": kind,
        "kind_because": None,
        "names": [],
        "model": None,
        "random_mac": False,
        "seen_by": [],
        "services": [],
        **fields,
    }


def silent_peer(
    ip: str, kind: str, name: str | None = None, known_from: tuple[str, ...] = ("dns",)
) -> dict[str, Any]:
    """A ``lan.silent_peers`` item."""
    return {"ip": ip, "name": name, "kind": kind, "from": list(known_from)}


def missing_device(ip: str | None, kind: str, id: str = "gone", name: str | None = None) -> dict[str, Any]:
    """A ``baseline.missing_devices`` item."""
    return {"id": id, "ip": ip, "kind": kind, "name": name, "vendor": None}


def print_queue(
    name: str, host: str | None, *, network: bool = True, scheme: str | None = None
) -> dict[str, Any]:
    """A ``printer.queues`` item."""
    return {"name": name, "uri": None, "scheme": scheme, "host": host, "port": None, "network": network}


def interface_entry(name: str, kind: str, *, up: bool | None = True) -> dict[str, Any]:
    """An ``interface.all`` item."""
    return {"name": name, "up": up, "kind": kind, "ipv4": [], "ipv6": []}


def supply(name: str, level: int | None, *, is_low: bool, low: int | None = 10) -> dict[str, Any]:
    """An ``ipp.supplies`` item."""
    return {
        "name": name, "type": None, "color": None, "level": level, "low": low, "high": None, "is_low": is_low,
    }  # fmt: skip
