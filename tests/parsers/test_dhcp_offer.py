"""DHCPOFFER frames: well-formed offers, and hostile ones (docs/hostile-input.md#limits)."""

from __future__ import annotations

import contextlib
import ipaddress
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homediag.net.dhcp import DhcpParseError, is_dhcp_reply, parse_dhcp_offer

XID = 0x1234ABCD
CLIENT = "02:00:5e:00:53:0a"
SERVER_MAC = "02:00:5e:00:53:01"
COOKIE = bytes.fromhex("63825363")


def offer_frame(
    *,
    server: str = "192.0.2.1",
    mac: str = SERVER_MAC,
    xid: int = XID,
    options: bytes | None = None,
    vlan: bool = False,
    cookie: bytes = COOKIE,
    yiaddr: str = "192.0.2.146",
) -> bytes:
    """A DHCPOFFER frame built by hand (so hostile variants are easy)."""
    if options is None:
        options = (
            bytes([53, 1, 2])
            + bytes([54, 4])
            + ipaddress.IPv4Address(server).packed
            + bytes([51, 4])
            + struct.pack("!I", 3600)
            + bytes([1, 4])
            + ipaddress.IPv4Address("255.255.255.0").packed
            + bytes([3, 4])
            + ipaddress.IPv4Address(server).packed
            + bytes([6, 8])
            + ipaddress.IPv4Address(server).packed
            + ipaddress.IPv4Address("192.0.2.2").packed
            + bytes([15, 3])
            + b"lan"
            + bytes([255])
        )
    chaddr = bytes.fromhex(CLIENT.replace(":", "")) + b"\x00" * 10
    bootp = (
        struct.pack("!BBBBIHH", 2, 1, 6, 0, xid, 0, 0x8000)
        + bytes(4)
        + ipaddress.IPv4Address(yiaddr).packed
        + ipaddress.IPv4Address(server).packed
        + bytes(4)
        + chaddr
        + bytes(64 + 128)
        + cookie
        + options
    )
    udp = struct.pack("!HHHH", 67, 68, 8 + len(bootp), 0) + bootp
    header = struct.pack(
        "!BBHHHBBH4s4s",
        0x45,
        0,
        20 + len(udp),
        1,
        0,
        64,
        17,
        0,
        ipaddress.IPv4Address(server).packed,
        bytes([255] * 4),
    )
    eth_type = (bytes.fromhex("8100") + struct.pack("!H", 5)) if vlan else b""
    ether = bytes([255] * 6) + bytes.fromhex(mac.replace(":", "")) + eth_type + bytes.fromhex("0800")
    return ether + header + udp


def test_a_full_offer() -> None:
    offer = parse_dhcp_offer(offer_frame())
    assert offer.server == ipaddress.IPv4Address("192.0.2.1")
    assert offer.source_mac == SERVER_MAC
    assert offer.client_mac == CLIENT
    assert offer.xid == XID
    assert offer.offered == ipaddress.IPv4Address("192.0.2.146")
    assert offer.subnet_mask == ipaddress.IPv4Address("255.255.255.0")
    assert offer.routers == (ipaddress.IPv4Address("192.0.2.1"),)
    assert offer.dns_servers == (ipaddress.IPv4Address("192.0.2.1"), ipaddress.IPv4Address("192.0.2.2"))
    assert offer.has_dns_option and offer.lease_s == 3600 and offer.domain == "lan"
    assert not offer.overload and not offer.malformed_options
    assert offer.as_json()["dns_servers"] == ["192.0.2.1", "192.0.2.2"]


def test_two_offers_from_different_servers_are_told_apart() -> None:
    first = parse_dhcp_offer(offer_frame())
    second = parse_dhcp_offer(offer_frame(server="192.0.2.2", mac="02:00:5e:00:53:02"))
    assert {first.server, second.server} == {
        ipaddress.IPv4Address("192.0.2.1"),
        ipaddress.IPv4Address("192.0.2.2"),
    }


def test_an_offer_without_dns_option() -> None:
    options = bytes([53, 1, 2, 54, 4]) + bytes([192, 0, 2, 2]) + bytes([255])
    offer = parse_dhcp_offer(offer_frame(server="192.0.2.2", options=options))
    assert not offer.has_dns_option and offer.dns_servers == ()
    assert offer.lease_s is None and offer.domain is None


def test_option_overload_is_flagged() -> None:
    options = bytes([53, 1, 2, 52, 1, 3, 255])
    assert parse_dhcp_offer(offer_frame(options=options)).overload


def test_zero_length_options_are_marked_malformed_not_guessed() -> None:
    options = bytes([53, 1, 2, 6, 0, 3, 4, 192, 0, 2, 1, 15, 200, 65])
    offer = parse_dhcp_offer(offer_frame(options=options))
    assert offer.malformed_options
    assert offer.dns_servers == ()


def test_300_options_do_not_break_the_parser() -> None:
    options = bytes([53, 1, 2]) + bytes([224, 0]) * 300 + bytes([255])
    offer = parse_dhcp_offer(offer_frame(options=options))
    assert offer.server == ipaddress.IPv4Address("192.0.2.1")


def test_bad_magic_cookie_is_refused() -> None:
    with pytest.raises(DhcpParseError, match="magic cookie"):
        parse_dhcp_offer(offer_frame(cookie=b"\x63\x82\x53\x64"))


def test_an_ack_is_not_an_offer() -> None:
    with pytest.raises(DhcpParseError, match="not a DHCPOFFER"):
        parse_dhcp_offer(offer_frame(options=bytes([53, 1, 5, 255])))


def test_vlan_tagged_offer() -> None:
    frame = offer_frame(vlan=True)
    assert is_dhcp_reply(frame, XID)
    assert parse_dhcp_offer(frame).server == ipaddress.IPv4Address("192.0.2.1")


def test_an_address_option_of_the_wrong_length_is_dropped() -> None:
    options = bytes([53, 1, 2, 3, 3, 192, 0, 2, 255])
    offer = parse_dhcp_offer(offer_frame(options=options))
    assert offer.routers == ()


@pytest.mark.parametrize(
    ("frame", "ours"),
    [
        pytest.param(offer_frame(), True, id="our-offer"),
        pytest.param(offer_frame(xid=XID + 1), False, id="another-transaction"),
        pytest.param(offer_frame()[:40], False, id="truncated-ip-header"),
        pytest.param(b"", False, id="empty"),
        pytest.param(bytes([255] * 12) + bytes.fromhex("0806") + bytes(28), False, id="arp"),
    ],
)
def test_cheap_filter(frame: bytes, ours: bool) -> None:
    assert is_dhcp_reply(frame, XID) is ours


@pytest.mark.parametrize("cut", [14, 34, 42, 100, 240, 245, 250])
def test_every_truncation_is_refused_or_parsed_never_raised(cut: int) -> None:
    with contextlib.suppress(DhcpParseError):
        parse_dhcp_offer(offer_frame()[:cut])


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_random_options_never_escape(options: bytes) -> None:
    frame = offer_frame(options=bytes([53, 1, 2]) + options)
    with contextlib.suppress(DhcpParseError):
        parse_dhcp_offer(frame)
