"""The simulator behind benchmarks/engine_simulation.py: paired worlds, sane figures."""

from __future__ import annotations

from engine_builders import base_playbook, compile_data

from homediag.engine.catalog import load_playbooks
from homediag.engine.simulate import simulate


def test_same_seed_same_figures() -> None:
    model = compile_data(base_playbook())
    first = simulate(model, episodes=50, seed=3)
    assert first == simulate(model, episodes=50, seed=3)
    assert first != simulate(model, episodes=50, seed=4)


def test_figures_are_in_range_and_fixed_all_runs_every_test() -> None:
    model = compile_data(base_playbook())
    results = {r.policy: r for r in simulate(model, episodes=100, seed=1)}
    assert results["fixed_all"].mean_tests == len(model.tests)
    for result in results.values():
        assert 0.0 <= result.top1_accuracy <= 1.0
        assert 0.0 <= result.resolved <= 1.0
        assert result.mean_total_cost_s >= result.mean_cost_s > 0.0


def test_adaptive_costs_less_than_a_fixed_order_on_no_internet() -> None:
    model = load_playbooks().get("no-internet")
    results = {r.policy: r for r in simulate(model, episodes=200, seed=7)}
    adaptive, fixed = results["adaptive"], results["fixed"]
    assert adaptive.mean_cost_s < fixed.mean_cost_s
    assert adaptive.top1_accuracy >= fixed.top1_accuracy - 0.02
