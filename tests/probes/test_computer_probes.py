"""The probes of what the computer itself does, on recorded outputs of each system (and their failure
paths: no root, unreadable output, missing tools). Whole computers end to end are in
``tests/playbooks/test_computers_e2e.py``; these check each probe's facts on its own."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from homediag.core.model import Outcome
from homediag.core.probe import CommandResult
from homediag.core.spec import Platform
from homediag.probes.devices.print_spooler import PrintSpoolerProbe
from homediag.probes.net.address_config import AddressConfigProbe
from homediag.probes.net.clock import ClockProbe, http_date
from homediag.probes.net.firewall import FirewallProbe
from homediag.probes.net.interfaces import InterfacesProbe
from homediag.probes.net.proxy import ProxyProbe
from homediag.probes.net.vpn import VpnProbe
from homediag.probes.wifi.printer_direct import PrinterDirectProbe
from homediag.testing import ProbeOutcome, http_response, run_probe
from tests.computers.recordings import CHECK_URL, computer, fixture


def on(kind: str, probe: type, faults: tuple[str, ...] = (), **kwargs: object) -> ProbeOutcome:
    recorded = computer(kind, faults)
    options: dict[str, object] = {
        "platform": recorded.platform,
        "system": recorded.system,
        "commands": recorded.commands,
        "http": recorded.http,
        **kwargs,
    }
    return asyncio.run(run_probe(probe, **options))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "interface"),
    [("windows-de", "Office"), ("windows-en", "Office"), ("macos", "utun0"), ("ubuntu", "wg0")],
)
def test_vpn_taking_the_default_route(kind: str, interface: str) -> None:
    outcome = on(kind, VpnProbe, ("vpn",))
    assert (outcome.value("vpn.active"), outcome.value("vpn.default_route")) == (True, True)
    assert outcome.value("vpn.interface") == interface


@pytest.mark.parametrize("kind", ["windows-de", "windows-en", "macos", "ubuntu"])
def test_no_vpn(kind: str) -> None:
    outcome = on(kind, VpnProbe)
    assert (outcome.value("vpn.active"), outcome.value("vpn.default_route")) == (False, False)


def test_vpn_on_macos_connected_but_split_tunnel() -> None:
    recorded = computer("macos", ("vpn",))
    commands = dict(recorded.commands)
    commands[("netstat", "-rn")] = fixture("netstat-rn", "no-default.txt")
    outcome = asyncio.run(run_probe(VpnProbe, platform=Platform.MACOS, commands=commands))
    assert (outcome.value("vpn.active"), outcome.value("vpn.default_route"), outcome.value("vpn.name")) == (
        True,
        False,
        "Office VPN",
    )


@pytest.mark.parametrize(
    ("kind", "profile", "hides"),
    [
        ("windows-de", "public", True),
        ("windows-en", "public", True),
        ("macos", None, True),
        ("ubuntu", None, True),
    ],
)
def test_firewall_hiding_the_lan(kind: str, profile: str | None, hides: bool) -> None:
    facts = {"interface.name": "Ethernet" if kind.startswith("windows") else "en0"}
    outcome = on(kind, FirewallProbe, ("firewall",), facts=facts)
    assert outcome.value("network.profile") == profile
    assert outcome.value("firewall.hides_lan") is hides


@pytest.mark.parametrize("kind", ["windows-de", "windows-en", "macos", "ubuntu"])
def test_firewall_not_hiding_the_lan(kind: str) -> None:
    facts = {"interface.name": "Ethernet" if kind.startswith("windows") else "en0"}
    assert on(kind, FirewallProbe, facts=facts).value("firewall.hides_lan") is False


def test_firewall_without_root_on_linux_says_so() -> None:
    outcome = asyncio.run(
        run_probe(
            FirewallProbe,
            facts={"interface.name": "enp3s0"},
            commands={("ufw",): CommandResult(("ufw",), 1, "", fixture("ufw-status", "not-root.txt"))},
        )
    )
    assert outcome.result.outcome is Outcome.OK
    assert outcome.value("firewall.hides_lan") is None
    assert "root" in (outcome.observations("firewall.hides_lan")[0].evidence or "")


@pytest.mark.parametrize("kind", ["windows-de", "windows-en", "macos", "ubuntu"])
def test_paused_queue(kind: str) -> None:
    outcome = on(kind, PrintSpoolerProbe, ("paused-queue",))
    assert outcome.value("printer.queue_paused") is True
    assert "Office Laser" in str(outcome.value("printer.paused_queues")) or "Office_Laser" in str(
        outcome.value("printer.paused_queues")
    )
    assert outcome.value("printer.spooler_running") is True


def test_stopped_windows_spooler_stops_there() -> None:
    recorded = computer("windows-en")
    commands = dict(recorded.commands)
    commands[
        (
            "powershell",
            "-NoProfile",
            "-NonInteractive",
            "-Command",
            "Get-Service Spooler | Format-List Name,Status,StartType",
        )
    ] = fixture("get-service-spooler", "stopped.txt")
    outcome = asyncio.run(run_probe(PrintSpoolerProbe, platform=Platform.WINDOWS, commands=commands))
    assert outcome.value("printer.spooler_running") is False
    assert not any("Get-Printer" in " ".join(argv) for argv in outcome.commands_run)


def test_cups_scheduler_not_running() -> None:
    outcome = asyncio.run(
        run_probe(PrintSpoolerProbe, commands={("lpstat", "-r"): "scheduler is not running\n"})
    )
    assert outcome.value("printer.spooler_running") is False


def test_windows_work_offline_counts_as_paused() -> None:
    recorded = computer("windows-de")
    commands = dict(recorded.commands)
    key = (
        "powershell",
        "-NoProfile",
        "-NonInteractive",
        "-Command",
        "Get-CimInstance Win32_Printer | Format-List Name,WorkOffline,Default",
    )
    commands[key] = fixture("win32-printer", "office-offline.txt")
    outcome = asyncio.run(run_probe(PrintSpoolerProbe, platform=Platform.WINDOWS, commands=commands))
    assert outcome.value("printer.paused_queues") == ["Office Laser"]


@pytest.mark.parametrize(("kind", "configured"), [("windows-de", False), ("macos", False), ("ubuntu", False)])
def test_no_proxy(kind: str, configured: bool) -> None:
    assert on(kind, ProxyProbe).value("proxy.configured") is configured


def test_windows_user_pac_script() -> None:
    recorded = computer("windows-de")
    commands = {**recorded.commands, ("reg", "query"): fixture("reg-internet-settings", "pac.txt")}
    outcome = asyncio.run(run_probe(ProxyProbe, platform=Platform.WINDOWS, commands=commands))
    assert (outcome.value("proxy.configured"), outcome.value("proxy.pac"), outcome.value("proxy.system")) == (
        True,
        True,
        False,
    )


def test_gnome_manual_proxy() -> None:
    commands = {
        ("gsettings", "get", "org.gnome.system.proxy", "mode"): "'manual'\n",
        ("gsettings", "get", "org.gnome.system.proxy.https", "host"): "'proxy.example'\n",
    }
    outcome = asyncio.run(run_probe(ProxyProbe, commands=commands))
    assert outcome.value("proxy.server") == "proxy.example"


def test_ubuntu_resolvers_are_the_servers_behind_the_stub() -> None:
    outcome = on("ubuntu", InterfacesProbe)
    assert outcome.value("dns.resolvers") == ["192.0.2.1", "2001:db8:1::1"]
    assert outcome.value("dns.stub") == "127.0.0.53"


def test_stub_without_resolvectl_reads_the_file_behind_it() -> None:
    recorded = computer("ubuntu")
    commands = {k: v for k, v in recorded.commands.items() if k[0] != "resolvectl"}
    files = {**recorded.system.files, "/run/systemd/resolve/resolv.conf": "nameserver 198.51.100.53\n"}
    system = type(recorded.system)(
        addresses=recorded.system.addresses, default_gateways=recorded.system.default_gateways, files=files
    )
    outcome = asyncio.run(run_probe(InterfacesProbe, system=system, commands=commands))
    assert outcome.value("dns.resolvers") == ["198.51.100.53"]


@pytest.mark.parametrize(("offset_s", "far"), [(0, False), (-86400 * 400, True)])
def test_clock_offset_from_the_date_header(offset_s: int, far: bool) -> None:
    server_time = datetime.now(UTC) - timedelta(seconds=offset_s)
    answer = http_response(CHECK_URL, 204, b"", Date=format_datetime(server_time, usegmt=True))
    outcome = asyncio.run(run_probe(ClockProbe, http={CHECK_URL: answer}))
    measured = outcome.value("clock.offset_s")
    assert isinstance(measured, float)
    assert abs(measured - offset_s) < 5
    assert (abs(measured) > 3600) is far


def test_clock_without_a_date_header_fails_loudly() -> None:
    outcome = asyncio.run(run_probe(ClockProbe, http={CHECK_URL: http_response(CHECK_URL, 204, b"")}))
    assert outcome.result.outcome is Outcome.ERROR
    assert "Date" in (outcome.result.reason or "")


@pytest.mark.parametrize("value", ["", "yesterday", "Sun, 06 Nov 1994 08:49:37 GMT" * 10, "Mon, 99 Foo 2024"])
def test_http_date_refuses_garbage(value: str) -> None:
    assert http_date(value) is None


def test_static_address_on_windows_and_networkmanager() -> None:
    windows = asyncio.run(
        run_probe(
            AddressConfigProbe,
            platform=Platform.WINDOWS,
            facts={"interface.name": "Ethernet", "interface.dhcp_enabled": False},
        )
    )
    assert windows.value("address.static") is True
    recorded = computer("ubuntu")
    commands = {
        **recorded.commands,
        ("nmcli", "-t", "-f", "ipv4.method,ipv4.ignore-auto-dns,ipv4.dns", "connection", "show"): (
            "ipv4.method:manual\nipv4.ignore-auto-dns:yes\nipv4.dns:198.51.100.53\n"
        ),
    }
    linux = asyncio.run(run_probe(AddressConfigProbe, facts={"interface.name": "enp3s0"}, commands=commands))
    assert (linux.value("address.static"), linux.value("dns.static"), linux.value("dns.static_servers")) == (
        True,
        True,
        ["198.51.100.53"],
    )


@pytest.mark.parametrize(
    ("ssid", "direct"),
    [("DIRECT-5C-HP OfficeJet 8010", True), ("DIRECT-xyBrother", True), ("Heimnetz", False)],
)
def test_printer_direct_wifi(ssid: str, direct: bool) -> None:
    outcome = asyncio.run(run_probe(PrinterDirectProbe, facts={"wifi.ssid": ssid, "wifi.in_use": True}))
    assert outcome.value("wifi.printer_direct") is direct


def test_printer_direct_needs_a_wifi_link() -> None:
    outcome = asyncio.run(run_probe(PrinterDirectProbe, facts={"wifi.in_use": False}))
    assert outcome.result.outcome is Outcome.NOT_APPLICABLE
