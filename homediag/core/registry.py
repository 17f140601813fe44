"""The probe registry: built-ins from one list, third-party probes from entry points, all validated.

Built-in probes are listed in ``homediag/probes/__init__.py``. Third-party distributions publish probes
in the entry-point group ``homediag.probes.v1`` (each entry point names a :class:`Probe` subclass).
Every spec is validated when it registers; an invalid plugin is refused with an error that names its
distribution and entry point, and the other probes still load. ``HOMEDIAG_DISABLE_PLUGIN_AUTOLOAD=1``
switches plugin loading off; when homediag runs as root, only plugins named in ``plugins.allow`` load.
"""

from __future__ import annotations

import difflib
import inspect
import os
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from importlib import metadata

from pydantic import ValidationError

from homediag.core.config import Config
from homediag.core.errors import ConfigError, PluginError, ProbeSpecError
from homediag.core.facts import Fact, FactCatalogue, FactSpec, Privacy
from homediag.core.i18n import _
from homediag.core.probe import Probe
from homediag.core.spec import PROBE_ID_RE, Platform, Privilege, ProbeArgs, ProbeSpec, Risk, arg_infos

FACT_NAME_RE = PROBE_ID_RE
"""Fact names are dotted lower-case names, like probe ids."""

ENTRY_POINT_GROUP = "homediag.probes.v1"
ENV_DISABLE_AUTOLOAD = "HOMEDIAG_DISABLE_PLUGIN_AUTOLOAD"
MAX_TIMEOUT_S = 600.0


def validate_spec(spec: object, *, known_facts: Collection[str] | None = None) -> None:
    """Raise ``ProbeSpecError`` naming every rule ``spec`` breaks.

    ``known_facts``: the facts some probe provides, to check ``needs`` against (unchecked when None: a
    plugin may need a fact another plugin provides; :meth:`Registry.check_references` checks them
    once everything is loaded).
    """
    if not isinstance(spec, ProbeSpec):
        raise ProbeSpecError("spec must be a homediag.core.spec.ProbeSpec")
    problems: list[str] = []
    if not PROBE_ID_RE.match(spec.id):
        problems.append(f"id {spec.id!r} is not a dotted lower-case id like 'net.dns'")
    if not spec.summary.strip():
        problems.append("summary is empty")
    risk: object = spec.risk  # plugins are not type-checked: check what they really passed
    if not isinstance(risk, Risk):
        problems.append(f"risk {risk!r} is not one of {', '.join(Risk)}")
    if not (0 < spec.timeout_s <= MAX_TIMEOUT_S):
        problems.append(f"timeout_s must be in (0, {MAX_TIMEOUT_S:g}]")
    if not spec.platforms or any(not isinstance(p, Platform) for p in spec.platforms):
        problems.append("platforms must be a non-empty tuple of Platform")
    if spec.privilege is not Privilege.NONE and not (spec.fallback or "").strip():
        problems.append("a probe that needs a privilege must name its unprivileged fallback")
    if not spec.provides:
        problems.append("provides is empty: a probe must observe something")
    problems += _fact_problems(spec.provides)
    provided = set(spec.fact_names)
    for name in spec.needs:
        if known_facts is not None and name not in known_facts and name not in provided:
            problems.append(f"needs unknown fact {name!r}")
        if name in provided:
            problems.append(f"fact {name!r} is both needed and provided")
    for name in spec.follows:
        if known_facts is not None and name not in known_facts and name not in provided:
            problems.append(f"follows unknown fact {name!r}")
        if name in provided or name in spec.needs:
            problems.append(f"fact {name!r} is followed and also needed or provided")
    args: object = spec.args
    if not (inspect.isclass(args) and issubclass(args, ProbeArgs)):
        problems.append("args must be a homediag.core.spec.ProbeArgs model (one field per argument)")
    else:
        undocumented = [info.name for info in arg_infos(args) if not info.help.strip()]
        if undocumented:
            problems.append(f"arguments without help (Field description): {', '.join(undocumented)}")
        try:
            args()
        except ValidationError:
            problems.append("every argument needs a default")
    if problems:
        raise ProbeSpecError(f"{spec.id}: " + "; ".join(problems))


