"""Small fakes of the network factories (:mod:`homediag.core.io`), for tests that script the network.

```python
from homediag.testing import fake_io, run_probe
from homediag.testing.fakes import FakeTcp

outcome = await run_probe(TelnetProbe, devices=[...], io=fake_io(tcp=FakeTcp(open={("192.0.2.9", 23)})))
```

Each fake keeps what the probe asked (``calls``, ``sent``) so a test can check it; a protocol not given
to :func:`fake_io` refuses with :class:`homediag.core.io.NoNetwork`. A recording made in the lab
(:mod:`homediag.testing.recording`) is the other way to feed a probe; prefer it where a real exchange
says more than a hand-made one.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from typing import Any

from homediag.core.io import (
    MAX_KEPT,
    BpfProgram,
    Datagram,
    DfProbe,
    DnsAnswer,
    DnsClient,
    EchoSeries,
    Exchange,
    HopResult,
    IcmpClient,
    L2Link,
    MdnsBrowse,
    MdnsBrowser,
    NoNetwork,
    Phases,
    ProbeIO,
    Send,
    SpeedResult,
    SpeedtestRunner,
    TcpClient,
    TcpConnect,
    TlsRequest,
    UdpOpener,
    offline_io,
)

QUIET_S = 0.02
"""How long a fake receive waits before "nothing came" (a caller looping until its deadline must not spin)."""

ExchangeFn = Callable[..., Exchange]
"""A stand-in for :meth:`L2Link.exchange` or :meth:`L2Link.sweep` (same arguments)."""


class FakeL2:
    """``ctx.l2()`` answered by functions with the signatures of :meth:`L2Link.exchange` and
    :meth:`L2Link.sweep` (they may raise ``PermissionError`` or ``OSError`` as a live link does)."""

    def __init__(self, exchange: ExchangeFn | None = None, *, sweep: ExchangeFn | None = None) -> None:
        self._exchange = exchange
        self._sweep = sweep
        self.calls: list[tuple[str, tuple[Send, ...], float]] = []
        self.sweeps: list[tuple[str, tuple[tuple[Hashable, bytes], ...]]] = []

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
        """Record the call, then answer it."""
        self.calls.append((iface, tuple(sends), listen_s))
        if self._exchange is None:
            raise NoNetwork("l2.exchange: not faked in this test")
        return self._exchange(
            iface,
            sends,
            listen_s,
            keep,
            kernel_filter=kernel_filter,
            max_kept=max_kept,
            quiet_s=quiet_s,
            novelty=novelty,
            settles=settles,
        )

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
        """Record the call, then answer it."""
        self.sweeps.append((iface, tuple(requests)))
        if self._sweep is None:
            raise NoNetwork("l2.sweep: not faked in this test")
        return self._sweep(
            iface,
            requests,
            answer_of,
            tries=tries,
            retry_wait_s=retry_wait_s,
            quiet_s=quiet_s,
            deadline_s=deadline_s,
            kernel_filter=kernel_filter,
            max_kept=max_kept,
        )


Responder = Callable[[bytes, str, int], Iterable[Datagram]]
"""What answers one datagram sent to ``host:port``: the datagrams that come back."""


class FakeUdpSocket:
    """A socket whose every send is answered by the responder, at once."""

    def __init__(self, owner: FakeUdp) -> None:
        self.owner = owner
        self.queue: list[Datagram] = []

    async def send(self, data: bytes, host: str, port: int) -> None:
        """Record it and queue the answers."""
        self.owner.sent.append((data, host, port))
        if self.owner.send_error is not None:
            raise self.owner.send_error
        self.queue.extend(self.owner.respond(data, host, port))

    async def receive(self, timeout_s: float, max_bytes: int = 65535) -> Datagram | None:
        """The next queued answer, or None after a short wait."""
        if self.queue:
            datagram = self.queue.pop(0)
            return dataclasses.replace(datagram, data=datagram.data[:max_bytes])
        await asyncio.sleep(min(timeout_s, QUIET_S))
        return None

    def close(self) -> None:
        """Count the close."""
        self.owner.closed += 1


class FakeUdp:
    """``ctx.udp()``: sockets answered by ``respond`` (none: silence); ``open_error`` or ``send_error``
    raised where a live socket would raise them."""

    def __init__(
        self,
        respond: Responder | None = None,
        *,
        open_error: OSError | None = None,
        send_error: OSError | None = None,
    ) -> None:
        self.respond: Responder = respond or (lambda _data, _host, _port: ())
        self.open_error = open_error
        self.send_error = send_error
        self.opened: list[dict[str, Any]] = []
        self.sent: list[tuple[bytes, str, int]] = []
        self.closed = 0

    def open(
        self,
        *,
        family: int = 4,
        bind: str | None = None,
        multicast_if: str | None = None,
        multicast_ttl: int | None = None,
    ) -> FakeUdpSocket:
        """A socket (or ``open_error``)."""
        self.opened.append(
            {"family": family, "bind": bind, "multicast_if": multicast_if, "multicast_ttl": multicast_ttl}
        )
        if self.open_error is not None:
            raise self.open_error
        return FakeUdpSocket(self)


class FakeDns:
    """``ctx.dns()``: answers by ``(name, rdtype)`` (records or a :class:`DnsAnswer`); others get
    ``missing`` (silence by default). ``resolve`` maps host names for the system resolver."""

    def __init__(
        self,
        answers: Mapping[tuple[str, str], DnsAnswer | Sequence[str]] | None = None,
        *,
        resolve: Mapping[str, str | None] | None = None,
        missing: DnsAnswer | None = None,
    ) -> None:
        self.answers = dict(answers or {})
        self.names = dict(resolve or {})
        self.missing = missing or DnsAnswer(None, timed_out=True)
        self.queries: list[tuple[str, str, str, bool]] = []

    async def query(
        self, server: str, name: str, rdtype: str, *, port: int = 53, tcp: bool = False, timeout_s: float
    ) -> DnsAnswer:
        """The scripted answer."""
        del port, timeout_s
        self.queries.append((server, name, rdtype, tcp))
        answer = self.answers.get((name, rdtype), self.missing)
        if isinstance(answer, DnsAnswer):
            return answer
        return DnsAnswer("NOERROR", tuple(answer), 1.0)

    async def resolve(self, host: str, timeout_s: float, *, udp: bool = False) -> str | None:
        """The scripted address (an address resolves to itself)."""
        del timeout_s, udp
        return self.names.get(host, host if host[:1].isdigit() else None)


class FakeTcpStream:
    """A connection answered by a function of each send."""

    def __init__(self, reply: Callable[[bytes], bytes]) -> None:
        self.reply = reply
        self.buffer = b""
        self.sent: list[bytes] = []
        self.closed = False

    async def send(self, data: bytes) -> None:
        """Record it and buffer the reply."""
        self.sent.append(data)
        self.buffer += self.reply(data)

    async def read_exactly(self, count: int, timeout_s: float) -> bytes:
        """``count`` buffered bytes; ``EOFError`` when fewer are there."""
        del timeout_s
        if len(self.buffer) < count:
            raise EOFError("the peer closed the connection")
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    async def close(self) -> None:
        """Mark it closed."""
        self.closed = True


class FakeTcp:
    """``ctx.tcp()``: ``open`` holds the ``(host, port)`` that accept, ``refused`` those (or the hosts)
    that refuse; everything else stays silent. ``streams`` answers connections opened as streams."""

    def __init__(
        self,
        *,
        open: Collection[tuple[str, int]] = (),
        refused: Collection[tuple[str, int] | str] = (),
        streams: Mapping[tuple[str, int], Callable[[bytes], bytes]] | None = None,
        tls: Mapping[str, TlsRequest] | None = None,
        ms: float = 1.0,
    ) -> None:
        self.accepting = set(open)
        self.refused = set(refused)
        self.streams = dict(streams or {})
        self.tls = dict(tls or {})
        self.ms = ms
        self.connects: list[tuple[str, int]] = []
        self.opened: list[FakeTcpStream] = []

    async def connect(self, host: str, port: int, timeout_s: float) -> TcpConnect:
        """Accepted, refused or silent, as scripted."""
        self.connects.append((host, port))
        if (host, port) in self.accepting or (host, port) in self.streams:
            return TcpConnect(True, self.ms)
        if (host, port) in self.refused or host in self.refused:
            return TcpConnect(False, None, "Connection refused", refused_ms=self.ms)
        return TcpConnect(False, None, f"no answer within {timeout_s:g} s")

    async def open(self, host: str, port: int, timeout_s: float) -> FakeTcpStream:
        """A scripted stream; ``ConnectionRefusedError`` or ``TimeoutError`` otherwise."""
        self.connects.append((host, port))
        if (host, port) in self.streams:
            stream = FakeTcpStream(self.streams[(host, port)])
            self.opened.append(stream)
            return stream
        if (host, port) in self.refused or host in self.refused:
            raise ConnectionRefusedError(111, "Connection refused")
        raise TimeoutError(f"no answer within {timeout_s:g} s")

    async def tls_request(
        self, address: str, host: str, port: int, path: str, timeout_s: float, *, verify: bool = True
    ) -> TlsRequest:
        """The scripted answer for ``host``, or a timeout."""
        del address, port, path, verify
        return self.tls.get(host) or TlsRequest(False, None, None, None, f"no answer within {timeout_s:g} s")


class FakeDfSocket:
    """DF echoes answered by a function of the size."""

    def __init__(self, answer: Callable[[int], DfProbe]) -> None:
        self.answer = answer
        self.sizes: list[int] = []

    async def send(self, size: int, wait_s: float) -> DfProbe:
        """The scripted answer."""
        del wait_s
        self.sizes.append(size)
        return self.answer(size)

    def close(self) -> None:
        """Nothing to release."""


class FakeIcmp:
    """``ctx.icmp()``: ``echo`` answers by target (a function of the count, or ``PermissionError`` for
    all when None); ``hops`` by TTL; ``df`` by size."""

    def __init__(
        self,
        *,
        echo: Callable[[str, int], EchoSeries] | None = None,
        hops: Mapping[int, HopResult] | None = None,
        df: Callable[[int], DfProbe] | None = None,
    ) -> None:
        self._echo = echo
        self.hops = dict(hops or {})
        self.df = df
        self.echoes: list[tuple[str, int]] = []

    async def echo(self, target: str, count: int, interval_s: float, timeout_s: float) -> EchoSeries:
        """The scripted series, or ``PermissionError``."""
        del interval_s, timeout_s
        self.echoes.append((target, count))
        if self._echo is None:
            raise PermissionError(1, "Operation not permitted")
        return self._echo(target, count)

    async def hop(self, target: str, ttl: int, tries: int, wait_s: float, *, raw: bool) -> HopResult:
        """The scripted hop, or nobody."""
        del target, tries, wait_s
        return self.hops.get(ttl) or HopResult(None, method="raw ICMP" if raw else "UDP (IP_RECVERR)")

    def df_socket(self, target: str) -> FakeDfSocket:
        """A scripted DF socket, or ``PermissionError``."""
        del target
        if self.df is None:
            raise PermissionError(1, "Operation not permitted")
        return FakeDfSocket(self.df)


class FakeMdns:
    """``ctx.mdns()``: one scripted browse (or its error)."""

    def __init__(self, found: MdnsBrowse | OSError) -> None:
        self.found = found
        self.browses: list[str] = []

    async def browse(
        self, own: str, browse_s: float, resolve_s: float, *, quiet_s: float | None = None
    ) -> MdnsBrowse:
        """The scripted result."""
        del browse_s, resolve_s, quiet_s
        self.browses.append(own)
        if isinstance(self.found, OSError):
            raise self.found
        return self.found


SpeedtestFn = Callable[..., SpeedResult]
"""``(server, *, secure, socket_timeout_s, shutdown, phases) -> SpeedResult``."""


class FakeSpeedtest:
    """``ctx.speedtest()`` answered by a function with the signature of :meth:`SpeedtestRunner.run`."""

    def __init__(self, run: SpeedtestFn) -> None:
        self._run = run
        self.servers: list[str] = []

    def run(
        self, server: str, *, secure: bool, socket_timeout_s: float, shutdown: Any, phases: Phases
    ) -> SpeedResult:
        """Record the server and run the stand-in."""
        self.servers.append(server)
        return self._run(
            server, secure=secure, socket_timeout_s=socket_timeout_s, shutdown=shutdown, phases=phases
        )


def fake_io(
    *,
    l2: L2Link | None = None,
    udp: UdpOpener | None = None,
    dns: DnsClient | None = None,
    mdns: MdnsBrowser | None = None,
    tcp: TcpClient | None = None,
    icmp: IcmpClient | None = None,
    speedtest: SpeedtestRunner | None = None,
) -> ProbeIO:
    """A bundle of the given fakes; the protocols not given refuse (:class:`~homediag.core.io.NoNetwork`)."""
    refuse = offline_io("not faked in this test")
    return ProbeIO(
        l2=l2 or refuse.l2,
        udp=udp or refuse.udp,
        dns=dns or refuse.dns,
        mdns=mdns or refuse.mdns,
        tcp=tcp or refuse.tcp,
        icmp=icmp or refuse.icmp,
        speedtest=speedtest or refuse.speedtest,
    )
