"""The JSON Schema of one trace step (:class:`homediag.engine.trace.TraceStep` as JSON), for the report
schema to reference and for tests to check every step against."""

from __future__ import annotations

from typing import Any

from homediag.engine.trace import ACTIONS

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
        "error": {"type": "string"},
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
