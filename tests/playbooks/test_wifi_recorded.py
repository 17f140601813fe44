"""Wi-Fi diagnosis from recorded observations: the real wifi.link and wifi.neighbours probes read
recorded ``iw`` / ``netsh`` outputs, and the playbooks judge them together with measurements of the
path (loss to the router and to the internet), as a run on a laptop would give them.

Each situation is checked through the ``wifi`` complaint and, where the complaint would be slowness or
drops, through ``slow-internet`` and ``unstable-connection`` as well: the engine must tell a Wi-Fi
problem (loss to the router, weak signal) from a line problem (clean router, lossy internet).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from homediag.core.model import FindingStatus, Observation
from homediag.core.spec import Platform
from homediag.engine.catalog import load_playbooks
from homediag.engine.diagnose import Diagnosis, StoredFacts, diagnose
from homediag.probes.wifi.link import WifiLinkProbe
from homediag.probes.wifi.neighbours import WifiNeighboursProbe
from homediag.testing import run_probe

FIXTURES = Path(__file__).parent.parent / "parsers" / "fixtures"
PLAYBOOKS = load_playbooks()
PROBLEM = (FindingStatus.CONFIRMED, FindingStatus.LIKELY)


def fixture(command: str, name: str) -> str:
    return (FIXTURES / command / name).read_text(encoding="utf-8")


def iw_link(name: str, scan: str | None) -> list[Observation]:
    """wifi.link on a recorded ``iw dev wlp2s0 link``, then wifi.neighbours on a recorded scan dump."""
    link = asyncio.run(
        run_probe(
            WifiLinkProbe,
            facts={"interface.name": "wlp2s0", "interface.all": []},
            commands={
                ("iw", "dev"): fixture("iw-dev-info", "iw-dev-multi.txt"),
                ("iw", "dev", "wlp2s0", "link"): fixture("iw-dev-link", name).replace("wlan0", "wlp2s0"),
                ("iw", "dev", "wlp2s0", "station", "dump"): "",
            },
        )
    )
    observations = list(link.result.observations)
    facts = {o.fact: o.value for o in observations}
    dump = fixture("iw-dev-scan", scan) if scan else ""
    neighbours = asyncio.run(
        run_probe(WifiNeighboursProbe, facts=facts, commands={("iw", "dev", "wlp2s0", "scan", "dump"): dump})
    )
    return observations + list(neighbours.result.observations)


def netsh_link(name: str) -> list[Observation]:
    """wifi.link on a recorded ``netsh wlan show interfaces`` (Windows, German)."""
    link = asyncio.run(
        run_probe(
            WifiLinkProbe,
            facts={"interface.name": "WLAN", "interface.all": []},
            platform=Platform.WINDOWS,
            commands={("netsh", "wlan", "show", "interfaces"): fixture("netsh-wlan-show-interfaces", name)},
        )
    )
    return list(link.result.observations)


def path(gateway_loss: float, internet_loss: tuple[float, float], jitter: float = 2.0) -> list[Observation]:
    """What net.interfaces, net.gateway and net.internet observe on the path."""
    values: list[tuple[str, str, Any]] = [
        ("interface.kind", "local", "wireless"),
        ("gateway.loss_pct", "local", gateway_loss),
        ("gateway.rtt_ms", "local", 4.0 + gateway_loss * 3),
        ("internet.jitter_ms", "local", jitter),
        ("internet.target_loss_pct", "target:192.0.2.1", internet_loss[0]),
        ("internet.target_loss_pct", "target:192.0.2.2", internet_loss[1]),
    ]
    return [Observation(fact=f, value=v, subject=s, source="recorded") for f, s, v in values]


def speed(down: float, up: float, increase: float) -> list[Observation]:
    """What net.throughput observes: download and upload, and the latency increase under load."""
    values = {"speedtest.download_mbps": down, "speedtest.upload_mbps": up, "latency.increase_ms": increase}
    return [Observation(fact=f, value=v, source="recorded") for f, v in values.items()]


@dataclass(frozen=True)
class Situation:
    name: str
    observations: list[Observation]
    expect: dict[str, str | None]
    """complaint -> the top finding's code (None: no problem)."""
    also: tuple[str, ...] = ()
    """Further codes that must be confirmed or likely under the wifi complaint."""
    absent: tuple[str, ...] = field(default=())
    """Codes that must not be confirmed or likely under any complaint."""


