"""What a report's reader should see first and what not at all: faults before advisories, the devices
the findings name, the parts of the network a fault's measurements say are broken.

docs/probes-and-playbooks.md#faults-and-advisories: a *fault* produces a symptom someone could complain of; an
*advisory* (``security.admin-http``, ``security.mqtt-anonymous``...) is worth fixing but produces none.
So here:

- the headline is the top *fault*; advisories get their own list, after the faults;
- an advisory is judged from its own observation: a test that is evidence for an advisory is never
  shown as evidence for or against another finding, and advisories never form a "together" pair
  (the engine's multi-fault candidates may pair them; the report does not repeat that);
- the network map marks as broken only what a fault whose evidence was measured by a probe says is
  broken, and only the part that code names (double NAT or carrier-grade NAT break no link);
- a ruled-out cause is explained by its deciding evidence, once.

Everything here reads the report alone and returns model values; the view builder turns them into text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from homediag.core.codes import UNKNOWN, is_advisory
from homediag.core.model import Device, DeviceKind, EvidenceItem, Finding, FindingStatus, Report

SHOWN_RANK: Mapping[FindingStatus, int] = {
    FindingStatus.CONFIRMED: 0,
    FindingStatus.LIKELY: 1,
    FindingStatus.POSSIBLE: 2,
}
"""The statuses a finding is listed with (as a fault or an advisory), in their order."""

CLIENT_ROUTER = "client-router"
ROUTER_INTERNET = "router-internet"
ROUTER = "router"

_CLIENT_ROUTER_CODES = (
    "link.no-connection", "dhcp.no-lease", "dhcp.rogue-server", "ip.conflict", "lan.packet-loss",
    "wifi.weak-signal", "wifi.channel-congestion", "wifi.low-rate", "wifi.band-steering", "dns.no-resolver",
)  # fmt: skip
_ROUTER_CODES = (
    "gateway.unreachable", "lan.client-isolation", "lan.multicast-blocked", "lan.subnet-mismatch",
)  # fmt: skip
_ROUTER_INTERNET_CODES = (
    "wan.down", "wan.packet-loss", "wan.slow", "wan.bufferbloat", "wan.mtu-blackhole", "wan.captive-portal",
    "wan.udp-blocked", "wan.high-jitter", "dns.server-unreachable", "dns.slow", "dns.hijack", "ipv6.broken",
)  # fmt: skip
BREAKS: Mapping[str, str] = {
    **dict.fromkeys(_CLIENT_ROUTER_CODES, CLIENT_ROUTER),
    **dict.fromkeys(_ROUTER_CODES, ROUTER),
    **dict.fromkeys(_ROUTER_INTERNET_CODES, ROUTER_INTERNET),
}
"""The part of the map each fault code says is broken. Codes not listed break no part: double NAT,
carrier-grade NAT and the advisories leave every link working; device codes mark their device."""

DEVICE_CODES: Mapping[str, DeviceKind | None] = {"printer.": DeviceKind.PRINTER, "device.": None}
"""Code families about one device, with the kind to fall back on when no device is named."""


def is_fault(finding: Finding) -> bool:
    """Whether ``finding`` is a fault (its code is not an advisory; unknown codes count as faults)."""
    return finding.code == UNKNOWN or not is_advisory(finding.code)


def _shown(findings: Iterable[Finding]) -> list[Finding]:
    found = [f for f in findings if f.status in SHOWN_RANK]
    return sorted(found, key=lambda f: (SHOWN_RANK[f.status], -f.probability, f.code))


def faults(report: Report) -> list[Finding]:
    """Confirmed, likely and possible faults, most certain first."""
    return _shown(f for f in report.findings if is_fault(f))


def advisories(report: Report) -> list[Finding]:
    """Confirmed, likely and possible advisories, most certain first."""
    return _shown(f for f in report.findings if not is_fault(f))


def top_fault(report: Report) -> Finding | None:
    """The confirmed or likely *fault* with the highest probability: the headline (never an advisory)."""
    found = [f for f in report.findings if f.status.is_problem and is_fault(f)]
    if not found:
        return None
    return max(found, key=lambda f: (f.probability, f.status is FindingStatus.CONFIRMED))


def open_causes(report: Report) -> list[Finding]:
    """Causes that could not be judged: deferred or not tested."""
    return [f for f in report.findings if f.status in (FindingStatus.DEFERRED, FindingStatus.NOT_TESTED)]


# --- advisories judged alone -----------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """The evidence of one finding as the report shows it."""

    for_: tuple[EvidenceItem, ...]
    against: tuple[EvidenceItem, ...]


def advisory_tests(report: Report) -> dict[str, frozenset[str]]:
    """The tests that are evidence *for* an advisory, with the advisory codes they support.

    A test supports an advisory when it is in the advisory's evidence for it, or decided it without
    also being evidence against it (a multi-fault partner can lend its deciding test).
    """
    tests: dict[str, set[str]] = {}
    for finding in report.findings:
        if is_fault(finding) or finding.status not in SHOWN_RANK:
            continue
        supporting = {item.test for item in finding.evidence if item.test}
        against = {item.test for item in finding.evidence_against if item.test}
        if finding.decided_by and finding.decided_by not in against:
            supporting.add(finding.decided_by)
        for test in supporting:
            tests.setdefault(test, set()).add(finding.code)
    return {test: frozenset(codes) for test, codes in tests.items()}


def _foreign(item: EvidenceItem, code: str, tests: Mapping[str, frozenset[str]]) -> bool:
    """Whether ``item`` is the observation of an advisory other than ``code``."""
    supported = tests.get(item.test or "", frozenset())
    return bool(supported) and code not in supported


def evidence(finding: Finding, tests: Mapping[str, frozenset[str]]) -> Evidence:
    """``finding``'s evidence without the observations of other advisories (see the module doc)."""
    return Evidence(
        for_=tuple(i for i in finding.evidence if not _foreign(i, finding.code, tests)),
        against=tuple(i for i in finding.evidence_against if not _foreign(i, finding.code, tests)),
    )


