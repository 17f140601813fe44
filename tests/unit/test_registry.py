"""Probe registration: validation, plugins from entry points, autoload switch, root allow-list."""

from __future__ import annotations

from importlib import metadata
from typing import Any

import pytest

from homediag.app.registry import load_registry
from homediag.core.config import Config, PluginsConfig
from homediag.core.errors import ProbeSpecError
from homediag.core.facts import Fact
from homediag.core.probe import Probe, ProbeContext
from homediag.core.registry import Registry, validate_spec
from homediag.core.spec import Privilege, ProbeSpec, Risk


def spec(**overrides: Any) -> ProbeSpec:
    values: dict[str, Any] = {
        "id": "x.demo",
        "summary": "demo",
        "risk": Risk.SAFE,
        "timeout_s": 5.0,
        "provides": (Fact("x.demo_rtt_ms", float, "a round trip", unit="ms"),),
    }
    values.update(overrides)
    return ProbeSpec(**values)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"id": "NoDots"}, "dotted lower-case id"),
        ({"summary": " "}, "summary is empty"),
        ({"timeout_s": 0}, "timeout_s"),
        ({"timeout_s": 10_000}, "timeout_s"),
        ({"provides": ()}, "provides is empty"),
        ({"provides": ("no.such.fact",)}, "unknown fact"),
        ({"privilege": Privilege.RAW_SOCKET}, "fallback"),
        ({"needs": ("no.such.need",)}, "needs unknown fact"),
        ({"platforms": ()}, "platforms"),
        ({"follows": ("no.such.feed",)}, "follows unknown fact"),
        ({"follows": ("arp.hosts",), "needs": ("arp.hosts",)}, "followed and also needed"),
    ],
    ids=[
        "bad-id",
        "empty-summary",
        "zero-timeout",
        "huge-timeout",
        "no-provides",
        "unknown-provided",
        "privilege-without-fallback",
        "unknown-need",
        "no-platforms",
        "unknown-followed",
        "followed-and-needed",
    ],
)
def test_invalid_specs_are_refused_with_the_reason(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ProbeSpecError, match=message):
        validate_spec(spec(**overrides), known_facts=BUILTINS.providers())


BUILTINS = load_registry(plugins=False)


def test_a_fact_provided_by_another_probe_is_refused() -> None:
    twin = type(
        "Twin",
        (GoodPlugin,),
        {"spec": spec(id="x.twin", provides=(Fact("gateway.rtt_ms", float, "a twin"),))},
    )
    with pytest.raises(ProbeSpecError, match=r"provided by net\.gateway"):
        load_registry(plugins=False).register(twin)


@pytest.mark.parametrize(
    ("fact", "message"),
    [
        (Fact("x.demo_hosts", list, "untyped items"), None),
        (Fact("Bad Name", int, "a name"), "dotted lower-case"),
        (Fact("x.demo_a", int, " "), "no summary"),
        (Fact("x.demo_a", object(), "a type nothing can check"), "cannot be checked"),
    ],
    ids=["bare-list-is-allowed-for-plugins", "bad-name", "no-summary", "unusable-type"],
)
def test_fact_declarations_are_checked(fact: Fact, message: str | None) -> None:
    if message is None:
        validate_spec(spec(provides=(fact,)))
        return
    with pytest.raises(ProbeSpecError, match=message):
        validate_spec(spec(provides=(fact,)))


def test_a_fact_declared_twice_by_one_probe_is_refused() -> None:
    twice = (Fact("x.demo_a", int, "once"), Fact("x.demo_a", int, "twice"))
    with pytest.raises(ProbeSpecError, match="declared twice"):
        validate_spec(spec(provides=twice))


class GoodPlugin(Probe):
    spec = ProbeSpec(
        id="acme.answer",
        summary="answers",
        risk=Risk.PASSIVE,
        timeout_s=1.0,
        provides=(Fact("plugin.answer", int, "the answer"),),
    )

    async def run(self, ctx: ProbeContext) -> None:
        ctx.observe("plugin.answer", 42)


class BadPlugin(Probe):
    spec = ProbeSpec(
        id="acme.bad",
        summary="steals a fact",
        risk=Risk.PASSIVE,
        timeout_s=1.0,
        provides=(Fact("dns.any_ok", bool, "a stolen fact"),),
    )

    async def run(self, ctx: ProbeContext) -> None:
        return None


class _Dist:
    def __init__(self, name: str) -> None:
        self.name = name


class _EntryPoint:
    def __init__(self, name: str, target: object, dist: str = "acme-homediag") -> None:
        self.name = name
        self.value = f"acme.probes:{name}"
        self.dist = _Dist(dist)
        self._target = target

    def load(self) -> object:
        if isinstance(self._target, Exception):
            raise self._target
        return self._target


