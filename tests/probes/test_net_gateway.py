"""net.gateway: recorded ping output, and real round trips to 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
from functools import partial
from pathlib import Path

import pytest

from homediag.core.model import Outcome
from homediag.core.probe import CommandResult
from homediag.core.spec import Platform
from homediag.net.echo import EchoSeries, summarise
from homediag.net.live import live_io
from homediag.probes.net.gateway import GatewayProbe
from homediag.testing import run_probe as _run_probe

run_probe = partial(_run_probe, io=live_io())
"""Probes run on the live network here: the servers of these tests listen on 127.0.0.1."""

PING = Path(__file__).parent.parent / "parsers" / "fixtures" / "ping"


def test_loss_and_latency_from_the_system_ping() -> None:
    outcome = asyncio.run(
        run_probe(
            GatewayProbe,
            facts={"gateway.ipv4": "192.0.2.1"},
            args={"count": 4, "interval_s": 0.2},
            commands={("ping",): CommandResult(("ping",), 1, (PING / "linux-loss.txt").read_text(), "")},
        )
    )
    assert outcome.result.outcome is Outcome.OK
    assert outcome.result.method == "system ping"
    assert outcome.value("gateway.loss_pct") == 25.0
    assert outcome.value("gateway.samples_ms") == [0.412, None, 0.398, 1.2]
    assert outcome.value("gateway.reachable") is True
    assert outcome.value("gateway.rtt_max_ms") == 1.2
    assert outcome.commands_run[0][:2] == ("ping", "-n")


def test_windows_ping_in_german() -> None:
    outcome = asyncio.run(
        run_probe(
            GatewayProbe,
            facts={"gateway.ipv4": "192.0.2.1"},
            args={"count": 4},
            platform=Platform.WINDOWS,
            commands={("ping",): CommandResult(("ping",), 1, (PING / "windows-de.txt").read_text(), "")},
        )
    )
    assert outcome.value("gateway.loss_pct") == 50.0
    assert outcome.commands_run[0][:3] == ("ping", "-n", "4")


def test_no_gateway_is_not_applicable() -> None:
    outcome = asyncio.run(run_probe(GatewayProbe, facts={"gateway.ipv4": None}))
    assert outcome.result.outcome is Outcome.NOT_APPLICABLE


def test_without_ping_it_falls_back_to_tcp_connects_on_loopback() -> None:
    outcome = asyncio.run(run_probe(GatewayProbe, args={"target": "127.0.0.1", "count": 3}, binaries=[]))
    # port 53 on loopback answers with SYN-ACK or RST: either proves the host is there
    assert outcome.result.method == "TCP connect (port 53)"
    assert outcome.value("gateway.reachable") is True
    assert outcome.value("gateway.loss_pct") == 0.0


@pytest.mark.skipif(os.geteuid() != 0, reason="raw ICMP needs root")
def test_raw_icmp_to_loopback() -> None:
    outcome = asyncio.run(
        run_probe(GatewayProbe, args={"target": "127.0.0.1", "count": 5}, privileged=True, binaries=[])
    )
    assert outcome.result.method == "raw ICMP"
    assert outcome.value("gateway.loss_pct") == 0.0
    assert len(outcome.value("gateway.samples_ms")) == 5  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("samples", "loss", "mean", "jitter"),
    [
        ((1.0, 3.0, 2.0), 0.0, 2.0, 1.5),
        ((None, None), 100.0, None, None),
        ((5.0, None, 5.0, None), 50.0, 5.0, 0.0),
    ],
)
def test_statistics(
    samples: tuple[float | None, ...], loss: float, mean: float | None, jitter: float | None
) -> None:
    stats = summarise(EchoSeries("test", samples).samples)
    assert (stats.loss_pct, stats.rtt_ms, stats.jitter_ms) == (loss, mean, jitter)


def test_busybox_ping_numbers_from_zero_and_loses_no_reply() -> None:
    outcome = asyncio.run(
        run_probe(
            GatewayProbe,
            facts={"gateway.ipv4": "192.0.2.1"},
            args={"count": 3, "interval_s": 0.2},
            commands={("ping",): CommandResult(("ping",), 1, (PING / "busybox-first-lost.txt").read_text(), "")},  # noqa: E501
        )
    )
    assert outcome.value("gateway.samples_ms") == [None, 0.131, 0.12]
    assert outcome.value("gateway.loss_pct") == 33.33
