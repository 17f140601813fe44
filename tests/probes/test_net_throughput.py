"""net.throughput: speedtest-cli driven against a Speedtest Mini server in network namespaces, its
failures made plain, the latency-under-load sampling and the grade, the deadline."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import subprocess
import sys
import threading
import time
from typing import Any

import pytest

from homediag.core.config import parse_config
from homediag.core.model import Outcome
from homediag.net.live import live_io
from homediag.net.speedtest import (
    MIN_STREAMS,
    AckTally,
    Meter,
    Phases,
    SpeedResult,
    SpeedtestFailed,
    _CountingOpener,
    run_speedtest,
)
from homediag.probes.net.throughput import ThroughputProbe, grade
from homediag.testing import run_probe
from homediag.testing.fakes import FakeSpeedtest
from tests.netns import Topology, require_netns

LAB_WEB = ["-m", "homediag.lab.servers.internet_web"]
"""The lab's internet web server: a Speedtest Mini server among other things."""
LOOPBACK = parse_config(json.dumps({"internet": {"ping_targets": ["127.0.0.1"]}}))


@pytest.mark.parametrize(
    ("increase", "letter"),
    [(0.0, "A"), (29.9, "A"), (30.0, "B"), (59.0, "B"), (60.0, "C"), (199.0, "C"), (200.0, "D"),
     (399.9, "D"), (400.0, "F"), (2500.0, "F")],
)
def test_grades_follow_design(increase: float, letter: str) -> None:
    assert grade(increase) == letter


def test_spec_is_on_demand_and_active() -> None:
    assert "on-demand" in ThroughputProbe.spec.tags
    assert ThroughputProbe.spec.risk.value == "active"


# --- speedtest-cli's failures, one by one (a fake Speedtest class: pure logic) -----------------------

def _fake(**behaviour: Any) -> Any:
    import speedtest

    class Fake:
        def __init__(self, **kwargs: Any) -> None:
            self.kwargs = kwargs
            if "init" in behaviour:
                raise behaviour["init"]
            self.results = speedtest.SpeedtestResults(client={"ip": "203.0.113.50"})

        def get_servers(self) -> None:
            if "servers" in behaviour:
                raise behaviour["servers"]

        def get_best_server(self, servers: Any = None) -> dict[str, Any]:
            return {}

        def set_mini_server(self, url: str) -> list[dict[str, Any]]:
            if "mini" in behaviour:
                raise behaviour["mini"]
            return []

        def download(self, threads: int | None = None) -> float:
            return float(behaviour.get("download", 20e6))

        def upload(self, pre_allocate: bool = True, threads: int | None = None) -> float:
            return float(behaviour.get("upload", 5e6))

    return Fake


def _speedtest(server: str = "auto", **behaviour: Any) -> SpeedResult:
    return run_speedtest(
        server, secure=True, socket_timeout_s=1.0, shutdown=threading.Event(), phases=Phases(),
        factory=_fake(**behaviour),
    )


def _failures() -> list[tuple[str, str, dict[str, Any], str]]:
    import speedtest

    return [
        ("config unreachable", "auto", {"init": speedtest.ConfigRetrievalError("HTTP Error 403")},
         r"speedtest-config\.php\) could not be fetched"),
        ("config unreachable in mini mode", "http://192.0.2.9/",
         {"init": speedtest.ConfigRetrievalError("x")}, "even a Speedtest Mini server needs it"),
        ("config malformed", "auto", {"init": speedtest.SpeedtestConfigError("bad xml")}, "malformed"),
        ("config not 200", "auto", {"init": KeyError("client")}, "refused or malformed"),
        ("server list", "auto", {"servers": speedtest.ServersRetrievalError("429")}, "server list"),
        ("mini silent", "http://192.0.2.9/", {"mini": speedtest.SpeedtestMiniConnectFailure("x")},
         "did not answer"),
        ("not a mini", "http://192.0.2.9/", {"mini": speedtest.InvalidSpeedtestMiniServer("x")},
         "does not look like"),
        ("nothing downloaded", "auto", {"download": 0}, "no data came back"),
        ("nothing uploaded", "auto", {"upload": 0}, "accepted no upload"),
    ]


@pytest.mark.parametrize(
    ("case", "server", "behaviour", "message"), _failures(), ids=[f[0] for f in _failures()]
)
def test_failures_say_which_step(case: str, server: str, behaviour: dict[str, Any], message: str) -> None:
    with pytest.raises(SpeedtestFailed, match=message):
        _speedtest(server, **behaviour)


