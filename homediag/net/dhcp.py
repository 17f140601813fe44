"""DHCP for ``net.dhcp``: the DISCOVER it broadcasts, and the DHCPOFFER frames servers answer with.

A frame (Ethernet / IPv4 / UDP 67->68 / BOOTP op 2 / magic cookie / options), in hex::

    ffffffffffff 02005e005301 0800                      Ethernet: broadcast, from the server
    4500 0148 ... 11 ... c0000201 ffffffff              IPv4, UDP, 192.0.2.1 -> 255.255.255.255
    0043 0044 0134 ....                                 UDP 67 -> 68
    02 01 06 00  <xid>  0000 8000  00000000  c0000264   BOOTP reply, xid, broadcast flag, yiaddr
    ... chaddr 02005e00530a ... 63825363                client MAC, magic cookie
    350102 3604c0000201 3304 00000e10 0104ffffff00      53 offer, 54 server id, 51 lease, 1 mask
    0304c0000201 0608c0000201c0000202 0f036c616e ff     3 router, 6 DNS servers, 15 domain, end

:func:`is_dhcp_reply` is a cheap structural test on raw bytes (so only answers to our transaction are
ever dissected); :func:`parse_dhcp_offer` dissects with scapy and keeps only well-formed values. Option
values that do not parse (an address option of the wrong length, a bad magic cookie) are dropped, never
guessed; the offer says when its options were malformed.
"""

from __future__ import annotations

import hashlib
import ipaddress
import struct
from dataclasses import dataclass

from typing_extensions import TypedDict

from homediag.core.devices import normalise_mac
from homediag.core.facts import record
from homediag.net.errors import ParseError
from homediag.net.l2 import Exchange

ETH_IPV4 = 0x0800
ETH_VLAN = 0x8100
BOOTP_REPLY = 2
DHCP_OFFER = 2
MAX_LIST = 8
"""Addresses kept from one list option (routers, DNS servers)."""


class DhcpParseError(ParseError):
    """The frame is not a well-formed DHCPOFFER."""


@record
class OfferEntry(TypedDict):
    """A ``dhcp.offers`` item: one server's offer."""

    server: str
    server_id: str | None
    source_ip: str
    server_mac: str
    offered: str | None
    subnet_mask: str | None
    routers: list[str]
    dns_servers: list[str]
    has_dns_option: bool
    lease_s: int | None
    domain: str | None
    overload: bool
    malformed_options: bool


@dataclass(frozen=True)
class DhcpOffer:
    """What one server offers."""

    server_id: ipaddress.IPv4Address | None
    """Option 54, the server identifier."""
    source_ip: ipaddress.IPv4Address
    source_mac: str
    xid: int
    client_mac: str
    offered: ipaddress.IPv4Address | None
    subnet_mask: ipaddress.IPv4Address | None
    routers: tuple[ipaddress.IPv4Address, ...]
    dns_servers: tuple[ipaddress.IPv4Address, ...]
    has_dns_option: bool
    """Option 6 is present (even when none of its addresses parsed)."""
    lease_s: int | None
    domain: str | None
    overload: bool = False
    """Option 52: more options hide in the sname/file fields (not read)."""
    malformed_options: bool = False

    @property
    def server(self) -> ipaddress.IPv4Address:
        """The server's identity: its server identifier, else the address it sent from."""
        return self.server_id or self.source_ip

    def as_json(self) -> OfferEntry:
        """The ``dhcp.offers`` entry."""
        return {
            "server": str(self.server),
            "server_id": None if self.server_id is None else str(self.server_id),
            "source_ip": str(self.source_ip),
            "server_mac": self.source_mac,
            "offered": None if self.offered is None else str(self.offered),
            "subnet_mask": None if self.subnet_mask is None else str(self.subnet_mask),
            "routers": [str(a) for a in self.routers],
            "dns_servers": [str(a) for a in self.dns_servers],
            "has_dns_option": self.has_dns_option,
            "lease_s": self.lease_s,
            "domain": self.domain,
            "overload": self.overload,
            "malformed_options": self.malformed_options,
        }


def _ip_offset(frame: bytes) -> int | None:
    if len(frame) < 14:
        return None
    ethertype = struct.unpack_from("!H", frame, 12)[0]
    if ethertype == ETH_VLAN and len(frame) >= 18:
        ethertype = struct.unpack_from("!H", frame, 16)[0]
        return 18 if ethertype == ETH_IPV4 else None
    return 14 if ethertype == ETH_IPV4 else None


def is_dhcp_reply(frame: bytes, xid: int) -> bool:
    """Whether ``frame`` is an IPv4/UDP datagram to port 68 carrying a BOOTP reply with ``xid``."""
    ip = _ip_offset(frame)
    if ip is None or len(frame) < ip + 20:
        return False
    version_ihl, proto = frame[ip], frame[ip + 9]
    ihl = (version_ihl & 0x0F) * 4
    fragment = struct.unpack_from("!H", frame, ip + 6)[0] & 0x1FFF
    if version_ihl >> 4 != 4 or ihl < 20 or proto != 17 or fragment:
        return False
    udp = ip + ihl
    bootp = udp + 8
    if len(frame) < bootp + 8:
        return False
    if struct.unpack_from("!H", frame, udp + 2)[0] != 68:
        return False
    return frame[bootp] == BOOTP_REPLY and struct.unpack_from("!I", frame, bootp + 4)[0] == xid


def reply_source(frame: bytes) -> bytes:
    """Who sent a DHCP reply: its source MAC and IPv4 source address (a server answering every
    retransmission of one DISCOVER sends the same), from the raw frame."""
    ip = _ip_offset(frame)
    if ip is None or len(frame) < ip + 16:
        return frame[6:12]
    return frame[6:12] + frame[ip + 12 : ip + 16]


