"""Shell completion of the values typer cannot know: complaints and probe ids.

Formats, languages, audiences and risk levels are enums, which typer completes by itself. These
callbacks run only when the shell asks for a completion (``_HOMEDIAG_COMPLETE`` set), never for
``homediag --help``: each imports what it needs when it is called. A value comes with its title in the
user's language, which zsh, fish and PowerShell show beside it.

A configuration or playbook that cannot be read gives no completion rather than an error message in
the middle of the user's command line; running the command then says what is wrong.
"""

from __future__ import annotations

import typer

from homediag.cli.common import load_config

Completion = tuple[str, str]


def complete_complaints(ctx: typer.Context, incomplete: str) -> list[Completion]:
    """The complaints some playbook answers that start with ``incomplete``, with their titles."""
    from homediag.app.playbooks import fact_catalogue, load_playbooks
    from homediag.core.errors import HomediagError
    from homediag.core.i18n import current_language

    try:
        playbooks = load_playbooks(catalogue=fact_catalogue(load_config(ctx, None)))
    except HomediagError:
        return []
    lang = current_language()
    found: dict[str, str] = {}
    for playbook in playbooks.playbooks:
        title = playbook.spec.title.get(lang) or playbook.spec.title.get("en", "")
        for name in playbook.spec.complaints:
            if name.startswith(incomplete.lower()):
                found.setdefault(name, title)
    return sorted(found.items())


def complete_probe_ids(ctx: typer.Context, incomplete: str) -> list[Completion]:
    """The registered probe ids that start with ``incomplete``, with their summaries."""
    from homediag.app.registry import load_registry
    from homediag.core.errors import HomediagError

    try:
        registry = load_registry(load_config(ctx, None))
    except HomediagError:
        return []
    return [(spec.id, spec.summary) for spec in registry.specs() if spec.id.startswith(incomplete)]
