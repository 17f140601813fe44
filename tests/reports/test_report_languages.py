"""A report reads in its reader's language, whoever ran it (issue 20).

Reports are made in English, German and French by re-diagnosing stored observations (``diagnose --from``,
no network), redacted as they leave the computer, then rendered in each of the three languages: every
human format (terminal summary, ``report show``, Markdown, HTML) and ``report diff``. No render may hold
a text of another language: no English message of the catalogue in a German or French render, no German
or French translation in another language's render, and no playbook text of another language. The
checks use the catalogues and the playbooks themselves, so a new text is checked without a word list.
"""

from __future__ import annotations

import asyncio
import html
import re
import string
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

import pytest

from homediag.app.diagnose import replay
from homediag.app.playbooks import load_playbooks
from homediag.app.texts import report_texts
from homediag.core.config import Config
from homediag.core.i18n import SUPPORTED_LANGUAGES, gettext_for
from homediag.core.model import EvidenceItem, Report
from homediag.core.retranslate import retranslate
from homediag.engine.catalog import PlaybookSet, load_specs
from homediag.engine.questions import AnswerFile
from homediag.reports.diff import diff_reports
from homediag.reports.diffview import diff_view
from homediag.reports.redact import redact
from homediag.reports.render import Format, render, view_of
from homediag.reports.terminal import render_diff, text_of
from homediag.reports.texts import Say
from homediag.reports.tokens import TokenStore
from tests.reports.conftest import FIXED_KEY, fixture
from tests.reports.test_translations import catalogue

LANGS = SUPPORTED_LANGUAGES
SOURCES = {
    "checkup": ("checkup-advisories", None, {}),
    "printer": ("printer-paused", "printer", {"printer_lit": "yes", "same_network": "yes"}),
    "printer-after": ("printer-resumed", "printer", {"printer_lit": "yes", "same_network": "yes"}),
}
MIN_CHUNK_LETTERS = 12
"""A piece of a message shorter than this (``open``, ``Router``) may be a word of any language."""


@cache
def playbooks() -> PlaybookSet:
    return load_playbooks()


@cache
def made(source: str, lang: str) -> Report:
    """``source`` re-diagnosed in ``lang`` and redacted, as ``diagnose --from ... --lang`` writes it."""
    name, complaint, answers = SOURCES[source]
    report = asyncio.run(
        replay(
            fixture(name),
            complaint=complaint,
            questioner=AnswerFile(answers) if answers else None,
            audience="technician",
            lang=lang,
            config=Config(),
            playbooks=playbooks(),
        )
    )
    return redact(report, TokenStore(FIXED_KEY))


def renders(report: Report, lang: str) -> dict[str, str]:
    """Every human format of ``report`` for a reader of ``lang``, as the CLI makes them."""
    texts = report_texts(report, lang, playbooks())
    out = {fmt.value: render(report, fmt, lang=lang, texts=texts) for fmt in (Format.MARKDOWN, Format.TEXT)}
    page = render(report, Format.HTML, lang=lang, texts=texts)
    out["html"] = html.unescape(re.sub(r"<[^>]*>", " ", re.sub(r"(?s)<style>.*?</style>", "", page)))
    view = view_of(report, lang=lang, texts=report_texts(report, lang, playbooks()))
    out["show"] = text_of(view, verbose=False)  # report show: the summary without every check
    return {fmt: _plain(text) for fmt, text in out.items()}


def _plain(text: str) -> str:
    """Text without Markdown escapes and with every run of white space one space (a no-break space
    stays what it is)."""
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"\\([\\`*_{}\[\]()#+\-.!|>])", r"\1", text)).strip()


def _chunks(message: str) -> Iterator[str]:
    """The literal pieces of a message between its placeholders that are long enough to tell a language."""
    for literal, _name, _spec, _conversion in string.Formatter().parse(message):
        piece = " ".join(literal.split()).strip(" :;,.()!?\u00a0—-")
        if sum(ch.isalpha() for ch in piece) >= MIN_CHUNK_LETTERS and " " in piece:
            yield piece


