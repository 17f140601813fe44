"""``homediag scan``: the devices on the LAN, as a table or JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from homediag.cli.common import ListFormat, console, echo_json, load_config
from homediag.core.i18n import _

DISCOVERY_TAG = "discovery"


def register(app: typer.Typer) -> None:
    """Add ``scan`` to ``app``."""

    @app.command(help=_("List the devices on the local network."))
    def scan(
        ctx: typer.Context,
        format_: Annotated[ListFormat, typer.Option("--format", help=_("Output format."))] = ListFormat.TEXT,
        config: Annotated[Path | None, typer.Option("--config", help=_("Configuration file."))] = None,
        interface: Annotated[
            str | None, typer.Option("--interface", help=_("Network interface to scan."))
        ] = None,
        allow_large_subnet: Annotated[
            bool, typer.Option("--allow-large-subnet", help=_("Scan subnets larger than /22."))
        ] = False,
    ) -> None:
        """List the devices on the local network."""
        from homediag.app.diagnose import DiagnosisRun
        from homediag.app.registry import load_registry
        from homediag.cli.runtime import finish, progress_display, run_job
        from homediag.core.jsonio import dumps
        from homediag.core.session import Session
        from homediag.reports.render import print_devices

        cfg = load_config(ctx, config)
        registry = load_registry(cfg)
        ids = [s.id for s in registry.specs() if DISCOVERY_TAG in s.tags]
        session = Session.detect(config=cfg, interface=interface, allow_large_subnet=allow_large_subnet)
        progress, display = progress_display(enabled=True)
        run = DiagnosisRun(session, registry, complaint=None, progress=progress)

        async def job() -> None:
            await run.run_probes(ids)

        with display:
            interrupted = run_job(job, on_interrupt=run.runner.abort)
        devices = run.runner.devices
        if format_ is ListFormat.JSON:
            from homediag.core.model import to_jsonable

            echo_json(dumps({"devices": to_jsonable(devices)}))
        else:
            print_devices(devices, console())
        if interrupted.exit_code is not None:
            finish(interrupted.exit_code)
        failed = any(r.outcome.failed for r in run.runner.results)
        finish(2 if failed else 0)
