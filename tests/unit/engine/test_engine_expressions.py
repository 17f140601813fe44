"""The CEL sandbox: what compiles, what is refused, and the evaluation budget."""

from __future__ import annotations

import re

import pytest

from homediag.engine import expressions
from homediag.engine.expressions import (
    Budget,
    BudgetExceeded,
    ExpressionError,
    MissingInput,
    Scope,
    compile_expression,
)


@pytest.mark.parametrize(
    ("source", "variables", "expected"),
    [
        pytest.param(
            "value > thresholds.dns_slow_ms",
            {"value": 500, "thresholds": {"dns_slow_ms": 400.0}},
            True,
            id="int fact against a double threshold",
        ),
        pytest.param("value > 2", {"value": 3}, True, id="double fact against an int literal"),
        pytest.param("values.all(v, v == false)", {"values": [False, False]}, True, id="all macro"),
        pytest.param(
            "values.exists(v, v.startsWith('media-jam'))",
            {"values": ["media-jam-x"]},
            True,
            id="exists with startsWith",
        ),
        pytest.param(
            "answers.happening_now == 'yes'",
            {"answers": {"happening_now": "yes"}},
            True,
            id="answers by dot",
        ),
        pytest.param(
            "facts['gateway.reachable'] == true",
            {"facts": {"gateway.reachable": True}},
            True,
            id="facts by index",
        ),
        pytest.param("value ? 'up' : 'down'", {"value": False}, "down", id="outcome expression"),
        pytest.param("size(value) == 0", {"value": []}, True, id="size of a list"),
        pytest.param("value == null", {"value": None}, True, id="null"),
        pytest.param(
            "value < (expect.download_mbps != null ? expect.download_mbps * 0.5 : 10.0)",
            {"value": 4.0, "expect": {"download_mbps": None}},
            True,
            id="optional expectation",
        ),
    ],
)
def test_evaluation(source: str, variables: dict[str, object], expected: object) -> None:
    assert compile_expression(source).evaluate(variables, Budget()) == expected


@pytest.mark.parametrize(
    ("source", "message"),
    [
        pytest.param(
            "value.matches('(a+)+$')", "function not allowed", id="regex (backtracking re)"
        ),
        pytest.param("os.system('x')", "function not allowed", id="method on an unknown object"),
        pytest.param("os.path == 1", "unknown name 'os'", id="unknown root name"),
        pytest.param("__import__('os')", "function not allowed", id="python builtins"),
        pytest.param("value +", "not valid CEL", id="syntax error"),
        pytest.param("", "empty", id="empty"),
        pytest.param("value == " + " + ".join(["1"] * 400), "longer than", id="too long"),
        pytest.param("x > 1", "unknown name 'x'", id="undeclared variable"),
    ],
)
def test_refused_expressions(source: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message):
        compile_expression(source)


