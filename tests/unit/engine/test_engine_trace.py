"""The typed trace: steps serialise to the JSON the report stores, and stored steps read back.

``fixtures/traces-before-typing.json`` holds traces the engine wrote before its steps were typed
(every action, every optional key, every rule it used): they must read into :class:`TraceStep` and
serialise back to exactly the same JSON.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from homediag.engine.trace import (
    ACTIONS,
    RatioEntry,
    Trace,
    TraceAction,
    TraceStep,
    Why,
    WhyRule,
)
from homediag.engine.trace_schema import TRACE_STEP_SCHEMA

BEFORE = json.loads((Path(__file__).parent / "fixtures" / "traces-before-typing.json").read_text("utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(TRACE_STEP_SCHEMA)


@pytest.mark.parametrize("name", sorted(BEFORE))
def test_traces_written_before_read_back_and_serialise_the_same(name: str) -> None:
    for data in BEFORE[name]:
        VALIDATOR.validate(data)
        step = TraceStep.from_json(data)
        assert step.to_json() == data


def test_the_fixture_covers_every_kind_of_step() -> None:
    steps = [step for trace in BEFORE.values() for step in trace]
    assert {s["action"] for s in steps} >= set(ACTIONS) - {"probe"}  # probe steps look like replay
    keys = {key for s in steps for key in s}
    assert keys >= {"why", "value", "ruled_in", "ruled_out", "deferred", "unavailable", "candidates"}
    assert any(s.get("why", {}).get("runners_up") == [] for s in steps)


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        pytest.param(
            TraceStep(1, "p", TraceAction.PROBE, test="t", fact="f.x"),
            {"n": 1, "playbook": "p", "action": "probe", "test": "t", "fact": "f.x", "outcome": None},
            id="a step without evidence keeps outcome null",
        ),
        pytest.param(
            TraceStep(2, "p", TraceAction.INFER, note="following up"),
            {"n": 2, "playbook": "p", "action": "infer", "note": "following up"},
            id="infer has no outcome",
        ),
        pytest.param(
            TraceStep(
                3, "p", TraceAction.QUESTION, test="q", why=Why(WhyRule.EIG_PER_COST, 0.5, runners_up=())
            ),
            {
                "n": 3,
                "playbook": "p",
                "action": "question",
                "test": "q",
                "why": {"rule": "EIG/cost", "score": 0.5, "runners_up": []},
                "outcome": None,
            },
            id="an empty runners-up list is kept",
        ),
        pytest.param(
            TraceStep(
                4,
                "p",
                TraceAction.REPLAY,
                test="t",
                outcome="bad",
                value=False,
                ruled_out=(RatioEntry("a", None, 0.03, "text"),),
                error="boom",
            ),
            {
                "n": 4,
                "playbook": "p",
                "action": "replay",
                "test": "t",
                "outcome": "bad",
                "value": False,
                "ruled_out": [{"cause": "a", "code": None, "likelihood_ratio": 0.03, "text": "text"}],
                "error": "boom",
            },
            id="a false value and an error are kept",
        ),
    ],
)
def test_steps_serialise_as_documented(step: TraceStep, expected: dict[str, Any]) -> None:
    assert step.to_json() == expected
    VALIDATOR.validate(expected)
    assert TraceStep.from_json(expected) == step


def test_the_trace_numbers_steps_and_makes_values_safe() -> None:
    trace = Trace()
    trace.add(TraceAction.INFER, playbook="p", note="first")
    step = trace.add(
        TraceAction.PROBE,
        playbook="p",
        test="t",
        value={"long": "x" * 500, "ratio": 1 / 3},
        posterior_top=[("a", 2 / 3)],
    )
    assert [s.n for s in trace.steps] == [1, 2]
    assert step.value == {"long": "x" * 200, "ratio": 0.3333}
    assert step.posterior_top == (("a", 0.6667),)
    outcome_less = trace.add(TraceAction.STOP, playbook="p", outcome="ignored")
    assert "outcome" not in outcome_less.to_json()


def test_a_step_that_is_not_one_is_refused() -> None:
    with pytest.raises(ValueError, match="'guess'"):
        TraceStep.from_json({"n": 1, "playbook": "p", "action": "guess"})
