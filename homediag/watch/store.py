"""The history of a watch in an embedded SQLite database.

One file in the data directory (``watch.sqlite3``) holds every watch of this computer, so ``watch``
resumes into the same history after a restart. The schema is versioned (``PRAGMA user_version``): a
database written by a newer homediag is refused with a clear message, an older one is migrated.

Crash safety: the database runs in WAL mode with ``synchronous=NORMAL``, and the loop commits once a
second, so ``kill -9`` loses at most the samples of the last second; a power cut may also lose the last
commits but never corrupts the file (SQLite's WAL guarantees). The next open recovers the WAL by itself.

Bounded on disk: raw samples older than ``raw_days`` are folded into one row per minute and subject
(count, failures, mean, min, max), after the events found in them were kept; everything older than
``keep_days`` is deleted. A day of raw samples at four pings a second is about 10 MB; a day of minutes
about 0.3 MB (``benchmarks/watch_cost.py`` measures both). Speed tests (``--speedtest-every``) are a row
each in their own table, kept as they are until ``keep_days``.

Schema versions: 1 the samples, minutes, events and runs; 2 adds ``speedtests``. Each version's
migration is a step in :data:`MIGRATIONS`; a new file gets the whole schema at once.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from homediag.core.errors import HomediagError
from homediag.core.i18n import _
from homediag.watch.samples import Kind, Sample

SCHEMA_VERSION = 2
DEFAULT_FILE = "watch.sqlite3"
RAW_DAYS = 1.0
KEEP_DAYS = 30.0
DAY_S = 86400.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS subjects (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS samples (
    t REAL NOT NULL, kind INTEGER NOT NULL, subject INTEGER NOT NULL,
    ok INTEGER NOT NULL, value REAL, info TEXT
);
CREATE INDEX IF NOT EXISTS samples_t ON samples (t);
CREATE TABLE IF NOT EXISTS minutes (
    t REAL NOT NULL, kind INTEGER NOT NULL, subject INTEGER NOT NULL,
    n INTEGER NOT NULL, fails INTEGER NOT NULL, vmean REAL, vmin REAL, vmax REAL,
    PRIMARY KEY (t, kind, subject)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
    start REAL NOT NULL, end REAL NOT NULL, kind TEXT NOT NULL, location TEXT NOT NULL,
    subject TEXT NOT NULL, info TEXT
);
CREATE INDEX IF NOT EXISTS events_start ON events (start);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, started REAL NOT NULL, last_seen REAL NOT NULL, stopped REAL,
    pid INTEGER, interval_s REAL
);
"""
_SPEEDTESTS = """
CREATE TABLE IF NOT EXISTS speedtests (
    start REAL NOT NULL, end REAL NOT NULL, ok INTEGER NOT NULL,
    download_mbps REAL, upload_mbps REAL, facts TEXT, error TEXT
);
CREATE INDEX IF NOT EXISTS speedtests_start ON speedtests (start);
"""
MIGRATIONS: dict[int, str] = {1: _SPEEDTESTS}
"""The step from each version to the next (version 1 to 2: the speed tests' table)."""
MAX_FACTS_CHARS = 4000
MAX_ERROR_CHARS = 300


class StoreError(HomediagError):
    """The history cannot be opened or read: the message says why."""


@dataclass(frozen=True)
class Minute:
    """One minute of one subject after downsampling."""

    t: float
    kind: Kind
    subject: str
    n: int
    fails: int
    mean: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True)
class StoredEvent:
    """An event kept when the samples it was found in were downsampled."""

    start: float
    end: float
    kind: str
    location: str
    subject: str
    info: str | None = None


@dataclass(frozen=True)
class SpeedTest:
    """One speed test of ``--speedtest-every``: when it ran, what it measured, or why it failed."""

    start: float
    end: float
    ok: bool
    download_mbps: float | None = None
    upload_mbps: float | None = None
    facts: dict[str, object] = field(default_factory=dict)
    """The speed test's facts (``speedtest.download_mbps``, ``latency.increase_ms``...) by name."""
    error: str | None = None
    """Why it failed (the probe's outcome and reason); None when it measured."""


