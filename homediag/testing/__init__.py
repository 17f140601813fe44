"""Helpers for people who write probes and playbooks: run a probe against recordings.

```python
from homediag.testing import RecordedSystem, run_probe

async def test_gateway_probe_reports_loss():
    result = await run_probe(
        GatewayProbe,
        facts={"gateway.ipv4": "192.0.2.1"},
        commands={("ping", "-n", "-c", "30"): PING_OUTPUT},   # matched by argv prefix
        privileged=False,
    )
    assert result.value("gateway.loss_pct") == 10.0
```

:class:`RecordedSystem` replays interfaces, gateways and files; ``commands`` replays command output by
argv prefix; ``http`` replays HTTP answers by URL; ``recording`` replays a recording file
(:mod:`homediag.testing.recording`: its facts, HTTP exchanges and commands). A probe that reaches for
anything not recorded gets a clear failure, so a test never silently touches the real network.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from homediag.core.baseline import Baseline
from homediag.core.config import Config
from homediag.core.http import HttpError, HttpResponse
from homediag.core.model import Device, JSONValue, Observation, ProbeResult
from homediag.core.probe import CommandResult, FactView, Probe, ProbeContext
from homediag.core.registry import Registry
from homediag.core.runner import execute
from homediag.core.session import Session
from homediag.core.spec import Platform, Risk
from homediag.core.system import SystemView
from homediag.testing.recording import HttpExchange, Recording

_FAMILIES = {"inet": 2, "inet6": 10, "link": 17}


@dataclass
class RecordedSystem(SystemView):
    """Local state from a recording instead of this computer.

    ``addresses`` maps an interface to ``{"inet": [...], "inet6": [...], "link": [...]}`` in netifaces'
    entry shape; ``default_gateways`` maps ``"inet"``/``"inet6"`` to ``(address, interface)``.
    """

    addresses: Mapping[str, Mapping[str, list[dict[str, str]]]] = field(default_factory=dict)
    default_gateways: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    files: Mapping[str, str] = field(default_factory=dict)
    links: Mapping[str, str] = field(default_factory=dict)

    def interfaces(self) -> list[str]:
        """The recorded interface names."""
        return list(self.addresses)

    def ifaddresses(self, name: str) -> dict[int, list[dict[str, str]]]:
        """The recorded addresses of ``name``."""
        recorded = self.addresses.get(name, {})
        return {_FAMILIES[family]: list(entries) for family, entries in recorded.items()}

    def gateways(self) -> dict[Any, Any]:
        """The recorded default gateways."""
        return {"default": {_FAMILIES[f]: gw for f, gw in self.default_gateways.items()}}

    def family(self, name: str) -> int:
        """Linux numbering of address families."""
        return _FAMILIES[name]

    def read_text(self, path: str, max_bytes: int = 256 * 1024) -> str | None:
        """A recorded file, or None."""
        text = self.files.get(path)
        return None if text is None else text[:max_bytes]

    def read_link(self, path: str) -> str | None:
        """A recorded symbolic link's target, or None."""
        return self.links.get(path)

    def exists(self, path: str) -> bool:
        """Whether a recorded file (or a directory holding one) exists."""
        return path in self.files or any(f.startswith(path.rstrip("/") + "/") for f in self.files)


class UnrecordedIO(AssertionError):
    """A probe under test reached for I/O that the test did not record."""


