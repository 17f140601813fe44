"""What identifiers and secrets look like: the patterns redaction and the secret backstop find them by.

- addresses, judged by value (:func:`address_class`, :func:`eui64_mac`, :func:`parse_address`);
- what a fact's or a key's name says its value is (:func:`name_hint`);
- the patterns of the free-text sweep (:data:`WORDS`, :data:`PHRASES` and the gates that decide
  which texts they run on), in en/de/fr/it/es wordings for secrets;
- a secret's value cut out of its label (:func:`without_secret`), unless it is the outcome word of a
  test (:func:`evidence_head`, :func:`evidence_outcomes`).

Pure functions and compiled patterns: no state, no tokens (docs/report-format.md#redaction).
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Mapping
from typing import Any

import ahocorasick_rs

from homediag.core.outcomes import outcome_words
from homediag.reports.tokens import REPLACEMENT_PATTERN

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


@functools.lru_cache(maxsize=65536)
def parse_address(
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
    for :func:`without_secret`)."""
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
WORDS = _alternation(_WORD_PATTERNS)
"""Identifiers written without spaces; a match's ``lastgroup`` names its pattern."""
PHRASES = _alternation(_PHRASE_PATTERNS)
"""Phrases: secrets after their label, labelled serials, possessive device names, coordinates, titles."""
CANDIDATE_WORD = re.compile(r"(?<!\S)[^\s0-9:@]*[0-9:@]\S*")
"""A whitespace-separated word holding a digit, ':' or '@': the only place :data:`WORDS` can match."""
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
PHRASE_GATE = ahocorasick_rs.AhoCorasick(list(_PHRASE_KEYWORDS))
"""Finds the keywords of :data:`PHRASES` in a folded text: where it finds none, no phrase can match."""
SECRETS = _alternation(("url_userinfo", "secret_pair"))
"""Credentials in URLs and secrets after their label: what the backstop removes in every mode."""
SECRET_GATE = ahocorasick_rs.AhoCorasick(["://", *_SECRET_KEYWORDS])
"""Finds the keywords of :data:`SECRETS` in a folded text: where it finds none, no secret can match."""
_SECRET_PARTS = re.compile(r"(?i)" + _SECRET_LABEL + _secret_rest(named=True))


def without_secret(text: str, outcomes: frozenset[str] = frozenset()) -> str:
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
