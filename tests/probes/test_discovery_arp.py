"""discovery.arp on a simulated LAN (the L2 exchange is replaced by a recorder that answers like hosts
would) and on a recorded neighbour table; the real sweep runs in the lab (tests/lab)."""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
import time

import pytest

from homediag.core.devices import ROLE_GATEWAY, ROLE_SELF
from homediag.core.model import Outcome
from homediag.net import l2
from homediag.net.arp import is_reply_in, parse_arp_frame
from homediag.net.l2 import MIN_GAP_S, SWEEP_BURST, Exchange, Heard
from homediag.probes.discovery import arp as arp_sweep
from homediag.probes.discovery.arp import (
    Answer,
    ArpSweepProbe,
    collect,
    duplicates,
    sweep_targets,
)
from homediag.testing import ProbeOutcome, run_probe
from tests.parsers.test_arp_frame import US, arp_payload, frame

SUBNET = ipaddress.IPv4Network("192.0.2.0/29")
FACTS = {
    "interface.name": "eth0",
    "interface.mac": US,
    "interface.ipv4": ["192.0.2.2/29"],
    "interface.subnet": "192.0.2.0/29",
    "gateway.ipv4": "192.0.2.1",
}
HOSTS = {
    "192.0.2.1": ["00:00:5e:00:53:01"],
    "192.0.2.3": ["3c:2a:f4:00:53:03"],
    "192.0.2.5": ["00:00:5e:00:53:05", "00:00:5e:00:53:55"],  # two MACs: a duplicate address
}


def reply(ip: str, mac: str) -> bytes:
    return frame(arp_payload(sender=mac, sender_ip=ip, target=US, target_ip="192.0.2.2"), src=mac)


class FakeLan:
    """Stands in for scapy's layer-2 socket: every host answers each request for its address at once;
    the requests sent are recorded with their send times."""

    def __init__(self, hosts: dict[str, list[str]], *, shy: frozenset[str] = frozenset()) -> None:
        self.hosts = hosts
        self.shy = set(shy)
        """Addresses that stay silent the first time they are asked (a lost frame)."""
        self.sent: list[tuple[float, str]] = []
        self.inbox: list[bytes] = []
        self.opened = 0

    def socket(self, iface: str, promisc: bool) -> FakeLan:
        assert iface == "eth0" and promisc is False
        self.opened += 1
        return self

    def send(self, packet: object) -> None:
        target = str(parse_arp_frame(bytes(packet)).target_ip)  # type: ignore[call-overload]
        self.sent.append((time.monotonic(), target))
        if target in self.shy:
            self.shy.discard(target)
            return
        self.inbox += [reply(target, mac) for mac in self.hosts.get(target, [])]

    def select(self, socks: list[FakeLan], timeout: float) -> list[FakeLan]:
        if self.inbox:
            return socks
        time.sleep(timeout)
        return socks if self.inbox else []

    def recv_raw(self, _size: int) -> tuple[None, bytes | None, None]:
        return None, self.inbox.pop(0) if self.inbox else None, None

    def close(self) -> None:
        pass

    @property
    def rounds(self) -> list[list[tuple[float, str]]]:
        """The requests of the first round (one per target) and of the retry round."""
        first: list[tuple[float, str]] = []
        for item in self.sent:
            if any(item[1] == t for _at, t in first):
                break
            first.append(item)
        return [first, self.sent[len(first) :]] if self.sent else []


def install(monkeypatch: pytest.MonkeyPatch, lan: FakeLan) -> None:
    from scapy.config import conf

    class Socket:
        def __new__(cls, iface: str, promisc: bool) -> FakeLan:  # type: ignore[misc]
            return lan.socket(iface, promisc)

        @staticmethod
        def select(socks: list[FakeLan], timeout: float) -> list[FakeLan]:
            return lan.select(socks, timeout)

    monkeypatch.setattr(conf, "L2socket", Socket)
    monkeypatch.setattr(FakeLan, "select", staticmethod(lan.select))


def sweep(monkeypatch: pytest.MonkeyPatch, lan: FakeLan, **facts: object) -> ProbeOutcome:
    install(monkeypatch, lan)
    return asyncio.run(run_probe(ArpSweepProbe, facts={**FACTS, **facts}, privileged=True))  # type: ignore[arg-type]


def test_targets_are_the_subnet_hosts_without_our_own_address() -> None:
    targets = sweep_targets(SUBNET, ipaddress.IPv4Address("192.0.2.2"))
    assert [str(t) for t in targets] == ["192.0.2.1", "192.0.2.3", "192.0.2.4", "192.0.2.5", "192.0.2.6"]


