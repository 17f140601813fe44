"""The playbook engine: diagnosis by elimination.

The public face (imported lazily, so importing one engine module stays light)::

    from homediag.engine import AnswerFile, RunnerFacts, StoredFacts, load_playbooks
    from homediag.engine.diagnose import diagnose   # the module shares the function's name

    playbooks = load_playbooks()                       # validated; PlaybookError names file:line
    result = await diagnose("no-internet", facts=RunnerFacts(runner), questioner=None,
                            playbooks=playbooks, audience="technician", lang="de")

Modules. Playbooks: ``loader`` (strict YAML), ``schema`` (the format), ``expressions`` (sandboxed
CEL), ``lint`` and ``catalog`` (validation, the set of playbooks), ``model`` (compiled playbooks).
The numbers: ``inference`` (Bayes), ``selection`` (next test, repair plans), ``hitting`` (minimal
hitting sets). What the engine talks to: ``sources`` (the fact source, live or stored) and
``questions`` (the questioner). The runtime, one room per step: ``state`` and ``session`` (what a run
and one playbook know), ``variables`` (the expressions' scope), ``beliefs`` and ``evidence`` (belief
update), ``gather`` (probes, questions, experiments), ``choosing`` (test selection), ``remedies``
(offer and verify), ``multifault``, ``findings``, ``trace``, ``walk`` (one playbook, step by step),
``checkup`` and ``diagnose`` (the public face). Around it: ``cases`` (inline tests), ``simulate``.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "Diagnosis": "homediag.engine.diagnose",
    "diagnose_playbook": "homediag.engine.diagnose",
    "AnswerFile": "homediag.engine.questions",
    "NoQuestions": "homediag.engine.questions",
    "QuestionSpec": "homediag.engine.questions",
    "Questioner": "homediag.engine.questions",
    "FactSource": "homediag.engine.sources",
    "Refreshed": "homediag.engine.sources",
    "RunnerFacts": "homediag.engine.sources",
    "StoredFacts": "homediag.engine.sources",
    "PlaybookSet": "homediag.engine.catalog",
    "load_playbooks": "homediag.engine.catalog",
    "validate": "homediag.engine.catalog",
    "TRACE_STEP_SCHEMA": "homediag.engine.trace_schema",
    "TraceStep": "homediag.engine.trace",
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
    "Refreshed",
    "RunnerFacts",
    "StoredFacts",
    "TraceStep",
    "diagnose_playbook",
    "load_playbooks",
    "validate",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'homediag.engine' has no attribute {name!r}")
    return getattr(import_module(module), name)
