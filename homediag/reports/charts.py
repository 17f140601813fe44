"""The charts of the HTML report: latency and loss, speed, Wi-Fi channels.

Each function returns a :class:`~homediag.reports.svg.Figure`, or None when the facts it needs were
not observed — a report without a speed test simply has no speed chart. Unknown shapes of values
(another probe version, a hostile device) give no chart rather than an error. The view builder
(:mod:`homediag.reports.compose`) draws them; every label passes the view's seam (``say``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from homediag.core.i18n import N_
from homediag.core.model import Observation, Report
from homediag.reports.sanitize import inert
from homediag.reports.svg import Figure, Shape, shape
from homediag.reports.texts import Say

WIDTH = 640
MAX_SAMPLES = 600
MAX_NETWORKS = 40
SLOW_DOWN_MBPS = 10.0
SLOW_UP_MBPS = 2.0
"""The thresholds (docs/probes-and-playbooks.md#thresholds) without a plan: below these the line is slow."""


def _nice_ceiling(value: float) -> float:
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value:
            return float(candidate)
    return float(10 ** (exponent + 1))


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def find(report: Report, fact: str, subject: str | None = None) -> Observation | None:
    """The last observation of ``fact`` (for ``subject`` when given)."""
    found = None
    for obs in report.observations:
        if obs.fact == fact and (subject is None or obs.subject == subject):
            found = obs
    return found


def number_of(report: Report, fact: str) -> float | None:
    """The numeric value of ``fact``, when observed as a finite number."""
    obs = find(report, fact)
    return _number(obs.value) if obs is not None else None


def _grid(say: Say, shapes: list[Shape], left: float, top: float, width: float, height: float,
          top_value: float, unit: str) -> None:  # fmt: skip
    for i in range(5):
        value = top_value * i / 4
        y = top + height - height * i / 4
        shapes.append(shape("line", x1=left, y1=y, x2=left + width, y2=y, cls="grid"))
        shapes.append(
            shape("text", f"{say.number(value, 1)} {unit}", x=left - 6, y=y + 4, cls="axis", anchor="end")
        )


def latency_chart(report: Report, say: Say) -> Figure | None:
    """Each round trip to the router (``gateway.samples_ms``), lost probes marked, with the loss."""
    obs = find(report, "gateway.samples_ms")
    if obs is None or not isinstance(obs.value, list) or not obs.value:
        return None
    samples = [_number(v) for v in obs.value[:MAX_SAMPLES]]
    values = [v for v in samples if v is not None]
    lost = sum(1 for v in samples if v is None)
    top_value = _nice_ceiling(max(values) if values else 1.0)
    left, top, width, height = 70.0, 20.0, WIDTH - 90.0, 160.0
    shapes: list[Shape] = []
    _grid(say, shapes, left, top, width, height, top_value, "ms")
    under_points = len(shapes)
    step = width / max(len(samples) - 1, 1)
    points = []
    for i, value in enumerate(samples):
        x = left + i * step
        if value is None:
            shapes.append(shape("text", "×", x=x, y=top + 10, cls="lost", anchor="middle",
                                title=say(N_("probe {n} lost")).format(n=i + 1)))  # fmt: skip
            continue
        y = top + height - height * min(value, top_value) / top_value
        points.append(f"{x:.1f},{y:.1f}")
        shapes.append(shape("circle", cx=x, cy=y, r=2.5, cls="point",
                            title=f"{i + 1}{say.colon} {say.number(value, 1)} ms"))  # fmt: skip
    if len(points) > 1:
        shapes.insert(under_points, shape("polyline", points=" ".join(points), cls="series"))
    share = lost / len(samples)
    caption = say(N_("{lost} of {n} probes to the router lost ({share}); × marks a lost probe")).format(
        lost=lost, n=len(samples), share=f"{say.number(share * 100, 1)} %"
    )
    shapes.append(shape("text", caption, x=left, y=top + height + 28, cls="caption"))
    return Figure(WIDTH, int(top + height + 40), say(N_("Round trips to the router")), tuple(shapes))


def round_trip_chart(report: Report, say: Say) -> Figure | None:
    """Bars for the round trips to the router, the internet and the DNS answer time."""
    bars = [
        (label, value)
        for label, value in (
            (say(N_("router")), number_of(report, "gateway.rtt_ms")),
            (say(N_("internet")), number_of(report, "internet.rtt_ms")),
            (say(N_("DNS")), number_of(report, "dns.best_latency_ms")),
        )
        if value is not None
    ]
    if not bars:
        return None
    return _bar_chart(say, bars, "ms", say(N_("Round trips and DNS answer time")), thresholds=())


def speed_chart(report: Report, say: Say) -> Figure | None:
    """Download and upload speed, against the speeds below which the line counts as slow."""
    bars = [
        (label, value)
        for label, value in (
            (say(N_("download")), number_of(report, "speed.download_mbps")),
            (say(N_("upload")), number_of(report, "speed.upload_mbps")),
        )
        if value is not None
    ]
    if not bars:
        return None
    thresholds = tuple(
        (i, limit)
        for i, (label, _v) in enumerate(bars)
        for limit in [SLOW_DOWN_MBPS if label == say(N_("download")) else SLOW_UP_MBPS]
    )
    return _bar_chart(say, bars, "Mbit/s", say(N_("Speed (the mark shows where slow begins)")), thresholds)


def _bar_chart(say: Say, bars: Sequence[tuple[str, float]], unit: str, label: str,
               thresholds: Sequence[tuple[int, float]]) -> Figure:  # fmt: skip
    left, top, row = 110.0, 10.0, 34.0
    width = WIDTH - left - 90.0
    top_value = _nice_ceiling(max([v for _l, v in bars] + [t for _i, t in thresholds] + [0.001]))
    shapes: list[Shape] = []
    for i, (name, value) in enumerate(bars):
        y = top + i * row
        length = width * max(value, 0.0) / top_value
        shapes.append(shape("text", name, x=left - 8, y=y + 17, cls="label", anchor="end"))
        shapes.append(shape("rect", x=left, y=y + 4, width=max(length, 1.0), height=row - 12, cls="bar",
                            title=f"{name}{say.colon} {say.number(value, 1)} {unit}"))  # fmt: skip
        shapes.append(
            shape("text", f"{say.number(value, 1)} {unit}", x=left + length + 6, y=y + 17, cls="value")
        )
    for i, limit in thresholds:
        x = left + width * limit / top_value
        y = top + i * row
        tip = say(N_("slow below {value} {unit}")).format(value=say.number(limit, 1), unit=unit)
        shapes.append(shape("line", x1=x, y1=y, x2=x, y2=y + row - 4, cls="threshold", title=tip))
    return Figure(WIDTH, int(top + len(bars) * row + 10), label, tuple(shapes))


def _networks(value: Any) -> list[Mapping[str, Any]]:
    if not isinstance(value, list):
        return []
    return [n for n in value[:MAX_NETWORKS] if isinstance(n, Mapping)]


def _field(network: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        if name in network:
            return network[name]
    return None


def wifi_chart(report: Report, say: Say) -> Figure | None:
    """Networks in range per channel (height: signal), this computer's network highlighted."""
    neighbours = find(report, "wifi.neighbours")
    own_channel = number_of(report, "wifi.channel")
    own_signal = number_of(report, "wifi.signal_dbm")
    own_bssid = find(report, "wifi.bssid")
    networks = _networks(neighbours.value if neighbours is not None else None)
    entries: list[tuple[float, float, str, bool]] = []
    for network in networks:
        channel = _number(_field(network, "channel", "chan"))
        signal = _number(_field(network, "signal_dbm", "signal", "rssi", "level"))
        if channel is None or signal is None or not 0 < channel <= 200:
            continue
        name = inert(_field(network, "ssid", "name") or say(N_("hidden network")), 32)
        own = own_bssid is not None and _field(network, "bssid") == own_bssid.value
        entries.append((channel, signal, name, own))
    if own_channel is not None and own_signal is not None and not any(e[3] for e in entries):
        entries.append((own_channel, own_signal, say(N_("your network")), True))
    if not entries:
        return None
    bands = [
        (say(N_("2.4 GHz")), [e for e in entries if e[0] <= 14], 1.0, 13.0, 2.0),
        (say(N_("5 GHz")), [e for e in entries if e[0] > 14], None, None, 4.0),
    ]
    shapes: list[Shape] = []
    y0 = 0.0
    panel_height = 150.0
    for title, members, low, high, half_width in bands:
        if not members:
            continue
        channels = [e[0] for e in members]
        first = (low if low is not None else min(channels)) - half_width
        last = (high if high is not None else max(channels)) + half_width
        left, width = 70.0, WIDTH - 90.0
        top = y0 + 24

        def x_of(channel: float, first: float = first, last: float = last, left: float = left,
                 width: float = width) -> float:  # fmt: skip
            return left + width * (channel - first) / max(last - first, 1.0)

        def y_of(signal: float, top: float = top) -> float:
            clamped = min(max(signal, -100.0), -20.0)
            return top + panel_height * (-20.0 - clamped) / 80.0

        shapes.append(shape("text", title, x=left, y=y0 + 14, cls="label"))
        for dbm in (-30, -50, -70, -90):
            y = y_of(dbm)
            shapes.append(shape("line", x1=left, y1=y, x2=left + width, y2=y, cls="grid"))
            shapes.append(shape("text", f"{dbm} dBm", x=left - 6, y=y + 4, cls="axis", anchor="end"))
        for channel in sorted({int(c) for c in channels} | ({1, 6, 11} if low is not None else set())):
            shapes.append(shape("text", str(channel), x=x_of(channel), y=top + panel_height + 16,
                                cls="axis", anchor="middle"))  # fmt: skip
        placed: list[tuple[float, float]] = []
        for channel, signal, name, own in sorted(members, key=lambda e: (e[3], e[1])):
            x_left, x_mid, x_right = x_of(channel - half_width), x_of(channel), x_of(channel + half_width)
            base, peak = y_of(-100.0), y_of(signal)
            path = f"M{x_left:.1f},{base:.1f} Q{x_mid:.1f},{2 * peak - base:.1f} {x_right:.1f},{base:.1f}"
            channel_word = say(N_("channel"))
            tip = f"{name}{say.colon} {channel_word} {say.number(channel, 0)}, {say.number(signal, 0)} dBm"
            shapes.append(shape("path", d=path, cls="own" if own else "network", title=tip))
            crowded = any(abs(x_mid - px) < 80 and abs(peak - py) < 14 for px, py in placed)
            if own or (signal >= -75 and not crowded):
                placed.append((x_mid, peak))
                cls = "own-label" if own else "net-label"
                shapes.append(shape("text", name, x=x_mid, y=peak - 4, cls=cls, anchor="middle"))
        y0 += panel_height + 50
    return Figure(WIDTH, int(y0), say(N_("Wi-Fi networks by channel")), tuple(shapes))
