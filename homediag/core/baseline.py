"""``--baseline``: which devices of an earlier report of the same network vanished or moved.

Devices are matched by id, then by MAC. A redacted baseline holds tokens instead of ids and MACs
(``printer-1``, ``3c:2a:f4:…mac-2``): the current devices are then put in the same form by the
session's :data:`DeviceTokenizer` (the installation's redaction tokens, wired in by the application
layer from :mod:`homediag.reports.baseline`), which gives a device the same tokens in every report,
and compared in that form. Private addresses survive redaction, so a device's move from one address to
another is seen either way.

Tokens are numbers per class, so a baseline redacted by *another* installation uses the same words for
other devices: such a baseline cannot be compared. A token match is only accepted when both MACs keep
the same vendor part; when nothing matches at all, the comparison says why it may be so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from typing_extensions import TypedDict

from homediag.core.facts import record
from homediag.core.model import Device, Report

DeviceTokenizer = Callable[[Sequence[Device]], list[Device]]
"""Puts devices in the form a redacted report of this installation holds them (same order)."""


@dataclass(frozen=True)
class Baseline:
    """The earlier report given with ``--baseline``, and how to compare with it when it is redacted."""

    report: Report
    tokenize: DeviceTokenizer | None = None
    """Required to compare with a redacted baseline; None leaves current devices as they are."""

    @property
    def devices(self) -> tuple[Device, ...]:
        """The baseline's devices."""
        return self.report.devices

    @property
    def redacted(self) -> bool:
        """Whether the baseline report was redacted (ids and MACs are tokens)."""
        return self.report.privacy_level == "redacted"


@record
class MissingDevice(TypedDict):
    """A ``baseline.missing_devices`` item: a device of the baseline that no current device matches."""

    id: str
    ip: str | None
    kind: str
    name: str | None
    vendor: str | None


@record
class MovedDevice(TypedDict):
    """A ``baseline.moved_devices`` item: a device of the baseline found at another address."""

    id: str
    kind: str
    name: str | None
    old_ip: str | None
    new_ip: str | None


@dataclass(frozen=True)
class BaselineComparison:
    """What changed since the baseline report."""

    baseline_run: str
    baseline_time: str
    redacted: bool
    device_count: int
    missing: tuple[MissingDevice, ...] = ()
    """Baseline devices that no current device matches: id, ip, kind, name, vendor."""
    moved: tuple[MovedDevice, ...] = ()
    """Baseline devices found at another address: id, kind, name, old_ip, new_ip."""
    notes: tuple[str, ...] = field(default=())

    def as_json(self) -> dict[str, Any]:
        """``Report.baseline``."""
        return {
            "baseline_run": self.baseline_run,
            "baseline_time": self.baseline_time,
            "redacted": self.redacted,
            "device_count": self.device_count,
            "missing_devices": list(self.missing),
            "moved_devices": list(self.moved),
        }


def _name(device: Device) -> str | None:
    return device.names[0] if device.names else (device.model or device.vendor)


def _entry(device: Device) -> MissingDevice:
    return {
        "id": device.id,
        "ip": device.ip,
        "kind": device.kind.value,
        "name": _name(device),
        "vendor": device.vendor,
    }


def _same_vendor_part(a: str | None, b: str | None) -> bool:
    """Whether two (redacted) MACs keep the same vendor part, or either has none to compare."""
    if not a or not b:
        return True
    return a.split("…", 1)[0] == b.split("…", 1)[0]


def compare(baseline: Baseline, current: Sequence[Device]) -> BaselineComparison:
    """Compare ``baseline``'s devices with ``current`` ones (tokenized first for a redacted baseline)."""
    redacted = baseline.redacted
    comparable = list(current)
    if redacted and baseline.tokenize is not None:
        comparable = baseline.tokenize(current)
    by_id = {d.id: d for d in comparable}
    by_mac = {d.mac: d for d in comparable if d.mac}
    pairs: list[tuple[Device, Device | None]] = []
    for old in baseline.devices:
        match = by_id.get(old.id)
        if match is not None and redacted and not _same_vendor_part(old.mac, match.mac):
            match = None
        pairs.append((old, match or (by_mac.get(old.mac) if old.mac else None)))
    notes: list[str] = []
    if baseline.devices and not any(new is not None for _old, new in pairs):
        notes.append(
            "no device of the baseline matched: it may come from another network, or (redacted) from "
            "another installation, whose tokens mean other devices"
        )
    missing: list[MissingDevice] = []
    moved: list[MovedDevice] = []
    for old, new in pairs:
        if new is None:
            missing.append(_entry(old))
        elif old.ip and new.ip and old.ip != new.ip:
            moved.append(
                {
                    "id": old.id,
                    "kind": (new.kind if new.kind.value != "unknown" else old.kind).value,
                    "name": _name(old),
                    "old_ip": old.ip,
                    "new_ip": new.ip,
                }
            )
    return BaselineComparison(
        baseline_run=baseline.report.run_id,
        baseline_time=baseline.report.started_at,
        redacted=redacted,
        device_count=len(baseline.devices),
        missing=tuple(missing),
        moved=tuple(moved),
        notes=tuple(notes),
    )
