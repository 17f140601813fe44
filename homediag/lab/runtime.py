"""The running lab's record and its processes: what is up, which faults are on, which PIDs are ours.

The record is a JSON file in the lab's state directory, so ``fault add`` in one shell acts on the lab
``up`` built in another. Each process is recorded with its PID and start time, so a recycled PID is
never signalled by mistake.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homediag.core.errors import LabError
from homediag.core.i18n import _
from homediag.lab import system
from homediag.lab.home import CLASSIC, HomeProfile
from homediag.lab.names import LabNames
from homediag.lab.plan import AddressPlan, WanMode
from homediag.lab.scenario import Scenario
from homediag.lab.system import ProcessRecord

Ready = Callable[[int], bool]
"""A readiness test, given the PID of the process it checks."""


@dataclass(frozen=True)
class DaemonSpec:
    """A process to start and how to tell that it is ready."""

    name: str
    """Unique in the lab: ``router.dnsmasq``, ``printer.avahi``."""
    ns: str
    argv: Sequence[str]
    ready: Ready | None = None
    env: Mapping[str, str] | None = None
    timeout: float = 10.0
    after: str | None = None
    """The name of a process that must be ready before this one starts."""


@dataclass
class LabState:
    """What is persisted about a running lab."""

    scenario: str
    plain_hosts: int
    faults: list[str] = field(default_factory=list)
    processes: dict[str, ProcessRecord] = field(default_factory=dict)
    wan_mode: str = "public"
    started: float = field(default_factory=time.time)
    built: bool = False
    """True once ``up`` finished; a lab that is not built is half-made and only ``down`` helps."""
    home_seed: str | None = None
    """The seed of the drawn home the lab runs (None: the classic home of a scenario)."""
    home: dict[str, Any] | None = None
    """The drawn home as it was when the lab was built (``lab status`` shows it)."""
    notes: list[str] = field(default_factory=list)
    """What the lab could not build as drawn on this machine (said, never hidden)."""

    def to_json(self) -> dict[str, Any]:
        """For the state file."""
        return {
            "scenario": self.scenario,
            "plain_hosts": self.plain_hosts,
            "faults": self.faults,
            "processes": {k: v.to_json() for k, v in self.processes.items()},
            "wan_mode": self.wan_mode,
            "started": self.started,
            "built": self.built,
            "home_seed": self.home_seed,
            "home": self.home,
            "notes": self.notes,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LabState:
        """From the state file."""
        return cls(
            scenario=str(data["scenario"]),
            plain_hosts=int(data.get("plain_hosts", 0)),
            faults=[str(f) for f in data.get("faults", [])],
            processes={str(k): ProcessRecord.from_json(v) for k, v in data.get("processes", {}).items()},
            wan_mode=str(data.get("wan_mode", "public")),
            started=float(data.get("started", 0.0)),
            built=bool(data.get("built", False)),
            home_seed=str(data["home_seed"]) if data.get("home_seed") is not None else None,
            home=dict(data["home"]) if isinstance(data.get("home"), dict) else None,
            notes=[str(n) for n in data.get("notes", [])],
        )


def load_state(names: LabNames) -> LabState | None:
    """The state of lab ``names.lab_id``, or None when it is not up."""
    try:
        data = json.loads(names.state_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise LabError(
            _("cannot read the lab state {path}: {error}; run 'homediag lab down'").format(
                path=names.state_file, error=exc
            )
        ) from None
    try:
        return LabState.from_json(data)
    except (KeyError, TypeError, ValueError):
        raise LabError(
            _("the lab state {path} is damaged; run 'homediag lab down'").format(path=names.state_file)
        ) from None


def _tail(log: Path) -> str:
    """The last line of a daemon's log, quoted (the log goes when a failed ``up`` tears the lab down)."""
    try:
        lines = [
            line for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()
        ]
    except OSError:
        return ""
    return f" ({lines[-1][:200]})" if lines else ""


