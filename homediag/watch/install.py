"""What to install to leave ``homediag watch`` running overnight: printed, never installed.

:func:`systemd_unit` (a systemd user service), :func:`launchd_plist` (a launchd agent) and
:func:`windows_task` (a ``schtasks`` command). Each runs ``homediag watch`` with the same duration and
interval; the history goes to the usual data directory, so ``homediag watch --report`` reads it.
"""

from __future__ import annotations

import plistlib
import shlex
import subprocess
from collections.abc import Sequence

LABEL = "org.homediag.watch"
SERVICE = "homediag-watch.service"
TASK = "homediag watch"


def watch_argv(
    program: Sequence[str], duration: str | None, interval_s: float, speedtest_every: str | None = None
) -> list[str]:
    """The command line of the unattended watch (with the options that shape it)."""
    argv = [*program, "watch", "--interval", f"{interval_s:g}"]
    if duration:
        argv += ["--for", duration]
    if speedtest_every:
        argv += ["--speedtest-every", speedtest_every]
    return argv


def systemd_unit(argv: Sequence[str]) -> str:
    """A systemd user unit (``~/.config/systemd/user/homediag-watch.service``)."""
    command = " ".join(_systemd_quote(a) for a in argv)
    return (
        "[Unit]\n"
        "Description=homediag watch: records the home network's intermittent faults\n"
        "After=network-online.target\n"
        "Wants=network-online.target\n"
        "\n"
        "[Service]\n"
        "Type=simple\n"
        f"ExecStart={command}\n"
        "Restart=on-failure\n"
        "SuccessExitStatus=130 143 129\n"
        "RestartSec=10\n"
        "Nice=10\n"
        "\n"
        "[Install]\n"
        "WantedBy=default.target\n"
    )


def _systemd_quote(arg: str) -> str:
    if arg and all(c.isalnum() or c in "-_./=:@+," for c in arg):
        return arg
    escaped = arg.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%").replace("$", "$$")
    return f'"{escaped}"'


def launchd_plist(argv: Sequence[str]) -> str:
    """A launchd agent (``~/Library/LaunchAgents/org.homediag.watch.plist``)."""
    document = {
        "Label": LABEL,
        "ProgramArguments": list(argv),
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},
        "ProcessType": "Background",
        "StandardErrorPath": "/tmp/homediag-watch.log",  # noqa: S108 - the user's own agent log
    }
    return plistlib.dumps(document, sort_keys=False).decode("utf-8")


def windows_task(argv: Sequence[str]) -> str:
    """A ``schtasks`` command that starts the watch at logon for the current user."""
    command = subprocess.list2cmdline(list(argv))
    return subprocess.list2cmdline(
        ["schtasks", "/Create", "/TN", TASK, "/SC", "ONLOGON", "/RL", "LIMITED", "/F"]
    ) + (' /TR "' + command.replace('"', '\\"') + '"')


def shell_line(argv: Sequence[str]) -> str:
    """``argv`` as a POSIX shell line."""
    return shlex.join(argv)
