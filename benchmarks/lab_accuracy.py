"""Accuracy of homediag over drawn homes (root, Linux): ``homediag lab bench`` with a fixed seed.

Draws ``--trials`` (home, faults) pairs from ``--seed`` (defaults: 60 trials of seed ``bench1``): a
healthy home in about one trial of six, one fault in half of them, a declared pair otherwise. Each home
is built in the lab (id ``$HOMEDIAG_LAB_ID`` + ``b``, default ``hdb``), scanned while healthy, then its
faults are switched on and ``homediag diagnose`` runs with the customer's complaint and as a checkup.
Prints single-fault and pair accuracy, healthy false alarms, per-fault and per-feature tables, the scan
scores and the time per trial; writes the whole result as JSON (``--output``, default
``benchmarks/results/lab_accuracy-<seed>.json``). A figure, never a pass/fail test.

    sudo HOMEDIAG_LAB_ID=h12 .venv/bin/python benchmarks/lab_accuracy.py --trials 60 --seed bench1
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from homediag.lab.bench import bench_lab_id, run_bench
from homediag.lab.names import lab_id_from_env

HERE = Path(__file__).resolve().parent


def compact_json(data: dict) -> str:
    """The result with its summary indented and one line per trial (small, and diffs by trial)."""
    head = json.dumps({k: v for k, v in data.items() if k != "trials"}, indent=1, ensure_ascii=False)
    trials = ",\n".join(" " + json.dumps(t, ensure_ascii=False) for t in data["trials"])
    return head[:-2] + ',\n "trials": [\n' + trials + "\n ]\n}\n"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trials", type=int, default=60)
    parser.add_argument("--seed", default="bench1")
    parser.add_argument("--complaint", choices=("auto", "checkup"), default="auto")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("lab_accuracy: needs root (the lab builds network namespaces)", file=sys.stderr)
        return 2
    output = args.output or HERE / "results" / f"lab_accuracy-{args.seed}.json"

    def show(result):
        faults = "+".join(result.plan.faults) or "healthy"
        runs = " ".join(f"{r.complaint}:{'ok' if r.ok else 'FAIL'}" for r in result.runs)
        print(
            f"#{result.plan.index:3d} {result.plan.home_seed:>12} {faults:36} {runs} {result.seconds:5.0f} s"
            + (f" ERROR {result.error}" if result.error else ""),
            flush=True,
        )

    result = run_bench(
        args.seed,
        args.trials,
        lab_id=bench_lab_id(lab_id_from_env()),
        complaint_mode=args.complaint,
        progress=show,
    )
    data = result.to_json()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(compact_json(data), encoding="utf-8")
    summary = data["summary"]
    print()
    for key in (
        "accuracy",
        "accuracy_by_kind",
        "trials_by_kind",
        "healthy_false_alarms",
        "seconds_per_trial",
        "scan",
        "rebuilt",
    ):
        print(f"{key}: {json.dumps(summary[key], ensure_ascii=False)}")
    for key in ("per_fault", "per_pair", "per_feature"):
        print(f"\n{key}:")
        for name, cell in summary[key].items():
            print(f"  {name:45} {cell['ok']:3d}/{cell['n']:<3d}")
    print(f"\nfalse alarms by code: {summary['false_alarm_codes']}")
    print(f"missed by code: {summary['missed_codes']}")
    if summary["errors"]:
        print(f"errors: {summary['errors']}")
    print(f"\nwritten: {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
