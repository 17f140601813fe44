"""Whole computers end to end: a checkup and the printer and no-internet complaints on a simulated
Windows (German and English), macOS and Ubuntu computer with systemd-resolved, each with the faults
that sit on the computer itself (a VPN holding the default route, a firewall or Public profile, a
queue paused on the computer) and a slow DNS server behind the stub.

Every command those systems would run is answered from recordings through the replay context
(``tests/computers/recordings.py``) and the platform is forced in the session; the probes that send
packets are replayed. A guard refuses any socket connection or datagram that is not local, so a
probe that reached for the network would fail the test instead of sending anything.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from homediag.app.diagnose import DiagnosisRun
from homediag.app.registry import load_registry
from homediag.core.model import FindingStatus, Report
from homediag.core.session import Audience
from tests.computers.recordings import KINDS, computer

PROBLEM = (FindingStatus.CONFIRMED, FindingStatus.LIKELY)
REGISTRY = load_registry(plugins=False)


@pytest.fixture(autouse=True)
def no_packets_leave(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any connect or send to a non-local address fails the test."""

    def local(address: Any) -> bool:
        if isinstance(address, (str, bytes)):
            return True  # AF_UNIX
        host = str(address[0])
        return host.startswith("127.") or host in ("::1", "localhost")

    for name in ("connect", "connect_ex", "sendto"):
        original = getattr(socket.socket, name)

        def guarded(self: socket.socket, *args: Any, _original: Any = original, _name: str = name) -> Any:
            address = args[-1] if _name == "sendto" else args[0]
            if not local(address):
                raise AssertionError(f"a probe tried to reach {address!r}: nothing may leave a replay")
            return _original(self, *args)

        monkeypatch.setattr(socket.socket, name, guarded)
    yield


def diagnose(kind: str, faults: tuple[str, ...], complaint: str | None, lang: str = "en") -> Report:
    recorded = computer(kind, faults)
    run = DiagnosisRun(
        recorded.session(lang=lang, audience=Audience.TECHNICIAN),
        recorded.registry(REGISTRY),
        complaint=complaint,
        system=recorded.system,
        contexts=recorded.contexts(),
    )
    asyncio.run(run.execute())
    return run.report()


def problems(report: Report) -> dict[str, FindingStatus]:
    return {f.code: f.status for f in report.findings if f.status in PROBLEM and f.code != "unknown"}


def top(report: Report) -> str | None:
    found = [f for f in report.findings if f.status in PROBLEM]
    return max(found, key=lambda f: f.probability).code if found else None


LANG = {"windows-de": "de"}

CASES = [
    # (fault, complaint, expected top finding)
    ("vpn", "no-internet", "host.vpn-route"),
    ("firewall", "printer", "host.firewall-blocks-lan"),
    ("paused-queue", "printer", "printer.queue-stopped"),
    ("slow-dns", "slow-internet", "dns.slow"),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("fault", "complaint", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_fault_on_the_computer_is_named(kind: str, fault: str, complaint: str, expected: str) -> None:
    report = diagnose(kind, (fault,), complaint, LANG.get(kind, "en"))
    assert report.context.platform == computer(kind).platform.value
    assert top(report) == expected, problems(report)
    # the router is not blamed for what the computer does
    assert not {"gateway.unreachable", "wan.down", "printer.offline"} & set(problems(report))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fault", ["vpn", "firewall", "paused-queue"])
def test_the_checkup_finds_it(kind: str, fault: str) -> None:
    expected = {
        "vpn": "host.vpn-route",
        "firewall": "host.firewall-blocks-lan",
        "paused-queue": "printer.queue-stopped",
    }
    report = diagnose(kind, (fault,), None, LANG.get(kind, "en"))
    assert problems(report) == {expected[fault]: problems(report).get(expected[fault])}
    assert expected[fault] in problems(report)


@pytest.mark.parametrize("kind", KINDS)
def test_the_checkup_points_at_slow_dns(kind: str) -> None:
    # A checkup reports dns.slow as its leading fault (a direct measurement decides its code).
    report = diagnose(kind, ("slow-dns",), None, LANG.get(kind, "en"))
    faults = [f for f in report.findings if f.status is not FindingStatus.NOT_TESTED and f.code != "unknown"]
    leading = max(faults, key=lambda f: f.probability)
    assert leading.code == "dns.slow"
    assert leading.status in (*PROBLEM, FindingStatus.POSSIBLE)


@pytest.mark.parametrize("kind", KINDS)
def test_a_healthy_computer_has_no_fault(kind: str) -> None:
    report = diagnose(kind, (), None, LANG.get(kind, "en"))
    assert problems(report) == {}
    assert {
        run.probe: run.outcome.value for run in report.probe_runs if run.probe in {"net.vpn", "net.proxy"}
    } == {
        "net.vpn": "ok",
        "net.proxy": "ok",
    }


def test_ubuntu_tests_the_dns_server_behind_the_stub() -> None:
    report = diagnose("ubuntu", ("slow-dns",), None)
    values = {(o.fact, o.subject): o.value for o in report.observations}
    assert values[("dns.stub", "local")] == "127.0.0.53"
    assert values[("dns.resolvers", "local")] == ["192.0.2.1", "2001:db8:1::1"]
    assert values[("dns.latency_ms", "resolver:192.0.2.1")] == 850.0
    assert ("dns.latency_ms", "resolver:127.0.0.53") not in values
    assert "dns.server-unreachable" not in problems(report)
    assert problems(diagnose("ubuntu", ("slow-dns",), "slow-internet")).get("dns.slow") in PROBLEM
