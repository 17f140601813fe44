"""Remedies offered in interactive runs: the verifier re-runs its probe and decides, and the report
records what happened (offered, skipped, fixed, not_fixed, could_not_verify)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import pytest
from engine_builders import base_playbook, compile_data, obs, remedy

from homediag.core.config import Config
from homediag.core.model import Finding, FindingStatus, Observation, RemedyOutcome
from homediag.engine.diagnose import Diagnosis, diagnose_playbook
from homediag.engine.expressions import Budget
from homediag.engine.questions import QuestionSpec, RemedyResult
from homediag.engine.sources import Refreshed, StoredFacts
from homediag.engine.state import RunState
from homediag.engine.trace import Trace
from homediag.engine.variables import Variables


class LiveFacts:
    """A live fact source whose probes measure something else the second time (the user fixed it)."""

    replay = False

    def __init__(self, first: Mapping[str, Any], again: Mapping[str, Any]) -> None:
        self.first = dict(first)
        self.again = dict(again)
        self.refreshed: list[str] = []

    async def obtain(self, facts: Iterable[str]) -> list[Observation]:
        return [obs(f, self.first[f]) for f in facts if f in self.first]

    def can_obtain(self, fact: str) -> bool:
        return fact in self.first

    def cost_s(self, fact: str) -> float:
        return 0.1

    def missing_reason(self, fact: str) -> str | None:
        return None if fact in self.first else "no probe provides it"

    def on_demand(self, fact: str) -> bool:
        return False

    def asked_for(self, fact: str) -> bool:
        return False

    async def refresh(self, facts: Iterable[str]) -> Refreshed:
        wanted = list(facts)
        self.refreshed += wanted
        return Refreshed(tuple(obs(f, self.again[f]) for f in wanted if f in self.again))


class User:
    """An interactive user who answers remedies as scripted and nothing else."""

    interactive = True
    source = "interactive"

    def __init__(self, answers: Mapping[str, str | None]) -> None:
        self.answers = dict(answers)
        self.asked: list[str] = []

    async def ask(self, question: QuestionSpec, lang: str) -> str | None:
        self.asked.append(question.id)
        return self.answers.get(question.id)


def _probe_verified() -> dict[str, Any]:
    """The base playbook whose remedy for ``a`` is verified by the probe test ``ta``."""
    data = base_playbook()
    data["remedies"] = [
        remedy("fix_a", {"a": 0.9}, verify={"test": "ta", "expect": "good"}),
        remedy("fix_b", {"b": 0.8}),
    ]
    return data


def _run(facts: Any, user: Any) -> Diagnosis:
    model = compile_data(_probe_verified())
    return asyncio.run(diagnose_playbook(model, facts=facts, questioner=user, audience="technician"))


def _finding(result: Diagnosis, cause: str) -> Finding:
    return next(f for f in result.findings if f.cause == cause)


def _outcome(finding: Finding, remedy_id: str) -> RemedyOutcome | None:
    return next(r.outcome for r in finding.remedies if r.id == remedy_id)


def _remedy_steps(result: Diagnosis) -> list[dict[str, Any]]:
    return [s for s in result.trace_json() if s["action"] == "remedy"]


def test_a_probe_verifier_measures_again_and_confirms_the_fix() -> None:
    facts = LiveFacts({"interface.up": False, "gateway.reachable": True}, {"interface.up": True})
    user = User({"remedy:fix_a": "done"})
    result = _run(facts, user)
    assert facts.refreshed == ["interface.up"]  # the verifier's fact, measured again
    found = _finding(result, "a")
    assert found.status is FindingStatus.CONFIRMED
    assert found.decided_by == "remedy:fix_a"
    assert _outcome(found, "fix_a") is RemedyOutcome.FIXED
    assert [s["outcome"] for s in _remedy_steps(result)] == ["verified"]


def test_a_probe_verifier_that_still_sees_the_fault_says_not_fixed() -> None:
    facts = LiveFacts({"interface.up": False, "gateway.reachable": True}, {"interface.up": False})
    result = _run(facts, User({"remedy:fix_a": "done"}))
    found = _finding(result, "a")
    assert _outcome(found, "fix_a") is RemedyOutcome.NOT_FIXED
    assert found.status is not FindingStatus.CONFIRMED
    assert [s["outcome"] for s in _remedy_steps(result)] == ["not_fixed"]


def test_a_stored_report_cannot_verify_and_says_so_in_the_trace() -> None:
    facts = StoredFacts([obs("interface.up", False), obs("gateway.reachable", True)])
    result = _run(facts, User({"remedy:fix_a": "done", "remedy:fix_b": "done"}))
    steps = _remedy_steps(result)
    assert steps[0]["test"] == "fix_a" and steps[0]["outcome"] == "done"
    assert steps[0]["note"] == "could not verify: ta: a stored report cannot measure again"
    assert _outcome(_finding(result, "a"), "fix_a") is RemedyOutcome.COULD_NOT_VERIFY
    assert _finding(result, "a").decided_by != "remedy:fix_a"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [(None, RemedyOutcome.OFFERED), ("not_now", RemedyOutcome.SKIPPED)],
    ids=["unanswered", "not now"],
)
def test_a_remedy_not_done_is_recorded_as_offered_or_skipped(
    answer: str | None, expected: RemedyOutcome
) -> None:
    facts = LiveFacts({"interface.up": False, "gateway.reachable": True}, {})
    user = User({"remedy:fix_a": answer})
    result = _run(facts, user)
    assert user.asked == ["remedy:fix_a"]
    assert _outcome(_finding(result, "a"), "fix_a") is expected
    assert _outcome(_finding(result, "b"), "fix_b") is None  # never offered
    assert facts.refreshed == []


def test_remedies_of_a_non_interactive_run_have_no_outcome() -> None:
    facts = StoredFacts([obs("interface.up", False), obs("gateway.reachable", True)])
    result = _run(facts, None)
    assert all(r.outcome is None for f in result.findings for r in f.remedies)


@pytest.mark.parametrize(
    ("observations", "expected"),
    [
        pytest.param([("local", False), ("local", True)], True, id="measured again: the latest"),
        pytest.param([("gateway", 1.0), ("other", 2.0), ("gateway", 3.0)], 3.0, id="first subject, latest"),
        pytest.param([("other", 2.0), ("local", 5.0), ("other", 4.0)], 5.0, id="local wins"),
    ],
)
def test_later_observations_supersede_earlier_ones(
    observations: list[tuple[str, Any]], expected: Any
) -> None:
    run = RunState(
        facts=StoredFacts([]),
        questioner=None,
        audience="technician",
        lang="en",
        config=Config(),
        budget=Budget(),
        trace=Trace(),
        now=datetime(2026, 1, 5, 12),
    )
    run.add_observations(obs("interface.up", value, subject) for subject, value in observations)
    facts = Variables(run, "p", mode="identify", complaint="p").scope()["facts"]
    assert facts["interface.up"] == expected


class Listener(User):
    """A user who also hears each remedy's verdict (the guided flow)."""

    def __init__(self, answers: Mapping[str, str | None]) -> None:
        super().__init__(answers)
        self.offers: list[QuestionSpec] = []
        self.verdicts: list[tuple[str, RemedyOutcome, str]] = []

    async def ask(self, question: QuestionSpec, lang: str) -> str | None:
        if question.offer is not None:
            self.offers.append(question)
        return await super().ask(question, lang)

    async def remedy_result(self, result: RemedyResult, lang: str) -> None:
        self.verdicts.append((result.remedy, result.outcome, result.title_in(lang)))


