"""What every human-readable rendering shows, worked out once from the report document.

The terminal, Markdown and HTML renderers all present the same things in the same order — the verdict
and the next step, the problems with their evidence and remedies, the causes ruled out and why, the
devices, the measurements, the trace — so they read them from here. Nothing here escapes: each renderer
escapes for its own medium. Nothing here runs a probe: it reads the report alone.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from homediag.core.i18n import N_, _, current_language, set_language
from homediag.core.model import (
    Device,
    DeviceKind,
    Finding,
    FindingStatus,
    JSONValue,
    Observation,
    Outcome,
    Remedy,
    Report,
)
from homediag.reports.sanitize import inert

T = TypeVar("T")

STATUS_LABELS: Mapping[FindingStatus, str] = {
    FindingStatus.CONFIRMED: N_("confirmed"),
    FindingStatus.LIKELY: N_("likely"),
    FindingStatus.POSSIBLE: N_("possible"),
    FindingStatus.RULED_OUT: N_("ruled out"),
    FindingStatus.DEFERRED: N_("deferred"),
    FindingStatus.NOT_TESTED: N_("not tested"),
}
KIND_LABELS: Mapping[DeviceKind, str] = {
    DeviceKind.ROUTER: N_("router"),
    DeviceKind.PRINTER: N_("printer"),
    DeviceKind.MEDIA: N_("TV or media player"),
    DeviceKind.SPEAKER: N_("speaker"),
    DeviceKind.HUB: N_("smart-home hub"),
    DeviceKind.CAMERA: N_("camera"),
    DeviceKind.PHONE: N_("phone or tablet"),
    DeviceKind.COMPUTER: N_("computer"),
    DeviceKind.NAS: N_("network storage"),
    DeviceKind.IOT: N_("smart device"),
    DeviceKind.UNKNOWN: N_("unknown device"),
}
OUTCOME_LABELS: Mapping[Outcome, str] = {
    Outcome.OK: N_("done"),
    Outcome.NOT_APPLICABLE: N_("not applicable"),
    Outcome.SKIPPED: N_("skipped"),
    Outcome.NOT_PERMITTED: N_("not permitted"),
    Outcome.TIMEOUT: N_("timed out"),
    Outcome.ERROR: N_("failed"),
    Outcome.CANCELLED: N_("cancelled"),
}
COMPLAINT_LABELS: Mapping[str, str] = {
    "checkup": N_("checkup"),
    "no-internet": N_("no internet"),
    "slow-internet": N_("slow internet"),
    "unstable-connection": N_("unstable connection"),
    "video-calls": N_("video calls"),
    "printer": N_("printer"),
    "cast": N_("casting to a TV"),
    "smart-home": N_("smart home"),
    "wifi": N_("Wi-Fi"),
}
FACT_LABELS: Mapping[str, str] = {
    "interface.kind": N_("Connection"),
    "wifi.ssid": N_("Wi-Fi network"),
    "wifi.band": N_("Wi-Fi band"),
    "wifi.channel": N_("Wi-Fi channel"),
    "wifi.signal_dbm": N_("Wi-Fi signal"),
    "wifi.tx_rate_mbps": N_("Wi-Fi link rate"),
    "gateway.reachable": N_("Router answers"),
    "gateway.rtt_ms": N_("Round trip to the router"),
    "gateway.rtt_max_ms": N_("Slowest round trip to the router"),
    "gateway.jitter_ms": N_("Jitter to the router"),
    "gateway.loss_pct": N_("Packets lost to the router"),
    "internet.rtt_ms": N_("Round trip to the internet"),
    "internet.loss_pct": N_("Packets lost to the internet"),
    "dns.any_ok": N_("Name lookups (DNS) work"),
    "dns.best_latency_ms": N_("DNS answer time"),
    "dns.latency_ms": N_("DNS answer time"),
    "speed.download_mbps": N_("Download speed"),
    "speed.upload_mbps": N_("Upload speed"),
    "speed.latency_increase_ms": N_("Latency increase under load"),
    "nat.public_class": N_("Public address"),
}


class Tone(StrEnum):
    """How the verdict should look: a problem, a warning (partial), or all well."""

    PROBLEM = "problem"
    WARNING = "warning"
    OK = "ok"


@dataclass(frozen=True)
class Verdict:
    """The one sentence at the top, and what to do next."""

    sentence: str
    tone: Tone
    next_step: str | None
    finding: Finding | None
    more_problems: int = 0


@dataclass(frozen=True)
class RuledOut:
    """A cause eliminated, and why."""

    title: str
    code: str
    reason: str
    """One or more whole sentences."""
    decided_by: str | None

    @property
    def sentence(self) -> str:
        """``<title> — ruled out: <reason>`` in the current language."""
        return _("{title} — ruled out: {reason}").format(title=self.title, reason=self.reason)


def _as_sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?", ")")) else text + "."


@dataclass(frozen=True)
class Measurement:
    """One measurement worth showing, with a label people understand."""

    label: str
    about: str
    value: str
    fact: str


@dataclass(frozen=True)
class TraceLine:
    """One step of the engine's reasoning, in one line."""

    n: int
    action: str
    text: str


