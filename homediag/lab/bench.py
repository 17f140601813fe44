"""The accuracy bench: many (home, faults) draws, each diagnosed inside the lab and scored.

``plan_bench(seed, trials)`` draws the trials from the seed alone: trial ``i`` runs the home of seed
``<seed>.<i>``, healthy in about one trial of six, with one fault in half of them and a declared pair
otherwise (faults and pairs only from those that apply to that home). ``run_bench`` builds each home in
a lab of its own id, scans it while healthy, switches the faults on, runs ``homediag diagnose`` with the
customer's complaint and as a checkup, scores everything (:mod:`homediag.lab.truth`), and takes the lab
down. ``summarize`` makes the tables: per fault, per pair, per home feature, the false alarms of healthy
homes, the scan, and the time per trial.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homediag import __version__
from homediag.core.errors import LabError
from homediag.engine.catalog import CHECKUP
from homediag.lab.draw import Draw, check_seed
from homediag.lab.faults import FAULTS, faults_on, pairs_on
from homediag.lab.home import Home, HomeView, draw_home
from homediag.lab.lab import Lab
from homediag.lab.truth import RunScore, ScanScore, expected, home_truth, score_run, score_scan

KINDS = (("healthy", 1), ("single", 3), ("pair", 2))
"""Healthy in one trial of six, one fault in half, two faults in a third."""
HEALTHY_COMPLAINTS = ("no-internet", "slow-internet", "unstable-connection", "video-calls")
"""What the customer of a healthy home complains of (something they noticed and that was not there)."""
COMPLAINT_MODES = ("auto", "checkup")
RUN_TIMEOUT_S = 180.0


@dataclass(frozen=True)
class TrialPlan:
    """One trial: a home, the faults switched on, the customer's complaint."""

    index: int
    home_seed: str
    kind: str
    faults: tuple[str, ...]
    complaint: str


def plan_bench(seed: str, trials: int) -> list[TrialPlan]:
    """The trials of ``seed`` (the same on every machine and run)."""
    d = Draw(check_seed(seed), "bench")
    out: list[TrialPlan] = []
    for index in range(trials):
        home_seed = f"{seed}.{index}"
        home = draw_home(home_seed)
        view = HomeView(home.profile, home.scenario)
        kind = d.weighted(f"{index}/kind", list(KINDS))
        pairs = pairs_on(view)
        if kind == "pair" and not pairs:
            kind = "single"
        if kind == "healthy":
            faults: tuple[str, ...] = ()
            complaint = d.pick(f"{index}/complaint", HEALTHY_COMPLAINTS)
        elif kind == "single":
            faults = (d.pick(f"{index}/fault", faults_on(view)),)
            complaint = FAULTS[faults[0]].complaint_on(view)
        else:
            faults = d.pick(f"{index}/pair", pairs)
            complaint = FAULTS[d.pick(f"{index}/complainer", faults)].complaint_on(view)
        out.append(TrialPlan(index, home_seed, kind, faults, complaint))
    return out


@dataclass
class TrialResult:
    """What one trial gave."""

    plan: TrialPlan
    features: dict[str, str]
    runs: list[RunScore] = field(default_factory=list)
    scan: ScanScore | None = None
    rebuilt: bool = False
    """Whether the lab built the home its seed draws (the saved home equals a fresh draw)."""
    seconds: float = 0.0
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    """What went wrong on the way and was retried (a daemon that did not start the first time)."""

    @property
    def ok(self) -> bool:
        """Every run of the trial scored right."""
        return self.error is None and bool(self.runs) and all(r.ok for r in self.runs)

    def to_json(self) -> dict[str, Any]:
        """For the bench's JSON file."""
        return {
            "index": self.plan.index,
            "home_seed": self.plan.home_seed,
            "kind": self.plan.kind,
            "faults": list(self.plan.faults),
            "complaint": self.plan.complaint,
            "features": self.features,
            "ok": self.ok,
            "runs": [r.to_json() for r in self.runs],
            "scan": self.scan.to_json() if self.scan else None,
            "rebuilt": self.rebuilt,
            "seconds": round(self.seconds, 2),
            "error": self.error,
            "notes": self.notes,
        }


def bench_lab_id(lab_id: str) -> str:
    """The lab id the bench uses: the caller's with a ``b`` (never the caller's own lab)."""
    return (lab_id if len(lab_id) < 8 else lab_id[:7]) + "b"


