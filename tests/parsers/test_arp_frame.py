"""ARP frames: the encapsulations a LAN delivers, and malformed ones (docs/hostile-input.md#limits)."""

from __future__ import annotations

import contextlib
import ipaddress
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homediag.net.arp import ArpParseError, claims, is_arp, parse_arp_frame
from homediag.probes.net.arp_conflict import macs_speaking_for

US = "02:00:5e:00:53:0a"
OTHER = "02:00:5e:00:53:66"
ROUTER = "00:00:5e:00:53:01"
OUR_IP = ipaddress.IPv4Address("192.0.2.10")
GATEWAY = ipaddress.IPv4Address("192.0.2.1")


def mac(text: str) -> bytes:
    return bytes.fromhex(text.replace(":", ""))


def arp_payload(
    op: int = 2,
    sender: str = ROUTER,
    sender_ip: str = "192.0.2.1",
    target: str = US,
    target_ip: str = "192.0.2.10",
    hwlen: int = 6,
    plen: int = 4,
) -> bytes:
    return (
        struct.pack("!HHBBH", 1, 0x0800, hwlen, plen, op)
        + mac(sender)
        + ipaddress.IPv4Address(sender_ip).packed
        + mac(target)
        + ipaddress.IPv4Address(target_ip).packed
    )


def frame(payload: bytes, *, src: str = ROUTER, dst: str = US, encap: str = "plain") -> bytes:
    head = mac(dst) + mac(src)
    if encap == "vlan":
        return head + bytes.fromhex("8100") + struct.pack("!H", 7) + bytes.fromhex("0806") + payload
    if encap == "snap":
        body = bytes.fromhex("aaaa030000000806") + payload
        return head + struct.pack("!H", len(body)) + body
    return head + bytes.fromhex("0806") + payload


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(frame(arp_payload()), id="simple"),
        pytest.param(frame(arp_payload()) + bytes(18), id="padding-to-60-bytes"),
        pytest.param(frame(arp_payload(), encap="vlan"), id="vlan"),
        pytest.param(frame(arp_payload(), encap="snap"), id="llc-snap"),
        pytest.param(frame(arp_payload()) + b"TRAILER-BYTES", id="trailer"),
    ],
)
def test_encapsulations_parse_to_the_same_packet(data: bytes) -> None:
    assert is_arp(data) and claims(data, GATEWAY)
    parsed = parse_arp_frame(data)
    assert parsed.op == 2 and parsed.sender_mac == ROUTER and parsed.sender_ip == GATEWAY
    assert parsed.target_ip == OUR_IP and not parsed.source_mismatch


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        pytest.param(frame(arp_payload())[:30], "no complete ARP", id="truncated"),
        pytest.param(frame(arp_payload(hwlen=8)), "", id="hwlen-8"),
        pytest.param(frame(arp_payload(plen=0)), "", id="plen-0"),
        pytest.param(frame(arp_payload(op=9)), "unknown ARP operation", id="unknown-op"),
        pytest.param(b"", "", id="empty"),
    ],
)
def test_malformed_frames_are_refused(data: bytes, fragment: str) -> None:
    with pytest.raises(ArpParseError, match=fragment or None):
        parse_arp_frame(data)
    assert not claims(data, GATEWAY) or fragment == "unknown ARP operation"


def test_frame_source_differing_from_sender_mac_is_visible() -> None:
    parsed = parse_arp_frame(frame(arp_payload(sender=OTHER), src=ROUTER))
    assert parsed.source_mismatch


def test_locally_administered_sender_is_kept_as_sent() -> None:
    parsed = parse_arp_frame(frame(arp_payload(sender="02:00:5e:00:53:99"), src="02:00:5e:00:53:99"))
    assert parsed.sender_mac == "02:00:5e:00:53:99"


def test_an_rfc5227_probe_claims_nothing() -> None:
    probe = parse_arp_frame(
        frame(arp_payload(op=1, sender=OTHER, sender_ip="0.0.0.0", target="00:00:00:00:00:00"), src=OTHER)
    )
    assert probe.is_probe
    assert macs_speaking_for([probe], OUR_IP, exclude=US) == []


def test_duplicate_answers_count_once_and_our_own_mac_never() -> None:
    answers = [
        parse_arp_frame(frame(arp_payload(sender=OTHER, sender_ip="192.0.2.10"), src=OTHER)),
        parse_arp_frame(frame(arp_payload(sender=OTHER, sender_ip="192.0.2.10"), src=OTHER)),
        parse_arp_frame(frame(arp_payload(op=1, sender=US, sender_ip="192.0.2.10"), src=US)),
        parse_arp_frame(frame(arp_payload(sender=ROUTER, sender_ip="192.0.2.1"))),
    ]
    assert macs_speaking_for(answers, OUR_IP, exclude=US) == [OTHER]
    assert macs_speaking_for(answers, GATEWAY, exclude=US) == [ROUTER]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=120))
def test_random_bytes_never_escape(data: bytes) -> None:
    with contextlib.suppress(ArpParseError):
        parse_arp_frame(bytes.fromhex("ffffffffffff02005e0053010806") + data)
