"""net.arp_conflict on recorded frames (the real exchange runs in tests/probes/netns)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from homediag.core.io import Exchange, Heard, Send
from homediag.core.model import Outcome
from homediag.net.arp import parse_arp_frame
from homediag.probes.net.arp_conflict import ArpConflictProbe, build_arp_request
from homediag.testing import ProbeOutcome, fake_io, run_probe
from homediag.testing.fakes import FakeL2
from tests.parsers.test_arp_frame import OTHER, ROUTER, US, arp_payload, frame

FACTS = {
    "interface.name": "eth0",
    "interface.mac": US,
    "interface.ipv4": ["192.0.2.10/24"],
    "gateway.ipv4": "192.0.2.1",
}
CONFLICT = frame(arp_payload(sender=OTHER, sender_ip="192.0.2.10", target=US, target_ip="0.0.0.0"), src=OTHER)
GATEWAY_REPLY = frame(arp_payload(sender=ROUTER, sender_ip="192.0.2.1"))
SPOOFED_GATEWAY = frame(arp_payload(sender=OTHER, sender_ip="192.0.2.1"), src=OTHER)


class Recorder:
    """Stands in for the L2 exchange: replays frames, keeps what was sent."""

    def __init__(self, frames: Sequence[bytes]) -> None:
        self.frames = frames
        self.sent: list[bytes] = []

    def __call__(
        self,
        iface: str,
        sends: Sequence[Send],
        listen_s: float,
        keep: Callable[[bytes], bool],
        **_: object,
    ) -> Exchange:
        assert iface == "eth0" and listen_s < 3
        self.sent.extend(s.frame for s in sends)
        kept = tuple(Heard(0.01, f) for f in self.frames if keep(f))
        return Exchange(heard=kept, sent=len(sends), seen=len(self.frames), truncated=False)


def run_arp(frames: Sequence[bytes], **facts: object) -> tuple[ProbeOutcome, Recorder]:
    recorder = Recorder(frames)
    outcome = asyncio.run(
        run_probe(
            ArpConflictProbe,
            facts={**FACTS, **facts},  # type: ignore[arg-type]
            privileged=True,
            io=fake_io(l2=FakeL2(recorder)),
        )
    )
    return outcome, recorder


def test_no_conflict_and_one_gateway_mac() -> None:
    outcome, recorder = run_arp([GATEWAY_REPLY])
    assert outcome.result.outcome is Outcome.OK
    assert outcome.value("ip.conflict") is False
    assert outcome.value("ip.conflict_macs") == []
    assert outcome.value("gateway.arp_macs") == [ROUTER]
    assert outcome.value("gateway.arp_mac_count") == 1
    sent = [parse_arp_frame(f) for f in recorder.sent]
    assert len(sent) == 4, "two tries for our address, two for the gateway"
    assert all(s.sender_ip.is_unspecified for s in sent[:2]), "RFC 5227 probes for our own address"
    assert str(sent[2].sender_ip) == "192.0.2.10", "no conflict: an ordinary request for the gateway"


def test_a_conflict_is_reported_and_the_gateway_is_then_asked_by_probe() -> None:
    outcome, recorder = run_arp([CONFLICT, CONFLICT, GATEWAY_REPLY])
    assert outcome.value("ip.conflict") is True
    assert outcome.value("ip.conflict_macs") == [OTHER]
    assert outcome.observations("ip.conflict_macs")[0].sensitive
    sent = [parse_arp_frame(f) for f in recorder.sent]
    assert all(s.sender_ip.is_unspecified for s in sent), "never claim an address in conflict"


def test_two_macs_answer_for_the_gateway() -> None:
    outcome, _ = run_arp([GATEWAY_REPLY, SPOOFED_GATEWAY])
    assert outcome.value("gateway.arp_mac_count") == 2
    assert outcome.value("ip.conflict") is False


def test_no_gateway_is_not_measured() -> None:
    outcome, recorder = run_arp([], **{"gateway.ipv4": None})
    assert outcome.value("gateway.arp_mac_count") is None
    assert len(recorder.sent) == 2


def test_without_raw_sockets_it_is_not_permitted_and_says_why() -> None:
    recorder = Recorder([])
    outcome = asyncio.run(
        run_probe(ArpConflictProbe, facts=FACTS, privileged=False, io=fake_io(l2=FakeL2(recorder)))  # type: ignore[arg-type]
    )
    assert outcome.result.outcome is Outcome.NOT_PERMITTED
    assert "neighbour table" in (outcome.result.reason or "")
    assert recorder.sent == []


def test_not_applicable_without_ipv4() -> None:
    outcome = asyncio.run(
        run_probe(ArpConflictProbe, facts={**FACTS, "interface.ipv4": []}, privileged=True)  # type: ignore[arg-type]
    )
    assert outcome.result.outcome is Outcome.NOT_APPLICABLE


def test_a_request_frame_is_broadcast_from_our_mac() -> None:
    import ipaddress

    parsed = parse_arp_frame(
        build_arp_request(US, ipaddress.IPv4Address(0), ipaddress.IPv4Address("192.0.2.10"))
    )
    assert parsed.is_probe and parsed.sender_mac == US and parsed.target_mac == "00:00:00:00:00:00"


def test_a_request_frame_is_byte_for_byte_the_one_scapy_builds() -> None:
    """The sweep packs its requests itself (scapy cost 4 ms each); they must stay scapy's frames."""
    import ipaddress

    from scapy.layers.l2 import ARP, Ether

    for mac, sender, target in [
        (US, "0.0.0.0", "192.0.2.10"),
        ("0a:1b:2c:3d:4e:5f", "192.0.2.2", "192.0.2.254"),
    ]:
        expected = Ether(src=mac, dst="ff:ff:ff:ff:ff:ff") / ARP(
            op=1, hwsrc=mac, psrc=sender, hwdst="00:00:00:00:00:00", pdst=target
        )
        built = build_arp_request(mac, ipaddress.IPv4Address(sender), ipaddress.IPv4Address(target))
        assert built == bytes(expected)
