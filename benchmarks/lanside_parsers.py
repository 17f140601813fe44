"""Speed and memory of the LAN-side parsers on hostile and ordinary input (no network).

    .venv/bin/python benchmarks/lanside_parsers.py

For each UPnP XML input: the median time to refuse or parse it in-process, the Python heap peak while
doing so (tracemalloc), and the time through the killable worker (``run_killable``, what probes use).
Then the SSDP answer collector under a flood, and DHCP/ARP frame dissection rates.

Imports of homediag happen inside ``main()``: the worker's forkserver re-imports the main module in every
child, so a heavy main module would be measured as worker cost.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

LOCATION = "http://192.0.2.1:5000/rootDesc.xml"
FIXTURE = Path(__file__).resolve().parents[1] / "tests/parsers/fixtures/upnp/miniupnpd-2.3.1-rootDesc.xml"


def inputs() -> dict[str, bytes]:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
            for i in range(1, 10)
        )
        + b"]><root><device><friendlyName>&lol9;</friendlyName></device></root>"
    )
    quadratic = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "' + b"A" * 100_000 + b'">]><root><device>'
        b"<friendlyName>" + b"&a;" * 10_000 + b"</friendlyName></device></root>"
    )
    wrap = b'<root xmlns="urn:schemas-upnp-org:device-1-0"><device>%s</device></root>'
    return {
        "miniupnpd rootDesc (real, 4 KB)": FIXTURE.read_bytes(),
        "billion laughs": bomb,
        "quadratic blowup (1 MB)": quadratic,
        "external entity": b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><root>&x;</root>',
        "200 000-deep nesting (1.4 MB)": b"<root>" + b"<a>" * 200_000 + b"</a>" * 200_000 + b"</root>",
        "16 MB flat document": wrap % (b"<x>y</x>" * 2_000_000),
        "50 001 elements (200 KB)": wrap % (b"<x/>" * 50_001),
        "1 MiB document of 40 000 elements": wrap % (b"<friendlyName>abcdefghijklm</friendlyName>" * 24_000),
    }


def timed(fn: Callable[[], object], repeat: int = 5) -> tuple[float, str]:
    from homediag.net.upnp.safe_xml import UpnpXmlError

    times = []
    outcome = ""
    for _ in range(repeat):
        started = time.perf_counter()
        try:
            fn()
            outcome = "parsed"
        except UpnpXmlError as exc:
            outcome = f"refused: {str(exc)[:40]}"
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000.0, outcome


def heap_peak(fn: Callable[[], object]) -> float:
    from homediag.net.upnp.safe_xml import UpnpXmlError

    tracemalloc.start()
    with contextlib.suppress(UpnpXmlError):
        fn()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1024 / 1024


async def worker_ms(data: bytes) -> float:
    from homediag.core.worker import WorkerError, run_killable
    from homediag.net.upnp.description import parse_description

    started = time.perf_counter()
    with contextlib.suppress(WorkerError):
        await run_killable(parse_description, data, LOCATION, timeout_s=10)
    return (time.perf_counter() - started) * 1000.0


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from homediag.net.arp import parse_arp_frame
    from homediag.net.dhcp import parse_dhcp_offer
    from homediag.net.upnp.description import parse_description
    from homediag.net.upnp.ssdp import _Collector
    from tests.parsers.test_arp_frame import arp_payload, frame
    from tests.parsers.test_dhcp_offer import offer_frame

    print(f"{'UPnP description input':40} {'in-process':>11} {'heap peak':>10} {'worker':>9}  outcome")
    for name, data in inputs().items():
        ms, outcome = timed(lambda data=data: parse_description(data, LOCATION))
        peak = heap_peak(lambda data=data: parse_description(data, LOCATION))
        via_worker = statistics.median(asyncio.run(worker_ms(data)) for _ in range(3))
        print(f"{name:40} {ms:9.2f} ms {peak:7.2f} MB {via_worker:6.0f} ms  {outcome}")
    from homediag.net.upnp.safe_xml import parse_capped

    deep = b"<root>" + b"<a>" * 200_000 + b"</a>" * 200_000 + b"</root>"
    ms, outcome = timed(lambda: parse_capped(deep, max_bytes=len(deep)))
    peak = heap_peak(lambda: parse_capped(deep, max_bytes=len(deep)))
    print(f"{'200 000-deep, byte cap lifted':40} {ms:9.2f} ms {peak:7.2f} MB {'':>9}  {outcome}")

    rng = random.Random(1)
    subnet = ipaddress.IPv4Network("192.0.2.0/24")
    answers = [
        (
            f"HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\nUSN: uuid:{i}\r\n"
            f"LOCATION: http://192.0.2.{i % 250 + 2}:{1000 + i}/d.xml\r\nSERVER: x\r\n\r\n"
        ).encode()
        for i in range(20_000)
    ]
    junk = [bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 512))) for _ in range(20_000)]
    collector = _Collector(subnet)
    tracemalloc.start()
    started = time.perf_counter()
    for i in range(20_000):
        collector.add(answers[i], f"192.0.2.{i % 250 + 2}")
        collector.add(junk[i], "192.0.2.3")
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    result = collector.result()
    print(
        f"\nSSDP flood: 40 000 datagrams in {elapsed * 1000:.0f} ms ({40_000 / elapsed:,.0f}/s), heap peak "
        f"{peak / 1024 / 1024:.1f} MB; kept {len(result.responses)} answers, "
        f"{len(result.by_location())} LOCATIONs (cap 256), malformed {result.malformed}"
    )

    offers = [offer_frame(server=f"192.0.2.{i % 200 + 1}") for i in range(2_000)]
    started = time.perf_counter()
    for data in offers:
        parse_dhcp_offer(data)
    per_offer = (time.perf_counter() - started) / len(offers) * 1e6
    arps = [frame(arp_payload(sender_ip=f"192.0.2.{i % 200 + 1}")) for i in range(2_000)]
    started = time.perf_counter()
    for data in arps:
        parse_arp_frame(data)
    per_arp = (time.perf_counter() - started) / len(arps) * 1e6
    print(f"DHCPOFFER dissection (scapy): {per_offer:.0f} µs per frame; ARP: {per_arp:.0f} µs per frame")


if __name__ == "__main__":
    main()
