"""The LAN-side probes against real daemons in throwaway namespaces: dnsmasq (one server, a rogue second one,
none), a duplicate address, miniupnpd and small hostile SSDP devices.

The probes run inside the client namespace through the real runner (``run_probes.py``), with
``net.interfaces`` reading the namespace's own interface; packets are captured on the router's bridge to
assert what was sent. Nothing touches the root namespace.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

from homediag.probes.net.dhcp import probe_client_mac
from tests.netns import Topology, observed, require_binary

CLIENT_MAC = "02:00:5e:00:53:0a"
RESPONDER = Path(__file__).with_name("upnp_responder.py")
FAST_SSDP = {"probes": {"discovery.ssdp": {"mx": 1}}}


def start_dnsmasq(
    lan: Topology,
    namespace: str,
    interface: str,
    first: str,
    last: str,
    tmp: Path,
    *,
    dns: bool = True,
    router: str = "192.0.2.1",
    extra: tuple[str, ...] = (),
) -> None:
    dnsmasq = require_binary("dnsmasq")
    name = f"{namespace}-{interface}"
    argv = [
        dnsmasq,
        "--no-daemon",
        "--conf-file=/dev/null",
        "--port=0",
        f"--interface={interface}",
        "--bind-interfaces",
        f"--dhcp-range={first},{last},255.255.255.0,1h",
        f"--dhcp-option=option:router,{router}",
        "--dhcp-option=option:dns-server,192.0.2.1" if dns else "--dhcp-option=6",
        *extra,
        "--domain=lan",
        "--user=root",
        "--group=root",
        f"--dhcp-leasefile={tmp / (name + '.leases')}",
        f"--pid-file={tmp / (name + '.pid')}",
        "--log-facility=-",
        "--log-dhcp",
    ]
    lan.spawn(namespace, argv, log=tmp / f"{name}.log")
    lan.wait_for_port(namespace, 67, udp=True)


def dhcp_messages(pcap: Path) -> list[tuple[str, str]]:
    """(message type, client MAC) of every DHCP message in a capture."""
    from scapy.layers.dhcp import BOOTP, DHCP, DHCPTypes
    from scapy.utils import rdpcap

    found = []
    for packet in rdpcap(str(pcap)):
        if packet.haslayer(DHCP):
            kind = dict(o for o in packet[DHCP].options if isinstance(o, tuple)).get("message-type")
            chaddr = bytes(packet[BOOTP].chaddr[:6]).hex(":")
            found.append((DHCPTypes.get(kind, str(kind)), chaddr))
    return found


# --- DHCP ---------------------------------------------------------------------------------------------


def test_dhcp_one_server_offers_its_options_to_a_fixed_client_mac(lan: Topology, tmp_path: Path) -> None:
    router = lan.ns("router")
    start_dnsmasq(lan, router, "br0", "192.0.2.100", "192.0.2.150", tmp_path)
    capture = lan.capture(router, "br0", "udp port 67 or udp port 68", tmp_path / "dhcp.pcap")
    results = lan.run_probes(lan.ns("client"), ["net.dhcp"])
    lan.stop(capture)
    dhcp = results["net.dhcp"]
    assert dhcp["outcome"] == "ok", dhcp
    assert observed(dhcp, "dhcp.server_count") == 1
    assert observed(dhcp, "dhcp.servers") == ["192.0.2.1"]
    [offer] = observed(dhcp, "dhcp.offers")  # type: ignore[misc]
    assert offer["routers"] == ["192.0.2.1"] and offer["dns_servers"] == ["192.0.2.1"]
    assert offer["lease_s"] == 3600 and offer["domain"] == "lan"
    assert offer["server_mac"] == "02:00:5e:00:53:01"
    assert offer["offered"].startswith("192.0.2.1")
    assert observed(dhcp, "dhcp.offers_dns") is True
    fixed = probe_client_mac(CLIENT_MAC, "eth0")
    sent = [m for m in dhcp_messages(tmp_path / "dhcp.pcap") if m[1] == fixed]
    discovers = [m for m in sent if m[0] == "discover"]
    assert 1 <= len(discovers) <= 4, "at most the DISCOVER and its three retransmissions"
    assert [m for m in sent if m[0] not in ("discover", "offer")] == [], "never a REQUEST or RELEASE"
    assert ("offer", fixed) in sent


def test_dhcp_rogue_second_server_without_dns_option_is_listed(lan: Topology, tmp_path: Path) -> None:
    router = lan.ns("router")
    rogue = lan.add_host("rogue", "192.0.2.2/24", "02:00:5e:00:53:02")
    start_dnsmasq(lan, router, "br0", "192.0.2.100", "192.0.2.150", tmp_path)
    start_dnsmasq(lan, rogue, "eth0", "192.0.2.200", "192.0.2.220", tmp_path, dns=False)
    dhcp = lan.run_probes(lan.ns("client"), ["net.dhcp"])["net.dhcp"]
    assert observed(dhcp, "dhcp.server_count") == 2, dhcp
    assert observed(dhcp, "dhcp.servers") == ["192.0.2.1", "192.0.2.2"]
    offers = {o["server"]: o for o in observed(dhcp, "dhcp.offers")}  # type: ignore[union-attr]
    assert offers["192.0.2.2"]["has_dns_option"] is False
    assert offers["192.0.2.2"]["offered"].startswith("192.0.2.2")
    assert offers["192.0.2.2"]["server_mac"] == "02:00:5e:00:53:02"
    assert observed(dhcp, "dhcp.offers_dns") is False


def test_dhcp_without_a_server_retransmits_with_backoff_and_reports_none(
    lan: Topology, tmp_path: Path
) -> None:
    capture = lan.capture(lan.ns("router"), "br0", "udp port 67 or udp port 68", tmp_path / "none.pcap")
    dhcp = lan.run_probes(lan.ns("client"), ["net.dhcp"])["net.dhcp"]
    lan.stop(capture)
    assert dhcp["outcome"] == "ok"
    assert observed(dhcp, "dhcp.server_count") == 0
    assert observed(dhcp, "dhcp.offers_dns") is None
    assert observed(dhcp, "dhcp.offers_match_lan") is None
    assert float(dhcp["duration_s"]) >= 5.9, "it listened up to the total deadline"  # type: ignore[arg-type]
    assert [m[0] for m in dhcp_messages(tmp_path / "none.pcap")] == ["discover"] * 4


def test_dhcp_a_slow_router_is_heard_beside_a_fast_rogue_that_hands_out_another_router(
    lan: Topology, tmp_path: Path
) -> None:
    """The router answers each DISCOVER after 1.5 s (``dhcp-reply-delay``, a busy router) and pings the
    address before offering it; a travel router answers at once and names itself as the router. Both
    are listed, and the rogue's offer does not fit the network the computer uses."""
    router = lan.ns("router")
    rogue = lan.add_host("rogue", "192.0.2.3/24", "02:00:5e:00:53:03")
    start_dnsmasq(
        lan, router, "br0", "192.0.2.100", "192.0.2.150", tmp_path, extra=("--dhcp-reply-delay=1",)
    )
    start_dnsmasq(
        lan, rogue, "eth0", "192.0.2.200", "192.0.2.220", tmp_path, router="192.0.2.3", extra=("--no-ping",)
    )
    dhcp = lan.run_probes(lan.ns("client"), ["net.dhcp"])["net.dhcp"]
    assert observed(dhcp, "dhcp.servers") == ["192.0.2.1", "192.0.2.3"], dhcp
    assert observed(dhcp, "dhcp.offers_match_lan") is False
    assert observed(dhcp, "dhcp.foreign_servers") == ["192.0.2.3"]
    offers = {o["server"]: o for o in observed(dhcp, "dhcp.offers")}  # type: ignore[union-attr]
    assert offers["192.0.2.3"]["routers"] == ["192.0.2.3"]
    assert observed(dhcp, "dhcp.first_offer_ms") < 1000.0  # type: ignore[operator]


