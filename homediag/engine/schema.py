"""The playbook format: pydantic v2 models (``extra="forbid"``, strict types).

A playbook is knowledge, not a flowchart (docs/probes-and-playbooks.md#playbooks). Its parts:

- ``causes`` (each with a problem code and a prior weight), ``conditions`` (latent states with base rates),
  ``interactions`` (``all_of`` / ``none_of``: faults that show only when two things hold together)
  and a ``leak`` (a cause the playbook does not model);
- ``tests``: a probe fact mapped to outcomes (CEL or structured rules), a question, or an
  experiment, with likelihoods per cause (``effects``, or the ``rules_out`` / ``suggests``
  shorthand), a cost and an optional validity window (``valid_if``);
- ``remedies``: the causes they fix and how likely, cost, flags, steps and the verifier test;
- ``cases``: inline tests (given these observations and answers, expect this diagnosis...).

Texts for people carry English, German and French inline: ``title: {en: ..., de: ..., fr: ...}``.
Outcomes are strings (the loader keeps ``yes``/``no`` as strings). :func:`json_schema` exports the
JSON Schema for editors.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

LANGUAGES: tuple[str, ...] = ("en", "de", "fr")
API_VERSION = "homediag/v1"

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
PlaybookId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$", max_length=64)]
OutcomeName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]+$", max_length=40)]
FactName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")]
Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(\.[a-z0-9-]+)+$", max_length=64)]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Weight = Annotated[float, Field(gt=0.0, allow_inf_nan=False)]
"""A prior as a relative weight: positive and finite. The loader scales the weights of a playbook's causes,
interactions and leak to sum to 1, so adding a cause never edits its siblings."""
Audience = Literal["customer", "technician"]
Mode = Literal["identify", "repair"]
_BOTH_AUDIENCES: tuple[Audience, ...] = ("customer", "technician")
StatusWord = Literal["confirmed", "likely", "possible", "ruled_out", "deferred", "not_tested"]


def _check_text(value: dict[str, str]) -> dict[str, str]:
    missing = [lang for lang in LANGUAGES if not value.get(lang, "").strip()]
    if missing:
        raise ValueError(f"text lacks language(s): {', '.join(missing)}")
    extra = sorted(set(value) - set(LANGUAGES))
    if extra:
        raise ValueError(f"unsupported language(s): {', '.join(extra)}")
    return value


Text = Annotated[dict[str, Annotated[str, StringConstraints(max_length=2000)]], AfterValidator(_check_text)]
"""A text for people in every supported language: ``{en: ..., de: ..., fr: ...}``."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)


class Cost(_Model):
    """What a test or remedy costs: machine seconds and the user's minutes."""

    seconds: Annotated[float, Field(ge=0.0, le=86_400.0)] = 0.0
    user_minutes: Annotated[float, Field(ge=0.0, le=1_440.0)] = 0.0


class Defaults(_Model):
    """Tuning of the engine for one playbook (the defaults suit most)."""

    floor: Annotated[float, Field(gt=0.0, le=0.1)] = 0.01
    """Likelihood floor: nothing is ever impossible (probes and users are noisy)."""
    strong: Annotated[float, Field(gt=0.5, lt=1.0)] = 0.97
    """Strength of ``rules_out``: P(outcome | cause) becomes 1 - strong."""
    moderate: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.85
    """Strength of ``suggests``: P(outcome | cause) becomes moderate."""
    threshold: Annotated[float, Field(ge=0.5, lt=1.0)] = 0.9
    """Posterior at which identification stops."""
    free_cost_s: Annotated[float, Field(ge=0.0, le=60.0)] = 2.0
    """Automatic probes up to this cost run first, without selection."""
    min_gain_per_s: Annotated[float, Field(ge=0.0)] = 0.0005
    """Identify mode: a test must promise at least this many bits per second of cost."""
    leak_alarm: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.3
    """Multi-fault candidates are formed when the leak's posterior exceeds this."""
    leak_spread: Annotated[float, Field(gt=0.0, le=1.0)] = 0.5
    """How much the leak predicts nothing: its outcome distribution is this share uniform and the
    rest ``normal`` (an unmodelled cause disturbs some tests, not every one)."""
    pair_factor: Annotated[float, Field(gt=0.0, le=1.0)] = 1.0
    """Prior of a multi-fault candidate: the product of its causes' priors times this per extra
    cause."""
    user_minute_s: dict[str, Annotated[float, Field(ge=0.0)]] = Field(
        default_factory=lambda: {"customer": 120.0, "technician": 60.0}
    )
    """Seconds one minute of the user's time counts for, by audience."""


