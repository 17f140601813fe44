"""The sampling loop of a watch: bounded load, a commit every second, resumable.

Load: one echo per interval to each target (gateway, hop 2, two internet targets: four packets a second
at the default interval), one DNS lookup every ``dns_every_s`` (every ``fast_dns_s`` while lookups
fail or are slow, to find the end of the trouble), one connectivity check every ``http_every_s``, the
Wi-Fi link every ``wifi_every_s`` and the interface every ``link_every_s`` (both read locally). A speed
test only with ``speedtest_every_s`` (``--speedtest-every``): one at a time, the first after
:data:`FIRST_SPEEDTEST_S` at most, a slot missed while one runs is skipped, the echoes go on meanwhile
(the report leaves the time of a speed test out of the loss and latency events: that load is the
watch's own), and a failed one is stored as failed with its reason. Each measurement has its own
deadline, so a silent target never stacks up work. On Windows and macOS the OS's Wi-Fi log is read every
:data:`homediag.watch.oslog.READ_EVERY_S` and when the watch stops; on Linux ``iw event`` is followed.

Samples are queued in memory and committed once a second (:data:`COMMIT_EVERY_S`): ``kill -9`` loses at
most the last second. Every hour the loop keeps the history bounded (:meth:`Watcher.maintain`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from homediag.core.model import Outcome, ProbeResult
from homediag.core.probe import ProbeContext
from homediag.core.session import Session
from homediag.core.system import SystemView
from homediag.watch import events as event_rules
from homediag.watch import oslog, samplers
from homediag.watch.samples import Kind, Sample, info_of
from homediag.watch.store import DAY_S, KEEP_DAYS, RAW_DAYS, SpeedTest, Store, StoredEvent

COMMIT_EVERY_S = 1.0
MAINTAIN_EVERY_S = 3600.0
FIRST_SPEEDTEST_S = 60.0
"""The first speed test runs this long after the start at most (sooner when the period is shorter)."""
MIN_SPEEDTEST_EVERY_S = 60.0
"""The shortest period ``--speedtest-every`` accepts (a speed test loads the line for about 20 s)."""
SPEED_FACTS = (
    "speedtest.download_mbps",
    "speedtest.upload_mbps",
    "latency.idle_ms",
    "latency.loaded_ms",
    "latency.upload_loaded_ms",
    "latency.increase_ms",
    "latency.grade",
    "latency.loaded_loss_pct",
)
"""The facts of a speed test kept in the history (not the public address or location it saw)."""

SpeedTestRun = Callable[[], Awaitable[ProbeResult]]
"""Runs one speed test (``net.throughput`` through the runner, in ``homediag.app.watch``)."""


@dataclass(frozen=True)
class Schedule:
    """How often each measurement runs."""

    interval_s: float = 1.0
    dns_every_s: float = 30.0
    fast_dns_s: float = 2.0
    http_every_s: float = 60.0
    wifi_every_s: float = 5.0
    link_every_s: float = 5.0
    speedtest_every_s: float | None = None
    """None: no speed test."""
    raw_days: float = RAW_DAYS
    keep_days: float = KEEP_DAYS

    def packets_per_second(self, targets: int) -> float:
        """The echo rate of this schedule with ``targets`` ping targets (DNS and HTTP add a little)."""
        return targets / self.interval_s + 1.0 / self.dns_every_s + 1.0 / self.http_every_s


class Watcher:
    """Samples the path into the store until the duration ends or the task is cancelled."""

    def __init__(
        self,
        store: Store,
        session: Session,
        path: samplers.Path,
        schedule: Schedule | None = None,
        *,
        duration_s: float | None = None,
        system: SystemView | None = None,
        follow_os_log: bool = True,
        speedtest: SpeedTestRun | None = None,
        ctx: ProbeContext | None = None,
    ) -> None:
        self.store = store
        self.session = session
        self.path = path
        self.schedule = schedule or Schedule()
        self.duration_s = duration_s
        self.system = system or SystemView()
        self.follow_os_log = follow_os_log
        self.ctx: ProbeContext = ctx or samplers.sampler_context(session, self.system, path.interface)
        self.speedtest = speedtest
        self.count = 0
        self.log_seen: float | None = None
        """The time up to which the OS's Wi-Fi log was read (Windows, macOS)."""
        self.log_error: str | None = None

    def emit(self, sample: Sample) -> None:
        """Queue one sample for the next commit."""
        self.store.add(sample)
        self.count += 1

    async def run(self) -> None:
        """Sample until the duration ends (or forever); the run is recorded in the store."""
        started = time.time()
        self.store.begin_run(started, self.schedule.interval_s, os.getpid())
        self.emit(Sample(started, Kind.MARK, "watch", True, info=info_of({"event": "started"})))
        self.store.commit()
        loops: list[Callable[[], Awaitable[None]]] = [
            self._pings,
            self._dns,
            self._http,
            self._wifi,
            self._link,
            self._commits,
            self._maintenance,
        ]
        if self.speedtest is not None and self.schedule.speedtest_every_s is not None:
            loops.append(self._speedtests)
        platform = self.session.platform.value if self.session.platform else "linux"
        if self.follow_os_log and platform == "linux" and self.ctx.which("iw"):
            loops.append(lambda: oslog.follow_iw_events(self.emit))
        elif self.follow_os_log and platform in ("windows", "macos"):
            self.log_seen = started - 0.001
            loops.append(self._os_log)
        tasks = [asyncio.ensure_future(loop()) for loop in loops]
        try:
            if self.duration_s is not None:
                await asyncio.sleep(self.duration_s)
            else:
                await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            if self.log_seen is not None:  # the log's last minute (a short watch: all of it)
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    async with asyncio.timeout(oslog.READ_TIMEOUT_S):
                        await self.read_os_log()
            stopped = time.time()
            self.emit(Sample(stopped, Kind.MARK, "watch", True, info=info_of({"event": "stopped"})))
            self.store.end_run(stopped)

    # --- the loops ----------------------------------------------------------------------------------

    async def _every(self, period_s: Callable[[], float], work: Callable[[], Awaitable[None]]) -> None:
        """Run ``work`` every ``period_s()`` seconds on a fixed grid (a slow run never makes a burst)."""
        next_at = time.monotonic()
        while True:
            await work()
            next_at += period_s()
            now = time.monotonic()
            if next_at < now:  # fell behind: skip the missed slots rather than catching up
                next_at = now + period_s()
            await asyncio.sleep(next_at - now)

    async def _pings(self) -> None:
        timeout = min(1.0, self.schedule.interval_s * 0.95)

        async def tick() -> None:
            results = await asyncio.gather(
                *(samplers.ping(self.ctx, target, timeout_s=timeout) for target in self.path.targets),
                return_exceptions=True,
            )
            for result in results:
                if isinstance(result, Sample):
                    self.emit(result)

        await self._every(lambda: self.schedule.interval_s, tick)

    async def _dns(self) -> None:
        resolver = self.path.resolvers[0] if self.path.resolvers else None
        good_since_trouble: int | None = None
        """Good lookups since the last bad one; None when no trouble was seen lately."""

        async def tick() -> None:
            nonlocal good_since_trouble
            sample = await samplers.dns_lookup(self.ctx, resolver, self.path.dns_name)
            self.emit(sample)
            slow = sample.value is not None and sample.value > self.session.config.thresholds.dns_slow_ms
            if not sample.ok or slow:
                good_since_trouble = 0
            elif good_since_trouble is not None:
                good_since_trouble = None if good_since_trouble >= 2 else good_since_trouble + 1

        def period() -> float:
            # While lookups fail or are slow, and until three good ones follow, look more often: the
            # end of the trouble is then known to a few seconds.
            if good_since_trouble is not None:
                return min(self.schedule.fast_dns_s, self.schedule.dns_every_s)
            return self.schedule.dns_every_s

        await self._every(period, tick)

    async def _http(self) -> None:
        if not self.path.http_checks:
            return
        url = self.path.http_checks[0]

        async def tick() -> None:
            self.emit(await samplers.http_check(url))

        await self._every(lambda: self.schedule.http_every_s, tick)

    async def _wifi(self) -> None:
        async def tick() -> None:
            sample = await samplers.wifi_link(self.ctx)
            if sample is not None:
                self.emit(sample)

        await self._every(lambda: self.schedule.wifi_every_s, tick)

    async def _link(self) -> None:
        previous: str | None = None

        async def tick() -> None:
            nonlocal previous
            sample = samplers.link_state(self.system)
            if sample.info != previous:  # only changes are stored
                self.emit(sample)
                if previous is not None:
                    await self._new_path()
                previous = sample.info

        await self._every(lambda: self.schedule.link_every_s, tick)

    async def _new_path(self) -> None:
        """The lease or gateway changed: find the path again (the internet targets stay)."""
        internet = tuple(t.address for t in self.path.targets if t.role.value == "internet")
        with contextlib.suppress(OSError):
            self.path = await samplers.find_path(self.session, system=self.system, internet=internet)

    async def _speedtests(self) -> None:
        every = self.schedule.speedtest_every_s
        assert every is not None and self.speedtest is not None
        run = self.speedtest

        async def tick() -> None:
            started = time.time()
            try:
                result: ProbeResult | BaseException = await run()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - stored as a failed speed test, never dropped
                result = exc
            self.store.add_speedtest(speed_record(result, started, time.time()))

        await asyncio.sleep(min(every, FIRST_SPEEDTEST_S))
        # _every awaits each run before the next: never two at once, and a slot missed is skipped.
        await self._every(lambda: every, tick)

    async def _os_log(self) -> None:
        async def tick() -> None:
            await self.read_os_log()

        await asyncio.sleep(oslog.READ_EVERY_S)
        await self._every(lambda: oslog.READ_EVERY_S, tick)

    async def read_os_log(self) -> int:
        """Read the OS's Wi-Fi log (Windows, macOS) since the last read and queue its link events;
        return how many. A log that cannot be read is said once per run, in a mark sample."""
        since = self.log_seen if self.log_seen is not None else time.time()
        platform = self.session.platform.value if self.session.platform else "linux"
        found, error = await oslog.read_log(self.ctx, platform, since)
        if error is not None and self.log_error is None:
            self.log_error = error
            detail = info_of({"event": "oslog", "error": error})
            self.emit(Sample(time.time(), Kind.MARK, "watch", False, info=detail))
        fresh = [s for s in found if s.t > since]
        for sample in fresh:
            self.emit(sample)
        if fresh:
            self.log_seen = max(s.t for s in fresh)
        return len(fresh)

    async def _commits(self) -> None:
        async def tick() -> None:
            self.store.commit()

        await self._every(lambda: COMMIT_EVERY_S, tick)

    async def _maintenance(self) -> None:
        async def tick() -> None:
            self.maintain(time.time())

        await asyncio.sleep(60.0)
        await self._every(lambda: MAINTAIN_EVERY_S, tick)

    def maintain(self, now: float) -> None:
        """Keep the history bounded: keep the events of raw samples older than ``raw_days``, fold those
        into minutes, delete what is older than ``keep_days``."""
        maintain(self.store, now, self.schedule, self.session)