def _homediag(lab: Lab, args: Sequence[str], data: Path) -> tuple[int, str, str, float]:
    env = {"XDG_DATA_HOME": str(data / "data"), "HOMEDIAG_CONFIG_DIR": str(data / "config"), "COLUMNS": "200"}
    start = time.monotonic()
    proc = lab.client_exec([sys.executable, "-m", "homediag", *args], env=env, timeout=RUN_TIMEOUT_S)
    return proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start


def _json(text: str) -> dict[str, Any] | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _build(lab: Lab, seed: str, result: TrialResult) -> None:
    """Build the home of ``seed``; a daemon that fails to start gets one more try, and the errors
    (with the end of the daemon's log) are kept in the trial's notes."""
    for attempt in (1, 2):
        lab.down()
        try:
            lab.up(home=seed)
            return
        except LabError as exc:
            result.notes.append(f"lab up attempt {attempt}: {exc}")
            if attempt == 2:
                raise


def run_trial(lab: Lab, trial: TrialPlan, *, complaint_mode: str = "auto") -> TrialResult:
    """Build the trial's home, scan it, switch its faults on, diagnose, score, and take it down."""
    home: Home = draw_home(trial.home_seed)
    view = HomeView(home.profile, home.scenario)
    result = TrialResult(trial, home.features())
    start = time.monotonic()
    want = expected(view, trial.faults)
    try:
        _build(lab, trial.home_seed, result)
        result.rebuilt = lab.status().home == draw_home(trial.home_seed).to_json()
        with tempfile.TemporaryDirectory(prefix="homediag-bench-") as tmp:
            data = Path(tmp)
            rc, out, err, secs = _homediag(lab, ["scan", "--format", "json"], data)
            listed = _json(out)
            devices = listed.get("devices") if listed else None
            result.scan = score_scan(
                home_truth(view),
                devices if isinstance(devices, list) else None,
                seconds=secs,
                error=None if isinstance(devices, list) else f"exit {rc}: {err.strip()[-300:]}",
            )
            for name in trial.faults:
                lab.fault_add(name)
            complaints = [CHECKUP] if complaint_mode == "checkup" or trial.complaint == CHECKUP else []
            if not complaints:
                complaints = [trial.complaint, CHECKUP]
            for complaint in complaints:
                args = ["diagnose"] + ([] if complaint == CHECKUP else [complaint])
                args += ["--non-interactive", "--format", "json", "--no-redact"]
                rc, out, err, secs = _homediag(lab, args, data)
                report = _json(out)
                problem = None if report is not None else f"exit {rc}: {err.strip()[-300:]}"
                result.runs.append(
                    score_run(complaint, want, report, exit_code=rc, seconds=secs, error=problem)
                )
    except LabError as exc:
        result.error = str(exc)
    finally:
        try:
            lab.down()
        except LabError as exc:
            result.error = result.error or f"lab down: {exc}"
        result.seconds = time.monotonic() - start
    return result


@dataclass
class BenchResult:
    """A whole bench run."""

    seed: str
    complaint_mode: str
    trials: list[TrialResult]
    seconds: float

    def to_json(self) -> dict[str, Any]:
        """The JSON file of ``lab bench`` (and ``benchmarks/lab_accuracy.py``)."""
        return {
            "bench": "homediag lab bench",
            "homediag": __version__,
            "seed": self.seed,
            "complaint_mode": self.complaint_mode,
            "seconds": round(self.seconds, 1),
            "summary": summarize(self.trials),
            "trials": [t.to_json() for t in self.trials],
        }


def run_bench(
    seed: str,
    trials: int,
    *,
    lab_id: str,
    complaint_mode: str = "auto",
    progress: Callable[[TrialResult], None] | None = None,
) -> BenchResult:
    """Run ``trials`` trials of ``seed`` one after another in lab ``lab_id`` (taken down at the end)."""
    if complaint_mode not in COMPLAINT_MODES:
        raise LabError(f"unknown complaint mode {complaint_mode!r}")
    lab = Lab(lab_id)
    start = time.monotonic()
    out: list[TrialResult] = []
    try:
        for trial in plan_bench(seed, trials):
            out.append(run_trial(lab, trial, complaint_mode=complaint_mode))
            if progress:
                progress(out[-1])
    finally:
        lab.down()
    return BenchResult(seed, complaint_mode, out, time.monotonic() - start)


# --- tables --------------------------------------------------------------------------------------


def _rate(ok: int, n: int) -> dict[str, Any]:
    return {"ok": ok, "n": n, "rate": round(ok / n, 3) if n else None}


