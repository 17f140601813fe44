"""How long ``homediag --help`` and ``homediag --version`` take, and whether they import scapy.

Target: ``--help`` within 150 ms (issue 19; issue 2 asked for well under a second). Wall time swings
on a shared machine, so the CPU time of the child (user + system) is printed beside it.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

RUNS = 15


def timed(args: list[str]) -> tuple[list[float], list[float]]:
    walls, cpus = [], []
    for _ in range(RUNS):
        before = os.times()
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "homediag", *args], capture_output=True, check=False)
        walls.append(time.perf_counter() - started)
        after = os.times()
        user = after.children_user - before.children_user
        cpus.append(user + after.children_system - before.children_system)
    return walls, cpus


def main() -> None:
    for args in (["--help"], ["--version"], ["probes", "list", "--format", "json"]):
        samples, cpu = timed(args)
        print(
            f"homediag {' '.join(args):<28} median {statistics.median(samples) * 1000:6.0f} ms"
            f"   max {max(samples) * 1000:6.0f} ms   cpu median {statistics.median(cpu) * 1000:6.0f} ms"
            f"   ({RUNS} runs)"
        )
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys\nfrom homediag.cli.app import main\nsys.argv=['homediag','--help']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('scapy imported:', 'scapy' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    print(probe.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
