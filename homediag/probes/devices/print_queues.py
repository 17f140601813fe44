"""``devices.print_queues``: this computer's print queues, and where each sends its jobs.

Passive: reads the operating system's own list, never a printer.

- Linux and macOS: CUPS ``lpstat -v`` (queue name and device URI), parsed by
  :mod:`homediag.net.os.lpstat` (jc has no ``lpstat`` parser);
- Windows: PowerShell ``Get-Printer`` and ``Get-PrinterPort`` (``Format-List``), parsed by
  :mod:`homediag.net.os.windows_printers`; a queue's port gives the printer's address.

``devices.printer_summary`` compares the addresses the queues print to with where printers answer.
"""

from __future__ import annotations

from homediag.core.errors import NotApplicable, ProbeFailure
from homediag.core.facts import Fact, Privacy
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.records import PrintQueue
from homediag.core.spec import Platform, ProbeSpec, Risk
from homediag.net.errors import ParseError

POWERSHELL = ("powershell", "-NoProfile", "-NonInteractive", "-Command")


def cups_queues(text: str) -> list[PrintQueue]:
    """The queues of ``lpstat -v`` output."""
    from homediag.net.os.lpstat import parse_lpstat_v

    return [
        {
            "name": q.name,
            "uri": q.uri,
            "scheme": q.scheme,
            "host": q.host,
            "port": q.port,
            "network": q.network,
        }
        for q in parse_lpstat_v(text)
    ]


def windows_queues(printers_text: str, ports_text: str) -> list[PrintQueue]:
    """The queues of ``Get-Printer``, each with the address of its port from ``Get-PrinterPort``."""
    from homediag.net.os.windows_printers import parse_get_printer, parse_get_printer_port

    ports = {p.name: p for p in parse_get_printer_port(ports_text)} if ports_text.strip() else {}
    out: list[PrintQueue] = []
    for printer in parse_get_printer(printers_text):
        port = ports.get(printer.port_name or "")
        host = port.host_address if port is not None else None
        out.append(
            {
                "name": printer.name,
                "uri": f"port:{printer.port_name}" if printer.port_name else None,
                "scheme": (port.protocol.value if port is not None and port.protocol else None),
                "host": host,
                "port": port.port_number if port is not None else None,
                "network": bool(port is not None and port.network),
                "status": printer.status.value,
            }
        )
    return out


class PrintQueuesProbe(Probe):
    """The computer's print queues."""

    spec = ProbeSpec(
        id="devices.print_queues",
        summary="This computer's print queues and the addresses they print to",
        risk=Risk.PASSIVE,
        timeout_s=6.0,
        provides=(
            Fact(
                "printer.queues",
                list[PrintQueue],
                "This computer's print queues: name, device URI, host, port, scheme, network",
                privacy=Privacy.PSEUDONYMISE,
            ),
            Fact(
                "printer.queue_count",
                int,
                "How many print queues this computer has",
                not_judged="context: the queues themselves (printer.queues) are judged",
            ),
        ),
        binaries=("lpstat", "powershell"),
        description=(
            "Reads the print queues of this computer: CUPS 'lpstat -v' on Linux and macOS, PowerShell "
            "Get-Printer and Get-PrinterPort on Windows, and records each queue's device URI with the "
            "host and port it prints to. Reads local state only; never contacts a printer."
        ),
    )

    def applicable(self, ctx: ProbeContext) -> str | None:
        """Needs lpstat (CUPS) or PowerShell."""
        if ctx.session.platform is Platform.WINDOWS:
            return None if ctx.which("powershell") else _("PowerShell is not available")
        return None if ctx.which("lpstat") else _("CUPS 'lpstat' is not installed: no print queues to read")

    async def run(self, ctx: ProbeContext) -> None:
        """Read and record the queues."""
        if ctx.session.platform is Platform.WINDOWS:
            printers = await ctx.run_command([*POWERSHELL, "Get-Printer | Format-List"], timeout_s=5.0)
            ports = await ctx.run_command([*POWERSHELL, "Get-PrinterPort | Format-List"], timeout_s=5.0)
            if not printers.ok:
                raise ProbeFailure(
                    _("Get-Printer failed: {error}").format(error=printers.stderr.strip()[:200])
                )
            try:
                queues = windows_queues(printers.stdout, ports.stdout if ports.ok else "")
            except ParseError as exc:
                raise ProbeFailure(_("cannot read the print queues: {error}").format(error=exc)) from None
            ctx.using("Get-Printer, Get-PrinterPort")
        else:
            result = await ctx.run_command(["lpstat", "-v"], timeout_s=5.0)
            text = result.stdout or result.stderr
            if not result.ok and "No destinations" not in text:
                raise NotApplicable(
                    _("lpstat could not list the queues: {error}").format(
                        error=text.strip()[:200] or result.returncode
                    )
                )
            try:
                queues = cups_queues(result.stdout)
            except ParseError as exc:
                raise ProbeFailure(_("cannot read the print queues: {error}").format(error=exc)) from None
            ctx.using("lpstat -v")
        network = [q for q in queues if q["network"]]
        ctx.observe(
            "printer.queues",
            queues,
            evidence=_("{n} print queues, {m} over the network: {where}").format(
                n=len(queues), m=len(network), where=", ".join(str(q["host"]) for q in network[:4]) or "-"
            ),
        )
        ctx.observe("printer.queue_count", len(queues))
