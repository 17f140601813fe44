"""Strict YAML loading: YAML 1.2 scalars, refused constructs, and lines for error messages."""

from __future__ import annotations

import pytest
import yaml

from homediag.engine import loader
from homediag.engine.loader import LoadError, load_bytes, load_text, resolve_plain


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("yes", "yes", id="yes stays a string"),
        pytest.param("no", "no", id="no stays a string"),
        pytest.param("on", "on", id="on stays a string"),
        pytest.param("off", "off", id="off stays a string"),
        pytest.param("True", True, id="True is a boolean"),
        pytest.param("false", False, id="false is a boolean"),
        pytest.param("012", 12, id="leading zero is decimal, not octal"),
        pytest.param("0x1f", 31, id="hex"),
        pytest.param("0o17", 15, id="octal with 0o"),
        pytest.param("1:30", "1:30", id="no sexagesimal numbers"),
        pytest.param("2024-01-01", "2024-01-01", id="no timestamps"),
        pytest.param("1.5e3", 1500.0, id="float with exponent"),
        pytest.param("~", None, id="tilde is null"),
        pytest.param("", None, id="empty is null"),
        pytest.param("up", "up", id="plain word"),
    ],
)
def test_plain_scalars_follow_yaml_1_2(text: str, expected: object) -> None:
    assert resolve_plain(text) == expected
    assert type(resolve_plain(text)) is type(expected)


def test_quoted_scalars_are_always_strings() -> None:
    doc = load_text("a: \"true\"\nb: '12'\nc: |\n  yes\n")
    assert doc.data == {"a": "true", "b": "12", "c": "yes\n"}


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        pytest.param("a: 1\nb: 2\na: 3\n", 3, "duplicate key 'a'", id="duplicate key"),
        pytest.param("a: &x [1]\nb: *x\n", None, "aliases", id="alias"),
        pytest.param("a: !!python/object x\n", 1, "custom tags", id="python tag"),
        pytest.param("a: !custom x\n", 1, "custom tags", id="custom tag"),
        pytest.param("x: 1\ntrue: 1\n", 2, "quote it", id="boolean key"),
        pytest.param("x: 1\n7: 1\n", 2, "quote it", id="integer key"),
        pytest.param("a: [1, 2\n", None, "not valid YAML", id="unclosed flow"),
        pytest.param("a:\n  - b\n c: d\n", 3, "not valid YAML", id="bad indentation"),
    ],
)
def test_refused_documents_name_the_line(text: str, line: int | None, message: str) -> None:
    with pytest.raises(LoadError) as info:
        load_text(text, "pb.yaml")
    assert message in str(info.value)
    assert str(info.value).startswith("pb.yaml")
    if line is not None:
        assert info.value.line == line


def test_lines_are_kept_for_keys_and_items() -> None:
    doc = load_text("id: x\ntests:\n  - id: t1\n    outcomes: [a, b]\n  - id: t2\n", "pb.yaml")
    assert doc.line_of(("tests", 1, "id")) == 5
    assert doc.line_of(("tests", 0, "outcomes", 1)) == 4
    assert doc.where(("tests", 0, "missing", "deeper")) == "pb.yaml:3"


def test_size_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_BYTES", 100)
    with pytest.raises(LoadError, match="larger than"):
        load_bytes(b"a: " + b"x" * 200, "big.yaml")


def test_depth_cap() -> None:
    deep = "a: " + "[" * (loader.MAX_DEPTH + 5) + "]" * (loader.MAX_DEPTH + 5)
    with pytest.raises(LoadError, match="nested deeper"):
        load_text(deep)


def test_not_utf8() -> None:
    with pytest.raises(LoadError, match="UTF-8"):
        load_bytes(b"a: \xff\xfe", "bin.yaml")


def test_python_composer_gives_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    text = 'id: x\nvals: [yes, no, 012, "1", 1.5, ~]\nm: {k: v}\n'
    fast = load_text(text)
    monkeypatch.setattr(loader, "_LOADER", yaml.BaseLoader)
    slow = load_text(text)
    assert (
        fast.data
        == slow.data
        == {
            "id": "x",
            "vals": ["yes", "no", 12, "1", 1.5, None],
            "m": {"k": "v"},
        }
    )
    assert dict(fast.lines) == dict(slow.lines)
