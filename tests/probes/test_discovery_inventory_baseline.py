"""discovery.inventory, the --baseline comparison (plain and redacted baselines, another installation's
tokens) and discovery.baseline."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pytest

from homediag.core.baseline import Baseline, compare
from homediag.core.devices import merge_devices
from homediag.core.model import Device, DeviceKind, Outcome, Report, RunContext, Service
from homediag.core.probe import Probe
from homediag.probes.devices.media_summary import MediaSummaryProbe
from homediag.probes.devices.printer_summary import PrinterSummaryProbe
from homediag.probes.devices.security_summary import SecuritySummaryProbe
from homediag.probes.devices.smarthome_summary import SmarthomeSummaryProbe
from homediag.probes.discovery.baseline import BaselineProbe
from homediag.probes.discovery.inventory import InventoryProbe
from homediag.reports.baseline import tokenizer
from homediag.reports.redact import redact
from homediag.reports.tokens import TokenStore
from homediag.testing import run_probe

KEY = bytes(range(32))

# Private addresses on purpose: redaction keeps them (documentation ranges count as public), and the
# comparison of a redacted baseline relies on that.
SIGHTINGS = [
    Device(id="a", ip="10.77.9.1", mac="00:00:5e:00:53:01", sources=("discovery.arp",)),
    Device(id="b", ip="10.77.9.10", mac="3c:2a:f4:00:53:10", sources=("discovery.arp",)),
    Device(id="c", ip="10.77.9.10", services=(Service("_ipp._tcp", 631),), sources=("discovery.mdns",)),
    Device(
        id="d",
        ip="10.77.9.11",
        mac="00:00:5e:00:53:11",
        names=("living-room-tv",),
        sources=("discovery.arp", "discovery.names"),
    ),
]
DEVICES = merge_devices(SIGHTINGS)


def report(devices: list[Device]) -> Report:
    return Report(
        run_id="00000000-0000-4000-8000-000000000001",
        started_at="2026-01-01T10:00:00.000Z",
        finished_at="2026-01-01T10:00:10.000Z",
        complete=True,
        context=RunContext(platform="linux"),
        devices=tuple(devices),
    )


def test_the_inventory_lists_every_device_with_kind_reason_and_sources() -> None:
    outcome = asyncio.run(
        run_probe(
            InventoryProbe,
            facts={
                "interface.ipv4": ["10.77.9.20/24"],
                "interface.subnet": "10.77.9.0/24",
                "arp.host_count": 3,
                "mdns.responders": 1,
                "ssdp.responders": 0,
                "names.reverse_dns": [],
                "lan.multicast_gap": 0,
            },
            devices=DEVICES,
        )
    )
    listed = outcome.value("discovery.devices")
    printer = next(d for d in listed if d["ip"] == "10.77.9.10")  # type: ignore[index, union-attr]
    assert printer["kind"] == "printer" and printer["kind_because"] == "announces _ipp._tcp"  # type: ignore[index]
    assert printer["seen_by"] == ["arp", "mdns"] and printer["vendor"] == "Brother Industries, LTD."  # type: ignore[index]
    assert outcome.value("discovery.kinds") == {"media": 1, "printer": 1, "unknown": 1}
    assert outcome.value("discovery.device_count") == 3


def test_no_inventory_without_an_ipv4_subnet() -> None:
    # bench1.12 (DHCP down): no discovery could search, yet an empty inventory said "no cast device",
    # and the cast playbook called that the phone and the TV being on different networks.
    facts = {"interface.ipv4": [], "interface.subnet": None, "arp.host_count": None}
    outcome = asyncio.run(run_probe(InventoryProbe, facts=facts))  # type: ignore[arg-type]
    assert outcome.result.outcome is Outcome.NOT_APPLICABLE
    assert not [o for o in outcome.result.observations if o.fact == "discovery.devices"]


@pytest.mark.parametrize(
    "probe", [PrinterSummaryProbe, MediaSummaryProbe, SmarthomeSummaryProbe, SecuritySummaryProbe]
)
def test_device_summaries_need_an_inventory(probe: type[Probe]) -> None:
    outcome = asyncio.run(run_probe(probe, facts={}))
    assert outcome.result.outcome is Outcome.NOT_APPLICABLE, outcome.result
    assert outcome.result.observations == ()


def test_a_vanished_and_a_moved_device_are_found_against_a_plain_baseline() -> None:
    old = report(DEVICES)
    printer = next(d for d in DEVICES if d.kind is DeviceKind.PRINTER)
    tv = next(d for d in DEVICES if d.kind is DeviceKind.MEDIA)
    moved_tv = dataclasses.replace(tv, ip="10.77.9.44", addresses=("10.77.9.44",))
    now = [d for d in DEVICES if d not in (printer, tv)] + [moved_tv]
    result = compare(Baseline(old), now)
    assert [m["kind"] for m in result.missing] == ["printer"]
    assert result.moved == (
        {
            "id": tv.id,
            "kind": "media",
            "name": "living-room-tv",
            "old_ip": "10.77.9.11",
            "new_ip": "10.77.9.44",
        },
    )
    assert not result.redacted and not result.notes


def test_a_redacted_baseline_is_compared_with_this_installations_tokens(tmp_path: Path) -> None:
    store_dir = tmp_path / "config"
    with TokenStore.open(store_dir) as store:
        old = redact(report(DEVICES), store)
    assert old.privacy_level == "redacted" and all(not d.id.startswith("dev-") for d in old.devices)
    printer = next(d for d in DEVICES if d.kind is DeviceKind.PRINTER)
    now = [d for d in DEVICES if d is not printer]
    result = compare(Baseline(old, tokenizer(lambda: TokenStore.open(store_dir))), now)
    assert [(m["kind"], m["ip"]) for m in result.missing] == [("printer", "10.77.9.10")]
    assert result.missing[0]["id"].startswith("printer-")  # a token, never the MAC-derived id
    assert result.redacted and not result.notes


def test_a_token_match_needs_the_same_mac_vendor(tmp_path: Path) -> None:
    # Another installation numbers its tokens from 1 too: "printer-1" there is not "printer-1" here.
    other = [
        dataclasses.replace(d, mac="00:00:5e:00:53:77") if d.kind is DeviceKind.PRINTER else d
        for d in DEVICES
    ]
    old = redact(report(other), TokenStore(KEY))
    printer = next(d for d in DEVICES if d.kind is DeviceKind.PRINTER)
    result = compare(Baseline(old, tokenizer(lambda: TokenStore.open(tmp_path / "here"))), DEVICES)
    assert [m["kind"] for m in result.missing] == ["printer"]  # same token, another vendor: no match
    assert printer.mac and printer.mac.startswith("3c:2a:f4")


def test_nothing_matching_says_why() -> None:
    result = compare(Baseline(report(DEVICES)), [])
    assert len(result.missing) == 3 and result.notes


def test_the_baseline_probe_applies_only_with_a_baseline_and_reports_kinds() -> None:
    without = asyncio.run(run_probe(BaselineProbe, facts={"discovery.devices": []}, devices=DEVICES))
    assert without.result.outcome is Outcome.NOT_APPLICABLE
    printer = next(d for d in DEVICES if d.kind is DeviceKind.PRINTER)
    outcome = asyncio.run(
        run_probe(
            BaselineProbe,
            facts={"discovery.devices": []},
            devices=[d for d in DEVICES if d is not printer],
            baseline=Baseline(report(DEVICES)),
        )
    )
    assert outcome.value("baseline.missing_kinds") == ["printer"]
    assert outcome.value("baseline.moved_devices") == []
    assert outcome.value("baseline.device_count") == 3
    assert "printer 10.77.9.10" in (outcome.observations("baseline.missing_devices")[0].evidence or "")
