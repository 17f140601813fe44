"""Ground truth of a home, and the scores of what homediag said about it.

A home's truth comes from its draw: every device with its address, MAC, kind and vendor; the
advisories that are true of it (an admin page over plain HTTP, Telnet, an anonymous MQTT broker, no
UPnP IGD); the fault codes that are true of the home itself (carrier-grade NAT on a CGNAT home). The
faults injected on top add the codes they must produce (:meth:`Fault.codes_on`).

A diagnosis is scored by three rules: every injected fault's code the complaint's playbooks can name is
``confirmed`` or ``likely``; no other *fault* code is (an advisory true of the home, or a code the home
or an injected fault really produces, is fine); the top fault is one of the injected ones. A scan is
scored device by device: found (same address and MAC), kind right, vendor right; and what it found that
the home does not have.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from homediag.core import codes
from homediag.engine.catalog import CHECKUP, load_playbooks
from homediag.lab.faults import FAULTS
from homediag.lab.home import HomeView
from homediag.lab.scenario import Role

CHECKUP_BLIND: frozenset[str] = frozenset({"wan.slow", "wan.bufferbloat"})
"""Codes a plain checkup cannot measure by design: the design runs the speed test (and so the line
under load) "when a playbook needs it (slow-internet, video-calls) or with --speedtest, not in a plain
checkup". A checkup is not required to find them (and may still name them)."""

PROBLEM_STATUSES = ("confirmed", "likely")
"""The statuses that make a finding a problem homediag reports (and exit code 1 for a fault)."""


def is_advisory(code: str) -> bool:
    """Whether ``code`` is an advisory (docs/probes-and-playbooks.md#faults-and-advisories): the kind the
    problem-code
    catalogue (``homediag/core/codes.yaml``) gives it. Every other code is a fault."""
    return codes.is_advisory(code)


@dataclass(frozen=True)
class TruthDevice:
    """One device of a home, as a perfect scan would list it."""

    key: str
    ip: str
    mac: str
    kind: str
    vendor: str
    announces: bool = True
    """Whether it says what it is (mDNS, SSDP, UPnP, a web page); a plain host only answers ARP and
    ping, so its kind can only be guessed from its vendor and name."""


@dataclass(frozen=True)
class HomeTruth:
    """What is true of a home before any fault."""

    devices: tuple[TruthDevice, ...]
    advisories: tuple[str, ...]
    conditions: tuple[str, ...]
    """Fault codes the home's own design produces (``wan.cgnat`` behind carrier-grade NAT)."""


def home_truth(home: HomeView) -> HomeTruth:
    """The ground truth of ``home`` (healthy, no fault on)."""
    profile = home.profile
    devices = tuple(
        TruthDevice(
            key, str(dev.ip), dev.mac, str(dev.kind), dev.vendor, dev.role not in (Role.HOST, Role.CLIENT)
        )
        for key, dev in home.scenario.present_devices([]).items()
    )
    advisories = []
    if profile.router.admin == "http":
        advisories.append("security.admin-http")
    if profile.telnet != "none":
        advisories.append("security.telnet-open")
    if profile.mqtt_anonymous and home.has(Role.MQTT):
        advisories.append("security.mqtt-anonymous")
    if not profile.router.upnp:
        advisories.append("upnp.igd-unavailable")
    conditions = ["wan.cgnat"] if profile.isp.path == "cgnat" else []
    return HomeTruth(devices, tuple(sorted(advisories)), tuple(conditions))


@dataclass(frozen=True)
class Expected:
    """What a diagnosis of a home with some faults on must and may say."""

    required: tuple[str, ...]
    """The injected faults' codes."""
    checkup_only: tuple[str, ...] = ()
    """Required codes only a checkup must find (:attr:`Fault.checkup_only`)."""
    tolerated: tuple[str, ...] = ()
    """Codes that are true of the home (advisories, its conditions) or that an injected fault really
    produces there: fine to report, never required."""


def expected(home: HomeView, faults: Sequence[str]) -> Expected:
    """What must be found on ``home`` with ``faults`` on."""
    truth = home_truth(home)
    required: list[str] = []
    checkup_only: set[str] = set()
    tolerated: set[str] = set(truth.advisories) | set(truth.conditions)
    for name in faults:
        fault = FAULTS[name]
        codes = fault.codes_on(home)
        required += [c for c in codes.expected if c not in required]
        if fault.checkup_only:
            checkup_only |= set(codes.expected)
        tolerated |= set(codes.tolerated)
    return Expected(tuple(required), tuple(sorted(checkup_only)), tuple(sorted(tolerated - set(required))))


@cache
def complaint_codes(complaint: str) -> frozenset[str]:
    """The problem codes the playbooks of ``complaint`` can name (every code for the checkup)."""
    playbooks = load_playbooks()
    models = list(playbooks.playbooks) if complaint == CHECKUP else [playbooks.for_complaint(complaint)]
    return frozenset(h.code for model in models for h in model.hypotheses if h.code)


