"""``homediag diagnose [COMPLAINT]``: run the checks, judge, print the verdict, keep the report."""

from __future__ import annotations

import dataclasses
import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from homediag.cli.common import console, echo_json, load_config, write_output
from homediag.core.errors import UsageError
from homediag.core.exitcodes import ExitCode
from homediag.core.i18n import _

if TYPE_CHECKING:
    from homediag.core.model import Report, ReportMeta
    from homediag.core.registry import Registry
    from homediag.core.session import Session
    from homediag.engine.diagnose import Questioner

COMPLAINTS = (
    "checkup",
    "no-internet",
    "slow-internet",
    "unstable-connection",
    "video-calls",
    "printer",
    "cast",
    "smart-home",
    "wifi",
)


class ReportFormat(StrEnum):
    """Output formats of a report."""

    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"
    HTML = "html"


class MaxRisk(StrEnum):
    """Values of ``--max-risk``."""

    PASSIVE = "passive"
    SAFE = "safe"
    ACTIVE = "active"


class AudienceOption(StrEnum):
    """Values of ``--audience``."""

    CUSTOMER = "customer"
    TECHNICIAN = "technician"


class LangOption(StrEnum):
    """Values of ``--lang``."""

    EN = "en"
    DE = "de"
    FR = "fr"


def reports_dir() -> Path:
    """Where reports are kept when no ``--output`` is given."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("homediag")) / "reports"


def infer_format(output: Path | None, given: ReportFormat | None) -> ReportFormat:
    """The format asked for, else the one the output file's suffix says, else text."""
    from homediag.reports.render import SUFFIXES

    if given is not None:
        return given
    if output is None:
        return ReportFormat.TEXT
    by_suffix = SUFFIXES.get(output.suffix.lower())
    return ReportFormat(by_suffix.value) if by_suffix is not None else ReportFormat.JSON


def register(app: typer.Typer) -> None:
    """Add ``diagnose`` to ``app``."""

    @app.command(no_args_is_help=False)
    def diagnose(
        ctx: typer.Context,
        complaint: Annotated[
            str | None,
            typer.Argument(
                help=_("What is wrong: {names}. Default: checkup.").format(names=", ".join(COMPLAINTS))
            ),
        ] = None,
        format_: Annotated[
            ReportFormat | None,
            typer.Option("--format", help=_("Output format (default: text, or by --output suffix).")),
        ] = None,
        output: Annotated[
            Path | None, typer.Option("--output", "-o", help=_("Write the report to this file."))
        ] = None,
        config: Annotated[Path | None, typer.Option("--config", help=_("Configuration file."))] = None,
        interface: Annotated[
            str | None, typer.Option("--interface", help=_("Network interface to check."))
        ] = None,
        non_interactive: Annotated[
            bool, typer.Option("--non-interactive", help=_("Never ask questions."))
        ] = False,
        audience: Annotated[
            AudienceOption, typer.Option("--audience", help=_("Who reads the result."))
        ] = AudienceOption.CUSTOMER,
        lang: Annotated[
            LangOption | None, typer.Option("--lang", help=_("Language (default: the system's)."))
        ] = None,
        max_risk: Annotated[
            MaxRisk, typer.Option("--max-risk", help=_("Most disruptive probes allowed."))
        ] = MaxRisk.ACTIVE,
        allow: Annotated[
            list[str] | None,
            typer.Option("--allow", help=_("Allow this probe (also an intrusive one); repeatable.")),
        ] = None,
        speedtest: Annotated[
            bool, typer.Option("--speedtest", help=_("Run the speed test even in a checkup."))
        ] = False,
        allow_large_subnet: Annotated[
            bool,
            typer.Option("--allow-large-subnet", help=_("Scan subnets larger than /22.")),
        ] = False,
        customer: Annotated[str | None, typer.Option("--customer", help=_("Customer name."))] = None,
        site: Annotated[str | None, typer.Option("--site", help=_("Site or address."))] = None,
        ticket: Annotated[str | None, typer.Option("--ticket", help=_("Ticket number."))] = None,
        note: Annotated[str | None, typer.Option("--note", help=_("Technician's note."))] = None,
        no_redact: Annotated[
            bool,
            typer.Option(
                "--no-redact",
                help=_("Keep private details (full record, for local use only; files get mode 0600)."),
            ),
        ] = False,
        answers: Annotated[
            Path | None,
            typer.Option("--answers", help=_("Answers to questions, from a YAML or JSON file.")),
        ] = None,
        from_report: Annotated[
            Path | None,
            typer.Option("--from", help=_("Re-diagnose a saved report's observations (touches no network).")),
        ] = None,
        baseline: Annotated[
            Path | None,
            typer.Option(
                "--baseline",
                help=_("An earlier report of this network: report devices that vanished or moved since."),
            ),
        ] = None,
    ) -> None:
        """Check the network and find out what is wrong (default: a full checkup)."""
        from homediag.core.i18n import set_language, system_language
        from homediag.core.model import ReportMeta
        from homediag.core.registry import load_registry
        from homediag.core.session import Audience, Session
        from homediag.core.spec import Risk

        name = (complaint or "checkup").strip().lower()
        if name not in COMPLAINTS:
            raise UsageError(
                _("unknown complaint {name!r}; choose one of: {names}").format(
                    name=name[:40], names=", ".join(COMPLAINTS)
                )
            )
        language = lang.value if lang is not None else system_language()
        set_language(language)
        cfg = load_config(ctx, config)
        registry = load_registry(cfg)
        for problem in registry.errors:
            sys.stderr.write(f"homediag: warning: {problem}\n")
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
            from homediag.reports.document import load_report

            session = dataclasses.replace(session, baseline=load_report(baseline))
        meta = ReportMeta(customer=customer, site=site, ticket=ticket, note=note)
        fmt = infer_format(output, format_)
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
            )
            return
        run_and_report(session, registry, name, meta, fmt, output, redact=not no_redact, questioner=scripted)