class Escalation(_Model):
    """Calling for help: fixes anything, at a high cost (the yardstick for remedies)."""

    title: Text
    text: Text
    cost: Cost = Cost(seconds=7200.0)


class Condition(_Model):
    """A latent state that explains nothing alone but takes part in interactions."""

    id: Id
    title: Text
    base_rate: Annotated[float, Field(gt=0.0, lt=1.0)]


class Cause(_Model):
    """A repair-relevant explanation of the complaint, with a problem code and a prior weight.

    A cause whose code is an advisory (``homediag/core/codes.yaml``) is no explanation of the
    complaint: it is judged on its own from the probe tests that observe it, with its ``prevalence`` as
    prior, and its ``prior`` weight is not used."""

    id: Id
    code: Code
    prior: Weight
    """How common this cause is among the complaint's causes, relative to the others (a weight)."""
    title: Text
    explanation: Text
    """For customers: plain words."""
    details: Text
    """For technicians."""
    escalation_only: bool = False
    """No remedy on purpose: the fix is to hand over (to the provider, a technician)."""
    prevalence: Annotated[float, Field(gt=0.0, lt=1.0)] | None = None
    """How common the fault is in homes that made no complaint. A checkup uses it as the prior
    (else the complaint prior scaled by ``1 - healthy_prior``): give it for latent faults a checkup
    should find on its own, such as carrier-grade NAT. An advisory's prior, in every run."""


class Interaction(_Model):
    """A fault that appears only when all of ``all_of`` hold and none of ``none_of``."""

    id: Id
    code: Code
    prior: Weight
    all_of: Annotated[list[Id], Field(min_length=1)]
    none_of: list[Id] = Field(default_factory=list)
    title: Text
    explanation: Text
    details: Text


class Leak(_Model):
    """A cause this playbook does not model. Uniform on every test."""

    prior: Weight


class BoundRef(_Model):
    """A number from the configuration: ``{threshold: dns_slow_ms}`` or ``{expect: download_mbps,
    times: 0.5}``."""

    threshold: str | None = None
    expect: str | None = None
    times: float = 1.0

    @model_validator(mode="after")
    def _one_source(self) -> BoundRef:
        if (self.threshold is None) == (self.expect is None):
            raise ValueError("give exactly one of threshold or expect")
        return self


Bound = float | BoundRef
Scalar = str | bool | float | None


class Match(_Model):
    """A structured condition on the observed value; every key given must hold."""

    eq: Scalar = None
    ne: Scalar = None
    lt: Bound | None = None
    le: Bound | None = None
    gt: Bound | None = None
    ge: Bound | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in")
    is_null: bool | None = None
    empty: bool | None = None
    """For lists and strings: whether it has no items."""
    any: Match | None = None
    """Holds when the inner match holds for any subject's value."""
    all: Match | None = None
    """Holds when the inner match holds for every subject's value."""

    @property
    def eq_given(self) -> bool:
        """Whether ``eq`` was written (``eq: null`` differs from no ``eq``)."""
        return "eq" in self.model_fields_set

    @model_validator(mode="after")
    def _not_empty(self) -> Match:
        given = [
            name
            for name in ("ne", "lt", "le", "gt", "ge", "in_", "is_null", "empty", "any", "all")
            if getattr(self, name) is not None
        ]
        if not given and not self.eq_given:
            raise ValueError("a match needs at least one condition")
        return self


class OutcomeRule(_Model):
    """``{outcome: lossy, when: ...}``: the first rule whose condition holds gives the outcome.

    ``when`` is a CEL expression (a string) or a structured :class:`Match`; a rule without ``when``
    always holds (put it last, as the "otherwise")."""

    outcome: OutcomeName
    when: str | Match | None = None


