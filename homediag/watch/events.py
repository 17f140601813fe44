"""Outages and degradations found in the samples of a watch, each with a start, an end and a place.

Places on the path (:class:`Location`): between this computer and the router (``lan``), beyond the
router (``wan``), DNS only (``dns``), Wi-Fi only (``wifi``). What is found:

- loss bursts and outages: lost echoes (to any target) closer than ``merge_gap_s`` make one burst,
  which needs at least :data:`MIN_BAD` of them (one lost echo is noise). A burst in which the gateway
  lost echoes too is a ``lan`` event; one in which only the targets beyond it (hop 2, the internet)
  lost them is a ``wan`` event. A burst whose echoes were (nearly) all lost is an outage;
- latency spikes: the gateway above ``gateway_rtt_wired_ms``, targets beyond it more than
  ``bufferbloat_ms`` above their usual round trip;
- DNS failures and slow answers (above ``dns_slow_ms``): ``dns`` unless they happen during a loss
  event, whose place they then share;
- Wi-Fi disconnects, roams (a new BSSID), a weak signal (below ``wifi_weak_dbm``), and the OS's own
  disconnect log; lease changes (new address or gateway);
- a slow line: a speed test of ``--speedtest-every`` below the plan (``expect.download_mbps`` times
  ``download_ratio``, else ``min_download_mbps``; the same for the upload), as the slow-internet
  playbook's speed tests map it (:func:`speed_events`). Loss and latency while a speed test loads the
  line are the watch's own doing, not events (:func:`unloaded`).

Boundaries: an event starts halfway between the last good measurement and the first bad one, and ends
halfway between the last bad one and the next good one (every echo crosses the home network, so the
echoes to all targets together place a loss burst's edges). Pure logic: no I/O.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from homediag.core.config import ExpectConfig, Thresholds
from homediag.watch.samples import Kind, Role, Sample
from homediag.watch.store import SpeedTest

MIN_BAD = 3
"""Bad measurements an event needs (a single lost echo is not an event)."""
OUTAGE_SHARE = 0.9
"""Share of lost echoes from which a loss event is an outage."""
MERGE_GAP_S = 15.0
DURING_SHARE = 0.5
"""An HTTP failure that lies at least this much inside a loss event happened because of it."""
DURING_MARGIN_S = 2.0
"""A DNS lookup sent this close to a loss event counts as made during it (its answer was lost)."""


class Location(StrEnum):
    """Where on the path an event happened."""

    LAN = "lan"
    """Between this computer and the router."""
    WAN = "wan"
    """Beyond the router."""
    DNS = "dns"
    """DNS only."""
    WIFI = "wifi"
    """Wi-Fi only."""


class EventKind(StrEnum):
    """What happened."""

    OUTAGE = "outage"
    LOSS = "loss"
    LATENCY = "latency"
    DNS_FAILURE = "dns-failure"
    DNS_SLOW = "dns-slow"
    HTTP_FAILURE = "http-failure"
    WIFI_DISCONNECT = "wifi-disconnect"
    WIFI_ROAM = "wifi-roam"
    WIFI_WEAK = "wifi-weak"
    LEASE_CHANGE = "lease-change"
    SLOW_LINE = "slow-line"


INSTANT = frozenset({EventKind.WIFI_ROAM, EventKind.LEASE_CHANGE})
"""Kinds that happen at one moment: shown on the timeline, not diagnosed on their own."""


@dataclass(frozen=True)
class Event:
    """One outage or degradation."""

    kind: EventKind
    location: Location
    start: float
    end: float
    subject: str = ""
    """The role or subject it concerns (``gateway``, ``internet``, ``resolver:192.0.2.53``, ``if:wlan0``)."""
    measured: int = 0
    """Measurements in the event."""
    bad: int = 0
    """Lost, failed, slow or weak ones among them."""
    peak: float | None = None
    """The worst value (ms, dBm), where the kind has one."""
    during: int | None = None
    """Index of the loss event this one happened in (DNS failures caused by loss), else None."""

    @property
    def duration_s(self) -> float:
        """Seconds from start to end."""
        return max(0.0, self.end - self.start)


@dataclass(frozen=True)
class Settings:
    """Thresholds of event detection."""

    thresholds: Thresholds = field(default_factory=Thresholds)
    expect: ExpectConfig = field(default_factory=ExpectConfig)
    merge_gap_s: float = MERGE_GAP_S
    min_bad: int = MIN_BAD


def detect(samples: Sequence[Sample], settings: Settings | None = None) -> list[Event]:
    """Every event in ``samples`` (time-ordered), sorted by start."""
    settings = settings or Settings()
    pings = [s for s in samples if s.kind is Kind.PING]
    gateway = [s for s in pings if s.role == Role.GATEWAY.value]
    beyond = [s for s in pings if s.role in (Role.HOP2.value, Role.INTERNET.value)]
    events: list[Event] = _loss_events(pings, settings)
    events += _latency_events(gateway, beyond, settings, events)
    loss_events = list(events)
    events += _dns_events([s for s in samples if s.kind is Kind.DNS], settings, loss_events)
    events += _http_events([s for s in samples if s.kind is Kind.HTTP], settings, loss_events)
    events += _wifi_events([s for s in samples if s.kind in (Kind.WIFI, Kind.OSLOG)], settings)
    events += _link_events([s for s in samples if s.kind is Kind.LINK])
    return sorted(events, key=lambda e: (e.start, e.end, e.kind.value))


def speed_events(tests: Sequence[SpeedTest], settings: Settings | None = None) -> list[Event]:
    """A ``slow-line`` event (beyond the router) for each speed test below the plan, from its start to
    its end; ``peak`` is its download speed."""
    settings = settings or Settings()
    limits = settings.thresholds
    plan = settings.expect
    low_down = plan.download_mbps * limits.download_ratio if plan.download_mbps else limits.min_download_mbps
    low_up = plan.upload_mbps * limits.download_ratio if plan.upload_mbps else limits.min_upload_mbps
    events = []
    for test in tests:
        if not test.ok or test.download_mbps is None:
            continue
        slow_up = test.upload_mbps is not None and test.upload_mbps < low_up
        if test.download_mbps < low_down or slow_up:
            kind, where = EventKind.SLOW_LINE, Location.WAN
            events.append(Event(kind, where, test.start, test.end, "speedtest", 1, 1, test.download_mbps))
    return events


LOADED = frozenset({EventKind.LOSS, EventKind.LATENCY})
"""Kinds a speed test's own load causes (an outage is not: it ends the speed test too)."""
LOAD_MARGIN_S = 2.0


