"""The arithmetic of elimination: noisy-OR, marginalisation, the floor, Bayes, information."""

from __future__ import annotations

import math

import pytest

from homediag.engine.inference import (
    Belief,
    combine,
    entropy,
    floored,
    marginalise,
    normal_index,
    normalised,
)

NORMAL = (0.9, 0.1)  # (ok, bad)


def test_one_member_is_its_own_effect() -> None:
    assert combine(NORMAL, [(0.2, 0.8)]) == (0.2, 0.8)


def test_no_member_is_normal() -> None:
    assert combine(NORMAL, []) == NORMAL


def test_noisy_or_of_two_members() -> None:
    # Each member leaves (0.45/0.9) and (0.3/0.9) of the normal outcome's chance.
    result = combine(NORMAL, [(0.45, 0.55), (0.3, 0.7)])
    assert result[0] == pytest.approx(0.9 * 0.5 * (1 / 3))
    assert sum(result) == pytest.approx(1.0)


def test_noisy_or_spreads_abnormal_mass_by_push() -> None:
    normal = (0.9, 0.05, 0.05)
    result = combine(normal, [(0.1, 0.9, 0.0), (0.9, 0.05, 0.05)])
    # The second member has no push: the result is the first member's effect.
    assert result == pytest.approx((0.1, 0.9, 0.0))


def test_marginalising_a_condition_by_base_rate() -> None:
    latent_effect = (0.2, 0.8)
    result = marginalise(NORMAL, [], [(0.25, latent_effect)])
    assert result == pytest.approx((0.25 * 0.2 + 0.75 * 0.9, 0.25 * 0.8 + 0.75 * 0.1))


def test_floor_makes_nothing_impossible() -> None:
    result = floored((1.0, 0.0), 0.01)
    assert min(result) > 0
    assert sum(result) == pytest.approx(1.0)


def test_normalised_zero_is_uniform() -> None:
    assert normalised([0.0, 0.0]) == (0.5, 0.5)


def test_normal_index_prefers_first_on_ties() -> None:
    assert normal_index((0.4, 0.4, 0.2)) == 0


def test_bayes_update() -> None:
    belief = Belief.from_priors({"a": 0.5, "b": 0.5})
    after = belief.update([0.9, 0.1])
    assert after.p("a") == pytest.approx(0.9)
    assert sum(after.probs) == pytest.approx(1.0)


def test_expected_information_of_a_perfect_test_is_the_entropy() -> None:
    belief = Belief.from_priors({"a": 0.5, "b": 0.5})
    assert belief.expected_information([(1.0, 0.0), (0.0, 1.0)]) == pytest.approx(1.0)
    assert belief.expected_information([(0.5, 0.5), (0.5, 0.5)]) == pytest.approx(0.0)


def test_likelihood_ratio_against_the_rest() -> None:
    belief = Belief.from_priors({"a": 0.5, "b": 0.25, "c": 0.25})
    ratios = belief.likelihood_ratios([0.9, 0.1, 0.1])
    assert ratios[0] == pytest.approx(9.0)
    assert ratios[1] == pytest.approx(0.1 / ((0.5 * 0.9 + 0.25 * 0.1) / 0.75))


def test_entropy_in_bits() -> None:
    assert entropy([0.25] * 4) == pytest.approx(2.0)
    assert entropy([1.0, 0.0]) == 0.0


def test_top_breaks_ties_by_id() -> None:
    belief = Belief.from_priors({"b": 1.0, "a": 1.0, "c": 0.5})
    assert [h for h, _ in belief.top(2)] == ["a", "b"]
    assert math.isclose(sum(p for _, p in belief.top(3)), 1.0)
