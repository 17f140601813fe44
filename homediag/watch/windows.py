"""Events grouped into windows, and each window's measurements as observations for the engine.

A window is a stretch of time in which something went wrong at one place on the path. Its evidence is
the facts the probes would have observed had they run then — ``gateway.loss_pct``,
``internet.target_loss_pct`` per target, ``dns.best_latency_ms``... — computed from the window's
samples, each with its window in the evidence text ("12 % of 420 echoes lost, 19:02:10–19:09:40"). The
engine judges a window as a complaint made while it happened (:data:`COMPLAINTS`), with the same
playbooks as ``diagnose``. The time outside every window is judged as well, as a checkup of the quiet
time: a fault found there is there all along, not intermittent.
"""

from __future__ import annotations

import bisect
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from homediag.core.i18n import _
from homediag.core.model import Observation
from homediag.net.echo import jitter
from homediag.watch.events import INSTANT, Event, EventKind, Location
from homediag.watch.samples import Kind, Role, Sample
from homediag.watch.store import SpeedTest

SOURCE = "watch"
"""The ``source`` of windowed observations."""

COMPLAINTS: dict[tuple[Location, EventKind], str] = {
    (Location.LAN, EventKind.OUTAGE): "no-internet",
    (Location.LAN, EventKind.LOSS): "unstable-connection",
    (Location.LAN, EventKind.LATENCY): "slow-internet",
    (Location.WAN, EventKind.OUTAGE): "no-internet",
    (Location.WAN, EventKind.LOSS): "unstable-connection",
    (Location.WAN, EventKind.LATENCY): "slow-internet",
    (Location.WAN, EventKind.HTTP_FAILURE): "no-internet",
    (Location.DNS, EventKind.DNS_SLOW): "slow-internet",
    (Location.DNS, EventKind.DNS_FAILURE): "no-internet",
    (Location.WIFI, EventKind.WIFI_DISCONNECT): "wifi",
    (Location.WIFI, EventKind.WIFI_WEAK): "wifi",
    (Location.WAN, EventKind.SLOW_LINE): "slow-internet",
}
"""The complaint a window of an event is judged as: the symptom someone would have complained of."""


@dataclass(frozen=True)
class Window:
    """A stretch of time with one kind of trouble at one place."""

    start: float
    end: float
    location: Location
    complaint: str
    events: tuple[int, ...]
    """Indices of its events in the list it was made from."""


def windows(events: Sequence[Event]) -> list[Window]:
    """The windows of ``events``: one per event that can be judged, overlapping ones of the same
    place and complaint merged. Instant events and those that happened during a loss event (DNS
    failing because packets are lost) get no window of their own."""
    found: list[Window] = []
    for i, event in enumerate(events):
        complaint = COMPLAINTS.get((event.location, event.kind))
        if complaint is None or event.kind in INSTANT or event.during is not None:
            continue
        for j, window in enumerate(found):
            same = window.location is event.location and window.complaint == complaint
            if same and window.start <= event.end and event.start <= window.end:
                found[j] = Window(
                    min(window.start, event.start),
                    max(window.end, event.end),
                    window.location,
                    complaint,
                    (*window.events, i),
                )
                break
        else:
            found.append(Window(event.start, event.end, event.location, complaint, (i,)))
    return sorted(found, key=lambda w: (w.start, w.end))


def inside(samples: Sequence[Sample], start: float, end: float) -> list[Sample]:
    """The samples in ``[start, end]`` (``samples`` in time order, as the store gives them)."""
    low = bisect.bisect_left(samples, start, key=_time)
    high = bisect.bisect_right(samples, end, key=_time)
    return list(samples[low:high])


class Span(Protocol):
    """Anything with a start and an end (a window, a speed test)."""

    @property
    def start(self) -> float: ...

    @property
    def end(self) -> float: ...


def outside(samples: Sequence[Sample], spans: Sequence[Span]) -> list[Sample]:
    """The samples outside every window (``samples`` in time order)."""
    keep = [True] * len(samples)
    for window in spans:
        low = bisect.bisect_left(samples, window.start, key=_time)
        high = bisect.bisect_right(samples, window.end, key=_time)
        keep[low:high] = [False] * (high - low)
    return [s for s, kept in zip(samples, keep, strict=True) if kept]


def _time(sample: Sample) -> float:
    return sample.t


def clock(t: float) -> str:
    """``19:02:10`` in local time."""
    return datetime.fromtimestamp(t).astimezone().strftime("%H:%M:%S")


