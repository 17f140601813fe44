"""Send a few Ethernet frames on one interface and collect the answers: the raw-packet core of the ARP
and DHCP probes.

One scapy layer-2 socket on the session's interface only (never another), not promiscuous, used both to
send a short paced schedule of frames and to read what comes back for a bounded time. Frames are read
raw and passed through a cheap pure ``keep`` filter before anything dissects them, so the LAN's other
traffic is never parsed; at most ``max_seen`` frames are read and ``max_kept`` kept.

Blocking: call :func:`exchange` through ``ctx.to_thread``. scapy is imported here, lazily.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

MIN_GAP_S = 0.002
"""At least 2 ms between frames (arp-scan's pace, DESIGN.md Safety of scanning)."""
MAX_SEEN = 50_000
MAX_KEPT = 256


@dataclass(frozen=True)
class Send:
    """A frame to send ``at_s`` seconds after the start."""

    at_s: float
    frame: bytes
    unless_answered: bool = False
    """Skip it when a frame was already kept (a retry)."""


@dataclass(frozen=True)
class Heard:
    """A kept frame and when it arrived (seconds after the start)."""

    at_s: float
    frame: bytes


@dataclass(frozen=True)
class Exchange:
    """What was sent and heard."""

    heard: tuple[Heard, ...]
    sent: int
    seen: int
    """Frames read from the interface (kept or not)."""
    truncated: bool
    """``max_seen`` or ``max_kept`` was reached before the listening time ended."""


def exchange(
    iface: str,
    sends: Sequence[Send],
    listen_s: float,
    keep: Callable[[bytes], bool],
    *,
    max_seen: int = MAX_SEEN,
    max_kept: int = MAX_KEPT,
) -> Exchange:
    """Send ``sends`` on ``iface`` and keep the frames ``keep`` accepts for ``listen_s`` seconds.

    Raises ``PermissionError`` without raw-socket privilege, ``OSError`` for an interface that is
    gone or cannot send.
    """
    from scapy.config import conf

    conf.verb = 0
    socket_class = conf.L2socket
    sock = socket_class(iface=iface, promisc=False)
    schedule = sorted(sends, key=lambda s: s.at_s)
    heard: list[Heard] = []
    sent = seen = 0
    truncated = False
    started = time.monotonic()
    last_sent = -1.0
    try:
        while True:
            now = time.monotonic() - started
            while schedule and schedule[0].at_s <= now:
                item = schedule.pop(0)
                if item.unless_answered and heard:
                    continue
                gap = last_sent + MIN_GAP_S - (time.monotonic() - started)
                if gap > 0:
                    time.sleep(gap)
                sock.send(conf.raw_layer(load=item.frame))
                sent += 1
                last_sent = time.monotonic() - started
                now = last_sent
            if now >= listen_s:
                break
            next_event = schedule[0].at_s if schedule else listen_s
            wait = max(0.0, min(next_event, listen_s) - now)
            ready = type(sock).select([sock], wait)
            if not ready:
                continue
            _cls, frame, _ts = sock.recv_raw(65535)
            if frame is None:  # our own outgoing frame, or nothing
                continue
            seen += 1
            if keep(frame):
                heard.append(Heard(round(time.monotonic() - started, 4), bytes(frame)))
            if seen >= max_seen or len(heard) >= max_kept:
                truncated = True
                break
    finally:
        sock.close()
    return Exchange(heard=tuple(heard), sent=sent, seen=seen, truncated=truncated)
