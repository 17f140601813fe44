"""Running the tools the lab drives (``ip``, ``nft``, ``tc``, daemons) inside network namespaces.

Everything goes through argv lists (never a shell) and has a timeout. A failing command becomes a
``LabError`` that names the command and quotes the first line of its error output.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from homediag.core.errors import LabError
from homediag.core.i18n import _

DEFAULT_TIMEOUT = 20.0

REQUIRED_BINARIES: tuple[str, ...] = ("ip", "nft", "tc", "bridge")


def ns_argv(ns: str | None, argv: Sequence[str]) -> list[str]:
    """``argv`` run inside the namespace ``ns`` (or in the current one when ``ns`` is None)."""
    if ns is None:
        return list(argv)
    return ["ip", "netns", "exec", ns, *argv]


def run(
    argv: Sequence[str],
    *,
    ns: str | None = None,
    input_text: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    check: bool = True,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a command to completion; raise ``LabError`` on failure when ``check``."""
    full = ns_argv(ns, argv)
    try:
        proc = subprocess.run(
            full,
            input=input_text,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env=dict(env) if env is not None else None,
        )
    except FileNotFoundError:
        raise LabError(_("command not found: {cmd}").format(cmd=full[0])) from None
    except subprocess.TimeoutExpired:
        raise LabError(
            _("command timed out after {s:.0f} s: {cmd}").format(s=timeout, cmd=" ".join(full))
        ) from None
    if check and proc.returncode != 0:
        detail = (proc.stderr or proc.stdout or "").strip().splitlines()
        first = detail[0] if detail else f"exit {proc.returncode}"
        raise LabError(_("{cmd} failed: {error}").format(cmd=" ".join(full[:8]), error=first[:300]))
    return proc


def ip_batch(lines: Iterable[str], *, ns: str | None = None) -> None:
    """Run many ``ip`` commands in one process (``ip [-n NS] -batch -``)."""
    text = "\n".join(lines)
    if not text.strip():
        return
    argv = ["ip", "-n", ns, "-batch", "-"] if ns else ["ip", "-batch", "-"]
    run(argv, input_text=text + "\n")


def nft(ns: str, script: str) -> None:
    """Load an nftables script into the namespace ``ns``."""
    run(["nft", "-f", "-"], ns=ns, input_text=script)


def sysctl(ns: str, settings: Mapping[str, str | int]) -> None:
    """Set sysctls of the namespace ``ns`` (one process for all of them)."""
    if settings:
        run(["sysctl", "-q", "-w", *(f"{k}={v}" for k, v in settings.items())], ns=ns)


def missing_binaries(names: Iterable[str]) -> list[str]:
    """The binaries of ``names`` that are not on PATH."""
    return [name for name in names if shutil.which(name) is None]


def list_netns() -> list[str]:
    """Names of the network namespaces ``ip netns`` knows."""
    proc = run(["ip", "netns", "list"], check=False)
    return [line.split()[0] for line in proc.stdout.splitlines() if line.strip()]


def netns_pids(ns: str) -> list[int]:
    """Processes whose network namespace is ``ns``."""
    proc = run(["ip", "netns", "pids", ns], check=False)
    return [int(tok) for tok in proc.stdout.split() if tok.isdigit()]


# --- processes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProcessRecord:
    """A process the lab started, identified by PID and start time (PIDs are reused)."""

    name: str
    pid: int
    start_ticks: int
    ns: str | None

    def to_json(self) -> dict[str, object]:
        """For the state file."""
        return {"name": self.name, "pid": self.pid, "start_ticks": self.start_ticks, "ns": self.ns}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> ProcessRecord:
        """From the state file."""
        ns = data.get("ns")
        return cls(
            name=str(data["name"]),
            pid=int(str(data["pid"])),
            start_ticks=int(str(data["start_ticks"])),
            ns=str(ns) if ns is not None else None,
        )


