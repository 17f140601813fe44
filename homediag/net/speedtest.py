"""speedtest-cli, bounded: one blocking run in a worker thread, stopped at a deadline, errors made plain.

speedtest-cli (``import speedtest``) does the measuring; this module only drives it:

- every socket it opens gets ``socket_timeout_s`` (its own ``timeout`` argument), and its
  ``shutdown_event`` is set when the caller's deadline passes, which ends its download and upload
  loops at their next chunk;
- ``server`` is ``auto`` (speedtest.net's server list and its "best" server) or the URL of a Speedtest
  Mini compatible server. Either way speedtest-cli first fetches
  ``www.speedtest.net/speedtest-config.php``; when that fails the error says so, since a self-hosted
  Mini server does not help then;
- the moments the download and the upload start and end are reported through :class:`Phases`, so that
  the caller can measure latency while the line is loaded, each way;
- the bytes speedtest-cli's threads move are tallied with time stamps (:class:`Meter`, through a thin
  wrapper of its URL opener), and the speed is the steady rate after a warm-up that is discarded
  (TCP slow start and the threads starting one after another): speedtest-cli's own figure divides all
  bytes by the whole time, warm-up included, which read up to 9 % low at 20 Mbit/s in the lab. The
  upload counts what the server acknowledged (Linux ``TCP_INFO``, :class:`AckTally`), not what was
  written into the send buffer;
- at least :data:`MIN_STREAMS` streams run each way.
"""

from __future__ import annotations

import socket
import statistics
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from homediag.core.i18n import _
from homediag.core.io import Phases, SpeedResult, SpeedtestFailed

CONFIG_URL = "www.speedtest.net/speedtest-config.php"
MIN_STREAMS = 4
"""Parallel transfers each way at least (speedtest.net's configuration may ask for fewer)."""
WARMUP_SHARE = 0.25
"""Share of each transfer's configured length discarded as warm-up ..."""
WARMUP_MIN_S = 1.0
"""... but at least this long."""
STEADY_MIN_S = 1.0
"""A steady part shorter than this is no measurement: speedtest-cli's own figure is kept then."""
MARK_EVERY_S = 0.05
READ_BYTES = 64 * 1024
"""Bytes per read of a download (at most: whatever one receive call returns) and per block of an
upload. speedtest-cli asks for 10 KB and http.client for 8 KB: at 100 Mbit/s that is over a thousand
trips through Python a second per direction, and the threads contending for the interpreter could not
keep the line full. Small enough that a block in flight is a small part of a second's bytes."""
TAIL_SHARE = 0.9
"""The steady part ends with the last window at this share of the median window's rate at least:
when the data runs out, the last streams drain one by one and the line is no longer full."""
WINDOW_S = 0.25


