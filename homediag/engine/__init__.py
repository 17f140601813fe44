"""The playbook engine: diagnosis by elimination.

The public face (imported lazily, so importing one engine module stays light)::

    from homediag.engine import AnswerFile, RunnerFacts, StoredFacts, load_playbooks
    from homediag.engine.diagnose import diagnose   # the module shares the function's name

    playbooks = load_playbooks()                       # validated; PlaybookError names file:line
    result = await diagnose("no-internet", facts=RunnerFacts(runner), questioner=None,
                            playbooks=playbooks, audience="technician", lang="de")

Modules: ``loader`` (strict YAML), ``schema`` (the format), ``expressions`` (sandboxed CEL),
``lint`` and ``catalog`` (validation, the set of playbooks), ``model`` (compiled playbooks),
``inference`` (Bayes), ``selection`` (next test), ``hitting`` (multi-fault candidates), ``trace``,
``diagnose`` (the orchestration), ``sources`` (the live fact source), ``cases`` (inline tests),
``simulate``.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "AnswerFile": "homediag.engine.diagnose",
    "Diagnosis": "homediag.engine.diagnose",
    "FactSource": "homediag.engine.diagnose",
    "NoQuestions": "homediag.engine.diagnose",
    "QuestionSpec": "homediag.engine.diagnose",
    "Questioner": "homediag.engine.diagnose",
    "StoredFacts": "homediag.engine.diagnose",
    "diagnose_playbook": "homediag.engine.diagnose",
    "PlaybookSet": "homediag.engine.catalog",
    "load_playbooks": "homediag.engine.catalog",
    "validate": "homediag.engine.catalog",
    "RunnerFacts": "homediag.engine.sources",
    "TRACE_STEP_SCHEMA": "homediag.engine.trace",
}

__all__ = [
    "TRACE_STEP_SCHEMA",
    "AnswerFile",
    "Diagnosis",
    "FactSource",
    "NoQuestions",
    "PlaybookSet",
    "QuestionSpec",
    "Questioner",
    "RunnerFacts",
    "StoredFacts",
    "diagnose_playbook",
    "load_playbooks",
    "validate",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'homediag.engine' has no attribute {name!r}")
    return getattr(import_module(module), name)
