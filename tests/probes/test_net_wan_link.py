"""net.wan_link on a recording of the lab's miniupnpd, variations of it, and live against the lab."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from homediag.core.model import Outcome
from homediag.probes.net.wan_link import WanLinkProbe
from homediag.testing import ProbeOutcome, run_probe
from homediag.testing.recording import HttpExchange, Recording, load

RECORDING = Path(__file__).parent / "recordings" / "net.wan_link" / "miniupnpd.json"
PROBE_RUNNER = Path(__file__).parent.parent / "probe_runner.py"
FAULT_501 = (
    b'<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
    b"<s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>"
    b'<UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>501</errorCode>'
    b"<errorDescription>Action Failed</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>"
)


def run(recording: Recording, **facts: Any) -> ProbeOutcome:
    return asyncio.run(run_probe(WanLinkProbe, recording=recording, facts=facts))


def answering(recording: Recording, action: str, body: bytes) -> Recording:
    """``recording`` with the answer to ``action`` replaced by ``body``."""
    http = [
        dataclasses.replace(x, body=body) if action in x.match.get("SOAPAction", "") else x
        for x in recording.http
    ]
    return dataclasses.replace(recording, http=http)


def evidence(outcome: ProbeOutcome, fact: str) -> str:
    return outcome.observations(fact)[0].evidence or ""


def test_the_recorded_miniupnpd_reports_a_connected_line_and_its_rates() -> None:
    outcome = run(load(RECORDING))
    assert outcome.result.outcome is Outcome.OK, outcome.result.reason
    assert outcome.value("wan.connection_status") == "Connected"
    assert outcome.value("wan.last_connection_error") == "ERROR_NONE"
    assert outcome.value("wan.uptime_s") == 13795
    assert outcome.value("wan.physical_link_status") == "Up"
    assert outcome.value("wan.access_type") == "Cable"
    assert outcome.value("wan.max_up_mbps") == outcome.value("wan.max_down_mbps") == 1410.065


def test_a_fault_to_one_action_leaves_the_other_measured() -> None:
    outcome = run(answering(load(RECORDING), "GetStatusInfo", FAULT_501))
    assert outcome.value("wan.connection_status") is None
    assert "GetStatusInfo: error 501 Action Failed" in evidence(outcome, "wan.uptime_s")
    assert outcome.value("wan.physical_link_status") == "Up"


def test_values_outside_the_upnp_vocabulary_are_not_observed() -> None:
    body = (
        load(RECORDING)
        .http[0]
        .body.replace(b"Connected", b"Hacked &lt;b&gt;")
        .replace(b"13795", b"99999999999999999999")
    )
    outcome = run(answering(load(RECORDING), "GetStatusInfo", body))
    assert outcome.value("wan.connection_status") is None
    assert "unexpected value" in evidence(outcome, "wan.connection_status")
    assert outcome.value("wan.uptime_s") is None
    assert outcome.value("wan.last_connection_error") == "ERROR_NONE"


def test_urls_off_the_igd_are_never_asked() -> None:
    recording = load(RECORDING)
    off = "http://198.51.100.9:5000/ctl/IPConn"
    facts = {
        "upnp.igd_wan_services": [
            {"service_type": "urn:schemas-upnp-org:service:WANIPConnection:2", "control_url": off}
        ],
        "upnp.igd_location": "http://198.51.100.9:5000/rootDesc.xml",
    }
    outcome = run(dataclasses.replace(recording, http=[]), **facts)  # any request would be unrecorded
    assert outcome.result.outcome is Outcome.OK, outcome.result.reason
    assert "no WAN connection service" in evidence(outcome, "wan.connection_status")
    assert "not on its own address" in evidence(outcome, "wan.physical_link_status")


def test_an_http_error_is_evidence_not_a_crash() -> None:
    recording = load(RECORDING)
    http = [HttpExchange(x.method, x.url, x.match, error="connection refused") for x in recording.http]
    outcome = run(dataclasses.replace(recording, http=http))
    assert outcome.result.outcome is Outcome.OK
    assert "connection refused" in evidence(outcome, "wan.connection_status")
    assert "connection refused" in evidence(outcome, "wan.max_down_mbps")


@pytest.mark.parametrize(
    ("present", "reason"), [(False, "no UPnP IGD answered"), (None, "did not run or failed")]
)
def test_without_an_igd_it_does_not_apply(present: bool | None, reason: str) -> None:
    outcome = run(load(RECORDING), **{"upnp.igd_present": present})
    assert outcome.result.outcome is Outcome.NOT_APPLICABLE
    assert reason in (outcome.result.reason or "")


@pytest.mark.lab
def test_the_lab_miniupnpd_answers_both_actions(lab: Any) -> None:
    request = json.dumps({"probes": ["net.wan_link"], "privileged": True})
    done = lab.client_exec([sys.executable, str(PROBE_RUNNER), request], timeout=90)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)["net.wan_link"]
    assert result["outcome"] == "ok", result
    values = {o["fact"]: o["value"] for o in result["observations"]}
    assert values["wan.connection_status"] == "Connected"
    assert values["wan.last_connection_error"] == "ERROR_NONE"
    assert values["wan.physical_link_status"] == "Up"
    assert isinstance(values["wan.uptime_s"], int) and values["wan.uptime_s"] >= 0
    assert values["wan.max_down_mbps"] > 0
