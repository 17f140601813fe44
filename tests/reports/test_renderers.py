"""Renderers: snapshots of every format, hostile device names made inert, languages, schema validity."""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from syrupy.assertion import SnapshotAssertion

from homediag.core.model import (
    Device,
    DeviceKind,
    EvidenceItem,
    Finding,
    FindingStatus,
    Observation,
    Outcome,
    ProbeError,
    ProbeRun,
    Remedy,
    Report,
    ReportMeta,
    RunContext,
    Service,
)
from homediag.reports.document import dump_report, to_document, validation_errors
from homediag.reports.html import CSP
from homediag.reports.redact import redact
from homediag.reports.render import Format, render
from homediag.reports.tokens import TokenStore
from tests.reports.conftest import FIXED_KEY, fixture, render_html, render_markdown, render_text

NAMES = ["printer-paused", "printer-resumed", "slow-wifi", "canary", "checkup-advisories"]

HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "[x](http://evil.example/x)",
    "![](http://beacon.example/t.png)",
    "<a href='http://evil.example'>x</a>",
    "\x1b[2J\x1b[31mred",
    "\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\",
    "bell\x07",
    "\u202egnp.exe",
    "zero\u200bwidth\ufeff",
    "www.evil.example",
    "| table | break |",
    "# heading",
    "`code` *em* _em_ ~~s~~ &lt;",
    "A" * 10240,
]


def hostile_report() -> Report:
    devices = tuple(
        Device(id=f"dev-{i:010x}", ip=f"10.77.0.{i + 10}", mac=f"02:00:5e:00:53:{i:02x}",
               vendor=name, kind=DeviceKind.UNKNOWN, names=(name,), model=name,
               services=(Service(type=name, name=name, txt={name[:40]: name}, url=name),))
        for i, name in enumerate(HOSTILE)
    )  # fmt: skip
    findings = tuple(
        Finding(code="device.unreachable", status=status, probability=0.95 if status.is_problem else 0.005,
                title=name, explanation=name[:1000], details=name[:1000], subject=f"device:dev-{i:010x}",
                evidence=(EvidenceItem(name, test=name),), evidence_against=(EvidenceItem(name),),
                remedies=(Remedy(id="r", title=name, steps=(name,)),), decided_by=name, members=(name,))
        for i, (name, status) in enumerate(zip(HOSTILE, [FindingStatus.CONFIRMED, FindingStatus.RULED_OUT] * 8,
                                               strict=True))
    )  # fmt: skip
    return Report(
        run_id="hostile", started_at="2026-01-01T00:00:00Z", finished_at="2026-01-01T00:00:01Z",
        complete=False, context=RunContext(platform="linux", interface=HOSTILE[0], audience="technician"),
        complaint="checkup", devices=devices,
        observations=tuple(Observation(fact=f"x.{i}", value=name, source=name, subject=name, evidence=name)
                           for i, name in enumerate(HOSTILE))
        + (Observation("wifi.neighbours", [{"ssid": n, "channel": 6, "signal_dbm": -50} for n in HOSTILE],
                       "wifi.neighbours"),),
        probe_runs=tuple(ProbeRun(probe=name, outcome=Outcome.ERROR, duration_s=1.0, reason=name,
                                  error=ProbeError(name, name)) for name in HOSTILE),
        findings=findings,
        trace=tuple({"n": i, "action": name, "test": name, "outcome": name, "note": name}
                    for i, name in enumerate(HOSTILE)),
        meta=ReportMeta(customer=HOSTILE[0], site=HOSTILE[3], ticket=HOSTILE[1], note="\n".join(HOSTILE[:-1])),
    )  # fmt: skip


def redacted(name: str) -> Report:
    return redact(fixture(name), TokenStore(FIXED_KEY))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("fmt", list(Format))
def test_snapshot(name: str, fmt: Format, snapshot: SnapshotAssertion) -> None:
    assert render(redacted(name), fmt, lang="en") == snapshot


