"""Router admin pages (recorded answers), Telnet on 127.0.0.1, the security summary, and net.peers."""

from __future__ import annotations

import asyncio
import socket

from homediag.core.baseline import Baseline
from homediag.core.http import HttpError
from homediag.core.io import TcpConnect
from homediag.core.model import Device, DeviceEvidence, DeviceKind, Observation, Report, RunContext
from homediag.core.probe import ProbeContext
from homediag.core.session import Session
from homediag.net.live import live_io
from homediag.probes.devices.admin_page import AdminPageProbe, page_title
from homediag.probes.devices.security_summary import SecuritySummaryProbe
from homediag.probes.devices.telnet import TelnetProbe, port_open
from homediag.probes.net import peers
from homediag.probes.net.peers import PeersProbe
from homediag.testing import ProbeOutcome, fake_io, http_response, run_probe
from homediag.testing.fakes import FakeTcp
from tests.probes.records import device_entry, print_queue

ROUTER = Device(id="gw", ip="192.0.2.1", kind=DeviceKind.ROUTER)
LOGIN = "<html><head><title>FRITZ!Box &amp; friends</title></head><form>Password</form></html>"


def admin(http: dict[str, object]) -> ProbeOutcome:
    return asyncio.run(run_probe(AdminPageProbe, facts={"discovery.devices": []}, target=ROUTER, http=http))  # type: ignore[arg-type]


def test_a_login_page_served_over_plain_http() -> None:
    outcome = admin(
        {
            "http://192.0.2.1/": http_response("http://192.0.2.1/", body=LOGIN, server="lab-httpd/1.0"),
            "https://192.0.2.1/": HttpError("connection refused"),
        }
    )
    assert outcome.value("admin.http", "device:gw") == "page"
    assert outcome.value("admin.title", "device:gw") == "FRITZ!Box & friends"
    assert outcome.value("admin.https", "device:gw") is False


def test_a_redirect_to_https_is_what_a_safe_admin_page_does() -> None:
    outcome = admin(
        {
            "http://192.0.2.1/": http_response(
                "http://192.0.2.1/", status=301, location="https://192.0.2.1/"
            ),
            "https://192.0.2.1/": http_response("https://192.0.2.1/", body=LOGIN),
        }
    )
    assert outcome.value("admin.http", "device:gw") == "redirect-https"
    assert outcome.value("admin.https", "device:gw") is True
    assert outcome.value("admin.title", "device:gw") == "FRITZ!Box & friends"


def test_a_same_host_http_redirect_to_a_login_page_is_plain_http() -> None:
    outcome = admin(
        {
            "http://192.0.2.1/": http_response("http://192.0.2.1/", status=302, location="/login.lua"),
            "http://192.0.2.1/login.lua": http_response("http://192.0.2.1/login.lua", body=LOGIN),
            "https://192.0.2.1/": TimeoutError("stalled"),
        }
    )
    assert outcome.value("admin.http", "device:gw") == "page"


def test_nothing_on_port_80() -> None:
    outcome = admin({"http://192.0.2.1/": TimeoutError("x"), "https://192.0.2.1/": TimeoutError("x")})
    assert outcome.value("admin.http", "device:gw") == "none"


def test_titles_are_cleaned_and_bounded() -> None:
    assert page_title(b"<TITLE>\n  Box\x1b[31m  <b>x</b></TITLE>") == "Box[31m <b>x</b>"
    assert page_title(b"<title>" + b"a" * 10_000) is None
    assert len(page_title(b"<title>" + b"a" * 500 + b"</title>") or "") == 120


def test_telnet_found_where_port_23_accepts_and_this_computer_is_not_tried() -> None:
    tcp = FakeTcp(open={("192.0.2.9", 23)}, refused={"192.0.2.10"})
    devices = [
        Device(id="a", ip="192.0.2.9"),
        Device(id="b", ip="192.0.2.10"),
        Device(id="c", ip="192.0.2.11"),
        Device(id="me", ip="192.0.2.3", evidence=(DeviceEvidence("x", "this computer"),)),
    ]
    outcome = asyncio.run(
        run_probe(TelnetProbe, facts={"discovery.devices": []}, devices=devices, io=fake_io(tcp=tcp))
    )
    assert outcome.value("security.telnet_open") == ["192.0.2.9"]  # refused and silent are not open
    assert outcome.value("security.telnet_checked") == 3
    assert sorted(tcp.connects) == [("192.0.2.10", 23), ("192.0.2.11", 23), ("192.0.2.9", 23)]