def test_speedtest_cli_gets_the_socket_timeout_and_shutdown_event() -> None:
    seen: dict[str, Any] = {}
    fake = _fake()

    def factory(**kwargs: Any) -> Any:
        seen.update(kwargs)
        return fake(**kwargs)

    shutdown = threading.Event()
    run_speedtest(
        "auto", secure=True, socket_timeout_s=3.5, shutdown=shutdown, phases=Phases(), factory=factory
    )
    assert seen == {"timeout": 3.5, "secure": True, "shutdown_event": shutdown}


# --- the probe with a stand-in speed test (latency sampling, observations, deadline) ----------------

def _stand_in(download_s: float, result: SpeedResult | Exception, upload_s: float = 0.0) -> Any:
    def run(server: str, *, secure: bool, socket_timeout_s: float, shutdown: threading.Event,
            phases: Phases, factory: Any = None) -> SpeedResult:
        for step, seconds in (("download", download_s), ("upload", upload_s)):
            phases.mark(step)
            end = time.monotonic() + seconds
            while time.monotonic() < end and not shutdown.is_set():
                time.sleep(0.02)
            if isinstance(result, Exception):
                raise result
        phases.mark("done")
        assert not isinstance(result, Exception)
        return result

    return run


RESULT = SpeedResult(
    download_bps=48.5e6, upload_bps=9.5e6, ping_ms=12.3,
    server={"sponsor": "Speedtest Mini", "name": "198.51.100.80", "url": "http://198.51.100.80/speedtest/upload.php"},
    client={"ip": "203.0.113.50", "lat": "52.52", "lon": "13.405", "isp": "Example Lab ISP"},
)


def _with(run: Any, **kwargs: Any) -> Any:
    """The probe with the live network for its latency samples (127.0.0.1) and ``run`` as the speed test."""
    io = dataclasses.replace(live_io(), speedtest=FakeSpeedtest(run))
    return asyncio.run(run_probe(ThroughputProbe, config=LOOPBACK, binaries=[], io=io, **kwargs))


def test_probe_observes_speed_and_latency_under_load() -> None:
    outcome = _with(_stand_in(1.2, RESULT, upload_s=0.7))
    assert outcome.result.outcome is Outcome.OK, outcome.result.reason
    assert outcome.value("speedtest.download_mbps") == 48.5
    assert outcome.value("speedtest.upload_mbps") == 9.5
    assert outcome.value("speedtest.server") == "Speedtest Mini (198.51.100.80)"
    assert outcome.value("speedtest.public_ip") == "203.0.113.50"
    assert outcome.value("speedtest.location") == {"lat": 52.52, "lon": 13.405}
    assert outcome.value("latency.idle_ms") is not None
    assert outcome.value("latency.grade") in ("A", "B", "C", "D", "F")
    loaded = outcome.observations("latency.loaded_ms")[0]
    assert loaded.value is not None
    # one request every 0.25 s during a 1.2 s download
    assert "of 4 answered" in (loaded.evidence or "") or "of 5 answered" in (loaded.evidence or "")
    # and again while the upload ran (0.7 s: 2 to 4 requests)
    upload = outcome.observations("latency.upload_loaded_ms")[0]
    assert upload.value is not None
    assert any(f"of {n} answered" in (upload.evidence or "") for n in (2, 3, 4)), upload.evidence
    assert "during the upload" in (outcome.observations("latency.increase_ms")[0].evidence or "")


# --- the steady rate: warm-up discarded (pure logic) -----------------------------------------------

def test_meter_discards_the_warm_up() -> None:
    meter = Meter()
    # slow start: 1 Mbit/s for the first second, then a steady 20 Mbit/s for 4 s, 50 ms ticks
    for tick in range(1, 21):
        meter.add(int(1e6 / 8 / 20), now=tick * 0.05)
    for tick in range(1, 81):
        meter.add(int(20e6 / 8 / 20), now=1.0 + tick * 0.05)
    whole = 8.0 * meter.total / 5.0
    assert whole < 17e6  # the whole-time figure speedtest-cli reports is 16 % low
    steady = meter.steady_bps(warmup_s=1.0)
    assert steady is not None
    assert steady == pytest.approx(20e6, rel=0.01)