def run_and_report(
    session: Session,
    registry: Registry,
    complaint: str,
    meta: ReportMeta,
    fmt: ReportFormat,
    output: Path | None,
    *,
    redact: bool = True,
    questioner: Questioner | None = None,
) -> None:
    """Run the diagnosis with signal handling, write the report, print, and exit with its code.

    Questions: ``questioner`` (an answers file) when given; else the terminal in an interactive run;
    else none (``--non-interactive`` or no terminal: the engine goes on without answers).
    """
    from homediag.cli.questions import TerminalQuestioner
    from homediag.cli.runtime import finish, progress_display, run_job
    from homediag.core.pipeline import DiagnosisRun

    progress, display = progress_display(enabled=True)
    if questioner is None and session.interactive:
        questioner = TerminalQuestioner(progress)
    run = DiagnosisRun(
        session, registry, complaint=complaint, meta=meta, progress=progress, questioner=questioner
    )
    with display:
        interrupted = run_job(run.execute, on_interrupt=run.runner.abort)
    report = run.report(interrupted_by=interrupted.name)
    emit(report, fmt, output, redact=redact)
    if interrupted.exit_code is not None:
        finish(interrupted.exit_code)
    finish(int(exit_code_for(report)))


def replay_and_report(
    path: Path,
    complaint: str | None,
    session: Session,
    meta: ReportMeta,
    fmt: ReportFormat,
    output: Path | None,
    *,
    questioner: Questioner | None = None,
    redact: bool = True,
) -> None:
    """``diagnose --from``: re-diagnose a stored report with the current playbooks, offline."""
    import asyncio
    import dataclasses

    from homediag.cli.runtime import finish
    from homediag.core.pipeline import replay
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
        )
    )
    given = {k: v for k, v in dataclasses.asdict(meta).items() if v}
    if given:
        report = dataclasses.replace(report, meta=dataclasses.replace(report.meta, **given))
    emit(report, fmt, output, redact=redact)
    finish(int(exit_code_for(report)))


def _answer_file(path: Path | None) -> Questioner | None:
    if path is None:
        return None
    from homediag.engine.diagnose import AnswerFile

    return AnswerFile.load(path)


def exit_code_for(report: Report) -> ExitCode:
    """0 no problem, 1 a confirmed or likely problem (wins over 2), 2 incomplete."""
    if report.top_finding() is not None:
        return ExitCode.PROBLEM
    if not report.complete:
        return ExitCode.INCOMPLETE
    return ExitCode.OK


def emit(report: Report, fmt: ReportFormat, output: Path | None, *, redact: bool = True) -> None:
    """Write the report to ``output`` in ``fmt``, or print it and keep the JSON in the data dir.

    Everything written or printed is redacted unless ``redact`` is False (``--no-redact``): then the
    full record is written with file mode 0600 and ``privacy_level: "full"``. Secrets never are.
    """
    from homediag.reports.document import dump_report
    from homediag.reports.redact import for_output
    from homediag.reports.render import Format, render
    from homediag.reports.terminal import print_report

    report, warnings = for_output(report, redact_report=redact)
    for warning in warnings:
        sys.stderr.write(_("homediag: warning: {message}").format(message=warning) + "\n")
    document = dump_report(report)
    private = report.privacy_level == "full"
    if output is not None:
        content = document if fmt is ReportFormat.JSON else render(report, Format(fmt.value))
        write_output(output, content, private=private)
        sys.stderr.write(_("Report written to {path}").format(path=output) + "\n")
        return
    if fmt is ReportFormat.JSON:
        echo_json(document)
    elif fmt is ReportFormat.TEXT:
        print_report(report, console(), verbose=False)
    else:
        sys.stdout.write(render(report, Format(fmt.value)))
    saved = save_copy(report, document, private=private)
    if saved is not None:
        sys.stderr.write(_("Report saved to {path}").format(path=saved) + "\n")


def render_text(report: Report) -> str:
    """The terminal summary as plain text (for ``--output FILE --format text``)."""
    from homediag.reports.terminal import render_text as summary_text

    return summary_text(report)


def save_copy(report: Report, document: str, *, private: bool) -> Path | None:
    """Keep the JSON report in the user's data directory; None (with a warning) when that fails."""
    from homediag.core.jsonio import atomic_write, sweep_temp_files

    directory = reports_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        sweep_temp_files(directory)
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        path = directory / f"report-{stamp}-{report.complaint or 'checkup'}.json"
        atomic_write(path, document, mode=0o600 if private else 0o644)
    except OSError as exc:
        sys.stderr.write(
            _("homediag: warning: could not save the report: {error}").format(error=exc.strerror or exc)
            + "\n"
        )
        return None
    return path
