"""IPP: the Get-Printer-Attributes request, and the strict decoder against hostile frames (one named test
per attack, docs/hostile-input.md#limits), in-process and in the killable worker."""

from __future__ import annotations

import asyncio
import contextlib
import struct
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homediag.core.worker import WorkerError, run_killable
from homediag.net.ipp import (
    GET_PRINTER_ATTRIBUTES,
    MAX_BODY,
    MAX_DEPTH,
    REQUESTED,
    IppError,
    parse_response,
)
from homediag.net.ipp import build_get_printer_attributes as build_request


def attr(tag: int, name: str, value: bytes) -> bytes:
    raw = name.encode()
    return bytes([tag]) + struct.pack("!H", len(raw)) + raw + struct.pack("!H", len(value)) + value


def response(*printer_attrs: bytes, status: int = 0) -> bytes:
    head = struct.pack("!BBHI", 2, 0, status, 7)
    operation = (
        b"\x01"
        + attr(0x47, "attributes-charset", b"utf-8")
        + attr(0x48, "attributes-natural-language", b"en")
    )
    return head + operation + b"\x04" + b"".join(printer_attrs) + b"\x03"


def enum(name: str, value: int) -> bytes:
    return attr(0x23, name, struct.pack("!i", value))


PAUSED = response(
    enum("printer-state", 5),
    attr(0x44, "printer-state-reasons", b"paused"),
    attr(0x44, "", b"media-empty-warning"),
    attr(0x41, "printer-make-and-model", b"Brother HL-L2350DW series"),
    attr(0x44, "marker-names", b"Black Toner"),
    attr(0x21, "marker-levels", struct.pack("!i", 8)),
    attr(0x21, "marker-low-levels", struct.pack("!i", 10)),
    attr(0x22, "printer-is-accepting-jobs", b"\x01"),
    attr(0x45, "printer-uuid", b"urn:uuid:00000000-0000-4000-8000-000000000001"),
)


def test_the_request_is_get_printer_attributes_only() -> None:
    frame = build_request("ipp://192.0.2.20:631/ipp/print", request_id=9)
    version, operation, request_id = struct.unpack_from("!HHI", frame, 0)
    assert (version, operation, request_id) == (0x0200, GET_PRINTER_ATTRIBUTES, 9)
    assert b"ipp://192.0.2.20:631/ipp/print" in frame
    assert all(name.encode() in frame for name in REQUESTED)
    assert frame.endswith(b"\x03")


def test_a_paused_printer_is_decoded() -> None:
    decoded = parse_response(PAUSED)
    assert decoded.ok and decoded.request_id == 7
    assert decoded.first("printer-state") == 5
    assert decoded.attributes["printer-state-reasons"] == ["paused", "media-empty-warning"]
    assert decoded.first("printer-make-and-model") == "Brother HL-L2350DW series"
    assert decoded.first("printer-is-accepting-jobs") is True
    assert decoded.first("marker-levels") == 8


def test_collections_are_decoded_into_members() -> None:
    supply = (
        attr(0x34, "printer-supply-col", b"")
        + attr(0x4A, "", b"type")
        + attr(0x44, "", b"toner")
        + attr(0x4A, "", b"level")
        + attr(0x21, "", struct.pack("!i", 40))
        + attr(0x37, "", b"")
    )
    decoded = parse_response(response(supply))
    assert decoded.attributes["printer-supply-col"] == [{"type": ["toner"], "level": [40]}]