def test_dhcp_one_server_ends_after_the_quiet_period_not_the_deadline(lan: Topology, tmp_path: Path) -> None:
    start_dnsmasq(lan, lan.ns("router"), "br0", "192.0.2.100", "192.0.2.150", tmp_path, extra=("--no-ping",))
    dhcp = lan.run_probes(lan.ns("client"), ["net.dhcp"])["net.dhcp"]
    assert observed(dhcp, "dhcp.server_count") == 1, dhcp
    assert observed(dhcp, "dhcp.offers_match_lan") is True
    assert observed(dhcp, "dhcp.foreign_servers") == []
    # the offer came at once; its repeats (answers to the retransmission) do not count as news
    assert float(dhcp["duration_s"]) < 5.0, dhcp["duration_s"]  # type: ignore[arg-type]


# --- address conflicts ----------------------------------------------------------------------------------


def test_arp_no_conflict_and_one_gateway_mac(lan: Topology) -> None:
    arp = lan.run_probes(lan.ns("client"), ["net.arp_conflict"])["net.arp_conflict"]
    assert arp["outcome"] == "ok", arp
    assert observed(arp, "ip.conflict") is False
    assert observed(arp, "gateway.arp_macs") == ["02:00:5e:00:53:01"]
    assert observed(arp, "gateway.arp_mac_count") == 1


