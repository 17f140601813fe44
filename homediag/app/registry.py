"""The probe registry of a run: the built-in probes, then the allowed plugins."""

from __future__ import annotations

from homediag.core.config import Config
from homediag.core.registry import Registry, build_registry
from homediag.probes import builtin_probes


def load_registry(config: Config | None = None, *, plugins: bool = True) -> Registry:
    """The registry of a run: every built-in probe, then (with ``plugins``) the allowed plugins."""
    return build_registry(builtin_probes(), config, plugins=plugins)
