"""Hostile input: whatever the text, a Wi-Fi parser returns a value or raises ParseError.

SSIDs come from the air and command output can be truncated or mixed with error messages, so each
parser gets arbitrary text, lines of real outputs shuffled together, and real outputs with random
text spliced in. Named regressions follow for the attacks each parser defends against.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homediag.net.errors import ParseError
from homediag.net.os._wifi_common import LINK_MAX_CHARS, SCAN_MAX_CHARS
from homediag.net.os.airport import parse_airport_info, parse_airport_scan
from homediag.net.os.iw_info import parse_iw_info
from homediag.net.os.iw_link import parse_iw_link
from homediag.net.os.iw_scan import parse_iw_scan
from homediag.net.os.iw_station import parse_iw_station_dump
from homediag.net.os.iwconfig import parse_iwconfig
from homediag.net.os.netsh_wlan import parse_netsh_interfaces, parse_netsh_networks
from homediag.net.os.nmcli_wifi import parse_nmcli_wifi_list
from homediag.net.os.system_profiler_airport import parse_system_profiler_airport
from homediag.net.os.wdutil import parse_wdutil_info
from tests.parsers.real_outputs import OWN_FIXTURES
from tests.parsers.real_outputs import real_outputs_dir as real_outputs_root

PARSERS: dict[str, Callable[[str], object]] = {
    "iw-link": parse_iw_link,
    "iw-info": parse_iw_info,
    "iw-station": parse_iw_station_dump,
    "iw-scan": parse_iw_scan,
    "iwconfig": parse_iwconfig,
    "nmcli": parse_nmcli_wifi_list,
    "airport-I": parse_airport_info,
    "airport-s": parse_airport_scan,
    "system-profiler": parse_system_profiler_airport,
    "wdutil": parse_wdutil_info,
    "netsh-interfaces": parse_netsh_interfaces,
    "netsh-networks": parse_netsh_networks,
}


def _sample_texts() -> list[str]:
    paths = [p for p in OWN_FIXTURES.rglob("*") if p.is_file()]
    real = real_outputs_root()
    if real.is_dir():
        paths += [p for p in real.rglob("*.txt") if p.is_file()]
    return [Path(p).read_text(encoding="utf-8") for p in sorted(paths)]


SAMPLES = _sample_texts()
LINES = sorted({line for text in SAMPLES for line in text.splitlines()})

FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def only_parse_errors(parser: Callable[[str], object], text: str) -> None:
    with contextlib.suppress(ParseError):
        parser(text)


@pytest.mark.parametrize("name", PARSERS)
@FUZZ
@given(text=st.text(max_size=3000))
def test_arbitrary_text(name: str, text: str) -> None:
    only_parse_errors(PARSERS[name], text)


@pytest.mark.parametrize("name", PARSERS)
@FUZZ
@given(lines=st.lists(st.sampled_from(LINES), max_size=80))
def test_shuffled_real_lines(name: str, lines: list[str]) -> None:
    only_parse_errors(PARSERS[name], "\n".join(lines))


@pytest.mark.parametrize("name", PARSERS)
@FUZZ
@given(
    sample=st.sampled_from(SAMPLES),
    cut=st.floats(min_value=0, max_value=1),
    noise=st.text(max_size=200),
)
def test_real_output_with_text_spliced_in(name: str, sample: str, cut: float, noise: str) -> None:
    at = int(len(sample) * cut)
    only_parse_errors(PARSERS[name], sample[:at] + noise + sample[at:])


@pytest.mark.parametrize("name", PARSERS)
def test_oversized_output_is_refused(name: str) -> None:
    limit = max(LINK_MAX_CHARS, SCAN_MAX_CHARS)
    with pytest.raises(ParseError, match="exceeds"):
        PARSERS[name]("x" * (limit + 1))


@pytest.mark.parametrize("name", PARSERS)
def test_bytes_instead_of_text_is_refused(name: str) -> None:
    with pytest.raises(ParseError, match="expected text"):
        PARSERS[name](b"BSS 02:00:00:00:00:01")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("iw-scan", "BSS 02:00:00:00:00:01(on wlan0)\n\tfreq: " + "9" * 5000 + "\n"),
        (
            "iw-link",
            "Connected to 02:00:00:00:00:01 (on wlan0)\n\tsignal: -" + "9" * 400 + " dBm\n",
        ),
        ("iw-info", "Interface wlan0\n\twiphy " + "9" * 400 + "\n\tchannel 1 (2412 MHz)\n"),
        ("iw-station", "Station 02:00:00:00:00:01 (on wlan0)\n\ttx packets:\t" + "9" * 400 + "\n"),
        ("system-profiler", '{"SPAirPortDataType": [{"x": ' + "1" * 5000 + "}]}"),
        ("nmcli", "no:x:y:Infra:" + "9" * 5000 + ":1 MHz:1 Mbit/s:1:WPA2:(none):(none):wlan0\n"),
    ],
    ids=[
        "iw-scan-huge-frequency",
        "iw-link-huge-signal",
        "iw-info-huge-phy",
        "iw-station-huge-counter",
        "json-huge-integer",
        "nmcli-huge-channel",
    ],
)
def test_huge_numbers_do_not_escape_as_other_errors(name: str, text: str) -> None:
    only_parse_errors(PARSERS[name], text)


PATHOLOGICAL_SIZE = 200_000
PATHOLOGICAL = {
    "spaces-then-x": " " * PATHOLOGICAL_SIZE + "x",
    "only-newlines": "\n" * PATHOLOGICAL_SIZE,
    "lines-of-spaces": (" " * 50 + "\n") * (PATHOLOGICAL_SIZE // 50),
    "unclosed-essid-quotes": "wlan0     IEEE 802.11  " + 'ESSID:"' * (PATHOLOGICAL_SIZE // 7),
    "letter-run": "a" * PATHOLOGICAL_SIZE,
    "number-then-spaces": "1" + " " * PATHOLOGICAL_SIZE + "x",
    "colons": ":" * PATHOLOGICAL_SIZE,
    "open-parens": "(" * PATHOLOGICAL_SIZE,
    "airport-header-then-junk": " " * 28
    + "SSID BSSID             RSSI CHANNEL HT CC SECURITY (auth/unicast/group)\n"
    + "x " * (PATHOLOGICAL_SIZE // 2),
    "airport-row-of-spaces": " " * 28
    + "SSID BSSID             RSSI CHANNEL HT CC SECURITY (auth/unicast/group)\n"
    + " " * 8000
    + "x\n",
    "connected-then-whitespace": "Connected to" + "\n" * PATHOLOGICAL_SIZE,
    "field-label-then-spaces": "  a" + " " * PATHOLOGICAL_SIZE + "\n",
    "netsh-ssid-lines": ("SSID 1 : " + " " * 40 + "\n") * (PATHOLOGICAL_SIZE // 50),
}


# Regular expressions with nested or adjacent unbounded quantifiers take quadratic or cubic time
# on inputs like these (the first airport -s row pattern needed 70 s for 4000 spaces). Linear
# parsers finish in milliseconds; the timeout only turns a regression into a failure, not a hang.
@pytest.mark.timeout(120)
@pytest.mark.parametrize("shape", PATHOLOGICAL)
@pytest.mark.parametrize("name", PARSERS)
def test_pathological_shapes_finish(name: str, shape: str) -> None:
    only_parse_errors(PARSERS[name], PATHOLOGICAL[shape])


def test_iw_scan_ssid_with_terminal_escape_is_neutralised() -> None:
    text = "BSS 02:00:00:00:00:01(on wlan0)\n\tfreq: 2412\n\tSSID: \\x1b[2J\\x1b]0;pwned\\x07\n"
    (network,) = parse_iw_scan(text).networks
    assert network.ssid is not None
    assert "\x1b" not in network.ssid and "\x07" not in network.ssid


def test_nmcli_ssid_longer_than_an_ssid_can_be_is_cut() -> None:
    text = "no:" + "A" * 500 + ":02\\:00\\:00\\:00\\:00\\:01\n"
    (network,) = parse_nmcli_wifi_list(text, ["ACTIVE", "SSID", "BSSID"]).networks
    assert network.ssid == "A" * 32
