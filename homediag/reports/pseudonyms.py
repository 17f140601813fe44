"""What one redaction replaces identifiers with, and what it has learned to look for in free text.

:class:`Pseudonyms` hands out keyed tokens from the installation's
:class:`~homediag.reports.tokens.TokenStore` (``printer-1``, ``ssid-2``), MAC replacements that keep
the vendor part (``3c:2a:f4:…mac-2``), address classes for public addresses (``public-ipv4``), and
counts what it replaced, per class. Redaction runs in two passes: the first learns every value the
fields hold, in the forms it may take in text, so that the second (the sweep) finds them again
anywhere in the report (docs/report-format.md#redaction).
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections import Counter

from homediag.core.devices import normalise_mac
from homediag.reports.known import KnownValues, fold
from homediag.reports.patterns import address_class, eui64_mac, parse_address
from homediag.reports.tokens import TokenStore, is_token

_MIN_KNOWN = 3
"""Values shorter than this are replaced in their own fields but not searched for in free text."""
_MIN_ANYWHERE = 6
"""Learned values shorter than this match only as whole words."""
_PLAIN_WORD = re.compile(r"^[^\W\d_][^\W\d_]*$")


class Pseudonyms:
    """The replacements of one redaction (one token store), the values learned for the sweep, and the
    counts of what was replaced.

    ``sweeping`` is False in pass 1, which learns values and counts nothing, and True in pass 2, which
    counts what it replaces and learns nothing more.
    """

    def __init__(self, store: TokenStore, *, sweeping: bool = False) -> None:
        self.store = store
        self.sweeping = sweeping
        self.counts: Counter[str] = Counter()
        self.ids: dict[str, str] = {}
        """Device ids → their tokens."""
        self.names: dict[str, str] = {}
        """Device and service names (case-folded) → their device's token."""
        self._known: dict[str, tuple[str, bool]] = {}
        """Learned values (folded) → their replacement, and whether they match only as whole words."""
        self._macs: dict[str, str] = {}

    def matcher(self) -> KnownValues:
        """An automaton that finds every value learned so far in a text."""
        return KnownValues((value, *entry) for value, entry in self._known.items())

    def knows(self, value: str) -> bool:
        """Whether ``value`` was learned (in any case)."""
        return fold(value) in self._known

    def count(self, kind: str) -> None:
        """Count one replacement of class ``kind`` (in pass 2 only)."""
        if self.sweeping:
            self.counts[kind] += 1

    def token(self, kind: str, value: str) -> str:
        """The token of ``value`` (class ``kind``), learned for the sweep; a token stays as it is."""
        if is_token(value):
            return value
        token = self.store.token(kind, value)
        self.count(kind)
        self.learn(value, token)
        return token

    def mac(self, text: str) -> str | None:
        """The replacement of a MAC in any notation (vendor part kept unless locally administered), or
        None when ``text`` is none, or the all-zero or broadcast address."""
        replaced = self._macs.get(text)
        if replaced is None:
            mac = normalise_mac(text)
            if mac is None or mac in ("00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"):
                return None
            token = self.store.token("mac", mac)
            # locally administered: no vendor part to keep
            replaced = f"…{token}" if int(mac[:2], 16) & 0x02 else f"{mac[:8]}:…{token}"
            self._macs[text] = replaced
        self.count("mac")
        return replaced

    def address(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
        """The replacement of an address, or None to keep it."""
        klass = address_class(address)
        version = address.version
        if isinstance(address, ipaddress.IPv6Address):
            mac = eui64_mac(address) if address.ipv4_mapped is None else None
            if mac is not None:
                self.count("ipv6")
                return f"{klass}-ipv6({self.mac(mac)})"
            if address.ipv4_mapped is not None:
                version = 4
        if klass in ("public", "cgnat", "ula"):
            self.count(f"{klass}-ip")
            return f"{klass}-ipv{version}"
        return None

    def learn(self, value: str, replacement: str) -> None:
        """Remember ``value`` (and its other forms) so that the sweep replaces it in free text.

        One-word names are learned too ("Kinderzimmer" is as personal as "Anna's room"), but match
        only as whole words; common words ("Router", "home") are not, as they name nobody and fill
        ordinary text. Names in scripts without spaces between words (CJK) match anywhere, from two
        characters on.
        """
        if self.sweeping or value == replacement or is_token(value):
            return
        if value.isdigit() or parse_address(value) is not None or fold(value) in _COMMON_WORDS:
            return
        for form in _forms(value):
            wide = _has_wide(form)
            if len(form) < (2 if wide else _MIN_KNOWN):
                continue
            whole = len(form) < (2 if wide else _MIN_ANYWHERE) or (
                _PLAIN_WORD.match(form) is not None and not wide
            )
            self._known.setdefault(fold(form), (replacement, whole))


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
