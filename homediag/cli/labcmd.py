"""``homediag lab``: the simulated home network (Linux, root). Thin: parses, calls homediag.lab,
prints, and maps ``LabError`` to a one-line message and exit code 3."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from homediag.cli.common import ListFormat, console, echo_json, fail
from homediag.core.errors import LabError
from homediag.core.exitcodes import ExitCode
from homediag.core.i18n import _

if TYPE_CHECKING:
    from rich.console import Console

    from homediag.lab.bench import TrialResult
    from homediag.lab.lab import Lab
    from homediag.lab.selftest import FaultResult

app = typer.Typer(
    help=_("A simulated home network in network namespaces, with faults to diagnose (Linux, root)."),
    no_args_is_help=True,
)
fault_app = typer.Typer(help=_("Switch faults on and off on the running lab."), no_args_is_help=True)
app.add_typer(fault_app, name="fault")


@contextmanager
def _lab_errors() -> Iterator[None]:
    try:
        yield
    except LabError as exc:
        fail(str(exc), ExitCode.INTERNAL)


def _lab() -> Lab:
    from homediag.lab.lab import Lab

    with _lab_errors():
        return Lab()


def _check_scenario(name: str) -> None:
    from homediag.lab.scenario import list_scenarios

    if name not in list_scenarios():
        fail(
            _("unknown scenario {name!r}").format(name=name),
            ExitCode.USAGE,
            hint=_("'homediag lab list' shows the scenarios."),
        )


def _check_fault(name: str) -> None:
    from homediag.lab.faults import FAULTS

    if name not in FAULTS:
        fail(
            _("unknown fault {name!r}").format(name=name),
            ExitCode.USAGE,
            hint=_("'homediag lab list' shows the faults."),
        )


@app.command("list", help=_("List the scenarios and the faults."))
def list_(
    fmt: Annotated[ListFormat, typer.Option("--format", help=_("Output format."))] = ListFormat.TEXT,
) -> None:
    """List the scenarios and the faults."""
    from homediag.core.jsonio import dumps
    from homediag.lab.faults import FAULTS, PAIRS
    from homediag.lab.scenario import list_scenarios, load_scenario

    with _lab_errors():
        scenarios = [load_scenario(name) for name in list_scenarios()]
    if fmt is ListFormat.JSON:
        echo_json(
            dumps(
                {
                    "scenarios": [
                        {
                            "name": s.name,
                            "description": s.description,
                            "faults": list(s.faults),
                            "complaint": s.complaint,
                            "expect": {"codes": list(s.expect.codes), "top": s.expect.top},
                        }
                        for s in scenarios
                    ],
                    "faults": [
                        {
                            "name": f.name,
                            "summary": _(f.summary),
                            "codes": list(f.codes),
                            "complaint": f.complaint,
                        }
                        for f in sorted(FAULTS.values(), key=lambda f: f.name)
                    ],
                    "pairs": [list(pair) for pair in PAIRS],
                }
            )
        )
        return
    from rich.table import Table

    out = console()
    table = Table(title=_("Scenarios"), title_justify="left")
    table.add_column(_("scenario"))
    table.add_column(_("complaint"))
    table.add_column(_("expected codes"))
    for s in scenarios:
        table.add_row(s.name, s.complaint or "", ", ".join(s.expect.codes) or "-")
    out.print(table)
    faults = Table(title=_("Faults"), title_justify="left")
    faults.add_column(_("fault"))
    faults.add_column(_("what it simulates"))
    for fault in sorted(FAULTS.values(), key=lambda f: f.name):
        faults.add_row(fault.name, _(fault.summary))
    out.print(faults)


@app.command(
    help=_(
        "Build the lab for SCENARIO, or the home drawn from --home SEED (a lab already up with this id is "
        "torn down first)."
    )
)
def up(
    scenario: Annotated[
        str | None, typer.Argument(help=_("Scenario name ('homediag lab list'); default: healthy."))
    ] = None,
    hosts: Annotated[
        int | None, typer.Option("--hosts", help=_("Number of plain hosts (0-225)."), min=0)
    ] = None,
    home: Annotated[
        str | None,
        typer.Option("--home", help=_("Build the home drawn from this seed ('random': a new seed).")),
    ] = None,
) -> None:
    """Build the lab for SCENARIO, or the home drawn from --home SEED."""
    import secrets
    import time

    from homediag.lab.draw import SEED

    if home is not None and scenario is not None:
        fail(_("give a scenario or --home, not both"), ExitCode.USAGE)
    if home is not None:
        home = secrets.token_hex(4) if home == "random" else home
        if not SEED.match(home):
            fail(
                _("invalid seed {seed!r}: use 1 to 48 letters, digits, '.', '-' or '_'").format(seed=home),
                ExitCode.USAGE,
            )
    else:
        scenario = scenario or "healthy"
        _check_scenario(scenario)
    lab = _lab()
    out = console(stderr=True)
    start = time.monotonic()
    with _lab_errors():
        if lab.is_up():
            out.print(_("Taking down lab {id} first.").format(id=lab.lab_id))
            lab.down()
        if home is not None:
            lab.up(home=home, plain_hosts=hosts)
        else:
            lab.up(scenario or "healthy", plain_hosts=hosts)
        st = lab.status()
    if st.home is not None:
        _print_home(console(), st.home, st.notes)
    name = scenario if home is None else f"home-{home}"
    out.print(
        _("Lab {id} is up with scenario {name} in {s:.1f} s. Try: homediag lab shell").format(
            id=lab.lab_id, name=name, s=time.monotonic() - start
        )
    )


def _print_home(out: Console, home: dict[str, object], notes: tuple[str, ...] = ()) -> None:
    """The drawn home: its dimensions, then its devices (field names as in the JSON)."""
    from rich.table import Table

    fields = {k: v for k, v in home.items() if k != "devices"}
    out.print(_("Home {seed}").format(seed=fields.pop("seed", "?")), markup=False)
    for key, value in fields.items():
        text = ", ".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else str(value)
        out.print(f"  {key}: {text}", markup=False)
    for note in notes:
        out.print(f"  ! {note}", markup=False)
    devices = home.get("devices")
    if isinstance(devices, dict):
        table = Table(box=None, pad_edge=False)
        for column in ("id", "kind", "ip", "mac", "vendor", "name"):
            table.add_column(column)
        for key, dev in devices.items():
            if isinstance(dev, dict):
                table.add_row(
                    key,
                    str(dev["kind"]),
                    str(dev["ip"]),
                    str(dev["mac"]),
                    str(dev["vendor"]),
                    str(dev["name"]),
                )
        out.print(table)


@fault_app.command("add", help=_("Switch a fault on."))
def fault_add(name: Annotated[str, typer.Argument(help=_("Fault name."))]) -> None:
    """Switch a fault on."""
    _check_fault(name)
    lab = _lab()
    with _lab_errors():
        lab.fault_add(name)
        console(stderr=True).print(_("Faults on: {faults}").format(faults=", ".join(lab.faults()) or "-"))


@fault_app.command("remove", help=_("Switch a fault off."))
def fault_remove(name: Annotated[str, typer.Argument(help=_("Fault name."))]) -> None:
    """Switch a fault off."""
    _check_fault(name)
    lab = _lab()
    with _lab_errors():
        lab.fault_remove(name)
        console(stderr=True).print(_("Faults on: {faults}").format(faults=", ".join(lab.faults()) or "-"))


@app.command(help=_("Show the lab's scenario, faults, client address and processes."))
def status(
    fmt: Annotated[ListFormat, typer.Option("--format", help=_("Output format."))] = ListFormat.TEXT,
) -> None:
    """Show the lab's scenario, faults, client address and processes."""
    from homediag.core.jsonio import dumps

    lab = _lab()
    with _lab_errors():
        st = lab.status()
    if fmt is ListFormat.JSON:
        echo_json(dumps(st))
        return
    out = console()
    if not st.up:
        out.print(_("Lab {id} is down.").format(id=st.lab_id))
        if st.namespaces:
            out.print(
                _("Leftover namespaces: {ns}; run 'homediag lab down'.").format(ns=", ".join(st.namespaces))
            )
        return
    out.print(_("Lab {id}: scenario {name}").format(id=st.lab_id, name=st.scenario))
    if st.home is not None:
        _print_home(out, st.home, st.notes)
    out.print(_("Faults on: {faults}").format(faults=", ".join(st.faults) or "-"))
    out.print(_("Client address: {ip}").format(ip=st.client_ip or _("none")))
    out.print(_("Config: {path}").format(path=st.config))
    dead = [p.name for p in st.processes if not p.alive]
    out.print(
        _("Processes: {n} running, {d} stopped").format(n=sum(p.alive for p in st.processes), d=len(dead))
        + (f" ({', '.join(dead)})" if dead else "")
    )


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    help=_("Open a shell in the client namespace, or run CMD there: homediag lab shell -- CMD."),
)
def shell(ctx: typer.Context) -> None:
    """Open a shell in the client namespace, or run CMD there: homediag lab shell -- CMD."""
    lab = _lab()
    with _lab_errors():
        if not lab.status().up:
            raise LabError(_("lab {id} is not up").format(id=lab.lab_id))
        argv = list(ctx.args) or [os.environ.get("SHELL") or "/bin/sh"]
        full = lab.client_argv(argv)
        env = lab.client_env()
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execvpe(full[0], full, env)  # noqa: S606 - replacing ourselves is the point
    except OSError as exc:
        fail(_("cannot run {cmd}: {error}").format(cmd=argv[0], error=exc), ExitCode.INTERNAL)


