"""UPnP device descriptions: real and hand-written ones, and one named regression test per XML attack."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homediag.core.worker import WorkerError, run_killable
from homediag.net.upnp.description import (
    DeviceDescription,
    parse_description,
    same_origin_url,
)
from homediag.net.upnp.safe_xml import MAX_DEPTH, UpnpXmlError, parse_capped

FIXTURES = Path(__file__).parent / "fixtures" / "upnp"
LOCATION = "http://192.0.2.1:5000/rootDesc.xml"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any socket opened while parsing fails the test (an external entity or DTD being fetched)."""

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the parser tried to open a socket")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def doc(inner: str) -> bytes:
    return (
        '<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0">' + inner + "</root>"
    ).encode()


# --- real and realistic descriptions --------------------------------------------------------------


def test_miniupnpd_description_recorded_from_a_real_daemon() -> None:
    data = (FIXTURES / "miniupnpd-2.3.1-rootDesc.xml").read_bytes()
    parsed = parse_description(data, LOCATION)
    root = parsed.root
    assert root.device_type == "urn:schemas-upnp-org:device:InternetGatewayDevice:2"
    assert root.friendly_name == "Lab router"
    assert root.manufacturer == "Debian"
    assert root.serial_number == "00000001"
    assert root.udn == "uuid:00000000-0000-4000-8000-000000000001"
    assert [d.device_type for d in root.walk()] == [
        "urn:schemas-upnp-org:device:InternetGatewayDevice:2",
        "urn:schemas-upnp-org:device:WANDevice:2",
        "urn:schemas-upnp-org:device:WANConnectionDevice:2",
    ]
    wan = [s for s in root.all_services() if "WANIPConnection" in (s.service_type or "")]
    assert len(wan) == 1
    assert wan[0].control_url == "http://192.0.2.1:5000/ctl/IPConn"
    assert wan[0].scpd_url == "http://192.0.2.1:5000/WANIPCn.xml"
    assert parsed.anomalies == ()
    assert not parsed.truncated


def test_urlbase_relative_urls_and_a_cross_host_service_url() -> None:
    data = (FIXTURES / "igd-v1-urlbase-ppp.xml").read_bytes()
    parsed = parse_description(data, "http://192.0.2.1:49000/igddesc.xml")
    services = {s.service_type: s for s in parsed.root.all_services()}
    ppp = services["urn:schemas-upnp-org:service:WANPPPConnection:1"]
    assert ppp.control_url == "http://192.0.2.1:49000/igdupnp/control/WANPPPConn1"
    ip = services["urn:schemas-upnp-org:service:WANIPConnection:1"]
    assert ip.control_url is None, "a controlURL on another host must be refused"
    assert ip.event_sub_url == "http://192.0.2.1:49000/igdupnp/control/WANIPConn1"
    assert services["urn:schemas-any-com:service:Any:1"].scpd_url is None
    assert any("another host (198.51.100.99)" in a for a in parsed.anomalies)
    assert parsed.root.friendly_name == "Example Box 7590"


def test_urlbase_on_another_host_is_ignored() -> None:
    data = doc(
        "<URLBase>http://198.51.100.99:80/</URLBase><device><deviceType>t</deviceType>"
        "<serviceList><service><serviceType>s</serviceType><controlURL>/ctl</controlURL>"
        "</service></serviceList></device>"
    )
    parsed = parse_description(data, "http://192.0.2.5:8080/d.xml")
    assert parsed.root.services[0].control_url == "http://192.0.2.5:8080/ctl"
    assert any(a.startswith("URLBase") for a in parsed.anomalies)


