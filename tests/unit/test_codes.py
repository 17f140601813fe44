"""The problem-code catalogue (homediag/core/codes.yaml): complete in every language, kinds as designed."""

from __future__ import annotations

import re

import pytest

from homediag.core import codes
from homediag.core.i18n import SUPPORTED_LANGUAGES

# docs/probes-and-playbooks.md#faults-and-advisories: conditions worth fixing that produce no symptom by
# themselves.
ADVISORIES = {
    "security.admin-http",
    "security.telnet-open",
    "security.mqtt-anonymous",
    "wifi.insecure",
    "upnp.igd-unavailable",
}


def test_codes_are_dotted_lower_case_and_unknown_is_reserved() -> None:
    catalogue = codes.catalogue()
    assert len(catalogue) >= 40
    assert all(re.fullmatch(r"[a-z0-9]+\.[a-z0-9-]+", code) for code in catalogue)
    assert codes.UNKNOWN not in catalogue and not codes.is_known(codes.UNKNOWN)


def test_advisories_are_the_designed_ones_and_everything_else_is_a_fault() -> None:
    assert {code for code in codes.catalogue() if codes.is_advisory(code)} == ADVISORIES
    assert codes.kind_of("wan.down") is codes.CodeKind.FAULT
    assert codes.kind_of("some.code-of-a-newer-version") is codes.CodeKind.FAULT


@pytest.mark.parametrize("lang", [lang for lang in SUPPORTED_LANGUAGES if lang != "en"])
def test_every_meaning_is_translated_not_copied(lang: str) -> None:
    copied = [
        code for code, entry in codes.catalogue().items() if entry.meaning[lang] == entry.meaning["en"]
    ]
    assert copied == []


def test_french_meanings_follow_french_typography() -> None:
    # homediag/locale/README.md: straight apostrophes, no guillemets, a no-break space before : ; ? !
    for entry in codes.catalogue().values():
        text = entry.meaning["fr"]
        assert not any(c in text for c in "’‘«»"), text
        assert not re.search(r" [:;?!]", text), text


def test_meaning_falls_back_to_english() -> None:
    entry = codes.catalogue()["wan.down"]
    assert entry.meaning_in("de") != entry.meaning_in("en")
    assert entry.meaning_in("xx") == entry.meaning_in("en")
