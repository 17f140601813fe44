"""The network I/O a probe may do besides commands and HTTP, as small typed protocols.

A probe reaches the network only through factories of its :class:`~homediag.core.probe.ProbeContext`:
``ctx.l2()`` (raw Ethernet frames: ARP, DHCP), ``ctx.udp()`` (datagram sockets: SSDP, DNS-SD, NetBIOS,
STUN), ``ctx.dns()`` (DNS queries and the system resolver), ``ctx.mdns()`` (the zeroconf browse),
``ctx.tcp()`` (connects, short streams, one TLS request), ``ctx.icmp()`` (echo, TTL-limited hops, DF
packets), ``ctx.speedtest()`` and ``ctx.random()`` (a seeded source for transaction ids). Each factory
returns an object of one protocol below. The live implementations are in ``homediag.net`` (assembled by
``homediag.net.live.live_io``, which the application layer hands to the runner);
``homediag.testing.recording`` records them in the lab and replays them in a unit test, and
``homediag.testing.fakes`` offers small fakes for tests that script the network by hand.

The protocols speak in plain values (bytes, address strings, frozen dataclasses) so that a recording is
a JSON document and a replay needs no sockets. Errors stay the ones the live side raises:
``PermissionError`` (no raw-socket privilege), ``OSError`` (no route, no interface), ``TimeoutError``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from homediag.core.errors import HomediagError

# --- layer 2 ---------------------------------------------------------------------------------------

BpfProgram = tuple[tuple[int, int, int, int], ...]
"""A classic BPF program (``tcpdump -dd`` output) a live link attaches to its socket."""
MAX_KEPT = 256
"""Frames an exchange keeps by default."""


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


class L2Link(Protocol):
    """Raw Ethernet frames on one interface (``homediag.net.l2``). Both calls block: run them in a
    worker thread. ``PermissionError`` without raw-socket privilege, ``OSError`` otherwise."""

    def exchange(
        self,
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
        """Send ``sends`` and keep the frames ``keep`` accepts for ``listen_s`` seconds (earlier after
        ``quiet_s`` without a new frame: see ``homediag.net.l2.exchange``)."""
        ...

    def sweep(
        self,
        iface: str,
        requests: Sequence[tuple[Hashable, bytes]],
        answer_of: Callable[[bytes], Hashable | None],
        *,
        tries: int = 2,
        retry_wait_s: float = 0.1,
        quiet_s: float = 0.25,
        deadline_s: float = 10.0,
        kernel_filter: BpfProgram | None = None,
        max_kept: int = MAX_KEPT,
    ) -> Exchange:
        """Ask many addresses in one paced burst and a retry round for the silent ones (see
        ``homediag.net.l2.sweep``); ``answer_of`` keys the frames kept."""
        ...


# --- UDP ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Datagram:
    """A datagram received, and who sent it."""

    data: bytes
    host: str
    port: int


class UdpSocket(Protocol):
    """One datagram socket (close it when done)."""

    async def send(self, data: bytes, host: str, port: int) -> None:
        """Send one datagram; ``OSError`` when it cannot go out."""
        ...

    async def receive(self, timeout_s: float, max_bytes: int = 65535) -> Datagram | None:
        """The next datagram, or None when none came within ``timeout_s``; ``OSError`` for an error the
        socket reported (an ICMP port unreachable, for example)."""
        ...

    def close(self) -> None:
        """Release the socket."""
        ...


class UdpOpener(Protocol):
    """Opens datagram sockets (``homediag.net.udp``)."""

    def open(
        self,
        *,
        family: int = 4,
        bind: str | None = None,
        multicast_if: str | None = None,
        multicast_ttl: int | None = None,
    ) -> UdpSocket:
        """A socket of IP ``family`` (4 or 6) bound to ``bind`` (any address when None) on an ephemeral
        port, sending multicast from ``multicast_if`` with ``multicast_ttl`` when given."""
        ...


# --- DNS ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DnsAnswer:
    """One DNS query's outcome."""

    rcode: str | None
    """``NOERROR``, ``NXDOMAIN``...; None when no response came."""
    records: tuple[str, ...] = ()
    """The answer section's records of the type asked, as text (addresses, PTR names)."""
    latency_ms: float | None = None
    error: str | None = None
    timed_out: bool = False


