"""Hostile input: every network parser returns a result or raises ParseError, nothing else.

Hypothesis feeds arbitrary text, decoded arbitrary bytes, and mutations of real and own fixtures
(cut anywhere, lines dropped, duplicated or replaced by garbage). Named cases cover the known
attacks: oversized output, one enormous line, deep JSON nesting, NUL bytes, odd line breaks.
``HOMEDIAG_FUZZ_EXAMPLES`` raises the number of examples (CI nightly: 10000).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homediag.net.errors import ParseError
from homediag.net.os._common import MAX_LINE_CHARS, MAX_TEXT_CHARS
from homediag.net.os.arp_a import parse_arp_a
from homediag.net.os.dhcp_leases import (
    parse_dhclient_leases,
    parse_dnsmasq_leases,
    parse_networkd_lease,
)
from homediag.net.os.ip_addr import parse_ip_addr_json
from homediag.net.os.ip_neigh import parse_ip_neigh
from homediag.net.os.ip_route import parse_ip_route, parse_ip_route_json
from homediag.net.os.ipconfig import parse_ipconfig
from homediag.net.os.lpstat import parse_lpstat_v
from homediag.net.os.netstat_rn import parse_netstat_rn
from homediag.net.os.nmcli_dev_show import parse_nmcli_dev_show
from homediag.net.os.resolv_conf import parse_resolv_conf
from homediag.net.os.route_print import parse_route_print
from homediag.net.os.scutil_dns import parse_scutil_dns
from homediag.net.os.windows_printers import parse_get_printer, parse_get_printer_port
from tests.parsers.real_outputs import OWN_FIXTURES, own_fixture_paths, real_outputs_dir

PARSERS: dict[str, Callable[[str], object]] = {
    "ip-route": parse_ip_route,
    "ip-route-json": parse_ip_route_json,
    "ip-j-addr": parse_ip_addr_json,
    "ip-neigh": parse_ip_neigh,
    "arp-a": parse_arp_a,
    "ipconfig-all": parse_ipconfig,
    "route-print": parse_route_print,
    "netstat-rn": parse_netstat_rn,
    "scutil-dns": parse_scutil_dns,
    "nmcli-dev-show": parse_nmcli_dev_show,
    "lpstat-v": parse_lpstat_v,
    "get-printer": parse_get_printer,
    "get-printerport": parse_get_printer_port,
    "resolv-conf": parse_resolv_conf,
    "dhclient-leases": parse_dhclient_leases,
    "networkd-lease": parse_networkd_lease,
    "dnsmasq-leases": parse_dnsmasq_leases,
}
# Which fixture folder feeds which parser's mutations.
FOLDERS = {
    "ip-route": "ip-route",
    "ip-route-json": "ip-route",
    "ip-j-addr": "ip-j-addr",
    "ip-neigh": "ip-neigh",
    "arp-a": "arp-a",
    "ipconfig-all": "ipconfig-all",
    "route-print": "route-print",
    "netstat-rn": "netstat-rn",
    "scutil-dns": "scutil-dns",
    "nmcli-dev-show": "nmcli-dev-show",
    "lpstat-v": "lpstat-v",
    "get-printer": "windows-printers",
    "get-printerport": "windows-printers",
    "resolv-conf": "resolv-conf",
    "dhclient-leases": "dhcp-leases",
    "networkd-lease": "dhcp-leases",
    "dnsmasq-leases": "dhcp-leases",
}
EXAMPLES = int(os.environ.get("HOMEDIAG_FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # speed is measured by benchmarks/, not by timed assertions
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _corpus(name: str) -> list[str]:
    folder = FOLDERS[name]
    texts = [p.read_bytes().decode("utf-8") for p in own_fixture_paths() if p.parent.name == folder]
    real = real_outputs_dir() / folder
    if real.is_dir():
        texts += [p.read_bytes().decode("utf-8") for p in sorted(real.glob("*.txt"))]
    assert texts, f"no fixture feeds {name}"
    return texts


def _call(name: str, text: str) -> None:
    with contextlib.suppress(ParseError):
        PARSERS[name](text)


GARBAGE_LINES = st.sampled_from(
    [
        "",
        "   ",
        ":",
        " : ",
        "[",
        "{",
        "}",
        '"',
        "\x00\x01\x02",
        "\u2028\u00a0\u202f",
        "=" * 80,
        "999.999.999.999 ff-ff-ff-ff-ff-ff dynamic",
        "default via",
        "nexthop via 192.0.2.1",
        "Interface: 192.0.2.1 --- 0xzz",
        "resolver #999999999",
        "IP4.ROUTE[1]: dst = , nh = , mt = x",
        "  1    331 ::1/128",
        "lease {",
    ]
)


@st.composite
def mutated(draw: st.DrawFn, texts: list[str]) -> str:
    lines = draw(st.sampled_from(texts)).splitlines(keepends=True)
    for _ in range(draw(st.integers(0, 4))):
        action = draw(st.sampled_from(["cut", "drop", "dup", "garbage", "swap"]))
        if not lines:
            break
        index = draw(st.integers(0, len(lines) - 1))
        if action == "cut":
            line = lines[index]
            lines = [*lines[:index], line[: draw(st.integers(0, len(line)))]]
        elif action == "drop":
            del lines[index]
        elif action == "dup":
            lines.insert(index, lines[index])
        elif action == "garbage":
            lines[index] = draw(GARBAGE_LINES) + "\n"
        else:
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
    return "".join(lines)


@pytest.mark.parametrize("name", sorted(PARSERS))
@FUZZ
@given(text=st.text(max_size=3000))
def test_arbitrary_text(name: str, text: str) -> None:
    _call(name, text)


@pytest.mark.parametrize("name", sorted(PARSERS))
@FUZZ
@given(data=st.binary(max_size=3000))
def test_arbitrary_bytes_decoded(name: str, data: bytes) -> None:
    _call(name, data.decode("utf-8", errors="replace"))


@pytest.mark.parametrize("name", sorted(PARSERS))
@FUZZ
@given(data=st.data())
def test_mutated_fixtures(name: str, data: st.DataObject) -> None:
    _call(name, data.draw(mutated(_corpus(name))))


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_every_prefix_of_one_fixture(name: str) -> None:
    """Truncation at every character of the first fixture: the output a killed command leaves."""
    text = _corpus(name)[0][:1500]
    for end in range(len(text) + 1):
        _call(name, text[:end])


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_oversized_output_is_refused(name: str) -> None:
    with pytest.raises(ParseError, match="over the cap"):
        PARSERS[name]("x" * (MAX_TEXT_CHARS + 1))


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_one_enormous_line_is_skipped_not_scanned(name: str) -> None:
    _call(name, "a:" * MAX_LINE_CHARS + "\n")
    _call(name, " " * (MAX_TEXT_CHARS - 10))


@pytest.mark.parametrize("name", sorted(PARSERS))
@pytest.mark.parametrize(
    "text",
    ["", "\n\n\n", "\x00" * 1000, "\r\r\r", "\u2028\u2029\x85", "[" * 50_000, "{" * 50_000],
    ids=["empty", "newlines", "nul", "cr", "unicode-breaks", "deep-array", "deep-object"],
)
def test_named_hostile_inputs(name: str, text: str) -> None:
    _call(name, text)


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_non_text_input_is_a_parse_error(name: str) -> None:
    with pytest.raises(ParseError):
        PARSERS[name](b"bytes are not text")  # type: ignore[arg-type]


def test_corpus_covers_every_parser() -> None:
    assert set(FOLDERS) == set(PARSERS)
    assert {Path(f).name for f in FOLDERS.values()} <= {p.name for p in OWN_FIXTURES.iterdir()}


# Named regressions for inputs that once cost quadratic time (measured in benchmarks/); here they
# must give the right result.


def test_regression_long_dot_leader_label() -> None:
    line = "   " + ". " * 2000 + "Host Name . . . : x\n"
    assert parse_ipconfig(line * 50).hostname == "x"  # dots are no part of a label's key
    assert parse_ipconfig("   Host Name" + " ." * 2000 + " : pc\n").hostname == "pc"


def test_regression_many_next_hops_of_one_route() -> None:
    hops = "\tnexthop via 192.0.2.1 dev eth0 weight 1\n" * 50_000
    (route,) = parse_ip_route("default proto static metric 5\n" + hops)
    assert len(route.nexthops) == 50_000


def test_regression_many_wrapped_lines_of_one_value() -> None:
    (printer,) = parse_get_printer("Name : a\n" + "   b\n" * 50_000)
    assert printer.name == "a" + " b" * 50_000
