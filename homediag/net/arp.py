"""ARP frames (Ethernet, 802.1Q VLAN or LLC/SNAP encapsulated), for the address-conflict probe.

An ARP reply from 192.0.2.1 to 192.0.2.10, in hex::

    02005e00530a 02005e005301 0806          Ethernet: to us, from the replier, type ARP
    0001 0800 06 04 0002                    Ethernet/IPv4, hwlen 6, plen 4, op 2 (reply)
    02005e005301 c0000201                   sender MAC, sender IP 192.0.2.1
    02005e00530a c000020a                   target MAC, target IP 192.0.2.10

:func:`is_arp` is a cheap structural test on raw bytes; :func:`parse_arp_frame` dissects with scapy and
accepts only Ethernet/IPv4 ARP with hwlen 6 and plen 4 and all 28 bytes present. An RFC 5227 probe
(sender IP 0.0.0.0) parses like any request; callers decide what it means.
"""

from __future__ import annotations

import ipaddress
import struct
from collections.abc import Iterable
from dataclasses import dataclass

from homediag.core.devices import normalise_mac
from homediag.core.io import Exchange
from homediag.net.errors import ParseError

ETH_ARP = 0x0806
ETH_VLAN = 0x8100
SNAP_ARP = bytes.fromhex("aaaa030000000806")
ARP_REQUEST = 1
ARP_REPLY = 2


class ArpParseError(ParseError):
    """The frame is not a well-formed Ethernet/IPv4 ARP packet."""


@dataclass(frozen=True)
class ArpFrame:
    """One ARP packet and the Ethernet source it came from."""

    op: int
    sender_mac: str
    sender_ip: ipaddress.IPv4Address
    target_mac: str
    target_ip: ipaddress.IPv4Address
    frame_src_mac: str

    @property
    def is_probe(self) -> bool:
        """An RFC 5227 probe: a request with sender IP 0.0.0.0 (announces nothing)."""
        return self.op == ARP_REQUEST and self.sender_ip.is_unspecified

    @property
    def source_mismatch(self) -> bool:
        """The Ethernet source differs from the ARP sender MAC (a proxy, a bridge, or a forgery)."""
        return self.frame_src_mac != self.sender_mac


def arp_offset(frame: bytes) -> int | None:
    """Where the ARP packet starts in ``frame`` (plain, VLAN-tagged or LLC/SNAP), or None."""
    if len(frame) < 14:
        return None
    ethertype = struct.unpack_from("!H", frame, 12)[0]
    if ethertype == ETH_ARP:
        return 14
    if ethertype == ETH_VLAN and len(frame) >= 18:
        return 18 if struct.unpack_from("!H", frame, 16)[0] == ETH_ARP else None
    return 22 if ethertype <= 1500 and frame[14:22] == SNAP_ARP else None


def is_arp(frame: bytes) -> bool:
    """Whether ``frame`` carries ARP (plain, VLAN-tagged or LLC/SNAP)."""
    return arp_offset(frame) is not None


def claims(frame: bytes, address: ipaddress.IPv4Address) -> bool:
    """Whether ``frame`` is Ethernet/IPv4 ARP whose sender IP is ``address`` (a cheap byte test)."""
    start = arp_offset(frame)
    if start is None or len(frame) < start + 28:
        return False
    return frame[start + 4 : start + 6] == b"\x06\x04" and frame[start + 14 : start + 18] == address.packed


def parse_arp_frame(frame: bytes) -> ArpFrame:
    """Dissect an ARP frame; raise ``ArpParseError`` for anything else or anything malformed."""
    from scapy.layers.l2 import ARP, Ether

    try:
        packet = Ether(frame)
    except Exception as exc:  # noqa: BLE001 - scapy dissectors raise many types on hostile bytes
        raise ArpParseError(f"undecodable frame: {type(exc).__name__}") from None
    arp = packet.getlayer(ARP)
    if arp is None:
        raise ArpParseError("no complete ARP packet")
    if len(bytes(arp.original or b"")) < 28:
        raise ArpParseError("truncated ARP packet")
    if arp.hwtype != 1 or arp.ptype != 0x0800 or arp.hwlen != 6 or arp.plen != 4:
        raise ArpParseError("not Ethernet/IPv4 ARP")
    if arp.op not in (ARP_REQUEST, ARP_REPLY):
        raise ArpParseError(f"unknown ARP operation {arp.op}")
    sender_mac, target_mac = normalise_mac(str(arp.hwsrc)), normalise_mac(str(arp.hwdst))
    frame_src = normalise_mac(str(packet.src))
    if sender_mac is None or target_mac is None or frame_src is None:
        raise ArpParseError("malformed MAC address")
    try:
        sender_ip = ipaddress.IPv4Address(str(arp.psrc))
        target_ip = ipaddress.IPv4Address(str(arp.pdst))
    except ValueError:
        raise ArpParseError("malformed IPv4 address") from None
    return ArpFrame(
        op=int(arp.op),
        sender_mac=sender_mac,
        sender_ip=sender_ip,
        target_mac=target_mac,
        target_ip=target_ip,
        frame_src_mac=frame_src,
    )


