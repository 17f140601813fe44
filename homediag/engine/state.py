"""What the playbooks of one diagnosis share: the fact source and the questioner, the observations and
answers so far, the questions asked, the trace, and the expressions that failed to evaluate.

A complaint works one playbook through; a checkup works several through one after another, and they
share one :class:`RunState`, so a fact observed or a question answered for one member counts for the
next. Expression results are cached on :attr:`RunState.version` (bumped by every observation and
answer) and on :attr:`RunState.fact_version` (per fact).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from homediag.core.config import Config
from homediag.core.model import Observation, Question
from homediag.engine.expressions import Budget
from homediag.engine.questions import Questioner
from homediag.engine.sources import FactSource
from homediag.engine.trace import Trace


@dataclass
class RunState:
    """The state one diagnosis shares across its playbooks."""

    facts: FactSource
    questioner: Questioner | None
    audience: str
    lang: str
    config: Config
    budget: Budget
    trace: Trace
    now: datetime | None
    checkup: bool = False
    """A checkup: no complaint was made, so on-demand probes run only when the user asked for them."""
    observations: list[Observation] = field(default_factory=list)
    """Every observation so far, in arrival order (a fact measured again comes later)."""
    questions: list[Question] = field(default_factory=list)
    answers: dict[tuple[str, str], str | None] = field(default_factory=dict)
    """(playbook, question) -> the answer, or None when asked and not answered."""
    errors: list[str] = field(default_factory=list)
    """Expressions that failed to evaluate (``playbook/test: message``): the diagnosis is incomplete."""
    version: int = 0
    """Bumped whenever an observation or an answer arrives (expression results are cached per
    version)."""
    observed_facts: set[str] = field(default_factory=set)
    fact_version: dict[str, int] = field(default_factory=dict)
    """How many observations of each fact arrived (conditions are cached on the facts they read)."""
    _seen: set[int] = field(default_factory=set, repr=False)

    def add_observations(self, observations: Iterable[Observation]) -> None:
        """Take in observations (each once, however often a source returns it)."""
        for obs in observations:
            key = id(obs)
            if key not in self._seen:
                self._seen.add(key)
                self.observations.append(obs)
                self.observed_facts.add(obs.fact)
                self.fact_version[obs.fact] = self.fact_version.get(obs.fact, 0) + 1
                self.version += 1

    def record_answer(self, playbook: str, question: str, answer: str | None) -> None:
        """Note that ``question`` of ``playbook`` was asked, and its answer (None: unanswered)."""
        self.answers[(playbook, question)] = answer
        self.version += 1

    def record_error(self, where: str, message: str) -> None:
        """Note an expression that failed to evaluate (once per place and message)."""
        entry = f"{where}: {message}"
        if entry not in self.errors:
            self.errors.append(entry)

    @property
    def interactive(self) -> bool:
        """Whether a person answers now (remedies and experiments need one)."""
        return self.questioner is not None and self.questioner.interactive

    @property
    def replay(self) -> bool:
        """Whether the observations are stored ones."""
        return self.facts.replay

    def observed(self, fact: str) -> bool:
        """Whether ``fact`` has been observed."""
        return fact in self.observed_facts

    def held_back(self, fact: str) -> bool:
        """Whether ``fact`` must not be obtained now: an on-demand probe's, in a checkup, not asked
        for."""
        if not self.checkup or fact in self.observed_facts:
            return False
        return self.facts.on_demand(fact) and not self.facts.asked_for(fact)
