"""Measure ``lab up healthy``, a fault switch and ``lab down`` (Linux, root).

    sudo .venv/bin/python benchmarks/lab_up.py [--rounds 3] [--hosts N]

Uses its own lab id (``bm``) so it never touches another lab.
"""

from __future__ import annotations

import argparse
import statistics
import time

from benchlab import bench_lab


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--hosts", type=int, default=None, help="plain hosts (default: scenario's)")
    args = parser.parse_args()
    lab = bench_lab("m")
    lab.down()
    figures: dict[str, list[float]] = {}
    switches = ["wan-down", "printer-paused", "client-isolation", "dhcp-dead-dns", "upnp-off"]
    for _ in range(args.rounds):
        figures.setdefault("up healthy", []).append(timed(lambda: lab.up("healthy", plain_hosts=args.hosts)))
        for fault in switches:
            figures.setdefault(f"fault add {fault}", []).append(timed(lambda f=fault: lab.fault_add(f)))
            figures.setdefault(f"fault remove {fault}", []).append(timed(lambda f=fault: lab.fault_remove(f)))
        figures.setdefault("down", []).append(timed(lab.down))
    width = max(len(k) for k in figures)
    print(f"lab benchmark: {args.rounds} rounds, plain hosts: {args.hosts or 'scenario default'}")
    for name, values in figures.items():
        print(f"  {name:<{width}}  median {statistics.median(values):6.3f} s   max {max(values):6.3f} s")


if __name__ == "__main__":
    main()