def maintain(store: Store, now: float, schedule: Schedule, session: Session | None = None) -> None:
    """Downsample and prune ``store`` (see :meth:`Watcher.maintain`)."""
    store.commit()
    cutoff = now - schedule.raw_days * DAY_S
    oldest = store.raw_since()
    if oldest is not None and oldest < cutoff:
        old = store.samples(until=cutoff)
        settings = event_rules.Settings(thresholds=session.config.thresholds) if session else None
        detected = event_rules.detect(old, settings)
        # An event still going on at the cutoff stays raw (from its start): it is found again later.
        cut = min([cutoff, *(e.start for e in detected if e.end >= cutoff)])
        store.add_events(
            StoredEvent(
                e.start,
                e.end,
                e.kind.value,
                e.location.value,
                e.subject,
                info_of({"measured": e.measured, "bad": e.bad, "peak": e.peak}),
            )
            for e in detected
            if e.end < cut
        )
        store.downsample(cut)
    store.prune(now - schedule.keep_days * DAY_S)


def speed_record(result: ProbeResult | BaseException, started: float, ended: float) -> SpeedTest:
    """One speed test as the history keeps it: its figures, or why it failed."""
    if isinstance(result, BaseException):
        return SpeedTest(started, ended, False, error=f"{type(result).__name__}: {result}"[:300])
    facts: dict[str, object] = {
        o.fact: o.value for o in result.observations if o.fact in SPEED_FACTS and o.value is not None
    }
    down, up = facts.get("speedtest.download_mbps"), facts.get("speedtest.upload_mbps")
    if result.outcome is not Outcome.OK or not isinstance(down, int | float):
        reason = result.reason or "no download speed measured"
        return SpeedTest(started, ended, False, facts=facts, error=f"{result.outcome.value}: {reason}"[:300])
    return SpeedTest(
        started,
        ended,
        True,
        float(down),
        float(up) if isinstance(up, int | float) else None,
        facts,
    )


def fast(schedule: Schedule, factor: float) -> Schedule:
    """``schedule`` with every period divided by ``factor`` (benchmarks)."""
    return replace(
        schedule,
        interval_s=schedule.interval_s / factor,
        dns_every_s=schedule.dns_every_s / factor,
        http_every_s=schedule.http_every_s / factor,
        wifi_every_s=schedule.wifi_every_s / factor,
        link_every_s=schedule.link_every_s / factor,
    )
