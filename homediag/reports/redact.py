"""Redaction: a report that can be shared without giving away the home it describes.

Four layers (docs/report-format.md#redaction); this module holds the walk and the classes of layers
1 to 3, the others are in rooms of their own:

- :mod:`homediag.reports.patterns`: what identifiers and secrets look like (addresses by value, name
  hints, the sweep's patterns);
- :mod:`homediag.reports.pseudonyms`: the tokens, MAC and address replacements of one redaction, the
  values it learned and its counts;
- :mod:`homediag.reports.sweep`: layer 4, the free-text sweep;
- :mod:`homediag.reports.scrub`: the secret backstop.

1. **Every field is classified.** The report schema gives each leaf an ``x-privacy`` class — ``keep``,
   ``pseudonymise``, ``drop``, ``address`` (judged by value), ``by-fact`` (the privacy class the
   observation carries, declared by its probe) or ``text`` (free text, swept). :class:`Redactor`'s walk
   follows the schema, so a field the schema does not know is dropped, never passed through.
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

import functools
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from homediag.core.facts import Privacy
from homediag.core.model import Report
from homediag.reports.patterns import (
    REDACTED,
    address_class,
    evidence_head,
    evidence_outcomes,
    name_hint,
    parse_address,
)
from homediag.reports.pseudonyms import Pseudonyms
from homediag.reports.scrub import scrub_document, scrub_secrets
from homediag.reports.sweep import TextSweeper
from homediag.reports.tokens import TokenStore, is_token

_LEARNING = frozenset({"pseudonymise", "by-fact"})


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
        self._pseudonyms = Pseudonyms(store)
        self._sweeper = TextSweeper(self._pseudonyms)
        self._device_token: str | None = None
        """The token of the device being walked: its services' and TXT records' names become it."""

    # -- public --------------------------------------------------------------------------------------

    def redact_document(self, document: Mapping[str, Any]) -> dict[str, Any]:
        """A redacted copy of ``document`` (a report document).

        The document's own ``privacy_level`` is never trusted: a document that says ``redacted`` is
        redacted again. Tokens, address classes and markers that redaction put in are kept as they
        are, so redacting a redacted document changes nothing; its counts are carried over.
        """
        earlier = _earlier_counts(document)
        doc, secrets_removed = scrub_document(document)
        # Pass 1 learns every identifier the fields hold (device names, SSIDs, serials...), so that
        # pass 2 can find them again in free text anywhere in the report.
        pseudonyms = self._pseudonyms
        pseudonyms.sweeping = False
        self._walk_root(doc)
        self._sweeper.matcher = pseudonyms.matcher()
        pseudonyms.sweeping = True
        pseudonyms.counts.clear()
        result = self._walk_root(doc)
        result["privacy_level"] = "redacted"
        pseudonyms.counts["secret"] += secrets_removed
        result["redaction"] = dict(sorted((earlier + pseudonyms.counts).items()))
        return result

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
        if not self._pseudonyms.sweeping and not node.learns:
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
                self._pseudonyms.count("field")
                return None
            case "address":
                return self._address_or_text(value)
            case "pseudonymise":
                return self._pseudonymise(value, node)
            case "text" if node.definition == "evidence_item" and isinstance(parent, dict):
                outcomes = evidence_outcomes(parent)
                head = evidence_head(value, outcomes) if isinstance(value, str) and outcomes else 0
                if not head or not self._pseudonyms.sweeping:
                    return self._text_value(value)
                return self._sweeper.sweep(value[:head], outcomes) + self._text(value[head:])
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
        known = self._pseudonyms.ids.get(device_id)
        if known is None and is_token(device_id):
            known = self._pseudonyms.ids[device_id] = device_id
        if known is None:
            known = self.store.token("device" if kind == "unknown" else kind, device_id)
            self._pseudonyms.ids[device_id] = known
            self._pseudonyms.learn(device_id, known)
        names = [n for n in device.get("names") or () if isinstance(n, str)]
        names += [
            s["name"]
            for s in device.get("services") or ()
            if isinstance(s, dict) and isinstance(s.get("name"), str)
        ]
        product = {str(device.get(k) or "").casefold() for k in ("model", "vendor")}
        for name in names:
            self._pseudonyms.names.setdefault(name.casefold(), known)
            if name.casefold() not in product:  # a product name is not personal
                self._pseudonyms.learn(name, known)
        return known

    def _pseudonymise(self, value: Any, node: _Node) -> Any:
        if not isinstance(value, str) or is_token(value):
            return value
        key = (node.definition, node.key)
        if key == ("device", "id"):
            self._pseudonyms.count("device")
            return self._pseudonyms.ids.get(value) or self.store.token("device", value)
        if key == ("device", "mac"):
            return self._pseudonyms.mac(value) or self._pseudonyms.token("mac", value)
        if key in (("device", "names"), ("service", "name")):
            self._pseudonyms.count("name")
            return (
                self._pseudonyms.names.get(value.casefold())
                or self._device_token
                or self._pseudonyms.token("host", value)
            )
        if key == ("probe_run", "target"):
            if value in self._pseudonyms.ids:
                return self._pseudonyms.ids[value]
            return self._text(value)
        return self._pseudonyms.token("value", value)

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
            self._pseudonyms.count("dropped" if hint == "drop" else "secret")
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
        named = self._pseudonyms.names.get(value.casefold())
        if named is not None:  # a device's own name (a printer's ty is often its instance name)
            self._pseudonyms.count("name")
            return named
        match klass:
            case "name":
                token = self._device_token
                if token is None:
                    return self._pseudonyms.token("host", value)
                self._pseudonyms.count("name")
                self._pseudonyms.learn(value, token)
                return token
            case "mac-or-id":
                return self._pseudonyms.mac(value) or self._pseudonyms.token("id", value)
            case "md":
                if _names_someone(value) or self._pseudonyms.knows(value):
                    return self._pseudonyms.token("model", value)
                return self._text(value)
            case _:  # place, model, key
                return self._pseudonyms.token(klass, value)

    def _hinted(self, value: str, hint: str | None) -> Any:
        if hint is None:
            return self._text(value)
        if not value or is_token(value):
            return value
        match hint:
            case "secret":
                self._pseudonyms.count("secret")
                return REDACTED
            case "drop":
                parsed = parse_address(value)
                self._pseudonyms.count("dropped")
                if parsed is not None:
                    return f"{address_class(parsed[0])}-ipv{parsed[0].version}"
                return None
            case "mac":
                return self._pseudonyms.mac(value) or self._pseudonyms.token("mac", value)
            case "host":
                token = self._pseudonyms.names.get(value.casefold())
                if token is not None:
                    self._pseudonyms.count("name")
                    return token
                if parse_address(value) is not None:
                    return self._address_or_text(value)
                return self._pseudonyms.token("host", value)
            case "value":
                if parse_address(value) is not None:
                    return self._address_or_text(value)
                mac = self._pseudonyms.mac(value)
                if mac is not None:
                    return mac
                return self._pseudonyms.token("value", value)
            case _:  # ssid, serial, uuid
                return self._pseudonyms.token(hint, value)

    def _text_value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self._text(value)
        if isinstance(value, list):
            return [self._text_value(v) for v in value]
        if isinstance(value, dict):
            return {self._text(str(k)): self._text_value(v) for k, v in value.items()}
        return value

    def _text(self, text: str) -> str:
        return self._sweeper.sweep(text) if self._pseudonyms.sweeping else text

    def _address_or_text(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        parsed = parse_address(value)
        if parsed is None:
            return self._text(value)
        address, suffix = parsed
        redacted = self._pseudonyms.address(address)
        return value if redacted is None else redacted + suffix


def _earlier_counts(document: Mapping[str, Any]) -> Counter[str]:
    """The counts of an earlier redaction of ``document`` (none unless it says it is redacted)."""
    counts = document.get("redaction")
    if document.get("privacy_level") != "redacted" or not isinstance(counts, dict):
        return Counter()
    return Counter(
        {str(k): v for k, v in counts.items() if type(v) is int and v > 0 and _COUNT_CLASS.match(str(k))}
    )


_COUNT_CLASS = re.compile(r"^[a-z][a-z0-9-]{0,31}$")


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
