"""The runner: probes run concurrently, each within a total deadline, and no failure loses the rest.

Each probe run happens on its own thread with its own event loop. A probe that awaits past its
deadline is cancelled there; one stuck in a CPU loop cannot block the others (the main loop keeps its
timers) and is abandoned at its deadline as ``timeout``. Parsers of untrusted device data go further and
run in a killable process (``ProbeContext.parse_untrusted``).

Probes run in dependency order: a probe that needs a fact waits for the probe that provides it, whatever
that probe's outcome. A probe that follows a fact (``ProbeSpec.follows``) runs beside its provider
instead, reading what the provider publishes as it comes (``homediag.core.feeds``); it waits only until
the provider holds its place among the concurrent probes, so the two never wait for each other's.
Device probes run once for each discovered device their matchers hit. The engine
asks for facts with :meth:`Runner.obtain`, so only the probes it needs are run (lazy probing), and
asks for a fresh measurement with :meth:`Runner.rerun` (a remedy's verifier): the probes run again with
the probes they need, and the new results are kept beside the old ones.

Gating before a run: platform (``not_applicable``), risk above ``--max-risk`` or intrusive without
``--allow`` (``skipped``), the probe's own ``applicable()`` (``not_applicable``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from homediag.core.devices import matching_devices, merge_devices
from homediag.core.errors import (
    NotApplicable,
    NotPermitted,
    ProbeFailure,
    ProbeSpecError,
)
from homediag.core.feeds import FactFeed
from homediag.core.i18n import _
from homediag.core.io import ProbeIO
from homediag.core.model import Device, Observation, Outcome, ProbeError, ProbeResult, utc_now
from homediag.core.probe import FactView, Probe, ProbeContext
from homediag.core.registry import Registry
from homediag.core.session import Session
from homediag.core.spec import Risk
from homediag.core.system import SystemView

T = TypeVar("T")
CANCEL_GRACE_S = 0.5
ON_DEMAND_TAG = "on-demand"
"""Probes with this tag (the speed test) run only when asked: by a playbook, or ``--speedtest``."""


class ProgressHook(Protocol):
    """Told when probes start and finish (the CLI draws a progress bar with it)."""

    def started(self, label: str) -> None:
        """A probe run started."""

    def finished(self, result: ProbeResult) -> None:
        """A probe run ended."""


@dataclass(frozen=True)
class _Key:
    probe: str
    target: str | None = None


class Runner:
    """Runs probes for one session and keeps every result, observation and device sighting."""

    def __init__(
        self,
        registry: Registry,
        session: Session,
        *,
        progress: ProgressHook | None = None,
        budget_s: float | None = None,
        system: SystemView | None = None,
        io: ProbeIO | None = None,
        contexts: Callable[..., ProbeContext] | None = None,
    ) -> None:
        self.registry = registry
        self.system = system or SystemView()
        self.io = io
        """The probes' network I/O (``homediag.net.live.live_io()`` for a real run; None: none)."""
        self.contexts = contexts or ProbeContext
        """Makes each probe's context (``ProbeContext``'s signature); ``homediag.testing`` hands in one
        that replays recorded commands and HTTP answers, so a whole run works on a recorded computer."""
        self.session = session
        self.progress = progress
        self.results: list[ProbeResult] = []
        budget = budget_s if budget_s is not None else session.config.limits.run_budget_s
        self._run_deadline = time.monotonic() + budget
        self._tasks: dict[_Key, asyncio.Task[None]] = {}
        self._probe_done: dict[str, asyncio.Task[None]] = {}
        self._semaphore: asyncio.Semaphore | None = None
        self._lock = threading.Lock()
        self._devices_cache: list[Device] | None = None
        self._round_start: dict[str, int] = {}
        """Probe id -> index in :attr:`results` where its latest round begins."""
        self._feeds: dict[str, FactFeed] = {}
        self._entered: dict[str, asyncio.Event] = {}
        """Probe id -> set once a run of it holds its place among the concurrent probes."""

    # --- what is known ---------------------------------------------------------------------
    @property
    def observations(self) -> list[Observation]:
        """Every observation so far, in the order the probes finished."""
        with self._lock:
            return [obs for result in self.results for obs in result.observations]

    @property
    def current_observations(self) -> list[Observation]:
        """The observations of each probe's latest round (every device of a device probe's latest
        round): what probes that need a fact read, so a probe run again after :meth:`rerun` reads the
        new measurement. A whole round supersedes the one before, not device by device: a device's id
        can change between rounds (its MAC was not known the first time), and the first round's
        measurement of the "other" device must not stay beside the new one."""
        with self._lock:
            return [
                obs
                for index, result in enumerate(self.results)
                if index >= self._round_start.get(result.probe, 0)
                for obs in result.observations
            ]

    @property
    def devices(self) -> list[Device]:
        """Devices seen so far, merged across sources."""
        with self._lock:
            if self._devices_cache is None:
                self._devices_cache = merge_devices(
                    device for result in self.results for device in result.devices
                )
            return list(self._devices_cache)

    def view(self) -> FactView:
        """Read-only access to what is known, for probe contexts."""
        return FactView(lambda: self.current_observations, lambda: self.devices, self.feed)

    def feed(self, fact: str) -> FactFeed:
        """The feed of ``fact`` in its provider's latest round (open until that run ends)."""
        with self._lock:
            return self._feeds.setdefault(fact, FactFeed(fact))

    # --- planning ----------------------------------------------------------------------------
    def dependencies(self, probe_id: str, *, followed: bool = False) -> list[str]:
        """Probe ids that provide what ``probe_id`` needs (direct only); with ``followed``, what it
        follows instead (they run beside it)."""
        providers = self.registry.providers()
        spec = self.registry.get(probe_id).spec
        return sorted({providers[f] for f in (spec.follows if followed else spec.needs) if f in providers})

    def check_cycles(self) -> None:
        """Raise ``ProbeSpecError`` when probes need each other in a circle."""
        state: dict[str, int] = {}

        def visit(pid: str, path: tuple[str, ...]) -> None:
            if state.get(pid) == 2:
                return
            if state.get(pid) == 1:
                raise ProbeSpecError("probes need each other in a cycle: " + " -> ".join((*path, pid)))
            state[pid] = 1
            for dep in (*self.dependencies(pid), *self.dependencies(pid, followed=True)):
                visit(dep, (*path, pid))
            state[pid] = 2

        for pid in sorted(self.registry.probes):
            visit(pid, ())

    def gate(self, probe: type[Probe]) -> tuple[Outcome, str] | None:
        """Why ``probe`` must not run in this session, or None when it may."""
        spec = probe.spec
        session = self.session
        if session.platform is not None and session.platform not in spec.platforms:
            return Outcome.NOT_APPLICABLE, _("not available on {platform}").format(
                platform=session.platform.value
            )
        named = spec.id in session.allowed
        if spec.risk is Risk.INTRUSIVE and not named:
            return Outcome.SKIPPED, _("intrusive: runs only when named with --allow {id}").format(id=spec.id)
        if not session.max_risk.allows(spec.risk) and not named:
            return Outcome.SKIPPED, _("risk '{risk}' is above --max-risk '{cap}'").format(
                risk=spec.risk.value, cap=session.max_risk.value
            )
        return None

    # --- running -----------------------------------------------------------------------------
    def default_selection(self) -> list[str]:
        """Every registered probe, except on-demand ones (the speed test) unless the session asks."""
        return sorted(
            pid
            for pid, probe in self.registry.probes.items()
            if ON_DEMAND_TAG not in probe.spec.tags or self.session.speedtest
        )

    async def run(self, probe_ids: Iterable[str] | None = None) -> list[ProbeResult]:
        """Run ``probe_ids`` (the default selection when None) and their providers."""
        ids = self.default_selection() if probe_ids is None else list(probe_ids)
        for pid in ids:
            if pid not in self.registry.probes:
                raise ProbeSpecError(f"unknown probe {pid!r}")
        await asyncio.gather(*(self.ensure(pid) for pid in ids))
        return list(self.results)

    async def obtain(self, facts: Iterable[str]) -> list[Observation]:
        """Make sure the providers of ``facts`` have run; return the observations of those facts."""
        wanted = set(facts)
        providers = self.registry.providers()
        ids = sorted({providers[f] for f in wanted if f in providers})
        await asyncio.gather(*(self.ensure(pid) for pid in ids))
        return [obs for obs in self.observations if obs.fact in wanted]

    async def rerun(self, probe_ids: Iterable[str]) -> list[ProbeResult]:
        """Run ``probe_ids`` again, after their first runs (a remedy's verifier measures again once
        the user did the step), together with every probe they need, in dependency order: a summary
        measures again only when what it sums up is measured again. Return the new results; they are
        recorded beside the old ones, so :attr:`observations` then holds both, the latest last.

        Each run gets a fresh deadline of its own timeout: the run's budget bounds the automatic
        probes, and the user may have taken minutes over the step.
        """
        ids = sorted(set(probe_ids))
        for pid in ids:
            if pid not in self.registry.probes:
                raise ProbeSpecError(f"unknown probe {pid!r}")
        await asyncio.gather(*(self.ensure(pid) for pid in ids))
        again: set[str] = set()
        pending = list(ids)
        while pending:
            pid = pending.pop()
            if pid not in again:
                again.add(pid)
                pending.extend(self.dependencies(pid))
                pending.extend(self.dependencies(pid, followed=True))
        for pid in again:
            self._entered.pop(pid, None)
        before = len(self.results)
        # Every task is registered before any starts, so each waits for the new runs of its needs.
        tasks = {pid: asyncio.ensure_future(self._run_probe(pid, fresh=True)) for pid in sorted(again)}
        self._probe_done.update(tasks)
        await asyncio.gather(*(asyncio.shield(task) for task in tasks.values()))
        with self._lock:
            return list(self.results[before:])

    def has_run(self, probe_id: str) -> bool:
        """Whether ``probe_id`` finished (with any outcome)."""
        task = self._probe_done.get(probe_id)
        return task is not None and task.done()

    async def ensure(self, probe_id: str) -> None:
        """Run ``probe_id`` once (for each matching device, for device probes); later calls wait."""
        task = self._probe_done.get(probe_id)
        if task is None:
            task = asyncio.ensure_future(self._run_probe(probe_id))
            self._probe_done[probe_id] = task
        await asyncio.shield(task)

    async def _holds_place(self, probe_id: str) -> None:
        """Start ``probe_id`` (once) and wait until it holds its place among the concurrent probes, or
        ended: a follower takes its own place only then, so it never keeps its provider from running."""
        task = self._probe_done.get(probe_id)
        if task is None:
            task = self._probe_done[probe_id] = asyncio.ensure_future(self._run_probe(probe_id))
        await _first_of(task, self._entered.setdefault(probe_id, asyncio.Event()))

    async def abort(self) -> None:
        """Cancel every probe still running; they are recorded as ``cancelled``."""
        pending = [task for task in self._probe_done.values() if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=CANCEL_GRACE_S * 2)

    async def _run_probe(self, probe_id: str, *, fresh: bool = False) -> None:
        probe = self.registry.get(probe_id)
        with self._lock:  # this round's results supersede every earlier round's (the earlier is done)
            self._round_start[probe_id] = len(self.results)
            for name in probe.spec.fact_names:  # a new round gets new feeds of its facts
                old = self._feeds.get(name)
                if old is not None and old.closed:
                    del self._feeds[name]
        try:
            await self._run_rounds(probe, fresh=fresh)
        finally:  # whatever the outcome: the followers see the end (after the result is recorded)
            for name in probe.spec.fact_names:
                self.feed(name).close()

    async def _run_rounds(self, probe: type[Probe], *, fresh: bool) -> None:
        probe_id = probe.spec.id
        refusal = self.gate(probe)
        if refusal is not None:
            self._record(ProbeResult(probe=probe_id, outcome=refusal[0], reason=refusal[1], duration_s=0.0))
            return
        deps = self.dependencies(probe_id)
        if deps:
            await asyncio.gather(*(self.ensure(dep) for dep in deps))
        followed = self.dependencies(probe_id, followed=True)
        if followed:
            await asyncio.gather(*(self._holds_place(pid) for pid in followed))
        if not probe.spec.per_device:
            await self._run_once(probe, None, fresh=fresh)
            return
        targets = matching_devices(probe.spec.matchers, self.devices)
        if not targets:
            self._record(
                ProbeResult(
                    probe=probe_id,
                    outcome=Outcome.NOT_APPLICABLE,
                    reason=_("no matching device was found"),
                    duration_s=0.0,
                )
            )
            return
        await asyncio.gather(*(self._run_once(probe, device, fresh=fresh) for device in targets))

    async def _run_once(self, probe: type[Probe], target: Device | None, *, fresh: bool = False) -> None:
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.session.config.limits.max_concurrency)
        async with self._semaphore:
            self._entered.setdefault(probe.spec.id, asyncio.Event()).set()
            label = probe.spec.id if target is None else f"{probe.spec.id} @ {target.ip or target.id}"
            if self.progress is not None:
                self.progress.started(label)
            result = await self._execute(probe, target, fresh=fresh)
            self._record(result)

    def _record(self, result: ProbeResult) -> None:
        with self._lock:
            self.results.append(result)
            if result.devices:
                self._devices_cache = None
        if self.progress is not None:
            self.progress.finished(result)

    async def _execute(
        self, probe: type[Probe], target: Device | None, *, fresh: bool = False
    ) -> ProbeResult:
        spec = probe.spec
        deadline = time.monotonic() + spec.timeout_s
        if not fresh:
            deadline = min(deadline, self._run_deadline)
        try:
            ctx = self.contexts(
                spec,
                self.session,
                known=self.view(),
                args=self.session.config.probes.get(spec.id, {}),
                target=target,
                deadline=deadline,
                system=self.system,
                io=self.io,
            )
        except ProbeSpecError as exc:  # arguments the application layer did not check
            reason = _describe(exc)
            return ProbeResult(
                probe=spec.id,
                outcome=Outcome.ERROR,
                duration_s=0.0,
                reason=reason,
                target=None if target is None else target.id,
                started_at=utc_now(),
                error=ProbeError("ProbeSpecError", reason),
            )
        return await execute(probe, ctx, on_cancel=self._record)


