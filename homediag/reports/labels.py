"""The words a report view uses for the closed sets of the model: statuses, kinds, outcomes, facts.

Each is a message id marked with ``N_()``, translated through the view's seam
(:class:`~homediag.reports.texts.Say`) when a view is built.
"""

from __future__ import annotations

from collections.abc import Mapping

from homediag.core.i18n import N_
from homediag.core.model import DeviceKind, FindingStatus, Outcome, RemedyOutcome

STATUS_LABELS: Mapping[FindingStatus, str] = {
    FindingStatus.CONFIRMED: N_("confirmed"),
    FindingStatus.LIKELY: N_("likely"),
    FindingStatus.POSSIBLE: N_("possible"),
    FindingStatus.RULED_OUT: N_("ruled out"),
    FindingStatus.DEFERRED: N_("deferred"),
    FindingStatus.NOT_TESTED: N_("not tested"),
}
KIND_LABELS: Mapping[DeviceKind, str] = {
    DeviceKind.ROUTER: N_("router"),
    DeviceKind.PRINTER: N_("printer"),
    DeviceKind.MEDIA: N_("TV or media player"),
    DeviceKind.SPEAKER: N_("speaker"),
    DeviceKind.HUB: N_("smart-home hub"),
    DeviceKind.CAMERA: N_("camera"),
    DeviceKind.PHONE: N_("phone or tablet"),
    DeviceKind.COMPUTER: N_("computer"),
    DeviceKind.NAS: N_("network storage"),
    DeviceKind.IOT: N_("smart device"),
    DeviceKind.UNKNOWN: N_("unknown device"),
}
OUTCOME_LABELS: Mapping[Outcome, str] = {
    Outcome.OK: N_("done"),
    Outcome.NOT_APPLICABLE: N_("not applicable"),
    Outcome.SKIPPED: N_("skipped"),
    Outcome.NOT_PERMITTED: N_("not permitted"),
    Outcome.TIMEOUT: N_("timed out"),
    Outcome.ERROR: N_("failed"),
    Outcome.CANCELLED: N_("cancelled"),
}
REMEDY_OUTCOME_LABELS: Mapping[RemedyOutcome, str] = {
    RemedyOutcome.OFFERED: N_("offered, not done yet"),
    RemedyOutcome.SKIPPED: N_("skipped for now"),
    RemedyOutcome.FIXED: N_("done: the check afterwards passed"),
    RemedyOutcome.NOT_FIXED: N_("done, but the check afterwards still failed"),
    RemedyOutcome.COULD_NOT_VERIFY: N_("done, but the check afterwards could not run"),
}
COMPLAINT_LABELS: Mapping[str, str] = {
    "checkup": N_("checkup"),
    "no-internet": N_("no internet"),
    "slow-internet": N_("slow internet"),
    "unstable-connection": N_("unstable connection"),
    "video-calls": N_("video calls"),
    "printer": N_("printer"),
    "cast": N_("casting to a TV"),
    "smart-home": N_("smart home"),
    "wifi": N_("Wi-Fi"),
}
"""Fallback names of the complaints, for reports that do not record their playbook's title."""
FACT_LABELS: Mapping[str, str] = {
    "interface.kind": N_("Connection"),
    "wifi.ssid": N_("Wi-Fi network"),
    "wifi.band": N_("Wi-Fi band"),
    "wifi.channel": N_("Wi-Fi channel"),
    "wifi.signal_dbm": N_("Wi-Fi signal"),
    "wifi.tx_rate_mbps": N_("Wi-Fi link rate"),
    "gateway.reachable": N_("Router answers"),
    "gateway.rtt_ms": N_("Round trip to the router"),
    "gateway.rtt_max_ms": N_("Slowest round trip to the router"),
    "gateway.jitter_ms": N_("Jitter to the router"),
    "gateway.loss_pct": N_("Packets lost to the router"),
    "internet.rtt_ms": N_("Round trip to the internet"),
    "internet.loss_pct": N_("Packets lost to the internet"),
    "dns.any_ok": N_("Name lookups (DNS) work"),
    "dns.best_latency_ms": N_("DNS answer time"),
    "dns.latency_ms": N_("DNS answer time"),
    "speed.download_mbps": N_("Download speed"),
    "speed.upload_mbps": N_("Upload speed"),
    "speed.latency_increase_ms": N_("Latency increase under load"),
    "nat.public_class": N_("Public address"),
}
"""The measurements people care about, in the order a report lists them."""
TRACE_ACTION_LABELS: Mapping[str, str] = {
    "probe": N_("measured"),
    "question": N_("asked"),
    "replay": N_("read from the report"),
    "infer": N_("concluded"),
    "multi_fault": N_("several causes"),
    "remedy": N_("fix"),
    "stop": N_("finished"),
}
"""What a step of the engine's trace did (its ``action``), in words."""
VALUE_LABELS: Mapping[tuple[str, str], str] = {
    ("interface.kind", "wired"): N_("cable"),
    ("interface.kind", "wireless"): N_("Wi-Fi connection"),
    ("interface.kind", "virtual"): N_("virtual"),
    ("interface.kind", "loopback"): N_("loopback"),
    ("interface.kind", "unknown"): N_("unknown"),
    ("nat.public_class", "public"): N_("public"),
    ("nat.public_class", "private"): N_("private"),
    ("nat.public_class", "cgnat"): N_("shared by the provider (CGNAT)"),
    ("nat.public_class", "link-local"): N_("link-local"),
    ("nat.public_class", "reserved"): N_("reserved"),
    ("nat.public_class", "none"): N_("none"),
}
"""Words for the text values of the measurements a report lists (:data:`FACT_LABELS`)."""
