"""The engine's trace: one typed record per step, so anyone can follow why it concluded.

A step is a frozen :class:`TraceStep`; :meth:`TraceStep.to_json` gives the JSON the report stores
(keys with nothing to say are left out) and :meth:`TraceStep.from_json` reads it back, also from
reports written before the trace was typed::

    {
      "n": 3,                        # step number, from 1, across the whole diagnosis
      "playbook": "no-internet",     # the playbook the step belongs to
      "action": "probe",             # probe | question | replay | infer | multi_fault | remedy | stop
      "test": "gateway_reply",       # the test (or remedy, for action "remedy")
      "fact": "gateway.reachable",   # the fact a probe test read
      "subject": "local",            # the observation's subject
      "why": {"rule": "EIG/cost",    # free | ask_first | EIG/cost | ECO<ECR | threshold | not_worth
              "score": 0.42,         #   | no_tests | ECO>=ECR | verifier | applies_if | P/C | competitor
              "ecr_s": 2031.0,       # repair mode: expected cost of repair before the step
              "runners_up": [["dns_answers", 0.31], ["ask_other_devices", 0.002]]},
      "outcome": "no",               # the outcome, or null when the test gave no evidence
      "value": false,                # the observed value (probes)
      "ruled_out": [{"cause": "link_down", "code": "link.no-connection",
                     "likelihood_ratio": 0.031, "text": "The gateway answered..."}],
      "ruled_in":  [{"cause": "gateway_down", "code": "gateway.unreachable",
                     "likelihood_ratio": 12.4, "text": "..."}],
      "posterior_top": [["gateway_down", 0.81], ["wan_down", 0.1], ["unknown", 0.04]],
      "note": "not observed: net.gateway timed out",  # why a test gave no evidence, deferrals...
      "error": "found no matching overload ..."      # an expression that failed to evaluate
    }

``outcome`` is always present (maybe null) on ``probe``, ``question``, ``replay`` and ``remedy``
steps and never on the others. A ``stop`` step may add ``deferred`` (tests outside their window) and
``unavailable`` (``[test, reason]`` pairs: no probe can observe the fact, or it is gated); a
``multi_fault`` step adds ``candidates`` (the causes of each new candidate). A step with ``error``
records an expression that could not be evaluated: the test counted as not done and the diagnosis is
incomplete. :data:`homediag.engine.trace_schema.TRACE_STEP_SCHEMA` is the JSON Schema.

``ruled_out`` lists hypotheses this step made at least 5 times less likely (likelihood ratio
P(outcome | h) / P(outcome | not h) <= 0.2), ``ruled_in`` those it made at least 5 times more
likely. Numbers are rounded to 4 decimals; no clock time appears, so the same inputs give the same
trace.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from homediag.core.model import JSONValue

RULED_OUT_LR = 0.2
RULED_IN_LR = 5.0


class TraceAction(StrEnum):
    """What a step did."""

    PROBE = "probe"
    """Read a probe fact (live)."""
    QUESTION = "question"
    """Asked the user (or noted that nobody could be asked)."""
    REPLAY = "replay"
    """Read a stored fact (``--from``, inline tests)."""
    INFER = "infer"
    """A decision without new evidence (a checkup following up, applies_if undecided...)."""
    MULTI_FAULT = "multi_fault"
    """Added multi-fault candidates."""
    REMEDY = "remedy"
    """Offered a remedy, and what its verifier said."""
    STOP = "stop"
    """Stopped working a playbook through, with why."""


ACTIONS: tuple[str, ...] = tuple(action.value for action in TraceAction)
"""Every action word, in the schema's order."""
OUTCOME_ACTIONS = frozenset({TraceAction.PROBE, TraceAction.QUESTION, TraceAction.REPLAY, TraceAction.REMEDY})
"""Actions whose steps always carry ``outcome`` (null when the test gave no evidence)."""


