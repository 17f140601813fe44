"""Choosing the next step: information per cost, expected cost of repair, P-over-C order."""

from __future__ import annotations

import pytest

from homediag.engine.inference import Belief
from homediag.engine.selection import (
    Candidate,
    RemedyOption,
    choose_identify,
    choose_repair,
    repair_plan,
)

PERFECT = ((1.0, 0.0), (0.0, 1.0))
USELESS = ((0.5, 0.5), (0.5, 0.5))
HALF = Belief.from_priors({"a": 0.5, "b": 0.5})


def test_identify_prefers_information_per_cost() -> None:
    cheap_weak = Candidate("cheap", 0, ((0.7, 0.3), (0.3, 0.7)), 1.0)
    dear_perfect = Candidate("dear", 1, PERFECT, 100.0)
    choice = choose_identify(HALF, [dear_perfect, cheap_weak], threshold=0.9, min_gain_per_s=0.0)
    assert choice.test_id == "cheap"
    assert choice.rule == "EIG/cost"
    assert choice.runners_up[0][0] == "dear"


def test_identify_stops_at_the_threshold() -> None:
    sure = Belief.from_priors({"a": 0.95, "b": 0.05})
    choice = choose_identify(
        sure, [Candidate("t", 0, PERFECT, 1.0)], threshold=0.9, min_gain_per_s=0
    )
    assert choice.test_id is None
    assert choice.rule == "threshold"


def test_identify_stops_when_no_test_is_worth_its_cost() -> None:
    choice = choose_identify(
        HALF, [Candidate("t", 0, USELESS, 1.0)], threshold=0.9, min_gain_per_s=0
    )
    assert choice.test_id is None
    assert choice.rule == "not_worth"
    dear = Candidate("dear", 0, PERFECT, 10_000.0)
    choice = choose_identify(HALF, [dear], threshold=0.9, min_gain_per_s=0.001)
    assert choice.test_id is None


def test_ties_are_broken_by_declaration_order() -> None:
    first, second = Candidate("z_first", 0, PERFECT, 1.0), Candidate("a_second", 1, PERFECT, 1.0)
    assert (
        choose_identify(HALF, [second, first], threshold=0.9, min_gain_per_s=0).test_id == "z_first"
    )


def test_repair_plan_is_p_over_c_with_updating() -> None:
    belief = Belief.from_priors({"a": 0.6, "b": 0.4})
    remedies = [
        RemedyOption("fix_b_cheap", 0, (0.0, 1.0), 10.0),
        RemedyOption("fix_a_dear", 1, (1.0, 0.0), 100.0),
    ]
    plan = repair_plan(belief, remedies, escalation_cost_s=10_000.0)
    assert [step[0] for step in plan.sequence] == ["fix_b_cheap", "fix_a_dear"]
    # ECR = C(b) + P(b failed) * C(a)
    assert plan.ecr_s == pytest.approx(10.0 + 0.6 * 100.0)
    assert not plan.escalates


def test_repair_plan_escalates_rather_than_try_inefficient_remedies() -> None:
    belief = Belief.from_priors({"a": 0.01, "b": 0.99})
    remedies = [RemedyOption("long_shot", 0, (1.0, 0.0), 600.0)]
    plan = repair_plan(belief, remedies, escalation_cost_s=1000.0)
    assert plan.sequence == ()
    assert plan.escalates
    assert plan.ecr_s == pytest.approx(1000.0)


def test_repair_mode_tests_only_when_it_lowers_the_expected_cost() -> None:
    remedies = [
        RemedyOption("fix_a", 0, (1.0, 0.0), 500.0),
        RemedyOption("fix_b", 1, (0.0, 1.0), 500.0),
    ]
    cheap_perfect = Candidate("look", 0, PERFECT, 5.0)
    choice = choose_repair(HALF, [cheap_perfect], remedies, escalation_cost_s=5000.0, threshold=0.9)
    assert choice.test_id == "look"
    assert choice.rule == "ECO<ECR"
    assert choice.ecr_s == pytest.approx(750.0)
    dear = Candidate("dear", 0, PERFECT, 400.0)
    choice = choose_repair(HALF, [dear], remedies, escalation_cost_s=5000.0, threshold=0.9)
    assert choice.test_id is None
    assert choice.rule == "ECO>=ECR"
