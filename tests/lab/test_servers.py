"""The lab's small servers: their pure parts, on crafted and hostile input."""

from __future__ import annotations

import json
import struct

import dns.message
import dns.rcode
import pytest

from homediag.lab.servers import device_web, ipp_front, stun
from homediag.lab.servers import dns as dns_server

ZONE = {"example.com": ("198.51.100.80", "2001:db8:ffff::80")}


def test_stun_answers_with_the_xor_mapped_address():
    txid = b"\x01" * 12
    request = struct.pack("!HHI", 0x0001, 0, stun.MAGIC) + txid
    reply = stun.response(request, ("203.0.113.2", 40000))
    assert reply is not None
    assert struct.unpack("!H", reply[:2])[0] == stun.BINDING_RESPONSE
    assert reply[8:20] == txid
    xor = reply.index(struct.pack("!H", stun.XOR_MAPPED_ADDRESS))
    port = struct.unpack("!H", reply[xor + 6 : xor + 8])[0] ^ (stun.MAGIC >> 16)
    assert port == 40000


@pytest.mark.parametrize(
    "packet",
    [
        b"",
        b"\x00" * 19,
        struct.pack("!HHI", 0x0101, 0, stun.MAGIC) + b"\0" * 12,
        struct.pack("!HHI", 0x0001, 400, stun.MAGIC) + b"\0" * 12,
        b"\x00\x01" * 2000,
    ],
    ids=["empty", "short", "not-a-request", "length-overrun", "oversized"],
)
def test_stun_ignores_what_is_not_a_binding_request(packet):
    assert stun.response(packet, ("203.0.113.2", 1)) is None


def test_dns_answers_known_names_and_nxdomain_for_the_rest():
    query = dns.message.make_query("example.com", "A")
    reply = dns.message.from_wire(dns_server.answer(query.to_wire(), ZONE))
    assert reply.answer[0][0].to_text() == "198.51.100.80"
    query = dns.message.make_query("nothing.example.org", "A")
    reply = dns.message.from_wire(dns_server.answer(query.to_wire(), ZONE))
    assert reply.rcode() == dns.rcode.NXDOMAIN
    query = dns.message.make_query("example.com", "MX")
    reply = dns.message.from_wire(dns_server.answer(query.to_wire(), ZONE))
    assert reply.rcode() == dns.rcode.NOERROR and not reply.answer


@pytest.mark.parametrize(
    "wire",
    [b"", b"\x00" * 5, b"\xff" * 512, b"\x00" * 5000],
    ids=["empty", "short", "garbage", "oversized"],
)
def test_dns_drops_malformed_queries(wire):
    assert dns_server.answer(wire, ZONE) is None


def _attrs_response(state: int = 3) -> bytes:
    def attr(tag: int, name: str, value: bytes) -> bytes:
        raw = name.encode()
        return bytes([tag]) + struct.pack("!H", len(raw)) + raw + struct.pack("!H", len(value)) + value

    return (
        b"\x02\x00"
        + struct.pack("!HI", 0, 7)
        + b"\x01"
        + attr(0x47, "attributes-charset", b"utf-8")
        + b"\x04"
        + attr(0x23, "printer-state", struct.pack("!i", state))
        + attr(0x44, "printer-state-reasons", b"none")
        + attr(0x44, "", b"media-low")
        + attr(0x45, "printer-uri-supported", b"ipp://vm:8631/ipp/print")
        + b"\x03"
    )


def test_ipp_front_shows_a_paused_printer_as_stopped():
    message = ipp_front.Message.parse(_attrs_response())
    out = ipp_front.rewrite(message, paused=True, backend_port=8631, public="printer.local:631")
    again = ipp_front.Message.parse(out.encode())
    attrs = {a.name: a for _, group in again.groups for a in group if a.name}
    assert struct.unpack("!i", attrs["printer-state"].value)[0] == ipp_front.STATE_STOPPED
    assert attrs["printer-state-reasons"].value == b"paused"
    assert sum(1 for _, g in again.groups for a in g if not a.name) == 0  # extra reasons dropped
    assert attrs["printer-uri-supported"].value == b"ipp://printer.local:631/ipp/print"


def test_ipp_front_leaves_a_running_printer_alone():
    message = ipp_front.Message.parse(_attrs_response())
    out = ipp_front.rewrite(message, paused=False, backend_port=8631, public="p:631")
    assert ipp_front.Message.parse(out.encode()).groups[1][1][0].value == struct.pack("!i", 3)


@pytest.mark.parametrize("cut", [0, 5, 9, 12, 20, 40, len(_attrs_response()) - 1])
def test_ipp_front_refuses_truncated_messages(cut):
    with pytest.raises(ipp_front.IppError):
        ipp_front.Message.parse(_attrs_response()[:cut])


def test_ipp_front_refuses_an_attribute_outside_a_group():
    raw = b"\x02\x00\x00\x0b\x00\x00\x00\x01" + b"\x44\x00\x01a\x00\x01b" + b"\x03"
    with pytest.raises(ipp_front.IppError, match="outside a group"):
        ipp_front.Message.parse(raw)


SSDP_SPEC = {
    "uuid": "2f402f80-da50-11e1-9b23-001788770000",
    "location": "http://192.0.2.13/description.xml",
    "server": "Hue/1.0 UPnP/1.0 IpBridge/1.67.0",
    "types": ["upnp:rootdevice"],
    "headers": {"hue-bridgeid": "001788FFFE770000"},
}


@pytest.mark.parametrize(
    ("st", "answers"),
    [
        ("ssdp:all", 2),
        ("upnp:rootdevice", 1),
        ("urn:schemas-upnp-org:device:MediaServer:1", 0),
        (f"uuid:{SSDP_SPEC['uuid']}", 1),
    ],
    ids=["all", "rootdevice", "other-type", "uuid"],
)
def test_ssdp_answers_only_its_search_targets(st, answers):
    request = f'M-SEARCH * HTTP/1.1\r\nST: {st}\r\nMAN: "ssdp:discover"\r\n\r\n'.encode()
    replies = device_web.ssdp_reply(request, SSDP_SPEC)
    assert len(replies) == answers
    for reply in replies:
        assert b"hue-bridgeid: 001788FFFE770000" in reply
        assert reply.startswith(b"HTTP/1.1 200 OK\r\n")


def test_ssdp_ignores_notifies_and_garbage():
    assert device_web.ssdp_reply(b"NOTIFY * HTTP/1.1\r\n\r\n", SSDP_SPEC) == []
    assert device_web.ssdp_reply(b"\xff" * 4096, SSDP_SPEC) == []


def test_dns_zone_file_round_trip(tmp_path):
    path = tmp_path / "zone.json"
    path.write_text(json.dumps({"Example.COM.": ["198.51.100.80", None]}))
    assert dns_server.load_zone(path) == {"example.com": ("198.51.100.80", None)}