def _fact_problems(provides: Iterable[object]) -> list[str]:
    """What is wrong with the fact declarations of a spec (plugins are not type-checked)."""
    problems: list[str] = []
    seen: set[str] = set()
    for fact in provides:
        if not isinstance(fact, Fact):
            problems.append(
                f"provides {fact!r}, an unknown fact: declare each fact with "
                "homediag.core.facts.Fact(name, type, summary)"
            )
            continue
        if not FACT_NAME_RE.match(fact.name):
            problems.append(f"fact name {fact.name!r} is not a dotted lower-case name like 'dns.any_ok'")
        if fact.name in seen:
            problems.append(f"fact {fact.name!r} is declared twice")
        seen.add(fact.name)
        if not fact.summary.strip():
            problems.append(f"fact {fact.name!r} has no summary")
        privacy: object = fact.privacy
        if not isinstance(privacy, Privacy):
            problems.append(f"fact {fact.name!r}: privacy {privacy!r} is not one of {', '.join(Privacy)}")
        try:
            fact.problem(0)  # builds the type's checker: a type that cannot be checked fails here
            fact.describe_type()
        except Exception as exc:  # noqa: BLE001 - a plugin's type may be anything
            problems.append(f"fact {fact.name!r}: type {fact.type!r} cannot be checked: {type(exc).__name__}")
    return problems


@dataclass
class Registry:
    """The probes available to a run, by id."""

    probes: dict[str, type[Probe]] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    """Where each probe came from: ``built-in`` or ``<distribution> (<entry point>)``."""
    errors: list[str] = field(default_factory=list)
    """Plugins that were refused, with the reason."""
    skipped: list[str] = field(default_factory=list)
    """Plugins that were not loaded on purpose (autoload off, root without allow-list)."""

    def register(self, probe: object, *, origin: str = "built-in") -> type[Probe]:
        """Validate and add ``probe``; raise ``ProbeSpecError`` when it breaks a rule."""
        if not (inspect.isclass(probe) and issubclass(probe, Probe)):
            raise ProbeSpecError(f"{probe!r} is not a subclass of homediag.core.probe.Probe")
        if inspect.isabstract(probe):
            raise ProbeSpecError(f"{probe.__name__} does not implement run()")
        if not inspect.iscoroutinefunction(probe.run):
            raise ProbeSpecError(f"{probe.__name__}.run must be an async function")
        spec = getattr(probe, "spec", None)
        validate_spec(spec)
        assert isinstance(spec, ProbeSpec)
        if spec.id in self.probes:
            raise ProbeSpecError(f"probe id {spec.id!r} is already registered by {self.origins[spec.id]}")
        taken = self.providers()
        for name in spec.fact_names:
            if name in taken:
                raise ProbeSpecError(f"{spec.id}: fact {name!r} is already provided by {taken[name]}")
        self.probes[spec.id] = probe
        self.origins[spec.id] = origin
        return probe

    def check_references(self) -> None:
        """Drop plugins that need facts nobody provides (repeatedly: a dropped plugin's facts go with
        it); raise for a built-in that does."""
        changed = True
        while changed:
            changed = False
            provided = self.providers()
            for probe_id in sorted(self.probes):
                spec = self.probes[probe_id].spec
                missing = [f for f in (*spec.needs, *spec.follows) if f not in provided]
                if not missing:
                    continue
                message = f"{probe_id}: needs facts no probe provides: {', '.join(missing)}"
                if self.origins[probe_id] == "built-in":
                    raise ProbeSpecError(message)
                self.errors.append(str(PluginError(f"plugin {self.origins[probe_id]} refused: {message}")))
                del self.probes[probe_id]
                del self.origins[probe_id]
                changed = True
                break

    def get(self, probe_id: str) -> type[Probe]:
        """The probe with ``probe_id``; ``KeyError`` when unknown."""
        return self.probes[probe_id]

    def specs(self) -> list[ProbeSpec]:
        """Every spec, sorted by id."""
        return [self.probes[key].spec for key in sorted(self.probes)]

    def catalogue(self) -> FactCatalogue:
        """The declarations of every fact the registered probes provide (from their specs)."""
        return FactCatalogue(
            FactSpec.of(fact, pid) for pid in sorted(self.probes) for fact in self.probes[pid].spec.provides
        )

    def probe_args(self, config: Config) -> dict[str, ProbeArgs]:
        """The arguments of every registered probe: its defaults, with the values ``probes.<id>`` of
        ``config`` over them. ``ConfigError`` naming the probe and the key for an unknown probe id, an
        unknown argument or a value of the wrong type (one sentence: the first problem found)."""
        values: dict[str, ProbeArgs] = {}
        for probe_id in config.probes:
            if probe_id not in self.probes:
                raise ConfigError(_unknown_probe(config, probe_id, sorted(self.probes)))
        for probe_id, probe in sorted(self.probes.items()):
            given = config.probes.get(probe_id) or {}
            try:
                values[probe_id] = probe.spec.args.model_validate(given)
            except ValidationError as exc:
                raise ConfigError(_bad_argument(config, probe_id, probe.spec, exc)) from None
        return values

    def providers(self) -> dict[str, str]:
        """Map each provided fact to its probe id."""
        return {fact: pid for pid, probe in self.probes.items() for fact in probe.spec.fact_names}

    def load_plugins(self, config: Config, *, as_root: bool) -> None:
        """Load third-party probes from the ``homediag.probes.v1`` entry points."""
        if os.environ.get(ENV_DISABLE_AUTOLOAD, "").strip() not in ("", "0"):
            self.skipped.append(f"plugin autoload disabled by {ENV_DISABLE_AUTOLOAD}")
            return
        for entry in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            dist = entry.dist.name if entry.dist is not None else "unknown distribution"
            where = f"{dist} (entry point {entry.name!r} = {entry.value!r})"
            if as_root and entry.name not in config.plugins.allow and dist not in config.plugins.allow:
                self.skipped.append(f"{where}: not loaded as root (not in plugins.allow)")
                continue
            try:
                loaded = entry.load()
                self.register(loaded, origin=where)
            except ProbeSpecError as exc:
                self.errors.append(str(PluginError(f"plugin {where} refused: {exc}")))
            except Exception as exc:  # noqa: BLE001 - a broken plugin must not stop a diagnosis
                self.errors.append(
                    str(PluginError(f"plugin {where} failed to load: {type(exc).__name__}: {exc}"))
                )


