"""The watch part of a report view: the timeline chart, the outage table, when a fault was seen.

Helpers of :mod:`homediag.reports.compose` for reports of ``homediag watch`` (``Report.watch``). The
outage table is what a customer hands to the provider: start, end, duration, where on the path, what
happened and how it measured; beside it the speed tests of ``--speedtest-every`` (a table, and marks on
the timeline), a failed one with its reason. Times are shown in the reader's local time with the UTC
offset. Values of unknown shape (a newer homediag, a hostile file) are skipped, never an error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from homediag.core.i18n import N_
from homediag.core.model import Finding, Report
from homediag.reports.sanitize import inert
from homediag.reports.svg import Figure, Shape, shape
from homediag.reports.texts import Say
from homediag.reports.view import OutageTable

WIDTH = 720
MAX_ROWS = 500
MAX_POINTS = 1000

LOCATIONS = {
    "lan": N_("between this computer and the router"),
    "wan": N_("beyond the router"),
    "dns": N_("DNS only"),
    "wifi": N_("Wi-Fi only"),
}
KINDS = {
    "outage": N_("outage"),
    "loss": N_("packet loss"),
    "latency": N_("high latency"),
    "dns-failure": N_("DNS lookups fail"),
    "dns-slow": N_("slow DNS answers"),
    "http-failure": N_("connectivity check fails"),
    "wifi-disconnect": N_("Wi-Fi disconnected"),
    "wifi-roam": N_("Wi-Fi roamed to another access point"),
    "wifi-weak": N_("weak Wi-Fi signal"),
    "lease-change": N_("address or gateway changed"),
    "slow-line": N_("slow line (speed test)"),
}


def when(text: object) -> datetime | None:
    """An RFC 3339 time of the report as a local datetime, or None."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return None


def clock(start: datetime, end: datetime | None = None) -> str:
    """``2026-03-01 19:02:10 +0100`` (the end without its date when on the same day)."""
    head = start.strftime("%Y-%m-%d %H:%M:%S")
    if end is None:
        return f"{head} {start.strftime('%z')}"
    tail = end.strftime("%H:%M:%S") if end.date() == start.date() else end.strftime("%Y-%m-%d %H:%M:%S")
    return f"{head}–{tail} {start.strftime('%z')}"


def duration(say: Say, seconds: float) -> str:
    """``45 s``, ``12 min``, ``2.5 h`` (SI symbols, the same in every language)."""
    if seconds < 120:
        return say.number(seconds, 0) + " s"
    if seconds < 7200:
        return say.number(seconds / 60, 0) + " min"
    return say.number(seconds / 3600, 1) + " h"


def seen(say: Say, finding: Finding) -> str | None:
    """``Comes and goes — seen 19:02:10–19:09:40, …`` for an intermittent finding, else None."""
    if not finding.intermittent:
        return None
    spans = []
    for window in finding.windows[:12]:
        start, end = when(window.start), when(window.end)
        if start is not None and end is not None:
            spans.append(clock(start, end))
    more = len(finding.windows) - 12
    listed = ", ".join(spans) + (say(N_(" and {n} more")).format(n=more) if more > 0 else "")
    return inert(say(N_("Comes and goes — seen {times}")).format(times=listed), 1200)


def outages(report: Report, say: Say) -> OutageTable | None:
    """The table of events of a watch report (None for other reports)."""
    watch = report.watch
    if not isinstance(watch, Mapping):
        return None
    events = watch.get("events")
    rows: list[tuple[str, ...]] = []
    for event in events if isinstance(events, list) else ():
        row = _row(say, event)
        if row is not None:
            rows.append(row)
        if len(rows) >= MAX_ROWS:
            break
    start, end = when(watch.get("started_at")), when(watch.get("ended_at"))
    span = clock(start, end) if start is not None and end is not None else ""
    note = say(N_("Watched {span}; {n} event(s).")).format(span=span, n=len(rows))
    if watch.get("running") is True:
        note += " " + say(N_("The watch is still running."))
    return OutageTable(
        title=say(N_("Outages and degradations")),
        columns=(
            say(N_("Start")),
            say(N_("End")),
            say(N_("Duration")),
            say(N_("Where")),
            say(N_("What")),
            say(N_("Measured")),
        ),
        rows=tuple(rows),
        note=inert(note, 400),
        empty=say(N_("Nothing went wrong while homediag watched.")),
    )


