"""wifi.link and wifi.neighbours on recorded outputs of Linux and Windows tools."""

from __future__ import annotations

import asyncio
from pathlib import Path

from homediag.core.model import Outcome
from homediag.core.spec import Platform
from homediag.probes.wifi.link import WifiLinkProbe
from homediag.probes.wifi.neighbours import WifiNeighboursProbe
from homediag.testing import run_probe
from tests.probes.records import interface_entry

FIXTURES = Path(__file__).parent.parent / "parsers" / "fixtures"


def fixture(command: str, name: str) -> str:
    return (FIXTURES / command / name).read_text(encoding="utf-8")


def test_linux_link_from_iw() -> None:
    outcome = asyncio.run(
        run_probe(
            WifiLinkProbe,
            facts={"interface.name": "wlp2s0", "interface.all": []},
            commands={
                ("iw", "dev"): fixture("iw-dev-info", "iw-dev-multi.txt"),
                ("iw", "dev", "wlp2s0", "link"): fixture("iw-dev-link", "ht-2ghz-weak.txt").replace(
                    "wlan0", "wlp2s0"
                ),
                ("iw", "dev", "wlp2s0", "station", "dump"): "",
            },
        )
    )
    assert outcome.result.outcome is Outcome.OK
    assert outcome.value("wifi.present") is True
    assert outcome.value("wifi.in_use") is True
    assert outcome.value("wifi.interface") == "wlp2s0"
    assert outcome.value("wifi.signal_dbm") == -78.0
    assert outcome.value("wifi.band") == "2.4GHz"
    assert outcome.value("wifi.channel") == 6
    assert outcome.value("wifi.security") is None  # iw does not show it and nmcli is absent
    assert outcome.value("wifi.insecure") is None
    assert any("nmcli" in text for text in outcome.value("wifi.limitations"))  # type: ignore[union-attr]
    ratio = outcome.value("wifi.rate_ratio")
    assert isinstance(ratio, float) and 0 < ratio < 2


def test_no_wireless_interface_is_said_plainly() -> None:
    outcome = asyncio.run(
        run_probe(
            WifiLinkProbe,
            facts={"interface.name": "eth0", "interface.all": [interface_entry("eth0", "wired")]},
            binaries=[],
        )
    )
    assert outcome.result.outcome is Outcome.OK
    assert outcome.value("wifi.present") is False
    assert outcome.value("wifi.in_use") is False
    assert "no wireless interface" in (outcome.observations("wifi.present")[0].evidence or "")


def test_windows_link_in_german_with_tkip_is_insecure() -> None:
    outcome = asyncio.run(
        run_probe(
            WifiLinkProbe,
            facts={"interface.name": "WLAN", "interface.all": []},
            platform=Platform.WINDOWS,
            commands={
                ("netsh", "wlan", "show", "interfaces"): fixture(
                    "netsh-wlan-show-interfaces", "de-wpa2-tkip.txt"
                )
            },
        )
    )
    assert outcome.value("wifi.connected") is True
    assert outcome.value("wifi.signal_percent") == 41
    assert outcome.value("wifi.signal_dbm") == -79.5
    assert outcome.value("wifi.insecure") is True
    assert outcome.value("wifi.channel") == 13


LINK_ON_24 = {
    "wifi.present": True,
    "wifi.connected": True,
    "wifi.interface": "wlan0",
    "wifi.ssid": "example-net",
    "wifi.bssid": "02:00:00:00:00:40",
    "wifi.band": "2.4GHz",
    "wifi.channel": 1,
    "wifi.width_mhz": 20,
    "wifi.signal_dbm": -60.0,
}


def test_neighbours_find_congestion_and_the_other_band() -> None:
    outcome = asyncio.run(
        run_probe(
            WifiNeighboursProbe,
            facts=LINK_ON_24,
            commands={
                ("iw", "dev", "wlan0", "scan", "dump"): fixture("iw-dev-scan", "mixed-security-and-bands.txt")
            },
        )
    )
    assert outcome.result.outcome is Outcome.OK
    assert outcome.result.method == "iw scan dump"
    count = outcome.value("wifi.network_count")
    assert isinstance(count, int) and count >= 9
    assert outcome.value("wifi.other_band_available") is True  # example-net on channel 36 at -61 dBm
    congestion = outcome.value("wifi.channel_congestion")
    assert isinstance(congestion, float) and congestion > 0  # example-corp and a guest net on channel 1
    best = outcome.value("wifi.best_channels")
    assert isinstance(best, dict) and best.get("2.4GHz") in (1, 6, 11)


def test_neighbours_not_applicable_without_wifi() -> None:
    outcome = asyncio.run(run_probe(WifiNeighboursProbe, facts={"wifi.present": False}))
    assert outcome.result.outcome is Outcome.NOT_APPLICABLE
