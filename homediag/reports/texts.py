"""The one seam every human text of a report view passes through.

Building a view (:mod:`homediag.reports.compose`) never takes a text for people straight from the report
or from gettext: it names the text with a :class:`TextRef` — what kind of text it is, the ids it is made
from (playbook, problem code, cause, test, outcome, remedy, step, question) and the text the report
stores — and asks a :class:`Texts` for it. The labels of homediag's own code (headings, status words,
table headers) go the same way, as :attr:`TextKind.LABEL` with the gettext message id.

:class:`StoredTexts`, the default, answers with the stored text (and gettext for labels): a report
reads as it was written. A translating implementation can rebuild a finding's title, evidence or
remedy in the reader's language from the playbooks that made it (issue 20), and fall back to the stored
text when it does not know the playbook version. Whatever a :class:`Texts` answers is made inert and
capped by the builder afterwards, so no implementation can bring control characters into a rendering.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from homediag.core.i18n import DEFAULT_LANGUAGE, N_, SUPPORTED_LANGUAGES, gettext_for, ngettext_for
from homediag.core.model import JSONValue
from homediag.reports.sanitize import inert


class TextKind(StrEnum):
    """What a text is, which says which ids of :class:`TextRef` are set."""

    LABEL = "label"
    """A text of homediag's code: ``stored`` is the gettext message id."""
    COMPLAINT = "complaint"
    """The complaint's name: ``playbook`` (the complaint id); ``stored`` is the recorded title, if any."""
    FINDING_TITLE = "finding.title"
    FINDING_EXPLANATION = "finding.explanation"
    FINDING_DETAILS = "finding.details"
    EVIDENCE = "evidence"
    """One piece of evidence: ``test`` and ``outcome`` (and the finding's ids)."""
    REMEDY_TITLE = "remedy.title"
    REMEDY_STEP = "remedy.step"
    """``remedy`` and ``index`` (from 0)."""
    QUESTION = "question"
    ANSWER = "answer"
    """``question`` and ``outcome`` (the answer's key)."""
    NOT_APPLICABLE = "not_applicable"
    """Why the complaint's playbook does not apply here."""
    TRACE_NOTE = "trace.note"
    """A note of the engine's trace (``step`` in ``index``)."""
    RUN_NOTE = "run.note"
    """Why a check did not run or finish, or how it measured."""


@dataclass(frozen=True)
class TextRef:
    """A text for people, named by what it is made from, with the text the report stores."""

    kind: TextKind
    stored: str
    playbook: str | None = None
    code: str | None = None
    cause: str | None = None
    test: str | None = None
    outcome: str | None = None
    remedy: str | None = None
    index: int | None = None
    question: str | None = None
    plural: str | None = None
    """A label with plural forms: ``stored`` is the singular message id, this the plural one."""
    count: int | None = None
    """How many, for a label with plural forms."""
    fact: str | None = None
    detail: str | None = None
    """Evidence: the observations' own words as stored, in the run's language (None: not recorded)."""
    value: JSONValue = None
    """Evidence: the value the test read (None: not recorded, or personal data)."""
    unit: str | None = None


def label_text(lang: str, ref: TextRef) -> str:
    """A label (:attr:`TextKind.LABEL`) in ``lang``, in its plural form for ``ref.count`` if it has one."""
    if ref.plural is not None:
        return ngettext_for(lang, ref.stored, ref.plural, ref.count if ref.count is not None else 1)
    return gettext_for(lang, ref.stored)


COLONS = {"fr": "\u00a0:"}
SEMICOLONS = {"fr": "\u00a0; "}
"""How a colon follows a word where code joins a label and its value (French: after a no-break space)."""
LANGUAGE_NAMES = {"en": N_("English"), "de": N_("German"), "fr": N_("French")}
"""The languages by name, for notes on a view."""


class Texts(Protocol):
    """Where a view's texts come from."""

    @property
    def lang(self) -> str:
        """The language the texts are wanted in."""
        ...

    def text(self, ref: TextRef) -> str:
        """The text ``ref`` names, in :attr:`lang`."""
        ...

    def notes(self) -> tuple[str, ...]:
        """What the reader should know about the texts given so far (in :attr:`lang`): where they are
        shown as stored, in another language, because they could not be rebuilt."""
        ...


