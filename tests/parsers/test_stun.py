"""The STUN codec: RFC 5769's sample addresses, legacy servers, and one named test per hostile input."""

from __future__ import annotations

import contextlib
import ipaddress
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homediag.net.stun import (
    MAGIC_COOKIE,
    StunError,
    binding_request,
    binding_success,
    parse_binding_response,
    request_transaction_id,
)

TID = bytes.fromhex("b7e7a701bc34d686fa87dfae")  # RFC 5769, section 2


def _message(msg_type: int, *attributes: tuple[int, bytes], tid: bytes = TID) -> bytes:
    body = b""
    for attr_type, value in attributes:
        body += struct.pack("!HH", attr_type, len(value)) + value + b"\x00" * (-len(value) % 4)
    return struct.pack("!HHI", msg_type, len(body), MAGIC_COOKIE) + tid + body


def test_request_is_20_bytes_with_cookie_and_id() -> None:
    request = binding_request(TID)
    assert request == bytes.fromhex("000100002112a442") + TID
    assert request_transaction_id(request) == TID


def test_rfc5769_ipv4_response() -> None:
    # SOFTWARE (odd length, padded), XOR-MAPPED-ADDRESS from RFC 5769 2.2, then a FINGERPRINT
    data = _message(
        0x0101,
        (0x8022, b"test vector"),
        (0x0020, bytes.fromhex("0001a147e112a643")),
        (0x8028, bytes.fromhex("c07d4c96")),
    )
    response = parse_binding_response(data, TID)
    assert response.success and response.mapped is not None
    assert response.mapped.address == ipaddress.ip_address("192.0.2.1")
    assert response.mapped.port == 32853
    assert str(response.mapped) == "192.0.2.1:32853"


def test_rfc5769_ipv6_response() -> None:
    value = bytes.fromhex("0002a147") + bytes.fromhex("0113a9faa5d3f179bc25f4b5bed2b9d9")
    response = parse_binding_response(_message(0x0101, (0x0020, value)), TID)
    assert response.mapped is not None
    assert response.mapped.address == ipaddress.ip_address("2001:db8:1234:5678:11:2233:4455:6677")
    assert str(response.mapped) == "[2001:db8:1234:5678:11:2233:4455:6677]:32853"


def test_legacy_mapped_address_is_used_when_no_xor_attribute() -> None:
    value = bytes.fromhex("0001") + struct.pack("!H", 3478) + ipaddress.ip_address("198.51.100.9").packed
    response = parse_binding_response(_message(0x0101, (0x0001, value)), TID)
    assert response.mapped is not None and not response.mapped.xored
    assert str(response.mapped) == "198.51.100.9:3478"


def test_error_response_carries_its_code() -> None:
    response = parse_binding_response(_message(0x0111, (0x0009, bytes([0, 0, 4, 20]) + b"Unknown")), TID)
    assert not response.success and response.error_code == 420


def test_round_trip_with_the_server_side_encoder() -> None:
    data = binding_success(TID, ipaddress.ip_address("203.0.113.5"), 51000)
    response = parse_binding_response(data, TID)
    assert response.mapped is not None and str(response.mapped) == "203.0.113.5:51000"


HOSTILE = [
    ("shorter than a header", b"\x01\x01\x00", "shorter"),
    ("wrong cookie", struct.pack("!HHI", 0x0101, 0, 0xDEADBEEF) + TID, "cookie"),
    ("other transaction", _message(0x0101, tid=b"\x00" * 12), "transaction"),
    ("a request, not a response", _message(0x0001), "not a Binding response"),
    ("top bits set (not STUN)", struct.pack("!HHI", 0xC101, 0, MAGIC_COOKIE) + TID, "two bits"),
    ("length field lies", _message(0x0101)[:2] + b"\x00\x08" + _message(0x0101)[4:], "length"),
    (
        "attribute runs past the end",
        struct.pack("!HHI", 0x0101, 4, MAGIC_COOKIE) + TID + struct.pack("!HH", 0x0020, 200),
        "past the end",
    ),
    ("unknown family", _message(0x0101, (0x0020, bytes.fromhex("0003a147e112a643"))), "family"),
    ("IPv4 with 16 bytes", _message(0x0101, (0x0020, bytes.fromhex("00010000") + bytes(16))), "4 address"),
    ("too short address", _message(0x0101, (0x0020, b"\x00\x01")), "too short"),
    ("huge message", _message(0x0101, (0x8022, b"x" * 4000)), "more than"),
    ("too many attributes", _message(0x0101, *[(0x8022, b"")] * 100), "too many"),
]


@pytest.mark.parametrize(("case", "data", "fragment"), HOSTILE, ids=[c[0] for c in HOSTILE])
def test_hostile_inputs_raise_stun_error(case: str, data: bytes, fragment: str) -> None:
    with pytest.raises(StunError, match=fragment):
        parse_binding_response(data, TID)


@given(st.binary(max_size=200))
def test_random_bytes_never_crash(data: bytes) -> None:
    with contextlib.suppress(StunError):
        parse_binding_response(data, TID)


@given(st.binary(min_size=0, max_size=80))
def test_random_attributes_after_a_valid_header_never_crash(body: bytes) -> None:
    data = struct.pack("!HHI", 0x0101, len(body), MAGIC_COOKIE) + TID + body
    with contextlib.suppress(StunError):
        parse_binding_response(data, TID)
