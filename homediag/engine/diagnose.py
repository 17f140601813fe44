"""The engine's public face: diagnose a complaint from observations (live or stored) and answers.

::

    playbooks = load_playbooks()                       # validated; PlaybookError names file:line
    result = await diagnose("no-internet", facts=StoredFacts(report.observations),
                            questioner=AnswerFile.load(Path("answers.yaml")), playbooks=playbooks)
    result.findings, result.trace, result.questions

How one playbook is worked through (DESIGN.md, Playbooks and the engine):

1. ``applies_if``: a playbook that does not apply (no wireless interface) gives a plain verdict.
2. Free automatic probes first: every probe test whose author cost is at most ``free_cost_s``, or
   whose fact is already observed, is obtained in one batch and applied in declaration order.
3. Questions marked ``ask_first``.
4. Then one test at a time: by expected information per cost (identify mode) or by expected cost of
   repair (repair mode), until a hypothesis reaches the threshold or no test is worth its cost.
   Probes are obtained lazily from the :class:`FactSource`, so only the probes that discriminate are
   run.
5. When the leak grows or no single cause explains the abnormal findings, multi-fault candidates
   (minimal hitting sets of up to 3 causes) join the hypotheses and the evidence is replayed.
6. Interactive runs only: remedies in P-over-C order, each verified by re-running its verifier test;
   a failed remedy is evidence (its causes become less likely) and testing resumes.

A test outside its validity window is deferred: it is not run and rules nothing out. A test whose
fact was not observed (the probe failed, timed out or does not apply) gives no evidence; the trace
says why. ``checkup`` runs the free tests of every complete playbook it includes, with a "nothing is
wrong" hypothesis since no complaint was made, follows up where they point, and merges findings by
code. It obtains the members' free facts in one batch first, so their probes run together; causes
with a ``prevalence`` get it as their prior there; on-demand probes (the speed test) are left out
unless the user asked for them (``--speedtest``), in which case they run after the free batch.

A test's map may read other facts (``facts['x']``): they are obtained with the test's own.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from homediag.core.codes import UNKNOWN
from homediag.core.config import Config
from homediag.core.errors import PlaybookError, UsageError
from homediag.core.facts import FactCatalogue
from homediag.core.i18n import N_, SUPPORTED_LANGUAGES, gettext_for
from homediag.core.model import (
    EvidenceItem,
    Finding,
    FindingStatus,
    Observation,
    Outcome,
    PlaybookRef,
    Question,
    Remedy,
    Report,
)
from homediag.engine.catalog import CHECKUP, PlaybookSet, load_playbooks
from homediag.engine.expressions import Budget, Expression, ExpressionError, Scope
from homediag.engine.hitting import minimal_hitting_sets
from homediag.engine.inference import Belief
from homediag.engine.loader import LoadError, load_bytes
from homediag.engine.model import (
    HEALTHY_ID,
    LEAK_ID,
    CompiledRemedy,
    CompiledTest,
    Hypothesis,
    MapResult,
    PlaybookModel,
    match_holds,
)
from homediag.engine.selection import (
    Candidate,
    Choice,
    RemedyOption,
    choose_identify,
    choose_repair,
    repair_plan,
)
from homediag.engine.trace import RULED_IN_LR, RULED_OUT_LR, Trace, rounded

__all__ = [
    "AnswerFile",
    "Diagnosis",
    "FactSource",
    "NoQuestions",
    "PlaybookError",
    "PlaybookSet",
    "QuestionSpec",
    "Questioner",
    "StoredFacts",
    "diagnose",
    "diagnose_playbook",
    "load_playbooks",
]

MAX_STEPS = 80
MAX_REMEDIES_TRIED = 5
MULTI_FAULT_CANDIDATES = 10
ABNORMAL_P = 0.2
"""An outcome is abnormal when its chance with nothing wrong is at most this."""
EXPLAINS_RATIO = 3.0
"""A cause can explain an abnormal finding when it makes it at least this much more likely."""
EXONERATES_RATIO = 0.1
"""A normal finding exonerates a cause that makes it at least this much less likely."""
TESTED_DELTA = 0.05
STATUS_RANK = {
    FindingStatus.CONFIRMED: 0,
    FindingStatus.LIKELY: 1,
    FindingStatus.POSSIBLE: 2,
    FindingStatus.DEFERRED: 3,
    FindingStatus.NOT_TESTED: 4,
    FindingStatus.RULED_OUT: 5,
}
UNKNOWN_TITLE = N_("The cause could not be identified")
UNKNOWN_EXPLANATION = N_(
    "None of the causes homediag knows explains what it observed. "
    "Hand this report to a technician or your provider."
)
UNKNOWN_DETAILS = N_(
    "The leak hypothesis (a cause this playbook does not model) is the most probable. "
    "Escalate with the report: observations and trace are included."
)
ANSWERED = N_("{question} Answer: {answer}")
TEST_OUTCOME = N_("{test}: {outcome}")
ON_DEMAND_NOTE = "its probe runs on demand only (the speed test): a checkup needs --speedtest"
CONFIRMED_P = 0.9
CONFIRMED_LR = 10.0
LIKELY_P = 0.6
POSSIBLE_P = 0.1
TIE_P = 1e-9
"""Probabilities closer than this are equal: renormalising after a test that changes nothing must not
turn a tie into an order."""
RULED_OUT_P = 0.01


# --- what the engine talks to -------------------------------------------------------------------


@runtime_checkable
class FactSource(Protocol):
    """Where the engine gets observations. Live: the runner (runs providers lazily). Replay: stored
    ones.

    Optional extras, used when present: ``missing_reason(fact) -> str | None`` (why a fact was not
    observed), ``async refresh(facts) -> list[Observation]`` (measure again, for remedy verifiers),
    ``replay: bool`` (trace steps say ``replay`` instead of ``probe``), ``on_demand(fact) -> bool``
    (its probe runs only when a complaint needs it, like the speed test: a checkup leaves it out) and
    ``asked_for(fact) -> bool`` (the user asked for such a probe anyway, ``--speedtest``: a checkup
    runs it right after its free probes).
    """

    async def obtain(self, facts: Iterable[str]) -> list[Observation]:
        """Make sure ``facts`` are observed (run their probes once); return their observations."""
        ...

    def can_obtain(self, fact: str) -> bool:
        """Whether a provider exists and may run (risk and platform gates), or it is observed."""
        ...

    def cost_s(self, fact: str) -> float:
        """Expected seconds to obtain ``fact`` (0 when already observed)."""
        ...


@dataclass(frozen=True)
class QuestionSpec:
    """A question for the user (or an experiment, a remedy step, a verifier), in every language."""

    id: str
    playbook: str
    kind: str
    """``question``, ``experiment``, ``remedy`` or ``verify``."""
    text: Mapping[str, str]
    answers: tuple[tuple[str, Mapping[str, str]], ...]
    """(answer key, label by language), in order."""
    steps: tuple[Mapping[str, str], ...] = ()
    """For remedies: the steps to do."""

    def text_in(self, lang: str) -> str:
        """The question text in ``lang`` (English when missing)."""
        return self.text.get(lang) or self.text.get("en", self.id)

    def answer_labels(self, lang: str) -> list[tuple[str, str]]:
        """(key, label) pairs in ``lang``."""
        return [(key, labels.get(lang) or labels.get("en", key)) for key, labels in self.answers]

    def steps_in(self, lang: str) -> list[str]:
        """The remedy steps in ``lang``."""
        return [step.get(lang) or step.get("en", "") for step in self.steps]

    @property
    def keys(self) -> tuple[str, ...]:
        """The answer keys."""
        return tuple(key for key, _ in self.answers)


class Questioner(Protocol):
    """Asks the user. Optional attributes: ``interactive: bool`` (remedies are offered and verified
    only in interactive runs) and ``source: str`` (recorded with each answer)."""

    async def ask(self, question: QuestionSpec, lang: str) -> str | None:
        """The answer key, or None when unanswered."""
        ...


class NoQuestions:
    """A questioner that never answers (``--non-interactive`` passes ``None`` instead, which also
    records the questions as unasked)."""

    interactive = False
    source = "unasked"

    async def ask(self, question: QuestionSpec, lang: str) -> str | None:
        """Never answers."""
        del question, lang
        return None


class StoredFacts:
    """Replay: observations from a stored report. Never touches the network."""

    replay = True

    def __init__(self, observations: Iterable[Observation], reasons: Mapping[str, str] | None = None) -> None:
        self._observations = tuple(observations)
        self._facts = frozenset(obs.fact for obs in self._observations)
        self._reasons = dict(reasons or {})

    @classmethod
    def from_report(cls, report: Report, catalogue: FactCatalogue | None = None) -> StoredFacts:
        """The observations of a stored report; a fact whose probe failed says how it failed (the
        probe that provides each fact comes from ``catalogue``)."""
        runs = {run.probe: run for run in report.probe_runs}
        reasons: dict[str, str] = {}
        for spec in catalogue or ():
            run = runs.get(spec.provider)
            if run is not None and run.outcome is not Outcome.OK:
                detail = f": {run.reason}" if run.reason else ""
                reasons[spec.name] = f"{run.probe} {run.outcome.value}{detail}"
        return cls(report.observations, reasons)

    async def obtain(self, facts: Iterable[str]) -> list[Observation]:
        """The stored observations of ``facts``."""
        wanted = set(facts)
        return [obs for obs in self._observations if obs.fact in wanted]

    def can_obtain(self, fact: str) -> bool:
        """Whether the report holds ``fact``."""
        return fact in self._facts

    def cost_s(self, fact: str) -> float:
        """Stored facts cost nothing."""
        del fact
        return 0.0

    def missing_reason(self, fact: str) -> str | None:
        """Why ``fact`` is not in the report."""
        if fact in self._facts:
            return None
        return self._reasons.get(fact, "not in the stored observations")


class AnswerFile:
    """Scripted answers: ``{question_id: answer}`` (or ``playbook/question_id``) from YAML or
    JSON."""

    interactive = False
    source = "answers-file"

    def __init__(self, answers: Mapping[str, str]) -> None:
        self.answers = dict(answers)

    @classmethod
    def load(cls, path: Path) -> AnswerFile:
        """Read an answers file; raise ``UsageError`` with a one-line reason when it is unusable."""
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise UsageError(f"cannot read answers file {path}: {exc.strerror or exc}") from None
        try:
            doc = load_bytes(raw, str(path))
        except LoadError as exc:
            raise UsageError(f"answers file {exc}") from None
        data = doc.data if doc.data is not None else {}
        if not isinstance(data, dict):
            raise UsageError(f"{path}: the answers file must map question ids to answers")
        answers: dict[str, str] = {}
        for key, value in data.items():
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise UsageError(f"{doc.where((key,))}: the answer to {key!r} must be a string")
            answers[key] = str(value)
        return cls(answers)

    async def ask(self, question: QuestionSpec, lang: str) -> str | None:
        """The scripted answer, if any."""
        del lang
        return self.answers.get(f"{question.playbook}/{question.id}", self.answers.get(question.id))


@dataclass(frozen=True)
class Diagnosis:
    """What the engine concluded, and how."""

    complaint: str
    findings: tuple[Finding, ...]
    trace: tuple[Mapping[str, Any], ...]
    """JSON-ready steps (shape in :mod:`homediag.engine.trace`)."""
    questions: tuple[Question, ...]
    playbooks: tuple[PlaybookRef, ...]
    not_applicable: str | None = None
    """Why the playbook does not apply (e.g. no wireless interface): a plain verdict, exit 0."""
    cost_s: float = 0.0
    """Seconds-equivalent the tests cost (author estimates plus the user's time)."""

    def top_finding(self) -> Finding | None:
        """The confirmed or likely finding with the highest probability (DESIGN.md)."""
        problems = [f for f in self.findings if f.status.is_problem]
        if not problems:
            return None
        return max(problems, key=lambda f: (f.probability, f.status is FindingStatus.CONFIRMED))


# --- one playbook ------------------------------------------------------------------------------


@dataclass
class _Evidence:
    kind: str  # "test" or "remedy_failed"
    item: str
    outcome: str | None = None
    subject: str | None = None
    fact: str | None = None
    detail: str | None = None


@dataclass
class _Scored:
    lrs: dict[str, list[tuple[_Evidence, float]]]
    belief: Belief


@dataclass
class _Shared:
    facts: FactSource
    questioner: Questioner | None
    audience: str
    lang: str
    config: Config
    budget: Budget
    trace: Trace
    now: datetime | None
    checkup: bool = False
    """A checkup: no complaint was made, so on-demand probes run only when the user asked for them."""
    observations: list[Observation] = field(default_factory=list)
    seen: set[int] = field(default_factory=set)
    questions: list[Question] = field(default_factory=list)
    asked: dict[tuple[str, str], str | None] = field(default_factory=dict)

    version: int = 0
    """Bumped whenever an observation or an answer arrives (expression results are cached per
    version)."""
    observed_facts: set[str] = field(default_factory=set)
    fact_version: dict[str, int] = field(default_factory=dict)
    """How many observations of each fact arrived (conditions are cached on the facts they read)."""

    def add_observations(self, observations: Iterable[Observation]) -> None:
        for obs in observations:
            key = id(obs)
            if key not in self.seen:
                self.seen.add(key)
                self.observations.append(obs)
                self.observed_facts.add(obs.fact)
                self.fact_version[obs.fact] = self.fact_version.get(obs.fact, 0) + 1
                self.version += 1

    def record_answer(self, playbook: str, question: str, answer: str | None) -> None:
        self.asked[(playbook, question)] = answer
        self.version += 1

    @property
    def interactive(self) -> bool:
        return bool(getattr(self.questioner, "interactive", False))

    def held_back(self, fact: str) -> bool:
        """Whether ``fact`` must not be obtained now: an on-demand probe's, in a checkup, not asked
        for."""
        if not self.checkup or fact in self.observed_facts:
            return False
        on_demand = getattr(self.facts, "on_demand", None)
        asked_for = getattr(self.facts, "asked_for", None)
        if not callable(on_demand) or not on_demand(fact):
            return False
        return not (callable(asked_for) and asked_for(fact))

    @property
    def replay(self) -> bool:
        return bool(getattr(self.facts, "replay", False))


def _text(texts: Mapping[str, str] | None, lang: str, fallback: str = "") -> str:
    if not texts:
        return fallback
    return texts.get(lang) or texts.get("en") or fallback


def _checkup_prior(model: PlaybookModel, h: Hypothesis, healthy_prior: float) -> float:
    """A hypothesis's prior when no complaint was made: the cause's ``prevalence`` (how common the
    fault is in homes that made no complaint) when it declares one, else its complaint prior scaled
    by ``1 - healthy_prior``. Complaint priors are P(cause | complaint): for faults that are common
    whether or not anyone complains (UPnP off, carrier NAT) they would make a checkup blind to them."""
    cause = model.cause(h.id) if h.kind == "cause" else None
    if cause is not None and cause.prevalence is not None:
        return cause.prevalence
    return h.prior * (1.0 - healthy_prior)


class _Session:
    """Works one playbook through."""

    def __init__(
        self,
        model: PlaybookModel,
        shared: _Shared,
        *,
        mode: str,
        complaint: str,
        healthy_prior: float | None = None,
        free_cost_s: float | None = None,
    ) -> None:
        self.model = model
        self.shared = shared
        self.mode = mode
        self.complaint = complaint
        self.defaults = model.spec.defaults
        self.free_cost_s = self.defaults.free_cost_s if free_cost_s is None else free_cost_s
        hypotheses = list(model.hypotheses)
        if healthy_prior is not None:
            hypotheses = [
                Hypothesis(
                    h.id, h.kind, _checkup_prior(model, h, healthy_prior), h.members, h.none_of, h.code
                )
                for h in hypotheses
            ]
            hypotheses.append(model.healthy(healthy_prior))
        self.hypotheses: list[Hypothesis] = hypotheses
        self.belief = Belief.from_priors({h.id: h.prior for h in hypotheses})
        self.evidence: list[_Evidence] = []
        self.done: set[str] = set()
        self.deferred: dict[str, str] = {}
        self.unavailable: dict[str, str] = {}
        self.verified: dict[str, str] = {}
        self.tried_remedies: set[str] = set()
        self.multi_done: set[frozenset[str]] = set()
        self.cost_spent = 0.0
        self.steps = 0
        self.not_applicable: str | None = None
        self.stopped_because: str = ""
        self.user_minute_s = model.user_minute_s(shared.audience)
        self._variables: tuple[int, Scope] | None = None
        self._conditions: dict[tuple[str, str], tuple[Hashable, bool | None]] = {}

    # --- variables for expressions -----------------------------------------------------------
    def variables(self) -> Scope:
        cached = self._variables
        if cached is not None and cached[0] == self.shared.version:
            return cached[1]
        variables = Scope(self._build_variables())
        self._variables = (self.shared.version, variables)
        return variables

    def _build_variables(self) -> dict[str, Any]:
        facts: dict[str, Any] = {}
        for obs in self.shared.observations:
            if obs.subject == "local" or obs.fact not in facts:
                facts[obs.fact] = obs.value
        ctx: dict[str, Any] = {
            "audience": self.shared.audience,
            "interactive": self.shared.interactive,
            "mode": self.mode,
            "complaint": self.complaint,
        }
        if self.shared.now is not None:
            ctx["hour"] = self.shared.now.hour
            ctx["weekday"] = self.shared.now.isoweekday()
        answers = {
            qid: answer
            for (pid, qid), answer in self.shared.asked.items()
            if pid == self.model.id and answer is not None
        }
        return {
            "facts": facts,
            "answers": answers,
            "thresholds": self.shared.config.thresholds.model_dump(),
            "expect": self.shared.config.expect.model_dump(),
            "ctx": ctx,
        }

    def _condition(self, test: CompiledTest, which: str) -> bool | None:
        expression = test.requires if which == "requires" else test.valid_if
        if expression is None:
            return True
        key = (test.id, which)
        stamp = self._stamp(expression)
        cached = self._conditions.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        try:
            verdict = expression.evaluate(self.variables(), self.shared.budget)
        except ExpressionError:
            verdict = None
        result = verdict if isinstance(verdict, bool) else None
        self._conditions[key] = (stamp, result)
        return result

    def _stamp(self, expression: Expression) -> Hashable:
        """What the expression's result depends on: the entries it reads, or everything."""
        if not expression.static_refs or expression.names & {
            "value",
            "values",
            "subject",
            "subjects",
        }:
            return ("all", self.shared.version)
        facts = tuple(self.shared.fact_version.get(f, 0) for f in sorted(expression.fact_refs))
        answers = tuple(
            self.shared.asked.get((self.model.id, a), "\0unasked") for a in sorted(expression.answer_refs)
        )
        return ("refs", facts, answers)

    # --- bookkeeping -------------------------------------------------------------------------
    def top(self, k: int = 3) -> list[tuple[str, float]]:
        return self.belief.top(k)

    def _hyp(self, hid: str) -> Hypothesis:
        for h in self.hypotheses:
            if h.id == hid:
                return h
        raise KeyError(hid)

    def _row(self, test: CompiledTest) -> tuple[tuple[float, ...], ...]:
        return tuple(self.model.likelihood(test, h) for h in self.hypotheses)

    def _observed(self, fact: str) -> bool:
        return fact in self.shared.observed_facts

    def _test_cost(self, test: CompiledTest) -> float:
        if test.fact is not None and not test.asks_user and self._observed(test.fact):
            return 0.0
        return test.cost_s(self.user_minute_s)

    def _explain(self, test: CompiledTest, outcome: str) -> str:
        lang = self.shared.lang
        text = _text(test.spec.explain.get(outcome), lang)
        if text:
            return text
        label = _text(test.spec.title, lang) or _text(test.spec.text, lang) or test.id
        if test.spec.answers and outcome in test.spec.answers:
            answer = _text(test.spec.answers[outcome], lang, outcome)
            return gettext_for(lang, ANSWERED).format(question=label, answer=answer)
        return gettext_for(lang, TEST_OUTCOME).format(test=label, outcome=outcome)

    # --- applying evidence -------------------------------------------------------------------
    def apply(
        self,
        test: CompiledTest,
        outcome: str,
        *,
        action: str,
        why: Mapping[str, Any],
        result: MapResult | None = None,
    ) -> None:
        index = test.outcomes.index(outcome)
        likelihoods = [self.model.likelihood(test, h)[index] for h in self.hypotheses]
        ratios = self.belief.likelihood_ratios(likelihoods)
        self.belief = self.belief.update(likelihoods)
        self.evidence.append(
            _Evidence(
                "test",
                test.id,
                outcome,
                subject=result.subject if result else None,
                fact=test.fact,
                detail=result.evidence if result else None,
            )
        )
        self.done.add(test.id)
        text = self._explain(test, outcome)
        ruled_out, ruled_in = [], []
        for h, ratio in sorted(zip(self.hypotheses, ratios, strict=True), key=lambda x: (x[1], x[0].id)):
            if h.kind == "healthy":
                continue
            entry = {
                "cause": h.id,
                "code": h.code or (UNKNOWN if h.kind == "leak" else None),
                "likelihood_ratio": rounded(ratio),
                "text": text,
            }
            if ratio <= RULED_OUT_LR:
                ruled_out.append(entry)
            elif ratio >= RULED_IN_LR:
                ruled_in.append(entry)
        ruled_in.reverse()
        sensitive = (
            any(obs.sensitive for obs in test.select(self.shared.observations)) if test.fact else False
        )
        self.shared.trace.add(
            action,
            playbook=self.model.id,
            test=test.id,
            fact=test.fact if not test.asks_user else None,
            subject=result.subject if result else None,
            why=why,
            outcome=outcome,
            value=None if (result is None or sensitive) else result.value,
            ruled_out=ruled_out,
            ruled_in=ruled_in,
            posterior_top=self.top(),
        )
        self.steps += 1

    def no_evidence(
        self,
        test: CompiledTest,
        *,
        action: str,
        why: Mapping[str, Any],
        note: str,
        result: MapResult | None = None,
    ) -> None:
        self.done.add(test.id)
        self.shared.trace.add(
            action,
            playbook=self.model.id,
            test=test.id,
            fact=test.fact if not test.asks_user else None,
            subject=result.subject if result else None,
            why=why,
            outcome=None,
            note=note,
        )
        self.steps += 1

    def _missing_reason(self, fact: str) -> str:
        reason_of = getattr(self.shared.facts, "missing_reason", None)
        reason = reason_of(fact) if callable(reason_of) else None
        return str(reason) if reason else "no observation"

    async def run_probes(self, tests: Sequence[CompiledTest], why: Mapping[str, Any]) -> None:
        wanted = sorted({f for t in tests for f in t.reads if not self._observed(f)})
        costs = {t.id: self._test_cost(t) for t in tests}
        charged: set[str] = set()
        if wanted:
            self.shared.add_observations(await self.shared.facts.obtain(wanted))
        action = "replay" if self.shared.replay else "probe"
        variables = self.variables()
        for test in tests:
            if test.fact in wanted and test.fact not in charged:
                charged.add(test.fact)
                self.cost_spent += costs[test.id]
            result = test.map_observations(self.shared.observations, variables, self.shared.budget)
            if result.outcome is None:
                note = result.note or "no outcome"
                if not result.observed and test.fact is not None:
                    note = f"could not be run: {test.fact} {self._missing_reason(test.fact)}"
                self.no_evidence(test, action=action, why=why, note=note, result=result)
            else:
                self.apply(test, result.outcome, action=action, why=why, result=result)
            self.check_multi_fault()

    async def ask(self, test: CompiledTest, why: Mapping[str, Any]) -> None:
        spec = test.spec
        question = QuestionSpec(
            id=test.id,
            playbook=self.model.id,
            kind=spec.kind,
            text=spec.text or {},
            answers=tuple((key, dict(spec.answers[key])) for key in test.outcomes) if spec.answers else (),
        )
        lang = self.shared.lang
        answers_text = {key: label for key, label in question.answer_labels(lang)}
        self.cost_spent += test.cost_s(self.user_minute_s)
        if self.shared.questioner is None:
            self.shared.questions.append(
                Question(
                    id=test.id,
                    text=question.text_in(lang),
                    answer=None,
                    source="unasked",
                    answers=answers_text,
                )
            )
            self.shared.record_answer(self.model.id, test.id, None)
            self.no_evidence(test, action="question", why=why, note="not asked: non-interactive run")
            return
        answer = await self.shared.questioner.ask(question, lang)
        source = str(getattr(self.shared.questioner, "source", "interactive"))
        if answer is not None and answer not in test.outcomes:
            note = f"answer {answer!r} is not one of {', '.join(test.outcomes)}"
            answer = None
        else:
            note = "unanswered"
        self.shared.questions.append(
            Question(
                id=test.id,
                text=question.text_in(lang),
                answer=answer,
                source=source if answer is not None else "unasked",
                answers=answers_text,
            )
        )
        self.shared.record_answer(self.model.id, test.id, answer)
        if answer is None:
            self.no_evidence(test, action="question", why=why, note=note)
        else:
            self.apply(test, answer, action="question", why=why)
            self.check_multi_fault()

    # --- what can run now --------------------------------------------------------------------
    def available(self) -> list[CompiledTest]:
        ready: list[CompiledTest] = []
        for test in self.model.tests:
            if test.id in self.done:
                continue
            if self._condition(test, "requires") is not True:
                continue
            if self._condition(test, "valid_if") is not True:
                self.deferred[test.id] = _text(test.spec.window, self.shared.lang, "outside its window")
                continue
            self.deferred.pop(test.id, None)
            if test.asks_user:
                if self.shared.audience not in test.spec.ask:
                    continue
                ready.append(test)
            elif test.spec.kind == "experiment":
                # Re-measuring after a change needs a person and a fresh measurement.
                if not (self.shared.interactive and hasattr(self.shared.facts, "refresh")):
                    self.unavailable[test.id] = "needs an interactive run that can measure again"
                    continue
                ready.append(test)
            elif test.fact is not None:
                if self.shared.held_back(test.fact):
                    self.unavailable[test.id] = f"{test.fact}: {ON_DEMAND_NOTE}"
                elif self._observed(test.fact) or self.shared.facts.can_obtain(test.fact):
                    ready.append(test)
                else:
                    self.unavailable[test.id] = f"{test.fact}: {self._missing_reason(test.fact)}"
        return ready

    def free_now(self, tests: Sequence[CompiledTest]) -> list[CompiledTest]:
        return [
            t
            for t in tests
            if not t.asks_user
            and t.spec.kind == "probe"
            and t.fact is not None
            and (
                self._free(t)
                or self._observed(t.fact)
                or self.shared.facts.cost_s(t.fact) <= 0.0  # stored, or its probe already ran
            )
        ]

    def _free(self, test: CompiledTest) -> bool:
        cost = test.spec.cost
        return cost.user_minutes == 0 and cost.seconds <= self.free_cost_s

    async def free_phase(self, *, note_rule: str = "free") -> None:
        while True:
            batch = self.free_now(self.available())
            if not batch:
                return
            await self.run_probes(batch, {"rule": note_rule})

    # --- the loop ----------------------------------------------------------------------------
    async def run(self, *, free_only: bool = False) -> None:
        if not await self.check_applies():
            return
        if self.model.draft:
            self.shared.trace.add(
                "infer",
                playbook=self.model.id,
                note="draft playbook: an outline, some probes it needs are missing",
            )
        await self.free_phase()
        if free_only:
            return
        await self.run_followup()

    async def run_followup(self) -> None:
        """Everything after the free probes: first questions, test selection, remedies, stop."""
        for test in self.available():
            if test.spec.ask_first and test.id not in self.done:
                await self.ask(test, {"rule": "ask_first"})
        remedies_tried = 0
        while True:
            await self.test_loop()
            if not self.shared.interactive or remedies_tried >= MAX_REMEDIES_TRIED or self.verified:
                break
            outcome = await self.offer_remedy()
            if outcome is None:
                break
            remedies_tried += 1
        self.shared.trace.add(
            "stop",
            playbook=self.model.id,
            posterior_top=self.top(),
            note=self.stopped_because or None,
            extra=self._stop_extra(),
        )

    def _stop_extra(self) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        if self.deferred:
            extra["deferred"] = sorted(self.deferred)
        unavailable = {k: v for k, v in self.unavailable.items() if k not in self.done}
        if unavailable:
            extra["unavailable"] = [[k, unavailable[k]] for k in sorted(unavailable)]
        return extra

    async def test_loop(self) -> None:
        while self.steps < MAX_STEPS:
            await self.free_phase()
            candidates = []
            for test in self.available():
                candidates.append(Candidate(test.id, test.index, self._row(test), self._test_cost(test)))
            choice = self.choose(candidates)
            if choice.test_id is None:
                self.stopped_because = choice.reason
                return
            test = self.model.test(choice.test_id)
            why = self._why(choice)
            if test.asks_user:
                await self.ask(test, why)
            elif test.spec.kind == "experiment":
                await self.run_experiment(test, why)
            else:
                await self.run_probes([test], why)
        self.stopped_because = "step limit reached"

    async def run_experiment(self, test: CompiledTest, why: Mapping[str, Any]) -> None:
        """Ask the user to change something, then measure again (Breese & Heckerman's experiment:
        change the configuration, observe the new behaviour)."""
        assert test.fact is not None and self.shared.questioner is not None
        question = QuestionSpec(
            id=test.id,
            playbook=self.model.id,
            kind="experiment",
            text=test.spec.text or {},
            answers=(("done", _DONE), ("not_now", _NOT_NOW)),
        )
        self.cost_spent += test.cost_s(self.user_minute_s)
        answer = await self.shared.questioner.ask(question, self.shared.lang)
        if answer != "done":
            self.no_evidence(test, action="question", why=why, note="experiment not done")
            return
        refresh = getattr(self.shared.facts, "refresh", None)
        fresh: list[Observation] = list(await refresh([test.fact])) if callable(refresh) else []
        result = test.map_observations(fresh, self.variables(), self.shared.budget)
        self.shared.add_observations(fresh)
        if result.outcome is None:
            self.no_evidence(
                test,
                action="probe",
                why=why,
                note=f"experiment gave no evidence: {result.note or 'no outcome'}",
                result=result,
            )
        else:
            self.apply(test, result.outcome, action="probe", why=why, result=result)
            self.check_multi_fault()

    def _why(self, choice: Choice) -> dict[str, Any]:
        why: dict[str, Any] = {"rule": choice.rule, "score": choice.score}
        if choice.ecr_s is not None:
            why["ecr_s"] = choice.ecr_s
        why["runners_up"] = [[t, s] for t, s in choice.runners_up]
        return why

    def remedy_options(self, *, offerable_only: bool = False) -> list[RemedyOption]:
        options = []
        for remedy in self.model.remedies:
            if remedy.id in self.tried_remedies:
                continue
            if offerable_only and self.shared.audience == "customer" and not remedy.spec.safe_for_customer:
                continue
            fixes = tuple(self.model.fix(remedy, h) for h in self.hypotheses)
            options.append(RemedyOption(remedy.id, remedy.index, fixes, self._remedy_cost(remedy)))
        return options

    def _remedy_cost(self, remedy: CompiledRemedy) -> float:
        verifier = 0.0
        if remedy.spec.verify is not None:
            verifier = self.model.test(remedy.spec.verify.test).cost_s(self.user_minute_s)
        return remedy.cost_s(self.user_minute_s, verifier)

    def escalation_cost(self) -> float:
        cost = self.model.spec.escalation.cost
        return max(cost.seconds + cost.user_minutes * self.user_minute_s, 1.0)

    def choose(self, candidates: Sequence[Candidate]) -> Choice:
        if self.mode == "repair":
            return choose_repair(
                self.belief,
                candidates,
                self.remedy_options(),
                escalation_cost_s=self.escalation_cost(),
                threshold=self.defaults.threshold,
            )
        return choose_identify(
            self.belief,
            candidates,
            threshold=self.defaults.threshold,
            min_gain_per_s=self.defaults.min_gain_per_s,
        )

    # --- remedies (interactive runs) ---------------------------------------------------------
    async def offer_remedy(self) -> bool | None:
        """Offer the next remedy; True when verified, False when it failed, None to stop."""
        plan = repair_plan(self.belief, self.remedy_options(offerable_only=True), self.escalation_cost())
        if not plan.sequence or self.shared.questioner is None:
            return None
        remedy_id, p_fix, efficiency = plan.sequence[0]
        remedy = self.model.remedy(remedy_id)
        lang = self.shared.lang
        question = QuestionSpec(
            id=f"remedy:{remedy.id}",
            playbook=self.model.id,
            kind="remedy",
            text=dict(remedy.spec.title),
            answers=(("done", _DONE), ("not_now", _NOT_NOW)),
            steps=tuple(dict(step) for step in remedy.spec.steps),
        )
        answer = await self.shared.questioner.ask(question, lang)
        self.tried_remedies.add(remedy.id)
        why = {"rule": "P/C", "score": rounded(efficiency, 6), "p_fix": rounded(p_fix)}
        if answer != "done":
            self.shared.trace.add(
                "remedy",
                playbook=self.model.id,
                test=remedy.id,
                why=why,
                outcome=None,
                note="not done",
            )
            return None
        verified = await self.verify(remedy)
        if verified is None:
            self.shared.trace.add(
                "remedy",
                playbook=self.model.id,
                test=remedy.id,
                why=why,
                outcome="done",
                note="the verifier could not be run",
                posterior_top=self.top(),
            )
            return False
        if verified:
            best = max(
                self.hypotheses,
                key=lambda h: (self.belief.p(h.id) * self.model.fix(remedy, h), h.id),
            )
            self.verified[best.id] = remedy.id
            if best.kind == "multi":
                for member in best.members:
                    self.verified.setdefault(member, remedy.id)
            self.shared.trace.add(
                "remedy",
                playbook=self.model.id,
                test=remedy.id,
                why=why,
                outcome="verified",
                posterior_top=self.top(),
                note=f"fixed: {best.id}",
            )
            return True
        self.belief = self.belief.update([1.0 - self.model.fix(remedy, h) for h in self.hypotheses])
        self.evidence.append(_Evidence("remedy_failed", remedy.id))
        self.shared.trace.add(
            "remedy",
            playbook=self.model.id,
            test=remedy.id,
            why=why,
            outcome="not_fixed",
            posterior_top=self.top(),
        )
        return False

    async def verify(self, remedy: CompiledRemedy) -> bool | None:
        spec = remedy.spec.verify
        if spec is None:
            return None
        test = self.model.test(spec.test)
        lang = self.shared.lang
        if test.asks_user:
            assert self.shared.questioner is not None
            question = QuestionSpec(
                id=test.id,
                playbook=self.model.id,
                kind="verify",
                text=test.spec.text or {},
                answers=tuple((key, dict(test.spec.answers[key])) for key in test.outcomes)
                if test.spec.answers
                else (),
            )
            answer = await self.shared.questioner.ask(question, lang)
            return None if answer is None else answer == spec.expect
        refresh = getattr(self.shared.facts, "refresh", None)
        if test.fact is None or not callable(refresh):
            return None
        fresh = await refresh([test.fact])
        result = test.map_observations(list(fresh), self.variables(), self.shared.budget)
        if result.outcome is None:
            return None
        self.shared.add_observations(fresh)
        return result.outcome == spec.expect

    # --- applies_if --------------------------------------------------------------------------
    async def check_applies(self) -> bool:
        rule = self.model.applies_if
        spec = self.model.spec.applies_if
        if rule is None or spec is None:
            return True
        named = sorted(rule.expression.fact_refs - {spec.fact}) if rule.expression is not None else []
        wanted = [f for f in (spec.fact, *named) if not self._observed(f) and self.shared.facts.can_obtain(f)]
        if wanted:
            self.shared.add_observations(await self.shared.facts.obtain(wanted))
        selected = [obs for obs in self.shared.observations if obs.fact == spec.fact]
        selected.sort(key=lambda obs: (obs.subject != "local", obs.subject))
        if not selected:
            self.shared.trace.add(
                "infer",
                playbook=self.model.id,
                why={"rule": "applies_if"},
                note=f"cannot tell whether it applies: {spec.fact} not observed",
            )
            return True
        values = [obs.value for obs in selected]
        variables = self.variables().child(
            {
                "value": values[0],
                "values": values,
                "subject": selected[0].subject,
                "subjects": [obs.subject for obs in selected],
            }
        )
        try:
            if rule.expression is not None:
                verdict = rule.expression.evaluate(variables, self.shared.budget)
            else:
                assert rule.match is not None
                verdict = match_holds(rule.match, values[0], values, variables)
        except ExpressionError as exc:
            self.shared.trace.add(
                "infer",
                playbook=self.model.id,
                why={"rule": "applies_if"},
                note=f"cannot tell whether it applies: {exc}",
            )
            return True
        if verdict is False:
            self.not_applicable = _text(spec.reason, self.shared.lang)
            self.shared.trace.add(
                "stop",
                playbook=self.model.id,
                why={"rule": "applies_if"},
                note=f"does not apply: {self.not_applicable}",
            )
            return False
        return True

    # --- multiple faults ---------------------------------------------------------------------
    def _baseline(self, test: CompiledTest) -> tuple[float, ...]:
        return self.model.likelihood(test, Hypothesis("__none__", "healthy", 1.0))

    def check_multi_fault(self) -> None:
        """Form multi-fault candidates when the leak grows or no single cause explains the
        abnormal findings (GDE-style minimal hitting sets of the 'can explain' sets)."""
        causes = [h for h in self.hypotheses if h.kind == "cause"]
        singles = [h for h in self.hypotheses if h.kind in ("cause", "interaction")]
        if len(causes) < 2:
            return
        abnormal: list[tuple[CompiledTest, int]] = []
        exonerated: set[str] = set()
        for item in self.evidence:
            if item.kind != "test" or item.outcome is None:
                continue
            test = self.model.test(item.item)
            index = test.outcomes.index(item.outcome)
            base = self._baseline(test)[index]
            if test.normal[index] <= ABNORMAL_P:
                abnormal.append((test, index))
            else:
                for h in causes:
                    if self.model.likelihood(test, h)[index] <= EXONERATES_RATIO * base:
                        exonerated.add(h.id)
        if len(abnormal) < 2:
            return
        families: list[set[str]] = []
        single_explains: set[str] | None = None
        for test, index in abnormal:
            base = self._baseline(test)[index]
            explains = {
                h.id for h in singles if self.model.likelihood(test, h)[index] >= EXPLAINS_RATIO * base
            }
            # A cause some normal finding exonerated cannot be the single explanation either.
            alive = explains - exonerated
            single_explains = alive if single_explains is None else single_explains & alive
            families.append(
                {cid for cid in explains if cid in {c.id for c in causes} and cid not in exonerated}
            )
        leak_high = self.belief.p(LEAK_ID) > self.defaults.leak_alarm
        if single_explains and not leak_high:
            return
        key = frozenset(f"{t.id}={t.outcomes[i]}" for t, i in abnormal)
        if key in self.multi_done:
            return
        self.multi_done.add(key)
        sets = [s for s in minimal_hitting_sets(families) if len(s) >= 2]
        existing = {h.id for h in self.hypotheses}
        new = [self.model.multi_fault(s) for s in sets]
        new = [h for h in new if h.id not in existing]
        new.sort(key=lambda h: (-h.prior, h.id))
        new = new[:MULTI_FAULT_CANDIDATES]
        if not new:
            return
        self.hypotheses.extend(new)
        self.belief = self.replay().belief
        reason = "the leak grew" if leak_high else "no single cause explains the abnormal findings"
        self.shared.trace.add(
            "multi_fault",
            playbook=self.model.id,
            posterior_top=self.top(),
            note=f"{reason}: added {', '.join(h.id for h in new)}",
            extra={"candidates": [list(h.members) for h in new]},
        )

    def replay(self) -> _Scored:
        """The posterior from the priors and every piece of evidence, with likelihood ratios."""
        belief = Belief.from_priors({h.id: h.prior for h in self.hypotheses})
        lrs: dict[str, list[tuple[_Evidence, float]]] = {h.id: [] for h in self.hypotheses}
        for item in self.evidence:
            if item.kind == "test" and item.outcome is not None:
                test = self.model.test(item.item)
                index = test.outcomes.index(item.outcome)
                likelihoods = [self.model.likelihood(test, h)[index] for h in self.hypotheses]
                ratios = belief.likelihood_ratios(likelihoods)
                for h, ratio in zip(self.hypotheses, ratios, strict=True):
                    lrs[h.id].append((item, ratio))
                belief = belief.update(likelihoods)
            elif item.kind == "remedy_failed":
                remedy = self.model.remedy(item.item)
                belief = belief.update([1.0 - self.model.fix(remedy, h) for h in self.hypotheses])
        return _Scored(lrs, belief)

    # --- findings ----------------------------------------------------------------------------
    def findings(self) -> list[Finding]:
        scored = self.replay()
        belief = scored.belief
        marginal: dict[str, float] = {}
        partners: dict[str, tuple[str, float]] = {}
        for h in self.hypotheses:
            p = belief.p(h.id)
            if h.kind in ("cause", "interaction"):
                marginal[h.id] = marginal.get(h.id, 0.0) + p
            elif h.kind == "multi":
                for member in h.members:
                    marginal[member] = marginal.get(member, 0.0) + p
                    if p > partners.get(member, ("", 0.0))[1]:
                        partners[member] = (h.id, p)
        plan = repair_plan(belief, self.remedy_options(), self.escalation_cost())
        order = {rid: i for i, (rid, _, _) in enumerate(plan.sequence)}
        efficiency = {
            o.remedy_id: math.fsum(p * f for p, f in zip(belief.probs, o.fixes, strict=True)) / o.cost_s
            for o in self.remedy_options()
        }
        findings: list[Finding] = []
        for h in self.hypotheses:
            if h.kind not in ("cause", "interaction"):
                continue
            p = min(1.0, marginal.get(h.id, 0.0))
            items = list(scored.lrs.get(h.id, []))
            partner = partners.get(h.id)
            if partner is not None and partner[1] >= POSSIBLE_P:
                items += scored.lrs.get(partner[0], [])
            members: tuple[str, ...] = ()
            if h.kind == "interaction":
                members = tuple(sorted({c for m in h.members if (c := self.model.code_of(m))}))
            elif partner is not None and partner[1] >= POSSIBLE_P:
                partner_h = self._hyp(partner[0])
                members = tuple(sorted({c for m in partner_h.members if (c := self.model.code_of(m))}))
            findings.append(
                self._finding(h, p, items=items, members=members, order=order, efficiency=efficiency)
            )
        leak_p = belief.p(LEAK_ID)
        others = [belief.p(h.id) for h in self.hypotheses if h.kind != "leak"]
        if leak_p >= max(others, default=0.0) - TIE_P:
            findings.append(self._leak_finding(leak_p, scored.lrs.get(LEAK_ID, [])))
        return findings

    def _evidence_items(
        self, items: Sequence[tuple[_Evidence, float]]
    ) -> tuple[list[EvidenceItem], list[EvidenceItem]]:
        pro: list[tuple[float, EvidenceItem]] = []
        con: list[tuple[float, EvidenceItem]] = []
        seen: set[tuple[str, str | None]] = set()
        for item, ratio in items:
            if item.kind != "test" or item.outcome is None or (item.item, item.outcome) in seen:
                continue
            seen.add((item.item, item.outcome))
            test = self.model.test(item.item)
            text = self._explain(test, item.outcome)
            if item.detail:
                text = f"{text} ({item.detail})"
            evidence = EvidenceItem(
                text=text,
                test=test.id,
                fact=test.fact,
                outcome=item.outcome,
                likelihood_ratio=rounded(ratio),
            )
            if ratio >= 2.0:
                pro.append((ratio, evidence))
            elif ratio <= 0.5:
                con.append((ratio, evidence))
        pro.sort(key=lambda x: (-x[0], x[1].test or ""))
        con.sort(key=lambda x: (x[0], x[1].test or ""))
        return [e for _, e in pro], [e for _, e in con]

    def _tested(self, h: Hypothesis) -> bool:
        for item in self.evidence:
            if item.kind != "test" or item.outcome is None:
                continue
            test = self.model.test(item.item)
            own = self.model.likelihood(test, h)
            base = self._baseline(test)
            if max(abs(a - b) for a, b in zip(own, base, strict=True)) > TESTED_DELTA:
                return True
        return False

    def _deferred_for(self, h: Hypothesis) -> bool:
        for tid in self.deferred:
            test = self.model.test(tid)
            own = self.model.likelihood(test, h)
            base = self._baseline(test)
            if max(abs(a - b) for a, b in zip(own, base, strict=True)) > TESTED_DELTA:
                return True
        return False

    def _finding(
        self,
        h: Hypothesis,
        p: float,
        *,
        items: Sequence[tuple[_Evidence, float]],
        members: tuple[str, ...],
        order: Mapping[str, int],
        efficiency: Mapping[str, float],
    ) -> Finding:
        lang = self.shared.lang
        source = self.model.cause(h.id) or self.model.interaction(h.id)
        assert source is not None
        pro, con = self._evidence_items(items)
        best_lr = max((ratio for _, ratio in items), default=1.0)
        decided_by: str | None = None
        subject: str | None = None
        if h.id in self.verified:
            status = FindingStatus.CONFIRMED
            decided_by = f"remedy:{self.verified[h.id]}"
        elif p >= CONFIRMED_P and best_lr >= CONFIRMED_LR:
            status = FindingStatus.CONFIRMED
        elif p >= LIKELY_P:
            status = FindingStatus.LIKELY
        elif p < RULED_OUT_P:
            status = FindingStatus.RULED_OUT
        elif not self._tested(h):
            status = FindingStatus.DEFERRED if self._deferred_for(h) else FindingStatus.NOT_TESTED
        elif p >= POSSIBLE_P:
            status = FindingStatus.POSSIBLE
        else:
            status = FindingStatus.POSSIBLE  # 0.01-0.1: not ruled out (DESIGN.md leaves it open)
        if decided_by is None and items:
            if status is FindingStatus.RULED_OUT:
                decisive = min(items, key=lambda x: (x[1], x[0].item))
            else:
                decisive = max(items, key=lambda x: (x[1], x[0].item))
            if status is FindingStatus.RULED_OUT or decisive[1] >= 2.0:
                decided_by = decisive[0].item
                if decisive[0].subject and decisive[0].subject != "local":
                    subject = decisive[0].subject
        remedies = self._remedies_for(h, order, efficiency)
        return Finding(
            code=h.code or UNKNOWN,
            status=status,
            probability=rounded(p),
            title=_text(source.title, lang),
            explanation=_text(source.explanation, lang),
            details=_text(source.details, lang),
            evidence=tuple(pro),
            evidence_against=tuple(con),
            remedies=remedies,
            decided_by=decided_by,
            members=members,
            playbook=self.model.id,
            cause=h.id,
            subject=subject,
        )

    def _remedies_for(
        self, h: Hypothesis, order: Mapping[str, int], efficiency: Mapping[str, float]
    ) -> tuple[Remedy, ...]:
        lang = self.shared.lang
        chosen = [r for r in self.model.remedies if self.model.fix(r, h) > 0]
        chosen.sort(key=lambda r: (order.get(r.id, len(order)), -efficiency.get(r.id, 0.0), r.index))
        result = [
            Remedy(
                id=r.id,
                title=_text(r.spec.title, lang),
                steps=tuple(_text(step, lang) for step in r.spec.steps),
                safe_for_customer=r.spec.safe_for_customer,
                needs_consent=r.spec.needs_consent,
                disruptive=r.spec.disruptive,
                cost_s=rounded(self._remedy_cost(r), 1),
                fixes={k: rounded(v) for k, v in sorted(r.spec.fixes.items())},
            )
            for r in chosen
        ]
        cause = self.model.cause(h.id)
        if not result and cause is not None and cause.escalation_only:
            result.append(self._escalation())
        return tuple(result)

    def _escalation(self) -> Remedy:
        spec = self.model.spec.escalation
        lang = self.shared.lang
        return Remedy(
            id="escalate",
            title=_text(spec.title, lang),
            steps=(_text(spec.text, lang),),
            safe_for_customer=True,
            cost_s=rounded(self.escalation_cost(), 1),
        )

    def _leak_finding(self, p: float, items: Sequence[tuple[_Evidence, float]]) -> Finding:
        lang = self.shared.lang
        pro, con = self._evidence_items(items)
        return Finding(
            code=UNKNOWN,
            status=FindingStatus.POSSIBLE,
            probability=rounded(p),
            title=gettext_for(lang, UNKNOWN_TITLE),
            explanation=gettext_for(lang, UNKNOWN_EXPLANATION),
            details=gettext_for(lang, UNKNOWN_DETAILS),
            evidence=tuple(pro),
            evidence_against=tuple(con),
            remedies=(self._escalation(),),
            playbook=self.model.id,
            cause=LEAK_ID,
        )


_DONE = {"en": "Done", "de": "Erledigt", "fr": "Fait"}
_NOT_NOW = {"en": "Not now", "de": "Jetzt nicht", "fr": "Pas maintenant"}


# --- the API -------------------------------------------------------------------------------------


def _sort_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    return tuple(
        sorted(
            findings,
            key=lambda f: (
                STATUS_RANK[f.status],
                -f.probability,
                f.code,
                f.playbook or "",
                f.cause or "",
            ),
        )
    )


def merge_by_code(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """One finding per problem code: the highest probability wins (then the stronger status)."""
    best: dict[str, Finding] = {}
    for finding in findings:
        current = best.get(finding.code)
        key = (finding.probability, -STATUS_RANK[finding.status])
        if current is None or key > (current.probability, -STATUS_RANK[current.status]):
            best[finding.code] = finding
    return _sort_findings(best.values())


def _resolve_mode(mode: str | None, audience: str) -> str:
    if mode is None:
        return "repair" if audience == "customer" else "identify"
    if mode not in ("identify", "repair"):
        raise UsageError(f"unknown mode {mode!r} (identify or repair)")
    return mode


async def diagnose_playbook(
    model: PlaybookModel,
    *,
    facts: FactSource,
    questioner: Questioner | None,
    playbooks: PlaybookSet | None = None,
    audience: str = "customer",
    lang: str = "en",
    mode: str | None = None,
    config: Config | None = None,
    complaint: str | None = None,
    now: datetime | None = None,
) -> Diagnosis:
    """Diagnose with one given playbook (``diagnose`` picks it by complaint)."""
    if lang not in SUPPORTED_LANGUAGES:
        raise UsageError(f"unsupported language {lang!r}")
    if audience not in ("customer", "technician"):
        raise UsageError(f"unknown audience {audience!r}")
    resolved_mode = _resolve_mode(mode, audience)
    shared = _Shared(
        facts=facts,
        questioner=questioner,
        audience=audience,
        lang=lang,
        config=config or Config(),
        budget=Budget(),
        trace=Trace(),
        now=now,
    )
    name = complaint or model.spec.complaints[0]
    if model.spec.includes:
        shared.checkup = True
        return await _checkup(model, shared, playbooks, resolved_mode, name)
    session = _Session(model, shared, mode=resolved_mode, complaint=name)
    await session.run()
    return Diagnosis(
        complaint=name,
        findings=() if session.not_applicable else _sort_findings(session.findings()),
        trace=tuple(shared.trace.steps),
        questions=tuple(shared.questions),
        playbooks=(model.ref,),
        not_applicable=session.not_applicable,
        cost_s=rounded(session.cost_spent, 3),
    )


async def _checkup(
    model: PlaybookModel, shared: _Shared, playbooks: PlaybookSet | None, mode: str, name: str
) -> Diagnosis:
    if playbooks is None:
        raise UsageError("checkup needs the playbook set it includes")
    healthy = model.spec.healthy_prior or 0.9
    findings: list[Finding] = []
    refs: list[PlaybookRef] = [model.ref]
    members = [playbooks.get(pid) for pid in model.spec.includes]
    if not model.draft and model.spec.causes:
        members.append(model)
    free_cost_s = model.spec.defaults.free_cost_s
    cost = await _prefetch(model, [m for m in members if not m.draft], shared, free_cost_s)
    for member in members:
        if member.draft:
            shared.trace.add("infer", playbook=member.id, note="skipped in the checkup: draft playbook")
            continue
        session = _Session(
            member,
            shared,
            mode=mode,
            complaint=name,
            healthy_prior=healthy,
            free_cost_s=model.spec.defaults.free_cost_s,
        )
        await session.run(free_only=True)
        if session.not_applicable:
            refs.append(member.ref)
            continue
        pointing = [
            hid
            for hid, p in session.belief.as_dict().items()
            if hid not in (HEALTHY_ID, LEAK_ID) and p >= POSSIBLE_P
        ]
        if pointing:
            shared.trace.add(
                "infer",
                playbook=member.id,
                posterior_top=session.top(),
                note=f"following up: {', '.join(sorted(pointing))}",
            )
            await session.run_followup()
        findings += session.findings()
        refs.append(member.ref)
        cost += session.cost_spent
    return Diagnosis(
        complaint=name,
        findings=merge_by_code(findings),
        trace=tuple(shared.trace.steps),
        questions=tuple(shared.questions),
        playbooks=tuple(refs),
        cost_s=rounded(cost, 3),
    )


def _free_facts(member: PlaybookModel, free_cost_s: float) -> dict[str, float]:
    """The facts a checkup obtains for ``member`` before working it through, with their cost: its
    ``applies_if`` fact when it has one (the rest waits for the verdict), else the facts of its free
    probe tests that need nothing else first (no ``requires``)."""
    if member.spec.applies_if is not None:
        rule = member.applies_if
        named = rule.expression.fact_refs if rule is not None and rule.expression is not None else frozenset()
        return {fact: 0.0 for fact in (member.spec.applies_if.fact, *named)}
    wanted: dict[str, float] = {}
    for test in member.tests:
        cost = test.spec.cost
        if (
            test.spec.kind == "probe"
            and test.fact is not None
            and test.requires is None
            and cost.user_minutes == 0
            and cost.seconds <= free_cost_s
        ):
            for fact in test.reads:  # its own fact carries the cost; the others come along
                own = cost.seconds if fact == test.fact else 0.0
                wanted[fact] = max(wanted.get(fact, 0.0), own)
    return wanted


async def _prefetch(
    model: PlaybookModel, members: Sequence[PlaybookModel], shared: _Shared, free_cost_s: float
) -> float:
    """Obtain the free facts of every member in one batch, so their probes run together (a checkup's
    members are otherwise worked through one after another); then the on-demand facts the user asked
    for (``--speedtest``), once the line is idle again. Returns the cost charged."""
    wanted: dict[str, float] = {}
    for member in members:
        for fact, cost_s in _free_facts(member, free_cost_s).items():
            wanted[fact] = max(wanted.get(fact, 0.0), cost_s)
    on_demand = getattr(shared.facts, "on_demand", None)
    asked_for = getattr(shared.facts, "asked_for", None)

    def later(fact: str) -> bool:
        return callable(on_demand) and bool(on_demand(fact))

    batch = sorted(
        f for f in wanted if f not in shared.observed_facts and not later(f) and shared.facts.can_obtain(f)
    )
    if batch:
        shared.add_observations(await shared.facts.obtain(batch))
        shared.trace.add(
            "infer",
            playbook=model.id,
            why={"rule": "checkup_prefetch"},
            note=f"obtained together: {len(batch)} facts of the members' free tests",
        )
    asked: set[str] = set()
    if callable(asked_for):
        for member in members:
            for test in member.tests:
                wanted_fact = test.fact
                if wanted_fact is None or wanted_fact in shared.observed_facts or not later(wanted_fact):
                    continue
                if asked_for(wanted_fact) and shared.facts.can_obtain(wanted_fact):
                    asked.add(wanted_fact)
    if asked:
        shared.add_observations(await shared.facts.obtain(sorted(asked)))
        shared.trace.add(
            "infer",
            playbook=model.id,
            why={"rule": "asked_for"},
            note=f"on-demand probes the user asked for: {len(asked)} facts",
        )
    return math.fsum(wanted[f] for f in batch)


async def diagnose(
    complaint: str | None,
    *,
    facts: FactSource,
    questioner: Questioner | None,
    playbooks: PlaybookSet | None = None,
    audience: str = "customer",
    lang: str = "en",
    mode: str | None = None,
    config: Config | None = None,
    now: datetime | None = None,
) -> Diagnosis:
    """Diagnose ``complaint`` (``None`` or ``"checkup"``: the checkup) from ``facts`` and answers.

    ``questioner=None`` is a non-interactive run: questions stay unasked and the engine goes on
    without them. ``mode`` defaults to ``repair`` for customers and ``identify`` for technicians.
    ``now`` (optional) gives validity windows the hour and weekday (``ctx.hour``); without it
    windows that need the time stay closed. Raise ``UsageError`` for an unknown complaint.
    """
    playbook_set = playbooks if playbooks is not None else load_playbooks()
    name = complaint or CHECKUP
    try:
        model = playbook_set.for_complaint(name)
    except KeyError:
        known = ", ".join(playbook_set.complaints())
        raise UsageError(f"unknown complaint {name!r} (known: {known})") from None
    return await diagnose_playbook(
        model,
        facts=facts,
        questioner=questioner,
        playbooks=playbook_set,
        audience=audience,
        lang=lang,
        mode=mode,
        config=config,
        complaint=name,
        now=now,
    )