async def execute(
    probe: type[Probe],
    ctx: ProbeContext,
    *,
    on_cancel: Callable[[ProbeResult], None] | None = None,
) -> ProbeResult:
    """Run one probe on its own thread and event loop within ``ctx.deadline``; never raises for a
    probe's failure. When the caller is cancelled, the partial result (``cancelled``) goes to
    ``on_cancel`` and the cancellation propagates."""
    spec = ctx.spec
    started_at = utc_now()
    started = time.monotonic()
    deadline = ctx.deadline
    target_id = ctx.target.id if ctx.target is not None else None

    def finish(outcome: Outcome, reason: str | None = None, error: ProbeError | None = None) -> ProbeResult:
        return ProbeResult(
            probe=spec.id,
            outcome=outcome,
            reason=reason,
            duration_s=round(time.monotonic() - started, 4),
            target=target_id,
            started_at=started_at,
            observations=tuple(list(ctx.observations)),
            devices=tuple(list(ctx.devices)),
            error=error,
            limits_hit=tuple(ctx.limits_hit),
            method=ctx.method,
        )

    try:
        instance = probe()
        reason = instance.applicable(ctx)
    except Exception as exc:  # noqa: BLE001 - a broken probe becomes an error result
        return finish(Outcome.ERROR, _describe(exc), ProbeError(type(exc).__name__, _describe(exc)))
    if reason:
        return finish(Outcome.NOT_APPLICABLE, reason)

    loop = asyncio.get_running_loop()
    done: asyncio.Future[BaseException | None] = loop.create_future()
    inner: dict[str, object] = {}
    ready = threading.Event()

    def deliver(outcome: BaseException | None) -> None:
        if not done.done():
            done.set_result(outcome)

    def thread_main() -> None:
        probe_loop = asyncio.new_event_loop()
        probe_loop.set_default_executor(DaemonExecutor())
        outcome: BaseException | None = None
        try:
            task = probe_loop.create_task(instance.run(ctx))
            inner["loop"], inner["task"] = probe_loop, task
            ready.set()
            try:
                probe_loop.run_until_complete(task)
            except BaseException as exc:  # noqa: BLE001 - handed to the main loop
                outcome = exc
            _cancel_leftovers(probe_loop)
        finally:
            ready.set()
            probe_loop.close()
            with contextlib.suppress(RuntimeError):  # the main loop may be gone at exit
                loop.call_soon_threadsafe(deliver, outcome)

    threading.Thread(target=thread_main, name=f"probe {spec.id}", daemon=True).start()

    def cancel_inner() -> None:
        ready.wait(1.0)
        probe_loop = inner.get("loop")
        task = inner.get("task")
        if isinstance(probe_loop, asyncio.AbstractEventLoop) and isinstance(task, asyncio.Task):
            with contextlib.suppress(RuntimeError):
                probe_loop.call_soon_threadsafe(task.cancel)

    try:
        outcome = await asyncio.wait_for(asyncio.shield(done), timeout=max(0.0, deadline - time.monotonic()))
    except TimeoutError:
        cancel_inner()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(done), timeout=CANCEL_GRACE_S)
        return finish(
            Outcome.TIMEOUT,
            _("did not finish within {seconds:g} s").format(seconds=round(deadline - started, 1)),
        )
    except asyncio.CancelledError:
        cancel_inner()
        if on_cancel is not None:
            on_cancel(finish(Outcome.CANCELLED, _("the run was interrupted")))
        raise
    return _classify(outcome, finish)


