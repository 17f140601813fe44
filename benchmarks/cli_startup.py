"""How long ``homediag --help`` and ``homediag --version`` take, and whether they import scapy.

Target: well under a second for ``--help`` (issue 2).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

RUNS = 15


def timed(args: list[str]) -> list[float]:
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "homediag", *args], capture_output=True, check=False)
        samples.append(time.perf_counter() - started)
    return samples


def main() -> None:
    for args in (["--help"], ["--version"], ["probes", "list", "--format", "json"]):
        samples = timed(args)
        print(
            f"homediag {' '.join(args):<28} median {statistics.median(samples) * 1000:6.0f} ms"
            f"   max {max(samples) * 1000:6.0f} ms   ({RUNS} runs)"
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
