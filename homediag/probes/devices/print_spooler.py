"""``devices.print_spooler``: is printing held up on this computer — the spooler stopped, a queue
paused or set to work offline, jobs held.

Passive: reads the operating system's print system, never a printer.

- Linux and macOS (CUPS): ``lpstat -r`` (the scheduler runs), ``lpstat -l -p`` (queues disabled,
  holding new jobs, with the reason given) and ``lpstat -l -o`` (jobs waiting, held ones);
- Windows: ``Get-Service Spooler`` (the print spooler runs), ``Get-Printer`` (status Paused or Offline,
  jobs waiting) and ``Win32_Printer`` (``WorkOffline``: "Use Printer Offline" is ticked).

A queue paused on the computer is a common printer ticket: the printer is fine, the jobs wait here.
"""

from __future__ import annotations

from homediag.core.errors import NotApplicable
from homediag.core.facts import Fact, Privacy
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import Platform, ProbeSpec, Risk
from homediag.net.errors import ParseError

POWERSHELL = ("powershell", "-NoProfile", "-NonInteractive", "-Command")


class PrintSpoolerProbe(Probe):
    """The print system of this computer: spooler, paused or offline queues, held jobs."""

    spec = ProbeSpec(
        id="devices.print_spooler",
        summary="Whether printing is held up on this computer: spooler stopped, queue paused or offline",
        risk=Risk.PASSIVE,
        timeout_s=10.0,
        provides=(
            Fact("printer.spooler_running", bool, "The print spooler (CUPS, Windows Spooler) runs"),
            Fact(
                "printer.paused_queues",
                list[str],
                "Queues paused, disabled or set to work offline on this computer",
                privacy=Privacy.PSEUDONYMISE,
                not_judged="the names behind printer.queue_paused, which is judged",
            ),
            Fact("printer.queue_paused", bool, "Some print queue is paused or offline on this computer"),
            Fact(
                "printer.jobs_waiting",
                int,
                "Print jobs waiting on this computer",
                not_judged="evidence detail (printer.queue_paused is judged)",
            ),
            Fact(
                "printer.jobs_held",
                int,
                "Print jobs held on this computer",
                not_judged="evidence detail (printer.queue_paused is judged)",
            ),
        ),
        binaries=("lpstat", "powershell"),
        description=(
            "Reads the print system of this computer: lpstat -r, -p and -o (CUPS) on Linux and macOS; "
            "Get-Service Spooler, Get-Printer and Win32_Printer's WorkOffline on Windows. Never "
            "resumes a queue or restarts the spooler itself."
        ),
    )

    def applicable(self, ctx: ProbeContext) -> str | None:
        """Needs lpstat (CUPS) or PowerShell."""
        if ctx.session.platform is Platform.WINDOWS:
            return None if ctx.which("powershell") else _("PowerShell is not available")
        return None if ctx.which("lpstat") else _("CUPS 'lpstat' is not installed: no print queues to read")

    async def run(self, ctx: ProbeContext) -> None:
        """Observe the print system."""
        if ctx.session.platform is Platform.WINDOWS:
            running, paused, waiting, held = await _windows(ctx)
        else:
            running, paused, waiting, held = await _cups(ctx)
        evidence = None
        if paused:
            evidence = _("paused on this computer: {queues}").format(queues=", ".join(paused[:4]))
        ctx.observe(
            "printer.spooler_running",
            running,
            evidence=_("the print spooler is not running") if running is False else None,
        )
        ctx.observe("printer.paused_queues", paused, evidence=evidence)
        ctx.observe("printer.queue_paused", bool(paused), evidence=evidence)
        ctx.observe("printer.jobs_waiting", waiting)
        ctx.observe("printer.jobs_held", held)


Seen = tuple[bool | None, list[str], int | None, int | None]


async def _cups(ctx: ProbeContext) -> Seen:
    from homediag.net.os.lpstat_status import parse_lpstat_o, parse_lpstat_p, parse_lpstat_r

    scheduler = await ctx.run_command(["lpstat", "-r"], timeout_s=3.0)
    running = parse_lpstat_r(scheduler.stdout or scheduler.stderr)
    if running is False:
        return False, [], None, None
    queues_out = await ctx.run_command(["lpstat", "-l", "-p"], timeout_s=4.0)
    jobs_out = await ctx.run_command(["lpstat", "-l", "-o"], timeout_s=4.0)
    try:
        queues = parse_lpstat_p(queues_out.stdout) if queues_out.ok else ()
        jobs = parse_lpstat_o(jobs_out.stdout) if jobs_out.ok else ()
    except ParseError as exc:
        raise NotApplicable(_("cannot read the print queues: {error}").format(error=exc)) from None
    ctx.using("lpstat -r, -p, -o")
    return running, [q.name for q in queues if q.paused], len(jobs), sum(1 for j in jobs if j.held)


async def _windows(ctx: ProbeContext) -> Seen:
    from homediag.net.os.windows_netsettings import parse_get_service
    from homediag.net.os.windows_printers import WindowsPrinterStatus, parse_get_printer, parse_win32_printer

    service_out = await ctx.run_command(
        [*POWERSHELL, "Get-Service Spooler | Format-List Name,Status,StartType"], timeout_s=4.0
    )
    try:
        services = parse_get_service(service_out.stdout) if service_out.ok else ()
    except ParseError:
        services = ()
    running = services[0].running if services else None
    if running is False:
        return False, [], None, None
    printers_out = await ctx.run_command([*POWERSHELL, "Get-Printer | Format-List"], timeout_s=5.0)
    offline_out = await ctx.run_command(
        [*POWERSHELL, "Get-CimInstance Win32_Printer | Format-List Name,WorkOffline,Default"], timeout_s=5.0
    )
    try:
        printers = parse_get_printer(printers_out.stdout) if printers_out.ok else []
        offline = parse_win32_printer(offline_out.stdout) if offline_out.ok else []
    except ParseError as exc:
        raise NotApplicable(_("cannot read the print queues: {error}").format(error=exc)) from None
    paused = [p.name for p in printers if p.status is WindowsPrinterStatus.PAUSED]
    paused += [p.name for p in offline if p.work_offline and p.name not in paused]
    waiting = sum(p.job_count or 0 for p in printers) if printers else None
    ctx.using("Get-Service, Get-Printer, Win32_Printer")
    return running, paused, waiting, None