def summarize(trials: Sequence[TrialResult]) -> dict[str, Any]:
    """The bench's figures: accuracy by kind, per fault, per pair, per home feature; false alarms on
    healthy homes; the scan; time per trial; errors."""
    by_kind: dict[str, list[RunScore]] = defaultdict(list)
    by_kind_mode: dict[str, list[RunScore]] = defaultdict(list)
    per_fault: dict[str, list[bool]] = defaultdict(list)
    per_fault_found: dict[str, list[bool]] = defaultdict(list)
    per_pair: dict[str, list[bool]] = defaultdict(list)
    per_feature: dict[str, list[bool]] = defaultdict(list)
    false_codes: dict[str, int] = defaultdict(int)
    missed_codes: dict[str, int] = defaultdict(int)
    healthy_runs = healthy_alarms = 0
    for t in trials:
        for run in t.runs:
            mode = "checkup" if run.complaint == CHECKUP else "complaint"
            by_kind[t.plan.kind].append(run)
            by_kind_mode[f"{t.plan.kind}/{mode}"].append(run)
            for code in run.false_alarms:
                false_codes[code] += 1
            for code in run.missed:
                missed_codes[code] += 1
            if t.plan.kind == "healthy":
                healthy_runs += 1
                healthy_alarms += bool(run.false_alarms) or (run.top is not None and not run.top_ok)
        trial_ok = t.ok
        for name in t.plan.faults:
            per_fault[name].append(trial_ok)
            codes = set(FAULTS[name].codes)
            found = bool(t.runs) and not any(code in r.missed for r in t.runs for code in codes)
            per_fault_found[name].append(found)
        if t.plan.kind == "pair":
            per_pair[" + ".join(t.plan.faults)].append(trial_ok)
        for key, value in t.features.items():
            per_feature[f"{key}={value}"].append(trial_ok)
    scans = [t.scan for t in trials if t.scan is not None]
    scan_kinds: dict[str, list[bool]] = defaultdict(list)
    for t in trials:
        if t.scan is not None:
            names = t.features.get("names", "?")
            scan_kinds[names] += [True] * t.scan.kind_right + [False] * (t.scan.found - t.scan.kind_right)
    times = [t.seconds for t in trials if t.error is None]
    return {
        "trials": len(trials),
        "trials_ok": _rate(sum(t.ok for t in trials), len(trials)),
        "accuracy": {k: _rate(sum(r.ok for r in v), len(v)) for k, v in sorted(by_kind_mode.items())},
        "accuracy_by_kind": {k: _rate(sum(r.ok for r in v), len(v)) for k, v in sorted(by_kind.items())},
        "trials_by_kind": {
            kind: _rate(
                sum(t.ok for t in trials if t.plan.kind == kind), sum(t.plan.kind == kind for t in trials)
            )
            for kind in sorted({t.plan.kind for t in trials})
        },
        "healthy_false_alarms": _rate(healthy_alarms, healthy_runs),
        "per_fault": {k: _rate(sum(v), len(v)) for k, v in sorted(per_fault.items())},
        "per_fault_found": {k: _rate(sum(v), len(v)) for k, v in sorted(per_fault_found.items())},
        "per_pair": {k: _rate(sum(v), len(v)) for k, v in sorted(per_pair.items())},
        "per_feature": {k: _rate(sum(v), len(v)) for k, v in sorted(per_feature.items())},
        "scan_kind_by_names": {k: _rate(sum(v), len(v)) for k, v in sorted(scan_kinds.items())},
        "false_alarm_codes": dict(sorted(false_codes.items(), key=lambda kv: -kv[1])),
        "missed_codes": dict(sorted(missed_codes.items(), key=lambda kv: -kv[1])),
        "scan": {
            "homes": len(scans),
            "devices": sum(s.devices for s in scans),
            "found": sum(s.found for s in scans),
            "kind_right": sum(s.kind_right for s in scans),
            "announced": sum(s.announced for s in scans),
            "announced_kind_right": sum(s.announced_kind_right for s in scans),
            "vendor_right": sum(s.vendor_right for s in scans),
            "extra": sum(len(s.extra) for s in scans),
            "errors": sum(s.error is not None for s in scans),
        },
        "seconds_per_trial": {
            "median": round(statistics.median(times), 1) if times else None,
            "max": round(max(times), 1) if times else None,
            "total": round(sum(t.seconds for t in trials), 1),
        },
        "errors": [{"index": t.plan.index, "error": t.error} for t in trials if t.error],
        "retried": [{"index": t.plan.index, "notes": t.notes} for t in trials if t.notes and not t.error],
        "rebuilt": _rate(sum(t.rebuilt for t in trials), len(trials)),
    }
