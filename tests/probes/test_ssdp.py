"""SSDP: answers from hostile devices, LOCATION checks (one named test per SSRF trick), description fetches
against servers on 127.0.0.1, and the device records of ``discovery.ssdp``."""

from __future__ import annotations

import asyncio
import ipaddress
import random
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homediag.core.http import HttpResponse
from homediag.core.model import DeviceKind
from homediag.core.probe import FactView, ProbeContext
from homediag.core.session import Session
from homediag.net.addressing import interface_address
from homediag.net.upnp import ssdp
from homediag.net.upnp.description import parse_description
from homediag.net.upnp.devices import device_record, device_sighting, is_igd, kind_of, wan_services
from homediag.net.upnp.ssdp import (
    MAX_LOCATIONS,
    Described,
    LocationRefused,
    SearchResult,
    SsdpParseError,
    SsdpResponse,
    _Collector,
    build_msearch,
    check_location,
    describe,
    fetch_description,
    location_anomalies,
    parse_response,
)
from homediag.probes.discovery.ssdp import SsdpDiscoveryProbe
from homediag.testing import RecordedContext, http_response

SUBNET = ipaddress.IPv4Network("192.0.2.0/24")
SENDER = ipaddress.IPv4Address("192.0.2.20")
IGD_XML = (
    b'<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><device>'
    b"<deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>"
    b"<friendlyName>Box</friendlyName><manufacturer>ExampleCo</manufacturer><modelName>B1</modelName>"
    b"<serialNumber>SN1</serialNumber><UDN>uuid:00000000-0000-4000-8000-000000000001</UDN>"
    b"<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType>"
    b"<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:1</deviceType>"
    b"<serviceList><service><serviceType>urn:schemas-upnp-org:service:WANPPPConnection:1</serviceType>"
    b"<controlURL>/ppp</controlURL></service>"
    b"<service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType>"
    b"<controlURL>/ip</controlURL></service></serviceList>"
    b"</device></deviceList></device></deviceList></device></root>"
)


def answer(
    location: str | None = "http://192.0.2.20:5000/d.xml", st_: str = "upnp:rootdevice", **extra: str
) -> bytes:
    lines = ["HTTP/1.1 200 OK", "CACHE-CONTROL: max-age=120", f"ST: {st_}", "USN: uuid:1::upnp:rootdevice"]
    if location is not None:
        lines.append(f"LOCATION: {location}")
    lines += [f"{k}: {v}" for k, v in extra.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


# --- M-SEARCH and answers ---------------------------------------------------------------------------


def test_msearch_has_mx_and_st() -> None:
    request = build_msearch("ssdp:all", 3).decode()
    assert request.startswith("M-SEARCH * HTTP/1.1\r\n")
    assert "HOST: 239.255.255.250:1900\r\n" in request
    assert 'MAN: "ssdp:discover"' in request
    assert "MX: 3\r\n" in request and "ST: ssdp:all\r\n" in request
    assert request.endswith("\r\n\r\n")


def test_an_answer_is_parsed() -> None:
    response = parse_response(answer(SERVER="Linux UPnP/1.1 MiniUPnPd/2.3.1"), SENDER)
    assert response == SsdpResponse(
        sender=SENDER,
        st="upnp:rootdevice",
        usn="uuid:1::upnp:rootdevice",
        location="http://192.0.2.20:5000/d.xml",
        server="Linux UPnP/1.1 MiniUPnPd/2.3.1",
    )


def test_header_names_are_case_insensitive_and_bare_newlines_accepted() -> None:
    data = b"HTTP/1.1 200 OK\nst: a\nLocation: http://192.0.2.20/x\nusn: b\n\n"
    response = parse_response(data, SENDER)
    assert (response.st, response.usn, response.location) == ("a", "b", "http://192.0.2.20/x")


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"NOTIFY * HTTP/1.1\r\nNT: x\r\nUSN: y\r\n\r\n", id="notify-is-not-an-answer"),
        pytest.param(b"M-SEARCH * HTTP/1.1\r\nST: x\r\n\r\n", id="a-search-is-not-an-answer"),
        pytest.param(b"HTTP/1.1 404 Not Found\r\nST: x\r\n\r\n", id="not-200"),
        pytest.param(b"HTTP/1.1 200 OK\r\nSERVER: x\r\n\r\n", id="neither-st-nor-usn"),
        pytest.param(
            b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 10_000 + b"ST: z\r\n\r\n", id="10000-header-lines"
        ),
        pytest.param(answer() + b"A" * 9000, id="64-kib-datagram"),
        pytest.param(b"\xff\xfe\x00garbage", id="binary-garbage"),
    ],
)
def test_what_is_not_an_answer_is_refused(data: bytes) -> None:
    with pytest.raises(SsdpParseError):
        parse_response(data, SENDER)


