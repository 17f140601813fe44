"""Parse the output of the system ``ping`` (Linux iputils, BusyBox, macOS/BSD, Windows in any language).

Linux iputils::

    PING 192.0.2.1 (192.0.2.1) 56(84) bytes of data.
    64 bytes from 192.0.2.1: icmp_seq=1 ttl=64 time=0.412 ms
    64 bytes from 192.0.2.1: icmp_seq=3 ttl=64 time=0.398 ms

    --- 192.0.2.1 ping statistics ---
    3 packets transmitted, 2 received, 33.3333% packet loss, time 2003ms

Windows (German; French and English differ only in words)::

    Ping wird ausgeführt für 192.0.2.1 mit 32 Bytes Daten:
    Antwort von 192.0.2.1: Bytes=32 Zeit<1ms TTL=64
    Antwort von 192.0.2.1: Bytes=32 Zeit=3ms TTL=64
    Zeitüberschreitung der Anforderung.

BusyBox (``seq=`` without ``icmp_``) and macOS/BSD ``ping6`` (``hlim=`` instead of ``ttl=``)::

    64 bytes from 192.0.2.1: seq=0 ttl=64 time=0.123 ms
    PING6(56=40+8+8 bytes) 2001:db8::1 --> 2001:db8::2
    16 bytes from 2001:db8::2, icmp_seq=0 hlim=64 time=0.069 ms

Replies are recognised by structure (a ``ttl=`` or ``hlim=`` field and a time with ``ms``), not by
words, so every language parses; a reply line is matched to its sequence number where the output gives
one. BSD, macOS and BusyBox number from 0, iputils from 1 (:attr:`PingResult.zero_based`).

The output is hostile input like any other: lines longer than ``MAX_LINE_CHARS`` are skipped, at most
10 000 lines are read, and every pattern has bounded repetitions, so time stays linear in the input
(``"1" * 40000`` once took 18 s).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from homediag.net.os._common import iter_lines

_TIME = re.compile(
    r"(?:time|zeit|temps|tiempo|tempo|czas|tid|tijd)?\s{0,3}([=<])\s{0,3}([0-9]{1,9}(?:[.,][0-9]{1,9})?)\s{0,3}ms",
    re.IGNORECASE,
)
_TTL = re.compile(r"\b(?:ttl|hlim)[=:]\s{0,3}[0-9]{1,3}", re.IGNORECASE)
_SEQ = re.compile(r"(?<![\w])(?:icmp_[rs]eq|seq)[=:]\s{0,3}([0-9]{1,9})(?![0-9])", re.IGNORECASE)
_TRANSMITTED = re.compile(r"(?<![0-9])([0-9]{1,9})\s{1,3}packets transmitted", re.IGNORECASE)
_UNREACHABLE = re.compile(r"(unreachable|unerreichbar|inaccessible)", re.IGNORECASE)
_ZERO_BASED = re.compile(r"^PING6?\(|^PING .*: [0-9]{1,6} data bytes")
"""The header of BSD, macOS and BusyBox ping, which number their requests from 0."""
MAX_LINES = 10_000


@dataclass(frozen=True)
class PingReply:
    """One echo reply."""

    seq: int | None
    rtt_ms: float


@dataclass(frozen=True)
class PingResult:
    """Replies and, where the summary says so, how many requests were sent."""

    replies: tuple[PingReply, ...]
    transmitted: int | None
    unreachable_lines: int = 0
    zero_based: bool = False
    """The first request is number 0 (BSD, macOS, BusyBox), not 1 (iputils)."""


def parse_ping(text: str) -> PingResult:
    """Read the replies from ``ping`` output; unknown lines are skipped."""
    replies: list[PingReply] = []
    transmitted: int | None = None
    unreachable = 0
    seen_seq: set[int] = set()
    zero_based = False
    for index, line in enumerate(iter_lines(text)):
        if index >= MAX_LINES:
            break
        if index < 3 and _ZERO_BASED.match(line):
            zero_based = True
            continue
        total = _TRANSMITTED.search(line)
        if total:
            transmitted = int(total.group(1))
            continue
        if _UNREACHABLE.search(line) and not _TTL.search(line):
            unreachable += 1
            continue
        if not _TTL.search(line):
            continue
        time_match = _TIME.search(line)
        if not time_match:
            continue
        op, number = time_match.groups()
        rtt = float(number.replace(",", "."))
        if op == "<":  # Windows prints "<1ms" for sub-millisecond replies
            rtt = rtt / 2
        seq_match = _SEQ.search(line)
        seq = int(seq_match.group(1)) if seq_match else None
        if seq is not None:
            if seq in seen_seq:  # a duplicate reply (DUP!) counts once
                continue
            seen_seq.add(seq)
        replies.append(PingReply(seq=seq, rtt_ms=rtt))
    return PingResult(
        replies=tuple(replies), transmitted=transmitted, unreachable_lines=unreachable, zero_based=zero_based
    )
