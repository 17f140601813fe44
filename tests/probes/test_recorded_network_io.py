"""Probes replayed from recordings of their whole network I/O, made in the lab with
``tests/probe_runner.py``'s record mode (addresses rewritten to 192.0.2.0/24, MACs to 00:00:5e:00:53:xx):
dnsmasq as the resolver of net.dns, and as the PTR source of discovery.names with a NetBIOS query that
nobody answered. Also: a recording of the lab's I/O is rewritten and read back as it was written."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pytest

from homediag.core.io import DnsAnswer, Exchange, Heard, Send
from homediag.core.model import Device, Outcome
from homediag.probes.discovery.names import NamesProbe
from homediag.probes.net.dns import DnsProbe
from homediag.testing import UnrecordedIO, run_probe
from homediag.testing.fakes import FakeDns, FakeL2
from homediag.testing.recording import Recording, from_json, load, rewrite
from homediag.testing.replay import Replay, encode, recording_io, replay_io

RECORDINGS = Path(__file__).parent / "recordings"


def test_net_dns_replays_the_lab_resolver() -> None:
    recording = load(RECORDINGS / "net.dns" / "dnsmasq.json")
    # recorded before net.dns timed public resolvers beside the configured one: none asked here
    outcome = asyncio.run(run_probe(DnsProbe, recording=recording, args={"compare_servers": []}))
    assert outcome.result.outcome is Outcome.OK, outcome.result.reason
    subject = "resolver:192.0.2.1"
    assert outcome.value("dns.resolver_ok", subject) is True
    assert outcome.value("dns.fake_answer", subject) is False  # dnsmasq says NXDOMAIN for made-up names
    assert outcome.value("dns.udp_fails_tcp_works") is False
    assert outcome.value("dns.latency_ms", subject) is not None
    assert outcome.unused_io == (), "the probe asked exactly what the lab answered"


def test_another_seed_asks_names_the_recording_never_saw() -> None:
    recording = load(RECORDINGS / "net.dns" / "dnsmasq.json")
    assert recording.seed is not None
    outcome = asyncio.run(run_probe(DnsProbe, recording=recording, seed=recording.seed + 1))
    assert outcome.result.outcome is Outcome.ERROR
    assert "not recorded" in (outcome.result.reason or "")


def test_discovery_names_replays_ptr_names_and_a_silent_netbios() -> None:
    recording = load(RECORDINGS / "discovery.names" / "dnsmasq.json")
    # a recording keeps facts, not the devices discovery saw: the router answered ARP in the lab
    router = Device(id="gw", ip="192.0.2.1", addresses=("192.0.2.1",))
    outcome = asyncio.run(run_probe(NamesProbe, recording=recording, devices=[router]))
    assert outcome.result.outcome is Outcome.OK, outcome.result.reason
    names = {entry["ip"]: entry["name"] for entry in outcome.value("names.reverse_dns")}  # type: ignore[union-attr, index]
    assert names["192.0.2.10"] == "brother-hl-l2350dw.fritz.box"
    assert names["192.0.2.12"] == "diskstation.fritz.box"
    assert outcome.value("names.netbios") == []
    assert outcome.unused_io == ()


def test_a_recording_rewrites_packed_addresses_and_macs_and_reads_back() -> None:
    us, router = bytes.fromhex("a0369f770014"), bytes([10, 77, 0, 1])
    frame = b"\xff" * 6 + us + b"\x08\x06" + router + b"\x00\x01"

    class Lab:
        def exchange(self, iface: str, sends: object, listen_s: float, keep: object, **_: object) -> Exchange:
            return Exchange(heard=(Heard(0.01, frame),), sent=1, seen=1, truncated=False)

    class Resolver(FakeDns):
        async def query(self, server: str, name: str, rdtype: str, **kwargs: object) -> DnsAnswer:
            return DnsAnswer("NOERROR", ("host.fritz.box.",), 2.0)

    entries: list[dict[str, object]] = []
    lab = dataclasses.replace(replay_io(Replay([])), l2=FakeL2(Lab().exchange), dns=Resolver())
    io = recording_io(lab, entries)  # type: ignore[arg-type]
    io.l2.exchange("eth0", [Send(0.0, frame)], 0.1, lambda _f: True)
    asyncio.run(io.dns.query("10.77.0.1", "1.0.77.10.in-addr.arpa.", "PTR", timeout_s=1.0))
    recording = Recording(probe="net.arp_conflict", seed=7, io=entries)  # type: ignore[arg-type]
    clean = rewrite(recording, {"10.77.0.1": "192.0.2.1", "a0:36:9f:77:00:14": "00:00:5e:00:53:14"})
    text = str(clean.to_json())
    assert "10.77" not in text and "a0369f" not in text and "a0:36:9f" not in text
    replayed = replay_io(Replay(from_json(clean.to_json()).io))
    heard = replayed.l2.exchange("eth0", [Send(0.0, b"x")], 0.1, lambda _f: True).heard
    documented = bytes.fromhex("00005e005314") + b"\x08\x06" + bytes([192, 0, 2, 1])
    assert heard[0].frame == b"\xff" * 6 + documented + b"\x00\x01"
    answer = asyncio.run(replayed.dns.query("192.0.2.1", "1.2.0.192.in-addr.arpa.", "PTR", timeout_s=1.0))
    assert answer.records == ("host.fritz.box.",)
    with pytest.raises(UnrecordedIO):
        asyncio.run(replayed.dns.query("192.0.2.1", "1.2.0.192.in-addr.arpa.", "PTR", timeout_s=1.0))
    assert encode(b"M-SEARCH * HTTP/1.1\r\n") == {"text": "M-SEARCH * HTTP/1.1\r\n"}
