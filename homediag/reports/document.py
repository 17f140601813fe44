"""The report as a JSON document: build it, validate it against the shipped schema, read it back.

Readers accept the same major schema version with any minor one and ignore unknown fields; a higher
major version is refused with a clear message (``ReportError``, exit code 3 in the CLI).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from homediag import __version__
from homediag.core.errors import ReportError, UsageError
from homediag.core.i18n import _
from homediag.core.jsonio import JsonLimitError, dumps, loads
from homediag.core.model import (
    SCHEMA_ID,
    SCHEMA_MAJOR,
    SCHEMA_VERSION,
    Device,
    DeviceEvidence,
    DeviceKind,
    EvidenceItem,
    Finding,
    FindingStatus,
    Observation,
    Outcome,
    PlaybookRef,
    ProbeError,
    ProbeRun,
    Question,
    Remedy,
    RemedyOutcome,
    Report,
    ReportMeta,
    RunContext,
    Service,
    TimeWindow,
    to_jsonable,
)

MAX_REPORT_BYTES = 64 * 1024 * 1024


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema (Draft 2020-12) of report major version 1, as shipped in the package."""
    text = resources.files("homediag.reports").joinpath("schema/report-1.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def _fast_validator() -> Any:
    import jsonschema_rs

    return jsonschema_rs.validator_for(schema())


def validation_errors(document: Any) -> list[str]:
    """Every way ``document`` breaks the schema, as ``path: message`` lines (empty when valid).

    A valid document is confirmed by :mod:`jsonschema_rs` (compiled: a 40 MB report takes tens of
    milliseconds, where the pure-Python validator took half a minute); only an invalid one goes
    through :mod:`jsonschema` as well, for its messages.
    """
    from jsonschema import Draft202012Validator

    try:
        if _fast_validator().is_valid(document):
            return []
    except (ValueError, TypeError, OverflowError):  # a value it cannot convert: ask jsonschema
        pass
    validator = Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}" for error in errors
    ]


def to_document(report: Report) -> dict[str, Any]:
    """The canonical JSON document of ``report``."""
    data = to_jsonable(report)
    assert isinstance(data, dict)
    tool_version = data.pop("tool_version") or __version__
    document: dict[str, Any] = {
        "$schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "homediag", "version": tool_version},
        **data,
    }
    document["questions"] = document.get("questions") or []
    for observation in document.get("observations") or ():
        if observation.get("privacy") is None:
            # Observations carry their fact's privacy class; those of reports written before keep their form.
            observation.pop("privacy", None)
    for ref in document.get("playbooks") or ():
        if not ref.get("title"):
            ref.pop("title", None)  # reports that record no title stay as before
    for finding in document.get("findings") or ():
        for remedy in finding.get("remedies") or ():
            if remedy.get("outcome") is None:
                # Only an offered remedy has an outcome: reports of runs that offered none stay as before.
                remedy.pop("outcome", None)
        if not finding.get("intermittent"):
            # Only a watch marks findings intermittent, with their windows: other reports stay as before.
            finding.pop("intermittent", None)
            if not finding.get("windows"):
                finding.pop("windows", None)
    if document.get("watch") is None:
        document.pop("watch", None)
    return document


def dump_report(report: Report) -> str:
    """The report as strict, sorted, indented JSON text."""
    return dumps(to_document(report)) + "\n"


_VERSION = re.compile(r"([0-9]{1,9})\.[0-9]{1,9}", re.ASCII)


def check_version(document: Mapping[str, Any]) -> None:
    """Refuse documents of another major version with a clear message."""
    version = document.get("schema_version")
    found = _VERSION.fullmatch(version) if isinstance(version, str) else None
    if found is None:
        raise ReportError(_("not a homediag report (no schema_version)"))
    major = int(found.group(1))
    if major != SCHEMA_MAJOR:
        raise ReportError(
            _(
                "report schema {version} is not supported by this homediag (reads {major}.x); "
                "update homediag to read it"
            ).format(version=version, major=SCHEMA_MAJOR)
        )


def from_document(document: Any) -> Report:
    """Validate ``document`` and build the Report; ``ReportError`` names the first problem."""
    if not isinstance(document, dict):
        raise ReportError(_("not a homediag report (the document is not a JSON object)"))
    check_version(document)
    errors = validation_errors(document)
    if errors:
        more = _(" (and {n} more)").format(n=len(errors) - 1) if len(errors) > 1 else ""
        raise ReportError(_("invalid report: {error}{more}").format(error=errors[0], more=more))
    return _build(document)


def load_report(path: Path) -> Report:
    """Read and validate a report file."""
    try:
        with Path(path).open("rb") as handle:
            raw = handle.read(MAX_REPORT_BYTES + 1)
    except FileNotFoundError:
        raise UsageError(_("report not found: {path}").format(path=path)) from None
    except OSError as exc:
        raise ReportError(
            _("cannot read report {path}: {error}").format(path=path, error=exc.strerror or exc)
        ) from None
    if len(raw) > MAX_REPORT_BYTES:
        raise ReportError(_("report {path} is too large").format(path=path))
    try:
        document = loads(raw.decode("utf-8"))
    except JsonLimitError as exc:
        raise ReportError(_limit_message(path, exc)) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise ReportError(
            _("{path} is not valid JSON: {error}").format(path=path, error=str(exc).splitlines()[0])
        ) from None
    return from_document(document)


def _limit_message(path: Path, exc: JsonLimitError) -> str:
    if exc.limit == "depth":
        return _("{path} is nested deeper than {limit} levels: it is not a homediag report").format(
            path=path, limit=exc.bound
        )
    if exc.limit == "digits":
        return _("{path} holds a number with more than {limit} digits: it is not a homediag report").format(
            path=path, limit=exc.bound
        )
    return _("{path} holds a number too large to represent: it is not a homediag report").format(path=path)