# --- language --------------------------------------------------------------------------------------


@contextlib.contextmanager
def language(lang: str | None) -> Iterator[None]:
    """Translate with ``_()`` into ``lang`` inside the block (the current language when None)."""
    if lang is None or lang == current_language():
        yield
        return
    previous = current_language()
    set_language(lang)
    try:
        yield
    finally:
        set_language(previous)


def in_language(lang: str | None, render: Callable[[], T]) -> T:
    """Call ``render`` with ``_()`` translating into ``lang``."""
    with language(lang):
        return render()


def number(value: float, digits: int = 1) -> str:
    """``value`` formatted for the current language (``12.5`` / ``12,5``), trailing zeros dropped."""
    from babel.numbers import format_decimal

    if not math.isfinite(value) or abs(value) >= 1e15:
        return f"{value:.3g}"
    pattern = "#,##0" + ("." + "#" * digits if digits > 0 else "")
    text: str = format_decimal(value, format=pattern, locale=current_language())
    return text


def percent(probability: float) -> str:
    """A probability as a percentage for the current language."""
    from babel.numbers import format_percent

    text: str = format_percent(probability, locale=current_language())
    return text


# --- verdict ------------------------------------------------------------------------------------------


def problems(report: Report) -> list[Finding]:
    """Confirmed, likely and possible findings, most probable first."""
    rank = {FindingStatus.CONFIRMED: 0, FindingStatus.LIKELY: 1, FindingStatus.POSSIBLE: 2}
    found = [f for f in report.findings if f.status in rank]
    return sorted(found, key=lambda f: (rank[f.status], -f.probability, f.code))


def open_causes(report: Report) -> list[Finding]:
    """Causes that could not be judged: deferred or not tested."""
    return [f for f in report.findings if f.status in (FindingStatus.DEFERRED, FindingStatus.NOT_TESTED)]


def pick_remedy(finding: Finding, audience: str) -> Remedy | None:
    """The first remedy the reader can do (customers: one safe for them, when there is one)."""
    if not finding.remedies:
        return None
    if audience == "customer":
        for remedy in finding.remedies:
            if remedy.safe_for_customer:
                return remedy
    return finding.remedies[0]


def verdict(report: Report) -> Verdict:
    """The verdict sentence, its tone and the next step."""
    top = report.top_finding()
    failed = [run for run in report.probe_runs if run.outcome.failed]
    if top is not None:
        title = inert(top.title, 200)
        sentence = (
            title if top.status is FindingStatus.CONFIRMED else _("{title} (likely)").format(title=title)
        )
        others = [f for f in report.findings if f.status.is_problem and f is not top]
        return Verdict(sentence, Tone.PROBLEM, _next_step(report, top), top, len(others))
    if report.not_applicable and report.complete:
        return Verdict(
            _("This check does not apply here: {reason}.").format(
                reason=inert(report.not_applicable.rstrip(". "), 200)
            ),
            Tone.OK,
            _("Nothing to do for this complaint on this computer."),
            None,
        )
    if not report.complete:
        if report.interrupted_by:
            sentence = _("The check was interrupted; the results below are partial.")
        else:
            sentence = _("No problem found, but {n} check(s) could not finish.").format(n=len(failed))
        return Verdict(
            sentence,
            Tone.WARNING,
            _("Run the check again; if it still cannot finish, send this report to support."),
            None,
        )
    unknown = next((f for f in report.findings if f.code == "unknown"), None)
    if unknown is not None and unknown.status is FindingStatus.POSSIBLE:
        return Verdict(
            _("Something is wrong that homediag cannot name."),
            Tone.WARNING,
            _("Send this report to your support or a technician."),
            unknown,
        )
    possible = [f for f in report.findings if f.status is FindingStatus.POSSIBLE]
    if possible:
        return Verdict(
            _("No problem confirmed; {n} possible cause(s) remain.").format(n=len(possible)),
            Tone.OK,
            None,
            None,
        )
    return Verdict(_("No problem found."), Tone.OK, None, None)


