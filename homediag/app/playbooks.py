"""The playbooks of a run, checked against the facts the registered probes provide.

The engine validates a playbook's own structure; whether the facts it reads exist depends on the probes
installed (built-ins and plugins), which only this layer knows. Every command loads playbooks here.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.resources.abc import Traversable
from pathlib import Path

from homediag.app.registry import load_registry
from homediag.core.config import Config
from homediag.core.facts import FactCatalogue
from homediag.engine.catalog import PlaybookSet, ValidationResult
from homediag.engine.catalog import load_playbooks as load_checked
from homediag.engine.catalog import validate as validate_checked


def fact_catalogue(config: Config | None = None) -> FactCatalogue:
    """The facts of every probe this installation has (built-ins and allowed plugins)."""
    return load_registry(config).catalogue()


def validate(
    paths: Sequence[Path | Traversable] | None = None, *, catalogue: FactCatalogue | None = None
) -> ValidationResult:
    """Validate playbooks (the built-in ones when ``paths`` is None) against the probes' facts."""
    return validate_checked(paths, catalogue=catalogue or fact_catalogue())


def load_playbooks(
    paths: Sequence[Path | Traversable] | None = None, *, catalogue: FactCatalogue | None = None
) -> PlaybookSet:
    """Load and validate playbooks against the probes' facts; ``PlaybookError`` on the first error."""
    return load_checked(paths, catalogue=catalogue or fact_catalogue())