class DnsClient(Protocol):
    """DNS queries to a given server, and the system's resolver (``homediag.net.dns``)."""

    async def query(
        self, server: str, name: str, rdtype: str, *, port: int = 53, tcp: bool = False, timeout_s: float
    ) -> DnsAnswer:
        """Ask ``server`` for ``rdtype`` records of ``name`` once; never raises for a network failure."""
        ...

    async def resolve(self, host: str, timeout_s: float, *, udp: bool = False) -> str | None:
        """The first address the system resolver gives for ``host``, or None."""
        ...


# --- mDNS --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MdnsInstance:
    """One resolved DNS-SD service instance."""

    type: str
    """``_ipp._tcp`` (without ``.local.``)."""
    name: str
    """The instance label (``Brother HL-L2350DW``)."""
    addresses: tuple[str, ...]
    port: int | None
    host: str | None
    txt: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class MdnsBrowse:
    """What one browse found."""

    instances: tuple[MdnsInstance, ...]
    types: tuple[str, ...]
    """Service types seen (short form)."""
    truncated: bool
    """A cap was hit."""


class MdnsBrowser(Protocol):
    """The multicast DNS-SD browse (``homediag.net.mdns``, python-zeroconf)."""

    async def browse(
        self, own: str, browse_s: float, resolve_s: float, *, quiet_s: float | None = None
    ) -> MdnsBrowse:
        """Browse from address ``own`` until the answers stop (``quiet_s`` without anything new, the
        library's default when None; ``browse_s`` at most), then resolve for up to ``resolve_s``;
        ``OSError`` when no socket can be opened there."""
        ...


# --- TCP ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TcpConnect:
    """A TCP connection attempt (closed at once when it succeeded)."""

    ok: bool
    ms: float | None
    """Time to the handshake's end (None when it did not complete)."""
    error: str | None = None
    refused_ms: float | None = None
    """Time to the refusal, when the host refused (a RST answers too: the host is there)."""

    @property
    def answered_ms(self) -> float | None:
        """Time to the handshake's end or to the refusal: the host answered either way."""
        return self.ms if self.ok else self.refused_ms


@dataclass(frozen=True)
class TlsRequest:
    """A TLS handshake and, when it succeeded, one request up to its status line."""

    tls_ok: bool
    handshake_ms: float | None
    request_ms: float | None
    """From the TCP connect to the response's status line: an HTTPS request without DNS."""
    status: int | None
    error: str | None = None


class TcpStream(Protocol):
    """An open TCP connection."""

    async def send(self, data: bytes) -> None:
        """Write ``data``; ``OSError`` when the connection is gone."""
        ...

    async def read_exactly(self, count: int, timeout_s: float) -> bytes:
        """Exactly ``count`` bytes; ``TimeoutError``, or ``EOFError`` when the peer closed first."""
        ...

    async def close(self) -> None:
        """Close the connection."""
        ...


class TcpClient(Protocol):
    """TCP connections (``homediag.net.reach``)."""

    async def connect(self, host: str, port: int, timeout_s: float) -> TcpConnect:
        """Open and close one connection; never raises for a network failure."""
        ...

    async def open(self, host: str, port: int, timeout_s: float) -> TcpStream:
        """An open connection; ``OSError`` or ``TimeoutError`` when none."""
        ...

    async def tls_request(
        self, address: str, host: str, port: int, path: str, timeout_s: float, *, verify: bool = True
    ) -> TlsRequest:
        """Connect to ``address``, shake hands as ``host``, GET ``path`` and read the status line."""
        ...


# --- ICMP --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EchoSeries:
    """Round trips in ms, one per request, None where no answer came."""

    method: str
    samples: tuple[float | None, ...]
    note: str | None = None

    @property
    def sent(self) -> int:
        """Requests sent."""
        return len(self.samples)

    @property
    def received(self) -> int:
        """Answers received."""
        return sum(1 for s in self.samples if s is not None)


@dataclass(frozen=True)
class HopResult:
    """The router at one hop, or why it is unknown."""

    address: str | None
    reached: bool = False
    method: str | None = None
    note: str | None = None
    rtt_ms: float | None = None
    """Round trip of the answer (raw ICMP only: the error queue is polled, too coarse to time)."""


@dataclass(frozen=True)
class DfProbe:
    """What one "don't fragment" echo of ``size`` IP bytes got back."""

    size: int
    replied: bool
    frag_needed: bool = False
    reported_mtu: int | None = None
    local: bool = False
    """It never left this computer (larger than the interface or the path MTU the kernel knows)."""
    unsupported: bool = False


