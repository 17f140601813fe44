"""The live fact source: the real runner runs only the probes whose facts the engine asks for.

The probes here are test doubles that observe recorded values (no network); they carry the ids of
the built-in probes because the fact catalogue names those as providers.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable
from typing import Any, ClassVar

from homediag.app.registry import load_registry
from homediag.core.facts import Fact
from homediag.core.model import FindingStatus, Observation, Outcome, RemedyOutcome
from homediag.core.probe import Probe, ProbeContext
from homediag.core.registry import Registry
from homediag.core.runner import Runner
from homediag.core.session import Session
from homediag.core.spec import ProbeSpec, Risk
from homediag.engine.catalog import PlaybookSet, load_playbooks
from homediag.engine.diagnose import diagnose
from homediag.engine.sources import Refreshed, RunnerFacts
from tests.unit.engine.engine_builders import cause, compile_data, probe_test, remedy, variant


class RecordedInterfaces(Probe):
    """Stands in for net.interfaces: the link is down."""

    spec: ClassVar[ProbeSpec] = ProbeSpec(
        id="net.interfaces",
        summary="recorded interfaces",
        risk=Risk.PASSIVE,
        timeout_s=2,
        provides=(
            Fact("interface.up", bool, "recorded"),
            Fact("interface.has_ipv4", bool, "recorded"),
            Fact("interface.kind", str, "recorded"),
            Fact("dns.resolvers", list[str], "recorded"),
        ),
    )

    async def run(self, ctx: ProbeContext) -> None:
        ctx.observe("interface.up", False)
        ctx.observe("interface.has_ipv4", False)
        ctx.observe("interface.kind", "wired")
        ctx.observe("dns.resolvers", [])


class RecordedGateway(Probe):
    """Stands in for net.gateway; it must not run when the link is down."""

    spec: ClassVar[ProbeSpec] = ProbeSpec(
        id="net.gateway",
        summary="recorded gateway",
        risk=Risk.SAFE,
        timeout_s=8,
        provides=(Fact("gateway.reachable", bool, "recorded"), Fact("gateway.loss_pct", float, "recorded")),
    )

    async def run(self, ctx: ProbeContext) -> None:
        ctx.observe("gateway.reachable", False)
        ctx.observe("gateway.loss_pct", 100.0)


class FailingDns(Probe):
    """Stands in for net.dns, and fails."""

    spec: ClassVar[ProbeSpec] = ProbeSpec(
        id="net.dns",
        summary="failing dns",
        risk=Risk.ACTIVE,
        timeout_s=3,
        provides=(Fact("dns.any_ok", bool, "recorded"),),
    )

    async def run(self, ctx: ProbeContext) -> None:
        raise RuntimeError("resolver socket refused")


def _runner(max_risk: Risk = Risk.ACTIVE) -> Runner:
    registry = Registry()
    for probe in (RecordedInterfaces, RecordedGateway, FailingDns):
        registry.register(probe)
    return Runner(registry, Session(max_risk=max_risk), budget_s=20)


def test_lazy_probing_runs_only_the_probes_that_discriminate() -> None:
    runner = _runner()
    result = asyncio.run(
        diagnose(
            "no-internet",
            facts=RunnerFacts(runner),
            questioner=None,
            playbooks=load_playbooks(),
            audience="technician",
        )
    )
    ran = {r.probe for r in runner.results}
    assert ran == {"net.interfaces"}
    assert result.findings[0].code == "link.no-connection"
    assert result.findings[0].status is FindingStatus.CONFIRMED
    assert all(s["action"] != "replay" for s in result.trace_json())


def test_facts_costs_and_reasons() -> None:
    runner = _runner(max_risk=Risk.SAFE)
    facts = RunnerFacts(runner)
    assert facts.can_obtain("gateway.reachable")
    assert facts.cost_s("gateway.reachable") == 8.0
    assert not facts.can_obtain("dns.any_ok")  # active probe above --max-risk safe
    assert "skipped" in (facts.missing_reason("dns.any_ok") or "")
    assert not facts.can_obtain("wifi.signal_dbm")
    assert facts.missing_reason("wifi.signal_dbm") == "no probe provides it"
    asyncio.run(facts.obtain(["gateway.reachable"]))
    assert facts.cost_s("gateway.loss_pct") == 0.0  # its probe has run
    assert facts.missing_reason("gateway.reachable") is None


def test_a_failed_probe_is_explained_not_read_as_healthy() -> None:
    runner = _runner()
    facts = RunnerFacts(runner)
    observations = asyncio.run(facts.obtain(["dns.any_ok"]))
    assert observations == []
    assert [r.outcome for r in runner.results] == [Outcome.ERROR]
    assert facts.missing_reason("dns.any_ok") == "net.dns error: resolver socket refused"
    assert not facts.can_obtain("dns.any_ok")


# --- the checkup: members' free probes together, on-demand probes only when asked ----------------

_STARTED = {"gateway": threading.Event(), "dns": threading.Event()}


class _Meeting(Probe):
    """Observes whether the other member's probe was running at the same time."""

    me: ClassVar[str] = ""
    other: ClassVar[str] = ""
    fact: ClassVar[str] = ""

    async def run(self, ctx: ProbeContext) -> None:
        _STARTED[self.me].set()
        met = await asyncio.to_thread(_STARTED[self.other].wait, 3.0)
        ctx.observe(self.fact, met)


