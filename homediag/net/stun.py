"""A tiny STUN codec (RFC 5389): the Binding request, and the address in a Binding success response.

A Binding success response (hex, 32 bytes; the address 192.0.2.7:40000 XORed with the magic cookie)::

    0101 000c 2112a442 <12-byte transaction id>          type, length 12, cookie, id
    0020 0008 00 01 bc12 e112a445                        XOR-MAPPED-ADDRESS: IPv4, port, address

Written by hand because homediag needs only these two messages, and the STUN libraries on PyPI are
either unmaintained or full ICE stacks (aioice) that bring their own sockets and timers. The decoder is
strict: every length is checked against the bytes present, messages are capped at 1 KiB of attributes
and 64 attributes, and anything malformed raises :class:`StunError`.
"""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass

from homediag.net.errors import ParseError

MAGIC_COOKIE = 0x2112A442
BINDING_REQUEST = 0x0001
BINDING_SUCCESS = 0x0101
BINDING_ERROR = 0x0111
ATTR_MAPPED_ADDRESS = 0x0001
ATTR_XOR_MAPPED_ADDRESS = 0x0020
ATTR_XOR_MAPPED_ADDRESS_OLD = 0x8020
"""Pre-RFC servers used this comprehension-optional code for the same attribute."""
HEADER = struct.Struct("!HHI12s")
MAX_MESSAGE = 20 + 1024
MAX_ATTRIBUTES = 64


class StunError(ParseError):
    """The bytes are not a STUN message we asked for, or are malformed."""


@dataclass(frozen=True)
class MappedAddress:
    """The address and port the server saw our request come from."""

    address: ipaddress.IPv4Address | ipaddress.IPv6Address
    port: int
    xored: bool
    """From XOR-MAPPED-ADDRESS (True) or the legacy MAPPED-ADDRESS (False)."""

    def __str__(self) -> str:
        if self.address.version == 6:
            return f"[{self.address}]:{self.port}"
        return f"{self.address}:{self.port}"


@dataclass(frozen=True)
class BindingResponse:
    """What a Binding response said."""

    success: bool
    mapped: MappedAddress | None
    error_code: int | None = None


def binding_request(transaction_id: bytes) -> bytes:
    """A Binding request without attributes (20 bytes)."""
    if len(transaction_id) != 12:
        raise ValueError("a STUN transaction id has 12 bytes")
    return HEADER.pack(BINDING_REQUEST, 0, MAGIC_COOKIE, transaction_id)


def parse_binding_response(data: bytes, transaction_id: bytes) -> BindingResponse:
    """Decode a Binding response to the request with ``transaction_id``; raise StunError otherwise."""
    if len(data) < HEADER.size:
        raise StunError(f"{len(data)} bytes is shorter than a STUN header")
    if len(data) > MAX_MESSAGE:
        raise StunError(f"{len(data)} bytes is more than a Binding response needs")
    msg_type, length, cookie, tid = HEADER.unpack_from(data)
    if msg_type & 0xC000:
        raise StunError("the first two bits of a STUN message must be zero")
    if cookie != MAGIC_COOKIE:
        raise StunError("wrong magic cookie")
    if tid != transaction_id:
        raise StunError("transaction id does not match the request")
    if msg_type not in (BINDING_SUCCESS, BINDING_ERROR):
        raise StunError(f"not a Binding response (type 0x{msg_type:04x})")
    if length % 4 or HEADER.size + length != len(data):
        raise StunError(f"length field {length} does not match the {len(data)} bytes received")
    mapped: MappedAddress | None = None
    legacy: MappedAddress | None = None
    error_code: int | None = None
    offset = HEADER.size
    count = 0
    while offset < len(data):
        count += 1
        if count > MAX_ATTRIBUTES:
            raise StunError("too many attributes")
        if offset + 4 > len(data):
            raise StunError("truncated attribute header")
        attr_type, attr_len = struct.unpack_from("!HH", data, offset)
        value = data[offset + 4 : offset + 4 + attr_len]
        if len(value) != attr_len:
            raise StunError("attribute runs past the end of the message")
        if attr_type in (ATTR_XOR_MAPPED_ADDRESS, ATTR_XOR_MAPPED_ADDRESS_OLD) and mapped is None:
            mapped = _address(value, xor=True, transaction_id=tid)
        elif attr_type == ATTR_MAPPED_ADDRESS and legacy is None:
            legacy = _address(value, xor=False, transaction_id=tid)
        elif attr_type == 0x0009 and attr_len >= 4:  # ERROR-CODE: class * 100 + number
            error_code = (value[2] & 0x07) * 100 + value[3]
        offset += 4 + attr_len + (-attr_len % 4)  # values are padded to 4 bytes
    if msg_type == BINDING_ERROR:
        return BindingResponse(False, None, error_code)
    return BindingResponse(True, mapped or legacy)


def _address(value: bytes, *, xor: bool, transaction_id: bytes) -> MappedAddress:
    if len(value) < 4:
        raise StunError("address attribute too short")
    family = value[1]
    (port,) = struct.unpack_from("!H", value, 2)
    raw = value[4:]
    if family == 0x01:
        if len(raw) != 4:
            raise StunError("IPv4 address attribute must carry 4 address bytes")
    elif family == 0x02:
        if len(raw) != 16:
            raise StunError("IPv6 address attribute must carry 16 address bytes")
    else:
        raise StunError(f"unknown address family {family}")
    if xor:
        port ^= MAGIC_COOKIE >> 16
        key = struct.pack("!I", MAGIC_COOKIE) + transaction_id
        raw = bytes(a ^ b for a, b in zip(raw, key, strict=False))
    address = ipaddress.ip_address(raw)
    return MappedAddress(address, port, xor)


def binding_success(
    transaction_id: bytes, address: ipaddress.IPv4Address | ipaddress.IPv6Address, port: int
) -> bytes:
    """A Binding success response with XOR-MAPPED-ADDRESS (what a STUN server sends; for tests and labs)."""
    key = struct.pack("!I", MAGIC_COOKIE) + transaction_id
    packed = bytes(a ^ b for a, b in zip(address.packed, key, strict=False))
    family = 0x01 if address.version == 4 else 0x02
    value = struct.pack("!BBH", 0, family, port ^ (MAGIC_COOKIE >> 16)) + packed
    attribute = struct.pack("!HH", ATTR_XOR_MAPPED_ADDRESS, len(value)) + value
    return HEADER.pack(BINDING_SUCCESS, len(attribute), MAGIC_COOKIE, transaction_id) + attribute


def request_transaction_id(data: bytes) -> bytes | None:
    """The transaction id of a Binding request, or None when ``data`` is not one (servers, tests)."""
    if len(data) < HEADER.size:
        return None
    msg_type, _length, cookie, tid = HEADER.unpack_from(data)
    if msg_type != BINDING_REQUEST or cookie != MAGIC_COOKIE:
        return None
    return bytes(tid)
