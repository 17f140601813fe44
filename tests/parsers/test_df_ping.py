"""DF ping outputs: Linux fixtures were recorded in a namespace topology (router MTU 1400, with and
without ICMP fragmentation-needed); macOS and Windows ones follow those tools' message formats."""

from __future__ import annotations

from pathlib import Path

import pytest

from homediag.net.os.df_ping import DfPing, parse_df_ping

FIXTURES = Path(__file__).parent / "fixtures" / "df-ping"

CASES = [
    ("linux-reply.txt", DfPing(True, False, None, False, False)),
    ("linux-frag-needed.txt", DfPing(False, True, 1400, False, False)),
    ("linux-local-error.txt", DfPing(False, False, 1400, True, False)),
    ("linux-silent.txt", DfPing(False, False, None, False, False)),
    ("busybox-no-M.txt", DfPing(False, False, None, False, True)),
    ("macos-reply.txt", DfPing(True, False, None, False, False)),
    ("macos-frag-needed.txt", DfPing(False, True, 1400, False, False)),
    ("macos-local-error.txt", DfPing(False, False, None, True, False)),
    ("windows-en-reply.txt", DfPing(True, False, None, False, False)),
    ("windows-en-silent.txt", DfPing(False, False, None, False, False)),
    ("windows-en-frag-needed.txt", DfPing(False, True, None, False, False)),
    ("windows-de-frag-needed.txt", DfPing(False, True, None, False, False)),
    ("windows-fr-frag-needed.txt", DfPing(False, True, None, False, False)),
]


@pytest.mark.parametrize(("name", "expected"), CASES, ids=[c[0] for c in CASES])
def test_recorded_outputs(name: str, expected: DfPing) -> None:
    assert parse_df_ping((FIXTURES / name).read_text(encoding="utf-8")) == expected


@pytest.mark.parametrize(
    ("case", "text"),
    [
        ("absurd mtu is ignored", "From 198.51.100.1 icmp_seq=1 Frag needed and DF set (mtu = 9999999)"),
        ("empty output", ""),
        ("binary noise", "\x00\xff" * 1000),
    ],
)
def test_odd_inputs_do_not_invent_an_mtu(case: str, text: str) -> None:
    assert parse_df_ping(text).reported_mtu is None
