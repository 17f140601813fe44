"""The history: versioned schema, WAL, reopened as it was, bounded by downsampling and pruning."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from homediag.watch.loop import Schedule, maintain
from homediag.watch.samples import Kind, Sample
from homediag.watch.store import DAY_S, SCHEMA_VERSION, Store, StoreError
from tests.watch.history import T0, path_samples, write


def test_a_new_history_has_the_current_schema_in_wal_mode(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "h.sqlite3")
    assert store.schema_version == SCHEMA_VERSION
    mode = sqlite3.connect(tmp_path / "h.sqlite3").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    store.close()


def test_samples_come_back_as_written_after_reopening(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "h.sqlite3")
    written = [
        Sample(T0, Kind.PING, "gateway:192.0.2.1", True, 0.5),
        Sample(T0 + 1, Kind.PING, "gateway:192.0.2.1", False),
        Sample(T0 + 2, Kind.WIFI, "if:wlan0", True, -61.0, '{"bssid":"02:00:00:00:00:01"}'),
    ]
    store.add_all(written)
    assert store.samples() == []  # queued, not yet committed
    assert store.commit() == 3
    store.close()
    again = Store.open(tmp_path / "h.sqlite3")
    assert again.samples() == written
    assert again.samples(T0 + 0.5, T0 + 1.5) == written[1:2]


def test_a_history_of_a_newer_homediag_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    Store.open(path).close()
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    with pytest.raises(StoreError, match="newer homediag"):
        Store.open(path)


def test_a_file_that_is_not_a_database_is_refused_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="damaged or not a database"):
        Store.open(path)


def test_reading_a_missing_history_says_so(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no watch history"):
        Store.open(tmp_path / "none.sqlite3", readonly=True)
    assert not (tmp_path / "none.sqlite3").exists()


def test_old_samples_fold_into_minutes_after_their_events_are_kept_then_are_pruned(
    tmp_path: Path,
) -> None:
    store = Store.open(tmp_path / "h.sqlite3")
    old = path_samples(T0, 600, interval=1.0, lan_loss=[(120, 240)], loss_share=0.5)
    write(store, old, interval=1.0)
    now = T0 + 2 * DAY_S
    maintain(store, now, Schedule())
    assert store.samples() == [s for s in store.samples() if s.kind not in (Kind.PING, Kind.DNS)]
    minutes = store.minutes()
    assert {m.subject for m in minutes} >= {"gateway:192.0.2.1", "resolver:192.0.2.1"}
    assert sum(m.n for m in minutes if m.kind is Kind.PING) == sum(1 for s in old if s.kind is Kind.PING)
    kept = [e for e in store.events() if e.kind == "loss"]
    assert [(e.kind, e.location) for e in kept] == [("loss", "lan")]
    assert abs(kept[0].start - (T0 + 120)) < 5 and abs(kept[0].end - (T0 + 240)) < 5
    maintain(store, T0 + 40 * DAY_S, Schedule(keep_days=30))
    assert store.minutes() == [] and store.events() == [] and store.span() is None


def test_runs_record_a_clean_stop_and_a_crash_leaves_none(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "h.sqlite3")
    store.begin_run(T0, 1.0, 1)
    store.commit(T0 + 5)
    store.begin_run(T0 + 10, 1.0, 2)
    store.end_run(T0 + 20)
    first, second = store.runs()
    assert (first.stopped, first.last_seen) == (None, T0 + 5)
    assert second.stopped == T0 + 20


# The schema of version 1 as homediag wrote it before the speed tests (kept here verbatim).
V1_SCHEMA = """
CREATE TABLE subjects (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE samples (t REAL NOT NULL, kind INTEGER NOT NULL, subject INTEGER NOT NULL,
    ok INTEGER NOT NULL, value REAL, info TEXT);
CREATE INDEX samples_t ON samples (t);
CREATE TABLE minutes (t REAL NOT NULL, kind INTEGER NOT NULL, subject INTEGER NOT NULL,
    n INTEGER NOT NULL, fails INTEGER NOT NULL, vmean REAL, vmin REAL, vmax REAL,
    PRIMARY KEY (t, kind, subject)) WITHOUT ROWID;
CREATE TABLE events (start REAL NOT NULL, end REAL NOT NULL, kind TEXT NOT NULL, location TEXT NOT NULL,
    subject TEXT NOT NULL, info TEXT);
CREATE INDEX events_start ON events (start);
CREATE TABLE runs (id INTEGER PRIMARY KEY, started REAL NOT NULL, last_seen REAL NOT NULL, stopped REAL,
    pid INTEGER, interval_s REAL);
INSERT INTO subjects VALUES (1, 'gateway:192.0.2.1');
INSERT INTO samples VALUES (1700000000.0, 1, 1, 1, 0.5, NULL);
INSERT INTO runs VALUES (1, 1700000000.0, 1700000001.0, 1700000001.0, 42, 1.0);
PRAGMA user_version=1;
"""


def test_a_version_1_history_opens_migrated_with_its_samples_and_takes_speed_tests(tmp_path: Path) -> None:
    from homediag.watch.store import SpeedTest

    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(V1_SCHEMA)
    store = Store.open(path)
    assert store.schema_version == SCHEMA_VERSION == 2
    assert [(s.subject, s.value) for s in store.samples()] == [("gateway:192.0.2.1", 0.5)]
    assert len(store.runs()) == 1
    assert store.speedtests() == []
    facts = {"speedtest.download_mbps": 93.5, "latency.grade": "A"}
    store.add_speedtest(SpeedTest(T0, T0 + 21, True, 93.5, 38.0, facts))
    store.add_speedtest(SpeedTest(T0 + 100, T0 + 101, False, error="error: speed test failed: refused"))
    store.close()
    again = Store.open(path, readonly=True)
    tests = again.speedtests()
    assert [(t.ok, t.download_mbps, t.facts.get("latency.grade"), t.error) for t in tests] == [
        (True, 93.5, "A", None),
        (False, None, None, "error: speed test failed: refused"),
    ]
    assert again.integrity_ok()
    again.prune(T0 + 50)  # speed tests are pruned with the rest
    assert [t.start for t in again.speedtests()] == [T0 + 100]
    again.close()
