"""Round trip as a law, over generated reports: hostile strings, every redaction class, empty and large
sections. Whatever homediag writes (the redacted JSON of ``diagnose`` and ``report render -f json``, the
saved copy, the ``--no-redact`` record) every reader accepts: ``report show`` and ``render`` to every
format, ``report diff``, ``diagnose --from``; and redacting it again changes nothing."""

from __future__ import annotations

import asyncio
import dataclasses
import string
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homediag.app.diagnose import replay
from homediag.app.registry import load_registry
from homediag.core.config import Config
from homediag.core.jsonio import loads
from homediag.core.model import (
    Device,
    DeviceEvidence,
    DeviceKind,
    EvidenceItem,
    Finding,
    FindingStatus,
    Observation,
    Outcome,
    ProbeError,
    ProbeRun,
    Question,
    Remedy,
    Report,
    ReportMeta,
    RunContext,
    Service,
)
from homediag.reports.diff import diff_reports
from homediag.reports.document import from_document, load_report, to_document, validation_errors
from homediag.reports.redact import for_output, redact
from homediag.reports.render import Format, render
from homediag.reports.tokens import TokenStore

# Values of every class redaction knows, and strings built to hurt.
IDENTIFIERS = [
    "3c:2a:f4:00:53:99", "3C-2A-F4-00-53-98", "3c2a.f400.5397", "02:00:5e:00:53:01", "203.0.113.77",
    "198.51.100.9:443", "100.64.1.2", "10.77.0.20", "192.168.1.1/24", "fe80::3e2a:f4ff:fe00:5399%eth0",
    "2001:db8::3e2a:f4ff:fe00:5399", "2f402f80-da50-11e1-9b23-3c2af4005399", "anna.mueller@example.org",
    "E78123A4N123456", "9b1e6a3d40f14e7c8a2b5c6d7e8f9a0b", "dev-c0ffee0001", "Annas-iPhone",
    "Anna's MacBook Pro", "iPhone von Anna", "客厅电视", "Kinderzimmer", "Müller WLAN", "lat 52.5200",
    "password: hunter2", "WLAN-Schlüssel: Sommer2024", "mot de passe : secret99", "http://admin:pw@10.0.0.1/",
    "<title>FRITZ!Box of Anna</title>", "serial number: ABC12345", "printer-1", "3c:2a:f4:…mac-2",
    "public-ipv4", "redacted", "ssid-3", "dropped", "客厅里的大电视机" * 7 + "-4K",
]  # fmt: skip
HOSTILE = [
    "", " ", "\x00", "\x1b[31mred\x1b[0m", "\u202eevil\u202c", "\u200b", "\ud800", "{{ x }}", "<script>x</script>",
    "*bold* _it_ `code` # head", "| a | b |", "a" * 300, "²", "ß", "İstanbul", "\n\n", "%s %(x)s {0}",
]  # fmt: skip
TEXT = st.one_of(
    st.sampled_from(IDENTIFIERS),
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.lists(st.sampled_from(IDENTIFIERS + HOSTILE + ["on", "at", "via", ","]), max_size=6).map(" ".join),
)
NAME = st.one_of(st.sampled_from(IDENTIFIERS), st.text(string.ascii_letters + " -'客厅", min_size=1, max_size=20))
JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-(10**6), 10**6), st.floats(-1e6, 1e6), TEXT)
KEYS = st.one_of(
    st.sampled_from(["ssid", "bssid", "mac", "name", "hostname", "domain", "serial", "psk", "lat", "txt", "fn",
                     "note", "ty", "pk", "id", "md", "ip", "public_ip", "channel", "signal_dbm", "friendlyName"]),
    st.text(string.ascii_lowercase + "_", min_size=1, max_size=10),
)  # fmt: skip
JSON = st.recursive(JSON_LEAF, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)), max_leaves=12)  # fmt: skip
CATALOGUE = {fact.name: fact for fact in load_registry(plugins=False).catalogue()}
FACTS = sorted(CATALOGUE)


@st.composite
def observations(draw: st.DrawFn) -> Observation:
    """An observation of a known fact, carrying its privacy class as a live run writes it (or none, as in
    reports written before observations carried it)."""
    fact = draw(st.sampled_from(FACTS))
    return Observation(fact=fact, value=draw(JSON), source="net.test",
                       subject=draw(st.sampled_from(["local", "gateway", "device:dev-1"])), evidence=draw(st.none() | TEXT),
                       sensitive=draw(st.booleans()), privacy=draw(st.sampled_from([CATALOGUE[fact].privacy.value, None])))  # fmt: skip


@st.composite
def devices(draw: st.DrawFn) -> Device:
    number = draw(st.integers(0, 10**6))
    return Device(
        id=draw(st.sampled_from([f"dev-{number:010x}", "printer-1", f"dev-{number}"])),
        ip=draw(st.none() | st.sampled_from(["10.77.0.9", "203.0.113.5", "fe80::1", "2001:db8::3e2a:f4ff:fe00:1"])),
        addresses=tuple(draw(st.lists(st.sampled_from(["10.77.0.9", "198.51.100.1", "fe80::1"]), max_size=3))),
        mac=draw(st.none() | st.sampled_from(["3c:2a:f4:00:53:99", "02:00:5e:00:53:01", "3c:2a:f4:…mac-1"])),
        vendor=draw(st.none() | st.sampled_from(["Apple, Inc.", "Brother Industries, LTD."])),
        kind=draw(st.sampled_from(list(DeviceKind))),
        names=tuple(draw(st.lists(NAME, max_size=3))),
        services=tuple(
            Service(type=draw(st.sampled_from(["_ipp._tcp", "_googlecast._tcp", "tcp/80"])),
                    port=draw(st.none() | st.integers(1, 65535)), name=draw(st.none() | NAME),
                    txt=draw(st.dictionaries(KEYS, TEXT, max_size=4)), url=draw(st.none() | TEXT))
            for _ in range(draw(st.integers(0, 2)))
        ),
        model=draw(st.none() | TEXT),
        evidence=tuple(DeviceEvidence("discovery.mdns", draw(TEXT), draw(TEXT)) for _ in range(draw(st.integers(0, 2)))),
    )  # fmt: skip