@pytest.fixture
def plugins(monkeypatch: pytest.MonkeyPatch) -> list[_EntryPoint]:
    found: list[_EntryPoint] = []

    def entry_points(group: str) -> list[_EntryPoint]:
        assert group == "homediag.probes.v1"
        return found

    monkeypatch.setattr(metadata, "entry_points", entry_points)
    monkeypatch.delenv("HOMEDIAG_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    return found


def test_plugins_load_and_bad_ones_are_named(plugins: list[_EntryPoint]) -> None:
    plugins += [
        _EntryPoint("good", GoodPlugin),
        _EntryPoint("bad", BadPlugin),
        _EntryPoint("broken", ImportError("no module named acme.missing")),
        _EntryPoint("notaprobe", object()),
    ]
    reg = load_registry(plugins=False)
    reg.load_plugins(Config(), as_root=False)
    assert "acme.answer" in reg.probes
    assert reg.origins["acme.answer"] == "acme-homediag (entry point 'good' = 'acme.probes:good')"
    assert len(reg.errors) == 3
    assert all("acme-homediag" in e and "entry point" in e for e in reg.errors)
    assert any("'bad'" in e and "provided by net.dns" in e for e in reg.errors)
    assert any("'broken'" in e and "ImportError" in e for e in reg.errors)


def test_autoload_can_be_switched_off(plugins: list[_EntryPoint], monkeypatch: pytest.MonkeyPatch) -> None:
    plugins.append(_EntryPoint("good", GoodPlugin))
    monkeypatch.setenv("HOMEDIAG_DISABLE_PLUGIN_AUTOLOAD", "1")
    reg = Registry()
    reg.load_plugins(Config(), as_root=False)
    assert "acme.answer" not in reg.probes
    assert reg.skipped


@pytest.mark.parametrize(("allow", "loaded"), [((), False), (("good",), True), (("acme-homediag",), True)])
def test_as_root_only_allow_listed_plugins_load(
    plugins: list[_EntryPoint], allow: tuple[str, ...], loaded: bool
) -> None:
    plugins.append(_EntryPoint("good", GoodPlugin))
    reg = Registry()
    reg.load_plugins(Config(plugins=PluginsConfig(allow=allow)), as_root=True)
    assert ("acme.answer" in reg.probes) is loaded


def test_builtins_are_all_registered_and_valid() -> None:
    reg = load_registry(plugins=False)
    assert {"net.interfaces", "net.gateway", "net.dns"} <= set(reg.probes)
    assert all(origin == "built-in" for origin in reg.origins.values())


def test_builtin_list_is_the_one_place(monkeypatch: pytest.MonkeyPatch) -> None:
    from homediag import probes

    monkeypatch.setattr(probes, "BUILTIN_PROBES", ("homediag.probes.net.dns:DnsProbe",))
    assert [p.spec.id for p in probes.builtin_probes()] == ["net.dns"]


def test_plugins_needing_facts_of_a_refused_plugin_go_too() -> None:
    class Base(Probe):
        spec = ProbeSpec(
            id="acme.base",
            summary="base",
            risk=Risk.PASSIVE,
            timeout_s=1.0,
            provides=(Fact("plugin.base", int, "base"),),
            needs=("plugin.nowhere",),
        )

        async def run(self, ctx: ProbeContext) -> None:
            return None

    class OnTop(Probe):
        spec = ProbeSpec(
            id="acme.on_top",
            summary="on top",
            risk=Risk.PASSIVE,
            timeout_s=1.0,
            provides=(Fact("plugin.on_top", int, "on top"),),
            needs=("plugin.base",),
        )

        async def run(self, ctx: ProbeContext) -> None:
            return None

    reg = Registry()
    reg.register(OnTop, origin="acme (entry point 'on_top')")
    reg.register(Base, origin="acme (entry point 'base')")
    reg.check_references()
    assert "acme.base" not in reg.probes
    assert "acme.on_top" not in reg.probes
    assert len(reg.errors) == 2


def test_probe_arguments_come_from_the_config_over_their_defaults() -> None:
    from homediag.core.config import parse_config
    from homediag.probes.net.gateway import GatewayArgs

    config = parse_config('probes: {net.gateway: {count: "20", interval_s: 1}}')
    args = BUILTINS.probe_args(config)
    gateway = args["net.gateway"]
    assert isinstance(gateway, GatewayArgs)
    assert (gateway.count, gateway.interval_s, gateway.timeout_s) == (20, 1.0, 1.0)  # as users write them
    dns = {"servers": [], "timeout_s": 2.0, "compare_servers": ["1.1.1.1", "9.9.9.9"]}
    assert args["net.dns"].model_dump() == dns


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("probes: {net.gatewy: {cuont: x}}", r"probes\.net\.gatewy: no installed probe .* \(did you mean net\.gateway\?\)"),  # noqa: E501
        ("probes: {net.dns: {servers: 53}}", r"probes\.net\.dns\.servers: Input should be a valid list"),
        ("probes: {wifi.link: {fast: true}}", r"probes\.wifi\.link\.fast: wifi\.link has no such argument \(its arguments: none\)"),  # noqa: E501
    ],
    ids=["unknown-probe", "wrong-type", "a-probe-without-arguments"],
)  # fmt: skip
def test_probe_arguments_that_do_not_fit_are_a_config_error(text: str, message: str) -> None:
    from homediag.core.config import parse_config
    from homediag.core.errors import ConfigError

    with pytest.raises(ConfigError, match=message):
        BUILTINS.probe_args(parse_config(text, source="site.yaml"))
