"""``homediag diagnose [COMPLAINT]``: run the checks, judge, print the verdict, keep the report."""

from __future__ import annotations

import dataclasses
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperArgument, TyperCommand

from homediag.cli.common import CliState, load_config
from homediag.cli.complete import complete_complaints, complete_probe_ids
from homediag.cli.output import (
    Customer,
    Devices,
    Format,
    Lang,
    NoRedact,
    Note,
    Site,
    Ticket,
    choose_format,
    prepare,
    save_copy,
    show,
    use_language,
    with_meta,
)
from homediag.core.errors import UsageError
from homediag.core.exitcodes import ExitCode
from homediag.core.i18n import N_, _

if TYPE_CHECKING:
    from homediag.core.model import Report, ReportMeta
    from homediag.core.registry import Registry
    from homediag.core.session import Session
    from homediag.engine.catalog import PlaybookSet
    from homediag.engine.questions import Questioner

COMPLAINT_HELP = N_("What is wrong: {names}. Default: checkup.")
NO_PLAYBOOKS = N_("(the playbooks cannot be read: {error})")
UNKNOWN_COMPLAINT = N_("unknown complaint {name!r}; choose one of: {names}")


class DiagnoseCommand(TyperCommand):
    """``diagnose``, whose help names the complaints the playbooks answer.

    The playbooks are read only when this help is shown: ``homediag --help`` stays fast.
    """

    def format_help(self, ctx: Any, formatter: Any) -> None:  # typer's vendored click types
        """Fill in the complaints, then format the help as usual."""
        for param in self.params:
            if param.name == "complaint" and isinstance(param, TyperArgument):
                param.help = _(COMPLAINT_HELP).format(names=_complaint_names(ctx))
        super().format_help(ctx, formatter)


def _complaint_names(ctx: typer.Context) -> str:
    from homediag.app.playbooks import fact_catalogue, load_playbooks
    from homediag.core.errors import HomediagError

    try:
        config = load_config(ctx, None) if isinstance(ctx.find_root().obj, CliState) else None
        playbooks = load_playbooks(catalogue=fact_catalogue(config))
    except HomediagError as exc:
        return _(NO_PLAYBOOKS).format(error=str(exc)[:200])
    return ", ".join(playbooks.complaints())


class MaxRisk(StrEnum):
    """Values of ``--max-risk``."""

    PASSIVE = "passive"
    SAFE = "safe"
    ACTIVE = "active"


class AudienceOption(StrEnum):
    """Values of ``--audience``."""

    CUSTOMER = "customer"
    TECHNICIAN = "technician"


def register(app: typer.Typer) -> None:
    """Add ``diagnose`` to ``app``."""

    @app.command(
        cls=DiagnoseCommand,
        no_args_is_help=False,
        help=_("Check the network and find out what is wrong (default: a full checkup)."),
    )
    def diagnose(
        ctx: typer.Context,
        complaint: Annotated[
            str | None,
            typer.Argument(
                metavar="COMPLAINT",
                help=None,  # DiagnoseCommand names the complaints
                show_default=False,
                autocompletion=complete_complaints,
            ),
        ] = None,
        format_: Annotated[
            Format | None,
            typer.Option("--format", help=_("Output format (default: text, or by --output suffix).")),
        ] = None,
        output: Annotated[
            Path | None,
            typer.Option("--output", "-o", metavar="FILE", help=_("Write the report to this file.")),
        ] = None,
        config: Annotated[
            Path | None, typer.Option("--config", metavar="FILE", help=_("Configuration file."))
        ] = None,
        interface: Annotated[
            str | None, typer.Option("--interface", metavar="IF", help=_("Network interface to check."))
        ] = None,
        non_interactive: Annotated[
            bool, typer.Option("--non-interactive", help=_("Never ask questions."))
        ] = False,
        audience: Annotated[
            AudienceOption, typer.Option("--audience", help=_("Who reads the result."))
        ] = AudienceOption.CUSTOMER,
        lang: Lang = None,
        max_risk: Annotated[
            MaxRisk, typer.Option("--max-risk", help=_("Most disruptive probes allowed."))
        ] = MaxRisk.ACTIVE,
        allow: Annotated[
            list[str] | None,
            typer.Option(
                "--allow",
                metavar="PROBE_ID",
                help=_("Allow this probe (also an intrusive one); repeatable."),
                autocompletion=complete_probe_ids,
            ),
        ] = None,
        speedtest: Annotated[
            bool, typer.Option("--speedtest", help=_("Run the speed test even in a checkup."))
        ] = False,
        allow_large_subnet: Annotated[
            bool,
            typer.Option("--allow-large-subnet", help=_("Scan subnets larger than /22.")),
        ] = False,
        customer: Customer = None,
        site: Site = None,
        ticket: Ticket = None,
        note: Note = None,
        no_redact: NoRedact = False,
        devices: Devices = False,
        answers: Annotated[
            Path | None,
            typer.Option(
                "--answers", metavar="FILE", help=_("Answers to questions, from a YAML or JSON file.")
            ),
        ] = None,
        from_report: Annotated[
            Path | None,
            typer.Option(
                "--from",
                metavar="REPORT.json",
                help=_("Re-diagnose a saved report's observations (touches no network)."),
            ),
        ] = None,
        baseline: Annotated[
            Path | None,
            typer.Option(
                "--baseline",
                metavar="OLD.json",
                help=_("An earlier report of this network: report devices that vanished or moved since."),
            ),
        ] = None,
    ) -> None:
        """Check the network and find out what is wrong (default: a full checkup)."""
        from homediag.app.playbooks import load_playbooks
        from homediag.app.registry import load_registry
        from homediag.core.model import ReportMeta
        from homediag.core.session import Audience, Session
        from homediag.core.spec import Risk

        name = (complaint or "checkup").strip().lower()
        language = use_language(lang)
        cfg = load_config(ctx, config)
        registry = load_registry(cfg)
        for problem in registry.errors:
            sys.stderr.write(f"homediag: warning: {problem}\n")
        playbooks = load_playbooks(catalogue=registry.catalogue())
        known = playbooks.complaints()
        if name not in known:
            raise UsageError(_(UNKNOWN_COMPLAINT).format(name=name[:40], names=", ".join(known)))
        allowed = frozenset(allow or ())
        unknown = sorted(a for a in allowed if a not in registry.probes)
        if unknown:
            raise UsageError(_("--allow names unknown probes: {ids}").format(ids=", ".join(unknown)))
        session = Session.detect(
            config=cfg,
            interface=interface,
            audience=Audience(audience.value),
            lang=language,
            max_risk=Risk(max_risk.value),
            allowed=allowed,
            allow_large_subnet=allow_large_subnet,
            speedtest=speedtest,
            interactive=not non_interactive and sys.stdin.isatty(),
        )
        if baseline is not None:
            from homediag.app.diagnose import load_baseline

            session = dataclasses.replace(session, baseline=load_baseline(baseline))
        meta = ReportMeta(customer=customer, site=site, ticket=ticket, note=note)
        fmt = choose_format(output, format_)
        scripted = _answer_file(answers)
        if from_report is not None:
            replay_and_report(
                from_report,
                None if complaint is None else name,
                session,
                meta,
                fmt,
                output,
                questioner=scripted,
                redact=not no_redact,
                playbooks=playbooks,
                devices=devices,
            )
            return
        run_and_report(
            session,
            registry,
            name,
            meta,
            fmt,
            output,
            redact=not no_redact,
            questioner=scripted,
            playbooks=playbooks,
            devices=devices,
        )


