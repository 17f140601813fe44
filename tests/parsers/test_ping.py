"""The system ping's output in several systems and languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homediag.net.os.df_ping import parse_df_ping
from homediag.net.os.ping import parse_ping

FIXTURES = Path(__file__).parent / "fixtures" / "ping"


@pytest.mark.parametrize(
    ("name", "rtts", "seqs", "transmitted"),
    [
        ("linux-loss.txt", [0.412, 0.398, 1.2], [1, 3, 4], 4),
        ("linux-unreachable.txt", [], [], 2),
        ("busybox.txt", [0.123, 0.119], [0, 1], 2),
        ("macos.txt", [3.104, 2.987], [0, 2], 3),
        ("macos-ping6.txt", [0.412, 0.398], [0, 2], 3),
        ("busybox-first-lost.txt", [0.131, 0.12], [1, 2], 3),
        ("windows-en.txt", [3.0, 0.5, 12.0], [None, None, None], None),
        ("windows-de.txt", [3.0, 0.5], [None, None], None),
        ("windows-fr.txt", [4.0, 0.5], [None, None], None),
    ],
)
def test_replies_are_read(
    name: str, rtts: list[float], seqs: list[int | None], transmitted: int | None
) -> None:
    result = parse_ping((FIXTURES / name).read_text(encoding="utf-8"))
    assert [r.rtt_ms for r in result.replies] == rtts
    assert [r.seq for r in result.replies] == seqs
    assert result.transmitted == transmitted


def test_unreachable_lines_are_counted_not_taken_for_replies() -> None:
    result = parse_ping((FIXTURES / "linux-unreachable.txt").read_text())
    assert result.unreachable_lines == 2
    assert result.replies == ()


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_arbitrary_text_never_raises(text: str) -> None:
    parse_ping(text)


@pytest.mark.parametrize(
    ("name", "zero_based"),
    [("linux-loss.txt", False), ("busybox.txt", True), ("busybox-first-lost.txt", True), ("macos.txt", True),
     ("macos-ping6.txt", True), ("windows-en.txt", False)],
)  # fmt: skip
def test_which_pings_number_from_zero(name: str, zero_based: bool) -> None:
    assert parse_ping((FIXTURES / name).read_text(encoding="utf-8")).zero_based is zero_based


@pytest.mark.timeout(30)  # a guard against a hang, not a speed target (benchmarks/ has those)
@pytest.mark.parametrize(
    "text",
    ["1" * 400_000, ("1" * 4000 + "\n") * 500, " " * 400_000 + "=", ("= " + " " * 4000 + "\n") * 500,
     "frag" * 100_000, ("frag " * 800 + "\n") * 400, "icmp_seq=" + "9" * 400_000, "ttl=64 time=" + "1" * 400_000],
    ids=["digits", "digit-lines", "spaces", "space-lines", "frag", "frag-lines", "long-seq", "long-time"],
)  # fmt: skip
def test_long_runs_are_read_in_linear_time(text: str) -> None:
    # "1" * 40000 took 18 s (each start in a digit run scanned the rest of it); ten times that must
    # not hang. Replies with absurd numbers are not replies.
    assert parse_ping(text).replies == ()
    parse_df_ping(text)
