"""Finding the values redaction has learned (device names, SSIDs, serials...) again in free text.

A report can teach the redactor thousands of values, some of them long (a UPnP ``friendlyName`` of
sixty CJK characters is 540 characters once URL-encoded). Matching them must stay linear in the
text and in the values: an earlier version built one nested regex trie, which Python compiled
recursively and which raised ``RecursionError`` on a single long name.

So the values go into an Aho-Corasick automaton (:mod:`ahocorasick_rs`, a maintained Rust library)
keyed by their first :data:`PREFIX_CHARS` characters, which keeps building it cheap however long
the values are; each hit is then verified against the whole values that share that key (longest
first, at C speed with ``str.startswith``). The result is leftmost-longest and never overlapping, as
a regex alternation of the values would be.

Matching ignores case (``str.lower``, with the one character whose lower case is longer, ``İ``,
folded to ``i`` first so that positions in the folded text are positions in the original). Values
that are short or one ordinary Latin word only match as whole words, so that learning "Kitchen"
never touches "Kitchenette".
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick_rs

PREFIX_CHARS = 48
"""How many leading characters of a value go into the automaton."""


def fold(text: str) -> str:
    """``text`` in lower case, with exactly as many characters as ``text``."""
    if "\u0130" in text:
        text = text.replace("\u0130", "i")
    return text.lower()


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


@dataclass(frozen=True)
class Span:
    """Where a learned value was found, and what replaces it."""

    start: int
    end: int
    replacement: str


class KnownValues:
    """A set of learned values (folded text → replacement), searchable in linear time."""

    def __init__(self, values: Iterable[tuple[str, str, bool]]) -> None:
        """``values``: (value, replacement, whole_word) triples; the value is folded here."""
        self._replacements: dict[str, tuple[str, bool]] = {}
        for value, replacement, whole_word in values:
            folded = fold(value)
            if folded and folded not in self._replacements:
                self._replacements[folded] = (replacement, whole_word)
        groups: dict[str, list[str]] = {}
        for folded in self._replacements:
            groups.setdefault(folded[:PREFIX_CHARS], []).append(folded)
        keys = list(groups)
        self._keys = keys
        self._index = {key: i for i, key in enumerate(keys)}
        self._own = [sorted(groups[key], key=len, reverse=True) for key in keys]
        self._shorter: dict[int, list[str]] = {}
        self._shortest = min((len(key) for key in keys), default=0)
        self._automaton = (
            ahocorasick_rs.AhoCorasick(keys, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
            if keys
            else None
        )

    def __len__(self) -> int:
        return len(self._replacements)

    def spans(self, text: str) -> list[Span]:
        """The learned values in ``text``: leftmost-longest, not overlapping, in order."""
        automaton = self._automaton
        if automaton is None or len(text) < self._shortest:
            return []
        folded = fold(text)
        hits = [(start, -(end - start), key) for key, start, end in automaton.find_matches_as_indexes(folded)]
        if not hits:
            return []
        heapq.heapify(hits)
        found: list[Span] = []
        done = 0  # text before this index is decided
        seen: set[tuple[int, int]] = set()
        while hits:
            start, negative_length, key = heapq.heappop(hits)
            end = start - negative_length
            if start < done:
                rescan = done  # inside a value found before, but reaching past it
            elif (start, key) in seen:
                continue
            else:
                seen.add((start, key))
                value = self._verify(text, folded, key, start)
                if value is not None:
                    found.append(Span(start, start + len(value), self._replacements[value][0]))
                    done = start + len(value)
                    rescan = done
                else:
                    rescan = start + 1
            if rescan < end:
                # The scan jumped over keys that start inside this hit (no value matched it whole,
                # or a shorter one did): look for them in a window from there.
                window = folded[rescan : end + PREFIX_CHARS]
                for other, other_start, other_end in automaton.find_matches_as_indexes(window):
                    if rescan + other_start < end:
                        heapq.heappush(hits, (rescan + other_start, other_start - other_end, other))
        return found

    def _verify(self, text: str, folded: str, key: int, start: int) -> str | None:
        for value in self._own[key]:
            if self._matches(text, folded, value, start):
                return value
        for value in self._shorter_values(key):
            if self._matches(text, folded, value, start):
                return value
        return None

    def _shorter_values(self, key: int) -> list[str]:
        """The values of the keys that are prefixes of ``key`` (one may match where the longest
        does not), longest first; worked out on first need, as most keys never need it."""
        values = self._shorter.get(key)
        if values is None:
            text = self._keys[key]
            values = []
            for length in range(len(text) - 1, 0, -1):
                shorter = self._index.get(text[:length])
                if shorter is not None:
                    values += self._own[shorter]
            self._shorter[key] = values
        return values

    def _matches(self, text: str, folded: str, value: str, start: int) -> bool:
        if not folded.startswith(value, start):
            return False
        if self._replacements[value][1]:
            end = start + len(value)
            if start > 0 and _is_word_char(text[start - 1]):
                return False
            if end < len(text) and _is_word_char(text[end]):
                return False
        return True
