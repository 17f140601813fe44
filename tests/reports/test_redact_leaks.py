"""Identifiers that used to leak through redaction: TXT values, long hex ids, one-word and CJK names,
the DHCP domain, the speed-test server. Each is planted where real runs carry it."""

from __future__ import annotations

import dataclasses
import json

import pytest

from homediag.core.model import (
    Device,
    DeviceKind,
    EvidenceItem,
    Finding,
    FindingStatus,
    Observation,
    Remedy,
    Report,
    Service,
)
from homediag.reports.document import dump_report
from homediag.reports.redact import redact
from homediag.reports.tokens import TokenStore
from tests.reports.conftest import fixture, render_html, render_markdown, render_text

CAST_FN = "Wohnzimmer Fernseher"
CAST_ID = "9b1e6a3d40f14e7c8a2b5c6d7e8f9a0b"  # 32 hex: a cast device id
PRINTER_NOTE = "Büro 2. OG links"
PRINTER_TY = "Brother HL-L2350DW series"
AIRPLAY_PK = "b07e5c2fa9d84d41e6b1c0ffee5a7d3e9f2c4b6a8d0e1f3a5c7e9b1d3f5a7c9e"  # 64 hex
AIRPLAY_ID = "3C:2A:F4:00:53:77"
ONE_WORD = "Kinderzimmer"
CJK = "客厅电视"
DHCP_DOMAIN = "mueller-family.example"
SPONSOR = "Stadtwerke Musterstadt"
CITY = "Musterstadt"
SERVER = f"{SPONSOR} ({CITY}) speedtest.stadtwerke-musterstadt.example:8080"
LONG_HEX = "4f9d2c7a1b3e5f60718293a4b5c6d7e8f90112233445566778899aabbccddeeff00"  # 66 hex

PLANTED = [CAST_FN, CAST_ID, PRINTER_NOTE, PRINTER_TY, AIRPLAY_PK, "3c:2a:f4:00:53:77", ONE_WORD, CJK,
           DHCP_DOMAIN, SPONSOR, CITY, LONG_HEX]  # fmt: skip


def leaky_report() -> Report:
    base = fixture("printer-paused")
    cast = Device(
        id="dev-c0ffee00a1", ip="10.77.0.30", kind=DeviceKind.MEDIA, names=(ONE_WORD,),
        services=(Service(type="_googlecast._tcp", port=8009, name=f"Chromecast-{CAST_ID}",
                          txt={"fn": CAST_FN, "id": CAST_ID, "md": "Chromecast", "ve": "05"}),
                  Service(type="_airplay._tcp", port=7000, name=ONE_WORD,
                          txt={"pk": AIRPLAY_PK, "deviceid": AIRPLAY_ID, "model": "AppleTV6,2"})),
    )  # fmt: skip
    tv = Device(id="dev-c0ffee00a2", ip="10.77.0.31", kind=DeviceKind.MEDIA, names=(CJK,))
    printer = Device(
        id="dev-c0ffee00a3", ip="10.77.0.20", kind=DeviceKind.PRINTER, names=("BRN3C2AF4005320",),
        services=(Service(type="_ipp._tcp", port=631, name="BRN3C2AF4005320",
                          txt={"ty": PRINTER_TY, "note": PRINTER_NOTE, "rp": "ipp/print"}),),
    )  # fmt: skip
    observations = (
        *base.observations,
        Observation(fact="mdns.services", source="discovery.mdns", value=[
            {"type": "_googlecast._tcp", "name": f"Chromecast-{CAST_ID}", "ip": "10.77.0.30",
             "txt": {"fn": CAST_FN, "id": CAST_ID, "cd": CAST_ID.upper(), "md": "Chromecast"}},
            {"type": "_ipp._tcp", "name": "BRN3C2AF4005320", "txt": {"ty": PRINTER_TY, "note": PRINTER_NOTE}},
            {"type": "_hap._tcp", "name": "Eve", "txt": {"id": AIRPLAY_ID, "md": "Annas Stehlampe"}},
        ]),
        Observation(fact="dhcp.offers", source="net.dhcp", value=[
            {"server": "10.77.0.1", "address": "10.77.0.61", "domain": DHCP_DOMAIN}],
            evidence=f"offer from 10.77.0.1 with domain {DHCP_DOMAIN}"),
        Observation(fact="speedtest.server", source="net.throughput", value=SERVER),
        Observation(fact="speedtest.download_mbps", source="net.throughput", value=48.2,
                    evidence=f"48.2 Mbit/s down, 9.8 Mbit/s up via {SERVER}"),
        Observation(fact="gateway.rtt_ms", source="net.gateway", value=1.0,
                    evidence=f"session {LONG_HEX} and cast {CAST_ID.upper()}"),
    )  # fmt: skip
    findings = (
        Finding(code="device.unreachable", status=FindingStatus.LIKELY, probability=0.8,
                title=f"{ONE_WORD} no longer answers", explanation=f"{CJK}已离线; {ONE_WORD} was last seen at 10.77.0.30.",
                evidence=(EvidenceItem(f"no answer from {ONE_WORD} or {CJK}"),),
                remedies=(Remedy(id="power", title=f"Restart {ONE_WORD}", steps=(f"Unplug {CJK}.",)),)),
    )  # fmt: skip
    trace = ({"n": 1, "action": "probe", "note": f"pinged {ONE_WORD}, {CJK} and {CAST_FN}"},)
    return dataclasses.replace(base, devices=(cast, tv, printer, *base.devices), observations=observations,
                               findings=findings, trace=trace)  # fmt: skip


