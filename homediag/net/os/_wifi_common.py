"""Small helpers the Wi-Fi parsers share: input caps, tolerant numbers, security vocabulary."""

from __future__ import annotations

import re
from collections.abc import Iterable

from homediag.net.errors import ParseError
from homediag.net.os.wifi_types import Security

LINK_MAX_CHARS = 1_000_000
"""Link and interface outputs are a few hundred bytes; a megabyte is a broken or hostile source."""
SCAN_MAX_CHARS = 16_000_000
"""A scan with every IE of a few hundred access points stays far below this."""


def check_text(text: object, limit: int, tool: str) -> str:
    """``text`` if it is a string within ``limit`` characters, else a ParseError naming the tool."""
    if not isinstance(text, str):
        raise ParseError(f"{tool}: expected text, got {type(text).__name__}")
    if len(text) > limit:
        raise ParseError(f"{tool}: output of {len(text)} characters exceeds the {limit} limit")
    return text


_NUMBER_RE = re.compile(r"[-+]?\d+(?:[.,]\d+)?")


def first_number(text: str | None) -> float | None:
    """The first number in ``text`` (a decimal comma counts as a point), or None."""
    if not text:
        return None
    match = _NUMBER_RE.search(text)
    if match is None:
        return None
    value = float(match.group(0).replace(",", "."))
    return value if abs(value) < 1e12 else None


def first_int(text: str | None) -> int | None:
    """The first number in ``text`` as an integer (truncated), or None."""
    value = first_number(text)
    return None if value is None or abs(value) > 2**53 else int(value)


def plausible_dbm(value: float | None) -> float | None:
    """A received power in dBm, or None when the value is a tool's "unknown" (0) or absurd."""
    if value is None or value >= 0 or value < -150:
        return None
    return value


MAX_REPORTED_DBM = 40.0
"""Above this a "signal" is no power reading at all (a percentage or garbage): dropped."""


def reported_dbm(value: float | None) -> tuple[float | None, bool]:
    """A signal in dBm as the driver reported it, and whether it is implausible.

    Some drivers report positive dBm (``signal: 18 dBm``) for a link that works: the value is kept
    and flagged, never silently dropped. 0 stays a tool's "unknown" and absurd values are dropped.
    """
    if value is None or value == 0 or value < -150 or value > MAX_REPORTED_DBM:
        return None, False
    return value, value > 0


# AKM suite selectors (IEEE 802.11-2020 Table 9-151) that older iw versions print as numbers.
_SUITE_NAMES = {
    1: "802.1X",
    2: "PSK",
    3: "FT/802.1X",
    4: "FT/PSK",
    5: "802.1X/SHA-256",
    6: "PSK/SHA-256",
    8: "SAE",
    9: "FT/SAE",
    11: "802.1X/SUITE-B",
    12: "802.1X/SUITE-B-192",
    13: "FT/802.1X/SHA-384",
    18: "OWE",
    19: "FT/PSK/SHA-384",
    20: "PSK/SHA-384",
    24: "SAE-EXT-KEY",
    25: "FT/SAE-EXT-KEY",
}
_SUITE_SELECTOR_RE = re.compile(r"00-0F-AC:(\d{1,3})")


def _suite_name(match: re.Match[str]) -> str:
    return _SUITE_NAMES.get(int(match.group(1)), match.group(0))


def security_from_akms(
    *,
    akms: Iterable[str],
    pairwise: Iterable[str],
    rsn: bool,
    wpa: bool,
    privacy: bool,
) -> Security:
    """Security from what the RSN/WPA elements offer (authentication suites and pairwise ciphers).

    - no RSN/WPA element: WEP when the privacy bit is set, else open;
    - any 802.1X suite (incl. Suite B, FILS): enterprise;
    - SAE with PSK: WPA2/WPA3 transition; SAE alone: WPA3; OWE: Enhanced Open;
    - RSN with CCMP or GCMP: WPA2 (also when WPA1 is offered beside it, "mixed mode");
    - otherwise (WPA1 only, or TKIP only): WPA/TKIP.
    """
    akm_text = _SUITE_SELECTOR_RE.sub(_suite_name, " ".join(akms).upper())
    ciphers = " ".join(pairwise).upper()
    if not rsn and not wpa:
        return Security.WEP if privacy else Security.OPEN
    if "802.1X" in akm_text or "SUITE-B" in akm_text or "FILS" in akm_text or "EAP" in akm_text:
        return Security.ENTERPRISE
    sae = "SAE" in akm_text
    psk = "PSK" in akm_text
    if sae and psk:
        return Security.WPA2_WPA3
    if sae:
        return Security.WPA3
    if "OWE" in akm_text:
        return Security.OWE
    if rsn and ("CCMP" in ciphers or "GCMP" in ciphers or "AES" in ciphers or not ciphers):
        return Security.WPA2
    return Security.WPA_TKIP


_OPEN_WORDS = frozenset({"none", "open", "offen", "ouvrir", "ouvert", "ouverte", "aucune", "aucun"})
_ENTERPRISE_WORDS = frozenset({"enterprise", "entreprise", "unternehmen", "802.1x", "eap"})
_WEP_WORDS = frozenset({"wep", "shared", "freigegeben", "partagé", "partagée", "partage"})


def security_from_words(text: str | None, *, cipher: str | None = None) -> Security:
    """Security from the words tools print.

    ``WPA2 Personal``, ``WPA2-Enterprise``, ``WPA3-Personal``, ``WPA2/WPA3 Personal``,
    ``Open``/``Offen``/``Ouvrir``, ``WEP``, ``OWE``...

    An open authentication with a WEP cipher is WEP (Windows shows WEP networks that way), and a
    WPA/WPA2 network whose only cipher is TKIP is WPA/TKIP.
    """
    value = (text or "").strip().lower()
    if not value:
        return Security.UNKNOWN
    tokens = set(re.split(r"[\s_/()+,-]+", value)) - {""}
    cipher_tokens = set(re.split(r"[\s/,+-]+", (cipher or "").lower())) - {""}
    if tokens & _WEP_WORDS or (tokens & _OPEN_WORDS and "wep" in cipher_tokens):
        return Security.WEP
    if "owe" in tokens or "enhanced" in tokens:
        return Security.OWE
    if tokens & _OPEN_WORDS and not any(token.startswith("wpa") for token in tokens):
        return Security.OPEN
    if tokens & _ENTERPRISE_WORDS:
        return Security.ENTERPRISE
    wpa3 = "wpa3" in tokens or "sae" in tokens
    wpa2 = "wpa2" in tokens or "transition" in tokens
    if wpa3:
        return Security.WPA2_WPA3 if wpa2 else Security.WPA3
    tkip_only = "tkip" in cipher_tokens and not cipher_tokens & {"ccmp", "aes", "gcmp"}
    if wpa2 or ("wpa" in tokens and "mixed" in tokens):
        return Security.WPA_TKIP if tkip_only else Security.WPA2
    if "wpa" in tokens or "wpa1" in tokens:
        return Security.WPA_TKIP
    return Security.UNKNOWN
