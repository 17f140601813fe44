"""How close ``net.throughput`` comes to a known line rate.

Builds client ↔ router ↔ server network namespaces, limits the router's two links to 20 Mbit/s with
``tc tbf`` (so download and upload are both shaped), serves a Speedtest Mini compatible server
(``benchmarks/speedtest_mini.py``, which also answers ``www.speedtest.net/speedtest-config.php`` through
a hosts entry in the client namespace), runs the real probe in the client namespace and prints the
measured download and upload against 20 Mbit/s. Target: within 10 %.

Needs root (network namespaces); everything it builds is deleted at the end. Run::

    .venv/bin/python benchmarks/speedtest_accuracy.py [--rate-mbit 20] [--runs 3] [--test-length 10]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.netns import Topology, run_probe_in  # noqa: E402

MINI = ROOT / "benchmarks" / "speedtest_mini.py"


def shape(topo: Topology, ns: str, ifname: str, rate_mbit: float) -> None:
    """A token bucket on the interface's egress: ``rate_mbit``, a 64 KiB bucket, 100 ms of queue."""
    topo.run(ns, ["tc", "qdisc", "add", "dev", ifname, "root", "tbf", "rate", f"{rate_mbit}mbit",
                  "burst", "64kb", "latency", "100ms"])


def one_run(rate_mbit: float, test_length: int) -> dict[str, object]:
    with Topology() as topo:
        client, router, server = topo.ns("c"), topo.ns("r"), topo.ns("s")
        _c_if, r_client_if = topo.link(client, router, ["198.51.100.2/24"], ["198.51.100.1/24"])
        r_server_if, _s_if = topo.link(router, server, ["203.0.113.1/24"], ["203.0.113.80/24"])
        topo.run(router, ["sysctl", "-qw", "net.ipv4.ip_forward=1"])
        topo.run(client, ["ip", "route", "add", "default", "via", "198.51.100.1"])
        topo.run(server, ["ip", "route", "add", "default", "via", "203.0.113.1"])
        shape(topo, router, r_client_if, rate_mbit)  # download direction
        shape(topo, router, r_server_if, rate_mbit)  # upload direction
        topo.etc_file(client, "hosts", "127.0.0.1 localhost\n203.0.113.80 www.speedtest.net\n")
        topo.spawn(server, [sys.executable, str(MINI), "--port", "80", "--test-length", str(test_length)])
        for _ in range(50):
            if ":80" in topo.run(server, ["ss", "-ltn", "sport = :80"]).stdout:
                break
            time.sleep(0.1)
        config = json.dumps(
            {"internet": {"ping_targets": ["203.0.113.80"]}, "speedtest": {"server": "http://203.0.113.80/"}}
        )
        started = time.monotonic()
        result = run_probe_in(topo, client, "homediag.probes.net.throughput:ThroughputProbe", config=config)
        result["elapsed_s"] = round(time.monotonic() - started, 1)
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description="net.throughput against a 20 Mbit/s shaped path")
    parser.add_argument("--rate-mbit", type=float, default=20.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--test-length", type=int, default=10, help="seconds of download and of upload")
    options = parser.parse_args()
    downs: list[float] = []
    ups: list[float] = []
    for index in range(options.runs):
        result = one_run(options.rate_mbit, options.test_length)
        values = result["values"]
        assert isinstance(values, dict)
        if result["outcome"] != "ok":
            print(f"run {index + 1}: {result['outcome']}: {result['reason']}")
            continue
        down = float(values[("speedtest.download_mbps", "local")])
        up = float(values[("speedtest.upload_mbps", "local")])
        downs.append(down)
        ups.append(up)
        idle, loaded = values[("latency.idle_ms", "local")], values[("latency.loaded_ms", "local")]
        print(
            f"run {index + 1}: download {down:6.2f} Mbit/s ({(down / options.rate_mbit - 1) * 100:+5.1f} %)"
            f"   upload {up:6.2f} Mbit/s ({(up / options.rate_mbit - 1) * 100:+5.1f} %)"
            f"   idle {idle} ms, loaded {loaded} ms, grade {values[('latency.grade', 'local')]}"
            f"   ({result['elapsed_s']} s)"
        )
    if downs:
        down, up = statistics.median(downs), statistics.median(ups)
        worst = max(abs(d / options.rate_mbit - 1) for d in downs + ups) * 100
        print(
            f"median of {len(downs)} runs: download {down:.2f}, upload {up:.2f} Mbit/s against "
            f"{options.rate_mbit:g} Mbit/s; worst deviation {worst:.1f} % (target: within 10 %)"
        )


if __name__ == "__main__":
    main()
