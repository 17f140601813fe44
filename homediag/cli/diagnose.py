"""``homediag diagnose``: placeholder until the runner lands."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""

    @app.command()
    def diagnose() -> None:
        """Diagnose a complaint."""
