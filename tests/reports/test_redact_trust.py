"""Redaction never trusts its input: what a document says about itself is no reason to skip it."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from homediag.cli.output import prepare, with_meta
from homediag.reports.document import dump_report, load_report, to_document
from homediag.reports.redact import redact
from homediag.reports.render import Format, render
from homediag.reports.tokens import TokenStore
from tests.reports.conftest import FIXED_KEY, FIXTURES, fixture
from tests.reports.test_redact import leaks


@pytest.mark.parametrize("fmt", list(Format))
def test_a_full_report_that_claims_to_be_redacted_is_redacted(tmp_path: Path, fmt: Format) -> None:
    document = json.loads((FIXTURES / "canary.json").read_text())
    document["privacy_level"] = "redacted"
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(document))
    shared = prepare(load_report(forged), redact=True)
    assert leaks(render(shared, fmt, lang="en")) == []


def test_notes_added_to_a_redacted_report_are_swept(store: TokenStore) -> None:
    shared = redact(fixture("canary"), store)
    annotated = with_meta(
        shared,
        note="router 3c:2a:f4:00:53:01 at 203.0.113.77, mail anna.mueller@example.org",
        customer="anna.mueller@example.org",
        site="next to 203.0.113.77",
        ticket="T-1042 (3C-2A-F4-00-53-99)",
    )
    again = prepare(annotated, redact=True)
    assert leaks(dump_report(again)) == []
    assert again.meta.ticket is not None and again.meta.ticket.startswith("T-1042 (3c:2a:f4:…mac-")
    assert again.meta.note is not None and "public-ipv4" in again.meta.note


def test_redacting_a_redacted_report_changes_nothing_whatever_the_store(tmp_path: Path) -> None:
    once = redact(fixture("canary"), TokenStore(FIXED_KEY))
    other = TokenStore(bytes(reversed(range(32))))  # another installation: support's
    assert redact(once, other) == once
    assert redact(once, TokenStore(FIXED_KEY)) == once


def test_re_redaction_keeps_the_counts_of_the_first(store: TokenStore) -> None:
    once = redact(fixture("canary"), store)
    note = dataclasses.replace(once.meta, note="ask anna.mueller@example.org")
    annotated = dataclasses.replace(once, meta=note)
    twice = redact(annotated, store)
    assert twice.redaction["email"] == once.redaction["email"] + 1
    assert {k: v for k, v in twice.redaction.items() if k != "email"} == {
        k: v for k, v in once.redaction.items() if k != "email"
    }
    assert to_document(twice)["privacy_level"] == "redacted"
