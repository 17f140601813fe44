"""The problem codes: stable, never renamed, never reused; each a fault or an advisory.

They are declared once, in ``codes.yaml`` beside this module, with their meaning in every language the
tool speaks (like the playbooks' texts). Playbook causes must use one of them (validation refuses
others); reports use the kind to list advisories apart from faults. ``unknown`` is reserved for the
finding a winning leak becomes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml

from homediag.core.i18n import SUPPORTED_LANGUAGES

UNKNOWN = "unknown"
"""The code of the finding a winning leak becomes (no cause the playbook knows explains it)."""


class CodeKind(StrEnum):
    """Whether a problem produces a symptom by itself (docs/probes-and-playbooks.md#faults-and-advisories)."""

    FAULT = "fault"
    """A cause of something a person could complain of: no internet, slow, drops, no printing."""
    ADVISORY = "advisory"
    """Worth fixing, but no symptom by itself: judged from direct observation, never the cause."""


@dataclass(frozen=True)
class ProblemCode:
    """One code of the catalogue."""

    code: str
    kind: CodeKind
    meaning: MappingProxyType[str, str]
    """What it means, by language (en, de, fr)."""

    def meaning_in(self, lang: str) -> str:
        """The meaning in ``lang``, else English."""
        return self.meaning.get(lang) or self.meaning["en"]


def _load() -> dict[str, ProblemCode]:
    raw = resources.files("homediag.core").joinpath("codes.yaml").read_text(encoding="utf-8")
    data: Any = yaml.safe_load(raw)
    if (
        not isinstance(data, dict)
        or data.get("kind") != "ProblemCodes"
        or not isinstance(data.get("codes"), dict)
    ):
        raise RuntimeError("homediag/core/codes.yaml is not a ProblemCodes document")
    out: dict[str, ProblemCode] = {}
    for code, entry in data["codes"].items():
        meaning = entry.get("meaning") or {}
        missing = [lang for lang in SUPPORTED_LANGUAGES if not meaning.get(lang)]
        if missing or code == UNKNOWN:
            raise RuntimeError(f"codes.yaml: {code}: reserved, or meaning missing in {missing}")
        out[code] = ProblemCode(code, CodeKind(entry["kind"]), MappingProxyType(dict(meaning)))
    return out


@cache
def catalogue() -> MappingProxyType[str, ProblemCode]:
    """Every problem code, in the order of ``codes.yaml``."""
    return MappingProxyType(_load())


def is_known(code: str) -> bool:
    """Whether ``code`` is in the catalogue (``unknown`` is reserved for the leak)."""
    return code in catalogue()


def kind_of(code: str) -> CodeKind:
    """The kind of ``code``; a code this version does not know (a newer report's) counts as a fault."""
    entry = catalogue().get(code)
    return entry.kind if entry is not None else CodeKind.FAULT


def is_advisory(code: str) -> bool:
    """Whether ``code`` is an advisory (no symptom by itself)."""
    return kind_of(code) is CodeKind.ADVISORY