def _next_step(report: Report, finding: Finding) -> str:
    if finding.code == "unknown":
        return _("Send this report to your support or a technician.")
    remedy = pick_remedy(finding, report.context.audience)
    if remedy is None:
        return _("Send this report to your support or a technician.")
    title = inert(remedy.title, 200)
    if report.context.audience == "customer" and not remedy.safe_for_customer:
        return _("Ask a technician to do this: {title}").format(title=title)
    return title


# --- findings -------------------------------------------------------------------------------------------


def ruled_out(report: Report) -> list[RuledOut]:
    """Eliminated causes with the reason: the evidence against them, else the deciding test."""
    result = []
    for finding in report.findings:
        if finding.status is not FindingStatus.RULED_OUT:
            continue
        reasons = [e.text for e in finding.evidence_against] or [e.text for e in finding.evidence]
        if reasons:
            reason = " ".join(_as_sentence(inert(r, 200)) for r in dict.fromkeys(reasons[:3]))
        elif finding.decided_by:
            reason = _("The test {test} decided it.").format(test=inert(finding.decided_by, 60))
        else:
            reason = _("The evidence speaks against it.")
        result.append(RuledOut(inert(finding.title, 200), finding.code, reason, finding.decided_by))
    return result


def status_label(status: FindingStatus) -> str:
    """The translated status word."""
    return _(STATUS_LABELS[status])


def kind_label(kind: DeviceKind) -> str:
    """The translated kind of device."""
    return _(KIND_LABELS[kind])


def outcome_label(outcome: Outcome) -> str:
    """The translated outcome of a probe run."""
    return _(OUTCOME_LABELS[outcome])


def complaint_label(complaint: str | None) -> str:
    """The translated complaint."""
    name = complaint or "checkup"
    return _(COMPLAINT_LABELS[name]) if name in COMPLAINT_LABELS else inert(name, 40)


def remedy_flags(remedy: Remedy) -> list[str]:
    """Short translated flags: who may do it, consent, disruption, money."""
    flags = [_("safe to do yourself") if remedy.safe_for_customer else _("for technicians")]
    if remedy.needs_consent:
        flags.append(_("ask the owner first"))
    if remedy.disruptive:
        flags.append(_("interrupts the network or the device"))
    if remedy.costs_money:
        flags.append(_("costs money"))
    return flags


# --- devices and measurements ---------------------------------------------------------------------------


def device_label(device: Device) -> str:
    """What to call a device: its first name, else its vendor and kind."""
    if device.names:
        return inert(device.names[0], 60)
    if device.vendor:
        return f"{inert(device.vendor, 40)} {kind_label(device.kind)}"
    return kind_label(device.kind)


def subject_label(report: Report, subject: str | None) -> str:
    """A readable "about" for an observation or finding subject."""
    if not subject or subject == "local":
        return _("this computer")
    if subject == "gateway":
        return _("router")
    kind, _sep, rest = subject.partition(":")
    if kind == "device":
        for device in report.devices:
            if device.id == rest:
                return device_label(device)
    return inert(subject, 60)