@app.command(help=_("Prove with standard tools from the client that each fault is present (exit 1 if not)."))
def selftest(
    fault: Annotated[
        list[str] | None,
        typer.Option("--fault", help=_("Test only this fault (repeatable).")),
    ] = None,
    home: Annotated[
        str | None,
        typer.Option(
            "--home", help=_("Build the home drawn from this seed for the test (replaces a running lab).")
        ),
    ] = None,
) -> None:
    """Prove with standard tools from the client that each fault is present (exit 1 if not).

    Uses the running lab, or builds a healthy one (or the home of ``--home``) for the test and takes it
    down afterwards.
    """
    from homediag.lab.draw import SEED
    from homediag.lab.selftest import run_selftest

    for name in fault or []:
        _check_fault(name)
    if home is not None and not SEED.match(home):
        fail(
            _("invalid seed {seed!r}: use 1 to 48 letters, digits, '.', '-' or '_'").format(seed=home),
            ExitCode.USAGE,
        )
    lab = _lab()
    out = console()

    def show(result: FaultResult) -> None:
        mark = "[green]PASS[/green]" if result.passed else "[red]FAIL[/red]"
        out.print(f"{mark} {result.fault} ({result.seconds:.1f} s)")
        for check in result.checks:
            if not check.passed:
                out.print(f"     {check.what}: {check.detail}", markup=False)

    with _lab_errors():
        built = False
        if home is not None:
            lab.down()
            lab.up(home=home)
            _print_home(out, lab.status().home or {})
            built = True
        elif not lab.status().up:
            out.print(_("Building a healthy lab {id} for the self-test.").format(id=lab.lab_id))
            lab.up("healthy")
            built = True
        try:
            result = run_selftest(lab, fault or None, progress=show)
        finally:
            if built:
                lab.down()
    verdict = _("passed") if result.passed else _("FAILED")
    out.print(_("Self-test {verdict} in {s:.0f} s.").format(verdict=verdict, s=result.seconds))
    raise typer.Exit(0 if result.passed else int(ExitCode.PROBLEM))