@pytest.mark.parametrize(
    ("data", "kept"),
    [
        pytest.param(reply("192.0.2.3", "00:00:5e:00:53:03"), True, id="reply-in-subnet"),
        pytest.param(reply("198.51.100.3", "00:00:5e:00:53:03"), False, id="reply-outside-subnet"),
        pytest.param(frame(arp_payload(op=1, sender_ip="192.0.2.3")), False, id="request"),
        pytest.param(frame(arp_payload(sender_ip="192.0.2.3"), encap="vlan"), True, id="vlan-tagged-reply"),
        pytest.param(reply("192.0.2.3", "00:00:5e:00:53:03")[:30], False, id="truncated"),
        pytest.param(frame(arp_payload(sender_ip="192.0.2.3", hwlen=8)), False, id="hwlen-8"),
    ],
)
def test_only_arp_replies_from_the_subnet_are_kept(data: bytes, kept: bool) -> None:
    assert is_reply_in(data, SUBNET) is kept


def test_collect_keeps_every_mac_of_an_address_and_counts_malformed() -> None:
    frames = [reply("192.0.2.5", "00:00:5e:00:53:05"), reply("192.0.2.5", "00:00:5e:00:53:55"), b"\x00" * 42]
    exchange = Exchange(heard=tuple(Heard(0.0, f) for f in frames), sent=1, seen=3, truncated=False)
    answers, malformed = collect([exchange], {ipaddress.IPv4Address("192.0.2.5")})
    assert answers == [Answer(ipaddress.IPv4Address("192.0.2.5"), ("00:00:5e:00:53:05", "00:00:5e:00:53:55"))]
    assert malformed == 1
    assert duplicates(answers) == answers


def test_the_sweep_finds_hosts_duplicates_and_marks_the_gateway(monkeypatch: pytest.MonkeyPatch) -> None:
    lan = FakeLan(HOSTS)
    outcome = sweep(monkeypatch, lan)
    assert outcome.result.outcome is Outcome.OK
    hosts = outcome.value("arp.hosts")
    assert [h["ip"] for h in hosts] == ["192.0.2.1", "192.0.2.3", "192.0.2.5"]  # type: ignore[index]
    assert hosts[1]["vendor"] == "Brother Industries, LTD."  # type: ignore[index]
    assert outcome.value("arp.host_count") == 3 and outcome.value("arp.targets") == 5
    assert outcome.value("lan.duplicate_ip") is True
    assert outcome.value("lan.duplicate_ips") == [
        {"ip": "192.0.2.5", "macs": ["00:00:5e:00:53:05", "00:00:5e:00:53:55"]}
    ]
    devices = outcome.result.devices
    gateway = next(d for d in devices if d.ip == "192.0.2.1")
    assert any(e.claim == ROLE_GATEWAY for e in gateway.evidence)
    me = next(d for d in devices if d.ip == "192.0.2.2")
    assert any(e.claim == ROLE_SELF for e in me.evidence) and me.mac == US
    assert {d.mac for d in devices if d.ip == "192.0.2.5"} == set(HOSTS["192.0.2.5"])


def test_one_socket_paced_requests_never_ask_for_our_address_and_retry_only_the_silent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lan = FakeLan(HOSTS, shy=frozenset({"192.0.2.3"}))
    outcome = sweep(monkeypatch, lan)
    assert lan.opened == 1, "both rounds on one socket"
    first, second = lan.rounds
    asked = [target for _at, target in first]
    assert "192.0.2.2" not in asked and len(asked) == 5
    times = [at for at, _t in lan.sent]
    for i, j in itertools.combinations(range(len(times)), 2):  # one frame per 2 ms, bursts of 8 at most
        assert j - i <= SWEEP_BURST - 1 + (times[j] - times[i]) / MIN_GAP_S + 1e-6
    assert {target for _at, target in second} == {"192.0.2.3", "192.0.2.4", "192.0.2.6"}
    assert "192.0.2.3" in [h["ip"] for h in outcome.value("arp.hosts")]  # type: ignore[index, union-attr]


def test_a_single_try_sends_no_retry_round(monkeypatch: pytest.MonkeyPatch) -> None:
    lan = FakeLan(HOSTS, shy=frozenset({"192.0.2.3"}))
    install(monkeypatch, lan)
    outcome = asyncio.run(
        run_probe(ArpSweepProbe, facts=FACTS, privileged=True, args={"tries": 1})  # type: ignore[arg-type]
    )
    assert len(lan.sent) == 5
    assert "192.0.2.3" not in [h["ip"] for h in outcome.value("arp.hosts")]  # type: ignore[index, union-attr]


def test_a_subnet_larger_than_a_22_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    lan = FakeLan(HOSTS)
    outcome = sweep(
        monkeypatch, lan, **{"interface.ipv4": ["10.1.0.2/16"], "interface.subnet": "10.1.0.0/16"}
    )
    assert outcome.result.outcome is Outcome.NOT_APPLICABLE
    assert "larger than a /22" in (outcome.result.reason or "")
    assert lan.rounds == []