def test_arp_conflict_names_the_other_mac_and_takes_nothing_away(lan: Topology) -> None:
    lan.add_host("twin", "192.0.2.10/24", "02:00:5e:00:53:66")
    arp = lan.run_probes(lan.ns("client"), ["net.arp_conflict"])["net.arp_conflict"]
    assert observed(arp, "ip.conflict") is True, arp
    assert observed(arp, "ip.conflict_macs") == ["02:00:5e:00:53:66"]
    assert observed(arp, "gateway.arp_mac_count") == 1
    neighbours = lan.run(lan.ns("router"), ["ip", "neigh", "show"], check=False).stdout
    assert CLIENT_MAC not in neighbours, "the probes must not make the router map the address to us"


def test_without_privilege_both_packet_probes_are_not_permitted(lan: Topology) -> None:
    results = lan.run_probes(lan.ns("client"), ["net.dhcp", "net.arp_conflict"], privileged=False)
    assert results["net.dhcp"]["outcome"] == "not_permitted"
    assert results["net.arp_conflict"]["outcome"] == "not_permitted"
    assert "neighbour table" in str(results["net.arp_conflict"]["reason"])


# --- SSDP, UPnP IGD and NAT -----------------------------------------------------------------------------


def add_wan(lan: Topology, address: str) -> None:
    """A WAN link on the router (to nowhere: no namespace behind it)."""
    router = lan.ns("router")
    lan.ip("-n", router, "link", "add", "wan0", "type", "veth", "peer", "name", "wan1")
    lan.ip("-n", router, "addr", "add", address, "dev", "wan0")
    lan.ip("-n", router, "link", "set", "wan0", "up")
    lan.ip("-n", router, "link", "set", "wan1", "up")


def responder(lan: Topology, namespace: str, address: str, *args: str, port: int = 49000) -> None:
    lan.spawn(namespace, [sys.executable, str(RESPONDER), "--address", address, "--port", str(port), *args])
    lan.wait_for_port(namespace, port)
    if "--http-only" not in args:
        lan.wait_for_port(namespace, 1900, udp=True)


