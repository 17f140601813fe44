"""Sequential loss sampling (``echo.LossTest``, ``echo.measure_paths``): when more echoes are needed."""

from __future__ import annotations

import asyncio

import pytest

from homediag.core.probe import ProbeContext
from homediag.net import echo
from homediag.net.echo import EchoSeries, LossTest, LossVerdict, ambiguous, measure_paths

OK = 1.0
LOST = None


def series(lost: int, n: int) -> tuple[float | None, ...]:
    return tuple([LOST] * lost + [OK] * (n - lost))


@pytest.mark.parametrize(
    ("samples", "verdict"),
    [
        pytest.param(series(0, 20), LossVerdict.CLEAN, id="twenty-answered"),
        pytest.param(series(0, 10), LossVerdict.OPEN, id="ten-answered-too-few"),
        pytest.param(series(1, 20), LossVerdict.OPEN, id="one-lost-in-twenty"),
        pytest.param(series(1, 60), LossVerdict.CLEAN, id="one-lost-in-sixty"),
        pytest.param(series(2, 20), LossVerdict.LOSSY, id="two-lost-in-twenty"),
        pytest.param(series(20, 20), LossVerdict.SILENT, id="nothing-answered"),
        pytest.param((), LossVerdict.OPEN, id="no-samples"),
    ],
)
def test_loss_test_verdicts(samples: tuple[float | None, ...], verdict: LossVerdict) -> None:
    assert LossTest().verdict(samples) is verdict


@pytest.mark.parametrize(
    ("verdicts", "more"),
    [
        pytest.param([LossVerdict.CLEAN, LossVerdict.CLEAN], False, id="all-clean"),
        pytest.param([LossVerdict.LOSSY, LossVerdict.LOSSY], False, id="all-lossy"),
        pytest.param([LossVerdict.CLEAN, LossVerdict.SILENT], False, id="one-target-drops-echo"),
        pytest.param([LossVerdict.CLEAN, LossVerdict.OPEN], True, id="one-open"),
        pytest.param([LossVerdict.CLEAN, LossVerdict.LOSSY], True, id="paths-disagree"),
    ],
)
def test_more_samples_only_when_ambiguous(verdicts: list[LossVerdict], more: bool) -> None:
    assert ambiguous(verdicts) is more


def run_paths(
    monkeypatch: pytest.MonkeyPatch, plans: dict[str, list[int]]
) -> tuple[list[EchoSeries], list[int]]:
    """``measure_paths`` with ``measure`` replaced: ``plans[target]`` is the losses of each stage."""
    counts: list[int] = []
    stage: dict[str, int] = {}

    async def fake(_ctx: ProbeContext, target: str, *, count: int, **_: object) -> EchoSeries:
        counts.append(count)
        index = stage.get(target, 0)
        stage[target] = index + 1
        return EchoSeries("raw ICMP", series(plans[target][index], count))

    monkeypatch.setattr(echo, "measure", fake)
    result = asyncio.run(
        measure_paths(
            None,  # type: ignore[arg-type]
            list(plans),
            min_count=20,
            max_count=60,
            interval_s=0.05,
            timeout_s=1.0,
        )
    )
    return result, counts


def test_clean_paths_stop_after_the_first_twenty(monkeypatch: pytest.MonkeyPatch) -> None:
    result, counts = run_paths(monkeypatch, {"198.51.100.1": [0], "198.51.100.2": [0]})
    assert counts == [20, 20]
    assert [s.sent for s in result] == [20, 20]


def test_a_path_that_disagrees_gets_forty_more_echoes_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    result, counts = run_paths(monkeypatch, {"198.51.100.1": [0, 0], "198.51.100.2": [3, 5]})
    assert counts == [20, 20, 40, 40]
    assert [s.sent for s in result] == [60, 60]
    assert [s.received for s in result] == [60, 52]