async def _first_of(task: asyncio.Task[None], event: asyncio.Event) -> None:
    """Wait until ``task`` ends or ``event`` is set (neither is cancelled)."""
    waiter = asyncio.ensure_future(event.wait())
    try:
        await asyncio.wait({waiter, task}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()


class DaemonExecutor(concurrent.futures.ThreadPoolExecutor):
    """The default executor of a probe's event loop: each call on its own daemon thread.

    A blocking call a probe hands to a thread (``getaddrinfo`` waiting for a silent resolver, a
    scapy exchange) can outlive the probe's deadline. The standard pool's threads are joined when the
    interpreter exits, so one stuck name lookup would hold the finished run for the resolver's whole
    timeout; daemon threads are abandoned instead. (A subclass of the pool only because asyncio
    accepts nothing else as a default executor; the pool's own threads are never started.)
    """

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[T]:
        """Run ``fn(*args, **kwargs)`` on a new daemon thread."""
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def work() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                future.set_exception(exc)
            else:
                future.set_result(result)

        threading.Thread(target=work, name="probe helper", daemon=True).start()
        return future


def _cancel_leftovers(loop: asyncio.AbstractEventLoop) -> None:
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        with contextlib.suppress(BaseException):
            loop.run_until_complete(asyncio.wait(pending, timeout=CANCEL_GRACE_S))
    with contextlib.suppress(BaseException):
        loop.run_until_complete(loop.shutdown_asyncgens())


def _describe(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


class _Finish(Protocol):
    def __call__(
        self, outcome: Outcome, reason: str | None = None, error: ProbeError | None = None
    ) -> ProbeResult: ...


def _classify(outcome: BaseException | None, finish: _Finish) -> ProbeResult:
    if outcome is None:
        return finish(Outcome.OK)
    if isinstance(outcome, NotApplicable):
        return finish(Outcome.NOT_APPLICABLE, _describe(outcome))
    if isinstance(outcome, NotPermitted):
        return finish(Outcome.NOT_PERMITTED, _describe(outcome))
    if isinstance(outcome, TimeoutError):
        return finish(Outcome.TIMEOUT, _describe(outcome))
    if isinstance(outcome, asyncio.CancelledError):
        return finish(Outcome.TIMEOUT, _("cancelled at its deadline"))
    if isinstance(outcome, ProbeFailure):
        return finish(Outcome.ERROR, _describe(outcome), ProbeError("ProbeFailure", _describe(outcome)))
    return finish(Outcome.ERROR, _describe(outcome), ProbeError(type(outcome).__name__, _describe(outcome)))


def summarise(results: Sequence[ProbeResult]) -> dict[str, int]:
    """Count results by outcome."""
    counts: dict[str, int] = {}
    for result in results:
        counts[result.outcome.value] = counts.get(result.outcome.value, 0) + 1
    return counts
