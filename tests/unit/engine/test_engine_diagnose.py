"""The orchestrating API: evidence, questions, remedies, findings and their statuses."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from engine_builders import (
    CATALOGUE,
    base_playbook,
    cause,
    compile_data,
    obs,
    probe_test,
    question,
    remedy,
    text,
)

from homediag.core.errors import UsageError
from homediag.core.model import (
    Finding,
    FindingStatus,
    Observation,
    Outcome,
    ProbeRun,
    Report,
    RunContext,
)
from homediag.engine.catalog import PlaybookSet, load_playbooks
from homediag.engine.diagnose import (
    STATUS_RANK,
    AnswerFile,
    Diagnosis,
    QuestionSpec,
    StoredFacts,
    diagnose,
    diagnose_playbook,
    merge_by_code,
)
from homediag.engine.model import PlaybookModel
from homediag.engine.sources import Refreshed
from homediag.engine.trace import ACTIONS
from homediag.engine.trace_schema import TRACE_STEP_SCHEMA


class FakeFacts:
    """A live-like fact source: records what the engine asked for; some facts cannot be had."""

    replay = False

    def __init__(
        self,
        values: Mapping[str, Any],
        costs: Mapping[str, float] | None = None,
        unavailable: Iterable[str] = (),
    ) -> None:
        self.values = dict(values)
        self.costs = dict(costs or {})
        self.unavailable = set(unavailable)
        self.asked: list[list[str]] = []
        self.refreshed: list[str] = []

    async def obtain(self, facts: Iterable[str]) -> list[Observation]:
        wanted = list(facts)
        self.asked.append(wanted)
        return [obs(f, self.values[f]) for f in wanted if f in self.values]

    def can_obtain(self, fact: str) -> bool:
        return fact not in self.unavailable

    def cost_s(self, fact: str) -> float:
        return self.costs.get(fact, 1.0)

    def missing_reason(self, fact: str) -> str | None:
        return "net.gateway timeout: did not finish within 8 s" if fact not in self.values else None

    def on_demand(self, fact: str) -> bool:
        return False

    def asked_for(self, fact: str) -> bool:
        return False

    async def refresh(self, facts: Iterable[str]) -> Refreshed:
        return Refreshed(refused="this fake cannot measure again")


class Scripted:
    """An interactive questioner with scripted answers (remedies are offered to it)."""

    interactive = True
    source = "interactive"

    def __init__(self, answers: Mapping[str, str | list[str]]) -> None:
        self.answers = {k: list(v) if isinstance(v, list) else [v] for k, v in answers.items()}
        self.seen: list[QuestionSpec] = []

    async def ask(self, question: QuestionSpec, lang: str) -> str | None:
        self.seen.append(question)
        queue = self.answers.get(question.id)
        if not queue:
            return None
        return queue.pop(0) if len(queue) > 1 else queue[0]


def run(model: PlaybookModel, facts: Any, questioner: Any = None, **kwargs: Any) -> Diagnosis:
    return asyncio.run(diagnose_playbook(model, facts=facts, questioner=questioner, **kwargs))


def by_cause(diagnosis: Diagnosis) -> dict[str, Finding]:
    return {f.cause: f for f in diagnosis.findings if f.cause}


@pytest.fixture(scope="module")
def builtin() -> PlaybookSet:
    return load_playbooks()


# --- evidence and lazy probing -------------------------------------------------------------


def test_free_probes_first_then_only_the_probes_that_discriminate() -> None:
    model = compile_data(base_playbook())
    facts = FakeFacts({"interface.up": False, "gateway.reachable": True})
    result = run(model, facts, audience="technician")
    assert facts.asked[0] == ["interface.up"]  # the free probe, in one batch
    assert all("gateway.reachable" not in batch for batch in facts.asked)  # a is already certain
    assert result.findings[0].cause == "a"
    assert result.findings[0].status is FindingStatus.CONFIRMED


def test_a_fact_that_was_not_observed_gives_no_evidence(builtin: PlaybookSet) -> None:
    model = builtin.get("no-internet")
    values = {
        "interface.up": True,
        "interface.has_ipv4": True,
        "dns.resolvers": ["192.0.2.1"],
        "dns.any_ok": False,
    }
    facts = FakeFacts(values)  # gateway.reachable and loss are missing: the probe timed out
    result = run(model, facts, audience="technician")
    step = next(s for s in result.trace_json() if s.get("test") == "gateway_reply")
    assert step["outcome"] is None
    assert "could not be run" in step["note"] and "timeout" in step["note"]
    assert "ruled_out" not in step and "ruled_in" not in step
    assert by_cause(result)["gateway_down"].status is not FindingStatus.RULED_OUT


def test_an_uninformative_observation_changes_nothing() -> None:
    data = base_playbook()
    data["tests"].append(
        {
            "id": "flat",
            "kind": "probe",
            "fact": "dns.any_ok",
            "map": "value ? 'x' : 'y'",
            "outcomes": ["x", "y"],
            "normal": {"x": 0.5, "y": 0.5},
            "cost": {"seconds": 0.1},
        }
    )
    model = compile_data(data)
    with_flat = run(model, StoredFacts([obs("dns.any_ok", True)]), audience="technician")
    without = run(model, StoredFacts([]), audience="technician")
    assert [(f.cause, f.probability) for f in with_flat.findings] == [
        (f.cause, f.probability) for f in without.findings
    ]


# --- questions -----------------------------------------------------------------------------


def test_non_interactive_runs_leave_questions_unasked_and_go_on() -> None:
    model = compile_data(base_playbook())
    result = run(model, StoredFacts([]), None, audience="technician")
    assert [(q.id, q.source, q.answer) for q in result.questions] == [("qa", "unasked", None)]
    step = next(s for s in result.trace_json() if s["action"] == "question")
    assert step["note"] == "not asked: non-interactive run"
    assert result.trace_json()[-1]["action"] == "stop"


def test_answers_file(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text("qa: yes\nsample/other: no\n", encoding="utf-8")
    answers = AnswerFile.load(path)
    assert answers.answers == {"qa": "yes", "sample/other": "no"}
    model = compile_data(base_playbook())
    result = run(model, StoredFacts([]), answers, audience="technician")
    assert [(q.id, q.answer, q.source) for q in result.questions] == [("qa", "yes", "answers-file")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param("qa: true\n", "must be a string", id="boolean answer"),
        pytest.param("- qa\n", "must map question ids", id="a list"),
        pytest.param("qa: [\n", "not valid YAML", id="broken YAML"),
    ],
)
def test_bad_answers_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UsageError, match=message):
        AnswerFile.load(path)


def test_an_answer_that_is_not_an_outcome_is_ignored() -> None:
    model = compile_data(base_playbook())
    result = run(model, StoredFacts([]), AnswerFile({"qa": "perhaps"}), audience="technician")
    step = next(s for s in result.trace_json() if s["action"] == "question")
    assert step["outcome"] is None
    assert "not one of" in step["note"]


# --- remedies and verifiers ----------------------------------------------------------------


def test_a_passed_verifier_confirms_the_finding() -> None:
    model = compile_data(base_playbook())
    questioner = Scripted({"qa": ["yes", "no"], "remedy:fix_a": "done"})
    result = run(model, StoredFacts([]), questioner, audience="technician")
    finding = by_cause(result)["a"]
    assert finding.status is FindingStatus.CONFIRMED
    assert finding.decided_by == "remedy:fix_a"
    remedy_step = next(s for s in result.trace_json() if s["action"] == "remedy")
    assert remedy_step["outcome"] == "verified"
    assert [q.kind for q in questioner.seen] == ["question", "remedy", "verify"]


def test_a_failed_remedy_is_evidence_against_its_causes() -> None:
    model = compile_data(base_playbook())
    questioner = Scripted({"qa": "yes", "remedy:fix_a": "done", "remedy:fix_b": "not_now"})
    result = run(model, StoredFacts([]), questioner, audience="technician")
    failed = next(s for s in result.trace_json() if s["action"] == "remedy")
    assert failed["outcome"] == "not_fixed"
    assert by_cause(result)["a"].status is not FindingStatus.CONFIRMED
    before = next(s for s in result.trace_json() if s["action"] == "question")["posterior_top"]
    assert dict(failed["posterior_top"]).get("a", 0.0) < dict(before)["a"]


def _customer_safe(data: dict[str, Any], *ids: str) -> dict[str, Any]:
    for item in data["remedies"]:
        if item["id"] in ids:
            item["safe_for_customer"] = True
    return data


def test_repair_mode_offers_a_cheap_remedy_before_a_dear_question() -> None:
    model = compile_data(_customer_safe(base_playbook(), "fix_b"))
    questioner = Scripted({"remedy:fix_b": "not_now"})
    result = run(model, StoredFacts([]), questioner, audience="customer")
    assert [q.id for q in questioner.seen] == ["remedy:fix_b"]
    assert "ECO" in result.trace_json()[-1]["note"] or "expected cost" in result.trace_json()[-1]["note"]


def test_a_remedy_that_does_not_say_it_is_safe_is_never_offered_to_a_customer() -> None:
    """``safe_for_customer`` defaults to false: a remedy written without the flag stays technician-only."""
    model = compile_data(base_playbook())
    questioner = Scripted({"remedy:fix_b": "not_now"})
    run(model, StoredFacts([]), questioner, audience="customer")
    assert "remedy:fix_b" not in [q.id for q in questioner.seen]
    assert model.remedy("fix_b").spec.safe_for_customer is False


def test_remedies_are_listed_in_p_over_c_order_without_being_applied() -> None:
    data = base_playbook()
    data["remedies"].append(remedy("cheap_a", {"a": 0.5}, cost={"seconds": 5}))
    model = compile_data(data)
    result = run(model, StoredFacts([obs("interface.up", False)]), None, audience="technician")
    finding = by_cause(result)["a"]
    assert [r.id for r in finding.remedies] == ["cheap_a", "fix_a"]
    assert not any(s["action"] == "remedy" for s in result.trace_json())


# --- statuses and findings -----------------------------------------------------------------


def test_statuses_and_sorting() -> None:
    model = compile_data(base_playbook())
    facts = StoredFacts([obs("interface.up", False), obs("gateway.reachable", True)])
    result = run(model, facts, audience="technician")
    findings = by_cause(result)
    assert findings["a"].status is FindingStatus.CONFIRMED
    assert findings["b"].status is FindingStatus.RULED_OUT
    assert findings["b"].decided_by in ("ta", "tb")
    ranks = [(STATUS_RANK[f.status], -f.probability) for f in result.findings]
    assert ranks == sorted(ranks)
    assert findings["a"].evidence and findings["a"].evidence[0].likelihood_ratio >= 10


def test_a_winning_leak_becomes_unknown_with_escalation() -> None:
    model = compile_data(base_playbook())
    facts = StoredFacts([obs("interface.up", True), obs("gateway.reachable", True)])
    result = run(model, facts, AnswerFile({"qa": "no"}), audience="technician")
    unknown = [f for f in result.findings if f.code == "unknown"]
    assert len(unknown) == 1
    assert unknown[0].status is FindingStatus.POSSIBLE
    assert [r.id for r in unknown[0].remedies] == ["escalate"]


def test_escalation_only_cause() -> None:
    data = base_playbook()
    data["causes"][1] = cause("b", 0.4, "wan.cgnat", escalation_only=True)
    data["remedies"] = data["remedies"][:1]
    model = compile_data(data)
    result = run(
        model,
        StoredFacts([obs("interface.up", True), obs("gateway.reachable", False)]),
        audience="technician",
    )
    assert [r.id for r in by_cause(result)["b"].remedies] == ["escalate"]


def test_a_test_outside_its_window_is_deferred_and_its_cause_too() -> None:
    data = base_playbook()
    data["tests"][1]["valid_if"] = "answers.qa == 'yes'"
    data["tests"][1]["window"] = text("while it happens")
    model = compile_data(data)
    facts = StoredFacts([obs("interface.up", True), obs("gateway.reachable", True)])
    result = run(model, facts, AnswerFile({"qa": "no"}), audience="technician")
    assert not any(s.get("test") == "tb" for s in result.trace_json() if s["action"] != "stop")
    assert result.trace_json()[-1]["deferred"] == ["tb"]
    # never exonerated by tb, and nothing points to it: deferred, however high its share
    assert by_cause(result)["b"].status is FindingStatus.DEFERRED


def test_translations(builtin: PlaybookSet) -> None:
    facts = StoredFacts([obs("interface.up", False)])
    german = asyncio.run(
        diagnose(
            "no-internet",
            facts=facts,
            questioner=None,
            playbooks=builtin,
            audience="technician",
            lang="de",
        )
    )
    assert german.findings[0].title == "Dieser Computer ist nicht mit dem Netzwerk verbunden"
    assert german.findings[0].evidence[0].text.startswith("Die Netzwerkschnittstelle")


def test_unknown_complaint_and_bad_options(builtin: PlaybookSet) -> None:
    with pytest.raises(UsageError, match="unknown complaint 'toaster'"):
        asyncio.run(diagnose("toaster", facts=StoredFacts([]), questioner=None, playbooks=builtin))
    model = builtin.get("no-internet")
    with pytest.raises(UsageError, match="unsupported language"):
        run(model, StoredFacts([]), lang="it")
    with pytest.raises(UsageError, match="unknown mode"):
        run(model, StoredFacts([]), mode="guess")


def test_not_applicable(builtin: PlaybookSet) -> None:
    result = asyncio.run(
        diagnose(
            "wifi",
            facts=StoredFacts([obs("interface.kind", "wired"), obs("wifi.present", False)]),
            questioner=None,
            playbooks=builtin,
        )
    )
    assert result.not_applicable is not None and "Wi-Fi" in result.not_applicable
    assert result.findings == ()


def test_merge_by_code_keeps_the_most_probable() -> None:
    low = Finding(code="dns.slow", status=FindingStatus.POSSIBLE, probability=0.2, title="a")
    high = Finding(code="dns.slow", status=FindingStatus.LIKELY, probability=0.7, title="b")
    other = Finding(code="wan.slow", status=FindingStatus.RULED_OUT, probability=0.0, title="c")
    assert merge_by_code([low, other, high]) == (high, other)


def test_checkup_uses_no_complaint(builtin: PlaybookSet) -> None:
    result = asyncio.run(
        diagnose(
            None, facts=StoredFacts([obs("interface.up", True)]), questioner=None, playbooks=builtin
        )
    )
    assert result.complaint == "checkup"
    assert {ref.id for ref in result.playbooks} >= {"checkup", "no-internet"}
    codes = [f.code for f in result.findings]
    assert len(codes) == len(set(codes))


# --- replay and the trace ------------------------------------------------------------------


def test_stored_facts_from_a_report_explain_failed_probes(builtin: PlaybookSet) -> None:
    report = Report(
        run_id="r1",
        started_at="",
        finished_at="",
        complete=False,
        context=RunContext(platform="linux", mode="replay"),
        observations=(obs("interface.up", True), obs("interface.has_ipv4", True)),
        probe_runs=(
            ProbeRun(
                probe="net.gateway",
                outcome=Outcome.TIMEOUT,
                duration_s=8.0,
                reason="did not finish within 8 s",
            ),
        ),
    )
    facts = StoredFacts.from_report(report, CATALOGUE)
    assert (
        facts.missing_reason("gateway.reachable")
        == "net.gateway timeout: did not finish within 8 s"
    )
    result = run(builtin.get("no-internet"), facts, audience="technician")
    assert all(
        s["action"] in ("replay", "question", "stop", "multi_fault", "infer") for s in result.trace_json()
    )


def test_trace_steps_are_json_and_documented(builtin: PlaybookSet) -> None:
    facts = StoredFacts(
        [
            obs("interface.up", True),
            obs("interface.has_ipv4", True),
            obs("dns.resolvers", ["192.0.2.1"]),
            obs("gateway.reachable", True),
            obs("gateway.loss_pct", 23.0),
            obs("dns.any_ok", False),
            obs("ip.conflict", False),
        ]
    )
    result = run(
        builtin.get("no-internet"),
        facts,
        AnswerFile({"other_devices": "yes"}),
        audience="technician",
    )
    text_form = json.dumps(result.trace_json(), allow_nan=False)
    assert json.loads(text_form) == result.trace_json()
    validator = jsonschema.Draft202012Validator(TRACE_STEP_SCHEMA)
    for n, step in enumerate(result.trace_json(), 1):
        assert step["n"] == n
        assert step["action"] in ACTIONS
        validator.validate(step)
    assert any(s["action"] == "multi_fault" for s in result.trace_json())
    picked = [s for s in result.trace_json() if s.get("why", {}).get("rule") == "EIG/cost"]
    assert picked and all("runners_up" in s["why"] for s in picked)


def test_sensitive_values_stay_out_of_the_trace() -> None:
    model = compile_data(base_playbook())
    secret = Observation(fact="interface.up", value=False, source="t", sensitive=True)
    result = run(model, StoredFacts([secret]), audience="technician")
    step = next(s for s in result.trace_json() if s.get("test") == "ta")
    assert step["outcome"] == "bad"
    assert "value" not in step


def test_question_spec_texts() -> None:
    spec = QuestionSpec(
        id="q",
        playbook="p",
        kind="question",
        text=text("Is it on?"),
        answers=(("yes", text("Yes")), ("no", text("No"))),
    )
    assert spec.text_in("fr") == "Is it on? (fr)"
    assert spec.answer_labels("de") == [("yes", "Yes (de)"), ("no", "No (de)")]
    assert spec.keys == ("yes", "no")


def test_questions_only_for_allowed_audiences() -> None:
    data = base_playbook()
    data["tests"][2] = question("qa", {"a": {"yes": 0.9, "no": 0.1}}, ask=["technician"])
    model = compile_data(data)
    result = run(model, StoredFacts([]), AnswerFile({"qa": "yes"}), audience="customer")
    assert not any(s["action"] == "question" for s in result.trace_json())


class RefreshingFacts(FakeFacts):
    """A live-like source that can measure again (for experiments and verifiers)."""

    def __init__(self, values: Mapping[str, Any], fresh: Mapping[str, Any]) -> None:
        super().__init__(values)
        self.fresh = dict(fresh)

    async def refresh(self, facts: Iterable[str]) -> Refreshed:
        wanted = list(facts)
        self.refreshed.extend(wanted)
        return Refreshed(tuple(obs(f, self.fresh[f]) for f in wanted if f in self.fresh))


def _experiment_playbook() -> dict[str, Any]:
    data = base_playbook()
    data["tests"] = [
        {
            "id": "replug",
            "kind": "experiment",
            "text": text("Plug the cable in again"),
            "fact": "interface.up",
            "map": "value ? 'good' : 'bad'",
            "outcomes": ["good", "bad"],
            "normal": {"good": 0.95, "bad": 0.05},
            "effects": {"a": {"good": 0.03, "bad": 0.97}},
            "cost": {"seconds": 5, "user_minutes": 1},
        },
        data["tests"][2],
    ]
    return data


def test_an_experiment_measures_again_after_the_user_acts() -> None:
    model = compile_data(_experiment_playbook())
    facts = RefreshingFacts({}, {"interface.up": True})
    questioner = Scripted({"replug": "done", "qa": "no", "remedy:fix_b": "not_now"})
    result = run(model, facts, questioner, audience="technician")
    step = next(s for s in result.trace_json() if s.get("test") == "replug")
    assert step["outcome"] == "good"
    assert facts.refreshed == ["interface.up"]
    assert questioner.seen[0].kind == "experiment"


def test_experiments_need_an_interactive_run_that_can_measure_again() -> None:
    model = compile_data(_experiment_playbook())
    result = run(model, FakeFacts({}), AnswerFile({"replug": "done"}), audience="technician")
    assert not any(s.get("test") == "replug" for s in result.trace_json() if s["action"] != "stop")
    assert ["replug", "needs an interactive run that can measure again"] in result.trace_json()[-1][
        "unavailable"
    ]


@pytest.mark.parametrize(
    ("hour", "runs"),
    [
        pytest.param(20, True, id="inside the window"),
        pytest.param(10, False, id="outside"),
        pytest.param(None, False, id="no clock: closed"),
    ],
)
def test_time_windows_use_the_given_clock(hour: int | None, runs: bool) -> None:
    from datetime import datetime

    data = base_playbook()
    data["tests"][1]["valid_if"] = "ctx.hour >= 18 && ctx.hour <= 23"
    data["tests"][1]["window"] = text("in the evening")
    model = compile_data(data)
    now = None if hour is None else datetime(2026, 1, 5, hour, 0)
    facts = StoredFacts([obs("interface.up", True), obs("gateway.reachable", False)])
    result = run(model, facts, audience="technician", now=now)
    ran = any(s.get("test") == "tb" for s in result.trace_json() if s["action"] == "replay")
    assert ran is runs
    assert ("tb" in result.trace_json()[-1].get("deferred", [])) is not runs


def test_top_finding_is_the_most_probable_problem() -> None:
    confirmed = Finding(code="a.b", status=FindingStatus.CONFIRMED, probability=0.91, title="a")
    likely = Finding(code="c.d", status=FindingStatus.LIKELY, probability=0.95, title="c")
    possible = Finding(code="e.f", status=FindingStatus.POSSIBLE, probability=0.99, title="e")
    diagnosis = Diagnosis(
        complaint="x", findings=(confirmed, likely, possible), trace=(), questions=(), playbooks=()
    )
    assert diagnosis.top_finding() is likely
    assert (
        Diagnosis(
            complaint="x", findings=(possible,), trace=(), questions=(), playbooks=()
        ).top_finding()
        is None
    )


def test_an_interaction_finding_names_its_member_codes() -> None:
    data = base_playbook()
    data["causes"][0]["prior"] = 0.4
    data["causes"][1]["prior"] = 0.35
    data["interactions"] = [
        {
            "id": "both",
            "code": "wan.bufferbloat",
            "prior": 0.15,
            "all_of": ["a", "b"],
            "title": text("both"),
            "explanation": text("both"),
            "details": text("both"),
        }
    ]
    model = compile_data(data)
    facts = StoredFacts([obs("interface.up", False), obs("gateway.reachable", False)])
    result = run(model, facts, audience="technician")
    finding = by_cause(result)["both"]
    assert finding.code == "wan.bufferbloat"
    assert finding.members == ("gateway.unreachable", "link.no-connection")
    assert finding.status.is_problem
    assert {r.id for r in finding.remedies} == {"fix_a", "fix_b"}  # breaking either conjunct


def _checkup_of(member: dict[str, Any]) -> PlaybookSet:
    checkup = base_playbook()
    checkup.update(
        id="checkup",
        complaints=["checkup"],
        includes=["sample"],
        healthy_prior=0.9,
        causes=[cause("c", 0.9, "dns.hijack", escalation_only=True)],
        tests=[],
        remedies=[],
    )
    return PlaybookSet((compile_data(member), compile_data(checkup)))


@pytest.mark.parametrize(
    ("prevalence", "status"),
    [(None, FindingStatus.POSSIBLE), (0.2, FindingStatus.CONFIRMED)],
    ids=["complaint prior", "prevalence"],
)
def test_a_checkup_weighs_a_latent_fault_by_its_prevalence(
    prevalence: float | None, status: FindingStatus
) -> None:
    member = base_playbook()
    extra = {} if prevalence is None else {"prevalence": prevalence}
    member["causes"] = [
        cause("a", 0.05, "link.no-connection", **extra),
        cause("b", 0.85, "gateway.unreachable"),
    ]
    member["tests"][0]["normal"] = {"good": 0.99, "bad": 0.01}
    facts = StoredFacts([obs("interface.up", False), obs("gateway.reachable", True)])
    result = asyncio.run(diagnose(None, facts=facts, questioner=None, playbooks=_checkup_of(member)))
    found = {f.code: f for f in result.findings}["link.no-connection"]
    assert found.status is status, found


def test_facts_a_map_names_are_obtained_with_the_test_fact() -> None:
    data = base_playbook()
    data["tests"][0]["map"] = [
        {"outcome": "good", "when": "value == true || facts['interface.has_ipv4'] == true"},
        {"outcome": "bad", "when": "true"},
    ]
    model = compile_data(data)
    assert model.test("ta").reads == ("interface.up", "interface.has_ipv4")
    facts = FakeFacts({"interface.up": False, "interface.has_ipv4": True, "gateway.reachable": True})
    result = run(model, facts)
    assert ["interface.has_ipv4", "interface.up"] in facts.asked
    step = next(s for s in result.trace_json() if s.get("test") == "ta")
    assert step["outcome"] == "good"


BAD = {"good": 0.03, "bad": 0.97}
HALF = {"good": 0.5, "bad": 0.5}


def test_a_cause_a_normal_finding_exonerated_does_not_block_multi_fault_candidates() -> None:
    data = base_playbook()
    data["causes"] = [
        cause("a", 0.3, "link.no-connection"),
        cause("b", 0.3, "gateway.unreachable"),
        cause("c", 0.3, "ip.conflict"),
    ]
    data["tests"] = [
        probe_test("ta", "interface.up", {"a": dict(BAD), "c": dict(HALF)}),
        probe_test("tb", "gateway.reachable", {"b": dict(BAD), "c": dict(HALF)}),
        probe_test("tc", "dns.any_ok", {"c": dict(BAD)}),
    ]
    for test in data["tests"]:
        test["normal"] = {"good": 0.97, "bad": 0.03}
        test["cost"] = {"seconds": 0.1}
    data["remedies"] = [remedy(f"fix_{c}", {c: 0.9}) for c in "abc"]
    seen = [obs("interface.up", False), obs("gateway.reachable", False), obs("dns.any_ok", True)]
    facts = StoredFacts(seen)
    result = run(compile_data(data), facts)
    candidates = [s for s in result.trace_json() if s["action"] == "multi_fault"]
    assert candidates and ["a", "b"] in candidates[0]["candidates"]
    found = by_cause(result)
    assert found["c"].probability < 0.05 < found["a"].probability


def test_applies_if_obtains_the_facts_its_condition_names() -> None:
    data = base_playbook()
    data["applies_if"] = {
        "fact": "interface.up",
        "when": "value == true && facts['gateway.reachable'] == true",
        "reason": text("No router here."),
    }
    facts = FakeFacts({"interface.up": True, "gateway.reachable": False})
    result = run(compile_data(data), facts)
    assert facts.asked[0] == ["interface.up", "gateway.reachable"]
    assert result.not_applicable == "No router here."