@pytest.mark.parametrize("name", ["printer-paused", "slow-wifi", "checkup-advisories"])
@pytest.mark.parametrize("lang", ["de", "fr"])
def test_snapshot_in_other_languages(name: str, lang: str, snapshot: SnapshotAssertion) -> None:
    assert render_markdown(redacted(name), lang) == snapshot


@pytest.mark.parametrize("name", NAMES)
def test_every_report_validates_full_and_redacted(name: str) -> None:
    assert validation_errors(to_document(fixture(name))) == []
    assert validation_errors(to_document(redacted(name))) == []


def test_verdict_and_next_step_come_first() -> None:
    text = render_text(fixture("printer-paused"))
    assert text.index("The printer is paused") < text.index("What is wrong")
    assert "Next step: Resume the printer" in text
    markdown = render_markdown(fixture("printer-paused"))
    first = markdown.splitlines()[:6]
    assert "**Verdict:** The printer is paused" in first
    assert "**Next step:** Resume the printer" in first


def test_ruled_out_causes_say_why() -> None:
    expected = "The printer is off or disconnected — ruled out: It answered on the network."
    for output in (render_text(fixture("printer-paused")), render_markdown(fixture("printer-paused")),
                   render_html(fixture("printer-paused"))):  # fmt: skip
        assert expected in output


def test_html_is_self_contained_with_map_and_charts() -> None:
    from markupsafe import escape

    page = render_html(fixture("slow-wifi"))
    assert f'content="{escape(CSP)}"' in page  # the browser reads &#39; as a quote
    assert "<script" not in page and "http://" not in page and "https://" not in page
    assert page.count("<svg") == 5  # map, latency, round trips, speed, Wi-Fi channels
    assert 'class="hop fault"' in page  # the Wi-Fi hop is marked
    printer_page = render_html(fixture("printer-paused"))
    assert 'class="node fault"' in printer_page  # the paused printer is marked
    assert printer_page.count("<svg") == 3  # no speed test, no Wi-Fi: no such charts


def test_a_report_without_observations_still_renders() -> None:
    bare = dataclasses.replace(fixture("printer-paused"), observations=(), devices=(), trace=())
    for fmt in Format:
        assert render(bare, fmt)
    assert render_html(bare).count("<svg") == 1


def test_languages_translate_the_fixed_texts() -> None:
    report = fixture("printer-resumed")
    assert "Kein Problem bestätigt" in render_html(report, "de")
    assert "Aucun problème confirmé" in render_markdown(report, "fr")
    assert '<html lang="fr">' in render_html(report, "fr")


# --- hostile input ---------------------------------------------------------------------------------

C0_C1 = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _hostile_outputs() -> dict[str, str]:
    report = hostile_report()
    return {
        "html": render_html(report),
        "markdown": render_markdown(report),
        "text": render_text(report),
        "html-redacted": render_html(redact(report, TokenStore(FIXED_KEY))),
        "markdown-redacted": render_markdown(redact(report, TokenStore(FIXED_KEY))),
    }


def test_hostile_names_are_inert_in_html() -> None:
    import html5lib

    for key in ("html", "html-redacted"):
        page = _hostile_outputs()[key]
        tree = html5lib.parse(page, namespaceHTMLElements=False)
        assert tree.findall(".//script") == [] and tree.findall(".//img") == []
        assert tree.findall(".//iframe") == [] and tree.findall(".//a") == []
        for element in tree.iter():
            for attribute, value in element.attrib.items():
                assert not attribute.lower().startswith("on"), attribute
                assert "javascript:" not in value.lower() and "://" not in value
        csp = [m for m in tree.findall(".//meta") if m.get("http-equiv") == "Content-Security-Policy"]
        assert len(csp) == 1 and csp[0].get("content") == CSP


