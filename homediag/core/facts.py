"""Fact declarations: what a fact is (name, type, unit, privacy class, summary) and the catalogue of them.

Each probe declares the facts it provides in its own spec, beside its code (like osquery's table specs):

```python
class GatewayProbe(Probe):
    spec = ProbeSpec(
        id="net.gateway",
        ...
        provides=(
            Fact("gateway.reachable", bool, "The default gateway answered at least once"),
            Fact("gateway.samples_ms", list[float | None], "Round trips of each probe", unit="ms"),
        ),
    )
```

A structured fact's type names the shape of its items: a ``TypedDict`` (from ``typing_extensions``,
which pydantic reads on Python 3.11) decorated with :data:`record`, so that ``ctx.observe`` refuses a
value that does not fit and readers get typed values (``ctx.fact_as``). The registry builds the
:class:`FactCatalogue` of a run from the declarations of the probes it holds (one provider per fact);
the engine, the playbook checks, ``homediag probes explain`` and ``homediag probes facts`` read it.
Observations carry their fact's privacy class, which redaction reads (as k8sgpt's ``Sensitive``).

Subjects: most facts are about ``local`` (this computer); per-target facts use the subject to say which
(``resolver:192.0.2.53``, ``device:<id>``, ``target:example.com``).
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal, TypeVar

import typing_extensions
from pydantic import ConfigDict, TypeAdapter, ValidationError

FactType = Literal["bool", "int", "float", "str", "list", "object"]
"""The JSON kind of a fact's value."""

T = TypeVar("T")

RECORD_CONFIG = ConfigDict(extra="forbid")
"""Records refuse keys their shape does not name: a renamed key is caught where it is produced."""


def record(shape: type[T]) -> type[T]:
    """Mark a ``TypedDict`` as a fact record: extra keys are refused when a value is checked."""
    shape.__pydantic_config__ = RECORD_CONFIG  # type: ignore[attr-defined]
    return shape


class Privacy(StrEnum):
    """How redaction treats a fact's value in shared reports (docs/report-format.md#redaction)."""

    KEEP = "keep"
    """Not personal: latency, loss, a private gateway address."""
    PSEUDONYMISE = "pseudonymise"
    """Identifies a device or a home: MACs, names, SSIDs, serials. Replaced by stable tokens."""
    DROP = "drop"
    """Locates or identifies the customer: public IP, coordinates. Removed; its class is kept."""


@functools.cache
def _adapter(tp: Any) -> TypeAdapter[Any]:
    return TypeAdapter(tp)


def value_problem(tp: Any, value: object) -> str | None:
    """Why ``value`` (JSON data) does not fit type ``tp``, or None when it does (None always fits:
    "measured, no value"). Strict: no coercion, except an integer where a float is declared."""
    if value is None:
        return None
    try:
        _adapter(tp).validate_python(value, strict=True)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"{first['msg']}" + (f" at {where}" if where else "")
    return None


def typed(tp: type[T], value: object) -> T | None:
    """``value`` as type ``tp`` after checking it (None stays None); ``TypeError`` when it does not fit."""
    problem = value_problem(tp, value)
    if problem is not None:
        raise TypeError(problem)
    return typing.cast(T, value)


def json_kind(tp: Any) -> FactType:
    """The JSON kind of values of type ``tp``."""
    if tp is bool:
        return "bool"
    if tp is int:
        return "int"
    if tp is float:
        return "float"
    if tp is str:
        return "str"
    origin = typing.get_origin(tp)
    if origin in (list, tuple):
        return "list"
    return "object"


def describe_type(tp: Any) -> str:
    """A short text for docs: ``list[{ip: str, name: str | null}]``, ``float``, ``dict[str, int]``."""
    if tp is type(None):
        return "null"
    if isinstance(tp, type) and tp in (bool, int, float, str):
        return tp.__name__
    origin = typing.get_origin(tp)
    if origin in (types.UnionType, typing.Union):
        return " | ".join(describe_type(arg) for arg in typing.get_args(tp))
    if origin is not None:
        args = ", ".join(describe_type(arg) for arg in typing.get_args(tp))
        return f"{getattr(origin, '__name__', str(origin))}[{args}]"
    if typing_extensions.is_typeddict(tp):
        keys = [f"{key}{'' if required else '?'}: {describe_type(hint)}" for key, hint, required in _keys(tp)]
        return str(tp.__name__) + "{" + ", ".join(keys) + "}"
    return getattr(tp, "__name__", str(tp))


