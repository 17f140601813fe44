"""``homediag watch``: sample the path for hours, then diagnose from the history.

:func:`watch` runs the sampling loop (:mod:`homediag.watch.loop`) into the history
(:mod:`homediag.watch.store`). :func:`report_from_history` reads the history back at any time — also
while a watch is still writing it — finds the events, groups them into windows and lets the engine
judge each window with the same playbooks as ``diagnose``: a window is a complaint made while it
happened (``happening_now: yes``, which opens the playbooks' validity windows), judged from the
window's evidence (:func:`homediag.watch.windows.evidence`). The quiet time outside every window is
judged as a checkup (``happening_now: no``). A fault found only in windows is *intermittent*, with its
windows; one found in the quiet time too is there all along. There is no second diagnosis here: only
the engine judges.

With ``--speedtest-every`` the watch runs ``net.throughput`` through the runner, as a checkup does
(:func:`speedtest_runner`); its results are a table of the report, marks on the timeline and evidence
of the windows (a slow one is a ``slow-line`` window judged as slow internet); a failed one is a
failed ``net.throughput`` run of the report, which makes it incomplete.
"""

from __future__ import annotations

import dataclasses
import os
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homediag import __version__
from homediag.app.diagnose import _titled
from homediag.app.playbooks import load_playbooks
from homediag.core.config import Config
from homediag.core.i18n import _
from homediag.core.model import (
    Finding,
    Observation,
    Outcome,
    PlaybookRef,
    ProbeResult,
    ProbeRun,
    Report,
    ReportMeta,
    RunContext,
    TimeWindow,
    utc_now,
)
from homediag.core.session import Session, current_platform
from homediag.engine.catalog import PlaybookSet
from homediag.engine.diagnose import AnswerFile, Diagnosis, StoredFacts, diagnose, merge_by_code
from homediag.engine.findings import sort_findings
from homediag.watch import events as event_rules
from homediag.watch import samplers, timeline
from homediag.watch.events import Event, EventKind, Location
from homediag.watch.loop import Schedule, SpeedTestRun, Watcher
from homediag.watch.samples import Kind, Sample
from homediag.watch.store import Run, SpeedTest, Store, StoredEvent
from homediag.watch.windows import (
    Window,
    evidence,
    inside,
    iso,
    outside,
    quiet_speedtest,
    speed_evidence,
    windows,
)

MAX_TRACE_STEPS = 5000
"""The report keeps at most this many engine steps over all windows (a week of events stays readable)."""
MAX_JUDGED_WINDOWS = 200
MOSTLY = 0.8
"""A fault whose windows cover this share of the watched time is there all along, not intermittent."""
"""Windows judged by the engine in one report (the most recent ones); the rest are listed only."""


async def watch(
    store: Store,
    session: Session,
    *,
    schedule: Schedule | None = None,
    duration_s: float | None = None,
    internet: tuple[str, ...] | None = None,
    follow_os_log: bool = True,
    speedtest: SpeedTestRun | None = None,
) -> samplers.Path:
    """Find the path and sample it into ``store`` until ``duration_s`` ends or the task is cancelled;
    with ``schedule.speedtest_every_s``, speed tests by ``speedtest`` (default: :func:`speedtest_runner`)."""
    path = await samplers.find_path(session, internet=internet)
    schedule = schedule or Schedule()
    if schedule.speedtest_every_s is not None and speedtest is None:
        speedtest = speedtest_runner(session)
    watcher = Watcher(
        store,
        session,
        path,
        schedule,
        duration_s=duration_s,
        follow_os_log=follow_os_log,
        speedtest=speedtest,
    )
    await watcher.run()
    return path


def speedtest_runner(session: Session) -> SpeedTestRun:
    """One speed test: ``net.throughput`` run by the runner with the live network, as a checkup with
    ``--speedtest`` runs it (its deadline, its failure reasons)."""
    from homediag.app.registry import load_registry
    from homediag.core.runner import Runner
    from homediag.net.live import live_io

    registry = load_registry(session.config)
    measuring = dataclasses.replace(session, speedtest=True)

    async def run() -> ProbeResult:
        runner = Runner(registry, measuring, io=live_io())
        results = await runner.run(["net.throughput"])
        return next(r for r in results if r.probe == "net.throughput")

    return run


def current_watch(runs: Sequence[Run]) -> float | None:
    """The start of the current watch: the runs since the last clean stop (a run killed or cut off by a
    power loss and started again continues the same watch). None when there is no run."""
    if not runs:
        return None
    start = runs[-1].started
    for run in reversed(runs[:-1]):
        if run.stopped is not None:
            break
        start = run.started
    return start


@dataclass(frozen=True)
class Judged:
    """One window and what the engine concluded from its evidence."""

    window: Window
    observations: tuple[Observation, ...]
    diagnosis: Diagnosis


