"""How long a full checkup takes, and its peak memory (Linux, root). Targets: ≤ 5 s, ≤ 150 MB.

Brings up a lab under its own id (``$HOMEDIAG_LAB_ID`` + ``c``): the ``healthy`` scenario, another
scenario (``--scenario``), or a home drawn from a seed (``--home perf1.3``, as the accuracy bench
builds it), optionally with faults on (``--fault NAME``, repeatable). Runs ``homediag diagnose
--non-interactive --format json`` (no complaint: the checkup, no speed test) in the lab's client
several times and prints the wall time of the whole command (median), its peak RSS (the process's
own, and its largest child's: the killable parser workers, ping), the slowest probes and what the
checkup found. The lab is taken down at the end.

    sudo HOMEDIAG_LAB_ID=f16 .venv/bin/python benchmarks/checkup_speed.py [--runs 3] [--home SEED]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time

from benchlab import bench_lab

WRAPPER = """
import json, resource, runpy, sys
sys.argv = ["homediag", *sys.argv[1:]]
try:
    runpy.run_module("homediag", run_name="__main__", alter_sys=True)
finally:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    sys.stderr.write("\\nRSS " + json.dumps({"self_kb": own, "child_kb": child}) + "\\n")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scenario", default="healthy")
    parser.add_argument("--home", help="a home seed of the accuracy bench instead of a scenario")
    parser.add_argument("--fault", action="append", default=[], help="a fault to switch on (repeatable)")
    args = parser.parse_args()
    lab = bench_lab("c")
    lab.down()
    if args.home:
        lab.up(home=args.home)
    else:
        lab.up(args.scenario)
    for fault in args.fault:
        lab.fault_add(fault)
    walls: list[float] = []
    rss: list[dict[str, int]] = []
    reports: list[dict[str, object]] = []
    try:
        with tempfile.TemporaryDirectory() as data:
            argv = [sys.executable, "-c", WRAPPER, "diagnose", "--non-interactive", "--format", "json"]
            for _ in range(args.runs):
                started = time.perf_counter()
                proc = lab.client_exec(argv, env={"XDG_DATA_HOME": data}, timeout=120)
                walls.append(time.perf_counter() - started)
                if proc.returncode not in (0, 1, 2):
                    raise SystemExit(f"diagnose failed ({proc.returncode}): {proc.stderr[-2000:]}")
                reports.append(json.loads(proc.stdout))
                line = [x for x in proc.stderr.splitlines() if x.startswith("RSS ")][-1]
                rss.append(json.loads(line[4:]))
    finally:
        lab.down()
    what = f"home {args.home}" if args.home else f"the {args.scenario} lab"
    if args.fault:
        what += " with " + ", ".join(args.fault)
    print(f"checkup on {what}: {args.runs} runs of 'homediag diagnose --non-interactive'")
    median = statistics.median(walls)
    print(f"  wall time: median {median:.2f} s, min {min(walls):.2f} s, max {max(walls):.2f} s")
    own = max(r["self_kb"] for r in rss) / 1024
    child = max(r["child_kb"] for r in rss) / 1024
    print(f"  peak RSS: {own:.0f} MB (homediag), largest child {child:.0f} MB")
    last = reports[-1]
    runs = sorted(last["probe_runs"], key=lambda r: -r["duration_s"])  # type: ignore[index]
    print("  probes of the last run (they run together):")
    for run in runs:
        print(f"    {run['probe']:<26} {run['outcome']:<15} {run['duration_s']:6.2f} s")
    problems = [
        (f["code"], f["status"], f["probability"])
        for f in last["findings"]  # type: ignore[attr-defined]
        if f["status"] in ("confirmed", "likely")
    ]
    print(f"  confirmed or likely problems: {problems or 'none'}")
    print(f"  speed test run: {any(r['probe'] == 'net.throughput' for r in runs)}")


if __name__ == "__main__":
    main()