@dataclass
class Meter:
    """Bytes one transfer direction moved, tallied with time stamps (thread-safe)."""

    total: int = 0
    marks: list[tuple[float, int]] = field(default_factory=list)
    """(monotonic time, bytes so far), at most one every :data:`MARK_EVERY_S`."""
    last: tuple[float, int] | None = None
    """The time of the latest bytes and the total then."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, count: int, now: float | None = None) -> None:
        """Count ``count`` bytes moved at ``now`` (default: the monotonic clock)."""
        if count <= 0:
            return
        now = time.monotonic() if now is None else now
        with self.lock:
            if not self.marks:
                self.marks.append((now, 0))  # the first bytes arrive at the start of the first window
            self.total += count
            self.last = (now, self.total)
            if now - self.marks[-1][0] >= MARK_EVERY_S:
                self.marks.append(self.last)

    def set_total(self, total: int, now: float | None = None) -> None:
        """Record a running total (bytes so far) at ``now``."""
        with self.lock:
            grown = total - self.total
        self.add(grown, now)

    def steady_bps(self, warmup_s: float) -> float | None:
        """Bits per second of the steady part: from ``warmup_s`` after the first bytes to the last
        ones, less a draining tail (:data:`TAIL_SHARE`), as the interquartile mean of its windows of
        :data:`WINDOW_S` (the plain rate when there are fewer than 8); None when the steady part is
        shorter than :data:`STEADY_MIN_S`."""
        with self.lock:
            if not self.marks or self.last is None:
                return None
            marks = [*self.marks, self.last] if self.last != self.marks[-1] else list(self.marks)
        begin = marks[0][0] + warmup_s
        steady = [m for m in marks if m[0] >= begin]
        if len(steady) < 2 or steady[-1][0] - steady[0][0] < STEADY_MIN_S:
            return None
        windows: list[tuple[float, tuple[float, int]]] = []  # (rate of the window, its end)
        anchor = steady[0]
        for mark in steady[1:]:
            if mark[0] - anchor[0] >= WINDOW_S:
                windows.append(((mark[1] - anchor[1]) / (mark[0] - anchor[0]), mark))
                anchor = mark
        end = steady[-1]
        if len(windows) >= 3:
            floor = TAIL_SHARE * statistics.median(rate for rate, _mark in windows)
            end = next(mark for rate, mark in reversed(windows) if rate >= floor)
        if end[0] - steady[0][0] < STEADY_MIN_S:
            return None
        rates = sorted(rate for rate, mark in windows if mark[0] <= end[0])
        if len(rates) >= 8:
            # the interquartile mean: a stall of the far end or of this computer (a quarter of the
            # windows at most) is not the line's speed, and a window that caught up after one is not
            # either
            quarter = len(rates) // 4
            return 8.0 * statistics.fmean(rates[quarter : len(rates) - quarter])
        return 8.0 * (end[1] - steady[0][1]) / (end[0] - steady[0][0])


TCP_INFO_BYTES_ACKED = 120
"""Offset of ``tcpi_bytes_acked`` in Linux's ``struct tcp_info`` (since Linux 4.1)."""


def bytes_acked(sock: Any) -> int | None:
    """The bytes the peer acknowledged on ``sock`` (Linux ``TCP_INFO``), or None where unknown."""
    option = getattr(socket, "TCP_INFO", None)
    if sock is None or option is None:
        return None
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, option, 256)
    except (OSError, ValueError, TypeError):
        return None
    if not isinstance(info, bytes) or len(info) < TCP_INFO_BYTES_ACKED + 8:
        return None
    value: int = struct.unpack_from("=Q", info, TCP_INFO_BYTES_ACKED)[0]
    return max(0, value - 1)  # the SYN's sequence number counts as one


class AckTally:
    """What the server acknowledged on every upload connection, summed (thread-safe).

    An upload's bytes leave the program long before they cross the line: the kernel's send buffer,
    which grows during the test, holds megabytes. Counting them as written reads up to 7 % high at
    20 Mbit/s and, when the data runs out, low (the last megabytes cross after the last write); what
    the server acknowledged is what crossed.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live: dict[int, tuple[Any, int]] = {}
        self._closed = 0
        self.seen = False
        """Whether the kernel told anything at all (else: not Linux, or no TCP_INFO)."""

    def track(self, connection: Any) -> None:
        """Follow ``connection`` (an ``http.client`` connection, its socket made later)."""
        with self._lock:
            self._live[id(connection)] = (connection, 0)

    def close(self, connection: Any, sock: Any) -> None:
        """``connection`` is done; ``sock`` (when still open) gives its final count."""
        final = bytes_acked(sock)
        with self._lock:
            _connection, last = self._live.pop(id(connection), (connection, 0))
            self._closed += max(last, final or 0)
            self.seen = self.seen or final is not None

    def total(self) -> int:
        """Bytes acknowledged so far on every connection."""
        with self._lock:
            live = list(self._live.items())
        counts: dict[int, int] = {}
        for key, (connection, last) in live:
            value = bytes_acked(getattr(connection, "sock", None))
            counts[key] = last if value is None else max(last, value)
        with self._lock:
            for key, value in counts.items():
                if key in self._live:
                    self._live[key] = (self._live[key][0], value)
                    self.seen = self.seen or value > 0
            return self._closed + sum(last for _c, last in self._live.values())


def watch_uploads(opener: Any, tally: AckTally) -> None:
    """Have ``tally`` follow every connection ``opener`` makes for a request with a body (an upload)."""
    for handler in getattr(opener, "handlers", ()):
        original = getattr(handler, "do_open", None)
        if original is None:
            continue

        def do_open(http_class: Any, request: Any, _original: Any = original, **kwargs: Any) -> Any:
            if getattr(request, "data", None) is None:
                return _original(http_class, request, **kwargs)
            made: list[Any] = []

            def make(*args: Any, **more: Any) -> Any:
                connection = http_class(*args, **more)
                tally.track(connection)
                made.append(connection)
                return connection

            response = None
            try:
                response = _original(make, request, **kwargs)
                return response
            finally:
                # urllib has closed the connection's own socket; the response still holds it
                sock = getattr(getattr(getattr(response, "fp", None), "raw", None), "_sock", None)
                for connection in made:
                    tally.close(connection, sock)

        handler.do_open = do_open


def sample_acks(tally: AckTally, meter: Meter, stop: threading.Event) -> threading.Thread:
    """A thread that puts ``tally``'s total into ``meter`` every :data:`MARK_EVERY_S` until ``stop``."""

    def run() -> None:
        while not stop.wait(MARK_EVERY_S):
            meter.set_total(tally.total())
        meter.set_total(tally.total())

    thread = threading.Thread(target=run, name="speedtest-acks", daemon=True)
    thread.start()
    return thread


