"""``report diff``: what changed between two reports of one network, say before and after a repair.

Devices are matched by id (a token in redacted reports: the same device has the same token in every
report of one installation), else by MAC; findings by problem code; measurements by fact and subject.
A numeric measurement counts as changed when it moved by more than ``threshold`` of the larger value
(10 % by default); booleans and short strings count when they differ.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from homediag.core.i18n import _
from homediag.core.model import Device, Finding, JSONValue, Observation, Report
from homediag.reports.sanitize import inert

DEFAULT_THRESHOLD = 0.10
MAX_TEXT_VALUE = 64


class Change(StrEnum):
    """How something changed between the two reports."""

    CAME = "came"
    WENT = "went"
    CHANGED = "changed"
    RESOLVED = "resolved"
    NEW = "new"


@dataclass(frozen=True)
class DeviceChange:
    """A device that came, went, or changed address, kind or name."""

    change: Change
    id: str
    kind: str
    name: str
    details: tuple[str, ...] = ()
    """What changed, in English (``address 192.0.2.5 → 192.0.2.9``): the JSON document's words."""
    changed: tuple[tuple[str, str, str], ...] = ()
    """What changed as (``address`` | ``kind`` | ``names``, before, after), which views word in the
    reader's language."""


@dataclass(frozen=True)
class FindingChange:
    """A problem resolved or new, or a cause whose status moved."""

    change: Change
    code: str
    title: str
    before: str | None
    after: str | None
    playbook: str | None = None
    """The playbook and cause of the finding the title is taken from, to word it in the reader's language."""
    cause: str | None = None


@dataclass(frozen=True)
class MeasurementChange:
    """A measurement whose value moved."""

    fact: str
    subject: str
    before: JSONValue
    after: JSONValue
    unit: str | None
    relative: float | None
    """(after - before) / |before| for numbers, None otherwise."""