class MeetingGateway(_Meeting):
    me, other, fact = "gateway", "dns", "gateway.reachable"
    spec: ClassVar[ProbeSpec] = ProbeSpec(
        id="net.gateway",
        summary="meets dns",
        risk=Risk.SAFE,
        timeout_s=5,
        provides=(Fact("gateway.reachable", bool, "recorded"),),
    )


class MeetingDns(_Meeting):
    me, other, fact = "dns", "gateway", "dns.any_ok"
    spec: ClassVar[ProbeSpec] = ProbeSpec(
        id="net.dns",
        summary="meets gateway",
        risk=Risk.SAFE,
        timeout_s=5,
        provides=(Fact("dns.any_ok", bool, "recorded"),),
    )


class RecordedSpeed(Probe):
    """Stands in for net.throughput (tagged on-demand like the real one)."""

    spec: ClassVar[ProbeSpec] = ProbeSpec(
        id="net.throughput",
        summary="recorded speed test",
        risk=Risk.ACTIVE,
        timeout_s=5,
        provides=(Fact("speedtest.download_mbps", float, "recorded"),),
        tags=("on-demand",),
    )

    async def run(self, ctx: ProbeContext) -> None:
        ctx.observe("speedtest.download_mbps", 3.0)


def _checkup_set(dns_effect: dict[str, float] | None = None) -> PlaybookSet:
    first = variant(
        id="first",
        complaints=["first"],
        causes=[cause("a", 0.9, "gateway.unreachable")],
        tests=[probe_test("ta", "gateway.reachable", {"a": {"good": 0.03, "bad": 0.97}})],
        remedies=[remedy("fix_a", {"a": 0.9})],
    )
    speed = {
        "id": "ts",
        "kind": "probe",
        "fact": "speedtest.download_mbps",
        "map": [{"outcome": "low", "when": {"lt": 10.0}}, {"outcome": "ok", "when": {"ge": 10.0}}],
        "outcomes": ["ok", "low"],
        "normal": {"ok": 0.98, "low": 0.02},
        "effects": {"b": {"ok": 0.02, "low": 0.98}},
        "cost": {"seconds": 25},
    }
    second = variant(
        id="second",
        complaints=["second"],
        causes=[cause("b", 0.6, "wan.slow")],
        leak={"prior": 0.4},
        tests=[probe_test("tb", "dns.any_ok", {"b": dns_effect or {"good": 0.9, "bad": 0.1}}), speed],
        remedies=[remedy("fix_b", {"b": 0.9})],
    )
    checkup = variant(
        id="checkup",
        complaints=["checkup"],
        includes=["first", "second"],
        healthy_prior=0.9,
        causes=[cause("c", 0.9, "dns.hijack", escalation_only=True)],
        tests=[],
        remedies=[],
        defaults={"free_cost_s": 10},
    )
    return PlaybookSet(tuple(compile_data(d) for d in (first, second, checkup)))


