"""Fact declarations: the probe declares each fact with its type; observe and readers check values."""

from __future__ import annotations

import asyncio
from typing import NotRequired

import pytest
from typing_extensions import TypedDict

from homediag.core.errors import ProbeSpecError
from homediag.core.facts import Fact, FactSpec, Privacy, describe_type, record, value_problem
from homediag.core.model import Outcome
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import ProbeSpec, Risk
from homediag.testing import run_probe


@record
class Host(TypedDict):
    ip: str
    mac: str | None
    other_macs: NotRequired[list[str]]


@pytest.mark.parametrize(
    ("tp", "value", "fits"),
    [
        pytest.param(float, 3, True, id="an-int-where-a-float-is-declared"),
        pytest.param(float, True, False, id="a-bool-is-no-number"),
        pytest.param(int, 2.0, False, id="a-float-is-no-int"),
        pytest.param(str, None, True, id="null-always-fits"),
        pytest.param(list[float | None], [1.5, None], True, id="samples"),
        pytest.param(list[str], ["a", 1], False, id="a-number-among-strings"),
        pytest.param(list[Host], [{"ip": "192.0.2.1", "mac": None}], True, id="record"),
        pytest.param(list[Host], [{"ip": "192.0.2.1", "mac": None, "other_macs": []}], True, id="optional"),
        pytest.param(list[Host], [{"ip": "192.0.2.1"}], False, id="missing-key"),
        pytest.param(list[Host], [{"ip": "192.0.2.1", "mac": None, "vendor": "x"}], False, id="unknown-key"),
        pytest.param(dict[str, int], {"printer": 2}, True, id="counts"),
    ],
)
def test_values_are_checked_against_the_declared_type(tp: object, value: object, fits: bool) -> None:
    assert (value_problem(tp, value) is None) is fits


def test_types_are_described_for_the_docs() -> None:
    assert describe_type(list[float | None]) == "list[float | null]"
    assert describe_type(list[Host]) == "list[Host{ip: str, mac: str | null, other_macs?: list[str]}]"
    fact = FactSpec.of(Fact("x.hosts", list[Host], "hosts", privacy=Privacy.PSEUDONYMISE), "x.probe")
    assert (fact.type, fact.provider, fact.sensitive) == ("list", "x.probe", True)


class Writer(Probe):
    spec = ProbeSpec(
        id="x.writer",
        summary="writes hosts",
        risk=Risk.PASSIVE,
        timeout_s=2.0,
        provides=(Fact("x.hosts", list[Host], "hosts", privacy=Privacy.PSEUDONYMISE),),
    )
    value: object = []

    async def run(self, ctx: ProbeContext) -> None:
        ctx.observe("x.hosts", type(self).value)


class Reader(Probe):
    spec = ProbeSpec(
        id="x.reader",
        summary="reads hosts",
        risk=Risk.PASSIVE,
        timeout_s=2.0,
        needs=("x.hosts",),
        provides=(Fact("x.count", int, "how many hosts"),),
    )

    async def run(self, ctx: ProbeContext) -> None:
        hosts = ctx.fact_as("x.hosts", list[Host]) or []
        ctx.observe("x.count", len([h for h in hosts if h["mac"]]))


def test_an_observation_carries_its_privacy_class() -> None:
    Writer.value = [{"ip": "192.0.2.1", "mac": "00:00:5e:00:53:01"}]
    outcome = asyncio.run(run_probe(Writer))
    [observation] = outcome.observations("x.hosts")
    assert observation.privacy == "pseudonymise" and observation.sensitive


def test_a_value_that_does_not_fit_its_declaration_fails_the_probe_loudly() -> None:
    Writer.value = [{"address": "192.0.2.1"}]
    outcome = asyncio.run(run_probe(Writer))
    assert outcome.result.outcome is Outcome.ERROR
    assert "x.hosts must be list[Host" in (outcome.result.reason or "")
    assert outcome.observations("x.hosts") == []


def test_readers_get_typed_values_and_a_mismatch_is_named() -> None:
    good = [{"ip": "192.0.2.1", "mac": "00:00:5e:00:53:01"}, {"ip": "192.0.2.2", "mac": None}]
    assert asyncio.run(run_probe(Reader, facts={"x.hosts": good})).value("x.count") == 1  # type: ignore[dict-item]
    bad = asyncio.run(run_probe(Reader, facts={"x.hosts": [{"ip": 7}]}))  # type: ignore[dict-item]
    assert bad.result.outcome is Outcome.ERROR
    assert "x.reader reads x.hosts as a type it does not have" in (bad.result.reason or "")


def test_reading_a_fact_not_declared_in_needs_is_refused() -> None:
    class Sneaky(Reader):
        spec = ProbeSpec(
            id="x.sneaky",
            summary="reads without asking",
            risk=Risk.PASSIVE,
            timeout_s=2.0,
            provides=(Fact("x.count", int, "how many hosts"),),
        )

    outcome = asyncio.run(run_probe(Sneaky))
    assert outcome.result.outcome is Outcome.ERROR
    assert isinstance(ProbeSpecError("x"), Exception) and "without declaring it in needs" in (
        outcome.result.reason or ""
    )
