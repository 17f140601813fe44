"""``homediag report``."""

from __future__ import annotations

import typer

app = typer.Typer(help="Render, show and compare reports.", no_args_is_help=True)


@app.command()
def show() -> None:
    """Show a report."""
