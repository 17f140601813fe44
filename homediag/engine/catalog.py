"""Finding, validating and holding the playbooks of a run.

Built-in playbooks ship in the wheel as ``homediag/_playbooks`` (hatch force-include of the
top-level ``playbooks/`` folder); in an editable install they are read from the repository's
``playbooks/`` next to the package. Users may point at other files or folders.

Validation runs in stages, each stopping the file at its first failing stage: strict YAML
(:mod:`~homediag.engine.loader`), the schema (:mod:`~homediag.engine.schema`), static checks
(:mod:`~homediag.engine.lint`), compilation (:mod:`~homediag.engine.model`), checks on the numbers.
Then the set: unique ids and complaints, ``includes`` that resolve.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from homediag.core.errors import PlaybookError
from homediag.core.facts import FactCatalogue
from homediag.engine.lint import Problem, check_model, check_static
from homediag.engine.loader import MAX_BYTES, Document, LoadError, PathKey, load_bytes
from homediag.engine.locations import builtin_location
from homediag.engine.model import CompileError, PlaybookModel, compile_playbook
from homediag.engine.schema import PlaybookSpec

SUFFIXES = (".yaml", ".yml")
MAX_ERRORS_PER_FILE = 25
CHECKUP = "checkup"


@dataclass(frozen=True)
class ValidationResult:
    """What validation found: the playbooks that compiled, and every problem."""

    playbooks: tuple[PlaybookModel, ...]
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> list[Problem]:
        """Problems of severity error."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems of severity warning."""
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """Whether there is no error."""
        return not self.errors


@dataclass(frozen=True)
class PlaybookSet:
    """The validated playbooks of a run, by id and by complaint."""

    playbooks: tuple[PlaybookModel, ...]
    warnings: tuple[Problem, ...] = ()

    def get(self, playbook_id: str) -> PlaybookModel:
        """The playbook with ``playbook_id``; ``KeyError`` when unknown."""
        for playbook in self.playbooks:
            if playbook.id == playbook_id:
                return playbook
        raise KeyError(playbook_id)

    def complaints(self) -> list[str]:
        """Every complaint some playbook answers, sorted."""
        return sorted({c for p in self.playbooks for c in p.spec.complaints})

    def for_complaint(self, complaint: str) -> PlaybookModel:
        """The playbook answering ``complaint``; ``KeyError`` when none does."""
        for playbook in self.playbooks:
            if complaint in playbook.spec.complaints:
                return playbook
        raise KeyError(complaint)


@dataclass(frozen=True)
class _Source:
    name: str
    node: Traversable


def _sources(paths: Sequence[Path | Traversable] | None) -> list[_Source]:
    roots: list[Traversable] = [builtin_location()] if paths is None else list(paths)
    found: list[_Source] = []
    for root in roots:
        if root.is_dir():
            for child in sorted(root.iterdir(), key=lambda c: c.name):
                if child.is_file() and child.name.endswith(SUFFIXES):
                    found.append(_Source(str(child), child))
        else:
            found.append(_Source(str(root), root))
    return found


def _doc_path(data: Any, loc: Iterable[Any]) -> PathKey:
    """Follow pydantic's error location through the document, skipping union branch names."""
    path: list[str | int] = []
    current = data
    for part in loc:
        in_dict = isinstance(current, dict) and isinstance(part, str) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if in_dict or in_list:
            path.append(part)
            current = current[part]
    return tuple(path)


def _schema_problems(exc: ValidationError, doc: Document) -> list[Problem]:
    problems: list[Problem] = []
    per_path: dict[PathKey, int] = {}
    for error in exc.errors():
        path = _doc_path(doc.data, error["loc"])
        if per_path.get(path, 0) >= 2:
            continue
        per_path[path] = per_path.get(path, 0) + 1
        where = ".".join(str(p) for p in path) or "(top)"
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "missing":
            where = ".".join(str(p) for p in (*path, error["loc"][-1]))
            message = "required"
        elif error["type"] == "extra_forbidden":
            where = ".".join(str(p) for p in (*path, error["loc"][-1])) if error["loc"] else where
            message = "unknown key"
        problems.append(Problem("error", doc.source, doc.line_of(path), f"{where}: {message}"))
        if len(problems) >= MAX_ERRORS_PER_FILE:
            break
    return problems


def validate_one(
    raw: bytes, source: str, catalogue: FactCatalogue | None = None
) -> tuple[PlaybookModel | None, list[Problem]]:
    """Validate one playbook file's bytes (facts against ``catalogue`` when given); return the compiled
    model (None on error) and problems."""
    try:
        doc = load_bytes(raw, source)
    except LoadError as exc:
        return None, [Problem("error", exc.source, exc.line, exc.reason)]
    if not isinstance(doc.data, dict):
        return None, [Problem("error", source, None, "a playbook must be a mapping")]
    try:
        spec = PlaybookSpec.model_validate(doc.data)
    except ValidationError as exc:
        return None, _schema_problems(exc, doc)
    problems = check_static(spec, doc, catalogue)
    if any(p.severity == "error" for p in problems):
        return None, problems
    try:
        model = compile_playbook(spec, source=source, sha256=hashlib.sha256(raw).hexdigest())
    except CompileError as exc:
        return None, [*problems, Problem("error", source, doc.line_of(exc.path), str(exc))]
    problems += check_model(model, doc)
    if any(p.severity == "error" for p in problems):
        return None, problems
    return model, problems


def validate(
    paths: Sequence[Path | Traversable] | None = None, *, catalogue: FactCatalogue | None = None
) -> ValidationResult:
    """Validate playbook files and folders (the built-in ones when ``paths`` is None); the facts they
    read are checked against ``catalogue`` when given."""
    models: list[PlaybookModel] = []
    problems: list[Problem] = []
    for source in _sources(paths):
        try:
            with source.node.open("rb") as handle:
                raw = handle.read(MAX_BYTES + 1)  # load_bytes refuses more, without reading it all
        except OSError as exc:
            problems.append(Problem("error", source.name, None, f"cannot read: {exc.strerror or exc}"))
            continue
        model, found = validate_one(raw, source.name, catalogue)
        problems += found
        if model is not None:
            models.append(model)
    ids: dict[str, str] = {}
    complaints: dict[str, str] = {}
    kept: list[PlaybookModel] = []
    for model in models:
        if model.id in ids:
            problems.append(
                Problem("error", model.source, None, f"playbook id {model.id!r} also in {ids[model.id]}")
            )
            continue
        ids[model.id] = model.source
        clash = [c for c in model.spec.complaints if c in complaints]
        if clash:
            problems.append(
                Problem(
                    "error",
                    model.source,
                    None,
                    f"complaint {clash[0]!r} also answered by {complaints[clash[0]]}",
                )
            )
            continue
        for complaint in model.spec.complaints:
            complaints[complaint] = model.source
        kept.append(model)
    for model in kept:
        for included in model.spec.includes:
            if included not in ids:
                problems.append(
                    Problem("error", model.source, None, f"includes unknown playbook {included!r}")
                )
    return ValidationResult(tuple(kept), tuple(problems))


def load_playbooks(
    paths: Sequence[Path | Traversable] | None = None, *, catalogue: FactCatalogue | None = None
) -> PlaybookSet:
    """Load and validate playbooks (the built-in ones when ``paths`` is None; facts against
    ``catalogue`` when given).

    Raise ``PlaybookError`` naming the file and line of the first error (and how many more).
    """
    result = validate(paths, catalogue=catalogue)
    errors = result.errors
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise PlaybookError(f"{errors[0]}{more}")
    return PlaybookSet(result.playbooks, tuple(result.warnings))