class _CountingOpener:
    """speedtest-cli's URL opener, with the bytes of every download read and upload sent counted."""

    def __init__(self, opener: Any, down: Meter, up: Meter) -> None:
        self._opener = opener
        self._down = down
        self._up = up

    def open(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        data = getattr(request, "data", None)
        if data is not None and callable(getattr(data, "read", None)):
            read = data.read
            meter = self._up

            def counted_read(n: int = 10240) -> Any:
                chunk = read(max(n, READ_BYTES))  # http.client sends any block it gets
                meter.add(len(chunk))
                return chunk

            data.read = counted_read  # the instance's own, in front of its class's
            return self._opener.open(request, *args, **kwargs)
        return _CountingResponse(self._opener.open(request, *args, **kwargs), self._down)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._opener, name)


class _CountingResponse:
    """A response whose reads are counted."""

    def __init__(self, response: Any, meter: Meter) -> None:
        self._response = response
        self._meter = meter

    def read(self, amount: int | None = None) -> Any:
        # speedtest-cli only counts what a read returns: a larger read is the same measurement.
        # read1: what one receive call brings, so the tally follows the line closely.
        if amount is None or not callable(getattr(self._response, "read1", None)):
            chunk = self._response.read() if amount is None else self._response.read(amount)
        else:
            chunk = self._response.read1(max(amount, READ_BYTES))
        self._meter.add(len(chunk))
        return chunk

    def __getattr__(self, name: str) -> Any:
        return getattr(self._response, name)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]


