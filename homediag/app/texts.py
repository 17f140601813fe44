"""A report's texts in its reader's language, rebuilt from the playbooks that made it.

A report stores its findings' texts in the language of the run, and beside them what each is made from:
the playbook (id and version, in ``playbooks``), the problem code, the cause, the test and its outcome,
the remedy, the observations' own words and the value read (schema 1.1). :class:`PlaybookTexts` plugs
into the report view's seam (:class:`homediag.reports.texts.Texts`) and builds every text again in the
reader's language: from the playbook when this installation has the same version of it (playbooks carry
their texts in en/de/fr), from the gettext catalogues for homediag's own words, and for the words a
probe stored (``3 von 30 Pings verloren``) by finding the message they were made from
(:func:`homediag.core.retranslate.retranslate`), else by wording the value read.

Where a text cannot be rebuilt — the report comes from a playbook version this installation does not
have, or a probe's words match no message — the stored text is shown, and :meth:`PlaybookTexts.notes`
says so in the view (never silently).

Renderers get it from :func:`report_texts`; the CLI passes it to every human format (``diagnose``,
``report render``, ``report show``, ``report diff``), and so can any other use case (the guided flow's
escalation summary: ``report_texts(report, lang)`` and :func:`homediag.reports.render.render`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from homediag.core.i18n import N_, SUPPORTED_LANGUAGES, gettext_for
from homediag.core.model import Report
from homediag.core.retranslate import retranslate
from homediag.engine.catalog import PlaybookSet, load_specs
from homediag.engine.findings import UNKNOWN_DETAILS, UNKNOWN_EXPLANATION, UNKNOWN_TITLE
from homediag.engine.model import LEAK_ID
from homediag.engine.schema import Cause, Interaction, PlaybookSpec, TestSpec
from homediag.engine.session import explain, text_in
from homediag.engine.texts import PLACEHOLDER, render
from homediag.reports.texts import LANGUAGE_NAMES, Say, TextKind, TextRef, label_text

_FRENCH_SPACE = re.compile(r" ([:;?!])(?=\s|$)")
_FINDING_ATTRS = {
    TextKind.FINDING_TITLE: "title",
    TextKind.FINDING_EXPLANATION: "explanation",
    TextKind.FINDING_DETAILS: "details",
}
_LEAK_TEXTS = {
    TextKind.FINDING_TITLE: UNKNOWN_TITLE,
    TextKind.FINDING_EXPLANATION: UNKNOWN_EXPLANATION,
    TextKind.FINDING_DETAILS: UNKNOWN_DETAILS,
}
TRACE_NOTES = (
    N_("skipped in the checkup: draft playbook"),
    N_("following up: {causes}"),
    N_("obtained together: {n} facts of the members' free tests"),
    N_("on-demand probes the user asked for: {n} facts"),
    N_("not run: its {which} could not be evaluated"),
    N_("not asked: non-interactive run"),
    N_("experiment not done"),
    N_("experiment gave no evidence: {note}"),
    N_("no outcome"),
    N_("no observation"),
    N_("not observed"),
    N_("unknown: {reason}"),
    N_("{inputs} not known"),
    N_("mapping failed"),
    N_("could not be run: {fact} {reason}"),
    N_("the leak grew: added {candidates}"),
    N_("no single cause explains the abnormal findings: added {candidates}"),
    N_("not done"),
    N_("could not verify: {reason}"),
    N_("fixed: {cause}"),
    N_("{cause} reached {p}"),
    N_("no test left to run"),
    N_("no test is worth its cost"),
    N_("no test lowers the expected cost of repair; next: {remedy}"),
    N_("draft playbook: an outline, some probes it needs are missing"),
    N_("step limit reached"),
    N_("cannot tell whether it applies: {fact} not observed"),
    N_("cannot tell whether it applies: {error}"),
    N_("does not apply: {reason}"),
    N_("unanswered"),
    N_("not in the stored observations"),
    N_("a stored report cannot measure again"),
    N_("no probe provides {facts}"),
    N_("judged on their own: {judgements}"),
    N_("measured {code} {p} ({outcomes})"),
    N_("advisory {code} {p} ({outcomes})"),
)
"""The notes the engine writes in its trace, in English in every run (``engine.walk``, ``gather``,
``checkup``, ``selection``, ``remedies``, ``multifault``, ``sources``), as message ids: a report's trace
is read in its reader's language by matching them (:func:`homediag.core.retranslate.retranslate`). A
note that matches none is shown as recorded, and the view says so."""
RUN_METHODS = (
    N_("raw ICMP"),
    N_("raw ICMP with DF"),
    N_("system ping"),
    N_("system ping with DF"),
)
"""How the probes of ``homediag.net`` measure (a run's ``method``), as message ids (as
:data:`TRACE_NOTES`)."""
ESCALATION_REMEDY = "escalate"
"""The remedy id of a playbook's escalation (``engine.findings``)."""


