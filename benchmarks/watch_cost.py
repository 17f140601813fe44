"""``homediag watch``: CPU and memory of the sampling loop, database size per day, report time over a day.

1. **Loop cost.** The real loop (:class:`homediag.watch.loop.Watcher`) samples four ping targets, a
   resolver and a connectivity check, all on 127.0.0.1 (an HTTP server here answers 204; the resolver
   port is closed, so lookups fail at once), the Wi-Fi link and the interface as the OS shows them. It
   runs for ``--seconds`` at ``--speedup`` times the default rates (every period divided), and the
   CPU time (user + system, this process and its children) and the peak RSS are measured; CPU per hour
   of watch at the default rates is extrapolated linearly from the samples taken (the work is per
   sample). Run as root for raw ICMP, as a watch would; nothing leaves loopback.
2. **Database size per day.** A synthetic day at the default schedule (4 echoes a second, DNS every
   30 s, HTTP every 60 s, Wi-Fi every 5 s; documentation addresses) written as the loop writes it (a
   commit a second), the file size measured; then folded into minutes and vacuumed.
3. **Report over a day.** ``report_from_history`` over that day with 24 faults injected (loss to the
   gateway for 2 minutes every hour, slow DNS for 2 minutes every second hour), then rendering HTML and
   Markdown.

Usage: ``sudo .venv/bin/python benchmarks/watch_cost.py [--seconds 60] [--speedup 10]``
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from homediag.app.watch import report_from_history
from homediag.core.config import Config
from homediag.core.session import Session
from homediag.reports.render import Format, render
from homediag.watch.loop import Schedule, Watcher, fast, maintain
from homediag.watch.samplers import Path as WatchPath
from homediag.watch.samplers import Target
from homediag.watch.samples import Kind, Role, Sample, info_of
from homediag.watch.store import DAY_S, Store


class _NoContent(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def loop_cost(seconds: float, speedup: float) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NoContent)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/generate_204"
    path = WatchPath(
        targets=(
            Target(Role.GATEWAY, "127.0.0.1"),
            Target(Role.HOP2, "127.0.0.2"),
            Target(Role.INTERNET, "127.0.0.3"),
            Target(Role.INTERNET, "127.0.0.4"),
        ),
        resolvers=("127.0.0.1",),
        http_checks=(url,),
        dns_name="example.com",
    )
    schedule = fast(Schedule(), speedup)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "w.sqlite3")
        watcher = Watcher(store, Session.detect(), path, schedule, duration_s=seconds, follow_os_log=False)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        cpu_before = _cpu()
        started = time.monotonic()
        asyncio.run(watcher.run())
        wall = time.monotonic() - started
        cpu = _cpu() - cpu_before
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        counts = {k.name: 0 for k in Kind}
        for sample in store.samples():
            counts[sample.kind.name] += 1
        store.close()
    server.shutdown()
    per_hour_default = 4 * 3600 / 1.0 + 3600 / 30 + 3600 / 60 + 3600 / 5
    per_sample = cpu / max(1, watcher.count)
    print(f"loop: {wall:.1f} s wall at {speedup:g}x the default rates, {watcher.count} samples {counts}")
    print(
        f"loop: CPU {cpu:.2f} s ({100 * cpu / wall:.1f} % of one core), {1000 * per_sample:.3f} ms per sample"
    )
    hourly = per_sample * per_hour_default
    print(
        f"loop: extrapolated to one hour at the default rates ({per_hour_default:.0f} samples): "
        f"{hourly:.1f} s CPU per hour ({100 * hourly / 3600:.2f} % of a core)"
    )
    print(f"loop: peak RSS {rss_before / 1024:.1f} MB before, {rss_after / 1024:.1f} MB after")


def synthetic_day(store: Store, start: float) -> int:
    rng = random.Random(7)
    subjects = ("gateway:192.0.2.1", "hop2:198.51.100.9", "internet:198.51.100.1", "internet:198.51.100.2")
    store.begin_run(start, 1.0, 1)
    count = 0
    for second in range(int(DAY_S)):
        t = start + second
        hour_offset = second % 3600
        lan = hour_offset < 120
        dns_slow = (second // 3600) % 2 == 0 and 1800 <= hour_offset < 1920
        for subject in subjects:
            lost = lan and rng.random() < 0.2
            store.add(
                Sample(t, Kind.PING, subject, not lost, None if lost else round(0.4 + rng.random() * 20, 3))
            )
        count += 4
        if second % 30 == 0:
            store.add(Sample(t, Kind.DNS, "resolver:192.0.2.1", True, 805.0 if dns_slow else 12.0))
            count += 1
        if second % 60 == 0:
            store.add(
                Sample(
                    t, Kind.HTTP, "url:http://192.0.2.80/generate_204", True, 40.0, info_of({"status": 204})
                )
            )
            count += 1
        if second % 5 == 0:
            link = info_of({"bssid": "02:00:00:00:00:01", "channel": 36, "tx_rate_mbps": 866.7})
            store.add(Sample(t, Kind.WIFI, "if:wlan0", True, -55.0 - rng.random() * 5, link))
            count += 1
        store.commit(t)
    store.end_run(start + DAY_S)
    return count


def day_of_history() -> None:
    start = 1_700_000_000.0
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "w.sqlite3")
        began = time.monotonic()
        count = synthetic_day(store, start)
        written = time.monotonic() - began
        store.commit()
        store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw = store.size_bytes()
        print(
            f"day: {count} samples written in {written:.1f} s (a commit per second); {raw / 1e6:.1f} MB raw"
        )
        began = time.monotonic()
        report = asyncio.run(report_from_history(store, config=Config(), since=start, until=start + DAY_S))
        built = time.monotonic() - began
        began = time.monotonic()
        html = render(report, Format.HTML)
        markdown = render(report, Format.MARKDOWN)
        rendered = time.monotonic() - began
        problems = sorted({f.code for f in report.findings if f.status.is_problem})
        watch = report.watch or {}
        print(
            f"day: report from the history in {built:.1f} s ({len(watch.get('events', []))} events, "
            f"{len(watch.get('windows', []))} windows judged, faults {problems}); "
            f"HTML {len(html) / 1e3:.0f} kB + Markdown rendered in {rendered:.2f} s"
        )
        del markdown
        maintain(store, start + 2 * DAY_S, Schedule())
        store.vacuum()
        store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        print(f"day: after folding into minutes and VACUUM: {store.size_bytes() / 1e6:.2f} MB per day")
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--speedup", type=float, default=10.0)
    parser.add_argument("--skip-loop", action="store_true")
    args = parser.parse_args()
    if not args.skip_loop:
        loop_cost(args.seconds, args.speedup)
    day_of_history()


if __name__ == "__main__":
    main()
