"""``--baseline``: which devices of an earlier report of the same network vanished or moved.

Devices are matched by id, then by MAC. A redacted baseline holds tokens instead of ids and MACs
(``printer-1``, ``3c:2a:f4:…mac-2``): the current devices are then redacted with the same installation's
token table (:class:`~homediag.reports.tokens.TokenStore`), which gives a device the same tokens in
every report, and compared in that form. Private addresses survive redaction, so a device's move from
one address to another is seen either way. A baseline redacted by another installation matches
nothing by token; it is then compared by address only, and says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from homediag.core.model import Device, Report, RunContext
from homediag.reports.tokens import TokenStore


@dataclass(frozen=True)
class BaselineComparison:
    """What changed since the baseline report."""

    baseline_run: str
    baseline_time: str
    redacted: bool
    device_count: int
    missing: tuple[dict[str, Any], ...] = ()
    """Baseline devices that no current device matches: id, ip, kind, name, vendor."""
    moved: tuple[dict[str, Any], ...] = ()
    """Baseline devices found at another address: id, kind, name, old_ip, new_ip."""
    matched_by: str = "id"
    """``id`` (ids and MACs, tokens included) or ``address`` (another installation's tokens)."""
    notes: tuple[str, ...] = field(default=())

    def as_json(self) -> dict[str, Any]:
        """``Report.baseline``."""
        return {
            "baseline_run": self.baseline_run,
            "baseline_time": self.baseline_time,
            "redacted": self.redacted,
            "device_count": self.device_count,
            "matched_by": self.matched_by,
            "missing_devices": list(self.missing),
            "moved_devices": list(self.moved),
        }


def _name(device: Device) -> str | None:
    return device.names[0] if device.names else (device.model or device.vendor)


def _entry(device: Device) -> dict[str, Any]:
    return {
        "id": device.id,
        "ip": device.ip,
        "kind": device.kind.value,
        "name": _name(device),
        "vendor": device.vendor,
    }


def redacted_devices(devices: Sequence[Device], store: TokenStore) -> list[Device]:
    """``devices`` as a redacted report of this installation would hold them (same order)."""
    from homediag.reports.redact import redact

    report = Report(
        run_id="baseline-comparison",
        started_at="",
        finished_at="",
        complete=True,
        context=RunContext(platform="unknown"),
        devices=tuple(devices),
    )
    return list(redact(report, store).devices)


def compare(
    baseline: Report,
    current: Sequence[Device],
    *,
    store_factory: Callable[[], TokenStore] | None = None,
) -> BaselineComparison:
    """Compare ``baseline``'s devices with ``current`` ones.

    ``store_factory`` opens the installation's token store; it is used only for a redacted baseline.
    """
    redacted = baseline.privacy_level == "redacted"
    comparable = list(current)
    if redacted:
        factory = store_factory or TokenStore.open
        store = factory()
        try:
            comparable = redacted_devices(current, store)
        finally:
            store.close()
    by_id = {d.id: d for d in comparable}
    by_mac = {d.mac: d for d in comparable if d.mac}
    by_ip = {d.ip: d for d in comparable if d.ip}
    pairs: list[tuple[Device, Device | None]] = []
    for old in baseline.devices:
        pairs.append((old, by_id.get(old.id) or (by_mac.get(old.mac) if old.mac else None)))
    matched_by = "id"
    notes: list[str] = []
    if redacted and baseline.devices and not any(new is not None for _old, new in pairs):
        # Tokens of another installation: only addresses (kept by redaction) can be compared.
        matched_by = "address"
        notes.append("no device token matched: the baseline comes from another installation")
        pairs = [(old, by_ip.get(old.ip) if old.ip else None) for old in baseline.devices]
    missing: list[dict[str, Any]] = []
    moved: list[dict[str, Any]] = []
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
        baseline_run=baseline.run_id,
        baseline_time=baseline.started_at,
        redacted=redacted,
        device_count=len(baseline.devices),
        missing=tuple(missing),
        moved=tuple(moved),
        matched_by=matched_by,
        notes=tuple(notes),
    )
