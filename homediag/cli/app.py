"""The ``homediag`` command: a thin typer app that wires the command groups together.

Only the CLI prints and exits. Every command module imports its heavy dependencies inside the command
function, so ``homediag --help`` stays fast and never imports scapy.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from typer.exceptions import Abort, Exit, TyperException

from homediag import __version__, _signals
from homediag._signals import Interrupt
from homediag.cli import diagnose, guide, labcmd, lazyrich, playbooks, probes, report, scan, watch
from homediag.cli.common import CliState, fail
from homediag.cli.group import HELP_OPTION_NAMES, RootGroup
from homediag.core.errors import ConfigError, HomediagError, ReportError, UsageError
from homediag.core.exitcodes import ExitCode
from homediag.core.i18n import _

lazyrich.install()  # the help and usage errors without rich.markdown and rich.traceback

app = typer.Typer(
    name="homediag",
    help=_("Find out why a home network misbehaves: probes, diagnosis by elimination, reports."),
    cls=RootGroup,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": HELP_OPTION_NAMES},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"homediag {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help=_("Show the version and exit.")),
    ] = False,
    config: Annotated[
        Path | None,
        typer.Option("--config", help=_("Configuration file (else $HOMEDIAG_CONFIG, else the user's).")),
    ] = None,
) -> None:
    del version
    ctx.obj = CliState(config=config)


diagnose.register(app)
guide.register(app)
scan.register(app)
watch.register(app)
app.add_typer(report.app, name="report")
app.add_typer(probes.app, name="probes")
app.add_typer(playbooks.app, name="playbooks")
app.add_typer(labcmd.app, name="lab")


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script: maps every error to its documented exit code."""
    args = sys.argv[1:] if argv is None else argv
    try:
        code = _run(args)
    finally:  # no signal may print a traceback or change the exit code from here on
        _signals.defer()
        _signals.quiet_exit()
    sys.exit(code)


def _run(args: list[str]) -> int:
    try:
        if not args and sys.stdin.isatty() and sys.stdout.isatty():
            args = ["guide"]  # on a terminal, no arguments start the guided check; else the help
        code = app(args=args, prog_name="homediag", standalone_mode=False)
    except Exit as exc:
        code = exc.exit_code
    except Abort:
        code = int(ExitCode.SIGINT)
    except TyperException as exc:  # typer's usage errors (unknown option, bad value...)
        if not exc.format_message().strip():  # no arguments: the help was shown
            return int(ExitCode.USAGE)
        fail(exc.format_message().strip(), ExitCode.USAGE, hint=_usage_hint(exc))
    except (UsageError, ConfigError) as exc:
        fail(str(exc), ExitCode.USAGE)
    except ReportError as exc:
        fail(str(exc), ExitCode.INTERNAL)
    except HomediagError as exc:
        fail(str(exc), ExitCode.INTERNAL)
    except KeyboardInterrupt:
        code = int(ExitCode.SIGINT)
    except Interrupt as stop:  # a signal before the checks started, or in a command that runs none
        code = _interrupted(stop)
    except BrokenPipeError:
        code = 0
    except Exception as exc:  # noqa: BLE001 - the one place every unexpected error ends up
        behind = _signals.interrupt_in(exc)
        if behind is None:
            crashed(exc)
        code = _interrupted(behind)
    return code if isinstance(code, int) else 0


def _interrupted(stop: Interrupt) -> int:
    sys.stderr.write(
        _("homediag: interrupted by {signal} before a report was written").format(signal=stop.name) + "\n"
    )
    return stop.exit_code


def crashed(exc: BaseException) -> NoReturn:
    """An unexpected error: one sentence on stderr, the traceback in a crash file, exit code 3.

    Exit code 1 would tell scripts "a problem was found on the network"; this is homediag's own
    fault, which is what 3 says. The traceback goes to a file in the data directory (next to the
    saved reports) rather than on the screen, and the message says where, for a bug report.
    """
    import traceback

    details = "".join(traceback.format_exception(exc))
    kind = type(exc).__name__
    try:
        path = write_crash_file(details)
    except OSError as error:
        fail(
            _(
                "an internal error occurred ({kind}) and its details could not be saved ({error})"
            ).format(kind=kind, error=error.strerror or error),
            ExitCode.INTERNAL,
        )
    fail(
        _(
            "an internal error occurred ({kind}); the details for a bug report are in {path}"
        ).format(kind=kind, path=path),
        ExitCode.INTERNAL,
    )


def crash_dir() -> Path:
    """Where crash files are written: ``crashes`` in the user's data directory."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("homediag")) / "crashes"


def write_crash_file(details: str) -> Path:
    """Write ``details`` (a traceback, with the version and command line) to a new private file."""
    import os
    import time

    directory = crash_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = directory / f"crash-{stamp}-{os.getpid()}.txt"
    header = f"homediag {__version__}\npython {sys.version.split()[0]} on {sys.platform}\n"
    header += "command: homediag " + " ".join(sys.argv[1:])[:2000] + "\n\n"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as handle:
        handle.write(header + details)
    return path


def _usage_hint(exc: TyperException) -> str | None:
    ctx = getattr(exc, "ctx", None)
    command = getattr(ctx, "command_path", None) or "homediag"
    return _("Try '{command} --help'.").format(command=command)
