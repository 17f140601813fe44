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
``OSLOG`` with ``{"event": "disconnected" | "connected" | "roamed"}``. The Windows and macOS logs are
read for the watch's window when a report is made; ``iw event`` is followed live.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Callable, Iterable
from datetime import datetime

from homediag.watch.samples import Kind, Sample, info_of

MAX_LINE = 1000
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
    samples: list[Sample] = []
    stamp: float | None = None
    for line in text.splitlines()[:100_000]:
        if len(line) > MAX_LINE:
            continue
        date = _WEVT_DATE.match(line)
        if date is not None:
            with contextlib.suppress(ValueError):
                stamp = datetime.fromisoformat(date.group(1)).timestamp()
            continue
        event_id = _WEVT_ID.match(line)
        if event_id is not None and stamp is not None:
            kind = {"8001": "connected", "8003": "disconnected"}.get(event_id.group(1))
            if kind is not None:
                samples.append(
                    Sample(
                        stamp, Kind.OSLOG, "if:wlan", kind != "disconnected", info=info_of({"event": kind})
                    )
                )
            stamp = None
    return samples


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


def all_samples(parsed: Iterable[Sample | None]) -> list[Sample]:
    """The samples that parsed."""
    return [s for s in parsed if s is not None]