def run_speedtest(
    server: str,
    *,
    secure: bool,
    socket_timeout_s: float,
    shutdown: threading.Event,
    phases: Phases,
    factory: Callable[..., Any] | None = None,
) -> SpeedResult:
    """Run one speed test (blocking: call it in a worker thread). Raises :class:`SpeedtestFailed`."""
    import speedtest

    make = factory or speedtest.Speedtest
    try:
        tester = make(timeout=socket_timeout_s, secure=secure, shutdown_event=shutdown)
    except speedtest.ConfigRetrievalError as exc:
        raise SpeedtestFailed(
            _(
                "speedtest.net's configuration ({url}) could not be fetched: {error}; even a Speedtest "
                "Mini server needs it"
            ).format(url=CONFIG_URL, error=_describe(exc))
        ) from None
    except (speedtest.SpeedtestConfigError, KeyError, ValueError) as exc:
        raise SpeedtestFailed(
            _("speedtest.net's configuration ({url}) was refused or malformed: {error}").format(
                url=CONFIG_URL, error=_describe(exc)
            )
        ) from None
    if shutdown.is_set():
        raise SpeedtestFailed(_("stopped at the deadline"))
    phases.mark("server")
    try:
        if server == "auto":
            tester.get_servers()
            tester.get_best_server()
        else:
            tester.get_best_server(tester.set_mini_server(server))
    except speedtest.SpeedtestMiniConnectFailure:
        raise SpeedtestFailed(
            _("the Speedtest Mini server {url} did not answer, or answered with an HTTP error").format(
                url=server
            )
        ) from None
    except speedtest.InvalidSpeedtestMiniServer:
        raise SpeedtestFailed(
            _("{url} does not look like a Speedtest Mini server").format(url=server)
        ) from None
    except (speedtest.ServersRetrievalError, speedtest.NoMatchedServers) as exc:
        raise SpeedtestFailed(
            _("speedtest.net's server list could not be fetched: {error}").format(error=_describe(exc))
        ) from None
    except speedtest.SpeedtestBestServerFailure as exc:
        raise SpeedtestFailed(
            _("no speed test server answered the latency test: {error}").format(error=_describe(exc))
        ) from None
    except speedtest.SpeedtestException as exc:
        raise SpeedtestFailed(
            _("choosing a speed test server failed: {error}").format(error=_describe(exc))
        ) from None
    if shutdown.is_set():
        raise SpeedtestFailed(_("stopped at the deadline"))
    down_meter, up_meter, acked = Meter(), Meter(), Meter()
    tally = AckTally()
    opener = getattr(tester, "_opener", None)
    if opener is not None:
        watch_uploads(opener, tally)
        tester._opener = _CountingOpener(opener, down_meter, up_meter)
    stop_sampling = threading.Event()
    streams = _streams(tester)
    phases.mark("download")
    try:
        cli_download = float(tester.download(threads=streams("download")))
        phases.mark("upload")
        if shutdown.is_set():
            raise SpeedtestFailed(_("stopped at the deadline during the download"))
        if cli_download <= 0:  # speedtest-cli swallows HTTP errors of its download threads
            raise SpeedtestFailed(_("no data came back from the speed test server"))
        sampler = sample_acks(tally, acked, stop_sampling)
        try:
            cli_upload = float(tester.upload(pre_allocate=False, threads=streams("upload")))
        finally:
            stop_sampling.set()
            sampler.join(1.0)
        if cli_upload <= 0:
            raise SpeedtestFailed(_("the speed test server accepted no upload"))
    except speedtest.SpeedtestException as exc:
        raise SpeedtestFailed(_("the transfer failed: {error}").format(error=_describe(exc))) from None
    phases.mark("done")
    if shutdown.is_set():
        raise SpeedtestFailed(_("stopped at the deadline during the upload"))
    results = tester.results
    ping = getattr(results, "ping", None)
    download = down_meter.steady_bps(_warmup_s(tester, "download"))
    upload = acked.steady_bps(_warmup_s(tester, "upload")) if tally.seen else None
    if upload is None:
        upload = up_meter.steady_bps(_warmup_s(tester, "upload"))
    return SpeedResult(
        download_bps=cli_download if download is None else download,
        upload_bps=cli_upload if upload is None else upload,
        ping_ms=float(ping) if isinstance(ping, int | float) and ping < 3_600_000 else None,
        server=dict(getattr(results, "server", {}) or {}),
        client=dict(getattr(results, "client", {}) or {}),
        cli_download_bps=cli_download,
        cli_upload_bps=cli_upload,
    )


def _streams(tester: Any) -> Callable[[str], int]:
    """The number of streams for a direction: speedtest.net's, but at least :data:`MIN_STREAMS`
    (read when the transfer starts: speedtest-cli raises the upload's after a fast download)."""

    def streams(direction: str) -> int:
        try:
            configured = int(tester.config["threads"][direction])
        except (AttributeError, KeyError, TypeError, ValueError):
            configured = 0
        return max(MIN_STREAMS, configured)

    return streams


def _warmup_s(tester: Any, direction: str) -> float:
    """The warm-up discarded from a transfer: a share of its configured length, at least a second."""
    try:
        length = float(tester.config["length"][direction])
    except (AttributeError, KeyError, TypeError, ValueError):
        length = 0.0
    return max(WARMUP_MIN_S, WARMUP_SHARE * length)


class LiveSpeedtest:
    """The live side of ``ctx.speedtest()``: :func:`run_speedtest`."""

    def run(
        self,
        server: str,
        *,
        secure: bool,
        socket_timeout_s: float,
        shutdown: threading.Event,
        phases: Phases,
    ) -> SpeedResult:
        """See :func:`run_speedtest`."""
        return run_speedtest(
            server, secure=secure, socket_timeout_s=socket_timeout_s, shutdown=shutdown, phases=phases
        )
