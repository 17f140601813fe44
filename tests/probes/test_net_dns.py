"""net.dns against DNS servers on 127.0.0.1: one that answers, one that is silent, one that refuses."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator

import dns.message
import dns.rcode
import dns.rrset
import pytest

from homediag.core.model import Outcome
from homediag.probes.net.dns import DnsProbe, parse_server
from homediag.testing import run_probe


class _Server:
    def __init__(self, mode: str) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.mode = mode
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while not self.stop.is_set():
            try:
                data, peer = self.sock.recvfrom(4096)
            except TimeoutError:
                continue
            if self.mode == "silent":
                continue
            query = dns.message.from_wire(data)
            response = dns.message.make_response(query)
            if self.mode == "refuse":
                response.set_rcode(dns.rcode.REFUSED)
            else:
                response.answer.append(
                    dns.rrset.from_text(query.question[0].name, 60, "IN", "A", "192.0.2.80")
                )
            self.sock.sendto(response.to_wire(), peer)

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.sock.close()


@pytest.fixture
def servers() -> Iterator[dict[str, _Server]]:
    made = {mode: _Server(mode) for mode in ("answer", "silent", "refuse")}
    yield made
    for server in made.values():
        server.close()


def test_each_resolver_is_judged_on_its_own(servers: dict[str, _Server]) -> None:
    configured = [f"127.0.0.1:{servers[m].port}" for m in ("answer", "silent", "refuse")]
    outcome = asyncio.run(run_probe(DnsProbe, facts={"dns.resolvers": configured}, args={"timeout_s": 0.3}))
    assert outcome.result.outcome is Outcome.OK
    ok = {o.subject: o.value for o in outcome.observations("dns.resolver_ok")}
    assert ok == {
        f"resolver:{configured[0]}": True,
        f"resolver:{configured[1]}": False,
        f"resolver:{configured[2]}": False,
    }
    assert outcome.value("dns.any_ok") is True
    latency = outcome.value("dns.best_latency_ms")
    assert isinstance(latency, float) and latency < 300
    refused = next(o for o in outcome.observations("dns.resolver_ok") if o.subject.endswith(configured[2]))
    assert "REFUSED" in (refused.evidence or "")


def test_all_silent(servers: dict[str, _Server]) -> None:
    outcome = asyncio.run(
        run_probe(
            DnsProbe,
            facts={"dns.resolvers": [f"127.0.0.1:{servers['silent'].port}"]},
            args={"timeout_s": 0.2},
        )
    )
    assert outcome.value("dns.any_ok") is False
    assert outcome.value("dns.best_latency_ms") is None


def test_no_resolver_is_not_applicable() -> None:
    outcome = asyncio.run(run_probe(DnsProbe, facts={"dns.resolvers": []}))
    assert outcome.result.outcome is Outcome.NOT_APPLICABLE


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("192.0.2.53", "192.0.2.53"),
        ("192.0.2.53:5353", "192.0.2.53:5353"),
        ("[2001:db8::53]:53", "2001:db8::53"),
        ("2001:db8::53", "2001:db8::53"),
        ("fe80::1%eth0", "fe80::1"),
    ],
)
def test_server_notations(text: str, label: str) -> None:
    server = parse_server(text)
    assert server is not None and server.label == label


@pytest.mark.parametrize("text", ["", "bogus", "192.0.2.1:99999", "192.0.2.1:x"])
def test_bad_server_notations(text: str) -> None:
    assert parse_server(text) is None
