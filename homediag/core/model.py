"""The values homediag passes around: observations, devices, probe results, findings and the report.

All of them are frozen dataclasses. Probes produce Observations and Devices inside ProbeResults; the
engine turns observations into Findings and a trace; the Report holds everything and is the one
canonical document every renderer reads (``to_json`` / ``from_json`` here, the JSON Schema in
``homediag/reports/schema``).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from enum import Enum, StrEnum
from ipaddress import (
    IPv4Address,
    IPv4Interface,
    IPv4Network,
    IPv6Address,
    IPv6Interface,
    IPv6Network,
)
from typing import Any

JSONScalar = str | int | float | bool | None
JSONValue = JSONScalar | list["JSONValue"] | dict[str, "JSONValue"]

SCHEMA_MAJOR = 1
SCHEMA_MINOR = 0
SCHEMA_VERSION = f"{SCHEMA_MAJOR}.{SCHEMA_MINOR}"
SCHEMA_ID = f"urn:homediag:schema:report:{SCHEMA_MAJOR}"


def utc_now() -> str:
    """The current time as an RFC 3339 UTC string with millisecond precision."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Outcome(StrEnum):
    """How a probe run ended. Rules read this, so "no data because it failed" is never "healthy"."""

    OK = "ok"
    NOT_APPLICABLE = "not_applicable"
    SKIPPED = "skipped"
    """Not run on purpose: above the risk cap, or not needed."""
    NOT_PERMITTED = "not_permitted"
    """Needed a privilege it did not have, and no fallback could stand in."""
    TIMEOUT = "timeout"
    ERROR = "error"
    CANCELLED = "cancelled"
    """Still running when the user interrupted the run."""

    @property
    def failed(self) -> bool:
        """Whether this outcome makes the run incomplete."""
        return self in (Outcome.TIMEOUT, Outcome.ERROR, Outcome.CANCELLED)


class DeviceKind(StrEnum):
    """What a device is, as far as the evidence says
    (docs/probes-and-playbooks.md#observations-devices-findings)."""

    ROUTER = "router"
    PRINTER = "printer"
    MEDIA = "media"
    """TV, streaming stick, media server or renderer."""
    SPEAKER = "speaker"
    HUB = "hub"
    """Smart-home hub or bridge."""
    CAMERA = "camera"
    PHONE = "phone"
    COMPUTER = "computer"
    NAS = "nas"
    IOT = "iot"
    UNKNOWN = "unknown"


class FindingStatus(StrEnum):
    """Status words of findings, by posterior (docs/probes-and-playbooks.md#status-words)."""

    CONFIRMED = "confirmed"
    LIKELY = "likely"
    POSSIBLE = "possible"
    RULED_OUT = "ruled_out"
    DEFERRED = "deferred"
    NOT_TESTED = "not_tested"

    @property
    def is_problem(self) -> bool:
        """Confirmed and likely findings are problems (exit code 1)."""
        return self in (FindingStatus.CONFIRMED, FindingStatus.LIKELY)


@dataclasses.dataclass(frozen=True)
class Observation:
    """One fact observed by one probe about one subject."""

    fact: str
    """The name of a fact its probe declares (``homediag.core.facts.Fact``)."""
    value: JSONValue
    source: str
    """The probe id that observed it."""
    subject: str = "local"
    """What it is about: ``local`` (this computer), ``if:eth0``, ``gateway``, ``resolver:192.0.2.53``,
    ``device:<id>``, ``target:<host>``."""
    unit: str | None = None
    sensitive: bool = False
    time: str = ""
    evidence: str | None = None
    """A short human-readable piece of evidence (``3 of 30 pings lost``), never raw secrets."""
    privacy: str | None = None
    """The fact's privacy class as its probe declared it (``keep``, ``pseudonymise``, ``drop``), which
    redaction reads; None in reports written before observations carried it (``sensitive`` then)."""


@dataclasses.dataclass(frozen=True)
class Service:
    """A service a device offers, as announced (mDNS, SSDP) or found (an open port)."""

    type: str
    """``_ipp._tcp``, ``urn:schemas-upnp-org:device:MediaServer:1``, ``tcp/80``..."""
    port: int | None = None
    name: str | None = None
    """Instance name (often personal: ``Anna's TV``)."""
    source: str = ""
    txt: Mapping[str, str] = dataclasses.field(default_factory=dict)
    url: str | None = None


