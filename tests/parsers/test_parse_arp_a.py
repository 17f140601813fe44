"""``arp -a`` on Linux, macOS and Windows in German and French."""

from __future__ import annotations

from ipaddress import IPv4Address

import pytest

from homediag.net.errors import ParseError
from homediag.net.os.arp_a import ArpKind, parse_arp_a
from tests.parsers.real_outputs import own_fixture


def _table(name: str) -> dict[str, tuple[str | None, ArpKind]]:
    return {str(e.ip): (e.mac, e.kind) for e in parse_arp_a(own_fixture("arp-a", name))}


def test_linux_static_published_and_incomplete() -> None:
    entries = parse_arp_a(own_fixture("arp-a", "linux-static-published.txt"))
    assert [(str(e.ip), e.kind, e.published, e.interface) for e in entries] == [
        ("192.0.2.1", ArpKind.DYNAMIC, False, "eth0"),
        ("192.0.2.20", ArpKind.STATIC, False, "eth0"),
        ("192.0.2.30", ArpKind.STATIC, True, "eth0"),
        ("192.0.2.9", ArpKind.INCOMPLETE, False, "eth0"),
    ]
    assert entries[0].hostname == "router.example"
    assert entries[1].hostname is None
    assert entries[3].mac is None


def test_macos_unpadded_octets_and_incomplete() -> None:
    assert _table("macos-incomplete.txt") == {
        "192.0.2.1": ("02:00:5e:00:53:01", ArpKind.DYNAMIC),
        "192.0.2.2": (None, ArpKind.INCOMPLETE),
        "192.0.2.20": ("00:00:5e:00:53:14", ArpKind.DYNAMIC),
        "224.0.0.251": ("01:00:5e:00:00:fb", ArpKind.STATIC),
    }


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "windows-de.txt",
            {
                "192.0.2.1": ("02:00:5e:00:53:01", ArpKind.DYNAMIC),
                "192.0.2.255": ("ff:ff:ff:ff:ff:ff", ArpKind.STATIC),
                "224.0.0.22": ("01:00:5e:00:00:16", ArpKind.STATIC),
                "198.51.100.1": ("02:00:5e:00:53:41", ArpKind.DYNAMIC),
            },
        ),
        (
            "windows-fr.txt",
            {
                "192.0.2.1": ("02:00:5e:00:53:01", ArpKind.DYNAMIC),
                "192.0.2.66": (None, ArpKind.INCOMPLETE),
                "192.0.2.255": ("ff:ff:ff:ff:ff:ff", ArpKind.STATIC),
            },
        ),
    ],
    ids=["german", "french-nbsp-invalid-and-cut-row"],
)
def test_windows_localised(name: str, expected: dict) -> None:
    assert _table(name) == expected


def test_windows_blocks_give_interface_address_and_index() -> None:
    entries = parse_arp_a(own_fixture("arp-a", "windows-de.txt"))
    assert {(str(e.ip), e.interface_ip, e.interface_index) for e in entries} == {
        ("192.0.2.1", IPv4Address("192.0.2.10"), 11),
        ("192.0.2.255", IPv4Address("192.0.2.10"), 11),
        ("224.0.0.22", IPv4Address("192.0.2.10"), 11),
        ("198.51.100.1", IPv4Address("198.51.100.5"), 17),
    }


@pytest.mark.parametrize("name", ["windows-no-entries.txt", "windows-no-entries-de.txt"])
def test_windows_no_entries_message_is_an_empty_table(name: str) -> None:
    assert parse_arp_a(own_fixture("arp-a", name)) == []


def test_unknown_windows_type_word_is_kept_as_unknown() -> None:
    text = "Interfaz: 192.0.2.10 --- 0x4\n  192.0.2.1   02-00-5e-00-53-01   dinámico\n"
    (entry,) = parse_arp_a(text)
    assert entry.kind is ArpKind.UNKNOWN and entry.mac == "02:00:5e:00:53:01"


def test_empty_and_garbage() -> None:
    assert parse_arp_a("") == []
    with pytest.raises(ParseError):
        parse_arp_a("arp: command not found\nsomething else")