def unloaded(events: Sequence[Event], tests: Sequence[SpeedTest]) -> list[Event]:
    """``events`` without the loss and latency events that lie within a speed test (the watch's own
    load; the speed test measures it as latency under load)."""
    return [
        e
        for e in events
        if e.kind not in LOADED
        or not any(t.start - LOAD_MARGIN_S <= e.start and e.end <= t.end + LOAD_MARGIN_S for t in tests)
    ]


# --- clustering -----------------------------------------------------------------------------------------


def _clusters(
    series: Sequence[Sample], bad: Callable[[Sample], bool], gap_s: float, max_good: int | None = None
) -> list[list[int]]:
    """Indices of bad samples, grouped where consecutive bad ones are at most ``gap_s`` apart (and, with
    ``max_good``, at most that many good samples lie between them)."""
    groups: list[list[int]] = []
    last_t: float | None = None
    good = 0
    for i, sample in enumerate(series):
        if not bad(sample):
            good += 1
            continue
        close = last_t is not None and sample.t - last_t <= gap_s
        if close and groups and (max_good is None or good <= max_good):
            groups[-1].append(i)
        else:
            groups.append([i])
        last_t = sample.t
        good = 0
    return groups


def _edges(series: Sequence[Sample], first: int, last: int, gap_s: float) -> tuple[float, float]:
    """Start and end of a cluster: halfway to the neighbouring good samples (when close enough)."""
    start, end = series[first].t, series[last].t
    if first > 0 and start - series[first - 1].t <= gap_s:
        start = (start + series[first - 1].t) / 2.0
    if last + 1 < len(series) and series[last + 1].t - end <= gap_s:
        end = (end + series[last + 1].t) / 2.0
    else:
        end = end + 1.0
    return start, end


