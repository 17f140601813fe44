"""Translate a text that was written through the catalogues into another language, from the text alone.

A probe words what it saw with ``_("{lost} of {sent} pings lost").format(...)`` in the language of the
run, and a report stores the result: ``3 von 30 Pings verloren``. Reading that report in French needs
the message it was made from. :func:`retranslate` finds it: every translation of the catalogue of the
text's language is compiled into a pattern (its placeholders become groups), the text is matched against
them, and the message found is formatted in the reader's language with the values captured — which are
the stored text's own characters, so a redacted value stays redacted. A value that is itself a text of
the catalogue (``stopped``) is translated too. Texts joined by ``; `` are translated part by part.

A text that matches no message, or whose parts do not all match, gives None: the caller decides what
to show instead (never a half-translated text). Messages too generic to say anything (``{a}: {b}``, fewer
than :data:`MIN_LETTERS` letters outside placeholders) are never used to match.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import cache

from homediag.core.i18n import DEFAULT_LANGUAGE, DOMAIN, LOCALE_DIR, SUPPORTED_LANGUAGES, gettext_for

MIN_LETTERS = 4
"""Letters a message needs outside its placeholders to be matched against."""
MIN_COVER = 0.5
"""The share of a text's letters a message's own words must make up: a short message whose placeholder
swallows most of a sentence (``printer-state {state}`` against ``printer-state 5 (stopped), reasons:
paused``) is no match — the words in the placeholder would stay in the other language."""
MAX_TEXT = 2000
"""Longer texts are not matched (a stored text is capped far below this)."""
SEPARATOR = re.compile(r"\u00a0?; ")
"""What joins texts a probe wrote one after the other (French sets a no-break space before ``;``)."""
JOINS = {"fr": "\u00a0; "}


_WORDS = re.compile(r"(?<![\w.:/+-])[^\W\d_]+(?![\w.:/+-])")
"""Words of a language in a text (identifiers such as ``printer-1``, ``net.dns`` or ``a_b`` are none)."""


@dataclass(frozen=True)
class _Pattern:
    msgid: str
    regex: re.Pattern[str]
    fields: tuple[str, ...]
    weight: int
    """Letters outside placeholders: the more, the more specific the match."""


def _template_regex(template: str) -> tuple[str, tuple[str, ...], int] | None:
    parts: list[str] = []
    fields: list[str] = []
    letters = 0
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return None
    for literal, name, _spec, _conversion in parsed:
        parts.append(re.escape(literal))
        letters += sum(ch.isalpha() for ch in literal)
        if name is None:
            continue
        if not name.isidentifier():
            return None
        if name in fields:
            parts.append(f"(?P={name})")
        else:
            fields.append(name)
            parts.append(f"(?P<{name}>.+?)")
    return "".join(parts), tuple(fields), letters


@cache
def _messages(lang: str) -> dict[str, str]:
    """Message id -> its text in ``lang``, for every message of the catalogue."""
    if lang == DEFAULT_LANGUAGE:
        lang_for_ids = "de" if "de" in SUPPORTED_LANGUAGES else lang
        ids = _catalogue_ids(lang_for_ids)
        return {msgid: msgid for msgid in ids}
    return {msgid: gettext_for(lang, msgid) for msgid in _catalogue_ids(lang)}


@cache
def _catalogue_ids(lang: str) -> tuple[str, ...]:
    """The (singular) message ids of ``lang``'s catalogue."""
    from babel.messages.pofile import read_po

    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.is_file():
        return ()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    return tuple(str(m.id) for m in catalog if m.id and isinstance(m.id, str) and m.string)


@cache
def _patterns(lang: str) -> tuple[tuple[_Pattern, ...], dict[str, str]]:
    """The compiled translations of ``lang`` (most specific first), and the texts without placeholders
    (text -> message id)."""
    patterns: list[_Pattern] = []
    exact: dict[str, str] = {}
    for msgid, text in _messages(lang).items():
        compiled = _template_regex(text)
        if compiled is None:
            continue
        regex, fields, letters = compiled
        if not fields:
            exact.setdefault(text, msgid)
            continue
        if letters < MIN_LETTERS or _template_regex(msgid) is None:
            continue
        patterns.append(_Pattern(msgid, re.compile(regex, re.DOTALL), fields, letters))
    patterns.sort(key=lambda p: (-p.weight, p.msgid))
    return tuple(patterns), exact


def _fill(template: str, values: dict[str, str]) -> str:
    """``template`` with each placeholder replaced by its captured text (format specs are not applied:
    the values are already formatted)."""
    out: list[str] = []
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        out.append(literal)
        if name is not None:
            out.append(values.get(name, ""))
    return "".join(out)


def _one(text: str, source: str, target: str, depth: int) -> str | None:
    patterns, exact = _patterns(source)
    if text in exact:
        return gettext_for(target, exact[text])
    if depth > 1:
        return None
    for pattern in patterns:
        found = pattern.regex.fullmatch(text)
        if found is None:
            continue
        values = {}
        left = 0  # letters of words left in the other language inside the values
        for name in pattern.fields:
            value = found.group(name)
            translated = _text(value, source, target, depth + 1)
            values[name] = translated or value
            left += 0 if translated else sum(len(word) for word in _WORDS.findall(value))
        if left > pattern.weight * (1 - MIN_COVER) / MIN_COVER:
            continue
        return _fill(gettext_for(target, pattern.msgid), values)
    return None


def retranslate(text: str, source: str, target: str) -> str | None:
    """``text``, written in ``source`` through the catalogues, in ``target``; None when it was not
    made from a message of the catalogue (or only partly) — also when ``source`` is ``target``, so
    that a match says the text really is in ``source``."""
    if source not in SUPPORTED_LANGUAGES or target not in SUPPORTED_LANGUAGES:
        return None
    if not text or len(text) > MAX_TEXT:
        return None
    return _text(text, source, target, 0)


def _text(text: str, source: str, target: str, depth: int) -> str | None:
    """``text`` as one message, else as messages joined by ``; ``."""
    whole = _one(text, source, target, depth)
    if whole is not None:
        return whole
    pieces = SEPARATOR.split(text)
    if len(pieces) == 1:
        return None
    translated = [_one(piece, source, target, depth) for piece in pieces]
    if any(piece is None for piece in translated):
        return None
    return JOINS.get(target, "; ").join(piece for piece in translated if piece is not None)
