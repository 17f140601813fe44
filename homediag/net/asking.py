"""Asking targets by unicast as they become known, and listening until ``listen_s`` after the last.

A probe that follows another's discoveries (``discovery.unicast`` follows the ARP sweep) hands the
addresses in as an asynchronous iterable: each is asked as it comes, and the listening ends
``listen_s`` after the last one was asked, once the iterable ended. A plain sequence is asked at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import time
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Sequence

Targets = Sequence[ipaddress.IPv4Address] | AsyncIterable[ipaddress.IPv4Address]
POLL_S = 0.05
"""How often the listening looks whether the asking ended, while targets may still come."""


class Asking:
    """Sends to each target as it comes (at most ``limit``), and says how long to listen still."""

    def __init__(self, targets: Targets, listen_s: float, *, limit: int = 256) -> None:
        self.targets = targets
        self.listen_s = listen_s
        self.limit = limit
        self.asked: list[ipaddress.IPv4Address] = []
        self._asked: set[str] = set()
        self._done = False
        self._last = time.monotonic()
        self._task: asyncio.Task[None] | None = None

    def start(self, send: Callable[[ipaddress.IPv4Address], Awaitable[None]], gap_s: float) -> None:
        """Ask each target with ``send`` (``gap_s`` between two), on a task of the running loop."""
        self._task = asyncio.ensure_future(self._send_all(send, gap_s))

    async def _send_all(self, send: Callable[[ipaddress.IPv4Address], Awaitable[None]], gap_s: float) -> None:
        try:
            async for target in _each(self.targets):
                if str(target) in self._asked:
                    continue
                if len(self.asked) >= self.limit:
                    continue  # drain the iterable: its end ends the listening
                self.asked.append(target)
                self._asked.add(str(target))
                with contextlib.suppress(OSError):
                    await send(target)
                self._last = time.monotonic()
                await asyncio.sleep(gap_s)
        finally:
            self._done = True

    def was_asked(self, host: str) -> bool:
        """Whether ``host`` (an address as text) was asked."""
        return host in self._asked

    @property
    def sent_all(self) -> bool:
        """Whether every target was asked (the iterable ended)."""
        return self._done

    def wait_s(self) -> float:
        """How long to wait for the next answer: ``POLL_S`` at most while targets may still come; then
        what is left of ``listen_s`` after the last one asked (0 or less: the listening is over)."""
        if not self._done:
            return POLL_S
        return self._last + self.listen_s - time.monotonic()

    @property
    def over(self) -> bool:
        """Whether every target was asked and ``listen_s`` has passed since the last."""
        return self._done and self.wait_s() <= 0

    def stop(self) -> None:
        """Stop asking (the caller's deadline, or it is done)."""
        if self._task is not None:
            self._task.cancel()


async def _each(targets: Targets) -> AsyncIterator[ipaddress.IPv4Address]:
    if isinstance(targets, AsyncIterable):
        async for target in targets:
            yield target
    else:
        for target in targets:
            yield target
