"""The runner keeps every result when probes raise, hang, spin or do not apply."""

from __future__ import annotations

import asyncio
import time

import pytest

from homediag.core.config import Config
from homediag.core.errors import NotApplicable, ProbeFailure, ProbeSpecError
from homediag.core.facts import Fact
from homediag.core.model import Outcome, ProbeResult
from homediag.core.probe import Probe, ProbeContext
from homediag.core.registry import Registry
from homediag.core.runner import Runner
from homediag.core.session import Session
from homediag.core.spec import Platform, ProbeSpec, Risk


def _fact(name: str) -> Fact:
    return Fact(name, int, f"test fact {name}")


def make_probe(
    probe_id: str,
    behaviour: str,
    *,
    risk: Risk = Risk.SAFE,
    needs: tuple[str, ...] = (),
    timeout_s: float = 1.0,
    platforms: tuple[Platform, ...] | None = None,
) -> type[Probe]:
    fact_name = f"test.{probe_id.split('.')[-1]}"

    class TestProbe(Probe):
        spec = ProbeSpec(
            id=probe_id,
            summary=f"test probe {behaviour}",
            risk=risk,
            timeout_s=timeout_s,
            provides=(_fact(fact_name),),
            needs=needs,
            **({"platforms": platforms} if platforms else {}),
        )

        def applicable(self, ctx: ProbeContext) -> str | None:
            return "nothing to look at here" if behaviour == "not_applicable" else None

        async def run(self, ctx: ProbeContext) -> None:
            if behaviour == "ok":
                ctx.observe(fact_name, 42)
            elif behaviour == "raises":
                ctx.observe(fact_name, 1)
                raise ValueError("boom: the parser choked")
            elif behaviour == "failure":
                raise ProbeFailure("the gateway refused")
            elif behaviour == "hangs":
                ctx.observe(fact_name, 7)
                await asyncio.sleep(3600)
            elif behaviour == "spins":
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:  # a CPU loop that never awaits
                    pass
            elif behaviour == "declines":
                raise NotApplicable("no Wi-Fi here")
            elif behaviour == "reads":
                value = ctx.fact(needs[0])
                ctx.observe(fact_name, int(value or 0) + 1)

    TestProbe.__name__ = f"Probe_{probe_id.replace('.', '_')}"
    return TestProbe


def run(probes: list[type[Probe]], **session_options: object) -> Runner:
    registry = Registry()
    for probe in probes:
        registry.register(probe)
    session = Session(config=Config(), platform=Platform.LINUX, **session_options)  # type: ignore[arg-type]
    runner = Runner(registry, session)
    asyncio.run(runner.run())
    return runner


def by_probe(runner: Runner) -> dict[str, object]:
    return {r.probe: r for r in runner.results}


def comparable(runner: Runner, probe_id: str) -> tuple[object, ...]:
    result = by_probe(runner)[probe_id]
    return (result.outcome, tuple((o.fact, o.value, o.subject) for o in result.observations))  # type: ignore[attr-defined]


def test_bad_probes_never_lose_the_good_results() -> None:
    good = [make_probe("t.alpha", "ok"), make_probe("t.beta", "ok")]
    bad = [
        make_probe("t.raiser", "raises"),
        make_probe("t.spinner", "spins", timeout_s=0.5),
        make_probe("t.hanger", "hangs", timeout_s=0.5),
        make_probe("t.inapplicable", "not_applicable"),
        make_probe("t.decliner", "declines"),
        make_probe("t.failer", "failure"),
    ]
    clean = run(good)
    started = time.monotonic()
    mixed = run(good + bad)
    elapsed = time.monotonic() - started
    for probe_id in ("t.alpha", "t.beta"):
        assert comparable(mixed, probe_id) == comparable(clean, probe_id)
    results = by_probe(mixed)
    assert results["t.raiser"].outcome is Outcome.ERROR  # type: ignore[attr-defined]
    assert results["t.raiser"].error.type == "ValueError"  # type: ignore[attr-defined]
    assert "boom" in results["t.raiser"].reason  # type: ignore[attr-defined]
    assert results["t.spinner"].outcome is Outcome.TIMEOUT  # type: ignore[attr-defined]
    assert results["t.hanger"].outcome is Outcome.TIMEOUT  # type: ignore[attr-defined]
    assert [o.value for o in results["t.hanger"].observations] == [7]  # type: ignore[attr-defined]
    assert results["t.inapplicable"].outcome is Outcome.NOT_APPLICABLE  # type: ignore[attr-defined]
    assert results["t.inapplicable"].reason == "nothing to look at here"  # type: ignore[attr-defined]
    assert results["t.decliner"].outcome is Outcome.NOT_APPLICABLE  # type: ignore[attr-defined]
    assert results["t.failer"].outcome is Outcome.ERROR  # type: ignore[attr-defined]
    # the spinning probe is abandoned at its deadline: the run does not wait for its 30 s loop
    assert elapsed < 10