def test_a_public_subnet_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    lan = FakeLan(HOSTS)
    outcome = sweep(monkeypatch, lan, **{"interface.ipv4": ["8.8.8.2/29"], "interface.subnet": "8.8.8.0/29"})
    assert outcome.result.outcome is Outcome.NOT_APPLICABLE and lan.rounds == []


NEIGHBOURS = """192.0.2.1 lladdr 00:00:5e:00:53:01 REACHABLE
192.0.2.3 lladdr 3c:2a:f4:00:53:03 STALE
192.0.2.4 FAILED
192.0.2.6 INCOMPLETE
198.51.100.9 lladdr 00:00:5e:00:53:09 STALE
"""


def test_without_root_the_neighbour_table_after_connection_attempts(monkeypatch: pytest.MonkeyPatch) -> None:
    nudged: list[str] = []

    async def fake_nudge(targets: list[ipaddress.IPv4Address], *, budget_s: float) -> None:
        assert budget_s > 0
        nudged.extend(str(t) for t in targets)

    monkeypatch.setattr(arp_sweep, "nudge", fake_nudge)
    outcome = asyncio.run(
        run_probe(ArpSweepProbe, facts=FACTS, privileged=False, commands={("ip", "-4", "neigh"): NEIGHBOURS})
    )
    assert nudged == ["192.0.2.1", "192.0.2.3", "192.0.2.4", "192.0.2.5", "192.0.2.6"]
    assert [h["ip"] for h in outcome.value("arp.hosts")] == ["192.0.2.1", "192.0.2.3"]  # type: ignore[index, union-attr]
    assert outcome.value("lan.duplicate_ip") is None  # not measurable, never "False"
    assert outcome.result.method and "neighbour table" in outcome.result.method


def test_the_unprivileged_nudge_is_paced_and_bounded() -> None:
    async def go() -> float:
        loop = asyncio.get_running_loop()
        started = loop.time()
        await arp_sweep.nudge([ipaddress.IPv4Address("127.0.0.1")] * 50, budget_s=0.2)
        return loop.time() - started

    # 100 per second at most: within a 0.2 s budget only about 20 attempts start, and it ends in time.
    assert asyncio.run(go()) < 1.5


def test_root_without_raw_sockets_falls_back_and_finds_no_duplicates(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*_args: object, **_kwargs: object) -> Exchange:
        raise PermissionError(1, "Operation not permitted")

    async def fake_nudge(targets: list[ipaddress.IPv4Address], *, budget_s: float) -> None:
        return None

    monkeypatch.setattr(l2, "sweep", refused)
    monkeypatch.setattr(arp_sweep, "nudge", fake_nudge)
    outcome = asyncio.run(
        run_probe(ArpSweepProbe, facts=FACTS, privileged=True, commands={("ip", "-4", "neigh"): NEIGHBOURS})
    )
    assert outcome.result.outcome is Outcome.OK
    assert outcome.value("lan.duplicate_ip") is None
    assert outcome.value("arp.host_count") == 2


PROC_NET_ARP = """IP address       HW type     Flags       HW address            Mask     Device
192.0.2.1        0x1         0x2         00:00:5e:00:53:01     *        eth0
192.0.2.3        0x1         0x2         3c:2a:f4:00:53:03     *        eth0
192.0.2.4        0x1         0x0         00:00:00:00:00:00     *        eth0
198.51.100.9     0x1         0x2         00:00:5e:00:53:09     *        wlan0
"""


def test_without_ip_and_arp_the_kernel_table_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    from homediag.testing import RecordedSystem

    async def fake_nudge(targets: list[ipaddress.IPv4Address], *, budget_s: float) -> None:
        return None

    monkeypatch.setattr(arp_sweep, "nudge", fake_nudge)
    system = RecordedSystem(files={"/proc/net/arp": PROC_NET_ARP})
    outcome = asyncio.run(
        run_probe(ArpSweepProbe, facts=FACTS, privileged=False, system=system, commands={})
    )
    assert outcome.result.outcome is Outcome.OK, outcome.result.reason
    assert [h["ip"] for h in outcome.value("arp.hosts")] == ["192.0.2.1", "192.0.2.3"]  # type: ignore[index, union-attr]


def test_without_any_neighbour_table_the_failure_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    async def fake_nudge(targets: list[ipaddress.IPv4Address], *, budget_s: float) -> None:
        return None

    monkeypatch.setattr(arp_sweep, "nudge", fake_nudge)
    outcome = asyncio.run(run_probe(ArpSweepProbe, facts=FACTS, privileged=False, commands={}))
    assert outcome.result.outcome is Outcome.ERROR
    assert "/proc/net/arp" in (outcome.result.reason or "")
