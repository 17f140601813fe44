"""Exit codes of the command line (docs/report-format.md#exit-codes)."""

from __future__ import annotations

import signal
from enum import IntEnum


class ExitCode(IntEnum):
    """What ``homediag`` returns to the shell."""

    OK = 0
    """No problem found."""
    PROBLEM = 1
    """A confirmed or likely problem (wins over INCOMPLETE)."""
    INCOMPLETE = 2
    """Probes failed or timed out."""
    INTERNAL = 3
    """Internal error, or a report this version cannot read."""
    USAGE = 4
    """Usage error."""
    SIGHUP = 129
    SIGINT = 130
    SIGTERM = 143


SIGNAL_EXIT: dict[int, ExitCode] = {
    signal.SIGINT: ExitCode.SIGINT,
    signal.SIGTERM: ExitCode.SIGTERM,
    signal.SIGHUP: ExitCode.SIGHUP,
}