def _where(config: Config) -> str:
    return f"{config.source}: " if config.source else ""


def _unknown_probe(config: Config, probe_id: str, known: list[str]) -> str:
    close = difflib.get_close_matches(probe_id, known, n=1)
    hint = _(" (did you mean {id}?)").format(id=close[0]) if close else ""
    return _("{where}probes.{id}: no installed probe has this id{hint}; see 'homediag probes list'").format(
        where=_where(config), id=probe_id[:60], hint=hint
    )


def _bad_argument(config: Config, probe_id: str, spec: ProbeSpec, exc: ValidationError) -> str:
    first = exc.errors()[0]
    key = ".".join(str(part) for part in first["loc"])
    if first["type"] == "extra_forbidden":
        names = ", ".join(info.name for info in spec.arg_infos()) or _("none")
        return _("{where}probes.{id}.{key}: {id} has no such argument (its arguments: {names})").format(
            where=_where(config), id=probe_id, key=key[:60], names=names
        )
    return f"{_where(config)}probes.{probe_id}.{key[:60]}: {first['msg']}"  # pydantic's words, as config.py


def build_registry(
    builtins: Iterable[type[Probe]], config: Config | None = None, *, plugins: bool = True
) -> Registry:
    """A registry of ``builtins``, then (with ``plugins``) the allowed third-party probes.

    The built-in list lives with the probes (:func:`homediag.probes.builtin_probes`); the application
    layer passes it in (``homediag.app.registry.load_registry``), so the core never imports a probe.
    """
    from homediag.core.session import has_raw_socket_privilege

    registry = Registry()
    for probe in builtins:
        registry.register(probe)
    if plugins:
        registry.load_plugins(config or Config(), as_root=has_raw_socket_privilege())
    registry.check_references()
    return registry
