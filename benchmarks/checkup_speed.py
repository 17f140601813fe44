"""How long a full checkup takes on the healthy lab (Linux, root). Target: under 10 s.

Brings up the healthy lab under its own id (``bc``), runs ``homediag diagnose --non-interactive
--format json`` (no complaint: the checkup, no speed test) in the lab's client several times, and prints
the wall time of the whole command (median), the slowest probes and what the checkup found. The lab is
taken down at the end.

    .venv/bin/python benchmarks/checkup_speed.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time

from homediag.lab.lab import Lab


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scenario", default="healthy")
    args = parser.parse_args()
    lab = Lab("bc")
    lab.down()
    lab.up(args.scenario)
    walls: list[float] = []
    reports: list[dict[str, object]] = []
    try:
        with tempfile.TemporaryDirectory() as data:
            argv = [sys.executable, "-m", "homediag", "diagnose", "--non-interactive", "--format", "json"]
            for _ in range(args.runs):
                started = time.perf_counter()
                proc = lab.client_exec(argv, env={"XDG_DATA_HOME": data}, timeout=120)
                walls.append(time.perf_counter() - started)
                if proc.returncode not in (0, 1, 2):
                    raise SystemExit(f"diagnose failed ({proc.returncode}): {proc.stderr[-2000:]}")
                reports.append(json.loads(proc.stdout))
    finally:
        lab.down()
    print(f"checkup on the {args.scenario} lab: {args.runs} runs of 'homediag diagnose --non-interactive'")
    median = statistics.median(walls)
    print(f"  wall time: median {median:.2f} s, min {min(walls):.2f} s, max {max(walls):.2f} s")
    last = reports[-1]
    runs = sorted(last["probe_runs"], key=lambda r: -r["duration_s"])  # type: ignore[index]
    print("  probes of the last run (they run together):")
    for run in runs:
        print(f"    {run['probe']:<18} {run['outcome']:<15} {run['duration_s']:6.2f} s")
    problems = [
        (f["code"], f["status"], f["probability"])
        for f in last["findings"]  # type: ignore[attr-defined]
        if f["status"] in ("confirmed", "likely")
    ]
    print(f"  confirmed or likely problems: {problems or 'none'}")
    print(f"  speed test run: {any(r['probe'] == 'net.throughput' for r in runs)}")


if __name__ == "__main__":
    main()
