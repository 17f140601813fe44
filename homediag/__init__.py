"""homediag: home-network diagnostics.

Pluggable probes observe a home network, a playbook engine narrows a complaint down to its cause by
elimination, and a report carries the result to whoever needs it next. See ``docs/``.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