def _tokens(markdown: str) -> list[str]:
    from markdown_it import MarkdownIt

    parser = MarkdownIt("gfm-like")  # tables, strikethrough and GitHub's autolinks (linkify)
    kinds = []
    for token in parser.parse(markdown):
        kinds.append(token.type)
        kinds += [child.type for child in token.children or ()]
    return kinds


def test_hostile_names_are_inert_in_markdown() -> None:
    for key in ("markdown", "markdown-redacted"):
        kinds = set(_tokens(_hostile_outputs()[key]))
        assert not kinds & {"link_open", "image", "html_inline", "html_block"}, key


def test_markdown_checker_does_see_links() -> None:
    assert "link_open" in _tokens("see http://evil.example and [x](http://evil.example)")


def test_hostile_names_are_inert_in_the_terminal() -> None:
    import io

    from rich.console import Console

    from homediag.reports.render import print_report

    text = _hostile_outputs()["text"]
    assert not C0_C1.search(text)
    assert not any(unicodedata.category(ch) == "Cf" for ch in text)  # bidi and zero-width controls
    coloured = io.StringIO()
    print_report(hostile_report(), Console(file=coloured, force_terminal=True, width=120))
    assert "\x1b[2J" not in coloured.getvalue() and "\x1b]8" not in coloured.getvalue() and "\x07" not in coloured.getvalue()


def test_long_names_are_truncated_everywhere() -> None:
    for key, output in _hostile_outputs().items():
        assert "A" * 257 not in output, key


def test_json_of_a_hostile_report_is_strict_and_valid() -> None:
    document = json.loads(dump_report(hostile_report()))
    assert validation_errors(document) == []


# --- any report renders --------------------------------------------------------------------------------

_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
_kinds = st.sampled_from(list(DeviceKind))
_statuses = st.sampled_from(list(FindingStatus))
_values = st.one_of(st.none(), st.booleans(), st.floats(allow_nan=False, allow_infinity=False),
                    st.integers(-10**6, 10**6), _text, st.lists(st.one_of(st.none(), st.floats(0, 500)), max_size=40),
                    st.lists(st.fixed_dictionaries({"ssid": _text, "channel": st.integers(-5, 200),
                                                    "signal_dbm": st.floats(-120, 0)}), max_size=5))  # fmt: skip
_facts = st.sampled_from(["gateway.samples_ms", "gateway.rtt_ms", "speed.download_mbps", "wifi.channel",
                          "wifi.signal_dbm", "wifi.neighbours", "wifi.ssid", "x.unknown", "nat.public_address"])  # fmt: skip


@st.composite
def reports(draw: st.DrawFn) -> Report:
    devices = draw(st.lists(st.builds(Device, id=_text, ip=st.one_of(st.none(), _text), kind=_kinds,
                                      mac=st.one_of(st.none(), _text), names=st.tuples(_text)), max_size=4))  # fmt: skip
    findings = draw(st.lists(st.builds(Finding, code=st.sampled_from(["wan.slow", "printer.offline", "unknown"]),
                                       status=_statuses, probability=st.floats(0, 1), title=_text,
                                       explanation=_text, subject=st.one_of(st.none(), _text),
                                       evidence=st.tuples(st.builds(EvidenceItem, text=_text))), max_size=4))  # fmt: skip
    observations = draw(st.lists(st.builds(Observation, fact=_facts, value=_values, source=_text, subject=_text),
                                 max_size=6))  # fmt: skip
    return Report(run_id="r", started_at="2026-01-01T00:00:00Z", finished_at="2026-01-01T00:00:01Z",
                  complete=draw(st.booleans()), context=RunContext(platform="linux"),
                  devices=tuple(devices), findings=tuple(findings), observations=tuple(observations))  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reports())
def test_any_report_renders_in_every_format_and_redacts(report: Report) -> None:
    shared = redact(report, TokenStore(FIXED_KEY))
    assert validation_errors(to_document(shared)) == []
    for fmt in Format:
        assert render(shared, fmt)
        assert render(report, fmt)
