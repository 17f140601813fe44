"""How close ``net.throughput`` comes to the lab's line rate (Linux, root).

Brings up a healthy lab under its own id (``bs``), limits the line with ``tc tbf`` as the ``wan-slow``
fault does (``Lab.set_line_rate``: the ISP's side shapes downloads, the router's WAN uploads), runs the
real probe in the lab's client against the lab's Speedtest Mini server, and prints the measured
download and upload against the rate. Target: within 10 %. The lab is taken down at the end.

    .venv/bin/python benchmarks/speedtest_lab.py [--rate-mbit 20] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

from benchlab import bench_lab

from homediag.lab.lab import Lab

PROBE = """
import asyncio, json
from homediag.core.config import load_config
from homediag.app.registry import load_registry
from homediag.core.runner import Runner
from homediag.core.session import Session

def main():
    config = load_config()
    runner = Runner(load_registry(config), Session.detect(config=config, speedtest=True))
    asyncio.run(runner.run(["net.throughput"]))
    result = next(r for r in runner.results if r.probe == "net.throughput")
    values = {o.fact: o.value for o in result.observations}
    print(json.dumps({"outcome": result.outcome.value, "reason": result.reason,
                      "duration_s": result.duration_s, "values": values}, default=str))

if __name__ == "__main__":
    main()
"""


def one_run(lab: Lab) -> dict[str, object]:
    proc = lab.client_exec([sys.executable, "-c", PROBE], timeout=120)
    if proc.returncode != 0:
        raise SystemExit(f"the probe run failed: {proc.stderr[-2000:]}")
    data: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate-mbit", type=float, default=20.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    lab = bench_lab("s")
    lab.down()
    started = time.monotonic()
    lab.up("healthy")
    try:
        lab.set_line_rate(args.rate_mbit)
        rows = [one_run(lab) for _ in range(args.runs)]
    finally:
        lab.down()
    rate = args.rate_mbit
    print(f"net.throughput in the lab, line limited to {rate:g} Mbit/s both ways ({args.runs} runs)")
    downs: list[float] = []
    ups: list[float] = []
    for n, row in enumerate(rows, 1):
        values = row["values"]
        assert isinstance(values, dict)
        down, up = values.get("speedtest.download_mbps"), values.get("speedtest.upload_mbps")
        if row["outcome"] != "ok" or not isinstance(down, float) or not isinstance(up, float):
            print(f"  run {n}: {row['outcome']} {row.get('reason') or ''}")
            continue
        downs.append(down)
        ups.append(up)
        print(
            f"  run {n}: down {down:6.2f} Mbit/s ({100 * (down / args.rate_mbit - 1):+5.1f} %)  "
            f"up {up:6.2f} Mbit/s ({100 * (up / args.rate_mbit - 1):+5.1f} %)  "
            f"latency +{values.get('latency.increase_ms')} ms, grade {values.get('latency.grade')}, "
            f"probe {row['duration_s']} s"
        )
    if downs:
        down, up = statistics.median(downs), statistics.median(ups)
        within = all(abs(v / args.rate_mbit - 1) <= 0.10 for v in (down, up))
        print(
            f"  median: down {down:.2f} Mbit/s ({100 * (down / args.rate_mbit - 1):+.1f} %), "
            f"up {up:.2f} Mbit/s ({100 * (up / args.rate_mbit - 1):+.1f} %): "
            f"{'within' if within else 'outside'} 10 % of {args.rate_mbit:g} Mbit/s"
        )
    print(f"  total {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