def test_a_probe_runs_after_the_provider_of_what_it_needs() -> None:
    provider = make_probe("t.first", "ok")
    consumer = make_probe("t.second", "reads", needs=("test.first",))
    runner = run([consumer, provider])
    results = by_probe(runner)
    assert [o.value for o in results["t.second"].observations] == [43]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("risk", "cap", "allowed", "expected"),
    [
        (Risk.ACTIVE, Risk.ACTIVE, frozenset(), Outcome.OK),
        (Risk.ACTIVE, Risk.SAFE, frozenset(), Outcome.SKIPPED),
        (Risk.PASSIVE, Risk.PASSIVE, frozenset(), Outcome.OK),
        (Risk.INTRUSIVE, Risk.ACTIVE, frozenset(), Outcome.SKIPPED),
        (Risk.INTRUSIVE, Risk.ACTIVE, frozenset({"t.gated"}), Outcome.OK),
        (Risk.ACTIVE, Risk.SAFE, frozenset({"t.gated"}), Outcome.OK),
    ],
    ids=[
        "active-under-active",
        "active-over-safe",
        "passive",
        "intrusive-unnamed",
        "intrusive-named",
        "named-over-cap",
    ],
)
def test_risk_gating(risk: Risk, cap: Risk, allowed: frozenset[str], expected: Outcome) -> None:
    runner = run([make_probe("t.gated", "ok", risk=risk)], max_risk=cap, allowed=allowed)
    assert by_probe(runner)["t.gated"].outcome is expected  # type: ignore[attr-defined]


def test_probe_for_another_platform_is_not_applicable() -> None:
    runner = run([make_probe("t.macos_only", "ok", platforms=(Platform.MACOS,))])
    result = by_probe(runner)["t.macos_only"]
    assert result.outcome is Outcome.NOT_APPLICABLE  # type: ignore[attr-defined]
    assert "linux" in result.reason  # type: ignore[attr-defined]


def test_obtain_runs_only_the_providers_needed() -> None:
    registry = Registry()
    for probe in (make_probe("t.wanted", "ok"), make_probe("t.unwanted", "ok")):
        registry.register(probe)
    runner = Runner(registry, Session(config=Config(), platform=Platform.LINUX))
    observations = asyncio.run(runner.obtain(["test.wanted"]))
    assert [o.value for o in observations] == [42]
    assert [r.probe for r in runner.results] == ["t.wanted"]


def test_rerun_measures_again_from_the_source_and_keeps_the_first_results() -> None:
    class Meter(Probe):
        spec = ProbeSpec(
            id="t.meter",
            summary="counts its runs",
            risk=Risk.SAFE,
            timeout_s=1.0,
            provides=(_fact("test.meter"),),
        )
        runs = 0

        async def run(self, ctx: ProbeContext) -> None:
            Meter.runs += 1
            ctx.observe("test.meter", Meter.runs)

    summary = make_probe("t.summary", "reads", needs=("test.meter",))
    bystander = make_probe("t.bystander", "ok")
    registry = Registry()
    for probe in (Meter, summary, bystander):
        registry.register(probe)
    runner = Runner(registry, Session(config=Config(), platform=Platform.LINUX), budget_s=2.0)

    async def measure_twice() -> list[ProbeResult]:
        await runner.run()
        await asyncio.sleep(2.1)  # the user takes longer over the step than the run's budget
        return await runner.rerun(["t.summary"])

    again = asyncio.run(measure_twice())
    assert sorted(r.probe for r in again) == ["t.meter", "t.summary"]  # what it reads is measured again
    assert all(r.outcome is Outcome.OK for r in again)  # each with a deadline of its own
    assert [r.probe for r in runner.results].count("t.bystander") == 1
    sums = [o.value for o in runner.observations if o.fact == "test.summary"]
    assert sums == [2, 3]  # the first result is kept; the new one read the new measurement


