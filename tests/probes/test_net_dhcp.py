"""net.dhcp on recorded frames (the real exchange runs in tests/probes/netns)."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Callable, Sequence

import pytest

from homediag.core.model import Outcome
from homediag.net import l2
from homediag.net.l2 import Exchange, Heard, Send
from homediag.probes.net import dhcp
from homediag.probes.net.dhcp import DhcpProbe, build_discover, probe_client_mac
from homediag.testing import ProbeOutcome, run_probe
from tests.parsers.test_dhcp_offer import CLIENT, offer_frame

IFACE_FACTS = {"interface.name": "eth0", "interface.mac": "00:00:5e:00:53:10"}


def test_client_mac_is_fixed_locally_administered_and_not_the_interface_mac() -> None:
    first = probe_client_mac("00:00:5E:00:53:10", "eth0")
    assert first == probe_client_mac("00:00:5e:00:53:10", "wlan0"), "stable across runs and names"
    assert first != "00:00:5e:00:53:10"
    octet = int(first[:2], 16)
    assert octet & 0x02 and not octet & 0x01, "locally administered unicast"
    assert probe_client_mac("00:00:5e:00:53:11", "eth0") != first


def test_the_discover_is_a_broadcast_discover_never_a_request() -> None:
    from scapy.layers.dhcp import BOOTP, DHCP
    from scapy.layers.l2 import Ether

    client = probe_client_mac("00:00:5e:00:53:10", "eth0")
    packet = Ether(build_discover("00:00:5e:00:53:10", client, 0xCAFE))
    assert packet.src == "00:00:5e:00:53:10" and packet.dst == "ff:ff:ff:ff:ff:ff"
    assert packet[BOOTP].op == 1 and packet[BOOTP].xid == 0xCAFE and packet[BOOTP].flags == 0x8000
    assert packet[BOOTP].chaddr[:6] == bytes.fromhex(client.replace(":", ""))
    options = dict(o for o in packet[DHCP].options if isinstance(o, tuple))
    assert options["message-type"] == 1  # DISCOVER
    assert "requested_addr" not in options and "server_id" not in options


def recorded(frames: Sequence[tuple[float, bytes]], sent: int = 1) -> Callable[..., Exchange]:
    calls: list[list[Send]] = []

    def fake(
        iface: str, sends: Sequence[Send], listen_s: float, keep: Callable[[bytes], bool], **_: object
    ) -> Exchange:
        calls.append(list(sends))
        assert iface == "eth0" and listen_s <= 8.0
        kept = tuple(Heard(at, frame) for at, frame in frames if keep(frame))
        return Exchange(heard=kept, sent=sent, seen=len(frames), truncated=False)

    fake.calls = calls  # type: ignore[attr-defined]
    return fake


def run_dhcp(
    monkeypatch: pytest.MonkeyPatch,
    frames: Sequence[tuple[float, bytes]],
    facts: dict[str, object] | None = None,
    **kwargs: object,
) -> ProbeOutcome:
    fake = recorded(frames)
    monkeypatch.setattr(l2, "exchange", fake)
    # the recorded offers answer our transaction and our fixed client MAC
    monkeypatch.setattr(dhcp.random, "getrandbits", lambda _bits: 0x1234ABCD)
    monkeypatch.setattr(dhcp, "probe_client_mac", lambda _mac, _name: CLIENT)
    return asyncio.run(run_probe(DhcpProbe, facts=facts or IFACE_FACTS, privileged=True, **kwargs))  # type: ignore[arg-type]


def test_one_server(monkeypatch: pytest.MonkeyPatch) -> None:
    outcome = run_dhcp(monkeypatch, [(0.012, offer_frame())])
    assert outcome.result.outcome is Outcome.OK
    assert outcome.value("dhcp.server_count") == 1
    assert outcome.value("dhcp.servers") == ["192.0.2.1"]
    assert outcome.value("dhcp.offers_dns") is True
    assert outcome.value("dhcp.first_offer_ms") == 12.0
    [offer] = outcome.value("dhcp.offers")  # type: ignore[misc]
    assert offer["offered"] == "192.0.2.146" and offer["server_mac"] == "02:00:5e:00:53:01"


def test_a_second_server_without_dns_option(monkeypatch: pytest.MonkeyPatch) -> None:
    rogue = offer_frame(
        server="192.0.2.2", mac="02:00:5e:00:53:02", options=bytes([53, 1, 2, 54, 4, 192, 0, 2, 2, 255])
    )
    frames = [(0.01, offer_frame()), (0.02, offer_frame()), (0.5, rogue), (0.6, offer_frame(xid=7))]
    outcome = run_dhcp(monkeypatch, frames)
    assert outcome.value("dhcp.server_count") == 2
    assert outcome.value("dhcp.servers") == ["192.0.2.1", "192.0.2.2"]
    assert outcome.value("dhcp.offers_dns") is False
    assert "192.0.2.2" in (outcome.observations("dhcp.offers_dns")[0].evidence or "")


def test_nobody_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    outcome = run_dhcp(monkeypatch, [])
    assert outcome.value("dhcp.server_count") == 0
    assert outcome.value("dhcp.offers_dns") is None, "no offer is not 'no DNS option'"
    assert outcome.value("dhcp.first_offer_ms") is None


def test_the_discover_is_retransmitted_with_backoff_and_listening_ends_on_quiet(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, object] = {}
    fake = recorded([])

    def spy(*args: object, **kwargs: object) -> Exchange:
        seen.update(kwargs)
        return fake(*args, **kwargs)

    monkeypatch.setattr(l2, "exchange", spy)
    asyncio.run(run_probe(DhcpProbe, facts=IFACE_FACTS, privileged=True))
    [sends] = fake.calls  # type: ignore[attr-defined]
    assert [s.at_s for s in sends] == [0.0, 1.0, 2.0, 4.0]
    assert not any(s.unless_answered for s in sends), "a slow router may answer only a retransmission"
    assert len({s.frame for s in sends}) == 1, "one transaction: the same DISCOVER each time"
    assert seen["quiet_s"] == 2.0 and seen["novelty"] is dhcp.reply_source


LAN_FACTS = {**IFACE_FACTS, "interface.subnet": "192.0.2.0/24", "gateway.ipv4": "192.0.2.1"}
FOREIGN = offer_frame(server="198.51.100.1", mac="02:00:5e:00:53:09", yiaddr="198.51.100.50")
SAME_SUBNET_OTHER_ROUTER = offer_frame(server="192.0.2.3", mac="02:00:5e:00:53:03", yiaddr="192.0.2.201")


@pytest.mark.parametrize(
    ("frames", "matches", "foreign", "reason"),
    [
        pytest.param([(0.01, offer_frame())], True, [], "every offer is for 192.0.2.0/24", id="the-router"),
        pytest.param(
            [(0.01, FOREIGN), (1.2, offer_frame())], False, ["198.51.100.1"], "outside", id="another-network"
        ),
        pytest.param(
            [(0.01, offer_frame()), (0.3, SAME_SUBNET_OTHER_ROUTER)],
            False,
            ["192.0.2.3"],
            "names router 192.0.2.3, not this computer's gateway 192.0.2.1",
            id="same-subnet-other-router",
        ),
    ],
)
def test_offers_are_checked_against_the_network_the_computer_uses(
    monkeypatch: pytest.MonkeyPatch,
    frames: list[tuple[float, bytes]],
    matches: bool,
    foreign: list[str],
    reason: str,
) -> None:
    outcome = run_dhcp(monkeypatch, frames, facts=LAN_FACTS)
    assert outcome.value("dhcp.offers_match_lan") is matches
    assert outcome.value("dhcp.foreign_servers") == foreign
    assert reason in (outcome.observations("dhcp.offers_match_lan")[0].evidence or "")


def test_without_an_address_of_its_own_there_is_nothing_to_compare(monkeypatch: pytest.MonkeyPatch) -> None:
    outcome = run_dhcp(monkeypatch, [(0.01, FOREIGN)])
    assert outcome.value("dhcp.server_count") == 1
    assert outcome.value("dhcp.offers_match_lan") is None
    assert outcome.value("dhcp.foreign_servers") == []


def test_only_an_offer_that_fits_the_lan_starts_the_quiet_period() -> None:
    subnet, gateway = ipaddress.IPv4Network("192.0.2.0/24"), ipaddress.IPv4Address("192.0.2.1")
    assert dhcp.fits_lan(offer_frame(), client_mac=CLIENT, subnet=subnet, gateway=gateway)
    assert not dhcp.fits_lan(FOREIGN, client_mac=CLIENT, subnet=subnet, gateway=gateway)
    assert not dhcp.fits_lan(SAME_SUBNET_OTHER_ROUTER, client_mac=CLIENT, subnet=subnet, gateway=gateway)
    assert not dhcp.fits_lan(offer_frame(), client_mac="02:00:5e:00:53:77", subnet=subnet, gateway=gateway)
    no_lease = dhcp.fits_lan(offer_frame(), client_mac=CLIENT, subnet=None, gateway=None)
    assert not no_lease, "without a lease of its own, the probe listens to the deadline"
    assert not dhcp.fits_lan(b"\x00" * 60, client_mac=CLIENT, subnet=subnet, gateway=gateway)


def test_without_raw_sockets_it_is_not_permitted_and_sends_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = recorded([])
    monkeypatch.setattr(l2, "exchange", fake)
    outcome = asyncio.run(run_probe(DhcpProbe, facts=IFACE_FACTS, privileged=False))
    assert outcome.result.outcome is Outcome.NOT_PERMITTED
    assert "raw sockets" in (outcome.result.reason or "")
    assert fake.calls == []  # type: ignore[attr-defined]


def test_a_refused_socket_is_not_permitted(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> Exchange:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(l2, "exchange", refuse)
    outcome = asyncio.run(run_probe(DhcpProbe, facts=IFACE_FACTS, privileged=True))
    assert outcome.result.outcome is Outcome.NOT_PERMITTED


def test_a_vanished_interface_is_an_error_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    def gone(*_args: object, **_kwargs: object) -> Exchange:
        raise OSError(19, "No such device")

    monkeypatch.setattr(l2, "exchange", gone)
    outcome = asyncio.run(run_probe(DhcpProbe, facts=IFACE_FACTS, privileged=True))
    assert outcome.result.outcome is Outcome.ERROR
    assert "No such device" in (outcome.result.reason or "")


@pytest.mark.parametrize(
    "facts",
    [
        pytest.param({"interface.name": None, "interface.mac": None}, id="no-interface"),
        pytest.param({"interface.name": "wg0", "interface.mac": None}, id="no-mac"),
    ],
)
def test_not_applicable_without_an_ethernet_interface(facts: dict[str, object]) -> None:
    outcome = asyncio.run(run_probe(DhcpProbe, facts=facts, privileged=True))  # type: ignore[arg-type]
    assert outcome.result.outcome is Outcome.NOT_APPLICABLE