async def report_from_history(
    store: Store,
    *,
    config: Config,
    audience: str = "customer",
    lang: str = "en",
    since: float | None = None,
    until: float | None = None,
    playbooks: PlaybookSet | None = None,
    meta: ReportMeta | None = None,
    notes: Sequence[str] = (),
) -> Report:
    """The report of the history in ``[since, until]`` (default: the current watch until now)."""
    runs = store.runs()
    start = since if since is not None else current_watch(runs)
    end = until if until is not None else time.time()
    span = store.span()
    if start is None:
        start = span[0] if span else end
    samples = store.samples(start, end)
    minutes = store.minutes(start, end)
    tests = store.speedtests(start, end)
    settings = event_rules.Settings(thresholds=config.thresholds, expect=config.expect)
    slow = event_rules.speed_events(tests, settings)
    detected = event_rules.unloaded(event_rules.detect(samples, settings), tests)
    found = sorted(
        [*_stored(store.events(start, end)), *detected, *slow], key=lambda e: (e.start, e.end, e.kind.value)
    )
    spans = windows(found)
    playbook_set = playbooks or load_playbooks()
    judged: list[Judged] = []
    calm = _unloaded_samples(samples, tests)
    for window in spans[-MAX_JUDGED_WINDOWS:]:
        observations = evidence(inside(calm, window.start, window.end), window.start, window.end)
        observations += [o for t in tests if window.start <= t.start <= window.end for o in speed_evidence(t)]
        if not observations:
            continue  # a window from downsampled days: listed, not judged
        diagnosis = await _judge(
            window.complaint, observations, "yes", window.start, playbook_set, config, audience, lang
        )
        judged.append(Judged(window, tuple(observations), diagnosis))
    quiet_samples = outside(samples, [*spans, *tests])
    quiet_obs = evidence(quiet_samples, start, end) if quiet_samples else []
    slow_tests = [t for t in tests if any(e.start == t.start and e.end == t.end for e in slow)]
    chosen = quiet_speedtest(tests, slow_tests)
    if chosen is not None:
        quiet_obs += speed_evidence(chosen)
    quiet = await _judge("checkup", quiet_obs, "no", start, playbook_set, config, audience, lang)
    findings = _merge(judged, quiet, max(1.0, end - start))
    trace = _trace(quiet, judged)
    refs = _refs([quiet, *(j.diagnosis for j in judged)], playbook_set)
    errors = [e for d in [quiet, *(j.diagnosis for j in judged)] for e in d.errors]
    failed = [_failed_run(t) for t in tests if not t.ok]
    running = bool(runs) and runs[-1].stopped is None and runs[-1].last_seen > time.time() - 10.0
    platform = current_platform()
    return Report(
        run_id=str(uuid.uuid4()),
        started_at=iso(start),
        finished_at=utc_now(),
        complete=not errors and not failed,
        context=RunContext(
            platform=platform.value if platform else "unknown",
            mode="live",
            audience=audience,
            lang=lang,
            privileged=os.name != "nt" and hasattr(os, "geteuid") and os.geteuid() == 0,
        ),
        complaint="checkup",
        observations=(*quiet_obs, *(o for j in judged for o in j.observations)),
        findings=findings,
        probe_runs=tuple(failed),
        trace=trace,
        playbooks=refs,
        meta=meta or ReportMeta(),
        tool_version=__version__,
        watch=_section(
            runs, start, end, samples, minutes, found, judged, running, [*notes, *_log_notes(samples)], tests
        ),
    )


async def _judge(
    complaint: str,
    observations: Sequence[Observation],
    happening: str,
    at: float,
    playbooks: PlaybookSet,
    config: Config,
    audience: str,
    lang: str,
) -> Diagnosis:
    return await diagnose(
        complaint,
        facts=StoredFacts(observations),
        questioner=AnswerFile({"happening_now": happening}),
        playbooks=playbooks,
        audience=audience,
        lang=lang,
        config=config,
        now=datetime.fromtimestamp(at).astimezone(),
    )


def _unloaded_samples(samples: Sequence[Sample], tests: Sequence[SpeedTest]) -> list[Sample]:
    """``samples`` without the echoes sent while a speed test loaded the line."""
    if not tests:
        return list(samples)
    return [s for s in samples if s.kind is not Kind.PING or not any(t.start <= s.t <= t.end for t in tests)]


def _failed_run(test: SpeedTest) -> ProbeRun:
    """A failed speed test as the report records a failed probe run (the report is incomplete)."""
    word, _sep, reason = (test.error or "").partition(": ")
    try:
        outcome = Outcome(word)
    except ValueError:
        outcome, reason = Outcome.ERROR, test.error or ""
    return ProbeRun(
        probe="net.throughput",
        outcome=outcome,
        duration_s=round(max(0.0, test.end - test.start), 3),
        reason=reason or None,
        started_at=iso(test.start),
    )


def _log_notes(samples: Sequence[Sample]) -> list[str]:
    """Why the OS's Wi-Fi log could not be read, once per reason (marks of the loop)."""
    notes: list[str] = []
    for sample in samples:
        if sample.kind is Kind.MARK and sample.detail().get("event") == "oslog":
            error = str(sample.detail().get("error", ""))[:200]
            note = _("The Wi-Fi log of the system could not be read: {error}").format(error=error)
            if note not in notes:
                notes.append(note)
    return notes