def test_meter_leaves_out_the_draining_tail() -> None:
    meter = Meter()
    # 100 Mbit/s for 4 s, then the data runs out: one stream left at 10 Mbit/s for 2 s
    for tick in range(1, 81):
        meter.add(int(100e6 / 8 / 20), now=tick * 0.05)
    for tick in range(1, 41):
        meter.add(int(10e6 / 8 / 20), now=4.0 + tick * 0.05)
    steady = meter.steady_bps(warmup_s=1.0)
    assert steady is not None
    assert steady == pytest.approx(100e6, rel=0.01)


def test_meter_a_stall_is_not_the_line() -> None:
    meter = Meter()
    # 20 Mbit/s for 7 s, but nothing crosses for 0.6 s in the middle (the far end stalled)
    now, stalled = 0.0, (3.0, 3.6)
    while now < 7.0:
        now = round(now + 0.05, 2)
        if not stalled[0] < now <= stalled[1]:
            meter.add(int(20e6 / 8 / 20), now=now)
    steady = meter.steady_bps(warmup_s=1.0)
    assert steady is not None
    assert steady == pytest.approx(20e6, rel=0.01)  # the plain rate: 18 Mbit/s


def test_meter_too_short_a_steady_part_is_no_measurement() -> None:
    meter = Meter()
    for tick in range(1, 30):
        meter.add(1000, now=tick * 0.05)
    assert meter.steady_bps(warmup_s=1.0) is None
    assert Meter().steady_bps(warmup_s=1.0) is None


def test_counting_opener_counts_downloads_and_uploads() -> None:
    class Response:
        def __init__(self) -> None:
            self.left = 3

        def read(self, n: int = 10240) -> bytes:
            self.left -= 1
            return b"x" * 1000 if self.left >= 0 else b""

        def close(self) -> None:
            pass

    class Data:
        def __init__(self) -> None:
            self.chunks = [b"y" * 500, b"y" * 500, b""]

        def read(self, n: int = 10240) -> bytes:
            return self.chunks.pop(0)

    class Request:
        def __init__(self, data: Data | None) -> None:
            self.data = data

    class Opener:
        def open(self, request: Request) -> Response:
            if request.data is not None:
                while request.data.read(8192):
                    pass
            return Response()

    down, up = Meter(), Meter()
    opener = _CountingOpener(Opener(), down, up)
    response = opener.open(Request(None))
    while response.read(10240):
        pass
    response.close()
    opener.open(Request(Data()))
    assert (down.total, up.total) == (3000, 1000)


@pytest.mark.skipif(sys.platform != "linux", reason="TCP_INFO's layout is Linux's")
def test_acknowledged_bytes_of_a_loopback_upload() -> None:
    import socket

    server = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(server.getsockname())
    peer, _address = server.accept()
    connection = type("Connection", (), {"sock": client})()
    tally = AckTally()
    tally.track(connection)
    try:
        client.sendall(b"x" * 300_000)
        got = 0
        while got < 300_000:
            got += len(peer.recv(65536))
        deadline = time.monotonic() + 2.0
        while tally.total() < 300_000 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert tally.total() == 300_000
        assert tally.seen
        tally.close(connection, None)  # closed: the last count stays
        assert tally.total() == 300_000
    finally:
        for sock in (client, peer, server):
            sock.close()


def test_at_least_min_streams_each_way() -> None:
    calls: dict[str, int | None] = {}

    class Tester:
        def __init__(self, **kwargs: Any) -> None:
            import speedtest

            self.config = {"threads": {"download": 2, "upload": 8}, "length": {"download": 8, "upload": 8}}
            self.results = speedtest.SpeedtestResults(client={})

        def get_servers(self) -> None:
            pass

        def get_best_server(self, servers: Any = None) -> dict[str, Any]:
            return {}

        def download(self, threads: int | None = None) -> float:
            calls["download"] = threads
            return 1e6

        def upload(self, pre_allocate: bool = True, threads: int | None = None) -> float:
            calls["upload"] = threads
            return 1e6

    result = run_speedtest("auto", secure=True, socket_timeout_s=1.0, shutdown=threading.Event(),
                           phases=Phases(), factory=Tester)
    assert calls == {"download": MIN_STREAMS, "upload": 8}
    # nothing counted (no opener to wrap): speedtest-cli's own figures stand
    assert (result.download_bps, result.upload_bps) == (1e6, 1e6)


def test_a_failed_speed_test_is_an_error_not_zero() -> None:
    outcome = _with(_stand_in(0.1, SpeedtestFailed("HTTP Error 403")))
    assert outcome.result.outcome is Outcome.ERROR
    assert "403" in (outcome.result.reason or "")
    assert outcome.observations("speedtest.download_mbps") == []
    assert outcome.value("latency.idle_ms") is not None  # what was measured stays


