"""Local state of this computer, read through one object so tests can replace it with recordings.

Probes never call netifaces or open system files directly: they use ``ctx.system``. The live
implementation reads netifaces (interfaces, addresses, default gateways) and small files (``/sys``,
``/etc/resolv.conf``) with a size cap; ``homediag.testing.RecordedSystem`` answers from a recording.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

MAX_FILE_BYTES = 256 * 1024


class SystemView:
    """The live view: netifaces plus capped file reads."""

    def interfaces(self) -> list[str]:
        """Names of every network interface."""
        import netifaces

        return list(netifaces.interfaces())

    def ifaddresses(self, name: str) -> dict[int, list[dict[str, str]]]:
        """Addresses of ``name`` by address family (netifaces' shape)."""
        import netifaces

        try:
            raw: dict[int, list[dict[str, str]]] = netifaces.ifaddresses(name)
        except ValueError:
            return {}
        return raw

    def gateways(self) -> dict[Any, Any]:
        """Gateways as netifaces reports them (``{"default": {AF_INET: (ip, ifname)}, ...}``)."""
        import netifaces

        result: dict[Any, Any] = netifaces.gateways()
        return result

    def family(self, name: str) -> int:
        """The netifaces number of address family ``inet``, ``inet6`` or ``link``."""
        import netifaces

        return int({"inet": netifaces.AF_INET, "inet6": netifaces.AF_INET6, "link": netifaces.AF_LINK}[name])

    def read_text(self, path: str, max_bytes: int = MAX_FILE_BYTES) -> str | None:
        """The start of a text file, or None when it does not exist or cannot be read."""
        try:
            with Path(path).open("rb") as handle:
                data = handle.read(max_bytes)
        except OSError:
            return None
        return data.decode("utf-8", "replace")

    def exists(self, path: str) -> bool:
        """Whether ``path`` exists."""
        return Path(path).exists()

    def read_link(self, path: str) -> str | None:
        """The target of a symbolic link, or None."""
        try:
            return str(Path(path).readlink())
        except OSError:
            return None