MAX_FRAMES = 256


def build_arp_request(
    interface_mac: str, sender_ip: ipaddress.IPv4Address, target_ip: ipaddress.IPv4Address
) -> bytes:
    """A broadcast ARP request (a probe when ``sender_ip`` is 0.0.0.0): the 42 bytes scapy's
    ``Ether()/ARP()`` builds, packed directly (a sweep builds one per address of the subnet, and scapy
    took about 4 ms of CPU for each: a second for a /24 on a loaded machine, before the first frame)."""
    own = _mac_bytes(interface_mac)
    return b"".join(
        (
            b"\xff" * 6,  # broadcast
            own,
            _ETHERTYPE_ARP,
            _ARP_REQUEST_HEAD,
            own,
            ipaddress.IPv4Address(sender_ip).packed,
            b"\x00" * 6,
            ipaddress.IPv4Address(target_ip).packed,
        )
    )


_ETHERTYPE_ARP = b"\x08\x06"
_ARP_REQUEST_HEAD = bytes.fromhex("0001080006040001")
"""Ethernet hardware, IPv4 protocol, 6- and 4-byte addresses, a request."""


def _mac_bytes(mac: str) -> bytes:
    digits = mac.replace(":", "").replace("-", "")
    if len(digits) != 12:
        raise ValueError(f"not a MAC address: {mac[:40]!r}")
    return bytes.fromhex(digits)


def arp_frames(heard: Exchange) -> tuple[list[ArpFrame], int]:
    """The well-formed ARP packets heard, and how many frames were malformed."""
    frames: list[ArpFrame] = []
    malformed = 0
    for item in heard.heard[:MAX_FRAMES]:
        try:
            frames.append(parse_arp_frame(item.frame))
        except ArpParseError:
            malformed += 1
    return frames, malformed


def macs_speaking_for(
    frames: list[ArpFrame], address: ipaddress.IPv4Address, *, exclude: str | None = None
) -> list[str]:
    """Distinct MACs that claimed ``address`` as ARP sender (probes claim nothing), in order."""
    found = [f.sender_mac for f in frames if f.sender_ip == address and f.sender_mac != exclude]
    return list(dict.fromkeys(found))


@dataclass(frozen=True)
class Answer:
    """One address and the MACs that answered for it."""

    ip: ipaddress.IPv4Address
    macs: tuple[str, ...]


def sweep_targets(subnet: ipaddress.IPv4Network, own: ipaddress.IPv4Address) -> list[ipaddress.IPv4Address]:
    """Every host address of ``subnet`` except ``own`` (no network or broadcast address)."""
    return [address for address in subnet.hosts() if address != own]


def is_reply_in(frame: bytes, subnet: ipaddress.IPv4Network) -> bool:
    """A cheap byte test: an Ethernet/IPv4 ARP reply whose sender address lies in ``subnet``."""
    start = arp_offset(frame)
    if start is None or len(frame) < start + 28:
        return False
    if frame[start + 4 : start + 8] != b"\x06\x04\x00\x02":
        return False
    return ipaddress.IPv4Address(frame[start + 14 : start + 18]) in subnet


def reply_sender(frame: bytes, subnet: ipaddress.IPv4Network) -> ipaddress.IPv4Address | None:
    """The sender address of an ARP reply from ``subnet`` (the address it answers for), else None."""
    if not is_reply_in(frame, subnet):
        return None
    start = arp_offset(frame)
    assert start is not None  # is_reply_in checked it
    return ipaddress.IPv4Address(frame[start + 14 : start + 18])


def collect(heard: Iterable[Exchange], targets: set[ipaddress.IPv4Address]) -> tuple[list[Answer], int]:
    """The addresses that answered, each with every MAC that did, and how many frames were malformed."""
    macs: dict[ipaddress.IPv4Address, list[str]] = {}
    malformed = 0
    for round_ in heard:
        for item in round_.heard:
            try:
                frame = parse_arp_frame(item.frame)
            except ArpParseError:
                malformed += 1
                continue
            if frame.op != ARP_REPLY or frame.sender_ip not in targets:
                continue
            found = macs.setdefault(frame.sender_ip, [])
            if frame.sender_mac not in found:
                found.append(frame.sender_mac)
    answers = [Answer(ip, tuple(found)) for ip, found in sorted(macs.items())]
    return answers, malformed


def duplicates(answers: Iterable[Answer]) -> list[Answer]:
    """The addresses for which more than one MAC answered."""
    return [answer for answer in answers if len(answer.macs) > 1]
