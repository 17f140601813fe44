"""Round trip as a law: every document homediag writes is read back by every command that reads reports."""

from __future__ import annotations

import json
from pathlib import Path

from homediag.cli.output import prepare
from homediag.reports.document import dump_report, load_report, validation_errors
from homediag.reports.redact import for_output, redact
from homediag.reports.render import Format, render
from homediag.reports.scrub import scrub_secrets
from homediag.reports.tokens import TokenStore
from tests.reports.conftest import fixture


def test_a_report_whose_redaction_replaced_a_secret_reads_back(store: TokenStore, tmp_path: Path) -> None:
    # The redaction counts hold a key named "secret": the secret scrubber must not take it for one.
    shared = redact(fixture("canary"), store)
    assert shared.redaction.get("secret", 0) > 0
    path = tmp_path / "shared.json"
    path.write_text(render(shared, Format.JSON), encoding="utf-8")
    again = load_report(path)
    assert scrub_secrets(again).redaction == shared.redaction
    reprepared = prepare(again, redact=True)
    assert validation_errors(json.loads(dump_report(reprepared))) == []
    full, _warnings = for_output(again, redact_report=False)
    assert full.redaction == shared.redaction
