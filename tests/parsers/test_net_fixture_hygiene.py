"""Our own recorded fixtures contain no real-looking address.

Allowed: documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32),
the benchmarking test range 198.18.0.0/15, loopback, link-local, multicast, unspecified and
broadcast addresses, netmasks, the fec0:0:0:ffff::N placeholders Windows prints, and MACs that are
locally administered, multicast, all-zero or in the 00:00:5e:00:53 documentation block. MACs at the
end of DUIDs and client ids count too.
"""

from __future__ import annotations

import re
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from pathlib import Path

import pytest

from tests.parsers.real_outputs import OWN_FIXTURES, own_fixture_paths

RECORDINGS = Path(__file__).parents[1] / "probes" / "recordings"
"""Recordings of probe runs (homediag.testing.recording), made in the lab and rewritten, or written."""

DOC_V4 = [
    IPv4Network("192.0.2.0/24"),
    IPv4Network("198.51.100.0/24"),
    IPv4Network("203.0.113.0/24"),
    IPv4Network("198.18.0.0/15"),
]
DOC_V6 = [IPv6Network("2001:db8::/32"), IPv6Network("fec0::/10")]
NETMASKS = {str(IPv4Network(f"0.0.0.0/{n}").netmask) for n in range(33)}

DOTTED = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])")
V6_TOKEN = re.compile(r"[0-9A-Fa-f:.]+(?:%\w+)?")
MAC_COLON = re.compile(
    r"(?<![0-9A-Fa-f:\-])[0-9A-Fa-f]{1,2}(?:[:\-][0-9A-Fa-f]{1,2}){5,}(?![0-9A-Fa-f:\-])"
)
MAC_SPACE = re.compile(r"(?<![0-9A-Fa-f] )\b[0-9A-Fa-f]{2}(?: [0-9A-Fa-f]{2}){5,7}\b")


def _allowed_ip(address: IPv4Address | IPv6Address) -> bool:
    if isinstance(address, IPv4Address):
        if str(address) in NETMASKS or address == IPv4Address("255.255.255.255"):
            return True
        if address.is_loopback or address.is_link_local or address.is_multicast:
            return True
        return address.is_unspecified or any(address in net for net in DOC_V4)
    plain = IPv6Address(str(address).split("%", 1)[0])
    if plain.is_loopback or plain.is_link_local or plain.is_multicast or plain.is_unspecified:
        return True
    return any(plain in net for net in DOC_V6)


def _fake_mac(octets: list[int]) -> bool:
    first = octets[0]
    return (
        bool(first & 0x02)  # locally administered
        or bool(first & 0x01)  # multicast / broadcast
        or not any(octets)
        or octets[:5] == [0x00, 0x00, 0x5E, 0x00, 0x53]
    )


def violations(text: str) -> list[str]:
    """Every real-looking IP address or MAC in ``text``."""
    text = text.replace("\\:", ":")  # nmcli -t escapes colons
    found: list[str] = []
    for match in DOTTED.finditer(text):
        try:
            address = ip_address(match.group())
        except ValueError:
            continue
        if not _allowed_ip(address):
            found.append(match.group())
    for match in V6_TOKEN.finditer(text):
        token = match.group().split("/", 1)[0]
        if token.startswith(":") and not token.startswith("::"):
            token = token[1:]  # "KEY:2001:db8::1" glued to a separator colon
        if token.count(":") < 2 or (token.endswith("::") and token.count(":") == 2):
            continue  # "60::" is an empty nmcli field after a number, not an address
        try:
            address = ip_address(token)
        except ValueError:
            continue
        if isinstance(address, IPv6Address) and not _allowed_ip(address):
            found.append(token)
    for pattern, splitter in ((MAC_COLON, r"[:\-]"), (MAC_SPACE, " ")):
        for match in pattern.finditer(text):
            octets = [int(part, 16) for part in re.split(splitter, match.group())]
            if len(octets) == 8:
                continue  # EUI-64 tunnel addresses (00-00-00-00-00-00-00-E0)
            if not _fake_mac(octets[-6:]):
                found.append(match.group())
    return found


@pytest.mark.parametrize(
    "path", own_fixture_paths(), ids=lambda p: str(p.relative_to(OWN_FIXTURES))
)
def test_own_fixture_holds_no_real_looking_address(path) -> None:
    text = path.read_bytes().decode("utf-8")
    assert violations(text) == []


@pytest.mark.parametrize(
    "path", sorted(RECORDINGS.rglob("*.json")), ids=lambda p: str(p.relative_to(RECORDINGS))
)
def test_recording_holds_no_real_looking_address(path: Path) -> None:
    text = path.read_bytes().decode("utf-8")
    assert violations(text) == []


def test_recordings_are_found() -> None:
    assert sorted(RECORDINGS.rglob("*.json")), f"no recordings under {RECORDINGS}"


@pytest.mark.parametrize(
    ("text", "culprit"),
    [
        ("? (192.168.1.5) at 02:00:5e:00:53:01 [ether] on eth0", "192.168.1.5"),
        ("? (192.0.2.5) at 3c:2a:f4:12:34:56 [ether] on eth0", "3c:2a:f4:12:34:56"),
        ("   Physical Address. . . : 3C-2A-F4-12-34-56", "3C-2A-F4-12-34-56"),
        (" 11...3c 2a f4 12 34 56 ......Intel(R) Ethernet", "3c 2a f4 12 34 56"),
        (
            "   DUID. . . : 00-01-00-01-2C-CF-19-EB-3C-2A-F4-12-34-56",
            "00-01-00-01-2C-CF-19-EB-3C-2A-F4-12-34-56",
        ),
        ("IP6.ADDRESS[1]:2a01\\:cb14\\:4c7\\:9300\\:\\:5/64", "2a01:cb14:4c7:9300::5"),
        ("nameserver 8.8.8.8", "8.8.8.8"),
    ],
    ids=[
        "private-ip",
        "vendor-mac",
        "windows-mac",
        "route-print-mac",
        "duid",
        "global-ipv6",
        "dns",
    ],
)
def test_scanner_catches_real_looking_addresses(text: str, culprit: str) -> None:
    assert culprit in violations(text)


def test_every_command_has_own_fixtures() -> None:
    folders = {path.relative_to(OWN_FIXTURES).parts[0] for path in own_fixture_paths()}
    assert folders >= {
        "arp-a",
        "dhcp-leases",
        "ip-j-addr",
        "ip-neigh",
        "ip-route",
        "ipconfig-all",
        "lpstat-v",
        "netstat-rn",
        "nmcli-dev-show",
        "resolv-conf",
        "route-print",
        "scutil-dns",
        "windows-printers",
    }
