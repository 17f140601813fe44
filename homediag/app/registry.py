"""The probe registry of a run: the built-in probes, then the allowed plugins, and their arguments checked."""

from __future__ import annotations

from homediag.core.config import Config
from homediag.core.registry import Registry, build_registry
from homediag.probes import builtin_probes


def load_registry(config: Config | None = None, *, plugins: bool = True) -> Registry:
    """The registry of a run: every built-in probe, then (with ``plugins``) the allowed plugins.

    The configuration's per-probe arguments (``probes:``) are checked against the probes' argument models
    here, where both are known and before any probe runs: an unknown probe id, an unknown argument or a
    value of the wrong type is a ``ConfigError`` naming the probe and the key (a usage error, exit 4).
    """
    registry = build_registry(builtin_probes(), config, plugins=plugins)
    registry.probe_args(config or Config())
    return registry
