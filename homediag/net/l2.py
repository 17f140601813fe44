"""Send a few Ethernet frames on one interface and collect the answers: the raw-packet core of the ARP
and DHCP probes.

One scapy layer-2 socket on the session's interface only (never another), not promiscuous, used both to
send a short paced schedule of frames and to read what comes back for a bounded time. Frames are read
raw and passed through a cheap pure ``keep`` filter before anything dissects them, so the LAN's other
traffic is never parsed; at most ``max_seen`` frames are read and ``max_kept`` kept.

On Linux a classic BPF program is attached to the socket as well, so the kernel drops unrelated frames
before Python sees them (a busy link would otherwise fill the read budget). scapy compiles filter strings
with libpcap or the tcpdump binary, which a user's computer may lack, so the two programs below are fixed:
the output of ``tcpdump -dd 'arp'`` and ``tcpdump -dd 'ip and udp dst port 68'``. Where they cannot be
attached, the Python ``keep`` filter does the whole job.

Blocking: probes call :func:`exchange_in` (which runs :func:`exchange` through ``ctx.to_thread`` and
turns socket errors into probe outcomes). scapy is imported here, lazily.
"""

from __future__ import annotations

import contextlib
import ctypes
import socket
import struct
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from homediag.core.errors import NotPermitted, ProbeFailure
from homediag.core.i18n import _

if TYPE_CHECKING:
    from homediag.core.probe import ProbeContext

BpfProgram = tuple[tuple[int, int, int, int], ...]

BPF_ARP: BpfProgram = (
    (0x28, 0, 0, 0x0000000C),
    (0x15, 0, 1, 0x00000806),
    (0x06, 0, 0, 0x00040000),
    (0x06, 0, 0, 0x00000000),
)
"""``tcpdump -dd 'arp'``: Ethernet type 0x0806."""
BPF_DHCP_CLIENT: BpfProgram = (
    (0x28, 0, 0, 0x0000000C),
    (0x15, 0, 8, 0x00000800),
    (0x30, 0, 0, 0x00000017),
    (0x15, 0, 6, 0x00000011),
    (0x28, 0, 0, 0x00000014),
    (0x45, 4, 0, 0x00001FFF),
    (0xB1, 0, 0, 0x0000000E),
    (0x48, 0, 0, 0x00000010),
    (0x15, 0, 1, 0x00000044),
    (0x06, 0, 0, 0x00040000),
    (0x06, 0, 0, 0x00000000),
)
"""``tcpdump -dd 'ip and udp dst port 68'``: unfragmented IPv4 UDP to the DHCP client port."""
SO_ATTACH_FILTER = 26

MIN_GAP_S = 0.002
"""At least 2 ms between frames (arp-scan's pace, docs/architecture.md#safety-of-scanning)."""
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
    kernel_filter: BpfProgram | None = None,
    max_seen: int = MAX_SEEN,
    max_kept: int = MAX_KEPT,
) -> Exchange:
    """Send ``sends`` on ``iface`` and keep the frames ``keep`` accepts for ``listen_s`` seconds.

    Raises ``PermissionError`` without raw-socket privilege, ``OSError`` for an interface that is
    gone or cannot send.
    """
    import scapy.arch  # noqa: F401 - loads this platform's sockets into conf
    from scapy.config import conf

    conf.verb = 0
    try:
        sock = conf.L2socket(iface=iface, promisc=False)
    except OSError:
        raise
    except Exception as exc:  # noqa: BLE001 - scapy without a capture driver (Npcap) raises its own types
        raise OSError(f"no raw layer-2 socket on {iface}: {exc}"[:200]) from None
    if kernel_filter is not None:
        attach_kernel_filter(sock, kernel_filter)
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


async def exchange_in(
    ctx: ProbeContext,
    iface: str,
    sends: Sequence[Send],
    listen_s: float,
    keep: Callable[[bytes], bool],
    *,
    kernel_filter: BpfProgram | None = None,
    max_kept: int = MAX_KEPT,
) -> Exchange:
    """:func:`exchange` in a worker thread of ``ctx``, with the socket errors as probe outcomes.

    Raises :class:`NotPermitted` when the operating system refuses the raw socket (no root, no
    CAP_NET_RAW: a caller with a fallback catches it) and :class:`ProbeFailure` for other socket errors.
    """
    try:
        return await ctx.to_thread(
            partial(exchange, kernel_filter=kernel_filter, max_kept=max_kept), iface, sends, listen_s, keep
        )
    except PermissionError:
        raise NotPermitted(
            _("the operating system refused a raw socket on {iface}").format(iface=iface)
        ) from None
    except OSError as exc:
        raise ProbeFailure(
            _("cannot send on {iface}: {error}").format(iface=iface, error=exc.strerror or exc)
        ) from None


def attach_kernel_filter(sock: object, program: BpfProgram) -> bool:
    """Attach a classic BPF ``program`` to a scapy Linux socket; False where that is not possible."""
    raw = getattr(sock, "ins", None)
    if not sys.platform.startswith("linux") or not isinstance(raw, socket.socket):
        return False
    instructions = b"".join(struct.pack("HBBI", *insn) for insn in program)
    buffer = ctypes.create_string_buffer(instructions)
    fprog = struct.pack("HL", len(program), ctypes.addressof(buffer))
    with contextlib.suppress(OSError):
        raw.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog)
        return True
    return False