def _checkup_runner(*, speedtest: bool) -> Runner:
    for event in _STARTED.values():
        event.clear()
    registry = Registry()
    for probe in (MeetingGateway, MeetingDns, RecordedSpeed):
        registry.register(probe)
    return Runner(registry, Session(speedtest=speedtest), budget_s=20)


def test_a_checkup_runs_the_free_probes_of_all_members_together_and_no_speed_test() -> None:
    runner = _checkup_runner(speedtest=False)
    result = asyncio.run(diagnose(None, facts=RunnerFacts(runner), questioner=None, playbooks=_checkup_set()))
    observed = {o.fact: o.value for o in runner.observations}
    assert observed == {"gateway.reachable": True, "dns.any_ok": True}  # each met the other
    assert "net.throughput" not in {r.probe for r in runner.results}
    assert not [s for s in result.trace_json() if s.get("test") == "ts"]
    assert next(s["why"]["rule"] for s in result.trace_json() if s["action"] == "infer") == "checkup_prefetch"


def test_a_checkup_with_speedtest_runs_it_after_the_free_probes() -> None:
    runner = _checkup_runner(speedtest=True)
    result = asyncio.run(diagnose(None, facts=RunnerFacts(runner), questioner=None, playbooks=_checkup_set()))
    assert [r.probe for r in runner.results][-1] == "net.throughput"
    assert {f.code: f.status for f in result.findings}["wan.slow"] in (
        FindingStatus.LIKELY,
        FindingStatus.CONFIRMED,
    )


def test_a_complaint_runs_the_speed_test_without_being_asked() -> None:
    runner = _checkup_runner(speedtest=False)
    _STARTED["gateway"].set()  # the dns stand-in runs alone here
    asyncio.run(
        diagnose(
            "second",
            facts=RunnerFacts(runner),
            questioner=None,
            playbooks=_checkup_set(),
            audience="technician",
        )
    )
    assert "net.throughput" in {r.probe for r in runner.results}
    facts = RunnerFacts(runner)
    assert facts.on_demand("speedtest.download_mbps") and not facts.on_demand("dns.any_ok")
    assert not facts.asked_for("speedtest.download_mbps")


class _OnDemandFacts:
    """A fact source whose speed test is on demand (not asked for); DNS failed."""

    replay = False

    def __init__(self) -> None:
        self.obtained: list[str] = []

    async def obtain(self, facts: Iterable[str]) -> list[Observation]:
        wanted = list(facts)
        self.obtained += wanted
        values = {"dns.any_ok": False, "gateway.reachable": True, "speedtest.download_mbps": 3.0}
        return [Observation(fact=f, value=values[f], source="test") for f in wanted if f in values]

    def can_obtain(self, fact: str) -> bool:
        return True

    def cost_s(self, fact: str) -> float:
        return 1.0

    def on_demand(self, fact: str) -> bool:
        return fact.startswith("speedtest.")

    def asked_for(self, fact: str) -> bool:
        return False

    def missing_reason(self, fact: str) -> str | None:
        return None

    async def refresh(self, facts: Iterable[str]) -> Refreshed:
        return Refreshed(refused="cannot measure again")


def test_a_checkup_that_follows_up_still_holds_the_speed_test_back() -> None:
    facts = _OnDemandFacts()
    playbooks = _checkup_set(dns_effect={"good": 0.05, "bad": 0.95})
    result = asyncio.run(
        diagnose(None, facts=facts, questioner=None, playbooks=playbooks, audience="technician")
    )
    assert "speedtest.download_mbps" not in facts.obtained
    stops = [dict(s.get("unavailable", [])) for s in result.trace_json() if s["action"] == "stop"]
    assert any("--speedtest" in u.get("ts", "") for u in stops)


# --- measuring again: a remedy's verifier re-runs its probe ---------------------------------------


class UpInterfaces(Probe):
    """Stands in for net.interfaces: the link is up."""

    spec: ClassVar[ProbeSpec] = RecordedInterfaces.spec

    async def run(self, ctx: ProbeContext) -> None:
        ctx.observe("interface.up", True)


