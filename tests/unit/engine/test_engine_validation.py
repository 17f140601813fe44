"""Playbook validation: schema and lint errors name the file and line; drafts warn instead."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from engine_builders import (
    CATALOGUE,
    base_playbook,
    cause,
    compile_data,
    dump,
    probe_test,
    problems_of,
    remedy,
)

from homediag.engine.catalog import validate_one
from homediag.engine.loader import load_text


def _edit(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = copy.deepcopy(base_playbook())
    change(data)
    return data


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _delete(path: tuple[Any, ...]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


def _add_cause_without_remedy(data: dict[str, Any]) -> None:
    data["causes"].append(cause("c", 0.05, "dns.slow"))
    data["leak"]["prior"] = 0.05
    data["tests"][2]["effects"]["c"] = {"yes": 0.1, "no": 0.9}


def _indistinguishable(data: dict[str, Any]) -> None:
    data["tests"] = [data["tests"][2]]  # only the question about a: a and b differ in remedies
    data["tests"][0]["effects"] = {"a": {"yes": 0.9, "no": 0.1}, "b": {"yes": 0.9, "no": 0.1}}
    data["remedies"][0]["verify"] = {"test": "qa", "expect": "no"}


CASES = [
    pytest.param(_set(("leak", "prior"), 0), "greater than 0", id="a prior weight of zero"),
    pytest.param(_set(("causes", 0, "prior"), float("inf")), "finite number", id="an infinite prior weight"),
    pytest.param(
        _set(("tests", 0, "normal"), {"good": 0.9, "bad": 0.2}),
        "not 1",
        id="normal does not sum to 1",
    ),
    pytest.param(
        _set(("tests", 0, "effects"), {"zz": {"good": 0.5, "bad": 0.5}}),
        "'zz' is not a cause",
        id="effects on an unknown cause",
    ),
    pytest.param(
        _set(("tests", 0, "effects"), {"a": {"good": 0.5, "maybe": 0.5}}),
        "every outcome",
        id="effects with a wrong outcome",
    ),
    pytest.param(
        _set(("tests", 0, "outcomes"), [True, False]),
        "valid string",
        id="outcomes that are booleans",
    ),
    pytest.param(
        _set(("causes", 0, "code"), "link.unplugged"),
        "unknown problem code",
        id="unknown problem code",
    ),
    pytest.param(
        _set(("causes", 0, "title"), {"en": "x", "de": "y"}),
        "lacks language",
        id="missing translation",
    ),
    pytest.param(
        _set(("causes", 0, "title"), {"en": "Same", "de": "Same", "fr": "Pareil"}),
        "copy of the English",
        id="translation copied from English",
    ),
    pytest.param(_set(("tests", 0, "fact"), "interface.upp"), "unknown fact", id="unknown fact"),
    pytest.param(_set(("tests", 0, "map"), "value >"), "not valid CEL", id="CEL syntax error"),
    pytest.param(
        _set(("tests", 0, "map"), "value.matches('x')"),
        "not allowed",
        id="CEL function not allowed",
    ),
    pytest.param(
        _set(("tests", 0, "requires"), "answers.nope == 'x'"),
        "no question 'nope'",
        id="requires reads an unknown question",
    ),
    pytest.param(
        _set(("remedies", 0, "verify"), {"test": "nope", "expect": "x"}),
        "no test 'nope'",
        id="verifier test does not exist",
    ),
    pytest.param(
        _set(("remedies", 0, "verify"), {"test": "qa", "expect": "maybe"}),
        "not an outcome of qa",
        id="verifier outcome does not exist",
    ),
    pytest.param(
        _set(("remedies", 0, "fixes"), {"zz": 0.5}),
        "'zz' is not a cause",
        id="remedy fixes an unknown cause",
    ),
    pytest.param(_add_cause_without_remedy, "has no remedy", id="cause without remedy"),
    pytest.param(_set(("tests", 1, "id"), "ta"), "duplicate id", id="duplicate test id"),
    pytest.param(_set(("causes", 1, "id"), "unknown"), "reserved", id="reserved cause id"),
    pytest.param(_set(("tests", 0, "extra_key"), 1), "unknown key", id="unknown key"),
    pytest.param(_delete(("escalation",)), "escalation: required", id="missing section"),
    pytest.param(
        _set(("tests", 0, "rules_out"), {"good": ["zz"]}),
        "'zz' is not a cause",
        id="shorthand on an unknown cause",
    ),
    pytest.param(
        _set(("tests", 0, "rules_out"), {"good": ["a"]}),
        "explicit effects too",
        id="shorthand and explicit effects",
    ),
    pytest.param(
        _set(("tests", 0, "valid_if"), "answers.qa == 'yes'"),
        "valid_if needs window",
        id="validity window without words",
    ),
    pytest.param(_indistinguishable, "no test tells 'a' from 'b'", id="indistinguishable causes"),
    pytest.param(
        lambda d: d["remedies"][0].update(disruptive=True, safe_for_customer=True),
        "say what it disrupts",
        id="a disruptive remedy for customers without disrupts",
    ),
    pytest.param(
        _set(("guide",), {"position": 1, "fixed": {"en": "it works again", "de": "es geht wieder"}}),
        "lacks language",
        id="a guide text without French",
    ),
    pytest.param(
        _set(("guide",), {"position": 0, "fixed": {"en": "ok", "de": "gut", "fr": "bon"}}),
        "greater than or equal to 1",
        id="a menu position of zero",
    ),
    pytest.param(
        _set(
            ("tests", 0, "map"),
            [{"outcome": "good", "when": {"gt": {"threshold": "nope"}}}, {"outcome": "bad"}],
        ),
        "unknown threshold",
        id="unknown threshold",
    ),
]


@pytest.mark.parametrize(("change", "message"), CASES)
def test_invalid_playbooks_are_refused_with_a_line(
    change: Callable[[dict[str, Any]], None], message: str
) -> None:
    problems = problems_of(_edit(change))
    errors = [p for p in problems if p.severity == "error"]
    assert errors, "expected an error"
    assert any(message in p.message for p in errors), [str(p) for p in errors]
    assert all(p.source == "sample.yaml" for p in errors)
    assert any(p.line is not None for p in errors if message in p.message)


def test_the_base_playbook_is_valid_without_warnings() -> None:
    assert problems_of(base_playbook()) == []


def test_error_points_at_the_offending_line() -> None:
    data = _edit(_set(("causes", 1, "prior"), -0.5))
    raw = dump(data)
    _, problems = validate_one(raw, "sample.yaml")
    doc = load_text(raw.decode(), "sample.yaml")
    assert problems[0].line == doc.line_of(("causes", 1, "prior"))
    assert str(problems[0]).startswith(f"sample.yaml:{problems[0].line}: error: causes.1.prior")


def test_drafts_warn_about_unknown_facts_and_ambiguity() -> None:
    data = _edit(_set(("tests", 0, "fact"), "printer.no_such_fact"))
    data["draft"] = True
    model, problems = validate_one(dump(data), "sample.yaml", CATALOGUE)
    assert model is not None
    assert {p.severity for p in problems} == {"warning"}
    assert any("draft playbook" in p.message for p in problems)
    assert any("unknown fact 'printer.no_such_fact'" in p.message for p in problems)


def test_without_a_catalogue_facts_are_not_checked_and_with_one_they_are() -> None:
    data = dump(_edit(_set(("tests", 0, "fact"), "interface.upp")))
    assert not [p for p in validate_one(data, "sample.yaml")[1] if "unknown fact" in p.message]
    assert [p for p in validate_one(data, "sample.yaml", CATALOGUE)[1] if "unknown fact" in p.message]


def test_whitelisted_untranslated_text_is_allowed() -> None:
    data = _edit(_set(("causes", 0, "title"), {"en": "UPnP", "de": "UPnP", "fr": "UPnP"}))
    assert any("copy of the English" in p.message for p in problems_of(data))
    data["keep_untranslated"] = ["UPnP"]
    assert problems_of(data) == []


def test_sugar_compiles_to_likelihoods() -> None:
    data = base_playbook()
    data["tests"].append(
        {
            **probe_test("tc", "dns.any_ok", {}),
            "outcomes": ["good", "bad", "odd"],
            "map": "value ? 'good' : 'bad'",
            "normal": {"good": 0.8, "bad": 0.1, "odd": 0.1},
            "rules_out": {"good": ["a"]},
            "suggests": {"bad": ["b"]},
        }
    )
    model = compile_data(data)
    effects = model.test("tc").effects
    assert effects["a"] == pytest.approx((0.03, 0.97 / 2, 0.97 / 2))
    assert effects["b"] == pytest.approx((0.15 * 0.8 / 0.9, 0.85, 0.15 * 0.1 / 0.9))


def test_json_schema_is_exported() -> None:
    from homediag.engine.schema import json_schema

    schema = json_schema()
    assert '"apiVersion"' in schema and '"rules_out"' in schema


def test_priors_are_relative_weights_the_loader_normalises() -> None:
    data = base_playbook()
    data["causes"][0]["prior"] = 3
    data["causes"][1]["prior"] = 1.5
    data["leak"]["prior"] = 0.5
    assert problems_of(data) == []
    model = compile_data(data)
    assert model.priors == {"a": 0.6, "b": 0.3, "unknown": 0.1}
    assert [h.prior for h in model.hypotheses] == [0.6, 0.3, 0.1]
    assert model.multi_fault(["a", "b"]).prior == 0.6 * 0.3


def test_adding_a_cause_never_edits_its_siblings() -> None:
    before = compile_data(base_playbook())
    data = base_playbook()
    data["causes"].append(cause("c", 0.1, "dns.slow"))
    data["tests"][2]["effects"]["c"] = {"yes": 0.2, "no": 0.8}
    data["remedies"].append(remedy("fix_c", {"c": 0.9}))
    assert problems_of(data) == []
    after = compile_data(data)
    ratio = after.priors["a"] / after.priors["b"]
    assert ratio == pytest.approx(before.priors["a"] / before.priors["b"])
    assert sum(after.priors.values()) == pytest.approx(1.0)


def test_the_builtin_playbooks_priors_are_their_weights_scaled_without_advisories() -> None:
    from homediag.core.codes import is_advisory
    from homediag.engine.catalog import validate

    for model in validate(catalogue=CATALOGUE).playbooks:
        declared = {c.id: c.prior for c in model.spec.causes if not is_advisory(c.code)}
        declared |= {i.id: i.prior for i in model.spec.interactions}
        declared["unknown"] = model.spec.leak.prior
        total = sum(declared.values())
        assert dict(model.priors) == pytest.approx({k: v / total for k, v in declared.items()}), model.id
        assert {h.id for h in model.advisories} == {
            c.id for c in model.spec.causes if is_advisory(c.code)
        }, model.id



@pytest.mark.parametrize(
    "change",
    [
        {"disruptive": True, "disrupts": {"en": "Offline", "de": "Offline sein", "fr": "Hors ligne"}},
        {"disruptive": True, "safe_for_customer": False},
    ],
    ids=["says what it disrupts", "technicians only"],
)
def test_a_disruptive_remedy_is_valid_when_it_says_what_it_disrupts_or_is_not_for_customers(
    change: dict[str, Any],
) -> None:
    data = _edit(lambda d: d["remedies"][0].update(change))
    assert [p for p in problems_of(data) if p.severity == "error"] == []
