"""Redaction: a report that can be shared without giving away the home it describes.

Four layers (docs/report-format.md#redaction):

1. **Every field is classified.** The report schema gives each leaf an ``x-privacy`` class — ``keep``,
   ``pseudonymise``, ``drop``, ``address`` (judged by value), ``by-fact`` (the privacy class the
   observation carries, declared by its probe) or ``text`` (free text, swept). The walk below follows
   the schema, so a field the schema does not know is dropped, never passed through.
2. **Keyed, readable tokens.** Devices become ``printer-1``, SSIDs ``ssid-1``, serials ``serial-1``:
   numbers handed out by :class:`~homediag.reports.tokens.TokenStore` from an HMAC whose key stays in
   the user's config directory, so a device keeps its token across one installation's reports. MAC
   addresses keep their vendor part (``3c:2a:f4:…mac-2``); random (locally administered) MACs keep
   nothing (``…mac-3``).
3. **Derived identifiers.** IPv6 interface ids built from a MAC (EUI-64) get that MAC's token; public
   addresses (and the documentation ranges, which labs and tests use as "public") are replaced by their
   class (``public-ipv4``, ``cgnat-ipv4``, ``public-ipv6``); speed-test coordinates and other facts of
   class ``drop`` are removed; UPnP UUIDs (USN/UDN), serials and host names such as ``Annas-iPhone``
   become tokens wherever they appear; mDNS TXT values by key (``fn``, ``note``, ``ty``, ``pk``,
   ``deviceid``...), the DHCP domain and the speed-test server too.
4. **A final sweep** over every free-text string: every value replaced by field anywhere in the report
   (in raw, URL-encoded and separator-free forms; one-word and CJK names included), found by an
   Aho-Corasick automaton (:mod:`homediag.reports.known`); MACs in every notation, IPv4 and IPv6
   addresses, UUIDs, hex ids of 32 digits or more, e-mail addresses, labelled serials, possessive device
   names ("Anna's iPhone", "iPhone von Anna"), internal device ids. ``redaction`` in the result counts
   what was replaced, per class.

Redaction never trusts the document: one that says ``privacy_level: "redacted"`` is redacted again.
What an earlier redaction put in (tokens, address classes, markers) is recognised and kept, so doing
it twice changes nothing.

Secrets (Wi-Fi keys, passwords, cookies, credentials in URLs, in en/de/fr/it/es wordings) are never
collected; :func:`scrub_secrets` is the backstop that removes anything that looks like one, in every
mode, also with ``--no-redact``.
"""

from __future__ import annotations

import copy
import functools
import ipaddress
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ahocorasick_rs

from homediag.core.devices import normalise_mac
from homediag.core.facts import Privacy
from homediag.core.model import Report
from homediag.core.outcomes import outcome_words
from homediag.reports.known import KnownValues, fold
from homediag.reports.tokens import REPLACEMENT_PATTERN, TokenStore, is_token

REDACTED = "redacted"
"""What a secret is replaced with."""

# --- addresses, judged by value --------------------------------------------------------------------

_KEEP_V4 = tuple(
    ipaddress.IPv4Network(n)
    for n in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "0.0.0.0/8",
        "224.0.0.0/4",
        "255.255.255.255/32",
    )
)
_CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
_LINK_LOCAL4 = ipaddress.IPv4Network("169.254.0.0/16")
_ULA = (ipaddress.IPv6Network("fc00::/7"), ipaddress.IPv6Network("fec0::/10"))
_LINK_LOCAL6 = ipaddress.IPv6Network("fe80::/10")
WELL_KNOWN_SERVICES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "1.1.1.1",
        "1.0.0.1",
        "8.8.8.8",
        "8.8.4.4",
        "9.9.9.9",
        "149.112.112.112",
        "208.67.222.222",
        "208.67.220.220",
        "94.140.14.14",
        "94.140.15.15",
        "2606:4700:4700::1111",
        "2606:4700:4700::1001",
        "2001:4860:4860::8888",
        "2001:4860:4860::8844",
        "2620:fe::fe",
        "2620:fe::9",
    )
)
"""Public resolvers and ping targets everybody uses: not personal, and useful to support."""