@dataclass(frozen=True)
class ReportDiff:
    """Everything that changed from ``old`` to ``new``."""

    old_run: str
    new_run: str
    old_time: str
    new_time: str
    devices: tuple[DeviceChange, ...]
    findings: tuple[FindingChange, ...]
    measurements: tuple[MeasurementChange, ...]
    warnings: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """Whether nothing changed."""
        return not (self.devices or self.findings or self.measurements)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready document of the diff."""
        data = asdict(self)
        return {"diff_version": 1, **data}


def _name(device: Device) -> str:
    return inert(device.names[0] if device.names else (device.vendor or device.id), 80)


def _match_devices(old: Iterable[Device], new: Iterable[Device]) -> list[tuple[Device | None, Device | None]]:
    old_list, new_list = list(old), list(new)
    pairs: list[tuple[Device | None, Device | None]] = []
    by_id = {d.id: d for d in new_list}
    by_mac = {d.mac: d for d in new_list if d.mac}
    used: set[int] = set()
    for device in old_list:
        match = by_id.get(device.id) or (by_mac.get(device.mac) if device.mac else None)
        if match is not None and id(match) not in used:
            used.add(id(match))
            pairs.append((device, match))
        else:
            pairs.append((device, None))
    pairs += [(None, d) for d in new_list if id(d) not in used]
    return pairs


def _device_changes(old: Report, new: Report) -> list[DeviceChange]:
    changes = []
    for before, after in _match_devices(old.devices, new.devices):
        if before is None and after is not None:
            changes.append(DeviceChange(Change.CAME, after.id, after.kind.value, _name(after),
                                        tuple(a for a in [after.ip] if a)))  # fmt: skip
        elif after is None and before is not None:
            changes.append(DeviceChange(Change.WENT, before.id, before.kind.value, _name(before),
                                        tuple(a for a in [before.ip] if a)))  # fmt: skip
        elif before is not None and after is not None:
            changed: list[tuple[str, str, str]] = []
            if before.ip != after.ip:
                changed.append(("address", before.ip or "—", after.ip or "—"))
            if before.kind != after.kind:
                changed.append(("kind", before.kind.value, after.kind.value))
            if set(before.names) != set(after.names):
                changed.append(("names", ", ".join(before.names) or "—", ", ".join(after.names) or "—"))
            if changed:
                details = tuple(inert(f"{what} {old} → {new}", 200) for what, old, new in changed)
                changed = [(what, inert(old, 120), inert(new, 120)) for what, old, new in changed]
                changes.append(DeviceChange(Change.CHANGED, after.id, after.kind.value, _name(after),
                                            details, tuple(changed)))  # fmt: skip
    return changes


def _by_code(findings: Iterable[Finding]) -> dict[str, Finding]:
    result: dict[str, Finding] = {}
    for finding in findings:
        key = finding.code if finding.code != "interaction" else "interaction:" + "+".join(finding.members)
        current = result.get(key)
        if current is None or finding.probability > current.probability:
            result[key] = finding
    return result


def _finding_changes(old: Report, new: Report) -> list[FindingChange]:
    before, after = _by_code(old.findings), _by_code(new.findings)
    changes = []
    for code in sorted(set(before) | set(after)):
        b, a = before.get(code), after.get(code)
        was = b is not None and b.status.is_problem
        now = a is not None and a.status.is_problem
        source = a or b
        title = inert(source.title if source else code, 200)
        b_status = b.status.value if b else None
        a_status = a.status.value if a else None
        if was and not now:
            change = Change.RESOLVED
        elif now and not was:
            change = Change.NEW
        elif b_status != a_status and not (b is None or a is None):
            change = Change.CHANGED
        else:
            continue
        playbook, cause = (source.playbook, source.cause) if source else (None, None)
        changes.append(FindingChange(change, inert(code, 80), title, b_status, a_status, playbook, cause))
    return changes


def _last_values(observations: Iterable[Observation]) -> dict[tuple[str, str], Observation]:
    values: dict[tuple[str, str], Observation] = {}
    for obs in observations:
        values[(obs.fact, obs.subject)] = obs
    return values


def _comparable(value: JSONValue) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, int | float):
        return math.isfinite(value)
    return isinstance(value, str) and len(value) <= MAX_TEXT_VALUE


def _measurement_changes(old: Report, new: Report, threshold: float) -> list[MeasurementChange]:
    before, after = _last_values(old.observations), _last_values(new.observations)
    changes = []
    for key in sorted(set(before) & set(after)):
        b, a = before[key], after[key]
        if not (_comparable(b.value) and _comparable(a.value)):
            continue
        numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (b.value, a.value))
        if numeric:
            x, y = float(b.value), float(a.value)  # type: ignore[arg-type]
            scale = max(abs(x), abs(y))
            if scale == 0 or abs(y - x) <= threshold * scale:
                continue
            relative = (y - x) / abs(x) if x != 0 else None
        else:
            if b.value == a.value:
                continue
            relative = None
        changes.append(MeasurementChange(
            fact=inert(key[0], 80), subject=inert(key[1], 80),
            before=inert(b.value, 80) if isinstance(b.value, str) else b.value,
            after=inert(a.value, 80) if isinstance(a.value, str) else a.value,
            unit=a.unit, relative=relative,
        ))  # fmt: skip
    return changes


def diff_reports(old: Report, new: Report, *, threshold: float = DEFAULT_THRESHOLD) -> ReportDiff:
    """What changed from ``old`` to ``new``."""
    warnings = []
    if old.privacy_level != new.privacy_level:
        warnings.append(_("one report is redacted and the other is not: devices cannot be matched by id"))
    return ReportDiff(
        old_run=old.run_id,
        new_run=new.run_id,
        old_time=old.finished_at,
        new_time=new.finished_at,
        devices=tuple(_device_changes(old, new)),
        findings=tuple(_finding_changes(old, new)),
        measurements=tuple(_measurement_changes(old, new, threshold)),
        warnings=tuple(warnings),
    )
