"""net.mtu: the search on recorded ping outputs, ICMP classification, and a real routed path in network
namespaces (router link MTU 1400, with and without ICMP fragmentation-needed)."""

from __future__ import annotations

import asyncio
import socket
import struct
from pathlib import Path

import pytest

from homediag.core.model import Outcome
from homediag.core.probe import CommandResult
from homediag.core.spec import Platform
from homediag.net.mtu import Probe1, classify_icmp, search
from homediag.net.mtu import Sender as _Sender
from homediag.probes.net.mtu import MtuProbe
from homediag.testing import RecordedSystem, run_probe
from tests.netns import Topology, drop_frag_needed, require_netns, routed_path

DF = Path(__file__).parent.parent / "parsers" / "fixtures" / "df-ping"
TARGET = "203.0.113.10"


class _Path(_Sender):
    """A simulated path: sizes up to ``mtu`` are answered, larger ones get frag-needed or vanish."""

    def __init__(self, mtu: int, *, frag_needed: bool, answers: bool = True) -> None:
        self.mtu, self.frag, self.answers = mtu, frag_needed, answers
        self.sizes: list[int] = []

    async def send(self, size: int, wait_s: float) -> Probe1:
        self.sizes.append(size)
        if not self.answers:
            return Probe1(size, False)
        if size <= self.mtu:
            return Probe1(size, True)
        return Probe1(size, False, frag_needed=self.frag, reported_mtu=self.mtu if self.frag else None)


SEARCHES = [
    ("clean path", _Path(1500, frag_needed=True), 1500, None, True),
    ("pppoe with frag-needed", _Path(1492, frag_needed=True), 1492, True, False),
    ("black hole at 1400", _Path(1400, frag_needed=False), 1400, False, False),
    ("odd black hole", _Path(1337, frag_needed=False), 1337, False, False),
    ("target silent", _Path(1500, frag_needed=False, answers=False), None, None, None),
]


@pytest.mark.parametrize(("case", "path", "mtu", "frag", "full_ok"), SEARCHES, ids=[c[0] for c in SEARCHES])
def test_search(case: str, path: _Path, mtu: int | None, frag: bool | None, full_ok: bool | None) -> None:
    result = asyncio.run(search(path, 1500, 0.1))
    assert result.path_mtu == mtu
    assert result.frag_needed is frag
    assert result.full_ok is full_ok
    assert len(path.sizes) <= 14


def test_frag_needed_shortens_the_search() -> None:
    path = _Path(1400, frag_needed=True)
    result = asyncio.run(search(path, 1500, 0.1))
    assert path.sizes == [576, 1500, 1400]
    assert result.reported_mtu == 1400 and result.exact


def test_one_lost_full_size_packet_is_retried() -> None:
    class Flaky(_Path):
        async def send(self, size: int, wait_s: float) -> Probe1:
            if size == 1500 and 1500 not in self.sizes:
                self.sizes.append(size)
                return Probe1(size, False)
            return await super().send(size, wait_s)

    path = Flaky(1500, frag_needed=False)
    result = asyncio.run(search(path, 1500, 0.1))
    assert result.full_ok is True and result.frag_needed is None
    assert path.sizes == [576, 1500, 1500]


def test_three_lost_full_size_packets_on_a_lossy_link_are_not_a_black_hole() -> None:
    # bench1.4: a link losing 10 % each way lost the full-size packet twice, and the checkup
    # confirmed wan.mtu-blackhole beside lan.packet-loss.
    class Lossy(_Path):
        async def send(self, size: int, wait_s: float) -> Probe1:
            if size == 1500 and self.sizes.count(1500) < 3:
                self.sizes.append(size)
                return Probe1(size, False)
            return await super().send(size, wait_s)

    path = Lossy(1500, frag_needed=False)
    result = asyncio.run(search(path, 1500, 0.1))
    assert result.full_ok is True
    assert path.sizes == [576, 1500, 1500, 1500, 1500]


def _ip(src: str, dst: str, payload: bytes, proto: int = 1) -> bytes:
    return (
        struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000, 64, proto, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
        + payload
    )


def test_icmp_classification() -> None:
    reply = _ip(TARGET, "198.51.100.2", struct.pack("!BBHHH", 0, 0, 0, 7, 3))
    assert classify_icmp(reply, 7, 3, TARGET) == "reply"
    assert classify_icmp(reply, 8, 3, TARGET) is None  # someone else's echo
    original = _ip("198.51.100.2", TARGET, struct.pack("!BBHHH", 8, 0, 0, 7, 3))
    frag = _ip("198.51.100.1", "198.51.100.2", struct.pack("!BBHHH", 3, 4, 0, 0, 1400) + original)
    assert classify_icmp(frag, 7, 3, TARGET) == ("frag", 1400)
    assert classify_icmp(frag, 7, 4, TARGET) is None  # about another request
    assert classify_icmp(frag[:40], 7, 3, TARGET) is None  # truncated