@dataclass(frozen=True)
class RunScore:
    """The score of one ``homediag diagnose`` run."""

    complaint: str
    required: tuple[str, ...]
    """The injected codes this complaint's playbooks can name."""
    problems: tuple[tuple[str, str, float], ...]
    """(code, status, probability) of every confirmed or likely finding, most probable first."""
    missed: tuple[str, ...]
    false_alarms: tuple[str, ...]
    top: str | None
    top_ok: bool
    exit_code: int
    complete: bool
    seconds: float
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Every required code found, no false alarm, the right top fault, and no error."""
        return self.error is None and not self.missed and not self.false_alarms and self.top_ok

    def to_json(self) -> dict[str, Any]:
        """For the bench's JSON file."""
        return {
            "complaint": self.complaint,
            "ok": self.ok,
            "required": list(self.required),
            "problems": [list(p) for p in self.problems],
            "missed": list(self.missed),
            "false_alarms": list(self.false_alarms),
            "top": self.top,
            "top_ok": self.top_ok,
            "exit_code": self.exit_code,
            "complete": self.complete,
            "seconds": round(self.seconds, 2),
            "error": self.error,
        }


def problems_of(report: Mapping[str, Any]) -> list[tuple[str, str, float]]:
    """(code, status, probability) of a report's confirmed and likely findings, most probable first."""
    found = [
        (str(f["code"]), str(f["status"]), float(f["probability"]))
        for f in report.get("findings", [])
        if f.get("status") in PROBLEM_STATUSES
    ]
    return sorted(found, key=lambda item: (-item[2], item[1] != "confirmed", item[0]))


def score_run(
    complaint: str,
    want: Expected,
    report: Mapping[str, Any] | None,
    *,
    exit_code: int,
    seconds: float,
    error: str | None = None,
) -> RunScore:
    """Score one diagnosis (``report`` None when the run gave none: then ``error`` says why)."""
    names = complaint_codes(complaint)
    skip = CHECKUP_BLIND if complaint == CHECKUP else frozenset(want.checkup_only)
    required = tuple(code for code in want.required if code in names and code not in skip)
    if report is None:
        return RunScore(complaint, required, (), required, (), None, False, exit_code, False, seconds, error)
    problems = problems_of(report)
    codes = {code for code, _status, _p in problems}
    missed = tuple(code for code in required if code not in codes)
    allowed = set(want.required) | set(want.tolerated)
    false_alarms = tuple(sorted(c for c in codes if c not in allowed and not is_advisory(c)))
    # The top fault: the most probable problem that is not merely tolerated (a condition of the home
    # does not compete with the complaint's cause) and not an advisory: an advisory is reported in its
    # own section and never poses as the cause, even when the bench injected it.
    ranked = [code for code, _status, _p in problems if code not in want.tolerated and not is_advisory(code)]
    top = ranked[0] if ranked else None
    top_ok = top in required if required else top is None or top in want.required
    return RunScore(
        complaint,
        required,
        tuple(problems),
        missed,
        false_alarms,
        top,
        top_ok,
        exit_code,
        bool(report.get("complete", False)),
        seconds,
        error,
    )


# --- scan ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScanScore:
    """How a ``homediag scan`` compares with the home's devices."""

    devices: int
    found: int
    kind_right: int
    vendor_right: int
    announced: int
    """Devices that say what they are (the router and every device with services)."""
    announced_kind_right: int
    missed: tuple[str, ...]
    """Device keys not found (address and MAC)."""
    wrong_kind: tuple[tuple[str, str, str], ...]
    """(key, true kind, scanned kind)."""
    wrong_vendor: tuple[tuple[str, str, str], ...]
    extra: tuple[str, ...]
    """Addresses the scan listed that no device of the home has."""
    seconds: float
    error: str | None = field(default=None)

    def to_json(self) -> dict[str, Any]:
        """For the bench's JSON file."""
        return {
            "devices": self.devices,
            "found": self.found,
            "kind_right": self.kind_right,
            "vendor_right": self.vendor_right,
            "announced": self.announced,
            "announced_kind_right": self.announced_kind_right,
            "missed": list(self.missed),
            "wrong_kind": [list(w) for w in self.wrong_kind],
            "wrong_vendor": [list(w) for w in self.wrong_vendor],
            "extra": list(self.extra),
            "seconds": round(self.seconds, 2),
            "error": self.error,
        }


def score_scan(
    truth: HomeTruth, scanned: Iterable[Mapping[str, Any]] | None, *, seconds: float, error: str | None = None
) -> ScanScore:
    """Score a scan's device list (None when the scan failed: ``error`` says why)."""
    keys = tuple(d.key for d in truth.devices)
    announced = sum(d.announces for d in truth.devices)
    if scanned is None:
        return ScanScore(len(keys), 0, 0, 0, announced, 0, keys, (), (), (), seconds, error)
    by_ip = {str(d.get("ip")): d for d in scanned}
    found = kind_right = vendor_right = announced_kind_right = 0
    missed: list[str] = []
    wrong_kind: list[tuple[str, str, str]] = []
    wrong_vendor: list[tuple[str, str, str]] = []
    for dev in truth.devices:
        seen = by_ip.get(dev.ip)
        if seen is None or str(seen.get("mac") or "").lower() != dev.mac:
            missed.append(dev.key)
            continue
        found += 1
        kind = str(seen.get("kind") or "")
        vendor = str(seen.get("vendor") or "")
        if kind == dev.kind:
            kind_right += 1
            announced_kind_right += dev.announces
        else:
            wrong_kind.append((dev.key, dev.kind, kind))
        if vendor == dev.vendor:
            vendor_right += 1
        else:
            wrong_vendor.append((dev.key, dev.vendor, vendor))
    known = {d.ip for d in truth.devices}
    extra = tuple(sorted(ip for ip in by_ip if ip not in known))
    return ScanScore(
        len(keys),
        found,
        kind_right,
        vendor_right,
        announced,
        announced_kind_right,
        tuple(missed),
        tuple(wrong_kind),
        tuple(wrong_vendor),
        extra,
        seconds,
        error,
    )