def run_and_report(
    session: Session,
    registry: Registry,
    complaint: str,
    meta: ReportMeta,
    fmt: Format,
    output: Path | None,
    *,
    redact: bool = True,
    questioner: Questioner | None = None,
    playbooks: PlaybookSet | None = None,
    devices: bool = False,
) -> None:
    """Run the diagnosis with signal handling, write the report, print, and exit with its code.

    Questions: ``questioner`` (an answers file) when given; else the terminal in an interactive run;
    else none (``--non-interactive`` or no terminal: the engine goes on without answers).
    """
    from homediag.app.diagnose import DiagnosisRun
    from homediag.cli.questions import TerminalQuestioner
    from homediag.cli.runtime import finish, progress_display, run_job

    progress, display = progress_display(enabled=True)
    if questioner is None and session.interactive:
        questioner = TerminalQuestioner(progress)
    run = DiagnosisRun(
        session,
        registry,
        complaint=complaint,
        meta=meta,
        progress=progress,
        questioner=questioner,
        playbooks=playbooks,
    )
    with display:
        interrupted = run_job(run.execute, on_interrupt=run.runner.abort)
    report = run.report(interrupted_by=interrupted.name)
    emit(report, fmt, output, redact=redact, devices=devices)
    if interrupted.exit_code is not None:
        finish(interrupted.exit_code)
    finish(int(exit_code_for(report)))


def replay_and_report(
    path: Path,
    complaint: str | None,
    session: Session,
    meta: ReportMeta,
    fmt: Format,
    output: Path | None,
    *,
    questioner: Questioner | None = None,
    redact: bool = True,
    playbooks: PlaybookSet | None = None,
    devices: bool = False,
) -> None:
    """``diagnose --from``: re-diagnose a stored report with the current playbooks, offline."""
    import asyncio
    import dataclasses

    from homediag.app.diagnose import replay
    from homediag.cli.runtime import finish
    from homediag.reports.document import load_report

    stored = load_report(path)
    report = asyncio.run(
        replay(
            stored,
            complaint=complaint,
            questioner=questioner,
            audience=session.audience.value,
            lang=session.lang,
            config=session.config,
            playbooks=playbooks,
        )
    )
    report = with_meta(report, **dataclasses.asdict(meta))
    emit(report, fmt, output, redact=redact, devices=devices)
    finish(int(exit_code_for(report)))


def _answer_file(path: Path | None) -> Questioner | None:
    if path is None:
        return None
    from homediag.engine.questions import AnswerFile

    return AnswerFile.load(path)


def exit_code_for(report: Report) -> ExitCode:
    """0 no problem, 1 a confirmed or likely problem (wins over 2), 2 incomplete."""
    if report.top_finding() is not None:
        return ExitCode.PROBLEM
    if not report.complete:
        return ExitCode.INCOMPLETE
    return ExitCode.OK


def emit(
    report: Report, fmt: Format, output: Path | None, *, redact: bool = True, devices: bool = False
) -> None:
    """Write the report to ``output`` in ``fmt``, or print it and keep the JSON in the data dir
    (``devices``: the summary lists every device, whatever the complaint).

    Everything written or printed is redacted unless ``redact`` is False (``--no-redact``): then the
    full record is written with file mode 0600 and ``privacy_level: "full"``. Secrets never are.
    """
    shared = prepare(report, redact=redact)
    show(shared, fmt, output, devices=devices)
    if output is not None:
        sys.stderr.write(_("Report written to {path}").format(path=output) + "\n")
        return
    saved = save_copy(shared)
    if saved is not None:
        sys.stderr.write(_("Report saved to {path}").format(path=saved) + "\n")
