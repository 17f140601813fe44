"""Simulation benchmark: adaptive test selection against a fixed order, on the playbooks' models.

    .venv/bin/python benchmarks/engine_simulation.py [--episodes 400] [--seed 7]

For every playbook (drafts included: their models exist even where their probes do not yet), samples
faults from the priors and test outcomes from the likelihoods, and runs three policies on the same
sampled worlds (see homediag/engine/simulate.py): adaptive (what the engine does), fixed (declared
order, same stopping threshold) and fixed_all (every test).

Identify mode (technician): mean test cost and top-1 accuracy; the gate is that adaptive costs less
than the fixed order at no loss of accuracy (2 points of sampling slack). Repair mode (customer):
total cost of tests plus remedies until the fault is fixed (or escalation), and the share resolved,
reported but not gated; repair mode stops testing once repairing is cheaper, so its top-1 accuracy
is lower by design. Exit status 1 when the identify-mode gate fails.
"""

from __future__ import annotations

import argparse
import time

from homediag.engine.catalog import load_playbooks
from homediag.engine.simulate import simulate

ACCURACY_SLACK = 0.02


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    playbooks = load_playbooks()
    started = time.perf_counter()
    header = (
        f"{'playbook':<20} {'mode':<9} {'policy':<10} {'tests s':>8} {'top-1':>6} "
        f"{'tests':>6} {'total s':>8} {'fixed':>6}"
    )
    print(header)
    print("-" * len(header))
    gate: list[tuple[str, str, float, float, bool | None]] = []
    totals: dict[tuple[str, str], list[float]] = {}
    for model in playbooks.playbooks:
        if model.spec.includes:
            continue  # the checkup runs other playbooks; it has no model of its own to sample
        for mode, audience in (("identify", "technician"), ("repair", "customer")):
            results = simulate(
                model, mode=mode, audience=audience, episodes=args.episodes, seed=args.seed
            )
            by_policy = {r.policy: r for r in results}
            for r in results:
                print(
                    f"{r.playbook:<20} {r.mode:<9} {r.policy:<10} {r.mean_cost_s:>8.1f} "
                    f"{r.top1_accuracy:>6.3f} {r.mean_tests:>6.2f} {r.mean_total_cost_s:>8.1f} "
                    f"{r.resolved:>6.3f}"
                )
                acc = totals.setdefault((mode, r.policy), [0.0, 0.0, 0.0, 0.0, 0.0])
                acc[0] += r.mean_cost_s
                acc[1] += r.top1_accuracy
                acc[2] += r.mean_total_cost_s
                acc[3] += r.resolved
                acc[4] += 1
            adaptive, fixed = by_policy["adaptive"], by_policy["fixed"]
            if mode == "identify":
                ok = (
                    adaptive.mean_cost_s < fixed.mean_cost_s
                    and adaptive.top1_accuracy >= fixed.top1_accuracy - ACCURACY_SLACK
                )
                gate.append(
                    (
                        model.id,
                        mode,
                        1 - adaptive.mean_cost_s / fixed.mean_cost_s,
                        adaptive.top1_accuracy - fixed.top1_accuracy,
                        ok,
                    )
                )
            else:
                # Reported, not gated: total costs vary a lot between episodes, so differences of
                # a few percent are within sampling noise at a few hundred episodes.
                gate.append(
                    (
                        model.id,
                        mode,
                        1 - adaptive.mean_total_cost_s / fixed.mean_total_cost_s,
                        adaptive.resolved - fixed.resolved,
                        None,
                    )
                )
    print()
    print("Averages over playbooks: tests s, top-1, total s, fixed without escalation")
    for (mode, policy), (cost, accuracy, total, resolved, n) in sorted(totals.items()):
        print(
            f"  {mode:<9} {policy:<10} {cost / n:>8.1f} {accuracy / n:>7.3f} "
            f"{total / n:>8.1f} {resolved / n:>6.3f}"
        )
    print()
    print(
        "adaptive vs fixed order (identify: test cost saved, top-1 difference;"
        " repair: total cost saved, resolved difference)"
    )
    all_ok = True
    for playbook, mode, saved, diff, ok in gate:
        all_ok = all_ok and ok is not False
        verdict = "" if ok is None else ("ok" if ok else "WORSE")
        print(f"  {playbook:<20} {mode:<9} {saved:>6.1%} {diff:>+7.3f}  {verdict}")
    print(
        f"\n{args.episodes} episodes per playbook and mode, seed {args.seed}, "
        f"{time.perf_counter() - started:.1f} s"
    )
    return 0 if all_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