@app.command(
    help=_(
        "Draw N homes with faults from a seed, diagnose each inside the lab, and score it "
        "(figures per fault, pair and home feature; a JSON file with --output)."
    )
)
def bench(
    trials: Annotated[int, typer.Option("--trials", help=_("Number of trials."), min=1, max=1000)] = 6,
    seed: Annotated[str, typer.Option("--seed", help=_("The seed every trial is drawn from."))] = "1",
    complaint: Annotated[
        str,
        typer.Option(
            "--complaint",
            help=_("auto: the customer's complaint and a checkup; checkup: only the checkup."),
        ),
    ] = "auto",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help=_("Write the bench's JSON to this file."))
    ] = None,
) -> None:
    """Draw N homes with faults from a seed, diagnose each inside the lab, and score it."""
    from homediag.core.jsonio import dumps
    from homediag.lab.bench import COMPLAINT_MODES, bench_lab_id, run_bench
    from homediag.lab.draw import SEED

    if complaint not in COMPLAINT_MODES:
        fail(_("--complaint must be auto or checkup"), ExitCode.USAGE)
    if not SEED.match(seed):
        fail(
            _("invalid seed {seed!r}: use 1 to 48 letters, digits, '.', '-' or '_'").format(seed=seed),
            ExitCode.USAGE,
        )
    lab = _lab()
    out = console()

    def show(result: TrialResult) -> None:
        mark = "ok  " if result.ok else "FAIL"
        faults = "+".join(result.plan.faults) or "healthy"
        line = f"{mark} #{result.plan.index} home {result.plan.home_seed}: {faults} ({result.seconds:.0f} s)"
        out.print(line, markup=False)
        for run in result.runs:
            if not run.ok:
                detail = f"     {run.complaint}: missed {list(run.missed)}, false {list(run.false_alarms)}, "
                out.print(detail + f"top {run.top}{' ' + run.error if run.error else ''}", markup=False)
        if result.error:
            out.print(f"     {result.error}", markup=False)

    with _lab_errors():
        result = run_bench(
            seed, trials, lab_id=bench_lab_id(lab.lab_id), complaint_mode=complaint, progress=show
        )
    data = result.to_json()
    if output is not None:
        output.write_text(dumps(data) + "\n", encoding="utf-8")
    _print_bench(out, data["summary"])


