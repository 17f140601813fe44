"""Built-in probes, listed in one place.

Each entry is ``module:Class``; the registry imports them when a command needs probes, so
``homediag --help`` imports none of them. Third-party probes come from the entry-point group
``homediag.probes.v1`` instead.
"""

BUILTIN_PROBES: tuple[str, ...] = ()