@cache
def catalogue_texts() -> Mapping[str, frozenset[str]]:
    """Per language, the pieces of every message of the catalogue as that language writes them (only
    messages that differ between the languages)."""
    found: dict[str, set[str]] = {lang: set() for lang in LANGS}
    po = {lang: catalogue(lang) for lang in LANGS if lang != "en"}
    for message in po["de"]:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        forms: dict[str, list[str]] = {"en": [str(i) for i in ids]}
        for lang, cat in po.items():
            entry = cat.get(ids[0])
            if entry is None or not entry.string:
                continue
            strings = entry.string
            forms[lang] = [strings] if isinstance(strings, str) else [str(s) for s in strings]
        for lang, texts in forms.items():
            others = {t for other, o in forms.items() if other != lang for t in o}
            for text in texts:
                if text in others:
                    continue
                found[lang].update(chunk for chunk in _chunks(text) if not any(chunk in o for o in others))
    return {lang: frozenset(texts) for lang, texts in found.items()}


def _texts_of(value: Any) -> Iterator[Mapping[str, str]]:
    """Every ``{en: ..., de: ..., fr: ...}`` text of a playbook's spec."""
    if isinstance(value, Mapping):
        if set(value) == set(LANGS) and all(isinstance(v, str) for v in value.values()):
            yield value
            return
        for child in value.values():
            yield from _texts_of(child)
    elif isinstance(value, list | tuple):
        for child in value:
            yield from _texts_of(child)


@cache
def playbook_texts() -> Mapping[str, frozenset[str]]:
    """Per language, the playbooks' texts in that language that differ from the other languages'."""
    found: dict[str, set[str]] = {lang: set() for lang in LANGS}
    for model in playbooks().playbooks:
        for text in _texts_of(model.spec.model_dump()):
            for lang in LANGS:
                mine = " ".join(text[lang].split())
                others = [" ".join(text[o].split()) for o in LANGS if o != lang]
                if len(mine) >= MIN_CHUNK_LETTERS and " " in mine and all(mine not in o for o in others):
                    found[lang].add(mine)
    return {lang: frozenset(texts) for lang, texts in found.items()}


def foreign(text: str, lang: str) -> list[str]:
    """The texts of other languages than ``lang`` found in ``text``."""
    hits = []
    for other in LANGS:
        if other == lang:
            continue
        for piece in (*catalogue_texts()[other], *playbook_texts()[other]):
            if piece in text and not any(piece in mine for mine in playbook_texts()[lang]):
                hits.append(f"{other}: {piece!r}")
    return sorted(hits)


@pytest.mark.parametrize("made_in", LANGS)
@pytest.mark.parametrize("read_in", LANGS)
@pytest.mark.parametrize("source", ["checkup", "printer"])
def test_a_report_reads_in_its_readers_language_in_every_format(
    source: str, made_in: str, read_in: str
) -> None:
    report = made(source, made_in)
    assert report.context.lang == made_in and report.privacy_level == "redacted"
    outputs = renders(report, read_in)
    assert all(outputs.values())
    problems = {fmt: hits for fmt, text in outputs.items() if (hits := foreign(text, read_in))}
    assert problems == {}
    if read_in == "fr":  # a no-break space before : ; ? ! — never a plain one, never none after a word
        recorded = [o.evidence for o in report.observations if o.evidence]  # probes' words, as written
        for fmt, text in outputs.items():
            for words in recorded:
                text = text.replace(_plain(words), " ")
            prose = re.sub(r"`[^`]*`|https?://\S+|\b\d+:\d+\b| ! ", " ", text)  # " ! ": the map's fault badge
            assert not re.findall(r"(?:[^\W\d_]|\)) ?[:;?!](?=\s)", prose), fmt


