"""Numbers in playbook texts: technicians read the thresholds that applied, never config key names."""

from __future__ import annotations

import asyncio
import copy
import re

import pytest

from homediag.core.config import Config, Thresholds
from homediag.engine.catalog import load_playbooks
from homediag.engine.diagnose import StoredFacts, diagnose_playbook
from homediag.engine.texts import render
from tests.unit.engine.engine_builders import base_playbook, compile_data, observations, problems_of, text

SETTINGS = {"thresholds": {"dns_slow_ms": 400.0, "download_ratio": 0.5, "wifi_weak_dbm": -70.0}, "expect": {}}


@pytest.mark.parametrize(
    ("source", "lang", "expected"),
    [
        ("above {thresholds.dns_slow_ms} ms", "en", "above 400 ms"),
        ("below {thresholds.download_ratio:%} of the plan", "en", "below 50\u00a0% of the plan"),
        ("unter {thresholds.download_ratio} des Tarifs", "de", "unter 0,5 des Tarifs"),
        ("signal sous {thresholds.wifi_weak_dbm} dBm", "fr", "signal sous -70 dBm"),
        ("plan {expect.download_mbps} Mbit/s", "en", "plan ? Mbit/s"),
        ("no placeholder {here}", "en", "no placeholder {here}"),
    ],
)
def test_placeholders_become_the_numbers_that_applied(source: str, lang: str, expected: str) -> None:
    assert render(source, SETTINGS, lang) == expected


def test_a_finding_prints_the_configured_number() -> None:
    data = copy.deepcopy(base_playbook())
    data["causes"][0]["details"] = text("Slower than {thresholds.dns_slow_ms} ms.")
    model = compile_data(data)
    config = Config(thresholds=Thresholds(dns_slow_ms=250))
    result = asyncio.run(
        diagnose_playbook(
            model,
            facts=StoredFacts(observations([("interface.up", False)])),
            questioner=None,
            audience="technician",
            config=config,
        )
    )
    assert {f.cause: f.details for f in result.findings}["a"] == "Slower than 250 ms."


@pytest.mark.parametrize(
    ("details", "message"),
    [
        ("Slower than dns_slow_ms.", "key name 'dns_slow_ms'"),
        ("Below expect.download_mbps.", "key name 'expect.download_mbps'"),
        ("Slower than {thresholds.dns_fast_ms} ms.", "names no setting"),
    ],
)
def test_validation_refuses_key_names_and_unknown_placeholders(details: str, message: str) -> None:
    data = copy.deepcopy(base_playbook())
    data["causes"][0]["details"] = text(details)
    assert any(message in str(p) for p in problems_of(data)), problems_of(data)


def test_placeholders_must_be_the_same_in_every_language() -> None:
    data = copy.deepcopy(base_playbook())
    data["causes"][0]["details"] = {
        "en": "Above {thresholds.dns_slow_ms} ms.",
        "de": "Über 400 ms.",
        "fr": "Au-delà de {thresholds.dns_slow_ms} ms.",
    }
    assert any("placeholders differ" in str(p) for p in problems_of(data))


def test_no_builtin_text_names_a_setting_by_its_key() -> None:
    keys = re.compile(r"(?<![{.\w])(" + "|".join(Thresholds.model_fields) + r")\b")
    for model in load_playbooks().playbooks:
        for cause in model.spec.causes:
            for texts in (cause.title, cause.explanation, cause.details):
                for value in texts.values():
                    assert not keys.search(re.sub(r"\{[^}]*\}", "", value)), (model.id, cause.id, value)


def _slow_dns_remedy_steps(extra: list[tuple[str, object]]) -> list[str]:
    model = next(m for m in load_playbooks().playbooks if m.spec.id == "slow-internet")
    facts = [
        ("interface.kind", "wired"),
        ("wifi.in_use", False),
        ("dns.best_latency_ms", 640.0),
        ("gateway.loss_pct", 0.0),
        ("mtu.full_ok", True),
        *extra,
    ]
    result = asyncio.run(
        diagnose_playbook(
            model,
            facts=StoredFacts(observations(facts)),
            questioner=None,
            audience="technician",
            config=Config(),
        )
    )
    finding = next(f for f in result.findings if f.cause == "dns_slow")
    remedy = next(r for r in finding.remedies if r.id == "faster_dns")
    return list(remedy.steps)


def test_the_faster_dns_remedy_names_the_measured_server_and_numbers() -> None:
    steps = _slow_dns_remedy_steps([("dns.public_best_ms", 24.0), ("dns.public_fastest", "9.9.9.9")])
    assert steps[0] == (
        "Measured here: 9.9.9.9 answered in 24 ms where your DNS server took 640 ms, "
        "so 9.9.9.9 is the one to set."
    )


def test_a_remedy_step_about_a_measurement_that_was_not_made_is_left_out() -> None:
    steps = _slow_dns_remedy_steps([])
    assert steps and not any("Measured here" in s or "?" in s for s in steps)


@pytest.mark.parametrize(
    ("source", "facts", "expected"),
    [
        (
            "{facts.dns.public_fastest} in {facts.dns.public_best_ms} ms",
            {"dns.public_best_ms": 23.5, "dns.public_fastest": "9.9.9.9"},
            "9.9.9.9 in 23.5 ms",
        ),
        ("{facts.dns.public_best_ms} ms", {"dns.public_best_ms": 23.5}, "23.5 ms"),
        ("{facts.dns.public_best_ms} ms", {}, "? ms"),
        ("{facts.dns.public_fastest}", {"dns.public_fastest": "a\x1b[31mb" + "x" * 100}, "a[31mb" + "x" * 57),
    ],
)
def test_fact_placeholders(source: str, facts: dict[str, object], expected: str) -> None:
    assert render(source, {**SETTINGS, "facts": facts}, "en") == expected


def test_fact_placeholders_must_name_a_fact_and_match_across_languages() -> None:
    data = copy.deepcopy(base_playbook())
    data["causes"][0]["details"] = {
        "en": "Took {facts.dns.best_latency_ms} ms.",
        "de": "Dauerte lange.",
        "fr": "A pris {facts.dns.best_latency_ms} ms.",
    }
    assert any("placeholders differ" in str(p) for p in problems_of(data))