def _loss_events(pings: Sequence[Sample], settings: Settings) -> list[Event]:
    """Bursts of lost echoes to any target, each placed by where the echoes were lost: at the gateway
    too (between this computer and the router), or only beyond it. Every echo crosses the home
    network, so the echoes to all targets together find a burst's edges to a fraction of a second."""
    events = []
    for group in _clusters(pings, lambda s: not s.ok, settings.merge_gap_s):
        if len(group) < settings.min_bad:
            continue
        first, last = group[0], group[-1]
        span = pings[first : last + 1]
        at_gateway = [s for s in span if s.role == Role.GATEWAY.value]
        further = [s for s in span if s.role != Role.GATEWAY.value]
        lost_gateway = sum(1 for s in at_gateway if not s.ok)
        gateway_share = lost_gateway / len(at_gateway) if at_gateway else 0.0
        further_share = sum(1 for s in further if not s.ok) / len(further) if further else 0.0
        lan = lost_gateway >= 2 and gateway_share >= 0.5 * further_share
        start, end = _edges(pings, first, last, settings.merge_gap_s)
        kind = EventKind.OUTAGE if len(group) >= OUTAGE_SHARE * len(span) else EventKind.LOSS
        location, subject = (Location.LAN, "gateway") if lan else (Location.WAN, "internet")
        events.append(Event(kind, location, start, end, subject, len(span), len(group)))
    return events


def _inside(t: float, events: Iterable[Event], margin_s: float = 1.0) -> bool:
    return any(e.start - margin_s <= t <= e.end + margin_s for e in events)


def _overlapping(start: float, end: float, events: Sequence[Event], share: float = 0.0) -> int | None:
    """The first of ``events`` that overlaps ``[start, end]`` (by more than ``share`` of its length)."""
    for i, event in enumerate(events):
        overlap = min(end, event.end) - max(start, event.start)
        if overlap >= 0 and overlap >= share * (end - start):
            return i
    return None


def _latency_events(
    gateway: Sequence[Sample], beyond: Sequence[Sample], settings: Settings, losses: Sequence[Event]
) -> list[Event]:
    events = []
    limit = settings.thresholds.gateway_rtt_wired_ms
    for location, series, threshold in (
        (Location.LAN, [s for s in gateway if s.ok], limit),
        (Location.WAN, [s for s in beyond if s.ok], _usual(beyond) + settings.thresholds.bufferbloat_ms),
    ):
        for group in _clusters(series, _above(threshold), settings.merge_gap_s):
            if len(group) < settings.min_bad:
                continue
            start, end = _edges(series, group[0], group[-1], settings.merge_gap_s)
            if _overlapping(start, end, losses) is not None:
                continue  # the loss event says it already
            peak = max(series[i].value or 0.0 for i in group)
            subject = "gateway" if location is Location.LAN else "internet"
            events.append(
                Event(
                    EventKind.LATENCY,
                    location,
                    start,
                    end,
                    subject,
                    group[-1] - group[0] + 1,
                    len(group),
                    peak,
                )
            )
    return events


def _above(threshold: float) -> Callable[[Sample], bool]:
    def high(sample: Sample) -> bool:
        return (sample.value or 0.0) > threshold

    return high


def _usual(series: Sequence[Sample]) -> float:
    values = [s.value for s in series if s.ok and s.value is not None]
    return statistics.median(values) if values else 0.0


def _gap_of(series: Sequence[Sample], floor_s: float) -> float:
    """A merge gap for a series sampled now and then: 2.5 times its usual spacing (at least ``floor_s``)."""
    if len(series) < 3:
        return floor_s
    spacing = statistics.median(b.t - a.t for a, b in itertools.pairwise(series))
    return max(floor_s, 2.5 * spacing)


def _dns_events(series: Sequence[Sample], settings: Settings, losses: Sequence[Event]) -> list[Event]:
    """Slow or failed lookups. Those made during a loss event are that event's (their packets were
    lost): they are clustered apart, so trouble of DNS's own right after a loss starts when it does."""
    slow_ms = settings.thresholds.dns_slow_ms

    def bad(sample: Sample) -> bool:
        return not sample.ok or (sample.value or 0.0) > slow_ms

    gap = _gap_of(series, settings.merge_gap_s)
    events = []
    during_loss = [s for s in series if _inside(s.t, losses, DURING_MARGIN_S)]
    on_its_own = [s for s in series if not _inside(s.t, losses, DURING_MARGIN_S)]
    for part, in_loss in ((on_its_own, False), (during_loss, True)):
        for group in _clusters(part, bad, gap, max_good=1):
            if len(group) < 2:
                continue  # one slow or lost answer is not an event: the next lookup says whether it lasts
            failed = sum(1 for i in group if not part[i].ok)
            start, end = _edges(part, group[0], group[-1], gap)
            during = _overlapping(start, end, losses) if in_loss else None
            location = losses[during].location if during is not None else Location.DNS
            kind = EventKind.DNS_FAILURE if failed * 2 > len(group) else EventKind.DNS_SLOW
            values = [v for i in group if (v := part[i].value) is not None]
            events.append(
                Event(
                    kind,
                    location,
                    start,
                    end,
                    part[group[0]].subject,
                    group[-1] - group[0] + 1,
                    len(group),
                    max(values) if values else None,
                    during,
                )
            )
    return events


