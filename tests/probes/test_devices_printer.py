"""Printer probes: IPP against servers on 127.0.0.1 (healthy, paused, hostile frames, a trickle), print
queues from recorded lpstat and PowerShell output, and the printer summary's judgements of reachability."""

from __future__ import annotations

import asyncio
import struct
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest

from homediag.core.model import Device, Observation, Outcome, Service
from homediag.core.spec import Platform
from homediag.net.ipp import parse_response
from homediag.probes.devices.print_queues import PrintQueuesProbe
from homediag.probes.devices.printer_ipp import PrinterIppProbe, endpoint, supplies
from homediag.probes.devices.printer_summary import PrinterSummaryProbe
from homediag.testing import ProbeOutcome, run_probe
from tests.parsers.test_ipp import PAUSED, attr, response
from tests.probes.live import run_live
from tests.probes.records import device_entry, print_queue, silent_peer, supply

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def ipp_server(body: bytes | None, *, trickle: bool = False) -> AsyncIterator[tuple[int, list[bytes]]]:
    """An HTTP server on 127.0.0.1 answering every POST with ``body`` (application/ipp)."""
    requests: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(
            next(
                line.split(b":")[1]
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
        )
        requests.append(await reader.readexactly(length))
        data = body or b""
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/ipp\r\nContent-Length: %d\r\n\r\n"
            % (len(data) + (10**6 if trickle else 0))
        )
        if trickle:
            for _ in range(60):
                writer.write(b"\x01")
                await writer.drain()
                await asyncio.sleep(1.0)
        writer.write(data)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1], requests
    finally:
        server.close()


def printer_on(port: int) -> Device:
    return Device(
        id="dev-printer",
        ip="127.0.0.1",
        services=(Service("_ipp._tcp", port=port, txt={"rp": "ipp/print"}),),
    )


def ask(
    body: bytes | None, *, trickle: bool = False, timeout_s: float = 12.0
) -> tuple[ProbeOutcome, list[bytes], float]:
    async def go() -> tuple[ProbeOutcome, list[bytes], float]:
        async with ipp_server(body, trickle=trickle) as (port, requests):
            started = time.monotonic()
            outcome = await run_live(
                PrinterIppProbe, facts={"discovery.devices": []}, target=printer_on(port), timeout_s=timeout_s
            )
            return outcome, requests, time.monotonic() - started

    return asyncio.run(go())


SUBJECT = "device:dev-printer"


def test_endpoint_comes_from_the_announcement_and_never_a_raw_print_port() -> None:
    assert endpoint(printer_on(631)) == (
        "http://127.0.0.1:631/ipp/print",
        "ipp://127.0.0.1:631/ipp/print",
        False,
    )
    assert endpoint(printer_on(9100)) is None
    ipps = Device(
        id="x", ip="192.0.2.20", services=(Service("_ipps._tcp", port=443, txt={"rp": "printers/office"}),)
    )
    assert endpoint(ipps) == (
        "https://192.0.2.20:443/printers/office",
        "ipps://192.0.2.20:443/printers/office",
        True,
    )


def test_a_paused_printer_reports_state_reasons_model_and_supplies() -> None:
    outcome, requests, _elapsed = ask(PAUSED)
    [request] = requests
    assert struct.unpack_from("!H", request, 2)[0] == 0x000B  # Get-Printer-Attributes, nothing else
    assert outcome.value("ipp.answered", SUBJECT) is True
    assert outcome.value("ipp.state", SUBJECT) == "stopped"
    assert outcome.value("ipp.state_reasons", SUBJECT) == ["paused", "media-empty-warning"]
    assert outcome.value("ipp.make_model", SUBJECT) == "Brother HL-L2350DW series"
    [toner] = outcome.value("ipp.supplies", SUBJECT)  # type: ignore[misc]
    assert toner == {
        "name": "Black Toner",
        "type": None,
        "color": None,
        "level": 8,
        "low": 10,
        "high": None,
        "is_low": True,
    }


def test_unknown_supply_levels_are_not_low() -> None:
    decoded = parse_response(
        response(attr(0x44, "marker-names", b"Cyan"), attr(0x21, "marker-levels", struct.pack("!i", -2)))
    )
    assert supplies(decoded) == [
        {
            "name": "Cyan",
            "type": None,
            "color": None,
            "level": None,
            "low": None,
            "high": None,
            "is_low": False,
        }
    ]


