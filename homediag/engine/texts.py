"""Numbers in playbook texts: ``{thresholds.dns_slow_ms}`` becomes the threshold that applied.

A technician reads "DNS answers slower than 400 ms", not "slower than dns_slow_ms" (field review,
section 3b). Playbook texts name a configured number with a placeholder, and the engine writes the
number the run used::

    details: {en: "Download below {thresholds.download_ratio:%} of the plan, or below
              {thresholds.min_download_mbps} Mbit/s without a plan.", de: ..., fr: ...}

``{thresholds.NAME}`` and ``{expect.NAME}`` give the number as written short (``400``, ``0.5``;
German and French with a decimal comma); ``:%`` gives a share as a percentage (``50 %``). An
expectation that is not set reads ``?``. Validation refuses a placeholder that names no setting
(:func:`placeholders`), and a test refuses a setting's bare name in a text.

``{facts.FACT}`` gives what this run measured (the fact about this computer, ``local``): a number as
above, a text as it is (at most 64 characters). The faster-DNS remedy says "9.9.9.9 answered in 24 ms,
yours in 850 ms". A remedy step whose measured facts are missing is left out
(:func:`facts_missing`); elsewhere a missing fact reads ``?``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

PLACEHOLDER = re.compile(r"\{(thresholds|expect)\.([a-z][a-z0-9_]*)(:%)?\}")
UNSET = "?"
FACT_PLACEHOLDER = re.compile(r"\{facts\.([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+)\}")
MAX_FACT_TEXT = 64


def fact_placeholders(text: str) -> Iterator[str]:
    """The fact names of every ``{facts.NAME}`` placeholder in ``text``."""
    for match in FACT_PLACEHOLDER.finditer(text):
        yield match.group(1)


def facts_missing(text: str, facts: Mapping[str, Any]) -> bool:
    """Whether ``text`` names a measured fact this run has no value for."""
    return any(facts.get(name) is None for name in fact_placeholders(text))


def _fact_text(value: Any, lang: str) -> str:
    if isinstance(value, str):
        return "".join(ch for ch in value[:MAX_FACT_TEXT] if ch.isprintable()) or UNSET
    return _number(value, False, lang)


def placeholders(text: str) -> Iterator[tuple[str, str]]:
    """The ``(section, name)`` of every placeholder in ``text``."""
    for match in PLACEHOLDER.finditer(text):
        yield match.group(1), match.group(2)


def _number(value: Any, percent: bool, lang: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return UNSET
    number = float(value) * (100.0 if percent else 1.0)
    text = f"{number:.4g}" if abs(number) < 1e6 else f"{number:.0f}"
    if "e" in text:
        text = f"{number:f}".rstrip("0").rstrip(".")
    if lang in ("de", "fr"):
        text = text.replace(".", ",")
    return f"{text}\u00a0%" if percent else text  # a no-break space: "50 %" never breaks


def render(text: str, settings: Mapping[str, Mapping[str, Any]], lang: str) -> str:
    """``text`` with every placeholder replaced by the setting's number (``settings``: the sections
    ``thresholds`` and ``expect`` of the configuration, as plain values, and ``facts``: the values
    measured, by fact name)."""
    if "{" not in text:
        return text

    def substitute(match: re.Match[str]) -> str:
        section = settings.get(match.group(1)) or {}
        return _number(section.get(match.group(2)), match.group(3) is not None, lang)

    facts = settings.get("facts") or {}
    text = FACT_PLACEHOLDER.sub(lambda m: _fact_text(facts.get(m.group(1)), lang), text)
    return PLACEHOLDER.sub(substitute, text)