def proc_start_ticks(pid: int) -> int | None:
    """Start time of ``pid`` in clock ticks since boot, or None when it is gone or a zombie."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = raw.rsplit(")", 1)[-1].split()
    if not fields or fields[0] in ("Z", "X"):
        return None
    try:
        return int(fields[19])
    except (IndexError, ValueError):
        return None


def is_alive(record: ProcessRecord) -> bool:
    """Whether the recorded process still runs (same PID and same start time)."""
    return proc_start_ticks(record.pid) == record.start_ticks


def spawn(
    name: str,
    argv: Sequence[str],
    *,
    ns: str | None,
    log: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> tuple[ProcessRecord, subprocess.Popen[bytes]]:
    """Start a long-running process in its own session, its output in ``log`` (truncated first)."""
    full = ns_argv(ns, argv)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        try:
            popen = subprocess.Popen(
                full,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                close_fds=True,
                env=dict(env) if env is not None else None,
                cwd=cwd,
            )
        except FileNotFoundError:
            raise LabError(_("command not found: {cmd}").format(cmd=full[0])) from None
    ticks = proc_start_ticks(popen.pid) or 0
    return ProcessRecord(name=name, pid=popen.pid, start_ticks=ticks, ns=ns), popen


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def terminate(records: Sequence[ProcessRecord], *, grace: float = 2.0) -> None:
    """Stop processes: SIGTERM to each one's process group, then SIGKILL what is left."""
    live = [r for r in records if is_alive(r)]
    for record in live:
        _signal(record.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while live and time.monotonic() < deadline:
        for record in live:
            _reap(record.pid)
        live = [r for r in live if is_alive(r)]
        if live:
            time.sleep(0.02)
    for record in live:
        _signal(record.pid, signal.SIGKILL)
    for record in live:
        _reap(record.pid)


def kill_pids(pids: Sequence[int], *, grace: float = 1.0) -> None:
    """Stop the processes ``pids`` (found in a lab namespace): SIGTERM, then SIGKILL."""
    records = [
        ProcessRecord("?", pid, ticks, None) for pid in pids if (ticks := proc_start_ticks(pid)) is not None
    ]
    terminate(records, grace=grace)


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)


def wait_until(
    condition: Callable[[], bool],
    *,
    timeout: float,
    interval: float = 0.02,
) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` passes; return whether it held."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def listening(pid: int, port: int, *, proto: str = "tcp") -> bool:
    """Whether a socket in the network namespace of ``pid`` listens on ``port``.

    Reads ``/proc/PID/net/{tcp,udp}[6]``, which show the sockets of that process's namespace, so no
    command has to run inside the namespace.
    """
    want = f":{port:04X}"
    for suffix in ("", "6"):
        try:
            lines = Path(f"/proc/{pid}/net/{proto}{suffix}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if len(parts) < 4:
                continue
            local, state = parts[1], parts[3]
            if local.endswith(want) and (proto == "udp" or state == "0A"):
                return True
    return False


def link_is_up(ns: str, dev: str) -> bool:
    """Whether ``dev`` in ``ns`` is operationally up and transmitting.

    The link watch sets the operational state, then activates the device's queue (``noop`` until
    then, dropping every packet), so both are checked.
    """
    out = run(["ip", "-n", ns, "-o", "link", "show", "dev", dev], check=False).stdout
    return "state UP" in out and "qdisc noop" not in out


def wait_links_up(links: Iterable[tuple[str, str]], timeout: float = 3.0) -> None:
    """Wait until every (namespace, device) is operationally up.

    The kernel applies carrier changes through its link watch, up to a second later; packets sent
    before that are dropped, so a fault switched off waits for its links.
    """
    pending = list(links)
    if not wait_until(lambda: all(link_is_up(ns, dev) for ns, dev in pending), timeout=timeout):
        raise LabError(_("links did not come up: {links}").format(links=pending))
    # Neighbour entries left half-resolved while the link was down would hold the first packets
    # until their next probe (a second later): start afresh, as after plugging a cable in.
    for ns, dev in pending:
        run(["ip", "-n", ns, "neigh", "flush", "dev", dev], check=False)


def file_contains(path: Path, needle: str) -> bool:
    """Whether ``path`` exists and contains ``needle`` (readiness lines in daemon logs)."""
    try:
        return needle in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