def _http_events(series: Sequence[Sample], settings: Settings, losses: Sequence[Event]) -> list[Event]:
    gap = _gap_of(series, settings.merge_gap_s)
    events = []
    for group in _clusters(series, lambda s: not s.ok, gap, max_good=1):
        if len(group) < 2:
            continue
        start, end = _edges(series, group[0], group[-1], gap)
        during = _overlapping(start, end, losses, DURING_SHARE)
        location = losses[during].location if during is not None else Location.WAN
        events.append(
            Event(
                EventKind.HTTP_FAILURE,
                location,
                start,
                end,
                "url",
                group[-1] - group[0] + 1,
                len(group),
                during=during,
            )
        )
    return events


def _wifi_events(series: Sequence[Sample], settings: Settings) -> list[Event]:
    links = [s for s in series if s.kind is Kind.WIFI]
    events = []
    gap = _gap_of(links, settings.merge_gap_s)
    for group in _clusters(links, lambda s: not s.ok, gap):
        start, end = _edges(links, group[0], group[-1], gap)
        events.append(
            Event(
                EventKind.WIFI_DISCONNECT, Location.WIFI, start, end, links[group[0]].subject, 0, len(group)
            )
        )
    weak = settings.thresholds.wifi_weak_dbm
    connected = [s for s in links if s.ok and s.value is not None]
    for group in _clusters(connected, lambda s: (s.value or 0.0) < weak, gap):
        if len(group) < settings.min_bad:
            continue
        start, end = _edges(connected, group[0], group[-1], gap)
        low = min(connected[i].value or 0.0 for i in group)
        events.append(
            Event(
                EventKind.WIFI_WEAK,
                Location.WIFI,
                start,
                end,
                connected[group[0]].subject,
                0,
                len(group),
                low,
            )
        )
    previous: str | None = None
    for sample in connected:
        bssid = sample.detail().get("bssid")
        if isinstance(bssid, str) and previous is not None and bssid != previous:
            events.append(Event(EventKind.WIFI_ROAM, Location.WIFI, sample.t, sample.t, sample.subject))
        if isinstance(bssid, str):
            previous = bssid
    # The OS's own log: a disconnect lasts until the next connect (or one second).
    down: Sample | None = None
    for sample in (s for s in series if s.kind is Kind.OSLOG):
        what = sample.detail().get("event")
        if what == "disconnected" and down is None:
            down = sample
        elif what == "connected" and down is not None:
            if not _inside(down.t, events, 0.0):
                events.append(
                    Event(EventKind.WIFI_DISCONNECT, Location.WIFI, down.t, sample.t, down.subject, 0, 1)
                )
            down = None
        elif what == "roamed":
            events.append(Event(EventKind.WIFI_ROAM, Location.WIFI, sample.t, sample.t, sample.subject))
    if down is not None and not _inside(down.t, events, 0.0):
        events.append(
            Event(EventKind.WIFI_DISCONNECT, Location.WIFI, down.t, down.t + 1.0, down.subject, 0, 1)
        )
    return events


def _link_events(series: Sequence[Sample]) -> list[Event]:
    events = []
    previous: dict[str, object] | None = None
    for sample in series:
        detail = sample.detail()
        state = {
            "gateway": detail.get("gateway"),
            "ipv4": detail.get("ipv4"),
            "interface": detail.get("interface"),
        }
        if previous is not None and state != previous:
            events.append(Event(EventKind.LEASE_CHANGE, Location.LAN, sample.t, sample.t, sample.subject))
        previous = state
    return events