class WhyRule(StrEnum):
    """Why a step was taken."""

    FREE = "free"
    """A free automatic probe: run first, without selection."""
    ASK_FIRST = "ask_first"
    """A question marked ``ask_first``."""
    EIG_PER_COST = "EIG/cost"
    """Identify mode: the most expected information per cost."""
    ECO_BELOW_ECR = "ECO<ECR"
    """Repair mode: observing first costs less than repairing now."""
    THRESHOLD = "threshold"
    NOT_WORTH = "not_worth"
    NO_TESTS = "no_tests"
    ECO_NOT_BELOW_ECR = "ECO>=ECR"
    VERIFIER = "verifier"
    """A remedy's verifier test, re-run after the user did the step."""
    APPLIES_IF = "applies_if"
    """The playbook's ``applies_if`` condition."""
    P_OVER_C = "P/C"
    """A remedy offered in updating P-over-C order."""
    CHECKUP_PREFETCH = "checkup_prefetch"
    """A checkup obtained its members' free facts in one batch."""
    ASKED_FOR = "asked_for"
    """On-demand probes the user asked for (``--speedtest``)."""
    COMPETITOR = "competitor"
    """The leading cause reached the threshold while another that explains the same observations was
    never told apart from it: the test that tells them apart runs first."""


@dataclass(frozen=True)
class Why:
    """Why a step was taken: the rule, and the figures that chose it."""

    rule: WhyRule
    score: float | None = None
    ecr_s: float | None = None
    p_fix: float | None = None
    runners_up: tuple[tuple[str, float], ...] | None = None
    """The next best tests and their scores; None when the rule ranks nothing (left out of the
    JSON), ``()`` when it ranked one test alone (an empty list)."""

    def to_json(self) -> dict[str, Any]:
        """The JSON of ``why``."""
        data: dict[str, Any] = {"rule": self.rule.value}
        if self.score is not None:
            data["score"] = self.score
        if self.ecr_s is not None:
            data["ecr_s"] = self.ecr_s
        if self.p_fix is not None:
            data["p_fix"] = self.p_fix
        if self.runners_up is not None:
            data["runners_up"] = [[test, score] for test, score in self.runners_up]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Why:
        """Read ``why`` back."""
        runners = data.get("runners_up")
        return cls(
            rule=WhyRule(data["rule"]),
            score=_float_or_none(data.get("score")),
            ecr_s=_float_or_none(data.get("ecr_s")),
            p_fix=_float_or_none(data.get("p_fix")),
            runners_up=None if runners is None else tuple((str(t), float(s)) for t, s in runners),
        )


