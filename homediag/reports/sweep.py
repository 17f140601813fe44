"""The final layer of redaction: the sweep over every free-text string of a report.

It replaces every value the fields taught redaction (found by an Aho-Corasick automaton, in raw,
URL-encoded and separator-free forms), and whatever the patterns of :mod:`homediag.reports.patterns`
recognise: MACs in every notation, IPv4 and IPv6 addresses, UUIDs, long hex ids, e-mail addresses,
labelled serials, possessive device names, internal device ids, coordinates, secrets after their
label (docs/report-format.md#redaction).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from homediag.reports.known import KnownValues, fold
from homediag.reports.patterns import (
    CANDIDATE_WORD,
    PHRASE_GATE,
    PHRASES,
    REDACTED,
    WORDS,
    parse_address,
    without_secret,
)
from homediag.reports.pseudonyms import Pseudonyms
from homediag.reports.tokens import is_token

_SERIAL_VALUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{3,40}$")


class TextSweeper:
    """Sweeps free text with the replacements of one redaction (its :class:`Pseudonyms`)."""

    def __init__(self, pseudonyms: Pseudonyms) -> None:
        self.pseudonyms = pseudonyms
        self.matcher: KnownValues | None = None
        """The learned values to find (None: only the patterns); set once pass 1 has learned them."""
        self._outcomes: frozenset[str] = frozenset()
        """The words of the outcome of the evidence item being swept: values, never secrets."""

    def sweep(self, text: str, outcomes: frozenset[str] = frozenset()) -> str:
        """``text`` with every identifier the redaction knows or recognises replaced; a secret's
        label followed by one of ``outcomes`` (a test's outcome words) keeps them."""
        if not text:
            return text
        self._outcomes = outcomes
        try:
            return self._sweep(text)
        finally:
            self._outcomes = frozenset()

    def _sweep(self, text: str) -> str:
        spans = self.matcher.spans(text) if self.matcher is not None else []
        if not spans:
            return self._sweep_patterns(text)
        pieces: list[str] = []
        done = 0
        for span in spans:
            pieces.append(self._sweep_patterns(text[done : span.start]))
            pieces.append(span.replacement)
            self.pseudonyms.count(_token_class(span.replacement))
            done = span.end
        pieces.append(self._sweep_patterns(text[done:]))
        return "".join(pieces)

    def _sweep_patterns(self, text: str) -> str:
        if not text:
            return text
        if PHRASE_GATE.find_matches_as_indexes(fold(text)):
            text = PHRASES.sub(self._replace_pattern, text)
        return CANDIDATE_WORD.sub(self._sweep_word, text)

    def _sweep_word(self, match: re.Match[str]) -> str:
        return WORDS.sub(self._replace_pattern, match.group(0))

    def _replace_pattern(self, match: re.Match[str]) -> str:
        kind = match.lastgroup or ""
        text = match.group(0)
        handler = _HANDLERS.get(kind)
        return handler(self, text) if handler is not None else text

    # -- one handler per pattern -----------------------------------------------------------------------

    def _url_userinfo(self, text: str) -> str:
        replaced = text.split("://", 1)[0] + "://" + REDACTED + "@"
        if replaced != text:
            self.pseudonyms.count("secret")
        return replaced

    def _secret(self, text: str) -> str:
        replaced = without_secret(text, self._outcomes)
        if replaced != text:
            self.pseudonyms.count("secret")
        return replaced

    def _colons(self, text: str) -> str:
        parsed = parse_address(text)
        if parsed is not None:
            redacted = self.pseudonyms.address(parsed[0])
            return text if redacted is None else redacted + parsed[1]
        return self.pseudonyms.mac(text) or text

    def _mac(self, text: str) -> str:
        return self.pseudonyms.mac(text) or text

    def _hex(self, text: str) -> str:
        if len(text) == 12:
            return self.pseudonyms.mac(text) or text
        return self.pseudonyms.token("serial", text.lower())

    def _hex_id(self, text: str) -> str:
        return self.pseudonyms.token("id", text.lower())

    def _serial(self, text: str) -> str:
        value = _SERIAL_VALUE.search(text)
        if value is None:
            return text
        return text[: value.start()] + self.pseudonyms.token("serial", value.group(0))

    def _uuid(self, text: str) -> str:
        return self.pseudonyms.token("uuid", text.lower())

    def _email(self, text: str) -> str:
        return self.pseudonyms.token("email", text.lower())

    def _host(self, text: str) -> str:
        if is_token(text):
            return text
        return self.pseudonyms.names.get(text.casefold()) or self.pseudonyms.token("host", text)

    def _coordinate(self, text: str) -> str:
        self.pseudonyms.count("dropped")
        return re.sub(r"-?\d{1,3}\.\d+$", "dropped", text)

    def _title(self, text: str) -> str:
        return "<title>" + self._host(text[7:-8]) + "</title>"

    def _device_id(self, text: str) -> str:
        return self.pseudonyms.ids.get(text) or self.pseudonyms.token("device", text)


_HANDLERS: dict[str, Callable[[TextSweeper, str], str]] = {
    "url_userinfo": TextSweeper._url_userinfo,
    "secret_pair": TextSweeper._secret,
    "uuid": TextSweeper._uuid,
    "email": TextSweeper._email,
    "colons": TextSweeper._colons,
    "mac_dash": TextSweeper._mac,
    "mac_dots": TextSweeper._mac,
    "hex_id": TextSweeper._hex_id,
    "hex_run": TextSweeper._hex,
    "ipv4": TextSweeper._colons,
    "serial": TextSweeper._serial,
    "possessive": TextSweeper._host,
    "of_owner": TextSweeper._host,
    "device_id": TextSweeper._device_id,
    "coordinate": TextSweeper._coordinate,
    "html_title": TextSweeper._title,
}
"""What replaces a match of each pattern (``token`` has none: what redaction put in stays)."""

_DEVICE_CLASSES = frozenset(
    {"device", "router", "printer", "media", "speaker", "hub", "camera", "phone", "computer", "nas", "iot"}
)


def _token_class(token: str) -> str:
    """The class a token counts under in the summary (device tokens count as names)."""
    klass = token.rsplit("…", 1)[-1].rsplit("-", 1)[0]
    return "name" if klass in _DEVICE_CLASSES else klass
