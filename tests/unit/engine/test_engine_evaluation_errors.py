"""An expression that fails to evaluate is never silent: the trace records the error, the test counts
as not done, the diagnosis (and its report) is incomplete and ``playbooks test`` fails. Something
missing (a fact not observed, a null value) is not an error: the test is simply not done."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

import pytest
from engine_builders import base_playbook, compile_data, dump, obs

from homediag.app.diagnose import replay
from homediag.cli.app import main
from homediag.core.config import Config
from homediag.core.model import Observation, Report, RunContext
from homediag.engine.cases import run_case
from homediag.engine.catalog import PlaybookSet, load_playbooks
from homediag.engine.diagnose import Diagnosis, diagnose, diagnose_playbook
from homediag.engine.sources import StoredFacts

BROKEN_MAP = "value * 'x' > 1.0 ? 'bad' : 'good'"
"""A number times a string: a type error whatever the observation."""


def _with_map(source: str, **extra: Any) -> dict[str, Any]:
    data = base_playbook()
    data["tests"][0]["map"] = source
    data["tests"][0].update(extra)
    return data


def _run(data: dict[str, Any], observations: list[Observation]) -> Diagnosis:
    model = compile_data(data)
    return asyncio.run(
        diagnose_playbook(model, facts=StoredFacts(observations), questioner=None, audience="technician")
    )


def _step(result: Diagnosis, test: str) -> dict[str, Any]:
    return next(s for s in result.trace_json() if s.get("test") == test)


def test_a_map_that_fails_to_evaluate_is_traced_and_makes_the_diagnosis_incomplete() -> None:
    result = _run(_with_map(BROKEN_MAP), [obs("interface.up", 2.0), obs("gateway.reachable", True)])
    step = _step(result, "ta")
    assert step["outcome"] is None and step["note"] == "mapping failed"
    assert "no matching overload" in step["error"]
    assert result.errors and result.errors[0].startswith("sample/ta: ")
    assert result.complete is False
    healthy = _run(base_playbook(), [obs("interface.up", True), obs("gateway.reachable", True)])
    assert healthy.errors == () and healthy.complete


def test_a_rule_that_fails_stops_the_test_instead_of_falling_through() -> None:
    rules = [{"outcome": "bad", "when": BROKEN_MAP.replace(" ? 'bad' : 'good'", "")}, {"outcome": "good"}]
    result = _run(_with_map(rules), [obs("interface.up", 2.0), obs("gateway.reachable", True)])
    step = _step(result, "ta")
    assert step["outcome"] is None and "the rule for bad" in step["error"]


def test_a_condition_that_fails_to_evaluate_is_traced_too() -> None:
    data = base_playbook()
    data["tests"][1]["requires"] = "facts['interface.up'] * 'x' == 1.0"
    result = _run(data, [obs("interface.up", 1.0), obs("gateway.reachable", True)])
    step = _step(result, "tb")
    assert step["action"] == "infer" and step["note"] == "not run: its requires could not be evaluated"
    assert "no matching overload" in step["error"]
    assert result.errors == (f"sample/tb/requires: {step['error']}",)


@pytest.mark.parametrize(
    ("source", "value"),
    [
        pytest.param("value ? 'good' : 'bad'", None, id="a null value"),
        pytest.param("facts['dns.any_ok'] ? 'good' : 'bad'", True, id="a fact nobody observed"),
    ],
)
def test_something_missing_is_not_done_and_not_an_error(source: str, value: Any) -> None:
    result = _run(_with_map(source), [obs("interface.up", value), obs("gateway.reachable", True)])
    step = _step(result, "ta")
    assert step["outcome"] is None and step["note"].startswith("unknown: ")
    assert "error" not in step and result.errors == () and result.complete


@pytest.mark.parametrize("plan", [50, 50.0], ids=["int", "float"])
def test_a_plan_in_the_config_reaches_the_download_test_as_a_number(plan: float) -> None:
    config = Config.model_validate({"expect": {"download_mbps": plan}})
    playbooks = load_playbooks()
    result = asyncio.run(
        diagnose(
            "slow-internet",
            facts=StoredFacts([Observation(fact="speedtest.download_mbps", value=5, source="t")]),
            questioner=None,
            playbooks=playbooks,
            audience="technician",
            config=config,
        )
    )
    assert _step(result, "download_speed")["outcome"] == "low"  # 5 Mbit/s on a 50 Mbit/s plan
    assert result.errors == ()


def test_an_inline_case_fails_on_an_evaluation_error(tmp_path: Path) -> None:
    data = _with_map(BROKEN_MAP)
    data["cases"] = [
        {
            "name": "link down",
            "observations": [{"fact": "interface.up", "value": 2.0}],
            "expect": {"not_ruled_out": ["a"]},
        }
    ]
    model = compile_data(data)
    result = asyncio.run(run_case(model, model.spec.cases[0]))
    assert [f for f in result.failures if f.startswith("evaluation error: sample/ta: ")]
    path = tmp_path / "sample.yaml"
    path.write_bytes(dump(data))
    with pytest.raises(SystemExit) as exited:
        main(["playbooks", "test", str(path)])
    assert exited.value.code == 1


def test_a_replayed_report_with_an_evaluation_error_is_incomplete() -> None:
    data = _with_map(BROKEN_MAP)
    data["complaints"] = ["no-internet"]
    stored = Report(
        run_id="r1",
        started_at="",
        finished_at="",
        complete=True,
        context=RunContext(platform="linux"),
        complaint="no-internet",
        observations=(obs("interface.up", 2.0), obs("gateway.reachable", True)),
    )
    playbooks = PlaybookSet((compile_data(data),))
    report = asyncio.run(
        replay(
            stored,
            complaint=None,
            questioner=None,
            audience="technician",
            lang="en",
            config=Config(),
            playbooks=playbooks,
        )
    )
    assert report.complete is False
    assert any("error" in step for step in report.trace)
    fine = asyncio.run(
        replay(
            dataclasses.replace(stored, observations=(obs("interface.up", True),)),
            complaint=None,
            questioner=None,
            audience="technician",
            lang="en",
            config=Config(),
            playbooks=PlaybookSet((compile_data({**base_playbook(), "complaints": ["no-internet"]}),)),
        )
    )
    assert fine.complete is True