@pytest.mark.parametrize("answer", ["skip", "cannot"])
def test_a_remedy_skipped_or_impossible_makes_way_for_the_next(answer: str) -> None:
    facts = LiveFacts({"interface.up": False, "gateway.reachable": True}, {})
    user = User({"remedy:fix_a": answer})
    result = _run(facts, user)
    assert user.asked == ["remedy:fix_a", "remedy:fix_b"]
    assert _outcome(_finding(result, "a"), "fix_a") is RemedyOutcome.SKIPPED
    assert _outcome(_finding(result, "b"), "fix_b") is RemedyOutcome.OFFERED  # unanswered: the end
    notes = [s["note"] for s in _remedy_steps(result)]
    assert notes == [{"skip": "skipped", "cannot": "the user cannot do it"}[answer], "not done"]


@pytest.mark.parametrize(
    ("again", "outcome"),
    [({"interface.up": True}, RemedyOutcome.FIXED), ({"interface.up": False}, RemedyOutcome.NOT_FIXED)],
    ids=["fixed", "still broken"],
)
def test_a_listening_questioner_hears_the_verdict(again: dict[str, Any], outcome: RemedyOutcome) -> None:
    facts = LiveFacts({"interface.up": False, "gateway.reachable": True}, again)
    user = Listener({"remedy:fix_a": "done"})
    _run(facts, user)
    assert user.verdicts[0] == ("fix_a", outcome, "fix_a title")


def test_a_remedy_offer_says_what_was_found_and_what_it_disturbs() -> None:
    data = _probe_verified()
    disrupts = {"en": "Offline for 3 min", "de": "3 Min. offline", "fr": "Hors ligne 3 min"}
    data["remedies"][0].update(disruptive=True, disrupts=disrupts)
    model = compile_data(data)
    facts = LiveFacts({"interface.up": False, "gateway.reachable": True}, {})
    user = Listener({"remedy:fix_a": "skip", "remedy:fix_b": "skip"})
    asyncio.run(diagnose_playbook(model, facts=facts, questioner=user, audience="customer", lang="de"))
    first, second = (q.offer for q in user.offers)
    assert first is not None and second is not None
    assert (first.remedy, first.target, first.number) == ("fix_a", "a", 1)
    assert first.disrupts_in("de") == "3 Min. offline" and first.disruptive
    assert first.findings[0].cause == "a"  # the findings as they stood, the most likely first
    found = first.target_finding()
    assert found is not None and found.evidence  # what points at it, to say before asking
    assert (second.remedy, second.target, second.number, second.disrupts) == ("fix_b", "b", 2, None)


def test_calling_the_provider_is_not_offered_as_a_step() -> None:
    data = _probe_verified()
    data["remedies"].append(remedy("call_isp", {"a": 0.99}, kind="contact", cost={"seconds": 1}))
    model = compile_data(data)
    facts = LiveFacts({"interface.up": False, "gateway.reachable": True}, {"interface.up": False})
    user = User({"remedy:fix_a": "done", "remedy:fix_b": "skip"})
    asyncio.run(diagnose_playbook(model, facts=facts, questioner=user, audience="customer"))
    assert "remedy:call_isp" not in user.asked and "remedy:fix_a" in user.asked
