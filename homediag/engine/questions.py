"""Who answers the engine's questions, and what a question looks like to them.

The engine asks through a :class:`Questioner`: the terminal (``homediag.cli.questions``), an answers
file (:class:`AnswerFile`, ``--answers``), or nobody (``questioner=None``: a non-interactive run, whose
questions are recorded as unasked). Remedies are offered, and experiments run, only when the questioner
is ``interactive``; a remedy's question carries a :class:`RemedyOffer` (what it disturbs, the findings
so far), and a questioner that is also a :class:`RemedyListener` hears each verifier's verdict. What
the engine does with an answer is :mod:`homediag.engine.gather`'s job.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol, runtime_checkable

from homediag.core.errors import UsageError
from homediag.core.model import Finding, RemedyOutcome
from homediag.engine.loader import LoadError, load_bytes, read_capped
from homediag.engine.model import CompiledTest

DONE = "done"
"""The answer to a remedy or an experiment once the user did the step."""
NOT_NOW = "not_now"
"""Not now: no more steps for now (the run stops offering remedies)."""
SKIP = "skip"
"""Skip this remedy: the next one is offered."""
CANNOT = "cannot"
"""The user cannot do this remedy (no access to the router, for example): the next one is offered."""
DONE_LABELS: Mapping[str, str] = {"en": "Done", "de": "Erledigt", "fr": "Fait"}
NOT_NOW_LABELS: Mapping[str, str] = {"en": "Not now", "de": "Jetzt nicht", "fr": "Pas maintenant"}
SKIP_LABELS: Mapping[str, str] = {"en": "Skip", "de": "Überspringen", "fr": "Passer"}
CANNOT_LABELS: Mapping[str, str] = {"en": "I can't", "de": "Das kann ich nicht", "fr": "Je ne peux pas"}
DONE_OR_NOT = ((DONE, DONE_LABELS), (NOT_NOW, NOT_NOW_LABELS))
"""The answers to an experiment."""
REMEDY_ANSWERS = (
    (DONE, DONE_LABELS),
    (SKIP, SKIP_LABELS),
    (CANNOT, CANNOT_LABELS),
    (NOT_NOW, NOT_NOW_LABELS),
)
"""The answers to a remedy step ("not now" stops the offers; the guided flow leaves it out)."""


class QuestionKind(StrEnum):
    """What the user is asked for."""

    QUESTION = "question"
    """What they see (the router's lights, other devices)."""
    EXPERIMENT = "experiment"
    """To change something, after which the engine measures again."""
    REMEDY = "remedy"
    """To do a remedy's steps."""
    VERIFY = "verify"
    """Whether a remedy worked (a question re-asked as a remedy's verifier)."""


@dataclass(frozen=True)
class RemedyOffer:
    """What the engine knows when it offers a remedy: what the step disturbs, and the findings so far
    (a guided flow says what was found before it asks the customer to do anything)."""

    remedy: str
    disrupts: Mapping[str, str] | None
    """What doing it disturbs, by language (None: nothing worth saying)."""
    disruptive: bool
    needs_consent: bool
    target: str | None
    """The hypothesis the remedy most likely fixes now (a cause or an interaction id)."""
    findings: tuple[Finding, ...] = ()
    """The findings as they stand when the remedy is offered, most likely first."""
    number: int = 1
    """How many remedies this playbook has offered so far, this one included."""

    def disrupts_in(self, lang: str) -> str | None:
        """What the step disturbs, in ``lang`` (English when missing)."""
        if not self.disrupts:
            return None
        return self.disrupts.get(lang) or self.disrupts.get("en")

    def target_finding(self) -> Finding | None:
        """The finding of :attr:`target`, if any."""
        return next((f for f in self.findings if f.cause == self.target), None)


@dataclass(frozen=True)
class RemedyResult:
    """What became of a remedy the user did: its verifier's verdict (``fixed``, ``not_fixed`` or
    ``could_not_verify`` with the reason)."""

    remedy: str
    playbook: str
    outcome: RemedyOutcome
    title: Mapping[str, str]
    reason: str = ""
    """Why it could not be verified (for the trace and the technician)."""

    def title_in(self, lang: str) -> str:
        """The remedy's title in ``lang`` (English when missing)."""
        return self.title.get(lang) or self.title.get("en", self.remedy)


@dataclass(frozen=True)
class QuestionSpec:
    """A question for the user (or an experiment, a remedy step, a verifier), in every language."""

    id: str
    playbook: str
    kind: QuestionKind
    text: Mapping[str, str]
    answers: tuple[tuple[str, Mapping[str, str]], ...]
    """(answer key, label by language), in order."""
    steps: tuple[Mapping[str, str], ...] = ()
    """For remedies: the steps to do."""
    offer: RemedyOffer | None = None
    """For remedies: what the step disturbs and what was found so far."""

    @classmethod
    def of_test(
        cls,
        test: CompiledTest,
        playbook: str,
        kind: QuestionKind,
        answers: tuple[tuple[str, Mapping[str, str]], ...] | None = None,
    ) -> QuestionSpec:
        """The question a test asks: its text, and its answers in outcome order unless given."""
        spec = test.spec
        if answers is None:
            answers = tuple((key, dict(spec.answers[key])) for key in test.outcomes) if spec.answers else ()
        return cls(id=test.id, playbook=playbook, kind=kind, text=spec.text or {}, answers=answers)

    def text_in(self, lang: str) -> str:
        """The question text in ``lang`` (English when missing)."""
        return self.text.get(lang) or self.text.get("en", self.id)

    def answer_labels(self, lang: str) -> list[tuple[str, str]]:
        """(key, label) pairs in ``lang``."""
        return [(key, labels.get(lang) or labels.get("en", key)) for key, labels in self.answers]

    def steps_in(self, lang: str) -> list[str]:
        """The remedy steps in ``lang``."""
        return [step.get(lang) or step.get("en", "") for step in self.steps]

    @property
    def keys(self) -> tuple[str, ...]:
        """The answer keys."""
        return tuple(key for key, _ in self.answers)


class Questioner(Protocol):
    """Asks the user."""

    interactive: bool
    """Whether a person answers now: remedies are offered and verified, and experiments run, only
    then."""
    source: str
    """Recorded with each answer: ``interactive`` or ``answers-file``."""

    async def ask(self, question: QuestionSpec, lang: str) -> str | None:
        """The answer key, or None when unanswered."""
        ...


@runtime_checkable
class RemedyListener(Protocol):
    """A questioner that also wants to hear each remedy's verdict (the guided flow says "Fixed" or
    "Still not working" before it goes on)."""

    async def remedy_result(self, result: RemedyResult, lang: str) -> None:
        """The verifier of a remedy the user did has spoken (or could not be run)."""
        ...


class NoQuestions:
    """A questioner that never answers (``--non-interactive`` passes ``None`` instead, which also
    records the questions as unasked)."""

    interactive = False
    source = "unasked"

    async def ask(self, question: QuestionSpec, lang: str) -> str | None:
        """Never answers."""
        del question, lang
        return None


class AnswerFile:
    """Scripted answers: ``{question_id: answer}`` (or ``playbook/question_id``) from YAML or
    JSON."""

    interactive = False
    source = "answers-file"

    def __init__(self, answers: Mapping[str, str]) -> None:
        self.answers = dict(answers)

    @classmethod
    def load(cls, path: Path) -> AnswerFile:
        """Read an answers file; raise ``UsageError`` with a one-line reason when it is unusable."""
        try:
            doc = load_bytes(read_capped(path, str(path)), str(path))
        except LoadError as exc:
            raise UsageError(f"answers file {exc}") from None
        data = doc.data if doc.data is not None else {}
        if not isinstance(data, dict):
            raise UsageError(f"{path}: the answers file must map question ids to answers")
        answers: dict[str, str] = {}
        for key, value in data.items():
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise UsageError(f"{doc.where((key,))}: the answer to {key!r} must be a string")
            answers[key] = str(value)
        return cls(answers)

    async def ask(self, question: QuestionSpec, lang: str) -> str | None:
        """The scripted answer, if any."""
        del lang
        return self.answers.get(f"{question.playbook}/{question.id}", self.answers.get(question.id))
