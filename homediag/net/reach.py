"""Small reachability checks for the internet probes: name lookup, TCP connect, TLS request, STUN binding.

Each check has its own deadline, returns a value object saying what happened (never raises for a
network failure) and opens at most one socket. :class:`LiveTcp` is the live side of ``ctx.tcp()``;
the STUN binding goes through ``ctx.udp()``. Callers pass ``timeout_s`` already clipped to their
probe's ``ctx.remaining()``.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from homediag.core.io import TcpConnect, TlsRequest
from homediag.core.probe import ProbeContext
from homediag.net.os._common import parse_port
from homediag.net.stun import (
    MappedAddress,
    StunError,
    binding_request,
    parse_binding_response,
)

MAX_STATUS_LINE = 4096


@dataclass(frozen=True)
class Endpoint:
    """A host (name or address) and a port, as written in the configuration."""

    host: str
    port: int

    @property
    def label(self) -> str:
        """``host:port`` (IPv6 in brackets)."""
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def parse_endpoint(text: str, default_port: int) -> Endpoint | None:
    """``host``, ``host:port``, ``192.0.2.1:443``, ``[2001:db8::1]:443`` -> Endpoint (None when malformed)."""
    value = text.strip()
    if not value or any(c.isspace() for c in value):
        return None
    port = default_port
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        if rest:
            parsed = parse_port(rest[1:]) if rest.startswith(":") else None
            if parsed is None:
                return None
            port = parsed
    elif value.count(":") == 1:
        host, _, port_text = value.partition(":")
        parsed = parse_port(port_text)
        if parsed is None:
            return None
        port = parsed
    else:
        host = value
    if not host or not 0 < port < 65536:
        return None
    return Endpoint(host, port)


def url_endpoint(url: str) -> Endpoint | None:
    """The host and port an http(s) URL connects to."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return Endpoint(parts.hostname, port or (443 if parts.scheme == "https" else 80))


async def resolve(host: str, timeout_s: float, *, udp: bool = False) -> str | None:
    """The first address ``host`` resolves to (an address is returned as is), or None."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    kind = socket.SOCK_DGRAM if udp else socket.SOCK_STREAM
    try:
        async with asyncio.timeout(timeout_s):
            infos = await loop.getaddrinfo(host, None, type=kind)
    except (OSError, TimeoutError, UnicodeError):
        return None
    for family, _type, _proto, _canon, sockaddr in infos:
        if family in (socket.AF_INET, socket.AF_INET6):
            return str(sockaddr[0])
    return None


Connect = TcpConnect
"""A TCP connection attempt (:class:`homediag.core.io.TcpConnect`)."""


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"certificate not trusted: {exc.verify_message}"[:200]
    if isinstance(exc, OSError) and exc.errno is not None:
        return (exc.strerror or errno.errorcode.get(exc.errno, str(exc.errno)))[:200]
    return (str(exc) or type(exc).__name__).splitlines()[0][:200]


async def tcp_connect(address: str, port: int, timeout_s: float) -> Connect:
    """Open and close one TCP connection."""
    started = time.monotonic()
    try:
        async with asyncio.timeout(timeout_s):
            _reader, writer = await asyncio.open_connection(address, port)
    except TimeoutError:
        return Connect(False, None, f"no answer within {timeout_s:g} s")
    except OSError as exc:
        if isinstance(exc, ConnectionRefusedError) or exc.errno in (errno.ECONNREFUSED, errno.ECONNRESET):
            ms = round((time.monotonic() - started) * 1000.0, 3)
            return Connect(False, None, _error_text(exc), refused_ms=ms)
        return Connect(False, None, _error_text(exc))
    elapsed = (time.monotonic() - started) * 1000.0
    writer.close()
    with contextlib.suppress(OSError, TimeoutError):
        async with asyncio.timeout(0.5):
            await writer.wait_closed()
    return Connect(True, round(elapsed, 3))


async def tls_request(
    address: str, host: str, port: int, path: str, timeout_s: float, *, verify: bool = True
) -> TlsRequest:
    """Connect to ``address`` (already resolved), shake hands as ``host`` and GET ``path``.

    ``ctx.http`` resolves names itself; to time an HTTPS request without its DNS lookup (as ChromeOS's
    HTTPS latency routine does) this speaks the one request line on a connection to the address the
    caller resolved, and reads no more than the status line (at most 4 KiB).

    The exchange runs in a worker thread on a blocking socket, so the times are the network's and
    the server's, never the event loop's: other probes of the same round hold the loop for up to a
    second at times (imports, parsing), and a healthy 15 ms request measured on the loop read 850 ms,
    a false "web slow" (lab, first checkup of a home).
    """
    context = ssl.create_default_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    request = (
        f"GET {path or '/'} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: homediag\r\nConnection: close\r\n\r\n"
    ).encode("ascii", "replace")
    try:
        async with asyncio.timeout(timeout_s + 1.0):  # the thread keeps its own deadline
            return await asyncio.to_thread(_tls_exchange, context, address, host, port, request, timeout_s)
    except TimeoutError:
        return TlsRequest(False, None, None, None, f"no answer within {timeout_s:g} s")


def _tls_exchange(
    context: ssl.SSLContext, address: str, host: str, port: int, request: bytes, timeout_s: float
) -> TlsRequest:
    """The blocking half of :func:`tls_request`, every step within ``timeout_s`` of the start."""
    started = time.monotonic()
    deadline = started + timeout_s
    handshake: float | None = None

    def left() -> float:
        rest = deadline - time.monotonic()
        if rest <= 0:
            raise TimeoutError
        return rest

    try:
        with (
            socket.create_connection((address, port), timeout=left()) as raw,
            context.wrap_socket(raw, server_hostname=host, do_handshake_on_connect=False) as tls,
        ):
            tls.settimeout(left())
            tls.do_handshake()
            handshake = (time.monotonic() - started) * 1000.0
            tls.settimeout(left())
            tls.sendall(request)
            line = _status_line(tls, left)
    except TimeoutError:
        return TlsRequest(
            handshake is not None, _round(handshake), None, None, f"no answer within {timeout_s:g} s"
        )
    except (OSError, ssl.SSLError, EOFError, ValueError) as exc:
        return TlsRequest(handshake is not None, _round(handshake), None, None, _error_text(exc))
    elapsed = (time.monotonic() - started) * 1000.0
    parts = line.split(b" ", 2)
    status = int(parts[1]) if len(parts) >= 2 and len(parts[1]) == 3 and parts[1].isdigit() else None
    return TlsRequest(True, _round(handshake), round(elapsed, 3), status)


def _status_line(sock: ssl.SSLSocket, left: Callable[[], float]) -> bytes:
    """The response's first line (at most :data:`MAX_STATUS_LINE` bytes)."""
    buffer = b""
    while b"\r\n" not in buffer:
        if len(buffer) >= MAX_STATUS_LINE:
            raise ValueError(f"status line longer than {MAX_STATUS_LINE} bytes")
        sock.settimeout(left())
        chunk = sock.recv(MAX_STATUS_LINE - len(buffer))
        if not chunk:
            raise EOFError("the server closed the connection before its status line")
        buffer += chunk
    return buffer.split(b"\r\n", 1)[0] + b"\r\n"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


