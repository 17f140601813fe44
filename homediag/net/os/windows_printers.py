"""Parse Windows print queues and ports from PowerShell ``Get-Printer | Format-List`` and
``Get-PrinterPort | Format-List``.

Samples::

    Name                         : Office Laser
    ComputerName                 :
    Type                         : Local
    DriverName                   : Microsoft IPP Class Driver
    PortName                     : 192.0.2.20
    Shared                       : False
    Published                    : False
    PrinterStatus                : Offline
    JobCount                     : 2

    Name               : 192.0.2.20
    Description        : Standard TCP/IP Port
    PortMonitor        : TCPMON.DLL
    PrinterHostAddress : 192.0.2.20
    PortNumber         : 9100
    Protocol           : 1
    SNMPEnabled        : True

Hand-written: jc has no parser for PowerShell lists. The formats are documented at
https://learn.microsoft.com/powershell/module/printmanagement/get-printer and
https://learn.microsoft.com/powershell/module/printmanagement/get-printerport. Property names are
not translated (they are .NET names); values such as ``Description`` are, and are kept as printed.
Records are separated by blank lines; a long value wraps onto indented lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from homediag.net.errors import ParseError
from homediag.net.os._common import (
    IPAddress,
    check_text,
    is_blank,
    iter_lines,
    parse_int,
    parse_ip,
    text_or_none,
)


class WindowsPrinterStatus(StrEnum):
    """``PrinterStatus`` of Get-Printer, grouped into what a diagnosis needs."""

    NORMAL = "normal"
    """Idle, printing, or busy: nothing wrong."""
    PAUSED = "paused"
    OFFLINE = "offline"
    ERROR = "error"
    PAPER_JAM = "paper_jam"
    PAPER_OUT = "paper_out"
    PAPER_PROBLEM = "paper_problem"
    TONER_LOW = "toner_low"
    NO_TONER = "no_toner"
    DOOR_OPEN = "door_open"
    USER_INTERVENTION = "user_intervention"
    NOT_AVAILABLE = "not_available"
    OTHER = "other"


_STATUS_WORDS = {
    "normal": WindowsPrinterStatus.NORMAL,
    "idle": WindowsPrinterStatus.NORMAL,
    "printing": WindowsPrinterStatus.NORMAL,
    "busy": WindowsPrinterStatus.NORMAL,
    "processing": WindowsPrinterStatus.NORMAL,
    "warmingup": WindowsPrinterStatus.NORMAL,
    "warmup": WindowsPrinterStatus.NORMAL,
    "initialization": WindowsPrinterStatus.NORMAL,
    "ioactive": WindowsPrinterStatus.NORMAL,
    "waiting": WindowsPrinterStatus.NORMAL,
    "powersave": WindowsPrinterStatus.NORMAL,
    "paused": WindowsPrinterStatus.PAUSED,
    "offline": WindowsPrinterStatus.OFFLINE,
    "serverunknown": WindowsPrinterStatus.OFFLINE,
    "error": WindowsPrinterStatus.ERROR,
    "outofmemory": WindowsPrinterStatus.ERROR,
    "outputbinfull": WindowsPrinterStatus.ERROR,
    "pagepunt": WindowsPrinterStatus.ERROR,
    "stoppedprinting": WindowsPrinterStatus.ERROR,
    "paperjam": WindowsPrinterStatus.PAPER_JAM,
    "paperout": WindowsPrinterStatus.PAPER_OUT,
    "paperproblem": WindowsPrinterStatus.PAPER_PROBLEM,
    "manualfeed": WindowsPrinterStatus.PAPER_PROBLEM,
    "tonerlow": WindowsPrinterStatus.TONER_LOW,
    "notoner": WindowsPrinterStatus.NO_TONER,
    "dooropen": WindowsPrinterStatus.DOOR_OPEN,
    "userintervention": WindowsPrinterStatus.USER_INTERVENTION,
    "notavailable": WindowsPrinterStatus.NOT_AVAILABLE,
}
# MSFT_Printer.PrinterStatus numbers (0 is shown as Normal).
_STATUS_NUMBERS = {
    0: WindowsPrinterStatus.NORMAL,
    1: WindowsPrinterStatus.OTHER,
    2: WindowsPrinterStatus.OTHER,
    3: WindowsPrinterStatus.NORMAL,
    4: WindowsPrinterStatus.NORMAL,
    5: WindowsPrinterStatus.NORMAL,
    6: WindowsPrinterStatus.ERROR,
    7: WindowsPrinterStatus.OFFLINE,
    8: WindowsPrinterStatus.PAUSED,
    9: WindowsPrinterStatus.ERROR,
    10: WindowsPrinterStatus.NORMAL,
    11: WindowsPrinterStatus.NOT_AVAILABLE,
}


class PortProtocol(StrEnum):
    """Protocol of a Standard TCP/IP port."""

    RAW = "raw"
    """Raw socket printing (JetDirect, usually port 9100)."""
    LPR = "lpr"


@dataclass(frozen=True, slots=True)
class WindowsPrinter:
    """One print queue of ``Get-Printer``."""

    name: str
    type: str | None = None
    """``Local`` or ``Connection`` (a queue shared by another computer)."""
    computer_name: str | None = None
    driver: str | None = None
    port_name: str | None = None
    shared: bool | None = None
    published: bool | None = None
    status: WindowsPrinterStatus = WindowsPrinterStatus.NORMAL
    status_text: str | None = None
    """``PrinterStatus`` as printed; several conditions may be listed, comma-separated."""
    location: str | None = None
    comment: str | None = None
    job_count: int | None = None
    extras: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class WindowsPrinterPort:
    """One printer port of ``Get-PrinterPort``."""

    name: str
    description: str | None = None
    port_monitor: str | None = None
    host_address: str | None = None
    """``PrinterHostAddress``: an address or a host name."""
    port_number: int | None = None
    protocol: PortProtocol | None = None
    snmp_enabled: bool | None = None
    lpr_queue: str | None = None
    extras: tuple[tuple[str, str], ...] = ()

    @property
    def host_ip(self) -> IPAddress | None:
        """``host_address`` as an IP address, when it is one."""
        return parse_ip(self.host_address) if self.host_address else None

    @property
    def network(self) -> bool:
        """Whether the port sends jobs over TCP/IP (a Standard TCP/IP or WSD port)."""
        monitor = (self.port_monitor or "").casefold()
        return self.host_address is not None or "tcpmon" in monitor or "wsd" in monitor


_FIELD = re.compile(r"([A-Za-z][A-Za-z0-9_]{0,63})\s*:(?:\s(.*))?")


def parse_format_list(text: str) -> list[dict[str, str]]:
    """The records of PowerShell ``Format-List`` output, as ordered {property: value} dicts."""
    records: list[dict[str, str]] = []
    current: dict[str, list[str]] = {}  # value pieces, joined once at the end of the record
    last: str | None = None

    def close() -> None:
        if current:
            records.append({key: " ".join(p for p in parts if p) for key, parts in current.items()})

    for line in iter_lines(text):
        if not line.strip():
            close()
            current, last = {}, None
            continue
        match = _FIELD.fullmatch(line.rstrip())
        if match and not line[:1].isspace():
            last = match.group(1)
            current[last] = [(match.group(2) or "").strip()]
        elif last is not None and line[:1].isspace():
            current[last].append(line.strip())
    close()
    return records


def _bool(value: str | None) -> bool | None:
    if value is None:
        return None
    return {"true": True, "false": False}.get(value.strip().casefold())


def _status(text: str | None) -> WindowsPrinterStatus:
    if text is None:
        return WindowsPrinterStatus.NORMAL
    number = parse_int(text)
    if number is not None:
        return _STATUS_NUMBERS.get(number, WindowsPrinterStatus.OTHER)
    found = [
        _STATUS_WORDS.get(re.sub(r"[^a-z]", "", part.casefold()), WindowsPrinterStatus.OTHER)
        for part in text.split(",")
        if part.strip()
    ]
    problems = [status for status in found if status is not WindowsPrinterStatus.NORMAL]
    return problems[0] if problems else WindowsPrinterStatus.NORMAL


_PRINTER_KEYS = frozenset(
    [
        "Name",
        "Type",
        "ComputerName",
        "DriverName",
        "PortName",
        "Shared",
        "Published",
        "PrinterStatus",
        "Location",
        "Comment",
        "JobCount",
    ]
)
_PORT_KEYS = frozenset(
    [
        "Name",
        "Description",
        "PortMonitor",
        "PrinterHostAddress",
        "PortNumber",
        "Protocol",
        "SNMPEnabled",
        "LprQueueName",
    ]
)


def _check(records: list[dict[str, str]], text: str, what: str) -> None:
    if not records and not is_blank(text):
        raise ParseError(f"{what}: no record could be read")


def parse_get_printer(text: str) -> list[WindowsPrinter]:
    """Parse ``Get-Printer | Format-List``; records without a ``Name`` are skipped."""
    check_text(text, "Get-Printer")
    records = parse_format_list(text)
    _check(records, text, "Get-Printer")
    printers: list[WindowsPrinter] = []
    for record in records:
        name = text_or_none(record.get("Name"))
        if name is None:
            continue
        status_text = text_or_none(record.get("PrinterStatus"))
        printers.append(
            WindowsPrinter(
                name=name,
                type=text_or_none(record.get("Type")),
                computer_name=text_or_none(record.get("ComputerName")),
                driver=text_or_none(record.get("DriverName")),
                port_name=text_or_none(record.get("PortName")),
                shared=_bool(record.get("Shared")),
                published=_bool(record.get("Published")),
                status=_status(status_text),
                status_text=status_text,
                location=text_or_none(record.get("Location")),
                comment=text_or_none(record.get("Comment")),
                job_count=parse_int(record.get("JobCount")),
                extras=tuple((k, v) for k, v in record.items() if k not in _PRINTER_KEYS),
            )
        )
    return printers


def _protocol(text: str | None) -> PortProtocol | None:
    value = (text or "").strip().casefold()
    if value in ("1", "raw"):
        return PortProtocol.RAW
    if value in ("2", "lpr"):
        return PortProtocol.LPR
    return None


def parse_get_printer_port(text: str) -> list[WindowsPrinterPort]:
    """Parse ``Get-PrinterPort | Format-List``; records without a ``Name`` are skipped."""
    check_text(text, "Get-PrinterPort")
    records = parse_format_list(text)
    _check(records, text, "Get-PrinterPort")
    ports: list[WindowsPrinterPort] = []
    for record in records:
        name = text_or_none(record.get("Name"))
        if name is None:
            continue
        port_number = parse_int(record.get("PortNumber"))
        ports.append(
            WindowsPrinterPort(
                name=name,
                description=text_or_none(record.get("Description")),
                port_monitor=text_or_none(record.get("PortMonitor")),
                host_address=text_or_none(record.get("PrinterHostAddress")),
                port_number=port_number if port_number and 0 < port_number < 65536 else None,
                protocol=_protocol(record.get("Protocol")),
                snmp_enabled=_bool(record.get("SNMPEnabled")),
                lpr_queue=text_or_none(record.get("LprQueueName")),
                extras=tuple((k, v) for k, v in record.items() if k not in _PORT_KEYS),
            )
        )
    return ports


@dataclass(frozen=True, slots=True)
class PrinterOfflineSetting:
    """``Win32_Printer``: whether a queue is set to "Use Printer Offline" (jobs wait on the computer)."""

    name: str
    work_offline: bool
    default: bool | None = None


def parse_win32_printer(text: str) -> list[PrinterOfflineSetting]:
    """Parse ``Get-CimInstance Win32_Printer | Format-List Name,WorkOffline,Default``."""
    check_text(text, "Win32_Printer")
    if is_blank(text):
        return []
    found = [
        PrinterOfflineSetting(
            name=record["Name"],
            work_offline=_bool(record.get("WorkOffline")) is True,
            default=_bool(record.get("Default")),
        )
        for record in parse_format_list(text)
        if record.get("Name") and "WorkOffline" in record
    ]
    if not found:
        raise ParseError("Win32_Printer: no record with Name and WorkOffline")
    return found