class TestSpec(_Model):
    """A test: a probe fact, a question for the user, or an experiment."""

    id: Id
    kind: Literal["probe", "question", "experiment"]
    title: Text | None = None
    fact: FactName | None = None
    """The fact a probe test reads (also an experiment that re-measures)."""
    subject: str | None = None
    """Which observations of the fact count: an exact subject or a glob (``resolver:*``)."""
    map: str | list[OutcomeRule] | None = None
    """Observation to outcome: a CEL expression returning the outcome, or rules, first match
    wins."""
    text: Text | None = None
    """The question or the experiment's instruction."""
    answers: dict[OutcomeName, Text] | None = None
    """Question answers: outcome -> label."""
    ask: list[Audience] = Field(default_factory=lambda: list(_BOTH_AUDIENCES))
    """Who may be asked (questions and experiments)."""
    ask_first: bool = False
    """Ask right after the free probes (its answer opens other tests' validity windows)."""
    outcomes: Annotated[list[OutcomeName], Field(min_length=2, max_length=12)]
    normal: dict[OutcomeName, Probability]
    """Outcome distribution when none of the causes it knows about is present."""
    effects: dict[Id, dict[OutcomeName, Probability]] = Field(default_factory=dict)
    """Outcome distribution under a cause, condition or interaction."""
    rules_out: dict[OutcomeName, list[Id]] = Field(default_factory=dict)
    """Shorthand: this outcome is unlikely (1 - strong) under these causes."""
    suggests: dict[OutcomeName, list[Id]] = Field(default_factory=dict)
    """Shorthand: this outcome is likely (moderate) under these causes."""
    cost: Cost = Cost()
    requires: str | None = None
    """CEL: the test is offered only when this holds (e.g. a fact it builds on)."""
    valid_if: str | None = None
    """CEL: the validity window. Outside it the test is deferred and rules nothing out."""
    window: Text | None = None
    """The window in words, for the report (required with ``valid_if``)."""
    explain: dict[OutcomeName, Text] = Field(default_factory=dict)
    """Evidence text per outcome."""
    measures: dict[OutcomeName, list[Id]] = Field(default_factory=dict)
    """Direct measurement: these outcomes *are* the symptom these causes' codes name (DNS answers
    slower than the threshold are ``dns.slow``). Such a cause is reported from the measurement
    whatever else is wrong (docs/probes-and-playbooks.md#direct-measurement-wins-over-inference)."""

    @model_validator(mode="after")
    def _kind_fields(self) -> TestSpec:
        if self.kind == "probe":
            if self.fact is None or self.map is None:
                raise ValueError("a probe test needs fact and map")
            if self.text is not None or self.answers is not None:
                raise ValueError("a probe test has no text or answers")
        elif self.kind == "question":
            if self.text is None or self.answers is None:
                raise ValueError("a question needs text and answers")
            if self.fact is not None or self.map is not None:
                raise ValueError("a question has no fact or map")
        else:
            if self.text is None:
                raise ValueError("an experiment needs text (the instruction)")
            if (self.fact is None) != (self.map is None):
                raise ValueError("an experiment that re-measures needs both fact and map")
            if self.fact is None and self.answers is None:
                raise ValueError("an experiment needs answers or a fact to re-measure")
        if self.answers is not None and sorted(self.answers) != sorted(self.outcomes):
            raise ValueError("answers must have exactly the outcomes as keys")
        if len(set(self.outcomes)) != len(self.outcomes):
            raise ValueError("outcomes must be unique")
        if self.valid_if is not None and self.window is None:
            raise ValueError("valid_if needs window: the window in words")
        return self

    @property
    def asks_user(self) -> bool:
        """Whether running it means asking the user (a question, or an experiment without a
        fact)."""
        return self.kind == "question" or (self.kind == "experiment" and self.fact is None)


class Verify(_Model):
    """The verifier of a remedy: this test, re-run, gives this outcome when the fix worked."""

    test: Id
    expect: OutcomeName


class RemedySpec(_Model):
    """A step that fixes causes. homediag advises; the user (or technician) does it."""

    id: Id
    title: Text
    fixes: dict[Id, Annotated[float, Field(gt=0.0, le=1.0)]]
    cost: Cost = Cost()
    kind: Literal["action", "information", "contact"] = "action"
    safe_for_customer: bool = False
    """Whether a customer may be offered it; off unless the author says so (a remedy written without
    the flag goes to technicians only)."""
    needs_consent: bool = False
    disruptive: bool = False
    costs_money: bool = False
    """The step costs money (new equipment, a plan upgrade, a provider's fee): the report says so."""
    steps: Annotated[list[Text], Field(min_length=1)]
    verify: Verify | None = None
    disrupts: Text | None = None
    """What doing it disturbs, in the customer's words ("everyone at home is offline for about three
    minutes"); the guided flow shows it before asking. Required for a disruptive remedy customers may
    do (lint)."""