@pytest.mark.parametrize(
    ("body", "why"),
    [
        pytest.param(
            response()[:-1] + b"\x04\x23" + struct.pack("!H", 13) + b"printer-state" + struct.pack("!h", -5),
            "negative value length",
            id="negative-length",
        ),
        pytest.param(PAUSED[:40], "malformed IPP answer", id="truncated"),
        pytest.param(response(status=0x0400), "IPP status 0x0400", id="error-status"),
        pytest.param(b"\x02\x00" + b"\x00" * (300 * 1024), "larger than 256 KiB", id="oversized"),
    ],
)
def test_hostile_answers_become_evidence_never_a_crash(body: bytes, why: str) -> None:
    outcome, _requests, _elapsed = ask(body)
    assert outcome.result.outcome is Outcome.OK
    assert outcome.value("ipp.answered", SUBJECT) is False
    assert why in (outcome.observations("ipp.answered")[0].evidence or "")


def test_a_one_byte_per_second_answer_ends_at_the_total_deadline() -> None:
    outcome, _requests, elapsed = ask(PAUSED, trickle=True)
    assert outcome.value("ipp.answered", SUBJECT) is False
    assert elapsed < 10.0  # 8 s total for the request, body included


def test_a_printer_that_refuses_the_connection_did_not_answer() -> None:
    outcome = asyncio.run(run_live(PrinterIppProbe, facts={"discovery.devices": []}, target=printer_on(1)))
    assert outcome.value("ipp.answered", SUBJECT) is False


# --- print queues ---------------------------------------------------------------------------------

LPSTAT = """device for Office: ipp://192.0.2.20/ipp/print
device for Brother: dnssd://Brother%20HL._ipp._tcp.local./?uuid=0e2c8a36
device for Label: usb://Dymo/LabelWriter
"""


def test_cups_queues_with_their_hosts() -> None:
    outcome = asyncio.run(run_probe(PrintQueuesProbe, commands={("lpstat", "-v"): LPSTAT}))
    queues = outcome.value("printer.queues")
    assert [(q["name"], q["host"], q["network"]) for q in queues] == [  # type: ignore[index, union-attr]
        ("Office", "192.0.2.20", True),
        ("Brother", "Brother HL._ipp._tcp.local.", True),
        ("Label", "Dymo", False),
    ]
    assert outcome.value("printer.queue_count") == 3


def test_no_cups_means_not_applicable() -> None:
    outcome = asyncio.run(run_probe(PrintQueuesProbe, binaries=[]))
    assert outcome.result.outcome is Outcome.NOT_APPLICABLE


GET_PRINTER = """Name         : Office Laser
Type         : Local
DriverName   : Microsoft IPP Class Driver
PortName     : 192.0.2.20
PrinterStatus: Offline
"""
GET_PORT = """Name               : 192.0.2.20
Description        : Standard TCP/IP Port
PortMonitor        : TCPMON.DLL
PrinterHostAddress : 192.0.2.20
PortNumber         : 9100
Protocol           : 1
"""


def test_windows_queues_take_the_address_of_their_port() -> None:
    outcome = asyncio.run(
        run_probe(
            PrintQueuesProbe,
            platform=Platform.WINDOWS,
            commands={
                (
                    "powershell",
                    "-NoProfile",
                    "-NonInteractive",
                    "-Command",
                    "Get-Printer | Format-List",
                ): GET_PRINTER,
                (
                    "powershell",
                    "-NoProfile",
                    "-NonInteractive",
                    "-Command",
                    "Get-PrinterPort | Format-List",
                ): GET_PORT,
            },
        )
    )
    [queue] = outcome.value("printer.queues")  # type: ignore[misc]
    assert (queue["name"], queue["host"], queue["port"], queue["network"], queue["status"]) == (
        "Office Laser",
        "192.0.2.20",
        9100,
        True,
        "offline",
    )


# --- summary ------------------------------------------------------------------------------------

PRINTER = device_entry("p", "192.0.2.20", "printer", seen_by=["arp", "mdns"], names=["office"])


