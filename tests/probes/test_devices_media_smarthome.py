"""Media and smart-home probes: cast info and Hue config on recorded answers, HomeKit and Matter TXT,
an MQTT broker on 127.0.0.1 (anonymous, closed, silent, garbage), and their summaries."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial

import pytest

from homediag.core.http import HttpError
from homediag.core.model import Device, Observation, Service
from homediag.net.live import live_io
from homediag.probes.devices.homekit import HomekitProbe
from homediag.probes.devices.hue import HueProbe
from homediag.probes.devices.matter import MatterProbe
from homediag.probes.devices.media import MediaProbe, protocols
from homediag.probes.devices.media_summary import MediaSummaryProbe
from homediag.probes.devices.mqtt import MqttProbe, build_connect, parse_connack
from homediag.probes.devices.smarthome_summary import SmarthomeSummaryProbe
from homediag.testing import ProbeOutcome, http_response
from homediag.testing import run_probe as _run_probe
from tests.probes.live import run_live
from tests.probes.records import device_entry, missing_device, silent_peer

run_probe = partial(_run_probe, io=live_io())
"""Probes run on the live network here: the servers of these tests listen on 127.0.0.1."""

NEEDS = {"discovery.devices": []}
EUREKA = {
    "name": "Living Room TV",
    "device_info": {
        "manufacturer": "Google Inc.",
        "model_name": "Chromecast",
        "mac_address": "00:00:5E:00:53:11",
    },
    "build_info": {"cast_build_revision": "1.56.500000"},
}
TV = Device(
    id="tv",
    ip="192.0.2.11",
    services=(
        Service("_googlecast._tcp", 8009, "Chromecast-1", txt={"fn": "Living Room TV", "md": "Chromecast"}),
    ),
)
EUREKA_URL = "http://192.0.2.11:8008/setup/eureka_info"


def test_a_cast_device_answers_its_info_endpoint() -> None:
    outcome = asyncio.run(
        run_probe(
            MediaProbe,
            facts=NEEDS,
            target=TV,
            http={EUREKA_URL: http_response(EUREKA_URL, body=json.dumps(EUREKA))},
        )
    )
    info = outcome.value("media.info", "device:tv")
    assert info == {
        "protocols": ["cast"],
        "name": "Living Room TV",
        "model": "Chromecast",
        "busy": False,
        "manufacturer": "Google Inc.",
        "build": "1.56.500000",
    }
    assert outcome.value("media.answered", "device:tv") is True


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(TimeoutError("stalled"), id="trickle-past-the-deadline"),
        pytest.param(HttpError("connection refused"), id="refused"),
        pytest.param(http_response(EUREKA_URL, body="[1, 2"), id="not-json"),
        pytest.param(http_response(EUREKA_URL, body="[" * 100_000 + "]" * 100_000), id="deep-json"),
        pytest.param(http_response(EUREKA_URL, status=404), id="not-found"),
    ],
)
def test_a_cast_device_that_does_not_answer_properly(answer: object) -> None:
    outcome = asyncio.run(run_probe(MediaProbe, facts=NEEDS, target=TV, http={EUREKA_URL: answer}))  # type: ignore[dict-item]
    assert outcome.value("media.answered", "device:tv") is False
    assert outcome.value("media.info", "device:tv")["name"] == "Living Room TV"  # type: ignore[index, call-overload]


def test_airplay_and_dlna_are_read_from_announcements_without_requests() -> None:
    speaker = Device(
        id="sp",
        ip="192.0.2.12",
        services=(
            Service(
                "_raop._tcp", 7000, "kitchen", txt={"am": "AudioAccessory5,1", "vs": "366.0", "pw": "true"}
            ),
            Service("urn:schemas-upnp-org:device:MediaRenderer:1"),
        ),
        sources=("discovery.mdns", "discovery.ssdp"),
    )
    assert protocols(speaker) == ["airplay-audio", "dlna-renderer"]
    outcome = asyncio.run(
        run_probe(MediaProbe, facts=NEEDS, target=speaker)
    )  # no HTTP recorded: none may be made
    info = outcome.value("media.info", "device:sp")
    assert info["model"] == "AudioAccessory5,1" and info["password"] is True  # type: ignore[index, call-overload]
    assert outcome.value("media.answered", "device:sp") is True


HUE = Device(id="hue", ip="192.0.2.13", services=(Service("_hue._tcp", 443),))
HUE_URL = "http://192.0.2.13/api/config"


def test_the_hue_bridge_public_config() -> None:
    body = {"name": "Philips Hue", "modelid": "BSB002", "swversion": "1967054020", "apiversion": "1.67.0",
            "bridgeid": "001788FFFE00530D", "factorynew": False, "whitelist": {"secret": {}}}  # fmt: skip
    outcome = asyncio.run(
        run_probe(
            HueProbe, facts=NEEDS, target=HUE, http={HUE_URL: http_response(HUE_URL, body=json.dumps(body))}
        )
    )
    config = outcome.value("hue.config", "device:hue")
    assert config == {
        "name": "Philips Hue",
        "model": "BSB002",
        "software": "1967054020",
        "api": "1.67.0",
        "bridge_id": "001788FFFE00530D",
        "factory_new": False,
    }
    assert outcome.value("hue.answered", "device:hue") is True


def test_a_hue_bridge_that_trickles_did_not_answer() -> None:
    outcome = asyncio.run(
        run_probe(HueProbe, facts=NEEDS, target=HUE, http={HUE_URL: TimeoutError("stalled")})
    )
    assert outcome.value("hue.answered", "device:hue") is False


@pytest.mark.parametrize(("flags", "paired"), [("0", True), ("1", False), ("3", False), ("x", None)])
def test_homekit_status_flags(flags: str, paired: bool | None) -> None:
    device = Device(
        id="hk",
        services=(Service("_hap._tcp", 8080, "Thermostat", txt={"sf": flags, "ci": "9", "md": "NTH01"}),),
    )
    outcome = asyncio.run(run_probe(HomekitProbe, facts=NEEDS, target=device))
    assert outcome.value("homekit.paired", "device:hk") is paired
    assert outcome.value("homekit.accessory", "device:hk")["category"] == "thermostat"  # type: ignore[index, call-overload]


def test_matter_commissionable_and_operational() -> None:
    open_node = Device(
        id="m1",
        services=(
            Service(
                "_matterc._udp", 5540, "A1", txt={"CM": "1", "D": "3840", "VP": "65521+32769", "DN": "Plug"}
            ),
        ),
    )
    outcome = asyncio.run(run_probe(MatterProbe, facts=NEEDS, target=open_node))
    assert outcome.value("matter.commissionable", "device:m1") is True
    assert outcome.value("matter.node", "device:m1")["discriminator"] == 3840  # type: ignore[index, call-overload]
    operational = Device(
        id="m2", services=(Service("_matter._tcp", 5540, "F-N", txt={"SII": "5000", "T": "0"}),)
    )
    outcome = asyncio.run(run_probe(MatterProbe, facts=NEEDS, target=operational))
    assert outcome.value("matter.commissionable", "device:m2") is False
    assert outcome.value("matter.node", "device:m2") == {
        "operational": True,
        "idle_interval_ms": 5000,
        "tcp": False,
    }


# --- MQTT -----------------------------------------------------------------------------------------


def test_connect_carries_no_credentials() -> None:
    packet = build_connect("homediag-1")
    assert packet[0] == 0x10 and packet[2:8] == b"\x00\x04MQTT" and packet[8] == 4
    assert packet[9] == 0x02  # clean session only: neither the user name nor the password flag
    assert parse_connack(b"\x20\x02\x00\x05") == 5
    with pytest.raises(ValueError, match="CONNACK"):
        parse_connack(b"\x20\x03\x00\x00")


Broker = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def broker(reply: bytes | None) -> AsyncIterator[tuple[int, list[bytes]]]:
    received: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received.append(await reader.read(256))
        if reply is None:
            await asyncio.sleep(10)
        else:
            writer.write(reply)
            await writer.drain()
            received.append(await reader.read(16))
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1], received
    finally:
        server.close()


def try_broker(reply: bytes | None) -> tuple[ProbeOutcome, list[bytes]]:
    async def go() -> tuple[ProbeOutcome, list[bytes]]:
        async with broker(reply) as (port, received):
            device = Device(id="mq", ip="127.0.0.1", services=(Service("_mqtt._tcp", port),))
            return await run_live(MqttProbe, facts=NEEDS, target=device), received

    return asyncio.run(go())


def test_an_anonymous_broker_is_seen_and_disconnected_from() -> None:
    outcome, received = try_broker(b"\x20\x02\x00\x00")
    assert outcome.value("mqtt.anonymous", "device:mq") is True
    assert outcome.value("mqtt.connack", "device:mq") == 0
    assert received[0][0] == 0x10 and received[1] == b"\xe0\x00"  # CONNECT, then DISCONNECT


def test_a_broker_asking_for_credentials() -> None:
    outcome, _received = try_broker(b"\x20\x02\x00\x05")
    assert outcome.value("mqtt.anonymous", "device:mq") is False
    assert "not authorised" in (outcome.observations("mqtt.anonymous")[0].evidence or "")


@pytest.mark.parametrize(
    "reply", [pytest.param(None, id="silent"), pytest.param(b"HTTP/1.1 400\r\n", id="garbage")]
)
def test_a_broker_that_does_not_answer_mqtt_gives_no_verdict(reply: bytes | None) -> None:
    outcome, _received = try_broker(reply)
    assert outcome.value("mqtt.anonymous", "device:mq") is None


# --- summaries ------------------------------------------------------------------------------------


def facts(values: dict[str, object], *extra: Observation) -> list[Observation]:
    return [*(Observation(fact=k, value=v, source="t") for k, v in values.items()), *extra]  # type: ignore[arg-type]


TV_ENTRY = device_entry("tv", "192.0.2.11", "media", seen_by=["arp", "mdns"], services=["_googlecast._tcp"])
NAMED_SPEAKER = device_entry("sp", "192.0.2.32", "speaker", seen_by=["arp", "names"], services=[])


def media_summary(devices: list[dict[str, object]], **more: object) -> ProbeOutcome:
    base = {"discovery.devices": devices, "lan.silent_peers": [], "baseline.missing_devices": None, **more}
    return asyncio.run(run_probe(MediaSummaryProbe, facts=facts(base)))


def test_media_summary_counts_cast_devices_heard_and_answering() -> None:
    outcome = media_summary([TV_ENTRY, NAMED_SPEAKER])
    assert outcome.value("cast.found") == 1  # the named speaker offers no protocol
    assert outcome.value("cast.announced") == 1 and outcome.value("cast.reachable") is True
    assert len(outcome.value("cast.devices")) == 2  # type: ignore[arg-type]


def test_media_summary_when_multicast_is_blocked() -> None:
    unicast_tv = {**TV_ENTRY, "seen_by": ["arp", "unicast"]}
    outcome = media_summary([unicast_tv])
    assert outcome.value("cast.found") == 1 and outcome.value("cast.announced") == 0
    assert outcome.value("cast.reachable") is True


def test_media_summary_sees_a_known_tv_silent() -> None:
    outcome = media_summary([], **{"lan.silent_peers": [silent_peer("192.0.2.11", "media", "tv")]})
    assert outcome.value("cast.found") == 0 and outcome.value("cast.reachable") is None
    assert outcome.value("cast.known_silent") is True


def test_smarthome_summary() -> None:
    hue = device_entry("h", "192.0.2.13", "hub", seen_by=["arp", "mdns"], services=["_hue._tcp"])
    plug = device_entry("p", "192.0.2.34", "iot", seen_by=["arp", "names"], services=[])
    outcome = asyncio.run(
        run_probe(
            SmarthomeSummaryProbe,
            facts=facts(
                {
                    "discovery.devices": [hue, plug, TV_ENTRY],
                    "lan.silent_peers": [],
                    "baseline.missing_devices": [missing_device("192.0.2.16", "hub")],
                }
            ),
        )
    )
    hubs = outcome.value("smarthome.hubs")
    assert [(h["ip"], h["protocols"]) for h in hubs] == [("192.0.2.13", ["hue"]), ("192.0.2.34", [])]  # type: ignore[index, union-attr]
    assert outcome.value("smarthome.announced") == 1 and outcome.value("smarthome.reachable") is True
    assert outcome.value("smarthome.known_silent") is True
