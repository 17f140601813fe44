"""Minimal hitting sets: multi-fault candidates from the 'can explain' sets of abnormal findings."""

from __future__ import annotations

import pytest

from homediag.engine.hitting import minimal_hitting_sets


@pytest.mark.parametrize(
    ("families", "expected"),
    [
        pytest.param([{"a"}, {"b"}], [("a", "b")], id="two findings, one cause each"),
        pytest.param([{"a", "b"}, {"b", "c"}], [("b",), ("a", "c")], id="a single cause first"),
        pytest.param([{"a"}, {"b"}, {"c"}], [("a", "b", "c")], id="three faults"),
        pytest.param([{"a"}, {"b"}, {"c"}, {"d"}], [], id="more than three faults: none"),
        pytest.param([{"a", "b"}], [("a",), ("b",)], id="one finding"),
        pytest.param([set(), {"a"}], [], id="an unexplained finding cannot be hit"),
        pytest.param([], [()], id="nothing to explain"),
        pytest.param(
            [{"a", "b"}, {"a", "c"}, {"b", "c"}],
            [("a", "b"), ("a", "c"), ("b", "c")],
            id="pairs, none contains another",
        ),
    ],
)
def test_minimal_hitting_sets(families: list[set[str]], expected: list[tuple[str, ...]]) -> None:
    assert minimal_hitting_sets(families) == expected


def test_results_are_minimal_and_hit_everything() -> None:
    families = [{"a", "b", "c"}, {"c", "d"}, {"a", "d"}, {"b", "e"}]
    found = minimal_hitting_sets(families)
    for candidate in found:
        assert all(set(candidate) & f for f in families)
        for other in found:
            assert other == candidate or not set(other) < set(candidate)
    assert [len(c) for c in found] == sorted(len(c) for c in found)


def test_limit() -> None:
    families = [{"a", "b", "c", "d"}, {"e", "f", "g", "h"}]
    assert len(minimal_hitting_sets(families, limit=5)) == 5
