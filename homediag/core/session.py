"""The session: what the user asked for and what this computer allows, fixed for one run."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from enum import StrEnum

from homediag.core.baseline import Baseline
from homediag.core.config import Config
from homediag.core.spec import Platform, Risk


class Audience(StrEnum):
    """Who reads the result: plain words and safe fixes, or the technician's detail."""

    CUSTOMER = "customer"
    TECHNICIAN = "technician"


def current_platform() -> Platform | None:
    """The platform homediag runs on, or None for one it does not support."""
    name: str = sys.platform  # a plain str, so that type checkers do not prune the other branches
    if name.startswith("linux"):
        return Platform.LINUX
    if name == "darwin":
        return Platform.MACOS
    if name.startswith("win"):
        return Platform.WINDOWS
    return None


def has_raw_socket_privilege() -> bool:
    """Whether raw sockets are allowed: root on POSIX (capabilities are not granted to Python)."""
    geteuid = getattr(os, "geteuid", None)
    if geteuid is not None:
        return bool(geteuid() == 0)
    try:  # Windows: administrators may open raw sockets
        import ctypes

        return bool(ctypes.windll.shell32.IsUserAnAdmin())  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return False


@dataclass(frozen=True)
class Session:
    """Options and environment of one run. Probes read it through their context."""

    config: Config = field(default_factory=Config)
    interface: str | None = None
    """The interface named with ``--interface``; None means the one of the default route."""
    audience: Audience = Audience.CUSTOMER
    lang: str = "en"
    max_risk: Risk = Risk.ACTIVE
    allowed: frozenset[str] = frozenset()
    """Probe ids named with ``--allow``: the only way an intrusive probe runs."""
    privileged: bool = False
    platform: Platform | None = None
    allow_large_subnet: bool = False
    speedtest: bool = False
    interactive: bool = False
    baseline: Baseline | None = None
    """The earlier report of this network given with ``--baseline`` (its devices are compared)."""

    @classmethod
    def detect(cls, **options: object) -> Session:
        """A session for this computer (platform and privilege detected) with ``options``."""
        values: dict[str, object] = {
            "platform": current_platform(),
            "privileged": has_raw_socket_privilege(),
        }
        values.update(options)
        return cls(**values)  # type: ignore[arg-type]
