"""Builders of synthetic watch histories (documentation addresses only): a healthy path with faults
switched on in given windows, as the lab would show them."""

from __future__ import annotations

import random
from collections.abc import Sequence

from homediag.watch.samples import Kind, Sample, info_of
from homediag.watch.store import Store

T0 = 1_700_000_000.0
GATEWAY = "gateway:192.0.2.1"
HOP2 = "hop2:198.51.100.9"
INTERNET = ("internet:198.51.100.1", "internet:198.51.100.2")
RESOLVER = "resolver:192.0.2.1"


def path_samples(
    start: float,
    seconds: float,
    *,
    interval: float = 0.5,
    lan_loss: Sequence[tuple[float, float]] = (),
    wan_loss: Sequence[tuple[float, float]] = (),
    dns_slow: Sequence[tuple[float, float]] = (),
    loss_share: float = 0.19,
    dns_every: float = 2.0,
    seed: int = 1,
) -> list[Sample]:
    """Four echoes per tick and a DNS lookup every ``dns_every``; faults in the given (offset) windows."""
    rng = random.Random(seed)
    out: list[Sample] = []
    t = start
    next_dns = start
    while t < start + seconds:
        offset = t - start
        in_lan = any(a <= offset < b for a, b in lan_loss)
        in_wan = any(a <= offset < b for a, b in wan_loss)
        for subject in (GATEWAY, HOP2, *INTERNET):
            beyond = subject != GATEWAY
            lost = (in_lan or (in_wan and beyond)) and rng.random() < loss_share
            out.append(
                Sample(t, Kind.PING, subject, not lost, None if lost else round(0.4 + rng.random(), 3))
            )
        if t >= next_dns:
            slow = any(a <= offset < b for a, b in dns_slow)
            if in_lan and rng.random() < 2 * loss_share:  # the query or its answer lost on the way
                out.append(Sample(t, Kind.DNS, RESOLVER, False))
            else:
                out.append(Sample(t, Kind.DNS, RESOLVER, True, 805.0 if slow else round(2 + rng.random(), 3)))
            next_dns += dns_every
        t += interval
    return out


def write(store: Store, samples: Sequence[Sample], *, interval: float = 0.5, stop: bool = True) -> None:
    """One run of watch that wrote ``samples``."""
    store.begin_run(samples[0].t, interval, 4242)
    store.add(Sample(samples[0].t, Kind.MARK, "watch", True, info=info_of({"event": "started"})))
    store.add_all(samples)
    store.commit(samples[-1].t)
    if stop:
        store.end_run(samples[-1].t + interval)
