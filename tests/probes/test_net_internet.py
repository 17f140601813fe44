"""net.internet against servers on 127.0.0.1: connectivity checks, captive portals, TLS, STUN, TCP."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import socket
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from homediag.core.config import Config, parse_config
from homediag.core.io import ProbeIO
from homediag.core.model import Outcome
from homediag.core.probe import CommandResult, ProbeContext
from homediag.core.runner import execute
from homediag.core.session import Session
from homediag.core.spec import Platform, Risk
from homediag.net.dns import LiveDns
from homediag.net.live import live_io
from homediag.probes.net.internet import InternetProbe, classify_http
from homediag.testing import ProbeOutcome
from homediag.testing import run_probe as _run_probe
from tests.probes.web_servers import StunServer, WebServer, self_signed_cert

run_probe = partial(_run_probe, io=live_io())
"""Probes run on the live network here: the servers of these tests listen on 127.0.0.1."""

PING = Path(__file__).parent.parent / "parsers" / "fixtures" / "ping"


def _config(**internet: list[str]) -> Config:
    values: dict[str, list[str]] = {
        "ping_targets": [],
        "tcp_targets": [],
        "http_checks": [],
        "https_checks": [],
        "stun_servers": [],
        "dns_names": ["example.com"],
    }
    values.update(internet)
    return parse_config(json.dumps({"internet": values}))


def _run(config: Config, io: ProbeIO | None = None, **kwargs: Any) -> ProbeOutcome:
    """Recorded commands (ping) when given; otherwise a live context: real HTTP to 127.0.0.1."""
    args = {"count": 3, "interval_s": 0.01, "timeout_s": 2.0, **kwargs.pop("args", {})}
    if kwargs:
        return asyncio.run(run_probe(InternetProbe, config=config, args=args, **kwargs))
    session = Session(config=config, platform=Platform.LINUX, max_risk=Risk.INTRUSIVE)
    ctx = ProbeContext(InternetProbe.spec, session, args=args, io=io or live_io())
    return ProbeOutcome(asyncio.run(execute(InternetProbe, ctx)))


@pytest.fixture(scope="module")
def web() -> Iterator[WebServer]:
    server = WebServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    server = WebServer(self_signed_cert(tmp_path_factory.mktemp("cert")))
    yield server
    server.close()


@pytest.fixture
def stun() -> Iterator[dict[str, StunServer]]:
    servers = {"answer": StunServer(), "silent": StunServer(silent=True)}
    yield servers
    for server in servers.values():
        server.close()


def test_connectivity_check_that_answers_204(web: WebServer) -> None:
    url = web.url("/generate_204")
    outcome = _run(_config(http_checks=[url]))
    assert outcome.result.outcome is Outcome.OK
    assert outcome.value("internet.http_status", f"url:{url}") == 204
    assert outcome.value("internet.http_ok", f"url:{url}") is True
    assert outcome.value("internet.http_connect_ok", f"url:{url}") is True
    assert outcome.value("internet.http_any_ok") is True
    assert outcome.value("internet.captive_portal") is False
    assert outcome.value("internet.portal_host") is None
    assert outcome.value("internet.http_connect_pct") == 100.0


@pytest.mark.parametrize(
    ("path", "portal_host", "evidence"),
    [
        ("/portal", "login.portal.example", "redirected to login.portal.example"),
        ("/page", None, "a page of"),
        ("/511", None, "511"),
    ],
    ids=["redirect-to-another-host", "page-instead-of-204", "network-authentication-required"],
)
def test_captive_portals(web: WebServer, path: str, portal_host: str | None, evidence: str) -> None:
    url = web.url(path)
    outcome = _run(_config(http_checks=[url]))
    assert outcome.value("internet.captive_portal") is True
    assert outcome.value("internet.portal_host") == portal_host
    assert outcome.value("internet.http_ok", f"url:{url}") is False
    assert evidence in (outcome.observations("internet.captive_portal")[0].evidence or "")


def test_empty_200_is_not_a_portal(web: WebServer) -> None:
    outcome = _run(_config(http_checks=[web.url("/empty200")]))
    assert outcome.value("internet.captive_portal") is False
    assert outcome.value("internet.http_any_ok") is True


def test_a_dead_http_check_is_neither_ok_nor_a_portal() -> None:
    port = _closed_port()
    url = f"http://127.0.0.1:{port}/generate_204"
    outcome = _run(_config(http_checks=[url]))
    assert outcome.value("internet.http_connect_ok", f"url:{url}") is False
    assert outcome.value("internet.http_ok", f"url:{url}") is False
    assert outcome.value("internet.captive_portal") is None  # no answer at all: not measured
    assert outcome.value("internet.http_connect_pct") == 0.0


def test_tls_handshake_and_latency(tls: WebServer) -> None:
    url = tls.url("/generate_204")
    outcome = _run(_config(https_checks=[url]), args={"verify_tls": False})
    assert outcome.value("internet.https_tls_ok", f"url:{url}") is True
    latency = outcome.value("internet.https_url_latency_ms", f"url:{url}")
    assert isinstance(latency, float) and 0 < latency < 2000
    assert outcome.value("internet.https_latency_ms") == latency
    assert outcome.value("internet.https_tls_pct") == 100.0
    assert "answered 204" in (outcome.observations("internet.https_tls_ok")[0].evidence or "")


def test_a_busy_event_loop_does_not_slow_the_measured_https_request(tls: WebServer) -> None:
    """Another probe holding the event loop (here 1.5 s) is no time of the request: measured on the
    loop, a healthy lab request read 850 ms in a first checkup, a false "web slow"."""
    from homediag.net.reach import tls_request

    async def busy() -> None:
        await asyncio.sleep(0)
        time.sleep(1.5)  # a probe's synchronous work on the loop

    async def both() -> Any:
        result, _ = await asyncio.gather(
            tls_request("127.0.0.1", "localhost", tls.port, "/generate_204", 5.0, verify=False), busy()
        )
        return result

    result = asyncio.run(both())
    assert result.tls_ok and result.status == 204
    # The handshake on 127.0.0.1 takes milliseconds; the loop was held for 1500 ms.
    assert result.request_ms is not None and result.request_ms < 1000


def test_an_untrusted_certificate_fails_the_https_check(tls: WebServer) -> None:
    url = tls.url("/generate_204")
    outcome = _run(_config(https_checks=[url]))
    tls_ok = outcome.observations("internet.https_tls_ok")[0]
    assert tls_ok.value is False
    assert "certificate" in (tls_ok.evidence or "")
    assert outcome.value("internet.https_latency_ms") is None
    assert outcome.value("internet.https_tls_pct") == 0.0


def test_stun_over_udp(stun: dict[str, StunServer]) -> None:
    answer, silent = stun["answer"], stun["silent"]
    servers = [f"127.0.0.1:{answer.port}", f"127.0.0.1:{silent.port}"]
    outcome = _run(_config(stun_servers=servers))
    assert outcome.value("internet.stun_ok", f"server:{servers[0]}") is True
    assert outcome.value("internet.stun_ok", f"server:{servers[1]}") is False
    assert outcome.value("internet.udp_ok") is True
    mapped = outcome.value("internet.stun_mapped_address")
    assert isinstance(mapped, str) and mapped.startswith("127.0.0.1:")
    assert silent.requests == 4  # retransmitted with doubling waits within 3 s, then given up: bounded
    evidence = outcome.observations("internet.stun_ok")[1].evidence or ""
    assert "4 request" in evidence


def test_udp_blocked(stun: dict[str, StunServer]) -> None:
    outcome = _run(_config(stun_servers=[f"127.0.0.1:{stun['silent'].port}"]))
    assert outcome.value("internet.udp_ok") is False
    assert outcome.value("internet.stun_mapped_address") is None


def test_tcp_targets(web: WebServer) -> None:
    closed = _closed_port()
    outcome = _run(_config(tcp_targets=[f"127.0.0.1:{web.port}", f"127.0.0.1:{closed}"]))
    assert outcome.value("internet.tcp_ok", f"target:127.0.0.1:{web.port}") is True
    assert outcome.value("internet.tcp_ok", f"target:127.0.0.1:{closed}") is False
    assert outcome.value("internet.tcp_any_ok") is True


def test_loss_and_jitter_from_the_system_ping() -> None:
    loss = CommandResult(("ping",), 1, (PING / "linux-loss.txt").read_text(), "")
    outcome = _run(
        _config(ping_targets=["192.0.2.1", "198.51.100.1"]),
        args={"count": 4},
        commands={("ping",): loss},
    )
    assert outcome.value("internet.target_loss_pct", "target:192.0.2.1") == 25.0
    assert outcome.value("internet.loss_pct") == 25.0
    assert outcome.value("internet.icmp_ok") is True
    assert outcome.value("internet.jitter_ms") is not None
    assert outcome.result.method == "system ping"


def test_echo_falls_back_to_tcp_without_ping() -> None:
    outcome = _run(_config(ping_targets=["127.0.0.1"]), binaries=[])
    assert outcome.value("internet.target_ok", "target:127.0.0.1") is True
    assert (outcome.result.method or "").startswith("TCP connect")


class InvalidNamesDoNotResolve(LiveDns):
    """The live resolver, except that ``.invalid`` names fail here: no DNS query leaves this machine."""

    async def resolve(self, host: str, timeout_s: float, *, udp: bool = False) -> str | None:
        if host.endswith(".invalid"):
            return None
        return await super().resolve(host, timeout_s, udp=udp)


def test_names_that_do_not_resolve_are_counted(web: WebServer) -> None:
    config = _config(
        http_checks=["http://check.invalid/generate_204", web.url("/generate_204")],
        https_checks=["https://secure.invalid/"],
        stun_servers=["stun.invalid:3478"],
    )
    outcome = _run(config, io=dataclasses.replace(live_io(), dns=InvalidNamesDoNotResolve()))
    assert outcome.value("internet.name_failures") == 3
    assert outcome.value("internet.http_ok", "url:http://check.invalid/generate_204") is None
    assert outcome.value("internet.https_tls_ok", "url:https://secure.invalid/") is None
    assert outcome.value("internet.https_tls_pct") is None  # no host was reachable by name
    assert outcome.value("internet.udp_ok") is None


def test_nothing_configured_is_not_applicable() -> None:
    outcome = _run(_config())
    assert outcome.result.outcome is Outcome.NOT_APPLICABLE


@pytest.mark.parametrize(
    ("status", "body", "redirects", "refused", "expected"),
    [
        (204, b"", (), False, (True, False, None)),
        (200, b"  ", (), False, (True, False, None)),
        (200, b"<html>", (), False, (False, True, None)),
        (302, b"", ("https://wifi.example/login",), True, (False, True, "wifi.example")),
        (511, b"", (), False, (False, True, None)),
        (404, b"", (), False, (False, False, None)),
        (503, b"busy", (), False, (False, False, None)),
    ],
    ids=["204", "empty-200", "page", "cross-host-redirect", "511", "404", "503"],
)
def test_classification(
    status: int, body: bytes, redirects: tuple[str, ...], refused: bool, expected: tuple[object, ...]
) -> None:
    ok, portal, host, _evidence = classify_http(status, body, redirects, refused)
    assert (ok, portal, host) == expected


def _closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    sock.close()
    return port
