"""Small helpers every part of the test suite shares."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn

import pytest

REPO = Path(__file__).resolve().parents[1]


def skip_or_fail(reason: str) -> NoReturn:
    """Skip a test this machine cannot run; under CI (``CI`` set) fail instead: CI must run it."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must run this test, but {reason}")
    pytest.skip(reason)


@contextlib.contextmanager
def udp_server(answer: Callable[[bytes], list[bytes]], *, max_size: int = 9000) -> Iterator[int]:
    """A UDP server on 127.0.0.1 that sends back ``answer(datagram)``; yields its port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.1)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                data, sender = sock.recvfrom(max_size)
            except TimeoutError:
                continue
            except OSError:
                return
            for reply in answer(data):
                sock.sendto(reply, sender)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield sock.getsockname()[1]
    finally:
        stop.set()
        thread.join(1)
        sock.close()
