"""discovery.mdns (what it keeps of zeroconf's answers, and its caps) and discovery.unicast (legacy
unicast DNS-SD against a responder on 127.0.0.1, malformed answers, the multicast gap). The live mDNS
browse runs in the lab (tests/lab)."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress

from homediag.core.io import Datagram
from homediag.core.model import Device, DeviceEvidence, Outcome
from homediag.core.probe import ProbeContext
from homediag.core.session import Session
from homediag.net.dnssd import DnssdAnswer, build_query, dnssd_unicast, read_answer
from homediag.net.live import live_io
from homediag.net.mdns import (
    MAX_SERVICES_PER_ADDRESS,
    MAX_TXT_PER_ADDRESS,
    Instance,
    decode_txt,
    instance_label,
    is_service_type,
    model_of,
    sightings,
)
from homediag.probes.discovery.mdns import MdnsDiscoveryProbe
from homediag.probes.discovery.unicast import UnicastDiscoveryProbe
from homediag.testing import fake_io, run_probe
from homediag.testing.fakes import FakeUdp
from tests.support import udp_server

LOCAL = ipaddress.IPv4Address("127.0.0.1")


def live() -> ProbeContext:
    """A context with the live network (the responders of these tests listen on 127.0.0.1)."""
    return ProbeContext(UnicastDiscoveryProbe.spec, Session(), io=live_io())


def test_instance_labels_and_types() -> None:
    assert instance_label("Brother HL._ipp._tcp.local.", "_ipp._tcp.local.") == "Brother HL"
    assert instance_label("odd\x1bname._ipp._tcp.local.", "_ipp._tcp.local.") == "oddname"
    assert is_service_type("_googlecast._tcp.local.")
    assert not is_service_type("_googlecast._tcp.example.")
    assert not is_service_type("x" * 300)


def test_txt_is_decoded_cleaned_and_cut() -> None:
    txt = decode_txt({b"md": b"Chromecast", b"fn": b"TV\x00\x1b[31m", b"big": b"x" * 1000, b"MD": b"dup"})
    assert txt["md"] == "Chromecast" and txt["fn"] == "TV[31m" and len(txt["big"]) == 255
    assert model_of({"ty": "Brother HL-L2350DW"}) == "Brother HL-L2350DW"


def test_sightings_cap_services_and_txt_per_address() -> None:
    many = [
        Instance(f"_t{i}._tcp", f"n{i}", ("192.0.2.7",), 80, "h.local.", {"k": "v" * 200}) for i in range(100)
    ]
    [device], capped = sightings(many)
    assert capped
    assert len(device.services) == MAX_SERVICES_PER_ADDRESS
    assert sum(len(k) + len(v) + 2 for s in device.services for k, v in s.txt.items()) <= MAX_TXT_PER_ADDRESS
    assert device.ip == "192.0.2.7" and "h" in device.names


def test_the_mdns_probe_does_not_browse_loopback() -> None:
    outcome = asyncio.run(
        run_probe(
            MdnsDiscoveryProbe, facts={"interface.ipv4": ["127.0.0.1/8"], "interface.subnet": "127.0.0.0/8"}
        )
    )
    assert outcome.result.outcome is Outcome.NOT_APPLICABLE


# --- legacy unicast DNS-SD ----------------------------------------------------------------------


def dnssd_response(
    query: bytes,
    service_type: str = "_ipp._tcp.local.",
    instance: str = "Office Printer",
    port: int = 631,
    txt: bytes = b"\x0crp=ipp/print\x0fty=Example LX-1",
) -> bytes:
    """What a responder answers to a legacy unicast query: types, or an instance with SRV and TXT."""
    from zeroconf import DNSIncoming, DNSOutgoing, DNSPointer, DNSService, DNSText

    incoming = DNSIncoming(query)
    out = DNSOutgoing(0x8400, False, incoming.id)
    for question in incoming.questions:
        if question.name == "_services._dns-sd._udp.local.":
            out.add_answer_at_time(DNSPointer(question.name, 12, 1, 120, service_type), 0)
        elif question.name == service_type:
            full = f"{instance}.{service_type}"
            out.add_answer_at_time(DNSPointer(question.name, 12, 1, 120, full), 0)
            out.add_answer_at_time(DNSService(full, 33, 1, 120, 0, 0, port, "office.local."), 0)
            out.add_answer_at_time(DNSText(full, 16, 1, 120, txt), 0)
    return bytes(out.packets()[0])


def responder(mode: str = "answer") -> contextlib.AbstractContextManager[int]:
    """A DNS-SD responder on 127.0.0.1 answering legacy unicast queries (or hostile bytes)."""

    def answer(data: bytes) -> list[bytes]:
        if mode == "answer":
            return [dnssd_response(data)]
        if mode == "garbage":
            return [b"\x00\x00\x84\x00\x00\x00\x00\x01\xc0\x0c" + b"\xff" * 20, b"\xc0" * 9001]
        return []

    return udp_server(answer)


def test_build_query_is_a_legacy_unicast_ptr_question() -> None:
    from zeroconf import DNSIncoming

    parsed = DNSIncoming(build_query(["_ipp._tcp.local."], 4242))
    assert parsed.valid and parsed.id == 4242 and parsed.is_query()
    assert [q.name for q in parsed.questions] == ["_ipp._tcp.local."]


def test_a_unicast_dnssd_device_tells_its_types_and_instances() -> None:
    with responder() as port:
        answers = asyncio.run(dnssd_unicast(live(), [LOCAL], listen_s=0.8, port=port))
    answer = answers[LOCAL]
    assert answer.types == ["_ipp._tcp.local."]
    [service] = answer.services.values()
    assert (service.type, service.port, service.name) == ("_ipp._tcp", 631, "Office Printer")
    assert service.txt == {"rp": "ipp/print", "ty": "Example LX-1"}
    assert "office" in answer.names


def test_malformed_unicast_answers_are_dropped() -> None:
    with responder("garbage") as port:
        answers = asyncio.run(dnssd_unicast(live(), [LOCAL], listen_s=0.5, port=port))
    assert answers == {}
    assert read_answer(b"\xc0" * 12, DnssdAnswer()) is False


def test_silence_ends_at_the_listen_time() -> None:
    with responder("silent") as port:

        async def go() -> tuple[dict[ipaddress.IPv4Address, DnssdAnswer], float]:
            loop = asyncio.get_running_loop()
            started = loop.time()
            found = await dnssd_unicast(live(), [LOCAL], listen_s=0.3, port=port)
            return found, loop.time() - started

        found, elapsed = asyncio.run(go())
    assert found == {} and elapsed < 1.0


UNICAST_FACTS = {
    "interface.ipv4": ["192.0.2.2/24"],
    "interface.subnet": "192.0.2.0/24",
    "gateway.ipv4": "192.0.2.1",
    "arp.hosts": [],
    "mdns.responders": 1,
    "ssdp.responders": 1,
}


def a_cast_device(data: bytes, host: str, port: int) -> list[Datagram]:
    """192.0.2.11 answers legacy unicast DNS-SD as a Chromecast, and so does the printer 192.0.2.10
    (which the mDNS browse heard); nobody answers SSDP."""
    if host not in ("192.0.2.10", "192.0.2.11") or port != 5353:
        return []
    answer = dnssd_response(data, "_googlecast._tcp.local.", "TV", 8009, b"\x0dmd=Chromecast")
    return [Datagram(answer, host, port)]


def test_devices_multicast_missed_are_asked_and_the_gap_counted() -> None:
    udp = FakeUdp(a_cast_device)
    devices = [
        Device(
            id="g",
            ip="192.0.2.1",
            sources=("discovery.arp", "discovery.ssdp"),
            evidence=(DeviceEvidence("a", "default gateway"),),
        ),
        Device(id="p", ip="192.0.2.10", sources=("discovery.arp", "discovery.mdns")),
        Device(id="t", ip="192.0.2.11", sources=("discovery.arp",)),
        Device(id="h", ip="192.0.2.30", sources=("discovery.arp", "discovery.names")),
        Device(
            id="me",
            ip="192.0.2.2",
            sources=("discovery.arp",),
            evidence=(DeviceEvidence("a", "this computer"),),
        ),
    ]
    outcome = asyncio.run(
        run_probe(
            UnicastDiscoveryProbe,
            facts=UNICAST_FACTS,  # type: ignore[arg-type]
            devices=devices,
            io=fake_io(udp=udp),
            args={"listen_s": 0.3},
        )
    )
    for port in (5353, 1900):  # DNS-SD and SSDP
        asked = sorted({host for _data, host, to in udp.sent if to == port})
        # every device but us, asked before the browse and the search end (they run beside it) ...
        assert asked == ["192.0.2.1", "192.0.2.10", "192.0.2.11", "192.0.2.30"]
    # ... but only what multicast did not show counts: the printer's answer is not a gap
    assert outcome.value("lan.multicast_gap") == 1
    assert outcome.value("lan.unicast_answers") == [{"ip": "192.0.2.11", "via": ["mdns"]}]
    assert outcome.value("lan.multicast_heard") == 1  # the printer; the gateway does not count
    [tv] = outcome.result.devices
    assert tv.ip == "192.0.2.11" and tv.services[0].type == "_googlecast._tcp" and tv.model == "Chromecast"


def test_an_address_multicast_heard_is_no_gap_when_a_second_mac_answers_for_it() -> None:
    """An address conflict: the printer 192.0.2.10 was heard by mDNS, and a second device (another MAC)
    answers ARP for the same address. The unicast answer from that address is the printer's, not a
    device multicast missed (the bench's lan-ip-conflict homes said 'multicast blocked')."""
    udp = FakeUdp(a_cast_device)
    devices = [
        Device(id="p", ip="192.0.2.10", sources=("discovery.arp", "discovery.mdns")),
        Device(id="p2", ip="192.0.2.10", sources=("discovery.arp",)),
        Device(
            id="me",
            ip="192.0.2.2",
            sources=("discovery.arp",),
            evidence=(DeviceEvidence("a", "this computer"),),
        ),
    ]
    outcome = asyncio.run(
        run_probe(
            UnicastDiscoveryProbe,
            facts=UNICAST_FACTS,  # type: ignore[arg-type]
            devices=devices,
            io=fake_io(udp=udp),
            args={"listen_s": 0.3},
        )
    )
    assert outcome.value("lan.multicast_gap") == 0
    assert outcome.value("lan.unicast_answers") == []
