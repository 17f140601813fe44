"""Our own recorded Wi-Fi outputs leak no real address: fake MACs and documentation ranges only."""

from __future__ import annotations

import re
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
from pathlib import Path

import pytest
from wifi_support import OWN_FIXTURES

DOC_V4 = [ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")]
DOC_V6 = ip_network("2001:db8::/32")
MAC_RE = re.compile(r"(?<![\w:])([0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5})(?![\w:])")
IPV4_RE = re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d{1,3}){3})(?![\w.])")
IPV6_RE = re.compile(r"(?<![\w:])([0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{0,4}){2,7})(?![\w:])")

FILES = sorted(path for path in OWN_FIXTURES.rglob("*") if path.is_file())


def test_there_are_fixtures() -> None:
    assert len(FILES) > 30


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(Path(p).relative_to(OWN_FIXTURES)))
def test_fixture_addresses_are_fake(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for mac in MAC_RE.findall(text):
        first = int(mac[:2], 16)
        documentation = (
            mac.lower().replace("-", ":").startswith(("00:00:5e:00:53", "02:00:5e:00:53"))
        )
        assert first & 0x02 or documentation, f"{mac} is not locally administered"
    for text_address in IPV4_RE.findall(text):
        address = ip_address(text_address)
        assert isinstance(address, IPv4Address)
        assert any(address in net for net in DOC_V4), f"{address} is not a documentation address"
    for candidate in IPV6_RE.findall(text):
        if MAC_RE.fullmatch(candidate):
            continue
        try:
            address = ip_address(candidate)
        except ValueError:
            continue
        assert isinstance(address, IPv6Address)
        assert address in DOC_V6, f"{address} is not a documentation address"