def speedtests(report: Report, say: Say) -> OutageTable | None:
    """The table of the speed tests of a watch report (None when the watch ran none)."""
    watch = report.watch
    if not isinstance(watch, Mapping):
        return None
    tests = watch.get("speedtests")
    if not isinstance(tests, list) or not tests:
        return None
    rows = [row for test in tests[:MAX_ROWS] if (row := _speed_row(say, test)) is not None]
    failed = sum(1 for test in tests[:MAX_ROWS] if isinstance(test, Mapping) and test.get("ok") is False)
    note = say(N_("{n} speed test(s), {failed} failed.")).format(n=len(rows), failed=failed)
    return OutageTable(
        title=say(N_("Speed tests")),
        columns=(
            say(N_("Start")),
            say(N_("Duration")),
            say(N_("Download")),
            say(N_("Upload")),
            say(N_("Latency under load")),
            say(N_("Result")),
        ),
        rows=tuple(rows),
        note=inert(note, 400),
        empty="",
    )


def _speed_row(say: Say, test: object) -> tuple[str, ...] | None:
    if not isinstance(test, Mapping):
        return None
    start, end = when(test.get("start")), when(test.get("end"))
    if start is None or end is None:
        return None
    down, up, increase = (_number(test.get(k)) for k in ("download_mbps", "upload_mbps", "increase_ms"))
    grade = test.get("grade")
    rise = ""
    if increase is not None:
        rise = "+" + say.number(increase, 0) + " ms" + (f" ({grade})" if isinstance(grade, str) else "")
    if test.get("ok") is True:
        result = say(N_("measured"))
    else:
        error = test.get("error")
        reason = error if isinstance(error, str) else ""
        result = say(N_("failed: {reason}")).format(reason=reason)
    return (
        clock(start),
        duration(say, (end - start).total_seconds()),
        say.number(down, 1) + " Mbit/s" if down is not None else "",
        say.number(up, 1) + " Mbit/s" if up is not None else "",
        rise,
        inert(result, 300),
    )


