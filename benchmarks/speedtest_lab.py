"""How close ``net.throughput`` comes to the lab's line rate (Linux, root).

Brings up a healthy lab under its own id (``bs``), limits the line with ``tc tbf`` as the ``wan-slow``
fault does (``Lab.set_line_rate``: the ISP's side shapes downloads, the router's WAN uploads), runs the
real probe in the lab's client against the lab's Speedtest Mini server, and prints the measured
download and upload against the rate, every run, beside speedtest-cli's own figure (all bytes over the
whole time, warm-up included) and the latency rise during the download and the upload. Target: every
run within 5 %. The payload rate of TCP over a line limited at the Ethernet frame is at most
1448 / 1514 = 95.6 % of it (timestamps on, 1500 bytes MTU), which the script prints as the ceiling.
The lab is taken down at the end.

    .venv/bin/python benchmarks/speedtest_lab.py [--rate-mbit 20 --rate-mbit 100] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

from benchlab import bench_lab

from homediag.lab.lab import Lab

CEILING = 1448 / 1514
"""TCP payload per Ethernet frame: 1500 bytes MTU less 20 (IP), 32 (TCP with timestamps); 14 of header."""

PROBE = """
import asyncio, json
from homediag.core.config import load_config
from homediag.app.registry import load_registry
from homediag.core.runner import Runner
from homediag.core.session import Session
from homediag.net import speedtest
from homediag.net.live import live_io

def main():
    seen = {}
    original = speedtest.run_speedtest
    def spy(*args, **kwargs):
        result = original(*args, **kwargs)
        seen["cli_down"], seen["cli_up"] = result.cli_download_bps, result.cli_upload_bps
        return result
    speedtest.run_speedtest = spy
    config = load_config()
    runner = Runner(load_registry(config), Session.detect(config=config, speedtest=True), io=live_io())
    asyncio.run(runner.run(["net.throughput"]))
    result = next(r for r in runner.results if r.probe == "net.throughput")
    values = {o.fact: o.value for o in result.observations}
    print(json.dumps({"outcome": result.outcome.value, "reason": result.reason,
                      "duration_s": result.duration_s, "values": values, **seen}, default=str))

if __name__ == "__main__":
    main()
"""


def one_run(lab: Lab) -> dict[str, object]:
    proc = lab.client_exec([sys.executable, "-c", PROBE], timeout=120)
    if proc.returncode != 0:
        raise SystemExit(f"the probe run failed: {proc.stderr[-2000:]}")
    data: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return data


def pct(value: float, rate: float) -> str:
    return f"{100 * (value / rate - 1):+5.1f} %"


def report(rate: float, rows: list[dict[str, object]]) -> bool:
    """Print one rate's runs; whether every run came within 5 %."""
    print(f"net.throughput in the lab, line limited to {rate:g} Mbit/s both ways ({len(rows)} runs); "
          f"TCP payload ceiling {rate * CEILING:.2f} Mbit/s ({pct(rate * CEILING, rate)})")
    downs: list[float] = []
    ups: list[float] = []
    every = True
    for n, row in enumerate(rows, 1):
        values = row["values"]
        assert isinstance(values, dict)
        down, up = values.get("speedtest.download_mbps"), values.get("speedtest.upload_mbps")
        if row["outcome"] != "ok" or not isinstance(down, float) or not isinstance(up, float):
            print(f"  run {n}: {row['outcome']} {row.get('reason') or ''}")
            every = False
            continue
        downs.append(down)
        ups.append(up)
        every = every and all(abs(v / rate - 1) <= 0.05 for v in (down, up))
        cli_down, cli_up = (float(str(row.get(k) or 0)) / 1e6 for k in ("cli_down", "cli_up"))
        print(
            f"  run {n}: down {down:6.2f} ({pct(down, rate)}; speedtest-cli {pct(cli_down, rate)})  "
            f"up {up:6.2f} ({pct(up, rate)}; speedtest-cli {pct(cli_up, rate)})  "
            f"latency idle {values.get('latency.idle_ms')} ms, loaded down "
            f"{values.get('latency.loaded_ms')} / up {values.get('latency.upload_loaded_ms')} ms, "
            f"grade {values.get('latency.grade')}, probe {row['duration_s']} s"
        )
    if downs:
        down, up = statistics.median(downs), statistics.median(ups)
        print(
            f"  median: down {down:.2f} Mbit/s ({pct(down, rate)}), up {up:.2f} Mbit/s ({pct(up, rate)}); "
            f"range down {pct(min(downs), rate)} .. {pct(max(downs), rate)}, "
            f"up {pct(min(ups), rate)} .. {pct(max(ups), rate)}; "
            f"every run within 5 %: {'yes' if every else 'no'}"
        )
    return every


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate-mbit", type=float, action="append", help="repeatable (default: 20 and 100)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rates: list[float] = args.rate_mbit or [20.0, 100.0]
    lab = bench_lab("s")
    lab.down()
    started = time.monotonic()
    lab.up("healthy")
    results: dict[float, list[dict[str, object]]] = {}
    try:
        for rate in rates:
            lab.set_line_rate(rate)
            results[rate] = [one_run(lab) for _ in range(args.runs)]
    finally:
        lab.down()
    for rate in rates:
        report(rate, results[rate])
    print(f"  total {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