def test_a_device_probe_run_again_supersedes_its_whole_first_round() -> None:
    """A device's id can change between rounds (its MAC was not known yet the first time, so the id
    came from its address): what a summary reads after a rerun is the new round only, never the
    first round's measurement of the "other" device beside it."""
    from homediag.core.model import Device, Service
    from homediag.core.spec import DeviceMatcher

    class Finder(Probe):
        spec = ProbeSpec(
            id="t.finder",
            summary="finds a printer",
            risk=Risk.SAFE,
            timeout_s=1.0,
            provides=(_fact("test.finder"),),
        )
        runs = 0

        async def run(self, ctx: ProbeContext) -> None:
            Finder.runs += 1
            mac = None if Finder.runs == 1 else "3c:2a:f4:00:00:01"  # the MAC, known only later
            service = Service(type="_ipp._tcp", port=631)
            ctx.add_device(Device(id="x", ip="192.0.2.10", mac=mac, services=(service,)))
            ctx.observe("test.finder", Finder.runs)

    class State(Probe):
        spec = ProbeSpec(
            id="t.state",
            summary="asks each printer its state",
            risk=Risk.SAFE,
            timeout_s=1.0,
            provides=(_fact("test.state"),),
            needs=("test.finder",),
            matchers=(DeviceMatcher(mdns_type="_ipp._tcp"),),
        )

        async def run(self, ctx: ProbeContext) -> None:
            assert ctx.target is not None
            stopped = 1 if Finder.runs == 1 else 0  # paused at first, resumed before the second round
            ctx.observe("test.state", stopped, subject=f"device:{ctx.target.id}")

    class Worst(Probe):
        spec = ProbeSpec(
            id="t.worst",
            summary="counts the stopped printers",
            risk=Risk.SAFE,
            timeout_s=1.0,
            provides=(_fact("test.worst"),),
            needs=("test.state",),
        )

        async def run(self, ctx: ProbeContext) -> None:
            ctx.observe("test.worst", len([o for o in ctx.known.all("test.state") if o.value == 1]))

    registry = Registry()
    for probe in (Finder, State, Worst):
        registry.register(probe)
    runner = Runner(registry, Session(config=Config(), platform=Platform.LINUX))

    async def measure_twice() -> None:
        await runner.run()
        await runner.rerun(["t.worst"])

    asyncio.run(measure_twice())
    targets = [r.target for r in runner.results if r.probe == "t.state"]
    assert len(set(targets)) == 2  # the device's id did change between the rounds
    stopped = [o.value for o in runner.observations if o.fact == "test.worst"]
    assert stopped == [1, 0]  # the second sum saw the second round only


def test_abort_marks_running_probes_cancelled() -> None:
    registry = Registry()
    registry.register(make_probe("t.slow", "hangs", timeout_s=30))
    runner = Runner(registry, Session(config=Config(), platform=Platform.LINUX))

    async def scenario() -> None:
        job = asyncio.ensure_future(runner.run())
        await asyncio.sleep(0.2)
        await runner.abort()
        job.cancel()
        with pytest.raises(asyncio.CancelledError):
            await job

    asyncio.run(scenario())
    (result,) = runner.results
    assert result.outcome is Outcome.CANCELLED
    assert [o.value for o in result.observations] == [7]


def test_on_demand_probes_run_only_when_asked() -> None:
    on_demand = make_probe("t.speed", "ok")
    on_demand.spec = ProbeSpec(**{**on_demand.spec.__dict__, "tags": ("on-demand",)})
    plain = make_probe("t.plain", "ok")
    assert set(by_probe(run([on_demand, plain]))) == {"t.plain"}
    assert set(by_probe(run([on_demand, plain], speedtest=True))) == {"t.plain", "t.speed"}


STUCK_HELPER = """
import asyncio, time
from homediag.core.probe import Probe
from homediag.core.registry import Registry
from homediag.core.runner import Runner
from homediag.core.session import Session
from homediag.core.spec import ProbeSpec, Risk
from homediag.core.facts import Fact

class Stuck(Probe):
    spec = ProbeSpec(id="net.gateway", summary="a name lookup that never returns", risk=Risk.SAFE,
                     timeout_s=0.5, provides=(Fact("gateway.reachable", bool, "answered"),))

    async def run(self, ctx):
        await asyncio.to_thread(time.sleep, 30)  # like getaddrinfo waiting for a silent resolver

registry = Registry()
registry.register(Stuck)
runner = Runner(registry, Session())
asyncio.run(runner.run())
print(runner.results[0].outcome.value)
"""