def test_header_values_are_capped_and_cleaned() -> None:
    response = parse_response(answer(SERVER="evil\x1b[2J" + "s" * 5000), SENDER)
    assert response.server is not None
    assert "\x1b" not in response.server and len(response.server) == 1024


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=9000))
def test_random_datagrams_never_escape(data: bytes) -> None:
    with suppress(SsdpParseError):
        parse_response(data, SENDER)


def test_collector_counts_what_it_drops_and_caps_locations() -> None:
    collector = _Collector(SUBNET)
    rng = random.Random(5)
    for _ in range(10_000):
        collector.add(bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 64))), "192.0.2.20")
    assert collector.malformed == 10_000 and not collector.responses
    collector.add(answer() + b"x" * (64 * 1024), "192.0.2.20")
    assert collector.oversized == 1
    collector.add(answer(), "198.51.100.7")
    assert collector.outside == 1
    collector.add(answer(), "192.0.2.20")
    collector.add(answer(), "192.0.2.20")  # a duplicate
    assert len(collector.responses) == 1
    for i in range(MAX_LOCATIONS + 10):
        collector.add(answer(f"http://192.0.2.21:{1000 + i}/d.xml"), "192.0.2.21")
    result = collector.result()
    assert len(result.by_location()) == MAX_LOCATIONS
    assert result.truncated
    assert result.senders == (SENDER, ipaddress.IPv4Address("192.0.2.21"))


def test_an_answer_without_location_is_kept_but_never_described() -> None:
    collector = _Collector(SUBNET)
    collector.add(answer(location=None), "192.0.2.20")
    result = collector.result()
    assert len(result.responses) == 1 and result.by_location() == {}


# --- LOCATION checks: one named regression test per trick
# (docs/hostile-input.md#where-a-devices-answer-may-lead-us) -----------------------


def refused(location: str, sender: str = "192.0.2.20") -> str:
    with pytest.raises(LocationRefused) as caught:
        check_location(location, ipaddress.IPv4Address(sender), SUBNET)
    return str(caught.value)


def test_ssdp_location_on_the_sender_inside_the_subnet_is_allowed() -> None:
    url = "http://192.0.2.20:5000/rootDesc.xml"
    assert check_location(url, SENDER, SUBNET) == url
    assert check_location("https://192.0.2.20/d.xml", SENDER, SUBNET)


def test_ssdp_location_on_other_host_is_refused() -> None:
    assert "not the address that answered" in refused("http://192.0.2.50:5000/d.xml")


def test_ssdp_location_ipv6_loopback_is_refused() -> None:
    assert "IPv6" in refused("http://[::1]:1900/")


def test_ssdp_location_short_loopback_form_is_refused() -> None:
    assert "name" in refused("http://127.1/")


def test_ssdp_location_decimal_loopback_is_refused() -> None:
    assert "name" in refused("http://2130706433/")


def test_ssdp_location_hex_loopback_is_refused() -> None:
    assert "name" in refused("http://0x7f.1/")


def test_ssdp_location_ipv4_mapped_loopback_is_refused() -> None:
    assert "loopback" in refused("http://[::ffff:127.0.0.1]/")


def test_ssdp_location_loopback_is_refused() -> None:
    assert "loopback" in refused("http://127.0.0.1:5000/d.xml", sender="127.0.0.1")


def test_ssdp_location_cloud_metadata_is_refused() -> None:
    assert "link-local" in refused("http://169.254.169.254/latest/meta-data/")


