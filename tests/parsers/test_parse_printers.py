"""Print queues: CUPS ``lpstat -v`` in three languages; Windows Get-Printer and Get-PrinterPort."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address

import pytest

from homediag.net.errors import ParseError
from homediag.net.os.lpstat import parse_lpstat_v
from homediag.net.os.windows_printers import (
    PortProtocol,
    WindowsPrinterStatus,
    parse_format_list,
    parse_get_printer,
    parse_get_printer_port,
)
from tests.parsers.real_outputs import own_fixture


def test_lpstat_schemes_hosts_and_ports() -> None:
    queues = parse_lpstat_v(own_fixture("lpstat-v", "en.txt"))
    assert [(q.name, q.scheme, q.host, q.port, q.network) for q in queues] == [
        ("Office_Laser", "ipp", "192.0.2.20", None, True),
        ("Brother_HL", "dnssd", "Brother HL-L2350DW series._ipp._tcp.local.", None, True),
        ("Basement", "socket", "printer.example", 9100, True),
        ("Old_Inkjet", "lpd", "2001:db8::20", None, True),
        ("USB_Printer", "usb", "HP", None, False),
        ("HP_Net", "hp", "192.0.2.21", None, True),
        ("Samba", "smb", "fileserver.example", None, True),
        ("Everywhere", "implicitclass", "Office_Laser", None, True),
    ]
    assert queues[0].address == IPv4Address("192.0.2.20")
    assert queues[3].address == IPv6Address("2001:db8::20")
    assert queues[2].address is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("de.txt", [("Buero", "printer.example", 631), ("Keller", "192.0.2.30", None)]),
        ("fr.txt", [("Salon", "192.0.2.40", 631)]),
    ],
    ids=["german", "french-nbsp-and-garbage-line"],
)
def test_lpstat_localised(name: str, expected: list) -> None:
    queues = parse_lpstat_v(own_fixture("lpstat-v", name))
    assert [(q.name, q.host, q.port) for q in queues] == expected


def test_lpstat_no_destinations_and_garbage() -> None:
    assert parse_lpstat_v(own_fixture("lpstat-v", "no-destinations.txt")) == []
    assert parse_lpstat_v("") == []
    with pytest.raises(ParseError):
        parse_lpstat_v("scheduler is not running\nanother line")


def test_get_printer_statuses_and_wrapped_value() -> None:
    printers = parse_get_printer(own_fixture("windows-printers", "get-printer.txt"))
    assert [(p.name, p.status, p.port_name) for p in printers] == [
        ("Office Laser", WindowsPrinterStatus.OFFLINE, "192.0.2.20"),
        (
            "Brother HL-L2350DW series an einem sehr langen Namen, der umbrochen wird",
            WindowsPrinterStatus.PAPER_JAM,
            "WSD-00000000-0000-0000-0000-000000000001",
        ),
        ("\\\\fileserver.example\\Buero", WindowsPrinterStatus.NORMAL, None),
        ("Microsoft Print to PDF", WindowsPrinterStatus.PAUSED, "PORTPROMPT:"),
    ]
    office = printers[0]
    assert office.job_count == 2 and office.shared is False and office.location == "Flur"
    assert ("PrintProcessor", "winprint") in office.extras
    assert printers[1].shared is True
    assert printers[2].type == "Connection" and printers[2].computer_name == "fileserver.example"


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("Normal", WindowsPrinterStatus.NORMAL),
        ("Printing, TonerLow", WindowsPrinterStatus.TONER_LOW),
        ("PaperOut", WindowsPrinterStatus.PAPER_OUT),
        ("Door Open", WindowsPrinterStatus.DOOR_OPEN),
        ("7", WindowsPrinterStatus.OFFLINE),
        ("Something New", WindowsPrinterStatus.OTHER),
    ],
)
def test_printer_status_words(status: str, expected: WindowsPrinterStatus) -> None:
    (printer,) = parse_get_printer(f"Name          : P\nPrinterStatus : {status}\n")
    assert printer.status is expected


def test_get_printer_port() -> None:
    ports = parse_get_printer_port(own_fixture("windows-printers", "get-printerport.txt"))
    raw, lpr, wsd, local = ports
    assert (raw.host_ip, raw.port_number, raw.protocol, raw.snmp_enabled) == (
        IPv4Address("192.0.2.20"),
        9100,
        PortProtocol.RAW,
        True,
    )
    assert raw.description == "Standard-TCP/IP-Port"  # localised value kept as printed
    assert (lpr.host_address, lpr.host_ip, lpr.protocol, lpr.lpr_queue) == (
        "printer.example",
        None,
        PortProtocol.LPR,
        "lp",
    )
    assert raw.network and lpr.network and wsd.network
    assert not local.network


def test_format_list_records() -> None:
    text = "\n\nA : 1\nB :\n    continued\n\nA : 2\n"
    assert parse_format_list(text) == [{"A": "1", "B": "continued"}, {"A": "2"}]
    with pytest.raises(ParseError):
        parse_get_printer("Get-Printer : The term is not recognized")