def format_value(value: JSONValue, unit: str | None = None) -> str:
    """An observation value for people: numbers in the current language, lists shortened."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        text = _("yes") if value else _("no")
    elif isinstance(value, int | float):
        text = number(value, 1 if abs(value) >= 10 else 2)
    elif isinstance(value, list):
        shown = [format_value(v) for v in value[:6]]
        text = ", ".join(shown) + (" …" if len(value) > 6 else "")
    elif isinstance(value, dict):
        text = ", ".join(f"{k}={format_value(v)}" for k, v in list(value.items())[:6])
    else:
        text = str(value)
    if unit and value is not None and not isinstance(value, bool | dict):
        text = f"{text} {unit}"
    return inert(text, 160)


def measurements(report: Report) -> list[Measurement]:
    """The measurements people care about, labelled, in a fixed order (the rest stay raw)."""
    order = {fact: i for i, fact in enumerate(FACT_LABELS)}
    chosen = [
        o for o in report.observations if o.fact in FACT_LABELS and not isinstance(o.value, list | dict)
    ]
    chosen.sort(key=lambda o: (order[o.fact], o.subject))
    return [
        Measurement(
            label=_(FACT_LABELS[o.fact]),
            about=subject_label(report, o.subject),
            value=format_value(o.value, o.unit),
            fact=o.fact,
        )
        for o in chosen
    ]


def find(report: Report, fact: str, subject: str | None = None) -> Observation | None:
    """The last observation of ``fact`` (for ``subject`` when given)."""
    found = None
    for obs in report.observations:
        if obs.fact == fact and (subject is None or obs.subject == subject):
            found = obs
    return found


def number_of(report: Report, fact: str) -> float | None:
    """The numeric value of ``fact``, when observed as a number."""
    obs = find(report, fact)
    if obs is None or isinstance(obs.value, bool) or not isinstance(obs.value, int | float):
        return None
    return float(obs.value)


# --- trace ------------------------------------------------------------------------------------------------


def trace_lines(report: Report) -> list[TraceLine]:
    """The engine's steps, one line each: test, outcome, what it ruled in or out."""
    lines = []
    for index, step in enumerate(report.trace, start=1):
        n = step.get("n")
        number_ = n if isinstance(n, int) and not isinstance(n, bool) else index
        action = inert(step.get("action") or "", 30)
        parts: list[str] = []
        test, outcome = step.get("test"), step.get("outcome")
        if test:
            parts.append(
                _("{test} gave {outcome}").format(test=inert(test, 60), outcome=inert(outcome, 60))
                if outcome is not None
                else inert(test, 60)
            )
        ruled_out_codes = _codes(step.get("ruled_out"))
        if ruled_out_codes:
            parts.append(_("ruled out {codes}").format(codes=", ".join(ruled_out_codes)))
        ruled_in_codes = _codes(step.get("ruled_in"))
        if ruled_in_codes:
            parts.append(_("points to {codes}").format(codes=", ".join(ruled_in_codes)))
        if step.get("note"):
            parts.append(inert(step.get("note"), 200))
        lines.append(TraceLine(number_, action, "; ".join(parts) or action))
    return lines


def _codes(entries: Any) -> list[str]:
    if not isinstance(entries, Sequence) or isinstance(entries, str):
        return []
    codes = []
    for entry in entries[:8]:
        if isinstance(entry, Mapping):
            code = entry.get("code") or entry.get("cause")
            if code:
                ratio = entry.get("likelihood_ratio")
                suffix = (
                    f" (×{number(float(ratio), 2)})"
                    if isinstance(ratio, int | float) and not isinstance(ratio, bool)
                    else ""
                )
                codes.append(inert(code, 60) + suffix)
    return codes


# --- privacy -------------------------------------------------------------------------------------------


def privacy_note(report: Report) -> str:
    """One line on what the reader may do with the report."""
    if report.privacy_level == "redacted":
        return _(
            "Private details (device names, network names, MAC and public addresses) are replaced "
            "by tokens; this report can be shared."
        )
    return _("This report contains private details of the network: do not share it.")


def redaction_summary(report: Report) -> str | None:
    """What redaction replaced, per class, in one line (None for full reports)."""
    if report.privacy_level != "redacted":
        return None
    if not report.redaction:
        return _("Nothing needed replacing.")
    counts = ", ".join(f"{inert(k, 30)} {v}" for k, v in sorted(report.redaction.items()))
    return _("Replaced: {counts}").format(counts=counts)
