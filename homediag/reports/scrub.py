"""The secret backstop: removes whatever looks like a secret from a report, in every mode.

Secrets (Wi-Fi keys, passwords, cookies, credentials in URLs, in en/de/fr/it/es wordings) are never
collected; :func:`scrub_secrets` removes anything that looks like one all the same, also with
``--no-redact``, and redaction runs it first (docs/report-format.md#redaction). A key whose name says
it holds a secret loses its value; in free text a secret's value is cut out after its label, unless
it is the outcome word of a test (``MQTT without a password: open``).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from homediag.core.model import Report
from homediag.reports.known import fold
from homediag.reports.patterns import (
    REDACTED,
    SECRET_GATE,
    SECRETS,
    evidence_head,
    evidence_outcomes,
    name_hint,
    without_secret,
)


class _Scrubber:
    """Removes secrets from a document and counts how many it removed."""

    def __init__(self) -> None:
        self.count = 0
        self._outcomes: frozenset[str] = frozenset()

    def scrub(self, value: Any, outcomes: frozenset[str] = frozenset()) -> Any:
        if isinstance(value, str):
            if not SECRET_GATE.find_matches_as_indexes(fold(value)):
                return value
            self._outcomes = outcomes
            try:
                return SECRETS.sub(self._match, value)
            finally:
                self._outcomes = frozenset()
        if isinstance(value, list):
            return [self.scrub(v) for v in value]
        if isinstance(value, dict):
            out: dict[str, Any] = {}
            outcomes = evidence_outcomes(value) if "text" in value else frozenset()
            for key, child in value.items():
                if isinstance(key, str) and name_hint(key, weak=False) == "secret" and child:
                    out[key] = self._replace(child)
                elif key == "text" and outcomes and isinstance(child, str) and evidence_head(child, outcomes):
                    # an evidence item: the outcome after the label of what was tested is no secret
                    head = evidence_head(child, outcomes)
                    out[key] = self.scrub(child[:head], outcomes) + self.scrub(child[head:])
                else:
                    out[key] = self.scrub(child)
            return out
        return value

    def _replace(self, value: Any) -> Any:
        if value in (REDACTED, None):
            return value
        self.count += 1
        return REDACTED if isinstance(value, str) else None

    def _match(self, match: re.Match[str]) -> str:
        text = match.group(0)
        if match.lastgroup == "url_userinfo":
            replaced = text.split("://", 1)[0] + "://" + REDACTED + "@"
        else:
            replaced = without_secret(text, self._outcomes)
        if replaced != text:
            self.count += 1
        return replaced


def scrub_document(document: Mapping[str, Any]) -> tuple[dict[str, Any], int]:
    """``document`` without secrets, and how many were removed (its ``redaction`` counts are copied
    as they are)."""
    scrubber = _Scrubber()
    result = scrubber.scrub({k: v for k, v in document.items() if k != "redaction"})
    assert isinstance(result, dict)
    if "redaction" in document:
        result["redaction"] = copy.deepcopy(document["redaction"])
    for observation in result.get("observations") or ():
        fact = str(observation.get("fact", "")) if isinstance(observation, dict) else ""
        if name_hint(fact, weak=False) == "secret":
            observation["value"] = scrubber._replace(observation.get("value"))
            if observation["value"] == REDACTED:
                observation["value"] = None
    return result, scrubber.count


def scrub_secrets_document(document: Mapping[str, Any]) -> dict[str, Any]:
    """``document`` without anything that looks like a secret (keys, passwords, URL credentials).

    The ``redaction`` counts are left alone: they are numbers per class, and one class is named
    ``secret`` (how many secrets were replaced), which is no secret itself.
    """
    return scrub_document(document)[0]


def scrub_secrets(report: Report) -> Report:
    """``report`` without secrets; applied in every mode, ``--no-redact`` included."""
    from homediag.reports.document import from_document, to_document

    return from_document(scrub_secrets_document(to_document(report)))
