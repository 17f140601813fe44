"""The canonical JSON report: schema-valid, round-trips, versioned."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from homediag.core.errors import ReportError, UsageError
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
    Question,
    Remedy,
    Report,
    RunContext,
    Service,
)
from homediag.reports.document import dump_report, from_document, load_report, to_document, validation_errors


def sample_report(**overrides: object) -> Report:
    values: dict[str, object] = {
        "run_id": "00000000-0000-4000-8000-000000000001",
        "started_at": "2026-01-01T10:00:00.000Z",
        "finished_at": "2026-01-01T10:00:05.000Z",
        "complete": True,
        "context": RunContext(platform="linux", interface="eth0"),
        "complaint": "printer",
        "devices": (
            Device(
                id="dev-1",
                ip="192.0.2.20",
                addresses=("192.0.2.20",),
                mac="00:00:5e:00:53:20",
                vendor="Brother Industries, LTD.",
                kind=DeviceKind.PRINTER,
                names=("HL-L2350DW",),
                services=(Service(type="_ipp._tcp", port=631, name="HL", txt={"ty": "Brother"}),),
            ),
        ),
        "observations": (
            Observation(fact="gateway.rtt_ms", value=1.5, source="net.gateway", unit="ms"),
            Observation(
                fact="dns.resolver_ok",
                value=False,
                source="net.dns",
                subject="resolver:192.0.2.53",
                evidence="no answer",
            ),
        ),
        "probe_runs": (
            ProbeRun(probe="net.gateway", outcome=Outcome.OK, duration_s=0.2, method="raw ICMP"),
            ProbeRun(
                probe="net.dns",
                outcome=Outcome.ERROR,
                duration_s=2.0,
                error=ProbeError("OSError", "network unreachable"),
            ),
        ),
        "findings": (
            Finding(
                code="printer.stopped",
                status=FindingStatus.CONFIRMED,
                probability=0.97,
                title="The printer is paused",
                evidence=(EvidenceItem("state is stopped", likelihood_ratio=30.0),),
                remedies=(Remedy(id="resume", title="Resume the printer", steps=("Press resume",)),),
            ),
        ),
        "trace": ({"n": 1, "action": "probe", "test": "printer_state"},),
        "questions": (Question(id="q1", text="Is the printer on?", answer="yes", source="answers-file"),),
    }
    values.update(overrides)
    return Report(**values)  # type: ignore[arg-type]


def test_report_validates_and_round_trips() -> None:
    report = sample_report()
    document = to_document(report)
    assert validation_errors(document) == []
    assert document["schema_version"] == "1.1"
    assert document["tool"]["name"] == "homediag"
    again = from_document(json.loads(dump_report(report)))
    assert to_document(again) == document


def test_unknown_fields_of_the_same_major_are_ignored() -> None:
    document = to_document(sample_report())
    document["schema_version"] = "1.7"
    document["future_field"] = {"anything": 1}
    document["findings"][0]["future"] = True
    assert from_document(document).findings[0].code == "printer.stopped"


def test_a_newer_major_version_is_refused_clearly() -> None:
    document = to_document(sample_report())
    document["schema_version"] = "2.0"
    with pytest.raises(ReportError, match=r"2\.0 is not supported"):
        from_document(document)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("{not json", "not valid JSON"),
        ('{"schema_version": "1.0"}', "invalid report"),
        ("[1, 2]", "not a JSON object"),
        ('{"x": NaN}', "not valid JSON"),
    ],
)
def test_malformed_reports_give_one_clear_error(tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "r.json"
    path.write_text(content)
    with pytest.raises(ReportError, match=fragment):
        load_report(path)


def test_missing_report(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not found"):
        load_report(tmp_path / "nope.json")


def test_top_finding_is_the_most_probable_problem() -> None:
    findings = (
        Finding(code="a.b", status=FindingStatus.LIKELY, probability=0.7, title="A"),
        Finding(code="c.d", status=FindingStatus.CONFIRMED, probability=0.95, title="C"),
        Finding(code="e.f", status=FindingStatus.POSSIBLE, probability=0.99, title="E"),
    )
    top = sample_report(findings=findings).top_finding()
    assert top is not None and top.code == "c.d"
    assert sample_report(findings=()).top_finding() is None


def test_every_leaf_of_the_schema_is_classified_for_privacy() -> None:
    from homediag.reports.document import schema

    allowed = {"keep", "pseudonymise", "drop", "address", "by-fact", "text"}
    missing: list[str] = []

    def walk(node: object, path: str) -> None:
        if not isinstance(node, dict):
            return
        props = node.get("properties")
        if isinstance(props, dict):
            for key, child in props.items():
                walk(child, f"{path}.{key}")
        if isinstance(node.get("items"), dict):
            walk(node["items"], f"{path}[]")
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            walk(extra, f"{path}.*")
        if "$ref" in node or isinstance(props, dict) or "items" in node or isinstance(extra, dict):
            return
        if node.get("x-privacy") not in allowed:
            missing.append(path)

    doc = schema()
    walk(doc, "$")
    for name, definition in doc["$defs"].items():
        walk(definition, f"#{name}")
    assert missing == []


def test_a_playbook_title_round_trips_and_is_left_out_when_unknown() -> None:
    from homediag.core.model import PlaybookRef

    title = {"en": "The printer does not print", "de": "Der Drucker druckt nicht"}
    titled = PlaybookRef("printer", 2, "ab" * 32, title)
    document = to_document(sample_report(playbooks=(titled, PlaybookRef("checkup", 2, "cd" * 32))))
    assert validation_errors(document) == []
    assert document["playbooks"][0]["title"]["de"] == "Der Drucker druckt nicht"
    assert "title" not in document["playbooks"][1]  # reports without titles keep their old shape
    assert from_document(document).playbooks == (titled, PlaybookRef("checkup", 2, "cd" * 32))
    document["playbooks"][0]["title"] = {"en": 3}
    assert any("playbooks/0/title/en" in error for error in validation_errors(document))


def test_replay_records_each_playbook_title_in_every_language() -> None:
    import asyncio

    from homediag.app.diagnose import replay
    from homediag.core.config import Config
    from tests.reports.conftest import fixture

    stored = fixture("printer-paused")
    report = asyncio.run(replay(stored, complaint=None, questioner=None, audience="customer", lang="en",
                                config=Config()))  # fmt: skip
    titles = {ref.id: dict(ref.title) for ref in report.playbooks}
    assert titles["printer"] == {"en": "The printer does not print", "de": "Der Drucker druckt nicht",
                                 "fr": "L'imprimante n'imprime pas"}  # fmt: skip
    assert validation_errors(to_document(report)) == []