@dataclasses.dataclass(frozen=True)
class DeviceEvidence:
    """Why homediag believes something about a device (``kind=printer`` because ``_ipp._tcp``)."""

    source: str
    claim: str
    detail: str = ""


@dataclasses.dataclass(frozen=True)
class Device:
    """One merged identity per physical device, from every source that saw it."""

    id: str
    ip: str | None = None
    addresses: tuple[str, ...] = ()
    mac: str | None = None
    vendor: str | None = None
    kind: DeviceKind = DeviceKind.UNKNOWN
    names: tuple[str, ...] = ()
    services: tuple[Service, ...] = ()
    model: str | None = None
    random_mac: bool = False
    evidence: tuple[DeviceEvidence, ...] = ()
    sources: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class ProbeError:
    """A structured error: its type and a one-line message (redacted in shared reports)."""

    type: str
    message: str


@dataclasses.dataclass(frozen=True)
class ProbeResult:
    """The outcome of one probe run, with what it observed. Failures keep every other result intact."""

    probe: str
    outcome: Outcome
    duration_s: float
    reason: str | None = None
    target: str | None = None
    """The device id for device probes."""
    started_at: str = ""
    observations: tuple[Observation, ...] = ()
    devices: tuple[Device, ...] = ()
    error: ProbeError | None = None
    limits_hit: tuple[str, ...] = ()
    method: str | None = None
    """How it measured, when it has several ways (``raw ICMP``, ``system ping``, ``TCP connect``)."""


class RemedyOutcome(StrEnum):
    """What happened when a remedy was offered (interactive runs;
    docs/diagnosis-engine.md#remedies-and-verifiers)."""

    OFFERED = "offered"
    """Offered; the user neither did it nor declined it."""
    SKIPPED = "skipped"
    """The user chose not to do it now."""
    FIXED = "fixed"
    """The user did it and its verifier passed."""
    NOT_FIXED = "not_fixed"
    """The user did it and its verifier failed."""
    COULD_NOT_VERIFY = "could_not_verify"
    """The user did it and its verifier could not be run (the trace says why)."""


@dataclasses.dataclass(frozen=True)
class Remedy:
    """A step that fixes a cause, with who may do it."""

    id: str
    title: str
    steps: tuple[str, ...] = ()
    safe_for_customer: bool = False
    needs_consent: bool = False
    disruptive: bool = False
    costs_money: bool = False
    """The step costs money (new equipment, a plan upgrade, a fee)."""
    cost_s: float | None = None
    fixes: Mapping[str, float] = dataclasses.field(default_factory=dict)
    outcome: RemedyOutcome | None = None
    """What happened when it was offered; None when it was not offered."""


@dataclasses.dataclass(frozen=True)
class EvidenceItem:
    """One piece of evidence for or against a finding, with its weight."""

    text: str
    test: str | None = None
    fact: str | None = None
    outcome: str | None = None
    likelihood_ratio: float | None = None


@dataclasses.dataclass(frozen=True)
class TimeWindow:
    """A stretch of time (RFC 3339 UTC strings): when an intermittent fault was seen."""

    start: str
    end: str


@dataclasses.dataclass(frozen=True)
class Finding:
    """A judged cause: a stable problem code, a status, a probability, its evidence and remedies."""

    code: str
    status: FindingStatus
    probability: float
    title: str
    explanation: str = ""
    """For customers: plain words."""
    details: str = ""
    """For technicians."""
    evidence: tuple[EvidenceItem, ...] = ()
    evidence_against: tuple[EvidenceItem, ...] = ()
    remedies: tuple[Remedy, ...] = ()
    decided_by: str | None = None
    """The test that decided the status (required for ``ruled_out``)."""
    members: tuple[str, ...] = ()
    """Member codes, for an interaction or multi-fault finding."""
    playbook: str | None = None
    cause: str | None = None
    subject: str | None = None
    intermittent: bool = False
    """Seen only in some windows of a watch (``homediag watch``), not all the time."""
    windows: tuple[TimeWindow, ...] = ()
    """When a watch saw it (empty for one-off runs)."""


@dataclasses.dataclass(frozen=True)
class ProbeRun:
    """The record of one probe run in a report (a ProbeResult without its observations)."""

    probe: str
    outcome: Outcome
    duration_s: float
    reason: str | None = None
    target: str | None = None
    started_at: str = ""
    error: ProbeError | None = None
    limits_hit: tuple[str, ...] = ()
    method: str | None = None

    @classmethod
    def of(cls, result: ProbeResult) -> ProbeRun:
        """The record of ``result``."""
        return cls(
            probe=result.probe,
            outcome=result.outcome,
            duration_s=result.duration_s,
            reason=result.reason,
            target=result.target,
            started_at=result.started_at,
            error=result.error,
            limits_hit=result.limits_hit,
            method=result.method,
        )