def _print_bench(out: Console, summary: dict[str, object]) -> None:
    """The bench's tables."""
    from rich.table import Table

    for title, key in (
        (_("Accuracy"), "accuracy"),
        (_("Accuracy"), "trials_by_kind"),
        (_("Per fault"), "per_fault"),
        (_("Per pair"), "per_pair"),
        (_("Per home feature"), "per_feature"),
    ):
        rows = summary.get(key)
        if not isinstance(rows, dict) or not rows:
            continue
        table = Table(title=title, title_justify="left")
        table.add_column("")
        table.add_column("ok", justify="right")
        table.add_column("n", justify="right")
        table.add_column("%", justify="right")
        for name, cell in rows.items():
            rate = cell["rate"]
            table.add_row(name, str(cell["ok"]), str(cell["n"]), "-" if rate is None else f"{100 * rate:.0f}")
        out.print(table)
    for key in ("healthy_false_alarms", "scan", "seconds_per_trial", "false_alarm_codes", "missed_codes"):
        out.print(f"{key}: {summary.get(key)}", markup=False)
    errors = summary.get("errors")
    if errors:
        out.print(f"errors: {errors}", markup=False)


@app.command(help=_("Stop every process of the lab and delete its namespaces (safe to repeat)."))
def down() -> None:
    """Stop every process of the lab and delete its namespaces (safe to repeat)."""
    lab = _lab()
    with _lab_errors():
        lab.down()
    console(stderr=True).print(_("Lab {id} is down.").format(id=lab.lab_id))
