"""The shipped playbooks: all valid, one per complaint, inline tests pass, golden traces stable."""

from __future__ import annotations

import asyncio
from typing import Any

import jsonschema
import pytest

from homediag.core.codes import catalogue as code_catalogue
from homediag.core.model import Observation
from homediag.engine.cases import run_case
from homediag.engine.catalog import PlaybookSet, builtin_location, validate
from homediag.engine.diagnose import AnswerFile, StoredFacts, diagnose
from homediag.engine.trace_schema import TRACE_STEP_SCHEMA

COMPLAINTS = (
    "no-internet",
    "slow-internet",
    "unstable-connection",
    "video-calls",
    "printer",
    "cast",
    "smart-home",
    "wifi",
    "checkup",
)
RESULT = validate()
PLAYBOOKS = PlaybookSet(RESULT.playbooks, tuple(RESULT.warnings))


def test_every_builtin_playbook_is_valid() -> None:
    assert RESULT.errors == [], "\n".join(str(p) for p in RESULT.errors)
    assert len(RESULT.playbooks) == len(COMPLAINTS)


def test_a_playbook_for_every_complaint_of_the_design() -> None:
    assert sorted(PLAYBOOKS.complaints()) == sorted(COMPLAINTS)
    for complaint in COMPLAINTS:
        assert PLAYBOOKS.for_complaint(complaint).id == complaint


def test_every_builtin_playbook_is_complete_and_has_no_warnings() -> None:
    for model in PLAYBOOKS.playbooks:
        assert not model.draft, model.id  # all its probes exist
    assert RESULT.warnings == [], [str(w) for w in RESULT.warnings]


def test_every_problem_code_of_the_design_is_covered() -> None:
    used = {c.code for m in PLAYBOOKS.playbooks for c in m.spec.causes}
    used |= {i.code for m in PLAYBOOKS.playbooks for i in m.spec.interactions}
    assert used <= set(code_catalogue())
    assert set(code_catalogue()) - used == set()


def test_the_builtin_location_is_found() -> None:
    names = {entry.name for entry in builtin_location().iterdir()}
    assert {f"{c}.yaml" for c in COMPLAINTS} <= names
    assert ".keep" not in names


CASES = [
    pytest.param(model, case, id=f"{model.id}: {case.name}")
    for model in PLAYBOOKS.playbooks
    for case in model.spec.cases
]


@pytest.mark.parametrize(("model", "case"), CASES)
def test_inline_tests(model: Any, case: Any) -> None:
    result = asyncio.run(run_case(model, case, PLAYBOOKS))
    assert result.passed, "\n".join(result.failures)


def _obs(**values: Any) -> list[Observation]:
    return [
        Observation(fact=k.replace("__", "."), value=v, source="golden") for k, v in values.items()
    ]


GOLDEN = {
    "provider outage, customer": dict(
        complaint="no-internet",
        audience="customer",
        lang="en",
        observations=_obs(
            interface__up=True,
            interface__has_ipv4=True,
            dns__resolvers=["192.0.2.1"],
            gateway__reachable=True,
            gateway__loss_pct=0.0,
            dns__any_ok=False,
        ),
        answers={"other_devices": "no", "router_lights": "off_or_red"},
    ),
    "two faults, technician, German": dict(
        complaint="no-internet",
        audience="technician",
        lang="de",
        observations=_obs(
            interface__up=True,
            interface__has_ipv4=True,
            dns__resolvers=["198.51.100.53"],
            gateway__reachable=True,
            gateway__loss_pct=23.3,
            dns__any_ok=False,
            ip__conflict=False,
            internet__tcp_any_ok=True,
        ),
        answers={"other_devices": "yes", "router_lights": "normal", "public_network": "no"},
    ),
    "checkup of a dead router": dict(
        complaint=None,
        audience="technician",
        lang="fr",
        observations=_obs(
            interface__up=True,
            interface__kind="wired",
            interface__has_ipv4=True,
            dns__resolvers=["192.0.2.1"],
            gateway__reachable=False,
            gateway__loss_pct=100.0,
            dns__any_ok=False,
        ),
        answers={},
    ),
}


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_scenarios(name: str, snapshot: Any) -> None:
    scenario = GOLDEN[name]
    result = asyncio.run(
        diagnose(
            scenario["complaint"],
            facts=StoredFacts(scenario["observations"]),
            questioner=AnswerFile(scenario["answers"]),
            playbooks=PLAYBOOKS,
            audience=scenario["audience"],
            lang=scenario["lang"],
        )
    )
    summary = {
        "findings": [
            {
                "code": f.code,
                "status": f.status.value,
                "probability": f.probability,
                "title": f.title,
                "decided_by": f.decided_by,
                "members": list(f.members),
                "remedies": [r.id for r in f.remedies],
            }
            for f in result.findings
        ],
        "trace": result.trace_json(),
        "questions": [(q.id, q.answer, q.source) for q in result.questions],
    }
    assert summary == snapshot
    validator = jsonschema.Draft202012Validator(TRACE_STEP_SCHEMA)
    for step in result.trace_json():
        validator.validate(step)