@dataclass(frozen=True)
class Run:
    """One run of ``watch`` (a gap between runs is the watch not running, never an outage)."""

    id: int
    started: float
    last_seen: float
    stopped: float | None
    interval_s: float | None


class Store:
    """The history: open with :meth:`open`, write samples with :meth:`add` and :meth:`commit`."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path
        self._subjects: dict[str, int] = {}
        self._names: dict[int, str] = {}
        self._pending: list[tuple[float, int, int, int, float | None, str | None]] = []
        self.run_id: int | None = None
        for sid, name in self._db.execute("SELECT id, name FROM subjects"):
            self._subjects[name] = sid
            self._names[sid] = name

    # --- opening ------------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, *, readonly: bool = False) -> Store:
        """Open (or create) the history at ``path``; ``StoreError`` when it is not usable."""
        path = Path(path)
        try:
            if readonly:
                if not path.exists():
                    raise StoreError(_("no watch history at {path}").format(path=path))
                # Not mode=ro: a reader must be able to recover the WAL a crashed writer left.
            else:
                path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            connection = sqlite3.connect(str(path), timeout=10.0, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(
                _("cannot open the watch history {path}: {error}").format(path=path, error=exc)
            ) from None
        try:
            return cls._prepare(connection, path)
        except sqlite3.DatabaseError as exc:
            connection.close()
            raise StoreError(
                _("the watch history {path} is damaged or not a database: {error}").format(
                    path=path, error=exc
                )
            ) from None

    @classmethod
    def _prepare(cls, connection: sqlite3.Connection, path: Path) -> Store:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        version = int(connection.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            connection.close()
            raise StoreError(
                _(
                    "the watch history {path} was written by a newer homediag "
                    "(schema {found}, this one reads {known})"
                ).format(path=path, found=version, known=SCHEMA_VERSION)
            )
        if version < SCHEMA_VERSION:
            if version == 0:  # a new file: the whole schema
                steps = [_SCHEMA, _SPEEDTESTS]
            else:
                steps = [MIGRATIONS[v] for v in range(version, SCHEMA_VERSION)]
            connection.executescript(
                "BEGIN;" + "".join(steps) + f"PRAGMA user_version={SCHEMA_VERSION}; COMMIT;"
            )
        return cls(connection, path)

    def close(self) -> None:
        """Commit what is pending and close."""
        self.commit()
        self._db.close()

    @property
    def schema_version(self) -> int:
        """The schema version of the file."""
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def integrity_ok(self) -> bool:
        """Whether SQLite's own integrity check passes."""
        return bool(self._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok")

    # --- writing ------------------------------------------------------------------------------------

    def _subject_id(self, name: str) -> int:
        sid = self._subjects.get(name)
        if sid is None:
            self._db.execute("INSERT OR IGNORE INTO subjects (name) VALUES (?)", (name,))
            sid = int(self._db.execute("SELECT id FROM subjects WHERE name = ?", (name,)).fetchone()[0])
            self._subjects[name] = sid
            self._names[sid] = name
        return sid

    def add(self, sample: Sample) -> None:
        """Queue ``sample``; it is written at the next :meth:`commit`."""
        self._pending.append(
            (
                sample.t,
                int(sample.kind),
                self._subject_id(sample.subject),
                int(sample.ok),
                sample.value,
                sample.info,
            )
        )

    def add_all(self, samples: Iterable[Sample]) -> None:
        """Queue every sample."""
        for sample in samples:
            self.add(sample)

    def commit(self, now: float | None = None) -> int:
        """Write the queued samples in one transaction (and the run's heartbeat); return how many."""
        rows, self._pending = self._pending, []
        stamp = now if now is not None else time.time()
        with self._transaction():
            if rows:
                self._db.executemany("INSERT INTO samples VALUES (?, ?, ?, ?, ?, ?)", rows)
            if self.run_id is not None:
                self._db.execute("UPDATE runs SET last_seen = ? WHERE id = ?", (stamp, self.run_id))
        return len(rows)

    def begin_run(self, started: float, interval_s: float, pid: int) -> int:
        """Record the start of a watch run; its heartbeat is kept at every commit."""
        with self._transaction():
            cursor = self._db.execute(
                "INSERT INTO runs (started, last_seen, pid, interval_s) VALUES (?, ?, ?, ?)",
                (started, started, pid, interval_s),
            )
        self.run_id = int(cursor.lastrowid or 0)
        return self.run_id

    def end_run(self, stopped: float) -> None:
        """Record a clean stop of the current run."""
        if self.run_id is None:
            return
        self.commit(stopped)
        with self._transaction():
            self._db.execute("UPDATE runs SET stopped = ? WHERE id = ?", (stopped, self.run_id))

    def add_events(self, events: Iterable[StoredEvent]) -> None:
        """Keep events (found in samples about to be downsampled)."""
        with self._transaction():
            self._db.executemany(
                "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)",
                [(e.start, e.end, e.kind, e.location, e.subject, e.info) for e in events],
            )

    def add_speedtest(self, test: SpeedTest) -> None:
        """Write one speed test (at once: one a few minutes at most)."""
        with self._transaction():
            self._db.execute("INSERT INTO speedtests VALUES (?, ?, ?, ?, ?, ?, ?)", _speedtest_row(test))

    # --- reading ------------------------------------------------------------------------------------

    def speedtests(self, since: float | None = None, until: float | None = None) -> list[SpeedTest]:
        """Speed tests that started in ``[since, until]``, in time order."""
        lo = since if since is not None else float("-inf")
        hi = until if until is not None else float("inf")
        rows = self._db.execute(
            "SELECT start, end, ok, download_mbps, upload_mbps, facts, error FROM speedtests "
            "WHERE start >= ? AND start <= ? ORDER BY start",
            (lo, hi),
        )
        return [
            SpeedTest(start, end, bool(ok), down, up, _facts(facts), error)
            for start, end, ok, down, up, facts, error in rows
        ]

    def samples(self, since: float | None = None, until: float | None = None) -> list[Sample]:
        """Raw samples in ``[since, until]``, in time order."""
        lo = since if since is not None else float("-inf")
        hi = until if until is not None else float("inf")
        rows = self._db.execute(
            "SELECT t, kind, subject, ok, value, info FROM samples WHERE t >= ? AND t <= ? ORDER BY t",
            (lo, hi),
        )
        return [self._sample(row) for row in rows]

    def _sample(self, row: Sequence[object]) -> Sample:
        t, kind, sid, ok, value, info = row
        assert isinstance(t, float) and isinstance(kind, int) and isinstance(sid, int)
        return Sample(
            t=t,
            kind=Kind(kind),
            subject=self._name(sid),
            ok=bool(ok),
            value=float(value) if isinstance(value, int | float) else None,
            info=info if isinstance(info, str) else None,
        )

    def _name(self, sid: int) -> str:
        name = self._names.get(sid)
        if name is None:
            row = self._db.execute("SELECT name FROM subjects WHERE id = ?", (sid,)).fetchone()
            name = str(row[0]) if row else f"unknown:{sid}"
            self._names[sid] = name
        return name

    def minutes(self, since: float | None = None, until: float | None = None) -> list[Minute]:
        """Downsampled minutes in ``[since, until]``, in time order."""
        lo = since if since is not None else float("-inf")
        hi = until if until is not None else float("inf")
        rows = self._db.execute(
            "SELECT t, kind, subject, n, fails, vmean, vmin, vmax FROM minutes "
            "WHERE t >= ? AND t <= ? ORDER BY t",
            (lo, hi),
        )
        return [
            Minute(t, Kind(k), self._name(s), n, f, mean, low, high)
            for t, k, s, n, f, mean, low, high in rows
        ]

    def events(self, since: float | None = None, until: float | None = None) -> list[StoredEvent]:
        """Events kept from downsampled days."""
        lo = since if since is not None else float("-inf")
        hi = until if until is not None else float("inf")
        rows = self._db.execute(
            "SELECT start, end, kind, location, subject, info FROM events "
            "WHERE end >= ? AND start <= ? ORDER BY start",
            (lo, hi),
        )
        return [StoredEvent(*row) for row in rows]

    def runs(self) -> list[Run]:
        """Every run of watch, oldest first."""
        rows = self._db.execute(
            "SELECT id, started, last_seen, stopped, interval_s FROM runs ORDER BY started"
        )
        return [Run(*row) for row in rows]

    def span(self) -> tuple[float, float] | None:
        """The first and last time the history covers (raw or downsampled), or None when empty."""
        lows, highs = [], []
        for table in ("samples", "minutes"):
            low, high = self._db.execute(f"SELECT min(t), max(t) FROM {table}").fetchone()  # noqa: S608
            if low is not None:
                lows.append(float(low))
                highs.append(float(high))
        return (min(lows), max(highs)) if lows else None

    def raw_since(self) -> float | None:
        """The time of the oldest raw sample (older ones are downsampled), or None."""
        row = self._db.execute("SELECT min(t) FROM samples").fetchone()
        return float(row[0]) if row and row[0] is not None else None

    # --- keeping it bounded -------------------------------------------------------------------------

    def downsample(self, before: float) -> int:
        """Fold raw samples older than ``before`` into minutes; return how many raw rows went."""
        with self._transaction():
            self._db.execute(
                """
                INSERT OR REPLACE INTO minutes
                SELECT CAST(t / 60 AS INTEGER) * 60.0 AS m, kind, subject, count(*), sum(1 - ok),
                       avg(value), min(value), max(value)
                FROM samples WHERE t < ? AND kind IN (?, ?, ?, ?)
                GROUP BY m, kind, subject
                """,
                (before, int(Kind.PING), int(Kind.DNS), int(Kind.HTTP), int(Kind.WIFI)),
            )
            # Changes of the link, the OS log and the watch's own marks are rare and kept as they are.
            cursor = self._db.execute(
                "DELETE FROM samples WHERE t < ? AND kind IN (?, ?, ?, ?)",
                (before, int(Kind.PING), int(Kind.DNS), int(Kind.HTTP), int(Kind.WIFI)),
            )
        return int(cursor.rowcount)

    def prune(self, before: float) -> None:
        """Delete everything older than ``before``."""
        with self._transaction():
            for table, column in (
                ("samples", "t"),
                ("minutes", "t"),
                ("events", "end"),
                ("runs", "last_seen"),
                ("speedtests", "end"),
            ):
                self._db.execute(f"DELETE FROM {table} WHERE {column} < ?", (before,))  # noqa: S608

    def vacuum(self) -> None:
        """Give the space of deleted rows back to the file system."""
        self._db.execute("VACUUM")

    def size_bytes(self) -> int:
        """The size of the database and its WAL on disk."""
        total = 0
        for suffix in ("", "-wal"):
            candidate = self.path.with_name(self.path.name + suffix)
            if candidate.exists():
                total += candidate.stat().st_size
        return total

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on error): the connection runs in autocommit."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self._db.execute("COMMIT" if exc_type is None else "ROLLBACK")


def _speedtest_row(test: SpeedTest) -> tuple[object, ...]:
    """A speed test as a row of the ``speedtests`` table (facts and error capped)."""
    facts = json.dumps(test.facts, separators=(",", ":"), sort_keys=True, default=str)
    return (
        test.start,
        test.end,
        int(test.ok),
        test.download_mbps,
        test.upload_mbps,
        facts if len(facts) <= MAX_FACTS_CHARS else "{}",
        (test.error or "")[:MAX_ERROR_CHARS] or None,
    )


def _facts(text: object) -> dict[str, object]:
    if not isinstance(text, str):
        return {}
    try:
        loaded = json.loads(text)
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def default_path() -> Path:
    """The history in the user's data directory."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("homediag")) / DEFAULT_FILE


def iter_chunks(samples: Sequence[Sample], size: int) -> Iterator[Sequence[Sample]]:
    """``samples`` in chunks of ``size`` (bulk writes in benchmarks and tests)."""
    for start in range(0, len(samples), size):
        yield samples[start : start + size]
