"""Jitter that a loaded computer does not fake: isolated spikes left out (``echo.jitter``), more echoes
only when the jitter is near its threshold, and raw ICMP timed by the kernel's receive stamp."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import statistics
import time
from pathlib import Path

import pytest

from homediag.core.config import parse_config
from homediag.net.echo import EchoSeries, isolated_spikes, jitter, jitter_near, raw_icmp, summarise
from homediag.net.os.ping import parse_ping
from homediag.probes.net.internet import InternetProbe
from homediag.testing import run_probe
from homediag.testing.fakes import FakeDns, FakeIcmp, fake_io

PING = Path(__file__).parent.parent / "parsers" / "fixtures" / "ping"


def recorded(name: str) -> tuple[float | None, ...]:
    """The round trips of a recorded ``ping`` output, None where a sequence number got no answer."""
    result = parse_ping((PING / name).read_text(encoding="utf-8"))
    by_seq = {r.seq: r.rtt_ms for r in result.replies}
    return tuple(by_seq.get(seq) for seq in range(1, 21))


def mean_difference(samples: tuple[float | None, ...]) -> float:
    answered = [s for s in samples if s is not None]
    return statistics.fmean(abs(b - a) for a, b in itertools.pairwise(answered))


def test_two_hiccups_of_a_loaded_computer_are_no_jitter() -> None:
    samples = recorded("linux-steady-two-hiccups.txt")
    assert mean_difference(samples) > 30.0  # the plain mean: a false wan.high-jitter
    stats = summarise(samples)
    assert stats.jitter_ms is not None and stats.jitter_ms < 2.0
    assert stats.rtt_max_ms is not None and stats.rtt_max_ms > 300.0  # still reported as they were


def test_a_jittery_line_stays_jittery() -> None:
    samples = recorded("linux-jittery.txt")
    stats = summarise(samples)
    assert stats.jitter_ms is not None and stats.jitter_ms > 30.0
    assert stats.jitter_ms == pytest.approx(mean_difference(samples), abs=0.001)


def test_a_calm_line_with_a_loss() -> None:
    stats = summarise(recorded("linux-calm-one-lost.txt"))
    assert stats.loss_pct == 5.0
    assert stats.jitter_ms is not None and stats.jitter_ms < 3.0


def test_steady_variation_is_hardly_ever_a_spike() -> None:
    rng = random.Random(7)
    ratios: list[float] = []
    with_spikes = 0
    for _ in range(200):
        rtts = [40.0 + rng.gauss(0.0, 15.0) for _ in range(60)]
        with_spikes += bool(isolated_spikes(rtts))
        plain = statistics.fmean(abs(b - a) for a, b in itertools.pairwise(rtts))
        value = jitter(rtts)
        assert value is not None
        ratios.append(value / plain)
    assert with_spikes <= 20  # about 4 % of the series of 60 have one
    assert statistics.fmean(ratios) > 0.985


def test_late_answers_that_come_often_are_jitter() -> None:
    # every fourth answer 150 ms late: a path that stutters, not a hiccup
    rtts = [20.0 + (150.0 if i % 4 == 2 else 0.0) for i in range(20)]
    assert isolated_spikes(rtts) == []
    assert jitter(rtts) == pytest.approx(statistics.fmean(abs(b - a) for a, b in itertools.pairwise(rtts)))


def test_at_most_a_tenth_of_the_answers_are_left_out() -> None:
    rtts = [20.0 + (150.0 + i if i % 6 == 2 else 0.0) for i in range(20)]  # 3 late of 20
    assert isolated_spikes(rtts) == [8, 14]  # the two highest
    value = jitter(rtts)
    assert value is not None and value == pytest.approx(2 * 152.0 / 17)


def test_too_few_answers_leave_nothing_out() -> None:
    assert isolated_spikes([20.0, 400.0, 20.0]) == []
    assert jitter([20.0, 400.0, 20.0]) == 380.0
    assert jitter([20.0]) is None


@pytest.mark.parametrize(
    ("value", "near"),
    [(None, False), (1.0, False), (14.9, False), (15.0, True), (29.0, True), (44.0, True), (46.0, False)],
)
def test_near_the_threshold(value: float | None, near: bool) -> None:
    assert jitter_near(value, 30.0) is near


# --- the probe takes 40 more echoes only when the jitter is near its threshold ----------------------

CONFIG = parse_config(
    json.dumps(
        {
            "internet": {
                "ping_targets": ["192.0.2.53", "198.51.100.53"],
                "tcp_targets": [],
                "http_checks": [],
                "https_checks": [],
                "stun_servers": [],
            }
        }
    )
)


def sampled(name: str) -> tuple[list[int], float | None]:
    """The counts of echoes the probe asked for, and the jitter it observed, from a recorded series."""
    first = recorded(name)
    icmp = FakeIcmp(
        echo=lambda _target, count: EchoSeries("raw ICMP", first if count == 20 else first[:count] * 2)
    )
    dns = FakeDns(resolve={"192.0.2.53": "192.0.2.53", "198.51.100.53": "198.51.100.53"})
    outcome = asyncio.run(
        run_probe(InternetProbe, config=CONFIG, binaries=[], privileged=True, io=fake_io(icmp=icmp, dns=dns))
    )
    value = outcome.value("internet.jitter_ms")
    assert value is None or isinstance(value, float)
    return [count for _target, count in icmp.echoes], value


def test_a_clear_answer_stops_after_twenty() -> None:
    counts, value = sampled("linux-steady-two-hiccups.txt")
    assert counts == [20, 20]
    assert value is not None and value < 2.0


def test_jitter_near_the_threshold_gets_forty_more() -> None:
    counts, value = sampled("linux-jitter-near-threshold.txt")
    assert counts == [20, 20, 40, 40]
    assert value is not None


# --- raw ICMP: the kernel's receive time, not the event loop's --------------------------------------


@pytest.mark.skipif(os.geteuid() != 0, reason="raw ICMP needs root")
def test_a_blocked_event_loop_does_not_inflate_round_trips() -> None:
    async def main() -> EchoSeries:
        async def block() -> None:
            await asyncio.sleep(0.12)
            time.sleep(0.3)  # a loaded computer: the loop gets to the replies 0.3 s late

        measuring = asyncio.ensure_future(raw_icmp("127.0.0.1", 8, 0.05, 1.0))
        await block()
        return await measuring

    series = asyncio.run(main())
    assert series.received == 8
    answered = [s for s in series.samples if s is not None]
    assert max(answered) < 50.0, answered  # the loop's own clock said up to 300 ms