def test_too_complex(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(expressions, "MAX_NODES", 20)
    with pytest.raises(ExpressionError, match="too complex"):
        compile_expression("value > 1 && value < 5 && value != 3")


def test_macro_variables_are_not_unknown_names() -> None:
    expression = compile_expression("values.exists(r, r == 'x')")
    assert expression.names == frozenset({"values"})


def test_a_missing_key_is_an_expression_error_not_a_crash() -> None:
    with pytest.raises(ExpressionError, match=r"no such member|no value"):
        compile_expression("answers.q == 'yes'").evaluate({"answers": {}}, Budget())


def test_type_mismatch_is_an_expression_error() -> None:
    with pytest.raises(ExpressionError):
        compile_expression("value + 1 == 2").evaluate({"value": "text"}, Budget())


def test_hostile_value_hits_the_per_evaluation_cap() -> None:
    expression = compile_expression("values.map(a, values.map(b, values.map(c, 1)))")
    budget = Budget()
    with pytest.raises(BudgetExceeded, match="one evaluation"):
        expression.evaluate({"values": list(range(200))}, budget)
    assert budget.spent <= expressions.STEPS_PER_EVALUATION + 1


def test_the_total_budget_is_shared_and_deterministic() -> None:
    expression = compile_expression("value > 1.0")
    budget = Budget(total=500)
    results = []
    with pytest.raises(BudgetExceeded, match="budget"):
        for _ in range(1000):
            results.append(expression.evaluate({"value": 2.0}, budget))
    again = Budget(total=500)
    count = 0
    with pytest.raises(BudgetExceeded):
        for _ in range(1000):
            expression.evaluate({"value": 2.0}, again)
            count += 1
    assert count == len(results) > 0


def test_large_inputs_are_capped_before_evaluation() -> None:
    huge = list(range(100_000))
    assert compile_expression("size(values)").evaluate({"values": huge}, Budget()) == (
        expressions.MAX_LIST_ITEMS
    )
    long_text = "x" * 100_000
    assert compile_expression("size(value)").evaluate({"value": long_text}, Budget()) == (
        expressions.MAX_STRING_CHARS
    )


def test_static_references_allow_caching() -> None:
    static = compile_expression("facts['gateway.reachable'] == true && answers.q == 'yes'")
    assert static.static_refs
    assert static.fact_refs == {"gateway.reachable"}
    assert static.answer_refs == {"q"}
    dynamic = compile_expression("size(facts) > 1")
    assert not dynamic.static_refs


def test_scope_converts_only_what_an_expression_reads() -> None:
    class Exploding(dict[str, object]):
        def items(self):  # type: ignore[override]
            raise AssertionError("facts must not be converted")

    scope = Scope({"facts": Exploding(), "value": 3.0})
    assert compile_expression("value > 1.0").evaluate(scope, Budget()) is True
    child = scope.child({"value": 0.0})
    assert compile_expression("value > 1.0").evaluate(child, Budget()) is False


@pytest.mark.parametrize(
    ("source", "variables", "expected"),
    [
        pytest.param(
            "value < (expect.download_mbps != null ? expect.download_mbps * 0.5 : 10.0)",
            {"value": 5.0, "expect": {"download_mbps": 50}},
            True,
            id="a plan written 50 (int)",
        ),
        pytest.param(
            "value < (expect.download_mbps != null ? expect.download_mbps * 0.5 : 10.0)",
            {"value": 5.0, "expect": {"download_mbps": 50.0}},
            True,
            id="a plan written 50.0",
        ),
        pytest.param("value == 0", {"value": 0.0}, True, id="a double equals an int literal"),
        pytest.param("value != 1", {"value": 1}, False, id="an int fact against an int literal"),
        pytest.param("value == null", {"value": 3.0}, False, id="a number is not null"),
        pytest.param("value == 'x'", {"value": 3.0}, False, id="different types are unequal"),
        pytest.param("size(values) > 1.0", {"values": [1, 2]}, True, id="an int size against a double"),
        pytest.param("value in [5, 6]", {"value": 5.0}, True, id="in with an int list"),
        pytest.param("'a' in {'a': 1}", {}, True, id="in a map's keys"),
        pytest.param("[1.0, 2.0] == [1.0, 2.0]", {}, True, id="lists of the same type"),
    ],
)
def test_numbers_and_null_compare_as_cel_specifies(
    source: str, variables: dict[str, object], expected: object
) -> None:
    assert compile_expression(source).evaluate(variables, Budget()) == expected


@pytest.mark.parametrize(
    ("source", "variables", "missing"),
    [
        pytest.param(
            "facts['dns.any_ok'] == true", {"facts": {}}, "facts['dns.any_ok']", id="a fact not observed"
        ),
        pytest.param("value ? 'moved' : 'same'", {"value": None}, "value", id="a null value"),
        pytest.param("values.all(v, v > 1.0)", {"values": [2.0, None]}, "values", id="a null among values"),
        pytest.param("answers.now == 'yes'", {"answers": {}}, "answers['now']", id="an unanswered question"),
        pytest.param("ctx.hour >= 18", {"ctx": {"audience": "customer"}}, "ctx.hour", id="no clock"),
        pytest.param(
            "value < expect.download_mbps * 0.5",
            {"value": 1.0, "expect": {"download_mbps": None}},
            "expect.download_mbps",
            id="no plan",
        ),
    ],
)
def test_a_failure_on_something_missing_is_missing_input(
    source: str, variables: dict[str, object], missing: str
) -> None:
    with pytest.raises(MissingInput, match=re.escape(missing)):
        compile_expression(source).evaluate(variables, Budget())


@pytest.mark.parametrize(
    ("source", "variables"),
    [
        pytest.param("value * 'x' > 1.0", {"value": 2.0}, id="a number times a string"),
        pytest.param("value.startsWith('x')", {"value": 2.0}, id="a string function on a number"),
        pytest.param("facts['a'] + 1.0 > 0.0", {"facts": {"a": "text"}}, id="a fact of the wrong type"),
    ],
)
def test_a_failure_with_everything_there_is_an_error_of_the_playbook(
    source: str, variables: dict[str, object]
) -> None:
    with pytest.raises(ExpressionError) as raised:
        compile_expression(source).evaluate(variables, Budget())
    assert not isinstance(raised.value, MissingInput)