def _keys(shape: Any) -> list[tuple[str, Any, bool]]:
    """(key, type, required) of a TypedDict, read from its annotations (which may be postponed, so
    ``__required_keys__`` cannot tell ``NotRequired`` apart)."""
    total = bool(getattr(shape, "__total__", True))
    keys: list[tuple[str, Any, bool]] = []
    for key, hint in typing_extensions.get_type_hints(shape, include_extras=True).items():
        origin: object = typing_extensions.get_origin(hint)
        if origin is typing_extensions.NotRequired or origin is typing_extensions.Required:
            keys.append((key, typing_extensions.get_args(hint)[0], origin is typing_extensions.Required))
        else:
            keys.append((key, hint, total))
    return keys


@dataclass(frozen=True)
class Fact:
    """One fact a probe provides, as the probe declares it in its spec."""

    name: str
    """Dotted name, e.g. ``gateway.rtt_ms``; playbooks refer to facts by it."""
    type: Any
    """The type of the value: ``bool``, ``int``, ``float``, ``str``, ``list[...]``, ``dict[str, ...]`` or a
    :func:`record` ``TypedDict``."""
    summary: str
    """One line: what the value is (and what its subject is, for per-target facts)."""
    unit: str | None = None
    privacy: Privacy = Privacy.KEEP
    not_judged: str | None = None
    """Why no playbook judges it, for a fact no playbook reads (evidence detail, a per-subject view
    of a judged aggregate, personal data kept for the report, not judged yet and why). A test keeps
    every fact either read by a playbook or explained here."""

    @property
    def kind(self) -> FactType:
        """The JSON kind of the value."""
        return json_kind(self.type)

    @property
    def sensitive(self) -> bool:
        """Whether the value is personal data (pseudonymised or dropped when shared)."""
        return self.privacy is not Privacy.KEEP

    def problem(self, value: object) -> str | None:
        """Why ``value`` (JSON data) is not a value of this fact, or None."""
        return value_problem(self.type, value)

    def describe_type(self) -> str:
        """The type as docs show it."""
        return describe_type(self.type)


@dataclass(frozen=True)
class FactSpec:
    """One entry of a run's catalogue: a fact's declaration and the probe that provides it."""

    name: str
    type: FactType
    provider: str
    """The one probe id that provides it."""
    summary: str
    unit: str | None = None
    privacy: Privacy = Privacy.KEEP
    schema: Any = None
    """The declared Python type of the value (None: only the JSON kind is known)."""
    not_judged: str | None = None
    """Why no playbook judges it (:attr:`Fact.not_judged`)."""

    @classmethod
    def of(cls, fact: Fact, provider: str) -> FactSpec:
        """The catalogue entry of ``fact`` as ``provider`` declares it."""
        return cls(
            name=fact.name,
            type=fact.kind,
            provider=provider,
            summary=fact.summary,
            unit=fact.unit,
            privacy=fact.privacy,
            schema=fact.type,
            not_judged=fact.not_judged,
        )

    @property
    def sensitive(self) -> bool:
        """Whether the value is personal data (pseudonymised or dropped when shared)."""
        return self.privacy is not Privacy.KEEP

    def describe_type(self) -> str:
        """The type as docs show it."""
        return describe_type(self.schema) if self.schema is not None else self.type


class FactCatalogue:
    """An immutable set of fact declarations, by name: what the registered probes provide.

    The engine and the application layer receive one explicitly (``Registry.catalogue()``), so the
    engine never imports a probe to learn which facts exist.
    """

    def __init__(self, facts: Iterable[FactSpec]) -> None:
        by_name: dict[str, FactSpec] = {}
        for fact in facts:
            existing = by_name.get(fact.name)
            if existing is not None and existing != fact:
                where = f"{existing.provider}, {fact.provider}"
                raise ValueError(f"fact {fact.name!r} is declared twice ({where})")
            by_name[fact.name] = fact
        self._facts = by_name

    def get(self, name: str) -> FactSpec | None:
        """The declaration of ``name``, or None."""
        return self._facts.get(name)

    def provider(self, name: str) -> str | None:
        """The probe id that provides ``name``, or None."""
        fact = self._facts.get(name)
        return fact.provider if fact is not None else None

    def __contains__(self, name: object) -> bool:
        return name in self._facts

    def __iter__(self) -> Iterator[FactSpec]:
        return iter(self._facts.values())

    def __len__(self) -> int:
        return len(self._facts)