def test_recorded_linux_ping_path() -> None:
    # the path passes 1400 (frag-needed named it); the kernel then knows and refuses larger locally
    commands = {
        ("ping", "-n", "-M", "do", "-s", "548"): (DF / "linux-reply.txt").read_text(),
        ("ping", "-n", "-M", "do", "-s", "1472"): CommandResult(
            ("ping",), 1, (DF / "linux-frag-needed.txt").read_text(), ""
        ),
        ("ping", "-n", "-M", "do", "-s", "1372"): (DF / "linux-reply.txt").read_text(),
    }
    outcome = asyncio.run(
        run_probe(MtuProbe, args={"target": TARGET}, commands=commands, facts={"interface.name": "eth0"})
    )
    assert outcome.result.outcome is Outcome.OK
    assert outcome.result.method == "system ping with DF"
    assert outcome.value("mtu.path_mtu") == 1400
    assert outcome.value("mtu.frag_needed") is True
    assert outcome.value("mtu.reported_mtu") == 1400
    assert outcome.value("mtu.probes_sent") == 3


def test_interface_mtu_caps_the_full_size() -> None:
    commands = {("ping",): (DF / "linux-reply.txt").read_text()}
    system = RecordedSystem(files={"/sys/class/net/ppp0/mtu": "1492\n"})
    outcome = asyncio.run(
        run_probe(MtuProbe, args={"target": TARGET}, commands=commands, system=system,
                  facts={"interface.name": "ppp0"})
    )
    assert outcome.value("mtu.path_mtu") == 1492
    assert ("ping", "-n", "-M", "do", "-s", "1464", "-c", "1", "-W", "1", TARGET) in outcome.commands_run


def test_windows_uses_f_and_l() -> None:
    commands = {("ping", "-f"): (DF / "windows-en-reply.txt").read_text()}
    outcome = asyncio.run(
        run_probe(MtuProbe, args={"target": TARGET}, commands=commands, platform=Platform.WINDOWS,
                  facts={"interface.name": None})
    )
    assert outcome.commands_run[0][:4] == ("ping", "-f", "-l", "548")
    assert outcome.value("mtu.full_ok") is True


def test_busybox_ping_is_not_permitted() -> None:
    commands = {("ping",): CommandResult(("ping",), 1, "", (DF / "busybox-no-M.txt").read_text())}
    outcome = asyncio.run(run_probe(MtuProbe, args={"target": TARGET}, commands=commands,
                                    facts={"interface.name": None}))
    assert outcome.result.outcome is Outcome.NOT_PERMITTED


def test_without_ping_or_root_it_says_what_it_could_not_do() -> None:
    outcome = asyncio.run(run_probe(MtuProbe, args={"target": TARGET}, binaries=[],
                                    facts={"interface.name": None}))
    assert outcome.result.outcome is Outcome.NOT_PERMITTED
    assert "don't-fragment" in (outcome.result.reason or "")


def test_no_ipv4_target_is_not_applicable() -> None:
    outcome = asyncio.run(run_probe(MtuProbe, args={"target": "2001:db8::1"}, facts={"interface.name": None}))
    assert outcome.result.outcome is Outcome.NOT_APPLICABLE


@pytest.mark.parametrize("privileged", [True, False], ids=["raw-socket", "system-ping"])
@pytest.mark.parametrize("blackhole", [False, True], ids=["frag-needed", "black-hole"])
def test_real_path_in_namespaces(privileged: bool, blackhole: bool) -> None:
    require_netns()
    with Topology() as topo:
        client, router, _internet = routed_path(topo, far_mtu=1400)
        if blackhole:
            drop_frag_needed(topo, router)
        result = topo.run_probe(client, "homediag.probes.net.mtu:MtuProbe",
            args={"target": TARGET, "wait_s": 0.3}, facts={"interface.name": None}, privileged=privileged,
        )
    values = result["values"]
    assert isinstance(values, dict)
    assert result["outcome"] == "ok", result
    assert result["method"] == ("raw ICMP with DF" if privileged else "system ping with DF")
    assert values[("mtu.small_ok", "local")] is True
    assert values[("mtu.full_ok", "local")] is False
    assert values[("mtu.path_mtu", "local")] == 1400
    assert values[("mtu.frag_needed", "local")] is (not blackhole)
    assert values[("mtu.probes_sent", "local")] <= 14
