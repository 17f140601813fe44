"""Merging device sightings into one identity per device."""

from __future__ import annotations

import pytest

from homediag.core.devices import is_locally_administered, matches, merge_devices, normalise_mac
from homediag.core.model import Device, DeviceKind, Service
from homediag.core.spec import DeviceMatcher


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("00-00-5E-00-53-01", "00:00:5e:00:53:01"),
        ("0000.5e00.5301", "00:00:5e:00:53:01"),
        ("00005E005301", "00:00:5e:00:53:01"),
        ("00:00:5e:00:53", None),
        ("", None),
    ],
)
def test_mac_notations(raw: str, normal: str | None) -> None:
    assert normalise_mac(raw) == normal


def test_locally_administered() -> None:
    assert is_locally_administered("02:00:5e:00:53:01")
    assert not is_locally_administered("00:00:5e:00:53:01")


def test_sightings_join_by_mac_then_by_address() -> None:
    arp = Device(id="x", ip="192.0.2.20", mac="00:00:5E:00:53:20", sources=("arp",))
    mdns = Device(
        id="y",
        ip="192.0.2.20",
        names=("Brother HL",),
        kind=DeviceKind.PRINTER,
        services=(Service(type="_ipp._tcp", port=631),),
        sources=("mdns",),
    )
    other = Device(id="z", ip="192.0.2.30", mac="00:00:5e:00:53:30", sources=("arp",))
    merged = merge_devices([mdns, arp, other])
    assert len(merged) == 2
    printer = next(d for d in merged if d.ip == "192.0.2.20")
    assert printer.mac == "00:00:5e:00:53:20"
    assert printer.kind is DeviceKind.PRINTER
    assert printer.names == ("Brother HL",)
    assert set(printer.sources) == {"arp", "mdns"}


def test_two_macs_on_one_address_stay_two_devices() -> None:
    first = Device(id="a", ip="192.0.2.40", mac="00:00:5e:00:53:40")
    second = Device(id="b", ip="192.0.2.40", mac="00:00:5e:00:53:41")
    merged = merge_devices([first, second])
    assert sorted(d.mac or "" for d in merged) == ["00:00:5e:00:53:40", "00:00:5e:00:53:41"]
    assert len({d.id for d in merged}) == 2


def test_ids_are_stable_whatever_the_order() -> None:
    sightings = [
        Device(id="1", ip="192.0.2.5", mac="00:00:5e:00:53:05"),
        Device(id="2", ip="192.0.2.5", names=("nas",)),
        Device(id="3", ip="192.0.2.6"),
    ]
    forward = merge_devices(sightings)
    backward = merge_devices(list(reversed(sightings)))
    assert [d.id for d in forward] == [d.id for d in backward]


def test_matchers() -> None:
    printer = Device(
        id="p",
        ip="192.0.2.20",
        mac="3c:2a:f4:00:00:01",
        kind=DeviceKind.PRINTER,
        services=(Service(type="_ipp._tcp.local.", port=631),),
    )
    assert matches(DeviceMatcher(mdns_type="_ipp._tcp"), printer)
    assert matches(DeviceMatcher(oui="3C:2A:F4"), printer)
    assert matches(DeviceMatcher(kind="printer"), printer)
    assert not matches(DeviceMatcher(mdns_type="_googlecast._tcp"), printer)


# --- vendors and kinds ----------------------------------------------------------------------------

from homediag.core.devices import (  # noqa: E402
    KIND_RULES,
    KIND_SOURCE,
    ROLE_GATEWAY,
    ROLE_SELF,
    classify,
    mac_vendor,
)
from homediag.core.model import DeviceEvidence  # noqa: E402


@pytest.mark.parametrize(
    ("mac", "vendor"),
    [
        ("3c:2a:f4:00:00:01", "Brother Industries, LTD."),
        ("00-17-88-00-00-02", "Philips Lighting BV"),
        ("02:00:5e:00:53:01", None),  # locally administered: random, no vendor
        ("01:00:5e:00:00:fb", None),  # multicast
        ("not a mac", None),
    ],
)
def test_vendor_comes_from_the_ieee_registry(mac: str, vendor: str | None) -> None:
    assert mac_vendor(mac) == vendor


def svc(kind: str, **txt: str) -> Service:
    return Service(type=kind, txt=txt)