@pytest.mark.parametrize(
    ("url", "resolved", "problem"),
    [
        pytest.param("/ctl", "http://192.0.2.1:5000/ctl", None, id="relative-path"),
        pytest.param("ctl", "http://192.0.2.1:5000/ctl", None, id="relative-no-slash"),
        pytest.param("http://192.0.2.1:6000/x", "http://192.0.2.1:6000/x", None, id="same-host-other-port"),
        pytest.param("http://198.51.100.9/x", None, "another host", id="another-host"),
        pytest.param("//198.51.100.9/x", None, "another host", id="scheme-relative-another-host"),
        pytest.param("http://127.0.0.1/x", None, "another host", id="loopback"),
        pytest.param("file:///etc/passwd", None, "scheme", id="file-scheme"),
        pytest.param("http://user@192.0.2.1/x", None, "credentials", id="credentials"),
        pytest.param("http://192.0.2.1:99999/x", None, "malformed", id="bad-port"),
        pytest.param("/" + "a" * 2000, None, "too long", id="too-long"),
        pytest.param("  ", None, None, id="empty"),
    ],
)
def test_service_urls_stay_on_the_description_host(
    url: str, resolved: str | None, problem: str | None
) -> None:
    got, why = same_origin_url(LOCATION, url)
    assert got == resolved
    if problem is None:
        assert why is None
    else:
        assert why is not None and problem in why


def test_invisible_characters_and_long_names_are_cleaned() -> None:
    name = "Anna\u202e VT\x85\t\n" + "x" * 1000  # a bidi override, NEL and a tab inside a name
    parsed = parse_description(doc(f"<device><friendlyName>{name}</friendlyName></device>"), LOCATION)
    cleaned = parsed.root.friendly_name
    assert cleaned is not None
    assert cleaned.startswith("Anna VT" + "x")
    assert all(ch.isprintable() for ch in cleaned)
    assert len(cleaned) == 256


def test_namespace_prefixes_and_missing_namespace_are_accepted() -> None:
    bare = b"<root><device><friendlyName>Plain</friendlyName></device></root>"
    assert parse_description(bare, LOCATION).root.friendly_name == "Plain"
    prefixed = (
        b'<d:root xmlns:d="urn:schemas-upnp-org:device-1-0"><d:device>'
        b"<d:friendlyName>Prefixed</d:friendlyName></d:device></d:root>"
    )
    assert parse_description(prefixed, LOCATION).root.friendly_name == "Prefixed"


def test_too_many_embedded_devices_are_cut_and_flagged() -> None:
    inner = "".join(f"<device><friendlyName>d{i}</friendlyName></device>" for i in range(100))
    parsed = parse_description(doc(f"<device><deviceList>{inner}</deviceList></device>"), LOCATION)
    assert len(list(parsed.root.walk())) == 64
    assert parsed.truncated


# --- named regression tests, one per attack (docs/hostile-input.md#limits) -------------------------------


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]><root><device><friendlyName>&lol9;</friendlyName></device></root>"
)


def test_billion_laughs_is_refused(no_network: None) -> None:
    with pytest.raises(UpnpXmlError, match="forbidden"):
        parse_description(BILLION_LAUGHS, LOCATION)


def test_quadratic_blowup_is_refused(no_network: None) -> None:
    entity = b"A" * 100_000
    data = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "' + entity + b'">]><root><device>'
        b"<friendlyName>" + b"&a;" * 10_000 + b"</friendlyName></device></root>"
    )
    with pytest.raises(UpnpXmlError):
        parse_description(data, LOCATION)


def test_external_entity_file_is_refused(no_network: None) -> None:
    data = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<root><device><friendlyName>&x;</friendlyName></device></root>"
    )
    with pytest.raises(UpnpXmlError, match="forbidden"):
        parse_description(data, LOCATION)


def test_external_dtd_over_http_is_never_fetched(no_network: None) -> None:
    data = (
        b'<?xml version="1.0"?><!DOCTYPE root SYSTEM "http://198.51.100.99/evil.dtd">'
        b"<root><device><friendlyName>x</friendlyName></device></root>"
    )
    with pytest.raises(UpnpXmlError, match="forbidden"):
        parse_description(data, LOCATION)


def test_200000_deep_nesting_is_refused(no_network: None) -> None:
    data = b"<root>" + b"<a>" * 200_000 + b"</a>" * 200_000 + b"</root>"
    with pytest.raises(UpnpXmlError):
        parse_description(data, LOCATION)
    # the depth cap stops it on its own, whatever the byte cap, long before the tree is built
    with pytest.raises(UpnpXmlError, match=f"deeper than {MAX_DEPTH}"):
        parse_capped(data, max_bytes=len(data))