class PlaybookTexts:
    """The texts of one report, rebuilt in ``lang`` from ``playbooks`` (the installation's: their specs,
    or a loaded set)."""

    def __init__(self, report: Report, playbooks: PlaybookSet | Iterable[PlaybookSpec], lang: str) -> None:
        if lang not in SUPPORTED_LANGUAGES:
            raise ValueError(f"unsupported language: {lang!r}")
        self._lang = lang
        recorded = report.context.lang
        self.recorded = recorded if recorded in SUPPORTED_LANGUAGES else "en"
        """The language the report was made in."""
        if isinstance(playbooks, PlaybookSet):
            playbooks = [model.spec for model in playbooks.playbooks]
        installed = {spec.id: spec for spec in playbooks}
        self._models: dict[str, PlaybookSpec] = {}
        self._versions: dict[str, int] = {}
        for ref in report.playbooks:
            self._versions[ref.id] = ref.version
            spec = installed.get(ref.id)
            if spec is not None and spec.version == ref.version:
                self._models[ref.id] = spec
        self._installed = {spec.id: spec.version for spec in installed.values()}
        self._as_stored: set[str] = set()
        """Playbooks whose texts were shown as stored."""
        self._stored_words = False
        """Whether a probe's or the engine's words were shown as stored (in another language)."""
        self._left_out = False
        """Whether a probe's words about a piece of evidence were left out (no way to word them)."""
        self._say = Say(self)
        self._settings: Mapping[str, Mapping[str, Any]] = report.settings or {}
        """The numbers the report's texts were written with (none recorded: texts that need them are
        shown as stored)."""

    @property
    def lang(self) -> str:
        """The language the texts are built in."""
        return self._lang

    # --- the seam -----------------------------------------------------------------------------------

    def text(self, ref: TextRef) -> str:
        """The text ``ref`` names, in :attr:`lang`."""
        match ref.kind:
            case TextKind.LABEL:
                return label_text(self._lang, ref)
            case TextKind.COMPLAINT:
                model = self._model(ref.playbook, record=False)
                return self._typeset(text_in(model.title, self._lang) if model is not None else ref.stored)
            case TextKind.FINDING_TITLE | TextKind.FINDING_EXPLANATION | TextKind.FINDING_DETAILS:
                return self._finding(ref)
            case TextKind.EVIDENCE:
                return self._evidence(ref)
            case TextKind.REMEDY_TITLE | TextKind.REMEDY_STEP:
                return self._remedy(ref)
            case TextKind.QUESTION | TextKind.ANSWER:
                return self._question(ref)
            case TextKind.NOT_APPLICABLE:
                model = self._model(ref.playbook, record=False)
                if model is not None and model.applies_if is not None:
                    return self._typeset(text_in(model.applies_if.reason, self._lang))
                return self._words(ref.stored, self.recorded)
            case TextKind.TRACE_NOTE:
                return self._words(ref.stored, "en")  # the engine writes its trace in English
            case TextKind.RUN_NOTE:
                return self._words(ref.stored, self.recorded, "en")

    def notes(self) -> tuple[str, ...]:
        """Where texts are shown as stored, and why."""
        notes: list[str] = []
        language = gettext_for(self._lang, LANGUAGE_NAMES[self.recorded])
        for playbook in sorted(self._as_stored):
            version = self._versions.get(playbook)
            if version is None:
                message = N_(
                    "Some texts are shown as the report recorded them, in {language}: the report does not "
                    "say which version of the playbook {playbook} made them."
                )
            elif self._installed.get(playbook) == version:
                message = N_(
                    "Some texts of the playbook {playbook} are shown as the report recorded them, in "
                    "{language}: its version {version} here does not have them."
                )
            else:
                message = N_(
                    "Texts of the playbook {playbook} (version {version}) are shown as the report recorded "
                    "them, in {language}: this homediag does not have that version."
                )
            notes.append(
                gettext_for(self._lang, message).format(playbook=playbook, version=version, language=language)
            )
        if self._stored_words:
            notes.append(
                gettext_for(
                    self._lang,
                    N_("Some notes of the checks are shown as the report recorded them, in {language}."),
                ).format(language=language)
            )
        if self._left_out:
            notes.append(
                gettext_for(
                    self._lang,
                    N_("Some details of the evidence are left out: homediag cannot word them in {language}."),
                ).format(language=gettext_for(self._lang, LANGUAGE_NAMES[self._lang]))
            )
        return tuple(notes)

    # --- kinds of text ------------------------------------------------------------------------------

    def _from_playbook(self, texts: Mapping[str, str] | None, ref: TextRef) -> str:
        """A playbook's text in the reader's language; as stored when it needs numbers the report
        does not record (a report of schema 1.0)."""
        text = text_in(texts, self._lang, ref.stored)
        if not self._settings and PLACEHOLDER.search(text):
            return self._stored(ref)
        return self._typeset(text)

    def _typeset(self, text: str) -> str:
        """A playbook's text with the numbers it was written with (its ``{thresholds.x}``
        placeholders, from the report's settings) and the reader's typography: in French a no-break
        space, not a plain one, before ``: ; ? !`` (so a line never starts with one)."""
        if "{" in text:
            text = render(text, self._settings, self._lang)
        return _FRENCH_SPACE.sub("\u00a0\\1", text) if self._lang == "fr" else text

    def _model(self, playbook: str | None, *, record: bool = True) -> PlaybookSpec | None:
        model = self._models.get(playbook) if playbook else None
        if model is None and record and self._lang != self.recorded:
            self._as_stored.add(playbook or "?")
        return model

    def _stored(self, ref: TextRef) -> str:
        """The stored text, noted as such when it is in another language than the reader's."""
        if self._lang != self.recorded:
            self._as_stored.add(ref.playbook or "?")
        return ref.stored

    def _finding(self, ref: TextRef) -> str:
        if ref.cause == LEAK_ID:
            return gettext_for(self._lang, _LEAK_TEXTS[ref.kind])
        model = self._model(ref.playbook)
        if model is None or ref.cause is None:
            return self._stored(ref) if model is not None else ref.stored
        source: Cause | Interaction | None = next((c for c in model.causes if c.id == ref.cause), None)
        source = source or next((i for i in model.interactions if i.id == ref.cause), None)
        if source is None or (ref.code is not None and source.code != ref.code):
            return self._stored(ref)
        texts: Mapping[str, str] = getattr(source, _FINDING_ATTRS[ref.kind])
        return self._from_playbook(texts, ref)

    def _remedy(self, ref: TextRef) -> str:
        model = self._model(ref.playbook)
        if model is None or ref.remedy is None:
            return self._stored(ref) if model is not None else ref.stored
        if ref.remedy == ESCALATION_REMEDY:
            escalation = model.escalation
            texts = escalation.title if ref.kind is TextKind.REMEDY_TITLE else escalation.text
            return self._from_playbook(texts, ref)
        spec = next((r for r in model.remedies if r.id == ref.remedy), None)
        if spec is None:
            return self._stored(ref)
        if ref.kind is TextKind.REMEDY_TITLE:
            return self._from_playbook(spec.title, ref)
        index = ref.index or 0
        if index >= len(spec.steps):
            return self._stored(ref)
        return self._from_playbook(spec.steps[index], ref)

    def _question(self, ref: TextRef) -> str:
        test = self._asked(ref)
        if test is None:
            return self._stored(ref)
        if ref.kind is TextKind.QUESTION:
            return self._from_playbook(test.text, ref)
        answers = test.answers or {}
        if ref.outcome not in answers:
            return self._stored(ref)
        return self._from_playbook(answers[ref.outcome], ref)

    def _asked(self, ref: TextRef) -> TestSpec | None:
        """The question ``ref`` names: the test of that id in the report's playbooks (several
        playbooks of a checkup may ask the same: the one whose words the report stores)."""
        found = [
            test
            for model in self._models.values()
            for test in model.tests
            if test.id == ref.question and test.text is not None
        ]
        for test in found:
            stored = text_in(test.text, self.recorded)
            if ref.kind is TextKind.QUESTION and stored == ref.stored:
                return test
            answers = test.answers or {}
            said = text_in(answers[ref.outcome], self.recorded) if ref.outcome in answers else None
            if ref.kind is TextKind.ANSWER and said == ref.stored:
                return test
        return found[0] if found else None

    def _evidence(self, ref: TextRef) -> str:
        model = self._model(ref.playbook)
        if model is None or ref.test is None or ref.outcome is None:
            return self._stored(ref) if model is not None else ref.stored
        test = next((t for t in model.tests if t.id == ref.test), None)
        if test is None or ref.outcome not in test.outcomes:
            return self._stored(ref)
        if not self._settings and PLACEHOLDER.search(text_in(test.explain.get(ref.outcome), self._lang)):
            return self._stored(ref)
        said = explain(test, ref.outcome, self.recorded, self._settings)
        detail = ref.detail if ref.detail is not None else _detail_of(ref.stored, said)
        text = self._typeset(explain(test, ref.outcome, self._lang, self._settings))
        shown = self._detail(detail, ref) if detail else None
        return f"{text} ({shown})" if shown else text

    def _rebuilt(self, text: str, *first: str) -> str | None:
        """``text`` rebuilt in the reader's language from the message it was made from, trying the
        languages ``first`` first (a replay keeps the words of the report it replayed, in its language)."""
        for source in dict.fromkeys((*first, *SUPPORTED_LANGUAGES)):
            words = retranslate(text, source, self._lang)
            if words is not None:
                return words
        return None

    def _detail(self, detail: str, ref: TextRef) -> str | None:
        """The observations' own words in the reader's language: rebuilt from the catalogue; else as
        stored when the reader reads the run's language; else a number or yes/no read, in words; else
        left out (and noted)."""
        words = self._rebuilt(detail, self.recorded)
        if words is not None:
            return words
        if self._lang == self.recorded:
            return detail
        if isinstance(ref.value, bool | int | float):
            return self._say.value(ref.value, ref.unit)
        self._left_out = True
        return None

    def _words(self, stored: str, *languages: str) -> str:
        """Words of a probe or the engine, rebuilt from the catalogue, else as stored (and noted)."""
        words = self._rebuilt(stored, *languages)
        if words is not None:
            return words
        if stored and any(ch.isalpha() for ch in stored) and self._lang not in languages:
            self._stored_words = True
        return stored


def _detail_of(stored: str, said: str) -> str | None:
    """The observations' words of a report of schema 1.0, which stored only ``<evidence> (<words>)``."""
    if stored == said:
        return None
    if stored.startswith(said + " (") and stored.endswith(")"):
        return stored[len(said) + 2 : -1]
    if not stored.endswith(")"):
        return None
    depth = 0
    for index in range(len(stored) - 1, -1, -1):
        if stored[index] == ")":
            depth += 1
        elif stored[index] == "(":
            depth -= 1
            if depth == 0:
                return stored[index + 1 : -1] if index > 0 and stored[index - 1] == " " else None
    return None


def report_texts(
    report: Report, lang: str, playbooks: PlaybookSet | Iterable[PlaybookSpec] | None = None
) -> PlaybookTexts:
    """The texts of ``report`` in ``lang``, rebuilt from ``playbooks`` (default: this installation's,
    read as specs: nothing is compiled to word a report)."""
    return PlaybookTexts(report, load_specs() if playbooks is None else playbooks, lang)
