"""Datagram sockets for probes: the live side of ``ctx.udp()`` (:class:`homediag.core.io.UdpOpener`).

A thin asyncio wrapper over a non-blocking socket: send one datagram, wait a bounded time for the next
one. Multicast sockets (SSDP) send from one interface address with a small TTL.
"""

from __future__ import annotations

import asyncio
import socket

from homediag.core.io import Datagram


class LiveUdpSocket:
    """A non-blocking datagram socket driven by the running event loop."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    async def send(self, data: bytes, host: str, port: int) -> None:
        """Send one datagram; ``OSError`` when it cannot go out."""
        await asyncio.get_running_loop().sock_sendto(self.sock, data, (host, port))

    async def receive(self, timeout_s: float, max_bytes: int = 65535) -> Datagram | None:
        """The next datagram within ``timeout_s``, or None."""
        try:
            async with asyncio.timeout(max(0.0, timeout_s)):
                data, sender = await asyncio.get_running_loop().sock_recvfrom(self.sock, max_bytes)
        except TimeoutError:
            return None
        return Datagram(bytes(data), str(sender[0]).split("%", 1)[0], int(sender[1]))

    def close(self) -> None:
        """Close the socket."""
        self.sock.close()


class LiveUdp:
    """Opens :class:`LiveUdpSocket` s."""

    def open(
        self,
        *,
        family: int = 4,
        bind: str | None = None,
        multicast_if: str | None = None,
        multicast_ttl: int | None = None,
    ) -> LiveUdpSocket:
        """A socket bound to ``bind`` (any address when None) on an ephemeral port."""
        af = socket.AF_INET6 if family == 6 else socket.AF_INET
        sock = socket.socket(af, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
        try:
            sock.setblocking(False)
            if multicast_ttl is not None:
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, multicast_ttl)
            if multicast_if is not None:
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(multicast_if))
            if bind is not None:
                sock.bind((bind, 0))
        except OSError:
            sock.close()
            raise
        return LiveUdpSocket(sock)