class Guide(_Model):
    """How the guided flow (``homediag`` on a terminal) offers this playbook's complaint."""

    position: Annotated[int, Field(ge=1, le=99)]
    """Place in the menu of problems (smallest first)."""
    menu: Text | None = None
    """The problem in the customer's plain words, when the title does not say it that way."""
    fixed: Text
    """What works again once a remedy's verifier passed: "Fixed: {fixed}" ("the printer prints
    again")."""


class AppliesIf(_Model):
    """When the playbook applies at all (else a plain verdict: "no wireless interface")."""

    fact: FactName
    when: str | Match
    reason: Text


class CaseObservation(_Model):
    """A recorded observation for an inline test."""

    fact: FactName
    value: Any = None
    subject: str = "local"


class CaseExpect(_Model):
    """What an inline test expects (every key given must hold)."""

    diagnosis: Id | list[Id] | None = None
    """The top hypothesis: a cause, an interaction or ``unknown``; or a list of causes, meaning
    the multi-fault candidate of exactly those causes, each named in the others' findings."""
    status: StatusWord | None = None
    min_probability: Probability | None = None
    ruled_out: list[Id] = Field(default_factory=list)
    not_ruled_out: list[Id] = Field(default_factory=list)
    first_question: Id | None = None
    asks_nothing: bool = False
    never_runs: list[Id] = Field(default_factory=list)
    deferred: list[Id] = Field(default_factory=list)
    max_cost_s: Annotated[float, Field(ge=0.0)] | None = None
    not_applicable: bool | None = None
    codes: list[str] = Field(default_factory=list)
    """Problem codes that must be among the confirmed or likely findings (faults or advisories)."""
    no_problems: bool = False
    """No fault may be confirmed or likely (advisories may: they are not problems of the complaint)."""
    no_codes: list[str] = Field(default_factory=list)
    """Problem codes that must not be confirmed or likely (faults or advisories)."""


class Case(_Model):
    """An inline test: given these observations and answers, expect this diagnosis."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    observations: list[CaseObservation] = Field(default_factory=list)
    answers: dict[Id, OutcomeName] = Field(default_factory=dict)
    audience: Audience = "technician"
    mode: Mode | None = None
    interactive: bool = True
    """Whether questions are answered from ``answers`` (False: run non-interactively)."""
    expect: CaseExpect


class PlaybookSpec(_Model):
    """One playbook file."""

    api_version: Literal["homediag/v1"] = Field(alias="apiVersion")
    kind: Literal["Playbook"]
    id: PlaybookId
    version: Annotated[int, Field(ge=1)]
    draft: bool = False
    """An outline: some probes it needs do not exist yet. Validation warns instead of failing."""
    title: Text
    complaints: Annotated[list[PlaybookId], Field(min_length=1)]
    description: Text | None = None
    guide: Guide | None = None
    """Where and how the guided flow's menu offers the complaint (not offered without)."""
    keep_untranslated: list[str] = Field(default_factory=list)
    """English texts that stay the same in every language (proper names, codes)."""
    applies_if: AppliesIf | None = None
    includes: list[PlaybookId] = Field(default_factory=list)
    """For ``checkup``: the playbooks whose free tests it runs."""
    healthy_prior: Annotated[float, Field(gt=0.0, lt=1.0)] | None = None
    """For ``checkup``: the prior that nothing is wrong (no complaint was made)."""
    defaults: Defaults = Defaults()
    escalation: Escalation
    conditions: list[Condition] = Field(default_factory=list)
    causes: list[Cause] = Field(default_factory=list)
    interactions: list[Interaction] = Field(default_factory=list)
    leak: Leak
    tests: list[TestSpec] = Field(default_factory=list)
    remedies: list[RemedySpec] = Field(default_factory=list)
    cases: list[Case] = Field(default_factory=list)


def json_schema() -> str:
    """The JSON Schema of the playbook format (for editors)."""
    return json.dumps(PlaybookSpec.model_json_schema(by_alias=True), indent=2, sort_keys=True)
