"""The maintainers' notes in docs/ stay true: generated tables match their sources, and every
reference to a note from code, playbooks and READMEs points at a file and heading that exist.

Generated blocks sit between ``<!-- NAME: ... -->`` and ``<!-- /NAME -->``. After changing a source
(codes.yaml, the thresholds, the exit codes, the layers, the lab's faults), rewrite them with
``HOMEDIAG_WRITE_DOCS=1 .venv/bin/pytest tests/unit/test_docs.py`` and review the diff.
"""

from __future__ import annotations

import os
import re
import signal
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from homediag.core import codes
from homediag.core.config import Thresholds
from homediag.core.exitcodes import SIGNAL_EXIT, ExitCode

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
WRITE = os.environ.get("HOMEDIAG_WRITE_DOCS") == "1"


def _codes_table() -> str:
    rows = ["| code | kind | meaning |", "|---|---|---|"]
    for code, entry in codes.catalogue().items():
        rows.append(f"| `{code}` | {entry.kind.value} | {entry.meaning['en']} |")
    return "\n".join(rows)


def _thresholds_table() -> str:
    rows = ["| setting | default |", "|---|---|"]
    for name, field in Thresholds.model_fields.items():
        rows.append(f"| `{name}` | {field.default} |")
    return "\n".join(rows)


def _exit_codes_table() -> str:
    rows = ["| code | meaning |", "|---|---|"]
    by_signal = {code: sig for sig, code in SIGNAL_EXIT.items()}
    for code in sorted(ExitCode, key=int):
        if code in by_signal:
            name = signal.Signals(by_signal[code]).name
            rows.append(f"| {int(code)} | interrupted by {name} (the partial report is still written) |")
        else:
            rows.append(f"| {int(code)} | {(code.__doc__ or '').strip()} |")
    return "\n".join(rows)


def _faults_table() -> str:
    from homediag.lab.faults import FAULTS

    rows = ["| fault | complaint | codes | what it simulates |", "|---|---|---|---|"]
    for name, fault in sorted(FAULTS.items()):
        codes_text = ", ".join(f"`{code}`" for code in fault.codes)
        rows.append(f"| `{name}` | {fault.complaint} | {codes_text} | {fault.summary} |")
    return "\n".join(rows)


def _layers_block() -> str:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (layers,) = [c["layers"] for c in contracts if c["type"] == "layers"]
    return "```\n" + "\n".join(layers) + "\n```"


GENERATED: dict[tuple[str, str], Callable[[], str]] = {
    ("problem-codes.md", "codes"): _codes_table,
    ("probes-and-playbooks.md", "thresholds"): _thresholds_table,
    ("report-format.md", "exit codes"): _exit_codes_table,
    ("architecture.md", "layers"): _layers_block,
    ("lab.md", "faults"): _faults_table,
}


@pytest.mark.parametrize(("note", "block"), sorted(GENERATED), ids=lambda v: str(v))
def test_generated_block_matches_its_source(note: str, block: str) -> None:
    path = DOCS / note
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(rf"(<!-- {block}:[^>]*-->\n)(.*?)(\n<!-- /{block} -->)", re.S)
    match = pattern.search(text)
    assert match, f"{note}: no generated block {block!r}"
    expected = GENERATED[note, block]()
    if WRITE and match.group(2) != expected:
        path.write_text(text[: match.start(2)] + expected + text[match.end(2) :], encoding="utf-8")
        return
    assert match.group(2) == expected, (
        f"docs/{note} is out of date with its source; run HOMEDIAG_WRITE_DOCS=1 pytest {__file__}"
    )


def _anchor(heading: str) -> str:
    """GitHub's anchor of a Markdown heading."""
    slug = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return slug.replace(" ", "-")


def _anchors(note: Path) -> set[str]:
    return {
        _anchor(line.lstrip("#"))
        for line in note.read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    }


def _sources() -> list[Path]:
    files = [ROOT / "README.md", *DOCS.glob("*.md")]
    for folder, pattern in (
        ("homediag", "*.py"),
        ("homediag", "*.yaml"),
        ("homediag", "*.md"),
        ("playbooks", "*"),
        ("tests", "*.py"),
        ("benchmarks", "*"),
    ):
        files += [p for p in (ROOT / folder).rglob(pattern) if p.is_file() and "__pycache__" not in p.parts]
    return [p for p in files if p.suffix in {".py", ".md", ".yaml", ".toml", ".txt"}]


# "docs/architecture.md#layers", "(architecture.md#layers)" inside docs, "docs/lab.md".
_REFERENCE = re.compile(r"(?:docs/|\()([a-z-]+\.md)(?:#([a-z0-9-]+))?")


def test_every_reference_to_a_note_points_at_a_file_and_heading_that_exist() -> None:
    broken: list[str] = []
    for source in _sources():
        text = source.read_text(encoding="utf-8", errors="replace")
        for match in _REFERENCE.finditer(text):
            note, anchor = match.group(1), match.group(2)
            if source.parent != DOCS and not match.group(0).startswith("docs/"):
                continue  # a "(name.md" outside docs/ is not a reference to a note
            path = DOCS / note
            if not path.is_file():
                if match.group(0).startswith("docs/"):
                    broken.append(f"{source.relative_to(ROOT)}: {match.group(0)} (no such note)")
                continue
            if anchor and anchor not in _anchors(path):
                broken.append(f"{source.relative_to(ROOT)}: {match.group(0)} (no such heading)")
    assert broken == []


def test_nothing_points_at_notes_outside_the_repository() -> None:
    # The design contract and the background research the project started from live outside the
    # repository; what a maintainer needs from them is in docs/, so code points there.
    outside = re.compile(r"DESIGN\.md|reference/[a-z-]+\.md|reliability\.md|existing-tools\.md")
    found = [
        f"{source.relative_to(ROOT)}:{n}: {line.strip()}"
        for source in _sources()
        if source != Path(__file__).resolve()
        for n, line in enumerate(source.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if outside.search(line)
    ]
    assert found == []


def test_the_docs_index_lists_every_note() -> None:
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    notes = {p.name for p in DOCS.glob("*.md")} - {"README.md"}
    assert notes and all(f"]({name})" in index for name in notes)
