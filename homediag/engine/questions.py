"""Who answers the engine's questions, and what a question looks like to them.

The engine asks through a :class:`Questioner`: the terminal (``homediag.cli.questions``), an answers
file (:class:`AnswerFile`, ``--answers``), or nobody (``questioner=None``: a non-interactive run, whose
questions are recorded as unasked). Remedies are offered, and experiments run, only when the questioner
is ``interactive``. What the engine does with an answer is :mod:`homediag.engine.gather`'s job.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from homediag.core.errors import UsageError
from homediag.engine.loader import LoadError, load_bytes, read_capped
from homediag.engine.model import CompiledTest

DONE = "done"
"""The answer to a remedy or an experiment once the user did the step."""
NOT_NOW = "not_now"
DONE_LABELS: Mapping[str, str] = {"en": "Done", "de": "Erledigt", "fr": "Fait"}
NOT_NOW_LABELS: Mapping[str, str] = {"en": "Not now", "de": "Jetzt nicht", "fr": "Pas maintenant"}
DONE_OR_NOT = ((DONE, DONE_LABELS), (NOT_NOW, NOT_NOW_LABELS))
"""The answers to a remedy step or an experiment."""


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