def together(finding: Finding) -> tuple[str, ...]:
    """The member codes to show as a "together" group: none for an advisory, never an advisory, and
    none when the finding's own code is all that is left."""
    if not is_fault(finding):
        return ()
    members = tuple(dict.fromkeys(m for m in finding.members if m == UNKNOWN or not is_advisory(m)))
    if not members or set(members) <= {finding.code}:
        return ()
    return members


def deciding(finding: Finding, shown: Evidence) -> EvidenceItem | None:
    """The one piece of evidence that decided a ruled-out cause: the deciding test's, else the strongest
    against it."""
    items = (*shown.against, *shown.for_)
    if finding.decided_by:
        for item in items:
            if item.test == finding.decided_by:
                return item
    return shown.against[0] if shown.against else None


_REPEATED_DETAIL = re.compile(r"^(?P<head>.*?)\s*\((?P<detail>[^()]{1,80})\)$", re.DOTALL)


def tidy(text: str) -> str:
    """Drop a closing ``(detail)`` that only repeats what the text already says.

    ``Printer alerts: paused (paused)`` becomes ``Printer alerts: paused``; ``Printer alerts: paused
    (paused, toner-low)`` stays as it is.
    """
    found = _REPEATED_DETAIL.match(text)
    if found is None:
        return text
    head, detail = found.group("head"), found.group("detail").strip()
    if detail and re.search(r"(?<!\w)" + re.escape(detail) + r"(?!\w)", head, re.IGNORECASE):
        return head
    return text


# --- devices the findings name -----------------------------------------------------------------------


def _mentions(text: str, address: str) -> bool:
    return re.search(r"(?<![\w.:])" + re.escape(address) + r"(?![\w]|\.\d)", text) is not None


def named_devices(report: Report, finding: Finding, shown: Evidence | None = None) -> list[Device]:
    """The devices ``finding`` is about: its subject, else the devices whose address its evidence
    names, else (for a device code such as ``printer.stopped``) every device of that kind."""
    if finding.subject and finding.subject.startswith("device:"):
        wanted = finding.subject.removeprefix("device:")
        return [d for d in report.devices if d.id == wanted]
    items = shown.for_ if shown is not None else finding.evidence
    texts = [item.text for item in items]
    found = [
        device
        for device in report.devices
        if any(_mentions(text, address) for text in texts for address in _addresses(device))
    ]
    if found:
        return found
    for prefix, kind in DEVICE_CODES.items():
        if finding.code.startswith(prefix) and kind is not None:
            return [d for d in report.devices if d.kind is kind]
    return []


def _addresses(device: Device) -> list[str]:
    return list(dict.fromkeys(a for a in (device.ip, *device.addresses) if a))


def devices_of_interest(
    report: Report, findings: Sequence[Finding], tests: Mapping[str, frozenset[str]]
) -> list[Device]:
    """The devices the listed findings name, in the report's order."""
    wanted: set[str] = set()
    for finding in findings:
        wanted.update(d.id for d in named_devices(report, finding, evidence(finding, tests)))
    return [d for d in report.devices if d.id in wanted]


# --- the network map ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Broken:
    """What the network map marks: hops (``client-router``, ``router-internet``), the router, devices."""

    hops: frozenset[str] = frozenset()
    router: bool = False
    devices: frozenset[str] = frozenset()


def broken_parts(report: Report, tests: Mapping[str, frozenset[str]]) -> Broken:
    """The parts a confirmed or likely fault says are broken, when a probe measured its evidence."""
    hops: set[str] = set()
    router = False
    devices: set[str] = set()
    for finding in report.findings:
        if not finding.status.is_problem or not is_fault(finding):
            continue
        shown = evidence(finding, tests)
        if not any(item.fact for item in shown.for_):
            continue  # judged from answers or inference alone: nothing was measured broken
        for code in together(finding) or (finding.code,):
            part = BREAKS.get(code)
            if part == ROUTER:
                router = True
            elif part is not None:
                hops.add(part)
            elif code.startswith(tuple(DEVICE_CODES)):
                devices.update(d.id for d in named_devices(report, finding, shown))
    return Broken(frozenset(hops), router, frozenset(devices))