def test_a_listening_port_is_open_and_a_closed_one_is_not() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    port = listener.getsockname()[1]
    ctx = ProbeContext(TelnetProbe.spec, Session(), io=live_io())
    try:
        assert asyncio.run(port_open(ctx, "127.0.0.1", port, timeout_s=1.0)) is True
    finally:
        listener.close()
    assert asyncio.run(port_open(ctx, "127.0.0.1", port, timeout_s=1.0)) is False


def test_security_summary() -> None:
    observations = [
        Observation(
            fact="discovery.devices",
            value=[device_entry("gw", "192.0.2.1"), device_entry("mq", "192.0.2.16")],
            source="t",
        ),
        Observation(fact="admin.http", value="page", source="t", subject="device:gw"),
        Observation(fact="mqtt.anonymous", value=True, source="t", subject="device:mq", evidence="CONNACK 0"),
    ]
    outcome = asyncio.run(run_probe(SecuritySummaryProbe, facts=observations))
    assert outcome.value("security.admin_http") == ["192.0.2.1"]
    assert outcome.value("security.mqtt_anonymous") is True


def test_security_summary_without_a_broker_has_no_mqtt_verdict() -> None:
    outcome = asyncio.run(run_probe(SecuritySummaryProbe, facts={"discovery.devices": []}))
    assert outcome.value("security.mqtt_anonymous") is None
    assert outcome.value("security.admin_http") == []


# --- net.peers ----------------------------------------------------------------------------------

PEER_FACTS = {
    "interface.ipv4": ["192.0.2.20/24"],
    "interface.subnet": "192.0.2.0/24",
    "gateway.ipv4": "192.0.2.1",
    "discovery.devices": [],
    "names.reverse_dns": [
        {"ip": "192.0.2.1", "name": "fritz.box"},
        {"ip": "192.0.2.10", "name": "brother-hl-l2350dw.fritz.box"},
        {"ip": "192.0.2.11", "name": "living-room-tv.fritz.box"},
        {"ip": "192.0.2.12", "name": "annas-thinkpad.fritz.box"},
    ],
    "printer.queues": [print_queue("Old", "198.51.100.20")],
}


def run_peers(devices: list[Device], answering: set[str], **kwargs: object) -> ProbeOutcome:
    tcp = FakeTcp(refused=answering)  # a refusal is an answer: the host is there
    outcome = asyncio.run(
        run_probe(PeersProbe, facts=PEER_FACTS, devices=devices, io=fake_io(tcp=tcp), **kwargs)  # type: ignore[arg-type]
    )
    rechecked = {host for host, _port in tcp.connects}
    assert not rechecked & {d.ip for d in devices}  # what discovery saw is not asked again
    return outcome


def test_isolation_shows_as_named_devices_that_do_not_answer() -> None:
    outcome = run_peers([Device(id="gw", ip="192.0.2.1", addresses=("192.0.2.1",))], set())
    assert outcome.value("lan.known_peers") == 3  # the gateway does not count
    assert outcome.value("lan.peers_reachable") is False
    silent = outcome.value("lan.silent_peers")
    assert [(p["ip"], p["kind"]) for p in silent] == [  # type: ignore[index, union-attr]
        ("192.0.2.10", "printer"),
        ("192.0.2.11", "media"),
        ("192.0.2.12", "computer"),
    ]
    assert outcome.value("lan.outside_subnet") == [{"ip": "198.51.100.20", "from": ["print queue"]}]


def test_one_device_off_while_the_rest_answers() -> None:
    devices = [Device(id="pc", ip="192.0.2.12", addresses=("192.0.2.12",))]
    outcome = run_peers(devices, {"192.0.2.11"})
    assert outcome.value("lan.peers_reachable") is True and outcome.value("lan.peers_answering") == 2
    assert [p["ip"] for p in outcome.value("lan.silent_peers")] == ["192.0.2.10"]  # type: ignore[index, union-attr]


def test_a_silent_printer_alone_is_not_isolation() -> None:
    # bench: an unplugged printer, the only device the router names, was called client isolation.
    printer_only = [{"ip": "192.0.2.10", "name": "brother-hl-l2350dw.fritz.box"}]
    facts = {**PEER_FACTS, "names.reverse_dns": printer_only}
    outcome = asyncio.run(run_probe(PeersProbe, facts=facts, io=fake_io(tcp=FakeTcp())))  # type: ignore[arg-type]
    assert outcome.value("lan.peers_reachable") is None
    assert [p["ip"] for p in outcome.value("lan.silent_peers")] == ["192.0.2.10"]  # type: ignore[index, union-attr]


