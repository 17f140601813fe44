"""A compiled playbook: hypotheses, likelihood tables, remedies, and observation-to-outcome mapping.

Compiling turns the author's shorthand into numbers (``rules_out: {up: [link_down]}`` becomes
``P(up | link_down) = 1 - strong`` with the rest shared like ``normal``; prior weights become
priors that sum to 1), compiles every CEL
expression, and lays out the hypotheses: one per cause, one per interaction, the leak, and on demand
multi-fault candidates and (in a checkup) "nothing is wrong". Likelihoods are computed lazily per
(test, hypothesis) and cached; see :mod:`homediag.engine.inference` for the arithmetic.

Causes whose problem code is an *advisory* (``homediag/core/codes.yaml``: no symptom by itself, such
as an admin page over plain HTTP) are not hypotheses of the complaint: they would take probability
from its causes without explaining anything (docs/probes-and-playbooks.md#faults-and-advisories).
They are laid out apart (:attr:`PlaybookModel.advisories`, with their ``prevalence`` as prior) and
judged each on its own from the probe tests that observe them (:mod:`homediag.engine.direct`); their
effects on a test are kept apart too (:attr:`CompiledTest.advisory_effects`), so a test that only
observes advisories tells the complaint's hypotheses (and the leak) nothing."""

from __future__ import annotations

import fnmatch
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from homediag.core.codes import is_advisory
from homediag.core.model import Observation, PlaybookRef
from homediag.engine.expressions import (
    Budget,
    Expression,
    ExpressionError,
    MissingInput,
    Scope,
    compile_expression,
)
from homediag.engine.inference import Dist, floored, marginalise, normalised, uniform
from homediag.engine.schema import (
    BoundRef,
    Cause,
    Interaction,
    Match,
    PlaybookSpec,
    RemedySpec,
    TestSpec,
)
from homediag.engine.texts import fact_placeholders

HypothesisKind = Literal["cause", "interaction", "leak", "multi", "healthy", "advisory"]
LEAK_ID = "unknown"
HEALTHY_ID = "healthy"
ADVISORY_PREVALENCE = 0.1
"""The prior of an advisory cause that declares no ``prevalence``: how often a home has it."""


@dataclass(frozen=True)
class Hypothesis:
    """One explanation the engine weighs."""

    id: str
    kind: HypothesisKind
    prior: float
    members: tuple[str, ...] = ()
    """Active causes or conditions: the cause itself, an interaction's ``all_of``, a candidate's
    causes."""
    none_of: tuple[str, ...] = ()
    code: str | None = None


@dataclass(frozen=True)
class MapResult:
    """What a test made of the observations: an outcome, or why there is none."""

    outcome: str | None
    value: Any = None
    subject: str | None = None
    evidence: str | None = None
    note: str | None = None
    observed: bool = False
    error: str | None = None
    """An expression of the map failed to evaluate although everything it reads was there: an error
    in the playbook, never silent (the diagnosis is incomplete)."""