def test_real_miniupnpd_is_found_and_reports_no_external_address(lan: Topology, tmp_path: Path) -> None:
    miniupnpd = require_binary("miniupnpd")
    add_wan(lan, "198.51.100.2/24")
    conf = tmp_path / "miniupnpd.conf"
    conf.write_text(
        "ext_ifname=wan0\nlistening_ip=br0\nhttp_port=5000\nenable_natpmp=no\nenable_upnp=yes\n"
        "secure_mode=yes\nsystem_uptime=yes\nuuid=00000000-0000-4000-8000-000000000001\n"
        "friendly_name=Lab router\nallow 1024-65535 192.0.2.0/24 1024-65535\n"
        "deny 0-65535 0.0.0.0/0 0-65535\n"
    )
    lan.spawn(lan.ns("router"), [miniupnpd, "-d", "-f", str(conf)], log=tmp_path / "miniupnpd.log")
    lan.wait_for_port(lan.ns("router"), 5000)
    results = lan.run_probes(
        lan.ns("client"), ["net.nat"], config={**FAST_SSDP, "internet": {"public_ip_urls": []}}
    )
    ssdp, nat = results["discovery.ssdp"], results["net.nat"]
    assert observed(ssdp, "upnp.igd_present") is True, ssdp
    assert observed(ssdp, "upnp.igd_address") == "192.0.2.1"
    assert observed(ssdp, "upnp.igd_wan_services") == [
        {
            "service_type": "urn:schemas-upnp-org:service:WANIPConnection:2",
            "control_url": "http://192.0.2.1:5000/ctl/IPConn",
        }
    ]
    [router] = ssdp["devices"]  # type: ignore[misc]
    assert router["kind"] == "router" and router["names"] == ["Lab router"] and router["ip"] == "192.0.2.1"
    # miniupnpd 2.3 does not report a documentation-range WAN address as external
    assert observed(nat, "nat.wan_class") == "none", nat
    assert observed(nat, "nat.wan_address") is None


@pytest.mark.parametrize(
    ("external", "wan_class", "private", "equal"),
    [
        pytest.param("203.0.113.7", "public", False, True, id="plain-nat"),
        pytest.param("192.168.178.20", "private", True, False, id="double-nat"),
        pytest.param("100.64.3.4", "cgnat", False, False, id="cgnat"),
    ],
)
def test_nat_classes_through_an_igd(
    lan: Topology, external: str, wan_class: str, private: bool, equal: bool
) -> None:
    router = lan.ns("router")
    responder(lan, router, "192.0.2.1", "--external-ip", external)
    responder(
        lan, router, "192.0.2.1", "--http-only", "--body", "public", "--public-ip", "203.0.113.7", port=8080
    )
    config = {**FAST_SSDP, "internet": {"public_ip_urls": ["http://192.0.2.1:8080/ip"]}}
    results = lan.run_probes(lan.ns("client"), ["net.nat"], config=config)
    nat = results["net.nat"]
    assert nat["outcome"] == "ok", nat
    assert observed(nat, "nat.wan_address") == external
    assert observed(nat, "nat.wan_class") == wan_class
    assert observed(nat, "nat.wan_is_private") is private
    assert observed(nat, "nat.public_class") == "public"
    assert observed(nat, "nat.wan_equals_public") is equal


