"""The guided flow's menu: the problems in plain words, in order, read fast from the playbooks'
headers and equal to what the validated playbooks say."""

from __future__ import annotations

from pathlib import Path

import pytest

from homediag.core.errors import PlaybookError
from homediag.engine.catalog import load_playbooks
from homediag.engine.menu import header_of, menu_of, read_menu

ISSUE_14_MENU = [
    "The internet does not work",
    "The internet is slow",
    "The connection keeps dropping",
    "Video calls are bad",
    "The printer does not print",
    "I cannot show my phone on the TV",
    "A smart-home device does not respond",
    "Wi-Fi is weak",
    "Check everything",
]


def test_the_menu_says_the_problems_in_plain_words_in_order() -> None:
    assert [entry.text_in("en") for entry in read_menu()] == ISSUE_14_MENU


@pytest.mark.parametrize("lang", ["de", "fr"])
def test_the_menu_is_translated(lang: str) -> None:
    for entry in read_menu():
        assert entry.text_in(lang) != entry.text_in("en"), entry.complaint
        assert entry.fixed_in(lang) and entry.fixed_in(lang) != entry.fixed_in("en"), entry.complaint


def test_reading_the_headers_gives_what_the_validated_playbooks_say() -> None:
    assert read_menu() == menu_of(load_playbooks().playbooks)


def test_the_printer_menu_entry_is_the_playbooks_title() -> None:
    printer = next(e for e in read_menu() if e.complaint == "printer")
    assert printer.text_in("de") == "Der Drucker druckt nicht"
    assert printer.fixed_in("en") == "the printer prints again"


SAMPLE = """# a comment
apiVersion: homediag/v1
id: sample
causes:
  - id: title
    title: {en: not this one, de: nicht, fr: pas}
guide:
  # the menu
  position: 3
  fixed: {en: it works, de: es geht, fr: ça marche}
title:
  en: Sample
  de: Beispiel
  fr: Exemple
complaints: [sample]
tests: []
"""


def test_the_header_is_every_top_level_block_the_menu_needs_in_any_order(tmp_path: Path) -> None:
    header = header_of(SAMPLE)
    assert "causes" not in header and "not this one" not in header and "tests" not in header
    (tmp_path / "sample.yaml").write_text(SAMPLE, encoding="utf-8")
    (entry,) = read_menu(tmp_path)
    assert (entry.complaint, entry.position, entry.text_in("fr"), entry.fixed_in("de")) == (
        "sample",
        3,
        "Exemple",
        "es geht",
    )


@pytest.mark.parametrize(
    ("guide", "message"),
    [
        ("guide:\n  position: first\n  fixed: {en: a, de: b, fr: c}\n", "whole number"),
        ("guide:\n  position: 1\n  fixed: {en: a, de: b}\n", "en, de and fr"),
        ("guide: [1, 2]\n", "must be a mapping"),
        ("guide:\n  position: 1\n  position: 2\n", "duplicate"),
    ],
    ids=["position not a number", "a language missing", "not a mapping", "duplicate key"],
)
def test_a_bad_header_is_an_error_naming_the_file(tmp_path: Path, guide: str, message: str) -> None:
    (tmp_path / "bad.yaml").write_text("id: bad\ncomplaints: [bad]\ntitle: {en: a, de: b, fr: c}\n" + guide)
    with pytest.raises(PlaybookError, match=message) as caught:
        read_menu(tmp_path)
    assert "bad.yaml" in str(caught.value)


def test_a_playbook_without_a_guide_block_is_not_in_the_menu(tmp_path: Path) -> None:
    (tmp_path / "plain.yaml").write_text("id: plain\ncomplaints: [plain]\ntitle: {en: a, de: b, fr: c}\n")
    assert read_menu(tmp_path) == []
