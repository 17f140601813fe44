"""Shared helpers of the network parsers: MACs, numbers, JSON arrays, Windows label keys."""

from __future__ import annotations

import pytest

from homediag.net.errors import ParseError
from homediag.net.os._common import load_json_array, normalise_mac, parse_int, parse_ip
from homediag.net.os._windows_labels import IPCONFIG_LABELS, label_key


@pytest.mark.parametrize(
    ("text", "octets", "expected"),
    [
        ("02-00-5E-00-53-01", (6,), "02:00:5e:00:53:01"),
        ("02:00:5e:00:53:01", (6,), "02:00:5e:00:53:01"),
        ("2:0:5e:0:53:1", (6,), "02:00:5e:00:53:01"),
        ("02 00 5e 00 53 01", (6,), "02:00:5e:00:53:01"),
        ("0200.5e00.5301", (6,), "02:00:5e:00:53:01"),
        ("02005e005301", (6,), "02:00:5e:00:53:01"),
        ("00-00-00-00-00-00-00-E0", (6,), None),
        ("00-00-00-00-00-00-00-E0", (6, 8), "00:00:00:00:00:00:00:e0"),
        ("02:00:5e:00:53", (6,), None),
        ("02:00:5e:00:53:0g", (6,), None),
        ("192.0.2.1", (6,), None),
        ("02::5e:00:53:01", (6,), None),
        ("", (6,), None),
        (None, (6,), None),
    ],
    ids=[
        "windows",
        "colons",
        "unpadded-bsd",
        "route-print",
        "cisco",
        "bare",
        "eui64-refused",
        "eui64-accepted",
        "short",
        "not-hex",
        "ip",
        "empty-octet",
        "empty",
        "none",
    ],
)
def test_normalise_mac(text: str | None, octets: tuple[int, ...], expected: str | None) -> None:
    assert normalise_mac(text, octets=octets) == expected


@pytest.mark.parametrize(
    ("text", "base", "expected"),
    [
        ("42", 10, 42),
        ("-101", 10, -101),
        (" 7 ", 10, 7),
        ("0x1c", 16, 28),
        ("1" * 21, 10, None),
        ("٣", 10, None),
        ("1e3", 10, None),
        ("", 10, None),
        (None, 10, None),
    ],
    ids=[
        "plain",
        "negative",
        "spaces",
        "hex",
        "too-long",
        "non-ascii-digit",
        "float",
        "empty",
        "none",
    ],
)
def test_parse_int(text: str | None, base: int, expected: int | None) -> None:
    assert parse_int(text, base=base) == expected


def test_parse_ip_keeps_zones_and_refuses_words() -> None:
    assert str(parse_ip("fe80::1%eth0")) == "fe80::1%eth0"
    assert parse_ip("printer.example") is None
    assert parse_ip("1" * 200) is None


def test_json_array_truncated_keeps_whole_items() -> None:
    assert load_json_array('[{"a": 1}, {"b": 2}, {"c"', "x") == [{"a": 1}, {"b": 2}]
    with pytest.raises(ParseError):
        load_json_array('{"a": 1}', "x")
    with pytest.raises(ParseError):
        load_json_array("[" * 100_000, "x")


@pytest.mark.parametrize(
    ("label", "meaning"),
    [
        ("Physical Address. . . . . . . . .", "physical_address"),
        ("Adresse physique . . . . . . . . . . .\u00a0", "physical_address"),
        ("Primäres DNS-Suffix . . . . . . .", "primary_dns_suffix"),
        ("Prim\u201eres DNS-Suffix", "primary_dns_suffix"),
        ("Nom de l’hôte", "hostname"),
        ("Nom de l'hôte", "hostname"),
    ],
    ids=[
        "english",
        "french-nbsp",
        "german",
        "german-cp850-mangled",
        "french-apostrophe",
        "ascii-quote",
    ],
)
def test_label_keys_survive_leaders_spaces_and_code_pages(label: str, meaning: str) -> None:
    assert IPCONFIG_LABELS[label_key(label)] == meaning