def iso(t: float) -> str:
    """RFC 3339 UTC with milliseconds, as reports write times."""
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def evidence(samples: Sequence[Sample], start: float, end: float) -> list[Observation]:
    """The facts the probes would have observed in ``[start, end]``, from the window's samples."""
    span = f"{clock(start)}–{clock(end)}"
    stamp = iso(start)
    out: list[Observation] = []

    def observe(
        fact: str, value: object, subject: str = "local", unit: str | None = None, text: str = ""
    ) -> None:
        out.append(
            Observation(
                fact=fact,
                value=value,  # type: ignore[arg-type]
                source=SOURCE,
                subject=subject,
                unit=unit,
                time=stamp,
                evidence=f"{text}, {span}" if text else span,
                privacy="keep",
            )
        )

    pings = [s for s in samples if s.kind is Kind.PING]
    gateway = [s for s in pings if s.role == Role.GATEWAY.value]
    if gateway:
        loss = _loss(gateway)
        observe("gateway.reachable", any(s.ok for s in gateway), text=_echo_text(gateway))
        observe("gateway.loss_pct", loss, unit="%", text=_echo_text(gateway))
        rtts = _values(gateway)
        if rtts:
            observe("gateway.rtt_ms", round(statistics.fmean(rtts), 3), unit="ms")
            observe("gateway.rtt_max_ms", round(max(rtts), 3), unit="ms")
            observe("gateway.jitter_ms", _jitter(rtts), unit="ms")
    internet = [s for s in pings if s.role == Role.INTERNET.value]
    by_target = _by_subject(internet)
    if by_target:
        losses = []
        for subject, series in by_target.items():
            address = subject.split(":", 1)[1]
            losses.append(_loss(series))
            observe("internet.target_loss_pct", _loss(series), f"target:{address}", "%", _echo_text(series))
            observe("internet.target_ok", any(s.ok for s in series), f"target:{address}")
            rtts = _values(series)
            if rtts:
                observe("internet.target_rtt_ms", round(statistics.fmean(rtts), 3), f"target:{address}", "ms")
                observe("internet.target_jitter_ms", _jitter(rtts), f"target:{address}", "ms")
        observe("internet.loss_pct", min(losses), unit="%")
        observe("internet.icmp_ok", any(s.ok for s in internet))
        all_rtts = [_values(series) for series in by_target.values()]
        means = [statistics.fmean(r) for r in all_rtts if r]
        if means:
            observe("internet.rtt_ms", round(min(means), 3), unit="ms")
            observe(
                "internet.jitter_ms",
                round(statistics.median(_jitter(r) for r in all_rtts if r), 3),
                unit="ms",
            )
    dns = [s for s in samples if s.kind is Kind.DNS]
    if dns:
        answered = [s for s in dns if s.ok]
        text = _("{answered} of {sent} lookups answered").format(answered=len(answered), sent=len(dns))
        observe("dns.any_ok", bool(answered), text=text)
        for subject, series in _by_subject(dns).items():
            values = _values(series)
            if values and subject != "resolver:system":
                observe("dns.latency_ms", round(statistics.median(values), 3), subject, "ms")
                observe("dns.resolver_ok", any(s.ok for s in series), subject)
        latencies = _values(answered)
        if latencies:
            observe("dns.best_latency_ms", round(statistics.median(latencies), 3), unit="ms", text=text)
    http = [s for s in samples if s.kind is Kind.HTTP]
    if http:
        good = sum(1 for s in http if s.ok)
        text = _("{good} of {sent} connectivity checks answered").format(good=good, sent=len(http))
        observe("internet.http_any_ok", good > 0, text=text)
    wifi = [s for s in samples if s.kind is Kind.WIFI]
    if wifi:
        observe("wifi.present", True)
        observe("wifi.in_use", any(s.ok for s in wifi))
        observe("wifi.connected", all(s.ok for s in wifi))
        signals = _values([s for s in wifi if s.ok])
        if signals:
            observe("wifi.signal_dbm", round(statistics.median(signals), 1), unit="dBm")
    links = [s for s in samples if s.kind is Kind.LINK]
    if links:
        observe("interface.up", all(s.ok for s in links))
    elif pings:
        observe("interface.up", True)
    if pings and not wifi:
        observe("wifi.in_use", False)
    return out


def speed_evidence(test: SpeedTest) -> list[Observation]:
    """The facts of one speed test that measured, as observed then (evidence: when and how fast)."""
    if not test.ok:
        return []
    span = f"{clock(test.start)}–{clock(test.end)}"
    text = _("speed test {span}").format(span=span)
    out = []
    for fact, value in sorted(test.facts.items()):
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            continue
        unit = "Mbit/s" if fact.endswith("_mbps") else "ms" if fact.endswith("_ms") else None
        unit = "%" if fact.endswith("_pct") else unit
        out.append(
            Observation(
                fact=fact,
                value=value,
                source=SOURCE,
                unit=unit,
                time=iso(test.start),
                evidence=text,
                privacy="keep",
            )
        )
    return out


def quiet_speedtest(tests: Sequence[SpeedTest], slow: Sequence[SpeedTest]) -> SpeedTest | None:
    """The speed test the quiet time is judged with: the latest that was not slow, else the latest."""
    measured = [t for t in tests if t.ok]
    fine = [t for t in measured if t not in slow]
    chosen = fine or measured
    return chosen[-1] if chosen else None


def _by_subject(samples: Sequence[Sample]) -> dict[str, list[Sample]]:
    grouped: dict[str, list[Sample]] = {}
    for sample in samples:
        grouped.setdefault(sample.subject, []).append(sample)
    return grouped


def _loss(series: Sequence[Sample]) -> float:
    return round(100.0 * sum(1 for s in series if not s.ok) / len(series), 2) if series else 100.0


def _values(series: Sequence[Sample]) -> list[float]:
    return [v for s in series if s.ok and (v := s.value) is not None]


def _jitter(rtts: Sequence[float]) -> float:
    """Jitter as the probes measure it (isolated spikes left out: :func:`homediag.net.echo.jitter`)."""
    value = jitter(rtts)
    return 0.0 if value is None else round(value, 3)


def _echo_text(series: Sequence[Sample]) -> str:
    lost = sum(1 for s in series if not s.ok)
    return _("{lost} of {sent} echoes lost").format(lost=lost, sent=len(series))
