"""The probe contract: a small class with a frozen spec, and the context the runner hands in.

A probe observes; it never judges, prints or exits. All of its I/O goes through its :class:`ProbeContext`
(commands, HTTP, killable parsing, threads, the clock, the deadline), so a test can hand in a context
that replays recordings (``homediag.testing``). A probe reports what it saw with ``ctx.observe`` and
``ctx.add_device``; to stop early it raises ``NotApplicable``, ``NotPermitted`` or ``ProbeFailure``.

```python
class GatewayArgs(ProbeArgs):
    count: int = Field(30, description="Echo requests to send")


class GatewayProbe(Probe):
    spec = ProbeSpec(id="net.gateway", summary="...", risk=Risk.SAFE, timeout_s=8,
                     needs=("gateway.ipv4",), args=GatewayArgs,
                     provides=(Fact("gateway.rtt_ms", float, "Mean round trip to the gateway", unit="ms"),))

    async def run(self, ctx: ProbeContext) -> None:
        gateway = ctx.fact("gateway.ipv4")
        count = ctx.args_as(GatewayArgs).count
        ...
        ctx.observe("gateway.rtt_ms", 1.8)
```
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from random import Random
from typing import Any, ClassVar, TypeVar

from pydantic import ValidationError

from homediag.core.config import Config
from homediag.core.errors import ProbeSpecError
from homediag.core.facts import typed
from homediag.core.feeds import FactFeed
from homediag.core.http import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_S, HttpResponse, fetch
from homediag.core.io import (
    DnsClient,
    IcmpClient,
    L2Link,
    MdnsBrowser,
    ProbeIO,
    SpeedtestRunner,
    TcpClient,
    UdpOpener,
    offline_io,
)
from homediag.core.model import Device, JSONValue, Observation, to_jsonable, utc_now
from homediag.core.session import Session
from homediag.core.spec import ProbeArgs, ProbeSpec
from homediag.core.system import SystemView
from homediag.core.worker import run_killable

T = TypeVar("T")
A = TypeVar("A", bound=ProbeArgs)

MAX_COMMAND_OUTPUT = 1024 * 1024
MAX_OBSERVATIONS = 10_000
MAX_DEVICES = 4096


@dataclass(frozen=True)
class CommandResult:
    """What a command printed, within the caps."""

    argv: tuple[str, ...]
    returncode: int | None
    """None when it was killed at its timeout."""
    stdout: str
    stderr: str
    truncated: bool = False
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        """Exited with 0 within its time."""
        return self.returncode == 0 and not self.timed_out


class FactView:
    """Read-only access to what earlier probes observed."""

    def __init__(
        self,
        observations: Callable[[], Sequence[Observation]],
        devices: Callable[[], Sequence[Device]],
        feeds: Callable[[str], FactFeed] | None = None,
    ) -> None:
        self._observations = observations
        self._devices = devices
        self._feeds = feeds
        self._own: dict[str, FactFeed] = {}

    def feed(self, name: str) -> FactFeed:
        """The feed of fact ``name`` in this run (a closed, empty one outside a runner: nothing runs
        beside the probe there, so its facts are known already or never will be)."""
        if self._feeds is not None:
            return self._feeds(name)
        if name not in self._own:
            self._own[name] = FactFeed(name)
            self._own[name].close()
        return self._own[name]

    def all(self, name: str) -> list[Observation]:
        """Every observation of fact ``name``."""
        return [obs for obs in self._observations() if obs.fact == name]

    def value(self, name: str, subject: str | None = "local") -> JSONValue:
        """The value of ``name`` about ``subject`` (any subject when None), or None."""
        for obs in self._observations():
            if obs.fact == name and (subject is None or obs.subject == subject):
                return obs.value
        return None

    def devices(self) -> list[Device]:
        """Devices discovered so far, merged."""
        return list(self._devices())


def probe_args(spec: ProbeSpec, given: ProbeArgs | Mapping[str, object] | None) -> ProbeArgs:
    """The arguments of a run of ``spec``: its model checked, or built from ``given`` values over the
    defaults; ``ProbeSpecError`` naming the probe and the key when a value does not fit (the application
    layer checks the configuration's values before any probe runs, so a run never meets one)."""
    if isinstance(given, spec.args):
        return given
    if isinstance(given, ProbeArgs):
        raise ProbeSpecError(
            f"{spec.id}: arguments of {type(given).__name__} given, {spec.args.__name__} expected"
        )
    try:
        return spec.args.model_validate(dict(given or {}))
    except ValidationError as exc:
        raise ProbeSpecError(f"{spec.id}: {argument_problem(exc)}") from None


def argument_problem(exc: ValidationError) -> str:
    """One line for the first problem of a probe's arguments: ``cuont: not an argument (...)``."""
    first = exc.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "arguments"
    if first["type"] == "extra_forbidden":
        return f"{key}: not an argument of this probe"
    return f"{key}: {first['msg']}"


class ProbeContext:
    """Everything a probe may use, and where it records what it saw.

    The runner makes one per probe run, with the live network I/O of ``homediag.net.live`` as ``io``;
    without ``io`` every network factory refuses with :class:`~homediag.core.io.NoNetwork`. Tests use
    :class:`homediag.testing.RecordedContext`, which replays recorded commands, HTTP answers and network
    I/O (or fakes of it); ``seed`` fixes :meth:`random` (a recording keeps it).
    """

    def __init__(
        self,
        spec: ProbeSpec,
        session: Session,
        *,
        known: FactView | None = None,
        args: ProbeArgs | Mapping[str, object] | None = None,
        target: Device | None = None,
        deadline: float | None = None,
        system: SystemView | None = None,
        io: ProbeIO | None = None,
        seed: int | None = None,
    ) -> None:
        self.spec = spec
        self.io = io or offline_io()
        self.seed = seed if seed is not None else secrets.randbits(64)
        self._random = Random(self.seed)  # noqa: S311 - transaction ids, not secrets
        self.system = system or SystemView()
        self.session = session
        self.known = known or FactView(lambda: (), lambda: ())
        self.args: ProbeArgs = probe_args(spec, args)
        self.target = target
        self.deadline = deadline if deadline is not None else time.monotonic() + spec.timeout_s
        self.observations: list[Observation] = []
        self.devices: list[Device] = []
        self.limits_hit: list[str] = []
        self.method: str | None = None
        self.notes: list[str] = []

    # --- what the probe knows ------------------------------------------------------------------
    @property
    def config(self) -> Config:
        """The run's configuration."""
        return self.session.config

    def fact(self, name: str, subject: str | None = "local") -> JSONValue:
        """The value an earlier probe observed for ``name`` (declared in ``needs``), or None."""
        self._check_reads(name)
        return self.known.value(name, subject)

    def fact_as(self, name: str, tp: type[T], subject: str | None = "local") -> T | None:
        """The value of ``name`` (declared in ``needs``) as type ``tp`` (its provider's declared type, or a
        record shape from ``homediag.core.records``), checked; None when it was not observed or is null.

        ``ProbeSpecError`` when the value does not fit ``tp``: the reader and the provider disagree.
        """
        self._check_reads(name)
        return self._typed(name, tp, self.known.value(name, subject))

    def observed_as(self, name: str, tp: type[T]) -> list[tuple[str, T]]:
        """Every non-null value of ``name`` (declared in ``needs``) with its subject, checked as ``tp``."""
        self._check_reads(name)
        found: list[tuple[str, T]] = []
        for obs in self.known.all(name):
            value = self._typed(name, tp, obs.value)
            if value is not None:
                found.append((obs.subject, value))
        return found

    def follow(self, name: str) -> AsyncIterator[object]:
        """The items of fact ``name`` (declared in ``follows``) that its provider publishes while it runs,
        each as it comes; the iteration ends when the provider's run ended, and then its facts and devices
        are known (:meth:`fact`, ``known.devices()``). Items are what the provider documents."""
        if name not in self.spec.follows:
            raise ProbeSpecError(f"{self.spec.id} follows fact {name!r} without declaring it in follows")
        return self.known.feed(name).follow()

    def publish(self, name: str, item: object) -> None:
        """Hand ``item`` of fact ``name`` (one this probe provides) to the probes that follow it now,
        before the run ends; safe from any thread. The fact itself is still observed as usual."""
        if self.spec.fact(name) is None:
            raise ProbeSpecError(f"{self.spec.id} publishes fact {name!r} it does not provide")
        self.known.feed(name).publish(item)

    def _check_reads(self, name: str) -> None:
        if name not in self.spec.needs and name not in self.spec.follows and self.spec.fact(name) is None:
            raise ProbeSpecError(f"{self.spec.id} reads fact {name!r} without declaring it in needs")

    def _typed(self, name: str, tp: type[T], value: object) -> T | None:
        try:
            return typed(tp, value)
        except TypeError as exc:
            raise ProbeSpecError(f"{self.spec.id} reads {name} as a type it does not have: {exc}") from None

    def arg(self, name: str) -> Any:
        """An argument's value (config over default); prefer the typed :meth:`args_as`."""
        return getattr(self.args, name)

    def args_as(self, model: type[A]) -> A:
        """This run's arguments as ``model``, the probe's :class:`ProbeArgs` (typed values)."""
        if not isinstance(self.args, model):
            raise ProbeSpecError(
                f"{self.spec.id}: its arguments are {type(self.args).__name__}, not {model.__name__}"
            )
        return self.args

    def remaining(self) -> float:
        """Seconds left before this probe's deadline (never negative)."""
        return max(0.0, self.deadline - time.monotonic())

    def monotonic(self) -> float:
        """A monotonic clock in seconds."""
        return time.monotonic()

    # --- what the probe saw --------------------------------------------------------------------
    def observe(
        self,
        fact: str,
        value: object,
        *,
        subject: str = "local",
        evidence: str | None = None,
    ) -> None:
        """Record one observation of a fact this probe declares in ``provides``; its value must fit the
        declared type (None always does: "measured, no value")."""
        spec = self.spec.fact(fact)
        if spec is None:
            raise ProbeSpecError(f"{self.spec.id} observed {fact!r}, which it does not provide")
        clean = to_jsonable(value)
        problem = spec.problem(clean)
        if problem is not None:
            raise ProbeSpecError(
                f"{self.spec.id}: {fact} must be {spec.describe_type()[:120]}: {problem}, got {clean!r:.80}"
            )
        if len(self.observations) >= MAX_OBSERVATIONS:
            self.limit("observations")
            return
        self.observations.append(
            Observation(
                fact=fact,
                value=clean,
                source=self.spec.id,
                subject=subject,
                unit=spec.unit,
                sensitive=spec.sensitive,
                time=utc_now(),
                evidence=evidence,
                privacy=spec.privacy.value,
            )
        )

    def add_device(self, device: Device) -> None:
        """Record a device this probe saw (the runner merges sightings from every source)."""
        if len(self.devices) >= MAX_DEVICES:
            self.limit("devices")
            return
        self.devices.append(device)

    def limit(self, what: str) -> None:
        """Note that a cap was hit (bytes, count, time): the result is partial there."""
        if what not in self.limits_hit:
            self.limits_hit.append(what)

    def using(self, method: str) -> None:
        """Say how this run measured (``raw ICMP``, ``system ping``...)."""
        self.method = method

    # --- I/O -------------------------------------------------------------------------------------
    def l2(self) -> L2Link:
        """Raw Ethernet frames (ARP, DHCP): see :class:`homediag.core.io.L2Link`."""
        return self.io.l2

    def udp(self) -> UdpOpener:
        """Datagram sockets (SSDP, DNS-SD, NetBIOS, STUN)."""
        return self.io.udp

    def dns(self) -> DnsClient:
        """DNS queries to a given server, and the system resolver."""
        return self.io.dns

    def mdns(self) -> MdnsBrowser:
        """The multicast DNS-SD browse."""
        return self.io.mdns

    def tcp(self) -> TcpClient:
        """TCP connects, short streams, one TLS request."""
        return self.io.tcp

    def icmp(self) -> IcmpClient:
        """Raw ICMP: echo, TTL-limited hops, "don't fragment" echoes."""
        return self.io.icmp

    def speedtest(self) -> SpeedtestRunner:
        """The speed test."""
        return self.io.speedtest

    def random(self) -> Random:
        """This run's random source (transaction ids, random labels), seeded from :attr:`seed`: the
        same seed draws the same values, so a recorded run replays."""
        return self._random

    def which(self, binary: str) -> str | None:
        """Path of ``binary`` on PATH, or None."""
        return shutil.which(binary)

    async def run_command(
        self,
        argv: Sequence[str],
        *,
        timeout_s: float | None = None,
        max_bytes: int = MAX_COMMAND_OUTPUT,
        env: Mapping[str, str] | None = None,
    ) -> CommandResult:
        """Run a command (never through a shell) within the deadline; output capped and decoded."""
        timeout = min(timeout_s, self.remaining()) if timeout_s is not None else self.remaining()
        merged_env = {**os.environ, "LC_ALL": "C", "LANG": "C", **(env or {})}
        try:
            process = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=merged_env,
            )
        except (FileNotFoundError, PermissionError) as exc:
            return CommandResult(tuple(argv), 127, "", str(exc))
        assert process.stdout is not None and process.stderr is not None
        out_task = asyncio.ensure_future(_read_capped(process.stdout, max_bytes))
        err_task = asyncio.ensure_future(_read_capped(process.stderr, 64 * 1024))
        timed_out = False
        try:
            async with asyncio.timeout(timeout):
                await process.wait()
        except TimeoutError:
            timed_out = True
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        stdout, out_cut = await out_task
        stderr, _err_cut = await err_task
        if out_cut:
            self.limit("command output")
        return CommandResult(
            argv=tuple(argv),
            returncode=None if timed_out else process.returncode,
            stdout=stdout.decode("utf-8", "replace"),
            stderr=stderr.decode("utf-8", "replace"),
            truncated=out_cut,
            timed_out=timed_out,
        )

    async def http(
        self,
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
        """An HTTP request with a total deadline (capped by the probe's) and a byte cap."""
        response = await fetch(
            url,
            method=method,
            timeout_s=min(timeout_s, self.remaining()),
            max_bytes=max_bytes,
            headers=headers,
            content=content,
            follow_redirects=follow_redirects,
            verify_tls=verify_tls,
        )
        if response.truncated:
            self.limit("http body")
        return response

    async def to_thread(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a blocking library call in a worker thread."""
        return await asyncio.to_thread(fn, *args)

    async def parse_untrusted(self, fn: Callable[..., T], *args: Any, timeout_s: float = 2.0) -> T:
        """Run a parser of device data in a killable process (``TimeoutError`` past its deadline)."""
        return await run_killable(fn, *args, timeout_s=min(timeout_s, self.remaining()))


async def _read_capped(stream: asyncio.StreamReader, max_bytes: int) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    truncated = False
    while True:
        chunk = await stream.read(65536)
        if not chunk:
            break
        if size < max_bytes:
            keep = chunk[: max_bytes - size]
            chunks.append(keep)
            size += len(keep)
            truncated = truncated or len(keep) < len(chunk)
        else:
            truncated = True  # keep draining so the child never blocks on a full pipe
    return b"".join(chunks), truncated


class Probe(ABC):
    """Base class of every probe. Subclasses set ``spec`` and implement ``run``."""

    spec: ClassVar[ProbeSpec]

    def applicable(self, ctx: ProbeContext) -> str | None:
        """Return a reason when this probe cannot apply here (no Wi-Fi, no gateway), else None.

        Called just before ``run``; cheap, and may read facts the probe declared in ``needs``.
        """
        del ctx
        return None

    @abstractmethod
    async def run(self, ctx: ProbeContext) -> None:
        """Observe, recording facts with ``ctx.observe``."""


def provided_by(probes: Iterable[type[Probe]]) -> dict[str, str]:
    """Map each fact to the probe id that provides it."""
    return {fact: probe.spec.id for probe in probes for fact in probe.spec.fact_names}