class RecordedContext(ProbeContext):
    """A probe context that replays commands and HTTP answers."""

    def __init__(
        self,
        *args: Any,
        commands: Mapping[tuple[str, ...], str | CommandResult] | None = None,
        http: Mapping[str, HttpResponse | Exception] | None = None,
        binaries: Sequence[str] | None = None,
        exchanges: Sequence[HttpExchange] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.commands = dict(commands or {})
        self.http_answers = dict(http or {})
        self.exchanges = list(exchanges)
        self.exchanges_used: list[HttpExchange] = []
        self.binaries = set(binaries) if binaries is not None else None
        self.commands_run: list[tuple[str, ...]] = []

    def which(self, binary: str) -> str | None:
        """Recorded binaries exist (all recorded commands' first words when not given)."""
        known = self.binaries if self.binaries is not None else {argv[0] for argv in self.commands}
        return f"/usr/bin/{binary}" if binary in known else None

    async def run_command(self, argv: Sequence[str], **_: Any) -> CommandResult:
        """The recorded output whose argv is the longest prefix of ``argv``."""
        key = tuple(argv)
        self.commands_run.append(key)
        matches = [k for k in self.commands if key[: len(k)] == k]
        if not matches:
            raise UnrecordedIO(f"command not recorded: {' '.join(argv)}")
        recorded = self.commands[max(matches, key=len)]
        if isinstance(recorded, CommandResult):
            return recorded
        return CommandResult(argv=key, returncode=0, stdout=recorded, stderr="")

    async def http(
        self, url: str, *, method: str = "GET", headers: dict[str, str] | None = None, **_: Any
    ) -> HttpResponse:
        """The recorded answer for ``url`` (an exception is raised as recorded): the first recorded
        exchange that matches and was not used yet (the last matching one once all were), else the
        ``http`` mapping by URL."""
        matching = [x for x in self.exchanges if x.matches(method, url, headers)]
        if matching:
            fresh = [x for x in matching if x not in self.exchanges_used]
            exchange = fresh[0] if fresh else matching[-1]
            self.exchanges_used.append(exchange)
            return exchange.response()
        if url not in self.http_answers:
            sent = ", ".join(f"{k}: {v}" for k, v in (headers or {}).items() if k.lower() == "soapaction")
            raise UnrecordedIO(f"HTTP not recorded: {method} {url} {sent}".rstrip())
        answer = self.http_answers[url]
        if isinstance(answer, Exception):
            raise answer
        return answer


def http_response(url: str, status: int = 200, body: bytes | str = b"", **headers: str) -> HttpResponse:
    """A recorded HTTP answer."""
    data = body.encode() if isinstance(body, str) else body
    return HttpResponse(
        url=url, status=status, headers=dict(headers), body=data, truncated=False, elapsed_ms=1.0
    )


__all__ = [
    "HttpError",
    "ProbeOutcome",
    "RecordedComputer",
    "RecordedContext",
    "RecordedSystem",
    "Recording",
    "http_response",
    "run_probe",
]


@dataclass(frozen=True)
class ProbeOutcome:
    """A probe's result with helpers to read its observations."""

    result: ProbeResult
    commands_run: tuple[tuple[str, ...], ...] = ()

    def value(self, fact: str, subject: str | None = "local") -> JSONValue:
        """The observed value of ``fact`` (about ``subject``; any subject when None)."""
        for obs in self.result.observations:
            if obs.fact == fact and (subject is None or obs.subject == subject):
                return obs.value
        raise KeyError(f"{fact} was not observed (about {subject})")

    def observations(self, fact: str) -> list[Observation]:
        """Every observation of ``fact``."""
        return [obs for obs in self.result.observations if obs.fact == fact]


async def run_probe(
    probe: type[Probe],
    *,
    facts: Mapping[str, JSONValue] | Sequence[Observation] = (),
    devices: Sequence[Device] = (),
    target: Device | None = None,
    args: Mapping[str, object] | None = None,
    system: SystemView | None = None,
    commands: Mapping[tuple[str, ...], str | CommandResult] | None = None,
    http: Mapping[str, HttpResponse | Exception] | None = None,
    binaries: Sequence[str] | None = None,
    config: Config | None = None,
    privileged: bool = False,
    platform: Platform = Platform.LINUX,
    interface: str | None = None,
    timeout_s: float | None = None,
    baseline: Baseline | None = None,
    recording: Recording | None = None,
) -> ProbeOutcome:
    """Run ``probe`` once, as the runner would (own thread, deadline, outcome), on recordings.

    With ``recording``, its facts come before ``facts`` (a mapping) and its commands and HTTP exchanges
    answer the probe, besides ``commands`` and ``http``.
    """
    if recording is not None:
        if recording.probe != probe.spec.id:
            raise ValueError(f"a recording of {recording.probe} given to {probe.spec.id}")
        if not isinstance(facts, Mapping):
            raise TypeError("with a recording, give facts as a mapping")
        facts = {**recording.facts, **facts}
        commands = {**{c.argv: c for c in recording.commands}, **(commands or {})}
    if isinstance(facts, Mapping):
        known = [Observation(fact=name, value=value, source="test") for name, value in facts.items()]
    else:
        known = list(facts)
    session = Session(
        config=config or Config(),
        privileged=privileged,
        platform=platform,
        interface=interface,
        max_risk=Risk.INTRUSIVE,
        baseline=baseline,
    )
    ctx = RecordedContext(
        probe.spec,
        session,
        known=FactView(lambda: known, lambda: list(devices)),
        args=args,
        target=target,
        deadline=time.monotonic() + (timeout_s if timeout_s is not None else probe.spec.timeout_s),
        system=system or RecordedSystem(),
        commands=commands,
        http=http,
        binaries=binaries,
        exchanges=recording.http if recording is not None else (),
    )
    result = await execute(probe, ctx)
    return ProbeOutcome(result=result, commands_run=tuple(ctx.commands_run))


Replay = Callable[[ProbeContext], None]
"""Records what a network probe would have observed, reading the facts it needs from the context."""


@dataclass(frozen=True)
class RecordedComputer:
    """A whole computer from recordings, for end-to-end runs (``homediag.app.diagnose.DiagnosisRun``
    with :meth:`registry`, :meth:`contexts` and :meth:`session`).

    The probes named in ``runs`` run for real against the recordings (``system``, ``commands``,
    ``http``): they only read local state and command output through their context. Probes that talk
    to the network with their own sockets (pings, DNS queries, discovery) never run: each one in
    ``measured`` is replaced by its replay (observations, or a function of the facts it needs, so that
    a DNS measurement depends on which resolvers the computer's own probes found); every other probe
    ends as ``not_applicable`` ("not recorded"). No packet leaves.
    """

    platform: Platform
    runs: frozenset[str]
    system: RecordedSystem = field(default_factory=RecordedSystem)
    commands: Mapping[tuple[str, ...], str | CommandResult] = field(default_factory=dict)
    http: Mapping[str, HttpResponse | Exception] = field(default_factory=dict)
    measured: Mapping[str, Sequence[Observation] | Replay] = field(default_factory=dict)
    devices: Mapping[str, Sequence[Device]] = field(default_factory=dict)
    """Devices a replayed probe reports (by probe id)."""
    privileged: bool = False

    def registry(self, base: Registry) -> Registry:
        """``base`` with every probe not in ``runs`` replaced by its replay or by "not recorded"."""
        registry = Registry()
        for probe_id, probe in base.probes.items():
            if probe_id in self.runs:
                registry.register(probe)
            else:
                registry.register(
                    _replayed(probe, self.measured.get(probe_id), tuple(self.devices.get(probe_id, ())))
                )
        return registry

    def contexts(self) -> Callable[..., ProbeContext]:
        """Makes the contexts of a run: commands and HTTP answered from the recordings."""
        commands, http = dict(self.commands), dict(self.http)

        def make(*args: Any, **kwargs: Any) -> ProbeContext:
            return RecordedContext(*args, commands=commands, http=http, **kwargs)

        return make

    def session(self, **options: Any) -> Session:
        """A session of this computer: its platform forced, its privilege, ``options`` on top."""
        values: dict[str, Any] = {"platform": self.platform, "privileged": self.privileged, **options}
        return Session(**values)


def _replayed(
    probe: type[Probe], measured: Sequence[Observation] | Replay | None, devices: tuple[Device, ...]
) -> type[Probe]:
    """A probe with ``probe``'s spec that replays what was recorded instead of running."""

    class Replayed(Probe):
        spec = probe.spec

        def applicable(self, ctx: ProbeContext) -> str | None:
            return None if measured is not None or devices else "not recorded"

        async def run(self, ctx: ProbeContext) -> None:
            ctx.using("recorded")
            if callable(measured):
                measured(ctx)
            else:
                for obs in measured or ():
                    ctx.observe(obs.fact, obs.value, subject=obs.subject, evidence=obs.evidence)
            for device in devices:
                ctx.add_device(device)

    Replayed.__name__ = Replayed.__qualname__ = f"Replayed{probe.__name__}"
    Replayed.__doc__ = probe.__doc__
    return Replayed
