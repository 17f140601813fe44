"""NetBIOS node status: the request, a recorded-style answer, and hostile answers."""

from __future__ import annotations

import contextlib
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homediag.net.errors import ParseError
from homediag.net.netbios import NBSTAT, build_request, encode_name, parse_node_status


def answer(
    names: list[tuple[str, int, int]], *, tid: int = 0x1A2B, count: int | None = None, extra: int = 0
) -> bytes:
    rdata = bytes([len(names) if count is None else count])
    for name, suffix, flags in names:
        rdata += name.encode("latin-1").ljust(15, b" ") + bytes([suffix]) + struct.pack("!H", flags)
    rdata += bytes.fromhex("02005e005301") + b"\x00" * 40
    header = struct.pack("!HHHHHH", tid, 0x8400, 0, 1, 0, 0)
    record = encode_name("*") + struct.pack("!HHIH", NBSTAT, 1, 0, len(rdata) + extra)
    return header + record + rdata


def test_the_request_asks_for_the_wildcard_name() -> None:
    request = build_request(0x1234)
    assert request[:2] == b"\x12\x34"
    assert request[12:14] == b"\x20C" and request.endswith(struct.pack("!HH", NBSTAT, 1))
    assert len(request) == 12 + 34 + 4


def test_a_windows_answer_gives_the_workstation_name_and_mac() -> None:
    status = parse_node_status(
        answer([("OFFICE-PC", 0x00, 0x0400), ("WORKGROUP", 0x00, 0x8400), ("OFFICE-PC", 0x20, 0x0400)])
    )
    assert status.transaction_id == 0x1A2B
    assert status.host_name == "OFFICE-PC"
    assert [n.group for n in status.names] == [False, True, False]
    assert status.mac == "02:00:5e:00:53:01"


def test_only_a_group_name_gives_no_host_name() -> None:
    assert parse_node_status(answer([("WORKGROUP", 0x00, 0x8000)])).host_name is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(answer([("PC", 0, 0)])[:11], "shorter than a header", id="nbstat_truncated_header"),
        pytest.param(
            struct.pack("!HHHHHH", 1, 0x0000, 1, 0, 0, 0) + b"\x00" * 40, "not a response", id="nbstat_query"
        ),
        pytest.param(answer([("PC", 0, 0)], count=200), "more names than", id="nbstat_count_past_the_end"),
        pytest.param(
            answer([("PC", 0, 0)], extra=500), "RDLENGTH past the end", id="nbstat_rdlength_overrun"
        ),
        pytest.param(
            struct.pack("!HHHHHH", 1, 0x8400, 0, 1, 0, 0) + b"\xc0\x0c" + b"\x00" * 60,
            "one 32-byte label",
            id="nbstat_compression_pointer",
        ),
        pytest.param(b"\x00" * 1600, "too large", id="nbstat_oversized"),
    ],
)
def test_hostile_answers_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_node_status(data)


@settings(max_examples=1000, deadline=100)
@given(st.binary(max_size=1600))
def test_random_bytes_give_a_result_or_parse_error(data: bytes) -> None:
    with contextlib.suppress(ParseError):
        parse_node_status(data)
