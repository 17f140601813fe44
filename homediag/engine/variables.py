"""The variables a playbook's expressions read, built from what the run knows, and the conditions
(``requires``, ``valid_if``) evaluated on them.

``facts`` holds each observed fact's value: the latest observation of subject ``local``, else the
latest observation of the first subject seen (a fact measured again, by a remedy's verifier,
supersedes what was observed before). ``answers`` holds this playbook's answered questions; ``thresholds``
and ``expect`` come from the configuration; ``ctx`` tells the audience, whether the run is
interactive, the mode, the complaint and (when the clock is given) the hour and weekday.

Both the scope and the conditions are cached: the scope on the run's version, a condition on the
entries it reads (its facts and answers), so a long diagnosis does not rebuild them per test.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, Literal

from homediag.engine.expressions import Expression, ExpressionError, MissingInput, Scope
from homediag.engine.model import CompiledTest
from homediag.engine.state import RunState

ConditionKind = Literal["requires", "valid_if"]
UNASKED = "\0unasked"


class Variables:
    """The expression scope of one playbook in one run."""

    def __init__(self, run: RunState, playbook: str, *, mode: str, complaint: str) -> None:
        self.run = run
        self.playbook = playbook
        self.mode = mode
        self.complaint = complaint
        self._scope: tuple[int, Scope] | None = None
        self._conditions: dict[tuple[str, str], tuple[Hashable, bool | None]] = {}

    def scope(self) -> Scope:
        """The variables as they are now (rebuilt only when an observation or answer arrived)."""
        cached = self._scope
        if cached is not None and cached[0] == self.run.version:
            return cached[1]
        scope = Scope(self._build())
        self._scope = (self.run.version, scope)
        return scope

    def _build(self) -> dict[str, Any]:
        run = self.run
        latest: dict[tuple[str, str], Any] = {}
        first_subject: dict[str, str] = {}
        for obs in run.observations:  # in arrival order: a fact measured again supersedes
            latest[(obs.fact, obs.subject)] = obs.value
            first_subject.setdefault(obs.fact, obs.subject)
        facts: dict[str, Any] = {}
        for fact, subject in first_subject.items():
            local = (fact, "local")
            facts[fact] = latest[local] if local in latest else latest[(fact, subject)]
        ctx: dict[str, Any] = {
            "audience": run.audience,
            "interactive": run.interactive,
            "mode": self.mode,
            "complaint": self.complaint,
        }
        if run.now is not None:
            ctx["hour"] = run.now.hour
            ctx["weekday"] = run.now.isoweekday()
        answers = {
            qid: answer
            for (pid, qid), answer in run.answers.items()
            if pid == self.playbook and answer is not None
        }
        return {
            "facts": facts,
            "answers": answers,
            "thresholds": run.config.thresholds.model_dump(),
            "expect": run.config.expect.model_dump(),
            "ctx": ctx,
        }

    def condition(self, test: CompiledTest, which: ConditionKind) -> bool | None:
        """Whether ``test``'s ``requires`` or ``valid_if`` holds: True without one, None when what it
        reads is not known (a fact not observed, a question not answered yet). Raise
        ``ExpressionError`` when it fails otherwise (an error in the playbook)."""
        expression = test.requires if which == "requires" else test.valid_if
        if expression is None:
            return True
        key = (test.id, which)
        stamp = self._stamp(expression)
        cached = self._conditions.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        try:
            verdict = expression.evaluate(self.scope(), self.run.budget)
        except MissingInput:
            verdict = None
        if verdict is not None and not isinstance(verdict, bool):
            raise ExpressionError(f"it gave {str(verdict)[:60]!r}, not true or false")
        result = verdict
        self._conditions[key] = (stamp, result)
        return result

    def _stamp(self, expression: Expression) -> Hashable:
        """What the expression's result depends on: the entries it reads, or everything."""
        if not expression.static_refs or expression.names & {"value", "values", "subject", "subjects"}:
            return ("all", self.run.version)
        facts = tuple(self.run.fact_version.get(f, 0) for f in sorted(expression.fact_refs))
        answers = tuple(
            self.run.answers.get((self.playbook, a), UNASKED) for a in sorted(expression.answer_refs)
        )
        return ("refs", facts, answers)