@dataclass(frozen=True)
class StunResult:
    """A STUN Binding exchange over UDP."""

    ok: bool
    """The server answered (a success, or an error response: UDP got through either way)."""
    rtt_ms: float | None
    mapped: MappedAddress | None
    tries: int
    error: str | None = None


async def stun_binding(
    ctx: ProbeContext,
    address: str,
    port: int,
    timeout_s: float,
    *,
    tries: int = 5,
    first_wait_s: float = 0.25,
) -> StunResult:
    """Send a Binding request, retransmitting with doubling waits (RFC 5389, 7.2.1), until answered:
    four requests within 3 s by default, so a line losing a fifth of its packets still gets an answer.

    Datagrams from other sources, or that are not the answer to our transaction, are ignored (at most
    64 of them).
    """
    sock = ctx.udp().open(family=ipaddress.ip_address(address).version)
    transaction = ctx.random().randbytes(12)
    request = binding_request(transaction)
    deadline = time.monotonic() + timeout_s
    wait = first_wait_s
    sent = 0
    ignored = 0
    last_error: str | None = None
    try:
        while sent < tries and time.monotonic() < deadline:
            sent_at = time.monotonic()
            try:
                await sock.send(request, address, port)
            except OSError as exc:
                return StunResult(False, None, None, sent + 1, _error_text(exc))
            sent += 1
            until = min(deadline, sent_at + wait)
            while time.monotonic() < until and ignored < 64:
                try:
                    datagram = await sock.receive(max(0.0, until - time.monotonic()), 2048)
                except OSError as exc:  # ICMP port unreachable surfaces here
                    last_error = _error_text(exc)
                    await asyncio.sleep(max(0.0, until - time.monotonic()))
                    break
                if datagram is None:
                    break
                data = datagram.data
                if str(ipaddress.ip_address(datagram.host)) != address:
                    ignored += 1
                    continue
                try:
                    response = parse_binding_response(data, transaction)
                except StunError as exc:
                    ignored += 1
                    last_error = str(exc)
                    continue
                rtt = round((time.monotonic() - sent_at) * 1000.0, 3)
                if not response.success:
                    return StunResult(True, rtt, None, sent, f"error response {response.error_code}")
                return StunResult(True, rtt, response.mapped, sent)
            wait *= 2
    finally:
        sock.close()
    return StunResult(False, None, None, sent, last_error or "no answer")


class LiveTcp:
    """The live side of ``ctx.tcp()``: asyncio streams."""

    async def connect(self, host: str, port: int, timeout_s: float) -> TcpConnect:
        """See :func:`tcp_connect`."""
        return await tcp_connect(host, port, timeout_s)

    async def open(self, host: str, port: int, timeout_s: float) -> LiveTcpStream:
        """An open connection; ``OSError`` or ``TimeoutError`` when none."""
        async with asyncio.timeout(timeout_s):
            reader, writer = await asyncio.open_connection(host, port)
        return LiveTcpStream(reader, writer)

    async def tls_request(
        self, address: str, host: str, port: int, path: str, timeout_s: float, *, verify: bool = True
    ) -> TlsRequest:
        """See :func:`tls_request`."""
        return await tls_request(address, host, port, path, timeout_s, verify=verify)


class LiveTcpStream:
    """An asyncio stream pair as a :class:`homediag.core.io.TcpStream`."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def send(self, data: bytes) -> None:
        """Write and drain."""
        self.writer.write(data)
        await self.writer.drain()

    async def read_exactly(self, count: int, timeout_s: float) -> bytes:
        """Exactly ``count`` bytes; ``EOFError`` when the peer closed first."""
        try:
            async with asyncio.timeout(timeout_s):
                return await self.reader.readexactly(count)
        except asyncio.IncompleteReadError:
            raise EOFError("the peer closed the connection") from None

    async def close(self) -> None:
        """Close, waiting at most half a second."""
        self.writer.close()
        with contextlib.suppress(OSError, TimeoutError):
            async with asyncio.timeout(0.5):
                await self.writer.wait_closed()