@dataclasses.dataclass(frozen=True)
class Question:
    """A question for the user, and how it was answered (or not)."""

    id: str
    text: str
    answer: str | None = None
    source: str = "unasked"
    """``interactive``, ``answers-file`` or ``unasked``."""
    answers: Mapping[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class PlaybookRef:
    """Which playbook judged, so support can replay with the same or a newer one."""

    id: str
    version: int
    sha256: str
    title: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """The playbook's title by language (``{"en": "The printer does not print", ...}``): what reports
    call the complaint. Empty in reports written before it was recorded."""


@dataclasses.dataclass(frozen=True)
class RunContext:
    """Where and how the run happened."""

    platform: str
    mode: str = "live"
    """``live`` or ``replay`` (``--from``)."""
    interface: str | None = None
    audience: str = "customer"
    lang: str = "en"
    privileged: bool = False
    max_risk: str = "active"
    allowed: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class ReportMeta:
    """Optional fields the technician or customer adds (``--customer``, ``--ticket``, ``--note``)."""

    customer: str | None = None
    site: str | None = None
    ticket: str | None = None
    note: str | None = None


@dataclasses.dataclass(frozen=True)
class Report:
    """The canonical report: one JSON document that every renderer reads and support can replay."""

    run_id: str
    started_at: str
    finished_at: str
    complete: bool
    context: RunContext
    complaint: str | None = None
    devices: tuple[Device, ...] = ()
    observations: tuple[Observation, ...] = ()
    probe_runs: tuple[ProbeRun, ...] = ()
    findings: tuple[Finding, ...] = ()
    trace: tuple[Mapping[str, Any], ...] = ()
    questions: tuple[Question, ...] = ()
    playbooks: tuple[PlaybookRef, ...] = ()
    meta: ReportMeta = dataclasses.field(default_factory=ReportMeta)
    privacy_level: str = "full"
    """``full`` until redacted; ``redacted`` after (docs/report-format.md#redaction)."""
    redaction: Mapping[str, int] = dataclasses.field(default_factory=dict)
    """How many values of each class redaction replaced."""
    interrupted_by: str | None = None
    """``SIGINT``, ``SIGTERM`` or ``SIGHUP`` when the run was cut short."""
    baseline: Mapping[str, Any] | None = None
    """The comparison with ``--baseline``: devices that vanished or changed address."""
    not_applicable: str | None = None
    """Why the complaint's playbook does not apply here (e.g. no wireless interface)."""
    tool_version: str = ""
    watch: Mapping[str, Any] | None = None
    """The history of ``homediag watch``: runs, targets, events, windows and the timeline (None for
    one-off runs)."""

    def top_finding(self) -> Finding | None:
        """The confirmed or likely fault with the highest probability
        (docs/probes-and-playbooks.md#status-words). Advisories never are: they make no exit code 1 on
        their own (docs/probes-and-playbooks.md#faults-and-advisories)."""
        from homediag.core.codes import is_advisory  # here: importing codes imports PyYAML

        problems = [f for f in self.findings if f.status.is_problem and not is_advisory(f.code)]
        if not problems:
            return None
        return max(problems, key=lambda f: (f.probability, f.status == FindingStatus.CONFIRMED))


def to_jsonable(value: Any) -> JSONValue:
    """Turn model values into JSON-safe data: enums to values, tuples to lists, NaN/inf to None,
    lone surrogates replaced, addresses to strings."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Enum):
        return to_jsonable(value.value)
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(
        value,
        IPv4Address | IPv6Address | IPv4Network | IPv6Network | IPv4Interface | IPv6Interface,
    ):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {clean_text(str(k)): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [to_jsonable(v) for v in value]
        if isinstance(value, set | frozenset):
            items.sort(key=repr)
        return items
    if isinstance(value, bytes):
        return clean_text(value.decode("utf-8", "replace"))
    return clean_text(str(value))


def clean_text(text: str) -> str:
    """Replace lone surrogates (undecodable bytes from devices) with U+FFFD so JSON stays valid."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join("\ufffd" if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in text)
    return text
