"""Judgements on their own (docs/probes-and-playbooks.md#faults-and-advisories and
#direct-measurement-wins-over-inference): an advisory takes no probability from the complaint's
causes and never makes a problem of the run; a symptom a probe measures directly is reported with
its code whatever else is wrong."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Iterable
from typing import Any

import pytest

from homediag.core.model import Finding, FindingStatus, Observation, Report, RunContext
from homediag.engine.diagnose import Diagnosis, StoredFacts, diagnose_playbook
from tests.unit.engine.engine_builders import (
    base_playbook,
    cause,
    compile_data,
    observations,
    probe_test,
    problems_of,
    remedy,
)


def with_advisory(prevalence: float | None = 0.3) -> dict[str, Any]:
    """The base playbook and an advisory cause (an admin page over HTTP) that a probe observes."""
    data = copy.deepcopy(base_playbook())
    extra = {} if prevalence is None else {"prevalence": prevalence}
    data["causes"].append(cause("adm", 0.5, "security.admin-http", **extra))
    # Any boolean fact of the catalogue will do: false means the advisory is there.
    data["tests"].append(
        probe_test(
            "tadm",
            "wifi.ssid_hidden",
            {"adm": {"good": 0.02, "bad": 0.98}},
            normal={"good": 0.995, "bad": 0.005},
        )
    )
    data["remedies"].append(remedy("fix_adm", {"adm": 0.8}))
    return data


def run(data: dict[str, Any], pairs: list[tuple[str, Any]]) -> Diagnosis:
    model = compile_data(data)
    return asyncio.run(
        diagnose_playbook(
            model, facts=StoredFacts(observations(pairs)), questioner=None, audience="technician"
        )
    )


def by_code(result: Diagnosis) -> dict[str, Finding]:
    return {f.code: f for f in result.findings}


def test_an_advisory_is_no_hypothesis_of_the_complaint() -> None:
    model = compile_data(with_advisory())
    assert "adm" not in model.priors
    assert [h.id for h in model.advisories] == ["adm"]
    assert model.advisories[0].prior == 0.3
    plain = compile_data(base_playbook())
    assert dict(model.priors) == pytest.approx(dict(plain.priors))


def test_an_advisory_takes_no_probability_from_the_causes() -> None:
    """Everything the complaint's tests see is normal and the advisory is not there: the old engine
    handed the advisory what the ruled-out causes lost (an MQTT broker "likely 0.77")."""
    result = run(with_advisory(), [("interface.up", True), ("gateway.reachable", True)])
    advisory = by_code(result)["security.admin-http"]
    assert advisory.status is FindingStatus.NOT_TESTED
    assert advisory.probability == pytest.approx(0.3)
    assert result.top_finding() is None


def test_an_advisory_observed_is_reported_apart_and_is_no_problem_of_the_run() -> None:
    pairs = [("interface.up", False), ("gateway.reachable", True), ("wifi.ssid_hidden", False)]
    result = run(with_advisory(), pairs)
    found = by_code(result)
    assert found["security.admin-http"].status is FindingStatus.CONFIRMED
    assert found["security.admin-http"].decided_by == "tadm"
    assert found["link.no-connection"].status is FindingStatus.CONFIRMED
    # Faults first, advisories after, and the advisory never the top finding.
    codes = [f.code for f in result.findings]
    assert codes.index("security.admin-http") > max(
        codes.index(c) for c in codes if c != "security.admin-http"
    )
    top = result.top_finding()
    assert top is not None and top.code == "link.no-connection"
    # The complaint's posterior is the one without the advisory's test.
    without = run(with_advisory(), pairs[:2])
    assert found["link.no-connection"].probability == by_code(without)["link.no-connection"].probability


def test_a_run_with_only_advisories_has_no_top_finding_so_exit_code_0() -> None:
    result = run(
        with_advisory(), [("interface.up", True), ("gateway.reachable", True), ("wifi.ssid_hidden", False)]
    )
    assert by_code(result)["security.admin-http"].status is FindingStatus.CONFIRMED
    assert result.top_finding() is None
    report = Report(
        run_id="r",
        started_at="",
        finished_at="",
        complete=True,
        context=RunContext(platform="linux"),
        findings=result.findings,
    )
    assert report.top_finding() is None


def test_an_advisory_seen_absent_is_ruled_out() -> None:
    result = run(with_advisory(), [("interface.up", True), ("wifi.ssid_hidden", True)])
    assert by_code(result)["security.admin-http"].status is FindingStatus.RULED_OUT


def test_an_advisory_needs_a_probe_that_observes_it_and_a_prevalence() -> None:
    data = with_advisory(prevalence=None)
    assert any("give its prevalence" in str(p) for p in problems_of(data))
    data = with_advisory()
    data["tests"].pop()
    assert any("no probe test observes it" in str(p) for p in problems_of(data))


def test_an_inline_case_cannot_expect_an_advisory_as_the_diagnosis() -> None:
    data = with_advisory()
    data["cases"] = [{"name": "x", "observations": [], "expect": {"diagnosis": "adm"}}]
    assert any("judged on its own" in str(p) for p in problems_of(data))


# --- direct measurement -------------------------------------------------------------------------


def measured_playbook() -> dict[str, Any]:
    """Two causes of one complaint; ``b``'s symptom is measured directly by ``tb``."""
    data = copy.deepcopy(base_playbook())
    data["causes"][1]["prior"] = 0.02  # rare: the posterior alone would leave it "possible"
    data["tests"][1]["measures"] = {"bad": ["b"]}
    return data


