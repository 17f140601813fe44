"""Learned values are found again in text in linear time, as a regex alternation of them would find them."""

from __future__ import annotations

import re
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from homediag.reports.known import PREFIX_CHARS, KnownValues, Span, fold


def reference(values: list[tuple[str, str, bool]], text: str) -> list[Span]:
    """One escaped alternation, longest first: what KnownValues must agree with."""
    entries: dict[str, tuple[str, bool]] = {}
    for value, replacement, whole in values:
        entries.setdefault(fold(value), (replacement, whole))
    parts = [
        rf"(?<!\w){re.escape(v)}(?!\w)" if whole else re.escape(v)
        for v, (_r, whole) in sorted(entries.items(), key=lambda item: -len(item[0]))
    ]
    if not parts:
        return []
    pattern = re.compile("|".join(parts))
    folded = fold(text)
    return [Span(m.start(), m.end(), entries[m.group(0)][0]) for m in pattern.finditer(folded)]


def test_whole_words_and_anywhere_values() -> None:
    known = KnownValues([("Kitchen", "host-1", True), ("Anna Müller WLAN", "ssid-1", False)])
    text = "Kitchen speaker, kitchenette, anna müller wlan2"
    assert known.spans(text) == [Span(0, 7, "host-1"), Span(30, 46, "ssid-1")]


def test_a_long_value_whose_start_matches_falls_back_to_shorter_ones() -> None:
    long_value = "anna " + "x" * (PREFIX_CHARS + 20)
    known = KnownValues([(long_value, "A", False), ("anna", "B", True), ("xxxxxx", "C", False)])
    text = "anna " + "x" * (PREFIX_CHARS + 5) + " end"
    spans = known.spans(text)
    assert spans[0] == Span(0, 4, "B")
    assert spans[1] == Span(5, 11, "C")  # inside the span the long value's key matched
    assert spans == reference([(long_value, "A", False), ("anna", "B", True), ("xxxxxx", "C", False)], text)


def test_case_is_ignored_and_positions_are_those_of_the_original() -> None:
    known = KnownValues([("istanbul office", "place-1", False)])
    text = "İ: İSTANBUL OFFICE"
    assert known.spans(text) == [Span(3, 18, "place-1")]


def test_a_long_cjk_name_and_its_encoded_form() -> None:
    name = "客厅的电视机" * 10 + " TV"
    encoded = "".join(f"%{b:02X}" for b in name.encode()).replace("%20", "+")
    known = KnownValues([(name, "media-1", False), (encoded, "media-1", False)])
    text = f"friendlyName={encoded}; {name}"
    assert [s.replacement for s in known.spans(text)] == ["media-1", "media-1"]


def test_ten_thousand_long_values_build_in_linear_time() -> None:
    # Not a timing assertion (benchmarks/ measures that): this must simply finish, where the
    # recursive trie it replaces raised RecursionError on one value of a thousand characters.
    values = [(f"{i:05d} " + "値" * 995, f"host-{i + 1}", False) for i in range(10_000)]
    started = time.perf_counter()
    known = KnownValues(values)
    assert len(known) == 10_000
    text = " / ".join(v for v, _r, _w in values[::1000])
    assert [s.replacement for s in known.spans(text)] == [f"host-{i + 1}" for i in range(0, 10_000, 1000)]
    assert time.perf_counter() - started < 60


ALPHABET = st.sampled_from(list("aAbü Ü-_x.İ"))
WORDS = st.text(ALPHABET, min_size=1, max_size=8)


@settings(max_examples=400, deadline=None)
@given(
    values=st.lists(st.tuples(WORDS, st.sampled_from(["R1", "R2"]), st.booleans()), max_size=6),
    text=st.text(ALPHABET, max_size=60),
)
def test_agrees_with_an_alternation_sorted_by_length(values: list[tuple[str, str, bool]], text: str) -> None:
    assert KnownValues(values).spans(text) == reference(values, text)


@settings(max_examples=200, deadline=None)
@given(
    stem=st.text(ALPHABET, min_size=PREFIX_CHARS, max_size=PREFIX_CHARS + 4),
    tails=st.lists(st.text(ALPHABET, max_size=4), min_size=1, max_size=4),
    text_tail=st.text(ALPHABET, max_size=8),
    whole=st.booleans(),
)
def test_agrees_on_values_longer_than_the_automaton_key(
    stem: str, tails: list[str], text_tail: str, whole: bool
) -> None:
    values = [(stem + tail, f"R{i}", whole) for i, tail in enumerate(tails)]
    values += [(stem[:3], "S", True), (stem[5:9], "T", False)]
    text = f"x {stem}{text_tail} {stem}{tails[0]}"
    assert KnownValues(values).spans(text) == reference(values, text)


def test_a_long_cjk_friendly_name_is_redacted_not_a_recursion_error() -> None:
    import dataclasses
    import urllib.parse

    from homediag.core.model import Observation
    from homediag.reports.document import dump_report
    from homediag.reports.redact import redact
    from homediag.reports.tokens import TokenStore
    from tests.reports.conftest import FIXED_KEY, fixture

    name = "客厅里的大电视机" * 7 + "-4K"  # 59 characters: 530 once URL-encoded
    report = fixture("canary")
    tv = dataclasses.replace(report.devices[0], names=(name,))
    upnp = Observation(fact="upnp.devices", value=[{"friendlyName": name}], source="discovery.ssdp",
                       evidence=f"http://10.77.0.9/desc.xml?name={urllib.parse.quote(name)}")  # fmt: skip
    report = dataclasses.replace(
        report, devices=(tv, *report.devices[1:]), observations=(*report.observations, upnp)
    )
    text = dump_report(redact(report, TokenStore(FIXED_KEY)))
    assert name not in text and urllib.parse.quote(name) not in text
    assert "客厅里的大电视机" not in text