def test_an_error_status_is_not_ok() -> None:
    assert not parse_response(response(status=0x0400)).ok


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        pytest.param(
            response()[:-1] + b"\x04\x23" + struct.pack("!H", 13) + b"printer-state" + struct.pack("!h", -5),
            "negative value length",
            id="ipp_negative_value_length_pyipp_hang",
        ),
        pytest.param(
            response()[:-1] + b"\x04\x44" + struct.pack("!h", -1),
            "negative name length",
            id="ipp_negative_name_length",
        ),
        pytest.param(
            response()[:-1] + b"\x04\x44" + struct.pack("!H", 4) + b"evil" + struct.pack("!H", 32767) + b"x",
            "past the end",
            id="ipp_value_length_past_the_buffer",
        ),
        pytest.param(response()[:-1], "no end-of-attributes", id="ipp_missing_end_tag"),
        pytest.param(b"\x02\x00\x00", "shorter than an IPP header", id="ipp_truncated_header"),
        pytest.param(b"\x09\x00" + b"\x00" * 8, "unknown IPP version", id="ipp_unknown_version"),
        pytest.param(
            struct.pack("!BBHI", 2, 0, 0, 1) + attr(0x44, "orphan", b"x") + b"\x03",
            "outside a group",
            id="ipp_attribute_outside_a_group",
        ),
        pytest.param(
            response()[:-1] + b"\x04" + attr(0x4A, "member", b"m") + b"\x03",
            "outside a collection",
            id="ipp_member_name_outside_a_collection",
        ),
        pytest.param(
            response()[:-1] + b"\x04\x7f" + b"\x00" * 8 + b"\x03",
            "extension tags",
            id="ipp_extension_tag",
        ),
        pytest.param(
            response(attr(0x23, "printer-state", b"\x00\x05")),
            "not 4 bytes",
            id="ipp_short_enum",
        ),
        pytest.param(b"\x02\x00" + b"\x00" * (MAX_BODY + 1), "larger than 256 KiB", id="ipp_oversized_body"),
    ],
)
def test_hostile_frames_are_refused(frame: bytes, message: str) -> None:
    with pytest.raises(IppError, match=message):
        parse_response(frame)


def test_ipp_thousand_nested_collections_stop_at_the_depth_cap() -> None:
    inner = (attr(0x4A, "", b"m") + attr(0x34, "", b"")) * 1000
    frame = response(attr(0x34, "deep", b"") + inner)
    with pytest.raises(IppError, match=f"deeper than {MAX_DEPTH}"):
        parse_response(frame)


def test_ipp_5000_values_stop_at_the_value_cap() -> None:
    frame = response(*(attr(0x44, "", b"x") if i else attr(0x44, "many", b"x") for i in range(5000)))
    with pytest.raises(IppError, match="more than 4096 values"):
        parse_response(frame)


def test_ipp_65535_attributes_are_refused() -> None:
    frame = response(*(attr(0x44, "", b"x") if i else attr(0x44, "many", b"x") for i in range(65535)))
    with pytest.raises(IppError, match=r"more than 4096 values|larger than 256 KiB"):
        parse_response(frame)


def test_ipp_unknown_enum_values_are_kept_as_numbers() -> None:
    assert parse_response(response(enum("printer-state", 99))).first("printer-state") == 99


def test_every_prefix_of_a_valid_answer_is_refused_quickly() -> None:
    started = time.monotonic()
    for cut in range(len(PAUSED)):
        with pytest.raises(IppError):
            parse_response(PAUSED[:cut])
    assert time.monotonic() - started < 5.0


@settings(max_examples=2000, deadline=200)
@given(st.binary(max_size=2048))
def test_random_bytes_give_a_result_or_ipp_error(data: bytes) -> None:
    with contextlib.suppress(IppError):
        parse_response(data)


@settings(max_examples=300, deadline=200)
@given(st.binary(max_size=64))
def test_random_tails_after_a_valid_header_give_a_result_or_ipp_error(tail: bytes) -> None:
    with contextlib.suppress(IppError):
        parse_response(response()[:-1] + b"\x04" + tail)


def test_the_killable_worker_reports_a_hostile_frame_as_an_error() -> None:
    frame = response()[:-1] + b"\x04\x23" + struct.pack("!H", 13) + b"printer-state" + struct.pack("!h", -5)
    with pytest.raises(WorkerError, match="negative value length"):
        asyncio.run(run_killable(parse_response, frame, timeout_s=5.0))