def test_a_measured_symptom_is_reported_whatever_else_is_wrong() -> None:
    pairs = [("interface.up", False), ("gateway.reachable", False)]
    plain = run(base_playbook() | {"causes": measured_playbook()["causes"]}, pairs)
    assert by_code(plain)["gateway.unreachable"].status is FindingStatus.POSSIBLE  # the single-fault view
    result = run(measured_playbook(), pairs)
    found = by_code(result)
    assert found["gateway.unreachable"].status is FindingStatus.CONFIRMED
    assert found["gateway.unreachable"].decided_by == "tb"
    assert found["link.no-connection"].status.is_problem
    assert any("measured gateway.unreachable" in (s.note or "") for s in result.trace)


def test_a_measurement_without_the_symptom_changes_nothing() -> None:
    pairs = [("interface.up", False), ("gateway.reachable", True)]
    assert [(f.code, f.status, f.probability) for f in run(measured_playbook(), pairs).findings] == [
        (f.code, f.status, f.probability)
        for f in run(base_playbook() | {"causes": measured_playbook()["causes"]}, pairs).findings
    ]


@pytest.mark.parametrize(
    ("measures", "message"),
    [
        ({"worse": ["b"]}, "is not an outcome"),
        ({"bad": ["nobody"]}, "is not a fault cause"),
    ],
)
def test_measures_must_name_an_outcome_and_a_fault_cause(
    measures: dict[str, list[str]], message: str
) -> None:
    data = measured_playbook()
    data["tests"][1]["measures"] = measures
    assert any(message in str(p) for p in problems_of(data))


# --- competing explanations ---------------------------------------------------------------------


def competing_playbook() -> dict[str, Any]:
    """``a`` is common, ``r`` rare; the free test ``ta`` tells ``a`` from ``c`` but not from ``r``; ``tr``
    (not free) can."""
    data = copy.deepcopy(base_playbook())
    data["causes"] = [
        cause("a", 0.5, "wan.down"),
        cause("c", 0.4, "gateway.unreachable"),
        cause("r", 0.002, "dhcp.rogue-server"),
    ]
    data["leak"] = {"prior": 0.01}
    data["defaults"] = {"leak_spread": 0.05}
    data["tests"] = [
        probe_test(
            "ta",
            "interface.up",
            {
                "a": {"good": 0.02, "bad": 0.98},
                "r": {"good": 0.1, "bad": 0.9},
                "c": {"good": 0.99, "bad": 0.01},
            },
        ),
        probe_test("tr", "gateway.reachable", {"r": {"good": 0.03, "bad": 0.97}}, cost={"seconds": 6}),
    ]
    data["remedies"] = [remedy("fix_a", {"a": 0.8}), remedy("fix_c", {"c": 0.8}), remedy("fix_r", {"r": 0.8})]
    return data


class CostlyFacts(StoredFacts):
    """Stored facts whose ``gateway.reachable`` costs time until obtained, as a live probe's does."""

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__(observations(pairs))
        self.obtained: set[str] = set()

    async def obtain(self, facts: Iterable[str]) -> list[Observation]:
        wanted = list(facts)
        self.obtained.update(wanted)
        return await super().obtain(wanted)

    def cost_s(self, fact: str) -> float:
        return 6.0 if fact == "gateway.reachable" and fact not in self.obtained else 0.0


