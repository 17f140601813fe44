"""``lab selftest`` on drawn homes (root, Linux): every fault that applies to each home, proven with
standard tools from the client (ping, dig, curl, avahi-browse, ipptool, arping...).

    sudo HOMEDIAG_LAB_ID=h12 .venv/bin/python benchmarks/lab_selftest_homes.py --homes 12 --seed st

Builds the homes of seeds ``<seed>1`` .. ``<seed>N`` one after another in the lab ``$HOMEDIAG_LAB_ID``
(default ``hd``), runs the whole self-test on each, prints each failing check, and how many homes passed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from homediag.lab.lab import Lab
from homediag.lab.selftest import FaultResult, run_selftest


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--homes", type=int, default=12)
    parser.add_argument("--seed", default="st")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("lab_selftest_homes: needs root (the lab builds network namespaces)", file=sys.stderr)
        return 2
    lab = Lab()
    passed = 0
    for index in range(1, args.homes + 1):
        seed = f"{args.seed}{index}"
        failures: list[str] = []

        def collect(result: FaultResult, failures: list[str] = failures) -> None:
            failures += [f"{result.fault}: {c.what} ({c.detail})" for c in result.checks if not c.passed]

        start = time.monotonic()
        lab.down()
        try:
            lab.up(home=seed)
            result = run_selftest(lab, progress=collect)
        finally:
            lab.down()
        passed += result.passed
        verdict = "PASS" if result.passed else "FAIL"
        print(
            f"home {seed}: {verdict}, {len(result.results) - 1} faults, {time.monotonic() - start:.0f} s",
            flush=True,
        )
        for line in failures:
            print(f"    {line}", flush=True)
    print(f"{passed}/{args.homes} homes passed the self-test")
    return 0 if passed == args.homes else 1


if __name__ == "__main__":
    sys.exit(main())
