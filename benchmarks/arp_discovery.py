"""ARP discovery of a /24 with 60 plain hosts: homediag's sweep against arp-scan and ``nmap -sn`` (root).

    sudo .venv/bin/python benchmarks/arp_discovery.py [--rounds 3] [--hosts 60]

Builds the healthy lab with ``--hosts`` plain hosts under its own lab id (``ad``), and runs each tool
inside the lab's client namespace against the LAN 10.77.0.0/24:

- ``discovery.arp`` (raw ARP, one frame per 2 ms, a second round for the silent): the probe's own
  duration and the wall time of the whole command (Python start, imports, interface probe);
- the same probe without CAP_NET_RAW (its fallback: connection attempts and the neighbour table);
- ``arp-scan --localnet --retry 2`` (arp-scan's default pace, 256 kbit/s: about 2 ms per frame);
- ``nmap -sn -n`` (as root on the local subnet nmap sends ARP requests).

Prints, per tool, the median wall time and how many of the expected hosts it found (every device of
the scenario but the client itself).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import sys
import time

from benchlab import bench_lab

from homediag.lab.lab import Lab

SWEEP = """
import asyncio, json, sys, time
from homediag.core.config import load_config
from homediag.app.registry import load_registry
from homediag.core.runner import Runner
from homediag.core.session import Session

async def main():
    cfg = load_config()
    runner = Runner(load_registry(cfg), Session.detect(config=cfg))
    await runner.run(["discovery.arp"])
    result = next(r for r in runner.results if r.probe == "discovery.arp")
    hosts = next(o.value for o in result.observations if o.fact == "arp.hosts")
    ips = [h["ip"] for h in hosts]
    print(json.dumps({"duration": result.duration_s, "ips": ips, "method": result.method}))

if __name__ == "__main__":
    asyncio.run(main())
"""


def timed(lab: Lab, argv: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    proc = lab.client_exec(argv, timeout=120)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{argv[0]} failed: {proc.stderr[-500:]}")
    return elapsed, proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--hosts", type=int, default=60)
    args = parser.parse_args()
    for peer, package in (("arp-scan", "arp-scan"), ("nmap", "nmap")):
        if shutil.which(peer) is None:
            raise SystemExit(f"{peer} is not installed: the comparison needs it (apt install {package})")
    lab = bench_lab("a")
    lab.down()
    lab.up("healthy", plain_hosts=args.hosts)
    try:
        expected = {str(d.ip) for key, d in lab.scenario.present_devices([]).items() if key != "client"}
        figures: dict[str, list[float]] = {}
        found: dict[str, set[str]] = {}
        extra: dict[str, list[float]] = {}
        drop_raw = ["setpriv", "--bounding-set=-net_raw", "--inh-caps=-net_raw"]
        for _ in range(args.rounds):
            for name, argv in (
                ("homediag discovery.arp", [sys.executable, "-c", SWEEP]),
                ("homediag, no raw sockets", [*drop_raw, sys.executable, "-c", SWEEP]),
            ):
                wall, out = timed(lab, argv)
                data = json.loads(out)
                figures.setdefault(name, []).append(wall)
                extra.setdefault(name, []).append(float(data["duration"]))
                found[name] = set(data["ips"])
            wall, out = timed(
                lab, ["arp-scan", "--interface", "eth0", "--localnet", "--retry", "2", "--quiet"]
            )
            figures.setdefault("arp-scan", []).append(wall)
            found["arp-scan"] = set(re.findall(r"^(10\.77\.0\.\d+)\s", out, re.MULTILINE))
            wall, out = timed(lab, ["nmap", "-sn", "-n", "10.77.0.0/24"])
            figures.setdefault("nmap -sn", []).append(wall)
            found["nmap -sn"] = set(re.findall(r"Nmap scan report for (10\.77\.0\.\d+)", out)) - {
                "10.77.0.20"
            }
        print(
            f"ARP discovery of 10.77.0.0/24: {len(expected)} hosts, {args.rounds} rounds (median wall time)"
        )
        width = max(len(k) for k in figures)
        for name, values in figures.items():
            hits = len(found[name] & expected)
            line = f"  {name:<{width}}  {statistics.median(values):6.2f} s   found {hits}/{len(expected)}"
            if name in extra:
                line += f"   (probe itself {statistics.median(extra[name]):.2f} s)"
            missing = sorted(expected - found[name], key=lambda ip: int(ip.rsplit(".", 1)[1]))
            if missing:
                line += f"   missing: {', '.join(missing[:5])}"
            print(line)
        peer = statistics.median(figures["arp-scan"])
        ours = figures["homediag discovery.arp"]
        probe = statistics.median(extra["homediag discovery.arp"])
        print(
            f"  ratio to arp-scan (same run): probe itself {probe / peer:.2f}, "
            f"whole command (Python start and imports included) {statistics.median(ours) / peer:.2f}"
        )
    finally:
        lab.down()


if __name__ == "__main__":
    main()