@functools.lru_cache(maxsize=65536)
def address_class(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """``private``, ``loopback``, ``link-local``, ``cgnat``, ``ula``, ``multicast``, ``unspecified``,
    ``well-known`` or ``public`` — documentation ranges count as public here
    (docs/report-format.md#redaction)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in WELL_KNOWN_SERVICES:
        return "well-known"
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_multicast:
        return "multicast"
    if isinstance(address, ipaddress.IPv4Address):
        if address in _CGNAT:
            return "cgnat"
        if address in _LINK_LOCAL4:
            return "link-local"
        if any(address in net for net in _KEEP_V4):
            return "private"
        return "public"
    if address in _LINK_LOCAL6:
        return "link-local"
    if any(address in net for net in _ULA):
        return "ula"
    return "public"


def eui64_mac(address: ipaddress.IPv6Address) -> str | None:
    """The MAC an EUI-64 interface id was built from (``ff:fe`` in its middle), or None."""
    iid = address.packed[8:]
    if iid[3:5] != b"\xff\xfe":
        return None
    mac = bytes([iid[0] ^ 0x02]) + iid[1:3] + iid[5:8]
    return ":".join(f"{b:02x}" for b in mac)


# --- hints from names: which fact or key holds what ------------------------------------------------

_STRONG_HINTS: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"psk", "password", "passwd", "passphrase", "pwd", "secret", "cookie", "token",
                "apikey", "credentials", "credential", "authorization", "passwort", "kennwort",
                "schlüssel", "schluessel", "motdepasse", "mdp", "contraseña", "contrasena", "clave",
                "chiave", "wpspin"}), "secret"),
    (frozenset({"bssid", "bssids", "mac", "macs", "hwaddr", "lladdr"}), "mac"),
    (frozenset({"ssid", "ssids", "essid"}), "ssid"),
    (frozenset({"serial", "serials", "serialnumber", "sn"}), "serial"),
    (frozenset({"usn", "udn", "uuid", "uuids"}), "uuid"),
    (frozenset({"domain", "domains", "domainname", "dnsdomain", "searchdomain", "searchdomains"}), "domain"),
    (frozenset({"lat", "lon", "lng", "latitude", "longitude", "coordinates", "geo", "location",
                "isp"}), "drop"),
)  # fmt: skip
_WEAK_HINTS = frozenset(
    {"hostname", "hostnames", "host", "name", "names", "friendly", "friendlyname", "instance", "owner",
     "title"}
)  # fmt: skip
_NOT_PERSONAL = frozenset(
    {"model", "manufacturer", "vendor", "type", "service", "interface", "product", "kind", "os", "file"}
)
_SECRET_COMPOUND = re.compile(
    r"(?:wi-?fi|wpa[23]?|wlan|wireless|network|netzwerk|security|sicherheits|pre-?shared|shared|wep|"
    r"(?:mot)?de-?passe)-?(?:key|keys|schlüssel|schluessel|password|passwort|kennwort|psk|passphrase)"
)
"""Key names such as ``wifi_key``, ``WLAN-Schlüssel``, ``pre_shared_key`` (words joined by '-')."""


def _words(name: str) -> list[str]:
    last = name.rsplit(".", 1)[-1]
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", last)
    return [w for w in re.split(r"[\W_]+", spaced.lower()) if w]


@functools.lru_cache(maxsize=4096)
def name_hint(name: str, *, weak: bool) -> str | None:
    """What a fact or key name says its value is: ``mac``, ``ssid``, ``serial``, ``uuid``,
    ``drop``, ``secret``, or (``weak``: only outside facts classified ``keep``) ``host``."""
    words = _words(name)
    joined = "".join(words)
    if _SECRET_COMPOUND.search("-".join(words)):
        return "secret"
    for names, hint in _STRONG_HINTS:
        if joined in names or any(w in names for w in words):
            return hint
    if "public" in words and ({"ip", "address", "addr", "ipv4", "ipv6"} & set(words)):
        return "drop"
    personal = joined in _WEAK_HINTS or any(w in _WEAK_HINTS for w in words)
    if weak and personal and not _NOT_PERSONAL & set(words):
        return "host"
    return None


# --- the free-text sweep ------------------------------------------------------------------------------

_HEX = "[0-9A-Fa-f]"
_S = r"[ _-]?"
_SECRET_LABEL = (
    r"(?<!\w)(?:"
    # English
    rf"pass(?:word|wd|phrase)s?|pwd|psk|pre{_S}shared{_S}key|shared{_S}key|secret|token|api{_S}key|"
    rf"cookie|authorization|wps{_S}pin|wpa[23]?{_S}(?:psk|passphrase|key)|wep{_S}key|"
    rf"(?:wi{_S}fi|wifi|wlan|wireless|network|security){_S}(?:key|password)|"
    # German
    rf"(?:(?:wlan|wpa[23]?|wi{_S}fi|netzwerk|sicherheits){_S})?(?:schlüssel|schluessel|passwort|kennwort)|"
    rf"passwort|kennwort|"
    # French
    rf"mot{_S}de{_S}passe|mdp|phrase{_S}secr[èe]te|"
    rf"cl[ée]{_S}(?:wpa[23]?|wi{_S}fi|wifi|wep|de{_S}s[ée]curit[ée]|r[ée]seau|du{_S}r[ée]seau|de{_S}r[ée]seau)|"
    # Italian
    rf"parola{_S}d['’]ordine|chiave(?:{_S}(?:wpa[23]?|di{_S}rete|wi{_S}fi|wifi|di{_S}sicurezza))?|"
    # Spanish
    rf"contrase[ñn]a|clave(?:{_S}(?:wpa[23]?|de{_S}red|wi{_S}fi|wifi|de{_S}seguridad))?"
    r")(?!\w)"
)
"""What a secret is called, in English, German, French, Italian and Spanish."""
_SECRET_QUOTED = r"\"[^\"\n]{1,200}\"|'[^'\n]{1,200}'|“[^”\n]{1,200}”|«[^»\n]{1,200}»"  # noqa: S105
"""A quoted secret (a passphrase may hold spaces)."""


def _secret_rest(named: bool) -> str:
    """What follows a secret's label: a separator and the value (with ``named``, in named groups
    for :func:`_without_secret`)."""
    explicit = "(?P<explicit>" if named else "(?:"
    spaced = "(?P<spaced>" if named else "(?:"
    return (
        # "label: value", "label = value", "label：value", "label" : "value"
        rf"(?:[\"']?\s{{0,3}}[:=：]\s{{0,3}}{explicit}{_SECRET_QUOTED}|[^\s\"',;&]+)"
        # "label value", "label is value": the value must hold a digit, or be quoted
        r"|\s{1,3}(?:(?:is|ist|lautet|est|es|è|e|:)\s{1,3})?"
        rf"{spaced}{_SECRET_QUOTED}|(?=[^\s\"',;&]*\d)[^\s\"',;&]+))"
    )


_PATTERNS: tuple[tuple[str, str], ...] = (
    # What an earlier redaction put in stays as it is, and no pattern may match inside it.
    ("token", rf"(?<![\w…:-])(?:{REPLACEMENT_PATTERN})(?![\w(-])"),
    ("url_userinfo", r"(?i)\b[a-z][a-z0-9+.-]*://[^\s/@\"'<>]+@"),
    ("secret_pair", r"(?i)" + _SECRET_LABEL + _secret_rest(named=False)),
    ("uuid", rf"(?<!{_HEX}){_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}(?!{_HEX})"),
    ("email", r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}"),
    ("colons", rf"(?<![0-9A-Fa-f:])(?:{_HEX}{{0,4}}:){{2,7}}(?:{_HEX}{{1,4}}|(?:\d{{1,3}}\.){{3}}\d{{1,3}})?"
               rf"(?:%[\w.-]+)?(?![0-9A-Fa-f:])"),
    ("mac_dash", rf"(?<![0-9A-Fa-f-]){_HEX}{{2}}(?:-{_HEX}{{2}}){{5}}(?![0-9A-Fa-f]|-{_HEX})"),
    ("mac_dots", rf"(?<![0-9A-Fa-f.]){_HEX}{{4}}\.{_HEX}{{4}}\.{_HEX}{{4}}(?!\.?{_HEX})"),
    ("hex_id", rf"(?<!{_HEX}){_HEX}{{32,}}(?!{_HEX})"),
    ("hex_run", rf"(?<!{_HEX})(?=[0-9]*[A-Fa-f])(?={_HEX}*[0-9]){_HEX}{{12,31}}(?!{_HEX})"),
    ("ipv4", r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?!\.?\d)"),
    ("serial", r"(?i)\b(?:serial(?:[ _-]?(?:number|no\.?|nr\.?))?|s/n)[\"']?\s*[:=#>]?\s*[\"']?"
               r"(?=[A-Za-z-]*\d)[A-Za-z0-9][A-Za-z0-9-]{3,40}"),
    ("possessive", r"\b(?!(?:This|this|His|his|Its|its|Was|was|Has|has|Is|is|Yes|yes|Us|us)\b)"
                   r"[A-ZÀ-Þ][\w]*(?:['’]s|s)[ -](?i:iPhone|iPad|iMac|MacBook(?:[ -](?:Pro|Air))?|"
                   r"Mac[ -]mini|Galaxy(?:[ -]\w+)?|Pixel(?:[ -]\w+)?|Laptop|Notebook|PC|Phone|TV|"
                   r"Watch|Echo|Kindle|Fire[ -]?TV)\b"),
    ("of_owner", r"(?i)\b(?:iPhone|iPad|MacBook(?:[ -](?:Pro|Air))?|Galaxy|Pixel|Laptop|PC)[ -]"
                 r"(?:von|de|di|van|of)[ -][\w]+"),
    ("device_id", r"\bdev-[0-9a-f]{10}\b"),
    ("coordinate", r"(?i)\b(?:lat|latitude|lon|lng|longitude)[\"']?\s*[:=]?\s*[\"']?-?\d{1,3}\.\d+"),
    ("html_title", r"(?i)<title>[^<]{1,200}</title>"),
)  # fmt: skip


def _alternation(names: tuple[str, ...] | None = None) -> re.Pattern[str]:
    parts = []
    for name, pattern in _PATTERNS:
        if names is not None and name not in names:
            continue
        # A global flag is not allowed inside an alternation: scope it to the group.
        body = f"(?i:{pattern[4:]})" if pattern.startswith("(?i)") else pattern
        parts.append(f"(?P<{name}>{body})")
    return re.compile("|".join(parts))


# The sweep runs in two tiers, so that its cost stays near that of one scan of the text:
# identifiers written without spaces (addresses, MACs, UUIDs, e-mail, hex ids, tokens) are looked for
# only in the whitespace-separated words that hold a digit, ':' or '@'; phrases (secrets, labelled
# serials, possessive device names, coordinates, HTML titles) only in texts holding one of their
# keywords, found by one Aho-Corasick pass.
_WORD_PATTERNS = (
    "token", "url_userinfo", "uuid", "email", "colons", "mac_dash", "mac_dots", "hex_id", "hex_run",
    "ipv4", "device_id",
)  # fmt: skip
_PHRASE_PATTERNS = ("secret_pair", "serial", "possessive", "of_owner", "coordinate", "html_title")
_WORDS = _alternation(_WORD_PATTERNS)
_PHRASES = _alternation(_PHRASE_PATTERNS)
_CANDIDATE_WORD = re.compile(r"(?<!\S)[^\s0-9:@]*[0-9:@]\S*")
_SECRET_KEYWORDS = (
    "psk", "pass", "pwd", "secret", "token", "api", "wpa", "cookie", "auth", "key", "wps", "schlüssel",
    "schluessel", "kennwort", "mdp", "secrè", "clé", "cle ", "cle-", "cle_", "parola", "chiave", "contrase",
    "clave",
)  # fmt: skip
"""Every secret label of ``_SECRET_LABEL`` holds one of these (lower case)."""
_PHRASE_KEYWORDS = (
    *_SECRET_KEYWORDS,
    # serial
    "serial", "s/n",
    # possessive, of_owner
    "iphone", "ipad", "imac", "mac", "galaxy", "pixel", "laptop", "notebook", "pc", "phone", "tv", "watch",
    "echo", "kindle",
    # coordinate, html_title
    "lat", "lon", "lng", "<title",
)  # fmt: skip
_PHRASE_GATE = ahocorasick_rs.AhoCorasick(list(_PHRASE_KEYWORDS))
_SECRETS = _alternation(("url_userinfo", "secret_pair"))
_SECRET_GATE = ahocorasick_rs.AhoCorasick(["://", *_SECRET_KEYWORDS])
_SECRET_PARTS = re.compile(r"(?i)" + _SECRET_LABEL + _secret_rest(named=True))


def _without_secret(text: str, outcomes: frozenset[str] = frozenset()) -> str:
    """A ``secret_pair`` match with its value (only) replaced — unless the value is one of
    ``outcomes``: the words of a test's outcome after the label of what was tested (``MQTT without a
    password: open``), which are no secret."""
    parts = _SECRET_PARTS.fullmatch(text)
    if parts is None:  # pragma: no cover - the sweep matched it with the same pattern
        return REDACTED
    group = "explicit" if parts.group("explicit") is not None else "spaced"
    if outcomes and _is_outcome(text[parts.start(group) :], outcomes):
        return text
    return text[: parts.start(group)] + REDACTED


def _is_outcome(value: str, outcomes: frozenset[str]) -> bool:
    """Whether a value the secret pattern matched is an outcome's word (the pattern stops a value at
    a space, so a word of several is matched by its first)."""
    value = value.strip("\"'“”«» ")
    return any(value == word or word.startswith(value + " ") for word in outcomes)


def evidence_head(text: str, outcomes: frozenset[str]) -> int:
    """How much of an evidence text the playbook made (``MQTT without a password: open``): up to the
    first outcome word followed by the end or by the observations' words in brackets; 0 when none is.
    Only there is an outcome word after a secret's label taken for the outcome."""
    ends = []
    for word in outcomes:
        start = text.find(word)
        while start >= 0:
            end = start + len(word)
            if end == len(text) or text.startswith(" (", end):
                ends.append(end)
                break
            start = text.find(word, start + 1)
    return min(ends, default=0)