@pytest.mark.parametrize("made_in", LANGS)
@pytest.mark.parametrize("read_in", LANGS)
def test_report_diff_reads_in_its_readers_language(made_in: str, read_in: str) -> None:
    before, after = made("printer", made_in), made("printer-after", made_in)
    say = Say(report_texts(after, read_in, playbooks()))
    text = _plain(text_of_diff(diff_view(diff_reports(before, after), say)))
    assert text
    assert foreign(text, read_in) == []


def text_of_diff(view: Any) -> str:
    from rich.console import Console

    console = Console(width=140, record=True, color_system=None, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(render_diff(view))
    return console.export_text()


def test_the_reports_really_differ_by_language_and_the_checks_would_see_it() -> None:
    """The checks are not vacuous: the stored texts of a German report are German, and a render that
    shows them as stored to a French reader is caught."""
    german = made("checkup", "de")
    stored = " ".join(f.title for f in german.findings)
    assert foreign(stored, "fr"), "a German report's stored titles must count as German"
    from homediag.reports.texts import StoredTexts

    as_stored = render(german, Format.MARKDOWN, texts=StoredTexts("fr", recorded="de"))
    assert foreign(_plain(as_stored), "fr")
    assert "tels que le rapport les a enregistrés, en allemand" in as_stored


def test_the_json_report_keeps_what_each_text_is_made_from() -> None:
    report = made("checkup", "fr")
    items = [item for f in report.findings for item in (*f.evidence, *f.evidence_against)]
    assert items and all(item.test and item.outcome for item in items)
    assert any(item.detail for item in items) and any(item.value is not None for item in items)
    assert {ref.id for ref in report.playbooks} >= {f.playbook for f in report.findings if f.playbook}


def test_a_playbook_version_this_installation_lacks_shows_the_stored_text_and_says_so() -> None:
    import dataclasses

    german = made("checkup", "de")
    newer = tuple(dataclasses.replace(ref, version=ref.version + 100) for ref in german.playbooks)
    older = dataclasses.replace(german, playbooks=newer)
    text = render(older, Format.MARKDOWN, texts=report_texts(older, "en", playbooks()))
    assert german.findings[0].title in text  # the stored (German) title, as a fallback
    assert "this homediag does not have that version" in text
    same = render(german, Format.MARKDOWN, texts=report_texts(german, "en", playbooks()))
    assert "as the report recorded them" not in same


def test_a_report_of_schema_1_0_is_rebuilt_too() -> None:
    """A report written before evidence carried its parts: the observations' words are taken from the
    end of the stored text."""
    english = fixture("checkup-advisories")
    assert english.findings and not any(
        item.detail for f in english.findings for item in (*f.evidence, *f.evidence_against)
    )
    text = _plain(render(english, Format.MARKDOWN, texts=report_texts(english, "de", playbooks())))
    assert "Eine Verwaltungsseite ist unverschlüsselt" in text


@pytest.mark.parametrize(
    ("text", "source", "target", "expected"),
    [
        ("an admin page is served over plain HTTP at 192.0.2.1", "en", "fr", "une page d'administration"),
        ("no resolver answered", "en", "de", None),
        ("not observed; mapping failed", "en", "de", "nicht beobachtet; Zuordnung fehlgeschlagen"),
        ("raw ICMP", "en", "fr", "ICMP par socket brut"),
    ],
)
def test_words_are_rebuilt_from_the_message_they_were_made_from(
    text: str, source: str, target: str, expected: str | None
) -> None:
    rebuilt = retranslate(text, source, target)
    if expected is None:
        assert rebuilt is not None and rebuilt != text
    else:
        assert rebuilt is not None and rebuilt.startswith(expected)
        if "192.0.2.1" in text:
            assert "192.0.2.1" in rebuilt  # the values are the stored text's own characters


def test_words_round_trip_through_every_language() -> None:
    message = "answered after {tries} request(s) in {ms:.0f} ms"
    german = gettext_for("de", message).format(tries=2, ms=12.0)
    french = retranslate(german, "de", "fr")
    assert french == gettext_for("fr", message).format(tries=2, ms=12.0)
    assert retranslate(french or "", "fr", "en") == message.format(tries=2, ms=12.0)
    assert retranslate("words from no catalogue at all", "en", "de") is None


def test_evidence_items_of_schema_1_1_round_trip() -> None:
    from homediag.reports.document import from_document, to_document

    report = made("checkup", "de")
    again = from_document(to_document(report))
    items: list[EvidenceItem] = [e for f in again.findings for e in f.evidence]
    assert items == [e for f in report.findings for e in f.evidence]


@pytest.mark.parametrize("lang", LANGS)
def test_the_map_boxes_hold_their_words_in_every_language(lang: str) -> None:
    """German and French names are longer ("dieser Computer", "Téléviseur ou lecteur multimédia"):
    each box grows with its words or wraps them; none is cut short of a word."""
    from homediag.reports.netmap import SUB_PX, TITLE_PX

    report = made("checkup", "en")
    figure = view_of(report, lang=lang, texts=report_texts(report, lang, playbooks())).network_map
    width = 0.0
    words: list[str] = []
    for item in figure.shapes:
        attrs = dict(item.attrs)
        if item.tag == "rect":
            width = float(attrs["width"])
        elif item.tag == "text" and attrs.get("class") in ("node-title", "node-sub"):
            px = TITLE_PX if attrs["class"] == "node-title" else SUB_PX
            assert len(item.text) * px <= width, (item.text, width)
            words.append(item.text)
    shown = " ".join(words)
    this_computer = gettext_for(lang, "this computer")
    assert this_computer in shown and "…" not in shown
    assert gettext_for(lang, "TV or media player").split()[0] in shown


def test_numbers_in_playbook_texts_are_those_the_report_was_made_with() -> None:
    """A text with a ``{thresholds.x}`` placeholder reads the number of the run's configuration in
    every language (the report records it); a report that records none shows its stored text."""
    import dataclasses

    from homediag.core.model import Finding, FindingStatus, PlaybookRef

    version = next(spec.version for spec in load_specs() if spec.id == "slow-internet")
    stored = "Measured download below 40 % of the plan, or without a plan below 8 Mbit/s down or 1 Mbit/s up."
    finding = Finding("wan.slow", FindingStatus.LIKELY, 0.7, "The line is slower than it should be",
                      details=stored, playbook="slow-internet", cause="wan_slow")  # fmt: skip
    base = made("checkup", "en")
    report = dataclasses.replace(
        base,
        context=dataclasses.replace(base.context, audience="technician"),
        findings=(finding,),
        playbooks=(PlaybookRef("slow-internet", version, "0" * 64),),
        settings={"thresholds": {"download_ratio": 0.4, "min_download_mbps": 8.0, "min_upload_mbps": 1.5},
                  "expect": {}},
    )  # fmt: skip
    french = view_of(report, lang="fr", texts=report_texts(report, "fr")).faults[0].details
    assert "40\u00a0%" in french and "1,5 Mbit/s" in french and "{" not in french
    older = dataclasses.replace(report, settings=None)
    view = view_of(older, lang="fr", texts=report_texts(older, "fr"))
    assert view.faults[0].details == stored
    assert any("slow-internet" in note for note in view.notes)


def test_every_outcome_of_the_shipped_playbooks_has_its_words() -> None:
    """The trace and the evidence of a test without an ``explain`` text show an outcome by its word
    (``homediag.core.outcomes``): a new outcome in a playbook needs one, or it reads as an English id."""
    from homediag.core.outcomes import OUTCOME_WORDS

    outcomes = {o for spec in load_specs() for test in spec.tests if not test.answers for o in test.outcomes}
    assert sorted(outcomes - set(OUTCOME_WORDS)) == []
