"""``homediag probes list | explain ID | facts``: the probes and the facts they provide, from their specs."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from homediag.cli.common import ListFormat, console, echo_json, load_config
from homediag.cli.complete import complete_probe_ids
from homediag.core.errors import UsageError
from homediag.core.i18n import _

app = typer.Typer(help=_("List and explain the probes."), no_args_is_help=True)


def fact_summary(fact: Any) -> dict[str, Any]:
    """The JSON form of a fact declaration (``Fact`` or a catalogue ``FactSpec``)."""
    return {
        "name": fact.name,
        "type": fact.describe_type(),
        "unit": fact.unit,
        "privacy": fact.privacy.value,
        "summary": fact.summary,
        "not_judged": fact.not_judged,
    }


def spec_summary(spec: Any, origin: str) -> dict[str, Any]:
    """The JSON form of a spec for ``probes list --format json`` and ``probes explain``."""
    return {
        "id": spec.id,
        "summary": spec.summary,
        "risk": spec.risk.value,
        "platforms": [p.value for p in spec.platforms],
        "privilege": spec.privilege.value,
        "fallback": spec.fallback,
        "binaries": list(spec.binaries),
        "needs": list(spec.needs),
        "follows": list(spec.follows),
        "provides": list(spec.fact_names),
        "facts": [fact_summary(fact) for fact in spec.provides],
        "matchers": [m.describe() for m in spec.matchers],
        "args": [
            {"name": a.name, "type": a.type, "default": a.default, "help": a.help} for a in spec.arg_infos()
        ],
        "timeout_s": spec.timeout_s,
        "description": spec.description,
        "origin": origin,
    }


@app.command("list", help=_("List every registered probe with its risk and what it observes."))
def list_(
    ctx: typer.Context,
    format_: Annotated[ListFormat, typer.Option("--format", help=_("Output format."))] = ListFormat.TEXT,
) -> None:
    """List every registered probe with its risk and what it observes."""
    from rich.table import Table

    from homediag.app.registry import load_registry
    from homediag.core.jsonio import dumps

    registry = load_registry(load_config(ctx, None))
    if format_ is ListFormat.JSON:
        echo_json(
            dumps(
                {
                    "probes": [spec_summary(s, registry.origins[s.id]) for s in registry.specs()],
                    "plugin_errors": registry.errors,
                    "plugins_skipped": registry.skipped,
                }
            )
        )
        return
    table = Table(title=_("Probes"), title_justify="left")
    table.add_column(_("Probe"))
    table.add_column(_("Risk"))
    table.add_column(_("Summary"))
    styles = {"passive": "green", "safe": "cyan", "active": "yellow", "intrusive": "red"}
    for spec in registry.specs():
        table.add_row(spec.id, f"[{styles[spec.risk.value]}]{spec.risk.value}[/]", spec.summary)
    out = console()
    out.print(table)
    for problem in registry.errors:
        warning = _("warning")
        console(stderr=True).print(f"[yellow]{warning}:[/yellow] {problem}", markup=True)


@app.command(help=_("Explain one probe: what it observes, how, its risk, privileges and arguments."))
def explain(
    ctx: typer.Context,
    probe_id: Annotated[
        str,
        typer.Argument(metavar="ID", help=_("Probe id, e.g. net.dns"), autocompletion=complete_probe_ids),
    ],
    format_: Annotated[ListFormat, typer.Option("--format", help=_("Output format."))] = ListFormat.TEXT,
) -> None:
    """Explain one probe: what it observes, how, its risk, privileges and arguments."""
    from rich.markup import escape

    from homediag.app.registry import load_registry
    from homediag.core.jsonio import dumps

    registry = load_registry(load_config(ctx, None))
    if probe_id not in registry.probes:
        raise UsageError(_("unknown probe {id!r}; see 'homediag probes list'").format(id=probe_id[:60]))
    spec = registry.get(probe_id).spec
    data = spec_summary(spec, registry.origins[probe_id])
    if format_ is ListFormat.JSON:
        echo_json(dumps(data))
        return
    out = console()
    out.print(f"[bold]{escape(spec.id)}[/bold] — {escape(spec.summary)}")
    if spec.description:
        out.print(escape(spec.description))
    # Labels are translated outside the f-strings: babel cannot extract _() from inside one.
    risk, timeout, platforms = _("Risk"), _("Timeout"), _("Platforms")
    privilege, without_it = _("Privilege"), _("without it")
    out.print(
        f"{risk}: {spec.risk.value}    {timeout}: {spec.timeout_s:g} s    "
        f"{platforms}: {', '.join(p.value for p in spec.platforms)}"
    )
    out.print(
        f"{privilege}: {spec.privilege.value}"
        + (f" ({without_it}: {escape(spec.fallback)})" if spec.fallback else "")
    )
    if spec.binaries:
        out.print(_("Commands") + f": {', '.join(spec.binaries)}")
    if spec.needs or spec.follows:
        out.print(_("Needs") + f": {', '.join((*spec.needs, *spec.follows))}")
    out.print(_("Provides") + ":")
    for fact in spec.provides:
        unit = escape(f" [{fact.unit}]") if fact.unit else ""
        private = f" ({fact.privacy.value})" if fact.sensitive else ""
        kind = escape(fact.describe_type())
        out.print(f"  {fact.name}{unit}{private}: {kind} — {escape(fact.summary)}")
    if spec.matchers:
        out.print(_("Runs for devices matching") + ": " + "; ".join(m.describe() for m in spec.matchers))
    if spec.arg_infos():
        out.print(_("Arguments (config: probes.{id}.NAME)").format(id=spec.id) + ":")
        default = _("default")
        for arg in spec.arg_infos():
            out.print(f"  {arg.name} ({arg.type}, {default} {arg.default!r}) — {escape(arg.help)}")
    out.print(_("Origin") + f": {escape(registry.origins[probe_id])}")


@app.command(help=_("List every fact the installed probes provide: type, unit, privacy class and meaning."))
def facts(
    ctx: typer.Context,
    format_: Annotated[ListFormat, typer.Option("--format", help=_("Output format."))] = ListFormat.TEXT,
) -> None:
    """List every fact the installed probes provide, from their declarations (the fact documentation)."""
    from rich.markup import escape
    from rich.table import Table

    from homediag.app.registry import load_registry
    from homediag.core.jsonio import dumps

    registry = load_registry(load_config(ctx, None))
    catalogue = sorted(registry.catalogue(), key=lambda fact: (fact.provider, fact.name))
    if format_ is ListFormat.JSON:
        echo_json(dumps({"facts": [{**fact_summary(f), "provider": f.provider} for f in catalogue]}))
        return
    table = Table(title=_("Facts"), title_justify="left")
    table.add_column(_("Fact"))
    table.add_column(_("Type"))
    table.add_column(_("Privacy"))
    table.add_column(_("Probe"))
    table.add_column(_("Summary"))
    for fact in catalogue:
        unit = f" [{fact.unit}]" if fact.unit else ""
        kind = escape(fact.describe_type() + unit)
        table.add_row(fact.name, kind, fact.privacy.value, fact.provider, escape(fact.summary))
    console().print(table)