class RecoveringGateway(Probe):
    """Stands in for net.gateway: silent at first, answering once the user restarted the router."""

    spec: ClassVar[ProbeSpec] = RecordedGateway.spec
    runs: ClassVar[list[int]] = []

    async def run(self, ctx: ProbeContext) -> None:
        self.runs.append(len(self.runs))
        ctx.observe("gateway.reachable", len(self.runs) > 1)


def _recovering_runner() -> Runner:
    RecoveringGateway.runs.clear()
    registry = Registry()
    for probe in (UpInterfaces, RecoveringGateway):
        registry.register(probe)
    return Runner(registry, Session(), budget_s=20)


def test_refresh_runs_the_provider_again_and_keeps_both_results() -> None:
    runner = _recovering_runner()
    facts = RunnerFacts(runner)

    async def measure_twice() -> tuple[list[Observation], Refreshed]:
        first = await facts.obtain(["gateway.reachable"])
        return first, await facts.refresh(["gateway.reachable"])

    first, again = asyncio.run(measure_twice())
    assert [o.value for o in first] == [False]
    assert again.refused is None and [o.value for o in again.observations] == [True]
    assert [r.probe for r in runner.results] == ["net.gateway", "net.gateway"]
    assert [o.value for o in runner.observations if o.fact == "gateway.reachable"] == [False, True]
    assert facts.missing_reason("gateway.reachable") is None
    nothing = asyncio.run(facts.refresh(["wifi.signal_dbm"]))
    assert nothing.refused == "no probe provides wifi.signal_dbm" and nothing.observations == ()


class _RestartingUser:
    interactive = True
    source = "interactive"

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def ask(self, question: Any, lang: str) -> str | None:
        self.asked.append(question.id)
        return "done" if question.id == "remedy:restart_router" else None


def test_a_live_interactive_run_verifies_a_remedy_by_running_its_probe_again() -> None:
    data = variant(
        causes=[cause("a", 0.2, "link.no-connection"), cause("b", 0.7, "gateway.unreachable")],
        remedies=[
            remedy("fix_a", {"a": 0.9}),
            remedy("restart_router", {"b": 0.9}, verify={"test": "tb", "expect": "good"}),
        ],
    )
    runner = _recovering_runner()
    user = _RestartingUser()
    result = asyncio.run(
        diagnose(
            "sample",
            facts=RunnerFacts(runner),
            questioner=user,
            playbooks=PlaybookSet((compile_data(data),)),
            audience="technician",
        )
    )
    assert "remedy:restart_router" in user.asked
    assert len(RecoveringGateway.runs) == 2  # the verifier ran the probe again
    found = {f.cause: f for f in result.findings}["b"]
    assert found.status is FindingStatus.CONFIRMED and found.decided_by == "remedy:restart_router"
    assert {r.id: r.outcome for r in found.remedies}["restart_router"] is RemedyOutcome.FIXED


def test_every_builtin_verifier_that_measures_has_a_probe_to_run_again() -> None:
    providers = load_registry(plugins=False).providers()
    verifiers = [
        (model.id, r.id, model.test(r.spec.verify.test))
        for model in load_playbooks().playbooks
        for r in model.remedies
        if r.spec.verify is not None
    ]
    measured = [(pid, rid, test.fact) for pid, rid, test in verifiers if not test.asks_user]
    assert len(measured) >= 60
    assert [(pid, rid, fact) for pid, rid, fact in measured if fact not in providers] == []


def test_the_checkup_prefetches_the_direct_measurements_of_slow_dns_and_mtu_black_holes() -> None:
    # The bench found dns.slow and wan.mtu-blackhole missed by checkups: their facts must come in the
    # checkup's free batch (the members' free probe tests), not only when a follow-up asks.
    from homediag.engine.catalog import load_playbooks
    from homediag.engine.checkup import free_facts

    playbooks = load_playbooks()
    checkup = playbooks.get("checkup")
    batch: dict[str, float] = {}
    for member in checkup.spec.includes:
        batch.update(free_facts(playbooks.get(member), checkup.spec.defaults.free_cost_s))
    wanted = {"dns.best_latency_ms", "dns.public_best_ms", "mtu.full_ok", "mtu.small_ok", "mtu.frag_needed"}
    assert wanted <= set(batch)
