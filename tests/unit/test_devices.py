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