def test_hostile_ssdp_devices_are_contained(lan: Topology, tmp_path: Path) -> None:
    client = lan.ns("client")
    loopback_trap, host_trap = tmp_path / "loopback-trap.log", tmp_path / "host-trap.log"
    responder(lan, client, "127.0.0.1", "--http-only", "--log", str(loopback_trap))
    trap_host = lan.add_host("trap", "192.0.2.7/24", "02:00:5e:00:53:07")
    responder(lan, trap_host, "192.0.2.7", "--http-only", "--log", str(host_trap))
    devices = {
        "192.0.2.5": ("--location", "http://127.0.0.1:49000/desc.xml"),
        "192.0.2.6": ("--location", "http://192.0.2.7:49000/desc.xml"),
        "192.0.2.8": ("--body", "endless"),
        "192.0.2.9": ("--body", "bomb"),
        "192.0.2.11": ("--location", "http://evil.example/desc.xml", "--junk", "3", "--oversized"),
        "192.0.2.12": ("--body", "trickle"),
        "192.0.2.13": ("--name", "Living room TV"),
    }
    for index, (address, extra) in enumerate(devices.items()):
        namespace = lan.add_host(f"d{index}", f"{address}/24", f"02:00:5e:00:53:{0x20 + index:02x}")
        responder(lan, namespace, address, "--kind", "renderer", *extra)
    config = {"probes": {"discovery.ssdp": {"mx": 1, "describe_budget_s": 2.0}}}
    results = lan.run_probes(client, ["discovery.ssdp"], config=config)
    ssdp = results["discovery.ssdp"]
    assert ssdp["outcome"] == "ok", ssdp
    assert not loopback_trap.exists(), "a LOCATION on loopback was fetched"
    assert not host_trap.exists(), "a LOCATION on another host was fetched"
    assert observed(ssdp, "ssdp.responders") == len(devices)
    records = {r["ip"]: r for r in observed(ssdp, "ssdp.devices")}  # type: ignore[union-attr]
    assert "loopback" in records["192.0.2.5"]["error"]
    assert "not the address that answered" in records["192.0.2.6"]["error"]
    assert records["192.0.2.8"]["error"] == "description larger than 1 MiB (refused)"
    assert "refused" in records["192.0.2.9"]["error"] and "forbidden" in records["192.0.2.9"]["error"]
    assert "name" in records["192.0.2.11"]["error"]
    assert records["192.0.2.12"]["error"] in (
        "description fetch timed out",
        "not fetched within the time budget",
    )
    assert records["192.0.2.13"]["friendly_name"] == "Living room TV"
    anomalies = {a["sender"] for a in observed(ssdp, "ssdp.location_anomalies")}  # type: ignore[union-attr]
    assert anomalies == {"192.0.2.5", "192.0.2.6", "192.0.2.11"}
    assert observed(ssdp, "ssdp.dropped") >= 4  # type: ignore[operator]
    assert observed(ssdp, "upnp.igd_present") is False
    tv = next(d for d in ssdp["devices"] if d["ip"] == "192.0.2.13")  # type: ignore[union-attr]
    assert tv["kind"] == "media" and tv["names"] == ["Living room TV"]
    # the traps did listen: a direct request from the client is logged
    fetch = "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5).read()"
    for url in ("http://127.0.0.1:49000/desc.xml", "http://192.0.2.7:49000/desc.xml"):
        assert lan.run(client, [sys.executable, "-c", fetch, url], check=False).returncode == 0
    assert loopback_trap.exists() and host_trap.exists()


# --- the L2 exchange's kernel filters -------------------------------------------------------------------

FILTER_CHECK = """
import json, struct, sys
from homediag.net.l2 import BPF_ARP, BPF_DHCP_CLIENT, exchange
program = {"arp": BPF_ARP, "dhcp": BPF_DHCP_CLIENT}[sys.argv[1]]
out = exchange("eth0", [], 2.0, lambda frame: True, kernel_filter=program)
seen = []
for heard in out.heard:
    frame = heard.frame
    udp = frame[12:14] == b"\\x08\\x00" and frame[23] == 17
    port = struct.unpack_from("!H", frame, 36)[0] if udp else None
    seen.append([frame[12:14].hex(), port])
print(json.dumps(seen))
"""

NOISE = """
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
for port in (68, 5353, 9):
    u.sendto(b"x" * 300, ("192.0.2.255", port))
"""


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        pytest.param("arp", [["0806", None]], id="arp-only"),
        pytest.param("dhcp", [["0800", 68]], id="dhcp-client-port-only"),
    ],
)
def test_kernel_filters_pass_only_their_frames(
    lan: Topology, tmp_path: Path, program: str, expected: list[list[object]]
) -> None:
    client, router = lan.ns("client"), lan.ns("router")
    log = tmp_path / "seen.json"
    listener = lan.spawn(client, [sys.executable, "-c", FILTER_CHECK, program], log=log)
    time.sleep(0.8)
    lan.run(router, [sys.executable, "-c", NOISE], check=False)  # UDP broadcasts to ports 68, 5353 and 9
    # an ARP exchange and an ICMP echo
    lan.run(router, ["ping", "-c", "1", "-W", "1", "192.0.2.10"], check=False)
    listener.wait(timeout=10)
    seen = json.loads(log.read_text().strip().splitlines()[-1])
    assert seen, "the wanted frames must pass the filter"
    assert {tuple(item) for item in seen} == {tuple(item) for item in expected}