def _tuple(items: Any) -> tuple[Any, ...]:
    return tuple(items or ())


def _device(data: Mapping[str, Any]) -> Device:
    return Device(
        id=data["id"],
        ip=data.get("ip"),
        addresses=_tuple(data.get("addresses")),
        mac=data.get("mac"),
        vendor=data.get("vendor"),
        kind=DeviceKind(data.get("kind", "unknown")),
        names=_tuple(data.get("names")),
        services=tuple(
            Service(
                type=s["type"],
                port=s.get("port"),
                name=s.get("name"),
                source=s.get("source", ""),
                txt=dict(s.get("txt") or {}),
                url=s.get("url"),
            )
            for s in data.get("services") or ()
        ),
        model=data.get("model"),
        random_mac=bool(data.get("random_mac", False)),
        evidence=tuple(
            DeviceEvidence(e.get("source", ""), e.get("claim", ""), e.get("detail", ""))
            for e in data.get("evidence") or ()
        ),
        sources=_tuple(data.get("sources")),
    )


def _evidence(items: Any) -> tuple[EvidenceItem, ...]:
    return tuple(
        EvidenceItem(
            text=e["text"],
            test=e.get("test"),
            fact=e.get("fact"),
            outcome=e.get("outcome"),
            likelihood_ratio=e.get("likelihood_ratio"),
        )
        for e in items or ()
    )


def _finding(data: Mapping[str, Any]) -> Finding:
    return Finding(
        code=data["code"],
        status=FindingStatus(data["status"]),
        probability=float(data["probability"]),
        title=data["title"],
        explanation=data.get("explanation", ""),
        details=data.get("details", ""),
        evidence=_evidence(data.get("evidence")),
        evidence_against=_evidence(data.get("evidence_against")),
        remedies=tuple(
            Remedy(
                id=r["id"],
                title=r["title"],
                steps=_tuple(r.get("steps")),
                safe_for_customer=bool(r.get("safe_for_customer", False)),
                needs_consent=bool(r.get("needs_consent", False)),
                disruptive=bool(r.get("disruptive", False)),
                costs_money=bool(r.get("costs_money", False)),
                cost_s=r.get("cost_s"),
                fixes=dict(r.get("fixes") or {}),
                outcome=RemedyOutcome(r["outcome"]) if r.get("outcome") else None,
            )
            for r in data.get("remedies") or ()
        ),
        decided_by=data.get("decided_by"),
        members=_tuple(data.get("members")),
        playbook=data.get("playbook"),
        cause=data.get("cause"),
        subject=data.get("subject"),
        intermittent=bool(data.get("intermittent", False)),
        windows=tuple(TimeWindow(w["start"], w["end"]) for w in data.get("windows") or ()),
    )


def _build(doc: Mapping[str, Any]) -> Report:
    context = doc["context"]
    meta = doc.get("meta") or {}
    return Report(
        run_id=doc["run_id"],
        started_at=doc["started_at"],
        finished_at=doc["finished_at"],
        complete=doc["complete"],
        context=RunContext(
            platform=context["platform"],
            mode=context.get("mode", "live"),
            interface=context.get("interface"),
            audience=context.get("audience", "customer"),
            lang=context.get("lang", "en"),
            privileged=bool(context.get("privileged", False)),
            max_risk=context.get("max_risk", "active"),
            allowed=_tuple(context.get("allowed")),
        ),
        complaint=doc.get("complaint"),
        devices=tuple(_device(d) for d in doc.get("devices") or ()),
        observations=tuple(
            Observation(
                fact=o["fact"],
                value=o["value"],
                source=o["source"],
                subject=o["subject"],
                unit=o.get("unit"),
                sensitive=bool(o.get("sensitive", False)),
                time=o.get("time", ""),
                evidence=o.get("evidence"),
                privacy=o.get("privacy"),
            )
            for o in doc.get("observations") or ()
        ),
        probe_runs=tuple(
            ProbeRun(
                probe=p["probe"],
                outcome=Outcome(p["outcome"]),
                duration_s=float(p["duration_s"]),
                reason=p.get("reason"),
                target=p.get("target"),
                started_at=p.get("started_at", ""),
                error=ProbeError(p["error"].get("type", ""), p["error"].get("message", ""))
                if p.get("error")
                else None,
                limits_hit=_tuple(p.get("limits_hit")),
                method=p.get("method"),
            )
            for p in doc.get("probe_runs") or ()
        ),
        findings=tuple(_finding(f) for f in doc.get("findings") or ()),
        trace=tuple(dict(step) for step in doc.get("trace") or ()),
        questions=tuple(
            Question(
                id=q["id"],
                text=q["text"],
                answer=q.get("answer"),
                source=q.get("source", "unasked"),
                answers=dict(q.get("answers") or {}),
            )
            for q in doc.get("questions") or ()
        ),
        playbooks=tuple(
            PlaybookRef(p["id"], int(p["version"]), p["sha256"], dict(p.get("title") or {}))
            for p in doc.get("playbooks") or ()
        ),
        meta=ReportMeta(
            customer=meta.get("customer"),
            site=meta.get("site"),
            ticket=meta.get("ticket"),
            note=meta.get("note"),
        ),
        privacy_level=doc.get("privacy_level", "full"),
        redaction=dict(doc.get("redaction") or {}),
        interrupted_by=doc.get("interrupted_by"),
        not_applicable=doc.get("not_applicable"),
        baseline=doc.get("baseline"),
        tool_version=(doc.get("tool") or {}).get("version", ""),
        watch=doc.get("watch"),
    )