WIFI_CODES = ("wifi.weak-signal", "wifi.channel-congestion", "wifi.low-rate", "wifi.band-steering")

SITUATIONS = [
    Situation(
        "weak signal far from the router",
        iw_link("ht-2ghz-weak.txt", None) + path(13.3, (16.7, 13.3)),
        dict.fromkeys(("wifi", "slow-internet", "unstable-connection"), "wifi.weak-signal"),
        absent=("wan.packet-loss",),
    ),
    Situation(
        "crowded 2.4 GHz channel",
        iw_link("ht-2ghz-crowded.txt", "crowded-channel-6.txt") + path(6.7, (6.7, 3.3), jitter=38.0),
        {"wifi": "wifi.channel-congestion", "unstable-connection": "wifi.channel-congestion"},
        absent=("wifi.weak-signal", "wan.packet-loss"),
    ),
    Situation(
        "TKIP-only security (German Windows)",
        netsh_link("de-wpa2-tkip.txt") + path(0.0, (0.0, 0.0)),
        # TKIP forces 802.11g rates: the link's legacy rate is the fault; the insecure security is an
        # advisory, reported beside it and never the top finding.
        {"wifi": "wifi.low-rate"},
        also=("wifi.insecure",),
    ),
    Situation(
        "stuck on 2.4 GHz while 5 GHz is in reach",
        iw_link("ht-2ghz-stuck.txt", "mixed-security-and-bands.txt")
        + path(0.0, (0.0, 0.0))
        + speed(28.5, 9.2, 14.0),
        {"wifi": "wifi.band-steering", "slow-internet": "wifi.band-steering"},
        absent=("wifi.weak-signal", "wifi.channel-congestion"),
    ),
    Situation(
        "healthy 5 GHz link",
        iw_link("vht-5ghz.txt", "mixed-security-and-bands.txt") + path(0.0, (0.0, 0.0)),
        {"wifi": None, "unstable-connection": None},
        absent=(*WIFI_CODES, "wifi.insecure", "wan.packet-loss"),
    ),
    Situation(
        "the line loses data, the Wi-Fi is fine",
        iw_link("vht-5ghz.txt", "mixed-security-and-bands.txt") + path(0.0, (16.7, 13.3)),
        dict.fromkeys(("wifi", "slow-internet", "unstable-connection"), "wan.packet-loss"),
        absent=WIFI_CODES,
    ),
]
CASES = [
    pytest.param(s, complaint, id=f"{s.name} / {complaint}") for s in SITUATIONS for complaint in s.expect
]


def run(complaint: str, observations: list[Observation]) -> Diagnosis:
    return asyncio.run(
        diagnose(
            complaint,
            facts=StoredFacts(observations),
            questioner=None,
            playbooks=PLAYBOOKS,
            audience="technician",
        )
    )


@pytest.mark.parametrize(("situation", "complaint"), CASES)
def test_recorded_wifi_situations(situation: Situation, complaint: str) -> None:
    result = run(complaint, situation.observations)
    top = result.top_finding()
    problems = {f.code for f in result.findings if f.status in PROBLEM}
    summary = [(f.code, f.status.value, f.probability) for f in result.findings[:5]]
    assert (top.code if top else None) == situation.expect[complaint], summary
    if complaint == "wifi":
        assert set(situation.also) <= problems, summary
    assert not set(situation.absent) & problems, summary


def test_the_insecure_network_is_found_by_the_checks_of_the_link() -> None:
    observations = netsh_link("de-wpa2-tkip.txt")
    assert {o.fact: o.value for o in observations}["wifi.insecure"] is True
    finding = {f.code: f for f in run("wifi", observations + path(0.0, (0.0, 0.0))).findings}["wifi.insecure"]
    assert finding.status in PROBLEM
    assert any(remedy.id == "modern_security" for remedy in finding.remedies)
