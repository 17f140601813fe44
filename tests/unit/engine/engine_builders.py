"""Tiny builders for engine tests: a valid playbook as data, compiled through the real pipeline."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import yaml

from homediag.app.registry import load_registry
from homediag.core.model import Observation
from homediag.engine.catalog import validate_one
from homediag.engine.lint import Problem
from homediag.engine.model import PlaybookModel


def text(english: str) -> dict[str, str]:
    """A text in the three languages (German and French made different from the English)."""
    return {"en": english, "de": f"{english} (de)", "fr": f"{english} (fr)"}


def cause(
    cid: str, prior: float, code: str = "gateway.unreachable", **extra: Any
) -> dict[str, Any]:
    """A cause with texts."""
    return {
        "id": cid,
        "code": code,
        "prior": prior,
        "title": text(f"{cid} title"),
        "explanation": text(f"{cid} explanation"),
        "details": text(f"{cid} details"),
        **extra,
    }


def probe_test(
    tid: str, fact: str, effects: dict[str, dict[str, float]], **extra: Any
) -> dict[str, Any]:
    """A boolean probe test: outcome ``bad`` when the fact is false."""
    return {
        "id": tid,
        "kind": "probe",
        "fact": fact,
        "map": [
            {"outcome": "good", "when": {"eq": True}},
            {"outcome": "bad", "when": {"eq": False}},
        ],
        "outcomes": ["good", "bad"],
        "normal": {"good": 0.95, "bad": 0.05},
        "effects": effects,
        "cost": {"seconds": 0.1},
        **extra,
    }


def question(qid: str, effects: dict[str, dict[str, str | float]], **extra: Any) -> dict[str, Any]:
    """A yes/no question."""
    return {
        "id": qid,
        "kind": "question",
        "text": text(f"{qid}?"),
        "answers": {"yes": text("Yes"), "no": text("No")},
        "outcomes": ["yes", "no"],
        "normal": {"yes": 0.5, "no": 0.5},
        "effects": effects,
        "cost": {"seconds": 10, "user_minutes": 0.5},
        **extra,
    }


def remedy(rid: str, fixes: dict[str, float], **extra: Any) -> dict[str, Any]:
    """A remedy with one step."""
    return {
        "id": rid,
        "title": text(f"{rid} title"),
        "fixes": fixes,
        "cost": {"seconds": 60},
        "steps": [text(f"do {rid}")],
        **extra,
    }


def base_playbook() -> dict[str, Any]:
    """A small complete playbook: causes ``a`` and ``b`` told apart by probes on real facts."""
    return {
        "apiVersion": "homediag/v1",
        "kind": "Playbook",
        "id": "sample",
        "version": 1,
        "title": text("Sample"),
        "complaints": ["sample"],
        "escalation": {
            "title": text("Escalate"),
            "text": text("Call someone"),
            "cost": {"seconds": 3600},
        },
        "causes": [cause("a", 0.5, "link.no-connection"), cause("b", 0.4, "gateway.unreachable")],
        "leak": {"prior": 0.1},
        "tests": [
            probe_test("ta", "interface.up", {"a": {"good": 0.03, "bad": 0.97}}),
            probe_test(
                "tb", "gateway.reachable", {"b": {"good": 0.03, "bad": 0.97}}, cost={"seconds": 4}
            ),
            question("qa", {"a": {"yes": 0.9, "no": 0.1}}),
        ],
        "remedies": [
            remedy("fix_a", {"a": 0.9}, verify={"test": "qa", "expect": "no"}),
            remedy("fix_b", {"b": 0.8}),
        ],
    }


def dump(data: dict[str, Any]) -> bytes:
    """YAML bytes of ``data``."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode()


def compile_data(data: dict[str, Any]) -> PlaybookModel:
    """Validate and compile ``data``; fail the test with the problems when it is invalid."""
    model, problems = validate_one(dump(data), "sample.yaml")
    assert model is not None, "\n".join(str(p) for p in problems)
    return model


CATALOGUE = load_registry(plugins=False).catalogue()
"""The facts of the built-in probes (the application layer checks playbooks against them)."""


def problems_of(data: dict[str, Any]) -> list[Problem]:
    """Every problem validation finds in ``data`` (facts checked against the built-in probes')."""
    return validate_one(dump(data), "sample.yaml", CATALOGUE)[1]


def variant(**changes: Any) -> dict[str, Any]:
    """The base playbook with top-level keys replaced."""
    data = copy.deepcopy(base_playbook())
    data.update(changes)
    return data


def obs(fact: str, value: Any, subject: str = "local") -> Observation:
    """An observation from a test."""
    return Observation(fact=fact, value=value, source="test", subject=subject)


def observations(pairs: Iterable[tuple[str, Any]]) -> list[Observation]:
    """Observations from (fact, value) pairs."""
    return [obs(fact, value) for fact, value in pairs]