def test_nesting_one_level_past_the_cap_is_refused(no_network: None) -> None:
    assert parse_capped(b"<a>" * MAX_DEPTH + b"</a>" * MAX_DEPTH).tag == "a"
    with pytest.raises(UpnpXmlError, match="deeper"):
        parse_capped(b"<a>" * (MAX_DEPTH + 1) + b"</a>" * (MAX_DEPTH + 1))


def test_16_mb_document_is_refused_before_parsing(no_network: None) -> None:
    data = doc("<device>" + "<x>y</x>" * 2_000_000 + "</device>")
    assert len(data) > 16_000_000
    with pytest.raises(UpnpXmlError, match="larger than"):
        parse_description(data, LOCATION)


def test_one_byte_over_1_mib_is_refused(no_network: None) -> None:
    head = doc("<device><friendlyName>x</friendlyName></device>")
    data = head + b" " * (1024 * 1024 + 1 - len(head))
    assert len(data) == 1024 * 1024 + 1
    with pytest.raises(UpnpXmlError, match="larger than"):
        parse_description(data, LOCATION)
    assert parse_description(data[:-1], LOCATION).root.friendly_name == "x"


def test_more_than_50000_elements_is_refused(no_network: None) -> None:
    data = doc("<device>" + "<x/>" * 50_001 + "</device>")
    with pytest.raises(UpnpXmlError, match="more than 50000 elements"):
        parse_description(data, LOCATION)


def test_invalid_utf8_is_refused(no_network: None) -> None:
    data = (
        b'<?xml version="1.0" encoding="utf-8"?>'
        b"<root><device><friendlyName>\xff\xfe\xfa</friendlyName></device></root>"
    )
    with pytest.raises(UpnpXmlError, match="not well-formed"):
        parse_description(data, LOCATION)


def test_utf16_with_bom_is_read(no_network: None) -> None:
    data = (
        '<?xml version="1.0" encoding="UTF-16"?>'
        "<root><device><friendlyName>Wide</friendlyName></device></root>"
    )
    parsed = parse_description(data.encode("utf-16"), LOCATION)
    assert parsed.root.friendly_name == "Wide"


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        pytest.param(b"", "empty", id="empty"),
        pytest.param(b"<html><body>router login</body></html>", "not <root>", id="html-page"),
        pytest.param(doc("<specVersion/>"), "no <device>", id="no-device"),
        pytest.param(b"<root><device>", "not well-formed", id="truncated"),
        pytest.param(b"<root><u:x/></root>", "not well-formed", id="unbound-prefix"),
        pytest.param(
            b'<?xml version="1.0" encoding="klingon"?><root/>',
            "unreadable|not well-formed",
            id="unknown-encoding",
        ),
    ],
)
def test_malformed_descriptions_are_refused(data: bytes, fragment: str) -> None:
    with pytest.raises(UpnpXmlError, match=fragment):
        parse_description(data, LOCATION)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_give_a_description_or_a_typed_error(data: bytes) -> None:
    try:
        result = parse_description(data, LOCATION)
    except UpnpXmlError:
        return
    assert isinstance(result, DeviceDescription)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="<>/ab=\"' &;!-[]?x", max_size=400))
def test_arbitrary_markup_never_escapes_the_parser(text: str) -> None:
    with contextlib.suppress(UpnpXmlError):
        parse_capped(text.encode())


def test_hostile_documents_are_refused_inside_the_killable_worker() -> None:
    async def go() -> str:
        try:
            await run_killable(parse_description, BILLION_LAUGHS, LOCATION, timeout_s=10)
        except WorkerError as exc:
            return str(exc)
        return "parsed"

    assert asyncio.run(go()).startswith("UpnpXmlError: forbidden")


def test_fixtures_use_only_documentation_addresses_and_no_macs() -> None:
    import ipaddress
    import re

    documentation = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")]
    for path in FIXTURES.iterdir():
        text = path.read_text(encoding="utf-8")
        for found in re.findall(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])", text):
            address = ipaddress.ip_address(found)
            assert any(address in net for net in documentation), f"{path.name}: {found}"
        assert not re.search(r"(?i)\b[0-9a-f]{2}(?::[0-9a-f]{2}){5}\b", text), path.name
