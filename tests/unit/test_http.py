"""HTTP fetches have a total deadline and a byte cap (servers on 127.0.0.1 only)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import pytest

from homediag.core.http import HttpError, fetch

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def _serve(handler: Handler) -> tuple[asyncio.Server, int]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, port


async def _read_request(reader: asyncio.StreamReader) -> None:
    while (await reader.readline()) not in (b"\r\n", b""):
        pass


def test_a_one_byte_per_second_answer_stops_at_the_total_deadline() -> None:
    async def trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
        try:
            for _ in range(1000):
                writer.write(b"x")
                await writer.drain()
                await asyncio.sleep(0.2)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def scenario() -> float:
        server, port = await _serve(trickle)
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            await fetch(f"http://127.0.0.1:{port}/", timeout_s=1.0)
        elapsed = time.monotonic() - started
        server.close()
        return elapsed

    assert asyncio.run(scenario()) < 3.0


def test_a_huge_body_is_cut_at_the_cap() -> None:
    async def endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        try:
            for _ in range(10_000):
                writer.write(b"4000\r\n" + b"y" * 0x4000 + b"\r\n")
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def scenario() -> None:
        server, port = await _serve(endless)
        response = await fetch(f"http://127.0.0.1:{port}/", timeout_s=5.0, max_bytes=100_000)
        assert response.truncated
        assert len(response.body) == 100_000
        server.close()

    asyncio.run(scenario())


def test_a_redirect_to_another_host_is_not_followed() -> None:
    async def redirector(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(
            b"HTTP/1.1 302 Found\r\nLocation: http://198.51.100.7/login\r\nContent-Length: 0\r\n\r\n"
        )
        await writer.drain()
        writer.close()

    async def scenario() -> None:
        server, port = await _serve(redirector)
        response = await fetch(f"http://127.0.0.1:{port}/generate_204", timeout_s=3.0)
        assert response.status == 302
        assert response.redirect_refused
        assert response.redirects == ("http://198.51.100.7/login",)
        server.close()

    asyncio.run(scenario())


def test_connection_refused_is_a_clear_error() -> None:
    async def scenario() -> None:
        server, port = await _serve(lambda r, w: asyncio.sleep(0))
        server.close()
        await server.wait_closed()
        with pytest.raises(HttpError):
            await fetch(f"http://127.0.0.1:{port}/", timeout_s=2.0)

    asyncio.run(scenario())
