"""Run untrusted parsing where it can be killed.

An asyncio timeout cannot interrupt a CPU loop: a parser that spins on a hostile frame blocks its
thread for good (docs/hostile-input.md#limits; pyipp loops forever on a 20-byte response). Parsers of device
data therefore run in a separate process started from a single-threaded fork server; when the deadline
passes, the process is killed and the caller gets ``TimeoutError``.

The function must be importable (a module-level function) and its arguments and result picklable.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import multiprocessing.connection
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

MAX_RESULT_BYTES = 8 * 1024 * 1024


class WorkerError(Exception):
    """The parser raised inside the worker; the message names the exception."""


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _child(
    conn: multiprocessing.connection.Connection, fn: Callable[..., Any], args: tuple[Any, ...]
) -> None:
    try:
        result: tuple[str, Any] = ("ok", fn(*args))
    except BaseException as exc:  # noqa: BLE001 - everything is reported back, typed
        result = ("error", f"{type(exc).__name__}: {exc}"[:500])
    try:
        conn.send(result)
    except Exception as exc:  # noqa: BLE001 - e.g. an unpicklable result
        conn.send(("error", f"result not transferable: {type(exc).__name__}"))
    finally:
        conn.close()


def _wait(
    process: multiprocessing.process.BaseProcess,
    conn: multiprocessing.connection.Connection,
    timeout_s: float,
) -> tuple[str, Any] | None:
    if not conn.poll(timeout_s):
        return None
    try:
        received: tuple[str, Any] = conn.recv()
    except EOFError:
        return ("error", f"worker died (exit code {process.exitcode})")
    return received


async def run_killable(fn: Callable[..., T], *args: Any, timeout_s: float) -> T:
    """Run ``fn(*args)`` in a killable process; raise ``TimeoutError`` past ``timeout_s``."""
    ctx = _context()
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(child, fn, args), daemon=True)  # type: ignore[attr-defined]
    process.start()
    child.close()
    try:
        outcome = await asyncio.to_thread(_wait, process, parent, timeout_s)
    finally:
        if process.is_alive():
            process.kill()
        await asyncio.to_thread(process.join, 1.0)
        with contextlib.suppress(OSError):
            parent.close()
    if outcome is None:
        raise TimeoutError(f"parser did not finish within {timeout_s:g} s and was killed")
    status, value = outcome
    if status != "ok":
        raise WorkerError(str(value))
    return value  # type: ignore[no-any-return]