def test_the_deadline_stops_speedtest_cli() -> None:
    stopped = threading.Event()
    inner = _stand_in(30.0, RESULT)

    def run(*args: Any, **kwargs: Any) -> SpeedResult:
        try:
            return inner(*args, **kwargs)  # type: ignore[no-any-return]
        finally:
            if kwargs["shutdown"].is_set():
                stopped.set()

    outcome = _with(run, timeout_s=4.0)
    assert outcome.result.outcome is Outcome.TIMEOUT
    assert "download" in (outcome.result.reason or "") or "upload" in (outcome.result.reason or "")
    assert stopped.wait(2.0), "speedtest-cli's shutdown event was never set"


# --- the real speedtest-cli against the Mini fixture, inside namespaces -------------------------------

def _mini_topology(topo: Topology, *extra: str) -> tuple[str, str]:
    client, server = topo.add_ns("c"), topo.add_ns("s")
    _client_if, server_if = topo.link(client, server, ["198.51.100.2/24"], ["198.51.100.80/24"])
    # a 200 Mbit/s line: unshaped, a veth pair moves the server's images in well under a second, before
    # the first latency sample under load
    tbf = ["tc", "qdisc", "add", "dev", server_if, "root", "tbf", "rate", "200mbit", "burst", "64kb"]
    topo.run(server, [*tbf, "latency", "50ms"])
    topo.etc_file(client, "hosts", "127.0.0.1 localhost\n198.51.100.80 www.speedtest.net\n")
    listen = ["--listen", "198.51.100.80:80", "--test-length", "2"]
    topo.spawn(server, [sys.executable, *LAB_WEB, *listen, *extra])
    for _ in range(50):
        listening = topo.run(server, ["ss", "-ltn", "sport = :80"]).stdout
        if ":80" in listening:
            break
        time.sleep(0.1)
    return client, server


def _config(server_url: str) -> dict[str, object]:
    return {"internet": {"ping_targets": ["198.51.100.80"]}, "speedtest": {"server": server_url}}


def test_speedtest_against_a_mini_server_in_namespaces() -> None:
    require_netns()
    with Topology() as topo:
        client, _server = _mini_topology(topo)
        result = topo.run_probe(client, "homediag.probes.net.throughput:ThroughputProbe",
                              config=_config("http://198.51.100.80/"))
    assert result["outcome"] == "ok", result["reason"]
    values = result["values"]
    assert isinstance(values, dict)
    assert values[("speedtest.download_mbps", "local")] > 10
    assert values[("speedtest.upload_mbps", "local")] > 10
    assert values[("speedtest.public_ip", "local")] == "198.51.100.2"  # the server saw the client
    assert values[("latency.grade", "local")] in ("A", "B", "C", "D", "F")
    assert values[("latency.loaded_ms", "local")] is not None


@pytest.mark.parametrize(
    ("extra", "server_url", "message"),
    [
        (["--config-status", "403"], "http://198.51.100.80/", "speedtest-config.php"),
        ([], "http://198.51.100.80/nothing-here/", "answered with an HTTP error"),
    ],
    ids=["config-refused", "not-a-mini-server"],
)
def test_refusals_in_namespaces(extra: list[str], server_url: str, message: str) -> None:
    require_netns()
    with Topology() as topo:
        client, _server = _mini_topology(topo, *extra)
        result = topo.run_probe(client, "homediag.probes.net.throughput:ThroughputProbe",
                              config=_config(server_url), args={"socket_timeout_s": 3.0})
    assert result["outcome"] == "error"
    assert message in str(result["reason"])
    values = result["values"]
    assert isinstance(values, dict)
    assert ("speedtest.download_mbps", "local") not in values


def test_lab_speedtest_server_answers_the_upload_size() -> None:
    # the lab's server itself, on 127.0.0.1: the upload answer speedtest-cli checks for
    import http.client
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    process = subprocess.Popen([sys.executable, *LAB_WEB, "--listen", f"127.0.0.1:{port}"])
    try:
        for _ in range(50):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("POST", "/speedtest/upload.php", body=b"content1=" + b"x" * 991)
                response = conn.getresponse()
                break
            except ConnectionRefusedError:
                time.sleep(0.1)
        assert response.read() == b"size=1000"
    finally:
        process.kill()
        process.wait()
