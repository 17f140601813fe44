"""The history summarised for the report's timeline chart: a few hundred buckets at most.

For each bucket: loss and mean round trip per hop (gateway, hop 2, internet), the slowest DNS answer
and the mean Wi-Fi signal; ``None`` where nothing was measured (the watch was not running). Raw samples
and downsampled minutes both count, so a week of history draws as fast as an hour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from homediag.watch.samples import Kind, Sample
from homediag.watch.store import Minute

MAX_BUCKETS = 480
NICE_BUCKETS_S = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 86400)
SERIES = (
    "gateway_loss_pct",
    "gateway_rtt_ms",
    "hop2_loss_pct",
    "hop2_rtt_ms",
    "internet_loss_pct",
    "internet_rtt_ms",
    "dns_ms",
    "wifi_signal_dbm",
)


@dataclass
class _Bucket:
    n: float = 0.0
    fails: float = 0.0
    total: float = 0.0
    answered: float = 0.0
    high: float | None = None


def bucket_size(span_s: float) -> int:
    """The smallest nice bucket that draws ``span_s`` in at most :data:`MAX_BUCKETS`."""
    for size in NICE_BUCKETS_S:
        if span_s / size <= MAX_BUCKETS:
            return size
    return NICE_BUCKETS_S[-1]


def _key(kind: Kind, subject: str) -> str | None:
    role = subject.split(":", 1)[0]
    if kind is Kind.PING and role in ("gateway", "hop2", "internet"):
        return role
    if kind is Kind.DNS:
        return "dns"
    if kind is Kind.WIFI:
        return "wifi"
    return None


def build(
    samples: Sequence[Sample], minutes: Sequence[Minute], start: float, end: float
) -> dict[str, object]:
    """The timeline of ``[start, end]``: ``{"t0", "bucket_s", "series": {name: [value | None, ...]}}``."""
    size = bucket_size(max(1.0, end - start))
    t0 = math.floor(start / size) * size
    count = max(1, math.ceil((end - t0) / size))
    grid: dict[str, list[_Bucket]] = {}

    def add(
        key: str, t: float, n: float, fails: float, total: float, answered: float, high: float | None
    ) -> None:
        index = int((t - t0) // size)
        if not 0 <= index < count:
            return
        column = grid.get(key)
        if column is None:
            column = grid[key] = [_Bucket() for _ in range(count)]
        bucket = column[index]
        bucket.n += n
        bucket.fails += fails
        bucket.total += total
        bucket.answered += answered
        if high is not None:
            bucket.high = high if bucket.high is None else max(bucket.high, high)

    for s in samples:
        key = _key(s.kind, s.subject)
        if key is not None:
            value = s.value if s.ok else None
            add(key, s.t, 1, 0 if s.ok else 1, value or 0.0, 1 if value is not None else 0, value)
    for m in minutes:
        key = _key(m.kind, m.subject)
        if key is not None and m.n:
            answered = m.n - m.fails if m.mean is not None else 0
            add(key, m.t, m.n, m.fails, (m.mean or 0.0) * answered, answered, m.high)

    def column(key: str, what: str) -> list[float | None]:
        buckets = grid.get(key)
        if buckets is None:
            return [None] * count
        out: list[float | None] = []
        for b in buckets:
            if not b.n:
                out.append(None)
            elif what == "loss":
                out.append(round(100.0 * b.fails / b.n, 1))
            elif what == "high":
                out.append(round(b.high, 1) if b.high is not None else None)
            else:
                out.append(round(b.total / b.answered, 2) if b.answered else None)
        return out

    series = {
        "gateway_loss_pct": column("gateway", "loss"),
        "gateway_rtt_ms": column("gateway", "mean"),
        "hop2_loss_pct": column("hop2", "loss"),
        "hop2_rtt_ms": column("hop2", "mean"),
        "internet_loss_pct": column("internet", "loss"),
        "internet_rtt_ms": column("internet", "mean"),
        "dns_ms": column("dns", "high"),
        "wifi_signal_dbm": column("wifi", "mean"),
    }
    return {"t0": float(t0), "bucket_s": float(size), "series": series}