@pytest.mark.parametrize(
    ("device", "kind"),
    [
        pytest.param(
            Device(id="", evidence=(DeviceEvidence("x", ROLE_SELF),)), DeviceKind.COMPUTER, id="this-computer"
        ),
        pytest.param(
            Device(id="", evidence=(DeviceEvidence("x", ROLE_GATEWAY),)), DeviceKind.ROUTER, id="gateway"
        ),
        pytest.param(Device(id="", services=(svc("_ipp._tcp"),)), DeviceKind.PRINTER, id="ipp"),
        pytest.param(
            Device(id="", services=(svc("_googlecast._tcp", md="Chromecast"),)),
            DeviceKind.MEDIA,
            id="cast-tv",
        ),
        pytest.param(
            Device(id="", services=(svc("_googlecast._tcp", md="Google Nest Mini"),)),
            DeviceKind.SPEAKER,
            id="cast-speaker",
        ),
        pytest.param(
            Device(id="", services=(svc("_hap._tcp", ci="2"),)), DeviceKind.HUB, id="homekit-bridge"
        ),
        pytest.param(
            Device(id="", services=(svc("_hap._tcp", ci="9"),)), DeviceKind.IOT, id="homekit-thermostat"
        ),
        pytest.param(
            Device(id="", services=(svc("_airplay._tcp", model="AppleTV6,2"),)),
            DeviceKind.MEDIA,
            id="apple-tv",
        ),
        pytest.param(
            Device(id="", services=(svc("_airplay._tcp", model="AudioAccessory5,1"),)),
            DeviceKind.SPEAKER,
            id="homepod",
        ),
        pytest.param(Device(id="", services=(svc("_raop._tcp"),)), DeviceKind.SPEAKER, id="raop-only"),
        pytest.param(
            Device(
                id="",
                services=(svc("urn:schemas-upnp-org:device:MediaServer:1"),),
                vendor="Synology Incorporated",
            ),
            DeviceKind.NAS,
            id="nas-before-media-server",
        ),
        pytest.param(Device(id="", names=("iphone-1",)), DeviceKind.PHONE, id="name-phone"),
        pytest.param(Device(id="", names=("Living-Room-TV",)), DeviceKind.MEDIA, id="name-tv"),
        pytest.param(Device(id="", names=("nest-cam-7",)), DeviceKind.CAMERA, id="name-camera"),
        pytest.param(Device(id="", names=("macbook-8",)), DeviceKind.COMPUTER, id="name-computer"),
        pytest.param(Device(id="", names=("brother-hl-l2350dw",)), DeviceKind.PRINTER, id="name-printer"),
        pytest.param(
            Device(id="", names=("captain",)), DeviceKind.UNKNOWN, id="tv-inside-a-word-is-not-a-tv"
        ),
        pytest.param(Device(id="", vendor="Espressif Inc."), DeviceKind.IOT, id="vendor-espressif"),
        pytest.param(Device(id="", vendor="Apple, Inc."), DeviceKind.UNKNOWN, id="vendor-says-nothing"),
    ],
)
def test_kind_rules(device: Device, kind: DeviceKind) -> None:
    assert classify(device)[0] is kind


def test_services_beat_names_and_names_beat_vendors() -> None:
    device = Device(id="", names=("iphone",), vendor="Brother Industries, LTD.", services=(svc("_ipp._tcp"),))
    assert classify(device) == (DeviceKind.PRINTER, "announces _ipp._tcp")
    assert (
        classify(Device(id="", names=("iphone",), vendor="Brother Industries, LTD."))[0] is DeviceKind.PHONE
    )
    assert all(rule.because for rule in KIND_RULES)


def test_merged_devices_carry_vendor_kind_and_why() -> None:
    arp = Device(id="a", ip="192.0.2.20", mac="3c:2a:f4:00:53:20")
    ssdp = Device(
        id="b", ip="192.0.2.20", vendor="ExampleCo", services=(svc("urn:schemas-upnp-org:device:Printer:1"),)
    )
    [merged] = merge_devices([ssdp, arp])
    assert merged.vendor == "Brother Industries, LTD."  # the MAC's registry beats what a device says
    assert merged.kind is DeviceKind.PRINTER
    assert [e.claim for e in merged.evidence if e.source == KIND_SOURCE] == ["kind=printer"]
    assert merge_devices([merged])[0].evidence.count(merged.evidence[-1]) == 1  # merging again adds no copy


def test_a_random_mac_has_no_vendor_and_keeps_what_the_device_says() -> None:
    [merged] = merge_devices([Device(id="a", ip="192.0.2.21", mac="02:00:5e:00:53:21", vendor="ExampleCo")])
    assert merged.random_mac and merged.vendor == "ExampleCo"
