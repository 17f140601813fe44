"""The engine's trace: one JSON-ready record per step, so anyone can follow why it concluded.

Shape of a step (the report's JSON Schema references it; keys with nothing to say are left out)::

    {
      "n": 3,                        # step number, from 1, across the whole diagnosis
      "playbook": "no-internet",     # the playbook the step belongs to
      "action": "probe",             # probe | question | replay | infer | multi_fault | remedy |
      stop "test": "gateway_reply",       # the test (or remedy, for action "remedy")
      "fact": "gateway.reachable",   # the fact a probe test read
      "subject": "local",            # the observation's subject
      "why": {"rule": "EIG/cost",    # free | ask_first | EIG/cost | ECO<ECR | threshold | not_worth
              "score": 0.42,         #   | no_tests | ECO>=ECR | verifier | applies_if | ...
              "ecr_s": 2031.0,       # repair mode: expected cost of repair before the step
              "runners_up": [["dns_answers", 0.31], ["ask_other_devices", 0.002]]},
      "outcome": "no",               # the outcome, or null when the test gave no evidence
      "value": false,                # the observed value (probes)
      "ruled_out": [{"cause": "link_down", "code": "link.no-connection",
                     "likelihood_ratio": 0.031, "text": "The gateway answered..."}],
      "ruled_in":  [{"cause": "gateway_down", "code": "gateway.unreachable",
                     "likelihood_ratio": 12.4, "text": "..."}],
      "posterior_top": [["gateway_down", 0.81], ["wan_down", 0.1], ["unknown", 0.04]],
      "note": "not observed: net.gateway timed out"   # why a test gave no evidence, deferrals...
    }

A ``stop`` step may add ``deferred`` (tests outside their window) and ``unavailable`` (``[test,
reason]`` pairs: no probe can observe the fact, or it is gated); a ``multi_fault`` step adds
``candidates`` (the causes of each new candidate). :data:`TRACE_STEP_SCHEMA` is the JSON Schema.

``ruled_out`` lists hypotheses this step made at least 5 times less likely (likelihood ratio
P(outcome | h) / P(outcome | not h) <= 0.2), ``ruled_in`` those it made at least 5 times more
likely. Numbers are rounded to 4 decimals; no clock time appears, so the same inputs give the same
trace.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

RULED_OUT_LR = 0.2
RULED_IN_LR = 5.0
ACTIONS = ("probe", "question", "replay", "infer", "multi_fault", "remedy", "stop")

_RATIO_ITEM: dict[str, Any] = {
    "type": "object",
    "required": ["cause", "likelihood_ratio"],
    "properties": {
        "cause": {"type": "string"},
        "code": {"type": ["string", "null"]},
        "likelihood_ratio": {"type": "number", "minimum": 0},
        "text": {"type": "string"},
    },
    "additionalProperties": False,
}

TRACE_STEP_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "homediag engine trace step",
    "type": "object",
    "required": ["n", "playbook", "action"],
    "properties": {
        "n": {"type": "integer", "minimum": 1},
        "playbook": {"type": "string"},
        "action": {"enum": list(ACTIONS)},
        "test": {"type": "string"},
        "fact": {"type": "string"},
        "subject": {"type": "string"},
        "why": {
            "type": "object",
            "required": ["rule"],
            "properties": {
                "rule": {"type": "string"},
                "score": {"type": ["number", "null"]},
                "ecr_s": {"type": "number"},
                "p_fix": {"type": "number"},
                "runners_up": {
                    "type": "array",
                    "items": {
                        "type": "array",
                        "prefixItems": [{"type": "string"}, {"type": "number"}],
                        "minItems": 2,
                        "maxItems": 2,
                    },
                },
            },
            "additionalProperties": False,
        },
        "outcome": {"type": ["string", "null"]},
        "value": {},
        "ruled_out": {"type": "array", "items": _RATIO_ITEM},
        "ruled_in": {"type": "array", "items": _RATIO_ITEM},
        "posterior_top": {
            "type": "array",
            "items": {
                "type": "array",
                "prefixItems": [{"type": "string"}, {"type": "number", "minimum": 0, "maximum": 1}],
                "minItems": 2,
                "maxItems": 2,
            },
        },
        "note": {"type": "string"},
        "deferred": {"type": "array", "items": {"type": "string"}},
        "unavailable": {
            "type": "array",
            "items": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2},
        },
        "candidates": {"type": "array", "items": {"type": "array", "items": {"type": "string"}}},
    },
    "additionalProperties": False,
}
"""JSON Schema (2020-12) of one trace step, for the report schema to reference."""


def rounded(value: float, digits: int = 4) -> float:
    """A float rounded for the trace (infinite ratios are capped)."""
    if math.isnan(value):
        return 0.0
    return round(min(value, 1e9), digits)


@dataclass
class Trace:
    """The steps of one diagnosis, numbered as they are added."""

    steps: list[dict[str, Any]] = field(default_factory=list)

    def add(
        self,
        action: str,
        *,
        playbook: str,
        test: str | None = None,
        fact: str | None = None,
        subject: str | None = None,
        why: Mapping[str, Any] | None = None,
        outcome: str | None = None,
        value: Any = None,
        ruled_out: Sequence[Mapping[str, Any]] = (),
        ruled_in: Sequence[Mapping[str, Any]] = (),
        posterior_top: Sequence[tuple[str, float]] = (),
        note: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Record a step and return it."""
        if action not in ACTIONS:
            raise ValueError(f"unknown trace action {action!r}")
        step: dict[str, Any] = {"n": len(self.steps) + 1, "playbook": playbook, "action": action}
        if test is not None:
            step["test"] = test
        if fact is not None:
            step["fact"] = fact
        if subject is not None:
            step["subject"] = subject
        if why:
            step["why"] = dict(why)
        if action in ("probe", "question", "replay", "remedy"):
            step["outcome"] = outcome
        if value is not None:
            step["value"] = _json_value(value)
        if ruled_out:
            step["ruled_out"] = [dict(item) for item in ruled_out]
        if ruled_in:
            step["ruled_in"] = [dict(item) for item in ruled_in]
        if posterior_top:
            step["posterior_top"] = [[h, rounded(p)] for h, p in posterior_top]
        if note:
            step["note"] = note
        if extra:
            step.update(extra)
        self.steps.append(step)
        return step


def _json_value(value: Any, depth: int = 0) -> Any:
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
