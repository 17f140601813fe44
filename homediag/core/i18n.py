"""Translations of texts written in code, through gettext catalogues.

Texts meant for people are wrapped in ``_()`` where they are used, or marked with ``N_()`` where they
are defined at import time and translated later. Catalogues live in ``homediag/locale/<lang>/
LC_MESSAGES/homediag.po``; they are read with babel and compiled in memory on first use, so no
generated ``.mo`` file is committed. Playbook texts carry their three languages inline instead.
"""

from __future__ import annotations

import gettext
import io
import locale
import os
from contextvars import ContextVar
from functools import cache
from pathlib import Path

SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "de", "fr")
DEFAULT_LANGUAGE = "en"
DOMAIN = "homediag"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

_current: ContextVar[str] = ContextVar("homediag_language", default=DEFAULT_LANGUAGE)


def normalise_language(value: str | None) -> str | None:
    """Map a locale name such as ``de_DE.UTF-8`` or ``fr`` to a supported language, or None."""
    if not value:
        return None
    code = value.split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return code if code in SUPPORTED_LANGUAGES else None


def system_language() -> str:
    """The language of the user's locale when homediag supports it, else English."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        raw = os.environ.get(var, "")
        for part in raw.split(":"):
            lang = normalise_language(part)
            if lang:
                return lang
    try:
        lang = normalise_language(locale.getlocale()[0])
    except ValueError:
        lang = None
    return lang or DEFAULT_LANGUAGE


def set_language(lang: str) -> None:
    """Switch the language that ``_()`` translates into (for the current context)."""
    if lang not in SUPPORTED_LANGUAGES:
        raise ValueError(f"unsupported language: {lang!r}")
    _current.set(lang)


def current_language() -> str:
    """The language ``_()`` translates into."""
    return _current.get()


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue for ``lang`` (a null catalogue for English or a missing file)."""
    po_path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if lang == DEFAULT_LANGUAGE or not po_path.is_file():
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def gettext_for(lang: str, message: str) -> str:
    """Translate ``message`` into ``lang``."""
    if lang == DEFAULT_LANGUAGE:
        return message
    return translations(lang).gettext(message)


def ngettext_for(lang: str, singular: str, plural: str, n: int) -> str:
    """The form of ``singular``/``plural`` for ``n`` in ``lang`` (its plural rule: French counts 0 and
    1 as singular, German and English only 1)."""
    if lang == DEFAULT_LANGUAGE:
        return singular if n == 1 else plural
    return translations(lang).ngettext(singular, plural, n)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of ``singular``/``plural`` for ``n`` in the current language."""
    return ngettext_for(_current.get(), singular, plural, n)


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    return gettext_for(_current.get(), message)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now."""
    return message
