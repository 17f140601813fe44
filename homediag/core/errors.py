"""Typed errors. Nothing below the CLI exits or prints; it raises one of these instead."""

from __future__ import annotations


class HomediagError(Exception):
    """Base class of every error homediag raises on purpose.

    The message is meant for people: one line, no traceback needed to understand it.
    """


class UsageError(HomediagError):
    """The user asked for something that cannot work (bad option value, missing file)."""


class ConfigError(HomediagError):
    """The configuration file is missing, unreadable or invalid."""


class ReportError(HomediagError):
    """A report cannot be read: malformed JSON, wrong schema, or a newer major version."""


class PluginError(HomediagError):
    """A probe plugin is invalid. The message names its distribution and entry point."""


class ProbeSpecError(HomediagError):
    """A probe spec breaks the rules (unknown fact, bad id, missing timeout...)."""


class PlaybookError(HomediagError):
    """A playbook is invalid. The message names the file and, where known, the line."""


class ScanRefused(HomediagError):
    """A scan was refused for safety (public range, subnet too large, interface not allowed)."""


class LabError(HomediagError):
    """The lab cannot be built or driven on this machine."""


class ProbeFailure(HomediagError):
    """Raised inside a probe to end it with outcome ``error`` and a clear reason."""


class NotApplicable(HomediagError):
    """Raised inside a probe to end it with outcome ``not_applicable`` and the reason."""


class NotPermitted(HomediagError):
    """Raised inside a probe when it lacks a privilege and has no fallback left."""