def test_a_silent_tv_does_not_make_the_answering_laptop_isolated() -> None:
    # The device a complaint is about (the TV of a cast complaint) is left out of the verdict.
    outcome = run_peers([], {"192.0.2.12"})
    assert outcome.value("lan.peers_reachable") is True


def test_nothing_answers_when_the_gateway_is_silent_too() -> None:
    outcome = asyncio.run(
        run_probe(PeersProbe, facts={**PEER_FACTS, "gateway.reachable": False}, io=fake_io(tcp=FakeTcp()))  # type: ignore[arg-type]
    )
    assert outcome.value("lan.peers_reachable") is None
    assert outcome.value("lan.peers_answering") == 0
    ev = outcome.observations("lan.peers_reachable")[0].evidence or ""
    assert "gateway" in ev


def test_a_device_discovery_missed_may_still_answer_a_connection() -> None:
    outcome = run_peers([], {"192.0.2.12"})
    assert outcome.value("lan.peers_answering") == 1 and outcome.value("lan.peers_reachable") is True


def test_baseline_devices_are_known_with_their_kind() -> None:
    baseline = Report(
        run_id="r",
        started_at="",
        finished_at="",
        complete=True,
        context=RunContext(platform="linux"),
        devices=(Device(id="printer-1", ip="192.0.2.40", kind=DeviceKind.PRINTER, names=("printer-1",)),),
    )
    outcome = run_peers([], set(), baseline=Baseline(baseline))
    entry = next(p for p in outcome.value("lan.silent_peers") if p["ip"] == "192.0.2.40")  # type: ignore[index, union-attr]
    assert entry["kind"] == "printer" and entry["from"] == ["baseline"]  # type: ignore[index]


def test_no_known_peer_is_no_data() -> None:
    tcp = FakeTcp()
    facts = {**PEER_FACTS, "names.reverse_dns": [], "printer.queues": None}
    outcome = asyncio.run(run_probe(PeersProbe, facts=facts, io=fake_io(tcp=tcp)))  # type: ignore[arg-type]
    assert outcome.value("lan.peers_reachable") is None and tcp.connects == []


def test_a_connection_whose_first_syn_was_lost_still_counts() -> None:
    # bench1.1/1.4 (lan-loss): a lost SYN is resent after 1 s; a re-check that gave each port 1 s
    # called a printer that was on silent, and the checkup found printer.offline beside the loss.
    class LossyTcp(FakeTcp):
        async def connect(self, host: str, port: int, timeout_s: float) -> TcpConnect:
            self.connects.append((host, port))
            if port == 80 and timeout_s > 1.2:
                await asyncio.sleep(1.2)  # the resent SYN is answered
                return TcpConnect(True, 1200.0)
            return TcpConnect(False, None, "no route to host")

    facts = {**PEER_FACTS, "names.reverse_dns": [{"ip": "192.0.2.12", "name": "annas-thinkpad.fritz.box"}]}
    outcome = asyncio.run(run_probe(PeersProbe, facts=facts, io=fake_io(tcp=LossyTcp())))  # type: ignore[arg-type]
    assert outcome.value("lan.peers_answering") == 1 and outcome.value("lan.peers_reachable") is True


def test_devices_answering_from_another_subnet_on_this_link() -> None:
    # On a rogue DHCP server's lease this computer sits in the rogue's subnet, while the home's devices
    # still announce their addresses by mDNS on the same link.
    devices = [
        Device(id="printer", ip="192.168.178.10", addresses=("192.168.178.10", "fe80::1")),
        Device(id="nas", ip="192.0.2.30", addresses=("192.0.2.30", "172.17.0.1")),  # a container bridge
        Device(id="ll", ip="169.254.7.7", addresses=("169.254.7.7",)),
    ]
    outcome = run_peers(devices, set())
    assert outcome.value("lan.foreign_subnet_devices") == ["192.168.178.10"]
    assert "192.168.178.10" in (outcome.observations("lan.foreign_subnet_devices")[0].evidence or "")
    assert run_peers(devices[1:], set()).value("lan.foreign_subnet_devices") == []


def test_a_refused_or_accepted_connection_counts_as_an_answer() -> None:
    # 127.0.0.1 either listens on port 80/443 or refuses: both mean a host is there.
    ctx = ProbeContext(PeersProbe.spec, Session(), io=live_io())
    assert asyncio.run(peers.answers(ctx, "127.0.0.1", timeout_s=1.0)) is True
