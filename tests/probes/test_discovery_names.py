"""discovery.names: PTR names from a resolver on 127.0.0.1, NetBIOS from a responder on 127.0.0.1,
dnsmasq leases from a recorded file, and which devices get names."""

from __future__ import annotations

import asyncio
import ipaddress
import struct

import dns.message
import dns.rrset

from homediag.core.io import Datagram, DnsAnswer
from homediag.core.model import Device
from homediag.core.probe import ProbeContext
from homediag.core.session import Session
from homediag.net.dns import reverse_lookup
from homediag.net.live import live_io
from homediag.net.netbios import NBSTAT, encode_name, netbios_names
from homediag.probes.discovery.names import NamesProbe, host_label
from homediag.testing import RecordedSystem, fake_io, run_probe
from homediag.testing.fakes import FakeDns, FakeUdp
from tests.support import udp_server

LOCAL = ipaddress.IPv4Address("127.0.0.1")


def live() -> ProbeContext:
    """A context with the live network (the servers of these tests listen on 127.0.0.1)."""
    return ProbeContext(NamesProbe.spec, Session(), io=live_io())


def ptr_answer(data: bytes) -> list[bytes]:
    query = dns.message.from_wire(data)
    response = dns.message.make_response(query)
    name = query.question[0].name
    if name.to_text().startswith("1.0.0.127."):
        response.answer.append(dns.rrset.from_text(name, 60, "IN", "PTR", "Annas-iPhone.fritz.box."))
    return [response.to_wire()]


def test_reverse_dns_names_addresses_the_resolver_knows() -> None:
    with udp_server(ptr_answer) as port:
        found = asyncio.run(
            reverse_lookup(
                live(), [LOCAL, ipaddress.IPv4Address("127.0.0.2")], "127.0.0.1", timeout_s=1.0, port=port
            )
        )
    assert found == {LOCAL: "Annas-iPhone.fritz.box"}
    assert host_label("Annas-iPhone.fritz.box.") == "Annas-iPhone"


def nbstat_answer(data: bytes) -> list[bytes]:
    tid = data[:2]
    rdata = (
        b"\x02"
        + b"OFFICE-PC".ljust(15, b" ")
        + b"\x00\x04\x00"
        + b"WORKGROUP".ljust(15, b" ")
        + b"\x00\x84\x00"
    )
    rdata += bytes(6)
    head = tid + struct.pack("!HHHHH", 0x8400, 0, 1, 0, 0)
    wrong_id = bytes([tid[0] ^ 0xFF, tid[1]]) + head[2:]
    record = encode_name("*") + struct.pack("!HHIH", NBSTAT, 1, 0, len(rdata)) + rdata
    return [b"\xff" * 30, wrong_id + record, head + record]  # garbage and a spoofed id are ignored


def test_netbios_names_come_from_matching_answers_only() -> None:
    with udp_server(nbstat_answer) as port:
        found = asyncio.run(netbios_names(live(), [LOCAL], listen_s=0.8, port=port))
    assert found == {LOCAL: "OFFICE-PC"}


FACTS = {
    "interface.ipv4": ["192.0.2.2/24"],
    "interface.subnet": "192.0.2.0/24",
    "dns.resolvers": ["192.0.2.1"],
    "arp.hosts": [],
}
LEASES = (
    "1705374765 00:00:5e:00:53:30 192.0.2.30 kitchen-tablet *\n0 00:00:5e:00:53:31 198.51.100.31 away *\n"
)


def nas_answers(data: bytes, host: str, port: int) -> list[Datagram]:
    """192.0.2.12 answers NetBIOS node status as OFFICE-PC would (after garbage and a spoofed id)."""
    if host != "192.0.2.12" or port != 137:
        return []
    answers = nbstat_answer(data)
    return [Datagram(answer.replace(b"OFFICE-PC", b"NAS01    "), host, port) for answer in answers]


def ptr(address: str) -> tuple[str, str]:
    return ipaddress.IPv4Address(address).reverse_pointer + ".", "PTR"


def test_names_join_answering_devices_and_the_whole_subnet_is_asked_of_a_local_resolver() -> None:
    dns = FakeDns(
        {
            ptr("192.0.2.10"): ["brother-hl.fritz.box."],
            ptr("192.0.2.99"): ["silent-tv.fritz.box."],
        },
        missing=dns_nxdomain(),
    )
    udp = FakeUdp(nas_answers)
    devices = [Device(id=str(i), ip=f"192.0.2.{i}", addresses=(f"192.0.2.{i}",)) for i in (10, 12, 30)]
    outcome = asyncio.run(
        run_probe(
            NamesProbe,
            facts=FACTS,  # type: ignore[arg-type]
            devices=devices,
            system=RecordedSystem(files={"/var/lib/misc/dnsmasq.leases": LEASES}),
            io=fake_io(dns=dns, udp=udp),
        )
    )
    assert len(dns.queries) == 253, "every address but ours"
    assert {server for server, _name, _type, _tcp in dns.queries} == {"192.0.2.1"}, "asked of the router"
    assert {host for _data, host, _port in udp.sent} == {"192.0.2.30"} | {"192.0.2.12"}, "the unnamed only"
    assert [r["name"] for r in outcome.value("names.reverse_dns")] == [
        "brother-hl.fritz.box",
        "silent-tv.fritz.box",
    ]  # type: ignore[index, union-attr]
    assert outcome.value("names.netbios") == [{"ip": "192.0.2.12", "name": "NAS01"}]
    assert outcome.value("names.dhcp_leases") == [
        {"ip": "192.0.2.30", "mac": "00:00:5e:00:53:30", "name": "kitchen-tablet"}
    ]
    named = {d.ip: d.names for d in outcome.result.devices}
    assert named == {
        "192.0.2.10": ("brother-hl",),
        "192.0.2.12": ("NAS01",),
        "192.0.2.30": ("kitchen-tablet",),
    }
    # a name without an answering device makes no device (net.peers asks about it)


def test_a_resolver_outside_the_subnet_is_asked_about_answering_devices_only() -> None:
    dns = FakeDns(missing=dns_nxdomain())
    devices = [Device(id="a", ip="192.0.2.10", addresses=("192.0.2.10",))]
    asyncio.run(
        run_probe(
            NamesProbe,
            facts={**FACTS, "dns.resolvers": ["198.51.100.53"]},  # type: ignore[arg-type]
            devices=devices,
            io=fake_io(dns=dns, udp=FakeUdp()),
        )
    )
    assert [(server, name) for server, name, _type, _tcp in dns.queries] == [
        ("198.51.100.53", "10.2.0.192.in-addr.arpa.")
    ]


def dns_nxdomain() -> DnsAnswer:
    return DnsAnswer("NXDOMAIN", (), 1.0)
