"""Speed benchmark: diagnosing from 500 stored observations across all playbooks.

    .venv/bin/python benchmarks/engine_speed.py [--repeat 20]

Builds a report-sized set of 500 observations (every fact the playbooks read, several resolvers and
devices as extra subjects, and filler facts no test reads), then diagnoses every complaint (the
checkup included) from them without questions, as ``homediag diagnose --from`` would. Prints the
time to load and validate the playbooks (once per run) and the time of the diagnoses (all playbooks
together, median and worst of the repeats). The target: well under 100 ms for the diagnoses.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from homediag.core.model import Observation
from homediag.engine.catalog import load_playbooks
from homediag.engine.diagnose import StoredFacts, diagnose

VALUES = {
    "interface.up": True,
    "interface.kind": "wireless",
    "interface.has_ipv4": True,
    "interface.apipa": False,
    "gateway.ipv4": "192.0.2.1",
    "dns.resolvers": ["192.0.2.1", "198.51.100.53"],
    "gateway.reachable": True,
    "gateway.loss_pct": 3.3,
    "gateway.jitter_ms": 4.0,
    "gateway.rtt_ms": 2.1,
    "dns.any_ok": True,
    "dns.best_latency_ms": 620.0,
    "speedtest.download_mbps": 42.0,
    "speedtest.upload_mbps": 8.0,
    "bufferbloat.increase_ms": 35.0,
    "internet.loss_pct": 0.0,
    "internet.jitter_ms": 6.0,
    "internet.udp_ok": True,
    "path.mtu_blackhole": False,
    "ipv6.internet_ok": True,
    "wifi.signal_dbm": -74.0,
    "wifi.channel_congestion": 0.7,
    "wifi.security": "wpa2",
    "wifi.link_rate_ratio": 0.5,
    "arp.duplicate_ip": False,
    "dhcp.servers": ["192.0.2.1"],
    "nat.wan_class": "public",
    "upnp.igd_present": True,
    "printer.found_mdns": True,
    "printer.reachable": True,
    "printer.state": "idle",
    "printer.state_reasons": ["none"],
    "printer.queue_address_ok": True,
    "cast.devices": [{"name": "tv-1"}],
    "device.reachable": True,
    "lan.peers_reachable": True,
    "smarthome.hubs": [{"name": "hub-1"}],
    "security.mqtt_anonymous": False,
    "security.telnet_open": [],
    "security.admin_http": [],
    "dns.nxdomain_hijacked": False,
}


def observations(count: int = 500) -> list[Observation]:
    """``count`` observations: every fact above once, then per-subject and filler observations."""
    result = [Observation(fact, value, "bench") for fact, value in VALUES.items()]
    i = 0
    while len(result) < count:
        i += 1
        subject = f"resolver:198.51.100.{i % 250 + 1}"
        result.append(Observation("dns.resolver_ok", i % 7 != 0, "net.dns", subject=subject))
        result.append(Observation("dns.latency_ms", 20.0 + i, "net.dns", subject=subject))
        result.append(
            Observation("device.reachable", i % 5 != 0, "devices.ping", subject=f"device:{i}")
        )
        result.append(
            Observation(
                "gateway.samples_ms", [1.0 + (i % 3)] * 30, "net.gateway", subject=f"target:{i}"
            )
        )
    return result[:count]


async def diagnose_all(playbooks, facts) -> int:
    findings = 0
    for complaint in playbooks.complaints():
        for audience in ("technician", "customer"):
            result = await diagnose(
                complaint, facts=facts, questioner=None, playbooks=playbooks, audience=audience
            )
            findings += len(result.findings)
    return findings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    started = time.perf_counter()
    playbooks = load_playbooks()
    load_ms = (time.perf_counter() - started) * 1000
    obs = observations()
    facts = StoredFacts(obs)
    asyncio.run(diagnose_all(playbooks, facts))  # warm caches (compiled CEL, likelihoods)
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        findings = asyncio.run(diagnose_all(playbooks, facts))
        times.append((time.perf_counter() - t0) * 1000)
    runs = len(playbooks.complaints()) * 2
    first_t0 = time.perf_counter()
    fresh = load_playbooks()
    asyncio.run(diagnose_all(fresh, StoredFacts(obs)))
    cold_ms = (time.perf_counter() - first_t0) * 1000
    print(
        f"observations: {len(obs)}; playbooks: {len(playbooks.playbooks)}; "
        f"diagnoses per round: {runs} (every complaint, technician and customer); "
        f"findings per round: {findings}"
    )
    print(f"load + validate playbooks: {load_ms:.1f} ms")
    print(
        f"all diagnoses, warm: median {statistics.median(times):.1f} ms, "
        f"worst {max(times):.1f} ms over {args.repeat} rounds "
        f"({statistics.median(times) / runs:.2f} ms per diagnosis)"
    )
    print(f"cold (load + all diagnoses with fresh caches): {cold_ms:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