def evidence_outcomes(item: Mapping[str, Any]) -> frozenset[str]:
    """The words an evidence item's outcome is written with, in any language (empty: no outcome)."""
    outcome = item.get("outcome")
    if not isinstance(outcome, str) or not outcome or not item.get("test"):
        return frozenset()
    return outcome_words(outcome)


_SERIAL_VALUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{3,40}$")
_MIN_KNOWN = 3
"""Values shorter than this are replaced in their own fields but not searched for in free text."""
_MIN_ANYWHERE = 6
"""Learned values shorter than this match only as whole words."""
_PLAIN_WORD = re.compile(r"^[^\W\d_][^\W\d_]*$")


@dataclass(eq=False)
class _Node:
    """One place in the report schema, with its ``$ref`` resolved: where a value sits (the schema
    definition and its key), how it is classified, and what it holds."""

    definition: str
    key: str
    privacy: str = "drop"
    props: dict[str, _Node] | None = None
    extra: _Node | None = None
    items: _Node | None = None
    learns: bool = False
    """Whether pass 1 (learning identifiers) must look inside: only fields that pseudonymise do."""

    @property
    def is_object(self) -> bool:
        return self.props is not None or self.extra is not None


_LEARNING = frozenset({"pseudonymise", "by-fact"})


def _compile(node: Mapping[str, Any], definition: str, key: str, defs: Mapping[str, Any]) -> _Node:
    ref = node.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        return _compile(defs[name], name, key, defs)
    props = node.get("properties")
    extra = node.get("additionalProperties")
    items = node.get("items")
    compiled = _Node(definition, key, str(node.get("x-privacy", "drop")))
    if isinstance(props, dict):
        compiled.props = {k: _compile(v, definition, k, defs) for k, v in props.items()}
    elif "additionalProperties" in node:
        compiled.props = {}
    if isinstance(extra, dict):
        compiled.extra = _compile(extra, definition, "", defs)
    if isinstance(items, dict):
        compiled.items = _compile(items, definition, key, defs)
    children = [*(compiled.props or {}).values(), compiled.extra, compiled.items]
    compiled.learns = (
        compiled.privacy in _LEARNING
        or definition == "device"
        or (definition, key) == ("service", "txt")
        or any(child is not None and child.learns for child in children)
    )
    return compiled