def test_a_helper_thread_stuck_past_the_deadline_does_not_hold_the_exit() -> None:
    import subprocess
    import sys

    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", STUCK_HELPER], capture_output=True, text=True, timeout=25, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "timeout"
    assert time.monotonic() - started < 15  # the helper sleeps 30 s: the exit did not wait for it


# --- following a provider while it runs (ProbeSpec.follows) -------------------------------------------


def _publisher(items: int, gap_s: float, platforms: tuple[Platform, ...] = (Platform.LINUX,)) -> type[Probe]:
    class Publisher(Probe):
        spec = ProbeSpec(
            id="test.sweep",
            summary="publishes addresses as it hears them",
            risk=Risk.SAFE,
            timeout_s=5.0,
            provides=(Fact("test.hosts", list[str], "hosts"),),
            platforms=platforms,
        )

        async def run(self, ctx: ProbeContext) -> None:
            heard = []
            for index in range(items):
                await asyncio.sleep(gap_s)
                heard.append(f"192.0.2.{index + 1}")
                ctx.publish("test.hosts", heard[-1])
            ctx.observe("test.hosts", heard)

    return Publisher


class Follower(Probe):
    spec = ProbeSpec(
        id="test.follower",
        summary="reads the hosts as they come",
        risk=Risk.SAFE,
        timeout_s=5.0,
        provides=(Fact("test.followed", list[str], "when each host came, and the list at the end"),),
        follows=("test.hosts",),
    )

    async def run(self, ctx: ProbeContext) -> None:
        seen = []
        async for item in ctx.follow("test.hosts"):
            seen.append(f"{item}:{'final' if ctx.fact('test.hosts') is not None else 'early'}")
        seen.append(f"end:{len(ctx.fact('test.hosts') or [])}")  # type: ignore[arg-type]
        ctx.observe("test.followed", seen)


def _runner(probes: list[type[Probe]], config: Config | None = None) -> Runner:
    registry = Registry()
    for probe in probes:
        registry.register(probe)
    return Runner(registry, Session(config=config or Config(), platform=Platform.LINUX))


def test_a_follower_reads_what_its_provider_publishes_while_it_runs() -> None:
    runner = _runner([_publisher(3, 0.05), Follower])
    asyncio.run(runner.run(["test.follower"]))  # the follower alone starts its provider
    followed = next(obs.value for obs in runner.observations if obs.fact == "test.followed")
    assert followed == ["192.0.2.1:early", "192.0.2.2:early", "192.0.2.3:early", "end:3"]


def test_a_follower_never_keeps_its_provider_from_a_place() -> None:
    """With one place for concurrent probes the follower waits for it, so it reads the whole feed at
    once after its provider ended: slower, but no deadlock."""
    config = Config.model_validate({"limits": {"max_concurrency": 1}})
    runner = _runner([_publisher(2, 0.01), Follower], config)
    asyncio.run(asyncio.wait_for(runner.run(["test.follower", "test.sweep"]), 10))
    followed = next(obs.value for obs in runner.observations if obs.fact == "test.followed")
    assert followed == ["192.0.2.1:final", "192.0.2.2:final", "end:2"]


def test_a_refused_provider_ends_its_feed() -> None:
    runner = _runner([_publisher(2, 0.01, platforms=(Platform.MACOS,)), Follower])
    asyncio.run(asyncio.wait_for(runner.run(["test.follower"]), 10))
    outcomes = {r.probe: r.outcome for r in runner.results}
    assert outcomes == {"test.sweep": Outcome.NOT_APPLICABLE, "test.follower": Outcome.OK}
    followed = next(obs.value for obs in runner.observations if obs.fact == "test.followed")
    assert followed == ["end:0"]


def test_following_needs_the_declaration() -> None:
    probe = make_probe("test.plain", "ok")
    ctx = ProbeContext(probe.spec, Session(config=Config(), platform=Platform.LINUX))
    with pytest.raises(ProbeSpecError, match="without declaring it in follows"):
        ctx.follow("test.hosts")
    with pytest.raises(ProbeSpecError, match="does not provide"):
        ctx.publish("test.hosts", "192.0.2.1")
