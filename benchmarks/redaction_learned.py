"""Redaction with 10 000 learned values of 1 000 characters each (target: under a second).

Device names are learned by the redactor and searched for in every free text of the report, in their
raw, URL-encoded and separator-free forms. This measures:

1. the matcher alone (``homediag.reports.known.KnownValues``): building it from every form of 10 000
   names of 1 000 characters (Latin words with spaces, and CJK), then finding them in a text that
   mentions 2 000 of them;
2. a whole redaction of a report with 10 000 such devices, each named in one finding's explanation.

Run: .venv/bin/python benchmarks/redaction_learned.py
"""

from __future__ import annotations

import dataclasses
import random
import statistics
import time

from homediag.core.model import Device, DeviceKind, Finding, FindingStatus
from homediag.reports.known import KnownValues, fold
from homediag.reports.pseudonyms import _forms
from homediag.reports.redact import redact
from homediag.reports.tokens import TokenStore
from tests.reports.conftest import fixture

COUNT = 10_000
LENGTH = 1_000
WORDS = ["living", "room", "kitchen", "speaker", "Anna", "Müller", "office", "upstairs", "客厅", "电视机"]


def names(seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    out = []
    for i in range(COUNT):
        text = f"{i:05d} "
        while len(text) < LENGTH:
            text += rng.choice(WORDS) + " "
        out.append(text[:LENGTH].rstrip() + "x")
    return out


def timed(label: str, fn, repeat: int = 3) -> object:
    times = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    print(f"{label:58s} median {statistics.median(times):7.3f} s  (min {min(times):.3f})")
    return result


def main() -> None:
    learned = names()
    triples = [(form, f"host-{i}", False) for i, name in enumerate(learned) for form in _forms(name)]
    chars = sum(len(fold(v)) for v, _r, _w in triples)
    print(f"{COUNT} values of {LENGTH} characters: {len(triples)} forms, {chars / 1e6:.1f} M characters")
    known = timed("KnownValues: build from every form", lambda: KnownValues(triples))
    assert isinstance(known, KnownValues)
    text = " | ".join(learned[::5])
    spans = timed(f"KnownValues: find 2000 names in {len(text) / 1e6:.1f} M characters", lambda: known.spans(text))
    assert isinstance(spans, list) and len(spans) == COUNT // 5

    base = fixture("printer-paused")
    devices = tuple(
        Device(id=f"dev-{i:010x}", kind=DeviceKind.MEDIA, names=(name,), mac=f"02:00:5e:{i >> 8:02x}:{i & 255:02x}:01")
        for i, name in enumerate(learned)
    )
    findings = tuple(
        Finding(code="device.unreachable", status=FindingStatus.POSSIBLE, probability=0.2,
                title="A device does not answer", explanation=f"{name} did not answer 3 pings.")
        for name in learned
    )  # fmt: skip
    report = dataclasses.replace(base, devices=devices, findings=findings)
    shared = timed("redact(): report with 10 000 such devices and findings", lambda: redact(report, TokenStore(bytes(32))), 1)
    assert learned[0] not in str(shared)


if __name__ == "__main__":
    main()