@st.composite
def findings(draw: st.DrawFn) -> Finding:
    return Finding(
        code=draw(st.sampled_from(["device.unreachable", "wan.down", "printer.stopped", "unknown"])),
        status=draw(st.sampled_from(list(FindingStatus))),
        probability=draw(st.floats(0, 1)),
        title=draw(TEXT), explanation=draw(TEXT), details=draw(TEXT),
        evidence=tuple(EvidenceItem(draw(TEXT), likelihood_ratio=draw(st.none() | st.floats(0.01, 100)))
                       for _ in range(draw(st.integers(0, 2)))),
        remedies=tuple(Remedy(id="power", title=draw(TEXT), steps=tuple(draw(st.lists(TEXT, max_size=2))))
                       for _ in range(draw(st.integers(0, 1)))),
        subject=draw(st.none() | TEXT),
    )  # fmt: skip


@st.composite
def reports(draw: st.DrawFn) -> Report:
    size = draw(st.sampled_from([0, 3, 3, 3, 40]))  # empty, ordinary, large sections
    return Report(
        run_id="00000000-0000-4000-8000-000000000001", started_at="2026-01-01T10:00:00.000Z",
        finished_at="2026-01-01T10:00:05.000Z", complete=draw(st.booleans()),
        context=RunContext(platform="linux", interface=draw(st.none() | st.sampled_from(["eth0", "wlan0"]))),
        complaint=draw(st.sampled_from([None, "checkup", "printer"])),
        devices=tuple(draw(st.lists(devices(), max_size=size))),
        observations=tuple(
            draw(observations()) for _ in range(draw(st.integers(0, 2 * size)))
        ),
        probe_runs=tuple(
            ProbeRun(probe="net.test", outcome=draw(st.sampled_from(list(Outcome))), duration_s=draw(st.floats(0, 100)),
                     reason=draw(st.none() | TEXT), target=draw(st.none() | TEXT),
                     error=draw(st.none() | st.builds(ProbeError, st.just("OSError"), TEXT)))
            for _ in range(draw(st.integers(0, size)))
        ),
        findings=tuple(draw(st.lists(findings(), max_size=size))),
        trace=tuple({"n": i, "note": draw(TEXT), "extra": draw(JSON)} for i in range(draw(st.integers(0, size)))),
        questions=tuple(Question(id=f"q{i}", text=draw(TEXT), answer=draw(st.none() | st.sampled_from(["yes", "no"])))
                        for i in range(draw(st.integers(0, 2)))),
        meta=ReportMeta(customer=draw(st.none() | TEXT), site=draw(st.none() | TEXT), ticket=draw(st.none() | TEXT),
                        note=draw(st.none() | TEXT)),
        tool_version="0.1.0",
    )  # fmt: skip


PROPERTY = settings(
    max_examples=150, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)  # fmt: skip


def _read_back(text: str, tmp: Path) -> Report:
    path = tmp / "written.json"
    path.write_text(text, encoding="utf-8")
    document = loads(path.read_text(encoding="utf-8"))
    assert validation_errors(document) == []
    return load_report(path)


@PROPERTY
@given(report=reports())
def test_what_homediag_writes_every_reader_accepts(report: Report, tmp_path: Path) -> None:
    shared, warnings = for_output(report, directory=tmp_path / "config")
    assert warnings == []
    again = _read_back(render(shared, Format.JSON), tmp_path)  # diagnose, render -f json, the saved copy
    # report show / render / diff prepare what they read again, as the CLI does (cli/output.prepare)
    shown, _ = for_output(again, directory=tmp_path / "config")
    assert to_document(shown) == to_document(again)  # redacting a redacted report changes nothing
    assert to_document(redact(again, TokenStore(bytes(range(32))))) == to_document(again)  # any store
    for fmt in Format:
        render(shown, fmt, lang="en")
    diff_reports(shown, shown).to_json()
    full, _ = for_output(report, redact_report=False)  # --no-redact
    kept = _read_back(render(full, Format.JSON), tmp_path)
    kept_shown, _ = for_output(kept, redact_report=False)
    for fmt in Format:
        render(kept_shown, fmt, lang="de")
    diff_reports(kept_shown, shown).to_json()


@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])  # fmt: skip
@given(report=reports())
def test_diagnose_from_reads_what_homediag_writes(report: Report, tmp_path: Path) -> None:
    shared, _ = for_output(report, directory=tmp_path / "config")
    stored = _read_back(render(shared, Format.JSON), tmp_path)
    replayed = asyncio.run(
        replay(stored, complaint=None, questioner=None, audience="technician", lang="fr", config=Config())
    )
    rewritten, _ = for_output(dataclasses.replace(replayed, meta=stored.meta), directory=tmp_path / "config")
    assert validation_errors(to_document(rewritten)) == []
    from_document(to_document(rewritten))
