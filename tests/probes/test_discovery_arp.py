"""discovery.arp on a simulated LAN (the L2 exchange is replaced by a recorder that answers like hosts
would) and on a recorded neighbour table; the real sweep runs in the lab (tests/lab)."""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
from collections.abc import Callable, Sequence

import pytest

from homediag.core.devices import ROLE_GATEWAY, ROLE_SELF
from homediag.core.io import Exchange, Heard, Send
from homediag.core.model import Outcome
from homediag.core.probe import ProbeContext
from homediag.core.session import Session
from homediag.net.arp import parse_arp_frame
from homediag.net.l2 import MIN_GAP_S
from homediag.net.live import live_io
from homediag.probes.discovery import arp as arp_sweep
from homediag.probes.discovery.arp import (
    Answer,
    ArpSweepProbe,
    collect,
    duplicates,
    is_reply_in,
    sweep_targets,
)
from homediag.testing import ProbeOutcome, fake_io, run_probe
from homediag.testing.fakes import FakeL2, FakeTcp
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
    """Stands in for the L2 exchange: every host answers each request for its address."""

    def __init__(self, hosts: dict[str, list[str]], *, shy: frozenset[str] = frozenset()) -> None:
        self.hosts = hosts
        self.shy = set(shy)
        """Addresses that stay silent the first time they are asked (a lost frame)."""
        self.rounds: list[list[Send]] = []

    def __call__(
        self, iface: str, sends: Sequence[Send], listen_s: float, keep: Callable[[bytes], bool], **_: object
    ) -> Exchange:
        assert iface == "eth0" and listen_s < 5
        self.rounds.append(list(sends))
        heard = []
        for send in sends:
            target = str(parse_arp_frame(send.frame).target_ip)
            if target in self.shy:
                self.shy.discard(target)
                continue
            for mac in self.hosts.get(target, []):
                answer = reply(target, mac)
                if keep(answer):
                    heard.append(Heard(send.at_s + 0.001, answer))
        return Exchange(heard=tuple(heard), sent=len(sends), seen=len(heard), truncated=False)


def sweep(lan: FakeLan, **facts: object) -> ProbeOutcome:
    io = fake_io(l2=FakeL2(lan))
    return asyncio.run(run_probe(ArpSweepProbe, facts={**FACTS, **facts}, privileged=True, io=io))  # type: ignore[arg-type]


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


def test_the_sweep_finds_hosts_duplicates_and_marks_the_gateway() -> None:
    lan = FakeLan(HOSTS)
    outcome = sweep(lan)
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


def test_paced_requests_never_ask_for_our_address_and_retry_only_the_silent() -> None:
    lan = FakeLan(HOSTS, shy=frozenset({"192.0.2.3"}))
    outcome = sweep(lan)
    first, second = lan.rounds
    asked = [str(parse_arp_frame(s.frame).target_ip) for s in first]
    assert "192.0.2.2" not in asked and len(asked) == 5
    gaps = [b.at_s - a.at_s for a, b in itertools.pairwise(first)]
    assert min(gaps) >= MIN_GAP_S - 1e-9
    retried = {str(parse_arp_frame(s.frame).target_ip) for s in second}
    assert retried == {"192.0.2.3", "192.0.2.4", "192.0.2.6"}
    assert "192.0.2.3" in [h["ip"] for h in outcome.value("arp.hosts")]  # type: ignore[index, union-attr]


def test_a_subnet_larger_than_a_22_is_refused() -> None:
    lan = FakeLan(HOSTS)
    outcome = sweep(
        lan, **{"interface.ipv4": ["10.1.0.2/16"], "interface.subnet": "10.1.0.0/16"}
    )
    assert outcome.result.outcome is Outcome.NOT_APPLICABLE
    assert "larger than a /22" in (outcome.result.reason or "")
    assert lan.rounds == []


def test_a_public_subnet_is_refused() -> None:
    lan = FakeLan(HOSTS)
    outcome = sweep(lan, **{"interface.ipv4": ["8.8.8.2/29"], "interface.subnet": "8.8.8.0/29"})
    assert outcome.result.outcome is Outcome.NOT_APPLICABLE and lan.rounds == []


NEIGHBOURS = """192.0.2.1 lladdr 00:00:5e:00:53:01 REACHABLE
192.0.2.3 lladdr 3c:2a:f4:00:53:03 STALE
192.0.2.4 FAILED
192.0.2.6 INCOMPLETE
198.51.100.9 lladdr 00:00:5e:00:53:09 STALE
"""


def test_without_root_the_neighbour_table_after_connection_attempts() -> None:
    tcp = FakeTcp()
    outcome = asyncio.run(
        run_probe(
            ArpSweepProbe,
            facts=FACTS,
            privileged=False,
            commands={("ip", "-4", "neigh"): NEIGHBOURS},
            io=fake_io(tcp=tcp),
        )
    )
    nudged = [host for host, port in tcp.connects if port == 80]
    assert nudged == ["192.0.2.1", "192.0.2.3", "192.0.2.4", "192.0.2.5", "192.0.2.6"]
    assert [h["ip"] for h in outcome.value("arp.hosts")] == ["192.0.2.1", "192.0.2.3"]  # type: ignore[index, union-attr]
    assert outcome.value("lan.duplicate_ip") is None  # not measurable, never "False"
    assert outcome.result.method and "neighbour table" in outcome.result.method


def test_the_unprivileged_nudge_is_paced_and_bounded() -> None:
    async def go() -> float:
        loop = asyncio.get_running_loop()
        started = loop.time()
        ctx = ProbeContext(ArpSweepProbe.spec, Session(), io=live_io())
        await arp_sweep.nudge(ctx, [ipaddress.IPv4Address("127.0.0.1")] * 50, budget_s=0.2)
        return loop.time() - started

    # 100 per second at most: within a 0.2 s budget only about 20 attempts start, and it ends in time.
    assert asyncio.run(go()) < 1.5


def test_root_without_raw_sockets_falls_back_and_finds_no_duplicates() -> None:
    def refused(*_args: object, **_kwargs: object) -> Exchange:
        raise PermissionError(1, "Operation not permitted")

    outcome = asyncio.run(
        run_probe(
            ArpSweepProbe,
            facts=FACTS,
            privileged=True,
            commands={("ip", "-4", "neigh"): NEIGHBOURS},
            io=fake_io(l2=FakeL2(refused), tcp=FakeTcp()),
        )
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


def test_without_ip_and_arp_the_kernel_table_is_read() -> None:
    from homediag.testing import RecordedSystem

    system = RecordedSystem(files={"/proc/net/arp": PROC_NET_ARP})
    outcome = asyncio.run(
        run_probe(
            ArpSweepProbe,
            facts=FACTS,
            privileged=False,
            system=system,
            commands={},
            io=fake_io(tcp=FakeTcp()),
        )
    )
    assert outcome.result.outcome is Outcome.OK, outcome.result.reason
    assert [h["ip"] for h in outcome.value("arp.hosts")] == ["192.0.2.1", "192.0.2.3"]  # type: ignore[index, union-attr]


def test_without_any_neighbour_table_the_failure_says_so() -> None:
    outcome = asyncio.run(
        run_probe(ArpSweepProbe, facts=FACTS, privileged=False, commands={}, io=fake_io(tcp=FakeTcp()))
    )
    assert outcome.result.outcome is Outcome.ERROR
    assert "/proc/net/arp" in (outcome.result.reason or "")
