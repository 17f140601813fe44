"""HTTP GET with a total deadline and a streamed byte cap, for probes.

Inactivity timeouts alone let a device that trickles one byte a second hold a run forever, and no HTTP
library caps the body by default (docs/hostile-input.md#limits). Every probe that speaks HTTP goes
through :func:`fetch`: the whole exchange, body included, must finish within ``timeout_s``; the body is
read in chunks and cut at ``max_bytes``; redirects are followed only on the same host, at most three.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

if TYPE_CHECKING:
    import ssl

DEFAULT_TIMEOUT_S = 5.0
DEFAULT_MAX_BYTES = 1024 * 1024
MAX_REDIRECTS = 3
MAX_HEADER_BYTES = 16 * 1024


class HttpError(Exception):
    """The request failed: connection refused, reset, TLS failure, bad URL. The message says which."""


@dataclass(frozen=True)
class HttpResponse:
    """What came back, within the caps."""

    url: str
    """The final URL, after same-host redirects."""
    status: int
    headers: dict[str, str]
    body: bytes
    truncated: bool
    """The body was cut at the byte cap."""
    elapsed_ms: float
    redirects: tuple[str, ...] = field(default=())
    """Locations of redirects followed or, for a cross-host one, refused (last entry)."""
    redirect_refused: bool = False

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 with replacement characters."""
        return self.body.decode("utf-8", "replace")


async def fetch(
    url: str,
    *,
    method: str = "GET",
    timeout_s: float = DEFAULT_TIMEOUT_S,
    max_bytes: int = DEFAULT_MAX_BYTES,
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
    follow_redirects: bool = True,
    verify_tls: bool = True,
) -> HttpResponse:
    """Fetch ``url`` within ``timeout_s`` in total; raise ``TimeoutError`` or ``HttpError``."""
    async with asyncio.timeout(timeout_s):
        return await _fetch(
            url,
            method=method,
            timeout_s=timeout_s,
            max_bytes=max_bytes,
            headers=headers or {},
            content=content,
            follow_redirects=follow_redirects,
            verify_tls=verify_tls,
        )


async def _fetch(
    url: str,
    *,
    method: str,
    timeout_s: float,
    max_bytes: int,
    headers: dict[str, str],
    content: bytes | None,
    follow_redirects: bool,
    verify_tls: bool,
) -> HttpResponse:
    import httpx

    started = time.monotonic()
    redirects: list[str] = []
    current = url
    origin_host = urlsplit(url).hostname
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=0)
    async with httpx.AsyncClient(
        timeout=httpx.Timeout(timeout_s),
        follow_redirects=False,
        trust_env=False,
        verify=tls_context(verify_tls),
        limits=limits,
    ) as client:
        while True:
            try:
                request = client.build_request(method, current, headers=headers, content=content)
                response = await client.send(request, stream=True)
            except httpx.InvalidURL as exc:
                raise HttpError(f"invalid URL: {exc}") from None
            except httpx.UnsupportedProtocol as exc:
                raise HttpError(f"unsupported URL: {exc}") from None
            except httpx.TimeoutException:
                raise TimeoutError(f"no answer from {urlsplit(current).netloc}") from None
            except httpx.HTTPError as exc:
                raise HttpError(_describe(exc)) from None
            try:
                location = response.headers.get("location")
                if follow_redirects and response.is_redirect and location:
                    target = urljoin(current, location)
                    redirects.append(target)
                    if urlsplit(target).hostname != origin_host or len(redirects) > MAX_REDIRECTS:
                        body, truncated = await _read_capped(response, min(max_bytes, 64 * 1024))
                        return _response(response, current, body, truncated, started, redirects, True)
                    current = target
                    continue
                body, truncated = await _read_capped(response, max_bytes)
                return _response(response, current, body, truncated, started, redirects, False)
            except httpx.TimeoutException:
                raise TimeoutError(f"answer from {urlsplit(current).netloc} stalled") from None
            except httpx.HTTPError as exc:
                raise HttpError(_describe(exc)) from None
            finally:
                await response.aclose()


def tls_context(verify: bool) -> ssl.SSLContext:
    """The process's TLS context for ``verify`` (httpx's own settings, without the environment's): made
    once, as building one loads the CA bundle (20-40 ms of CPU, and a checkup makes dozens of fetches)."""
    with _TLS_LOCK:
        found = _TLS.get(verify)
        if found is None:
            import httpx

            found = _TLS[verify] = httpx.create_ssl_context(verify=verify, trust_env=False)
        return found


_TLS: dict[bool, ssl.SSLContext] = {}
_TLS_LOCK = threading.Lock()


async def _read_capped(response: object, max_bytes: int) -> tuple[bytes, bool]:
    import httpx

    assert isinstance(response, httpx.Response)
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        remaining = max_bytes - size
        if len(chunk) > remaining:
            chunks.append(chunk[:remaining])
            return b"".join(chunks), True
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks), False


def _response(
    response: object,
    url: str,
    body: bytes,
    truncated: bool,
    started: float,
    redirects: list[str],
    refused: bool,
) -> HttpResponse:
    import httpx

    assert isinstance(response, httpx.Response)
    headers: dict[str, str] = {}
    size = 0
    for key, value in response.headers.items():
        size += len(key) + len(value)
        if size > MAX_HEADER_BYTES:
            break
        headers[key.lower()] = value
    return HttpResponse(
        url=url,
        status=response.status_code,
        headers=headers,
        body=body,
        truncated=truncated,
        elapsed_ms=(time.monotonic() - started) * 1000.0,
        redirects=tuple(redirects),
        redirect_refused=refused,
    )


def _describe(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]