class DfSocket(Protocol):
    """A raw ICMP socket sending echoes with "don't fragment" set."""

    async def send(self, size: int, wait_s: float) -> DfProbe:
        """One echo of ``size`` IP bytes; what came back within ``wait_s``."""
        ...

    def close(self) -> None:
        """Release the socket."""
        ...


class IcmpClient(Protocol):
    """ICMP on raw sockets, and hop discovery (``homediag.net.echo``, ``hops``, ``mtu``)."""

    async def echo(self, target: str, count: int, interval_s: float, timeout_s: float) -> EchoSeries:
        """``count`` echo requests on a raw socket; ``PermissionError`` without privilege."""
        ...

    async def hop(self, target: str, ttl: int, tries: int, wait_s: float, *, raw: bool) -> HopResult:
        """Who answers a packet with ``ttl`` towards ``target``: by raw ICMP (``PermissionError``
        without privilege) or, when not ``raw``, by UDP and the socket's error queue (Linux)."""
        ...

    def df_socket(self, target: str) -> DfSocket:
        """A raw socket for DF echoes to ``target``; ``PermissionError`` or ``OSError`` when none."""
        ...


# --- speed test --------------------------------------------------------------------------------------


class SpeedtestFailed(Exception):
    """The speed test could not be run; the message says which step failed and why."""


@dataclass
class Phases:
    """When the download and the upload ran (monotonic seconds), written by the worker thread, read by
    the probe."""

    download_started: float | None = None
    download_ended: float | None = None
    upload_started: float | None = None
    upload_ended: float | None = None
    step: str = "config"
    lock: threading.Lock = field(default_factory=threading.Lock)

    def mark(self, step: str) -> None:
        """Record the step the worker is in (and the transfers' starts and ends)."""
        now = time.monotonic()
        with self.lock:
            if step == "download" and self.download_started is None:
                self.download_started = now
            if step == "upload" and self.download_started is not None and self.download_ended is None:
                self.download_ended = now
            if step == "upload" and self.upload_started is None:
                self.upload_started = now
            if step == "done" and self.upload_started is not None and self.upload_ended is None:
                self.upload_ended = now
            self.step = step

    def downloading(self) -> bool:
        """Whether the download is running now."""
        with self.lock:
            return self.download_started is not None and self.download_ended is None

    def uploading(self) -> bool:
        """Whether the upload is running now."""
        with self.lock:
            return self.upload_started is not None and self.upload_ended is None


@dataclass(frozen=True)
class SpeedResult:
    """What speedtest-cli measured."""

    download_bps: float
    upload_bps: float
    ping_ms: float | None
    server: dict[str, Any]
    client: dict[str, Any]
    cli_download_bps: float | None = None
    """speedtest-cli's own figure (all bytes over the whole time, warm-up included)."""
    cli_upload_bps: float | None = None


class SpeedtestRunner(Protocol):
    """One speed test (``homediag.net.speedtest``, speedtest-cli)."""

    def run(
        self,
        server: str,
        *,
        secure: bool,
        socket_timeout_s: float,
        shutdown: threading.Event,
        phases: Phases,
    ) -> SpeedResult:
        """Run one test (blocking: call it in a worker thread); :class:`SpeedtestFailed` when it cannot."""
        ...


# --- the bundle --------------------------------------------------------------------------------------


class NoNetwork(HomediagError):
    """A probe reached for network I/O that its context was not given (a test without a recording or
    a fake for it, or a context built without ``io``)."""


@dataclass(frozen=True)
class ProbeIO:
    """One implementation of every protocol above: the live one, a recorder, a replay or fakes."""

    l2: L2Link
    udp: UdpOpener
    dns: DnsClient
    mdns: MdnsBrowser
    tcp: TcpClient
    icmp: IcmpClient
    speedtest: SpeedtestRunner


class _Offline:
    """Every protocol at once, each call refused with :class:`NoNetwork` naming what was asked."""

    def __init__(self, why: str) -> None:
        self._why = why

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise NoNetwork(f"{name}: {self._why}")


def offline_io(why: str = "this probe context has no network I/O") -> ProbeIO:
    """A bundle that refuses all network I/O (the default of a context built without ``io``)."""
    offline: Any = _Offline(why)
    return ProbeIO(
        l2=offline, udp=offline, dns=offline, mdns=offline, tcp=offline, icmp=offline, speedtest=offline
    )
