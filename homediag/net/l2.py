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
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

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
SWEEP_BURST = 8
"""A sweep sends at most this many due frames back to back (336 bytes of ARP) when it woke late."""
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
    quiet_s: float | None = None,
    novelty: Callable[[bytes], Hashable] | None = None,
    settles: Callable[[bytes], bool] | None = None,
) -> Exchange:
    """Send ``sends`` on ``iface`` and keep the frames ``keep`` accepts for ``listen_s`` seconds.

    With ``quiet_s``, the listening ends earlier: once a frame was kept and no new one followed for
    ``quiet_s`` seconds (sends still due then are not sent). A frame is new when ``novelty`` (default:
    the whole frame) gives a key not seen before, so repeated answers of one responder do not keep the
    listening going. With ``settles``, the quiet period only starts once a kept frame satisfied it
    (the answer the caller waits for above all). ``listen_s`` stays the total deadline.

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
    keys: set[Hashable] = set()
    last_new: float | None = None
    settled = False
    try:
        while True:
            now = time.monotonic() - started
            end = listen_s
            if quiet_s is not None and last_new is not None and settled:
                end = min(listen_s, last_new + quiet_s)
            if now >= end:
                break
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
            if now >= end:
                break
            next_event = schedule[0].at_s if schedule else end
            wait = max(0.0, min(next_event, end) - now)
            ready = type(sock).select([sock], wait)
            if not ready:
                continue
            _cls, frame, _ts = sock.recv_raw(65535)
            if frame is None:  # our own outgoing frame, or nothing
                continue
            seen += 1
            if keep(frame):
                at = round(time.monotonic() - started, 4)
                heard.append(Heard(at, bytes(frame)))
                key = bytes(frame) if novelty is None else novelty(bytes(frame))
                if key not in keys:
                    keys.add(key)
                    last_new = at
                    settled = settled or settles is None or settles(bytes(frame))
            if seen >= max_seen or len(heard) >= max_kept:
                truncated = True
                break
    finally:
        sock.close()
    return Exchange(heard=tuple(heard), sent=sent, seen=seen, truncated=truncated)


def sweep(
    iface: str,
    requests: Sequence[tuple[Hashable, bytes]],
    answer_of: Callable[[bytes], Hashable | None],
    *,
    tries: int = 2,
    retry_wait_s: float = 0.1,
    quiet_s: float = 0.25,
    deadline_s: float = 10.0,
    kernel_filter: BpfProgram | None = None,
    max_seen: int = MAX_SEEN,
    max_kept: int = MAX_KEPT,
) -> Exchange:
    """Ask many addresses on one socket: every request in one paced burst (frame ``i`` never before ``i``
    × :data:`MIN_GAP_S`, at most :data:`SWEEP_BURST` back to back), replies read in between; then,
    ``retry_wait_s`` after the burst, one more round only for the keys that have not answered (``tries``
    rounds in all); the listening ends once the last request went out and no new answer came for
    ``quiet_s`` (``deadline_s`` at most).

    ``requests`` are (key, frame); ``answer_of`` gives the key a received frame answers, or None for a
    frame to drop. The physical limit of such a sweep is the send time plus the slowest responder's
    delay: one socket and no pause between the rounds beyond ``retry_wait_s`` come close to it.
    Raises like :func:`exchange`.
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
    heard: list[Heard] = []
    answered: set[Hashable] = set()
    sent = seen = 0
    truncated = False
    started = time.monotonic()
    queue = list(requests)
    rounds_left = max(1, tries) - 1
    next_send = 0.0
    last_event = 0.0
    retrying = False
    try:
        while True:
            now = time.monotonic() - started
            if now >= deadline_s:
                break
            if queue and now >= next_send:
                # Every frame that is due, up to a small burst: a thread that wakes late (another
                # thread held the GIL for its 5 ms switch interval) catches up with the schedule
                # instead of stretching the sweep, and the rate stays one frame per 2 ms on average.
                next_send = max(next_send, now - (SWEEP_BURST - 1) * MIN_GAP_S)
                while queue and next_send <= now:
                    _key, frame = queue.pop(0)
                    sock.send(conf.raw_layer(load=frame))
                    sent += 1
                    next_send += MIN_GAP_S
                last_event = now
                if not queue and rounds_left:
                    # the retry round: only the keys that are still silent, after a short wait
                    rounds_left -= 1
                    retrying = True
                    queue = [(k, f) for k, f in requests if k not in answered]
                    next_send = now + max(MIN_GAP_S, retry_wait_s)
            if not queue and now - last_event >= quiet_s:
                break
            wait = (next_send - now) if queue else (last_event + quiet_s - now)
            ready = type(sock).select([sock], max(0.0, min(wait, deadline_s - now)))
            if not ready:
                continue
            _cls, raw, _ts = sock.recv_raw(65535)
            if raw is None:  # our own outgoing frame, or nothing
                continue
            seen += 1
            key = answer_of(bytes(raw))
            if key is not None:
                at = round(time.monotonic() - started, 4)
                heard.append(Heard(at, bytes(raw)))
                if key not in answered:
                    answered.add(key)
                    last_event = max(last_event, at)
                    if retrying:  # a late answer to the first round: no retry needed
                        queue = [(k, f) for k, f in queue if k != key]
            if seen >= max_seen or len(heard) >= max_kept:
                truncated = True
                break
    finally:
        sock.close()
    return Exchange(heard=tuple(heard), sent=sent, seen=seen, truncated=truncated)


async def sweep_in(
    ctx: ProbeContext,
    iface: str,
    requests: Sequence[tuple[Hashable, bytes]],
    answer_of: Callable[[bytes], Hashable | None],
    **options: Any,
) -> Exchange:
    """:func:`sweep` in a worker thread of ``ctx``, with the socket errors as probe outcomes (as
    :func:`exchange_in`)."""
    try:
        return await ctx.to_thread(partial(sweep, **options), iface, requests, answer_of)
    except PermissionError:
        raise NotPermitted(
            _("the operating system refused a raw socket on {iface}").format(iface=iface)
        ) from None
    except OSError as exc:
        raise ProbeFailure(
            _("cannot send on {iface}: {error}").format(iface=iface, error=exc.strerror or exc)
        ) from None


async def exchange_in(
    ctx: ProbeContext,
    iface: str,
    sends: Sequence[Send],
    listen_s: float,
    keep: Callable[[bytes], bool],
    *,
    kernel_filter: BpfProgram | None = None,
    max_kept: int = MAX_KEPT,
    quiet_s: float | None = None,
    novelty: Callable[[bytes], Hashable] | None = None,
    settles: Callable[[bytes], bool] | None = None,
) -> Exchange:
    """:func:`exchange` in a worker thread of ``ctx``, with the socket errors as probe outcomes.

    Raises :class:`NotPermitted` when the operating system refuses the raw socket (no root, no
    CAP_NET_RAW: a caller with a fallback catches it) and :class:`ProbeFailure` for other socket errors.
    """
    try:
        return await ctx.to_thread(
            partial(
                exchange,
                kernel_filter=kernel_filter,
                max_kept=max_kept,
                quiet_s=quiet_s,
                novelty=novelty,
                settles=settles,
            ),
            iface,
            sends,
            listen_s,
            keep,
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
