"""The engine's public face: diagnose a complaint from observations (live or stored) and answers.

::

    playbooks = load_playbooks()                       # validated; PlaybookError names file:line
    result = await diagnose("no-internet", facts=StoredFacts(report.observations),
                            questioner=AnswerFile.load(Path("answers.yaml")), playbooks=playbooks)
    result.findings, result.trace, result.questions

A complaint's playbook is worked through by :mod:`~homediag.engine.walk`; ``checkup`` by
:mod:`~homediag.engine.checkup`. The engine's rooms, each a module:

- :mod:`~homediag.engine.sources` and :mod:`~homediag.engine.questions`: what the engine talks to
  (the fact source, live or stored; the questioner);
- :mod:`~homediag.engine.state`, :mod:`~homediag.engine.session` and
  :mod:`~homediag.engine.variables`: what a run and one playbook in it know;
- :mod:`~homediag.engine.beliefs` and :mod:`~homediag.engine.evidence`: belief update;
- :mod:`~homediag.engine.gather`: probes, questions, experiments;
- :mod:`~homediag.engine.choosing`: test selection (the numbers in :mod:`~homediag.engine.selection`);
- :mod:`~homediag.engine.remedies`: remedies and their verification;
- :mod:`~homediag.engine.multifault`: multi-fault candidates;
- :mod:`~homediag.engine.findings`: findings, statuses, merging by code;
- :mod:`~homediag.engine.trace`: the typed trace.

A test outside its validity window is deferred: it is not run and rules nothing out. A test whose
fact was not observed (the probe failed, timed out or does not apply) gives no evidence; the trace
says why. A test's map may read other facts (``facts['x']``): they are obtained with the test's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homediag.core.codes import is_advisory
from homediag.core.config import Config
from homediag.core.errors import PlaybookError, UsageError
from homediag.core.i18n import SUPPORTED_LANGUAGES
from homediag.core.model import Finding, FindingStatus, PlaybookRef, Question
from homediag.engine import walk
from homediag.engine.catalog import CHECKUP, PlaybookSet, load_playbooks
from homediag.engine.checkup import checkup
from homediag.engine.expressions import Budget
from homediag.engine.findings import STATUS_RANK, findings, merge_by_code, sort_findings, trace_judgements
from homediag.engine.model import PlaybookModel
from homediag.engine.questions import AnswerFile, NoQuestions, Questioner, QuestionSpec
from homediag.engine.session import Session
from homediag.engine.sources import FactSource, Refreshed, StoredFacts
from homediag.engine.state import RunState
from homediag.engine.trace import Trace, TraceStep, rounded

__all__ = [
    "STATUS_RANK",
    "AnswerFile",
    "Diagnosis",
    "FactSource",
    "NoQuestions",
    "PlaybookError",
    "PlaybookSet",
    "QuestionSpec",
    "Questioner",
    "Refreshed",
    "StoredFacts",
    "diagnose",
    "diagnose_playbook",
    "load_playbooks",
    "merge_by_code",
]


@dataclass(frozen=True)
class Diagnosis:
    """What the engine concluded, and how."""

    complaint: str
    findings: tuple[Finding, ...]
    trace: tuple[TraceStep, ...]
    questions: tuple[Question, ...]
    playbooks: tuple[PlaybookRef, ...]
    not_applicable: str | None = None
    """Why the playbook does not apply (e.g. no wireless interface): a plain verdict, exit 0."""
    cost_s: float = 0.0
    """Seconds-equivalent the tests cost (author estimates plus the user's time)."""
    errors: tuple[str, ...] = ()
    """Expressions that failed to evaluate (``playbook/test: message``; the trace has each one): the
    tests they belong to counted as not done, so the diagnosis is incomplete."""

    @property
    def complete(self) -> bool:
        """Whether every expression evaluated (a report of an incomplete diagnosis says
        ``complete: false``)."""
        return not self.errors

    def top_finding(self) -> Finding | None:
        """The confirmed or likely fault with the highest probability
        (docs/probes-and-playbooks.md#status-words); an advisory never is the top finding
        (docs/probes-and-playbooks.md#faults-and-advisories)."""
        problems = [f for f in self.findings if f.status.is_problem and not is_advisory(f.code)]
        if not problems:
            return None
        return max(problems, key=lambda f: (f.probability, f.status is FindingStatus.CONFIRMED))

    def trace_json(self) -> list[dict[str, Any]]:
        """The trace as the report stores it (JSON-ready steps)."""
        return [step.to_json() for step in self.trace]


def _resolve_mode(mode: str | None, audience: str) -> str:
    if mode is None:
        return "repair" if audience == "customer" else "identify"
    if mode not in ("identify", "repair"):
        raise UsageError(f"unknown mode {mode!r} (identify or repair)")
    return mode


async def diagnose_playbook(
    model: PlaybookModel,
    *,
    facts: FactSource,
    questioner: Questioner | None,
    playbooks: PlaybookSet | None = None,
    audience: str = "customer",
    lang: str = "en",
    mode: str | None = None,
    config: Config | None = None,
    complaint: str | None = None,
    now: datetime | None = None,
) -> Diagnosis:
    """Diagnose with one given playbook (``diagnose`` picks it by complaint)."""
    if lang not in SUPPORTED_LANGUAGES:
        raise UsageError(f"unsupported language {lang!r}")
    if audience not in ("customer", "technician"):
        raise UsageError(f"unknown audience {audience!r}")
    resolved_mode = _resolve_mode(mode, audience)
    run = RunState(
        facts=facts,
        questioner=questioner,
        audience=audience,
        lang=lang,
        config=config or Config(),
        budget=Budget(),
        trace=Trace(),
        now=now,
    )
    name = complaint or model.spec.complaints[0]
    if model.spec.includes:
        run.checkup = True
        result = await checkup(model, run, playbooks, resolved_mode, name)
        return Diagnosis(
            complaint=name,
            findings=merge_by_code(result.findings),
            trace=tuple(run.trace.steps),
            questions=tuple(run.questions),
            playbooks=result.playbooks,
            cost_s=rounded(result.cost_s, 3),
            errors=tuple(run.errors),
        )
    session = Session.start(model, run, mode=resolved_mode, complaint=name)
    await walk.run(session)
    if not session.not_applicable:
        trace_judgements(session)
    return Diagnosis(
        complaint=name,
        findings=() if session.not_applicable else sort_findings(findings(session)),
        trace=tuple(run.trace.steps),
        questions=tuple(run.questions),
        playbooks=(model.ref,),
        not_applicable=session.not_applicable,
        cost_s=rounded(session.cost_spent, 3),
        errors=tuple(run.errors),
    )


async def diagnose(
    complaint: str | None,
    *,
    facts: FactSource,
    questioner: Questioner | None,
    playbooks: PlaybookSet | None = None,
    audience: str = "customer",
    lang: str = "en",
    mode: str | None = None,
    config: Config | None = None,
    now: datetime | None = None,
) -> Diagnosis:
    """Diagnose ``complaint`` (``None`` or ``"checkup"``: the checkup) from ``facts`` and answers.

    ``questioner=None`` is a non-interactive run: questions stay unasked and the engine goes on
    without them. ``mode`` defaults to ``repair`` for customers and ``identify`` for technicians.
    ``now`` (optional) gives validity windows the hour and weekday (``ctx.hour``); without it
    windows that need the time stay closed. Raise ``UsageError`` for an unknown complaint.
    """
    playbook_set = playbooks if playbooks is not None else load_playbooks()
    name = complaint or CHECKUP
    try:
        model = playbook_set.for_complaint(name)
    except KeyError:
        known = ", ".join(playbook_set.complaints())
        raise UsageError(f"unknown complaint {name!r} (known: {known})") from None
    return await diagnose_playbook(
        model,
        facts=facts,
        questioner=questioner,
        playbooks=playbook_set,
        audience=audience,
        lang=lang,
        mode=mode,
        config=config,
        complaint=name,
        now=now,
    )