def _row(say: Say, event: object) -> tuple[str, ...] | None:
    if not isinstance(event, Mapping):
        return None
    start, end = when(event.get("start")), when(event.get("end"))
    kind, location = event.get("kind"), event.get("location")
    if start is None or end is None or kind not in KINDS or location not in LOCATIONS:
        return None
    measured = ""
    bad, total, peak = event.get("bad"), event.get("measured"), event.get("peak")
    if kind in ("loss", "outage") and _int(bad) is not None and _int(total):
        measured = say(N_("{bad} of {n} echoes lost")).format(bad=bad, n=total)
    elif isinstance(peak, int | float) and not isinstance(peak, bool) and math.isfinite(peak):
        unit = "dBm" if kind == "wifi-weak" else "ms"
        measured = say(N_("worst {value} {unit}")).format(value=say.number(float(peak), 0), unit=unit)
    return (
        clock(start),
        clock(end),
        duration(say, (end - start).total_seconds()),
        say(LOCATIONS[str(location)]),
        say(KINDS[str(kind)]),
        measured,
    )


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def timeline_chart(report: Report, say: Say) -> Figure | None:
    """Loss and round trip per hop, DNS answer time and Wi-Fi signal over the watch, events marked."""
    watch = report.watch
    if not isinstance(watch, Mapping):
        return None
    data = watch.get("timeline")
    if not isinstance(data, Mapping):
        return None
    t0, size, series = _number(data.get("t0")), _number(data.get("bucket_s")), data.get("series")
    if t0 is None or size is None or size <= 0 or not isinstance(series, Mapping):
        return None
    columns = {k: _numbers(v) for k, v in series.items() if isinstance(k, str) and isinstance(v, list)}
    count = max((len(v) for v in columns.values()), default=0)
    if count == 0:
        return None
    left, width = 70.0, WIDTH - 90.0
    step = width / max(count, 1)
    shapes: list[Shape] = []
    panels = (
        (N_("Loss (%)"), (("gateway_loss_pct", "loss-gw"), ("hop2_loss_pct", "loss-hop2"),
                          ("internet_loss_pct", "loss-inet")), 100.0),
        (N_("Round trip (ms)"), (("gateway_rtt_ms", "rtt-gw"), ("hop2_rtt_ms", "rtt-hop2"),
                                 ("internet_rtt_ms", "rtt-inet")), None),
        (N_("DNS answer (ms)"), (("dns_ms", "dns"),), None),
        (N_("Wi-Fi signal (dBm)"), (("wifi_signal_dbm", "wifi"),), None),
    )  # fmt: skip
    top = 20.0
    height = 90.0
    drawn = 0
    for title, names, fixed in panels:
        values = [v for name, _cls in names for v in columns.get(name, []) if v is not None]
        if not values:
            continue
        low = min(0.0, *values)
        high = fixed if fixed is not None else max(1.0, *values) * 1.1
        if low < 0:  # signal in dBm: from the weakest to 0
            high = 0.0
        shapes.append(shape("text", say(title), x=left, y=top - 4, cls="axis"))
        shapes.append(shape("line", x1=left, y1=top + height, x2=left + width, y2=top + height, cls="grid"))
        shapes.append(shape("text", say.number(high, 0), x=left - 6, y=top + 8, cls="axis", anchor="end"))
        shapes.append(shape("text", say.number(low, 0), x=left - 6, y=top + height, cls="axis", anchor="end"))
        for name, cls in names:
            points = []
            for i, value in enumerate(columns.get(name, [])[:MAX_POINTS]):
                if value is None:
                    continue
                y = top + height - height * (min(max(value, low), high) - low) / ((high - low) or 1.0)
                points.append(f"{left + (i + 0.5) * step:.1f},{y:.1f}")
            if len(points) > 1:
                shapes.append(shape("polyline", points=" ".join(points), cls=f"series {cls}"))
        top += height + 30.0
        drawn += 1
    if not drawn:
        return None
    _mark_events(watch, t0, size, count, left, step, 20.0, top - 30.0, shapes, say)
    start = when(watch.get("started_at"))
    end = when(watch.get("ended_at"))
    if start is not None and end is not None:
        shapes.append(shape("text", clock(start), x=left, y=top, cls="axis"))
        shapes.append(shape("text", clock(end), x=left + width, y=top, cls="axis", anchor="end"))
    return Figure(WIDTH, int(top + 12), say(N_("Timeline of the watch")), tuple(shapes))


def _mark_events(
    watch: Mapping[str, Any], t0: float, size: float, count: int, left: float, step: float,
    top: float, bottom: float, shapes: list[Shape], say: Say,
) -> None:  # fmt: skip
    events = watch.get("events")
    for event in (events if isinstance(events, list) else [])[:MAX_ROWS]:
        row = _row(say, event)
        if row is None:
            continue
        start, end = when(event.get("start")), when(event.get("end"))
        assert start is not None and end is not None
        x1 = left + (start.timestamp() - t0) / size * step
        x2 = max(x1 + 2.0, left + (end.timestamp() - t0) / size * step)
        if x2 < left or x1 > left + count * step:
            continue
        shapes.insert(0, shape("rect", x=x1, y=top, width=x2 - x1, height=bottom - top, cls="event",
                               title=f"{row[0]} — {row[3]}: {row[4]}"))  # fmt: skip
    tests = watch.get("speedtests")
    for test in (tests if isinstance(tests, list) else [])[:MAX_ROWS]:
        speed = _speed_row(say, test)
        if speed is None:
            continue
        start, end = when(test.get("start")), when(test.get("end"))
        assert start is not None and end is not None
        x1 = left + (start.timestamp() - t0) / size * step
        x2 = max(x1 + 2.0, left + (end.timestamp() - t0) / size * step)
        if x2 < left or x1 > left + count * step:
            continue
        cls = "speedtest" if test.get("ok") is True else "speedtest failed"
        label = say(N_("Speed test"))
        figures = ", ".join(cell for cell in speed[2:] if cell)
        shapes.insert(0, shape("rect", x=x1, y=top, width=x2 - x1, height=bottom - top, cls=cls,
                               title=f"{speed[0]} — {label}: {figures}"))  # fmt: skip


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and _finite(value) else None


def _numbers(values: Sequence[object]) -> list[float | None]:
    return [_number(v) for v in values[:MAX_POINTS]]
