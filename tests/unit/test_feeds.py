"""A feed hands a provider's items to a follower on another thread and event loop, and ends."""

from __future__ import annotations

import asyncio
import threading

from homediag.core.feeds import MAX_ITEMS, FactFeed


def test_items_published_from_another_thread_reach_a_reader_until_the_feed_closes() -> None:
    feed = FactFeed("test.hosts")
    feed.publish("before")  # published before anyone reads: read first
    started = threading.Event()

    def provider() -> None:
        started.wait(5)
        for index in range(3):
            feed.publish(f"item {index}")
        feed.close()

    async def read() -> list[object]:
        started.set()
        return [item async for item in feed.follow()]

    thread = threading.Thread(target=provider)
    thread.start()
    got = asyncio.run(asyncio.wait_for(read(), 5))
    thread.join(5)
    assert got == ["before", "item 0", "item 1", "item 2"]
    assert feed.closed and not feed.publish("late")  # nothing after the end
    assert feed.items() == got


def test_a_reader_of_a_closed_feed_gets_everything_at_once_and_ends() -> None:
    feed = FactFeed("test.hosts")
    feed.publish(1)
    feed.close()
    assert asyncio.run(asyncio.wait_for(_all(feed), 1)) == [1]
    asyncio.run(asyncio.wait_for(feed.ended(), 1))


def test_a_feed_keeps_at_most_its_cap() -> None:
    feed = FactFeed("test.flood")
    kept = sum(feed.publish(index) for index in range(MAX_ITEMS + 10))
    assert kept == MAX_ITEMS and len(feed.items()) == MAX_ITEMS


async def _all(feed: FactFeed) -> list[object]:
    return [item async for item in feed.follow()]
