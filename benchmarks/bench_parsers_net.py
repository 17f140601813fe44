"""Speed and memory of the network command parsers: typical, large, and hostile input.

Run: ``.venv/bin/python benchmarks/bench_parsers_net.py [--quick]``

Sizes: the hostile inputs are as large as the parsers accept (``MAX_TEXT_CHARS``).

1. typical: every real output (``../shared/fixtures/real-outputs``) and own fixture, median time
   per parse;
2. large: realistic big tables (a /22 worth of ARP and neighbour entries, 1000 DHCP leases, a
   route table with 2000 rows, ipconfig with 64 adapters);
3. hostile: inputs at the size cap built to hit worst cases (long dot leaders, deep
   brackets, thousands of next hops or wrapped lines, random bytes); time and peak memory.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import statistics
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from homediag.net.errors import ParseError
from homediag.net.os._common import MAX_LINE_CHARS, MAX_TEXT_CHARS
from homediag.net.os.arp_a import parse_arp_a
from homediag.net.os.dhcp_leases import (
    parse_dhclient_leases,
    parse_dnsmasq_leases,
    parse_networkd_lease,
)
from homediag.net.os.ip_addr import parse_ip_addr_json
from homediag.net.os.ip_neigh import parse_ip_neigh
from homediag.net.os.ip_route import parse_ip_route
from homediag.net.os.ipconfig import parse_ipconfig
from homediag.net.os.lpstat import parse_lpstat_v
from homediag.net.os.netstat_rn import parse_netstat_rn
from homediag.net.os.nmcli_dev_show import parse_nmcli_dev_show
from homediag.net.os.resolv_conf import parse_resolv_conf
from homediag.net.os.route_print import parse_route_print
from homediag.net.os.scutil_dns import parse_scutil_dns
from homediag.net.os.windows_printers import (
    parse_get_printer,
    parse_get_printer_port,
)

ROOT = Path(__file__).resolve().parents[1]
Parser = Callable[[str], object]
PARSERS: dict[str, tuple[Parser, list[str]]] = {
    # name: (parser, fixture folders)
    "ip route": (parse_ip_route, ["ip-route"]),
    "ip -j addr": (parse_ip_addr_json, ["ip-j-addr"]),
    "ip neigh": (parse_ip_neigh, ["ip-neigh"]),
    "arp -a": (parse_arp_a, ["arp-a"]),
    "ipconfig /all": (parse_ipconfig, ["ipconfig-all"]),
    "route print": (parse_route_print, ["route-print"]),
    "netstat -rn": (parse_netstat_rn, ["netstat-rn"]),
    "scutil --dns": (parse_scutil_dns, ["scutil-dns"]),
    "nmcli dev show": (parse_nmcli_dev_show, ["nmcli-dev-show"]),
    "lpstat -v": (parse_lpstat_v, ["lpstat-v"]),
    "Get-Printer": (parse_get_printer, []),
    "Get-PrinterPort": (parse_get_printer_port, []),
    "resolv.conf": (parse_resolv_conf, ["resolv-conf"]),
    "dhclient.leases": (parse_dhclient_leases, []),
    "networkd lease": (parse_networkd_lease, []),
    "dnsmasq.leases": (parse_dnsmasq_leases, []),
}
OWN = ROOT / "tests" / "parsers" / "fixtures"
REAL = (ROOT / ".." / "shared" / "fixtures" / "real-outputs").resolve()
EXTRA_OWN = {
    "Get-Printer": OWN / "windows-printers" / "get-printer.txt",
    "Get-PrinterPort": OWN / "windows-printers" / "get-printerport.txt",
    "dhclient.leases": OWN / "dhcp-leases" / "dhclient.leases",
    "networkd lease": OWN / "dhcp-leases" / "networkd-2",
    "dnsmasq.leases": OWN / "dhcp-leases" / "dnsmasq.leases",
}


def run(parser: Parser, text: str) -> tuple[float, int, str]:
    """Seconds (untraced run), peak traced bytes (second, traced run), and outcome of a parse."""
    start = time.perf_counter()
    try:
        parser(text)
        outcome = "ok"
    except ParseError:
        outcome = "ParseError"
    elapsed = time.perf_counter() - start
    tracemalloc.start()
    with contextlib.suppress(ParseError):
        parser(text)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak, outcome


def typical(repeat: int) -> None:
    print(f"\n## typical outputs (median of {repeat} runs per file)\n")
    print(f"{'parser':18} {'files':>5} {'median µs':>10} {'max µs':>9} {'bytes':>8}")
    for name, (parser, folders) in PARSERS.items():
        paths: list[Path] = []
        for folder in folders:
            paths += sorted((OWN / folder).glob("*"))
            paths += sorted((REAL / folder).glob("*.txt")) if REAL.is_dir() else []
        if name in EXTRA_OWN:
            paths.append(EXTRA_OWN[name])
        times: list[float] = []
        sizes: list[int] = []
        for path in paths:
            text = path.read_bytes().decode("utf-8")
            runs = []
            for _ in range(repeat):
                start = time.perf_counter()
                with contextlib.suppress(ParseError):
                    parser(text)
                runs.append(time.perf_counter() - start)
            times.append(statistics.median(runs))
            sizes.append(len(text))
        print(
            f"{name:18} {len(paths):5d} {statistics.median(times) * 1e6:10.0f} "
            f"{max(times) * 1e6:9.0f} {max(sizes):8d}"
        )


def _mac(i: int) -> str:
    return f"02:00:5e:{(i >> 16) & 0xFF:02x}:{(i >> 8) & 0xFF:02x}:{i & 0xFF:02x}"


def _ip(i: int) -> str:
    return f"10.{(i >> 16) & 0xFF}.{(i >> 8) & 0xFF}.{i & 0xFF}"


def large() -> None:
    n = 1024  # a /22
    cases: list[tuple[str, Parser, str]] = [
        (
            "arp -a Linux, 1024 entries",
            parse_arp_a,
            "".join(f"? ({_ip(i)}) at {_mac(i)} [ether] on eth0\n" for i in range(n)),
        ),
        (
            "arp -a Windows, 1024 entries",
            parse_arp_a,
            "Interface: 10.0.0.1 --- 0xb\n  Internet Address  Physical Address  Type\n"
            + "".join(f"  {_ip(i)}  {_mac(i).replace(':', '-')}  dynamic\n" for i in range(n)),
        ),
        (
            "ip neigh, 1024 entries",
            parse_ip_neigh,
            "".join(f"{_ip(i)} dev eth0 lladdr {_mac(i)} REACHABLE\n" for i in range(n)),
        ),
        (
            "ip route, 2000 routes",
            parse_ip_route,
            "".join(
                f"{_ip(i * 256)}/24 via 10.0.0.1 dev eth0 proto static metric {i}\n"
                for i in range(2000)
            ),
        ),
        (
            "route print, 2000 routes",
            parse_route_print,
            "Active Routes:\n"
            + "".join(
                f"  {_ip(i * 256)}  255.255.255.0  10.0.0.1  10.0.0.2  {i}\n" for i in range(2000)
            ),
        ),
        (
            "dnsmasq.leases, 1000 leases",
            parse_dnsmasq_leases,
            "".join(f"1705374765 {_mac(i)} {_ip(i)} host-{i} *\n" for i in range(1000)),
        ),
        (
            "ipconfig /all, 64 adapters",
            parse_ipconfig,
            "Windows IP Configuration\n\n"
            + "".join(
                f"Ethernet adapter E{i}:\n\n"
                f"   Physical Address. . . . : {_mac(i).replace(':', '-')}\n"
                f"   IPv4 Address. . . . . . : {_ip(i)}(Preferred)\n"
                "   Subnet Mask . . . . . . : 255.255.255.0\n"
                "   DNS Servers . . . . . . : 10.0.0.1\n                             10.0.0.2\n\n"
                for i in range(64)
            ),
        ),
    ]
    print("\n## large realistic tables\n")
    print(f"{'case':34} {'ms':>8} {'peak KiB':>9} {'outcome':>10}")
    for name, parser, text in cases:
        elapsed, peak, outcome = run(parser, text)
        print(f"{name:34} {elapsed * 1e3:8.1f} {peak / 1024:9.0f} {outcome:>10}")


def hostile(quick: bool) -> None:
    size = MAX_TEXT_CHARS // (8 if quick else 1) - 1
    rng = random.Random(7)

    def fill(unit: str, prefix: str = "") -> str:
        room = size - len(prefix)
        return prefix + (unit * (room // len(unit) + 1))[:room]

    long_line = MAX_LINE_CHARS - 2
    patterns = {
        "dot leaders": fill("   " + ". " * (long_line // 2 - 4) + "x: 1\n"),
        "colons": fill(":" * long_line + "\n"),
        "open parens": fill("(" * long_line + "\n"),
        "digits and dots": fill(("1." * (long_line // 2)) + "\n"),
        "spaces then word": fill(" " * (long_line - 2) + "x\n"),
        "nexthop lines": fill("\tnexthop via 192.0.2.1 dev eth0\n", "default proto static\n"),
        "wrapped values": fill("   more text here\n", "Name : a\n"),
        "short valid lines": fill("? (192.0.2.1) at 02:00:5e:00:53:01 [ether] on eth0\n"),
        "deep brackets": fill("["),
        "random bytes": bytes(rng.getrandbits(8) for _ in range(size // 8)).decode("latin-1"),
    }
    print(f"\n## hostile input, {size / 2**20:.1f} MiB each (time / peak traced memory)\n")
    header = f"{'parser':18}" + "".join(f" {name[:12]:>14}" for name in patterns)
    print(header)
    worst = (0.0, "", "")
    for name, (parser, _) in PARSERS.items():
        cells = []
        for pattern, text in patterns.items():
            elapsed, peak, _ = run(parser, text)
            cells.append(f"{elapsed:6.2f}s/{peak / 2**20:5.0f}M")
            if elapsed > worst[0]:
                worst = (elapsed, name, pattern)
        print(f"{name:18}" + "".join(f" {cell:>14}" for cell in cells))
    print(f"\nslowest: {worst[1]} on {worst[2]!r}: {worst[0]:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1 MiB hostile inputs, fewer runs")
    args = parser.parse_args()
    typical(repeat=5 if args.quick else 25)
    large()
    hostile(args.quick)


if __name__ == "__main__":
    main()