def _address(value: object) -> ipaddress.IPv4Address | None:
    try:
        address = ipaddress.IPv4Address(str(value))
    except ValueError:
        return None
    return None if address.is_unspecified else address


def parse_dhcp_offer(frame: bytes) -> DhcpOffer:
    """Dissect a DHCPOFFER; raise ``DhcpParseError`` for anything else or anything malformed."""
    from scapy.layers.dhcp import BOOTP, DHCP
    from scapy.layers.inet import IP
    from scapy.layers.l2 import Ether

    try:
        packet = Ether(frame)
    except Exception as exc:  # noqa: BLE001 - scapy dissectors raise many types on hostile bytes
        raise DhcpParseError(f"undecodable frame: {type(exc).__name__}") from None
    bootp, ip = packet.getlayer(BOOTP), packet.getlayer(IP)
    if bootp is None or ip is None:
        raise DhcpParseError("not a BOOTP datagram")
    dhcp = packet.getlayer(DHCP)
    if dhcp is None:
        raise DhcpParseError("no DHCP options (bad magic cookie)")
    options: dict[str, tuple[object, ...]] = {}
    malformed = False
    for item in dhcp.options if isinstance(dhcp.options, list) else []:
        if isinstance(item, tuple) and item and isinstance(item[0], str):
            options.setdefault(item[0], tuple(item[1:]))
        elif isinstance(item, str):  # "end", "pad"
            continue
        else:
            malformed = True
    message_type = options.get("message-type", (None,))[0]
    if message_type != DHCP_OFFER:
        raise DhcpParseError(f"not a DHCPOFFER (message type {message_type!r})"[:80])
    source_ip = _address(ip.src)
    if source_ip is None:
        raise DhcpParseError("offer from 0.0.0.0")
    chaddr = bytes(bootp.chaddr or b"")[:6]
    lease = options.get("lease_time", (None,))[0]
    domain_raw = options.get("domain", (None,))[0]
    domain = None
    if isinstance(domain_raw, bytes | str):
        text = domain_raw.decode("utf-8", "replace") if isinstance(domain_raw, bytes) else domain_raw
        domain = "".join(ch for ch in text.strip("\x00 ") if ch.isprintable())[:253] or None
    return DhcpOffer(
        server_id=_address(options.get("server_id", (None,))[0]),
        source_ip=source_ip,
        source_mac=normalise_mac(str(packet.src)) or "",
        xid=int(bootp.xid),
        client_mac=normalise_mac(chaddr.hex()) or "",
        offered=_address(bootp.yiaddr),
        subnet_mask=_address(options.get("subnet_mask", (None,))[0]),
        routers=_addresses(options.get("router", ())),
        dns_servers=_addresses(options.get("name_server", ())),
        has_dns_option="name_server" in options,
        lease_s=lease if isinstance(lease, int) and lease >= 0 else None,
        domain=domain,
        overload="dhcp-option-overload" in options,
        malformed_options=malformed,
    )


def _addresses(values: tuple[object, ...]) -> tuple[ipaddress.IPv4Address, ...]:
    found = [a for a in (_address(v) for v in values[:MAX_LIST]) if a is not None]
    return tuple(dict.fromkeys(found))


MAX_OFFERS = 64
"""Frames answering our transaction that are dissected; more are not looked at."""
PARAMETERS = (1, 3, 6, 15, 51, 54)
"""Options asked for: subnet mask, router, DNS servers, domain, lease time, server identifier."""
UNSPECIFIED = ipaddress.IPv4Address(0)
_MAC_SALT = "homediag dhcp discover client v1"


def probe_client_mac(interface_mac: str | None, interface_name: str) -> str:
    """The fixed client MAC for this interface: locally administered, unicast, stable across runs."""
    seed = f"{normalise_mac(interface_mac) or interface_name}|{_MAC_SALT}"
    digest = bytearray(hashlib.blake2s(seed.encode(), digest_size=6).digest())
    digest[0] = (digest[0] & 0xFC) | 0x02
    return ":".join(f"{byte:02x}" for byte in digest)


def build_discover(interface_mac: str, client_mac: str, xid: int) -> bytes:
    """The DHCPDISCOVER frame (broadcast flag set, never a REQUEST)."""
    from scapy.layers.dhcp import BOOTP, DHCP
    from scapy.layers.inet import IP, UDP
    from scapy.layers.l2 import Ether

    chaddr = bytes.fromhex(client_mac.replace(":", "")) + b"\x00" * 10
    frame = (
        Ether(src=interface_mac, dst="ff:ff:ff:ff:ff:ff")
        / IP(src=str(UNSPECIFIED), dst="255.255.255.255", ttl=64)
        / UDP(sport=68, dport=67)
        / BOOTP(op=1, chaddr=chaddr, xid=xid, flags=0x8000)
        / DHCP(options=[("message-type", "discover"), ("param_req_list", list(PARAMETERS)), "end"])
    )
    return bytes(frame)


def offers_from(heard: Exchange, client_mac: str) -> tuple[list[tuple[float, DhcpOffer]], int]:
    """The first offer of each server (with its arrival time) and the count of unreadable frames."""
    offers: dict[str, tuple[float, DhcpOffer]] = {}
    malformed = 0
    for item in heard.heard[:MAX_OFFERS]:
        try:
            offer = parse_dhcp_offer(item.frame)
        except DhcpParseError:
            malformed += 1
            continue
        if offer.client_mac != client_mac:
            continue
        offers.setdefault(str(offer.server), (item.at_s, offer))
    return sorted(offers.values(), key=lambda pair: pair[0]), malformed