@pytest.fixture(scope="module")
def shared() -> Report:
    return redact(leaky_report(), TokenStore(bytes(range(32))))


def _leaks(text: str) -> list[str]:
    lowered = text.lower()
    escaped = json.dumps(text)[1:-1].lower()
    return [p for p in PLANTED if p.lower() in lowered or p.lower() in escaped]


def test_the_unredacted_report_holds_every_planted_value() -> None:
    assert _leaks(dump_report(leaky_report())) == PLANTED


@pytest.mark.parametrize("fmt", ["json", "markdown", "html", "text"])
def test_nothing_planted_survives(shared: Report, fmt: str) -> None:
    rendered = {"json": dump_report, "markdown": render_markdown, "html": render_html, "text": render_text}[fmt](shared)
    assert _leaks(rendered) == []


def test_txt_values_become_tokens_and_harmless_ones_stay(shared: Report) -> None:
    cast = shared.devices[0]
    txt = cast.services[0].txt
    assert txt["fn"] == cast.id and txt["id"].startswith("id-") and txt["md"] == "Chromecast" and txt["ve"] == "05"
    airplay = cast.services[1].txt
    assert airplay["pk"].startswith("key-") and airplay["deviceid"].startswith("3c:2a:f4:…mac-")
    assert airplay["model"] == "AppleTV6,2"
    printer_txt = shared.devices[2].services[0].txt
    assert printer_txt["note"].startswith("place-")
    assert printer_txt["ty"] == "printer-2"  # the base report's printer is named so: its token
    assert printer_txt["rp"] == "ipp/print"
    mdns = next(o for o in shared.observations if o.fact == "mdns.services").value
    assert isinstance(mdns, list)
    assert mdns[2]["txt"]["md"].startswith("model-")  # a model named after a person


def test_one_word_and_cjk_names_are_tokens_in_every_text(shared: Report) -> None:
    finding = shared.findings[0]
    one_word, cjk = shared.devices[0].id, shared.devices[1].id
    assert finding.title == f"{one_word} no longer answers"
    assert finding.explanation.startswith(f"{cjk}已离线")
    assert finding.remedies[0].steps == (f"Unplug {cjk}.",)
    assert shared.trace[0]["note"] == f"pinged {one_word}, {cjk} and {one_word}"


def test_domain_and_server_are_tokens(shared: Report) -> None:
    values = {o.fact: o for o in shared.observations}
    offers = values["dhcp.offers"].value
    assert isinstance(offers, list) and offers[0]["domain"].startswith("domain-")
    assert values["speedtest.server"].value.startswith("server-")  # type: ignore[union-attr]
    assert values["speedtest.download_mbps"].evidence == f"48.2 Mbit/s down, 9.8 Mbit/s up via {values['speedtest.server'].value}"


def test_common_words_are_not_learned_as_names(store: TokenStore) -> None:
    base = fixture("printer-paused")
    router = Device(id="dev-c0ffee00b1", ip="10.77.0.1", kind=DeviceKind.ROUTER, names=("Router", "home"))
    finding = Finding(code="gateway.unreachable", status=FindingStatus.LIKELY, probability=0.8,
                      title="The router does not answer", explanation="Restart the router at home.")  # fmt: skip
    shared = redact(dataclasses.replace(base, devices=(router,), findings=(finding,)), store)
    assert shared.findings[0].title == "The router does not answer"
    assert shared.findings[0].explanation == "Restart the router at home."
