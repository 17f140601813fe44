"""Wall time of the LAN-side probes against real daemons in a throwaway namespace LAN (root, Linux).

    sudo .venv/bin/python benchmarks/lanside_probes.py [--devices 20] [--runs 3]

Builds its own namespaces (prefix ``hdt<pid>``: never the root namespace), starts dnsmasq (with its
default ping check, then with ``--no-ping``), a second rogue dnsmasq, miniupnpd and ``--devices`` small SSDP
renderers, runs each probe ``--runs`` times inside the client namespace through the real runner, prints
median durations, and tears everything down.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.netns import Topology, observed, require_binary
    from tests.probes.netns.test_lan_probes_netns import RESPONDER, add_wan

    tmp = Path(tempfile.mkdtemp(prefix="hdt-bench-"))
    lan = Topology().home_lan()
    try:
        router, client = lan.ns("router"), lan.ns("client")

        def dnsmasq(namespace: str, interface: str, first: str, last: str, *extra: str) -> object:
            process = lan.spawn(
                namespace,
                [
                    require_binary("dnsmasq"), "--no-daemon", "--conf-file=/dev/null", "--port=0",
                    f"--interface={interface}", "--bind-interfaces", f"--dhcp-range={first},{last},1h",
                    "--dhcp-option=option:router,192.0.2.1", "--user=root", "--group=root",
                    f"--dhcp-leasefile={tmp / (namespace + '.leases')}", *extra,
                ],
            )
            lan.wait_for_udp_port(namespace, 67)
            return process

        def measure(probe: str, facts: tuple[str, ...], config: dict[str, object] | None = None) -> None:
            durations: list[float] = []
            values: dict[str, list[object]] = {fact: [] for fact in facts}
            for _ in range(args.runs):
                result = lan.run_probes(client, [probe], config=config)[probe]
                durations.append(float(result["duration_s"]))  # type: ignore[arg-type]
                for fact in facts:
                    values[fact].append(observed(result, fact))
            shown = ", ".join(f"{fact}={values[fact]}" for fact in facts)
            print(f"  {probe:18} median {statistics.median(durations):6.2f} s  ({shown})")

        print("DHCP, dnsmasq with its default ping check:")
        first = dnsmasq(router, "br0", "192.0.2.100", "192.0.2.150")
        measure("net.dhcp", ("dhcp.server_count", "dhcp.first_offer_ms"))
        lan.stop(first)  # type: ignore[arg-type]
        print("DHCP, dnsmasq --no-ping, plus a rogue server:")
        dnsmasq(router, "br0", "192.0.2.100", "192.0.2.150", "--no-ping")
        rogue = lan.add_host("rogue", "192.0.2.2/24", "02:00:5e:00:53:02")
        dnsmasq(rogue, "eth0", "192.0.2.200", "192.0.2.220", "--no-ping")
        measure("net.dhcp", ("dhcp.server_count", "dhcp.first_offer_ms"))

        print("ARP probes (a duplicate of the client's address on the LAN):")
        lan.add_host("twin", "192.0.2.10/24", "02:00:5e:00:53:66")
        measure("net.arp_conflict", ("ip.conflict", "gateway.arp_mac_count"))
        lan.remove_host("twin")

        print(f"SSDP with miniupnpd and {args.devices} renderers (MX 3, then MX 1):")
        add_wan(lan, "198.51.100.2/24")
        conf = tmp / "miniupnpd.conf"
        conf.write_text(
            "ext_ifname=wan0\nlistening_ip=br0\nhttp_port=5000\nenable_natpmp=no\nenable_upnp=yes\n"
            "secure_mode=yes\nuuid=00000000-0000-4000-8000-000000000001\n"
            "allow 1024-65535 192.0.2.0/24 1024-65535\ndeny 0-65535 0.0.0.0/0 0-65535\n"
        )
        lan.spawn(router, [require_binary("miniupnpd"), "-d", "-f", str(conf)])
        lan.wait_for_tcp_port(router, 5000)
        for index in range(args.devices):
            address = f"192.0.2.{20 + index}"
            namespace = lan.add_host(f"r{index}", f"{address}/24", f"02:00:5e:00:54:{index:02x}")
            lan.spawn(namespace, [sys.executable, str(RESPONDER), "--address", address, "--kind", "renderer"])
        for index in range(args.devices):
            lan.wait_for_udp_port(lan.ns(f"r{index}"), 1900)
        measure("discovery.ssdp", ("ssdp.responders", "upnp.igd_present"))
        measure(
            "discovery.ssdp", ("ssdp.responders",), config={"probes": {"discovery.ssdp": {"mx": 1}}}
        )
        measure("net.nat", ("nat.wan_class",), config={"internet": {"public_ip_urls": []}})
    finally:
        lan.close()


if __name__ == "__main__":
    main()
