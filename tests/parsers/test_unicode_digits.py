"""Characters that ``str.isdigit`` calls digits but ``int`` refuses (``²``, from a code page 850
ipconfig read as 1252, or from a hostile device) never escape a parser as ``ValueError``."""

from __future__ import annotations

from pathlib import Path

import pytest

from homediag.net.os._common import parse_port
from homediag.net.os.ipconfig import parse_ipconfig, parse_lease_date
from homediag.net.reach import parse_endpoint
from homediag.net.upnp.igd import parse_external_ip_response
from homediag.probes.net.dns import parse_server

IPCONFIG = Path(__file__).parent / "fixtures" / "ipconfig-all" / "de-DE-cp850-read-as-cp1252.txt"
SUPERSCRIPTS = ["²", "³", "¹²³", "2²", "٢"]  # the last one is an Arabic-Indic digit: int() reads it


@pytest.mark.parametrize("digits", SUPERSCRIPTS)
def test_a_lease_date_with_odd_digits_is_unreadable_not_an_error(digits: str) -> None:
    parsed = parse_lease_date(f"Donnerstag, {digits}. M„rz 2024 09:15:00")
    assert parsed is None or parsed.day == 2  # "2²": the 2 is a day


def test_ipconfig_with_a_superscript_in_a_lease_line_still_parses() -> None:
    text = IPCONFIG.read_text(encoding="utf-8").replace("7. M„rz", "². M„rz")
    assert "²" in text
    parsed = parse_ipconfig(text)
    assert parsed.adapters


@pytest.mark.parametrize("digits", SUPERSCRIPTS)
def test_igd_error_code(digits: str) -> None:
    answer = (
        '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
        f'<s:Fault><detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>{digits}</errorCode>'
        "<errorDescription>Action Failed</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>"
    )
    reply = parse_external_ip_response(answer.encode())
    assert reply.address is None and reply.fault_code is None


@pytest.mark.parametrize("digits", SUPERSCRIPTS)
def test_endpoints_with_odd_ports(digits: str) -> None:
    assert parse_server(f"192.0.2.53:{digits}") is None
    assert parse_server(f"[2001:db8::53]:{digits}") is None
    assert parse_endpoint(f"example.com:{digits}", 443) is None
    assert parse_endpoint(f"[2001:db8::1]:{digits}", 443) is None
    assert parse_port(digits) is None


def test_ordinary_ports_still_parse() -> None:
    assert parse_server("192.0.2.53:5353").port == 5353  # type: ignore[union-attr]
    assert parse_endpoint("[2001:db8::1]:8443", 443).port == 8443  # type: ignore[union-attr]
    assert parse_endpoint("example.com:99999", 443) is None
