"""One playbook being worked through: the state every step of the engine reads and writes.

A :class:`Session` is plain state. The steps live in their own modules and take the session:
:mod:`~homediag.engine.evidence` (apply an outcome, record no evidence), :mod:`~homediag.engine.gather`
(probes, questions, experiments), :mod:`~homediag.engine.choosing` (which test next),
:mod:`~homediag.engine.remedies` (offer and verify), :mod:`~homediag.engine.multifault`,
:mod:`~homediag.engine.findings` and :mod:`~homediag.engine.walk` (the loop that ties them together).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from homediag.core.i18n import N_, gettext_for
from homediag.core.model import RemedyOutcome
from homediag.core.outcomes import TEST_OUTCOME, outcome_word
from homediag.engine.beliefs import Beliefs
from homediag.engine.model import CompiledTest, Hypothesis, PlaybookModel
from homediag.engine.schema import TestSpec
from homediag.engine.state import RunState
from homediag.engine.texts import facts_missing, render
from homediag.engine.variables import Variables

ANSWERED = N_("{question} Answer: {answer}")


def text_in(texts: Mapping[str, str] | None, lang: str, fallback: str = "") -> str:
    """A playbook text in ``lang`` (English when missing, else ``fallback``)."""
    if not texts:
        return fallback
    return texts.get(lang) or texts.get("en") or fallback


def checkup_prior(model: PlaybookModel, h: Hypothesis, healthy_prior: float) -> float:
    """A hypothesis's prior when no complaint was made: the cause's ``prevalence`` (how common the
    fault is in homes that made no complaint) when it declares one, else its complaint prior scaled
    by ``1 - healthy_prior``. Complaint priors are P(cause | complaint): for faults that are common
    whether or not anyone complains (UPnP off, carrier NAT) they would make a checkup blind to them."""
    cause = model.cause(h.id) if h.kind == "cause" else None
    if cause is not None and cause.prevalence is not None:
        return cause.prevalence
    return h.prior * (1.0 - healthy_prior)


@dataclass
class Session:
    """One playbook worked through within a run."""

    model: PlaybookModel
    run: RunState
    mode: str
    """``identify`` (information per cost) or ``repair`` (expected cost of repair)."""
    complaint: str
    free_cost_s: float
    """Automatic probe tests up to this cost run first, without selection."""
    beliefs: Beliefs
    variables: Variables
    done: set[str] = field(default_factory=set)
    """Tests run (with or without evidence)."""
    deferred: dict[str, str] = field(default_factory=dict)
    """Tests outside their validity window, with the window in words."""
    unavailable: dict[str, str] = field(default_factory=dict)
    """Tests that cannot run here, with why."""
    verified: dict[str, str] = field(default_factory=dict)
    """Hypothesis -> the remedy whose verifier passed."""
    tried_remedies: set[str] = field(default_factory=set)
    remedy_outcomes: dict[str, RemedyOutcome] = field(default_factory=dict)
    """What happened to each remedy offered."""
    multi_done: set[frozenset[str]] = field(default_factory=set)
    """The sets of abnormal findings multi-fault candidates were already formed for."""
    cost_spent: float = 0.0
    steps: int = 0
    not_applicable: str | None = None
    stopped_because: str = ""

    @classmethod
    def start(
        cls,
        model: PlaybookModel,
        run: RunState,
        *,
        mode: str,
        complaint: str,
        healthy_prior: float | None = None,
        free_cost_s: float | None = None,
    ) -> Session:
        """A session at the priors; with ``healthy_prior`` (a checkup) "nothing is wrong" joins the
        hypotheses and the causes take their checkup priors."""
        hypotheses = list(model.hypotheses)
        if healthy_prior is not None:
            hypotheses = [
                Hypothesis(h.id, h.kind, checkup_prior(model, h, healthy_prior), h.members, h.none_of, h.code)
                for h in hypotheses
            ]
            hypotheses.append(model.healthy(healthy_prior))
        return cls(
            model=model,
            run=run,
            mode=mode,
            complaint=complaint,
            free_cost_s=model.spec.defaults.free_cost_s if free_cost_s is None else free_cost_s,
            beliefs=Beliefs(model, hypotheses),
            variables=Variables(run, model.id, mode=mode, complaint=complaint),
        )

    @property
    def playbook(self) -> str:
        """The playbook id."""
        return self.model.id

    @property
    def lang(self) -> str:
        """The language of texts."""
        return self.run.lang

    @property
    def user_minute_s(self) -> float:
        """What a minute of this audience's time counts for, in seconds."""
        return self.model.user_minute_s(self.run.audience)

    def test_cost(self, test: CompiledTest) -> float:
        """A test's cost now: nothing for a probe test whose fact is already observed."""
        if test.fact is not None and not test.asks_user and self.run.observed(test.fact):
            return 0.0
        return test.cost_s(self.user_minute_s)

    def text(self, texts: Mapping[str, str] | None, fallback: str = "") -> str:
        """A playbook text in the run's language, with the numbers of its placeholders
        (:mod:`homediag.engine.texts`) from the run's configuration."""
        return render(text_in(texts, self.lang, fallback), self._settings(), self.lang)

    def texts(self, texts: Mapping[str, str]) -> dict[str, str]:
        """A playbook text in every language, placeholders filled (for the questioner)."""
        settings = self._settings()
        return {lang: render(value, settings, lang) for lang, value in texts.items()}

    def _settings(self) -> dict[str, Mapping[str, object]]:
        config = self.run.config
        return {
            "thresholds": config.thresholds.model_dump(),
            "expect": config.expect.model_dump(),
            "facts": self.measured(),
        }

    def measured(self) -> dict[str, object]:
        """The latest value of each fact about this computer (``local``), for ``{facts.NAME}``."""
        return {obs.fact: obs.value for obs in self.run.observations if obs.subject == "local"}

    def remedy_steps(self, steps: Sequence[Mapping[str, str]]) -> list[Mapping[str, str]]:
        """A remedy's steps without those that name a measured fact this run lacks."""
        facts = self.measured()
        return [step for step in steps if not facts_missing(step.get("en", ""), facts)]

    def explain(self, test: CompiledTest, outcome: str) -> str:
        """The evidence text of ``test``'s ``outcome`` in the run's language."""
        return explain(test.spec, outcome, self.lang, self._settings())


def explain(
    test: TestSpec, outcome: str, lang: str, settings: Mapping[str, Mapping[str, object]] | None = None
) -> str:
    """The evidence text of ``test``'s ``outcome`` in ``lang``: the playbook's ``explain`` text (its
    placeholders filled from ``settings``, the run's ``thresholds`` and ``expect``), else the test and
    its outcome (a question: its answer) in words. Reports are rebuilt in their reader's language with
    it."""
    text = render(text_in(test.explain.get(outcome), lang), settings or {}, lang)
    if text:
        return text
    label = text_in(test.title, lang) or text_in(test.text, lang) or test.id
    if test.answers and outcome in test.answers:
        answer = text_in(test.answers[outcome], lang, outcome)
        return gettext_for(lang, ANSWERED).format(question=label, answer=answer)
    return gettext_for(lang, TEST_OUTCOME).format(test=label, outcome=outcome_word(outcome, lang))