def _stored(kept: Sequence[StoredEvent]) -> list[Event]:
    events = []
    for e in kept:
        try:
            events.append(Event(EventKind(e.kind), Location(e.location), e.start, e.end, e.subject))
        except ValueError:
            continue  # a kind of a newer homediag
    return events


def _merge(judged: Sequence[Judged], quiet: Diagnosis, watched_s: float) -> tuple[Finding, ...]:
    """Findings by code: the problems of the windows (intermittent unless the quiet time has them too
    or their windows cover most of the watch; with their windows), the quiet time's problems, and what
    the windows ruled out or left open."""
    persistent = {f.code for f in quiet.findings if f.status.is_problem}
    seen: dict[str, list[TimeWindow]] = {}
    covered: dict[str, float] = {}
    best: list[Finding] = []
    for item in judged:
        for finding in item.diagnosis.findings:
            if finding.status.is_problem:
                window = item.window
                seen.setdefault(finding.code, []).append(TimeWindow(iso(window.start), iso(window.end)))
                covered[finding.code] = covered.get(finding.code, 0.0) + window.end - window.start
                best.append(finding)
    persistent |= {code for code, seconds in covered.items() if seconds >= MOSTLY * watched_s}
    problems = [
        dataclasses.replace(f, intermittent=f.code not in persistent, windows=tuple(seen.get(f.code, ())))
        for f in merge_by_code([*best, *(f for f in quiet.findings if f.status.is_problem)])
    ]
    named = {f.code for f in problems}
    # What the windows ruled out while the trouble happened is evidence; the quiet checkup's other
    # causes are not (it saw only the path's measurements, not the printer or the Wi-Fi neighbours).
    rest = [
        f
        for f in merge_by_code([f for j in judged for f in j.diagnosis.findings if not f.status.is_problem])
        if f.code not in named
    ]
    return tuple(sort_findings([*problems, *rest]))


def _trace(quiet: Diagnosis, judged: Sequence[Judged]) -> tuple[dict[str, Any], ...]:
    steps: list[dict[str, Any]] = []
    for item in judged:
        label = f"{iso(item.window.start)}/{iso(item.window.end)}"
        steps += [{**step, "window": label} for step in item.diagnosis.trace_json()]
    steps += [{**step, "window": "quiet"} for step in quiet.trace_json()]
    return tuple(steps[:MAX_TRACE_STEPS])


def _refs(diagnoses: Sequence[Diagnosis], playbooks: PlaybookSet) -> tuple[PlaybookRef, ...]:
    refs: dict[str, PlaybookRef] = {}
    for d in diagnoses:
        for ref in d.playbooks:
            refs.setdefault(ref.id, ref)
    return _titled(sorted(refs.values(), key=lambda r: r.id), playbooks)


def _section(
    runs: Sequence[Run],
    start: float,
    end: float,
    samples: Sequence[Any],
    minutes: Sequence[Any],
    found: Sequence[Event],
    judged: Sequence[Judged],
    running: bool,
    notes: Sequence[str],
    tests: Sequence[SpeedTest] = (),
) -> dict[str, Any]:
    codes = {
        (j.window.start, j.window.end): sorted({f.code for f in j.diagnosis.findings if f.status.is_problem})
        for j in judged
    }
    targets: dict[str, str] = {}
    for sample in samples:
        if sample.kind.name == "PING":
            targets.setdefault(sample.subject, sample.role)
    in_span = [r for r in runs if r.last_seen >= start and r.started <= end]
    return {
        "started_at": iso(start),
        "ended_at": iso(end),
        "running": running,
        "interval_s": in_span[-1].interval_s if in_span else None,
        "samples": len(samples) + sum(m.n for m in minutes),
        "runs": [{"start": iso(r.started), "end": iso(r.stopped or r.last_seen)} for r in in_span],
        "targets": [
            {"role": role, "address": subject.split(":", 1)[1]} for subject, role in sorted(targets.items())
        ],
        "notes": list(notes),
        "events": [
            {
                "kind": e.kind.value,
                "location": e.location.value,
                "start": iso(e.start),
                "end": iso(e.end),
                "subject": e.subject,
                "measured": e.measured,
                "bad": e.bad,
                "peak": e.peak,
            }
            for e in found
        ],
        "windows": [
            {
                "start": iso(j.window.start),
                "end": iso(j.window.end),
                "location": j.window.location.value,
                "complaint": j.window.complaint,
                "codes": codes[(j.window.start, j.window.end)],
            }
            for j in judged
        ],
        "speedtests": [_speed_row(t) for t in tests],
        "timeline": timeline.build(samples, minutes, start, end),
    }


def _speed_row(test: SpeedTest) -> dict[str, Any]:
    row: dict[str, Any] = {"start": iso(test.start), "end": iso(test.end), "ok": test.ok}
    for key, fact in (
        ("download_mbps", "speedtest.download_mbps"),
        ("upload_mbps", "speedtest.upload_mbps"),
        ("increase_ms", "latency.increase_ms"),
        ("grade", "latency.grade"),
    ):
        value = test.facts.get(fact)
        if isinstance(value, int | float | str) and not isinstance(value, bool):
            row[key] = value
    if test.error:
        row["error"] = test.error
    return row
