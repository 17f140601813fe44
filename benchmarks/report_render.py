"""How long redaction and each renderer take on a large report, and how much memory they use.

A report of 500 devices, 3 000 observations (with 30-sample latency series and 40 Wi-Fi neighbours)
and 40 findings, redacted with a fresh token store, then rendered as JSON, Markdown, HTML and text.

Run: .venv/bin/python benchmarks/report_render.py
"""

from __future__ import annotations

import dataclasses
import statistics
import time
import tracemalloc
from collections.abc import Callable

from homediag.core.model import (
    Device,
    DeviceKind,
    EvidenceItem,
    Finding,
    FindingStatus,
    Observation,
    Remedy,
    Service,
)
from homediag.reports.document import dump_report
from homediag.reports.redact import redact
from homediag.reports.tokens import TokenStore
from tests.reports.conftest import fixture, render_html, render_markdown, render_text

KINDS = list(DeviceKind)


def big_report() -> object:
    base = fixture("slow-wifi")
    devices = tuple(
        Device(id=f"dev-{i:010x}", ip=f"10.77.{i // 250}.{i % 250 + 2}", mac=f"02:00:5e:{i >> 8:02x}:{i & 255:02x}:01",
               vendor="Example Vendor", kind=KINDS[i % len(KINDS)], names=(f"Device-{i} of Anna", f"host{i}.local"),
               services=(Service(type="_http._tcp", port=80, name=f"Device-{i} of Anna"),))
        for i in range(500)
    )  # fmt: skip
    observations = list(base.observations)
    for i in range(3000 - len(observations)):
        observations.append(Observation(fact="device.rtt_ms", value=float(i % 97), source="devices.ping",
                                        subject=f"device:dev-{i % 500:010x}", unit="ms",
                                        evidence=f"answered from 02:00:5e:00:{i % 256:02x}:01 in {i % 97} ms"))  # fmt: skip
    findings = tuple(
        Finding(code="device.unreachable", status=list(FindingStatus)[i % 6], probability=(i % 10) / 10,
                title=f"Device-{i} of Anna does not answer", explanation="It did not answer 3 pings.",
                evidence=(EvidenceItem(f"no answer from 10.77.0.{i % 250}", likelihood_ratio=5.0),),
                remedies=(Remedy(id="power", title="Switch it off and on"),), subject=f"device:dev-{i:010x}")
        for i in range(40)
    )  # fmt: skip
    return dataclasses.replace(base, devices=devices, observations=tuple(observations), findings=findings)


def measure(name: str, run: Callable[[], object], repeat: int = 5) -> None:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    result = run()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    size = len(result) if isinstance(result, str) else 0
    print(f"{name:<10} median {statistics.median(times) * 1000:8.1f} ms   peak {peak / 1e6:6.1f} MB"
          + (f"   output {size / 1e6:5.2f} MB" if size else ""))  # fmt: skip


def main() -> None:
    report = big_report()
    print("report: 500 devices, 3000 observations, 40 findings")
    measure("redact", lambda: redact(report, TokenStore(bytes(32))))  # type: ignore[arg-type]
    shared = redact(report, TokenStore(bytes(32)))  # type: ignore[arg-type]
    measure("json", lambda: dump_report(shared))
    measure("markdown", lambda: render_markdown(shared))
    measure("html", lambda: render_html(shared))
    measure("text", lambda: render_text(shared))


if __name__ == "__main__":
    main()
