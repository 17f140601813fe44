"""The operating system's own Wi-Fi log, read for the time of a watch.

Linux: ``iw event -t`` runs beside the watch and prints one line per nl80211 event::

    1700000000.123456: wlan0 (phy #0): disconnected (by AP) reason: 3: Deauthenticated because ...
    1700000002.654321: wlan0 (phy #0): connected to 02:00:00:00:00:02
    1700000005.000001: wlan0 (phy #0): new station 02:00:00:00:00:03

Windows: the WLAN-AutoConfig operational log (``wevtutil qe Microsoft-Windows-WLAN-AutoConfig/Operational
/q:"*[System[(EventID=8001 or EventID=8003)]]" /f:text``): event 8001 is a connect, 8003 a disconnect.
macOS: ``log show --style syslog --predicate 'subsystem == "com.apple.wifi"'``, lines that say
``Disassociated`` / ``Associated``.

Each parser is pure and bounded (lines over 1000 characters are skipped) and gives samples of kind
``OSLOG`` with ``{"event": "disconnected" | "connected" | "roamed"}``. ``iw event`` is followed live;
the Windows and macOS logs are read for the watch's window every :data:`READ_EVERY_S` and when the watch
stops (:func:`read_log`, through the context's command runner, so a recorded context replays them): a
WLAN-AutoConfig connect to another BSSID without a disconnect between is a roam.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from homediag.core.probe import ProbeContext
from homediag.watch.samples import Kind, Sample, info_of

MAX_LINE = 1000
READ_EVERY_S = 60.0
"""How often a watch reads the Windows or macOS Wi-Fi log for the time since its last read."""
READ_TIMEOUT_S = 20.0
MAX_LOG_BYTES = 4 * 1024 * 1024
MAX_WINDOWS_EVENTS = 1000
WLAN_LOG = "Microsoft-Windows-WLAN-AutoConfig/Operational"
MACOS_PREDICATE = 'subsystem == "com.apple.wifi"'
_WEVT_BSSID = re.compile(r"^\s*BSSID:\s*([0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5})\s*$")
_IW = re.compile(r"^([0-9]{9,11}\.[0-9]{1,9}):\s+(\S{1,32})\s+\(phy\s+#[0-9]{1,4}\):\s+(.{1,900})$")
_WEVT_ID = re.compile(r"^\s*Event ID:\s*([0-9]{1,6})\s*$")
_WEVT_DATE = re.compile(r"^\s*Date:\s*([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{8,20}(?:Z|[+-][0-9:]{4,6})?)\s*$")
_MAC_LINE = re.compile(
    r"^([0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]{8,15}[+-][0-9]{4})\s.{0,400}?\b(Disassociat|Associated|Roam)", re.I
)


def parse_iw_event(line: str) -> Sample | None:
    """One line of ``iw event -t`` as a sample, or None for events that say nothing about the link."""
    if len(line) > MAX_LINE:
        return None
    found = _IW.match(line.strip())
    if found is None:
        return None
    stamp, interface, text = float(found.group(1)), found.group(2), found.group(3).lower()
    if text.startswith("disconnected") or text.startswith("deauth"):
        event = "disconnected"
    elif text.startswith("connected to"):
        event = "connected"
    elif text.startswith("ch_switch") or "roam" in text:
        event = "roamed"
    else:
        return None
    return Sample(
        stamp, Kind.OSLOG, f"if:{interface}", ok=event != "disconnected", info=info_of({"event": event})
    )


def parse_wevtutil(text: str) -> list[Sample]:
    """WLAN-AutoConfig events 8001 (connected) and 8003 (disconnected) from ``wevtutil qe ... /f:text``."""
    events: list[tuple[float, str, str | None]] = []
    """(time, connected or disconnected, BSSID) in the order of the text."""
    stamp: float | None = None
    for line in text.splitlines()[:100_000]:
        if len(line) > MAX_LINE:
            continue
        if line.startswith("Event["):
            stamp = None
            continue
        date = _WEVT_DATE.match(line)
        if date is not None:
            with contextlib.suppress(ValueError):
                stamp = _wevt_time(date.group(1))
            continue
        event_id = _WEVT_ID.match(line)
        if event_id is not None and stamp is not None:
            kind = {"8001": "connected", "8003": "disconnected"}.get(event_id.group(1))
            if kind is not None:
                events.append((stamp, kind, None))
            stamp = None
            continue
        bssid = _WEVT_BSSID.match(line)
        if bssid is not None and events and events[-1][2] is None:
            events[-1] = (events[-1][0], events[-1][1], bssid.group(1).lower().replace("-", ":"))
    samples: list[Sample] = []
    last: tuple[str, str | None] | None = None
    for t, kind, ap in sorted(events, key=lambda e: e[0]):
        event = kind
        # Connected to another access point without a disconnect first: Windows roamed.
        if kind == "connected" and last is not None and last[0] == "connected":
            event = "roamed" if ap and last[1] and ap != last[1] else "connected"
        detail: dict[str, object] = {"event": event}
        if ap:
            detail["bssid"] = ap
        samples.append(Sample(t, Kind.OSLOG, "if:wlan", event != "disconnected", info=info_of(detail)))
        last = (kind, ap)
    return samples


def _wevt_time(text: str) -> float:
    """``2023-11-14T22:13:20.1230000Z`` (seven decimals, as wevtutil writes them) as Unix time; a time
    without a zone is the computer's local time (older Windows)."""
    head, _dot, rest = text.partition(".")
    zone = ""
    digits = rest
    for mark in ("Z", "+", "-"):
        if mark in rest:
            index = rest.index(mark)
            digits, zone = rest[:index], rest[index:]
            break
    clean = head + (f".{digits[:6]}" if digits else "") + zone.replace("Z", "+00:00")
    return datetime.fromisoformat(clean).timestamp()


