"""``homediag probes``."""

from __future__ import annotations

import typer

app = typer.Typer(help="Render, show and compare probess.", no_args_is_help=True)


@app.command()
def list_() -> None:
    """Show a probes."""
