"""How long the guided flow takes to show its first screen (the menu), and ``homediag --help``.

Targets (issue 16): the guided flow's first screen within 300 ms, ``homediag --help`` within 150 ms.
``homediag`` runs on a pseudo-terminal of 80 columns, as a customer starts it, with an empty home and
no configuration; the clock stops when the menu's last line is on the terminal (the key hint, or the
prompt on ``TERM=dumb``), then Ctrl-D ends it without a check. Where ``unshare -n`` works, it runs in
a network namespace of its own (the menu sends nothing; this keeps it so).

Two figures each: wall time (what the customer waits; on a machine shared with other work it mostly
measures the queue for a CPU) and the process's own CPU time until then (user + system, from
``/proc/PID/stat``, 10 ms ticks; what the same start costs on an idle machine, give or take disk).
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time

RUNS = 15
HINTS = {"xterm-256color": b"Arrow keys and Enter, or the number.", "dumb": b"press Enter: "}


def prefix() -> list[str]:
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True, check=False).returncode == 0:
        return [unshare, "-n"]
    return []


def environment(home: str, term: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOMEDIAG_")}
    env.update(
        {
            "HOME": home,
            "XDG_DATA_HOME": f"{home}/data",
            "XDG_CONFIG_HOME": f"{home}/config",
            "TERM": term,
            "LANGUAGE": "en",
            "COLUMNS": "80",
        }
    )
    return env


def cpu_s(pid: int) -> float:
    """User + system CPU seconds the process ``pid`` used so far."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def first_screen(argv: list[str], env: dict[str, str], until: bytes) -> tuple[float, float]:
    """Wall and CPU seconds from the start of ``argv`` on a terminal until ``until`` is on it."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 80, 0, 0))
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    seen = b""
    elapsed = cpu = float("nan")
    deadline = started + 30
    try:
        while time.perf_counter() < deadline:
            if select.select([master], [], [], 0.05)[0]:
                seen += os.read(master, 65536)
                if until in seen:
                    elapsed = time.perf_counter() - started
                    cpu = cpu_s(proc.pid)
                    break
        else:
            raise SystemExit(f"no first screen within 30 s: {seen[-500:]!r}")
        os.write(master, b"\x04")
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
        os.close(slave)
    return elapsed, cpu


def report(what: str, samples: list[tuple[float, float]]) -> None:
    wall = [w for w, _c in samples]
    cpu = [c for _w, c in samples]
    print(
        f"{what:<40} wall median {statistics.median(wall) * 1000:5.0f} ms (min {min(wall) * 1000:4.0f})"
        f"   CPU median {statistics.median(cpu) * 1000:4.0f} ms (min {min(cpu) * 1000:4.0f})"
        f"   ({len(samples)} runs)"
    )


def timed_run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of ``argv`` run to its end (output captured)."""
    before = os.times()
    started = time.perf_counter()
    subprocess.run(argv, capture_output=True, env=env, check=False)
    wall = time.perf_counter() - started
    after = os.times()
    return wall, (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )


def main() -> None:
    homediag = [sys.executable, "-m", "homediag"]
    isolate = prefix()
    print(f"load average before: {os.getloadavg()[0]:.2f} (CPUs: {os.cpu_count()})")
    with tempfile.TemporaryDirectory(prefix="homediag-bench-") as home:
        for term, hint in HINTS.items():
            env = environment(home, term)
            report(
                f"homediag (menu, TERM={term})",
                [first_screen([*isolate, *homediag], env, hint) for _ in range(RUNS)],
            )
        env = environment(home, "xterm-256color")
        report("homediag --help", [timed_run([*isolate, *homediag, "--help"], env) for _ in range(RUNS)])
        report(
            "python -c pass (the interpreter)",
            [timed_run([*isolate, sys.executable, "-c", "pass"], env) for _ in range(RUNS)],
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