@dataclass(frozen=True)
class StoredTexts:
    """The texts as the report stores them; labels and complaint names translated with gettext.

    ``recorded`` is the language the report was made in: when it differs from :attr:`lang`, the notes
    say that the findings are shown as recorded."""

    lang: str = DEFAULT_LANGUAGE
    recorded: str | None = None

    def __post_init__(self) -> None:
        if self.lang not in SUPPORTED_LANGUAGES:
            raise ValueError(f"unsupported language: {self.lang!r}")

    def text(self, ref: TextRef) -> str:
        """The stored text (a label: its translation)."""
        if ref.kind is TextKind.LABEL:
            return label_text(self.lang, ref)
        return ref.stored

    def notes(self) -> tuple[str, ...]:
        """A note when the report's texts are in another language than the view's."""
        if self.recorded is None or self.recorded == self.lang or self.recorded not in LANGUAGE_NAMES:
            return ()
        language = gettext_for(self.lang, LANGUAGE_NAMES[self.recorded])
        note = N_("The findings are shown as the report recorded them, in {language}.")
        return (gettext_for(self.lang, note).format(language=language),)


@functools.cache
def _decimal_format(lang: str, digits: int) -> tuple[Any, Any]:
    """Babel's locale and number pattern for ``lang`` and ``digits``, parsed once (a report formats
    thousands of numbers; parsing them each time took most of the time of building a large view)."""
    from babel import Locale
    from babel.numbers import parse_pattern

    return Locale.parse(lang), parse_pattern("#,##0" + ("." + "#" * digits if digits > 0 else ""))


@dataclass(frozen=True)
class Say:
    """The seam as the builder uses it: labels by message id, numbers in the texts' language."""

    texts: Texts

    @property
    def lang(self) -> str:
        """The language of the view."""
        return self.texts.lang

    def __call__(self, msgid: str) -> str:
        """The label ``msgid`` (marked with ``N_()`` where it is written) in the view's language."""
        return self.texts.text(TextRef(TextKind.LABEL, msgid))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The label in its form for ``n`` (gettext plural forms: never "problem(s)")."""
        return self.texts.text(TextRef(TextKind.LABEL, singular, plural=plural, count=n))

    @property
    def colon(self) -> str:
        """A colon after a word, as the language sets it: French puts a no-break space before it."""
        return COLONS.get(self.lang, ":")

    @property
    def semicolon(self) -> str:
        """What joins the parts of a line (``a; b``), as the language sets it."""
        return SEMICOLONS.get(self.lang, "; ")

    def number(self, value: float, digits: int = 1) -> str:
        """``value`` formatted for the language (``12.5`` / ``12,5``), trailing zeros dropped."""
        if not math.isfinite(value) or abs(value) >= 1e15:
            return f"{value:.3g}"
        locale, pattern = _decimal_format(self.lang, digits)
        text: str = pattern.apply(value, locale)
        return text

    def value(self, value: JSONValue, unit: str | None = None) -> str:
        """An observed value for people: numbers in the language, lists shortened, made inert."""
        if value is None:
            return "—"
        if isinstance(value, bool):
            text = self(N_("yes")) if value else self(N_("no"))
        elif isinstance(value, int | float):
            text = self.number(value, 1 if abs(value) >= 10 else 2)
        elif isinstance(value, list):
            shown = [self.value(v) for v in value[:6]]
            text = ", ".join(shown) + (" …" if len(value) > 6 else "")
        elif isinstance(value, dict):
            text = ", ".join(f"{k}={self.value(v)}" for k, v in list(value.items())[:6])
        else:
            text = str(value)
        if unit and not isinstance(value, bool | dict):
            text = f"{text} {unit}"
        return inert(text, 160)

    def percent(self, probability: float) -> str:
        """A probability as a percentage for the language."""
        from babel.numbers import format_percent

        text: str = format_percent(probability, locale=self.lang)
        return text