def test_ssdp_location_localhost_name_is_refused() -> None:
    assert "name" in refused("http://localhost./")


def test_ssdp_location_dns_name_is_refused() -> None:
    assert "name" in refused("http://evil.example/")


def test_ssdp_location_file_scheme_is_refused() -> None:
    assert "scheme" in refused("file:///etc/passwd")


def test_ssdp_location_credentials_trick_is_refused() -> None:
    assert "credentials" in refused("http://192.168.1.50@evil/")


def test_ssdp_location_in_subnet_but_not_the_sender_is_refused() -> None:
    assert "not the address that answered" in refused("http://192.0.2.21/d.xml")


def test_ssdp_location_outside_the_subnet_is_refused() -> None:
    assert "outside the local subnet" in refused("http://198.51.100.7/d.xml", sender="198.51.100.7")


def test_ssdp_location_bad_port_is_refused() -> None:
    assert "malformed" in refused("http://192.0.2.20:99999/")


def test_ssdp_location_multicast_is_refused() -> None:
    assert "unicast" in refused("http://239.255.255.250/", sender="239.255.255.250")


# --- describe(): refused LOCATIONs are never fetched ------------------------------------------------


class CountingContext(RecordedContext):
    """A recorded context that counts HTTP requests."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fetched: list[str] = []

    async def http(self, url: str, **kwargs: Any) -> HttpResponse:
        self.fetched.append(url)
        return await super().http(url, **kwargs)


def counting_context(answers: dict[str, HttpResponse | Exception], seconds: float = 10.0) -> CountingContext:
    return CountingContext(
        SsdpDiscoveryProbe.spec, Session(), http=answers, deadline=time.monotonic() + seconds
    )


HOSTILE_LOCATIONS = [
    "http://[::1]:1900/",
    "http://127.1/",
    "http://2130706433/",
    "http://0x7f.1/",
    "http://[::ffff:127.0.0.1]/",
    "http://169.254.169.254/",
    "http://localhost./",
    "http://evil.example/",
    "file:///etc/passwd",
    "http://192.168.1.50@evil/",
    "http://192.0.2.99/desc.xml",
]


def test_every_refused_location_yields_an_anomaly_and_zero_fetches() -> None:
    responses = tuple(
        SsdpResponse(SENDER, "upnp:rootdevice", f"uuid:{i}", location, None)
        for i, location in enumerate(HOSTILE_LOCATIONS)
    )
    result = SearchResult(responses=responses)
    ctx = counting_context({})
    described = asyncio.run(describe(ctx, result, SUBNET))
    assert ctx.fetched == []
    assert len(described) == len(HOSTILE_LOCATIONS)
    assert all(d.refused and d.error for d in described)
    assert {a.location for a in location_anomalies(result, SUBNET)} == set(HOSTILE_LOCATIONS)


def test_an_allowed_location_is_fetched_once_and_parsed() -> None:
    location = "http://192.0.2.20:5000/d.xml"
    responses = (
        SsdpResponse(SENDER, "upnp:rootdevice", "uuid:1", location, "srv"),
        SsdpResponse(
            SENDER, "urn:schemas-upnp-org:device:InternetGatewayDevice:1", "uuid:1::igd", location, "srv"
        ),
    )
    ctx = counting_context({location: http_response(location, body=IGD_XML)})
    described = asyncio.run(describe(ctx, SearchResult(responses=responses), SUBNET))
    assert ctx.fetched == [location]
    [item] = described
    assert item.description is not None and item.description.root.friendly_name == "Box"
    assert item.responses == responses and item.error is None


@pytest.mark.parametrize(
    ("answer_", "fragment"),
    [
        pytest.param(http_response("u", 404, b"no"), "HTTP 404", id="http-404"),
        pytest.param(
            HttpResponse("u", 200, {}, b"<root>", truncated=True, elapsed_ms=1.0),
            "larger than 1 MiB",
            id="truncated",
        ),
        pytest.param(
            http_response("u", 200, b"<!DOCTYPE x [<!ENTITY a 'b'>]><root/>"), "refused", id="entity"
        ),
        pytest.param(TimeoutError("slow"), "timed out", id="timeout"),
        pytest.param(ssdp.HttpError("connection refused"), "connection refused", id="refused-connection"),
    ],
)
def test_failed_descriptions_say_why(answer_: HttpResponse | Exception, fragment: str) -> None:
    location = "http://192.0.2.20:5000/d.xml"
    ctx = counting_context({location: answer_})
    result = SearchResult(responses=(SsdpResponse(SENDER, "upnp:rootdevice", "u", location, None),))
    [item] = asyncio.run(describe(ctx, result, SUBNET))
    assert item.description is None
    assert item.error is not None and fragment in item.error


# --- fetches against real servers on 127.0.0.1 --------------------------------------------------------

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def local_server(handler: Handler) -> AsyncIterator[int]:
    async def wrapped(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            await handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(wrapped, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()


def live_context(seconds: float) -> ProbeContext:
    return ProbeContext(
        SsdpDiscoveryProbe.spec,
        Session(),
        known=FactView(lambda: (), lambda: ()),
        deadline=time.monotonic() + seconds,
    )


def test_endless_body_at_location_is_cut_at_1_mib() -> None:
    sent = 0

    async def endless(_r: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal sent
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n\r\n<root>")
        while True:
            writer.write(b"<a/>" * 4096)
            sent += 16384
            await writer.drain()

    async def go() -> Described:
        async with local_server(endless) as port:
            return await fetch_description(
                live_context(10), f"http://127.0.0.1:{port}/d.xml", ipaddress.IPv4Address("127.0.0.1")
            )

    item = asyncio.run(go())
    assert item.error == "description larger than 1 MiB (refused)"
    assert sent < 64 * 1024 * 1024


def test_trickling_body_at_location_ends_at_the_deadline() -> None:
    async def trickle(_r: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
        while True:
            writer.write(b"<")
            await writer.drain()
            await asyncio.sleep(0.2)

    async def go() -> tuple[Described, float]:
        async with local_server(trickle) as port:
            started = time.monotonic()
            item = await fetch_description(
                live_context(1.5), f"http://127.0.0.1:{port}/d.xml", ipaddress.IPv4Address("127.0.0.1")
            )
            return item, time.monotonic() - started

    item, elapsed = asyncio.run(go())
    assert item.error == "description fetch timed out"
    assert elapsed < 5.0  # the per-fetch cap is 5 s; the probe's deadline (1.5 s) ended it first


def test_a_real_description_is_fetched_and_parsed_in_the_worker() -> None:
    async def serve(_r: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(IGD_XML) + IGD_XML)
        await writer.drain()

    async def go() -> Described:
        async with local_server(serve) as port:
            return await fetch_description(
                live_context(10), f"http://127.0.0.1:{port}/d.xml", ipaddress.IPv4Address("127.0.0.1")
            )

    item = asyncio.run(go())
    assert item.description is not None
    assert [s.control_url for s in item.description.root.all_services()][1].endswith("/ip")


# --- device records of discovery.ssdp ---------------------------------------------------------------


def described_igd(sender: str = "192.0.2.1") -> Described:
    location = f"http://{sender}:5000/d.xml"
    description = parse_description(IGD_XML, location)
    response = SsdpResponse(
        ipaddress.IPv4Address(sender),
        "urn:schemas-upnp-org:device:InternetGatewayDevice:1",
        "uuid:00000000-0000-4000-8000-000000000001::igd",
        location,
        "MiniUPnPd/2.3.1",
    )
    return Described(location, ipaddress.IPv4Address(sender), (response,), description=description)


def test_an_igd_becomes_a_router_without_personal_identifiers() -> None:
    device = device_sighting(described_igd())
    assert device.kind is DeviceKind.ROUTER
    assert device.ip == "192.0.2.1" and device.mac is None
    assert device.vendor == "ExampleCo" and device.model == "B1" and device.names == ("Box",)
    types = [s.type for s in device.services]
    assert "urn:schemas-upnp-org:service:WANIPConnection:1" in types
    assert not any("uuid" in t for t in types)
    text = repr(device)
    assert "SN1" not in text and "00000000-0000-4000-8000" not in text


def test_personal_identifiers_go_to_the_pseudonymised_fact() -> None:
    record = device_record(described_igd())
    assert record["serial_number"] == "SN1"
    assert record["udn"] == "uuid:00000000-0000-4000-8000-000000000001"
    assert record["usns"] == ["uuid:00000000-0000-4000-8000-000000000001::igd"]


def test_wan_services_prefer_ip_connection() -> None:
    services = wan_services(described_igd())
    assert [s["control_url"] for s in services] == [
        "http://192.0.2.1:5000/ip",
        "http://192.0.2.1:5000/ppp",
    ]
    assert is_igd(described_igd())


@pytest.mark.parametrize(
    ("sts", "kind"),
    [
        pytest.param(["urn:schemas-upnp-org:device:MediaRenderer:1"], DeviceKind.MEDIA, id="renderer"),
        pytest.param(["urn:dial-multiscreen-org:device:dial:1"], DeviceKind.MEDIA, id="dial"),
        pytest.param(["urn:schemas-upnp-org:device:ZonePlayer:1"], DeviceKind.SPEAKER, id="sonos"),
        pytest.param(["urn:schemas-upnp-org:device:Printer:1"], DeviceKind.PRINTER, id="printer"),
        pytest.param(["upnp:rootdevice"], DeviceKind.UNKNOWN, id="nothing-said"),
    ],
)
def test_kinds_from_search_targets(sts: list[str], kind: DeviceKind) -> None:
    assert kind_of(None, sts)[0] is kind


def test_interface_address_inside_the_subnet() -> None:
    assert interface_address(["169.254.3.3/16", "192.0.2.10/24"], "192.0.2.0/24") == (
        ipaddress.IPv4Address("192.0.2.10"),
        SUBNET,
    )
    assert interface_address([], "192.0.2.0/24") is None
    assert interface_address(["192.0.2.10/24"], None) is None


@pytest.mark.parametrize(
    "facts",
    [
        pytest.param({"interface.ipv4": ["127.0.0.1/8"], "interface.subnet": "127.0.0.0/8"}, id="loopback"),
        pytest.param({"interface.ipv4": ["169.254.3.3/16"], "interface.subnet": None}, id="no-subnet"),
    ],
)
def test_ssdp_is_not_applicable_without_a_lan(facts: dict[str, object]) -> None:
    from homediag.core.model import Outcome
    from homediag.testing import run_probe

    outcome = asyncio.run(run_probe(SsdpDiscoveryProbe, facts={**facts, "gateway.ipv4": None}))  # type: ignore[arg-type]
    assert outcome.result.outcome is Outcome.NOT_APPLICABLE


def test_search_socket_uses_ttl_2_and_the_session_interface() -> None:
    sock = ssdp._open_socket(ipaddress.IPv4Address("127.0.0.1"))  # bound only: nothing is sent
    try:
        assert sock.getsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL) == 2
        assert sock.getsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, 4) == bytes([127, 0, 0, 1])
        assert sock.getsockname()[0] == "127.0.0.1"
    finally:
        sock.close()


class _Unroutable(socket.socket):
    def sendto(self, *_args: object) -> int:  # type: ignore[override]
        raise OSError(101, "Network is unreachable")


def test_a_search_that_could_not_be_sent_is_a_failure_not_silence(monkeypatch: pytest.MonkeyPatch) -> None:
    from homediag.core.model import Outcome
    from homediag.testing import run_probe

    def unroutable(_address: ipaddress.IPv4Address) -> socket.socket:
        sock = _Unroutable(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setblocking(False)
        sock.bind(("127.0.0.1", 0))
        return sock

    monkeypatch.setattr(ssdp, "_open_socket", unroutable)
    facts = {"interface.ipv4": ["192.0.2.10/24"], "interface.subnet": "192.0.2.0/24", "gateway.ipv4": None}
    outcome = asyncio.run(run_probe(SsdpDiscoveryProbe, facts=facts))  # type: ignore[arg-type]
    assert outcome.result.outcome is Outcome.ERROR
    assert "Network is unreachable" in (outcome.result.reason or "")
    assert outcome.observations("ssdp.responders") == []