@dataclass(frozen=True)
class RatioEntry:
    """A hypothesis a step ruled in or out, by how much, and the evidence in words."""

    cause: str
    code: str | None
    likelihood_ratio: float
    text: str = ""

    def to_json(self) -> dict[str, Any]:
        """The JSON of the entry."""
        return {
            "cause": self.cause,
            "code": self.code,
            "likelihood_ratio": self.likelihood_ratio,
            "text": self.text,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RatioEntry:
        """Read an entry back."""
        return cls(
            cause=str(data["cause"]),
            code=data.get("code"),
            likelihood_ratio=float(data["likelihood_ratio"]),
            text=str(data.get("text", "")),
        )


@dataclass(frozen=True)
class TraceStep:
    """One step of the engine's reasoning (see the module docstring for its JSON)."""

    n: int
    playbook: str
    action: TraceAction
    test: str | None = None
    fact: str | None = None
    subject: str | None = None
    why: Why | None = None
    outcome: str | None = None
    value: JSONValue = None
    """The observed value, already made safe and small for the trace."""
    ruled_out: tuple[RatioEntry, ...] = ()
    ruled_in: tuple[RatioEntry, ...] = ()
    posterior_top: tuple[tuple[str, float], ...] = ()
    note: str | None = None
    error: str | None = None
    deferred: tuple[str, ...] = ()
    unavailable: tuple[tuple[str, str], ...] = ()
    candidates: tuple[tuple[str, ...], ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The step as the report stores it (``TRACE_STEP_SCHEMA``)."""
        data: dict[str, Any] = {"n": self.n, "playbook": self.playbook, "action": self.action.value}
        if self.test is not None:
            data["test"] = self.test
        if self.fact is not None:
            data["fact"] = self.fact
        if self.subject is not None:
            data["subject"] = self.subject
        if self.why is not None:
            data["why"] = self.why.to_json()
        if self.action in OUTCOME_ACTIONS:
            data["outcome"] = self.outcome
        if self.value is not None:
            data["value"] = self.value
        if self.ruled_out:
            data["ruled_out"] = [entry.to_json() for entry in self.ruled_out]
        if self.ruled_in:
            data["ruled_in"] = [entry.to_json() for entry in self.ruled_in]
        if self.posterior_top:
            data["posterior_top"] = [[h, p] for h, p in self.posterior_top]
        if self.note:
            data["note"] = self.note
        if self.error:
            data["error"] = self.error
        if self.deferred:
            data["deferred"] = list(self.deferred)
        if self.unavailable:
            data["unavailable"] = [[test, reason] for test, reason in self.unavailable]
        if self.candidates:
            data["candidates"] = [list(members) for members in self.candidates]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TraceStep:
        """Read a stored step back; ``ValueError`` (or ``KeyError``) when it is not a trace step."""
        why = data.get("why")
        return cls(
            n=int(data["n"]),
            playbook=str(data["playbook"]),
            action=TraceAction(data["action"]),
            test=data.get("test"),
            fact=data.get("fact"),
            subject=data.get("subject"),
            why=None if why is None else Why.from_json(why),
            outcome=data.get("outcome"),
            value=data.get("value"),
            ruled_out=tuple(RatioEntry.from_json(e) for e in data.get("ruled_out", ())),
            ruled_in=tuple(RatioEntry.from_json(e) for e in data.get("ruled_in", ())),
            posterior_top=tuple((str(h), float(p)) for h, p in data.get("posterior_top", ())),
            note=data.get("note"),
            error=data.get("error"),
            deferred=tuple(str(t) for t in data.get("deferred", ())),
            unavailable=tuple((str(t), str(r)) for t, r in data.get("unavailable", ())),
            candidates=tuple(tuple(str(c) for c in members) for members in data.get("candidates", ())),
        )


def rounded(value: float, digits: int = 4) -> float:
    """A float rounded for the trace (infinite ratios are capped).

    Rounded to 9 places first, so that float noise from renormalising (3/32 computed as
    0.09374999999999999) does not flip the last printed digit."""
    if math.isnan(value):
        return 0.0
    return round(round(min(value, 1e9), 9), digits)


@dataclass
class Trace:
    """The steps of one diagnosis, numbered as they are added."""

    steps: list[TraceStep] = field(default_factory=list)

    def add(
        self,
        action: TraceAction,
        *,
        playbook: str,
        test: str | None = None,
        fact: str | None = None,
        subject: str | None = None,
        why: Why | None = None,
        outcome: str | None = None,
        value: Any = None,
        ruled_out: Iterable[RatioEntry] = (),
        ruled_in: Iterable[RatioEntry] = (),
        posterior_top: Sequence[tuple[str, float]] = (),
        note: str | None = None,
        error: str | None = None,
        deferred: Iterable[str] = (),
        unavailable: Iterable[tuple[str, str]] = (),
        candidates: Iterable[Sequence[str]] = (),
    ) -> TraceStep:
        """Record a step (numbered next) and return it; ``value`` is made safe for the trace."""
        step = TraceStep(
            n=len(self.steps) + 1,
            playbook=playbook,
            action=action,
            test=test,
            fact=fact,
            subject=subject,
            why=why,
            outcome=outcome if action in OUTCOME_ACTIONS else None,
            value=None if value is None else _json_value(value),
            ruled_out=tuple(ruled_out),
            ruled_in=tuple(ruled_in),
            posterior_top=tuple((h, rounded(p)) for h, p in posterior_top),
            note=note or None,
            error=error or None,
            deferred=tuple(deferred),
            unavailable=tuple(unavailable),
            candidates=tuple(tuple(members) for members in candidates),
        )
        self.steps.append(step)
        return step


def _float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)


def _json_value(value: Any, depth: int = 0) -> JSONValue:
    """A copy of an observed value that is safe and small enough for the trace."""
    if depth > 4:
        return "..."
    if value is None or isinstance(value, bool | int | str):
        return value if not isinstance(value, str) else value[:200]
    if isinstance(value, float):
        return rounded(value) if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k)[:60]: _json_value(v, depth + 1) for k, v in list(value.items())[:20]}
    if isinstance(value, list | tuple):
        return [_json_value(v, depth + 1) for v in list(value)[:20]]
    return str(value)[:200]
