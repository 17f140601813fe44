"""Recordings of probe I/O: the file round trip, the rewrite of lab addresses, replay and its refusals."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from homediag.core.http import HttpError
from homediag.core.probe import CommandResult
from homediag.probes.net.gateway import GatewayProbe
from homediag.testing import RecordedContext, run_probe
from homediag.testing.recording import HttpExchange, Recording, RecordingError, load, rewrite

SOAP = {"SOAPAction": '"urn:schemas-upnp-org:service:WANIPConnection:1#GetStatusInfo"'}


def sample() -> Recording:
    return Recording(
        probe="net.gateway",
        facts={"gateway.ipv4": "10.77.0.1"},
        http=[
            HttpExchange("POST", "http://10.77.0.1:5000/ctl", SOAP, body=b"status"),
            HttpExchange("POST", "http://10.77.0.1:5000/ctl", body=b"other"),
            HttpExchange("GET", "http://10.77.0.1/bin", body=b"\xff\x00"),
            HttpExchange("GET", "http://10.77.0.1/down", error="connection refused"),
        ],
        commands=[CommandResult(("ip", "neigh"), 0, "10.77.0.1 lladdr 3c:2a:f4:12:34:56", "")],
    )


def test_a_recording_survives_its_file_and_rewrites_lab_addresses(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    rewrite(sample(), {"10.77.0.1": "192.0.2.1", "3c:2a:f4:12:34:56": "02:00:5e:00:53:01"}).save(path)
    text = path.read_text(encoding="utf-8")
    assert "10.77" not in text and "3c:2a" not in text and "body_base64" in text
    again = load(path)
    assert again.facts == {"gateway.ipv4": "192.0.2.1"}
    assert again.http[2].body == b"\xff\x00" and again.http[0].match == SOAP
    assert again.commands[0].stdout == "192.0.2.1 lladdr 02:00:5e:00:53:01"


@pytest.mark.parametrize(
    "content", ["{", '{"format": "other/1", "probe": "x"}', '{"format": "homediag-recording/1"}']
)
def test_unreadable_recordings_are_a_clear_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RecordingError, match=re.escape("bad.json: not a readable recording")):
        load(path)


def test_replay_tells_requests_to_one_url_apart_by_their_soap_action() -> None:
    from homediag.core.session import Session

    ctx = RecordedContext(GatewayProbe.spec, Session(), exchanges=sample().http)
    url = "http://10.77.0.1:5000/ctl"
    assert asyncio.run(ctx.http(url, method="POST", headers=SOAP)).body == b"status"
    assert asyncio.run(ctx.http(url, method="POST")).body == b"other"
    with pytest.raises(HttpError, match="connection refused"):
        asyncio.run(ctx.http("http://10.77.0.1/down"))
    with pytest.raises(AssertionError, match=re.escape("HTTP not recorded: GET http://10.77.0.1/elsewhere")):
        asyncio.run(ctx.http("http://10.77.0.1/elsewhere"))


def test_a_recording_of_another_probe_is_refused() -> None:
    with pytest.raises(ValueError, match=re.escape("a recording of net.dns given to net.gateway")):
        asyncio.run(run_probe(GatewayProbe, recording=Recording(probe="net.dns")))
