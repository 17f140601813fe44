"""Feeds: what a probe hears while it still runs, for a probe that follows it (``ProbeSpec.follows``).

A probe that provides a followed fact may :meth:`~homediag.core.probe.ProbeContext.publish` items of it
as they come (the ARP sweep: each address as it answers); the runner closes the feed when that probe's
run ends, whatever its outcome, after its result is recorded. A follower reads the items as they
arrive and, once the feed is closed, the provider's facts and devices as any probe reads its needs.

Each probe runs on its own thread and event loop, so a feed is thread-safe: the items sit behind a
lock, and a waiting reader is woken on its own loop (``call_soon_threadsafe``).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator

MAX_ITEMS = 65_536
"""At most this many items a feed keeps (the largest subnet a sweep may ask is a /16)."""


class FactFeed:
    """The items of one fact published while its provider runs, and whether that run has ended."""

    def __init__(self, fact: str) -> None:
        self.fact = fact
        self._lock = threading.Lock()
        self._items: list[object] = []
        self._closed = False
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []

    @property
    def closed(self) -> bool:
        """Whether the provider's run has ended (no item comes any more)."""
        with self._lock:
            return self._closed

    def items(self) -> list[object]:
        """The items published so far."""
        with self._lock:
            return list(self._items)

    def publish(self, item: object) -> bool:
        """Add ``item`` (from any thread); False when the feed is closed or full (the item is dropped)."""
        with self._lock:
            if self._closed or len(self._items) >= MAX_ITEMS:
                return False
            self._items.append(item)
            waiters = list(self._waiters)
        self._wake(waiters)
        return True

    def close(self) -> None:
        """The provider's run ended: wake every reader for the last time."""
        with self._lock:
            self._closed = True
            waiters = list(self._waiters)
        self._wake(waiters)

    async def follow(self) -> AsyncIterator[object]:
        """Every item, the published ones first, then each as it comes, until the feed is closed."""
        index = 0
        loop = asyncio.get_running_loop()
        while True:
            event = asyncio.Event()
            with self._lock:
                fresh = self._items[index:]
                closed = self._closed
                if not fresh and not closed:
                    self._waiters.append((loop, event))
            if fresh:
                index += len(fresh)
                for item in fresh:
                    yield item
                continue
            if closed:
                return
            try:
                await event.wait()
            finally:
                with self._lock, contextlib.suppress(ValueError):
                    self._waiters.remove((loop, event))

    async def ended(self) -> None:
        """Wait until the feed is closed (the provider's run ended)."""
        async for _item in self.follow():
            pass

    @staticmethod
    def _wake(waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]]) -> None:
        for loop, event in waiters:
            with contextlib.suppress(RuntimeError):  # that loop is closed: its reader is gone
                loop.call_soon_threadsafe(event.set)