@functools.cache
def _schema_tree() -> _Node:
    from homediag.reports.document import schema

    root = schema()
    return _compile(root, "report", "", root.get("$defs", {}))


class Redactor:
    """Redacts report documents with one token store (one installation's key and table)."""

    def __init__(self, store: TokenStore) -> None:
        self.store = store
        self.counts: Counter[str] = Counter()
        self._known: dict[str, tuple[str, bool]] = {}
        """Learned values (folded) → their replacement, and whether they match only as whole words."""
        self._ids: dict[str, str] = {}
        self._macs: dict[str, str] = {}
        self._names: dict[str, str] = {}
        self._device_token: str | None = None
        self._sweeping = False
        self._matcher: KnownValues | None = None
        self._outcomes: frozenset[str] = frozenset()
        """The words of the outcome of the evidence item being swept: values, never secrets."""

    # -- public --------------------------------------------------------------------------------------

    def redact_document(self, document: Mapping[str, Any]) -> dict[str, Any]:
        """A redacted copy of ``document`` (a report document).

        The document's own ``privacy_level`` is never trusted: a document that says ``redacted`` is
        redacted again. Tokens, address classes and markers that redaction put in are kept as they
        are, so redacting a redacted document changes nothing; its counts are carried over.
        """
        earlier = _earlier_counts(document)
        doc, secrets_removed = _scrub_document(document)
        # Pass 1 learns every identifier the fields hold (device names, SSIDs, serials...), so that
        # pass 2 can find them again in free text anywhere in the report.
        self._sweeping = False
        self._walk_root(doc)
        self._matcher = KnownValues((value, *entry) for value, entry in self._known.items())
        self._sweeping = True
        self.counts.clear()
        result = self._walk_root(doc)
        result["privacy_level"] = "redacted"
        self.counts["secret"] += secrets_removed
        result["redaction"] = dict(sorted((earlier + self.counts).items()))
        return result

    def sweep(self, text: str) -> str:
        """``text`` with every identifier this redactor knows or recognises replaced."""
        if not text:
            return text
        spans = self._matcher.spans(text) if self._matcher is not None else []
        if not spans:
            return self._sweep_patterns(text)
        pieces: list[str] = []
        done = 0
        for span in spans:
            pieces.append(self._sweep_patterns(text[done : span.start]))
            pieces.append(span.replacement)
            self._count(_token_class(span.replacement))
            done = span.end
        pieces.append(self._sweep_patterns(text[done:]))
        return "".join(pieces)

    def _sweep_patterns(self, text: str) -> str:
        if not text:
            return text
        if _PHRASE_GATE.find_matches_as_indexes(fold(text)):
            text = _PHRASES.sub(self._replace_pattern, text)
        return _CANDIDATE_WORD.sub(self._sweep_word, text)

    def _sweep_word(self, match: re.Match[str]) -> str:
        return _WORDS.sub(self._replace_pattern, match.group(0))

    # -- the schema-driven walk ----------------------------------------------------------------------

    def _walk_root(self, doc: dict[str, Any]) -> dict[str, Any]:
        root = _schema_tree()
        assert root.props is not None
        order = ["devices", "observations"]
        keys = order + [k for k in doc if k not in order]
        out: dict[str, Any] = {}
        for key in keys:
            if key not in doc:
                continue
            child = root.props.get(key)
            if child is None:
                continue  # unknown to the schema: not shared
            out[key] = self._walk(doc[key], child, doc)
        return {k: out[k] for k in doc if k in out}

    def _walk(self, value: Any, node: _Node, parent: Any) -> Any:
        if not self._sweeping and not node.learns:
            return value  # pass 1 only learns; nothing here teaches it anything
        if node.definition == "service" and node.key == "txt" and isinstance(value, dict):
            return self._txt(value)
        if isinstance(value, dict) and node.is_object:
            if node.definition == "device" and node.props is not None and "kind" in node.props:
                self._device_token = self._device(value)
            props = node.props or {}
            extra = node.extra
            out: dict[str, Any] = {}
            for key, child in value.items():
                sub = props.get(key)
                if sub is not None:
                    out[key] = self._walk(child, sub, value)
                elif extra is not None:
                    out[self._text(key)] = self._walk(child, extra, value)
            return out
        items = node.items
        if isinstance(value, list) and items is not None:
            result = [self._walk(v, items, parent) for v in value]
            if node.definition == "device" and node.key == "names":
                result = list(dict.fromkeys(result))
            return result
        return self._leaf(value, node, parent)

    def _leaf(self, value: Any, node: _Node, parent: Any) -> Any:
        if value is None:
            return None
        match node.privacy:
            case "keep":
                return value
            case "drop":
                self._count("field")
                return None
            case "address":
                return self._address_or_text(value)
            case "pseudonymise":
                return self._pseudonymise(value, node)
            case "text" if node.definition == "evidence_item" and isinstance(parent, dict):
                outcomes = evidence_outcomes(parent)
                head = evidence_head(value, outcomes) if isinstance(value, str) and outcomes else 0
                if not head or not self._sweeping:
                    return self._text_value(value)
                self._outcomes = outcomes
                try:
                    made = self._text(value[:head])
                finally:
                    self._outcomes = frozenset()
                return made + self._text(value[head:])
            case "by-fact":
                fact = parent.get("fact", "") if isinstance(parent, dict) else ""
                sensitive = bool(parent.get("sensitive")) if isinstance(parent, dict) else False
                declared = parent.get("privacy") if isinstance(parent, dict) else None
                return self._fact_value(str(fact), value, sensitive, _privacy(declared))
            case _:  # "text", and anything unclassified is treated as the most suspicious text
                return self._text_value(value)

    # -- classes -------------------------------------------------------------------------------------

    def _device(self, device: Mapping[str, Any]) -> str:
        device_id = str(device.get("id", ""))
        kind = str(device.get("kind") or "unknown")
        known = self._ids.get(device_id)
        if known is None and is_token(device_id):
            known = self._ids[device_id] = device_id
        if known is None:
            known = self.store.token("device" if kind == "unknown" else kind, device_id)
            self._ids[device_id] = known
            self._learn(device_id, known)
        names = [n for n in device.get("names") or () if isinstance(n, str)]
        names += [
            s["name"]
            for s in device.get("services") or ()
            if isinstance(s, dict) and isinstance(s.get("name"), str)
        ]
        product = {str(device.get(k) or "").casefold() for k in ("model", "vendor")}
        for name in names:
            self._names.setdefault(name.casefold(), known)
            if name.casefold() not in product:  # a product name is not personal
                self._learn(name, known)
        return known

    def _pseudonymise(self, value: Any, node: _Node) -> Any:
        if not isinstance(value, str) or is_token(value):
            return value
        key = (node.definition, node.key)
        if key == ("device", "id"):
            self._count("device")
            return self._ids.get(value) or self.store.token("device", value)
        if key == ("device", "mac"):
            return self._mac(value) or self._token("mac", value)
        if key in (("device", "names"), ("service", "name")):
            self._count("name")
            return self._names.get(value.casefold()) or self._device_token or self._token("host", value)
        if key == ("probe_run", "target"):
            if value in self._ids:
                return self._ids[value]
            return self._text(value)
        return self._token("value", value)

    def _fact_value(self, fact: str, value: Any, sensitive: bool, privacy: Privacy | None) -> Any:
        """A fact's value, by the privacy class its observation carries (a report written before
        observations carried it: pseudonymised when ``sensitive``, kept otherwise; its name decides too)."""
        if privacy is None:
            privacy = Privacy.PSEUDONYMISE if sensitive else Privacy.KEEP
        hint = name_hint(fact, weak=privacy is not Privacy.KEEP)
        if hint is None and privacy is Privacy.DROP:
            hint = "drop"
        if hint is None and privacy is Privacy.PSEUDONYMISE:
            hint = _FACT_TOKEN_CLASSES.get(fact, "value")
        return self._structured(value, hint, weak=privacy is not Privacy.KEEP)

    def _structured(self, value: Any, hint: str | None, *, weak: bool) -> Any:
        if isinstance(value, dict):
            out: dict[str, Any] = {}
            for key, child in value.items():
                key_text = str(key)
                if key_text.casefold() == "txt" and isinstance(child, dict):
                    out[key_text] = self._txt(child, weak=weak)
                    continue
                child_hint = name_hint(key_text, weak=weak)
                if child_hint is None and hint in ("drop", "secret"):
                    child_hint = hint
                out[self._text(key_text)] = self._structured(child, child_hint, weak=weak)
            return out
        if isinstance(value, list):
            return [self._structured(v, hint, weak=weak) for v in value]
        if isinstance(value, str):
            return self._hinted(value, hint)
        if hint in ("drop", "secret") and value is not None:
            self._count("dropped" if hint == "drop" else "secret")
            return None
        return value

    def _txt(self, record: Mapping[str, Any], *, weak: bool = True) -> dict[str, Any]:
        """An mDNS TXT record: values redacted by key (friendly names, locations, device keys...)."""
        out: dict[str, Any] = {}
        for key, value in record.items():
            key_text = str(key)
            klass = _TXT_CLASSES.get(key_text.casefold())
            if not isinstance(value, str) or not value or klass is None:
                out[self._text(key_text)] = self._structured(value, None, weak=weak)
            else:
                out[self._text(key_text)] = self._txt_value(klass, value)
        return out

    def _txt_value(self, klass: str, value: str) -> str:
        if is_token(value):
            return value
        named = self._names.get(value.casefold())
        if named is not None:  # a device's own name (a printer's ty is often its instance name)
            self._count("name")
            return named
        match klass:
            case "name":
                token = self._device_token
                if token is None:
                    return self._token("host", value)
                self._count("name")
                self._learn(value, token)
                return token
            case "mac-or-id":
                return self._mac(value) or self._token("id", value)
            case "md":
                if _names_someone(value) or fold(value) in self._known:
                    return self._token("model", value)
                return self._text(value)
            case _:  # place, model, key
                return self._token(klass, value)

    def _hinted(self, value: str, hint: str | None) -> Any:
        if hint is None:
            return self._text(value)
        if not value or is_token(value):
            return value
        match hint:
            case "secret":
                self._count("secret")
                return REDACTED
            case "drop":
                parsed = _parse_address(value)
                self._count("dropped")
                if parsed is not None:
                    return f"{address_class(parsed[0])}-ipv{parsed[0].version}"
                return None
            case "mac":
                return self._mac(value) or self._token("mac", value)
            case "host":
                token = self._names.get(value.casefold())
                if token is not None:
                    self._count("name")
                    return token
                if _parse_address(value) is not None:
                    return self._address_or_text(value)
                return self._token("host", value)
            case "value":
                if _parse_address(value) is not None:
                    return self._address_or_text(value)
                mac = self._mac(value)
                if mac is not None:
                    return mac
                return self._token("value", value)
            case _:  # ssid, serial, uuid
                return self._token(hint, value)

    def _text_value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self._text(value)
        if isinstance(value, list):
            return [self._text_value(v) for v in value]
        if isinstance(value, dict):
            return {self._text(str(k)): self._text_value(v) for k, v in value.items()}
        return value

    def _text(self, text: str) -> str:
        return self.sweep(text) if self._sweeping else text

    def _address_or_text(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        parsed = _parse_address(value)
        if parsed is None:
            return self._text(value)
        address, suffix = parsed
        redacted = self._address(address)
        return value if redacted is None else redacted + suffix

    # -- tokens --------------------------------------------------------------------------------------

    def _token(self, kind: str, value: str) -> str:
        if is_token(value):
            return value
        token = self.store.token(kind, value)
        self._count(kind)
        self._learn(value, token)
        return token

    def _mac(self, text: str) -> str | None:
        replaced = self._macs.get(text)
        if replaced is None:
            mac = normalise_mac(text)
            if mac is None or mac in ("00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"):
                return None
            token = self.store.token("mac", mac)
            # locally administered: no vendor part to keep
            replaced = f"…{token}" if int(mac[:2], 16) & 0x02 else f"{mac[:8]}:…{token}"
            self._macs[text] = replaced
        self._count("mac")
        return replaced

    def _address(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
        """The replacement of an address, or None to keep it."""
        klass = address_class(address)
        version = address.version
        if isinstance(address, ipaddress.IPv6Address):
            mac = eui64_mac(address) if address.ipv4_mapped is None else None
            if mac is not None:
                self._count("ipv6")
                return f"{klass}-ipv6({self._mac(mac)})"
            if address.ipv4_mapped is not None:
                version = 4
        if klass in ("public", "cgnat", "ula"):
            self._count(f"{klass}-ip")
            return f"{klass}-ipv{version}"
        return None

    def _learn(self, value: str, replacement: str) -> None:
        """Remember ``value`` (and its other forms) so that the sweep replaces it in free text.

        One-word names are learned too ("Kinderzimmer" is as personal as "Anna's room"), but match
        only as whole words; common words ("Router", "home") are not, as they name nobody and fill
        ordinary text. Names in scripts without spaces between words (CJK) match anywhere, from two
        characters on.
        """
        if self._sweeping or value == replacement or is_token(value):
            return
        if value.isdigit() or _parse_address(value) is not None or fold(value) in _COMMON_WORDS:
            return
        for form in _forms(value):
            wide = _has_wide(form)
            if len(form) < (2 if wide else _MIN_KNOWN):
                continue
            whole = len(form) < (2 if wide else _MIN_ANYWHERE) or (
                _PLAIN_WORD.match(form) is not None and not wide
            )
            self._known.setdefault(fold(form), (replacement, whole))

    def _count(self, kind: str) -> None:
        if self._sweeping:
            self.counts[kind] += 1

    # -- sweep callbacks -----------------------------------------------------------------------------

    def _replace_pattern(self, match: re.Match[str]) -> str:
        kind = match.lastgroup or ""
        text = match.group(0)
        handler = _HANDLERS.get(kind)
        return handler(self, text) if handler is not None else text

    def _sweep_url_userinfo(self, text: str) -> str:
        replaced = text.split("://", 1)[0] + "://" + REDACTED + "@"
        if replaced != text:
            self._count("secret")
        return replaced

    def _sweep_secret(self, text: str) -> str:
        replaced = _without_secret(text, self._outcomes)
        if replaced != text:
            self._count("secret")
        return replaced

    def _sweep_colons(self, text: str) -> str:
        parsed = _parse_address(text)
        if parsed is not None:
            redacted = self._address(parsed[0])
            return text if redacted is None else redacted + parsed[1]
        return self._mac(text) or text

    def _sweep_mac(self, text: str) -> str:
        return self._mac(text) or text

    def _sweep_hex(self, text: str) -> str:
        if len(text) == 12:
            return self._mac(text) or text
        return self._token("serial", text.lower())

    def _sweep_hex_id(self, text: str) -> str:
        return self._token("id", text.lower())

    def _sweep_ipv4(self, text: str) -> str:
        return self._sweep_colons(text)

    def _sweep_serial(self, text: str) -> str:
        value = _SERIAL_VALUE.search(text)
        if value is None:
            return text
        return text[: value.start()] + self._token("serial", value.group(0))

    def _sweep_uuid(self, text: str) -> str:
        return self._token("uuid", text.lower())

    def _sweep_email(self, text: str) -> str:
        return self._token("email", text.lower())

    def _sweep_host(self, text: str) -> str:
        if is_token(text):
            return text
        return self._names.get(text.casefold()) or self._token("host", text)

    def _sweep_coordinate(self, text: str) -> str:
        self._count("dropped")
        return re.sub(r"-?\d{1,3}\.\d+$", "dropped", text)

    def _sweep_title(self, text: str) -> str:
        return "<title>" + self._sweep_host(text[7:-8]) + "</title>"

    def _sweep_device_id(self, text: str) -> str:
        return self._ids.get(text) or self._token("device", text)


_HANDLERS: dict[str, Callable[[Redactor, str], str]] = {
    "url_userinfo": Redactor._sweep_url_userinfo,
    "secret_pair": Redactor._sweep_secret,
    "uuid": Redactor._sweep_uuid,
    "email": Redactor._sweep_email,
    "colons": Redactor._sweep_colons,
    "mac_dash": Redactor._sweep_mac,
    "mac_dots": Redactor._sweep_mac,
    "hex_id": Redactor._sweep_hex_id,
    "hex_run": Redactor._sweep_hex,
    "ipv4": Redactor._sweep_ipv4,
    "serial": Redactor._sweep_serial,
    "possessive": Redactor._sweep_host,
    "of_owner": Redactor._sweep_host,
    "device_id": Redactor._sweep_device_id,
    "coordinate": Redactor._sweep_coordinate,
    "html_title": Redactor._sweep_title,
}


_DEVICE_CLASSES = frozenset(
    {"device", "router", "printer", "media", "speaker", "hub", "camera", "phone", "computer", "nas", "iot"}
)


def _earlier_counts(document: Mapping[str, Any]) -> Counter[str]:
    """The counts of an earlier redaction of ``document`` (none unless it says it is redacted)."""
    counts = document.get("redaction")
    if document.get("privacy_level") != "redacted" or not isinstance(counts, dict):
        return Counter()
    return Counter(
        {str(k): v for k, v in counts.items() if type(v) is int and v > 0 and _COUNT_CLASS.match(str(k))}
    )


_COUNT_CLASS = re.compile(r"^[a-z][a-z0-9-]{0,31}$")


def _token_class(token: str) -> str:
    """The class a token counts under in the summary (device tokens count as names)."""
    klass = token.rsplit("…", 1)[-1].rsplit("-", 1)[0]
    return "name" if klass in _DEVICE_CLASSES else klass


@functools.lru_cache(maxsize=65536)
def _parse_address(
    text: str,
) -> tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, str] | None:
    """The address in ``text`` (``a.b.c.d``, ``a.b.c.d/nn``, ``fe80::1%eth0``) and what follows it."""
    candidate = text.strip()
    if not candidate or len(candidate) > 60 or candidate != text:
        return None
    suffix = ""
    for separator in ("/", "%"):
        if separator in candidate:
            head, _, tail = candidate.partition(separator)
            suffix = separator + tail + suffix if separator == "/" else separator + tail
            candidate = head
    if "/" in suffix and not suffix[1:].split("%")[0].isdigit():
        return None
    try:
        return ipaddress.ip_address(candidate), suffix
    except ValueError:
        return None


_URL_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")
_QUOTE = [chr(b) if b in _URL_SAFE or b == ord("/") else f"%{b:02X}" for b in range(256)]
_QUOTE_PLUS = [chr(b) if b in _URL_SAFE else "+" if b == ord(" ") else f"%{b:02X}" for b in range(256)]


def _percent_encode(value: str, *, plus: bool) -> str:
    """``urllib.parse.quote`` (``quote_plus`` with ``plus``) at C speed: each UTF-8 byte is mapped
    by one ``str.translate`` table instead of one Python call per byte (names can be long)."""
    data = value.encode("utf-8", "surrogatepass").decode("latin-1")
    return data.translate(_QUOTE_PLUS if plus else _QUOTE)


def _forms(value: str) -> set[str]:
    """The forms a value may take in text: as is, URL-encoded, without separators."""
    forms = {value, _percent_encode(value, plus=False), _percent_encode(value, plus=True)}
    compact = re.sub(r"[\s_.'’-]+", "", value)
    if len(compact) >= 6:
        forms.add(compact)
    return {f for f in forms if len(f) >= 2}


def _has_wide(text: str) -> bool:
    """Whether ``text`` holds East Asian wide characters (scripts written without spaces)."""
    return any(ord(char) >= 0x1100 and unicodedata.east_asian_width(char) in "WF" for char in text)


_POSSESSIVE_NAME = re.compile(r"\b[A-ZÀ-Þ][^\W\d_]*(?:['’]s\b|s\s)|\b(?:von|de|du|di|del|van|of)\s+[A-ZÀ-Þ]")


def _names_someone(value: str) -> bool:
    """Whether a model string names a person or a place ("Annas Stehlampe", "Lamp of Anna")."""
    return _POSSESSIVE_NAME.search(value) is not None


def _privacy(value: object) -> Privacy | None:
    """The privacy class an observation carries (None: absent or not one homediag knows)."""
    try:
        return Privacy(value) if isinstance(value, str) else None
    except ValueError:
        return None


_FACT_TOKEN_CLASSES = {
    "speedtest.server": "server",  # its sponsor and city tell where the customer lives
}
"""Token classes of pseudonymised facts whose value is not a device's (default: ``value``)."""

_TXT_CLASSES = {
    "fn": "name", "n": "name", "dn": "name",  # friendly names (cast, Matter's DeviceName)
    "note": "place", "loc": "place",  # where a printer stands
    "ty": "model", "product": "model", "usb_mdl": "model",  # a printer's make and model as set up
    "pk": "key",  # AirPlay public key
    "deviceid": "mac-or-id", "id": "mac-or-id", "bs": "mac-or-id", "cd": "mac-or-id", "bridgeid": "mac-or-id",
    "md": "md",  # a model name; kept unless it names a person or place
}  # fmt: skip
"""mDNS TXT keys whose values identify a device, its owner or its place (RFC 6763 keys compare
without case)."""

_COMMON_WORDS = frozenset(
    [
        "printer", "printers", "router", "gateway", "modem", "tv", "television", "speaker", "speakers",
        "phone", "smartphone", "computer", "laptop", "desktop", "tablet", "camera", "hub", "bridge", "nas",
        "media", "iot", "device", "devices", "unknown", "localhost", "home", "guest", "office", "wifi",
        "wi-fi", "wlan", "lan", "wan", "internet", "network", "default", "android", "iphone", "ipad",
        "macbook", "imac", "chromecast", "airport", "scanner", "server", "client", "host", "repeater",
        "extender", "mesh", "switch", "lamp", "light", "plug", "thermostat", "doorbell", "watch", "echo",
        "kindle", "homepod", "appletv", "firetv", "roku", "sonos", "xbox", "playstation", "nintendo", "box",
        "fritz", "fritzbox", "speedport", "livebox", "freebox", "bbox", "easybox", "test", "none", "null",
        "true", "false", "admin", "user", "public", "private", "local", "lab", "drucker", "fernseher",
        "lautsprecher", "kamera", "netzwerk", "gast", "büro", "zuhause", "imprimante", "télévision",
        "téléviseur", "enceinte", "caméra", "réseau", "invité", "bureau", "maison", "stampante", "casa",
        "rete", "impresora", "red",
    ]
)  # fmt: skip
"""Device names that are ordinary words: never looked for in free text (they name nobody)."""


# --- secrets ------------------------------------------------------------------------------------------


class _Scrubber:
    """Removes secrets from a document and counts how many it removed."""

    def __init__(self) -> None:
        self.count = 0
        self._outcomes: frozenset[str] = frozenset()

    def scrub(self, value: Any, outcomes: frozenset[str] = frozenset()) -> Any:
        if isinstance(value, str):
            if not _SECRET_GATE.find_matches_as_indexes(fold(value)):
                return value
            self._outcomes = outcomes
            try:
                return _SECRETS.sub(self._match, value)
            finally:
                self._outcomes = frozenset()
        if isinstance(value, list):
            return [self.scrub(v) for v in value]
        if isinstance(value, dict):
            out: dict[str, Any] = {}
            outcomes = evidence_outcomes(value) if "text" in value else frozenset()
            for key, child in value.items():
                if isinstance(key, str) and name_hint(key, weak=False) == "secret" and child:
                    out[key] = self._replace(child)
                elif key == "text" and outcomes and isinstance(child, str) and evidence_head(child, outcomes):
                    # an evidence item: the outcome after the label of what was tested is no secret
                    head = evidence_head(child, outcomes)
                    out[key] = self.scrub(child[:head], outcomes) + self.scrub(child[head:])
                else:
                    out[key] = self.scrub(child)
            return out
        return value

    def _replace(self, value: Any) -> Any:
        if value in (REDACTED, None):
            return value
        self.count += 1
        return REDACTED if isinstance(value, str) else None

    def _match(self, match: re.Match[str]) -> str:
        text = match.group(0)
        if match.lastgroup == "url_userinfo":
            replaced = text.split("://", 1)[0] + "://" + REDACTED + "@"
        else:
            replaced = _without_secret(text, self._outcomes)
        if replaced != text:
            self.count += 1
        return replaced


def _scrub_document(document: Mapping[str, Any]) -> tuple[dict[str, Any], int]:
    scrubber = _Scrubber()
    result = scrubber.scrub({k: v for k, v in document.items() if k != "redaction"})
    assert isinstance(result, dict)
    if "redaction" in document:
        result["redaction"] = copy.deepcopy(document["redaction"])
    for observation in result.get("observations") or ():
        fact = str(observation.get("fact", "")) if isinstance(observation, dict) else ""
        if name_hint(fact, weak=False) == "secret":
            observation["value"] = scrubber._replace(observation.get("value"))
            if observation["value"] == REDACTED:
                observation["value"] = None
    return result, scrubber.count


def scrub_secrets_document(document: Mapping[str, Any]) -> dict[str, Any]:
    """``document`` without anything that looks like a secret (keys, passwords, URL credentials).

    The ``redaction`` counts are left alone: they are numbers per class, and one class is named
    ``secret`` (how many secrets were replaced), which is no secret itself.
    """
    return _scrub_document(document)[0]


def scrub_secrets(report: Report) -> Report:
    """``report`` without secrets; applied in every mode, ``--no-redact`` included."""
    from homediag.reports.document import from_document, to_document

    return from_document(scrub_secrets_document(to_document(report)))


def redact(report: Report, store: TokenStore) -> Report:
    """The share-safe copy of ``report``: ``privacy_level: "redacted"``, ``redaction`` filled.

    A report that already says it is redacted is redacted again (its fields may have been edited, or
    notes added since); that changes nothing in what an earlier redaction replaced."""
    from homediag.reports.document import from_document, to_document

    return from_document(Redactor(store).redact_document(to_document(report)))


def for_output(
    report: Report, *, redact_report: bool = True, directory: Path | None = None
) -> tuple[Report, list[str]]:
    """The report as homediag writes or prints it, and warnings for the user.

    Secrets are always scrubbed. Unless ``redact_report`` is False (``--no-redact``), the report is
    redacted with the installation's tokens; when the token table cannot be used, with tokens for this
    report only, and a warning says so.
    """
    from homediag.core.i18n import _
    from homediag.reports.tokens import RedactionError, config_dir

    if not redact_report:
        return scrub_secrets(report), []
    try:  # redaction scrubs secrets first
        with TokenStore.open(directory) as store:
            return redact(report, store), []
    except (OSError, RedactionError) as exc:
        where = directory if directory is not None else config_dir()
        warning = _(
            "redaction tokens cannot be kept in {path} ({error}); the tokens in this report will "
            "not match those of other reports"
        ).format(path=where, error=getattr(exc, "strerror", None) or exc)
        return redact(report, TokenStore.ephemeral()), [warning]