class Runtime:
    """The lab being built or driven: names, scenario, state, and the processes it started."""

    def __init__(
        self, names: LabNames, scenario: Scenario, state: LabState, profile: HomeProfile = CLASSIC
    ) -> None:
        self.names = names
        self.scenario = scenario
        self.state = state
        self.profile = profile
        self._children: dict[int, subprocess.Popen[bytes]] = {}

    @property
    def plan(self) -> AddressPlan:
        """The LAN's address plan."""
        return self.scenario.addresses

    def wan_mode(self, name: str | None = None) -> WanMode:
        """The WAN mode ``name`` of this home (default: the one it is in now)."""
        return self.plan.wan_modes()[name or self.state.wan_mode]

    # --- state -----------------------------------------------------------------------------------

    def save(self) -> None:
        """Write the state file atomically."""
        path = self.names.state_file
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.state.to_json(), indent=1), encoding="utf-8")
        os.replace(tmp, path)

    def ns(self, role: str) -> str:
        """The namespace of ``role`` in this lab."""
        return self.names.ns(role)

    def dir(self, name: str) -> Path:
        """A directory of its own for one daemon or device (created)."""
        path = self.names.run_dir(name)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def log(self, name: str) -> Path:
        """The log file of process ``name``."""
        return self.names.state_dir / "logs" / f"{name}.log"

    # --- processes -------------------------------------------------------------------------------

    def start(self, specs: Sequence[DaemonSpec]) -> None:
        """Start ``specs`` in parallel and wait until each is ready (bounded).

        A spec with ``after`` starts once that process is ready (avahi after its system bus).
        """
        waiting = list(specs)
        running: list[tuple[DaemonSpec, ProcessRecord]] = []
        ready: set[str] = {n for n in self.state.processes if n not in {s.name for s in specs}}
        deadline = time.monotonic() + sum(s.timeout for s in specs) / max(len(specs), 1) + 10.0
        while waiting or running:
            for spec in [s for s in waiting if s.after is None or s.after in ready]:
                waiting.remove(spec)
                running.append((spec, self._spawn(spec)))
            self.save()
            still: list[tuple[DaemonSpec, ProcessRecord]] = []
            for spec, record in running:
                if not system.is_alive(record):
                    log = self.log(spec.name)
                    raise LabError(
                        _("{name} exited at start; see {log}").format(name=spec.name, log=log) + _tail(log)
                    )
                if spec.ready is None or spec.ready(record.pid):
                    ready.add(spec.name)
                else:
                    still.append((spec, record))
            running = still
            if not running and waiting and not any(s.after is None or s.after in ready for s in waiting):
                raise LabError(_("{name} waits for a process that never starts").format(name=waiting[0].name))
            if not running and not waiting:
                return
            if time.monotonic() > deadline:
                stuck = running[0][0].name if running else waiting[0].name
                raise LabError(
                    _("{name} did not become ready; see {log}").format(name=stuck, log=self.log(stuck))
                )
            time.sleep(0.02)

    def _spawn(self, spec: DaemonSpec) -> ProcessRecord:
        if spec.name in self.state.processes and system.is_alive(self.state.processes[spec.name]):
            raise LabError(_("{name} is already running").format(name=spec.name))
        env = dict(os.environ)
        if spec.env:
            env.update(spec.env)
        record, popen = system.spawn(
            spec.name,
            spec.argv,
            ns=spec.ns,
            log=self.log(spec.name),
            env=env,
            cwd=self.names.state_dir,  # never a source tree that could shadow homediag
        )
        self._children[record.pid] = popen
        self.state.processes[spec.name] = record
        return record

    def stop(self, *names: str) -> None:
        """Stop the named processes (those not running are skipped)."""
        records = [self.state.processes.pop(n) for n in names if n in self.state.processes]
        system.terminate(records)
        for record in records:
            popen = self._children.pop(record.pid, None)
            if popen is not None:
                popen.poll()
        self.save()

    def running(self, name: str) -> bool:
        """Whether process ``name`` runs."""
        record = self.state.processes.get(name)
        return record is not None and system.is_alive(record)

    def pid(self, name: str) -> int:
        """The PID of a running process."""
        record = self.state.processes.get(name)
        if record is None or not system.is_alive(record):
            raise LabError(_("{name} is not running").format(name=name))
        return record.pid

    def signal(self, name: str, sig: int) -> None:
        """Send a signal to process ``name``."""
        os.kill(self.pid(name), sig)

    @staticmethod
    def python(module: str, *args: str) -> list[str]:
        """The argv that runs a lab server module with this interpreter."""
        return [sys.executable, "-m", module, *args]