def test_the_test_that_tells_a_rare_competitor_apart_runs_before_the_engine_stops() -> None:
    model = compile_data(competing_playbook())
    facts = CostlyFacts([("interface.up", False), ("gateway.reachable", True)])
    result = asyncio.run(diagnose_playbook(model, facts=facts, questioner=None, audience="technician"))
    step = next(s for s in result.trace if s.test == "tr")
    assert step.why is not None and step.why.rule.value == "competitor"
    assert by_code(result)["wan.down"].status is FindingStatus.CONFIRMED
    assert by_code(result)["dhcp.rogue-server"].status is FindingStatus.RULED_OUT


def test_a_cause_with_an_untested_competitor_is_likely_not_confirmed() -> None:
    result = run(competing_playbook(), [("interface.up", False)])  # tr cannot run: no observation
    assert by_code(result)["wan.down"].probability >= 0.9
    assert by_code(result)["wan.down"].status is FindingStatus.LIKELY
    assert by_code(result)["dhcp.rogue-server"].status is not FindingStatus.RULED_OUT


# --- the smart-home verifier ----------------------------------------------------------------------


class ScriptedUser:
    """An interactive user whose answers are scripted by question id."""

    interactive = True
    source = "interactive"

    def __init__(self, answers: dict[str, str]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    async def ask(self, question: Any, lang: str) -> str | None:
        del lang
        self.asked.append(question.id)
        return self.answers.get(question.id)


def test_bringing_the_wifi_closer_is_verified_by_asking_whether_the_devices_respond_again() -> None:
    """The old verifier asked "all or only some?" again and counted "all of them" as fixed."""
    from homediag.engine.catalog import load_playbooks
    from homediag.engine.diagnose import diagnose

    user = ScriptedUser(
        {"some_devices_only": "some", "remedy:closer_or_repeater": "done", "devices_back": "yes"}
    )
    pairs = [
        ("smarthome.hubs", [{"ip": "192.0.2.13", "kind": "hub", "protocols": ["hue"]}]),
        ("smarthome.announced", 3),
        ("smarthome.reachable", True),
        ("smarthome.known_silent", True),
        ("lan.peers_reachable", True),
        ("lan.multicast_gap", 0),
        ("lan.duplicate_ips", []),
    ]
    result = asyncio.run(
        diagnose(
            "smart-home", facts=StoredFacts(observations(pairs)), questioner=user, playbooks=load_playbooks()
        )
    )
    assert "remedy:closer_or_repeater" in user.asked
    finding = by_code(result)["wifi.weak-signal"]
    assert finding.status is FindingStatus.CONFIRMED
    assert finding.decided_by == "remedy:closer_or_repeater"


def test_a_cause_left_only_by_elimination_is_not_likely() -> None:
    # Everything the probes can see is fine, and the one cause left has no test that ran (only a
    # question nobody answered): however high its share, nothing points to it, so it is not tested,
    # and the run has no problem to report (a wired computer that saw every smart-home device answer
    # does not blame the hub's Wi-Fi).
    data = copy.deepcopy(base_playbook())
    data["causes"].append(cause("c", 3.0, "wifi.weak-signal"))
    data["tests"].append(
        {
            "id": "qc",
            "kind": "question",
            "text": {
                "en": "Is the hub far away?",
                "de": "Ist die Zentrale weit weg?",
                "fr": "Le pont est-il loin ?",
            },
            "answers": {
                "yes": {"en": "Yes", "de": "Ja", "fr": "Oui"},
                "no": {"en": "No", "de": "Nein", "fr": "Non"},
            },
            "outcomes": ["yes", "no"],
            "normal": {"yes": 0.2, "no": 0.8},
            "effects": {"c": {"yes": 0.8, "no": 0.2}},
            "cost": {"seconds": 20, "user_minutes": 0.5},
        }
    )
    data["remedies"].append(remedy("fix_c", {"c": 0.8}))
    result = run(data, [("interface.up", True), ("gateway.reachable", True)])
    left = by_code(result)["wifi.weak-signal"]
    assert left.probability >= 0.6
    assert left.status is FindingStatus.NOT_TESTED
    assert result.top_finding() is None