class CompileError(ValueError):
    """A playbook part cannot be compiled; ``path`` points into the document."""

    def __init__(self, path: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.path = path


def compile_cel(source: str, path: tuple[str | int, ...]) -> Expression:
    """Compile one expression or raise :class:`CompileError` pointing at ``path``."""
    try:
        return compile_expression(source)
    except ExpressionError as exc:
        raise CompileError(path, f"{exc}: {source!r}") from None


@dataclass(frozen=True)
class Rule:
    """One compiled outcome rule."""

    outcome: str
    expression: Expression | None = None
    match: Match | None = None


@dataclass(frozen=True)
class CompiledTest:
    """A test with its numbers and compiled expressions."""

    spec: TestSpec
    index: int
    outcomes: tuple[str, ...]
    normal: Dist
    effects: Mapping[str, Dist]
    rules: tuple[Rule, ...] = ()
    outcome_expression: Expression | None = None
    requires: Expression | None = None
    valid_if: Expression | None = None
    free: bool = False
    advisory_effects: Mapping[str, Dist] = field(default_factory=dict)
    """Outcome distributions under the advisory causes it observes (judged apart, never part of
    the complaint's hypotheses)."""

    @property
    def id(self) -> str:
        """The test id."""
        return self.spec.id

    @property
    def fact(self) -> str | None:
        """The fact it reads, if any."""
        return self.spec.fact

    @property
    def asks_user(self) -> bool:
        """Whether running it means asking the user."""
        return self.spec.asks_user

    @property
    def reads(self) -> tuple[str, ...]:
        """Every fact mapping its outcome reads: its own, then those its map names (``facts['x']``)
        and its evidence texts print (``{facts.x}``), which are obtained with it."""
        if self.fact is None:
            return ()
        named: set[str] = set()
        for expression in (self.outcome_expression, *(rule.expression for rule in self.rules)):
            if expression is not None:
                named |= expression.fact_refs
        for texts in self.spec.explain.values():
            named.update(fact_placeholders(texts.get("en", "")))
        return (self.fact, *sorted(named - {self.fact}))

    def cost_s(self, user_minute_s: float) -> float:
        """Its cost in seconds-equivalent for an audience valuing a user minute at
        ``user_minute_s``."""
        return self.spec.cost.seconds + self.spec.cost.user_minutes * user_minute_s

    def select(self, observations: Sequence[Observation]) -> list[Observation]:
        """The observations this test reads: its fact, its subjects; the latest per subject; local
        first, then by subject."""
        pattern = self.spec.subject
        latest: dict[str, Observation] = {}
        for obs in observations:
            if obs.fact != self.spec.fact:
                continue
            if pattern is not None and not fnmatch.fnmatchcase(obs.subject, pattern):
                continue
            latest[obs.subject] = obs
        return [latest[s] for s in sorted(latest, key=lambda s: (s != "local", s))]

    def map_observations(
        self, observations: Sequence[Observation], variables: Mapping[str, Any], budget: Budget
    ) -> MapResult:
        """Map what was observed to an outcome (None, with a note, when nothing maps)."""
        selected = self.select(observations)
        if not selected:
            return MapResult(outcome=None, note="not observed")
        first = selected[0]
        values = [obs.value for obs in selected]
        extra = {
            "value": first.value,
            "values": values,
            "subject": first.subject,
            "subjects": [obs.subject for obs in selected],
        }
        scope = variables.child(extra) if isinstance(variables, Scope) else {**variables, **extra}
        evidence = "; ".join(obs.evidence for obs in selected if obs.evidence)[:300] or None

        def result(outcome: str | None, note: str | None = None, error: str | None = None) -> MapResult:
            return MapResult(
                outcome=outcome,
                value=first.value,
                subject=first.subject,
                evidence=evidence,
                note=note,
                observed=True,
                error=error,
            )

        if self.outcome_expression is not None:
            try:
                mapped = self.outcome_expression.evaluate(scope, budget)
            except MissingInput as exc:
                return result(None, f"unknown: {exc}")
            except ExpressionError as exc:
                return result(None, "mapping failed", error=str(exc))
            if isinstance(mapped, str) and mapped in self.outcomes:
                return result(mapped)
            missing = self.outcome_expression.missing_inputs(scope)
            if missing:
                return result(None, f"unknown: {', '.join(missing)} not known")
            return result(None, "mapping failed", error=f"it gave {_short(mapped)}, not an outcome")
        notes: list[str] = []
        for rule in self.rules:
            try:
                if rule.expression is not None:
                    verdict = rule.expression.evaluate(scope, budget)
                    if not isinstance(verdict, bool):
                        missing = rule.expression.missing_inputs(scope)
                        if missing:
                            notes.append(f"rule for {rule.outcome}: {', '.join(missing)} not known")
                            continue
                        error = f"the rule for {rule.outcome} gave {_short(verdict)}, not true or false"
                        return result(None, "mapping failed", error=error)
                elif rule.match is not None:
                    verdict = match_holds(rule.match, first.value, values, variables)
                else:
                    verdict = True
            except MissingInput as exc:
                notes.append(f"rule for {rule.outcome}: {exc}")
                continue
            except ExpressionError as exc:
                return result(None, "mapping failed", error=f"the rule for {rule.outcome}: {exc}")
            if verdict:
                return result(rule.outcome)
        note = f"value {_short(first.value)} matches no outcome"
        if notes:
            note += " (" + "; ".join(notes[:2]) + ")"
        return result(None, note)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    na, nb = _number(a), _number(b)
    if na is not None and nb is not None:
        return na == nb
    return bool(a == b)


def _bound(bound: float | BoundRef, variables: Mapping[str, Any]) -> float:
    if not isinstance(bound, BoundRef):
        return float(bound)
    section, name = ("thresholds", bound.threshold) if bound.threshold else ("expect", bound.expect)
    table = variables.get(section) or {}
    raw = table.get(name) if isinstance(table, Mapping) else None
    number = _number(raw)
    if number is None:
        raise MissingInput(f"{section}.{name} is not set")
    return number * bound.times


def match_holds(match: Match, value: Any, values: Sequence[Any], variables: Mapping[str, Any]) -> bool:
    """Whether the structured condition holds for ``value`` (and ``values``, for any/all)."""
    if match.any is not None and not any(match_holds(match.any, v, [v], variables) for v in values):
        return False
    if match.all is not None and not (
        values and all(match_holds(match.all, v, [v], variables) for v in values)
    ):
        return False
    if match.eq_given and not _equal(value, match.eq):
        return False
    if match.ne is not None and _equal(value, match.ne):
        return False
    if match.in_ is not None and not any(_equal(value, item) for item in match.in_):
        return False
    if match.is_null is not None and (value is None) != match.is_null:
        return False
    if match.empty is not None:
        if not isinstance(value, list | tuple | str | dict):
            return False
        if (len(value) == 0) != match.empty:
            return False
    comparisons: tuple[tuple[float | BoundRef | None, Callable[[float, float], bool]], ...] = (
        (match.lt, operator.lt),
        (match.le, operator.le),
        (match.gt, operator.gt),
        (match.ge, operator.ge),
    )
    for bound, compare in comparisons:
        if bound is None:
            continue
        number = _number(value)
        if number is None:
            return False
        if not compare(number, _bound(bound, variables)):
            return False
    return True


@dataclass(frozen=True)
class CompiledRemedy:
    """A remedy with its fix probabilities."""

    spec: RemedySpec
    index: int

    @property
    def id(self) -> str:
        """The remedy id."""
        return self.spec.id

    def cost_s(self, user_minute_s: float, verifier_cost_s: float = 0.0) -> float:
        """Cost in seconds-equivalent, verifier included."""
        cost = self.spec.cost.seconds + self.spec.cost.user_minutes * user_minute_s
        return max(cost + verifier_cost_s, 1.0)


def sugar_effects(spec: TestSpec, strong: float, moderate: float) -> dict[str, dict[str, float]]:
    """The ``rules_out`` / ``suggests`` shorthand as explicit distributions.

    ``rules_out: {o: [c]}`` fixes ``P(o | c) = 1 - strong``; ``suggests: {o: [c]}`` fixes
    ``P(o | c) = moderate``; the unfixed outcomes share the rest in proportion to ``normal``.
    """
    fixed: dict[str, dict[str, float]] = {}
    for outcome, ids in spec.rules_out.items():
        for cid in ids:
            fixed.setdefault(cid, {})[outcome] = 1.0 - strong
    for outcome, ids in spec.suggests.items():
        for cid in ids:
            fixed.setdefault(cid, {})[outcome] = moderate
    result: dict[str, dict[str, float]] = {}
    for cid, pinned in fixed.items():
        mass = 1.0 - math.fsum(pinned.values())
        free = [o for o in spec.outcomes if o not in pinned]
        dist = dict(pinned)
        if free and mass > 0:
            weights = [spec.normal.get(o, 0.0) for o in free]
            total = math.fsum(weights)
            for o, w in zip(free, weights, strict=True):
                dist[o] = mass * (w / total if total > 0 else 1.0 / len(free))
        else:
            for o in free:
                dist[o] = 0.0
        result[cid] = dist
    return result


@dataclass
class PlaybookModel:
    """A validated, compiled playbook."""

    spec: PlaybookSpec
    ref: PlaybookRef
    source: str
    tests: tuple[CompiledTest, ...]
    remedies: tuple[CompiledRemedy, ...]
    hypotheses: tuple[Hypothesis, ...]
    """Causes, interactions and the leak, in declaration order, with their normalised priors
    (advisory causes are not among them)."""
    applies_if: Rule | None = None
    advisories: tuple[Hypothesis, ...] = ()
    """The advisory causes, each with its prevalence as prior: judged apart, from direct
    observation."""
    _cache: dict[tuple[str, str], Dist] = field(default_factory=dict, repr=False)

    @property
    def id(self) -> str:
        """The playbook id."""
        return self.spec.id

    @property
    def priors(self) -> Mapping[str, float]:
        """The normalised prior of each cause, interaction and the leak (``unknown``)."""
        return {h.id: h.prior for h in self.hypotheses}

    @property
    def draft(self) -> bool:
        """Whether it is an outline."""
        return self.spec.draft

    def test(self, test_id: str) -> CompiledTest:
        """The test with ``test_id``."""
        for test in self.tests:
            if test.id == test_id:
                return test
        raise KeyError(test_id)

    def remedy(self, remedy_id: str) -> CompiledRemedy:
        """The remedy with ``remedy_id``."""
        for remedy in self.remedies:
            if remedy.id == remedy_id:
                return remedy
        raise KeyError(remedy_id)

    def cause(self, cause_id: str) -> Cause | None:
        """The cause with ``cause_id``, if it is one."""
        for cause in self.spec.causes:
            if cause.id == cause_id:
                return cause
        return None

    def interaction(self, interaction_id: str) -> Interaction | None:
        """The interaction with ``interaction_id``, if it is one."""
        for interaction in self.spec.interactions:
            if interaction.id == interaction_id:
                return interaction
        return None

    def user_minute_s(self, audience: str) -> float:
        """What a minute of this audience's time counts for, in seconds."""
        return self.spec.defaults.user_minute_s.get(audience, 60.0)

    def likelihood(self, test: CompiledTest, hypothesis: Hypothesis) -> Dist:
        """P(outcome | hypothesis) for ``test``, floored and normalised (cached)."""
        key = (test.id, hypothesis.id)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        if hypothesis.kind == "leak":
            # A test no modelled cause affects says nothing about unmodelled ones either.
            spread = self.spec.defaults.leak_spread if test.effects else 0.0
            flat = uniform(len(test.outcomes))
            raw: Sequence[float] = [
                spread * u + (1.0 - spread) * n for u, n in zip(flat, test.normal, strict=True)
            ]
        elif hypothesis.kind in ("cause", "interaction") and hypothesis.id in test.effects:
            raw = test.effects[hypothesis.id]
        elif hypothesis.kind == "advisory" and hypothesis.id in test.advisory_effects:
            raw = test.advisory_effects[hypothesis.id]
        else:
            active = [test.effects[m] for m in hypothesis.members if m in test.effects]
            latent = [
                (condition.base_rate, test.effects[condition.id])
                for condition in self.spec.conditions
                if condition.id in test.effects
                and condition.id not in hypothesis.members
                and condition.id not in hypothesis.none_of
            ]
            raw = marginalise(test.normal, active, latent)
        dist = floored(raw, self.spec.defaults.floor)
        self._cache[key] = dist
        return dist

    def fix(self, remedy: CompiledRemedy, hypothesis: Hypothesis) -> float:
        """P(remedy fixes the complaint | hypothesis)."""
        fixes = remedy.spec.fixes
        if hypothesis.id in fixes:
            return fixes[hypothesis.id]
        if hypothesis.kind == "interaction":
            # Breaking any conjunct breaks the interaction ("remove the cat or wait for winter").
            return max((fixes.get(m, 0.0) for m in hypothesis.members), default=0.0)
        if hypothesis.kind == "multi":
            product = 1.0
            for member in hypothesis.members:
                product *= fixes.get(member, 0.0)
            return product
        return 0.0

    def multi_fault(self, causes: Sequence[str]) -> Hypothesis:
        """A multi-fault candidate made of ``causes``."""
        members = tuple(sorted(causes))
        prior = self.spec.defaults.pair_factor ** (len(members) - 1)
        for member in members:
            prior *= self.priors.get(member, 0.0) if self.cause(member) is not None else 0.0
        return Hypothesis(id="+".join(members), kind="multi", prior=prior, members=members)

    def advisory(self, advisory_id: str) -> Hypothesis | None:
        """The advisory cause with ``advisory_id``, if it is one."""
        for h in self.advisories:
            if h.id == advisory_id:
                return h
        return None

    def healthy(self, prior: float) -> Hypothesis:
        """The hypothesis "nothing is wrong" (checkup only: no complaint was made)."""
        return Hypothesis(id=HEALTHY_ID, kind="healthy", prior=prior)

    def code_of(self, hypothesis_id: str) -> str | None:
        """The problem code of a cause or interaction."""
        cause = self.cause(hypothesis_id)
        if cause is not None:
            return cause.code
        interaction = self.interaction(hypothesis_id)
        return interaction.code if interaction is not None else None


def _compile_rules(spec: TestSpec, base: tuple[str | int, ...]) -> tuple[tuple[Rule, ...], Expression | None]:
    if spec.map is None:
        return (), None
    if isinstance(spec.map, str):
        return (), compile_cel(spec.map, (*base, "map"))
    rules: list[Rule] = []
    for i, rule in enumerate(spec.map):
        if isinstance(rule.when, str):
            rules.append(Rule(rule.outcome, expression=compile_cel(rule.when, (*base, "map", i, "when"))))
        else:
            rules.append(Rule(rule.outcome, match=rule.when))
    return tuple(rules), None


def advisory_ids(spec: PlaybookSpec) -> frozenset[str]:
    """The causes of ``spec`` whose problem code is an advisory (judged apart, never hypotheses)."""
    return frozenset(c.id for c in spec.causes if is_advisory(c.code))


def normalised_priors(spec: PlaybookSpec) -> dict[str, float]:
    """The prior weights of the causes, interactions and the leak (``unknown``), scaled to sum to 1.

    Priors are relative weights, so adding a cause never edits its siblings. Weights that already sum
    to 1 keep their values exactly (the sum is computed exactly, with ``math.fsum``). Advisory causes
    are left out: they are not explanations of the complaint.
    """
    advisory = advisory_ids(spec)
    weights = {c.id: c.prior for c in spec.causes if c.id not in advisory}
    weights.update({i.id: i.prior for i in spec.interactions})
    weights[LEAK_ID] = spec.leak.prior
    total = math.fsum(weights.values())
    return {hid: weight / total for hid, weight in weights.items()}


def compile_playbook(spec: PlaybookSpec, *, source: str, sha256: str) -> PlaybookModel:
    """Compile a schema-valid playbook whose references resolve (see :mod:`homediag.engine.lint`).

    Raise :class:`CompileError` on an expression that does not compile.
    """
    defaults = spec.defaults
    advisory = advisory_ids(spec)
    tests: list[CompiledTest] = []
    for index, test in enumerate(spec.tests):
        base: tuple[str | int, ...] = ("tests", index)
        effects_raw = sugar_effects(test, defaults.strong, defaults.moderate)
        effects_raw.update({k: dict(v) for k, v in test.effects.items()})
        all_effects = {
            key: normalised([dist.get(o, 0.0) for o in test.outcomes])
            for key, dist in sorted(effects_raw.items())
        }
        effects = {key: dist for key, dist in all_effects.items() if key not in advisory}
        rules, outcome_expression = _compile_rules(test, base)
        tests.append(
            CompiledTest(
                spec=test,
                index=index,
                outcomes=tuple(test.outcomes),
                normal=normalised([test.normal.get(o, 0.0) for o in test.outcomes]),
                effects=effects,
                rules=rules,
                outcome_expression=outcome_expression,
                requires=compile_cel(test.requires, (*base, "requires")) if test.requires else None,
                valid_if=compile_cel(test.valid_if, (*base, "valid_if")) if test.valid_if else None,
                free=(
                    test.kind == "probe"
                    and test.cost.seconds <= defaults.free_cost_s
                    and test.cost.user_minutes == 0
                ),
                advisory_effects={key: dist for key, dist in all_effects.items() if key in advisory},
            )
        )
    priors = normalised_priors(spec)
    hypotheses: list[Hypothesis] = [
        Hypothesis(id=c.id, kind="cause", prior=priors[c.id], members=(c.id,), code=c.code)
        for c in spec.causes
        if c.id not in advisory
    ]
    hypotheses += [
        Hypothesis(
            id=i.id,
            kind="interaction",
            prior=priors[i.id],
            members=tuple(i.all_of),
            none_of=tuple(i.none_of),
            code=i.code,
        )
        for i in spec.interactions
    ]
    hypotheses.append(Hypothesis(id=LEAK_ID, kind="leak", prior=priors[LEAK_ID]))
    applies_if = None
    if spec.applies_if is not None:
        when = spec.applies_if.when
        if isinstance(when, str):
            applies_if = Rule("applies", expression=compile_cel(when, ("applies_if", "when")))
        else:
            applies_if = Rule("applies", match=when)
    advisories = tuple(
        Hypothesis(
            id=c.id,
            kind="advisory",
            prior=c.prevalence if c.prevalence is not None else ADVISORY_PREVALENCE,
            members=(c.id,),
            code=c.code,
        )
        for c in spec.causes
        if c.id in advisory
    )
    return PlaybookModel(
        spec=spec,
        ref=PlaybookRef(id=spec.id, version=spec.version, sha256=sha256),
        source=source,
        tests=tuple(tests),
        remedies=tuple(CompiledRemedy(spec=r, index=i) for i, r in enumerate(spec.remedies)),
        hypotheses=tuple(hypotheses),
        applies_if=applies_if,
        advisories=advisories,
    )
