"""Every registered probe: spec valid, documented, facts in the catalogue, and covered by a test."""

from __future__ import annotations

from pathlib import Path

import pytest

from homediag.app.registry import load_registry
from homediag.core import facts
from homediag.core.registry import validate_spec
from homediag.core.spec import Privilege

REGISTRY = load_registry(plugins=False)
SPECS = REGISTRY.specs()
TESTS = Path(__file__).resolve().parent.parent


def _test_sources() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in TESTS.rglob("test_*.py"))


SOURCES = _test_sources()


@pytest.mark.parametrize("spec", SPECS, ids=[s.id for s in SPECS])
def test_spec_is_valid_and_documented(spec) -> None:  # type: ignore[no-untyped-def]
    validate_spec(spec)
    assert spec.summary[0].isupper() and not spec.summary.endswith(".")
    assert len(spec.description) >= 40, "explain how the probe measures and what it never does"
    for arg in spec.arg_infos():
        assert arg.help, f"argument {arg.name} has no help"
    if spec.privilege is not Privilege.NONE:
        assert spec.fallback


@pytest.mark.parametrize("spec", SPECS, ids=[s.id for s in SPECS])
def test_probe_is_covered_by_a_test(spec) -> None:  # type: ignore[no-untyped-def]
    probe = REGISTRY.get(spec.id)
    assert probe.__name__ in SOURCES, f"no test mentions {probe.__name__} ({spec.id})"


def test_every_fact_has_exactly_one_provider_that_exists() -> None:
    providers = REGISTRY.providers()
    for fact in REGISTRY.catalogue():
        assert fact.provider in REGISTRY.probes, f"{fact.name}: provider {fact.provider} is not registered"
        assert providers.get(fact.name) == fact.provider, f"{fact.name} is not provided by {fact.provider}"
        assert fact.summary


def _untyped(tp: object) -> bool:
    """Whether ``tp`` leaves the shape of some part of a value open (a bare list, dict, object, Any)."""
    import typing

    import typing_extensions

    if tp in (list, dict, tuple, object, typing.Any):
        return True
    if typing_extensions.is_typeddict(tp):
        return any(_untyped(hint) for hint in typing_extensions.get_type_hints(tp).values())
    return any(_untyped(arg) for arg in typing.get_args(tp))


@pytest.mark.parametrize("spec", SPECS, ids=[s.id for s in SPECS])
def test_structured_facts_declare_the_shape_of_their_values(spec) -> None:  # type: ignore[no-untyped-def]
    for fact in spec.provides:
        assert isinstance(fact, facts.Fact)
        assert not _untyped(fact.type), f"{fact.name}: {fact.describe_type()} leaves a shape open"


def test_no_dependency_cycles() -> None:
    from homediag.core.config import Config
    from homediag.core.runner import Runner
    from homediag.core.session import Session

    Runner(REGISTRY, Session(config=Config())).check_cycles()


PROBES_DIR = Path(__file__).resolve().parents[2] / "homediag" / "probes"


@pytest.mark.parametrize("spec", SPECS, ids=[s.id for s in SPECS])
def test_a_probe_lives_alone_in_the_module_named_after_its_id(spec) -> None:  # type: ignore[no-untyped-def]
    import importlib
    import inspect

    from homediag.core.probe import Probe

    probe = REGISTRY.get(spec.id)
    family, _, name = spec.id.rpartition(".")
    assert probe.__module__ == f"homediag.probes.{family}.{name}"
    module = importlib.import_module(probe.__module__)
    defined = [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj) and issubclass(obj, Probe) and obj.__module__ == module.__name__
    ]
    assert defined == [probe], "one probe per module, and nothing else that is a probe"


@pytest.mark.parametrize(
    "path", sorted(PROBES_DIR.rglob("*.py")), ids=lambda p: str(p.relative_to(PROBES_DIR))
)
def test_probes_never_import_each_other(path: Path) -> None:
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = [
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    ] + [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    sideways = [name for name in imported if name.startswith("homediag.probes")]
    assert sideways == [], "probes share code through homediag.net and homediag.core only"
