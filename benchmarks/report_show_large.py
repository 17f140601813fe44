"""``homediag report show`` on a report of about 40 MB (target: linear, a few seconds).

The report is what a long watch of a busy network could leave: 850 devices with services and TXT
records, 100 000 observations with evidence text that names devices and addresses, 1 700 probe
runs, 250 findings and 10 000 trace steps. It is written as a full (unredacted) report, as
``--no-redact`` would keep it, so ``report show`` reads, validates, scrubs and redacts all of it.

Prints the file size, the wall time of the command (median of 3, in a subprocess with its own config
and data directories) and the time of each step in-process: reading and validating, redacting,
rendering the summary. With ``--scale F`` the report is F times as large (linearity check).

Run: .venv/bin/python benchmarks/report_show_large.py [--scale 0.5]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from homediag.core.model import (
    Device,
    DeviceKind,
    EvidenceItem,
    Finding,
    FindingStatus,
    Observation,
    Outcome,
    ProbeRun,
    Remedy,
    Report,
    Service,
)
from homediag.reports.document import dump_report, load_report
from homediag.reports.redact import redact
from homediag.reports.tokens import TokenStore
from tests.reports.conftest import fixture, render_text

KINDS = list(DeviceKind)


def big_report(scale: float = 1.0) -> Report:
    base = fixture("slow-wifi")
    n_devices = int(850 * scale)
    devices = tuple(
        Device(id=f"dev-{i:010x}", ip=f"10.77.{i // 250}.{i % 250 + 2}", addresses=(f"10.77.{i // 250}.{i % 250 + 2}",),
               mac=f"3c:2a:f4:{i >> 8:02x}:{i & 255:02x}:01", vendor="Brother Industries, LTD.",
               kind=KINDS[i % len(KINDS)], names=(f"Device {i} of Anna Müller", f"host{i}.local"),
               services=(Service(type="_ipp._tcp", port=631, name=f"Device {i} of Anna Müller", source="discovery.mdns",
                                 txt={"ty": f"Printer model {i}", "note": f"Room {i}", "rp": "ipp/print",
                                      "UUID": f"2f402f80-da50-11e1-9b23-{i:012x}"}),))
        for i in range(n_devices)
    )  # fmt: skip
    observations = list(base.observations)
    for i in range(int(100_000 * scale)):
        device = i % n_devices
        observations.append(Observation(
            fact="device.rtt_ms", value=float(i % 97), source="devices.ping", subject=f"device:dev-{device:010x}",
            unit="ms", time="2026-03-14T09:30:00.000Z",
            evidence=f"Device {device} of Anna Müller answered from 10.77.0.{device % 250} "
                     f"(3c:2a:f4:00:{device & 255:02x}:01) in {i % 97} ms after a retry via host{device}.local"))  # fmt: skip
    runs = tuple(ProbeRun("devices.ping", Outcome.OK, 0.5, target=f"dev-{i % n_devices:010x}",
                          reason=f"pinged host{i % n_devices}.local") for i in range(int(1700 * scale)))  # fmt: skip
    findings = tuple(
        Finding(code="device.unreachable", status=list(FindingStatus)[i % 6], probability=(i % 10) / 10,
                title=f"Device {i} of Anna Müller does not answer",
                explanation="It did not answer 3 pings; it was last seen at 10.77.0.9 on Anna Müller WLAN.",
                evidence=tuple(EvidenceItem(f"no answer from 10.77.0.{j % 250} (host{j}.local)", likelihood_ratio=5.0)
                               for j in range(5)),
                remedies=(Remedy(id="power", title="Switch it off and on", steps=("Unplug it.", "Wait 10 s.")),),
                subject=f"device:dev-{i % n_devices:010x}")
        for i in range(int(250 * scale))
    )  # fmt: skip
    trace = tuple(
        {"n": i, "action": "probe", "test": f"device_ping_{i % 50}", "outcome": "answered",
         "note": f"pinged Device {i % n_devices} of Anna Müller at 10.77.0.{i % 250}", "posterior": {"a": 0.5, "b": 0.5}}
        for i in range(int(10_000 * scale))
    )  # fmt: skip
    return dataclasses.replace(base, devices=devices, observations=tuple(observations), probe_runs=runs,
                               findings=findings, trace=trace)  # fmt: skip


def step(label: str, fn):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = fn()
    print(f"  {label:34s} {time.perf_counter() - started:7.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "large.json"
        path.write_text(dump_report(big_report(args.scale)), encoding="utf-8")
        print(f"report: {path.stat().st_size / 1e6:.1f} MB")
        env = {**os.environ, "HOME": tmp, "XDG_CONFIG_HOME": f"{tmp}/config", "XDG_DATA_HOME": f"{tmp}/data",
               "HOMEDIAG_DISABLE_PLUGIN_AUTOLOAD": "1", "COLUMNS": "100"}  # fmt: skip
        env.pop("HOMEDIAG_CONFIG_DIR", None)
        times = []
        for _ in range(3):
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "homediag", "report", "show", str(path), "--lang", "en"],
                                  env=env, capture_output=True, text=True, timeout=600)  # fmt: skip
            times.append(time.perf_counter() - started)
            assert done.returncode == 0, done.stderr
        print(f"homediag report show: median {statistics.median(times):.2f} s (min {min(times):.2f}) of 3")
        print("in-process:")
        report = step("read and validate", lambda: load_report(path))
        shared = step("redact (scrub, learn, sweep)", lambda: redact(report, TokenStore(bytes(32))))
        step("render the summary", lambda: render_text(shared))


if __name__ == "__main__":
    main()