def parse_macos_log(text: str) -> list[Sample]:
    """Associations and disassociations from ``log show --style syslog`` of ``com.apple.wifi``."""
    samples: list[Sample] = []
    for line in text.splitlines()[:100_000]:
        if len(line) > MAX_LINE:
            continue
        found = _MAC_LINE.match(line)
        if found is None:
            continue
        try:
            stamp = datetime.strptime(found.group(1), "%Y-%m-%d %H:%M:%S.%f%z").timestamp()
        except ValueError:
            continue
        word = found.group(2).lower()
        event = (
            "disconnected" if word.startswith("disassociat") else "roamed" if word == "roam" else "connected"
        )
        samples.append(
            Sample(stamp, Kind.OSLOG, "if:wlan", event != "disconnected", info=info_of({"event": event}))
        )
    return samples


async def follow_iw_events(emit: Callable[[Sample], None], *, binary: str = "iw") -> None:
    """Run ``iw event -t`` until cancelled and hand each link event to ``emit``; returns at once when
    ``iw`` cannot run (no Wi-Fi tools: nothing to read)."""
    try:
        process = await asyncio.create_subprocess_exec(
            binary,
            "event",
            "-t",
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            limit=MAX_LINE * 4,
        )
    except OSError:
        return
    assert process.stdout is not None
    try:
        while True:
            try:
                raw = await process.stdout.readline()
            except (ValueError, asyncio.LimitOverrunError):  # an overlong line: skip the stream's rest of it
                continue
            if not raw:
                break
            sample = parse_iw_event(raw.decode("utf-8", "replace"))
            if sample is not None:
                emit(sample)
    finally:
        if process.returncode is None:
            process.kill()
            with contextlib.suppress(ProcessLookupError):
                await process.wait()


def windows_argv(since: float) -> list[str]:
    """``wevtutil qe`` of the WLAN-AutoConfig connects and disconnects since ``since`` (oldest first)."""
    stamp = datetime.fromtimestamp(since, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    query = f"*[System[(EventID=8001 or EventID=8003) and TimeCreated[@SystemTime>='{stamp}']]]"
    return ["wevtutil", "qe", WLAN_LOG, f"/q:{query}", "/f:text", "/rd:false", f"/c:{MAX_WINDOWS_EVENTS}"]


def macos_argv(since: float) -> list[str]:
    """``log show`` of the Wi-Fi subsystem since ``since`` (``--start`` takes the local time)."""
    stamp = datetime.fromtimestamp(since).strftime("%Y-%m-%d %H:%M:%S")
    return ["log", "show", "--style", "syslog", "--predicate", MACOS_PREDICATE, "--start", stamp]


async def read_log(ctx: ProbeContext, platform: str, since: float) -> tuple[list[Sample], str | None]:
    """The Wi-Fi log of ``platform`` (``windows``, ``macos``) since ``since``: its link events, and why
    it could not be read (None when it was). Linux has no log to read (``iw event`` is followed live)."""
    if platform == "windows":
        argv, parse = windows_argv(since), parse_wevtutil
    elif platform == "macos":
        argv, parse = macos_argv(since), parse_macos_log
    else:
        return [], None
    if ctx.which(argv[0]) is None:
        return [], f"{argv[0]} not found"
    result = await ctx.run_command(argv, timeout_s=READ_TIMEOUT_S, max_bytes=MAX_LOG_BYTES)
    if result.timed_out:
        return [], f"{argv[0]} did not answer in {READ_TIMEOUT_S:.0f} s"
    if result.returncode != 0:
        reason = (result.stderr.strip() or result.stdout.strip()).splitlines()[:1]
        return [], f"{argv[0]} exited with {result.returncode}" + (f": {reason[0][:200]}" if reason else "")
    return [s for s in parse(result.stdout) if s.t >= since], None


def all_samples(parsed: Iterable[Sample | None]) -> list[Sample]:
    """The samples that parsed."""
    return [s for s in parsed if s is not None]
