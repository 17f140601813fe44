"""Parse CUPS ``lpstat -l -p`` (queue states with reasons), ``lpstat -l -o`` (jobs, held ones) and
``lpstat -r`` (is the scheduler running) on Linux and macOS.

Sample of ``lpstat -l -p`` (CUPS 2.4)::

    printer Office_Laser is idle.  enabled since Tue 01 Oct 2024 09:12:44 CEST
            Form mounted:
            Content types: any
            Printer types: unknown
            Description: Office Laser
            Alerts: none
            Location: Hall
    printer Keller disabled since Tue 01 Oct 2024 10:03:19 CEST -
            Paused
            Description: Keller
            Alerts: paused
            Location:

A stopped queue's header ends with ``-`` and the next tab-indented line is its message (the reason
given to ``cupsdisable -r``, ``Paused``, or ``reason unknown``); ``Alerts:`` lists the
``printer-state-reasons`` keywords. A queue with ``hold-new-jobs`` says ``is holding new jobs``.

Sample of ``lpstat -l -o``::

    Office_Laser-42         alice             1024   Tue 01 Oct 2024 10:00:00 CEST
            Status: held for authentication
            Alerts: job-hold-until-authenticated
            queued for Office_Laser

homediag runs lpstat with ``LC_ALL=C``, so the words are CUPS' English ones; German and French
headers (``Drucker X ... deaktiviert``, ``imprimante X ... désactivée``), as users paste them, are read
too. The queue name is the word after the first one; CUPS queue names hold no spaces.
Hand-written: jc has no ``lpstat`` parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from homediag.net.errors import ParseError
from homediag.net.os._common import check_text, is_blank, iter_lines

MAX_QUEUES = 4096


class QueueState(StrEnum):
    """The state of a CUPS queue on this computer."""

    IDLE = "idle"
    PRINTING = "printing"
    HOLDING = "holding"
    """Enabled, but holding new jobs (``cupsdisable --hold``)."""
    DISABLED = "disabled"
    """Stopped on this computer: jobs wait until someone enables the queue again."""
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class CupsQueueState:
    """One queue of ``lpstat -p``."""

    name: str
    state: QueueState
    since: str | None = None
    message: str | None = None
    """The message under the header (the disabling reason)."""
    reasons: tuple[str, ...] = ()
    """``printer-state-reasons`` from ``Alerts:`` (without ``none``)."""

    @property
    def paused(self) -> bool:
        """Whether jobs sent to this queue wait on this computer."""
        return self.state in (QueueState.DISABLED, QueueState.HOLDING) or "paused" in self.reasons


@dataclass(frozen=True, slots=True)
class CupsJob:
    """One job of ``lpstat -o``."""

    id: str
    queue: str
    held: bool
    reasons: tuple[str, ...] = ()


_DISABLED_WORDS = ("disabled", "deaktiviert", "désactivée", "désactivé", "desactivee")
_IDLE_WORDS = ("is idle", "leerlauf", "inactive", "inactif")
_PRINTING_WORDS = ("now printing", "druckt", "imprime")
_HOLDING_WORDS = ("holding new jobs", "hält neue aufträge", "retient les nouvelles")
_HEADER_FIRST = ("printer", "drucker", "imprimante", "l'imprimante", "l’imprimante")
_SINCE_RE = re.compile(r"(?:since|seit|depuis)\s+(.{1,80}?)\s*-?\s*$", re.IGNORECASE)
_ALERTS_RE = re.compile(r"^(?:Alerts|Warnungen|Alarme|Alertes)\s*:\s*(.*)$", re.IGNORECASE)
_KEYED_RE = re.compile(r"^[A-Za-zÀ-ÿ][\w ()À-ÿ-]{0,40}:(?:\s|$)")


def _state(header: str) -> QueueState:
    lowered = header.casefold()
    for words, state in (
        (_DISABLED_WORDS, QueueState.DISABLED),
        (_HOLDING_WORDS, QueueState.HOLDING),
        (_PRINTING_WORDS, QueueState.PRINTING),
        (_IDLE_WORDS, QueueState.IDLE),
    ):
        if any(word in lowered for word in words):
            return state
    return QueueState.UNKNOWN


def parse_lpstat_p(text: str) -> tuple[CupsQueueState, ...]:
    """Parse ``lpstat -p`` or ``lpstat -l -p``: one value per queue. ``No destinations added.`` (or
    nothing) gives none; text without any queue header raises :class:`ParseError`."""
    check_text(text, "lpstat -p")
    if is_blank(text):
        return ()
    queues: list[dict[str, object]] = []
    unread = 0
    for line in iter_lines(text):
        if not line.strip():
            continue
        words = line.split()
        if not line[:1].isspace() and len(words) >= 3 and words[0].casefold() in _HEADER_FIRST:
            if len(queues) >= MAX_QUEUES:
                break
            since = _SINCE_RE.search(line)
            queues.append(
                {
                    "name": words[1],
                    "state": _state(line),
                    "since": since.group(1) if since else None,
                    "message": None,
                    "reasons": (),
                    "lines": 0,
                }
            )
            continue
        if not queues or not line[:1].isspace():
            unread += 1
            continue
        body = line.strip()
        current = queues[-1]
        current["lines"] = int(str(current["lines"])) + 1
        alerts = _ALERTS_RE.match(body)
        if alerts:
            current["reasons"] = tuple(w for w in alerts.group(1).split() if w != "none")
        elif current["lines"] == 1 and current["message"] is None and not _KEYED_RE.match(body):
            current["message"] = body  # the line right under the header: the state message
    if not queues:
        if "no destinations" in text.casefold() or unread == 0:
            return ()
        raise ParseError(f"lpstat -p: no queue found: {text.strip()[:80]!r}")
    return tuple(
        CupsQueueState(
            name=str(q["name"]),
            state=q["state"],  # type: ignore[arg-type]
            since=q["since"],  # type: ignore[arg-type]
            message=q["message"],  # type: ignore[arg-type]
            reasons=q["reasons"],  # type: ignore[arg-type]
        )
        for q in queues
    )


_JOB_RE = re.compile(r"^(\S{1,200})-(\d{1,10})\s+\S")
_HELD_STATUS = ("held", "angehalten", "retenu", "suspendu")


def parse_lpstat_o(text: str) -> tuple[CupsJob, ...]:
    """Parse ``lpstat -o`` or ``lpstat -l -o``: one value per job. A job is held when its alerts name
    a ``job-hold-until`` reason or its status says held."""
    check_text(text, "lpstat -o")
    jobs: list[dict[str, object]] = []
    for line in iter_lines(text):
        if not line.strip():
            continue
        match = _JOB_RE.match(line)
        if match and not line[:1].isspace():
            job_id = f"{match.group(1)}-{match.group(2)}"
            jobs.append({"id": job_id, "queue": match.group(1), "r": (), "s": ""})
            if len(jobs) > 100_000:
                raise ParseError("lpstat -o: more than 100000 jobs")
            continue
        if jobs and line[:1].isspace():
            body = line.strip()
            alerts = _ALERTS_RE.match(body)
            if alerts:
                jobs[-1]["r"] = tuple(w for w in alerts.group(1).split() if w != "none")
            elif body.casefold().startswith("status"):
                jobs[-1]["s"] = body.casefold()
    if not jobs and not is_blank(text):
        raise ParseError(f"lpstat -o: no job found: {text.strip()[:80]!r}")
    out: list[CupsJob] = []
    for job in jobs:
        reasons: tuple[str, ...] = job["r"]  # type: ignore[assignment]
        status = str(job["s"])
        held = any(r.startswith(("job-hold-until", "job-held")) for r in reasons) or any(
            word in status for word in _HELD_STATUS
        )
        out.append(CupsJob(id=str(job["id"]), queue=str(job["queue"]), held=held, reasons=reasons))
    return tuple(out)


def parse_lpstat_r(text: str) -> bool | None:
    """``lpstat -r``: whether the CUPS scheduler runs (None when the text says neither)."""
    check_text(text, "lpstat -r")
    lowered = text.casefold()
    if "not running" in lowered or "läuft nicht" in lowered or "ne fonctionne pas" in lowered:
        return False
    if "is running" in lowered or "läuft" in lowered or "fonctionne" in lowered or "en cours" in lowered:
        return True
    return None
