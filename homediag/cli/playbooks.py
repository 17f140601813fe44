"""``homediag playbooks list | validate | test``: the playbooks, their checks and inline tests.

Without paths, the built-in playbooks are used; with paths (files or folders), those. ``validate``
exits 0 when every playbook is valid (warnings, e.g. for drafts, allowed) and 1 otherwise; ``test``
exits 0 when every inline test passes and 1 otherwise.

The engine is imported inside the commands (``noqa: PLC0415``) so ``homediag --help`` stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from homediag.cli.common import ListFormat, console, echo_json
from homediag.core.errors import UsageError
from homediag.core.exitcodes import ExitCode
from homediag.core.i18n import _

if TYPE_CHECKING:
    from homediag.engine.catalog import ValidationResult
    from homediag.engine.lint import Problem

app = typer.Typer(
    help=_("List, validate and test the playbooks."),
    no_args_is_help=True,
)

PathsArgument = Annotated[
    list[Path] | None,
    typer.Argument(
        help=_("Playbook files or folders (default: the built-in playbooks)."),
        show_default=False,
    ),
]
FormatOption = Annotated[ListFormat, typer.Option("--format", help=_("Output format."))]
LangOption = Annotated[str, typer.Option("--lang", help=_("Language of titles: en, de or fr."))]


def _validate(paths: list[Path] | None) -> ValidationResult:
    from homediag.app.playbooks import validate

    for path in paths or []:
        if not path.exists():
            raise UsageError(_("no such file or folder: {path}").format(path=path))
    return validate(paths or None)


def _problem_json(problem: Problem) -> dict[str, object]:
    return {
        "severity": problem.severity,
        "file": problem.source,
        "line": problem.line,
        "message": problem.message,
    }


def _print_problems(problems: list[Problem]) -> None:
    err = console(stderr=True)
    for problem in problems:
        style = "red" if problem.severity == "error" else "yellow"
        err.print(str(problem), style=style, markup=False, highlight=False, emoji=False, soft_wrap=True)


@app.command("list", help=_("List the playbooks: id, version, complaints, causes, tests, draft or complete."))
def list_(
    paths: PathsArgument = None,
    output_format: FormatOption = ListFormat.TEXT,
    lang: LangOption = "en",
) -> None:
    """List the playbooks: id, version, complaints, causes, tests, draft or complete."""
    result = _validate(paths)
    rows = []
    for model in sorted(result.playbooks, key=lambda m: m.id):
        spec = model.spec
        rows.append(
            {
                "id": spec.id,
                "version": spec.version,
                "draft": spec.draft,
                "title": spec.title.get(lang) or spec.title["en"],
                "complaints": list(spec.complaints),
                "causes": [{"id": c.id, "code": c.code} for c in spec.causes],
                "interactions": [{"id": i.id, "code": i.code} for i in spec.interactions],
                "tests": [{"id": t.id, "kind": t.kind, "fact": t.fact} for t in spec.tests],
                "remedies": [r.id for r in spec.remedies],
                "cases": len(spec.cases),
                "includes": list(spec.includes),
                "source": model.source,
                "sha256": model.ref.sha256,
            }
        )
    if output_format is ListFormat.JSON:
        echo_json(
            json.dumps(
                {"playbooks": rows, "problems": [_problem_json(p) for p in result.errors]},
                indent=2,
                ensure_ascii=False,
                sort_keys=True,
            )
        )
    else:
        from rich.table import Table
        from rich.text import Text

        table = Table(box=None, pad_edge=False, show_edge=False)
        for column in (_("id"), _("version"), _("state"), _("causes"), _("tests"), _("title")):
            table.add_column(column)
        for row in rows:
            causes = row["causes"]
            tests = row["tests"]
            assert isinstance(causes, list) and isinstance(tests, list)
            cells = (
                str(row["id"]),
                str(row["version"]),
                _("draft") if row["draft"] else _("complete"),
                str(len(causes)),
                str(len(tests)),
                str(row["title"]),
            )
            table.add_row(*(Text(cell) for cell in cells))
        console().print(table)
        _print_problems(result.errors)
    if result.errors:
        raise typer.Exit(int(ExitCode.PROBLEM))


@app.command(
    "validate", help=_("Validate playbooks: schema, references, sums, translations, diagnosability.")
)
def validate_(
    paths: PathsArgument = None,
    output_format: FormatOption = ListFormat.TEXT,
) -> None:
    """Validate playbooks: schema, references, sums, translations, diagnosability."""
    result = _validate(paths)
    if output_format is ListFormat.JSON:
        echo_json(
            json.dumps(
                {
                    "valid": result.ok,
                    "playbooks": sorted(m.id for m in result.playbooks),
                    "problems": [_problem_json(p) for p in result.problems],
                },
                indent=2,
                ensure_ascii=False,
                sort_keys=True,
            )
        )
    else:
        _print_problems(list(result.problems))
        summary = _("{n} playbooks valid, {e} errors, {w} warnings").format(
            n=len(result.playbooks), e=len(result.errors), w=len(result.warnings)
        )
        console().print(summary, markup=False, highlight=False, emoji=False)
    if not result.ok:
        raise typer.Exit(int(ExitCode.PROBLEM))


@app.command(
    "test", help=_("Run the playbooks' inline tests (given observations and answers, expect a diagnosis).")
)
def test_(
    paths: PathsArgument = None,
    playbook: Annotated[
        list[str] | None,
        typer.Option("--playbook", "-p", help=_("Only the inline tests of this playbook id.")),
    ] = None,
    output_format: FormatOption = ListFormat.TEXT,
) -> None:
    """Run the playbooks' inline tests (given observations and answers, expect a diagnosis)."""
    from homediag.engine.cases import run_cases
    from homediag.engine.catalog import PlaybookSet

    result = _validate(paths)
    if not result.ok:
        _print_problems(result.errors)
        raise typer.Exit(int(ExitCode.PROBLEM))
    playbooks = PlaybookSet(result.playbooks, tuple(result.warnings))
    only = tuple(playbook or ())
    unknown = [p for p in only if p not in {m.id for m in result.playbooks}]
    if unknown:
        raise UsageError(_("unknown playbook {id}").format(id=unknown[0]))
    import asyncio

    results = asyncio.run(run_cases(playbooks, only))
    failed = [r for r in results if not r.passed]
    if output_format is ListFormat.JSON:
        echo_json(
            json.dumps(
                {
                    "passed": len(results) - len(failed),
                    "failed": len(failed),
                    "cases": [
                        {
                            "playbook": r.playbook,
                            "name": r.name,
                            "passed": r.passed,
                            "failures": list(r.failures),
                        }
                        for r in results
                    ],
                },
                indent=2,
                ensure_ascii=False,
                sort_keys=True,
            )
        )
    else:
        out = console()
        for case in results:
            mark = _("PASS") if case.passed else _("FAIL")
            out.print(
                f"{mark} {case.playbook}: {case.name}",
                markup=False,
                highlight=False,
                soft_wrap=True,
                style=None if case.passed else "red",
            )
            for failure in case.failures:
                out.print(f"    {failure}", markup=False, highlight=False, emoji=False, soft_wrap=True)
        out.print(
            _("{passed} passed, {failed} failed").format(
                passed=len(results) - len(failed), failed=len(failed)
            ),
            markup=False,
            highlight=False,
        )
    if failed:
        raise typer.Exit(int(ExitCode.PROBLEM))