def summary(facts: dict[str, object], per_device: list[Observation] = ()) -> ProbeOutcome:  # type: ignore[assignment]
    base: dict[str, object] = {
        "discovery.devices": [PRINTER],
        "printer.queues": [],
        "lan.silent_peers": [],
        "baseline.missing_devices": None,
        "baseline.moved_devices": None,
    }
    observations = [Observation(fact=k, value=v, source="t") for k, v in {**base, **facts}.items()]  # type: ignore[arg-type]
    return asyncio.run(run_probe(PrinterSummaryProbe, facts=[*observations, *per_device]))


def ipp(fact: str, value: object) -> Observation:
    return Observation(fact=fact, value=value, source="devices.printer_ipp", subject="device:p")  # type: ignore[arg-type]


def test_summary_of_a_paused_printer() -> None:
    outcome = summary(
        {},
        [
            ipp("ipp.answered", True),
            ipp("ipp.state", "stopped"),
            ipp("ipp.state_reasons", ["paused"]),
            ipp("ipp.supplies", [supply("Black", 5, is_low=True)]),
        ],
    )
    assert outcome.value("printer.found") is True and outcome.value("printer.announced") is True
    assert outcome.value("printer.reachable") is True and outcome.value("printer.state") == "stopped"
    assert outcome.value("printer.state_reasons") == ["paused"]
    assert outcome.value("printer.supply_low") is True
    assert outcome.value("printer.known_silent") is False
    assert outcome.value("printer.queue_address_ok") is None  # no network queue: no data, not "fine"


def test_summary_without_any_printer_says_so_and_sees_a_known_one_silent() -> None:
    outcome = summary(
        {
            "discovery.devices": [],
            "lan.silent_peers": [silent_peer("192.0.2.20", "printer", "office")],
        }
    )
    assert outcome.value("printer.found") is False
    assert outcome.value("printer.reachable") is None and outcome.value("printer.state") is None
    assert outcome.value("printer.known_silent") is True


def test_printer_addresses_from_the_lan_the_queues_and_the_baseline() -> None:
    # The address checks of the playbooks (ip.conflict on the printer's address) read one fact,
    # whatever found the printer: discovery, a print queue of this computer, or the baseline.
    printer = {**PRINTER, "mac": "02:00:00:00:00:20"}
    outcome = summary(
        {
            "discovery.devices": [printer, device_entry("pc", "192.0.2.30", "computer")],
            "printer.queues": [print_queue("Office", "192.0.2.21", scheme="ipp")],
            "baseline.missing_devices": [
                {"id": "printer-1", "ip": "192.0.2.9", "kind": "printer", "name": None, "vendor": None}
            ],
        }
    )
    assert outcome.value("printer.addresses") == ["192.0.2.9", "192.0.2.20", "192.0.2.21"]
    assert outcome.value("printer.macs") == ["02:00:00:00:00:20"]
    evidence = outcome.observations("printer.addresses")[0].evidence or ""
    assert "192.0.2.21 (print queue)" in evidence and "192.0.2.9 (baseline)" in evidence


def test_a_queue_printing_to_a_silent_address_while_the_printer_answers_elsewhere() -> None:
    outcome = summary(
        {"printer.queues": [print_queue("Office", "192.0.2.21", scheme="ipp")]},
        [ipp("ipp.answered", True), ipp("ipp.state", "idle"), ipp("ipp.state_reasons", [])],
    )
    assert outcome.value("printer.queue_address_ok") is False
    assert outcome.value("printer.queue_moved") is True


def test_a_queue_by_mdns_name_reaches_the_announced_printer() -> None:
    outcome = summary(
        {"printer.queues": [print_queue("Office", "office.local", scheme="ipp")]},
        [ipp("ipp.answered", True), ipp("ipp.state", "idle")],
    )
    assert outcome.value("printer.queue_address_ok") is True
    assert outcome.value("printer.queue_moved") is False


def test_the_worst_state_of_several_printers_wins() -> None:
    second = {**PRINTER, "id": "q", "ip": "192.0.2.21"}
    outcome = summary(
        {"discovery.devices": [PRINTER, second]},
        [
            ipp("ipp.answered", True),
            ipp("ipp.state", "idle"),
            Observation(fact="ipp.answered", value=True, source="x", subject="device:q"),
            Observation(fact="ipp.state", value="stopped", source="x", subject="device:q"),
        ],
    )
    assert outcome.value("printer.state") == "stopped"
