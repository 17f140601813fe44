"""net.dns against DNS servers on 127.0.0.1: one that answers, one that is silent, one that refuses."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable, Iterator
from functools import partial

import dns.message
import dns.rcode
import dns.rrset
import pytest

from homediag.core.config import parse_config
from homediag.core.model import Outcome
from homediag.net.live import live_io
from homediag.probes.net.dns import DnsProbe, parse_server
from homediag.testing import run_probe as _run_probe
from tests.probes.dns_server import DnsServer

run_probe = partial(_run_probe, io=live_io())
"""Probes run on the live network here: the servers of these tests listen on 127.0.0.1."""


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
    args = {"timeout_s": 0.3, "compare_servers": []}
    outcome = asyncio.run(run_probe(DnsProbe, facts={"dns.resolvers": configured}, args=args))
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
            args={"timeout_s": 0.2, "compare_servers": []},
        )
    )
    assert outcome.value("dns.any_ok") is False
    assert outcome.value("dns.best_latency_ms") is None
    assert outcome.value("dns.fastest_answer_ms") is None


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


# --- the checks added in issue 5: names, hijacking, latency without caches, TCP ----------------------

NAMES_CONFIG = parse_config("internet:\n  dns_names: [example.com, connectivitycheck.example.net]\n")


def _run(*servers: DnsServer, timeout_s: float = 0.3):  # type: ignore[no-untyped-def]
    return asyncio.run(
        run_probe(
            DnsProbe,
            facts={"dns.resolvers": [s.address for s in servers]},
            args={"timeout_s": timeout_s, "compare_servers": []},
            config=NAMES_CONFIG,
        )
    )


@pytest.fixture
def make_server() -> Iterator[Callable[..., DnsServer]]:
    made: list[DnsServer] = []

    def make(mode: str, delay_s: float = 0.0, drop_udp: int = 0) -> DnsServer:
        made.append(DnsServer(mode, delay_s, drop_udp))
        return made[-1]

    yield make
    for server in made:
        server.close()


def test_an_honest_resolver(make_server: Callable[..., DnsServer]) -> None:
    server = make_server("answer")
    outcome = _run(server)
    subject = f"resolver:{server.address}"
    assert outcome.value("dns.names_resolved", subject) is True
    assert outcome.value("dns.addresses", subject) == {
        "example.com": ["192.0.2.80"],
        "connectivitycheck.example.net": ["192.0.2.81"],
    }
    assert outcome.value("dns.fake_answer", subject) is False
    assert outcome.value("dns.any_fake_answer") is False
    assert outcome.value("dns.tcp_ok", subject) is True
    assert outcome.value("dns.udp_fails_tcp_works") is False
    samples = outcome.value("dns.latency_samples_ms", subject)
    assert isinstance(samples, list) and len(samples) == 3 and all(s is not None for s in samples)
    assert outcome.value("dns.all_names_resolved") is True
    assert outcome.value("dns.answers_agree") is None  # one resolver: nothing to compare
    # the latency samples are random names under the first name, each new: no cache can hold them
    random_names = [q for q in server.queries if q.endswith(".example.com.") and q.startswith("hd-")]
    assert len(set(random_names)) == 3
    # the name that cannot exist sits under the top-level domain of the first name
    assert any(q.startswith("hd-") and q.count(".") == 2 and q.endswith(".com.") for q in server.queries)


def test_a_resolver_that_invents_answers(make_server: Callable[..., DnsServer]) -> None:
    honest, liar = make_server("answer"), make_server("hijack")
    outcome = _run(honest, liar)
    assert outcome.value("dns.fake_answer", f"resolver:{liar.address}") is True
    assert outcome.value("dns.fake_answer", f"resolver:{honest.address}") is False
    aggregate = outcome.observations("dns.any_fake_answer")[0]
    assert aggregate.value is True and liar.address in (aggregate.evidence or "")


def test_resolvers_that_disagree(make_server: Callable[..., DnsServer]) -> None:
    outcome = _run(make_server("answer"), make_server("other"))
    agree = outcome.observations("dns.answers_agree")[0]
    assert agree.value is False
    assert "example.com" in (agree.evidence or "")


def test_resolvers_that_agree(make_server: Callable[..., DnsServer]) -> None:
    outcome = _run(make_server("answer"), make_server("answer"))
    assert outcome.value("dns.answers_agree") is True


def test_udp_blocked_but_tcp_answers(make_server: Callable[..., DnsServer]) -> None:
    server = make_server("tcp-only")
    outcome = _run(server, timeout_s=0.2)
    subject = f"resolver:{server.address}"
    assert outcome.value("dns.resolver_ok", subject) is False
    assert outcome.value("dns.tcp_ok", subject) is True
    assert outcome.value("dns.udp_fails_tcp_works") is True
    # a silent resolver gets no latency samples and no name checks: "not measured", never False
    assert outcome.value("dns.names_resolved", subject) is None
    assert outcome.value("dns.latency_ms", subject) is None
    assert outcome.value("dns.fake_answer", subject) is None
    assert outcome.value("dns.all_names_resolved") is None


def test_a_resolver_behind_a_lossy_link_answers_a_resent_query(make_server: Callable[..., DnsServer]) -> None:
    # bench1.4: 10 % loss each way; one retry that abandoned the first query left the resolver
    # "silent" (dns.server-unreachable confirmed). A stub resolver resends and keeps listening.
    server = make_server("answer", drop_udp=3)
    outcome = _run(server, timeout_s=0.3)
    subject = f"resolver:{server.address}"
    assert outcome.value("dns.resolver_ok", subject) is True
    assert outcome.value("dns.udp_fails_tcp_works") is False


def test_a_slow_resolver_answers_the_first_query_while_it_is_resent(
    make_server: Callable[..., DnsServer],
) -> None:
    # Resending must not abandon the query already sent: here only the first query is answered, after
    # 0.35 s (longer than one timeout of 0.3 s; the resent ones are lost).
    server = make_server("answer")
    server.late_first_s = 0.35
    outcome = _run(server, timeout_s=0.3)
    assert outcome.value("dns.resolver_ok", f"resolver:{server.address}") is True


def test_public_resolvers_are_timed_beside_the_configured_one(make_server: Callable[..., DnsServer]) -> None:
    # faster_dns names the faster public resolver with its number: a slow configured resolver beside
    # two "public" ones (local servers here; 1.1.1.1 and 9.9.9.9 by default), one silent.
    slow, fast, silent = make_server("answer", delay_s=0.2), make_server("answer"), make_server("silent")
    outcome = asyncio.run(
        run_probe(
            DnsProbe,
            facts={"dns.resolvers": [slow.address]},
            args={"timeout_s": 0.5, "compare_servers": [fast.address, silent.address, slow.address]},
            config=NAMES_CONFIG,
        )
    )
    assert outcome.value("dns.public_fastest") == fast.address
    best = outcome.value("dns.public_best_ms")
    assert isinstance(best, float) and best < 150
    assert outcome.value("dns.public_latency_ms", f"resolver:{silent.address}") is None
    # the configured resolver is not timed twice, and only the public ones are public
    assert {o.subject for o in outcome.observations("dns.public_latency_ms")} == {
        f"resolver:{fast.address}",
        f"resolver:{silent.address}",
    }
    best_latency = outcome.value("dns.best_latency_ms")
    assert isinstance(best_latency, float) and best_latency >= 200
    # every answer of the slow server was slow: even the quickest (what loss alone cannot do)
    quickest = outcome.value("dns.fastest_answer_ms")
    assert isinstance(quickest, float) and 200 <= quickest <= best_latency
    # a public resolver gets the first name and the uncached names only
    assert not [q for q in fast.queries if q.startswith("hd-") and q.count(".") == 2]


def test_no_public_resolver_to_compare_means_no_public_facts(make_server: Callable[..., DnsServer]) -> None:
    outcome = _run(make_server("answer"))
    assert not outcome.observations("dns.public_best_ms")


def test_slow_uncached_answers_are_timed(make_server: Callable[..., DnsServer]) -> None:
    server = make_server("answer", delay_s=0.15)
    outcome = _run(server, timeout_s=1.0)
    latency = outcome.value("dns.latency_ms", f"resolver:{server.address}")
    assert isinstance(latency, float) and latency >= 150
    # the cached-path query (the configured name) is not slowed down and is not what is reported
    first = outcome.observations("dns.resolver_ok")[0]
    assert "example.com" in (first.evidence or "")


def test_a_name_without_address(make_server: Callable[..., DnsServer]) -> None:
    server = make_server("answer")
    config = parse_config("internet:\n  dns_names: [example.com, missing.example.org]\n")
    outcome = asyncio.run(
        run_probe(
            DnsProbe,
            facts={"dns.resolvers": [server.address]},
            args={"timeout_s": 0.3, "compare_servers": []},
            config=config,
        )
    )
    resolved = outcome.observations("dns.names_resolved")[0]
    assert resolved.value is False and "missing.example.org" in (resolved.evidence or "")
    assert outcome.value("dns.all_names_resolved") is False
